// What twemproxy (Debian's nutcracker 0.5.0) passes through, over 3 respdb nodes beside the same
// config over 3 redis-servers: the replies to a broad pipelined list of the commands it forwards
// (every family; MGET/MSET/DEL/EXISTS/TOUCH/UNLINK split across servers; EVAL with keys; keys that
// must meet on one server share a hash tag) are equal, and the commands it does not forward are
// refused the same way (the connection is closed, nothing is answered). Then one server is killed:
// its keys fail with nutcracker's error, the other servers' keys still answer, alike.
import t from 'tap';
import { createHash } from 'node:crypto';
import net from 'node:net';
import { startRedis, startRespdb, formatCommand } from '../support/servers.js';
import { RawClient, encodeCommand, formatReply, type CompareOptions } from '../support/resp-client.js';
import { until } from '../support/replica.js';
import { proxiedShards, type StartNutcrackerOptions } from '../support/twemproxy.js';

const POOL: StartNutcrackerOptions = { hashTag: '{}' };

type Cmd = string[];
const unordered: CompareOptions = { unordered: true };
const pairs: CompareOptions = { unordered: 'pairs' };

/** Keys spread over the servers (no tag), and keys that meet on one server ({t}). */
const spread = Array.from({ length: 12 }, (_, i) => `k${i}`);
const tagged = (s: string) => `{t}${s}`;

const SCRIPT = "redis.call('set', KEYS[1], ARGV[1]); return {redis.call('incr', KEYS[2]), KEYS[1], ARGV[1]}";
const SCRIPT_SHA = createHash('sha1').update(SCRIPT).digest('hex');

/** [command, how to compare its reply] */
const FORWARDED: [Cmd, CompareOptions?][] = [
  [['PING']],
  // strings
  [['SET', 's1', 'hello']],
  [['GET', 's1']],
  [['SET', 's1', 'again', 'NX']],
  [['SET', 's1', 'world', 'XX', 'GET']],
  [['SETNX', 's2', 'x']],
  [['SETEX', 's3', '1000', 'v']],
  [['PSETEX', 's4', '1000000', 'v']],
  [['GETSET', 's2', 'y']],
  [['APPEND', 's2', 'zz']],
  [['STRLEN', 's2']],
  [['INCR', 'n1']],
  [['INCRBY', 'n1', '41']],
  [['DECR', 'n1']],
  [['DECRBY', 'n1', '2']],
  [['INCRBYFLOAT', 'n2', '1.5']],
  [['INCR', 's1']],
  [['GETRANGE', 's1', '1', '3']],
  [['SETRANGE', 's1', '2', 'XY']],
  [['GETDEL', 's2']],
  [['GETEX', 's1', 'PERSIST']],
  [['MSET', ...spread.flatMap((k, i) => [k, `v${i}`])]],
  [['MGET', ...spread, 'missing']],
  [['EXISTS', ...spread.slice(0, 6), 'missing', 'k0']],
  [['TOUCH', ...spread.slice(0, 8), 'missing']],
  [['DEL', ...spread.slice(0, 4), 'missing']],
  [['UNLINK', ...spread.slice(4, 8), 'missing']],
  [['MGET', ...spread]],
  [['EXISTS', ...spread]],
  // keys
  [['TYPE', 's1']],
  [['TYPE', 'missing']],
  [['EXPIRE', 's1', '1000']],
  [['PEXPIRE', 'k8', '1000000']],
  [['EXPIREAT', 'k9', '4102444800']],
  [['PEXPIREAT', 'k10', '4102444800000']],
  [['PERSIST', 's1']],
  [['PERSIST', 's1']],
  [['TTL', 's1']],
  [['TTL', 'missing']],
  [['PTTL', 'k0']],
  // hashes
  [['HSET', 'h1', 'f1', 'v1', 'f2', 'v2', 'n', '5']],
  [['HMSET', 'h1', 'f3', 'v3']],
  [['HSETNX', 'h1', 'f1', 'no']],
  [['HGET', 'h1', 'f1']],
  [['HMGET', 'h1', 'f1', 'nope', 'f3']],
  [['HGETALL', 'h1'], pairs],
  [['HKEYS', 'h1'], unordered],
  [['HVALS', 'h1'], unordered],
  [['HLEN', 'h1']],
  [['HEXISTS', 'h1', 'f2']],
  [['HSTRLEN', 'h1', 'f2']],
  [['HINCRBY', 'h1', 'n', '10']],
  [['HINCRBYFLOAT', 'h1', 'n', '0.25']],
  [['HDEL', 'h1', 'f2', 'nope']],
  [['HINCRBY', 'h1', 'f1', '1']],
  [['GET', 'h1']],
  // lists
  [['RPUSH', 'l1', 'a', 'b', 'c', 'b', 'd']],
  [['LPUSH', 'l1', 'z']],
  [['LPUSHX', 'l1', 'y']],
  [['RPUSHX', 'nolist', 'x']],
  [['LRANGE', 'l1', '0', '-1']],
  [['LLEN', 'l1']],
  [['LINDEX', 'l1', '2']],
  [['LSET', 'l1', '0', 'Y']],
  [['LINSERT', 'l1', 'BEFORE', 'c', 'bb']],
  [['LPOS', 'l1', 'b', 'COUNT', '0']],
  [['LREM', 'l1', '1', 'b']],
  [['LTRIM', 'l1', '0', '4']],
  [['LPOP', 'l1']],
  [['RPOP', 'l1', '2']],
  [['RPUSH', tagged('l2'), '1', '2', '3']],
  [['RPOPLPUSH', tagged('l2'), tagged('l3')]],
  [['LMOVE', tagged('l2'), tagged('l3'), 'LEFT', 'RIGHT']],
  [['LRANGE', tagged('l3'), '0', '-1']],
  [['LPUSH', 's1', 'x']],
  // sets
  [['SADD', tagged('a'), '1', '2', '3', 'x']],
  [['SADD', tagged('b'), '2', '3', '4']],
  [['SREM', tagged('a'), 'x', 'nope']],
  [['SMEMBERS', tagged('a')], unordered],
  [['SISMEMBER', tagged('a'), '2']],
  [['SMISMEMBER', tagged('a'), '1', '9']],
  [['SCARD', tagged('a')]],
  [['SINTER', tagged('a'), tagged('b')], unordered],
  [['SUNION', tagged('a'), tagged('b')], unordered],
  [['SDIFF', tagged('a'), tagged('b')], unordered],
  [['SINTERSTORE', tagged('i'), tagged('a'), tagged('b')]],
  [['SUNIONSTORE', tagged('u'), tagged('a'), tagged('b')]],
  [['SDIFFSTORE', tagged('d'), tagged('a'), tagged('b')]],
  [['SMOVE', tagged('a'), tagged('b'), '1']],
  [['SMEMBERS', tagged('b')], unordered],
  [['SSCAN', tagged('u'), '0', 'COUNT', '100'], { unordered: 'deep' }],
  // sorted sets
  [['ZADD', 'z1', '1', 'a', '2', 'b', '3', 'c', '4', 'd']],
  [['ZADD', 'z1', 'XX', 'CH', '5', 'd', '9', 'new']],
  [['ZSCORE', 'z1', 'b']],
  [['ZMSCORE', 'z1', 'a', 'nope']],
  [['ZINCRBY', 'z1', '0.5', 'a']],
  [['ZRANGE', 'z1', '0', '-1', 'WITHSCORES']],
  [['ZREVRANGE', 'z1', '0', '1']],
  [['ZRANGEBYSCORE', 'z1', '(1', '+inf', 'LIMIT', '0', '2']],
  [['ZREVRANGEBYSCORE', 'z1', '+inf', '-inf']],
  [['ZRANGEBYLEX', 'z1', '-', '+']],
  [['ZRANK', 'z1', 'c']],
  [['ZREVRANK', 'z1', 'c']],
  [['ZCARD', 'z1']],
  [['ZCOUNT', 'z1', '2', '3']],
  [['ZLEXCOUNT', 'z1', '-', '+']],
  [['ZREM', 'z1', 'b', 'nope']],
  [['ZPOPMIN', 'z1']],
  [['ZPOPMAX', 'z1']],
  [['ZADD', tagged('z2'), '1', 'x', '2', 'y']],
  [['ZADD', tagged('z3'), '10', 'y', '20', 'w']],
  [['ZUNIONSTORE', tagged('zu'), '2', tagged('z2'), tagged('z3'), 'WEIGHTS', '1', '2']],
  [['ZINTERSTORE', tagged('zi'), '2', tagged('z2'), tagged('z3'), 'AGGREGATE', 'MAX']],
  [['ZRANGE', tagged('zu'), '0', '-1', 'WITHSCORES']],
  [['ZREMRANGEBYRANK', tagged('zu'), '0', '0']],
  [['ZREMRANGEBYSCORE', tagged('zu'), '-inf', '5']],
  [['ZSCAN', tagged('zi'), '0']],
  [['ZADD', 'z1', 'notanumber', 'a']],
  // dump (of values whose encoding has one order; a hash's field order is the server's own)
  [['DUMP', 'l1']],
  [['DUMP', 'z1']],
  [['DUMP', 'missing']],
  [['SET', 'dumped', 'payload']],
  [['DUMP', 'dumped']],
  // sort
  [['RPUSH', 'sortme', '3', '1', '2']],
  [['SORT', 'sortme']],
  [['SORT', 'sortme', 'DESC', 'LIMIT', '0', '2']],
  // scripting: keys on one server; the script is cached there by EVAL for EVALSHA
  [['EVAL', SCRIPT, '2', tagged('e1'), tagged('e2'), 'val']],
  [['EVAL', 'return redis.call("get", KEYS[1])', '1', tagged('e1')]],
  [['EVALSHA', SCRIPT_SHA, '2', tagged('e1'), tagged('e2'), 'again']],
  [['EVALSHA', '0'.repeat(40), '1', 'k0']],
  [['EVAL', 'return redis.call("nosuchcommand")', '1', 'k0']],
  [['EVAL', 'return {1, "two", 3.7, false}', '1', 'k0']],
];

/** Forwarded by nutcracker but not commands of respdb: respdb answers its unknown-command error. */
const NOT_IN_RESPDB: Cmd[] = [
  ['SETBIT', 'b1', '7', '1'],
  ['GETBIT', 'b1', '7'],
  ['BITCOUNT', 'b1'],
  ['BITPOS', 'b1', '1'],
  ['BITFIELD', 'b1', 'INCRBY', 'u8', '0', '3', 'GET', 'u4', '4'],
  ['PFADD', tagged('p1'), 'a', 'b', 'c'],
  ['PFADD', tagged('p2'), 'c', 'd'],
  ['PFCOUNT', tagged('p1')],
  ['PFMERGE', tagged('p3'), tagged('p1'), tagged('p2')],
  ['PFCOUNT', tagged('p3')],
  ['GEOADD', 'g1', '13.361389', '38.115556', 'Palermo', '15.087269', '37.502669', 'Catania'],
  ['GEODIST', 'g1', 'Palermo', 'Catania', 'km'],
  ['GEOHASH', 'g1', 'Palermo'],
  ['GEOPOS', 'g1', 'Catania', 'nope'],
  ['GEOSEARCH', 'g1', 'FROMLONLAT', '15', '37', 'BYRADIUS', '200', 'km', 'ASC', 'WITHDIST'],
  ['LOLWUT'],
];

/**
 * Handled by nutcracker itself: not forwarded (it closes the connection without a reply), or not
 * well formed for it (the same), or AUTH (answered by the proxy).
 */
const REFUSED: Cmd[] = [
  ['KEYS', '*'],
  ['SCAN', '0'],
  ['RANDOMKEY'],
  ['RENAME', tagged('a'), tagged('x')],
  ['MSETNX', 'a', '1'],
  ['BITOP', 'AND', 'd', 'a'],
  ['MULTI'],
  ['WATCH', 'a'],
  ['SUBSCRIBE', 'c'],
  ['PUBLISH', 'c', 'm'],
  ['SELECT', '1'],
  ['AUTH', 'x'],
  ['ECHO', 'x'],
  ['PING', 'hi'],
  ['DBSIZE'],
  ['INFO'],
  ['TIME'],
  ['CONFIG', 'GET', 'maxmemory'],
  ['FLUSHALL'],
  ['SCRIPT', 'LOAD', 'return 1'],
  ['EVAL', 'return 1', '0'],
  ['OBJECT', 'ENCODING', 'a'],
  ['HELLO', '3'],
  ['XADD', 'x', '*', 'f', 'v'],
  ['BLPOP', 'l', '1'],
  ['NOSUCHCOMMAND'],
  ['GET'],
  ['SETEX', 'k', '1'],
];

/** Sends `cmd` then PING on a new connection; what arrives, and whether the proxy closes it. */
function exchange(port: number, cmd: Cmd): Promise<string> {
  return new Promise((resolve) => {
    const s = net.connect({ port, host: '127.0.0.1' });
    let got = '';
    // a proxy that forwarded the command answers both and keeps the connection: give up then
    const timer = setTimeout(() => {
      s.destroy();
      resolve(`${JSON.stringify(got)} and still open`);
    }, 5000);
    s.on('data', (d: Buffer) => (got += d.toString('latin1')));
    s.on('error', () => {});
    s.on('close', () => {
      clearTimeout(timer);
      resolve(`${JSON.stringify(got)} then closed`);
    });
    s.write(Buffer.concat([encodeCommand(cmd), encodeCommand(['PING'])]));
  });
}

t.test('commands through nutcracker: respdb nodes answer as redis-server nodes do', async (t) => {
  const [respdb, redis] = await Promise.all([
    proxiedShards(t, 3, () => startRespdb({ shards: 2 }), POOL),
    proxiedShards(t, 3, () => startRedis(), POOL),
  ]);
  const d = await RawClient.connect(respdb.proxy.port);
  const r = await RawClient.connect(redis.proxy.port);
  t.teardown(() => Promise.all([d.close(), r.close()]));

  const cmds = FORWARDED.map(([c]) => c);
  const [want, got] = await Promise.all([r.pipeline(cmds), d.pipeline(cmds)]);
  const differ: string[] = [];
  FORWARDED.forEach(([c, opts], i) => {
    const a = formatReply(want[i], opts);
    const b = formatReply(got[i], opts);
    if (a !== b) differ.push(`${formatCommand(c)}\n  redis:  ${a}\n  respdb: ${b}`);
  });
  t.same(differ, [], `${cmds.length} pipelined commands through the proxy answer alike`);
  t.ok(
    want.some((x) => x.t === 'error'),
    'errors from the servers (WRONGTYPE, not an integer, script errors) come through the proxy',
  );

  const [viaRedis, viaRespdb] = await Promise.all([r.pipeline([...NOT_IN_RESPDB, ['PING']]), d.pipeline([...NOT_IN_RESPDB, ['PING']])]);
  NOT_IN_RESPDB.forEach((c, i) => {
    t.not(viaRedis[i].t, 'error', `${formatCommand(c)}: forwarded to redis-server`);
    t.match(formatReply(viaRespdb[i]), `ERR unknown command '${c[0]}'`, `${c[0]}: respdb's unknown-command error through the proxy`);
  });
  t.same(viaRespdb.at(-1), { t: 'simple', v: 'PONG' }, 'the connection to the proxy goes on after them');

  // the multi-key commands really went to several servers
  const holders = await Promise.all(
    respdb.nodes.map(async (n) => {
      const c = await RawClient.connect(n.port);
      const x = await c.send('EXISTS', ...spread);
      await c.close();
      return x.t === 'int' ? Number(x.v) : -1;
    }),
  );
  t.ok(holders.filter((n) => n > 0).length >= 2, `the MSET keys landed on several nodes (${holders.join(', ')})`);

  const refusals = await Promise.all(REFUSED.map(async (c) => [c, await exchange(respdb.proxy.port, c), await exchange(redis.proxy.port, c)] as const));
  for (const [c, viaRespdb, viaRedis] of refusals) t.equal(viaRespdb, viaRedis, `${formatCommand(c)}: the proxy answers alike (${viaRedis})`);

  // one server goes down (kill -9): its keys fail with nutcracker's error, the others still answer
  const keys = Array.from({ length: 200 }, (_, i) => `down:${i}`);
  const mset = ['MSET', ...keys.flatMap((k) => [k, `v-${k}`])];
  t.same([await d.send(...mset), await r.send(...mset)], [{ t: 'simple', v: 'OK' }, { t: 'simple', v: 'OK' }], 'keys written');
  const owners = await Promise.all(
    respdb.nodes.map(async (n) => {
      const c = await RawClient.connect(n.port);
      const held = await c.pipeline(keys.map((k) => ['EXISTS', k]));
      await c.close();
      return keys.filter((_, i) => held[i].t === 'int' && held[i].v === 1n);
    }),
  );
  // the server holding the most of these keys is the one to stop
  const down = owners.reduce((best, o, i) => (o.length > owners[best].length ? i : best), 0);
  const onDown = new Set(owners[down]);
  t.equal(owners.flat().length, keys.length, 'each key is on one server');
  t.ok(onDown.size < keys.length, `server${down + 1} holds ${onDown.size} of the ${keys.length} keys, the others the rest`);
  const probe = [...onDown][0];
  for (const n of [respdb.nodes[down], redis.nodes[down]]) {
    n.proc.kill('SIGKILL');
    await new Promise((res) => (n.proc.exitCode !== null || n.proc.signalCode !== null ? res(null) : n.proc.once('exit', res)));
  }
  // the proxy notices the closed server connection on the next request to it
  for (const c of [d, r]) await until(`the proxy to see server${down + 1} down`, async () => (await c.send('GET', probe)).t === 'error');
  const gets = [...keys.map((k) => ['GET', k]), ['MGET', ...keys.filter((k) => !onDown.has(k))]];
  const [downRedis, downRespdb] = await Promise.all([r.pipeline(gets), d.pipeline(gets)]);
  t.same(downRespdb.map((x) => formatReply(x)), downRedis.map((x) => formatReply(x)), `with server${down + 1} down, GETs through the proxy answer alike`);
  const errors = new Set(downRespdb.filter((x) => x.t === 'error').map((x) => formatReply(x)));
  t.same(
    keys.filter((_, i) => downRespdb[i].t === 'error'),
    [...onDown],
    `exactly server${down + 1}'s keys fail (${[...errors].join(', ')}), the others answer`,
  );
  t.equal(downRespdb.at(-1)!.t, 'array', 'an MGET of the other servers\' keys answers');
  t.same(await d.send('PING'), { t: 'simple', v: 'PONG' }, 'the client connection to the proxy stays up');
  const mgetAll = ['MGET', ...keys];
  const [mgetRespdb, mgetRedis] = await Promise.all([exchange(respdb.proxy.port, mgetAll), exchange(redis.proxy.port, mgetAll)]);
  t.equal(mgetRespdb, mgetRedis, `an MGET with keys of server${down + 1}: the proxy answers alike (${mgetRedis})`);
});
