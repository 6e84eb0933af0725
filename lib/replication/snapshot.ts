// The RDB file of one consistent cut of every shard, for a master's full sync and `redis-cli --rdb`:
// taken at the caller's place in the global order while the server keeps serving and writing,
// produced by a thread of its own (lib/replication/snapshot-thread.ts), read chunk by chunk with
// backpressure.
//
// - The cut: RdbSnapshot.take calls Coordinator.locked on every shard synchronously, so the locks
//   sit right after the writes dispatched before it. Once every shard has stopped at its lock, the
//   binlog sequence is read (the cut holds every write up to it and none after) and the thread is
//   told to pin one read snapshot per shard; the shards go on as soon as it answers, one round trip
//   to a ready thread. The first snapshot of a server also waits for the thread to start (its
//   start, ~0.3 s of CPU, is not paid by a server that never syncs).
// - Threads: one per snapshot being produced (two replicas syncing at once get one each, each
//   with its own cut); a thread whose snapshot ended is kept for the next one. Idle threads are
//   unref'd: they hold no snapshot and never keep the process alive.
// - Backpressure: the thread runs at most AHEAD chunks (~256 KiB each) ahead of the reader; a
//   chunk counts as consumed when read() hands it out, so a reader that awaits its socket's drain
//   before the next read() keeps the memory in flight bounded whatever the replica's speed.

import { Worker } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';
import type { Server } from '../server.js';
import { encodingLimits } from '../store/encoding-limits.js';
import { logger } from '../log.js';
import { CTRL_CANCEL, CTRL_READ, CTRL_WORDS, type FromSnapshotThread, type SnapshotJob, type SnapshotThreadInit } from './snapshot-thread.js';

const log = logger('replication');
const WORKER_URL = new URL('../../workers/rdb-snapshot.js', import.meta.url);

/** Chunks the thread may produce before the reader has taken them. */
export const SNAPSHOT_AHEAD = 4;

/** A snapshot that failed or was cancelled: the reason. */
export class SnapshotError extends Error {}

export interface SnapshotOptions {
  /** the stream's database at the cut: AUX repl-stream-db (written when given) */
  streamDb?: number;
  /** AUX fields after used-mem (a master's repl-id, repl-offset...); a default's name replaces it */
  aux?: Array<[string, string]>;
}

export interface SnapshotCut {
  /** the last binlog sequence given out when every shard was held: the cut holds exactly the writes up to it */
  seq: number;
  /**
   * keys at the cut, as DBSIZE counts them: a key past its expiry that was not removed yet counts,
   * and the file leaves it out (keysWritten at the end is the file's count)
   */
  keys: number;
}

/** One snapshot thread, as the main thread sees it. */
class SnapshotThread {
  readonly worker: Worker;
  readonly ready: Promise<void>;
  job: RdbSnapshot | null = null;
  exited = false;

  constructor(init: SnapshotThreadInit, onExit: (t: SnapshotThread) => void) {
    const w = (this.worker = new Worker(fileURLToPath(WORKER_URL), { workerData: init }));
    w.unref();
    this.ready = new Promise((resolve, reject) => {
      w.on('message', (m: FromSnapshotThread) => {
        if (m.t === 'ready') return resolve();
        this.job?.onMessage(m);
      });
      w.on('error', (e) => {
        log.error({ err: e }, 'snapshot thread failed');
        reject(e);
      });
      w.on('exit', () => {
        this.exited = true;
        reject(new SnapshotError('the snapshot thread exited'));
        this.job?.fail(new SnapshotError('the snapshot thread exited before the snapshot was complete'));
        this.job = null;
        onExit(this);
      });
    });
    this.ready.catch(() => undefined);
  }
}

/** A server's snapshot threads. */
class SnapshotThreads {
  private readonly threads = new Set<SnapshotThread>();
  private closing = false;

  constructor(private readonly server: Server) {}

  /** A thread with no job, started when every thread is busy. */
  private idle(): SnapshotThread {
    if (this.closing) throw new SnapshotError('the server is shutting down');
    let t = [...this.threads].find((x) => x.job === null && !x.exited);
    if (!t) {
      const s = this.server;
      const init: SnapshotThreadInit = { dir: s.config.str('dir'), databases: s.databases, sharedSabs: s.shards.links.map((l) => l.shared.sab) };
      t = new SnapshotThread(init, (x) => this.threads.delete(x));
      this.threads.add(t);
    }
    return t;
  }

  /** An idle thread given to `job`. */
  acquire(job: RdbSnapshot): SnapshotThread {
    const t = this.idle();
    t.job = job;
    return t;
  }

  /** Resolves once an idle thread is ready (started if there is none). */
  prepare(): Promise<void> {
    return this.idle().ready;
  }

  get running(): number {
    let n = 0;
    for (const t of this.threads) if (t.job) n++;
    return n;
  }

  get started(): number {
    return this.threads.size;
  }

  async close(): Promise<void> {
    this.closing = true;
    for (const t of this.threads) t.job?.cancel();
    await Promise.all([...this.threads].map((t) => t.worker.terminate()));
  }
}

const pools = new WeakMap<Server, SnapshotThreads>();

function threadsOf(server: Server): SnapshotThreads {
  let p = pools.get(server);
  if (!p) pools.set(server, (p = new SnapshotThreads(server)));
  return p;
}

/** Snapshot threads started for `server`, and how many produce a snapshot now. */
export function snapshotThreads(server: Server): { started: number; running: number } {
  const p = pools.get(server);
  return { started: p?.started ?? 0, running: p?.running ?? 0 };
}

/** Shutdown: every snapshot is cancelled and the threads end. */
export async function closeSnapshots(server: Server): Promise<void> {
  await pools.get(server)?.close();
}

let nextJobId = 1;

export class RdbSnapshot {
  /** Resolves with the cut's binlog sequence once every shard's snapshot is pinned (the shards are let go then). */
  readonly pinned: Promise<number>;
  /** Resolves once every shard's snapshot is pinned (the shards are let go then); rejects if the cut cannot be taken. */
  readonly cut: Promise<SnapshotCut>;
  /** RDB bytes received from the thread so far. */
  bytesProduced = 0;
  /** Keys written into the chunks received so far. */
  keysWritten = 0;
  /** Milliseconds the shards were held: from all of them stopping at the lock to the thread's 'pinned' (a thread that starts for the cut included). */
  heldMs = -1;

  private readonly id = nextJobId++;
  private readonly ctrl = new Int32Array(new SharedArrayBuffer(CTRL_WORDS * 4));
  private readonly chunks: Buffer[] = [];
  private waiter: { resolve: (b: Buffer | null) => void; reject: (e: Error) => void } | null = null;
  private ended = false;
  /** the job went to the thread (which then answers, and is released, whatever happens) */
  private posted = false;
  private error: Error | null = null;
  private thread: SnapshotThread | null;
  private seq = -1;
  private resolvePinnedMsg!: () => void;
  private rejectPinnedMsg!: (e: Error) => void;
  private resolveCut!: (c: SnapshotCut) => void;
  private rejectCut!: (e: Error) => void;

  /**
   * Starts an idle snapshot thread if there is none; resolves once it is ready. A caller that can
   * take its cut a little later (a full sync may: any cut is one, with its own sequence) awaits
   * this first, so the shards are not held while the thread starts (~0.3 s) for the first
   * snapshot of the server.
   */
  static prepare(server: Server): Promise<void> {
    return threadsOf(server).prepare();
  }

  /**
   * Takes a snapshot of every shard at this point of the global order. Call it synchronously from
   * a command's dispatch (before any await): the locks take the caller's place in the order.
   */
  static take(server: Server, opts: SnapshotOptions = {}): RdbSnapshot {
    return new RdbSnapshot(server, opts);
  }

  private constructor(server: Server, opts: SnapshotOptions) {
    this.cut = new Promise((resolve, reject) => {
      this.resolveCut = resolve;
      this.rejectCut = reject;
    });
    this.cut.catch(() => undefined);
    const pinnedMsg = new Promise<void>((resolve, reject) => {
      this.resolvePinnedMsg = resolve;
      this.rejectPinnedMsg = reject;
    });
    pinnedMsg.catch(() => undefined);
    let thread: SnapshotThread;
    try {
      thread = this.thread = threadsOf(server).acquire(this);
    } catch (e) {
      this.thread = null;
      this.fail(e as Error);
      this.pinned = Promise.reject(e as Error);
      this.pinned.catch(() => undefined);
      return;
    }
    const job: Omit<SnapshotJob, 'dbmaps' | 'counts'> = {
      id: this.id,
      ctrlSab: this.ctrl.buffer as SharedArrayBuffer,
      ahead: SNAPSHOT_AHEAD,
      limits: { ...encodingLimits },
      compress: server.config.bool('rdbcompression'),
      ctime: Math.floor(Date.now() / 1000),
      usedMem: process.memoryUsage.rss(),
      aux: [...(opts.streamDb !== undefined ? [['repl-stream-db', String(opts.streamDb)] as [string, string]] : []), ...(opts.aux ?? [])],
    };
    // The locks are enqueued now, in the caller's place in the global order; inside, every shard
    // has stopped after the writes sent before it, so the sequence and the SWAPDB maps read here
    // and the snapshots the thread pins are all of that one cut.
    this.pinned = server.coord.locked(server.shards.all(), async () => {
      const held = performance.now();
      this.seq = Number(new BigInt64Array(server.shards.seqSab)[0]) - 1;
      const dbmaps = server.shards.links.map((l) => Uint8Array.from(l.shared.dbmap.subarray(0, server.databases)));
      const counts = Array.from({ length: server.databases }, (_, db) => {
        let keys = 0;
        let expires = 0;
        for (const l of server.shards.links) {
          keys += l.stats.keys(db);
          expires += l.stats.expires(db);
        }
        return { keys, expires };
      });
      await thread.ready;
      if (this.error) throw this.error;
      this.posted = true;
      thread.worker.postMessage({ t: 'job', ...job, dbmaps, counts });
      await pinnedMsg;
      this.heldMs = performance.now() - held;
      this.resolveCut({ seq: this.seq, keys: counts.reduce((n, c) => n + c.keys, 0) });
      return this.seq;
    });
    this.pinned.catch((e: Error) => this.fail(e instanceof SnapshotError ? e : new SnapshotError(`the snapshot could not be taken: ${e.message}`)));
  }

  /** A message of this snapshot's thread. */
  onMessage(m: FromSnapshotThread): void {
    switch (m.t) {
      case 'pinned':
        this.resolvePinnedMsg();
        return;
      case 'chunk': {
        if (this.error) return;
        const b = Buffer.from(m.buf);
        this.bytesProduced += b.length;
        this.keysWritten = m.keys;
        if (this.waiter) {
          const w = this.waiter;
          this.waiter = null;
          this.consumed();
          w.resolve(b);
        } else this.chunks.push(b);
        return;
      }
      case 'done':
        this.release();
        this.keysWritten = m.keys;
        this.ended = true;
        if (this.waiter && this.chunks.length === 0) {
          const w = this.waiter;
          this.waiter = null;
          w.resolve(null);
        }
        return;
      case 'cancelled':
        this.release();
        this.fail(new SnapshotError('the snapshot was cancelled'));
        return;
      case 'error':
        this.release();
        this.fail(new SnapshotError(`the snapshot failed: ${m.message}`));
        return;
    }
  }

  /** The thread is free for another snapshot. */
  private release(): void {
    if (this.thread?.job === this) this.thread.job = null;
    this.thread = null;
  }

  private consumed(): void {
    Atomics.add(this.ctrl, CTRL_READ, 1);
    Atomics.notify(this.ctrl, CTRL_READ);
  }

  /** Fails the snapshot: the producer stops, pending and later reads reject with `e`. */
  fail(e: Error): void {
    if (this.error || (this.ended && this.chunks.length === 0)) return;
    this.error = e;
    Atomics.store(this.ctrl, CTRL_CANCEL, 1);
    Atomics.notify(this.ctrl, CTRL_READ);
    if (!this.posted) this.release();
    this.chunks.length = 0;
    this.rejectPinnedMsg(e);
    this.rejectCut(e);
    if (this.waiter) {
      const w = this.waiter;
      this.waiter = null;
      w.reject(e);
    }
  }

  /**
   * The next chunk of the file (null after the last one). Await the chunk's delivery (a socket's
   * drain) before asking for the next: the thread produces only a few chunks ahead of this.
   */
  read(): Promise<Buffer | null> {
    if (this.error) return Promise.reject(this.error);
    const b = this.chunks.shift();
    if (b) {
      this.consumed();
      return Promise.resolve(b);
    }
    if (this.ended) return Promise.resolve(null);
    if (this.waiter) return Promise.reject(new Error('RdbSnapshot.read: a read is already pending'));
    return new Promise((resolve, reject) => (this.waiter = { resolve, reject }));
  }

  /** Whether every byte of the file has been read. */
  get complete(): boolean {
    return this.ended && this.chunks.length === 0 && this.error === null;
  }

  /** Stops the producer and frees its snapshots (a replica went away); reads reject from now on. */
  cancel(): void {
    if (this.ended || this.error) return;
    this.fail(new SnapshotError('the snapshot was cancelled'));
  }
}
