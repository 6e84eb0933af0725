// The master side of replication: the replicas following this node. A replica says who it is
// (REPLCONF), asks to continue (PSYNC <replid> <offset>) and gets either +CONTINUE and the stream
// from its offset, when this node's history and backlog hold it, or a full sync: +FULLRESYNC
// <replid> <offset>, the RDB of one cut of every shard, then the stream from that cut's offset.
// A replica that is itself a replica serves the same way: its backlog holds its master's stream
// and its cut's offset is the stream position its shards had applied (ReplicaSide.dispatchedOffset).

import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import type { Server } from '../server.js';
import type { Connection } from '../connection.js';
import { logger } from '../log.js';
import { ReplicaLink, newHello, type ReplicaHello } from './link.js';
import { RdbSnapshot } from './snapshot.js';
import { SnapshotFile } from './snapshot-file.js';

const log = logger('replication');

const KEEPALIVE_MS = 1000;
/** How long a replica's PSYNC may wait for this replica to receive the offset it asks for. */
const AHEAD_WAIT_MS = 10_000;

export interface SyncCounters {
  full: number;
  partialOk: number;
  partialErr: number;
}

interface Waiter {
  target: number;
  need: number;
  resolve: (acked: number) => void;
  timer: NodeJS.Timeout | null;
}

/** Resolves when the replica's socket drained or closed (its listeners removed either way). */
function drained(link: ReplicaLink): Promise<void> {
  const sock = link.conn.socket;
  return new Promise((resolve) => {
    const done = (): void => {
      sock.off('drain', done);
      sock.off('close', done);
      resolve();
    };
    sock.on('drain', done);
    sock.on('close', done);
  });
}

export class MasterSide {
  readonly links: ReplicaLink[] = [];
  readonly sync: SyncCounters = { full: 0, partialOk: 0, partialErr: 0 };
  private readonly hellos = new WeakMap<Connection, ReplicaHello>();
  private nextLinkId = 0;
  private waiters: Waiter[] = [];

  constructor(private readonly server: Server) {}

  private get repl() {
    return this.server.replication;
  }

  /** What a connection told of itself with REPLCONF (created on first use). */
  hello(conn: Connection): ReplicaHello {
    let h = this.hellos.get(conn);
    if (!h) {
      h = newHello();
      this.hellos.set(conn, h);
    }
    return h;
  }

  /** The link of a connection that is a replica of this node, if it is one. */
  linkOf(conn: Connection): ReplicaLink | null {
    for (const l of this.links) if (l.conn === conn) return l;
    return null;
  }

  /**
   * PSYNC <replid> <offset> (or SYNC: psync2 false, replid '?'): continues the replica's stream
   * when this node can, else starts a full sync. Writes everything itself (no reply slot).
   */
  begin(conn: Connection, replid: string, psyncOffset: number, psync: boolean): void {
    const link = new ReplicaLink(this.nextLinkId++, conn, this.hello(conn), this.repl.backlog, (l) => this.gone(l));
    this.links.push(link);
    const from = psyncOffset - 1;
    if (psync && replid !== '?' && this.aheadOfUs(replid, from)) {
      // A replica of ours that got further than we are now (we restarted after a crash and have
      // not yet received those bytes again from our master): it can continue once we have them.
      void this.whenReached(from).then(() => this.decide(link, replid, from, psync));
      return;
    }
    this.decide(link, replid, from, psync);
  }

  private decide(link: ReplicaLink, replid: string, from: number, psync: boolean): void {
    if (link.isClosed) return;
    if (psync && replid !== '?' && this.canContinue(replid, from)) {
      this.sync.partialOk++;
      link.write(link.hello.capaPsync2 ? `+CONTINUE ${this.repl.ids.ids.replid}\r\n` : '+CONTINUE\r\n');
      log.info({ replica: `${link.ip}:${link.port}`, offset: from }, 'partial resynchronization accepted');
      link.follow(from);
      return;
    }
    if (psync && replid !== '?') this.sync.partialErr++;
    this.sync.full++;
    void this.fullSync(link, psync).catch((e: Error) => {
      log.warn({ replica: `${link.ip}:${link.port}`, err: e.message }, 'full sync failed');
      link.close();
    });
  }

  /** A replica of this replica's history asks for an offset this node has not received (yet). */
  private aheadOfUs(replid: string, offset: number): boolean {
    const repl = this.repl;
    return repl.role === 'replica' && replid === repl.ids.ids.replid && offset > repl.backlog.end && repl.replica?.roleInfo().state === 'connected';
  }

  /** Resolves once this node's stream reaches `offset`, or after a while (then a full sync decides). */
  private whenReached(offset: number): Promise<void> {
    const until = Date.now() + AHEAD_WAIT_MS;
    return new Promise((resolve) => {
      const check = (): void => {
        if (this.repl.backlog.end >= offset || Date.now() > until) resolve();
        else setTimeout(check, 20);
      };
      check();
    });
  }

  /** Can a replica that followed `replid` up to `offset` continue here? */
  private canContinue(replid: string, offset: number): boolean {
    const { ids, backlog } = this.repl;
    if (this.repl.role === 'master' && !this.repl.source?.running) return false;
    const ours = replid === ids.ids.replid || (replid === ids.ids.replid2 && offset < ids.ids.secondReplOffset);
    return ours && backlog.holds(offset);
  }

  private async fullSync(link: ReplicaLink, psync: boolean): Promise<void> {
    const repl = this.repl;
    link.state = 'wait_bgsave';
    // newlines until the RDB starts: the replica knows the master is alive (Redis sends one a second)
    const keepalive = setInterval(() => link.write('\n'), KEEPALIVE_MS);
    let snap: RdbSnapshot | null = null;
    try {
      // a thread ready first, so the shards are held for one round trip only
      await RdbSnapshot.prepare(this.server);
      if (link.isClosed) return;
      // the cut takes this point of the order; on a replica, the stream position applied there
      const replicaSide = repl.role === 'replica' ? repl.replica : null;
      const dispatched = replicaSide ? replicaSide.dispatchedOffset : -1;
      snap = RdbSnapshot.take(this.server, { streamDb: replicaSide ? replicaSide.dispatchedDb : 0 });
      const cut = await snap.cut;
      let offset: number;
      if (replicaSide) offset = dispatched;
      else {
        const source = repl.ensureSource(cut.seq);
        offset = await source.offsetAfter(cut.seq, true);
      }
      link.sendOffset = offset; // the backlog keeps it from now on (minNeeded)
      if (link.isClosed) return;
      clearInterval(keepalive);
      log.info({ replica: `${link.ip}:${link.port}`, offset, keys: cut.keys }, 'full sync: sending the RDB');
      if (psync) link.write(`+FULLRESYNC ${repl.ids.ids.replid} ${offset}\r\n`);
      link.state = 'send_bulk';
      if (link.hello.capaEof && psync) {
        const mark = randomBytes(20).toString('hex');
        link.write(`$EOF:${mark}\r\n`);
        await this.sendChunks(link, snap);
        link.write(mark);
        if (link.hello.rdbOnly) return void link.close();
        link.follow(offset, true);
      } else {
        // the length comes first: the RDB goes to a file, then out
        const file = new SnapshotFile(join(this.server.config.str('dir'), 'replication', `sync-${link.id}.rdb`));
        const again = setInterval(() => link.write('\n'), KEEPALIVE_MS);
        try {
          await file.fill(snap);
        } finally {
          clearInterval(again);
        }
        if (link.isClosed) return file.remove();
        link.write(`$${file.size}\r\n`);
        await this.sendFile(link, file.path);
        file.remove();
        if (link.hello.rdbOnly) return void link.close();
        link.follow(offset);
      }
    } finally {
      clearInterval(keepalive);
      snap?.cancel();
    }
  }

  private async sendChunks(link: ReplicaLink, snap: RdbSnapshot): Promise<void> {
    for (;;) {
      const chunk = await snap.read();
      if (chunk === null || link.isClosed) return;
      if (!link.write(chunk)) await drained(link);
    }
  }

  private async sendFile(link: ReplicaLink, path: string): Promise<void> {
    for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) {
      if (link.isClosed) return;
      if (!link.write(chunk as Buffer)) await drained(link);
    }
  }

  private gone(link: ReplicaLink): void {
    const i = this.links.indexOf(link);
    if (i >= 0) this.links.splice(i, 1);
    log.info({ replica: `${link.ip}:${link.port}` }, 'replica disconnected');
    this.checkWaiters();
  }

  /** Every replica is dropped (they reconnect and PSYNC: a promotion, a new master). */
  dropAll(): void {
    for (const l of [...this.links]) l.close();
  }

  /** Wakes every online link: the backlog has new bytes. */
  pumpAll(): void {
    for (const l of this.links) l.pump();
  }

  /** REPLCONF ACK from a replica. */
  ack(conn: Connection, offset: number): void {
    const l = this.linkOf(conn);
    if (!l) return;
    l.ack(offset);
    this.checkWaiters();
  }

  /** The lowest offset a replica still needs (the backlog keeps it). */
  minNeeded(): number {
    let m = Infinity;
    for (const l of this.links) m = Math.min(m, l.sendOffset);
    return m;
  }

  /** Replicas that acknowledged `offset`. */
  acked(offset: number): number {
    let n = 0;
    for (const l of this.links) if (l.state === 'online' && l.ackOffset >= offset) n++;
    return n;
  }

  /** Online replicas whose last ACK is at most `maxLag` seconds old (min-replicas-to-write). */
  good(maxLag: number): number {
    const now = Date.now();
    let n = 0;
    for (const l of this.links) if (l.state === 'online' && l.lag(now) <= maxLag) n++;
    return n;
  }

  /** WAIT: resolves with the replicas that acknowledged `target` once `need` did or the timeout passed (0: none). */
  wait(target: number, need: number, timeoutMs: number): Promise<number> {
    const now = this.acked(target);
    if (now >= need) return Promise.resolve(now);
    return new Promise((resolve) => {
      const w: Waiter = { target, need, resolve, timer: null };
      if (timeoutMs > 0) {
        w.timer = setTimeout(() => {
          this.waiters.splice(this.waiters.indexOf(w), 1);
          resolve(this.acked(target));
        }, timeoutMs);
      }
      this.waiters.push(w);
    });
  }

  private checkWaiters(): void {
    if (this.waiters.length === 0) return;
    for (const w of [...this.waiters]) {
      const n = this.acked(w.target);
      if (n >= w.need) {
        if (w.timer) clearTimeout(w.timer);
        this.waiters.splice(this.waiters.indexOf(w), 1);
        w.resolve(n);
      }
    }
  }

  /** INFO replication's connected_slaves and slaveN lines. */
  infoLines(): string[] {
    const out = [`connected_slaves:${this.links.length}`];
    const now = Date.now();
    this.links.forEach((l, i) => out.push(`slave${i}:ip=${l.ip},port=${l.port},state=${l.state},offset=${l.ackOffset},lag=${l.lag(now)}`));
    return out;
  }
}
