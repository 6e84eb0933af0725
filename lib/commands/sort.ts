// SORT and SORT_RO.
//
// The keys SORT reads through BY and GET patterns are known only once the elements are loaded,
// and they may live on any shard, so SORT always runs its coordinated handler, under the
// coordinator's locks (or on the slow pool, over a consistent cut):
// the source shard (and STORE's destination shard), or every shard when a pattern names keys. The
// shards answer two internal commands: sort-source (the elements of a list, set or sorted set, in
// their stored order) and sort-lookup (many string values / hash fields at once, nil for a missing
// key or another type, as SORT's lookups are). STORE writes the result through DEL + RPUSH on the
// destination's shard, so the binlog holds ordinary list commands.

import type { CommandDef, ShardExec, CoordContext } from './types.js';
import type { MainContext } from '../main-context.js';
import { cmd, isKw } from './define.js';
import { E } from '../errors.js';
import { decodeReply, type Decoded } from '../resp/decode.js';
import { parseI64, strtod } from '../resp/number.js';
import { internal, lookup } from './registry.js';
import { T_HASH, T_LIST, T_SET, T_STRING, T_ZSET, payload } from '../store/meta.js';
import { collOf, idRange, memberOf, subKey, zmemberOf } from '../store/collections.js';

const SORT_SOURCE = Buffer.from('sort-source');
const SORT_LOOKUP = Buffer.from('sort-lookup');
const DEL = Buffer.from('DEL');
const RPUSH = Buffer.from('RPUSH');
const MODE_KEY = Buffer.from('k');
const MODE_FIELD = Buffer.from('h');
const EMPTY = Buffer.alloc(0);
/** Elements per RPUSH when STORE writes the result. */
const STORE_CHUNK = 1000;

// ---- shard side

/** sort-source key: nil when missing, WRONGTYPE for strings/hashes, else [type, elements...]. */
function sortSource(x: ShardExec, args: Buffer[]): void {
  const m = x.store.get(x.db, args[1], x.now);
  if (!m) return x.out.nil();
  if (m.type !== T_LIST && m.type !== T_SET && m.type !== T_ZSET) return x.out.error(E.wrongType);
  const c = collOf(args[1], m);
  const { start, end } = idRange(c.id);
  const out: Buffer[] = [];
  if (m.type === T_ZSET) {
    // [id][sortable score 8][member], in score order
    for (const k of x.store.zscore.getKeys({ start, end })) out.push(Buffer.from(zmemberOf(x.store, k as Buffer)));
  } else if (m.type === T_SET) {
    for (const k of x.store.sub.getKeys({ start, end })) out.push(Buffer.from(memberOf(x.store, k as Buffer)));
  } else {
    // [id][index u64 BE] -> element, head to tail
    for (const { value } of x.store.sub.getRange({ start, end })) out.push(value as Buffer);
  }
  x.out.array(out.length + 1);
  x.out.int(m.type);
  for (const e of out) x.out.bulk(e);
}

/** sort-lookup (key k|h field)...: string values or hash fields; nil for missing keys and other types. */
function sortLookup(x: ShardExec, args: Buffer[]): void {
  const n = Math.floor((args.length - 1) / 3);
  x.out.array(n);
  for (let i = 0; i < n; i++) {
    const key = args[1 + 3 * i];
    const field = args[3 + 3 * i] ?? EMPTY;
    const m = x.store.get(x.db, key, x.now);
    if (!m) {
      x.out.nil();
      continue;
    }
    if (args[2 + 3 * i].equals(MODE_KEY)) {
      x.out.bulk(m.type === T_STRING ? payload(m) : null);
      continue;
    }
    if (m.type !== T_HASH) {
      x.out.nil();
      continue;
    }
    const c = collOf(key, m);
    x.out.bulk(x.store.sub.getBinary(subKey(c.id, field)) ?? null);
  }
}

// ---- main thread

interface SortOptions {
  desc: boolean;
  alpha: boolean;
  limitStart: number;
  limitCount: number;
  store: Buffer | null;
  by: Buffer | null;
  dontsort: boolean;
  gets: Buffer[];
}

/** Parses SORT's options as Redis does; returns the error text for the first bad one. */
function parseOptions(args: Buffer[], readonly: boolean): SortOptions | string {
  const o: SortOptions = { desc: false, alpha: false, limitStart: 0, limitCount: -1, store: null, by: null, dontsort: false, gets: [] };
  for (let j = 2; j < args.length; j++) {
    const left = args.length - j - 1;
    const a = args[j];
    if (isKw(a, 'asc')) o.desc = false;
    else if (isKw(a, 'desc')) o.desc = true;
    else if (isKw(a, 'alpha')) o.alpha = true;
    else if (isKw(a, 'limit') && left >= 2) {
      const s = parseI64(args[j + 1]);
      const n = parseI64(args[j + 2]);
      if (s === null || n === null) return E.notInt;
      o.limitStart = Number(s);
      o.limitCount = Number(n);
      j += 2;
    } else if (isKw(a, 'store') && left >= 1 && !readonly) {
      o.store = args[++j];
    } else if (isKw(a, 'by') && left >= 1) {
      o.by = args[++j];
      // BY without '*' names no key: nothing to sort by, the stored order stays
      if (o.by.indexOf(42) < 0) o.dontsort = true;
    } else if (isKw(a, 'get') && left >= 1) {
      o.gets.push(args[++j]);
    } else return E.syntax;
  }
  return o;
}

/** A pattern's lookup for an element: the key and hash field it names, or null (no '*': nothing). */
function substitute(pattern: Buffer, elem: Buffer): { key: Buffer; field: Buffer | null } | null {
  // strchr/strstr semantics: the pattern ends at its first NUL byte
  const nul = pattern.indexOf(0);
  const pat = nul >= 0 ? pattern.subarray(0, nul) : pattern;
  const star = pat.indexOf(42);
  if (star < 0) return null;
  const arrow = pat.indexOf('->', star + 1);
  const hasField = arrow >= 0 && arrow + 2 < pat.length;
  const tail = pat.subarray(star + 1, hasField ? arrow : pat.length);
  const key = Buffer.concat([pat.subarray(0, star), elem, tail]);
  return { key, field: hasField ? pat.subarray(arrow + 2) : null };
}

/** Whether BY/GET patterns make the sort read keys other than its source (a pattern with a '*'). */
function readsOtherKeys(o: SortOptions): boolean {
  const patterns = [...(o.by && !o.dontsort ? [o.by] : []), ...o.gets.filter((g) => !isHashPattern(g))];
  return patterns.some((p) => p.indexOf(42) >= 0);
}

/** SORT's `destination`: the argument index of STORE's key, -1 without STORE or with invalid options. */
function sortDestination(args: Buffer[]): number {
  const o = parseOptions(args, false);
  if (typeof o === 'string' || o.store === null) return -1;
  const keys = sortKeys(args);
  return keys.length > 1 ? keys[keys.length - 1] : -1;
}

/** SORT's `readsUnnamedKeys`: BY/GET patterns name keys other than its source. */
function sortReadsOthers(readonly: boolean) {
  return (args: Buffer[]): boolean => {
    const o = parseOptions(args, readonly);
    return typeof o !== 'string' && readsOtherKeys(o);
  };
}

function isHashPattern(p: Buffer): boolean {
  return p.length === 1 && p[0] === 35; /* # */
}

/**
 * A numeric sort weight as Redis's SORT reads it: strtod up to the end (or a NUL byte), with no
 * ERANGE (overflow, underflow) and no NaN; null when it is not a valid double.
 */
function parseWeight(b: Buffer): number | null {
  const r = strtod(b, 0);
  if (r.end < b.length && b[r.end] !== 0) return null;
  if (r.erange || Number.isNaN(r.v)) return null;
  return r.v;
}

/** Looks up (key, field) pairs on their shards in one step per shard; values in input order. */
async function lookupAll(
  ctx: CoordContext,
  exec: (shard: number, args: Buffer[]) => Promise<Buffer>,
  reqs: Array<{ key: Buffer; field: Buffer | null }>,
): Promise<Array<Buffer | null>> {
  const shards = ctx.shards;
  const byShard = new Map<number, number[]>();
  reqs.forEach((r, i) => {
    const s = shards.of(r.key);
    let l = byShard.get(s);
    if (!l) byShard.set(s, (l = []));
    l.push(i);
  });
  const out: Array<Buffer | null> = new Array(reqs.length).fill(null);
  await Promise.all(
    [...byShard].map(async ([s, idx]) => {
      const args: Buffer[] = [SORT_LOOKUP];
      for (const i of idx) {
        const r = reqs[i];
        args.push(r.key, r.field ? MODE_FIELD : MODE_KEY, r.field ?? EMPTY);
      }
      const d = decodeReply(await exec(s, args)) as Decoded[];
      idx.forEach((i, k) => (out[i] = (d[k] as Buffer | null) ?? null));
    }),
  );
  return out;
}

function sortCommand(readonly: boolean) {
  return (ctx: CoordContext, args: Buffer[]): Promise<void> | void => {
    const { shards, out } = ctx;
    const o = parseOptions(args, readonly);
    if (typeof o === 'string') return out.error(o);
    const db = ctx.db;
    const key = args[1];
    const srcShard = shards.of(key);
    const needsAll = readsOtherKeys(o);
    const held = needsAll ? Array.from({ length: shards.count }, (_, i) => i) : [srcShard, ...(o.store ? [shards.of(o.store)] : [])];
    return shards.locked(held, async (tx) => {
      const exec = (s: number, a: Buffer[]) => tx.exec(s, internal(a[0].toString('latin1')), db, a);
      const src = decodeReply(await exec(srcShard, [SORT_SOURCE, key]));
      if (src instanceof Error) return out.error(src.message);
      const type = src === null ? -1 : Number((src as Decoded[])[0]);
      const all = src === null ? [] : ((src as Decoded[]).slice(1) as Buffer[]);
      let { dontsort, alpha } = o;
      let by = o.by;
      // a set has no order of its own: STORE sorts it so replicas and AOF agree (as Redis)
      if (dontsort && type === T_SET && o.store) {
        dontsort = false;
        alpha = true;
        by = null;
      }
      const n = all.length;
      let start = o.limitStart < 0 ? 0 : o.limitStart;
      let end = o.limitCount < 0 ? n - 1 : start + o.limitCount - 1;
      if (start >= n) {
        start = n - 1;
        end = n - 2;
      }
      if (end >= n) end = n - 1;

      let elems = all;
      if (dontsort) {
        // stored order; DESC walks lists and sorted sets from the other end
        if (o.desc && (type === T_ZSET || type === T_LIST)) elems = [...all].reverse();
      } else {
        let weights: Array<Buffer | null> = [];
        if (by) weights = await lookupAll(ctx, exec, all.map((e) => substitute(by!, e) ?? { key: EMPTY, field: null }));
        const items = all.map((e, i) => ({ e, w: by ? weights[i] : e, score: 0 }));
        if (!alpha) {
          for (const it of items) {
            if (it.w === null) continue;
            const v = parseWeight(it.w);
            if (v === null) return out.error("ERR One or more scores can't be converted into double");
            it.score = v;
          }
        }
        const sign = o.desc ? -1 : 1;
        items.sort((a, b) => {
          let c: number;
          if (!alpha) {
            c = a.score > b.score ? 1 : a.score < b.score ? -1 : Buffer.compare(a.e, b.e);
          } else if (by) {
            c = a.w === null || b.w === null ? (a.w === b.w ? 0 : a.w === null ? -1 : 1) : cstrCompare(a.w, b.w);
          } else c = cstrCompare(a.e, b.e);
          return sign * c;
        });
        elems = items.map((it) => it.e);
      }
      const range = end >= start ? elems.slice(start, end + 1) : [];

      // GET lookups for the returned range only
      const getReqs: Array<{ key: Buffer; field: Buffer | null } | null> = [];
      for (const e of range) for (const g of o.gets) getReqs.push(isHashPattern(g) ? null : substitute(g, e));
      const found = await lookupAll(ctx, exec, getReqs.filter((r): r is { key: Buffer; field: Buffer | null } => r !== null));
      const values: Array<Buffer | null> = [];
      let k = 0;
      let gi = 0;
      for (const e of range) {
        if (o.gets.length === 0) values.push(e);
        for (const g of o.gets) {
          const r = getReqs[gi++];
          if (isHashPattern(g)) values.push(e);
          else if (r === null) values.push(null);
          else values.push(found[k++]);
        }
      }

      if (!o.store) {
        out.array(values.length);
        for (const v of values) out.bulk(v);
        return;
      }
      const dst = o.store;
      const ds = shards.of(dst);
      const del = lookup('del')!;
      await tx.exec(ds, del, db, [DEL, dst]);
      const rpush = lookup('rpush')!;
      for (let i = 0; i < values.length; i += STORE_CHUNK) {
        const chunk = values.slice(i, i + STORE_CHUNK).map((v) => v ?? EMPTY);
        const r = decodeReply(await tx.exec(ds, rpush, db, [RPUSH, dst, ...chunk]));
        if (r instanceof Error) return out.error(r.message);
      }
      out.int(values.length);
    });
  };
}

/** strcoll in the C locale: byte order, each string ending at its first NUL. */
function cstrCompare(a: Buffer, b: Buffer): number {
  const na = a.indexOf(0);
  const nb = b.indexOf(0);
  return Buffer.compare(na >= 0 ? a.subarray(0, na) : a, nb >= 0 ? b.subarray(0, nb) : b);
}

/** SORT's keys for COMMAND GETKEYS: the sorted key and STORE's destination. */
function sortKeys(args: Buffer[]): number[] {
  const keys = [1];
  for (let j = 2; j < args.length; j++) {
    const left = args.length - j - 1;
    if (isKw(args[j], 'limit') && left >= 2) j += 2;
    else if ((isKw(args[j], 'by') || isKw(args[j], 'get')) && left >= 1) j++;
    else if (isKw(args[j], 'store') && left >= 1) keys.push(++j);
  }
  return keys;
}

const PATTERN_NOTES = "For the optional BY/GET keyword. It is marked 'unknown' because the key names derive from the content of the key we sort";
const STORE_NOTES = "For the optional STORE keyword. It is marked 'unknown' because the keyword can appear anywhere in the argument array";
const ACL = ['set', 'sortedset', 'list', 'dangerous'];

export const sortCommands: CommandDef[] = [
  cmd({
    name: 'sort', arity: -2, flags: ['write', 'denyoom', 'movablekeys'], acl: ACL, getKeys: sortKeys,
    coordinated: sortCommand(false), alwaysCoordinated: true, slow: true, destination: sortDestination, readsUnnamedKeys: sortReadsOthers(false),
    keySpecs: [
      { flags: ['RO', 'access'], begin: { index: 1 }, find: { lastkey: 0, keystep: 1, limit: 0 } },
      { flags: ['RO', 'access'], notes: PATTERN_NOTES, unknown: true },
      { flags: ['OW', 'update'], notes: STORE_NOTES, unknown: true },
    ],
    summary: 'Sort the elements in a list, set or sorted set', since: '1.0.0', group: 'generic',
    complexity: 'O(N+M*log(M)) where N is the number of elements in the list or set to sort, and M the number of returned elements. When the elements are not sorted, complexity is O(N).',
  }),
  cmd({
    name: 'sort_ro', arity: -2, flags: ['readonly', 'movablekeys'], acl: ACL,
    coordinated: sortCommand(true), alwaysCoordinated: true, slow: true, readsUnnamedKeys: sortReadsOthers(true),
    keySpecs: [
      { flags: ['RO', 'access'], begin: { index: 1 }, find: { lastkey: 0, keystep: 1, limit: 0 } },
      { flags: ['RO', 'access'], notes: PATTERN_NOTES, unknown: true },
    ],
    summary: 'Sort the elements in a list, set or sorted set. Read-only variant of SORT.', since: '7.0.0', group: 'generic',
    complexity: 'O(N+M*log(M)) where N is the number of elements in the list or set to sort, and M the number of returned elements. When the elements are not sorted, complexity is O(N).',
  }),
  cmd({ name: 'sort-source', arity: 2, flags: ['readonly'], internal: true, shard: sortSource, summary: 'SORT: elements of the sorted key', since: '', group: 'internal' }),
  cmd({ name: 'sort-lookup', arity: -1, flags: ['readonly'], internal: true, shard: sortLookup, summary: 'SORT: BY/GET pattern lookups', since: '', group: 'internal' }),
];
