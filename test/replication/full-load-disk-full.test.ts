// A full-sync load that fills the disk (its data set on a tmpfs too small for it) fails, leaves
// the old data exactly as it was and gives the space back; the server goes on taking writes.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { startRedis } from '../support/servers.js';
import { formatReply } from '../support/resp-client.js';
import { loadFullSync } from '../../lib/replication/full-load.js';
import { OLD, figures, leftovers, redisRdb, startInProcess } from './full-load-support.js';

/** A fresh tmpfs of `size`, or null when this process may not mount one. */
function tmpfs(size: string): string | null {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'respdb-test-loadfull-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir], { stdio: 'ignore' });
  } catch {
    fs.rmSync(dir, { recursive: true, force: true });
    return null;
  }
  return dir;
}

t.test('a load that fills the disk fails and leaves the old data', async (t) => {
  const dir = tmpfs('24m');
  if (dir === null) return t.plan(0, 'cannot mount a tmpfs here (not root)');
  const redis = await startRedis({ args: ['--enable-debug-command', 'yes'] });
  // about 40 MB once loaded
  const file = await redisRdb(redis, [['DEBUG', 'POPULATE', '150000', 'pop', '200']]);
  const node = await startInProcess({ shards: 2, dir, args: ['--disk-free-reserve', '1mb'] });
  t.teardown(async () => {
    await node.stop();
    await redis.stop();
    // lazily: this process keeps its read-only views of the shards mapped until it exits
    execFileSync('umount', ['-l', dir]);
    fs.rmSync(dir, { recursive: true, force: true });
  });
  const c = await node.client();
  await c.pipeline(OLD);
  const before = await figures(c);
  const err = await loadFullSync(node.server, file).then(() => null, (e: Error) => e);
  t.match(err?.message, /could not be loaded: .*(No space left|ENOSPC|EIO|MDB_MAP_FULL|input\/output)/i, 'the load fails for lack of room');
  t.same(await figures(c), before, 'the old data is intact');
  t.same(leftovers(dir), [], 'nothing left behind');
  t.equal(formatReply(await c.send('SET', 'after', 'x')), '+"OK"', 'writes are taken again');
});
