// Tests of the test-support code itself (no respdb needed): the RESP decoder,
// formatting/comparison, RawClient against a fake server, and real
// redis-server via startRedis / diff / redisCli, and spawnTracked's cleanup of children.
import t, { type Test } from 'tap';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  RawClient,
  RespDecoder,
  RespProtocolError,
  decodeAll,
  encodeCommand,
  formatReply,
  replyEquals,
  type Reply,
} from './support/resp-client.js';
import { REPO_ROOT, diff, formatCommand, freePort, redisCli, spawnTracked, startRedis } from './support/servers.js';

const bulk = (s: string | Buffer): Reply => ({ t: 'bulk', v: Buffer.isBuffer(s) ? s : Buffer.from(s) });
const simple = (v: string): Reply => ({ t: 'simple', v });
const int = (v: number | bigint): Reply => ({ t: 'int', v: BigInt(v) });
const arr = (...v: Reply[]): Reply => ({ t: 'array', v });

/** Wire bytes -> expected reply, covering every RESP2/RESP3 type. */
const CASES: [string, string | Buffer, Reply][] = [
  ['simple', '+OK\r\n', simple('OK')],
  ['simple empty', '+\r\n', simple('')],
  ['error', '-ERR unknown command\r\n', { t: 'error', v: 'ERR unknown command' }],
  ['int', ':-42\r\n', int(-42)],
  ['int max', ':9223372036854775807\r\n', int(9223372036854775807n)],
  ['int min', ':-9223372036854775808\r\n', int(-9223372036854775808n)],
  ['bulk', '$5\r\nhello\r\n', bulk('hello')],
  ['bulk empty', '$0\r\n\r\n', bulk('')],
  ['bulk binary with CRLF inside', Buffer.from('$6\r\na\r\n\x00\xffb\r\n', 'latin1'), bulk(Buffer.from('a\r\n\x00\xffb', 'latin1'))],
  ['bulk null (RESP2)', '$-1\r\n', { t: 'bulk', v: null }],
  ['array null (RESP2)', '*-1\r\n', { t: 'array', v: null }],
  ['array empty', '*0\r\n', arr()],
  ['array mixed', '*3\r\n$1\r\na\r\n:1\r\n+b\r\n', arr(bulk('a'), int(1), simple('b'))],
  ['array nested', '*2\r\n*2\r\n:1\r\n:2\r\n*0\r\n', arr(arr(int(1), int(2)), arr())],
  ['array with nulls', '*2\r\n$-1\r\n*-1\r\n', arr({ t: 'bulk', v: null }, { t: 'array', v: null })],
  ['map', '%2\r\n+a\r\n:1\r\n$1\r\nb\r\n*1\r\n:2\r\n', { t: 'map', v: [[simple('a'), int(1)], [bulk('b'), arr(int(2))]] }],
  ['map empty', '%0\r\n', { t: 'map', v: [] }],
  ['set', '~3\r\n$1\r\nx\r\n$1\r\ny\r\n:3\r\n', { t: 'set', v: [bulk('x'), bulk('y'), int(3)] }],
  ['set empty', '~0\r\n', { t: 'set', v: [] }],
  ['double', ',3.14\r\n', { t: 'double', v: '3.14' }],
  ['double exp', ',1.5e+300\r\n', { t: 'double', v: '1.5e+300' }],
  ['double inf', ',inf\r\n', { t: 'double', v: 'inf' }],
  ['double -inf', ',-inf\r\n', { t: 'double', v: '-inf' }],
  ['double nan', ',nan\r\n', { t: 'double', v: 'nan' }],
  ['bool true', '#t\r\n', { t: 'bool', v: true }],
  ['bool false', '#f\r\n', { t: 'bool', v: false }],
  ['null', '_\r\n', { t: 'null' }],
  ['bignum', '(3492890328409238509324850943850943825024385\r\n', { t: 'bignum', v: '3492890328409238509324850943850943825024385' }],
  ['bignum negative', '(-3492890328409238509324850943850943825024385\r\n', { t: 'bignum', v: '-3492890328409238509324850943850943825024385' }],
  ['verbatim', '=15\r\ntxt:Some string\r\n', { t: 'verbatim', format: 'txt', v: 'Some string' }],
  ['verbatim with CRLF', '=9\r\nmkd:a\r\nbc\r\n', { t: 'verbatim', format: 'mkd', v: 'a\r\nbc' }],
  ['blob error', '!21\r\nSYNTAX invalid syntax\r\n', { t: 'error', v: 'SYNTAX invalid syntax', blob: true }],
  ['push', '>3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$3\r\nhi!\r\n', { t: 'push', v: [bulk('message'), bulk('ch'), bulk('hi!')] }],
  [
    'attribute at top level',
    '|1\r\n+key-popularity\r\n%2\r\n$1\r\na\r\n,0.1923\r\n$1\r\nb\r\n,0.0012\r\n*2\r\n:2039123\r\n:9543892\r\n',
    {
      t: 'attr',
      v: [
        [
          simple('key-popularity'),
          {
            t: 'map',
            v: [
              [bulk('a'), { t: 'double', v: '0.1923' }],
              [bulk('b'), { t: 'double', v: '0.0012' }],
            ],
          },
        ],
      ],
      reply: arr(int(2039123), int(9543892)),
    },
  ],
  [
    'attribute inside an array',
    '*2\r\n|1\r\n+ttl\r\n:3600\r\n+a\r\n:2\r\n',
    arr({ t: 'attr', v: [[simple('ttl'), int(3600)]], reply: simple('a') }, int(2)),
  ],
  ['streamed string', '$?\r\n;4\r\nHell\r\n;5\r\no wor\r\n;2\r\nld\r\n;0\r\n', bulk('Hello world')],
  ['streamed array', '*?\r\n:1\r\n$1\r\na\r\n.\r\n', arr(int(1), bulk('a'))],
  ['streamed map', '%?\r\n+a\r\n:1\r\n+b\r\n:2\r\n.\r\n', { t: 'map', v: [[simple('a'), int(1)], [simple('b'), int(2)]] }],
  ['streamed set inside array', '*2\r\n~?\r\n:1\r\n.\r\n_\r\n', arr({ t: 'set', v: [int(1)] }, { t: 'null' })],
  [
    'deeply mixed aggregates',
    '%1\r\n~1\r\n*1\r\n>1\r\n#t\r\n%1\r\n_\r\n(12\r\n',
    {
      t: 'map',
      v: [[{ t: 'set', v: [arr({ t: 'push', v: [{ t: 'bool', v: true }] })] }, { t: 'map', v: [[{ t: 'null' }, { t: 'bignum', v: '12' }]] }]],
    },
  ],
];

const ALL_BYTES = Buffer.concat(CASES.map(([, w]) => (Buffer.isBuffer(w) ? w : Buffer.from(w, 'utf8'))));
const ALL_REPLIES = CASES.map(([, , r]) => r);

/** Deterministic PRNG so failures are reproducible. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function assertReplies(t: Test, got: Reply[], want: Reply[], msg: string): void {
  t.equal(got.length, want.length, `${msg}: reply count`);
  for (let i = 0; i < Math.max(got.length, want.length); i++) {
    const g = got[i];
    const w = want[i];
    if (!g || !w || !replyEquals(g, w)) {
      t.equal(g ? formatReply(g) : '(missing)', w ? formatReply(w) : '(missing)', `${msg}: reply #${i}`);
      return;
    }
  }
  t.pass(msg);
}

t.test('decoder: every RESP2/RESP3 type from whole buffers', async (t) => {
  for (const [name, wire, want] of CASES) {
    const got = decodeAll(wire);
    t.equal(got.length, 1, `${name}: one reply`);
    t.ok(replyEquals(got[0]!, want), `${name}`, { found: formatReply(got[0]!), wanted: formatReply(want) });
  }
  const ints = decodeAll(':9223372036854775807\r\n');
  t.equal(typeof (ints[0] as { v: unknown }).v, 'bigint', 'integers decode as bigint');
});

t.test('decoder: byte-at-a-time and random chunking give identical results', async (t) => {
  const d = new RespDecoder();
  const out: Reply[] = [];
  for (let i = 0; i < ALL_BYTES.length; i++) out.push(...d.push(ALL_BYTES.subarray(i, i + 1)));
  t.ok(d.idle, 'decoder idle at end');
  assertReplies(t, out, ALL_REPLIES, 'one byte at a time');

  const rand = rng(12345);
  for (let round = 0; round < 50; round++) {
    const d2 = new RespDecoder();
    const got: Reply[] = [];
    let pos = 0;
    while (pos < ALL_BYTES.length) {
      const n = 1 + Math.floor(rand() * 40);
      got.push(...d2.push(ALL_BYTES.subarray(pos, pos + n)));
      pos += n;
    }
    if (!d2.idle || got.length !== ALL_REPLIES.length || !got.every((g, i) => replyEquals(g, ALL_REPLIES[i]!))) {
      assertReplies(t, got, ALL_REPLIES, `random chunking round ${round}`);
      return;
    }
  }
  t.pass('50 random chunkings decoded identically');

  // every single split point, two chunks
  for (let cut = 0; cut <= ALL_BYTES.length; cut++) {
    const d3 = new RespDecoder();
    const got = [...d3.push(ALL_BYTES.subarray(0, cut)), ...d3.push(ALL_BYTES.subarray(cut))];
    if (got.length !== ALL_REPLIES.length || !got.every((g, i) => replyEquals(g, ALL_REPLIES[i]!))) {
      assertReplies(t, got, ALL_REPLIES, `split at ${cut}`);
      return;
    }
  }
  t.pass('every two-chunk split decoded identically');
});

t.test('decoder: partial reply is held until complete', async (t) => {
  const d = new RespDecoder();
  t.same(d.push('*2\r\n$3\r\nfo'), [], 'nothing yet');
  t.notOk(d.idle, 'not idle mid-reply');
  t.same(d.push('o\r'), [], 'still nothing');
  const r = d.push('\n:7\r\n+next');
  t.equal(r.length, 1);
  t.equal(formatReply(r[0]!), formatReply(arr(bulk('foo'), int(7))));
  t.equal(d.pendingBytes, 5, 'partial "+next" kept');
  t.equal(formatReply(d.push('\r\n')[0]!), '+"next"');
  t.ok(d.idle);
});

t.test('decoder: big bulk split across many chunks', async (t) => {
  const size = 8 * 1024 * 1024 + 3;
  const payload = Buffer.alloc(size);
  const rand = rng(7);
  for (let i = 0; i < size; i += 4) payload.writeUInt32LE(Math.floor(rand() * 2 ** 32) >>> 0, Math.min(i, size - 4));
  payload.write('\r\n$5\r\n', 1000, 'latin1'); // protocol-looking bytes inside the payload
  const wire = Buffer.concat([
    Buffer.from('+before\r\n*2\r\n'),
    Buffer.from(`$${size}\r\n`),
    payload,
    Buffer.from('\r\n:1\r\n+after\r\n'),
  ]);
  const d = new RespDecoder();
  const got: Reply[] = [];
  // Linear, counted rather than timed: the decoder joins the chunks it holds with Buffer.concat;
  // one that re-joined (and re-parsed) everything held on each of the 513 chunks would copy ~2 GB.
  const concat = Buffer.concat;
  let copied = 0;
  Buffer.concat = (list, totalLength) => {
    const r = concat(list, totalLength);
    copied += r.length;
    return r;
  };
  try {
    for (let pos = 0; pos < wire.length; pos += 16 * 1024) got.push(...d.push(wire.subarray(pos, pos + 16 * 1024)));
  } finally {
    Buffer.concat = concat;
  }
  t.equal(got.length, 3, 'three replies');
  t.equal(formatReply(got[0]!), '+"before"');
  const a = got[1]!;
  t.ok(a.t === 'array' && a.v && a.v.length === 2, 'array of two');
  if (a.t === 'array' && a.v) {
    const b = a.v[0]!;
    t.ok(b.t === 'bulk' && b.v !== null && b.v.length === size && b.v.equals(payload), 'payload intact');
    t.equal(formatReply(a.v[1]!), '(integer) 1');
  }
  t.equal(formatReply(got[2]!), '+"after"');
  t.ok(copied <= 2 * wire.length, `decoding ${wire.length} bytes in 16 KiB chunks copied ${copied} bytes (at most twice the input)`);
});

t.test('decoder: very deep nesting does not overflow the stack', async (t) => {
  const depth = 100000;
  const wire = '*1\r\n'.repeat(depth) + ':1\r\n';
  const [r] = decodeAll(wire);
  let d = 0;
  let cur = r!;
  while (cur.t === 'array' && cur.v) {
    d++;
    cur = cur.v[0]!;
  }
  t.equal(d, depth);
  t.equal(formatReply(cur), '(integer) 1');
});

t.test('decoder: protocol errors', async (t) => {
  t.throws(() => decodeAll('?what\r\n'), RespProtocolError, 'unknown type byte');
  t.throws(() => decodeAll(':12a\r\n'), RespProtocolError, 'bad integer');
  t.throws(() => decodeAll('$3\r\nabcd\r\n'), RespProtocolError, 'bulk without CRLF after payload');
  t.throws(() => decodeAll('$x\r\n'), RespProtocolError, 'bad length');
  t.throws(() => decodeAll('#x\r\n'), RespProtocolError, 'bad boolean');
  t.throws(() => decodeAll('.\r\n'), RespProtocolError, 'stray stream terminator');
  t.throws(() => decodeAll('+OK\r\n$3\r\nab'), /incomplete/, 'decodeAll rejects trailing partial data');
  try {
    new RespDecoder().push('+a\r\n:1\r\n?bad\r\n+b\r\n');
    t.fail('should throw');
  } catch (e) {
    t.ok(e instanceof RespProtocolError);
    t.same((e as RespProtocolError).replies.map((r) => formatReply(r)), ['+"a"', '(integer) 1'], 'replies before the bad bytes are attached');
  }
  const d = new RespDecoder();
  t.throws(() => d.push('!bad\r\n'));
  t.throws(() => d.push('+OK\r\n'), 'decoder stays failed');
  d.reset();
  t.equal(formatReply(d.push('+OK\r\n')[0]!), '+"OK"', 'reset recovers');
});

t.test('encodeCommand', async (t) => {
  t.equal(encodeCommand(['SET', 'k', Buffer.from([0, 13, 10])]).toString('latin1'), '*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$3\r\n\x00\r\n\r\n');
  t.equal(encodeCommand(['é']).toString('latin1'), '*1\r\n$2\r\n\xc3\xa9\r\n', 'utf8 byte length');
  t.equal(encodeCommand([]).toString(), '*0\r\n');
});

t.test('formatReply / replyEquals', async (t) => {
  // types with the same "value" never compare or render equal
  const lookalikes: Reply[] = [
    bulk('1'),
    simple('1'),
    int(1),
    { t: 'double', v: '1' },
    { t: 'bignum', v: '1' },
    { t: 'verbatim', format: 'txt', v: '1' },
    { t: 'error', v: '1' },
    { t: 'error', v: '1', blob: true },
    { t: 'bulk', v: null },
    { t: 'array', v: null },
    { t: 'null' },
    arr(),
    { t: 'set', v: [] },
    { t: 'push', v: [] },
    { t: 'map', v: [] },
    { t: 'bool', v: true },
    bulk('"1"'),
    bulk('\\x31'),
  ];
  for (let i = 0; i < lookalikes.length; i++) {
    for (let j = 0; j < lookalikes.length; j++) {
      const a = lookalikes[i]!;
      const b = lookalikes[j]!;
      if ((i === j) !== replyEquals(a, b) || (i === j) !== (formatReply(a) === formatReply(b))) {
        t.fail(`lookalikes ${formatReply(a)} vs ${formatReply(b)}`);
      }
    }
  }
  t.pass('distinct types/values render and compare distinctly');

  t.equal(
    formatReply(arr(bulk('a'), int(2), arr(simple('x')), { t: 'map', v: [[bulk('k'), { t: 'null' }]] })),
    ['*4', '  1) "a"', '  2) (integer) 2', '  3) *1', '       1) +"x"', '  4) %1', '       1# "k"', '        = (null)'].join('\n'),
    'readable multi-line format',
  );
  t.equal(formatReply(bulk(Buffer.from([0, 0x22, 0x5c, 0x0a, 0xff, 0x41]))), '"\\x00\\"\\\\\\n\\xffA"', 'binary escaping');

  const s1: Reply = { t: 'set', v: [bulk('a'), bulk('b'), bulk('c')] };
  const s2: Reply = { t: 'set', v: [bulk('c'), bulk('a'), bulk('b')] };
  t.notOk(replyEquals(s1, s2), 'sets are ordered by default');
  t.ok(replyEquals(s1, s2, { unordered: true }), 'unordered sets');
  t.equal(formatReply(s1, { unordered: true }), formatReply(s2, { unordered: true }));
  t.notOk(replyEquals(s1, { t: 'set', v: [bulk('a'), bulk('b')] }, { unordered: true }), 'unordered still checks members');

  const m1: Reply = { t: 'map', v: [[bulk('f1'), bulk('v1')], [bulk('f2'), bulk('v2')]] };
  const m2: Reply = { t: 'map', v: [[bulk('f2'), bulk('v2')], [bulk('f1'), bulk('v1')]] };
  const m3: Reply = { t: 'map', v: [[bulk('f2'), bulk('v1')], [bulk('f1'), bulk('v2')]] };
  t.ok(replyEquals(m1, m2, { unordered: true }), 'unordered maps');
  t.notOk(replyEquals(m1, m3, { unordered: true }), 'unordered maps keep key/value pairing');

  const a1 = arr(bulk('x'), bulk('y'));
  const a2 = arr(bulk('y'), bulk('x'));
  t.notOk(replyEquals(a1, a2));
  t.ok(replyEquals(a1, a2, { unordered: true }), 'top-level array sorted (RESP2 set-like replies)');
  t.notOk(replyEquals(arr(a1), arr(a2), { unordered: true }), 'nested arrays keep order unless deep');
  t.ok(replyEquals(arr(a1), arr(a2), { unordered: 'deep' }), 'deep sorts nested arrays');

  const h1 = arr(bulk('f1'), bulk('v1'), bulk('f2'), bulk('v2'));
  const h2 = arr(bulk('f2'), bulk('v2'), bulk('f1'), bulk('v1'));
  const h3 = arr(bulk('f2'), bulk('v1'), bulk('f1'), bulk('v2'));
  t.ok(replyEquals(h1, h2, { unordered: 'pairs' }), 'pairs: flat key/value arrays');
  t.notOk(replyEquals(h1, h3, { unordered: 'pairs' }), 'pairs keeps pairing');
  t.ok(replyEquals(h1, h3, { unordered: true }), '(plain unordered would not)');

  t.equal(formatCommand(['SET', 'my key', Buffer.from('v')]), 'SET "my key" v');
});

// --- RawClient against a scripted fake server -------------------------------

async function fakeServer(onConn: (s: net.Socket) => void): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const srv = net.createServer((s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => {});
    onConn(s);
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  const port = (srv.address() as net.AddressInfo).port;
  return {
    port,
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        srv.close(() => r());
      }),
  };
}

t.test('RawClient: send, pipeline, sendRaw, split writes, waitClose, close', async (t) => {
  const received: Buffer[] = [];
  const srv = await fakeServer((s) => {
    s.on('data', async (d) => {
      received.push(d);
      const text = d.toString('latin1');
      if (text.includes('QUIT')) {
        s.end('+OK\r\n');
        return;
      }
      if (text.includes('SLOW')) {
        // reply dribbled out a few bytes at a time
        const wire = Buffer.from('*2\r\n$5\r\nhello\r\n%1\r\n+k\r\n,1.5\r\n');
        for (let i = 0; i < wire.length; i += 3) {
          s.write(wire.subarray(i, i + 3));
          await new Promise((r) => setTimeout(r, 2));
        }
        return;
      }
      // one "+OK" per command in the chunk (counts RESP array headers / inline lines)
      const n = (text.match(/\*\d+\r\n\$/g) ?? []).length || text.split('\r\n').filter(Boolean).length;
      s.write('+OK\r\n'.repeat(n));
    });
  });
  t.teardown(() => srv.close());

  const c = await RawClient.connect(srv.port);
  t.equal(formatReply(await c.send('SET', 'k', 'v')), '+"OK"');
  t.equal(received.map((b) => b.toString()).join(''), '*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n', 'command encoded as bulk array');
  received.length = 0;
  const rs = await c.pipeline([['A'], ['B', 'x'], ['C']]);
  t.same(rs.map((r) => formatReply(r)), ['+"OK"', '+"OK"', '+"OK"'], 'pipeline returns one reply per command');
  t.equal(received.length, 1, 'pipeline sent in one write');
  await c.sendRaw('PING\r\n');
  t.equal(formatReply(await c.readReply()), '+"OK"', 'sendRaw + readReply');
  const slow = await c.send('SLOW');
  t.equal(
    formatReply(slow),
    formatReply(arr(bulk('hello'), { t: 'map', v: [[simple('k'), { t: 'double', v: '1.5' }]] })),
    'reply split across many TCP writes',
  );
  await t.rejects(c.readReply(100), /no reply .* within 100 ms/, 'readReply times out');
  t.equal(await c.waitClose(50), false, 'waitClose false while open');
  const quit = c.send('QUIT');
  t.equal(await c.waitClose(2000), true, 'waitClose true when server closes');
  t.equal(formatReply(await quit), '+"OK"', 'reply before close still delivered');
  t.ok(c.closed);
  await t.rejects(c.send('PING'), /closed/, 'send after close rejects');

  const c2 = await RawClient.connect(srv.port);
  const pending = c2.readReply(5000);
  await c2.close();
  await t.rejects(pending, /closed/, 'close() rejects pending readers');

  await t.rejects(RawClient.connect(await freePort()), /ECONNREFUSED/, 'connect to a closed port rejects');
});

t.test('RawClient: protocol error from the server closes the connection', async (t) => {
  const srv = await fakeServer((s) => s.on('data', () => s.write('+OK\r\n?garbage\r\n')));
  t.teardown(() => srv.close());
  const c = await RawClient.connect(srv.port);
  t.equal(formatReply(await c.send('X')), '+"OK"', 'good reply before the garbage');
  await t.rejects(c.readReply(2000), /unknown RESP type byte/, 'garbage surfaces as a rejection');
  t.ok(await c.waitClose(1000));
});

// --- real redis-server --------------------------------------------------------

t.test('startRedis + RawClient round trip (RESP2 and RESP3)', async (t) => {
  const r = await startRedis();
  t.teardown(() => r.stop());
  t.ok(fs.existsSync(r.dir), 'temp dir exists while running');
  const c = await RawClient.connect(r.port, r.host);
  t.teardown(() => c.close());

  t.same(await c.send('SET', 'k', 'v'), simple('OK'));
  t.same(await c.send('GET', 'k'), bulk('v'));
  t.same(await c.send('GET', 'missing'), { t: 'bulk', v: null }, 'RESP2 nil is a null bulk');
  t.same(await c.send('INCR', 'n'), int(1));
  const cfg = await c.send('CONFIG', 'GET', 'save');
  t.same(cfg, arr(bulk('save'), bulk('')), 'started with --save ""');
  const e = await c.send('NOSUCHCMD');
  t.equal(e.t, 'error', 'errors decode as errors');
  t.match(e.t === 'error' ? e.v : '', /^ERR unknown command/);

  const big = Buffer.alloc(3 * 1024 * 1024 + 17, 'x');
  big.write('\r\n*1\r\n', 12345);
  t.same(await c.send('SET', 'big', big), simple('OK'));
  const gb = await c.send('GET', 'big');
  t.ok(gb.t === 'bulk' && gb.v !== null && gb.v.equals(big), '3 MiB bulk round trip');

  const hello = await c.send('HELLO', '3');
  t.equal(hello.t, 'map', 'HELLO 3 replies with a map');
  if (hello.t === 'map') {
    const keys = hello.v.map(([k]) => (k.t === 'bulk' && k.v ? k.v.toString() : '?'));
    t.same(keys.slice(0, 3), ['server', 'version', 'proto']);
    t.same(hello.v[2]![1], int(3), 'proto 3');
  }
  t.same(await c.send('GET', 'missing'), { t: 'null' }, 'RESP3 nil is a null');
  t.same(await c.send('GET', 'k'), bulk('v'));
  await c.send('HSET', 'h', 'f1', 'v1', 'f2', 'v2');
  const hg = await c.send('HGETALL', 'h');
  t.equal(hg.t, 'map', 'HGETALL is a map in RESP3');
  t.ok(replyEquals(hg, { t: 'map', v: [[bulk('f2'), bulk('v2')], [bulk('f1'), bulk('v1')]] }, { unordered: true }));
  await c.send('SADD', 's', 'a', 'b');
  const sm = await c.send('SMEMBERS', 's');
  t.equal(sm.t, 'set', 'SMEMBERS is a set in RESP3');
  t.ok(replyEquals(sm, { t: 'set', v: [bulk('b'), bulk('a')] }, { unordered: true }));
  await c.send('ZADD', 'z', '1.5', 'm');
  t.same(await c.send('ZSCORE', 'z', 'm'), { t: 'double', v: '1.5' }, 'ZSCORE is a double in RESP3');
  t.same(await c.send('EXISTS', 'k'), int(1));

  // push messages
  const sub = await RawClient.connect(r.port, r.host);
  t.teardown(() => sub.close());
  await sub.send('HELLO', '3');
  t.same(await sub.send('SUBSCRIBE', 'ch'), { t: 'push', v: [bulk('subscribe'), bulk('ch'), int(1)] });
  t.same(await c.send('PUBLISH', 'ch', 'hi'), int(1));
  t.same(await sub.readReply(), { t: 'push', v: [bulk('message'), bulk('ch'), bulk('hi')] }, 'pubsub message is a push');

  const dir = r.dir;
  await c.close();
  await sub.close();
  await r.stop();
  t.ok(r.proc.exitCode !== null || r.proc.signalCode !== null, 'redis-server exited');
  t.notOk(fs.existsSync(dir), 'temp dir removed on stop');
});

t.test('diff() between two redis-servers, and redisCli', async (t) => {
  const [a, b] = await Promise.all([startRedis(), startRedis({ args: ['--hz', '20'] })]);
  t.teardown(() => Promise.all([a.stop(), b.stop()]));
  t.not(a.port, b.port, 'distinct ports');
  const p = { redis: await RawClient.connect(a.port), respdb: await RawClient.connect(b.port) };
  t.teardown(() => Promise.all([p.redis.close(), p.respdb.close()]));

  // record assertions made by diff() through a tiny fake `t`
  const seen: { found: unknown; wanted: unknown; message?: string }[] = [];
  const fakeT = {
    teardown: () => {},
    equal: (found: unknown, wanted: unknown, message?: string) => (seen.push({ found, wanted, message }), found === wanted),
  };
  const res = await diff(fakeT, p, [
    ['SET', 'k', 'v'],
    ['GET', 'k'],
    ['SADD', 's', 'a', 'b', 'c', 'd', 'e'],
    ['APPEND', 'k', Buffer.from([0xff, 0])],
    ['GET', 'k'],
  ]);
  t.equal(res.length, 5);
  t.ok(seen.every((s) => s.found === s.wanted), 'identical servers diff equal');
  t.equal(seen[3]!.message, 'APPEND k "ÿ\\u0000"', 'message names the command');

  await p.respdb.send('SET', 'k', 'other');
  seen.length = 0;
  await diff(fakeT, p, [['GET', 'k']], { label: 'after change' });
  t.equal(seen.length, 1);
  t.not(seen[0]!.found, seen[0]!.wanted, 'a differing reply is reported');
  t.equal(seen[0]!.message, 'after change: GET k');

  // the real `t`, unordered set replies (RESP2 array and RESP3 set)
  await diff(t, p, [['SMEMBERS', 's'], ['SCARD', 's']], { unordered: true });
  await p.redis.send('HELLO', '3');
  await p.respdb.send('HELLO', '3');
  await diff(t, p, [['SMEMBERS', 's'], ['GET', 'nope']], { unordered: true });

  const ping = await redisCli(a.port, ['PING']);
  t.same(ping, { stdout: 'PONG\n', stderr: '', code: 0 }, 'redis-cli PING');
  const piped = await redisCli(a.port, [], 'SET cli 42\nGET cli\n');
  t.equal(piped.stdout, 'OK\n42\n', 'redis-cli reading commands from stdin');
  const x = await redisCli(a.port, ['-x', 'SET', 'fromstdin'], 'payload');
  t.equal(x.code, 0);
  t.same(await p.redis.send('GET', 'fromstdin'), bulk('payload'), 'redis-cli -x');
});

/** True while process `pid` runs (exists and is not a zombie waiting to be reaped). */
function running(pid: number): boolean {
  let stat: string;
  try {
    stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return false;
  }
  return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
}

t.test('spawnTracked: a child does not outlive a test process killed with SIGTERM', async (t) => {
  // A stand-in test process starts one idle child with spawnTracked and one with plain spawn,
  // prints their pids, and waits to be killed. Like every process a test starts under tap, it has
  // @tapjs/processinfo preloaded, whose signal-exit listens for SIGTERM as well.
  const servers = pathToFileURL(path.join(REPO_ROOT, 'dist', 'test', 'support', 'servers.js')).href;
  const script = [
    "import { spawn } from 'node:child_process';",
    `import { spawnTracked } from ${JSON.stringify(servers)};`,
    "const idle = ['-e', 'setInterval(() => {}, 1000)'];",
    "const tracked = spawnTracked(process.execPath, idle, { stdio: 'ignore' });",
    "const untracked = spawn(process.execPath, idle, { stdio: 'ignore' });",
    'console.log(JSON.stringify({ tracked: tracked.pid, untracked: untracked.pid }));',
    'setInterval(() => {}, 1000);',
  ].join('\n');
  const testProc = spawnTracked(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  testProc.stderr!.setEncoding('utf8').on('data', (s: string) => (err += s));
  const pids = await new Promise<{ tracked: number; untracked: number }>((resolve, reject) => {
    testProc.stdout!.setEncoding('utf8').on('data', (s: string) => {
      out += s;
      if (out.includes('\n')) resolve(JSON.parse(out) as { tracked: number; untracked: number });
    });
    testProc.once('exit', (code) => reject(new Error(`the stand-in test process exited (${code}) before starting its children: ${err}`)));
  });
  t.teardown(() => {
    for (const pid of [testProc.pid!, pids.tracked, pids.untracked]) if (running(pid)) process.kill(pid, 'SIGKILL');
  });
  t.ok(running(pids.tracked) && running(pids.untracked), 'both children run');
  const exited = new Promise<NodeJS.Signals | null>((r) => testProc.once('exit', (_code, signal) => r(signal)));
  testProc.kill('SIGTERM');
  const hung = new Promise<string>((r) => setTimeout(() => r('still running 10 s after SIGTERM'), 10000).unref());
  t.equal(await Promise.race([exited, hung]), 'SIGTERM', 'the test process still dies of its signal');
  for (let i = 0; i < 100 && running(pids.tracked); i++) await new Promise((r) => setTimeout(r, 50));
  t.notOk(running(pids.tracked), 'the tracked child was killed with it');
  t.ok(running(pids.untracked), 'the untracked child outlives it (what spawnTracked prevents)');
});
