// Sorted sets in a shard's store (Redis 7.0.15 semantics), on the collections layout
// (lib/store/collections.ts):
//
//   sub:    [key id][member]                      -> score (float64 BE, exact: -0 kept)
//   zscore: [key id][sortableScore(score)][member] -> empty
//
// (a long member stands in both keys as its long part: collections.ts)
//
// so a score is one `sub` lookup and every range (rank, score, lex: lib/store/zset-range.ts)
// walks `zscore` in order: by score, ties by member bytes, exactly the order of Redis's skiplist /
// listpack. Ranks are counts of `zscore` keys before a member (LMDB counts in C); rank offsets are
// skipped by the cursor.
//
// Encodings. A sorted set reads `listpack` while it has at most 128 members of at most 64 bytes
// (Redis's zset-max-listpack-entries / -value), else `skiplist`, and never converts back (the
// record's F_BIG flag), with Redis's quirks: ZADD creates a skiplist right away when its first
// member is longer than 64 bytes; *STORE results are listpacks when small; ZRANGESTORE fills a
// listpack and converts on the way. A listpack keeps scores as text in which an integral -0 is
// written "0", so a small set never holds -0 (a conversion keeps what the listpack held); a
// skiplist keeps it.
//
// This file: the member and score primitives, the walk over `zscore`, inserts / updates /
// deletes (ZADD ZINCRBY ZREM), pops, random picks, ZSCAN's step, writing a whole new sorted set
// (the *STORE results) and the key operations (zsetKeyType). Ranges: zset-range.ts; set
// operations: zset-setops.ts.
//
// Binlog: ZADD / ZREM as given when they changed something; ZINCRBY and ZADD INCR as
// `ZADD key <exact result> member`; ZPOP*, ZMPOP, ZREMRANGEBY* as `ZREM key <members removed>`;
// *STORE as `DEL dst` (when it existed) + `ZADD dst <score member>...`.

import type { StoreCtx } from './context.js';
import type { KeyTypeOps } from './key-ops.js';
import type { Found, ShardStore } from './shard-store.js';
import { RedisError } from '../errors.js';
import { T_ZSET, payload } from './meta.js';
import { readU64BE, writeU64BE } from './keys.js';
import {
  F_BIG, WrongTypeError, collBody, collOf, copyCollection, logRestoredExpiry, packItems, putRestored, unpackItems, idRange, memberOf, memberPart, newColl, openColl, partKey, putMember, removeSubKey, replaceWith,
  saveColl, scoreFromSortable, sortableScore, subKey, zmemberOf, type Coll,
} from './collections.js';
import { scanStep } from './collection-scan.js';
import { formatDouble } from '../resp/number.js';
import { DEL } from './effects.js';
import { EV } from './key-events.js';
import { pickDistinct, randInt } from './random.js';

/** Redis's zset-max-listpack-entries / zset-max-listpack-value defaults. */
export const LP_ENTRIES = 128;
export const LP_VALUE = 64;

const ZADD = Buffer.from('ZADD');
const ZREM = Buffer.from('ZREM');
const EMPTY = Buffer.alloc(0);

export const ERR_NAN = 'ERR resulting score is not a number (NaN)';

/** Members and their exact scores, index by index. */
export interface Entries {
  ms: Buffer[];
  ss: number[];
}

// ------------------------------------------------------------------------------------------------
// Members, scores and zscore keys
// ------------------------------------------------------------------------------------------------

/** [id][sortable score][member]: the zscore key of a member. */
export function zkey(id: number, score: number, member: Uint8Array): Buffer {
  const part = memberPart(member);
  const k = Buffer.allocUnsafe(16 + part.length);
  writeU64BE(k, id, 0);
  sortableScore(score, k, 8);
  k.set(part, 16);
  return k;
}

/** A score as 8 bytes (float64 BE): the `sub` value, and the form scores travel in between shards. */
export function dbl(d: number): Buffer {
  const b = Buffer.allocUnsafe(8);
  b.writeDoubleBE(d, 0);
  return b;
}

/** The zset at `key` (null when missing); WRONGTYPE for other types. */
export function openZset(x: StoreCtx, key: Buffer): Coll | null {
  return openColl(x, key, T_ZSET);
}

/** The score of `member`, null when absent. */
export function memberScore(store: ShardStore, c: Coll, member: Buffer): number | null {
  const v = store.sub.getBinary(subKey(c.id, member));
  return v ? v.readDoubleBE(0) : null;
}

/** The exact score of a zscore key (the sortable form loses the sign of zero, kept only by skiplists). */
export function keyScore(store: ShardStore, c: Coll, key: Buffer): number {
  const s = scoreFromSortable(key, 8);
  if (s === 0 && c.flags & F_BIG) {
    const v = store.sub.getBinary(partKey(c.id, key.subarray(16)));
    if (v) return v.readDoubleBE(0);
  }
  return s;
}

export function isBig(c: Coll): boolean {
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

/** Removes the member of zscore key `key` (the caller saves the record). */
export function zdeleteKey(store: ShardStore, c: Coll, key: Buffer): void {
  removeSubKey(store, partKey(c.id, key.subarray(16)));
  store.zscore.removeSync(key);
  c.count--;
}

// ------------------------------------------------------------------------------------------------
// Walking zscore
// ------------------------------------------------------------------------------------------------

export interface KeyWalk {
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
export function walk(store: ShardStore, w: KeyWalk): Buffer[] {
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

/** The number of zscore keys in [lo, hi). */
export function countKeys(store: ShardStore, lo: Buffer, hi: Buffer): number {
  if (Buffer.compare(lo, hi) >= 0) return 0;
  return store.zscore.getCount({ start: lo, end: hi });
}

/** Every zscore key of a collection, in order. */
export function allKeys(store: ShardStore, c: Coll): Buffer[] {
  const { start, end } = idRange(c.id);
  return walk(store, { lo: start, hi: end, rev: false, offset: 0, limit: -1 });
}

/** Members and exact scores of zscore keys (no scores unless `withScores`). */
export function entriesOf(store: ShardStore, c: Coll, keys: Buffer[], withScores: boolean): Entries {
  const ms = new Array<Buffer>(keys.length);
  const ss = new Array<number>(withScores ? keys.length : 0);
  for (let i = 0; i < keys.length; i++) {
    ms[i] = zmemberOf(store, keys[i]);
    if (withScores) ss[i] = keyScore(store, c, keys[i]);
  }
  return { ms, ss };
}

/** Every member (sub order) with its score. */
export function allEntries(store: ShardStore, c: Coll): Entries {
  const ms: Buffer[] = [];
  const ss: number[] = [];
  const { start, end } = idRange(c.id);
  for (const { key, value } of store.sub.getRange({ start, end })) {
    ms.push(memberOf(store, key as Buffer));
    ss.push((value as Buffer).readDoubleBE(0));
  }
  return { ms, ss };
}

// ------------------------------------------------------------------------------------------------
// ZADD ZINCRBY ZREM, reads of one member
// ------------------------------------------------------------------------------------------------

/** ZADD's options, as bits. */
export const ZADD_NX = 1;
export const ZADD_XX = 2;
export const ZADD_GT = 4;
export const ZADD_LT = 8;
/** Count the members changed, not only those added. */
export const ZADD_CH = 16;

/**
 * ZADD without INCR: `args` is the command as logged (key at 1), its score/member pairs from
 * `at` with the scores already parsed in `scores`. Returns the members added (with ZADD_CH:
 * added or updated). Throws WRONGTYPE.
 */
export function addMembers(x: StoreCtx, args: Buffer[], at: number, scores: number[], flags: number): number {
  const nx = (flags & ZADD_NX) !== 0;
  const xx = (flags & ZADD_XX) !== 0;
  const gt = (flags & ZADD_GT) !== 0;
  const lt = (flags & ZADD_LT) !== 0;
  const key = args[1];
  const f = x.store.find(x.db, key, x.now);
  if (f.meta && f.meta.type !== T_ZSET) throw new WrongTypeError();
  if (!f.meta && xx) return 0;
  let c: Coll;
  if (f.meta) c = collOf(key, f.meta);
  else {
    c = newColl(x, key, f.mk, T_ZSET);
    // Redis creates a skiplist at once when the first member is too long for a listpack.
    if (args[at + 1].length > LP_VALUE) c.flags |= F_BIG;
  }
  const store = x.store;
  let added = 0;
  let updated = 0;
  const pairs = scores.length;
  for (let p = 0; p < pairs; p++) {
    const score = scores[p];
    const member = args[at + 2 * p + 1];
    const cur = memberScore(store, c, member);
    if (cur !== null) {
      if (nx) continue;
      if ((lt && score >= cur) || (gt && score <= cur)) continue;
      if (score !== cur) {
        zupdate(store, c, member, cur, score);
        updated++;
      }
    } else if (!xx) {
      zinsert(store, c, member, score);
      added++;
    }
  }
  if (added + updated > 0) {
    saveColl(x, c);
    x.binlog(args);
  }
  return flags & ZADD_CH ? added + updated : added;
}

/**
 * ZINCRBY, and ZADD INCR with the ZADD_* options: the member's new score, or null when nothing
 * was done (NX on an existing member, XX on a missing one, GT / LT refused). Throws WRONGTYPE,
 * and Redis's NaN error (inf + -inf) before changing anything.
 */
export function incrMember(x: StoreCtx, key: Buffer, member: Buffer, by: number, flags: number): number | null {
  const f = x.store.find(x.db, key, x.now);
  if (f.meta && f.meta.type !== T_ZSET) throw new WrongTypeError();
  const xx = (flags & ZADD_XX) !== 0;
  if (!f.meta && xx) return null;
  let c: Coll;
  if (f.meta) c = collOf(key, f.meta);
  else {
    c = newColl(x, key, f.mk, T_ZSET);
    // Redis creates a skiplist at once when the first member is too long for a listpack.
    if (member.length > LP_VALUE) c.flags |= F_BIG;
  }
  const store = x.store;
  const cur = memberScore(store, c, member);
  let score = by;
  if (cur !== null) {
    if (flags & ZADD_NX) return null;
    score += cur;
    if (Number.isNaN(score)) throw new RedisError(ERR_NAN);
    if ((flags & ZADD_LT && score >= cur) || (flags & ZADD_GT && score <= cur)) return null;
    if (score === cur) return score;
    zupdate(store, c, member, cur, score);
  } else if (xx) return null;
  else zinsert(store, c, member, score);
  saveColl(x, c);
  x.binlog([ZADD, key, Buffer.from(formatDouble(score)), member], EV.zincr);
  return score;
}

/** ZREM: `args` is the command as logged (key at 1), the members from `from`. Returns the number removed. */
export function removeMembers(x: StoreCtx, args: Buffer[], from: number): number {
  const c = openZset(x, args[1]);
  if (!c) return 0;
  let n = 0;
  const store = x.store;
  for (let i = from; i < args.length; i++) {
    const s = memberScore(store, c, args[i]);
    if (s === null) continue;
    zdeleteKey(store, c, zkey(c.id, s, args[i]));
    n++;
  }
  if (n > 0) {
    saveColl(x, c);
    x.binlog(args);
  }
  return n;
}

/** ZCARD. */
export function card(x: StoreCtx, key: Buffer): number {
  const c = openZset(x, key);
  return c ? c.count : 0;
}

/** ZSCORE: null when the key or the member is missing. */
export function score(x: StoreCtx, key: Buffer, member: Buffer): number | null {
  const c = openZset(x, key);
  return c ? memberScore(x.store, c, member) : null;
}

/** ZRANK / ZREVRANK (`rev`): null when the key or the member is missing. */
export function rank(x: StoreCtx, key: Buffer, member: Buffer, rev: boolean): number | null {
  const c = openZset(x, key);
  if (!c) return null;
  const s = memberScore(x.store, c, member);
  if (s === null) return null;
  const r = countKeys(x.store, idRange(c.id).start, zkey(c.id, s, member));
  return rev ? c.count - 1 - r : r;
}

// ------------------------------------------------------------------------------------------------
// Pops, removing zscore keys
// ------------------------------------------------------------------------------------------------

/**
 * Removes the members of `keys` (zscore keys of `c`) and logs `ZREM key <members>` as the change
 * `event` (zrembyscore...); returns their number.
 */
export function removeKeys(x: StoreCtx, c: Coll, keys: Buffer[], event: number): number {
  if (keys.length === 0) return 0;
  const store = x.store;
  const rec: Buffer[] = [ZREM, c.key];
  for (const k of keys) {
    rec.push(Buffer.from(zmemberOf(store, k)));
    zdeleteKey(store, c, k);
  }
  saveColl(x, c);
  x.binlog(rec, event);
  return keys.length;
}

/**
 * ZPOPMIN / ZPOPMAX (`max`) / ZMPOP on one key: removes up to `count` members from the low (or
 * high) end and returns them with their scores; null when the key is missing.
 */
export function pop(x: StoreCtx, key: Buffer, max: boolean, count: number): Entries | null {
  const c = openZset(x, key);
  if (!c) return null;
  const { start, end } = idRange(c.id);
  const keys = walk(x.store, { lo: start, hi: end, rev: max, offset: 0, limit: count });
  const e = entriesOf(x.store, c, keys, true);
  const rec: Buffer[] = [ZREM, c.key];
  for (let i = 0; i < keys.length; i++) {
    zdeleteKey(x.store, c, keys[i]);
    rec.push(e.ms[i]);
  }
  if (keys.length > 0) {
    saveColl(x, c);
    x.binlog(rec, max ? EV.zpopmax : EV.zpopmin);
  }
  return e;
}

// ------------------------------------------------------------------------------------------------
// ZRANDMEMBER
// ------------------------------------------------------------------------------------------------

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

/** Largest ZRANDMEMBER reply with repetitions (Redis would try, and run out of memory or time, for any size). */
const MAX_RANDOM_REPLY = 1 << 24;
const RANDOM_TOO_MANY = `ERR ZRANDMEMBER count is too large (respdb answers at most ${MAX_RANDOM_REPLY} members)`;

/** ZRANDMEMBER without a count: one random member, null when the key is missing. */
export function randomMember(x: StoreCtx, key: Buffer): Buffer | null {
  const c = openZset(x, key);
  if (!c) return null;
  return entriesAt(x.store, c, [randInt(c.count)]).ms[0];
}

/**
 * ZRANDMEMBER key count: `count` draws with repetition (`uniq` false: a negative count), or
 * `count` distinct members (at most the whole set), with their scores, in reply order; null when
 * the key is missing.
 */
export function randomEntries(x: StoreCtx, key: Buffer, count: number, uniq: boolean): Entries | null {
  const c = openZset(x, key);
  if (!c) return null;
  if (count === 0) return { ms: [], ss: [] };
  // draws with repetition are not bounded by the set's size: bound the reply (as SRANDMEMBER, HRANDFIELD)
  if (!uniq && count > MAX_RANDOM_REPLY) throw new RedisError(RANDOM_TOO_MANY);
  const store = x.store;
  const size = c.count;
  // Few picks from a big set: fetch them by position; otherwise read the set once.
  const sparse = size > 1024 && count * 64 < size;
  if (!uniq || count === 1) {
    const ms = new Array<Buffer>(count);
    const ss = new Array<number>(count);
    if (sparse) {
      const picks = Array.from({ length: count }, () => randInt(size));
      const sorted = [...new Set(picks)].sort((a, b) => a - b);
      const e = entriesAt(store, c, sorted);
      const at = new Map<number, number>();
      sorted.forEach((p, i) => at.set(p, i));
      for (let i = 0; i < count; i++) {
        const j = at.get(picks[i])!;
        ms[i] = e.ms[j];
        ss[i] = e.ss[j];
      }
    } else {
      const e = allEntries(store, c);
      for (let i = 0; i < count; i++) {
        const r = randInt(size);
        ms[i] = e.ms[r];
        ss[i] = e.ss[r];
      }
    }
    return { ms, ss };
  }
  if (count >= size) {
    // The whole set (from the highest score down, as Redis walks a listpack here).
    const { start, end } = idRange(c.id);
    return entriesOf(store, c, walk(store, { lo: start, hi: end, rev: true, offset: 0, limit: -1 }), true);
  }
  // `count` distinct positions (Floyd's sampling), returned in random order.
  const chosen = new Set<number>();
  for (let j = size - count; j < size; j++) {
    const t = randInt(j + 1);
    chosen.add(chosen.has(t) ? j : t);
  }
  const sorted = [...chosen].sort((a, b) => a - b);
  let e: Entries;
  if (sparse) e = entriesAt(store, c, sorted);
  else {
    const all = allEntries(store, c);
    e = { ms: sorted.map((p) => all.ms[p]), ss: sorted.map((p) => all.ss[p]) };
  }
  const order = pickDistinct(e.ms.map((_, i) => i), e.ms.length);
  return { ms: order.map((i) => e.ms[i]), ss: order.map((i) => e.ss[i]) };
}

// ------------------------------------------------------------------------------------------------
// ZSCAN
// ------------------------------------------------------------------------------------------------

/**
 * One ZSCAN step over `c` from `cursor`, examining about `count` members: the members and exact
 * scores found and the next cursor (0: done). A listpack is returned whole, in order, whatever
 * the cursor and COUNT (as Redis does).
 */
export function scanMembers(store: ShardStore, c: Coll, cursor: bigint, count: number): { e: Entries; next: bigint } {
  if (!isBig(c)) return { e: entriesOf(store, c, allKeys(store, c), true), next: 0n };
  const step = scanStep(store, c.id, cursor, count, true);
  const ss = step.values.map((v) => v.readDoubleBE(0));
  return { e: { ms: step.members, ss }, next: step.next };
}

// ------------------------------------------------------------------------------------------------
// Whole results (*STORE)
// ------------------------------------------------------------------------------------------------

/**
 * Replaces `key` by a new sorted set with the given members (distinct) and exact scores, `big`
 * being its encoding. An empty result deletes the key. Logs DEL (if the key existed) and ZADD;
 * `event` is the command's (zunionstore, zrangestore...; `del` for an empty result). Returns the
 * member count.
 */
export function writeZset(x: StoreCtx, key: Buffer, e: Entries, big: boolean, event: number): number {
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
  if (f.meta) x.binlog([DEL, key], EV.none);
  x.binlog(rec, event);
  return n;
}

// ------------------------------------------------------------------------------------------------
// Key type operations: OBJECT ENCODING, COPY, cross-shard RENAME / COPY
// ------------------------------------------------------------------------------------------------

export const zsetKeyType: KeyTypeOps = {
  encoding(m) {
    return payload(m)[16] & F_BIG ? 'skiplist' : 'listpack';
  },
  refcount() {
    return 1;
  },
  // Redis's COPY keeps the encoding and the exact scores of the source
  copy: copyCollection,
  dump(store, m) {
    // [flags u8] then member, score (float64 BE), member, score... (packItems)
    const p = payload(m);
    const c: Coll = { key: EMPTY, mk: m.mk, old: m, type: T_ZSET, id: readU64BE(p, 0), count: readU64BE(p, 8), flags: p[16], extra: EMPTY };
    const e = allEntries(store, c);
    const items: Buffer[] = [];
    for (let i = 0; i < e.ms.length; i++) items.push(e.ms[i], dbl(e.ss[i]));
    return packItems(Buffer.from([c.flags]), items);
  },
  restore(x, key, to, dump, expire) {
    const items = unpackItems(dump, 1);
    const e: Entries = { ms: [], ss: [] };
    for (let i = 0; i + 1 < items.length; i += 2) {
      e.ms.push(items[i]);
      e.ss.push(items[i + 1].readDoubleBE(0));
    }
    restoreZset(x, key, to, dump[0], e, expire);
  },
};

/**
 * Writes a whole sorted set as `key` over `to` (distinct members, at least one, exact scores) with
 * the given flags and exact expiry bytes; logs DEL (when `to` existed), ZADD (+ PEXPIREAT).
 * Throws on a repeated member, before anything is committed.
 */
export function restoreZset(x: StoreCtx, key: Buffer, to: Found, flags: number, e: Entries, expire: Buffer): void {
  const store = x.store;
  const c = newColl(x, key, to.mk, T_ZSET);
  c.flags = flags;
  const rec: Buffer[] = [ZADD, key];
  for (let i = 0; i < e.ms.length; i++) {
    const m = e.ms[i];
    const s = e.ss[i];
    const k = subKey(c.id, m);
    if (store.sub.getBinaryFast(k) !== undefined) throw new RedisError('ERR Bad data format');
    putMember(store, c.id, m, dbl(s), k);
    store.zscore.putSync(zkey(c.id, s, m), EMPTY);
    c.count++;
    rec.push(Buffer.from(formatDouble(s)), m);
  }
  putRestored(x, key, to, T_ZSET, collBody(c.id, c.count, c.flags), expire);
  if (to.meta) x.binlog([DEL, key]);
  x.binlog(rec);
  logRestoredExpiry(x, key, expire);
}
