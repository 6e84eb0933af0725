// Scan positions behind opaque 64-bit cursors (SCAN on the main thread, HSCAN / SSCAN / ZSCAN per
// shard): a position (the last key or member returned) does not fit in a cursor, so it stays in a
// bounded table and the client gets an id for it. Positions are immutable (every step makes a new
// id), so retrying a step is harmless; an unknown cursor (evicted, another key, an earlier run)
// restarts the scan from the beginning.

const U64 = 1n << 64n;

/** At most this many positions are kept per table (the least recently used evicted). */
export const MAX_CURSORS = 10000;

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
