// Replacing shards' LMDB directories under a running server: COMPACT swaps in a compacted copy of
// one shard (lib/backup/compaction.ts), a replica's full sync swaps in the data set it loaded
// beside the live one, on every shard at once (lib/replication/full-load.ts). Every view of an
// environment must be closed before its directory changes, because lmdb-js shares an environment
// between the threads of a process by its lock file's inode: the shard thread closes its own
// (detach), the directories are renamed, the shard opens the new one (attach: key counts, the
// SWAPDB map, the plain-keys filter and the garbage list rebuilt from it), the main thread's view
// is replaced, and the slow pool's threads reopen theirs before their next snapshot (ShardShared's
// generation).

import { ShardStore, type KeyCounts } from '../store/shard-store.js';
import type { ShardSet } from './set.js';

export interface SwapTimes {
  /** From the first detach until every shard has closed its environment. */
  detachMs: number;
  /** Until every shard has opened the new one (its startup work on it included). */
  attachMs: number;
}

/**
 * While the caller holds shards `ids` (Coordinator.locked): each shard closes its environment,
 * `rename` replaces their directories (synchronously; when it throws, the old environments are
 * opened again and the error is rethrown: `rename` must leave the old directories in place
 * then), the shards open the new ones, and every other view follows. `replaced`: the new
 * directories hold another data set, not a copy of the old one (a full sync); `counted`: per
 * shard of `ids`, the new set's key counts as its writer counted them (else each shard counts
 * its records, which takes a while for millions of keys).
 */
export async function swapEnvironments(shards: ShardSet, dir: string, ids: number[], rename: () => void, replaced = false, counted?: KeyCounts[]): Promise<SwapTimes> {
  const links = ids.map((i) => shards.links[i]);
  const t0 = performance.now();
  await Promise.all(links.map((l) => l.handle.detach(replaced)));
  const t1 = performance.now();
  try {
    rename();
  } catch (e) {
    await Promise.all(links.map((l) => l.handle.attach(false)));
    throw e;
  }
  await Promise.all(links.map((l, k) => l.handle.attach(replaced, counted?.[k])));
  const t2 = performance.now();
  for (const link of links) {
    const old = link.view;
    const view = new ShardStore({
      index: link.index,
      dir,
      databases: shards.databases,
      seq: new BigInt64Array(shards.seqSab),
      stats: shards.directStats,
      binlogRing: null,
      binlogMaxBytes: 0,
      shared: link.shared,
      view: true,
    });
    // the direct reads' keyspace events switch carries over (lib/notifications.ts sets it in the views)
    if (old) view.configureEvents(old.events.word);
    link.view = view;
    link.stale = false;
    link.shared.bumpGeneration();
    await old?.close();
  }
  return { detachMs: t1 - t0, attachMs: t2 - t1 };
}
