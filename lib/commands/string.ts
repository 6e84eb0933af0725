// String commands: argument parsing and replies. The data work (values inline in the meta record,
// their expiry, the arithmetic, the binlog effects) is the store room's, lib/store/string.ts;
// LCS has a room of its own (string-lcs.ts) whose entries join this family's table.
//
// Behaviour follows redis-server 7.0 (test/commands/string*.test.ts diff every command against
// it), including the order in which Redis checks arguments and the key.

import type { CommandDef, KeySpecDoc, KeyEventSpec, ShardExec, CoordContext } from './types.js';
import { cmd, isKw, keySpec } from './define.js';
import { EV } from '../store/key-events.js';
import { E, invalidExpire, wrongArgs } from '../errors.js';
import { parseI64, INT64_MIN } from '../resp/number.js';
import { parseLongDouble } from '../resp/long-double.js';
import { decodeReply } from '../resp/decode.js';
import { MSET } from '../store/effects.js';
import {
  SET_KEEPTTL, SET_NX, SET_XX, appendString, expiryMs, getDelString, getExString, incrBy, incrByFloat, readString,
  readStringOrNull, setRange, setString, setStringGet, setStrings, stringRange, type ExpireUnit,
} from '../store/string.js';
import { lcsCommands } from './string-lcs.js';
import { countExisting } from '../store/keyspace.js';

const DECR_OVERFLOW = 'ERR decrement would overflow';

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

/**
 * An expire argument as an absolute time (ms since the epoch), or the error Redis answers for it
 * (getExpireMillisecondsOrReply): not an integer, not positive, or past int64 once in ms from now.
 */
function expireArg(x: ShardExec, unit: ExpireUnit, arg: Buffer, name: string): bigint | string {
  const n = parseI64(arg);
  if (n === null) return E.notInt;
  if (n <= 0n) return invalidExpire(name);
  return expiryMs(x.now, unit, n) ?? invalidExpire(name);
}

// ------------------------------------------------------------------------------------------------
// GET / SET family
// ------------------------------------------------------------------------------------------------

function get(x: ShardExec, args: Buffer[]): void {
  x.out.bulk(readString(x, args[1]));
}

/** SET key value [NX|XX] [GET] [EX s|PX ms|EXAT ts|PXAT ts|KEEPTTL] */
function set(x: ShardExec, args: Buffer[]): void {
  let flags = 0;
  let wantGet = false;
  let unit: ExpireUnit | '' = '';
  let expArg: Buffer | null = null;
  // Redis's rules: an option may repeat (the last value wins) but not conflict with another.
  for (let i = 3; i < args.length; i++) {
    const o = opt(args[i]);
    const hasNext = i + 1 < args.length;
    if (o === 'nx' && !(flags & SET_XX)) flags |= SET_NX;
    else if (o === 'xx' && !(flags & SET_NX)) flags |= SET_XX;
    else if (o === 'get') wantGet = true;
    else if (o === 'keepttl' && !unit) flags |= SET_KEEPTTL;
    else if ((o === 'ex' || o === 'px' || o === 'exat' || o === 'pxat') && !(flags & SET_KEEPTTL) && (!unit || unit === o) && hasNext) {
      unit = o;
      expArg = args[++i];
    } else {
      x.out.error(E.syntax);
      return;
    }
  }
  let at: bigint | null = null;
  if (unit) {
    const e = expireArg(x, unit, expArg!, 'set');
    if (typeof e === 'string') {
      x.out.error(e);
      return;
    }
    at = e;
  }
  if (wantGet) x.out.bulk(setStringGet(x, args[1], args[2], flags, at));
  else if (setString(x, args[1], args[2], flags, at)) x.out.ok();
  else x.out.nil();
}

function setnx(x: ShardExec, args: Buffer[]): void {
  x.out.int(setString(x, args[1], args[2], SET_NX, null) ? 1 : 0);
}

/** SETEX key seconds value / PSETEX key ms value */
function setexGeneric(x: ShardExec, args: Buffer[], unit: 'ex' | 'px', name: string): void {
  const at = expireArg(x, unit, args[2], name);
  if (typeof at === 'string') {
    x.out.error(at);
    return;
  }
  setString(x, args[1], args[3], 0, at);
  x.out.ok();
}

function setex(x: ShardExec, args: Buffer[]): void {
  setexGeneric(x, args, 'ex', 'setex');
}

function psetex(x: ShardExec, args: Buffer[]): void {
  setexGeneric(x, args, 'px', 'psetex');
}

function getset(x: ShardExec, args: Buffer[]): void {
  x.out.bulk(setStringGet(x, args[1], args[2], 0, null));
}

function getdel(x: ShardExec, args: Buffer[]): void {
  x.out.bulk(getDelString(x, args[1]));
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
  // Redis validates the expire time only once the key is known to hold a string: a bad one on a
  // missing key answers nil, on another type WRONGTYPE. So the key is read (and left unchanged)
  // before the expire's error is answered.
  const at = unit ? expireArg(x, unit, expArg!, 'getex') : null;
  const v = getExString(x, args[1], typeof at === 'bigint' ? at : null, persist);
  if (v === null) x.out.nil();
  else if (typeof at === 'string') x.out.error(at);
  else x.out.bulk(v);
}

// ------------------------------------------------------------------------------------------------
// Multi-key: MGET / MSET / MSETNX
// ------------------------------------------------------------------------------------------------

function mget(x: ShardExec, args: Buffer[]): void {
  x.out.array(args.length - 1);
  // MGET answers nil for keys of other types (no WRONGTYPE).
  for (let i = 1; i < args.length; i++) x.out.bulk(readStringOrNull(x, args[i]));
}

function msetArity(x: ShardExec, args: Buffer[], name: string): boolean {
  if (args.length % 2 === 0) {
    x.out.error(wrongArgs(name));
    return false;
  }
  return true;
}

function mset(x: ShardExec, args: Buffer[]): void {
  if (!msetArity(x, args, 'mset')) return;
  setStrings(x, args, 1);
  x.out.ok();
}

function msetnx(x: ShardExec, args: Buffer[]): void {
  if (!msetArity(x, args, 'msetnx')) return;
  if (countExisting(x, args, 1, true, 2, 1) !== 0) {
    x.out.int(0);
    return;
  }
  setStrings(x, args, 1);
  x.out.int(1);
}

/** Internal (MSETNX across shards): how many of the given keys exist. */
function msetnxCheck(x: ShardExec, args: Buffer[]): void {
  x.out.int(countExisting(x, args, 1, true));
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
    const keys: Buffer[] = [];
    for (let i = 1; i < args.length; i += 2) keys.push(args[i]);
    const done = await tx.execParts(
      [...parts].map(([s, kv]) => ({ shard: s, def: msetDef, db, args: [MSET, ...kv] })),
      keys,
    );
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
  x.out.int(appendString(x, args[1], args[2], args));
}

function strlen(x: ShardExec, args: Buffer[]): void {
  const v = readString(x, args[1]);
  x.out.int(v ? v.length : 0);
}

/** GETRANGE key start end (and SUBSTR). */
function getrange(x: ShardExec, args: Buffer[]): void {
  const start = parseI64(args[2]);
  const end = parseI64(args[3]);
  if (start === null || end === null) {
    x.out.error(E.notInt);
    return;
  }
  x.out.bulk(stringRange(x, args[1], start, end));
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
  x.out.int(setRange(x, args[1], off, args[3], args));
}

// ------------------------------------------------------------------------------------------------
// INCR / DECR / INCRBY / DECRBY / INCRBYFLOAT
// ------------------------------------------------------------------------------------------------

// The binlog effect of these is the command itself (a replica replays it to the same value).

function incr(x: ShardExec, args: Buffer[]): void {
  x.out.int(incrBy(x, args[1], 1n, args));
}

function decr(x: ShardExec, args: Buffer[]): void {
  x.out.int(incrBy(x, args[1], -1n, args));
}

function incrby(x: ShardExec, args: Buffer[]): void {
  const by = parseI64(args[2]);
  if (by === null) {
    x.out.error(E.notInt);
    return;
  }
  x.out.int(incrBy(x, args[1], by, args));
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
  x.out.int(incrBy(x, args[1], -by, args));
}

function incrbyfloat(x: ShardExec, args: Buffer[]): void {
  const by = parseLongDouble(args[2]);
  if (by === null) {
    // Redis reads the key (WRONGTYPE first) and its value before the increment; both bad
    // numbers answer the same error.
    readString(x, args[1]);
    x.out.error(E.notFloat);
    return;
  }
  x.out.bulk(incrByFloat(x, args[1], by));
}

// ------------------------------------------------------------------------------------------------
// Table
// ------------------------------------------------------------------------------------------------

const MSETNX_CHECK = Buffer.from('msetnx-check');

/** SET as an effect (SET k v, SET k v KEEPTTL, SET k v PXAT t): set, then expire with PXAT. */
const setEvents: KeyEventSpec = (a, e) => {
  e.event(a[1], EV.set);
  if (a.length === 5 && isKw(a[3], 'pxat')) e.event(a[1], EV.expire);
};

const msetDef = cmd({
  name: 'mset', arity: -3, flags: ['write', 'denyoom'], acl: ['string'], shard: mset, keyEvents: EV.set,
  scatter: { group: 2, merge: 'ok' },
  keySpecs: spec(['OW', 'update'], -1, 2), tips: ['request_policy:multi_shard', 'response_policy:all_succeeded'],
  summary: 'Set multiple keys to multiple values', since: '1.0.1', group: 'string', complexity: 'O(N) where N is the number of keys to set.',
});

const msetnxCheckDef = cmd({
  name: 'msetnx-check', arity: -2, flags: ['readonly'], shard: msetnxCheck, internal: true,
  summary: 'Internal: counts existing keys for a cross-shard MSETNX.', since: '7.0.0', group: 'string',
});

/** COMMAND INFO key specification of a key range starting at argument 1. */
function spec(flags: string[], lastkey = 0, keystep = 1, notes?: string): KeySpecDoc[] {
  return [keySpec(flags, 1, lastkey, keystep, notes)];
}

const RANGE_COMPLEXITY =
  'O(N) where N is the length of the returned string. The complexity is ultimately determined by the returned length, but because creating a substring from an existing string is very cheap, it can be considered O(1) for small strings.';


const SET_KEY_WRITE: readonly string[] = ['OW', 'update'];
const SET_KEY_GET: readonly string[] = ['RW', 'access', 'update'];

/** SET's key flags for ACL: it reads the key only with GET (any argument after the value, as Redis scans). */
function setKeyFlags(args: Buffer[]): readonly string[] {
  for (let i = 3; i < args.length; i++) if (isKw(args[i], 'get')) return SET_KEY_GET;
  return SET_KEY_WRITE;
}

export const stringCommands: CommandDef[] = [
  cmd({
    name: 'get', direct: true, arity: 2, flags: ['readonly', 'fast'], acl: ['string'], shard: get,
    keySpecs: spec(['RO', 'access']),
    summary: 'Get the value of a key', since: '1.0.0', group: 'string', complexity: 'O(1)',
  }),
  cmd({
    name: 'set', arity: -3, flags: ['write', 'denyoom'], acl: ['string'], shard: set, keyEvents: setEvents, variableKeyFlags: setKeyFlags,
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
    name: 'incr', arity: 2, flags: ['write', 'denyoom', 'fast'], acl: ['string'], shard: incr, keyEvents: EV.incrby,
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
    name: 'decr', arity: 2, flags: ['write', 'denyoom', 'fast'], acl: ['string'], shard: decr, keyEvents: EV.incrby,
    keySpecs: spec(['RW', 'access', 'update']),
    summary: 'Decrement the integer value of a key by one', since: '1.0.0', group: 'string', complexity: 'O(1)',
  }),
  cmd({
    name: 'decrby', arity: 3, flags: ['write', 'denyoom', 'fast'], acl: ['string'], shard: decrby, keyEvents: EV.incrby,
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
  ...lcsCommands,
  msetnxCheckDef,
];
