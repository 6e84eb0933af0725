// Hashes in a shard's store: fields and values, writes with the listpack -> hashtable encoding
// rule, increments, entries read whole or in slices, the HSCAN step, and the hash type's key
// operations. HRANDFIELD's sampling is lib/store/hash-sample.ts; arguments and replies are
// lib/commands/hash.ts.
//
// Layout, on the collections of lib/store/collections.ts: one meta record per key (id, field
// count, flags) and one subkey [id][field] -> value per field in `sub` (a field longer than
// collections.INLINE_MAX stands in its subkey as a long part, the field itself in `long`).
//
// - Field order: everything that lists fields (HKEYS, HVALS, HGETALL, HSCAN, HRANDFIELD) gives
//   them in field byte order (the subkey order), where Redis gives insertion order (listpack) or
//   hash order (hashtable); Redis documents all of them as nondeterministic_output(_order).
// - OBJECT ENCODING follows Redis's default thresholds: listpack while the hash has at most 512
//   fields and no field or value written to it was longer than 64 bytes, else hashtable (F_BIG),
//   and never back. HSETNX of an existing field converts nothing (as 7.0.15).
// - HSCAN: a listpack hash comes back whole with cursor 0 (COUNT ignored), as in Redis. A
//   hashtable hash is walked in field order, COUNT fields examined per call; the position (last
//   field returned) stays in this shard's cursor table under an opaque 64-bit id, like SCAN's.
// - Binlog: HSET/HMSET/HDEL/HINCRBY as sent, HSETNX as HSET, HINCRBYFLOAT as HSET key field
//   <exact result>, as Redis propagates it; a hash re-created on another shard as DEL + HSET of
//   all its fields (+ PEXPIREAT).

import type { StoreCtx } from './context.js';
import { EV } from './key-events.js';
import type { KeyTypeOps } from './key-ops.js';
import type { Found, ShardStore } from './shard-store.js';
import { E, RedisError } from '../errors.js';
import { T_HASH, payload, type Meta } from './meta.js';
import { readU64BE } from './keys.js';
import { F_BIG, type Coll, collBody, copyCollection, logRestoredExpiry, packItems, putRestored, unpackItems, idRange, memberOf, openColl, openOrCreate, putMemberIfAbsent, removeSubKey, saveColl, subKey } from './collections.js';
import { scanStep } from './collection-scan.js';
import { parseI64, INT64_MAX, INT64_MIN } from '../resp/number.js';
import { formatLongDoubleHuman, ldAdd, parseLongDouble, LD_ZERO, type LongDouble } from '../resp/long-double.js';
import { DEL } from './effects.js';

/** Redis 7.0 defaults: hash-max-listpack-entries 512, hash-max-listpack-value 64. */
const LISTPACK_ENTRIES = 512;
const LISTPACK_VALUE = 64;

export const HSET = Buffer.from('HSET');

export const HASH_NOT_INT = 'ERR hash value is not an integer';
export const HASH_NOT_FLOAT = 'ERR hash value is not a float';

/** A field and its value (an empty buffer when values were not asked for). */
export type Entry = [Buffer, Buffer];

export const EMPTY = Buffer.alloc(0);

// ------------------------------------------------------------------------------------------------
// Fields
// ------------------------------------------------------------------------------------------------

/** lmdb-js hands big values back as plain Uint8Arrays. */
export function asBuf(v: Uint8Array): Buffer {
  return Buffer.isBuffer(v) ? v : Buffer.from(v.buffer, v.byteOffset, v.length);
}

/** The hash at `key` in x.db: null when missing; throws WRONGTYPE for another type. */
export function openHash(x: StoreCtx, key: Buffer): Coll | null {
  return openColl(x, key, T_HASH);
}

/** The value of a field of the hash `id` (a private copy), undefined when absent. */
export function fieldValue(store: ShardStore, id: number, field: Buffer): Buffer | undefined {
  const v = store.sub.getBinary(subKey(id, field));
  return v === undefined ? undefined : asBuf(v);
}

export function hasField(store: ShardStore, id: number, field: Buffer): boolean {
  return store.sub.getBinaryFast(subKey(id, field)) !== undefined;
}

/** HGET: the value of `field` in the hash at `key`, null when either is missing. */
export function hashGet(x: StoreCtx, key: Buffer, field: Buffer): Buffer | null {
  const c = openColl(x, key, T_HASH);
  return c ? (fieldValue(x.store, c.id, field) ?? null) : null;
}

/** HLEN */
export function hashLength(x: StoreCtx, key: Buffer): number {
  const c = openColl(x, key, T_HASH);
  return c ? c.count : 0;
}

/** HSTRLEN: the length of the value of `field`, 0 when missing. */
export function fieldLength(x: StoreCtx, key: Buffer, field: Buffer): number {
  const c = openColl(x, key, T_HASH);
  const v = c ? fieldValue(x.store, c.id, field) : undefined;
  return v ? v.length : 0;
}

/** HEXISTS */
export function hashHasField(x: StoreCtx, key: Buffer, field: Buffer): boolean {
  const c = openColl(x, key, T_HASH);
  return c !== null && hasField(x.store, c.id, field);
}

// ------------------------------------------------------------------------------------------------
// Writes
// ------------------------------------------------------------------------------------------------

/**
 * Writes a field (Redis hashTypeSet, with its listpack -> hashtable conversion). True when new.
 * A new field costs one LMDB write, an existing one a failed write and the write.
 */
export function setField(store: ShardStore, c: Coll, field: Buffer, value: Buffer): boolean {
  const k = subKey(c.id, field);
  const isNew = putMemberIfAbsent(store, field, value, k);
  if (isNew) c.count++;
  else store.sub.putSync(k, value); // a long field's `long` entry (the field itself) stays
  if (field.length > LISTPACK_VALUE || value.length > LISTPACK_VALUE || c.count > LISTPACK_ENTRIES) c.flags |= F_BIG;
  return isNew;
}

/**
 * HSET / HMSET: `cmd` is the command as sent ([name, key, field, value, ...], pairs complete),
 * which is also its binlog effect. Returns the number of fields created.
 */
export function setFields(x: StoreCtx, cmd: Buffer[]): number {
  const c = openOrCreate(x, cmd[1], T_HASH);
  let created = 0;
  for (let i = 2; i < cmd.length; i += 2) if (setField(x.store, c, cmd[i], cmd[i + 1])) created++;
  saveColl(x, c);
  x.binlog(cmd);
  return created;
}

/** HSETNX: writes `field` only when it is absent (logged as HSET); false when it was there. */
export function setFieldIfAbsent(x: StoreCtx, key: Buffer, field: Buffer, value: Buffer): boolean {
  const c = openOrCreate(x, key, T_HASH);
  if (c.old && hasField(x.store, c.id, field)) return false;
  setField(x.store, c, field, value);
  saveColl(x, c);
  x.binlog([HSET, key, field, value]);
  return true;
}

/**
 * HDEL: `cmd` is the command as sent ([name, key, field, ...]), logged when something was
 * removed. Returns the number of fields removed; a hash left empty is deleted.
 */
export function deleteFields(x: StoreCtx, cmd: Buffer[]): number {
  const c = openColl(x, cmd[1], T_HASH);
  if (!c) return 0;
  let n = 0;
  for (let i = 2; i < cmd.length; i++) {
    if (!removeSubKey(x.store, subKey(c.id, cmd[i]))) continue;
    c.count--;
    n++;
  }
  if (n) {
    saveColl(x, c);
    x.binlog(cmd);
  }
  return n;
}

/**
 * HINCRBY: adds `by` to the integer in `field` (0 when absent) and returns the result; throws
 * "hash value is not an integer" or the overflow error before changing anything. `effect`: the
 * command as sent, its binlog record.
 */
export function incrFieldBy(x: StoreCtx, key: Buffer, field: Buffer, by: bigint, effect: Buffer[]): bigint {
  const c = openOrCreate(x, key, T_HASH);
  let cur = 0n;
  const v = c.old ? fieldValue(x.store, c.id, field) : undefined;
  if (v !== undefined) {
    const n = parseI64(v);
    if (n === null) throw new RedisError(HASH_NOT_INT);
    cur = n;
  }
  const next = cur + by;
  if (next > INT64_MAX || next < INT64_MIN) throw new RedisError(E.overflow);
  setField(x.store, c, field, Buffer.from(next.toString(), 'latin1'));
  saveColl(x, c);
  x.binlog(effect);
  return next;
}

/**
 * HINCRBYFLOAT: adds `by` (finite) to the long double in `field` (0 when absent) and returns the
 * result as Redis prints it; throws "hash value is not a float" or the NaN/Infinity error before
 * changing anything.
 */
export function incrFieldByFloat(x: StoreCtx, key: Buffer, field: Buffer, by: LongDouble): Buffer {
  const c = openOrCreate(x, key, T_HASH);
  let cur: LongDouble = LD_ZERO;
  const v = c.old ? fieldValue(x.store, c.id, field) : undefined;
  if (v !== undefined) {
    const d = parseLongDouble(v);
    if (d === null) throw new RedisError(HASH_NOT_FLOAT);
    cur = d;
  }
  const sum = ldAdd(cur, by);
  if (sum === null) throw new RedisError(E.nanOrInf);
  const text = Buffer.from(formatLongDoubleHuman(sum), 'latin1');
  setField(x.store, c, field, text);
  saveColl(x, c);
  // Redis replicates HINCRBYFLOAT as HSET with the final value (no float drift on replicas).
  x.binlog([HSET, key, field, text], EV.hincrbyfloat);
  return text;
}

// ------------------------------------------------------------------------------------------------
// Entries
// ------------------------------------------------------------------------------------------------

/** Every field (and value, else EMPTY) of the hash `id`, in field order. */
export function allEntries(store: ShardStore, id: number, values: boolean): Entry[] {
  const { start, end } = idRange(id);
  const out: Entry[] = [];
  if (values) for (const { key, value } of store.sub.getRange({ start, end })) out.push([memberOf(store, key), asBuf(value)]);
  else for (const key of store.sub.getKeys({ start, end })) out.push([memberOf(store, key as Buffer), EMPTY]);
  return out;
}

/** HKEYS / HVALS / HGETALL: the hash's entries (values only when asked), null when missing. */
export function hashEntries(x: StoreCtx, key: Buffer, values: boolean): Entry[] | null {
  const c = openColl(x, key, T_HASH);
  return c ? allEntries(x.store, c.id, values) : null;
}

/**
 * Visits the entries of a hash in slices of `slice` (each slice read completely before `fn` sees
 * it, so `fn` may write to `sub`).
 */
export function eachSlice(store: ShardStore, id: number, fn: (entries: Entry[]) => void, slice = 1024): void {
  const { start, end } = idRange(id);
  let from = start;
  let skip: Buffer | null = null;
  for (;;) {
    const part: Entry[] = [];
    let last: Buffer | null = null;
    for (const { key, value } of store.sub.getRange({ start: from, end, limit: slice + 1 })) {
      if (skip && key.equals(skip)) continue;
      if (part.length === slice) break;
      last = key;
      part.push([memberOf(store, key), asBuf(value)]);
    }
    if (part.length) fn(part);
    if (part.length < slice || !last) return;
    from = last;
    skip = last;
  }
}

/**
 * One HSCAN step over the hash `c`: a listpack hash whole with cursor 0 (whatever the cursor and
 * COUNT, as Redis), a hashtable `count` entries after the cursor's position.
 */
export function scanHash(store: ShardStore, c: Coll, cursor: bigint, count: number): { entries: Entry[]; next: bigint } {
  if (!(c.flags & F_BIG)) return { entries: allEntries(store, c.id, true), next: 0n };
  const step = scanStep(store, c.id, cursor, count, true);
  return { entries: step.members.map((f, i): Entry => [f, asBuf(step.values[i])]), next: step.next };
}

// ------------------------------------------------------------------------------------------------
// Key type operations: OBJECT ENCODING, COPY, cross-shard RENAME / COPY
// ------------------------------------------------------------------------------------------------

export const hashKeyType: KeyTypeOps = {
  encoding(m: Meta) {
    return payload(m)[16] & F_BIG ? 'hashtable' : 'listpack';
  },
  refcount() {
    return 1;
  },
  // Redis's hashTypeDup keeps the encoding (the flags travel with the record)
  copy: copyCollection,
  dump(store, m) {
    // [flags u8][count u64 BE] then field, value, field, value... (packItems)
    const p = payload(m);
    const items: Buffer[] = [];
    eachSlice(store, readU64BE(p, 0), (part) => {
      for (const [f, v] of part) items.push(Buffer.from(f), Buffer.from(v));
    });
    return packItems(Buffer.concat([Buffer.from([p[16]]), p.subarray(8, 16)]), items);
  },
  restore(x, key, to, dump, expire) {
    const count = readU64BE(dump, 1);
    const pairs = unpackItems(dump, 9);
    if (pairs.length / 2 !== count || count === 0 || pairs.length % 2 !== 0) throw new Error(`bad hash dump (${pairs.length / 2} fields, header ${count})`);
    restoreHash(x, key, to, dump[0], pairs, expire);
  },
};

/**
 * Writes a whole hash as `key` over `to` (field, value, ... distinct fields, at least one) with
 * the given flags and exact expiry bytes; logs DEL, HSET of every field (+ PEXPIREAT). Throws on a
 * repeated field, before anything is committed.
 */
export function restoreHash(x: StoreCtx, key: Buffer, to: Found, flags: number, pairs: Buffer[], expire: Buffer): void {
  const id = x.store.allocId();
  for (let i = 0; i < pairs.length; i += 2) {
    if (!putMemberIfAbsent(x.store, pairs[i], pairs[i + 1], subKey(id, pairs[i]))) throw new RedisError(DUPLICATE_FIELD);
  }
  putRestored(x, key, to, T_HASH, collBody(id, pairs.length / 2, flags), expire);
  x.binlog([DEL, key]);
  x.binlog([HSET, key, ...pairs]);
  logRestoredExpiry(x, key, expire);
}

const DUPLICATE_FIELD = 'ERR Bad data format';
