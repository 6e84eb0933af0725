// Backups that go wrong: a full disk (a small tmpfs) fails the backup with a clear error,
// rdb_last_bgsave_status:err and no partial copy, the live data untouched; kill -9 during a backup
// leaves the live data intact and no complete-looking backup.
import t from 'tap';
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { type RespdbProc } from './support/servers.js';
import { RawClient } from './support/resp-client.js';
import { backupHarness, persistenceInfo, text, untilPersistence } from './support/backup.js';

const { root, start } = backupHarness('respdb-backup-fail-');
const info = persistenceInfo;
const until = untilPersistence;

async function fill(c: RawClient, n: number, size: number): Promise<void> {
  const cmds: string[][] = [];
  for (let i = 0; i < n; i++) cmds.push(['SET', `k:${i}`, String(i).padEnd(size, '.')]);
  await c.pipeline(cmds);
}

/** Waits for a log line (logs are written asynchronously). */
async function logged(p: RespdbProc, re: RegExp): Promise<void> {
  while (!re.test(p.output())) await new Promise((r) => setTimeout(r, 20));
}

const isRoot = process.getuid?.() === 0;

t.test('a full disk fails the backup cleanly; the live data is untouched', { skip: isRoot ? false : 'mounting a tmpfs needs root' }, async (t) => {
  const small = path.join(root, 'small');
  fs.mkdirSync(small);
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=2m', 'tmpfs', small]);
  t.teardown(() => execFileSync('umount', ['-l', small]));
  const live = await start(['--dump-path', small]);
  const c = await RawClient.connect(live.port);
  t.teardown(() => c.close());
  await fill(c, 3000, 2000); // ~6 MB: more than the tmpfs holds
  const saved = await c.send('SAVE');
  t.equal(saved.t, 'error');
  t.match(text(saved), /^error:ERR Backup failed: .*No space left on device/i, 'the cause is named');
  const f = await info(c);
  t.equal(f.get('rdb_last_bgsave_status'), 'err');
  t.equal(f.get('rdb_bgsave_in_progress'), '0');
  t.same(fs.readdirSync(small), [], 'the partial copy was removed');
  await logged(live, /backup failed/);
  t.pass('a log line says so');
  t.equal(text(await c.send('BGSAVE')), 'simple:Background saving started');
  const f2 = await until(c, (x) => x.get('rdb_bgsave_in_progress') === '0');
  t.equal(f2.get('rdb_last_bgsave_status'), 'err');
  t.same(fs.readdirSync(small), []);
  // the live data, and writes, go on
  t.equal(text(await c.send('DBSIZE')), '(integer) 3000');
  t.equal(text(await c.send('GET', 'k:2999')), text({ t: 'bulk', v: Buffer.from('2999'.padEnd(2000, '.')) }));
  t.equal(text(await c.send('SET', 'after', '1')), 'simple:OK');
  // with room again, the next backup succeeds
  await c.send('CONFIG', 'SET', 'dump-path', path.join(root, 'roomy'));
  t.equal(text(await c.send('SAVE')), 'simple:OK');
  t.equal((await info(c)).get('rdb_last_bgsave_status'), 'ok');
});

t.test('kill -9 during a backup: live data intact, no complete-looking backup', async (t) => {
  const dumps = path.join(root, 'killed');
  const live = await start(['--dump-path', dumps]);
  const c = await RawClient.connect(live.port);
  await fill(c, 2000, 100);
  await c.send('CONFIG', 'SET', 'rdb-key-save-delay', '5000');
  t.equal(text(await c.send('BGSAVE')), 'simple:Background saving started');
  await until(c, (f) => Number(f.get('backup_current_records_copied')) > 0);
  await c.close();
  await live.kill9();
  const left = fs.readdirSync(dumps);
  t.equal(left.length, 1);
  t.match(left[0], /^\..*\.tmp$/, 'only a temporary directory, which no one takes for a backup');
  await live.restart();
  const c2 = await RawClient.connect(live.port);
  t.teardown(() => c2.close());
  t.equal(text(await c2.send('DBSIZE')), '(integer) 2000');
  t.equal(text(await c2.send('GET', 'k:1234')), text({ t: 'bulk', v: Buffer.from('1234'.padEnd(100, '.')) }));
  t.same(fs.readdirSync(dumps), [], 'the leftover was removed at startup');
  await logged(live, /incomplete backup/);
  t.pass('the removal is logged');
});

