// Random sorted set command sequences (fast-check) against redis-server 7.0, compared reply by
// reply and by the final state of every key (listpacks, skiplists, lex ranges over mixed and equal
// scores, RESP3), and the binlog: exact records of the commands whose effect is not their own
// argument list, and a replay into a fresh redis-server giving the same data. Runs with 1 and 4
// shards.
import t, { type Test } from 'tap';
import fc from 'fast-check';
import { pair, startRedis, type Pair } from '../support/servers.js';
import { readBinlog, recordText, replayBinlog, startBinlogRespdb } from '../support/binlog.js';
import { RawClient, formatReply } from '../support/resp-client.js';
import { shardOf } from '../../lib/slot.js';
import { diffNorm, flushBoth, type Cmd } from './zset-support.js';
import { withResp3 } from '../support/servers.js';

// ------------------------------------------------------------------------------------------------
// Random command sequences
// ------------------------------------------------------------------------------------------------

const RKEYS = ['z0', 'z1', 'z2', 'z3', '{t}a', '{t}b'];
const keyArb = fc.constantFrom(...RKEYS);
const memberArb = fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f', '', 'a\0', 'B');
const longMemberArb = fc.oneof(memberArb, fc.constantFrom('L'.repeat(65), 'M'.repeat(80)));
const scoreArb = fc.oneof(
  fc.constantFrom('0', '1', '2', '-1', '2.5', '-0', 'inf', '-inf', '+inf', '1e308', '-1e308', '0.1', '0.2', '0.3', '1e-310', '0x10', '3'),
  fc.integer({ min: -5, max: 5 }).map(String),
);
const badScoreArb = fc.oneof(scoreArb, fc.constantFrom('nan', 'abc', '', '1e400', ' 1', '(1'));
const boundArb = fc.oneof(
  { weight: 4, arbitrary: scoreArb },
  { weight: 3, arbitrary: scoreArb.map((s) => '(' + s) },
  { weight: 1, arbitrary: fc.constantFrom('-inf', '+inf', '(-inf', '(inf', 'x', '', '(') },
);
const lexArb = fc.oneof(
  fc.constantFrom('-', '+', '[', '(', '[a', '(a', '[b', '(c', '[d', '(e', '[f', '[B', '(a\0', '[\0', 'x', ''),
  fc.constantFrom('-', '+'),
  memberArb.map((m) => '[' + m),
  memberArb.map((m) => '(' + m),
);
/** A bound's numeric value, for ordering the ends of most generated ranges. */
function boundValue(b: string): number {
  const v = b.replace(/^\(/, '');
  if (/^\+?inf$/i.test(v)) return Infinity;
  if (/^-inf$/i.test(v)) return -Infinity;
  const n = Number(v);
  return Number.isNaN(n) ? 0 : n;
}

function lexValue(b: string): string {
  return b === '-' ? '' : b === '+' ? '\uffff' : b.slice(1);
}

/** [min, max]: usually in order (so the range is not empty), sometimes as drawn. */
const scorePairArb = fc
  .tuple(boundArb, boundArb, fc.nat(3))
  .map(([a, b, k]) => (k === 0 || boundValue(a) <= boundValue(b) ? [a, b] : [b, a]));
const lexPairArb = fc
  .tuple(lexArb, lexArb, fc.nat(3))
  .map(([a, b, k]) => (k === 0 || lexValue(a) <= lexValue(b) ? [a, b] : [b, a]));

const idxArb = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: -7, max: 7 }).map(String) },
  { weight: 1, arbitrary: fc.constantFrom('x', '9223372036854775807', '-9223372036854775808') },
);
const limitArb = fc.oneof(
  fc.constant([] as string[]),
  fc.tuple(fc.integer({ min: -1, max: 4 }), fc.integer({ min: -1, max: 4 })).map(([o, n]) => ['LIMIT', String(o), String(n)]),
);
const zaddOptArb = fc.subarray(['NX', 'XX', 'GT', 'LT', 'CH', 'INCR'], { maxLength: 3 });
const weightArb = fc.constantFrom('1', '2', '0', '-1', '0.5', 'inf', '-inf', 'x');
const aggArb = fc.constantFrom([] as string[], ['AGGREGATE', 'SUM'], ['AGGREGATE', 'MIN'], ['AGGREGATE', 'MAX'], ['AGGREGATE', 'foo']);

function zrangeOpts(kind: 'rank' | 'score' | 'lex'): fc.Arbitrary<string[]> {
  const by = kind === 'rank' ? [] : kind === 'score' ? ['BYSCORE'] : ['BYLEX'];
  return fc
    .tuple(fc.boolean(), fc.boolean(), limitArb)
    .map(([rev, ws, lim]) => [...by, ...(rev ? ['REV'] : []), ...(ws ? ['WITHSCORES'] : []), ...lim]);
}

function setOpArb(name: string, store: boolean): fc.Arbitrary<Cmd> {
  return fc
    .tuple(fc.array(keyArb, { minLength: 1, maxLength: 3 }), fc.boolean(), aggArb, fc.boolean(), keyArb, fc.array(weightArb, { minLength: 3, maxLength: 3 }))
    .map(([ks, weights, agg, ws, dst, w]) => {
      const diffOp = name.startsWith('ZDIFF');
      const opts = [...(weights && !diffOp ? ['WEIGHTS', ...w.slice(0, ks.length)] : []), ...(diffOp ? [] : agg), ...(ws && !store ? ['WITHSCORES'] : [])];
      return store ? [name, dst, String(ks.length), ...ks, ...opts] : [name, String(ks.length), ...ks, ...opts];
    });
}

/** Random zset commands; `members` decides whether skiplists (long members) appear. `lex`: lex commands too. */
function cmdArb(members: fc.Arbitrary<string>, lex: boolean, scores: fc.Arbitrary<string>, lexOnly = false): fc.Arbitrary<Cmd> {
  const w = (weight: number, arbitrary: fc.Arbitrary<Cmd>) => ({ weight, arbitrary });
  const arbs = lexOnly ? [
    w(6, fc.tuple(keyArb, fc.array(fc.tuple(scores, members), { minLength: 1, maxLength: 5 })).map(([k, p]) => ['ZADD', k, ...p.flat()])),
    w(1, fc.tuple(keyArb, fc.array(members, { minLength: 1, maxLength: 3 })).map(([k, m]) => ['ZREM', k, ...m])),
  ] : [
    w(6, fc.tuple(keyArb, fc.array(fc.tuple(scores, members), { minLength: 1, maxLength: 5 })).map(([k, p]) => ['ZADD', k, ...p.flat()])),
    w(3, fc.tuple(keyArb, zaddOptArb, fc.array(fc.tuple(scores, members), { minLength: 1, maxLength: 4 })).map(([k, o, p]) => ['ZADD', k, ...o, ...p.flat()])),
    w(2, fc.tuple(keyArb, zaddOptArb, badScoreArb, members).map(([k, o, s, m]) => ['ZADD', k, ...o, s, m])),
    w(2, fc.tuple(keyArb, badScoreArb, members).map(([k, s, m]) => ['ZINCRBY', k, s, m])),
    w(2, fc.tuple(keyArb, fc.array(members, { minLength: 1, maxLength: 3 })).map(([k, m]) => ['ZREM', k, ...m])),
    w(1, keyArb.map((k) => ['ZCARD', k])),
    w(1, fc.tuple(keyArb, members).map(([k, m]) => ['ZSCORE', k, m])),
    w(1, fc.tuple(keyArb, fc.array(members, { minLength: 1, maxLength: 3 })).map(([k, m]) => ['ZMSCORE', k, ...m])),
    w(2, fc.tuple(fc.constantFrom('ZRANK', 'ZREVRANK'), keyArb, members).map(([n, k, m]) => [n, k, m])),
    w(2, fc.tuple(keyArb, scorePairArb).map(([k, [a, b]]) => ['ZCOUNT', k, a, b])),
    w(3, fc.tuple(keyArb, idxArb, idxArb, fc.boolean(), fc.boolean()).map(([k, a, b, rev, ws]) => ['ZRANGE', k, a, b, ...(rev ? ['REV'] : []), ...(ws ? ['WITHSCORES'] : [])])),
    w(1, fc.tuple(keyArb, idxArb, idxArb, zrangeOpts('rank')).map(([k, a, b, o]) => ['ZRANGE', k, a, b, ...o])),
    w(3, fc.tuple(keyArb, scorePairArb, zrangeOpts('score')).map(([k, [a, b], o]) => (o.includes('REV') ? ['ZRANGE', k, b, a, ...o] : ['ZRANGE', k, a, b, ...o]))),
    w(2, fc.tuple(fc.constantFrom('ZRANGEBYSCORE', 'ZREVRANGEBYSCORE'), keyArb, scorePairArb, fc.boolean(), limitArb).map(([n, k, [a, b], ws, l]) => [
      n, k, ...(n === 'ZRANGEBYSCORE' ? [a, b] : [b, a]), ...(ws ? ['WITHSCORES'] : []), ...l,
    ])),
    w(1, fc.tuple(keyArb, idxArb, idxArb, fc.boolean()).map(([k, a, b, ws]) => ['ZREVRANGE', k, a, b, ...(ws ? ['WITHSCORES'] : [])])),
    w(1, fc.tuple(keyArb, keyArb, idxArb, idxArb, fc.constantFrom([] as string[], ['REV'])).map(([d, k, a, b, o]) => ['ZRANGESTORE', d, k, a, b, ...o])),
    w(1, fc.tuple(keyArb, keyArb, scorePairArb, fc.constantFrom([] as string[], ['REV'])).map(([d, k, [a, b], o]) => [
      'ZRANGESTORE', d, k, ...(o.length ? [b, a] : [a, b]), 'BYSCORE', ...o,
    ])),
    w(1, fc.tuple(keyArb, idxArb, idxArb).map(([k, a, b]) => ['ZREMRANGEBYRANK', k, a, b])),
    w(1, fc.tuple(keyArb, scorePairArb).map(([k, [a, b]]) => ['ZREMRANGEBYSCORE', k, a, b])),
    w(2, fc.tuple(fc.constantFrom('ZPOPMIN', 'ZPOPMAX'), keyArb, fc.constantFrom([] as string[], ['0'], ['1'], ['2'], ['10'], ['-1'])).map(([n, k, o]) => [n, k, ...o])),
    w(2, fc.tuple(fc.array(keyArb, { minLength: 1, maxLength: 3 }), fc.constantFrom('MIN', 'MAX'), fc.constantFrom([] as string[], ['COUNT', '1'], ['COUNT', '3'], ['COUNT', '0'])).map(
      ([ks, w, o]) => ['ZMPOP', String(ks.length), ...ks, w, ...o],
    )),
    w(2, setOpArb('ZUNION', false)),
    w(2, setOpArb('ZINTER', false)),
    w(2, setOpArb('ZDIFF', false)),
    w(1, setOpArb('ZUNIONSTORE', true)),
    w(1, setOpArb('ZINTERSTORE', true)),
    w(1, setOpArb('ZDIFFSTORE', true)),
    w(1, fc.tuple(fc.array(keyArb, { minLength: 1, maxLength: 3 }), fc.constantFrom([] as string[], ['LIMIT', '0'], ['LIMIT', '1'], ['LIMIT', '2'])).map(([ks, o]) => [
      'ZINTERCARD', String(ks.length), ...ks, ...o,
    ])),
    // COUNT 100: a whole small skiplist in one call on both (Redis's COUNT is a hint over hash buckets)
    w(2, fc.tuple(keyArb, fc.constantFrom([] as string[], ['MATCH', '*a*'], ['MATCH', '[a-c]'])).map(([k, o]) => ['ZSCAN', k, '0', ...o, 'COUNT', '100'])),
    w(1, fc.tuple(keyArb, fc.constantFrom('0', '-0', 'x')).map(([k, cnt]) => ['ZRANDMEMBER', k, cnt])),
    w(1, keyArb.map((k) => ['OBJECT', 'ENCODING', k])),
    w(1, fc.array(keyArb, { minLength: 1, maxLength: 2 }).map((ks) => ['DEL', ...ks])),
    w(1, fc.tuple(keyArb, fc.array(members, { minLength: 1, maxLength: 3 })).map(([k, m]) => ['SADD', k, ...m])),
    w(1, fc.tuple(fc.constantFrom('RENAME', 'COPY'), keyArb, keyArb).map(([n, a, b]) => (n === 'COPY' ? [n, a, b, 'REPLACE'] : [n, a, b]))),
    w(1, fc.tuple(keyArb, members).map(([k, m]) => ['SET', k, m])),
  ];
  if (lex) {
    arbs.push(
      w(2, fc.tuple(keyArb, lexPairArb).map(([k, [a, b]]) => ['ZLEXCOUNT', k, a, b])),
      w(2, fc.tuple(keyArb, lexPairArb, fc.boolean(), limitArb).map(([k, [a, b], rev, l]) => ['ZRANGE', k, ...(rev ? [b, a, 'BYLEX', 'REV'] : [a, b, 'BYLEX']), ...l])),
      w(3, fc.tuple(fc.constantFrom('ZRANGEBYLEX', 'ZREVRANGEBYLEX'), keyArb, lexPairArb, limitArb).map(([n, k, [a, b], l]) => [
        n, k, ...(n === 'ZRANGEBYLEX' ? [a, b] : [b, a]), ...l,
      ])),
      w(1, fc.tuple(keyArb, lexPairArb).map(([k, [a, b]]) => ['ZREMRANGEBYLEX', k, a, b])),
      w(1, fc.tuple(keyArb, keyArb, lexPairArb, limitArb).map(([d, k, [a, b], l]) => ['ZRANGESTORE', d, k, a, b, 'BYLEX', ...l])),
    );
  }
  return fc.oneof(...arbs);
}

const finalState: Cmd[] = RKEYS.flatMap((k) => [['TYPE', k], ['ZRANGE', k, '0', '-1', 'WITHSCORES'], ['OBJECT', 'ENCODING', k]]);

async function runProperty(t: Test, p: Pick<Pair, 'redis' | 'respdb'>, name: string, arb: fc.Arbitrary<Cmd>, numRuns: number): Promise<void> {
  let failure: string | null = null;
  try {
    await fc.assert(
      fc.asyncProperty(fc.array(arb, { minLength: 1, maxLength: 80 }), async (cmds) => {
        const seq: Cmd[] = [['DEL', ...RKEYS], ...cmds, ...finalState];
        const d = await diffNorm(p, seq);
        if (d) throw new Error(d);
      }),
      { numRuns },
    );
  } catch (e) {
    failure = (e as Error).message;
  }
  t.equal(failure, null, `${name} (${numRuns} runs) agree with redis`);
}

async function randomSequences(t: Test, p: Pick<Pair, 'redis' | 'respdb'>, runs: number): Promise<void> {
  // Short members (listpacks), every command, lex ranges over mixed scores included.
  await runProperty(t, p, 'random sequences over listpacks', cmdArb(memberArb, true, scoreArb), runs);
  // Long members too (skiplists); lex ranges over mixed scores are undefined for skiplists in Redis.
  await runProperty(t, p, 'random sequences with skiplists', cmdArb(longMemberArb, false, scoreArb), Math.ceil(runs / 2));
  // Lex commands over listpacks with mixed scores (Redis's listpack walk).
  await runProperty(t, p, 'random lex sequences over listpacks', cmdArb(memberArb, true, scoreArb, true), Math.ceil(runs / 2));
  // Lex commands over skiplists whose scores are all equal.
  await runProperty(t, p, 'random lex sequences with equal scores', cmdArb(longMemberArb, true, fc.constant('0')), Math.ceil(runs / 2));
}

// ------------------------------------------------------------------------------------------------
// Binlog: exact records, and replaying them into redis gives the same data
// ------------------------------------------------------------------------------------------------

async function binlog(t: Test): Promise<void> {
  const nshards = 4;
  const { srv, dir, stop } = await startBinlogRespdb(t, nshards, 'zset');
  const ref = await startRedis();
  t.teardown(() => ref.stop());
  const cl = await RawClient.connect(srv.port, srv.host);
  const run = (...cmd: string[]) => cl.send(...cmd);
  // Exact effects of the commands whose result is not their own argument list.
  await run('ZADD', 'bl1', '0.1', 'a', '1', 'b', '2', 'c', '3', 'd');
  await run('ZINCRBY', 'bl1', '0.2', 'a');
  await run('ZADD', 'bl1', 'INCR', '1e-3', 'b');
  await run('ZADD', 'bl1', 'NX', '5', 'a');
  await run('ZPOPMAX', 'bl1');
  await run('ZREMRANGEBYSCORE', 'bl1', '2', '+inf');
  await run('ZADD', 'bl1', '7', 'e', '8', 'f');
  await run('ZREMRANGEBYRANK', 'bl1', '-1', '-1');
  await run('ZREMRANGEBYLEX', 'bl1', '[x', '[y');
  await run('ZMPOP', '1', 'bl1', 'MIN', 'COUNT', '2');
  await run('SELECT', '2');
  await run('ZADD', 'bl2', '1', 'x');
  await run('SELECT', '0');
  // A random sequence (its data is compared after a replay into redis).
  const seq = fc.sample(fc.array(cmdArb(longMemberArb, false, scoreArb.filter((s) => s !== '-0')), { minLength: 300, maxLength: 300 }), { numRuns: 1, seed: 42 })[0];
  const extra: Cmd[] = [];
  for (let i = 0; i < 60; i++) extra.push(['ZADD', `z${i % 4}`, String(i * 0.1), `r${i}`], ['ZINCRBY', `{t}a`, '0.1', `i${i % 3}`]);
  for (const cmd of [...seq, ...extra]) await cl.send(...cmd);
  const state: Cmd[] = [...RKEYS, 'bl1'].flatMap((k) => [['TYPE', k], ['ZRANGE', k, '0', '-1', 'WITHSCORES'], ['SMEMBERS', k], ['GET', k]]);
  const before = (await cl.pipeline(state)).map((r) => formatReply(r, { unordered: true }));
  await cl.close();
  await stop();

  const records = await readBinlog(dir, nshards);
  const shown = recordText;
  const bl1 = records.filter((r) => r.args[1]?.toString() === 'bl1').map(shown);
  t.same(bl1, [
    ['ZADD', 'bl1', '0.1', 'a', '1', 'b', '2', 'c', '3', 'd'],
    ['ZADD', 'bl1', '0.30000000000000004', 'a'],
    ['ZADD', 'bl1', '1.0009999999999999', 'b'],
    ['ZREM', 'bl1', 'd'],
    ['ZREM', 'bl1', 'c'],
    ['ZADD', 'bl1', '7', 'e', '8', 'f'],
    ['ZREM', 'bl1', 'f'],
    ['ZREM', 'bl1', 'a', 'b'],
  ], 'ZINCRBY / ZADD INCR log the exact score; pops and range removals log ZREM of what they removed; no-ops log nothing');
  t.same(records.filter((r) => r.args[1]?.toString() === 'bl2').map((r) => r.db), [2], 'records carry their db');

  // Replay everything into a fresh redis-server: the same data.
  const rc = await RawClient.connect(ref.port, ref.host);
  t.same(await replayBinlog(rc, records), [], 'every record applies cleanly to redis');
  const after = (await rc.pipeline(state)).map((r) => formatReply(r, { unordered: true }));
  t.same(after, before, `replaying ${records.length} binlog records into redis gives the same data`);
  await rc.close();
}

// ------------------------------------------------------------------------------------------------

for (const shards of [1, 4]) {
  t.test(`random sorted set command sequences vs redis-server, ${shards} shard(s)`, async (t) => {
    const p = await pair(t, { shards });
    if (shards === 4) {
      const s = new Set(['z0', 'z1', 'z2', 'z3'].map((k) => shardOf(Buffer.from(k), 4)));
      t.ok(s.size >= 3, 'z0..z3 span several shards');
    }
    await t.test('random command sequences', async (t) => {
      await flushBoth(p);
      await randomSequences(t, p, shards === 4 ? 120 : 80);
    });
    await t.test('RESP3', (t) => withResp3(p, (q) => runProperty(t, q, 'RESP3 random sequences', cmdArb(longMemberArb, false, scoreArb), 30)));
  });
}

t.test('binlog records and replay', (t) => binlog(t));
