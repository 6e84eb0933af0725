// MEMORY USAGE: the bytes a key takes in its shard's LMDB environment: its meta key and record,
// and for a collection every entry under its id (in `sub`, `zscore`, `slot`, `long`), each entry
// counted as its key, its value and LMDB's per-entry cost on a page (an 8-byte node header and a
// 2-byte slot in the page's index). Big collections are sampled as Redis samples them: the first
// `samples` members (0: all) are measured and the rest extrapolated from their average.

import type { ShardStore } from './shard-store.js';
import { T_LIST, T_SET, T_STREAM, T_STRING, T_ZSET, payload, type Meta } from './meta.js';
import { COLL_FIXED, LONG_PART, idRange } from './collections.js';
import { readU64BE } from './keys.js';
import { nodeCount } from './list-nodes.js';

/** LMDB's bytes per entry beyond its key and value: the node header and the page index slot. */
export const LMDB_ENTRY_OVERHEAD = 10;

const entry = (keyLen: number, valueLen: number): number => keyLen + valueLen + LMDB_ENTRY_OVERHEAD;

/** Bytes of one member's `sub` entry and the entries that go with it in the type's other dbs. */
function memberBytes(store: ShardStore, type: number, k: Buffer, v: Uint8Array): number {
  let n = entry(k.length, v.length);
  const part = k.length - 8;
  if (type === T_ZSET) n += entry(k.length + 8, 0);
  else if (type === T_SET) n += entry(16, part);
  if (part === LONG_PART && type !== T_LIST && type !== T_STREAM) {
    const long = store.long.getBinaryFast(k);
    if (long) n += entry(k.length, long.length);
  }
  return n;
}

/**
 * The key's bytes (`m` found in this store): exact when the collection has at most `samples`
 * members (0: always), else the first `samples` members measured and the rest extrapolated.
 */
export function keyMemoryUsage(store: ShardStore, m: Meta, samples: number): number {
  let total = entry(m.mk.length, m.raw.length);
  if (m.type === T_STRING) return total;
  const p = payload(m);
  const id = readU64BE(p, 0);
  const count = readU64BE(p, 8);
  const { start, end } = idRange(id);
  if (m.type === T_STREAM) {
    // node records, one per ~100 entries: all of them
    for (const { key, value } of store.zscore.getRange({ start, end })) total += entry((key as Buffer).length, (value as Buffer).length);
  }
  // lists: `sub` holds nodes of many elements, sampled by node and extrapolated by element
  const perNode = m.type === T_LIST;
  const limit = samples > 0 ? samples : undefined;
  let measured = 0;
  let units = 0;
  let read = 0;
  for (const { key, value } of store.sub.getRange({ start, end, limit })) {
    const k = key as Buffer;
    const v = value as Buffer;
    measured += perNode ? entry(k.length, v.length) : memberBytes(store, m.type, k, v);
    units += perNode ? nodeCount(v) : 1;
    read++;
  }
  if (units === 0) return total;
  const whole = limit === undefined || read < limit || units >= count;
  if (perNode) {
    const head = readU64BE(p, COLL_FIXED);
    const tail = readU64BE(p, COLL_FIXED + 8);
    const elems = tail - head;
    return total + (whole ? measured : Math.round((measured / units) * elems));
  }
  return total + (whole ? measured : Math.round((measured / units) * count));
}
