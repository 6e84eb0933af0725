// redis-sentinel 7.0 with `sentinel rename-command`: the respdb nodes have CONFIG, SLAVEOF and
// REPLICAOF renamed, so the failover block sentinel pipelines (MULTI, SLAVEOF, CONFIG REWRITE,
// CLIENT KILL, EXEC) only queues under the mapped names; the old names are unknown on the nodes,
// and a SLAVEOF sent by its old name would make EXEC abort. The failover still completes.
import t from 'tap';
import { RawClient } from '../support/resp-client.js';
import { role, startGroup, stopAll, untilFollows, writeKeys, missing } from '../support/ha-nodes.js';
import { untilNewMaster, watchGroup } from '../support/sentinel.js';

const RENAMES: [string, string][] = [['CONFIG', 'cfg-7f3a'], ['SLAVEOF', 'follow-7f3a'], ['REPLICAOF', 'follow2-7f3a']];
const ARGS = RENAMES.flatMap(([from, to]) => ['--rename-command', from, to]);

t.test('failover through sentinel rename-command', async (t) => {
  const nodes = await startGroup(2, ARGS);
  t.teardown(() => stopAll(nodes));
  const [master, r1, r2] = nodes;
  const c = await RawClient.connect(master.port);
  t.match(await c.send('SLAVEOF', 'NO', 'ONE'), { t: 'error', v: /^ERR unknown command 'SLAVEOF'/ }, 'SLAVEOF is unknown on the nodes');
  t.match(await c.send('CONFIG', 'GET', 'port'), { t: 'error', v: /^ERR unknown command 'CONFIG'/ }, 'CONFIG is unknown on the nodes');
  c.close();
  const ss = await watchGroup(t, nodes, { renames: RENAMES });
  await writeKeys(master.port, 'k', 500);

  await master.p.kill9();
  const promoted = await untilNewMaster(ss, master.port);
  t.ok(promoted === r1.port || promoted === r2.port, 'a replica is the new master');
  const other = promoted === r1.port ? r2 : r1;
  t.equal(await role(promoted), 'master', 'the replica promoted by the renamed SLAVEOF NO ONE is a master');
  await untilFollows(other.port, promoted);
  t.pass('the other replica follows the new master (renamed SLAVEOF host port)');
  t.equal(await missing(promoted, 'k', 500), 0, 'nothing acknowledged is lost');
});
