// Function libraries driven directly (ScriptEngine.loadLibrary / runFunction) against FUNCTION
// LOAD / FCALL on redis-server 7.0.15: the metadata line and its errors, the loading sandbox,
// redis.register_function's forms, flags and errors, the load timeout, and the functions' runs
// (their environment, keys and args, errors named after the function).

import t from 'tap';
import { startRedis } from '../support/servers.js';
import { ScriptEngine, type LoadedLibrary } from '../../lib/scripting/engine.js';
import { RawBytesClient, fixedHost, writer } from './engine-support.js';

const LOADS = [
  'return 1',
  '#!lua\nreturn 1',
  '#!lua name=\nreturn 1',
  '#!lua name=a-b\nreturn 1',
  '#!lua name=a foo=b\nreturn 1',
  '#!lua name=a flags=x\nreturn 1',
  '#!js name=a\nreturn 1',
  '#!lua name=a\nreturn 1',
  '#!lua name=a name=b\nredis.register_function("f", function() return 1 end)',
  '#!lua name=a\nredis.register_function("f", function() return 1 end) redis.register_function("f", function() return 1 end)',
  '#!lua name=a\nredis.call("ping")',
  '#!lua name=a\nreturn x',
  '#!lua name=a\nx = 1',
  '#!lua name=a\nerror("boom")',
  '#!lua name=a\nredis.register_function("f")',
  '#!lua name=a\nredis.register_function("f", 1)',
  '#!lua name=a\nredis.register_function("a-b", function() end)',
  '#!lua name=a\nredis.register_function{function_name="f", callback=function() end, flags={"no-writes","bad"}}',
  '#!lua name=a\nredis.register_function{function_name="f", callback=function() end, flags={"no-writes"}, description="d", extra=1}',
  '#!lua name=a\nredis.register_function{function_name="f", callback=function() end, flags="no-writes"}',
  '#!lua name=a\nreturn +',
  '#!LUA name=a\nredis.register_function("f", function() return 1 end)',
  '#!lua   name=a  \nredis.register_function("f", function() return 1 end)',
  '#!lua name="a"\nredis.register_function("f", function() return 1 end)',
  '#!\nreturn 1',
  '#!lua name=a',
  '#!js name=a-b\nx',
  '#!js foo=1\nx',
  '#! name=a\nx',
  '#!lua name=lib\nredis.register_function("a","b","c")',
  '#!lua name=lib\nredis.register_function(1, function() end)',
  '#!lua name=lib\nredis.register_function{callback=function() end}',
  '#!lua name=lib\nredis.register_function{function_name="f"}',
  '#!lua name=lib\nredis.register_function{function_name=1, callback=function() end}',
  '#!lua name=lib\nredis.register_function{function_name="f", callback=1}',
  '#!lua name=lib\nredis.register_function{function_name="f", callback=function() end, description=1}',
  '#!lua name=lib\nredis.register_function{function_name="f", callback=function() end, flags={1}}',
  '#!lua name=lib\nredis.register_function{function_name="f", callback=function() end, [1]=2}',
  '#!lua name=lib\nredis.register_function{function_name="f", callback=function() end, flags={"no-writes","allow-oom","allow-stale","no-cluster","allow-cross-slot-keys"}, description="desc"}',
  '#!lua name=lib\nredis.register_function("", function() end)',
  '#!lua name=lib\nredis.log(redis.LOG_WARNING, "loading") redis.register_function("f", function() end)',
  '#!lua name=lib\nlocal ok, e = pcall(1)',
  '#!lua name=lib\nredis.register_function("f", function() end) error("late")',
  '#!lua name=lib\nlocal x = {redis.LOG_DEBUG, redis.LOG_NOTICE, redis.REDIS_VERSION, redis.REDIS_VERSION_NUM} redis.register_function("f", function() return x end)',
  ...['string', 'math', 'table', 'cjson', 'type', 'tostring', 'pcall', 'redis.setresp', 'redis.call', 'redis.sha1hex', 'redis.REPL_ALL', 'unpack', '_G', 'KEYS', 'setmetatable'].map(
    (n) => `#!lua name=lib\nlocal x = ${n} redis.register_function('f', function() return 1 end)`,
  ),
];

const LIBRARY = `#!lua name=lib
local function helper() return string.upper("x") end
redis.register_function("f", function(keys, args) return {helper(), #keys, #args, keys[1], args[1]} end)
redis.register_function("g", function(keys, args) return x end)
redis.register_function("h", function(keys, args) error("boom") end)
redis.register_function("i", function(keys, args) return redis.call("nosuch") end)
redis.register_function("j", function(keys, args) return redis.register_function("z", function() end) end)
redis.register_function("k", function(keys, args) y = 1 end)
redis.register_function("l", function(keys, args) return type(getfenv) end)
redis.register_function("m", function(keys, args) return type(KEYS) end)
redis.register_function("n", function(keys, args) return redis.error_reply("MY err") end)
redis.register_function("o", function(keys, args) return {type(cjson), type(redis.call), redis.REDIS_VERSION} end)
redis.register_function{function_name="p", callback=function(keys, args) return redis.pcall("nosuch") end, flags={"no-writes"}}`;

const CALLS: [string, string[], string[]][] = [
  ['f', ['a'], ['b']],
  ['f', [], []],
  ['g', [], []],
  ['h', [], []],
  ['i', [], []],
  ['j', [], []],
  ['k', [], []],
  ['l', [], []],
  ['m', [], []],
  ['n', [], []],
  ['o', [], []],
  ['p', [], []],
];

t.test('FUNCTION LOAD and FCALL: replies equal redis-server 7.0.15', async (t) => {
  const redis = await startRedis();
  t.teardown(() => redis.stop());
  const r2 = await RawBytesClient.connect(redis.port);
  const r3 = await RawBytesClient.connect(redis.port);
  t.teardown(() => {
    r2.close();
    r3.close();
  });
  await r3.send('HELLO', '3');
  const engine = await ScriptEngine.create();

  for (const code of LOADS) {
    const want = await r2.send('FUNCTION', 'LOAD', code);
    await r2.send('FUNCTION', 'FLUSH');
    const lib = engine.loadLibrary(Buffer.from(code, 'latin1'));
    let got: string;
    if (typeof lib === 'string') got = `-${lib}\r\n`;
    else {
      got = `$${lib.name.length}\r\n${lib.name}\r\n`;
      engine.dropLibrary(lib);
    }
    t.equal(JSON.stringify(got), JSON.stringify(want.toString('latin1')), `load ${JSON.stringify(code)}`);
  }

  // what FUNCTION LIST shows of a library: names, descriptions, flags
  const listed = '#!lua name=lib\nredis.register_function{function_name="f", callback=function() end, flags={"no-writes","allow-oom"}, description="desc"}\nredis.register_function("g", function() end)';
  const lib = engine.loadLibrary(Buffer.from(listed)) as LoadedLibrary;
  t.same(
    lib.functions.map((f) => [f.name, f.description, f.flags]),
    [
      ['f', 'desc', ['no-writes', 'allow-oom']],
      ['g', null, []],
    ],
  );
  t.equal(lib.engine, 'LUA');
  engine.dropLibrary(lib);

  t.equal(await r2.send('FUNCTION', 'LOAD', LIBRARY).then((b) => b.toString()), '$3\r\nlib\r\n');
  const loaded = engine.loadLibrary(Buffer.from(LIBRARY));
  if (typeof loaded === 'string') throw new Error(loaded);
  const host = fixedHost(Buffer.from('-ERR Unknown Redis command called from script\r\n'));
  for (const [name, keys, args] of CALLS) {
    for (const proto of [2, 3] as const) {
      const want = await (proto === 3 ? r3 : r2).send('FCALL', name, String(keys.length), ...keys, ...args);
      const out = writer(proto);
      engine.runFunction(loaded, name, { keys: keys.map((k) => Buffer.from(k)), argv: args.map((a) => Buffer.from(a)), host, out });
      t.equal(JSON.stringify(out.take().toString('latin1')), JSON.stringify(want.toString('latin1')), `FCALL ${name} RESP${proto}`);
    }
  }
});

t.test('a library whose code does not end is stopped after 500 ms', async (t) => {
  const engine = await ScriptEngine.create();
  const r = engine.loadLibrary(Buffer.from('#!lua name=x\nwhile true do end'));
  t.equal(r, 'ERR Error registering functions: ERR FUNCTION LOAD timeout');
  const ok = engine.loadLibrary(Buffer.from('#!lua name=x\nredis.register_function("f", function() return 1 end)'));
  t.type(ok, 'object', 'the next load works');
});

t.test('redis.log while loading goes to the given host', async (t) => {
  const engine = await ScriptEngine.create();
  const logs: string[] = [];
  const lib = engine.loadLibrary(Buffer.from('#!lua name=x\nredis.log(redis.LOG_NOTICE, "loading", 1)\nredis.register_function("f", function() return 1 end)'), fixedHost(Buffer.from('+OK\r\n'), (l, m) => logs.push(`${l} ${m}`)));
  t.type(lib, 'object');
  t.same(logs, ['2 loading 1']);
});
