// replica-priority 0 under redis-sentinel 7.0: that respdb replica is never promoted. The master
// dies and the other replica is promoted; once the priority-0 replica is the only one left, a
// manual failover and an automatic one both find no good replica.
import t from 'tap';
import { RawClient } from '../support/resp-client.js';
import { getInfo } from '../support/info.js';
import { until } from '../support/replica.js';
import { missing, role, startGroup, stopAll, untilFollows, writeKeys } from '../support/ha-nodes.js';
import { ask, masterPort, onEvent, untilMaster, watchGroup } from '../support/sentinel.js';

t.test('replica-priority 0 is never promoted', async (t) => {
  const nodes = await startGroup(2, [], [['--replica-priority', '0']]);
  t.teardown(() => stopAll(nodes));
  const [master, never, r2] = nodes;
  const c = await RawClient.connect(never.port);
  t.equal((await getInfo(c, 'replication')).f.get('slave_priority'), '0');
  c.close();
  const ss = await watchGroup(t, nodes);
  await writeKeys(master.port, 'k', 500);

  // the master dies: the replica with the default priority is promoted, the other follows it
  await master.p.kill9();
  await untilMaster(ss, r2.port);
  t.equal(await role(r2.port), 'master', 'the replica with priority 100 is promoted');
  await untilFollows(never.port, r2.port);
  t.equal(await role(never.port), 'slave', 'the priority-0 replica follows it');
  t.equal(await missing(r2.port, 'k', 500), 0);

  // only the priority-0 replica is left: no failover can pick it (asked again while a sentinel
  // that lost the election still holds its own attempt open: -INPROG)
  let answer = await ask(ss.list[0], 'SENTINEL', 'FAILOVER', ss.name);
  await until('a sentinel with no failover in progress', async () => {
    answer = await ask(ss.list[0], 'SENTINEL', 'FAILOVER', ss.name);
    return !(answer.t === 'error' && answer.v.startsWith('INPROG'));
  }, 20000);
  t.same(answer, { t: 'error', v: 'NOGOODSLAVE No suitable replica to promote' }, 'a manual failover finds no replica');
  // the sentinel that wins the election reports it
  const noGood = await Promise.all(ss.list.map((s) => onEvent(s, '-failover-abort-no-good-slave')));
  t.teardown(() => noGood.forEach((x) => x.close()));
  await r2.p.kill9();
  const ev = await Promise.race(noGood.map((x) => x.next));
  t.match(ev.text, new RegExp(`^master ${ss.name} 127\\.0\\.0\\.1 ${r2.port}$`), 'sentinel reports no good replica');
  t.equal(await role(never.port), 'slave', 'the priority-0 replica is still a replica');
  for (const s of ss.list) t.equal(await masterPort(s, ss.name), r2.port, `sentinel ${s.port} still names the dead master`);
});
