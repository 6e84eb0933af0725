// The Lua engine driven directly (ScriptEngine, no server), its reply bytes compared with what
// redis-server 7.0.15 answers to the same EVAL, for RESP2 and RESP3 clients: return types and
// conversions, errors and their texts, pcall, the protected globals, the environment's libraries,
// number formatting, redis.* functions, shebangs. redis.call replies are redis-server's own for
// the same commands on the same data (engine-support.ts).

import t from 'tap';
import { createHash } from 'node:crypto';
import { startRedis } from '../support/servers.js';
import { ScriptEngine } from '../../lib/scripting/engine.js';
import { LearnedReplies, RawBytesClient, writer } from './engine-support.js';

const sha1 = (s: string | Buffer) => createHash('sha1').update(s).digest('hex');

interface Case {
  script: string | Buffer;
  keys?: string[];
  argv?: (string | Buffer)[];
}

const c = (script: string | Buffer, keys: string[] = [], argv: (string | Buffer)[] = []): Case => ({ script, keys, argv });

const RETURNS: Case[] = [
  c('return 1'),
  c('return 3.99'),
  c('return -3.7'),
  c('return 1e20'),
  c('return 2^53+1'),
  c('return 1/0'),
  c('return 0/0'),
  c("return 'x'"),
  c("return ''"),
  c('return true'),
  c('return false'),
  c('return nil'),
  c('return'),
  c("return {1,2,'x',{3,nil,4},true,false}"),
  c('return {true, false, nil, 3}'),
  c('return {}'),
  c("return {ok='fine'}"),
  c("return {ok=''}"),
  c("return {err='bad thing'}"),
  c("return {err='My bad thing'}"),
  c("return {err=''}"),
  c('return {err=5}'),
  c('return {ok=5}'),
  c('return {ok={}}'),
  c("return {err='e', ok='o'}"),
  c("return {1, err='x'}"),
  c("return {1, ok='x'}"),
  c("return {ok='a\\r\\nb'}"),
  c("return {err='a\\nb'}"),
  c('return {map={a=1,b=2}}'),
  c("return {map={a={1,2}, b={ok='x'}}}"),
  c("return {map={[1]='x', [true]=2}}"),
  c('return {set={a=true}}'),
  c('return {set={1,2}}'),
  c('return {double=3.5}'),
  c('return {double=0.1}'),
  c('return {double=1/0}'),
  c("return {double='x'}"),
  c("return {big_number='123'}"),
  c('return {big_number=5}'),
  c("return {big_number='1\\r\\n2'}"),
  c("return {verbatim_string={format='txt', string='hi'}}"),
  c("return {verbatim_string={format='txtx', string='hi'}}"),
  c("return {verbatim_string={string='hi'}}"),
  c("return {verbatim_string='hi'}"),
  c('return {map=5}'),
  c('return {map={a=1}, set={b=1}}'),
  c("return {set={b=1}, big_number='5'}"),
  c("return {big_number='5', double=2}"),
  c("return {verbatim_string={format='txt', string='hi'}, set={b=1}}"),
  c("return {verbatim_string={format='txt', string='hi'}, map={b=1}}"),
  c("return setmetatable({}, {__index=function(t,k) return 'x' end})"),
  c('local t = {} local c = t for i=1,100 do c[1] = {} c = c[1] end return t'),
  c('local t = {} local c = t for i=1,9000 do c[1] = {} c = c[1] end return t'),
  c('return KEYS', ['a', 'b']),
  c('return ARGV', [], ['x', 'y', '']),
  c('return {KEYS[1], ARGV[1], #KEYS, #ARGV}', ['k'], ['v']),
  c('return ARGV[1]', [], [Buffer.from([0, 255, 13, 10, 0x80])]),
  c("table.insert(KEYS,'a') return KEYS"),
];

const SETRESP3 = [
  'return true',
  'return false',
  'return nil',
  'return {true, false}',
  'return {map={a=1,b=2}}',
  'return {set={a=true}}',
  'return {double=3.5}',
  "return {big_number='123'}",
  "return {verbatim_string={format='txt', string='hi'}}",
  "return {big_number='1\\r\\n2'}",
];

const ERRORS: Case[] = [
  c('return x'),
  c('x=1'),
  c("error('boom')"),
  c("error({err='X boom'})"),
  c("error({err='boom'})"),
  c('error({err=5})'),
  c("return redis.error_reply('boom')"),
  c("return redis.error_reply('MY boom')"),
  c("error('boom', 0)"),
  c('error(12)'),
  c('error()'),
  c('error(nil)'),
  c('error(true)'),
  c("error('')"),
  c("error('x\\ny')"),
  c('local t = nil; return t.x'),
  c('local a = '),
  c('return 1 +'),
  c('\nreturn +'),
  c('local function f() return 1 + f() end return f()'),
  c('local function f(n) if n == 0 then return 0 end return 1 + f(n-1) end return f(100000)'),
  c('local t = setmetatable({}, {__index=function(t,k) return t[k] end}) return t.x'),
  c("rawset(_G,'x',1) return 1"),
  c("rawset(string,'x',1) return 1"),
  c('string.x=1 return 1'),
  c('setmetatable(_G,nil) return 1'),
  c('redis.x = 1'),
  c('_G.x=1'),
  c('return _G.x'),
  c('cjson.x=1'),
  c('KEYS=1'),
  c('coroutine.x=1'),
  c("getmetatable('').__index = nil return 1"),
  c("getmetatable('').x = 1 return 1"),
  c('local m = getmetatable(_G) m.x=1 return 1'),
  c('return pairs(nil)'),
  c("return next({}, 'zz')"),
  c('return rawget(nil)'),
  c('setmetatable({}, 1)'),
  c('return tostring(print)'),
  c('return type(newproxy)'),
  c("return loadstring('x=1')()"),
  c('return math.random(0)'),
  c('return math.random(3,1)'),
  c('return math.random(1,2,3)'),
  c('math.randomseed() return 1'),
  c("math.randomseed('x') return 1"),
  c("return math.random('x')"),
  c('return redis.call()'),
  c('return redis.pcall()'),
  c('return redis.call({})'),
  c("return redis.call('get', {})"),
  c("return redis.call('get', nil)"),
  c("return redis.call('get', true)"),
  c('return redis.sha1hex()'),
  c('return redis.setresp(4)'),
  c('return redis.setresp()'),
  c('return redis.set_repl(99)'),
  c('return redis.set_repl()'),
  c('return redis.log(redis.LOG_WARNING)'),
  c("return redis.log(9, 'x')"),
  c("return redis.log('x', 'y')"),
  c('return redis.acl_check_cmd()'),
];

const ENVIRONMENT: Case[] = [
  c("local t={} for k,v in pairs(_G) do t[#t+1]=k..':'..type(v) end table.sort(t) return t"),
  c('local t={} for k,v in pairs(cjson) do t[#t+1]=k end table.sort(t) return t'),
  c('local t={} for k,v in pairs(bit) do t[#t+1]=k end table.sort(t) return t'),
  c("local ok, e = pcall(error, {err='y'}) return {type(e), tostring(e)}"),
  c("local ok, e = pcall(redis.call, 'nosuch') return {type(e), tostring(e)}"),
  c("local ok, e = pcall(function() error({err='z'}) end) return {type(e), e.err}"),
  c("local ok, e = pcall(error, 'x') return {type(e), e}"),
  c("local ok, e = xpcall(function() error({err='z'}) end, function(x) return x end) return {type(e)}"),
  c("local ok, e = pcall(error, {1,2}) return {type(e)}"),
  c('local ok, a, b = pcall(function() return 1, 2 end) return {tostring(ok), a, b}'),
  c('return {pcall()}'),
  c('return {tostring(0/0), tostring(-(0/0))}'),
  c("return {string.format('%5.1s|', 'abc'), string.format('%.3f', 1/3), string.format('%d', 3.7), tostring(1e300*1e10)}"),
  c("local t={} for k,v in pairs(redis) do t[#t+1]=k..':'..type(v) end table.sort(t) return t"),
  c('local t={} for k,v in pairs(math) do t[#t+1]=k end table.sort(t) return t'),
  c('local t={} for k,v in pairs(string) do t[#t+1]=k end table.sort(t) return t'),
  c('local t={} for k,v in pairs(table) do t[#t+1]=k end table.sort(t) return t'),
  c('local t={} for k,v in pairs(coroutine) do t[#t+1]=k end table.sort(t) return t'),
  c('local n=0 for k in pairs(string) do n=n+1 end return n'),
  c('return getmetatable(_G) ~= nil'),
  c('return type(getmetatable(_G).__index)'),
  c("return rawget(string,'format') ~= nil"),
  c("return rawget(_G,'string') ~= nil"),
  c("return rawget(_G,'x')"),
  c('return _G._G == _G'),
  c("local m=getmetatable('') return tostring(m.__index==string)"),
  c('return getmetatable(string)'),
  c('return getmetatable(cjson)'),
  c('return _VERSION'),
  c('return type(load)'),
  c("return loadstring('return 1+1')()"),
  c("return loadstring('return +')"),
  c("local f, e = loadstring('return +') return e"),
  c('return unpack({1,2,3})'),
  c('return {unpack({1,2,3})}'),
  c("return select('#', 1, 2)"),
  c('return gcinfo() > 0'),
  c("return collectgarbage('count') > 0"),
  c("return {tostring(1e20), tostring(0.1), tostring(1/0), tostring(-1/0), tostring(2^63), tostring(-0), tostring(123456789012)}"),
  c("return {string.format('%d %5.2f %s %q', 3, 3.14159, 'x', 'a\\nb'), string.rep('ab', 3), ('x'):upper(), #'abc'}"),
  c("return {string.byte('ABC', 1, -1)}"),
  c("return {string.find('hello world', 'o w'), string.match('key:123', '(%a+):(%d+)')}"),
  c("return string.gsub('hello', 'l', 'L')"),
  c("return table.concat({1, 2, 'x'}, ',')"),
  c('local t = {3, 1, 2} table.sort(t) return t'),
  c("return {math.floor(3.7), math.ceil(3.2), math.max(1, 5, 3), math.fmod(7, 3), math.abs(-2), math.huge > 0, math.pi > 3}"),
  c("return {tonumber('0x10'), tonumber('  12  '), tonumber('1e2'), tonumber('x'), tonumber('10', 2)}"),
  c("return tostring(tonumber('1e500'))"),
  c('local co = coroutine.create(function(a) local b = coroutine.yield(a + 1) return b * 2 end) local _, x = coroutine.resume(co, 1) local _, y = coroutine.resume(co, 10) return {x, y}'),
  c("local ok, e = pcall(error, 'x') return {tostring(ok), e}"),
  c("local ok, e = pcall(error, {err='y'}) return {tostring(ok), e.err}"),
  c("local ok, e = pcall(function() local x = nil; return x.y end) return e"),
  c("return {xpcall(function() error('z') end, function(m) return 'handled: ' .. m end)}"),
  c("local ok, e = pcall(function() return nosuch end) return e"),
  c('return string.rep("x", 2^31)'),
  c("return redis.error_reply('boom').err"),
  c("return redis.error_reply('-boom').err"),
  c("return redis.error_reply('')"),
  c("return redis.error_reply('my boom').err"),
  c("return redis.error_reply('MY').err"),
  c("return redis.error_reply('-MY boom').err"),
  c("return redis.error_reply('-').err"),
  c("return redis.error_reply(' x').err"),
  c('return redis.error_reply(5).err'),
  c('return redis.error_reply()'),
  c('return redis.error_reply({})'),
  c("return redis.error_reply('a','b').err"),
  c("return redis.status_reply('fine')"),
  c("return redis.status_reply('')"),
  c('return redis.status_reply(5).ok'),
  c('return redis.status_reply()'),
  c("return redis.status_reply('-x').ok"),
  c("return redis.sha1hex('')"),
  c('return redis.sha1hex(5)'),
  c('return redis.sha1hex({})'),
  c("return redis.sha1hex('\\0\\255')"),
  c("return redis.setresp('3')"),
  c('return redis.setresp(2)'),
  c('return redis.replicate_commands()'),
  c('return redis.set_repl(redis.REPL_ALL)'),
  c('return {redis.REPL_NONE, redis.REPL_AOF, redis.REPL_SLAVE, redis.REPL_REPLICA, redis.REPL_ALL, redis.LOG_DEBUG, redis.LOG_VERBOSE, redis.LOG_NOTICE, redis.LOG_WARNING, redis.REDIS_VERSION, redis.REDIS_VERSION_NUM}'),
  c("return redis.log(redis.LOG_WARNING, 'hello', 'world', 3)"),
  c('return redis.log(redis.LOG_WARNING, {})'),
  c('return redis.breakpoint()'),
  c("return redis.debug('x')"),
  c("return redis.acl_check_cmd('get','x')"),
];

const SHEBANGS: Case[] = [
  c('#!lua\nreturn 1'),
  c('#!lua flags=no-writes\nreturn 1'),
  c('#!lua flags=no-writes,allow-oom\nreturn 1'),
  c('#!lua flags=bad\nreturn 1'),
  c('#!js\nreturn 1'),
  c('#!lua name=x\nreturn 1'),
  c('#!lua foo\nreturn 1'),
  c('#!lua flags=\nreturn 1'),
  c('#!lua'),
  c('#!lua   flags=no-writes   \nreturn 1'),
  c('#!\nreturn 1'),
  c('#! lua\nreturn 1'),
  c('#!lua\nerror("x")'),
  c('#!lua\nreturn x'),
  c('#!lua\n\nreturn +'),
  c('#!LUA\nreturn 1'),
  c('#!lua flags=no-writes,,allow-oom\nreturn 1'),
  c('#!lua "flags=no-writes"\nreturn 1'),
  c('#!lua\treturn 1\nreturn 2'),
  c('#!lua flags=no-cluster\nreturn 1'),
  c('#!lua flags=allow-stale,allow-cross-slot-keys\nreturn 1'),
  c('#!lua\r\nreturn 1'),
];

const CALLS: Case[] = [
  c("return redis.call('get', KEYS[1])", ['k']),
  c("return redis.call('get','nokey')"),
  c("return redis.call('hgetall','h')"),
  c("return redis.call('smembers','s')"),
  c("return redis.call('zscore','z','m')"),
  c("return redis.call('exists','h')"),
  c("return redis.call('lrange','l',0,-1)"),
  c("return redis.call('lrange','nokey',0,-1)"),
  c("return redis.call('mget','k','nokey','k')"),
  c("return redis.call('ping')"),
  c("return redis.call('set','k2',3.5)"),
  c("return redis.call('echo',0.1)"),
  c("return redis.call('echo',1e20)"),
  c("return redis.call('echo',-0)"),
  c("return redis.call('echo',1/0)"),
  c("return redis.call('echo',0/0)"),
  c("return redis.call('echo',-1/0)"),
  c("return redis.call('echo',2^63)"),
  c("return redis.call('echo',1e-7)"),
  c("return redis.call('echo',123456789012)"),
  c("return redis.call('echo', ARGV[1])", [], [Buffer.from([0, 1, 255, 13, 10])]),
  c("return type(redis.call('get','nokey'))"),
  c("local r = redis.call('hgetall','h') return {type(r), type(r.map), r.map and r.map.a}"),
  c("local r = redis.call('zscore','z','m') return {type(r), r.double and tostring(r.double)}"),
  c("local r = redis.call('smembers','s') return {r.set and r.set.x}"),
  c("return redis.call('nosuch')"),
  c("return redis.call('get')"),
  c("return redis.pcall('nosuch')"),
  c("return redis.call(1)"),
  c("return redis.call('incr','k')"),
  c("return redis.pcall('incr','k')"),
  c("local r = redis.pcall('incr','k') return {type(r), r.err}"),
  c("local ok, e = pcall(redis.call, 'incr', 'k') return {tostring(ok), e.err}"),
  c("return redis.call('type','k').ok"),
  c("return redis.call('set','k3','v')"),
];

t.test('EVAL scripts: replies equal redis-server 7.0.15', async (t) => {
  const redis = await startRedis();
  t.teardown(() => redis.stop());
  const r2 = await RawBytesClient.connect(redis.port);
  const r3 = await RawBytesClient.connect(redis.port);
  t.teardown(() => {
    r2.close();
    r3.close();
  });
  await r3.send('HELLO', '3');
  for (const cmd of [
    ['SET', 'k', 'v'],
    ['HSET', 'h', 'a', '1', 'b', '2'],
    ['SADD', 's', 'x', 'y'],
    ['RPUSH', 'l', '1', '2', '3'],
    ['ZADD', 'z', '1.5', 'm'],
  ]) {
    await r2.send(...cmd);
  }
  const learned = new LearnedReplies(r2, r3);
  // what the server's host answers for calls Redis refuses before running them
  learned.fix(['nosuch'], '-ERR Unknown Redis command called from script\r\n');
  learned.fix(['1'], '-ERR Unknown Redis command called from script\r\n');
  learned.fix(['get'], '-ERR Wrong number of args calling Redis command from script\r\n');
  const engine = await ScriptEngine.create();

  const check = async (group: string, cases: Case[], prefix = '') => {
    for (const cs of cases) {
      const body = typeof cs.script === 'string' ? Buffer.from(prefix + cs.script, 'latin1') : cs.script;
      const keys = (cs.keys ?? []).map((k) => Buffer.from(k, 'latin1'));
      const argv = (cs.argv ?? []).map((a) => (typeof a === 'string' ? Buffer.from(a, 'latin1') : a));
      const evalArgs: (string | Buffer)[] = ['EVAL', body, String(keys.length), ...keys, ...argv];
      for (const proto of [2, 3] as const) {
        const want = await (proto === 3 ? r3 : r2).send(...evalArgs);
        const out = writer(proto);
        const compiled = engine.compileScript(body, sha1(body));
        if (typeof compiled === 'string') out.error(compiled);
        else await learned.run(engine, compiled, keys, argv, out);
        t.equal(JSON.stringify(out.take().toString('latin1')), JSON.stringify(want.toString('latin1')), `${group} RESP${proto}: ${JSON.stringify(body.toString('latin1'))}`);
      }
    }
  };
  await check('return', RETURNS);
  await check('setresp(3)', SETRESP3.map((s) => c(s)), 'redis.setresp(3) ');
  await check('error', ERRORS);
  await check('environment', ENVIRONMENT);
  await check('shebang', SHEBANGS);
  await check('redis.call', CALLS);
  await check('redis.call under setresp(3)', CALLS, 'redis.setresp(3) ');
});

t.test('math.random: the same sequence as a fresh redis-server', async (t) => {
  const redis = await startRedis();
  t.teardown(() => redis.stop());
  const r2 = await RawBytesClient.connect(redis.port);
  t.teardown(() => r2.close());
  const engine = await ScriptEngine.create();
  const scripts = [
    'return {tostring(math.random()), math.random(10), math.random(5,9), tostring(math.random())}',
    'return {tostring(math.random()), math.random(10), math.random(5,9), tostring(math.random())}',
    'math.randomseed(42) return {tostring(math.random()), math.random(1000)}',
    'return {math.random(1000000), math.random(-5, 5)}',
    'math.randomseed(-1) return tostring(math.random())',
    'math.randomseed(2^40) return tostring(math.random())',
    'local t = {} for i = 1, 50 do t[i] = math.random(100) end return t',
  ];
  for (const s of scripts) {
    const want = await r2.send('EVAL', s, '0');
    const out = writer(2);
    const compiled = engine.compileScript(Buffer.from(s), sha1(s));
    if (typeof compiled === 'string') throw new Error(compiled);
    engine.runScript(compiled, { keys: [], argv: [], host: { call: () => Buffer.from('+OK\r\n'), interrupted: () => null, log: () => {} }, out });
    t.equal(out.take().toString('latin1'), want.toString('latin1'), s);
  }
});
