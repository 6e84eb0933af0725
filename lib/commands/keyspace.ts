// Keyspace commands (generic group).
//
// Single-key commands run in the shard that owns the key. DEL / UNLINK / EXISTS / TOUCH scatter
// over shards. RENAME / RENAMENX / COPY run in the shard when both keys live there, else on the
// main thread under the coordinator's locks (dump-key, restore-key, del-key in internal.ts). The
// keyless commands (DBSIZE, KEYS, SCAN, RANDOMKEY, FLUSHDB, FLUSHALL, SWAPDB) are main-thread
// handlers that send an internal command to every shard in one step (or to one shard: SCAN).

import type { CommandDef, KeySpecDoc, ShardExec, CoordContext, WakeTarget } from './types.js';
import type { MainContext } from '../main-context.js';
import type { Server } from '../server.js';
import { cmd, isKw, keySpec, kw } from './define.js';
import { E, invalidExpire } from '../errors.js';
import { TYPE_NAMES, type Meta } from '../store/meta.js';
import { parseCursor, parseI64, parseIntArg, INT64_MAX as I64_MAX, INT64_MIN as I64_MIN } from '../resp/number.js';
import { decodeReply, type Decoded } from '../resp/decode.js';
import { internal } from './registry.js';
import { SCAN_ANY_TYPE, SCAN_NO_TYPE } from './internal.js';
import { typeOps } from '../store/key-types.js';
import { DEL, MOVE, PERSIST, PEXPIREAT, RENAME, UNLINK } from '../store/effects.js';
import { MAX_SCAN_STEP } from './collection-scan.js';
import { CursorTable } from '../store/cursor-table.js';

const EMPTY = Buffer.alloc(0);

const I32_MAX = 2147483647n;
const I32_MIN = -2147483648n;

/** The exact expiry of a key in ms (u64 in the record), -1n when it has none. */
function expireOf(m: Meta): bigint {
  return m.expireAt === 0 ? -1n : m.raw.readBigUInt64BE(2);
}

/** Redis getIntFromObjectOrReply: an int32, or the error text to reply. */
function parseInt32(b: Buffer): number | string {
  const n = parseI64(b);
  if (n === null) return E.notInt;
  if (n < I32_MIN || n > I32_MAX) return E.intRange;
  return Number(n);
}

// ---------------------------------------------------------------------------------------------
// DEL UNLINK EXISTS TOUCH TYPE

function delGeneric(x: ShardExec, args: Buffer[], name: Buffer): void {
  let n = 0;
  for (let i = 1; i < args.length; i++) {
    const m = x.store.get(x.db, args[i], x.now, false);
    if (!m) continue;
    x.store.remove(x.db, m);
    x.binlog([name, args[i]]);
    n++;
  }
  x.out.int(n);
}

function del(x: ShardExec, args: Buffer[]): void {
  delGeneric(x, args, DEL);
}

function unlink(x: ShardExec, args: Buffer[]): void {
  delGeneric(x, args, UNLINK);
}

function exists(x: ShardExec, args: Buffer[]): void {
  let n = 0;
  for (let i = 1; i < args.length; i++) if (x.store.get(x.db, args[i], x.now, false)) n++;
  x.out.int(n);
}

/** TOUCH: like EXISTS, but counts as an access (OBJECT IDLETIME). */
function touch(x: ShardExec, args: Buffer[]): void {
  let n = 0;
  for (let i = 1; i < args.length; i++) if (x.store.get(x.db, args[i], x.now)) n++;
  x.out.int(n);
}

function type(x: ShardExec, args: Buffer[]): void {
  const m = x.store.get(x.db, args[1], x.now, false);
  x.out.simple(m ? TYPE_NAMES[m.type] : 'none');
}

// ---------------------------------------------------------------------------------------------
// EXPIRE PEXPIRE EXPIREAT PEXPIREAT EXPIRETIME PEXPIRETIME TTL PTTL PERSIST

/** EXPIRE family: `unit` 1000n (seconds) or 1n (ms); `relative`: the time counts from now. */
function expireGeneric(name: string, unit: bigint, relative: boolean) {
  return (x: ShardExec, args: Buffer[]): void => {
    let nx = false;
    let xx = false;
    let gt = false;
    let lt = false;
    for (let i = 3; i < args.length; i++) {
      const o = kw(args[i]);
      if (o === 'nx') nx = true;
      else if (o === 'xx') xx = true;
      else if (o === 'gt') gt = true;
      else if (o === 'lt') lt = true;
      else {
        // Redis formats the option with %s: it ends at a NUL byte.
        const nul = args[i].indexOf(0);
        return x.out.error(`ERR Unsupported option ${args[i].toString('latin1', 0, nul < 0 ? args[i].length : nul)}`);
      }
    }
    if (nx && (xx || gt || lt)) return x.out.error(E.expireNxAnd);
    if (gt && lt) return x.out.error(E.expireGtLt);
    let when = parseI64(args[2]);
    if (when === null) return x.out.error(E.notInt);
    if (unit !== 1n) {
      if (when > I64_MAX / unit || when < I64_MIN / unit) return x.out.error(invalidExpire(name));
      when *= unit;
    }
    if (relative) {
      const base = BigInt(x.now);
      if (when > I64_MAX - base) return x.out.error(invalidExpire(name));
      when += base;
    }
    const key = args[1];
    const m = x.store.get(x.db, key, x.now);
    if (!m) return x.out.int(0);
    const cur = expireOf(m);
    if (nx && cur !== -1n) return x.out.int(0);
    if (xx && cur === -1n) return x.out.int(0);
    if (gt && (cur === -1n || when <= cur)) return x.out.int(0);
    if (lt && cur !== -1n && when >= cur) return x.out.int(0);
    if (when <= BigInt(x.now)) {
      // Already in the past: the key is deleted (and the deletion is what replicates).
      x.store.remove(x.db, m);
      x.binlog([DEL, key]);
      return x.out.int(1);
    }
    const raw = Buffer.from(m.raw);
    raw.writeBigUInt64BE(when, 2);
    x.store.put(x.db, m.mk, raw, m);
    x.binlog([PEXPIREAT, key, Buffer.from(String(when))]);
    x.out.int(1);
  };
}

function expiretimeGeneric(ms: boolean) {
  return (x: ShardExec, args: Buffer[]): void => {
    const m = x.store.get(x.db, args[1], x.now, false);
    if (!m) return x.out.int(-2);
    const at = expireOf(m);
    if (at === -1n) return x.out.int(-1);
    // Seconds are rounded to the nearest, as Redis does.
    x.out.int(ms ? at : (at + 500n) / 1000n);
  };
}

function ttlGeneric(ms: boolean) {
  return (x: ShardExec, args: Buffer[]): void => {
    const m = x.store.get(x.db, args[1], x.now, false);
    if (!m) return x.out.int(-2);
    const at = expireOf(m);
    if (at === -1n) return x.out.int(-1);
    let ttl = at - BigInt(x.now);
    if (ttl < 0n) ttl = 0n;
    x.out.int(ms ? ttl : (ttl + 500n) / 1000n);
  };
}

function persist(x: ShardExec, args: Buffer[]): void {
  const m = x.store.get(x.db, args[1], x.now);
  if (!m || m.expireAt === 0) return x.out.int(0);
  x.store.setExpire(x.db, m, 0);
  x.binlog([PERSIST, args[1]]);
  x.out.int(1);
}

// ---------------------------------------------------------------------------------------------
// RENAME RENAMENX COPY MOVE

/** RENAME / RENAMENX with both keys in this shard. */
function renameGeneric(nx: boolean) {
  return (x: ShardExec, args: Buffer[]): void => {
    const src = args[1];
    const dst = args[2];
    const m = x.store.get(x.db, src, x.now);
    if (!m) return x.out.error(E.noKey);
    if (src.equals(dst)) return nx ? x.out.int(0) : x.out.ok();
    const to = x.store.find(x.db, dst, x.now);
    if (to.meta && nx) return x.out.int(0);
    x.store.moveKey(x.db, m, x.db, dst, to);
    x.binlog([RENAME, src, dst]);
    if (nx) x.out.int(1);
    else x.out.ok();
  };
}

/** RENAME / RENAMENX across shards, under both shards' locks. */
function renameCoordinated(nx: boolean) {
  return (ctx: CoordContext, args: Buffer[]): Promise<void> => {
    const { shards, out } = ctx;
    const db = ctx.db;
    const src = args[1];
    const dst = args[2];
    const sa = shards.of(src);
    const sb = shards.of(dst);
    return shards.locked([sa, sb], async (tx) => {
      const d = decodeReply(await tx.exec(sa, internal('dump-key'), db, [DUMP_KEY, src]));
      if (d instanceof Error) return out.error(d.message);
      if (d === null) return out.error(E.noKey);
      const [t, exp, body] = d as [bigint, Buffer, Buffer];
      const mode = nx ? NX : REPLACE;
      const r = decodeReply(await tx.exec(sb, internal('restore-key'), db, [RESTORE_KEY, dst, mode, Buffer.from(String(t)), exp, body]));
      if (r instanceof Error) return out.error(r.message);
      if (r === 0n) return out.int(0);
      const dr = decodeReply(await tx.exec(sa, internal('del-key'), db, [DEL_KEY, src]));
      if (dr instanceof Error) return out.error(dr.message);
      if (nx) out.int(1);
      else out.ok();
    });
  };
}

/** COPY options: destination db (-1 = the current one) and REPLACE; or an error text. */
function parseCopy(args: Buffer[], databases: number): { db: number; replace: boolean } | string {
  let db = -1;
  let replace = false;
  for (let i = 3; i < args.length; i++) {
    if (isKw(args[i], 'replace')) replace = true;
    else if (isKw(args[i], 'db') && i + 1 < args.length) {
      const n = parseInt32(args[++i]);
      if (typeof n === 'string') return n;
      if (n < 0 || n >= databases) return E.dbIndex;
      db = n;
    } else return E.syntax;
  }
  return { db, replace };
}

/** COPY with both keys in this shard. */
function copy(x: ShardExec, args: Buffer[]): void {
  const o = parseCopy(args, x.store.dbmap.length);
  if (typeof o === 'string') return x.out.error(o);
  const toDb = o.db < 0 ? x.db : o.db;
  const src = args[1];
  const dst = args[2];
  if (toDb === x.db && src.equals(dst)) return x.out.error(E.sameObject);
  const m = x.store.get(x.db, src, x.now);
  if (!m) return x.out.int(0);
  const to = x.store.find(toDb, dst, x.now);
  if (to.meta && !o.replace) return x.out.int(0);
  typeOps(m.type).copy(x.store, m, toDb, dst, to);
  x.binlog(args);
  x.out.int(1);
}

/** COPY across shards (src and dst keys are different, so never the same object). */
function copyCoordinated(ctx: CoordContext, args: Buffer[]): Promise<void> | void {
  const { shards, out } = ctx;
  const o = parseCopy(args, ctx.databases);
  if (typeof o === 'string') return out.error(o);
  const db = ctx.db;
  const toDb = o.db < 0 ? db : o.db;
  const src = args[1];
  const dst = args[2];
  const sa = shards.of(src);
  const sb = shards.of(dst);
  return shards.locked([sa, sb], async (tx) => {
    const d = decodeReply(await tx.exec(sa, internal('dump-key'), db, [DUMP_KEY, src]));
    if (d instanceof Error) return out.error(d.message);
    if (d === null) return out.int(0);
    const [t, exp, body] = d as [bigint, Buffer, Buffer];
    const mode = o.replace ? REPLACE : NX;
    const r = decodeReply(await tx.exec(sb, internal('restore-key'), toDb, [RESTORE_KEY, dst, mode, Buffer.from(String(t)), exp, body]));
    if (r instanceof Error) return out.error(r.message);
    out.int(r as bigint);
  });
}

function move(x: ShardExec, args: Buffer[]): void {
  const n = parseInt32(args[2]);
  if (typeof n === 'string') return x.out.error(n);
  if (n < 0 || n >= x.store.dbmap.length) return x.out.error(E.dbIndex);
  if (n === x.db) return x.out.error(E.sameObject);
  const key = args[1];
  const m = x.store.get(x.db, key, x.now);
  if (!m) return x.out.int(0);
  const to = x.store.find(n, key, x.now);
  if (to.meta) return x.out.int(0);
  x.store.moveKey(x.db, m, n, key, to);
  x.binlog([MOVE, key, Buffer.from(String(n))]);
  x.out.int(1);
}

const DUMP_KEY = Buffer.from('dump-key');
const RESTORE_KEY = Buffer.from('restore-key');
const DEL_KEY = Buffer.from('del-key');
const NX = Buffer.from('nx');
const REPLACE = Buffer.from('replace');

// ---------------------------------------------------------------------------------------------
// OBJECT

function objectLookup(x: ShardExec, key: Buffer): Meta | null {
  const m = x.store.get(x.db, key, x.now, false);
  if (!m) x.out.nil();
  return m;
}

function objectEncoding(x: ShardExec, args: Buffer[]): void {
  const m = objectLookup(x, args[2]);
  if (m) x.out.bulkStr(typeOps(m.type).encoding(m));
}

function objectRefcount(x: ShardExec, args: Buffer[]): void {
  const m = objectLookup(x, args[2]);
  if (m) x.out.int(typeOps(m.type).refcount(m));
}

/** Seconds since the last access, at Redis's LRU clock resolution (whole seconds). */
function objectIdletime(x: ShardExec, args: Buffer[]): void {
  const m = objectLookup(x, args[2]);
  if (m) x.out.int(x.store.idleSeconds(m.mk, x.now));
}

/** respdb has no maxmemory policy, so never an LFU one: Redis's answer for the default policy. */
function objectFreq(x: ShardExec, args: Buffer[]): void {
  if (objectLookup(x, args[2])) x.out.error(E.noLfu);
}

const OBJECT_HELP = [
  'OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
  'ENCODING <key>',
  '    Return the kind of internal representation used in order to store the value',
  '    associated with a <key>.',
  'FREQ <key>',
  '    Return the access frequency index of the <key>. The returned integer is',
  '    proportional to the logarithm of the recent access frequency of the key.',
  'IDLETIME <key>',
  '    Return the idle time of the <key>, that is the approximated number of',
  '    seconds elapsed since the last access to the key.',
  'REFCOUNT <key>',
  '    Return the number of references of the value associated with the specified',
  '    <key>.',
  'HELP',
  '    Prints this help.',
];

function objectHelp(ctx: MainContext): void {
  ctx.out.array(OBJECT_HELP.length);
  for (const l of OBJECT_HELP) ctx.out.simple(l);
}

// ---------------------------------------------------------------------------------------------
// Keyless commands: DBSIZE KEYS SCAN RANDOMKEY FLUSHDB FLUSHALL SWAPDB

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
  return ctx.server.shards.broadcast(internal('dbsize'), ctx.conn.db, 2, A_DBSIZE).then((rs) => {
    let n = 0n;
    for (const d of decodeAll(rs)) n += d as bigint;
    ctx.out.int(n);
  });
}

function keys(ctx: MainContext, args: Buffer[]): Promise<void> {
  // every shard's keys from one consistent cut, computed and assembled on the slow pool
  if (ctx.server.pool !== null) return ctx.server.slowRouting.gather(ctx.conn, internal('keys'), ctx.conn.db, [KEYS, args[1]]).then((r) => ctx.out.raw(r));
  return ctx.server.shards.broadcast(internal('keys'), ctx.conn.db, 2, [KEYS, args[1]]).then((rs) => {
    const parts = decodeAll(rs) as Buffer[][];
    let n = 0;
    for (const p of parts) n += p.length;
    ctx.out.array(n);
    for (const p of parts) for (const k of p) ctx.out.bulk(k);
  });
}

function randomkey(ctx: MainContext): Promise<void> {
  return ctx.server.shards.broadcast(internal('randomkey'), ctx.conn.db, 2, A_RANDOMKEY).then((rs) => {
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
    return ctx.server.shards.broadcast(internal(which), ctx.conn.db, 2, which === 'flushdb' ? A_FLUSHDB : A_FLUSHALL).then((rs) => {
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
  return ctx.server.shards.broadcast(internal('swapdb'), ctx.conn.db, 2, sargs).then((rs) => {
    decodeAll(rs);
    ctx.out.ok();
  });
}

// SCAN cursors. A position in a scan is (db, shard, last meta key returned): meta keys are
// ordered, so resuming strictly after the last key visits every key present for the whole scan
// exactly once. A position does not fit in a 64-bit cursor, so it stays on the main thread in a
// bounded table and the client gets an opaque id for it. Positions are immutable (every step
// makes a new id), so retrying a step is safe; a cursor evicted from the table (or from another
// server run, or another db) restarts the scan, so keys are still returned at least once.

interface ScanPos {
  db: number;
  shard: number;
  /** Last meta key visited on `shard`, null = start of the shard. */
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
  return scanSteps(server, db, pos, count > BigInt(MAX_SCAN_STEP) ? MAX_SCAN_STEP : Number(count), typeFilter, pattern).then(
    ({ next, keys }) => {
      out.array(2);
      out.bulkStr(String(next ? table.remember(next) : 0n));
      out.array(keys.length);
      for (const k of keys) out.bulk(k);
    },
  );
}

/**
 * Runs scan steps from `pos` until `budget` records were examined or the db is exhausted. A
 * shard that runs out before the budget hands over to the next one (one more round trip), so an
 * empty or small db completes in one SCAN call as in Redis. The first step is sent synchronously,
 * at the command's place in the order; SCAN guarantees nothing about keys written meanwhile.
 */
/** SCAN steps examining at least this many records run on the slow pool. */
const SLOW_SCAN_STEP = 1000;

async function scanSteps(
  server: Server, db: number, pos: ScanPos, budget: number, typeFilter: number, pattern: Buffer | null,
): Promise<{ next: ScanPos | null; keys: Buffer[] }> {
  const keys: Buffer[] = [];
  for (;;) {
    const sargs = [SCAN, pos.after ?? EMPTY, Buffer.from(String(budget)), Buffer.from(String(typeFilter))];
    if (pattern) sargs.push(pattern);
    // a big step reads on the slow pool, leaving the shard to other commands
    const step = budget >= SLOW_SCAN_STEP ? server.slowRouting.call(pos.shard, internal('scan'), db, 2, sargs) : server.shards.call(pos.shard, internal('scan'), db, 2, sargs);
    const d = decodeReply(await step);
    if (d instanceof Error) throw d;
    const [after, examined, found] = d as [Buffer | null, bigint, Buffer[]];
    for (const k of found) keys.push(k);
    if (after) return { next: { db, shard: pos.shard, after: Buffer.from(after) }, keys };
    if (pos.shard + 1 >= server.shards.count) return { next: null, keys };
    pos = { db, shard: pos.shard + 1, after: null };
    budget -= Number(examined);
    if (budget <= 0) return { next: pos, keys };
  }
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

/** MOVE key db: the key arrives in the target database. */
function moveWakes(args: Buffer[], db: number, to: WakeTarget): void {
  const d = parseIntArg(args[2]);
  to.notify(d !== null && d >= 0 && d < to.databases ? d : db, args[1]);
}

/** COPY src dst [DB n]: the destination, in database n when given. */
function copyWakes(args: Buffer[], db: number, to: WakeTarget): void {
  let target = db;
  for (let i = 3; i + 1 < args.length; i++) {
    if (!isKw(args[i], 'db')) continue;
    const d = parseIntArg(args[i + 1]);
    if (d !== null && d >= 0 && d < to.databases) target = d;
  }
  to.notify(target, args[2]);
}

// ---------------------------------------------------------------------------------------------
// The table

const G = { group: 'generic' } as const;

/** COMMAND INFO key spec: the key at `index` (and up to `lastkey`, relative, -1 = last argument). */
const ks = (flags: string[], index = 1, lastkey = 0): KeySpecDoc => keySpec(flags, index, lastkey);
const MULTI_SUM = ['request_policy:multi_shard', 'response_policy:agg_sum'];

export const keyspaceCommands: CommandDef[] = [
  cmd({
    name: 'del', capturedReply: () => 1, arity: -2, flags: ['write'], acl: ['keyspace'], shard: del,
    keySpecs: [ks(['RM', 'delete'], 1, -1)], tips: MULTI_SUM,
    scatter: { group: 1, merge: 'sum' },
    summary: 'Delete a key', since: '1.0.0', ...G, complexity: 'O(N) where N is the number of keys that will be removed. When a key to remove holds a value other than a string, the individual complexity for this key is O(M) where M is the number of elements in the list, set, sorted set or hash. Removing a single key that holds a string value is O(1).',
  }),
  cmd({
    name: 'unlink', arity: -2, flags: ['write', 'fast'], acl: ['keyspace'], shard: unlink,
    keySpecs: [ks(['RM', 'delete'], 1, -1)], tips: MULTI_SUM,
    scatter: { group: 1, merge: 'sum' },
    summary: 'Delete a key asynchronously in another thread. Otherwise it is just as DEL, but non blocking.', since: '4.0.0', ...G, complexity: 'O(1) for each key removed regardless of its size. Then the command does O(N) work in a different thread in order to reclaim memory, where N is the number of allocations the deleted objects where composed of.',
  }),
  cmd({
    name: 'exists', direct: true, arity: -2, flags: ['readonly', 'fast'], acl: ['keyspace'], shard: exists,
    keySpecs: [ks(['RO'], 1, -1)], tips: MULTI_SUM,
    scatter: { group: 1, merge: 'sum' },
    summary: 'Determine if a key exists', since: '1.0.0', ...G, complexity: 'O(N) where N is the number of keys to check.',
  }),
  cmd({
    name: 'touch', arity: -2, flags: ['readonly', 'fast'], acl: ['keyspace'], shard: touch,
    keySpecs: [ks(['RO'], 1, -1)], tips: MULTI_SUM,
    scatter: { group: 1, merge: 'sum' },
    summary: 'Alters the last access time of a key(s). Returns the number of existing keys specified.',
    since: '3.2.1', ...G, complexity: 'O(N) where N is the number of keys that will be touched.',
  }),
  cmd({
    name: 'type', direct: true, arity: 2, flags: ['readonly', 'fast'], acl: ['keyspace'], shard: type,
    keySpecs: [ks(['RO'])],
    summary: 'Determine the type stored at key', since: '1.0.0', ...G, complexity: 'O(1)',
  }),
  cmd({
    name: 'expire', arity: -3, flags: ['write', 'fast'], acl: ['keyspace'], shard: expireGeneric('expire', 1000n, true),
    keySpecs: [ks(['RW', 'update'])],
    summary: "Set a key's time to live in seconds", since: '1.0.0', ...G, complexity: 'O(1)',
  }),
  cmd({
    name: 'pexpire', arity: -3, flags: ['write', 'fast'], acl: ['keyspace'], shard: expireGeneric('pexpire', 1n, true),
    keySpecs: [ks(['RW', 'update'])],
    summary: "Set a key's time to live in milliseconds", since: '2.6.0', ...G, complexity: 'O(1)',
  }),
  cmd({
    name: 'expireat', arity: -3, flags: ['write', 'fast'], acl: ['keyspace'], shard: expireGeneric('expireat', 1000n, false),
    keySpecs: [ks(['RW', 'update'])],
    summary: 'Set the expiration for a key as a UNIX timestamp', since: '1.2.0', ...G, complexity: 'O(1)',
  }),
  cmd({
    name: 'pexpireat', arity: -3, flags: ['write', 'fast'], acl: ['keyspace'], shard: expireGeneric('pexpireat', 1n, false),
    keySpecs: [ks(['RW', 'update'])],
    summary: 'Set the expiration for a key as a UNIX timestamp specified in milliseconds', since: '2.6.0', ...G, complexity: 'O(1)',
  }),
  cmd({
    name: 'expiretime', direct: true, arity: 2, flags: ['readonly', 'fast'], acl: ['keyspace'], shard: expiretimeGeneric(false),
    keySpecs: [ks(['RO', 'access'])],
    summary: 'Get the expiration Unix timestamp for a key', since: '7.0.0', ...G, complexity: 'O(1)',
  }),
  cmd({
    name: 'pexpiretime', direct: true, arity: 2, flags: ['readonly', 'fast'], acl: ['keyspace'], shard: expiretimeGeneric(true),
    keySpecs: [ks(['RO', 'access'])],
    summary: 'Get the expiration Unix timestamp for a key in milliseconds', since: '7.0.0', ...G, complexity: 'O(1)',
  }),
  cmd({
    name: 'ttl', direct: true, arity: 2, flags: ['readonly', 'fast'], acl: ['keyspace'], shard: ttlGeneric(false),
    keySpecs: [ks(['RO', 'access'])], tips: ['nondeterministic_output'],
    summary: 'Get the time to live for a key in seconds', since: '1.0.0', ...G, complexity: 'O(1)',
  }),
  cmd({
    name: 'pttl', direct: true, arity: 2, flags: ['readonly', 'fast'], acl: ['keyspace'], shard: ttlGeneric(true),
    keySpecs: [ks(['RO', 'access'])], tips: ['nondeterministic_output'],
    summary: 'Get the time to live for a key in milliseconds', since: '2.6.0', ...G, complexity: 'O(1)',
  }),
  cmd({
    name: 'persist', arity: 2, flags: ['write', 'fast'], acl: ['keyspace'], shard: persist,
    keySpecs: [ks(['RW', 'update'])],
    summary: 'Remove the expiration from a key', since: '2.2.0', ...G, complexity: 'O(1)',
  }),
  cmd({
    name: 'rename', arity: 3, flags: ['write'], acl: ['keyspace'], shard: renameGeneric(false),
    keySpecs: [ks(['RW', 'access', 'delete']), ks(['OW', 'update'], 2)],
    coordinated: renameCoordinated(false),
    summary: 'Rename a key', since: '1.0.0', ...G, complexity: 'O(1)',
  }),
  cmd({
    name: 'renamenx', arity: 3, flags: ['write', 'fast'], acl: ['keyspace'], shard: renameGeneric(true),
    keySpecs: [ks(['RW', 'access', 'delete']), ks(['OW', 'insert'], 2)],
    coordinated: renameCoordinated(true),
    summary: 'Rename a key, only if the new key does not exist', since: '1.0.0', ...G, complexity: 'O(1)',
  }),
  cmd({
    name: 'copy', wakes: copyWakes, arity: -3, flags: ['write', 'denyoom'], acl: ['keyspace'], shard: copy, coordinated: copyCoordinated,
    keySpecs: [ks(['RO', 'access']), ks(['OW', 'update'], 2)],
    summary: 'Copy a key', since: '6.2.0', ...G,
    complexity: 'O(N) worst case for collections, where N is the number of nested items. O(1) for string values.',
  }),
  cmd({
    name: 'move', wakes: moveWakes, arity: 3, flags: ['write', 'fast'], acl: ['keyspace'], shard: move,
    keySpecs: [ks(['RW', 'access', 'update'])],
    summary: 'Move a key to another database', since: '1.0.0', ...G, complexity: 'O(1)',
  }),
  cmd({
    name: 'object', arity: -2, flags: [], acl: [],
    summary: 'A container for object introspection commands', since: '2.2.3', ...G, complexity: 'Depends on subcommand.',
    sub: [
      cmd({
        name: 'object|encoding', arity: 3, flags: ['readonly'], acl: ['keyspace'], shard: objectEncoding,
        keySpecs: [ks(['RO'], 2)], tips: ['nondeterministic_output'],
        summary: 'Inspect the internal encoding of a Redis object', since: '2.2.3', ...G, complexity: 'O(1)',
      }),
      cmd({
        name: 'object|freq', arity: 3, flags: ['readonly'], acl: ['keyspace'], shard: objectFreq,
        keySpecs: [ks(['RO'], 2)], tips: ['nondeterministic_output'],
        summary: 'Get the logarithmic access frequency counter of a Redis object', since: '4.0.0', ...G, complexity: 'O(1)',
      }),
      cmd({
        name: 'object|idletime', arity: 3, flags: ['readonly'], acl: ['keyspace'], shard: objectIdletime,
        keySpecs: [ks(['RO'], 2)], tips: ['nondeterministic_output'],
        summary: 'Get the time since a Redis object was last accessed', since: '2.2.3', ...G, complexity: 'O(1)',
      }),
      cmd({
        name: 'object|refcount', arity: 3, flags: ['readonly'], acl: ['keyspace'], shard: objectRefcount,
        keySpecs: [ks(['RO'], 2)], tips: ['nondeterministic_output'],
        summary: 'Get the number of references to the value of the key', since: '2.2.3', ...G, complexity: 'O(1)',
      }),
      cmd({
        name: 'object|help', arity: 2, flags: ['loading', 'stale'], acl: ['keyspace'], main: objectHelp,
        summary: 'Show helpful text about the different subcommands', since: '6.2.0', ...G, complexity: 'O(1)',
      }),
    ],
  }),
  cmd({
    name: 'dbsize', arity: 1, flags: ['readonly', 'fast'], acl: ['keyspace'], main: dbsize,
    tips: ['request_policy:all_shards', 'response_policy:agg_sum'],
    summary: 'Return the number of keys in the selected database', since: '1.0.0', group: 'server', complexity: 'O(1)',
  }),
  cmd({
    name: 'keys', arity: 2, flags: ['readonly'], acl: ['keyspace', 'dangerous'], main: keys, slow: true,
    tips: ['request_policy:all_shards', 'nondeterministic_output_order'],
    summary: 'Find all keys matching the given pattern', since: '1.0.0', ...G,
    complexity: 'O(N) with N being the number of keys in the database, under the assumption that the key names in the database and the given pattern have limited length.',
  }),
  cmd({
    name: 'scan', arity: -2, flags: ['readonly'], acl: ['keyspace'], main: scan,
    tips: ['nondeterministic_output', 'request_policy:special'],
    summary: 'Incrementally iterate the keys space', since: '2.8.0', ...G,
    complexity: 'O(1) for every call. O(N) for a complete iteration, including enough command calls for the cursor to return back to 0. N is the number of elements inside the collection.',
  }),
  cmd({
    name: 'randomkey', arity: 1, flags: ['readonly'], acl: ['keyspace'], main: randomkey,
    tips: ['request_policy:all_shards', 'nondeterministic_output'],
    summary: 'Return a random key from the keyspace', since: '1.0.0', ...G, complexity: 'O(1)',
  }),
  cmd({
    name: 'flushdb', wakes: WAKES_NOBODY, touchesAllKeys: true, arity: -1, flags: ['write'], acl: ['keyspace', 'dangerous'], main: flushGeneric('flushdb'),
    tips: ['request_policy:all_shards', 'response_policy:all_succeeded'],
    summary: 'Remove all keys from the current database', since: '1.0.0', group: 'server',
    complexity: 'O(N) where N is the number of keys in the selected database',
  }),
  cmd({
    name: 'flushall', wakes: WAKES_NOBODY, touchesAllKeys: true, arity: -1, flags: ['write'], acl: ['keyspace', 'dangerous'], main: flushGeneric('flushall'),
    tips: ['request_policy:all_shards', 'response_policy:all_succeeded'],
    summary: 'Remove all keys from all databases', since: '1.0.0', group: 'server',
    complexity: 'O(N) where N is the total number of keys in all databases',
  }),
  cmd({
    name: 'swapdb', wakes: swapdbWakes, touchesAllKeys: true, arity: 3, flags: ['write', 'fast'], acl: ['keyspace', 'dangerous'], main: swapdb,
    summary: 'Swaps two Redis databases', since: '4.0.0', group: 'server',
    complexity: 'O(N) where N is the count of clients watching or blocking on keys from both databases.',
  }),
];
