// Partial resynchronization of a respdb replica with a redis-server 7.0 master, INCRs running on
// the master all along (a command applied twice or skipped would show in the counter and the
// digest): after the master drops the link, after a restart of the replica, and after kill -9 of
// the replica mid-stream. The master counts each in sync_partial_ok, and no second full sync.

import t from 'tap';
import { RawClient, formatReply } from '../support/resp-client.js';
import { startRespdb } from '../support/servers.js';
import { caughtUp, digest, field, sleep, startMaster, until } from '../support/replica.js';

/** INCRs (and a SET per batch, on both shards) on the master until stopped. */
function writer(port: number): { stop(): Promise<number> } {
  let running = true;
  let batches = 0;
  const done = (async () => {
    const c = await RawClient.connect(port);
    while (running) {
      const cmds: string[][] = [];
      for (let i = 0; i < 20; i++) cmds.push(['INCR', 'counter'], ['INCR', `c{${i}}`]);
      cmds.push(['SET', `k${batches % 500}`, String(batches)], ['MULTI'], ['INCR', 'tx{a}'], ['INCR', 'tx{b}'], ['EXEC']);
      await c.pipeline(cmds);
      batches++;
      await sleep(2);
    }
    await c.close();
    return batches;
  })();
  return {
    stop: async () => {
      running = false;
      return done;
    },
  };
}

t.test('partial resync after a dropped link, a restart and kill -9 of the replica', async (t) => {
  const master = await startMaster(['--repl-backlog-size', '64mb']);
  t.teardown(() => master.stop());
  const m = await RawClient.connect(master.port);
  t.teardown(() => m.close());
  await m.send('SET', 'before', '1');
  const replica = await startRespdb({ shards: 2, args: ['--replicaof', '127.0.0.1', String(master.port)] });
  t.teardown(() => replica.stop());
  let r = await RawClient.connect(replica.port);
  await caughtUp(m, r);
  t.equal(await field(m, 'sync_full', 'stats'), '1', 'one full sync (replicaof from the command line)');

  const w = writer(master.port);
  const partials = async () => Number(await field(m, 'sync_partial_ok', 'stats'));
  await sleep(200);

  // the master drops the link
  await m.send('CLIENT', 'KILL', 'TYPE', 'replica');
  await until('a partial resync after the dropped link', async () => (await partials()) === 1);
  await sleep(200);

  // a clean restart of the replica
  await r.close();
  await replica.restart();
  r = await RawClient.connect(replica.port);
  await until('a partial resync after the restart', async () => (await partials()) === 2);
  await sleep(300);

  // kill -9 in the middle of the stream
  await r.close();
  await replica.kill9();
  await sleep(100);
  await replica.restart();
  r = await RawClient.connect(replica.port);
  await until('a partial resync after kill -9', async () => (await partials()) === 3);
  await sleep(200);

  const batches = await w.stop();
  t.ok(batches > 10, `the writer ran (${batches} batches)`);
  await caughtUp(m, r);
  t.equal(await field(m, 'sync_full', 'stats'), '1', 'no other full sync');
  t.equal(formatReply(await r.send('GET', 'counter')), formatReply(await m.send('GET', 'counter')), 'the counter: every INCR applied once');
  t.equal(formatReply(await r.send('GET', 'tx{a}')), formatReply(await m.send('GET', 'tx{a}')), 'the transactions: each applied once');
  const same = (await digest(r)) === (await digest(m));
  if (!same) {
    const names = [...Array.from({ length: 20 }, (_, i) => `c{${i}}`), ...Array.from({ length: 500 }, (_, i) => `k${i}`), 'tx{b}', 'before'];
    const a = await r.send('MGET', ...names);
    const b = await m.send('MGET', ...names);
    const av = a.t === 'array' ? a.v! : [];
    const bv = b.t === 'array' ? b.v! : [];
    names.forEach((n, i) => {
      if (formatReply(av[i]) !== formatReply(bv[i])) t.comment(`${n}: replica ${formatReply(av[i])} master ${formatReply(bv[i])}`);
    });
    t.comment(`dbsize replica ${formatReply(await r.send('DBSIZE'))} master ${formatReply(await m.send('DBSIZE'))}`);
  }
  t.ok(same, 'same data (digest)');
  await r.close();
});
