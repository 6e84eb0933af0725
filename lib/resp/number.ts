// Number parsing and formatting with Redis's rules (string2ll, atoi, glibc strtod, %.17g); the
// long double of INCRBYFLOAT is in long-double.ts. Every family parses numbers through these.

const INT64_MIN = -(1n << 63n);
const INT64_MAX = (1n << 63n) - 1n;
const U64 = 1n << 64n;

/**
 * Strict signed 64-bit integer parse (Redis string2ll): optional '-', no '+', no spaces, no
 * leading zeros. Returns null when invalid or out of range.
 */
export function parseI64(b: Uint8Array): bigint | null {
  const len = b.length;
  if (len === 0 || len > 20) return null;
  let i = 0;
  if (b[0] === 45) {
    if (len === 1) return null;
    i = 1;
  }
  if (b[i] === 48 && len > i + 1) return null; // leading zero
  if (len - i === 1 && b[i] === 48) return i === 1 ? null : 0n; // "-0" is not accepted by string2ll
  for (let j = i; j < len; j++) {
    const c = b[j];
    if (c < 48 || c > 57) return null;
  }
  if (len - i <= 15) {
    // up to 15 digits: fits a double exactly (16 digits may exceed 2^53)
    let n = 0;
    for (let j = i; j < len; j++) n = n * 10 + (b[j] - 48);
    return BigInt(i ? -n : n);
  }
  const v = BigInt(Buffer.from(b.buffer, b.byteOffset, len).toString('latin1'));
  if (v < INT64_MIN || v > INT64_MAX) return null;
  return v;
}

/** Like parseI64 but as a JS number when it is a safe integer; null when invalid. */
export function parseIntArg(b: Uint8Array): number | null {
  const len = b.length;
  if (len > 0 && len <= 15) {
    let i = 0;
    if (b[0] === 45) {
      if (len === 1) return null;
      i = 1;
    }
    if (b[i] === 48 && len > i + 1) return null;
    if (i === 1 && len === 2 && b[1] === 48) return null;
    let n = 0;
    for (let j = i; j < len; j++) {
      const c = b[j] - 48;
      if (c < 0 || c > 9) return null;
      n = n * 10 + c;
    }
    return i ? -n : n;
  }
  const v = parseI64(b);
  if (v === null) return null;
  return Number(v);
}

/**
 * C's atoi as glibc has it, (int) strtol(s, NULL, 10): leading white space, an optional sign, the
 * digits up to the first other byte (none: 0), clamped to the range of a long, then truncated to
 * 32 bits. Redis reads some counts this way (the numkeys of key extraction).
 */
export function atoi(b: Uint8Array): number {
  let i = 0;
  while (i < b.length && (b[i] === 32 || (b[i] >= 9 && b[i] <= 13))) i++;
  let neg = false;
  if (b[i] === 43 || b[i] === 45) neg = b[i++] === 45;
  let v = 0n;
  let clamped = false;
  for (; i < b.length && b[i] >= 48 && b[i] <= 57; i++) {
    v = v * 10n + BigInt(b[i] - 48);
    if (v > INT64_MAX + 1n) {
      clamped = true;
      break;
    }
  }
  let r = neg ? -v : v;
  if (clamped || r > INT64_MAX || r < INT64_MIN) r = neg ? INT64_MIN : INT64_MAX;
  return Number(BigInt.asIntN(32, r));
}

/** Redis's cursor parse (strtoul, base 10, no leading space, whole string); null when invalid. */
export function parseCursor(b: Buffer): bigint | null {
  let end = b.indexOf(0);
  if (end < 0) end = b.length;
  if (end === 0) return 0n;
  const c0 = b[0];
  if (c0 === 32 || (c0 >= 9 && c0 <= 13)) return null;
  let i = 0;
  let neg = false;
  if (c0 === 43 || c0 === 45) {
    neg = c0 === 45;
    i = 1;
  }
  if (i >= end) return null;
  let v = 0n;
  for (; i < end; i++) {
    const c = b[i];
    if (c < 48 || c > 57) return null;
    v = v * 10n + BigInt(c - 48);
    if (v >= U64) return null;
  }
  return neg && v !== 0n ? U64 - v : v;
}

export { INT64_MIN, INT64_MAX };

function isSpace(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13);
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

function hexVal(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

function matchWord(b: Uint8Array, i: number, w: string): boolean {
  if (i + w.length > b.length) return false;
  for (let k = 0; k < w.length; k++) {
    let c = b[i + k];
    if (c >= 65 && c <= 90) c += 32;
    if (c !== w.charCodeAt(k)) return false;
  }
  return true;
}

/** The smallest normal double (DBL_MIN). */
const MIN_NORMAL = 2.2250738585072014e-308;

export interface Strtod {
  v: number;
  /** index after the converted text; the start index when nothing was converted */
  end: number;
  /** glibc would set errno = ERANGE (overflow, or a non-zero number rounded to zero) */
  erange: boolean;
}

/**
 * glibc strtod over `b` from `start`: leading white space, a sign, then a decimal or hexadecimal
 * number, inf/infinity or nan[(...)], all case-insensitive. Stops at the first byte that does not
 * fit (a NUL byte included, as C strings end there).
 */
export function strtod(b: Uint8Array, start: number): Strtod {
  const n = b.length;
  let i = start;
  while (i < n && isSpace(b[i])) i++;
  let neg = false;
  if (i < n && (b[i] === 43 || b[i] === 45)) {
    neg = b[i] === 45;
    i++;
  }
  if (matchWord(b, i, 'inf')) {
    const end = matchWord(b, i, 'infinity') ? i + 8 : i + 3;
    return { v: neg ? -Infinity : Infinity, end, erange: false };
  }
  if (matchWord(b, i, 'nan')) {
    let end = i + 3;
    if (end < n && b[end] === 40) {
      let k = end + 1;
      while (k < n && (isDigit(b[k]) || hexVal(b[k]) >= 0 || (b[k] | 32) >= 97 && (b[k] | 32) <= 122 || b[k] === 95)) k++;
      if (k < n && b[k] === 41) end = k + 1;
    }
    return { v: NaN, end, erange: false };
  }
  if (i + 1 < n && b[i] === 48 && (b[i + 1] | 32) === 120) {
    const h = hexFloat(b, i + 2, neg);
    if (h) return h;
    return { v: neg ? -0 : 0, end: i + 1, erange: false };
  }
  let j = i;
  let digits = 0;
  let nonzero = false;
  while (j < n && isDigit(b[j])) {
    digits++;
    if (b[j] !== 48) nonzero = true;
    j++;
  }
  if (j < n && b[j] === 46) {
    let k = j + 1;
    while (k < n && isDigit(b[k])) {
      digits++;
      if (b[k] !== 48) nonzero = true;
      k++;
    }
    if (digits > 0) j = k;
  }
  if (digits === 0) return { v: 0, end: start, erange: false };
  if (j < n && (b[j] | 32) === 101) {
    let k = j + 1;
    if (k < n && (b[k] === 43 || b[k] === 45)) k++;
    if (k < n && isDigit(b[k])) {
      while (k < n && isDigit(b[k])) k++;
      j = k;
    }
  }
  const v = Number(Buffer.from(b.buffer, b.byteOffset + i, j - i).toString('latin1'));
  // glibc sets ERANGE on overflow and on underflow (a subnormal result or a flush to zero)
  const erange = !Number.isFinite(v) || (nonzero && Math.abs(v) < MIN_NORMAL);
  return { v: neg ? -v : v, end: j, erange };
}

/** The part of a hexadecimal float after "0x"; null when no hex digit follows. */
function hexFloat(b: Uint8Array, i: number, neg: boolean): Strtod | null {
  const n = b.length;
  let j = i;
  let mant = 0n;
  let digits = 0;
  let frac = 0;
  while (j < n && hexVal(b[j]) >= 0) {
    mant = mant * 16n + BigInt(hexVal(b[j]));
    digits++;
    j++;
  }
  if (j < n && b[j] === 46) {
    let k = j + 1;
    while (k < n && hexVal(b[k]) >= 0) {
      mant = mant * 16n + BigInt(hexVal(b[k]));
      digits++;
      frac++;
      k++;
    }
    if (digits > 0) j = k;
  }
  if (digits === 0) return null;
  let exp = -4 * frac;
  if (j < n && (b[j] | 32) === 112) {
    let k = j + 1;
    let eneg = false;
    if (k < n && (b[k] === 43 || b[k] === 45)) {
      eneg = b[k] === 45;
      k++;
    }
    if (k < n && isDigit(b[k])) {
      let e = 0;
      while (k < n && isDigit(b[k])) {
        if (e < 1e6) e = e * 10 + (b[k] - 48);
        k++;
      }
      exp += eneg ? -e : e;
      j = k;
    }
  }
  if (mant === 0n) return { v: neg ? -0 : 0, end: j, erange: false };
  const bits = mant.toString(2).length;
  if (bits > 128) {
    const drop = bits - 128;
    mant >>= BigInt(drop);
    exp += drop;
  }
  let v = Number(mant);
  while (exp > 1000 && Number.isFinite(v)) {
    v *= 2 ** 1000;
    exp -= 1000;
  }
  while (exp < -1000 && v !== 0) {
    v *= 2 ** -1000;
    exp += 1000;
  }
  v *= 2 ** exp;
  const erange = !Number.isFinite(v) || v === 0;
  return { v: neg ? -v : v, end: j, erange };
}

/**
 * Redis's getDoubleFromObject (scores, increments, weights): the whole argument is one strtod
 * number, no leading space, no NaN, no overflow, no non-zero value that underflows to zero.
 */
export function parseDoubleArg(b: Uint8Array): number | null {
  if (b.length === 0 || isSpace(b[0])) return null;
  const r = strtod(b, 0);
  if (r.end !== b.length) return null;
  if (r.erange && (r.v === Infinity || r.v === -Infinity || r.v === 0)) return null;
  if (Number.isNaN(r.v)) return null;
  return r.v;
}

/** printf("%.17g", d) as Redis 7.0 formats doubles in replies; inf as "inf"/"-inf". */
export function formatDouble(d: number, _resp3 = false): string {
  if (d === Infinity) return 'inf';
  if (d === -Infinity) return '-inf';
  if (Number.isNaN(d)) return 'nan';
  return formatG(d, 17);
}

/** printf("%.<p>g", d) for finite d. */
export function formatG(d: number, p: number): string {
  if (d === 0) return Object.is(d, -0) ? '-0' : '0';
  const exp = d.toExponential(p - 1); // "-1.2345e+20"
  const ei = exp.indexOf('e');
  const x = Number(exp.slice(ei + 1));
  if (x < -4 || x >= p) {
    let mant = exp.slice(0, ei);
    if (mant.indexOf('.') >= 0) mant = mant.replace(/\.?0+$/, '');
    const ax = Math.abs(x);
    return mant + 'e' + (x < 0 ? '-' : '+') + (ax < 10 ? '0' + ax : String(ax));
  }
  let f = d.toFixed(p - 1 - x);
  if (f.indexOf('.') >= 0) f = f.replace(/\.?0+$/, '');
  return f;
}

/** Digits of a non-negative integer. */
export function decimalLength(n: number): number {
  let d = 1;
  while (n >= 10) {
    n = Math.floor(n / 10);
    d++;
  }
  return d;
}

/** Writes the decimal digits of a non-negative integer at `p`; returns the end. */
export function writeDecimal(b: Buffer, p: number, n: number): number {
  const end = p + decimalLength(n);
  let q = end;
  do {
    const r = n % 10;
    b[--q] = 48 + r;
    n = (n - r) / 10;
  } while (n > 0);
  return end;
}
