// RDB lengths and strings: the encodings every RDB value and DUMP payload is built from.
//
// A length starts with a byte whose two top bits say how it is stored:
//   00xxxxxx                 6-bit length;
//   01xxxxxx xxxxxxxx        14-bit length, big-endian;
//   10000000 + 4 bytes       32-bit length, big-endian;  10000001 + 8 bytes: 64-bit;
//   11xxxxxx                 not a length: a string in a special encoding xxxxxx:
//                            0, 1, 2 = an integer in 1, 2 or 4 bytes (little-endian, signed),
//                            written back as its decimal text; 3 = LZF: compressed length,
//                            original length, compressed bytes.
// Redis writes a string of up to 11 bytes that is the canonical decimal form of a 32-bit
// integer as that integer, and (with rdbcompression yes) a string of more than 20 bytes as LZF
// when that saves at least 4 bytes.

import { LzfError, lzfCompress, lzfDecompress } from './lzf.js';

/** The payload is malformed: `truncated` when it ended early, `corrupt` otherwise. */
export class RdbFormatError extends Error {
  override name = 'RdbFormatError';
  constructor(
    readonly kind: 'truncated' | 'corrupt',
    message: string,
  ) {
    super(message);
  }
}

export const RDB_6BITLEN = 0;
export const RDB_14BITLEN = 1;
export const RDB_32BITLEN = 0x80;
export const RDB_64BITLEN = 0x81;
export const RDB_ENCVAL = 3;
export const RDB_ENC_INT8 = 0;
export const RDB_ENC_INT16 = 1;
export const RDB_ENC_INT32 = 2;
export const RDB_ENC_LZF = 3;

/** Reads an RDB byte sequence from a Buffer, throwing RdbFormatError('truncated') at its end. */
export class RdbReader {
  pos: number;

  constructor(
    readonly buf: Buffer,
    start = 0,
    readonly end = buf.length,
  ) {
    this.pos = start;
  }

  get remaining(): number {
    return this.end - this.pos;
  }

  private need(n: number): void {
    if (n > this.end - this.pos) {
      throw new RdbFormatError('truncated', `unexpected end of data: ${n} bytes needed at offset ${this.pos}, ${this.end - this.pos} left`);
    }
  }

  readByte(): number {
    this.need(1);
    return this.buf[this.pos++];
  }

  /** `n` bytes, as a view into the underlying buffer (copy it to keep it past the buffer). */
  readBytes(n: number): Buffer {
    this.need(n);
    const b = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return b;
  }

  readUInt16LE(): number {
    this.need(2);
    const v = this.buf.readUInt16LE(this.pos);
    this.pos += 2;
    return v;
  }

  readUInt32BE(): number {
    this.need(4);
    const v = this.buf.readUInt32BE(this.pos);
    this.pos += 4;
    return v;
  }

  readBigUInt64BE(): bigint {
    this.need(8);
    const v = this.buf.readBigUInt64BE(this.pos);
    this.pos += 8;
    return v;
  }

  readBigUInt64LE(): bigint {
    this.need(8);
    const v = this.buf.readBigUInt64LE(this.pos);
    this.pos += 8;
    return v;
  }
}

/** A length, or (encoded true) the special string encoding number a 11xxxxxx byte holds. */
export interface LengthOrEncoding {
  value: number;
  encoded: boolean;
}

/** Read a length or a string encoding marker. 64-bit lengths beyond 2^53 are refused as corrupt. */
export function readLengthOrEncoding(r: RdbReader): LengthOrEncoding {
  const first = r.readByte();
  const type = first >>> 6;
  if (type === RDB_ENCVAL) return { value: first & 0x3f, encoded: true };
  if (type === RDB_6BITLEN) return { value: first & 0x3f, encoded: false };
  if (type === RDB_14BITLEN) return { value: ((first & 0x3f) << 8) | r.readByte(), encoded: false };
  if (first === RDB_32BITLEN) return { value: r.readUInt32BE(), encoded: false };
  if (first === RDB_64BITLEN) {
    const v = r.readBigUInt64BE();
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new RdbFormatError('corrupt', `length ${v} is too large`);
    return { value: Number(v), encoded: false };
  }
  throw new RdbFormatError('corrupt', `unknown length encoding ${first}`);
}

/**
 * Read a length where the format has one. As Redis's rdbLoadLen, a string encoding marker there
 * is not an error: its six low bits are taken as the length.
 */
export function readLength(r: RdbReader): number {
  return readLengthOrEncoding(r).value;
}

/** The shortest RDB form of `len`, as Redis writes it. */
export function writeLength(len: number | bigint): Buffer {
  // lengths that fit 32 bits (all but a few) without BigInt arithmetic: it costs per key
  if (typeof len === 'number' && len >= 0 && len <= 0xffffffff && Number.isInteger(len)) {
    if (len < 64) return Buffer.from([len]);
    if (len < 16384) return Buffer.from([(RDB_14BITLEN << 6) | (len >>> 8), len & 0xff]);
    const b = Buffer.allocUnsafe(5);
    b[0] = RDB_32BITLEN;
    b.writeUInt32BE(len, 1);
    return b;
  }
  const v = BigInt(len);
  if (v < 0n || v >= 1n << 64n) throw new RangeError(`RDB length out of range: ${len}`);
  if (v < 64n) return Buffer.from([Number(v)]);
  if (v < 16384n) return Buffer.from([(RDB_14BITLEN << 6) | Number(v >> 8n), Number(v & 0xffn)]);
  if (v <= 0xffffffffn) {
    const b = Buffer.allocUnsafe(5);
    b[0] = RDB_32BITLEN;
    b.writeUInt32BE(Number(v), 1);
    return b;
  }
  const b = Buffer.allocUnsafe(9);
  b[0] = RDB_64BITLEN;
  b.writeBigUInt64BE(v, 1);
  return b;
}

/** Redis's test for the integer encoding: the canonical decimal text of a 32-bit integer. */
function asEncodableInteger(s: Uint8Array): number | null {
  const n = s.length;
  if (n === 0 || n > 11) return null;
  let i = 0;
  if (s[0] === 0x2d /* - */) {
    if (n === 1) return null;
    i = 1;
  }
  if (s[i] === 0x30 /* 0 */ && n > 1) return null; // leading zero, or "-0"
  let v = 0;
  for (; i < n; i++) {
    const d = s[i] - 0x30;
    if (d < 0 || d > 9) return null;
    v = v * 10 + d;
  }
  if (s[0] === 0x2d) v = -v;
  return v >= -0x80000000 && v <= 0x7fffffff ? v : null;
}

/** A 32-bit integer in the RDB string's integer encoding. */
export function encodeInteger(v: number): Buffer {
  if (v >= -128 && v <= 127) return Buffer.from([(RDB_ENCVAL << 6) | RDB_ENC_INT8, v & 0xff]);
  if (v >= -32768 && v <= 32767) {
    const b = Buffer.allocUnsafe(3);
    b[0] = (RDB_ENCVAL << 6) | RDB_ENC_INT16;
    b.writeInt16LE(v, 1);
    return b;
  }
  const b = Buffer.allocUnsafe(5);
  b[0] = (RDB_ENCVAL << 6) | RDB_ENC_INT32;
  b.writeInt32LE(v, 1);
  return b;
}

/** Strings up to this long are never compressed (Redis: "unable to compress even aaaa..."). */
const LZF_MIN_LENGTH = 21;
/** Compression must save at least this many bytes to be used. */
const LZF_MIN_SAVING = 4;

export interface WriteStringOptions {
  /** LZF-compress long strings, as Redis with `rdbcompression yes` (the default). Default true. */
  compress?: boolean;
}

/** The form Redis would write `s` in: an integer, LZF (the compressed bytes), or plain. */
export type StringForm = { kind: 'int'; value: number } | { kind: 'lzf'; packed: Buffer } | { kind: 'plain' };

export function stringForm(s: Uint8Array, opts: WriteStringOptions = {}): StringForm {
  const int = asEncodableInteger(s);
  if (int !== null) return { kind: 'int', value: int };
  if ((opts.compress ?? true) && s.length >= LZF_MIN_LENGTH) {
    const packed = lzfCompress(s, s.length - LZF_MIN_SAVING);
    if (packed !== null) return { kind: 'lzf', packed };
  }
  return { kind: 'plain' };
}

/** The byte that starts an LZF string. */
export const LZF_STRING_MARK = (RDB_ENCVAL << 6) | RDB_ENC_LZF;

/** `s` as an RDB string, in the form Redis would choose: integer, LZF or plain. */
export function writeString(s: Uint8Array, opts: WriteStringOptions = {}): Buffer {
  const f = stringForm(s, opts);
  if (f.kind === 'int') return encodeInteger(f.value);
  if (f.kind === 'lzf') return Buffer.concat([Buffer.from([LZF_STRING_MARK]), writeLength(f.packed.length), writeLength(s.length), f.packed]);
  const head = writeLength(s.length);
  const out = Buffer.allocUnsafe(head.length + s.length);
  out.set(head, 0);
  out.set(s, head.length);
  return out;
}

/**
 * Read an RDB string in any of its forms. A plain string is returned as a view into the
 * reader's buffer; integer and LZF forms as new buffers.
 */
export function readString(r: RdbReader): Buffer {
  const l = readLengthOrEncoding(r);
  if (!l.encoded) return r.readBytes(l.value);
  switch (l.value) {
    case RDB_ENC_INT8:
      return Buffer.from(String((r.readByte() << 24) >> 24), 'latin1');
    case RDB_ENC_INT16: {
      const v = r.readUInt16LE();
      return Buffer.from(String((v << 16) >> 16), 'latin1');
    }
    case RDB_ENC_INT32: {
      const b = r.readBytes(4);
      return Buffer.from(String(b.readInt32LE(0)), 'latin1');
    }
    case RDB_ENC_LZF: {
      const compressedLen = readLength(r);
      const len = readLength(r);
      const packed = r.readBytes(compressedLen);
      // liblzf reports failure as "0 bytes written", which Redis compares with the expected
      // length: an empty result is accepted whatever the compressed bytes are.
      if (len === 0) return Buffer.alloc(0);
      try {
        return lzfDecompress(packed, len);
      } catch (e) {
        if (e instanceof LzfError) throw new RdbFormatError('corrupt', `invalid LZF compressed string: ${e.message}`);
        throw e;
      }
    }
    default:
      throw new RdbFormatError('corrupt', `unknown RDB string encoding type ${l.value}`);
  }
}

/** A length as a 64-bit unsigned integer (stream ids and counters use the whole range). */
export function readLengthBig(r: RdbReader): bigint {
  const first = r.buf[r.pos];
  if (first === RDB_64BITLEN) {
    r.pos++;
    return r.readBigUInt64BE();
  }
  const l = readLengthOrEncoding(r);
  if (l.encoded) throw new RdbFormatError('corrupt', 'a string encoding where a length was expected');
  return BigInt(l.value);
}
