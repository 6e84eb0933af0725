// The client features that act on every command while someone uses them: CLIENT PAUSE (holds
// commands), MONITOR (a line per executed command), CLIENT TRACKING (remembers the keys a
// tracking client reads; the table is trimmed to tracking-table-max-keys before each command)
// and CLIENT REPLY SKIP (drops one reply). The router hands a command here instead of running it
// straight only while `active` is not 0, so an ordinary server pays one field check per command.
//
// The order of the steps is Redis's processCommand() and call(): the command's checks (the
// router's), the refusal of keyspace commands from a MONITOR client, the pause, then the
// command; MONITOR shows it after it ran (a SELECT shows its new database); after every command,
// rejected ones included, a CLIENT REPLY SKIP is consumed and the CLIENT CACHING flag cleared.

import type { Connection } from '../connection.js';
import type { CommandDef } from '../commands/types.js';
import type { Server } from '../server.js';
import { errBuf } from '../errors.js';
import { redactedArgs } from '../slowlog.js';
import { Monitors } from './monitor.js';
import { Pause } from './pause.js';
import { Tracking } from './tracking.js';
import { SKIP_NEXT, SKIP_THIS, type ClientExtras } from './extras.js';
import { commandRules } from './rules.js';

const MONITOR_KEYSPACE = errBuf("ERR Replica can't interact with the keyspace");

/** The router's two steps, as the client features call them. */
export interface CommandSteps {
  /** Lookup, arity and authentication; the command's definition, or null when it was refused (and answered). */
  check(conn: Connection, args: Buffer[]): CommandDef | null;
  /** Inside MULTI: queues a checked command (and answers QUEUED); false when it runs at once. */
  queued(conn: Connection, def: CommandDef, args: Buffer[]): boolean;
  /** Runs a checked command. */
  run(conn: Connection, def: CommandDef, args: Buffer[]): void;
  /** The whole path of a command, as when it arrives (a held command once its pause ended). */
  dispatch(conn: Connection, args: Buffer[]): void;
}

export class ClientControl {
  /** Not 0 while a pause, a monitor, a tracking client or a pending CLIENT REPLY SKIP exists. */
  active = 0;
  readonly monitors: Monitors;
  readonly pause: Pause;
  readonly tracking: Tracking;
  /** Connections whose CLIENT REPLY SKIP is pending. */
  private skips = 0;
  steps: CommandSteps | null = null;

  constructor(private readonly server: Server) {
    const deliver = (conn: Connection, data: Buffer, afterRunning = false): void => {
      if (conn.closed) return;
      if (afterRunning) conn.deliverAfterRunning(data);
      else conn.deliver(data);
      server.outputLimits.afterDelivery(conn);
    };
    this.monitors = new Monitors(deliver);
    this.pause = new Pause({
      setExpiryPaused: (paused) => {
        for (const l of server.shards.links) l.shared.setExpiryPaused(paused);
      },
      redispatch: (conn, args) => this.steps!.dispatch(conn, args),
      changed: () => this.update(),
    });
    const tracking = (this.tracking = new Tracking({
      clients: server.clients,
      deliver,
      maxKeys: () => server.config.num('tracking-table-max-keys'),
      changed: () => this.update(),
    }));
    // every key a write path or an expiry modified, with the client that did it (lib/notifications.ts)
    server.keyEvents.onModified = (origin, _db, key) => tracking.invalidate(key, origin);
    // A FLUSHDB / FLUSHALL runs on every shard and each one reports it: one command's reports
    // count as one flush (the first of each group of as many reports as there are shards).
    const flushReports = new Map<Connection | null, number>();
    const nshards = server.shards.count;
    server.keyEvents.onFlushed = (origin) => {
      const n = (flushReports.get(origin) ?? 0) + 1;
      if (n === 1) tracking.flushed(origin);
      if (n >= nshards) flushReports.delete(origin);
      else flushReports.set(origin, n);
    };
  }

  update(): void {
    this.active = (this.pause.active ? 1 : 0) + this.monitors.size + this.tracking.clients + this.skips;
    // the shards report modified keys only while somebody tracks
    this.server.keyEvents.reportModified = this.tracking.clients > 0;
  }

  /** A command of `conn`, while `active`. */
  dispatch(conn: Connection, args: Buffer[]): void {
    const steps = this.steps!;
    const ext = conn.extras;
    if (ext !== null && ext.skip === SKIP_NEXT) ext.skip = SKIP_THIS;
    const def = steps.check(conn, args);
    if (def !== null && !this.execute(steps, conn, ext, def, args)) return;
    if (ext !== null) this.afterCommand(conn, ext, def);
  }

  /** Runs a checked command; false when the pause holds it (its client waits, nothing is consumed). */
  private execute(steps: CommandSteps, conn: Connection, ext: ClientExtras | null, def: CommandDef, args: Buffer[]): boolean {
    const monitor = ext !== null && ext.monitor;
    if (monitor && touchesKeyspace(def)) {
      this.server.cmdStats.rejected(def);
      conn.reply(MONITOR_KEYSPACE);
      return true;
    }
    if (this.pause.active && this.pause.holds(conn, def, monitor)) {
      conn.curDef = null; // not run: no blocked client may be woken for it yet
      this.pause.hold(conn, args);
      return false;
    }
    // inside MULTI (after the pause, as in Redis): queued, neither shown nor remembered yet
    if (conn.multi !== null && steps.queued(conn, def, args)) return true;
    // EXEC runs the queued commands: they count as run here, in their order, then EXEC itself
    const inner = commandRules.innerCommands(conn, def);
    const db = conn.db;
    const tracking = this.tracking;
    let reads: Array<{ def: CommandDef; args: Buffer[] }> | null = null;
    if (tracking.clients > 0) {
      tracking.limit();
      const st = ext?.tracking;
      if (st && tracking.wants(st)) {
        for (const c of inner ?? [{ def, args }]) if (c.def.flags.includes('readonly')) (reads ??= []).push(c);
        if (reads !== null) for (const r of reads) tracking.remember(conn, r.def, r.args);
      }
    }
    const queued = conn.queue.length;
    steps.run(conn, def, args);
    // A read that runs elsewhere (a shard) is remembered when it is sent and again when its reply
    // arrives: a change the read saw comes back before its reply (and took the first entry away),
    // a change after it comes after (or finds the first entry). Either way none slips through; at
    // worst one is reported once too often.
    if (reads !== null && conn.queue.length > queued) {
      const slot = conn.queue.peekBack()!;
      const rs = reads;
      if (!slot.done) {
        slot.onFill = () => {
          const st = conn.extras?.tracking;
          if (st && st.on && !st.bcast) for (const r of rs) tracking.remember(conn, r.def, r.args);
        };
      }
    }
    if (this.monitors.size > 0) {
      // the database after each command (a SELECT queued in the transaction may not have run yet)
      let d = conn.db;
      if (inner !== null) {
        d = db;
        for (const c of inner) {
          d = commandRules.dbAfter(c.def, c.args, d);
          if (shownByMonitor(c.def)) this.monitors.feed(conn, d, c.args, redactedArgs(c.def.name, c.args));
        }
      }
      if (shownByMonitor(def)) this.monitors.feed(conn, d, args, redactedArgs(def.name, args));
    }
    return true;
  }

  /** Redis's resetClient(): the end of a command, run or refused. */
  private afterCommand(conn: Connection, ext: ClientExtras, def: CommandDef | null): void {
    if (ext.skip === SKIP_THIS) {
      ext.skip = 0;
      conn.mute = ext.replyOff;
      this.skipDone();
    }
    const st = ext.tracking;
    if (st !== null && st.caching && !commandRules.keepsCaching(conn, def)) st.caching = false;
  }

  /** CLIENT REPLY SKIP was given (the reply of the next command is dropped). */
  skipGiven(ext: ClientExtras): void {
    if (ext.skip === 0) {
      this.skips++;
      this.update();
    }
    ext.skip = SKIP_NEXT;
  }

  /** A pending skip was cancelled (CLIENT REPLY ON) or consumed. */
  skipCancelled(ext: ClientExtras): void {
    if (ext.skip === 0) return;
    ext.skip = 0;
    this.skipDone();
  }

  private skipDone(): void {
    this.skips--;
    this.update();
  }

  startMonitor(conn: Connection, ext: ClientExtras): void {
    ext.monitor = true;
    this.monitors.add(conn);
    this.update();
  }

  /**
   * RESET: out of MONITOR mode, tracking off, replies on (RESET's own reply is sent unless a
   * CLIENT REPLY SKIP drops it).
   */
  reset(conn: Connection): void {
    const ext = conn.extras;
    if (ext === null) return;
    this.forget(conn, ext);
    ext.replyOff = false;
    conn.mute = ext.skip === SKIP_THIS;
    if (!conn.mute) unmuteCurrent(conn);
  }

  /** The connection closed. */
  closed(conn: Connection): void {
    this.pause.closed(conn);
    const ext = conn.extras;
    if (ext === null) return;
    this.forget(conn, ext);
    if (ext.skip !== 0) this.skipCancelled(ext);
  }

  private forget(conn: Connection, ext: ClientExtras): void {
    if (ext.monitor) {
      ext.monitor = false;
      this.monitors.delete(conn);
      this.update();
    }
    if (ext.tracking !== null) this.tracking.disable(conn, ext.tracking);
  }
}

/**
 * The reply of the command being run goes out after all: runMain() created its slot while the
 * connection was muted (CLIENT REPLY ON, RESET). The newest slot is that command's.
 */
export function unmuteCurrent(conn: Connection): void {
  const s = conn.queue.peekBack();
  if (s !== undefined && !s.done) s.silent = false;
}

/** Redis keeps MONITOR clients (flagged as replicas) away from the data. */
function touchesKeyspace(def: CommandDef): boolean {
  const f = def.flags;
  return f.includes('readonly') || f.includes('write') || f.includes('may_replicate');
}

/** Redis shows every command but the admin ones and those that show themselves (skip_monitor). */
function shownByMonitor(def: CommandDef): boolean {
  const f = def.flags;
  return !f.includes('admin') && !f.includes('skip_monitor');
}
