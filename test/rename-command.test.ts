// rename-command as redis-server 7.0.15 has it, both started with the same renames: the old name
// is unknown, the new one works in any letter case, "" disables a command, subcommand containers
// keep their subcommands under the new name, MULTI queues by the new names, scripts' redis.call
// uses them, COMMAND INFO finds a command by its new name; bad renames stop the server at startup
// with Redis's message; replication keeps applying with the same renames on both ends, from a
// respdb master (canonical names in its stream) and from a redis-server master (its clients'
// names beside its own rewrites).
import t from 'tap';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { diff, freePort, pair, RESPDB_BIN, spawnTracked, startRespdb, type Pair } from './support/servers.js';
import { RawClient } from './support/resp-client.js';
import { caughtUp, field, startMaster, until } from './support/replica.js';

async function ttl(c: RawClient, key: string): Promise<number> {
  const r = await c.send('TTL', key);
  return r.t === 'int' ? Number(r.v) : NaN;
}

const RENAMES = ['--rename-command', 'get', 'fetch', '--rename-command', 'SET', 'store', '--rename-command', 'flushall', '""', '--rename-command', 'config', 'settings', '--rename-command', 'EXPIRE', 'ttl-in'];

t.test('renamed and disabled commands, beside redis-server', async (t) => {
  const p: Pair = await pair(t, { args: RENAMES, redisArgs: RENAMES });
  await diff(t, p, [
    ['STORE', 'k', 'v'],
    ['store', 'k2', 'v2'],
    ['fetch', 'k'],
    ['FeTcH', 'k2'],
    ['GET', 'k'],
    ['set', 'k', 'x'],
    ['FLUSHALL'],
    ['flushall', 'async'],
    ['CONFIG', 'GET', 'port'],
    ['SETTINGS', 'GET', 'maxmemory-policy'],
    ['settings', 'get', 'rename-command'],
    ['settings', 'set', 'rename-command', 'x'],
    ['settings', 'rewrite'],
    ['settings', 'nosuch'],
    ['ttl-in', 'k', '100'],
    ['expire', 'k', '100'],
    ['TTL', 'k'],
    ['COMMAND', 'INFO', 'get', 'fetch'],
    ['COMMAND', 'GETKEYS', 'store', 'a', 'b'],
    ['COMMAND', 'GETKEYS', 'set', 'a', 'b'],
    ['EVAL', "return redis.call('fetch', KEYS[1])", '1', 'k'],
    ['EVAL', "return redis.call('get', KEYS[1])", '1', 'k'],
    ['EVAL', "return redis.pcall('flushall')", '0'],
    ['EVAL', "return redis.call('store', KEYS[1], 'from-lua')", '1', 'k3'],
    ['fetch', 'k3'],
    ['DBSIZE'],
  ], { label: 'renames' });
  // MULTI queues by the new names; an old name aborts the transaction
  await diff(t, p, [['MULTI'], ['store', 'm', '1'], ['fetch', 'm'], ['settings', 'get', 'maxmemory-policy'], ['EXEC']], { label: 'multi' });
  await diff(t, p, [['MULTI'], ['store', 'm', '2'], ['get', 'm'], ['EXEC'], ['fetch', 'm']], { label: 'multi, old name' });
});

t.test('a bad rename stops the server at startup with Redis messages', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'respdb-rename-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const cases: [string[], string][] = [
    [['--rename-command', 'get', 'set'], 'Target command name already exists'],
    [['--rename-command', 'nosuch', 'x'], 'No such command in rename-command'],
    [['--rename-command', 'get'], 'Bad directive or wrong number of arguments'],
    [['--rename-command', 'get', 'x', '--rename-command', 'get', 'y'], 'No such command in rename-command'],
  ];
  for (const [args, message] of cases) {
    const redis = spawnSync('redis-server', ['--port', '0', ...args], { encoding: 'utf8' });
    t.match(redis.stdout + redis.stderr, message, `redis-server ${args.join(' ')}`);
    const respdb = spawnSync(process.execPath, [RESPDB_BIN, '--port', '0', '--dir', dir, ...args], { encoding: 'utf8', timeout: 20000 });
    t.equal(respdb.status, 1, `respdb ${args.join(' ')} exits`);
    t.match(respdb.stderr, `: ${message}`, `respdb ${args.join(' ')}: ${message}`);
  }
  // from the config file, the line at fault is named
  const conf = path.join(dir, 'respdb.conf');
  fs.writeFileSync(conf, 'rename-command get set\n');
  const bad = spawnSync(process.execPath, [RESPDB_BIN, conf, '--port', '0', '--dir', dir], { encoding: 'utf8', timeout: 20000 });
  t.match(bad.stderr, "line 1 >>> 'rename-command get set': Target command name already exists");
});

t.test('CONFIG REWRITE under its new name keeps the rename-command lines', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'respdb-rename-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const conf = path.join(dir, 'respdb.conf');
  fs.writeFileSync(conf, `rename-command CONFIG "sentinel-config"\nrename-command get a\nrename-command a b\ndir ${path.join(dir, 'data')}\n`);
  fs.mkdirSync(path.join(dir, 'data'));
  const port = await freePort();
  const proc = spawnTracked(process.execPath, [RESPDB_BIN, conf, '--port', String(port), '--shards', '1'], { stdio: 'ignore' });
  t.teardown(() => new Promise<void>((resolve) => (proc.exitCode !== null ? resolve() : (proc.once('exit', () => resolve()), proc.kill('SIGTERM')))));
  let c: RawClient | null = null;
  await until('respdb to listen', async () => (c = await RawClient.connect(port).catch(() => null)) !== null, 20000);
  t.teardown(() => c!.close());
  c = c!;
  t.same(await c.send('sentinel-config', 'SET', 'maxclients', '123'), { t: 'simple', v: 'OK' });
  t.same(await c.send('SENTINEL-CONFIG', 'REWRITE'), { t: 'simple', v: 'OK' });
  const text = fs.readFileSync(conf, 'utf8');
  t.match(text, /^rename-command CONFIG "sentinel-config"$/m);
  t.match(text, /^rename-command a b$/m);
  t.match(text, /^maxclients 123$/m);
  await c.send('SET', 'k', 'v');
  t.same(await c.send('b', 'k'), { t: 'bulk', v: Buffer.from('v') }, 'renames chain in order');
  t.match(await c.send('a', 'k'), { t: 'error' });
});

t.test('replication with the same renames on both ends', async (t) => {
  // respdb -> respdb: the master's stream names commands canonically
  const m = await startRespdb({ args: RENAMES });
  t.teardown(() => m.stop());
  const r = await startRespdb({ args: [...RENAMES, '--replicaof', `127.0.0.1 ${m.port}`] });
  t.teardown(() => r.stop());
  const cm = await RawClient.connect(m.port);
  const cr = await RawClient.connect(r.port);
  t.teardown(() => [cm, cr].forEach((c) => c.close()));
  await caughtUp(cm, cr);
  await cm.send('store', 'a', '1');
  await cm.send('ttl-in', 'a', '1000');
  await cm.send('MULTI');
  await cm.send('store', 'b', '2');
  await cm.send('INCR', 'n');
  await cm.send('EXEC');
  await caughtUp(cm, cr);
  t.same(await cr.send('fetch', 'a'), { t: 'bulk', v: Buffer.from('1') }, 'respdb -> respdb: a renamed SET applied');
  t.same(await cr.send('fetch', 'b'), { t: 'bulk', v: Buffer.from('2') }, 'respdb -> respdb: a renamed SET inside MULTI applied');
  t.ok((await ttl(cr, 'a')) > 0, 'the renamed EXPIRE applied');

  // redis-server -> respdb: "store" as its client sent it, PEXPIREAT and SET ... PXAT as Redis rewrote them
  const rm = await startMaster(RENAMES);
  t.teardown(() => rm.stop());
  const crm = await RawClient.connect(rm.port);
  t.teardown(() => crm.close());
  t.same(await cr.send('REPLICAOF', '127.0.0.1', String(rm.port)), { t: 'simple', v: 'OK' });
  await caughtUp(crm, cr);
  await crm.send('store', 'x', '1');
  await crm.send('ttl-in', 'x', '1000');
  await crm.send('store', 'y', '2', 'EX', '1000');
  await crm.send('EVAL', "return redis.call('store', KEYS[1], 'lua')", '1', 'z');
  await caughtUp(crm, cr);
  for (const [k, v] of [['x', '1'], ['y', '2'], ['z', 'lua']]) t.same(await cr.send('fetch', k), { t: 'bulk', v: Buffer.from(v) }, `redis -> respdb: ${k}`);
  for (const k of ['x', 'y']) t.ok((await ttl(cr, k)) > 0, `redis -> respdb: ${k} has its expiry`);
  t.equal(await field(cr, 'master_link_status'), 'up', 'the link stayed up');
});
