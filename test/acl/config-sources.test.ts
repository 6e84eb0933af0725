// Where ACL users come from at startup, beside redis-server 7.0 where it has the feature: `user`
// lines, the aclfile, both (refused), bad lines and files (refused with Redis's messages), CONFIG
// REWRITE of the users; Pika's userpass / userblacklist from a pika.conf; protected mode's
// decision (refusedByProtectedMode) from the default user.
import t from 'tap';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createHash } from 'node:crypto';
import type { ChildProcess } from 'node:child_process';
import { RESPDB_BIN, freePort, makeTempDir, removeDir, spawnTracked, type TapLike } from '../support/servers.js';
import { RawClient, formatReply, type Reply } from '../support/resp-client.js';
import { Config } from '../../lib/config.js';
import { installCommands } from '../../lib/commands/index.js';
import { AclUsers } from '../../lib/acl/users.js';
import { refusedByProtectedMode } from '../../lib/server-process.js';

type Kind = 'redis' | 'respdb';
interface Running {
  port: number;
  c: RawClient;
  proc: ChildProcess;
  output: () => string;
}

let tmp = '';
t.before(async () => {
  tmp = await makeTempDir('respdb-acl-sources-');
});
t.teardown(() => removeDir(tmp));

let serial = 0;
/** A config file of `lines` in a directory of its own (PORT stands for the port). */
function confFile(lines: string[], port: number): { file: string; dir: string } {
  const dir = path.join(tmp, `s${serial++}`);
  fs.mkdirSync(dir);
  const file = path.join(dir, 'server.conf');
  fs.writeFileSync(file, lines.map((l) => l.replace('PORT', String(port))).join('\n') + '\n');
  return { file, dir };
}

function spawnServer(kind: Kind, file: string, dir: string, port: number): { proc: ChildProcess; output: () => string } {
  const args =
    kind === 'redis'
      ? [file, '--port', String(port), '--dir', dir, '--save', '', '--appendonly', 'no', '--logfile', '']
      : [RESPDB_BIN, file, '--port', String(port), '--dir', path.join(dir, 'data'), '--shards', '1'];
  const proc = spawnTracked(kind === 'redis' ? 'redis-server' : process.execPath, args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout!.setEncoding('utf8').on('data', (s: string) => (out += s));
  proc.stderr!.setEncoding('utf8').on('data', (s: string) => (out += s));
  return { proc, output: () => out };
}

/** Starts a server from the file's lines and connects (the test stops it). */
async function start(t: TapLike, kind: Kind, lines: string[], at?: { file: string; dir: string; port: number }): Promise<Running & { file: string; dir: string }> {
  const port = at?.port ?? (await freePort());
  const { file, dir } = at ?? confFile(lines, port);
  const { proc, output } = spawnServer(kind, file, dir, port);
  t.teardown(() => {
    proc.kill('SIGKILL');
  });
  // a loaded machine starts a server slowly
  const deadline = Date.now() + 45_000;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`${kind} exited: ${output()}`);
    try {
      const c = await RawClient.connect(port);
      const r = await c.send('PING');
      if (r.t === 'error' && /LOADING/.test(r.v)) throw new Error('loading');
      t.teardown(() => c.close());
      return { port, c, proc, output, file, dir };
    } catch (e) {
      if (Date.now() > deadline) throw e;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

/** Starts a server that must refuse to start: its exit code and output. */
async function refused(kind: Kind, lines: string[]): Promise<{ code: number | null; output: string }> {
  const port = await freePort();
  const { file, dir } = confFile(lines, port);
  const { proc, output } = spawnServer(kind, file, dir, port);
  const timer = setTimeout(() => proc.kill('SIGKILL'), 15000);
  const code = await new Promise<number | null>((resolve) => proc.on('exit', (c) => resolve(c)));
  clearTimeout(timer);
  await new Promise((r) => setTimeout(r, 20));
  return { code, output: output() };
}

/** The messages of a redis-server that stopped: its log lines' texts, or its config error's last lines. */
function redisMessages(output: string): string[] {
  const lines = output.split('\n').filter((l) => l.trim() !== '');
  const fatal = lines.findIndex((l) => l.includes('FATAL CONFIG FILE ERROR'));
  if (fatal >= 0) return [lines.slice(fatal + 2).join('\n')];
  const notices = /^(oO0OoO0OoO0Oo|Redis version=|Configuration loaded|Server initialized|WARNING Memory|Warning)/;
  return lines.map((l) => /^\d+:[CM] \d+ \w+ \d+ [\d:.]+ # (.*)$/.exec(l)?.[1]).filter((m): m is string => m !== undefined && !notices.test(m));
}

function text(r: Reply): string {
  return r.t === 'bulk' ? (r.v?.toString('latin1') ?? '') : r.t === 'simple' || r.t === 'error' ? r.v : formatReply(r);
}

/** A reply as a line: -error, +simple, the text of a bulk. */
function show(r: Reply): string {
  return r.t === 'error' ? `-${r.v}` : r.t === 'simple' ? `+${r.v}` : text(r);
}

async function aclList(c: RawClient): Promise<string[]> {
  const r = await c.send('ACL', 'LIST');
  return r.t === 'array' && r.v ? r.v.map(text) : [formatReply(r)];
}

const sha = (s: string): string => createHash('sha256').update(s).digest('hex');

t.test('startup refusals: the messages of redis-server 7.0, exit code 1', async (t) => {
  const aclBad = path.join(tmp, 'bad.acl');
  fs.writeFileSync(aclBad, 'user bob on foo\nuser bob x\nuser carol on +@nosuch ~a &b foo +nosuch2 bar #zz\n');
  const cases: Array<[string, string[]]> = [
    ['duplicate user', ['user alice on >pw ~* +@all', 'user alice on']],
    ['bad rule (the word Redis names)', ['user alice on >pw foo']],
    ['bad password hash', ['user alice on #abc']],
    ['unclosed selector', ['user alice on >a (~x +get']],
    ['unknown command: at startup', ['user alice on >pw +nosuchcmd']],
    ['space in a user name', ['user "al ice" on']],
    ['user lines and an aclfile', ['user alice on', `aclfile ${aclBad}`]],
    ['missing aclfile', [`aclfile ${path.join(tmp, 'missing.acl')}`]],
    ['aclfile with errors', [`aclfile ${aclBad}`]],
  ];
  // a few at a time (the machine is shared), each case's two servers together
  const results: Array<{ r: { code: number | null; output: string }; d: { code: number | null; output: string } }> = [];
  for (let i = 0; i < cases.length; i += 3) {
    const batch = cases.slice(i, i + 3).map(async ([, lines]) => {
      const [r, d] = await Promise.all([refused('redis', lines), refused('respdb', lines)]);
      return { r, d };
    });
    results.push(...(await Promise.all(batch)));
  }
  for (const [i, [name]] of cases.entries()) {
    const { r, d } = results[i];
    t.equal(d.code, r.code, `${name}: exit code ${r.code}`);
    const want = redisMessages(r.output);
    t.ok(want.length > 0, `${name}: redis-server said why`);
    for (const m of want) {
      const line = m.includes('\n') ? m.split('\n') : null;
      if (line !== null) {
        // a config error: respdb names the file's line, then Redis's reason
        t.ok(d.output.includes(`${line[0].replace(/^>>> /, '>>> ')}: ${line[1]}`), `${name}: ${line[1]}\n${d.output}`);
      } else {
        t.ok(d.output.includes(m), `${name}: ${m}\n${d.output}`);
      }
    }
  }
});

t.test('user lines: the users of redis-server, requirepass undone by a `user default` line', async (t) => {
  const lines = [
    'port PORT',
    'bind 127.0.0.1',
    'requirepass foo',
    'user alice on >pw ~k* +get (~x* +set)',
    'user bob off',
    'user "carol" on nopass &news resetkeys +@read',
    'user default on >d ~* &* +@all',
  ];
  const [r, d] = await Promise.all([start(t, 'redis', lines), start(t, 'respdb', lines)]);
  t.same(await aclList(d.c), await aclList(r.c), 'ACL LIST');
  for (const args of [['AUTH', 'foo'], ['AUTH', 'd'], ['AUTH', 'alice', 'pw'], ['GET', 'k1'], ['SET', 'x1', 'v'], ['SET', 'k1', 'v'], ['AUTH', 'bob', ''], ['AUTH', 'carol', 'any']]) {
    t.equal(formatReply(await d.c.send(...args)), formatReply(await r.c.send(...args)), args.join(' '));
  }
  for (const s of [r, d]) t.equal(show(await s.c.send('AUTH', 'd')), '+OK');
  t.same(await d.c.send('CONFIG', 'GET', 'requirepass'), await r.c.send('CONFIG', 'GET', 'requirepass'), 'CONFIG GET requirepass keeps the directive');
});

t.test('aclfile: loaded at startup, the default user from it (or a new one), immutable', async (t) => {
  const acl = path.join(tmp, 'users.acl');
  fs.writeFileSync(acl, 'user alice on #' + sha('pw') + ' ~k* +get\n\nuser bob off\n');
  const lines = ['port PORT', 'bind 127.0.0.1', 'requirepass foo', `aclfile ${acl}`];
  const [r, d] = await Promise.all([start(t, 'redis', lines), start(t, 'respdb', lines)]);
  t.same(await aclList(d.c), await aclList(r.c), 'ACL LIST: without a default line the default user is nopass, requirepass or not');
  for (const args of [['PING'], ['CONFIG', 'SET', 'aclfile', '/x'], ['CONFIG', 'GET', 'aclfile'], ['AUTH', 'alice', 'pw'], ['GET', 'k'], ['ACL', 'WHOAMI']]) {
    t.equal(formatReply(await d.c.send(...args)), formatReply(await r.c.send(...args)), args.join(' '));
  }
  fs.writeFileSync(acl, 'user alice on +nosuch1 foo +nosuch2 bar\nuser alice on\n');
  t.equal(formatReply(await d.c.send('ACL', 'LOAD')), formatReply(await r.c.send('ACL', 'LOAD')), 'ACL LOAD of a bad file: every unknown command named, the first other error');
  for (const s of [r, d]) {
    await s.c.send('AUTH', 'default', 'any');
    await s.c.send('ACL', 'SETUSER', 'dave', 'on');
    t.equal(show(await s.c.send('CONFIG', 'REWRITE')), '+OK');
  }
  const users = (file: string): string[] => fs.readFileSync(file, 'utf8').split('\n').filter((l) => l.startsWith('user'));
  t.same(users(d.file), [], 'CONFIG REWRITE with an aclfile writes no user line');
  t.same(users(d.file), users(r.file), 'as redis-server');
});

t.test('CONFIG REWRITE writes the users as ACL LIST does, where the user lines were', async (t) => {
  const lines = ['port PORT', 'bind 127.0.0.1', 'requirepass foo', 'user alice on >pw ~k* +get', 'user bob off', '# after the users', 'timeout 0'];
  const [r, d] = await Promise.all([start(t, 'redis', lines), start(t, 'respdb', lines)]);
  /** The file without the lines only one of them writes (its save schedule, percentiles, dir, shards). */
  const normal = (s: { file: string; port: number }): string =>
    fs
      .readFileSync(s.file, 'utf8')
      .replace(String(s.port), 'PORT')
      .split('\n')
      .filter((l) => !/^(save|latency-tracking-info-percentiles|dir|shards) /.test(l))
      .join('\n');
  const round = async (label: string, ...commands: string[][]): Promise<void> => {
    for (const cmd of [...commands, ['CONFIG', 'REWRITE']]) {
      t.equal(formatReply(await d.c.send(...cmd)), formatReply(await r.c.send(...cmd)), `${label}: ${cmd.join(' ')}`);
    }
    t.equal(normal(d), normal(r), `${label}: the file`);
  };
  for (const s of [r, d]) await s.c.send('AUTH', 'foo');
  await round('a password more for default', ['ACL', 'SETUSER', 'default', '>bar'], ['CONFIG', 'GET', 'requirepass']);
  t.match(fs.readFileSync(d.file, 'utf8'), new RegExp(`user default on #${sha('foo')} #${sha('bar')} ~\\* &\\* \\+@all`), 'the default user is written too');
  await round('users deleted: the spare line goes', ['ACL', 'DELUSER', 'alice', 'bob']);
  await round('a new user', ['ACL', 'SETUSER', 'zed', 'on', '>z', '~z*', '+@string']);
  // the rewritten files start the same users again
  const restarted = await Promise.all(
    ([['redis', r], ['respdb', d]] as const).map(async ([kind, s]) => {
      s.proc.kill('SIGKILL');
      await new Promise((res) => s.proc.once('exit', res));
      const again = await start(t, kind, [], { file: s.file, dir: s.dir, port: s.port });
      await again.c.send('AUTH', 'foo');
      return aclList(again.c);
    }),
  );
  t.same(restarted[1], restarted[0], 'restarted from the rewritten file: the users of redis-server restarted');
});

t.test("Pika's userpass and userblacklist make the user limit", async (t) => {
  const pika = ['port : PORT', 'requirepass : admin', 'userpass : upw', 'userblacklist : flushall, FlushDB,keys', 'timeout : 0'];
  // the other starts run meanwhile
  const sideStarts = Promise.all([
    start(t, 'respdb', ['port : PORT', 'userblacklist : keys']),
    refused('respdb', ['userpass : upw', 'user limit on >other']),
    refused('respdb', ['userpass : upw', 'userblacklist : flushal']),
  ]);
  const d = await start(t, 'respdb', pika);
  const c = d.c;
  const send = async (...args: string[]): Promise<string> => show(await c.send(...args));
  t.equal(await send('PING'), '-NOAUTH Authentication required.', 'requirepass still guards the default user');
  t.equal(await send('AUTH', 'limit', 'nope'), '-WRONGPASS invalid username-password pair or user is disabled.');
  t.equal(await send('AUTH', 'limit', 'upw'), '+OK', "AUTH limit <userpass>");
  t.equal(await send('ACL', 'WHOAMI'), 'limit');
  t.equal(await send('SET', 'k', 'v'), '+OK', 'other commands run');
  t.equal(await send('GET', 'k'), 'v');
  for (const name of ['FLUSHALL', 'FLUSHDB', 'KEYS']) {
    const args = name === 'KEYS' ? [name, '*'] : [name];
    t.equal(await send(...args), `-NOPERM this user has no permissions to run the '${name.toLowerCase()}' command`, `${name} is blacklisted`);
  }
  t.equal(await send('AUTH', 'admin'), '+OK', 'AUTH <requirepass>: the default user');
  t.equal(await send('ACL', 'WHOAMI'), 'default');
  const list = await aclList(c);
  const limit = list.find((l) => l.startsWith('user limit ')) ?? '';
  t.ok(limit.startsWith(`user limit on #${sha('upw')} ~* &* +@all -`), `ACL LIST: ${limit}`);
  t.same(limit.split(' ').filter((w) => w.startsWith('-')).sort(), ['-flushall', '-flushdb', '-keys'], 'the blacklisted commands');
  t.match(await send('CONFIG', 'SET', 'userpass', 'x'), /can't set immutable config/, 'userpass is read at startup only');
  // CONFIG REWRITE keeps limit to userpass (a `user limit` line beside it would stop the next start)
  t.equal(await send('CONFIG', 'REWRITE'), '+OK');
  const written = fs.readFileSync(d.file, 'utf8');
  t.notMatch(written, /^user limit/m, 'no user line for limit');
  t.match(written, /^userpass : upw$/m);
  d.proc.kill('SIGKILL');
  await new Promise((res) => d.proc.once('exit', res));
  const again = await start(t, 'respdb', [], { file: d.file, dir: d.dir, port: d.port });
  t.equal(show(await again.c.send('AUTH', 'limit', 'upw')), '+OK', 'the rewritten pika.conf starts again, limit as before');
  t.equal(show(await again.c.send('KEYS', '*')), "-NOPERM this user has no permissions to run the 'keys' command");

  const [none, twice, typo] = await sideStarts;
  t.same(await aclList(none.c), ['user default on nopass ~* &* +@all'], 'no userpass: no limit user');
  t.equal(twice.code, 1, 'userpass and a user line of limit: refused');
  t.match(twice.output, /userpass makes the user 'limit'.*a `user` line defines it too/);
  t.equal(typo.code, 1, 'a blacklisted name that is no command: refused');
  t.match(typo.output, /userblacklist names 'flushal', which is not a command/);
});

t.test('protected mode: refused when the default user has no password and the client is not on loopback', async (t) => {
  installCommands();
  const users = new AclUsers(() => false);
  const cfg = Config.fromArgv(['--protected-mode', 'yes']);
  const far = '192.0.2.7';
  t.equal(refusedByProtectedMode(cfg, users.defaultUser, far), true, 'nopass default user, remote client');
  for (const a of ['127.0.0.1', '127.3.4.5', '::1', '::ffff:127.0.0.1']) t.equal(refusedByProtectedMode(cfg, users.defaultUser, a), false, `loopback ${a}`);
  t.equal(refusedByProtectedMode(cfg, users.defaultUser, '::ffff:192.0.2.7'), true, 'IPv4-mapped remote client');
  t.equal(refusedByProtectedMode(Config.fromArgv(['--bind', '0.0.0.0']), users.defaultUser, far), true, 'an explicit bind does not lift it (Redis 7.0)');
  t.equal(refusedByProtectedMode(Config.fromArgv(['--protected-mode', 'no']), users.defaultUser, far), false, 'protected-mode no');
  users.setUser('default', ['>x']);
  t.equal(refusedByProtectedMode(cfg, users.defaultUser, far), false, 'ACL SETUSER default >x counts as a password');
  users.setRequirePass('');
  t.equal(refusedByProtectedMode(cfg, users.defaultUser, far), true, 'requirepass "" makes it nopass again');
  users.setRequirePass('secret');
  t.equal(refusedByProtectedMode(cfg, users.defaultUser, far), false, 'requirepass');
  users.setUser('default', ['resetpass']);
  t.equal(refusedByProtectedMode(cfg, users.defaultUser, far), false, 'no password at all is not nopass: nobody logs in as default');
});

t.test('protected mode with an explicit bind, beside redis-server', async (t) => {
  const ip = Object.values(os.networkInterfaces())
    .flat()
    .find((a) => a !== undefined && a.family === 'IPv4' && !a.internal)?.address;
  if (ip === undefined) {
    t.comment('no non-loopback IPv4 address here');
    return;
  }
  const lines = ['port PORT', `bind ${ip} 127.0.0.1`];
  const [r, d] = await Promise.all([start(t, 'redis', lines), start(t, 'respdb', lines)]);
  const ask = async (port: number): Promise<string> => {
    const c = await RawClient.connect(port, ip);
    try {
      return show(await c.send('PING'));
    } catch {
      return 'closed';
    } finally {
      c.socket.destroy();
    }
  };
  const want = await ask(r.port);
  t.match(want, /^-DENIED Redis is running in protected mode/, 'redis-server refuses a client of its non-loopback address');
  t.equal(await ask(d.port), want, 'so does respdb');
  for (const s of [r, d]) await s.c.send('ACL', 'SETUSER', 'default', '>x');
  t.equal(await ask(d.port), await ask(r.port), 'a password for the default user lets it in (NOAUTH)');
});
