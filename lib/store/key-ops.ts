// What the keyspace commands need to know about a value type, independent of the type: each store
// room (lib/store/<type>.ts) declares its operations; lib/store/key-types.ts lists them by type.

import type { Meta } from './meta.js';
import type { Found, ShardStore } from './shard-store.js';
import type { StoreCtx } from './context.js';

export interface KeyTypeOps {
  /** OBJECT ENCODING */
  encoding(m: Meta): string;
  /** OBJECT REFCOUNT */
  refcount(m: Meta): number;
  /** COPY within a shard: writes a copy of `m` as `toKey` in `toDb`, replacing `to.meta`. No binlog. */
  copy(store: ShardStore, m: Meta, toDb: number, toKey: Buffer, to: Found): void;
  /** Serialized value (everything but the key and the expiry) for re-creating it on another shard. */
  dump(store: ShardStore, m: Meta): Buffer;
  /**
   * Re-creates a dumped value as `key` in x.db, replacing `to.meta`; `expire` holds the exact
   * expiry (u64 BE ms, 0 = none). Logs the effect with x.binlog.
   */
  restore(x: StoreCtx, key: Buffer, to: Found, dump: Buffer, expire: Buffer): void;
}
