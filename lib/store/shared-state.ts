// State of one shard that the main thread reads too, in a SharedArrayBuffer: the SWAPDB mapping
// (logical -> physical database) and the last-access table behind OBJECT IDLETIME. The shard thread
// owns the mapping; both threads record accesses (main-thread reads are accesses too).

const MAP_BYTES = 256;
/** Access times are kept in tenths of a second from here (a u32 lasts 13 years from 2023-11). */
const ACCESS_EPOCH_MS = 1_700_000_000_000;
/** Access table slots (power of two); a key's slot is a hash of its meta key. */
const ACCESS_SLOTS = 1 << 20;

export class ShardShared {
  readonly sab: SharedArrayBuffer;
  /** logical db -> physical db */
  readonly dbmap: Uint8Array;
  /** slot -> last access in tenths of a second since ACCESS_EPOCH_MS (0 = not seen since startup) */
  readonly access: Uint32Array;

  constructor(sab?: SharedArrayBuffer) {
    this.sab = sab ?? new SharedArrayBuffer(MAP_BYTES + 4 * ACCESS_SLOTS);
    this.dbmap = new Uint8Array(this.sab, 0, MAP_BYTES);
    this.access = new Uint32Array(this.sab, MAP_BYTES, ACCESS_SLOTS);
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
