// INFO's values move with what the server does: keys after writes, commands and bytes counted,
// commits and fsyncs of the shards, LMDB pages, the binlog, timeouts of blocked clients. Every
// figure comes from counters, so each is checked against what the test did.

import t from 'tap';
import { startRespdb } from './support/servers.js';
import { RawClient } from './support/resp-client.js';
import { sleep, untilBlocked } from './support/clients.js';
import { getInfo, num, subFields, type Info } from './support/info.js';

/** Sum of one field of the shardN lines of INFO respdb. */
function shardSum(i: Info, field: string): number {
  let n = 0;
  for (const [k, v] of i.f) if (/^shard\d+$/.test(k)) n += Number(subFields(v)[field]);
  return n;
}

/** INFO until `ok` holds for it (figures the shards sample once a second), or fails after a while. */
async function untilInfo(c: RawClient, ok: (i: Info) => boolean, what: string): Promise<Info> {
  for (let i = 0; i < 100; i++) {
    const info = await getInfo(c, 'everything');
    if (ok(info)) return info;
    await sleep(50);
  }
  throw new Error(`INFO never showed ${what}`);
}

t.test('INFO values follow the work done', async (t) => {
  const shards = 2;
  const srv = await startRespdb({ shards, args: ['--appendfsync', 'everysec'] });
  t.teardown(() => srv.stop());
  const c = await RawClient.connect(srv.port);
  const other = await RawClient.connect(srv.port);
  t.teardown(() => Promise.all([c.close(), other.close()]));

  t.test('bytes and socket operations', async (t) => {
    const a = (await getInfo(c, 'stats')).f;
    await c.send('PING');
    const b = (await getInfo(c, 'stats')).f;
    // PING (*1 $4 PING: 14 bytes) and the second INFO stats (*2 $4 INFO $5 stats: 25 bytes)
    t.equal(num(b, 'total_net_input_bytes') - num(a, 'total_net_input_bytes'), 14 + 25);
    t.equal(num(b, 'total_reads_processed') - num(a, 'total_reads_processed'), 2);
    // +PONG\r\n (7 bytes) and the first INFO's reply at least
    t.ok(num(b, 'total_net_output_bytes') - num(a, 'total_net_output_bytes') > 7 + 100);
    t.equal(num(b, 'total_writes_processed') - num(a, 'total_writes_processed'), 2);
  });

  t.test('keys, commands, commits, pages, binlog after writes', async (t) => {
    const before = await getInfo(c, 'everything');
    t.equal(shardSum(before, 'keys'), 0);
    t.equal(shardSum(before, 'queue_depth'), 0, 'nothing queued when idle');
    t.ok(num(before.f, 'data_file_bytes') > 0 && num(before.f, 'data_disk_bytes') > 0, 'data files exist');
    const value = 'v'.repeat(2000);
    const n = 300;
    await Promise.all(Array.from({ length: n }, (_, i) => c.send('SET', `k${i}`, value)));
    await c.send('SELECT', '3');
    await c.send('SET', 'in3', 'x', 'EX', '500');
    await c.send('SELECT', '0');
    const after = await getInfo(c, 'everything');
    t.equal(after.f.get('db0'), `keys=${n},expires=0,avg_ttl=0`);
    t.match(after.f.get('db3'), /^keys=1,expires=1,avg_ttl=\d+$/);
    t.equal(shardSum(after, 'keys'), n + 1, 'keys per shard add up');
    t.equal(shardSum(after, 'expires'), 1);
    t.ok(num(after.f, 'total_commands_processed') - num(before.f, 'total_commands_processed') >= n + 3);
    t.match(after.f.get('cmdstat_set'), new RegExp(`^calls=${n + 1},`));
    const commits = shardSum(after, 'commits');
    t.ok(commits > shardSum(before, 'commits'), `commits grew (${shardSum(before, 'commits')} -> ${commits})`);
    t.equal(num(after.f, 'commits'), commits, 'total commits');
    t.ok(shardSum(after, 'commit_usec') > 0, 'commit time measured');
    // sampled by the shards: the pages holding 600 KB of values, the binlog of the writes, the fsync
    const usedBefore = shardSum(before, 'used_pages');
    const sampled = await untilInfo(
      c,
      (i) => shardSum(i, 'used_pages') >= usedBefore + 100 && shardSum(i, 'binlog_bytes') >= n * 2000 && shardSum(i, 'fsyncs') > shardSum(before, 'fsyncs'),
      'the pages, binlog and fsync of the writes',
    );
    t.ok(shardSum(sampled, 'pages') >= shardSum(sampled, 'used_pages'));
    t.equal(shardSum(sampled, 'free_pages'), shardSum(sampled, 'pages') - shardSum(sampled, 'used_pages'));
    t.equal(num(sampled.f, 'binlog_bytes'), shardSum(sampled, 'binlog_bytes'));
    t.ok(shardSum(sampled, 'fsync_usec') > 0, 'fsync time measured');
    const ttl = Number(subFields(sampled.f.get('db3')).avg_ttl);
    t.ok(ttl > 400_000 && ttl <= 500_000, `avg_ttl ${ttl} of a key with 500 s`);
    for (let s = 0; s < shards; s++) {
      const f = subFields(sampled.f.get(`shard${s}`));
      t.ok(Number(f.page_size) >= 4096, 'page size');
      t.ok(Number(f.map_bytes) >= Number(f.pages) * Number(f.page_size), 'the map holds the pages');
    }
  });

  t.test('hits, misses, expired keys, latency percentiles', async (t) => {
    const a = (await getInfo(c, 'stats')).f;
    await c.send('GET', 'k1');
    await c.send('GET', 'nosuch');
    await c.send('SET', 'short', 'x', 'PX', '1');
    await sleep(5);
    await c.send('GET', 'short');
    const b = (await getInfo(c, 'everything')).f;
    t.equal(num(b, 'keyspace_hits') - num(a, 'keyspace_hits'), 1);
    t.equal(num(b, 'keyspace_misses') - num(a, 'keyspace_misses'), 2);
    // A direct read sees the key as missing; the shard counts it when it deletes it (lazily or in
    // its expiry tick), so give that tick a moment.
    let expired = num(b, 'expired_keys') - num(a, 'expired_keys');
    for (let i = 0; i < 100 && expired < 1; i++) {
      await sleep(20);
      expired = num((await getInfo(c, 'stats')).f, 'expired_keys') - num(a, 'expired_keys');
    }
    t.ok(expired >= 1, 'the expired key is counted');
    t.equal(num(b, 'evicted_keys'), 0);
    const p = subFields(b.get('latency_percentiles_usec_set'));
    t.ok(Number(p.p50) > 0 && Number(p.p50) <= Number(p.p99) && Number(p.p99) <= Number(p['p99.9']), `set: ${b.get('latency_percentiles_usec_set')}`);
    t.match(b.get('used_cpu_user_main_thread'), /^\d+\.\d{6}$/);
  });

  t.test('blocked clients with a timeout', async (t) => {
    await other.send('CLIENT', 'SETNAME', 'waiter');
    const waiting = other.send('BLPOP', 'nolist', '30');
    await untilBlocked(c, 1);
    let f = (await getInfo(c, 'clients')).f;
    t.equal(num(f, 'blocked_clients'), 1);
    t.equal(num(f, 'clients_in_timeout_table'), 1);
    await c.send('RPUSH', 'nolist', 'x');
    await waiting;
    f = (await getInfo(c, 'clients')).f;
    t.equal(num(f, 'clients_in_timeout_table'), 0);
  });
});
