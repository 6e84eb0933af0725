// -BUSY and SCRIPT KILL, which Sentinel relies on: while a read-only script runs past
// busy-reply-threshold, respdb answers what redis-server answers (PING, INFO, CLIENT, PUBLISH...
// get -BUSY; MULTI and SCRIPT KILL run). Under redis-sentinel, a master busy in a script goes
// SDOWN for the sentinel with the short down-after-milliseconds, which sends it SCRIPT KILL; the
// master recovers without a failover (the other two sentinels wait 60 s before calling it down,
// so the quorum of 2 is never reached and the test does not depend on a race between the kill
// and the other sentinels' votes).
import t from 'tap';
import { diff, pair, type Pair } from '../support/servers.js';
import { RawClient, type Reply } from '../support/resp-client.js';
import { until } from '../support/replica.js';
import { role, startGroup, stopAll } from '../support/ha-nodes.js';
import { masterPort, onEvent, watchGroup } from '../support/sentinel.js';

const LOOP = 'local i = 0 while true do i = i + 1 end';

/** Starts the endless script on a new connection; resolves with its reply once it ends. */
async function busyScript(port: number): Promise<{ done: Promise<Reply>; close(): void }> {
  const c = await RawClient.connect(port, '127.0.0.1', { replyTimeoutMs: 0 });
  const done = c.send('EVAL', LOOP, '0');
  done.catch(() => undefined);
  return { done, close: () => c.close() };
}

async function untilBusy(c: RawClient): Promise<void> {
  await until('the script to be busy', async () => {
    const r = await c.send('PING');
    return r.t === 'error' && r.v.startsWith('BUSY');
  });
}

t.test('while a script is busy, beside redis-server', async (t) => {
  const p: Pair = await pair(t, { args: ['--busy-reply-threshold', '100'], redisArgs: ['--busy-reply-threshold', '100'] });
  const scripts = [await busyScript(p.redisPort), await busyScript(p.respdbPort)];
  t.teardown(() => scripts.forEach((s) => s.close()));
  await untilBusy(p.redis);
  await untilBusy(p.respdb);
  await diff(t, p, [
    ['PING'],
    ['INFO'],
    ['INFO', 'replication'],
    ['CLIENT', 'SETNAME', 'x'],
    ['CLIENT', 'KILL', 'TYPE', 'normal'],
    ['PUBLISH', '__sentinel__:hello', 'x'],
    ['GET', 'k'],
    ['SLAVEOF', 'NO', 'ONE'],
    ['FUNCTION', 'KILL'],
    ['MULTI'],
    ['PING'],
    ['DISCARD'],
    ['SCRIPT', 'KILL'],
  ], { label: 'busy' });
  const [redisEnd, respdbEnd] = await Promise.all(scripts.map((s) => s.done));
  t.same(respdbEnd, redisEnd, 'the killed script gets the same error');
  await diff(t, p, [['PING'], ['SCRIPT', 'KILL']], { label: 'after the kill' });
});

t.test('sentinel sends SCRIPT KILL to a busy master and no failover happens', async (t) => {
  const nodes = await startGroup(1, ['--busy-reply-threshold', '100']);
  t.teardown(() => stopAll(nodes));
  const [master] = nodes;
  const ss = await watchGroup(t, nodes, { downAfterMs: [1000, 60000, 60000] });
  const sdown = await onEvent(ss.list[0], '+sdown');
  const back = await onEvent(ss.list[0], '-sdown');
  t.teardown(() => [sdown, back].forEach((x) => x.close()));

  const script = await busyScript(master.port);
  t.teardown(() => script.close());
  const end = await script.done;
  t.match(end, { t: 'error', v: /^ERR Script killed by user with SCRIPT KILL/ }, 'the script was killed with SCRIPT KILL');
  t.match((await sdown.next).text, new RegExp(`^master ${ss.name} 127\\.0\\.0\\.1 ${master.port}$`), 'the master was subjectively down');
  t.match((await back.next).text, new RegExp(`^master ${ss.name} 127\\.0\\.0\\.1 ${master.port}$`), 'and came back');
  t.equal(await role(master.port), 'master', 'still the master');
  for (const s of ss.list) t.equal(await masterPort(s, ss.name), master.port, `sentinel ${s.port} still names it`);
});
