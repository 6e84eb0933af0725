// The main thread's side of the copier thread (lib/backup/copy-thread.ts): one thread started with
// the server, which runs one copy job at a time. A job's snapshots are pinned by one message, so
// a caller that holds shards (coordinator locks) until `pinned` holds them for a round trip only.

import { Worker } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';
import type { CopierInit, FromCopier, ToCopier } from './copy-thread.js';
import { PROGRESS_BYTES, PROGRESS_FIELDS, PROGRESS_KEYS, PROGRESS_RECORDS } from '../store/env-copy.js';
import { logger } from '../log.js';

const log = logger('copier');
const WORKER_URL = new URL('../../workers/copier.js', import.meta.url);

/** A copy failed: LMDB's or the file system's message, and its errno code when there is one. */
export class CopyError extends Error {
  constructor(
    message: string,
    readonly code?: string,
  ) {
    super(message);
  }
}

/** A catch-up round: the snapshot's last sequence, records and keys applied, or a full copy needed. */
export interface CaughtUp {
  seq: number;
  records: number;
  keys: number;
  full: boolean;
}

export interface CopyProgress {
  bytes: number;
  records: number;
  keys: number;
}

/** One copy job: its snapshots' last binlog sequences once pinned, its end, its progress. */
export class CopyJob {
  readonly progressArr: Float64Array;
  /** Resolves with each shard's snapshot's last binlog sequence, once pinned. */
  readonly pinned: Promise<number[]>;
  /** Resolves when every copy is complete; rejects with a CopyError. */
  readonly done: Promise<void>;
  resolvePinned!: (seqs: number[]) => void;
  resolveDone!: () => void;
  reject!: (e: CopyError) => void;

  constructor(
    readonly id: number,
    readonly shards: number[],
    private readonly thread: Copier,
  ) {
    this.progressArr = new Float64Array(new SharedArrayBuffer(shards.length * PROGRESS_FIELDS * 8));
    let rejectPinned!: (e: CopyError) => void;
    this.pinned = new Promise((resolve, reject) => {
      this.resolvePinned = resolve;
      rejectPinned = reject;
    });
    this.done = new Promise((resolve, reject) => {
      this.resolveDone = resolve;
      this.reject = (e) => {
        rejectPinned(e);
        reject(e);
      };
    });
    // a caller that awaits only one of them must not see the other's rejection as unhandled
    this.pinned.catch(() => undefined);
    this.done.catch(() => undefined);
  }

  /** Bytes, records and keys copied so far, over every shard. */
  progress(): CopyProgress {
    const a = this.progressArr;
    const p = { bytes: 0, records: 0, keys: 0 };
    for (let i = 0; i < a.length; i += PROGRESS_FIELDS) {
      p.bytes += a[i + PROGRESS_BYTES];
      p.records += a[i + PROGRESS_RECORDS];
      p.keys += a[i + PROGRESS_KEYS];
    }
    return p;
  }

  /** Stops the copy (between two of its transactions); `done` then rejects. */
  stop(): void {
    this.thread.send({ t: 'stop', id: this.id });
  }
}

export class Copier {
  private worker: Worker | null = null;
  private readyP: Promise<void> | null = null;
  private nextId = 1;
  private job: CopyJob | null = null;
  private closeWaiters = new Map<number, () => void>();
  private catchWaiters = new Map<number, { resolve: (r: CaughtUp) => void; reject: (e: CopyError) => void }>();
  private closing = false;

  constructor(private readonly dir: string) {}

  /** Starts the thread (again after it was lost); resolves once it is ready for a job. */
  start(): Promise<void> {
    if (this.readyP) return this.readyP;
    const init: CopierInit = { dir: this.dir };
    const w = (this.worker = new Worker(fileURLToPath(WORKER_URL), { workerData: init }));
    w.unref();
    this.readyP = new Promise((resolve, reject) => {
      w.on('message', (m: FromCopier) => {
        if (m.t === 'ready') return resolve();
        if (m.t === 'closed') {
          this.closeWaiters.get(m.shard)?.();
          this.closeWaiters.delete(m.shard);
          return;
        }
        if (m.t === 'caught' || (m.t === 'error' && this.catchWaiters.has(m.id))) {
          const w = this.catchWaiters.get(m.id);
          this.catchWaiters.delete(m.id);
          if (m.t === 'caught') w?.resolve(m);
          else w?.reject(new CopyError(m.message, m.code));
          return;
        }
        const job = this.job;
        if (!job || job.id !== m.id) return;
        if (m.t === 'pinned') job.resolvePinned(m.seqs);
        else {
          this.job = null;
          if (m.t === 'done') job.resolveDone();
          else job.reject(new CopyError(m.message, m.code));
        }
      });
      w.on('error', (e) => {
        log.error({ err: e }, 'copier thread failed');
        reject(e);
      });
      w.on('exit', () => {
        this.worker = null;
        this.readyP = null;
        this.job?.reject(new CopyError('the copier thread exited before the copy was complete'));
        this.job = null;
        for (const f of this.closeWaiters.values()) f();
        this.closeWaiters.clear();
        for (const w of this.catchWaiters.values()) w.reject(new CopyError('the copier thread exited'));
        this.catchWaiters.clear();
      });
    });
    return this.readyP;
  }

  get busy(): boolean {
    return this.job !== null;
  }

  /**
   * Starts a job: call it while holding the shards; await `pinned` before letting them go. The
   * snapshots are taken when the thread receives the job (after it is ready).
   */
  run(shards: number[], dests: string[], delayUs = 0, track = false): CopyJob {
    if (this.job) throw new Error('a copy is already running');
    if (this.closing) throw new CopyError('the server is shutting down');
    const job = new CopyJob(this.nextId++, shards, this);
    this.job = job;
    void this.start().then(
      () => this.send({ t: 'job', id: job.id, shards, dests, progressSab: job.progressArr.buffer as SharedArrayBuffer, delayUs, track }),
      (e: Error) => {
        if (this.job === job) this.job = null;
        job.reject(new CopyError(`the copier thread could not start: ${e.message}`));
      },
    );
    return job;
  }

  /** Closes the thread's view of a shard's environment, and of its copy at `dest` (before the files are replaced). */
  closeShard(shard: number, dest?: string): Promise<void> {
    if (!this.worker) return Promise.resolve();
    return new Promise((resolve) => {
      this.closeWaiters.set(shard, resolve);
      this.send({ t: 'close', shard, dest });
    });
  }

  /** Brings the copy at `dest` (a tracked job's) up to a fresh snapshot of `shard`. */
  catchUp(shard: number, dest: string): Promise<CaughtUp> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      if (!this.worker) return reject(new CopyError('the copier thread is not running'));
      this.catchWaiters.set(id, { resolve, reject });
      this.send({ t: 'catchup', id, shard, dest });
    });
  }

  send(m: ToCopier): void {
    this.worker?.postMessage(m);
  }

  /** Shutdown: the running job stops; the thread ends. */
  async close(): Promise<void> {
    this.closing = true;
    const job = this.job;
    if (job) {
      job.stop();
      await job.done.catch(() => undefined);
    }
    await this.worker?.terminate();
  }
}
