// Keyspace commands over whole databases: DBSIZE KEYS SCAN RANDOMKEY FLUSHDB FLUSHALL SWAPDB.
//
// They run on the main thread and send an internal step (declared here, listed in
// internalCommands by internal.ts) to every shard in one step, or to one shard at a time (SCAN);
// a step runs in the logical db it is sent with and does its data work in
// lib/store/keyspace-db.ts. KEYS, and SCAN steps with a big COUNT, read on the slow pool. The
// single-key commands are keyspace.ts, which lists these entries in keyspaceCommands.

import type { CommandDef, ShardExec, WakeTarget } from './types.js';
import type { MainContext, ShardCalls } from '../main-context.js';
import type { Server } from '../server.js';
import { cmd, isKw, kw } from './define.js';
import { EV } from '../store/key-events.js';
import { E } from '../errors.js';
import { TYPE_NAMES } from '../store/meta.js';
import { parseCursor, parseI64, parseIntArg } from '../resp/number.js';
import { decodeReply, type Decoded } from '../resp/decode.js';
import { internal } from './registry.js';
import { MAX_SCAN_STEP } from './collection-scan.js';
import { CursorTable } from '../store/cursor-table.js';
import { SCAN_ANY_TYPE, SCAN_NO_TYPE, flushAll, flushDb, keyCount, matchingKeys, randomKeyOf, scanStep, swapDbs } from '../store/keyspace-db.js';

const EMPTY = Buffer.alloc(0);

const I32_MAX = 2147483647n;
const I32_MIN = -2147483648n;

// ---------------------------------------------------------------------------------------------
// DBSIZE KEYS RANDOMKEY FLUSHDB FLUSHALL SWAPDB

/** Decodes per-shard replies; a shard error becomes the command's error. */
function decodeAll(replies: Buffer[]): Decoded[] {
  return replies.map((r) => {
    const d = decodeReply(r);
    if (d instanceof Error) throw d;
    return d;
  });
}

const A_DBSIZE = [Buffer.from('dbsize')];
const A_RANDOMKEY = [Buffer.from('randomkey')];
const A_FLUSHDB = [Buffer.from('flushdb')];
const A_FLUSHALL = [Buffer.from('flushall')];
const KEYS = Buffer.from('keys');
const SCAN = Buffer.from('scan');
const SWAPDB = Buffer.from('swapdb');

function dbsize(ctx: MainContext): Promise<void> {
  return ctx.calls.broadcast(internal('dbsize'), ctx.conn.db, 2, A_DBSIZE).then((rs) => {
    let n = 0n;
    for (const d of decodeAll(rs)) n += d as bigint;
    ctx.out.int(n);
  });
}

function keys(ctx: MainContext, args: Buffer[]): Promise<void> {
  // every shard's keys from one consistent cut, computed and assembled on the slow pool
  if (ctx.calls.gather !== null) return ctx.calls.gather(ctx.conn, internal('keys'), ctx.conn.db, [KEYS, args[1]]).then((r) => ctx.out.raw(r));
  return ctx.calls.broadcast(internal('keys'), ctx.conn.db, 2, [KEYS, args[1]]).then((rs) => {
    const parts = decodeAll(rs) as Buffer[][];
    let n = 0;
    for (const p of parts) n += p.length;
    ctx.out.array(n);
    for (const p of parts) for (const k of p) ctx.out.bulk(k);
  });
}

function randomkey(ctx: MainContext): Promise<void> {
  return ctx.calls.broadcast(internal('randomkey'), ctx.conn.db, 2, A_RANDOMKEY).then((rs) => {
    // Pick a shard with a live key, weighted by its key count, then that shard's random key.
    const cands = (decodeAll(rs) as [bigint, Buffer | null][]).filter((c) => c[1] !== null);
    let total = 0;
    for (const c of cands) total += Math.max(1, Number(c[0]));
    let r = Math.random() * total;
    for (const c of cands) {
      r -= Math.max(1, Number(c[0]));
      if (r < 0) return ctx.out.bulk(c[1]);
    }
    ctx.out.bulk(cands.length ? cands[cands.length - 1][1] : null);
  });
}

/** FLUSHDB / FLUSHALL [ASYNC|SYNC]: both flush before replying (the flush is one write per shard). */
function flushGeneric(which: 'flushdb' | 'flushall') {
  return (ctx: MainContext, args: Buffer[]): Promise<void> | void => {
    if (args.length > 2 || (args.length === 2 && !isKw(args[1], 'sync') && !isKw(args[1], 'async'))) {
      return ctx.out.error(E.syntax);
    }
    return ctx.calls.broadcast(internal(which), ctx.conn.db, 2, which === 'flushdb' ? A_FLUSHDB : A_FLUSHALL, ctx.conn).then((rs) => {
      decodeAll(rs);
      ctx.out.ok();
    });
  };
}

function swapdb(ctx: MainContext, args: Buffer[]): Promise<void> | void {
  const a = parseI64(args[1]);
  if (a === null || a < I32_MIN || a > I32_MAX) return ctx.out.error(E.invalidFirstDb);
  const b = parseI64(args[2]);
  if (b === null || b < I32_MIN || b > I32_MAX) return ctx.out.error(E.invalidSecondDb);
  const n = BigInt(ctx.server.databases);
  if (a < 0n || a >= n || b < 0n || b >= n) return ctx.out.error(E.dbIndex);
  const sargs = [SWAPDB, Buffer.from(String(a)), Buffer.from(String(b))];
  return ctx.calls.broadcast(internal('swapdb'), ctx.conn.db, 2, sargs).then((rs) => {
    decodeAll(rs);
    ctx.out.ok();
  });
}

// ---------------------------------------------------------------------------------------------
// SCAN
//
// A position in a scan is (db, shard, last meta key returned): meta keys are ordered, so resuming
// strictly after the last key visits every key present for the whole scan exactly once. A
// position does not fit in a 64-bit cursor, so it stays on the main thread in a bounded table
// and the client gets an opaque id for it. Positions are immutable (every step makes a new id),
// so retrying a step is safe; a cursor evicted from the table (or from another server run, or
// another db) restarts the scan, so keys are still returned at least once.

interface ScanPos {
  db: number;
  shard: number;
  /** Last meta key visited on `shard` (without its db byte), null = start of the shard. */
  after: Buffer | null;
}

const cursorTables = new WeakMap<Server, CursorTable<ScanPos>>();

function cursorTable(server: Server): CursorTable<ScanPos> {
  let t = cursorTables.get(server);
  if (!t) cursorTables.set(server, (t = new CursorTable<ScanPos>()));
  return t;
}

function scan(ctx: MainContext, args: Buffer[]): Promise<void> | void {
  const { server, out } = ctx;
  const cursor = parseCursor(args[1]);
  if (cursor === null) return out.error(E.invalidCursor);
  let count = 10n;
  let pattern: Buffer | null = null;
  let typeFilter = SCAN_ANY_TYPE;
  for (let i = 2; i < args.length; i += 2) {
    const hasValue = i + 1 < args.length;
    if (isKw(args[i], 'count') && hasValue) {
      const n = parseI64(args[i + 1]);
      if (n === null) return out.error(E.notInt);
      if (n < 1n) return out.error(E.syntax);
      count = n;
    } else if (isKw(args[i], 'match') && hasValue) {
      pattern = args[i + 1];
    } else if (isKw(args[i], 'type') && hasValue) {
      const t = TYPE_NAMES.indexOf(kw(args[i + 1]));
      typeFilter = t >= 0 ? t : SCAN_NO_TYPE;
    } else return out.error(E.syntax);
  }
  const db = ctx.conn.db;
  const table = cursorTable(server);
  let pos = cursor === 0n ? undefined : table.recall(cursor);
  if (!pos || pos.db !== db || pos.shard >= server.shards.count) pos = { db, shard: 0, after: null };
  return scanSteps(ctx.calls, server.shards.count, db, pos, count > BigInt(MAX_SCAN_STEP) ? MAX_SCAN_STEP : Number(count), typeFilter, pattern).then(
    ({ next, keys }) => {
      out.array(2);
      out.bulkStr(String(next ? table.remember(next) : 0n));
      out.array(keys.length);
      for (const k of keys) out.bulk(k);
    },
  );
}

/** SCAN steps examining at least this many records run on the slow pool. */
const SLOW_SCAN_STEP = 1000;

/**
 * Runs scan steps from `pos` until `budget` records were examined or the db is exhausted. A
 * shard that runs out before the budget hands over to the next one (one more round trip), so an
 * empty or small db completes in one SCAN call as in Redis. The first step is sent synchronously,
 * at the command's place in the order; SCAN guarantees nothing about keys written meanwhile.
 */
async function scanSteps(
  calls: ShardCalls, nshards: number, db: number, pos: ScanPos, budget: number, typeFilter: number, pattern: Buffer | null,
): Promise<{ next: ScanPos | null; keys: Buffer[] }> {
  const keys: Buffer[] = [];
  for (;;) {
    const sargs = [SCAN, pos.after ?? EMPTY, Buffer.from(String(budget)), Buffer.from(String(typeFilter))];
    if (pattern) sargs.push(pattern);
    // a big step reads on the slow pool, leaving the shard to other commands
    const step = budget >= SLOW_SCAN_STEP ? calls.callSlow(pos.shard, internal('scan'), db, 2, sargs) : calls.call(pos.shard, internal('scan'), db, 2, sargs);
    const d = decodeReply(await step);
    if (d instanceof Error) throw d;
    const [after, examined, found] = d as [Buffer | null, bigint, Buffer[]];
    for (const k of found) keys.push(k);
    if (after) return { next: { db, shard: pos.shard, after: Buffer.from(after) }, keys };
    if (pos.shard + 1 >= nshards) return { next: null, keys };
    pos = { db, shard: pos.shard + 1, after: null };
    budget -= Number(examined);
    if (budget <= 0) return { next: pos, keys };
  }
}

// ---------------------------------------------------------------------------------------------
// The shard steps (internal; every one runs in the logical db it is sent with, x.db)

/** dbsize: the number of keys of x.db on this shard. */
function dbsizeOnShard(x: ShardExec): void {
  x.out.int(keyCount(x));
}

/** keys pattern: the live keys of x.db on this shard matching the pattern. */
function keysOnShard(x: ShardExec, args: Buffer[]): void {
  const found = matchingKeys(x, args[1]);
  x.out.array(found.length);
  for (const k of found) x.out.bulk(k);
}

/**
 * scan after count type [pattern]: one step (lib/store/keyspace-db.ts scanStep); `after` empty:
 * from the start; type -1 any, -2 none, else a meta type. Replies [next position | nil when
 * exhausted, records examined, [keys]].
 */
function scanOnShard(x: ShardExec, args: Buffer[]): void {
  const step = scanStep(x, args[1].length ? args[1] : null, parseIntArg(args[2])!, parseIntArg(args[3])!, args.length > 4 ? args[4] : null);
  x.out.array(3);
  x.out.bulk(step.next);
  x.out.int(step.examined);
  x.out.array(step.keys.length);
  for (const k of step.keys) x.out.bulk(k);
}

/** randomkey: [keys of x.db on this shard, a random live key or nil]. */
function randomkeyOnShard(x: ShardExec): void {
  x.out.array(2);
  x.out.int(keyCount(x));
  x.out.bulk(randomKeyOf(x));
}

function flushdbOnShard(x: ShardExec): void {
  flushDb(x);
  x.out.ok();
}

function flushallOnShard(x: ShardExec): void {
  flushAll(x);
  x.out.ok();
}

/** swapdb a b (both validated by the main thread). */
function swapdbOnShard(x: ShardExec, args: Buffer[]): void {
  swapDbs(x, parseIntArg(args[1])!, parseIntArg(args[2])!);
  x.out.ok();
}

// ---------------------------------------------------------------------------------------------
// Wake-ups (which blocked clients a write may serve: lib/blocking.ts)

/** FLUSHDB / FLUSHALL only remove keys: no wait can be served by them. */
const WAKES_NOBODY = (): void => undefined;

/** SWAPDB a b brings each database's keys into the other: every waiter of both may be served. */
function swapdbWakes(args: Buffer[], _db: number, to: WakeTarget): void {
  for (const a of [args[1], args[2]]) {
    const d = parseIntArg(a);
    if (d !== null && d >= 0 && d < to.databases) to.notifyDb(d);
  }
}

// ---------------------------------------------------------------------------------------------
// The table

const G = { group: 'generic' } as const;
const STEP = { acl: ['keyspace'], internal: true, since: '0.1.0', group: 'internal' };
const READ_STEP: CommandDef['flags'] = ['readonly'];
const WRITE_STEP: CommandDef['flags'] = ['write'];

/** The keyless commands' entries (keyspace.ts puts them in keyspaceCommands). */
export const keyspaceDbCommands: CommandDef[] = [
  cmd({
    name: 'dbsize', arity: 1, flags: ['readonly', 'fast'], acl: ['keyspace'], main: dbsize, reachesShards: true,
    tips: ['request_policy:all_shards', 'response_policy:agg_sum'],
    summary: 'Return the number of keys in the selected database', since: '1.0.0', group: 'server', complexity: 'O(1)',
  }),
  cmd({
    name: 'keys', arity: 2, flags: ['readonly'], acl: ['keyspace', 'dangerous'], main: keys, reachesShards: true, slow: true,
    tips: ['request_policy:all_shards', 'nondeterministic_output_order'],
    summary: 'Find all keys matching the given pattern', since: '1.0.0', ...G,
    complexity: 'O(N) with N being the number of keys in the database, under the assumption that the key names in the database and the given pattern have limited length.',
  }),
  cmd({
    name: 'scan', arity: -2, flags: ['readonly'], acl: ['keyspace'], main: scan, reachesShards: true,
    tips: ['nondeterministic_output', 'request_policy:special'],
    summary: 'Incrementally iterate the keys space', since: '2.8.0', ...G,
    complexity: 'O(1) for every call. O(N) for a complete iteration, including enough command calls for the cursor to return back to 0. N is the number of elements inside the collection.',
  }),
  cmd({
    name: 'randomkey', arity: 1, flags: ['readonly'], acl: ['keyspace'], main: randomkey, reachesShards: true,
    tips: ['request_policy:all_shards', 'nondeterministic_output'],
    summary: 'Return a random key from the keyspace', since: '1.0.0', ...G, complexity: 'O(1)',
  }),
  cmd({
    name: 'flushdb', keyEvents: (_a, e) => e.flushed(e.db), wakes: WAKES_NOBODY, touchesAllKeys: true, arity: -1, flags: ['write'], acl: ['keyspace', 'dangerous'], main: flushGeneric('flushdb'), reachesShards: true,
    tips: ['request_policy:all_shards', 'response_policy:all_succeeded'],
    summary: 'Remove all keys from the current database', since: '1.0.0', group: 'server',
    complexity: 'O(N) where N is the number of keys in the selected database',
  }),
  cmd({
    name: 'flushall', keyEvents: (_a, e) => e.flushed(-1), wakes: WAKES_NOBODY, touchesAllKeys: true, arity: -1, flags: ['write'], acl: ['keyspace', 'dangerous'], main: flushGeneric('flushall'), reachesShards: true,
    tips: ['request_policy:all_shards', 'response_policy:all_succeeded'],
    summary: 'Remove all keys from all databases', since: '1.0.0', group: 'server',
    complexity: 'O(N) where N is the total number of keys in all databases',
  }),
  cmd({
    name: 'swapdb', keyEvents: EV.none, wakes: swapdbWakes, touchesAllKeys: true, arity: 3, flags: ['write', 'fast'], acl: ['keyspace', 'dangerous'], main: swapdb, reachesShards: true,
    summary: 'Swaps two Redis databases', since: '4.0.0', group: 'server',
    complexity: 'O(N) where N is the count of clients watching or blocking on keys from both databases.',
  }),
];

/** Their shard steps (internal.ts puts them in internalCommands). */
export const keyspaceDbSteps: CommandDef[] = [
  cmd({ name: 'dbsize', arity: 1, flags: READ_STEP, shard: dbsizeOnShard, summary: 'Keys of the db on one shard.', ...STEP }),
  cmd({ name: 'keys', arity: 2, flags: READ_STEP, shard: keysOnShard, summary: 'Keys of the db on one shard matching a pattern.', ...STEP }),
  cmd({ name: 'scan', arity: -4, flags: READ_STEP, shard: scanOnShard, summary: 'One SCAN step on one shard.', ...STEP }),
  cmd({ name: 'randomkey', arity: 1, flags: READ_STEP, shard: randomkeyOnShard, summary: 'A random key of one shard and its key count.', ...STEP }),
  cmd({ name: 'flushdb', arity: 1, flags: WRITE_STEP, shard: flushdbOnShard, summary: 'FLUSHDB on one shard.', ...STEP }),
  cmd({ name: 'flushall', arity: 1, flags: WRITE_STEP, shard: flushallOnShard, summary: 'FLUSHALL on one shard.', ...STEP }),
  cmd({ name: 'swapdb', arity: 3, flags: WRITE_STEP, shard: swapdbOnShard, summary: 'SWAPDB on one shard.', ...STEP }),
];
