// Hostile input: random garbage, huge declared lengths, floods, clients that never read, the
// query buffer limit, big values and many connections. The server must survive, keep serving
// other clients, keep its memory bounded, and (where comparable) behave like redis-server.
import t, { type Test } from 'tap';
import fc from 'fast-check';
import net from 'node:net';
import fs from 'node:fs';
import crypto from 'node:crypto';
import { startRedis, startRespdb, type RedisProc, type RespdbProc } from './support/servers.js';
import { encodeCommand } from './support/resp-client.js';

const B = (s: string): Buffer => Buffer.from(s, 'latin1');
const S = (b: Buffer): string => b.toString('latin1');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const MB = 1024 * 1024;

/** RESP multibulk encoding of a command (strings as latin1 bytes). */
const enc = (...args: (string | Buffer)[]): Buffer => encodeCommand(args.map((a) => (typeof a === 'string' ? B(a) : a)));

/** Resident memory of a process in MB (VmRSS). */
function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+)\s+kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

/** A minimal request/reply client that reads exact RESP replies (bulk, simple, error, int). */
class Client {
  private buf = Buffer.alloc(0);
  /** Chunks not yet joined to `buf` (a 20 MB reply is joined once, not per chunk). */
  private pending: Buffer[] = [];
  private pendingLen = 0;
  private need = 0;
  private waiters: { n: number; resolve: (b: Buffer) => void; reject: (e: Error) => void }[] = [];
  closed = false;
  private constructor(readonly sock: net.Socket) {
    sock.on('data', (d) => {
      this.pending.push(d);
      this.pendingLen += d.length;
      if (this.buf.length + this.pendingLen < this.need) return;
      this.buf = Buffer.concat([this.buf, ...this.pending]);
      this.pending = [];
      this.pendingLen = 0;
      this.pump();
    });
    sock.on('error', () => {});
    sock.on('close', () => {
      this.closed = true;
      for (const w of this.waiters.splice(0)) w.reject(new Error('connection closed'));
    });
  }
  static async connect(port: number): Promise<Client> {
    const s = net.connect(port, '127.0.0.1');
    s.setNoDelay(true);
    await new Promise<void>((res, rej) => {
      s.once('connect', res);
      s.once('error', rej);
    });
    return new Client(s);
  }
  /** Length of the complete reply at the start of buf, or -1. */
  private replyLen(): number {
    const b = this.buf;
    const cr = b.indexOf('\r\n');
    if (cr < 0) return -1;
    if (b[0] === 36 /* $ */) {
      const n = Number(S(b.subarray(1, cr)));
      if (n < 0) return cr + 2;
      this.need = cr + 2 + n + 2;
      return b.length >= this.need ? this.need : -1;
    }
    return cr + 2;
  }
  private pump(): void {
    while (this.waiters.length) {
      const n = this.replyLen();
      if (n < 0) return;
      this.need = 0;
      const r = this.buf.subarray(0, n);
      this.buf = this.buf.subarray(n);
      this.waiters.shift()!.resolve(r);
    }
  }
  send(args: (string | Buffer)[], timeoutMs = 20000): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no reply to ${S(Buffer.from(String(args[0])))} in ${timeoutMs} ms`)), timeoutMs);
      this.waiters.push({
        n: 0,
        resolve: (b) => {
          clearTimeout(timer);
          resolve(b);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
      this.sock.write(enc(...args));
      this.pump();
    });
  }
  close(): void {
    this.sock.destroy();
  }
}

/** Raw bytes on a fresh connection; `settle` waits until nothing came for `idleMs` (or closed). */
async function rawSession(port: number, bytes: Buffer) {
  const sock = net.connect(port, '127.0.0.1');
  await new Promise<void>((res, rej) => {
    sock.once('connect', res);
    sock.once('error', rej);
  });
  sock.on('error', () => {});
  const got: Buffer[] = [];
  let closed = false;
  let last = Date.now();
  sock.on('data', (d) => {
    got.push(d);
    last = Date.now();
  });
  sock.on('close', () => (closed = true));
  sock.write(bytes);
  return {
    async settle(idleMs: number): Promise<{ data: string; closed: boolean }> {
      const start = Date.now();
      const deadline = start + 10000;
      while (!closed && (Date.now() - Math.max(last, start) < idleMs) && Date.now() < deadline) await sleep(10);
      return { data: S(Buffer.concat(got)), closed };
    },
    end: () => sock.destroy(),
  };
}

async function rawTalk(port: number, bytes: Buffer, idleMs: number): Promise<{ data: string; closed: boolean }> {
  const s = await rawSession(port, bytes);
  const r = await s.settle(idleMs);
  s.end();
  return r;
}

let redis: RedisProc;
let redisQb: RedisProc;
let d1: RespdbProc;
let d4: RespdbProc;
let dQb: RespdbProc;

t.before(async () => {
  [redis, redisQb, d1, d4, dQb] = await Promise.all([
    startRedis(),
    startRedis({ args: ['--client-query-buffer-limit', '1mb'] }),
    startRespdb({ shards: 1, args: ['--appendfsync', 'no'] }),
    startRespdb({ shards: 4, args: ['--appendfsync', 'no'] }),
    startRespdb({ shards: 2, args: ['--appendfsync', 'no', '--client-query-buffer-limit', '1mb'] }),
  ]);
});
t.teardown(async () => {
  await Promise.all([redis, redisQb, d1, d4, dQb].map((p) => p?.stop()));
});

const servers = (): { name: string; p: RespdbProc }[] => [
  { name: 'shards=1', p: d1 },
  { name: 'shards=4', p: d4 },
];

async function alive(t: Test, p: RespdbProc, label: string): Promise<void> {
  const c = await Client.connect(p.port);
  t.equal(S(await c.send(['PING'], 10000)), '+PONG\r\n', `${label}: PING answers`);
  c.close();
  t.equal(p.proc.exitCode, null, `${label}: process still running`);
}

// ---------------------------------------------------------------------------------------------

const TOKENS = [
  '*', '$', '\r\n', '\r', '\n', '\0', ' ', '"', "'", '\\', '\\x4', '\\x41', '-', '0', '1', '3', '4', '9', '12',
  '2147483647', '2147483648', '536870912', '536870913', '-1', '*1\r\n', '*2\r\n', '*3\r\n', '$3\r\n', '$4\r\n',
  '$0\r\n\r\n', '*2\r\n$4\r\nECHO\r\n', 'PING', 'ECHO', 'GET', 'SET', 'DEL', 'EXISTS', 'SELECT', 'gx:k', 'gx:v',
  'xyz', '\xff', '\x80',
];
const garbageArb = fc
  .array(
    fc.oneof(
      { weight: 5, arbitrary: fc.constantFrom(...TOKENS).map(B) },
      { weight: 2, arbitrary: fc.uint8Array({ minLength: 1, maxLength: 24 }).map((a) => Buffer.from(a)) },
      { weight: 1, arbitrary: fc.integer({ min: 0, max: 70000 }).map((n) => B(String(n))) },
    ),
    { minLength: 1, maxLength: 40 },
  )
  .map((parts) => Buffer.concat(parts));

t.test('random garbage: same replies and close state as redis-server, and the server survives', async (t) => {
  let runs = 0;
  await fc.assert(
    fc.asyncProperty(garbageArb, async (bytes) => {
      runs++;
      const sessions = await Promise.all([rawSession(redis.port, bytes), rawSession(d4.port, bytes)]);
      let [want, got] = await Promise.all(sessions.map((s) => s.settle(200)));
      // a slow moment on a busy machine: give both servers longer before calling it a difference
      if (got.data !== want.data || got.closed !== want.closed) [want, got] = await Promise.all(sessions.map((s) => s.settle(1500)));
      for (const s of sessions) s.end();
      if (got.data !== want.data || got.closed !== want.closed) {
        throw new Error(
          `differs from redis for ${JSON.stringify(S(bytes))}:\n redis  ${JSON.stringify(want)}\n respdb ${JSON.stringify(got)}`,
        );
      }
      const c = await Client.connect(d4.port);
      const pong = S(await c.send(['PING'], 5000));
      c.close();
      if (pong !== '+PONG\r\n') throw new Error('PING failed after garbage');
    }),
    { numRuns: 60 },
  );
  t.equal(runs >= 60, true, `${runs} garbage inputs compared with redis`);
  // Pure random bytes in bigger blobs, several connections at once (no comparison: only survival).
  await fc.assert(
    fc.asyncProperty(fc.array(fc.uint8Array({ minLength: 1, maxLength: 100000 }), { minLength: 1, maxLength: 6 }), async (blobs) => {
      await Promise.all(blobs.map((b) => rawTalk(d1.port, Buffer.from(b), 50)));
      const c = await Client.connect(d1.port);
      const pong = S(await c.send(['PING'], 5000));
      c.close();
      return pong === '+PONG\r\n';
    }),
    { numRuns: 15 },
  );
  await alive(t, d1, 'after random blobs');
  await alive(t, d4, 'after garbage');
});

t.test('huge declared lengths allocate nothing big and the server survives', async (t) => {
  for (const { name, p } of servers()) {
    const before = rssMb(p.proc.pid!);
    // 40 clients each declare a 512 MB bulk, send 1 MB of it, and go away
    const socks = await Promise.all(
      Array.from({ length: 40 }, async () => {
        const s = net.connect(p.port, '127.0.0.1');
        s.on('error', () => {});
        await new Promise((r) => s.once('connect', r));
        s.write(B('*3\r\n$3\r\nSET\r\n$4\r\nhuge\r\n$536870912\r\n'));
        s.write(Buffer.alloc(MB, 0x41));
        return s;
      }),
    );
    // and some declare 2^31-1 arguments
    for (let i = 0; i < 10; i++) socks.push(net.connect(p.port, '127.0.0.1').on('error', () => {}).end(B('*2147483647\r\n$4\r\nPING\r\n')));
    await sleep(500);
    const during = rssMb(p.proc.pid!);
    t.ok(during - before < 400, `[${name}] RSS ${before.toFixed(0)} -> ${during.toFixed(0)} MB with 40 x 512 MB declared`);
    await alive(t, p, `[${name}] while huge bulks are open`);
    for (const s of socks) s.destroy();
    await sleep(100);
    const c = await Client.connect(p.port);
    t.equal(S(await c.send(['EXISTS', 'huge'])), ':0\r\n', `[${name}] nothing was stored`);
    c.close();
  }
  // 512 MB + 1 is refused at once, like redis
  for (const port of [redis.port, d1.port, d4.port]) {
    const r = await rawTalk(port, B('*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$536870913\r\n'), 2000);
    t.same(r, { data: '-ERR Protocol error: invalid bulk length\r\n', closed: true }, `port ${port}: $536870913 rejected`);
  }
});

t.test('client-query-buffer-limit 1mb: an endless bulk is dropped, like redis', async (t) => {
  const endless = async (port: number) => {
    const s = net.connect(port, '127.0.0.1');
    s.on('error', () => {});
    await new Promise((r) => s.once('connect', r));
    let data = '';
    let closed = false;
    s.on('data', (d) => (data += S(d)));
    s.on('close', () => (closed = true));
    s.write(B('*3\r\n$3\r\nSET\r\n$7\r\nendless\r\n$100000000\r\n'));
    let sent = 0;
    while (!closed && sent < 20 * MB) {
      s.write(Buffer.alloc(64 * 1024, 0x62));
      sent += 64 * 1024;
      await sleep(2);
    }
    const deadline = Date.now() + 5000;
    while (!closed && Date.now() < deadline) await sleep(10);
    s.destroy();
    return { data, closed, sent };
  };
  const [want, got] = await Promise.all([endless(redisQb.port), endless(dQb.port)]);
  t.same({ data: got.data, closed: got.closed }, { data: want.data, closed: want.closed }, 'same as redis: closed without a reply');
  t.ok(got.closed && got.sent < 10 * MB, `respdb closed it after ${(got.sent / MB).toFixed(1)} MB`);
  // commands under the limit work, over it the client is dropped (both servers)
  for (const port of [redisQb.port, dQb.port]) {
    const ok = await rawTalk(port, enc('SET', 'qb:900k', Buffer.alloc(900 * 1024, 0x63)), 300);
    t.same(ok, { data: '+OK\r\n', closed: false }, `port ${port}: 900 KB value accepted`);
    const big = await rawTalk(port, enc('SET', 'qb:1100k', Buffer.alloc(1100 * 1024, 0x63)), 500);
    t.same(big, { data: '', closed: true }, `port ${port}: 1.1 MB value drops the client`);
    // a pipeline far bigger than the limit, made of small commands, is fine
    const pipe = Buffer.concat(Array.from({ length: 30000 }, (_, i) => enc('SET', `qb:p${i % 100}`, 'x'.repeat(100))));
    const r = await rawTalk(port, pipe, 3000); // (an idle gap, not a deadline: generous for a loaded machine)
    t.equal(r.data, '+OK\r\n'.repeat(30000), `port ${port}: ${(pipe.length / MB).toFixed(1)} MB pipeline of small commands`);
  }
  await alive(t, dQb, 'after the query buffer limit');
});

t.test('a 20 MB value round-trips through the rings', async (t) => {
  const value = crypto.randomBytes(20 * MB);
  for (const { name, p } of servers()) {
    const c = await Client.connect(p.port);
    t.equal(S(await c.send(['SET', 'big:20m', value], 60000)), '+OK\r\n', `[${name}] SET 20 MB`);
    const r = await c.send(['GET', 'big:20m'], 60000);
    const head = `$${value.length}\r\n`;
    t.equal(S(r.subarray(0, head.length)), head, `[${name}] GET header`);
    t.ok(r.subarray(head.length, head.length + value.length).equals(value), `[${name}] GET returns the same 20 MB`);
    // pipelined around small commands, in order
    const [a, b, c2, d] = await Promise.all([c.send(['SET', 'big:s1', 'x']), c.send(['GET', 'big:20m'], 60000), c.send(['ECHO', 'after']), c.send(['GET', 'big:s1'])]);
    t.equal(S(a), '+OK\r\n');
    t.equal(b.length, head.length + value.length + 2, `[${name}] big reply between small ones`);
    t.equal(S(c2), '$5\r\nafter\r\n');
    t.equal(S(d), '$1\r\nx\r\n');
    t.equal(S(await c.send(['DEL', 'big:20m'])), ':1\r\n');
    c.close();
  }
});

t.test('a client that never reads 1M GETs of a 100 kB value: memory stays bounded, others served', async (t) => {
  const p = d4;
  const pid = p.proc.pid!;
  const setup = await Client.connect(p.port);
  t.equal(S(await setup.send(['SET', 'nr:v', Buffer.alloc(100 * 1000, 0x76)])), '+OK\r\n');
  setup.close();
  const flood = net.connect(p.port, '127.0.0.1');
  flood.on('error', () => {});
  await new Promise((r) => flood.once('connect', r));
  flood.pause(); // never read
  const batch = Buffer.concat(Array(10000).fill(enc('GET', 'nr:v')));
  let written = 0;
  const pump = (): void => {
    while (written < 1_000_000) {
      written += 10000;
      if (!flood.write(batch)) {
        flood.once('drain', pump);
        return;
      }
    }
  };
  pump();
  const other = await Client.connect(p.port);
  let peak = 0;
  // Another client is answered 100 times meanwhile (each reply awaited at most 10 s: a server
  // busy with the flood fails here), the server's memory sampled after each.
  const rounds = 100;
  for (let served = 0; served < rounds; served++) {
    const k = `nr:o${served}`;
    t.equal(S(await other.send(['SET', k, String(served)], 10000)), '+OK\r\n');
    const g = S(await other.send(['GET', k], 10000));
    if (g !== `$${String(served).length}\r\n${served}\r\n`) t.fail(`GET ${k} -> ${g}`);
    peak = Math.max(peak, rssMb(pid));
    await sleep(20);
  }
  // What bounds the memory: the server stopped reading the client whose replies pile up, so its
  // 26 MB of GETs (100 GB of replies) cannot all have been handed over (sockets hold a few MB).
  t.ok(written < 1_000_000 || flood.writableLength > 0, `the server stopped reading the flood (${written} GETs written, ${flood.writableLength} bytes still held by the client)`);
  t.ok(peak < 1536, `peak RSS ${peak.toFixed(0)} MB < 1.5 GB`);
  flood.destroy();
  other.close();
  await alive(t, p, 'after the non-reading client left');
});

t.test('a 100 MB pipeline of SETs from a client that does not read, while another works', async (t) => {
  const p = d1;
  const pid = p.proc.pid!;
  const flood = net.connect(p.port, '127.0.0.1');
  flood.on('error', () => {});
  await new Promise((r) => flood.once('connect', r));
  flood.pause();
  const value = Buffer.alloc(1000, 0x77);
  const n = 100_000; // ~100 MB
  const chunk = 1000;
  let i = 0;
  let done = false;
  const pump = (): void => {
    while (i < n) {
      const parts: Buffer[] = [];
      for (let k = 0; k < chunk; k++, i++) parts.push(enc('SET', `fl:${i}`, value));
      if (!flood.write(Buffer.concat(parts))) {
        flood.once('drain', pump);
        return;
      }
    }
    done = true;
  };
  pump();
  const other = await Client.connect(p.port);
  let served = 0;
  let servedDuring = 0;
  let peak = 0;
  const deadline = Date.now() + 90000;
  while ((!done || served < 10) && Date.now() < deadline) {
    const k = `fl:other${served}`;
    t.equal(S(await other.send(['SET', k, `o${served}`], 15000)), '+OK\r\n');
    if (S(await other.send(['GET', k], 15000)) !== `$${`o${served}`.length}\r\no${served}\r\n`) t.fail(`GET ${k}`);
    // Answered before the flood was all written: the first round trip starts with a few MB of
    // the flood sent, so a server that took the flood first would answer it only after ~100 MB.
    if (!done) servedDuring++;
    served++;
    peak = Math.max(peak, rssMb(pid));
    await sleep(10);
  }
  t.ok(done, `the flooding client wrote all ${(n * 1000) / MB | 0} MB (the server kept reading)`);
  t.ok(servedDuring >= 1, `the other client was answered ${servedDuring} times while the flood was being written`);
  t.ok(peak < 1536, `peak RSS ${peak.toFixed(0)} MB`);
  // the flood's writes did happen: its last SET is visible once processed
  let last = '';
  for (let k = 0; k < 200 && last !== `$1000\r\n`.slice(0, 6); k++) {
    last = S((await other.send(['GET', `fl:${n - 1}`])).subarray(0, 6));
    if (last !== '$1000\r') await sleep(50);
  }
  t.equal(last, '$1000\r', 'the last SET of the flood was applied');
  flood.destroy();
  other.close();
  await alive(t, p, 'after the flood');
});

t.test('500 connections at once', async (t) => {
  for (const { name, p } of servers()) {
    const clients = await Promise.all(Array.from({ length: 500 }, () => Client.connect(p.port)));
    const results = await Promise.all(
      clients.map(async (c, i) => {
        const a = S(await c.send(['SET', `mc:${i}`, `val${i}`]));
        const b = S(await c.send(['GET', `mc:${i}`]));
        const e = S(await c.send(['ECHO', `e${i}`]));
        return a === '+OK\r\n' && b === `$${`val${i}`.length}\r\nval${i}\r\n` && e === `$${`e${i}`.length}\r\ne${i}\r\n`;
      }),
    );
    t.equal(results.filter(Boolean).length, 500, `[${name}] all 500 clients served correctly`);
    for (const c of clients) c.close();
    await alive(t, p, `[${name}] after 500 connections`);
  }
});
