// A slow-command pool thread (the piscina task of workers/slow.ts): runs read-only shard handlers
// against read-only views of the shards' LMDB environments, so a long read never occupies the
// shard that owns the data. Each task takes a fresh snapshot of the shards it reads
// (resetReadTxn) and runs to the end synchronously, so everything it reads comes from that one
// snapshot. A command whose keys span shards runs its own coordinated handler here, over a
// ShardAccess whose "transaction" executes the internal steps against those snapshots.

import { move } from 'piscina';
import { ALL } from '../commands/registry.js';
import { ShardStore } from '../store/shard-store.js';
import { ShardShared } from '../store/shared-state.js';
import { ShardStats } from '../shard/stats.js';
import { RespWriter } from '../resp/writer.js';
import { errText } from '../errors.js';
import type { CommandDef, CoordContext, ShardAccess, ShardExec, Tx } from '../commands/types.js';
import type { SlowCoordinated, SlowInit, SlowResult, SlowTask } from './pool.js';
import { shardOf } from '../slot.js';
import { OP_CMD, recordSize, writeRecord } from '../shard/protocol.js';
import { encodingLimits } from '../store/encoding-limits.js';

/** A key read right after resetReadTxn pins the new snapshot (any key of the `info` sub-db). */
const PIN_KEY = Buffer.from('format');

const buf = (a: Uint8Array): Buffer => Buffer.from(a.buffer, a.byteOffset, a.byteLength);

export class SlowRuntime {
  private readonly views: ShardStore[] = [];
  /** Per shard, the environment generation its view was opened in (ShardShared.generation). */
  private readonly generations: number[] = [];
  private readonly shared: ShardShared[] = [];
  private readonly seq: BigInt64Array;
  private readonly stats: ShardStats;
  private readonly w = new RespWriter(64 * 1024);
  private readonly x: ShardExec;

  constructor(private readonly init: SlowInit) {
    this.seq = new BigInt64Array(init.seqSab);
    this.stats = new ShardStats(init.databases, init.statsSab);
    this.x = {
      store: null as unknown as ShardStore,
      db: 0,
      out: this.w,
      now: 0,
      binlog() {
        throw new Error('a slow-pool command cannot write');
      },
    };
  }

  /**
   * The view of a shard, before its snapshot is pinned: when COMPACT replaced the shard's files
   * since the view was opened, the old environment goes and the new one is opened.
   */
  private freshView(shard: number): ShardStore {
    const gen = this.sharedOf(shard).generation();
    const v = this.views[shard];
    if (v && this.generations[shard] !== gen) {
      void v.close();
      this.views[shard] = undefined as unknown as ShardStore;
    }
    this.generations[shard] = gen;
    return this.view(shard);
  }

  private sharedOf(shard: number): ShardShared {
    return (this.shared[shard] ??= new ShardShared(this.init.sharedSabs[shard]));
  }

  private view(shard: number): ShardStore {
    let v = this.views[shard];
    const shared = this.sharedOf(shard);
    if (!v) {
      v = new ShardStore({
        index: shard,
        dir: this.init.dir,
        databases: this.init.databases,
        seq: this.seq,
        stats: this.stats,
        binlogRing: null,
        binlogMaxBytes: 0,
        shared,
        view: true,
      });
      this.views[shard] = v;
    }
    return v;
  }

  /**
   * Runs one task: shard handler calls (`parts`) or one cross-shard command (`coordinated`). With
   * `port`, the snapshots of every shard involved are taken first and 'snapshot' is posted on it
   * (the caller holds those shards meanwhile, so the snapshots form one consistent cut).
   * Everything after runs without yielding to the event loop (lmdb-js renews snapshots on a
   * timer), so it all reads that cut.
   */
  async run(task: SlowTask): Promise<SlowResult> {
    Object.assign(encodingLimits, task.limits);
    if (task.crash === 'throw') throw new Error('slow-pool test crash');
    if (task.crash === 'oom') {
      const hog: unknown[] = [];
      for (;;) hog.push(new Array(1 << 20).fill(hog.length));
    }
    const shards = task.coordinated ? task.coordinated.shards : [...new Set(task.parts.map((p) => p.shard))];
    // resetReadTxn only drops the old snapshot; the next read starts the new one: read now, so
    // the snapshot is taken before 'snapshot' is reported
    for (const s of shards) {
      const v = this.freshView(s);
      v.env.resetReadTxn();
      v.info.getBinary(PIN_KEY);
    }
    if (task.port) {
      task.port.postMessage('snapshot');
      task.port.close();
    }
    const t0 = performance.now();
    const captured: Buffer[] = [];
    let replies: Buffer[] = task.coordinated
      ? [await this.runCoordinated(task.coordinated, task.now, captured), ...captured]
      : task.parts.map((p) => this.runPart(p.shard, ALL[p.cmd], p.db, p.proto, p.args.map(buf), task.now));
    if (task.concat) replies = [concatArrays(replies)];
    // a huge reply (KEYS *) grew the writer: don't keep its buffer for the thread's lifetime
    if (this.w.buf.length > 4 << 20) this.w.buf = Buffer.allocUnsafe(64 * 1024);
    return packResult(replies, (performance.now() - t0) * 1000);
  }

  /** Runs one shard handler on the snapshot of `shard`; its reply (a private copy). */
  private runPart(shard: number, def: CommandDef, db: number, proto: 2 | 3, args: Buffer[], now: number): Buffer {
    const w = this.w;
    const x = this.x;
    w.reset();
    w.proto = proto;
    x.store = this.view(shard);
    x.db = db;
    x.now = now;
    x.store.countHits = true;
    try {
      def.shard!(x, args);
    } catch (e) {
      w.reset();
      w.error(errText(e));
    }
    return Buffer.from(w.buf.subarray(0, w.pos));
  }

  /**
   * A command whose keys span shards, run by its own coordinated handler against this thread's
   * snapshots: the "transaction" executes its internal steps here, synchronously. A *STORE's
   * write (`capture`) is kept for the main thread, which applies it if the inputs did not change.
   */
  private async runCoordinated(c: SlowCoordinated, now: number, captured: Buffer[]): Promise<Buffer> {
    const def = ALL[c.cmd];
    const out = new RespWriter(4096);
    out.proto = c.proto;
    const tx: Tx = {
      exec: (shard, d, db, args, proto = 2) => {
        if (!d.flags.includes('write')) return Promise.resolve(this.runPart(shard, d, db, proto as 2 | 3, args, now));
        if (!c.capture || !d.capturedReply) return Promise.reject(new Error(`${d.name} cannot run on the slow pool`));
        captured.push(encodeWrite(shard, db, d.index!, args));
        return Promise.resolve(Buffer.from(`:${d.capturedReply(args)}\r\n`));
      },
      execParts: (parts) => Promise.all(parts.map((p) => tx.exec(p.shard, p.def, p.db, p.args))),
    };
    const nshards = this.init.nshards;
    const shards: ShardAccess = {
      count: nshards,
      of: (k) => shardOf(k, nshards),
      // the snapshots are the cut: nothing to hold
      locked: (_held, fn) => fn(tx),
    };
    const ctx: CoordContext = { shards, db: c.db, proto: c.proto, databases: this.init.databases, def, out };
    try {
      await def.coordinated!(ctx, c.args.map(buf));
    } catch (e) {
      out.reset();
      out.error(errText(e));
    }
    return out.take();
  }
}

/** [u8 shard] then the write as a request record (lib/shard/protocol.ts); pool.ts decodeWrite reads it. */
function encodeWrite(shard: number, db: number, cmd: number, args: Buffer[]): Buffer {
  const b = Buffer.allocUnsafe(1 + recordSize(args));
  b[0] = shard;
  writeRecord(b, 1, OP_CMD, db, 2, 0, cmd, args);
  return b;
}

/**
 * One RESP array of the elements of several array replies (an error reply among them is the
 * answer instead).
 */
function concatArrays(replies: Buffer[]): Buffer {
  let n = 0;
  const bodies: Buffer[] = [];
  for (const r of replies) {
    if (r[0] !== 42 /* * */) return r;
    const eol = r.indexOf(13);
    n += Number(r.toString('latin1', 1, eol));
    bodies.push(r.subarray(eol + 2));
  }
  return Buffer.concat([Buffer.from(`*${n}\r\n`), ...bodies]);
}

/** One compact buffer (see SlowResult), moved to the main thread without another copy. */
function packResult(replies: Buffer[], micros: number): SlowResult {
  const head = 12 + 4 * replies.length;
  let size = head;
  for (const r of replies) size += r.length;
  const out = new Uint8Array(size);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, replies.length, true);
  dv.setFloat64(4, micros, true);
  let off = head;
  replies.forEach((r, i) => {
    dv.setUint32(12 + 4 * i, r.length, true);
    out.set(r, off);
    off += r.length;
  });
  return move(out) as unknown as SlowResult;
}
