// Edits in the middle of a list (lib/store/list.ts has the layout): LINSERT puts the element in
// the node holding its place (which splits when it outgrows a node) and renumbers the nodes on the
// shorter side of it by one; LREM drops the matches from their nodes and renumbers the nodes of the
// side that moves fewer elements. Both read nodes in chunks of a bounded size, so a long list is
// never all in memory, and work on the stored nodes only (the held ends are written and handed
// back first).

import type { StoreCtx } from './context.js';
import { List } from './list.js';
import { decodeNode, encodeElems, forEachStoredNode, nodeKey, putRuns, storedNodeAt } from './list-nodes.js';

/** Moves the nodes starting in [from, to) (`from` a node start) by `delta` indexes. */
function shiftNodes(l: List, from: number, to: number, delta: number): void {
  if (from >= to) return;
  const { sub, id } = l;
  const move = (start: number, elems: Buffer[]): void => {
    sub.removeSync(nodeKey(id, start));
    sub.putSync(nodeKey(id, start + delta), encodeElems(elems));
  };
  // down: ascending, every new key lands below the next chunk's reads; up: descending
  if (delta < 0) forEachStoredNode(sub, id, from, to, false, move);
  else forEachStoredNode(sub, id, to - 1, from, true, move);
}

/** Inserts `v` so that it ends up at position `pos` (0..len), renumbering the shorter side. */
function insertAt(l: List, pos: number, v: Buffer): void {
  l.evict();
  const { sub, id } = l;
  const a = l.head + pos;
  // the node holding the element now at `pos` (the tail node when appending)
  const s = storedNodeAt(sub, id, pos < l.len ? a : l.tail - 1);
  if (!s) throw new Error(`list ${id}: no node holds index ${a}`);
  const elems = decodeNode(s.value);
  const count = elems.length;
  elems.splice(a - s.start, 0, v);
  sub.removeSync(nodeKey(id, s.start));
  if (pos <= l.len - pos) {
    // the elements before it move down by one
    shiftNodes(l, l.head, s.start, -1);
    putRuns(sub, id, s.start - 1, elems);
    l.head--;
  } else {
    shiftNodes(l, s.start + count, l.tail, 1);
    putRuns(sub, id, s.start, elems);
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
    // the list goes away: its nodes are left to the garbage collector with its id
    l.head = l.tail;
    return;
  }
  l.evict();
  const { sub, id } = l;
  const movesRight = l.tail - idx[0] - k; // survivors after the first removed one
  const movesLeft = idx[k - 1] - l.head + 1 - k; // survivors before the last removed one
  if (movesRight <= movesLeft) {
    // towards the head: each survivor from idx[0] on moves down by the removed ones before it
    let hit = 0;
    forEachStoredNode(sub, id, idx[0], l.tail, false, (start, elems) => {
      const keep: Buffer[] = [];
      let newStart = -1;
      for (let i = 0; i < elems.length; i++) {
        if (hit < k && idx[hit] === start + i) {
          hit++;
          continue;
        }
        if (newStart < 0) newStart = start + i - hit;
        keep.push(elems[i]);
      }
      sub.removeSync(nodeKey(id, start));
      if (keep.length > 0) sub.putSync(nodeKey(id, newStart), encodeElems(keep));
    });
    l.tail -= k;
  } else {
    // towards the tail: each survivor up to idx[k - 1] moves up by the removed ones after it
    let hit = k - 1;
    forEachStoredNode(sub, id, idx[k - 1], l.head, true, (start, elems) => {
      const keep: Buffer[] = [];
      let lastNew = -1;
      for (let i = elems.length - 1; i >= 0; i--) {
        if (hit >= 0 && idx[hit] === start + i) {
          hit--;
          continue;
        }
        if (lastNew < 0) lastNew = start + i + (k - 1 - hit);
        keep.push(elems[i]);
      }
      sub.removeSync(nodeKey(id, start));
      if (keep.length > 0) sub.putSync(nodeKey(id, lastNew - keep.length + 1), encodeElems(keep.reverse()));
    });
    l.head += k;
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
