// Keyspace commands (generic group).

import type { CommandDef, ShardExec } from './types.js';
import { cmd } from './define.js';

function del(x: ShardExec, args: Buffer[]): void {
  let n = 0;
  for (let i = 1; i < args.length; i++) {
    const m = x.store.get(x.db, args[i], x.now);
    if (!m) continue;
    x.store.remove(x.db, m);
    x.binlog([DEL, args[i]]);
    n++;
  }
  x.out.int(n);
}

function exists(x: ShardExec, args: Buffer[]): void {
  let n = 0;
  for (let i = 1; i < args.length; i++) if (x.store.get(x.db, args[i], x.now)) n++;
  x.out.int(n);
}

const DEL = Buffer.from('DEL');

export const keyspaceCommands: CommandDef[] = [
  cmd({
    name: 'del', arity: -2, flags: ['write'], acl: ['keyspace'], keys: [1, -1, 1], shard: del,
    scatter: { group: 1, merge: 'sum' },
    summary: 'Deletes one or more keys.', since: '1.0.0', group: 'generic', complexity: 'O(N) where N is the number of keys that will be removed.',
  }),
  cmd({
    name: 'exists', arity: -2, flags: ['readonly', 'fast'], acl: ['keyspace'], keys: [1, -1, 1], shard: exists,
    scatter: { group: 1, merge: 'sum' },
    summary: 'Determines whether one or more keys exist.', since: '1.0.0', group: 'generic', complexity: 'O(N) where N is the number of keys to check.',
  }),
];
