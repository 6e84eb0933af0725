// Automatic failover of respdb nodes by Debian's redis-sentinel 7.0, unchanged: 1 master + 2
// replicas + 3 sentinels (quorum 2). An ioredis client in sentinel mode writes distinct keys, each
// followed by WAIT 1; the master is killed (-9); a replica is promoted, the other follows it, the
// client finds the new master by itself, the old master restarted on its own port and dir is
// turned into a replica of the new one by sentinel, and every write a replica acknowledged is on
// the new master.
import t from 'tap';
import { Redis } from 'ioredis';
import { RawClient } from '../support/resp-client.js';
import { getInfo } from '../support/info.js';
import { until } from '../support/replica.js';
import { closedByNode, startGroup, stopAll, untilFollows } from '../support/ha-nodes.js';
import { onSwitchMaster, untilMaster, watchGroup } from '../support/sentinel.js';

t.test('kill -9 of the master under a WAIT 1 write load', async (t) => {
  const nodes = await startGroup(2);
  t.teardown(() => stopAll(nodes));
  const [master, r1, r2] = nodes;
  const ss = await watchGroup(t, nodes);

  const client = new Redis({ sentinels: ss.addresses, name: ss.name, maxRetriesPerRequest: null, enableOfflineQueue: true, lazyConnect: false });
  t.teardown(() => client.disconnect());
  client.on('error', () => undefined);
  const acked: string[] = [];
  let writing = true;
  let failedWrites = 0;
  let afterKill = 0;
  let killed = false;
  const writer = (async () => {
    for (let i = 0; writing; i++) {
      const key = `w:${i}`;
      try {
        await client.set(key, String(i));
        const n = (await client.call('WAIT', '1', '500')) as number;
        if (n >= 1) acked.push(key);
        if (killed) afterKill++;
      } catch {
        failedWrites++;
        await new Promise((r) => setTimeout(r, 20));
      }
    }
  })();
  await until('some acknowledged writes', async () => acked.length >= 50, 15000);

  const switched = await onSwitchMaster(ss.list[0]);
  t.teardown(() => switched.close());
  const killedAt = Date.now();
  killed = true;
  await master.p.kill9();

  // the promoted replica accepts a write
  const candidates = [r1, r2];
  let promoted: (typeof candidates)[number] | null = null;
  await until('a replica promoted and accepting writes', async () => {
    for (const n of candidates) {
      const c = await RawClient.connect(n.port).catch(() => null);
      if (!c) continue;
      try {
        const r = await c.send('SET', 'probe', String(Date.now()));
        if (r.t === 'simple' && r.v === 'OK') {
          promoted = n;
          return true;
        }
      } catch (e) {
        if (!closedByNode(e)) throw e;
      } finally {
        c.close();
      }
    }
    return false;
  }, 30000);
  const writableAfter = Date.now() - killedAt;
  const sw = await switched.next;
  t.comment(`kill -9 to the new master accepting writes: ${writableAfter} ms; to +switch-master: ${sw.at - killedAt} ms`);
  const newMaster = promoted! as (typeof candidates)[number];
  const other = newMaster === r1 ? r2 : r1;
  t.match(sw.text, new RegExp(`^${ss.name} 127\\.0\\.0\\.1 ${master.port} 127\\.0\\.0\\.1 ${newMaster.port}$`), '+switch-master names the old and new master');

  const cn = await RawClient.connect(newMaster.port);
  t.teardown(() => cn.close());
  const role = await cn.send('ROLE');
  t.equal(role.t === 'array' && role.v?.[0].t === 'bulk' ? role.v[0].v?.toString() : '', 'master', 'ROLE of the promoted replica');
  t.equal((await getInfo(cn, 'replication')).f.get('role'), 'master');
  await untilMaster(ss, newMaster.port);
  await untilFollows(other.port, newMaster.port);
  t.pass('the other replica follows the new master');

  // the client found the new master by itself and writes again
  const before = afterKill;
  await until('the ioredis client writing on the new master', async () => afterKill > before + 20, 30000);

  // the old master restarted on its port and dir: sentinel turns it into a replica of the new one
  await master.p.restart(['--port', String(master.port)]);
  await untilFollows(master.port, newMaster.port, 30000);
  t.pass('the restarted old master follows the new one');

  writing = false;
  await writer;
  t.comment(`${acked.length} writes acknowledged by WAIT 1, ${failedWrites} failed during the failover`);
  const lost: string[] = [];
  for (let i = 0; i < acked.length; i += 500) {
    const keys = acked.slice(i, i + 500);
    const values = await client.mget(...keys);
    values.forEach((v, j) => v === null && lost.push(keys[j]));
  }
  t.same(lost, [], 'every write acknowledged by a replica is on the new master');
  // and on the restarted old master, once it has caught up
  const co = await RawClient.connect(master.port);
  t.teardown(() => co.close());
  const last = acked[acked.length - 1];
  await until('the old master to hold the last acknowledged write', async () => {
    const r = await co.send('GET', last);
    return r.t === 'bulk' && r.v !== null;
  });
  await until('the old master to hold as many keys as the new one', async () => {
    const [a, b] = [await co.send('DBSIZE'), await cn.send('DBSIZE')];
    return a.t === 'int' && b.t === 'int' && a.v === b.v;
  });
  t.pass('the old master holds what the new one holds');
});
