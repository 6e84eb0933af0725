// The copier thread (workers/copier.ts): copies read snapshots of shard environments into new
// environment directories (lib/store/env-copy.ts), off the shard threads and off the main thread.
// It starts with the server and waits, so that pinning a job's snapshots takes one message: the
// main thread holds the shards (coordinator locks) only for that round trip. A job pins a snapshot
// of each of its shards at once (the snapshots are one cut) and answers 'pinned' with each one's
// last binlog sequence, then copies them one after the other, counting bytes and records in a
// shared array, and ends with 'done' or 'error'. One job at a time.

import { parentPort, workerData } from 'node:worker_threads';
import { LMDB_MAP_SIZE } from '../store/shard-store.js';
import { copySnapshot, dataFileBytes, openEnv, pinSnapshot, snapshotLastSeq, PROGRESS_FIELDS, type OpenEnv, type ReadTxn } from '../store/env-copy.js';
import { applyTail, scanTail, startTail, type EffectKeys, type Tail } from '../store/env-catchup.js';
import { keyIndexes, lookup } from '../commands/registry.js';

/**
 * The keys a binlog effect changes, from the command table (its key positions, plus the keys of
 * another database it writes); false when it changes keys it does not name (FLUSHDB, SWAPDB...).
 */
const effectKeys: EffectKeys = (db, args, touch) => {
  const def = args[0].length < 32 ? lookup(args[0].toString('latin1').toLowerCase()) : undefined;
  if (!def || def.touchesAllKeys) return false;
  for (const i of keyIndexes(def, args)) if (i < args.length) touch(db, args[i]);
  let whole = false;
  def.wakes?.(args, db, { databases: 256, notify: touch, notifyDb: () => (whole = true) });
  return !whole;
};

export interface CopierInit {
  /** the live data directory (shard-<i> in it) */
  dir: string;
}

export interface CopyJobSpec {
  id: number;
  shards: number[];
  /** per shard, the directory its copy goes to (must not hold an environment) */
  dests: string[];
  /** Float64Array of PROGRESS_FIELDS per shard */
  progressSab: SharedArrayBuffer;
  /** rdb-key-save-delay (µs per record) */
  delayUs: number;
  /** COMPACT: follow the binlog during the copy (the keys it names are copied again afterwards) */
  track?: boolean;
}

/** How often a tracked copy reads the binlog's new records (before retention can trim them). */
const TRACK_EVERY_MS = 50;

export type FromCopier =
  | { t: 'ready' }
  | { t: 'caught'; id: number; seq: number; records: number; keys: number; full: boolean }
  | { t: 'pinned'; id: number; seqs: number[] }
  | { t: 'done'; id: number }
  | { t: 'error'; id: number; message: string; code?: string }
  | { t: 'closed'; shard: number };

export type ToCopier =
  | ({ t: 'job' } & CopyJobSpec)
  | { t: 'stop'; id: number }
  /** closes the thread's environments of a shard (and of its copy at `dest`) */
  | { t: 'close'; shard: number; dest?: string }
  /** brings the copy at `dest` (of the snapshot at `fromSeq`) to a fresh snapshot of the shard */
  | { t: 'catchup'; id: number; shard: number; dest: string };

export function runCopier(): void {
  const init = workerData as CopierInit;
  const port = parentPort!;
  const post = (m: FromCopier): void => port.postMessage(m);
  const envs = new Map<number, OpenEnv>();
  const stopped = new Set<number>();
  /** Copies being caught up (COMPACT), by directory. */
  const dests = new Map<string, OpenEnv>();
  /** Copies being caught up: what the binlog named since, and where the copy's binlog ends. */
  const tails = new Map<string, { tail: Tail; fromSeq: number }>();
  const scanFresh = (shard: number, tail: Tail): void => {
    const src = env(shard);
    const txn = pinSnapshot(src);
    try {
      scanTail(src, txn, tail, effectKeys);
    } finally {
      txn.done();
    }
  };
  const env = (s: number): OpenEnv => {
    let e = envs.get(s);
    if (!e) envs.set(s, (e = openEnv(`${init.dir}/shard-${s}`)));
    return e;
  };

  async function copy(job: CopyJobSpec, txns: Array<ReadTxn | null>): Promise<void> {
    for (let i = 0; i < job.shards.length; i++) {
      const progress = new Float64Array(job.progressSab, i * PROGRESS_FIELDS * 8, PROGRESS_FIELDS);
      const s = job.shards[i];
      const tracked = job.track ? tails.get(job.dests[i]) : undefined;
      let last = Date.now();
      const onChunk = tracked
        ? (): void => {
            if (Date.now() - last < TRACK_EVERY_MS) return;
            last = Date.now();
            scanFresh(s, tracked.tail);
          }
        : undefined;
      await copySnapshot(env(s), txns[i]!, job.dests[i], { progress, shouldStop: () => stopped.has(job.id), srcBytes: dataFileBytes(`${init.dir}/shard-${s}`), delayUs: job.delayUs, onChunk });
      txns[i]!.done();
      txns[i] = null;
    }
  }

  port.on('message', (m: ToCopier) => {
    if (m.t === 'stop') {
      stopped.add(m.id);
      return;
    }
    if (m.t === 'close') {
      const e = envs.get(m.shard);
      envs.delete(m.shard);
      const d = m.dest !== undefined ? dests.get(m.dest) : undefined;
      if (m.dest !== undefined) {
        dests.delete(m.dest);
        tails.delete(m.dest);
      }
      void Promise.all([e?.env.close(), d?.env.close()]).then(() => post({ t: 'closed', shard: m.shard }));
      return;
    }
    if (m.t === 'catchup') {
      try {
        const src = env(m.shard);
        let dest = dests.get(m.dest);
        if (!dest) dests.set(m.dest, (dest = openEnv(m.dest, { mapSize: Math.max(LMDB_MAP_SIZE, dataFileBytes(`${init.dir}/shard-${m.shard}`) * 2) })));
        const t = tails.get(m.dest);
        if (!t) throw new Error(`no copy being caught up at ${m.dest}`);
        const txn = pinSnapshot(src);
        try {
          scanTail(src, txn, t.tail, effectKeys);
          if (t.tail.full) {
            tails.delete(m.dest);
            post({ t: 'caught', id: m.id, seq: t.tail.seq, records: t.tail.records, keys: 0, full: true });
          } else {
            const r = applyTail(src, txn, dest, t.tail, t.fromSeq);
            t.fromSeq = r.seq;
            post({ t: 'caught', id: m.id, seq: r.seq, records: r.records, keys: r.keys, full: false });
          }
        } finally {
          txn.done();
        }
      } catch (e) {
        fail(m.id, e);
      }
      return;
    }
    const txns: Array<ReadTxn | null> = [];
    let seqs: number[];
    try {
      seqs = m.shards.map((s) => {
        const e = env(s);
        const txn = pinSnapshot(e);
        txns.push(txn);
        const seq = snapshotLastSeq(e, txn);
        if (m.track) tails.set(m.dests[txns.length - 1], { tail: startTail(e, txn, seq), fromSeq: seq });
        return seq;
      });
    } catch (e) {
      for (const t of txns) t?.done();
      return fail(m.id, e);
    }
    post({ t: 'pinned', id: m.id, seqs });
    copy(m, txns).then(
      () => post({ t: 'done', id: m.id }),
      (e: unknown) => {
        for (const t of txns) t?.done();
        fail(m.id, e);
      },
    );
  });

  function fail(id: number, e: unknown): void {
    const err = e as NodeJS.ErrnoException;
    post({ t: 'error', id, message: err instanceof Error ? err.message : String(e), code: err?.code });
  }

  post({ t: 'ready' });
}
