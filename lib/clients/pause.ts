// CLIENT PAUSE / UNPAUSE. While a pause lasts, a command it covers is held where it is: its
// client runs nothing after it (the parser stops, as for a blocked client: flag b, counted in
// blocked_clients) and the command runs, in its place in the client's order, when the pause
// ends; held commands are released in the order they were held. ALL covers every command
// (CLIENT UNPAUSE too, as in Redis 7.0), WRITE the commands that write or may replicate
// (PUBLISH...), and EXEC of a transaction holding one. MONITOR clients are never paused.
//
// A new pause never shortens or weakens the current one: the pause lasts until the later end
// and covers the wider mode. While paused, keys are not expired: the shards' active expiry stops
// (ShardShared.expiryPaused) and an expired key reads as missing without being deleted, so no
// deletion is logged or replicated (Redis pauses expiry and eviction so that a failover sees a
// dataset that no longer changes).

import Denque from 'denque';
import type { Connection } from '../connection.js';
import type { CommandDef } from '../commands/types.js';
import { commandRules } from './rules.js';

export const PAUSE_NONE = 0;
export const PAUSE_WRITE = 1;
export const PAUSE_ALL = 2;

/** setTimeout's longest delay; a longer pause re-arms until its end. */
const MAX_TIMER_MS = 2 ** 31 - 1;

interface Held {
  conn: Connection;
  args: Buffer[];
}

export interface PauseHost {
  /** The shards stop or resume their active expiry. */
  setExpiryPaused(paused: boolean): void;
  /** Runs a held command again from the start (it may be held again by a newer pause). */
  redispatch(conn: Connection, args: Buffer[]): void;
  /** The set of client features in use changed (ClientControl.active). */
  changed(): void;
}

export class Pause {
  /** PAUSE_NONE, PAUSE_WRITE or PAUSE_ALL. */
  type = PAUSE_NONE;
  /** End of the pause, ms since the epoch. */
  end = 0;
  /** Commands held, in the order they came; then, once the pause ended, those to run again. */
  private held = new Denque<Held>();
  private releasing: Denque<Held> | null = null;
  /** Held or being released: the command's arguments (CLIENT LIST argv-mem). */
  private readonly heldConns = new Map<Connection, Buffer[]>();
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly host: PauseHost) {}

  get active(): boolean {
    return this.type !== PAUSE_NONE;
  }

  /** Clients with a held command (INFO blocked_clients counts them, CLIENT LIST shows b). */
  get count(): number {
    return this.held.length;
  }

  isHeld(conn: Connection): boolean {
    return this.heldConns.has(conn) && !conn.unblocked;
  }

  /** The arguments of the command held (or about to run again) for `conn`, null when none is. */
  heldArgs(conn: Connection): Buffer[] | null {
    return this.heldConns.get(conn) ?? null;
  }

  /** CLIENT PAUSE: until `end` (ms since the epoch), at least `type`. */
  pause(end: number, type: number): void {
    const was = this.type;
    if (type > this.type) this.type = type;
    if (end > this.end) this.end = end;
    if (was === PAUSE_NONE) {
      this.host.setExpiryPaused(true);
      this.host.changed();
    }
    this.arm();
  }

  /**
   * CLIENT UNPAUSE, or the end of the pause: the held commands run again, in the order they were
   * held, once the input at hand is processed (as Redis runs its unblocked clients before it
   * sleeps: a command pipelined behind CLIENT UNPAUSE runs before them). Meanwhile their clients
   * show flag u.
   */
  unpause(): void {
    if (this.type === PAUSE_NONE) return;
    this.type = PAUSE_NONE;
    this.end = 0;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.host.setExpiryPaused(false);
    this.host.changed();
    if (this.held.length === 0) return;
    const batch = this.held;
    this.held = new Denque<Held>();
    for (let i = 0; i < batch.length; i++) batch.peekAt(i)!.conn.unblocked = true;
    if (this.releasing === null) {
      this.releasing = batch;
      setImmediate(this.release);
    } else {
      while (batch.length > 0) this.releasing.push(batch.shift()!);
    }
  }

  private readonly release = (): void => {
    const batch = this.releasing!;
    this.releasing = null;
    while (batch.length > 0) {
      const h = batch.shift()!;
      this.heldConns.delete(h.conn);
      h.conn.unblocked = false;
      if (h.conn.closed) continue;
      this.host.redispatch(h.conn, h.args);
      h.conn.release();
    }
  };

  /** Whether the pause holds this command of `conn` now. */
  holds(conn: Connection, def: CommandDef, monitor: boolean): boolean {
    if (this.type === PAUSE_NONE || monitor) return false;
    return this.type === PAUSE_ALL || commandRules.pausedByWrite(conn, def);
  }

  /** Holds the command being dispatched; `conn` runs nothing after it until the pause ends. */
  hold(conn: Connection, args: Buffer[]): void {
    this.held.push({ conn, args });
    this.heldConns.set(conn, args);
    conn.hold();
  }

  /** The connection closed: its held command is forgotten. */
  closed(conn: Connection): void {
    if (!this.heldConns.delete(conn)) return;
    for (const q of [this.held, this.releasing]) {
      if (q === null) continue;
      const n = q.length;
      for (let i = 0; i < n; i++) {
        const h = q.shift()!;
        if (h.conn !== conn) q.push(h);
      }
    }
  }

  private arm(): void {
    if (this.timer) clearTimeout(this.timer);
    const left = this.end - Date.now();
    if (left <= 0) {
      this.timer = null;
      // like Redis, an already elapsed pause (CLIENT PAUSE 0) ends at once
      queueMicrotask(() => {
        if (this.type !== PAUSE_NONE && Date.now() >= this.end) this.unpause();
      });
      return;
    }
    this.timer = setTimeout(() => {
      this.timer = null;
      if (Date.now() >= this.end) this.unpause();
      else this.arm();
    }, Math.min(left, MAX_TIMER_MS));
    this.timer.unref();
  }
}
