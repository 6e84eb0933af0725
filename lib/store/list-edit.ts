// Edits in the middle of a list (lib/store/list.ts has the layout): LINSERT shifts the elements
// on the shorter side of the insertion point by one index; LREM removes the matches and closes
// the gaps by moving the survivors of the side that moves fewer elements. Both read and move
// elements in chunks of a bounded size, so a long list is never all in memory.

import type { StoreCtx } from './context.js';
import { List, ekey, readChunk } from './list.js';

/** Moves the elements with absolute indexes in [from, to) by `delta` (chunked, overlap-safe). */
function shift(l: List, from: number, to: number, delta: number): void {
  const { sub, id } = l;
  if (delta < 0) {
    // ascending: every write lands below the next chunk's reads
    let at = from;
    while (at < to) {
      const chunk = readChunk(sub, id, at, to, false);
      if (chunk.length === 0) break;
      for (const e of chunk) sub.putSync(ekey(id, e.idx + delta), e.value);
      at = chunk[chunk.length - 1].idx + 1;
    }
  } else {
    let at = to - 1;
    while (at >= from) {
      const chunk = readChunk(sub, id, at, from - 1, true);
      if (chunk.length === 0) break;
      for (const e of chunk) sub.putSync(ekey(id, e.idx + delta), e.value);
      at = chunk[chunk.length - 1].idx - 1;
    }
  }
}

/** Inserts `v` so that it ends up at position `pos` (0..len), shifting the shorter side. */
function insertAt(l: List, pos: number, v: Buffer): void {
  if (pos <= l.len - pos) {
    shift(l, l.head, l.head + pos, -1);
    l.head--;
    l.sub.putSync(ekey(l.id, l.head + pos), v);
  } else {
    shift(l, l.head + pos, l.tail, 1);
    l.sub.putSync(ekey(l.id, l.head + pos), v);
    l.tail++;
  }
}

/**
 * Removes the elements at the given absolute indexes (ascending, distinct, within the list),
 * closing the gaps from the side that moves fewer elements.
 */
function removeIndexes(l: List, idx: number[]): void {
  const k = idx.length;
  if (k === 0) return;
  if (k === l.len) {
    // the list goes away: its members are left to the garbage collector with its id
    l.head = l.tail;
    return;
  }
  const { sub, id } = l;
  const removed = new Set(idx);
  const movesRight = l.tail - idx[0] - k; // survivors after the first removed one
  const movesLeft = idx[k - 1] - l.head + 1 - k; // survivors before the last removed one
  if (movesRight <= movesLeft) {
    // close the gaps towards the head: survivors after idx[0] move left
    let w = idx[0];
    let at = idx[0] + 1;
    while (at < l.tail) {
      const chunk = readChunk(sub, id, at, l.tail, false);
      if (chunk.length === 0) break;
      for (const e of chunk) {
        if (removed.has(e.idx)) continue;
        sub.putSync(ekey(id, w++), e.value);
      }
      at = chunk[chunk.length - 1].idx + 1;
    }
    for (let i = w; i < l.tail; i++) sub.removeSync(ekey(id, i));
    l.tail = w;
  } else {
    let w = idx[k - 1];
    let at = idx[k - 1] - 1;
    while (at >= l.head) {
      const chunk = readChunk(sub, id, at, l.head - 1, true);
      if (chunk.length === 0) break;
      for (const e of chunk) {
        if (removed.has(e.idx)) continue;
        sub.putSync(ekey(id, w--), e.value);
      }
      at = chunk[chunk.length - 1].idx - 1;
    }
    for (let i = l.head; i <= w; i++) sub.removeSync(ekey(id, i));
    l.head = w + 1;
  }
}

/**
 * LINSERT: inserts `value` before (or `after`) the first element equal to `pivot`, from the head;
 * logs `effect`. Returns the new length, 0 when there is no list, -1 when no element is `pivot`.
 */
export function listInsert(x: StoreCtx, key: Buffer, after: boolean, pivot: Buffer, value: Buffer, effect: Buffer[]): number {
  const l = List.open(x, key);
  if (!l) return 0;
  let at = -1;
  l.walk(false, 0, (v, pos) => {
    if (v.equals(pivot)) {
      at = pos;
      return true;
    }
    return false;
  });
  if (at < 0) return -1;
  insertAt(l, after ? at + 1 : at, value);
  l.save();
  x.binlog(effect);
  return l.len;
}

/**
 * LREM: removes the elements equal to `elem`: the first `count` from the head (count > 0), the
 * last -count from the tail (count < 0), or all (0); an emptied list is deleted. Logs `effect`
 * when something was removed. Returns the number removed.
 */
export function listRemove(x: StoreCtx, key: Buffer, count: number, elem: Buffer, effect: Buffer[]): number {
  const l = List.open(x, key);
  if (!l) return 0;
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
  if (hits.length === 0) return 0;
  if (reverse) hits.reverse();
  removeIndexes(l, hits);
  l.save();
  x.binlog(effect);
  return hits.length;
}
