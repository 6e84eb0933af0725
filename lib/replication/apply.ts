// Applying the master's stream on a replica. The link appends the received bytes to the backlog
// unchanged (sub-replicas read them from there); the applier reads them back from the backlog,
// parses the commands (lib/replication/stream-parser.ts) and runs each through the router as the
// master client: a connection with no socket whose replies are dropped, exempt from READONLY and
// MASTERDOWN. Bytes received while a full sync loads wait in the backlog (on disk), not in memory.
//
// Offsets: `dispatched` is the end of the last command handed to the router (a cut of every shard
// taken by a lock enqueued now holds exactly the stream up to there); `applied`
// (slave_repl_offset) the end of the last command whose reply came back, in stream order; inside
// MULTI it moves at EXEC, as in Redis. Crash safety: lib/replication/apply-marks.ts.

import { Duplex } from 'node:stream';
import type { Socket } from 'node:net';
import Denque from 'denque';
import { Connection, Slot } from '../connection.js';
import type { Server } from '../server.js';
import type { CommandDef } from '../commands/types.js';
import { keyIndexes, lookupBytes, resolveStreamCommand } from '../commands/registry.js';
import { streamCommandKind } from '../commands/replication-steps.js';
import { StreamParser, type StreamCommand } from './stream-parser.js';
import { markAll } from './apply-marks.js';
import { logger } from '../log.js';

const log = logger('replication');

/** Replies outstanding before the applier waits (the shards' rings stay busy, memory bounded). */
const MAX_INFLIGHT = 16384;
/** Bytes read from the backlog at a time. */
const READ_CHUNK = 1 << 20;

/** A socket that discards what is written: the master client's replies go nowhere. */
function nullSocket(): Socket {
  const d = new Duplex({
    read() {},
    write(_c, _e, cb) {
      cb();
    },
  });
  return d as unknown as Socket;
}

/** The master's client: counts its replies as they leave the queue (in command order). */
export class MasterClient extends Connection {
  created = 0;
  completed = 0;
  onProgress: () => void = () => {};

  constructor(server: Server) {
    super(Number.MAX_SAFE_INTEGER, nullSocket(), server, server.acl.users.defaultUser, true);
    this.fromMaster = true;
    this.mute = true;
  }

  override slot(): Slot {
    this.created++;
    return super.slot();
  }

  override slotDone(): void {
    const before = this.queue.length;
    super.slotDone();
    const n = before - this.queue.length;
    if (n > 0) {
      this.completed += n;
      this.onProgress();
    }
  }
}

/** Per-shard marks to skip below after a restart (null once the stream is past all of them). */
export interface ResumePoint {
  offset: number;
  db: number;
  /** each shard's mark (commands at or below it already committed there) */
  marks: number[] | null;
}

export class StreamApplier {
  readonly master: MasterClient;
  private parser: StreamParser;
  /** stream offset up to which bytes went to the parser */
  private fed: number;
  dispatched: number;
  applied: number;
  /** commands sent and not answered: slot count at dispatch -> end offset */
  private readonly inflight = new Denque<{ seq: number; end: number }>();
  private block: StreamCommand[] | null = null;
  private marks: number[] | null;
  private maxMark = -1;
  private stopped = false;
  private waiting: (() => void) | null = null;
  /** GETACKs waiting for everything before them to be applied: offset to acknowledge */
  private acks: number[] = [];
  /** acknowledges `offset` to the master (REPLCONF ACK) */
  sendAck: (offset: number) => void = () => {};
  /** the stream is not RESP: the link must be dropped */
  onBroken: (err: Error) => void = () => {};
  private running = false;
  /** a unit running alone (its steps may commit outside the rings' order) */
  private inUnit = false;
  /** every shard's mark is at or past this offset (the backlog keeps the bytes from here) */
  lowWater: number;
  private loopDone: Promise<void> = Promise.resolve();
  /** names of the master's commands respdb does not have, already warned about */
  private readonly unknownSeen = new Set<string>();

  constructor(private readonly server: Server, from: ResumePoint) {
    this.master = new MasterClient(server);
    this.master.db = from.db;
    this.master.onProgress = () => this.progress();
    this.parser = new StreamParser(from.offset);
    this.fed = from.offset;
    this.dispatched = from.offset;
    this.applied = from.offset;
    this.marks = from.marks;
    this.lowWater = from.offset;
    if (this.marks !== null) this.maxMark = Math.max(...this.marks);
  }

  /** Starts (or goes on) applying what the backlog holds past `fed`. */
  start(): void {
    if (this.running || this.stopped) return;
    this.running = true;
    this.loopDone = this.loop().catch((e) => {
      log.error({ err: e }, 'applying the replication stream failed');
      this.onBroken(e as Error);
    });
  }

  /** New bytes are in the backlog. */
  notify(): void {
    const w = this.waiting;
    if (w !== null) {
      this.waiting = null;
      w();
    }
  }

  stop(): void {
    this.stopped = true;
    this.notify();
  }

  /** Resolves once every dispatched command has been answered (the shards answer them all, stopped or not). */
  drained(): Promise<void> {
    if (this.inflight.length === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const check = (): void => {
        if (this.inflight.length === 0) resolve();
        else this.waitProgress().then(check, check);
      };
      check();
    });
  }

  /** Stops and resolves once what was handed to the shards is answered and marked. */
  async finish(): Promise<void> {
    this.stop();
    await this.loopDone;
    await this.drained();
  }

  private progressWaiters: Array<() => void> = [];

  private waitProgress(): Promise<void> {
    return new Promise((r) => this.progressWaiters.push(r));
  }

  private progress(): void {
    const done = this.master.completed;
    const q = this.inflight;
    while (q.length > 0 && q.peekFront()!.seq <= done) this.applied = q.shift()!.end;
    if (q.length === 0) this.applied = this.dispatched;
    while (this.acks.length > 0 && this.applied >= this.acks[0]) this.sendAck(this.acks.shift()!);
    if (this.progressWaiters.length > 0) {
      const ws = this.progressWaiters;
      this.progressWaiters = [];
      for (const w of ws) w();
    }
  }

  private async loop(): Promise<void> {
    const backlog = this.server.replication.backlog;
    while (!this.stopped) {
      const c = this.parser.next();
      if (c === null) {
        if (this.fed < backlog.end) {
          // the shards never get a byte the backlog file does not hold (a restart resumes from it)
          backlog.flush();
          const chunk = backlog.read(this.fed, READ_CHUNK);
          this.fed += chunk.length;
          this.parser.push(chunk);
          continue;
        }
        await new Promise<void>((r) => (this.waiting = r));
        continue;
      }
      if (this.inflight.length >= MAX_INFLIGHT) {
        await this.waitProgress();
        if (this.stopped) return;
      }
      const unit = this.take(c);
      if (unit !== null) await unit;
    }
  }

  /** One parsed command: run now, or as part of a unit (see apply-marks.ts). */
  private take(c: StreamCommand): Promise<void> | null {
    // a command renamed by rename-command gets its canonical name here, for everything below
    // (the router included: it looks the master's commands up by canonical name)
    const def = resolveStreamCommand(c.args);
    if (def === undefined) this.warnUnknown(c.args[0]);
    const kind = streamCommandKind(c.args);
    if (this.block !== null) {
      this.block.push(c);
      if (kind === 'exec') {
        const block = this.block;
        this.block = null;
        const shards = this.ringShards(block.slice(1, -1));
        if (shards === null) return this.runUnit(block);
        this.dispatchMarked(block, shards, true);
      }
      return null;
    }
    if (kind === 'multi') {
      this.block = [c];
      return null;
    }
    if (kind === 'getack') {
      // the acknowledgement excludes the GETACK itself, once everything before it is applied
      const at = this.dispatched;
      this.advance(c.end);
      if (this.applied >= at) this.sendAck(at);
      else this.acks.push(at);
      return null;
    }
    if (def === undefined || !def.flags.includes('write')) {
      // SELECT, PING, PUBLISH...: no data to mark
      this.dispatch(c);
      return null;
    }
    const shards = this.ringShards([c]);
    if (shards === null) return this.runUnit([c]);
    this.dispatchMarked([c], shards, false);
    return null;
  }

  /**
   * A command respdb does not have (a stream consumer group's XGROUP, XCLAIM...) fails here and
   * its effect is lost, as a redis-server replica's error to its master: said once per name, so
   * a migration that needs it is not taken for complete.
   */
  private warnUnknown(name: Buffer): void {
    const n = name.toString('latin1').toLowerCase();
    if (this.unknownSeen.has(n)) return;
    this.unknownSeen.add(n);
    log.warn({ command: n }, "the master sent a command respdb does not have: its effect is not applied on this replica");
  }

  /** The command's table entry, its subcommand's for a container. */
  private entry(args: Buffer[]): CommandDef | undefined {
    const def = lookupBytes(args[0]);
    if (def?.sub && args.length >= 2) return def.sub.get(args[1].toString('latin1').toLowerCase());
    return def;
  }

  /**
   * The shards that `cmds` reach through their rings, each as one record per shard that the
   * router writes synchronously (single-shard commands, scatter parts, one EXEC group per
   * shard); null when one of them takes another way (main thread, locks, the slow pool, a
   * transaction of its own).
   */
  private ringShards(cmds: StreamCommand[]): Set<number> | null {
    const s = this.server;
    const out = new Set<number>();
    for (const c of cmds) {
      const def = this.entry(c.args);
      if (def === undefined || def.main || !def.shard || def.ownTransaction || def.slow === true) return null;
      if (s.slowRouting.enabled && s.slowRouting.isForced(def)) return null;
      const idx = keyIndexes(def, c.args);
      if (idx.length === 0) return null;
      const first = s.router.singleShard(c.args, idx);
      if (first >= 0) out.add(first);
      else if (def.scatter) for (const i of idx) out.add(s.shards.of(c.args[i]));
      else return null;
    }
    return out.size > 0 ? out : null;
  }

  /**
   * Marks every shard at the dispatched offset through its ring, behind everything sent to it
   * (every second): a shard that gets no stream commands keeps a recent mark, so a restart
   * resumes near the end and the backlog need not keep old bytes for it.
   */
  markIdle(): void {
    // (not while skipping after a restart: a shard's mark may be ahead of the dispatched offset)
    if (this.inUnit || this.stopped || this.block !== null || this.marks !== null) return;
    const at = this.dispatched;
    void markAll(this.server, at, this.master.db).then(() => {
      if (at > this.lowWater) this.lowWater = at;
    });
  }

  /** Stream offset `end` reached without running anything. */
  private advance(end: number): void {
    this.dispatched = end;
    this.inflight.push({ seq: this.master.created, end });
    this.progress();
  }

  private dispatch(c: StreamCommand): void {
    const m = this.master;
    this.server.router.dispatch(m, c.args);
    this.dispatched = c.end;
    this.inflight.push({ seq: m.created, end: c.end });
    this.progress();
  }

  /**
   * Commands whose records on each shard of `shards` carry the shard's mark into their own
   * transaction (lib/shard/handle.ts nextMark). After a restart, a shard whose mark is at or past
   * their end already holds its part: a block's commands for it are left out, and when every
   * shard holds its part nothing runs.
   */
  private dispatchMarked(cmds: StreamCommand[], shards: Set<number>, block: boolean): void {
    const end = cmds[cmds.length - 1].end;
    const marks = this.marks;
    if (marks !== null) {
      const need = [...shards].filter((sh) => end > marks[sh]);
      if (need.length === 0) {
        this.advance(end);
        this.pastMarks();
        return;
      }
      if (block && need.length < shards.size) {
        const keep = new Set(need);
        const inner = cmds.slice(1, -1).filter((c) => {
          const one = this.ringShards([c])!;
          return one.size > 1 || keep.has(one.values().next().value!);
        });
        cmds = [cmds[0], ...inner, cmds[cmds.length - 1]];
        shards = keep;
      }
    }
    const s = this.server;
    const m = this.master;
    const mark = { end, db: m.db };
    for (const sh of shards) s.shards.links[sh].handle.nextMark = mark;
    for (const c of cmds) s.router.dispatch(m, c.args);
    for (const sh of shards) s.shards.links[sh].handle.nextMark = null;
    this.dispatched = end;
    this.inflight.push({ seq: m.created, end });
    this.progress();
    this.pastMarks();
  }

  /**
   * A unit whose commands take the main thread or locks (a block with SELECT inside, RENAME
   * across shards, FLUSHALL...): run alone, then marked on every shard once answered.
   */
  private async runUnit(cmds: StreamCommand[]): Promise<void> {
    this.inUnit = true;
    try {
      await this.runAlone(cmds);
    } finally {
      this.inUnit = false;
    }
  }

  private async runAlone(cmds: StreamCommand[]): Promise<void> {
    const end = cmds[cmds.length - 1].end;
    await this.drained();
    if (this.stopped) return;
    if (this.marks !== null && end <= this.maxMark) {
      this.advance(end);
      this.pastMarks();
      return;
    }
    const m = this.master;
    for (const c of cmds) {
      this.server.router.dispatch(m, c.args);
      this.dispatched = c.end;
    }
    this.inflight.push({ seq: m.created, end });
    this.progress();
    // marked even when stopping: the unit ran, a restart must not run it again
    await this.drained();
    await markAll(this.server, end, m.db);
    this.pastMarks();
  }

  private pastMarks(): void {
    if (this.marks !== null && this.dispatched >= this.maxMark) this.marks = null;
  }
}
