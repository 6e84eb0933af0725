// `respdb-rdb export`: a respdb data directory as an RDB file (version 10, as redis-server 7.0
// writes it), offline. Databases are written in order, each with the keys of every shard. A
// shard's keys are read in synchronous passes of a few thousand records, the file written between
// passes with the stream's backpressure; nothing else writes to the directory (the export refuses
// one a server runs on), so every pass sees the same data.

import type { Writable } from 'node:stream';
import { RdbFileWriter } from '../rdb/file-write.js';
import type { EncodingLimits, RdbKey } from '../rdb/value.js';
import { decodeMeta } from '../store/meta.js';
import { readValue } from '../store/rdb-values.js';
import type { ShardStore } from '../store/shard-store.js';
import { closeStores, openForExport } from './rdb-data-dir.js';

export interface ExportOptions {
  dir: string;
  limits: EncodingLimits;
  compress: boolean;
  onProgress?: (keysDone: number, keysTotal: number, bytes: number) => void;
}

export interface ExportSummary {
  keys: number;
  bytes: number;
  databases: Map<number, number>;
  ms: number;
}

/** Keys read from a shard before the file is written (bounded memory, one pass each). */
const PASS_KEYS = 2000;

interface DbCount {
  keys: number;
  expires: number;
}

function physicalOf(store: ShardStore, db: number): number {
  return store.physical(db);
}

/** Live keys and keys with an expiry, per logical database, over every shard. */
function countKeys(stores: ShardStore[], databases: number, now: number): DbCount[] {
  const counts: DbCount[] = Array.from({ length: databases }, () => ({ keys: 0, expires: 0 }));
  for (const s of stores) {
    for (let db = 0; db < databases; db++) {
      const p = physicalOf(s, db);
      for (const { value } of s.meta.getRange({ start: Buffer.from([p]), end: Buffer.from([p + 1]) })) {
        const expireAt = (value as Buffer).readBigUInt64BE(2);
        if (expireAt !== 0n && expireAt <= BigInt(now)) continue;
        counts[db].keys++;
        if (expireAt !== 0n) counts[db].expires++;
      }
    }
  }
  return counts;
}

/** Up to PASS_KEYS keys of `db` in `store` after meta key `after` (exclusive), and where to go on. */
function readPass(store: ShardStore, db: number, after: Buffer | null, now: number): { keys: RdbKey[]; last: Buffer | null } {
  const p = physicalOf(store, db);
  const keys: RdbKey[] = [];
  let last: Buffer | null = null;
  for (const { key, value } of store.meta.getRange({ start: after ?? Buffer.from([p]), end: Buffer.from([p + 1]) })) {
    const mk = Buffer.from(key as Buffer);
    if (after !== null && mk.equals(after)) continue;
    last = mk;
    const m = decodeMeta(mk, Buffer.from(value as Buffer));
    if (m.expireAt !== 0 && m.expireAt <= now) continue;
    keys.push({ db, key: Buffer.from(store.userKey(mk, m.raw)), value: readValue(store, m), expireAt: m.expireAt === 0 ? null : BigInt(m.expireAt), idle: null, freq: null });
    if (keys.length >= PASS_KEYS) break;
  }
  return { keys, last: keys.length >= PASS_KEYS ? last : null };
}

/** Write the data set of `opts.dir` to `out` as an RDB file (`out` is left open). */
export async function exportRdb(out: Writable, opts: ExportOptions): Promise<ExportSummary> {
  const started = Date.now();
  const { layout, stores } = openForExport(opts.dir);
  const summary: ExportSummary = { keys: 0, bytes: 0, databases: new Map(), ms: 0 };
  try {
    const now = Date.now();
    const counts = countKeys(stores, layout.databases, now);
    const total = counts.reduce((n, c) => n + c.keys, 0);
    const w = new RdbFileWriter(out, { limits: opts.limits, compress: opts.compress });
    await w.begin();
    for (let db = 0; db < layout.databases; db++) {
      if (counts[db].keys === 0) continue;
      await w.selectDb(db, counts[db].keys, counts[db].expires);
      for (const s of stores) {
        let after: Buffer | null = null;
        do {
          const pass = readPass(s, db, after, now);
          for (const k of pass.keys) {
            await w.writeKey(k);
            summary.keys++;
            summary.databases.set(db, (summary.databases.get(db) ?? 0) + 1);
          }
          opts.onProgress?.(summary.keys, total, w.bytesWritten);
          after = pass.last;
        } while (after !== null);
      }
    }
    await w.end();
    summary.bytes = w.bytesWritten;
  } finally {
    await closeStores(stores);
  }
  summary.ms = Date.now() - started;
  return summary;
}
