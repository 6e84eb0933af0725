// A per-shard broadcast ring of committed binlog records in a SharedArrayBuffer. The shard
// publishes after each commit and never waits; readers (replication) follow at their own pace and
// learn from the sequence numbers when they fell behind (then they read the LMDB binlog instead).
//
// Layout: ctrl Int32Array [published-bytes lo, published-bytes hi, last-seq lo, last-seq hi],
// then a byte area of `cap` (power of two) holding records [u32 len][u64 seq][record].

const CTRL = 64;

export class BinlogRing {
  readonly sab: SharedArrayBuffer;
  private readonly ctrl: Int32Array;
  private readonly data: Uint8Array;
  readonly cap: number;

  constructor(sabOrCap: SharedArrayBuffer | number) {
    this.sab = typeof sabOrCap === 'number' ? new SharedArrayBuffer(CTRL + sabOrCap) : sabOrCap;
    this.cap = this.sab.byteLength - CTRL;
    if (this.cap & (this.cap - 1)) throw new Error('binlog ring capacity must be a power of two');
    this.ctrl = new Int32Array(this.sab, 0, 4);
    this.data = new Uint8Array(this.sab, CTRL, this.cap);
  }

  /** Total bytes ever published (monotonic, up to 2^53). */
  published(): number {
    return Atomics.load(this.ctrl, 1) * 0x100000000 + (Atomics.load(this.ctrl, 0) >>> 0);
  }

  private setPublished(v: number): void {
    Atomics.store(this.ctrl, 1, Math.floor(v / 0x100000000));
    Atomics.store(this.ctrl, 0, v | 0);
    Atomics.notify(this.ctrl, 0);
  }

  /** Publishes one record. Records larger than a quarter of the ring are skipped (readers fall back to LMDB). */
  publish(seq: number, rec: Uint8Array): void {
    const total = 12 + rec.length;
    if (total > this.cap / 4) {
      // Too big to carry: publish a header-only marker so readers notice the gap.
      this.write(seq, null);
      return;
    }
    this.write(seq, rec);
  }

  private write(seq: number, rec: Uint8Array | null): void {
    let at = this.published();
    const len = rec ? rec.length : 0xffffffff;
    this.putBytesU32(at, len);
    this.putBytesU32(at + 4, Math.floor(seq / 0x100000000));
    this.putBytesU32(at + 8, seq >>> 0);
    at += 12;
    if (rec) {
      const off = at % this.cap;
      const first = Math.min(rec.length, this.cap - off);
      this.data.set(rec.subarray(0, first), off);
      if (first < rec.length) this.data.set(rec.subarray(first), 0);
      at += rec.length;
    }
    this.setPublished(at);
  }

  private putBytesU32(at: number, v: number): void {
    for (let i = 0; i < 4; i++) this.data[(at + i) % this.cap] = (v >>> (24 - 8 * i)) & 0xff;
  }

  getBytesU32(at: number): number {
    let v = 0;
    for (let i = 0; i < 4; i++) v = v * 256 + this.data[(at + i) % this.cap];
    return v;
  }

  /** Copies `len` bytes starting at absolute position `at`. */
  copyOut(at: number, len: number): Buffer {
    const out = Buffer.allocUnsafe(len);
    const off = at % this.cap;
    const first = Math.min(len, this.cap - off);
    out.set(this.data.subarray(off, off + first), 0);
    if (first < len) out.set(this.data.subarray(0, len - first), first);
    return out;
  }
}

export interface RingRecord {
  seq: number;
  /** null when the record was too large for the ring: read it from the LMDB binlog. */
  rec: Buffer | null;
}

/** A reader's cursor over a BinlogRing. */
export class BinlogRingReader {
  private pos: number;

  constructor(private readonly ring: BinlogRing, fromNow = true) {
    this.pos = fromNow ? ring.published() : 0;
  }

  /**
   * Reads the records published since the last call. Returns 'overrun' when the writer lapped
   * this reader (records were lost from the ring; the caller resumes from LMDB).
   */
  poll(out: RingRecord[]): 'ok' | 'overrun' {
    const end = this.ring.published();
    if (end - this.pos > this.ring.cap) {
      this.pos = end;
      return 'overrun';
    }
    while (this.pos < end) {
      const len = this.ring.getBytesU32(this.pos);
      const seq = this.ring.getBytesU32(this.pos + 4) * 0x100000000 + this.ring.getBytesU32(this.pos + 8);
      this.pos += 12;
      if (len === 0xffffffff) {
        out.push({ seq, rec: null });
        continue;
      }
      const rec = this.ring.copyOut(this.pos, len);
      this.pos += len;
      // the writer may have overwritten what we just copied
      if (this.ring.published() - (this.pos - len - 12) > this.ring.cap) {
        this.pos = this.ring.published();
        return 'overrun';
      }
      out.push({ seq, rec });
    }
    return 'ok';
  }
}
