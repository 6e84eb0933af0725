// What a replica needs of the command table to apply its master's stream: which stream commands
// frame a transaction (MULTI / EXEC) or ask for an acknowledgement (REPLCONF GETACK), and the
// shard step that records how far the stream has been applied (`repl-applied`, written in the
// same transaction as the commands it covers: lib/replication/apply-marks.ts).

import type { CommandDef, ShardExec } from './types.js';
import { cmd, isKw } from './define.js';

export type StreamCommandKind = 'multi' | 'exec' | 'getack' | 'other';

/** How the applier treats a command of the replication stream. */
export function streamCommandKind(args: Buffer[]): StreamCommandKind {
  const a = args[0];
  if (a.length === 5 && isKw(a, 'multi')) return 'multi';
  if (a.length === 4 && isKw(a, 'exec')) return 'exec';
  if (args.length >= 2 && a.length === 8 && isKw(a, 'replconf') && isKw(args[1], 'getack')) return 'getack';
  return 'other';
}

/** The `info` record holding a shard's applied stream position. */
export const REPL_APPLIED_KEY = Buffer.from('repl-applied');

/** repl-applied <value>: stores the shard's applied stream position (lib/replication/apply-marks.ts encodes it). */
function replApplied(x: ShardExec, args: Buffer[]): void {
  x.store.info.putSync(REPL_APPLIED_KEY, Buffer.from(args[1]));
  x.out.ok();
}

export const replicationSteps: CommandDef[] = [
  cmd({
    name: 'repl-applied', arity: 2, flags: ['write'], acl: ['keyspace'], shard: replApplied, internal: true,
    summary: "Records how far this shard applied the master's replication stream.", since: '0.1.0', group: 'internal',
  }),
];
