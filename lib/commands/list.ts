// List commands (Redis 7.0, non-blocking): LPUSH RPUSH LPUSHX RPUSHX LPOP RPOP LLEN LINDEX LINSERT
// LSET LRANGE LREM LTRIM LPOS LMOVE RPOPLPUSH LMPOP.
//
// A list is a collection record (lib/store/collections.ts) whose type-specific bytes are
// [head u64 BE][tail u64 BE]; its elements are the subkeys [id u64 BE][index u64 BE] in `sub`,
// for head <= index < tail, in list order. A new list starts with head = tail = 2^52 (the middle
// of the range a JS number holds exactly), so each end can grow by 2^52 elements. Pushes and pops
// at either end, LINDEX and LSET are single-key operations; LINSERT shifts the shorter side of the
// insertion point by one, LREM compacts the shorter side around the removed elements, LTRIM deletes
// from both ends (all O(N) at worst, as in Redis). An emptied list is deleted (its record goes, the
// members become garbage for the collector), as Redis never keeps empty lists.
//
// LMOVE / RPOPLPUSH whose two keys live on different shards run under both shards' locks: LLEN on
// both (type checks in Redis's order), then LPOP/RPOP on the source and LPUSH/RPUSH of the element
// on the destination, each logging its own effect. LMPOP over several shards walks its keys in
// order, one LMPOP per run of consecutive keys on the same shard, under the locks of all of them,
// and stops at the first run that pops something or fails. The blocking commands
// (lib/commands/blocking.ts) are built on LMPOP and LMOVE.

import type { CommandDef, KeySpecDoc, ShardExec, CoordContext } from './types.js';
import type { MainContext } from '../main-context.js';
import type { ShardStore } from '../store/shard-store.js';
import { cmd, isKw, keySpec } from './define.js';
import { rankRangeWork } from './work.js';
import { E, RedisError, wrongArgs } from '../errors.js';
import { parseI64, INT64_MIN } from '../resp/number.js';
import { decodeReply } from '../resp/decode.js';
import { COLL_FIXED, copyCollection, openColl, openOrCreate, saveColl, type Coll } from '../store/collections.js';
import { T_LIST, encodeMeta, payload } from '../store/meta.js';
import { readU64BE, writeU64BE } from '../store/keys.js';
import { DEL, PEXPIREAT } from '../store/effects.js';
import { keyTypeOps } from '../store/key-types.js';

// ------------------------------------------------------------------------------------------------
// Storage
// ------------------------------------------------------------------------------------------------

/** Index of the first element of a new list (head = tail = MID when empty). */
const MID = 2 ** 52;
/** Elements read per LMDB range read when a command walks or moves many of them. */
const CHUNK = 1024;

function initialEnds(): Buffer {
  const b = Buffer.allocUnsafe(16);
  writeU64BE(b, MID, 0);
  writeU64BE(b, MID, 8);
  return b;
}
const INIT_ENDS = initialEnds();

/** The subkey of the element at absolute index `idx` of the list with id `id`. */
/** Pops of up to this many elements read them one lookup each instead of with a range cursor. */
const POP_LOOKUPS = 16;

function ekey(id: number, idx: number): Buffer {
  const k = Buffer.allocUnsafe(16);
  writeU64BE(k, id, 0);
  writeU64BE(k, idx, 8);
  return k;
}

type Sub = ShardStore['sub'];

interface Entry {
  /** absolute index */
  idx: number;
  value: Buffer;
}

/**
 * Reads up to CHUNK elements with absolute indexes in [from, to) (ascending) or (to, from]
 * (descending, `from` included), as an array (so the caller may write afterwards).
 */
function readChunk(sub: Sub, id: number, from: number, to: number, reverse: boolean, limit = CHUNK): Entry[] {
  const out: Entry[] = [];
  if (reverse ? from <= to : from >= to) return out;
  const range = reverse
    ? sub.getRange({ start: ekey(id, from), end: ekey(id, to), reverse: true, limit })
    : sub.getRange({ start: ekey(id, from), end: ekey(id, to), limit });
  for (const { key, value } of range) out.push({ idx: readU64BE(key, 8), value: value as Buffer });
  return out;
}

/** An open list: its record and its current ends; `save` writes the record back. */
class List {
  readonly sub: Sub;
  readonly id: number;
  head: number;
  tail: number;

  constructor(
    readonly x: ShardExec,
    readonly c: Coll,
  ) {
    this.sub = x.store.sub;
    this.id = c.id;
    this.head = readU64BE(c.extra, 0);
    this.tail = readU64BE(c.extra, 8);
  }

  /** The list at `key`, null when missing; throws WRONGTYPE for another type. */
  static open(x: ShardExec, key: Buffer, touch = true): List | null {
    const c = openColl(x, key, T_LIST, touch);
    return c ? new List(x, c) : null;
  }

  /** The list at `key` or a new empty one; throws WRONGTYPE for another type. */
  static openOrCreate(x: ShardExec, key: Buffer): List {
    return new List(x, openOrCreate(x, key, T_LIST, INIT_ENDS));
  }

  get len(): number {
    return this.tail - this.head;
  }

  /** Element at position `pos` (0 = head). */
  get(pos: number): Buffer | undefined {
    return this.sub.getBinary(ekey(this.id, this.head + pos)) as Buffer | undefined;
  }

  set(pos: number, v: Buffer): void {
    this.sub.putSync(ekey(this.id, this.head + pos), v);
  }

  pushLeft(v: Buffer): void {
    this.head--;
    this.sub.putSync(ekey(this.id, this.head), v);
  }

  pushRight(v: Buffer): void {
    this.sub.putSync(ekey(this.id, this.tail), v);
    this.tail++;
  }

  /** Removes and returns `n` (<= len) elements from the left or right end, in pop order. */
  pop(left: boolean, n: number): Buffer[] {
    const out: Buffer[] = [];
    if (n <= 0) return out;
    const id = this.id;
    if (n <= POP_LOOKUPS) {
      // a few elements: one lookup each is cheaper than setting up a range cursor (RPOP -P 16)
      for (let i = 0; i < n; i++) {
        const v = this.sub.getBinary(ekey(id, left ? this.head + i : this.tail - 1 - i));
        if (v) out.push(v as Buffer);
      }
    } else if (left) {
      for (const { value } of this.sub.getRange({ start: ekey(id, this.head), end: ekey(id, this.head + n) })) out.push(value as Buffer);
    } else {
      const start = ekey(id, this.tail - 1);
      const end = ekey(id, this.tail - 1 - n);
      for (const { value } of this.sub.getRange({ start, end, reverse: true })) out.push(value as Buffer);
    }
    if (out.length !== n) throw new Error(`list ${id}: expected ${n} elements, found ${out.length}`);
    if (left) {
      for (let i = 0; i < n; i++) this.sub.removeSync(ekey(id, this.head + i));
      this.head += n;
    } else {
      for (let i = 1; i <= n; i++) this.sub.removeSync(ekey(id, this.tail - i));
      this.tail -= n;
    }
    return out;
  }

  /**
   * Visits elements from the head (or from the tail when `reverse`), at most `max` of them
   * (0 = all); `fn` returns true to stop. `pos` counts from the end the walk starts at. No writes
   * may happen during the walk.
   */
  walk(reverse: boolean, max: number, fn: (value: Buffer, pos: number) => boolean | void): void {
    const id = this.id;
    const range = reverse
      ? this.sub.getRange({ start: ekey(id, this.tail - 1), end: ekey(id, this.head - 1), reverse: true, limit: max || undefined })
      : this.sub.getRange({ start: ekey(id, this.head), end: ekey(id, this.tail), limit: max || undefined });
    let pos = 0;
    for (const { value } of range) {
      if (fn(value as Buffer, pos++)) return;
    }
  }

  /** Moves the elements with absolute indexes in [from, to) by `delta` (chunked, overlap-safe). */
  private shift(from: number, to: number, delta: number): void {
    const id = this.id;
    if (delta < 0) {
      // ascending: every write lands below the next chunk's reads
      let at = from;
      while (at < to) {
        const chunk = readChunk(this.sub, id, at, to, false);
        if (chunk.length === 0) break;
        for (const e of chunk) this.sub.putSync(ekey(id, e.idx + delta), e.value);
        at = chunk[chunk.length - 1].idx + 1;
      }
    } else {
      let at = to - 1;
      while (at >= from) {
        const chunk = readChunk(this.sub, id, at, from - 1, true);
        if (chunk.length === 0) break;
        for (const e of chunk) this.sub.putSync(ekey(id, e.idx + delta), e.value);
        at = chunk[chunk.length - 1].idx - 1;
      }
    }
  }

  /** Inserts `v` so that it ends up at position `pos` (0..len), shifting the shorter side. */
  insertAt(pos: number, v: Buffer): void {
    if (pos <= this.len - pos) {
      this.shift(this.head, this.head + pos, -1);
      this.head--;
      this.sub.putSync(ekey(this.id, this.head + pos), v);
    } else {
      this.shift(this.head + pos, this.tail, 1);
      this.sub.putSync(ekey(this.id, this.head + pos), v);
      this.tail++;
    }
  }

  /**
   * Removes the elements at the given absolute indexes (ascending, distinct, within the list),
   * closing the gaps from the side that moves fewer elements.
   */
  removeIndexes(idx: number[]): void {
    const k = idx.length;
    if (k === 0) return;
    if (k === this.len) {
      // the list goes away: its members are left to the garbage collector with its id
      this.head = this.tail;
      return;
    }
    const id = this.id;
    const removed = new Set(idx);
    const movesRight = this.tail - idx[0] - k; // survivors after the first removed one
    const movesLeft = idx[k - 1] - this.head + 1 - k; // survivors before the last removed one
    if (movesRight <= movesLeft) {
      // close the gaps towards the head: survivors after idx[0] move left
      let w = idx[0];
      let at = idx[0] + 1;
      while (at < this.tail) {
        const chunk = readChunk(this.sub, id, at, this.tail, false);
        if (chunk.length === 0) break;
        for (const e of chunk) {
          if (removed.has(e.idx)) continue;
          this.sub.putSync(ekey(id, w++), e.value);
        }
        at = chunk[chunk.length - 1].idx + 1;
      }
      for (let i = w; i < this.tail; i++) this.sub.removeSync(ekey(id, i));
      this.tail = w;
    } else {
      let w = idx[k - 1];
      let at = idx[k - 1] - 1;
      while (at >= this.head) {
        const chunk = readChunk(this.sub, id, at, this.head - 1, true);
        if (chunk.length === 0) break;
        for (const e of chunk) {
          if (removed.has(e.idx)) continue;
          this.sub.putSync(ekey(id, w--), e.value);
        }
        at = chunk[chunk.length - 1].idx - 1;
      }
      for (let i = this.head; i <= w; i++) this.sub.removeSync(ekey(id, i));
      this.head = w + 1;
    }
  }

  /** Drops `left` elements from the head and `right` from the tail. */
  trim(left: number, right: number): void {
    if (left + right >= this.len) {
      this.head = this.tail; // emptied: the record goes, the members are garbage
      return;
    }
    for (let i = 0; i < left; i++) this.sub.removeSync(ekey(this.id, this.head + i));
    for (let i = 1; i <= right; i++) this.sub.removeSync(ekey(this.id, this.tail - i));
    this.head += left;
    this.tail -= right;
  }

  /** Writes the record (deletes the key when the list is empty). Returns false when gone. */
  save(): boolean {
    writeU64BE(this.c.extra, this.head, 0);
    writeU64BE(this.c.extra, this.tail, 8);
    this.c.count = this.len;
    return saveColl(this.x, this.c);
  }
}

// ------------------------------------------------------------------------------------------------
// Argument parsing (Redis's messages)
// ------------------------------------------------------------------------------------------------

const ERR_POSITIVE = 'ERR value is out of range, must be positive';
const ERR_RANK_ZERO =
  "ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list";
const ERR_COUNT_NEG = "ERR COUNT can't be negative";
const ERR_MAXLEN_NEG = "ERR MAXLEN can't be negative";
const ERR_INDEX = 'ERR index out of range';
const ERR_NUMKEYS = 'ERR numkeys should be greater than 0';
const ERR_COUNT_GT0 = 'ERR count should be greater than 0';

/** getLongFromObjectOrReply: a signed 64-bit integer (as a JS number, exact up to 2^53). */
function longArg(b: Buffer): number {
  const n = parseI64(b);
  if (n === null) throw new RedisError(E.notInt);
  return Number(n);
}

/** getPositiveLongFromObjectOrReply with a message: 0..LONG_MAX, any failure gives `msg`. */
function positiveArg(b: Buffer, msg: string): number {
  const n = parseI64(b);
  if (n === null || n < 0n) throw new RedisError(msg);
  return Number(n);
}

/** getRangeLongFromObjectOrReply(1, LONG_MAX) with a message. */
function atLeastOneArg(b: Buffer, msg: string): number {
  const n = parseI64(b);
  if (n === null || n < 1n) throw new RedisError(msg);
  return Number(n);
}

/** LEFT -> true, RIGHT -> false, else a syntax error (getListPositionFromObjectOrReply). */
function sideArg(b: Buffer): boolean {
  if (isKw(b, 'left')) return true;
  if (isKw(b, 'right')) return false;
  throw new RedisError(E.syntax);
}

// ------------------------------------------------------------------------------------------------
// Commands
// ------------------------------------------------------------------------------------------------

function pushGeneric(left: boolean, onlyExisting: boolean) {
  return (x: ShardExec, args: Buffer[]): void => {
    const key = args[1];
    let l: List | null;
    if (onlyExisting) {
      l = List.open(x, key);
      if (!l) return x.out.int(0);
    } else l = List.openOrCreate(x, key);
    for (let i = 2; i < args.length; i++) {
      if (left) l.pushLeft(args[i]);
      else l.pushRight(args[i]);
    }
    l.save();
    x.binlog(args);
    x.out.int(l.len);
  };
}

function popGeneric(left: boolean, name: string) {
  return (x: ShardExec, args: Buffer[]): void => {
    if (args.length > 3) return x.out.error(wrongArgs(name));
    const hasCount = args.length === 3;
    const count = hasCount ? positiveArg(args[2], ERR_POSITIVE) : 1;
    const l = List.open(x, args[1]);
    if (!l) return hasCount ? x.out.nilArray() : x.out.nil();
    if (hasCount && count === 0) return x.out.array(0);
    const n = Math.min(count, l.len);
    const vals = l.pop(left, n);
    l.save();
    x.binlog(args);
    if (!hasCount) return x.out.bulk(vals[0]);
    x.out.array(vals.length);
    for (const v of vals) x.out.bulk(v);
  };
}

function llen(x: ShardExec, args: Buffer[]): void {
  const l = List.open(x, args[1]);
  x.out.int(l ? l.len : 0);
}

function lindex(x: ShardExec, args: Buffer[]): void {
  const l = List.open(x, args[1]);
  if (!l) return x.out.nil();
  let i = longArg(args[2]);
  if (i < 0) i += l.len;
  if (i < 0 || i >= l.len) return x.out.nil();
  x.out.bulk(l.get(i) ?? null);
}

function linsert(x: ShardExec, args: Buffer[]): void {
  let after: boolean;
  if (isKw(args[2], 'after')) after = true;
  else if (isKw(args[2], 'before')) after = false;
  else throw new RedisError(E.syntax);
  const l = List.open(x, args[1]);
  if (!l) return x.out.int(0);
  const pivot = args[3];
  let at = -1;
  l.walk(false, 0, (v, pos) => {
    if (v.equals(pivot)) {
      at = pos;
      return true;
    }
    return false;
  });
  if (at < 0) return x.out.int(-1);
  l.insertAt(after ? at + 1 : at, args[4]);
  l.save();
  x.binlog(args);
  x.out.int(l.len);
}

function lset(x: ShardExec, args: Buffer[]): void {
  const l = List.open(x, args[1]);
  if (!l) throw new RedisError(E.noKey);
  let i = longArg(args[2]);
  if (i < 0) i += l.len;
  if (i < 0 || i >= l.len) throw new RedisError(ERR_INDEX);
  l.set(i, args[3]); // the record (ends, count) is unchanged
  x.binlog(args);
  x.out.ok();
}

/** Redis's range normalization: [start, end] positions, or null for an empty range. */
function normRange(start: number, end: number, len: number): [number, number] | null {
  if (start < 0) start += len;
  if (end < 0) end += len;
  if (start < 0) start = 0;
  if (start > end || start >= len) return null;
  if (end >= len) end = len - 1;
  return [start, end];
}

function lrange(x: ShardExec, args: Buffer[]): void {
  const start = longArg(args[2]);
  const end = longArg(args[3]);
  const l = List.open(x, args[1]);
  if (!l) return x.out.array(0);
  const r = normRange(start, end, l.len);
  if (!r) return x.out.array(0);
  const n = r[1] - r[0] + 1;
  x.out.array(n);
  // One lookup per index, each element copied straight from LMDB's read buffer into the reply:
  // a range cursor would allocate a key and a value Buffer per element (measured: LRANGE_100 -P 16
  // 7.1k -> see the commit message).
  const k = ekey(l.id, l.head + r[0]);
  const sub = l.sub as unknown as { getBinaryFast(k: Buffer): Buffer | undefined };
  for (let i = r[0]; i <= r[1]; i++) {
    writeU64BE(k, l.head + i, 8);
    const v = sub.getBinaryFast(k);
    if (!v) throw new Error(`list ${l.id}: element ${i} of ${l.len} missing`);
    // (the shared read buffer only pretends to be `length` long: take a real view of it)
    x.out.bulk(v.subarray(0, v.length));
  }
}

function ltrim(x: ShardExec, args: Buffer[]): void {
  let start = longArg(args[2]);
  let end = longArg(args[3]);
  const l = List.open(x, args[1]);
  if (!l) return x.out.ok();
  const len = l.len;
  if (start < 0) start += len;
  if (end < 0) end += len;
  if (start < 0) start = 0;
  let left: number;
  let right: number;
  if (start > end || start >= len) {
    left = 0;
    right = len;
  } else {
    if (end >= len) end = len - 1;
    left = start;
    right = len - end - 1;
  }
  if (left + right > 0) {
    l.trim(left, right);
    l.save();
    x.binlog(args);
  }
  x.out.ok();
}

function lrem(x: ShardExec, args: Buffer[]): void {
  const count = longArg(args[2]);
  const l = List.open(x, args[1]);
  if (!l) return x.out.int(0);
  const elem = args[3];
  const limit = Math.abs(count);
  const reverse = count < 0;
  const hits: number[] = [];
  l.walk(reverse, 0, (v, pos) => {
    if (v.equals(elem)) {
      hits.push(reverse ? l.tail - 1 - pos : l.head + pos);
      if (limit && hits.length >= limit) return true;
    }
    return false;
  });
  if (hits.length === 0) return x.out.int(0);
  if (reverse) hits.reverse();
  l.removeIndexes(hits);
  l.save();
  x.binlog(args);
  x.out.int(hits.length);
}

function lpos(x: ShardExec, args: Buffer[]): void {
  let rank = 1n;
  let count = -1;
  let maxlen = 0;
  for (let j = 3; j < args.length; j++) {
    const more = j + 1 < args.length;
    if (isKw(args[j], 'rank') && more) {
      const r = parseI64(args[++j]);
      if (r === null) throw new RedisError(E.notInt);
      if (r === 0n) throw new RedisError(ERR_RANK_ZERO);
      rank = r;
    } else if (isKw(args[j], 'count') && more) {
      count = positiveArg(args[++j], ERR_COUNT_NEG);
    } else if (isKw(args[j], 'maxlen') && more) {
      maxlen = positiveArg(args[++j], ERR_MAXLEN_NEG);
    } else throw new RedisError(E.syntax);
  }
  // A negative rank searches from the tail. Redis negates it in a C long: LONG_MIN stays
  // negative, so every match qualifies and COUNT never stops the search.
  const reverse = rank < 0n;
  const anyRank = rank === INT64_MIN;
  const want = Number(reverse ? -rank : rank);
  const l = List.open(x, args[1]);
  if (!l) return count !== -1 ? x.out.array(0) : x.out.nil();
  const len = l.len;
  const found: number[] = [];
  let matches = 0;
  const elem = args[2];
  l.walk(reverse, maxlen, (v, pos) => {
    if (!v.equals(elem)) return false;
    matches++;
    if (!anyRank && matches < want) return false;
    found.push(reverse ? len - pos - 1 : pos);
    if (count === -1) return true;
    return count !== 0 && !anyRank && matches - want + 1 >= count;
  });
  if (count === -1) return found.length ? x.out.int(found[0]) : x.out.nil();
  x.out.array(found.length);
  for (const i of found) x.out.int(i);
}

/** LMOVE / RPOPLPUSH with both keys on this shard (the same key rotates the list). */
function lmoveWith(x: ShardExec, args: Buffer[], fromLeft: boolean, toLeft: boolean): void {
  const srcKey = args[1];
  const dstKey = args[2];
  const src = List.open(x, srcKey);
  if (!src) return x.out.nil();
  const dst = srcKey.equals(dstKey) ? src : List.openOrCreate(x, dstKey);
  const [v] = src.pop(fromLeft, 1);
  if (toLeft) dst.pushLeft(v);
  else dst.pushRight(v);
  src.save();
  if (dst !== src) dst.save();
  x.binlog(args);
  x.out.bulk(v);
}

function lmove(x: ShardExec, args: Buffer[]): void {
  const fromLeft = sideArg(args[3]);
  const toLeft = sideArg(args[4]);
  lmoveWith(x, args, fromLeft, toLeft);
}

function rpoplpush(x: ShardExec, args: Buffer[]): void {
  lmoveWith(x, args, false, true);
}

interface MpopArgs {
  keys: Buffer[];
  left: boolean;
  count: number;
  /** the LEFT|RIGHT argument as given */
  where: Buffer;
}

/** LMPOP numkeys key [key ...] LEFT|RIGHT [COUNT count], validated in Redis's order. */
function parseMpop(args: Buffer[]): MpopArgs {
  const nk = parseI64(args[1]);
  if (nk === null || nk < 1n) throw new RedisError(ERR_NUMKEYS);
  if (nk + 2n >= BigInt(args.length)) throw new RedisError(E.syntax);
  const numkeys = Number(nk);
  const whereIdx = 2 + numkeys;
  const where = args[whereIdx];
  const left = sideArg(where);
  let count = -1;
  for (let j = whereIdx + 1; j < args.length; j++) {
    if (count === -1 && isKw(args[j], 'count') && j + 1 < args.length) {
      count = atLeastOneArg(args[++j], ERR_COUNT_GT0);
    } else throw new RedisError(E.syntax);
  }
  return { keys: args.slice(2, whereIdx), left, count: count === -1 ? 1 : count, where };
}

function lmpop(x: ShardExec, args: Buffer[]): void {
  const p = parseMpop(args);
  for (const key of p.keys) {
    const l = List.open(x, key);
    if (!l) continue;
    const n = Math.min(p.count, l.len);
    const vals = l.pop(p.left, n);
    l.save();
    x.binlog([p.left ? B_LPOP : B_RPOP, key, Buffer.from(String(n))]);
    x.out.array(2);
    x.out.bulk(key);
    x.out.array(n);
    for (const v of vals) x.out.bulk(v);
    return;
  }
  x.out.nilArray();
}


// ------------------------------------------------------------------------------------------------
// Cross-shard LMOVE / RPOPLPUSH / LMPOP (main thread, under the coordinator's locks)
// ------------------------------------------------------------------------------------------------

const B_LPOP = Buffer.from('LPOP');
const B_RPOP = Buffer.from('RPOP');
const B_LPUSH = Buffer.from('LPUSH');
const B_RPUSH = Buffer.from('RPUSH');
const B_LLEN = Buffer.from('LLEN');
const B_LMPOP = Buffer.from('LMPOP');
const B_COUNT = Buffer.from('COUNT');

function lmoveCoordinatedWith(ctx: CoordContext, src: Buffer, dst: Buffer, fromLeft: boolean, toLeft: boolean): Promise<void> {
  const { shards, out } = ctx;
  const db = ctx.db;
  const sa = shards.of(src);
  const sb = shards.of(dst);
  return shards.locked([sa, sb], async (tx) => {
    // Redis's order: a missing source answers nil whatever the destination holds; then the
    // source's type, then the destination's.
    const [rs, rd] = await Promise.all([tx.exec(sa, llenDef, db, [B_LLEN, src]), tx.exec(sb, llenDef, db, [B_LLEN, dst])]);
    const ls = decodeReply(rs);
    if (ls instanceof Error) return out.error(ls.message);
    if (ls === 0n) return out.nil();
    const ld = decodeReply(rd);
    if (ld instanceof Error) return out.error(ld.message);
    const pr = decodeReply(await tx.exec(sa, fromLeft ? lpopDef : rpopDef, db, [fromLeft ? B_LPOP : B_RPOP, src]));
    if (pr instanceof Error) return out.error(pr.message);
    // the source expired between the two steps
    if (pr === null) return out.nil();
    const v = Buffer.from(pr as Buffer);
    const ur = decodeReply(await tx.exec(sb, toLeft ? lpushDef : rpushDef, db, [toLeft ? B_LPUSH : B_RPUSH, dst, v]));
    if (ur instanceof Error) return out.error(ur.message);
    out.bulk(v);
  });
}

function lmoveCoordinated(ctx: CoordContext, args: Buffer[]): Promise<void> {
  const fromLeft = sideArg(args[3]);
  const toLeft = sideArg(args[4]);
  return lmoveCoordinatedWith(ctx, args[1], args[2], fromLeft, toLeft);
}

function rpoplpushCoordinated(ctx: CoordContext, args: Buffer[]): Promise<void> {
  return lmoveCoordinatedWith(ctx, args[1], args[2], false, true);
}

function lmpopCoordinated(ctx: CoordContext, args: Buffer[]): Promise<void> {
  const p = parseMpop(args);
  const { shards, out } = ctx;
  const db = ctx.db;
  const proto = ctx.proto;
  // runs of consecutive keys on the same shard, in key order
  const runs: Array<{ shard: number; keys: Buffer[] }> = [];
  for (const k of p.keys) {
    const s = shards.of(k);
    const last = runs[runs.length - 1];
    if (last && last.shard === s) last.keys.push(k);
    else runs.push({ shard: s, keys: [k] });
  }
  const tail = [p.where, B_COUNT, Buffer.from(String(p.count))];
  return shards.locked(
    runs.map((r) => r.shard),
    async (tx) => {
      for (const r of runs) {
        const reply = await tx.exec(r.shard, lmpopDef, db, [B_LMPOP, Buffer.from(String(r.keys.length)), ...r.keys, ...tail], proto);
        if (decodeReply(reply) === null) continue;
        out.raw(reply); // the popped [key, [elements]] or an error (WRONGTYPE)
        return;
      }
      out.nilArray();
    },
  );
}

// ------------------------------------------------------------------------------------------------
// Key type operations (OBJECT ENCODING, COPY, cross-shard RENAME / COPY)
// ------------------------------------------------------------------------------------------------

/** RPUSH records of a restored list carry at most this many elements each. */
const RESTORE_BATCH = 512;

keyTypeOps[T_LIST] = {
  // Redis 7.0 keeps every list as a quicklist, small or big.
  encoding: () => 'quicklist',
  refcount: () => 1,
  copy: copyCollection,
  dump(store, m) {
    // [u32 length][bytes] per element, head to tail
    const p = payload(m);
    const id = readU64BE(p, 0);
    const tail = readU64BE(p, COLL_FIXED + 8);
    const parts: Buffer[] = [];
    let at = readU64BE(p, COLL_FIXED);
    while (at < tail) {
      const chunk = readChunk(store.sub, id, at, tail, false);
      if (chunk.length === 0) break;
      for (const e of chunk) {
        const len = Buffer.allocUnsafe(4);
        len.writeUInt32BE(e.value.length, 0);
        parts.push(len, e.value);
      }
      at = chunk[chunk.length - 1].idx + 1;
    }
    return Buffer.concat(parts);
  },
  restore(x, key, to, dump, expire) {
    const elems: Buffer[] = [];
    for (let off = 0; off < dump.length; ) {
      const len = dump.readUInt32BE(off);
      elems.push(dump.subarray(off + 4, off + 4 + len));
      off += 4 + len;
    }
    const id = x.store.allocId();
    for (let i = 0; i < elems.length; i++) x.store.sub.putSync(ekey(id, MID + i), elems[i]);
    const body = Buffer.alloc(COLL_FIXED + 16);
    writeU64BE(body, id, 0);
    writeU64BE(body, elems.length, 8);
    writeU64BE(body, MID, COLL_FIXED);
    writeU64BE(body, MID + elems.length, COLL_FIXED + 8);
    const raw = encodeMeta(T_LIST, readU64BE(expire, 0), x.store.longKey(key), body);
    expire.copy(raw, 2, 0, 8);
    x.store.put(x.db, to.mk, raw, to.meta, true);
    x.binlog([DEL, key]);
    for (let i = 0; i < elems.length; i += RESTORE_BATCH) x.binlog([B_RPUSH, key, ...elems.slice(i, i + RESTORE_BATCH)]);
    const at = expire.readBigUInt64BE(0);
    if (at !== 0n) x.binlog([PEXPIREAT, key, Buffer.from(String(at))]);
  },
};

// ------------------------------------------------------------------------------------------------
// The table
// ------------------------------------------------------------------------------------------------

const LIST = ['list'];
const G = { group: 'list' } as const;
const ks = (flags: string[], index = 1): KeySpecDoc => keySpec(flags, index);
const PUSH_COMPLEXITY = 'O(1) for each element added, so O(N) to add N elements when the command is called with multiple arguments.';

const llenDef = cmd({
  name: 'llen', direct: true, arity: 2, flags: ['readonly', 'fast'], acl: LIST, shard: llen,
  keySpecs: [ks(['RO'])],
  summary: 'Get the length of a list', since: '1.0.0', ...G, complexity: 'O(1)',
});

const lpopDef = cmd({
  name: 'lpop', arity: -2, flags: ['write', 'fast'], acl: LIST, shard: popGeneric(true, 'lpop'),
  keySpecs: [ks(['RW', 'access', 'delete'])],
  summary: 'Remove and get the first elements in a list', since: '1.0.0', ...G, complexity: 'O(N) where N is the number of elements returned',
});

const rpopDef = cmd({
  name: 'rpop', arity: -2, flags: ['write', 'fast'], acl: LIST, shard: popGeneric(false, 'rpop'),
  keySpecs: [ks(['RW', 'access', 'delete'])],
  summary: 'Remove and get the last elements in a list', since: '1.0.0', ...G, complexity: 'O(N) where N is the number of elements returned',
});

const lpushDef = cmd({
  name: 'lpush', arity: -3, flags: ['write', 'denyoom', 'fast'], acl: LIST, shard: pushGeneric(true, false),
  keySpecs: [ks(['RW', 'insert'])],
  summary: 'Prepend one or multiple elements to a list', since: '1.0.0', ...G, complexity: PUSH_COMPLEXITY,
});

const rpushDef = cmd({
  name: 'rpush', capturedReply: (args) => args.length - 2, arity: -3, flags: ['write', 'denyoom', 'fast'], acl: LIST, shard: pushGeneric(false, false),
  keySpecs: [ks(['RW', 'insert'])],
  summary: 'Append one or multiple elements to a list', since: '1.0.0', ...G, complexity: PUSH_COMPLEXITY,
});

const lmpopDef = cmd({
  name: 'lmpop', arity: -4, flags: ['write', 'movablekeys'], acl: LIST, shard: lmpop, coordinated: lmpopCoordinated,
  keySpecs: [{ flags: ['RW', 'access', 'delete'], begin: { index: 1 }, find: { keynumidx: 0, firstkey: 1, keystep: 1 } }],
  summary: 'Pop elements from a list', since: '7.0.0', ...G,
  complexity: 'O(N+M) where N is the number of provided keys and M is the number of elements returned.',
});

export const listCommands: CommandDef[] = [
  lpushDef,
  rpushDef,
  cmd({
    name: 'lpushx', arity: -3, flags: ['write', 'denyoom', 'fast'], acl: LIST, shard: pushGeneric(true, true),
    keySpecs: [ks(['RW', 'insert'])],
    summary: 'Prepend an element to a list, only if the list exists', since: '2.2.0', ...G, complexity: PUSH_COMPLEXITY,
  }),
  cmd({
    name: 'rpushx', arity: -3, flags: ['write', 'denyoom', 'fast'], acl: LIST, shard: pushGeneric(false, true),
    keySpecs: [ks(['RW', 'insert'])],
    summary: 'Append an element to a list, only if the list exists', since: '2.2.0', ...G, complexity: PUSH_COMPLEXITY,
  }),
  lpopDef,
  rpopDef,
  llenDef,
  cmd({
    name: 'lindex', direct: true, arity: 3, flags: ['readonly'], acl: LIST, shard: lindex,
    keySpecs: [ks(['RO', 'access'])],
    summary: 'Get an element from a list by its index', since: '1.0.0', ...G,
    complexity: 'O(N) where N is the number of elements to traverse to get to the element at index. This makes asking for the first or the last element of the list O(1).',
  }),
  cmd({
    name: 'linsert', arity: 5, flags: ['write', 'denyoom'], acl: LIST, shard: linsert,
    keySpecs: [ks(['RW', 'insert'])],
    summary: 'Insert an element before or after another element in a list', since: '2.2.0', ...G,
    complexity: 'O(N) where N is the number of elements to traverse before seeing the value pivot. This means that inserting somewhere on the left end on the list (head) can be considered O(1) and inserting somewhere on the right end (tail) is O(N).',
  }),
  cmd({
    name: 'lset', arity: 4, flags: ['write', 'denyoom'], acl: LIST, shard: lset,
    keySpecs: [ks(['RW', 'update'])],
    summary: 'Set the value of an element in a list by its index', since: '1.0.0', ...G,
    complexity: 'O(N) where N is the length of the list. Setting either the first or the last element of the list is O(1).',
  }),
  cmd({
    name: 'lrange', slowWork: rankRangeWork, arity: 4, flags: ['readonly'], acl: LIST, shard: lrange, slow: true,
    keySpecs: [ks(['RO', 'access'])],
    summary: 'Get a range of elements from a list', since: '1.0.0', ...G,
    complexity: 'O(S+N) where S is the distance of start offset from HEAD for small lists, from nearest end (HEAD or TAIL) for large lists; and N is the number of elements in the specified range.',
  }),
  cmd({
    name: 'lrem', arity: 4, flags: ['write'], acl: LIST, shard: lrem,
    keySpecs: [ks(['RW', 'delete'])],
    summary: 'Remove elements from a list', since: '1.0.0', ...G,
    complexity: 'O(N+M) where N is the length of the list and M is the number of elements removed.',
  }),
  cmd({
    name: 'ltrim', arity: 4, flags: ['write'], acl: LIST, shard: ltrim,
    keySpecs: [ks(['RW', 'delete'])],
    summary: 'Trim a list to the specified range', since: '1.0.0', ...G,
    complexity: 'O(N) where N is the number of elements to be removed by the operation.',
  }),
  cmd({
    name: 'lpos', arity: -3, flags: ['readonly'], acl: LIST, shard: lpos, slow: true,
    keySpecs: [ks(['RO', 'access'])],
    summary: 'Return the index of matching elements on a list', since: '6.0.6', ...G,
    complexity: 'O(N) where N is the number of elements in the list, for the average case. When searching for elements near the head or the tail of the list, or when the MAXLEN option is provided, the command may run in constant time.',
  }),
  cmd({
    name: 'lmove', arity: 5, flags: ['write', 'denyoom'], acl: LIST, shard: lmove, coordinated: lmoveCoordinated,
    keySpecs: [ks(['RW', 'access', 'delete']), ks(['RW', 'insert'], 2)],
    summary: 'Pop an element from a list, push it to another list and return it', since: '6.2.0', ...G, complexity: 'O(1)',
  }),
  cmd({
    name: 'rpoplpush', arity: 3, flags: ['write', 'denyoom'], acl: LIST, shard: rpoplpush, coordinated: rpoplpushCoordinated,
    keySpecs: [ks(['RW', 'access', 'delete']), ks(['RW', 'insert'], 2)],
    summary: 'Remove the last element in a list, prepend it to another list and return it', since: '1.2.0', ...G, complexity: 'O(1)',
  }),
  lmpopDef,
];
