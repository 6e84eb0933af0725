// The data directory as `respdb-rdb import` and `export` open it: offline (no server on it), every
// shard's environment as a ShardStore, the layout file the server checks at startup.

import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ShardStore } from '../store/shard-store.js';
import { ShardShared } from '../store/shared-state.js';
import { ShardStats } from '../shard/stats.js';
import { DataDirError, shardDirs } from './bigkeys.js';

/** The server's layout file and its format (lib/server.ts checkLayout). */
const LAYOUT_FILE = 'respdb.json';
const LAYOUT_FORMAT = 1;
const PID_FILE = 'respdb.pid';
export const DEFAULT_DATABASES = 16;

/** The server's default --shards: the CPUs, at most 8 (lib/config/options.ts). */
export function defaultShardCount(): number {
  return Math.max(1, Math.min(8, os.availableParallelism()));
}

export interface Layout {
  shards: number;
  databases: number;
}

function refuseRunningServer(dir: string): void {
  const pidFile = path.join(dir, PID_FILE);
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, 'utf8'));
  let alive = false;
  try {
    if (pid) process.kill(pid, 0);
    alive = pid > 0;
  } catch {
    alive = false;
  }
  if (alive) throw new DataDirError(`data directory ${dir} is in use by process ${pid}: stop the server first`);
}

/** The layout of an existing data directory (its respdb.json, or the shard dirs it holds). */
export function readLayout(dir: string): Layout {
  const dirs = shardDirs(dir);
  const file = path.join(dir, LAYOUT_FILE);
  if (!existsSync(file)) return { shards: dirs.length, databases: DEFAULT_DATABASES };
  const meta = JSON.parse(readFileSync(file, 'utf8')) as { shards: number; databases: number };
  if (meta.shards !== dirs.length) throw new DataDirError(`${file} says ${meta.shards} shards but ${dir} holds ${dirs.length}`);
  return { shards: meta.shards, databases: Math.max(meta.databases, DEFAULT_DATABASES) };
}

function openStore(dir: string, index: number, databases: number, view: boolean): ShardStore {
  return new ShardStore({
    index,
    dir,
    databases,
    seq: new BigInt64Array(new SharedArrayBuffer(8)),
    stats: new ShardStats(databases),
    binlogRing: null,
    binlogMaxBytes: 64 << 20,
    shared: new ShardShared(),
    view,
  });
}

/** The shards of an existing directory, opened to be read (the server must not be running). */
export function openForExport(dir: string): { layout: Layout; stores: ShardStore[] } {
  refuseRunningServer(dir);
  const layout = readLayout(dir);
  const stores: ShardStore[] = [];
  for (let i = 0; i < layout.shards; i++) stores.push(openStore(dir, i, layout.databases, false));
  return { layout, stores };
}

/** Whether a directory holds any shard with keys. */
function holdsData(dir: string): boolean {
  if (!existsSync(dir)) return false;
  return readdirSync(dir).some((n) => /^shard-\d+$/.test(n) || n === LAYOUT_FILE);
}

/**
 * A new data directory with `layout` (created, or emptied first when `replace`), its shards
 * opened to be written. Refuses a directory that already holds a respdb data set unless `replace`.
 */
export function createForImport(dir: string, layout: Layout, replace: boolean): ShardStore[] {
  prepareForImport(dir, layout, replace);
  const stores: ShardStore[] = [];
  for (let i = 0; i < layout.shards; i++) stores.push(openStore(dir, i, layout.databases, false));
  return stores;
}

/** createForImport without opening the shards (threads that import a file together open theirs: openShards). */
export function prepareForImport(dir: string, layout: Layout, replace: boolean): void {
  if (existsSync(dir)) refuseRunningServer(dir);
  if (holdsData(dir)) {
    if (!replace) throw new DataDirError(`${dir} already holds a respdb data set: use --replace to drop it, or another directory`);
    for (const n of readdirSync(dir)) if (/^shard-\d+$/.test(n) || n === LAYOUT_FILE) rmSync(path.join(dir, n), { recursive: true, force: true });
  }
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, LAYOUT_FILE), JSON.stringify({ format: LAYOUT_FORMAT, shards: layout.shards, databases: layout.databases }) + '\n');
}

/** Shards `only` of a directory prepareForImport made, opened to be written (null for the others). */
export function openShards(dir: string, layout: Layout, only: number[]): Array<ShardStore | null> {
  const stores: Array<ShardStore | null> = new Array<ShardStore | null>(layout.shards).fill(null);
  for (const i of only) stores[i] = openStore(dir, i, layout.databases, false);
  return stores;
}

/** Flush to disk and close. */
export async function closeStores(stores: ShardStore[]): Promise<void> {
  for (const s of stores) {
    await new Promise<void>((resolve, reject) => s.sync((e) => (e ? reject(e) : resolve())));
    await s.close();
  }
}
