// The keyspace commands' data work on single keys (lib/commands/keyspace.ts parses and replies):
// deletion and existence, TYPE, the expiry arithmetic and its NX/XX/GT/LT rules, TTL and
// EXPIRETIME, PERSIST, RENAME / COPY / MOVE within a shard, the dump and the re-creation of a key
// for a move across shards, and OBJECT's answers. The whole-database work (KEYS, SCAN steps,
// flushes, SWAPDB) is lib/store/keyspace-db.ts.
//
// Type-specific work (OBJECT ENCODING, copying a value, serializing it) goes through each type's
// key operations (typeOps, lib/store/key-types.ts). RENAME and MOVE re-key the record only, so a
// collection keeps its id and members; COPY writes a new collection under a fresh id.
//
// Binlog: an expiry as PEXPIREAT with the exact time in ms (or DEL when that time has passed),
// PERSIST, DEL / UNLINK per deleted key, RENAME (RENAMENX too), COPY as sent, MOVE key db; a key
// re-created on another shard as its type's own commands (typeOps(...).restore).

import type { StoreCtx } from './context.js';
import type { Meta } from './meta.js';
import { TYPE_NAMES } from './meta.js';
import { typeOps } from './key-types.js';
import { DEL, MOVE, PERSIST, PEXPIREAT, RENAME } from './effects.js';
import { E, RedisError } from '../errors.js';
import { EV } from './key-events.js';

// ---------------------------------------------------------------------------------------------
// Deletion, existence, type

/** Deletes `key` (a missing or expired key is not deleted); logs `effect key` (DEL or UNLINK). */
export function deleteKey(x: StoreCtx, key: Buffer, effect: Buffer): boolean {
  const m = x.store.get(x.db, key, x.now, false);
  if (!m) return false;
  x.store.remove(x.db, m);
  x.binlog([effect, key]);
  return true;
}

/** DEL / UNLINK: deletes keys[from..]; how many existed. */
export function deleteKeys(x: StoreCtx, keys: Buffer[], from: number, effect: Buffer): number {
  let n = 0;
  for (let i = from; i < keys.length; i++) if (deleteKey(x, keys[i], effect)) n++;
  return n;
}

/**
 * EXISTS / TOUCH / MSETNX: how many of keys[from], keys[from + step], ... exist, of any type (a
 * key named twice counts twice), looking no further once `limit` are found. `touch`: the lookups
 * count as accesses (TOUCH, MSETNX; OBJECT IDLETIME), as EXISTS's do not.
 */
export function countExisting(x: StoreCtx, keys: Buffer[], from: number, touch: boolean, step = 1, limit = Infinity): number {
  let n = 0;
  for (let i = from; i < keys.length && n < limit; i += step) if (x.store.get(x.db, keys[i], x.now, touch)) n++;
  return n;
}

/** TYPE: the type's name, 'none' for a missing key. */
export function typeName(x: StoreCtx, key: Buffer): string {
  const m = x.store.get(x.db, key, x.now, false);
  return m ? TYPE_NAMES[m.type] : 'none';
}

// ---------------------------------------------------------------------------------------------
// Expiry

/** EXPIRE's conditions (Redis 7): only without an expiry, only with one, only later, only earlier. */
export const EXPIRE_NX = 1;
export const EXPIRE_XX = 2;
export const EXPIRE_GT = 4;
export const EXPIRE_LT = 8;

/** The exact expiry of a key in ms (u64 in the record), -1n when it has none. */
export function expireOf(m: Meta): bigint {
  return m.expireAt === 0 ? -1n : m.raw.readBigUInt64BE(2);
}

/**
 * Whether a key whose expiry is `cur` (-1n: none) takes the expiry `when` under the EXPIRE_*
 * `flags`. A key without an expiry counts as never expiring: GT never applies to it, LT always.
 */
export function expireAllowed(cur: bigint, when: bigint, flags: number): boolean {
  if (flags & EXPIRE_NX && cur !== -1n) return false;
  if (flags & EXPIRE_XX && cur === -1n) return false;
  if (flags & EXPIRE_GT && (cur === -1n || when <= cur)) return false;
  if (flags & EXPIRE_LT && cur !== -1n && when >= cur) return false;
  return true;
}

/**
 * EXPIRE / PEXPIRE / EXPIREAT / PEXPIREAT with the absolute time `when` (ms): 0 when the key is
 * missing or the flags refuse; else 1, the expiry set (logged as PEXPIREAT) or, when `when` is not
 * in the future, the key deleted (logged as DEL, what replicas must apply).
 */
export function expireKey(x: StoreCtx, key: Buffer, when: bigint, flags: number): number {
  const m = x.store.get(x.db, key, x.now);
  if (!m) return 0;
  if (flags !== 0 && !expireAllowed(expireOf(m), when, flags)) return 0;
  if (when <= BigInt(x.now)) {
    x.store.remove(x.db, m);
    x.binlog([DEL, key]);
    return 1;
  }
  // the exact u64 goes in the record (an expiry past 2^53 ms would not survive a double)
  const raw = Buffer.from(m.raw);
  raw.writeBigUInt64BE(when, 2);
  x.store.put(x.db, m.mk, raw, m);
  x.binlog([PEXPIREAT, key, Buffer.from(String(when))]);
  return 1;
}

/** PERSIST: 1 when the key had an expiry (now gone), 0 when missing or persistent. */
export function persistKey(x: StoreCtx, key: Buffer): number {
  const m = x.store.get(x.db, key, x.now);
  if (!m || m.expireAt === 0) return 0;
  x.store.setExpire(x.db, m, 0);
  x.binlog([PERSIST, key]);
  return 1;
}

/** TTL / PTTL: -2n missing, -1n no expiry, else the time left (seconds rounded to the nearest, as Redis). */
export function timeToLive(x: StoreCtx, key: Buffer, ms: boolean): bigint {
  const m = x.store.get(x.db, key, x.now, false);
  if (!m) return -2n;
  const at = expireOf(m);
  if (at === -1n) return -1n;
  let ttl = at - BigInt(x.now);
  if (ttl < 0n) ttl = 0n;
  return ms ? ttl : (ttl + 500n) / 1000n;
}

/** EXPIRETIME / PEXPIRETIME: -2n missing, -1n no expiry, else the expiry (seconds rounded to the nearest). */
export function expireTime(x: StoreCtx, key: Buffer, ms: boolean): bigint {
  const m = x.store.get(x.db, key, x.now, false);
  if (!m) return -2n;
  const at = expireOf(m);
  if (at === -1n) return -1n;
  return ms ? at : (at + 500n) / 1000n;
}

// ---------------------------------------------------------------------------------------------
// RENAME COPY MOVE within a shard

/**
 * RENAME / RENAMENX with both keys in this shard: 1 when renamed (or RENAME onto itself), 0 when
 * RENAMENX finds the destination taken (or is asked to rename a key onto itself). The record
 * moves with its exact expiry; a replaced destination's members become garbage.
 * Throws "no such key" when the source is missing.
 */
export function renameKey(x: StoreCtx, src: Buffer, dst: Buffer, nx: boolean): number {
  const m = x.store.get(x.db, src, x.now);
  if (!m) throw new RedisError(E.noKey);
  if (src.equals(dst)) return nx ? 0 : 1;
  const to = x.store.find(x.db, dst, x.now);
  if (to.meta && nx) return 0;
  x.store.moveKey(x.db, m, x.db, dst, to);
  x.binlog([RENAME, src, dst]);
  return 1;
}

/**
 * COPY cmd[1] to cmd[2] in `toDb`, both in this shard (the caller has refused copying a key onto
 * itself): 0 when the source is missing or the destination exists without `replace`, else 1. The
 * copy is a new value (a collection gets a fresh id); the command as sent (`cmd`) is the effect.
 */
export function copyKey(x: StoreCtx, cmd: Buffer[], toDb: number, replace: boolean): number {
  const m = x.store.get(x.db, cmd[1], x.now);
  x.store.readLookup(x.db, cmd[1], m !== null); // Redis reads the source
  if (!m) return 0;
  const to = x.store.find(toDb, cmd[2], x.now);
  if (to.meta && !replace) return 0;
  typeOps(m.type).copy(x.store, m, toDb, cmd[2], to);
  x.binlog(cmd);
  return 1;
}

/** MOVE key to database `toDb` (another one): 0 when missing here or present there, else 1. */
export function moveKey(x: StoreCtx, key: Buffer, toDb: number): number {
  const m = x.store.get(x.db, key, x.now);
  if (!m) return 0;
  const to = x.store.find(toDb, key, x.now);
  if (to.meta) return 0;
  x.store.moveKey(x.db, m, toDb, key, to);
  x.binlog([MOVE, key, Buffer.from(String(toDb))]);
  return 1;
}

// ---------------------------------------------------------------------------------------------
// A key across shards (cross-shard RENAME / RENAMENX / COPY, under the coordinator's locks)

/** A key's value as it travels to another shard. */
export interface KeyDump {
  /** The meta type (T_STRING...). */
  type: number;
  /** The exact expiry: u64 BE ms, 0 = none (8 bytes). */
  expire: Buffer;
  /** The type's serialization (typeOps(type).dump). */
  body: Buffer;
}

/** The dump of a key, null when it is missing. */
export function dumpKey(x: StoreCtx, key: Buffer): KeyDump | null {
  const m = x.store.get(x.db, key, x.now);
  if (!m) return null;
  return { type: m.type, expire: m.raw.subarray(2, 10), body: typeOps(m.type).dump(x.store, m) };
}

/** What a key re-created from a dump is, for its keyspace events: a RENAME's or a COPY's destination. */
export type Arrival = 'rename' | 'copy';

/**
 * Re-creates `key` in x.db from a dump: 0 when the key exists and `nx`, else 1 (an existing key is
 * replaced). The type's restore logs the effect; its events are the command's (`arrival`): the key
 * created anew (Redis's dbAdd), and a COPY's copy_to (a RENAME's come with the source's deletion,
 * renameAway, in Redis's order).
 */
export function restoreKey(x: StoreCtx, key: Buffer, dump: KeyDump, nx: boolean, arrival: Arrival): number {
  const ops = typeOps(dump.type);
  const to = x.store.find(x.db, key, x.now);
  if (to.meta && nx) return 0;
  const quiet: StoreCtx = { store: x.store, db: x.db, now: x.now, binlog: (args) => x.binlog(args, EV.none) };
  ops.restore(quiet, key, to, dump.body, dump.expire);
  x.store.keyEvent(x.db, key, EV.new);
  if (arrival === 'copy') x.store.keyEvent(x.db, key, EV.copy_to);
  return 1;
}

/**
 * The source of a RENAME across shards, once its value is on the destination's shard: deleted
 * (logged as DEL), with the command's events rename_from here and rename_to for `dst`.
 */
export function renameAway(x: StoreCtx, src: Buffer, dst: Buffer): boolean {
  const m = x.store.get(x.db, src, x.now, false);
  if (!m) return false;
  x.store.remove(x.db, m);
  x.binlog([DEL, src], EV.rename_from);
  x.store.keyEvent(x.db, dst, EV.rename_to);
  return true;
}

// ---------------------------------------------------------------------------------------------
// OBJECT (lookups that do not count as accesses, as Redis's LOOKUP_NOTOUCH)

/** OBJECT ENCODING: null for a missing key. */
export function keyEncoding(x: StoreCtx, key: Buffer): string | null {
  const m = x.store.get(x.db, key, x.now, false);
  return m ? typeOps(m.type).encoding(m) : null;
}

/** OBJECT REFCOUNT: null for a missing key. */
export function keyRefcount(x: StoreCtx, key: Buffer): number | null {
  const m = x.store.get(x.db, key, x.now, false);
  return m ? typeOps(m.type).refcount(m) : null;
}

/** OBJECT IDLETIME: whole seconds since the last access (Redis's LRU clock); null for a missing key. */
export function keyIdleSeconds(x: StoreCtx, key: Buffer): number | null {
  const m = x.store.get(x.db, key, x.now, false);
  return m ? x.store.idleSeconds(m.mk, x.now) : null;
}

/** Whether a key exists, without counting as an access (OBJECT FREQ). */
export function keyExists(x: StoreCtx, key: Buffer): boolean {
  return x.store.get(x.db, key, x.now, false) !== null;
}
