// What a shard samples of itself once a second for INFO respdb, INFO keyspace's avg_ttl and the
// metrics endpoint, written into its ShardStats where the main thread reads them without a round
// trip: LMDB's page counts (O(1) per tree: each tree's header, never its pages), the binlog's
// size, and an estimate of the average time to live of volatile keys from a bounded sample of the
// expiry index (like Redis's, an estimate: reading every expiry would walk the data).

import type { ShardStore } from '../store/shard-store.js';
import { readU64BE } from '../store/keys.js';
import { FIG, type ShardStats } from './stats.js';

interface TreeStats {
  pageSize: number;
  treeBranchPageCount: number;
  treeLeafPageCount: number;
  overflowPages: number;
}

interface EnvStats extends TreeStats {
  root: TreeStats;
  free: TreeStats;
  mapSize: number;
  lastPageNumber: number;
}

/** Expiry entries read per sample run, in SAMPLE_RUNS runs from random points in time. */
const SAMPLE_RUNS = 4;
const SAMPLE_PER_RUN = 32;
/** Weight of a new sample in the running average (Redis smooths its avg_ttl too). */
const TTL_WEIGHT = 0.25;

function treePages(t: TreeStats): number {
  return t.treeBranchPageCount + t.treeLeafPageCount + t.overflowPages;
}

/** Samples the shard's figures into `stats`. */
export function sampleFigures(store: ShardStore, stats: ShardStats, databases: number, now: number): void {
  stats.setFig(FIG.binlogBytes, store.binlogBytes);
  const trees = [store.meta, store.sub, store.zscore, store.long, store.slot, store.expires, store.binlog, store.info, store.garbage];
  let used = 2; // the two meta pages
  let env: EnvStats | null = null;
  for (const t of trees) {
    const st = (t as unknown as { getStats(): EnvStats }).getStats();
    env ??= st;
    used += treePages(st);
  }
  if (env) {
    used += treePages(env.root) + treePages(env.free);
    stats.setFig(FIG.pageSize, env.root.pageSize);
    stats.setFig(FIG.pages, env.lastPageNumber + 1);
    stats.setFig(FIG.usedPages, Math.min(used, env.lastPageNumber + 1));
    stats.setFig(FIG.mapSize, env.mapSize);
  }
  sampleTtl(store, stats, databases, now);
}

function sampleTtl(store: ShardStore, stats: ShardStats, databases: number, now: number): void {
  let volatile = false;
  for (let db = 0; db < databases; db++) {
    if (stats.expires(db) > 0) volatile = true;
    else stats.setAvgTtl(db, 0);
  }
  if (!volatile) return;
  let first = 0;
  let last = 0;
  for (const k of store.expires.getKeys({ limit: 1 })) first = readU64BE(k as Buffer, 0);
  for (const k of store.expires.getKeys({ limit: 1, reverse: true })) last = readU64BE(k as Buffer, 0);
  const sum = new Float64Array(databases);
  const n = new Float64Array(databases);
  const start = Buffer.alloc(8);
  for (let run = 0; run < SAMPLE_RUNS; run++) {
    const at = first + Math.floor(Math.random() * Math.max(0, last - first));
    start.writeUInt32BE(Math.floor(at / 2 ** 32), 0);
    start.writeUInt32BE(at >>> 0, 4);
    for (const k of store.expires.getKeys({ start, limit: SAMPLE_PER_RUN })) {
      const key = k as Buffer;
      const ttl = readU64BE(key, 0) - now;
      const db = store.logical(key[8]);
      if (ttl <= 0 || db < 0 || db >= databases) continue;
      sum[db] += ttl;
      n[db]++;
    }
  }
  for (let db = 0; db < databases; db++) {
    if (n[db] === 0 || stats.expires(db) === 0) continue;
    const sample = sum[db] / n[db];
    const prev = stats.avgTtl(db);
    stats.setAvgTtl(db, prev > 0 ? prev * (1 - TTL_WEIGHT) + sample * TTL_WEIGHT : sample);
  }
}
