// Incremental RESP request parser (multibulk and inline), binary safe.
//
// Arguments are zero-copy slices of the socket chunks: Node hands every 'data' event a fresh
// Buffer, so a slice stays valid after the parser has moved on. Only a bulk that spans chunks
// is copied, and a big one (>= BIG_ARG) is copied straight into a buffer of its final size so a
// 512 MB value is never concatenated twice.

const CR = 13;
const LF = 10;
const MAX_HEADER = 64 * 1024; // Redis PROTO_INLINE_MAX_SIZE
const BIG_ARG = 32 * 1024;
const INT_MAX = 2147483647;

export interface ParserSink {
  onCommand(args: Buffer[]): void;
  /** Protocol error: the message is the full error text ("ERR Protocol error: ..."). */
  onProtocolError(msg: string): void;
}

export class RespParser {
  /** proto-max-bulk-len */
  maxBulkLen = 512 * 1024 * 1024;
  private buf: Buffer | null = null;
  private pos = 0;
  private multibulk = 0; // remaining arguments of the current multibulk command
  private args: Buffer[] = [];
  private bulkLen = -1; // length of the bulk whose header was read, -1 when expecting a header
  private big: Buffer | null = null;
  private bigFilled = 0;
  private skip = 0; // bytes of CRLF to skip after a big bulk
  private failed = false;

  constructor(private readonly sink: ParserSink) {}

  /** Bytes held while waiting for the rest of a command (query buffer size). */
  buffered(): number {
    return (this.buf ? this.buf.length - this.pos : 0) + this.bigFilled + this.argsBytes();
  }

  private argsBytes(): number {
    let n = 0;
    for (const a of this.args) n += a.length;
    return n;
  }

  /** True while a command is partially received. */
  inCommand(): boolean {
    return this.multibulk > 0 || this.big !== null || (this.buf !== null && this.pos < this.buf.length);
  }

  feed(chunk: Buffer): void {
    if (this.failed) return;
    if (this.big) {
      const n = Math.min(chunk.length, this.big.length - this.bigFilled);
      chunk.copy(this.big, this.bigFilled, 0, n);
      this.bigFilled += n;
      if (this.bigFilled < this.big.length) return;
      this.args.push(this.big);
      this.big = null;
      this.bigFilled = 0;
      this.bulkLen = -1;
      this.multibulk--;
      this.skip = 2;
      chunk = chunk.subarray(n);
      if (this.multibulk === 0) {
        // emit after skipping CRLF below (it may not have arrived yet; Redis does not check it)
        const args = this.args;
        this.args = [];
        this.sink.onCommand(args);
        if (this.failed) return;
      }
    }
    if (this.skip > 0) {
      const n = Math.min(this.skip, chunk.length);
      this.skip -= n;
      chunk = chunk.subarray(n);
    }
    if (chunk.length === 0) return;
    if (this.buf === null || this.pos >= this.buf.length) {
      this.buf = chunk;
      this.pos = 0;
    } else {
      this.buf = Buffer.concat([this.buf.subarray(this.pos), chunk]);
      this.pos = 0;
    }
    this.parse();
  }

  private fail(msg: string): void {
    this.failed = true;
    this.buf = null;
    this.args = [];
    this.big = null;
    this.sink.onProtocolError('ERR Protocol error: ' + msg);
  }

  private parse(): void {
    const buf = this.buf!;
    const end = buf.length;
    let pos = this.pos;
    for (;;) {
      if (pos >= end) break;
      if (this.multibulk === 0) {
        if (buf[pos] === 42 /* '*' */) {
          const cr = buf.indexOf(CR, pos);
          if (cr < 0 || cr + 1 >= end) {
            if (end - pos > MAX_HEADER) return this.fail('too big mbulk count string');
            break;
          }
          if (cr - pos > MAX_HEADER) return this.fail('too big mbulk count string');
          const n = parseIntStrict(buf, pos + 1, cr);
          if (n === null || n > INT_MAX) return this.fail('invalid multibulk length');
          pos = cr + 2;
          if (n <= 0) continue;
          this.multibulk = n;
        } else {
          const lf = buf.indexOf(LF, pos);
          if (lf < 0) {
            if (end - pos > MAX_HEADER) return this.fail('too big inline request');
            break;
          }
          let lineEnd = lf;
          if (lineEnd > pos && buf[lineEnd - 1] === CR) lineEnd--;
          const args = splitInline(buf, pos, lineEnd);
          pos = lf + 1;
          if (args === null) return this.fail('unbalanced quotes in request');
          if (args.length > 0) {
            this.pos = pos;
            this.sink.onCommand(args);
            if (this.failed) return;
          }
          continue;
        }
      }
      // multibulk arguments
      while (this.multibulk > 0) {
        if (this.bulkLen < 0) {
          if (pos >= end) break;
          const cr = buf.indexOf(CR, pos);
          if (cr < 0 || cr + 1 >= end) {
            if (end - pos > MAX_HEADER) return this.fail('too big bulk count string');
            break;
          }
          if (buf[pos] !== 36 /* '$' */) {
            return this.fail(`expected '$', got '${String.fromCharCode(buf[pos])}'`);
          }
          const n = parseIntStrict(buf, pos + 1, cr);
          if (n === null || n < 0 || n > this.maxBulkLen) return this.fail('invalid bulk length');
          pos = cr + 2;
          this.bulkLen = n;
        }
        const avail = end - pos;
        if (avail < this.bulkLen + 2) {
          if (this.bulkLen >= BIG_ARG && avail < this.bulkLen) {
            // Switch to direct fill: copy what we have into a buffer of the final size.
            const big = Buffer.allocUnsafe(this.bulkLen);
            buf.copy(big, 0, pos, end);
            this.big = big;
            this.bigFilled = avail;
            this.buf = null;
            this.pos = 0;
            return;
          }
          this.pos = pos;
          return;
        }
        this.args.push(buf.subarray(pos, pos + this.bulkLen));
        pos += this.bulkLen + 2;
        this.bulkLen = -1;
        this.multibulk--;
      }
      if (this.multibulk > 0) break;
      const args = this.args;
      this.args = [];
      this.pos = pos;
      this.sink.onCommand(args);
      if (this.failed) return;
    }
    this.pos = pos;
    if (pos >= end) {
      this.buf = null;
      this.pos = 0;
    }
  }
}

/** Parses a signed decimal integer in buf[start, end); null when not a valid integer. */
function parseIntStrict(buf: Buffer, start: number, end: number): number | null {
  if (start >= end || end - start > 20) return null;
  let i = start;
  let neg = false;
  if (buf[i] === 45 /* - */) {
    neg = true;
    i++;
    if (i >= end) return null;
  }
  let n = 0;
  for (; i < end; i++) {
    const c = buf[i] - 48;
    if (c < 0 || c > 9) return null;
    n = n * 10 + c;
  }
  return neg ? -n : n;
}

function isSpace(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13 || c === 11 || c === 12;
}

function hexVal(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

/**
 * Splits an inline command line into arguments with Redis's quoting rules: "double quotes" with
 * \n \r \t \b \a \\ \" \xHH escapes, 'single quotes' with \' only; a closing quote must be followed by
 * a space or the end. Returns null on unbalanced quotes.
 */
export function splitInline(buf: Buffer, start: number, end: number): Buffer[] | null {
  const out: Buffer[] = [];
  let i = start;
  for (;;) {
    while (i < end && isSpace(buf[i])) i++;
    if (i >= end) return out;
    const bytes: number[] = [];
    let inDq = false;
    let inSq = false;
    let done = false;
    const argStart = i;
    let plain = true;
    while (!done) {
      if (inDq) {
        if (i >= end) return null;
        const c = buf[i];
        if (c === 92 /* \ */ && i + 3 < end && buf[i + 1] === 120 /* x */ && hexVal(buf[i + 2]) >= 0 && hexVal(buf[i + 3]) >= 0) {
          bytes.push(hexVal(buf[i + 2]) * 16 + hexVal(buf[i + 3]));
          i += 3;
        } else if (c === 92 && i + 1 < end) {
          i++;
          const e = buf[i];
          bytes.push(e === 110 ? 10 : e === 114 ? 13 : e === 116 ? 9 : e === 98 ? 8 : e === 97 ? 7 : e);
        } else if (c === 34 /* " */) {
          if (i + 1 < end && !isSpace(buf[i + 1])) return null;
          done = true;
        } else {
          bytes.push(c);
        }
      } else if (inSq) {
        if (i >= end) return null;
        const c = buf[i];
        if (c === 92 && i + 1 < end && buf[i + 1] === 39 /* ' */) {
          i++;
          bytes.push(39);
        } else if (c === 39) {
          if (i + 1 < end && !isSpace(buf[i + 1])) return null;
          done = true;
        } else {
          bytes.push(c);
        }
      } else {
        if (i >= end) {
          done = true;
          break;
        }
        const c = buf[i];
        if (isSpace(c)) {
          done = true;
        } else if (c === 34) {
          inDq = true;
          plain = false;
        } else if (c === 39) {
          inSq = true;
          plain = false;
        } else {
          bytes.push(c);
        }
      }
      if (i < end) i++;
    }
    if (plain) {
      let e = argStart;
      while (e < end && !isSpace(buf[e])) e++;
      out.push(buf.subarray(argStart, e));
    } else {
      out.push(Buffer.from(bytes));
    }
  }
}
