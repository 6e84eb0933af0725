// COMPACT: gives back the space that deletes left in the shards' LMDB files. Each shard is
// rewritten by the copier thread while it keeps serving, then swapped in:
// 1. its snapshot at binlog sequence S is copied (lib/store/env-copy.ts: no free pages);
// 2. while the shard serves, the keys the binlog names after S are copied again from a fresh
//    snapshot (lib/store/env-catchup.ts), round after round until the tail is small;
// 3. under the coordinator's lock on that shard only: the last tail, then every view of the
//    environment is closed (the copier's; the shard closes its own, the main thread's view is
//    replaced, the slow pool's threads reopen theirs at their next task: ShardShared's
//    generation), the copy is renamed into place (the old directory removed after), reopened,
//    and the shard unlocked.
// A FLUSHDB / FLUSHALL / SWAPDB during the copy makes a catch-up impossible: the shard is copied
// again from the start (at most MAX_RESTARTS times).

import { existsSync, renameSync, rmSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import type { Server } from '../server.js';
import { logger } from '../log.js';
import type { ShardStore } from '../store/shard-store.js';
import { swapEnvironments } from '../shard/env-swap.js';
import { dataDiskBytes, dataFileBytes } from '../store/env-copy.js';
import type { Copier } from './copier.js';

const log = logger('compact');

/** Catch-up rounds while the shard serves, before the last one under its lock. */
const MAX_ROUNDS = 8;
/** A tail of at most this many binlog records is applied under the lock. */
const SMALL_TAIL = 2000;
const MAX_RESTARTS = 3;

export class CompactError extends Error {}

export interface CompactResult {
  shards: number;
  reclaimed: number;
  seconds: number;
}

export class Compaction {
  inProgress = false;
  /** Bytes the last compaction gave back (data files before minus after). */
  lastReclaimed = 0;
  lastSeconds = -1;
  compactions = 0;
  lastStatus: 'ok' | 'err' = 'ok';
  /** The shard being compacted (-1: none), and bytes copied of it so far. */
  currentShard = -1;
  private lastRun = 0;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly server: Server,
    private readonly copier: Copier,
  ) {}

  /** Compacts the given shards one after the other (all: every shard). */
  async compact(shards: number[] = this.server.shards.all()): Promise<CompactResult> {
    if (this.inProgress) throw new CompactError('Compaction already in progress');
    if (this.server.backups.inProgress || this.copier.busy) throw new CompactError('Background save already in progress');
    this.inProgress = true;
    const t0 = Date.now();
    let reclaimed = 0;
    try {
      for (const s of shards) reclaimed += await this.compactShard(s);
      this.lastStatus = 'ok';
    } catch (e) {
      this.lastStatus = 'err';
      log.error({ err: (e as Error).message }, 'compaction failed; the shard keeps its files');
      throw e instanceof CompactError ? e : new CompactError(`Compaction failed: ${(e as Error).message}`);
    } finally {
      this.inProgress = false;
      this.currentShard = -1;
      this.lastRun = Date.now();
    }
    const seconds = (Date.now() - t0) / 1000;
    this.lastReclaimed = reclaimed;
    this.lastSeconds = Math.round(seconds);
    this.compactions++;
    log.info({ shards: shards.length, reclaimed, seconds }, `compaction reclaimed ${reclaimed} bytes`);
    return { shards: shards.length, reclaimed, seconds };
  }

  private async compactShard(i: number): Promise<number> {
    const dir = this.server.config.str('dir');
    const live = join(dir, `shard-${i}`);
    const tmp = join(dir, `.shard-${i}.compact`);
    const old = join(dir, `.shard-${i}.old`);
    this.currentShard = i;
    const before = dataDiskBytes(live);
    const beforeFile = dataFileBytes(live);
    for (let attempt = 0; ; attempt++) {
      rmSync(tmp, { recursive: true, force: true });
      try {
        const done = await this.copyAndSwap(i, live, tmp, old);
        if (done) break;
      } catch (e) {
        await this.copier.closeShard(i, tmp);
        rmSync(tmp, { recursive: true, force: true });
        throw e;
      }
      await this.copier.closeShard(i, tmp);
      if (attempt + 1 >= MAX_RESTARTS) {
        rmSync(tmp, { recursive: true, force: true });
        throw new CompactError('Compaction failed: the shard was flushed or swapped during every attempt');
      }
      log.info({ shard: i }, 'a FLUSHDB/FLUSHALL/SWAPDB ran during the copy: copying the shard again');
    }
    rmSync(old, { recursive: true, force: true });
    const after = dataDiskBytes(live);
    const reclaimed = Math.max(0, before - after);
    log.info({ shard: i, before, after, beforeFile, afterFile: dataFileBytes(live) }, `shard ${i} compacted`);
    return reclaimed;
  }

  /** One attempt: false when the binlog tail cannot be applied (a whole-database change). */
  private async copyAndSwap(i: number, live: string, tmp: string, old: string): Promise<boolean> {
    const coord = this.server.coord;
    const delay = this.server.config.num('rdb-key-save-delay');
    const job = { current: null as ReturnType<Copier['run']> | null };
    await coord.locked([i], () => {
      job.current = this.copier.run([i], [tmp], delay, true);
      return job.current.pinned;
    });
    await job.current!.done;
    for (let round = 0; round < MAX_ROUNDS; round++) {
      const r = await this.copier.catchUp(i, tmp);
      if (r.full) return false;
      if (r.records <= SMALL_TAIL) break;
    }
    let full = false;
    let lockedAt = 0;
    let tailRecords = 0;
    let caughtMs = 0;
    let swapMs = 0;
    await coord.locked([i], async () => {
      lockedAt = performance.now();
      const r = await this.copier.catchUp(i, tmp);
      tailRecords = r.records;
      caughtMs = performance.now() - lockedAt;
      if (r.full) {
        full = true;
        return;
      }
      await this.copier.closeShard(i, tmp);
      try {
        unlinkSync(join(tmp, 'lock.mdb'));
      } catch {
        /* none */
      }
      const s0 = performance.now();
      await swapEnvironments(this.server.shards, this.server.config.str('dir'), [i], () => {
        rmSync(old, { recursive: true, force: true });
        renameSync(live, old);
        try {
          renameSync(tmp, live);
        } catch (e) {
          renameSync(old, live);
          throw e;
        }
      });
      swapMs = performance.now() - s0;
    });
    if (!full) log.info({ shard: i, lockedMs: Math.round(performance.now() - lockedAt), catchUpMs: Math.round(caughtMs), reopenMs: Math.round(swapMs), tailRecords }, 'shard swapped');
    return !full && existsSync(live);
  }

  /** The share of the data file's pages that are free (deletes left them; LMDB reuses them, never gives them back), in percent. */
  freeRatio(i: number): number {
    const v = this.server.shards.links[i].view;
    if (!v) return 0;
    const total = (v.env as unknown as { getStats(): { lastPageNumber: number } }).getStats().lastPageNumber + 1;
    return total > 0 ? Math.max(0, Math.round(((total - usedPages(v)) * 100) / total)) : 0;
  }

  /** The shards' data files: bytes on disk, and bytes of their free pages (INFO). */
  dataBytes(): { disk: number; free: number } {
    let disk = 0;
    let free = 0;
    const dir = this.server.config.str('dir');
    for (const l of this.server.shards.links) {
      disk += dataDiskBytes(join(dir, `shard-${l.index}`));
      const v = l.view;
      if (!v) continue;
      const st = (v.env as unknown as { getStats(): { lastPageNumber: number; pageSize: number } }).getStats();
      free += Math.max(0, st.lastPageNumber + 1 - usedPages(v)) * st.pageSize;
    }
    return { disk, free };
  }

  /** compact-cron / compact-interval (when disable_auto_compactions is no): checked every minute. */
  start(): void {
    this.timer = setInterval(() => this.cron(), 60_000);
    this.timer.unref();
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
  }

  private cron(): void {
    const cfg = this.server.config;
    if (cfg.bool('disable_auto_compactions') || this.inProgress || this.copier.busy || this.server.backups.inProgress) return;
    const now = new Date();
    let ratio = -1;
    const cron = cfg.str('compact-cron');
    if (cron !== '') {
      const [days, hours, r] = cron.split('/');
      const [d1, d2] = days.split('-').map(Number);
      const [h1, h2] = hours.split('-').map(Number);
      const wd = now.getDay() === 0 ? 7 : now.getDay();
      if (wd >= d1 && wd <= d2 && now.getHours() >= h1 && now.getHours() < h2 && Date.now() - this.lastRun > 3600_000) ratio = Number(r);
    }
    const interval = cfg.str('compact-interval');
    if (ratio < 0 && interval !== '') {
      const [h, r] = interval.split('/').map(Number);
      if (Date.now() - this.lastRun >= h * 3600_000) ratio = r;
    }
    if (ratio < 0) return;
    const shards = this.server.shards.all().filter((s) => this.freeRatio(s) >= ratio);
    this.lastRun = Date.now();
    if (shards.length === 0) return;
    log.info({ shards, ratio }, 'scheduled compaction');
    this.compact(shards).catch(() => undefined);
  }
}

/** Pages in use by the environment's sub-databases (their trees), from LMDB's statistics. */
function usedPages(v: ShardStore): number {
  let n = 0;
  for (const db of [v.meta, v.sub, v.zscore, v.long, v.slot, v.expires, v.binlog, v.info, v.garbage]) {
    const s = (db as unknown as { getStats(): { treeBranchPageCount: number; treeLeafPageCount: number; overflowPages: number } }).getStats();
    n += s.treeBranchPageCount + s.treeLeafPageCount + s.overflowPages;
  }
  return n + 4; // the two meta pages and the main db's root, roughly
}

/**
 * At startup, before the shards open: what an interrupted compaction left. A copy not yet in
 * place goes; a shard whose directory was moved aside but not replaced gets it back.
 */
export function recoverCompaction(dir: string, shards: number): void {
  for (let i = 0; i < shards; i++) {
    const live = join(dir, `shard-${i}`);
    const tmp = join(dir, `.shard-${i}.compact`);
    const old = join(dir, `.shard-${i}.old`);
    if (!existsSync(live) && existsSync(old)) {
      log.warn({ shard: i }, 'an interrupted compaction moved the shard aside: putting it back');
      renameSync(old, live);
    }
    if (existsSync(tmp)) rmSync(tmp, { recursive: true, force: true });
    if (existsSync(old)) rmSync(old, { recursive: true, force: true });
  }
}
