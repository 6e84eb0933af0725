// printf's "%.<precision>g" for doubles, as glibc prints them: the shortest of fixed or exponent
// style with at most `precision` significant digits, trailing zeros dropped, an exponent of at
// least two digits. JavaScript's toExponential rounds exact ties away from zero where glibc
// rounds them to even (1.5 and 2.5 both print as 2 with precision 1), so ties are found exactly
// and corrected.

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

/** The significant digits (exactly `precision` of them) and decimal exponent of finite nonzero x. */
function roundedDigits(x: number, precision: number): { digits: string; exp: number } {
  const s = Math.abs(x).toExponential(precision - 1);
  const e = s.indexOf('e');
  let digits = s.slice(0, e).replace('.', '');
  const exp = Number(s.slice(e + 1));
  // A tie is an exact value whose next digit is 5 followed by nothing: check it digit-exactly.
  const longer = Math.abs(x).toExponential(precision);
  const le = longer.indexOf('e');
  const longDigits = longer.slice(0, le).replace('.', '');
  if (longDigits.endsWith('5')) {
    const longExp = Number(longer.slice(le + 1));
    if (exactlyEquals(x, BigInt(longDigits), longExp - precision)) {
      const kept = longDigits.slice(0, -1);
      const last = kept.charCodeAt(kept.length - 1) - 48;
      // toExponential rounded up; an even last kept digit rounds down instead.
      if (last % 2 === 0) return { digits: kept, exp: longExp };
    }
  }
  return { digits, exp };
}

function stripZeros(s: string): string {
  let end = s.length;
  while (end > 0 && s.charCodeAt(end - 1) === 48) end--;
  return s.slice(0, end);
}

/** "%.<precision>g" of x (precision 1..17), "inf"/"-inf"/"nan"/"-nan" as glibc prints them. */
export function formatG(x: number, precision: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (x === Infinity) return 'inf';
  if (x === -Infinity) return '-inf';
  if (x === 0) return Object.is(x, -0) ? '-0' : '0';
  const abs = Math.abs(x);
  if (Number.isInteger(x) && abs < 10 ** precision && abs < 2 ** 53) return String(x);
  const { digits, exp } = roundedDigits(x, precision);
  const sign = x < 0 ? '-' : '';
  if (exp < -4 || exp >= precision) {
    const frac = stripZeros(digits.slice(1));
    const e = Math.abs(exp);
    return sign + digits[0] + (frac ? '.' + frac : '') + 'e' + (exp < 0 ? '-' : '+') + (e < 10 ? '0' + e : String(e));
  }
  if (exp >= 0) {
    const intPart = digits.slice(0, exp + 1);
    const frac = stripZeros(digits.slice(exp + 1));
    return sign + intPart + (frac ? '.' + frac : '');
  }
  const frac = stripZeros('0'.repeat(-exp - 1) + digits);
  return sign + '0.' + frac;
}
