/**
 * RESP for the tests' own client: `RespDecoder`, an incremental streaming decoder (RESP2 + RESP3,
 * including attributes and streamed strings/aggregates; feed it arbitrary chunks), `decodeAll`,
 * and `encodeCommand`.
 */

export type Reply =
  | { t: 'simple'; v: string }
  /** `blob` is set only for RESP3 blob errors (`!`); simple errors (`-`) omit it. */
  | { t: 'error'; v: string; blob?: true }
  | { t: 'int'; v: bigint }
  | { t: 'bulk'; v: Buffer | null }
  | { t: 'array'; v: Reply[] | null }
  | { t: 'map'; v: [Reply, Reply][] }
  | { t: 'set'; v: Reply[] }
  /** The double exactly as sent on the wire (e.g. `1.5`, `inf`, `-inf`, `nan`). */
  | { t: 'double'; v: string }
  | { t: 'bool'; v: boolean }
  | { t: 'null' }
  | { t: 'bignum'; v: string }
  /** `format` is the 3-char encoding (`txt`, `mkd`), `v` the text after `xxx:`. */
  | { t: 'verbatim'; v: string; format: string }
  | { t: 'push'; v: Reply[] }
  /** An RESP3 attribute map (`|`) and the reply it annotates. */
  | { t: 'attr'; v: [Reply, Reply][]; reply: Reply };

export class RespProtocolError extends Error {
  override name = 'RespProtocolError';
  /** Replies that were decoded (from the same `push`) before the bad data. */
  replies: Reply[] = [];
}

// ---------------------------------------------------------------------------
// Decoder
// ---------------------------------------------------------------------------

const CR = 13;
const LF = 10;

type Frame =
  | { kind: 'array' | 'set' | 'push'; remaining: number; items: Reply[] } // remaining -1 => streamed
  | { kind: 'map' | 'attrmap'; remaining: number; items: Reply[] } // counts elements (2 per pair)
  | { kind: 'attr'; pairs: [Reply, Reply][] } // waiting for the annotated reply
  | { kind: 'streamstr'; parts: Buffer[] };

function toPairs(items: Reply[]): [Reply, Reply][] {
  const out: [Reply, Reply][] = [];
  for (let i = 0; i < items.length; i += 2) out.push([items[i]!, items[i + 1]!]);
  return out;
}

const INT_RE = /^[+-]?\d+$/;

/**
 * Incremental RESP decoder. `push(chunk)` returns every reply completed by that
 * chunk (possibly none). Partial data is kept; large bulk payloads are only
 * concatenated once they are complete, so big values split across many chunks
 * cost O(n). Aggregates are decoded with an explicit stack, so deeply nested
 * replies don't recurse.
 */
export class RespDecoder {
  private chunks: Buffer[] = [];
  private buffered = 0;
  /** Don't try to parse again until at least this many bytes are buffered. */
  private need = 1;
  private stack: Frame[] = [];
  private failed: RespProtocolError | null = null;

  /** Bytes received but not yet consumed. */
  get pendingBytes(): number {
    return this.buffered;
  }

  /** True when no partially decoded reply is in progress. */
  get idle(): boolean {
    return this.buffered === 0 && this.stack.length === 0;
  }

  reset(): void {
    this.chunks = [];
    this.buffered = 0;
    this.need = 1;
    this.stack = [];
    this.failed = null;
  }

  push(chunk: Buffer | string): Reply[] {
    if (this.failed) throw new RespProtocolError(`decoder failed earlier: ${this.failed.message} (call reset())`);
    const b = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    if (b.length === 0) return [];
    this.chunks.push(b);
    this.buffered += b.length;
    if (this.buffered < this.need) return [];
    const buf = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks, this.buffered);
    const out: Reply[] = [];
    let pos = 0;
    try {
      for (;;) {
        const r = this.step(buf, pos, out);
        if (r < 0) {
          // incomplete: -r is the absolute number of bytes needed from `buf` start
          this.need = -r - pos;
          break;
        }
        pos = r;
        if (pos >= buf.length) {
          this.need = 1;
          break;
        }
      }
    } catch (e) {
      const err = e instanceof RespProtocolError ? e : new RespProtocolError(String(e instanceof Error ? e.message : e));
      err.replies = out;
      this.failed = err;
      throw err;
    }
    const rest = pos === 0 ? buf : buf.subarray(pos);
    this.chunks = rest.length ? [rest] : [];
    this.buffered = rest.length;
    return out;
  }

  /**
   * Decode one token at `pos`. Returns the new position, or a negative number
   * `-n` meaning "need `n` bytes (counted from the start of buf) first".
   */
  private step(buf: Buffer, pos: number, out: Reply[]): number {
    const eol = buf.indexOf('\r\n', pos, 'latin1');
    if (eol < 0) return -(buf.length + 1);
    const type = buf[pos]!;
    const line = buf.toString('utf8', pos + 1, eol);
    const next = eol + 2;
    const top = this.stack[this.stack.length - 1];

    // Streamed string chunks / aggregate terminator only make sense inside a stream.
    if (top && top.kind === 'streamstr') {
      if (type !== 0x3b /* ; */) throw new RespProtocolError(`expected ';' chunk in streamed string, got ${JSON.stringify(String.fromCharCode(type))}`);
      const len = parseLen(line, ';');
      if (len === 0) {
        this.stack.pop();
        this.emit({ t: 'bulk', v: Buffer.concat(top.parts) }, out);
        return next;
      }
      if (buf.length < next + len + 2) return -(next + len + 2);
      checkCrlf(buf, next + len);
      top.parts.push(Buffer.from(buf.subarray(next, next + len)));
      return next + len + 2;
    }

    switch (type) {
      case 0x2b /* + */:
        this.emit({ t: 'simple', v: line }, out);
        return next;
      case 0x2d /* - */:
        this.emit({ t: 'error', v: line }, out);
        return next;
      case 0x3a /* : */:
        if (!INT_RE.test(line)) throw new RespProtocolError(`bad integer ${JSON.stringify(line)}`);
        this.emit({ t: 'int', v: BigInt(line) }, out);
        return next;
      case 0x2c /* , */:
        this.emit({ t: 'double', v: line }, out);
        return next;
      case 0x28 /* ( */:
        if (!INT_RE.test(line)) throw new RespProtocolError(`bad big number ${JSON.stringify(line)}`);
        this.emit({ t: 'bignum', v: line }, out);
        return next;
      case 0x23 /* # */:
        if (line !== 't' && line !== 'f') throw new RespProtocolError(`bad boolean ${JSON.stringify(line)}`);
        this.emit({ t: 'bool', v: line === 't' }, out);
        return next;
      case 0x5f /* _ */:
        if (line !== '') throw new RespProtocolError(`bad null ${JSON.stringify(line)}`);
        this.emit({ t: 'null' }, out);
        return next;
      case 0x2e /* . */: {
        // end of a streamed aggregate
        if (!top || !('remaining' in top) || top.remaining !== -1) throw new RespProtocolError("unexpected '.' outside a streamed aggregate");
        this.stack.pop();
        this.finishAggregate(top, out);
        return next;
      }
      case 0x24 /* $ */:
      case 0x21 /* ! */:
      case 0x3d /* = */: {
        if (type === 0x24 && line === '?') {
          this.stack.push({ kind: 'streamstr', parts: [] });
          return next;
        }
        if (type === 0x24 && line === '-1') {
          this.emit({ t: 'bulk', v: null }, out);
          return next;
        }
        const len = parseLen(line, String.fromCharCode(type));
        if (buf.length < next + len + 2) return -(next + len + 2);
        checkCrlf(buf, next + len);
        if (type === 0x24) {
          // copy so the reply does not pin the (possibly large) receive buffer
          this.emit({ t: 'bulk', v: Buffer.from(buf.subarray(next, next + len)) }, out);
        } else if (type === 0x21) {
          this.emit({ t: 'error', v: buf.toString('utf8', next, next + len), blob: true }, out);
        } else {
          if (len < 4 || buf[next + 3] !== 0x3a) throw new RespProtocolError('bad verbatim string (missing "xxx:" prefix)');
          this.emit({ t: 'verbatim', format: buf.toString('utf8', next, next + 3), v: buf.toString('utf8', next + 4, next + len) }, out);
        }
        return next + len + 2;
      }
      case 0x2a /* * */:
      case 0x7e /* ~ */:
      case 0x3e /* > */:
      case 0x25 /* % */:
      case 0x7c /* | */: {
        const kind = type === 0x2a ? 'array' : type === 0x7e ? 'set' : type === 0x3e ? 'push' : type === 0x25 ? 'map' : 'attrmap';
        if (line === '-1') {
          // RESP2 null array; tolerate the same for other aggregates as a RESP3 null
          this.emit(kind === 'array' ? { t: 'array', v: null } : { t: 'null' }, out);
          return next;
        }
        let n: number;
        if (line === '?') n = -1;
        else {
          n = parseLen(line, String.fromCharCode(type));
          if (kind === 'map' || kind === 'attrmap') n *= 2;
        }
        const frame = { kind, remaining: n, items: [] as Reply[] } as Frame & { remaining: number; items: Reply[] };
        if (n === 0) this.finishAggregate(frame, out);
        else this.stack.push(frame);
        return next;
      }
      default:
        throw new RespProtocolError(
          `unknown RESP type byte 0x${type.toString(16).padStart(2, '0')} (${JSON.stringify(String.fromCharCode(type))}) in line ${JSON.stringify(buf.toString('latin1', pos, Math.min(eol, pos + 60)))}`,
        );
    }
  }

  private finishAggregate(frame: Frame & { remaining: number; items: Reply[] }, out: Reply[]): void {
    switch (frame.kind) {
      case 'array':
        return this.emit({ t: 'array', v: frame.items }, out);
      case 'set':
        return this.emit({ t: 'set', v: frame.items }, out);
      case 'push':
        return this.emit({ t: 'push', v: frame.items }, out);
      case 'map':
        if (frame.items.length % 2) throw new RespProtocolError('streamed map ended with an odd number of elements');
        return this.emit({ t: 'map', v: toPairs(frame.items) }, out);
      case 'attrmap':
        if (frame.items.length % 2) throw new RespProtocolError('streamed attribute ended with an odd number of elements');
        // the attribute annotates the next value
        this.stack.push({ kind: 'attr', pairs: toPairs(frame.items) });
        return;
    }
  }

  /** Deliver a completed value to the innermost open frame, or to `out`. */
  private emit(value: Reply, out: Reply[]): void {
    let v = value;
    for (;;) {
      const top = this.stack[this.stack.length - 1];
      if (!top) {
        out.push(v);
        return;
      }
      if (top.kind === 'attr') {
        this.stack.pop();
        v = { t: 'attr', v: top.pairs, reply: v };
        continue;
      }
      if (top.kind === 'streamstr') throw new RespProtocolError('value inside streamed string');
      top.items.push(v);
      if (top.remaining === -1) return; // streamed: wait for '.'
      if (--top.remaining > 0) return;
      this.stack.pop();
      if (top.kind === 'attrmap') {
        this.stack.push({ kind: 'attr', pairs: toPairs(top.items) });
        return;
      }
      switch (top.kind) {
        case 'array':
          v = { t: 'array', v: top.items };
          break;
        case 'set':
          v = { t: 'set', v: top.items };
          break;
        case 'push':
          v = { t: 'push', v: top.items };
          break;
        case 'map':
          v = { t: 'map', v: toPairs(top.items) };
          break;
      }
    }
  }
}

function parseLen(line: string, type: string): number {
  if (!/^\d+$/.test(line)) throw new RespProtocolError(`bad length ${JSON.stringify(line)} for type '${type}'`);
  const n = Number(line);
  if (!Number.isSafeInteger(n)) throw new RespProtocolError(`length too large: ${line}`);
  return n;
}

function checkCrlf(buf: Buffer, at: number): void {
  if (buf[at] !== CR || buf[at + 1] !== LF) throw new RespProtocolError(`missing CRLF after payload at offset ${at}`);
}

/** Decode a complete byte string into replies; throws if bytes are left over. */
export function decodeAll(bytes: Buffer | string): Reply[] {
  const d = new RespDecoder();
  const out = d.push(bytes);
  if (!d.idle) throw new RespProtocolError(`incomplete RESP data (${d.pendingBytes} bytes pending)`);
  return out;
}

// ---------------------------------------------------------------------------
// Encoding
// ---------------------------------------------------------------------------

/** Encode a command as a RESP array of bulk strings. */
export function encodeCommand(args: readonly (string | Buffer)[]): Buffer {
  const parts: Buffer[] = [Buffer.from(`*${args.length}\r\n`)];
  for (const a of args) {
    const b = typeof a === 'string' ? Buffer.from(a, 'utf8') : a;
    parts.push(Buffer.from(`$${b.length}\r\n`), b, Buffer.from('\r\n'));
  }
  return Buffer.concat(parts);
}
