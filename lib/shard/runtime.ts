// The shard thread: reads request batches from its ring, runs each batch in one LMDB write
// transaction (group commit), and streams the encoded replies back in request order.

import { parentPort } from 'node:worker_threads';
import { Ring, FrameReader } from '../ring.js';
import { ShardStore } from '../store/shard-store.js';
import { sweepExpired } from '../store/sweep.js';
import { RespWriter, type Proto } from '../resp/writer.js';
import { ALL } from '../commands/registry.js';
import type { CommandDef, ShardExec } from '../commands/types.js';
import { BinlogRing } from '../binlog-ring.js';
import { ShardShared } from '../store/shared-state.js';
import { WriteNotes } from './write-notes.js';
import { WatchTable } from '../store/watch.js';
import { effectTouches } from './effect-keys.js';
import { ShardStats, STAT } from './stats.js';
import { EVENTS_FRAME, KEY_EVENTS, OP_LOCK, REC_HEADER, TIMED, TIMED_FRAME, TRACK_COMMAND, recordArgs, type FromShard, type ShardInit, type ToShard } from './protocol.js';
import { deriveEffectEvents } from './key-events.js';
import { DiagShared } from '../latency.js';
import { slowlogArgs } from '../slowlog.js';
import { logger, setLogLevel, flushLogs } from '../log.js';
import { setProtoMaxBulkLen } from '../store/limits.js';
import { encodingLimits } from '../store/encoding-limits.js';
import { RedisError } from '../errors.js';
import { ABANDONED, runSegments, type SegmentHost } from './segments.js';
import { sampleFigures } from './figures.js';
import { DISK_OK, DISK_REFUSED, DiskGuard, batchGrowth, reusableBytes, threadDisk } from '../store/disk-space.js';

const log = logger('shard');


/** A read-only batch sends its replies in frames of about this size. */
const REPLY_FRAME_SOFT_MAX = 1 << 20;
/** The reply buffer is replaced by a small one after a batch made it bigger than this. */
const REPLY_BUF_KEEP = 4 << 20;

/** Orphaned subkeys deleted per transaction by the garbage collector. */
const GC_SLICE = 2000;
/** How long the active expiry may hold the shard per tick. */
const SWEEP_BUDGET_MS = 20;

export class ShardRuntime {
  private readonly req: Ring;
  private readonly rep: Ring;
  private readonly reader: FrameReader;
  private readonly store: ShardStore;
  private readonly stats: ShardStats;
  private readonly w = new RespWriter(64 * 1024);
  private readonly writeNotes = new WriteNotes();
  private readonly x: ShardExec;
  private readonly segmentHost: SegmentHost;
  private fsync: string;
  private dirty = false; // written since the last fsync
  private syncing = false;
  /** Wakes the request loop when the running fsync completes (appendfsync always). */
  private syncWake: (() => void) | null = null;
  /** Reply frames held until the next fsync completes (appendfsync always), in order. */
  private waiting: Array<{ frame: Buffer; needsSync: boolean }> = [];
  private locked = -1;
  private lockWrote = false;
  private unlockWake: (() => void) | null = null;
  private deferred: Buffer[] = [];
  /** Records of the batch being run: their frame and offset (reused arrays). */
  private readonly recFrame: Buffer[] = [];
  private readonly recAt: number[] = [];
  private closing = false;
  private timers: NodeJS.Timeout[] = [];
  private sweepTimer: NodeJS.Timeout | null = null;
  /** Duration thresholds (set by the main thread) and this shard's per-command histograms. */
  private readonly diag: DiagShared;
  /** Per command index: its key lookups count as keyspace hits/misses (Redis counts read lookups only). */
  private readonly readonlyCmd = Uint8Array.from(ALL, (d) => (d.flags.includes('readonly') ? 1 : 0));
  /** Per command index: a client's command (not an internal step): its read misses are keymiss events. */
  private readonly clientCmd = Uint8Array.from(ALL, (d) => (d.internal ? 0 : 1));
  /** Per command index: it writes (a batch holding one runs in a write transaction). */
  private readonly writeCmd = Uint8Array.from(ALL, (d) => (d.flags.includes('write') ? 1 : 0));
  /** Per command index: it may add data (Redis's denyoom): refused first when the disk fills up. */
  private readonly denyoomCmd = Uint8Array.from(ALL, (d) => (d.flags.includes('denyoom') ? 1 : 0));
  /** The free-space guard (lib/store/disk-space.ts) and the level the running batch runs at. */
  private readonly disk: DiskGuard;
  private refusing = DISK_OK;
  /** Key counts before the running write batch (put back when its transaction fails). */
  private readonly countsBefore: Float64Array;
  /** Per command index: it runs in a write transaction of its own (CommandDef.ownTransaction). */
  private readonly ownTxnCmd = Uint8Array.from(ALL, (d) => (d.ownTransaction ? 1 : 0));
  /** The reply frame being built holds timing records (protocol.ts TIMED_FRAME). */
  private timedFrame = false;
  /** The reply frame being built holds keyspace events records (protocol.ts EVENTS_FRAME). */
  private eventsFrame = false;

  constructor(private readonly init: ShardInit) {
    Object.assign(encodingLimits, init.encoding);
    setLogLevel(init.loglevel);
    this.req = new Ring(init.reqSab);
    this.rep = new Ring(init.repSab);
    this.reader = new FrameReader(this.req);
    this.stats = new ShardStats(init.databases, init.statsSab);
    this.fsync = init.appendfsync;
    this.diag = new DiagShared(ALL.length, init.diagSab);
    this.store = new ShardStore({
      index: init.index,
      dir: init.dir,
      databases: init.databases,
      seq: new BigInt64Array(init.seqSab),
      stats: this.stats,
      binlogRing: new BinlogRing(init.binlogSab),
      binlogMaxBytes: init.binlogMaxBytes,
      shared: (this.writeNotes.shared = new ShardShared(init.sharedSab)),
      writemap: init.writemap,
    });
    const store = this.store;
    this.disk = threadDisk.guard = new DiskGuard(`${init.dir}/shard-${init.index}`, init.diskFreeReserve, (state) => {
      this.stats.set(STAT.diskState, state);
      if (state === DISK_OK) log.warn({ shard: init.index }, 'free space returned: writes are accepted again');
      else log.warn({ shard: init.index, free: this.disk.free, text: this.disk.text(this.disk.level) }, 'writes are refused for lack of disk space');
    }, () => reusableBytes(store.env, [store.meta, store.sub, store.zscore, store.long, store.slot, store.expires, store.binlog, store.info, store.garbage]), init.shards);
    this.disk.check(0);
    this.countsBefore = this.stats.saveCounts();
    store.events.deriveEffect = deriveEffectEvents;
    store.watches = new WatchTable(store, effectTouches(init.databases));
    const notes = this.writeNotes;
    this.x = {
      store,
      db: 0,
      out: this.w,
      now: 0,
      binlog(args: Buffer[], event?: number) {
        store.appendBinlog(this.db, args, event);
        notes.note(args);
      },
    };
    this.segmentHost = {
      store,
      stats: this.stats,
      w: this.w,
      ownTxnCmd: this.ownTxnCmd,
      writeCmd: this.writeCmd,
      exec: (frame, at, now) => this.exec(frame, at, now),
      timed: (frame, at, us) => this.timed(frame, at, us),
      keyEvents: () => this.keyEvents(),
      committed: () => {
        this.writeNotes.committed();
        this.stats.inc(STAT.writeTxns);
        this.dirty = true;
      },
      aborted: () => this.writeNotes.reset(),
      diskFailed: (e) => this.diskFailed(e),
      diskRefusal: () => this.disk.text(DISK_REFUSED),
    };
  }

  start(): void {
    parentPort!.on('message', (m: ToShard) => this.onControl(m));
    const lastSeq = this.store.lastSeq();
    this.post({ t: 'ready', lastSeq });
    this.setHz(this.init.hz);
    this.sampleFigures();
    this.timers.push(
      setInterval(() => {
        if (this.fsync === 'everysec' && this.dirty && !this.syncing) this.startSync();
        this.sampleFigures();
        this.disk.check(0);
      }, 1000),
    );
    void this.loop();
  }

  /** (Re)starts the active expiry at `hz` ticks per second (CONFIG SET hz applies at runtime). */
  /** INFO respdb's page counts, binlog size and avg_ttl (lib/shard/figures.ts). */
  private sampleFigures(): void {
    if (this.locked >= 0 || this.closing) return;
    try {
      sampleFigures(this.store, this.stats, this.init.databases, Date.now());
    } catch (err) {
      log.warn({ err }, 'could not sample the shard figures');
    }
  }

  private setHz(hz: number): void {
    const i = this.sweepTimer ? this.timers.indexOf(this.sweepTimer) : -1;
    if (this.sweepTimer) clearInterval(this.sweepTimer);
    this.sweepTimer = setInterval(() => this.sweep(), Math.floor(1000 / Math.max(1, Math.min(500, hz))));
    if (i >= 0) this.timers[i] = this.sweepTimer;
    else this.timers.push(this.sweepTimer);
  }

  private post(m: FromShard): void {
    parentPort!.postMessage(m);
  }

  private async loop(): Promise<void> {
    const frames: Buffer[] = [];
    let spins = 0;
    while (!this.closing) {
      if (this.locked >= 0) {
        await new Promise<void>((r) => (this.unlockWake = r));
        continue;
      }
      if (this.deferred.length > 0) {
        this.runFrames(this.deferred.splice(0));
        continue;
      }
      if (this.syncing && this.fsync === 'always') {
        // Group commit: while an fsync runs, requests gather in the ring and then go into one
        // transaction. Small transactions would each rewrite their B-tree paths and the fsync
        // would write all those pages (measured ~46 KB written per SET at -P 16 without this).
        await new Promise<void>((r) => (this.syncWake = r));
        continue;
      }
      const seen = this.req.writeCounter();
      frames.length = 0;
      this.reader.drain(frames);
      if (frames.length === 0) {
        const p = this.req.waitReadable(seen);
        if (p) await p;
        spins = 0;
        continue;
      }
      this.runFrames(frames);
      // Under sustained load, let timers and control messages run now and then.
      if (++spins >= 64) {
        spins = 0;
        await new Promise((r) => setImmediate(r));
      }
    }
  }

  /**
   * Runs every frame drained in one wake-up as one batch: one write transaction, one reply frame
   * (the more the main thread sent meanwhile, the bigger the group commit). A LOCK record ends the
   * batch: the rest of its frame and the frames after it are copied aside until the unlock.
   */
  private runFrames(frames: Buffer[]): void {
    // First pass: index the records up to the first LOCK, and see whether the batch writes.
    const recFrame = this.recFrame;
    const recs = this.recAt;
    recFrame.length = 0;
    recs.length = 0;
    let hasWrite = false;
    let hasOwn = false;
    let stopFrame = frames.length; // frame holding the LOCK (frames.length when none)
    let stopRec = 0; // index in that frame of the record after the LOCK
    let bytes = 0;
    scan: for (let f = 0; f < frames.length; f++) {
      const frame = frames[f];
      bytes += frame.length;
      const n = frame.readUInt32LE(0);
      let pos = 4;
      for (let i = 0; i < n; i++) {
        recFrame.push(frame);
        recs.push(pos);
        const op = frame[pos];
        if (op === OP_LOCK) {
          stopFrame = f;
          stopRec = i + 1;
          break scan;
        }
        const cmd = frame.readUInt32LE(pos + 4);
        if (!hasWrite && this.writeCmd[cmd] === 1) hasWrite = true;
        if (this.ownTxnCmd[cmd] === 1) hasOwn = true;
        const argc = frame.readUInt32LE(pos + 8);
        pos += REC_HEADER;
        for (let a = 0; a < argc; a++) pos += 4 + frame.readUInt32LE(pos);
      }
    }
    const count = recs.length;
    const events = this.store.events;
    // Collecting events: reads run in a write transaction too, so one that meets an expired key
    // deletes it (its `expired` event) as Redis does. (The switch itself, key-events, comes in the
    // request stream as a write.)
    if (events.active) hasWrite = true;
    let refusing = DISK_OK;
    if (hasWrite) {
      refusing = this.disk.admit(batchGrowth(bytes, count));
      // Every write refused: the batch reads without a transaction, so nothing at all is written
      // (not even the deletion of an expired key a read meets).
      if (refusing === DISK_REFUSED && !hasOwn) hasWrite = false;
    }
    this.refusing = refusing;
    const w = this.w;
    w.reset();
    w.ensure(4);
    w.buf.writeUInt32LE(0, 0);
    w.pos = 4;
    this.timedFrame = false;
    this.eventsFrame = false;
    let done = 0;
    let sent = 0; // replies of this frame already sent (read-only batches stream their replies)
    const now = Date.now();
    const runAll = (from = 0, to = count): void => {
      for (let i = from; i < to; i++) {
        const at = recs[i];
        const frame = recFrame[i];
        const lenAt = w.pos;
        w.ensure(4);
        w.pos += 4;
        if (frame[at] === OP_LOCK) {
          w.buf.writeUInt32LE(0, lenAt);
          done++;
          this.locked = frame.readUInt32LE(at + 4);
          this.lockWrote = false;
          return;
        }
        const us = this.exec(frame, at, now);
        w.buf.writeUInt32LE(w.pos - lenAt - 4, lenAt);
        done++;
        if (frame[at + 3] !== 0) this.timed(frame, at, us);
        if (events.active) this.keyEvents();
        if (!hasWrite && w.pos > REPLY_FRAME_SOFT_MAX && i + 1 < count) {
          // Nothing to commit: send what is ready so a batch of big replies is never held whole.
          w.buf.writeUInt32LE(this.countWord(done - sent), 0);
          this.sendReplies(false);
          sent = done;
          w.reset();
          w.ensure(4);
          w.pos = 4;
        }
      }
    };
    this.stats.inc(STAT.batches);
    if (hasOwn) {
      done = runSegments(this.segmentHost, { count, recs, recFrame, now, runAll, getDone: () => done, setDone: (d) => (done = d) });
    } else if (hasWrite) {
      this.store.writing = true;
      this.stats.saveCountsInto(this.countsBefore);
      let rerun = false;
      try {
        this.store.env.transactionSync(() => {
          runAll();
          this.store.beforeCommit();
        });
        this.store.afterCommit();
        this.writeNotes.committed();
        this.stats.inc(STAT.writeTxns);
        this.dirty = true;
      } catch (e) {
        this.store.afterAbort();
        this.stats.restoreCounts(this.countsBefore);
        this.writeNotes.reset();
        // Nothing of the batch was stored (and it caused no event).
        w.reset();
        w.pos = 4;
        this.timedFrame = false;
        this.eventsFrame = false;
        events.clear();
        if (this.diskFailed(e)) rerun = true;
        else {
          log.error({ err: e }, 'batch transaction failed');
          for (let i = 0; i < done; i++) {
            const lenAt = w.pos;
            w.ensure(4);
            w.pos += 4;
            w.error('ERR internal error: ' + (e as Error).message);
            w.buf.writeUInt32LE(w.pos - lenAt - 4, lenAt);
          }
        }
      } finally {
        this.store.writing = false;
      }
      if (rerun) {
        // No room: the batch runs again without a transaction, its writes refused and its reads
        // answered from what is stored.
        done = 0;
        runAll();
      }
    } else {
      runAll();
    }
    w.buf.writeUInt32LE(this.countWord(done - sent), 0);
    this.sendReplies(hasWrite && this.fsync === 'always');
    if (w.buf.length > REPLY_BUF_KEEP) w.buf = Buffer.allocUnsafe(64 * 1024); // give back a big batch's buffer
    if (this.locked >= 0) {
      // Keep the unprocessed rest of the LOCK's frame and every later frame, ahead of anything
      // deferred earlier (these frames may themselves come from `deferred`: order is kept).
      const keep: Buffer[] = [];
      const frame = frames[stopFrame];
      const n = frame.readUInt32LE(0);
      if (stopRec < n) {
        let restStart = 4;
        for (let i = 0; i < stopRec; i++) {
          const argc = frame.readUInt32LE(restStart + 8);
          restStart += REC_HEADER;
          for (let a = 0; a < argc; a++) restStart += 4 + frame.readUInt32LE(restStart);
        }
        const rest = Buffer.allocUnsafe(4 + frame.length - restStart);
        rest.writeUInt32LE(n - stopRec, 0);
        frame.copy(rest, 4, restStart);
        keep.push(rest);
      }
      for (let i = stopFrame + 1; i < frames.length; i++) keep.push(Buffer.from(frames[i]));
      this.deferred.unshift(...keep);
    }
    recFrame.length = 0;
  }

  /** A reply payload's count, with TIMED_FRAME / EVENTS_FRAME when such records were written (then cleared). */
  private countWord(n: number): number {
    if (this.timedFrame) {
      this.timedFrame = false;
      n += TIMED_FRAME;
    }
    if (this.eventsFrame) {
      this.eventsFrame = false;
      n += EVENTS_FRAME;
    }
    return n;
  }

  /** After a command's reply: its keyspace events record, when it caused any (protocol.ts). */
  private keyEvents(): void {
    const events = this.store.events;
    events.endCommand();
    if (events.count === 0) return;
    const rec = events.records();
    const w = this.w;
    w.ensure(8 + rec.length);
    w.buf.writeUInt32LE(KEY_EVENTS, w.pos);
    w.buf.writeUInt32LE(rec.length, w.pos + 4);
    rec.copy(w.buf, w.pos + 8);
    w.pos += 8 + rec.length;
    events.clear();
    this.eventsFrame = true;
  }

  /**
   * After the reply of a tracked record (TRACK_COMMAND, TRACK_PART): counts its duration in this
   * shard's histogram, or sends it back in a timing record after the reply (protocol.ts).
   */
  private timed(frame: Buffer, at: number, us: number): void {
    const d = this.diag;
    const track = frame[at + 3];
    if (track === TRACK_COMMAND && us < d.carry) {
      if (d.tracking) d.record(frame.readUInt32LE(at + 4), us);
      return;
    }
    const args = track === TRACK_COMMAND && us >= d.slowlogMicros ? slowlogArgs(recordArgs(frame, at)) : null;
    const w = this.w;
    let size = 16;
    if (args) for (const a of args) size += 4 + a.length;
    w.ensure(size);
    const b = w.buf;
    let p = w.pos;
    b.writeUInt32LE(TIMED, p);
    b.writeDoubleLE(us, p + 4);
    b.writeUInt32LE(args ? args.length : 0, p + 12);
    p += 16;
    if (args) {
      for (const a of args) {
        b.writeUInt32LE(a.length, p);
        a.copy(b, p + 4);
        p += 4 + a.length;
      }
    }
    w.pos = p;
    this.timedFrame = true;
  }

  /** Reports a latency event of this shard when it reached latency-monitor-threshold. */
  private latencyEvent(event: string, ms: number): void {
    if (ms * 1000 >= this.diag.latencyMicros) this.post({ t: 'latency', event, ms: Math.floor(ms) });
  }

  /** Executes one command record, writing its reply into this.w; returns its duration (µs). */
  private exec(frame: Buffer, at: number, now: number): number {
    const db = frame[at + 1];
    const proto = frame[at + 2] as Proto;
    return this.run(ALL[frame.readUInt32LE(at + 4)], db, proto, recordArgs(frame, at), now);
  }

  /** `step`: part of a cross-shard command (its lookups are not the client's reads: no keymiss). */
  private run(def: CommandDef, db: number, proto: Proto, args: Buffer[], now: number, step = false): number {
    const w = this.w;
    w.proto = proto;
    const x = this.x;
    x.db = db;
    x.now = now;
    this.store.currentDb = db;
    const start = w.pos;
    this.stats.inc(STAT.commands);
    this.store.countHits = this.readonlyCmd[def.index!] === 1;
    this.store.writeLookup = this.writeCmd[def.index!] === 1;
    // (read only while events are collected)
    if (this.store.events.active) this.store.missEvents = this.clientCmd[def.index!] === 1 && !step;
    if (this.refusing !== DISK_OK && this.writeCmd[def.index!] === 1 && (this.refusing === DISK_REFUSED || this.denyoomCmd[def.index!] === 1)) {
      w.error(this.disk.text(this.refusing));
      return 0;
    }
    const t0 = performance.now();
    try {
      def.shard!(x, args);
    } catch (e) {
      w.pos = start;
      // A RedisError is a reply (WRONGTYPE, syntax...): handlers throw it before changing anything.
      if (e instanceof RedisError) w.error(e.message);
      else {
        log.error({ err: e, cmd: def.name }, 'command failed');
        w.error('ERR ' + ((e as Error).message || String(e)));
      }
    }
    const us = (performance.now() - t0) * 1000;
    this.stats.addUsec(def.index!, us);
    return us;
  }

  /** Frame payload in this.w -> reply ring (now, or after the next fsync). */
  private sendReplies(needsSync: boolean): void {
    const w = this.w;
    if (!needsSync && this.waiting.length === 0) {
      this.writeFrame(w.buf, w.pos);
      return;
    }
    this.waiting.push({ frame: Buffer.from(w.buf.subarray(0, w.pos)), needsSync });
    if (!this.syncing) this.startSync();
  }

  private startSync(): void {
    this.syncing = true;
    this.dirty = false;
    const batch = this.waiting;
    this.waiting = [];
    this.stats.inc(STAT.fsyncs);
    const t0 = performance.now();
    const always = this.fsync === 'always';
    this.store.sync((err?: Error) => {
      const ms = performance.now() - t0;
      this.stats.fsyncDone(ms * 1000);
      if (always) this.latencyEvent('aof-fsync-always', ms);
      this.syncing = false;
      const wake = this.syncWake;
      this.syncWake = null;
      wake?.();
      if (err) log.error({ err }, 'fsync failed');
      for (const f of batch) this.writeFrame(f.frame, f.frame.length);
      if (this.waiting.length > 0) {
        if (this.waiting.some((f) => f.needsSync)) this.startSync();
        else {
          const rest = this.waiting;
          this.waiting = [];
          for (const f of rest) this.writeFrame(f.frame, f.frame.length);
        }
      }
    });
  }

  /** Writes [u32 len][payload] to the reply ring, blocking while the main thread catches up. */
  private writeFrame(payload: Buffer, len: number): void {
    const hdr = Buffer.allocUnsafe(4);
    hdr.writeUInt32LE(len, 0);
    this.writeAll(hdr, 4);
    this.writeAll(payload, len);
  }

  private writeAll(b: Buffer, len: number): void {
    let off = 0;
    while (off < len) {
      const seen = this.rep.readCounter();
      const n = this.rep.write(b, off, len - off);
      off += n;
      if (n === 0) this.rep.blockUntilWritable(seen, 100);
    }
  }

  private onControl(m: ToShard): void {
    switch (m.t) {
      case 'step':
        return this.step(m);
      case 'unlock':
        return this.unlock(m.txid);
      case 'config':
        if (m.name === 'appendfsync') this.fsync = String(m.value);
        else if (m.name === 'binlog-max-size') this.store.binlogMaxBytes = Number(m.value);
        else if (m.name === 'loglevel') setLogLevel(String(m.value));
        else if (m.name === 'hz') this.setHz(Number(m.value));
        else if (m.name === 'disk-free-reserve') this.disk.setReserve(Number(m.value));
        else if (m.name === 'proto-max-bulk-len') setProtoMaxBulkLen(Number(m.value));
        return;
      case 'detach':
        // only while locked: no transaction is open and none starts until the unlock
        if (m.replaced) this.dataReplaced();
        return void this.store.detach().then(() => this.post({ t: 'detached' }));
      case 'attach':
        try {
          this.store.attach(m.replaced, m.counted);
          this.post({ t: 'attached' });
        } catch (e) {
          this.post({ t: 'attached', error: (e as Error).message });
        }
        return;
      case 'close':
        return void this.close();
    }
  }

  /**
   * Before the environment is replaced by another data set (a full sync): every WATCHed key that
   * exists now is dirty, as after a FLUSHALL, and a slow-pool *STORE computed from the old data
   * must not be applied (the epoch moves).
   */
  private dataReplaced(): void {
    this.store.watches?.flushing(-1);
    const sh = this.writeNotes.shared!;
    Atomics.add(sh.control, 1, 1);
    Atomics.add(sh.control, 2, 1);
  }

  /** A step of a cross-shard transaction that holds this shard's lock. */
  private step(m: Extract<ToShard, { t: 'step' }>): void {
    const def = ALL[m.cmd];
    const args = m.args.map((a) => Buffer.from(a.buffer, a.byteOffset, a.length));
    const w = this.w;
    w.reset();
    const now = Date.now();
    const events = this.store.events;
    const writes = isWrite(def) || events.active;
    this.refusing = writes ? this.disk.admit(batchGrowth(m.args.reduce((n, a) => n + a.length, 0), 1)) : DISK_OK;
    if (writes && this.refusing !== DISK_REFUSED) {
      this.store.writing = true;
      const counts = this.stats.saveCounts();
      try {
        this.store.env.transactionSync(() => {
          this.run(def, m.db, m.proto as Proto, args, now, true);
          if (this.store.abortReply !== null) throw ABANDONED;
          events.endCommand();
          this.store.beforeCommit();
        });
        this.store.afterCommit();
        this.writeNotes.committed();
        this.lockWrote = true;
        this.dirty = true;
      } catch (e) {
        this.store.afterAbort();
        this.stats.restoreCounts(counts);
        this.writeNotes.reset();
        events.clear();
        w.reset();
        if (this.store.abortReply !== null) w.raw(this.store.abortReply);
        else if (this.diskFailed(e)) w.error(this.disk.text(DISK_REFUSED));
        else w.error('ERR internal error: ' + (e as Error).message);
      } finally {
        this.store.writing = false;
        this.store.abortReply = null;
      }
    } else {
      this.run(def, m.db, m.proto as Proto, args, now, true);
    }
    const reply = w.take();
    if (events.count === 0) return this.post({ t: 'step', id: m.id, reply });
    const rec = new Uint8Array(events.records());
    events.clear();
    this.post({ t: 'step', id: m.id, reply, events: rec });
  }

  private unlock(txid: number): void {
    if (txid !== this.locked) {
      log.error({ txid, locked: this.locked }, 'unlock for a transaction that does not hold the lock');
      return;
    }
    const finish = (): void => {
      this.locked = -1;
      this.post({ t: 'unlocked', txid });
      const wake = this.unlockWake;
      this.unlockWake = null;
      wake?.();
    };
    if (this.lockWrote && this.fsync === 'always') {
      const t0 = performance.now();
      this.store.sync(() => {
        const ms = performance.now() - t0;
        this.stats.fsyncDone(ms * 1000);
        this.latencyEvent('aof-fsync-always', ms);
        finish();
      });
    } else finish();
  }

  /** Active expiry: bounded work per tick, never while a cross-shard transaction holds the shard. */
  private sweep(): void {
    if (this.locked >= 0 || this.closing) return;
    const t0 = performance.now();
    const start = Date.now();
    // CLIENT PAUSE stops expiry (a key past its time reads as missing and stays stored)
    // a replica expires nothing itself: its master's DELs come in the stream
    const shared = this.writeNotes.shared!;
    while (!shared.expiryPaused() && !shared.replicaMode() && this.store.hasExpired(Date.now())) {
      const n = this.backgroundTxn('expiry sweep', () => sweepExpired(this.store, Date.now(), 200));
      if (!n || Date.now() - start > SWEEP_BUDGET_MS) break;
    }
    // Members of deleted or overwritten collections: removed in slices of GC_SLICE subkeys, one
    // transaction each, within the tick's budget. A big collection thus goes away over many ticks
    // without ever holding the shard for long; LMDB reuses the freed pages.
    while (Date.now() - start <= SWEEP_BUDGET_MS && this.store.hasGarbage()) {
      if (!this.backgroundTxn('garbage collection', () => this.store.collectGarbage(GC_SLICE))) break;
    }
    this.latencyEvent('expire-cycle', performance.now() - t0);
  }

  /** One write transaction of background work; returns what `fn` counted, or null when it failed. */
  private backgroundTxn(what: string, fn: () => number): number | null {
    // (a slice's deletions copy pages too: estimated as that many commands)
    if (this.disk.admit(batchGrowth(0, GC_SLICE)) === DISK_REFUSED) return null;
    let n = 0;
    let counted = false;
    const shared = this.writeNotes.shared!;
    this.store.writing = true;
    try {
      this.store.env.transactionSync(() => {
        n = fn();
        this.store.beforeCommit();
        // before the commit is visible to the main thread's direct reads (shared-state.ts)
        if (this.store.events.count !== 0 && !counted) {
          counted = true;
          shared.backgroundEventsCommitting();
        }
      });
      this.store.afterCommit();
      this.dirty = true;
      if (this.store.events.count !== 0) this.backgroundEvents();
      return n;
    } catch (e) {
      if (counted) shared.backgroundEventsDelivered();
      this.store.afterAbort();
      this.store.events.clear();
      if (!this.diskFailed(e)) log.error({ err: e }, `${what} failed`);
      return null;
    } finally {
      this.store.writing = false;
    }
  }

  /** A write transaction failed: true when for lack of room (every write is then refused for a moment). */
  private diskFailed(e: unknown): boolean {
    if (!this.disk.failed(e)) return false;
    this.refusing = DISK_REFUSED;
    return true;
  }

  /**
   * The keyspace events of committed background work (expired keys), in a frame of their own
   * behind every reply already sent: attributed to nobody.
   */
  private backgroundEvents(): void {
    const w = this.w;
    w.reset();
    w.ensure(4);
    w.buf.writeUInt32LE(EVENTS_FRAME, 0);
    w.pos = 4;
    this.keyEvents();
    this.eventsFrame = false;
    this.sendReplies(false);
  }

  private async close(): Promise<void> {
    this.closing = true;
    for (const t of this.timers) clearInterval(t);
    await new Promise<void>((r) => this.store.sync(() => r()));
    await this.store.close();
    flushLogs();
    this.post({ t: 'closed' });
    parentPort!.close();
  }
}

function isWrite(def: CommandDef): boolean {
  return def.flags.includes('write');
}
