// HRANDFIELD's sampling in the store (lib/store/hash-sample.ts) without a server: the trie walk
// reaches every field of a hash by exactly one path (walked exhaustively: empty, binary, nested
// and long fields), every field of a big hash comes up under random picks, distinct picks are
// distinct (on the walk's and the exact path), picks with repetition have their count, and values
// belong to their fields.
import t from 'tap';
import { openTestStore, type TestStore } from '../support/store.js';
import type { Coll } from '../../lib/store/collections.js';
import { openHash, setFields, type Entry } from '../../lib/store/hash.js';
import { EXACT_SAMPLE, TrieSampler, distinctEntries, randomEntries, randomField } from '../../lib/store/hash-sample.js';

const b = (s: string): Buffer => Buffer.from(s, 'latin1');
const hex = (f: Buffer): string => f.toString('hex');

/** Creates the hash `key` with `fields`, each valued by its hex (so a value shows its field). */
function makeHash(s: TestStore, key: string, fields: Buffer[]): Coll {
  const cmd = [b('HSET'), b(key)];
  for (const f of fields) cmd.push(f, b(hex(f)));
  s.write((x) => setFields(x, cmd));
  return s.read((x) => openHash(x, b(key))!);
}

/**
 * Every field the walk can reach, by walking every path: the first pick takes branch 0 at each
 * branching point, noting the other branches there as paths still to walk.
 */
function walkEveryPath(sampler: TrieSampler): { entries: Entry[]; badChoice: number } {
  const entries: Entry[] = [];
  const todo: number[][] = [[]];
  let badChoice = 0;
  while (todo.length) {
    const script = todo.pop()!;
    const taken: number[] = [];
    entries.push(
      sampler.pick((n) => {
        if (n < 1) badChoice++;
        let r = 0;
        if (taken.length < script.length) r = script[taken.length];
        else for (let i = 1; i < n; i++) todo.push([...taken, i]);
        taken.push(r);
        return r;
      }),
    );
  }
  return { entries, badChoice };
}

const LONG = Buffer.alloc(1900, 'L');
/** Fields that stress the walk: the empty field, prefixes of each other, 0x00 / 0xff bytes, long fields. */
const TRICKY = [
  b(''),
  b('a'),
  b('ab'),
  b('abc'),
  b('abd'),
  Buffer.from([0]),
  Buffer.from([0, 0]),
  Buffer.from([0xfe]),
  Buffer.from([0xff]),
  Buffer.from([0xff, 0xfe]),
  Buffer.from([0xff, 0xff]),
  Buffer.from([0xff, 0xff, 0]),
  Buffer.from([0x7f, 0xff, 0xff]),
  Buffer.concat([LONG, b('1')]),
  Buffer.concat([LONG, b('2')]),
  Buffer.alloc(4000, 'M'),
  b('x'.repeat(1900)),
];

t.test('the trie walk reaches every field by exactly one path', async (t) => {
  const s = openTestStore(t);
  const big = [...TRICKY, ...Array.from({ length: 1200 }, (_, i) => b(`f${i}`))];
  const cases: Array<[string, Buffer[]]> = [
    ['big', big],
    ['only-empty', [b('')]],
    ['one', [b('one')]],
    ['tricky', TRICKY],
  ];
  for (const [key, fields] of cases) {
    const c = makeHash(s, key, fields);
    t.equal(c.count, fields.length, `${key}: ${fields.length} fields`);
    for (const values of [false, true]) {
      const { entries, badChoice } = s.read((x) => walkEveryPath(new TrieSampler(x.store, c.id, values)));
      t.equal(badChoice, 0, `${key}: no branching point without a choice`);
      t.equal(entries.length, fields.length, `${key}: as many paths as fields`);
      t.same(entries.map(([f]) => hex(f)).sort(), fields.map(hex).sort(), `${key}: the paths end at every field once${values ? ' (with values)' : ''}`);
      if (values) t.ok(entries.every(([f, v]) => v.toString() === hex(f)), `${key}: each with its value`);
      else t.ok(entries.every(([, v]) => v.length === 0), `${key}: no values when not asked`);
    }
  }
});

t.test('every field of a big hash comes up under random picks', async (t) => {
  const s = openTestStore(t);
  // k0000..k1099: the walk picks k0xyz with probability 1/2000, k10yz with 1/200, so 100,000
  // picks miss one with a probability below 1e-18
  const n = 1100;
  t.ok(n > EXACT_SAMPLE, 'big enough for the walk');
  const fields = Array.from({ length: n }, (_, i) => b(`k${String(i).padStart(4, '0')}`));
  const c = makeHash(s, 'big', fields);
  const seen = new Set<string>();
  let picks = 0;
  let bad = 0;
  // 250 picks per call: count * 4 < size, so the walk runs (not the exact path)
  for (let call = 0; call < 400 && seen.size < n; call++) {
    const got = s.read((x) => randomEntries(x.store, c, 250, true));
    picks += got.length;
    for (const [f, v] of got) {
      if (v.toString() !== hex(f) || !/^k\d{4}$/.test(f.toString())) bad++;
      seen.add(f.toString());
    }
  }
  t.equal(bad, 0, 'every pick is a field with its value');
  t.equal(seen.size, n, `all ${n} fields came up (${picks} picks)`);

  // HRANDFIELD without a count: the walk for a big hash, the exact pick for a small one
  const singles = new Set<string>();
  // (1000 picks: about 220 of the k0 fields and 90 of the k1 fields come up)
  for (let i = 0; i < 1000; i++) singles.add(s.read((x) => randomField(x.store, c)).toString());
  t.ok([...singles].every((f) => /^k\d{4}$/.test(f)), 'single picks are fields');
  t.ok(singles.size > 150, `1000 single picks from a big hash give many fields (${singles.size})`);
  const small = makeHash(s, 'small', Array.from({ length: 10 }, (_, i) => b(`s${i}`)));
  const fromSmall = new Set<string>();
  for (let i = 0; i < 500; i++) fromSmall.add(s.read((x) => randomField(x.store, small)).toString());
  t.equal(fromSmall.size, 10, 'every field of a 10-field hash among 500 single picks');
});

t.test('distinct picks are distinct; repetitions have their count', async (t) => {
  const s = openTestStore(t);
  const n = 1500;
  const big = makeHash(s, 'big', [...TRICKY, ...Array.from({ length: n - TRICKY.length }, (_, i) => b(`f${i}`))]);
  const small = makeHash(s, 'small', Array.from({ length: 30 }, (_, i) => b(`s${i}`)));
  const all = (c: Coll) => new Set(s.read((x) => distinctEntries(x.store, c, c.count, false)).map(([f]) => hex(f)));
  for (const [name, c] of [['big', big], ['small', small]] as const) {
    const members = all(c);
    t.equal(members.size, c.count, `${name}: a count of the size gives the whole hash`);
    // big: up to a third of the size by the walk, above it from all the fields
    const counts = name === 'big' ? [1, 2, 10, 100, 500, 501, 1000, 1499, 1500, 5000] : [1, 5, 29, 30, 100];
    for (const count of counts) {
      for (let round = 0; round < 3; round++) {
        const got = s.read((x) => distinctEntries(x.store, c, count, true));
        const fs = got.map(([f]) => hex(f));
        t.equal(got.length, Math.min(count, c.count), `${name} ${count}: the count (round ${round})`);
        t.equal(new Set(fs).size, fs.length, `${name} ${count}: distinct`);
        t.ok(fs.every((f) => members.has(f)), `${name} ${count}: fields of the hash`);
        t.ok(got.every(([f, v]) => v.toString() === hex(f)), `${name} ${count}: with their values`);
      }
    }
    // random: two draws of 5 differ (the chance they are equal is far below 1e-9)
    const draws = new Set<string>();
    for (let i = 0; i < 5; i++) draws.add(s.read((x) => distinctEntries(x.store, c, 5, false)).map(([f]) => hex(f)).sort().join());
    t.ok(draws.size > 1, `${name}: five draws of 5 are not all the same`);
    for (const count of [1, 7, 300, 5000]) {
      const got = s.read((x) => randomEntries(x.store, c, count, true));
      t.equal(got.length, count, `${name}: ${count} picks with repetition`);
      t.ok(got.every(([f, v]) => members.has(hex(f)) && v.toString() === hex(f)), `${name}: ${count} picks are fields with their values`);
    }
  }
  // 60 picks from 3 fields repeat some
  const three = makeHash(s, 'three', [b('a'), b('b'), b('c')]);
  const picks = s.read((x) => randomEntries(x.store, three, 60, false)).map(([f]) => f.toString());
  t.same([...new Set(picks)].sort(), ['a', 'b', 'c'], 'all three fields among 60 picks with repetition');
});
