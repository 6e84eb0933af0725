// cjson in respdb's Lua against redis-server 7.0.15's: every case chunk returns a string that
// must be byte-equal on both (results, error texts, number formatting, key order), then random
// values: encode of the same Lua value, decode of the same JSON text, and round trips.
import t from 'tap';
import fc from 'fast-check';
import { libPair } from '../support/lua-libs.js';
import { openCjson } from '../../lib/scripting/libs/cjson.js';
import { CJSON_DECODE_CASES, CJSON_ENCODE_CASES, CJSON_MODULE_CASES, CJSON_OPTION_CASES, Q } from './cjson-cases.js';
import { luaExpr, luaValues } from './lua-values.js';

t.test('cjson vs redis-server', async (t) => {
  const p = await libPair(t, openCjson);
  const groups: [string, string[]][] = [
    ['module', CJSON_MODULE_CASES],
    ['options', CJSON_OPTION_CASES],
    ['encode', CJSON_ENCODE_CASES],
    ['decode', CJSON_DECODE_CASES],
  ];
  for (const [name, cases] of groups) {
    t.test(name, async (t) => {
      for (const chunk of cases) {
        const { ours, redis } = await p.run(chunk);
        t.equal(ours, redis, chunk.length > 300 ? chunk.slice(0, 300) + '...' : chunk);
        t.notMatch(redis, /^error: |^non-string/, 'the case itself runs on redis');
      }
    });
  }

  t.test('random values: encode, and decode of the encoding', async (t) => {
    await fc.assert(
      fc.asyncProperty(luaValues({ specials: true }), async (v) => {
        const chunk = `local v = ${luaExpr(v)} local ok, j = pcall(cjson.encode, v) if not ok then return R(ok, j) end return R(j, S(cjson.decode(j)))`;
        const { ours, redis } = await p.run(chunk);
        t.equal(ours, redis, chunk.slice(0, 300));
        return ours === redis;
      }),
      { numRuns: 300 },
    );
  });

  t.test('random JSON texts: decode, re-encode', async (t) => {
    await fc.assert(
      fc.asyncProperty(fc.json({ maxDepth: 4 }), async (json) => {
        const text = Buffer.from(json, 'utf8').toString('latin1');
        const chunk = `local ok, v = pcall(cjson.decode, ${Q(text)}) if not ok then return R(ok, v) end return R(S(v), cjson.encode(v))`;
        const { ours, redis } = await p.run(chunk);
        t.equal(ours, redis, chunk.slice(0, 300));
        return ours === redis;
      }),
      { numRuns: 300 },
    );
  });

  t.test('random JSON texts, mangled: the same error or value', async (t) => {
    const mangled = fc.tuple(fc.json({ maxDepth: 3 }), fc.nat(), fc.constantFrom('', ',', ']', '}', '"', '\\', '\\u', '-', '0x', '\0', ':', 'e', '.')).map(
      ([json, at, insert]) => {
        const i = json.length === 0 ? 0 : at % json.length;
        return json.slice(0, i) + insert + json.slice(i + (insert === '' ? 1 : 0));
      },
    );
    await fc.assert(
      fc.asyncProperty(mangled, async (json) => {
        const text = Buffer.from(json, 'utf8').toString('latin1');
        const chunk = `return R(pcall(cjson.decode, ${Q(text)}))`;
        const { ours, redis } = await p.run(chunk);
        t.equal(ours, redis, chunk.slice(0, 300));
        return ours === redis;
      }),
      { numRuns: 300 },
    );
  });
});
