// The nodes a list's elements are packed in (lib/store/list.ts has the layout), and the end
// nodes a write transaction holds in memory.
//
// A node is one `sub` entry [id u64 BE][start u64 BE] -> [count varint]{[length varint][bytes]}:
// `start` is the absolute index of its first element, so the keys of a list's nodes follow the
// list order and the node holding index i is the one with the greatest key <= [id][i]. A node
// takes elements while it has fewer than NODE_MAX_ELEMS and they fit in NODE_MAX_BYTES; a longer
// element gets a node of its own.
//
// Held end nodes: a hot list gets many pushes and pops in one batch (LPUSH / RPOP at -P 16 on one
// key), each of which would rewrite its end node. The running write transaction keeps each list's
// head and tail nodes decoded in memory instead (HeldNodes) and writes them once, in beforeCommit;
// an aborted transaction drops them with everything else it wrote. A node that stops being an end
// (a new node is started in front of it) is written at once, so every node but the held ends is
// exact in `sub` while the transaction runs: point and range reads read the held ends from memory
// and the rest from `sub`; whatever walks or rewrites a list's nodes in `sub` itself (LPOS, LINSERT,
// LREM, LTRIM, LSET, dumps and copies) first writes the held ends (sync) or hands them back (evict).

import type { HeldWrites, ShardStore } from './shard-store.js';
import { readU64BE, writeU64BE } from './keys.js';

type Sub = ShardStore['sub'];

/** Index of the first element of a new list (head = tail = MID when empty). */
export const MID = 2 ** 52;

/**
 * Most elements per node. Bounds the work of decoding a node (every point read and the first touch
 * of an end node in a batch decodes one).
 */
export const NODE_MAX_ELEMS = 128;
/**
 * Most encoded bytes per node (a lone longer element excepted). LMDB moves values over ~2,000 bytes
 * (4 KB pages: a node holds at most ~2,010 bytes of data besides its 16-byte key) to overflow pages,
 * a page or more each; a 1,900-byte node stays in the B-tree leaves. Measured against 1 KB nodes
 * (100-byte elements, -P 16, 2 alternating rounds): LRANGE 0 99 49.5k/50.5k -> 56.8k/56.2k ops/s
 * (shard 17.2-18.2 -> 15.5 us/req), LPUSH 203k/209k -> 234k/235k (shard 4.2-4.3 -> 3.6-3.8).
 */
export const NODE_MAX_BYTES = 1900;

/** The key of the node starting at absolute index `start` of list `id`. */
export function nodeKey(id: number, start: number): Buffer {
  const k = Buffer.allocUnsafe(16);
  writeU64BE(k, id, 0);
  writeU64BE(k, start, 8);
  return k;
}

/** [id u64 BE]: the lower bound of a list's node keys. */
export function idKey(id: number): Buffer {
  const k = Buffer.allocUnsafe(8);
  writeU64BE(k, id, 0);
  return k;
}

/** Bytes of a varint. */
function varintSize(n: number): number {
  let s = 1;
  while (n >= 0x80) {
    n = Math.floor(n / 0x80);
    s++;
  }
  return s;
}

function writeVarint(b: Buffer, off: number, n: number): number {
  while (n >= 0x80) {
    b[off++] = (n & 0x7f) | 0x80;
    n = Math.floor(n / 0x80);
  }
  b[off++] = n;
  return off;
}

/** Encoded bytes of an element of `len` bytes in a node. */
export function elemCost(len: number): number {
  return len + (len < 0x80 ? 1 : varintSize(len));
}

/** A node's value: the count, then each element with its length. */
export function encodeNode(elems: readonly Buffer[], bytes: number): Buffer {
  const b = Buffer.allocUnsafe(varintSize(elems.length) + bytes);
  let off = writeVarint(b, 0, elems.length);
  for (const e of elems) {
    off = writeVarint(b, off, e.length);
    off += e.copy(b, off);
  }
  return b;
}

/**
 * Reads a node's elements in order, each a view of the node's bytes (valid as long as they are:
 * for a value from getBinaryFast, until the next read of the store).
 */
export class NodeReader {
  buf: Buffer = EMPTY;
  off = 0;
  /** Elements not read yet. */
  left = 0;

  reset(buf: Buffer): this {
    this.buf = buf;
    this.off = 0;
    this.left = this.varint();
    return this;
  }

  private varint(): number {
    const b = this.buf;
    let v = b[this.off++];
    if (v < 0x80) return v;
    v &= 0x7f;
    let mul = 0x80;
    for (;;) {
      const c = b[this.off++];
      v += (c & 0x7f) * mul;
      if (c < 0x80) return v;
      mul *= 0x80;
    }
  }

  next(): Buffer {
    const len = this.varint();
    const start = this.off;
    this.off += len;
    this.left--;
    return this.buf.subarray(start, this.off);
  }

  /** Like next(), without making a Buffer: the element is buf[spanStart, off). */
  nextSpan(): number {
    const len = this.varint();
    const start = this.off;
    this.off += len;
    this.left--;
    return start;
  }

  /** Skips `n` elements. */
  skip(n: number): void {
    for (let i = 0; i < n; i++) {
      const len = this.varint();
      this.off += len;
    }
    this.left -= n;
  }
}

const EMPTY = Buffer.alloc(0);
const READER = new NodeReader();

/** The number of elements of a node's value. */
export function nodeCount(v: Buffer): number {
  return READER.reset(v).left;
}

/** A node's elements, as views of `v` (copy `v` first when it is LMDB's shared read buffer). */
export function decodeNode(v: Buffer): Buffer[] {
  const r = READER.reset(v);
  const out = new Array<Buffer>(r.left);
  for (let i = 0; i < out.length; i++) out[i] = r.next();
  return out;
}

/** Splits elements into runs that each fit in a node, in order. */
export function packRuns(elems: readonly Buffer[]): Buffer[][] {
  const runs: Buffer[][] = [];
  let run: Buffer[] = [];
  let bytes = 0;
  for (const e of elems) {
    const c = elemCost(e.length);
    if (run.length > 0 && (run.length >= NODE_MAX_ELEMS || bytes + c > NODE_MAX_BYTES)) {
      runs.push(run);
      run = [];
      bytes = 0;
    }
    run.push(e);
    bytes += c;
  }
  if (run.length > 0) runs.push(run);
  return runs;
}

/** Encoded bytes of elements (without the count). */
export function elemsBytes(elems: readonly Buffer[]): number {
  let n = 0;
  for (const e of elems) n += elemCost(e.length);
  return n;
}

/**
 * Writes `elems` as nodes starting at absolute index `start` (runs that each fit in a node).
 * Returns the number of nodes written.
 */
export function putRuns(sub: Sub, id: number, start: number, elems: readonly Buffer[]): number {
  const runs = packRuns(elems);
  for (const run of runs) {
    sub.putSync(nodeKey(id, start), encodeNode(run, elemsBytes(run)));
    start += run.length;
  }
  return runs.length;
}

/** A node decoded in memory: an end node held by the write transaction. */
export class Node {
  /** Changed since it was read or last written. */
  dirty = false;

  constructor(
    /** Absolute index of its first element. */
    public start: number,
    /** Its elements, in list order (private copies). */
    public elems: Buffer[],
    /** Encoded bytes of its elements. */
    public bytes: number,
    /** The index its key has in `sub` (-1: not stored). */
    public stored: number,
  ) {}

  /** The node stored at `start` with value `v` (copied: `v` may be LMDB's shared read buffer). */
  static read(start: number, v: Buffer): Node {
    const own = Buffer.from(v.subarray(0, v.length));
    const elems = decodeNode(own);
    return new Node(start, elems, own.length - varintSize(elems.length), start);
  }

  get count(): number {
    return this.elems.length;
  }

  /** True when an element of `len` bytes may join this node. */
  fits(len: number): boolean {
    return this.elems.length < NODE_MAX_ELEMS && this.bytes + elemCost(len) <= NODE_MAX_BYTES;
  }
}

/** A list's held end nodes (the same node when it has one). */
export interface Ends {
  head: Node | null;
  tail: Node | null;
  /**
   * Stored nodes read ahead below the tail node, nearest first (RPOP drains node after node; one
   * range read finds several). Only valid while nothing changed at the head end: cleared then.
   */
  below: Array<{ start: number; value: Buffer }>;
}

/**
 * Writes `n` at its start (dropping its old key when it moved or emptied). `ends`: the list's held
 * ends, whose stored keys a node written in the middle of a transaction may take over.
 */
export function writeNode(sub: Sub, id: number, n: Node, ends: Ends | null): void {
  if (ends) {
    // an end node last stored where `n` now goes: its old key goes now (it is rewritten at the end)
    for (const e of [ends.head, ends.tail]) {
      if (e && e !== n && e.stored === n.start && n.count > 0) {
        sub.removeSync(nodeKey(id, e.stored));
        e.stored = -1;
        e.dirty = true;
      }
    }
  }
  if (n.stored >= 0 && (n.stored !== n.start || n.count === 0)) sub.removeSync(nodeKey(id, n.stored));
  if (n.count > 0) {
    sub.putSync(nodeKey(id, n.start), encodeNode(n.elems, n.bytes));
    n.stored = n.start;
  } else n.stored = -1;
  n.dirty = false;
}

/** The end nodes held by one store's running write transaction, by list id. */
export class HeldNodes implements HeldWrites {
  private readonly lists = new Map<number, Ends>();

  /** `sub`: the store's sub-database, looked up at each write (COMPACT and a full sync open a new environment). */
  constructor(private readonly subDb: () => Sub) {}

  private get sub(): Sub {
    return this.subDb();
  }

  /** The held ends of list `id` (created empty). */
  ends(id: number): Ends {
    let e = this.lists.get(id);
    if (!e) this.lists.set(id, (e = { head: null, tail: null, below: [] }));
    return e;
  }

  /** The held ends of list `id`, undefined when none. */
  peek(id: number): Ends | undefined {
    return this.lists.size === 0 ? undefined : this.lists.get(id);
  }

  /** Writes the changed ends of list `id` and keeps them held. */
  sync(id: number): void {
    const e = this.peek(id);
    if (e) this.writeEnds(id, e);
  }

  /** Writes the changed ends of list `id` and stops holding them. */
  evict(id: number): void {
    const e = this.peek(id);
    if (!e) return;
    this.writeEnds(id, e);
    this.lists.delete(id);
  }

  /** Stops holding list `id`'s ends without writing them (the list was deleted). */
  forget(id: number): void {
    if (this.lists.size !== 0) this.lists.delete(id);
  }

  write(): void {
    if (this.lists.size === 0) return;
    for (const [id, e] of this.lists) this.writeEnds(id, e);
    this.lists.clear();
  }

  drop(): void {
    this.lists.clear();
  }

  private writeEnds(id: number, e: Ends): void {
    const { head, tail } = e;
    // both old keys go before either node is put: one may move onto the other's old key
    if (head && head.dirty && head.stored >= 0 && head.stored !== head.start) {
      this.sub.removeSync(nodeKey(id, head.stored));
      head.stored = -1;
    }
    if (tail && tail.dirty && tail !== head && tail.stored >= 0 && tail.stored !== tail.start) {
      this.sub.removeSync(nodeKey(id, tail.stored));
      tail.stored = -1;
    }
    if (head && head.dirty) writeNode(this.sub, id, head, null);
    if (tail && tail.dirty) writeNode(this.sub, id, tail, null);
  }
}

const HELD = new WeakMap<ShardStore, HeldNodes>();

/** The held end nodes of `store`'s write transactions (registered with the store on first use). */
export function heldNodes(store: ShardStore): HeldNodes {
  let h = HELD.get(store);
  if (!h) {
    h = new HeldNodes(() => store.sub);
    HELD.set(store, h);
    store.holdWrites(h);
  }
  return h;
}

/** The held ends of list `id` in `store`, undefined when none (no registration). */
export function heldEnds(store: ShardStore, id: number): Ends | undefined {
  return HELD.get(store)?.peek(id);
}

/** Writes list `id`'s changed held ends to `sub` (they stay held). */
export function syncHeld(store: ShardStore, id: number): void {
  HELD.get(store)?.sync(id);
}

/** Writes list `id`'s changed held ends to `sub` and stops holding them. */
export function evictHeld(store: ShardStore, id: number): void {
  HELD.get(store)?.evict(id);
}

/**
 * The node holding absolute index `t` of list `id` as stored in `sub` (its start and value, a
 * copy), null when none: the node with the greatest key <= [id][t].
 */
export function storedNodeAt(sub: Sub, id: number, t: number): { start: number; value: Buffer } | null {
  for (const { key, value } of sub.getRange({ start: nodeKey(id, t), end: idKey(id), reverse: true, limit: 1 })) {
    return { start: readU64BE(key as Buffer, 8), value: value as Buffer };
  }
  return null;
}

/** Reads up to `limit` stored nodes from absolute index `from` (ascending) or down from it. */
export function readNodes(sub: Sub, id: number, from: number, reverse: boolean, limit = 64): Array<{ start: number; value: Buffer }> {
  const out: Array<{ start: number; value: Buffer }> = [];
  const range = reverse
    ? sub.getRange({ start: nodeKey(id, from), end: idKey(id), reverse: true, limit })
    : sub.getRange({ start: nodeKey(id, from), end: idKey(id + 1), limit });
  for (const { key, value } of range) out.push({ start: readU64BE(key as Buffer, 8), value: value as Buffer });
  return out;
}

/** Nodes read per LMDB range read when a command walks many of them. */
export const NODE_CHUNK = 16;

/** The held end node of `e` that holds absolute index `t`, null when neither does. */
export function heldNodeAt(e: Ends | undefined, t: number): Node | null {
  if (!e) return null;
  const h = e.head;
  if (h && t >= h.start && t < h.start + h.count) return h;
  const l = e.tail;
  if (l && t >= l.start && t < l.start + l.count) return l;
  return null;
}

/**
 * Visits the stored nodes of list `id` holding absolute indexes [from, to) (ascending) or
 * [to, from] down from `from` (`reverse`), in chunks of copied values (so `fn` may write to
 * `sub`, below the next chunk's reads when ascending, above them when descending); `fn` returns
 * true to stop. Held end nodes must have been written (syncHeld) or handed back (evictHeld).
 */
export function forEachStoredNode(
  sub: Sub,
  id: number,
  from: number,
  to: number,
  reverse: boolean,
  fn: (start: number, elems: Buffer[]) => boolean | void,
): void {
  if (reverse ? from < to : from >= to) return;
  // the first node may start before `from`: the one with the greatest key <= from
  const first = storedNodeAt(sub, id, from);
  if (!first) throw new Error(`list ${id}: no node holds index ${from}`);
  let at = first.start;
  for (;;) {
    const chunk = readNodes(sub, id, at, reverse, NODE_CHUNK);
    if (chunk.length === 0) throw new Error(`list ${id}: nodes missing from index ${at}`);
    for (const n of chunk) {
      const elems = decodeNode(n.value);
      if (fn(n.start, elems)) return;
      if (reverse ? n.start <= to : n.start + elems.length >= to) return;
      at = reverse ? n.start - 1 : n.start + elems.length;
    }
  }
}

/** A node's value for `elems` (which fit in one node). */
export function encodeElems(elems: readonly Buffer[]): Buffer {
  return encodeNode(elems, elemsBytes(elems));
}
