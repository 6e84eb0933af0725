// Where users come from, with real config files: the aclfile (ACL LOAD / ACL SAVE), `user` lines,
// requirepass, Pika's userpass / userblacklist (with rename-command in the same pika.conf), and
// protected mode for a connection from a non-loopback address. Redis's side is checked on
// redis-server started with the same files.
import crypto from 'node:crypto';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t, { type Test } from 'tap';
import { freePort, makeTempDir, RESPDB_BIN, spawnTracked } from '../support/servers.js';
import { RawClient } from '../support/resp-client.js';
import { text } from '../support/acl-commands.js';

type Kind = 'redis' | 'respdb';
const KINDS: Kind[] = ['redis', 'respdb'];

/** Arguments after the config file: a port, no persistence for redis, one shard for respdb. */
function argv(kind: Kind, conf: string, port: number, dir: string): [string, string[]] {
  return kind === 'redis'
    ? ['redis-server', [conf, '--port', String(port), '--save', '', '--appendonly', 'no', '--dir', dir, '--daemonize', 'no']]
    : [process.execPath, [RESPDB_BIN, conf, '--port', String(port), '--dir', dir, '--shards', '1']];
}

/** Starts `kind` with the config file `conf`, waits until it answers, and stops it at teardown. */
async function serve(t: Test, kind: Kind, conf: string, dir: string): Promise<number> {
  const port = await freePort();
  const [cmd, args] = argv(kind, conf, port, dir);
  let out = '';
  const proc = spawnTracked(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  proc.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  t.teardown(() => new Promise<void>((resolve) => (proc.exitCode !== null || proc.signalCode !== null ? resolve() : (proc.once('exit', () => resolve()), proc.kill('SIGKILL')))));
  const deadline = Date.now() + 20000;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`${kind} exited: ${out.slice(-2000)}`);
    const c = await RawClient.connect(port).catch(() => null);
    if (c) {
      // protected mode or a password may answer instead of PONG: any reply means it is up
      await c.send('PING').catch(() => null);
      await c.close();
      return port;
    }
    if (Date.now() > deadline) throw new Error(`${kind} did not listen: ${out.slice(-2000)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A directory per server with `files` written into it; the config file is `files[0]`. */
async function dirWith(files: Record<string, string | ((dir: string) => string)>): Promise<string> {
  const dir = await makeTempDir('respdb-acl-conf-');
  for (const [name, body] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), typeof body === 'function' ? body(dir) : body);
  return dir;
}

const sha = (s: string) => crypto.createHash('sha256').update(s).digest('hex');
const say = async (c: RawClient, ...cmd: string[]) => text(await c.send(...cmd));

t.test('aclfile: ACL SAVE writes Redis format, ACL LOAD refuses a bad file and keeps the users', async (t) => {
  const files: Record<Kind, string> = { redis: '', respdb: '' };
  const errors: Record<Kind, string[]> = { redis: [], respdb: [] };
  for (const kind of KINDS) {
    const dir = await dirWith({
      'users.acl': 'user default on nopass ~* &* +@all\n',
      's.conf': (d) => `aclfile ${path.join(d, 'users.acl')}\n`,
    });
    const c = await RawClient.connect(await serve(t, kind, path.join(dir, 's.conf'), dir));
    t.teardown(() => c.close());
    t.equal(await say(c, 'ACL', 'SETUSER', 'alice', 'on', '>pw', '~a*', '&ch*', '+get'), 'OK', `${kind}: SETUSER`);
    t.equal(await say(c, 'ACL', 'SAVE'), 'OK', `${kind}: SAVE`);
    const acl = path.join(dir, 'users.acl');
    files[kind] = fs.readFileSync(acl, 'utf8').split('\n').sort().join('\n');
    fs.writeFileSync(acl, 'user default on nopass ~* &* +@all\nuser bob on >x +nosuchcmd\n');
    errors[kind].push((await say(c, 'ACL', 'LOAD')).replaceAll(dir, '<dir>'));
    fs.writeFileSync(acl, 'user default on nopass ~* &* +@all\nuser bob on >x +get\nbogus line\n');
    errors[kind].push((await say(c, 'ACL', 'LOAD')).replaceAll(dir, '<dir>'));
    errors[kind].push(await say(c, 'ACL', 'WHOAMI'));
    const users = await c.send('ACL', 'USERS');
    errors[kind].push(users.t === 'array' && users.v ? users.v.map(text).join(' ') : text(users));
    // a good file replaces the users
    fs.writeFileSync(acl, 'user default on nopass ~* &* +@all\nuser bob on >x +get\n');
    errors[kind].push(await say(c, 'ACL', 'LOAD'));
    errors[kind].push(await say(c, 'AUTH', 'bob', 'x'), await say(c, 'AUTH', 'alice', 'pw'));
  }
  t.equal(files.redis, ['', `user alice on #${sha('pw')} ~a* resetchannels &ch* -@all +get`, 'user default on nopass ~* &* +@all'].join('\n'), 'redis writes');
  t.equal(files.respdb, files.redis, 'respdb writes the same file');
  t.match(errors.redis[0], /^ERR <dir>\/users\.acl:2: Error in applying operation '\+nosuchcmd': Unknown command or category name in ACL\. WARNING: ACL errors detected, no change to the previously active ACL rules was performed$/);
  t.same(errors.respdb, errors.redis, 'respdb: the same errors, users kept, then replaced');
});

t.test('ACL LOAD / SAVE without an aclfile', async (t) => {
  const want = 'ERR This Redis instance is not configured to use an ACL file. You may want to specify users via the ACL SETUSER command and then issue a CONFIG REWRITE (assuming you have a Redis configuration file set) in order to store users in the Redis configuration.';
  for (const kind of KINDS) {
    const dir = await dirWith({ 's.conf': '' });
    const c = await RawClient.connect(await serve(t, kind, path.join(dir, 's.conf'), dir));
    t.teardown(() => c.close());
    t.equal(await say(c, 'ACL', 'LOAD'), want, `${kind}: ACL LOAD`);
    t.equal(await say(c, 'ACL', 'SAVE'), want, `${kind}: ACL SAVE`);
  }
});

t.test('user lines together with an aclfile are refused at startup', async (t) => {
  const message = 'Configuring Redis with users defined in redis.conf and at the same setting an ACL file path is invalid.';
  for (const kind of KINDS) {
    const dir = await dirWith({
      'users.acl': 'user default on nopass ~* &* +@all\n',
      's.conf': (d) => `aclfile ${path.join(d, 'users.acl')}\nuser carol on nopass +@all\n`,
    });
    const [cmd, args] = argv(kind, path.join(dir, 's.conf'), await freePort(), dir);
    const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 20000 });
    t.not(r.status, 0, `${kind} exits with an error`);
    t.match(r.stdout + r.stderr, message, `${kind}: Redis's message`);
  }
});

t.test('user lines alone, and requirepass as the default user password', async (t) => {
  const seen: Record<Kind, string[]> = { redis: [], respdb: [] };
  for (const kind of KINDS) {
    const dir = await dirWith({ 's.conf': 'user carol on >cpw ~c:* +@read\nrequirepass adminpw\n' });
    const c = await RawClient.connect(await serve(t, kind, path.join(dir, 's.conf'), dir));
    t.teardown(() => c.close());
    const log = seen[kind];
    log.push(await say(c, 'GET', 'x'), await say(c, 'AUTH', 'carol', 'cpw'), await say(c, 'GET', 'c:1'), await say(c, 'GET', 'x'), await say(c, 'SET', 'c:1', 'v'));
    log.push(await say(c, 'AUTH', 'adminpw'));
    const u = await c.send('ACL', 'GETUSER', 'default');
    const f = u.t === 'array' && u.v ? u.v : [];
    const at = f.findIndex((x) => text(x) === 'passwords');
    const pw = f[at + 1];
    log.push(`passwords: ${pw?.t === 'array' && pw.v ? pw.v.map(text).join(' ') : '?'}`);
    log.push(await say(c, 'CONFIG', 'SET', 'requirepass', 'newpw'), await say(c, 'AUTH', 'adminpw'), await say(c, 'AUTH', 'newpw'));
  }
  t.ok(seen.redis.includes(`passwords: ${sha('adminpw')}`), 'ACL GETUSER default shows the requirepass digest');
  t.same(seen.respdb, seen.redis, 'respdb as redis-server');
});

t.test("Pika's userpass and userblacklist, with rename-command in the same pika.conf", async (t) => {
  const dir = await dirWith({
    'pika.conf': 'port : 9221\nrequirepass : adminpass\nuserpass : userpass1\nuserblacklist : flushall,flushdb,keys\nrename-command : get fetch\n',
  });
  const c = await RawClient.connect(await serve(t, 'respdb', path.join(dir, 'pika.conf'), dir));
  t.teardown(() => c.close());
  t.equal(await say(c, 'AUTH', 'limit', 'userpass1'), 'OK', 'limit authenticates with userpass');
  t.equal(await say(c, 'ACL', 'WHOAMI'), 'limit');
  t.equal(await say(c, 'SET', 'k', 'v'), 'OK', 'limit may write');
  t.equal(await say(c, 'fetch', 'k'), 'v', 'the renamed GET');
  for (const cmd of [['FLUSHALL'], ['FLUSHDB'], ['KEYS', '*']]) {
    t.equal(await say(c, ...cmd), `NOPERM this user has no permissions to run the '${cmd[0].toLowerCase()}' command`, `limit: ${cmd[0]} refused`);
  }
  t.equal(await say(c, 'AUTH', 'userpass1'), 'WRONGPASS invalid username-password pair or user is disabled.', 'userpass is not the default user password');
  t.equal(await say(c, 'AUTH', 'adminpass'), 'OK', 'the default user with requirepass');
  t.equal(await say(c, 'KEYS', '*'), 'array', 'the default user runs KEYS');
  // Redis's ACL names commands as they were before rename-command (checked below on redis-server)
  const rules = [await say(c, 'ACL', 'SETUSER', 'x', '+get'), await say(c, 'ACL', 'SETUSER', 'x', '+fetch')];
  const rdir = await dirWith({ 'r.conf': 'rename-command get fetch\n' });
  const r = await RawClient.connect(await serve(t, 'redis', path.join(rdir, 'r.conf'), rdir));
  t.teardown(() => r.close());
  const want = [await say(r, 'ACL', 'SETUSER', 'x', '+get'), await say(r, 'ACL', 'SETUSER', 'x', '+fetch')];
  t.same(want, ['OK', "ERR Error in ACL SETUSER modifier '+fetch': Unknown command or category name in ACL"], 'redis: ACL knows the original name only');
  t.same(rules, want, 'respdb: the same for a renamed command');
  t.equal(await say(c, 'CONFIG', 'SET', 'userblacklist', 'flushall'), 'OK', 'CONFIG SET userblacklist');
  t.equal(await say(c, 'AUTH', 'limit', 'userpass1'), 'OK');
  t.equal(await say(c, 'KEYS', 'nomatch*'), 'array', 'KEYS allowed once off the blacklist');
  t.equal(await say(c, 'FLUSHDB'), 'OK', 'FLUSHDB too');
});

t.test('protected mode: a non-loopback client is DENIED without a default password, served with one', async (t) => {
  const addr = Object.values(os.networkInterfaces())
    .flat()
    .find((a) => a && a.family === 'IPv4' && !a.internal)?.address;
  if (!addr) {
    t.plan(0, 'this machine has no non-loopback IPv4 address');
    return;
  }
  const replies: Record<string, string> = {};
  for (const kind of KINDS) {
    for (const withPass of [false, true]) {
      // Redis 7.0 applies protected mode whatever bind says; respdb listens on loopback only unless told
      const conf = `protected-mode yes\n${kind === 'respdb' ? 'bind 0.0.0.0\n' : ''}${withPass ? 'requirepass pw\n' : ''}`;
      const dir = await dirWith({ 's.conf': conf });
      const port = await serve(t, kind, path.join(dir, 's.conf'), dir);
      const c = await RawClient.connect(port, addr);
      const first = await say(c, ...(withPass ? ['AUTH', 'pw'] : ['PING'])).catch((e: Error) => `(${e.message})`);
      const then = withPass ? await say(c, 'PING') : (await c.waitClose(5000)) ? '(closed)' : '(open)';
      replies[`${kind} ${withPass ? 'password' : 'no password'}`] = `${first} | ${then}`;
      await c.close();
    }
  }
  t.match(replies['redis no password'], /^DENIED Redis is running in protected mode because protected mode is enabled and no password is set for the default user\..* \| \(closed\)$/);
  t.equal(replies['redis password'], 'OK | PONG');
  t.equal(replies['respdb no password'], replies['redis no password'], 'respdb DENIED and closes');
  t.equal(replies['respdb password'], 'OK | PONG', 'respdb serves with a password');
});
