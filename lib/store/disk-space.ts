// Free space for one shard's LMDB environment. With a writable memory map (lmdb-writemap), a
// write into a page of the data file that the filesystem cannot back raises SIGBUS and kills the
// process; without one, the commit fails with ENOSPC. So the shard keeps a reserve: before write
// batches it compares the filesystem's free space (statfs, refreshed only after a budget of
// bytes is spent, and once a second) with `disk-free-reserve`, and refuses writes before the disk
// is full. Below the reserve, commands that add data (Redis's `denyoom` flag) are refused and
// deletes still run, so an operator can make room; below a quarter of it every write is refused.
// Deleted data frees pages inside the data file, not on the filesystem: while writes are refused,
// the pages LMDB can reuse count as free space too, so deletes make room for new writes.
// A commit that fails writing the data file (ENOSPC, EDQUOT, EIO, MDB_MAP_FULL) refuses every
// write for a second, then until the free space grew (at most ten seconds), then the free space
// decides again: writes come back by themselves once space returns.

import { statfsSync } from 'node:fs';

/** Writes are accepted. */
export const DISK_OK = 0;
/** Below the reserve: commands that add data are refused, deletes run. */
export const DISK_DELETES_ONLY = 1;
/** Below a quarter of the reserve, or a commit failed for lack of space: every write is refused. */
export const DISK_REFUSED = 2;

/** Why writes are refused (the cause's index, published with the level: diskState). */
const CAUSES = ['No space left on device', 'Disk quota exceeded', 'MDB_MAP_FULL: Environment mapsize limit reached', 'File too large', 'Input/output error'] as const;
/** errno / LMDB codes of a failed commit, by cause index. */
const CAUSE_CODES: ReadonlyArray<ReadonlyArray<number | string>> = [[28, 'ENOSPC'], [122, 'EDQUOT'], [-30792, 'MDB_MAP_FULL'], [27, 'EFBIG'], [5, 'EIO']];
const CAUSE_EIO = 4;
/** Free bytes under which an EIO (LMDB's answer to a short write) counts as a full disk. */
const EIO_FULL_BELOW = 1 << 20;

/** After a commit failed, every write is refused this long at least. */
const FAILURE_HOLD_MS = 1000;
/** ... then until the free space grew, or at most this long after the failure. */
const FAILURE_RETRY_MS = 10000;
/** At most this many estimated bytes between two statfs calls while writes are accepted. */
const BUDGET_MAX = 64 << 20;
/**
 * Part of the space above the reserve one shard may use before it looks again (the shards of a
 * server share the filesystem and each keeps its own budget).
 */
const BUDGET_SHARE = 16;
/**
 * Estimated new pages of a write batch: its request bytes three times (the record, the binlog,
 * pages copied on write) and this per command (1 KB SETs measured ~4 KB of file each).
 */
const PER_COMMAND = 2048;

/** A write batch's estimated growth of the data file (bytes). */
export function batchGrowth(requestBytes: number, commands: number): number {
  return 3 * requestBytes + PER_COMMAND * commands;
}

/** The error a refused write command answers (the form of Redis's AOF write error). */
export function diskRefusalText(level: number, cause: number): string {
  const what = CAUSES[cause] ?? CAUSES[0];
  const head = `MISCONF Errors writing to the data files: ${what}`;
  if (cause === 2) return `${head} (the map cannot grow: writes are refused until it can)`;
  if (cause === CAUSE_EIO) return `${head} (writes are refused until a write can succeed)`;
  if (level === DISK_DELETES_ONLY) return `${head} (disk full: writes that add data are refused until space returns; deletes are accepted)`;
  return `${head} (disk full: writes are refused until space returns)`;
}

/** The published state (level + 4 × cause), as INFO reads it. */
export function diskStateLevel(state: number): number {
  return state % 4;
}

type PageStats = { treeBranchPageCount: number; treeLeafPageCount: number; overflowPages: number };
interface StatsSource {
  getStats(): object;
}

/**
 * Bytes of the pages inside an LMDB data file that hold nothing (freed by deletes, reusable by
 * later writes): the file's pages up to the last one used, less the two meta pages and every
 * page of every tree (`dbs`: the named databases; the root and free-page trees come with `env`).
 */
export function reusableBytes(env: StatsSource, dbs: readonly StatsSource[]): number {
  const s = env.getStats() as PageStats & { pageSize: number; lastPageNumber: number; free: PageStats };
  const pages = (t: PageStats): number => t.treeBranchPageCount + t.treeLeafPageCount + t.overflowPages;
  let used = 2 + pages(s) + pages(s.free);
  for (const db of dbs) used += pages(db.getStats() as PageStats);
  return Math.max(0, s.lastPageNumber + 1 - used) * s.pageSize;
}

/** This thread's guard (set by a shard thread), which scripts' write commands ask too. */
export const threadDisk: { guard: DiskGuard | null } = { guard: null };

/** The refusal a write command gets now (`addsData`: its denyoom flag), or null when it may run. */
export function writeRefusal(addsData: boolean): string | null {
  const g = threadDisk.guard;
  if (g === null || g.level === DISK_OK || (g.level === DISK_DELETES_ONLY && !addsData)) return null;
  return g.text(g.level);
}

export class DiskGuard {
  /** DISK_OK, DISK_DELETES_ONLY or DISK_REFUSED. */
  level = DISK_OK;
  /** Index of the cause in CAUSES. */
  cause = 0;
  /** Free bytes at the last check, the data file's reusable pages included below the reserve (-1 before the first). */
  free = -1;
  /** Estimated bytes of writes left before the next statfs. */
  private budget = 0;
  /** When a commit failed (0: not failed), and the free space then. */
  private failedAt = 0;
  private freeAtFailure = 0;
  /** The refusal texts of the current cause, by level (a batch may run at a level above `level`). */
  private texts = [0, 1, 2].map((l) => diskRefusalText(l, 0));

  /**
   * `reserve`: disk-free-reserve in bytes (0: no statfs; only failed commits refuse writes).
   * `publish`: the state changed (level + 4 × cause). `reusable`: bytes of free pages inside the
   * data file (asked only below the reserve: it costs tens of µs). `writers`: the shards writing
   * to the filesystem at once (each may be committing a batch like this one).
   */
  constructor(
    private readonly dir: string,
    private reserve: number,
    private readonly publish: (state: number) => void,
    private readonly reusable: () => number = () => 0,
    private readonly writers = 1,
  ) {}

  setReserve(bytes: number): void {
    this.reserve = bytes;
    this.check(0);
  }

  /** The error of a write refused at `level`. */
  text(level: number): string {
    return this.texts[level];
  }

  /** Before a write batch that may add `growth` bytes to the data file: the level it runs at. */
  admit(growth: number): number {
    if ((this.budget -= growth) >= 0) return this.level;
    return this.check(growth);
  }

  /**
   * Looks at the free space now (the once-a-second tick, and whenever the budget is spent); the
   * level a batch of `growth` bytes runs at: the state's, or DISK_REFUSED when such a batch on
   * every shard at once would take the space under a quarter of the reserve.
   */
  check(growth: number): number {
    this.budget = 0;
    if (this.failedAt !== 0) {
      const since = Date.now() - this.failedAt;
      if (since < FAILURE_HOLD_MS || (this.available(true) <= this.freeAtFailure && since < FAILURE_RETRY_MS)) return DISK_REFUSED;
      this.failedAt = 0;
    }
    const reserve = this.reserve;
    if (reserve <= 0) {
      this.budget = BUDGET_MAX;
      this.set(DISK_OK, 0);
      return DISK_OK;
    }
    const free = this.available(false);
    const level = free < reserve / 4 ? DISK_REFUSED : free < reserve ? DISK_DELETES_ONLY : DISK_OK;
    this.set(level, 0);
    if (level === DISK_OK) this.budget = Math.min(BUDGET_MAX, (free - reserve) / BUDGET_SHARE);
    return free - growth * this.writers < reserve / 4 ? DISK_REFUSED : level;
  }

  /** The filesystem's free bytes, plus the data file's reusable pages when below the reserve (or `always`). */
  private available(always: boolean): number {
    let free: number;
    try {
      const s = statfsSync(this.dir);
      free = s.bavail * s.bsize;
    } catch {
      free = Number.MAX_SAFE_INTEGER; // no statfs here: only failed commits refuse writes
    }
    if (always || free < this.reserve) {
      try {
        free += this.reusable();
      } catch {
        // (the environment is closing)
      }
    }
    this.free = free;
    return free;
  }

  /**
   * A write transaction failed: true when writing the data file failed (every write is then
   * refused for a moment, then until space returns), false for any other error.
   */
  failed(e: unknown): boolean {
    const code = (e as { code?: number | string } | null)?.code;
    const msg = e instanceof Error ? e.message : '';
    let cause = CAUSE_CODES.findIndex((codes) => codes.includes(code as number | string));
    if (cause < 0 && msg.startsWith('MDB_MAP_FULL')) cause = 2;
    if (cause < 0) return false;
    this.failedAt = Date.now();
    this.freeAtFailure = this.available(true);
    // LMDB reports a short write (the disk filled up during it) as EIO
    if (cause === CAUSE_EIO && this.freeAtFailure - this.reusable() < EIO_FULL_BELOW) cause = 0;
    this.budget = 0;
    this.set(DISK_REFUSED, cause);
    return true;
  }

  private set(level: number, cause: number): void {
    if (level === this.level && cause === this.cause) return;
    this.level = level;
    if (cause !== this.cause) this.texts = [0, 1, 2].map((l) => diskRefusalText(l, cause));
    this.cause = cause;
    this.publish(level + 4 * cause);
  }
}

const LEVEL_NAMES = ['accepted', 'deletes_only', 'refused'];

/**
 * INFO persistence: the shards' guard states (STAT.diskState) as Redis's aof_last_write_status and
 * respdb's own fields.
 */
export function diskInfoLines(states: number[], dir: string, reserve: number): string[] {
  let level = DISK_OK;
  for (const st of states) level = Math.max(level, diskStateLevel(st));
  let free = -1;
  try {
    const s = statfsSync(dir);
    free = s.bavail * s.bsize;
  } catch {
    // not known here
  }
  return [
    `aof_last_write_status:${level === DISK_OK ? 'ok' : 'err'}`,
    `disk_full:${level === DISK_OK ? 0 : 1}`,
    `disk_full_writes:${LEVEL_NAMES[level]}`,
    `disk_free_bytes:${free}`,
    `disk_free_reserve:${reserve}`,
  ];
}
