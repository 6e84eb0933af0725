// MIGRATE between respdb and redis-server in both directions: the same MIGRATE run by redis-server
// and by respdb (2 shards, keys on several) towards a third redis-server answers the same and
// moves the same values (digests), COPY and REPLACE, NOKEY, BUSYKEY from the target, AUTH / AUTH2,
// syntax and IOERR errors; redis-server migrating into respdb (SELECT, RESTORE, AUTH on the
// target side); the connection to a target is kept between MIGRATEs.
import t from 'tap';
import { pair, startRedis } from '../support/servers.js';
import { RawClient, formatReply } from '../support/resp-client.js';
import { DATASET, KEYS } from './dataset.js';
import { infoSorted } from '../support/command-docs.js';
import type { Cmd } from './keyspace-support.js';

t.test('MIGRATE both ways', async (t) => {
  const p = await pair(t, { shards: 2, redisArgs: ['--enable-debug-command', 'yes'] });
  const target = await startRedis({ args: ['--enable-debug-command', 'yes'] });
  const tc = await RawClient.connect(target.port);
  t.teardown(async () => {
    await tc.close();
    await target.stop();
  });
  const T = String(target.port);
  const H = '127.0.0.1';
  t.equal(infoSorted(await p.respdb.send('COMMAND', 'INFO', 'migrate')), infoSorted(await p.redis.send('COMMAND', 'INFO', 'migrate')), 'COMMAND INFO migrate');
  for (const c of [['MIGRATE', H, T, 'k', '0', '10'], ['MIGRATE', H, T, '', '0', '10', 'COPY', 'KEYS', 'a', 'b']]) {
    t.equal(formatReply(await p.respdb.send('COMMAND', 'GETKEYS', ...c)), formatReply(await p.redis.send('COMMAND', 'GETKEYS', ...c)), `COMMAND GETKEYS ${c.join(' ')}`);
  }
  await p.redis.pipeline(DATASET);
  await p.respdb.pipeline(DATASET);
  // the same MIGRATE from each source, into its own database of the target (redis: 1, respdb: 2)
  const both = async (what: string, args: (db: string) => Cmd) => {
    const r = formatReply(await p.redis.send(...args('1')));
    const d = formatReply(await p.respdb.send(...args('2')));
    t.equal(d, r, what);
    return d;
  };
  const digest = async (db: string, keys: string[]) => {
    await tc.send('SELECT', db);
    return formatReply(await tc.send('DEBUG', 'DIGEST-VALUE', ...keys));
  };
  const names = KEYS.map(([k]) => k);
  t.equal(await both('one key', (db) => ['MIGRATE', H, T, 's:int', db, '5000']), '+"OK"');
  await both('several keys on several shards, with KEYS', (db) => ['MIGRATE', H, T, '', db, '5000', 'KEYS', ...names.slice(1, 12)]);
  await both('COPY', (db) => ['MIGRATE', H, T, '', db, '5000', 'COPY', 'KEYS', ...names.slice(12)]);
  t.equal(await both('BUSYKEY from the target', (db) => ['MIGRATE', H, T, '', db, '5000', 'COPY', 'KEYS', ...names.slice(12)]), '(error) "ERR Target instance replied with error: BUSYKEY Target key name already exists."');
  await both('COPY REPLACE', (db) => ['MIGRATE', H, T, '', db, '5000', 'COPY', 'REPLACE', 'KEYS', ...names.slice(12)]);
  await both('REPLACE moves', (db) => ['MIGRATE', H, T, '', db, '5000', 'REPLACE', 'KEYS', ...names.slice(12)]);
  t.equal(await digest('1', names), await digest('2', names), 'the target holds the same values from both');
  const ttl = formatReply(await tc.send('TTL', 'ttl:s'));
  t.match(ttl, /^\(integer\) (99\d\d\d|100000)$/, `the TTL travels (${ttl})`);
  await both('the sources lost the keys', () => ['EXISTS', ...names]);
  t.equal(await both('NOKEY', (db) => ['MIGRATE', H, T, 'missing', db, '5000']), '+"NOKEY"');
  await both('NOKEY with KEYS', (db) => ['MIGRATE', H, T, '', db, '5000', 'KEYS', 'missing', 'missing2']);
  await both('KEYS with a key', (db) => ['MIGRATE', H, T, 'k', db, '5000', 'KEYS', 'a']);
  await both('syntax', (db) => ['MIGRATE', H, T, 'k', db, '5000', 'BOGUS']);
  await both('AUTH without its password', (db) => ['MIGRATE', H, T, 'k', db, '5000', 'AUTH']);
  await both('AUTH2 without its password', (db) => ['MIGRATE', H, T, 'k', db, '5000', 'AUTH2', 'u']);
  await both('timeout not an integer', (db) => ['MIGRATE', H, T, 'k', db, 'x']);
  await both('db not an integer', () => ['MIGRATE', H, T, 'k', 'x', '5000']);
  await both('arity', () => ['MIGRATE', H, T, 'k', '0']);
  for (const c of [['SET', 'a', '1'], ['SET', 'b', '2']]) {
    await p.redis.send(...c);
    await p.respdb.send(...c);
  }
  await both('AUTH to a target without a password', (db) => ['MIGRATE', H, T, 'a', db, '5000', 'COPY', 'AUTH', 'pw']);
  await tc.send('ACL', 'SETUSER', 'mover', 'on', '>secret', '~*', '+@all');
  await both('AUTH2 with a wrong password', (db) => ['MIGRATE', H, T, 'a', db, '5000', 'COPY', 'AUTH2', 'mover', 'nope']);
  await both('AUTH2', (db) => ['MIGRATE', H, T, 'a', db, '5000', 'AUTH2', 'mover', 'secret']);
  const closed = await startRedis();
  const closedPort = String(closed.port);
  await closed.stop();
  await both('IOERR: a refused connection', (db) => ['MIGRATE', H, closedPort, 'b', db, '500']);
  await both('IOERR: a host that does not resolve', (db) => ['MIGRATE', 'nonexistent.invalid', T, 'b', db, '500']);
  await both('the key stays after an IOERR', () => ['EXISTS', 'b']);
  // the target sees one connection from respdb, reused
  const clients = async () => (formatReply(await tc.send('CLIENT', 'LIST')).match(/cmd=restore/g) ?? []).length;
  const before = await clients();
  await p.respdb.send('MIGRATE', H, T, 'b', '2', '5000', 'COPY', 'REPLACE');
  await p.respdb.send('MIGRATE', H, T, 'b', '2', '5000', 'COPY', 'REPLACE');
  t.equal(await clients(), before, 'the connection is reused');

  // redis-server -> respdb, keys back from the target with COPY (respdb's db 5) and compared
  await tc.send('SELECT', '1');
  const R = String(p.respdbPort);
  t.equal(formatReply(await tc.send('MIGRATE', H, R, '', '5', '5000', 'COPY', 'KEYS', ...names)), '+"OK"', 'redis-server migrates into respdb');
  await p.respdb.send('SELECT', '5');
  t.equal(formatReply(await p.respdb.send('DEBUG', 'DIGEST-VALUE', ...names)), await digest('1', names), 'respdb holds what redis-server sent');
  await tc.send('SELECT', '1');
  for (const [k, enc] of KEYS) t.equal(formatReply(await p.respdb.send('OBJECT', 'ENCODING', k)), formatReply(await tc.send('OBJECT', 'ENCODING', k)), `${k}: ${enc} on both`);
  await tc.send('SELECT', '1');
  t.equal(formatReply(await tc.send('MIGRATE', H, R, 's:int', '5', '5000', 'COPY')), '(error) "ERR Target instance replied with error: BUSYKEY Target key name already exists."', 'BUSYKEY from respdb');
  await p.respdb.send('CONFIG', 'SET', 'requirepass', 'pw');
  t.equal(formatReply(await tc.send('MIGRATE', H, R, 's:int', '6', '5000', 'COPY', 'AUTH', 'pw')), '+"OK"', 'AUTH on respdb as the target');
  t.match(formatReply(await tc.send('MIGRATE', H, R, 's:int', '7', '5000', 'COPY', 'AUTH', 'wrong')), /Target instance replied with error: WRONGPASS/);
  await p.respdb.send('AUTH', 'pw');
  await p.respdb.send('CONFIG', 'SET', 'requirepass', '');
});
