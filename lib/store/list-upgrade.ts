// Data format 2 packs list elements in nodes (lib/store/list-nodes.ts). Directories of formats 0
// and 1 hold lists with one `sub` entry per element, [id u64 BE][index u64 BE] -> element; the
// record ([head][tail] after the collection's fixed part) is the same in both layouts. The shard
// converts them in place when it opens such a directory, inside the transaction that writes the new
// format marker, so a crash leaves either the old directory or the converted one.

import type { ShardStore } from './shard-store.js';
import { decodeMeta, payload, T_LIST } from './meta.js';
import { COLL_FIXED } from './collections.js';
import { readU64BE } from './keys.js';
import { NODE_MAX_BYTES, NODE_MAX_ELEMS, elemCost, encodeNode, nodeKey } from './list-nodes.js';

/** Elements read per range read while converting. */
const READ = 1024;

/** Packs one list's per-element entries (indexes [head, tail)) into nodes. Returns the nodes written. */
function packList(store: ShardStore, id: number, head: number, tail: number): number {
  const sub = store.sub;
  let run: Buffer[] = [];
  let runStart = head;
  let bytes = 0;
  let nodes = 0;
  const flush = (): void => {
    if (run.length === 0) return;
    sub.putSync(nodeKey(id, runStart), encodeNode(run, bytes));
    nodes++;
    runStart += run.length;
    run = [];
    bytes = 0;
  };
  let at = head;
  while (at < tail) {
    const chunk = [...sub.getRange({ start: nodeKey(id, at), end: nodeKey(id, tail), limit: READ })];
    if (chunk.length === 0) break;
    for (const { key, value } of chunk) {
      const idx = readU64BE(key as Buffer, 8);
      if (idx !== runStart + run.length) throw new Error(`list ${id}: element ${idx - head} missing from the old layout`);
      sub.removeSync(key as Buffer);
      const c = elemCost((value as Buffer).length);
      if (run.length > 0 && (run.length >= NODE_MAX_ELEMS || bytes + c > NODE_MAX_BYTES)) flush();
      run.push(value as Buffer);
      bytes += c;
      at = idx + 1;
    }
  }
  flush();
  if (runStart !== tail) throw new Error(`list ${id}: ${tail - runStart} elements missing from the old layout`);
  return nodes;
}

/**
 * Converts every list of the store to the node layout (call inside a write transaction). Returns
 * the number of lists converted.
 */
export function upgradeLists(store: ShardStore): number {
  const lists: Array<{ id: number; head: number; tail: number }> = [];
  for (const { key, value } of store.meta.getRange({})) {
    if ((value as Buffer)[0] !== T_LIST) continue;
    const p = payload(decodeMeta(key as Buffer, value as Buffer));
    lists.push({ id: readU64BE(p, 0), head: readU64BE(p, COLL_FIXED), tail: readU64BE(p, COLL_FIXED + 8) });
  }
  for (const l of lists) packList(store, l.id, l.head, l.tail);
  return lists.length;
}
