// EVAL / EVALSHA / EVAL_RO / SCRIPT / FUNCTION / FCALL against redis-server 7.0 over real
// sockets, 1 and 4 shards, RESP2 and RESP3: replies and errors, scripts whose keys are on one
// shard, on several, and undeclared; -BUSY, SCRIPT KILL, FUNCTION KILL; scripts and libraries
// across a restart; atomicity of cross-shard scripts under concurrent readers.
import t from 'tap';
import { diff, pair, pipelineDiff, startRespdb, withResp3 } from '../support/servers.js';
import { RawClient, formatReply } from '../support/resp-client.js';
import { shardOf } from '../../lib/slot.js';

type Cmd = (string | Buffer)[];

const LIB = `#!lua name=mylib
local function echo(keys, args) return {keys[1], args[1]} end
local function setget(keys, args) redis.call('set', keys[1], args[1]) return redis.call('get', keys[1]) end
redis.register_function('echo', echo)
redis.register_function('setget', setget)
redis.register_function{function_name='ro', callback=function(keys) return redis.call('get', keys[1]) end, flags={'no-writes'}, description='a read'}
redis.register_function{function_name='badwrite', callback=function(keys) return redis.call('set', keys[1], 'x') end, flags={'no-writes'}}`;

const ONE = `#!lua name=onelib
redis.register_function{function_name='only', callback=function(keys) return redis.call('get', keys[1]) end, flags={'no-writes', 'allow-stale'}, description='the only one'}`;

function cases(): Cmd[] {
  const E = (body: string, ...rest: string[]): Cmd => ['EVAL', body, ...rest];
  return [
    ['FLUSHALL'],
    E('return 1', '0'),
    E('return {1, 2, {3, "x"}, nil, 4}', '0'),
    E('return redis.call("set", KEYS[1], ARGV[1])', '1', 'k1', 'v1'),
    E('return redis.call("get", KEYS[1])', '1', 'k1'),
    E('return {KEYS[1], KEYS[2], ARGV[1], ARGV[2]}', '2', 'a', 'b', 'c', 'd'),
    // keys on several shards, declared
    E('redis.call("set", KEYS[1], "1") redis.call("set", KEYS[2], "2") redis.call("set", KEYS[3], "3") return redis.call("mget", KEYS[1], KEYS[2], KEYS[3])', '3', 'a', 'b', 'c'),
    // keys the script computes (undeclared), and a main-thread command
    E('for i = 1, 20 do redis.call("incr", "u" .. i) end return {redis.call("get", "u7"), redis.call("dbsize")}', '0'),
    E('return redis.call("incr", KEYS[1])', '1', 'k1'),
    E('return redis.pcall("incr", KEYS[1])', '1', 'k1'),
    E('local r = redis.pcall("incr", KEYS[1]) return r["err"]', '1', 'k1'),
    E('return redis.call("nosuch")', '0'),
    E('return redis.pcall("nosuch")', '0'),
    E('return redis.call("get")', '0'),
    E('return redis.call("eval", "return 1", "0")', '0'),
    E('return redis.call("blpop", "l", "0")', '0'),
    E('return redis.call("XREAD", "BLOCK", "0", "STREAMS", "s", "0")', '0'),
    E('redis.call("xadd", KEYS[1], "1-1", "f", "v") return redis.call("xread", "COUNT", "5", "STREAMS", KEYS[1], "0")', '1', 'st'),
    E('return redis.call("select", "3")', '0'),
    E('redis.call("select", "3") redis.call("set", "in3", "x") return redis.call("get", "in3")', '0'),
    ['GET', 'in3'],
    ['SELECT', '3'],
    ['GET', 'in3'],
    ['SELECT', '0'],
    E('return redis.call("ping")', '0'),
    E('return redis.call("echo", "hi")', '0'),
    E('return #redis.call("time")', '0'),
    E('return 1', '-1'),
    E('return 1', '2', 'a'),
    E('return 1', 'x'),
    E('return x x', '0'),
    ['EVALSHA', 'ffffffffffffffffffffffffffffffffffffffff', '0'],
    ['EVALSHA', 'short', '0'],
    ['SCRIPT', 'LOAD', 'return ARGV[1]'],
    ['EVALSHA', '098e0f0d1448c0a81dafe820f66d460eb09263da', '0', 'hello'],
    ['EVALSHA', '098E0F0D1448C0A81DAFE820F66D460EB09263DA', '0', 'upper'],
    ['SCRIPT', 'EXISTS', '098e0f0d1448c0a81dafe820f66d460eb09263da', 'ffffffffffffffffffffffffffffffffffffffff'],
    ['SCRIPT', 'LOAD', 'x x'],
    ['SCRIPT', 'FLUSH', 'bad'],
    ['SCRIPT', 'FLUSH', 'ASYNC'],
    ['SCRIPT', 'EXISTS', '098e0f0d1448c0a81dafe820f66d460eb09263da'],
    ['EVALSHA', '098e0f0d1448c0a81dafe820f66d460eb09263da', '0', 'hello'],
    ['SCRIPT', 'KILL'],
    ['SCRIPT', 'NOSUCH'],
    ['EVAL_RO', 'return redis.call("set", KEYS[1], "x")', '1', 'k2'],
    ['EVAL_RO', 'return redis.call("get", KEYS[1])', '1', 'k1'],
    ['EVAL_RO', '#!lua\nreturn 1', '0'],
    ['EVAL_RO', '#!lua flags=no-writes\nreturn 1', '0'],
    E('#!lua flags=no-writes\nreturn redis.call("set", "k", "v")', '0'),
    E('#!lua flags=bad\nreturn 1', '0'),
    E('#!python\nreturn 1', '0'),
    ['FUNCTION', 'FLUSH'],
    ['FUNCTION', 'LOAD', LIB],
    ['FUNCTION', 'LOAD', LIB],
    ['FUNCTION', 'LOAD', 'REPLACE', LIB],
    ['FUNCTION', 'LOAD', '#!lua name=other\nredis.register_function("echo", function() return 1 end)'],
    ['FUNCTION', 'LOAD', 'return 1'],
    ['FCALL', 'echo', '1', 'key', 'arg'],
    ['FCALL', 'setget', '1', 'fk', 'fv'],
    ['FCALL', 'ro', '1', 'fk'],
    ['FCALL_RO', 'ro', '1', 'fk'],
    ['FCALL_RO', 'setget', '1', 'fk', 'x'],
    ['FCALL', 'badwrite', '1', 'fk'],
    ['FCALL', 'nosuch', '0'],
    ['FCALL', 'echo', '-1'],
    // (a library's functions are listed in Redis's hash order: one function per library here)
    ['FUNCTION', 'LOAD', ONE],
    ['FUNCTION', 'LIST', 'LIBRARYNAME', 'one*'],
    ['FUNCTION', 'LIST', 'WITHCODE', 'LIBRARYNAME', 'one*'],
    ['FUNCTION', 'LIST', 'LIBRARYNAME', 'no*'],
    ['FUNCTION', 'LIST', 'LIBRARYNAME'],
    ['FUNCTION', 'LIST', 'bad'],
    ['FUNCTION', 'STATS'],
    ['FUNCTION', 'KILL'],
    ['FUNCTION', 'DELETE', 'nosuch'],
    ['FUNCTION', 'DELETE', 'mylib'],
    ['FCALL', 'echo', '0'],
    ['FUNCTION', 'RESTORE', 'garbage'],
    ['FUNCTION', 'RESTORE', 'garbage', 'BAD'],
    ['FUNCTION', 'FLUSH', 'bad'],
    ['FUNCTION', 'FLUSH', 'SYNC'],
    ['FUNCTION', 'HELP'],
  ];
}

for (const shards of [1, 4]) {
  t.test(`scripting commands as redis, ${shards} shard(s)`, async (t) => {
    const p = await pair(t, { shards });
    await diff(t, p, cases());
    t.equal(await pipelineDiff(p, cases()), null, 'the same commands pipelined');
    // SCRIPT HELP: Redis's lines, without SCRIPT DEBUG (the Lua debugger is not part of respdb)
    const lines = (r: unknown): string[] => ((r as { v: Array<{ v: unknown }> }).v).map((x) => String(x.v));
    const want = lines(await p.redis.send('SCRIPT', 'HELP'));
    const at = want.indexOf('DEBUG (YES|SYNC|NO)');
    want.splice(at, 2);
    t.same(lines(await p.respdb.send('SCRIPT', 'HELP')), want, 'SCRIPT HELP');
    await withResp3(p, async (q) => {
      const r3: Cmd[] = [
        ['EVAL', 'return {1, "two", {ok="fine"}}', '0'],
        ['EVAL', 'redis.setresp(3) return redis.call("hgetall", KEYS[1])', '1', 'nohash'],
        ['EVAL', 'return {double=3.5}', '0'],
        ['EVAL', 'return true', '0'],
        ['EVAL', 'return false', '0'],
        ['FUNCTION', 'LOAD', 'REPLACE', ONE],
        ['FUNCTION', 'LIST', 'LIBRARYNAME', 'one*'],
        ['FUNCTION', 'STATS'],
      ];
      await diff(t, q, r3, { label: 'RESP3' });
    });
  });
}

/** Polls until `fn` is true (bounded). */
async function until(fn: () => Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if (await fn()) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error('timed out waiting for ' + what);
}

t.test('a long script: -BUSY for others, SCRIPT KILL, UNKILLABLE, FUNCTION KILL', async (t) => {
  const d = await startRespdb({ shards: 2 });
  t.teardown(() => d.stop());
  const admin = await RawClient.connect(d.port);
  const runner = await RawClient.connect(d.port);
  t.teardown(async () => {
    await admin.close();
    await runner.close();
  });
  await admin.send('CONFIG', 'SET', 'busy-reply-threshold', '50');
  t.same(await admin.send('CONFIG', 'GET', 'lua-time-limit'), { t: 'array', v: [{ t: 'bulk', v: Buffer.from('lua-time-limit') }, { t: 'bulk', v: Buffer.from('50') }] }, 'lua-time-limit is the alias');
  // PING runs on the main thread: a command queued on the script's shard before the threshold
  // passed waits for the script instead
  const isBusy = async (): Promise<boolean> => {
    const r = await admin.send('PING');
    return r.t === 'error' && String(r.v).startsWith('BUSY');
  };
  // a read-only spin: killed
  const spin = runner.send('EVAL', 'while true do end', '0');
  await until(isBusy, 'BUSY');
  t.match(await admin.send('DBSIZE'), { t: 'error', v: /^BUSY Redis is busy running a script\. You can only call SCRIPT KILL or SHUTDOWN NOSAVE\./ }, 'DBSIZE gets BUSY');
  t.match(await admin.send('FUNCTION', 'KILL'), { t: 'error', v: /^BUSY .*SCRIPT KILL/ }, 'FUNCTION KILL does not stop a script');
  t.same(await admin.send('SCRIPT', 'KILL'), { t: 'simple', v: 'OK' }, 'SCRIPT KILL');
  t.match(await spin, { t: 'error', v: /^ERR Script killed by user with SCRIPT KILL\.\.\. script: / }, 'the script ends with the kill error');
  t.match(await admin.send('PING'), { t: 'simple', v: 'PONG' }, 'not busy any more');
  t.match(await admin.send('SCRIPT', 'KILL'), { t: 'error', v: 'NOTBUSY No scripts in execution right now.' }, 'NOTBUSY');
  // a writing spin: unkillable; it ends by itself
  const writer = runner.send('EVAL', 'redis.call("set", KEYS[1], "1") local n = 0 while n < 3e7 do n = n + 1 end return n', '1', 'w');
  await until(isBusy, 'BUSY (writer)');
  t.match(await admin.send('SCRIPT', 'KILL'), { t: 'error', v: /^UNKILLABLE / }, 'a script that wrote is unkillable');
  t.match(await admin.send('SHUTDOWN'), { t: 'error', v: /^BUSY / }, 'SHUTDOWN without NOSAVE is refused');
  t.same(await writer, { t: 'int', v: 30000000 }, 'it finishes');
  t.same(await admin.send('GET', 'w'), { t: 'bulk', v: Buffer.from('1') }, 'its write stays');
  // a function
  await admin.send('FUNCTION', 'LOAD', '#!lua name=spin\nredis.register_function{function_name="spin", callback=function() while true do end end, flags={"no-writes"}}');
  const fn = runner.send('FCALL', 'spin', '0');
  await until(isBusy, 'BUSY (function)');
  t.match(await admin.send('PING'), { t: 'error', v: /FUNCTION KILL/ }, 'the BUSY text names FUNCTION KILL');
  const stats = await admin.send('FUNCTION', 'STATS');
  t.match(formatReply(stats), /spin/, 'FUNCTION STATS shows the running function');
  t.match(await admin.send('SCRIPT', 'KILL'), { t: 'error', v: /^BUSY .*FUNCTION KILL/ }, 'SCRIPT KILL does not stop a function');
  t.same(await admin.send('FUNCTION', 'KILL'), { t: 'simple', v: 'OK' }, 'FUNCTION KILL');
  t.match(await fn, { t: 'error', v: /^ERR Script killed by user with SCRIPT KILL\.\.\. script: spin, on @user_function:/ }, 'the function ends with the kill error');
});

t.test('SHUTDOWN NOSAVE stops a writing script and its writes are not kept', async (t) => {
  const d = await startRespdb({ shards: 1 });
  t.teardown(() => d.stop());
  const admin = await RawClient.connect(d.port);
  const runner = await RawClient.connect(d.port);
  await admin.send('CONFIG', 'SET', 'busy-reply-threshold', '50');
  await admin.send('SET', 'before', '1');
  void runner.send('EVAL', 'redis.call("set", KEYS[1], "1") while true do end', '1', 'lost').catch(() => null);
  await until(async () => {
    const r = await admin.send('PING');
    return r.t === 'error';
  }, 'BUSY');
  void admin.send('SHUTDOWN', 'NOSAVE').catch(() => null);
  await until(async () => d.proc.exitCode !== null || d.proc.signalCode !== null, 'the exit');
  await admin.close().catch(() => {});
  await runner.close().catch(() => {});
  await d.restart();
  const c = await RawClient.connect(d.port);
  t.teardown(() => c.close());
  t.same(await c.send('GET', 'before'), { t: 'bulk', v: Buffer.from('1') }, 'acknowledged writes are kept');
  t.same(await c.send('GET', 'lost'), { t: 'bulk', v: null }, 'the stopped script wrote nothing');
});

t.test('scripts and function libraries survive a restart', async (t) => {
  const d = await startRespdb({ shards: 4 });
  t.teardown(() => d.stop());
  const c = await RawClient.connect(d.port);
  const sha = (await c.send('SCRIPT', 'LOAD', 'return "kept " .. ARGV[1]')) as { v: Buffer };
  await c.send('FUNCTION', 'LOAD', LIB);
  await c.close();
  await d.restart();
  const c2 = await RawClient.connect(d.port);
  t.teardown(() => c2.close());
  t.same(await c2.send('EVALSHA', sha.v.toString(), '0', 'x'), { t: 'bulk', v: Buffer.from('kept x') }, 'EVALSHA after the restart');
  t.same(await c2.send('FCALL', 'setget', '1', 'k', 'v'), { t: 'bulk', v: Buffer.from('v') }, 'FCALL after the restart');
  t.match(formatReply(await c2.send('FUNCTION', 'LIST')), /mylib/, 'FUNCTION LIST after the restart');
});

t.test('a script moving values between shards is atomic for every reader', async (t) => {
  const d = await startRespdb({ shards: 4 });
  t.teardown(() => d.stop());
  // keys on different shards
  const keys: string[] = [];
  for (let i = 0; keys.length < 4; i++) {
    const k = 'acct' + i;
    if (!keys.some((x) => shardOf(Buffer.from(x), 4) === shardOf(Buffer.from(k), 4))) keys.push(k);
  }
  const setup = await RawClient.connect(d.port);
  t.teardown(() => setup.close());
  for (const k of keys) await setup.send('SET', k, '1000');
  const move = 'local a = tonumber(redis.call("get", KEYS[1])) local n = tonumber(ARGV[1]) redis.call("set", KEYS[1], a - n) redis.call("incrby", KEYS[2], n) return 1';
  const movers = await Promise.all([0, 1, 2].map(() => RawClient.connect(d.port)));
  const readers = await Promise.all([0, 1].map(() => RawClient.connect(d.port)));
  t.teardown(async () => {
    for (const c of [...movers, ...readers]) await c.close();
  });
  let stop = false;
  let reads = 0;
  let broken = 0;
  const readLoop = async (c: RawClient): Promise<void> => {
    while (!stop) {
      const r = await c.send('MGET', ...keys);
      const sum = ((r as { v: unknown }).v as Array<{ v: Buffer }>).reduce((s, x) => s + Number(x.v.toString()), 0);
      reads++;
      if (sum !== 4000) broken++;
    }
  };
  const moveLoop = async (c: RawClient, seed: number): Promise<void> => {
    for (let i = 0; i < 150; i++) {
      const from = keys[(seed + i) % 4];
      const to = keys[(seed + i + 1 + (i % 3)) % 4];
      const r = await c.send('EVAL', move, '2', from, to, String((i % 7) + 1));
      if (r.t === 'error') throw new Error(String(r.v));
    }
  };
  const rl = readers.map(readLoop);
  await Promise.all(movers.map((c, i) => moveLoop(c, i)));
  stop = true;
  await Promise.all(rl);
  t.ok(reads > 0, `readers ran (${reads} reads)`);
  t.equal(broken, 0, 'no reader saw a transfer half done');
  const r = await setup.send('MGET', ...keys);
  t.equal(((r as { v: unknown }).v as Array<{ v: Buffer }>).reduce((s, x) => s + Number(x.v.toString()), 0), 4000, 'the total is kept');
});

t.test('FUNCTION DUMP / RESTORE between respdb and redis-server', async (t) => {
  const p = await pair(t, { shards: 2 });
  for (const c of [p.redis, p.respdb]) {
    await c.send('FUNCTION', 'LOAD', LIB);
    await c.send('FUNCTION', 'LOAD', ONE);
  }
  const fromRedis = (await p.redis.send('FUNCTION', 'DUMP')) as { v: Buffer };
  const fromRespdb = (await p.respdb.send('FUNCTION', 'DUMP')) as { v: Buffer };
  // APPEND onto the same libraries: both refuse, naming a library that exists (which one is
  // Redis's hash order, so only the form is compared)
  for (const c of [p.redis, p.respdb]) {
    t.match(await c.send('FUNCTION', 'RESTORE', fromRedis.v), { t: 'error', v: /^ERR Library (mylib|onelib) already exists$/ }, 'APPEND collision');
  }
  await diff(t, p, [
    ['FUNCTION', 'RESTORE', fromRedis.v, 'REPLACE'],
    ['FUNCTION', 'RESTORE', fromRedis.v, 'FLUSH'],
    ['FUNCTION', 'RESTORE', fromRespdb.v, 'REPLACE'],
    ['FCALL', 'setget', '1', 'k', 'v'],
    ['FUNCTION', 'FLUSH'],
    ['FUNCTION', 'RESTORE', fromRespdb.v],
    ['FCALL', 'echo', '1', 'a', 'b'],
    ['FUNCTION', 'LIST', 'WITHCODE', 'LIBRARYNAME', 'one*'],
  ]);
});
