// Chains of respdb nodes set up in any order, with a real redis-server at the end: C follows B
// before B follows A; a writer on A waits for one replica's acknowledgement (WAIT 1) after every
// write; B is killed (-9) and restarted mid-load; B is promoted while C keeps following, and A
// comes back as a replica of B. Every acknowledged write is on every node, DEBUG DIGEST is equal
// everywhere, and the reconnections after the first sync are partial resyncs.
import t from 'tap';
import { freePort, startRedis, startRespdb, type RespdbProc } from '../support/servers.js';
import { RawClient } from '../support/resp-client.js';
import { getInfo } from '../support/info.js';
import { caughtUp, digest, field, until } from '../support/replica.js';

async function node(): Promise<{ p: RespdbProc; port: number }> {
  const port = await freePort();
  return { p: await startRespdb({ shards: 2, args: ['--port', String(port)] }), port };
}

t.test('A -> B -> C -> redis-server, built backwards, B crashed, B promoted, A demoted', async (t) => {
  const [a, b, c] = [await node(), await node(), await node()];
  t.teardown(async () => {
    await Promise.all([a.p.stop(), b.p.stop(), c.p.stop()].map((x) => x.catch(() => undefined)));
  });
  const ca = await RawClient.connect(a.port);
  let cb = await RawClient.connect(b.port);
  const cc = await RawClient.connect(c.port);
  t.teardown(() => [ca, cb, cc].forEach((x) => x.close()));
  await ca.send('SET', 'seed', '1');

  // C follows B before B follows anyone, then B follows A
  t.same(await cc.send('REPLICAOF', '127.0.0.1', String(b.port)), { t: 'simple', v: 'OK' });
  await caughtUp(cb, cc);
  t.same(await cb.send('REPLICAOF', '127.0.0.1', String(a.port)), { t: 'simple', v: 'OK' });
  await caughtUp(ca, cb);
  await caughtUp(cb, cc);
  t.equal(await field(cc, 'master_replid'), await field(ca, 'master_replid'), 'the chain shares the top master replid');
  const redis = await startRedis({ args: ['--enable-debug-command', 'yes', '--replicaof', '127.0.0.1', String(c.port)] });
  t.teardown(() => redis.stop());
  const cr = await RawClient.connect(redis.port);
  t.teardown(() => cr.close());
  await caughtUp(cc, cr);

  // a writer: every write acknowledged by a replica (WAIT 1) is remembered
  const acked: number[] = [];
  let writing = true;
  const writer = (async () => {
    for (let i = 0; writing; i++) {
      await ca.send('SET', `w:${i}`, String(i));
      await ca.send('INCR', 'counter');
      const n = await ca.send('WAIT', '1', '200');
      if (n.t === 'int' && n.v >= 1n) acked.push(i);
    }
  })();
  await until('some acknowledged writes', async () => acked.length > 50);
  // kill -9 of the middle node; it comes back and continues
  await b.p.kill9();
  await b.p.restart(['--replicaof', `127.0.0.1 ${a.port}`]);
  cb = await RawClient.connect(b.port);
  await until('writes acknowledged after the restart', async () => {
    const before = acked.length;
    await new Promise((r) => setTimeout(r, 300));
    return acked.length > before;
  });
  writing = false;
  await writer;
  await caughtUp(ca, cb);
  await caughtUp(cb, cc);
  await caughtUp(cc, cr);
  const d = await digest(ca);
  t.equal(await digest(cb), d, 'B holds what A holds');
  t.equal(await digest(cc), d, 'C holds what A holds');
  t.equal(await digest(cr), d, 'the redis-server replica of C holds what A holds');
  let missing = 0;
  for (const i of acked) if ((await cc.send('GET', `w:${i}`)).t !== 'bulk') missing++;
  t.equal(missing, 0, `every one of the ${acked.length} acknowledged writes is on C`);
  if (!t.ok(Number((await getInfo(cb, 'stats')).f.get('sync_partial_ok')) >= 1, 'C continued from the restarted B with a partial resync')) {
    t.comment(b.p.output().split('\n').filter((l) => /sync|PSYNC|resum|offset/i.test(l)).slice(-15).join('\n'));
    t.comment(c.p.output().split('\n').filter((l) => /sync|PSYNC|resum|offset/i.test(l)).slice(-15).join('\n'));
  }

  // B promoted: C continues by partial resync; A restarted as a replica of B continues too
  const fullB = Number((await getInfo(cb, 'stats')).f.get('sync_full'));
  t.same(await cb.send('REPLICAOF', 'NO', 'ONE'), { t: 'simple', v: 'OK' });
  await cb.send('SET', 'after-promotion', '1');
  ca.close();
  await a.p.restart(['--replicaof', `127.0.0.1 ${b.port}`]);
  const ca2 = await RawClient.connect(a.port);
  t.teardown(() => ca2.close());
  await caughtUp(cb, cc);
  await caughtUp(cb, ca2, 30000);
  await caughtUp(cc, cr);
  const d2 = await digest(cb);
  t.equal(await digest(cc), d2);
  t.equal(await digest(ca2), d2, 'A, now a replica of B, holds what B holds');
  t.equal(await digest(cr), d2);
  t.equal((await getInfo(ca2, 'replication')).f.get('role'), 'slave');
  const stats = (await getInfo(cb, 'stats')).f;
  t.equal(Number(stats.get('sync_full')), fullB, 'neither C nor the demoted A needed a full sync from B');
});
