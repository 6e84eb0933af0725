// x87 80-bit long double, emulated exactly: INCRBYFLOAT, HINCRBYFLOAT and blocking timeouts.
//
// Redis computes INCRBYFLOAT in `long double` (on x86-64: 64-bit significand, 15-bit exponent),
// parses with strtold and prints with "%.17Lf". To give the same digits we parse decimal and hex
// input with correct rounding to that format, add with one rounding (nearest, ties to even), and
// print the exact binary value rounded to 17 decimals (ties to even, as glibc does).

/** A finite long double: (-1)^neg * m * 2^e, with m < 2^64. Infinity is `inf: true`. */
export interface LongDouble {
  neg: boolean;
  m: bigint;
  e: number;
  inf?: boolean;
}

export const LD_ZERO: LongDouble = { neg: false, m: 0n, e: 0 };
/** Exponent of the smallest subnormal (2^-16445); also the quantum of the smallest normals. */
const LD_EMIN = -16445;
/** Values at or above 2^16384 overflow. */
const LD_LIMIT_BITS = 16384;
const MANT_BITS = 64;
const TWO64 = 1n << 64n;
const TWO63 = 1n << 63n;

function bitLength(n: bigint): number {
  return n === 0n ? 0 : n.toString(2).length;
}

/** n / 2^s rounded to nearest, ties to even (n >= 0, s >= 0). */
function shiftRound(n: bigint, s: number): bigint {
  if (s <= 0) return n << BigInt(-s);
  const bs = BigInt(s);
  const q = n >> bs;
  const rem = n - (q << bs);
  const half = 1n << (bs - 1n);
  if (rem > half || (rem === half && (q & 1n) === 1n)) return q + 1n;
  return q;
}

/** Rounds the exact value n * 2^e (n >= 0) to a long double. */
function roundDyadic(neg: boolean, n: bigint, e: number): LongDouble {
  if (n === 0n) return { neg, m: 0n, e: 0 };
  const bits = bitLength(n);
  if (bits + e > LD_LIMIT_BITS + 1) return { neg, m: 0n, e: 0, inf: true };
  if (bits + e < LD_EMIN - 1) return { neg, m: 0n, e: 0 };
  const t = Math.max(e + bits - MANT_BITS, LD_EMIN);
  if (t <= e) return finish(neg, n, e);
  let m = shiftRound(n, t - e);
  let te = t;
  if (m === TWO64) {
    m = TWO63;
    te++;
  }
  return finish(neg, m, te);
}

function finish(neg: boolean, m: bigint, e: number): LongDouble {
  if (m !== 0n && bitLength(m) + e > LD_LIMIT_BITS) return { neg, m: 0n, e: 0, inf: true };
  return { neg, m, e };
}

/** Rounds the exact value p / q (p, q > 0) to a long double. */
function roundRational(neg: boolean, p: bigint, q: bigint): LongDouble {
  // floor(log2(p/q)) is k or k - 1
  let k = bitLength(p) - bitLength(q);
  const ge = k >= 0 ? p >= q << BigInt(k) : p << BigInt(-k) >= q;
  if (!ge) k--;
  let t = Math.max(k - (MANT_BITS - 1), LD_EMIN);
  if (k + 1 > LD_LIMIT_BITS) return { neg, m: 0n, e: 0, inf: true };
  const num = t >= 0 ? p : p << BigInt(-t);
  const den = t >= 0 ? q << BigInt(t) : q;
  let m = num / den;
  const r2 = (num - m * den) * 2n;
  if (r2 > den || (r2 === den && (m & 1n) === 1n)) m++;
  if (m === TWO64) {
    m = TWO63;
    t++;
  }
  return finish(neg, m, t);
}

const DEC_RE = /^([+-]?)(?:(\d+)\.?(\d*)|\.(\d+))(?:[eE]([+-]?\d+))?$/;
const HEX_RE = /^([+-]?)0[xX](?:([0-9a-fA-F]+)\.?([0-9a-fA-F]*)|\.([0-9a-fA-F]+))(?:[pP]([+-]?\d+))?$/;
const INF_RE = /^([+-]?)(?:inf|infinity)$/i;
/** Redis copies the text into a 5 KiB buffer (MAX_LONG_DOUBLE_CHARS) before strtold. */
const MAX_LONG_DOUBLE_CHARS = 5 * 1024;

/** Exponent text -> number, clamped far outside the useful range. */
function clampExp(s: string | undefined): number {
  if (!s) return 0;
  const neg = s[0] === '-';
  const digits = s.replace(/^[+-]/, '').replace(/^0+/, '');
  const v = digits.length > 9 ? 1e9 : Number(digits || '0');
  return neg ? -v : v;
}

/**
 * Redis string2ld: strtold over the whole text, no leading space, not NaN; an overflow or an
 * underflow to zero is an error (a subnormal result is accepted). Returns null when invalid.
 */
export function parseLongDouble(b: Buffer): LongDouble | null {
  if (b.length === 0 || b.length >= MAX_LONG_DOUBLE_CHARS) return null;
  const s = b.toString('latin1');
  let r: LongDouble;
  let nonzero: boolean;
  let dm = DEC_RE.exec(s);
  if (dm) {
    const neg = dm[1] === '-';
    const intPart = dm[2] ?? '';
    const frac = dm[3] ?? dm[4] ?? '';
    let digits = (intPart + frac).replace(/^0+/, '');
    let exp = clampExp(dm[5]) - frac.length;
    if (digits === '') return { neg, m: 0n, e: 0 };
    nonzero = true;
    // Trailing zeros only scale the exponent.
    const tz = digits.length - digits.replace(/0+$/, '').length;
    if (tz) {
      digits = digits.slice(0, digits.length - tz);
      exp += tz;
    }
    const mag = digits.length + exp - 1; // value is in [10^mag, 10^(mag+1))
    if (mag > 4933) r = { neg, m: 0n, e: 0, inf: true };
    else if (mag < -4953) r = { neg, m: 0n, e: 0 };
    else {
      const d = BigInt(digits);
      r = exp >= 0 ? roundDyadic(neg, d * 10n ** BigInt(exp), 0) : roundRational(neg, d, 10n ** BigInt(-exp));
    }
  } else if ((dm = HEX_RE.exec(s))) {
    const neg = dm[1] === '-';
    const intPart = dm[2] ?? '';
    const frac = dm[3] ?? dm[4] ?? '';
    const digits = (intPart + frac).replace(/^0+/, '');
    if (digits === '') return { neg, m: 0n, e: 0 };
    nonzero = true;
    const exp = clampExp(dm[5]) - 4 * frac.length;
    r = roundDyadic(neg, BigInt('0x' + digits), exp);
  } else if ((dm = INF_RE.exec(s))) {
    return { neg: dm[1] === '-', m: 0n, e: 0, inf: true };
  } else {
    return null;
  }
  if (r.inf) return null; // ERANGE overflow (HUGE_VAL)
  if (nonzero && r.m === 0n) return null; // ERANGE underflow to zero
  return r;
}

/** a + b rounded once; null when the result is infinite or NaN. */
export function ldAdd(a: LongDouble, b: LongDouble): LongDouble | null {
  if (a.inf || b.inf) return null;
  const e = Math.min(a.e, b.e);
  const na = a.m << BigInt(a.e - e);
  const nb = b.m << BigInt(b.e - e);
  const sum = (a.neg ? -na : na) + (b.neg ? -nb : nb);
  if (sum === 0n) return { neg: a.neg && b.neg, m: 0n, e: 0 };
  const r = roundDyadic(sum < 0n, sum < 0n ? -sum : sum, e);
  return r.inf ? null : r;
}

const TEN17 = 10n ** 17n;

/** printf("%.17Lf") with trailing zeros (and a bare '.') removed, "-0" as "0" (Redis LD_STR_HUMAN). */
export function formatLongDoubleHuman(v: LongDouble): string {
  let r: bigint;
  if (v.e >= 0) r = (v.m << BigInt(v.e)) * TEN17;
  else r = shiftRound(v.m * TEN17, -v.e);
  let digits = r.toString().padStart(18, '0');
  const int = digits.slice(0, digits.length - 17);
  let frac = digits.slice(digits.length - 17).replace(/0+$/, '');
  digits = frac ? int + '.' + frac : int;
  const s = (v.neg ? '-' : '') + digits;
  return s === '-0' ? '0' : s;
}
