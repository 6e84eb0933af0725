// GET's read cache on the main thread: string values recently read, so a hot key is answered
// without an LMDB lookup. Coherence rules (see docs/design.md, "Read cache"):
// - every write command routed by the main thread drops its keys before it is sent (a keyless
//   write such as FLUSHALL or SWAPDB clears everything);
// - an entry is only added from a snapshot that holds every write sent to that shard (no write
//   in flight there), so it can never resurrect an older value;
// - entries carry their expiry, checked on every hit.

export interface CacheEntry {
  db: number;
  value: Buffer;
  expireAt: number;
  /** Access-table hash of the key (OBJECT IDLETIME). */
  hash: number;
}

/** Values larger than this are not cached. */
const MAX_VALUE = 4096;
const ENTRY_OVERHEAD = 96;

export class ReadCache {
  private readonly map = new Map<string, CacheEntry>();
  private bytes = 0;

  constructor(public maxBytes: number) {}

  get(key: Buffer): CacheEntry | undefined {
    return this.map.size === 0 ? undefined : this.map.get(key.toString('latin1'));
  }

  add(key: Buffer, db: number, value: Buffer, expireAt: number, hash: number): void {
    if (this.maxBytes === 0 || value.length > MAX_VALUE || key.length > 256) return;
    const k = key.toString('latin1');
    const old = this.map.get(k);
    if (old) {
      this.bytes -= k.length + old.value.length + ENTRY_OVERHEAD;
      this.map.delete(k);
    }
    this.map.set(k, { db, value: Buffer.from(value), expireAt, hash });
    this.bytes += k.length + value.length + ENTRY_OVERHEAD;
    // Oldest first (Map keeps insertion order).
    while (this.bytes > this.maxBytes && this.map.size > 0) {
      const first = this.map.keys().next().value as string;
      this.bytes -= first.length + this.map.get(first)!.value.length + ENTRY_OVERHEAD;
      this.map.delete(first);
    }
  }

  drop(key: Buffer): void {
    if (this.map.size === 0) return;
    const k = key.toString('latin1');
    const old = this.map.get(k);
    if (!old) return;
    this.bytes -= k.length + old.value.length + ENTRY_OVERHEAD;
    this.map.delete(k);
  }

  clear(): void {
    this.map.clear();
    this.bytes = 0;
  }

  size(): number {
    return this.map.size;
  }
}
