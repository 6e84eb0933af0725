// The sorted set commands with several keys: ZUNION / ZINTER / ZDIFF [STORE], ZINTERCARD,
// ZRANGESTORE and ZMPOP (Redis 7.0.15 semantics). Each runs in the shard when all its keys live
// there (`shard` handlers); otherwise on the main thread under the coordinator's locks
// (`coordinated` handlers), reading sources and writing the destination through the internal
// steps at the end of this file: zset-meta (types and sizes), zset-all / zset-lookup (a source's
// members, some members' scores), zrange-collect (ZRANGESTORE's source), zset-store (writes a
// result), zmpop-key (ZMPOP on one key). The data work is the store's (lib/store/zset*.ts); scores
// travel between shards as 8 exact bytes.

import type { CommandDef, KeySpecDoc, ShardExec, CoordContext, Tx } from './types.js';
import type { RespWriter } from '../resp/writer.js';
import { cmd, isKw, keySpec } from './define.js';
import { EV, eventId } from '../store/key-events.js';
import { parseMpop } from './mpop.js';

/** ZMPOP's sides (the first is MIN). */
const MIN_MAX = ['min', 'max'] as const;
import { rangeStoreWork, STORE_TO_FIRST } from './work.js';
import { E, RedisError } from '../errors.js';
import { T_SET, T_ZSET } from '../store/meta.js';
import { parseDoubleArg, parseI64 } from '../resp/number.js';
import { decodeReply, type Decoded } from '../resp/decode.js';
import { dbl, pop, writeZset, type Entries } from '../store/zset.js';
import { rangeToStore } from '../store/zset-range.js';
import {
  Agg, SetOp, openSources, runSetOp, setOpAlgo, sortByScore, sourceInfo, sourceMembers, sourceScores, storeEncoding, type SrcInfo,
} from '../store/zset-setops.js';
import { BY_OPTION, parseZrange } from './zset-ranges.js';
import { replyEntries, writePairs } from './zset-reply.js';

const ERR_WEIGHT = 'ERR weight value is not a float';

const ZRANGE_COLLECT = Buffer.from('zrange-collect');
const ZSET_STORE = Buffer.from('zset-store');
const ZSET_META = Buffer.from('zset-meta');
const ZSET_ALL = Buffer.from('zset-all');
const ZSET_LOOKUP = Buffer.from('zset-lookup');
const ZMPOP_KEY = Buffer.from('zmpop-key');

// ------------------------------------------------------------------------------------------------
// Entries between shards
// ------------------------------------------------------------------------------------------------

/** Entries for another shard: [flag, member, 8-byte score, ...]. */
function replyRaw(out: RespWriter, e: Entries, flag: boolean): void {
  out.array(1 + 2 * e.ms.length);
  out.int(flag ? 1 : 0);
  for (let i = 0; i < e.ms.length; i++) {
    out.bulk(e.ms[i]);
    out.bulk(dbl(e.ss[i]));
  }
}

function decodeRaw(d: Decoded): { flag: boolean; e: Entries } {
  const a = d as Decoded[];
  const ms: Buffer[] = [];
  const ss: number[] = [];
  for (let i = 1; i < a.length; i += 2) {
    ms.push(a[i] as Buffer);
    ss.push((a[i + 1] as Buffer).readDoubleBE(0));
  }
  return { flag: a[0] === 1n, e: { ms, ss } };
}

/** Writes a result through zset-store on the destination's shard and replies its count. */
async function storeRemote(tx: Tx, ctx: CoordContext, shard: number, dst: Buffer, e: Entries, big: boolean): Promise<void> {
  const sargs: Buffer[] = [ZSET_STORE, dst, Buffer.from(big ? '1' : '0'), Buffer.from(ctx.def.name)];
  for (let i = 0; i < e.ms.length; i++) sargs.push(e.ms[i], dbl(e.ss[i]));
  const d = decodeReply(await tx.exec(shard, zsetStoreDef, ctx.db, sargs));
  if (d instanceof Error) return ctx.out.error(d.message);
  ctx.out.int(d as bigint);
}

/**
 * Internal zset-store dst big command member score-bytes ...: replaces dst by the result of
 * `command` (its keyspace event), replies the count.
 */
function zsetStore(x: ShardExec, args: Buffer[]): void {
  const ms: Buffer[] = [];
  const ss: number[] = [];
  for (let i = 4; i < args.length; i += 2) {
    ms.push(args[i]);
    ss.push(args[i + 1].readDoubleBE(0));
  }
  x.out.int(writeZset(x, args[1], { ms, ss }, args[2][0] === 49, eventId(args[3].toString('latin1'))));
}

// ------------------------------------------------------------------------------------------------
// ZRANGESTORE
// ------------------------------------------------------------------------------------------------

/** ZRANGESTORE's source part: the entries to store and their encoding (or throws the error). */
function rangeStoreEntries(x: ShardExec, args: Buffer[]): { e: Entries; big: boolean } {
  const q = parseZrange(args, 2, true, BY_OPTION, true, false);
  // Redis looks the source up as a read
  return x.store.asReads(() => rangeToStore(x, args[2], q));
}

function zrangestore(x: ShardExec, args: Buffer[]): void {
  const { e, big } = rangeStoreEntries(x, args);
  x.out.int(writeZset(x, args[1], e, big, EV.zrangestore));
}

/** Internal zrange-collect <ZRANGESTORE args...>: [big 0|1, member, score bytes, ...] of the source. */
function zrangeCollect(x: ShardExec, args: Buffer[]): void {
  const { e, big } = rangeStoreEntries(x, args.slice(1));
  replyRaw(x.out, e, big);
}

function zrangestoreCoordinated(ctx: CoordContext, args: Buffer[]): Promise<void> {
  const { shards, out } = ctx;
  const db = ctx.db;
  const sd = shards.of(args[1]);
  const ss = shards.of(args[2]);
  return shards.locked([sd, ss], async (tx) => {
    const r = decodeReply(await tx.exec(ss, zrangeCollectDef, db, [ZRANGE_COLLECT, ...args]));
    if (r instanceof Error) return out.error(r.message);
    const { flag, e } = decodeRaw(r);
    await storeRemote(tx, ctx, sd, args[1], e, flag);
  });
}

// ------------------------------------------------------------------------------------------------
// ZMPOP
// ------------------------------------------------------------------------------------------------

/** Pops from `key` and writes ZMPOP's [key, [[member, score]...]]; false (nothing written) when missing. */
function mpopKey(x: ShardExec, key: Buffer, max: boolean, count: number): boolean {
  const e = pop(x, key, max, count);
  if (!e) return false;
  x.out.array(2);
  x.out.bulk(key);
  writePairs(x.out, e);
  return true;
}

function zmpop(x: ShardExec, args: Buffer[]): void {
  const a = parseMpop(args, 1, MIN_MAX);
  for (const key of a.keys) if (mpopKey(x, key, !a.first, a.count)) return;
  x.out.nilArray();
}

/**
 * Internal zmpop-key key min|max count: ZMPOP's reply for one key, a null array when the key is
 * missing (the cross-shard ZMPOP tries its keys in order; blocking pops may use it as well).
 */
function zmpopKey(x: ShardExec, args: Buffer[]): void {
  const max = isKw(args[2], 'max');
  if (!mpopKey(x, args[1], max, Number(args[3].toString('latin1')))) x.out.nilArray();
}

function zmpopCoordinated(ctx: CoordContext, args: Buffer[]): Promise<void> {
  const { shards, out } = ctx;
  const a = parseMpop(args, 1, MIN_MAX);
  const db = ctx.db;
  const proto = ctx.proto;
  const owners = a.keys.map((k) => shards.of(k));
  const where = Buffer.from(a.first ? 'min' : 'max');
  const count = Buffer.from(String(a.count));
  return shards.locked(owners, async (tx) => {
    for (let i = 0; i < a.keys.length; i++) {
      const r = await tx.exec(owners[i], zmpopKeyDef, db, [ZMPOP_KEY, a.keys[i], where, count], proto);
      if (isNullReply(r)) continue;
      return out.raw(r);
    }
    out.nilArray();
  });
}

function isNullReply(r: Buffer): boolean {
  return r[0] === 95 /* _ */ || (r[0] === 42 && r[1] === 45) /* *-1 */;
}

// ------------------------------------------------------------------------------------------------
// ZUNION ZINTER ZDIFF [STORE], ZINTERCARD
// ------------------------------------------------------------------------------------------------

interface SetOpHead {
  keys: Buffer[];
  /** index of the first option */
  next: number;
}

/** numkeys and the key list (numIdx: index of numkeys). */
function parseSetOpHead(args: Buffer[], numIdx: number, name: string): SetOpHead {
  const nk = parseI64(args[numIdx]);
  if (nk === null) throw new RedisError(E.notInt);
  if (nk < 1n) throw new RedisError(`ERR at least 1 input key is needed for '${name}' command`);
  if (nk > BigInt(args.length - (numIdx + 1))) throw new RedisError(E.syntax);
  const n = Number(nk);
  return { keys: args.slice(numIdx + 1, numIdx + 1 + n), next: numIdx + 1 + n };
}

interface SetOpOpts {
  weights: number[];
  agg: Agg;
  withScores: boolean;
  limit: number;
}

/** The options after the keys (parsed after the key types were checked, as Redis does). */
function parseSetOpOpts(args: Buffer[], head: SetOpHead, op: SetOp, hasDst: boolean, cardOnly: boolean): SetOpOpts {
  const n = head.keys.length;
  const o: SetOpOpts = { weights: new Array<number>(n).fill(1), agg: Agg.Sum, withScores: false, limit: 0 };
  let j = head.next;
  let remaining = args.length - j;
  while (remaining > 0) {
    const a = args[j];
    if (op !== SetOp.Diff && !cardOnly && remaining >= n + 1 && isKw(a, 'weights')) {
      j++;
      remaining--;
      for (let i = 0; i < n; i++, j++, remaining--) {
        const w = parseDoubleArg(args[j]);
        if (w === null) throw new RedisError(ERR_WEIGHT);
        o.weights[i] = w;
      }
    } else if (op !== SetOp.Diff && !cardOnly && remaining >= 2 && isKw(a, 'aggregate')) {
      j++;
      remaining--;
      const v = args[j];
      if (isKw(v, 'sum')) o.agg = Agg.Sum;
      else if (isKw(v, 'min')) o.agg = Agg.Min;
      else if (isKw(v, 'max')) o.agg = Agg.Max;
      else throw new RedisError(E.syntax);
      j++;
      remaining--;
    } else if (remaining >= 1 && !hasDst && !cardOnly && isKw(a, 'withscores')) {
      j++;
      remaining--;
      o.withScores = true;
    } else if (cardOnly && remaining >= 2 && isKw(a, 'limit')) {
      j++;
      remaining--;
      const l = parseI64(args[j]);
      if (l === null || l < 0n) throw new RedisError("ERR LIMIT can't be negative");
      o.limit = Number(l);
      j++;
      remaining--;
    } else throw new RedisError(E.syntax);
  }
  return o;
}

interface SetOpCmd {
  op: SetOp;
  name: string;
  /** index of numkeys */
  numIdx: number;
  hasDst: boolean;
  cardOnly: boolean;
}

const CMD_ZUNION: SetOpCmd = { op: SetOp.Union, name: 'zunion', numIdx: 1, hasDst: false, cardOnly: false };
const CMD_ZINTER: SetOpCmd = { op: SetOp.Inter, name: 'zinter', numIdx: 1, hasDst: false, cardOnly: false };
const CMD_ZDIFF: SetOpCmd = { op: SetOp.Diff, name: 'zdiff', numIdx: 1, hasDst: false, cardOnly: false };
const CMD_ZUNIONSTORE: SetOpCmd = { op: SetOp.Union, name: 'zunionstore', numIdx: 2, hasDst: true, cardOnly: false };
const CMD_ZINTERSTORE: SetOpCmd = { op: SetOp.Inter, name: 'zinterstore', numIdx: 2, hasDst: true, cardOnly: false };
const CMD_ZDIFFSTORE: SetOpCmd = { op: SetOp.Diff, name: 'zdiffstore', numIdx: 2, hasDst: true, cardOnly: false };
const CMD_ZINTERCARD: SetOpCmd = { op: SetOp.Inter, name: 'zintercard', numIdx: 1, hasDst: false, cardOnly: true };

/** Replies a set operation's result (or stores it through `store`). */
function finishSetOp(
  out: RespWriter, k: SetOpCmd, o: SetOpOpts, raw: Entries, store: (e: Entries, big: boolean) => void | Promise<void>,
): void | Promise<void> {
  if (k.cardOnly) {
    const n = raw.ms.length;
    return out.int(o.limit > 0 && n > o.limit ? o.limit : n);
  }
  const e = sortByScore(raw);
  if (k.hasDst) return store(e, storeEncoding(e));
  replyEntries(out, e, o.withScores);
}

function setOpLocal(k: SetOpCmd) {
  return (x: ShardExec, args: Buffer[]): void => {
    const head = parseSetOpHead(args, k.numIdx, k.name);
    // Redis looks the sources up as reads, for ZUNIONSTORE too
    const sources = x.store.asReads(() => openSources(x, head.keys));
    const o = parseSetOpOpts(args, head, k.op, k.hasDst, k.cardOnly);
    const raw = runSetOp(x, sources, k.op, o.weights, o.agg);
    finishSetOp(x.out, k, o, raw, (e, big) => x.out.int(writeZset(x, args[1], e, big, eventId(k.name))));
  };
}

/** Internal zset-meta key...: [type (-1 missing), size] per key, without type checks. */
function zsetMeta(x: ShardExec, args: Buffer[]): void {
  x.out.array((args.length - 1) * 2);
  for (let i = 1; i < args.length; i++) {
    const s = sourceInfo(x, args[i]);
    x.out.int(s.type);
    x.out.int(s.count);
  }
}

/** Internal zset-all key: [0, member, score bytes, ...] of a sorted set or a set. */
function zsetAll(x: ShardExec, args: Buffer[]): void {
  replyRaw(x.out, sourceMembers(x, args[1]), false);
}

/** Internal zset-lookup key member...: score bytes or nil per member. */
function zsetLookup(x: ShardExec, args: Buffer[]): void {
  const found = sourceScores(x, args[1], args.slice(2));
  x.out.array(found.length);
  for (const f of found) x.out.bulk(f === null ? null : dbl(f));
}

function setOpCoordinated(k: SetOpCmd) {
  return (ctx: CoordContext, args: Buffer[]): Promise<void> => {
    const { shards, out } = ctx;
    const db = ctx.db;
    const head = parseSetOpHead(args, k.numIdx, k.name);
    const keys = head.keys;
    const shardOfKey = keys.map((key) => shards.of(key));
    const dstShard = k.hasDst ? shards.of(args[1]) : -1;
    const involved = k.hasDst ? [...shardOfKey, dstShard] : shardOfKey;
    return shards.locked(involved, async (tx) => {
      // Types and sizes, one step per shard.
      const byShard = new Map<number, number[]>();
      shardOfKey.forEach((s, i) => {
        let l = byShard.get(s);
        if (!l) byShard.set(s, (l = []));
        l.push(i);
      });
      const infos: SrcInfo[] = new Array(keys.length);
      const replies = await Promise.all(
        [...byShard].map(([s, idx]) => tx.exec(s, zsetMetaDef, db, [ZSET_META, ...idx.map((i) => keys[i])]).then((r) => ({ idx, r }))),
      );
      for (const { idx, r } of replies) {
        const d = decodeReply(r);
        if (d instanceof Error) return out.error(d.message);
        const a = d as bigint[];
        idx.forEach((i, j) => (infos[i] = { type: Number(a[2 * j]), count: Number(a[2 * j + 1]) }));
      }
      for (const inf of infos) if (inf.type !== -1 && inf.type !== T_ZSET && inf.type !== T_SET) return out.error(E.wrongType);
      let o: SetOpOpts;
      try {
        o = parseSetOpOpts(args, head, k.op, k.hasDst, k.cardOnly);
      } catch (e) {
        return out.error((e as Error).message);
      }
      const gen = setOpAlgo(k.op, infos, o.weights, o.agg);
      let r = gen.next();
      while (!r.done) {
        const need = r.value;
        if ('all' in need) {
          const d = decodeReply(await tx.exec(shardOfKey[need.all], zsetAllDef, db, [ZSET_ALL, keys[need.all]]));
          if (d instanceof Error) return out.error(d.message);
          r = gen.next(decodeRaw(d).e);
        } else {
          const i = need.lookup;
          const d = decodeReply(await tx.exec(shardOfKey[i], zsetLookupDef, db, [ZSET_LOOKUP, keys[i], ...need.members]));
          if (d instanceof Error) return out.error(d.message);
          r = gen.next((d as Array<Buffer | null>).map((b) => (b === null ? null : b.readDoubleBE(0))));
        }
      }
      await finishSetOp(out, k, o, r.value, (e, big) => storeRemote(tx, ctx, dstShard, args[1], e, big));
    });
  };
}

// ------------------------------------------------------------------------------------------------
// The table entries (zsetCommands in zset.ts lists them)
// ------------------------------------------------------------------------------------------------

const G = { group: 'sorted-set' } as const;
const ZS = ['sortedset'];
const NUMKEYS_SPEC = (flags: string[], index: number): KeySpecDoc => ({ flags, begin: { index }, find: { keynumidx: 0, firstkey: 1, keystep: 1 } });
const STORE_SPECS = [keySpec(['OW', 'update']), NUMKEYS_SPEC(['RO', 'access'], 2)];

function internalDef(name: string, arity: number, write: boolean, shard: (x: ShardExec, args: Buffer[]) => void, summary: string): CommandDef {
  return cmd({ name, arity, flags: [write ? 'write' : 'readonly'], acl: ZS, shard, internal: true, summary, since: '7.0.0', ...G });
}

const zrangeCollectDef = internalDef('zrange-collect', -6, false, zrangeCollect, 'Internal: the entries of a cross-shard ZRANGESTORE.');
const zsetStoreDef = { ...internalDef('zset-store', -4, true, zsetStore, 'Internal: writes the result of a cross-shard sorted set command.'), capturedReply: (args: Buffer[]) => (args.length - 4) / 2 };
const zsetMetaDef = internalDef('zset-meta', -2, false, zsetMeta, 'Internal: types and sizes of sorted set command sources.');
const zsetAllDef = internalDef('zset-all', 2, false, zsetAll, 'Internal: every member of a sorted set or set source.');
const zsetLookupDef = internalDef('zset-lookup', -2, false, zsetLookup, 'Internal: scores of some members of a sorted set or set source.');
const zmpopKeyDef = internalDef('zmpop-key', 4, true, zmpopKey, 'Internal: ZMPOP on one key (null array when missing).');

export const zsetMultiCommands: CommandDef[] = [
  cmd({
    name: 'zrangestore', slowWork: rangeStoreWork, destination: STORE_TO_FIRST, arity: -5, flags: ['write', 'denyoom'], acl: ZS, shard: zrangestore, coordinated: zrangestoreCoordinated,
    slow: true, keySpecs: [keySpec(['OW', 'update']), keySpec(['RO', 'access'], 2)],
    summary: 'Store a range of members from sorted set into another key', since: '6.2.0', ...G,
    complexity: 'O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements stored into the destination key.',
  }),
  cmd({
    name: 'zmpop', arity: -4, flags: ['write', 'movablekeys'], acl: ZS, shard: zmpop, coordinated: zmpopCoordinated,
    keySpecs: [NUMKEYS_SPEC(['RW', 'access', 'delete'], 1)],
    summary: 'Remove and return members with scores in a sorted set', since: '7.0.0', ...G,
    complexity: 'O(K) + O(M*log(N)) where K is the number of provided keys, N being the number of elements in the sorted set, and M being the number of elements popped.',
  }),
  cmd({
    name: 'zunion', arity: -3, flags: ['readonly', 'movablekeys'], acl: ZS, shard: setOpLocal(CMD_ZUNION),
    coordinated: setOpCoordinated(CMD_ZUNION), slow: true, keySpecs: [NUMKEYS_SPEC(['RO', 'access'], 1)],
    summary: 'Add multiple sorted sets', since: '6.2.0', ...G,
    complexity: 'O(N)+O(M*log(M)) with N being the sum of the sizes of the input sorted sets, and M being the number of elements in the resulting sorted set.',
  }),
  cmd({
    name: 'zinter', arity: -3, flags: ['readonly', 'movablekeys'], acl: ZS, shard: setOpLocal(CMD_ZINTER),
    coordinated: setOpCoordinated(CMD_ZINTER), slow: true, keySpecs: [NUMKEYS_SPEC(['RO', 'access'], 1)],
    summary: 'Intersect multiple sorted sets', since: '6.2.0', ...G,
    complexity: 'O(N*K)+O(M*log(M)) worst case with N being the smallest input sorted set, K being the number of input sorted sets and M being the number of elements in the resulting sorted set.',
  }),
  cmd({
    name: 'zdiff', arity: -3, flags: ['readonly', 'movablekeys'], acl: ZS, shard: setOpLocal(CMD_ZDIFF),
    coordinated: setOpCoordinated(CMD_ZDIFF), slow: true, keySpecs: [NUMKEYS_SPEC(['RO', 'access'], 1)],
    summary: 'Subtract multiple sorted sets', since: '6.2.0', ...G,
    complexity: 'O(L + (N-K)log(N)) worst case where L is the total number of elements in all the sets, N is the size of the first set, and K is the size of the result set.',
  }),
  cmd({
    name: 'zunionstore', destination: STORE_TO_FIRST, arity: -4, flags: ['write', 'denyoom', 'movablekeys'], acl: ZS,
    shard: setOpLocal(CMD_ZUNIONSTORE), coordinated: setOpCoordinated(CMD_ZUNIONSTORE), slow: true, keySpecs: STORE_SPECS,
    summary: 'Add multiple sorted sets and store the resulting sorted set in a new key', since: '2.0.0', ...G,
    complexity: 'O(N)+O(M log(M)) with N being the sum of the sizes of the input sorted sets, and M being the number of elements in the resulting sorted set.',
  }),
  cmd({
    name: 'zinterstore', destination: STORE_TO_FIRST, arity: -4, flags: ['write', 'denyoom', 'movablekeys'], acl: ZS,
    shard: setOpLocal(CMD_ZINTERSTORE), coordinated: setOpCoordinated(CMD_ZINTERSTORE), slow: true, keySpecs: STORE_SPECS,
    summary: 'Intersect multiple sorted sets and store the resulting sorted set in a new key', since: '2.0.0', ...G,
    complexity: 'O(N*K)+O(M*log(M)) worst case with N being the smallest input sorted set, K being the number of input sorted sets and M being the number of elements in the resulting sorted set.',
  }),
  cmd({
    name: 'zdiffstore', destination: STORE_TO_FIRST, arity: -4, flags: ['write', 'denyoom', 'movablekeys'], acl: ZS,
    shard: setOpLocal(CMD_ZDIFFSTORE), coordinated: setOpCoordinated(CMD_ZDIFFSTORE), slow: true, keySpecs: STORE_SPECS,
    summary: 'Subtract multiple sorted sets and store the resulting sorted set in a new key', since: '6.2.0', ...G,
    complexity: 'O(L + (N-K)log(N)) worst case where L is the total number of elements in all the sets, N is the size of the first set, and K is the size of the result set.',
  }),
  cmd({
    name: 'zintercard', arity: -3, flags: ['readonly', 'movablekeys'], acl: ZS, shard: setOpLocal(CMD_ZINTERCARD),
    coordinated: setOpCoordinated(CMD_ZINTERCARD), slow: true, keySpecs: [NUMKEYS_SPEC(['RO', 'access'], 1)],
    summary: 'Intersect multiple sorted sets and return the cardinality of the result', since: '7.0.0', ...G,
    complexity: 'O(N*K) worst case with N being the smallest input sorted set, K being the number of input sorted sets.',
  }),
  zrangeCollectDef,
  zsetStoreDef,
  zsetMetaDef,
  zsetAllDef,
  zsetLookupDef,
  zmpopKeyDef,
];
