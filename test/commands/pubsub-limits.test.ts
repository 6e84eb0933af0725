// client-output-buffer-limit against real sockets: a subscriber that never reads is cut off at
// its class's limit while 100 others receive every message in order (and the publisher keeps
// getting its replies); the soft limit cuts off a subscriber that stays over it; the normal
// class's limit cuts off a client that pipelines big replies without reading them.
import t from 'tap';
import net from 'node:net';
import { startRespdb, type RespdbProc } from '../support/servers.js';
import { RawClient, encodeCommand, type Reply } from '../support/resp-client.js';
import { intOf, until } from './pubsub-support.js';

const CHANNEL = 'ch';
const PAYLOAD = 1000;

function payload(i: number): Buffer {
  const head = `${i}:`;
  return Buffer.from(head + 'x'.repeat(PAYLOAD - head.length));
}

function frame(proto: 2 | 3, i: number): Buffer {
  const p = payload(i);
  return Buffer.concat([Buffer.from(`${proto === 3 ? '>' : '*'}3\r\n$7\r\nmessage\r\n$${CHANNEL.length}\r\n${CHANNEL}\r\n$${p.length}\r\n`), p, Buffer.from('\r\n')]);
}

/**
 * A subscriber that reads its socket and checks the stream byte by byte against the messages
 * 0, 1, 2 ... in order (after its SUBSCRIBE confirmation).
 */
class Reader {
  /** Messages received whole and as expected. */
  received = 0;
  mismatch: string | null = null;
  private started = false;
  private head = Buffer.alloc(0);
  private cur: Buffer;
  private at = 0;
  private waiters: Array<{ n: number; resolve: () => void }> = [];

  private constructor(
    readonly socket: net.Socket,
    readonly proto: 2 | 3,
  ) {
    this.cur = frame(proto, 0);
    socket.on('data', (d: Buffer) => this.data(d));
  }

  static async open(port: number, proto: 2 | 3): Promise<Reader> {
    const socket = net.connect(port, '127.0.0.1');
    await new Promise((r) => socket.once('connect', r));
    const rd = new Reader(socket, proto);
    if (proto === 3) socket.write(encodeCommand(['HELLO', '3']));
    socket.write(encodeCommand(['SUBSCRIBE', CHANNEL]));
    await rd.subscribed;
    return rd;
  }

  private confirmed!: () => void;
  private readonly subscribed = new Promise<void>((r) => (this.confirmed = r));

  private data(d: Buffer): void {
    if (!this.started) {
      this.head = Buffer.concat([this.head, d]);
      const confirmation = Buffer.from(`${this.proto === 3 ? '>' : '*'}3\r\n$9\r\nsubscribe\r\n$2\r\n${CHANNEL}\r\n:1\r\n`);
      const at = this.head.indexOf(confirmation);
      if (at < 0) return;
      this.started = true;
      this.confirmed();
      d = this.head.subarray(at + confirmation.length);
    }
    let p = 0;
    while (p < d.length && this.mismatch === null) {
      const n = Math.min(d.length - p, this.cur.length - this.at);
      if (d.compare(this.cur, this.at, this.at + n, p, p + n) !== 0) {
        this.mismatch = `message ${this.received}: bytes differ at ${this.at}`;
        break;
      }
      p += n;
      this.at += n;
      if (this.at === this.cur.length) {
        this.received++;
        this.cur = frame(this.proto, this.received);
        this.at = 0;
      }
    }
    this.waiters = this.waiters.filter((w) => (this.received >= w.n || this.mismatch !== null ? (w.resolve(), false) : true));
  }

  /** Resolves once `n` messages arrived (or the stream went wrong). */
  upTo(n: number): Promise<void> {
    if (this.received >= n || this.mismatch !== null) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ n, resolve }));
  }
}

/** A subscriber that stops reading after its confirmation; counts what it gets once resumed. */
async function nonReader(port: number): Promise<{ socket: net.Socket; id: number; bytes: () => number; closed: Promise<void> }> {
  const cl = await RawClient.connect(port);
  const id = intOf(await cl.send('CLIENT', 'ID'));
  await cl.send('SUBSCRIBE', CHANNEL);
  const socket = cl.socket;
  socket.pause();
  let bytes = 0;
  socket.removeAllListeners('data');
  socket.on('data', (d: Buffer) => (bytes += d.length));
  const closed = new Promise<void>((r) => socket.once('close', () => r()));
  return { socket, id, bytes: () => bytes, closed };
}

async function clientIds(cl: RawClient): Promise<number[]> {
  const r = await cl.send('CLIENT', 'LIST');
  const text = r.t === 'bulk' && r.v ? r.v.toString() : '';
  return [...text.matchAll(/^id=(\d+) /gm)].map((m) => Number(m[1]));
}

/** Publishes messages from..to-1 in pipelined batches; returns the receiver counts of each batch. */
async function publishRange(pub: RawClient, from: number, to: number): Promise<number[]> {
  const replies: Reply[] = await pub.pipeline(Array.from({ length: to - from }, (_, k) => ['PUBLISH', CHANNEL, payload(from + k)]));
  return replies.map((r) => (r.t === 'int' ? Number(r.v) : -1));
}

let respdb: RespdbProc;
t.before(async () => {
  respdb = await startRespdb({ shards: 1 });
});
t.teardown(() => respdb.stop());

t.test('a subscriber that never reads is cut off at its limit while 100 others receive every message', async (t) => {
  const admin = await RawClient.connect(respdb.port);
  t.teardown(() => admin.close());
  t.same(await admin.send('CONFIG', 'SET', 'client-output-buffer-limit', 'pubsub 256kb 0 0'), { t: 'simple', v: 'OK' });
  const stuck = await nonReader(respdb.port);
  const readers: Reader[] = [];
  for (let i = 0; i < 100; i++) readers.push(await Reader.open(respdb.port, i % 2 === 0 ? 2 : 3));
  t.teardown(() => {
    for (const r of readers) r.socket.destroy();
    stuck.socket.destroy();
  });
  const pub = await RawClient.connect(respdb.port);
  t.teardown(() => pub.close());

  // publish until the stuck subscriber is gone from the receivers (at most 64 MB of messages)
  let sent = 0;
  let before = 0;
  let after = 0;
  while (after < 1000) {
    if (sent >= 64_000) break;
    const counts = await publishRange(pub, sent, sent + 200);
    sent += 200;
    for (const c of counts) {
      if (c === 101 && after === 0) before++;
      else if (c === 100) after++;
      else t.fail(`PUBLISH counted ${c} receivers`);
    }
  }
  t.ok(before > 0, `${before} messages reached all 101 subscribers before the cut`);
  t.ok(after >= 1000, `${after} messages were published to the 100 readers after the cut (${sent} in all)`);
  t.notOk((await clientIds(admin)).includes(stuck.id), 'the stuck subscriber is no longer a client');
  t.same(await admin.send('PUBSUB', 'NUMSUB', CHANNEL), { t: 'array', v: [{ t: 'bulk', v: Buffer.from(CHANNEL) }, { t: 'int', v: 100n }] });

  await Promise.all(readers.map((r) => r.upTo(sent)));
  const wrong = readers.filter((r) => r.mismatch !== null || r.received !== sent);
  t.same(wrong.map((r) => r.mismatch ?? `${r.received} of ${sent}`), [], `each of the 100 readers got all ${sent} messages, in order`);

  // what the stuck subscriber gets when it reads at last: part of the stream, then the close
  stuck.socket.resume();
  await stuck.closed;
  const full = frame(2, 0).length * sent;
  t.ok(stuck.bytes() < full, `the stuck subscriber got ${stuck.bytes()} bytes of ${full}`);
  t.match(respdb.output(), /scheduled to be closed ASAP for overcoming of output buffer limits/, 'the disconnect is logged');
});

t.test('the soft limit cuts off a subscriber that stays over it for soft-seconds', async (t) => {
  const admin = await RawClient.connect(respdb.port);
  t.teardown(() => admin.close());
  await admin.send('CONFIG', 'SET', 'client-output-buffer-limit', 'pubsub 0 128kb 1');
  const stuck = await nonReader(respdb.port);
  const readers = [await Reader.open(respdb.port, 2), await Reader.open(respdb.port, 3)];
  t.teardown(() => {
    for (const r of readers) r.socket.destroy();
    stuck.socket.destroy();
  });
  const pub = await RawClient.connect(respdb.port);
  t.teardown(() => pub.close());
  let sent = 0;
  // small batches with pauses: the stuck subscriber stays over the soft limit until soft-seconds pass
  while ((await clientIds(admin)).includes(stuck.id)) {
    if (sent >= 200_000) break;
    await publishRange(pub, sent, sent + 100);
    sent += 100;
    await new Promise((r) => setTimeout(r, 20));
  }
  t.notOk((await clientIds(admin)).includes(stuck.id), `the stuck subscriber was closed (after ${sent} messages)`);
  await Promise.all(readers.map((r) => r.upTo(sent)));
  t.same(readers.map((r) => r.mismatch ?? r.received), [sent, sent], 'the readers got every message');
  await admin.send('CONFIG', 'SET', 'client-output-buffer-limit', 'pubsub 32mb 8mb 60');
});

t.test("the normal class's limit cuts off a client that does not read its replies", async (t) => {
  const admin = await RawClient.connect(respdb.port);
  t.teardown(() => admin.close());
  await admin.send('SET', 'big', 'v'.repeat(100_000));
  await admin.send('CONFIG', 'SET', 'client-output-buffer-limit', 'normal 1mb 0 0');
  t.teardown(() => admin.send('CONFIG', 'SET', 'client-output-buffer-limit', 'normal 0 0 0'));
  const cl = await RawClient.connect(respdb.port);
  const id = intOf(await cl.send('CLIENT', 'ID'));
  cl.socket.pause();
  await cl.sendRaw(Buffer.concat(Array.from({ length: 400 }, () => encodeCommand(['GET', 'big']))));
  await until(async () => !(await clientIds(admin)).includes(id), 'the client that does not read is closed');
  t.pass('closed at its limit');
  // a client that reads its replies (each under the limit) is not affected
  const other = await RawClient.connect(respdb.port);
  let ok = 0;
  for (let i = 0; i < 50; i++) {
    const r = await other.send('GET', 'big');
    if (r.t === 'bulk' && r.v?.length === 100_000) ok++;
  }
  t.equal(ok, 50, 'a client that reads gets its 50 replies of 100 kB');
  await other.close();
  cl.socket.destroy();
});

t.test('timeout closes idle clients but not subscribers', async (t) => {
  const admin = await RawClient.connect(respdb.port);
  t.teardown(() => admin.close());
  const idle = await RawClient.connect(respdb.port);
  const sub = await RawClient.connect(respdb.port);
  const psub = await RawClient.connect(respdb.port);
  t.teardown(() => Promise.all([idle, sub, psub].map((c) => c.close())));
  await sub.send('SUBSCRIBE', 'waiting');
  await psub.send('HELLO', '3');
  await psub.send('SSUBSCRIBE', 'waiting');
  await admin.send('CONFIG', 'SET', 'timeout', '1');
  t.teardown(() => admin.send('CONFIG', 'SET', 'timeout', '0'));
  // the admin keeps talking, so only the others are idle
  await until(async () => {
    await admin.send('PING');
    return idle.closed;
  }, 'the idle client is closed', 4000);
  t.ok(idle.closed, 'the idle client was closed');
  t.notOk(sub.closed || psub.closed, 'the subscribers stay');
  t.same(await sub.send('PING'), { t: 'array', v: [{ t: 'bulk', v: Buffer.from('pong') }, { t: 'bulk', v: Buffer.from('') }] });
});
