// The set commands over several keys: SMOVE, SINTER SUNION SDIFF, their *STORE forms and
// SINTERCARD. Their entries are part of `setCommands` (set.ts).
//
// - All keys in one shard: the shard handler runs the algebra there (lib/store/set-algebra.ts),
//   SMOVE moves the member there (lib/store/set.ts).
// - Keys on several shards: the coordinated handler runs on the main thread (or the slow pool,
//   over snapshots) under the locks of every shard involved: type checks and cardinalities of
//   every key first (set-cards), then the smallest set (SINTER) or the first one (SDIFF) is
//   fetched (set-union) and narrowed shard by shard (set-inter / set-diff); SUNION gathers each
//   shard's union. *STORE writes the result on the destination's shard (set-store). SMOVE:
//   set-cards on both keys, then SREM on the source's shard and SADD on the destination's.
// - Binlog: when every key is in one shard, the command as sent (deterministic); across shards
//   each shard logs its own part: SREM / SADD for SMOVE, DEL + SADD of the result for *STORE.

import type { CommandDef, KeySpecDoc, ShardExec, CoordContext, Tx } from './types.js';
import type { RespWriter } from '../resp/writer.js';
import { cmd, isKw, keySpec } from './define.js';
import { EV, eventId } from '../store/key-events.js';
import { lookup } from './registry.js';
import { STORE_TO_FIRST } from './work.js';
import { E, RedisError } from '../errors.js';
import { parseI64 } from '../resp/number.js';
import { decodeReply, type Decoded } from '../resp/decode.js';
import { SADD, SREM, intsetOrder, moveMember } from '../store/set.js';
import { cardinalities, combine, combineInto, filterMembers, interCard, mergeUnion, replaceSet, unionOfKeys, type SetOp } from '../store/set-algebra.js';

const NUMKEYS = 'ERR numkeys should be greater than 0';
const NUMKEYS_ARGS = "ERR Number of keys can't be greater than number of args";
const LIMIT_NEGATIVE = "ERR LIMIT can't be negative";

/** A set reply (RESP3 set, RESP2 array) of the members. */
export function replySet(out: RespWriter, members: Buffer[]): void {
  out.set(members.length);
  for (const m of members) out.bulk(m);
}

// ------------------------------------------------------------------------------------------------
// SMOVE
// ------------------------------------------------------------------------------------------------

/** SMOVE with both keys in this shard. */
function smove(x: ShardExec, args: Buffer[]): void {
  x.out.int(moveMember(x, args));
}

/**
 * The entries of SREM and SADD, which a cross-shard SMOVE runs on each side. They are declared in
 * set.ts, which imports this file: looked up in the table once, at the first cross-shard SMOVE.
 */
let moveSteps: { srem: CommandDef; sadd: CommandDef } | null = null;

/** SMOVE across two shards: check both keys, then SREM on the source's shard, SADD on the destination's. */
function smoveCoordinated(ctx: CoordContext, args: Buffer[]): Promise<void> {
  const { shards, out } = ctx;
  const db = ctx.db;
  const [, src, dst, member] = args;
  const sa = shards.of(src);
  const sb = shards.of(dst);
  const steps = (moveSteps ??= { srem: lookup('srem')!, sadd: lookup('sadd')! });
  return shards.locked([sa, sb], async (tx) => {
    const [rs, rd] = await Promise.all([
      tx.exec(sa, setCardsDef, db, [SET_CARDS, src]),
      tx.exec(sb, setCardsDef, db, [SET_CARDS, dst]),
    ]);
    const s = decodeReply(rs);
    const d = decodeReply(rd);
    if (!(s instanceof Error) && (s as bigint[])[0] === 0n) return out.int(0);
    if (s instanceof Error) return out.error(s.message);
    if (d instanceof Error) return out.error(d.message);
    const r = decodeReply(await tx.exec(sa, steps.srem, db, [SREM, src, member]));
    if (r instanceof Error) return out.error(r.message);
    if (r !== 1n) return out.int(0);
    const a = decodeReply(await tx.exec(sb, steps.sadd, db, [SADD, dst, member]));
    if (a instanceof Error) return out.error(a.message);
    out.int(1);
  });
}

// ------------------------------------------------------------------------------------------------
// SINTER SINTERCARD SINTERSTORE SUNION SUNIONSTORE SDIFF SDIFFSTORE in one shard
// ------------------------------------------------------------------------------------------------

/** SINTER / SUNION / SDIFF with every key in this shard. */
function algebra(op: SetOp) {
  return (x: ShardExec, args: Buffer[]): void => {
    replySet(x.out, combine(x, op, args.slice(1)));
  };
}

/** SINTERSTORE / SUNIONSTORE / SDIFFSTORE with every key in this shard. */
function algebraStore(op: SetOp) {
  return (x: ShardExec, args: Buffer[]): void => {
    x.out.int(combineInto(x, op, args));
  };
}

/** SINTERCARD arguments: the keys (argument indexes 2..) and the limit (0 = none), or an error text. */
function parseIntercard(args: Buffer[]): { nkeys: number; limit: number } | string {
  const nk = parseI64(args[1]);
  if (nk === null || nk < 1n) return NUMKEYS;
  if (nk > BigInt(args.length - 2)) return NUMKEYS_ARGS;
  const nkeys = Number(nk);
  let limit = 0;
  for (let i = 2 + nkeys; i < args.length; i++) {
    if (isKw(args[i], 'limit') && i + 1 < args.length) {
      const l = parseI64(args[++i]);
      if (l === null || l < 0n) return LIMIT_NEGATIVE;
      limit = l > BigInt(Number.MAX_SAFE_INTEGER) ? 0 : Number(l);
    } else return E.syntax;
  }
  return { nkeys, limit };
}

function sintercard(x: ShardExec, args: Buffer[]): void {
  const o = parseIntercard(args);
  if (typeof o === 'string') throw new RedisError(o);
  x.out.int(interCard(x, args.slice(2, 2 + o.nkeys), o.limit));
}

// ------------------------------------------------------------------------------------------------
// The same across shards
// ------------------------------------------------------------------------------------------------

/** Keys grouped by shard, in first-appearance order. */
function byShard(ctx: CoordContext, keys: Buffer[]): Map<number, Buffer[]> {
  const parts = new Map<number, Buffer[]>();
  for (const k of keys) {
    const s = ctx.shards.of(k);
    let p = parts.get(s);
    if (!p) parts.set(s, (p = []));
    p.push(k);
  }
  return parts;
}

function check(d: Decoded): Decoded {
  if (d instanceof Error) throw new RedisError(d.message);
  return d;
}

/** Copies of the members of a decoded array reply (the reply buffer is not kept). */
function membersOf(d: Decoded): Buffer[] {
  return (check(d) as Buffer[]).map((b) => Buffer.from(b));
}

/**
 * The result of a set operation over keys on several shards, under the transaction's locks.
 * Throws RedisError for a shard's error (WRONGTYPE).
 */
async function gather(tx: Tx, ctx: CoordContext, op: SetOp, keys: Buffer[]): Promise<Buffer[]> {
  const db = ctx.db;
  const parts = byShard(ctx, keys);
  const shardOf = (k: Buffer) => ctx.shards.of(k);
  if (op === 'union') {
    const replies = await Promise.all([...parts].map(([s, ks]) => tx.exec(s, setUnionDef, db, [SET_UNION, ...ks])));
    return mergeUnion(replies.map((r) => membersOf(decodeReply(r))));
  }
  // Type checks and cardinalities of every key first (WRONGTYPE wins over an empty result).
  const cards = new Map<number, bigint[]>();
  const replies = await Promise.all([...parts].map(([s, ks]) => tx.exec(s, setCardsDef, db, [SET_CARDS, ...ks])));
  [...parts.keys()].forEach((s, i) => cards.set(s, check(decodeReply(replies[i])) as bigint[]));
  const cardOf = new Map<string, bigint>();
  for (const [s, ks] of parts) ks.forEach((k, i) => cardOf.set(k.toString('latin1'), cards.get(s)![i]));
  let base: Buffer;
  if (op === 'inter') {
    base = keys[0];
    for (const k of keys) {
      const n = cardOf.get(k.toString('latin1'))!;
      if (n === 0n) return [];
      if (n < cardOf.get(base.toString('latin1'))!) base = k;
    }
  } else {
    base = keys[0];
    if (cardOf.get(base.toString('latin1')) === 0n) return [];
  }
  let cand = membersOf(decodeReply(await tx.exec(shardOf(base), setUnionDef, db, [SET_UNION, base])));
  const others = op === 'inter' ? keys : keys.slice(1);
  const filterDef = op === 'inter' ? setInterDef : setDiffDef;
  const filterName = op === 'inter' ? SET_INTER : SET_DIFF;
  for (const [s, ks] of byShard(ctx, others)) {
    if (cand.length === 0) break;
    const ask = op === 'inter' ? ks.filter((k) => !k.equals(base)) : ks;
    if (ask.length === 0) continue;
    const r = await tx.exec(s, filterDef, db, [filterName, Buffer.from(String(ask.length)), ...ask, ...cand]);
    cand = membersOf(decodeReply(r));
  }
  return intsetOrder(cand);
}

/** The shards a multi-key set command holds. */
function shardsOf(ctx: CoordContext, keys: Buffer[]): number[] {
  return [...new Set(keys.map((k) => ctx.shards.of(k)))];
}

function algebraCoordinated(op: SetOp) {
  return (ctx: CoordContext, args: Buffer[]): Promise<void> => {
    const keys = args.slice(1);
    return ctx.shards.locked(shardsOf(ctx, keys), async (tx) => {
      const members = await gather(tx, ctx, op, keys);
      replySet(ctx.out, members);
    });
  };
}

function algebraStoreCoordinated(op: SetOp) {
  return (ctx: CoordContext, args: Buffer[]): Promise<void> => {
    const dst = args[1];
    const keys = args.slice(2);
    return ctx.shards.locked(shardsOf(ctx, args.slice(1)), async (tx) => {
      const members = await gather(tx, ctx, op, keys);
      const r = check(decodeReply(await tx.exec(ctx.shards.of(dst), setStoreDef, ctx.db, [SET_STORE, dst, Buffer.from(ctx.def.name), ...members])));
      ctx.out.int(r as bigint);
    });
  };
}

function sintercardCoordinated(ctx: CoordContext, args: Buffer[]): Promise<void> | void {
  const o = parseIntercard(args);
  if (typeof o === 'string') return ctx.out.error(o);
  const keys = args.slice(2, 2 + o.nkeys);
  return ctx.shards.locked(shardsOf(ctx, keys), async (tx) => {
    const n = (await gather(tx, ctx, 'inter', keys)).length;
    ctx.out.int(o.limit > 0 && n > o.limit ? o.limit : n);
  });
}

// ---- internal steps

/** set-cards key...: the cardinality of each key (0 when missing); WRONGTYPE if any is not a set. */
function setCards(x: ShardExec, args: Buffer[]): void {
  const cards = cardinalities(x, args.slice(1));
  x.out.array(cards.length);
  for (const n of cards) x.out.int(n);
}

/** set-union key...: the members of the union of the keys; WRONGTYPE if any is not a set. */
function setUnion(x: ShardExec, args: Buffer[]): void {
  const m = unionOfKeys(x, args.slice(1));
  x.out.array(m.length);
  for (const b of m) x.out.bulk(b);
}

/** set-inter|set-diff n key1..keyn member...: the given members in every key / in none of them. */
function setFilter(op: 'inter' | 'diff') {
  return (x: ShardExec, args: Buffer[]): void => {
    const n = Number(args[1].toString('latin1'));
    const out = filterMembers(x, op, args.slice(2, 2 + n), args.slice(2 + n));
    x.out.array(out.length);
    for (const b of out) x.out.bulk(b);
  };
}

/**
 * set-store dst command member...: dst becomes the set of the given distinct members, the result
 * of `command` (its keyspace event); replies their count.
 */
function setStore(x: ShardExec, args: Buffer[]): void {
  x.out.int(replaceSet(x, args[1], args.slice(3), eventId(args[2].toString('latin1'))));
}

// ------------------------------------------------------------------------------------------------
// Table
// ------------------------------------------------------------------------------------------------

const SET_CARDS = Buffer.from('set-cards');
const SET_UNION = Buffer.from('set-union');
const SET_INTER = Buffer.from('set-inter');
const SET_DIFF = Buffer.from('set-diff');
const SET_STORE = Buffer.from('set-store');

const S = { group: 'set' } as const;
const spec = (flags: string[], index = 1, lastkey = 0): KeySpecDoc => keySpec(flags, index, lastkey);
const INTER_COMPLEXITY = 'O(N*M) worst case where N is the cardinality of the smallest set and M is the number of sets.';
const TOTAL_COMPLEXITY = 'O(N) where N is the total number of elements in all given sets.';
const ORDER_TIPS = ['nondeterministic_output_order'];

const internalSpec = { acl: ['set'], internal: true, since: '7.0.0', group: 'set' };

const setCardsDef = cmd({
  name: 'set-cards', arity: -2, flags: ['readonly'], shard: setCards, ...internalSpec,
  summary: 'Internal: type checks and cardinalities of sets for a cross-shard set command.',
});
const setUnionDef = cmd({
  name: 'set-union', arity: -2, flags: ['readonly'], shard: setUnion, ...internalSpec,
  summary: 'Internal: the union of sets on one shard.',
});
const setInterDef = cmd({
  name: 'set-inter', arity: -3, flags: ['readonly'], shard: setFilter('inter'), ...internalSpec,
  summary: 'Internal: the given members that are in every given set.',
});
const setDiffDef = cmd({
  name: 'set-diff', arity: -3, flags: ['readonly'], shard: setFilter('diff'), ...internalSpec,
  summary: 'Internal: the given members that are in none of the given sets.',
});
const setStoreDef = cmd({
  name: 'set-store', capturedReply: (args) => args.length - 3, arity: -3, flags: ['write'], shard: setStore, ...internalSpec,
  summary: 'Internal: replaces a key by a set of the given members.',
});

/** SMOVE and the algebra, in the order setCommands lists them. */
export const setMultiKeyCommands: CommandDef[] = [
  cmd({
    name: 'smove', keyEvents: (a, e) => {
      e.event(a[1], EV.srem);
      e.event(a[2], EV.sadd);
    }, arity: 4, flags: ['write', 'fast'], acl: ['set'], shard: smove, coordinated: smoveCoordinated,
    keySpecs: [spec(['RW', 'access', 'delete']), spec(['RW', 'insert'], 2)],
    summary: 'Move a member from one set to another', since: '1.0.0', ...S, complexity: 'O(1)',
  }),
  cmd({
    name: 'sinter', arity: -2, flags: ['readonly'], acl: ['set'], shard: algebra('inter'),
    coordinated: algebraCoordinated('inter'), slow: true,
    keySpecs: [spec(['RO', 'access'], 1, -1)], tips: ORDER_TIPS,
    summary: 'Intersect multiple sets', since: '1.0.0', ...S, complexity: INTER_COMPLEXITY,
  }),
  cmd({
    name: 'sintercard', arity: -3, flags: ['readonly', 'movablekeys'], acl: ['set'], shard: sintercard,
    coordinated: sintercardCoordinated, slow: true,
    keySpecs: [{ flags: ['RO', 'access'], begin: { index: 1 }, find: { keynumidx: 0, firstkey: 1, keystep: 1 } }],
    summary: 'Intersect multiple sets and return the cardinality of the result', since: '7.0.0', ...S, complexity: INTER_COMPLEXITY,
  }),
  cmd({
    name: 'sinterstore', destination: STORE_TO_FIRST, arity: -3, flags: ['write', 'denyoom'], acl: ['set'], shard: algebraStore('inter'),
    coordinated: algebraStoreCoordinated('inter'), slow: true,
    keySpecs: [spec(['RW', 'update']), spec(['RO', 'access'], 2, -1)],
    summary: 'Intersect multiple sets and store the resulting set in a key', since: '1.0.0', ...S, complexity: INTER_COMPLEXITY,
  }),
  cmd({
    name: 'sunion', arity: -2, flags: ['readonly'], acl: ['set'], shard: algebra('union'),
    coordinated: algebraCoordinated('union'), slow: true,
    keySpecs: [spec(['RO', 'access'], 1, -1)], tips: ORDER_TIPS,
    summary: 'Add multiple sets', since: '1.0.0', ...S, complexity: TOTAL_COMPLEXITY,
  }),
  cmd({
    name: 'sunionstore', destination: STORE_TO_FIRST, arity: -3, flags: ['write', 'denyoom'], acl: ['set'], shard: algebraStore('union'),
    coordinated: algebraStoreCoordinated('union'), slow: true,
    keySpecs: [spec(['OW', 'update']), spec(['RO', 'access'], 2, -1)],
    summary: 'Add multiple sets and store the resulting set in a key', since: '1.0.0', ...S, complexity: TOTAL_COMPLEXITY,
  }),
  cmd({
    name: 'sdiff', arity: -2, flags: ['readonly'], acl: ['set'], shard: algebra('diff'),
    coordinated: algebraCoordinated('diff'), slow: true,
    keySpecs: [spec(['RO', 'access'], 1, -1)], tips: ORDER_TIPS,
    summary: 'Subtract multiple sets', since: '1.0.0', ...S, complexity: TOTAL_COMPLEXITY,
  }),
  cmd({
    name: 'sdiffstore', destination: STORE_TO_FIRST, arity: -3, flags: ['write', 'denyoom'], acl: ['set'], shard: algebraStore('diff'),
    coordinated: algebraStoreCoordinated('diff'), slow: true,
    keySpecs: [spec(['OW', 'update']), spec(['RO', 'access'], 2, -1)],
    summary: 'Subtract multiple sets and store the resulting set in a key', since: '1.0.0', ...S, complexity: TOTAL_COMPLEXITY,
  }),
];

/** The internal steps of the cross-shard set commands. */
export const setSteps: CommandDef[] = [setCardsDef, setUnionDef, setInterDef, setDiffDef, setStoreDef];
