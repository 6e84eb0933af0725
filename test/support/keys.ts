// Key names for multi-shard tests.

import { shardOf } from '../../lib/slot.js';

/**
 * `n` keys `prefix0..`, the first min(n, shards) of them on distinct shards, so that a command
 * over the first `shards` keys spans every shard.
 */
export function spread(prefix: string, n: number, shards: number): string[] {
  const out: string[] = [];
  const used = new Set<number>();
  for (let i = 0; out.length < n; i++) {
    const k = `${prefix}${i}`;
    const s = shardOf(Buffer.from(k), shards);
    if (used.size < shards && used.has(s)) continue;
    used.add(s);
    out.push(k);
  }
  return out;
}
