// printf's "%.<precision>g" for doubles, as glibc prints them: `precision` significant digits,
// fixed style when the decimal exponent is from -4 to precision - 1 and exponent style (at least
// two exponent digits) otherwise, trailing zeros dropped. JavaScript's toExponential rounds exact ties away from zero where glibc
// rounds them to even (1.5 and 2.5 both print as 2 with precision 1), so ties are found exactly
// and corrected.

const POWERS_OF_TEN = Array.from({ length: 23 }, (_, i) => 10 ** i);
const F64 = new Float64Array(1);
const U32 = new Uint32Array(F64.buffer);

/** x = mantissa * 2^exp exactly (x finite, nonzero). */
function decompose(x: number): { mantissa: bigint; exp: number } {
  F64[0] = Math.abs(x);
  const hi = U32[1]!;
  const lo = U32[0]!;
  const biased = (hi >>> 20) & 0x7ff;
  let mantissa = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  if (biased === 0) return { mantissa, exp: -1074 };
  mantissa |= 1n << 52n;
  return { mantissa, exp: biased - 1075 };
}

/** |x| equals digits * 10^exp10 exactly. */
function exactlyEquals(x: number, digits: bigint, exp10: number): boolean {
  const { mantissa, exp } = decompose(x);
  let left = mantissa;
  let right = digits;
  if (exp >= 0) left <<= BigInt(exp);
  else right <<= BigInt(-exp);
  if (exp10 >= 0) right *= 10n ** BigInt(exp10);
  else left *= 10n ** BigInt(-exp10);
  return left === right;
}

function stripZeros(s: string): string {
  let end = s.length;
  while (end > 0 && s.charCodeAt(end - 1) === 48) end--;
  return s.slice(0, end);
}

/**
 * The significant digits (no leading or trailing zeros) and decimal exponent of JavaScript's
 * shortest round-trip form of |x| (finite, nonzero).
 */
function shortestDigits(x: number): { digits: string; exp: number } {
  const s = String(Math.abs(x));
  const e = s.indexOf('e');
  const mantissa = e < 0 ? s : s.slice(0, e);
  const exp10 = e < 0 ? 0 : Number(s.slice(e + 1));
  const dot = mantissa.indexOf('.');
  const intPart = dot < 0 ? mantissa : mantissa.slice(0, dot);
  const all = intPart + (dot < 0 ? '' : mantissa.slice(dot + 1));
  let lead = 0;
  while (all.charCodeAt(lead) === 48) lead++;
  return { digits: stripZeros(all.slice(lead)), exp: intPart.length - 1 - lead + exp10 };
}

/**
 * The significant digits of x rounded to `precision` digits (trailing zeros dropped) and the
 * decimal exponent. When the shortest round-trip form has no more digits than that, it is the
 * answer: a double is far more precise than the 10^-14 steps of the rounding, so the nearest
 * step to x is that form (for normal numbers). Otherwise toExponential rounds the exact value, and an exact tie,
 * which only a shortest form of precision + 1 digits ending in 5 can be, is rounded to even.
 */
function roundedDigits(x: number, precision: number): { digits: string; exp: number } {
  const shortest = shortestDigits(x);
  // Subnormals have too few bits for the argument above: they always take the exact path.
  if (shortest.digits.length <= precision && Math.abs(x) >= 2 ** -1022) return shortest;
  if (shortest.digits.length === precision + 1 && shortest.digits.endsWith('5')) {
    if (exactlyEquals(x, BigInt(shortest.digits), shortest.exp - precision)) {
      const kept = shortest.digits.slice(0, -1);
      if ((kept.charCodeAt(kept.length - 1) - 48) % 2 === 0) return { digits: stripZeros(kept), exp: shortest.exp };
    }
  }
  const s = Math.abs(x).toExponential(precision - 1);
  const e = s.indexOf('e');
  return { digits: stripZeros(s.slice(0, e).replace('.', '')), exp: Number(s.slice(e + 1)) };
}

/** "%.<precision>g" of x (precision 1..15), "inf"/"-inf"/"nan" for the others. */
export function formatG(x: number, precision: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (x === Infinity) return 'inf';
  if (x === -Infinity) return '-inf';
  if (x === 0) return Object.is(x, -0) ? '-0' : '0';
  if (Number.isInteger(x) && Math.abs(x) < POWERS_OF_TEN[precision]!) return String(x);
  const { digits, exp } = roundedDigits(x, precision);
  const sign = x < 0 ? '-' : '';
  if (exp < -4 || exp >= precision) {
    const frac = digits.slice(1);
    const e = Math.abs(exp);
    return sign + digits[0] + (frac ? '.' + frac : '') + 'e' + (exp < 0 ? '-' : '+') + (e < 10 ? '0' + e : String(e));
  }
  if (exp >= 0) {
    const intPart = digits.length > exp + 1 ? digits.slice(0, exp + 1) : digits + '0'.repeat(exp + 1 - digits.length);
    const frac = digits.slice(exp + 1);
    return sign + intPart + (frac ? '.' + frac : '');
  }
  return sign + '0.' + '0'.repeat(-exp - 1) + digits;
}
