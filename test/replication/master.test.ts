// respdb as a master of a real redis-server 7.0 replica: full sync (an RDB of one cut, then the
// stream), the stream of every kind of write (cross-shard ones as MULTI/EXEC), partial resync
// after a dropped link and after a restart of respdb, a crash's new replication id, WAIT, ROLE,
// `redis-cli --rdb`. The data is compared by DEBUG DIGEST.
import t from 'tap';
import fs from 'node:fs';
import path from 'node:path';
import { freePort, redisCli, startRedis, startRespdb, type RedisProc, type RespdbProc } from '../support/servers.js';
import { RawClient, replyString, type Reply } from '../support/resp-client.js';
import { getInfo, subFields } from '../support/info.js';
import { caughtUp, digest, field, writeEverything } from '../support/replication.js';

t.test('a redis-server replica of respdb', async (t) => {
  const port = await freePort();
  const master: RespdbProc = await startRespdb({ shards: 3, args: ['--port', String(port)] });
  t.teardown(() => master.stop());
  let m = await RawClient.connect(port);
  await writeEverything(m, 'before');
  for (let i = 0; i < 2000; i++) m.send('SET', `bulk:${i}`, 'x'.repeat(i % 50)).catch(() => {});
  await m.send('PING');

  const replica: RedisProc = await startRedis({ args: ['--enable-debug-command', 'yes', '--replicaof', '127.0.0.1', String(port)] });
  t.teardown(() => replica.stop());
  const r = await RawClient.connect(replica.port);
  t.teardown(() => r.close());
  await caughtUp(m, r);
  t.equal(await digest(r), await digest(m), 'after the full sync the replica holds the same data');
  let info = (await getInfo(m, 'replication')).f;
  t.equal(info.get('connected_slaves'), '1');
  const slave0 = subFields(info.get('slave0'));
  t.same({ ip: slave0.ip, port: slave0.port, state: slave0.state }, { ip: '127.0.0.1', port: String(replica.port), state: 'online' }, 'slave0 names the announced port and a plain IPv4 address');
  t.equal((await getInfo(m, 'stats')).f.get('sync_full'), '1');

  await writeEverything(m, 'after');
  await m.send('SWAPDB', '0', '3');
  await m.send('SET', 'after-swap', '1');
  await m.send('SWAPDB', '0', '3');
  await caughtUp(m, r);
  t.equal(await digest(r), await digest(m), 'the stream keeps it equal (every type, MULTI/EXEC, cross-shard writes, scripts, SWAPDB)');

  // WAIT: the replica acknowledges within its next ACK
  await m.send('SET', 'w', '1');
  t.same(await m.send('WAIT', '1', '0'), { t: 'int', v: 1n }, 'WAIT 1 0 returns once the replica acknowledged');
  t.same(await m.send('WAIT', '2', '50'), { t: 'int', v: 1n }, 'WAIT 2 50 times out with the one replica that acknowledged');

  // ROLE as Redis shapes it
  const role = (await m.send('ROLE')) as Reply & { t: 'array' };
  const parts = role.v!;
  t.equal(replyString(parts[0]), 'master');
  t.equal(parts[1].t, 'int');
  const replicas = (parts[2] as Reply & { t: 'array' }).v!;
  t.equal(replicas.length, 1);
  t.same(((replicas[0] as Reply & { t: 'array' }).v!).slice(0, 2).map((b) => replyString(b)), ['127.0.0.1', String(replica.port)], 'ROLE lists the replica as ip, port (bulk strings), offset');

  // a dropped link continues with a partial resync
  await r.send('CLIENT', 'KILL', 'TYPE', 'master');
  await m.send('SET', 'while-down', '1');
  await caughtUp(m, r);
  t.equal((await getInfo(m, 'stats')).f.get('sync_partial_ok'), '1', 'the replica continued where it was (PSYNC +CONTINUE)');
  t.equal((await getInfo(m, 'stats')).f.get('sync_full'), '1');
  t.equal(await digest(r), await digest(m));

  // a clean restart of respdb keeps its history: partial resync again
  const replid = await field(m, 'master_replid');
  m.close();
  await master.restart(); // SIGTERM: a graceful shutdown, then a start on the same port
  m = await RawClient.connect(port);
  t.equal(await field(m, 'master_replid'), replid, 'a clean shutdown keeps the replication id');
  await m.send('SET', 'after-restart', '1');
  await caughtUp(m, r);
  t.equal((await getInfo(m, 'stats')).f.get('sync_partial_ok'), '1', 'after a clean restart the replica continues (no full sync)');
  t.equal((await getInfo(m, 'stats')).f.get('sync_full'), '0');
  t.equal(await digest(r), await digest(m));

  // kill -9: a new id, the old one kept as replid2 up to the checkpoint; the replica follows
  await m.send('SET', 'before-crash', '1');
  await caughtUp(m, r);
  m.close();
  await master.kill9();
  await master.restart();
  m = await RawClient.connect(port);
  info = (await getInfo(m, 'replication')).f;
  t.not(info.get('master_replid'), replid, 'after a crash the history has a new id');
  t.equal(info.get('master_replid2'), replid, 'replid2 is the old one');
  await m.send('SET', 'after-crash', '1');
  await caughtUp(m, r);
  t.equal(await digest(r), await digest(m), 'and the replica holds the same data');
  t.equal((await getInfo(m, 'stats')).f.get('sync_full'), '0', 'it continued with a partial resync');
  m.close();
});

t.test('redis-cli --rdb: an RDB of the data that redis-server loads with the same digest', async (t) => {
  const master = await startRespdb({ shards: 2 });
  t.teardown(() => master.stop());
  const m = await RawClient.connect(master.port);
  t.teardown(() => m.close());
  await writeEverything(m, 'rdb');
  const file = path.join(master.dir, 'out.rdb');
  const cli = await redisCli(master.port, ['--rdb', file], undefined, { timeoutMs: 20000 });
  t.match(cli.stderr + cli.stdout, /Transfer finished with success/);
  const dir = path.dirname(file);
  const loaded = await startRedis({ args: ['--dir', dir, '--dbfilename', 'out.rdb', '--enable-debug-command', 'yes'] });
  t.teardown(() => loaded.stop());
  const l = await RawClient.connect(loaded.port);
  t.teardown(() => l.close());
  t.equal(await digest(l), await digest(m));
  t.equal((await getInfo(m, 'replication')).f.get('connected_slaves'), '0', 'an rdb-only client is gone after the transfer');
  t.ok(fs.existsSync(file));
});
