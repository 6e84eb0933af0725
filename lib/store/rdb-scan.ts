// A shard's keys read for an RDB file, database by database: what `respdb-rdb export` and a
// replication snapshot (lib/replication/snapshot-thread.ts) write. Keys are read in passes of a
// bounded number of keys, so a writer can hand out the file between passes; every pass must read
// the same snapshot (an offline directory, or a thread that keeps its read transaction).
// Expired keys are skipped, as they read as missing.

import type { RdbKey } from '../rdb/value.js';
import { decodeMeta } from './meta.js';
import { readValue } from './rdb-values.js';
import type { ShardStore } from './shard-store.js';

/** Keys read from a shard per pass by default. */
export const PASS_KEYS = 2000;

export interface DbCount {
  keys: number;
  expires: number;
}

/** The meta-key range of a physical database. */
function dbRange(physical: number, after: Buffer | null): { start: Buffer; end: Buffer } {
  return { start: after ?? Buffer.from([physical]), end: Buffer.from([physical + 1]) };
}

/**
 * Live keys and keys with an expiry in each logical database (0..databases-1) over every
 * store; `physical(store, db)` maps a logical database to the store's physical one.
 */
export function countRdbKeys(stores: readonly ShardStore[], databases: number, physical: (store: ShardStore, index: number, db: number) => number, now: number): DbCount[] {
  const counts: DbCount[] = Array.from({ length: databases }, () => ({ keys: 0, expires: 0 }));
  stores.forEach((s, i) => {
    for (let db = 0; db < databases; db++) {
      const c = counts[db];
      for (const { value } of s.meta.getRange(dbRange(physical(s, i, db), null))) {
        // [type][flags][expire-at ms u64 BE]: as two halves, without a BigInt per key
        const v = value as Buffer;
        const expireAt = v.readUInt32BE(2) * 0x1_0000_0000 + v.readUInt32BE(6);
        if (expireAt !== 0 && expireAt <= now) continue;
        c.keys++;
        if (expireAt !== 0) c.expires++;
      }
    }
  });
  return counts;
}

/**
 * Up to `max` live keys of logical database `db` (physical database `physical` of `store`) after
 * meta key `after` (exclusive), and the meta key to go on after (null: the database is done).
 */
export function readRdbPass(store: ShardStore, db: number, physical: number, after: Buffer | null, now: number, max = PASS_KEYS): { keys: RdbKey[]; last: Buffer | null } {
  const keys: RdbKey[] = [];
  let last: Buffer | null = null;
  for (const { key, value } of store.meta.getRange(dbRange(physical, after))) {
    const mk = Buffer.from(key as Buffer);
    if (after !== null && mk.equals(after)) continue;
    last = mk;
    const m = decodeMeta(mk, Buffer.from(value as Buffer));
    if (m.expireAt !== 0 && m.expireAt <= now) continue;
    keys.push({ db, key: Buffer.from(store.userKey(mk, m.raw)), value: readValue(store, m), expireAt: m.expireAt === 0 ? null : BigInt(m.expireAt), idle: null, freq: null });
    if (keys.length >= max) break;
  }
  return { keys, last: keys.length >= max ? last : null };
}
