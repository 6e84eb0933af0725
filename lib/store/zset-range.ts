// Ranges of a sorted set over `zscore` (layout: lib/store/zset.ts): by rank, by score, by lex;
// their counts (ZCOUNT, ZLEXCOUNT); removing a range (ZREMRANGEBY*); ZRANGESTORE's source.
//
// A score range becomes [lo, hi) bounds of zscore keys (a seek and a count or walk in LMDB). Lex
// ranges follow the listpack walk (first member >= min from the start, then while <= max), which
// is what Redis does whenever all scores are equal (the documented use) and for every small set;
// with equal scores the walk is a seek. With mixed scores in a big set Redis's skiplist walk
// depends on its random levels (undefined behaviour): respdb keeps the listpack answer.

import type { StoreCtx } from './context.js';
import type { ShardStore } from './shard-store.js';
import { writeU64BE } from './keys.js';
import { INLINE_MAX, idRange, sortableScore, zmemberOf, type Coll } from './collections.js';
import { encodingLimits } from './encoding-limits.js';
import { countKeys, entriesOf, openZset, removeKeys, walk, type Entries } from './zset.js';
import { EV } from './key-events.js';

const ZERO_BYTE = Buffer.from([0]);

/** A score range: min and max, each inclusive unless marked exclusive ('(' in Redis's syntax). */
export interface ScoreRange {
  min: number;
  max: number;
  minex: boolean;
  maxex: boolean;
}

export function scoreRangeEmpty(r: ScoreRange): boolean {
  return r.min > r.max || (r.min === r.max && (r.minex || r.maxex));
}

/** A lex range end: '-' (inf -1), '+' (inf 1), or a string, exclusive with '('. */
export interface LexBound {
  inf: -1 | 0 | 1;
  s: Buffer;
  ex: boolean;
}

export interface LexRange {
  min: LexBound;
  max: LexBound;
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

// ------------------------------------------------------------------------------------------------
// By score
// ------------------------------------------------------------------------------------------------

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

/** ZCOUNT: the members of `key` in the score range (0 for a missing key). Throws WRONGTYPE. */
export function countByScore(x: StoreCtx, key: Buffer, r: ScoreRange): number {
  const c = openZset(x, key);
  if (!c || scoreRangeEmpty(r)) return 0;
  const { lo, hi } = scoreBounds(c.id, r);
  return countKeys(x.store, lo, hi);
}

// ------------------------------------------------------------------------------------------------
// By lex
// ------------------------------------------------------------------------------------------------

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
  const { start, end } = idRange(c.id);
  const all = walk(store, { lo: start, hi: end, rev: false, offset: 0, limit: -1 });
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

/** ZLEXCOUNT: the members of `key` in the lex range (0 for a missing key). Throws WRONGTYPE. */
export function countByLex(x: StoreCtx, key: Buffer, r: LexRange): number {
  const c = openZset(x, key);
  if (!c || lexRangeEmpty(r)) return 0;
  const store = x.store;
  const ends = endKeys(store, c);
  if (!ends) return 0;
  if (!lexGteMin(zmemberOf(store, ends.last), r) || !lexLteMax(zmemberOf(store, ends.first), r)) return 0;
  const seek = lexSeekBounds(c, r, ends);
  if (seek) return countKeys(store, seek.lo, seek.hi);
  return lexRangeKeys(store, c, r, false, 0, -1).length;
}

// ------------------------------------------------------------------------------------------------
// By rank, and the ZRANGE query
// ------------------------------------------------------------------------------------------------

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

export const enum RangeBy {
  Rank,
  Score,
  Lex,
}

/** What a ZRANGE-like command asks for (parsed by the command room). */
export interface RangeQuery {
  by: RangeBy;
  rev: boolean;
  /** LIMIT offset count (score and lex ranges; -1: no limit) */
  offset: number;
  limit: number;
  /** ranks (by rank) */
  start: number;
  end: number;
  /** by score */
  score: ScoreRange | null;
  /** by lex */
  lex: LexRange | null;
}

/** The zscore keys a query selects, in reply order. */
function rangeKeys(store: ShardStore, c: Coll, q: RangeQuery): Buffer[] {
  // Redis: an offset past the end gives nothing (a negative one skips everything).
  if (q.by !== RangeBy.Rank && q.offset > 0 && q.offset >= c.count) return [];
  if (q.by === RangeBy.Rank) return rankRangeKeys(store, c, q.start, q.end, q.rev);
  if (q.by === RangeBy.Score) return scoreRangeKeys(store, c, q.score!, q.rev, q.offset, q.limit);
  return lexRangeKeys(store, c, q.lex!, q.rev, q.offset, q.limit);
}

/** ZRANGE and its variants: the members (with their scores when `withScores`); null for a missing key. */
export function rangeEntries(x: StoreCtx, key: Buffer, q: RangeQuery, withScores: boolean): Entries | null {
  const c = openZset(x, key);
  if (!c) return null;
  return entriesOf(x.store, c, rangeKeys(x.store, c, q), withScores);
}

/**
 * ZRANGESTORE's source part: the entries to store and their encoding. Redis fills a listpack (or a
 * skiplist when a rank range is known to exceed the listpack size) in range order, converting
 * when a member would exceed the limits; what went into the listpack holds no -0.
 */
export function rangeToStore(x: StoreCtx, src: Buffer, q: RangeQuery): { e: Entries; big: boolean } {
  const c = openZset(x, src);
  if (!c) return { e: { ms: [], ss: [] }, big: false };
  const e = entriesOf(x.store, c, rangeKeys(x.store, c, q), true);
  const { zsetMaxListpackEntries: maxEntries, zsetMaxListpackValue: maxValue } = encodingLimits;
  let big = q.by === RangeBy.Rank && e.ms.length > maxEntries;
  for (let i = 0; i < e.ms.length; i++) {
    if (!big && (i + 1 > maxEntries || e.ms[i].length > maxValue)) big = true;
    if (!big && e.ss[i] === 0) e.ss[i] = 0;
  }
  return { e, big };
}

/** ZREMRANGEBYRANK: removes the members of ranks [start, end], logs `ZREM key <members>`; returns their number. */
export function removeRankRange(x: StoreCtx, key: Buffer, start: number, end: number): number {
  const c = openZset(x, key);
  return c ? removeKeys(x, c, rankRangeKeys(x.store, c, start, end, false), EV.zremrangebyrank) : 0;
}

/** ZREMRANGEBYSCORE: as removeRankRange, for the members in a score range. */
export function removeScoreRange(x: StoreCtx, key: Buffer, r: ScoreRange): number {
  const c = openZset(x, key);
  return c ? removeKeys(x, c, scoreRangeKeys(x.store, c, r, false, 0, -1), EV.zremrangebyscore) : 0;
}

/** ZREMRANGEBYLEX: as removeRankRange, for the members in a lex range. */
export function removeLexRange(x: StoreCtx, key: Buffer, r: LexRange): number {
  const c = openZset(x, key);
  return c ? removeKeys(x, c, lexRangeKeys(x.store, c, r, false, 0, -1), EV.zremrangebylex) : 0;
}
