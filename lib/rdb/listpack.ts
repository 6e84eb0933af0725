// Listpacks, the compact container Redis 7.0 keeps small hashes, zsets, list nodes and stream
// nodes in, and writes into RDB files as one string blob.
//
//   total bytes (u32 LE) | element count (u16 LE; 65535 = "count them") | entries | 0xFF
//
// An entry is an encoding byte (with data), then its "backlen": the size of encoding + data in
// 1..5 bytes, 7 bits each, the high bit set on every byte but the first, read right to left.
//   0xxxxxxx            integer 0..127          10xxxxxx + data      string up to 63 bytes
//   110xxxxx yyyyyyyy   13-bit signed integer   1110xxxx yyyyyyyy    string up to 4095 bytes
//   F0 + u32 LE         longer string           F1 / F2 / F3 / F4    16/24/32/64-bit integer (LE)
// A string that is the canonical decimal form of a 64-bit integer is stored as that integer,
// in the smallest form that holds it.

import { RdbFormatError } from './string.js';

export const LP_HEADER_SIZE = 6;
const LP_EOF = 0xff;
const LP_COUNT_UNKNOWN = 65535;

const INT64_MIN = -(1n << 63n);
const INT64_MAX = (1n << 63n) - 1n;

/**
 * The integer `s` is the canonical decimal form of (Redis's string2ll: no sign but '-', no
 * leading zero, no "-0", within 64 bits), or null.
 */
export function canonicalInt64(s: Uint8Array): bigint | null {
  const n = s.length;
  if (n === 0 || n >= 21) return null;
  if (n === 1 && s[0] === 0x30) return 0n;
  let i = 0;
  const negative = s[0] === 0x2d;
  if (negative) {
    if (n === 1) return null;
    i = 1;
  }
  if (s[i] < 0x31 || s[i] > 0x39) return null;
  let small = 0;
  const smallEnd = Math.min(n, i + 15);
  for (; i < smallEnd; i++) {
    const d = s[i] - 0x30;
    if (d < 0 || d > 9) return null;
    small = small * 10 + d;
  }
  if (i === n) return BigInt(negative ? -small : small);
  let v = BigInt(small);
  for (; i < n; i++) {
    const d = s[i] - 0x30;
    if (d < 0 || d > 9) return null;
    v = v * 10n + BigInt(d);
  }
  if (negative) v = -v;
  return v < INT64_MIN || v > INT64_MAX ? null : v;
}

/** Bytes of the backlen for an entry of `l` bytes (encoding + data). */
function backlenSize(l: number): number {
  if (l <= 127) return 1;
  if (l < 16383) return 2;
  if (l < 2097151) return 3;
  if (l < 268435455) return 4;
  return 5;
}

function writeBacklen(out: Buffer, at: number, l: number): number {
  const n = backlenSize(l);
  // the first byte holds the highest bits; each later byte has its high bit set
  for (let k = n - 1; k >= 0; k--) {
    const bits = (l / 2 ** (7 * (n - 1 - k))) & 127;
    out[at + k] = k === 0 ? bits : bits | 128;
  }
  return n;
}

/** One encoded entry (encoding, data and backlen) for an integer. */
export function lpEncodeInteger(v: bigint): Buffer {
  let head: Buffer;
  if (v >= 0n && v <= 127n) {
    head = Buffer.from([Number(v)]);
  } else if (v >= -4096n && v <= 4095n) {
    const u = Number(v < 0n ? v + 8192n : v);
    head = Buffer.from([0xc0 | (u >> 8), u & 0xff]);
  } else if (v >= -32768n && v <= 32767n) {
    head = Buffer.allocUnsafe(3);
    head[0] = 0xf1;
    head.writeInt16LE(Number(v), 1);
  } else if (v >= -8388608n && v <= 8388607n) {
    head = Buffer.allocUnsafe(4);
    head[0] = 0xf2;
    head.writeIntLE(Number(v), 1, 3);
  } else if (v >= -2147483648n && v <= 2147483647n) {
    head = Buffer.allocUnsafe(5);
    head[0] = 0xf3;
    head.writeInt32LE(Number(v), 1);
  } else {
    head = Buffer.allocUnsafe(9);
    head[0] = 0xf4;
    head.writeBigInt64LE(v, 1);
  }
  return withBacklen(head);
}

function withBacklen(head: Buffer): Buffer {
  const out = Buffer.allocUnsafe(head.length + backlenSize(head.length));
  head.copy(out, 0);
  writeBacklen(out, head.length, head.length);
  return out;
}

/** One encoded entry for a string: as an integer when it is one, as Redis's lpAppend does. */
export function lpEncodeString(s: Uint8Array): Buffer {
  const int = canonicalInt64(s);
  if (int !== null) return lpEncodeInteger(int);
  const n = s.length;
  let hdr: number;
  let head: Buffer;
  if (n < 64) {
    hdr = 1;
    head = Buffer.allocUnsafe(hdr + n);
    head[0] = 0x80 | n;
  } else if (n < 4096) {
    hdr = 2;
    head = Buffer.allocUnsafe(hdr + n);
    head[0] = 0xe0 | (n >> 8);
    head[1] = n & 0xff;
  } else {
    hdr = 5;
    head = Buffer.allocUnsafe(hdr + n);
    head[0] = 0xf0;
    head.writeUInt32LE(n, 1);
  }
  head.set(s, hdr);
  return withBacklen(head);
}

/** A listpack's bytes from its encoded entries (lpEncodeString / lpEncodeInteger). */
export function lpFromEntries(entries: readonly Buffer[], totalEntryBytes?: number): Buffer {
  let size = LP_HEADER_SIZE + 1;
  if (totalEntryBytes === undefined) for (const e of entries) size += e.length;
  else size += totalEntryBytes;
  const out = Buffer.allocUnsafe(size);
  out.writeUInt32LE(size, 0);
  out.writeUInt16LE(Math.min(entries.length, LP_COUNT_UNKNOWN), 4);
  let at = LP_HEADER_SIZE;
  for (const e of entries) {
    e.copy(out, at);
    at += e.length;
  }
  out[at] = LP_EOF;
  return out;
}

/** The listpack Redis builds by appending these strings in order. */
export function encodeListpack(items: readonly Uint8Array[]): Buffer {
  return lpFromEntries(items.map(lpEncodeString));
}

/** A listpack entry as read: a string (a view into the blob) or an integer. */
export type LpValue = Buffer | bigint;

function corrupt(what: string): RdbFormatError {
  return new RdbFormatError('corrupt', `invalid listpack: ${what}`);
}

/**
 * Every entry of a listpack blob, validated as Redis's deep integrity check does: the header's
 * size is the blob's, each entry lies inside it with a backlen that matches, the count (when
 * known) is right and the blob ends at its 0xFF.
 */
export function readListpack(lp: Buffer): LpValue[] {
  if (lp.length < LP_HEADER_SIZE + 1) throw corrupt('shorter than its header');
  if (lp.readUInt32LE(0) !== lp.length) throw corrupt('total bytes does not match its size');
  const declared = lp.readUInt16LE(4);
  const end = lp.length - 1;
  if (lp[end] !== LP_EOF) throw corrupt('no end marker');
  const out: LpValue[] = [];
  let p = LP_HEADER_SIZE;
  while (p < end) {
    const b = lp[p];
    let head: number;
    let value: LpValue;
    if (b < 0x80) {
      head = 1;
      value = BigInt(b);
    } else if (b < 0xc0) {
      const n = b & 0x3f;
      head = 1 + n;
      if (p + head > end) throw corrupt('string past the end');
      value = lp.subarray(p + 1, p + head);
    } else if (b < 0xe0) {
      if (p + 2 > end) throw corrupt('integer past the end');
      head = 2;
      const u = ((b & 0x1f) << 8) | lp[p + 1];
      value = BigInt(u >= 4096 ? u - 8192 : u);
    } else if (b < 0xf0) {
      if (p + 2 > end) throw corrupt('string length past the end');
      const n = ((b & 0x0f) << 8) | lp[p + 1];
      head = 2 + n;
      if (p + head > end) throw corrupt('string past the end');
      value = lp.subarray(p + 2, p + head);
    } else if (b === 0xf0) {
      if (p + 5 > end) throw corrupt('string length past the end');
      const n = lp.readUInt32LE(p + 1);
      if (n > end - p - 5) throw corrupt('string past the end');
      head = 5 + n;
      value = lp.subarray(p + 5, p + head);
    } else if (b >= 0xf1 && b <= 0xf4) {
      const w = b === 0xf1 ? 2 : b === 0xf2 ? 3 : b === 0xf3 ? 4 : 8;
      head = 1 + w;
      if (p + head > end) throw corrupt('integer past the end');
      value = w === 8 ? lp.readBigInt64LE(p + 1) : BigInt(lp.readIntLE(p + 1, w));
    } else {
      throw corrupt(b === LP_EOF ? 'end marker before the end' : `unknown encoding byte ${b}`);
    }
    const bl = backlenSize(head);
    if (p + head + bl > end) throw corrupt('backlen past the end');
    if (readBacklen(lp, p + head + bl - 1, bl) !== head) throw corrupt('backlen does not match the entry');
    out.push(value);
    p += head + bl;
  }
  if (declared !== LP_COUNT_UNKNOWN && declared !== out.length) throw corrupt(`count ${declared} but ${out.length} entries`);
  return out;
}

function readBacklen(lp: Buffer, last: number, n: number): number {
  let v = 0;
  for (let k = 0; k < n; k++) {
    const byte = lp[last - k];
    const more = (byte & 128) !== 0;
    if (more !== (k < n - 1)) return -1;
    v += (byte & 127) * 2 ** (7 * k);
  }
  return v;
}

/** An entry as a string: integers as their decimal text. */
export function lpString(v: LpValue): Buffer {
  return typeof v === 'bigint' ? Buffer.from(v.toString(), 'latin1') : v;
}

/** An entry that must be an integer (stream nodes' counts, flags and ids). */
export function lpInteger(v: LpValue | undefined, what: string): bigint {
  if (v === undefined) throw corrupt(`missing ${what}`);
  if (typeof v === 'bigint') return v;
  const n = canonicalInt64(v);
  if (n === null) throw corrupt(`${what} is not an integer`);
  return n;
}
