// The closed-loop load of the latency benchmarks (bench/latency.ts, bench/isolation.ts): `clients`
// raw TCP connections, each with exactly one request in flight; the time from write to complete
// reply goes into an HDR histogram (ns, 3 significant digits). It stops after `count` replies or
// after `durationMs` (requests still in flight then are neither recorded nor counted).
import net from 'node:net';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import hdr from 'hdr-histogram-js';
import { replyEnd } from './resp.js';
import { whenInterrupted } from './servers.js';

export interface LoadResult {
  hist: hdr.Histogram;
  completed: number;
  elapsedMs: number;
  /** nil bulk replies (GET of a missing key): 0 once the keyspace is loaded */
  misses: number;
  /** this thread's event-loop delay during the run, ns: p99 and max */
  loopP99: number;
  loopMax: number;
  error?: string;
}

export interface LoadSpec {
  port: number;
  clients: number;
  makeRequest: () => Buffer;
  /** stop after this many replies (with a 5-minute safety timeout) ... */
  count?: number;
  /** ... or after this long */
  durationMs?: number;
  record: boolean;
}

/**
 * Request bytes `head` + `key:NNNNNNNNNNNN` + `tail` with a key drawn uniformly from the first
 * `keyspace` keys (bench/resp.ts benchKey).
 */
export function randomKeyRequest(head: string, tail: string, keyspace: number): () => Buffer {
  const template = Buffer.from(`${head}key:000000000000${tail}`, 'latin1');
  const digitsAt = head.length + 4;
  return () => {
    const b = Buffer.allocUnsafe(template.length);
    template.copy(b);
    let n = Math.floor(Math.random() * keyspace);
    for (let i = digitsAt + 11; i >= digitsAt && n > 0; i--) {
      b[i] = 0x30 + (n % 10);
      n = Math.floor(n / 10);
    }
    return b;
  };
}

function connectAll(port: number, n: number): Promise<net.Socket[]> {
  return Promise.all(
    Array.from(
      { length: n },
      () =>
        new Promise<net.Socket>((resolve, reject) => {
          const s = net.connect({ port, host: '127.0.0.1' });
          s.once('error', reject);
          s.once('connect', () => {
            s.removeListener('error', reject);
            s.setNoDelay(true);
            resolve(s);
          });
        }),
    ),
  );
}

export async function closedLoop(spec: LoadSpec): Promise<LoadResult> {
  const { count, durationMs, record, makeRequest } = spec;
  const hist = hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 60e9, numberOfSignificantValueDigits: 3 });
  const socks = await connectAll(spec.port, spec.clients);
  const loop = monitorEventLoopDelay({ resolution: 1 });
  let issued = 0;
  let completed = 0;
  let misses = 0;
  let error: string | undefined;
  let finished = false;
  const start = process.hrtime.bigint();
  let end = start;
  loop.enable();
  await new Promise<void>((resolve) => {
    const finish = () => {
      if (finished) return;
      finished = true;
      end = process.hrtime.bigint();
      clearTimeout(timer);
      resolve();
    };
    const timer =
      durationMs !== undefined
        ? setTimeout(finish, durationMs)
        : setTimeout(() => {
            error ??= `timed out after ${completed} of ${count} replies`;
            finish();
          }, 300000);
    whenInterrupted(() => {
      error ??= 'interrupted';
      finish();
    });
    for (const s of socks) {
      let buf: Buffer = Buffer.alloc(0);
      let sentAt = 0n;
      const sendNext = () => {
        if (finished || (count !== undefined && issued >= count)) return;
        issued++;
        sentAt = process.hrtime.bigint();
        s.write(makeRequest());
      };
      s.on('data', (d: Buffer) => {
        const now = process.hrtime.bigint();
        if (finished) return;
        buf = buf.length ? Buffer.concat([buf, d]) : d;
        const e = replyEnd(buf, 0);
        if (e < 0) return;
        if (e !== buf.length || buf[0] === 0x2d) {
          error ??= buf[0] === 0x2d ? buf.toString('utf8', 1, e - 2) : 'protocol error: more than one reply for one request';
          finish();
          return;
        }
        if (buf[0] === 0x24 && buf[1] === 0x2d) misses++;
        buf = Buffer.alloc(0);
        if (record) hist.recordValue(Number(now - sentAt));
        completed++;
        if (count !== undefined && completed >= count) finish();
        else sendNext();
      });
      s.on('error', (e) => {
        error ??= `socket error: ${e.message}`;
        finish();
      });
      s.on('close', () => {
        if (!finished) {
          error ??= 'connection closed by server';
          finish();
        }
      });
      sendNext();
    }
  });
  loop.disable();
  for (const s of socks) s.destroy();
  return { hist, completed, elapsedMs: Number(end - start) / 1e6, misses, loopP99: loop.percentile(99), loopMax: loop.max, error };
}
