// Set commands (Redis 7.0): arguments, replies and table entries. The data work is the store's
// (lib/store/set.ts: members, their dense slot numbering, random draws; lib/store/set-algebra.ts:
// the algebra); SMOVE and the algebra over several keys, within a shard or across shards, are
// set-multi.ts, whose entries setCommands lists with these.
//
// - Member order: SMEMBERS, SSCAN, SINTER/SUNION/SDIFF and SPOP/SRANDMEMBER with a count larger
//   than the set list an intset's members in numeric order, as Redis does; other sets in member
//   byte order (Redis: hash order; documented as nondeterministic_output_order).
// - SSCAN: an intset comes back whole with cursor 0 (COUNT ignored), as in Redis. A hashtable is
//   walked in member order, COUNT members examined per call; the position (last member returned)
//   stays in this shard's cursor table under an opaque 64-bit id, like SCAN's. An unknown cursor
//   restarts the walk. The last page of a walk comes with cursor 0 (Redis's bucket cursors may end
//   a walk with an extra empty page, and with a small COUNT even a tiny hashtable takes several).
// - SRANDMEMBER / SPOP: exactly uniform, one lookup per draw (the store numbers every set's
//   members densely). SRANDMEMBER with a negative count answers at most MAX_RANDOM_REPLY members.
// - Members of any length: a member longer than collections.INLINE_MAX stands in its subkey as a
//   long part (collections.ts).

import type { CommandDef, KeySpecDoc, ShardExec } from './types.js';
import { cmd, keySpec } from './define.js';
import { scanWork, drawWork } from './work.js';
import { E, RedisError } from '../errors.js';
import { parseCursor, parseI64 } from '../resp/number.js';
import { emptyScanReply, parseScanOptions, scanReply } from './collection-scan.js';
import {
  addMembers,
  cardinality,
  hasMember,
  isMember,
  members,
  openSet,
  popMember,
  popMembers,
  randomMember,
  randomMembers,
  removeMembers,
  scanSet,
  } from '../store/set.js';
import { replySet, setMultiKeyCommands, setSteps } from './set-multi.js';

const COUNT_RANGE = 'ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807';
const MUST_BE_POSITIVE = 'ERR value is out of range, must be positive';

const I64_MAX = (1n << 63n) - 1n;

function sadd(x: ShardExec, args: Buffer[]): void {
  x.out.int(addMembers(x, args));
}

function srem(x: ShardExec, args: Buffer[]): void {
  x.out.int(removeMembers(x, args));
}

function scard(x: ShardExec, args: Buffer[]): void {
  x.out.int(cardinality(x, args[1]));
}

function sismember(x: ShardExec, args: Buffer[]): void {
  x.out.int(hasMember(x, args[1], args[2]) ? 1 : 0);
}

function smismember(x: ShardExec, args: Buffer[]): void {
  const c = openSet(x, args[1]);
  x.out.array(args.length - 2);
  for (let i = 2; i < args.length; i++) x.out.int(c && isMember(x.store, c.id, args[i]) ? 1 : 0);
}

function smembers(x: ShardExec, args: Buffer[]): void {
  replySet(x.out, members(x, args[1]));
}

function srandmember(x: ShardExec, args: Buffer[]): void {
  if (args.length > 3) throw new RedisError(E.syntax);
  if (args.length === 3) return srandmemberCount(x, args);
  const m = randomMember(x, args[1]);
  if (m === null) return x.out.nil();
  x.out.bulk(m);
}

function srandmemberCount(x: ShardExec, args: Buffer[]): void {
  const n = parseI64(args[2]);
  if (n === null) throw new RedisError(E.notInt);
  if (n < -I64_MAX) throw new RedisError(COUNT_RANGE);
  const ms = randomMembers(x, args[1], n);
  x.out.array(ms.length);
  for (const m of ms) x.out.bulk(m);
}

function spop(x: ShardExec, args: Buffer[]): void {
  if (args.length > 3) throw new RedisError(E.syntax);
  if (args.length === 3) return spopCount(x, args);
  const m = popMember(x, args[1]);
  if (m === null) return x.out.nil();
  x.out.bulk(m);
}

function spopCount(x: ShardExec, args: Buffer[]): void {
  const n = parseI64(args[2]);
  if (n === null || n < 0n) throw new RedisError(MUST_BE_POSITIVE);
  replySet(x.out, popMembers(x, args[1], n));
}

function sscan(x: ShardExec, args: Buffer[]): void {
  const cursor = parseCursor(args[2]);
  if (cursor === null) throw new RedisError(E.invalidCursor);
  // WRONGTYPE, then a missing key's empty reply, come before the options' errors (as in Redis)
  const c = openSet(x, args[1]);
  if (!c) return emptyScanReply(x.out);
  const { count, match } = parseScanOptions(args);
  const step = scanSet(x.store, c, cursor, count);
  scanReply(x.out, step.next, match ? step.members.filter((m) => match(m)) : step.members);
}

// ------------------------------------------------------------------------------------------------
// Table
// ------------------------------------------------------------------------------------------------


const S = { group: 'set' } as const;
const spec = (flags: string[], index = 1, lastkey = 0): KeySpecDoc => keySpec(flags, index, lastkey);
const ORDER_TIPS = ['nondeterministic_output_order'];
const RANDOM_TIPS = ['nondeterministic_output'];

export const setCommands: CommandDef[] = [
  cmd({
    name: 'sadd', arity: -3, flags: ['write', 'denyoom', 'fast'], acl: ['set'], shard: sadd,
    keySpecs: [spec(['RW', 'insert'])],
    summary: 'Add one or more members to a set', since: '1.0.0', ...S,
    complexity: 'O(1) for each element added, so O(N) to add N elements when the command is called with multiple arguments.',
  }),
  cmd({
    name: 'srem', arity: -3, flags: ['write', 'fast'], acl: ['set'], shard: srem,
    keySpecs: [spec(['RW', 'delete'])],
    summary: 'Remove one or more members from a set', since: '1.0.0', ...S, complexity: 'O(N) where N is the number of members to be removed.',
  }),
  cmd({
    name: 'scard', direct: true, arity: 2, flags: ['readonly', 'fast'], acl: ['set'], shard: scard,
    keySpecs: [spec(['RO'])],
    summary: 'Get the number of members in a set', since: '1.0.0', ...S, complexity: 'O(1)',
  }),
  cmd({
    name: 'sismember', direct: true, arity: 3, flags: ['readonly', 'fast'], acl: ['set'], shard: sismember,
    keySpecs: [spec(['RO'])],
    summary: 'Determine if a given value is a member of a set', since: '1.0.0', ...S, complexity: 'O(1)',
  }),
  cmd({
    name: 'smismember', direct: true, arity: -3, flags: ['readonly', 'fast'], acl: ['set'], shard: smismember,
    keySpecs: [spec(['RO', 'access'])],
    summary: 'Returns the membership associated with the given elements for a set', since: '6.2.0', ...S,
    complexity: 'O(N) where N is the number of elements being checked for membership',
  }),
  cmd({
    name: 'smembers', arity: 2, flags: ['readonly'], acl: ['set'], shard: smembers, slow: true,
    keySpecs: [spec(['RO', 'access'])], tips: ORDER_TIPS,
    summary: 'Get all the members in a set', since: '1.0.0', ...S, complexity: 'O(N) where N is the set cardinality.',
  }),
  cmd({
    name: 'srandmember', slowWork: drawWork, arity: -2, flags: ['readonly'], acl: ['set'], shard: srandmember, slow: true,
    keySpecs: [spec(['RO', 'access'])], tips: RANDOM_TIPS,
    summary: 'Get one or multiple random members from a set', since: '1.0.0', ...S,
    complexity: 'Without the count argument O(1), otherwise O(N) where N is the absolute value of the passed count.',
  }),
  cmd({
    name: 'spop', arity: -2, flags: ['write', 'fast'], acl: ['set'], shard: spop,
    keySpecs: [spec(['RW', 'access', 'delete'])], tips: RANDOM_TIPS,
    summary: 'Remove and return one or multiple random members from a set', since: '1.0.0', ...S,
    complexity: 'Without the count argument O(1), otherwise O(N) where N is the value of the passed count.',
  }),
  ...setMultiKeyCommands,
  cmd({
    name: 'sscan', slowWork: scanWork, arity: -3, flags: ['readonly'], acl: ['set'], shard: sscan, slow: true,
    keySpecs: [spec(['RO', 'access'])], tips: RANDOM_TIPS,
    summary: 'Incrementally iterate Set elements', since: '2.8.0', ...S,
    complexity: 'O(1) for every call. O(N) for a complete iteration, including enough command calls for the cursor to return back to 0. N is the number of elements inside the collection..',
  }),
  ...setSteps,
];
