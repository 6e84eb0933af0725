// Random Lua values for the property tests of cjson and cmsgpack: trees of strings (any bytes),
// numbers (integers, doubles, specials), booleans and tables (arrays, maps, mixed), written as
// Lua constructor expressions so the same value is built on both servers.
import fc from 'fast-check';
import { Q } from './cjson-cases.js';

export type LuaValue =
  | { k: 'str'; v: string }
  | { k: 'num'; v: number }
  | { k: 'bool'; v: boolean }
  | { k: 'arr'; v: LuaValue[] }
  | { k: 'map'; v: [LuaValue, LuaValue][] };

export function luaNumber(x: number): string {
  if (Number.isNaN(x)) return '(0/0)';
  if (x === Infinity) return '(1/0)';
  if (x === -Infinity) return '(-1/0)';
  if (Object.is(x, -0)) return '(-0)';
  return `(${x.toPrecision(17)})`;
}

export function luaExpr(v: LuaValue): string {
  switch (v.k) {
    case 'str': return Q(v.v);
    case 'num': return luaNumber(v.v);
    case 'bool': return String(v.v);
    case 'arr': return '{' + v.v.map(luaExpr).join(',') + '}';
    case 'map': return '{' + v.v.map(([k, x]) => `[${luaExpr(k)}]=${luaExpr(x)}`).join(',') + '}';
  }
}

const bytes = fc.string({ unit: fc.integer({ min: 0, max: 255 }).map((c) => String.fromCharCode(c)), maxLength: 40 });
const text = fc.oneof(fc.string({ maxLength: 12 }), bytes, fc.constantFrom('', 'a', 'key', '1', '/'));

export function numbers(opts: { specials: boolean }): fc.Arbitrary<number> {
  const list: fc.Arbitrary<number>[] = [
    fc.integer({ min: -1000, max: 1000 }),
    fc.integer(),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.constantFrom(0, -0, 0.5, 1e15, 2 ** 53, 2 ** 63, -(2 ** 63), 2 ** 64, 1 / 3, 1e-300, 127, 128, 255, 256, 65535, 65536, 2 ** 32, -32, -33, -128, -129, -32768, -32769, -(2 ** 31), -(2 ** 31) - 1),
    fc.float({ noNaN: true, noDefaultInfinity: true }).map((f) => Math.fround(f)),
  ];
  if (opts.specials) list.push(fc.constantFrom(NaN, Infinity, -Infinity));
  return fc.oneof(...list);
}

export function luaValues(opts: { specials: boolean; maxDepth?: number }): fc.Arbitrary<LuaValue> {
  const num = numbers(opts).map((v): LuaValue => ({ k: 'num', v }));
  const str = text.map((v): LuaValue => ({ k: 'str', v }));
  const leaf = fc.oneof(num, str, fc.boolean().map((v): LuaValue => ({ k: 'bool', v })));
  // NaN cannot be a table key.
  const key = fc.oneof(str, fc.integer({ min: -3, max: 30 }).map((v): LuaValue => ({ k: 'num', v })), numbers({ specials: false }).map((v): LuaValue => ({ k: 'num', v })));
  const { tree } = fc.letrec<{ tree: LuaValue }>((tie) => ({
    tree: fc.oneof(
      { depthSize: 'small', maxDepth: opts.maxDepth ?? 4 },
      leaf,
      fc.array(tie('tree'), { maxLength: 6 }).map((v): LuaValue => ({ k: 'arr', v })),
      fc.array(fc.tuple(key, tie('tree')), { maxLength: 6 }).map((v): LuaValue => ({ k: 'map', v })),
    ),
  }));
  return tree;
}
