// Reads while a full-sync load runs are answered from the old data, then, from the swap on, from
// the new one: a client reading in a loop never gets an error, and one MGET over keys on every
// shard never mixes the two data sets.
import t from 'tap';
import { startRedis } from '../support/servers.js';
import { formatReply } from '../support/resp-client.js';
import { loadFullSync } from '../../lib/replication/full-load.js';
import { redisRdb, startInProcess } from './full-load-support.js';

const KEYS = Array.from({ length: 16 }, (_, i) => `mk:${i}`);

t.test('reads during a full-sync load: old data until the swap, new data after, never a mix', async (t) => {
  const redis = await startRedis({ args: ['--enable-debug-command', 'yes'] });
  t.teardown(() => redis.stop());
  const file = await redisRdb(redis, [['DEBUG', 'POPULATE', '30000', 'pop', '20'], ['MSET', ...KEYS.flatMap((k) => [k, 'new'])]]);
  const node = await startInProcess({ shards: 3 });
  t.teardown(() => node.stop());
  t.equal(new Set(KEYS.map((k) => node.server.shards.of(Buffer.from(k)))).size, 3, 'the keys are on every shard');
  const c = await node.client();
  await c.send('MSET', ...KEYS.flatMap((k) => [k, 'old']));

  const states: string[] = [];
  const singles: string[] = [];
  let loading = true;
  let readsWhileLoading = 0;
  const reader = (async () => {
    const r = await node.client();
    while (loading) {
      const [m, g] = await r.pipeline([['MGET', ...KEYS], ['GET', 'mk:0']]);
      if (loading) readsWhileLoading++;
      const text = formatReply(m);
      const olds = (text.match(/old/g) ?? []).length;
      const news = (text.match(/new/g) ?? []).length;
      states.push(olds === KEYS.length ? 'old' : news === KEYS.length ? 'new' : `mixed or failed: ${text}`);
      singles.push(formatReply(g));
    }
  })();
  const result = await loadFullSync(node.server, file);
  // a few more rounds after the swap
  const after = states.length;
  while (states.length < after + 3) await new Promise((r) => setTimeout(r, 5));
  loading = false;
  await reader;
  t.ok(result.keys > 30000);
  t.ok(readsWhileLoading > 3, `reads were answered during the load (${readsWhileLoading})`);
  t.same(states.filter((s) => s !== 'old' && s !== 'new'), [], 'every MGET is all old or all new');
  const firstNew = states.indexOf('new');
  t.ok(firstNew > 0, 'old values first');
  t.ok(states.slice(firstNew).every((s) => s === 'new'), 'new values from the swap on');
  t.same(singles.filter((s) => s !== '"old"' && s !== '"new"'), [], 'GET never fails');
});
