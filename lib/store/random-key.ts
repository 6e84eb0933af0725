// RANDOMKEY on one shard: a random live key of a logical database without reading all of them.

import type { ShardStore } from './shard-store.js';
import { dbRange, readU64BE } from './keys.js';

/** RANDOMKEY picks among this many keys following a random point. */
const RANDOM_WINDOW = 64;

/**
 * A random live (unexpired) key of a logical db, null when it has none. Seeks to a random point
 * between the db's first and last meta keys (below their common prefix) and picks among the live
 * records that follow it.
 */
export function randomKey(store: ShardStore, db: number, now: number): Buffer | null {
  const { start, end } = dbRange(store.dbmap[db]);
  let first: Buffer | null = null;
  let last: Buffer | null = null;
  for (const k of store.meta.getKeys({ start, end, limit: 1 })) first = Buffer.from(k);
  if (!first) return null;
  for (const k of store.meta.getKeys({ start: end, end: start, reverse: true, limit: 1 })) last = Buffer.from(k);
  let p = 0;
  while (p < first.length && p < last!.length && first[p] === last![p]) p++;
  let probe = first;
  if (p < last!.length) {
    const lo = p < first.length ? first[p] : 0;
    const hi = last![p];
    const tail = Buffer.allocUnsafe(9);
    for (let i = 0; i < 9; i++) tail[i] = Math.floor(Math.random() * 256);
    tail[0] = lo + Math.floor(Math.random() * (hi - lo + 1));
    probe = Buffer.concat([first.subarray(0, p), tail]);
  }
  const live = (key: Buffer, value: Buffer): Buffer | null => {
    const at = readU64BE(value, 2);
    return at !== 0 && at <= now ? null : store.userKey(Buffer.from(key), value);
  };
  // Collect a window of live keys from the probe on (wrapping to the start) and pick one of
  // them: exactly uniform for databases smaller than the window, and without the bias towards
  // keys after sparse regions that taking the probe's successor would have.
  const window: Buffer[] = [];
  for (const { key, value } of store.meta.getRange({ start: probe, end, limit: RANDOM_WINDOW * 2 })) {
    const k = live(key, value);
    if (k) window.push(Buffer.from(k));
    if (window.length >= RANDOM_WINDOW) break;
  }
  if (window.length < RANDOM_WINDOW) {
    for (const { key, value } of store.meta.getRange({ start, end: probe, limit: RANDOM_WINDOW * 2 })) {
      const k = live(key, value);
      if (k) window.push(Buffer.from(k));
      if (window.length >= RANDOM_WINDOW) break;
    }
  }
  if (window.length > 0) return window[Math.floor(Math.random() * window.length)];
  return null;
}
