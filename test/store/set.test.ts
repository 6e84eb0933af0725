// The set store room (lib/store/set.ts) without a server: returned values, binlog effects, the
// dense slot numbering after every kind of write, encoding upgrades (and where Redis starts over),
// empty sets deleted, expiry, WRONGTYPE before anything changes, long members (> 1,900 bytes),
// random draws, SSCAN steps, SMOVE within a shard, and the set key type's operations.
import t, { type Test } from 'tap';
import { openTestStore, type TestStore } from '../support/store.js';
import { WrongTypeError } from '../../lib/store/collections.js';
import { payload } from '../../lib/store/meta.js';
import { RedisError } from '../../lib/errors.js';
import type { StoreCtx } from '../../lib/store/context.js';
import {
  MAX_RANDOM_REPLY,
  addMembers,
  cardinality,
  hasMember,
  intsetOrder,
  members,
  moveMember,
  openSet,
  popMember,
  popMembers,
  randomMember,
  randomMembers,
  removeMembers,
  scanSet,
  setKeyType,
} from '../../lib/store/set.js';
import { b, bs, cmd, setLayout, sorted, strs } from './set-support.js';

const LONG_A = 'A'.repeat(2500);
const LONG_B = 'A'.repeat(1900) + 'B'.repeat(600); // shares its first 1,900 bytes with LONG_A
const range = (a: number, z: number): string[] => Array.from({ length: z - a + 1 }, (_, i) => String(a + i));

/** SADD key members... in one transaction: [added, effects]. */
function sadd(s: TestStore, key: string, ...ms: string[]): [number, string[][]] {
  const { result, effects } = s.write((x) => addMembers(x, cmd('SADD', key, ...ms)));
  return [result, effects];
}

function srem(s: TestStore, key: string, ...ms: string[]): [number, string[][]] {
  const { result, effects } = s.write((x) => removeMembers(x, cmd('SREM', key, ...ms)));
  return [result, effects];
}

const list = (s: TestStore, key: string): string[] => s.read((x) => strs(members(x, b(key))));

/** A dense, complete numbering of exactly `want` (any order). */
function dense(t: Test, s: TestStore, key: string, want: string[], msg: string): void {
  const l = setLayout(s, key);
  t.ok(l, `${msg}: the set exists`);
  if (!l) return;
  t.same(l.problems, [], `${msg}: slots 0..count-1 hold each member once`);
  t.same(sorted(l.bySlot), sorted(want), `${msg}: the slots hold exactly the members`);
  t.equal(l.count, want.length, `${msg}: count`);
}

/** The error `fn` throws (null when it returns). */
function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  return null;
}

function putString(s: TestStore, key: string, v: string): void {
  s.write((x) => {
    const f = x.store.find(x.db, b(key), x.now);
    x.store.putString(x.db, b(key), f.mk, b(v), 0, f.meta);
  });
}

t.test('SADD and SREM: counts, effects, slots, the emptied set deleted', async (t) => {
  const s = openTestStore(t);
  t.same(sadd(s, 's', 'a', 'b', 'a', 'c'), [3, [['SADD', 's', 'a', 'b', 'a', 'c']]], 'three new members; the command logged as sent');
  t.same(sadd(s, 's', 'b', 'c'), [0, []], 'nothing new: nothing logged');
  dense(t, s, 's', ['a', 'b', 'c'], 'after SADD');
  t.same(srem(s, 's', 'a', 'zz'), [1, [['SREM', 's', 'a', 'zz']]], 'one removed, logged as sent');
  dense(t, s, 's', ['b', 'c'], 'after removing the first slot');
  t.same(srem(s, 's', 'zz'), [0, []], 'nothing removed: nothing logged');
  t.same(srem(s, 'nokey', 'a'), [0, []], 'a missing key: 0');
  t.same(srem(s, 's', 'b', 'c', 'b'), [2, [['SREM', 's', 'b', 'c', 'b']]], 'the rest removed');
  t.equal(setLayout(s, 's'), null, 'the emptied set is deleted');
  t.equal(s.read((x) => x.store.get(0, b('s'), x.now)), null, 'no record left');
  t.equal(s.read((x) => cardinality(x, b('s'))), 0);
  t.same(sadd(s, 's', ''), [1, [['SADD', 's', '']]], 'the empty member');
  t.ok(s.read((x) => hasMember(x, b('s'), b(''))));
});

t.test('removals in any slot keep the numbering dense', async (t) => {
  const s = openTestStore(t);
  const all = range(1, 40).map((i) => `m${i}`);
  sadd(s, 'd', ...all);
  dense(t, s, 'd', all, '40 members');
  let left = all;
  // the last slot, the first, one in the middle, then several at once
  for (const gone of [['m40'], ['m1'], ['m20'], ['m2', 'm39', 'm21', 'm22', 'nope']]) {
    srem(s, 'd', ...gone);
    left = left.filter((m) => !gone.includes(m));
    dense(t, s, 'd', left, `without ${gone.join(' ')}`);
  }
  t.equal(s.read((x) => cardinality(x, b('d'))), left.length, 'SCARD follows');
});

t.test('encoding: intset up to 512 integers, hashtable after, never back', async (t) => {
  const s = openTestStore(t);
  const enc = (k: string): string | undefined => setLayout(s, k)?.encoding;
  sadd(s, 'i', ...range(1, 512));
  t.equal(enc('i'), 'intset', '512 integers');
  sadd(s, 'i', '513');
  t.equal(enc('i'), 'hashtable', '513');
  srem(s, 'i', '513', '1', '2');
  t.equal(enc('i'), 'hashtable', 'removals do not convert back');
  sadd(s, 'j', '1', '-9223372036854775808', '9223372036854775807');
  t.equal(enc('j'), 'intset', 'the int64 range');
  for (const m of ['9223372036854775808', '01', '+1', ' 1', '1.0', '0x10', 'a', '']) {
    const k = `n${m}`;
    sadd(s, k, '1', m);
    t.equal(enc(k), 'hashtable', `${JSON.stringify(m)} is not an integer Redis keeps in an intset`);
  }
  t.equal(s.read((x) => setKeyType.encoding(x.store.get(0, b('j'), x.now)!)), 'intset', 'setKeyType.encoding reads the flag');
  t.equal(s.read((x) => setKeyType.refcount(x.store.get(0, b('j'), x.now)!)), 1);
});

t.test('member order: an intset in numeric order, a hashtable in byte order', async (t) => {
  const s = openTestStore(t);
  sadd(s, 'i', '100', '-3', '7', '42', '0', '-9223372036854775808', '12');
  t.same(list(s, 'i'), ['-9223372036854775808', '-3', '0', '7', '12', '42', '100']);
  sadd(s, 'h', '100', 'b', '7', 'a');
  t.same(list(s, 'h'), ['100', '7', 'a', 'b']);
  t.same(strs(intsetOrder(bs('3', '1', '2'))), ['1', '2', '3'], 'intsetOrder sorts integers');
  t.same(strs(intsetOrder(bs('3', 'x', '2'))), ['3', 'x', '2'], 'and leaves anything else as it is');
  t.same(s.read((x) => members(x, b('nokey'))), [], 'a missing key has no members');
});

t.test('WRONGTYPE before anything changes', async (t) => {
  const s = openTestStore(t);
  putString(s, 'str', 'v');
  sadd(s, 'set', 'a');
  const k = b('str');
  const reads: Array<[string, (x: StoreCtx) => unknown]> = [
    ['openSet', (x) => openSet(x, k)],
    ['cardinality', (x) => cardinality(x, k)],
    ['hasMember', (x) => hasMember(x, k, b('a'))],
    ['members', (x) => members(x, k)],
    ['randomMember', (x) => randomMember(x, k)],
    ['randomMembers', (x) => randomMembers(x, k, 3n)],
    ['randomMembers, an impossible count', (x) => randomMembers(x, k, -(2n ** 40n))],
  ];
  for (const [name, fn] of reads) t.ok(thrown(() => s.read(fn)) instanceof WrongTypeError, `${name} throws WRONGTYPE`);
  const writes: Array<[string, (x: StoreCtx) => unknown]> = [
    ['addMembers', (x) => addMembers(x, cmd('SADD', 'str', 'a'))],
    ['removeMembers', (x) => removeMembers(x, cmd('SREM', 'str', 'a'))],
    ['popMember', (x) => popMember(x, k)],
    ['popMembers', (x) => popMembers(x, k, 2n)],
    ['moveMember from it', (x) => moveMember(x, cmd('SMOVE', 'str', 'set', 'a'))],
    ['moveMember into it', (x) => moveMember(x, cmd('SMOVE', 'set', 'str', 'a'))],
    ['moveMember into it, the member absent', (x) => moveMember(x, cmd('SMOVE', 'set', 'str', 'zz'))],
  ];
  for (const [name, fn] of writes) t.ok(thrown(() => s.write(fn)) instanceof WrongTypeError, `${name} throws WRONGTYPE`);
  t.equal(s.read((x) => payload(x.store.get(0, k, x.now)!).toString()), 'v', 'the string is intact');
  t.same(list(s, 'set'), ['a'], 'the set is intact');
  t.same(s.write((x) => moveMember(x, cmd('SMOVE', 'nokey', 'str', 'a'))), { result: 0, effects: [] }, 'a missing source answers 0 before the destination is checked');
});

t.test('expiry: an expired set reads as missing and is replaced by a new one', async (t) => {
  const s = openTestStore(t);
  sadd(s, 'x', 'a', 'b');
  s.write((x) => x.store.setExpire(0, x.store.get(0, b('x'), x.now)!, x.now + 1000));
  sadd(s, 'x', 'c');
  t.equal(s.read((x) => x.store.get(0, b('x'), x.now)!.expireAt), s.now + 1000, 'SADD keeps the TTL');
  s.now += 1001;
  t.equal(s.read((x) => cardinality(x, b('x'))), 0, 'expired: SCARD 0');
  t.equal(s.read((x) => randomMember(x, b('x'))), null, 'expired: no member drawn');
  const { result, effects } = s.write((x) => addMembers(x, cmd('SADD', 'x', 'new')));
  t.equal(result, 1);
  t.same(effects, [['SADD', 'x', 'new']], "SADD's own effect (the store logs the expired key's DEL itself)");
  dense(t, s, 'x', ['new'], 'a new set, without the old members');
  t.equal(s.read((x) => x.store.get(0, b('x'), x.now)!.expireAt), 0, 'and without the TTL');
});

t.test('long members (> 1,900 bytes) keep their slots and come back whole', async (t) => {
  const s = openTestStore(t);
  sadd(s, 'l', LONG_A, 'short', LONG_B);
  dense(t, s, 'l', [LONG_A, 'short', LONG_B], 'two long members sharing their first 1,900 bytes');
  t.ok(s.read((x) => hasMember(x, b('l'), b(LONG_B))));
  t.notOk(s.read((x) => hasMember(x, b('l'), b('A'.repeat(2501)))));
  t.same(sorted(list(s, 'l')), sorted([LONG_A, 'short', LONG_B]));
  // removing the first slot moves the last slot's long member into it
  srem(s, 'l', LONG_A);
  dense(t, s, 'l', ['short', LONG_B], 'after removing the first');
  const draws = new Set(s.read((x) => strs(randomMembers(x, b('l'), -50n))));
  t.same(sorted([...draws]), sorted(['short', LONG_B]), 'draws return the whole long member');
  const popped: string[] = [];
  for (let i = 0; i < 2; i++) popped.push(s.write((x) => popMember(x, b('l'))).result!.toString('latin1'));
  t.same(sorted(popped), sorted(['short', LONG_B]), 'SPOP returns the whole long member');
  t.equal(s.read((x) => [...x.store.long.getKeys({})].length), 0, 'nothing left in long');
});

t.test('SRANDMEMBER: counts, distinctness, the whole set, the limit', async (t) => {
  const s = openTestStore(t);
  const all = range(1, 100).map((i) => `m${i}`);
  sadd(s, 'r', ...all);
  const inSet = new Set(all);
  t.equal(s.read((x) => randomMembers(x, b('nokey'), 5n)).length, 0, 'a missing key: none');
  t.equal(s.read((x) => randomMembers(x, b('nokey'), -(2n ** 40n))).length, 0, 'a missing key: none, whatever the count');
  t.equal(s.read((x) => randomMembers(x, b('r'), 0n)).length, 0, 'count 0: none');
  t.equal(s.read((x) => randomMember(x, b('nokey'))), null);
  for (const n of [1, 10, 24, 25, 99]) {
    const r = s.read((x) => strs(randomMembers(x, b('r'), BigInt(n))));
    t.equal(r.length, n, `${n}: ${n} members`);
    t.equal(new Set(r).size, n, `${n}: distinct`);
    t.ok(r.every((m) => inSet.has(m)), `${n}: members of the set`);
  }
  t.same(s.read((x) => strs(randomMembers(x, b('r'), 100n))), list(s, 'r'), 'the whole set, in listing order');
  t.same(s.read((x) => strs(randomMembers(x, b('r'), 1000n))), list(s, 'r'), 'more than the set: the whole set');
  for (const n of [5, 300]) {
    const r = s.read((x) => strs(randomMembers(x, b('r'), BigInt(-n))));
    t.equal(r.length, n, `-${n}: ${n} draws`);
    t.ok(r.every((m) => inSet.has(m)), `-${n}: members of the set`);
  }
  const seen = new Set(s.read((x) => strs(randomMembers(x, b('r'), -5000n))));
  t.equal(seen.size, 100, '5,000 draws reach every member');
  const tooMany = thrown(() => s.read((x) => randomMembers(x, b('r'), -BigInt(MAX_RANDOM_REPLY + 1))));
  t.ok(tooMany instanceof RedisError, 'a negative count past the limit is a RedisError');
  t.equal((tooMany as Error).message, `ERR SRANDMEMBER count is too large (respdb answers at most ${MAX_RANDOM_REPLY} members)`);
  t.equal(s.read((x) => randomMembers(x, b('r'), -BigInt(MAX_RANDOM_REPLY))).length, MAX_RANDOM_REPLY, 'the limit itself is answered');
  t.ok(inSet.has(s.read((x) => randomMember(x, b('r')))!.toString()), 'one draw');
  dense(t, s, 'r', all, 'draws change nothing');
});

t.test('SPOP: effects, the rest, the encoding Redis rebuilds', async (t) => {
  const s = openTestStore(t);
  const all = range(1, 20);
  sadd(s, 'p', ...all);
  const one = s.write((x) => popMember(x, b('p')));
  t.same(one.effects, [['SREM', 'p', one.result!.toString()]], 'SPOP logs SREM of the member');
  let left = all.filter((m) => m !== one.result!.toString());
  dense(t, s, 'p', left, 'after SPOP');
  const three = s.write((x) => popMembers(x, b('p'), 3n));
  const got = strs(three.result);
  t.equal(new Set(got).size, 3, 'three distinct members');
  t.ok(got.every((m) => left.includes(m)), 'members of the set');
  t.same(three.effects, [['SREM', 'p', ...got]], 'logged as SREM of exactly those');
  left = left.filter((m) => !got.includes(m));
  dense(t, s, 'p', left, 'after SPOP 3');
  t.same(s.write((x) => popMembers(x, b('p'), 0n)), { result: [], effects: [] }, 'count 0: nothing');
  t.same(s.write((x) => popMembers(x, b('nokey'), 3n)), { result: [], effects: [] }, 'a missing key: nothing');
  t.same(s.write((x) => popMember(x, b('nokey'))), { result: null, effects: [] });
  const rest = s.write((x) => popMembers(x, b('p'), 1000n));
  t.same(strs(rest.result), [...left].sort((a, z) => Number(a) - Number(z)), 'the whole set, in intset order');
  t.same(rest.effects, [['DEL', 'p']], 'logged as DEL');
  t.equal(setLayout(s, 'p'), null, 'the key is gone');
  sadd(s, 'q', 'only');
  t.same(s.write((x) => popMember(x, b('q'))).effects, [['SREM', 'q', 'only']], 'the last member: SREM');
  t.equal(setLayout(s, 'q'), null, 'and the set is gone');
  // a count leaving at most a fifth of itself: Redis re-creates the rest, whose encoding starts over
  for (let i = 0; i < 12; i++) {
    const k = `e${i}`;
    sadd(s, k, ...range(1, 9), 'x');
    s.write((x) => popMembers(x, b(k), 9n));
    const l = setLayout(s, k)!;
    t.equal(l.encoding, l.bySlot[0] === 'x' ? 'hashtable' : 'intset', `SPOP 9 of {1..9, x} leaving ${l.bySlot[0]}: ${l.encoding}`);
  }
  sadd(s, 'f', ...range(1, 30), 'y');
  srem(s, 'f', 'y');
  s.write((x) => popMembers(x, b('f'), 10n));
  t.equal(setLayout(s, 'f')!.encoding, 'hashtable', 'a count leaving more than a fifth keeps the encoding');
});

t.test('SSCAN steps: an intset whole, a hashtable by COUNT', async (t) => {
  const s = openTestStore(t);
  sadd(s, 'i', '3', '1', '2');
  const step = s.read((x) => scanSet(x.store, openSet(x, b('i'))!, 12345n, 1));
  t.same([strs(step.members), step.next], [['1', '2', '3'], 0n], 'an intset: all of it, cursor 0, whatever the cursor and COUNT');
  const all = range(1, 95).map((i) => `w${i}`);
  sadd(s, 'h', ...all);
  const seen: string[] = [];
  let cursor = 0n;
  let steps = 0;
  do {
    const r = s.read((x) => scanSet(x.store, openSet(x, b('h'))!, cursor, 10));
    t.ok(r.members.length <= 10, 'at most COUNT members a step');
    seen.push(...strs(r.members));
    cursor = r.next;
    steps++;
  } while (cursor !== 0n && steps < 100);
  t.equal(steps, 10, '95 members in steps of 10');
  t.same(sorted(seen), sorted(all), 'every member once');
});

t.test('SMOVE within a shard', async (t) => {
  const s = openTestStore(t);
  sadd(s, 'a', '1', '2', '3');
  const mv = (src: string, dst: string, m: string) => s.write((x) => moveMember(x, cmd('SMOVE', src, dst, m)));
  t.same(mv('a', 'b', '1'), { result: 1, effects: [['SMOVE', 'a', 'b', '1']] }, 'moved into a new set; logged as sent');
  dense(t, s, 'a', ['2', '3'], 'the source');
  dense(t, s, 'b', ['1'], 'the destination');
  t.same(mv('a', 'b', 'zz'), { result: 0, effects: [] }, 'not a member: 0, nothing logged');
  t.same(mv('a', 'a', '2'), { result: 1, effects: [] }, 'src = dst holding it: 1, nothing changes');
  t.same(mv('a', 'a', 'zz'), { result: 0, effects: [] }, 'src = dst without it: 0');
  t.same(mv('nokey', 'b', '1'), { result: 0, effects: [] }, 'a missing source: 0');
  t.same(mv('a', 'b', 'x'), { result: 0, effects: [] });
  sadd(s, 'a', 'x');
  t.same(mv('a', 'b', 'x').result, 1);
  t.equal(setLayout(s, 'b')!.encoding, 'hashtable', 'the destination takes a non-integer: hashtable');
  t.same(mv('a', 'b', '1').result, 0, 'the destination already holds it: 0 (the source keeps it)');
  mv('a', 'b', '2');
  mv('a', 'b', '3');
  t.equal(setLayout(s, 'a'), null, 'the emptied source is deleted');
  dense(t, s, 'b', ['1', 'x', '2', '3'], 'the destination');
});

t.test('key type operations: dump and restore, copy', async (t) => {
  const s = openTestStore(t);
  const all = [...range(1, 1500).map((i) => `m${i}`), LONG_A];
  sadd(s, 'src', ...all);
  srem(s, 'src', 'm7', 'm1000');
  const left = all.filter((m) => m !== 'm7' && m !== 'm1000');
  const exp = Buffer.alloc(8);
  exp.writeBigUInt64BE(BigInt(s.now + 100000));
  const dump = s.read((x) => setKeyType.dump(x.store, x.store.get(0, b('src'), x.now)!));
  const { effects } = s.write((x) => setKeyType.restore(x, b('dst'), x.store.find(x.db, b('dst'), x.now), dump, exp));
  dense(t, s, 'dst', left, 'restored');
  t.equal(setLayout(s, 'dst')!.encoding, 'hashtable');
  t.same(effects.map((e) => e[0]), ['DEL', 'SADD', 'SADD', 'PEXPIREAT'], 'DEL, SADD in chunks of 1,000, PEXPIREAT');
  t.same(sorted(effects.slice(1, 3).flatMap((e) => e.slice(2))), sorted(left), 'the SADDs hold every member');
  t.equal(effects[3][2], String(s.now + 100000), 'the exact expiry');
  t.equal(s.read((x) => x.store.get(0, b('dst'), x.now)!.expireAt), s.now + 100000);
  // an intset keeps its encoding through dump / restore and copy
  sadd(s, 'i', '1', '2', '3');
  const idump = s.read((x) => setKeyType.dump(x.store, x.store.get(0, b('i'), x.now)!));
  const r2 = s.write((x) => setKeyType.restore(x, b('i2'), x.store.find(x.db, b('i2'), x.now), idump, Buffer.alloc(8)));
  t.same(r2.effects, [['DEL', 'i2'], ['SADD', 'i2', '1', '2', '3']], 'no PEXPIREAT without an expiry');
  t.equal(setLayout(s, 'i2')!.encoding, 'intset');
  s.write((x) => setKeyType.copy(x.store, x.store.get(0, b('src'), x.now)!, 1, b('cp'), x.store.find(1, b('cp'), x.now)));
  const cp = setLayout(s, 'cp', 1)!;
  t.same(cp.problems, [], 'the copy has its own dense slots');
  t.same(sorted(cp.bySlot), sorted(left));
  srem(s, 'src', 'm1');
  t.equal(setLayout(s, 'cp', 1)!.count, left.length, 'the copy is independent of the source');
  const bad = Buffer.from(dump);
  bad.writeBigUInt64BE(5n, 1);
  t.throws(() => s.write((x) => setKeyType.restore(x, b('bad'), x.store.find(x.db, b('bad'), x.now), bad, Buffer.alloc(8))), /set dump holds/);
  t.equal(setLayout(s, 'bad'), null, 'a dump that disagrees with its header writes nothing');
});
