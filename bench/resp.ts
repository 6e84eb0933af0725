/**
 * Minimal RESP2 plumbing for the benchmark: encoding commands, finding where a reply ends in a
 * byte stream, a small pipelining client (used for PING readiness checks and for pre-populating
 * keys), and the key / value shapes redis-benchmark uses.
 */
import net from 'node:net';

/** Encodes a command as a RESP array of bulk strings. */
export function encodeCommand(args: readonly (string | Buffer)[]): Buffer {
  const parts: Buffer[] = [Buffer.from(`*${args.length}\r\n`, 'latin1')];
  for (const a of args) {
    const b = typeof a === 'string' ? Buffer.from(a, 'latin1') : a;
    parts.push(Buffer.from(`$${b.length}\r\n`, 'latin1'), b, CRLF);
  }
  return Buffer.concat(parts);
}

const CRLF = Buffer.from('\r\n', 'latin1');

function lineEnd(buf: Buffer, from: number, end: number): number {
  const i = buf.indexOf(13, from);
  if (i < 0 || i + 1 >= end) return -1;
  return i;
}

/**
 * Returns the offset just past the complete RESP reply starting at `off`, or -1 when the bytes in
 * `buf[off, end)` do not yet hold a complete reply. Understands RESP2 (and the simple RESP3 types).
 */
export function replyEnd(buf: Buffer, off: number, end: number = buf.length): number {
  if (off >= end) return -1;
  const type = buf[off];
  const le = lineEnd(buf, off + 1, end);
  if (le < 0) return -1;
  const after = le + 2;
  switch (type) {
    case 0x2b: // +
    case 0x2d: // -
    case 0x3a: // :
    case 0x5f: // _
    case 0x2c: // ,
    case 0x23: // #
    case 0x28: // (
      return after;
    case 0x24: // $
    case 0x21: // !
    case 0x3d: {
      // =
      const n = Number(buf.toString('latin1', off + 1, le));
      if (n < 0) return after;
      return after + n + 2 <= end ? after + n + 2 : -1;
    }
    case 0x2a: // *
    case 0x7e: // ~
    case 0x3e: // >
    case 0x25: {
      // %
      let n = Number(buf.toString('latin1', off + 1, le));
      if (n < 0) return after;
      if (type === 0x25) n *= 2;
      let p = after;
      for (let i = 0; i < n; i++) {
        p = replyEnd(buf, p, end);
        if (p < 0) return -1;
      }
      return p;
    }
    default:
      throw new Error(`unexpected RESP type byte 0x${type.toString(16)}`);
  }
}

/** The text of an error reply (`-ERR ...`) at `off`, or null when the reply is not an error. */
export function errorText(buf: Buffer, off: number, end: number): string | null {
  if (buf[off] !== 0x2d) return null;
  return buf.toString('utf8', off + 1, end - 2);
}

/** redis-benchmark's key shape for `-r`: `key:` and the number zero-padded to 12 digits. */
export function benchKey(i: number, prefix = 'key:'): string {
  return prefix + String(i).padStart(12, '0');
}

/**
 * One connection that sends commands and resolves, per command, the raw bytes of its reply.
 * Commands may be pipelined freely; replies come back in order.
 */
export class BenchConn {
  private buf: Buffer = Buffer.alloc(0);
  private readonly waiting: { resolve: (b: Buffer) => void; reject: (e: Error) => void }[] = [];
  private failed: Error | null = null;

  private constructor(private readonly sock: net.Socket) {
    sock.on('data', (d: Buffer) => this.onData(d));
    sock.on('error', (e) => this.fail(e));
    sock.on('close', () => this.fail(new Error('connection closed')));
  }

  static connect(port: number, host = '127.0.0.1', timeoutMs = 2000): Promise<BenchConn> {
    return new Promise((resolve, reject) => {
      const sock = net.connect({ port, host });
      const timer = setTimeout(() => {
        sock.destroy();
        reject(new Error(`connect to ${host}:${port} timed out`));
      }, timeoutMs);
      sock.once('error', (e) => {
        clearTimeout(timer);
        reject(e);
      });
      sock.once('connect', () => {
        clearTimeout(timer);
        sock.removeAllListeners('error');
        sock.setNoDelay(true);
        resolve(new BenchConn(sock));
      });
    });
  }

  private onData(d: Buffer): void {
    this.buf = this.buf.length ? Buffer.concat([this.buf, d]) : d;
    let off = 0;
    while (this.waiting.length) {
      const e = replyEnd(this.buf, off);
      if (e < 0) break;
      this.waiting.shift()!.resolve(this.buf.subarray(off, e));
      off = e;
    }
    this.buf = this.buf.subarray(off);
  }

  private fail(e: Error): void {
    if (this.failed) return;
    this.failed = e;
    for (const w of this.waiting.splice(0)) w.reject(e);
  }

  /** Sends one command; resolves with its raw reply bytes. */
  send(args: readonly (string | Buffer)[]): Promise<Buffer> {
    if (this.failed) return Promise.reject(this.failed);
    return new Promise((resolve, reject) => {
      this.waiting.push({ resolve, reject });
      this.sock.write(encodeCommand(args));
    });
  }

  close(): void {
    this.failed ??= new Error('closed');
    this.sock.destroy();
  }
}

/** Resolves true when the server at `port` answers PING with +PONG. */
export async function pingOnce(port: number, host = '127.0.0.1'): Promise<boolean> {
  let c: BenchConn | null = null;
  try {
    c = await BenchConn.connect(port, host, 1000);
    const r = await Promise.race([
      c.send(['PING']),
      new Promise<Buffer>((_, rej) => setTimeout(() => rej(new Error('timeout')), 2000)),
    ]);
    return r.toString('latin1') === '+PONG\r\n';
  } catch {
    return false;
  } finally {
    c?.close();
  }
}

/**
 * Writes `count` keys (`key:000000000000` ...) with `valueSize`-byte values, pipelined in batches,
 * so GET runs read keys that exist. Throws on the first error reply.
 */
export async function populate(port: number, count: number, valueSize: number, host = '127.0.0.1'): Promise<void> {
  const c = await BenchConn.connect(port, host);
  try {
    const value = Buffer.alloc(valueSize, 'x');
    const batch = 1000;
    for (let i = 0; i < count; i += batch) {
      const pending: Promise<Buffer>[] = [];
      for (let j = i; j < Math.min(count, i + batch); j++) pending.push(c.send(['SET', benchKey(j), value]));
      for (const r of await Promise.all(pending)) {
        const err = errorText(r, 0, r.length);
        if (err !== null) throw new Error(`populate: SET failed: ${err}`);
      }
    }
  } finally {
    c.close();
  }
}
