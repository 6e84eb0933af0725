// Lists on the shard's LMDB environment: push and pop at both ends, index, set, range reads, trim,
// position search, moving an element between lists. The edits in the middle of a list (LINSERT,
// LREM) are in lib/store/list-edit.ts, the nodes in lib/store/list-nodes.ts, the key operations
// (OBJECT ENCODING, COPY, dump / restore for cross-shard RENAME and COPY) in
// lib/store/list-keytype.ts.
//
// A list is a collection record (lib/store/collections.ts) whose type-specific bytes are
// [head u64 BE][tail u64 BE]: its elements have the absolute indexes head <= i < tail, in list
// order. A new list starts with head = tail = 2^52 (the middle of the range a JS number holds
// exactly), so each end can grow by 2^52 elements. The elements are packed in nodes of up to
// NODE_MAX_ELEMS elements / NODE_MAX_BYTES bytes, as Redis's quicklist packs them in listpacks:
// one `sub` entry per node, keyed [id u64 BE][index of its first element u64 BE]
// (lib/store/list-nodes.ts), so the node keys follow the list order and the node holding any
// index is found with one B-tree descent. Pushes and pops touch the end nodes only, and a write
// transaction holds those in memory and writes them once (lib/store/list-nodes.ts); LINDEX, LSET
// and the start of LRANGE are one descent plus one node (O(log N)), LRANGE then reads node after
// node. LINSERT and LREM renumber the nodes on the shorter side of the change (O(N) at worst, as
// in Redis) in lib/store/list-edit.ts; LTRIM drops or cuts the nodes at both ends. An emptied
// list is deleted (its record goes, its nodes become garbage for the collector), as Redis never
// keeps empty lists.
//
// Every write logs its effect: the command as received for the single-list writes (the caller
// passes it), LPOP/RPOP key n for LMPOP, DEL + RPUSH batches (+ PEXPIREAT) for a restored list.

import type { StoreCtx } from './context.js';
import { EV } from './key-events.js';
import type { ShardStore } from './shard-store.js';
import { E, RedisError } from '../errors.js';
import { COLL_FIXED, openColl, openOrCreate, saveColl, type Coll } from './collections.js';
import { T_LIST } from './meta.js';
import { readU64BE, writeU64BE } from './keys.js';
import { INT64_MIN } from '../resp/number.js';
import {
  Node,
  MID,
  NodeReader,
  decodeNode,
  encodeElems,
  forEachStoredNode,
  heldNodeAt,
  elemCost,
  elemsBytes,
  evictHeld,
  heldEnds,
  heldNodes,
  nodeKey,
  putRuns,
  readNodes,
  storedNodeAt,
  syncHeld,
  writeNode,
  type Ends,
} from './list-nodes.js';

/** Nodes one range read finds for the tail end: the tail node and the next ones below it. */
const TAIL_READ_AHEAD = 8;

const ERR_INDEX = 'ERR index out of range';
const EMPTY_ELEM = Buffer.alloc(0);

const B_LPOP = Buffer.from('LPOP');
const B_RPOP = Buffer.from('RPOP');

function initialEnds(): Buffer {
  const b = Buffer.allocUnsafe(16);
  writeU64BE(b, MID, 0);
  writeU64BE(b, MID, 8);
  return b;
}
const INIT_ENDS = initialEnds();

type Sub = ShardStore['sub'];

/** LRANGE's read of a list: `rangeLength` elements, each a transient view (see List.nextInRange). */
export interface ListRange {
  readonly rangeLength: number;
  nextInRange(): Buffer;
  /** The next element as spanBuf[spanStart, spanEnd) (no Buffer made for it). */
  advanceInRange(): void;
  readonly spanBuf: Buffer;
  readonly spanStart: number;
  readonly spanEnd: number;
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
  /** Absolute index past the node nextInRange reads (0: none yet). */
  private rangeNodeEnd = 0;
  /** The held node nextInRange reads (null: a stored one, through rangeReader), and its position. */
  private rangeHeld: Buffer[] | null = null;
  private rangeHeldAt = 0;
  private readonly rangeReader = new NodeReader();
  /** The held ends of this list (write paths). */
  private held: Ends | null = null;

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

  private ends(): Ends {
    return (this.held ??= heldNodes(this.x.store).ends(this.id));
  }

  /** Writes the held end nodes (they stay held): `sub` then holds the whole list. */
  sync(): void {
    syncHeld(this.x.store, this.id);
  }

  /** Writes the held end nodes and stops holding them, before an edit rewrites nodes in `sub`. */
  evict(): void {
    evictHeld(this.x.store, this.id);
    this.held = null;
  }

  /** The head node (held from now on); null when the list is empty. */
  private headNode(): Node | null {
    if (this.head === this.tail) return null;
    const e = this.ends();
    if (e.head) return e.head;
    if (e.tail && e.tail.start === this.head) return (e.head = e.tail);
    const v = this.sub.getBinaryFast(nodeKey(this.id, this.head)) as Buffer | undefined;
    if (!v) throw new Error(`list ${this.id}: head node ${this.head} missing`);
    const n = Node.read(this.head, v);
    e.head = n;
    if (n.start + n.count === this.tail) e.tail = n;
    return n;
  }

  /** The tail node (held from now on); null when the list is empty. */
  private tailNode(): Node | null {
    if (this.head === this.tail) return null;
    const e = this.ends();
    if (e.tail) return e.tail;
    if (e.head && e.head.start + e.head.count === this.tail) return (e.tail = e.head);
    let n: Node | null = null;
    const ahead = e.below.shift();
    if (ahead) {
      n = Node.read(ahead.start, ahead.value);
      if (n.start + n.count !== this.tail) {
        n = null;
        e.below.length = 0;
      }
    }
    if (!n) {
      const found = readNodes(this.sub, this.id, this.tail - 1, true, TAIL_READ_AHEAD);
      const s = found.shift();
      if (!s || s.start < this.head) throw new Error(`list ${this.id}: tail node missing`);
      n = Node.read(s.start, s.value);
      if (n.start + n.count !== this.tail) throw new Error(`list ${this.id}: tail node ${n.start} holds ${n.count} elements, the tail is ${this.tail}`);
      e.below = found;
    }
    e.tail = n;
    if (n.start === this.head) e.head = n;
    return n;
  }

  /** Element at position `pos` (0 = head), read through the held end nodes. */
  get(pos: number): Buffer | undefined {
    const t = this.head + pos;
    const h = heldNodeAt(heldEnds(this.x.store, this.id), t);
    if (h) return h.elems[t - h.start];
    const s = storedNodeAt(this.sub, this.id, t);
    if (!s) return undefined;
    const r = new NodeReader().reset(s.value);
    if (t - s.start >= r.left) return undefined;
    r.skip(t - s.start);
    return r.next();
  }

  /** Replaces the element at position `pos` (0 <= pos < len). */
  set(pos: number, v: Buffer): void {
    const t = this.head + pos;
    this.evict();
    const s = storedNodeAt(this.sub, this.id, t);
    if (!s) throw new Error(`list ${this.id}: no node holds index ${t}`);
    const elems = decodeNode(s.value);
    if (t - s.start >= elems.length) throw new Error(`list ${this.id}: element ${pos} of ${this.len} missing`);
    elems[t - s.start] = v;
    // an element grown past the node's room: the node splits (the indexes stay as they are)
    putRuns(this.sub, this.id, s.start, elems);
  }

  pushLeft(v: Buffer): void {
    const n = this.headNode();
    this.ends().below.length = 0;
    const cost = elemCost(v.length);
    if (n && n.fits(v.length)) {
      n.elems.unshift(Buffer.from(v));
      n.start--;
      n.bytes += cost;
      n.dirty = true;
    } else {
      const m = new Node(this.head - 1, [Buffer.from(v)], cost, -1);
      m.dirty = true;
      const e = this.ends();
      // the old head is complete: written now, so that `sub` holds every node but the ends
      if (n && n !== e.tail) writeNode(this.sub, this.id, n, e);
      e.head = m;
      if (!n) e.tail = m;
    }
    this.head--;
  }

  pushRight(v: Buffer): void {
    const n = this.tailNode();
    const cost = elemCost(v.length);
    if (n && n.fits(v.length)) {
      n.elems.push(Buffer.from(v));
      n.bytes += cost;
      n.dirty = true;
    } else {
      const m = new Node(this.tail, [Buffer.from(v)], cost, -1);
      m.dirty = true;
      const e = this.ends();
      if (n && n !== e.head) writeNode(this.sub, this.id, n, e);
      e.tail = m;
      if (!n) e.head = m;
    }
    this.tail++;
  }

  /** An end node emptied by pops: its key goes now, and it is no longer held. */
  private drained(n: Node): void {
    const e = this.ends();
    writeNode(this.sub, this.id, n, e);
    if (e.head === n) e.head = null;
    if (e.tail === n) e.tail = null;
  }

  /** Removes and returns `n` (<= len) elements from the left or right end, in pop order. */
  pop(left: boolean, n: number): Buffer[] {
    if (n <= 0) return [];
    if (n > this.len) throw new Error(`list ${this.id}: ${n} elements to pop from ${this.len}`);
    if (left) this.ends().below.length = 0;
    if (n === 1) {
      // (RPOP -P 16: one element, no array juggling)
      const node = left ? this.headNode()! : this.tailNode()!;
      const v = left ? node.elems.shift()! : node.elems.pop()!;
      node.bytes -= elemCost(v.length);
      node.dirty = true;
      if (left) {
        node.start++;
        this.head++;
      } else this.tail--;
      if (node.count === 0) this.drained(node);
      return [v];
    }
    const out: Buffer[] = [];
    while (n > 0) {
      const node = left ? this.headNode()! : this.tailNode()!;
      const k = Math.min(n, node.count);
      const taken = left ? node.elems.splice(0, k) : node.elems.splice(node.count - k, k).reverse();
      node.bytes -= elemsBytes(taken);
      node.dirty = true;
      for (const v of taken) out.push(v);
      if (left) {
        node.start += k;
        this.head += k;
      } else this.tail -= k;
      n -= k;
      if (node.count === 0) this.drained(node);
    }
    return out;
  }

  /**
   * Visits elements from the head (or from the tail when `reverse`), at most `max` of them
   * (0 = all); `fn` returns true to stop. `pos` counts from the end the walk starts at. No writes
   * may happen during the walk.
   */
  walk(reverse: boolean, max: number, fn: (value: Buffer, pos: number) => boolean | void): void {
    if (this.len === 0) return;
    this.sync();
    const limit = max ? Math.min(max, this.len) : this.len;
    let pos = 0;
    const from = reverse ? this.tail - 1 : this.head;
    const to = reverse ? this.head : this.tail;
    forEachStoredNode(this.sub, this.id, from, to, reverse, (start, elems) => {
      if (reverse) {
        for (let i = Math.min(elems.length, from - start + 1) - 1; i >= 0; i--) {
          if (pos >= limit || fn(elems[i], pos++)) return true;
        }
      } else {
        for (let i = Math.max(0, from - start); i < elems.length; i++) {
          if (pos >= limit || fn(elems[i], pos++)) return true;
        }
      }
      return pos >= limit;
    });
  }

  /** Drops `left` elements from the head and `right` from the tail. */
  trim(left: number, right: number): void {
    if (left + right >= this.len) {
      this.head = this.tail; // emptied: the record goes, the nodes are garbage
      return;
    }
    this.evict();
    const { sub, id } = this;
    const newHead = this.head + left;
    const newTail = this.tail - right;
    if (left > 0) {
      forEachStoredNode(sub, id, this.head, newHead + 1, false, (start, elems) => {
        sub.removeSync(nodeKey(id, start));
        if (start + elems.length <= newHead) return false;
        // the node holding the new head keeps its elements from there on, under the new head
        const rest = elems.slice(newHead - start);
        sub.putSync(nodeKey(id, newHead), encodeElems(rest));
        return true;
      });
    }
    if (right > 0) {
      forEachStoredNode(sub, id, this.tail - 1, newTail - 1, true, (start, elems) => {
        if (start >= newTail) {
          sub.removeSync(nodeKey(id, start));
          return false;
        }
        if (start + elems.length > newTail) sub.putSync(nodeKey(id, start), encodeElems(elems.slice(0, newTail - start)));
        return true;
      });
    }
    this.head = newHead;
    this.tail = newTail;
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
    this.rangeNodeEnd = 0;
    return this.rangeLength;
  }

  /**
   * The next element of the range set by startRange: node after node, each read with one lookup
   * of its exact key (the next node starts where this one ends), the first one found with one
   * descent; a held end node is read from memory. Each element is a view of LMDB's shared read
   * buffer, valid until the next read of the store (the caller copies it into its reply before
   * reading on).
   */
  nextInRange(): Buffer {
    const t = this.rangeAt++;
    if (t >= this.rangeNodeEnd) this.enterNode(t);
    if (this.rangeHeld) return this.rangeHeld[this.rangeHeldAt++];
    return this.rangeReader.next();
  }

  /**
   * nextInRange() without a Buffer per element (LRANGE's reply copies the bytes straight from the
   * node): the element is spanBuf[spanStart, spanEnd), valid as nextInRange's views are. A Buffer
   * view per element was a quarter of the shard's time in LRANGE_100.
   */
  advanceInRange(): void {
    const t = this.rangeAt++;
    if (t >= this.rangeNodeEnd) this.enterNode(t);
    if (this.rangeHeld) {
      const e = this.rangeHeld[this.rangeHeldAt++];
      this.spanBuf = e;
      this.spanStart = 0;
      this.spanEnd = e.length;
      return;
    }
    const r = this.rangeReader;
    this.spanBuf = r.buf;
    this.spanStart = r.nextSpan();
    this.spanEnd = r.off;
  }

  spanBuf: Buffer = EMPTY_ELEM;
  spanStart = 0;
  spanEnd = 0;

  private enterNode(t: number): void {
    const h = heldNodeAt(heldEnds(this.x.store, this.id), t);
    if (h) {
      this.rangeHeld = h.elems;
      this.rangeHeldAt = t - h.start;
      this.rangeNodeEnd = h.start + h.count;
      return;
    }
    this.rangeHeld = null;
    // the first node of the range may start before t; every later one starts at the node end
    let v = t === this.rangeNodeEnd || t === this.head ? (this.sub.getBinaryFast(nodeKey(this.id, t)) as Buffer | undefined) : undefined;
    let start = t;
    if (v) {
      // (the shared read buffer only pretends to be `length` long: take a real view of it)
      v = v.subarray(0, v.length);
    } else {
      const s = storedNodeAt(this.sub, this.id, t);
      if (!s) throw new Error(`list ${this.id}: element ${t - this.head} of ${this.len} missing`);
      v = s.value;
      start = s.start;
    }
    const r = this.rangeReader.reset(v);
    if (t - start >= r.left) throw new Error(`list ${this.id}: element ${t - this.head} of ${this.len} missing`);
    this.rangeNodeEnd = start + r.left;
    r.skip(t - start);
  }

  /** Writes the record (deletes the key when the list is empty). Returns false when gone. */
  save(): boolean {
    writeU64BE(this.c.extra, this.head, 0);
    writeU64BE(this.c.extra, this.tail, 8);
    this.c.count = this.len;
    const old = this.c.old;
    if (old && this.len > 0) {
      // the record as saveColl would encode it: the old one with the count and the ends changed
      const raw = Buffer.from(old.raw);
      writeU64BE(raw, this.len, old.off + 8);
      this.c.extra.copy(raw, old.off + COLL_FIXED);
      this.x.store.put(this.x.db, old.mk, raw, old);
      this.c.old = { mk: old.mk, raw, type: old.type, expireAt: old.expireAt, off: old.off };
      return true;
    }
    if (saveColl(this.x, this.c)) return true;
    // deleted: its nodes are garbage, held ones need not be written
    heldNodes(this.x.store).forget(this.id);
    this.held = null;
    return false;
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
export function listPush(x: StoreCtx, cmd: Buffer[], left: boolean, onlyExisting: boolean, event?: number): number {
  const key = cmd[1];
  const l = onlyExisting ? List.open(x, key) : List.openOrCreate(x, key);
  if (!l) return 0;
  for (let i = 2; i < cmd.length; i++) {
    if (left) l.pushLeft(cmd[i]);
    else l.pushRight(cmd[i]);
  }
  l.save();
  x.binlog(cmd, event);
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
  } else x.store.keyEvent(x.db, key, EV.ltrim); // nothing to replay, but Redis names the change all the same
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

/** (the list's key type operations live beside it) */
export { listKeyType } from './list-keytype.js';
