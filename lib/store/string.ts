// The string type's data work: values live inline in the meta record (lib/store/meta.ts).
//
// Every function takes the command's StoreCtx and returns plain values; WRONGTYPE and the other
// data-dependent errors (a stored value that is not a number, an overflow, a string that would
// outgrow proto-max-bulk-len) are thrown as RedisError before anything changes. Writes record
// their deterministic effect in the binlog: relative expiries become absolute (SET ... PXAT,
// PEXPIREAT), INCRBYFLOAT becomes SET ... KEEPTTL with its exact result, a key written with an
// expiry already in the past becomes a DEL; INCR, APPEND, SETRANGE... log the command itself
// (`effect`: the caller passes its own argument list, which replays to the same value).

import type { StoreCtx } from './context.js';
import type { KeyTypeOps } from './key-ops.js';
import type { ShardStore } from './shard-store.js';
import { T_STRING, encodeMeta, payload, type Meta } from './meta.js';
import { readU64BE } from './keys.js';
import { WrongTypeError } from './collections.js';
import { stringTooLong } from './limits.js';
import { expireDeadline } from './expiry.js';
import { DEL, KEEPTTL, MSET, PERSIST, PEXPIREAT, PXAT, SET } from './effects.js';
import { E, RedisError } from '../errors.js';
import { EV } from './key-events.js';
import { INT64_MAX, INT64_MIN, parseI64 } from '../resp/number.js';
import { formatLongDoubleHuman, ldAdd, parseLongDouble, LD_ZERO, type LongDouble } from '../resp/long-double.js';

const EMPTY = Buffer.alloc(0);

export const LCS_NOT_STRING = 'ERR The specified keys must contain string values';

// ------------------------------------------------------------------------------------------------
// Reading
// ------------------------------------------------------------------------------------------------

/**
 * The value of a string key, null when missing; WRONGTYPE for another type. The buffer is a view
 * that is valid only until the next LMDB read (ShardStore.peekString): write it out at once.
 */
export function readString(x: StoreCtx, key: Buffer): Buffer | null {
  const v = x.store.peekString(x.db, key, x.now);
  if (v === -1) throw new WrongTypeError();
  return v;
}

/** MGET's read: the value of a string key, null when missing or of another type (no WRONGTYPE). */
export function readStringOrNull(x: StoreCtx, key: Buffer): Buffer | null {
  const v = x.store.peekString(x.db, key, x.now);
  return v === -1 ? null : v;
}

/**
 * GETRANGE / SUBSTR: bytes start..end (inclusive; negative counts from the end) of a string,
 * empty when the key is missing or the range is. A view valid until the next LMDB read.
 */
export function stringRange(x: StoreCtx, key: Buffer, start: bigint, end: bigint): Buffer {
  const v = readString(x, key);
  if (v === null) return EMPTY;
  const len = BigInt(v.length);
  if (start < 0n && end < 0n && start > end) return EMPTY;
  if (start < 0n) start += len;
  if (end < 0n) end += len;
  if (start < 0n) start = 0n;
  if (end < 0n) end = 0n;
  if (end >= len) end = len - 1n;
  if (start > end || len === 0n) return EMPTY;
  return v.subarray(Number(start), Number(end) + 1);
}

// ------------------------------------------------------------------------------------------------
// Expiry arithmetic
// ------------------------------------------------------------------------------------------------

/** How an expire argument counts: seconds or milliseconds, from now or since the epoch. */
export type ExpireUnit = 'ex' | 'px' | 'exat' | 'pxat';

/**
 * The absolute expiry (ms since the epoch) of a positive expire argument `n` in `unit`, as
 * Redis's getExpireMillisecondsOrReply computes it; null when it leaves int64 (Redis then
 * answers "invalid expire time").
 */
export function expiryMs(now: number, unit: ExpireUnit, n: bigint): bigint | null {
  return expireDeadline(n, unit === 'ex' || unit === 'exat' ? 1000n : 1n, unit === 'ex' || unit === 'px', now);
}

// ------------------------------------------------------------------------------------------------
// SET and its variants
// ------------------------------------------------------------------------------------------------

/** setString flags: only if the key is missing (NX), only if it exists (XX), keep its expiry. */
export const SET_NX = 1;
export const SET_XX = 2;
export const SET_KEEPTTL = 4;

/**
 * SET (SETNX, SETEX, PSETEX): writes `value` unless NX/XX says otherwise, with the absolute
 * expiry `at` (ms; null: none, or the old one with SET_KEEPTTL). Returns whether it wrote. The
 * old value may be of any type.
 */
export function setString(x: StoreCtx, key: Buffer, value: Buffer, flags: number, at: bigint | null): boolean {
  if (flags === 0 && at === null && x.store.putPlainString(x.db, key, value, x.now)) {
    x.binlog([SET, key, value]);
    return true;
  }
  const { mk, meta } = x.store.find(x.db, key, x.now);
  if (meta ? flags & SET_NX : flags & SET_XX) return false;
  writeSet(x, key, mk, meta, value, flags, at);
  return true;
}

/**
 * SET ... GET and GETSET: setString that answers the old value (null when there was none);
 * WRONGTYPE, before anything is written, when the old value is not a string.
 */
export function setStringGet(x: StoreCtx, key: Buffer, value: Buffer, flags: number, at: bigint | null): Buffer | null {
  const { mk, meta } = x.store.find(x.db, key, x.now);
  let old: Buffer | null = null;
  // Redis reads the old value as GET does: a read lookup (keyspace hit or miss, keymiss)
  x.store.readLookup(x.db, key, meta !== null);
  if (meta) {
    if (meta.type !== T_STRING) throw new WrongTypeError();
    old = Buffer.from(payload(meta));
  }
  if (!(meta ? flags & SET_NX : flags & SET_XX)) writeSet(x, key, mk, meta, value, flags, at);
  return old;
}

function writeSet(x: StoreCtx, key: Buffer, mk: Buffer, meta: Meta | null, value: Buffer, flags: number, at: bigint | null): void {
  if (at !== null) {
    // An absolute time in the past sets a key that is expired at once: as in Redis 7.0 it stays
    // until it is next touched or swept (then it reads as missing, its `expired` event then).
    x.store.putString(x.db, key, mk, value, Number(at), meta);
    x.binlog([SET, key, value, PXAT, Buffer.from(at.toString())]);
  } else if (flags & SET_KEEPTTL) {
    x.store.putString(x.db, key, mk, value, meta ? meta.expireAt : 0, meta);
    x.binlog([SET, key, value, KEEPTTL]);
  } else {
    x.store.putString(x.db, key, mk, value, 0, meta);
    x.binlog([SET, key, value]);
  }
}

/** GETDEL: the value of a string key, which is deleted; null when missing. */
export function getDelString(x: StoreCtx, key: Buffer): Buffer | null {
  const meta = x.store.get(x.db, key, x.now);
  x.store.readLookup(x.db, key, meta !== null); // Redis reads the key as GET does
  if (!meta) return null;
  if (meta.type !== T_STRING) throw new WrongTypeError();
  const v = Buffer.from(payload(meta));
  x.store.remove(x.db, meta);
  x.binlog([DEL, key]);
  return v;
}

/**
 * GETEX: the value of a string key (null when missing), whose expiry becomes `at` (ms since the
 * epoch; at or before now deletes the key) or, with `persist`, none; both null/false: unchanged.
 */
export function getExString(x: StoreCtx, key: Buffer, at: bigint | null, persist: boolean): Buffer | null {
  const meta = x.store.get(x.db, key, x.now);
  x.store.readLookup(x.db, key, meta !== null); // Redis reads the key as GET does
  if (!meta) return null;
  if (meta.type !== T_STRING) throw new WrongTypeError();
  // meta.raw is the record's own copy: the value stays readable after the key changes
  const v = payload(meta);
  if (at !== null) {
    const ms = Number(at);
    if (ms <= x.now) {
      x.store.remove(x.db, meta);
      x.binlog([DEL, key]);
    } else {
      x.store.setExpire(x.db, meta, ms);
      x.binlog([PEXPIREAT, key, Buffer.from(at.toString())]);
    }
  } else if (persist && meta.expireAt !== 0) {
    x.store.setExpire(x.db, meta, 0);
    x.binlog([PERSIST, key]);
  }
  return v;
}

// ------------------------------------------------------------------------------------------------
// Several keys: MSET / MSETNX
// ------------------------------------------------------------------------------------------------

/** MSET: writes the pairs kv[from], kv[from + 1], ... (no expiry; the last of a repeated key wins). */
export function setStrings(x: StoreCtx, kv: Buffer[], from: number): void {
  for (let i = from; i < kv.length; i += 2) {
    if (x.store.putPlainString(x.db, kv[i], kv[i + 1], x.now)) continue;
    const { mk, meta } = x.store.find(x.db, kv[i], x.now);
    x.store.putString(x.db, kv[i], mk, kv[i + 1], 0, meta);
  }
  x.binlog([MSET, ...kv.slice(from)]);
}

// ------------------------------------------------------------------------------------------------
// APPEND / SETRANGE
// ------------------------------------------------------------------------------------------------

/** APPEND: the length of the string after appending `add` (created when missing; the expiry stays). */
export function appendString(x: StoreCtx, key: Buffer, add: Buffer, effect: Buffer[]): number {
  const { mk, meta } = x.store.find(x.db, key, x.now);
  let len: number;
  if (!meta) {
    x.store.putString(x.db, key, mk, add, 0, null);
    len = add.length;
  } else {
    if (meta.type !== T_STRING) throw new WrongTypeError();
    const cur = payload(meta);
    if (stringTooLong(cur.length, add.length)) throw new RedisError(E.stringTooLong);
    len = cur.length + add.length;
    if (add.length > 0) x.store.putString(x.db, key, mk, Buffer.concat([cur, add], len), meta.expireAt, meta);
  }
  x.binlog(effect);
  return len;
}

/**
 * SETRANGE: writes `value` at byte `offset` (>= 0) of the string, zero-padded; the length after.
 * An empty value changes nothing (and creates no key).
 */
export function setRange(x: StoreCtx, key: Buffer, offset: bigint, value: Buffer, effect: Buffer[]): number {
  const { mk, meta } = x.store.find(x.db, key, x.now);
  let cur: Buffer;
  if (!meta) {
    if (value.length === 0) return 0;
    if (stringTooLong(offset, value.length)) throw new RedisError(E.stringTooLong);
    cur = EMPTY;
  } else {
    if (meta.type !== T_STRING) throw new WrongTypeError();
    cur = payload(meta);
    if (value.length === 0) return cur.length;
    if (stringTooLong(offset, value.length)) throw new RedisError(E.stringTooLong);
  }
  const o = Number(offset);
  const len = Math.max(cur.length, o + value.length);
  const next = Buffer.alloc(len);
  cur.copy(next, 0);
  value.copy(next, o);
  x.store.putString(x.db, key, mk, next, meta ? meta.expireAt : 0, meta);
  x.binlog(effect);
  return len;
}

// ------------------------------------------------------------------------------------------------
// Arithmetic on stored values
// ------------------------------------------------------------------------------------------------

/**
 * INCR / DECR / INCRBY / DECRBY: adds `by` to the integer stored at `key` (0 when missing) and
 * answers the sum; the expiry stays. Errors: not an integer, or the sum leaves int64.
 */
export function incrBy(x: StoreCtx, key: Buffer, by: bigint, effect: Buffer[]): bigint {
  const { mk, meta } = x.store.find(x.db, key, x.now);
  let cur = 0n;
  if (meta) {
    if (meta.type !== T_STRING) throw new WrongTypeError();
    const v = parseI64(payload(meta));
    if (v === null) throw new RedisError(E.notInt);
    cur = v;
  }
  const next = cur + by;
  if (next > INT64_MAX || next < INT64_MIN) throw new RedisError(E.overflow);
  x.store.putString(x.db, key, mk, Buffer.from(next.toString(), 'latin1'), meta ? meta.expireAt : 0, meta);
  x.binlog(effect);
  return next;
}

/**
 * INCRBYFLOAT: adds `by` to the long double stored at `key` (0 when missing) and answers the
 * stored text of the sum (Redis's %.17Lg, humanized); the expiry stays, the binlog gets the
 * exact result (SET key sum KEEPTTL). Errors: not a float, or the sum is NaN or infinite.
 */
export function incrByFloat(x: StoreCtx, key: Buffer, by: LongDouble): Buffer {
  const { mk, meta } = x.store.find(x.db, key, x.now);
  let cur: LongDouble = LD_ZERO;
  if (meta) {
    if (meta.type !== T_STRING) throw new WrongTypeError();
    const v = parseLongDouble(payload(meta));
    if (v === null) throw new RedisError(E.notFloat);
    cur = v;
  }
  const sum = ldAdd(cur, by);
  if (sum === null) throw new RedisError(E.nanOrInf);
  const text = Buffer.from(formatLongDoubleHuman(sum), 'latin1');
  x.store.putString(x.db, key, mk, text, meta ? meta.expireAt : 0, meta);
  x.binlog([SET, key, text, KEEPTTL], EV.incrbyfloat);
  return text;
}

// ------------------------------------------------------------------------------------------------
// LCS's inputs
// ------------------------------------------------------------------------------------------------

/** A string value for LCS: missing is "", another type null. */
function lcsInput(x: StoreCtx, key: Buffer): Buffer | null {
  const m = x.store.get(x.db, key, x.now);
  if (!m) return EMPTY;
  if (m.type !== T_STRING) return null;
  return payload(m);
}

/** One value of an LCS ("" when missing); "The specified keys must contain string values" for another type. */
export function lcsValue(x: StoreCtx, key: Buffer): Buffer {
  const v = lcsInput(x, key);
  if (v === null) throw new RedisError(LCS_NOT_STRING);
  return v;
}

/** Both values of an LCS whose keys are on this shard: both are looked up before either's type is checked, as in Redis. */
export function lcsValues(x: StoreCtx, key1: Buffer, key2: Buffer): [Buffer, Buffer] {
  const a = lcsInput(x, key1);
  const b = lcsInput(x, key2);
  if (a === null || b === null) throw new RedisError(LCS_NOT_STRING);
  return [a, b];
}

// ------------------------------------------------------------------------------------------------
// Key operations (OBJECT ENCODING / REFCOUNT, COPY, cross-shard moves)
// ------------------------------------------------------------------------------------------------

/** Redis keeps integers 0..9999 as shared objects (refcount INT_MAX) when maxmemory is off. */
const SHARED_INTEGERS = 10000;
const SHARED_REFCOUNT = 2147483647;

/** Builds `m`'s record for another key, keeping the type, payload and exact expiry bytes. */
function rekeyed(store: ShardStore, m: Meta, toKey: Buffer): Buffer {
  const raw = encodeMeta(m.type, m.expireAt, store.longKey(toKey), payload(m));
  m.raw.copy(raw, 2, 2, 10);
  return raw;
}

export const stringKeyType: KeyTypeOps = {
  encoding(m) {
    // Redis's tryObjectEncoding: an integer that string2l accepts, else embstr up to 44 bytes.
    const v = payload(m);
    if (v.length <= 20 && parseI64(v) !== null) return 'int';
    return v.length <= 44 ? 'embstr' : 'raw';
  },
  refcount(m) {
    const v = payload(m);
    if (v.length > 20) return 1;
    const n = parseI64(v);
    return n !== null && n >= 0n && n < BigInt(SHARED_INTEGERS) ? SHARED_REFCOUNT : 1;
  },
  copy(store, m, toDb, toKey, to) {
    store.put(toDb, to.mk, rekeyed(store, m, toKey), to.meta, true);
  },
  dump(_store, m) {
    return Buffer.from(payload(m));
  },
  restore(x, key, to, dump, expire) {
    const raw = encodeMeta(T_STRING, readU64BE(expire, 0), x.store.longKey(key), dump);
    expire.copy(raw, 2, 0, 8);
    x.store.put(x.db, to.mk, raw, to.meta, true);
    const at = expire.readBigUInt64BE(0);
    if (at === 0n) x.binlog([SET, key, dump]);
    else x.binlog([SET, key, dump, PXAT, Buffer.from(String(at))]);
  },
};
