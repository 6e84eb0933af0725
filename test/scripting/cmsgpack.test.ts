// cmsgpack in respdb's Lua against redis-server 7.0.15's: every case chunk returns a string that
// must be byte-equal on both (packed bytes in hex, unpacked values serialized, error texts), then
// random values (pack of the same Lua value, unpack of the packing) and random byte strings.
import t from 'tap';
import fc from 'fast-check';
import { libPair } from '../support/lua-libs.js';
import { openCjson } from '../../lib/scripting/libs/cjson.js';
import { openCmsgpack } from '../../lib/scripting/libs/cmsgpack.js';
import { CMSGPACK_CASES, MSGPACK_HELPERS } from './cmsgpack-cases.js';
import { luaExpr, luaValues } from './lua-values.js';

t.test('cmsgpack vs redis-server', async (t) => {
  // cjson too: the serializer recognises cjson.null.
  const p = await libPair(t, (b, L) => {
    openCjson(b, L);
    openCmsgpack(b, L);
  });
  const run = (chunk: string) => p.run(MSGPACK_HELPERS + chunk);

  t.test('cases', async (t) => {
    for (const chunk of CMSGPACK_CASES) {
      const { ours, redis } = await run(chunk);
      t.equal(ours, redis, chunk.length > 300 ? chunk.slice(0, 300) + '...' : chunk);
      t.notMatch(redis, /^error: |^non-string/, 'the case itself runs on redis');
    }
  });

  t.test('random values: pack, and unpack of the packing', async (t) => {
    await fc.assert(
      fc.asyncProperty(fc.array(luaValues({ specials: true, maxDepth: 5 }), { minLength: 1, maxLength: 3 }), async (vs) => {
        const chunk = `local s = cmsgpack.pack(${vs.map(luaExpr).join(', ')}) return R(H(s), cmsgpack.unpack(s))`;
        const { ours, redis } = await run(chunk);
        t.equal(ours, redis, chunk.slice(0, 300));
        return ours === redis;
      }),
      { numRuns: 300 },
    );
  });

  t.test('random bytes: unpack, unpack_one, unpack_limit', async (t) => {
    const hex = fc.uint8Array({ maxLength: 24 }).map((a) => Buffer.from(a).toString('hex'));
    const biased = fc.tuple(fc.constantFrom('', '81', '91', '92', 'dc0002', 'de0001', 'a3', 'cc', 'cb', 'd9', 'ca', '93c0'), hex).map(([a, b]) => a + b);
    await fc.assert(
      fc.asyncProperty(biased, fc.integer({ min: -1, max: 6 }), fc.integer({ min: -1, max: 4 }), async (h, off, limit) => {
        const chunk = `local s = X('${h}') return R(R(pcall(cmsgpack.unpack, s)), R(pcall(cmsgpack.unpack_one, s, ${off})), R(pcall(cmsgpack.unpack_limit, s, ${limit}, ${off})))`;
        const { ours, redis } = await run(chunk);
        t.equal(ours, redis, chunk);
        return ours === redis;
      }),
      { numRuns: 300 },
    );
  });
});
