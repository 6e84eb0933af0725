// Every Redis 7.0 directive against redis-server 7.0: the whole list with Redis's defaults loads
// into respdb and reads back the same; Debian's stock redis.conf (paths and daemonize changed)
// starts a real respdb, and every directive in it reads back as redis-server reads it; CONFIG SET
// of a wrong type, out of bounds or immutable answers the same error; the directives of missing
// features accept the "off" values and refuse the others, naming the directive and saying why, in
// the file, on the command line and by CONFIG SET; Pika's names; include; protected mode.
import t from 'tap';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Config, ConfigError } from '../lib/config.js';
import { findOption } from '../lib/config/options.js';
import { REPO_ROOT, RESPDB_BIN, freePort, spawnTracked, startRedis, startRespdb } from './support/servers.js';
import { RawClient, formatReply, type Reply } from './support/resp-client.js';

const FIXTURE = path.join(REPO_ROOT, 'test', 'fixtures', 'redis-7.0.conf');

/** The text of a bulk / simple / error reply. */
function text(r: Reply): string {
  return r.t === 'bulk' ? (r.v?.toString('utf8') ?? '') : r.t === 'simple' || r.t === 'error' ? r.v : formatReply(r);
}

function pairsOf(r: Reply): Array<[string, string]> {
  if (r.t !== 'array' || !r.v) throw new Error(`not an array: ${formatReply(r)}`);
  const v = r.v;
  const out: Array<[string, string]> = [];
  for (let i = 0; i < v.length; i += 2) out.push([text(v[i]), text(v[i + 1])]);
  return out;
}

function errText(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    return (e as Error).message;
  }
  return '';
}

/** A config line for a directive and its value as CONFIG GET prints it. */
function line(name: string, value: string): string {
  const def = findOption(name);
  if (value === '') return `${name} ""`;
  if (def?.multi || def?.combine) return `${name} ${value}`;
  return `${name} "${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

async function connectWhenUp(port: number): Promise<RawClient> {
  for (let i = 0; ; i++) {
    try {
      return await RawClient.connect(port);
    } catch (e) {
      if (i > 200) throw e;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

t.test("every directive's doc string starts with its class (lib/config/absent.ts)", async (t) => {
  const { OPTIONS } = await import('../lib/config/options.js');
  // `save` and the other helpers' tables (backup, metrics, disk) document their own
  const own = OPTIONS.filter((d) => d.name !== 'save' && !/^(dump-|rdb-key-save-delay|disable_auto_compactions|compact-|metrics-|disk-)/.test(d.name));
  const unclassified = own.filter((d) => !/^(effect|off|inert): /.test(d.doc)).map((d) => d.name);
  t.same(unclassified, [], 'all classified');
  const offWithoutRefusal = own.filter((d) => d.doc.startsWith('off:') && !d.refuse).map((d) => d.name);
  t.same(offWithoutRefusal, [], "every 'off' directive refuses the values that ask for the feature");
});

t.test('every directive of redis-server 7.0, with its default, loads and reads back the same', async (t) => {
  const redis = await startRedis();
  t.teardown(() => redis.stop());
  const c = await RawClient.connect(redis.port);
  t.teardown(() => c.close());
  const all = pairsOf(await c.send('CONFIG', 'GET', '*')).filter(([n]) => !['port', 'dir', 'bind'].includes(n));
  t.ok(all.length > 180, `redis-server lists ${all.length} directives`);
  const conf = all.map(([n, v]) => line(n, v)).join('\n');
  t.equal(errText(() => Config.fromFileText(conf)), '', 'the whole list loads');
  const cfg = Config.fromFileText(conf);
  for (const [n, v] of all) t.equal(cfg.display(n), v, `${n} reads back as ${JSON.stringify(v)}`);
});

t.test("Debian's redis.conf starts respdb; each of its directives reads back as redis-server reads it", async (t) => {
  const names = new Set<string>();
  for (const l of fs.readFileSync(FIXTURE, 'utf8').split('\n')) {
    const m = /^([a-z][a-z0-9-]*)\s/.exec(l);
    if (m) names.add(m[1]);
  }
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'respdb-conf-'));
  t.teardown(() => fs.rmSync(tmp, { recursive: true, force: true }));
  const [rp, dp] = [await freePort(), await freePort()];
  fs.mkdirSync(path.join(tmp, 'r'));
  fs.mkdirSync(path.join(tmp, 'd'));
  const redis = spawnTracked('redis-server', [FIXTURE, '--port', String(rp), '--dir', path.join(tmp, 'r'), '--save', ''], { stdio: 'ignore' });
  const respdb = spawnTracked(process.execPath, [RESPDB_BIN, FIXTURE, '--port', String(dp), '--dir', path.join(tmp, 'd'), '--shards', '1'], { cwd: tmp, stdio: 'ignore' });
  t.teardown(() => {
    redis.kill('SIGKILL');
    respdb.kill('SIGTERM');
  });
  const r = await connectWhenUp(rp);
  const d = await connectWhenUp(dp);
  t.teardown(() => Promise.all([r.close(), d.close()]));
  t.ok(names.size > 60, `${names.size} directives in the file`);
  for (const n of [...names].filter((x) => !['port', 'dir', 'save'].includes(x))) {
    t.equal(formatReply(await d.send('CONFIG', 'GET', n)), formatReply(await r.send('CONFIG', 'GET', n)), `CONFIG GET ${n}`);
  }
  t.equal(text(await d.send('SET', 'k', 'v')), 'OK', 'the server serves');
});

/** CONFIG SET values whose errors respdb answers as redis-server does, for every directive both have. */
t.test('CONFIG SET errors: wrong type, out of bounds, immutable, protected, unknown: as redis-server', async (t) => {
  const redis = await startRedis();
  const respdb = await startRespdb({ shards: 1 });
  t.teardown(() => Promise.all([redis.stop(), respdb.stop()]));
  const r = await RawClient.connect(redis.port);
  const d = await RawClient.connect(respdb.port);
  t.teardown(() => Promise.all([r.close(), d.close()]));
  const skip = new Set(['port', 'bind', 'dir', 'save', 'requirepass', 'appendonly', 'loglevel', 'maxclients']);
  const names = pairsOf(await r.send('CONFIG', 'GET', '*')).map(([n]) => n).filter((n) => !skip.has(n));
  let compared = 0;
  const values = ['abc@x', '-999999999999999999', '99999999999999999999999'];
  const script = names.flatMap((n) => values.map((v) => ['CONFIG', 'SET', n, v]));
  const [want, got] = await Promise.all([r.pipeline(script), d.pipeline(script)]);
  script.forEach((cmd, i) => {
    // a value that parses may be one respdb refuses (a missing feature): that reply is checked below
    if (got[i].t === 'error' && text(got[i]).includes('is not supported')) return;
    t.equal(formatReply(got[i]), formatReply(want[i]), cmd.join(' '));
    compared++;
  });
  t.ok(compared > 300, `${compared} replies compared`);
  // several parameters at once: all or none, Redis's checks and their order
  const multi = [
    'CONFIG SET nosuch 1', 'CONFIG SET rename-command x', 'CONFIG SET dbfilename x', 'CONFIG SET daemonize no', 'CONFIG SET timeout 1 timeout 2',
    'CONFIG SET timeout abc TIMEOUT 2', 'CONFIG SET timeout 5 maxclients x', 'CONFIG SET timeout 5 nosuch 6', 'CONFIG SET timeout 5 port',
    'CONFIG SET timeout 7 hash-max-ziplist-entries 3 hash-max-listpack-entries 4', 'CONFIG SET tcp-keepalive 60 daemonize no', 'CONFIG SET list-max-ziplist-entries 5',
  ];
  const get = ['CONFIG', 'GET', 'timeout', 'hash-max-*', 'TIMEOUT', 'tcp-keepalive', 'nosuch'];
  const sorted = (x: Reply) => pairsOf(x).map((p) => p.join('=')).sort();
  for (const line of multi) {
    const cmd = line.split(' ');
    t.equal(formatReply(await d.send(...cmd)), formatReply(await r.send(...cmd)), line);
    t.same(sorted(await d.send(...get)), sorted(await r.send(...get)), `after ${line}: ${get.join(' ')}`);
  }
});

const REFUSED: Array<[string, string, string]> = [
  // [directive, value asking for the missing feature, a word of the reason]
  ['activedefrag', 'yes', 'COMPACT'],
  ['maxmemory', '1gb', 'LMDB'],
  ['maxmemory-policy', 'allkeys-lru', 'evicts'],
  ['cluster-enabled', 'yes', 'cluster'],
  ['tls-port', '6380', 'TLS'],
  ['daemonize', 'yes', 'foreground'],
  ['supervised', 'systemd', 'supervisor'],
  ['io-threads', '4', 'shard'],
  ['unixsocket', '/tmp/redis.sock', 'TCP'],
  ['enable-module-command', 'yes', 'modules'],
  ['thread-num', '4', 'shard'],
  ['write-binlog', 'no', 'binlog'],
];

t.test('missing features: the "off" value is accepted, one asking for the feature refused with the reason', async (t) => {
  for (const [name, value, why] of REFUSED) {
    const fileErr = errText(() => Config.fromFileText(`${name} ${value}`));
    t.match(fileErr, new RegExp(`line 1 >>> '${name} ${value}': '${findOption(name)!.name}[^']*' is not supported: .*${why}`), `file: ${name} ${value}`);
    t.match(errText(() => Config.fromArgv([`--${name}`, ...value.split(' ')])), /^Bad command-line option >>> .*is not supported/, `argv: --${name}`);
    const def = findOption(name)!;
    t.equal(errText(() => Config.fromFileText(`${name} ${JSON.stringify(def.default)}`)), '', `${name} ${JSON.stringify(def.default)} is accepted`);
  }
  for (const [line, why] of [['loadmodule /x.so', 'modules'], ['write-buffer-size : 268435456', 'memtables'], ['block-size : 4096', 'page cache'], ['compression : snappy', 'uncompressed'], ['max-background-compactions : 2', 'COMPACT'], ['level0-stop-writes-trigger : 36', 'levels']] as const) {
    t.match(errText(() => Config.fromFileText(line)), new RegExp(`is not supported: .*${why}`), line);
  }
  t.equal(errText(() => Config.fromFileText('user default on nopass ~* &* +@all\nuser alice on >pw ~* +@all')), '', 'user lines are read (ACL users: test/acl/config-sources.test.ts)');
  const respdb = await startRespdb({ shards: 1 });
  t.teardown(() => respdb.stop());
  const d = await RawClient.connect(respdb.port);
  t.teardown(() => d.close());
  for (const [name, value, why] of REFUSED.filter(([n]) => findOption(n)!.mutable)) {
    const r = await d.send('CONFIG', 'SET', name, value);
    t.match(text(r), new RegExp(`^ERR CONFIG SET failed \\(possibly related to argument '${name}'\\) - '.*' is not supported: .*${why}`), `CONFIG SET ${name} ${value}`);
  }
  t.equal(text(await d.send('CONFIG', 'SET', 'masterauth', 'hunter2')), 'OK', 'masterauth is settable');
  t.match(text(await d.send('CONFIG', 'SET', 'write-buffer-size', '1')), /^ERR CONFIG SET failed \(possibly related to argument 'write-buffer-size'\) - 'write-buffer-size' is not supported: respdb stores its data in LMDB/);
  t.equal(formatReply(await d.send('CONFIG', 'SET', 'timeout', '5', 'activedefrag', 'yes')), formatReply(await d.send('CONFIG', 'SET', 'activedefrag', 'yes')), 'a refusal fails the whole CONFIG SET');
  t.same(pairsOf(await d.send('CONFIG', 'GET', 'timeout')), [['timeout', '0']], 'nothing applied');
});

t.test("Pika's names and syntax", async (t) => {
  const cfg = Config.fromFileText(['db-path : ./db/', 'binlog-file-size : 104857600', 'thread-num : 1', 'thread-pool-size : 12', 'max-conn-rbuf-size : 268435456', 'requirepass : pw', 'timeout : 60', 'slowlog-log-slower-than : 10000', 'log-path : ./log/', 'slaveof : ', 'masterauth : '].join('\n'));
  t.equal(cfg.str('dir'), './db/', 'db-path is dir');
  t.equal(cfg.num('binlog-max-size'), 104857600, 'binlog-file-size is binlog-max-size');
  t.equal(cfg.num('client-query-buffer-limit'), 268435456);
  t.equal(cfg.num('timeout'), 60);
  t.equal(cfg.logFile(), path.join('./log/', 'respdb.log'), 'log-path is the log directory');
  t.equal(Config.fromFileText('slaveof : 127.0.0.1:9221').str('replicaof'), '127.0.0.1:9221', "Pika's slaveof : host:port");
  t.equal(Config.fromFileText('replicaof 127.0.0.1 6379').str('replicaof'), '127.0.0.1 6379');
  t.match(errText(() => Config.fromFileText('replicaof 127.0.0.1')), /Invalid master host and port/);
});

t.test('include reads another file at its place', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'respdb-include-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  fs.writeFileSync(path.join(dir, 'inner.conf'), 'timeout 7\nhash-max-listpack-entries 3\n');
  fs.writeFileSync(path.join(dir, 'bad.conf'), 'timeout 7\nactivedefrag yes\n');
  fs.writeFileSync(path.join(dir, 'main.conf'), `timeout 1\ninclude ${path.join(dir, 'inner.conf')}\nhash-max-listpack-entries 4\n`);
  const c = Config.fromArgv([path.join(dir, 'main.conf')]);
  t.equal(c.num('timeout'), 7, 'the included value replaces the earlier one');
  t.equal(c.num('hash-max-listpack-entries'), 4, 'a later line replaces the included one');
  t.match(errText(() => Config.fromFileText(`include ${path.join(dir, 'bad.conf')}`)), /bad\.conf, line 2 >>> 'activedefrag yes'/, 'errors name the included file');
  t.match(errText(() => Config.fromFileText(`include ${path.join(dir, 'nosuch.conf')}`)), /can't open included file/);
  t.equal(errText(() => Config.fromFileText('list-max-ziplist-entries 5\nlua-replicate-commands yes')), '', "Redis 6's deprecated directives are read and ignored, as Redis 7.0 does");
  t.type(new ConfigError('x'), Error);
});

t.test('protected mode: without a password, clients from other hosts than loopback are refused', async (t) => {
  const external = Object.values(os.networkInterfaces()).flat().find((a) => a && a.family === 'IPv4' && !a.internal)?.address;
  if (!external) {
    t.comment('no non-loopback IPv4 address: skipped');
    return;
  }
  const redis = await startRedis({ args: ['--bind', '0.0.0.0'] });
  const respdb = await startRespdb({ shards: 1, args: ['--bind', '0.0.0.0'] });
  t.teardown(() => Promise.all([redis.stop(), respdb.stop()]));
  for (const [name, port] of [['redis', redis.port], ['respdb', respdb.port]] as const) {
    const c = await RawClient.connect(port, external);
    const reply = await c.send('PING');
    t.match(formatReply(reply), /DENIED Redis is running in protected mode/, `${name}: refused`);
    await c.close().catch(() => {});
    const local = await RawClient.connect(port);
    await local.send('CONFIG', 'SET', 'protected-mode', 'no');
    await local.close();
    const again = await RawClient.connect(port, external);
    t.equal(text(await again.send('PING')), 'PONG', `${name}: served once protected-mode is no`);
    await again.close();
  }
});

t.test('pidfile, process title, tcp-backlog and enable-debug-command take effect', async (t) => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'respdb-pid-'));
  t.teardown(() => fs.rmSync(tmp, { recursive: true, force: true }));
  const pidfile = path.join(tmp, 'respdb.pid');
  const respdb = await startRespdb({ shards: 1, args: ['--pidfile', pidfile, '--proc-title-template', '{title} {port} x', '--tcp-backlog', '64', '--enable-debug-command', 'no'] });
  const redis = await startRedis();
  t.teardown(() => redis.stop());
  const pid = respdb.proc.pid!;
  t.equal(fs.readFileSync(pidfile, 'utf8'), `${pid}\n`, 'the pidfile holds the process id');
  t.equal(fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0+$/, ''), `respdb ${respdb.port} x`, 'the process title follows the template');
  const d = await RawClient.connect(respdb.port);
  const r = await RawClient.connect(redis.port);
  t.equal(formatReply(await d.send('DEBUG', 'SLEEP', '0')), formatReply(await r.send('DEBUG', 'SLEEP', '0')), 'DEBUG refused as by redis-server');
  t.same(pairsOf(await d.send('CONFIG', 'GET', 'tcp-backlog')), [['tcp-backlog', '64']]);
  await Promise.all([d.close(), r.close()]);
  await respdb.stop();
  t.equal(fs.existsSync(pidfile), false, 'removed at shutdown');
});
