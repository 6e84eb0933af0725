// MEMORY (USAGE, STATS, DOCTOR, MALLOC-STATS, PURGE, HELP) and DEBUG's data subcommands (DIGEST,
// DIGEST-VALUE: lib/store/digest.ts), with their shard steps. DEBUG itself is in server.ts, which
// hands these subcommands here (debugData).
//
// - MEMORY USAGE counts a key's bytes as stored in LMDB (lib/store/memory-usage.ts), so
//   `redis-cli --memkeys` ranks keys by what they cost on disk and in the page cache.
// - MEMORY STATS has Redis 7.0's fields in its order; the allocator figures are the main thread's
//   V8 heap (allocated: used heap + external memory, active: the heap's size + external, resident:
//   the process's RSS). Figures respdb has no counterpart for (the AOF buffer, cluster links, the
//   main dictionary's overhead: keys are in LMDB) are 0.
// - DEBUG DIGEST runs over one consistent cut of every shard on the slow pool (as KEYS), each
//   shard's part the xor of its keys' digests per database.

import v8 from 'node:v8';
import type { CommandDef, ShardExec } from './types.js';
import type { MainContext } from '../main-context.js';
import { cmd, isKw, keySpec } from './define.js';

import { help } from './connection.js';
import { internal } from './registry.js';
import { E } from '../errors.js';
import { parseI64 } from '../resp/number.js';
import { decodeReply, type Decoded } from '../resp/decode.js';
import { shardOf } from '../slot.js';
import { keyMemoryUsage } from '../store/memory-usage.js';
import { DIGEST_BYTES, datasetDigest, shardDigests, valueDigest } from '../store/digest.js';
import { readValue } from '../store/rdb-values.js';

const DIGEST_SHARD = Buffer.from('digest-shard');
const DIGEST_VALUE = Buffer.from('digest-value');

// ---------------------------------------------------------------------------------------------
// MEMORY USAGE key [SAMPLES count]

/** Redis's default SAMPLES. */
const DEFAULT_SAMPLES = 5;

function memoryUsage(x: ShardExec, args: Buffer[]): void {
  let samples = DEFAULT_SAMPLES;
  for (let j = 3; j < args.length; j++) {
    if (isKw(args[j], 'samples') && j + 1 < args.length) {
      const n = parseI64(args[j + 1]);
      if (n === null) return x.out.error(E.notInt);
      if (n < 0n) return x.out.error(E.syntax);
      // 0: every member; more than any collection holds is the same
      samples = n === 0n || n > 1n << 40n ? 0 : Number(n);
      j++;
    } else return x.out.error(E.syntax);
  }
  const m = x.store.get(x.db, args[2], x.now, false);
  if (!m) return x.out.nil();
  x.out.int(keyMemoryUsage(x.store, m, samples));
}

// ---------------------------------------------------------------------------------------------
// MEMORY STATS / DOCTOR / MALLOC-STATS / PURGE

interface MemoryFigures {
  peak: number;
  total: number;
  startup: number;
  clients: number;
  replicas: number;
  luaCaches: number;
  keys: number;
  dbs: Array<{ db: number; keys: number; expires: number }>;
  heapUsed: number;
  active: number;
  rss: number;
}

function figures(ctx: MainContext): MemoryFigures {
  const s = ctx.server;
  const m = process.memoryUsage();
  const total = m.heapUsed + m.external;
  const dbs: MemoryFigures['dbs'] = [];
  let keys = 0;
  for (let db = 0; db < s.databases; db++) {
    let n = 0;
    let e = 0;
    for (const l of s.shards.links) {
      n += l.stats.keys(db);
      e += l.stats.expires(db);
    }
    keys += n;
    if (n > 0) dbs.push({ db, keys: n, expires: e });
  }
  let clients = 0;
  let replicas = 0;
  for (const c of s.clients.values()) {
    const out = c.outBytes + c.socket.writableLength;
    if (c.replica) replicas += out;
    else clients += out;
  }
  return {
    peak: Math.max(s.counters.peakMemory, total),
    total,
    startup: Math.min(startupMemory, total),
    clients,
    replicas,
    luaCaches: 0,
    keys,
    dbs,
    heapUsed: total,
    active: m.heapTotal + m.external,
    rss: m.rss,
  };
}

/** The main thread's memory when this module loaded (with the server): Redis's startup.allocated. */
const startupMemory = (() => {
  const m = process.memoryUsage();
  return m.heapUsed + m.external;
})();

/** Redis computes its ratios as floats. */
const ratio = (a: number, b: number): number => Math.fround(b > 0 ? a / b : 0);

function memoryStats(ctx: MainContext): void {
  const f = figures(ctx);
  const overhead = f.startup + f.replicas + f.clients + f.luaCaches;
  const net = Math.max(1, f.total - f.startup);
  const dataset = Math.max(0, f.total - overhead);
  const out = ctx.out;
  out.map(27 + f.dbs.length);
  const int = (k: string, v: number) => {
    out.bulkStr(k);
    out.int(Math.round(v));
  };
  const dbl = (k: string, v: number) => {
    out.bulkStr(k);
    out.double(v);
  };
  int('peak.allocated', f.peak);
  int('total.allocated', f.total);
  int('startup.allocated', f.startup);
  int('replication.backlog', 0);
  int('clients.slaves', f.replicas);
  int('clients.normal', f.clients);
  int('cluster.links', 0);
  int('aof.buffer', 0);
  int('lua.caches', f.luaCaches);
  int('functions.caches', 0);
  for (const d of f.dbs) {
    out.bulkStr(`db.${d.db}`);
    out.map(3);
    int('overhead.hashtable.main', 0);
    int('overhead.hashtable.expires', 0);
    int('overhead.hashtable.slot-to-keys', 0);
  }
  int('overhead.total', overhead);
  int('keys.count', f.keys);
  int('keys.bytes-per-key', f.keys ? Math.floor(net / f.keys) : 0);
  int('dataset.bytes', dataset);
  dbl('dataset.percentage', ratio(dataset * 100, net));
  dbl('peak.percentage', ratio(f.total * 100, f.peak));
  int('allocator.allocated', f.heapUsed);
  int('allocator.active', f.active);
  int('allocator.resident', f.rss);
  dbl('allocator-fragmentation.ratio', ratio(f.active, f.heapUsed));
  int('allocator-fragmentation.bytes', f.active - f.heapUsed);
  dbl('allocator-rss.ratio', ratio(f.rss, f.active));
  int('allocator-rss.bytes', f.rss - f.active);
  dbl('rss-overhead.ratio', 1);
  int('rss-overhead.bytes', 0);
  dbl('fragmentation', ratio(f.rss, f.total));
  int('fragmentation.bytes', f.rss - f.total);
}

const DOCTOR_EMPTY =
  "Hi Sam, this instance is empty or is using very little memory, my issues detector can't be used in these conditions. Please, leave for your mission on Earth and fill it with some data. The new Sam and I will be back to our programming as soon as I finished rebooting.\n";
const DOCTOR_FINE = "Hi Sam, I can't find any memory issue in your instance. I can only account for what occurs on this base.\n";
const DOCTOR_PEAK =
  'Sam, I detected a few issues in this Redis instance memory implants:\n\n' +
  ' * Peak memory: In the past this instance used more than 150% the memory that is currently using. The allocator is normally not able to release memory after a peak, so you can expect to see a big fragmentation ratio, however this is actually harmless and is only due to the memory peak, and if the Redis instance Resident Set Size (RSS) is currently bigger than expected, the memory will be used as soon as you fill the Redis instance with more data. If the memory peak was only occasional and you want to try to reclaim memory, please try the MEMORY PURGE command, otherwise the only other option is to shutdown and restart the instance.\n\n' +
  "I'm here to keep you safe, Sam. I want to help you.\n";

/**
 * MEMORY DOCTOR: Redis's reports where respdb has the figure: an empty instance (no keys: the
 * main thread's own heap is never as small as Redis's 5 MB threshold), a peak of more than 150%
 * of the memory in use, else no issue.
 */
function memoryDoctor(ctx: MainContext): void {
  const f = figures(ctx);
  ctx.out.verbatim(f.keys === 0 ? DOCTOR_EMPTY : f.peak > f.total * 1.5 ? DOCTOR_PEAK : DOCTOR_FINE);
}

/** MEMORY MALLOC-STATS: the main thread's V8 heap spaces (respdb's allocator). */
function mallocStats(ctx: MainContext): void {
  const lines = ['___ Begin V8 heap statistics ___'];
  for (const [k, v] of Object.entries(v8.getHeapStatistics())) lines.push(`${k}: ${v}`);
  for (const sp of v8.getHeapSpaceStatistics()) {
    lines.push(`${sp.space_name}: size ${sp.space_size} used ${sp.space_used_size} available ${sp.space_available_size} physical ${sp.physical_space_size}`);
  }
  lines.push('___ End V8 heap statistics ___', '');
  ctx.out.verbatim(lines.join('\n'));
}

/** MEMORY PURGE: V8 returns freed pages by itself and LMDB keeps nothing to purge: OK, as Redis on an allocator without purge. */
function memoryPurge(ctx: MainContext): void {
  ctx.out.ok();
}

function memoryHelp(ctx: MainContext): void {
  help(ctx, 'MEMORY', [
    'DOCTOR',
    '    Return memory problems reports.',
    'MALLOC-STATS',
    '    Return internal statistics report from the memory allocator.',
    'PURGE',
    '    Attempt to purge dirty pages for reclamation by the allocator.',
    'STATS',
    '    Return information about the memory usage of the server.',
    'USAGE <key> [SAMPLES <count>]',
    '    Return memory in bytes used by <key> and its value. Nested values are',
    '    sampled up to <count> times (default: 5, 0 means sample all).',
  ]);
}

// ---------------------------------------------------------------------------------------------
// DEBUG DIGEST / DIGEST-VALUE

const hex = (d: Buffer): string => d.toString('hex');

/** digest-shard: [db, xor of its keys' digests, ...] for every logical db with keys on this shard. */
function digestShard(x: ShardExec): void {
  const parts = shardDigests(x.store, x.now);
  x.out.array(parts.size * 2);
  for (const [db, d] of parts) {
    x.out.int(db);
    x.out.bulk(d);
  }
}

/** digest-value key...: each key's value digest (20 bytes), nil for a missing key. */
function digestValueOnShard(x: ShardExec, args: Buffer[]): void {
  x.out.array(args.length - 1);
  for (let i = 1; i < args.length; i++) {
    const m = x.store.get(x.db, args[i], x.now, false);
    x.out.bulk(m ? valueDigest(readValue(x.store, m), m.expireAt !== 0) : null);
  }
}

function digestParts(flat: Decoded[]): Map<number, Buffer> {
  const m = new Map<number, Buffer>();
  for (let i = 0; i + 1 < flat.length; i += 2) {
    const db = Number(flat[i] as bigint);
    const d = flat[i + 1] as Buffer;
    const acc = m.get(db);
    if (!acc) m.set(db, Buffer.from(d));
    else for (let j = 0; j < DIGEST_BYTES; j++) acc[j] ^= d[j];
  }
  return m;
}

async function debugDigest(ctx: MainContext): Promise<void> {
  const def = internal('digest-shard');
  const args = [DIGEST_SHARD];
  let flat: Decoded[];
  if (ctx.calls.gather !== null) flat = decodeReply(await ctx.calls.gather(ctx.conn, def, ctx.conn.db, args)) as Decoded[];
  else flat = (await ctx.calls.broadcast(def, ctx.conn.db, 2, args)).flatMap((r) => decodeReply(r) as Decoded[]);
  ctx.out.simple(hex(datasetDigest([digestParts(flat)])));
}

async function debugDigestValue(ctx: MainContext, keys: Buffer[]): Promise<void> {
  const n = ctx.server.shards.count;
  const byShard = new Map<number, number[]>();
  keys.forEach((k, i) => {
    const s = shardOf(k, n);
    const l = byShard.get(s);
    if (l) l.push(i);
    else byShard.set(s, [i]);
  });
  const digests = new Array<string>(keys.length);
  const def = internal('digest-value');
  await Promise.all(
    [...byShard].map(async ([shard, idx]) => {
      const r = decodeReply(await ctx.calls.call(shard, def, ctx.conn.db, 2, [DIGEST_VALUE, ...idx.map((i) => keys[i])]));
      if (r instanceof Error) throw r;
      (r as Array<Buffer | null>).forEach((d, j) => (digests[idx[j]] = d ? hex(d) : '0'.repeat(DIGEST_BYTES * 2)));
    }),
  );
  ctx.out.array(digests.length);
  for (const d of digests) ctx.out.simple(d);
}

/** DEBUG HELP's lines for the subcommands handled here. */
export const DEBUG_DATA_HELP = [
  'DIGEST',
  '    Output a hex signature representing the current DB content.',
  'DIGEST-VALUE <key> [<key> ...]',
  '    Output a hex signature of the values of all the specified keys.',
];

/** DEBUG's data subcommands; false when `args` is none of them (DEBUG goes on). */
export async function debugData(ctx: MainContext, args: Buffer[]): Promise<boolean> {
  const sub = args[1];
  if (isKw(sub, 'digest') && args.length === 2) await debugDigest(ctx);
  else if (isKw(sub, 'digest-value') && args.length >= 2) await debugDigestValue(ctx, args.slice(2));
  else return false;
  return true;
}

// ---------------------------------------------------------------------------------------------

const G = { group: 'server' as const };
const SPECIAL = ['nondeterministic_output', 'request_policy:all_shards', 'response_policy:special'];
const STEP = { acl: ['keyspace'], internal: true, since: '0.1.0', group: 'internal' };

export const memoryCommands: CommandDef[] = [
  cmd({
    name: 'memory', arity: -2, flags: [],
    summary: 'A container for memory diagnostics commands', since: '4.0.0', ...G, complexity: 'Depends on subcommand.',
    sub: [
      cmd({
        name: 'memory|doctor', arity: 2, flags: [], main: memoryDoctor, tips: SPECIAL,
        summary: 'Outputs memory problems report', since: '4.0.0', ...G, complexity: 'O(1)',
      }),
      cmd({
        name: 'memory|help', arity: 2, flags: ['loading', 'stale'], main: memoryHelp,
        summary: 'Show helpful text about the different subcommands', since: '4.0.0', ...G, complexity: 'O(1)',
      }),
      cmd({
        name: 'memory|malloc-stats', arity: 2, flags: [], main: mallocStats, tips: SPECIAL,
        summary: 'Show allocator internal stats', since: '4.0.0', ...G, complexity: 'Depends on how much memory is allocated, could be slow',
      }),
      cmd({
        name: 'memory|purge', arity: 2, flags: [], main: memoryPurge, tips: ['request_policy:all_shards', 'response_policy:all_succeeded'],
        summary: 'Ask the allocator to release memory', since: '4.0.0', ...G, complexity: 'Depends on how much memory is allocated, could be slow',
      }),
      cmd({
        name: 'memory|stats', arity: 2, flags: [], main: memoryStats, tips: SPECIAL,
        summary: 'Show memory usage details', since: '4.0.0', ...G, complexity: 'O(1)',
      }),
      cmd({
        name: 'memory|usage', arity: -3, flags: ['readonly'], shard: memoryUsage, keySpecs: [keySpec(['RO'], 2)],
        summary: 'Estimate the memory usage of a key', since: '4.0.0', ...G, complexity: 'O(N) where N is the number of samples.',
      }),
    ],
  }),
  cmd({ name: 'digest-shard', arity: 1, flags: ['readonly'], shard: digestShard, summary: 'Per-db xor of the digests of the keys of one shard.', ...STEP }),
  cmd({ name: 'digest-value', arity: -1, flags: ['readonly'], shard: digestValueOnShard, summary: 'Value digests of keys of one shard.', ...STEP }),
];
