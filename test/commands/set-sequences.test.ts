// Set commands in sequence: fast-check random command sequences compared with redis-server reply
// by reply (1 and 4 shards, RESP2 and RESP3), the RESP3 replies, atomicity of cross-shard SMOVE
// against concurrent readers, and the binlog (SPOP's exact effect; replaying every shard's records
// into a fresh redis-server rebuilds the same data).
import t, { type Test } from 'tap';
import fc from 'fast-check';
import { pair, startRedis, type Pair, withResp3 } from '../support/servers.js';
import { readBinlog, recordText, replayBinlog, startBinlogRespdb } from '../support/binlog.js';
import { RawClient } from '../support/resp-client.js';
import { shardOf } from '../../lib/slot.js';
import { KEYS, MEMBERS, c, check, cmdArb, cs, items, keyArb, range, rnd, runProperty, sorted, text, texts, type Cmd } from './set-support.js';

// ------------------------------------------------------------------------------------------------
// Cross-shard atomicity
// ------------------------------------------------------------------------------------------------

async function smoveAtomic(t: Test, port: number): Promise<void> {
  const [a, b, reader] = await Promise.all([RawClient.connect(port), RawClient.connect(port), RawClient.connect(port)]);
  try {
    t.not(shardOf(Buffer.from('k0'), 4), shardOf(Buffer.from('k1'), 4), 'k0 and k1 are on different shards');
    const ms = range(0, 49);
    await a.send('DEL', 'k0', 'k1', 'k2');
    await a.send('SADD', 'k0', ...ms);
    const rounds = 300;
    const ca: Cmd[] = [];
    const cb: Cmd[] = [];
    const cr: Cmd[] = [];
    for (let i = 0; i < rounds; i++) {
      ca.push(['SMOVE', 'k0', 'k1', ms[i % 50]]);
      cb.push(['SMOVE', 'k1', 'k0', ms[(i * 7) % 50]]);
      cr.push(i % 2 ? ['SUNION', 'k0', 'k1'] : ['SINTER', 'k0', 'k1']);
      if (i % 10 === 0) cr.push(['SUNIONSTORE', 'k2', 'k1', 'k0'], ['SCARD', 'k2']);
    }
    const [, , rr] = await Promise.all([a.pipeline(ca), b.pipeline(cb), reader.pipeline(cr)]);
    let bad = 0;
    let unions = 0;
    rr.forEach((r, i) => {
      const cmd = String(cr[i][0]);
      if (cmd === 'SUNION') {
        unions++;
        if (items(r).length !== 50) bad++;
      } else if (cmd === 'SINTER' && items(r).length !== 0) bad++;
      else if (cmd === 'SUNIONSTORE' && text(r) !== '50') bad++;
    });
    t.ok(unions > 0, 'the reader ran SUNIONs');
    t.equal(bad, 0, 'concurrent cross-shard SMOVEs: a member is always in exactly one of the sets');
    const [x, y] = await Promise.all([a.send('SCARD', 'k0'), a.send('SCARD', 'k1')]);
    t.equal(Number(text(x)) + Number(text(y)), 50, 'no member lost or duplicated');
    await a.send('DEL', 'k0', 'k1', 'k2');
  } finally {
    await Promise.all([a.close(), b.close(), reader.close()]);
  }
}

// ------------------------------------------------------------------------------------------------
// RESP3
// ------------------------------------------------------------------------------------------------

async function resp3(t: Test, p: Pair): Promise<void> {
  await withResp3(p, async (q) => {
    for (const cl of [q.redis, q.respdb]) await cl.send('DEL', 'k0', 'k1', 'k2', 'one');
    await check(t, q, [
      ...cs(
        'SADD k0 a b 1',
        'SADD k1 b c 1',
        'SADD one x',
        'SMEMBERS k0',
        'SMEMBERS nokey',
        'SISMEMBER k0 a',
        'SMISMEMBER k0 a z',
        'SCARD k0',
        'SRANDMEMBER nokey',
        'SRANDMEMBER nokey 3',
        'SRANDMEMBER one',
        'SRANDMEMBER one -2',
        'SRANDMEMBER k0 10',
        'SRANDMEMBER k0 0',
        'SPOP nokey',
        'SPOP nokey 3',
        'SPOP k0 0',
        'SINTER k0 k1',
        'SINTER k0 nokey',
        'SUNION k0 k1',
        'SDIFF k0 k1',
        'SDIFF nokey k1',
        'SINTERCARD 2 k0 k1',
        'SINTERSTORE k2 k0 k1',
        'SSCAN k0 0',
        'SSCAN nokey 0',
        'SMOVE k0 k1 a',
        'SPOP one',
        'SPOP k1 10',
      ),
      rnd(c('SPOP k0 1')),
      rnd(c('SRANDMEMBER k0 -5')),
    ], 'RESP3');
    await runProperty(t, q, 30, 'RESP3');
  });
}

// ------------------------------------------------------------------------------------------------
// Binlog
// ------------------------------------------------------------------------------------------------

/** The data of the keys: type and sorted members (sets), value (strings), whether it has a TTL. */
async function snapshot(cl: RawClient, keys: string[]): Promise<string[]> {
  const out: string[] = [];
  for (const db of ['0', '1']) {
    await cl.send('SELECT', db);
    for (const k of keys) {
      const ty = text(await cl.send('TYPE', k));
      let v = '';
      if (ty === 'set') v = JSON.stringify(sorted(texts(await cl.send('SMEMBERS', k))));
      else if (ty === 'string') v = text(await cl.send('GET', k));
      const ttl = text(await cl.send('PTTL', k));
      out.push(`${db}/${k}: ${ty} ${v} ${ty === 'none' ? '' : ttl === '-1' ? 'persistent' : 'volatile'}`);
    }
  }
  await cl.send('SELECT', '0');
  return out;
}

async function binlogReplay(t: Test): Promise<void> {
  const nshards = 4;
  const { srv, dir, stop } = await startBinlogRespdb(t, nshards, 'set');
  const cl = await RawClient.connect(srv.port, srv.host);
  // Known effects first: SPOP logs SREM of exactly what it popped, or DEL when it took everything.
  await cl.send('SADD', 'sp', ...range(1, 20));
  const popped = texts(await cl.send('SPOP', 'sp', '5'));
  const single = text(await cl.send('SPOP', 'sp'));
  await cl.send('SADD', 'sp2', 'a', 'b');
  await cl.send('SPOP', 'sp2', '10');
  await cl.send('SMOVE', 'k0', 'k1', 'nothing');
  await cl.send('SADD', 'k0', 'x', 'y');
  await cl.send('SMOVE', 'k0', 'k1', 'x');
  await cl.send('SUNIONSTORE', 'k2', 'k0', 'k1');
  await cl.send('SINTERSTORE', 'k7', 'k0', 'nokey');
  // Then random sequences over every command (random and cross-shard ones included).
  const extra: fc.Arbitrary<Cmd> = fc.oneof(
    cmdArb,
    fc.tuple(keyArb).map(([k]) => ['SPOP', k]),
    fc.tuple(keyArb, fc.constantFrom('1', '2', '3')).map(([k, n]) => ['SPOP', k, n]),
    fc.tuple(keyArb).map(([k]) => ['PEXPIRE', k, '100000000']),
    fc.tuple(keyArb, keyArb).map(([a, b]) => ['COPY', a, b, 'DB', '1']),
    fc.tuple(keyArb).map(([k]) => ['MOVE', k, '1']),
  );
  // seeded: the record count below is then the same on every run
  const seqs = fc.sample(fc.array(extra, { minLength: 20, maxLength: 60 }), { numRuns: 20, seed: 20261126 });
  for (const s of seqs) await cl.pipeline([...KEYS.map((k) => ['SADD', k, ...MEMBERS.slice(0, 5)]), ...s]);
  const keys = [...KEYS, 'sp', 'sp2', 'nokey'];
  const want = await snapshot(cl, keys);
  await cl.close();
  await stop();

  const recs = await readBinlog(dir, nshards);
  const str = recordText;
  const spRecs = recs.filter((r) => r.args[1]?.toString('latin1') === 'sp').map(str);
  t.same(spRecs[1], ['SREM', 'sp', ...popped], 'SPOP sp 5 is logged as SREM of the popped members');
  t.same(spRecs[2], ['SREM', 'sp', single], 'SPOP sp is logged as SREM of the popped member');
  t.same(recs.filter((r) => r.args[1]?.toString('latin1') === 'sp2').map(str), [['SADD', 'sp2', 'a', 'b'], ['DEL', 'sp2']], 'SPOP of the whole set is logged as DEL');
  const cross = new Set(['k0', 'k1', 'k2', 'k7'].map((k) => shardOf(Buffer.from(k), nshards)));
  t.equal(cross.size, 4, 'k0, k1, k2, k7 are on four different shards');
  const early = recs.slice(5, 9).map(str);
  if (early[3]) early[3] = [...early[3].slice(0, 2), ...sorted(early[3].slice(2))];
  t.same(early, [
    ['SADD', 'k0', 'x', 'y'],
    ['SREM', 'k0', 'x'],
    ['SADD', 'k1', 'x'],
    ['SADD', 'k2', 'x', 'y'],
  ], 'cross-shard SMOVE logs SREM and SADD on each shard, SUNIONSTORE the result on its shard; a no-op SMOVE logs nothing');
  t.notOk(recs.some((r) => r.args[1]?.toString('latin1') === 'k7'), 'an empty SINTERSTORE into a missing key logs nothing');

  // Replay every record, in global sequence order, into a fresh redis-server.
  const redis = await startRedis();
  t.teardown(() => redis.stop());
  const rc = await RawClient.connect(redis.port, redis.host);
  const errors = await replayBinlog(rc, recs);
  t.same(errors, [], 'every binlog record applies cleanly to redis-server');
  t.ok(recs.length > 200, `the binlog holds the sequence (${recs.length} records)`);
  const got = await snapshot(rc, keys);
  t.same(got, want, 'replaying the binlog into redis-server rebuilds the same data');
  await rc.close();
}

for (const shards of [1, 4]) {
  t.test(`set command sequences vs redis-server, ${shards} shard(s)`, async (t) => {
    const p = await pair(t, { shards });
    await t.test('random command sequences', (t) => runProperty(t, p, shards === 4 ? 120 : 60, `${shards} shard(s)`));
    if (shards === 4) await t.test('SMOVE atomic across shards', (t) => smoveAtomic(t, p.respdbPort));
    await t.test('RESP3', (t) => resp3(t, p));
  });
}

t.test('binlog: exact effects, and replaying it rebuilds the data', (t) => binlogReplay(t));
