// String commands: argument parsing and replies; values live inline in the meta record.
//
// Behaviour follows redis-server 7.0 (see test/string.test.ts, which diffs every command against
// it). Writes record their deterministic effect in the binlog: relative expiries become absolute
// (SET ... PXAT, PEXPIREAT), INCRBYFLOAT becomes SET ... KEEPTTL, an expired-on-write key a DEL.

import type { CommandDef, KeySpecDoc, ShardExec, CoordContext } from './types.js';
import type { MainContext } from '../main-context.js';
import { cmd, keySpec } from './define.js';
import { E, invalidExpire, wrongArgs } from '../errors.js';
import { T_STRING, payload, type Meta } from '../store/meta.js';
import { parseI64, INT64_MAX, INT64_MIN } from '../resp/number.js';
import { formatLongDoubleHuman, ldAdd, parseLongDouble, LD_ZERO, type LongDouble } from '../resp/long-double.js';
import { decodeReply } from '../resp/decode.js';
import { stringTooLong } from '../store/limits.js';
import { DEL, KEEPTTL, MSET, PERSIST, PEXPIREAT, PXAT, SET } from '../store/effects.js';

const EMPTY = Buffer.alloc(0);

const DECR_OVERFLOW = 'ERR decrement would overflow';
const LCS_NOT_STRING = 'ERR The specified keys must contain string values';
const LCS_LEN_AND_IDX = 'ERR If you want both the length and indexes, please just use IDX.';
const LCS_NO_MEMORY = 'ERR Insufficient memory, failed allocating transient memory for LCS';

// ------------------------------------------------------------------------------------------------
// Helpers
// ------------------------------------------------------------------------------------------------

/**
 * An option keyword as Redis compares it: case-insensitive, and (since Redis compares C strings)
 * only up to the first NUL byte.
 */
function opt(arg: Buffer): string {
  let end = arg.indexOf(0);
  if (end < 0) end = arg.length;
  if (end > 16) return '';
  return arg.toString('latin1', 0, end).toLowerCase();
}

/** Current string value of a key, null if missing; writes WRONGTYPE and returns undefined for other types. */
function getString(x: ShardExec, key: Buffer): Buffer | null | undefined {
  const m = x.store.get(x.db, key, x.now);
  if (!m) return null;
  if (m.type !== T_STRING) {
    x.out.error(E.wrongType);
    return undefined;
  }
  return payload(m);
}

/** Redis's checkStringLength: would a string of `size + append` bytes exceed proto-max-bulk-len? */
function tooLong(x: ShardExec, size: number | bigint, append: number): boolean {
  if (stringTooLong(size, append)) {
    x.out.error(E.stringTooLong);
    return true;
  }
  return false;
}

type ExpireUnit = 'ex' | 'px' | 'exat' | 'pxat';

/**
 * Turns an expire argument into absolute milliseconds (Redis getExpireMillisecondsOrReply).
 * Writes the error and returns null when invalid.
 */
function expireMs(x: ShardExec, unit: ExpireUnit, arg: Buffer, name: string): bigint | null {
  const n = parseI64(arg);
  if (n === null) {
    x.out.error(E.notInt);
    return null;
  }
  if (n <= 0n) {
    x.out.error(invalidExpire(name));
    return null;
  }
  let ms = n;
  if (unit === 'ex' || unit === 'exat') {
    if (n > INT64_MAX / 1000n) {
      x.out.error(invalidExpire(name));
      return null;
    }
    ms = n * 1000n;
  }
  if (unit === 'ex' || unit === 'px') {
    if (ms > INT64_MAX - BigInt(x.now)) {
      x.out.error(invalidExpire(name));
      return null;
    }
    ms += BigInt(x.now);
  }
  return ms;
}

/** Writes (creates or overwrites) a string value with the given expiry (0 = none); the caller logs it. */
function storeString(x: ShardExec, key: Buffer, mk: Buffer, meta: Meta | null, value: Buffer, expireAt: number): void {
  x.store.putString(x.db, key, mk, value, expireAt, meta);
}

// ------------------------------------------------------------------------------------------------
// GET / SET family
// ------------------------------------------------------------------------------------------------

function get(x: ShardExec, args: Buffer[]): void {
  const v = x.store.peekString(x.db, args[1], x.now);
  if (v === -1) x.out.error(E.wrongType);
  else x.out.bulk(v);
}

/** SET key value [NX|XX] [GET] [EX s|PX ms|EXAT ts|PXAT ts|KEEPTTL] */
function set(x: ShardExec, args: Buffer[]): void {
  let nx = false;
  let xx = false;
  let wantGet = false;
  let keepTtl = false;
  let unit: ExpireUnit | '' = '';
  let expArg: Buffer | null = null;
  // Redis's rules: an option may repeat (the last value wins) but not conflict with another.
  for (let i = 3; i < args.length; i++) {
    const o = opt(args[i]);
    const hasNext = i + 1 < args.length;
    if (o === 'nx' && !xx) nx = true;
    else if (o === 'xx' && !nx) xx = true;
    else if (o === 'get') wantGet = true;
    else if (o === 'keepttl' && !unit) keepTtl = true;
    else if ((o === 'ex' || o === 'px' || o === 'exat' || o === 'pxat') && !keepTtl && (!unit || unit === o) && hasNext) {
      unit = o;
      expArg = args[++i];
    } else {
      x.out.error(E.syntax);
      return;
    }
  }
  let at: bigint | null = null;
  if (unit) {
    at = expireMs(x, unit, expArg!, 'set');
    if (at === null) return;
  }
  const key = args[1];
  const { mk, meta } = x.store.find(x.db, key, x.now);
  let old: Buffer | null = null;
  if (wantGet && meta) {
    if (meta.type !== T_STRING) {
      x.out.error(E.wrongType);
      return;
    }
    old = Buffer.from(payload(meta));
  }
  if ((nx && meta) || (xx && !meta)) {
    if (wantGet) x.out.bulk(old);
    else x.out.nil();
    return;
  }
  if (at !== null && at <= BigInt(x.now)) {
    // An absolute time in the past: the key is set and immediately expired. Redis 7.0 keeps it
    // until it is next touched (it then reads as missing); we delete it now, same replies.
    if (meta) {
      x.store.remove(x.db, meta);
      x.binlog([DEL, key]);
    }
  } else {
    const value = args[2];
    if (at !== null) {
      storeString(x, key, mk, meta, value, Number(at));
      x.binlog([SET, key, value, PXAT, Buffer.from(at.toString())]);
    } else if (keepTtl) {
      storeString(x, key, mk, meta, value, meta ? meta.expireAt : 0);
      x.binlog([SET, key, value, KEEPTTL]);
    } else {
      storeString(x, key, mk, meta, value, 0);
      x.binlog([SET, key, value]);
    }
  }
  if (wantGet) x.out.bulk(old);
  else x.out.ok();
}

function setnx(x: ShardExec, args: Buffer[]): void {
  const key = args[1];
  const { mk, meta } = x.store.find(x.db, key, x.now);
  if (meta) {
    x.out.int(0);
    return;
  }
  storeString(x, key, mk, null, args[2], 0);
  x.binlog([SET, key, args[2]]);
  x.out.int(1);
}

/** SETEX key seconds value / PSETEX key ms value */
function setexGeneric(x: ShardExec, args: Buffer[], unit: 'ex' | 'px', name: string): void {
  const at = expireMs(x, unit, args[2], name);
  if (at === null) return;
  const key = args[1];
  const value = args[3];
  const { mk, meta } = x.store.find(x.db, key, x.now);
  storeString(x, key, mk, meta, value, Number(at));
  x.binlog([SET, key, value, PXAT, Buffer.from(at.toString())]);
  x.out.ok();
}

function setex(x: ShardExec, args: Buffer[]): void {
  setexGeneric(x, args, 'ex', 'setex');
}

function psetex(x: ShardExec, args: Buffer[]): void {
  setexGeneric(x, args, 'px', 'psetex');
}

function getset(x: ShardExec, args: Buffer[]): void {
  const key = args[1];
  const { mk, meta } = x.store.find(x.db, key, x.now);
  let old: Buffer | null = null;
  if (meta) {
    if (meta.type !== T_STRING) {
      x.out.error(E.wrongType);
      return;
    }
    old = Buffer.from(payload(meta));
  }
  storeString(x, key, mk, meta, args[2], 0);
  x.binlog([SET, key, args[2]]);
  x.out.bulk(old);
}

function getdel(x: ShardExec, args: Buffer[]): void {
  const key = args[1];
  const meta = x.store.get(x.db, key, x.now);
  if (!meta) {
    x.out.nil();
    return;
  }
  if (meta.type !== T_STRING) {
    x.out.error(E.wrongType);
    return;
  }
  const v = Buffer.from(payload(meta));
  x.store.remove(x.db, meta);
  x.binlog([DEL, key]);
  x.out.bulk(v);
}

/** GETEX key [EX s|PX ms|EXAT ts|PXAT ts|PERSIST] */
function getex(x: ShardExec, args: Buffer[]): void {
  let persist = false;
  let unit: ExpireUnit | '' = '';
  let expArg: Buffer | null = null;
  for (let i = 2; i < args.length; i++) {
    const o = opt(args[i]);
    const hasNext = i + 1 < args.length;
    if (o === 'persist' && !unit) persist = true;
    else if ((o === 'ex' || o === 'px' || o === 'exat' || o === 'pxat') && !persist && (!unit || unit === o) && hasNext) {
      unit = o;
      expArg = args[++i];
    } else {
      x.out.error(E.syntax);
      return;
    }
  }
  const key = args[1];
  const meta = x.store.get(x.db, key, x.now);
  if (!meta) {
    x.out.nil();
    return;
  }
  if (meta.type !== T_STRING) {
    x.out.error(E.wrongType);
    return;
  }
  // The expire time is validated only once the key is known to exist (as Redis does).
  let at: bigint | null = null;
  if (unit) {
    at = expireMs(x, unit, expArg!, 'getex');
    if (at === null) return;
  }
  x.out.bulk(payload(meta));
  if (at !== null) {
    if ((unit === 'exat' || unit === 'pxat') && at <= BigInt(x.now)) {
      x.store.remove(x.db, meta);
      x.binlog([DEL, key]);
    } else {
      x.store.setExpire(x.db, meta, Number(at));
      x.binlog([PEXPIREAT, key, Buffer.from(at.toString())]);
    }
  } else if (persist && meta.expireAt !== 0) {
    x.store.setExpire(x.db, meta, 0);
    x.binlog([PERSIST, key]);
  }
}

// ------------------------------------------------------------------------------------------------
// Multi-key: MGET / MSET / MSETNX
// ------------------------------------------------------------------------------------------------

function mget(x: ShardExec, args: Buffer[]): void {
  x.out.array(args.length - 1);
  for (let i = 1; i < args.length; i++) {
    const m = x.store.get(x.db, args[i], x.now);
    // MGET answers nil for keys of other types (no WRONGTYPE).
    x.out.bulk(m && m.type === T_STRING ? payload(m) : null);
  }
}

function msetArity(x: ShardExec, args: Buffer[], name: string): boolean {
  if (args.length % 2 === 0) {
    x.out.error(`ERR wrong number of arguments for '${name}' command`);
    return false;
  }
  return true;
}

function msetAll(x: ShardExec, args: Buffer[]): void {
  for (let i = 1; i < args.length; i += 2) {
    const { mk, meta } = x.store.find(x.db, args[i], x.now);
    storeString(x, args[i], mk, meta, args[i + 1], 0);
  }
  x.binlog([MSET, ...args.slice(1)]);
}

function mset(x: ShardExec, args: Buffer[]): void {
  if (!msetArity(x, args, 'mset')) return;
  msetAll(x, args);
  x.out.ok();
}

function msetnx(x: ShardExec, args: Buffer[]): void {
  if (!msetArity(x, args, 'msetnx')) return;
  for (let i = 1; i < args.length; i += 2) {
    if (x.store.get(x.db, args[i], x.now)) {
      x.out.int(0);
      return;
    }
  }
  msetAll(x, args);
  x.out.int(1);
}

/** Internal (MSETNX across shards): how many of the given keys exist. */
function msetnxCheck(x: ShardExec, args: Buffer[]): void {
  let n = 0;
  for (let i = 1; i < args.length; i++) if (x.store.get(x.db, args[i], x.now)) n++;
  x.out.int(n);
}

/**
 * MSETNX whose keys live on several shards: under the shards' locks, count the existing keys on
 * each, and only if there are none write every part.
 */
function msetnxCoordinated(ctx: CoordContext, args: Buffer[]): Promise<void> | void {
  if (args.length % 2 === 0) return ctx.out.error(wrongArgs('msetnx'));
  const shards = ctx.shards;
  const db = ctx.db;
  const parts = new Map<number, Buffer[]>();
  for (let i = 1; i < args.length; i += 2) {
    const s = shards.of(args[i]);
    let p = parts.get(s);
    if (!p) parts.set(s, (p = []));
    p.push(args[i], args[i + 1]);
  }
  return shards.locked([...parts.keys()], async (tx) => {
    const counts = await Promise.all(
      [...parts].map(([s, kv]) => tx.exec(s, msetnxCheckDef, db, [MSETNX_CHECK, ...kv.filter((_, j) => j % 2 === 0)])),
    );
    for (const r of counts) {
      const d = decodeReply(r);
      if (d instanceof Error) return ctx.out.error(d.message);
      if (d !== 0n) return ctx.out.int(0);
    }
    const done = await Promise.all([...parts].map(([s, kv]) => tx.exec(s, msetDef, db, [MSET, ...kv])));
    for (const r of done) {
      const d = decodeReply(r);
      if (d instanceof Error) return ctx.out.error(d.message);
    }
    ctx.out.int(1);
  });
}

// ------------------------------------------------------------------------------------------------
// APPEND / STRLEN / GETRANGE / SETRANGE
// ------------------------------------------------------------------------------------------------

function append(x: ShardExec, args: Buffer[]): void {
  const key = args[1];
  const add = args[2];
  const { mk, meta } = x.store.find(x.db, key, x.now);
  let len: number;
  if (!meta) {
    storeString(x, key, mk, null, add, 0);
    len = add.length;
  } else {
    if (meta.type !== T_STRING) {
      x.out.error(E.wrongType);
      return;
    }
    const cur = payload(meta);
    if (tooLong(x, cur.length, add.length)) return;
    len = cur.length + add.length;
    if (add.length > 0) storeString(x, key, mk, meta, Buffer.concat([cur, add], len), meta.expireAt);
  }
  x.binlog(args);
  x.out.int(len);
}

function strlen(x: ShardExec, args: Buffer[]): void {
  const v = getString(x, args[1]);
  if (v === undefined) return;
  x.out.int(v ? v.length : 0);
}

/** GETRANGE key start end (and SUBSTR). */
function getrange(x: ShardExec, args: Buffer[]): void {
  let start = parseI64(args[2]);
  let end = parseI64(args[3]);
  if (start === null || end === null) {
    x.out.error(E.notInt);
    return;
  }
  const v = getString(x, args[1]);
  if (v === undefined) return;
  if (v === null) {
    x.out.bulk(EMPTY);
    return;
  }
  const len = BigInt(v.length);
  if (start < 0n && end < 0n && start > end) {
    x.out.bulk(EMPTY);
    return;
  }
  if (start < 0n) start += len;
  if (end < 0n) end += len;
  if (start < 0n) start = 0n;
  if (end < 0n) end = 0n;
  if (end >= len) end = len - 1n;
  if (start > end || len === 0n) {
    x.out.bulk(EMPTY);
    return;
  }
  x.out.bulk(v.subarray(Number(start), Number(end) + 1));
}

function setrange(x: ShardExec, args: Buffer[]): void {
  const off = parseI64(args[2]);
  if (off === null) {
    x.out.error(E.notInt);
    return;
  }
  if (off < 0n) {
    x.out.error(E.offsetRange);
    return;
  }
  const key = args[1];
  const value = args[3];
  const { mk, meta } = x.store.find(x.db, key, x.now);
  let cur: Buffer;
  if (!meta) {
    // Setting nothing on a missing key creates nothing.
    if (value.length === 0) {
      x.out.int(0);
      return;
    }
    if (tooLong(x, off, value.length)) return;
    cur = EMPTY;
  } else {
    if (meta.type !== T_STRING) {
      x.out.error(E.wrongType);
      return;
    }
    cur = payload(meta);
    if (value.length === 0) {
      x.out.int(cur.length);
      return;
    }
    if (tooLong(x, off, value.length)) return;
  }
  const o = Number(off);
  const len = Math.max(cur.length, o + value.length);
  const next = Buffer.alloc(len);
  cur.copy(next, 0);
  value.copy(next, o);
  storeString(x, key, mk, meta, next, meta ? meta.expireAt : 0);
  x.binlog(args);
  x.out.int(len);
}

// ------------------------------------------------------------------------------------------------
// INCR / DECR / INCRBY / DECRBY / INCRBYFLOAT
// ------------------------------------------------------------------------------------------------

function incrDecr(x: ShardExec, args: Buffer[], by: bigint): void {
  const key = args[1];
  const { mk, meta } = x.store.find(x.db, key, x.now);
  let cur = 0n;
  if (meta) {
    if (meta.type !== T_STRING) {
      x.out.error(E.wrongType);
      return;
    }
    const v = parseI64(payload(meta));
    if (v === null) {
      x.out.error(E.notInt);
      return;
    }
    cur = v;
  }
  const next = cur + by;
  if (next > INT64_MAX || next < INT64_MIN) {
    x.out.error(E.overflow);
    return;
  }
  storeString(x, key, mk, meta, Buffer.from(next.toString(), 'latin1'), meta ? meta.expireAt : 0);
  x.binlog(args);
  x.out.int(next);
}

function incr(x: ShardExec, args: Buffer[]): void {
  incrDecr(x, args, 1n);
}

function decr(x: ShardExec, args: Buffer[]): void {
  incrDecr(x, args, -1n);
}

function incrby(x: ShardExec, args: Buffer[]): void {
  const by = parseI64(args[2]);
  if (by === null) {
    x.out.error(E.notInt);
    return;
  }
  incrDecr(x, args, by);
}

function decrby(x: ShardExec, args: Buffer[]): void {
  const by = parseI64(args[2]);
  if (by === null) {
    x.out.error(E.notInt);
    return;
  }
  if (by === INT64_MIN) {
    x.out.error(DECR_OVERFLOW);
    return;
  }
  incrDecr(x, args, -by);
}

function incrbyfloat(x: ShardExec, args: Buffer[]): void {
  const key = args[1];
  const { mk, meta } = x.store.find(x.db, key, x.now);
  let cur: LongDouble = LD_ZERO;
  if (meta) {
    if (meta.type !== T_STRING) {
      x.out.error(E.wrongType);
      return;
    }
    const v = parseLongDouble(payload(meta));
    if (v === null) {
      x.out.error(E.notFloat);
      return;
    }
    cur = v;
  }
  const by = parseLongDouble(args[2]);
  if (by === null) {
    x.out.error(E.notFloat);
    return;
  }
  const sum = ldAdd(cur, by);
  if (sum === null) {
    x.out.error(E.nanOrInf);
    return;
  }
  const text = Buffer.from(formatLongDoubleHuman(sum), 'latin1');
  storeString(x, key, mk, meta, text, meta ? meta.expireAt : 0);
  x.binlog([SET, key, text, KEEPTTL]);
  x.out.bulk(text);
}

// ------------------------------------------------------------------------------------------------
// LCS
// ------------------------------------------------------------------------------------------------

interface LcsOpts {
  len: boolean;
  idx: boolean;
  withMatchLen: boolean;
  minMatchLen: bigint;
}

/** Parses LCS options (args[3..]); writes the error and returns null when invalid. */
function lcsOptions(x: { out: ShardExec['out'] }, args: Buffer[], from: number): LcsOpts | null {
  const o: LcsOpts = { len: false, idx: false, withMatchLen: false, minMatchLen: 0n };
  for (let i = from; i < args.length; i++) {
    const name = opt(args[i]);
    if (name === 'idx') o.idx = true;
    else if (name === 'len') o.len = true;
    else if (name === 'withmatchlen') o.withMatchLen = true;
    else if (name === 'minmatchlen' && i + 1 < args.length) {
      const n = parseI64(args[++i]);
      if (n === null) {
        x.out.error(E.notInt);
        return null;
      }
      o.minMatchLen = n < 0n ? 0n : n;
    } else {
      x.out.error(E.syntax);
      return null;
    }
  }
  if (o.idx && o.len) {
    x.out.error(LCS_LEN_AND_IDX);
    return null;
  }
  return o;
}

/**
 * Longest common subsequence of a and b by the classic dynamic programme, walked back from the
 * end; matches are reported from the end of the strings, preferring to step back in b on ties
 * (the order Redis reports them in).
 */
function lcsReply(x: { out: ShardExec['out'] }, a: Buffer, b: Buffer, o: LcsOpts): void {
  const alen = a.length;
  const blen = b.length;
  const w = blen + 1;
  const cells = (alen + 1) * w;
  const maxVal = Math.min(alen, blen);
  const bytesPer = maxVal < 256 ? 1 : maxVal < 65536 ? 2 : 4;
  let t: Uint8Array | Uint16Array | Uint32Array;
  try {
    if (cells * bytesPer > 1024 * 1024 * 1024) throw new RangeError('too large');
    t = bytesPer === 1 ? new Uint8Array(cells) : bytesPer === 2 ? new Uint16Array(cells) : new Uint32Array(cells);
  } catch {
    x.out.error(LCS_NO_MEMORY);
    return;
  }
  for (let i = 1; i <= alen; i++) {
    const ai = a[i - 1];
    const row = i * w;
    const prev = row - w;
    for (let j = 1; j <= blen; j++) {
      if (ai === b[j - 1]) t[row + j] = t[prev + j - 1] + 1;
      else {
        const up = t[prev + j];
        const left = t[row + j - 1];
        t[row + j] = up > left ? up : left;
      }
    }
  }
  const total = t[alen * w + blen];
  if (o.len) {
    x.out.int(total);
    return;
  }
  const result = o.idx ? null : Buffer.allocUnsafe(total);
  const ranges: number[][] = [];
  let k = total;
  let i = alen;
  let j = blen;
  // Current run of contiguous matches (a and b ranges), walked backwards; aStart < 0 = none.
  let aStart = -1;
  let aEnd = 0;
  let bStart = 0;
  let bEnd = 0;
  const emit = (): void => {
    const len = aEnd - aStart + 1;
    if (o.idx && (o.minMatchLen === 0n || BigInt(len) >= o.minMatchLen)) ranges.push([aStart, aEnd, bStart, bEnd, len]);
    aStart = -1;
  };
  while (i > 0 && j > 0) {
    if (a[i - 1] === b[j - 1]) {
      if (result) result[k - 1] = a[i - 1];
      if (aStart < 0) {
        aStart = aEnd = i - 1;
        bStart = bEnd = j - 1;
      } else {
        // contiguous with the run: extend it backwards
        aStart--;
        bStart--;
      }
      k--;
      i--;
      j--;
      if (aStart === 0 || bStart === 0) emit();
    } else {
      if (t[(i - 1) * w + j] > t[i * w + j - 1]) i--;
      else j--;
      if (aStart >= 0) emit();
    }
  }
  if (!o.idx) {
    x.out.bulk(result);
    return;
  }
  x.out.map(2);
  x.out.bulkStr('matches');
  x.out.array(ranges.length);
  for (const [as, ae, bs, be, len] of ranges) {
    x.out.array(o.withMatchLen ? 3 : 2);
    x.out.array(2);
    x.out.int(as);
    x.out.int(ae);
    x.out.array(2);
    x.out.int(bs);
    x.out.int(be);
    if (o.withMatchLen) x.out.int(len);
  }
  x.out.bulkStr('len');
  x.out.int(total);
}

/** A string value for LCS: missing is "", another type is an error (null). */
function lcsValue(x: ShardExec, key: Buffer): Buffer | null {
  const m = x.store.get(x.db, key, x.now);
  if (!m) return EMPTY;
  if (m.type !== T_STRING) return null;
  return payload(m);
}

/** LCS key1 key2 [LEN] [IDX] [MINMATCHLEN len] [WITHMATCHLEN], both keys on this shard. */
function lcs(x: ShardExec, args: Buffer[]): void {
  const a = lcsValue(x, args[1]);
  const b = lcsValue(x, args[2]);
  if (a === null || b === null) {
    x.out.error(LCS_NOT_STRING);
    return;
  }
  const o = lcsOptions(x, args, 3);
  if (o) lcsReply(x, a, b, o);
}

/** Internal: the value of key args[1] for a cross-shard LCS ("" when missing, error for other types). */
function lcsGet(x: ShardExec, args: Buffer[]): void {
  const v = lcsValue(x, args[1]);
  if (v === null) x.out.error(LCS_NOT_STRING);
  else x.out.bulk(v);
}

/** Internal: LCS with key1's value given: [lcs-with, value1, key1, key2, options...]. */
function lcsWith(x: ShardExec, args: Buffer[]): void {
  const b = lcsValue(x, args[3]);
  if (b === null) {
    x.out.error(LCS_NOT_STRING);
    return;
  }
  const o = lcsOptions(x, args, 4);
  if (o) lcsReply(x, args[1], b, o);
}

/**
 * LCS with its keys on two shards: hold both, read key1 on its shard, then compute on key2's
 * shard (off the main thread) with key1's value passed along.
 */
function lcsCoordinated(ctx: CoordContext, args: Buffer[]): Promise<void> {
  const shards = ctx.shards;
  const db = ctx.db;
  const proto = ctx.proto;
  const sa = shards.of(args[1]);
  const sb = shards.of(args[2]);
  return shards.locked([sa, sb], async (tx) => {
    const ra = decodeReply(await tx.exec(sa, lcsGetDef, db, [LCS_GET, args[1]]));
    if (ra instanceof Error) return ctx.out.error(ra.message);
    const va = Buffer.from(ra as Buffer);
    const reply = await tx.exec(sb, lcsWithDef, db, [LCS_WITH, va, ...args.slice(1)], proto);
    ctx.out.raw(reply);
  });
}

// ------------------------------------------------------------------------------------------------
// Table
// ------------------------------------------------------------------------------------------------

const MSETNX_CHECK = Buffer.from('msetnx-check');
const LCS_GET = Buffer.from('lcs-get');
const LCS_WITH = Buffer.from('lcs-with');

const msetDef = cmd({
  name: 'mset', arity: -3, flags: ['write', 'denyoom'], acl: ['string'], shard: mset,
  scatter: { group: 2, merge: 'ok' },
  keySpecs: spec(['OW', 'update'], -1, 2), tips: ['request_policy:multi_shard', 'response_policy:all_succeeded'],
  summary: 'Set multiple keys to multiple values', since: '1.0.1', group: 'string', complexity: 'O(N) where N is the number of keys to set.',
});

const msetnxCheckDef = cmd({
  name: 'msetnx-check', arity: -2, flags: ['readonly'], shard: msetnxCheck, internal: true,
  summary: 'Internal: counts existing keys for a cross-shard MSETNX.', since: '7.0.0', group: 'string',
});

const lcsGetDef = cmd({
  name: 'lcs-get', arity: 2, flags: ['readonly'], shard: lcsGet, internal: true,
  summary: 'Internal: reads one value of a cross-shard LCS.', since: '7.0.0', group: 'string',
});

const lcsWithDef = cmd({
  name: 'lcs-with', arity: -4, flags: ['readonly'], shard: lcsWith, internal: true,
  summary: 'Internal: computes a cross-shard LCS with the first value given.', since: '7.0.0', group: 'string',
});

/** COMMAND INFO key specification of a key range starting at argument 1. */
function spec(flags: string[], lastkey = 0, keystep = 1, notes?: string): KeySpecDoc[] {
  return [keySpec(flags, 1, lastkey, keystep, notes)];
}

const RANGE_COMPLEXITY =
  'O(N) where N is the length of the returned string. The complexity is ultimately determined by the returned length, but because creating a substring from an existing string is very cheap, it can be considered O(1) for small strings.';

export const stringCommands: CommandDef[] = [
  cmd({
    name: 'get', direct: true, arity: 2, flags: ['readonly', 'fast'], acl: ['string'], shard: get,
    keySpecs: spec(['RO', 'access']),
    summary: 'Get the value of a key', since: '1.0.0', group: 'string', complexity: 'O(1)',
  }),
  cmd({
    name: 'set', arity: -3, flags: ['write', 'denyoom'], acl: ['string'], shard: set,
    keySpecs: spec(['RW', 'access', 'update', 'variable_flags'], 0, 1, 'RW and ACCESS due to the optional `GET` argument'),
    summary: 'Set the string value of a key', since: '1.0.0', group: 'string', complexity: 'O(1)',
  }),
  cmd({
    name: 'setnx', arity: 3, flags: ['write', 'denyoom', 'fast'], acl: ['string'], shard: setnx,
    keySpecs: spec(['OW', 'insert']),
    summary: 'Set the value of a key, only if the key does not exist', since: '1.0.0', group: 'string', complexity: 'O(1)',
  }),
  cmd({
    name: 'setex', arity: 4, flags: ['write', 'denyoom'], acl: ['string'], shard: setex,
    keySpecs: spec(['OW', 'update']),
    summary: 'Set the value and expiration of a key', since: '2.0.0', group: 'string', complexity: 'O(1)',
  }),
  cmd({
    name: 'psetex', arity: 4, flags: ['write', 'denyoom'], acl: ['string'], shard: psetex,
    keySpecs: spec(['OW', 'update']),
    summary: 'Set the value and expiration in milliseconds of a key', since: '2.6.0', group: 'string', complexity: 'O(1)',
  }),
  cmd({
    name: 'getset', arity: 3, flags: ['write', 'denyoom', 'fast'], acl: ['string'], shard: getset,
    keySpecs: spec(['RW', 'access', 'update']),
    summary: 'Set the string value of a key and return its old value', since: '1.0.0', group: 'string', complexity: 'O(1)',
  }),
  cmd({
    name: 'getdel', arity: 2, flags: ['write', 'fast'], acl: ['string'], shard: getdel,
    keySpecs: spec(['RW', 'access', 'delete']),
    summary: 'Get the value of a key and delete the key', since: '6.2.0', group: 'string', complexity: 'O(1)',
  }),
  cmd({
    name: 'getex', arity: -2, flags: ['write', 'fast'], acl: ['string'], shard: getex,
    keySpecs: spec(['RW', 'access', 'update'], 0, 1, 'RW and UPDATE because it changes the TTL'),
    summary: 'Get the value of a key and optionally set its expiration', since: '6.2.0', group: 'string', complexity: 'O(1)',
  }),
  cmd({
    name: 'mget', direct: true, arity: -2, flags: ['readonly', 'fast'], acl: ['string'], shard: mget,
    scatter: { group: 1, merge: 'gather' },
    keySpecs: spec(['RO', 'access'], -1, 1), tips: ['request_policy:multi_shard'],
    summary: 'Get the values of all the given keys', since: '1.0.0', group: 'string', complexity: 'O(N) where N is the number of keys to retrieve.',
  }),
  msetDef,
  cmd({
    name: 'msetnx', arity: -3, flags: ['write', 'denyoom'], acl: ['string'], shard: msetnx,
    coordinated: msetnxCoordinated,
    keySpecs: spec(['OW', 'insert'], -1, 2), tips: ['request_policy:multi_shard', 'response_policy:agg_min'],
    summary: 'Set multiple keys to multiple values, only if none of the keys exist', since: '1.0.1', group: 'string',
    complexity: 'O(N) where N is the number of keys to set.',
  }),
  cmd({
    name: 'append', arity: 3, flags: ['write', 'denyoom', 'fast'], acl: ['string'], shard: append,
    keySpecs: spec(['RW', 'insert']),
    summary: 'Append a value to a key', since: '2.0.0', group: 'string',
    complexity:
      'O(1). The amortized time complexity is O(1) assuming the appended value is small and the already present value is of any size, since the dynamic string library used by Redis will double the free space available on every reallocation.',
  }),
  cmd({
    name: 'strlen', direct: true, arity: 2, flags: ['readonly', 'fast'], acl: ['string'], shard: strlen,
    keySpecs: spec(['RO']),
    summary: 'Get the length of the value stored in a key', since: '2.2.0', group: 'string', complexity: 'O(1)',
  }),
  cmd({
    name: 'incr', arity: 2, flags: ['write', 'denyoom', 'fast'], acl: ['string'], shard: incr,
    keySpecs: spec(['RW', 'access', 'update']),
    summary: 'Increment the integer value of a key by one', since: '1.0.0', group: 'string', complexity: 'O(1)',
  }),
  cmd({
    name: 'incrby', arity: 3, flags: ['write', 'denyoom', 'fast'], acl: ['string'], shard: incrby,
    keySpecs: spec(['RW', 'access', 'update']),
    summary: 'Increment the integer value of a key by the given amount', since: '1.0.0', group: 'string', complexity: 'O(1)',
  }),
  cmd({
    name: 'incrbyfloat', arity: 3, flags: ['write', 'denyoom', 'fast'], acl: ['string'], shard: incrbyfloat,
    keySpecs: spec(['RW', 'access', 'update']),
    summary: 'Increment the float value of a key by the given amount', since: '2.6.0', group: 'string', complexity: 'O(1)',
  }),
  cmd({
    name: 'decr', arity: 2, flags: ['write', 'denyoom', 'fast'], acl: ['string'], shard: decr,
    keySpecs: spec(['RW', 'access', 'update']),
    summary: 'Decrement the integer value of a key by one', since: '1.0.0', group: 'string', complexity: 'O(1)',
  }),
  cmd({
    name: 'decrby', arity: 3, flags: ['write', 'denyoom', 'fast'], acl: ['string'], shard: decrby,
    keySpecs: spec(['RW', 'access', 'update']),
    summary: 'Decrement the integer value of a key by the given number', since: '1.0.0', group: 'string', complexity: 'O(1)',
  }),
  cmd({
    name: 'getrange', direct: true, arity: 4, flags: ['readonly'], acl: ['string'], shard: getrange,
    keySpecs: spec(['RO', 'access']),
    summary: 'Get a substring of the string stored at a key', since: '2.4.0', group: 'string', complexity: RANGE_COMPLEXITY,
  }),
  cmd({
    name: 'substr', direct: true, arity: 4, flags: ['readonly'], acl: ['string'], shard: getrange,
    keySpecs: spec(['RO', 'access']),
    summary: 'Get a substring of the string stored at a key', since: '1.0.0', group: 'string', complexity: RANGE_COMPLEXITY,
  }),
  cmd({
    name: 'setrange', arity: 4, flags: ['write', 'denyoom'], acl: ['string'], shard: setrange,
    keySpecs: spec(['RW', 'update']),
    summary: 'Overwrite part of a string at key starting at the specified offset', since: '2.2.0', group: 'string',
    complexity:
      'O(1), not counting the time taken to copy the new string in place. Usually, this string is very small so the amortized complexity is O(1). Otherwise, complexity is O(M) with M being the length of the value argument.',
  }),
  cmd({
    name: 'lcs', arity: -3, flags: ['readonly'], acl: ['string'], shard: lcs, coordinated: lcsCoordinated,
    keySpecs: spec(['RO', 'access'], 1, 1),
    summary: 'Find longest common substring', since: '7.0.0', group: 'string', complexity: 'O(N*M) where N and M are the lengths of s1 and s2, respectively',
    slow: true,
  }),
  msetnxCheckDef,
  lcsGetDef,
  lcsWithDef,
];
