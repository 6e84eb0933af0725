// A replica's full sync, once the master's RDB is in a file: the file is loaded into a new data
// set beside the live one (<dir>/.full-sync/, by threads of their own: lib/replication/
// rdb-load-thread.ts), while the shards go on serving the old data; then, under the lock of every
// shard (one point of the global order: no client sees a mix), the new directories replace the
// old ones (lib/shard/env-swap.ts) and everything derived from the data follows. A failure at any
// point before the swap (bad file, full disk, cancel) leaves the live data untouched and removes
// what the load wrote; a killed process leaves it to the next start (lib/replication/
// full-sync-dir.ts), which finishes a swap that had begun and otherwise drops the new set.
//
// After the swap, as after Redis's load of an RDB on a replica:
// - key counts (INFO keyspace, DBSIZE), the plain-keys filter, the expires index, the garbage
//   list, the SWAPDB map (identity) are the new set's, rebuilt by each shard as at startup;
// - each shard's binlog is the new set's: empty; the global sequence counter continues;
// - OBJECT IDLETIME: every key idle since the load; WATCHed keys are dirty (EXEC fails, as after
//   Redis's emptyData), client-tracking clients are told everything changed;
// - saved scripts and function libraries are kept (respdb keeps them with the data: they are
//   written into the new set);
// - clients blocked on keys (BLPOP...) are not woken by the load, as Redis's replica does not
//   wake them: the next write of the key in the master's stream does;
// - keys already expired in the file are loaded (the master's DEL follows in its stream, and a
//   replica reads them as missing meanwhile: ShardSet.setReplicaMode).

import { existsSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import { rm } from 'node:fs/promises';
import { Worker } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';
import type { Server } from '../server.js';
import { logger } from '../log.js';
import { encodingLimits } from '../store/encoding-limits.js';
import { swapEnvironments } from '../shard/env-swap.js';
import type { KeyCounts } from '../store/shard-store.js';
import { SavedScripts } from '../scripting/saved.js';
import { prepareForImport } from '../tools/rdb-data-dir.js';
import { fullSyncPaths, renameBack, renameInto, writeCommit } from './full-sync-dir.js';
import type { FromRdbLoad, RdbLoadInit } from './rdb-load-thread.js';

const log = logger('replication');

const WORKER_URL = new URL('../../workers/rdb-load.js', import.meta.url);
/** How often the swap looks again whether a backup or compaction (which read the old files) ended. */
const COPIER_POLL_MS = 20;

export interface FullLoadOptions {
  /** Progress of the load: bytes of the file read, its size, keys loaded (every 100 ms or so). */
  onProgress?(bytesRead: number, totalBytes: number, keys: number): void;
  /** Cancels the load (rejects with a FullLoadError whose `cancelled` is true); too late once the swap began. */
  signal?: AbortSignal;
  /**
   * Kept with the commit of the swap: when the process dies after the new data set was complete,
   * the next start finishes the swap and Server.fullSyncStamp holds this (e.g. the master's
   * replid and offset the data set is at), so the data and what describes it never disagree.
   */
  stamp?: string;
  /**
   * Runs while every shard is still held, right after the new data is in place and before any
   * command sees it (e.g. adopting the master's replication id and offset).
   */
  onSwapped?(): void | Promise<void>;
}

export interface FullLoadResult {
  /** keys loaded */
  keys: number;
  /** from the call to the end of the swap */
  ms: number;
  /** the load alone (the old data served meanwhile) */
  loadMs: number;
  /** how long every shard was held for the swap */
  lockedMs: number;
  /** bytes of the file */
  bytes: number;
}

export class FullLoadError extends Error {
  constructor(
    message: string,
    readonly cancelled = false,
  ) {
    super(message);
  }
}

const loading = new WeakSet<Server>();

/** Whether a full sync's load runs on this server. */
export function fullLoadInProgress(server: Server): boolean {
  return loading.has(server);
}

/**
 * Loads the RDB file at `rdbPath` into a new data set beside the live one, then swaps it in under
 * a lock of every shard. Until the swap the live data is untouched and served; if anything fails
 * (bad file, disk full, cancel, process killed) the live data stays exactly as it was and no
 * leftovers remain (removed at the next start too). Resolves after the swap.
 */
export async function loadFullSync(server: Server, rdbPath: string, opts: FullLoadOptions = {}): Promise<FullLoadResult> {
  if (loading.has(server)) throw new FullLoadError('a full sync load is already in progress');
  loading.add(server);
  const started = performance.now();
  const dir = server.config.str('dir');
  const paths = fullSyncPaths(dir);
  try {
    if (opts.signal?.aborted) throw new FullLoadError('the load was cancelled', true);
    const totalBytes = statSync(rdbPath).size;
    rmSync(paths.tmp, { recursive: true, force: true });
    rmSync(paths.old, { recursive: true, force: true });
    let summary;
    try {
      summary = await runLoadThreads(server, rdbPath, paths.tmp, totalBytes, opts);
    } catch (e) {
      rmSync(paths.tmp, { recursive: true, force: true });
      throw e;
    }
    const loadMs = performance.now() - started;
    log.info({ keys: summary.keys, bytes: totalBytes, ms: Math.round(loadMs), expiredLoaded: summary.expiredSkipped, streamGroupsDropped: summary.streamGroupsDropped }, 'full sync: data set loaded beside the live one');
    let lockedMs = 0;
    try {
      lockedMs = await swapIn(server, dir, opts, summary.counts);
    } catch (e) {
      // a swap that failed after its commit and could not be undone is finished by the next start
      if (existsSync(paths.commit)) log.error({ err: (e as Error).message }, 'full sync: the swap failed half way; the next start completes it');
      else rmSync(paths.tmp, { recursive: true, force: true });
      throw e;
    }
    rmSync(paths.tmp, { recursive: true, force: true });
    // the old directories, moved aside, go now that nobody holds the shards
    await rm(paths.old, { recursive: true, force: true });
    const ms = performance.now() - started;
    log.info({ keys: summary.keys, ms: Math.round(ms), lockedMs: Math.round(lockedMs) }, 'full sync: new data set swapped in');
    return { keys: summary.keys, ms, loadMs, lockedMs, bytes: totalBytes };
  } finally {
    loading.delete(server);
  }
}

interface LoadSummary {
  keys: number;
  counts: KeyCounts[];
  expiredSkipped: number;
  streamGroupsDropped: number;
}

/**
 * The load threads (one per CPU, at most one per shard; each reads the whole file and writes its
 * shards): resolves with their summary once the new data set is complete and synced. On a
 * failure every thread is stopped before this rejects, so nothing writes into `tmp` afterwards.
 */
async function runLoadThreads(server: Server, rdbPath: string, tmp: string, totalBytes: number, opts: FullLoadOptions): Promise<LoadSummary> {
  const nshards = server.shards.count;
  prepareForImport(tmp, { shards: nshards, databases: server.databases }, true);
  const nthreads = Math.max(1, Math.min(nshards, os.availableParallelism()));
  const parts = Array.from({ length: nthreads }, (_, t) => server.shards.all().filter((s) => s % nthreads === t));
  const cancelSab = new SharedArrayBuffer(4);
  const cancel = (): void => void Atomics.store(new Int32Array(cancelSab), 0, 1);
  const bytes = parts.map(() => 0);
  const keys = parts.map(() => 0);
  const progress = (): void => opts.onProgress?.(Math.min(...bytes), totalBytes, keys.reduce((a, b) => a + b, 0));
  opts.signal?.addEventListener('abort', cancel, { once: true });
  const results = await Promise.allSettled(
    parts.map((only, t) => {
      const init: RdbLoadInit = { rdbPath, dir: tmp, only, shards: nshards, databases: server.databases, encoding: { ...encodingLimits }, cancelSab };
      return runLoadThread(init, (b, k) => {
        bytes[t] = b;
        keys[t] = k;
        progress();
      }).catch((e: unknown) => {
        cancel(); // the other threads stop too
        throw e;
      });
    }),
  );
  opts.signal?.removeEventListener('abort', cancel);
  // the first real failure, rather than the cancellations it caused
  const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected').map((r) => r.reason as FullLoadError);
  if (failed.length > 0) throw failed.find((e) => !e.cancelled) ?? failed[0];
  if (opts.signal?.aborted) throw new FullLoadError('the load was cancelled', true);
  const summaries = results.map((r) => (r as PromiseFulfilledResult<DoneSummary>).value);
  const counted: KeyCounts[] = new Array<KeyCounts>(nshards);
  parts.forEach((only, t) => only.forEach((s, k) => (counted[s] = summaries[t].counts[k])));
  const sum = (f: (s: DoneSummary) => number): number => summaries.reduce((a, s) => a + f(s), 0);
  const summary = { keys: sum((s) => s.keys), expiredSkipped: sum((s) => s.expiredSkipped), streamGroupsDropped: sum((s) => s.streamGroupsDropped), counts: counted };
  opts.onProgress?.(totalBytes, totalBytes, summary.keys);
  return summary;
}

type DoneSummary = Extract<FromRdbLoad, { t: 'done' }>['summary'];

/** One load thread: its summary once its shards are written and synced. */
function runLoadThread(init: RdbLoadInit, onProgress: (bytes: number, keys: number) => void): Promise<DoneSummary> {
  const worker = new Worker(fileURLToPath(WORKER_URL), { workerData: init, name: 'rdb-load' });
  return new Promise<DoneSummary>((resolve, reject) => {
    let settled = false;
    const settle = (err: Error | null, summary?: DoneSummary): void => {
      if (settled) return;
      settled = true;
      // the thread has closed its environments when it reports; it ends by itself
      void worker.terminate();
      if (err) reject(err);
      else resolve(summary!);
    };
    worker.on('message', (m: FromRdbLoad) => {
      if (m.t === 'progress') onProgress(m.bytes, m.keys);
      else if (m.t === 'done') settle(null, m.summary);
      else settle(new FullLoadError(m.cancelled ? m.message : `the RDB file could not be loaded: ${m.message}`, m.cancelled));
    });
    worker.once('error', (e) => settle(new FullLoadError(`the load thread failed: ${e.message}`)));
    worker.once('exit', (code) => settle(new FullLoadError(`the load thread exited (code ${code})`)));
  });
}

/** Backups and compactions read the old files through the copier thread: the swap waits for them. */
async function copierIdle(server: Server, signal?: AbortSignal): Promise<void> {
  const b = server.backups;
  while (b.inProgress || b.compaction.inProgress || b.copier.busy) {
    if (signal?.aborted) throw new FullLoadError('the load was cancelled', true);
    await new Promise((r) => setTimeout(r, COPIER_POLL_MS));
  }
}

/** The swap, holding every shard; returns how long they were held (ms). */
async function swapIn(server: Server, dir: string, opts: FullLoadOptions, counted: KeyCounts[]): Promise<number> {
  await copierIdle(server, opts.signal);
  if (opts.signal?.aborted) throw new FullLoadError('the load was cancelled', true);
  const all = server.shards.all();
  let lockedAt = 0;
  await server.coord.locked(all, async (tx) => {
    lockedAt = performance.now();
    // the copier keeps the environments of earlier backups open: they must close before the swap
    await Promise.all(all.map((i) => server.backups.copier.closeShard(i)));
    const view0 = server.shards.links[0].view!;
    view0.env.resetReadTxn();
    const saved = SavedScripts.entries(view0);
    writeCommit(dir, opts.stamp ?? '');
    const done: number[] = [];
    const times = await swapEnvironments(
      server.shards,
      dir,
      all,
      () => {
        try {
          renameInto(dir, all.length, done);
        } catch (e) {
          renameBack(dir, done);
          throw e;
        }
      },
      true,
      counted,
    );
    await SavedScripts.writeBack(tx, saved);
    await opts.onSwapped?.();
    log.debug({ detachMs: Math.round(times.detachMs), attachMs: Math.round(times.attachMs) }, 'full sync: shards reopened');
  });
  const lockedMs = performance.now() - lockedAt;
  // every key may have changed: tracking clients drop what they cached (Redis: emptyData's flush)
  server.clientCtl.tracking.flushed(null);
  return lockedMs;
}
