// Sets in a shard's store: membership, adds and removals that keep the members' slot numbering
// dense, random draws, SSCAN steps, SMOVE within the shard, and the set type's key operations.
// The algebra over the shard's sets (SINTER SUNION SDIFF, their *STORE, the cross-shard steps)
// is lib/store/set-algebra.ts; arguments and replies are lib/commands/set.ts.
//
// Layout, on the collections of lib/store/collections.ts: one meta record per key (id, member
// count, flags) and, per member,
//
//   sub   [id u64 BE][member part]  -> the member's slot (u64 BE)
//   slot  [id u64 BE][slot u64 BE]  -> the member part
//
// (a member longer than collections.INLINE_MAX stands in keys as its long part, the member itself
// in `long`).
//
// - Dense slots: slots 0..count-1 hold every member exactly once, so SRANDMEMBER and SPOP draw
//   exactly uniformly with one lookup per draw (a random slot below the count). Adding a member
//   takes slot `count`; removing one moves the member of the last slot into the freed one: one
//   read and three writes more per removal, one write more per addition (Redis's own tables are
//   sampled by random buckets).
// - Member order: SMEMBERS, SSCAN, the algebra and SPOP/SRANDMEMBER with a count larger than the
//   set list the members of a set Redis would keep as an intset (at most 512 members, all
//   integers) in numeric order, as Redis does; other sets in member byte order (Redis: hash order;
//   documented as nondeterministic_output_order).
// - OBJECT ENCODING: intset while every member is an integer Redis accepts (string2ll) and there
//   are at most 512 members (set-max-intset-entries), else hashtable (F_BIG), and never back,
//   except where Redis builds a new set: the *STORE destinations, and SPOP with a count that
//   leaves at most a fifth of the popped count (Redis re-creates the remaining set). COPY, RENAME
//   and MOVE keep it.
// - Binlog: SADD / SREM / SMOVE as sent (deterministic), SPOP as SREM of the popped members (DEL
//   when it empties the set); a set re-created on another shard as DEL + SADD of its members.

import type { StoreCtx } from './context.js';
import type { KeyTypeOps } from './key-ops.js';
import type { Found, ShardStore } from './shard-store.js';
import { RedisError } from '../errors.js';
import { T_SET, payload, type Meta } from './meta.js';
import { readU64BE, writeU64BE } from './keys.js';
import { F_BIG, type Coll, collBody, copyCollection, logRestoredExpiry, packItems, putRestored, unpackItems, idRange, LONG_PART, memberOf, openColl, openOrCreate, partKey, putMember, putMemberIfAbsent, removeSubKey, saveColl, subKey } from './collections.js';
import { scanStep } from './collection-scan.js';
import { parseI64 } from '../resp/number.js';
import { DEL } from './effects.js';
import { EV } from './key-events.js';
import { pickDistinct, randInt } from './random.js';

/** Redis 7.0 default set-max-intset-entries. */
export const INTSET_MAX = 512;
/** Largest SRANDMEMBER reply with a negative count (Redis would try, and run out of memory). */
export const MAX_RANDOM_REPLY = 1 << 24;
/** Members per SADD record when a whole set is written to the binlog. */
const LOG_CHUNK = 1000;

export const SADD = Buffer.from('SADD');
export const SREM = Buffer.from('SREM');

const RANDOM_TOO_MANY = `ERR SRANDMEMBER count is too large (respdb answers at most ${MAX_RANDOM_REPLY} members)`;

// ------------------------------------------------------------------------------------------------
// Encoding and order
// ------------------------------------------------------------------------------------------------

/** A member an intset can hold (Redis's string2ll). */
export function isInt(m: Buffer): boolean {
  return m.length <= 20 && parseI64(m) !== null;
}

/** F_BIG when a set built from scratch with these (distinct) members would be a hashtable. */
export function flagsFor(members: Buffer[]): number {
  if (members.length > INTSET_MAX) return F_BIG;
  for (const m of members) if (!isInt(m)) return F_BIG;
  return 0;
}

/**
 * Members in the order Redis would list them: an intset (at most 512 integers) in numeric order;
 * anything else as it is (Redis: hash order).
 */
export function intsetOrder(members: Buffer[]): Buffer[] {
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

// ------------------------------------------------------------------------------------------------
// Members and their slots
// ------------------------------------------------------------------------------------------------

/** The set at `key` in x.db: null when missing; throws WRONGTYPE for another type. */
export function openSet(x: StoreCtx, key: Buffer): Coll | null {
  return openColl(x, key, T_SET);
}

export function isMember(store: ShardStore, id: number, m: Buffer): boolean {
  return store.sub.getBinaryFast(subKey(id, m)) !== undefined;
}

/** [id u64 BE][slot u64 BE]: a set's slot entry. */
export function slotKey(id: number, slot: number): Buffer {
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

/**
 * Stores a member known to be absent in slot `slot` (the set's count before it is added);
 * `key`: its subkey, when the caller has it already.
 */
export function putInSlot(store: ShardStore, id: number, slot: number, m: Buffer, key?: Buffer): void {
  const k = putMember(store, id, m, slotValue(slot), key);
  store.slot.putSync(slotKey(id, slot), k.subarray(8));
}

/** Adds a member (true when it was not there), keeping count and encoding. */
export function addMember(store: ShardStore, c: Coll, m: Buffer): boolean {
  const k = subKey(c.id, m);
  if (!putMemberIfAbsent(store, m, slotValue(c.count), k)) return false;
  store.slot.putSync(slotKey(c.id, c.count), k.subarray(8));
  c.count++;
  if (!(c.flags & F_BIG) && (c.count > INTSET_MAX || !isInt(m))) c.flags |= F_BIG;
  return true;
}

/** Removes a member (true when it was there); the member of the last slot moves into its slot. */
export function removeMember(store: ShardStore, c: Coll, m: Buffer): boolean {
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
export function allMembers(store: ShardStore, id: number): Buffer[] {
  const out: Buffer[] = [];
  for (const k of store.sub.getKeys(idRange(id))) out.push(memberOf(store, k as Buffer));
  return out;
}

/** All members of an open set, in the order Redis lists them. */
export function listMembers(store: ShardStore, c: Coll): Buffer[] {
  const ms = allMembers(store, c.id);
  return c.flags & F_BIG ? ms : intsetOrder(ms);
}

/**
 * Binlog records re-creating a set: SADD key in chunks; `event` (an EV id) is the change's, on
 * the first chunk (default: each chunk's own sadd).
 */
export function logMembers(x: StoreCtx, key: Buffer, members: Buffer[], event?: number): void {
  for (let i = 0; i < members.length; i += LOG_CHUNK) x.binlog([SADD, key, ...members.slice(i, i + LOG_CHUNK)], event === undefined ? undefined : i === 0 ? event : EV.none);
}

// ------------------------------------------------------------------------------------------------
// Random draws
// ------------------------------------------------------------------------------------------------

/** The member in slot `slot` of the set (slots 0..count-1 hold every member once). */
function memberAtSlot(store: ShardStore, id: number, slot: number): Buffer {
  const part = store.slot.getBinary(slotKey(id, slot));
  if (part === undefined) throw new Error(`set ${id} has no member in slot ${slot}`);
  return part.length === LONG_PART ? memberOf(store, partKey(id, part)) : part;
}

/**
 * `k` random members of the set: distinct (k < count) or drawn with repetition, exactly uniform.
 * A large part of the set is read whole; otherwise each draw is one lookup of a random slot.
 */
export function sample(store: ShardStore, c: Coll, k: number, distinct: boolean): Buffer[] {
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
// The commands' data work
// ------------------------------------------------------------------------------------------------

/**
 * SADD: adds cmd[2..] to the set at cmd[1] (created when missing); returns how many were not
 * there. `cmd` is the command as sent, logged as it is when it added anything (deterministic).
 */
export function addMembers(x: StoreCtx, cmd: Buffer[]): number {
  const c = openOrCreate(x, cmd[1], T_SET);
  let n = 0;
  for (let i = 2; i < cmd.length; i++) if (addMember(x.store, c, cmd[i])) n++;
  if (n > 0) {
    saveColl(x, c);
    x.binlog(cmd);
  }
  return n;
}

/**
 * SREM: removes cmd[2..] from the set at cmd[1] (deleted when emptied); returns how many were
 * there. `cmd` is logged as sent when it removed anything.
 */
export function removeMembers(x: StoreCtx, cmd: Buffer[]): number {
  const c = openSet(x, cmd[1]);
  let n = 0;
  if (c) {
    for (let i = 2; i < cmd.length && c.count > 0; i++) if (removeMember(x.store, c, cmd[i])) n++;
    if (n > 0) {
      saveColl(x, c);
      x.binlog(cmd);
    }
  }
  return n;
}

/** SCARD: the number of members (0 for a missing key). */
export function cardinality(x: StoreCtx, key: Buffer): number {
  const c = openSet(x, key);
  return c ? c.count : 0;
}

/** SISMEMBER */
export function hasMember(x: StoreCtx, key: Buffer, m: Buffer): boolean {
  const c = openSet(x, key);
  return c !== null && isMember(x.store, c.id, m);
}

/** SMEMBERS: every member, in the order Redis lists them (none for a missing key). */
export function members(x: StoreCtx, key: Buffer): Buffer[] {
  const c = openSet(x, key);
  return c ? listMembers(x.store, c) : [];
}

/** SRANDMEMBER key: one member drawn uniformly, null for a missing key. */
export function randomMember(x: StoreCtx, key: Buffer): Buffer | null {
  const c = openSet(x, key);
  return c ? sample(x.store, c, 1, true)[0] : null;
}

/**
 * SRANDMEMBER key count: `count` distinct members (all of them, in listing order, when the set
 * has no more), or for a negative count -count draws that may repeat. Throws for a negative count
 * beyond MAX_RANDOM_REPLY on an existing set.
 */
export function randomMembers(x: StoreCtx, key: Buffer, count: bigint): Buffer[] {
  const c = openSet(x, key);
  if (!c || count === 0n) return [];
  if (count > 0n) return count >= BigInt(c.count) ? listMembers(x.store, c) : sample(x.store, c, Number(count), true);
  if (-count > BigInt(MAX_RANDOM_REPLY)) throw new RedisError(RANDOM_TOO_MANY);
  return sample(x.store, c, Number(-count), false);
}

/** SPOP key: removes and returns a member drawn uniformly (null for a missing key); logs SREM of it. */
export function popMember(x: StoreCtx, key: Buffer): Buffer | null {
  const c = openSet(x, key);
  if (!c) return null;
  const m = sample(x.store, c, 1, true)[0];
  removeMember(x.store, c, m);
  saveColl(x, c);
  x.binlog([SREM, key, m], EV.spop);
  return m;
}

/**
 * SPOP key count: removes and returns `count` distinct members drawn uniformly (the whole set, in
 * listing order, when it has no more: the key goes away, logged as DEL); logs SREM of the popped
 * members.
 */
export function popMembers(x: StoreCtx, key: Buffer, count: bigint): Buffer[] {
  const c = openSet(x, key);
  if (!c || count === 0n) return [];
  if (count >= BigInt(c.count)) {
    const ms = listMembers(x.store, c);
    c.count = 0;
    saveColl(x, c);
    x.binlog([DEL, key], EV.spop);
    return ms;
  }
  const k = Number(count);
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
  x.binlog([SREM, key, ...popped], EV.spop);
  return popped;
}

/**
 * One SSCAN step over an open set: an intset comes back whole with cursor 0 (as in Redis); a
 * hashtable is walked in member order, `count` members per step, its position in this shard's
 * cursor table (next: 0 when the walk is done).
 */
export function scanSet(store: ShardStore, c: Coll, cursor: bigint, count: number): { members: Buffer[]; next: bigint } {
  if (!(c.flags & F_BIG)) return { members: listMembers(store, c), next: 0n };
  return scanStep(store, c.id, cursor, count, false);
}

/**
 * SMOVE with both keys in this shard (cmd: SMOVE src dst member, logged as sent when it moves):
 * 1 when the member was moved (or src = dst holds it), else 0. WRONGTYPE for src, then for dst,
 * only when src exists.
 */
export function moveMember(x: StoreCtx, cmd: Buffer[]): number {
  const src = cmd[1];
  const dst = cmd[2];
  const member = cmd[3];
  const s = openSet(x, src);
  if (!s) return 0;
  const d = src.equals(dst) ? s : openSet(x, dst);
  if (d === s) return isMember(x.store, s.id, member) ? 1 : 0;
  if (!removeMember(x.store, s, member)) return 0;
  saveColl(x, s);
  const to = d ?? openOrCreate(x, dst, T_SET);
  const added = addMember(x.store, to, member);
  saveColl(x, to);
  // Redis: srem on the source, sadd on the destination only when the member was not there yet
  x.binlog(cmd, added ? undefined : EV.srem);
  return 1;
}

// ------------------------------------------------------------------------------------------------
// Key type operations: OBJECT ENCODING, COPY, cross-shard RENAME / COPY
// ------------------------------------------------------------------------------------------------

export const setKeyType: KeyTypeOps = {
  encoding(m: Meta) {
    return payload(m)[16] & F_BIG ? 'hashtable' : 'intset';
  },
  refcount() {
    return 1;
  },
  // Redis's setDup keeps the encoding (the flags travel with the record); the slots are copied
  // with the members (copyCollection copies every member db of the type).
  copy: copyCollection,
  dump(store, m) {
    // [flags u8][count u64 BE] then the members (packItems)
    const p = payload(m);
    return packItems(Buffer.concat([Buffer.from([p[16]]), p.subarray(8, 16)]), allMembers(store, readU64BE(p, 0)));
  },
  restore(x, key, to, dump, expire) {
    // A moved or copied set keeps its encoding, as RENAME and COPY do in Redis.
    const count = readU64BE(dump, 1);
    const members = unpackItems(dump, 9);
    if (members.length !== count) throw new Error(`set dump holds ${members.length} members, its header says ${count}`);
    restoreSet(x, key, to, dump[0], members, expire);
  },
};

/**
 * Writes a whole set as `key` over `to` (distinct members, at least one) with the given flags and
 * exact expiry bytes; logs DEL, SADD of the members (+ PEXPIREAT). Throws on a repeated member,
 * before anything is committed.
 */
export function restoreSet(x: StoreCtx, key: Buffer, to: Found, flags: number, members: Buffer[], expire: Buffer): void {
  const c: Coll = { key, mk: to.mk, old: null, type: T_SET, id: x.store.allocId(), count: 0, flags, extra: Buffer.alloc(0) };
  for (const m of members) if (!addMember(x.store, c, m)) throw new RedisError('ERR Bad data format');
  c.flags = flags;
  putRestored(x, key, to, T_SET, collBody(c.id, c.count, flags), expire);
  x.binlog([DEL, key]);
  logMembers(x, key, members);
  logRestoredExpiry(x, key, expire);
}
