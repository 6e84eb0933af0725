// A replica's full-sync load (lib/replication/full-load.ts) on an in-process server holding other
// data: afterwards the server answers what the redis-server that wrote the RDB answers (digest,
// DBSIZE, INFO keyspace), nothing of the old data remains, no directory is left behind, and a
// restart serves the new data.
import t from 'tap';
import { startRedis } from '../support/servers.js';
import { formatReply } from '../support/resp-client.js';
import { loadFullSync } from '../../lib/replication/full-load.js';
import { OLD, figures, leftovers, redisRdb, startInProcess } from './full-load-support.js';


t.test('a full-sync load replaces the data with the RDB file of a redis-server', async (t) => {
  const redis = await startRedis({ args: ['--enable-debug-command', 'yes'] });
  t.teardown(() => redis.stop());
  const node = await startInProcess({ shards: 2 });
  t.teardown(() => node.stop());
  const file = await redisRdb(redis);
  const c = await node.client();
  await c.pipeline(OLD);
  const sha = String((await c.send('SCRIPT', 'LOAD', 'return 42') as { v: Buffer }).v);
  const beforeOld = await figures(c);
  t.not(beforeOld.sizes[0], '(integer) 0');

  // blocked on a key the load creates: the load does not wake it (as on a Redis replica), a push does
  const blocked = await node.client();
  await blocked.send('SELECT', '3');
  const popped = blocked.send('BLPOP', 'db3:l', '0');
  while (!/blocked_clients:1/.test(formatReply(await c.send('INFO', 'clients')))) await new Promise((r) => setTimeout(r, 10));
  const progress: number[] = [];
  const r = await loadFullSync(node.server, file, { onProgress: (b, total) => progress.push(b / total) });
  t.ok(r.keys > 20, `keys loaded: ${r.keys}`);
  t.equal(progress[progress.length - 1], 1, 'progress reaches the whole file');

  const rc = await (await import('../support/resp-client.js')).RawClient.connect(redis.port, redis.host);
  t.teardown(() => rc.close());
  const want = await figures(rc);
  const got = await figures(c);
  t.equal(got.digest, want.digest, 'DEBUG DIGEST equals redis-server');
  t.same(got.sizes, want.sizes, 'DBSIZE of every database');
  t.same(got.keyspace, want.keyspace, 'INFO keyspace keys and expires');
  t.match(formatReply(await c.send('INFO', 'clients')), /blocked_clients:1/, 'the client blocked on a key the load created is still blocked');
  const [, pushed] = await c.pipeline([['SELECT', '3'], ['RPUSH', 'db3:l', 'y']]);
  await c.send('SELECT', '0');
  t.equal(formatReply(pushed), '(integer) 2');
  t.match(formatReply(await popped), /db3:l[\s\S]*x/, 'a push wakes it: it pops the head the load brought');
  await rc.pipeline([['SELECT', '3'], ['RPUSH', 'db3:l', 'y'], ['LPOP', 'db3:l'], ['SELECT', '0']]);

  t.equal(formatReply(await c.send('EXISTS', 'old:plain', 'old:list', 'old:set', 'old:ttl', 'old:db0-after-swapdb')), '(integer) 0', 'keys only the old data had are gone');
  t.equal(formatReply(await c.send('GET', 's:int')), formatReply(await rc.send('GET', 's:int')), 'a key both had holds the new value');
  const [, db3] = await c.pipeline([['SELECT', '3'], ['GET', 'old:db3']]);
  t.equal(formatReply(db3), '(nil bulk)');
  await c.send('SELECT', '0');
  t.equal(formatReply(await c.send('EVALSHA', sha, '0')), '(integer) 42', 'saved scripts are kept');
  t.match(formatReply(await c.send('INFO', 'memory')), /lazyfree_pending_objects:0/, 'no garbage of the old data is pending');
  t.same(leftovers(node.dir), [], 'no .full-sync directory is left');
  // writes go on normally over the new data set, and the binlog sequence continues
  t.equal(formatReply(await c.send('LPUSH', 'l:small', 'front')), formatReply(await rc.send('LPUSH', 'l:small', 'front')));
  // plain SETs over a collection and over a key with an expiry (the plain-keys filter came with the new set)
  for (const cmd of [['SET', 'h:big', 'x'], ['SET', 'ttl:s', 'plain'], ['TTL', 'ttl:s'], ['TYPE', 'h:big']]) {
    t.equal(formatReply(await c.send(...cmd)), formatReply(await rc.send(...cmd)), cmd.join(' '));
  }
  const now = await figures(c);
  t.same(now, await figures(rc), 'digest, DBSIZE and INFO keyspace equal after writes');

  // a restart serves the new data set
  await node.server.shutdown();
  const again = await startInProcess({ shards: 2, dir: node.dir });
  t.teardown(() => again.stop());
  const c2 = await again.client();
  t.equal((await figures(c2)).digest, formatReply(await rc.send('DEBUG', 'DIGEST')), 'the new data set after a restart');
  t.equal(formatReply(await c2.send('EVALSHA', sha, '0')), '(integer) 42', 'saved scripts after a restart');
});

