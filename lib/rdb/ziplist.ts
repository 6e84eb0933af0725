// Ziplists, the compact container of Redis before 7.0 (RDB types 10, 12, 13 and the nodes of
// quicklist type 14). Redis 7.0 no longer writes them but still reads them.
//
//   total bytes (u32 LE) | offset of the last entry (u32 LE) | count (u16 LE; 65535 = unknown)
//   | entries | 0xFF
//
// An entry: the previous entry's size (1 byte below 254, else 0xFE + u32 LE), an encoding, data.
//   00xxxxxx / 01xxxxxx xxxxxxxx / 0x80 + u32 BE   string of 6-, 14- or 32-bit length
//   C0 int16, D0 int32, E0 int64, F0 int24, FE int8 (all LE); F1..FD the integers 0..12.
// The writer here is for building payloads in the old format (tests, tools); it encodes a
// string as an integer when it is one, as Redis did.

import { canonicalInt64, type LpValue } from './listpack.js';
import { RdbFormatError } from './string.js';

const ZL_HEADER_SIZE = 10;
const ZL_END = 0xff;
const ZL_BIG_PREVLEN = 254;

function corrupt(what: string): RdbFormatError {
  return new RdbFormatError('corrupt', `invalid ziplist: ${what}`);
}

/** Every entry of a ziplist blob, validated (sizes, offsets, previous-entry lengths, count). */
export function readZiplist(zl: Buffer): LpValue[] {
  if (zl.length < ZL_HEADER_SIZE + 1) throw corrupt('shorter than its header');
  if (zl.readUInt32LE(0) !== zl.length) throw corrupt('total bytes does not match its size');
  const tail = zl.readUInt32LE(4);
  const declared = zl.readUInt16LE(8);
  const end = zl.length - 1;
  if (zl[end] !== ZL_END) throw corrupt('no end marker');
  const out: LpValue[] = [];
  let p = ZL_HEADER_SIZE;
  let prevSize = 0;
  let lastStart = ZL_HEADER_SIZE;
  while (p < end) {
    const start = p;
    let prevlen: number;
    if (zl[p] < ZL_BIG_PREVLEN) {
      prevlen = zl[p];
      p += 1;
    } else if (zl[p] === ZL_BIG_PREVLEN) {
      if (p + 5 > end) throw corrupt('previous length past the end');
      prevlen = zl.readUInt32LE(p + 1);
      p += 5;
    } else {
      throw corrupt('end marker before the end');
    }
    if (prevlen !== prevSize) throw corrupt('previous entry length does not match');
    if (p >= end) throw corrupt('entry past the end');
    const b = zl[p];
    const kind = b >> 6;
    let value: LpValue;
    if (kind === 0 || kind === 1 || b === 0x80) {
      let n: number;
      if (kind === 0) {
        n = b & 0x3f;
        p += 1;
      } else if (kind === 1) {
        if (p + 2 > end) throw corrupt('length past the end');
        n = ((b & 0x3f) << 8) | zl[p + 1];
        p += 2;
      } else {
        if (p + 5 > end) throw corrupt('length past the end');
        n = zl.readUInt32BE(p + 1);
        p += 5;
      }
      if (n > end - p) throw corrupt('string past the end');
      value = zl.subarray(p, p + n);
      p += n;
    } else {
      let w: number;
      if (b === 0xc0) w = 2;
      else if (b === 0xd0) w = 4;
      else if (b === 0xe0) w = 8;
      else if (b === 0xf0) w = 3;
      else if (b === 0xfe) w = 1;
      else if (b >= 0xf1 && b <= 0xfd) w = 0;
      else throw corrupt(`unknown encoding byte ${b}`);
      if (p + 1 + w > end) throw corrupt('integer past the end');
      if (w === 0) value = BigInt((b & 0x0f) - 1);
      else if (w === 8) value = zl.readBigInt64LE(p + 1);
      else value = BigInt(zl.readIntLE(p + 1, w));
      p += 1 + w;
    }
    out.push(value);
    lastStart = start;
    prevSize = p - start;
  }
  if (out.length > 0 ? tail !== lastStart : tail !== ZL_HEADER_SIZE) throw corrupt('tail offset does not point at the last entry');
  if (declared !== 65535 && declared !== out.length) throw corrupt(`count ${declared} but ${out.length} entries`);
  return out;
}

function encodeEntryBody(s: Uint8Array): Buffer {
  const int = s.length > 0 && s.length < 32 ? canonicalInt64(s) : null;
  if (int !== null) {
    if (int >= 0n && int <= 12n) return Buffer.from([0xf1 + Number(int)]);
    const forms: Array<[bigint, number, number]> = [
      [127n, 0xfe, 1],
      [32767n, 0xc0, 2],
      [8388607n, 0xf0, 3],
      [2147483647n, 0xd0, 4],
    ];
    for (const [max, enc, w] of forms) {
      if (int >= -max - 1n && int <= max) {
        const b = Buffer.allocUnsafe(1 + w);
        b[0] = enc;
        b.writeIntLE(Number(int), 1, w);
        return b;
      }
    }
    const b = Buffer.allocUnsafe(9);
    b[0] = 0xe0;
    b.writeBigInt64LE(int, 1);
    return b;
  }
  const n = s.length;
  let head: Buffer;
  if (n <= 0x3f) head = Buffer.from([n]);
  else if (n <= 0x3fff) head = Buffer.from([0x40 | (n >> 8), n & 0xff]);
  else {
    head = Buffer.allocUnsafe(5);
    head[0] = 0x80;
    head.writeUInt32BE(n, 1);
  }
  return Buffer.concat([head, s]);
}

/** A ziplist holding these strings in order. */
export function encodeZiplist(items: readonly Uint8Array[]): Buffer {
  const parts: Buffer[] = [];
  let prev = 0;
  let at = ZL_HEADER_SIZE;
  let tail = ZL_HEADER_SIZE;
  for (const s of items) {
    const body = encodeEntryBody(s);
    let prevField: Buffer;
    if (prev < ZL_BIG_PREVLEN) prevField = Buffer.from([prev]);
    else {
      prevField = Buffer.allocUnsafe(5);
      prevField[0] = ZL_BIG_PREVLEN;
      prevField.writeUInt32LE(prev, 1);
    }
    tail = at;
    parts.push(prevField, body);
    prev = prevField.length + body.length;
    at += prev;
  }
  const header = Buffer.allocUnsafe(ZL_HEADER_SIZE);
  header.writeUInt32LE(at + 1, 0);
  header.writeUInt32LE(tail, 4);
  header.writeUInt16LE(Math.min(items.length, 65535), 8);
  return Buffer.concat([header, ...parts, Buffer.from([ZL_END])]);
}
