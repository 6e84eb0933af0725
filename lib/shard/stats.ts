// Per-shard counters in a SharedArrayBuffer: the shard thread writes, the main thread reads them
// for INFO without a round trip. Plain (non-atomic) doubles: a torn read is impossible for
// aligned 8-byte values on x64 and a slightly stale one is fine for statistics.

export const STAT = {
  keyspaceHits: 0,
  keyspaceMisses: 1,
  expiredKeys: 2,
  commands: 3,
  batches: 4,
  writeTxns: 5,
  fsyncs: 6,
  binlogRecords: 7,
  /** gauge: deleted collections whose members the garbage collector has not removed yet */
  garbagePending: 8,
  /** collections whose members the garbage collector removed completely */
  garbageFreed: 9,
  /** gauge: the disk-space guard's state, level + 4 × cause (lib/store/disk-space.ts) */
  diskState: 15,
} as const;
const FIXED = 16;
/** Per-command execution time slots (µs, by command table index) after the key counts. */
export const MAX_COMMANDS = 2048;

export class ShardStats {
  readonly sab: SharedArrayBuffer;
  private readonly f: Float64Array;

  constructor(readonly databases: number, sab?: SharedArrayBuffer) {
    this.sab = sab ?? new SharedArrayBuffer(8 * (FIXED + 2 * databases + MAX_COMMANDS));
    this.f = new Float64Array(this.sab);
  }

  inc(stat: number, n = 1): void {
    this.f[stat] += n;
  }

  get(stat: number): number {
    return this.f[stat];
  }

  reset(stat: number): void {
    this.f[stat] = 0;
  }

  set(stat: number, v: number): void {
    this.f[stat] = v;
  }

  /** Adds execution time (µs) to a command (INFO commandstats); indexes past the region are ignored. */
  addUsec(cmd: number, usec: number): void {
    this.f[FIXED + 2 * this.databases + cmd] += usec;
  }

  usec(cmd: number): number {
    return this.f[FIXED + 2 * this.databases + cmd] ?? 0;
  }

  /** CONFIG RESETSTAT: clears the per-command times. */
  resetUsec(): void {
    this.f.fill(0, FIXED + 2 * this.databases);
  }

  keys(db: number): number {
    return this.f[FIXED + db];
  }

  expires(db: number): number {
    return this.f[FIXED + this.databases + db];
  }

  /** The key and expire counts of every database (to put back when a transaction is aborted). */
  saveCounts(): Float64Array {
    return this.f.slice(FIXED, FIXED + 2 * this.databases);
  }

  /** saveCounts into a buffer kept by the caller (no allocation per batch). */
  saveCountsInto(into: Float64Array): void {
    into.set(this.f.subarray(FIXED, FIXED + 2 * this.databases));
  }

  restoreCounts(saved: Float64Array): void {
    this.f.set(saved, FIXED);
  }

  addKeys(db: number, n: number): void {
    this.f[FIXED + db] += n;
  }

  addExpires(db: number, n: number): void {
    this.f[FIXED + this.databases + db] += n;
  }

  setKeys(db: number, n: number): void {
    this.f[FIXED + db] = n;
  }

  setExpires(db: number, n: number): void {
    this.f[FIXED + this.databases + db] = n;
  }

  swapDb(a: number, b: number): void {
    const k = this.keys(a);
    this.setKeys(a, this.keys(b));
    this.setKeys(b, k);
    const e = this.expires(a);
    this.setExpires(a, this.expires(b));
    this.setExpires(b, e);
  }
}
