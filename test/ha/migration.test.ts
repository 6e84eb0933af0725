// Migrating a live redis-server 7.0 into respdb: REPLICAOF on respdb while a writer runs against
// redis (before, during and after the full sync), the writer stops, the offsets meet, DEBUG
// DIGEST and each database's DBSIZE are equal, a subscriber on respdb got the master's PUBLISHes,
// REPLICAOF NO ONE, an ioredis application switched to respdb reads its data and writes, and
// respdb keeps it all across a restart.
//
// Stream consumer groups are not part of it: respdb has none (no XGROUP / XREADGROUP); its full
// sync loads a stream's entries without its groups (the log counts them), and DEBUG DIGEST does
// not cover groups on redis either.

import t from 'tap';
import { Redis } from 'ioredis';
import { RawClient, replyString, type Reply } from '../support/resp-client.js';
import { startRespdb } from '../support/servers.js';
import { caughtUp, digest, field, sleep, startMaster, until } from '../support/replica.js';
import { BINARY_KEY, BINARY_VALUE, checkEncodings, fillRedis } from './migration-data.js';
import { CHANNEL, MigrationWriter } from './migration-writer.js';

const DATABASES = 16;

async function dbsizes(c: RawClient): Promise<number[]> {
  const out: number[] = [];
  for (let db = 0; db < DATABASES; db++) {
    const [, n] = await c.pipeline([['SELECT', String(db)], ['DBSIZE']]);
    out.push(n.t === 'int' ? Number(n.v) : -1);
  }
  await c.send('SELECT', '0');
  return out;
}

const syncing = async (r: RawClient) => (await field(r, 'master_sync_in_progress')) === '1';

t.test('a live redis-server migrated into respdb under a running writer', async (t) => {
  const redis = await startMaster();
  t.teardown(() => redis.stop());
  const respdb = await startRespdb({ shards: 2 });
  t.teardown(() => respdb.stop());
  const m = await RawClient.connect(redis.port);
  const blocker = await RawClient.connect(redis.port);
  const r = await RawClient.connect(respdb.port);
  const sub = await RawClient.connect(respdb.port);
  t.teardown(() => Promise.all([m.close(), blocker.close(), r.close(), sub.close()]));

  await fillRedis(m, 1000);
  t.same(await checkEncodings(m), [], 'redis-server holds every encoding its RDB writes');
  // the RDB child sleeps per key, so the full sync lasts long enough for writes to land inside it
  await m.send('CONFIG', 'SET', 'rdb-key-save-delay', '500');

  t.same(await sub.send('SUBSCRIBE', CHANNEL), { t: 'array', v: [{ t: 'bulk', v: Buffer.from('subscribe') }, { t: 'bulk', v: Buffer.from(CHANNEL) }, { t: 'int', v: 1 }] });
  const received: string[] = [];
  const reading = (async () => {
    for (;;) {
      let msg: Reply;
      try {
        msg = await sub.readReply(60000);
      } catch {
        return;
      }
      if (msg.t === 'array' && msg.v && msg.v.length === 3) received.push(replyString(msg.v[2]));
    }
  })();

  const writer = new MigrationWriter(m, blocker);
  for (let i = 0; i < 5; i++) await writer.step();

  t.equal(replyString(await r.send('REPLICAOF', '127.0.0.1', String(redis.port))), 'OK');
  await until('the full sync to start', () => syncing(r));
  let duringSync = 0;
  while (duringSync < 60 && (await syncing(r))) {
    await writer.step();
    if (await syncing(r)) duringSync++;
  }
  t.ok(duringSync > 0, `writes during the full sync (${duringSync} rounds of every write)`);
  await m.send('CONFIG', 'SET', 'rdb-key-save-delay', '0');
  await until('the link to come up', async () => (await field(r, 'master_link_status')) === 'up');
  const liveFrom = writer.steps;
  for (let i = 0; i < 40; i++) await writer.step();
  t.comment(`${writer.steps} writer rounds: ${duringSync} during the full sync, ${writer.steps - liveFrom} on the live stream`);

  // redis deletes the keys that expired (a DEL in its stream): half when touched, the rest by its
  // active expiry
  for (const k of writer.shortLived.filter((_, i) => i % 2 === 0)) await m.send('EXISTS', k);
  await until('redis to expire the short-lived keys', async () => Number(await field(m, 'expired_keys', 'stats')) >= writer.shortLived.length);
  await caughtUp(m, r);
  t.equal(await field(r, 'slave_repl_offset'), await field(m, 'master_repl_offset'), "respdb's offset = the master's");
  t.equal(await digest(r), await digest(m), 'DEBUG DIGEST equal');
  t.notMatch(respdb.output(), /respdb does not have/, 'every command of the stream is one respdb has');
  t.match(respdb.output(), /"streamGroupsDropped":1,/, "the stream's consumer group was dropped by the full sync, and the log says so");
  t.same(await dbsizes(r), await dbsizes(m), 'DBSIZE equal in each database');
  for (const k of ['ttl:str', 'ttl:hash', 'w:ex:0', 'w:px:0']) {
    const [a, b] = [await r.send('PTTL', k), await m.send('PTTL', k)];
    const [ra, rb] = [a.t === 'int' ? Number(a.v) : -9, b.t === 'int' ? Number(b.v) : -9];
    t.ok(ra > 0 && Math.abs(ra - rb) < 60000, `${k}: the same expiry (${ra} / ${rb} ms)`);
  }
  t.equal(replyString(await r.send('GET', 'w:persist:0')), 'p');
  t.same(await r.send('TTL', 'w:persist:0'), { t: 'int', v: -1 }, 'GETEX PERSIST: no expiry');
  await until('the last PUBLISH on respdb', async () => received.at(-1) === writer.published.at(-1));
  t.same(received.slice(-(writer.steps - liveFrom)), writer.published.slice(liveFrom), "the master's PUBLISHes reached a subscriber on respdb, in order");

  // a key past its expiry on redis whose DEL has not come yet (active expiry off there, nobody
  // reads it): missing on respdb, and gone for good once respdb is the master
  await m.send('DEBUG', 'SET-ACTIVE-EXPIRE', '0');
  await m.send('SET', 'late:expiry', 'v', 'PX', '50');
  await caughtUp(m, r);
  await sleep(100);
  t.same(await r.send('GET', 'late:expiry'), { t: 'bulk', v: null }, 'an expired key reads as missing on the replica before its DEL');
  const withIt = (await dbsizes(r))[0];

  // the switch-over as an operator does it: writes paused on redis, respdb at redis's offset, NO ONE
  t.equal(replyString(await m.send('CLIENT', 'PAUSE', '30000', 'WRITE')), 'OK');
  await caughtUp(m, r);
  t.equal(replyString(await r.send('REPLICAOF', 'NO', 'ONE')), 'OK');
  t.equal(await field(r, 'role'), 'master');
  t.same(await r.send('EXISTS', 'late:expiry'), { t: 'int', v: 0 });
  await until('the expired key to be deleted on respdb', async () => (await dbsizes(r))[0] === withIt - 1);
  const app = new Redis({ port: respdb.port, lazyConnect: true, maxRetriesPerRequest: 1 });
  t.teardown(() => app.disconnect());
  await app.connect();
  t.equal(await app.get('str:long'), 'compress me please '.repeat(40), 'the application reads a migrated string');
  t.same(await app.hgetall('hash:small'), { f1: 'v1', n: '12', neg: '-5' });
  t.equal(await app.llen('list:big'), 2000);
  t.same(await app.lrange('list:plain', 0, -1), ['before', 'p'.repeat(5000), 'after', 'z'.repeat(3000)]);
  t.same(await app.zrange('zset:small', '0', '-1', 'WITHSCORES'), ['bottom', '-inf', 'c', '-3', 'a', '1', 'b', '2.5', 'top', 'inf']);
  t.same(await app.xrange('stream:s', '-', '+'), [['1-1', ['a', '1', 'b', '2']], ['2-0', ['other', 'fields']], ['3-0', ['a', '5', 'b', '6']]]);
  t.ok((await app.getBuffer(BINARY_KEY))?.equals(BINARY_VALUE), 'binary key and value');
  t.equal(await app.incr('w:tx'), writer.steps + 1, 'the application writes where redis left off');
  t.equal(await app.set('app:new', 'written on respdb'), 'OK');
  await app.select(2);
  t.equal(await app.hget('w:db2hash', 'n'), String(writer.steps), 'other databases');
  app.disconnect();

  await redis.stop();
  const before = await digest(r);
  const sizes = await dbsizes(r);
  await r.close();
  await sub.close();
  await reading;
  await respdb.restart();
  const again = await RawClient.connect(respdb.port);
  t.teardown(() => again.close());
  t.equal(await field(again, 'role'), 'master', 'a master after the restart');
  t.equal(await digest(again), before, 'the data survives a restart');
  t.same(await dbsizes(again), sizes);
  t.equal(replyString(await again.send('GET', 'app:new')), 'written on respdb');
});
