// How a routed command runs, once the router (lib/router.ts) has chosen where: a main-thread or
// coordinated handler here (synchronous or asynchronous, one reply slot in the connection's
// order), a direct read against the main thread's view of a shard, or a send through the shard's
// request ring. Each mode records the command's time in INFO commandstats, SLOWLOG and LATENCY.

import type { Connection } from './connection.js';
import type { CommandDef, CoordinatedHandler, MainHandler, ShardExec } from './commands/types.js';
import type { MainContext, ShardCalls } from './main-context.js';
import type { Server } from './server.js';
import type { ShardStore } from './store/shard-store.js';
import { RespWriter } from './resp/writer.js';
import { errText } from './errors.js';
import { TRACK_COMMAND } from './shard/protocol.js';

export class Execution {
  /** The context of direct reads (one object, reused: a direct read runs synchronously). */
  private readonly directExec: ShardExec = {
    store: null as unknown as ShardStore,
    db: 0,
    out: null as unknown as RespWriter,
    now: 0,
    binlog() {
      throw new Error('a direct read cannot write');
    },
  };

  /** The shards as main-thread handlers reach them outside EXEC: the rings, the slow pool. */
  private readonly calls: ShardCalls;

  constructor(private readonly server: Server) {
    const s = server;
    this.calls = {
      call: (shard, def, db, proto, args) => s.shards.call(shard, def, db, proto, args),
      callSlow: (shard, def, db, proto, args) => s.slowRouting.call(shard, def, db, proto as 2 | 3, args),
      broadcast: (def, db, proto, args, origin) => (def.flags.includes('write') ? s.coord.broadcastWrite(def, db, proto, args, origin) : s.shards.broadcast(def, db, proto, args, origin)),
      gather: (conn, def, db, args) => s.slowRouting.gather(conn, def, db, args),
    };
  }

  /** A handler's context for `conn`, its reply going to `out`. */
  context(conn: Connection, def: CommandDef, out: RespWriter): MainContext {
    const s = this.server;
    return {
      server: s, conn, def, out, closeAfter: false, shards: s.coord.forClient(conn), db: conn.db, proto: conn.proto, databases: s.databases,
      calls: s.pool !== null ? this.calls : { ...this.calls, gather: null }, attemptOnce: undefined,
    };
  }

  /** Runs a main-thread or coordinated handler; its reply takes the next position in the connection's order. */
  runMain(conn: Connection, def: CommandDef, args: Buffer[], handler: MainHandler | CoordinatedHandler): void {
    const s = this.server;
    const slot = conn.slot();
    const out = new RespWriter(256);
    out.proto = conn.proto;
    const ctx = this.context(conn, def, out);
    let r: void | Promise<void>;
    const t0 = performance.now();
    try {
      r = (handler as MainHandler)(ctx, args);
    } catch (e) {
      out.reset();
      out.error(errText(e));
      r = undefined;
    }
    // Time on this thread (an async handler's waits for shards are not execution time).
    const us = (performance.now() - t0) * 1000;
    s.cmdStats.time(def, us);
    if (r && typeof (r as Promise<void>).then === 'function') {
      (r as Promise<void>).then(
        () => {
          this.asyncDone(conn, args, def, t0, us, out);
          slot.closeAfter = ctx.closeAfter;
          if (ctx.closeAfter) conn.parser.stop();
          slot.fill(out.take());
        },
        (e) => {
          this.asyncDone(conn, args, def, t0, us, out);
          out.reset();
          out.error(errText(e));
          slot.fill(out.take());
        },
      );
      return;
    }
    s.diagnostics.commandDone(conn, args, def, us);
    slot.closeAfter = ctx.closeAfter;
    // QUIT: commands pipelined after it are not executed (Redis stops reading the client)
    if (ctx.closeAfter) conn.parser.stop();
    slot.fill(out.take());
  }

  /**
   * Runs a coordinated handler outside the connection's reply order and resolves with its reply
   * (the attempts of blocked clients, the slow pool's fallback).
   */
  runDetached(conn: Connection, def: CommandDef, args: Buffer[], handler: CoordinatedHandler): Promise<Buffer> {
    const out = new RespWriter(256);
    out.proto = conn.proto;
    const ctx = this.context(conn, def, out);
    const failed = (e: unknown): Buffer => {
      out.reset();
      out.error(errText(e));
      return out.take();
    };
    try {
      return Promise.resolve(handler(ctx, args)).then(() => out.take(), failed);
    } catch (e) {
      return Promise.resolve(failed(e));
    }
  }

  /**
   * SLOWLOG/LATENCY duration of an asynchronous main-thread command: from its start to its reply
   * (coordinated commands, DEBUG SLEEP). A blocking command counts only its synchronous part
   * (`syncUs`), never its wait, and not at all when it timed out (a null reply), as in Redis.
   */
  private asyncDone(conn: Connection, args: Buffer[], def: CommandDef, t0: number, syncUs: number, out: RespWriter): void {
    const d = this.server.diagnostics;
    if (!def.flags.includes('blocking')) return d.commandDone(conn, args, def, (performance.now() - t0) * 1000);
    const b = out.buf;
    const timedOut = out.pos > 1 && (b[0] === 95 /* _ */ || ((b[0] === 42 /* * */ || b[0] === 36) /* $ */ && b[1] === 45)) /* -1 */;
    if (!timedOut) d.commandDone(conn, args, def, syncUs);
  }

  /** Queues a command on its shard; the reply fills the connection's next slot. */
  send(conn: Connection, def: CommandDef, shard: number, args: Buffer[]): void {
    this.server.shards.links[shard].handle.send(def.index!, conn.db, conn.proto, args, conn.slot(), TRACK_COMMAND);
    this.server.scheduleFlush();
  }

  /**
   * Runs a read-only command on the main thread against the shard's LMDB snapshot: no thread
   * hop. The snapshot is renewed when the shard has delivered replies since the last direct read,
   * so every acknowledged write is visible. Nothing is pending on the connection (the router
   * checked), so the reply is encoded straight into its output.
   */
  readDirect(conn: Connection, def: CommandDef, shard: number, args: Buffer[]): void {
    const s = this.server;
    const link = s.shards.links[shard];
    const view = link.view!;
    if (link.stale) {
      link.stale = false;
      view.env.resetReadTxn();
    }
    const w = conn.ow;
    const start = w.pos;
    w.proto = conn.proto;
    const x = this.directExec;
    x.out = w;
    x.store = view;
    x.db = conn.db;
    x.now = Date.now();
    view.countHits = true;
    const t0 = performance.now();
    try {
      def.shard!(x, args);
    } catch (e) {
      w.pos = start;
      w.error(errText(e));
    }
    if (view.events.active && this.directEvents(conn, def, shard, args, start)) return;
    const us = (performance.now() - t0) * 1000;
    s.cmdStats.time(def, us);
    s.diagnostics.commandDone(conn, args, def, us);
    if (w.buf[start] === 45 /* - */) {
      s.counters.errorReply(w.buf.subarray(start, w.pos));
      s.cmdStats.failed(def);
    }
    if (conn.mute) w.pos = start; // CLIENT REPLY OFF / SKIP
    s.markDirty(conn);
  }

  /**
   * After a direct read while keyspace events are collected: its `keymiss` events are published;
   * a read that met an expired key is sent to the shard instead (its reply, at `start` of the
   * connection's output, is dropped), which deletes the key with its `expired` event as Redis's
   * read does; so is one while the active expiry's events are in flight. Returns true when it was sent.
   */
  private directEvents(conn: Connection, def: CommandDef, shard: number, args: Buffer[], start: number): boolean {
    const link = this.server.shards.links[shard];
    const view = link.view!;
    const ev = view.events;
    ev.endCommand();
    // (a snapshot that may hold an expiry whose events are still on their way: the shard's reply
    // comes after them)
    if (view.metExpired || link.shared.backgroundEventsInFlight()) {
      view.metExpired = false;
      ev.clear();
      conn.ow.pos = start;
      this.send(conn, def, shard, args);
      return true;
    }
    if (ev.count !== 0) {
      this.server.keyEvents.deliver(conn, ev.records());
      ev.clear();
    }
    return false;
  }
}
