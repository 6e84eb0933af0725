// The format strings of Redis's `struct` library, and the C conversions it applies to numbers.
//
// A format is read one option byte at a time, up to the end or the first NUL (the C library sees
// a C string). Sizes are those of Redis's 64-bit Linux build: b/B 1, h/H 2, l/L 8, T (size_t) 8,
// i/I 4 unless a size follows (0 to 32), f 4, d 8, x 1, c 1 unless a size follows (c0: as long
// as the string, or as the previous value in unpack), s (zero-terminated) and the control options
// none. '<' and '>' set the byte order (little-endian is native), '!n' the largest alignment
// (8 when n is absent), ' ' is skipped; '=' is not an option in this version.
//
// Integers go through the C library's 64-bit conversions, reproduced here as gcc compiles them for
// x86-64, because Redis answers with what they give for doubles beyond the 64-bit range, NaNs
// and integer sizes above 8 bytes: see toUint64, integerBytes and integerFromBytes.

import type { LuaBinding } from '../lua-api.js';
import { argError, luaError } from './c-library.js';

export const MAX_INT_SIZE = 32;
/** The alignment of the strictest C type (double, pointer, long) on x86-64: '!' without a size. */
export const MAX_ALIGN = 8;

const INT_MAX = 2147483647;
const NUL = 0;
const DIGIT_0 = 0x30;
const DIGIT_9 = 0x39;

export interface Header {
  little: boolean;
  /** The largest alignment any item gets ('!n'); 1 at first: nothing is aligned. */
  align: number;
}

export function defaultHeader(): Header {
  return { little: true, align: 1 };
}

const code = (c: string): number => c.charCodeAt(0);
export const OPT = {
  b: code('b'), B: code('B'), h: code('h'), H: code('H'), l: code('l'), L: code('L'), T: code('T'),
  i: code('i'), I: code('I'), f: code('f'), d: code('d'), x: code('x'), c: code('c'), s: code('s'),
  space: code(' '), big: code('>'), little: code('<'), align: code('!'),
} as const;

const INTEGER_OPTIONS = new Set<number>([OPT.b, OPT.B, OPT.h, OPT.H, OPT.l, OPT.L, OPT.T, OPT.i, OPT.I]);

export function isIntegerOption(opt: number): boolean {
  return INTEGER_OPTIONS.has(opt);
}

/** Lower-case integer options are signed. */
export function isSignedOption(opt: number): boolean {
  return opt === OPT.b || opt === OPT.h || opt === OPT.l || opt === OPT.i;
}

/** isalnum in the C locale. */
export function isAlnum(c: number): boolean {
  return (c >= DIGIT_0 && c <= DIGIT_9) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
}

/** A format string read option by option. */
export class FormatReader {
  private at = 0;
  private readonly end: number;

  constructor(private readonly fmt: Uint8Array) {
    const nul = fmt.indexOf(NUL);
    this.end = nul < 0 ? fmt.length : nul;
  }

  done(): boolean {
    return this.at >= this.end;
  }

  next(): number {
    return this.fmt[this.at++]!;
  }

  /** The decimal number at the reading position, or `dflt` when there is none. */
  number(b: LuaBinding, L: number, dflt: number): number {
    if (!this.isDigitHere()) return dflt;
    let n = 0;
    do {
      const d = this.fmt[this.at++]! - DIGIT_0;
      if (n * 10 + d > INT_MAX) luaError(b, L, 'integral size overflow');
      n = n * 10 + d;
    } while (this.isDigitHere());
    return n;
  }

  private isDigitHere(): boolean {
    if (this.at >= this.end) return false;
    const c = this.fmt[this.at]!;
    return c >= DIGIT_0 && c <= DIGIT_9;
  }
}

/** The size of option `opt` in bytes (reading its number, if it takes one); 0 for the others. */
export function optionSize(b: LuaBinding, L: number, r: FormatReader, opt: number): number {
  switch (opt) {
    case OPT.b: case OPT.B: return 1;
    case OPT.h: case OPT.H: return 2;
    case OPT.l: case OPT.L: case OPT.T: case OPT.d: return 8;
    case OPT.f: return 4;
    case OPT.x: return 1;
    case OPT.c: return r.number(b, L, 1);
    case OPT.i: case OPT.I: {
      const size = r.number(b, L, 4);
      if (size > MAX_INT_SIZE) luaError(b, L, `integral size ${size} is larger than limit of ${MAX_INT_SIZE}`);
      return size;
    }
    default: return 0;
  }
}

/**
 * The padding before an item of `size` bytes at offset `len`: it is aligned to its size, capped
 * by the header's alignment. The arithmetic is the C library's, which assumes powers of 2: an
 * odd size such as i3 gets the padding that arithmetic gives, as in Redis.
 */
export function paddingFor(len: number, h: Header, opt: number, size: number): number {
  if (size === 0 || opt === OPT.c) return 0;
  const a = Math.min(size, h.align);
  // `len & (a - 1)` on a length beyond 2^31 still sees its low bits (ToInt32 is modulo 2^32).
  return (a - (len & (a - 1))) & (a - 1);
}

/** Applies a control option to the header; any other byte is an invalid option (argument 1). */
export function applyControl(b: LuaBinding, L: number, r: FormatReader, opt: number, h: Header): void {
  switch (opt) {
    case OPT.space:
      return;
    case OPT.big:
      h.little = false;
      return;
    case OPT.little:
      h.little = true;
      return;
    case OPT.align: {
      const a = r.number(b, L, MAX_ALIGN);
      if (a <= 0 || (a & (a - 1)) !== 0) luaError(b, L, `alignment ${a} is not a power of 2`);
      h.align = a;
      return;
    }
    default:
      argError(b, L, 1, `invalid format option '${String.fromCharCode(opt)}'`);
  }
}

// ---- C conversions

const TWO_63 = 2 ** 63;
const TWO_64 = 2 ** 64;
const BIT_63 = 1n << 63n;

/**
 * (uint64_t)x. x86-64 has no unsigned conversion: gcc converts below 2^63 as signed (so a negative
 * in range wraps modulo 2^64) and subtracts 2^63 from larger values first. What is out of range
 * for the instruction (NaN, below -2^63) gives its "indefinite" 2^63; 2^64 and above end at 0.
 */
export function toUint64(x: number): bigint {
  if (Number.isNaN(x) || x < -TWO_63) return BIT_63;
  if (x >= TWO_64) return 0n;
  return BigInt.asUintN(64, BigInt(Math.trunc(x)));
}

/**
 * (int64_t)x, as a double (which holds it exactly: a truncated double or -2^63): truncation; NaN
 * and what lies outside [-2^63, 2^63) give -2^63.
 */
export function toInt64(x: number): number {
  if (Number.isNaN(x) || x < -TWO_63 || x >= TWO_63) return -TWO_63;
  return Math.trunc(x);
}

const SMALL = 2 ** 53;

/**
 * Writes the integer option's `size` bytes for the Lua number `x`: x converted to 64 bits (a
 * negative through int64_t, which wraps the same way), its low bytes, zeros beyond the 8th.
 */
export function integerBytes(x: number, size: number, little: boolean, out: Buffer, at: number): void {
  const put = (k: number, byte: number): void => {
    out[little ? at + k : at + size - 1 - k] = byte;
  };
  if (size <= 6 && x > -SMALL && x < SMALL) {
    // Exact in doubles: the low 48 bits of trunc(x) in two's complement.
    let v = Math.trunc(x) % 2 ** 48;
    if (v < 0) v += 2 ** 48;
    for (let k = 0; k < size; k++) {
      put(k, v % 256);
      v = Math.floor(v / 256);
    }
    return;
  }
  let v = toUint64(x);
  for (let k = 0; k < size; k++) {
    put(k, Number(v & 0xffn));
    v >>= 8n;
  }
}

/**
 * The number an integer option of `size` bytes reads. They are accumulated into 64 bits, most
 * significant first, so beyond 8 bytes only the last 8 accumulated remain; a signed option then
 * extends the sign from bit size*8-1, a shift x86-64 takes modulo 64 (so i9 extends from bit 7).
 * The 64-bit result becomes a double rounded to nearest, as C converts it.
 */
export function integerFromBytes(data: Uint8Array, at: number, size: number, little: boolean, signed: boolean): number {
  const byteAt = (k: number): number => data[little ? at + size - 1 - k : at + k]!;
  if (size <= 6) {
    let v = 0;
    for (let k = 0; k < size; k++) v = v * 256 + byteAt(k);
    if (signed && size > 0 && v >= 2 ** (size * 8 - 1)) v -= 2 ** (size * 8);
    return v;
  }
  let v = 0n;
  for (let k = 0; k < size; k++) v = BigInt.asUintN(64, (v << 8n) | BigInt(byteAt(k)));
  if (!signed) return Number(v);
  const mask = BigInt.asUintN(64, -1n << BigInt((size * 8 - 1) & 63));
  if ((v & mask) !== 0n) v |= mask;
  return Number(BigInt.asIntN(64, v));
}
