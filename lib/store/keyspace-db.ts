// The keyspace commands' data work over a whole database of one shard (lib/commands/keyspace-db.ts
// runs it on every shard, or on one for a SCAN step): the key count, KEYS matching, one SCAN
// step, a random key, FLUSHDB / FLUSHALL and SWAPDB. Single keys are lib/store/keyspace.ts.
//
// Expired keys not yet deleted are skipped by KEYS, SCAN and RANDOMKEY but counted by DBSIZE, as
// Redis counts them until they are deleted. Binlog: FLUSHDB, FLUSHALL, SWAPDB a b.

import type { StoreCtx } from './context.js';
import type { ShardStore } from './shard-store.js';
import { KEY_HASHED, KEY_INLINE, dbRange, inlineMetaKey, readU64BE } from './keys.js';
import { compileGlob } from '../glob.js';
import { FLUSHALL, FLUSHDB, SWAPDB } from './effects.js';

/** A record that has not expired at `now` (raw: a meta record). */
function isLive(raw: Buffer, now: number): boolean {
  const at = readU64BE(raw, 2);
  return at === 0 || at > now;
}

/** The bytes of a glob pattern before its first special character (every match starts with them). */
export function literalPrefix(pat: Buffer): Buffer {
  let i = 0;
  while (i < pat.length) {
    const c = pat[i];
    if (c === 42 /* * */ || c === 63 /* ? */ || c === 91 /* [ */ || c === 92 /* \ */) break;
    i++;
  }
  return pat.subarray(0, i);
}

function isStar(pat: Buffer): boolean {
  return pat.length === 1 && pat[0] === 42;
}

/** DBSIZE on this shard: keys of x.db (expired ones not yet deleted included, as Redis). */
export function keyCount(x: StoreCtx): number {
  return x.store.stats.keys(x.db);
}

/** KEYS pattern on this shard: the live keys of x.db matching it, in meta-key order. */
export function matchingKeys(x: StoreCtx, pattern: Buffer): Buffer[] {
  const match = isStar(pattern) ? null : compileGlob(pattern);
  const found: Buffer[] = [];
  const store = x.store;
  const now = x.now;
  // inline keys outside the pattern's literal prefix are skipped by range
  forEachMeta(store, x.db, match ? literalPrefix(pattern) : null, (mk, raw) => {
    if (!isLive(raw, now)) return;
    const k = store.userKey(mk, raw);
    if (!match || match(k)) found.push(k);
  });
  return found;
}

/** SCAN TYPE filter: any type. */
export const SCAN_ANY_TYPE = -1;
/** SCAN TYPE filter of an unknown type name: matches nothing. */
export const SCAN_NO_TYPE = -2;

/** One SCAN step's result. */
export interface ScanStep {
  /** Where the next step starts (a meta key without its db byte), null when x.db is exhausted. */
  next: Buffer | null;
  /** Records examined (expired and filtered-out ones included): what the step spent of its budget. */
  examined: number;
  /** The live keys found that pass the filters. */
  keys: Buffer[];
}

/**
 * One SCAN step on this shard: examines up to `count` records of x.db after the position `after`
 * (a meta key without its db byte, as `next` returns it; null: from the start). Positions travel
 * without the physical db byte, so a scan survives SWAPDB. `type`: SCAN_ANY_TYPE, SCAN_NO_TYPE or
 * a meta type; `pattern`: a glob, null for any key.
 */
export function scanStep(x: StoreCtx, after: Buffer | null, count: number, type: number, pattern: Buffer | null): ScanStep {
  const from = after ? Buffer.concat([Buffer.from([x.store.physical(x.db)]), after]) : null;
  const match = pattern && !isStar(pattern) ? compileGlob(pattern) : null;
  const keys: Buffer[] = [];
  const store = x.store;
  const now = x.now;
  let examined = 0;
  const next = scanMeta(store, x.db, from, count, (mk, raw) => {
    examined++;
    if (type === SCAN_NO_TYPE || (type >= 0 && raw[0] !== type) || !isLive(raw, now)) return;
    const k = store.userKey(mk, raw);
    if (!match || match(k)) keys.push(k);
  });
  return { next: next ? next.subarray(1) : null, examined, keys };
}

/** RANDOMKEY on this shard: a random live key of x.db, null when it has none. */
export function randomKeyOf(x: StoreCtx): Buffer | null {
  return x.store.randomKey(x.db, x.now);
}

/** FLUSHDB on this shard: deletes every key of x.db (collection members go to the sweeper). */
export function flushDb(x: StoreCtx): void {
  x.store.flushDb(x.db);
  x.binlog([FLUSHDB]);
}

/** FLUSHALL on this shard: deletes every key of every database. */
export function flushAll(x: StoreCtx): void {
  x.store.flushAll();
  x.binlog([FLUSHALL]);
}

/** SWAPDB a b on this shard (both valid database indexes). */
export function swapDbs(x: StoreCtx, a: number, b: number): void {
  x.store.swapDb(a, b);
  x.binlog([SWAPDB, Buffer.from(String(a)), Buffer.from(String(b))]);
}

/**
 * Visits the records of a logical db in meta-key order, strictly after `after` (null: from the
 * start), at most `limit` of them (`raw` is only valid during the call). Returns the last
 * visited meta key when more records may follow, null when the db is exhausted.
 */
function scanMeta(store: ShardStore, db: number, after: Buffer | null, limit: number, fn: (mk: Buffer, raw: Buffer) => void): Buffer | null {
  const { start, end } = dbRange(store.dbmap[db]);
  const from = after ? Buffer.concat([after, ZERO_BYTE]) : start;
  if (from.compare(start) < 0 || from.compare(end) >= 0) return null;
  let n = 0;
  let last: Buffer | null = null;
  for (const { key, value } of store.meta.getRange({ start: from, end, limit: limit + 1 })) {
    if (n === limit) return last;
    last = Buffer.from(key);
    fn(last, value);
    n++;
  }
  return null;
}

/**
 * Visits every record of a logical db (`raw` is only valid during the call). With a `prefix`,
 * inline keys not starting with it are skipped by range (long keys live under their hash and
 * are always visited).
 */
function forEachMeta(store: ShardStore, db: number, prefix: Buffer | null, fn: (mk: Buffer, raw: Buffer) => void): void {
  const pdb = store.dbmap[db];
  const { start, end } = dbRange(pdb);
  if (!prefix || prefix.length === 0) {
    for (const { key, value } of store.meta.getRange({ start, end })) fn(Buffer.from(key), value);
    return;
  }
  const lo = inlineMetaKey(pdb, prefix);
  for (const { key, value } of store.meta.getRange({ start: lo, end })) {
    if (key[1] !== KEY_INLINE || key.length < lo.length || Buffer.compare(key.subarray(0, lo.length), lo) !== 0) break;
    fn(Buffer.from(key), value);
  }
  for (const { key, value } of store.meta.getRange({ start: Buffer.from([pdb, KEY_HASHED]), end })) {
    fn(Buffer.from(key), value);
  }
}

const ZERO_BYTE = Buffer.from([0]);
