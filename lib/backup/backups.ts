// Backups (SAVE, BGSAVE, the `save` schedule, SHUTDOWN SAVE): a consistent copy of every shard at
// one point of the global order, taken while the server keeps serving.
//
// A backup is one copy job (lib/backup/copier.ts): its thread opens the shards' environments, then
// the coordinator holds every shard (Coordinator.locked, as KEYS does) just until the thread has
// pinned a read snapshot of each, so the snapshots are one cut; the shards go on while the copy
// runs. It is written into `<dump-path>/.<name>.tmp` and renamed to `<dump-path>/<name>` once
// complete (name: <dump-prefix><YYYYMMDDHHMMSS>), so a backup that looks complete is complete: a
// crash or a failure leaves at most a temporary directory, removed at the next start. The
// directory is a data directory: shard-<i>/data.mdb and respdb.json (the shard count), so
// `--dir` on it serves exactly the snapshot.

import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync, openSync, fsyncSync, closeSync, statSync, statfsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Server } from '../server.js';
import { logger } from '../log.js';
import { Copier, CopyError, type CopyJob, type CopyProgress } from './copier.js';
import { Compaction } from './compaction.js';

const log = logger('backup');

/** Redis's CONFIG_BGSAVE_RETRY_DELAY: after a failed save, the schedule waits this long (s). */
const RETRY_DELAY_S = 5;
const TMP_SUFFIX = '.tmp';
/** Free bytes under which a failed copy is put down to a full disk. */
const NEARLY_FULL = 1 << 20;

/** A backup that could not be made: the message for the client (after "ERR "). */
export class BackupError extends Error {}

export interface BackupResult {
  dir: string;
  seq: number;
  bytes: number;
  keys: number;
  seconds: number;
}

interface Running {
  /** null until the shards are held and the job is handed to the copier */
  job: CopyJob | null;
  startedAt: number;
  done: Promise<BackupResult>;
  /** keys in every database when the snapshot was pinned (current_save_keys_total) */
  keysTotal: number;
}

export class Backups {
  private running: Running | null = null;
  /** BGSAVE SCHEDULE while another job (COMPACT) ran: start one when it ends. */
  private scheduled = false;
  /** Unix seconds of the last successful backup (LASTSAVE; the start time until then, as Redis). */
  get lastSave(): number {
    return this.server.counters.lastSave;
  }
  lastStatus: 'ok' | 'err' = 'ok';
  /** Seconds the last backup took (-1: none yet). */
  lastSeconds = -1;
  /** Backups started (INFO rdb_saves). */
  saves = 0;
  lastDir = '';
  lastError = '';
  private lastTry = 0;
  /** The binlog sequence the data had at the last successful backup (changes since: INFO). */
  private seqAtSave: number;
  private timer: NodeJS.Timeout | null = null;
  private closing = false;
  /** The copier thread, shared with compaction (lib/backup/compaction.ts). */
  readonly copier: Copier;
  /** COMPACT and its schedule (lib/backup/compaction.ts): the copier's other job. */
  readonly compaction: Compaction;

  constructor(private readonly server: Server) {
    this.seqAtSave = 0;
    this.copier = new Copier(server.config.str('dir'));
    this.compaction = new Compaction(server, this.copier);
  }

  /** The copier works for something else (a compaction): BGSAVE waits for it or is refused. */
  get otherBusy(): boolean {
    return this.running === null && (this.copier.busy || this.compaction.inProgress);
  }

  /** At startup: the schedule's timer, leftovers of an interrupted backup, expired backups. */
  start(): void {
    this.seqAtSave = this.currentSeq();
    // The copier thread starts with the first backup or compaction (~0.3 s of CPU a server that
    // never saves would pay at each start); that first job holds the shards while it starts.
    const root = this.root();
    if (existsSync(root)) {
      for (const name of readdirSync(root)) {
        if (name.startsWith('.') && name.endsWith(TMP_SUFFIX)) {
          log.warn({ dir: join(root, name) }, 'removing an incomplete backup left by an interrupted save');
          rmSync(join(root, name), { recursive: true, force: true });
        }
      }
    }
    this.expire();
    this.timer = setInterval(() => this.cron(), 1000);
    this.timer.unref();
    this.compaction.start();
  }

  /** The last binlog sequence given out (every write takes the next ones). */
  private currentSeq(): number {
    return Number(new BigInt64Array(this.server.shards.seqSab)[0]) - 1;
  }

  /** Writes made since the last successful backup (INFO rdb_changes_since_last_save, the schedule). */
  changesSinceSave(): number {
    return Math.max(0, this.currentSeq() - this.seqAtSave);
  }

  get inProgress(): boolean {
    return this.running !== null;
  }

  /** Seconds the running backup has taken (-1: none runs). */
  currentSeconds(): number {
    return this.running ? Math.floor((Date.now() - this.running.startedAt) / 1000) : -1;
  }

  progress(): CopyProgress & { keysTotal: number } {
    if (!this.running) return { bytes: 0, records: 0, keys: 0, keysTotal: 0 };
    const p = this.running.job ? this.running.job.progress() : { bytes: 0, records: 0, keys: 0 };
    return { ...p, keysTotal: this.running.keysTotal };
  }

  /** The directory backups go to: dump-path, relative to the data directory. */
  root(): string {
    return resolve(this.server.config.str('dir'), this.server.config.str('dump-path'));
  }

  /**
   * SAVE / BGSAVE: starts a backup. Throws a BackupError when one is running already. The promise
   * settles when the backup is complete (or failed: a BackupError naming the cause).
   */
  begin(): Promise<BackupResult> {
    if (this.running || this.copier.busy || this.compaction.inProgress) throw new BackupError('Background save already in progress');
    if (this.closing) throw new BackupError('the server is shutting down');
    const root = this.root();
    const name = this.freeName(root);
    const final = join(root, name);
    const tmp = join(root, `.${name}${TMP_SUFFIX}`);
    const shards = this.server.shards.all();
    const startedAt = Date.now();
    this.saves++;
    this.lastTry = startedAt;
    try {
      mkdirSync(tmp, { recursive: true });
    } catch (e) {
      return Promise.reject(this.failed(tmp, startedAt, e));
    }
    const r: Running = { job: null, startedAt, keysTotal: 0, done: null as unknown as Promise<BackupResult> };
    // The locks are taken now, in this command's place in the global order: the backup holds
    // exactly the writes sent before it. The shards wait only until the snapshots are pinned.
    const pinned = this.server.coord.locked(shards, () => {
      r.keysTotal = this.totalKeys();
      r.job = this.copier.run(
        shards,
        shards.map((s) => join(tmp, `shard-${s}`)),
        this.server.config.num('rdb-key-save-delay'),
      );
      return r.job.pinned;
    });
    r.done = this.run(r, pinned, tmp, final);
    this.running = r;
    log.info({ dir: final }, 'backup started');
    return r.done;
  }

  private async run(r: Running, pinned: Promise<number[]>, tmp: string, final: string): Promise<BackupResult> {
    let seqs: number[];
    try {
      seqs = await pinned;
      await r.job!.done;
      this.writeLayout(tmp);
      renameSync(tmp, final);
      fsyncDir(this.root());
    } catch (e) {
      this.running = null;
      throw this.failed(tmp, r.startedAt, e);
    }
    const seq = Math.max(0, ...seqs);
    const p = r.job!.progress();
    const seconds = (Date.now() - r.startedAt) / 1000;
    this.running = null;
    this.seqAtSave = seq;
    this.server.counters.lastSave = Math.floor(Date.now() / 1000);
    this.lastStatus = 'ok';
    this.lastSeconds = Math.round(seconds);
    this.lastDir = final;
    this.lastError = '';
    log.info({ dir: final, seq, bytes: p.bytes, keys: p.keys, seconds }, 'backup complete');
    this.expire();
    return { dir: final, seq, bytes: p.bytes, keys: p.keys, seconds };
  }

  /** A failed backup: its temporary directory goes, the status is err, the cause logged. */
  private failed(tmp: string, startedAt: number, e: unknown): BackupError {
    const msg = e instanceof Error ? e.message : String(e);
    // LMDB reports a write that found no room as an I/O error: say what it was
    const full = (e instanceof CopyError && e.code === 'ENOSPC') || this.noRoom() ? `No space left on device in ${this.root()} (${msg})` : msg;
    rmSync(tmp, { recursive: true, force: true });
    this.lastStatus = 'err';
    this.lastSeconds = Math.round((Date.now() - startedAt) / 1000);
    this.lastError = full;
    log.error({ dir: tmp, err: full }, 'backup failed; its partial copy was removed');
    return new BackupError(`Backup failed: ${full}`);
  }

  /** Whether the backups' file system is (nearly) full. */
  private noRoom(): boolean {
    try {
      const st = statfsSync(this.root());
      return st.bavail * st.bsize < NEARLY_FULL;
    } catch {
      return false;
    }
  }

  /** respdb.json of the live directory (the shard count a data directory must be opened with). */
  private writeLayout(tmp: string): void {
    const src = join(this.server.config.str('dir'), 'respdb.json');
    const layout = existsSync(src) ? readFileSync(src, 'utf8') : JSON.stringify({ format: 1, shards: this.server.shards.count, databases: this.server.databases }) + '\n';
    const f = join(tmp, 'respdb.json');
    writeFileSync(f, layout);
    const fd = openSync(f, 'r');
    fsyncSync(fd);
    closeSync(fd);
    fsyncDir(tmp);
  }

  private totalKeys(): number {
    let n = 0;
    for (const l of this.server.shards.links) for (let db = 0; db < this.server.databases; db++) n += l.stats.keys(db);
    return n;
  }

  /** <dump-prefix><YYYYMMDDHHMMSS> (local time, as Pika names them), unique within the second. */
  private freeName(root: string): string {
    const d = new Date();
    const two = (n: number): string => String(n).padStart(2, '0');
    const base = `${this.server.config.str('dump-prefix')}${d.getFullYear()}${two(d.getMonth() + 1)}${two(d.getDate())}${two(d.getHours())}${two(d.getMinutes())}${two(d.getSeconds())}`;
    let name = base;
    for (let i = 1; existsSync(join(root, name)); i++) name = `${base}-${i}`;
    return name;
  }

  /** dump-expire: backups older than that many days go (0 = keep them all). */
  expire(): void {
    const days = this.server.config.num('dump-expire');
    const root = this.root();
    if (days <= 0 || !existsSync(root)) return;
    const prefix = this.server.config.str('dump-prefix');
    const limit = Date.now() - days * 86_400_000;
    const pattern = new RegExp(`^${prefix.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(\\d{4})(\\d{2})(\\d{2})(\\d{2})(\\d{2})(\\d{2})(?:-\\d+)?$`);
    for (const name of readdirSync(root)) {
      const m = pattern.exec(name);
      if (!m) continue;
      const at = new Date(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]).getTime();
      if (at >= limit || !statSync(join(root, name)).isDirectory() || !existsSync(join(root, name, 'respdb.json'))) continue;
      log.info({ dir: join(root, name), days }, 'removing an expired backup (dump-expire)');
      rmSync(join(root, name), { recursive: true, force: true });
    }
  }

  /**
   * BGSAVE SCHEDULE while another job (COMPACT) holds the copier: a backup starts when it ends.
   * Returns whether it was scheduled (false: it may start now).
   */
  schedule(): boolean {
    if (this.otherBusy) {
      this.scheduled = true;
      return true;
    }
    return false;
  }

  /** Once a second: a scheduled BGSAVE, or the `save <seconds> <changes>` points. */
  private cron(): void {
    if (this.running || this.closing || this.otherBusy) return;
    if (this.scheduled) {
      this.scheduled = false;
      this.background('scheduled');
      return;
    }
    const points = this.server.config.str('save').split(' ').filter(Boolean).map(Number);
    if (points.length === 0) return;
    const now = Date.now();
    const changes = this.changesSinceSave();
    const sinceSave = now / 1000 - this.lastSave;
    // after a failure, wait RETRY_DELAY_S between attempts (Redis's rule)
    if (this.lastStatus === 'err' && now - this.lastTry < RETRY_DELAY_S * 1000) return;
    for (let i = 0; i + 1 < points.length; i += 2) {
      if (changes >= points[i + 1] && sinceSave > points[i] && changes > 0) {
        log.info({ changes, seconds: points[i] }, `${changes} changes in ${points[i]} seconds. Saving...`);
        this.background('schedule');
        return;
      }
    }
  }

  /** A backup nobody waits for (its outcome is in the log and INFO). */
  background(why: string): void {
    try {
      this.begin().catch(() => undefined);
    } catch (e) {
      log.warn({ why, err: (e as Error).message }, 'background save not started');
    }
  }

  /** Whether the `save` directive names any point (SHUTDOWN then saves by default, as Redis). */
  get hasSchedule(): boolean {
    return this.server.config.str('save').trim() !== '';
  }

  /** Waits for the running backup, if any (SHUTDOWN SAVE waits for it, then saves). */
  async settle(): Promise<void> {
    if (this.running) await this.running.done.catch(() => undefined);
  }

  /** Shutdown: a running backup stops (its partial copy removed), no other starts. */
  async close(): Promise<void> {
    this.closing = true;
    if (this.timer) clearInterval(this.timer);
    this.compaction.close();
    await this.copier.close();
    if (this.running) await this.running.done.catch(() => undefined);
  }
}

function fsyncDir(dir: string): void {
  try {
    const fd = openSync(dir, 'r');
    fsyncSync(fd);
    closeSync(fd);
  } catch {
    /* not supported on every file system */
  }
}
