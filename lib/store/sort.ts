// SORT's reads on a shard's store: the elements of the key it sorts, in their stored order, and the
// values its BY and GET patterns name. SORT's coordinated handler (lib/commands/sort.ts) asks the
// shards for them through its internal steps sort-source and sort-lookup; the options, the pattern
// substitution, the weights and the order are the command room's. STORE's write is storeSorted
// (DEL + RPUSH, ordinary list commands in the binlog).

import type { StoreCtx } from './context.js';
import { T_HASH, T_LIST, T_SET, T_STRING, T_ZSET, payload } from './meta.js';
import { COLL_FIXED, WrongTypeError, collOf, putRestored } from './collections.js';
import { listPush, listRange } from './list.js';
import { MID, putRuns } from './list-nodes.js';
import { writeU64BE } from './keys.js';
import { DEL } from './effects.js';
import { EV } from './key-events.js';
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

const RPUSH = Buffer.from('RPUSH');
const NO_EXPIRY = Buffer.alloc(8);

/**
 * SORT ... STORE, one chunk of the result: the first chunk (`first`) replaces `dst` by a list of
 * `values` (deletes it when the result is empty), later ones append. Logged as DEL and RPUSH; the
 * events are Redis's: `sortstore` on the destination (created anew only when it was missing), or
 * its `del` for an empty result. Returns the list's length.
 */
export function storeSorted(x: StoreCtx, dst: Buffer, values: Buffer[], first: boolean): number {
  if (!first) return values.length === 0 ? 0 : listPush(x, [RPUSH, dst, ...values], false, false, EV.none);
  const to = x.store.find(x.db, dst, x.now);
  if (values.length === 0) {
    if (to.meta) {
      x.store.remove(x.db, to.meta);
      x.binlog([DEL, dst]);
    }
    return 0;
  }
  const id = x.store.allocId();
  putRuns(x.store.sub, id, MID, values);
  const body = Buffer.alloc(COLL_FIXED + 16);
  writeU64BE(body, id, 0);
  writeU64BE(body, values.length, 8);
  writeU64BE(body, MID, COLL_FIXED);
  writeU64BE(body, MID + values.length, COLL_FIXED + 8);
  putRestored(x, dst, to, T_LIST, body, NO_EXPIRY);
  if (to.meta) x.binlog([DEL, dst], EV.none);
  x.binlog([RPUSH, dst, ...values], EV.sortstore);
  return values.length;
}
