// A manual SENTINEL FAILOVER of respdb nodes under redis-sentinel 7.0: a replica promoted, the old
// master (alive) turned into its replica, nothing lost.
import t from 'tap';
import { until } from '../support/replica.js';
import { missing, role, startGroup, stopAll, untilFollows, writeKeys } from '../support/ha-nodes.js';
import { ask, onEvent, untilMaster, watchGroup } from '../support/sentinel.js';

t.test('SENTINEL FAILOVER: a replica promoted, the old master follows it, nothing lost', async (t) => {
  const nodes = await startGroup(2);
  t.teardown(() => stopAll(nodes));
  const [master, r1, r2] = nodes;
  const ss = await watchGroup(t, nodes);
  await writeKeys(master.port, 'k', 2000);

  const switched = await onEvent(ss.list[0], '+switch-master');
  t.teardown(() => switched.close());
  t.same(await ask(ss.list[0], 'SENTINEL', 'FAILOVER', ss.name), { t: 'simple', v: 'OK' });
  const sw = await switched.next;
  const newPort = Number(sw.text.split(' ')[4]);
  const promoted = [r1, r2].find((n) => n.port === newPort);
  t.ok(promoted, `a replica is the new master (${sw.text})`);
  const other = promoted === r1 ? r2 : r1;
  t.equal(await role(newPort), 'master');
  await untilMaster(ss, newPort);
  await untilFollows(other.port, newPort);
  await untilFollows(master.port, newPort);
  t.pass('the other replica and the old master follow the new master');
  t.equal(await missing(newPort, 'k', 2000), 0, 'every key is on the new master');
  await until('the old master to hold every key', async () => (await missing(master.port, 'k', 2000)) === 0);
  await writeKeys(newPort, 'after', 100);
  t.pass('the new master takes writes its two replicas acknowledge');
});

