// Slow-command pool thread (piscina task module): runs read-only shard handlers against read-only
// views of the shards' LMDB environments, so a long read never occupies the shard that owns the
// data. Each task takes a fresh snapshot of the shards it reads (resetReadTxn) and runs to the end
// synchronously, so everything it reads comes from that one snapshot.
import { workerData } from 'node:worker_threads';
import { move } from 'piscina';
import { installCommands } from '../lib/commands/index.js';
import { ALL } from '../lib/commands/registry.js';
import { ShardStore } from '../lib/store/shard-store.js';
import { ShardShared } from '../lib/store/shared-state.js';
import { ShardStats } from '../lib/shard/stats.js';
import { RespWriter } from '../lib/resp/writer.js';
import { RedisError } from '../lib/errors.js';
import type { ShardExec } from '../lib/commands/types.js';
import type { SlowCoordinated, SlowInit, SlowResult, SlowTask } from '../lib/slow-pool.js';
import type { Tx } from '../lib/coordinator.js';
import type { MainContext } from '../lib/main-context.js';
import { shardOf } from '../lib/slot.js';
import { OP_CMD, recordSize, writeRecord } from '../lib/shard/protocol.js';


installCommands();
const init = workerData as SlowInit;
const views: ShardStore[] = [];
const seq = new BigInt64Array(init.seqSab);
const stats = new ShardStats(init.databases, init.statsSab);

function view(shard: number): ShardStore {
  let v = views[shard];
  if (!v) {
    v = new ShardStore({
      index: shard,
      dir: init.dir,
      databases: init.databases,
      seq,
      stats,
      binlogRing: null,
      binlogMaxBytes: 0,
      shared: new ShardShared(init.sharedSabs[shard]),
      view: true,
    });
    views[shard] = v;
  }
  return v;
}

const PIN_KEY = Buffer.from('format');
const w = new RespWriter(64 * 1024);
const x: ShardExec = {
  store: null as unknown as ShardStore,
  db: 0,
  out: w,
  now: 0,
  binlog() {
    throw new Error('a slow-pool command cannot write');
  },
};

/** Runs one shard handler on the snapshot of `shard`; its reply (a private copy). */
function runPart(shard: number, cmd: number, db: number, proto: 2 | 3, args: Buffer[], now: number): Buffer {
  const def = ALL[cmd];
  w.reset();
  w.proto = proto;
  x.store = view(shard);
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

function errText(e: unknown): string {
  if (e instanceof RedisError) return e.message;
  const m = e instanceof Error ? e.message : String(e);
  return /^[A-Z]+ /.test(m) ? m : 'ERR ' + m;
}

/**
 * A command whose keys span shards, run by its own coordinated handler against this thread's
 * snapshots: the handler's "transaction" executes its internal steps here, synchronously.
 */
async function runCoordinated(c: SlowCoordinated, now: number, captured: Buffer[]): Promise<Buffer> {
  const def = ALL[c.cmd];
  const out = new RespWriter(4096);
  out.proto = c.proto;
  const tx: Tx = {
    exec: (shard, d, db, args, proto = 2) => {
      if (!d.flags.includes('write')) return Promise.resolve(runPart(shard, d.index!, db, proto as 2 | 3, args, now));
      // A *STORE's write: kept for the main thread, which applies it if the inputs did not change.
      const count = CAPTURED_COUNT[d.name]?.(args);
      if (!c.capture || count === undefined) return Promise.reject(new Error(`${d.name} cannot run on the slow pool`));
      captured.push(encodeWrite(shard, db, d.index!, args));
      return Promise.resolve(Buffer.from(`:${count}\r\n`));
    },
  };
  const server = {
    nshards: init.nshards,
    shards: Array.from({ length: init.nshards }, (_, index) => ({ index })),
    shardOf: (k: Buffer) => shardOf(k, init.nshards),
    coord: { locked: <T>(_shards: number[], fn: (t: Tx) => Promise<T>): Promise<T> => fn(tx) },
  };
  const ctx = { server, conn: { db: c.db, proto: c.proto }, def, out, closeAfter: false } as unknown as MainContext;
  try {
    await (c.main ? def.main! : def.coordinated!)(ctx, c.args.map(buf));
  } catch (e) {
    out.reset();
    out.error(errText(e));
  }
  return out.take();
}

/** The writes a captured *STORE may make, and the count each replies. */
const CAPTURED_COUNT: Record<string, (args: Buffer[]) => number> = {
  'set-store': (args) => args.length - 2,
  'zset-store': (args) => (args.length - 3) / 2,
  // SORT ... STORE: DEL dst, then RPUSH dst in chunks (their replies are only checked for errors)
  del: () => 1,
  rpush: (args) => args.length - 2,
};

/** [u8 shard] then the write as a request record (lib/shard/protocol.ts); decodeWrite reads it. */
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

const buf = (a: Uint8Array): Buffer => Buffer.from(a.buffer, a.byteOffset, a.byteLength);

/**
 * Runs one task: shard handler calls (`parts`) or one cross-shard command (`coordinated`). With
 * `port`, the snapshots of every shard involved are taken first and 'snapshot' is posted on it (the
 * caller holds those shards meanwhile, so the snapshots form one consistent cut). Everything after
 * runs without yielding to the event loop (lmdb-js renews snapshots on a timer), so it all reads
 * that cut.
 */
export default async function run(task: SlowTask): Promise<SlowResult> {
  if (task.crash === 'throw') throw new Error('slow-pool test crash');
  if (task.crash === 'oom') {
    const hog: unknown[] = [];
    for (;;) hog.push(new Array(1 << 20).fill(hog.length));
  }
  const shards = task.coordinated ? task.coordinated.shards : [...new Set(task.parts.map((p) => p.shard))];
  // resetReadTxn only drops the old snapshot; the next read starts the new one: read now, so
  // the snapshot is taken before 'snapshot' is reported
  for (const s of shards) {
    const v = view(s);
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
    ? [await runCoordinated(task.coordinated, task.now, captured), ...captured]
    : task.parts.map((p) => runPart(p.shard, p.cmd, p.db, p.proto, p.args.map(buf), task.now));
  if (task.concat) replies = [concatArrays(replies)];
  // a huge reply (KEYS *) grew the writer: don't keep its buffer for the thread's lifetime
  if (w.buf.length > 4 << 20) w.buf = Buffer.allocUnsafe(64 * 1024);
  // One compact buffer (see SlowResult), moved to the main thread without another copy.
  const head = 12 + 4 * replies.length;
  let size = head;
  for (const r of replies) size += r.length;
  const out = new Uint8Array(size);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, replies.length, true);
  dv.setFloat64(4, (performance.now() - t0) * 1000, true);
  let off = head;
  replies.forEach((r, i) => {
    dv.setUint32(12 + 4 * i, r.length, true);
    out.set(r, off);
    off += r.length;
  });
  return move(out) as unknown as SlowResult;
}
