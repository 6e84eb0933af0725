// The data work of ZUNION / ZINTER / ZDIFF [STORE] and ZINTERCARD: Redis's
// zunionInterDiffGenericCommand over sources that are sorted sets or plain sets (members of a set
// score 1). ZINTER / ZDIFF load only the first (smallest) source and look the candidates up in the
// others. The algorithm is a generator that asks for source data (a whole source, or the scores of
// some members in one), so the same code serves a shard holding every source (runSetOp) and the
// coordinated path across shards (lib/commands/zset-multi.ts), which answers through the internal
// steps zset-all / zset-lookup (sourceMembers / sourceScores here).

import type { StoreCtx } from './context.js';
import type { ShardStore } from './shard-store.js';
import { T_SET, T_ZSET, payload } from './meta.js';
import { readU64BE } from './keys.js';
import { WrongTypeError, collOf, idRange, memberOf, subKey, type Coll } from './collections.js';
import { allEntries, type Entries } from './zset.js';
import { encodingLimits } from './encoding-limits.js';

export const enum SetOp {
  Union,
  Inter,
  Diff,
}

export const enum Agg {
  Sum,
  Min,
  Max,
}

/** A source as the algorithm sees it: type (-1 missing, T_ZSET, T_SET) and size. */
export interface SrcInfo {
  type: number;
  count: number;
}

export type Need = { all: number } | { lookup: number; members: Buffer[] };
export type Answer = Entries | Array<number | null>;

function aggregate(target: number, val: number, agg: Agg): number {
  if (agg === Agg.Sum) {
    const t = target + val;
    return Number.isNaN(t) ? 0 : t;
  }
  if (agg === Agg.Min) return val < target ? val : target;
  return val > target ? val : target;
}

/**
 * zunionInterDiffGenericCommand's algorithm over sources known by type and size; it asks for a
 * whole source ({all}) or the scores of some members in one ({lookup}). Union and inter visit
 * the sources from the smallest (a stable sort, as glibc's qsort is), which fixes the order of
 * floating point sums. Returns the result members and scores (unsorted).
 */
export function* setOpAlgo(op: SetOp, srcs: SrcInfo[], weights: number[], agg: Agg): Generator<Need, Entries, Answer> {
  const n = srcs.length;
  const order = srcs.map((_, i) => i);
  if (op !== SetOp.Diff) order.sort((a, b) => srcs[a].count - srcs[b].count);
  if (op === SetOp.Union) {
    const acc = new Map<string, number>();
    const members = new Map<string, Buffer>();
    for (const i of order) {
      if (srcs[i].count === 0) continue;
      const all = (yield { all: i }) as Entries;
      const w = weights[i];
      for (let k = 0; k < all.ms.length; k++) {
        let v = w * all.ss[k];
        if (Number.isNaN(v)) v = 0;
        const id = all.ms[k].toString('latin1');
        const cur = acc.get(id);
        if (cur === undefined) {
          acc.set(id, v);
          members.set(id, all.ms[k]);
        } else acc.set(id, aggregate(cur, v, agg));
      }
    }
    const ms: Buffer[] = [];
    const ss: number[] = [];
    for (const [id, v] of acc) {
      ms.push(members.get(id)!);
      ss.push(v);
    }
    return { ms, ss };
  }
  const first = order[0];
  if (srcs[first].count === 0) return { ms: [], ss: [] };
  const all = (yield { all: first }) as Entries;
  let ms = all.ms;
  let ss = all.ss;
  if (op === SetOp.Inter) {
    const w = weights[first];
    ss = ss.map((s) => {
      const v = w * s;
      return Number.isNaN(v) ? 0 : v;
    });
  }
  for (let j = 1; j < n && ms.length > 0; j++) {
    const src = order[j];
    if (op === SetOp.Diff && srcs[src].count === 0) continue;
    const found = (yield { lookup: src, members: ms }) as Array<number | null>;
    const nms: Buffer[] = [];
    const nss: number[] = [];
    for (let k = 0; k < ms.length; k++) {
      const f = found[k];
      if (op === SetOp.Inter) {
        if (f === null) continue;
        nms.push(ms[k]);
        nss.push(aggregate(ss[k], f * weights[src], agg));
      } else if (f === null) {
        nms.push(ms[k]);
        nss.push(ss[k]);
      }
    }
    ms = nms;
    ss = nss;
  }
  return { ms, ss };
}

/** A result sorted by score, then member (the skiplist order). */
export function sortByScore(e: Entries): Entries {
  const idx = e.ms.map((_, i) => i);
  idx.sort((a, b) => e.ss[a] - e.ss[b] || Buffer.compare(e.ms[a], e.ms[b]));
  return { ms: idx.map((i) => e.ms[i]), ss: idx.map((i) => e.ss[i]) };
}

/**
 * The encoding of a *STORE result of a set operation: Redis builds a skiplist and converts it to
 * a listpack when small, which turns -0 into 0 (done here, in place). True: a skiplist.
 */
export function storeEncoding(e: Entries): boolean {
  let maxlen = 0;
  for (const m of e.ms) if (m.length > maxlen) maxlen = m.length;
  const big = e.ms.length > encodingLimits.zsetMaxListpackEntries || maxlen > encodingLimits.zsetMaxListpackValue;
  if (!big) for (let i = 0; i < e.ss.length; i++) if (e.ss[i] === 0) e.ss[i] = 0;
  return big;
}

// ------------------------------------------------------------------------------------------------
// Sources in this shard
// ------------------------------------------------------------------------------------------------

/** A source in this shard: type and size, WRONGTYPE for anything but a sorted set or a set. */
function openSource(x: StoreCtx, key: Buffer): { info: SrcInfo; c: Coll | null } {
  const f = x.store.find(x.db, key, x.now);
  if (!f.meta) return { info: { type: -1, count: 0 }, c: null };
  if (f.meta.type !== T_ZSET && f.meta.type !== T_SET) throw new WrongTypeError();
  const c = collOf(key, f.meta);
  return { info: { type: c.type, count: c.count }, c };
}

/** Every member of a sorted set or a set (score 1). */
function sourceAll(store: ShardStore, c: Coll): Entries {
  if (c.type === T_ZSET) return allEntries(store, c);
  const ms: Buffer[] = [];
  const { start, end } = idRange(c.id);
  for (const key of store.sub.getKeys({ start, end })) ms.push(memberOf(store, key as Buffer));
  return { ms, ss: new Array<number>(ms.length).fill(1) };
}

function sourceLookup(store: ShardStore, c: Coll | null, members: Buffer[]): Array<number | null> {
  return members.map((m) => {
    if (!c) return null;
    const v = store.sub.getBinary(subKey(c.id, m));
    if (v === undefined) return null;
    return c.type === T_ZSET ? v.readDoubleBE(0) : 1;
  });
}

/** The sources of a set operation in this shard, opened (type-checked) in key order. */
export interface LocalSources {
  infos: SrcInfo[];
  colls: Array<Coll | null>;
}

/** Opens the sources (WRONGTYPE for anything but a sorted set or a set), before the options are parsed, as Redis does. */
export function openSources(x: StoreCtx, keys: Buffer[]): LocalSources {
  const infos: SrcInfo[] = [];
  const colls: Array<Coll | null> = [];
  for (const key of keys) {
    const s = openSource(x, key);
    infos.push(s.info);
    colls.push(s.c);
  }
  return { infos, colls };
}

/** Runs a set operation over sources in this shard: the result members and scores, unsorted. */
export function runSetOp(x: StoreCtx, src: LocalSources, op: SetOp, weights: number[], agg: Agg): Entries {
  const gen = setOpAlgo(op, src.infos, weights, agg);
  let r = gen.next();
  while (!r.done) {
    const need = r.value;
    if ('all' in need) r = gen.next(sourceAll(x.store, src.colls[need.all]!));
    else r = gen.next(sourceLookup(x.store, src.colls[need.lookup], need.members));
  }
  return r.value;
}

/** A source's type (-1 missing) and size, without type checks (the internal zset-meta step). */
export function sourceInfo(x: StoreCtx, key: Buffer): SrcInfo {
  const f = x.store.find(x.db, key, x.now);
  if (!f.meta) return { type: -1, count: 0 };
  return { type: f.meta.type, count: f.meta.type === T_ZSET || f.meta.type === T_SET ? readU64BE(payload(f.meta), 8) : 0 };
}

/** Every member of a source with its score (zset-all); WRONGTYPE for anything but a sorted set or a set. */
export function sourceMembers(x: StoreCtx, key: Buffer): Entries {
  const s = openSource(x, key);
  return s.c ? sourceAll(x.store, s.c) : { ms: [], ss: [] };
}

/** The scores of `members` in a source, null where absent (zset-lookup); WRONGTYPE as sourceMembers. */
export function sourceScores(x: StoreCtx, key: Buffer, members: Buffer[]): Array<number | null> {
  const s = openSource(x, key);
  return sourceLookup(x.store, s.c, members);
}
