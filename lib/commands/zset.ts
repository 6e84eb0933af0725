// Sorted set commands (Redis 7.0.15 semantics): the single-key commands, and the family's table
// (zsetCommands), which takes the multi-key commands' entries from zset-multi.ts (ZUNION / ZINTER /
// ZDIFF [STORE], ZINTERCARD, ZRANGESTORE, ZMPOP and their internal shard steps). Range arguments
// are parsed in zset-ranges.ts. The handlers parse the arguments with Redis's rules and error texts,
// in the order Redis checks them, call the store (lib/store/zset.ts: members, scores, pops, random
// picks; lib/store/zset-range.ts: ranges by rank, score and lex) and shape the reply.

import type { CommandDef, KeySpecDoc, ShardExec } from './types.js';
import { cmd, isKw, keySpec } from './define.js';
import { rankRangeWork, scanWork, drawWork } from './work.js';
import { E, RedisError } from '../errors.js';
import { parseDoubleArg, parseI64, parseCursor, formatDouble } from '../resp/number.js';
import { emptyScanReply, parseScanOptions, scanReply } from './collection-scan.js';
import {
  ZADD_CH, ZADD_GT, ZADD_LT, ZADD_NX, ZADD_XX, addMembers, card, incrMember, memberScore, openZset, pop, randomEntries, randomMember, rank, removeMembers,
  scanMembers, score, } from '../store/zset.js';
import { RangeBy, countByLex, countByScore, rangeEntries, removeLexRange, removeRankRange, removeScoreRange } from '../store/zset-range.js';
import { BY_OPTION, parseLexRange, parseLong, parseScoreRange, parseZrange } from './zset-ranges.js';
import { replyEntries, writePairs } from './zset-reply.js';
import { zsetMultiCommands } from './zset-multi.js';

const ERR_NOT_FLOAT = 'ERR value is not a valid float';
const ERR_POSITIVE = 'ERR value is out of range, must be positive';

// ------------------------------------------------------------------------------------------------
// ZADD ZINCRBY ZREM ZCARD ZSCORE ZMSCORE ZRANK ZREVRANK ZCOUNT ZLEXCOUNT
// ------------------------------------------------------------------------------------------------

function zaddGeneric(x: ShardExec, args: Buffer[], incrCmd: boolean): void {
  let flags = 0;
  let incr = incrCmd;
  let i = 2;
  if (!incrCmd) {
    for (; i < args.length; i++) {
      const a = args[i];
      if (isKw(a, 'nx')) flags |= ZADD_NX;
      else if (isKw(a, 'xx')) flags |= ZADD_XX;
      else if (isKw(a, 'ch')) flags |= ZADD_CH;
      else if (isKw(a, 'incr')) incr = true;
      else if (isKw(a, 'gt')) flags |= ZADD_GT;
      else if (isKw(a, 'lt')) flags |= ZADD_LT;
      else break;
    }
  }
  const elements = args.length - i;
  if (elements % 2 !== 0 || elements === 0) throw new RedisError(E.syntax);
  const pairs = elements / 2;
  const nx = (flags & ZADD_NX) !== 0;
  const gt = (flags & ZADD_GT) !== 0;
  const lt = (flags & ZADD_LT) !== 0;
  if (nx && flags & ZADD_XX) throw new RedisError('ERR XX and NX options at the same time are not compatible');
  if ((gt && nx) || (lt && nx) || (gt && lt)) throw new RedisError('ERR GT, LT, and/or NX options at the same time are not compatible');
  if (incr && pairs > 1) throw new RedisError('ERR INCR option supports a single increment-element pair');
  if (incr) {
    const by = parseDoubleArg(args[i]);
    if (by === null) throw new RedisError(ERR_NOT_FLOAT);
    const s = incrMember(x, args[1], args[i + 1], by, flags);
    if (s === null) x.out.nil();
    else x.out.double(s);
    return;
  }
  const scores = new Array<number>(pairs);
  for (let p = 0; p < pairs; p++) {
    const s = parseDoubleArg(args[i + 2 * p]);
    if (s === null) throw new RedisError(ERR_NOT_FLOAT);
    scores[p] = s;
  }
  x.out.int(addMembers(x, args, i, scores, flags));
}

function zadd(x: ShardExec, args: Buffer[]): void {
  zaddGeneric(x, args, false);
}

function zincrby(x: ShardExec, args: Buffer[]): void {
  zaddGeneric(x, args, true);
}

function zrem(x: ShardExec, args: Buffer[]): void {
  x.out.int(removeMembers(x, args, 2));
}

function zcard(x: ShardExec, args: Buffer[]): void {
  x.out.int(card(x, args[1]));
}

function zscore(x: ShardExec, args: Buffer[]): void {
  const s = score(x, args[1], args[2]);
  if (s === null) x.out.nil();
  else x.out.double(s);
}

function zmscore(x: ShardExec, args: Buffer[]): void {
  const c = openZset(x, args[1]);
  x.out.array(args.length - 2);
  for (let i = 2; i < args.length; i++) {
    const s = c ? memberScore(x.store, c, args[i]) : null;
    if (s === null) x.out.nil();
    else x.out.double(s);
  }
}

function zrankGeneric(rev: boolean) {
  return (x: ShardExec, args: Buffer[]): void => {
    const r = rank(x, args[1], args[2], rev);
    if (r === null) x.out.nil();
    else x.out.int(r);
  };
}

function zcount(x: ShardExec, args: Buffer[]): void {
  const r = parseScoreRange(args[2], args[3]);
  x.out.int(countByScore(x, args[1], r));
}

function zlexcount(x: ShardExec, args: Buffer[]): void {
  const r = parseLexRange(args[2], args[3]);
  x.out.int(countByLex(x, args[1], r));
}

// ------------------------------------------------------------------------------------------------
// ZRANGE family, ZREMRANGEBYRANK ZREMRANGEBYSCORE ZREMRANGEBYLEX
// ------------------------------------------------------------------------------------------------

function zrangeGeneric(by: RangeBy | typeof BY_OPTION, dir: 'auto' | 'fwd' | 'rev') {
  return (x: ShardExec, args: Buffer[]): void => {
    const q = parseZrange(args, 1, false, by, dir === 'auto', dir === 'rev');
    const e = rangeEntries(x, args[1], q, q.withScores);
    if (!e) return x.out.array(0);
    replyEntries(x.out, e, q.withScores);
  };
}

function zremrangebyrank(x: ShardExec, args: Buffer[]): void {
  const start = parseLong(args[2]);
  const end = parseLong(args[3]);
  x.out.int(removeRankRange(x, args[1], start, end));
}

function zremrangebyscore(x: ShardExec, args: Buffer[]): void {
  const r = parseScoreRange(args[2], args[3]);
  x.out.int(removeScoreRange(x, args[1], r));
}

function zremrangebylex(x: ShardExec, args: Buffer[]): void {
  const r = parseLexRange(args[2], args[3]);
  x.out.int(removeLexRange(x, args[1], r));
}

// ------------------------------------------------------------------------------------------------
// ZPOPMIN ZPOPMAX (ZMPOP: zset-multi.ts)
// ------------------------------------------------------------------------------------------------

function zpopGeneric(max: boolean) {
  return (x: ShardExec, args: Buffer[]): void => {
    if (args.length > 3) throw new RedisError(E.syntax);
    let count = -1;
    if (args.length === 3) {
      const n = parseI64(args[2]);
      if (n === null || n < 0n) throw new RedisError(ERR_POSITIVE);
      count = Number(n);
    }
    const e = pop(x, args[1], max, count < 0 ? 1 : count);
    if (!e || count === 0) return x.out.array(0);
    if (x.out.proto === 3 && count !== -1) return writePairs(x.out, e);
    x.out.array(e.ms.length * 2);
    for (let i = 0; i < e.ms.length; i++) {
      x.out.bulk(e.ms[i]);
      x.out.double(e.ss[i]);
    }
  };
}

// ------------------------------------------------------------------------------------------------
// ZRANDMEMBER
// ------------------------------------------------------------------------------------------------

const I64_MIN = -(1n << 63n);
const HALF_LONG = (1n << 62n) - 1n; // LONG_MAX / 2

function zrandmember(x: ShardExec, args: Buffer[]): void {
  if (args.length >= 3) {
    const l = parseI64(args[2]);
    if (l === null) throw new RedisError(E.notInt);
    if (l === I64_MIN) throw new RedisError('ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807');
    let withScores = false;
    if (args.length > 4 || (args.length === 4 && !isKw(args[3], 'withscores'))) throw new RedisError(E.syntax);
    if (args.length === 4) {
      withScores = true;
      if (l < -HALF_LONG || l > HALF_LONG) throw new RedisError('ERR value is out of range');
    }
    const e = randomEntries(x, args[1], Number(l >= 0n ? l : -l), l >= 0n);
    if (!e) return x.out.array(0);
    return replyEntries(x.out, e, withScores);
  }
  const m = randomMember(x, args[1]);
  if (m === null) x.out.nil();
  else x.out.bulk(m);
}

// ------------------------------------------------------------------------------------------------
// ZSCAN
// ------------------------------------------------------------------------------------------------

function zscan(x: ShardExec, args: Buffer[]): void {
  const cursor = parseCursor(args[2]);
  if (cursor === null) throw new RedisError(E.invalidCursor);
  const c = openZset(x, args[1]);
  const out = x.out;
  if (!c) return emptyScanReply(out);
  const { count, match } = parseScanOptions(args);
  const { e, next } = scanMembers(x.store, c, cursor, count);
  const found: Buffer[] = [];
  for (let i = 0; i < e.ms.length; i++) {
    if (match && !match(e.ms[i])) continue;
    found.push(e.ms[i], Buffer.from(formatDouble(e.ss[i])));
  }
  scanReply(out, next, found);
}


// ------------------------------------------------------------------------------------------------
// The table
// ------------------------------------------------------------------------------------------------

const G = { group: 'sorted-set' } as const;
const ZS = ['sortedset'];
const ks = (flags: string[], index = 1): KeySpecDoc[] => [keySpec(flags, index)];
const RANGE_RO = ks(['RO', 'access']);
const BYSCORE_COMPLEXITY =
  'O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements being returned. If M is constant (e.g. always asking for the first 10 elements with LIMIT), you can consider it O(log(N)).';
const REMRANGE_COMPLEXITY = 'O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements removed by the operation.';
const POP_COMPLEXITY = (which: string) => `O(log(N)*M) with N being the number of elements in the sorted set, and M being the number of elements popped.${which}`;

export const zsetCommands: CommandDef[] = [
  cmd({
    name: 'zadd', arity: -4, flags: ['write', 'denyoom', 'fast'], acl: ZS, shard: zadd,
    keySpecs: ks(['RW', 'update']),
    summary: 'Add one or more members to a sorted set, or update its score if it already exists', since: '1.2.0', ...G,
    complexity: 'O(log(N)) for each item added, where N is the number of elements in the sorted set.',
  }),
  cmd({
    name: 'zincrby', arity: 4, flags: ['write', 'denyoom', 'fast'], acl: ZS, shard: zincrby,
    keySpecs: ks(['RW', 'access', 'update']),
    summary: 'Increment the score of a member in a sorted set', since: '1.2.0', ...G,
    complexity: 'O(log(N)) where N is the number of elements in the sorted set.',
  }),
  cmd({
    name: 'zrem', arity: -3, flags: ['write', 'fast'], acl: ZS, shard: zrem,
    keySpecs: ks(['RW', 'delete']),
    summary: 'Remove one or more members from a sorted set', since: '1.2.0', ...G,
    complexity: 'O(M*log(N)) with N being the number of elements in the sorted set and M the number of elements to be removed.',
  }),
  cmd({
    name: 'zcard', direct: true, arity: 2, flags: ['readonly', 'fast'], acl: ZS, shard: zcard,
    keySpecs: ks(['RO']),
    summary: 'Get the number of members in a sorted set', since: '1.2.0', ...G, complexity: 'O(1)',
  }),
  cmd({
    name: 'zcount', direct: true, arity: 4, flags: ['readonly', 'fast'], acl: ZS, shard: zcount,
    keySpecs: RANGE_RO,
    summary: 'Count the members in a sorted set with scores within the given values', since: '2.0.0', ...G,
    complexity: 'O(log(N)) with N being the number of elements in the sorted set.',
  }),
  cmd({
    name: 'zlexcount', arity: 4, flags: ['readonly', 'fast'], acl: ZS, shard: zlexcount,
    keySpecs: RANGE_RO,
    summary: 'Count the number of members in a sorted set between a given lexicographical range', since: '2.8.9', ...G,
    complexity: 'O(log(N)) with N being the number of elements in the sorted set.',
  }),
  cmd({
    name: 'zscore', direct: true, arity: 3, flags: ['readonly', 'fast'], acl: ZS, shard: zscore,
    keySpecs: RANGE_RO,
    summary: 'Get the score associated with the given member in a sorted set', since: '1.2.0', ...G, complexity: 'O(1)',
  }),
  cmd({
    name: 'zmscore', direct: true, arity: -3, flags: ['readonly', 'fast'], acl: ZS, shard: zmscore,
    keySpecs: RANGE_RO,
    summary: 'Get the score associated with the given members in a sorted set', since: '6.2.0', ...G,
    complexity: 'O(N) where N is the number of members being requested.',
  }),
  cmd({
    name: 'zrank', direct: true, arity: 3, flags: ['readonly', 'fast'], acl: ZS, shard: zrankGeneric(false),
    keySpecs: RANGE_RO,
    summary: 'Determine the index of a member in a sorted set', since: '2.0.0', ...G, complexity: 'O(log(N))',
  }),
  cmd({
    name: 'zrevrank', direct: true, arity: 3, flags: ['readonly', 'fast'], acl: ZS, shard: zrankGeneric(true),
    keySpecs: RANGE_RO,
    summary: 'Determine the index of a member in a sorted set, with scores ordered from high to low', since: '2.0.0', ...G, complexity: 'O(log(N))',
  }),
  cmd({
    name: 'zrange', slowWork: rankRangeWork, arity: -4, flags: ['readonly'], acl: ZS, shard: zrangeGeneric(BY_OPTION, 'auto'), slow: true,
    keySpecs: RANGE_RO,
    summary: 'Return a range of members in a sorted set', since: '1.2.0', ...G,
    complexity: 'O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements returned.',
  }),
  cmd({
    name: 'zrangebyscore', arity: -4, flags: ['readonly'], acl: ZS, shard: zrangeGeneric(RangeBy.Score, 'fwd'), slow: true,
    keySpecs: RANGE_RO,
    summary: 'Return a range of members in a sorted set, by score', since: '1.0.5', ...G, complexity: BYSCORE_COMPLEXITY,
  }),
  cmd({
    name: 'zrevrangebyscore', arity: -4, flags: ['readonly'], acl: ZS, shard: zrangeGeneric(RangeBy.Score, 'rev'), slow: true,
    keySpecs: RANGE_RO,
    summary: 'Return a range of members in a sorted set, by score, with scores ordered from high to low', since: '2.2.0', ...G,
    complexity: BYSCORE_COMPLEXITY,
  }),
  cmd({
    name: 'zrangebylex', arity: -4, flags: ['readonly'], acl: ZS, shard: zrangeGeneric(RangeBy.Lex, 'fwd'), slow: true,
    keySpecs: RANGE_RO,
    summary: 'Return a range of members in a sorted set, by lexicographical range', since: '2.8.9', ...G, complexity: BYSCORE_COMPLEXITY,
  }),
  cmd({
    name: 'zrevrangebylex', arity: -4, flags: ['readonly'], acl: ZS, shard: zrangeGeneric(RangeBy.Lex, 'rev'), slow: true,
    keySpecs: RANGE_RO,
    summary: 'Return a range of members in a sorted set, by lexicographical range, ordered from higher to lower strings.', since: '2.8.9', ...G,
    complexity: BYSCORE_COMPLEXITY,
  }),
  cmd({
    name: 'zrevrange', slowWork: rankRangeWork, arity: -4, flags: ['readonly'], acl: ZS, shard: zrangeGeneric(RangeBy.Rank, 'rev'), slow: true,
    keySpecs: RANGE_RO,
    summary: 'Return a range of members in a sorted set, by index, with scores ordered from high to low', since: '1.2.0', ...G,
    complexity: 'O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements returned.',
  }),
  cmd({
    name: 'zremrangebyrank', arity: 4, flags: ['write'], acl: ZS, shard: zremrangebyrank, slow: true,
    keySpecs: ks(['RW', 'delete']),
    summary: 'Remove all members in a sorted set within the given indexes', since: '2.0.0', ...G, complexity: REMRANGE_COMPLEXITY,
  }),
  cmd({
    name: 'zremrangebyscore', arity: 4, flags: ['write'], acl: ZS, shard: zremrangebyscore, slow: true,
    keySpecs: ks(['RW', 'delete']),
    summary: 'Remove all members in a sorted set within the given scores', since: '1.2.0', ...G, complexity: REMRANGE_COMPLEXITY,
  }),
  cmd({
    name: 'zremrangebylex', arity: 4, flags: ['write'], acl: ZS, shard: zremrangebylex, slow: true,
    keySpecs: ks(['RW', 'delete']),
    summary: 'Remove all members in a sorted set between the given lexicographical range', since: '2.8.9', ...G, complexity: REMRANGE_COMPLEXITY,
  }),
  cmd({
    name: 'zpopmin', arity: -2, flags: ['write', 'fast'], acl: ZS, shard: zpopGeneric(false),
    keySpecs: ks(['RW', 'access', 'delete']),
    summary: 'Remove and return members with the lowest scores in a sorted set', since: '5.0.0', ...G, complexity: POP_COMPLEXITY(''),
  }),
  cmd({
    name: 'zpopmax', arity: -2, flags: ['write', 'fast'], acl: ZS, shard: zpopGeneric(true),
    keySpecs: ks(['RW', 'access', 'delete']),
    summary: 'Remove and return members with the highest scores in a sorted set', since: '5.0.0', ...G, complexity: POP_COMPLEXITY(''),
  }),
  cmd({
    name: 'zrandmember', slowWork: drawWork, arity: -2, flags: ['readonly'], acl: ZS, shard: zrandmember, slow: true,
    keySpecs: RANGE_RO, tips: ['nondeterministic_output'],
    summary: 'Get one or multiple random elements from a sorted set', since: '6.2.0', ...G, complexity: 'O(N) where N is the number of elements returned',
  }),
  cmd({
    name: 'zscan', slowWork: scanWork, arity: -3, flags: ['readonly'], acl: ZS, shard: zscan, slow: true,
    keySpecs: RANGE_RO, tips: ['nondeterministic_output'],
    summary: 'Incrementally iterate sorted sets elements and associated scores', since: '2.8.0', ...G,
    complexity: 'O(1) for every call. O(N) for a complete iteration, including enough command calls for the cursor to return back to 0. N is the number of elements inside the collection..',
  }),
  ...zsetMultiCommands,
];
