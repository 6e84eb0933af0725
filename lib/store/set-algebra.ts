// Set algebra over the sets of one shard (SINTER SUNION SDIFF SINTERCARD and the *STORE forms
// when every key lives here), the steps a cross-shard set command runs on each shard it holds
// (cardinalities, a shard's union, narrowing candidate members), and writing a result set.
//
// - Every key is opened (WRONGTYPE for any other type) before anything is read, so a wrong type
//   wins over an empty result, as in Redis.
// - SINTER walks the smallest set and looks each member up in the others; SDIFF walks the first.
// - A result set is written under a fresh id, members in slots 0..n-1, with the encoding Redis
//   gives a set it builds from scratch (intset for at most 512 integers); it replaces whatever
//   the destination held, whose members become garbage.

import type { StoreCtx } from './context.js';
import type { ShardStore } from './shard-store.js';
import { T_SET } from './meta.js';
import { type Coll, idRange, memberOf, newColl, replaceWith, F_BIG } from './collections.js';
import { allMembers, flagsFor, intsetOrder, isMember, logMembers, openSet, putInSlot } from './set.js';
import { DEL } from './effects.js';
import { EV } from './key-events.js';

/** The event of each *STORE's destination (its `del` when the result is empty). */
const STORE_EVENT = { inter: EV.sinterstore, union: EV.sunionstore, diff: EV.sdiffstore };

export type SetOp = 'inter' | 'union' | 'diff';

/** Opens every set (WRONGTYPE for any other type, before anything is read); null for missing keys. */
export function openSets(x: StoreCtx, keys: Buffer[]): Array<Coll | null> {
  return keys.map((k) => openSet(x, k));
}

/** Members of the intersection (stops at `limit` members when > 0). */
export function interOf(store: ShardStore, sets: Array<Coll | null>, limit = 0): Buffer[] {
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
export function unionOf(store: ShardStore, sets: Array<Coll | null>): Buffer[] {
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
export function diffOf(store: ShardStore, sets: Array<Coll | null>): Buffer[] {
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

/** The union of member lists gathered from several shards, each member once, in listing order. */
export function mergeUnion(lists: Buffer[][]): Buffer[] {
  const seen = new Map<string, Buffer>();
  for (const list of lists) {
    for (const m of list) {
      const s = m.toString('latin1');
      if (!seen.has(s)) seen.set(s, m);
    }
  }
  return intsetOrder([...seen.values()]);
}

function compute(op: SetOp, store: ShardStore, sets: Array<Coll | null>): Buffer[] {
  return op === 'inter' ? interOf(store, sets) : op === 'union' ? unionOf(store, sets) : diffOf(store, sets);
}

/** SINTER / SUNION / SDIFF of keys in this shard: the members of the result. */
export function combine(x: StoreCtx, op: SetOp, keys: Buffer[]): Buffer[] {
  return compute(op, x.store, openSets(x, keys));
}

/**
 * SINTERSTORE / SUNIONSTORE / SDIFFSTORE with every key in this shard (cmd: the command as sent,
 * destination cmd[1], sources cmd[2..], logged as sent when it changed anything): the size of the
 * result.
 */
export function combineInto(x: StoreCtx, op: SetOp, cmd: Buffer[]): number {
  // Redis looks the sources up as reads
  const members = x.store.asReads(() => combine(x, op, cmd.slice(2)));
  if (writeSet(x, cmd[1], members)) x.binlog(cmd, members.length > 0 ? STORE_EVENT[op] : EV.del);
  return members.length;
}

/** SINTERCARD of keys in this shard: the size of the intersection, at most `limit` when > 0. */
export function interCard(x: StoreCtx, keys: Buffer[], limit: number): number {
  return interOf(x.store, openSets(x, keys), limit).length;
}

/**
 * Replaces `key` in x.db by a new set of the given distinct members (deletes it when there are
 * none). Returns false when nothing changed (no members and no key). No binlog.
 */
export function writeSet(x: StoreCtx, key: Buffer, members: Buffer[]): boolean {
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

// ------------------------------------------------------------------------------------------------
// Steps of a set command whose keys span shards (run on each shard it holds)
// ------------------------------------------------------------------------------------------------

/** The cardinality of each key (0 when missing); WRONGTYPE if any is not a set. */
export function cardinalities(x: StoreCtx, keys: Buffer[]): number[] {
  return openSets(x, keys).map((s) => (s ? s.count : 0));
}

/** The members of the union of the keys; WRONGTYPE if any is not a set. */
export function unionOfKeys(x: StoreCtx, keys: Buffer[]): Buffer[] {
  return unionOf(x.store, openSets(x, keys));
}

/**
 * The candidates that are in every one of the keys ('inter': none when a key is missing) or in
 * none of them ('diff'), in their order; WRONGTYPE if any key is not a set.
 */
export function filterMembers(x: StoreCtx, op: 'inter' | 'diff', keys: Buffer[], candidates: Buffer[]): Buffer[] {
  const sets = openSets(x, keys);
  const out: Buffer[] = [];
  if (op === 'inter' && sets.some((s) => !s)) return out;
  const present = sets.filter((s): s is Coll => s !== null);
  for (const m of candidates) {
    const keep = op === 'inter' ? present.every((s) => isMember(x.store, s.id, m)) : !present.some((s) => isMember(x.store, s.id, m));
    if (keep) out.push(m);
  }
  return out;
}

/**
 * The destination of a cross-shard *STORE: `key` becomes the set of the given distinct members
 * (deleted when there are none); logged as DEL (when the key existed) and SADD of the members.
 * `event`: the command's (sinterstore...), or `del` for an empty result. Returns the number of
 * members.
 */
export function replaceSet(x: StoreCtx, key: Buffer, members: Buffer[], event: number): number {
  const existed = x.store.get(x.db, key, x.now, false) !== null;
  if (writeSet(x, key, members)) {
    if (existed) x.binlog([DEL, key], members.length > 0 ? EV.none : EV.del);
    logMembers(x, key, members, event);
  }
  return members.length;
}
