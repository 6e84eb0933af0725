// RESP2/RESP3 reply encoder into one growable buffer. A shard encodes a whole batch of replies
// into one writer; the main thread encodes its own replies the same way.

import { formatDouble, writeDecimal } from './number.js';
import { grow } from '../grow.js';


export type Proto = 2 | 3;

export class RespWriter {
  buf: Buffer;
  pos = 0;
  proto: Proto = 2;

  constructor(size = 16 * 1024) {
    this.buf = Buffer.allocUnsafe(size);
  }

  ensure(n: number): void {
    if (this.pos + n > this.buf.length) this.buf = grow(this.buf, this.pos, n);
  }

  reset(): void {
    this.pos = 0;
  }

  /** A copy of everything written since `from`. */
  take(from = 0): Buffer {
    return Buffer.from(this.buf.subarray(from, this.pos));
  }

  private crlf(): void {
    const buf = this.buf;
    buf[this.pos] = 13;
    buf[this.pos + 1] = 10;
    this.pos += 2;
  }

  /**
   * Simple strings and errors are latin1: text built from client bytes is decoded with latin1
   * (toString('latin1')), so every byte goes back out unchanged.
   */
  private line(prefix: string, s: string): void {
    const len = s.length;
    this.ensure(len + 3);
    this.buf[this.pos++] = prefix.charCodeAt(0);
    this.pos += this.buf.write(s, this.pos, 'latin1');
    this.crlf();
  }

  /**
   * `prefix` then the decimal integer `n` then CRLF: the header of a bulk, an array or an integer
   * reply, written digit by digit (no String(n) per reply). `n` is a safe integer.
   */
  private header(prefix: number, n: number): void {
    this.ensure(24);
    const buf = this.buf;
    let pos = this.pos;
    buf[pos++] = prefix;
    if (n < 0) {
      buf[pos++] = 45; // -
      n = -n;
    }
    pos = writeDecimal(buf, pos, n);
    buf[pos] = 13;
    buf[pos + 1] = 10;
    this.pos = pos + 2;
  }

  raw(b: Uint8Array): void {
    this.ensure(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }

  simple(s: string): void {
    this.line('+', s);
  }

  ok(): void {
    this.ensure(5);
    this.pos += this.buf.write('+OK\r\n', this.pos, 'latin1');
  }

  /** `s` is the full error text, e.g. "ERR syntax error" or "WRONGTYPE ...". */
  error(s: string): void {
    // error lines must not contain newlines (Redis replaces them with spaces)
    this.line('-', s.indexOf('\n') >= 0 || s.indexOf('\r') >= 0 ? s.replace(/[\r\n]/g, ' ') : s);
  }

  int(n: number | bigint): void {
    if (typeof n === 'number' && Number.isSafeInteger(n)) this.header(58 /* : */, n);
    else this.line(':', String(n));
  }

  bulk(b: Uint8Array | null): void {
    if (b === null) return this.nil();
    const len = b.length;
    this.header(36 /* $ */, len);
    this.ensure(len + 2);
    this.buf.set(b, this.pos);
    this.pos += len;
    this.crlf();
  }

  /** A bulk string of src[start, end) (no view of it made). */
  bulkSlice(src: Buffer, start: number, end: number): void {
    const len = end - start;
    this.header(36 /* $ */, len);
    this.ensure(len + 2);
    const buf = this.buf;
    if (len < 64) for (let i = 0; i < len; i++) buf[this.pos + i] = src[start + i];
    else src.copy(buf, this.pos, start, end);
    this.pos += len;
    this.crlf();
  }

  bulkStr(s: string): void {
    const len = Buffer.byteLength(s);
    this.ensure(len + 16);
    this.buf[this.pos++] = 36;
    this.pos += this.buf.write(String(len), this.pos, 'latin1');
    this.crlf();
    this.pos += this.buf.write(s, this.pos, 'utf8');
    this.crlf();
  }

  /** Null bulk (RESP2 $-1, RESP3 _). */
  nil(): void {
    if (this.proto === 3) this.raw(NULL3);
    else this.raw(NIL2);
  }

  /** Null array (RESP2 *-1, RESP3 _). */
  nilArray(): void {
    if (this.proto === 3) this.raw(NULL3);
    else this.raw(NILARR2);
  }

  array(n: number): void {
    this.header(42 /* * */, n);
  }

  /** Map of n pairs (RESP2: flat array of 2n). */
  map(n: number): void {
    if (this.proto === 3) this.line('%', String(n));
    else this.line('*', String(n * 2));
  }

  set(n: number): void {
    if (this.proto === 3) this.line('~', String(n));
    else this.line('*', String(n));
  }

  push(n: number): void {
    if (this.proto === 3) this.line('>', String(n));
    else this.line('*', String(n));
  }

  double(d: number): void {
    if (this.proto === 3) this.line(',', formatDouble(d, true));
    else this.bulkStr(formatDouble(d, false));
  }

  bool(b: boolean): void {
    if (this.proto === 3) this.raw(b ? TRUE3 : FALSE3);
    else this.raw(b ? ONE : ZERO);
  }

  /** Verbatim string (RESP3 `=`), a bulk string in RESP2. */
  verbatim(s: string, format = 'txt'): void {
    if (this.proto !== 3) return this.bulkStr(s);
    const body = format + ':' + s;
    const len = Buffer.byteLength(body);
    this.ensure(len + 16);
    this.buf[this.pos++] = 61; // =
    this.pos += this.buf.write(String(len), this.pos, 'latin1');
    this.crlf();
    this.pos += this.buf.write(body, this.pos, 'utf8');
    this.crlf();
  }
}

const NULL3 = Buffer.from('_\r\n');
const NIL2 = Buffer.from('$-1\r\n');
const NILARR2 = Buffer.from('*-1\r\n');
const TRUE3 = Buffer.from('#t\r\n');
const FALSE3 = Buffer.from('#f\r\n');
const ONE = Buffer.from(':1\r\n');
const ZERO = Buffer.from(':0\r\n');
