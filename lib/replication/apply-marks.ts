// How a replica keeps its applied stream offset crash-safe.
//
// Each shard stores its own applied position in its `info` sub-db (record `repl-applied`: the
// replid, the stream offset after the last stream command it committed, and the master client's
// db there), written by the `repl-applied` step IN THE SAME WRITE TRANSACTION as those commands:
//
// - commands that reach the shards through their rings (single-shard commands, the parts of a
//   scatter command such as MSET or DEL over several shards, and a MULTI / EXEC block of such
//   commands, which runs as one group record per shard): the shard handle appends the mark as the
//   last record of every frame that holds such a record (lib/shard/handle.ts nextMark /
//   writeMark), also before a LOCK record, the one place where a shard splits a frame into two
//   transactions. So a mark commits exactly with the commands it covers, shard by shard.
// - units that take the main thread or locks (a block with SELECT inside, RENAME across shards,
//   FLUSHALL, FUNCTION LOAD...): the applier waits until everything before has been applied,
//   runs the unit alone, waits for its reply, then writes the mark on every shard. After a
//   restart such a unit counts as applied when any shard's mark is at or past its end (marks
//   are only written once it completed). The one window left: a kill between the unit's commit
//   and its first mark's commit makes it run again after the restart.
//
// At startup the replica resumes at the smallest valid mark (its backlog holds the bytes from
// there: it is flushed to its file before any byte of it is handed to a shard), and a command
// is left out on every shard whose mark is at or past its end, so no command is applied twice
// and none is skipped. (A scatter command that only some shards committed runs again on all of
// them: its parts, SET or DEL of keys, give the same result twice.) A mark is valid when it belongs to this node's history (its replid
// is the current one, or replid2 below second_repl_offset); a promotion writes marks of no
// history, since a master's data moves on without the stream.

import type { Server } from '../server.js';
import { internal } from '../commands/registry.js';
import { REPL_APPLIED_KEY } from '../commands/replication-steps.js';
import { NO_REPLID } from './ids.js';
import type { ReplMark } from '../shard/handle.js';

export interface AppliedMark {
  replid: string;
  offset: number;
  db: number;
}

const A_MARK = Buffer.from('repl-applied');

export function encodeMark(replid: string, offset: number, db: number): Buffer {
  return Buffer.from(`${replid} ${offset} ${db}`, 'latin1');
}

export function decodeMark(b: Buffer | null | undefined): AppliedMark | null {
  if (!b) return null;
  const m = /^([0-9a-f]{40}) (\d+) (\d+)$/.exec(b.toString('latin1'));
  return m ? { replid: m[1], offset: Number(m[2]), db: Number(m[3]) } : null;
}

/** Each shard's stored mark (null where none), read from the main thread's views. */
export function readMarks(server: Server): Array<AppliedMark | null> {
  return server.shards.links.map((l) => {
    const v = l.view!;
    v.env.resetReadTxn();
    const raw = v.info.getBinary(REPL_APPLIED_KEY) as Buffer | undefined;
    return decodeMark(raw ? Buffer.from(raw) : null);
  });
}

/** Is `m` a position in this node's current history? */
export function markValid(server: Server, m: AppliedMark | null): m is AppliedMark {
  if (m === null) return false;
  const ids = server.replication.ids.ids;
  if (m.replid === ids.replid) return true;
  return m.replid === ids.replid2 && m.offset < ids.secondReplOffset;
}

/** Writes the same mark on every shard (after a full sync, a cross-shard unit, a promotion); resolves once committed. */
export async function markAll(server: Server, offset: number, db: number, replid = server.replication.ids.ids.replid): Promise<void> {
  await server.shards.broadcast(internal('repl-applied'), 0, 2, [A_MARK, encodeMark(replid, offset, db)]);
}

/** Marks of no history on every shard: this node's data no longer follows the stream. */
export function forgetMarks(server: Server): Promise<void> {
  return markAll(server, 0, 0, NO_REPLID);
}

/** Installs the frame-mark records on every shard handle (see lib/shard/handle.ts nextMark). */
export function installFrameMarks(server: Server): void {
  const def = internal('repl-applied');
  for (const l of server.shards.links) {
    l.handle.markRecord = (m: ReplMark) => ({ cmd: def.index!, args: [A_MARK, encodeMark(server.replication.ids.ids.replid, m.end, m.db)] });
  }
}
