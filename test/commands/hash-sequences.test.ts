// Random sequences of hash commands (and the keyspace commands around them) compared with
// redis-server reply by reply (fast-check), in RESP2 and RESP3, with 1 and 4 shards; and the binlog
// (HINCRBYFLOAT as HSET with the exact result, HSETNX as HSET, a cross-shard RENAME as DEL + HSET +
// PEXPIREAT; replaying a random workload's binlog into a fresh redis-server gives the same data).
import t, { type Test } from 'tap';
import fc from 'fast-check';
import { pair, startRedis, withResp3 } from '../support/servers.js';
import { readBinlog, replayBinlog, startBinlogRespdb } from '../support/binlog.js';
import { RawClient, canonicalize, formatReply } from '../support/resp-client.js';
import { shardOf } from '../../lib/slot.js';
import { type Arg, type Clients, type Cmd, B, L65, argText, bulkText, cs, firstDiff } from './hash-cases.js';

// ------------------------------------------------------------------------------------------------
// Random command sequences
// ------------------------------------------------------------------------------------------------

const RKEYS = ['h0', 'h1', 'h2', 'h3', '{t}a', '{t}b', 'str'];
const keyArb = fc.oneof({ weight: 6, arbitrary: fc.constantFrom(...RKEYS.slice(0, 6)) }, { weight: 1, arbitrary: fc.constant('str') });
// At most 9 distinct fields: a hashtable of fewer than 10 fields comes back whole from one HSCAN
// COUNT 10 in Redis too (cursor 0), so HSCAN replies compare exactly.
const fieldArb: fc.Arbitrary<Arg> = fc.constantFrom<Arg>('a', 'b', 'ab', '1', '10', '', B(0), B(0xff), 'x\r\ny');
const valueArb: fc.Arbitrary<Arg> = fc.oneof(
  fc.constantFrom<Arg>('', '0', '1', '-1', '7', '1.5', '-2.25', 'abc', '1e3', ' 1', 'inf', '9223372036854775807', '-9223372036854775808', L65, B(0, 0xff)),
  fc.integer({ min: -1000, max: 1000 }).map(String),
);
const intArb = fc.oneof(
  fc.integer({ min: -20, max: 20 }).map(String),
  fc.constantFrom('9223372036854775807', '-9223372036854775808', '9223372036854775808', 'x', '1.5', '', '+1'),
);
const floatArb = fc.oneof(
  fc.constantFrom('0.1', '-0.1', '1e3', '1.5', '-3.25', 'inf', '-inf', 'nan', 'abc', '0x10', '1e-20', '5e30', '1e400', '.5', '0', '-0'),
  fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e6, max: 1e6 }).map(String),
);
const countArb = fc.oneof(fc.integer({ min: -6, max: 12 }).map(String), fc.constantFrom('x', '100'));
const patternArb = fc.constantFrom('*', 'a*', '?', '[ab]', '*b*', '1*', 'nomatch');
const pairsArb = fc.array(fc.tuple(fieldArb, valueArb), { minLength: 1, maxLength: 3 }).map((kv) => kv.flat());

const writeArb: fc.Arbitrary<Cmd> = fc.oneof(
  { weight: 5, arbitrary: fc.tuple(keyArb, pairsArb).map(([k, kv]) => ['HSET', k, ...kv]) },
  fc.tuple(keyArb, pairsArb).map(([k, kv]) => ['HMSET', k, ...kv]),
  fc.tuple(keyArb, fieldArb, valueArb).map(([k, f, v]) => ['HSETNX', k, f, v]),
  { weight: 2, arbitrary: fc.tuple(keyArb, fc.array(fieldArb, { minLength: 1, maxLength: 3 })).map(([k, fs]) => ['HDEL', k, ...fs]) },
  { weight: 2, arbitrary: fc.tuple(keyArb, fieldArb, intArb).map(([k, f, n]) => ['HINCRBY', k, f, n]) },
  { weight: 2, arbitrary: fc.tuple(keyArb, fieldArb, floatArb).map(([k, f, n]) => ['HINCRBYFLOAT', k, f, n]) },
  fc.tuple(keyArb, keyArb).map(([a, b]) => ['RENAME', a, b]),
  fc.tuple(keyArb, keyArb, fc.boolean()).map(([a, b, r]) => (r ? ['COPY', a, b, 'REPLACE'] : ['COPY', a, b])),
  fc.tuple(keyArb, keyArb).map(([a, b]) => ['RENAMENX', a, b]),
  fc.tuple(keyArb).map(([k]) => ['DEL', k]),
  fc.tuple(keyArb).map(([k]) => ['PEXPIRE', k, '100000000']),
  fc.tuple(keyArb).map(([k]) => ['PERSIST', k]),
);

const readArb: fc.Arbitrary<Cmd> = fc.oneof(
  fc.tuple(keyArb, fieldArb).map(([k, f]) => ['HGET', k, f]),
  fc.tuple(keyArb, fc.array(fieldArb, { minLength: 1, maxLength: 4 })).map(([k, fs]) => ['HMGET', k, ...fs]),
  fc.tuple(keyArb).map(([k]) => ['HLEN', k]),
  fc.tuple(keyArb, fieldArb).map(([k, f]) => ['HSTRLEN', k, f]),
  fc.tuple(keyArb, fieldArb).map(([k, f]) => ['HEXISTS', k, f]),
  fc.tuple(keyArb).map(([k]) => ['HKEYS', k]),
  fc.tuple(keyArb).map(([k]) => ['HVALS', k]),
  fc.tuple(keyArb).map(([k]) => ['HGETALL', k]),
  fc.tuple(keyArb).map(([k]) => ['HRANDFIELD', k]),
  fc.tuple(keyArb, countArb, fc.boolean()).map(([k, n, wv]) => (wv ? ['HRANDFIELD', k, n, 'WITHVALUES'] : ['HRANDFIELD', k, n])),
  fc.tuple(keyArb, fc.option(patternArb, { nil: undefined }), fc.constantFrom(undefined, '10', '100')).map(([k, m, n]) => {
    const cmd: Cmd = ['HSCAN', k, '0'];
    if (m !== undefined) cmd.push('MATCH', m);
    if (n !== undefined) cmd.push('COUNT', n);
    return cmd;
  }),
  fc.tuple(keyArb).map(([k]) => ['OBJECT', 'ENCODING', k]),
  fc.tuple(keyArb).map(([k]) => ['TYPE', k]),
  fc.tuple(keyArb).map(([k]) => ['EXISTS', k]),
  fc.tuple(keyArb).map(([k]) => ['TTL', k]),
);

const cmdArb: fc.Arbitrary<Cmd> = fc.oneof({ weight: 3, arbitrary: writeArb }, { weight: 2, arbitrary: readArb });

/** What every sequence ends with: the full state of every key. */
const finalReads = (): Cmd[] => RKEYS.flatMap((k) => [['TYPE', k], ['HGETALL', k], ['OBJECT', 'ENCODING', k], ['TTL', k]]);

async function runProperty(t: Test, p: Clients, numRuns: number, label: string): Promise<void> {
  let failure: string | null = null;
  try {
    await fc.assert(
      fc.asyncProperty(fc.array(cmdArb, { minLength: 5, maxLength: 60, size: 'max' }), async (cmds) => {
        const seq: Cmd[] = [['DEL', ...RKEYS], ['SET', 'str', 'text'], ...cmds, ...finalReads()];
        const d = await firstDiff(p, seq);
        if (d) throw new Error(d);
      }),
      { numRuns },
    );
  } catch (e) {
    failure = (e as Error).message;
  }
  t.equal(failure, null, `${label}: random hash command sequences (${numRuns} runs) agree with redis`);
}

// ------------------------------------------------------------------------------------------------
// Binlog
// ------------------------------------------------------------------------------------------------

/** The data of the random-sequence keys (db 0 and 1), order-insensitive. */
async function snapshot(cl: RawClient): Promise<string[]> {
  const out: string[] = [];
  for (const db of ['0', '1']) {
    await cl.send('SELECT', db);
    for (const k of RKEYS) {
      const [type, all, ttl] = await cl.pipeline([['TYPE', k], ['HGETALL', k], ['PTTL', k]]);
      const tt = ttl.t === 'int' ? (ttl.v > 0n ? 'volatile' : String(ttl.v)) : formatReply(ttl);
      out.push(`db${db} ${k}: ${formatReply(type)} ${tt} ${all.t === 'error' ? '-' : formatReply(canonicalize(all, { unordered: 'pairs' }))}`);
    }
  }
  await cl.send('SELECT', '0');
  return out;
}

async function binlogReplay(t: Test): Promise<void> {
  const nshards = 2;
  const { srv, dir, stop } = await startBinlogRespdb(t, nshards, 'hash');
  const cl = await RawClient.connect(srv.port, srv.host);
  const spanning = new Set(RKEYS.map((k) => shardOf(Buffer.from(k), nshards)));
  t.equal(spanning.size, 2, 'the random keys live on both shards');
  t.not(shardOf(Buffer.from('h1'), nshards), shardOf(Buffer.from('h2'), nshards), 'RENAME h1 h2 crosses shards');

  // A fixed prologue with the effects the sequence may not reach, then random writes.
  const floats: Array<[string, Buffer, string]> = [];
  const script: Cmd[] = [
    ...cs('HSET h0 a 1 b 2', 'HINCRBYFLOAT h0 a 0.1', 'HINCRBYFLOAT h0 a 1e400', 'HINCRBYFLOAT h0 z 3', 'HSETNX h0 n x', 'HSETNX h0 n y'),
    ...cs('HSET h1 x 1', 'PEXPIRE h1 100000000', 'RENAME h1 h2', 'COPY h2 h3', 'COPY h2 {t}a', 'COPY h2 h1 DB 1', 'MOVE h3 1'),
    ...cs('HINCRBY h2 x 5', 'HDEL h2 x', 'HDEL h2 x', 'HINCRBYFLOAT {t}a x 2.5', 'RENAME {t}a {t}b', 'HINCRBYFLOAT {t}b x -2.5'),
    ...fc.sample(writeArb, { numRuns: 400, seed: 4242 }),
  ];
  const replies = await cl.pipeline(script);
  script.forEach((cmd, i) => {
    if (argText(cmd[0]) === 'HINCRBYFLOAT' && replies[i].t === 'bulk') {
      const f = cmd[2];
      floats.push([argText(cmd[1]), typeof f === 'string' ? Buffer.from(f) : f, bulkText(replies[i])]);
    }
  });
  t.ok(floats.length >= 10, `HINCRBYFLOAT wrote ${floats.length} times`);
  const before = await snapshot(cl);
  await cl.close();
  await stop();

  const recs = await readBinlog(dir, nshards);
  const names = new Set(recs.map((r) => r.args[0].toString('latin1').toUpperCase()));
  t.notOk(names.has('HINCRBYFLOAT'), 'no HINCRBYFLOAT record: it is logged as HSET');
  const hsets = new Set(recs.filter((r) => r.args.length === 4 && r.args[0].toString() === 'HSET').map((r) => r.args.slice(1).map((a) => a.toString('latin1')).join('\n')));
  const missing = floats.filter(([k, f, v]) => !hsets.has([k, f.toString('latin1'), v].join('\n')));
  t.same(missing.slice(0, 3), [], 'every HINCRBYFLOAT result is logged as HSET key field <the exact reply>');
  // RENAME h1 h2 crossed shards: DEL h2, HSET h2 x 1, PEXPIREAT h2 <h1's exact expiry>.
  const texts = recs.map((r) => r.args.map((a) => a.toString('latin1')).join(' '));
  const expireH1 = texts.find((x) => x.startsWith('PEXPIREAT h1 '));
  const at = texts.indexOf('DEL h2');
  t.ok(expireH1 && at >= 0, 'PEXPIRE h1 and the restore of h2 are logged');
  t.same(texts.slice(at, at + 3), ['DEL h2', 'HSET h2 x 1', expireH1?.replace(' h1 ', ' h2 ')], 'a cross-shard RENAME logs DEL, HSET and the exact PEXPIREAT');
  t.notOk(recs.some((r) => r.args[0].toString() === 'HSETNX'), 'HSETNX is logged as HSET');

  const redis = await startRedis();
  t.teardown(() => redis.stop());
  const rc = await RawClient.connect(redis.port, redis.host);
  const errors = await replayBinlog(rc, recs);
  t.same(errors.slice(0, 3), [], `redis-server applies all ${recs.length} binlog records without an error`);
  const after = await snapshot(rc);
  t.same(after, before, 'replaying the binlog into a fresh redis-server gives the same data');
  t.ok(before.filter((l) => l.includes('"hash"')).length >= 3, 'the compared data holds hashes');
  await rc.close();
}

// ------------------------------------------------------------------------------------------------

for (const shards of [1, 4]) {
  t.test(`random hash command sequences vs redis-server, ${shards} shard(s)`, async (t) => {
    const p = await pair(t, { shards });
    if (shards === 4) {
      const r = new Set(RKEYS.map((k) => shardOf(Buffer.from(k), 4)));
      t.ok(r.size >= 3, 'the random keys span shards');
    }
    await t.test('random command sequences', (t) => runProperty(t, p, shards === 4 ? 120 : 80, 'RESP2'));
    await t.test('RESP3', (t) => withResp3(p, (q) => runProperty(t, q, 30, 'RESP3')));
  });
}

t.test('binlog: exact effects, replayable into redis-server', (t) => binlogReplay(t));
