// MIGRATE's connections to target instances: one per host:port, kept for 10 seconds after its last
// use (Redis's migrate socket cache), with the database last SELECTed on it so a MIGRATE to the same
// database sends no SELECT; replies read as lines (the target answers each command with one
// status or error line), each read bounded by the command's timeout.

import net from 'node:net';

/** Idle connections close after this long (Redis's MIGRATE_SOCKET_CACHE_TTL). */
const IDLE_MS = 10_000;
/** At most this many cached connections (Redis's MIGRATE_SOCKET_CACHE_ITEMS); the oldest goes first. */
const MAX_LINKS = 64;

export class MigrateLink {
  /** The database last selected on this connection, -1 when unknown. */
  lastDb = -1;
  private buf: Buffer = Buffer.alloc(0);
  private waiter: ((line: string | null) => void) | null = null;
  private closed = false;
  private idle: NodeJS.Timeout | null = null;

  constructor(
    readonly name: string,
    private readonly socket: net.Socket,
  ) {
    socket.on('data', (d: Buffer) => {
      this.buf = this.buf.length ? Buffer.concat([this.buf, d]) : d;
      this.wake();
    });
    const end = () => {
      this.closed = true;
      links.delete(this.name);
      this.wake();
    };
    socket.on('close', end);
    socket.on('error', end);
  }

  private wake(): void {
    const w = this.waiter;
    if (!w) return;
    const line = this.takeLine();
    if (line !== null || this.closed) {
      this.waiter = null;
      w(line);
    }
  }

  private takeLine(): string | null {
    const nl = this.buf.indexOf(10);
    if (nl < 0) return null;
    const end = nl > 0 && this.buf[nl - 1] === 13 ? nl - 1 : nl;
    const line = this.buf.toString('latin1', 0, end);
    this.buf = this.buf.subarray(nl + 1);
    return line;
  }

  /** Writes `data`; false when the connection failed or the write did not drain in `timeoutMs`. */
  write(data: Buffer, timeoutMs: number): Promise<boolean> {
    if (this.closed) return Promise.resolve(false);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMs);
      this.socket.write(data, (err) => {
        clearTimeout(timer);
        resolve(!err && !this.closed);
      });
    });
  }

  /** The next reply line, or null on a closed connection or after `timeoutMs`. */
  readLine(timeoutMs: number): Promise<{ line: string | null; timedOut: boolean }> {
    const now = this.takeLine();
    if (now !== null) return Promise.resolve({ line: now, timedOut: false });
    if (this.closed) return Promise.resolve({ line: null, timedOut: false });
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiter = null;
        resolve({ line: null, timedOut: true });
      }, timeoutMs);
      this.waiter = (line) => {
        clearTimeout(timer);
        resolve({ line, timedOut: false });
      };
    });
  }

  /** Keeps the connection for the next MIGRATE, closing it after IDLE_MS unused. */
  release(): void {
    if (this.idle) clearTimeout(this.idle);
    this.idle = setTimeout(() => this.close(), IDLE_MS);
    this.idle.unref();
  }

  close(): void {
    if (this.idle) clearTimeout(this.idle);
    links.delete(this.name);
    this.closed = true;
    this.socket.destroy();
  }
}

const links = new Map<string, MigrateLink>();

/**
 * The cached connection to host:port, or a new one: null when the host cannot be resolved or the
 * connection does not complete in `timeoutMs`, 'refused' when the target refuses it (Redis's
 * non-blocking connect succeeds there and its first write fails).
 */
export function migrateLink(host: string, port: number, timeoutMs: number): Promise<MigrateLink | null | 'refused'> {
  const name = `${host}:${port}`;
  const cached = links.get(name);
  if (cached) return Promise.resolve(cached);
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    socket.setNoDelay(true);
    const timer = setTimeout(() => fail(), timeoutMs);
    const fail = (err?: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(err && (err.code === 'ECONNREFUSED' || err.code === 'ECONNRESET') ? 'refused' : null);
    };
    socket.once('error', fail);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.off('error', fail);
      if (links.size >= MAX_LINKS) links.values().next().value?.close();
      const link = new MigrateLink(name, socket);
      links.set(name, link);
      resolve(link);
    });
  });
}
