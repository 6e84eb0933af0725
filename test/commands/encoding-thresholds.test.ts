// The encoding thresholds against redis-server 7.0: CONFIG SET of each threshold (and its
// `*-ziplist-*` alias) on both servers, then the same writes, then OBJECT ENCODING (and the
// replies) equal: exactly at the limit, one over, limit 0, values at the value limit and one
// longer, raising the limit after a conversion (never undone), *STORE results, stream node limits
// seen through approximate trims. Then the thresholds given on the command line, and a property
// test over random (threshold, writes).
import t from 'tap';
import fc from 'fast-check';
import { diff, pair, startRespdb, type Pair } from '../support/servers.js';
import { RawClient, formatReply } from '../support/resp-client.js';

type Cmd = string[];
const cs = (...lines: string[]): Cmd[] => lines.map((l) => l.split(' '));
const enc = (...keys: string[]): Cmd[] => keys.map((k) => ['OBJECT', 'ENCODING', k]);

const RESET: Cmd[] = cs(
  'FLUSHALL',
  'CONFIG SET hash-max-listpack-entries 512 hash-max-listpack-value 64',
  'CONFIG SET zset-max-listpack-entries 128 zset-max-listpack-value 64',
  'CONFIG SET set-max-intset-entries 512 list-max-listpack-size -2 list-compress-depth 0',
  'CONFIG SET stream-node-max-bytes 4096 stream-node-max-entries 100',
);

const CASES: Record<string, Cmd[]> = {
  'hash entries': [
    ...cs('CONFIG SET hash-max-listpack-entries 3', 'HSET h1 a 1 b 2 c 3'),
    ...enc('h1'),
    ...cs('HSET h1 c 33', 'HSETNX h1 c 4'),
    ...enc('h1'),
    ...cs('HSET h1 d 4'),
    ...enc('h1'),
    ...cs('CONFIG SET hash-max-listpack-entries 100', 'HDEL h1 a b c', 'HSET h1 e 5'),
    ...enc('h1'),
    ...cs('CONFIG SET hash-max-listpack-entries 0', 'HSET h2 a 1', 'HSETNX h3 a 1', 'HINCRBY h4 a 1', 'HINCRBYFLOAT h5 a 1.5'),
    ...enc('h2', 'h3', 'h4', 'h5'),
    ...cs('CONFIG SET hash-max-ziplist-entries 2', 'CONFIG GET hash-max-listpack-entries', 'CONFIG GET hash-max-ziplist-entries', 'HSET h6 a 1 b 2'),
    ...enc('h6'),
    ...cs('HSET h6 c 3'),
    ...enc('h6'),
  ],
  'hash value': [
    ...cs('CONFIG SET hash-max-listpack-value 4', 'HSET h1 abcd 1234', 'HSET h2 abcde 1', 'HSET h3 a 12345', 'HSETNX h4 abcde 1'),
    ...enc('h1', 'h2', 'h3', 'h4'),
    ...cs('HSET h5 a 9998', 'HINCRBY h5 a 1'),
    ...enc('h5'),
    ...cs('HINCRBY h5 a 1'),
    ...enc('h5'),
    ...cs('HSET h6 a 1', 'HINCRBYFLOAT h6 a 0.25'),
    ...enc('h6'),
    ...cs('CONFIG SET hash-max-listpack-value 0', 'HSET h7 "" ""', 'HSET h8 a ""'),
    ...enc('h7', 'h8'),
    ...cs('CONFIG SET hash-max-ziplist-value 1kb', 'CONFIG GET hash-max-listpack-value', 'HSET h9 abcdefgh 1'),
    ...enc('h9'),
  ],
  'set entries': [
    ...cs('CONFIG SET set-max-intset-entries 3', 'SADD s1 3 1 2'),
    ...enc('s1'),
    ...cs('SMEMBERS s1', 'SADD s1 4'),
    ...enc('s1'),
    ...cs('SADD s2 a', 'SADD s3 1 2 x', 'SADD s4 -5 10'),
    ...enc('s2', 's3', 's4'),
    ...cs('CONFIG SET set-max-intset-entries 0', 'SADD s5 1', 'SMOVE s4 s6 10'),
    ...enc('s5', 's6'),
    ...cs('CONFIG SET set-max-intset-entries 5', 'SADD s7 9 8 7 6 5', 'CONFIG SET set-max-intset-entries 2', 'SMEMBERS s7', 'SADD s7 4'),
    ...enc('s7'),
    ...cs('CONFIG SET set-max-intset-entries 4', 'SADD a 1 2 3', 'SADD b 3 4 5', 'SUNIONSTORE u a b', 'SINTERSTORE i a b', 'SDIFFSTORE d a b', 'SDIFF b a'),
    ...enc('u', 'i', 'd'),
    ...cs('CONFIG SET set-max-intset-entries 5', 'SUNIONSTORE u a b', 'SUNION a b'),
    ...enc('u'),
    ...cs('CONFIG SET set-max-intset-entries 3', 'SADD p 1 2 3', 'SPOP p 3', 'SADD q 1 2 3', 'SMOVE q r 1', 'SMOVE q r 2'),
    ...enc('p', 'q', 'r'),
  ],
  'zset entries': [
    ...cs('CONFIG SET zset-max-listpack-entries 2', 'ZADD z1 1 a 2 b'),
    ...enc('z1'),
    ...cs('ZADD z1 3 b', 'ZADD z1 3 c'),
    ...enc('z1'),
    ...cs('CONFIG SET zset-max-listpack-entries 100', 'ZREM z1 a b', 'ZADD z1 4 d'),
    ...enc('z1'),
    ...cs('ZADD z2 1 a 1 a 1 a', 'CONFIG SET zset-max-listpack-entries 0', 'ZADD z3 1 a', 'ZINCRBY z4 1 a', 'ZADD z5 INCR 1 a', 'ZADD z2 2 a'),
    ...enc('z2', 'z3', 'z4', 'z5'),
    ...cs('CONFIG SET zset-max-ziplist-entries 2', 'CONFIG GET zset-max-listpack-entries', 'ZADD y1 1 a', 'ZADD y2 1 b 2 c', 'ZADD y3 1 a 2 b 3 c'),
    ...cs('ZUNIONSTORE u1 2 y1 y2', 'ZUNIONSTORE u2 1 y2', 'ZINTERSTORE i1 2 y3 y3', 'ZDIFFSTORE d1 2 y3 y1', 'ZDIFFSTORE d2 2 y3 y2'),
    ...enc('y1', 'y2', 'y3', 'u1', 'u2', 'i1', 'd1', 'd2'),
    ...cs('ZRANGESTORE r1 y3 0 1', 'ZRANGESTORE r2 y3 0 -1', 'ZRANGESTORE r3 y3 0 10 BYSCORE', 'ZRANGESTORE r4 y3 0 10 BYSCORE LIMIT 0 2', 'ZRANGESTORE r5 y3 [a [b BYLEX'),
    ...enc('r1', 'r2', 'r3', 'r4', 'r5'),
  ],
  'zset value': [
    ...cs('CONFIG SET zset-max-listpack-value 3', 'ZADD z1 1 abc', 'ZADD z2 1 abcd', 'ZADD z3 1 a 2 abcd', 'ZADD z4 1 abcd 2 a', 'ZINCRBY z5 1 abcd'),
    ...enc('z1', 'z2', 'z3', 'z4', 'z5'),
    ...cs('ZADD z1 2 abcd', 'ZREM z1 abcd'),
    ...enc('z1'),
    ...cs('ZUNIONSTORE u1 1 z4', 'ZREM z4 abcd', 'ZUNIONSTORE u2 1 z4', 'ZRANGESTORE r1 z3 0 0', 'ZRANGESTORE r2 z3 1 1', 'ZRANGESTORE r3 z3 0 -1'),
    ...enc('z4', 'u1', 'u2', 'r1', 'r2', 'r3'),
    ...cs('CONFIG SET zset-max-ziplist-value 0', 'CONFIG GET zset-max-listpack-value', 'ZADD z6 1 a', 'ZADD z7 1 ""'),
    ...enc('z6', 'z7'),
  ],
  lists: [
    ...cs('CONFIG SET list-max-listpack-size 1 list-compress-depth 1', 'RPUSH l1 a b c', 'CONFIG SET list-max-ziplist-size -5', 'CONFIG GET list-max-listpack-size', 'RPUSH l2 a'),
    ...enc('l1', 'l2'),
    ...cs('CONFIG SET list-max-listpack-size 0', 'CONFIG GET list-max-listpack-size'),
  ],
  'stream nodes': [
    ...cs('CONFIG SET stream-node-max-entries 2'),
    ...[1, 2, 3, 4, 5, 6, 7].map((i) => ['XADD', 'x1', `${i}-0`, 'f', 'v']),
    ...cs('XTRIM x1 MAXLEN ~ 3', 'XLEN x1', 'CONFIG SET stream-node-max-entries 0 stream-node-max-bytes 60'),
    ...[1, 2, 3, 4, 5, 6, 7].map((i) => ['XADD', 'x2', `${i}-0`, 'field', 'value']),
    ...cs('XTRIM x2 MAXLEN ~ 2', 'XLEN x2', 'CONFIG SET stream-node-max-bytes 0 stream-node-max-entries 3'),
    ...[1, 2, 3, 4, 5, 6, 7].map((i) => ['XADD', 'x3', `${i}-0`, 'f', 'v']),
    ...cs('XTRIM x3 MAXLEN ~ 2', 'XLEN x3'),
    ...enc('x1', 'x2', 'x3'),
  ],
  'CONFIG SET errors and GET': cs(
    'CONFIG SET hash-max-listpack-entries -1',
    'CONFIG SET hash-max-listpack-entries abc',
    'CONFIG SET hash-max-listpack-value -1',
    'CONFIG SET hash-max-listpack-value 1xb',
    'CONFIG SET list-max-listpack-size 2147483648',
    'CONFIG SET list-compress-depth -1',
    'CONFIG SET stream-node-max-bytes 9223372036854775808',
    'CONFIG SET set-max-intset-entries 10 set-max-intset-entries 11',
    'CONFIG SET zset-max-listpack-entries 5 zset-max-ziplist-entries x',
    'CONFIG GET zset-max-listpack-entries',
    'CONFIG SET hash-max-listpack-value 2kb',
    'CONFIG GET hash-max-listpack-value',
  ),
};

t.test('thresholds after CONFIG SET: OBJECT ENCODING and replies as redis-server', async (t) => {
  const p = await pair(t);
  for (const [name, cmds] of Object.entries(CASES)) {
    await t.test(name, async (t) => {
      await diff(t, p, RESET);
      await diff(t, p, cmds);
    });
  }
  const sorted = (r: Awaited<ReturnType<RawClient['send']>>): string => {
    if (r.t !== 'array' || !r.v) return formatReply(r);
    const pairs: string[] = [];
    for (let i = 0; i < r.v.length; i += 2) pairs.push(`${formatReply(r.v[i])}=${formatReply(r.v[i + 1])}`);
    return pairs.sort().join(' ');
  };
  const get = ['CONFIG', 'GET', '*-max-listpack-*', '*-max-ziplist-*', 'set-max-intset-entries', 'stream-node-*', 'LIST-COMPRESS-DEPTH', 'hash-max-*'];
  t.equal(sorted(await p.respdb.send(...get)), sorted(await p.redis.send(...get)), 'CONFIG GET of several patterns lists the same names and values');
});

t.test('thresholds from the command line', async (t) => {
  const d = await startRespdb({ args: ['--hash-max-ziplist-entries', '1', '--set-max-intset-entries', '0', '--zset-max-listpack-value', '1kb'] });
  t.teardown(() => d.stop());
  const c = await RawClient.connect(d.port);
  t.teardown(() => c.close());
  const got = async (...a: string[]) => formatReply(await c.send(...a));
  await c.send('HSET', 'h', 'a', '1');
  t.equal(await got('OBJECT', 'ENCODING', 'h'), '"listpack"');
  await c.send('HSET', 'h', 'b', '1');
  t.equal(await got('OBJECT', 'ENCODING', 'h'), '"hashtable"');
  await c.send('SADD', 's', '1');
  t.equal(await got('OBJECT', 'ENCODING', 's'), '"hashtable"');
  await c.send('ZADD', 'z', '1', 'x'.repeat(1000));
  t.equal(await got('OBJECT', 'ENCODING', 'z'), '"listpack"');
  t.match(await got('CONFIG', 'GET', 'zset-max-listpack-value'), /"zset-max-listpack-value"\n.*"1024"/);
});

/** One random write against a few keys of each type; the members are short or longer, integers or not. */
const member = fc.oneof(fc.integer({ min: -20, max: 20 }).map(String), fc.constantFrom('a', 'b', 'c', 'abcd', 'abcdefgh', 'x'.repeat(20)));
const write = fc.oneof(
  fc.tuple(fc.constantFrom('h1', 'h2'), member, member).map(([k, f, v]): Cmd => ['HSET', k, f, v]),
  fc.tuple(fc.constantFrom('h1', 'h2'), member).map(([k, f]): Cmd => ['HDEL', k, f]),
  fc.tuple(fc.constantFrom('s1', 's2'), fc.array(member, { minLength: 1, maxLength: 4 })).map(([k, ms]): Cmd => ['SADD', k, ...ms]),
  fc.tuple(fc.constantFrom('s1', 's2'), member).map(([k, m]): Cmd => ['SREM', k, m]),
  fc.constantFrom<Cmd>(['SUNIONSTORE', 's3', 's1', 's2'], ['SINTERSTORE', 's3', 's1', 's2'], ['SDIFFSTORE', 's3', 's1', 's2']),
  fc.tuple(fc.constantFrom('z1', 'z2'), fc.integer({ min: 0, max: 9 }), member).map(([k, s, m]): Cmd => ['ZADD', k, String(s), m]),
  fc.tuple(fc.constantFrom('z1', 'z2'), member).map(([k, m]): Cmd => ['ZREM', k, m]),
  fc.constantFrom<Cmd>(['ZUNIONSTORE', 'z3', '2', 'z1', 'z2'], ['ZINTERSTORE', 'z3', '2', 'z1', 'z2'], ['ZRANGESTORE', 'z3', 'z1', '0', '2']),
);
const limits = fc.record({
  'hash-max-listpack-entries': fc.integer({ min: 0, max: 4 }),
  'hash-max-listpack-value': fc.integer({ min: 0, max: 8 }),
  'set-max-intset-entries': fc.integer({ min: 0, max: 4 }),
  'zset-max-listpack-entries': fc.integer({ min: 0, max: 4 }),
  'zset-max-listpack-value': fc.integer({ min: 0, max: 8 }),
});
const step = fc.oneof({ weight: 1, arbitrary: limits.map((l): Cmd => ['CONFIG', 'SET', ...Object.entries(l).flatMap(([k, v]) => [k, String(v)])]) }, { weight: 6, arbitrary: write });

t.test('property: random thresholds and writes give the encodings redis-server gives', async (t) => {
  const p: Pair = await pair(t);
  const keys = ['h1', 'h2', 's1', 's2', 's3', 'z1', 'z2', 'z3'];
  let runs = 0;
  await fc.assert(
    fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 20 }), async (steps) => {
      runs++;
      const script: Cmd[] = [...RESET];
      for (const s of steps) script.push(s, ...enc(...keys));
      const [want, got] = await Promise.all([p.redis.pipeline(script), p.respdb.pipeline(script)]);
      for (let i = 0; i < script.length; i++) {
        if (formatReply(got[i]) !== formatReply(want[i])) {
          throw new Error(`after ${JSON.stringify(script.slice(RESET.length, i + 1))}: respdb ${formatReply(got[i])}, redis ${formatReply(want[i])}`);
        }
      }
    }),
    { numRuns: 40 },
  );
  t.equal(runs >= 40, true, 'the property ran');
});
