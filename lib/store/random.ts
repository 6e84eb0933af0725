// The random picks of SRANDMEMBER / SPOP, HRANDFIELD and ZRANDMEMBER: one uniform integer draw and
// one partial Fisher-Yates shuffle for all of them.

/** A uniform integer in [0, n). */
export function randInt(n: number): number {
  return Math.floor(Math.random() * n);
}

/** `k` distinct random elements of `items`, in random order (a partial Fisher-Yates shuffle; reorders `items`). */
export function pickDistinct<T>(items: T[], k: number): T[] {
  for (let i = 0; i < k; i++) {
    const j = i + randInt(items.length - i);
    const t = items[i];
    items[i] = items[j];
    items[j] = t;
  }
  return items.length === k ? items : items.slice(0, k);
}
