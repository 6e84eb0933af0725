// A respdb process killed (kill -9) in the middle of a full-sync load restarts with its old data
// intact and no leftover directory; one killed after the new data set was complete and
// committed (some shards already swapped, others not) restarts with the new data set whole.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { REPO_ROOT, spawnTracked, startRedis, startRespdb } from '../support/servers.js';
import { RawClient } from '../support/resp-client.js';
import { OLD, figures, leftovers, redisRdb } from './full-load-support.js';

const CHILD = path.join(REPO_ROOT, 'dist', 'test', 'replication', 'load-child.js');
const RDB_TOOL = path.join(REPO_ROOT, 'dist', 'bin', 'rdb.js');

t.test('kill -9 during a full-sync load, then restart', async (t) => {
  const redis = await startRedis({ args: ['--enable-debug-command', 'yes'] });
  t.teardown(() => redis.stop());
  const rc = await RawClient.connect(redis.port, redis.host);
  t.teardown(() => rc.close());
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'respdb-test-loadcrash-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const importInto = (rdb: string, into: string): void => {
    execFileSync(process.execPath, [RDB_TOOL, 'import', rdb, '--dir', into, '--shards', '2', '--databases', '16'], { stdio: 'ignore' });
  };
  // the old data: OLD, written into redis-server and imported (a load gives what redis-server holds)
  await rc.pipeline(OLD);
  const before = await figures(rc);
  await rc.send('SAVE');
  importInto(path.join(redis.dir, 'dump.rdb'), dir);
  await rc.send('FLUSHALL');
  const file = await redisRdb(redis, [['DEBUG', 'POPULATE', '50000', 'pop', '64']]);
  const want = await figures(rc);

  const child = spawnTracked(process.execPath, [CHILD, dir, file], { stdio: ['ignore', 'pipe', 'inherit'] });
  const midLoad = await new Promise<boolean>((resolve) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if ([...out.matchAll(/progress (\d+)\n/g)].some((m) => Number(m[1]) > 0)) resolve(!out.includes('loaded'));
    });
    child.once('exit', () => resolve(false));
  });
  t.ok(midLoad, 'the load had begun and not finished');
  child.kill('SIGKILL');
  await new Promise((r) => child.once('exit', r));
  t.same(leftovers(dir), ['.full-sync'], 'the killed load left its directory');

  let node = await startRespdb({ dir, shards: 2 });
  let c = await RawClient.connect(node.port, node.host);
  t.same(await figures(c), before, 'after the restart: the old data, intact');
  t.same(leftovers(dir), [], 'no leftover directory');
  await c.close();
  await node.stop();

  // killed after the commit, half way through the renames: shard 0 swapped, shard 1 not
  importInto(file, path.join(dir, '.full-sync'));
  fs.writeFileSync(path.join(dir, '.full-sync', 'commit'), JSON.stringify({ stamp: 'x' }) + '\n');
  fs.mkdirSync(path.join(dir, '.full-sync.old'));
  fs.renameSync(path.join(dir, 'shard-0'), path.join(dir, '.full-sync.old', 'shard-0'));
  fs.renameSync(path.join(dir, '.full-sync', 'shard-0'), path.join(dir, 'shard-0'));
  node = await startRespdb({ dir, shards: 2 });
  c = await RawClient.connect(node.port, node.host);
  const got = await figures(c);
  t.equal(got.digest, want.digest, 'after the restart: the new data set, whole (digest)');
  t.same(got.sizes, want.sizes, 'DBSIZE of every database');
  t.same(leftovers(dir), [], 'no leftover directory');
  await c.close();
  await node.stop();
});
