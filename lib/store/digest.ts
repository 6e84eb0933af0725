// DEBUG DIGEST and DEBUG DIGEST-VALUE: Redis 7.0's digest of a dataset (debug.c), so a respdb and
// a redis-server holding the same data print the same 40 hex digits.
//
// Two steps build it on 20-byte digests: xor(d, p): d ^= SHA1(p); mix(d, p): xor(d, p), then
// d = SHA1(d). A value's digest starts at zero: mix its type (OBJ_* as a big-endian u32), then
// strings mix their bytes; lists mix each element in order; sets xor each member; sorted sets
// xor, per member, zero mixed with the member and the score printed with "%.17g"; hashes xor, per
// field, zero mixed with the field and the value; streams mix, per entry in id order, "<ms>.<seq>"
// and each field and value; a key with an expiry is xored with "!!expire!!" at the end. A key's
// digest is the value's, started from zero mixed with the key's bytes. The dataset's: zero, and
// for each non-empty database in index order: mix its index (big-endian u32), then xor (as above:
// with the SHA1 of) every key's digest. The keys' digests are xored, so each shard computes per-database xors over one
// snapshot (shardDigests) and the main thread combines them in database order (datasetDigest).

import { createHash } from 'node:crypto';
import type { ShardStore } from './shard-store.js';
import { decodeMeta } from './meta.js';
import { readValue } from './rdb-values.js';
import { formatDouble } from '../resp/number.js';
import type { RdbValue } from '../rdb/value.js';

export const DIGEST_BYTES = 20;

/** OBJ_STRING, OBJ_LIST... as Redis numbers them. */
const OBJ_TYPE: Record<RdbValue['type'], number> = { string: 0, list: 1, set: 2, zset: 3, hash: 4, stream: 6 };
const EXPIRE_MARK = Buffer.from('!!expire!!');

function sha1(...parts: Uint8Array[]): Buffer {
  const h = createHash('sha1');
  for (const p of parts) h.update(p);
  return h.digest();
}

/** d ^= SHA1(p) */
export function xorDigest(d: Buffer, p: Uint8Array): void {
  const h = sha1(p);
  for (let i = 0; i < DIGEST_BYTES; i++) d[i] ^= h[i];
}

/** d = SHA1(d ^ SHA1(p)) */
export function mixDigest(d: Buffer, p: Uint8Array): void {
  xorDigest(d, p);
  sha1(d).copy(d, 0);
}

function u32(n: number): Buffer {
  const b = Buffer.allocUnsafe(4);
  b.writeUInt32BE(n, 0);
  return b;
}

/** Mixes the value's digest into `d` (Redis's xorObjectDigest). */
export function mixValue(d: Buffer, v: RdbValue, hasExpire: boolean): void {
  mixDigest(d, u32(OBJ_TYPE[v.type]));
  switch (v.type) {
    case 'string':
      mixDigest(d, v.value);
      break;
    case 'list':
      for (const e of v.items) mixDigest(d, e);
      break;
    case 'set':
      for (const m of v.members) xorDigest(d, m);
      break;
    case 'zset':
      for (const { member, score } of v.entries) {
        const e = Buffer.alloc(DIGEST_BYTES);
        mixDigest(e, member);
        mixDigest(e, Buffer.from(formatDouble(score), 'latin1'));
        xorDigest(d, e);
      }
      break;
    case 'hash':
      for (const [f, val] of v.entries) {
        const e = Buffer.alloc(DIGEST_BYTES);
        mixDigest(e, f);
        mixDigest(e, val);
        xorDigest(d, e);
      }
      break;
    case 'stream':
      for (const e of v.entries) {
        mixDigest(d, Buffer.from(`${e.id.ms}.${e.id.seq}`, 'latin1'));
        for (const f of e.fields) mixDigest(d, f);
      }
      break;
  }
  if (hasExpire) xorDigest(d, EXPIRE_MARK);
}

/** DEBUG DIGEST-VALUE of one value: its digest from zero (without the key). */
export function valueDigest(v: RdbValue, hasExpire: boolean): Buffer {
  const d = Buffer.alloc(DIGEST_BYTES);
  mixValue(d, v, hasExpire);
  return d;
}

/** A key's digest (the dataset xors its SHA1): zero mixed with the key, then its value's digest. */
export function keyDigest(key: Buffer, v: RdbValue, hasExpire: boolean): Buffer {
  const d = Buffer.alloc(DIGEST_BYTES);
  mixDigest(d, key);
  mixValue(d, v, hasExpire);
  return d;
}

/**
 * The xor of the digests of every live key of this shard, per logical database (only databases
 * with keys here), read in one pass over `meta` (the caller's snapshot or transaction).
 */
export function shardDigests(store: ShardStore, now: number): Map<number, Buffer> {
  const out = new Map<number, Buffer>();
  // physical -> logical db from the shared SWAPDB map (a slow-pool view keeps no reverse map)
  const logical = new Map<number, number>();
  store.dbmap.forEach((p, l) => logical.set(p, l));
  for (const { key, value } of store.meta.getRange({})) {
    const mk = Buffer.from(key as Buffer);
    const m = decodeMeta(mk, Buffer.from(value as Buffer));
    if (m.expireAt !== 0 && m.expireAt <= now) continue;
    const db = logical.get(mk[0]);
    if (db === undefined) continue;
    let acc = out.get(db);
    if (!acc) out.set(db, (acc = Buffer.alloc(DIGEST_BYTES)));
    xorDigest(acc, keyDigest(store.userKey(mk, m.raw), readValue(store, m), m.expireAt !== 0));
  }
  return out;
}

/** The dataset digest from every shard's per-database xors (databases in index order). */
export function datasetDigest(parts: Iterable<Map<number, Buffer>>): Buffer {
  const dbs = new Map<number, Buffer>();
  for (const p of parts) {
    for (const [db, x] of p) {
      const acc = dbs.get(db);
      if (!acc) dbs.set(db, Buffer.from(x));
      else for (let i = 0; i < DIGEST_BYTES; i++) acc[i] ^= x[i];
    }
  }
  const final = Buffer.alloc(DIGEST_BYTES);
  for (const db of [...dbs.keys()].sort((a, b) => a - b)) {
    mixDigest(final, u32(db));
    const x = dbs.get(db)!;
    for (let i = 0; i < DIGEST_BYTES; i++) final[i] ^= x[i];
  }
  return final;
}
