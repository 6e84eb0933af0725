// The replica side (server.replication.replica while following a master): the link's state as
// Redis 7.0 shows it (ROLE: connect, connecting, handshake, sync, connected), a new link every
// second while the master cannot be reached, the full sync (RDB received into a file, loaded beside
// the live data, swapped in), the stream applied through the shards (lib/replication/apply.ts),
// REPLCONF ACK every second, repl-timeout, and INFO replication's replica lines.

import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Server } from '../server.js';
import type { ReplicaSide } from './replication.js';
import type { CommandDef } from '../commands/types.js';
import { ReplicaLink, type LinkState } from './replica-link.js';
import { StreamApplier, type ResumePoint } from './apply.js';
import { forgetMarks, markAll, markValid, readMarks, installFrameMarks } from './apply-marks.js';
import { loadFullSync } from './full-load.js';
import { logger } from '../log.js';

const log = logger('replication');

export const READONLY_ERROR = "READONLY You can't write against a read only replica.";
export const MASTERDOWN_ERROR = "MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'.";
/** The same warning about an unreachable master at most this often. */
const WARN_EVERY_MS = 10_000;

type State = 'connect' | LinkState;

/** The shards' replica mode: no active expiry; expired keys read as absent but are not deleted. */
function replicaMode(s: Server, on: boolean): void {
  s.shards.setReplicaMode(on);
}

/** The file naming the data set a full sync swapped in, until its marks are written (see start()). */
function doneFile(server: Server): string {
  return join(server.config.str('dir'), 'replication', 'fullsync-done');
}

export class ReplicaFollower implements ReplicaSide {
  state: State = 'connect';
  private link: ReplicaLink | null = null;
  private applier: StreamApplier | null = null;
  /** Date.now() when the link went down after being up; 0: never up */
  private downSince = 0;
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;
  private lastWarn = 0;
  private forceFull: boolean;
  /** the FULLRESYNC being received: its replid and offset */
  private syncing: { replid: string; offset: number } | null = null;
  private abort: AbortController | null = null;
  private loading: Promise<void> | null = null;
  private prepared: Promise<void>;

  constructor(
    private readonly server: Server,
    readonly host: string,
    readonly port: number,
    opts: { force?: boolean } = {},
  ) {
    this.forceFull = opts.force === true;
    this.prepared = this.prepare();
  }

  /** Starts following: the resume point from the shards' marks, then the first link. */
  private async prepare(): Promise<void> {
    const s = this.server;
    installFrameMarks(s);
    replicaMode(s, true);
    await this.finishSwappedSync();
    const resume = this.resumePoint();
    if (resume !== null) {
      if (resume.marks === null) await markAll(s, resume.offset, resume.db);
      this.newApplier(resume);
    }
    if (this.stopped) return;
    this.timer = setInterval(() => this.cron(), 1000);
    this.connect();
  }

  /** A full sync whose data set is in place but whose marks may be missing (the process died). */
  private async finishSwappedSync(): Promise<void> {
    const s = this.server;
    const f = doneFile(s);
    const stamp = s.fullSyncStamp ?? (existsSync(f) ? readFileSync(f, 'latin1') : null);
    if (stamp === null) return;
    const m = /^([0-9a-f]{40}) (\d+)$/.exec(stamp.trim());
    if (m) {
      s.replication.ids.adopt(m[1], null);
      if (s.replication.backlog.end !== Number(m[2]) && !s.replication.backlog.holds(Number(m[2]))) s.replication.backlog.reset(Number(m[2]));
      await markAll(s, Number(m[2]), 0, m[1]);
    }
    s.fullSyncStamp = null;
    rmSync(f, { force: true });
  }

  /**
   * Where applying resumes: the smallest valid shard mark when the backlog still holds the bytes
   * from there; the stream's end when no mark is valid (this node was a master, or is new); null
   * when only a full sync can help.
   */
  private resumePoint(): ResumePoint | null {
    const s = this.server;
    const backlog = s.replication.backlog;
    const marks = readMarks(s);
    if (marks.every((m) => markValid(s, m))) {
      let low = marks[0]!;
      for (const m of marks) if (m!.offset < low.offset) low = m!;
      if (backlog.holds(low.offset)) return { offset: low.offset, db: low.db, marks: marks.map((m) => m!.offset) };
      log.warn({ offset: low.offset, start: backlog.start, end: backlog.end }, 'the backlog no longer holds the applied offset: a full sync is needed');
      s.replication.ids.renew();
      return null;
    }
    return { offset: backlog.end, db: 0, marks: null };
  }

  private newApplier(from: ResumePoint): void {
    this.applier?.stop();
    const a = new StreamApplier(this.server, from);
    a.sendAck = (o) => this.link?.send(['REPLCONF', 'ACK', String(o)]);
    a.onBroken = (e) => {
      log.warn({ err: e.message }, 'the replication stream cannot be applied; a full sync follows');
      this.server.replication.ids.renew();
      this.link?.close('bad stream');
    };
    this.applier = a;
  }

  private connect(): void {
    if (this.stopped || this.link !== null || this.loading !== null) return;
    const s = this.server;
    const c = s.config;
    const announcePort = c.num('replica-announce-port');
    const rdir = join(c.str('dir'), 'replication');
    const history = this.applier !== null && !this.forceFull;
    const link = new ReplicaLink(
      {
        host: this.host,
        port: this.port,
        masterauth: c.str('masterauth'),
        masteruser: c.str('masteruser'),
        listeningPort: announcePort !== 0 ? announcePort : s.port,
        announceIp: c.str('replica-announce-ip'),
        psync: history ? { replid: s.replication.ids.ids.replid, offset: s.replication.backlog.end } : null,
        dir: rdir,
      },
      {
        state: (st) => {
          this.state = st;
          if (st === 'connected') this.linkUp();
        },
        fullResync: (replid, offset) => this.fullResync(replid, offset),
        continued: (replid) => this.continued(replid),
        rdb: (path) => this.loadRdb(path),
        stream: (chunk) => {
          s.replication.backlog.append(chunk);
          this.applier?.notify();
        },
        closed: (why) => this.linkClosed(link, why),
      },
    );
    this.link = link;
    link.connect();
  }

  private linkUp(): void {
    this.downSince = 0;
    this.forceFull = false;
    log.info({ host: this.host, port: this.port }, 'MASTER <-> REPLICA sync: link up');
    this.applier?.start();
  }

  private fullResync(replid: string, offset: number): void {
    const s = this.server;
    log.info({ replid, offset }, 'full resync from master');
    this.applier?.stop();
    this.applier = null;
    // The old history ends here: marks of it are no longer valid, whatever happens next (a kill
    // mid-load restarts with the old data and a full sync)
    s.replication.ids.renew();
    s.replication.backlog.reset(offset);
    this.syncing = { replid, offset };
  }

  private continued(replid: string | null): void {
    const s = this.server;
    const ids = s.replication.ids;
    if (replid !== null && replid !== ids.ids.replid) {
      log.info({ replid, previous: ids.ids.replid }, 'master replication id changed');
      ids.adopt(replid, s.replication.backlog.end);
      s.replication.dropLinks();
    }
    log.info({ offset: s.replication.backlog.end }, 'partial resynchronization accepted');
  }

  private loadRdb(path: string): Promise<void> {
    const s = this.server;
    const target = this.syncing ?? { replid: '', offset: 0 };
    this.syncing = null;
    // let the master start streaming (a diskless master waits for the first ACK)
    this.link?.send(['REPLCONF', 'ACK', String(target.offset)]);
    const abort = new AbortController();
    this.abort = abort;
    const p = (async () => {
      const replid = target.replid !== '' ? target.replid : s.replication.ids.ids.replid;
      await loadFullSync(s, path, {
        signal: abort.signal,
        stamp: `${replid} ${target.offset}`,
        onSwapped: () => {
          s.replication.ids.adopt(replid, null);
          writeFileSync(doneFile(s), `${replid} ${target.offset}`);
        },
      });
      await markAll(s, target.offset, 0, replid);
      rmSync(doneFile(s), { force: true });
      this.newApplier({ offset: target.offset, db: 0, marks: null });
      if (this.state === 'connected' || this.link?.streaming) this.applier!.start();
      log.info({ offset: target.offset }, 'MASTER <-> REPLICA sync: finished with success');
    })();
    this.loading = p.then(
      () => {},
      () => {},
    );
    void this.loading.then(() => {
      this.loading = null;
      this.abort = null;
    });
    return p;
  }

  private linkClosed(link: ReplicaLink, why: string): void {
    if (this.link !== link) return;
    this.link = null;
    const wasUp = this.state === 'connected';
    this.state = 'connect';
    if (wasUp) this.downSince = Date.now();
    if (this.stopped) return;
    const now = Date.now();
    if (now - this.lastWarn >= WARN_EVERY_MS) {
      this.lastWarn = now;
      log.warn({ host: this.host, port: this.port, why }, 'link with master down; retrying every second');
    } else log.debug({ why }, 'link with master down');
  }

  private cron(): void {
    if (this.stopped) return;
    const link = this.link;
    if (link === null) {
      this.connect();
      return;
    }
    const timeout = this.server.config.num('repl-timeout') * 1000;
    if (this.loading === null && Date.now() - link.lastIo > timeout) {
      link.close('timeout: no data nor PING received from master');
      return;
    }
    if (link.streaming && this.applier !== null) link.send(['REPLCONF', 'ACK', String(this.applier.applied)]);
  }

  // ---- what the hub, INFO, ROLE and the router ask -------------------------------------

  get dispatchedOffset(): number {
    return this.applier?.dispatched ?? this.server.replication.backlog.end;
  }

  /** The stream's database at dispatchedOffset (the master client's, which SELECT changes at dispatch). */
  get dispatchedDb(): number {
    return this.applier?.master.db ?? 0;
  }

  /** slave_repl_offset */
  get appliedOffset(): number {
    return this.applier?.applied ?? 0;
  }

  infoLines(): string[] {
    const c = this.server.config;
    const link = this.link;
    const now = Date.now();
    const up = this.state === 'connected';
    const transfer = this.state === 'sync' && link !== null;
    const lines = [
      `master_host:${this.host}`,
      `master_port:${this.port}`,
      `master_link_status:${up ? 'up' : 'down'}`,
      `master_last_io_seconds_ago:${up && link !== null ? Math.floor((now - link.lastIo) / 1000) : -1}`,
      `master_sync_in_progress:${transfer ? 1 : 0}`,
      `slave_read_repl_offset:${this.applier !== null ? this.server.replication.backlog.end : 0}`,
      `slave_repl_offset:${this.appliedOffset}`,
    ];
    if (transfer) {
      const total = link.transferSize;
      const read = link.transferRead;
      lines.push(
        `master_sync_total_bytes:${total}`,
        `master_sync_read_bytes:${read}`,
        `master_sync_left_bytes:${total - read}`,
        `master_sync_perc:${(total > 0 ? (read / total) * 100 : 0).toFixed(2)}`,
        `master_sync_last_io_seconds_ago:${Math.floor((now - link.lastIo) / 1000)}`,
      );
    }
    if (!up) lines.push(`master_link_down_since_seconds:${this.downSince !== 0 ? Math.floor((now - this.downSince) / 1000) : -1}`);
    lines.push(
      `slave_priority:${c.num('replica-priority')}`,
      `slave_read_only:${c.bool('replica-read-only') ? 1 : 0}`,
      `replica_announced:${c.bool('replica-announced') ? 1 : 0}`,
    );
    return lines;
  }

  roleInfo(): { host: string; port: number; state: string; offset: number } {
    return { host: this.host, port: this.port, state: this.state, offset: this.state === 'connected' ? this.appliedOffset : -1 };
  }

  /** Why an ordinary client's command is refused on this replica (READONLY, MASTERDOWN), or null. */
  refusal(def: CommandDef): string | null {
    const c = this.server.config;
    if (this.state !== 'connected' && !def.flags.includes('stale') && !c.bool('replica-serve-stale-data')) return MASTERDOWN_ERROR;
    if (def.flags.includes('write') && c.bool('replica-read-only')) return READONLY_ERROR;
    return null;
  }

  /** Same master: REPLICAOF answers "+OK Already connected to specified master". */
  sameMaster(host: string, port: number): boolean {
    return host === this.host && port === this.port;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    this.abort?.abort();
    this.link?.close('replication stopped');
    this.link = null;
    const a = this.applier;
    this.applier = null;
    await this.prepared.catch(() => {});
    if (a !== null) await a.finish();
    await this.loading?.catch(() => {});
    for (const l of this.server.shards.links) l.handle.markRecord = null;
  }

  /** REPLICAOF NO ONE: the data stays; its marks name no history (a master's data moves on by itself). */
  async detach(): Promise<void> {
    await this.stop();
    replicaMode(this.server, false);
    await forgetMarks(this.server);
  }
}
