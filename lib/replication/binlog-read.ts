// Reading a shard's binlog records from its LMDB environment (the main thread's read-only view):
// what replication needs when the ring cannot give it — after a restart, after falling behind the
// ring, or for a record too big for the ring.
//
// An entry is keyed by its first sequence (u64 BE) and holds its records one after the other,
// each [sequence u64 BE][length u32 BE][db u8][time ms u64 BE][command as RESP]; `rec` below is
// the part after the length, as the ring carries it.

import type { ShardStore } from '../store/shard-store.js';
import { readU64BE, writeU64BE } from '../store/keys.js';

export interface StoredRecord {
  seq: number;
  rec: Buffer;
}

/** Records with a sequence above `after`, in order, at most `limit` (a copy of each). */
export function recordsAfter(view: ShardStore, after: number, limit = Infinity): StoredRecord[] {
  view.env.resetReadTxn();
  const out: StoredRecord[] = [];
  const key = Buffer.allocUnsafe(8);
  writeU64BE(key, after + 1, 0);
  // the entry holding after + 1 starts at or before it
  let start: Buffer = key;
  for (const { key: k } of view.binlog.getRange({ start: key, reverse: true, limit: 1 })) start = Buffer.from(k as Buffer);
  for (const { value } of view.binlog.getRange({ start })) {
    const v = value as Buffer;
    for (let off = 0; off + 12 <= v.length; ) {
      const seq = readU64BE(v, off);
      const len = v.readUInt32BE(off + 8);
      if (seq > after) {
        out.push({ seq, rec: Buffer.from(v.subarray(off + 12, off + 12 + len)) });
        if (out.length >= limit) return out;
      }
      off += 12 + len;
    }
  }
  return out;
}

/** The record with sequence `seq`, or null when the binlog does not hold it (trimmed). */
export function recordAt(view: ShardStore, seq: number): Buffer | null {
  const r = recordsAfter(view, seq - 1, 1);
  return r.length === 1 && r[0].seq === seq ? r[0].rec : null;
}
