// The `bit` library (lib/scripting/libs/bit.ts) against redis-server 7.0.15's: every function on
// numbers chosen where LuaBitOp's conversion is delicate (halves, 2^31, 2^32, 2^51..2^53 and
// beyond, infinities, NaN, numeric strings), the errors and the names they carry, and random
// numbers through every operation (fast-check), each chunk's result compared byte for byte.
import t from 'tap';
import fc from 'fast-check';
import { openBit } from '../../lib/scripting/libs/bit.js';
import { LocalLua, Oracle, compareChunks, differences } from './lua-oracle.js';
import { PRELUDE, chunkOf, luaNumber } from './lua-cases.js';

const EDGES = [
  '0', '1', '-1', '0.5', '1.5', '2.5', '-0.5', '-1.5', '-2.5', '0.49999999999999994', '(-0)',
  '2^31', '2^31-1', '-2^31', '-2^31-1', '2^32', '2^32+1', '2^32-1', '-2^32', '4294967295.5',
  '2^51', '2^51+0.5', '2^51-0.5', '-2^51', '2^52', '2^52+1', '-2^52-3', '2^53', '2^53+2', '2^60+12345',
  '2^63', '-2^63', '2^64', '2^100', '1e300', '-1e300', '1e-300', '5e-324',
  '(1/0)', '(-1/0)', '(0/0)', '(-(0/0))', '0x7fffffff', '0xdeadbeef', '-0xdeadbeef', '0x12345678',
  "'12'", "'0x10'", "' 5 '", "'1e3'", "'-7.5'",
];
const COUNTS = ['0', '1', '4', '8', '31', '32', '33', '-1', '-31', '2^32+3', '0.5', '1.5', '-0.5', '2^53', '(0/0)'];
const WIDTHS = ['0', '1', '2', '3', '7', '8', '9', '100', '-1', '-3', '-8', '-9', '2^31', '-2^31', '-2^31+1', '2^31-1', '2^32', '0.5', '-0.5', '1.5', '-1.5', "'4'"];
const UNARY = ['tobit', 'bnot', 'bswap', 'tohex'];
const SHIFTS = ['lshift', 'rshift', 'arshift', 'rol', 'ror'];
const FOLDS = ['band', 'bor', 'bxor'];

t.test('bit against redis-server 7.0.15', async (t) => {
  const local = await LocalLua.create(openBit);
  t.teardown(() => local.close());
  const oracle = await Oracle.start(t);

  await compareChunks(t, local, oracle, [
    PRELUDE + 'local t = {} for k, v in pairs(bit) do t[#t + 1] = k .. "=" .. type(v) end table.sort(t) return table.concat(t, ",")',
  ], 'the table');

  const unary: string[] = [];
  for (const f of UNARY) for (const x of EDGES) unary.push(chunkOf([`bit.${f}(${x})`]));
  await compareChunks(t, local, oracle, unary, 'unary functions on edge numbers');

  const hex: string[] = [];
  for (const x of ['0', '1', '0xabcdef12', '-1', '0x80000000', "'255'", '2^52+0.5', '-2^40-1']) {
    hex.push(chunkOf(WIDTHS.map((n) => `bit.tohex(${x}, ${n})`)));
  }
  await compareChunks(t, local, oracle, hex, 'tohex widths');

  const shifts: string[] = [];
  for (const f of SHIFTS) {
    for (const x of ['1', '-1', '0x80000001', '0x12345678', '-0x12345678', '2^32+5', '0.5', '2.5', "'7'", '2^53+2', '(0/0)']) {
      shifts.push(chunkOf(COUNTS.map((n) => `bit.${f}(${x}, ${n})`)));
    }
  }
  await compareChunks(t, local, oracle, shifts, 'shifts and rotations');

  const folds: string[] = [];
  for (const f of FOLDS) {
    folds.push(chunkOf(EDGES.map((x) => `bit.${f}(${x}, 0xf0f0f0f0)`)));
    folds.push(chunkOf(EDGES.map((x) => `bit.${f}(-1, ${x}, 0x0ff00ff0)`)));
    folds.push(chunkOf([`bit.${f}(5)`, `bit.${f}(1, 2, 4, 8, 16, 32, 64, 128)`, `bit.${f}(-1, -2, -3, -4, -5)`, `bit.${f}(2^31, 2^31)`]));
  }
  await compareChunks(t, local, oracle, folds, 'band, bor, bxor');

  const errors: string[] = [];
  for (const f of [...UNARY, ...SHIFTS, ...FOLDS]) {
    errors.push(
      chunkOf([
        `e(bit.${f})`,
        `e(bit.${f}, nil)`,
        `e(bit.${f}, 'x')`,
        `e(bit.${f}, {})`,
        `e(bit.${f}, true)`,
        `e(bit.${f}, string.len)`,
        `e(bit.${f}, '')`,
        `e(bit.${f}, '0')`,
        `e(bit.${f}, 1, 'x')`,
        `e(bit.${f}, 1, nil, 3)`,
        `e(bit.${f}, 1, 2, {}, 'y')`,
        `e(function() return bit.${f}('z') end)`,
        `e(function() local g = bit.${f} return g(1, {}) end)`,
        `e(function() return bit['${f}']({}) end)`,
      ]),
    );
  }
  errors.push(chunkOf(['e(bit.tohex, 1, nil)', 'e(bit.tohex, 1, "x")', 'e(function() return bit:tohex() end)', 'e(function() return bit:band(1) end)']));
  await compareChunks(t, local, oracle, errors, 'argument errors and the names in them');

  t.test('the comparison sees a difference', async (t) => {
    const bare = await LocalLua.create();
    t.teardown(() => bare.close());
    const { diffs } = await differences(bare, oracle, ['return bit.tohex(255)']);
    t.equal(diffs.length, 1, 'a state without the library differs');
    const { notStrings } = await differences(local, oracle, ['return bit.band(3, 5)']);
    t.equal(notStrings.length, 1, 'a case returning a number is flagged');
  });

  t.test('random numbers through every operation (fast-check)', async (t) => {
    const numberArb = fc.oneof(
      fc.integer({ min: -(2 ** 31), max: 2 ** 32 }),
      fc.integer({ min: Number.MIN_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER }),
      fc.double({ min: -(2 ** 34), max: 2 ** 34 }),
      fc.double(),
      fc.integer({ min: -(2 ** 20), max: 2 ** 20 }).map((n) => n + 0.5),
      fc.integer({ min: 50, max: 70 }).chain((e) => fc.integer({ min: -1000, max: 1000 }).map((k) => 2 ** e + k * 2 ** (e - 52))),
    );
    const opArb = fc.oneof(
      fc.tuple(fc.constantFrom(...UNARY), numberArb).map(([f, x]) => `bit.${f}(${luaNumber(x)})`),
      fc.tuple(fc.constantFrom(...SHIFTS), numberArb, fc.oneof(fc.integer({ min: -40, max: 40 }), numberArb)).map(
        ([f, x, n]) => `bit.${f}(${luaNumber(x)}, ${luaNumber(n)})`,
      ),
      fc.tuple(fc.constantFrom(...FOLDS), fc.array(numberArb, { minLength: 1, maxLength: 5 })).map(
        ([f, xs]) => `bit.${f}(${xs.map(luaNumber).join(', ')})`,
      ),
      fc.tuple(numberArb, fc.oneof(fc.integer({ min: -12, max: 12 }), numberArb)).map(([x, n]) => `bit.tohex(${luaNumber(x)}, ${luaNumber(n)})`),
    );
    const failures: string[] = [];
    let operations = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(fc.array(opArb, { minLength: 1, maxLength: 40 }), { minLength: 1, maxLength: 10 }), async (batches) => {
        operations += batches.reduce((n, ops) => n + ops.length, 0);
        const { diffs, notStrings } = await differences(local, oracle, batches.map(chunkOf));
        failures.push(...diffs, ...notStrings);
        return diffs.length === 0 && notStrings.length === 0;
      }),
      { numRuns: 60 },
    ).catch((e: Error) => failures.push(e.message.slice(0, 4000)));
    t.same(failures, [], `every random operation agrees with redis (${operations})`);
  });
});
