// Single-producer single-consumer byte pipe over a SharedArrayBuffer.
//
// The ring is a stream of bytes, not of messages: a producer writes as much as fits and the rest
// later, the consumer reads whatever is there. Framing is the caller's (a u32 length before each
// message), so a message may be larger than the ring itself (a 512 MB value streams through a
// 4 MB ring). Positions are free-running u32 counters; the capacity is a power of two.
//
// Wake-ups: the consumer waits on the write counter, the producer on the read counter, with
// Atomics.wait/waitAsync; a store is followed by Atomics.notify, which costs nothing measurable
// when nobody waits.

const W = 0; // bytes written (free-running)
const R = 1; // bytes read (free-running)
const CTRL_BYTES = 64; // keep the counters on their own cache line

export class Ring {
  readonly sab: SharedArrayBuffer;
  readonly ctrl: Int32Array;
  readonly data: Uint8Array;
  readonly cap: number;
  private readonly mask: number;

  constructor(sabOrCapacity: SharedArrayBuffer | number) {
    if (typeof sabOrCapacity === 'number') {
      const cap = sabOrCapacity;
      if (cap & (cap - 1)) throw new Error('ring capacity must be a power of two');
      this.sab = new SharedArrayBuffer(CTRL_BYTES + cap);
    } else {
      this.sab = sabOrCapacity;
    }
    this.cap = this.sab.byteLength - CTRL_BYTES;
    this.mask = this.cap - 1;
    this.ctrl = new Int32Array(this.sab, 0, 2);
    this.data = new Uint8Array(this.sab, CTRL_BYTES, this.cap);
  }

  /** Bytes available to read. */
  readable(): number {
    return (Atomics.load(this.ctrl, W) - Atomics.load(this.ctrl, R)) >>> 0;
  }

  /** Bytes that can be written now. */
  writable(): number {
    return this.cap - this.readable();
  }

  /** Writes up to src.length bytes from src[off..]; returns how many were written. Notifies. */
  write(src: Uint8Array, off = 0, len = src.length - off): number {
    const w = Atomics.load(this.ctrl, W);
    const r = Atomics.load(this.ctrl, R);
    const free = this.cap - ((w - r) >>> 0);
    const n = Math.min(free, len);
    if (n === 0) return 0;
    const at = w & this.mask;
    const first = Math.min(n, this.cap - at);
    this.data.set(src.subarray(off, off + first), at);
    if (first < n) this.data.set(src.subarray(off + first, off + n), 0);
    Atomics.store(this.ctrl, W, (w + n) | 0);
    Atomics.notify(this.ctrl, W);
    return n;
  }

  /** Copies up to dst.length - off readable bytes into dst[off..]; returns how many. Notifies. */
  read(dst: Uint8Array, off = 0, max = dst.length - off): number {
    const w = Atomics.load(this.ctrl, W);
    const r = Atomics.load(this.ctrl, R);
    const avail = (w - r) >>> 0;
    const n = Math.min(avail, max);
    if (n === 0) return 0;
    const at = r & this.mask;
    const first = Math.min(n, this.cap - at);
    dst.set(this.data.subarray(at, at + first), off);
    if (first < n) dst.set(this.data.subarray(0, n - first), off + first);
    Atomics.store(this.ctrl, R, (r + n) | 0);
    Atomics.notify(this.ctrl, R);
    return n;
  }

  /** Current write counter (what a consumer waits on). */
  writeCounter(): number {
    return Atomics.load(this.ctrl, W);
  }

  readCounter(): number {
    return Atomics.load(this.ctrl, R);
  }

  /** Resolves when the write counter moves past `seen` (consumer side, non-blocking). */
  waitReadable(seen: number): Promise<unknown> | null {
    const res = Atomics.waitAsync(this.ctrl, W, seen);
    return res.async ? res.value : null;
  }

  /** Resolves when the read counter moves past `seen` (producer side, non-blocking). */
  waitWritable(seen: number): Promise<unknown> | null {
    const res = Atomics.waitAsync(this.ctrl, R, seen);
    return res.async ? res.value : null;
  }

  /** Blocks the calling thread until the read counter moves (worker producers only). */
  blockUntilWritable(seen: number, timeoutMs: number): void {
    Atomics.wait(this.ctrl, R, seen, timeoutMs);
  }
}

/**
 * Reassembles u32-length-prefixed frames from a ring. Frames that are contiguous in the staging
 * buffer are returned as views (valid until the next call).
 */
/** A staging buffer up to this size is kept as it grew (the request and reply rings are 4 MB). */
const STAGE_KEEP = 8 << 20;

export class FrameReader {
  private stage: Buffer;
  private start = 0;
  private end = 0;
  private want = 0; // bytes the next incomplete frame needs in total (header included)

  constructor(private readonly ring: Ring, private readonly initial = 1 << 20) {
    this.stage = Buffer.allocUnsafe(initial);
  }

  /**
   * Pulls what the ring has and appends the complete frames (payload views) to `out`. The views
   * stay valid until the next call.
   */
  drain(out: Buffer[]): void {
    // Previous views are dead now: compact, and shrink after a big frame went through.
    const used = this.end - this.start;
    if (used === 0) {
      this.start = 0;
      this.end = 0;
      // Shrink only after a frame bigger than the ring went through: a stage grown to what the
      // ring holds is needed again on the next busy drain (shrinking and regrowing it took MBs of
      // fresh ArrayBuffers per drain under LRANGE_100 -P 16, which kept the collector busy).
      if (this.stage.length > STAGE_KEEP && this.want === 0) this.stage = Buffer.allocUnsafe(this.initial);
    }
    const need = Math.max(this.want, used + this.ring.readable());
    if (this.start > 0 || need > this.stage.length) {
      const size = need > this.stage.length ? Math.max(need, Math.min(this.stage.length * 2, need + (1 << 20))) : this.stage.length;
      const nb = size === this.stage.length ? this.stage : Buffer.allocUnsafe(size);
      this.stage.copy(nb, 0, this.start, this.end);
      this.stage = nb;
      this.start = 0;
      this.end = used;
    }
    for (;;) {
      const room = this.stage.length - this.end;
      if (room === 0) break;
      const n = this.ring.read(this.stage, this.end, room);
      if (n === 0) break;
      this.end += n;
    }
    this.want = 0;
    while (this.end - this.start >= 4) {
      const len = this.stage.readUInt32LE(this.start);
      if (this.end - this.start - 4 < len) {
        this.want = len + 4;
        break;
      }
      out.push(this.stage.subarray(this.start + 4, this.start + 4 + len));
      this.start += 4 + len;
    }
  }
}
