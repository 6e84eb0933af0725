// A per-shard broadcast ring of committed binlog records in a SharedArrayBuffer. The shard
// publishes a transaction's records after its commit (all of them made visible by one store) and
// never waits; readers (replication) follow at their own pace and learn from the sequence numbers
// when they fell behind (then they read the LMDB binlog instead).
//
// Layout: ctrl Int32Array [published-bytes lo, published-bytes hi, last-seq lo, last-seq hi],
// then a byte area of `cap` (power of two) holding records [u32 len][u64 seq][record]. Two
// lengths are markers: TOO_BIG (a record too big for the ring: read it from the LMDB binlog) and
// VOID followed by [u32 count] (sequences given out to a transaction that was aborted: they will
// never exist, so a reader waiting for every sequence in turn goes past them).

const CTRL = 64;
const TOO_BIG = 0xffffffff;
const VOID = 0xfffffffe;

export class BinlogRing {
  readonly sab: SharedArrayBuffer;
  private readonly ctrl: Int32Array;
  private readonly data: Uint8Array;
  readonly cap: number;
  private readonly mask: number;
  /** The writer's position: records appended up to here, visible up to published(). */
  private head: number;
  /** The last sequence appended (published with the bytes). */
  private last = 0;

  constructor(sabOrCap: SharedArrayBuffer | number) {
    this.sab = typeof sabOrCap === 'number' ? new SharedArrayBuffer(CTRL + sabOrCap) : sabOrCap;
    this.cap = this.sab.byteLength - CTRL;
    if (this.cap & (this.cap - 1)) throw new Error('binlog ring capacity must be a power of two');
    this.mask = this.cap - 1;
    this.ctrl = new Int32Array(this.sab, 0, 4);
    this.data = new Uint8Array(this.sab, CTRL, this.cap);
    this.head = this.published();
  }

  /** Total bytes ever published (monotonic, up to 2^53). */
  published(): number {
    return Atomics.load(this.ctrl, 1) * 0x100000000 + (Atomics.load(this.ctrl, 0) >>> 0);
  }

  /** The last sequence published: everything this shard committed up to it is readable. */
  lastSeq(): number {
    return Atomics.load(this.ctrl, 3) * 0x100000000 + (Atomics.load(this.ctrl, 2) >>> 0);
  }

  private setPublished(v: number): void {
    Atomics.store(this.ctrl, 3, Math.floor(this.last / 0x100000000));
    Atomics.store(this.ctrl, 2, this.last | 0);
    Atomics.store(this.ctrl, 1, Math.floor(v / 0x100000000));
    Atomics.store(this.ctrl, 0, v | 0);
    Atomics.notify(this.ctrl, 0);
  }

  /** Publishes one record. Records larger than a quarter of the ring are skipped (readers fall back to LMDB). */
  publish(seq: number, rec: Uint8Array): void {
    this.append(seq, rec, 0, rec.length);
    this.flush();
  }

  /**
   * Writes the record rec[start..end) after the last one without making it visible yet (flush
   * does, for everything appended since the last flush: one store and one notify per commit).
   */
  append(seq: number, rec: Uint8Array, start: number, end: number): void {
    const len = end - start;
    this.last = seq;
    if (12 + len > this.cap / 4) {
      // Too big to carry: a header-only marker so readers notice the gap.
      this.writeHeader(TOO_BIG, seq);
      return;
    }
    this.writeHeader(len, seq);
    const off = this.head & this.mask;
    const first = Math.min(len, this.cap - off);
    this.data.set(rec.subarray(start, start + first), off);
    if (first < len) this.data.set(rec.subarray(start + first, end), 0);
    this.head += len;
  }

  /** Publishes that sequences first .. first + count - 1 will never exist (their transaction aborted). */
  void(first: number, count: number): void {
    this.writeHeader(VOID, first);
    this.putBytesU32(this.head, count);
    this.head += 4;
    this.last = Math.max(this.last, first + count - 1);
    this.flush();
  }

  /** Makes every appended record visible to readers. */
  flush(): void {
    if (this.head !== this.published()) this.setPublished(this.head);
  }

  /** [u32 len][u64 seq], big-endian, at the head. */
  private writeHeader(len: number, seq: number): void {
    const at = this.head;
    this.putBytesU32(at, len);
    this.putBytesU32(at + 4, Math.floor(seq / 0x100000000));
    this.putBytesU32(at + 8, seq >>> 0);
    this.head = at + 12;
  }

  private putBytesU32(at: number, v: number): void {
    // `at & mask` is exact: ToInt32 takes the integer modulo 2^32 and the mask is below 2^31
    const d = this.data;
    const m = this.mask;
    d[at & m] = v >>> 24;
    d[(at + 1) & m] = (v >>> 16) & 0xff;
    d[(at + 2) & m] = (v >>> 8) & 0xff;
    d[(at + 3) & m] = v & 0xff;
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
  /** > 0: sequences seq .. seq + count - 1 do not exist (rec is null) */
  voidCount?: number;
}

/** A reader's cursor over a BinlogRing. */
export class BinlogRingReader {
  private pos: number;

  constructor(
    private readonly ring: BinlogRing,
    fromNow = true,
  ) {
    this.pos = fromNow ? ring.published() : 0;
  }

  /** Bytes published and not read yet. */
  get behind(): number {
    return this.ring.published() - this.pos;
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
      if (len === TOO_BIG) {
        out.push({ seq, rec: null });
        continue;
      }
      if (len === VOID) {
        const count = this.ring.getBytesU32(this.pos);
        this.pos += 4;
        out.push({ seq, rec: null, voidCount: count });
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
