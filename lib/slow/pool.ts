// The slow-command pool (main-thread side): a piscina pool of `slow-cmd-thread-pool-size` threads
// (workers/slow.ts, running lib/slow/runtime.ts) that run read-only shard handlers against
// snapshots of the shards' LMDB environments. Which calls go there is decided per call by
// lib/slow-routing.ts.
//
// Consistency. A pool task resets its read transactions when it starts, so it sees every commit
// made before that moment. SlowRouting.runSlow first sends a fence through the shard's request stream
// (internal `fence`): once it answers, everything queued on that shard before the slow command —
// in particular the same connection's earlier writes — has committed. Reads of several shards at
// once (KEYS) hold those shards (Coordinator.locked) until the task reports its snapshots taken,
// which makes the snapshots one consistent cut; the shards go on while the task computes.

import { fileURLToPath } from 'node:url';
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { Piscina } from 'piscina';
import { logger } from '../log.js';
import { recordArgs } from '../shard/protocol.js';
import { encodingLimits, type EncodingLimits } from '../store/encoding-limits.js';

const log = logger('slow-pool');

const WORKER_URL = new URL('../../workers/slow.js', import.meta.url);

export interface SlowInit {
  dir: string;
  nshards: number;
  databases: number;
  /** Per shard: ShardShared's buffer (SWAPDB map, access table). */
  sharedSabs: SharedArrayBuffer[];
  seqSab: SharedArrayBuffer;
  /** Keyspace hits/misses of pool reads (INFO adds them to the shards'). */
  statsSab: SharedArrayBuffer;
}

/** One shard handler call: `cmd` is the command's table index. */
export interface SlowPart {
  shard: number;
  cmd: number;
  db: number;
  proto: 2 | 3;
  args: Uint8Array[];
}

/** A command whose keys span shards, run by its coordinated handler over the pool's snapshots. */
export interface SlowCoordinated {
  cmd: number;
  db: number;
  proto: 2 | 3;
  args: Uint8Array[];
  /** the shards its keys live on */
  shards: number[];
  /**
   * A *STORE: its writes are not made but returned after the reply ([u8 shard] + a request record,
   * lib/shard/protocol.ts), for the main thread to apply if its inputs did not change.
   */
  capture?: boolean;
}

/** A write captured by a *STORE computed on the pool. */
export interface CapturedWrite {
  shard: number;
  db: number;
  cmd: number;
  args: Buffer[];
}

export function decodeWrite(b: Buffer): CapturedWrite {
  return { shard: b[0], db: b[2], cmd: b.readUInt32LE(5), args: recordArgs(b, 1) };
}

/** Options of SlowPool.run. */
export interface RunOptions {
  /** called once the task's snapshots are pinned, before it computes */
  onSnapshot?: () => void;
  /** a thread was reserved with acquire() */
  reserved?: boolean;
  /** one cross-shard command instead of parts */
  coordinated?: SlowCoordinated;
  /** the parts' replies are arrays: answer one array of all their elements (KEYS) */
  concat?: boolean;
  /** tests: a task that throws or runs out of memory */
  crash?: 'throw' | 'oom';
}

export interface SlowTask {
  parts: SlowPart[];
  concat?: boolean;
  coordinated?: SlowCoordinated;
  now: number;
  port?: MessagePort;
  crash?: 'throw' | 'oom';
  /** the main thread's encoding thresholds (DUMP / MEMORY USAGE read them; *STORE results follow them) */
  limits: EncodingLimits;
}

/**
 * A task's result, one buffer: [u32 LE count][f64 LE µs spent in the handlers][u32 LE length per
 * reply] then the replies (RESP bytes) back to back.
 */
export type SlowResult = Uint8Array;

export class SlowPool {
  private readonly pool: Piscina;
  /** Tasks completed / failed (a failure is an exception or a lost thread, not an error reply). */
  completed = 0;
  failed = 0;
  /** µs spent in handlers by completed tasks. */
  busyMicros = 0;
  /** Tasks handed to the pool and not finished yet. */
  running = 0;
  /** Threads promised by acquire() to a run() that has not started yet. */
  private reserved = 0;
  private waiting: Array<() => void> = [];

  /** `heapMb`: heap limit of a pool thread (a task that exceeds it fails alone, its thread is replaced). */
  constructor(
    readonly size: number,
    heapMb: number,
    init: SlowInit,
  ) {
    this.pool = new Piscina({
      filename: fileURLToPath(WORKER_URL),
      minThreads: size,
      maxThreads: size,
      idleTimeout: Number.MAX_SAFE_INTEGER,
      // 'disabled': a thread returns to its event loop between tasks (lmdb-js renews its read
      // snapshots there too; tasks also reset them explicitly).
      atomics: 'disabled',
      workerData: init,
      resourceLimits: { maxOldGenerationSizeMb: heapMb },
    });
    this.pool.on('error', (err: unknown) => log.error({ err }, 'slow pool thread failed'));
  }

  /** Tasks waiting for a free thread. */
  get queued(): number {
    return this.waiting.length + this.pool.queueSize;
  }

  get threads(): number {
    return this.pool.threads.length;
  }

  /**
   * Runs the parts (or one cross-shard command) on one snapshot; resolves with the replies.
   * `onSnapshot` is called exactly once, before the returned promise settles.
   */
  /**
   * Resolves once a thread is free for the caller, who must call run(..., reserved = true) right
   * away: the task then starts at once (callers that hold shards until its snapshot is taken).
   */
  acquire(): Promise<void> {
    if (this.running + this.reserved < this.size) {
      this.reserved++;
      return Promise.resolve();
    }
    return new Promise((resolve) =>
      this.waiting.push(() => {
        this.reserved++;
        resolve();
      }),
    );
  }

  private wakeWaiting(): void {
    while (this.waiting.length > 0 && this.running + this.reserved < this.size) this.waiting.shift()!();
  }

  async run(parts: SlowPart[], o: RunOptions = {}): Promise<{ replies: Buffer[]; micros: number }> {
    const { onSnapshot, crash, reserved = false, coordinated, concat } = o;
    // Every task takes its turn in one FIFO (acquire), so callers that reserve a thread ahead (and
    // hold shards once they have it) are not overtaken by a stream of other tasks.
    if (!reserved) await this.acquire();
    this.reserved--;
    // onSnapshot runs exactly once: when the task reports its snapshots pinned, or when it fails
    // first (the caller may hold shards until then)
    let fired = false;
    const fire = (): void => {
      if (!fired) {
        fired = true;
        onSnapshot?.();
      }
    };
    let port: MessageChannel | undefined;
    let snapped: Promise<void> | undefined;
    if (onSnapshot) {
      const p1 = (port = new MessageChannel()).port1;
      snapped = new Promise<void>((resolve) => {
        p1.once('message', () => {
          p1.close();
          fire();
          resolve();
        });
      });
    }
    this.running++;
    try {
      const task: SlowTask = { parts, coordinated, now: Date.now(), port: port?.port2, crash, concat, limits: encodingLimits };
      const res = (await this.pool.run(task, port ? { transferList: [port.port2] } : undefined)) as Uint8Array;
      if (snapped) await snapped;
      const dv = new DataView(res.buffer, res.byteOffset, res.byteLength);
      const n = dv.getUint32(0, true);
      const micros = dv.getFloat64(4, true);
      this.busyMicros += micros;
      const out: Buffer[] = new Array(n);
      let off = 12 + 4 * n;
      for (let i = 0; i < n; i++) {
        const len = dv.getUint32(12 + 4 * i, true);
        out[i] = Buffer.from(res.buffer, res.byteOffset + off, len);
        off += len;
      }
      this.completed++;
      return { replies: out, micros };
    } catch (e) {
      this.failed++;
      port?.port1.close();
      fire();
      throw e;
    } finally {
      this.running--;
      this.wakeWaiting();
    }
  }

  async close(): Promise<void> {
    await this.pool.destroy();
  }
}
