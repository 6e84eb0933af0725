// SORT's reads on a shard's store: the elements of the key it sorts, in their stored order, and the
// values its BY and GET patterns name. SORT's coordinated handler (lib/commands/sort.ts) asks the
// shards for them through its internal steps sort-source and sort-lookup; the options, the pattern
// substitution, the weights, the order and STORE's write (DEL + RPUSH, ordinary list commands in
// the binlog) are the command room's. Nothing here writes.

import type { StoreCtx } from './context.js';
import { T_HASH, T_LIST, T_SET, T_STRING, T_ZSET, payload } from './meta.js';
import { WrongTypeError, collOf, idRange, memberOf, subKey, zmemberOf } from './collections.js';

/** The key SORT sorts: its type (T_LIST, T_SET or T_ZSET) and its elements in stored order. */
export interface SortSource {
  type: number;
  elements: Buffer[];
}

/**
 * The elements of the list, set or sorted set at `key`, in their stored order: a list head to
 * tail, a set in member byte order, a sorted set by score. Null when the key is missing; WRONGTYPE
 * for the other types (SORT sorts only these three).
 */
export function sortSource(x: StoreCtx, key: Buffer): SortSource | null {
  const m = x.store.get(x.db, key, x.now);
  if (!m) return null;
  if (m.type !== T_LIST && m.type !== T_SET && m.type !== T_ZSET) throw new WrongTypeError();
  const { start, end } = idRange(collOf(key, m).id);
  const elements: Buffer[] = [];
  if (m.type === T_ZSET) {
    // [id][sortable score 8][member], in score order
    for (const k of x.store.zscore.getKeys({ start, end })) elements.push(Buffer.from(zmemberOf(x.store, k as Buffer)));
  } else if (m.type === T_SET) {
    for (const k of x.store.sub.getKeys({ start, end })) elements.push(Buffer.from(memberOf(x.store, k as Buffer)));
  } else {
    // [id][index u64 BE] -> element, head to tail
    for (const { value } of x.store.sub.getRange({ start, end })) elements.push(value as Buffer);
  }
  return { type: m.type, elements };
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
  return x.store.sub.getBinary(subKey(collOf(key, m).id, field)) ?? null;
}
