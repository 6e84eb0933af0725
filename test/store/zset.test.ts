// The sorted set store room (lib/store/zset.ts) without sockets: ZADD / ZINCRBY / ZREM data work
// (returned values, binlog effects, no-ops logging nothing, WRONGTYPE and the NaN error before any
// change), encodings (listpack -> skiplist, never back, -0), emptied sets deleted, expiry, long
// members (> 1,900 bytes), pops, random picks, ZSCAN steps, whole results (*STORE) and the key
// operations (OBJECT ENCODING, dump / restore).
import t from 'tap';
import { openTestStore, type TestStore } from '../support/store.js';
import { RedisError } from '../../lib/errors.js';
import { T_ZSET } from '../../lib/store/meta.js';
import { EV } from '../../lib/store/key-events.js';
import {
  ERR_NAN, ZADD_CH, ZADD_GT, ZADD_LT, ZADD_NX, ZADD_XX, addMembers, card, incrMember, memberScore, openZset, pop, randomEntries, randomMember, rank,
  removeMembers, scanMembers, score, writeZset, zsetKeyType,
} from '../../lib/store/zset.js';
import { rangeEntries, RangeBy } from '../../lib/store/zset-range.js';

const B = (s: string): Buffer => Buffer.from(s, 'latin1');
/** "ZADD z 1 a" as arguments. */
const A = (s: string): Buffer[] => s.split(' ').map(B);
const Z = B('z');

/** ZADD as the command room calls it: `line` is the whole command, pairs after the options. */
function zadd(s: TestStore, line: string | Buffer[], flags = 0): { result: number; effects: string[][] } {
  const args = typeof line === 'string' ? A(line) : line;
  let at = 2;
  while (at < args.length && /^(nx|xx|gt|lt|ch)$/i.test(args[at].toString())) at++;
  const scores: number[] = [];
  for (let i = at; i < args.length; i += 2) scores.push(Number(args[i].toString()));
  return s.write((x) => addMembers(x, args, at, scores, flags));
}

/** The whole set, in order, as "member=score" (scores with the sign of zero). */
function all(s: TestStore, key = Z): string[] {
  const e = s.read((x) => rangeEntries(x, key, { by: RangeBy.Rank, rev: false, offset: 0, limit: -1, start: 0, end: -1, score: null, lex: null }, true));
  if (!e) return [];
  return e.ms.map((m, i) => `${m.toString('latin1')}=${Object.is(e.ss[i], -0) ? '-0' : e.ss[i]}`);
}

function encoding(s: TestStore, key = Z): string | null {
  const m = s.read((x) => x.store.get(x.db, key, x.now));
  return m ? zsetKeyType.encoding(m) : null;
}

t.test('ZADD: added members, options, effects as given, no-ops log nothing', async (t) => {
  const s = openTestStore(t);
  t.same(zadd(s, 'ZADD z 1 a 2 b 3 c'), { result: 3, effects: [['ZADD', 'z', '1', 'a', '2', 'b', '3', 'c']] });
  t.same(zadd(s, 'ZADD z 1 a 2 b'), { result: 0, effects: [] }, 'same scores: nothing changed, nothing logged');
  t.same(zadd(s, 'ZADD z 5 a 4 d'), { result: 1, effects: [['ZADD', 'z', '5', 'a', '4', 'd']] }, 'an update and an addition: one added');
  t.same(zadd(s, 'ZADD z CH 6 a 7 e', ZADD_CH), { result: 2, effects: [['ZADD', 'z', 'CH', '6', 'a', '7', 'e']] }, 'CH counts the update');
  t.same(zadd(s, 'ZADD z NX 0 a 8 f', ZADD_NX).result, 1, 'NX adds only new members');
  t.same(zadd(s, 'ZADD z XX 0 b 9 g', ZADD_XX).result, 0, 'XX updates only existing members');
  t.same(zadd(s, 'ZADD z GT CH 1 a 100 c', ZADD_GT | ZADD_CH).result, 1, 'GT: only the higher score');
  t.same(zadd(s, 'ZADD z LT CH 50 c -5 d', ZADD_LT | ZADD_CH).result, 2, 'LT: only lower scores');
  t.same(all(s), ['d=-5', 'b=0', 'a=6', 'e=7', 'f=8', 'c=50']);
  t.same(zadd(s, 'ZADD new XX 1 a', ZADD_XX), { result: 0, effects: [] }, 'XX on a missing key creates nothing');
  t.equal(s.read((x) => x.store.get(x.db, B('new'), x.now)), null);
  t.same(zadd(s, 'ZADD z 1 m 2 m').result, 1, 'a member twice in one call: added once, the last score wins');
  t.equal(s.read((x) => score(x, Z, B('m'))), 2);
});

t.test('ZINCRBY / ZADD INCR: the new score, the exact effect, nil cases, the NaN error', async (t) => {
  const s = openTestStore(t);
  const incr = (by: number, m: string, flags = 0) => s.write((x) => incrMember(x, Z, B(m), by, flags));
  t.same(incr(0.1, 'a'), { result: 0.1, effects: [['ZADD', 'z', '0.10000000000000001', 'a']] }, 'a new member starts at the increment (%.17g)');
  t.same(incr(0.2, 'a'), { result: 0.30000000000000004, effects: [['ZADD', 'z', '0.30000000000000004', 'a']] }, 'the effect holds the exact result');
  t.same(incr(0, 'a'), { result: 0.30000000000000004, effects: [] }, 'an unchanged score logs nothing');
  t.same(incr(1, 'a', ZADD_NX), { result: null, effects: [] }, 'NX on an existing member: nil');
  t.same(incr(1, 'b', ZADD_XX), { result: null, effects: [] }, 'XX on a missing member: nil');
  t.same(incr(-1, 'a', ZADD_GT), { result: null, effects: [] }, 'GT refusing a lower result: nil');
  t.equal(incr(-1, 'a', ZADD_LT).result, 0.30000000000000004 - 1, 'LT accepting a lower result');
  t.same(s.write((x) => incrMember(x, B('nokey'), B('m'), 1, ZADD_XX)), { result: null, effects: [] }, 'XX on a missing key creates nothing');
  incr(Infinity, 'i');
  const before = all(s);
  t.throws(() => incr(-Infinity, 'i'), new RedisError(ERR_NAN), 'inf + -inf is the NaN error');
  t.same(all(s), before, 'nothing changed');
  t.same(incr(-Infinity, 'j').result, -Infinity);
});

t.test('WRONGTYPE is thrown before anything changes', async (t) => {
  const s = openTestStore(t);
  s.write((x) => {
    const f = x.store.find(x.db, Z, x.now);
    x.store.putString(x.db, Z, f.mk, B('v'), 0, f.meta);
  });
  const wrong = { message: 'WRONGTYPE Operation against a key holding the wrong kind of value' };
  t.throws(() => zadd(s, 'ZADD z 1 a'), wrong);
  t.throws(() => s.write((x) => incrMember(x, Z, B('a'), 1, 0)), wrong);
  t.throws(() => s.write((x) => removeMembers(x, A('ZREM z a'), 2)), wrong);
  t.throws(() => s.read((x) => card(x, Z)), wrong);
  t.throws(() => s.read((x) => score(x, Z, B('a'))), wrong);
  t.throws(() => s.read((x) => rank(x, Z, B('a'), false)), wrong);
  t.throws(() => s.write((x) => pop(x, Z, false, 1)), wrong);
  t.throws(() => s.read((x) => randomMember(x, Z)), wrong);
  t.equal(s.read((x) => x.store.get(x.db, Z, x.now)!.type), 0, 'still a string');
});

t.test('ZREM, ZCARD, ZSCORE, ZRANK; an emptied set is deleted', async (t) => {
  const s = openTestStore(t);
  zadd(s, 'ZADD z 1 a 2 b 3 c');
  t.equal(s.read((x) => card(x, Z)), 3);
  t.same(s.read((x) => [rank(x, Z, B('a'), false), rank(x, Z, B('c'), false), rank(x, Z, B('a'), true), rank(x, Z, B('x'), false)]), [0, 2, 2, null]);
  t.same(s.read((x) => [score(x, Z, B('b')), score(x, Z, B('x')), score(x, B('none'), B('b'))]), [2, null, null]);
  t.same(s.write((x) => removeMembers(x, A('ZREM z a x'), 2)), { result: 1, effects: [['ZREM', 'z', 'a', 'x']] }, 'logged as given');
  t.same(s.write((x) => removeMembers(x, A('ZREM z x'), 2)), { result: 0, effects: [] }, 'nothing removed, nothing logged');
  t.same(s.write((x) => removeMembers(x, A('ZREM z b c'), 2)).result, 2);
  t.equal(s.read((x) => x.store.get(x.db, Z, x.now)), null, 'the emptied set is gone');
  t.equal(s.read((x) => card(x, Z)), 0);
  t.same(s.write((x) => removeMembers(x, A('ZREM z a'), 2)), { result: 0, effects: [] }, 'ZREM on a missing key');
});

t.test('encodings: listpack up to 128 members of 64 bytes, never back; -0 only in a skiplist', async (t) => {
  const s = openTestStore(t);
  const args = ['ZADD', 'z'];
  for (let i = 0; i < 128; i++) args.push(String(i), `m${i}`);
  zadd(s, args.map(B));
  t.equal(encoding(s), 'listpack', '128 members');
  zadd(s, 'ZADD z 200 m128');
  t.equal(encoding(s), 'skiplist', 'the 129th converts');
  s.write((x) => removeMembers(x, A('ZREM z m128 m127 m126'), 2));
  t.equal(encoding(s), 'skiplist', 'and stays a skiplist');

  const K = B('k');
  s.write((x) => addMembers(x, [B('ZADD'), K, B('1'), B('y'.repeat(64))], 2, [1], 0));
  t.equal(encoding(s, K), 'listpack', 'a 64-byte member fits a listpack');
  s.write((x) => addMembers(x, [B('ZADD'), K, B('1'), B('y'.repeat(65))], 2, [1], 0));
  t.equal(encoding(s, K), 'skiplist', 'a 65-byte member converts');
  const L = B('l');
  s.write((x) => addMembers(x, [B('ZADD'), L, B('-0'), B('y'.repeat(65)), B('-0'), B('a')], 2, [-0, -0], 0));
  t.equal(encoding(s, L), 'skiplist', 'a long first member makes a skiplist at once');
  t.same(all(s, L), ['a=-0', `${'y'.repeat(65)}=-0`], 'a skiplist keeps -0');

  const M = B('m');
  s.write((x) => addMembers(x, A('ZADD m -0 a'), 2, [-0], 0));
  t.same(all(s, M), ['a=0'], 'a listpack holds -0 as 0');
  t.equal(Object.is(s.read((x) => score(x, M, B('a'))), -0), false);
  t.same(s.write((x) => incrMember(x, M, B('b'), -0, 0)).result, -0, 'ZINCRBY replies the increment of a new member as given');
  t.same(all(s, M), ['a=0', 'b=0']);
});

t.test('expiry: an expired set reads as missing; a write starts a new one', async (t) => {
  const s = openTestStore(t);
  zadd(s, 'ZADD z 1 a 2 b');
  s.write((x) => {
    const m = x.store.get(x.db, Z, x.now)!;
    x.store.setExpire(x.db, m, x.now + 1000);
  });
  zadd(s, 'ZADD z 3 c');
  t.equal(s.read((x) => x.store.get(x.db, Z, x.now)!.expireAt), s.now + 1000, 'a write keeps the expiry');
  s.now += 2000;
  t.equal(s.read((x) => card(x, Z)), 0);
  t.equal(s.read((x) => score(x, Z, B('a'))), null);
  // (the DEL of the expired key is the shard store's own binlog record, not an effect of the room)
  t.same(zadd(s, 'ZADD z 9 d').effects, [['ZADD', 'z', '9', 'd']]);
  t.same(all(s), ['d=9'], 'no member of the expired incarnation');
  t.equal(s.read((x) => x.store.get(x.db, Z, x.now)!.expireAt), 0, 'no expiry');
});

t.test('long members (> 1,900 bytes): stored, scored, ranked, popped and removed whole', async (t) => {
  const s = openTestStore(t);
  const l1 = B('L'.repeat(2500));
  const l2 = B('L'.repeat(1900) + 'x'.repeat(600)); // shares its first 1,900 bytes with l1
  const l3 = B('M'.repeat(5000));
  s.write((x) => addMembers(x, [B('ZADD'), Z, B('1'), l1, B('2'), l2, B('3'), l3, B('0'), B('a')], 2, [1, 2, 3, 0], 0));
  t.equal(s.read((x) => card(x, Z)), 4);
  t.same(s.read((x) => [score(x, Z, l1), score(x, Z, l2), score(x, Z, l3)]), [1, 2, 3]);
  t.same(s.read((x) => [rank(x, Z, l1, false), rank(x, Z, l2, false), rank(x, Z, l3, false)]), [1, 2, 3]);
  const e = s.read((x) => rangeEntries(x, Z, { by: RangeBy.Rank, rev: false, offset: 0, limit: -1, start: 0, end: -1, score: null, lex: null }, false))!;
  t.ok(e.ms[1].equals(l1) && e.ms[2].equals(l2) && e.ms[3].equals(l3), 'ranges return the whole members');
  t.same(s.write((x) => incrMember(x, Z, l2, 10, 0)).result, 12);
  const popped = s.write((x) => pop(x, Z, true, 1));
  t.ok(popped.result!.ms[0].equals(l2), 'ZPOPMAX returns the whole member');
  t.equal(popped.effects[0][2], l2.toString('latin1'), 'and logs it whole');
  t.same(s.write((x) => removeMembers(x, [B('ZREM'), Z, l1], 2)).result, 1);
  t.equal(s.read((x) => score(x, Z, l1)), null);
  t.equal(s.read((x) => x.store.long.getCount({})), 1, 'only l3 is left in `long`');
});

t.test('pops: from either end, with their scores, ZREM of what was removed', async (t) => {
  const s = openTestStore(t);
  zadd(s, 'ZADD z 1 a 2 b 3 c 4 d');
  t.same(s.write((x) => pop(x, Z, false, 2)), { result: { ms: [B('a'), B('b')], ss: [1, 2] }, effects: [['ZREM', 'z', 'a', 'b']] });
  t.same(s.write((x) => pop(x, Z, true, 1)), { result: { ms: [B('d')], ss: [4] }, effects: [['ZREM', 'z', 'd']] });
  t.same(s.write((x) => pop(x, Z, true, 0)), { result: { ms: [], ss: [] }, effects: [] }, 'a count of 0 removes nothing');
  t.same(s.write((x) => pop(x, Z, false, 10)).result, { ms: [B('c')], ss: [3] }, 'more than there are: all of them');
  t.equal(s.read((x) => x.store.get(x.db, Z, x.now)), null, 'the emptied set is gone');
  t.same(s.write((x) => pop(x, Z, false, 1)), { result: null, effects: [] }, 'a missing key');
});

t.test('random picks: members with their scores, distinct for a positive count', async (t) => {
  const s = openTestStore(t);
  t.equal(s.read((x) => randomMember(x, Z)), null);
  t.equal(s.read((x) => randomEntries(x, Z, 3, true)), null);
  for (const size of [10, 3000]) {
    const key = B(`r${size}`);
    const args = [B('ZADD'), key];
    const scores: number[] = [];
    for (let i = 0; i < size; i++) {
      args.push(B(String(i / 2)), B(`m${i}`));
      scores.push(i / 2);
    }
    s.write((x) => addMembers(x, args, 2, scores, 0));
    const valid = (m: Buffer, sc: number): boolean => /^m\d+$/.test(m.toString()) && Number(m.toString().slice(1)) < size && sc === Number(m.toString().slice(1)) / 2;
    for (const [count, uniq] of [[1, true], [5, true], [size - 1, true], [size, true], [size + 5, true], [7, false], [size * 2, false], [0, true]] as const) {
      const e = s.read((x) => randomEntries(x, key, count, uniq))!;
      const want = uniq ? Math.min(count, size) : count;
      t.equal(e.ms.length, want, `size ${size}, count ${count} (${uniq ? 'distinct' : 'with repetition'}): ${want} picks`);
      t.ok(e.ms.every((m, i) => valid(m, e.ss[i])), 'members of the set with their scores');
      if (uniq) t.equal(new Set(e.ms.map(String)).size, want, 'distinct');
    }
    const whole = s.read((x) => randomEntries(x, key, size, true))!;
    t.same(whole.ss, [...scores].reverse(), 'the whole set from the highest score down');
    const seen = new Set<string>();
    for (let i = 0; i < 200; i++) seen.add(s.read((x) => randomMember(x, key))!.toString());
    t.ok(seen.size >= Math.min(size, 100), `single picks reach many members (${seen.size})`);
    // draws with repetition are bounded by the reply limit, not by memory
    t.throws(() => s.read((x) => randomEntries(x, key, 2 ** 40, false)), /ZRANDMEMBER count is too large/);
    t.equal(s.read((x) => randomEntries(x, key, 2 ** 40, true))!.ms.length, size, 'a huge distinct count is the whole set');
  }
  t.equal(s.read((x) => randomEntries(x, Z, 2 ** 40, false)), null, 'a missing key answers empty whatever the count');
});

t.test('ZSCAN steps: a listpack whole, a skiplist by COUNT, every member once', async (t) => {
  const s = openTestStore(t);
  zadd(s, 'ZADD z 3 c 1 a -0 b');
  const c = s.read((x) => openZset(x, Z))!;
  const first = s.read((x) => scanMembers(x.store, c, 12345n, 1));
  t.same(first, { e: { ms: [B('b'), B('a'), B('c')], ss: [0, 1, 3] }, next: 0n }, 'a listpack in order, whatever the cursor and COUNT');
  const args = [B('ZADD'), B('big')];
  const scores: number[] = [];
  for (let i = 0; i < 300; i++) {
    args.push(B(i % 3 ? String(i) : '-0'), B(`s${i}`));
    scores.push(i % 3 ? i : -0);
  }
  s.write((x) => addMembers(x, args, 2, scores, 0));
  const big = s.read((x) => openZset(x, B('big')))!;
  let cursor = 0n;
  let steps = 0;
  const got = new Map<string, number>();
  do {
    const r = s.read((x) => scanMembers(x.store, big, cursor, 7));
    t.ok(r.e.ms.length <= 7);
    r.e.ms.forEach((m, i) => got.set(m.toString(), r.e.ss[i]));
    cursor = r.next;
    steps++;
  } while (cursor !== 0n && steps < 1000);
  t.equal(got.size, 300, 'every member');
  t.ok(steps >= 300 / 7, 'COUNT bounds each step');
  t.ok(Object.is(got.get('s297'), -0) && got.get('s1') === 1, 'exact scores, -0 kept by the skiplist');
  t.ok(Object.is(got.get('s0'), 0), 'the -0 that went into the listpack before the conversion reads 0');
});

t.test('writeZset: replaces the key, logs DEL and ZADD, an empty result deletes it', async (t) => {
  const s = openTestStore(t);
  zadd(s, 'ZADD z 1 old');
  s.write((x) => x.store.setExpire(x.db, x.store.get(x.db, Z, x.now)!, x.now + 100000));
  const r = s.write((x) => writeZset(x, Z, { ms: [B('a'), B('b')], ss: [1.5, 2] }, false, EV.zunionstore));
  t.same(r, { result: 2, effects: [['DEL', 'z'], ['ZADD', 'z', '1.5', 'a', '2', 'b']] });
  t.same(all(s), ['a=1.5', 'b=2']);
  t.equal(encoding(s), 'listpack');
  t.equal(s.read((x) => x.store.get(x.db, Z, x.now)!.expireAt), 0, 'the result has no expiry');
  t.same(s.write((x) => writeZset(x, B('fresh'), { ms: [B('a')], ss: [-0] }, true, EV.zunionstore)), { result: 1, effects: [['ZADD', 'fresh', '-0', 'a']] }, 'no DEL for a new key');
  t.equal(encoding(s, B('fresh')), 'skiplist');
  t.same(s.write((x) => writeZset(x, Z, { ms: [], ss: [] }, false, EV.zunionstore)), { result: 0, effects: [['DEL', 'z']] });
  t.equal(s.read((x) => x.store.get(x.db, Z, x.now)), null);
  t.same(s.write((x) => writeZset(x, Z, { ms: [], ss: [] }, false, EV.zunionstore)), { result: 0, effects: [] }, 'nothing to delete, nothing logged');
});

t.test('key operations: encoding, refcount, dump and restore keep flags, exact scores and the expiry', async (t) => {
  const s = openTestStore(t);
  const long = B('q'.repeat(3000));
  s.write((x) => addMembers(x, [B('ZADD'), Z, B('-0'), B('a'), B('2.5'), long, B('-inf'), B('n')], 2, [-0, 2.5, -Infinity], 0));
  const m = s.read((x) => x.store.get(x.db, Z, x.now))!;
  t.equal(m.type, T_ZSET);
  t.equal(zsetKeyType.refcount(m), 1);
  const dump = s.read((x) => zsetKeyType.dump(x.store, x.store.get(x.db, Z, x.now)!));
  const expire = Buffer.alloc(8);
  expire.writeBigUInt64BE(BigInt(s.now + 50000));
  const D = B('d');
  const r = s.write((x) => zsetKeyType.restore(x, D, x.store.find(x.db, D, x.now), dump, expire));
  // member order; 'a' went into the listpack before the long member converted it: 0, not -0
  t.same(r.effects, [['ZADD', 'd', '0', 'a', '-inf', 'n', '2.5', long.toString('latin1')], ['PEXPIREAT', 'd', String(s.now + 50000)]], 'ZADD and PEXPIREAT');
  t.same(all(s, D), all(s, Z), 'the same members and exact scores');
  t.equal(encoding(s, D), 'skiplist');
  t.equal(s.read((x) => x.store.get(x.db, D, x.now)!.expireAt), s.now + 50000);
  const r2 = s.write((x) => zsetKeyType.restore(x, D, x.store.find(x.db, D, x.now), dump, Buffer.alloc(8)));
  t.same(r2.effects.map((e) => e[0]), ['DEL', 'ZADD'], 'replacing logs DEL first; no expiry, no PEXPIREAT');
  t.same(s.read((x) => memberScore(x.store, openZset(x, D)!, long)), 2.5);
});
