// The prefix of a byte string that C's strtod (glibc, "C" locale) would convert, and its value:
// an optional sign, then a decimal number (digits with an optional point and exponent), a
// hexadecimal one ("0x", hex digits, optional point, optional binary exponent "p"), "inf",
// "infinity" or "nan" with an optional "(chars)", in any case. cjson.decode reads its numbers
// this way, so it accepts everything strtod does.

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  const l = c | 0x20;
  if (l >= 97 && l <= 102) return l - 87;
  return -1;
}

function matchesWord(s: Uint8Array, at: number, end: number, word: string): boolean {
  if (at + word.length > end) return false;
  for (let i = 0; i < word.length; i++) if ((s[at + i]! | 0x20) !== word.charCodeAt(i)) return false;
  return true;
}

export interface Parsed {
  value: number;
  /** Index just past the converted text; equal to the start when nothing converts. */
  end: number;
}

function hexNumber(s: Uint8Array, start: number, end: number, negative: boolean): Parsed {
  let i = start;
  let mantissa = 0n;
  let fracDigits = 0;
  let any = false;
  while (i < end && hexValue(s[i]!) >= 0) {
    mantissa = mantissa * 16n + BigInt(hexValue(s[i]!));
    i++;
    any = true;
  }
  if (i < end && s[i] === 0x2e) {
    let j = i + 1;
    while (j < end && hexValue(s[j]!) >= 0) {
      mantissa = mantissa * 16n + BigInt(hexValue(s[j]!));
      fracDigits++;
      j++;
      any = true;
    }
    if (any) i = j;
  }
  let exp = 0;
  if (i < end && (s[i]! | 0x20) === 0x70) {
    let j = i + 1;
    let expNegative = false;
    if (j < end && (s[j] === 0x2b || s[j] === 0x2d)) expNegative = s[j++] === 0x2d;
    if (j < end && isDigit(s[j]!)) {
      while (j < end && isDigit(s[j]!)) {
        if (exp < 100000) exp = exp * 10 + (s[j]! - 48);
        j++;
      }
      if (expNegative) exp = -exp;
      i = j;
    }
  }
  // Scale an exact mantissa by a power of two; both steps round once (or are exact).
  let value = Number(mantissa) * 2 ** (exp - 4 * fracDigits);
  if (!Number.isFinite(value) && mantissa !== 0n && exp - 4 * fracDigits < 0) {
    value = Number(mantissa >> BigInt(4 * fracDigits - exp));
  }
  return { value: negative ? -value : value, end: i };
}

/** strtod on s[start..end): the value and where the conversion stopped. */
export function strtod(s: Uint8Array, start: number, end: number): Parsed {
  let i = start;
  let negative = false;
  if (i < end && (s[i] === 0x2b || s[i] === 0x2d)) negative = s[i++] === 0x2d;
  if (matchesWord(s, i, end, 'inf')) {
    i += 3;
    if (matchesWord(s, i, end, 'inity')) i += 5;
    return { value: negative ? -Infinity : Infinity, end: i };
  }
  if (matchesWord(s, i, end, 'nan')) {
    i += 3;
    if (i < end && s[i] === 0x28) {
      let j = i + 1;
      while (j < end && (isDigit(s[j]!) || hexValue(s[j]!) >= 0 || ((s[j]! | 0x20) >= 97 && (s[j]! | 0x20) <= 122) || s[j] === 0x5f)) j++;
      if (j < end && s[j] === 0x29) i = j + 1;
    }
    return { value: NaN, end: i };
  }
  if (s[i] === 0x30 && i + 1 < end && (s[i + 1]! | 0x20) === 0x78) {
    const after = i + 2;
    if (after < end && (hexValue(s[after]!) >= 0 || (s[after] === 0x2e && after + 1 < end && hexValue(s[after + 1]!) >= 0))) {
      return hexNumber(s, after, end, negative);
    }
    // "0x" with no hex digits converts as the "0" alone.
    return { value: negative ? -0 : 0, end: i + 1 };
  }
  const numStart = i;
  let digits = 0;
  while (i < end && isDigit(s[i]!)) {
    i++;
    digits++;
  }
  if (i < end && s[i] === 0x2e) {
    i++;
    while (i < end && isDigit(s[i]!)) {
      i++;
      digits++;
    }
  }
  if (digits === 0) return { value: 0, end: start };
  if (i < end && (s[i]! | 0x20) === 0x65) {
    let j = i + 1;
    if (j < end && (s[j] === 0x2b || s[j] === 0x2d)) j++;
    if (j < end && isDigit(s[j]!)) {
      while (j < end && isDigit(s[j]!)) j++;
      i = j;
    }
  }
  const value = Number(Buffer.from(s.buffer, s.byteOffset + numStart, i - numStart).toString('latin1'));
  return { value: negative ? -value : value, end: i };
}
