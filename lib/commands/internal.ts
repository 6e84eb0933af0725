// The internal entries: shard-side steps of main-thread and cross-shard commands, not visible to
// clients, in one list for lib/commands/index.ts. The keyspace commands' steps are declared next
// to their commands (keyspace-db.ts: dbsize keys scan randomkey flushdb flushall swapdb;
// keyspace.ts: dump-key restore-key del-key); `fence` is here. Every internal command runs in the
// logical db it is sent with (x.db).

import type { CommandDef, ShardExec } from './types.js';
import { cmd } from './define.js';
import { keyspaceDbSteps } from './keyspace-db.js';
import { keyMoveSteps } from './keyspace.js';

/** fence: answers once everything queued on the shard before it has committed (slow-pool reads). */
function fence(x: ShardExec): void {
  x.out.ok();
}

export const internalCommands: CommandDef[] = [
  ...keyspaceDbSteps,
  ...keyMoveSteps,
  cmd({
    name: 'fence', arity: 1, flags: ['readonly'], acl: ['keyspace'], shard: fence, internal: true,
    summary: 'No-op: its reply means everything queued before it has committed.', since: '0.1.0', group: 'internal',
  }),
];
