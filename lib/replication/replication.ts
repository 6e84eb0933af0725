// The replication hub (`server.replication`): this node's history (ids), its stream's bytes (the
// backlog), its role, and the two sides: `replica` (following a master: lib/replication/replica*.ts)
// and `master` (the replicas following this node: lib/replication/master.ts). Whatever the role,
// the replicas of this node read the backlog, so a replica forwards its master's stream unchanged
// and a chain shares one replid and one offset space. On a master the backlog is filled by the
// stream merger (lib/replication/merge.ts) from the shards' binlogs, started with the first
// replica and continued across restarts (lib/replication/checkpoint.ts).

import { join } from 'node:path';
import type { Server } from '../server.js';
import type { CommandDef } from '../commands/types.js';
import { logger } from '../log.js';
import { Backlog } from './backlog.js';
import { CheckpointFile } from './checkpoint.js';
import { ReplIdStore } from './ids.js';
import { MasterSide } from './master.js';
import { PING_RESP, StreamMerger } from './merge.js';
import { encodeCommand } from '../resp/command.js';

const log = logger('replication');

export type Role = 'master' | 'replica';

const NOREPLICAS = 'NOREPLICAS Not enough good replicas to write.';

/** REPLCONF GETACK *, as a master puts it in the stream for WAIT. */
const GETACK_RESP = Buffer.from('*3\r\n$8\r\nREPLCONF\r\n$6\r\nGETACK\r\n$1\r\n*\r\n');

/** What the hub and INFO need of the replica side (lib/replication/replica.ts). */
export interface ReplicaSide {
  /**
   * The stream offset at the end of the last command handed to the shards: a cut of every shard
   * taken by a lock enqueued now holds exactly the stream up to here.
   */
  readonly dispatchedOffset: number;
  /** The stream's database at dispatchedOffset (a sub-replica's RDB carries it: repl-stream-db). */
  readonly dispatchedDb: number;
  /** INFO replication's replica lines, master_host .. replica_announced, in Redis's order. */
  infoLines(): string[];
  /** ROLE's reply on a replica: master host and port, link state, offset. */
  roleInfo(): { host: string; port: number; state: string; offset: number };
  /** Stops following (REPLICAOF NO ONE, another REPLICAOF, shutdown). */
  stop(): Promise<void>;
  /** Why an ordinary client's command is refused here (READONLY, MASTERDOWN), or null. */
  refusal(def: CommandDef): string | null;
}

/** What the hub needs of the stream producer of a master (lib/replication/merge.ts). */
export interface StreamSource {
  /** Appends everything committed so far to the backlog, then stops. */
  drainAndStop(): Promise<void>;
  /** Resolves with the stream offset right after binlog sequence `seq` once produced. */
  offsetAfter(seq: number, resetDb?: boolean): Promise<number>;
  readonly running: boolean;
}

export class Replication {
  readonly ids: ReplIdStore;
  readonly backlog: Backlog;
  role: Role = 'master';
  replica: ReplicaSide | null = null;
  readonly master: MasterSide;
  private readonly merger: StreamMerger;
  private readonly ckpt: CheckpointFile;
  private timer: NodeJS.Timeout | null = null;
  private lastPing = 0;
  /**
   * The error for writes while min-replicas-to-write is not met (null: writes go on), refreshed
   * once a second as Redis counts its good replicas.
   */
  writesRefused: string | null = null;

  constructor(private readonly server: Server) {
    const rdir = join(server.config.str('dir'), 'replication');
    this.backlog = new Backlog(rdir, this.retention());
    this.ids = new ReplIdStore(rdir);
    this.ckpt = new CheckpointFile(rdir);
    this.master = new MasterSide(server);
    this.merger = new StreamMerger(server.shards, this.backlog);
    this.merger.onQuiet = (offset, seq, db) => this.ckpt.write({ offset, seq, db, clean: false });
    this.backlog.onAppend = () => this.master.pumpAll();
    this.backlog.minNeeded = () => this.master.minNeeded();
  }

  /** The stream producer, when this node produces its own stream (a master with a backlog). */
  get source(): StreamSource | null {
    return this.merger.running ? this.merger : null;
  }

  /** Reads the persisted history and backlog (startup, before the shards start). */
  open(): void {
    this.backlog.open();
    if (!this.ids.load()) this.ids.save();
  }

  /**
   * Once the shards are up: a master that produced a stream before continues it from its
   * checkpoint (the tail after it is rebuilt from the binlogs); after a crash its replication id
   * moves on (replid2 keeps the old one up to the checkpoint), since what replicas got past the
   * checkpoint may differ from what is rebuilt.
   */
  start(): void {
    const ck = this.ckpt.read();
    if (ck !== null && this.backlog.end >= ck.offset && this.backlog.start <= ck.offset) {
      if (this.backlog.end > ck.offset) this.backlog.truncate(ck.offset);
      if (!ck.clean) this.ids.shift(ck.offset);
      // the sequence counter resumes after the highest stored sequence: never below the checkpoint's
      const counter = new BigInt64Array(this.server.shards.seqSab);
      if (Number(Atomics.load(counter, 0)) <= ck.seq) Atomics.store(counter, 0, BigInt(ck.seq + 1));
      const last = Number(counter[0]) - 1;
      this.merger.startAfter(ck.seq, ck.db, last);
      this.server.coord.observer = this.merger;
      log.info({ offset: ck.offset, seq: ck.seq, clean: ck.clean }, 'replication stream continues');
    }
    this.timer = setInterval(() => this.cron(), 1000);
    this.timer.unref();
  }

  /**
   * The stream of a master, started if it is not running (the first replica's full sync: `seq` is
   * its cut, taken while every shard was held). A new stream is a new history: a new replid.
   */
  ensureSource(seq: number): StreamSource {
    if (!this.merger.running) {
      this.ids.renew();
      this.backlog.reset(this.backlog.end);
      this.merger.startAfter(seq);
      this.server.coord.observer = this.merger;
      log.info({ replid: this.ids.ids.replid, offset: this.backlog.end }, 'replication stream started');
    }
    return this.merger;
  }

  /** Drops every replica of this node (they reconnect and PSYNC). */
  dropLinks(): void {
    this.master.dropAll();
  }

  /**
   * REPLICAOF NO ONE: this node's own writes make the stream from here on, under a new replid;
   * replid2 keeps the followed one up to here, so sub-replicas (dropped now) and the old master
   * continue with +CONTINUE.
   */
  async promote(): Promise<void> {
    if (this.role === 'master') return;
    this.role = 'master';
    const all = this.server.shards.all();
    await this.server.coord.locked(all, async () => {
      const seq = Number(new BigInt64Array(this.server.shards.seqSab)[0]) - 1;
      this.ids.shift(this.backlog.end);
      this.master.dropAll();
      this.merger.startAfter(seq);
      this.server.coord.observer = this.merger;
    });
    log.info({ replid: this.ids.ids.replid, offset: this.backlog.end }, 'promoted to master');
  }

  /** Becoming a replica: the own stream is drained into the backlog and stops; sub-replicas are dropped. */
  async demote(): Promise<void> {
    if (this.role === 'replica') return;
    this.role = 'replica';
    if (this.merger.running) {
      this.server.coord.observer = null;
      await this.server.coord.locked(this.server.shards.all(), () => this.merger.drainAndStop());
    }
    // the backlog now follows the master's stream: a restart must not continue this node's own
    this.ckpt.remove();
    this.master.dropAll();
  }

  /** The stream offset a client's writes so far reach (WAIT): everything committed is in it. */
  async currentOffset(): Promise<number> {
    if (!this.merger.running) return this.backlog.end;
    return this.merger.offsetAfter(Number(new BigInt64Array(this.server.shards.seqSab)[0]) - 1);
  }

  /**
   * A command that is not a write of the shards but goes to replicas (PUBLISH): into the stream at
   * this point, while this node produces one. (It may come before a write dispatched just before
   * it that has not committed yet; messages and data are not ordered against each other.)
   */
  propagate(args: Buffer[]): void {
    if (this.merger.running) this.merger.inject(encodeCommand(args));
  }

  /** Asks every replica for an ACK now (WAIT), through the stream as Redis does. */
  requestAcks(): void {
    if (this.merger.running && this.master.links.length > 0) this.merger.inject(GETACK_RESP);
  }

  private cron(): void {
    const period = this.server.config.num('repl-ping-replica-period') * 1000;
    const now = Date.now();
    if (this.merger.running && this.master.links.length > 0 && now - this.lastPing >= period) {
      this.lastPing = now;
      this.merger.inject(PING_RESP);
    }
    this.backlog.retention = this.retention();
    // a replica that has not acknowledged for repl-timeout seconds is gone (Redis drops it too)
    const timeout = this.server.config.num('repl-timeout');
    for (const l of [...this.master.links]) {
      if (l.state === 'online' && l.lag(now) > timeout) {
        log.warn({ replica: `${l.ip}:${l.port}` }, 'disconnecting a replica that timed out');
        l.close();
      }
    }
    const min = this.server.config.num('min-replicas-to-write');
    const maxLag = this.server.config.num('min-replicas-max-lag');
    this.writesRefused = this.role === 'master' && min > 0 && maxLag > 0 && this.master.good(maxLag) < min ? NOREPLICAS : null;
  }

  /**
   * Bytes of stream the backlog keeps: repl-backlog-size or binlog-max-size, the larger (the
   * backlog is on disk, and the binlog already keeps that much of the writes).
   */
  private retention(): number {
    return Math.max(this.server.config.num('repl-backlog-size'), this.server.config.num('binlog-max-size'));
  }

  /** Graceful stop: the stream drained (its checkpoint clean), links closed. */
  async shutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    if (this.merger.running) {
      await this.merger.drainAndStop();
      this.backlog.flush();
      this.ckpt.write({ offset: this.backlog.end, seq: this.merger.shippedSeq, db: -1, clean: true });
    }
    await this.replica?.stop();
    this.master.dropAll();
    this.backlog.close();
    this.ckpt.close();
  }

  /** master_repl_offset: the end of this node's stream. */
  get offset(): number {
    return this.backlog.end;
  }
}
