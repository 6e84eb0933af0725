// SORT and SORT_RO: the options, the coordinated handler, STORE's write and the table entries.
//
// The keys SORT reads through BY and GET patterns are known only once the elements are loaded,
// and they may live on any shard, so SORT always runs its coordinated handler, under the
// coordinator's locks (or on the slow pool, over a consistent cut):
// the source shard (and STORE's destination shard), or every shard when a pattern names keys. The
// shards answer two internal commands, whose data work is lib/store/sort.ts: sort-source (the
// elements of a list, set or sorted set, in their stored order) and sort-lookup (many string
// values / hash fields at once, nil for a missing key or another type, as SORT's lookups are).
// The patterns, weights and order are lib/commands/sort-order.ts. STORE writes the result through
// the internal sort-store on the destination's shard (logged as DEL + RPUSH, ordinary list
// commands in the binlog).

import type { CommandDef, ShardExec, CoordContext, Tx } from './types.js';
import { cmd, isKw } from './define.js';
import { E } from '../errors.js';
import { decodeReply, type Decoded } from '../resp/decode.js';
import { parseI64 } from '../resp/number.js';
import { internal } from './registry.js';
import { T_LIST, T_SET, T_ZSET } from '../store/meta.js';
import { sortLookup, sortSource, storeSorted } from '../store/sort.js';
import { isHashPattern, limitWindow, sortElements, substitute, type Lookup } from './sort-order.js';

const SORT_SOURCE = Buffer.from('sort-source');
const SORT_LOOKUP = Buffer.from('sort-lookup');
const MODE_KEY = Buffer.from('k');
const MODE_FIELD = Buffer.from('h');
const EMPTY = Buffer.alloc(0);
/** Elements per RPUSH when STORE writes the result. */
const STORE_CHUNK = 1000;

// ---- shard side: the internal steps, over lib/store/sort.ts

/** sort-source key: nil when missing, WRONGTYPE for other types, else [type, elements...]. */
function sortSourceStep(x: ShardExec, args: Buffer[]): void {
  const src = sortSource(x, args[1]);
  if (!src) return x.out.nil();
  x.out.array(src.elements.length + 1);
  x.out.int(src.type);
  for (const e of src.elements) x.out.bulk(e);
}

/** sort-lookup (key k|h field)...: string values or hash fields; nil for missing keys and other types. */
function sortLookupStep(x: ShardExec, args: Buffer[]): void {
  const n = Math.floor((args.length - 1) / 3);
  x.out.array(n);
  for (let i = 0; i < n; i++) {
    const field = args[2 + 3 * i].equals(MODE_KEY) ? null : (args[3 + 3 * i] ?? EMPTY);
    x.out.bulk(sortLookup(x, args[1 + 3 * i], field));
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

/**
 * SORT's `unnamedKeysRefusal`: its first BY pattern (one with a '*') or GET, whose keys the
 * user's key patterns cannot be checked against, refused as Redis does.
 */
function sortAclRefusal(args: Buffer[]): string | null {
  for (let j = 2; j < args.length; j++) {
    const more = args.length - 1 - j;
    if (isKw(args[j], 'limit') && more >= 2) j += 2;
    else if (isKw(args[j], 'store') && more >= 1) j++;
    else if (isKw(args[j], 'by') && more >= 1) {
      if (args[j + 1].includes(0x2a)) return 'ERR BY option of SORT denied due to insufficient ACL permissions.';
      j++;
    } else if (isKw(args[j], 'get') && more >= 1) return 'ERR GET option of SORT denied due to insufficient ACL permissions.';
  }
  return null;
}

/** SORT's `readsUnnamedKeys`: BY/GET patterns name keys other than its source. */
function sortReadsOthers(readonly: boolean) {
  return (args: Buffer[]): boolean => {
    const o = parseOptions(args, readonly);
    return typeof o !== 'string' && readsOtherKeys(o);
  };
}

/** Runs an internal step (sort-source, sort-lookup) on a held shard; its raw reply. */
type ShardStep = (shard: number, args: Buffer[]) => Promise<Buffer>;

/** Looks up (key, field) pairs on their shards in one sort-lookup step per shard; values in input order. */
async function lookupAll(ctx: CoordContext, exec: ShardStep, reqs: Lookup[]): Promise<Array<Buffer | null>> {
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

/** The reply's values for the returned elements: each element itself, or its GET lookups in order. */
async function resolveGets(ctx: CoordContext, exec: ShardStep, range: Buffer[], gets: Buffer[]): Promise<Array<Buffer | null>> {
  if (gets.length === 0) return range;
  // GET lookups for the returned range only
  const getReqs: Array<Lookup | null> = [];
  for (const e of range) for (const g of gets) getReqs.push(isHashPattern(g) ? null : substitute(g, e));
  const found = await lookupAll(ctx, exec, getReqs.filter((r): r is Lookup => r !== null));
  const values: Array<Buffer | null> = [];
  let k = 0;
  let gi = 0;
  for (const e of range) {
    for (const g of gets) {
      const r = getReqs[gi++];
      if (isHashPattern(g)) values.push(e);
      else if (r === null) values.push(null);
      else values.push(found[k++]);
    }
  }
  return values;
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
      const exec: ShardStep = (s, a) => tx.exec(s, internal(a[0].toString('latin1')), db, a);
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
      const { start, end } = limitWindow(all.length, o.limitStart, o.limitCount);

      let elems: Buffer[];
      if (dontsort) {
        // stored order; DESC walks lists and sorted sets from the other end
        elems = o.desc && (type === T_ZSET || type === T_LIST) ? [...all].reverse() : all;
      } else {
        const weights = by ? await lookupAll(ctx, exec, all.map((e) => substitute(by!, e) ?? { key: EMPTY, field: null })) : null;
        const sorted = sortElements(all, weights, alpha, o.desc);
        if (sorted === null) return out.error("ERR One or more scores can't be converted into double");
        elems = sorted;
      }
      const range = end >= start ? elems.slice(start, end + 1) : [];
      const values = await resolveGets(ctx, exec, range, o.gets);

      if (!o.store) {
        out.array(values.length);
        for (const v of values) out.bulk(v);
        return;
      }
      const err = await storeList(tx, shards.of(o.store), db, o.store, values);
      if (err !== null) return out.error(err);
      out.int(values.length);
    });
  };
}

/**
 * STORE: replaces `dst` with a list of `values` (nil as an empty string) through sort-store on its
 * shard, in chunks; a step's error text, or null.
 */
async function storeList(tx: Tx, shard: number, db: number, dst: Buffer, values: Array<Buffer | null>): Promise<string | null> {
  const def = internal('sort-store');
  for (let i = 0; i === 0 || i < values.length; i += STORE_CHUNK) {
    const chunk = values.slice(i, i + STORE_CHUNK).map((v) => v ?? EMPTY);
    const r = decodeReply(await tx.exec(shard, def, db, [SORT_STORE, dst, i === 0 ? FIRST : NEXT, ...chunk]));
    if (r instanceof Error) return r.message;
  }
  return null;
}

/** sort-store dst 1|0 value...: a chunk of SORT ... STORE's result, the first one replacing dst. */
function sortStoreStep(x: ShardExec, args: Buffer[]): void {
  x.out.int(storeSorted(x, args[1], args.slice(3), args[2][0] === 49 /* 1 */));
}

const SORT_STORE = Buffer.from('sort-store');
const FIRST = Buffer.from('1');
const NEXT = Buffer.from('0');

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
    coordinated: sortCommand(false), slow: true, destination: sortDestination, readsUnnamedKeys: sortReadsOthers(false), unnamedKeysRefusal: sortAclRefusal,
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
    coordinated: sortCommand(true), slow: true, readsUnnamedKeys: sortReadsOthers(true), unnamedKeysRefusal: sortAclRefusal,
    keySpecs: [
      { flags: ['RO', 'access'], begin: { index: 1 }, find: { lastkey: 0, keystep: 1, limit: 0 } },
      { flags: ['RO', 'access'], notes: PATTERN_NOTES, unknown: true },
    ],
    summary: 'Sort the elements in a list, set or sorted set. Read-only variant of SORT.', since: '7.0.0', group: 'generic',
    complexity: 'O(N+M*log(M)) where N is the number of elements in the list or set to sort, and M the number of returned elements. When the elements are not sorted, complexity is O(N).',
  }),
  cmd({ name: 'sort-source', arity: 2, flags: ['readonly'], internal: true, shard: sortSourceStep, summary: 'SORT: elements of the sorted key', since: '', group: 'internal' }),
  cmd({
    name: 'sort-store', arity: -3, flags: ['write'], internal: true, shard: sortStoreStep, capturedReply: (args) => args.length - 3,
    summary: 'SORT: a chunk of STORE\'s result', since: '', group: 'internal',
  }),
  cmd({ name: 'sort-lookup', arity: -1, flags: ['readonly'], internal: true, shard: sortLookupStep, summary: 'SORT: BY/GET pattern lookups', since: '', group: 'internal' }),
];
