// The sorted set store against an in-memory model (fast-check): random sequences of ZADD (with its
// options), ZINCRBY, ZREM, ZPOPMIN / ZPOPMAX and queries on two keys, each write in its own
// transaction. Every return value is compared with the model's; the queries (ranges by rank, score
// and lex, counts, ranks, scores) are compared at their point of the sequence, and at the end the
// whole sets, their encodings, and the state rebuilt from the binlog effects alone.
import t from 'tap';
import fc from 'fast-check';
import { openTestStore, type TestStore } from '../support/store.js';
import { RedisError } from '../../lib/errors.js';
import { formatDouble, parseDoubleArg } from '../../lib/resp/number.js';
import {
  ZADD_CH, ZADD_GT, ZADD_LT, ZADD_NX, ZADD_XX, addMembers, card, incrMember, pop, rank, removeMembers, score, zsetKeyType, type Entries,
} from '../../lib/store/zset.js';
import { RangeBy, countByLex, countByScore, rangeEntries, type LexBound, type LexRange, type RangeQuery, type ScoreRange } from '../../lib/store/zset-range.js';

const B = (s: string): Buffer => Buffer.from(s, 'latin1');
const LP_ENTRIES = 128;
const LP_VALUE = 64;

// ------------------------------------------------------------------------------------------------
// The model: member -> score per key, and whether the set became a skiplist
// ------------------------------------------------------------------------------------------------

interface MSet {
  scores: Map<string, number>;
  big: boolean;
}

const cmpMember = (a: string, b: string): number => Buffer.compare(B(a), B(b));
const cmpEntry = (a: [string, number], b: [string, number]): number => (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : cmpMember(a[0], b[0]));

class Model {
  readonly sets = new Map<string, MSet>();

  /** A listpack keeps no -0. */
  private static norm(s: MSet, v: number): number {
    return !s.big && v === 0 ? 0 : v;
  }

  private static insert(s: MSet, m: string, v: number): void {
    if (!s.big && (s.scores.size + 1 > LP_ENTRIES || m.length > LP_VALUE)) s.big = true;
    s.scores.set(m, Model.norm(s, v));
  }

  private open(key: string, first: string): { s: MSet; fresh: boolean } {
    const s = this.sets.get(key);
    if (s) return { s, fresh: false };
    return { s: { scores: new Map(), big: first.length > LP_VALUE }, fresh: true };
  }

  private keep(key: string, s: MSet): void {
    if (s.scores.size > 0) this.sets.set(key, s);
    else this.sets.delete(key);
  }

  add(key: string, flags: number, pairs: Array<[number, string]>): number {
    if (!this.sets.has(key) && flags & ZADD_XX) return 0;
    const { s } = this.open(key, pairs[0][1]);
    let added = 0;
    let updated = 0;
    for (const [v, m] of pairs) {
      const cur = s.scores.get(m);
      if (cur !== undefined) {
        if (flags & ZADD_NX) continue;
        if ((flags & ZADD_LT && v >= cur) || (flags & ZADD_GT && v <= cur)) continue;
        if (v !== cur) {
          s.scores.set(m, Model.norm(s, v));
          updated++;
        }
      } else if (!(flags & ZADD_XX)) {
        Model.insert(s, m, v);
        added++;
      }
    }
    this.keep(key, s);
    return flags & ZADD_CH ? added + updated : added;
  }

  /** The new score, null for nothing done, 'nan' for Redis's NaN error. */
  incr(key: string, flags: number, by: number, m: string): number | null | 'nan' {
    if (!this.sets.has(key) && flags & ZADD_XX) return null;
    const { s } = this.open(key, m);
    const cur = s.scores.get(m);
    let v = by;
    if (cur !== undefined) {
      if (flags & ZADD_NX) return null;
      v += cur;
      if (Number.isNaN(v)) return 'nan';
      if ((flags & ZADD_LT && v >= cur) || (flags & ZADD_GT && v <= cur)) return null;
      if (v !== cur) s.scores.set(m, Model.norm(s, v));
    } else if (flags & ZADD_XX) return null;
    else Model.insert(s, m, v);
    this.keep(key, s);
    return v;
  }

  rem(key: string, members: string[]): number {
    const s = this.sets.get(key);
    if (!s) return 0;
    let n = 0;
    for (const m of members) if (s.scores.delete(m)) n++;
    this.keep(key, s);
    return n;
  }

  pop(key: string, max: boolean, count: number): Array<[string, number]> | null {
    const s = this.sets.get(key);
    if (!s) return null;
    const sorted = this.sorted(key);
    const taken = (max ? sorted.reverse() : sorted).slice(0, count);
    for (const [m] of taken) s.scores.delete(m);
    this.keep(key, s);
    return taken;
  }

  sorted(key: string): Array<[string, number]> {
    const s = this.sets.get(key);
    return s ? [...s.scores].sort(cmpEntry) : [];
  }

  /** Redis's rank range (index sanitizing). */
  rankRange(key: string, start: number, end: number, rev: boolean): Array<[string, number]> {
    const all = this.sorted(key);
    if (rev) all.reverse();
    const n = all.length;
    if (start < 0) start += n;
    if (end < 0) end += n;
    if (start < 0) start = 0;
    if (start > end || start >= n) return [];
    if (end >= n) end = n - 1;
    return all.slice(start, end + 1);
  }

  scoreRange(key: string, r: ScoreRange, rev: boolean, offset: number, limit: number): Array<[string, number]> {
    const all = this.sorted(key);
    if (offset > 0 && offset >= all.length) return [];
    if (offset < 0) return [];
    const inRange = all.filter(([, v]) => (r.minex ? v > r.min : v >= r.min) && (r.maxex ? v < r.max : v <= r.max));
    if (rev) inRange.reverse();
    return inRange.slice(offset, limit < 0 ? undefined : offset + limit);
  }

  /** Redis's listpack walk (the documented order for equal scores, and what respdb keeps for mixed ones). */
  lexRange(key: string, r: LexRange, rev: boolean, offset: number, limit: number): Array<[string, number]> {
    const all = this.sorted(key);
    const n = all.length;
    if (offset > 0 && offset >= n) return [];
    if (lexEmpty(r) || offset < 0 || limit === 0 || n === 0) return [];
    const gte = (m: string) => lexGte(m, r.min);
    const lte = (m: string) => lexLte(m, r.max);
    if (!gte(all[n - 1][0]) || !lte(all[0][0])) return [];
    const out: Array<[string, number]> = [];
    if (!rev) {
      let i = 0;
      while (i < n && !gte(all[i][0])) i++;
      if (i >= n || !lte(all[i][0])) return out;
      i += offset;
      while (i < n && (limit < 0 || out.length < limit) && lte(all[i][0])) out.push(all[i++]);
    } else {
      let i = n - 1;
      while (i >= 0 && !lte(all[i][0])) i--;
      if (i < 0 || !gte(all[i][0])) return out;
      i -= offset;
      while (i >= 0 && (limit < 0 || out.length < limit) && gte(all[i][0])) out.push(all[i--]);
    }
    return out;
  }
}

function lexCmp(m: string, b: LexBound): number {
  return b.inf === 0 ? cmpMember(m, b.s.toString('latin1')) : -b.inf;
}
const lexGte = (m: string, b: LexBound): boolean => (b.ex ? lexCmp(m, b) > 0 : lexCmp(m, b) >= 0);
const lexLte = (m: string, b: LexBound): boolean => (b.ex ? lexCmp(m, b) < 0 : lexCmp(m, b) <= 0);
function lexEmpty(r: LexRange): boolean {
  const a = r.min;
  const b = r.max;
  const c = a.inf !== 0 || b.inf !== 0 ? (a.inf === b.inf ? 0 : a.inf === -1 || b.inf === 1 ? -1 : 1) : cmpMember(a.s.toString('latin1'), b.s.toString('latin1'));
  return c > 0 || (c === 0 && (a.ex || b.ex));
}

// ------------------------------------------------------------------------------------------------
// Operations
// ------------------------------------------------------------------------------------------------

const SCORES = ['0', '-0', '1', '-1', '2', '2.5', '-3', '1e-310', '0.1', 'inf', '-inf', '100'];
// long members: none share their first 1,900 bytes with another long one (those order by digest)
const MEMBERS = ['a', 'b', 'c', 'd', 'e', '', 'a\0', 'B', '\xff', 'y'.repeat(65), 'L'.repeat(1900), 'L'.repeat(2000), 'M'.repeat(3000)];
const KEYS = ['a', 'b'];

const scoreArb = fc.constantFrom(...SCORES);
const memberArb = fc.oneof({ weight: 6, arbitrary: fc.constantFrom(...MEMBERS.slice(0, 9)) }, { weight: 1, arbitrary: fc.constantFrom(...MEMBERS.slice(9)) });
const keyArb = fc.constantFrom(...KEYS);
const flagsArb = fc
  .subarray([ZADD_NX, ZADD_XX, ZADD_GT, ZADD_LT, ZADD_CH])
  .map((fs) => fs.reduce((a, b) => a | b, 0))
  .filter((f) => !(f & ZADD_NX && f & ZADD_XX) && !(f & ZADD_NX && f & (ZADD_GT | ZADD_LT)) && !(f & ZADD_GT && f & ZADD_LT));
const boundArb = fc.tuple(scoreArb, fc.boolean()).map(([v, ex]) => ({ v: parseDoubleArg(B(v))!, ex }));
const lexBoundArb: fc.Arbitrary<LexBound> = fc.oneof(
  fc.constantFrom<LexBound>({ inf: -1, s: Buffer.alloc(0), ex: true }, { inf: 1, s: Buffer.alloc(0), ex: true }),
  fc.tuple(fc.oneof(memberArb, fc.constantFrom('a', 'c', 'bb', 'L', 'L'.repeat(1950), 'z'.repeat(2500))), fc.boolean()).map(([s, ex]) => ({ inf: 0 as const, s: B(s), ex })),
);
const limitArb: fc.Arbitrary<number[]> = fc.oneof(fc.constant<number[]>([0, -1]), fc.tuple(fc.integer({ min: -1, max: 4 }), fc.integer({ min: -1, max: 4 })));

type Op =
  | { t: 'add'; key: string; flags: number; pairs: Array<[string, string]> }
  | { t: 'incr'; key: string; flags: number; by: string; m: string }
  | { t: 'rem'; key: string; ms: string[] }
  | { t: 'pop'; key: string; max: boolean; count: number }
  | { t: 'rank'; key: string; start: number; end: number; rev: boolean }
  | { t: 'score'; key: string; min: { v: number; ex: boolean }; max: { v: number; ex: boolean }; rev: boolean; lim: number[] }
  | { t: 'lex'; key: string; min: LexBound; max: LexBound; rev: boolean; lim: number[] }
  | { t: 'point'; key: string; m: string };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 8, arbitrary: fc.record({ t: fc.constant('add' as const), key: keyArb, flags: fc.oneof({ weight: 3, arbitrary: fc.constant(0) }, { weight: 2, arbitrary: flagsArb }), pairs: fc.array(fc.tuple(scoreArb, memberArb), { minLength: 1, maxLength: 5 }) }) },
  // many distinct members in one ZADD: sets around the listpack's 128 members
  {
    weight: 1,
    arbitrary: fc.tuple(keyArb, fc.integer({ min: 120, max: 140 }), fc.array(scoreArb, { minLength: 1, maxLength: 4 })).map(([key, n, sc]): Op => ({
      t: 'add', key, flags: 0, pairs: Array.from({ length: n }, (_, i): [string, string] => [sc[i % sc.length], `f${String(i).padStart(3, '0')}`]),
    })),
  },
  { weight: 3, arbitrary: fc.record({ t: fc.constant('incr' as const), key: keyArb, flags: fc.oneof(fc.constant(0), flagsArb), by: scoreArb, m: memberArb }) },
  { weight: 3, arbitrary: fc.record({ t: fc.constant('rem' as const), key: keyArb, ms: fc.array(memberArb, { minLength: 1, maxLength: 3 }) }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('pop' as const), key: keyArb, max: fc.boolean(), count: fc.integer({ min: 0, max: 4 }) }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('rank' as const), key: keyArb, start: fc.integer({ min: -8, max: 8 }), end: fc.integer({ min: -8, max: 8 }), rev: fc.boolean() }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('score' as const), key: keyArb, min: boundArb, max: boundArb, rev: fc.boolean(), lim: limitArb }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('lex' as const), key: keyArb, min: lexBoundArb, max: lexBoundArb, rev: fc.boolean(), lim: limitArb }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('point' as const), key: keyArb, m: memberArb }) },
);

const fmt = (v: number): string => formatDouble(v);
const showMember = (m: string): string => (m.length > 20 ? m.slice(0, 3) + '*' + m.length : JSON.stringify(m));
const showMembers = (ms: string[]): string => ms.map(showMember).join(' ');
const show = (e: Array<[string, number]>): string => e.map(([m, v]) => `${showMember(m)}=${fmt(v)}`).join(' ');
const showEntries = (e: Entries | null): string => (e ? show(e.ms.map((m, i) => [m.toString('latin1'), e.ss[i]])) : 'nil');

const FLAG_WORDS: Array<[number, string]> = [[ZADD_NX, 'NX'], [ZADD_XX, 'XX'], [ZADD_GT, 'GT'], [ZADD_LT, 'LT'], [ZADD_CH, 'CH']];

/** Runs `op` on the store and the model; a description of the first disagreement, or null. */
function step(s: TestStore, m: Model, prefix: string, op: Op, effects: string[][]): string | null {
  const key = prefix + op.key;
  const K = B(key);
  const write = <T>(fn: Parameters<TestStore['write']>[0]): T => {
    const r = s.write(fn);
    effects.push(...r.effects);
    return r.result as T;
  };
  switch (op.t) {
    case 'add': {
      const words = FLAG_WORDS.filter(([f]) => op.flags & f).map(([, w]) => w);
      const args = [B('ZADD'), K, ...words.map(B), ...op.pairs.flatMap(([v, mm]) => [B(v), B(mm)])];
      const scores = op.pairs.map(([v]) => parseDoubleArg(B(v))!);
      const got = write<number>((x) => addMembers(x, args, 2 + words.length, scores, op.flags));
      const want = m.add(key, op.flags, op.pairs.map(([v, mm], i) => [scores[i], mm]));
      return got === want ? null : `ZADD returned ${got}, model ${want}`;
    }
    case 'incr': {
      const by = parseDoubleArg(B(op.by))!;
      const want = m.incr(key, op.flags, by, op.m);
      let got: number | null | 'nan';
      try {
        got = write<number | null>((x) => incrMember(x, K, B(op.m), by, op.flags));
      } catch (e) {
        if (!(e instanceof RedisError)) throw e;
        got = 'nan';
      }
      return Object.is(got, want) ? null : `ZINCRBY returned ${got}, model ${want}`;
    }
    case 'rem': {
      const got = write<number>((x) => removeMembers(x, [B('ZREM'), K, ...op.ms.map(B)], 2));
      const want = m.rem(key, op.ms);
      return got === want ? null : `ZREM returned ${got}, model ${want}`;
    }
    case 'pop': {
      const got = showEntries(write<Entries | null>((x) => pop(x, K, op.max, op.count)));
      const w = m.pop(key, op.max, op.count);
      const want = w ? show(w) : 'nil';
      return got === want ? null : `ZPOP${op.max ? 'MAX' : 'MIN'} ${op.count}: ${got}, model ${want}`;
    }
    case 'rank': {
      const q: RangeQuery = { by: RangeBy.Rank, rev: op.rev, offset: 0, limit: -1, start: op.start, end: op.end, score: null, lex: null };
      const got = showEntries(s.read((x) => rangeEntries(x, K, q, true)) ?? { ms: [], ss: [] });
      const want = show(m.rankRange(key, op.start, op.end, op.rev));
      return got === want ? null : `ZRANGE ${op.start} ${op.end}${op.rev ? ' REV' : ''}: ${got}, model ${want}`;
    }
    case 'score': {
      const r: ScoreRange = { min: op.min.v, minex: op.min.ex, max: op.max.v, maxex: op.max.ex };
      const [offset, limit] = op.lim;
      const q: RangeQuery = { by: RangeBy.Score, rev: op.rev, offset, limit, start: 0, end: 0, score: r, lex: null };
      const got = showEntries(s.read((x) => rangeEntries(x, K, q, true)) ?? { ms: [], ss: [] });
      const want = show(m.scoreRange(key, r, op.rev, offset, limit));
      if (got !== want) return `ZRANGE BYSCORE ${JSON.stringify(r)}${op.rev ? ' REV' : ''} LIMIT ${offset} ${limit}: ${got}, model ${want}`;
      const n = s.read((x) => countByScore(x, K, r));
      const wn = m.scoreRange(key, r, false, 0, -1).length;
      return n === wn ? null : `ZCOUNT ${JSON.stringify(r)}: ${n}, model ${wn}`;
    }
    case 'lex': {
      const r: LexRange = { min: op.min, max: op.max };
      const [offset, limit] = op.lim;
      const q: RangeQuery = { by: RangeBy.Lex, rev: op.rev, offset, limit, start: 0, end: 0, score: null, lex: r };
      const e = s.read((x) => rangeEntries(x, K, q, false));
      const got = showMembers(e ? e.ms.map((mm) => mm.toString('latin1')) : []);
      const want = showMembers(m.lexRange(key, r, op.rev, offset, limit).map(([mm]) => mm));
      const desc = `${op.min.inf || (op.min.ex ? '(' : '[') + op.min.s.toString('latin1').slice(0, 5)} ${op.max.inf || (op.max.ex ? '(' : '[') + op.max.s.toString('latin1').slice(0, 5)}`;
      if (got !== want) return `ZRANGE BYLEX ${desc}${op.rev ? ' REV' : ''} LIMIT ${offset} ${limit}: ${got}, model ${want}`;
      const n = s.read((x) => countByLex(x, K, r));
      const wn = m.lexRange(key, r, false, 0, -1).length;
      return n === wn ? null : `ZLEXCOUNT ${desc}: ${n}, model ${wn}`;
    }
    case 'point': {
      const sorted = m.sorted(key);
      const i = sorted.findIndex(([mm]) => mm === op.m);
      const want = [i < 0 ? null : sorted[i][1], i < 0 ? null : i, i < 0 ? null : sorted.length - 1 - i, sorted.length];
      const got = s.read((x) => [score(x, K, B(op.m)), rank(x, K, B(op.m), false), rank(x, K, B(op.m), true), card(x, K)]);
      return got.every((g, j) => Object.is(g, want[j])) ? null : `ZSCORE/ZRANK/ZREVRANK/ZCARD ${op.m.slice(0, 5)}: ${got}, model ${want}`;
    }
  }
}

/** The state the binlog effects alone rebuild (ZADD with its options, ZREM, DEL), by the model's rules. */
function replay(effects: string[][]): Model {
  const m = new Model();
  for (const e of effects) {
    if (e[0] === 'ZADD') {
      let i = 2;
      let flags = 0;
      for (;; i++) {
        const f = FLAG_WORDS.find(([, w]) => w === e[i]);
        if (!f) break;
        flags |= f[0];
      }
      const pairs: Array<[number, string]> = [];
      for (; i < e.length; i += 2) pairs.push([parseDoubleArg(B(e[i]))!, e[i + 1]]);
      m.add(e[1], flags, pairs);
    } else if (e[0] === 'ZREM') m.rem(e[1], e.slice(2));
    else if (e[0] === 'DEL') m.sets.delete(e[1]);
    else throw new Error(`unexpected effect ${e[0]}`);
  }
  return m;
}

t.test('random sequences against the model', async (t) => {
  const s = openTestStore(t);
  let run = 0;
  let ops = 0;
  let failure: string | null = null;
  try {
    fc.assert(
      fc.property(fc.array(opArb, { minLength: 5, maxLength: 80, size: 'max' }), (seq) => {
        const prefix = `r${run++}:`;
        const m = new Model();
        const effects: string[][] = [];
        for (let i = 0; i < seq.length; i++) {
          ops++;
          const d = step(s, m, prefix, seq[i], effects);
          if (d) throw new Error(`op #${i} ${seq[i].t} on ${seq[i].key}: ${d}`);
        }
        const rebuilt = replay(effects);
        for (const k of KEYS) {
          const key = prefix + k;
          const got = showEntries(s.read((x) => rangeEntries(x, B(key), { by: RangeBy.Rank, rev: false, offset: 0, limit: -1, start: 0, end: -1, score: null, lex: null }, true)) ?? { ms: [], ss: [] });
          const want = show(m.sorted(key));
          if (got !== want) throw new Error(`final ${k}: ${got}, model ${want}`);
          const meta = s.read((x) => x.store.get(x.db, B(key), x.now));
          const enc = meta ? zsetKeyType.encoding(meta) : null;
          const set = m.sets.get(key);
          const wantEnc = set ? (set.big ? 'skiplist' : 'listpack') : null;
          if (enc !== wantEnc) throw new Error(`final ${k}: encoding ${enc}, model ${wantEnc}`);
          const replayed = show(rebuilt.sorted(key));
          if (replayed !== want) throw new Error(`final ${k} rebuilt from the effects: ${replayed}, model ${want}`);
        }
      }),
      { numRuns: 200 },
    );
  } catch (e) {
    const err = e as Error & { cause?: Error };
    failure = `${err.message}\n${err.cause?.message ?? ''}`;
  }
  t.equal(failure, null, `${run} random sequences agree with the model`);
  t.ok(ops > 1000, `${ops} operations`);
});
