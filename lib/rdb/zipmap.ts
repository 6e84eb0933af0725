// Zipmaps: small hashes as Redis before 2.6 stored them (RDB type 9), one blob:
//   count (1 byte; 254+ = unknown) | entries | 0xFF
// An entry: key length, key, value length, a "free" byte, value, that many unused bytes. A
// length is one byte below 254, or 254 followed by a u32 LE.

import { RdbFormatError } from './string.js';

const ZIPMAP_BIGLEN = 254;
const ZIPMAP_END = 255;

function corrupt(what: string): RdbFormatError {
  return new RdbFormatError('corrupt', `invalid zipmap: ${what}`);
}

/** The field/value pairs of a zipmap blob, validated (every length inside the blob, the end marker). */
export function readZipmap(zm: Buffer): Array<[Buffer, Buffer]> {
  if (zm.length < 2) throw corrupt('too short');
  const declared = zm[0];
  const out: Array<[Buffer, Buffer]> = [];
  let p = 1;
  const len = (): number => {
    if (p >= zm.length) throw corrupt('length past the end');
    const b = zm[p];
    if (b < ZIPMAP_BIGLEN) {
      p += 1;
      return b;
    }
    if (b === ZIPMAP_BIGLEN) {
      if (p + 5 > zm.length) throw corrupt('length past the end');
      const v = zm.readUInt32LE(p + 1);
      p += 5;
      return v;
    }
    throw corrupt('unexpected end marker');
  };
  const bytes = (n: number): Buffer => {
    if (n > zm.length - p) throw corrupt('entry past the end');
    const b = zm.subarray(p, p + n);
    p += n;
    return b;
  };
  while (p < zm.length && zm[p] !== ZIPMAP_END) {
    const key = bytes(len());
    const vlen = len();
    if (p >= zm.length) throw corrupt('free byte past the end');
    const free = zm[p++];
    const value = bytes(vlen);
    bytes(free);
    out.push([key, value]);
  }
  if (p !== zm.length - 1) throw corrupt('no end marker at the end');
  if (declared < ZIPMAP_BIGLEN && declared !== out.length) throw corrupt(`count ${declared} but ${out.length} entries`);
  return out;
}

function encodeLen(n: number): Buffer {
  if (n < ZIPMAP_BIGLEN) return Buffer.from([n]);
  const b = Buffer.allocUnsafe(5);
  b[0] = ZIPMAP_BIGLEN;
  b.writeUInt32LE(n, 1);
  return b;
}

/** A zipmap holding these pairs (no free space), as Redis before 2.6 wrote one. */
export function encodeZipmap(entries: ReadonlyArray<readonly [Uint8Array, Uint8Array]>): Buffer {
  const parts: Buffer[] = [Buffer.from([Math.min(entries.length, ZIPMAP_BIGLEN)])];
  for (const [k, v] of entries) parts.push(encodeLen(k.length), Buffer.from(k), encodeLen(v.length), Buffer.from([0]), Buffer.from(v));
  parts.push(Buffer.from([ZIPMAP_END]));
  return Buffer.concat(parts);
}
