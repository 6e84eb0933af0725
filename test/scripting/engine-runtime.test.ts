// The engine's run-time behaviour that needs no reference server: the count hook stopping a
// script with the host's message, the heap limit ending a script that allocates without end (the
// state usable afterwards, its heap freed), deep recursion, binary bytes both ways, SCRIPT FLUSH,
// redis.log and set_repl reaching the host, and property-based round trips of replies through
// redis.call/pcall and back out.

import t from 'tap';
import fc from 'fast-check';
import { ScriptEngine, type CompiledScript } from '../../lib/scripting/engine.js';
import type { ScriptHost } from '../../lib/scripting/engine-types.js';
import { fixedHost, writer } from './engine-support.js';

const quiet: ScriptHost = fixedHost(Buffer.from('+OK\r\n'));

function compile(e: ScriptEngine, s: string | Buffer): CompiledScript {
  const c = e.compileScript(Buffer.isBuffer(s) ? s : Buffer.from(s, 'latin1'), 'f'.repeat(40));
  if (typeof c === 'string') throw new Error(c);
  return c;
}

function run(e: ScriptEngine, s: string | Buffer, host: ScriptHost = quiet, argv: Buffer[] = [], proto: 2 | 3 = 2): string {
  const out = writer(proto);
  e.runScript(compile(e, s), { keys: [], argv, host, out });
  return out.take().toString('latin1');
}

t.test('the count hook stops a script with the message the host gives', async (t) => {
  const e = await ScriptEngine.create();
  let checks = 0;
  const host: ScriptHost = {
    call: () => Buffer.from('+OK\r\n'),
    interrupted: () => (++checks >= 3 ? 'ERR Script killed by user with SCRIPT KILL...' : null),
    log: () => {},
  };
  const r = run(e, 'local i = 0 while true do i = i + 1 end', host);
  t.equal(r, `-ERR Script killed by user with SCRIPT KILL... script: ${'f'.repeat(40)}, on @user_script:1.\r\n`);
  t.equal(checks, 3, 'checked until it answered');
  // pcall cannot keep a killed script alive: the hook raises again
  checks = 0;
  const r2 = run(e, 'while true do pcall(function() while true do end end) end', host);
  t.match(r2, /^-ERR Script killed by user/);
  t.equal(run(e, 'return 1'), ':1\r\n', 'the state runs the next script');
});

t.test('a script that allocates without end ends with "not enough memory"', async (t) => {
  const e = await ScriptEngine.create({ memoryLimit: 32 * 1024 * 1024 });
  t.equal(run(e, 'local t={} for i=1,1e9 do t[i]=i end'), `-ERR Error running script ${'f'.repeat(40)}, not enough memory\r\n`);
  t.ok(e.memoryUsed() < 4 * 1024 * 1024, `heap freed after the run (${e.memoryUsed()} bytes)`);
  t.equal(run(e, "local ok, e = pcall(function() local t={} for i=1,1e9 do t[i]=i end end) return {tostring(ok), e}"), '*2\r\n$5\r\nfalse\r\n$17\r\nnot enough memory\r\n');
  t.equal(run(e, 'return 1'), ':1\r\n');
});

t.test('stack overflows are errors', async (t) => {
  const e = await ScriptEngine.create();
  t.match(run(e, 'local function f() return 1 + f() end return f()'), /^-ERR user_script:1: stack overflow script: /);
  t.match(run(e, 'local t = setmetatable({}, {__index=function(t,k) return t[k] end}) return t.x'), /^-ERR user_script:1: C stack overflow script: /);
  t.match(run(e, "local s = string.rep('a', 100) for i = 1, 300 do s = 'return ' .. s end return loadstring('return ' .. string.rep('(', 1000) .. '1' .. string.rep(')', 1000))"), /^\$-1\r\n|^-/);
});

t.test('binary bytes survive arguments, calls and replies', async (t) => {
  const e = await ScriptEngine.create();
  const seen: Buffer[][] = [];
  const host: ScriptHost = {
    call: (args) => {
      seen.push(args.map((a) => Buffer.from(a)));
      const v = args[2];
      return Buffer.concat([Buffer.from(`$${v.length}\r\n`), v, Buffer.from('\r\n')]);
    },
    interrupted: () => null,
    log: () => {},
  };
  const script = compile(e, "return redis.call('set', KEYS[1], ARGV[1])");
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 300 }), fc.uint8Array({ minLength: 1, maxLength: 50 }), (value, key) => {
      const out = writer(2);
      e.runScript(script, { keys: [Buffer.from(key)], argv: [Buffer.from(value)], host, out });
      const want = Buffer.concat([Buffer.from(`$${value.length}\r\n`), value, Buffer.from('\r\n')]);
      const last = seen[seen.length - 1];
      return out.take().equals(want) && last[1].equals(Buffer.from(key)) && last[2].equals(Buffer.from(value)) && last[0].toString() === 'set';
    }),
    { numRuns: 300 },
  );
  t.pass('300 random keys and values');
});

type Rep = { bytes: string; back: string };

/** Random RESP2 replies, and what a script returning redis.pcall's value writes back (RESP2 client). */
const resp2Reply: fc.Arbitrary<{ bytes: string; back: string }> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.integer({ min: -(2 ** 53) + 1, max: 2 ** 53 - 1 }).map((n) => ({ bytes: `:${n}\r\n`, back: `:${n}\r\n` })),
    fc.uint8Array({ maxLength: 20 }).map((a) => {
      const s = Buffer.from(a).toString('latin1');
      return { bytes: `$${a.length}\r\n${s}\r\n`, back: `$${a.length}\r\n${s}\r\n` };
    }),
    fc.constant({ bytes: '$-1\r\n', back: '$-1\r\n' }),
    fc.constant({ bytes: '*-1\r\n', back: '$-1\r\n' }),
    fc.stringMatching(/^[a-zA-Z0-9 ]{0,12}$/).map((s) => ({ bytes: `+${s}\r\n`, back: `+${s}\r\n` })),
    fc.array(tie('value'), { maxLength: 5 }).map((xs) => ({
      bytes: `*${xs.length}\r\n` + (xs as Rep[]).map((x) => x.bytes).join(''),
      back: `*${xs.length}\r\n` + (xs as Rep[]).map((x) => x.back).join(''),
    })),
  ),
})).value as fc.Arbitrary<{ bytes: string; back: string }>;

t.test('replies round-trip through redis.pcall and the return conversion', async (t) => {
  const e = await ScriptEngine.create();
  const script = compile(e, "return redis.pcall('x')");
  fc.assert(
    fc.property(resp2Reply, (r) => {
      const out = writer(2);
      e.runScript(script, { keys: [], argv: [], host: fixedHost(Buffer.from(r.bytes, 'latin1')), out });
      return out.take().toString('latin1') === r.back;
    }),
    { numRuns: 500 },
  );
  // errors: pcall returns them, call raises them with the position
  t.equal(run(e, "return redis.pcall('x')", fixedHost(Buffer.from('-WRONGTYPE no\r\n'))), '-WRONGTYPE no\r\n');
  t.equal(run(e, "return redis.call('x')", fixedHost(Buffer.from('-WRONGTYPE no\r\n'))), `-WRONGTYPE no script: ${'f'.repeat(40)}, on @user_script:1.\r\n`);
});

t.test('RESP3 replies under setresp(3)', async (t) => {
  const e = await ScriptEngine.create();
  const cases: [string, string, string][] = [
    ['%2\r\n$1\r\na\r\n:1\r\n$1\r\nb\r\n#t\r\n', '*4\r\n$1\r\na\r\n:1\r\n$1\r\nb\r\n:1\r\n', '%2\r\n$1\r\na\r\n:1\r\n$1\r\nb\r\n#t\r\n'],
    ['~1\r\n$1\r\nx\r\n', '*1\r\n$1\r\nx\r\n', '~1\r\n$1\r\nx\r\n'],
    [',1.5\r\n', '$3\r\n1.5\r\n', ',1.5\r\n'],
    [',inf\r\n', '$3\r\ninf\r\n', ',inf\r\n'],
    ['(12345678901234567890\r\n', '$20\r\n12345678901234567890\r\n', '(12345678901234567890\r\n'],
    ['=8\r\ntxt:abcd\r\n', '$4\r\nabcd\r\n', '=8\r\ntxt:abcd\r\n'],
    ['_\r\n', '$-1\r\n', '_\r\n'],
    ['#f\r\n', ':0\r\n', '#f\r\n'],
    ['|1\r\n+a\r\n+b\r\n:7\r\n', ':7\r\n', ':7\r\n'],
    ['*2\r\n_\r\n:1\r\n', '*0\r\n', '*0\r\n'],
  ];
  for (const [reply, want2, want3] of cases) {
    const s = "redis.setresp(3) return redis.call('x')";
    t.equal(run(e, s, fixedHost(Buffer.from(reply)), [], 2), want2, `RESP2 client: ${JSON.stringify(reply)}`);
    t.equal(run(e, s, fixedHost(Buffer.from(reply)), [], 3), want3, `RESP3 client: ${JSON.stringify(reply)}`);
  }
  let proto = 0;
  const host: ScriptHost = { call: (_a, p) => ((proto = p), Buffer.from('+OK\r\n')), interrupted: () => null, log: () => {} };
  run(e, "redis.call('ping')", host);
  t.equal(proto, 2, 'calls in RESP2 by default');
  run(e, "redis.setresp(3) redis.call('ping')", host);
  t.equal(proto, 3, 'in RESP3 after setresp(3)');
  run(e, "redis.call('ping')", host);
  t.equal(proto, 2, 'every run starts in RESP2');
});

t.test('redis.log and redis.set_repl reach the host', async (t) => {
  const e = await ScriptEngine.create();
  const logs: [number, string][] = [];
  const repl: number[] = [];
  const host: ScriptHost = { call: () => Buffer.from('+OK\r\n'), interrupted: () => null, log: (l, m) => logs.push([l, m]), setReplication: (f) => repl.push(f) };
  run(e, "redis.log(redis.LOG_WARNING, 'hello', 'world', 3) redis.log(redis.LOG_DEBUG, {}, 'x') redis.set_repl(redis.REPL_AOF) redis.set_repl(redis.REPL_ALL)", host);
  t.same(logs, [[3, 'hello world 3'], [0, ' x']]);
  t.same(repl, [1, 3]);
});

t.test('SCRIPT FLUSH forgets compiled scripts', async (t) => {
  const e = await ScriptEngine.create();
  const c = compile(e, 'return 1');
  e.dropScripts();
  const out = writer(2);
  e.runScript(c, { keys: [], argv: [], host: quiet, out });
  t.equal(out.take().toString(), '-NOSCRIPT No matching script. Please use EVAL.\r\n');
  t.equal(run(e, 'return 2'), ':2\r\n');
});

t.test('the heap stays bounded over many runs', async (t) => {
  const e = await ScriptEngine.create();
  const c = compile(e, "local t = {} for i = 1, 20 do t[i] = ARGV[1] .. i end return redis.call('get', KEYS[1])");
  const host = fixedHost(Buffer.from('$3\r\nbar\r\n'));
  const out = writer(2);
  const req = { keys: [Buffer.from('k')], argv: [Buffer.from('x'.repeat(200))], host, out };
  let max = 0;
  for (let i = 0; i < 20000; i++) {
    out.reset();
    e.runScript(c, req);
    if (i % 1000 === 0) max = Math.max(max, e.memoryUsed());
  }
  t.ok(max < 2 * 1024 * 1024, `heap under 2 MiB (max ${max})`);
});
