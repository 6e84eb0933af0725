/**
 * Minimal raw RESP client for exact reply comparison in tests.
 *
 * - `RespDecoder`: incremental streaming decoder (RESP2 + RESP3, including
 *   attributes and streamed strings/aggregates). Feed it arbitrary chunks.
 * - `RawClient`: a tiny client over `net` that writes commands as RESP arrays of
 *   bulk strings (or arbitrary raw bytes) and hands back decoded `Reply` trees.
 * - `formatReply` / `replyEquals`: readable, type-exact rendering and comparison,
 *   optionally order-insensitive for sets/maps (and set-like arrays).
 */
import net from 'node:net';

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

// ---------------------------------------------------------------------------
// Formatting / comparison
// ---------------------------------------------------------------------------

export interface CompareOptions {
  /**
   * Order-insensitive comparison:
   * - `true`: RESP3 sets and maps at any depth are sorted, and so are the
   *   elements of a top-level array (RESP2 set-like replies such as SMEMBERS).
   * - `'pairs'`: like `true`, but a top-level array is treated as a flat list
   *   of key/value pairs (RESP2 HGETALL, CONFIG GET) and sorted pair-wise.
   * - `'deep'`: like `true`, and arrays at every depth are sorted too.
   */
  unordered?: boolean | 'pairs' | 'deep';
}

/** Escape bytes so the rendering is unambiguous (and injective). */
export function escapeBytes(b: Buffer): string {
  let s = '';
  for (const c of b) {
    if (c === 0x22) s += '\\"';
    else if (c === 0x5c) s += '\\\\';
    else if (c === 0x0a) s += '\\n';
    else if (c === 0x0d) s += '\\r';
    else if (c === 0x09) s += '\\t';
    else if (c >= 0x20 && c < 0x7f) s += String.fromCharCode(c);
    else s += '\\x' + c.toString(16).padStart(2, '0');
  }
  return '"' + s + '"';
}

function q(s: string): string {
  return escapeBytes(Buffer.from(s, 'utf8'));
}

/** Return a copy with order-insensitive parts sorted canonically (see CompareOptions). */
export function canonicalize(r: Reply, opts: CompareOptions = {}): Reply {
  const mode = opts.unordered;
  if (!mode) return r;
  const deep = mode === 'deep';
  const rec = (x: Reply, depth: number): Reply => {
    switch (x.t) {
      case 'array': {
        if (!x.v) return x;
        const items = x.v.map((e) => rec(e, depth + 1));
        if (depth === 0 && mode === 'pairs') {
          const pairs: Reply[][] = [];
          for (let i = 0; i < items.length; i += 2) pairs.push(items.slice(i, i + 2));
          pairs.sort((a, b) => cmpStr(a.map((e) => formatReply(e)).join('\n'), b.map((e) => formatReply(e)).join('\n')));
          return { t: 'array', v: pairs.flat() };
        }
        if (depth === 0 || deep) return { t: 'array', v: sortReplies(items) };
        return { t: 'array', v: items };
      }
      case 'set':
        return { t: 'set', v: sortReplies(x.v.map((e) => rec(e, depth + 1))) };
      case 'push':
        return { t: 'push', v: x.v.map((e) => rec(e, depth + 1)) };
      case 'map': {
        const pairs = x.v.map(([k, v]) => [rec(k, depth + 1), rec(v, depth + 1)] as [Reply, Reply]);
        pairs.sort((a, b) => cmpStr(formatReply(a[0]) + '\n' + formatReply(a[1]), formatReply(b[0]) + '\n' + formatReply(b[1])));
        return { t: 'map', v: pairs };
      }
      case 'attr':
        return { t: 'attr', v: x.v.map(([k, v]) => [rec(k, depth + 1), rec(v, depth + 1)] as [Reply, Reply]), reply: rec(x.reply, depth) };
      default:
        return x;
    }
  };
  return rec(r, 0);
}

function cmpStr(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function sortReplies(items: Reply[]): Reply[] {
  return items
    .map((e) => [formatReply(e), e] as const)
    .sort((a, b) => cmpStr(a[0], b[0]))
    .map((p) => p[1]);
}

/**
 * Render a reply as readable, type-exact text (multi-line for aggregates), e.g.
 *
 *     *2
 *       1) "foo"
 *       2) (integer) 3
 *
 * Two replies render identically iff they are equal (with the same options).
 */
export function formatReply(r: Reply, opts: CompareOptions = {}): string {
  const root = opts.unordered ? canonicalize(r, opts) : r;
  const lines: string[] = [];
  const put = (x: Reply, indent: string, prefix: string): void => {
    const head = indent + prefix;
    const child = indent + ' '.repeat(prefix.length) + '  ';
    switch (x.t) {
      case 'simple':
        lines.push(`${head}+${q(x.v)}`);
        return;
      case 'error':
        lines.push(`${head}${x.blob ? '(blob error) ' : '(error) '}${q(x.v)}`);
        return;
      case 'int':
        lines.push(`${head}(integer) ${x.v}`);
        return;
      case 'bulk':
        lines.push(x.v === null ? `${head}(nil bulk)` : `${head}${escapeBytes(x.v)}`);
        return;
      case 'double':
        lines.push(`${head}(double) ${x.v}`);
        return;
      case 'bool':
        lines.push(`${head}(${x.v ? 'true' : 'false'})`);
        return;
      case 'null':
        lines.push(`${head}(null)`);
        return;
      case 'bignum':
        lines.push(`${head}(big number) ${x.v}`);
        return;
      case 'verbatim':
        lines.push(`${head}(verbatim ${x.format}) ${q(x.v)}`);
        return;
      case 'array':
      case 'set':
      case 'push': {
        if (x.v === null) {
          lines.push(`${head}(nil array)`);
          return;
        }
        const sigil = x.t === 'array' ? '*' : x.t === 'set' ? '~' : '>';
        lines.push(`${head}${sigil}${x.v.length}${x.v.length === 0 ? ' (empty)' : ''}`);
        x.v.forEach((e, i) => put(e, child, `${i + 1}) `));
        return;
      }
      case 'map':
        lines.push(`${head}%${x.v.length}${x.v.length === 0 ? ' (empty)' : ''}`);
        x.v.forEach(([k, v], i) => {
          put(k, child, `${i + 1}# `);
          put(v, child, ' '.repeat(`${i + 1}`.length) + '= ');
        });
        return;
      case 'attr':
        lines.push(`${head}|${x.v.length} (attributes)`);
        x.v.forEach(([k, v], i) => {
          put(k, child, `${i + 1}# `);
          put(v, child, ' '.repeat(`${i + 1}`.length) + '= ');
        });
        put(x.reply, indent, ' '.repeat(prefix.length) + '-> ');
        return;
    }
  };
  put(root, '', '');
  return lines.join('\n');
}

/** Structural, type-exact equality (optionally order-insensitive, see CompareOptions). */
export function replyEquals(a: Reply, b: Reply, opts: CompareOptions = {}): boolean {
  if (opts.unordered) return eq(canonicalize(a, opts), canonicalize(b, opts));
  return eq(a, b);
}

function eq(a: Reply, b: Reply): boolean {
  if (a.t !== b.t) return false;
  switch (a.t) {
    case 'simple':
    case 'double':
    case 'bignum':
    case 'bool':
      return a.v === (b as typeof a).v;
    case 'error':
      return a.v === (b as typeof a).v && !!a.blob === !!(b as typeof a).blob;
    case 'verbatim':
      return a.v === (b as typeof a).v && a.format === (b as typeof a).format;
    case 'int':
      return a.v === (b as typeof a).v;
    case 'null':
      return true;
    case 'bulk': {
      const bv = (b as typeof a).v;
      if (a.v === null || bv === null) return a.v === bv;
      return a.v.equals(bv);
    }
    case 'array':
    case 'set':
    case 'push': {
      const av = a.v;
      const bv = (b as typeof a).v;
      if (av === null || bv === null) return av === bv;
      return av.length === bv.length && av.every((x, i) => eq(x, bv[i]!));
    }
    case 'map': {
      const bv = (b as typeof a).v;
      return a.v.length === bv.length && a.v.every(([k, v], i) => eq(k, bv[i]![0]) && eq(v, bv[i]![1]));
    }
    case 'attr': {
      const bb = b as typeof a;
      return (
        a.v.length === bb.v.length && a.v.every(([k, v], i) => eq(k, bb.v[i]![0]) && eq(v, bb.v[i]![1])) && eq(a.reply, bb.reply)
      );
    }
  }
}

/** Convenience: bulk/simple/verbatim reply as a UTF-8 string (throws on other types). */
export function replyString(r: Reply): string {
  if (r.t === 'bulk' && r.v) return r.v.toString('utf8');
  if (r.t === 'simple' || r.t === 'verbatim') return r.v;
  throw new Error(`expected a string reply, got ${formatReply(r)}`);
}

// ---------------------------------------------------------------------------
// Client
// ---------------------------------------------------------------------------

interface Waiter {
  resolve: (r: Reply) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout | null;
}

export interface RawClientOptions {
  /** Default timeout for each awaited reply (ms). 0 disables. Default 15000. */
  replyTimeoutMs?: number;
  /** Connect timeout (ms). Default 10000. */
  connectTimeoutMs?: number;
}

/**
 * A raw RESP connection. Replies are delivered strictly in arrival order
 * (RESP3 push messages included) to `readReply()` callers; replies that arrive
 * while nobody is waiting are queued.
 */
export class RawClient {
  readonly decoder = new RespDecoder();
  private queue: Reply[] = [];
  private waiters: Waiter[] = [];
  private closedFlag = false;
  private closeError: Error | null = null;
  private closeWaiters: (() => void)[] = [];
  replyTimeoutMs: number;

  private constructor(
    readonly socket: net.Socket,
    readonly port: number,
    readonly host: string,
    opts: RawClientOptions,
  ) {
    this.replyTimeoutMs = opts.replyTimeoutMs ?? 15000;
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (e) => {
      this.closeError ??= e;
    });
    socket.on('close', () => this.onClose());
  }

  static connect(port: number, host = '127.0.0.1', opts: RawClientOptions = {}): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ port, host });
      const ms = opts.connectTimeoutMs ?? 10000;
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new Error(`connect to ${host}:${port} timed out after ${ms} ms`));
      }, ms);
      const onError = (e: Error) => {
        clearTimeout(timer);
        reject(e);
      };
      socket.once('error', onError);
      socket.once('connect', () => {
        clearTimeout(timer);
        socket.off('error', onError);
        resolve(new RawClient(socket, port, host, opts));
      });
    });
  }

  /** True once the connection has closed (by either side). */
  get closed(): boolean {
    return this.closedFlag;
  }

  /** Number of decoded replies waiting to be read. */
  get queued(): number {
    return this.queue.length;
  }

  /** Send one command (array of bulk strings) and await its reply. */
  async send(...args: (string | Buffer)[]): Promise<Reply> {
    const p = this.readReply();
    this.write(encodeCommand(args)).catch(() => {});
    return p;
  }

  /** Send all commands in one write and await one reply per command. */
  async pipeline(cmds: (string | Buffer)[][]): Promise<Reply[]> {
    const ps = cmds.map(() => this.readReply());
    this.write(Buffer.concat(cmds.map((c) => encodeCommand(c)))).catch(() => {});
    return Promise.all(ps);
  }

  /** Write arbitrary bytes (inline commands, malformed input, partial frames, ...). */
  sendRaw(bytes: Buffer | string): Promise<void> {
    return this.write(typeof bytes === 'string' ? Buffer.from(bytes, 'utf8') : bytes);
  }

  /** Await the next reply. Rejects on timeout (default `replyTimeoutMs`) or if the connection closes first. */
  readReply(timeoutMs = this.replyTimeoutMs): Promise<Reply> {
    const r = this.queue.shift();
    if (r) return Promise.resolve(r);
    if (this.closedFlag) return Promise.reject(this.closedErr());
    return new Promise((resolve, reject) => {
      const w: Waiter = { resolve, reject, timer: null };
      if (timeoutMs > 0) {
        w.timer = setTimeout(() => {
          const i = this.waiters.indexOf(w);
          if (i >= 0) this.waiters.splice(i, 1);
          reject(new Error(`no reply from ${this.host}:${this.port} within ${timeoutMs} ms`));
        }, timeoutMs);
      }
      this.waiters.push(w);
    });
  }

  /** Resolve true if the connection closes within `timeoutMs`, false otherwise. */
  waitClose(timeoutMs: number): Promise<boolean> {
    if (this.closedFlag) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        const i = this.closeWaiters.indexOf(done);
        if (i >= 0) this.closeWaiters.splice(i, 1);
        resolve(false);
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        resolve(true);
      };
      this.closeWaiters.push(done);
    });
  }

  /** Close the connection (pending readers are rejected). */
  async close(): Promise<void> {
    if (this.closedFlag) return;
    const closed = this.waitClose(2000);
    this.socket.end();
    if (!(await closed)) this.socket.destroy();
    await this.waitClose(1000);
  }

  private write(b: Buffer): Promise<void> {
    if (this.closedFlag) return Promise.reject(this.closedErr());
    return new Promise((resolve, reject) => {
      this.socket.write(b, (err) => (err ? reject(err) : resolve()));
    });
  }

  private onData(chunk: Buffer): void {
    let replies: Reply[];
    try {
      replies = this.decoder.push(chunk);
    } catch (e) {
      this.closeError = e instanceof Error ? e : new Error(String(e));
      this.socket.destroy();
      // still deliver what was decoded before the bad bytes
      replies = e instanceof RespProtocolError ? e.replies : [];
    }
    for (const r of replies) {
      const w = this.waiters.shift();
      if (w) {
        if (w.timer) clearTimeout(w.timer);
        w.resolve(r);
      } else this.queue.push(r);
    }
  }

  private closedErr(): Error {
    const why = this.closeError ? `: ${this.closeError.message}` : '';
    const partial = this.decoder.idle || this.closeError instanceof RespProtocolError ? '' : ` (${this.decoder.pendingBytes} bytes of an incomplete reply pending)`;
    const e = new Error(`connection to ${this.host}:${this.port} closed${why}${partial}`);
    if (this.closeError) (e as Error & { cause?: unknown }).cause = this.closeError;
    return e;
  }

  private onClose(): void {
    this.closedFlag = true;
    const err = this.closedErr();
    for (const w of this.waiters.splice(0)) {
      if (w.timer) clearTimeout(w.timer);
      w.reject(err);
    }
    for (const f of this.closeWaiters.splice(0)) f();
  }
}
