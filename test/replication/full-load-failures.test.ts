// A full-sync load that fails (truncated file, bad checksum, not an RDB file, missing file) or is
// cancelled leaves the old data exactly as it was (digest, DBSIZE, INFO keyspace) and nothing
// behind; one load runs at a time.
import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { startRedis } from '../support/servers.js';
import { loadFullSync, FullLoadError } from '../../lib/replication/full-load.js';
import { OLD, figures, leftovers, redisRdb, startInProcess } from './full-load-support.js';

t.test('a corrupt file or a cancelled load leaves the old data as it was', async (t) => {
  const redis = await startRedis({ args: ['--enable-debug-command', 'yes'] });
  t.teardown(() => redis.stop());
  const file = await redisRdb(redis, [['DEBUG', 'POPULATE', '20000', 'pop', '20']]);
  const node = await startInProcess({ shards: 2 });
  t.teardown(() => node.stop());
  const c = await node.client();
  await c.pipeline(OLD);
  const before = await figures(c);
  const bytes = fs.readFileSync(file);
  const cases: Array<[string, Buffer]> = [
    ['truncated', bytes.subarray(0, Math.floor(bytes.length / 2))],
    ['bad checksum', Buffer.concat([bytes.subarray(0, bytes.length - 1), Buffer.from([bytes[bytes.length - 1] ^ 0xff])])],
    ['not an RDB file', Buffer.from('hello, this is not an RDB file at all')],
  ];
  for (const [what, content] of cases) {
    const bad = path.join(node.dir, `bad-${what.replace(/ /g, '-')}.rdb`);
    fs.writeFileSync(bad, content);
    await t.rejects(loadFullSync(node.server, bad), /the RDB file could not be loaded/, `${what}: the load fails`);
    t.same(await figures(c), before, `${what}: the old data is intact`);
    t.same(leftovers(node.dir), [], `${what}: nothing left behind`);
    fs.rmSync(bad);
  }
  await t.rejects(loadFullSync(node.server, path.join(node.dir, 'missing.rdb')), /ENOENT/, 'a missing file');

  const ac = new AbortController();
  const p = loadFullSync(node.server, file, { signal: ac.signal, onProgress: (b) => b > 0 && ac.abort() });
  const err = await p.then(() => null, (e: unknown) => e);
  t.ok(err instanceof FullLoadError && err.cancelled, 'a cancelled load rejects as cancelled');
  t.same(await figures(c), before, 'cancelled: the old data is intact');
  t.same(leftovers(node.dir), [], 'cancelled: nothing left behind');

  const first = loadFullSync(node.server, file);
  await t.rejects(loadFullSync(node.server, file), /already in progress/, 'one load at a time');
  t.ok((await first).keys > 20000, 'the first one completes');
  t.same(leftovers(node.dir), []);
});
