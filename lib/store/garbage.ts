// Members of collections that no meta record points to any more. Deleting, expiring or overwriting
// a collection of any size only drops its record and lists its key id here, in the same
// transaction (a crash cannot leak the members); the shard's sweep deletes the members later in
// bounded slices, one transaction each, so a big collection goes away without holding the shard.

import type { Database } from 'lmdb';
import type { Meta } from './meta.js';
import { readU64BE, writeU64BE } from './keys.js';
import { STAT, type ShardStats } from '../shard/stats.js';

type Bin = Database<Buffer, Buffer>;

export class GarbageList {
  constructor(
    /** [key id u64 BE] -> [type u8] */
    private readonly garbage: Bin,
    /** The sub-databases holding entries under a collection's id, by its type. */
    private readonly memberDbs: (type: number) => Bin[],
    private readonly stats: ShardStats,
  ) {}

  /** A collection record was deleted or replaced: its members become garbage. O(1). */
  orphan(m: Meta): void {
    const k = Buffer.allocUnsafe(8);
    m.raw.copy(k, 0, m.off, m.off + 8);
    this.garbage.putSync(k, Buffer.from([m.type]));
    this.stats.inc(STAT.garbagePending);
  }

  /** Recounts the list (startup, and after an aborted transaction changed nothing). */
  recount(): void {
    let n = 0;
    for (const _ of this.garbage.getKeys()) n++;
    this.stats.set(STAT.garbagePending, n);
  }

  /** True when some orphaned collection still has members to delete. */
  pending(): boolean {
    for (const _ of this.garbage.getKeys({ limit: 1 })) return true;
    return false;
  }

  /**
   * Deletes up to `budget` orphaned subkeys (inside a write transaction), oldest orphan first; an
   * orphan whose members are all gone leaves the list. Returns how many entries were removed.
   */
  collect(budget: number): number {
    let n = 0;
    for (const { key, value } of this.garbage.getRange({ limit: 16 })) {
      const start = Buffer.from(key);
      const end = Buffer.allocUnsafe(8);
      writeU64BE(end, readU64BE(start, 0) + 1, 0);
      let left = false;
      for (const d of this.memberDbs(value[0])) {
        const keys = [...d.getKeys({ start, end, limit: budget - n })];
        for (const k of keys) d.removeSync(k);
        n += keys.length;
        if (n >= budget) {
          left = true;
          break;
        }
      }
      if (left) break;
      this.garbage.removeSync(start);
      this.stats.inc(STAT.garbagePending, -1);
      this.stats.inc(STAT.garbageFreed);
      n++;
      if (n >= budget) break;
    }
    return n;
  }

  /** FLUSHALL: nothing is left to collect. */
  clear(): void {
    this.garbage.clearSync();
    this.stats.set(STAT.garbagePending, 0);
  }
}
