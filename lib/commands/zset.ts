// Sorted set commands (Redis 7.0.15 semantics) on the collections layout (lib/store/collections.ts):
//
//   sub:    [key id][member]                      -> score (float64 BE, exact: -0 kept)
//   zscore: [key id][sortableScore(score)][member] -> empty
//
// (a long member stands in both keys as its long part: collections.ts)
//
// so ZSCORE is one `sub` lookup and every range (rank, score, lex) walks `zscore` in order: by
// score, ties by member bytes, exactly the order of Redis's skiplist / listpack. Ranks are counts
// of `zscore` keys before a member (LMDB counts in C); rank offsets are skipped by the cursor.
//
// Encodings. A sorted set reads `listpack` while it has at most 128 members of at most 64 bytes
// (Redis's zset-max-listpack-entries / -value), else `skiplist`, and never converts back (the
// record's F_BIG flag), with Redis's quirks: ZADD creates a skiplist right away when its first
// member is longer than 64 bytes; *STORE results are listpacks when small; ZRANGESTORE fills a
// listpack and converts on the way. A listpack keeps scores as text in which an integral -0 is
// written "0", so a small set never holds -0 (a conversion keeps what the listpack held); a
// skiplist keeps it.
//
// Lex ranges follow the listpack walk (first member >= min from the start, then while <= max),
// which is what Redis does whenever all scores are equal (the documented use) and for every small
// set; with equal scores the walk is a seek. With mixed scores in a big set Redis's skiplist walk
// depends on its random levels (undefined behaviour): respdb keeps the listpack answer.
//
// Multi-key commands (ZUNION/ZINTER/ZDIFF[STORE], ZINTERCARD, ZRANGESTORE, ZMPOP) run in the
// shard when all their keys live there; otherwise on the main thread under the coordinator's
// locks, reading sources and writing the destination through the internal zset-* commands
// below. ZINTER/ZDIFF load only the first (smallest) source and look the candidates up in the
// others. One algorithm (a generator asking for source data) serves both paths.
//
// Binlog: ZADD / ZREM as given when they changed something; ZINCRBY and ZADD INCR as
// `ZADD key <exact result> member`; ZPOP*, ZMPOP, ZREMRANGEBY* as `ZREM key <members removed>`;
// *STORE as `DEL dst` (when it existed) + `ZADD dst <score member>...`.

import type { CommandDef, KeySpecDoc, ShardExec, CoordContext } from './types.js';
import type { MainContext } from '../main-context.js';
import type { RespWriter } from '../resp/writer.js';
import type { Tx } from '../coordinator.js';
import type { ShardStore } from '../store/shard-store.js';
import { cmd, isKw, keySpec } from './define.js';
import { rankRangeWork, rangeStoreWork, scanWork, drawWork, STORE_TO_FIRST } from './work.js';
import { E, RedisError } from '../errors.js';
import { T_SET, T_ZSET, encodeMeta, payload } from '../store/meta.js';
import { readU64BE, writeU64BE } from '../store/keys.js';
import {
  COLL_FIXED, F_BIG, INLINE_MAX, WrongTypeError, collOf, copyCollection, idRange, memberOf, memberPart, newColl, partKey, putMember, removeSubKey, replaceWith,
  saveColl, scoreFromSortable, sortableScore, subKey, zmemberOf, type Coll,
} from '../store/collections.js';
import { parseDoubleArg, strtod, parseI64, formatDouble } from '../resp/number.js';
import { parseCursor } from '../resp/number.js';
import { decodeReply, type Decoded } from '../resp/decode.js';
import { emptyScanReply, parseScanOptions, scanReply } from './collection-scan.js';
import { scanStep } from '../store/collection-scan.js';
import { keyTypeOps } from '../store/key-types.js';
import { DEL, PEXPIREAT } from '../store/effects.js';

// ------------------------------------------------------------------------------------------------
// Constants
// ------------------------------------------------------------------------------------------------

/** Redis's zset-max-listpack-entries / zset-max-listpack-value defaults. */
const LP_ENTRIES = 128;
const LP_VALUE = 64;

const ZADD = Buffer.from('ZADD');
const ZREM = Buffer.from('ZREM');
const EMPTY = Buffer.alloc(0);
const ZERO_BYTE = Buffer.from([0]);

const ERR_NOT_FLOAT = 'ERR value is not a valid float';
const ERR_NAN = 'ERR resulting score is not a number (NaN)';
const ERR_MINMAX = 'ERR min or max is not a float';
const ERR_LEX = 'ERR min or max not valid string range item';
const ERR_WEIGHT = 'ERR weight value is not a float';
const ERR_POSITIVE = 'ERR value is out of range, must be positive';
const ERR_LIMIT_RANK = 'ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX';
const ERR_WITHSCORES_LEX = 'ERR syntax error, WITHSCORES not supported in combination with BYLEX';

// ------------------------------------------------------------------------------------------------
// Argument parsing with Redis's rules
// ------------------------------------------------------------------------------------------------

/** getLongFromObjectOrReply: a signed 64-bit integer (as a number) or the not-an-integer error. */
function parseLong(b: Buffer): number {
  const n = parseI64(b);
  if (n === null) throw new RedisError(E.notInt);
  return Number(n);
}

interface ScoreRange {
  min: number;
  max: number;
  minex: boolean;
  maxex: boolean;
}

/** One end of a score range (zslParseRange): optional '(' then strtod up to the end or a NUL byte. */
function parseRangeItem(b: Buffer): { v: number; ex: boolean } | null {
  let ex = false;
  let start = 0;
  if (b.length > 0 && b[0] === 40) {
    ex = true;
    start = 1;
  }
  const r = strtod(b, start);
  if (r.end < b.length && b[r.end] !== 0) return null;
  if (Number.isNaN(r.v)) return null;
  return { v: r.v, ex };
}

function parseScoreRange(min: Buffer, max: Buffer): ScoreRange {
  const a = parseRangeItem(min);
  const b = parseRangeItem(max);
  if (!a || !b) throw new RedisError(ERR_MINMAX);
  return { min: a.v, minex: a.ex, max: b.v, maxex: b.ex };
}

function scoreRangeEmpty(r: ScoreRange): boolean {
  return r.min > r.max || (r.min === r.max && (r.minex || r.maxex));
}

/** A lex range end: '-' (inf -1), '+' (inf 1), or a string, exclusive with '('. */
interface LexBound {
  inf: -1 | 0 | 1;
  s: Buffer;
  ex: boolean;
}

interface LexRange {
  min: LexBound;
  max: LexBound;
}

function parseLexItem(b: Buffer): LexBound | null {
  if (b.length === 0) return null;
  switch (b[0]) {
    case 43: // +
      if (b.length > 1 && b[1] !== 0) return null;
      return { inf: 1, s: EMPTY, ex: true };
    case 45: // -
      if (b.length > 1 && b[1] !== 0) return null;
      return { inf: -1, s: EMPTY, ex: true };
    case 40: // (
      return { inf: 0, s: b.subarray(1), ex: true };
    case 91: // [
      return { inf: 0, s: b.subarray(1), ex: false };
    default:
      return null;
  }
}

function parseLexRange(min: Buffer, max: Buffer): LexRange {
  const a = parseLexItem(min);
  const b = parseLexItem(max);
  if (!a || !b) throw new RedisError(ERR_LEX);
  return { min: a, max: b };
}

/** sdscmplex of a member against a bound. */
function lexCmp(v: Buffer, b: LexBound): number {
  return b.inf === 0 ? Buffer.compare(v, b.s) : -b.inf;
}

function lexGteMin(v: Buffer, r: LexRange): boolean {
  const c = lexCmp(v, r.min);
  return r.min.ex ? c > 0 : c >= 0;
}

function lexLteMax(v: Buffer, r: LexRange): boolean {
  const c = lexCmp(v, r.max);
  return r.max.ex ? c < 0 : c <= 0;
}

function lexRangeEmpty(r: LexRange): boolean {
  const a = r.min;
  const b = r.max;
  let c: number;
  if (a.inf !== 0 && a.inf === b.inf) c = 0;
  else if (a.inf === -1 || b.inf === 1) c = -1;
  else if (a.inf === 1 || b.inf === -1) c = 1;
  else c = Buffer.compare(a.s, b.s);
  return c > 0 || (c === 0 && (a.ex || b.ex));
}

// ------------------------------------------------------------------------------------------------
// Storage helpers
// ------------------------------------------------------------------------------------------------

/** [id][sortable score][member]: the zscore key of a member. */
function zkey(id: number, score: number, member: Uint8Array): Buffer {
  const part = memberPart(member);
  const k = Buffer.allocUnsafe(16 + part.length);
  writeU64BE(k, id, 0);
  sortableScore(score, k, 8);
  k.set(part, 16);
  return k;
}

function dbl(d: number): Buffer {
  const b = Buffer.allocUnsafe(8);
  b.writeDoubleBE(d, 0);
  return b;
}

/** Increments an 8-byte big-endian value in place; false on overflow. */
function inc8(b: Buffer, off: number): boolean {
  for (let i = off + 7; i >= off; i--) {
    if (b[i] !== 0xff) {
      b[i]++;
      return true;
    }
    b[i] = 0;
  }
  return false;
}

/** The score of `member`, null when absent. */
function scoreOf(store: ShardStore, c: Coll, member: Buffer): number | null {
  const v = store.sub.getBinary(subKey(c.id, member));
  return v ? v.readDoubleBE(0) : null;
}

/** The exact score of a zscore key (the sortable form loses the sign of zero, kept only by skiplists). */
function keyScore(store: ShardStore, c: Coll, key: Buffer): number {
  const s = scoreFromSortable(key, 8);
  if (s === 0 && c.flags & F_BIG) {
    const v = store.sub.getBinary(partKey(c.id, key.subarray(16)));
    if (v) return v.readDoubleBE(0);
  }
  return s;
}

function isBig(c: Coll): boolean {
  return (c.flags & F_BIG) !== 0;
}

/**
 * Adds a new member. A listpack converts to a skiplist first when it would exceed its limits (the
 * new member then keeps its exact score); a listpack stores -0 as 0.
 */
function zinsert(store: ShardStore, c: Coll, member: Buffer, score: number): void {
  if (!isBig(c)) {
    if (c.count + 1 > LP_ENTRIES || member.length > LP_VALUE) c.flags |= F_BIG;
    else if (score === 0) score = 0;
  }
  putMember(store, c.id, member, dbl(score));
  store.zscore.putSync(zkey(c.id, score, member), EMPTY);
  c.count++;
}

/** Changes the score of an existing member (old !== score). */
function zupdate(store: ShardStore, c: Coll, member: Buffer, old: number, score: number): void {
  if (!isBig(c) && score === 0) score = 0;
  store.sub.putSync(subKey(c.id, member), dbl(score));
  store.zscore.removeSync(zkey(c.id, old, member));
  store.zscore.putSync(zkey(c.id, score, member), EMPTY);
}

/** Removes the member of zscore key `key`. */
function zdeleteKey(store: ShardStore, c: Coll, key: Buffer): void {
  removeSubKey(store, partKey(c.id, key.subarray(16)));
  store.zscore.removeSync(key);
  c.count--;
}

/** The zset at `key` (null when missing); WRONGTYPE for other types. */
function openZset(x: ShardExec, key: Buffer, touch = true): Coll | null {
  const f = x.store.find(x.db, key, x.now, touch);
  if (!f.meta) return null;
  if (f.meta.type !== T_ZSET) throw new WrongTypeError();
  return collOf(key, f.meta);
}

interface KeyWalk {
  lo: Buffer;
  /** exclusive */
  hi: Buffer;
  rev: boolean;
  offset: number;
  /** -1: no limit */
  limit: number;
}

/**
 * The zscore keys in [lo, hi), forward or backward, after skipping `offset` of them, at most
 * `limit`. (LMDB's reverse walk starts at `start` inclusive and ends before `end`, so the
 * backward walk starts at hi, skips it when it exists, and stops below lo by hand.)
 */
function walk(store: ShardStore, w: KeyWalk): Buffer[] {
  const out: Buffer[] = [];
  if (w.limit === 0 || w.offset < 0) return out;
  const db = store.zscore;
  const limit = w.limit < 0 ? undefined : w.limit;
  if (!w.rev) {
    for (const key of db.getKeys({ start: w.lo, end: w.hi, offset: w.offset || undefined, limit })) out.push(key as Buffer);
    return out;
  }
  const skip = db.getBinary(w.hi) !== undefined ? 1 : 0;
  for (const key of db.getKeys({ start: w.hi, reverse: true, offset: w.offset + skip || undefined, limit })) {
    if (Buffer.compare(key as Buffer, w.lo) < 0) break;
    out.push(key as Buffer);
  }
  return out;
}

function countKeys(store: ShardStore, lo: Buffer, hi: Buffer): number {
  if (Buffer.compare(lo, hi) >= 0) return 0;
  return store.zscore.getCount({ start: lo, end: hi });
}

/** Bounds of the score range in zscore keys of collection `id`: [lo, hi). */
function scoreBounds(id: number, r: ScoreRange): { lo: Buffer; hi: Buffer } {
  const end = idRange(id).end;
  let lo: Buffer = Buffer.allocUnsafe(16);
  writeU64BE(lo, id, 0);
  sortableScore(r.min, lo, 8);
  if (r.minex && !inc8(lo, 8)) lo = end;
  let hi: Buffer = Buffer.allocUnsafe(16);
  writeU64BE(hi, id, 0);
  sortableScore(r.max, hi, 8);
  if (!r.maxex && !inc8(hi, 8)) hi = end;
  return { lo, hi };
}

/** Keys in the score range, with offset/limit (Redis: a negative offset gives nothing). */
function scoreRangeKeys(store: ShardStore, c: Coll, r: ScoreRange, rev: boolean, offset: number, limit: number): Buffer[] {
  if (scoreRangeEmpty(r) || offset < 0) return [];
  const { lo, hi } = scoreBounds(c.id, r);
  if (Buffer.compare(lo, hi) >= 0) return [];
  return walk(store, { lo, hi, rev, offset, limit });
}

/** First and last zscore keys of a collection. */
function endKeys(store: ShardStore, c: Coll): { first: Buffer; last: Buffer } | null {
  const { start, end } = idRange(c.id);
  let first: Buffer | null = null;
  for (const k of store.zscore.getKeys({ start, end, limit: 1 })) first = k as Buffer;
  if (!first) return null;
  const last = walk(store, { lo: start, hi: end, rev: true, offset: 0, limit: 1 })[0];
  return { first, last };
}

/**
 * When every score of the collection is the same, the [lo, hi) zscore keys of a lex range (a
 * seek); null when scores differ or a bound is too long to be part of a key (walk instead).
 */
function lexSeekBounds(c: Coll, r: LexRange, ends: { first: Buffer; last: Buffer }): { lo: Buffer; hi: Buffer } | null {
  if (Buffer.compare(ends.first.subarray(8, 16), ends.last.subarray(8, 16)) !== 0) return null;
  if (r.min.s.length > INLINE_MAX || r.max.s.length > INLINE_MAX) return null;
  const prefix = ends.first.subarray(0, 16);
  let lo: Buffer;
  if (r.min.inf === -1) lo = Buffer.from(prefix);
  else if (r.min.inf === 1) return { lo: prefix, hi: prefix };
  else lo = Buffer.concat(r.min.ex ? [prefix, r.min.s, ZERO_BYTE] : [prefix, r.min.s]);
  let hi: Buffer;
  if (r.max.inf === 1) {
    hi = Buffer.from(prefix);
    if (!inc8(hi, 8)) hi = idRange(c.id).end;
  } else if (r.max.inf === -1) hi = Buffer.from(prefix);
  else hi = Buffer.concat(r.max.ex ? [prefix, r.max.s] : [prefix, r.max.s, ZERO_BYTE]);
  return { lo, hi };
}

/** Every zscore key of a collection, in order. */
function allKeys(store: ShardStore, c: Coll): Buffer[] {
  const { start, end } = idRange(c.id);
  return walk(store, { lo: start, hi: end, rev: false, offset: 0, limit: -1 });
}

/**
 * Keys of a lex range as Redis's listpack walk finds them: the range must not be empty, the last
 * member must be >= min and the first <= max; forward, the first member >= min starts the run
 * (it must be <= max), `offset` members are skipped blindly, then members are taken while <= max
 * (backward: mirrored). With equal scores this is a seek.
 */
function lexRangeKeys(store: ShardStore, c: Coll, r: LexRange, rev: boolean, offset: number, limit: number): Buffer[] {
  if (lexRangeEmpty(r) || offset < 0 || limit === 0) return [];
  const ends = endKeys(store, c);
  if (!ends) return [];
  if (!lexGteMin(zmemberOf(store, ends.last), r) || !lexLteMax(zmemberOf(store, ends.first), r)) return [];
  const seek = lexSeekBounds(c, r, ends);
  if (seek) {
    if (Buffer.compare(seek.lo, seek.hi) >= 0) return [];
    return walk(store, { lo: seek.lo, hi: seek.hi, rev, offset, limit });
  }
  const all = allKeys(store, c);
  const n = all.length;
  const out: Buffer[] = [];
  if (!rev) {
    let i = 0;
    while (i < n && !lexGteMin(zmemberOf(store, all[i]), r)) i++;
    if (i >= n || !lexLteMax(zmemberOf(store, all[i]), r)) return out;
    i += offset;
    while (i < n && (limit < 0 || out.length < limit) && lexLteMax(zmemberOf(store, all[i]), r)) out.push(all[i++]);
  } else {
    let i = n - 1;
    while (i >= 0 && !lexLteMax(zmemberOf(store, all[i]), r)) i--;
    if (i < 0 || !lexGteMin(zmemberOf(store, all[i]), r)) return out;
    i -= offset;
    while (i >= 0 && (limit < 0 || out.length < limit) && lexGteMin(zmemberOf(store, all[i]), r)) out.push(all[i--]);
  }
  return out;
}

function lexCount(store: ShardStore, c: Coll, r: LexRange): number {
  if (lexRangeEmpty(r)) return 0;
  const ends = endKeys(store, c);
  if (!ends) return 0;
  if (!lexGteMin(zmemberOf(store, ends.last), r) || !lexLteMax(zmemberOf(store, ends.first), r)) return 0;
  const seek = lexSeekBounds(c, r, ends);
  if (seek) return countKeys(store, seek.lo, seek.hi);
  return lexRangeKeys(store, c, r, false, 0, -1).length;
}

/** Keys of ranks [start, end] (Redis's index sanitizing), forward or backward. */
function rankRangeKeys(store: ShardStore, c: Coll, start: number, end: number, rev: boolean): Buffer[] {
  const llen = c.count;
  if (start < 0) start += llen;
  if (end < 0) end += llen;
  if (start < 0) start = 0;
  if (start > end || start >= llen) return [];
  if (end >= llen) end = llen - 1;
  const { start: lo, end: hi } = idRange(c.id);
  return walk(store, { lo, hi, rev, offset: start, limit: end - start + 1 });
}

/** Members and exact scores of zscore keys. */
function entriesOf(store: ShardStore, c: Coll, keys: Buffer[], withScores: boolean): Entries {
  const ms = new Array<Buffer>(keys.length);
  const ss = new Array<number>(withScores ? keys.length : 0);
  for (let i = 0; i < keys.length; i++) {
    ms[i] = zmemberOf(store, keys[i]);
    if (withScores) ss[i] = keyScore(store, c, keys[i]);
  }
  return { ms, ss };
}

interface Entries {
  ms: Buffer[];
  ss: number[];
}

/** Members (and scores) as Redis replies them: flat in RESP2, [member, score] pairs in RESP3. */
function replyEntries(out: RespWriter, e: Entries, withScores: boolean): void {
  const n = e.ms.length;
  out.array(withScores && out.proto === 2 ? n * 2 : n);
  for (let i = 0; i < n; i++) {
    if (withScores && out.proto === 3) out.array(2);
    out.bulk(e.ms[i]);
    if (withScores) out.double(e.ss[i]);
  }
}

/**
 * Replaces `key` by a new sorted set with the given members (distinct) and exact scores, `big`
 * being its encoding. An empty result deletes the key. Logs DEL (if the key existed) and ZADD.
 * Returns the member count. Every member must be short enough (checked by the caller).
 */
function writeZset(x: ShardExec, key: Buffer, e: Entries, big: boolean): number {
  const f = x.store.find(x.db, key, x.now);
  const n = e.ms.length;
  if (n === 0) {
    if (f.meta) {
      x.store.remove(x.db, f.meta);
      x.binlog([DEL, key]);
    }
    return 0;
  }
  const c = newColl(x, key, f.mk, T_ZSET);
  c.flags = big ? F_BIG : 0;
  const store = x.store;
  const rec: Buffer[] = [ZADD, key];
  for (let i = 0; i < n; i++) {
    const m = e.ms[i];
    const s = e.ss[i];
    putMember(store, c.id, m, dbl(s));
    store.zscore.putSync(zkey(c.id, s, m), EMPTY);
    rec.push(Buffer.from(formatDouble(s)), m);
  }
  c.count = n;
  replaceWith(x, c, f.meta);
  if (f.meta) x.binlog([DEL, key]);
  x.binlog(rec);
  return n;
}


/** A *STORE result of a set operation: a skiplist converted to a listpack when small (-0 -> 0). */
function finishSetOpStore(e: Entries): boolean {
  let maxlen = 0;
  for (const m of e.ms) if (m.length > maxlen) maxlen = m.length;
  const big = e.ms.length > LP_ENTRIES || maxlen > LP_VALUE;
  if (!big) for (let i = 0; i < e.ss.length; i++) if (e.ss[i] === 0) e.ss[i] = 0;
  return big;
}

/**
 * A ZRANGESTORE result: a listpack (or a skiplist when a rank range is known to exceed the
 * listpack size) filled in range order, converting when a member would exceed the limits.
 */
function finishRangeStore(e: Entries, initBig: boolean): boolean {
  let big = initBig;
  for (let i = 0; i < e.ms.length; i++) {
    if (!big && (i + 1 > LP_ENTRIES || e.ms[i].length > LP_VALUE)) big = true;
    if (!big && e.ss[i] === 0) e.ss[i] = 0;
  }
  return big;
}

// ------------------------------------------------------------------------------------------------
// ZADD ZINCRBY ZREM ZCARD ZSCORE ZMSCORE ZRANK ZREVRANK ZCOUNT ZLEXCOUNT
// ------------------------------------------------------------------------------------------------

function zaddGeneric(x: ShardExec, args: Buffer[], incrCmd: boolean): void {
  let nx = false;
  let xx = false;
  let gt = false;
  let lt = false;
  let ch = false;
  let incr = incrCmd;
  let i = 2;
  if (!incrCmd) {
    for (; i < args.length; i++) {
      const a = args[i];
      if (isKw(a, 'nx')) nx = true;
      else if (isKw(a, 'xx')) xx = true;
      else if (isKw(a, 'ch')) ch = true;
      else if (isKw(a, 'incr')) incr = true;
      else if (isKw(a, 'gt')) gt = true;
      else if (isKw(a, 'lt')) lt = true;
      else break;
    }
  }
  const elements = args.length - i;
  if (elements % 2 !== 0 || elements === 0) throw new RedisError(E.syntax);
  const pairs = elements / 2;
  if (nx && xx) throw new RedisError('ERR XX and NX options at the same time are not compatible');
  if ((gt && nx) || (lt && nx) || (gt && lt)) throw new RedisError('ERR GT, LT, and/or NX options at the same time are not compatible');
  if (incr && pairs > 1) throw new RedisError('ERR INCR option supports a single increment-element pair');
  const scores = new Array<number>(pairs);
  for (let p = 0; p < pairs; p++) {
    const s = parseDoubleArg(args[i + 2 * p]);
    if (s === null) throw new RedisError(ERR_NOT_FLOAT);
    scores[p] = s;
  }
  const key = args[1];
  const f = x.store.find(x.db, key, x.now);
  if (f.meta && f.meta.type !== T_ZSET) throw new WrongTypeError();
  if (!f.meta && xx) return incr ? x.out.nil() : x.out.int(0);
  let c: Coll;
  if (f.meta) c = collOf(key, f.meta);
  else {
    c = newColl(x, key, f.mk, T_ZSET);
    // Redis creates a skiplist at once when the first member is too long for a listpack.
    if (args[i + 1].length > LP_VALUE) c.flags |= F_BIG;
  }
  const store = x.store;
  let added = 0;
  let updated = 0;
  let processed = 0;
  let newScore = 0;
  for (let p = 0; p < pairs; p++) {
    let score = scores[p];
    const member = args[i + 2 * p + 1];
    const cur = scoreOf(store, c, member);
    if (cur !== null) {
      if (nx) continue;
      if (incr) {
        score += cur;
        if (Number.isNaN(score)) return x.out.error(ERR_NAN);
      }
      if ((lt && score >= cur) || (gt && score <= cur)) continue;
      newScore = score;
      processed++;
      if (score !== cur) {
        zupdate(store, c, member, cur, score);
        updated++;
      }
    } else if (!xx) {
      zinsert(store, c, member, score);
      newScore = score;
      added++;
      processed++;
    }
  }
  if (added + updated > 0) {
    saveColl(x, c);
    if (incr) x.binlog([ZADD, key, Buffer.from(formatDouble(newScore)), args[i + 1]]);
    else x.binlog(args);
  }
  if (incr) {
    if (processed) x.out.double(newScore);
    else x.out.nil();
  } else x.out.int(ch ? added + updated : added);
}

function zadd(x: ShardExec, args: Buffer[]): void {
  zaddGeneric(x, args, false);
}

function zincrby(x: ShardExec, args: Buffer[]): void {
  zaddGeneric(x, args, true);
}

function zrem(x: ShardExec, args: Buffer[]): void {
  const c = openZset(x, args[1]);
  if (!c) return x.out.int(0);
  let n = 0;
  const store = x.store;
  for (let i = 2; i < args.length; i++) {
    const s = scoreOf(store, c, args[i]);
    if (s === null) continue;
    zdeleteKey(store, c, zkey(c.id, s, args[i]));
    n++;
  }
  if (n > 0) {
    saveColl(x, c);
    x.binlog(args);
  }
  x.out.int(n);
}

function zcard(x: ShardExec, args: Buffer[]): void {
  const c = openZset(x, args[1]);
  x.out.int(c ? c.count : 0);
}

function zscore(x: ShardExec, args: Buffer[]): void {
  const c = openZset(x, args[1]);
  const s = c ? scoreOf(x.store, c, args[2]) : null;
  if (s === null) x.out.nil();
  else x.out.double(s);
}

function zmscore(x: ShardExec, args: Buffer[]): void {
  const c = openZset(x, args[1]);
  x.out.array(args.length - 2);
  for (let i = 2; i < args.length; i++) {
    const s = c ? scoreOf(x.store, c, args[i]) : null;
    if (s === null) x.out.nil();
    else x.out.double(s);
  }
}

function zrankGeneric(rev: boolean) {
  return (x: ShardExec, args: Buffer[]): void => {
    const c = openZset(x, args[1]);
    if (!c) return x.out.nil();
    const s = scoreOf(x.store, c, args[2]);
    if (s === null) return x.out.nil();
    const rank = countKeys(x.store, idRange(c.id).start, zkey(c.id, s, args[2]));
    x.out.int(rev ? c.count - 1 - rank : rank);
  };
}

function zcount(x: ShardExec, args: Buffer[]): void {
  const r = parseScoreRange(args[2], args[3]);
  const c = openZset(x, args[1]);
  if (!c || scoreRangeEmpty(r)) return x.out.int(0);
  const { lo, hi } = scoreBounds(c.id, r);
  x.out.int(countKeys(x.store, lo, hi));
}

function zlexcount(x: ShardExec, args: Buffer[]): void {
  const r = parseLexRange(args[2], args[3]);
  const c = openZset(x, args[1]);
  x.out.int(c ? lexCount(x.store, c, r) : 0);
}

// ------------------------------------------------------------------------------------------------
// ZRANGE family, ZRANGESTORE
// ------------------------------------------------------------------------------------------------

const enum RT {
  Auto,
  Rank,
  Score,
  Lex,
}

interface RangeSpec {
  type: RT;
  rev: boolean;
  withScores: boolean;
  offset: number;
  limit: number;
  start: number;
  end: number;
  score: ScoreRange | null;
  lex: LexRange | null;
}

/**
 * zrangeGenericCommand's parsing: options after <key> <min> <max> (argStart = index of the key),
 * then the conflicts, then the range. `auto`: REV may be given (ZRANGE, ZRANGESTORE).
 */
function parseZrange(args: Buffer[], argStart: number, store: boolean, type: RT, auto: boolean, rev: boolean): RangeSpec {
  let withScores = false;
  let offset = 0;
  let limit = -1;
  for (let j = argStart + 3; j < args.length; j++) {
    const left = args.length - j - 1;
    const a = args[j];
    if (!store && isKw(a, 'withscores')) withScores = true;
    else if (isKw(a, 'limit') && left >= 2) {
      offset = parseLong(args[j + 1]);
      limit = parseLong(args[j + 2]);
      j += 2;
    } else if (auto && isKw(a, 'rev')) {
      auto = false;
      rev = true;
    } else if (type === RT.Auto && isKw(a, 'bylex')) type = RT.Lex;
    else if (type === RT.Auto && isKw(a, 'byscore')) type = RT.Score;
    else throw new RedisError(E.syntax);
  }
  if (type === RT.Auto) type = RT.Rank;
  if (limit !== -1 && type === RT.Rank) throw new RedisError(ERR_LIMIT_RANK);
  if (withScores && type === RT.Lex) throw new RedisError(ERR_WITHSCORES_LEX);
  let minIdx = argStart + 1;
  let maxIdx = argStart + 2;
  if (rev && type !== RT.Rank) {
    minIdx = argStart + 2;
    maxIdx = argStart + 1;
  }
  const spec: RangeSpec = { type, rev, withScores, offset, limit, start: 0, end: 0, score: null, lex: null };
  if (type === RT.Rank) {
    spec.start = parseLong(args[minIdx]);
    spec.end = parseLong(args[maxIdx]);
  } else if (type === RT.Score) spec.score = parseScoreRange(args[minIdx], args[maxIdx]);
  else spec.lex = parseLexRange(args[minIdx], args[maxIdx]);
  return spec;
}

function rangeKeys(store: ShardStore, c: Coll, s: RangeSpec): Buffer[] {
  // Redis: an offset past the end gives nothing (a negative one skips everything).
  if (s.type !== RT.Rank && s.offset > 0 && s.offset >= c.count) return [];
  if (s.type === RT.Rank) return rankRangeKeys(store, c, s.start, s.end, s.rev);
  if (s.type === RT.Score) return scoreRangeKeys(store, c, s.score!, s.rev, s.offset, s.limit);
  return lexRangeKeys(store, c, s.lex!, s.rev, s.offset, s.limit);
}

function zrangeGeneric(type: RT, dir: 'auto' | 'fwd' | 'rev') {
  return (x: ShardExec, args: Buffer[]): void => {
    const spec = parseZrange(args, 1, false, type, dir === 'auto', dir === 'rev');
    const c = openZset(x, args[1]);
    if (!c) return x.out.array(0);
    const keys = rangeKeys(x.store, c, spec);
    replyEntries(x.out, entriesOf(x.store, c, keys, spec.withScores), spec.withScores);
  };
}

/** ZRANGESTORE's source part: the entries to store and their encoding (or throws the error). */
function rangeStoreEntries(x: ShardExec, args: Buffer[]): { e: Entries; big: boolean } {
  const spec = parseZrange(args, 2, true, RT.Auto, true, false);
  const src = openZset(x, args[2]);
  if (!src) return { e: { ms: [], ss: [] }, big: false };
  const e = entriesOf(x.store, src, rangeKeys(x.store, src, spec), true);
  const big = finishRangeStore(e, spec.type === RT.Rank && e.ms.length > LP_ENTRIES);
  return { e, big };
}

function zrangestore(x: ShardExec, args: Buffer[]): void {
  const { e, big } = rangeStoreEntries(x, args);
  x.out.int(writeZset(x, args[1], e, big));
}

/** Internal zrange-collect <ZRANGESTORE args...>: [big 0|1, member, score bytes, ...] of the source. */
function zrangeCollect(x: ShardExec, args: Buffer[]): void {
  const { e, big } = rangeStoreEntries(x, args.slice(1));
  replyRaw(x.out, e, big);
}

/** Entries for another shard: [flag, member, 8-byte score, ...]. */
function replyRaw(out: RespWriter, e: Entries, flag: boolean): void {
  out.array(1 + 2 * e.ms.length);
  out.int(flag ? 1 : 0);
  for (let i = 0; i < e.ms.length; i++) {
    out.bulk(e.ms[i]);
    out.bulk(dbl(e.ss[i]));
  }
}

function decodeRaw(d: Decoded): { flag: boolean; e: Entries } {
  const a = d as Decoded[];
  const ms: Buffer[] = [];
  const ss: number[] = [];
  for (let i = 1; i < a.length; i += 2) {
    ms.push(a[i] as Buffer);
    ss.push((a[i + 1] as Buffer).readDoubleBE(0));
  }
  return { flag: a[0] === 1n, e: { ms, ss } };
}

function zrangestoreCoordinated(ctx: CoordContext, args: Buffer[]): Promise<void> {
  const { shards, out } = ctx;
  const db = ctx.db;
  const sd = shards.of(args[1]);
  const ss = shards.of(args[2]);
  return shards.locked([sd, ss], async (tx) => {
    const r = decodeReply(await tx.exec(ss, zrangeCollectDef, db, [ZRANGE_COLLECT, ...args]));
    if (r instanceof Error) return out.error(r.message);
    const { flag, e } = decodeRaw(r);
    await storeRemote(tx, ctx, sd, args[1], e, flag);
  });
}

/** Writes a result through zset-store on the destination's shard and replies its count. */
async function storeRemote(tx: Tx, ctx: CoordContext, shard: number, dst: Buffer, e: Entries, big: boolean): Promise<void> {
  const sargs: Buffer[] = [ZSET_STORE, dst, Buffer.from(big ? '1' : '0')];
  for (let i = 0; i < e.ms.length; i++) sargs.push(e.ms[i], dbl(e.ss[i]));
  const d = decodeReply(await tx.exec(shard, zsetStoreDef, ctx.db, sargs));
  if (d instanceof Error) return ctx.out.error(d.message);
  ctx.out.int(d as bigint);
}

/** Internal zset-store dst big member score-bytes ...: replaces dst, replies the count. */
function zsetStore(x: ShardExec, args: Buffer[]): void {
  const ms: Buffer[] = [];
  const ss: number[] = [];
  for (let i = 3; i < args.length; i += 2) {
    ms.push(args[i]);
    ss.push(args[i + 1].readDoubleBE(0));
  }
  const e = { ms, ss };
  x.out.int(writeZset(x, args[1], e, args[2][0] === 49));
}

// ------------------------------------------------------------------------------------------------
// ZREMRANGEBYRANK ZREMRANGEBYSCORE ZREMRANGEBYLEX
// ------------------------------------------------------------------------------------------------

function zremrangeGeneric(type: RT) {
  return (x: ShardExec, args: Buffer[]): void => {
    let start = 0;
    let end = 0;
    let sr: ScoreRange | null = null;
    let lr: LexRange | null = null;
    if (type === RT.Rank) {
      start = parseLong(args[2]);
      end = parseLong(args[3]);
    } else if (type === RT.Score) sr = parseScoreRange(args[2], args[3]);
    else lr = parseLexRange(args[2], args[3]);
    const c = openZset(x, args[1]);
    if (!c) return x.out.int(0);
    const store = x.store;
    const keys =
      type === RT.Rank ? rankRangeKeys(store, c, start, end, false)
        : type === RT.Score ? scoreRangeKeys(store, c, sr!, false, 0, -1)
          : lexRangeKeys(store, c, lr!, false, 0, -1);
    if (keys.length === 0) return x.out.int(0);
    const rec: Buffer[] = [ZREM, args[1]];
    for (const k of keys) {
      rec.push(Buffer.from(zmemberOf(store, k)));
      zdeleteKey(store, c, k);
    }
    saveColl(x, c);
    x.binlog(rec);
    x.out.int(keys.length);
  };
}

// ------------------------------------------------------------------------------------------------
// ZPOPMIN ZPOPMAX ZMPOP
// ------------------------------------------------------------------------------------------------

/** Removes up to `n` members from the low (or high) end; returns them with their scores. */
function popEntries(x: ShardExec, c: Coll, max: boolean, n: number): Entries {
  const { start, end } = idRange(c.id);
  const keys = walk(x.store, { lo: start, hi: end, rev: max, offset: 0, limit: n });
  const e = entriesOf(x.store, c, keys, true);
  const rec: Buffer[] = [ZREM, c.key];
  for (let i = 0; i < keys.length; i++) {
    zdeleteKey(x.store, c, keys[i]);
    rec.push(e.ms[i]);
  }
  if (keys.length > 0) {
    saveColl(x, c);
    x.binlog(rec);
  }
  return e;
}

function writePairs(out: RespWriter, e: Entries): void {
  out.array(e.ms.length);
  for (let i = 0; i < e.ms.length; i++) {
    out.array(2);
    out.bulk(e.ms[i]);
    out.double(e.ss[i]);
  }
}

function zpopGeneric(max: boolean) {
  return (x: ShardExec, args: Buffer[]): void => {
    if (args.length > 3) throw new RedisError(E.syntax);
    let count = -1;
    if (args.length === 3) {
      const n = parseI64(args[2]);
      if (n === null || n < 0n) throw new RedisError(ERR_POSITIVE);
      count = Number(n);
    }
    const c = openZset(x, args[1]);
    if (!c || count === 0) return x.out.array(0);
    const e = popEntries(x, c, max, count < 0 ? 1 : count);
    if (x.out.proto === 3 && count !== -1) return writePairs(x.out, e);
    x.out.array(e.ms.length * 2);
    for (let i = 0; i < e.ms.length; i++) {
      x.out.bulk(e.ms[i]);
      x.out.double(e.ss[i]);
    }
  };
}

interface MpopArgs {
  keys: Buffer[];
  max: boolean;
  count: number;
}

/** ZMPOP numkeys key [key ...] MIN|MAX [COUNT count] (numkeys at index `at`). */
function parseMpop(args: Buffer[], at: number): MpopArgs {
  const nk = parseI64(args[at]);
  if (nk === null || nk < 1n) throw new RedisError('ERR numkeys should be greater than 0');
  const whereIdx = at + 1 + Number(nk);
  if (nk >= BigInt(args.length) || whereIdx >= args.length) throw new RedisError(E.syntax);
  let max: boolean;
  if (isKw(args[whereIdx], 'min')) max = false;
  else if (isKw(args[whereIdx], 'max')) max = true;
  else throw new RedisError(E.syntax);
  let count = -1;
  for (let j = whereIdx + 1; j < args.length; j++) {
    if (count === -1 && isKw(args[j], 'count') && j + 1 < args.length) {
      const n = parseI64(args[++j]);
      if (n === null || n < 1n) throw new RedisError('ERR count should be greater than 0');
      count = Number(n);
    } else throw new RedisError(E.syntax);
  }
  return { keys: args.slice(at + 1, whereIdx), max, count: count < 0 ? 1 : count };
}

/** Pops from `key` and writes ZMPOP's [key, [[member, score]...]]; false (nothing written) when missing. */
function mpopKey(x: ShardExec, key: Buffer, max: boolean, count: number): boolean {
  const c = openZset(x, key);
  if (!c) return false;
  const e = popEntries(x, c, max, count);
  x.out.array(2);
  x.out.bulk(key);
  writePairs(x.out, e);
  return true;
}

function zmpop(x: ShardExec, args: Buffer[]): void {
  const a = parseMpop(args, 1);
  for (const key of a.keys) if (mpopKey(x, key, a.max, a.count)) return;
  x.out.nilArray();
}

/**
 * Internal zmpop-key key min|max count: ZMPOP's reply for one key, a null array when the key is
 * missing (the cross-shard ZMPOP tries its keys in order; blocking pops may use it as well).
 */
function zmpopKey(x: ShardExec, args: Buffer[]): void {
  const max = isKw(args[2], 'max');
  if (!mpopKey(x, args[1], max, Number(args[3].toString('latin1')))) x.out.nilArray();
}

function zmpopCoordinated(ctx: CoordContext, args: Buffer[]): Promise<void> {
  const { shards, out } = ctx;
  const a = parseMpop(args, 1);
  const db = ctx.db;
  const proto = ctx.proto;
  const owners = a.keys.map((k) => shards.of(k));
  const where = Buffer.from(a.max ? 'max' : 'min');
  const count = Buffer.from(String(a.count));
  return shards.locked(owners, async (tx) => {
    for (let i = 0; i < a.keys.length; i++) {
      const r = await tx.exec(owners[i], zmpopKeyDef, db, [ZMPOP_KEY, a.keys[i], where, count], proto);
      if (isNullReply(r)) continue;
      return out.raw(r);
    }
    out.nilArray();
  });
}

function isNullReply(r: Buffer): boolean {
  return r[0] === 95 /* _ */ || (r[0] === 42 && r[1] === 45) /* *-1 */;
}

// ------------------------------------------------------------------------------------------------
// ZRANDMEMBER
// ------------------------------------------------------------------------------------------------

const I64_MIN = -(1n << 63n);
const HALF_LONG = (1n << 62n) - 1n; // LONG_MAX / 2

/** Members (sub order) and exact scores at the given ascending distinct positions. */
function entriesAt(store: ShardStore, c: Coll, idx: number[]): Entries {
  const ms: Buffer[] = [];
  const ss: number[] = [];
  const { start, end } = idRange(c.id);
  let from = start;
  let pos = 0;
  for (const i of idx) {
    for (const { key, value } of store.sub.getRange({ start: from, end, offset: i - pos || undefined, limit: 1 })) {
      ms.push(memberOf(store, key as Buffer));
      ss.push((value as Buffer).readDoubleBE(0));
      from = key as Buffer;
      pos = i;
    }
  }
  return { ms, ss };
}

/** Every member (sub order) with its score. */
function allEntries(store: ShardStore, c: Coll): Entries {
  const ms: Buffer[] = [];
  const ss: number[] = [];
  const { start, end } = idRange(c.id);
  for (const { key, value } of store.sub.getRange({ start, end })) {
    ms.push(memberOf(store, key as Buffer));
    ss.push((value as Buffer).readDoubleBE(0));
  }
  return { ms, ss };
}

function randInt(n: number): number {
  return Math.floor(Math.random() * n);
}

function zrandmember(x: ShardExec, args: Buffer[]): void {
  if (args.length >= 3) {
    const l = parseI64(args[2]);
    if (l === null) throw new RedisError(E.notInt);
    if (l === I64_MIN) throw new RedisError('ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807');
    let withScores = false;
    if (args.length > 4 || (args.length === 4 && !isKw(args[3], 'withscores'))) throw new RedisError(E.syntax);
    if (args.length === 4) {
      withScores = true;
      if (l < -HALF_LONG || l > HALF_LONG) throw new RedisError('ERR value is out of range');
    }
    return zrandmemberCount(x, args[1], l, withScores);
  }
  const c = openZset(x, args[1]);
  if (!c) return x.out.nil();
  x.out.bulk(entriesAt(x.store, c, [randInt(c.count)]).ms[0]);
}

function zrandmemberCount(x: ShardExec, key: Buffer, l: bigint, withScores: boolean): void {
  const c = openZset(x, key);
  if (!c) return x.out.array(0);
  const size = c.count;
  const uniq = l >= 0n;
  const count = Number(uniq ? l : -l);
  if (count === 0) return x.out.array(0);
  const out = x.out;
  const head = (n: number): void => out.array(withScores && out.proto === 2 ? n * 2 : n);
  const one = (m: Buffer, s: number): void => {
    if (withScores && out.proto === 3) out.array(2);
    out.bulk(m);
    if (withScores) out.double(s);
  };
  // Few picks from a big set: fetch them by position; otherwise read the set once.
  const sparse = size > 1024 && count * 64 < size;
  if (!uniq || count === 1) {
    head(count);
    if (sparse) {
      const picks = Array.from({ length: count }, () => randInt(size));
      const sorted = [...new Set(picks)].sort((a, b) => a - b);
      const e = entriesAt(x.store, c, sorted);
      const at = new Map<number, number>();
      sorted.forEach((p, i) => at.set(p, i));
      for (const p of picks) one(e.ms[at.get(p)!], e.ss[at.get(p)!]);
    } else {
      const e = allEntries(x.store, c);
      for (let i = 0; i < count; i++) {
        const r = randInt(size);
        one(e.ms[r], e.ss[r]);
      }
    }
    return;
  }
  if (count >= size) {
    // The whole set (from the highest score down, as Redis walks a listpack here).
    const { start, end } = idRange(c.id);
    const e = entriesOf(x.store, c, walk(x.store, { lo: start, hi: end, rev: true, offset: 0, limit: -1 }), true);
    head(size);
    for (let i = 0; i < size; i++) one(e.ms[i], e.ss[i]);
    return;
  }
  // `count` distinct positions (Floyd's sampling), returned in random order.
  const chosen = new Set<number>();
  for (let j = size - count; j < size; j++) {
    const t = randInt(j + 1);
    chosen.add(chosen.has(t) ? j : t);
  }
  const sorted = [...chosen].sort((a, b) => a - b);
  let e: Entries;
  if (sparse) e = entriesAt(x.store, c, sorted);
  else {
    const all = allEntries(x.store, c);
    e = { ms: sorted.map((p) => all.ms[p]), ss: sorted.map((p) => all.ss[p]) };
  }
  const order = e.ms.map((_, i) => i);
  for (let i = order.length - 1; i > 0; i--) {
    const j = randInt(i + 1);
    [order[i], order[j]] = [order[j], order[i]];
  }
  head(count);
  for (const i of order) one(e.ms[i], e.ss[i]);
}

// ------------------------------------------------------------------------------------------------
// ZUNION ZINTER ZDIFF [STORE], ZINTERCARD
// ------------------------------------------------------------------------------------------------

const enum Op {
  Union,
  Inter,
  Diff,
}

const enum Agg {
  Sum,
  Min,
  Max,
}

/** A source as the algorithm sees it: type (-1 missing, T_ZSET, T_SET) and size. */
interface SrcInfo {
  type: number;
  count: number;
}

type Need = { all: number } | { lookup: number; members: Buffer[] };
type Answer = Entries | Array<number | null>;

function aggregate(target: number, val: number, agg: Agg): number {
  if (agg === Agg.Sum) {
    const t = target + val;
    return Number.isNaN(t) ? 0 : t;
  }
  if (agg === Agg.Min) return val < target ? val : target;
  return val > target ? val : target;
}

/**
 * zunionInterDiffGenericCommand's algorithm over sources known by type and size; it asks for a
 * whole source ({all}) or the scores of some members in one ({lookup}). Union and inter visit
 * the sources from the smallest (a stable sort, as glibc's qsort is), which fixes the order of
 * floating point sums. Returns the result members and scores (unsorted).
 */
function* setOpAlgo(op: Op, srcs: SrcInfo[], weights: number[], agg: Agg): Generator<Need, Entries, Answer> {
  const n = srcs.length;
  const order = srcs.map((_, i) => i);
  if (op !== Op.Diff) order.sort((a, b) => srcs[a].count - srcs[b].count);
  if (op === Op.Union) {
    const acc = new Map<string, number>();
    const members = new Map<string, Buffer>();
    for (const i of order) {
      if (srcs[i].count === 0) continue;
      const all = (yield { all: i }) as Entries;
      const w = weights[i];
      for (let k = 0; k < all.ms.length; k++) {
        let v = w * all.ss[k];
        if (Number.isNaN(v)) v = 0;
        const id = all.ms[k].toString('latin1');
        const cur = acc.get(id);
        if (cur === undefined) {
          acc.set(id, v);
          members.set(id, all.ms[k]);
        } else acc.set(id, aggregate(cur, v, agg));
      }
    }
    const ms: Buffer[] = [];
    const ss: number[] = [];
    for (const [id, v] of acc) {
      ms.push(members.get(id)!);
      ss.push(v);
    }
    return { ms, ss };
  }
  const first = order[0];
  if (srcs[first].count === 0) return { ms: [], ss: [] };
  const all = (yield { all: first }) as Entries;
  let ms = all.ms;
  let ss = all.ss;
  if (op === Op.Inter) {
    const w = weights[first];
    ss = ss.map((s) => {
      const v = w * s;
      return Number.isNaN(v) ? 0 : v;
    });
  }
  for (let j = 1; j < n && ms.length > 0; j++) {
    const src = order[j];
    if (op === Op.Diff && srcs[src].count === 0) continue;
    const found = (yield { lookup: src, members: ms }) as Array<number | null>;
    const nms: Buffer[] = [];
    const nss: number[] = [];
    for (let k = 0; k < ms.length; k++) {
      const f = found[k];
      if (op === Op.Inter) {
        if (f === null) continue;
        nms.push(ms[k]);
        nss.push(aggregate(ss[k], f * weights[src], agg));
      } else if (f === null) {
        nms.push(ms[k]);
        nss.push(ss[k]);
      }
    }
    ms = nms;
    ss = nss;
  }
  return { ms, ss };
}

/** Sorts a result by score, then member (the skiplist order). */
function sortEntries(e: Entries): Entries {
  const idx = e.ms.map((_, i) => i);
  idx.sort((a, b) => e.ss[a] - e.ss[b] || Buffer.compare(e.ms[a], e.ms[b]));
  return { ms: idx.map((i) => e.ms[i]), ss: idx.map((i) => e.ss[i]) };
}

interface SetOpHead {
  keys: Buffer[];
  /** index of the first option */
  next: number;
}

/** numkeys and the key list (numIdx: index of numkeys). */
function parseSetOpHead(args: Buffer[], numIdx: number, name: string): SetOpHead {
  const nk = parseI64(args[numIdx]);
  if (nk === null) throw new RedisError(E.notInt);
  if (nk < 1n) throw new RedisError(`ERR at least 1 input key is needed for '${name}' command`);
  if (nk > BigInt(args.length - (numIdx + 1))) throw new RedisError(E.syntax);
  const n = Number(nk);
  return { keys: args.slice(numIdx + 1, numIdx + 1 + n), next: numIdx + 1 + n };
}

interface SetOpOpts {
  weights: number[];
  agg: Agg;
  withScores: boolean;
  limit: number;
}

/** The options after the keys (parsed after the key types were checked, as Redis does). */
function parseSetOpOpts(args: Buffer[], head: SetOpHead, op: Op, hasDst: boolean, cardOnly: boolean): SetOpOpts {
  const n = head.keys.length;
  const o: SetOpOpts = { weights: new Array<number>(n).fill(1), agg: Agg.Sum, withScores: false, limit: 0 };
  let j = head.next;
  let remaining = args.length - j;
  while (remaining > 0) {
    const a = args[j];
    if (op !== Op.Diff && !cardOnly && remaining >= n + 1 && isKw(a, 'weights')) {
      j++;
      remaining--;
      for (let i = 0; i < n; i++, j++, remaining--) {
        const w = parseDoubleArg(args[j]);
        if (w === null) throw new RedisError(ERR_WEIGHT);
        o.weights[i] = w;
      }
    } else if (op !== Op.Diff && !cardOnly && remaining >= 2 && isKw(a, 'aggregate')) {
      j++;
      remaining--;
      const v = args[j];
      if (isKw(v, 'sum')) o.agg = Agg.Sum;
      else if (isKw(v, 'min')) o.agg = Agg.Min;
      else if (isKw(v, 'max')) o.agg = Agg.Max;
      else throw new RedisError(E.syntax);
      j++;
      remaining--;
    } else if (remaining >= 1 && !hasDst && !cardOnly && isKw(a, 'withscores')) {
      j++;
      remaining--;
      o.withScores = true;
    } else if (cardOnly && remaining >= 2 && isKw(a, 'limit')) {
      j++;
      remaining--;
      const l = parseI64(args[j]);
      if (l === null || l < 0n) throw new RedisError("ERR LIMIT can't be negative");
      o.limit = Number(l);
      j++;
      remaining--;
    } else throw new RedisError(E.syntax);
  }
  return o;
}

/** A source in this shard: type and size, WRONGTYPE for anything but a sorted set or a set. */
function localSrc(x: ShardExec, key: Buffer): { info: SrcInfo; c: Coll | null } {
  const f = x.store.find(x.db, key, x.now);
  if (!f.meta) return { info: { type: -1, count: 0 }, c: null };
  if (f.meta.type !== T_ZSET && f.meta.type !== T_SET) throw new WrongTypeError();
  const c = collOf(key, f.meta);
  return { info: { type: c.type, count: c.count }, c };
}

/** Every member of a sorted set or a set (score 1). */
function srcAll(store: ShardStore, c: Coll): Entries {
  if (c.type === T_ZSET) return allEntries(store, c);
  const ms: Buffer[] = [];
  const { start, end } = idRange(c.id);
  for (const key of store.sub.getKeys({ start, end })) ms.push(memberOf(store, key as Buffer));
  return { ms, ss: new Array<number>(ms.length).fill(1) };
}

function srcLookup(store: ShardStore, c: Coll | null, members: Buffer[]): Array<number | null> {
  return members.map((m) => {
    if (!c) return null;
    const v = store.sub.getBinary(subKey(c.id, m));
    if (v === undefined) return null;
    return c.type === T_ZSET ? v.readDoubleBE(0) : 1;
  });
}

/** Runs the algorithm against sources in this shard. */
function runLocal(x: ShardExec, gen: Generator<Need, Entries, Answer>, colls: Array<Coll | null>): Entries {
  let r = gen.next();
  while (!r.done) {
    const need = r.value;
    if ('all' in need) r = gen.next(srcAll(x.store, colls[need.all]!));
    else r = gen.next(srcLookup(x.store, colls[need.lookup], need.members));
  }
  return r.value;
}

interface SetOpCmd {
  op: Op;
  name: string;
  /** index of numkeys */
  numIdx: number;
  hasDst: boolean;
  cardOnly: boolean;
}

const CMD_ZUNION: SetOpCmd = { op: Op.Union, name: 'zunion', numIdx: 1, hasDst: false, cardOnly: false };
const CMD_ZINTER: SetOpCmd = { op: Op.Inter, name: 'zinter', numIdx: 1, hasDst: false, cardOnly: false };
const CMD_ZDIFF: SetOpCmd = { op: Op.Diff, name: 'zdiff', numIdx: 1, hasDst: false, cardOnly: false };
const CMD_ZUNIONSTORE: SetOpCmd = { op: Op.Union, name: 'zunionstore', numIdx: 2, hasDst: true, cardOnly: false };
const CMD_ZINTERSTORE: SetOpCmd = { op: Op.Inter, name: 'zinterstore', numIdx: 2, hasDst: true, cardOnly: false };
const CMD_ZDIFFSTORE: SetOpCmd = { op: Op.Diff, name: 'zdiffstore', numIdx: 2, hasDst: true, cardOnly: false };
const CMD_ZINTERCARD: SetOpCmd = { op: Op.Inter, name: 'zintercard', numIdx: 1, hasDst: false, cardOnly: true };

/** Replies a set operation's result (or stores it through `store`). */
function finishSetOp(
  out: RespWriter, k: SetOpCmd, o: SetOpOpts, raw: Entries, store: (e: Entries, big: boolean) => void | Promise<void>,
): void | Promise<void> {
  if (k.cardOnly) {
    const n = raw.ms.length;
    return out.int(o.limit > 0 && n > o.limit ? o.limit : n);
  }
  const e = sortEntries(raw);
  if (k.hasDst) {
    const big = finishSetOpStore(e);
    return store(e, big);
  }
  replyEntries(out, e, o.withScores);
}

function setOpLocal(k: SetOpCmd) {
  return (x: ShardExec, args: Buffer[]): void => {
    const head = parseSetOpHead(args, k.numIdx, k.name);
    const infos: SrcInfo[] = [];
    const colls: Array<Coll | null> = [];
    for (const key of head.keys) {
      const s = localSrc(x, key);
      infos.push(s.info);
      colls.push(s.c);
    }
    const o = parseSetOpOpts(args, head, k.op, k.hasDst, k.cardOnly);
    const raw = runLocal(x, setOpAlgo(k.op, infos, o.weights, o.agg), colls);
    finishSetOp(x.out, k, o, raw, (e, big) => x.out.int(writeZset(x, args[1], e, big)));
  };
}

/** Internal zset-meta key...: [type (-1 missing), size] per key, without type checks. */
function zsetMeta(x: ShardExec, args: Buffer[]): void {
  x.out.array((args.length - 1) * 2);
  for (let i = 1; i < args.length; i++) {
    const f = x.store.find(x.db, args[i], x.now);
    if (!f.meta) {
      x.out.int(-1);
      x.out.int(0);
    } else {
      x.out.int(f.meta.type);
      x.out.int(f.meta.type === T_ZSET || f.meta.type === T_SET ? readU64BE(payload(f.meta), 8) : 0);
    }
  }
}

/** Internal zset-all key: [0, member, score bytes, ...] of a sorted set or a set. */
function zsetAll(x: ShardExec, args: Buffer[]): void {
  const s = localSrc(x, args[1]);
  replyRaw(x.out, s.c ? srcAll(x.store, s.c) : { ms: [], ss: [] }, false);
}

/** Internal zset-lookup key member...: score bytes or nil per member. */
function zsetLookup(x: ShardExec, args: Buffer[]): void {
  const s = localSrc(x, args[1]);
  const found = srcLookup(x.store, s.c, args.slice(2));
  x.out.array(found.length);
  for (const f of found) x.out.bulk(f === null ? null : dbl(f));
}

function setOpCoordinated(k: SetOpCmd) {
  return (ctx: CoordContext, args: Buffer[]): Promise<void> => {
    const { shards, out } = ctx;
    const db = ctx.db;
    const head = parseSetOpHead(args, k.numIdx, k.name);
    const keys = head.keys;
    const shardOfKey = keys.map((key) => shards.of(key));
    const dstShard = k.hasDst ? shards.of(args[1]) : -1;
    const involved = k.hasDst ? [...shardOfKey, dstShard] : shardOfKey;
    return shards.locked(involved, async (tx) => {
      // Types and sizes, one step per shard.
      const byShard = new Map<number, number[]>();
      shardOfKey.forEach((s, i) => {
        let l = byShard.get(s);
        if (!l) byShard.set(s, (l = []));
        l.push(i);
      });
      const infos: SrcInfo[] = new Array(keys.length);
      const replies = await Promise.all(
        [...byShard].map(([s, idx]) => tx.exec(s, zsetMetaDef, db, [ZSET_META, ...idx.map((i) => keys[i])]).then((r) => ({ idx, r }))),
      );
      for (const { idx, r } of replies) {
        const d = decodeReply(r);
        if (d instanceof Error) return out.error(d.message);
        const a = d as bigint[];
        idx.forEach((i, j) => (infos[i] = { type: Number(a[2 * j]), count: Number(a[2 * j + 1]) }));
      }
      for (const inf of infos) if (inf.type !== -1 && inf.type !== T_ZSET && inf.type !== T_SET) return out.error(E.wrongType);
      let o: SetOpOpts;
      try {
        o = parseSetOpOpts(args, head, k.op, k.hasDst, k.cardOnly);
      } catch (e) {
        return out.error((e as Error).message);
      }
      const gen = setOpAlgo(k.op, infos, o.weights, o.agg);
      let r = gen.next();
      while (!r.done) {
        const need = r.value;
        if ('all' in need) {
          const d = decodeReply(await tx.exec(shardOfKey[need.all], zsetAllDef, db, [ZSET_ALL, keys[need.all]]));
          if (d instanceof Error) return out.error(d.message);
          r = gen.next(decodeRaw(d).e);
        } else {
          const i = need.lookup;
          const d = decodeReply(await tx.exec(shardOfKey[i], zsetLookupDef, db, [ZSET_LOOKUP, keys[i], ...need.members]));
          if (d instanceof Error) return out.error(d.message);
          r = gen.next((d as Array<Buffer | null>).map((b) => (b === null ? null : b.readDoubleBE(0))));
        }
      }
      await finishSetOp(out, k, o, r.value, (e, big) => storeRemote(tx, ctx, dstShard, args[1], e, big));
    });
  };
}

// ------------------------------------------------------------------------------------------------
// ZSCAN
// ------------------------------------------------------------------------------------------------

function zscan(x: ShardExec, args: Buffer[]): void {
  const cursor = parseCursor(args[2]);
  if (cursor === null) throw new RedisError(E.invalidCursor);
  const c = openZset(x, args[1]);
  const out = x.out;
  if (!c) return emptyScanReply(out);
  const { count, match } = parseScanOptions(args);
  const found: Buffer[] = [];
  let next = 0n;
  if (!isBig(c)) {
    // A listpack is returned whole, in order, whatever the cursor and COUNT.
    const e = entriesOf(x.store, c, allKeys(x.store, c), true);
    for (let i = 0; i < e.ms.length; i++) {
      if (match && !match(e.ms[i])) continue;
      found.push(e.ms[i], Buffer.from(formatDouble(e.ss[i])));
    }
  } else {
    const step = scanStep(x.store, c.id, cursor, count, true);
    step.members.forEach((m, i) => {
      if (!match || match(m)) found.push(m, Buffer.from(formatDouble(step.values[i].readDoubleBE(0))));
    });
    next = step.next;
  }
  scanReply(out, next, found);
}

// ------------------------------------------------------------------------------------------------
// Key type operations: OBJECT ENCODING, COPY, cross-shard RENAME / COPY
// ------------------------------------------------------------------------------------------------

keyTypeOps[T_ZSET] = {
  encoding(m) {
    return payload(m)[16] & F_BIG ? 'skiplist' : 'listpack';
  },
  refcount() {
    return 1;
  },
  // Redis's COPY keeps the encoding and the exact scores of the source
  copy: copyCollection,
  dump(store, m) {
    // [flags u8] then [u32 length][member][float64 score] per member
    const p = payload(m);
    const c: Coll = { key: EMPTY, mk: m.mk, old: m, type: T_ZSET, id: readU64BE(p, 0), count: readU64BE(p, 8), flags: p[16], extra: EMPTY };
    const e = allEntries(store, c);
    let size = 1;
    for (const mb of e.ms) size += 12 + mb.length;
    const b = Buffer.allocUnsafe(size);
    b[0] = c.flags;
    let o = 1;
    for (let i = 0; i < e.ms.length; i++) {
      b.writeUInt32BE(e.ms[i].length, o);
      e.ms[i].copy(b, o + 4);
      o += 4 + e.ms[i].length;
      b.writeDoubleBE(e.ss[i], o);
      o += 8;
    }
    return b;
  },
  restore(x, key, to, dump, expire) {
    const store = x.store;
    const c = newColl(x, key, to.mk, T_ZSET);
    c.flags = dump[0];
    const rec: Buffer[] = [ZADD, key];
    let o = 1;
    while (o < dump.length) {
      const len = dump.readUInt32BE(o);
      const m = dump.subarray(o + 4, o + 4 + len);
      const s = dump.readDoubleBE(o + 4 + len);
      o += 12 + len;
      putMember(store, c.id, m, dbl(s));
      store.zscore.putSync(zkey(c.id, s, m), EMPTY);
      c.count++;
      rec.push(Buffer.from(formatDouble(s)), m);
    }
    const body = Buffer.allocUnsafe(COLL_FIXED);
    writeU64BE(body, c.id, 0);
    writeU64BE(body, c.count, 8);
    body[16] = c.flags;
    const raw = encodeMeta(T_ZSET, readU64BE(expire, 0), store.longKey(key), body);
    expire.copy(raw, 2, 0, 8);
    store.put(x.db, to.mk, raw, to.meta, true);
    if (to.meta) x.binlog([DEL, key]);
    x.binlog(rec);
    const at = expire.readBigUInt64BE(0);
    if (at !== 0n) x.binlog([PEXPIREAT, key, Buffer.from(String(at))]);
  },
};

// ------------------------------------------------------------------------------------------------
// The table
// ------------------------------------------------------------------------------------------------

const ZRANGE_COLLECT = Buffer.from('zrange-collect');
const ZSET_STORE = Buffer.from('zset-store');
const ZSET_META = Buffer.from('zset-meta');
const ZSET_ALL = Buffer.from('zset-all');
const ZSET_LOOKUP = Buffer.from('zset-lookup');
const ZMPOP_KEY = Buffer.from('zmpop-key');

const G = { group: 'sorted-set' } as const;
const ZS = ['sortedset'];
const ks = (flags: string[], index = 1): KeySpecDoc[] => [keySpec(flags, index)];
const NUMKEYS_SPEC = (flags: string[], index: number): KeySpecDoc => ({ flags, begin: { index }, find: { keynumidx: 0, firstkey: 1, keystep: 1 } });
const RANGE_RO = ks(['RO', 'access']);
const STORE_SPECS = [keySpec(['OW', 'update']), NUMKEYS_SPEC(['RO', 'access'], 2)];
const BYSCORE_COMPLEXITY =
  'O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements being returned. If M is constant (e.g. always asking for the first 10 elements with LIMIT), you can consider it O(log(N)).';
const REMRANGE_COMPLEXITY = 'O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements removed by the operation.';
const POP_COMPLEXITY = (which: string) => `O(log(N)*M) with N being the number of elements in the sorted set, and M being the number of elements popped.${which}`;

function internalDef(name: string, arity: number, write: boolean, shard: (x: ShardExec, args: Buffer[]) => void, summary: string): CommandDef {
  return cmd({ name, arity, flags: [write ? 'write' : 'readonly'], acl: ZS, shard, internal: true, summary, since: '7.0.0', ...G });
}

const zrangeCollectDef = internalDef('zrange-collect', -6, false, zrangeCollect, 'Internal: the entries of a cross-shard ZRANGESTORE.');
const zsetStoreDef = { ...internalDef('zset-store', -3, true, zsetStore, 'Internal: writes the result of a cross-shard sorted set command.'), capturedReply: (args: Buffer[]) => (args.length - 3) / 2 };
const zsetMetaDef = internalDef('zset-meta', -2, false, zsetMeta, 'Internal: types and sizes of sorted set command sources.');
const zsetAllDef = internalDef('zset-all', 2, false, zsetAll, 'Internal: every member of a sorted set or set source.');
const zsetLookupDef = internalDef('zset-lookup', -2, false, zsetLookup, 'Internal: scores of some members of a sorted set or set source.');
const zmpopKeyDef = internalDef('zmpop-key', 4, true, zmpopKey, 'Internal: ZMPOP on one key (null array when missing).');


export const zsetCommands: CommandDef[] = [
  cmd({
    name: 'zadd', arity: -4, flags: ['write', 'denyoom', 'fast'], acl: ZS, shard: zadd,
    keySpecs: ks(['RW', 'update']),
    summary: 'Add one or more members to a sorted set, or update its score if it already exists', since: '1.2.0', ...G,
    complexity: 'O(log(N)) for each item added, where N is the number of elements in the sorted set.',
  }),
  cmd({
    name: 'zincrby', arity: 4, flags: ['write', 'denyoom', 'fast'], acl: ZS, shard: zincrby,
    keySpecs: ks(['RW', 'access', 'update']),
    summary: 'Increment the score of a member in a sorted set', since: '1.2.0', ...G,
    complexity: 'O(log(N)) where N is the number of elements in the sorted set.',
  }),
  cmd({
    name: 'zrem', arity: -3, flags: ['write', 'fast'], acl: ZS, shard: zrem,
    keySpecs: ks(['RW', 'delete']),
    summary: 'Remove one or more members from a sorted set', since: '1.2.0', ...G,
    complexity: 'O(M*log(N)) with N being the number of elements in the sorted set and M the number of elements to be removed.',
  }),
  cmd({
    name: 'zcard', direct: true, arity: 2, flags: ['readonly', 'fast'], acl: ZS, shard: zcard,
    keySpecs: ks(['RO']),
    summary: 'Get the number of members in a sorted set', since: '1.2.0', ...G, complexity: 'O(1)',
  }),
  cmd({
    name: 'zcount', direct: true, arity: 4, flags: ['readonly', 'fast'], acl: ZS, shard: zcount,
    keySpecs: RANGE_RO,
    summary: 'Count the members in a sorted set with scores within the given values', since: '2.0.0', ...G,
    complexity: 'O(log(N)) with N being the number of elements in the sorted set.',
  }),
  cmd({
    name: 'zlexcount', arity: 4, flags: ['readonly', 'fast'], acl: ZS, shard: zlexcount,
    keySpecs: RANGE_RO,
    summary: 'Count the number of members in a sorted set between a given lexicographical range', since: '2.8.9', ...G,
    complexity: 'O(log(N)) with N being the number of elements in the sorted set.',
  }),
  cmd({
    name: 'zscore', direct: true, arity: 3, flags: ['readonly', 'fast'], acl: ZS, shard: zscore,
    keySpecs: RANGE_RO,
    summary: 'Get the score associated with the given member in a sorted set', since: '1.2.0', ...G, complexity: 'O(1)',
  }),
  cmd({
    name: 'zmscore', direct: true, arity: -3, flags: ['readonly', 'fast'], acl: ZS, shard: zmscore,
    keySpecs: RANGE_RO,
    summary: 'Get the score associated with the given members in a sorted set', since: '6.2.0', ...G,
    complexity: 'O(N) where N is the number of members being requested.',
  }),
  cmd({
    name: 'zrank', direct: true, arity: 3, flags: ['readonly', 'fast'], acl: ZS, shard: zrankGeneric(false),
    keySpecs: RANGE_RO,
    summary: 'Determine the index of a member in a sorted set', since: '2.0.0', ...G, complexity: 'O(log(N))',
  }),
  cmd({
    name: 'zrevrank', direct: true, arity: 3, flags: ['readonly', 'fast'], acl: ZS, shard: zrankGeneric(true),
    keySpecs: RANGE_RO,
    summary: 'Determine the index of a member in a sorted set, with scores ordered from high to low', since: '2.0.0', ...G, complexity: 'O(log(N))',
  }),
  cmd({
    name: 'zrange', slowWork: rankRangeWork, arity: -4, flags: ['readonly'], acl: ZS, shard: zrangeGeneric(RT.Auto, 'auto'), slow: true,
    keySpecs: RANGE_RO,
    summary: 'Return a range of members in a sorted set', since: '1.2.0', ...G,
    complexity: 'O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements returned.',
  }),
  cmd({
    name: 'zrangebyscore', arity: -4, flags: ['readonly'], acl: ZS, shard: zrangeGeneric(RT.Score, 'fwd'), slow: true,
    keySpecs: RANGE_RO,
    summary: 'Return a range of members in a sorted set, by score', since: '1.0.5', ...G, complexity: BYSCORE_COMPLEXITY,
  }),
  cmd({
    name: 'zrevrangebyscore', arity: -4, flags: ['readonly'], acl: ZS, shard: zrangeGeneric(RT.Score, 'rev'), slow: true,
    keySpecs: RANGE_RO,
    summary: 'Return a range of members in a sorted set, by score, with scores ordered from high to low', since: '2.2.0', ...G,
    complexity: BYSCORE_COMPLEXITY,
  }),
  cmd({
    name: 'zrangebylex', arity: -4, flags: ['readonly'], acl: ZS, shard: zrangeGeneric(RT.Lex, 'fwd'), slow: true,
    keySpecs: RANGE_RO,
    summary: 'Return a range of members in a sorted set, by lexicographical range', since: '2.8.9', ...G, complexity: BYSCORE_COMPLEXITY,
  }),
  cmd({
    name: 'zrevrangebylex', arity: -4, flags: ['readonly'], acl: ZS, shard: zrangeGeneric(RT.Lex, 'rev'), slow: true,
    keySpecs: RANGE_RO,
    summary: 'Return a range of members in a sorted set, by lexicographical range, ordered from higher to lower strings.', since: '2.8.9', ...G,
    complexity: BYSCORE_COMPLEXITY,
  }),
  cmd({
    name: 'zrevrange', slowWork: rankRangeWork, arity: -4, flags: ['readonly'], acl: ZS, shard: zrangeGeneric(RT.Rank, 'rev'), slow: true,
    keySpecs: RANGE_RO,
    summary: 'Return a range of members in a sorted set, by index, with scores ordered from high to low', since: '1.2.0', ...G,
    complexity: 'O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements returned.',
  }),
  cmd({
    name: 'zrangestore', slowWork: rangeStoreWork, destination: STORE_TO_FIRST, arity: -5, flags: ['write', 'denyoom'], acl: ZS, shard: zrangestore, coordinated: zrangestoreCoordinated,
    slow: true, keySpecs: [keySpec(['OW', 'update']), keySpec(['RO', 'access'], 2)],
    summary: 'Store a range of members from sorted set into another key', since: '6.2.0', ...G,
    complexity: 'O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements stored into the destination key.',
  }),
  cmd({
    name: 'zremrangebyrank', arity: 4, flags: ['write'], acl: ZS, shard: zremrangeGeneric(RT.Rank), slow: true,
    keySpecs: ks(['RW', 'delete']),
    summary: 'Remove all members in a sorted set within the given indexes', since: '2.0.0', ...G, complexity: REMRANGE_COMPLEXITY,
  }),
  cmd({
    name: 'zremrangebyscore', arity: 4, flags: ['write'], acl: ZS, shard: zremrangeGeneric(RT.Score), slow: true,
    keySpecs: ks(['RW', 'delete']),
    summary: 'Remove all members in a sorted set within the given scores', since: '1.2.0', ...G, complexity: REMRANGE_COMPLEXITY,
  }),
  cmd({
    name: 'zremrangebylex', arity: 4, flags: ['write'], acl: ZS, shard: zremrangeGeneric(RT.Lex), slow: true,
    keySpecs: ks(['RW', 'delete']),
    summary: 'Remove all members in a sorted set between the given lexicographical range', since: '2.8.9', ...G, complexity: REMRANGE_COMPLEXITY,
  }),
  cmd({
    name: 'zpopmin', arity: -2, flags: ['write', 'fast'], acl: ZS, shard: zpopGeneric(false),
    keySpecs: ks(['RW', 'access', 'delete']),
    summary: 'Remove and return members with the lowest scores in a sorted set', since: '5.0.0', ...G, complexity: POP_COMPLEXITY(''),
  }),
  cmd({
    name: 'zpopmax', arity: -2, flags: ['write', 'fast'], acl: ZS, shard: zpopGeneric(true),
    keySpecs: ks(['RW', 'access', 'delete']),
    summary: 'Remove and return members with the highest scores in a sorted set', since: '5.0.0', ...G, complexity: POP_COMPLEXITY(''),
  }),
  cmd({
    name: 'zmpop', arity: -4, flags: ['write', 'movablekeys'], acl: ZS, shard: zmpop, coordinated: zmpopCoordinated,
    keySpecs: [NUMKEYS_SPEC(['RW', 'access', 'delete'], 1)],
    summary: 'Remove and return members with scores in a sorted set', since: '7.0.0', ...G,
    complexity: 'O(K) + O(M*log(N)) where K is the number of provided keys, N being the number of elements in the sorted set, and M being the number of elements popped.',
  }),
  cmd({
    name: 'zrandmember', slowWork: drawWork, arity: -2, flags: ['readonly'], acl: ZS, shard: zrandmember, slow: true,
    keySpecs: RANGE_RO, tips: ['nondeterministic_output'],
    summary: 'Get one or multiple random elements from a sorted set', since: '6.2.0', ...G, complexity: 'O(N) where N is the number of elements returned',
  }),
  cmd({
    name: 'zunion', arity: -3, flags: ['readonly', 'movablekeys'], acl: ZS, shard: setOpLocal(CMD_ZUNION),
    coordinated: setOpCoordinated(CMD_ZUNION), slow: true, keySpecs: [NUMKEYS_SPEC(['RO', 'access'], 1)],
    summary: 'Add multiple sorted sets', since: '6.2.0', ...G,
    complexity: 'O(N)+O(M*log(M)) with N being the sum of the sizes of the input sorted sets, and M being the number of elements in the resulting sorted set.',
  }),
  cmd({
    name: 'zinter', arity: -3, flags: ['readonly', 'movablekeys'], acl: ZS, shard: setOpLocal(CMD_ZINTER),
    coordinated: setOpCoordinated(CMD_ZINTER), slow: true, keySpecs: [NUMKEYS_SPEC(['RO', 'access'], 1)],
    summary: 'Intersect multiple sorted sets', since: '6.2.0', ...G,
    complexity: 'O(N*K)+O(M*log(M)) worst case with N being the smallest input sorted set, K being the number of input sorted sets and M being the number of elements in the resulting sorted set.',
  }),
  cmd({
    name: 'zdiff', arity: -3, flags: ['readonly', 'movablekeys'], acl: ZS, shard: setOpLocal(CMD_ZDIFF),
    coordinated: setOpCoordinated(CMD_ZDIFF), slow: true, keySpecs: [NUMKEYS_SPEC(['RO', 'access'], 1)],
    summary: 'Subtract multiple sorted sets', since: '6.2.0', ...G,
    complexity: 'O(L + (N-K)log(N)) worst case where L is the total number of elements in all the sets, N is the size of the first set, and K is the size of the result set.',
  }),
  cmd({
    name: 'zunionstore', destination: STORE_TO_FIRST, arity: -4, flags: ['write', 'denyoom', 'movablekeys'], acl: ZS,     shard: setOpLocal(CMD_ZUNIONSTORE), coordinated: setOpCoordinated(CMD_ZUNIONSTORE), slow: true, keySpecs: STORE_SPECS,
    summary: 'Add multiple sorted sets and store the resulting sorted set in a new key', since: '2.0.0', ...G,
    complexity: 'O(N)+O(M log(M)) with N being the sum of the sizes of the input sorted sets, and M being the number of elements in the resulting sorted set.',
  }),
  cmd({
    name: 'zinterstore', destination: STORE_TO_FIRST, arity: -4, flags: ['write', 'denyoom', 'movablekeys'], acl: ZS,     shard: setOpLocal(CMD_ZINTERSTORE), coordinated: setOpCoordinated(CMD_ZINTERSTORE), slow: true, keySpecs: STORE_SPECS,
    summary: 'Intersect multiple sorted sets and store the resulting sorted set in a new key', since: '2.0.0', ...G,
    complexity: 'O(N*K)+O(M*log(M)) worst case with N being the smallest input sorted set, K being the number of input sorted sets and M being the number of elements in the resulting sorted set.',
  }),
  cmd({
    name: 'zdiffstore', destination: STORE_TO_FIRST, arity: -4, flags: ['write', 'denyoom', 'movablekeys'], acl: ZS,     shard: setOpLocal(CMD_ZDIFFSTORE), coordinated: setOpCoordinated(CMD_ZDIFFSTORE), slow: true, keySpecs: STORE_SPECS,
    summary: 'Subtract multiple sorted sets and store the resulting sorted set in a new key', since: '6.2.0', ...G,
    complexity: 'O(L + (N-K)log(N)) worst case where L is the total number of elements in all the sets, N is the size of the first set, and K is the size of the result set.',
  }),
  cmd({
    name: 'zintercard', arity: -3, flags: ['readonly', 'movablekeys'], acl: ZS, shard: setOpLocal(CMD_ZINTERCARD),
    coordinated: setOpCoordinated(CMD_ZINTERCARD), slow: true, keySpecs: [NUMKEYS_SPEC(['RO', 'access'], 1)],
    summary: 'Intersect multiple sorted sets and return the cardinality of the result', since: '7.0.0', ...G,
    complexity: 'O(N*K) worst case with N being the smallest input sorted set, K being the number of input sorted sets.',
  }),
  cmd({
    name: 'zscan', slowWork: scanWork, arity: -3, flags: ['readonly'], acl: ZS, shard: zscan, slow: true,
    keySpecs: RANGE_RO, tips: ['nondeterministic_output'],
    summary: 'Incrementally iterate sorted sets elements and associated scores', since: '2.8.0', ...G,
    complexity: 'O(1) for every call. O(N) for a complete iteration, including enough command calls for the cursor to return back to 0. N is the number of elements inside the collection..',
  }),
  zrangeCollectDef,
  zsetStoreDef,
  zsetMetaDef,
  zsetAllDef,
  zsetLookupDef,
  zmpopKeyDef,
];
