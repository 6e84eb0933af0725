// HRANDFIELD's sampling of a hash: exact uniform picks for hashes of up to EXACT_SAMPLE fields
// (and whenever the reply is a large fraction of the hash), and for bigger hashes random walks
// down the implicit trie of their subkeys (seeks only), so no call reads the whole hash: every
// field can come up, but not with exactly equal probability. The count's meaning (repetitions,
// the whole hash) and its limits are the command room's (lib/commands/hash.ts).

import type { ShardStore } from './shard-store.js';
import type { Coll } from './collections.js';
import { idRange, memberOf } from './collections.js';
import { EMPTY, allEntries, asBuf, type Entry } from './hash.js';
import { pickDistinct, randInt } from './random.js';

/** Hashes up to this size are sampled exactly (from all their fields). */
export const EXACT_SAMPLE = 1024;

/** A uniform integer in [0, n). */
export type Choose = (n: number) => number;

function pickFrom(all: Entry[]): Entry {
  return all[randInt(all.length)];
}

/** A node of the implicit trie of a hash's subkeys: the subkeys starting with a prefix. */
interface TrieNode {
  first: Buffer;
  /** length of the common prefix of all subkeys under the node */
  lcp: number;
  /** the common prefix is itself a subkey */
  hasEnd: boolean;
  /** distinct bytes that follow the common prefix */
  kids: number[];
}

/** The first byte string after every string that starts with `prefix` (null: none). */
function prefixEnd(prefix: Buffer): Buffer | null {
  let n = prefix.length;
  while (n > 0 && prefix[n - 1] === 0xff) n--;
  if (n === 0) return null;
  const e = Buffer.from(prefix.subarray(0, n));
  e[n - 1]++;
  return e;
}

function startsWith(b: Uint8Array, prefix: Uint8Array): boolean {
  if (b.length < prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) if (b[i] !== prefix[i]) return false;
  return true;
}

const ZERO = Buffer.from([0]);

/**
 * Random fields of a big hash without reading all of it: a walk down the implicit trie of its
 * subkeys (seeks only), taking a uniformly random branch (or the end of a field) at each
 * branching point. Fields are not picked exactly uniformly (a field in a small branch is more
 * likely than one in a big branch), but every field can come up and picks are independent.
 * Nodes are cached for one command, so many picks share the upper levels.
 */
export class TrieSampler {
  private readonly nodes = new Map<string, TrieNode>();
  private readonly root: Buffer;

  constructor(
    private readonly store: ShardStore,
    id: number,
    private readonly values: boolean,
  ) {
    this.root = idRange(id).start;
  }

  /** The first subkey >= from that starts with `prefix`, or null. */
  private firstFrom(from: Buffer, end: Buffer | null, prefix: Uint8Array): Buffer | null {
    for (const k of this.store.sub.getKeys(end ? { start: from, end, limit: 1 } : { start: from, limit: 1 })) {
      const key = k as Buffer;
      return startsWith(key, prefix) ? Buffer.from(key) : null;
    }
    return null;
  }

  private node(prefix: Buffer): TrieNode {
    const memo = prefix.toString('latin1');
    const known = this.nodes.get(memo);
    if (known) return known;
    const end = prefixEnd(prefix);
    const first = this.firstFrom(prefix, end, prefix)!;
    let last = first;
    // lmdb-js: a reverse range starts at `start` (inclusive), so skip `end` itself.
    const rev = end ? { start: end, end: prefix, reverse: true, limit: 2 } : { start: prefix, reverse: true, limit: 2 };
    for (const k of this.store.sub.getKeys(rev)) {
      if (startsWith(k as Buffer, prefix)) {
        last = Buffer.from(k as Buffer);
        break;
      }
    }
    let lcp = prefix.length;
    while (lcp < first.length && lcp < last.length && first[lcp] === last[lcp]) lcp++;
    const hasEnd = first.length === lcp;
    const kids: number[] = [];
    if (!first.equals(last)) {
      const base = first.subarray(0, lcp);
      let at: Buffer | null = hasEnd ? this.firstFrom(Buffer.concat([base, ZERO]), end, base) : first;
      while (at && at.length > lcp) {
        const b = at[lcp];
        kids.push(b);
        if (b === 0xff) break;
        at = this.firstFrom(Buffer.concat([base, Buffer.from([b + 1])]), end, base);
      }
    }
    const n: TrieNode = { first, lcp, hasEnd, kids };
    this.nodes.set(memo, n);
    return n;
  }

  /**
   * One field (with its value when the sampler was made with values), the hash being non-empty.
   * `choose` picks a branch at each branching point (tests pass their own to walk every path).
   */
  pick(choose: Choose = randInt): Entry {
    let prefix = this.root;
    for (;;) {
      const n = this.node(prefix);
      const r = choose(n.kids.length + (n.hasEnd ? 1 : 0));
      if (r === n.kids.length) return this.entry(n.first);
      prefix = Buffer.concat([n.first.subarray(0, n.lcp), Buffer.from([n.kids[r]])]);
    }
  }

  private entry(subkey: Buffer): Entry {
    if (!this.values) return [memberOf(this.store, subkey), EMPTY];
    const v = this.store.sub.getBinary(subkey);
    return [memberOf(this.store, subkey), v === undefined ? EMPTY : asBuf(v)];
  }
}

/** One random field of the non-empty hash `c` (HRANDFIELD without a count). */
export function randomField(store: ShardStore, c: Coll): Buffer {
  const e = c.count <= EXACT_SAMPLE ? pickFrom(allEntries(store, c.id, false)) : new TrieSampler(store, c.id, false).pick();
  return e[0];
}

/** `count` independent picks from the non-empty hash `c`, repetitions allowed, in random order. */
export function randomEntries(store: ShardStore, c: Coll, count: number, values: boolean): Entry[] {
  const picks: Entry[] = new Array(count);
  if (c.count <= EXACT_SAMPLE || count * 4 >= c.count) {
    const all = allEntries(store, c.id, values);
    for (let i = 0; i < count; i++) picks[i] = pickFrom(all);
  } else {
    const p = new TrieSampler(store, c.id, values);
    for (let i = 0; i < count; i++) picks[i] = p.pick();
  }
  return picks;
}

/** `count` distinct fields of the hash `c`; all of them, in field order, when count >= its size. */
export function distinctEntries(store: ShardStore, c: Coll, count: number, values: boolean): Entry[] {
  const size = c.count;
  if (count >= size) return allEntries(store, c.id, values);
  if (size > EXACT_SAMPLE && count * 3 <= size) {
    const p = new TrieSampler(store, c.id, values);
    const seen = new Map<string, Entry>();
    for (let tries = count * 20 + 100; tries > 0 && seen.size < count; tries--) {
      const e = p.pick();
      const k = e[0].toString('latin1');
      if (!seen.has(k)) seen.set(k, e);
    }
    if (seen.size === count) return [...seen.values()];
  }
  return pickDistinct(allEntries(store, c.id, values), count);
}
