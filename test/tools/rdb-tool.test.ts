import t from 'tap';
import fs from 'node:fs';
import path from 'node:path';
import { REDIS_CASES } from '../rdb/redis-cases.js';
import { REPO_ROOT, spawnTracked, startRedis, startRespdb } from '../support/servers.js';
import { RawClient, type Reply } from '../support/resp-client.js';

const BIN = path.join(REPO_ROOT, 'dist', 'bin', 'rdb.js');
const OK: Reply = { t: 'simple', v: 'OK' };

interface Run {
  code: number | null;
  stdout: Buffer;
  stderr: string;
}

function cli(args: string[]): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawnTracked(process.execPath, [BIN, ...args], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    const stdout: Buffer[] = [];
    let stderr = '';
    child.stdout!.on('data', (b: Buffer) => stdout.push(b));
    child.stderr!.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout: Buffer.concat(stdout), stderr });
    });
  });
}

const digest = async (c: RawClient) => JSON.stringify(await c.send('DEBUG', 'DIGEST'));

t.test('redis-server SAVE -> import -> respdb, and export -> redis-server: the same DEBUG DIGEST', async (t) => {
  const redis = await startRedis({ args: ['--enable-debug-command', 'yes'] });
  t.teardown(() => redis.stop());
  const c = await RawClient.connect(redis.port);
  t.teardown(() => c.close());
  for (const db of [0, 2]) {
    t.same(await c.send('SELECT', String(db)), OK);
    for (const cs of REDIS_CASES) {
      if (cs.name === 'stream-groups') continue;
      await c.send('CONFIG', 'SET', 'list-max-listpack-size', '-2', 'list-compress-depth', '0', 'stream-node-max-bytes', '4096', 'stream-node-max-entries', '100');
      for (const [k, v] of cs.config ?? []) await c.send('CONFIG', 'SET', k, v);
      for (const cmd of cs.build(`${cs.name}:${db}`)) await c.send(...cmd);
    }
    const cmds: string[][] = [];
    for (let i = 0; i < 2000; i++) cmds.push(['SET', `k:{${i % 50}}:${i}`, String(i)]);
    for (let i = 0; i < 2000; i += 9) cmds.push(['PEXPIREAT', `k:{${i % 50}}:${i}`, String(4_000_000_000_000 + i)]);
    await c.pipeline(cmds);
  }
  await c.send('SELECT', '0');
  const source = await digest(c);
  t.same(await c.send('SAVE'), OK);
  const dump = path.join(redis.dir, 'dump.rdb');
  const dir = path.join(redis.dir, 'respdb-data');

  const imported = await cli(['import', dump, '--dir', dir, '--shards', '3']);
  t.equal(imported.code, 0, imported.stderr);
  t.match(imported.stderr, /imported \d+ keys \(db0=\d+ db2=\d+\)/);
  const again = await cli(['import', dump, '--dir', dir, '--shards', '3']);
  t.equal(again.code, 2, 'a directory with data is refused');
  t.match(again.stderr, /already holds a respdb data set: use --replace/);

  const respdb = await startRespdb({ dir, shards: 3 });
  try {
    const r = await RawClient.connect(respdb.port);
    t.equal(await digest(r), source, "respdb's DEBUG DIGEST after the import is redis-server's");
    t.same(await r.send('DBSIZE'), await c.send('DBSIZE'));
    r.close();
  } finally {
    await respdb.stop();
  }

  const out = path.join(redis.dir, 'exported.rdb');
  const exported = await cli(['export', '--dir', dir]);
  t.equal(exported.code, 0, exported.stderr);
  t.match(exported.stderr, /exported \d+ keys/);
  fs.writeFileSync(out, exported.stdout);
  const loaded = await startRedis({ args: ['--enable-debug-command', 'yes', '--dir', path.dirname(out), '--dbfilename', 'exported.rdb'] });
  t.teardown(() => loaded.stop());
  const c2 = await RawClient.connect(loaded.port);
  t.teardown(() => c2.close());
  t.equal(await digest(c2), source, "redis-server loading the export has the source's DEBUG DIGEST");

  // a stream with consumer groups: refused, or imported without them
  await c.send('FLUSHALL');
  for (const cmd of REDIS_CASES.find((x) => x.name === 'stream-groups')!.build('s')) await c.send(...cmd);
  t.same(await c.send('SAVE'), OK);
  const refused = await cli(['import', dump, '--dir', dir, '--replace']);
  t.equal(refused.code, 2);
  t.match(refused.stderr, /consumer groups.*--drop-stream-groups/);
  const dropped = await cli(['import', dump, '--dir', dir, '--replace', '--drop-stream-groups', '--shards', '3']);
  t.equal(dropped.code, 0, dropped.stderr);
  t.match(dropped.stderr, /3 stream consumer groups dropped/);
  t.ok(fs.existsSync(path.join(dir, 'shard-2')));

  const usage = await cli(['import', '--dir', dir]);
  t.equal(usage.code, 2);
  t.match(usage.stderr, /import needs the RDB file/);
});
