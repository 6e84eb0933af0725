// Sentinel and twemproxy together: nutcracker in front of two respdb shards, the first one a master
// with a respdb replica watched by 3 redis-sentinels whose client-reconfig-script is the shipped
// tools/nutcracker-reconfig.sh. After a kill -9 of that master, Sentinel promotes the replica, the
// script points the server named after the Sentinel master at the promoted replica (the other
// shard's line untouched) and asks for a restart; after it every key reads back through the proxy
// and writes go to the new master. The script's own cases (a name that is a prefix of another,
// a second run, an unknown name) without servers.
import t from 'tap';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { execFile, type ChildProcess } from 'node:child_process';
import { REPO_ROOT, freePort, makeTempDir, removeDir, spawnTracked, startRespdb, type RespdbProc } from '../support/servers.js';
import { RawClient, formatReply, type Reply } from '../support/resp-client.js';
import { caughtUp, until } from '../support/replica.js';
import { checkConfig, poolConfig, proxiedShards, type PoolServer } from '../support/twemproxy.js';

const SCRIPT = path.join(REPO_ROOT, 'tools', 'nutcracker-reconfig.sh');
const MASTER = 'server1'; // the Sentinel master name is the nutcracker server name
const KEYS = Array.from({ length: 300 }, (_, i) => `fo:${i}`);

/** A field of SENTINEL MASTER's flat array reply. */
function masterField(r: Reply, name: string): string | undefined {
  if (r.t !== 'array' || !r.v) return undefined;
  for (let i = 0; i + 1 < r.v.length; i += 2) {
    const k = r.v[i];
    const v = r.v[i + 1];
    if (k.t === 'bulk' && k.v?.toString() === name && v.t === 'bulk') return v.v?.toString();
  }
  return undefined;
}

async function startSentinel(dir: string, masterPort: number, script: string): Promise<{ port: number; proc: ChildProcess }> {
  const port = await freePort();
  const file = path.join(dir, `sentinel-${port}.conf`);
  await fsp.writeFile(
    file,
    [
      `port ${port}`,
      'bind 127.0.0.1',
      `dir ${dir}`,
      `sentinel monitor ${MASTER} 127.0.0.1 ${masterPort} 2`,
      `sentinel down-after-milliseconds ${MASTER} 1000`,
      `sentinel failover-timeout ${MASTER} 5000`,
      `sentinel client-reconfig-script ${MASTER} ${script}`,
    ].join('\n') + '\n',
  );
  const proc = spawnTracked('redis-sentinel', [file, '--logfile', path.join(dir, `sentinel-${port}.log`)], { stdio: 'ignore' });
  await until(`sentinel on ${port} to answer`, async () => {
    if (proc.exitCode !== null) throw new Error(`redis-sentinel exited (${proc.exitCode})`);
    const c = await RawClient.connect(port).catch(() => null);
    if (!c) return false;
    const r = await c.send('PING').catch(() => null);
    await c.close();
    return r?.t === 'simple' && r.v === 'PONG';
  });
  return { port, proc };
}

t.test('a Sentinel failover rewrites the nutcracker server list through tools/nutcracker-reconfig.sh', async (t) => {
  const replica: RespdbProc[] = [];
  t.teardown(() => Promise.all(replica.map((r) => r.stop().catch(() => undefined))));
  const [shards] = await Promise.all([
    proxiedShards(t, 2, () => startRespdb({ shards: 1 })),
    startRespdb({ shards: 1 }).then((r) => replica.push(r)),
  ]);
  const [master, other] = shards.nodes;
  const promoted = replica[0];
  const conf = shards.proxy.configFile;

  const cr = await RawClient.connect(promoted.port);
  t.teardown(() => cr.close());
  t.same(await cr.send('REPLICAOF', '127.0.0.1', String(master.port)), { t: 'simple', v: 'OK' }, 'the replica follows server1');
  const proxy = await RawClient.connect(shards.proxy.port);
  t.same(formatReply(await proxy.send('MSET', ...KEYS.flatMap((k) => [k, `v-${k}`]))), '+"OK"', 'keys written through the proxy');
  const cm = await RawClient.connect(master.port);
  await caughtUp(cm, cr);
  await cm.close();
  await proxy.close();

  // the script as Sentinel runs it: settings from a wrapper; the restart is asked for by a marker file
  const dir = await makeTempDir('respdb-test-sentinels-');
  t.teardown(() => removeDir(dir));
  const marker = path.join(dir, 'restart-requested');
  const wrapper = path.join(dir, 'reconfig.sh');
  await fsp.writeFile(
    wrapper,
    `#!/bin/sh\nNUTCRACKER_CONF='${conf}' NUTCRACKER_RESTART='touch ${marker}' exec '${SCRIPT}' "$@"\n`,
    { mode: 0o755 },
  );
  const sentinels: ChildProcess[] = [];
  t.teardown(() => sentinels.forEach((p) => p.kill('SIGKILL')));
  const ports: number[] = [];
  for (let i = 0; i < 3; i++) {
    const s = await startSentinel(dir, master.port, wrapper);
    sentinels.push(s.proc);
    ports.push(s.port);
  }
  const sc = await RawClient.connect(ports[0]);
  t.teardown(() => sc.close());
  await until('the sentinels to know the replica and each other', async () => {
    const r = await sc.send('SENTINEL', 'MASTER', MASTER);
    return masterField(r, 'num-slaves') === '1' && masterField(r, 'num-other-sentinels') === '2'
      ? true
      : `slaves ${masterField(r, 'num-slaves')}, other sentinels ${masterField(r, 'num-other-sentinels')}`;
  }, 20000);
  const before = await fsp.readFile(conf, 'utf8');

  await master.kill9();
  await until('the script to ask for a nutcracker restart', async () => fs.existsSync(marker), 30000);
  const after = await fsp.readFile(conf, 'utf8');
  t.match(after, new RegExp(`- 127\\.0\\.0\\.1:${promoted.port}:1 server1\\n`), 'server1 now has the promoted replica\'s address');
  t.equal(
    after.replace(`127.0.0.1:${promoted.port}:1 server1`, `127.0.0.1:${master.port}:1 server1`),
    before,
    'nothing else of the config changed (server2 keeps its address)',
  );
  t.match(after, `127.0.0.1:${other.port}:1 server2`, 'server2 is where it was');

  await shards.proxy.restart();
  const c = await RawClient.connect(shards.proxy.port);
  t.teardown(() => c.close());
  const got = await c.send('MGET', ...KEYS);
  t.same(
    got.t === 'array' ? got.v!.map((x) => (x.t === 'bulk' ? x.v?.toString() : formatReply(x))) : formatReply(got),
    KEYS.map((k) => `v-${k}`),
    'every key reads back through the restarted proxy',
  );
  // Sentinel closes the promoted node's normal clients (CLIENT KILL TYPE normal): a new connection
  const cp = await RawClient.connect(promoted.port);
  t.teardown(() => cp.close());
  const held = await cp.pipeline(KEYS.map((k) => ['EXISTS', k]));
  const onServer1 = KEYS.find((_, i) => held[i].t === 'int' && held[i].v === 1n);
  t.ok(onServer1, `server1's keys are on the promoted replica (${onServer1})`);
  t.same(await c.send('SET', onServer1!, 'after-failover'), { t: 'simple', v: 'OK' }, 'a write of a server1 key through the proxy');
  t.same(await cp.send('GET', onServer1!), { t: 'bulk', v: Buffer.from('after-failover') }, 'lands on the promoted replica');
  t.same(await cp.send('ROLE').then((r) => (r.t === 'array' ? formatReply(r.v![0]) : formatReply(r))), '"master"', 'the replica was promoted');
});

t.test('tools/nutcracker-reconfig.sh: one named server rewritten, once; unknown names refused', async (t) => {
  const dir = await makeTempDir('respdb-test-reconfig-');
  t.teardown(() => removeDir(dir));
  const conf = path.join(dir, 'nutcracker.yml');
  const restarts = path.join(dir, 'restarts');
  const servers: PoolServer[] = [
    { host: '127.0.0.1', port: 7001, name: 'shard1' },
    { host: '127.0.0.1', port: 7002, name: 'shard10' },
    { host: '127.0.0.1', port: 7003, name: 'shard1x' },
  ];
  await fsp.writeFile(conf, poolConfig('pool', '127.0.0.1:22121', servers));
  const run = (...args: string[]) =>
    new Promise<{ code: number; stderr: string }>((resolve) => {
      execFile(SCRIPT, args, { env: { ...process.env, NUTCRACKER_CONF: conf, NUTCRACKER_RESTART: `echo x >> ${restarts}` } }, (err, _out, stderr) =>
        resolve({ code: err ? Number((err as { code?: number }).code) : 0, stderr }),
      );
    });
  const failover = ['leader', 'start', '127.0.0.1', '7001', '10.0.0.9', '7101'];
  t.same(await run('shard1', ...failover), { code: 0, stderr: '' }, 'the failover of shard1 is applied');
  const want = poolConfig('pool', '127.0.0.1:22121', [{ ...servers[0], host: '10.0.0.9', port: 7101 }, servers[1], servers[2]]);
  t.equal(await fsp.readFile(conf, 'utf8'), want, 'only the line of shard1 changed (not shard10, not shard1x)');
  t.equal(await checkConfig(conf), null, 'the rewritten config passes nutcracker -t');
  t.same(await run('shard1', 'observer', ...failover.slice(1)), { code: 0, stderr: '' }, 'a second Sentinel runs it again');
  t.equal(await fsp.readFile(restarts, 'utf8'), 'x\n', 'nutcracker was restarted once');
  const unknown = await run('shard9', ...failover);
  t.equal(unknown.code, 2, 'an unknown master name fails without a retry (exit 2)');
  t.match(unknown.stderr, 'no server named shard9', 'saying why');
  t.equal(await fsp.readFile(conf, 'utf8'), want, 'and changes nothing');
  t.equal((await run('shard1', 'leader')).code, 2, 'wrong arguments: exit 2');
});
