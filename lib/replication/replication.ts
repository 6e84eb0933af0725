// The replication hub (`server.replication`): this node's history (ids), its stream's bytes (the
// backlog), its role, and the two sides: `replica` (following a master: lib/replication/replica*.ts)
// and `links` (the replicas following this node: lib/replication/links.ts). Whatever the role, the
// replicas of this node read the backlog, so a replica forwards its master's stream unchanged and
// a chain shares one replid and one offset space.

import { join } from 'node:path';
import { Backlog } from './backlog.js';
import { ReplIdStore } from './ids.js';
import type { CommandDef } from '../commands/types.js';

export type Role = 'master' | 'replica';

/** What the hub and INFO need of the replica side (lib/replication/replica.ts). */
export interface ReplicaSide {
  /**
   * The stream offset at the end of the last command handed to the shards: a cut of every shard
   * taken by a lock enqueued now holds exactly the stream up to here.
   */
  readonly dispatchedOffset: number;
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
  /** Starts producing into the backlog after binlog sequence `seq`. */
  startAfter(seq: number): void;
  /** Appends everything committed so far to the backlog, then stops. */
  drainAndStop(): Promise<void>;
  /** Resolves with the stream offset right after binlog sequence `seq` once produced. */
  offsetAfter(seq: number): Promise<number>;
  readonly running: boolean;
}

export class Replication {
  readonly ids: ReplIdStore;
  readonly backlog: Backlog;
  role: Role = 'master';
  replica: ReplicaSide | null = null;
  source: StreamSource | null = null;
  /** Drops every replica of this node (they reconnect and PSYNC): set by the master side. */
  dropLinks: () => void = () => {};

  constructor(dir: string, retention: number) {
    const rdir = join(dir, 'replication');
    this.backlog = new Backlog(rdir, retention);
    this.ids = new ReplIdStore(rdir);
  }

  /** Reads the persisted history and backlog (startup). */
  open(): void {
    this.backlog.open();
    if (!this.ids.load()) this.ids.save();
  }

  close(): void {
    this.backlog.close();
  }

  /**
   * REPLICAOF NO ONE (the replica side has stopped): a new history from this node's stream end,
   * the old one kept as replid2 so its replicas continue with a partial resync.
   */
  promote(): void {
    this.ids.shift(this.backlog.end);
    this.role = 'master';
    this.dropLinks();
  }

  /** Before following a master: this node's own stream stops (drained into the backlog first). */
  async demote(): Promise<void> {
    if (this.source?.running) await this.source.drainAndStop();
    this.role = 'replica';
  }

  /** master_repl_offset: the end of this node's stream. */
  get offset(): number {
    return this.backlog.end;
  }
}
