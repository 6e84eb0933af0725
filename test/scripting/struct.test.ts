// The `struct` library (lib/scripting/libs/struct.ts) against redis-server 7.0.15's: every format
// option with its sizes and alignments, integers at and beyond the 64-bit range, NaNs and
// infinities, c0 and s, start positions, every error with its text and argument number; then
// random formats and values (fast-check): pack's bytes, unpack(pack(...)), size, and random
// bytes unpacked, each chunk's result compared byte for byte.
import t from 'tap';
import fc from 'fast-check';
import { openStruct } from '../../lib/scripting/libs/struct.js';
import { openBit } from '../../lib/scripting/libs/bit.js';
import { LocalLua, Oracle, compareChunks, differences } from './lua-oracle.js';
import { PRELUDE, chunkOf, luaBytes, luaNumber } from './lua-cases.js';

const INTEGER_VALUES = [
  '0', '1', '-1', '127', '128', '-128', '-129', '255', '256', '65535', '-32768', '0.5', '-0.5', '2.9', '-2.9',
  '2^31', '-2^31', '2^32-1', '2^32', '2^48+7', '-2^48-7', '2^53', '-2^53', '2^53+2', '2^62', '2^63', '-2^63', '2^63+2^62',
  '2^64', '-2^64', '2^70', '-2^70', '1e300', '(1/0)', '(-1/0)', '(0/0)', '(-(0/0))', '(-0)', "'42'", "'-7'", "' 0x10 '",
];
const INTEGER_OPTIONS = ['b', 'B', 'h', 'H', 'l', 'L', 'T', 'i', 'I', 'i1', 'I2', 'i3', 'I5', 'i6', 'I7', 'i8', 'I8', 'i9', 'I9', 'i12', 'I16', 'i16', 'i17', 'I24', 'i32', 'i0'];
const FLOAT_VALUES = [
  '0', '(-0)', '1.5', '-1.5', '1/3', '0.1', '1e300', '-1e300', '1e-300', '5e-324', '3.4028235e38', '3.4028236e38', '1e-45', '1.17549435e-38',
  '(1/0)', '(-1/0)', '(0/0)', '(-(0/0))', '2^63', "'2.5'",
];

function packCases(): string[] {
  const cases: string[] = [];
  for (const opt of INTEGER_OPTIONS) {
    for (const endian of ['<', '>']) {
      cases.push(chunkOf(INTEGER_VALUES.map((v) => `x(struct.pack, '${endian}${opt}', ${v})`)));
    }
  }
  for (const opt of ['f', 'd']) {
    for (const endian of ['<', '>', '']) cases.push(chunkOf(FLOAT_VALUES.map((v) => `x(struct.pack, '${endian}${opt}', ${v})`)));
  }
  const formats: [string, string][] = [
    ['', ''], [' ', ''], ['x', ''], ['xxx', ''], ['bxh', '1, 2'], ['c', "'abc'"], ['c0', "'abc'"], ['c0', "''"], ['c2', "'abc'"], ['c3', "'abc'"],
    ['c5', "'abc'"], ['c0c', "'abc', 'xy'"], ['c0c0', "'abc'"], ['s', "'abc'"], ['s', "''"], ['s', "'a\\0b'"], ['ss', "'a', 'bc'"], ['s4', "'abc'"],
    ['c', '12'], ['c', '1.5'], ['s', '-3'], ['c', '{}'], ['c10', "'ab'"], ['c2147483647', "'ab'"], ['c2147483648', "'ab'"],
    ['!bd', '1, 2'], ['!bxh', '1, 2'], ['!2bi', '1, 2'], ['!4bi3', '1, 2'], ['!4bi6', '1, 2'], ['!8bi6', '1, 2'], ['!8bi5', '1, 2'],
    ['!bc3i', "1, 'abc', 3"], ['!bs', "1, 'ab'"], ['!bsi', "1, 'ab', 9"], ['!bxxxxxi8', '1, 2'], ['b!i', '1, 2'], ['!16bd', '1, 1'],
    ['!16i16', '1'], ['!1bd', '1, 2'], ['!0b', '1'], ['!3b', '1'], ['!b', '1'], ['!1073741824bd', '1, 2'], ['!2147483647b', '1'],
    ['!2147483648b', '1'], ['!99999999999b', '1'], ['i33', '1'], ['i99999999999', '1'], ['<h>h<h', '1, 2, 3'], ['> i <i', '1, 2'],
    ['b\\0b', '1, 2'], ['y', '1'], ['=b', '1'], ['%', '1'], ['b=', '1'], ['\\200', '1'], ['i', ''], ['ii', '1'], ['iii', '1'],
    ['i', "'x'"], ['i', 'nil'], ['i', 'true'], ['d', "'x'"], ['f', '{}'], ['c', ''], ['c', 'nil'], ['s', 'true'],
    ['i', '1, 2, 3'], ['bBhHlLTiIfd', '1, 2, 3, 4, 5, 6, 7, 8, 9, 10.5, 11.25'],
  ];
  cases.push(chunkOf(formats.map(([f, args]) => `x(struct.pack, '${f}'${args === '' ? '' : ', ' + args})`)));
  cases.push(chunkOf(['x(struct.pack)', 'x(struct.pack, 12)', 'x(struct.pack, {})', 'x(struct.pack, nil, 1)', "x(struct.pack, 1, 'x')"]));
  cases.push(
    chunkOf([
      "x(function() return struct.pack('i', 'z') end)",
      "x(function() return struct.pack('c5', 'z') end)",
      "x(function() local p = struct.pack return p('y') end)",
      "x(function() return struct:pack('i') end)",
      "x(function() return struct.pack('c9000iii', string.rep('a', 9000)) end)",
      "x(function() return struct.pack('c20000c0', string.rep('a', 20000)) end)",
    ]),
  );
  // Binary results straight as the reply.
  cases.push(PRELUDE + "return struct.pack('>I2', 258)");
  cases.push(PRELUDE + "return struct.pack('c100i8>i16c0I3', string.rep('a', 100), -2, -3, string.rep('b', 300), 2^24 - 1)");
  cases.push(PRELUDE + "return struct.pack('<i8>d!4bxs', -2, 1/3, 7, 'zero\\0in')");
  cases.push(PRELUDE + "return struct.pack('c0', string.rep('\\0\\1\\255', 5000))");
  return cases;
}

function unpackCases(): string[] {
  const cases: string[] = [];
  const all = (s: string): string => luaBytes(Buffer.from(s, 'latin1'));
  const ff = all('\xff'.repeat(16));
  const high = all('\0\0\0\0\0\0\0\x80\x80\0\0\0\0\0\0\x80');
  const seq = luaBytes(Buffer.from(Array.from({ length: 16 }, (_, i) => i + 1)));
  for (const data of [ff, high, seq]) {
    for (const endian of ['<', '>']) cases.push(chunkOf(INTEGER_OPTIONS.map((o) => `x(struct.unpack, '${endian}${o}', ${data})`)));
  }
  const floats = [
    "struct.pack('<d', 1/3)", "struct.pack('>d', -2.5)", "struct.pack('<f', 0.1)", all('\x01\0\0\0\0\0\xf0\x7f'), all('\x01\0\0\0\0\0\xf8\x7f'),
    all('\0\0\0\0\0\0\xf8\xff'), all('\x01\0\x80\x7f'), all('\x01\0\xc0\xff'), all('\0\0\x80\x7f'), all('\x01\0\0\0'),
  ];
  cases.push(chunkOf(floats.flatMap((d) => ['<f', '>f', '<d', '>d'].map((f) => `x(struct.unpack, '${f}', ${d})`))));
  const formats: [string, string][] = [
    ['', "'abcd', 100"], ['', "'abcd', 5"], ['', "'abcd', -5"], ['', "'abcd', -1"], ['', "'abcd', 0"], ['', "'abcd', 1.9"], ['', "'abcd', 0.5"],
    ['', "'abcd', 2^40"], ['', "'abcd', 2^60+3"], ['', "'abcd', 2^70"], ['', "'abcd', -2^70"], ['', "'abcd', 0/0"], ['', "'abcd', '3'"], ['', "'abcd', 'x'"],
    ['', "'abcd', nil"], [' ', "'abcd', 100"], [' ', "'abcd', 5"], [' ', "'abcd', 6"], ['b', "'abcd', 4"], ['b', "'abcd', 5"], ['b', "'abcd', -5"],
    ['c10', "'abcd', -5"], ['i', "'abc'"], ['i', "'abcd', 0"], ['i', "'abcd', 6"], ['i', "'abcdefgh', 3"], ['i', "'abcdefgh', 5"], ['i', "'abcdefgh', 6"],
    ['s', "'ab\\0cd\\0'"], ['ss', "'ab\\0cd\\0'"], ['s', "'abcd'"], ['sb', "'ab\\0'"], ['s', "'\\0'"], ['c', "'ab\\0'"], ['c3', "'ab\\0'"], ['c4', "'ab\\0'"],
    ['c0', "'abcd'"], ['bc0', "'\\3abcd'"], ['bc0', "'\\255abcd'"], ['bc0', "'\\5abcd'"], ['bc0', "'\\4abcd'"], ['Bc0', "'\\0abcd'"], ['xc0', "'\\255abcd'"],
    ['c1c0', "'3abcd'"], ['c1c0', "'xabcd'"], ['c2c0', "' 2abcd'"], ['bc0c0', "'\\1\\2abc'"], ['bxc0', "'\\1\\1a'"], ['<dc0', "struct.pack('<d', 1/0) .. 'abc'"],
    ['<dc0', "struct.pack('<d', 2.7) .. 'abc'"], ['<dc0', "struct.pack('<d', -0.5) .. 'abc'"], ['<dc0', "struct.pack('<d', 0/0) .. 'abc'"],
    ['<dc0', "struct.pack('<d', -1) .. 'abc'"], ['<dc0', "struct.pack('<d', 2^64) .. 'abc'"], ['<dc0', "struct.pack('<d', -2^70) .. 'abc'"],
    ['x x', "'ab\\0'"], ['xxxx', "'ab\\0'"], ['i0', "''"], ['i0', "'', 2"], ['i0', "'', 3"], ['', "'', 3"], ['!4bi', "'\\1'"],
    ['!4bi', "'\\1\\0\\0\\0\\1\\0\\0\\0'"], ['!bd', "string.rep('\\1', 16)"], ['!2bi3', "string.rep('\\1', 16)"], ['!4bi6', "string.rep('\\1', 16)"],
    ['b!', "'a'"], ['b!3', "'a'"], ['y', "'a'"], ['=b', "'a'"], ['b\\0b', "'ab'"], ['i33', "'a'"], ['i44', "'a', 5"], ['i', "'a', -5"],
    ['b', '12'], ['b', '12, 2'], ['b', "'a', 'b'"], ['b', ''], ['b', '{}'], ['c2147483647', "'ab'"], ['c2147483648', "'ab'"],
    ['<i>i<h', "'\\1\\0\\0\\0\\0\\0\\0\\1\\2\\0'"], ['bBhHlLTiIfd', "struct.pack('bBhHlLTiIfd', -1, 2, -3, 4, -5, 6, 7, -8, 9, 10.5, 11.25)"],
  ];
  cases.push(chunkOf(formats.map(([f, args]) => `x(struct.unpack, '${f}'${args === '' ? '' : ', ' + args})`)));
  cases.push(chunkOf(['x(struct.unpack)', "x(struct.unpack, 'b')", "x(function() return struct.unpack('i', 'a') end)", "x(function() return struct.unpack('c0', 'a') end)"]));
  // Large strings: the results are read from Lua's memory while unpacking them makes it grow.
  cases.push(
    PRELUDE +
      "local s = string.rep('ab', 2^23) .. '\\1\\0\\0\\128' local t = {struct.unpack(string.rep('c4000000', 4) .. 'c777216<i4', s)} " +
      "return #t[1] .. ',' .. #t[4] .. ',' .. hex(string.sub(t[4], -3)) .. ',' .. #t[5] .. ',' .. t[6] .. ',' .. t[7]",
  );
  // The C stack limit: "too many results" (3 arguments plus the results).
  for (const n of [7990, 7995, 7996, 7997, 7998, 8000]) {
    cases.push(PRELUDE + `local r = {pcall(struct.unpack, string.rep('b', ${n}), string.rep('a', ${n}), 1)} return tostring(r[1]) .. '|' .. tostring(r[2]) .. '|' .. #r`);
    cases.push(PRELUDE + `local r = {pcall(struct.unpack, string.rep('b', ${n}), string.rep('a', ${n}))} return tostring(r[1]) .. '|' .. tostring(r[2]) .. '|' .. #r`);
  }
  return cases;
}

function sizeCases(): string[] {
  const formats = [
    '', ' ', 'b', 'B', 'h', 'H', 'l', 'L', 'T', 'i', 'I', 'f', 'd', 'x', 'c', 'c7', 'i7', 'I16', 'i32', 'i33', 'i0', 'bd', '!bd', '!4bd', '!2bxd', '!8bi6',
    '!16bd', 'b4', 'by', 'bZ', 's', 'bs', 'c0', 'bc0', '!3', '!', '=b', 'y', '%', '>b<i', 'c2147483647', 'c2147483647c2147483647c2147483647',
    'c2147483647c2147483647!8d', '!2147483648', 'i99999999999', 'b\\0b', '\\200',
  ];
  return [
    chunkOf(formats.map((f) => `x(struct.size, '${f}')`)),
    chunkOf(['x(struct.size)', 'x(struct.size, 12)', 'x(struct.size, {})', "x(function() return struct.size('s') end)", "x(function() return struct.size('=') end)"]),
  ];
}

t.test('struct against redis-server 7.0.15', async (t) => {
  const local = await LocalLua.create(openBit, openStruct);
  t.teardown(() => local.close());
  const oracle = await Oracle.start(t);

  await compareChunks(t, local, oracle, [
    PRELUDE + 'local t = {} for k, v in pairs(struct) do t[#t + 1] = k .. "=" .. type(v) end table.sort(t) return table.concat(t, ",")',
  ], 'the table');
  await compareChunks(t, local, oracle, sizeCases(), 'struct.size');
  await compareChunks(t, local, oracle, packCases(), 'struct.pack');
  await compareChunks(t, local, oracle, unpackCases(), 'struct.unpack');
  await compareChunks(t, local, oracle, [
    chunkOf([
      "bit.tobit((struct.unpack('<d', '\\1\\0\\0\\0\\0\\0\\240\\127')))",
      "bit.tobit((struct.unpack('<d', '\\7\\0\\0\\0\\0\\0\\248\\255')))",
      "x(struct.pack, 'd', (struct.unpack('<d', '\\1\\0\\0\\0\\0\\0\\240\\127')))",
      "x(struct.pack, 'f', (struct.unpack('<d', '\\0\\0\\0\\0\\1\\0\\240\\127')))",
      "x(struct.pack, '<d', (struct.unpack('<f', '\\1\\0\\128\\127')))",
      "x(struct.pack, 'd', 0/0)",
      "x(struct.pack, 'd', -(0/0))",
    ]),
  ], 'NaN payloads through struct and bit');

  t.test('the comparison sees a difference', async (t) => {
    const bare = await LocalLua.create();
    t.teardown(() => bare.close());
    const { diffs } = await differences(bare, oracle, ["return struct.pack('b', 1)"]);
    t.equal(diffs.length, 1, 'a state without the library differs');
  });

  t.test('random formats and values (fast-check)', async (t) => {
    const numberArb = fc.oneof(
      fc.integer({ min: -300, max: 300 }),
      fc.integer({ min: -(2 ** 31), max: 2 ** 32 }),
      fc.integer({ min: Number.MIN_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER }),
      fc.double(),
      fc.double({ min: -1e6, max: 1e6 }),
      fc.integer({ min: 52, max: 66 }).chain((e) => fc.integer({ min: -64, max: 64 }).map((k) => (k < 0 ? -1 : 1) * 2 ** e + k * 2 ** (e - 52))),
    );
    const bytesArb = (max: number) => fc.uint8Array({ maxLength: max }).map((u) => Buffer.from(u));
    const itemArb: fc.Arbitrary<{ fmt: string; value: string | null }> = fc.oneof(
      fc.tuple(fc.constantFrom('b', 'B', 'h', 'H', 'l', 'L', 'T', 'i', 'I', 'f', 'd'), numberArb).map(([o, v]) => ({ fmt: o, value: luaNumber(v) })),
      fc.tuple(fc.constantFrom('i', 'I'), fc.integer({ min: 0, max: 18 }), numberArb).map(([o, n, v]) => ({ fmt: o + n, value: luaNumber(v) })),
      fc.tuple(fc.integer({ min: 0, max: 6 }), bytesArb(8)).map(([n, s]) => ({ fmt: n === 1 && s.length % 2 ? 'c' : `c${n}`, value: luaBytes(s) })),
      bytesArb(6).map((s) => ({ fmt: 's', value: luaBytes(s.filter((c) => c !== 0)) })),
      fc.constantFrom('x', ' ', '<', '>', '!', '!1', '!2', '!4', '!8', '!16').map((f) => ({ fmt: f, value: null })),
    );
    const caseArb = fc.array(itemArb, { minLength: 0, maxLength: 8 }).map((items) => {
      const fmt = items.map((i) => i.fmt).join('');
      const values = items.flatMap((i) => (i.value === null ? [] : [i.value])).join(', ');
      const args = values === '' ? `'${fmt}'` : `'${fmt}', ${values}`;
      return [
        `x(struct.pack, ${args})`,
        `x(function() return struct.unpack('${fmt}', struct.pack(${args})) end)`,
        `x(function() return struct.unpack('${fmt}', 'pre' .. struct.pack(${args}) .. 'post', 4) end)`,
        `x(struct.size, '${fmt}')`,
      ];
    });
    const randomUnpackArb = fc
      .tuple(fc.array(itemArb, { minLength: 1, maxLength: 6 }), bytesArb(40), fc.integer({ min: -2, max: 12 }))
      .map(([items, data, start]) => `x(struct.unpack, '${items.map((i) => i.fmt).join('')}', ${luaBytes(data)}, ${start})`);
    const failures: string[] = [];
    let cases = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(fc.array(caseArb, { minLength: 1, maxLength: 6 }), fc.array(randomUnpackArb, { maxLength: 6 })), { minLength: 1, maxLength: 8 }), async (batches) => {
        const chunks = batches.map(([packs, unpacks]) => chunkOf([...packs.flat(), ...unpacks]));
        cases += batches.reduce((n, [p, u]) => n + p.length + u.length, 0);
        const { diffs, notStrings } = await differences(local, oracle, chunks);
        failures.push(...diffs, ...notStrings);
        return diffs.length === 0 && notStrings.length === 0;
      }),
      { numRuns: 60 },
    ).catch((e: Error) => failures.push(e.message.slice(0, 4000)));
    t.same(failures, [], `every random format agrees with redis (${cases} cases)`);
  });
});
