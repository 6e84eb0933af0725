// kill -9 of a real redis-server master in the middle of a full sync: the respdb replica keeps
// its old data whole (served meanwhile, as replica-serve-stale-data yes), says the link is down,
// and syncs in full once a master answers again (AUTH with masterauth).

import t from 'tap';
import { RawClient, type Reply } from '../support/resp-client.js';
import { startRespdb } from '../support/servers.js';
import { caughtUp, digest, startMaster, until } from '../support/replica.js';
import { getInfo } from '../support/info.js';

function text(r: Reply): string {
  if (r.t === 'simple' || r.t === 'error') return r.v;
  if (r.t === 'bulk' && r.v !== null) return r.v.toString();
  if (r.t === 'int') return String(r.v);
  return JSON.stringify(r);
}

t.test('kill -9 of the master mid full sync leaves the old data intact', async (t) => {
  // a data set whose transfer takes a moment: 400k keys of 200 bytes, uncompressed
  const master = await startMaster(['--rdbcompression', 'no']);
  t.teardown(() => master.stop());
  const m = await RawClient.connect(master.port);
  await m.send('DEBUG', 'POPULATE', '400000', 'key', '200');
  const replica = await startRespdb({ shards: 2 });
  t.teardown(() => replica.stop());
  const r = await RawClient.connect(replica.port);
  t.teardown(() => r.close());
  const old: string[][] = [];
  for (let i = 0; i < 200; i++) old.push(['SET', `old:${i}`, `v${i}`]);
  await r.pipeline(old);
  const before = await digest(r);

  await r.send('REPLICAOF', '127.0.0.1', String(master.port));
  await until('the transfer to start', async () => (await getInfo(r, 'replication')).f.get('master_sync_in_progress') === '1', 20000);
  master.proc.kill('SIGKILL');
  await m.close();
  await until('the link to be seen down', async () => (await getInfo(r, 'replication')).f.get('master_sync_in_progress') === '0');
  const info = await getInfo(r, 'replication');
  t.equal(info.f.get('master_link_status'), 'down');
  t.equal(text(await r.send('DBSIZE')), '200', 'the old keys, nothing of the new set');
  t.equal(await digest(r), before, 'the old data, intact');
  t.equal(text(await r.send('GET', 'old:7')), 'v7', 'served meanwhile');

  // a master again (another redis-server, with a password: masterauth): a full sync
  const next = await startMaster();
  t.teardown(() => next.stop());
  const n = await RawClient.connect(next.port);
  t.teardown(() => n.close());
  await n.send('CONFIG', 'SET', 'requirepass', 'pw');
  await n.send('AUTH', 'pw');
  await n.send('SET', 'new', '1');
  t.equal(text(await r.send('CONFIG', 'SET', 'masterauth', 'pw')), 'OK');
  await r.send('REPLICAOF', '127.0.0.1', String(next.port));
  await caughtUp(n, r);
  t.equal(await digest(r), await digest(n), 'the new master data after its full sync');
});
