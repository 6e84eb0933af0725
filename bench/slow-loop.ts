/**
 * The isolation benchmark's slow loop (bench/isolation.ts): one connection in a worker thread of
 * its own that runs `KEYS *`, `SUNION s1 s2` and `HGETALL h` back to back, so reading a ~20 MB
 * KEYS reply cannot delay the GET clients' callbacks on the main thread. Replies are not
 * materialised: a streaming skipper walks the RESP headers, jumps over bulk payloads and only
 * counts elements (checked against the expected count).
 */
import net from 'node:net';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { encodeCommand } from './resp.js';

export const SLOW_COMMANDS = [
  { name: 'KEYS *', args: ['KEYS', '*'] },
  { name: 'SUNION s1 s2', args: ['SUNION', 's1', 's2'] },
  { name: 'HGETALL h', args: ['HGETALL', 'h'] },
] as const;

/**
 * Walks a stream of RESP replies without materialising them: reads each header line, jumps over
 * bulk payloads, keeps a stack of the elements still due in open aggregates, and counts the leaf
 * values. feed() returns the offset just past the end of the reply when it ends in that chunk.
 */
export class ReplySkipper {
  private readonly stack: number[] = [];
  private skip = 0;
  private partial: Buffer | null = null;
  /** leaf values of the current reply */
  leaves = 0;
  /** the reply was (or, at top level, contained) an error: its text */
  error: string | null = null;

  reset(): void {
    this.stack.length = 0;
    this.skip = 0;
    this.partial = null;
    this.leaves = 0;
    this.error = null;
  }

  /** a value ended: close the aggregates it completes; true when the whole reply ended */
  private valueDone(): boolean {
    this.leaves++;
    while (this.stack.length) {
      const t = this.stack.length - 1;
      if (--this.stack[t] > 0) return false;
      this.stack.pop();
    }
    return true;
  }

  feed(buf: Buffer, from = 0): number {
    let pos = from;
    const len = buf.length;
    while (pos < len) {
      if (this.skip > 0) {
        const n = Math.min(this.skip, len - pos);
        pos += n;
        this.skip -= n;
        if (this.skip === 0 && this.valueDone()) return pos;
        continue;
      }
      const nl = buf.indexOf(10, pos);
      if (nl < 0) {
        const rest = buf.subarray(pos);
        this.partial = this.partial ? Buffer.concat([this.partial, rest]) : Buffer.from(rest);
        return -1;
      }
      let line: Buffer;
      if (this.partial) {
        line = Buffer.concat([this.partial, buf.subarray(pos, nl + 1)]);
        this.partial = null;
      } else line = buf.subarray(pos, nl + 1);
      pos = nl + 1;
      // line = type byte, text, \r\n
      const type = line[0];
      const textEnd = line.length - 2;
      if (type === 0x2b || type === 0x3a || type === 0x2c || type === 0x23 || type === 0x28 || type === 0x5f) {
        if (this.valueDone()) return pos;
        continue;
      }
      if (type === 0x2d) {
        this.error ??= line.toString('utf8', 1, textEnd);
        if (this.valueDone()) return pos;
        continue;
      }
      let n = 0;
      let neg = false;
      for (let i = 1; i < textEnd; i++) {
        const ch = line[i];
        if (ch === 0x2d) neg = true;
        else n = n * 10 + (ch - 0x30);
      }
      if (neg) n = -n;
      if (type === 0x24 || type === 0x3d || type === 0x21) {
        if (n < 0) {
          if (this.valueDone()) return pos;
        } else this.skip = n + 2;
        continue;
      }
      if (type === 0x2a || type === 0x7e || type === 0x3e || type === 0x25) {
        if (type === 0x25) n *= 2;
        if (n <= 0) {
          // empty or nil aggregate: a value in its own right (not a leaf, but counting it is harmless)
          this.leaves--;
          if (this.valueDone()) return pos;
        } else this.stack.push(n);
        continue;
      }
      throw new Error(`unexpected RESP type byte 0x${type.toString(16)}`);
    }
    return -1;
  }
}

interface SlowWorkerData {
  role: 'isolation-slow';
  port: number;
  /** element count each reply must have, by command index */
  expected: number[];
}

export interface SlowStats {
  counts: number[];
  /** summed and longest time per command, ns */
  totalNs: number[];
  maxNs: number[];
  /** the command still running when the phase ended: index, time it had run at the end, its total */
  inFlight?: { cmd: number; atStopNs: number; totalNs?: number };
  error?: string;
}

type SlowMsg =
  | { type: 'ready' }
  | { type: 'started' }
  /** at the stop request: the figures so far (the command in flight not finished yet) */
  | { type: 'snapshot'; stats: SlowStats }
  /** the command in flight at the stop request has ended (or the loop failed) */
  | { type: 'done'; stats: SlowStats }
  | { type: 'error'; error: string };

const copyStats = (s: SlowStats): SlowStats => ({
  ...s,
  counts: [...s.counts],
  totalNs: [...s.totalNs],
  maxNs: [...s.maxNs],
  inFlight: s.inFlight && { ...s.inFlight },
});

function runSlowWorker(d: SlowWorkerData): void {
  const port = parentPort!;
  const stats: SlowStats = { counts: SLOW_COMMANDS.map(() => 0), totalNs: SLOW_COMMANDS.map(() => 0), maxNs: SLOW_COMMANDS.map(() => 0) };
  const requests = SLOW_COMMANDS.map((c) => encodeCommand(c.args));
  const skipper = new ReplySkipper();
  let connected = false;
  let cmd = -1;
  let sentAt = 0n;
  let stopAt: bigint | null = null;
  let done = false;
  const post = (m: SlowMsg) => port.postMessage(m);
  const sock = net.connect({ port: d.port, host: '127.0.0.1' });
  const finish = (error?: string) => {
    if (done) return;
    done = true;
    if (error) stats.error = error;
    post({ type: 'done', stats });
    sock.destroy();
    port.close();
  };
  const sendNext = () => {
    cmd = (cmd + 1) % SLOW_COMMANDS.length;
    skipper.reset();
    sentAt = process.hrtime.bigint();
    sock.write(requests[cmd]);
  };
  sock.setNoDelay(true);
  sock.once('connect', () => {
    connected = true;
    post({ type: 'ready' });
  });
  sock.on('error', (e) => {
    if (!connected) post({ type: 'error', error: e.message });
    finish(`socket error: ${e.message}`);
  });
  sock.on('close', () => finish('connection closed by server'));
  sock.on('data', (chunk: Buffer) => {
    if (done) return;
    let end: number;
    try {
      end = skipper.feed(chunk);
    } catch (e) {
      finish((e as Error).message);
      return;
    }
    if (end < 0) return;
    const took = process.hrtime.bigint() - sentAt;
    if (end !== chunk.length) return finish('protocol error: bytes after the reply');
    if (skipper.error !== null) return finish(`${SLOW_COMMANDS[cmd].name}: ${skipper.error}`);
    if (skipper.leaves !== d.expected[cmd]) return finish(`${SLOW_COMMANDS[cmd].name}: ${skipper.leaves} elements, expected ${d.expected[cmd]}`);
    if (stopAt !== null) {
      // it was still running when the phase ended
      stats.inFlight = { cmd, atStopNs: Number(stopAt - sentAt), totalNs: Number(took) };
      return finish();
    }
    stats.counts[cmd]++;
    stats.totalNs[cmd] += Number(took);
    stats.maxNs[cmd] = Math.max(stats.maxNs[cmd], Number(took));
    sendNext();
  });
  port.on('message', (m: { type: 'go' | 'stop' }) => {
    if (done) return;
    if (m.type === 'go') {
      sendNext();
      post({ type: 'started' });
    } else if (m.type === 'stop') {
      stopAt = process.hrtime.bigint();
      if (cmd < 0) return finish();
      stats.inFlight = { cmd, atStopNs: Number(stopAt - sentAt) };
      post({ type: 'snapshot', stats: copyStats(stats) });
    }
  });
}

/** Drives the worker: connect, start the loop, and later stop it and collect its figures. */
export class SlowLoop {
  private readonly worker: Worker;
  private readonly waiters = new Map<SlowMsg['type'], (m: SlowMsg) => void>();
  private failure: string | null = null;
  private snapshot: SlowStats | null = null;
  private final: SlowStats | null = null;
  private readonly exited: Promise<void>;

  constructor(port: number, expected: number[]) {
    const data: SlowWorkerData = { role: 'isolation-slow', port, expected };
    this.worker = new Worker(new URL(import.meta.url), { workerData: data });
    this.exited = new Promise<void>((resolve) => this.worker.once('exit', () => resolve()));
    this.worker.on('message', (m: SlowMsg) => {
      if (m.type === 'error') this.failure = m.error;
      if (m.type === 'snapshot') this.snapshot = m.stats;
      if (m.type === 'done') this.final = m.stats;
      this.waiters.get(m.type)?.(m);
    });
    this.worker.on('error', (e) => {
      this.failure = e.message;
      this.waiters.get('error')?.({ type: 'error', error: e.message });
    });
    this.worker.once('exit', () => this.waiters.get('error')?.({ type: 'error', error: this.failure ?? 'worker exited' }));
  }

  /** Resolves on the worker's next message of `type`; rejects on an error, its exit or the timeout. */
  private next(type: SlowMsg['type'], timeoutMs: number): Promise<SlowMsg | null> {
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => resolve(null), timeoutMs);
      const clear = () => {
        clearTimeout(t);
        this.waiters.delete(type);
        this.waiters.delete('error');
      };
      this.waiters.set(type, (m) => {
        clear();
        resolve(m);
      });
      this.waiters.set('error', (m) => {
        clear();
        reject(new Error(`slow-loop worker: ${(m as { error: string }).error}`));
      });
    });
  }

  async start(): Promise<void> {
    if (!(await this.next('ready', 10000))) throw new Error('slow-loop worker: not connected after 10 s');
    const started = this.next('started', 10000);
    this.worker.postMessage({ type: 'go' });
    if (!(await started)) throw new Error('slow-loop worker: did not start in 10 s');
  }

  /**
   * Ends the loop and returns its figures; waits up to `graceMs` for the command in flight to end
   * (to report how long it took), then terminates the worker.
   */
  async stop(graceMs: number): Promise<SlowStats> {
    if (!this.final) {
      const done = this.next('done', graceMs).catch(() => null);
      this.worker.postMessage({ type: 'stop' });
      await done;
    }
    await this.worker.terminate();
    await this.exited;
    const s = this.final ?? this.snapshot;
    if (s) return s;
    return { counts: SLOW_COMMANDS.map(() => 0), totalNs: SLOW_COMMANDS.map(() => 0), maxNs: SLOW_COMMANDS.map(() => 0), error: this.failure ?? 'no figures from the slow-loop worker' };
  }

  terminate(): Promise<number> {
    return this.worker.terminate();
  }
}

if (!isMainThread && (workerData as Partial<SlowWorkerData> | null)?.role === 'isolation-slow') {
  runSlowWorker(workerData as SlowWorkerData);
}
