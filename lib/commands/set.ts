// Set commands (Redis 7.0), on the collection layout of lib/store/collections.ts: one meta record
// per key (id, member count, flags) and one subkey [id][member] -> empty value per member in `sub`.
//
// - Member order: SMEMBERS, SSCAN, SINTER/SUNION/SDIFF and SPOP/SRANDMEMBER with a count larger
//   than the set list the members of a set Redis would keep as an intset (at most 512 members, all
//   integers) in numeric order, as Redis does; other sets in member byte order (Redis: hash order;
//   documented as nondeterministic_output_order).
// - OBJECT ENCODING: intset while every member is an integer Redis accepts (string2ll) and there are
//   at most 512 members (set-max-intset-entries), else hashtable (F_BIG), and never back, except
//   where Redis builds a new set: the *STORE destinations, and SPOP with a count that leaves at most
//   a fifth of the popped count (Redis re-creates the remaining set). COPY, RENAME and MOVE keep it.
// - SSCAN: an intset comes back whole with cursor 0 (COUNT ignored), as in Redis. A hashtable is
//   walked in member order, COUNT members examined per call; the position (last member returned)
//   stays in this shard's cursor table under an opaque 64-bit id, like SCAN's. An unknown cursor
//   restarts the walk. The last page of a walk comes with cursor 0 (Redis's bucket cursors may end
//   a walk with an extra empty page, and with a small COUNT even a tiny hashtable takes several).
// - SRANDMEMBER / SPOP: exactly uniform, one lookup per draw. Every set numbers its members densely
//   in `slot` ([id][slot u64 BE] -> member part; the member's `sub` value is its slot), so a draw
//   is a random slot below the count. Adding a member takes slot `count`; removing one moves the
//   member of the last slot into the freed one (Redis's own tables are sampled by random buckets).
// - Multi-key commands run in the shard when every key lives there; otherwise on the main thread
//   under the coordinator's locks on every shard involved: type checks and cardinalities first
//   (set-cards), then the smallest set (SINTER) or the first one (SDIFF) is fetched (set-union) and
//   narrowed shard by shard (set-inter / set-diff); SUNION gathers each shard's union. *STORE
//   writes the result on the destination's shard (set-store). SMOVE: set-cards on both keys, then
//   SREM on the source's shard and SADD on the destination's.
// - Binlog: SADD/SREM/SMOVE/*STORE as sent when they run in one shard (deterministic), SPOP as
//   SREM of the popped members (DEL when it empties the set); across shards each shard logs its own
//   part: SREM / SADD for SMOVE, DEL + SADD of the result for *STORE.
// - Members of any length: a member longer than collections.INLINE_MAX stands in its subkey as a
//   long part (collections.ts).

import type { StoreCtx } from '../store/context.js';
import type { CommandDef, KeySpecDoc, ShardExec, CoordContext } from './types.js';
import type { MainContext } from '../main-context.js';
import type { Tx } from '../coordinator.js';
import { cmd, isKw, keySpec } from './define.js';
import { scanWork, drawWork, STORE_TO_FIRST } from './work.js';
import { E, RedisError } from '../errors.js';
import { T_SET, encodeMeta, payload, type Meta } from '../store/meta.js';
import { readU64BE, writeU64BE } from '../store/keys.js';
import type { ShardStore } from '../store/shard-store.js';
import { F_BIG, type Coll, collBody, copyCollection, idRange, LONG_PART, memberOf, newColl, openColl, openOrCreate, partKey, putMember, removeSubKey, replaceWith, saveColl, subKey } from '../store/collections.js';
import { keyTypeOps } from '../store/key-types.js';
import { parseI64 } from '../resp/number.js';
import { parseCursor } from '../resp/number.js';
import { emptyScanReply, parseScanOptions, scanReply } from './collection-scan.js';
import { scanStep } from '../store/collection-scan.js';
import { decodeReply, type Decoded } from '../resp/decode.js';
import { DEL, PEXPIREAT } from '../store/effects.js';

/** Redis 7.0 default set-max-intset-entries. */
const INTSET_MAX = 512;
/** Largest SRANDMEMBER reply with a negative count (Redis would try, and run out of memory). */
const MAX_RANDOM_REPLY = 1 << 24;
/** Members per SADD record when a result is written to the binlog. */
const LOG_CHUNK = 1000;

const SADD = Buffer.from('SADD');
const SREM = Buffer.from('SREM');

const COUNT_RANGE = 'ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807';
const MUST_BE_POSITIVE = 'ERR value is out of range, must be positive';
const NUMKEYS = 'ERR numkeys should be greater than 0';
const NUMKEYS_ARGS = "ERR Number of keys can't be greater than number of args";
const LIMIT_NEGATIVE = "ERR LIMIT can't be negative";
const RANDOM_TOO_MANY = `ERR SRANDMEMBER count is too large (respdb answers at most ${MAX_RANDOM_REPLY} members)`;

const I64_MAX = (1n << 63n) - 1n;

// ------------------------------------------------------------------------------------------------
// Helpers
// ------------------------------------------------------------------------------------------------

/** A member an intset can hold (Redis's string2ll). */
function isInt(m: Buffer): boolean {
  return m.length <= 20 && parseI64(m) !== null;
}

/** F_BIG when a set built from scratch with these (distinct) members would be a hashtable. */
function flagsFor(members: Buffer[]): number {
  if (members.length > INTSET_MAX) return F_BIG;
  for (const m of members) if (!isInt(m)) return F_BIG;
  return 0;
}

/**
 * Members in the order Redis would list them: an intset (at most 512 integers) in numeric order;
 * anything else as it is (Redis: hash order).
 */
function intsetOrder(members: Buffer[]): Buffer[] {
  if (members.length < 2 || members.length > INTSET_MAX) return members;
  const nums: Array<[bigint, Buffer]> = [];
  for (const m of members) {
    const n = m.length <= 20 ? parseI64(m) : null;
    if (n === null) return members;
    nums.push([n, m]);
  }
  nums.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return nums.map((p) => p[1]);
}

function isMember(store: ShardStore, id: number, m: Buffer): boolean {
  return store.sub.getBinaryFast(subKey(id, m)) !== undefined;
}

/** [id u64 BE][slot u64 BE]: a set's slot entry. */
function slotKey(id: number, slot: number): Buffer {
  const k = Buffer.allocUnsafe(16);
  writeU64BE(k, id, 0);
  writeU64BE(k, slot, 8);
  return k;
}

function slotValue(slot: number): Buffer {
  const v = Buffer.allocUnsafe(8);
  writeU64BE(v, slot, 0);
  return v;
}

/** Stores a member known to be absent in slot `slot` (the set's count before it is added). */
function putInSlot(store: ShardStore, id: number, slot: number, m: Buffer, key?: Buffer): void {
  const k = putMember(store, id, m, slotValue(slot), key);
  store.slot.putSync(slotKey(id, slot), k.subarray(8));
}

/** Adds a member (true when it was not there), keeping count and encoding. */
function addMember(store: ShardStore, c: Coll, m: Buffer): boolean {
  const k = subKey(c.id, m);
  if (store.sub.getBinaryFast(k) !== undefined) return false;
  putInSlot(store, c.id, c.count, m, k);
  c.count++;
  if (!(c.flags & F_BIG) && (c.count > INTSET_MAX || !isInt(m))) c.flags |= F_BIG;
  return true;
}

/** Removes a member (true when it was there); the member of the last slot moves into its slot. */
function removeMember(store: ShardStore, c: Coll, m: Buffer): boolean {
  const k = subKey(c.id, m);
  const v = store.sub.getBinaryFast(k);
  if (v === undefined) return false;
  const slot = readU64BE(v, 0);
  const last = c.count - 1;
  const lastKey = slotKey(c.id, last);
  if (slot !== last) {
    const lastPart = store.slot.getBinary(lastKey)!;
    store.slot.putSync(slotKey(c.id, slot), lastPart);
    store.sub.putSync(partKey(c.id, lastPart), slotValue(slot));
  }
  store.slot.removeSync(lastKey);
  removeSubKey(store, k);
  c.count--;
  return true;
}

/** Every member of the collection with id `id`, in member byte order. */
function allMembers(store: ShardStore, id: number): Buffer[] {
  const out: Buffer[] = [];
  for (const k of store.sub.getKeys(idRange(id))) out.push(memberOf(store, k as Buffer));
  return out;
}

/** All members of an open set, in the order Redis lists them. */
function listMembers(store: ShardStore, c: Coll): Buffer[] {
  const ms = allMembers(store, c.id);
  return c.flags & F_BIG ? ms : intsetOrder(ms);
}

function replySet(x: { out: ShardExec['out'] }, members: Buffer[]): void {
  x.out.set(members.length);
  for (const m of members) x.out.bulk(m);
}

function randInt(n: number): number {
  return Math.floor(Math.random() * n);
}

/** `k` distinct random elements of `items` (a partial Fisher-Yates shuffle; reorders `items`). */
function pickDistinct<T>(items: T[], k: number): T[] {
  for (let i = 0; i < k; i++) {
    const j = i + randInt(items.length - i);
    const t = items[i];
    items[i] = items[j];
    items[j] = t;
  }
  return items.slice(0, k);
}

/** The member in slot `slot` of the set (see the header: slots 0..count-1 hold every member once). */
function memberAtSlot(store: ShardStore, id: number, slot: number): Buffer {
  const part = store.slot.getBinary(slotKey(id, slot));
  if (part === undefined) throw new Error(`set ${id} has no member in slot ${slot}`);
  return part.length === LONG_PART ? memberOf(store, partKey(id, part)) : part;
}

/**
 * `k` random members of the set: distinct (k < count) or drawn with repetition, exactly uniform.
 * A large part of the set is read whole; otherwise each draw is one lookup of a random slot.
 */
function sample(store: ShardStore, c: Coll, k: number, distinct: boolean): Buffer[] {
  const n = c.count;
  if (k * 4 >= n) {
    const all = allMembers(store, c.id);
    if (distinct) return pickDistinct(all, k);
    const out: Buffer[] = new Array(k);
    for (let i = 0; i < k; i++) out[i] = all[randInt(n)];
    return out;
  }
  const out: Buffer[] = new Array(k);
  if (distinct) {
    const slots = new Set<number>();
    while (slots.size < k) slots.add(randInt(n));
    let i = 0;
    for (const r of slots) out[i++] = memberAtSlot(store, c.id, r);
  } else {
    for (let i = 0; i < k; i++) out[i] = memberAtSlot(store, c.id, randInt(n));
  }
  return out;
}

// ------------------------------------------------------------------------------------------------
// Single-key commands
// ------------------------------------------------------------------------------------------------

function sadd(x: ShardExec, args: Buffer[]): void {
  const c = openOrCreate(x, args[1], T_SET);
  let n = 0;
  for (let i = 2; i < args.length; i++) if (addMember(x.store, c, args[i])) n++;
  if (n > 0) {
    saveColl(x, c);
    x.binlog(args);
  }
  x.out.int(n);
}

function srem(x: ShardExec, args: Buffer[]): void {
  const c = openColl(x, args[1], T_SET);
  let n = 0;
  if (c) {
    for (let i = 2; i < args.length && c.count > 0; i++) if (removeMember(x.store, c, args[i])) n++;
    if (n > 0) {
      saveColl(x, c);
      x.binlog(args);
    }
  }
  x.out.int(n);
}

function scard(x: ShardExec, args: Buffer[]): void {
  const c = openColl(x, args[1], T_SET);
  x.out.int(c ? c.count : 0);
}

function sismember(x: ShardExec, args: Buffer[]): void {
  const c = openColl(x, args[1], T_SET);
  x.out.int(c && isMember(x.store, c.id, args[2]) ? 1 : 0);
}

function smismember(x: ShardExec, args: Buffer[]): void {
  const c = openColl(x, args[1], T_SET);
  x.out.array(args.length - 2);
  for (let i = 2; i < args.length; i++) x.out.int(c && isMember(x.store, c.id, args[i]) ? 1 : 0);
}

function smembers(x: ShardExec, args: Buffer[]): void {
  const c = openColl(x, args[1], T_SET);
  replySet(x, c ? listMembers(x.store, c) : []);
}

function srandmember(x: ShardExec, args: Buffer[]): void {
  if (args.length > 3) throw new RedisError(E.syntax);
  if (args.length === 3) return srandmemberCount(x, args);
  const c = openColl(x, args[1], T_SET);
  if (!c) return x.out.nil();
  x.out.bulk(sample(x.store, c, 1, true)[0]);
}

function srandmemberCount(x: ShardExec, args: Buffer[]): void {
  const n = parseI64(args[2]);
  if (n === null) throw new RedisError(E.notInt);
  if (n < -I64_MAX) throw new RedisError(COUNT_RANGE);
  const c = openColl(x, args[1], T_SET);
  if (!c || n === 0n) return x.out.array(0);
  if (n > 0n) {
    if (n >= BigInt(c.count)) {
      const ms = listMembers(x.store, c);
      x.out.array(ms.length);
      for (const m of ms) x.out.bulk(m);
      return;
    }
    const ms = sample(x.store, c, Number(n), true);
    x.out.array(ms.length);
    for (const m of ms) x.out.bulk(m);
    return;
  }
  // Negative: -n draws, members may repeat.
  if (-n > BigInt(MAX_RANDOM_REPLY)) throw new RedisError(RANDOM_TOO_MANY);
  const ms = sample(x.store, c, Number(-n), false);
  x.out.array(ms.length);
  for (const m of ms) x.out.bulk(m);
}

function spop(x: ShardExec, args: Buffer[]): void {
  if (args.length > 3) throw new RedisError(E.syntax);
  if (args.length === 3) return spopCount(x, args);
  const key = args[1];
  const c = openColl(x, key, T_SET);
  if (!c) return x.out.nil();
  const m = sample(x.store, c, 1, true)[0];
  removeMember(x.store, c, m);
  saveColl(x, c);
  x.binlog([SREM, key, m]);
  x.out.bulk(m);
}

function spopCount(x: ShardExec, args: Buffer[]): void {
  const n = parseI64(args[2]);
  if (n === null || n < 0n) throw new RedisError(MUST_BE_POSITIVE);
  const key = args[1];
  const c = openColl(x, key, T_SET);
  if (!c || n === 0n) return replySet(x, []);
  if (n >= BigInt(c.count)) {
    // The whole set: the key goes away.
    const ms = listMembers(x.store, c);
    c.count = 0;
    saveColl(x, c);
    x.binlog([DEL, key]);
    return replySet(x, ms);
  }
  const k = Number(n);
  const remaining = c.count - k;
  let popped: Buffer[];
  if (k * 4 < c.count) {
    popped = sample(x.store, c, k, true);
  } else {
    const all = allMembers(x.store, c.id);
    popped = pickDistinct(all, k);
    if (remaining * 5 <= k) {
      // Redis re-creates the set from the members it keeps: its encoding starts over.
      c.flags = (c.flags & ~F_BIG) | flagsFor(all.slice(k));
    }
  }
  for (const m of popped) removeMember(x.store, c, m);
  saveColl(x, c);
  x.binlog([SREM, key, ...popped]);
  replySet(x, popped);
}

// ------------------------------------------------------------------------------------------------
// SSCAN
// ------------------------------------------------------------------------------------------------

function sscan(x: ShardExec, args: Buffer[]): void {
  const cursor = parseCursor(args[2]);
  if (cursor === null) throw new RedisError(E.invalidCursor);
  const key = args[1];
  const c = openColl(x, key, T_SET);
  if (!c) return emptyScanReply(x.out);
  const { count, match } = parseScanOptions(args);
  let found: Buffer[];
  let next = 0n;
  if (!(c.flags & F_BIG)) {
    // intset: everything at once, whatever the cursor and COUNT (as Redis).
    found = listMembers(x.store, c);
  } else {
    ({ members: found, next } = scanStep(x.store, c.id, cursor, count, false));
  }
  if (match) found = found.filter((m) => match!(m));
  scanReply(x.out, next, found);
}

// ------------------------------------------------------------------------------------------------
// SMOVE
// ------------------------------------------------------------------------------------------------

/** SMOVE with both keys in this shard. */
function smove(x: ShardExec, args: Buffer[]): void {
  const [, src, dst, member] = args;
  const s = openColl(x, src, T_SET);
  if (!s) return x.out.int(0);
  const d = src.equals(dst) ? s : openColl(x, dst, T_SET);
  if (d === s) return x.out.int(isMember(x.store, s.id, member) ? 1 : 0);
  if (!removeMember(x.store, s, member)) return x.out.int(0);
  saveColl(x, s);
  const to = d ?? openOrCreate(x, dst, T_SET);
  addMember(x.store, to, member);
  saveColl(x, to);
  x.binlog(args);
  x.out.int(1);
}

/** SMOVE across two shards: check both keys, then SREM on the source's shard, SADD on the destination's. */
function smoveCoordinated(ctx: CoordContext, args: Buffer[]): Promise<void> {
  const { shards, out } = ctx;
  const db = ctx.db;
  const [, src, dst, member] = args;
  const sa = shards.of(src);
  const sb = shards.of(dst);
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
    const r = decodeReply(await tx.exec(sa, sremDef, db, [SREM, src, member]));
    if (r instanceof Error) return out.error(r.message);
    if (r !== 1n) return out.int(0);
    const a = decodeReply(await tx.exec(sb, saddDef, db, [SADD, dst, member]));
    if (a instanceof Error) return out.error(a.message);
    out.int(1);
  });
}

// ------------------------------------------------------------------------------------------------
// SINTER SINTERCARD SINTERSTORE SUNION SUNIONSTORE SDIFF SDIFFSTORE
// ------------------------------------------------------------------------------------------------

type Op = 'inter' | 'union' | 'diff';

/** Opens every set (WRONGTYPE for any other type, before anything is read); null for missing keys. */
function openSets(x: ShardExec, keys: Buffer[]): Array<Coll | null> {
  return keys.map((k) => openColl(x, k, T_SET));
}

/** Members of the intersection (stops at `limit` members when > 0). */
function interOf(store: ShardStore, sets: Array<Coll | null>, limit = 0): Buffer[] {
  if (sets.length === 0 || sets.some((s) => !s)) return [];
  const order = (sets as Coll[]).slice().sort((a, b) => a.count - b.count);
  const small = order[0];
  const rest = order.slice(1).filter((s) => s.id !== small.id);
  const out: Buffer[] = [];
  for (const k of store.sub.getKeys(idRange(small.id))) {
    const m = memberOf(store, k as Buffer);
    if (rest.every((s) => isMember(store, s.id, m))) {
      out.push(m);
      if (limit > 0 && out.length >= limit) break;
    }
  }
  return small.flags & F_BIG ? out : intsetOrder(out);
}

/** Members of the union, each once. */
function unionOf(store: ShardStore, sets: Array<Coll | null>): Buffer[] {
  const present = sets.filter((s): s is Coll => s !== null);
  const ids = [...new Set(present.map((s) => s.id))];
  if (ids.length === 0) return [];
  if (ids.length === 1) return intsetOrder(allMembers(store, ids[0]));
  const seen = new Map<string, Buffer>();
  for (const id of ids) {
    for (const k of store.sub.getKeys(idRange(id))) {
      const m = memberOf(store, k as Buffer);
      const s = m.toString('latin1');
      if (!seen.has(s)) seen.set(s, m);
    }
  }
  return intsetOrder([...seen.values()]);
}

/** Members of the first set that are in none of the others. */
function diffOf(store: ShardStore, sets: Array<Coll | null>): Buffer[] {
  const first = sets[0];
  if (!first) return [];
  const others = sets.slice(1).filter((s): s is Coll => s !== null);
  const out: Buffer[] = [];
  for (const k of store.sub.getKeys(idRange(first.id))) {
    const m = memberOf(store, k as Buffer);
    if (!others.some((s) => isMember(store, s.id, m))) out.push(m);
  }
  return intsetOrder(out);
}

function compute(op: Op, store: ShardStore, sets: Array<Coll | null>): Buffer[] {
  return op === 'inter' ? interOf(store, sets) : op === 'union' ? unionOf(store, sets) : diffOf(store, sets);
}

/**
 * Replaces `key` in x.db by a new set of the given distinct members (deletes it when there are
 * none). Returns false when nothing changed (no members and no key).
 */
function writeSet(x: ShardExec, key: Buffer, members: Buffer[]): boolean {
  const f = x.store.find(x.db, key, x.now);
  if (members.length === 0) {
    if (!f.meta) return false;
    x.store.remove(x.db, f.meta);
    return true;
  }
  const c = newColl(x, key, f.mk, T_SET);
  for (let i = 0; i < members.length; i++) putInSlot(x.store, c.id, i, members[i]);
  c.count = members.length;
  c.flags = flagsFor(members);
  replaceWith(x, c, f.meta);
  return true;
}

/** SINTER / SUNION / SDIFF with every key in this shard. */
function algebra(op: Op) {
  return (x: ShardExec, args: Buffer[]): void => {
    const sets = openSets(x, args.slice(1));
    replySet(x, compute(op, x.store, sets));
  };
}

/** SINTERSTORE / SUNIONSTORE / SDIFFSTORE with every key in this shard. */
function algebraStore(op: Op) {
  return (x: ShardExec, args: Buffer[]): void => {
    const sets = openSets(x, args.slice(2));
    const members = compute(op, x.store, sets);
    if (writeSet(x, args[1], members)) x.binlog(args);
    x.out.int(members.length);
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
  const sets = openSets(x, args.slice(2, 2 + o.nkeys));
  x.out.int(interOf(x.store, sets, o.limit).length);
}

// ---- across shards

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
async function gather(tx: Tx, ctx: CoordContext, op: Op, keys: Buffer[]): Promise<Buffer[]> {
  const db = ctx.db;
  const parts = byShard(ctx, keys);
  const shardOf = (k: Buffer) => ctx.shards.of(k);
  if (op === 'union') {
    const replies = await Promise.all([...parts].map(([s, ks]) => tx.exec(s, setUnionDef, db, [SET_UNION, ...ks])));
    const seen = new Map<string, Buffer>();
    const lists = replies.map((r) => membersOf(decodeReply(r)));
    for (const list of lists) {
      for (const m of list) {
        const s = m.toString('latin1');
        if (!seen.has(s)) seen.set(s, m);
      }
    }
    return intsetOrder([...seen.values()]);
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

function algebraCoordinated(op: Op) {
  return (ctx: CoordContext, args: Buffer[]): Promise<void> => {
    const keys = args.slice(1);
    return ctx.shards.locked(shardsOf(ctx, keys), async (tx) => {
      const members = await gather(tx, ctx, op, keys);
      replySet(ctx, members);
    });
  };
}

function algebraStoreCoordinated(op: Op) {
  return (ctx: CoordContext, args: Buffer[]): Promise<void> => {
    const dst = args[1];
    const keys = args.slice(2);
    return ctx.shards.locked(shardsOf(ctx, args.slice(1)), async (tx) => {
      const members = await gather(tx, ctx, op, keys);
      const r = check(decodeReply(await tx.exec(ctx.shards.of(dst), setStoreDef, ctx.db, [SET_STORE, dst, ...members])));
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
  const sets = openSets(x, args.slice(1));
  x.out.array(sets.length);
  for (const s of sets) x.out.int(s ? s.count : 0);
}

/** set-union key...: the members of the union of the keys; WRONGTYPE if any is not a set. */
function setUnion(x: ShardExec, args: Buffer[]): void {
  const m = unionOf(x.store, openSets(x, args.slice(1)));
  x.out.array(m.length);
  for (const b of m) x.out.bulk(b);
}

/** set-inter|set-diff n key1..keyn member...: the given members in every key / in none of them. */
function setFilter(op: 'inter' | 'diff') {
  return (x: ShardExec, args: Buffer[]): void => {
    const n = Number(args[1].toString('latin1'));
    const sets = openSets(x, args.slice(2, 2 + n));
    const out: Buffer[] = [];
    const missing = sets.some((s) => !s);
    if (!(op === 'inter' && missing)) {
      const present = sets.filter((s): s is Coll => s !== null);
      for (let i = 2 + n; i < args.length; i++) {
        const m = args[i];
        const keep = op === 'inter' ? present.every((s) => isMember(x.store, s.id, m)) : !present.some((s) => isMember(x.store, s.id, m));
        if (keep) out.push(m);
      }
    }
    x.out.array(out.length);
    for (const b of out) x.out.bulk(b);
  };
}

/** Binlog records re-creating a set: SADD key in chunks. */
function logMembers(x: StoreCtx, key: Buffer, members: Buffer[]): void {
  for (let i = 0; i < members.length; i += LOG_CHUNK) x.binlog([SADD, key, ...members.slice(i, i + LOG_CHUNK)]);
}

/** set-store dst member...: dst becomes the set of the given distinct members; replies their count. */
function setStore(x: ShardExec, args: Buffer[]): void {
  const dst = args[1];
  const members = args.slice(2);
  const existed = x.store.get(x.db, dst, x.now, false) !== null;
  if (writeSet(x, dst, members)) {
    if (existed) x.binlog([DEL, dst]);
    logMembers(x, dst, members);
  }
  x.out.int(members.length);
}

// ------------------------------------------------------------------------------------------------
// Key type operations: OBJECT ENCODING, COPY, cross-shard RENAME / COPY
// ------------------------------------------------------------------------------------------------

keyTypeOps[T_SET] = {
  encoding(m: Meta) {
    return payload(m)[16] & F_BIG ? 'hashtable' : 'intset';
  },
  refcount() {
    return 1;
  },
  // Redis's setDup keeps the encoding (the flags travel with the record)
  copy: copyCollection,
  dump(store, m) {
    // [flags u8][count u64 BE] then per member: [u32 length][member]
    const p = payload(m);
    const parts: Buffer[] = [Buffer.from([p[16]]), Buffer.from(p.subarray(8, 16))];
    for (const mem of allMembers(store, readU64BE(p, 0))) {
      const h = Buffer.allocUnsafe(4);
      h.writeUInt32BE(mem.length, 0);
      parts.push(h, mem);
    }
    return Buffer.concat(parts);
  },
  restore(x, key, to, dump, expire) {
    // A moved or copied set keeps its encoding, as RENAME and COPY do in Redis.
    const flags = dump[0];
    const count = readU64BE(dump, 1);
    const id = x.store.allocId();
    const members: Buffer[] = [];
    let off = 9;
    while (off < dump.length) {
      const len = dump.readUInt32BE(off);
      const m = dump.subarray(off + 4, off + 4 + len);
      off += 4 + len;
      putInSlot(x.store, id, members.length, m);
      members.push(m);
    }
    if (members.length !== count) throw new Error(`set dump holds ${members.length} members, its header says ${count}`);
    const raw = encodeMeta(T_SET, readU64BE(expire, 0), x.store.longKey(key), collBody(id, count, flags));
    expire.copy(raw, 2, 0, 8);
    x.store.put(x.db, to.mk, raw, to.meta, true);
    x.binlog([DEL, key]);
    logMembers(x, key, members);
    const at = expire.readBigUInt64BE(0);
    if (at !== 0n) x.binlog([PEXPIREAT, key, Buffer.from(String(at))]);
  },
};

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
const RANDOM_TIPS = ['nondeterministic_output'];

const saddDef = cmd({
  name: 'sadd', arity: -3, flags: ['write', 'denyoom', 'fast'], acl: ['set'], shard: sadd,
  keySpecs: [spec(['RW', 'insert'])],
  summary: 'Add one or more members to a set', since: '1.0.0', ...S,
  complexity: 'O(1) for each element added, so O(N) to add N elements when the command is called with multiple arguments.',
});

const sremDef = cmd({
  name: 'srem', arity: -3, flags: ['write', 'fast'], acl: ['set'], shard: srem,
  keySpecs: [spec(['RW', 'delete'])],
  summary: 'Remove one or more members from a set', since: '1.0.0', ...S, complexity: 'O(N) where N is the number of members to be removed.',
});

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
  name: 'set-store', capturedReply: (args) => args.length - 2, arity: -2, flags: ['write'], shard: setStore, ...internalSpec,
  summary: 'Internal: replaces a key by a set of the given members.',
});

export const setCommands: CommandDef[] = [
  saddDef,
  sremDef,
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
  cmd({
    name: 'smove', arity: 4, flags: ['write', 'fast'], acl: ['set'], shard: smove, coordinated: smoveCoordinated,
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
  cmd({
    name: 'sscan', slowWork: scanWork, arity: -3, flags: ['readonly'], acl: ['set'], shard: sscan, slow: true,
    keySpecs: [spec(['RO', 'access'])], tips: RANDOM_TIPS,
    summary: 'Incrementally iterate Set elements', since: '2.8.0', ...S,
    complexity: 'O(1) for every call. O(N) for a complete iteration, including enough command calls for the cursor to return back to 0. N is the number of elements inside the collection..',
  }),
  setCardsDef,
  setUnionDef,
  setInterDef,
  setDiffDef,
  setStoreDef,
];
