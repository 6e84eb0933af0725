// The protocol over real sockets: the same bytes go to redis-server 7.0 and to respdb (1 and 4
// shards); the reply bytes and whether the server closed the connection must be identical.
import t, { type Test } from 'tap';
import net from 'node:net';
import { startRedis, startRespdb, type RedisProc, type RespdbProc } from './support/servers.js';
import { shardOf } from '../lib/slot.js';
import { encodeCommand } from './support/resp-client.js';

const B = (s: string): Buffer => Buffer.from(s, 'latin1');
const S = (b: Buffer): string => b.toString('latin1');

/** RESP multibulk encoding of a command (strings as latin1 bytes). */
const enc = (...args: (string | Buffer)[]): Buffer => encodeCommand(args.map((a) => (typeof a === 'string' ? B(a) : a)));

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Talk {
  data: string;
  closed: boolean;
}

const SENTINEL = enc('ECHO', '~sentinel~');
const SENTINEL_REPLY = '$10\r\n~sentinel~\r\n';

/**
 * Sends `chunks` (with `gapMs` between them) on a fresh connection and collects what comes back.
 * mode 'sentinel': an ECHO follows the input; done when its reply arrives or the server closes
 * (the ECHO's reply is removed). mode 'close': done when the server closes (timeout = failure
 * shows as closed:false). mode 'idle': done after `idleMs` without new bytes (input that leaves a
 * server waiting).
 */
async function talk(
  port: number,
  chunks: Buffer[],
  opts: { mode?: 'sentinel' | 'close' | 'idle' | 'halfclose'; gapMs?: number; idleMs?: number; timeoutMs?: number } = {},
): Promise<Talk> {
  const mode = opts.mode ?? 'sentinel';
  const sock = net.connect({ port, host: '127.0.0.1', allowHalfOpen: true });
  sock.setNoDelay(true);
  await new Promise<void>((res, rej) => {
    sock.once('connect', res);
    sock.once('error', rej);
  });
  sock.on('error', () => {});
  const got: Buffer[] = [];
  let closed = false;
  let last = Date.now();
  let wake: (() => void) | null = null;
  sock.on('data', (d) => {
    got.push(d);
    last = Date.now();
    wake?.();
  });
  const onClosed = () => {
    closed = true;
    wake?.();
  };
  sock.on('close', onClosed);
  sock.on('end', onClosed); // the server closed its side (allowHalfOpen keeps ours open)
  for (let i = 0; i < chunks.length; i++) {
    if (closed) break;
    sock.write(chunks[i]);
    if (opts.gapMs && i + 1 < chunks.length) await sleep(opts.gapMs);
  }
  if (mode === 'sentinel' && !closed) sock.write(SENTINEL);
  if (mode === 'halfclose' && !closed) sock.end(); // shut down our sending side only
  const deadline = Date.now() + (opts.timeoutMs ?? 15000);
  for (;;) {
    const text = S(Buffer.concat(got));
    if (closed) break;
    if (mode === 'sentinel' && text.endsWith(SENTINEL_REPLY)) break;
    if (mode === 'idle' && Date.now() - last >= (opts.idleMs ?? 250)) break;
    if (Date.now() > deadline) break;
    await new Promise<void>((r) => {
      wake = r;
      setTimeout(r, 20);
    });
    wake = null;
  }
  sock.destroy();
  let data = S(Buffer.concat(got));
  if (mode === 'sentinel' && data.endsWith(SENTINEL_REPLY)) data = data.slice(0, -SENTINEL_REPLY.length);
  return { data, closed };
}

let redis: RedisProc;
const dbs: { name: string; proc: RespdbProc }[] = [];

t.before(async () => {
  const [r, d1, d4] = await Promise.all([
    startRedis(),
    startRespdb({ shards: 1, args: ['--appendfsync', 'no'] }),
    startRespdb({ shards: 4, args: ['--appendfsync', 'no'] }),
  ]);
  redis = r;
  dbs.push({ name: 'shards=1', proc: d1 }, { name: 'shards=4', proc: d4 });
});
t.teardown(async () => {
  await Promise.all([redis?.stop(), ...dbs.map((d) => d.proc.stop())]);
});

/** Sends the same bytes to redis and every respdb; asserts identical replies and close state. */
async function same(
  t: Test,
  label: string,
  chunks: Buffer | Buffer[],
  opts: Parameters<typeof talk>[2] = {},
): Promise<Talk> {
  const list = Array.isArray(chunks) ? chunks : [chunks];
  const [want, ...got] = await Promise.all([talk(redis.port, list, opts), ...dbs.map((d) => talk(d.proc.port, list, opts))]);
  got.forEach((g, i) => {
    t.equal(g.data, want.data, `${label} [${dbs[i].name}] replies`);
    t.equal(g.closed, want.closed, `${label} [${dbs[i].name}] closed=${want.closed}`);
  });
  return want;
}

/** A connection kept open through the error cases: it must keep working. */
async function controlPing(t: Test, label: string): Promise<void> {
  for (const d of dbs) {
    const r = await talk(d.proc.port, [B('PING\r\n'), enc('ECHO', 'still here')]);
    t.equal(r.data, '+PONG\r\n$10\r\nstill here\r\n', `${label} [${d.name}] other clients are served`);
  }
}

t.test('protocol errors: exact error line, then the connection is closed', async (t) => {
  // A long-lived client on each server, mid-pipeline, must not notice the others' errors.
  const bystanders = await Promise.all(
    dbs.map(async (d) => {
      const s = net.connect(d.proc.port, '127.0.0.1');
      await new Promise((r) => s.once('connect', r));
      let text = '';
      s.on('data', (b) => (text += S(b)));
      s.write(B('*2\r\n$4\r\nECHO\r\n$5\r\nhel'));
      return { d, s, text: () => text };
    }),
  );
  const K64 = 64 * 1024;
  const cases: [string, Buffer][] = [
    ['invalid multibulk length', B('*x\r\n')],
    ['multibulk > INT_MAX', B('*2147483648\r\n')],
    ['multibulk -0 (string2ll)', B('*-0\r\n')],
    ['multibulk leading zero', B('*01\r\n$4\r\nPING\r\n')],
    ['multibulk below LLONG_MIN', B('*-9223372036854775809\r\n')],
    ['negative bulk length', B('*1\r\n$-1\r\n')],
    ['non-numeric bulk length', B('*1\r\n$abc\r\n')],
    ['bulk length > proto-max-bulk-len', B('*1\r\n$536870913\r\n')],
    ["expected '$'", B('*1\r\nx\r\n')],
    ["expected '$' got CR", B('*1\r\n\r\n')],
    ["expected '$' got a high byte", B('*2\r\n$4\r\nECHO\r\n\xe9\r\n')],
    ['too big inline request', B('PING' + 'x'.repeat(K64 + 10))],
    ['unbalanced quotes', B('ECHO "abc\r\n')],
    ['closing quote not followed by a space', B("ECHO 'a'b\r\n")],
    ['too big mbulk count string', B('*1' + '1'.repeat(K64 + 10))],
    ['too big bulk count string', B('*1\r\n$' + '1'.repeat(K64 + 10))],
    ['commands before the error are answered first', B('PING\r\n*1\r\n$4\r\nPING\r\nECHO "a b"\r\n*1\r\nxx\r\nPING\r\n')],
    ['error after an incomplete start', B('*3\r\n$3\r\nSET\r\n$2\r\npk\r\n$-5\r\n')],
  ];
  for (const [label, bytes] of cases) {
    const r = await same(t, label, bytes, { mode: 'close' });
    t.ok(r.closed, `${label}: redis closed the connection`);
    t.match(r.data, /-ERR Protocol error: [^\r\n]+\r\n$/, `${label}: ends with the protocol error`);
  }
  // the same errors with the input split into small pieces
  await same(t, 'split invalid bulk length', [B('*2\r\n$4\r\nEC'), B('HO\r\n$'), B('1x'), B('\r\n')], { mode: 'close', gapMs: 20 });
  await same(t, 'split expected $', [B('*1\r'), B('\n'), B('y'), B('\r\n')], { mode: 'close', gapMs: 20 });
  // a client that keeps writing after its error is closed all the same
  await same(t, 'keeps writing after the error', [B('*x\r\n'), B('PING\r\n'.repeat(1000)), B('PING\r\n'.repeat(1000))], { mode: 'close', gapMs: 10 });
  // with replies still pending on the shards: many writes, then the error, in one write
  const sets = Buffer.concat(Array.from({ length: 2000 }, (_, i) => enc('SET', `perr:${i}`, `v${i}`)));
  await same(t, 'error behind 2000 pending writes', Buffer.concat([sets, enc('GET', 'perr:1999'), B('*1\r\n$x\r\n')]), { mode: 'close' });

  for (const b of bystanders) {
    b.s.write(B('lo\r\n'));
    const deadline = Date.now() + 5000;
    while (!b.text().includes('\r\n') && Date.now() < deadline) await sleep(10);
    t.equal(b.text(), '$5\r\nhello\r\n', `[${b.d.name}] a client mid-command on the same server is unaffected`);
    b.s.destroy();
  }
  await controlPing(t, 'after protocol errors');
});

t.test('inputs redis-server waits on (NUL before a terminator, open counts) are waited on', async (t) => {
  const cases: [string, Buffer][] = [
    ['inline with NUL', B('PING\0\r\nPING\r\n')],
    ['multibulk count with NUL', B('*1\0\r\n$4\r\nPING\r\n')],
    ['bulk length with NUL', B('*1\r\n$4\0\r\nPING\r\n')],
    ["NUL instead of '$'", B('*1\r\n\0\r\n')],
    ['*INT_MAX', B('*2147483647\r\n$4\r\nPING\r\n')],
    ['$ proto-max-bulk-len, then close', B('*2\r\n$3\r\nGET\r\n$536870912\r\nabc')],
    ['header CR without LF yet', B('PING\r\n*1\r')],
    ['big bulk without its CRLF', Buffer.concat([B('*2\r\n$4\r\nECHO\r\n$40000\r\n'), Buffer.alloc(40000, 0x61)])],
  ];
  await Promise.all(
    cases.map(async ([label, bytes]) => {
      const r = await same(t, label, bytes, { mode: 'idle', idleMs: 400 });
      t.notOk(r.closed, `${label}: redis keeps the connection open`);
    }),
  );
  await controlPing(t, 'after waiting inputs');
});

t.test('inline commands, quoting and empty requests over the socket', async (t) => {
  const input = B(
    [
      'PING',
      '',
      '   ',
      'ECHO "a\\x41\\n\\t\\"q\\"" ',
      "ECHO 'it\\'s'",
      'ECHO \x0babc\x0c',
      'ECHO "a"\x0bb',
      'ECHO ""',
      'SET inl:k "v a l"',
      'GET inl:k',
      'EXISTS inl:k inl:missing',
      'ECHO x\ry',
      'ping hi',
      '""',
    ].join('\r\n') + '\r\n*0\r\n*-1\r\n\n\n',
  );
  await same(t, 'inline mix (one write)', input);
  // one byte per write
  const bytes: Buffer[] = [];
  for (let i = 0; i < input.length; i++) bytes.push(input.subarray(i, i + 1));
  await same(t, 'inline mix (byte by byte)', bytes, { gapMs: 0 });
});

t.test('a client that shuts down its sending side still gets every reply, then the close', async (t) => {
  const r = await same(t, 'half-close after a few commands', B('SET hc:a 1\r\nGET hc:a\r\nPING\r\n*1\r\n$4\r\nPI'), { mode: 'halfclose' });
  t.equal(r.data, '+OK\r\n$1\r\n1\r\n+PONG\r\n');
  t.ok(r.closed);
  const many = Buffer.concat(Array.from({ length: 2000 }, (_, i) => [enc('SET', `hc:${i}`, `v${i}`), enc('GET', `hc:${i}`)]).flat());
  await same(t, 'half-close after 4000 pipelined commands', many, { mode: 'halfclose' });
  await same(t, 'half-close after QUIT', B('SET hc:q 1\r\nQUIT\r\nSET hc:q 2\r\n'), { mode: 'halfclose' });
  await same(t, 'half-close after a protocol error', B('PING\r\n*x\r\n'), { mode: 'halfclose' });
  await same(t, 'hc:q kept its first value', enc('GET', 'hc:q'));
});

t.test('unknown command: text, 128-byte truncation, NUL and binary arguments', async (t) => {
  const cmds: (string | Buffer)[][] = [
    ['FOO'],
    ['FOO', 'a', 'b'],
    ['foo', ''],
    [''],
    ['FOO', 'a'.repeat(200), 'b'],
    ['FOO', 'a'.repeat(120), 'b'.repeat(24), 'c'],
    ['FOO', 'a'.repeat(124), 'b'.repeat(24), 'c'],
    ['FOO', 'a'.repeat(125), 'b', 'c'],
    ['FOO', 'a'.repeat(126), 'b', 'c'],
    ['FOO', 'a'.repeat(127), 'b', 'c'],
    ['F' + 'O'.repeat(200), 'b', 'c'],
    ['FOO', ...Array.from({ length: 100 }, (_, i) => `x${i}`)],
    ['FOO', 'a\r\nb', '\r\n\r'],
    ['F\r\nOO', 'x'],
    [B('F\0OO'), B('a\0b'), 'c'],
    [B('FOO\xff\xe9'), B('\x80\x81'), B('\0')],
    [B('\0'), 'x'],
    ['GETT', 'k'],
    ['SETEX-ish', 'k', 'v'],
    ['get\0', 'k'],
  ];
  await same(t, 'unknown commands (multibulk)', Buffer.concat(cmds.map((c) => enc(...c))));
  await same(t, 'unknown commands (inline)', B('FOO a b\r\nFOO "a\\r\\nb" \'c d\'\r\nHELLOWORLD "\\xff\\x00x" y\r\n'));
});

t.test('an HTTP request (POST / Host:) drops the connection without a reply, like redis', async (t) => {
  await same(t, 'HTTP POST', B('POST /x HTTP/1.1\r\nHost: example\r\nContent-Length: 0\r\n\r\n'), { mode: 'close' });
  await same(t, 'HTTP GET with Host:', B('GET / HTTP/1.1\r\nHost: example\r\n\r\n'), { mode: 'close' });
  await same(t, 'host: in lower case, after a command', B('PING\r\nhost: x\r\n'), { mode: 'close' });
  await same(t, 'POST as a multibulk command', enc('post'), { mode: 'close' });
  await same(t, 'POSTX is just unknown', B('POSTX a\r\n'));
});

t.test('unknown subcommand text: 128 bytes, up to a NUL', async (t) => {
  await same(t, 'CONFIG subcommands', Buffer.concat([enc('CONFIG', 'a\0b'), enc('CONFIG', 'x'.repeat(200)), enc('CONFIG', B('a\r\nb\xff'))]));
});

t.test('wrong number of arguments', async (t) => {
  const cmds: string[][] = [
    ['GET'],
    ['GET', 'a', 'b'],
    ['get'],
    ['gEt', 'a', 'b', 'c'],
    ['SET'],
    ['SET', 'a'],
    ['set', 'a'],
    ['DEL'],
    ['EXISTS'],
    ['ECHO'],
    ['ECHO', 'a', 'b'],
    ['SELECT'],
    ['SELECT', '1', '2'],
    ['PING', 'a', 'b'],
    ['SET', 'ar:k', 'v', 'EX'],
    ['SET', 'ar:k', 'v', 'XX', 'NX'],
    ['SELECT', 'x'],
    ['SELECT', '99'],
  ];
  await same(t, 'arity errors', Buffer.concat(cmds.map((c) => enc(...c))));
  await same(t, 'arity errors (inline)', B('GET\r\nSET a\r\nECHO\r\nPING a b\r\n'));
});

t.test('QUIT: replies +OK, closes, and nothing pipelined after it runs', async (t) => {
  const input = Buffer.concat([enc('SET', 'quit:a', '1'), enc('GET', 'quit:a'), enc('QUIT'), enc('SET', 'quit:b', '2'), enc('PING')]);
  const r = await same(t, 'QUIT in a pipeline', input, { mode: 'close' });
  t.equal(r.data, '+OK\r\n$1\r\n1\r\n+OK\r\n');
  await same(t, 'quit:b was not written', enc('EXISTS', 'quit:a', 'quit:b'));
  // QUIT behind pending writes on every shard
  const many = Buffer.concat(Array.from({ length: 500 }, (_, i) => enc('SET', `quit:m${i}`, 'x')));
  await same(t, 'QUIT behind 500 writes', Buffer.concat([many, B('QUIT\r\n'), enc('SET', 'quit:after', '1')]), { mode: 'close' });
  await same(t, 'quit:after was not written', enc('EXISTS', 'quit:after', 'quit:m499'));
  await same(t, 'QUIT with arguments', B('QUIT now please\r\nPING\r\n'), { mode: 'close' });
});

/** Keys that land on every shard of a 4-shard server (several per shard). */
function keysOnAllShards(prefix: string, perShard: number): string[] {
  const byShard: string[][] = [[], [], [], []];
  for (let i = 0; byShard.some((l) => l.length < perShard); i++) {
    const k = `${prefix}${i}`;
    const s = shardOf(B(k), 4);
    if (byShard[s].length < perShard) byShard[s].push(k);
  }
  return byShard.flat();
}

t.test('pipelining 10k commands in one write: every reply, in order', async (t) => {
  const n = 10000;
  const cmds: Buffer[] = [];
  for (let i = 0; i < n; i++) {
    if (i % 2 === 0) cmds.push(enc('SET', `pl:${i % 997}`, `value-${i}`));
    else cmds.push(enc('GET', `pl:${(i - 1) % 997}`));
  }
  const input = Buffer.concat(cmds);
  const r = await same(t, '10k pipeline', input, { timeoutMs: 60000 });
  // and check it directly: each GET sees the SET just before it
  const want: string[] = [];
  for (let i = 0; i < n; i++) want.push(i % 2 === 0 ? '+OK\r\n' : `$${`value-${i - 1}`.length}\r\nvalue-${i - 1}\r\n`);
  t.equal(r.data, want.join(''), 'replies are the expected ones in order');
});

t.test('replies keep request order across all shards and main-thread commands', async (t) => {
  const keys = keysOnAllShards('ord:', 6);
  const cmds: Buffer[] = [];
  let step = 0;
  for (let round = 0; round < 40; round++) {
    for (const k of keys) {
      const v = `v${step++}`;
      switch (step % 9) {
        case 0:
          cmds.push(enc('SET', k, v));
          break;
        case 1:
          cmds.push(enc('GET', k));
          break;
        case 2:
          cmds.push(enc('PING', v));
          break;
        case 3:
          cmds.push(enc('ECHO', v));
          break;
        case 4:
          cmds.push(enc('SELECT', String(round % 3)));
          break;
        case 5:
          cmds.push(enc('EXISTS', k, keys[(step * 7) % keys.length], keys[(step * 13) % keys.length]));
          break;
        case 6:
          cmds.push(enc('DEL', keys[(step * 5) % keys.length], keys[(step * 11) % keys.length]));
          break;
        case 7:
          cmds.push(B(`SET ${k} inline-${v}\r\n`));
          break;
        default:
          cmds.push(enc('PING'));
      }
    }
  }
  cmds.push(enc('SELECT', '0'));
  const input = Buffer.concat(cmds);
  const r = await same(t, 'mixed pipeline (one write)', input);
  t.ok(r.data.length > 5000, `a long reply stream (${r.data.length} bytes)`);
  // the same stream cut into uneven writes
  const pieces: Buffer[] = [];
  for (let i = 0, k = 1; i < input.length; i += k, k = (k * 7 + 3) % 5000 + 1) pieces.push(input.subarray(i, i + k));
  await same(t, 'mixed pipeline (uneven writes)', pieces, { gapMs: 1 });
  // several clients at once, each with its own distinct values
  const clientsInput = Array.from({ length: 8 }, (_, c) =>
    Buffer.concat(keys.flatMap((k, i) => [enc('SET', `${k}:c${c}`, `c${c}-${i}`), enc('ECHO', `e${c}-${i}`), enc('GET', `${k}:c${c}`), enc('PING')])),
  );
  for (const d of dbs) {
    const rs = await Promise.all(clientsInput.map((inp) => talk(d.proc.port, [inp])));
    rs.forEach((res, c) => {
      const want = keys.map((_, i) => `+OK\r\n$${`e${c}-${i}`.length}\r\ne${c}-${i}\r\n$${`c${c}-${i}`.length}\r\nc${c}-${i}\r\n+PONG\r\n`).join('');
      t.equal(res.data, want, `[${d.name}] concurrent client ${c} gets its replies in order`);
    });
  }
});
