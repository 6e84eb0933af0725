// Which keys a shard's committed transactions wrote, for the slow pool's optimistic *STORE: while
// somebody watches (ShardShared.control[0] > 0), every write's binlog effect names its keys, and
// after the commit the write counters of their slots are bumped (ShardShared.writes). Writes whose
// effect changes keys it does not name (table entries marked touchesAllKeys: FLUSHDB, FLUSHALL,
// SWAPDB) or that ran before the watch began bump the epoch instead, which invalidates every
// computation in progress.

import { keyIndexes, lookup } from '../commands/registry.js';
import { keyHash, WRITE_SLOTS, type ShardShared } from '../store/shared-state.js';

export class WriteNotes {
  shared: ShardShared | null = null;
  private slots: number[] = [];
  /** a write of this transaction was not noted (nobody watched yet) */
  private unnoted = false;
  private epoch = false;

  /** A write effect (the binlog's arguments) of the running transaction. */
  note(args: Buffer[]): void {
    const sh = this.shared!;
    if (!sh.watching()) {
      this.unnoted = true;
      return;
    }
    const def = args[0].length < 32 ? lookup(args[0].toString('latin1').toLowerCase()) : undefined;
    if (!def || def.touchesAllKeys) {
      this.epoch = true;
      return;
    }
    for (const i of keyIndexes(def, args)) if (i < args.length) this.slots.push(keyHash(args[i]) & (WRITE_SLOTS - 1));
  }

  /** The transaction committed: bump what it wrote (if anybody watches now). */
  committed(): void {
    const sh = this.shared!;
    if (sh.watching()) {
      if (this.unnoted || this.epoch) Atomics.add(sh.control, 1, 1);
      for (const s of this.slots) Atomics.add(sh.writes, s, 1);
      if (this.unnoted || this.epoch || this.slots.length > 0) Atomics.add(sh.control, 2, 1);
    }
    this.reset();
  }

  /** The transaction was aborted: it wrote nothing. */
  reset(): void {
    this.slots.length = 0;
    this.unnoted = false;
    this.epoch = false;
  }
}
