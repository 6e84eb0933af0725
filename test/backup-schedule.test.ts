// Backups' housekeeping: dump-expire removes old backups (at startup and after each one), the
// `save` schedule saves by itself, SHUTDOWN SAVE / NOSAVE / default (saves when a schedule is set).
import t from 'tap';
import fs from 'node:fs';
import path from 'node:path';
import { type RespdbProc } from './support/servers.js';
import { RawClient } from './support/resp-client.js';
import { backupHarness, text, untilPersistence } from './support/backup.js';

const { root, start } = backupHarness('respdb-backup-sched-');
const until = untilPersistence;

/** Waits for a log line (logs are written asynchronously). */
async function logged(p: RespdbProc, re: RegExp): Promise<void> {
  while (!re.test(p.output())) await new Promise((r) => setTimeout(r, 20));
}

t.test('dump-expire, the save schedule, SHUTDOWN SAVE / NOSAVE / default', async (t) => {
  const dumps = path.join(root, 'house');
  const old = path.join(dumps, 'bk-20200101000000');
  fs.mkdirSync(old, { recursive: true });
  fs.writeFileSync(path.join(old, 'respdb.json'), '{}');
  fs.mkdirSync(path.join(dumps, 'not-a-backup'));
  const live = await start(['--dump-path', dumps, '--dump-prefix', 'bk-', '--dump-expire', '1']);
  t.notOk(fs.existsSync(old), 'an expired backup goes at startup');
  fs.mkdirSync(old);
  fs.writeFileSync(path.join(old, 'respdb.json'), '{}');
  const c = await RawClient.connect(live.port);
  await c.send('SET', 'a', '1');
  t.equal(text(await c.send('SAVE')), 'simple:OK');
  const names = fs.readdirSync(dumps).sort();
  t.equal(names.length, 2, 'the old backup went after the new one');
  t.match(names[0], /^bk-\d{14}$/);
  t.equal(names[1], 'not-a-backup', 'what is not a backup stays');

  // save <seconds> <changes>: a BGSAVE once both are met
  await c.send('CONFIG', 'SET', 'save', '1 2');
  await c.send('SET', 'b', '1');
  await c.send('SET', 'c', '1');
  const f = await until(c, (x) => x.get('rdb_saves') === '2' && x.get('rdb_bgsave_in_progress') === '0');
  t.equal(f.get('rdb_changes_since_last_save'), '0');
  t.equal(f.get('rdb_last_bgsave_status'), 'ok');
  await logged(live, /changes in 1 seconds\. Saving\.\.\./);
  t.pass('the schedule logs why it saves');

  // a configured schedule: SHUTDOWN saves, NOSAVE does not
  const count = (): number => fs.readdirSync(dumps).filter((n) => n.startsWith('bk-')).length;
  const n0 = count();
  await c.send('CONFIG', 'SET', 'save', '3600 1000000');
  c.send('SHUTDOWN', 'NOSAVE').catch(() => {});
  await new Promise<void>((r) => live.proc.once('exit', () => r()));
  t.equal(count(), n0, 'NOSAVE: no backup');
  await live.restart(['--save', '3600 1000000']);
  const c2 = await RawClient.connect(live.port);
  c2.send('SHUTDOWN').catch(() => {});
  await new Promise<void>((r) => live.proc.once('exit', () => r()));
  t.equal(count(), n0 + 1, 'a save schedule: SHUTDOWN saves');
  await live.restart();
  const c3 = await RawClient.connect(live.port);
  c3.send('SHUTDOWN', 'SAVE').catch(() => {});
  await new Promise<void>((r) => live.proc.once('exit', () => r()));
  t.equal(count(), n0 + 2, 'SHUTDOWN SAVE saves');
  await c.close().catch(() => {});
  await c2.close().catch(() => {});
  await c3.close().catch(() => {});
});
