// What the data work of one command sees: the shard's store, the client's logical database, the
// batch's clock and the binlog of the running write transaction. The store rooms (lib/store/<type>.ts)
// take this; a command handler's ShardExec (lib/commands/types.ts) is this plus its reply writer.

import type { ShardStore } from './shard-store.js';

export interface StoreCtx {
  store: ShardStore;
  /** Logical database index the client selected. */
  db: number;
  /** Milliseconds since the epoch, fixed for the whole batch. */
  now: number;
  /**
   * Records the effect of a write in the binlog (same transaction). Commands whose effect is not
   * their own argument list (SET EX -> SET PXAT, INCRBYFLOAT -> SET KEEPTTL) pass the rewritten form.
   * Its keyspace events are the effect's own (its table entry's keyEvents); `event` (an EV id,
   * lib/store/key-events.ts) replaces them on the effect's first key where Redis names the change
   * after the command instead (SPOP logged as SREM: spop), EV.none drops them.
   */
  binlog(args: Buffer[], event?: number): void;
}
