// A snapshot thread (workers/rdb-snapshot.ts): writes the RDB file of one consistent cut of every
// shard (a master's full sync, `redis-cli --rdb`), off the shard threads and the main thread.
//
// The thread keeps a read-only view of each shard's environment. A job arrives while the main
// thread holds every shard (coordinator locks): the thread takes a fresh LMDB read snapshot of each
// (one cut), answers 'pinned', and then writes the whole file WITHOUT RETURNING TO ITS EVENT LOOP.
// That is what keeps the cut: lmdb-js renews a thread's read snapshot on a timer once the event
// loop turns, so a job that never yields reads the snapshot it pinned from its first key to its
// last. Because it never yields, it is driven through a SharedArrayBuffer instead of messages:
// the main thread counts the chunks it has consumed there (credit) and raises a cancel flag there,
// and the thread sleeps in Atomics.wait while it is `ahead` chunks ahead of its reader. Chunks go
// to the main thread as transferred ArrayBuffers (postMessage works while the thread never yields).
// One job at a time per thread; lib/replication/snapshot.ts starts one thread per snapshot running
// at once. Nothing is written to disk, so a crash leaves nothing behind.

import { parentPort, workerData } from 'node:worker_threads';
import { RdbEncoder } from '../rdb/file-write.js';
import type { EncodingLimits } from '../rdb/value.js';
import { encodingLimits } from '../store/encoding-limits.js';
import { readRdbPass } from '../store/rdb-scan.js';
import { ShardStore } from '../store/shard-store.js';
import { ShardShared } from '../store/shared-state.js';
import { ShardStats } from '../shard/stats.js';

export interface SnapshotThreadInit {
  /** the live data directory (shard-<i> in it) */
  dir: string;
  databases: number;
  /** per shard, its ShardShared buffer (the environment generation: COMPACT replaces the files) */
  sharedSabs: SharedArrayBuffer[];
}

/** Int32 words of a job's control buffer. */
export const CTRL_SENT = 0;
export const CTRL_READ = 1;
export const CTRL_CANCEL = 2;
export const CTRL_WORDS = 3;

export interface SnapshotJob {
  id: number;
  /** per shard, logical -> physical database (SWAPDB), copied while the shards were held */
  dbmaps: Uint8Array[];
  /**
   * per logical database, its keys and keys with an expiry at the cut (the shards' counters, as
   * DBSIZE counts: a key past its expiry not yet removed counts), for RESIZEDB, which is a hint
   */
  counts: Array<{ keys: number; expires: number }>;
  /** Int32Array of CTRL_WORDS: chunks sent (thread), chunks consumed (main), cancel flag (main) */
  ctrlSab: SharedArrayBuffer;
  /** chunks the thread may run ahead of the reader */
  ahead: number;
  limits: EncodingLimits;
  compress: boolean;
  ctime: number;
  usedMem: number;
  aux: Array<[string, string]>;
}

export type ToSnapshotThread = { t: 'job' } & SnapshotJob;

export type FromSnapshotThread =
  | { t: 'ready' }
  | { t: 'pinned'; id: number }
  | { t: 'chunk'; id: number; buf: ArrayBuffer; keys: number }
  | { t: 'done'; id: number; bytes: number; keys: number }
  | { t: 'cancelled'; id: number }
  | { t: 'error'; id: number; message: string };

/** A key read right after resetReadTxn pins the new snapshot (any key of the `info` sub-db). */
const PIN_KEY = Buffer.from('format');
/** How long one wait for credit sleeps before looking at the cancel flag again (ms). */
const CREDIT_WAIT_MS = 1000;

class Cancelled extends Error {}

/** A chunk as an ArrayBuffer of its own, to be transferred (a pooled Buffer shares its memory). */
function ownBuffer(chunk: Buffer): ArrayBuffer {
  if (chunk.byteOffset === 0 && chunk.buffer.byteLength === chunk.length && chunk.buffer instanceof ArrayBuffer) return chunk.buffer;
  const ab = new ArrayBuffer(chunk.length);
  new Uint8Array(ab).set(chunk);
  return ab;
}

export function runSnapshotThread(): void {
  const init = workerData as SnapshotThreadInit;
  const port = parentPort!;
  const post = (m: FromSnapshotThread, transfer?: ArrayBuffer[]): void => port.postMessage(m, transfer);
  const views: Array<ShardStore | undefined> = [];
  const generations: number[] = [];
  const shared = init.sharedSabs.map((sab) => new ShardShared(sab));
  const seq = new BigInt64Array(new SharedArrayBuffer(8));
  const stats = new ShardStats(init.databases);

  /** The view of a shard, opened again when COMPACT replaced its files since it was opened. */
  const view = (shard: number): ShardStore => {
    const gen = shared[shard].generation();
    let v = views[shard];
    if (v && generations[shard] !== gen) {
      void v.close();
      v = undefined;
    }
    generations[shard] = gen;
    if (!v) {
      v = new ShardStore({ index: shard, dir: init.dir, databases: init.databases, seq, stats, binlogRing: null, binlogMaxBytes: 0, shared: shared[shard], view: true });
      views[shard] = v;
    }
    return v;
  };

  function run(job: SnapshotJob): void {
    const ctrl = new Int32Array(job.ctrlSab);
    const cancelled = (): boolean => Atomics.load(ctrl, CTRL_CANCEL) !== 0;
    if (cancelled()) throw new Cancelled();
    Object.assign(encodingLimits, job.limits);
    // resetReadTxn drops the old snapshot; the next read starts the new one, so read now: the
    // snapshot is taken before 'pinned' is reported and the main thread lets the shards go
    const stores = shared.map((_, s) => {
      const v = view(s);
      v.env.resetReadTxn();
      v.info.getBinary(PIN_KEY);
      return v;
    });
    post({ t: 'pinned', id: job.id });
    const now = Date.now();
    const counts = job.counts;
    const enc = new RdbEncoder({ limits: job.limits, compress: job.compress, ctime: job.ctime, usedMem: job.usedMem, aux: job.aux }, (chunk) => {
      for (;;) {
        if (cancelled()) throw new Cancelled();
        const read = Atomics.load(ctrl, CTRL_READ);
        if (Atomics.load(ctrl, CTRL_SENT) - read < job.ahead) break;
        Atomics.wait(ctrl, CTRL_READ, read, CREDIT_WAIT_MS);
      }
      const buf = ownBuffer(chunk);
      post({ t: 'chunk', id: job.id, buf, keys: enc.keysWritten }, [buf]);
      Atomics.add(ctrl, CTRL_SENT, 1);
    });
    enc.begin();
    for (let db = 0; db < init.databases; db++) {
      if (counts[db].keys === 0) continue;
      enc.selectDb(db, counts[db].keys, counts[db].expires);
      stores.forEach((store, i) => {
        let after: Buffer | null = null;
        do {
          if (cancelled()) throw new Cancelled();
          const pass = readRdbPass(store, db, job.dbmaps[i][db], after, now);
          for (const k of pass.keys) enc.writeKey(k);
          after = pass.last;
        } while (after !== null);
      });
    }
    enc.end();
    post({ t: 'done', id: job.id, bytes: enc.bytesWritten, keys: enc.keysWritten });
  }

  port.on('message', (m: ToSnapshotThread) => {
    try {
      run(m);
    } catch (e) {
      if (e instanceof Cancelled) post({ t: 'cancelled', id: m.id });
      else post({ t: 'error', id: m.id, message: e instanceof Error ? e.message : String(e) });
    }
  });
  // the environments are opened before 'ready', not while a job's shards are held
  shared.forEach((_, s) => view(s));
  post({ t: 'ready' });
}
