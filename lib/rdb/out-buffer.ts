// A growing output buffer for RDB bytes: the file writer appends lengths, strings and object
// bodies in place, so a key costs no intermediate Buffers and no concatenation (allocations per
// key were a quarter of a snapshot's CPU). The bytes are the same as writeLength / writeString's.

import { LZF_STRING_MARK, RDB_14BITLEN, RDB_32BITLEN, RDB_ENCVAL, RDB_ENC_INT16, RDB_ENC_INT32, RDB_ENC_INT8, stringForm, writeLength, type WriteStringOptions } from './string.js';

export class RdbOutBuffer {
  buf: Buffer;
  pos = 0;

  constructor(private readonly initial: number) {
    this.buf = Buffer.allocUnsafeSlow(initial);
  }

  private room(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const next = Buffer.allocUnsafeSlow(Math.max(this.buf.length * 2, this.pos + n));
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  byte(b: number): void {
    this.room(1);
    this.buf[this.pos++] = b;
  }

  bytes(b: Uint8Array): void {
    this.room(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }

  int64LE(v: bigint): void {
    this.room(8);
    this.buf.writeBigInt64LE(v, this.pos);
    this.pos += 8;
  }

  /** The shortest RDB form of `len` (writeLength's bytes). */
  length(len: number | bigint): void {
    if (typeof len !== 'number' || !(len >= 0 && len <= 0xffffffff && Number.isInteger(len))) return this.bytes(writeLength(len));
    this.room(5);
    const b = this.buf;
    if (len < 64) b[this.pos++] = len;
    else if (len < 16384) {
      b[this.pos++] = (RDB_14BITLEN << 6) | (len >>> 8);
      b[this.pos++] = len & 0xff;
    } else {
      b[this.pos++] = RDB_32BITLEN;
      b.writeUInt32BE(len, this.pos);
      this.pos += 4;
    }
  }

  /** `s` as an RDB string in the form Redis would choose (writeString's bytes). */
  string(s: Uint8Array, opts: WriteStringOptions): void {
    const f = stringForm(s, opts);
    if (f.kind === 'int') {
      const v = f.value;
      this.room(5);
      const b = this.buf;
      if (v >= -128 && v <= 127) {
        b[this.pos++] = (RDB_ENCVAL << 6) | RDB_ENC_INT8;
        b[this.pos++] = v & 0xff;
      } else if (v >= -32768 && v <= 32767) {
        b[this.pos++] = (RDB_ENCVAL << 6) | RDB_ENC_INT16;
        b.writeInt16LE(v, this.pos);
        this.pos += 2;
      } else {
        b[this.pos++] = (RDB_ENCVAL << 6) | RDB_ENC_INT32;
        b.writeInt32LE(v, this.pos);
        this.pos += 4;
      }
      return;
    }
    if (f.kind === 'lzf') {
      this.byte(LZF_STRING_MARK);
      this.length(f.packed.length);
      this.length(s.length);
      this.bytes(f.packed);
      return;
    }
    this.length(s.length);
    this.bytes(s);
  }

  /** The bytes so far as a Buffer of their own (transferable), and the buffer emptied. */
  take(): Buffer {
    const out = Buffer.allocUnsafeSlow(this.pos);
    this.buf.copy(out, 0, 0, this.pos);
    this.pos = 0;
    // a huge value grew the buffer: don't keep it
    if (this.buf.length > 4 * this.initial) this.buf = Buffer.allocUnsafeSlow(this.initial);
    return out;
  }
}
