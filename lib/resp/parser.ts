// Incremental RESP request parser (multibulk and inline), binary safe, following redis-server 7.0
// byte for byte: the same commands, the same protocol errors, and the same inputs that make it
// wait for more data.
//
// Arguments are zero-copy slices of the socket chunks: Node hands every 'data' event a fresh
// Buffer, so a slice stays valid after the parser has moved on. Only a bulk that spans chunks is
// copied; a big one (>= BIG_ARG) is copied straight into a buffer that grows towards its final
// size as data arrives (a declared `$536870912` alone allocates nothing big), so a 512 MB value is
// never concatenated over and over.
//
// Redis details reproduced here (networking.c, processInlineBuffer / processMultibulkBuffer):
// - Headers are found with strchr() on a NUL-terminated buffer: a NUL byte before the '\r' of a
//   `*`/`$` header, or before the '\n' of an inline line, means "not found": wait for more data,
//   and fail with "too big ... string/request" once more than 64 KB is pending.
// - A header needs its '\r' and one byte after it; the byte after '\r' is not checked, nor are the
//   two bytes after a bulk (but they must have arrived before the argument is taken).
// - Numbers follow string2ll(): no sign '+', no leading zeros, no "-0", within the 64-bit range.
// - `*N` with N <= 0 is an empty request; N > INT_MAX is an error. `$N` must be 0..proto-max-bulk-len.
// - Inline lines split like sdssplitargs(): "..." with \xHH \n \r \t \b \a escapes, '...' with \',
//   a closing quote must be followed by a space or the end.
//
// Query buffer: `buffered()` is what the command being received holds (raw input not parsed yet,
// the part of a big bulk received so far, and the bulk arguments already parsed, plus an overhead
// per argument past the first 65536), so one endless command cannot take unbounded memory.
// redis-server counts only its raw buffer; the difference only shows for single commands whose
// arguments add up to more than client-query-buffer-limit.

const CR = 13;
const LF = 10;
/** Redis PROTO_INLINE_MAX_SIZE: longest header / inline line without its terminator. */
const MAX_HEADER = 64 * 1024;
/** Bulks at least this long that span chunks are filled in place instead of concatenated. */
const BIG_ARG = 32 * 1024;
/** First allocation for a big bulk; it doubles (up to the declared size) as data arrives. */
const BIG_INITIAL = 4 << 20;
const INT_MAX = 2147483647;
/**
 * Memory charged per parsed argument of an incomplete command beyond the first FREE_ARGS (a
 * Buffer slice costs ~100 bytes of heap): commands of ordinary size are judged by their bytes
 * alone, as Redis does, while an endless `*2147483647` of empty bulks still hits the limit long
 * before the heap does (1 GB / 128 = 8M arguments).
 */
const ARG_OVERHEAD = 128;
const FREE_ARGS = 65536;

export interface ParserLimits {
  /** proto-max-bulk-len */
  maxBulkLen: number;
  /** client-query-buffer-limit */
  maxQueryBuf: number;
}

export function defaultLimits(): ParserLimits {
  return { maxBulkLen: 512 * 1024 * 1024, maxQueryBuf: 1024 * 1024 * 1024 };
}

export interface ParserSink {
  onCommand(args: Buffer[]): void;
  /**
   * Protocol error: the message is the full error text ("ERR Protocol error: ..."), a latin1
   * string (one char per byte) without CR/LF. The parser has stopped.
   */
  onProtocolError(msg: string): void;
  /**
   * The command being received would hold more than `limits.maxQueryBuf` bytes (`size`): the
   * client must be dropped without a reply, as redis-server does. The parser has stopped.
   */
  onQueryLimit?(size: number): void;
}

const RUN = 0;
const PAUSED = 1;
const STOPPED = 2;

export class RespParser {
  /** Unparsed input, from `pos`. */
  private buf: Buffer | null = null;
  private pos = 0;
  /** Remaining arguments of the current multibulk command. */
  private multibulk = 0;
  private args: Buffer[] = [];
  private argBytes = 0;
  /** Length of the bulk whose header was read, -1 when expecting a header. */
  private bulkLen = -1;
  /** Direct fill of a big bulk: `bigLen` = bulk + CRLF bytes expected, `bigFilled` received. */
  private big: Buffer | null = null;
  private bigLen = 0;
  private bigFilled = 0;
  private state = RUN;

  constructor(
    private readonly sink: ParserSink,
    readonly limits: ParserLimits = defaultLimits(),
  ) {}

  /** Bytes held for the command being received (see the query buffer note above). */
  buffered(): number {
    const n = this.args.length;
    return (this.buf !== null ? this.buf.length - this.pos : 0) + this.bigFilled + this.argBytes + (n > FREE_ARGS ? (n - FREE_ARGS) * ARG_OVERHEAD : 0);
  }

  /** True while a command is partially received (or input waits while paused). */
  inCommand(): boolean {
    return this.multibulk > 0 || this.big !== null || (this.buf !== null && this.pos < this.buf.length);
  }

  /** No more commands will be taken (QUIT, a protocol error, a closing connection). */
  stop(): void {
    this.state = STOPPED;
    this.buf = null;
    this.pos = 0;
    this.args = [];
    this.argBytes = 0;
    this.big = null;
    this.bigFilled = 0;
    this.multibulk = 0;
  }

  get stopped(): boolean {
    return this.state === STOPPED;
  }

  get paused(): boolean {
    return this.state === PAUSED;
  }

  /**
   * Stop emitting commands after the current one (backpressure). Input fed meanwhile is kept
   * and parsed by `resume()`.
   */
  pause(): void {
    if (this.state === RUN) this.state = PAUSED;
  }

  resume(): void {
    if (this.state !== PAUSED) return;
    this.state = RUN;
    if (this.buf !== null && this.pos < this.buf.length) this.parse();
  }

  feed(chunk: Buffer): void {
    if (this.state === STOPPED || chunk.length === 0) return;
    const size = this.buffered() + chunk.length;
    if (size > this.limits.maxQueryBuf) {
      this.stop();
      this.sink.onQueryLimit?.(size);
      return;
    }
    if (this.big !== null) {
      const n = Math.min(chunk.length, this.bigLen - this.bigFilled);
      this.fillBig(chunk, 0, n);
      if (this.bigFilled < this.bigLen) return;
      const arg = this.big.subarray(0, this.bigLen - 2);
      this.big = null;
      this.bigFilled = 0;
      this.bulkLen = -1;
      this.args.push(arg);
      this.argBytes += arg.length;
      chunk = chunk.subarray(n);
      if (--this.multibulk === 0) {
        this.emit();
        if (this.state === STOPPED) return;
      }
    }
    if (chunk.length === 0) return;
    if (this.buf === null || this.pos >= this.buf.length) {
      this.buf = chunk;
      this.pos = 0;
    } else {
      this.buf = Buffer.concat([this.buf.subarray(this.pos), chunk]);
      this.pos = 0;
    }
    if (this.state === RUN) this.parse();
  }

  private emit(): void {
    const args = this.args;
    this.args = [];
    this.argBytes = 0;
    this.sink.onCommand(args);
  }

  private fillBig(src: Buffer, start: number, n: number): void {
    let big = this.big!;
    const need = this.bigFilled + n;
    if (need > big.length) {
      const size = Math.min(this.bigLen, Math.max(big.length * 2, need));
      const nb = Buffer.allocUnsafe(size);
      big.copy(nb, 0, 0, this.bigFilled);
      this.big = big = nb;
    }
    src.copy(big, this.bigFilled, start, start + n);
    this.bigFilled = need;
  }

  private fail(msg: string): void {
    this.stop();
    this.sink.onProtocolError('ERR Protocol error: ' + msg);
  }

  /**
   * A header line [pos, cr) that Redis's strchr() would not see the end of (no CR, or a NUL
   * before it): fails when too much is pending, else waits. Returns true when it failed.
   */
  private tooBig(end: number, pos: number, what: string): boolean {
    if (end - pos > MAX_HEADER) {
      this.fail(what);
      return true;
    }
    return false;
  }

  private parse(): void {
    const buf = this.buf!;
    const end = buf.length;
    let pos = this.pos;
    while (pos < end) {
      if (this.multibulk === 0) {
        if (buf[pos] === 42 /* '*' */) {
          const cr = buf.indexOf(CR, pos);
          if (cr < 0 || cr + 1 >= end) {
            if ((cr < 0 || hasNul(buf, pos, cr)) && this.tooBig(end, pos, 'too big mbulk count string')) return;
            break;
          }
          const n = parseLL(buf, pos + 1, cr);
          if (n === null || n > INT_MAX) {
            if (n === null && hasNul(buf, pos, cr)) {
              if (this.tooBig(end, pos, 'too big mbulk count string')) return;
              break;
            }
            return this.fail('invalid multibulk length');
          }
          pos = cr + 2;
          if (n <= 0) continue;
          this.multibulk = n;
        } else {
          const lf = buf.indexOf(LF, pos);
          if (lf < 0 || hasNul(buf, pos, lf)) {
            if (this.tooBig(end, pos, 'too big inline request')) return;
            break;
          }
          const lineEnd = lf > pos && buf[lf - 1] === CR ? lf - 1 : lf;
          const args = splitInline(buf, pos, lineEnd);
          pos = lf + 1;
          if (args === null) return this.fail('unbalanced quotes in request');
          if (args.length > 0) {
            this.pos = pos;
            this.sink.onCommand(args);
            if (this.state !== RUN) return this.halted(pos);
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
            if ((cr < 0 || hasNul(buf, pos, cr)) && this.tooBig(end, pos, 'too big bulk count string')) return;
            break;
          }
          if (buf[pos] !== 36 /* '$' */) {
            if (hasNul(buf, pos, cr)) {
              if (this.tooBig(end, pos, 'too big bulk count string')) return;
              break;
            }
            const c = buf[pos];
            // Redis maps CR/LF in error texts to spaces
            return this.fail(`expected '$', got '${c === CR || c === LF ? ' ' : String.fromCharCode(c)}'`);
          }
          const n = parseLL(buf, pos + 1, cr);
          if (n === null || n < 0 || n > this.limits.maxBulkLen) {
            if (n === null && hasNul(buf, pos, cr)) {
              if (this.tooBig(end, pos, 'too big bulk count string')) return;
              break;
            }
            return this.fail('invalid bulk length');
          }
          pos = cr + 2;
          this.bulkLen = n;
        }
        const need = this.bulkLen + 2; // the bulk and the two bytes after it
        const avail = end - pos;
        if (avail < need) {
          if (this.bulkLen >= BIG_ARG) {
            this.bigLen = need;
            this.big = Buffer.allocUnsafe(Math.min(need, Math.max(BIG_INITIAL, avail)));
            this.bigFilled = 0;
            this.fillBig(buf, pos, avail);
            this.buf = null;
            this.pos = 0;
            return;
          }
          this.pos = pos;
          return;
        }
        this.args.push(buf.subarray(pos, pos + this.bulkLen));
        this.argBytes += this.bulkLen;
        pos += need;
        this.bulkLen = -1;
        this.multibulk--;
      }
      if (this.multibulk > 0) break;
      this.pos = pos;
      this.emit();
      if (this.state !== RUN) return this.halted(pos);
    }
    this.pos = pos;
    if (pos >= end) {
      this.buf = null;
      this.pos = 0;
    }
  }

  /** The sink paused or stopped the parser right after a command ending at `pos`. */
  private halted(pos: number): void {
    if (this.state === STOPPED) return;
    // paused: keep the rest for resume()
    if (this.buf !== null && pos >= this.buf.length) {
      this.buf = null;
      this.pos = 0;
    } else this.pos = pos;
  }
}

/** True when buf[start, end) holds a NUL byte (where Redis's strchr() stops). */
function hasNul(buf: Buffer, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (buf[i] === 0) return true;
  return false;
}

const LLONG_MAX_DIGITS = Buffer.from('9223372036854775807');
const LLONG_MIN_DIGITS = Buffer.from('9223372036854775808');

/**
 * Redis's string2ll() over buf[start, end): a decimal 64-bit integer with an optional '-', no
 * '+', no leading zeros, no "-0", at most 20 characters. Null when invalid. The value is exact
 * up to 2^53 (enough for every limit it is compared with).
 */
export function parseLL(buf: Uint8Array, start: number, end: number): number | null {
  const len = end - start;
  if (len <= 0 || len >= 21) return null;
  let i = start;
  if (len === 1 && buf[i] === 48) return 0;
  let neg = false;
  if (buf[i] === 45 /* - */) {
    neg = true;
    if (++i === end) return null;
  }
  const first = buf[i] - 48;
  if (first < 1 || first > 9) return null;
  const digitsAt = i;
  let n = first;
  for (i++; i < end; i++) {
    const c = buf[i] - 48;
    if (c < 0 || c > 9) return null;
    n = n * 10 + c;
  }
  const digits = end - digitsAt;
  if (digits > 19) return null;
  if (digits === 19) {
    const lim = neg ? LLONG_MIN_DIGITS : LLONG_MAX_DIGITS;
    for (let k = 0; k < 19; k++) {
      const d = buf[digitsAt + k] - lim[k];
      if (d < 0) break;
      if (d > 0) return null;
    }
  }
  return neg ? -n : n;
}

/** isspace() in the C locale. */
function isSpace(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13);
}

function hexVal(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

/**
 * Splits an inline command line buf[start, end) into arguments with Redis's sdssplitargs() rules:
 * blanks (isspace) separate arguments; an unquoted argument ends at space, \t, \r or \n;
 * "double quotes" take \xHH, \n, \r, \t, \b, \a escapes (any other \c is c); 'single quotes'
 * take only \'; a closing quote must be followed by a blank or the end of the line. Quotes may
 * start in the middle of an argument (ab"c d" is one argument). Returns null on unbalanced
 * quotes. The line must not contain NUL (the parser waits on such lines, as Redis does).
 */
export function splitInline(buf: Buffer, start: number, end: number): Buffer[] | null {
  const out: Buffer[] = [];
  let i = start;
  for (;;) {
    while (i < end && isSpace(buf[i])) i++;
    if (i >= end) return out;
    // Plain argument: a zero-copy slice.
    let j = i;
    for (; j < end; j++) {
      const c = buf[j];
      if (c === 32 || c === 10 || c === 13 || c === 9 || c === 34 || c === 39) break;
    }
    if (j >= end || (buf[j] !== 34 && buf[j] !== 39)) {
      out.push(buf.subarray(i, j));
      i = j;
      continue;
    }
    // An argument with quotes: decode byte by byte (at(k) is 0 past the end, as in C).
    const bytes: number[] = [];
    for (let k = i; k < j; k++) bytes.push(buf[k]);
    const at = (k: number): number => (k < end ? buf[k] : 0);
    let p = j;
    let inDq = false;
    let inSq = false;
    let done = false;
    while (!done) {
      const c = at(p);
      if (inDq) {
        if (c === 92 && at(p + 1) === 120 /* x */ && hexVal(at(p + 2)) >= 0 && hexVal(at(p + 3)) >= 0) {
          bytes.push(hexVal(at(p + 2)) * 16 + hexVal(at(p + 3)));
          p += 3;
        } else if (c === 92 && at(p + 1) !== 0) {
          p++;
          const e = buf[p];
          bytes.push(e === 110 ? 10 : e === 114 ? 13 : e === 116 ? 9 : e === 98 ? 8 : e === 97 ? 7 : e);
        } else if (c === 34) {
          if (at(p + 1) !== 0 && !isSpace(at(p + 1))) return null;
          done = true;
        } else if (c === 0) {
          return null;
        } else {
          bytes.push(c);
        }
      } else if (inSq) {
        if (c === 92 && at(p + 1) === 39) {
          p++;
          bytes.push(39);
        } else if (c === 39) {
          if (at(p + 1) !== 0 && !isSpace(at(p + 1))) return null;
          done = true;
        } else if (c === 0) {
          return null;
        } else {
          bytes.push(c);
        }
      } else if (c === 32 || c === 10 || c === 13 || c === 9 || c === 0) {
        done = true;
      } else if (c === 34) {
        inDq = true;
      } else if (c === 39) {
        inSq = true;
      } else {
        bytes.push(c);
      }
      if (p < end) p++;
    }
    out.push(Buffer.from(bytes));
    i = p;
  }
}
