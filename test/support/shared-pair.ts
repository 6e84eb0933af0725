// One redis-server + respdb pair per shard count for a whole test file: started on first use and
// stopped when the file ends, so subtests that only need a clean keyspace (FLUSHALL, CONFIG SET
// back) do not each pay for starting a server.

import { pair, type Pair, type PairOptions, type TapLike } from './servers.js';

/**
 * `get(shards)`: the file's pair with that shard count (started with `opts` the first time).
 * `root` is the file's top-level test: its teardown stops every pair started.
 */
export function sharedPairs(root: TapLike, opts: Omit<PairOptions, 'shards'> = {}): (shards: number) => Promise<Pair> {
  const started = new Map<number, Promise<Pair>>();
  return (shards) => {
    let p = started.get(shards);
    if (!p) {
      p = pair(root, { ...opts, shards });
      started.set(shards, p);
    }
    return p;
  };
}
