// A replica's full sync, once the master's RDB is in a file: the data set is replaced by the
// file's keys (FLUSHALL, then one RESTORE per key through the shards' write path).

import { createReadStream, statSync } from 'node:fs';
import type { Server } from '../server.js';
import { readRdbFile } from '../rdb/file-read.js';
import { encodeDump } from '../rdb/dump.js';
import { encodingLimits } from '../store/encoding-limits.js';
import { MasterClient } from './apply.js';
import { internal } from '../commands/registry.js';

export interface FullLoadOptions {
  onProgress?(bytesRead: number, totalBytes: number, keys: number): void;
  signal?: AbortSignal;
  stamp?: string;
  onSwapped?(): void | Promise<void>;
}

export interface FullLoadResult {
  keys: number;
  ms: number;
  loadMs: number;
  lockedMs: number;
  bytes: number;
}

const FLUSHALL = Buffer.from('flushall');
const RESTORE = Buffer.from('RESTORE');
const ABSTTL = Buffer.from('ABSTTL');
const REPLACE = Buffer.from('REPLACE');

export async function loadFullSync(server: Server, rdbPath: string, opts: FullLoadOptions = {}): Promise<FullLoadResult> {
  const t0 = performance.now();
  const bytes = statSync(rdbPath).size;
  const conn = new MasterClient(server);
  await server.shards.broadcast(internal('flushall'), 0, 2, [FLUSHALL]);
  let keys = 0;
  const pending: Promise<Buffer>[] = [];
  for await (const ev of readRdbFile(createReadStream(rdbPath))) {
    if (opts.signal?.aborted) throw new Error('the load was cancelled');
    if (ev.kind !== 'key') continue;
    const k = ev.key;
    conn.db = k.db;
    const payload = encodeDump(k.value, encodingLimits, { compress: true });
    const ttl = k.expireAt === null ? '0' : String(k.expireAt);
    pending.push(server.router.execute(conn, [RESTORE, k.key, Buffer.from(ttl), payload, ABSTTL, REPLACE]));
    keys++;
    if (pending.length >= 1000) await Promise.all(pending.splice(0));
  }
  await Promise.all(pending);
  await opts.onSwapped?.();
  const ms = performance.now() - t0;
  return { keys, ms, loadMs: ms, lockedMs: 0, bytes };
}
