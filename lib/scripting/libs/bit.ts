// The `bit` library of Redis's Lua (LuaBitOp 1.0.2): 32-bit operations on Lua's doubles.
//
// An argument becomes 32 bits as LuaBitOp does it: 2^52 + 2^51 is added to the double and the
// low 32 bits of the sum's representation are taken. That rounds to the nearest integer (ties
// to even) and wraps modulo 2^32 for |x| < 2^51; beyond that, and for infinities and NaNs, the
// result is whatever bits the rounded sum has, which is reproduced by doing the same addition
// here. Results are pushed as signed 32-bit numbers.

import { T_NONE, type LuaBinding } from '../lua-api.js';
import { openLibrary, typeError, type LibraryFunctions } from './c-library.js';

const scratch = new DataView(new ArrayBuffer(8));

/** The 32 bits LuaBitOp takes from a double, as an unsigned number. */
export function bitsOf(n: number): number {
  scratch.setFloat64(0, n + 6755399441055744, true);
  return scratch.getUint32(0, true);
}

/** Argument `idx` as 32 bits; numeric strings convert, anything else is a "number expected" error. */
function arg(b: LuaBinding, L: number, idx: number): number {
  const bits = bitsOf(b.toNumber(L, idx));
  // lua_tonumber gives 0 for what is not a number, so only a 0 needs the type check.
  if (bits === 0 && b.fn('lua_isnumber')(L, idx) === 0) typeError(b, L, idx, 'number');
  return bits;
}

function ret(b: LuaBinding, L: number, bits: number): number {
  b.pushNumber(L, bits | 0);
  return 1;
}

const LOWER = '0123456789abcdef';
const UPPER = '0123456789ABCDEF';

/** bit.tohex(x [, n]): n digits (8 by default, at most 8); a negative n asks for upper case. */
function tohex(b: LuaBinding, L: number): number {
  let x = arg(b, L, 1);
  let n = b.type(L, 2) === T_NONE ? 8 : arg(b, L, 2) | 0;
  let digits = LOWER;
  if (n < 0) {
    n = -n;
    digits = UPPER;
  }
  if (n > 8) n = 8;
  const out = new Array<string>(n);
  for (let i = n - 1; i >= 0; i--) {
    out[i] = digits[x & 15]!;
    x >>>= 4;
  }
  b.pushString(L, out.join(''));
  return 1;
}

/** band/bor/bxor: the first argument combined with every other one, taken from the last back. */
function fold(combine: (a: number, c: number) => number): (b: LuaBinding, L: number) => number {
  return (b, L) => {
    let acc = arg(b, L, 1);
    for (let i = b.top(L); i > 1; i--) acc = combine(acc, arg(b, L, i));
    return ret(b, L, acc);
  };
}

/** Shifts and rotations: the count is the second argument's low 5 bits. */
function shift(op: (x: number, n: number) => number): (b: LuaBinding, L: number) => number {
  return (b, L) => {
    const x = arg(b, L, 1);
    const n = arg(b, L, 2) & 31;
    return ret(b, L, op(x, n));
  };
}

function bswap(x: number): number {
  return ((x >>> 24) | ((x >>> 8) & 0xff00) | ((x & 0xff00) << 8) | (x << 24)) >>> 0;
}

const FUNCTIONS: LibraryFunctions = {
  tobit: (b, L) => ret(b, L, arg(b, L, 1)),
  bnot: (b, L) => ret(b, L, ~arg(b, L, 1)),
  band: fold((a, c) => a & c),
  bor: fold((a, c) => a | c),
  bxor: fold((a, c) => a ^ c),
  lshift: shift((x, n) => x << n),
  rshift: shift((x, n) => x >>> n),
  arshift: shift((x, n) => x >> n),
  rol: shift((x, n) => (x << n) | (x >>> (32 - n))),
  ror: shift((x, n) => (x >>> n) | (x << (32 - n))),
  bswap: (b, L) => ret(b, L, bswap(arg(b, L, 1))),
  tohex,
};

/** Leaves the global table `bit`. */
export function openBit(b: LuaBinding, L: number): void {
  openLibrary(b, L, 'bit', FUNCTIONS);
}
