/**
 * Minimal raw RESP client for exact reply comparison in tests: `RawClient`, a tiny client over
 * `net` that writes commands as RESP arrays of bulk strings (or arbitrary raw bytes) and hands
 * back decoded `Reply` trees. The decoder is in resp-decoder.ts, formatting and comparison in
 * reply-format.ts (both re-exported here).
 */
import net from 'node:net';
import { RespDecoder, RespProtocolError, encodeCommand, type Reply } from './resp-decoder.js';

export * from './resp-decoder.js';
export * from './reply-format.js';

// ---------------------------------------------------------------------------
// Client
// ---------------------------------------------------------------------------

interface Waiter {
  resolve: (r: Reply) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout | null;
}

export interface RawClientOptions {
  /** Default timeout for each awaited reply (ms). 0 disables. Default 15000. */
  replyTimeoutMs?: number;
  /** Connect timeout (ms). Default 10000. */
  connectTimeoutMs?: number;
}

/**
 * A raw RESP connection. Replies are delivered strictly in arrival order
 * (RESP3 push messages included) to `readReply()` callers; replies that arrive
 * while nobody is waiting are queued.
 */
export class RawClient {
  readonly decoder = new RespDecoder();
  private queue: Reply[] = [];
  private waiters: Waiter[] = [];
  private closedFlag = false;
  private closeError: Error | null = null;
  private closeWaiters: (() => void)[] = [];
  replyTimeoutMs: number;

  private constructor(
    readonly socket: net.Socket,
    readonly port: number,
    readonly host: string,
    opts: RawClientOptions,
  ) {
    this.replyTimeoutMs = opts.replyTimeoutMs ?? 15000;
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (e) => {
      this.closeError ??= e;
    });
    socket.on('close', () => this.onClose());
  }

  static connect(port: number, host = '127.0.0.1', opts: RawClientOptions = {}): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ port, host });
      const ms = opts.connectTimeoutMs ?? 10000;
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new Error(`connect to ${host}:${port} timed out after ${ms} ms`));
      }, ms);
      const onError = (e: Error) => {
        clearTimeout(timer);
        reject(e);
      };
      socket.once('error', onError);
      socket.once('connect', () => {
        clearTimeout(timer);
        socket.off('error', onError);
        resolve(new RawClient(socket, port, host, opts));
      });
    });
  }

  /** True once the connection has closed (by either side). */
  get closed(): boolean {
    return this.closedFlag;
  }

  /** Number of decoded replies waiting to be read. */
  get queued(): number {
    return this.queue.length;
  }

  /** Send one command (array of bulk strings) and await its reply. */
  async send(...args: (string | Buffer)[]): Promise<Reply> {
    const p = this.readReply();
    this.write(encodeCommand(args)).catch(() => {});
    return p;
  }

  /** Send all commands in one write and await one reply per command. */
  async pipeline(cmds: (string | Buffer)[][]): Promise<Reply[]> {
    const ps = cmds.map(() => this.readReply());
    this.write(Buffer.concat(cmds.map((c) => encodeCommand(c)))).catch(() => {});
    return Promise.all(ps);
  }

  /** Write arbitrary bytes (inline commands, malformed input, partial frames, ...). */
  sendRaw(bytes: Buffer | string): Promise<void> {
    return this.write(typeof bytes === 'string' ? Buffer.from(bytes, 'utf8') : bytes);
  }

  /** Await the next reply. Rejects on timeout (default `replyTimeoutMs`) or if the connection closes first. */
  readReply(timeoutMs = this.replyTimeoutMs): Promise<Reply> {
    const r = this.queue.shift();
    if (r) return Promise.resolve(r);
    if (this.closedFlag) return Promise.reject(this.closedErr());
    return new Promise((resolve, reject) => {
      const w: Waiter = { resolve, reject, timer: null };
      if (timeoutMs > 0) {
        w.timer = setTimeout(() => {
          const i = this.waiters.indexOf(w);
          if (i >= 0) this.waiters.splice(i, 1);
          reject(new Error(`no reply from ${this.host}:${this.port} within ${timeoutMs} ms`));
        }, timeoutMs);
      }
      this.waiters.push(w);
    });
  }

  /** Resolve true if the connection closes within `timeoutMs`, false otherwise. */
  waitClose(timeoutMs: number): Promise<boolean> {
    if (this.closedFlag) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        const i = this.closeWaiters.indexOf(done);
        if (i >= 0) this.closeWaiters.splice(i, 1);
        resolve(false);
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        resolve(true);
      };
      this.closeWaiters.push(done);
    });
  }

  /** Close the connection (pending readers are rejected). */
  async close(): Promise<void> {
    if (this.closedFlag) return;
    const closed = this.waitClose(2000);
    this.socket.end();
    if (!(await closed)) this.socket.destroy();
    await this.waitClose(1000);
  }

  private write(b: Buffer): Promise<void> {
    if (this.closedFlag) return Promise.reject(this.closedErr());
    return new Promise((resolve, reject) => {
      this.socket.write(b, (err) => (err ? reject(err) : resolve()));
    });
  }

  private onData(chunk: Buffer): void {
    let replies: Reply[];
    try {
      replies = this.decoder.push(chunk);
    } catch (e) {
      this.closeError = e instanceof Error ? e : new Error(String(e));
      this.socket.destroy();
      // still deliver what was decoded before the bad bytes
      replies = e instanceof RespProtocolError ? e.replies : [];
    }
    for (const r of replies) {
      const w = this.waiters.shift();
      if (w) {
        if (w.timer) clearTimeout(w.timer);
        w.resolve(r);
      } else this.queue.push(r);
    }
  }

  private closedErr(): Error {
    const why = this.closeError ? `: ${this.closeError.message}` : '';
    const partial = this.decoder.idle || this.closeError instanceof RespProtocolError ? '' : ` (${this.decoder.pendingBytes} bytes of an incomplete reply pending)`;
    const e = new Error(`connection to ${this.host}:${this.port} closed${why}${partial}`);
    if (this.closeError) (e as Error & { cause?: unknown }).cause = this.closeError;
    return e;
  }

  private onClose(): void {
    this.closedFlag = true;
    const err = this.closedErr();
    for (const w of this.waiters.splice(0)) {
      if (w.timer) clearTimeout(w.timer);
      w.reject(err);
    }
    for (const f of this.closeWaiters.splice(0)) f();
  }
}
