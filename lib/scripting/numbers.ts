// Number conversions where Redis relies on C's: a Lua number as a command argument (printf
// "%.17g"), a Lua number as an integer reply (a cast to long long, which on x86-64 gives
// INT64_MIN for NaN and out-of-range values), and Lua's own int casts (luaL_checkint).

import { formatG } from '../resp/number.js';

const TWO63 = 2 ** 63;

/** "%.17g" as glibc prints it (inf, -inf, -nan for the NaN arithmetic produces). */
export function format17g(n: number): string {
  if (n === Infinity) return 'inf';
  if (n === -Infinity) return '-inf';
  if (Number.isNaN(n)) return nanSign(n) ? '-nan' : 'nan';
  return formatG(n, 17);
}

const f64 = new Float64Array(1);
const u8 = new Uint8Array(f64.buffer);

function nanSign(n: number): boolean {
  f64[0] = n;
  return (u8[7] & 0x80) !== 0;
}

/** (long long)n: truncation toward zero; INT64_MIN when it does not fit (NaN included). */
export function toInt64(n: number): number | bigint {
  if (!(n > -TWO63 && n < TWO63)) return -(2n ** 63n);
  const t = Math.trunc(n);
  return Number.isSafeInteger(t) ? t : BigInt(t);
}

/** luaL_checkint's (int)(lua_Integer)n on a 64-bit build: the low 32 bits of the truncation. */
export function toCInt(n: number): number {
  if (!(n > -TWO63 && n < TWO63)) return 0;
  const t = Math.trunc(n);
  if (t >= -2147483648 && t <= 2147483647) return t;
  return Number(BigInt.asIntN(32, BigInt(t)));
}
