// `respdb-rdb export`: a respdb data directory as an RDB file (version 10, as redis-server 7.0
// writes it), offline. Databases are written in order, each with the keys of every shard. A
// shard's keys are read in synchronous passes of a few thousand records, the file written between
// passes with the stream's backpressure; nothing else writes to the directory (the export refuses
// one a server runs on), so every pass sees the same data.

import type { Writable } from 'node:stream';
import { RdbFileWriter } from '../rdb/file-write.js';
import type { EncodingLimits } from '../rdb/value.js';
import { countRdbKeys, readRdbPass } from '../store/rdb-scan.js';
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

const physicalOf = (store: ShardStore, _i: number, db: number): number => store.physical(db);

/** Write the data set of `opts.dir` to `out` as an RDB file (`out` is left open). */
export async function exportRdb(out: Writable, opts: ExportOptions): Promise<ExportSummary> {
  const started = Date.now();
  const { layout, stores } = openForExport(opts.dir);
  const summary: ExportSummary = { keys: 0, bytes: 0, databases: new Map(), ms: 0 };
  try {
    const now = Date.now();
    const counts = countRdbKeys(stores, layout.databases, physicalOf, now);
    const total = counts.reduce((n, c) => n + c.keys, 0);
    const w = new RdbFileWriter(out, { limits: opts.limits, compress: opts.compress });
    await w.begin();
    for (let db = 0; db < layout.databases; db++) {
      if (counts[db].keys === 0) continue;
      await w.selectDb(db, counts[db].keys, counts[db].expires);
      for (const s of stores) {
        let after: Buffer | null = null;
        do {
          const pass = readRdbPass(s, db, s.physical(db), after, now);
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
