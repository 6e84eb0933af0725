// State of one shard that the main thread reads too, in a SharedArrayBuffer: the SWAPDB mapping
// (logical -> physical database) and the last-access table behind OBJECT IDLETIME. The shard thread
// owns the mapping; both threads record accesses (main-thread reads are accesses too).

const MAP_BYTES = 256;
/** Access times are kept in tenths of a second from here (a u32 lasts 13 years from 2023-11). */
const ACCESS_EPOCH_MS = 1_700_000_000_000;
/** Access table slots (power of two); a key's slot is a hash of its meta key. */
const ACCESS_SLOTS = 1 << 20;
/** Write-counter slots (power of two) for the slow pool's optimistic *STORE (see WriteWatch). */
export const WRITE_SLOTS = 1 << 16;
/**
 * Int32 control words: [0] watchers, [1] epoch, [2] transactions that wrote anything, [3] expiry
 * paused (CLIENT PAUSE), [4] environment generation (bumped when COMPACT replaced the files),
 * [5] replica mode (the shard expires nothing itself: ShardSet.setReplicaMode), [6] frames of
 * background work's keyspace events committed and not yet delivered on the main thread.
 */
const CONTROL_WORDS = 7;

export class ShardShared {
  readonly sab: SharedArrayBuffer;
  /** logical db -> physical db */
  readonly dbmap: Uint8Array;
  /** slot -> last access in tenths of a second since ACCESS_EPOCH_MS (0 = not seen since startup) */
  readonly access: Uint32Array;

  /**
   * Write counters, by keyHash slot: bumped after a commit that wrote a key of that slot, while
   * somebody watches (control[0] > 0). A slow-pool *STORE computes from a snapshot and applies
   * only if the counters of its inputs (and the epoch) did not move (lib/server.ts runSlowStore).
   */
  readonly writes: Int32Array;
  /** [0] number of watchers, [1] epoch: bumped by FLUSHDB/FLUSHALL/SWAPDB and unnoted writes. */
  readonly control: Int32Array;

  constructor(sab?: SharedArrayBuffer) {
    this.sab = sab ?? new SharedArrayBuffer(MAP_BYTES + 4 * ACCESS_SLOTS + 4 * WRITE_SLOTS + 4 * CONTROL_WORDS);
    this.dbmap = new Uint8Array(this.sab, 0, MAP_BYTES);
    this.access = new Uint32Array(this.sab, MAP_BYTES, ACCESS_SLOTS);
    this.writes = new Int32Array(this.sab, MAP_BYTES + 4 * ACCESS_SLOTS, WRITE_SLOTS);
    this.control = new Int32Array(this.sab, MAP_BYTES + 4 * ACCESS_SLOTS + 4 * WRITE_SLOTS, CONTROL_WORDS);
  }

  /** CLIENT PAUSE (set by the main thread): no key is expired while it lasts. */
  setExpiryPaused(paused: boolean): void {
    Atomics.store(this.control, 3, paused ? 1 : 0);
  }

  /** The environment's generation: a view opened in an older one must be opened again. */
  generation(): number {
    return Atomics.load(this.control, 4);
  }

  bumpGeneration(): void {
    Atomics.add(this.control, 4, 1);
  }

  /**
   * Replica mode (set by the main thread): no key is expired by this shard; reads answer an
   * expired key as missing, writes (the master's stream) see it as it is stored.
   */
  setReplicaMode(on: boolean): void {
    Atomics.store(this.control, 5, on ? 1 : 0);
  }

  replicaMode(): boolean {
    return Atomics.load(this.control, 5) !== 0;
  }

  /**
   * Background work (the active expiry) counts its events frame before its transaction commits,
   * and the main thread uncounts it once the events are published. A direct read whose snapshot
   * may hold such a commit (the count is not 0) goes through the shard instead, so its reply
   * comes after those events, as Redis publishes them when it deletes the key.
   */
  backgroundEventsCommitting(): void {
    Atomics.add(this.control, 6, 1);
  }

  backgroundEventsDelivered(): void {
    Atomics.sub(this.control, 6, 1);
  }

  backgroundEventsInFlight(): boolean {
    return Atomics.load(this.control, 6) !== 0;
  }

  expiryPaused(): boolean {
    return Atomics.load(this.control, 3) !== 0;
  }

  watching(): boolean {
    return Atomics.load(this.control, 0) > 0;
  }

  /** Committed transactions that wrote anything, counted while somebody watches (control[2]). */
  allWrites(): number {
    return Atomics.load(this.control, 2);
  }

  /** The write counter of a key's slot and the epoch, as one comparable pair. */
  version(key: Uint8Array): [number, number] {
    return [Atomics.load(this.writes, keyHash(key) & (WRITE_SLOTS - 1)), Atomics.load(this.control, 1)];
  }

  /** Records an access at `now` (ms since the epoch). */
  touch(hash: number, now: number): void {
    this.access[hash & (ACCESS_SLOTS - 1)] = Math.floor((now - ACCESS_EPOCH_MS) / 100);
  }

  /** Time of the last access in ms since the epoch, 0 when none was recorded. */
  lastAccess(hash: number): number {
    const t = this.access[hash & (ACCESS_SLOTS - 1)];
    return t === 0 ? 0 : ACCESS_EPOCH_MS + t * 100;
  }
}

/** FNV-1a of a key's bytes (the first 256 and its length): a write-counter slot. */
export function keyHash(key: Uint8Array): number {
  let h = 0x811c9dc5 ^ key.length;
  const n = Math.min(key.length, 256);
  for (let i = 0; i < n; i++) h = Math.imul(h ^ key[i], 0x01000193);
  return h >>> 0;
}

/**
 * FNV-1a of a meta key, 30 bits (a small integer): its slot in the access table (and in the
 * shard's SpecialKeys filter). Long keys: length, first and last 128 bytes.
 */
export function accessHash(mk: Uint8Array): number {
  let h = 0x811c9dc5;
  const n = mk.length;
  if (n <= 256) {
    for (let i = 0; i < n; i++) h = Math.imul(h ^ mk[i], 16777619);
  } else {
    h = Math.imul(h ^ n, 16777619);
    for (let i = 0; i < 128; i++) h = Math.imul(h ^ mk[i], 16777619);
    for (let i = n - 128; i < n; i++) h = Math.imul(h ^ mk[i], 16777619);
  }
  return h & 0x3fffffff;
}
