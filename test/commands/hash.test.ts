// Hash commands against redis-server 7.0, one key at a time: every command, option, reply and
// error (arity), binary and long keys and fields, empty-hash disappearance, expiry, OBJECT ENCODING
// transitions, reads one at a time (direct), COMMAND INFO, RESP3 reply shapes. Run with 1 and 4
// shards. The other hash tests: hash-move (RENAME / COPY / MOVE), hash-scan, hash-random
// (HRANDFIELD), hash-sequences (random sequences, binlog), hash-wrongtype; the store room's own
// tests are test/store/hash*.test.ts.
import t, { type Test } from 'tap';
import { formatCommand, pair, type Pair, withResp3 } from '../support/servers.js';
import { RawClient, formatReply } from '../support/resp-client.js';
import {
  type Clients,
  type Cmd,
  LONG_FIELD,
  arityCases,
  basicCases,
  binaryCases,
  check,
  cs,
  encodingCases,
  incrCases,
  longCases,
  norm,
  resp3Cases,
  sleep,
} from './hash-cases.js';

// ------------------------------------------------------------------------------------------------
// Expiry
// ------------------------------------------------------------------------------------------------

async function expiry(t: Test, p: Pair): Promise<void> {
  await check(t, p, [
    ...cs(
      'DEL x1 x2 x3 x4',
      'HSET x1 a 1 b 2',
      'PEXPIRE x1 300',
      'HSET x2 a 1',
      'PEXPIRE x2 300',
      'HSET x2 b 2',
      'HINCRBY x2 n 1',
      'HDEL x2 a',
      'HSET x3 a 1',
      'PEXPIRE x3 300',
      'PERSIST x3',
      'HSET x4 a 1',
      'EXPIRE x4 1000',
      'HSET x4 b 2',
      'HINCRBYFLOAT x4 c 1.5',
      'HSETNX x4 d 1',
      'HDEL x4 a',
      'TTL x4',
    ),
  ], 'before expiry');
  // 700 ms: far from TTL's rounding boundary (500 ms) for the 1000 s TTL compared below.
  await sleep(700);
  await check(t, p, [
    ...cs(
      'HGETALL x1',
      'HLEN x1',
      'HGET x1 a',
      'EXISTS x1',
      'HSCAN x1 0',
      'HRANDFIELD x1',
      'HGETALL x2',
      'EXISTS x2',
      'HGETALL x3',
      'TTL x4',
      'HGETALL x4',
      'HSET x1 z 9',
      'HGETALL x1',
      'TTL x1',
      'DEL x1 x3 x4',
    ),
  ], 'after the short TTLs passed');
  // Cannot pass vacuously: redis dropped x2.
  const r = await p.redis.send('EXISTS', 'x2');
  t.equal(formatReply(r), '(integer) 0', 'redis expired x2');
  await check(t, p, cs('HSET x5 a 1', 'PEXPIRE x5 100'));
  await sleep(300);
  await check(t, p, cs('HINCRBY x5 a 5', 'TTL x5', 'DEL x5'), 'a write to an expired hash starts a new one');
}

// ------------------------------------------------------------------------------------------------
// Reads one at a time (no reply pending: O(1) reads then run on the main thread), atomicity of
// cross-shard moves, respdb's own limits
// ------------------------------------------------------------------------------------------------

async function oneByOne(t: Test, p: Clients, cmds: Cmd[], label: string): Promise<void> {
  for (const cmd of cmds) {
    const want = await p.redis.send(...cmd);
    const got = await p.respdb.send(...cmd);
    t.equal(norm(cmd, got), norm(cmd, want), `${label}: ${formatCommand(cmd)}`);
  }
}

async function directReads(t: Test, p: Pair): Promise<void> {
  const reads = (k: string): Cmd[] => [['HGET', k, 'a'], ['HMGET', k, 'a', 'zz', 'b'], ['HLEN', k], ['HSTRLEN', k, 'b'], ['HEXISTS', k, 'a'], ['HGET', k, LONG_FIELD], ['HGET', k, Buffer.alloc(3000, 'f')]];
  await oneByOne(t, p, [
    ['DEL', 'd1', 'd2', 'dstr'],
    ...reads('d1'),
    ['HSET', 'd1', 'a', '1', 'b', 'two'],
    ...reads('d1'),
    ['HDEL', 'd1', 'a'],
    ...reads('d1'),
    ['SET', 'dstr', 'x'],
    ...reads('dstr'),
    ['HSET', 'd2', 'a', '1'],
    ['PEXPIRE', 'd2', '150'],
    ...reads('d2'),
  ], 'one at a time');
  await sleep(300);
  await oneByOne(t, p, [...reads('d2'), ['DEL', 'd1', 'dstr']], 'after expiry, one at a time');
  // A write acknowledged to one connection is seen by the next read of another.
  const other = await RawClient.connect(p.respdbPort);
  try {
    let stale = 0;
    for (let i = 0; i < 100; i++) {
      await other.send('HSET', 'dseen', 'n', String(i));
      const r = await p.respdb.send('HGET', 'dseen', 'n');
      if (r.t !== 'bulk' || r.v?.toString() !== String(i)) stale++;
    }
    t.equal(stale, 0, 'HGET right after another connection\'s HSET sees it');
  } finally {
    await other.close();
    await p.respdb.send('DEL', 'dseen');
  }
}

// ------------------------------------------------------------------------------------------------
// COMMAND INFO
// ------------------------------------------------------------------------------------------------

const NAMES = ['hset', 'hsetnx', 'hget', 'hmget', 'hmset', 'hdel', 'hlen', 'hstrlen', 'hexists', 'hkeys', 'hvals', 'hgetall', 'hincrby', 'hincrbyfloat', 'hrandfield', 'hscan'];

async function commandInfo(t: Test, p: Pair): Promise<void> {
  await check(t, p, [
    ...NAMES.map((n) => ['COMMAND', 'INFO', n]),
    ...cs('COMMAND GETKEYS HSET h f v', 'COMMAND GETKEYS HSCAN h 0 MATCH x', 'COMMAND GETKEYS HMGET h a b'),
  ], 'COMMAND');
}

// ------------------------------------------------------------------------------------------------

for (const shards of [1, 4]) {
  t.test(`hash commands vs redis-server, ${shards} shard(s)`, async (t) => {
    const p = await pair(t, { shards });
    await t.test('HSET HMSET HSETNX HGET HMGET HDEL HLEN HSTRLEN HEXISTS HKEYS HVALS HGETALL', (t) => check(t, p, basicCases()));
    await t.test('HINCRBY HINCRBYFLOAT', (t) => check(t, p, incrCases()));
    await t.test('arity errors', (t) => check(t, p, arityCases()));
    await t.test('binary keys, fields and values', (t) => check(t, p, binaryCases()));
    await t.test('long keys and fields', (t) => check(t, p, longCases()));
    await t.test('OBJECT ENCODING transitions', (t) => check(t, p, encodingCases()));
    await t.test('expiry', (t) => expiry(t, p));
    await t.test('reads one at a time (direct)', (t) => directReads(t, p));
    await t.test('COMMAND INFO', (t) => commandInfo(t, p));
    await t.test('RESP3', (t) => withResp3(p, (q) => check(t, q, resp3Cases(), 'RESP3')));
  });
}
