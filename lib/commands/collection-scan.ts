// Shared pieces of SCAN, HSCAN, SSCAN and ZSCAN: the option keyword match, the cursor table (SCAN on
// the main thread, the collections per shard for their big encodings), and the COUNT / MATCH parse.
//
// A big collection is walked in subkey order; the position (the last member returned) does not fit
// in a 64-bit cursor, so it stays in a bounded table on the shard and the client gets an opaque id
// for it. Positions are immutable (every step makes a new id), so retrying a step is harmless; an
// unknown cursor (evicted, another key, an earlier run) restarts the scan from the beginning.

import { E, RedisError } from '../errors.js';
import { isKw } from './define.js';
import type { RespWriter } from '../resp/writer.js';
import type { ShardStore } from '../store/shard-store.js';
import { idRange, memberOf, partKey } from '../store/collections.js';
import { parseI64 } from '../resp/number.js';
import { compileGlob, type GlobMatcher } from '../glob.js';

/** At most this many positions are kept per table (the least recently used evicted). */
export const MAX_CURSORS = 10000;
/** COUNT is capped to this many elements examined per call. */
export const MAX_SCAN_STEP = 100000;
const U64 = 1n << 64n;

/**
 * Scan positions by cursor id (SCAN's table on the main thread; one table for the collections of
 * each shard). Ids are opaque u64s starting at a random point per run (so cursors of an earlier run are
 * unlikely to name a live position) and skipping 0. A recalled position becomes the most recently
 * used: the least recently used one is evicted past MAX_CURSORS.
 */
export class CursorTable<P> {
  private readonly map = new Map<bigint, P>();
  private next = 1n + BigInt(Math.floor(Math.random() * 2 ** 40)) * 1024n;

  /** Stores a position under a fresh id and returns the id. */
  remember(p: P): bigint {
    const id = this.next;
    this.next = this.next + 1n >= U64 ? 1n : this.next + 1n;
    this.map.delete(id);
    this.map.set(id, p);
    if (this.map.size > MAX_CURSORS) this.map.delete(this.map.keys().next().value!);
    return id;
  }

  /** The position of a cursor id, undefined when unknown. */
  recall(id: bigint): P | undefined {
    const p = this.map.get(id);
    if (p !== undefined) {
      this.map.delete(id);
      this.map.set(id, p);
    }
    return p;
  }
}

export interface ScanOptions {
  /** Elements to examine per call: COUNT (default 10) capped to MAX_SCAN_STEP. */
  count: number;
  /** The MATCH filter, null for none (no MATCH, or MATCH '*'). */
  match: GlobMatcher | null;
}

/**
 * The options of an HSCAN / SSCAN / ZSCAN from args[3] on: COUNT n (an integer, else the
 * not-an-integer error; below 1 a syntax error) and MATCH pattern, in pairs, repeatable (the last
 * wins); anything else, or an option without its value, is a syntax error.
 */
export function parseScanOptions(args: Buffer[]): ScanOptions {
  let count = 10;
  let match: GlobMatcher | null = null;
  for (let i = 3; i < args.length; i += 2) {
    const hasValue = i + 1 < args.length;
    if (isKw(args[i], 'count') && hasValue) {
      const n = parseI64(args[i + 1]);
      if (n === null) throw new RedisError(E.notInt);
      if (n < 1n) throw new RedisError(E.syntax);
      count = n > BigInt(MAX_SCAN_STEP) ? MAX_SCAN_STEP : Number(n);
    } else if (isKw(args[i], 'match') && hasValue) {
      const pat = args[i + 1];
      match = pat.length === 1 && pat[0] === 42 ? null : compileGlob(pat);
    } else throw new RedisError(E.syntax);
  }
  return { count, match };
}

/** The reply of a scan of a missing key: cursor 0, no elements. */
export function emptyScanReply(out: RespWriter): void {
  scanReply(out, 0n, []);
}

/** A *SCAN reply: [next cursor, items] (HSCAN/ZSCAN items are field/member, value/score pairs). */
export function scanReply(out: RespWriter, next: bigint, items: Buffer[]): void {
  out.array(2);
  out.bulkStr(String(next));
  out.array(items.length);
  for (const b of items) out.bulk(b);
}

/** Where a scan of a big collection stopped: its key id and the key part of the last member returned. */
interface ScanPos {
  id: number;
  after: Buffer;
}

/**
 * Positions of this shard's HSCAN / SSCAN / ZSCAN walks. A key id is never reused, so the id alone
 * tells whether a cursor belongs to the collection being scanned.
 */
const positions = new CursorTable<ScanPos>();

/**
 * One step of a scan over the members of the big collection `id` (subkeys [id][member] in `sub`):
 * up to `count` members (with their values when `values`) after the position of `cursor` (from the
 * first member for 0 or an unknown cursor), and the cursor for the rest (0 when done).
 */
export function scanStep(store: ShardStore, id: number, cursor: bigint, count: number, values: boolean): { members: Buffer[]; values: Buffer[]; next: bigint } {
  const pos = cursor === 0n ? undefined : positions.recall(cursor);
  const { start, end } = idRange(id);
  // the smallest subkey after the last member returned: its key part followed by a 0 byte
  const from = pos && pos.id === id ? partKey(id, Buffer.concat([pos.after, ZERO])) : start;
  const members: Buffer[] = [];
  const vals: Buffer[] = [];
  let more = false;
  let last: Buffer | null = null;
  const range = { start: from, end, limit: count + 1 };
  const entries = values ? store.sub.getRange(range) : store.sub.getKeys(range).map((key) => ({ key, value: null }));
  for (const { key, value } of entries) {
    if (members.length === count) {
      more = true;
      break;
    }
    last = key as Buffer;
    members.push(Buffer.from(memberOf(store, last)));
    if (value !== null) vals.push(value as Buffer);
  }
  const next = more && last ? positions.remember({ id, after: Buffer.from(last.subarray(8)) }) : 0n;
  return { members, values: vals, next };
}

const ZERO = Buffer.from([0]);
