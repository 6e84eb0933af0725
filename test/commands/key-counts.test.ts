// Key counts (DBSIZE, INFO keyspace) against redis-server 7.0 when plain SET and MSET overwrite
// keys of every kind. A SET without options writes without reading the old record unless the key
// may hold an expiry or a collection (lib/store/plain-keys.ts), and the keys it creates are counted
// from LMDB's entry count: pipelines put such writes and the counts into one shard batch, beside
// SELECT, SWAPDB, FLUSHDB and FLUSHALL; a restart rebuilds what the shard knows from the records.
import t, { type Test } from 'tap';
import { diff, pair, pipelineDiff } from '../support/servers.js';
import { RawClient, formatReply, type Reply } from '../support/resp-client.js';

type Cmd = (string | Buffer)[];
const cs = (...lines: string[]): Cmd[] => lines.map((s) => s.split(' '));

/** The keys= and expires= counts of INFO keyspace (avg_ttl depends on timing). */
function counts(r: Reply): string {
  const s = r.t === 'bulk' && r.v ? r.v.toString('latin1') : formatReply(r);
  return (s.match(/db\d+:keys=\d+,expires=\d+/g) ?? []).join(' ');
}

async function sameCounts(t: Test, p: { redis: RawClient; respdb: RawClient }, label: string): Promise<void> {
  t.equal(counts(await p.respdb.send('INFO', 'keyspace')), counts(await p.redis.send('INFO', 'keyspace')), `${label}: INFO keyspace counts`);
}

async function samePipeline(t: Test, p: { redis: RawClient; respdb: RawClient }, cmds: Cmd[], label: string): Promise<void> {
  t.equal(await pipelineDiff(p, cmds), null, `${label}: the pipeline's replies`);
}

for (const shards of [1, 2]) {
  t.test(`shards=${shards}`, async (t) => {
    const p = await pair(t, { shards });

    await t.test('plain SET and MSET over new keys, strings, volatile keys and collections, in one pipeline', async (t) => {
      await samePipeline(t, p, cs(
        'SET a 1', 'SET b 2', 'DBSIZE', 'SET a 3', 'DBSIZE', 'MSET c 1 d 2 a 4', 'DBSIZE',
        'SET v1 x EX 1000', 'SET v2 x PX 100000', 'HSET h f v', 'RPUSH l x', 'SADD s m', 'ZADD z 1 m', 'DBSIZE',
        'SET v1 y', 'SET h y', 'SET l y', 'MSET s y z y v2 y', 'DBSIZE', 'TTL v1', 'TTL v2', 'TYPE h', 'TYPE z', 'GET s',
        'DEL a', 'SET a 1', 'DBSIZE', 'SET e 1 EX 100', 'SET e 2', 'TTL e', 'SET e 3 KEEPTTL', 'SET e 4 PX 50000', 'SET e 5', 'TTL e', 'DBSIZE',
      ), 'first pipeline');
      await sameCounts(t, p, 'after the overwrites');
    });

    await t.test('the other databases: SELECT, SWAPDB, FLUSHDB and FLUSHALL between the writes', async (t) => {
      await samePipeline(t, p, cs(
        'SELECT 1', 'SET a 1', 'SET b 1', 'SET a 2', 'DBSIZE', 'SELECT 0', 'DBSIZE', 'SWAPDB 0 1', 'DBSIZE', 'SET q 1', 'SET a 9', 'DBSIZE',
        'SWAPDB 0 1', 'DBSIZE', 'SELECT 1', 'DBSIZE', 'GET q', 'SELECT 0', 'MSET m1 1 m2 2', 'SELECT 2', 'MSET m1 1 m2 2 m3 3', 'DBSIZE', 'SELECT 0',
      ), 'databases');
      await sameCounts(t, p, 'after SWAPDB');
      await samePipeline(t, p, cs('SET f1 1', 'FLUSHDB', 'SET x 1', 'SET x 2', 'DBSIZE', 'SELECT 1', 'DBSIZE', 'SELECT 0'), 'FLUSHDB');
      await sameCounts(t, p, 'after FLUSHDB');
      await samePipeline(t, p, cs('SET v 1 EX 100', 'HSET h f v', 'FLUSHALL', 'SET v 1', 'SET h 1', 'MSET a 1 b 2 a 3', 'DBSIZE', 'TTL v'), 'FLUSHALL');
      await sameCounts(t, p, 'after FLUSHALL');
    });

    await t.test('many keys of every kind, then a plain SET over each', async (t) => {
      await diff(t, p, [['FLUSHALL']]);
      const make: Cmd[] = [];
      const over: Cmd[] = [];
      for (let i = 0; i < 3000; i++) {
        const k = `key:${i}`;
        const kind = i % 5;
        if (kind === 0) make.push(['SET', k, 'v', 'EX', '1000']);
        else if (kind === 1) make.push(['HSET', k, 'f', 'v']);
        else if (kind === 2) make.push(['SADD', k, 'm']);
        else if (kind === 3) make.push(['SET', k, 'v']);
        over.push(i % 2 === 0 ? ['SET', k, 'w'] : ['MSET', k, 'w', `new:${i}`, 'n']);
      }
      await samePipeline(t, p, make, 'creating');
      await sameCounts(t, p, 'created');
      await samePipeline(t, p, [...over, ['DBSIZE']], 'overwriting');
      await sameCounts(t, p, 'overwritten');
      await samePipeline(t, p, [['TTL', 'key:0'], ['TYPE', 'key:1'], ['TYPE', 'key:2'], ['DBSIZE']], 'overwritten keys');
    });

    await t.test('after a restart: keys written before it are known for what they are', async (t) => {
      await diff(t, p, [['FLUSHALL']]);
      const before: Cmd[] = [];
      for (let i = 0; i < 200; i++) before.push(i % 2 ? ['SET', `r:${i}`, 'v', 'EX', '1000'] : ['ZADD', `r:${i}`, '1', 'm']);
      await samePipeline(t, p, before, 'before the restart');
      await p.respdbProc.restart();
      const respdb = await RawClient.connect(p.respdbProc.port, p.respdbProc.host);
      t.teardown(() => respdb.close());
      const q = { redis: p.redis, respdb };
      const after: Cmd[] = [];
      for (let i = 0; i < 200; i++) after.push(['SET', `r:${i}`, 'w']);
      await samePipeline(t, q, [...after, ['DBSIZE'], ['TTL', 'r:1'], ['TYPE', 'r:0']], 'after the restart');
      await sameCounts(t, q, 'after the restart');
    });
  });
}
