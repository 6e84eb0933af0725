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
  private readonly held = new Denque<Held>();
  private readonly heldConns = new Map<Connection, Buffer[]>();
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly host: PauseHost) {}

  get active(): boolean {
    return this.type !== PAUSE_NONE;
  }

  /** Clients with a held command (INFO blocked_clients counts them, CLIENT LIST shows b). */
  get count(): number {
    return this.heldConns.size;
  }

  isHeld(conn: Connection): boolean {
    return this.heldConns.has(conn);
  }

  /** The arguments of the command held for `conn`, null when none is. */
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

  /** CLIENT UNPAUSE, or the end of the pause: the held commands run, in the order they were held. */
  unpause(): void {
    if (this.type === PAUSE_NONE) return;
    this.type = PAUSE_NONE;
    this.end = 0;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.host.setExpiryPaused(false);
    this.host.changed();
    const n = this.held.length;
    for (let i = 0; i < n; i++) {
      const h = this.held.shift()!;
      this.heldConns.delete(h.conn);
      if (h.conn.closed) continue;
      this.host.redispatch(h.conn, h.args);
      h.conn.releaseUnblocked();
    }
  }

  /** Whether the pause holds this command of `conn` now (an expired pause ends here). */
  holds(conn: Connection, def: CommandDef, monitor: boolean): boolean {
    if (this.type === PAUSE_NONE || monitor) return false;
    if (Date.now() >= this.end) {
      this.unpause();
      return false;
    }
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
    const n = this.held.length;
    for (let i = 0; i < n; i++) {
      const h = this.held.shift()!;
      if (h.conn !== conn) this.held.push(h);
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
