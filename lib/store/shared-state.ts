// State of one shard that the main thread reads too, in a SharedArrayBuffer: the SWAPDB mapping
// (logical -> physical database) and the last-access table behind OBJECT IDLETIME. The shard thread
// owns the mapping; both threads record accesses (main-thread reads are accesses too).

const MAP_BYTES = 256;
/** Access table slots (power of two); a key's slot is a hash of its meta key. */
const ACCESS_SLOTS = 1 << 20;

export class ShardShared {
  readonly sab: SharedArrayBuffer;
  /** logical db -> physical db */
  readonly dbmap: Uint8Array;
  /** slot -> last access, seconds since the epoch (0 = not seen since startup) */
  readonly access: Uint32Array;

  constructor(sab?: SharedArrayBuffer) {
    this.sab = sab ?? new SharedArrayBuffer(MAP_BYTES + 4 * ACCESS_SLOTS);
    this.dbmap = new Uint8Array(this.sab, 0, MAP_BYTES);
    this.access = new Uint32Array(this.sab, MAP_BYTES, ACCESS_SLOTS);
  }

  touch(hash: number, sec: number): void {
    this.access[hash & (ACCESS_SLOTS - 1)] = sec;
  }

  lastAccess(hash: number): number {
    return this.access[hash & (ACCESS_SLOTS - 1)];
  }
}
