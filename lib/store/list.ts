// Lists on the shard's LMDB environment: push and pop at both ends, index, set, range reads, trim,
// position search, moving an element between lists, and the list's key operations (OBJECT
// ENCODING, COPY, dump / restore for cross-shard RENAME and COPY). The edits in the middle of a
// list (LINSERT, LREM: shifts and compaction) are in lib/store/list-edit.ts.
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
// Every write logs its effect: the command as received for the single-list writes (the caller
// passes it), LPOP/RPOP key n for LMPOP, DEL + RPUSH batches (+ PEXPIREAT) for a restored list.

import type { StoreCtx } from './context.js';
import type { ShardStore } from './shard-store.js';
import type { KeyTypeOps } from './key-ops.js';
import { E, RedisError } from '../errors.js';
import { COLL_FIXED, copyCollection, logRestoredExpiry, packItems, putRestored, unpackItems, openColl, openOrCreate, saveColl, type Coll } from './collections.js';
import { T_LIST, payload } from './meta.js';
import { readU64BE, writeU64BE } from './keys.js';
import { DEL } from './effects.js';
import { INT64_MIN } from '../resp/number.js';

/** Index of the first element of a new list (head = tail = MID when empty). */
const MID = 2 ** 52;
/** Elements read per LMDB range read when a command walks or moves many of them. */
const CHUNK = 1024;
/** Pops of up to this many elements read them one lookup each instead of with a range cursor. */
const POP_LOOKUPS = 16;

const ERR_INDEX = 'ERR index out of range';

const B_LPOP = Buffer.from('LPOP');
const B_RPOP = Buffer.from('RPOP');
const B_RPUSH = Buffer.from('RPUSH');

function initialEnds(): Buffer {
  const b = Buffer.allocUnsafe(16);
  writeU64BE(b, MID, 0);
  writeU64BE(b, MID, 8);
  return b;
}
const INIT_ENDS = initialEnds();

/** The subkey of the element at absolute index `idx` of the list with id `id`. */
export function ekey(id: number, idx: number): Buffer {
  const k = Buffer.allocUnsafe(16);
  writeU64BE(k, id, 0);
  writeU64BE(k, idx, 8);
  return k;
}

/**
 * The subkey LRANGE reads through, element after element (one range read at a time per thread:
 * each element is consumed before the next is read).
 */
const RANGE_KEY = Buffer.allocUnsafe(16);

type Sub = ShardStore['sub'];

export interface Entry {
  /** absolute index */
  idx: number;
  value: Buffer;
}

/**
 * Reads up to CHUNK elements with absolute indexes in [from, to) (ascending) or (to, from]
 * (descending, `from` included), as an array (so the caller may write afterwards).
 */
export function readChunk(sub: Sub, id: number, from: number, to: number, reverse: boolean, limit = CHUNK): Entry[] {
  const out: Entry[] = [];
  if (reverse ? from <= to : from >= to) return out;
  const range = reverse
    ? sub.getRange({ start: ekey(id, from), end: ekey(id, to), reverse: true, limit })
    : sub.getRange({ start: ekey(id, from), end: ekey(id, to), limit });
  for (const { key, value } of range) out.push({ idx: readU64BE(key, 8), value: value as Buffer });
  return out;
}

/** LRANGE's read of a list: `rangeLength` elements, each a transient view (see List.nextInRange). */
export interface ListRange {
  readonly rangeLength: number;
  nextInRange(): Buffer;
}

/** An open list: its record and its current ends; `save` writes the record back. */
export class List implements ListRange {
  readonly sub: Sub;
  readonly id: number;
  head: number;
  tail: number;
  /** Elements of the range set by startRange. */
  rangeLength = 0;
  /** Absolute index of the next element nextInRange returns. */
  private rangeAt = 0;

  constructor(
    readonly x: StoreCtx,
    readonly c: Coll,
  ) {
    this.sub = x.store.sub;
    this.id = c.id;
    this.head = readU64BE(c.extra, 0);
    this.tail = readU64BE(c.extra, 8);
  }

  /** The list at `key`, null when missing; throws WRONGTYPE for another type. */
  static open(x: StoreCtx, key: Buffer): List | null {
    const c = openColl(x, key, T_LIST);
    return c ? new List(x, c) : null;
  }

  /** The list at `key` or a new empty one; throws WRONGTYPE for another type. */
  static openOrCreate(x: StoreCtx, key: Buffer): List {
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

  /**
   * Sets up a read of Redis's range [start, stop] (negative positions count from the tail; the
   * range is clipped to the list) for nextInRange; returns its number of elements.
   */
  startRange(start: number, stop: number): number {
    const len = this.len;
    if (start < 0) start += len;
    if (stop < 0) stop += len;
    if (start < 0) start = 0;
    if (start > stop || start >= len) {
      this.rangeLength = 0;
      return 0;
    }
    if (stop >= len) stop = len - 1;
    this.rangeLength = stop - start + 1;
    this.rangeAt = this.head + start;
    writeU64BE(RANGE_KEY, this.id, 0);
    return this.rangeLength;
  }

  /**
   * The next element of the range set by startRange. One lookup per index, each element a view of
   * LMDB's shared read buffer, valid until the next read of the store (the caller copies it into
   * its reply before reading on): a range cursor would allocate a key and a value Buffer per
   * element (measured: LRANGE_100 -P 16 7.1k -> see the commit message).
   */
  nextInRange(): Buffer {
    writeU64BE(RANGE_KEY, this.rangeAt, 8);
    const v = (this.sub as unknown as { getBinaryFast(k: Buffer): Buffer | undefined }).getBinaryFast(RANGE_KEY);
    if (!v) throw new Error(`list ${this.id}: element ${this.rangeAt - this.head} of ${this.len} missing`);
    this.rangeAt++;
    // (the shared read buffer only pretends to be `length` long: take a real view of it)
    return v.subarray(0, v.length);
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
// The lists' operations, one per command
// ------------------------------------------------------------------------------------------------

/**
 * The list at `key`, null when missing; throws WRONGTYPE for another type. For the commands that
 * look their key up before they read their other arguments (LINDEX, LSET), as Redis does.
 */
export function openList(x: StoreCtx, key: Buffer): List | null {
  return List.open(x, key);
}

/**
 * LPUSH / RPUSH / LPUSHX / RPUSHX: pushes cmd[2..] one by one at the left or right end of the list
 * at cmd[1] (created unless `onlyExisting`); logs `cmd` (the command as received). Returns the new
 * length, 0 when `onlyExisting` and there is no list.
 */
export function listPush(x: StoreCtx, cmd: Buffer[], left: boolean, onlyExisting: boolean): number {
  const key = cmd[1];
  const l = onlyExisting ? List.open(x, key) : List.openOrCreate(x, key);
  if (!l) return 0;
  for (let i = 2; i < cmd.length; i++) {
    if (left) l.pushLeft(cmd[i]);
    else l.pushRight(cmd[i]);
  }
  l.save();
  x.binlog(cmd);
  return l.len;
}

/**
 * LPOP / RPOP: removes up to `count` elements from one end, in pop order; null when there is no
 * list. `count` 0 removes nothing and logs nothing; otherwise `effect` is logged.
 */
export function listPop(x: StoreCtx, key: Buffer, left: boolean, count: number, effect: Buffer[]): Buffer[] | null {
  const l = List.open(x, key);
  if (!l) return null;
  if (count === 0) return [];
  const vals = l.pop(left, Math.min(count, l.len));
  l.save();
  x.binlog(effect);
  return vals;
}

/** LLEN: 0 when there is no list. */
export function listLength(x: StoreCtx, key: Buffer): number {
  const l = List.open(x, key);
  return l ? l.len : 0;
}

/** LINDEX on an open list: the element at `index` (negative from the tail), null when outside. */
export function listIndex(l: List, index: number): Buffer | null {
  if (index < 0) index += l.len;
  if (index < 0 || index >= l.len) return null;
  return l.get(index) ?? null;
}

/** LSET's lookup: the list at `key`; throws "no such key" when missing, WRONGTYPE for another type. */
export function openExistingList(x: StoreCtx, key: Buffer): List {
  const l = List.open(x, key);
  if (!l) throw new RedisError(E.noKey);
  return l;
}

/**
 * LSET on an open list: replaces the element at `index` (negative from the tail; outside the
 * list: "index out of range") and logs `effect`.
 */
export function listSet(l: List, index: number, value: Buffer, effect: Buffer[]): void {
  if (index < 0) index += l.len;
  if (index < 0 || index >= l.len) throw new RedisError(ERR_INDEX);
  l.set(index, value); // the record (ends, count) is unchanged
  l.x.binlog(effect);
}

/**
 * LRANGE: the list at `key` set up for reading Redis's range [start, stop] (rangeLength elements,
 * read with nextInRange); null when there is no list.
 */
export function listRange(x: StoreCtx, key: Buffer, start: number, stop: number): ListRange | null {
  const l = List.open(x, key);
  if (l) l.startRange(start, stop);
  return l;
}

/**
 * LTRIM: keeps Redis's range [start, stop] of the list at `key` (an empty range deletes it). Logs
 * `effect` when something was removed.
 */
export function listTrim(x: StoreCtx, key: Buffer, start: number, stop: number, effect: Buffer[]): void {
  const l = List.open(x, key);
  if (!l) return;
  const len = l.len;
  if (start < 0) start += len;
  if (stop < 0) stop += len;
  if (start < 0) start = 0;
  let left: number;
  let right: number;
  if (start > stop || start >= len) {
    left = 0;
    right = len;
  } else {
    if (stop >= len) stop = len - 1;
    left = start;
    right = len - stop - 1;
  }
  if (left + right > 0) {
    l.trim(left, right);
    l.save();
    x.binlog(effect);
  }
}

/**
 * LPOS: the positions (from the head) of the elements equal to `elem`, starting with the `rank`th
 * match (negative: searching from the tail), at most `count` of them (0 = all; -1 = no COUNT given:
 * the first one only), looking at `maxlen` elements at most (0 = all). Null when there is no list.
 */
export function listPositions(x: StoreCtx, key: Buffer, elem: Buffer, rank: bigint, count: number, maxlen: number): number[] | null {
  // A negative rank searches from the tail. Redis negates it in a C long: LONG_MIN stays
  // negative, so every match qualifies and COUNT never stops the search.
  const reverse = rank < 0n;
  const anyRank = rank === INT64_MIN;
  const want = Number(reverse ? -rank : rank);
  const l = List.open(x, key);
  if (!l) return null;
  const len = l.len;
  const found: number[] = [];
  let matches = 0;
  l.walk(reverse, maxlen, (v, pos) => {
    if (!v.equals(elem)) return false;
    matches++;
    if (!anyRank && matches < want) return false;
    found.push(reverse ? len - pos - 1 : pos);
    if (count === -1) return true;
    return count !== 0 && !anyRank && matches - want + 1 >= count;
  });
  return found;
}

/**
 * LMOVE / RPOPLPUSH with both keys on this shard: pops one element from `src` and pushes it on
 * `dst` (created when missing; the same key rotates the list); logs `effect`. Returns the element,
 * null when there is no source list. Type checks: the source, then the destination.
 */
export function listMove(x: StoreCtx, srcKey: Buffer, dstKey: Buffer, fromLeft: boolean, toLeft: boolean, effect: Buffer[]): Buffer | null {
  const src = List.open(x, srcKey);
  if (!src) return null;
  const dst = srcKey.equals(dstKey) ? src : List.openOrCreate(x, dstKey);
  const [v] = src.pop(fromLeft, 1);
  if (toLeft) dst.pushLeft(v);
  else dst.pushRight(v);
  src.save();
  if (dst !== src) dst.save();
  x.binlog(effect);
  return v;
}

/** What LMPOP took: the key it popped from and the elements, in pop order. */
export interface Popped {
  key: Buffer;
  elements: Buffer[];
}

/**
 * LMPOP: up to `count` elements from one end of the first of `keys` that holds a list (WRONGTYPE
 * for a key of another type met before it); logs LPOP/RPOP key n. Null when none holds a list.
 */
export function listPopFirst(x: StoreCtx, keys: Buffer[], left: boolean, count: number): Popped | null {
  for (const key of keys) {
    const l = List.open(x, key);
    if (!l) continue;
    const n = Math.min(count, l.len);
    const elements = l.pop(left, n);
    l.save();
    x.binlog([left ? B_LPOP : B_RPOP, key, Buffer.from(String(n))]);
    return { key, elements };
  }
  return null;
}

// ------------------------------------------------------------------------------------------------
// Key type operations (OBJECT ENCODING, COPY, cross-shard RENAME / COPY)
// ------------------------------------------------------------------------------------------------

/** RPUSH records of a restored list carry at most this many elements each. */
const RESTORE_BATCH = 512;

const EMPTY_HEAD = Buffer.alloc(0);

export const listKeyType: KeyTypeOps = {
  // Redis 7.0 keeps every list as a quicklist, small or big.
  encoding: () => 'quicklist',
  refcount: () => 1,
  copy: copyCollection,
  dump(store, m) {
    // the elements head to tail (packItems, no header)
    const p = payload(m);
    const id = readU64BE(p, 0);
    const tail = readU64BE(p, COLL_FIXED + 8);
    const elems: Buffer[] = [];
    let at = readU64BE(p, COLL_FIXED);
    while (at < tail) {
      const chunk = readChunk(store.sub, id, at, tail, false);
      if (chunk.length === 0) break;
      for (const e of chunk) elems.push(e.value);
      at = chunk[chunk.length - 1].idx + 1;
    }
    return packItems(EMPTY_HEAD, elems);
  },
  restore(x, key, to, dump, expire) {
    const elems = unpackItems(dump, 0);
    const id = x.store.allocId();
    for (let i = 0; i < elems.length; i++) x.store.sub.putSync(ekey(id, MID + i), elems[i]);
    const body = Buffer.alloc(COLL_FIXED + 16);
    writeU64BE(body, id, 0);
    writeU64BE(body, elems.length, 8);
    writeU64BE(body, MID, COLL_FIXED);
    writeU64BE(body, MID + elems.length, COLL_FIXED + 8);
    putRestored(x, key, to, T_LIST, body, expire);
    x.binlog([DEL, key]);
    for (let i = 0; i < elems.length; i += RESTORE_BATCH) x.binlog([B_RPUSH, key, ...elems.slice(i, i + RESTORE_BATCH)]);
    logRestoredExpiry(x, key, expire);
  },
};
