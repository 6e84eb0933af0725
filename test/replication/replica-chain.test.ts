// respdb all the way: a master, its replica, and a replica of that replica (a chain forwards the
// stream byte for byte: one replid, one offset space). The middle node promoted with REPLICAOF
// NO ONE: its replica goes on by partial resync (+CONTINUE with the new id: replid2 is the old).

import t from 'tap';
import { RawClient, type Reply } from '../support/resp-client.js';
import { startRespdb } from '../support/servers.js';
import { caughtUp, digest, field, until } from '../support/replica.js';
import { getInfo } from '../support/info.js';

function text(r: Reply): string {
  if (r.t === 'simple' || r.t === 'error') return r.v;
  if (r.t === 'bulk' && r.v !== null) return r.v.toString();
  if (r.t === 'int') return String(r.v);
  return JSON.stringify(r);
}

t.test('master -> replica -> sub-replica, all respdb; the middle one promoted', async (t) => {
  const [a, b, c] = await Promise.all([startRespdb({ shards: 3 }), startRespdb({ shards: 2 }), startRespdb({ shards: 1 })]);
  t.teardown(() => Promise.all([a.stop(), b.stop(), c.stop()]));
  const ca = await RawClient.connect(a.port);
  const cb = await RawClient.connect(b.port);
  const cc = await RawClient.connect(c.port);
  t.teardown(() => Promise.all([ca.close(), cb.close(), cc.close()]));
  await ca.pipeline([['MSET', 'k1', '1', 'k2', '2', 'k3', '3'], ['RPUSH', 'l', 'x', 'y'], ['HSET', 'h', 'f', 'v'], ['INCR', 'n']]);
  // set up in any order: the sub-replica first
  t.equal(text(await cc.send('REPLICAOF', '127.0.0.1', String(b.port))), 'OK');
  t.equal(text(await cb.send('REPLICAOF', '127.0.0.1', String(a.port))), 'OK');
  await caughtUp(ca, cb);
  await caughtUp(ca, cc);
  for (let i = 0; i < 50; i++) await ca.send('INCR', 'n');
  await ca.send('MSET', 'x{1}', '1', 'x{2}', '2');
  await caughtUp(ca, cb);
  await caughtUp(ca, cc);
  t.equal(await digest(cb), await digest(ca), 'the replica holds the master data');
  t.equal(await digest(cc), await digest(ca), 'and so does the replica of the replica');
  const ia = await getInfo(ca, 'replication');
  const ic = await getInfo(cc, 'replication');
  t.equal(ic.f.get('master_replid'), ia.f.get('master_replid'), 'one replid along the chain');
  t.equal(ic.f.get('slave_repl_offset'), ia.f.get('master_repl_offset'), 'one offset space');

  // the middle node becomes a master; its replica follows it by partial resync
  const before = Number(await field(cb, 'sync_partial_ok', 'stats'));
  t.equal(text(await cb.send('REPLICAOF', 'NO', 'ONE')), 'OK');
  t.equal(text(await cb.send('INCR', 'n')), '52', 'writes on the promoted node');
  await until('the sub-replica to continue by partial resync', async () => Number(await field(cb, 'sync_partial_ok', 'stats')) > before);
  await caughtUp(cb, cc);
  t.equal(text(await cc.send('GET', 'n')), '52', 'the sub-replica follows the new master');
  const ib = await getInfo(cb, 'replication');
  t.equal(ib.f.get('master_replid2'), ia.f.get('master_replid'), "the promoted node's replid2 is the old history");
  t.equal((await getInfo(cc, 'replication')).f.get('master_replid'), ib.f.get('master_replid'), 'the sub-replica took the new id');
});
