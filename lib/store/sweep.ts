// Active expiry: the shard's periodic walk over `expires` (in time order) deleting the keys whose
// time has come, each logged as DEL, as Redis's active expire cycle propagates them.

import type { ShardStore } from './shard-store.js';
import { STAT } from '../shard/stats.js';
import { decodeMeta } from './meta.js';
import { readU64BE, writeU64BE } from './keys.js';
import { DEL } from './effects.js';
import { EV } from './key-events.js';

/**
 * Deletes up to `budget` keys due at or before `now` (call inside a write transaction); stale
 * index entries (the key is gone or has another expiry now) are dropped on the way. Returns how
 * many keys were deleted.
 */
export function sweepExpired(store: ShardStore, now: number, budget: number): number {
  const end = Buffer.allocUnsafe(8);
  writeU64BE(end, now + 1, 0);
  let n = 0;
  for (const { key } of store.expires.getRange({ end, limit: budget })) {
    const at = readU64BE(key, 0);
    const mk = Buffer.from(key.subarray(8));
    const raw = store.meta.getBinary(mk);
    if (!raw) {
      store.expires.removeSync(key);
      continue;
    }
    const m = decodeMeta(mk, raw);
    if (m.expireAt !== at) {
      store.expires.removeSync(key);
      continue;
    }
    const db = store.logical(mk[0]);
    const userKey = store.userKey(mk, raw);
    store.remove(db, m);
    store.stats.inc(STAT.expiredKeys);
    store.appendBinlog(db, [DEL, userKey], EV.expired);
    n++;
  }
  return n;
}
