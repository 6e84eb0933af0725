// The set operations' data work (lib/store/zset-setops.ts) without sockets: ZUNION / ZINTER /
// ZDIFF over sorted sets, plain sets (score 1) and missing keys, weights and aggregates (inf, NaN
// rules, the smallest-first order of sums), WRONGTYPE when opening sources, the internal steps'
// source reads, and the encoding of a stored result. A property compares random operations over
// small integer scores (where order cannot matter) with a direct computation.
import t from 'tap';
import fc from 'fast-check';
import { openTestStore, type TestStore } from '../support/store.js';
import { RespWriter } from '../../lib/resp/writer.js';
import { setCommands } from '../../lib/commands/set.js';
import { hashCommands } from '../../lib/commands/hash.js';
import { listCommands } from '../../lib/commands/list.js';
import { T_SET, T_STRING, T_ZSET } from '../../lib/store/meta.js';
import { addMembers, type Entries } from '../../lib/store/zset.js';
import {
  Agg, SetOp, openSources, runSetOp, sortByScore, sourceInfo, sourceMembers, sourceScores, storeEncoding,
} from '../../lib/store/zset-setops.js';

const B = (s: string): Buffer => Buffer.from(s, 'latin1');

function zset(s: TestStore, key: string, pairs: Array<[number, string]>): void {
  const args = [B('ZADD'), B(key), ...pairs.flatMap(([v, m]) => [B(String(v)), B(m)])];
  s.write((x) => addMembers(x, args, 2, pairs.map((p) => p[0]), 0));
}

/** Runs another family's write through its table entry (a plain set, a hash, a list). */
function other(s: TestStore, table: typeof setCommands, name: string, ...args: string[]): void {
  const def = table.find((d) => d.name === name)!;
  s.write((x) => def.shard!({ ...x, out: new RespWriter() }, [B(name), ...args.map(B)]));
}

/** An operation over `keys`, sorted as replied: "member=score". */
function run(s: TestStore, op: SetOp, keys: string[], weights?: number[], agg = Agg.Sum): string[] {
  const e = s.read((x) => runSetOp(x, openSources(x, keys.map(B)), op, weights ?? keys.map(() => 1), agg));
  const sorted = sortByScore(e);
  return sorted.ms.map((m, i) => `${m.toString('latin1')}=${Object.is(sorted.ss[i], -0) ? '-0' : sorted.ss[i]}`);
}

t.test('union, inter, diff over sorted sets, plain sets and missing keys', async (t) => {
  const s = openTestStore(t);
  zset(s, 'a', [[1, 'x'], [2, 'y'], [3, 'z']]);
  zset(s, 'b', [[10, 'x'], [20, 'q']]);
  other(s, setCommands, 'sadd', 'st', 'x', 'z', 'w');
  t.same(run(s, SetOp.Union, ['a', 'b']), ['y=2', 'z=3', 'x=11', 'q=20']);
  t.same(run(s, SetOp.Union, ['a', 'b'], [2, -1]), ['q=-20', 'x=-8', 'y=4', 'z=6']);
  t.same(run(s, SetOp.Union, ['a', 'b'], undefined, Agg.Min), ['x=1', 'y=2', 'z=3', 'q=20']);
  t.same(run(s, SetOp.Union, ['a', 'b'], undefined, Agg.Max), ['y=2', 'z=3', 'x=10', 'q=20']);
  t.same(run(s, SetOp.Union, ['a', 'st']), ['w=1', 'x=2', 'y=2', 'z=4'], 'a plain set scores 1');
  t.same(run(s, SetOp.Inter, ['a', 'b']), ['x=11']);
  t.same(run(s, SetOp.Inter, ['a', 'st'], [3, 5]), ['x=8', 'z=14']);
  t.same(run(s, SetOp.Inter, ['a', 'none']), [], 'a missing source empties an intersection');
  t.same(run(s, SetOp.Diff, ['a', 'b']), ['y=2', 'z=3']);
  t.same(run(s, SetOp.Diff, ['a', 'none', 'st']), ['y=2'], 'missing sources are skipped');
  t.same(run(s, SetOp.Diff, ['none', 'a']), []);
  t.same(run(s, SetOp.Union, ['none']), []);
  t.same(run(s, SetOp.Inter, ['a', 'a']), ['x=2', 'y=4', 'z=6'], 'a source twice');
});

t.test('infinities: a NaN product or sum counts as 0; the smallest source is summed first', async (t) => {
  const s = openTestStore(t);
  zset(s, 'i', [[Infinity, 'a'], [-Infinity, 'b']]);
  zset(s, 'one', [[1, 'a']]);
  t.same(run(s, SetOp.Union, ['i', 'i'], [1, -1]), ['a=0', 'b=0'], 'inf + -inf');
  t.same(run(s, SetOp.Union, ['i'], [0]), ['a=0', 'b=0'], '0 * inf');
  t.same(run(s, SetOp.Inter, ['i', 'i'], [0, 1]), ['b=-Infinity', 'a=Infinity'], 'the first (weighted 0) counts 0, then the sum');
  t.same(run(s, SetOp.Inter, ['i', 'i'], [1, 0], Agg.Min), ['b=-Infinity', 'a=Infinity'], 'a NaN product does not win a MIN');
  t.same(run(s, SetOp.Inter, ['i', 'i'], [1, 0], Agg.Sum), ['a=0', 'b=0'], 'inf + NaN: the sum is NaN, so 0');
  // sum order: the 1-member source first: (1 + inf) + -inf = NaN -> 0; in key order it would be inf + -inf + 1 = 1
  zset(s, 'p', [[Infinity, 'a'], [0, 'pad1'], [0, 'pad2']]);
  zset(s, 'n', [[-Infinity, 'a'], [0, 'pad1'], [0, 'pad2'], [0, 'pad3']]);
  t.same(run(s, SetOp.Union, ['p', 'n', 'one']).filter((e) => e.startsWith('a=')), ['a=0'], 'the smallest source first');
});

t.test('the sources are type-checked when opened; the internal steps read them', async (t) => {
  const s = openTestStore(t);
  zset(s, 'z', [[1.5, 'a'], [-0, 'b']]);
  other(s, setCommands, 'sadd', 'st', 'm');
  other(s, hashCommands, 'hset', 'h', 'f', 'v');
  other(s, listCommands, 'rpush', 'l', 'e');
  s.write((x) => x.store.putString(x.db, B('str'), x.store.find(x.db, B('str'), x.now).mk, B('v'), 0, null));
  for (const k of ['h', 'l', 'str']) {
    t.throws(() => s.read((x) => openSources(x, [B('z'), B(k)])), { message: /^WRONGTYPE/ }, `WRONGTYPE for ${k}`);
    t.throws(() => s.read((x) => sourceMembers(x, B(k))), { message: /^WRONGTYPE/ });
    t.throws(() => s.read((x) => sourceScores(x, B(k), [B('a')])), { message: /^WRONGTYPE/ });
  }
  t.same(s.read((x) => ['z', 'st', 'str', 'none'].map((k) => sourceInfo(x, B(k)))), [
    { type: T_ZSET, count: 2 }, { type: T_SET, count: 1 }, { type: T_STRING, count: 0 }, { type: -1, count: 0 },
  ], 'types and sizes without type checks');
  const members = s.read((x) => sourceMembers(x, B('z')));
  t.same(members.ms.map(String), ['a', 'b']);
  t.same(members.ss, [1.5, 0]);
  t.same(s.read((x) => sourceMembers(x, B('st'))), { ms: [B('m')], ss: [1] });
  t.same(s.read((x) => sourceMembers(x, B('none'))), { ms: [], ss: [] });
  t.same(s.read((x) => sourceScores(x, B('z'), [B('a'), B('x'), B('b')])), [1.5, null, 0]);
  t.same(s.read((x) => sourceScores(x, B('st'), [B('m'), B('x')])), [1, null]);
  t.same(s.read((x) => sourceScores(x, B('none'), [B('m')])), [null]);
});

t.test('the encoding of a stored result: a listpack when small (without -0), else a skiplist', async (t) => {
  const small: Entries = { ms: [B('a'), B('b')], ss: [-0, 1] };
  t.equal(storeEncoding(small), false);
  t.ok(!Object.is(small.ss[0], -0), '-0 became 0');
  const long: Entries = { ms: [B('a'), B('y'.repeat(65))], ss: [-0, 1] };
  t.equal(storeEncoding(long), true, 'a member over 64 bytes');
  t.ok(Object.is(long.ss[0], -0), 'a skiplist keeps -0');
  const many: Entries = { ms: Array.from({ length: 129 }, (_, i) => B(`m${i}`)), ss: new Array(129).fill(1) };
  t.equal(storeEncoding(many), true, '129 members');
  t.equal(storeEncoding({ ms: many.ms.slice(1), ss: many.ss.slice(1) }), false, '128 members');
  t.same(sortByScore({ ms: [B('b'), B('a'), B('c')], ss: [1, 1, -Infinity] }), { ms: [B('c'), B('a'), B('b')], ss: [-Infinity, 1, 1] }, 'by score, then member');
});

t.test('random operations over small integer scores agree with a direct computation', async (t) => {
  const s = openTestStore(t);
  let run = 0;
  const member = fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f');
  const source = fc.oneof(
    fc.record({ kind: fc.constant('zset' as const), pairs: fc.uniqueArray(fc.tuple(fc.integer({ min: -5, max: 5 }), member), { selector: (p) => p[1], minLength: 1, maxLength: 6 }) }),
    fc.record({ kind: fc.constant('set' as const), members: fc.uniqueArray(member, { minLength: 1, maxLength: 6 }) }),
    fc.constant({ kind: 'none' as const }),
  );
  const arb = fc.record({
    sources: fc.array(source, { minLength: 1, maxLength: 4 }),
    op: fc.constantFrom(SetOp.Union, SetOp.Inter, SetOp.Diff),
    weights: fc.array(fc.constantFrom(1, 2, 0, -1, 3), { minLength: 4, maxLength: 4 }),
    agg: fc.constantFrom(Agg.Sum, Agg.Min, Agg.Max),
  });
  let failure: string | null = null;
  try {
    fc.assert(
      fc.property(arb, ({ sources, op, weights, agg }) => {
        const keys = sources.map((_, i) => `p${run}:${i}`);
        run++;
        const maps = sources.map((src, i) => {
          const m = new Map<string, number>();
          if (src.kind === 'zset') {
            zset(s, keys[i], src.pairs);
            for (const [v, mm] of src.pairs) m.set(mm, v);
          } else if (src.kind === 'set') {
            other(s, setCommands, 'sadd', keys[i], ...src.members);
            for (const mm of src.members) m.set(mm, 1);
          }
          return m;
        });
        const w = op === SetOp.Diff ? keys.map(() => 1) : weights.slice(0, keys.length);
        const combine = (a: number, b: number) => (agg === Agg.Sum ? a + b : agg === Agg.Min ? Math.min(a, b) : Math.max(a, b));
        const want = new Map<string, number>();
        if (op === SetOp.Union) {
          maps.forEach((m, i) => m.forEach((v, mm) => want.set(mm, want.has(mm) ? combine(want.get(mm)!, v * w[i]) : v * w[i])));
        } else if (op === SetOp.Inter) {
          for (const [mm] of maps[0]) {
            if (!maps.every((m) => m.has(mm))) continue;
            want.set(mm, maps.map((m, i) => m.get(mm)! * w[i]).reduce(combine));
          }
        } else {
          for (const [mm, v] of maps[0]) if (!maps.slice(1).some((m) => m.has(mm))) want.set(mm, v);
        }
        const expected = [...want].sort((a, b) => a[1] - b[1] || Buffer.compare(B(a[0]), B(b[0]))).map(([mm, v]) => `${mm}=${v === 0 ? 0 : v}`);
        const got = s.read((x) => sortByScore(runSetOp(x, openSources(x, keys.map(B)), op, w, agg)));
        const shown = got.ms.map((mm, i) => `${mm.toString('latin1')}=${got.ss[i] === 0 ? 0 : got.ss[i]}`);
        if (shown.join(' ') !== expected.join(' ')) throw new Error(`op ${op} agg ${agg} weights ${w}: ${shown.join(' ')}, want ${expected.join(' ')}`);
      }),
      { numRuns: 300 },
    );
  } catch (e) {
    const err = e as Error & { cause?: Error };
    failure = `${err.message}\n${err.cause?.message ?? ''}`;
  }
  t.equal(failure, null, `${run} random operations`);
});
