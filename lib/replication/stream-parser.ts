// The replication stream's parser: RESP multibulk commands only, each with the stream offset of
// its last byte + 1, so the replica knows exactly which offset every command ends at (the
// general client parser accepts inline commands and drops empty lines, which would shift the
// offsets). Anything else breaks the link, as a Redis replica treats inline input from its master.

const CR = 13;
const LF = 10;
/** Longest `*N` / `$N` header a master sends (Redis: 64 kB for any header). */
const MAX_HEADER = 64 * 1024;

export interface StreamCommand {
  args: Buffer[];
  /** the stream offset right after the command's last byte */
  end: number;
}

export class StreamProtocolError extends Error {}

/**
 * Feed it consecutive stream bytes (push), then take the complete commands (each call to next()
 * returns one, or null when the rest is incomplete). Bulks are views of the fed chunks; a
 * command that spans chunks is copied once into one buffer.
 */
export class StreamParser {
  /** unparsed bytes, from `pos` */
  private buf: Buffer = Buffer.alloc(0);
  private pos = 0;
  /** chunks fed after `buf` that have not been joined to it yet (a big bulk arriving) */
  private more: Buffer[] = [];
  private moreBytes = 0;
  /** bytes `buf` + `more` must hold for the command being read to be complete (0: unknown) */
  private need = 0;

  constructor(
    /** the offset of the first byte that will be fed */
    public offset: number,
  ) {}

  /** Bytes fed and not yet returned in a command. */
  get pending(): number {
    return this.buf.length - this.pos + this.moreBytes;
  }

  push(chunk: Buffer): void {
    if (chunk.length === 0) return;
    if (this.pos === this.buf.length && this.more.length === 0) {
      this.buf = chunk;
      this.pos = 0;
      return;
    }
    this.more.push(chunk);
    this.moreBytes += chunk.length;
  }

  /** The next complete command, or null. Throws StreamProtocolError on input that is not RESP. */
  next(): StreamCommand | null {
    if (this.need > 0 && this.pending < this.need) return null;
    if (this.more.length > 0) {
      this.buf = Buffer.concat([this.buf.subarray(this.pos), ...this.more]);
      this.pos = 0;
      this.more = [];
      this.moreBytes = 0;
    }
    const b = this.buf;
    const start = this.pos;
    if (start >= b.length) return null;
    if (b[start] !== 42 /* * */) throw new StreamProtocolError(`expected a multibulk command at offset ${this.offset}, got byte ${b[start]}`);
    let p = start + 1;
    const h = this.header(b, p);
    if (h === null) return this.incomplete(b.length - start + 1);
    const [argc, after] = h;
    p = after;
    const args: Buffer[] = new Array(Math.max(0, argc));
    for (let i = 0; i < argc; i++) {
      if (p >= b.length) return this.incomplete(b.length - start + 1);
      if (b[p] !== 36 /* $ */) throw new StreamProtocolError(`expected a bulk at offset ${this.offset + (p - start)}`);
      const bh = this.header(b, p + 1);
      if (bh === null) return this.incomplete(b.length - start + 1);
      const [len, dataAt] = bh;
      if (len < 0) throw new StreamProtocolError('negative bulk length in the stream');
      if (dataAt + len + 2 > b.length) return this.incomplete(dataAt + len + 2 - start);
      args[i] = b.subarray(dataAt, dataAt + len);
      p = dataAt + len + 2;
    }
    this.pos = p;
    this.need = 0;
    this.offset += p - start;
    if (this.pos === b.length) {
      this.buf = Buffer.alloc(0);
      this.pos = 0;
    }
    return { args, end: this.offset };
  }

  private incomplete(need: number): null {
    this.need = need;
    return null;
  }

  /** A decimal number from `p` up to CR LF: [value, position after LF], null when not all here. */
  private header(b: Buffer, p: number): [number, number] | null {
    let n = 0;
    let neg = false;
    let i = p;
    if (i < b.length && b[i] === 45 /* - */) {
      neg = true;
      i++;
    }
    for (; i < b.length; i++) {
      const c = b[i];
      if (c === CR) break;
      if (c < 48 || c > 57) throw new StreamProtocolError('bad number in a stream header');
      n = n * 10 + (c - 48);
      if (i - p > 20) throw new StreamProtocolError('stream header too long');
    }
    if (i + 1 >= b.length) {
      if (b.length - p > MAX_HEADER) throw new StreamProtocolError('stream header too long');
      return null;
    }
    if (b[i + 1] !== LF) throw new StreamProtocolError('stream header without CR LF');
    return [neg ? -n : n, i + 2];
  }
}
