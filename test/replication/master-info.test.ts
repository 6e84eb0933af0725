// respdb as a master beside a redis-server master, each with a redis-server replica: INFO
// replication's fields, PUBLISH through the stream, min-replicas-to-write.
import t from 'tap';
import { startRedis, startRespdb } from '../support/servers.js';
import { RawClient, replyString, type Reply } from '../support/resp-client.js';
import { getInfo } from '../support/info.js';
import { caughtUp, untilValue } from '../support/replication.js';

t.test('INFO replication as a redis-server master shows it; PUBLISH reaches replicas; min-replicas-to-write', async (t) => {
  const master = await startRespdb({ shards: 2 });
  t.teardown(() => master.stop());
  const redisMaster = await startRedis();
  t.teardown(() => redisMaster.stop());
  const [r1, r2] = await Promise.all([
    startRedis({ args: ['--replicaof', '127.0.0.1', String(master.port)] }),
    startRedis({ args: ['--replicaof', '127.0.0.1', String(redisMaster.port)] }),
  ]);
  t.teardown(() => r1.stop());
  t.teardown(() => r2.stop());
  const m = await RawClient.connect(master.port);
  const rm = await RawClient.connect(redisMaster.port);
  const c1 = await RawClient.connect(r1.port);
  const c2 = await RawClient.connect(r2.port);
  t.teardown(() => [m, rm, c1, c2].forEach((c) => c.close()));
  await m.send('SET', 'a', '1');
  await rm.send('SET', 'a', '1');
  await caughtUp(m, c1);
  await caughtUp(rm, c2);
  const ours = (await getInfo(m, 'replication')).section('Replication')!.names;
  const theirs = (await getInfo(rm, 'replication')).section('Replication')!.names;
  t.same(ours, theirs, 'the same fields in the same order as a redis-server master with one replica');

  // a message published on the master reaches a subscriber of the replica
  const sub = await RawClient.connect(r1.port);
  t.teardown(() => sub.close());
  await sub.send('SUBSCRIBE', 'news');
  await m.send('PUBLISH', 'news', 'hello');
  const msg = (await sub.readReply(10000)) as Reply & { t: 'array' };
  t.same(msg.v!.map((x) => replyString(x)), ['message', 'news', 'hello'], 'PUBLISH goes through the stream');

  // min-replicas-to-write 2 with one replica: writes are refused, reads go on
  await m.send('CONFIG', 'SET', 'min-replicas-to-write', '2');
  await untilValue('writes to be refused', async () => {
    const r = await m.send('SET', 'b', '1');
    return r.t === 'error' ? r : null;
  }).then((r) => t.same(r, { t: 'error', v: 'NOREPLICAS Not enough good replicas to write.' }));
  t.same(await m.send('GET', 'a'), { t: 'bulk', v: Buffer.from('1') }, 'reads are answered');
  await m.send('CONFIG', 'SET', 'min-replicas-to-write', '1');
  await untilValue('writes to be accepted', async () => (await m.send('SET', 'b', '1')).t === 'simple');
  t.pass('one replica is enough for min-replicas-to-write 1');
});
