// The list's key operations (OBJECT ENCODING, COPY, dump / restore for cross-shard RENAME and
// COPY) on the node layout of lib/store/list.ts.

import type { KeyTypeOps } from './key-ops.js';
import type { StoreCtx } from './context.js';
import type { Found, ShardStore } from './shard-store.js';
import { COLL_FIXED, copyCollection, logRestoredExpiry, packItems, putRestored, unpackItems } from './collections.js';
import { T_LIST, payload, type Meta } from './meta.js';
import { readU64BE, writeU64BE } from './keys.js';
import { DEL } from './effects.js';
import { MID, forEachStoredNode, putRuns, syncHeld } from './list-nodes.js';

const B_RPUSH = Buffer.from('RPUSH');


/** RPUSH records of a restored list carry at most this many elements each. */
const RESTORE_BATCH = 512;

const EMPTY_HEAD = Buffer.alloc(0);

export const listKeyType: KeyTypeOps = {
  // Redis 7.0 keeps every list as a quicklist, small or big.
  encoding: () => 'quicklist',
  refcount: () => 1,
  copy(store, m, toDb, toKey, to) {
    // the nodes are copied from `sub`: the held ends go there first
    syncHeld(store, readU64BE(payload(m), 0));
    copyCollection(store, m, toDb, toKey, to);
  },
  dump(store, m) {
    // the elements head to tail (packItems, no header)
    return packItems(EMPTY_HEAD, listElements(store, m));
  },
  restore(x, key, to, dump, expire) {
    restoreList(x, key, to, unpackItems(dump, 0), expire);
  },
};

/** Every element of the list `m`, head to tail. */
export function listElements(store: ShardStore, m: Meta): Buffer[] {
  const p = payload(m);
  const id = readU64BE(p, 0);
  const head = readU64BE(p, COLL_FIXED);
  const tail = readU64BE(p, COLL_FIXED + 8);
  syncHeld(store, id);
  const elems: Buffer[] = [];
  forEachStoredNode(store.sub, id, head, tail, false, (start, nodeElems) => {
    for (let i = Math.max(0, head - start); i < nodeElems.length && start + i < tail; i++) elems.push(nodeElems[i]);
  });
  return elems;
}

/**
 * Writes a whole list as `key` over `to` (at least one element) with the exact expiry bytes; logs
 * DEL, RPUSH batches (+ PEXPIREAT).
 */
export function restoreList(x: StoreCtx, key: Buffer, to: Found, elems: Buffer[], expire: Buffer): void {
  const id = x.store.allocId();
  putRuns(x.store.sub, id, MID, elems);
  const body = Buffer.alloc(COLL_FIXED + 16);
  writeU64BE(body, id, 0);
  writeU64BE(body, elems.length, 8);
  writeU64BE(body, MID, COLL_FIXED);
  writeU64BE(body, MID + elems.length, COLL_FIXED + 8);
  putRestored(x, key, to, T_LIST, body, expire);
  x.binlog([DEL, key]);
  for (let i = 0; i < elems.length; i += RESTORE_BATCH) x.binlog([B_RPUSH, key, ...elems.slice(i, i + RESTORE_BATCH)]);
  logRestoredExpiry(x, key, expire);
}
