// `respdb-rdb import`: an RDB file (redis-server's dump.rdb, any version from 1 to 10) into a new
// respdb data directory, offline. Each key goes to the shard the server would route it to
// (lib/slot.ts) and is written through the keys' store glue (lib/store/rdb-values.ts), with the
// encoding Redis gives a loaded value; keys are written in large transactions, per shard.

import { createReadStream, statSync } from 'node:fs';
import type { Readable } from 'node:stream';
import { RdbFileReader } from '../rdb/file-read.js';
import type { RdbKey } from '../rdb/value.js';
import { shardOf } from '../slot.js';
import type { StoreCtx } from '../store/context.js';
import { writeValue } from '../store/rdb-values.js';
import type { KeyCounts, ShardStore } from '../store/shard-store.js';
import { DataDirError } from './bigkeys.js';
import { type Layout, closeStores, createForImport, openShards } from './rdb-data-dir.js';

export interface ImportOptions {
  dir: string;
  layout: Layout;
  /** drop an existing data set in `dir` */
  replace: boolean;
  /** import streams without their consumer groups (respdb has none) instead of refusing them */
  dropStreamGroups: boolean;
  /**
   * load keys whose expiry has passed too (a replica's full sync: the master's DEL follows in its
   * stream, as a Redis replica keeps them) instead of skipping them as a master's load does
   */
  keepExpired?: boolean;
  /**
   * write only these shards, into a directory prepareForImport made (several threads import one
   * file at once, each its own shards); the summary counts their keys only
   */
  only?: number[];
  /** called at most once per chunk of the file read; throwing from it stops the import */
  onProgress?: (bytesRead: number, keys: number) => void;
}

export interface ImportSummary {
  keys: number;
  /** keys per logical database */
  databases: Map<number, number>;
  bytes: number;
  /** keys already expired in the file (not imported, as Redis skips them when it loads) */
  expiredSkipped: number;
  emptySkipped: number;
  streamGroupsDropped: number;
  ms: number;
  /** per shard written (in order, or in the order of `only`), its key counts and plain-keys filter as written (a server opening the set can take them) */
  counts: KeyCounts[];
}

/** Keys gathered for one shard's next transaction. */
const BATCH_KEYS = 5000;
const BATCH_BYTES = 32 << 20;

function approxSize(k: RdbKey): number {
  const v = k.value;
  switch (v.type) {
    case 'string':
      return k.key.length + v.value.length;
    case 'list':
      return v.items.reduce((n, b) => n + b.length + 8, 0);
    case 'set':
      return v.members.reduce((n, b) => n + b.length + 8, 0);
    case 'zset':
      return v.entries.reduce((n, e) => n + e.member.length + 16, 0);
    case 'hash':
      return v.entries.reduce((n, [f, x]) => n + f.length + x.length + 8, 0);
    case 'stream':
      return v.entries.reduce((n, e) => n + e.fields.reduce((m, b) => m + b.length, 16), 0);
  }
}

function writeBatch(store: ShardStore, keys: RdbKey[], now: number): void {
  store.writeSync(() => {
    for (const k of keys) {
      store.currentDb = k.db;
      // a new directory: no replica or AOF follows this data set's history, so the import
      // writes records only, no binlog
      const x: StoreCtx = { store, db: k.db, now, binlog: () => {} };
      writeValue(x, k.db, k.key, store.find(k.db, k.key, now), k.value, k.expireAt);
    }
  });
}

/** Import the RDB file `file` (or a stream of its bytes) into a new data directory. */
export async function importRdb(source: string | Readable, opts: ImportOptions): Promise<ImportSummary> {
  const started = Date.now();
  const input = typeof source === 'string' ? createReadStream(source, { highWaterMark: 1 << 20 }) : source;
  if (typeof source === 'string') statSync(source);
  const stores: Array<ShardStore | null> = opts.only ? openShards(opts.dir, opts.layout, opts.only) : createForImport(opts.dir, opts.layout, opts.replace);
  const written = stores.filter((s): s is ShardStore => s !== null);
  const summary: ImportSummary = { keys: 0, databases: new Map(), bytes: 0, expiredSkipped: 0, emptySkipped: 0, streamGroupsDropped: 0, ms: 0, counts: [] };
  const pending: RdbKey[][] = stores.map(() => []);
  const pendingBytes = stores.map(() => 0);
  const now = Date.now();
  const flush = (i: number) => {
    if (pending[i].length === 0) return;
    writeBatch(stores[i]!, pending[i], now);
    pending[i] = [];
    pendingBytes[i] = 0;
  };
  try {
    const reader = new RdbFileReader(input, { onProgress: (b) => opts.onProgress?.(b, summary.keys) });
    for await (const e of reader.events()) {
      if (e.kind !== 'key') continue;
      const k = e.key;
      if (k.db >= opts.layout.databases) throw new DataDirError(`the file has keys in database ${k.db}; import with --databases ${k.db + 1} or more`);
      const i = shardOf(k.key, stores.length);
      if (stores[i] === null) continue;
      if (k.expireAt !== null && k.expireAt <= BigInt(now) && !opts.keepExpired) {
        summary.expiredSkipped++;
        continue;
      }
      if (k.value.type === 'stream' && k.value.groups.length > 0) {
        if (!opts.dropStreamGroups) {
          throw new DataDirError(`stream ${JSON.stringify(k.key.toString('latin1'))} has consumer groups, which respdb does not support: import with --drop-stream-groups to import streams without them`);
        }
        summary.streamGroupsDropped += k.value.groups.length;
        k.value = { ...k.value, groups: [] };
      }
      pending[i].push(k);
      pendingBytes[i] += approxSize(k);
      summary.keys++;
      summary.databases.set(k.db, (summary.databases.get(k.db) ?? 0) + 1);
      if (pending[i].length >= BATCH_KEYS || pendingBytes[i] >= BATCH_BYTES) flush(i);
    }
    for (let i = 0; i < stores.length; i++) flush(i);
    summary.counts = written.map((s) => s.counted());
    summary.bytes = reader.bytesRead;
    summary.emptySkipped = reader.emptyKeysSkipped;
  } finally {
    await closeStores(written);
    if (typeof source === 'string') input.destroy();
  }
  summary.ms = Date.now() - started;
  return summary;
}
