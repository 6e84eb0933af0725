// client-output-buffer-limit, enforced as redis-server 7.0 does: a client whose output waiting to
// be sent reaches its class's hard limit is closed at once; one that stays at or over the soft
// limit for more than soft-seconds is closed too (the time counts from the first check that saw
// it over, and restarts whenever a check sees it under). Like Redis, the limit is checked as
// output is added: after each pub/sub delivery, and after each turn's write to the socket.
//
// The output counted is what respdb holds for the client and the kernel has not taken: its
// unsent replies plus the socket's queue (Connection.unsent() + socket.writableLength). Closing
// a subscriber costs the others nothing: delivery never waits on any socket.

import type { Connection } from './connection.js';
import { parseOutputBufferLimit, type ClassLimit } from './config/output-buffer-limit.js';
import { logger } from './log.js';

const log = logger('output-limits');

export const CLASS_NORMAL = 0;
export const CLASS_REPLICA = 1;
export const CLASS_PUBSUB = 2;

/** Redis's getClientType for the limits: replica, then pubsub (any subscription), else normal. */
export function classOf(conn: Connection): number {
  return conn.replica ? CLASS_REPLICA : conn.subscribed !== 0 ? CLASS_PUBSUB : CLASS_NORMAL;
}

/** Bytes of output waiting for the client: unsent replies and what the socket still queues. */
export function pendingOutput(conn: Connection): number {
  return conn.unsent() + conn.socket.writableLength;
}

export class OutputLimits {
  /** Limits by class (CLASS_*). */
  limits: ClassLimit[] = [];
  /** Whether a class has any limit (only those are checked). */
  readonly active = [false, false, false];
  /** Clients closed for their output (not an INFO field in Redis 7.0). */
  disconnections = 0;

  /** `clock`: milliseconds since the epoch (tests pass their own). */
  constructor(
    text: string,
    private readonly clock: () => number = Date.now,
  ) {
    this.set(text);
  }

  /** The directive's value (lib/config/output-buffer-limit.ts). */
  set(text: string): void {
    this.limits = parseOutputBufferLimit(text);
    for (let i = 0; i < this.limits.length; i++) this.active[i] = this.limits[i].hard > 0 || this.limits[i].soft > 0;
  }

  /** Closes `conn` if its output is over its class's limit; true when it did. */
  enforce(conn: Connection): boolean {
    if (conn.closed) return false;
    const l = this.limits[classOf(conn)];
    const used = pendingOutput(conn);
    const hard = l.hard > 0 && used >= l.hard;
    let soft = false;
    if (l.soft > 0 && used >= l.soft) {
      const now = Math.floor(this.clock() / 1000);
      if (conn.softLimitSince === 0) conn.softLimitSince = now;
      else soft = now - conn.softLimitSince > l.softSeconds;
    } else {
      conn.softLimitSince = 0;
    }
    if (!hard && !soft) return false;
    this.disconnections++;
    log.warn(
      { client: conn.addr, omem: used },
      `Client id=${conn.id} addr=${conn.addr} laddr=${conn.laddr} name=${conn.name?.toString('latin1') ?? ''} scheduled to be closed ASAP for overcoming of output buffer limits.`,
    );
    conn.kill();
    return true;
  }

  /** The check after a pub/sub delivery (PubSub's DeliveryCheck). */
  readonly afterDelivery = (conn: Connection): void => {
    if (this.active[classOf(conn)]) this.enforce(conn);
  };
}
