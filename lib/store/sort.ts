// SORT's reads on a shard's store: the elements of the key it sorts, in their stored order, and the
// values its BY and GET patterns name. SORT's coordinated handler (lib/commands/sort.ts) asks the
// shards for them through its internal steps sort-source and sort-lookup; the options, the pattern
// substitution, the weights, the order and STORE's write (DEL + RPUSH, ordinary list commands in
// the binlog) are the command room's. Nothing here writes.

import type { StoreCtx } from './context.js';
import { T_HASH, T_LIST, T_SET, T_STRING, T_ZSET, payload } from './meta.js';
import { WrongTypeError, collOf } from './collections.js';
import { listRange } from './list.js';
import { listMembers } from './set.js';
import { allKeys, entriesOf } from './zset.js';
import { fieldValue } from './hash.js';

/** The key SORT sorts: its type (T_LIST, T_SET or T_ZSET) and its elements in stored order. */
export interface SortSource {
  type: number;
  elements: Buffer[];
}

/**
 * The elements of the list, set or sorted set at `key`, in their stored order, as each type's
 * store room reads them: a list head to tail, a set as SMEMBERS lists it (an intset in numeric
 * order, else member byte order), a sorted set by score. Null when the key is missing; WRONGTYPE
 * for the other types (SORT sorts only these three).
 */
export function sortSource(x: StoreCtx, key: Buffer): SortSource | null {
  const m = x.store.get(x.db, key, x.now);
  if (!m) return null;
  if (m.type === T_SET) return { type: T_SET, elements: listMembers(x.store, collOf(key, m)) };
  if (m.type === T_ZSET) {
    const c = collOf(key, m);
    return { type: T_ZSET, elements: entriesOf(x.store, c, allKeys(x.store, c), false).ms };
  }
  if (m.type !== T_LIST) throw new WrongTypeError();
  const r = listRange(x, key, 0, -1)!;
  const elements = new Array<Buffer>(r.rangeLength);
  // a range's elements are valid until the next read: copy them
  for (let i = 0; i < elements.length; i++) elements[i] = Buffer.from(r.nextInRange());
  return { type: T_LIST, elements };
}

/**
 * What a BY or GET pattern names: the string value at `key` (`field` null), or the value of hash
 * field `field` at `key`. Null for a missing key or field and for a key of any other type: SORT's
 * lookups never fail.
 */
export function sortLookup(x: StoreCtx, key: Buffer, field: Buffer | null): Buffer | null {
  const m = x.store.get(x.db, key, x.now);
  if (!m) return null;
  if (field === null) return m.type === T_STRING ? payload(m) : null;
  if (m.type !== T_HASH) return null;
  return fieldValue(x.store, collOf(key, m).id, field) ?? null;
}
