// Main-thread side of one shard: starts its worker, batches the requests of one event-loop turn
// into one frame, and routes the replies (which come back in request order) to their targets.

import { Worker } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';
import Denque from 'denque';
import { Ring, FrameReader } from '../ring.js';
import { OP_CMD, OP_LOCK, REC_HEADER, TRACK_NONE, recordSize, writeRecord, TIMED, TIMED_FRAME, KEY_EVENTS, EVENTS_FRAME, type FromShard, type ShardInit, type ToShard } from './protocol.js';
import type { Connection } from '../connection.js';
import { logger } from '../log.js';
import type { KeyCounts } from '../store/shard-store.js';
import { grow } from '../grow.js';

const log = logger('shard-handle');

/** Receives one reply. `reply` is a view that is only valid during the call. */
export interface ReplyTarget {
  onReply(reply: Buffer): void;
  /**
   * The shard's execution time of the command (µs), before its reply, when the shard sent it
   * (see TRACK_* in protocol.ts); `args`: the slow log's form of its arguments, when wanted.
   * Targets without it go to ShardHandle.onTimed.
   */
  onTimed?(micros: number, args: Buffer[] | null): void;
  /**
   * The keyspace events its command caused (records of lib/store/key-events.ts, a view valid only
   * during the call), before its reply. Targets without it go to ShardHandle.onKeyEvents.
   */
  onKeyEvents?(records: Buffer): void;
  /** The client whose command this answers: the origin of its keyspace events. */
  readonly conn?: Connection;
}

/**
 * A replica's applied-offset marker (lib/replication/apply-marks.ts): the stream offset after the
 * last replication command in a frame, and the master client's db there.
 */
export interface ReplMark {
  end: number;
  db: number;
}

const IGNORE_REPLY: ReplyTarget = { onReply() {} };

interface StepWaiter {
  resolve: (reply: Buffer) => void;
  origin: Connection | null;
  onKeyEvents?: (records: Buffer) => void;
}

const REQ_RING = 4 << 20;
const REP_RING = 4 << 20;
/** A frame is closed at this size so one big pipeline does not become one giant transaction. */
const FRAME_SOFT_MAX = 256 * 1024;
/** Commands after which a batch goes to the shard without waiting for the end of the turn. */
const EARLY_FLUSH = 64;
/** How long a shard may take to sync and close at shutdown. */
const CLOSE_TIMEOUT_MS = 10_000;

const WORKER_URL = new URL('../../workers/shard.js', import.meta.url);

export class ShardHandle {
  readonly worker: Worker;
  readonly req: Ring;
  readonly rep: Ring;
  private readonly reader: FrameReader;
  private readonly inflight = new Denque<ReplyTarget>();
  /** Frame under construction. */
  private buf: Buffer = Buffer.allocUnsafe(64 * 1024);
  private pos = 0;
  private count = 0;
  /** Closed frames not yet (fully) in the ring. */
  private outq: Buffer[] = [];
  private outOff = 0;
  private waitingWritable = false;
  private readonly stepWaiters = new Map<number, StepWaiter>();
  private readonly unlockWaiters = new Map<number, () => void>();
  private nextStep = 1;
  private readonly replyFrames: Buffer[] = [];
  ready: Promise<number>;
  private closed = false;
  private exited = false;
  onFatal: ((msg: string) => void) | null = null;
  /** Called after a drain of the reply ring delivered replies (the server flushes sockets). */
  onReplies: (() => void) | null = null;
  /** A command's duration sent back by the shard, for a target without its own onTimed. */
  onTimed: ((target: ReplyTarget, micros: number, args: Buffer[] | null) => void) | null = null;
  /** A latency event measured on the shard (expire-cycle, aof-fsync-always). */
  onLatency: ((event: string, ms: number) => void) | null = null;
  /**
   * Keyspace events records (a view valid only during the call) of a command of `origin` (null:
   * the shard's own background work), before its reply is delivered.
   */
  onKeyEvents: ((origin: Connection | null, records: Buffer) => void) | null = null;
  /** Background work's events frame was handled (its events published): ShardShared's count drops. */
  onBackgroundEvents: (() => void) | null = null;

  /**
   * Replication marks. The applier sets `nextMark` right before routing a stream command to this
   * shard; the record written next takes it as the frame's mark. Before the frame is closed (or a
   * LOCK ends the shard's batch there), `markRecord` turns the mark into one more record at the
   * end of the frame, so the commands and their mark always commit in one transaction.
   */
  nextMark: ReplMark | null = null;
  private frameMark: ReplMark | null = null;
  markRecord: ((mark: ReplMark) => { cmd: number; args: Buffer[] }) | null = null;

  constructor(readonly index: number, init: Omit<ShardInit, 'index' | 'reqSab' | 'repSab'>) {
    this.req = new Ring(REQ_RING);
    this.rep = new Ring(REP_RING);
    this.reader = new FrameReader(this.rep);
    const full: ShardInit = { ...init, index, reqSab: this.req.sab, repSab: this.rep.sab };
    this.worker = new Worker(fileURLToPath(WORKER_URL), { workerData: full, name: `shard-${index}` });
    this.ready = new Promise((resolve, reject) => {
      const onMsg = (m: FromShard): void => {
        if (m.t === 'ready') {
          resolve(m.lastSeq);
        } else if (m.t === 'fatal') {
          reject(new Error(m.message));
        }
      };
      this.worker.on('message', onMsg);
      this.worker.once('error', reject);
    });
    this.worker.on('message', (m: FromShard) => this.onMessage(m));
    this.worker.once('exit', () => {
      this.exited = true;
      this.closed = true;
    });
    this.worker.on('error', (err) => {
      log.fatal({ err, shard: index }, 'shard thread crashed');
      this.onFatal?.(`shard ${index} crashed: ${err.message}`);
    });
    void this.replyLoop();
  }

  /** Number of requests sent and not answered yet. */
  pending(): number {
    return this.inflight.length + this.count;
  }

  /** Adds a command to this turn's batch; `track`: what to report of its duration (TRACK_*). */
  send(cmdIndex: number, db: number, proto: number, args: Buffer[], target: ReplyTarget, track = TRACK_NONE): void {
    const size = recordSize(args);
    if (this.count > 0 && this.pos + size > FRAME_SOFT_MAX) this.closeFrame();
    this.reserve(size);
    this.pos = writeRecord(this.buf, this.pos, OP_CMD, db, proto, track, cmdIndex, args);
    this.count++;
    this.inflight.push(target);
    if (this.nextMark !== null) {
      this.frameMark = this.nextMark;
      this.nextMark = null;
    }
    // Hand a full batch over now rather than at the end of the turn: the shard starts on it
    // while this thread goes on parsing (the stages overlap instead of taking turns).
    if (this.count >= EARLY_FLUSH) this.flush();
  }

  /** Queues a lock for a cross-shard transaction; `target` hears when the shard reached it. */
  lock(txid: number, target: ReplyTarget): void {
    this.writeMark();
    this.reserve(REC_HEADER);
    const b = this.buf;
    const p = this.pos;
    b[p] = OP_LOCK;
    b[p + 1] = 0;
    b[p + 2] = 0;
    b[p + 3] = 0;
    b.writeUInt32LE(txid, p + 4);
    b.writeUInt32LE(0, p + 8);
    this.pos += REC_HEADER;
    this.count++;
    this.inflight.push(target);
  }

  /**
   * Runs one command on this shard while the caller's transaction holds its lock; `origin`: the
   * client whose command it is part of (its keyspace events' origin). `onKeyEvents`: the step's
   * events go there instead of to ShardHandle.onKeyEvents.
   */
  step(cmdIndex: number, db: number, proto: number, args: Buffer[], origin: Connection | null = null, onKeyEvents?: (records: Buffer) => void): Promise<Buffer> {
    const id = this.nextStep++;
    return new Promise((resolve) => {
      this.stepWaiters.set(id, { resolve, origin, onKeyEvents });
      const copies = args.map((a) => new Uint8Array(a));
      this.control({ t: 'step', id, cmd: cmdIndex, db, proto, args: copies });
    });
  }

  unlock(txid: number): Promise<void> {
    return new Promise((resolve) => {
      this.unlockWaiters.set(txid, resolve);
      this.control({ t: 'unlock', txid });
    });
  }

  control(m: ToShard): void {
    this.worker.postMessage(m);
  }

  private envWaiter: ((error?: string) => void) | null = null;

  /**
   * While the caller holds this shard's lock: the shard syncs and closes its environment, so its
   * directory can be replaced (lib/shard/env-swap.ts). `replaced`: the new directory will hold
   * another data set (a full sync), not a copy of this one.
   */
  detach(replaced = false): Promise<void> {
    return new Promise((resolve) => {
      this.envWaiter = () => resolve();
      this.control({ t: 'detach', replaced });
    });
  }

  /**
   * After detach: the shard opens the environment in its directory again; rejects when it
   * cannot. `counted`: the new data set's key counts, as the thread that wrote it counted them.
   */
  attach(replaced = false, counted?: KeyCounts): Promise<void> {
    return new Promise((resolve, reject) => {
      this.envWaiter = (error) => (error ? reject(new Error(error)) : resolve());
      this.control({ t: 'attach', replaced, counted });
    });
  }

  private reserve(n: number): void {
    if (this.pos === 0) this.pos = 8; // [u32 frame len][u32 count]
    if (this.pos + n > this.buf.length) this.buf = grow(this.buf, this.pos, n);
  }

  /** The frame's replication mark as its last record (see nextMark). */
  private writeMark(): void {
    const m = this.frameMark;
    if (m === null || this.markRecord === null) return;
    this.frameMark = null;
    const r = this.markRecord(m);
    const size = recordSize(r.args);
    this.reserve(size);
    this.pos = writeRecord(this.buf, this.pos, OP_CMD, m.db, 2, TRACK_NONE, r.cmd, r.args);
    this.count++;
    this.inflight.push(IGNORE_REPLY);
  }

  private closeFrame(): void {
    if (this.count === 0) return;
    this.writeMark();
    this.buf.writeUInt32LE(this.pos - 4, 0);
    this.buf.writeUInt32LE(this.count, 4);
    this.outq.push(Buffer.from(this.buf.subarray(0, this.pos)));
    this.pos = 0;
    this.count = 0;
    if (this.buf.length > 1 << 20) this.buf = Buffer.allocUnsafe(64 * 1024);
  }

  /** End of the event-loop turn: the batch goes to the shard. */
  flush(): void {
    if (this.count > 0) {
      this.writeMark();
      if (this.outq.length === 0) {
        // Fast path: write the frame straight from the builder.
        this.buf.writeUInt32LE(this.pos - 4, 0);
        this.buf.writeUInt32LE(this.count, 4);
        const n = this.req.write(this.buf, 0, this.pos);
        if (n < this.pos) {
          this.outq.push(Buffer.from(this.buf.subarray(n, this.pos)));
        }
        this.pos = 0;
        this.count = 0;
        if (this.buf.length > 1 << 20) this.buf = Buffer.allocUnsafe(64 * 1024);
      } else this.closeFrame();
    }
    this.pump();
  }

  /** Moves queued frame bytes into the ring as space allows. */
  private pump(): void {
    while (this.outq.length > 0) {
      const head = this.outq[0];
      // Read the counter before writing: if the shard drains the ring between our write and the
      // wait, the wait must see the change (otherwise both sides sleep: a lost wake-up).
      const seen = this.req.readCounter();
      const n = this.req.write(head, this.outOff, head.length - this.outOff);
      this.outOff += n;
      if (this.outOff === head.length) {
        this.outq.shift();
        this.outOff = 0;
        continue;
      }
      if (!this.waitingWritable) {
        this.waitingWritable = true;
        const p = this.req.waitWritable(seen);
        const again = (): void => {
          this.waitingWritable = false;
          this.pump();
        };
        if (p) void p.then(again);
        else setImmediate(again);
      }
      return;
    }
  }

  private async replyLoop(): Promise<void> {
    const frames = this.replyFrames;
    while (!this.closed) {
      const seen = this.rep.writeCounter();
      frames.length = 0;
      this.reader.drain(frames);
      if (frames.length === 0) {
        const p = this.rep.waitReadable(seen);
        if (p) await p;
        continue;
      }
      for (const f of frames) this.deliver(f);
      this.onReplies?.();
    }
  }

  /** A reply frame, possibly with timing and keyspace events records after some of its replies (see protocol.ts). */
  private deliver(frame: Buffer): void {
    let count = frame.readUInt32LE(0);
    const timed = count >= TIMED_FRAME;
    if (timed) count -= TIMED_FRAME;
    const events = (count & EVENTS_FRAME) !== 0;
    let p = 4;
    if (events) {
      count -= EVENTS_FRAME;
      // background work's events (expiry): a frame of their own, nobody's
      if (count === 0) {
        this.deliverEvents(null, frame, p);
        this.onBackgroundEvents?.();
        return;
      }
    }
    for (let i = 0; i < count; i++) {
      const len = frame.readUInt32LE(p);
      const target = this.inflight.shift();
      if (!target) {
        log.error({ shard: this.index }, 'reply without a request');
        return;
      }
      const reply = frame.subarray(p + 4, p + 4 + len);
      p += 4 + len;
      if (timed && p < frame.length && frame.readUInt32LE(p) === TIMED) {
        const micros = frame.readDoubleLE(p + 4);
        const n = frame.readUInt32LE(p + 12);
        p += 16;
        let args: Buffer[] | null = null;
        if (n > 0) {
          args = new Array<Buffer>(n);
          for (let a = 0; a < n; a++) {
            const l = frame.readUInt32LE(p);
            args[a] = Buffer.from(frame.subarray(p + 4, p + 4 + l));
            p += 4 + l;
          }
        }
        if (target.onTimed) target.onTimed(micros, args);
        else this.onTimed?.(target, micros, args);
      }
      if (events && p < frame.length && frame.readUInt32LE(p) === KEY_EVENTS) p = this.deliverEvents(target, frame, p);
      target.onReply(reply);
    }
  }

  /** The keyspace events record at `p` (see protocol.ts), for `target` (null: nobody's); returns its end. */
  private deliverEvents(target: ReplyTarget | null, frame: Buffer, p: number): number {
    const len = frame.readUInt32LE(p + 4);
    const records = frame.subarray(p + 8, p + 8 + len);
    if (target !== null && target.onKeyEvents) target.onKeyEvents(records);
    else this.onKeyEvents?.(target?.conn ?? null, records);
    return p + 8 + len;
  }

  private onMessage(m: FromShard): void {
    switch (m.t) {
      case 'step': {
        const w = this.stepWaiters.get(m.id);
        this.stepWaiters.delete(m.id);
        if (!w) return;
        if (m.events) {
          const records = Buffer.from(m.events.buffer, m.events.byteOffset, m.events.length);
          if (w.onKeyEvents) w.onKeyEvents(records);
          else this.onKeyEvents?.(w.origin, records);
        }
        w.resolve(Buffer.from(m.reply.buffer, m.reply.byteOffset, m.reply.length));
        return;
      }
      case 'unlocked': {
        const w = this.unlockWaiters.get(m.txid);
        this.unlockWaiters.delete(m.txid);
        w?.();
        return;
      }
      case 'latency':
        this.onLatency?.(m.event, m.ms);
        return;
      case 'detached':
      case 'attached': {
        const w = this.envWaiter;
        this.envWaiter = null;
        w?.(m.t === 'attached' ? m.error : undefined);
        return;
      }
      case 'fatal':
        log.fatal({ shard: this.index, message: m.message }, 'shard failed');
        this.onFatal?.(m.message);
        return;
      default:
        return;
    }
  }

  /** Asks the shard to sync and close its environment; resolves when the thread has exited. */
  async close(): Promise<void> {
    if (this.exited) return;
    this.flush();
    const exited = new Promise<void>((r) => this.worker.once('exit', () => r()));
    this.control({ t: 'close' });
    // The shard syncs and closes its environment, then exits; a thread that does not exit in time
    // is stopped (its committed data is safe: LMDB never depends on a clean close).
    const timer = setTimeout(() => {
      log.warn({ shard: this.index }, 'shard did not exit after close, terminating it');
      void this.worker.terminate();
    }, CLOSE_TIMEOUT_MS);
    await exited;
    clearTimeout(timer);
    this.closed = true;
  }
}
