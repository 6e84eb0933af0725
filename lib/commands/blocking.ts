// Blocking list and sorted-set pops: BLPOP BRPOP BLMPOP BLMOVE BRPOPLPUSH BZPOPMIN BZPOPMAX BZMPOP.
//
// Each one is its non-blocking counterpart (LMPOP, LMOVE, ZMPOP) plus waiting: the attempt runs
// as that command on the key's shard (or through its cross-shard strategy), and lib/blocking.ts
// retries it whenever a write touches one of the keys, until it takes something, times out, or the
// client goes away. The replies are reshaped to the blocking command's form (BLPOP answers
// [key, element] where LMPOP answers [key, [elements]]).

import type { CommandDef } from './types.js';
import type { MainContext } from '../main-context.js';
import { cmd, isKw, keySpec } from './define.js';
import { parseMpop } from './mpop.js';
import { RedisError, E } from '../errors.js';
import { decodeReply, type Decoded } from '../resp/decode.js';
import { RespWriter, type Proto } from '../resp/writer.js';
import { parseLongDouble } from '../resp/long-double.js';
import type { BlockSpec } from '../blocking.js';

const LMPOP = Buffer.from('LMPOP');
const ZMPOP = Buffer.from('ZMPOP');
const LMOVE = Buffer.from('LMOVE');
const LEFT = Buffer.from('LEFT');
const RIGHT = Buffer.from('RIGHT');
const MIN = Buffer.from('MIN');
const MAX = Buffer.from('MAX');
const COUNT = Buffer.from('COUNT');
const ONE = Buffer.from('1');

const TWO63 = 1n << 63n;

/**
 * Redis's getTimeoutFromObjectOrReply in seconds: the text as a long double (string2ld, shared with
 * INCRBYFLOAT), times 1000, rounded up to a long long; 0 = forever. Exact: the long double's
 * mantissa and binary exponent are scaled with BigInts. Returns the absolute deadline in ms (0 =
 * none).
 */
export function parseTimeout(b: Buffer, now: number): number {
  const v = parseLongDouble(b);
  if (v === null) throw new RedisError('ERR timeout is not a float or out of range');
  // Redis casts ceill(ms) to a long long: 2^63 ms and beyond (inf too) wrap to a negative value
  if (v.inf) throw new RedisError('ERR timeout is negative');
  const n = v.m * 1000n;
  const d = v.e >= 0 ? 1n : 1n << BigInt(-v.e);
  const scaled = v.e >= 0 ? n << BigInt(v.e) : n;
  if (v.neg) {
    // ceil(-x) = -floor(x): below one ms in magnitude it is 0 (forever), else negative
    if (scaled / d > 0n) throw new RedisError('ERR timeout is negative');
    return 0;
  }
  const ms = (scaled + d - 1n) / d;
  if (ms >= TWO63) throw new RedisError('ERR timeout is negative');
  return ms === 0n ? 0 : now + Number(ms);
}

/** Reply helpers: re-encode a decoded value in the client's protocol. */
function writer(proto: Proto): RespWriter {
  const w = new RespWriter(128);
  w.proto = proto;
  return w;
}

function nullArray(proto: Proto): Buffer {
  const w = writer(proto);
  w.nilArray();
  return w.take();
}

function nullBulk(proto: Proto): Buffer {
  const w = writer(proto);
  w.bulk(null);
  return w.take();
}

function asBuffer(d: Decoded): Buffer {
  return Buffer.isBuffer(d) ? d : Buffer.from(String(d));
}

/** Blocks the client with `spec` built by `make` once the arguments are valid; replies when served. */
function blockWith(ctx: MainContext, spec: BlockSpec): Promise<void> {
  // inside EXEC: one attempt, and when it finds nothing the timeout's reply at once (as Redis)
  if (ctx.attemptOnce) {
    return ctx.attemptOnce(spec.attempt(spec.keys)).then((r) => {
      if (r[0] === 45 /* - */) return ctx.out.raw(r);
      ctx.out.raw(spec.convert(r) ?? (spec.emptyReply ?? spec.timeoutReply)());
    });
  }
  return new Promise((resolve) => {
    ctx.server.blocking.block(ctx.conn, spec, (reply) => {
      ctx.out.raw(reply);
      resolve();
    });
  });
}

// ---- BLPOP / BRPOP / BZPOPMIN / BZPOPMAX key [key ...] timeout
// One element of the first non-empty key, through LMPOP / ZMPOP ... COUNT 1, whose reply
// [key, [element]] (sorted sets: [key, [[member, score]]]) becomes [key, element] / [key, member,
// score].

function bpopOne(nonBlocking: Buffer, where: Buffer) {
  return (ctx: MainContext, args: Buffer[]): Promise<void> => {
    const proto = ctx.conn.proto;
    const deadline = parseTimeout(args[args.length - 1], Date.now());
    return blockWith(ctx, {
      db: ctx.conn.db,
      keys: args.slice(1, -1),
      deadline,
      attempt: (ks) => [nonBlocking, Buffer.from(String(ks.length)), ...ks, where, COUNT, ONE],
      convert: (reply) => {
        const d = decodeReply(reply);
        if (d === null) return null;
        const [key, elems] = d as [Decoded, Decoded[]];
        const first = elems[0];
        const parts = Array.isArray(first) ? first : [first];
        const w = writer(proto);
        w.array(1 + parts.length);
        w.bulk(asBuffer(key));
        for (const p of parts) {
          if (typeof p === 'number') w.double(p);
          else w.bulk(asBuffer(p));
        }
        return w.take();
      },
      timeoutReply: () => nullArray(proto),
    });
  };
}

// ---- BLMPOP timeout numkeys key [key ...] LEFT|RIGHT [COUNT count]
// ---- BZMPOP timeout numkeys key [key ...] MIN|MAX [COUNT count]

function bmpop(nonBlocking: Buffer, words: [string, string]) {
  return (ctx: MainContext, args: Buffer[]): Promise<void> => {
    const proto = ctx.conn.proto;
    const { keys, where, count, counted } = parseMpop(args, 2, words);
    const deadline = parseTimeout(args[1], Date.now());
    const tail = counted ? [where, COUNT, Buffer.from(String(count))] : [where];
    return blockWith(ctx, {
      db: ctx.conn.db,
      keys,
      deadline,
      attempt: (ks) => [nonBlocking, Buffer.from(String(ks.length)), ...ks, ...tail],
      convert: (reply) => (decodeReply(reply) === null ? null : reply),
      timeoutReply: () => nullArray(proto),
    });
  };
}

// ---- BLMOVE source destination LEFT|RIGHT LEFT|RIGHT timeout / BRPOPLPUSH source destination timeout

function blmoveLike(rpoplpush: boolean) {
  return (ctx: MainContext, args: Buffer[]): Promise<void> => {
    const proto = ctx.conn.proto;
    let from: Buffer = RIGHT;
    let to: Buffer = LEFT;
    if (!rpoplpush) {
      for (const i of [3, 4]) if (!isKw(args[i], 'left') && !isKw(args[i], 'right')) throw new RedisError(E.syntax);
      from = args[3];
      to = args[4];
    }
    const deadline = parseTimeout(args[rpoplpush ? 3 : 5], Date.now());
    const src = args[1];
    const dst = args[2];
    return blockWith(ctx, {
      db: ctx.conn.db,
      keys: [src],
      deadline,
      writes: [dst],
      attempt: () => [LMOVE, src, dst, from, to],
      convert: (reply) => (decodeReply(reply) === null ? null : reply),
      timeoutReply: () => nullArray(proto),
      // Redis answers an empty source inside MULTI with a null bulk, a timeout with a null array
      emptyReply: () => nullBulk(proto),
    });
  };
}

const LIST = ['list'];
const ZSET = ['sortedset'];
const BPOP_SPEC = [keySpec(['RW', 'access', 'delete'], 1, -2)];
const MPOP_SPEC = [{ flags: ['RW', 'access', 'delete'], begin: { index: 2 }, find: { keynumidx: 0, firstkey: 1, keystep: 1 } }];
const MOVE_SPEC = [keySpec(['RW', 'access', 'delete']), keySpec(['RW', 'insert'], 2)];

export const blockingCommands: CommandDef[] = [
  cmd({
    name: 'blpop', arity: -3, flags: ['write', 'noscript', 'blocking'], acl: LIST, main: bpopOne(LMPOP, LEFT),
    keySpecs: BPOP_SPEC,
    summary: 'Remove and get the first element in a list, or block until one is available', since: '2.0.0', group: 'list',
    complexity: 'O(N) where N is the number of provided keys.',
  }),
  cmd({
    name: 'brpop', arity: -3, flags: ['write', 'noscript', 'blocking'], acl: LIST, main: bpopOne(LMPOP, RIGHT),
    keySpecs: BPOP_SPEC,
    summary: 'Remove and get the last element in a list, or block until one is available', since: '2.0.0', group: 'list',
    complexity: 'O(N) where N is the number of provided keys.',
  }),
  cmd({
    name: 'blmpop', arity: -5, flags: ['write', 'blocking', 'movablekeys'], acl: LIST, main: bmpop(LMPOP, ['left', 'right']),
    keySpecs: MPOP_SPEC,
    summary: 'Pop elements from a list, or block until one is available', since: '7.0.0', group: 'list',
    complexity: 'O(N+M) where N is the number of provided keys and M is the number of elements returned.',
  }),
  cmd({
    name: 'blmove', arity: 6, flags: ['write', 'denyoom', 'noscript', 'blocking'], acl: LIST, main: blmoveLike(false),
    keySpecs: MOVE_SPEC,
    summary: 'Pop an element from a list, push it to another list and return it; or block until one is available', since: '6.2.0', group: 'list',
    complexity: 'O(1)',
  }),
  cmd({
    name: 'brpoplpush', arity: 4, flags: ['write', 'denyoom', 'noscript', 'blocking'], acl: LIST, main: blmoveLike(true),
    keySpecs: MOVE_SPEC,
    summary: 'Pop an element from a list, push it to another list and return it; or block until one is available', since: '2.2.0', group: 'list',
    complexity: 'O(1)',
  }),
  cmd({
    name: 'bzpopmin', arity: -3, flags: ['write', 'noscript', 'blocking', 'fast'], acl: ZSET, main: bpopOne(ZMPOP, MIN),
    keySpecs: BPOP_SPEC,
    summary: 'Remove and return the member with the lowest score from one or more sorted sets, or block until one is available', since: '5.0.0', group: 'sorted_set',
    complexity: 'O(log(N)) with N being the number of elements in the sorted set.',
  }),
  cmd({
    name: 'bzpopmax', arity: -3, flags: ['write', 'noscript', 'blocking', 'fast'], acl: ZSET, main: bpopOne(ZMPOP, MAX),
    keySpecs: BPOP_SPEC,
    summary: 'Remove and return the member with the highest score from one or more sorted sets, or block until one is available', since: '5.0.0', group: 'sorted_set',
    complexity: 'O(log(N)) with N being the number of elements in the sorted set.',
  }),
  cmd({
    name: 'bzmpop', arity: -5, flags: ['write', 'blocking', 'movablekeys'], acl: ZSET, main: bmpop(ZMPOP, ['min', 'max']),
    keySpecs: MPOP_SPEC,
    summary: 'Remove and return members with scores in a sorted set or block until one is available', since: '7.0.0', group: 'sorted_set',
    complexity: 'O(K) + O(M*log(N)) where K is the number of provided keys, N being the number of elements in the sorted set, and M being the number of elements popped.',
  }),
];
