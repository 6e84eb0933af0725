// MONITOR: the clients that receive a line for every command the server executes, in execution
// order (the order the router dispatches them in), as Redis prints them:
//
//   +1701234567.123456 [0 127.0.0.1:50000] "SET" "k" "v"
//
// the time of execution in microseconds, the client's database after the command (a SELECT shows
// its new one), the client's address, and the arguments as the client sent them, quoted as
// Redis's sdscatrepr() quotes, secrets replaced by "(redacted)" as in SLOWLOG.

import type { Connection } from '../connection.js';
import { escapeBytes } from '../repr.js';

/** `b` quoted as sdscatrepr does. */
export function quoted(b: Uint8Array): string {
  return '"' + escapeBytes(b) + '"';
}

/** Seconds and microseconds since the epoch, as gettimeofday() prints through "%ld.%06ld". */
function timestamp(): string {
  const us = Math.floor((performance.timeOrigin + performance.now()) * 1000);
  const sec = Math.floor(us / 1e6);
  return `${sec}.${String(us - sec * 1e6).padStart(6, '0')}`;
}

const REDACTED = '"(redacted)"';

/** One MONITOR line (a simple string reply, CRLF included). */
export function monitorLine(db: number, addr: string, args: readonly Buffer[], redacted: ReadonlySet<number> | null): Buffer {
  let s = `+${timestamp()} [${db} ${addr}]`;
  for (let i = 0; i < args.length; i++) s += ' ' + (redacted !== null && redacted.has(i) ? REDACTED : quoted(args[i]));
  return Buffer.from(s + '\r\n', 'latin1');
}

/**
 * Output that is no reply (Connection.deliver), with the output buffer limit checked after it;
 * `afterRunning`: caused by the client's own running command, it follows that command's reply.
 */
export type Deliver = (conn: Connection, data: Buffer, afterRunning?: boolean) => void;

export class Monitors {
  private readonly clients = new Set<Connection>();

  constructor(private readonly deliver: Deliver) {}

  get size(): number {
    return this.clients.size;
  }

  has(conn: Connection): boolean {
    return this.clients.has(conn);
  }

  add(conn: Connection): void {
    this.clients.add(conn);
  }

  delete(conn: Connection): boolean {
    return this.clients.delete(conn);
  }

  /** Sends the line of a command `conn` executed (in `db`) to every monitor. */
  feed(conn: Connection, db: number, args: readonly Buffer[], redacted: ReadonlySet<number> | null): void {
    const line = monitorLine(db, conn.addr, args, redacted);
    for (const m of this.clients) this.deliver(m, line);
  }
}
