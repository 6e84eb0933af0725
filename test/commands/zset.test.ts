// Sorted set commands against redis-server 7.0, the single-key ones: ZADD / ZINCRBY (options,
// scores: inf, -0, hex, subnormals, NaN errors), pops, ZSCAN of both encodings, ZRANDMEMBER by its
// properties, OBJECT ENCODING transitions and -0, binary members, arity errors and COMMAND INFO /
// GETKEYS of the whole family, expiry, COPY / RENAME / MOVE within and across shards; RESP2 and
// RESP3. Runs with 1 and 4 shards. Ranges: zset-range.test.ts; multi-key commands:
// zset-multi.test.ts; random sequences and the binlog: zset-random.test.ts; WRONGTYPE:
// zset-wrongtype.test.ts.
import t, { type Test } from 'tap';
import { pair, type Pair } from '../support/servers.js';
import { RawClient, formatReply } from '../support/resp-client.js';
import { shardOf } from '../../lib/slot.js';
import { X70, caseGroups, cs, diffAll, items, resp3Groups, sleep, text, type Cmd } from './zset-support.js';
import { withResp3 } from '../support/servers.js';
import { encodingCases, popCases, zaddCases } from './zset-cases.js';

// ------------------------------------------------------------------------------------------------
// Static differential cases
// ------------------------------------------------------------------------------------------------

function scanCases(): Cmd[] {
  return [
    ...cs(
      'ZADD z 1 a 2 b 3 c 4 d 5 e -0 f 1e-310 g inf h',
      'SET s v',
      'ZSCAN z 0',
      'ZSCAN z 12345',
      'ZSCAN z 0 match *[ab]*',
      'ZSCAN z 0 MATCH * COUNT 1',
      'ZSCAN z 0 count 0',
      'ZSCAN z 0 count x',
      'ZSCAN z 0 count -1',
      'ZSCAN z abc',
      'ZSCAN z -1',
      'ZSCAN z +1',
      'ZSCAN z 18446744073709551615',
      'ZSCAN z 18446744073709551616',
      'ZSCAN missing 0 foo',
      'ZSCAN missing abc',
      'ZSCAN s 0',
      'ZSCAN s abc',
      'ZSCAN z 0 foo',
      'ZSCAN z 0 count',
      'ZSCAN z 0 match',
      'ZSCAN z 0 NOVALUES',
    ),
    ['ZSCAN', 'z', ''],
    ['ZSCAN', 'z', ' 1'],
    ['ZSCAN', 'z', Buffer.from('0\0x')],
  ];
}

function randmemberErrorCases(): Cmd[] {
  return cs(
    'ZADD z 1 a 2 b 3 c 4 d 5 e',
    'SET s v',
    'ZRANDMEMBER z x',
    'ZRANDMEMBER z 1 foo',
    'ZRANDMEMBER z 1 withscores x',
    'ZRANDMEMBER z -9223372036854775808',
    'ZRANDMEMBER z 9223372036854775807 withscores',
    'ZRANDMEMBER z -4611686018427387904 withscores',
    'ZRANDMEMBER z 4611686018427387904 withscores',
    'ZRANDMEMBER s',
    'ZRANDMEMBER s 0',
    'ZRANDMEMBER s x',
    'ZRANDMEMBER missing',
    'ZRANDMEMBER missing 0',
    'ZRANDMEMBER missing -3',
    'ZRANDMEMBER missing 5 withscores',
    'ZRANDMEMBER z 0',
    'ZRANDMEMBER z 0 withscores',
    'ZRANDMEMBER z 10 withscores',
    'ZRANDMEMBER z 5',
    'ZRANDMEMBER z 5 WITHSCORES',
  );
}

function binaryCases(): Cmd[] {
  const bm = ['\0', 'a\r\nb', Buffer.from([0xff, 0xfe]), '', '\0\0x', 'é'];
  return [
    ['ZADD', 'bin', ...bm.flatMap((m, i) => [String(i), m])],
    ...cs('ZRANGE bin 0 -1 WITHSCORES', 'ZRANGEBYLEX bin - +', 'ZCARD bin'),
    ['ZSCORE', 'bin', 'a\r\nb'],
    ['ZRANK', 'bin', Buffer.from([0xff, 0xfe])],
    ['ZMSCORE', 'bin', '', '\0', '\0\0'],
    ['ZREM', 'bin', '\0'],
    ['ZSCAN', 'bin', '0', 'MATCH', '*\r\n*'],
    ['ZSCAN', 'bin', '0', 'MATCH', '*'],
    ['ZINCRBY', 'bin', '1', '\0\0x'],
    ['ZRANGE', 'bin', '0', '-1', 'WITHSCORES'],
    ['ZADD', 'bin\0key\r\n', '1', 'x'],
    ['ZUNION', '2', 'bin', 'bin\0key\r\n', 'WITHSCORES'],
    ['ZUNIONSTORE', Buffer.from([0xff]), '2', 'bin', 'bin\0key\r\n'],
    ['ZRANGE', Buffer.from([0xff]), '0', '-1', 'WITHSCORES'],
    ['ZADD', 'binbig', '1', 'y'.repeat(1000), '2', 'z'.repeat(1900)],
    ['ZRANGE', 'binbig', '0', '-1', 'WITHSCORES'],
    ['ZSCORE', 'binbig', 'z'.repeat(1900)],
    ['ZSCORE', 'binbig', 'z'.repeat(5000)],
    ['ZRANK', 'binbig', 'z'.repeat(5000)],
    ['ZREM', 'binbig', 'z'.repeat(5000)],
    ['ZMSCORE', 'binbig', 'z'.repeat(5000), 'y'.repeat(1000)],
  ];
}

const ZSET_COMMANDS = [
  'zadd', 'zincrby', 'zrem', 'zcard', 'zcount', 'zlexcount', 'zscore', 'zmscore', 'zrank', 'zrevrank', 'zrange', 'zrangebyscore',
  'zrevrangebyscore', 'zrangebylex', 'zrevrangebylex', 'zrevrange', 'zrangestore', 'zremrangebyrank', 'zremrangebyscore',
  'zremrangebylex', 'zpopmin', 'zpopmax', 'zmpop', 'zrandmember', 'zunion', 'zinter', 'zdiff', 'zunionstore', 'zinterstore',
  'zdiffstore', 'zintercard', 'zscan',
];

function arityCases(): Cmd[] {
  const out: Cmd[] = [];
  for (const n of ZSET_COMMANDS) {
    out.push([n]);
    out.push([n, 'k']);
    out.push([n, 'k', '1']);
  }
  out.push(...cs('ZSCORE k a b', 'ZRANK k a b', 'ZCOUNT k 1 2 3', 'ZINCRBY k 1 a b', 'ZREMRANGEBYRANK k 0 1 2', 'ZCARD k k', 'ZLEXCOUNT k - + x'));
  return out;
}

function commandInfoCases(): Cmd[] {
  return [
    ...ZSET_COMMANDS.map((n) => ['COMMAND', 'INFO', n]),
    ...cs(
      'COMMAND GETKEYS ZADD k 1 a',
      'COMMAND GETKEYS ZRANGESTORE a b 0 1',
      'COMMAND GETKEYS ZUNION 2 a b WITHSCORES',
      'COMMAND GETKEYS ZUNION 2abc a b',
      'COMMAND GETKEYS ZUNION 0 a',
      'COMMAND GETKEYS ZUNION 3 a b',
      'COMMAND GETKEYS ZINTER 1 a WEIGHTS 1',
      'COMMAND GETKEYS ZDIFF 2 a b',
      'COMMAND GETKEYS ZINTERCARD 2 a b LIMIT 1',
      'COMMAND GETKEYS ZUNIONSTORE d 2 a b',
      'COMMAND GETKEYS ZUNIONSTORE d 0 a',
      'COMMAND GETKEYS ZUNIONSTORE d 2 a',
      'COMMAND GETKEYS ZUNIONSTORE d x a',
      'COMMAND GETKEYS ZINTERSTORE d 1 a',
      'COMMAND GETKEYS ZDIFFSTORE d 1 a',
      'COMMAND GETKEYS ZMPOP 1 z MIN',
      'COMMAND GETKEYS ZMPOP 2 z MIN',
      'COMMAND GETKEYS ZMPOP 3 z MIN',
      'COMMAND GETKEYS ZMPOP 0 z MIN',
      'COMMAND GETKEYS ZMPOP x z MIN',
      'COMMAND INFO zset-store zset-all zmpop-key',
    ),
  ];
}

// ------------------------------------------------------------------------------------------------
// ZRANDMEMBER by its properties
// ------------------------------------------------------------------------------------------------

async function randmemberProps(t: Test, cl: RawClient, proto: 2 | 3): Promise<void> {
  const small = Array.from({ length: 10 }, (_, i) => [String(i), `m${i}`]).flat();
  const big = Array.from({ length: 3000 }, (_, i) => [String(i / 2), `b${i}`]).flat();
  await cl.send('DEL', 'rm', 'rmb');
  await cl.send('ZADD', 'rm', ...small);
  await cl.send('ZADD', 'rmb', ...big);
  const scoreOf = (key: string, m: string): string => {
    const i = Number(m.slice(1));
    return key === 'rm' ? String(i) : String(i / 2);
  };
  const check = async (key: string, size: number, count: number, ws: boolean): Promise<string | null> => {
    const r = await cl.send('ZRANDMEMBER', key, String(count), ...(ws ? ['WITHSCORES'] : []));
    const arr = items(r);
    const want = count >= 0 ? Math.min(count, size) : -count;
    const members: string[] = [];
    if (ws && proto === 3) {
      for (const pr of arr) {
        const [m, s] = items(pr);
        if (s.t !== 'double') return `score is not a double: ${formatReply(pr)}`;
        if (text(s) !== scoreOf(key, text(m))) return `wrong score for ${text(m)}: ${text(s)}`;
        members.push(text(m));
      }
    } else if (ws) {
      for (let i = 0; i < arr.length; i += 2) {
        if (text(arr[i + 1]) !== scoreOf(key, text(arr[i]))) return `wrong score for ${text(arr[i])}`;
        members.push(text(arr[i]));
      }
    } else for (const m of arr) members.push(text(m));
    if (members.length !== want) return `ZRANDMEMBER ${key} ${count}: ${members.length} members, want ${want}`;
    for (const m of members) if (!(key === 'rm' ? /^m\d$/ : /^b\d+$/).test(m) || Number(m.slice(1)) >= size) return `not a member: ${m}`;
    if (count > 0 && new Set(members).size !== members.length) return `ZRANDMEMBER ${key} ${count}: repeated members`;
    return null;
  };
  const cases: Array<[string, number, number, boolean]> = [];
  for (const cnt of [1, 2, 5, 9, 10, 11, 100, -1, -5, -30]) for (const ws of [false, true]) cases.push(['rm', 10, cnt, ws]);
  for (const cnt of [1, 3, 20, 1000, 2999, 3000, 5000, -3, -200]) for (const ws of [false, true]) cases.push(['rmb', 3000, cnt, ws]);
  let bad: string | null = null;
  for (const [k, size, cnt, ws] of cases) bad ??= await check(k, size, cnt, ws);
  t.equal(bad, null, 'ZRANDMEMBER: counts, membership, exact scores, distinct members for positive counts');
  // Every member turns up over many single draws (not a constant answer).
  const seen = new Set<string>();
  const draws = await cl.pipeline(Array.from({ length: 400 }, () => ['ZRANDMEMBER', 'rm']));
  for (const d of draws) seen.add(text(d));
  t.equal(seen.size, 10, 'single draws reach every member of a 10-member set');
  const many = items(await cl.send('ZRANDMEMBER', 'rmb', '-2000'));
  t.ok(new Set(many.map(text)).size > 1000, 'a negative count over a big set draws with repetition from all over it');
  const whole = items(await cl.send('ZRANDMEMBER', 'rm', '10'));
  t.equal(new Set(whole.map(text)).size, 10, 'count = size returns the whole set');
  await cl.send('DEL', 'rm', 'rmb');
}

// ------------------------------------------------------------------------------------------------
// ZSCAN over a skiplist
// ------------------------------------------------------------------------------------------------

async function zscanAll(cl: RawClient, key: string, extra: string[], onStep?: (n: number) => Promise<void>): Promise<{ pairs: string[]; calls: number }> {
  let cursor = '0';
  const pairs: string[] = [];
  let calls = 0;
  do {
    const r = items(await cl.send('ZSCAN', key, cursor, ...extra));
    cursor = text(r[0]);
    if (!/^\d+$/.test(cursor)) throw new Error('bad cursor ' + cursor);
    const flat = items(r[1]);
    for (let i = 0; i < flat.length; i += 2) pairs.push(`${text(flat[i])}=${text(flat[i + 1])}`);
    calls++;
    if (calls > 100000) throw new Error('ZSCAN does not terminate');
    if (onStep) await onStep(calls);
  } while (cursor !== '0');
  return { pairs, calls };
}

async function zscanBig(t: Test, p: Pair): Promise<void> {
  const cl = p.respdb;
  const n = 1000;
  const args = Array.from({ length: n }, (_, i) => [i % 3 ? String(i) : '-0', `s${i}`]).flat();
  await cl.send('DEL', 'zs');
  await cl.send('ZADD', 'zs', ...args);
  await p.redis.send('DEL', 'zs');
  await p.redis.send('ZADD', 'zs', ...args);
  const want = (await zscanAll(p.redis, 'zs', ['COUNT', '1000'])).pairs.sort();
  t.equal(want.length, n, 'redis returns every member');
  for (const count of ['1', '7', '100', '5000']) {
    const got = await zscanAll(cl, 'zs', ['COUNT', count]);
    t.same(got.pairs.sort(), want, `ZSCAN COUNT ${count}: every member once, with its exact score`);
    if (count === '7') t.ok(got.calls >= n / 7, 'COUNT bounds each step of a skiplist scan');
  }
  const m = await zscanAll(cl, 'zs', ['MATCH', 's1*', 'COUNT', '50']);
  t.same(m.pairs.sort(), want.filter((x) => x.startsWith('s1')), 'MATCH filters a skiplist scan');
  // Members present for the whole scan are returned even while others come and go.
  const added: string[] = [];
  const got = await zscanAll(cl, 'zs', ['COUNT', '10'], async (step) => {
    await cl.send('ZADD', 'zs', '5', `new${step}`);
    added.push(`new${step}`);
    if (step % 2 === 0) await cl.send('ZREM', 'zs', `s${step}`);
  });
  const members = new Set(got.pairs.map((x) => x.slice(0, x.indexOf('='))));
  const missing = [];
  for (let i = 0; i < n; i++) if (i % 2 === 1 || i > got.calls) if (!members.has(`s${i}`)) missing.push(`s${i}`);
  t.same(missing, [], 'members present for the whole scan are all returned');
  // An unknown cursor restarts the scan (like SCAN), a foreign one as well.
  const r = items(await cl.send('ZSCAN', 'zs', '12345', 'COUNT', '5'));
  t.equal(items(r[1]).length, 10, 'an unknown cursor restarts from the beginning');
  await cl.send('DEL', 'zs');
  await p.redis.send('DEL', 'zs');
}

// ------------------------------------------------------------------------------------------------
// Expiry, RENAME / COPY / MOVE
// ------------------------------------------------------------------------------------------------

async function expiry(t: Test, p: Pair): Promise<void> {
  await diffAll(t, p, [
    ...cs('ZADD ex1 1 a 2 b', 'PEXPIRE ex1 300', 'ZADD ex2 1 a', 'PEXPIRE ex2 300', 'ZADD ex2 2 b', 'ZADD ex3 1 a', 'PEXPIRE ex3 300'),
    ...cs('ZADD ex4 1 a', 'PEXPIRE ex4 300', 'ZUNIONSTORE ex4 1 ex1', 'ZADD ex5 1 a', 'PEXPIRE ex5 300', 'ZRANGESTORE ex5 ex1 0 0', 'ZADD ex6 1 a', 'PEXPIRE ex6 300000'),
    ...cs('ZINCRBY ex6 1 a', 'ZREM ex6 nope', 'ZPOPMIN ex6 0'),
  ], 'before expiry');
  await sleep(500);
  await diffAll(t, p, cs(
    'ZCARD ex1', 'ZSCORE ex1 a', 'ZRANGE ex1 0 -1', 'EXISTS ex1 ex2 ex3', 'ZUNION 2 ex1 ex2', 'ZADD ex3 5 c', 'ZRANGE ex3 0 -1 WITHSCORES',
    'ZRANGE ex4 0 -1 WITHSCORES', 'ZRANGE ex5 0 -1 WITHSCORES', 'ZSCORE ex6 a', 'ZMPOP 2 ex1 ex6 MIN', 'EXISTS ex6',
  ), 'after expiry');
}

async function renameCopy(t: Test, p: Pair, shards: number): Promise<void> {
  const pairsOfKeys: Array<[string, string]> = [['ra', 'rb'], ['ra', 'rc'], ['{x}a', '{x}b']];
  if (shards === 4) {
    t.not(shardOf(Buffer.from('ra'), 4), shardOf(Buffer.from('rb'), 4), 'ra and rb are on different shards');
    t.equal(shardOf(Buffer.from('{x}a'), 4), shardOf(Buffer.from('{x}b'), 4), '{x}a and {x}b share a shard');
  }
  const cmds: Cmd[] = [];
  for (const [a, b] of pairsOfKeys) {
    cmds.push(
      ['DEL', a, b],
      ['ZADD', a, '1', 'm', '-0', X70, '2.5', 'n'],
      ['PEXPIRE', a, '100000'],
      ['RENAME', a, b],
      ['ZRANGE', b, '0', '-1', 'WITHSCORES'],
      ['OBJECT', 'ENCODING', b],
      ['TTL', b],
      ['EXISTS', a],
      ['COPY', b, a],
      ['ZRANGE', a, '0', '-1', 'WITHSCORES'],
      ['OBJECT', 'ENCODING', a],
      ['ZADD', a, '5', 'q'],
      ['ZRANGE', b, '0', '-1', 'WITHSCORES'],
      ['ZRANGE', a, '0', '-1', 'WITHSCORES'],
      ['COPY', b, a],
      ['COPY', b, a, 'REPLACE'],
      ['ZRANGE', a, '0', '-1', 'WITHSCORES'],
      ['ZREM', a, X70],
      ['OBJECT', 'ENCODING', a],
      ['COPY', a, b, 'REPLACE'],
      ['OBJECT', 'ENCODING', b],
      ['PERSIST', b],
      ['MOVE', b, '1'],
      ['SELECT', '1'],
      ['ZRANGE', b, '0', '-1', 'WITHSCORES'],
      ['OBJECT', 'ENCODING', b],
      ['COPY', b, a, 'DB', '0'],
      ['SELECT', '0'],
      ['ZRANGE', a, '0', '-1', 'WITHSCORES'],
      ['SET', b, 'str'],
      ['RENAMENX', a, b],
      ['RENAME', a, b],
      ['TYPE', b],
      ['ZRANGE', b, '0', '-1', 'WITHSCORES'],
      ['DEL', a, b],
      ['SELECT', '1'],
      ['FLUSHDB'],
      ['SELECT', '0'],
    );
  }
  // A small copy stays a listpack, a shrunk skiplist stays a skiplist, across shards too.
  cmds.push(
    ['ZADD', 'rs', ...Array.from({ length: 200 }, (_, i) => [String(i), `e${i}`]).flat()],
    ['ZREMRANGEBYRANK', 'rs', '2', '-1'],
    ['RENAME', 'rs', 'rt'],
    ['OBJECT', 'ENCODING', 'rt'],
    ['COPY', 'rt', 'ru'],
    ['OBJECT', 'ENCODING', 'ru'],
    ['ZRANGE', 'ru', '0', '-1', 'WITHSCORES'],
    ['DEL', 'rt', 'ru'],
  );
  await diffAll(t, p, cmds, 'RENAME COPY MOVE');
}

// ------------------------------------------------------------------------------------------------

for (const shards of [1, 4]) {
  t.test(`sorted set commands vs redis-server, ${shards} shard(s)`, async (t) => {
    const p = await pair(t, { shards });
    await caseGroups(t, p, [
      ['ZADD ZINCRBY', zaddCases],
      ['ZPOPMIN ZPOPMAX ZMPOP', popCases],
      ['ZSCAN', scanCases],
      ['ZRANDMEMBER errors and deterministic cases', randmemberErrorCases],
      ['encodings and -0', encodingCases],
      ['binary members', binaryCases],
      ['arity errors', arityCases],
      ['COMMAND INFO and GETKEYS', commandInfoCases],
    ]);
    await t.test('expiry', (t) => expiry(t, p));
    await t.test('RENAME COPY MOVE within and across shards', (t) => renameCopy(t, p, shards));
    await t.test('ZSCAN over a skiplist', (t) => zscanBig(t, p));
    await t.test('ZRANDMEMBER properties', (t) => randmemberProps(t, p.respdb, 2));
    await t.test('RESP3', (t) =>
      withResp3(p, async (q) => {
        await resp3Groups(t, q, [zaddCases, popCases, scanCases, randmemberErrorCases, encodingCases]);
        await randmemberProps(t, q.respdb, 3);
      }),
    );
  });
}
