// The replication backlog: the replication stream's last bytes, on disk, so a replica that
// reconnects (or a node that restarts) continues with a partial resync whenever its offset is
// still held.
//
// Offsets are Redis's: a stream position is the number of stream bytes before it (a node's
// master_repl_offset is its stream's end). `PSYNC <replid> <o>` asks for the bytes from offset
// o - 1 on (Redis numbers bytes from 1), which this backlog can serve when start <= o - 1 <= end.
//
// The bytes live in segment files `<dir>/replication/backlog-<first offset, 16 hex>.bin`,
// appended to the last one and dropped oldest first once the rest holds `retention` bytes.
// Appends are buffered and written at the end of the event-loop turn (or past 1 MiB): one write
// per turn, whatever the number of commands. The file is derived data (a master rebuilds its tail
// from the shards' binlogs, a replica from its master), so it is never fsynced on the write path.

import { closeSync, existsSync, fstatSync, mkdirSync, openSync, readSync, readdirSync, rmSync, writeSync, ftruncateSync } from 'node:fs';
import { join } from 'node:path';

const SEGMENT_BYTES = 64 << 20;
const FLUSH_AT = 1 << 20;
const NAME = /^backlog-([0-9a-f]{16})\.bin$/;

interface Segment {
  start: number;
  /** bytes in the file (those still buffered are not counted) */
  size: number;
  path: string;
}

export class Backlog {
  private segments: Segment[] = [];
  private fd = -1;
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private flushScheduled = false;
  /** Called after every append, once the bytes are readable (replica links wake up). */
  onAppend: (() => void) | null = null;
  /** The lowest offset a reader still needs (a replica in a full sync): nothing at or above it is dropped. */
  minNeeded: () => number = () => Infinity;

  constructor(
    private readonly dir: string,
    /** bytes kept (repl-backlog-size; CONFIG SET applies at the next append) */
    public retention: number,
  ) {}

  /** Opens what the directory holds (startup). Returns the offsets held, or null when empty. */
  open(): { start: number; end: number } | null {
    mkdirSync(this.dir, { recursive: true });
    const found: Segment[] = [];
    for (const name of readdirSync(this.dir)) {
      const m = NAME.exec(name);
      if (!m) continue;
      const path = join(this.dir, name);
      const fd = openSync(path, 'r');
      const size = fstatSync(fd).size;
      closeSync(fd);
      found.push({ start: parseInt(m[1], 16), size, path });
    }
    found.sort((a, b) => a.start - b.start);
    // only the run of segments that ends at the last one and has no hole is usable
    let first = found.length - 1;
    while (first > 0 && found[first - 1].start + found[first - 1].size === found[first].start) first--;
    for (let i = 0; i < first; i++) rmSync(found[i].path, { force: true });
    this.segments = found.slice(Math.max(0, first));
    if (this.segments.length === 0) return null;
    this.fd = openSync(this.segments[this.segments.length - 1].path, 'r+');
    return { start: this.start, end: this.end };
  }

  /** The first offset held. */
  get start(): number {
    return this.segments.length === 0 ? 0 : this.segments[0].start;
  }

  /** The stream's end: the offset after the last byte appended. */
  get end(): number {
    if (this.segments.length === 0) return 0;
    const last = this.segments[this.segments.length - 1];
    return last.start + last.size + this.pendingBytes;
  }

  /** Bytes held. */
  get size(): number {
    return this.end - this.start;
  }

  /** Can the bytes from `offset` on be served? */
  holds(offset: number): boolean {
    return this.segments.length > 0 && offset >= this.start && offset <= this.end;
  }

  /** Forgets everything and starts an empty backlog at `offset` (a new history: full sync, new replid). */
  reset(offset: number): void {
    this.closeFd();
    this.pending = [];
    this.pendingBytes = 0;
    for (const s of this.segments) rmSync(s.path, { force: true });
    this.segments = [];
    this.newSegment(offset);
  }

  /** Drops the bytes from `offset` on (a replica whose data is behind what its backlog held). */
  truncate(offset: number): void {
    this.flush();
    if (!this.holds(offset)) {
      this.reset(offset);
      return;
    }
    while (this.segments.length > 1 && this.segments[this.segments.length - 1].start > offset) {
      const s = this.segments.pop()!;
      this.closeFd();
      rmSync(s.path, { force: true });
    }
    const last = this.segments[this.segments.length - 1];
    this.closeFd();
    this.fd = openSync(last.path, 'r+');
    ftruncateSync(this.fd, offset - last.start);
    last.size = offset - last.start;
  }

  /** Adds stream bytes at the end (the caller keeps `b` unchanged until the end of the turn). */
  append(b: Buffer): void {
    if (b.length === 0) return;
    if (this.segments.length === 0) this.newSegment(0);
    this.pending.push(b);
    this.pendingBytes += b.length;
    if (this.pendingBytes >= FLUSH_AT) this.flush();
    else if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(this.flushTurn);
    }
    this.onAppend?.();
  }

  private readonly flushTurn = (): void => {
    this.flushScheduled = false;
    this.flush();
  };

  /** Writes the buffered bytes to the last segment, then trims to the retention. */
  flush(): void {
    if (this.pendingBytes === 0) return;
    const data = this.pending.length === 1 ? this.pending[0] : Buffer.concat(this.pending, this.pendingBytes);
    this.pending = [];
    this.pendingBytes = 0;
    let last = this.segments[this.segments.length - 1];
    let p = 0;
    while (p < data.length) {
      if (last.size >= SEGMENT_BYTES) last = this.newSegment(last.start + last.size);
      const n = Math.min(data.length - p, SEGMENT_BYTES - last.size);
      let done = 0;
      while (done < n) done += writeSync(this.fd, data, p + done, n - done, last.size + done);
      last.size += n;
      p += n;
    }
    // keep at least `retention` bytes: drop a segment only when the rest holds enough
    while (this.segments.length > 1 && this.end - this.segments[1].start >= this.retention && this.segments[1].start <= this.minNeeded()) {
      rmSync(this.segments.shift()!.path, { force: true });
    }
  }

  /**
   * Up to `max` bytes from `offset` (held: see holds), from the files and the bytes not yet
   * written. An empty buffer when `offset` is the end.
   */
  read(offset: number, max: number): Buffer {
    if (!this.holds(offset)) throw new Error(`backlog does not hold offset ${offset} (${this.start}..${this.end})`);
    const want = Math.min(max, this.end - offset);
    const out = Buffer.allocUnsafe(want);
    let got = 0;
    for (const s of this.segments) {
      if (got === want) break;
      const at = offset + got;
      if (at >= s.start + s.size) continue;
      const n = Math.min(want - got, s.start + s.size - at);
      const fd = openSync(s.path, 'r');
      try {
        let done = 0;
        while (done < n) {
          const r = readSync(fd, out, got + done, n - done, at - s.start + done);
          if (r === 0) throw new Error(`backlog segment ${s.path} is shorter than expected`);
          done += r;
        }
      } finally {
        closeSync(fd);
      }
      got += n;
    }
    // the rest is in the buffered bytes
    let skip = offset + got - (this.end - this.pendingBytes);
    for (const b of this.pending) {
      if (got === want) break;
      if (skip >= b.length) {
        skip -= b.length;
        continue;
      }
      const n = Math.min(want - got, b.length - skip);
      b.copy(out, got, skip, skip + n);
      got += n;
      skip = 0;
    }
    return out;
  }

  close(): void {
    this.flush();
    this.closeFd();
  }

  private newSegment(start: number): Segment {
    this.closeFd();
    const path = join(this.dir, `backlog-${start.toString(16).padStart(16, '0')}.bin`);
    if (existsSync(path)) rmSync(path);
    this.fd = openSync(path, 'w+');
    const s: Segment = { start, size: 0, path };
    this.segments.push(s);
    return s;
  }

  private closeFd(): void {
    if (this.fd >= 0) {
      closeSync(this.fd);
      this.fd = -1;
    }
  }
}
