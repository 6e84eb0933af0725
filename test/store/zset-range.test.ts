// Sorted set ranges in the store (lib/store/zset-range.ts) without sockets: by rank (negative and
// out-of-range ranks), by score (exclusive ends, infinities, -0 = 0, LIMIT), by lex (the listpack
// walk over mixed scores, the seek over equal scores, bounds longer than a key), reversed; counts;
// ZREMRANGEBY* (values and effects); ZRANGESTORE's source encoding.
import t from 'tap';
import { openTestStore, type TestStore } from '../support/store.js';
import { addMembers } from '../../lib/store/zset.js';
import {
  RangeBy, countByLex, countByScore, rangeEntries, rangeToStore, removeLexRange, removeRankRange, removeScoreRange,
  type LexBound, type LexRange, type RangeQuery, type ScoreRange,
} from '../../lib/store/zset-range.js';

const B = (s: string): Buffer => Buffer.from(s, 'latin1');
const Z = B('z');

/** Adds "score member" pairs to `key`. */
function add(s: TestStore, key: string, ...pairs: Array<[number, string]>): void {
  const args = [B('ZADD'), B(key), ...pairs.flatMap(([sc, m]) => [B(String(sc)), B(m)])];
  s.write((x) => addMembers(x, args, 2, pairs.map((p) => p[0]), 0));
}

const q = (o: Partial<RangeQuery>): RangeQuery => ({ by: RangeBy.Rank, rev: false, offset: 0, limit: -1, start: 0, end: -1, score: null, lex: null, ...o });
const sr = (min: number, max: number, minex = false, maxex = false): ScoreRange => ({ min, max, minex, maxex });
/** A lex bound in Redis's syntax: '-', '+', '[x' or '(x'. */
function lb(b: string): LexBound {
  if (b === '-') return { inf: -1, s: Buffer.alloc(0), ex: true };
  if (b === '+') return { inf: 1, s: Buffer.alloc(0), ex: true };
  return { inf: 0, s: B(b.slice(1)), ex: b[0] === '(' };
}
const lr = (min: string, max: string): LexRange => ({ min: lb(min), max: lb(max) });

/** Members of a range (with ":score" when withScores). */
function range(s: TestStore, query: RangeQuery, withScores = false, key = Z): string[] | null {
  const e = s.read((x) => rangeEntries(x, key, query, withScores));
  if (!e) return null;
  return e.ms.map((m, i) => (withScores ? `${m.toString('latin1')}:${e.ss[i]}` : m.toString('latin1')));
}

t.test('by rank', async (t) => {
  const s = openTestStore(t);
  add(s, 'z', [1, 'a'], [2, 'b'], [3, 'c'], [4, 'd'], [5, 'e']);
  t.same(range(s, q({})), ['a', 'b', 'c', 'd', 'e']);
  t.same(range(s, q({ start: 1, end: 3 }), true), ['b:2', 'c:3', 'd:4']);
  t.same(range(s, q({ start: 1, end: 3, rev: true })), ['d', 'c', 'b'], 'REV counts ranks from the top');
  t.same(range(s, q({ start: -2, end: -1 })), ['d', 'e']);
  t.same(range(s, q({ start: -100, end: 100 })), ['a', 'b', 'c', 'd', 'e'], 'clamped');
  t.same(range(s, q({ start: 3, end: 1 })), []);
  t.same(range(s, q({ start: 5, end: 10 })), []);
  t.same(range(s, q({ start: -1, end: -2 })), []);
  t.same(range(s, q({ start: 4, end: 4 })), ['e']);
  t.equal(range(s, q({}), false, B('missing')), null, 'a missing key');
});

t.test('by score', async (t) => {
  const s = openTestStore(t);
  add(s, 'z', [-Infinity, 'ninf'], [-1, 'm1'], [-0, 'mz'], [0, 'z0'], [1.5, 'x'], [2, 'y'], [Infinity, 'inf']);
  const by = (r: ScoreRange, o: Partial<RangeQuery> = {}) => range(s, q({ by: RangeBy.Score, score: r, ...o }));
  t.same(by(sr(-Infinity, Infinity)), ['ninf', 'm1', 'mz', 'z0', 'x', 'y', 'inf']);
  t.same(by(sr(0, 0)), ['mz', 'z0'], '-0 and 0 are one score; ties by member');
  t.same(by(sr(-0, 0, true)), [], '(0 0 is empty');
  t.same(by(sr(-1, 2, true, true)), ['mz', 'z0', 'x']);
  t.same(by(sr(2, -1)), [], 'min > max');
  t.same(by(sr(Infinity, Infinity)), ['inf']);
  t.same(by(sr(-Infinity, -Infinity, false, false)), ['ninf']);
  t.same(by(sr(Infinity, Infinity, true)), [], '(inf: past the end');
  t.same(by(sr(-Infinity, Infinity), { rev: true, offset: 1, limit: 2 }), ['y', 'x'], 'REV with LIMIT');
  t.same(by(sr(-Infinity, Infinity), { offset: 2, limit: 0 }), [], 'LIMIT count 0');
  t.same(by(sr(-Infinity, Infinity), { offset: -1, limit: 2 }), [], 'a negative offset gives nothing');
  t.same(by(sr(-Infinity, Infinity), { offset: 7, limit: 1 }), [], 'an offset past the end');
  t.same(by(sr(-Infinity, Infinity), { offset: 6, limit: -5 }), ['inf'], 'a negative count: no limit');
  t.same(s.read((x) => [countByScore(x, Z, sr(-Infinity, Infinity)), countByScore(x, Z, sr(0, 0)), countByScore(x, Z, sr(1.5, 1.5, true)), countByScore(x, Z, sr(3, 1))]), [7, 2, 0, 0]);
  t.equal(s.read((x) => countByScore(x, B('missing'), sr(0, 1))), 0);
});

t.test('by lex: the listpack walk over mixed scores, a seek over equal ones', async (t) => {
  const s = openTestStore(t);
  add(s, 'mixed', [1, 'b'], [2, 'a'], [3, 'd'], [4, 'c']);
  const M = B('mixed');
  const lex = (key: Buffer, min: string, max: string, o: Partial<RangeQuery> = {}) => range(s, q({ by: RangeBy.Lex, lex: lr(min, max), ...o }), false, key);
  t.same(lex(M, '-', '+'), ['b', 'a', 'd', 'c'], 'the whole set in score order');
  t.same(lex(M, '[a', '[c'), ['b', 'a'], 'from the first member >= a (b), while <= c (d stops it)');
  t.same(lex(M, '[b', '[c'), ['b', 'a'], 'from b while <= c');
  t.same(lex(M, '[b', '[z', { offset: 2, limit: 5 }), ['d', 'c'], 'the offset skips blindly');
  t.same(lex(M, '[a', '[c', { rev: true }), ['c', 'd', 'a', 'b'], 'backward: from the last member <= c, while >= a');
  t.same(lex(M, '[a', '[b', { rev: true }), ['a', 'b'], 'backward: down to the last member <= b (a), then while >= a');
  t.same(lex(M, '(b', '+'), ['d', 'c']);
  t.same(s.read((x) => [countByLex(x, M, lr('[b', '[c')), countByLex(x, M, lr('-', '+')), countByLex(x, M, lr('+', '-'))]), [2, 4, 0]);

  const eq = Array.from({ length: 150 }, (_, i): [number, string] => [7, `w${String(i).padStart(3, '0')}`]);
  add(s, 'eq', ...eq);
  const E = B('eq');
  t.same(lex(E, '[w010', '(w013'), ['w010', 'w011', 'w012']);
  t.same(lex(E, '(w010', '[w013', { rev: true, offset: 1, limit: 2 }), ['w012', 'w011']);
  t.same(lex(E, '[w148', '+'), ['w148', 'w149']);
  t.same(lex(E, '[x', '+'), []);
  t.same(lex(E, '-', '[a'), []);
  t.same(lex(E, '-', '[' + 'w'.repeat(3000)), eq.map((p) => p[1]), 'a bound longer than a key walks instead of seeking');
  t.same(s.read((x) => [countByLex(x, E, lr('(w010', '+')), countByLex(x, E, lr('-', '(w100')), countByLex(x, E, lr('[w0', '(w0'))]), [139, 100, 0]);
  t.same(lex(E, '[b', '[a'), [], 'an empty range');
  t.equal(s.read((x) => countByLex(x, B('missing'), lr('-', '+'))), 0);
});

t.test('ZREMRANGEBY*: the members removed, their ZREM, an emptied set deleted', async (t) => {
  const s = openTestStore(t);
  add(s, 'z', [1, 'a'], [2, 'b'], [3, 'c'], [4, 'd'], [5, 'e']);
  t.same(s.write((x) => removeRankRange(x, Z, 1, 2)), { result: 2, effects: [['ZREM', 'z', 'b', 'c']] });
  t.same(s.write((x) => removeRankRange(x, Z, 5, 10)), { result: 0, effects: [] }, 'nothing in range: nothing logged');
  t.same(s.write((x) => removeScoreRange(x, Z, sr(1, 4, true))), { result: 1, effects: [['ZREM', 'z', 'd']] });
  t.same(s.write((x) => removeLexRange(x, Z, lr('-', '(e'))), { result: 1, effects: [['ZREM', 'z', 'a']] });
  t.same(s.write((x) => removeLexRange(x, Z, lr('-', '+'))), { result: 1, effects: [['ZREM', 'z', 'e']] });
  t.equal(s.read((x) => x.store.get(x.db, Z, x.now)), null, 'the emptied set is gone');
  t.same(s.write((x) => removeScoreRange(x, Z, sr(0, 1))), { result: 0, effects: [] }, 'a missing key');
});

t.test("ZRANGESTORE's source: entries in range order and the encoding Redis ends with", async (t) => {
  const s = openTestStore(t);
  const pairs = Array.from({ length: 200 }, (_, i): [number, string] => [i % 5 ? (i % 7) - 3 : -0, `m${String(i).padStart(3, '0')}`]);
  add(s, 'big', ...pairs);
  const src = B('big');
  const store = (query: RangeQuery) => s.read((x) => rangeToStore(x, src, query));
  const all = store(q({}));
  t.equal(all.e.ms.length, 200);
  t.equal(all.big, true, 'a rank range over 128 members: a skiplist from the start');
  t.ok(all.e.ss.some((v) => Object.is(v, -0)), 'which keeps -0');
  const some = store(q({ start: 0, end: 100 }));
  t.equal(some.big, false, '101 members: a listpack');
  t.notOk(some.e.ss.some((v) => Object.is(v, -0)), 'without -0');
  const byScore = store(q({ by: RangeBy.Score, score: sr(-Infinity, Infinity) }));
  t.equal(byScore.big, true, 'a score range converts when it passes 128 members');
  t.notOk(byScore.e.ss.slice(0, 128).some((v) => Object.is(v, -0)), 'the first 128 went into the listpack: no -0');
  t.same(s.read((x) => rangeToStore(x, B('missing'), q({}))), { e: { ms: [], ss: [] }, big: false });
  add(s, 'long', [1, 'a'], [2, 'y'.repeat(65)], [3, 'b']);
  t.equal(s.read((x) => rangeToStore(x, B('long'), q({}))).big, true, 'a member over 64 bytes converts');
  t.equal(s.read((x) => rangeToStore(x, B('long'), q({ start: 0, end: 0 }))).big, false);
});
