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
import { keyIndexes, lookupBytes } from '../commands/registry.js';
import { streamCommandKind } from '../commands/replication-steps.js';
import { StreamParser, type StreamCommand } from './stream-parser.js';
import { markAll } from './apply-marks.js';
import { logger } from '../log.js';

const log = logger('replication');

/** Replies outstanding before the applier waits (the shards' rings stay busy, memory bounded). */
const MAX_INFLIGHT = 4096;
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
    super(Number.MAX_SAFE_INTEGER, nullSocket(), server, false);
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

  constructor(private readonly server: Server, from: ResumePoint) {
    this.master = new MasterClient(server);
    this.master.db = from.db;
    this.master.onProgress = () => this.progress();
    this.parser = new StreamParser(from.offset);
    this.fed = from.offset;
    this.dispatched = from.offset;
    this.applied = from.offset;
    this.marks = from.marks;
    if (this.marks !== null) this.maxMark = Math.max(...this.marks);
  }

  /** Starts (or goes on) applying what the backlog holds past `fed`. */
  start(): void {
    if (this.running || this.stopped) return;
    this.running = true;
    void this.loop().catch((e) => {
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

  /** Resolves once every dispatched command has been answered. */
  drained(): Promise<void> {
    if (this.inflight.length === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const check = (): void => {
        if (this.inflight.length === 0 || this.stopped) resolve();
        else this.waitProgress().then(check, check);
      };
      check();
    });
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
      let c = this.parser.next();
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
      if (this.inflight.length >= MAX_INFLIGHT) await this.waitProgress();
      if (this.stopped) return;
      c = await this.take(c);
    }
  }

  /** One parsed command: run now, or as part of a unit run alone (see apply-marks.ts). */
  private async take(c: StreamCommand): Promise<null> {
    const kind = streamCommandKind(c.args);
    if (this.block !== null) {
      this.block.push(c);
      if (kind === 'exec') {
        const block = this.block;
        this.block = null;
        await this.runUnit(block);
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
    const def = lookupBytes(c.args[0]);
    const s = this.server;
    if (def === undefined || !def.flags.includes('write')) {
      // SELECT, PING, PUBLISH...: no data to mark
      this.dispatch(c, -1);
      return null;
    }
    const shard = this.plainShard(c.args);
    if (shard >= 0) {
      if (this.marks !== null && c.end <= this.marks[shard]) {
        this.advance(c.end);
        this.pastMarks();
        return null;
      }
      this.dispatch(c, shard);
      this.pastMarks();
      return null;
    }
    void s;
    await this.runUnit([c]);
    return null;
  }

  /** The shard of a write the router sends to one shard's ring; -1 for everything else. */
  private plainShard(args: Buffer[]): number {
    const def = lookupBytes(args[0])!;
    if (def.main || !def.shard || def.ownTransaction || def.slow === true || def.sub) return -1;
    if (this.server.slowRouting.enabled && this.server.slowRouting.isForced(def)) return -1;
    const idx = keyIndexes(def, args);
    if (idx.length === 0) return -1;
    return this.server.router.singleShard(args, idx);
  }

  /** Stream offset `end` reached without running anything. */
  private advance(end: number): void {
    this.dispatched = end;
    this.inflight.push({ seq: this.master.created, end });
    this.progress();
  }

  private dispatch(c: StreamCommand, shard: number): void {
    const s = this.server;
    const m = this.master;
    if (shard >= 0) s.shards.links[shard].handle.nextMark = { end: c.end, db: m.db };
    s.router.dispatch(m, c.args);
    if (shard >= 0) s.shards.links[shard].handle.nextMark = null;
    this.dispatched = c.end;
    this.inflight.push({ seq: m.created, end: c.end });
    this.progress();
  }

  /** A MULTI / EXEC block or a write that is not a plain single-shard one: alone, then marked everywhere. */
  private async runUnit(cmds: StreamCommand[]): Promise<void> {
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
    await this.drained();
    if (this.stopped) return;
    await markAll(this.server, end, m.db);
    this.pastMarks();
  }

  private pastMarks(): void {
    if (this.marks !== null && this.dispatched >= this.maxMark) this.marks = null;
  }
}
