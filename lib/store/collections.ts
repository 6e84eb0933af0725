// Collections (hash, list, set, zset) on versioned subkeys.
//
// A collection is one meta record whose payload is
//
//   [key id u64 BE][member count u64 BE][flags u8]{type-specific bytes}
//
// and its members are subkeys under the key id, in `sub`:
//
//   [key id u64 BE][field]          -> hash value | set: empty | zset: score (float64 BE)
//   [key id u64 BE][index u64 BE]   -> list element (lists keep head/tail indexes in the record)
//
// and, for sorted sets, in `zscore`: [key id u64 BE][sortable score 8][member] -> empty.
//
// LMDB keys are at most 1,978 bytes, so a member longer than INLINE_MAX bytes stands in keys as
// its first INLINE_MAX bytes followed by a 16-byte digest of the whole member (a "long part"), and
// the member itself is kept in `long` under its subkey. A long part has exactly LONG_PART bytes,
// more than any inline member, so the two forms never meet; byte order between members is kept
// except among long members sharing their first INLINE_MAX bytes, which order by digest.
//
// A fresh id is allocated for every incarnation of a key (ShardStore.allocId), so deleting,
// expiring or overwriting a collection only drops its meta record: the old id's members are
// unreachable at once and ShardStore.collectGarbage removes them later in bounded slices. RENAME
// and MOVE keep the id (the members stay where they are); COPY and cross-shard moves copy members
// under a new id.
//
// Count is kept exactly in the record (HLEN, SCARD... are O(1)); an emptied collection is deleted
// (Redis never keeps empty collections). `flags` remembers encoding upgrades, which Redis never
// undoes (listpack -> hashtable...), so OBJECT ENCODING answers as Redis would.

import { createHash } from 'node:crypto';
import type { StoreCtx } from './context.js';
import { E } from '../errors.js';
import { RedisError } from '../errors.js';
import { META_HEADER, encodeMeta, payload, type Meta } from './meta.js';
import type { Found, ShardStore } from './shard-store.js';
import { readU64BE, writeU64BE } from './keys.js';
import { PEXPIREAT } from './effects.js';

const EMPTY = Buffer.alloc(0);

/** Bytes of the fixed part of a collection payload: id, count, flags. */
export const COLL_FIXED = 17;

/** flags: the encoding was upgraded to the big one (hashtable / skiplist / ...). */
export const F_BIG = 1;

/** An open collection: its record fields, to be changed by the command and saved with saveColl. */
export interface Coll {
  key: Buffer;
  /** meta key (from find) */
  mk: Buffer;
  /** the record as found (null: the collection is new) */
  old: Meta | null;
  type: number;
  id: number;
  count: number;
  flags: number;
  /** type-specific bytes after the fixed part (a private copy; lists: head and tail indexes) */
  extra: Buffer;
}

export class WrongTypeError extends RedisError {
  constructor() {
    super(E.wrongType);
  }
}

/** Decodes a collection record. */
export function collOf(key: Buffer, m: Meta): Coll {
  const p = payload(m);
  return {
    key,
    mk: m.mk,
    old: m,
    type: m.type,
    id: readU64BE(p, 0),
    count: readU64BE(p, 8),
    flags: p[16],
    // (hashes, sets and sorted sets have no type bytes: nothing to copy)
    extra: p.length > COLL_FIXED ? Buffer.from(p.subarray(COLL_FIXED)) : EMPTY,
  };
}

/**
 * The collection at `key` in x.db: null when the key does not exist (or has expired); throws
 * WRONGTYPE when it holds another type. `touch`: record the access (OBJECT IDLETIME).
 */
export function openColl(x: StoreCtx, key: Buffer, type: number, touch = true): Coll | null {
  const f = x.store.find(x.db, key, x.now, touch);
  if (!f.meta) return null;
  if (f.meta.type !== type) throw new WrongTypeError();
  return collOf(key, f.meta);
}

/**
 * The collection at `key`, or a new empty one (with a fresh id; nothing is written until
 * saveColl, and saving it empty writes nothing). Throws WRONGTYPE for another type.
 */
export function openOrCreate(x: StoreCtx, key: Buffer, type: number, extra: Buffer = EMPTY): Coll {
  const f = x.store.find(x.db, key, x.now);
  if (f.meta) {
    if (f.meta.type !== type) throw new WrongTypeError();
    return collOf(key, f.meta);
  }
  return newColl(x, key, f.mk, type, extra);
}

/** A new empty collection for `key` (meta key `mk`), with a fresh id. */
export function newColl(x: StoreCtx, key: Buffer, mk: Buffer, type: number, extra: Buffer = EMPTY): Coll {
  return { key, mk, old: null, type, id: x.store.allocId(), count: 0, flags: 0, extra: Buffer.from(extra) };
}

/** A collection record's payload: [id u64 BE][count u64 BE][flags u8]{type bytes}. */
export function collBody(id: number, count: number, flags: number, extra: Buffer = EMPTY): Buffer {
  const body = Buffer.allocUnsafe(COLL_FIXED + extra.length);
  writeU64BE(body, id, 0);
  writeU64BE(body, count, 8);
  body[16] = flags;
  extra.copy(body, COLL_FIXED);
  return body;
}

/** The record of a collection with the given fields, keeping the old record's exact expiry. */
export function collRecord(x: StoreCtx, c: Coll): Buffer {
  // encodeMeta's layout, written in one allocation: the header, then the collection payload
  const longKey = x.store.longKey(c.key);
  const off = META_HEADER + (longKey ? 4 + longKey.length : 0);
  const raw = Buffer.allocUnsafe(off + COLL_FIXED + c.extra.length);
  if (longKey) encodeMeta(c.type, 0, longKey, null).copy(raw, 0);
  else {
    raw[0] = c.type;
    raw[1] = 0;
  }
  if (c.old) c.old.raw.copy(raw, 2, 2, 10);
  else writeU64BE(raw, 0, 2);
  writeU64BE(raw, c.id, off);
  writeU64BE(raw, c.count, off + 8);
  raw[off + 16] = c.flags;
  if (c.extra.length > 0) c.extra.copy(raw, off + COLL_FIXED);
  return raw;
}

/**
 * Writes the collection's record after a change: an emptied collection is deleted (its key
 * disappears, as in Redis), a new empty one is not created. Returns false when the key is gone.
 */
export function saveColl(x: StoreCtx, c: Coll): boolean {
  if (c.count <= 0) {
    if (c.old) {
      x.store.remove(x.db, c.old);
      x.store.keyEmptied(x.db, c.key);
    }
    c.old = null;
    return false;
  }
  const raw = collRecord(x, c);
  x.store.put(x.db, c.mk, raw, c.old);
  c.old = { mk: c.mk, raw, type: c.type, expireAt: c.old ? c.old.expireAt : 0, off: raw.length - COLL_FIXED - c.extra.length };
  return true;
}

/**
 * Replaces whatever `key` holds (found as `f`) by the new collection `c` (destination of a *STORE
 * command, RESTORE...). An empty `c` deletes the key. The old value's members become garbage.
 */
export function replaceWith(x: StoreCtx, c: Coll, old: Meta | null): boolean {
  if (c.count <= 0) {
    if (old) x.store.remove(x.db, old);
    return false;
  }
  const body = collBody(c.id, c.count, c.flags, c.extra);
  const raw = encodeMeta(c.type, 0, x.store.longKey(c.key), body);
  x.store.put(x.db, c.mk, raw, old, true);
  return true;
}


/** Subkeys copied per read by copyCollection (so a big collection is never all in memory). */
const COPY_SLICE = 1000;

/**
 * COPY within a shard, for every collection type: the members (every subkey under the id, in `sub`
 * and for sorted sets in `zscore`) copied under a fresh id, and the record (count, flags, type bytes,
 * exact expiry) written as `toKey` in `toDb` with that id, replacing `to.meta`. No binlog.
 */
export function copyCollection(store: ShardStore, m: Meta, toDb: number, toKey: Buffer, to: Found): void {
  const p = payload(m);
  const from = readU64BE(p, 0);
  const nid = store.allocId();
  const { end } = idRange(from);
  for (const db of store.memberDbs(m.type)) {
    let start = idRange(from).start;
    for (;;) {
      const slice = [...db.getRange({ start, end, limit: COPY_SLICE })];
      for (const { key, value } of slice) {
        const nk = Buffer.from(key as Buffer);
        writeU64BE(nk, nid, 0);
        db.putSync(nk, value as Buffer);
      }
      if (slice.length < COPY_SLICE) break;
      start = Buffer.concat([slice[slice.length - 1].key as Buffer, ZERO]);
    }
  }
  const body = Buffer.from(p);
  writeU64BE(body, nid, 0);
  const raw = encodeMeta(m.type, m.expireAt, store.longKey(toKey), body);
  m.raw.copy(raw, 2, 2, 10);
  store.put(toDb, to.mk, raw, to.meta, true);
}

const ZERO = Buffer.from([0]);

// ------------------------------------------------------------------------------------------------
// Dumps: a collection serialized for re-creation on another shard (cross-shard RENAME / COPY)
// ------------------------------------------------------------------------------------------------

/** A dump: `head` (the type's header), then each item as [u32 BE length][bytes]. */
export function packItems(head: Uint8Array, items: Iterable<Uint8Array>): Buffer {
  const parts: Uint8Array[] = [head];
  for (const it of items) {
    const h = Buffer.allocUnsafe(4);
    h.writeUInt32BE(it.length, 0);
    parts.push(h, it);
  }
  return Buffer.concat(parts);
}

/** The items of a dump made by packItems, from `off` (views of `dump`). */
export function unpackItems(dump: Buffer, off: number): Buffer[] {
  const items: Buffer[] = [];
  while (off < dump.length) {
    const len = dump.readUInt32BE(off);
    items.push(dump.subarray(off + 4, off + 4 + len));
    off += 4 + len;
  }
  return items;
}

/**
 * Writes the record of a key re-created from a dump over `to`, with the source's exact expiry
 * bytes (`expire`: u64 BE ms, 0 = none). The members are the caller's.
 */
export function putRestored(x: StoreCtx, key: Buffer, to: Found, type: number, body: Buffer, expire: Buffer): void {
  const raw = encodeMeta(type, readU64BE(expire, 0), x.store.longKey(key), body);
  expire.copy(raw, 2, 0, 8);
  x.store.put(x.db, to.mk, raw, to.meta, true);
}

/** The effect giving a re-created key its expiry: PEXPIREAT with the exact time (nothing without one). */
export function logRestoredExpiry(x: StoreCtx, key: Buffer, expire: Buffer): void {
  const at = expire.readBigUInt64BE(0);
  if (at !== 0n) x.binlog([PEXPIREAT, key, Buffer.from(String(at))]);
}

/** Members longer than this are stored under a long part (see the header). */
export const INLINE_MAX = 1900;
const DIGEST = 16;
/** Length of a long member's part in keys: its first INLINE_MAX bytes and a digest of the whole. */
export const LONG_PART = INLINE_MAX + DIGEST;

/** The form `member` takes inside subkeys: itself, or its long part when it is too long. */
export function memberPart(member: Uint8Array): Uint8Array {
  if (member.length <= INLINE_MAX) return member;
  const part = Buffer.allocUnsafe(LONG_PART);
  part.set(member.subarray(0, INLINE_MAX), 0);
  createHash('sha256').update(member).digest().copy(part, INLINE_MAX, 0, DIGEST);
  return part;
}

/** The subkey of `member` in the collection with id `id`: [id u64 BE][member part]. */
export function subKey(id: number, member: Uint8Array): Buffer {
  return partKey(id, memberPart(member));
}

/** [id u64 BE][part]: the subkey of an already encoded member part (as found in a zscore key). */
export function partKey(id: number, part: Uint8Array): Buffer {
  const k = Buffer.allocUnsafe(8 + part.length);
  writeU64BE(k, id, 0);
  k.set(part, 8);
  return k;
}

/** First and past-the-end subkeys of a collection, for range scans of `sub` / `zscore`. */
export function idRange(id: number): { start: Buffer; end: Buffer } {
  const start = Buffer.allocUnsafe(8);
  writeU64BE(start, id, 0);
  const end = Buffer.allocUnsafe(8);
  writeU64BE(end, id + 1, 0);
  return { start, end };
}

/** The member whose part starts at `off` of `key` (a view of the key for inline members). */
function memberAt(store: ShardStore, key: Buffer, off: number): Buffer {
  if (key.length - off !== LONG_PART) return key.subarray(off);
  const lk = off === 8 ? key : partKey(readU64BE(key, 0), key.subarray(off));
  return store.long.getBinary(lk) ?? key.subarray(off);
}

/** The member of a `sub` subkey [id][part] (a view of the key for inline members). */
export function memberOf(store: ShardStore, subkey: Uint8Array): Buffer {
  return memberAt(store, subkey as Buffer, 8);
}

/** The member of a `zscore` key [id][score][part] (a view of the key for inline members). */
export function zmemberOf(store: ShardStore, zkey: Uint8Array): Buffer {
  return memberAt(store, zkey as Buffer, 16);
}

/**
 * Writes member `member` with `value` in `sub` (and the member itself in `long` when it is long);
 * `k`: its subkey, when the caller has it already. Returns the subkey.
 */
export function putMember(store: ShardStore, id: number, member: Uint8Array, value: Uint8Array, k: Buffer = subKey(id, member)): Buffer {
  store.sub.putSync(k, value as Buffer);
  if (member.length > INLINE_MAX) store.long.putSync(k, member as Buffer);
  return k;
}

const NO_OVERWRITE = { noOverwrite: true };

/**
 * putMember for a member that may exist: writes it only when `k` is absent from `sub` (LMDB's
 * MDB_NOOVERWRITE: one lookup, no copy of the existing value) and returns whether it did. Saves the
 * read before the write of a member that is new.
 */
export function putMemberIfAbsent(store: ShardStore, member: Uint8Array, value: Uint8Array, k: Buffer): boolean {
  // lmdb-js returns the put's outcome (false: the key exists), which its types do not say
  if (!(store.sub as unknown as { putSync(k: Buffer, v: Uint8Array, o: object): boolean }).putSync(k, value, NO_OVERWRITE)) return false;
  if (member.length > INLINE_MAX) store.long.putSync(k, member as Buffer);
  return true;
}

/** Removes the subkey `k` [id][part] from `sub` (and `long`); false when it was not there. */
export function removeSubKey(store: ShardStore, k: Buffer): boolean {
  if (!store.sub.removeSync(k)) return false;
  if (k.length - 8 === LONG_PART) store.long.removeSync(k);
  return true;
}

/**
 * Order-preserving encoding of a double for `zscore` keys: comparing the 8 bytes unsigned gives
 * the numeric order (-inf < ... < -0 = +0 < ... < +inf). -0 is stored as +0, as Redis treats them
 * as equal.
 */
export function sortableScore(score: number, out: Buffer = Buffer.allocUnsafe(8), off = 0): Buffer {
  out.writeDoubleBE(score === 0 ? 0 : score, off);
  if (out[off] & 0x80) {
    for (let i = 0; i < 8; i++) out[off + i] = ~out[off + i] & 0xff;
  } else out[off] |= 0x80;
  return out;
}

const SCORE_SCRATCH = Buffer.allocUnsafe(8);

/** Inverse of sortableScore (a stored -0 reads as 0). */
export function scoreFromSortable(b: Uint8Array, off = 0): number {
  const t = SCORE_SCRATCH;
  if (b[off] & 0x80) {
    for (let i = 0; i < 8; i++) t[i] = b[off + i];
    t[0] &= 0x7f;
  } else {
    for (let i = 0; i < 8; i++) t[i] = ~b[off + i] & 0xff;
  }
  return t.readDoubleBE(0);
}
