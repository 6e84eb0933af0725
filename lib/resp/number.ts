// Number parsing and formatting with Redis's rules (string2ll, strtod checks, %.17g).

const INT64_MIN = -(1n << 63n);
const INT64_MAX = (1n << 63n) - 1n;

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

export function isI64(v: bigint): boolean {
  return v >= INT64_MIN && v <= INT64_MAX;
}

export { INT64_MIN, INT64_MAX };

const FLOAT_RE = /^[+-]?(?:\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?)$/;
const INF_RE = /^([+-]?)inf(?:inity)?$/i;

/**
 * Parses a double the way Redis validates strtod input: the whole string, no spaces, no NaN.
 * Returns null when invalid.
 */
export function parseDouble(b: Uint8Array): number | null {
  if (b.length === 0 || b.length > 5000) return null;
  const s = Buffer.from(b.buffer, b.byteOffset, b.length).toString('latin1');
  if (FLOAT_RE.test(s)) {
    const d = Number(s);
    return Number.isNaN(d) ? null : d;
  }
  const m = INF_RE.exec(s);
  if (m) return m[1] === '-' ? -Infinity : Infinity;
  return null;
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
