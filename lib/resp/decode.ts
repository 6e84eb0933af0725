// Decodes one complete RESP2/RESP3 reply from a buffer (replies produced by our own shards, so
// the input is well formed and complete). Used where the main thread merges per-shard replies.

export type Decoded = null | bigint | number | boolean | string | Buffer | Error | Decoded[] | DecodedMap;
export class DecodedMap {
  constructor(readonly entries: Array<[Decoded, Decoded]>) {}
}
/** A simple string reply (+OK), distinct from bulk strings (Buffer). */
export class Simple {
  constructor(readonly value: string) {}
}

export function decodeReply(buf: Buffer): Decoded {
  const r = new Reader(buf);
  return r.read();
}

class Reader {
  pos = 0;
  constructor(private readonly buf: Buffer) {}

  private line(): string {
    const cr = this.buf.indexOf(13, this.pos);
    const s = this.buf.toString('latin1', this.pos, cr);
    this.pos = cr + 2;
    return s;
  }

  read(): Decoded {
    const t = this.buf[this.pos++];
    switch (t) {
      case 43: // +
        return this.line();
      case 45: // -
        return new Error(this.line());
      case 58: // :
        return BigInt(this.line());
      case 36: {
        // $
        const n = Number(this.line());
        if (n < 0) return null;
        const v = this.buf.subarray(this.pos, this.pos + n);
        this.pos += n + 2;
        return v;
      }
      case 42: // *
      case 126: // ~
      case 62: {
        // >
        const n = Number(this.line());
        if (n < 0) return null;
        const a: Decoded[] = [];
        for (let i = 0; i < n; i++) a.push(this.read());
        return a;
      }
      case 37: {
        // %
        const n = Number(this.line());
        const e: Array<[Decoded, Decoded]> = [];
        for (let i = 0; i < n; i++) e.push([this.read(), this.read()]);
        return new DecodedMap(e);
      }
      case 95: // _
        this.line();
        return null;
      case 35: // #
        return this.line() === 't';
      case 44: // ,
        return Number(this.line().replace(/^(-?)inf$/, '$1Infinity'));
      default:
        throw new Error(`cannot decode reply type ${String.fromCharCode(t)}`);
    }
  }
}
