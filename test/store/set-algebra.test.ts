// The set algebra of one shard (lib/store/set-algebra.ts) without a server: SINTER SUNION SDIFF
// and SINTERCARD over present, missing and repeated keys, WRONGTYPE over an empty result, the
// result sets written by the *STORE forms (a fresh dense numbering, the encoding Redis gives a new
// set, no TTL, the destination replaced or deleted, the effects), the steps of a cross-shard set
// command, and the union of lists gathered from several shards.
import t, { type Test } from 'tap';
import { openTestStore, type TestStore } from '../support/store.js';
import { WrongTypeError } from '../../lib/store/collections.js';
import { addMembers } from '../../lib/store/set.js';
import { cardinalities, combine, combineInto, filterMembers, interCard, mergeUnion, replaceSet, unionOfKeys, writeSet, type SetOp } from '../../lib/store/set-algebra.js';
import { b, bs, cmd, setLayout, sorted, strs } from './set-support.js';
import { EV } from '../../lib/store/key-events.js';

const LONG = 'Z'.repeat(3000);
const range = (a: number, z: number): string[] => Array.from({ length: z - a + 1 }, (_, i) => String(a + i));

function sadd(s: TestStore, key: string, ...ms: string[]): void {
  s.write((x) => addMembers(x, cmd('SADD', key, ...ms)));
}

const run = (s: TestStore, op: SetOp, ...keys: string[]): string[] => s.read((x) => strs(combine(x, op, bs(...keys))));

/** Sets a, b, c (a long member in a and b), intsets i1, i2, and a string `str`. */
function fixture(t: Test): TestStore {
  const s = openTestStore(t);
  sadd(s, 'a', 'a', 'b', 'c', 'd', '1', '2', '3', LONG);
  sadd(s, 'b', 'b', 'c', 'd', 'e', '2', '3', '4', LONG);
  sadd(s, 'c', 'c', 'd', '3', '9');
  sadd(s, 'i1', '30', '10', '20', '5');
  sadd(s, 'i2', '20', '5', '7');
  s.write((x) => {
    const f = x.store.find(x.db, b('str'), x.now);
    x.store.putString(x.db, b('str'), f.mk, b('v'), 0, f.meta);
  });
  return s;
}

t.test('SINTER SUNION SDIFF over present, missing and repeated keys', async (t) => {
  const s = fixture(t);
  t.same(sorted(run(s, 'inter', 'a', 'b')), sorted(['b', 'c', 'd', '2', '3', LONG]));
  t.same(sorted(run(s, 'inter', 'a', 'b', 'c')), sorted(['c', 'd', '3']));
  t.same(sorted(run(s, 'inter', 'b', 'a', 'a')), sorted(run(s, 'inter', 'a', 'b')), 'a key twice');
  t.same(run(s, 'inter', 'a', 'nokey'), [], 'a missing key empties the intersection');
  t.same(sorted(run(s, 'union', 'a', 'c', 'nokey')), sorted(['a', 'b', 'c', 'd', '1', '2', '3', '9', LONG]));
  t.same(run(s, 'union', 'nokey', 'nokey2'), []);
  t.same(sorted(run(s, 'diff', 'a', 'b')), ['1', 'a']);
  t.same(sorted(run(s, 'diff', 'b', 'a', 'c')), ['4', 'e']);
  t.same(run(s, 'diff', 'a', 'a'), []);
  t.same(run(s, 'diff', 'nokey', 'a'), [], 'a missing first key: nothing');
  t.same(sorted(run(s, 'diff', 'a', 'nokey')), sorted(run(s, 'union', 'a')));
  t.same(run(s, 'inter', 'i1', 'i2'), ['5', '20'], 'intsets: numeric order');
  t.same(run(s, 'union', 'i1', 'i2'), ['5', '7', '10', '20', '30']);
  t.same(run(s, 'diff', 'i1', 'i2'), ['10', '30']);
  t.ok(run(s, 'union', 'a').includes(LONG), 'a long member comes back whole');
});

t.test('WRONGTYPE wins over an empty result', async (t) => {
  const s = fixture(t);
  const wrong = (fn: () => unknown): boolean => {
    try {
      fn();
    } catch (e) {
      return e instanceof WrongTypeError;
    }
    return false;
  };
  for (const op of ['inter', 'union', 'diff'] as const) {
    for (const keys of [['str'], ['a', 'str'], ['nokey', 'str'], ['str', 'nokey']]) {
      t.ok(wrong(() => run(s, op, ...keys)), `${op} ${keys.join(' ')}`);
    }
  }
  t.ok(wrong(() => s.read((x) => interCard(x, bs('nokey', 'str'), 0))), 'SINTERCARD');
  t.ok(wrong(() => s.write((x) => combineInto(x, 'inter', cmd('SINTERSTORE', 'dst', 'nokey', 'str')))), 'SINTERSTORE');
  t.ok(wrong(() => s.read((x) => cardinalities(x, bs('a', 'str')))), 'set-cards');
  t.ok(wrong(() => s.read((x) => unionOfKeys(x, bs('nokey', 'str')))), 'set-union');
  t.ok(wrong(() => s.read((x) => filterMembers(x, 'inter', bs('nokey', 'str'), bs('a')))), 'set-inter');
  t.ok(wrong(() => s.read((x) => filterMembers(x, 'diff', bs('str'), bs('a')))), 'set-diff');
  t.equal(setLayout(s, 'dst'), null, 'nothing was written');
});

t.test('SINTERCARD with and without a limit', async (t) => {
  const s = fixture(t);
  const card = (limit: number, ...keys: string[]) => s.read((x) => interCard(x, bs(...keys), limit));
  t.equal(card(0, 'a', 'b'), 6);
  t.equal(card(1, 'a', 'b'), 1);
  t.equal(card(4, 'a', 'b'), 4);
  t.equal(card(100, 'a', 'b'), 6);
  t.equal(card(0, 'a', 'b', 'c'), 3);
  t.equal(card(0, 'a', 'nokey'), 0);
  t.equal(card(0, 'a'), 8);
});

t.test('the *STORE forms write a new set', async (t) => {
  const s = fixture(t);
  const store = (op: SetOp, ...args: string[]) => s.write((x) => combineInto(x, op, cmd(`S${op.toUpperCase()}STORE`, ...args)));
  t.same(store('inter', 'dst', 'a', 'b'), { result: 6, effects: [['SINTERSTORE', 'dst', 'a', 'b']] }, 'logged as sent');
  let l = setLayout(s, 'dst')!;
  t.same(l.problems, [], 'a dense numbering');
  t.same(sorted(l.bySlot), sorted(['b', 'c', 'd', '2', '3', LONG]));
  t.equal(l.encoding, 'hashtable');
  t.same(store('inter', 'dst', 'i1', 'i2').result, 2);
  l = setLayout(s, 'dst')!;
  t.equal(l.encoding, 'intset', 'the destination starts over: an intset of integers');
  t.same(l.problems, []);
  // the TTL of the old destination does not carry over
  s.write((x) => x.store.setExpire(0, x.store.get(0, b('dst'), x.now)!, x.now + 100000));
  store('union', 'dst', 'c');
  t.equal(s.read((x) => x.store.get(0, b('dst'), x.now)!.expireAt), 0, 'no TTL');
  t.same(store('inter', 'dst', 'a', 'nokey'), { result: 0, effects: [['SINTERSTORE', 'dst', 'a', 'nokey']] }, 'an empty result deletes the destination');
  t.equal(setLayout(s, 'dst'), null);
  t.same(store('inter', 'dst', 'a', 'nokey'), { result: 0, effects: [] }, 'an empty result into a missing key changes nothing: nothing logged');
  t.same(store('diff', 'a', 'a', 'b').result, 2, 'the destination among the sources');
  t.same(sorted(setLayout(s, 'a')!.bySlot), ['1', 'a']);
  t.same(store('union', 'str', 'c').result, 4, 'a string destination is replaced');
  t.same(sorted(setLayout(s, 'str')!.bySlot), sorted(['c', 'd', '3', '9']));
  sadd(s, 'big', ...range(1, 600));
  t.same(store('union', 'u', 'big').result, 600);
  t.equal(setLayout(s, 'u')!.encoding, 'hashtable', 'more than 512 integers: a hashtable');
  t.same(setLayout(s, 'u')!.problems, []);
});

t.test('writeSet', async (t) => {
  const s = fixture(t);
  t.same(s.write((x) => writeSet(x, b('w'), bs('3', '1', '2'))), { result: true, effects: [] }, 'no binlog of its own');
  t.same(setLayout(s, 'w')!.bySlot, ['3', '1', '2'], 'members in slots 0..n-1 in the order given');
  t.equal(s.write((x) => writeSet(x, b('w'), [])).result, true, 'no members: the key is deleted');
  t.equal(setLayout(s, 'w'), null);
  t.equal(s.write((x) => writeSet(x, b('w'), [])).result, false, 'nothing to delete: nothing changed');
});

t.test('the steps of a cross-shard set command', async (t) => {
  const s = fixture(t);
  t.same(s.read((x) => cardinalities(x, bs('a', 'nokey', 'c'))), [8, 0, 4], 'set-cards');
  t.same(sorted(s.read((x) => strs(unionOfKeys(x, bs('c', 'i2', 'nokey'))))), sorted(['c', 'd', '3', '9', '20', '5', '7']), 'set-union');
  const cand = bs('a', 'b', 'c', 'zz', '3');
  t.same(s.read((x) => strs(filterMembers(x, 'inter', bs('a', 'b'), cand))), ['b', 'c', '3'], 'set-inter keeps the candidates in every key, in their order');
  t.same(s.read((x) => strs(filterMembers(x, 'inter', bs('a', 'nokey'), cand))), [], 'set-inter with a missing key: none');
  t.same(s.read((x) => strs(filterMembers(x, 'diff', bs('b', 'nokey'), cand))), ['a', 'zz'], 'set-diff keeps those in none of the keys');
  // set-store: DEL when the key existed, SADD of the members in chunks of 1,000
  const ms = range(1, 2500).map((i) => `m${i}`);
  const { result, effects } = s.write((x) => replaceSet(x, b('c'), bs(...ms), EV.sunionstore));
  t.equal(result, 2500);
  t.same(effects[0], ['DEL', 'c'], 'DEL of the old set');
  t.same(effects.slice(1).map((e) => [e[0], e[1], e.length - 2]), [['SADD', 'c', 1000], ['SADD', 'c', 1000], ['SADD', 'c', 500]], 'then SADD in chunks of 1,000');
  t.same(effects.slice(1).flatMap((e) => e.slice(2)), ms, 'every member once');
  const l = setLayout(s, 'c')!;
  t.same(l.problems, []);
  t.equal(l.count, 2500);
  t.same(s.write((x) => replaceSet(x, b('new'), bs('1', '2'), EV.sunionstore)).effects, [['SADD', 'new', '1', '2']], 'a new key: no DEL');
  t.equal(setLayout(s, 'new')!.encoding, 'intset');
  t.same(s.write((x) => replaceSet(x, b('new'), [], EV.sunionstore)), { result: 0, effects: [['DEL', 'new']] }, 'no members: the key is deleted');
  t.same(s.write((x) => replaceSet(x, b('new'), [], EV.sunionstore)), { result: 0, effects: [] }, 'no members, no key: nothing');
});

t.test('the union of lists gathered from several shards', async (t) => {
  t.same(strs(mergeUnion([bs('b', 'a'), bs('a', 'c'), []])), ['b', 'a', 'c'], 'each member once, in first-seen order');
  t.same(strs(mergeUnion([bs('10', '2'), bs('2', '-1')])), ['-1', '2', '10'], 'integers: numeric order');
  t.same(mergeUnion([]), []);
});
