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

/**
 * The shard's own figures (INFO respdb, the metrics endpoint), in a region after the per-command
 * times: commit and fsync timings counted by the shard as they happen, and what it samples once a
 * second (LMDB pages, binlog size, average TTL). `commit`: LMDB's commit of a write transaction,
 * from the end of its work to the return of the commit; `fsync`: one flush of the environment.
 */
export const FIG = {
  commits: 0,
  commitMicros: 1,
  lastCommitMicros: 2,
  fsyncs: 3,
  fsyncMicros: 4,
  lastFsyncMicros: 5,
  binlogBytes: 6,
  pageSize: 7,
  /** pages in the data file up to the highest one used (LMDB's last page number + 1) */
  pages: 8,
  /** pages holding the trees (data, indexes, free list) and the two meta pages */
  usedPages: 9,
  mapSize: 10,
} as const;
const FIG_SLOTS = 16;
/**
 * Duration histograms of commits and fsyncs: bucket k counts durations up to 2^(k+4) µs (16 µs up
 * to about 1 s); the last bucket counts the longer ones.
 */
export const TIME_BUCKETS = 18;
/** Upper bound (µs) of bucket k (Infinity for the last). */
export function timeBucketMicros(k: number): number {
  return k >= TIME_BUCKETS - 1 ? Infinity : 2 ** (k + 4);
}

function timeBucket(us: number): number {
  if (us <= 16) return 0;
  const k = 28 - Math.clz32(Math.ceil(us) - 1);
  return k < TIME_BUCKETS ? k : TIME_BUCKETS - 1;
}

export class ShardStats {
  readonly sab: SharedArrayBuffer;
  private readonly f: Float64Array;

  constructor(readonly databases: number, sab?: SharedArrayBuffer) {
    this.sab = sab ?? new SharedArrayBuffer(8 * (FIXED + 2 * databases + MAX_COMMANDS + FIG_SLOTS + 2 * TIME_BUCKETS + databases));
    this.f = new Float64Array(this.sab);
    this.figAt = FIXED + 2 * databases + MAX_COMMANDS;
  }

  private readonly figAt: number;

  /** A write transaction's commit took `us` µs. */
  commitDone(us: number): void {
    const f = this.f;
    const b = this.figAt;
    f[b + FIG.commits]++;
    f[b + FIG.commitMicros] += us;
    f[b + FIG.lastCommitMicros] = us;
    f[b + FIG_SLOTS + timeBucket(us)]++;
  }

  /** An fsync of the environment took `us` µs. */
  fsyncDone(us: number): void {
    const f = this.f;
    const b = this.figAt;
    f[b + FIG.fsyncs]++;
    f[b + FIG.fsyncMicros] += us;
    f[b + FIG.lastFsyncMicros] = us;
    f[b + FIG_SLOTS + TIME_BUCKETS + timeBucket(us)]++;
  }

  fig(which: number): number {
    return this.f[this.figAt + which];
  }

  setFig(which: number, v: number): void {
    this.f[this.figAt + which] = v;
  }

  /** Counts per bucket (TIME_BUCKETS long, not cumulative) of the commit or the fsync durations. */
  timeHistogram(fsync: boolean): Float64Array {
    const at = this.figAt + FIG_SLOTS + (fsync ? TIME_BUCKETS : 0);
    return this.f.slice(at, at + TIME_BUCKETS);
  }

  /** Average time to live (ms) of the volatile keys of a database, as last sampled (0: none). */
  avgTtl(db: number): number {
    return this.f[this.figAt + FIG_SLOTS + 2 * TIME_BUCKETS + db] ?? 0;
  }

  setAvgTtl(db: number, ms: number): void {
    this.f[this.figAt + FIG_SLOTS + 2 * TIME_BUCKETS + db] = ms;
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
    this.f.fill(0, FIXED + 2 * this.databases, this.figAt);
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
