// What lets a plain SET (no option) overwrite a key without reading its record first.
//
// A SET must read the old record only when the key may hold something a write has to undo: an
// expiry (its `expires` entry and the volatile count) or a collection (its members become
// garbage). SpecialKeys counts, per slot of a hash of the meta key, the records that are
// collections or have an expiry; a slot at zero means the key is missing or a string without an
// expiry, so the new record can be written blind. Reading the old record is about a third of a
// SET's work on its shard (an LMDB lookup and a copy of the record).
//
// The key counts (DBSIZE, INFO keyspace) still need to know whether a blind write created its key:
// BlindCount reads LMDB's entry count of `meta` (O(1), the transaction's own view) when the blind
// writes of a run are settled, and subtracts what the other writes since the run began changed.

import type { ShardStats } from '../shard/stats.js';

/** Slots of the filter (power of two): 2 MB of u16 counters. */
const SLOTS = 1 << 20;
const MASK = SLOTS - 1;
/** A counter that reached this stays there (never decremented): the slot is then always special. */
const STUCK = 0xffff;

export class SpecialKeys {
  private readonly counts = new Uint16Array(SLOTS);
  /** Slots decremented in the running transaction: restored if it aborts. */
  private readonly dropped: number[] = [];

  /** True when a record at a meta key of hash `h` may be a collection or have an expiry. */
  mayHave(h: number): boolean {
    return this.counts[h & MASK] !== 0;
  }

  /** A record at a meta key of hash `h` became special (created, or changed from a plain string). */
  add(h: number): void {
    const i = h & MASK;
    const c = this.counts[i];
    if (c !== STUCK) this.counts[i] = c + 1;
  }

  /** A special record at a meta key of hash `h` is gone or became a plain string. */
  drop(h: number): void {
    const i = h & MASK;
    const c = this.counts[i];
    if (c === STUCK || c === 0) return;
    this.counts[i] = c - 1;
    this.dropped.push(i);
  }

  committed(): void {
    this.dropped.length = 0;
  }

  /** The transaction was aborted: its records are back, so are their counts (its adds may stay: a superset is safe). */
  aborted(): void {
    for (const i of this.dropped) if (this.counts[i] !== STUCK) this.counts[i]++;
    this.dropped.length = 0;
  }

  clear(): void {
    this.counts.fill(0);
    this.dropped.length = 0;
  }

  /** A copy of the counters (for another thread that opens the same data: ShardStore.counted). */
  copy(): Uint16Array {
    return this.counts.slice();
  }

  /** Takes counters copied from a filter of the same records. */
  load(counts: Uint16Array): void {
    this.counts.set(counts);
    this.dropped.length = 0;
  }
}

/** True when a record (type byte, expiry) needs its old state undone when overwritten. */
export function isSpecial(type: number, expireAt: number): boolean {
  return type !== 0 || expireAt !== 0;
}

/**
 * The key counts of blind writes. A run of blind writes into one logical db starts at the entry
 * count of `meta` then; every other change of the entry count (a known creation or deletion) is
 * added to `known`; settling adds entries - start - known to that db's key count.
 */
export class BlindCount {
  private db = -1;
  private start = 0;
  /** Entries the writes with a known outcome added to `meta` since the run started (negative: removed). */
  known = 0;

  constructor(
    private readonly entries: () => number,
    private readonly stats: ShardStats,
  ) {}

  /** A blind write into logical db `db` follows (call before writing). */
  blind(db: number): void {
    if (this.db === db) return;
    if (this.db >= 0) this.settle();
    this.db = db;
    this.start = this.entries();
    this.known = 0;
  }

  /** Adds the keys the blind writes created to their db's count (before anyone reads the counts). */
  settle(): void {
    if (this.db < 0) return;
    this.stats.addKeys(this.db, this.entries() - this.start - this.known);
    this.db = -1;
    this.known = 0;
  }

  /** The transaction was aborted: the run's writes do not exist. */
  drop(): void {
    this.db = -1;
    this.known = 0;
  }
}
