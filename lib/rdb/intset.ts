// Intsets: a set of integers as RDB type 11 stores it, one blob:
//   element width in bytes (u32 LE: 2, 4 or 8) | count (u32 LE) | the integers ascending (LE)
// Redis widens every element to the width the largest (or smallest) one needs.

import { RdbFormatError } from './string.js';

/** The intset blob holding these integers (any order, no duplicates). */
export function encodeIntset(values: readonly bigint[]): Buffer {
  const sorted = [...values].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  let width = 2;
  for (const v of sorted) {
    if (v < -2147483648n || v > 2147483647n) width = 8;
    else if ((v < -32768n || v > 32767n) && width < 4) width = 4;
  }
  const out = Buffer.allocUnsafe(8 + width * sorted.length);
  out.writeUInt32LE(width, 0);
  out.writeUInt32LE(sorted.length, 4);
  let at = 8;
  for (const v of sorted) {
    if (width === 2) out.writeInt16LE(Number(v), at);
    else if (width === 4) out.writeInt32LE(Number(v), at);
    else out.writeBigInt64LE(v, at);
    at += width;
  }
  return out;
}

/** The integers of an intset blob, validated: a known width, the size its count says, ascending. */
export function readIntset(blob: Buffer): bigint[] {
  if (blob.length < 8) throw new RdbFormatError('corrupt', 'invalid intset: shorter than its header');
  const width = blob.readUInt32LE(0);
  if (width !== 2 && width !== 4 && width !== 8) throw new RdbFormatError('corrupt', `invalid intset: element width ${width}`);
  const count = blob.readUInt32LE(4);
  if (count * width !== blob.length - 8) throw new RdbFormatError('corrupt', 'invalid intset: size does not match its count');
  const out: bigint[] = new Array(count);
  let prev: bigint | null = null;
  for (let i = 0, at = 8; i < count; i++, at += width) {
    const v = width === 8 ? blob.readBigInt64LE(at) : BigInt(width === 4 ? blob.readInt32LE(at) : blob.readInt16LE(at));
    if (prev !== null && v <= prev) throw new RdbFormatError('corrupt', 'invalid intset: not in ascending order');
    out[i] = prev = v;
  }
  return out;
}
