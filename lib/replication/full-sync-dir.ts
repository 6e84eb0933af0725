// Where a replica's full sync puts the data set it loads, and the commit that makes it the live
// one, so that a crash at any moment leaves the data all old or all new:
//   <dir>/.full-sync/shard-<i>/   the new data set, written by the load thread
//   <dir>/.full-sync/commit       written (and fsynced) once the new set is complete, just before
//                                 the directories are renamed: from then on the new set wins
//   <dir>/.full-sync.old/shard-<i>/  the old directories, moved aside by the swap, removed after
// At startup (recoverFullSync, before the shards open): without a commit, whatever the load left
// is removed and the old data stays; with one, the swap is finished (each shard whose new
// directory is still in .full-sync gets it), then both directories go.

import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { logger } from '../log.js';

const log = logger('replication');

export const FULL_SYNC_DIR = '.full-sync';
export const FULL_SYNC_OLD_DIR = '.full-sync.old';
const COMMIT_FILE = 'commit';

/** The paths of a full sync's load in data directory `dir`. */
export function fullSyncPaths(dir: string): { tmp: string; old: string; commit: string } {
  return { tmp: join(dir, FULL_SYNC_DIR), old: join(dir, FULL_SYNC_OLD_DIR), commit: join(dir, FULL_SYNC_DIR, COMMIT_FILE) };
}

function fsyncPath(path: string): void {
  const fd = openSync(path, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** The new data set is complete: from here on a restart finishes the swap. `stamp`: kept with it. */
export function writeCommit(dir: string, stamp: string): void {
  const p = fullSyncPaths(dir);
  const tmp = p.commit + '.tmp';
  writeFileSync(tmp, JSON.stringify({ stamp }) + '\n');
  fsyncPath(tmp);
  renameSync(tmp, p.commit);
  fsyncPath(p.tmp);
}

/**
 * Moves every shard's new directory into place, the live one aside (synchronously; shards
 * closed). Idempotent: a shard already swapped is left alone, so a restart can run it again.
 * Returns the shards it swapped, in order (in `done`, also when it throws).
 */
export function renameInto(dir: string, shards: number, done: number[] = []): number[] {
  const p = fullSyncPaths(dir);
  mkdirSync(p.old, { recursive: true });
  for (let i = 0; i < shards; i++) {
    const fresh = join(p.tmp, `shard-${i}`);
    if (!existsSync(fresh)) continue;
    const live = join(dir, `shard-${i}`);
    const aside = join(p.old, `shard-${i}`);
    if (existsSync(live)) {
      rmSync(aside, { recursive: true, force: true });
      renameSync(live, aside);
    }
    renameSync(fresh, live);
    done.push(i);
  }
  fsyncPath(dir);
  return done;
}

/** Undoes renameInto for `done` (a rename failed half way): the old directories go back. */
export function renameBack(dir: string, done: number[]): void {
  const p = fullSyncPaths(dir);
  for (const i of [...done].reverse()) {
    const live = join(dir, `shard-${i}`);
    renameSync(live, join(p.tmp, `shard-${i}`));
    renameSync(join(p.old, `shard-${i}`), live);
  }
  rmSync(p.commit, { force: true });
  fsyncPath(dir);
}

/**
 * At startup, before the shards open: what an interrupted full sync left. Returns the stamp of a
 * swap it finished (the data is the new set), null otherwise (the data is the old set).
 */
export function recoverFullSync(dir: string, shards: number): string | null {
  const p = fullSyncPaths(dir);
  let stamp: string | null = null;
  if (existsSync(p.commit)) {
    stamp = (JSON.parse(readFileSync(p.commit, 'utf8')) as { stamp: string }).stamp;
    const swapped = renameInto(dir, shards);
    log.warn({ shards: swapped }, 'a full sync was interrupted after its data set was complete: its swap is finished');
  } else if (existsSync(p.tmp)) {
    log.warn('a full sync was interrupted before its data set was complete: removing it, the data stays as it was');
  }
  rmSync(p.tmp, { recursive: true, force: true });
  rmSync(p.old, { recursive: true, force: true });
  return stamp;
}
