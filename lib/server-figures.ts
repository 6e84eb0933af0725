// The figures INFO and the metrics endpoint report, read from the counters the main thread, the
// shards (ShardStats, shared memory) and the slow pool keep: nothing here walks the data or asks a
// shard anything. One reader for both, so INFO and /metrics always agree.

import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Server } from './server.js';
import type { CommandDef } from './commands/types.js';
import { ALL } from './commands/registry.js';
import { FIG, type ShardStats } from './shard/stats.js';
import { HIST_BUCKETS } from './latency.js';

/** A counter of STAT summed over the shards, the direct reads and the slow pool. */
export function statSum(s: Server, stat: number): number {
  let n = s.shards.directStats.get(stat) + s.slowStats.get(stat);
  for (const l of s.shards.links) n += l.stats.get(stat);
  return n;
}

export interface MemoryFigures {
  /** V8 heap in use plus memory held outside it (buffers): respdb's used_memory */
  used: number;
  heapTotal: number;
  rss: number;
}

export function memoryFigures(): MemoryFigures {
  const m = process.memoryUsage();
  return { used: m.heapUsed + m.external, heapTotal: m.heapTotal + m.external, rss: m.rss };
}

export interface DbFigures {
  db: number;
  keys: number;
  expires: number;
  /** ms, an estimate sampled by the shards (0 when no key has a TTL) */
  avgTtl: number;
}

/** Every database that holds keys. */
export function keyspaceFigures(s: Server): DbFigures[] {
  const out: DbFigures[] = [];
  for (let db = 0; db < s.databases; db++) {
    let keys = 0;
    let expires = 0;
    let ttlSum = 0;
    for (const l of s.shards.links) {
      const e = l.stats.expires(db);
      keys += l.stats.keys(db);
      expires += e;
      ttlSum += l.stats.avgTtl(db) * e;
    }
    if (keys > 0) out.push({ db, keys, expires, avgTtl: expires > 0 ? Math.round(ttlSum / expires) : 0 });
  }
  return out;
}

export interface CommandFigures {
  /** Redis's name: "get", "config|get" */
  name: string;
  calls: number;
  usec: number;
  rejected: number;
  failed: number;
}

let defsByName: Map<string, CommandDef> | null = null;

function defByName(name: string): CommandDef | undefined {
  if (!defsByName) {
    defsByName = new Map();
    for (const d of ALL) if (!d.internal) defsByName.set(d.name, d);
  }
  return defsByName.get(name);
}

/**
 * Per command run at least once: calls, rejected and failed are counted on the main thread; usec
 * is the main thread's execution time plus the time each shard spent running the command (a
 * multi-shard command counts every part).
 */
export function commandFigures(s: Server): CommandFigures[] {
  const out: CommandFigures[] = [];
  for (const [name, st] of s.cmdStats.entries()) {
    if (!st.calls && !st.rejected && !st.failed) continue;
    let usec = st.usec;
    const def = defByName(name);
    if (def && def.index !== undefined) for (const l of s.shards.links) usec += l.stats.usec(def.index);
    out.push({ name, calls: st.calls, usec: Math.round(usec), rejected: st.rejected, failed: st.failed });
  }
  return out;
}

/** The highest duration (µs) bucket k of the latency histograms holds (see lib/latency.ts). */
function bucketTopMicros(k: number): number {
  return (2 ** (10 + k) + 2 ** (3 + k) - 1) / 1000;
}

export interface LatencyFigures {
  name: string;
  calls: number;
  /** µs per requested percentile, in the order asked */
  values: number[];
}

/** Per command with latency data: the given percentiles (0..100) from its histogram. */
export function latencyFigures(s: Server, percentiles: readonly number[]): LatencyFigures[] {
  const out: LatencyFigures[] = [];
  for (const d of ALL) {
    if (d.internal) continue;
    const h = s.diagnostics.histogram(d);
    let calls = 0;
    for (let k = 0; k < HIST_BUCKETS; k++) calls += h[k];
    if (calls === 0) continue;
    const values = percentiles.map((p) => {
      const rank = Math.max(1, Math.ceil((p / 100) * calls));
      let cum = 0;
      for (let k = 0; k < HIST_BUCKETS; k++) {
        cum += h[k];
        if (cum >= rank) return bucketTopMicros(k);
      }
      return bucketTopMicros(HIST_BUCKETS - 1);
    });
    out.push({ name: d.name, calls, values });
  }
  return out;
}

/** Seconds of CPU the main thread used (Linux: its /proc entry; elsewhere the whole process's). */
export function mainThreadCpu(): { user: number; sys: number } {
  try {
    const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, 'latin1');
    // fields after the command name (which may hold spaces) in parentheses
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const tick = 100; // USER_HZ on Linux
    return { user: Number(f[11]) / tick, sys: Number(f[12]) / tick };
  } catch {
    const u = process.cpuUsage();
    return { user: u.user / 1e6, sys: u.system / 1e6 };
  }
}

export interface ShardFigures {
  shard: number;
  keys: number;
  expires: number;
  /** size of the shard's data.mdb (with a writable map LMDB may size it to the whole map) */
  dataFileBytes: number;
  /** bytes the data file occupies on disk (a file sized to the map is sparse) */
  dataDiskBytes: number;
  pageSize: number;
  /** pages up to the highest one used, those holding trees, and the rest (free for reuse) */
  pages: number;
  usedPages: number;
  freePages: number;
  mapSize: number;
  /** requests sent to the shard and not answered yet */
  queueDepth: number;
  commits: number;
  commitMicros: number;
  lastCommitMicros: number;
  fsyncs: number;
  fsyncMicros: number;
  lastFsyncMicros: number;
  binlogBytes: number;
  stats: ShardStats;
}

export function shardFigures(s: Server): ShardFigures[] {
  const dir = s.config.str('dir');
  return s.shards.links.map((l) => {
    const st = l.stats;
    let keys = 0;
    let expires = 0;
    for (let db = 0; db < s.databases; db++) {
      keys += st.keys(db);
      expires += st.expires(db);
    }
    let dataFileBytes = 0;
    let dataDiskBytes = 0;
    try {
      const f = statSync(join(dir, `shard-${l.index}`, 'data.mdb'));
      dataFileBytes = f.size;
      dataDiskBytes = f.blocks * 512;
    } catch {
      /* not created yet */
    }
    const pages = st.fig(FIG.pages);
    const usedPages = st.fig(FIG.usedPages);
    return {
      shard: l.index,
      keys,
      expires,
      dataFileBytes,
      dataDiskBytes,
      pageSize: st.fig(FIG.pageSize),
      pages,
      usedPages,
      freePages: Math.max(0, pages - usedPages),
      mapSize: st.fig(FIG.mapSize),
      queueDepth: l.handle.pending(),
      commits: st.fig(FIG.commits),
      commitMicros: st.fig(FIG.commitMicros),
      lastCommitMicros: st.fig(FIG.lastCommitMicros),
      fsyncs: st.fig(FIG.fsyncs),
      fsyncMicros: st.fig(FIG.fsyncMicros),
      lastFsyncMicros: st.fig(FIG.lastFsyncMicros),
      binlogBytes: st.fig(FIG.binlogBytes),
      stats: st,
    };
  });
}
