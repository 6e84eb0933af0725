// Collection records updated in the running write transaction and not written yet.
//
// A hot collection gets many commands per batch (HSET/LPUSH/ZADD at -P 16 on one key); each would
// rewrite the same record. ShardStore holds such updates here (only those that keep the type and
// the expiry, so scans of `meta` (KEYS, SCAN TYPE, RANDOMKEY, the expiry sweep) read the same
// existence, type and expiry from the stale record); find() reads through, beforeCommit() writes
// them. Entries are found by the meta key's access hash (computed anyway for OBJECT IDLETIME), not
// by a string made of the key on every lookup; a second key with the same hash writes the first
// one's record out and takes its place.

export interface PendingRecord {
  mk: Buffer;
  raw: Buffer;
}

export class PendingMeta {
  private readonly byHash = new Map<number, PendingRecord>();

  get size(): number {
    return this.byHash.size;
  }

  /** The held record of meta key `mk` (hash `h`), undefined when none is held. */
  get(h: number, mk: Buffer): Buffer | undefined {
    const p = this.byHash.get(h);
    return p !== undefined && sameBytes(p.mk, mk) ? p.raw : undefined;
  }

  /** Holds `raw` as the record of `mk`; a record of another key held under the same hash is written with `write` first. */
  set(h: number, mk: Buffer, raw: Buffer, write: (mk: Buffer, raw: Buffer) => void): void {
    const p = this.byHash.get(h);
    if (p === undefined) this.byHash.set(h, { mk, raw });
    else {
      if (!sameBytes(p.mk, mk)) {
        write(p.mk, p.raw);
        p.mk = mk;
      }
      p.raw = raw;
    }
  }

  /** Forgets the held record of `mk`, if any (the record was written or removed directly). */
  delete(h: number, mk: Buffer): void {
    const p = this.byHash.get(h);
    if (p !== undefined && sameBytes(p.mk, mk)) this.byHash.delete(h);
  }

  values(): IterableIterator<PendingRecord> {
    return this.byHash.values();
  }

  clear(): void {
    this.byHash.clear();
  }
}

function sameBytes(a: Buffer, b: Buffer): boolean {
  const n = a.length;
  if (n !== b.length) return false;
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return false;
  return true;
}
