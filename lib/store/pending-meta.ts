// Collection records of the running write transaction, held by ShardStore between commands.
//
// A hot collection gets many commands per batch (HSET/SADD/LPUSH/ZADD at -P 16 on one key). Each
// would read its record from LMDB (and copy it) and rewrite it. So a collection record read in a
// write transaction stays here, and an update that keeps the type and the expiry is held here
// instead of written (`dirty`): find() reads through, beforeCommit() writes the dirty ones. Scans
// of `meta` (KEYS, SCAN TYPE, RANDOMKEY, the expiry sweep) see the stale record, which has the
// same existence, type and expiry. Every other change of a held key's record (a direct write, a
// removal) drops it from here. Entries are found by the meta key's access hash (computed anyway
// for OBJECT IDLETIME), not by a string made of the key on every lookup; a second key with the
// same hash takes the place of the first (whose record is written first if it is dirty).

export interface HeldRecord {
  mk: Buffer;
  raw: Buffer;
  /** not written to LMDB yet */
  dirty: boolean;
}

export class PendingMeta {
  private readonly byHash = new Map<number, HeldRecord>();

  get size(): number {
    return this.byHash.size;
  }

  /** The held record of meta key `mk` (hash `h`), undefined when none is held. */
  get(h: number, mk: Buffer): Buffer | undefined {
    const p = this.byHash.get(h);
    return p !== undefined && sameBytes(p.mk, mk) ? p.raw : undefined;
  }

  /**
   * Holds `raw` as the record of `mk`: `dirty` when it is an update to write at the commit, not
   * when it is what LMDB holds. A dirty record of another key under the same hash is written
   * with `write` first.
   */
  set(h: number, mk: Buffer, raw: Buffer, dirty: boolean, write: (mk: Buffer, raw: Buffer) => void): void {
    const p = this.byHash.get(h);
    if (p === undefined) {
      this.byHash.set(h, { mk, raw, dirty });
      return;
    }
    if (!sameBytes(p.mk, mk)) {
      if (p.dirty) write(p.mk, p.raw);
      p.mk = mk;
      p.dirty = dirty;
    } else if (dirty) p.dirty = true;
    p.raw = raw;
  }

  /** Forgets the held record of `mk`, if any (the record was written or removed directly). */
  delete(h: number, mk: Buffer): void {
    const p = this.byHash.get(h);
    if (p !== undefined && sameBytes(p.mk, mk)) this.byHash.delete(h);
  }

  /** Writes the dirty records with `write` and forgets everything. */
  flush(write: (mk: Buffer, raw: Buffer) => void): void {
    for (const p of this.byHash.values()) if (p.dirty) write(p.mk, p.raw);
    this.byHash.clear();
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
