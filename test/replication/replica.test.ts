// respdb as a replica of a real redis-server 7.0: full sync, then the stream of every type of
// write (DEBUG DIGEST equal), READONLY, REPLICAOF's replies, INFO replication's replica lines in
// the order a redis-server replica prints them, REPLICAOF NO ONE.

import t from 'tap';
import { RawClient, formatReply, type Reply } from '../support/resp-client.js';
import { freePort, startRedis, startRespdb } from '../support/servers.js';
import { caughtUp, digest, field, startMaster, until } from '../support/replica.js';
import { getInfo } from '../support/info.js';

function text(r: Reply): string {
  if (r.t === 'simple' || r.t === 'error') return r.v;
  if (r.t === 'bulk' && r.v !== null) return r.v.toString();
  if (r.t === 'int') return String(r.v);
  return formatReply(r);
}

const BEFORE: string[][] = [
  ['SET', 'str', 'hello'],
  ['SET', 'big', 'x'.repeat(5000)],
  ['SET', 'n', '10'],
  ['RPUSH', 'list', 'a', 'b', 'c', 'd'],
  ['HSET', 'hash', 'f1', 'v1', 'f2', 'v2'],
  ['SADD', 'set', 'm1', 'm2', 'm3', '1', '2'],
  ['ZADD', 'zset', '1', 'a', '2.5', 'b', '-3', 'c'],
  ['XADD', 'stream', '1-1', 'f', 'v'],
  ['SET', 'ttl', 'v', 'PX', '600000'],
  ['SELECT', '3'],
  ['SET', 'db3', 'three'],
  ['SELECT', '0'],
];

// every kind of write, as redis-server propagates it (some rewritten: SET PXAT, SREM of SPOP...)
const WRITES: string[][] = [
  ['APPEND', 'str', ' world'],
  ['INCR', 'n'],
  ['INCRBYFLOAT', 'n', '1.5'],
  ['SETRANGE', 'big', '10', 'abc'],
  ['SET', 'ex', 'v', 'EX', '1000'],
  ['EXPIRE', 'str', '5000'],
  ['PERSIST', 'str'],
  ['LPUSH', 'list', 'z'],
  ['LPOP', 'list'],
  ['LSET', 'list', '0', 'A'],
  ['LMOVE', 'list', 'list2', 'LEFT', 'RIGHT'],
  ['HINCRBY', 'hash', 'cnt', '3'],
  ['HDEL', 'hash', 'f1'],
  ['SPOP', 'set'],
  ['SREM', 'set', 'm2'],
  ['SUNIONSTORE', 'set2', 'set', 'set'],
  ['ZINCRBY', 'zset', '2', 'a'],
  ['ZREM', 'zset', 'c'],
  ['ZPOPMIN', 'zset'],
  ['XADD', 'stream', '2-1', 'g', 'w'],
  ['XDEL', 'stream', '1-1'],
  ['MSET', 'k1', 'v1', 'k2', 'v2', 'k3', 'v3', 'k4', 'v4'],
  ['DEL', 'k1', 'k2'],
  ['RENAME', 'k3', 'k3renamed'],
  ['COPY', 'k4', 'k4copy'],
  ['MULTI'],
  ['INCR', 'tx1'],
  ['INCR', 'tx2'],
  ['SET', 'tx3', 'x'],
  ['EXEC'],
  ['EVAL', "redis.call('set', KEYS[1], 'fromlua'); return redis.call('incr', KEYS[2])", '2', 'lua1', 'lua2'],
  ['SELECT', '5'],
  ['SET', 'db5', 'five'],
  ['HSET', 'db5hash', 'a', '1'],
  ['SELECT', '0'],
  ['PUBLISH', 'chan', 'msg'],
  ['FLUSHDB'],
  ['SET', 'after-flush', '1'],
  ['SELECT', '3'],
  ['INCR', 'db3counter'],
];

t.test('full sync, the stream of every write, READONLY, REPLICAOF replies, NO ONE', async (t) => {
  const master = await startMaster();
  t.teardown(() => master.stop());
  const replica = await startRespdb({ shards: 2 });
  t.teardown(() => replica.stop());
  const m = await RawClient.connect(master.port);
  const r = await RawClient.connect(replica.port);
  t.teardown(() => m.close());
  t.teardown(() => r.close());
  await m.pipeline(BEFORE);
  await r.send('SET', 'old', 'replaced by the sync');

  // an unreachable master: INFO says so (as a redis-server replica that never reached its master), and the log
  const nobody = await freePort();
  t.equal(text(await r.send('REPLICAOF', '127.0.0.1', String(nobody))), 'OK');
  await until('the warning in the log', async () => /link with master down/.test(replica.output()));
  const down = await getInfo(r, 'replication');
  for (const [f, v] of [['role', 'slave'], ['master_link_status', 'down'], ['master_last_io_seconds_ago', '-1'], ['master_sync_in_progress', '0'], ['master_link_down_since_seconds', '-1']]) t.equal(down.f.get(f), v, `unreachable master: ${f}`);

  t.equal(text(await r.send('REPLICAOF', '127.0.0.1', String(master.port))), 'OK', 'REPLICAOF answers +OK');
  await caughtUp(m, r);
  t.equal(await digest(r), await digest(m), 'same data after the full sync');
  t.equal(formatReply(await r.send('EXISTS', 'old')), formatReply(await m.send('EXISTS', 'old')), 'the old data set is gone');

  for (const c of WRITES) await m.send(...c);
  await caughtUp(m, r);
  await r.send('SELECT', '0');
  t.equal(await digest(r), await digest(m), 'same data after the stream of every kind of write');
  const mi = await getInfo(m, 'replication');
  const ri = await getInfo(r, 'replication');
  t.equal(ri.f.get('slave_read_repl_offset'), mi.f.get('master_repl_offset'), 'read offset = the master offset');
  t.equal(ri.f.get('master_replid'), mi.f.get('master_replid'), "the replica follows the master's history");
  t.equal(ri.f.get('role'), 'slave');

  t.equal(text(await r.send('SET', 'x', '1')), "READONLY You can't write against a read only replica.", 'writes from clients: READONLY');
  t.equal(text(await r.send('GET', 'after-flush')), '1', 'reads are served');
  t.equal(text(await r.send('EVAL', "return redis.call('get', KEYS[1])", '1', 'after-flush')), '1', 'a read-only script runs');
  t.match(text(await r.send('EVAL', "return redis.call('set', KEYS[1], 'x')", '1', 'str')), /^READONLY You can't write against a read only replica\./, 'a script that writes: READONLY');
  await r.send('CONFIG', 'SET', 'replica-read-only', 'no');
  t.equal(text(await r.send('SET', 'local', '1')), 'OK', 'replica-read-only no: writes allowed');
  await r.send('DEL', 'local');
  await r.send('CONFIG', 'SET', 'replica-read-only', 'yes');

  // Pika's SLAVEOF host port force: a full sync although a partial one was possible
  t.equal(await field(m, 'sync_full', 'stats'), '1');
  t.equal(text(await r.send('SLAVEOF', '127.0.0.1', String(master.port), 'force')), 'OK');
  await until('a second full sync', async () => (await field(m, 'sync_full', 'stats')) === '2');
  await caughtUp(m, r);
  t.equal(await digest(r), await digest(m), 'same data after the forced full sync');

  // the replies redis-server gives
  t.equal(text(await r.send('REPLICAOF', '127.0.0.1', String(master.port))), 'OK Already connected to specified master');
  for (const p of ['abc', '-1', '70000', '1.5', '']) t.equal(text(await r.send('REPLICAOF', '127.0.0.1', p)), 'ERR Invalid master port', `port '${p}'`);
  t.equal(text(await r.send('REPLICAOF', 'a')), "ERR wrong number of arguments for 'replicaof' command");
  t.equal(text(await r.send('REPLICAOF', '127.0.0.1', '1', 'force')), "ERR wrong number of arguments for 'replicaof' command", 'force is SLAVEOF only');
  for (const h of ['127.0.0.1', 'localhost']) t.match(text(await r.send('SLAVEOF', h, String(replica.port))), /^ERR .*cannot replicate itself/, `REPLICAOF of itself (${h}) refused`);

  // INFO replication: the replica lines of a redis-server replica in the same state, in its order
  const rr = await startRedis({ args: ['--replicaof', '127.0.0.1', String(master.port)] });
  t.teardown(() => rr.stop());
  const rc = await RawClient.connect(rr.port);
  t.teardown(() => rc.close());
  await caughtUp(m, rc);
  await caughtUp(m, r);
  const redisInfo = await getInfo(rc, 'replication');
  const ours = await getInfo(r, 'replication');
  const upTo = (names: string[]) => names.slice(0, names.indexOf('replica_announced') + 1);
  t.same(upTo(ours.section('Replication')!.names), upTo(redisInfo.section('Replication')!.names), 'replica lines in Redis 7.0 order');
  for (const f of ['role', 'master_host', 'master_port', 'master_link_status', 'master_sync_in_progress', 'slave_read_repl_offset', 'slave_repl_offset', 'slave_priority', 'slave_read_only', 'replica_announced', 'master_replid']) {
    t.equal(ours.f.get(f), redisInfo.f.get(f), f);
  }

  // Sentinel's failover: SLAVEOF inside MULTI / EXEC is queued
  const tx = await r.pipeline([['MULTI'], ['SLAVEOF', 'NO', 'ONE'], ['EXEC']]);
  t.same(tx.map(text), ['OK', 'QUEUED', formatReply({ t: 'array', v: [{ t: 'simple', v: 'OK' }] })], 'SLAVEOF NO ONE queued in MULTI');
  t.equal((await getInfo(r, 'replication')).f.get('role'), 'master', 'a master again');
  await r.send('SELECT', '0');
  t.equal(text(await r.send('GET', 'after-flush')), '1', 'the data is kept');
  t.equal(text(await r.send('SET', 'mine', '1')), 'OK', 'writes are accepted');
  await m.send('SET', 'after-promotion', '1');
  await until('the master to lose its respdb replica', async () => (await getInfo(m, 'replication')).f.get('connected_slaves') === '1');
  t.equal(text(await r.send('EXISTS', 'after-promotion')), '0', 'the old master is no longer followed');
});
