// The internal entries: shard-side steps of main-thread and cross-shard commands, not visible to
// clients, in one list for lib/commands/index.ts. The keyspace commands' steps are declared next
// to their commands (keyspace-db.ts: dbsize keys scan randomkey flushdb flushall swapdb;
// keyspace.ts: dump-key restore-key del-key); `fence` and `key-events` are here. Every internal
// command runs in the logical db it is sent with (x.db).

import type { CommandDef, ShardExec } from './types.js';
import { cmd } from './define.js';
import { keyspaceDbSteps } from './keyspace-db.js';
import { keyMoveSteps } from './keyspace.js';
import { replicationSteps } from './replication-steps.js';
import { setEncodingLimit } from '../store/encoding-limits.js';

/** fence: answers once everything queued on the shard before it has committed (slow-pool reads). */
function fence(x: ShardExec): void {
  x.out.ok();
}

/**
 * key-events word: from here on the shard collects the keyspace events and modified keys this
 * switch asks for (lib/store/key-events.ts KeyEventLog.configure). It travels in the request
 * stream, so a command sent before a change (CONFIG SET notify-keyspace-events, a client turning
 * tracking on) runs with the old switch and every command after it with the new one. Marked as a
 * write: the rest of its batch runs in a write transaction, where reads can expire keys.
 */
function keyEventsSwitch(x: ShardExec, args: Buffer[]): void {
  x.store.configureEvents(Number(args[1].toString('latin1')));
  x.out.ok();
}

/**
 * encoding-limit word name value: sets an encoding threshold (lib/store/encoding-limits.ts) for the
 * commands after it in the request stream (CONFIG SET sends it to every shard).
 */
function encodingLimit(x: ShardExec, args: Buffer[]): void {
  setEncodingLimit(args[1].toString('latin1'), Number(args[2].toString('latin1')));
  x.out.ok();
}

/**
 * repl-group begin|end id parts: brackets one shard's part of a write whose parts span shards
 * (scatter, broadcast) with marker records in the binlog, so replication ships the parts as one
 * MULTI ... EXEC (lib/replication/merge.ts). Sent only while the node produces a stream.
 */
function replGroup(x: ShardExec, args: Buffer[]): void {
  x.store.appendMarker([REPL_GROUP, args[1], args[2], args[3]]);
  x.out.ok();
}

/** The command name of the marker records in the binlog (never a client's command). */
export const REPL_GROUP = Buffer.from('respdb-group');

export const internalCommands: CommandDef[] = [
  ...keyspaceDbSteps,
  ...keyMoveSteps,
  ...replicationSteps,
  cmd({
    name: 'fence', arity: 1, flags: ['readonly'], acl: ['keyspace'], shard: fence, internal: true,
    summary: 'No-op: its reply means everything queued before it has committed.', since: '0.1.0', group: 'internal',
  }),
  cmd({
    name: 'key-events', arity: 2, flags: ['write'], acl: ['keyspace'], shard: keyEventsSwitch, internal: true,
    summary: 'Sets which keyspace events and modified-key reports the shard collects.', since: '0.1.0', group: 'internal',
  }),
  cmd({
    name: 'repl-group', arity: 4, flags: ['write'], acl: ['keyspace'], shard: replGroup, internal: true,
    summary: 'Marks where a part of a cross-shard write begins or ends in the binlog.', since: '0.1.0', group: 'internal',
  }),
  cmd({
    name: 'encoding-limit', arity: 3, flags: ['readonly'], acl: ['keyspace'], shard: encodingLimit, internal: true,
    summary: 'Sets an encoding threshold for the commands after it.', since: '0.1.0', group: 'internal',
  }),
];
