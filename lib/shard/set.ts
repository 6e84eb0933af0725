// The shards as the main thread holds them: per shard its thread (ShardHandle), the counters and
// state it shares through SharedArrayBuffers, the main thread's read-only view of its data, and
// the bookkeeping of direct reads (barrier, stale). One object per shard instead of parallel
// arrays; requests are queued here in the global order every multi-shard operation relies on.

import type { CommandDef } from '../commands/types.js';
import { ShardStore } from '../store/shard-store.js';
import { ShardShared } from '../store/shared-state.js';
import { ShardHandle, type ReplyTarget } from './handle.js';
import { ShardStats } from './stats.js';
import { BinlogRing } from '../binlog-ring.js';
import { shardOf } from '../slot.js';
import type { ShardInit, ToShard } from './protocol.js';
import type { Connection } from '../connection.js';

const BINLOG_RING_BYTES = 8 << 20;

/** The shard threads' settings from the configuration. */
export type ShardSettings = Pick<ShardInit, 'appendfsync' | 'writemap' | 'binlogMaxBytes' | 'diskFreeReserve' | 'hz' | 'loglevel' | 'scriptSab' | 'encoding' | 'renames'>;

/** One shard, main-thread side. */
export class ShardLink {
  readonly stats: ShardStats;
  readonly binlogRing = new BinlogRing(BINLOG_RING_BYTES);
  /** The SWAPDB map, access table and write counters, shared with the shard thread. */
  readonly shared = new ShardShared();
  readonly handle: ShardHandle;
  /** Read-only view of the shard's environment for direct reads (opened once the shard is ready). */
  view: ShardStore | null = null;
  /** Multi-shard operations in flight on this shard (scatter parts, locks): direct reads wait while > 0. */
  barrier = 0;
  /** Replies were delivered since the view's snapshot was taken: renew it before the next direct read. */
  stale = false;

  constructor(
    readonly index: number,
    databases: number,
    init: ShardSettings & Pick<ShardInit, 'dir' | 'databases' | 'shards' | 'seqSab' | 'diagSab'>,
  ) {
    this.stats = new ShardStats(databases);
    this.handle = new ShardHandle(index, { ...init, statsSab: this.stats.sab, binlogSab: this.binlogRing.sab, sharedSab: this.shared.sab });
  }
}

/** What the server hears from its shards. */
export interface ShardEvents {
  /** A drain of a shard's replies delivered some (sockets should be flushed). */
  onReplies(): void;
  onFatal(msg: string): void;
  /** A command's duration sent back by a shard, for a target without its own onTimed. */
  onTimed(target: ReplyTarget, micros: number, args: Buffer[] | null): void;
  onLatency(event: string, ms: number): void;
  /** Keyspace events records of a command of `origin` (null: a shard's background work). */
  onKeyEvents(origin: Connection | null, records: Buffer): void;
}

export class ShardSet {
  readonly links: ShardLink[] = [];
  /** The global binlog sequence counter, shared by every shard. */
  readonly seqSab = new SharedArrayBuffer(8);
  /** Keyspace hits/misses of direct reads (INFO adds them to the shards'). */
  readonly directStats: ShardStats;
  /** Called when a request was queued: the batch must go out at the end of this turn. */
  scheduleFlush: () => void = () => undefined;
  /** Where keyspace events records go (lib/notifications.ts; the coordinator merges scatter parts first). */
  deliverKeyEvents: (origin: Connection | null, records: Buffer) => void = () => undefined;

  constructor(
    readonly count: number,
    readonly databases: number,
  ) {
    this.directStats = new ShardStats(databases);
  }

  /** Starts every shard thread and resolves once all are ready; then opens the main thread's views. */
  async start(dir: string, settings: ShardSettings, diagSab: (shard: number) => SharedArrayBuffer, events: ShardEvents): Promise<void> {
    this.deliverKeyEvents = (origin, records) => events.onKeyEvents(origin, records);
    for (let i = 0; i < this.count; i++) {
      const link = new ShardLink(i, this.databases, { ...settings, dir, databases: this.databases, shards: this.count, seqSab: this.seqSab, diagSab: diagSab(i) });
      const h = link.handle;
      h.onReplies = () => {
        // Something committed on this shard may now be acknowledged: direct reads must see it.
        link.stale = true;
        events.onReplies();
      };
      h.onFatal = (msg) => events.onFatal(msg);
      h.onTimed = (target, micros, args) => events.onTimed(target, micros, args);
      h.onLatency = (event, ms) => events.onLatency(event, ms);
      h.onKeyEvents = (origin, records) => events.onKeyEvents(origin, records);
      h.onBackgroundEvents = () => link.shared.backgroundEventsDelivered();
      this.links.push(link);
    }
    // The shards open concurrently; the global binlog sequence continues after the highest one.
    const last = await Promise.all(this.links.map((l) => l.handle.ready));
    new BigInt64Array(this.seqSab)[0] = BigInt(Math.max(0, ...last) + 1);
    for (const l of this.links) {
      l.view = new ShardStore({
        index: l.index,
        dir,
        databases: this.databases,
        seq: new BigInt64Array(this.seqSab),
        stats: this.directStats,
        binlogRing: null,
        binlogMaxBytes: 0,
        shared: l.shared,
        view: true,
      });
    }
  }

  /** The shard that owns a key. */
  of(key: Buffer): number {
    return shardOf(key, this.count);
  }

  /** Every shard's index. */
  all(): number[] {
    return this.links.map((l) => l.index);
  }

  /**
   * Sends one command to one shard (queued in order with everything else); resolves with its reply
   * (a copy). No direct read overtakes it on that shard meanwhile. `origin`: the client it runs
   * for (its keyspace events' origin); `onKeyEvents`: its events go there instead (Tx.exec).
   */
  call(shard: number, def: CommandDef, db: number, proto: number, args: Buffer[], origin?: Connection, onKeyEvents?: (records: Buffer) => void): Promise<Buffer> {
    const link = this.links[shard];
    return new Promise((resolve) => {
      link.barrier++;
      const target: ReplyTarget = {
        conn: origin,
        onKeyEvents,
        onReply: (r) => {
          link.barrier--;
          resolve(Buffer.from(r));
        },
      };
      link.handle.send(def.index!, db, proto, args, target);
      this.scheduleFlush();
    });
  }

  /**
   * Sends a command to every shard at this point of the global order; their replies, shard by
   * shard. `origin`: the client it runs for (its keyspace events' origin).
   */
  broadcast(def: CommandDef, db: number, proto: number, args: Buffer[], origin?: Connection): Promise<Buffer[]> {
    return Promise.all(this.links.map((l) => this.call(l.index, def, db, proto, args, origin)));
  }

  /** End of the event-loop turn: every shard's batch goes out. */
  flush(): void {
    for (const l of this.links) l.handle.flush();
  }

  /** A control message to every shard (configuration changes). */
  control(m: ToShard): void {
    for (const l of this.links) l.handle.control(m);
  }

  /**
   * Replica mode (a replica of another node, lib/replication/): the shards expire no key
   * themselves, neither by the active expiry nor on access (no DEL in their binlog); reads,
   * direct ones included, answer an expired key as missing while DBSIZE still counts it; the
   * master's stream, applied as writes, sees the keys as stored and deletes them with its DELs.
   * Effective at once (a shared word, not a message), for every command from the next on.
   */
  setReplicaMode(on: boolean): void {
    for (const l of this.links) l.shared.setReplicaMode(on);
  }

  get replicaMode(): boolean {
    return this.links.length > 0 && this.links[0].shared.replicaMode();
  }

  /** Requests sent and not answered yet, over all shards. */
  pending(): number {
    let n = 0;
    for (const l of this.links) n += l.handle.pending();
    return n;
  }

  close(): Promise<void> {
    return Promise.all(this.links.map((l) => l.handle.close())).then(() => undefined);
  }
}
