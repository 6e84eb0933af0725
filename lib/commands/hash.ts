// Hash commands (Redis 7.0): the arguments (Redis's error texts, in the order Redis checks them)
// and the replies. The data work (fields, the listpack -> hashtable rule, increments, HSCAN steps,
// the binlog effects) is lib/store/hash.ts; HRANDFIELD's sampling is lib/store/hash-sample.ts.
//
// - Field order: replies that list fields (HKEYS, HVALS, HGETALL, HSCAN, HRANDFIELD) give them in
//   field byte order, where Redis gives insertion or hash order (all documented as
//   nondeterministic_output(_order)).
// - HRANDFIELD with a count: a negative count (or 1) gives |count| independent picks, at most
//   MAX_RANDOM_REPLY of them; a positive count gives that many distinct fields, or the whole hash.

import type { CommandDef, ShardExec } from './types.js';
import { cmd, isKw, keySpec } from './define.js';
import { EV } from '../store/key-events.js';
import { scanWork, drawWork } from './work.js';
import { E, RedisError, wrongArgs } from '../errors.js';
import {
  type Entry,
  deleteFields,
  fieldLength,
  fieldValue,
  hashEntries,
  hashGet,
  hashHasField,
  hashLength,
  incrFieldBy,
  incrFieldByFloat,
  openHash,
  scanHash,
  setFieldIfAbsent,
  setFields,
} from '../store/hash.js';
import { distinctEntries, randomEntries, randomField } from '../store/hash-sample.js';
import { parseCursor, parseI64, INT64_MAX, INT64_MIN } from '../resp/number.js';
import { parseLongDouble } from '../resp/long-double.js';
import { emptyScanReply, parseScanOptions, scanReply } from './collection-scan.js';

const NAN_OR_INF = 'ERR value is NaN or Infinity';
const OUT_OF_RANGE = 'ERR value is out of range';
const COUNT_RANGE = 'ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807';
const RANDOM_TOO_MANY = 'ERR HRANDFIELD count is too large (respdb answers at most 16777216 fields)';

const LONG_HALF = INT64_MAX / 2n;
/** Largest HRANDFIELD reply (Redis would try, and run out of memory or time, for any size). */
const MAX_RANDOM_REPLY = 1 << 24;

// ------------------------------------------------------------------------------------------------
// Commands
// ------------------------------------------------------------------------------------------------

/** HSET key field value [field value ...] / HMSET (same, replies +OK). */
function hsetGeneric(name: 'hset' | 'hmset') {
  return (x: ShardExec, args: Buffer[]): void => {
    if (args.length % 2 === 1) throw new RedisError(wrongArgs(name));
    const created = setFields(x, args);
    if (name === 'hset') x.out.int(created);
    else x.out.ok();
  };
}

function hsetnx(x: ShardExec, args: Buffer[]): void {
  x.out.int(setFieldIfAbsent(x, args[1], args[2], args[3]) ? 1 : 0);
}

function hget(x: ShardExec, args: Buffer[]): void {
  x.out.bulk(hashGet(x, args[1], args[2]));
}

function hmget(x: ShardExec, args: Buffer[]): void {
  const c = openHash(x, args[1]);
  x.out.array(args.length - 2);
  for (let i = 2; i < args.length; i++) x.out.bulk(c ? (fieldValue(x.store, c.id, args[i]) ?? null) : null);
}

function hdel(x: ShardExec, args: Buffer[]): void {
  x.out.int(deleteFields(x, args));
}

function hlen(x: ShardExec, args: Buffer[]): void {
  x.out.int(hashLength(x, args[1]));
}

function hstrlen(x: ShardExec, args: Buffer[]): void {
  x.out.int(fieldLength(x, args[1], args[2]));
}

function hexists(x: ShardExec, args: Buffer[]): void {
  x.out.int(hashHasField(x, args[1], args[2]) ? 1 : 0);
}

/** HKEYS / HVALS / HGETALL */
function hgetallGeneric(keys: boolean, vals: boolean) {
  return (x: ShardExec, args: Buffer[]): void => {
    const entries = hashEntries(x, args[1], vals);
    const both = keys && vals;
    if (!entries) return both ? x.out.map(0) : x.out.array(0);
    if (both) x.out.map(entries.length);
    else x.out.array(entries.length);
    for (const [f, v] of entries) {
      if (keys) x.out.bulk(f);
      if (vals) x.out.bulk(v);
    }
  };
}

function hincrby(x: ShardExec, args: Buffer[]): void {
  const by = parseI64(args[3]);
  if (by === null) throw new RedisError(E.notInt);
  x.out.int(incrFieldBy(x, args[1], args[2], by, args));
}

function hincrbyfloat(x: ShardExec, args: Buffer[]): void {
  const by = parseLongDouble(args[3]);
  if (by === null) throw new RedisError(E.notFloat);
  if (by.inf) throw new RedisError(NAN_OR_INF);
  x.out.bulk(incrFieldByFloat(x, args[1], args[2], by));
}

// ------------------------------------------------------------------------------------------------
// HRANDFIELD
// ------------------------------------------------------------------------------------------------

function hrandfield(x: ShardExec, args: Buffer[]): void {
  if (args.length >= 3) {
    const n = parseI64(args[2]);
    if (n === null) throw new RedisError(E.notInt);
    if (n === INT64_MIN) throw new RedisError(COUNT_RANGE);
    if (args.length > 4 || (args.length === 4 && !isKw(args[3], 'withvalues'))) throw new RedisError(E.syntax);
    const withValues = args.length === 4;
    if (withValues && (n < -LONG_HALF || n > LONG_HALF)) throw new RedisError(OUT_OF_RANGE);
    return hrandfieldCount(x, args[1], n, withValues);
  }
  const c = openHash(x, args[1]);
  if (!c) return x.out.nil();
  x.out.bulk(randomField(x.store, c));
}

function hrandfieldCount(x: ShardExec, key: Buffer, n: bigint, withValues: boolean): void {
  const c = openHash(x, key);
  if (!c || n === 0n) return x.out.array(0);
  let picks: Entry[];
  if (n < 0n || n === 1n) {
    // Repetitions allowed: |n| independent picks, in random order.
    const want = n < 0n ? -n : 1n;
    if (want > BigInt(MAX_RANDOM_REPLY)) throw new RedisError(RANDOM_TOO_MANY);
    picks = randomEntries(x.store, c, Number(want), withValues);
  } else {
    // n distinct fields, or the whole hash.
    picks = distinctEntries(x.store, c, n >= BigInt(c.count) ? c.count : Number(n), withValues);
  }
  const out = x.out;
  const nested = withValues && out.proto === 3;
  out.array(withValues && !nested ? picks.length * 2 : picks.length);
  for (const [f, v] of picks) {
    if (nested) out.array(2);
    out.bulk(f);
    if (withValues) out.bulk(v);
  }
}

// ------------------------------------------------------------------------------------------------
// HSCAN
// ------------------------------------------------------------------------------------------------

function hscan(x: ShardExec, args: Buffer[]): void {
  const cursor = parseCursor(args[2]);
  if (cursor === null) throw new RedisError(E.invalidCursor);
  const c = openHash(x, args[1]);
  if (!c) return emptyScanReply(x.out);
  const { count, match } = parseScanOptions(args);
  const step = scanHash(x.store, c, cursor, count);
  const found = match ? step.entries.filter((e) => match(e[0])) : step.entries;
  scanReply(x.out, step.next, found.flat());
}


// ------------------------------------------------------------------------------------------------
// Table
// ------------------------------------------------------------------------------------------------

const H = { group: 'hash' } as const;
const spec = (flags: string[]) => [keySpec(flags)];
const ORDER_TIPS = ['nondeterministic_output_order'];
const RANDOM_TIPS = ['nondeterministic_output'];
const FAST_WRITE: CommandDef['flags'] = ['write', 'denyoom', 'fast'];
const FAST_READ: CommandDef['flags'] = ['readonly', 'fast'];
const FULL = 'O(N) where N is the size of the hash.';

export const hashCommands: CommandDef[] = [
  cmd({
    name: 'hset', arity: -4, flags: FAST_WRITE, acl: ['hash'], shard: hsetGeneric('hset'),
    keySpecs: spec(['RW', 'update']),
    summary: 'Set the string value of a hash field', since: '2.0.0', ...H,
    complexity: 'O(1) for each field/value pair added, so O(N) to add N field/value pairs when the command is called with multiple field/value pairs.',
  }),
  cmd({
    name: 'hsetnx', arity: 4, flags: FAST_WRITE, acl: ['hash'], shard: hsetnx,
    keySpecs: spec(['RW', 'insert']),
    summary: 'Set the value of a hash field, only if the field does not exist', since: '2.0.0', ...H, complexity: 'O(1)',
  }),
  cmd({
    name: 'hget', direct: true, arity: 3, flags: FAST_READ, acl: ['hash'], shard: hget,
    keySpecs: spec(['RO', 'access']),
    summary: 'Get the value of a hash field', since: '2.0.0', ...H, complexity: 'O(1)',
  }),
  cmd({
    name: 'hmget', direct: true, arity: -3, flags: FAST_READ, acl: ['hash'], shard: hmget,
    keySpecs: spec(['RO', 'access']),
    summary: 'Get the values of all the given hash fields', since: '2.0.0', ...H,
    complexity: 'O(N) where N is the number of fields being requested.',
  }),
  cmd({
    name: 'hmset', keyEvents: EV.hset, arity: -4, flags: FAST_WRITE, acl: ['hash'], shard: hsetGeneric('hmset'),
    keySpecs: spec(['RW', 'update']),
    summary: 'Set multiple hash fields to multiple values', since: '2.0.0', ...H,
    complexity: 'O(N) where N is the number of fields being set.',
  }),
  cmd({
    name: 'hdel', arity: -3, flags: ['write', 'fast'], acl: ['hash'], shard: hdel,
    keySpecs: spec(['RW', 'delete']),
    summary: 'Delete one or more hash fields', since: '2.0.0', ...H,
    complexity: 'O(N) where N is the number of fields to be removed.',
  }),
  cmd({
    name: 'hlen', direct: true, arity: 2, flags: FAST_READ, acl: ['hash'], shard: hlen,
    keySpecs: spec(['RO']),
    summary: 'Get the number of fields in a hash', since: '2.0.0', ...H, complexity: 'O(1)',
  }),
  cmd({
    name: 'hstrlen', direct: true, arity: 3, flags: FAST_READ, acl: ['hash'], shard: hstrlen,
    keySpecs: spec(['RO']),
    summary: 'Get the length of the value of a hash field', since: '3.2.0', ...H, complexity: 'O(1)',
  }),
  cmd({
    name: 'hexists', direct: true, arity: 3, flags: FAST_READ, acl: ['hash'], shard: hexists,
    keySpecs: spec(['RO']),
    summary: 'Determine if a hash field exists', since: '2.0.0', ...H, complexity: 'O(1)',
  }),
  cmd({
    name: 'hkeys', arity: 2, flags: ['readonly'], acl: ['hash'], shard: hgetallGeneric(true, false), slow: true,
    keySpecs: spec(['RO', 'access']), tips: ORDER_TIPS,
    summary: 'Get all the fields in a hash', since: '2.0.0', ...H, complexity: FULL,
  }),
  cmd({
    name: 'hvals', arity: 2, flags: ['readonly'], acl: ['hash'], shard: hgetallGeneric(false, true), slow: true,
    keySpecs: spec(['RO', 'access']), tips: ORDER_TIPS,
    summary: 'Get all the values in a hash', since: '2.0.0', ...H, complexity: FULL,
  }),
  cmd({
    name: 'hgetall', arity: 2, flags: ['readonly'], acl: ['hash'], shard: hgetallGeneric(true, true), slow: true,
    keySpecs: spec(['RO', 'access']), tips: ORDER_TIPS,
    summary: 'Get all the fields and values in a hash', since: '2.0.0', ...H, complexity: FULL,
  }),
  cmd({
    name: 'hincrby', arity: 4, flags: FAST_WRITE, acl: ['hash'], shard: hincrby,
    keySpecs: spec(['RW', 'access', 'update']),
    summary: 'Increment the integer value of a hash field by the given number', since: '2.0.0', ...H, complexity: 'O(1)',
  }),
  cmd({
    name: 'hincrbyfloat', arity: 4, flags: FAST_WRITE, acl: ['hash'], shard: hincrbyfloat,
    keySpecs: spec(['RW', 'access', 'update']),
    summary: 'Increment the float value of a hash field by the given amount', since: '2.6.0', ...H, complexity: 'O(1)',
  }),
  cmd({
    name: 'hrandfield', slowWork: drawWork, arity: -2, flags: ['readonly'], acl: ['hash'], shard: hrandfield, slow: true,
    keySpecs: spec(['RO', 'access']), tips: RANDOM_TIPS,
    summary: 'Get one or multiple random fields from a hash', since: '6.2.0', ...H,
    complexity: 'O(N) where N is the number of fields returned',
  }),
  cmd({
    name: 'hscan', slowWork: scanWork, arity: -3, flags: ['readonly'], acl: ['hash'], shard: hscan, slow: true,
    keySpecs: spec(['RO', 'access']), tips: RANDOM_TIPS,
    summary: 'Incrementally iterate hash fields and associated values', since: '2.8.0', ...H,
    complexity:
      'O(1) for every call. O(N) for a complete iteration, including enough command calls for the cursor to return back to 0. N is the number of elements inside the collection..',
  }),
];
