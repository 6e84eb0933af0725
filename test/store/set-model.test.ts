// The set store against a model (fast-check): random sequences of SADD, SREM, SPOP (with and
// without a count), SMOVE and SRANDMEMBER over three keys, run through lib/store/set.ts one write
// transaction per step, beside a JS Set per key. After every step: the returned values and the
// binlog effects agree with the model, and every set's slot numbering is dense and complete
// (slots 0..count-1 each hold one member, each member records its slot), its count and OBJECT
// ENCODING are the model's, and an emptied set is gone.
import t from 'tap';
import fc from 'fast-check';
import { openTestStore, type TestStore } from '../support/store.js';
import { addMembers, intsetOrder, moveMember, popMember, popMembers, randomMembers, removeMembers } from '../../lib/store/set.js';
import { b, bs, setLayout, sorted, strs } from './set-support.js';

const LONG = 'L'.repeat(2000);
const LONG2 = 'L'.repeat(1900) + 'M'.repeat(100);
const INTS = ['1', '2', '3', '-7', '10', '0'];
const MEMBERS = [...INTS, 'a', 'b', '', LONG, LONG2];
const KEYS = ['a', 'b', 'c'];

type Op =
  | { op: 'SADD' | 'SREM'; key: string; members: string[] }
  | { op: 'SPOP'; key: string; count: number | null }
  | { op: 'SMOVE'; src: string; dst: string; member: string }
  | { op: 'SRANDMEMBER'; key: string; count: number };

const key = fc.constantFrom(...KEYS);
const member = fc.constantFrom(...MEMBERS);
const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ op: fc.constant('SADD' as const), key, members: fc.array(member, { minLength: 1, maxLength: 6 }) }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('SREM' as const), key, members: fc.array(member, { minLength: 1, maxLength: 4 }) }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('SPOP' as const), key, count: fc.option(fc.integer({ min: 0, max: 12 }), { nil: null }) }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('SMOVE' as const), src: key, dst: key, member }) },
  fc.record({ op: fc.constant('SRANDMEMBER' as const), key, count: fc.integer({ min: -15, max: 15 }) }),
);

/** A set of the model: its members and whether Redis would have made it a hashtable. */
interface ModelSet {
  members: Set<string>;
  big: boolean;
}

const isInt = (m: string): boolean => INTS.includes(m);

/** How SMEMBERS (and SPOP of the whole set) lists a set: an intset in numeric order, else byte order. */
function listing(s: ModelSet): string[] {
  const ms = [...s.members].sort((x, y) => Buffer.compare(b(x), b(y)));
  return s.big ? ms : strs(intsetOrder(bs(...ms)));
}

/** Runs one step on the store and on the model; returns what disagrees. */
function step(s: TestStore, model: Map<string, ModelSet>, pre: string, o: Op): string[] {
  const bad: string[] = [];
  const expect = (what: string, got: unknown, want: unknown) => {
    if (JSON.stringify(got) !== JSON.stringify(want)) bad.push(`${what}: got ${JSON.stringify(got)}, want ${JSON.stringify(want)}`);
  };
  const k = (name: string) => pre + name;
  switch (o.op) {
    case 'SADD': {
      const { result, effects } = s.write((x) => addMembers(x, bs('SADD', k(o.key), ...o.members)));
      const m = model.get(o.key) ?? { members: new Set<string>(), big: false };
      const before = m.members.size;
      for (const x of o.members) {
        m.members.add(x);
        if (!isInt(x)) m.big = true;
      }
      if (m.members.size > 0) model.set(o.key, m);
      expect('SADD', result, m.members.size - before);
      expect('SADD effects', effects, result > 0 ? [['SADD', k(o.key), ...o.members]] : []);
      break;
    }
    case 'SREM': {
      const { result, effects } = s.write((x) => removeMembers(x, bs('SREM', k(o.key), ...o.members)));
      const m = model.get(o.key);
      let n = 0;
      if (m) for (const x of o.members) if (m.members.delete(x)) n++;
      if (m && m.members.size === 0) model.delete(o.key);
      expect('SREM', result, n);
      expect('SREM effects', effects, n > 0 ? [['SREM', k(o.key), ...o.members]] : []);
      break;
    }
    case 'SPOP': {
      const m = model.get(o.key);
      if (o.count === null) {
        const { result, effects } = s.write((x) => popMember(x, b(k(o.key))));
        if (!m) {
          expect('SPOP of a missing key', result, null);
          expect('SPOP effects', effects, []);
          break;
        }
        const got = result === null ? null : result.toString('latin1');
        if (got === null || !m.members.has(got)) bad.push(`SPOP returned ${got}, not a member`);
        else m.members.delete(got);
        if (m.members.size === 0) model.delete(o.key);
        expect('SPOP effects', effects, [['SREM', k(o.key), got]]);
        break;
      }
      const { result, effects } = s.write((x) => popMembers(x, b(k(o.key)), BigInt(o.count!)));
      const got = strs(result);
      if (!m || o.count === 0) {
        expect('SPOP n of nothing', got, []);
        expect('SPOP n effects', effects, []);
        break;
      }
      if (o.count >= m.members.size) {
        expect('SPOP n of the whole set', got, listing(m));
        expect('SPOP n effects', effects, [['DEL', k(o.key)]]);
        model.delete(o.key);
        break;
      }
      if (got.length !== o.count || new Set(got).size !== o.count || !got.every((x) => m.members.has(x))) bad.push(`SPOP ${o.count} returned ${JSON.stringify(got)}`);
      for (const x of got) m.members.delete(x);
      // a count that leaves at most a fifth of itself: Redis re-creates the rest from scratch
      if (m.members.size * 5 <= o.count) m.big = m.members.size > 512 || ![...m.members].every(isInt);
      expect('SPOP n effects', effects, [['SREM', k(o.key), ...got]]);
      break;
    }
    case 'SMOVE': {
      const { result, effects } = s.write((x) => moveMember(x, bs('SMOVE', k(o.src), k(o.dst), o.member)));
      const from = model.get(o.src);
      let want = 0;
      if (from && o.src === o.dst) want = from.members.has(o.member) ? 1 : 0;
      else if (from && from.members.has(o.member)) {
        want = 1;
        from.members.delete(o.member);
        if (from.members.size === 0) model.delete(o.src);
        const to = model.get(o.dst) ?? { members: new Set<string>(), big: false };
        to.members.add(o.member);
        if (!isInt(o.member)) to.big = true;
        model.set(o.dst, to);
      }
      expect('SMOVE', result, want);
      expect('SMOVE effects', effects, want === 1 && o.src !== o.dst ? [['SMOVE', k(o.src), k(o.dst), o.member]] : []);
      break;
    }
    case 'SRANDMEMBER': {
      const got = s.read((x) => strs(randomMembers(x, b(k(o.key)), BigInt(o.count))));
      const m = model.get(o.key);
      const size = m ? m.members.size : 0;
      const n = o.count >= 0 ? Math.min(o.count, size) : size === 0 ? 0 : -o.count;
      if (got.length !== n) bad.push(`SRANDMEMBER ${o.count}: ${got.length} members, want ${n}`);
      if (m && !got.every((x) => m.members.has(x))) bad.push(`SRANDMEMBER ${o.count}: not members`);
      if (o.count > 0 && new Set(got).size !== got.length) bad.push(`SRANDMEMBER ${o.count}: repeats`);
      break;
    }
  }
  // every key against the model
  for (const name of KEYS) {
    const l = setLayout(s, k(name));
    const m = model.get(name);
    if (!m) {
      if (l) bad.push(`${name}: exists in the store (${l.count} members), not in the model`);
      continue;
    }
    if (!l) {
      bad.push(`${name}: missing from the store`);
      continue;
    }
    bad.push(...l.problems.map((p) => `${name}: ${p}`));
    expect(`${name} members`, sorted(l.bySlot), sorted([...m.members]));
    expect(`${name} encoding`, l.encoding, m.big ? 'hashtable' : 'intset');
  }
  return bad;
}

t.test('random SADD / SREM / SPOP / SMOVE sequences against a model', async (t) => {
  const s = openTestStore(t);
  let run = 0;
  let steps = 0;
  let failure: string | null = null;
  try {
    fc.assert(
      fc.property(fc.array(opArb, { minLength: 1, maxLength: 60 }), (ops) => {
        // a fresh prefix per run: a fresh keyspace (fast-check's shrinking reruns too)
        const pre = `r${run++}:`;
        const model = new Map<string, ModelSet>();
        for (const o of ops) {
          const bad = step(s, model, pre, o);
          steps++;
          if (bad.length) throw new Error(`after ${JSON.stringify(o)}: ${bad.join('; ')}`);
        }
      }),
      { numRuns: 300 },
    );
  } catch (e) {
    failure = (e as Error).message;
  }
  t.equal(failure, null, 'the store agrees with the model after every step');
  t.ok(steps >= 300, `${steps} steps checked`);
});
