// The list store room (lib/store/list.ts) without a server: push, pop, index, set, range reads,
// trim, position search, moves and LMPOP's pop called directly: their values, their binlog
// effects, emptied lists being deleted (their members left to the garbage collector), WRONGTYPE
// before any change, expiry, long elements, and the key operations (encoding, copy, dump and
// restore).
import t, { type Test } from 'tap';
import { openTestStore, type TestStore } from '../support/store.js';
import type { StoreCtx } from '../../lib/store/context.js';
import { WrongTypeError } from '../../lib/store/collections.js';
import { T_LIST } from '../../lib/store/meta.js';
import { readU64BE } from '../../lib/store/keys.js';
import { decodeNode, NODE_MAX_BYTES, NODE_MAX_ELEMS } from '../../lib/store/list-nodes.js';
import {
  listIndex,
  listKeyType,
  listLength,
  listMove,
  listPop,
  listPopFirst,
  listPositions,
  listPush,
  listRange,
  listSet,
  listTrim,
  openExistingList,
  openList,
} from '../../lib/store/list.js';

const b = (s: string): Buffer => Buffer.from(s, 'latin1');
const strs = (v: Buffer[] | null): string[] | null => (v ? v.map((e) => e.toString('latin1')) : null);
const INT64_MIN = -(2n ** 63n);

/** The whole list at `key` (each element copied out before the next is read), null when missing. */
function range(x: StoreCtx, key: string, start = 0, stop = -1): string[] | null {
  const r = listRange(x, b(key), start, stop);
  if (!r) return null;
  const out: string[] = [];
  for (let i = 0; i < r.rangeLength; i++) out.push(r.nextInRange().toString('latin1'));
  return out;
}

function push(s: TestStore, name: 'LPUSH' | 'RPUSH' | 'LPUSHX' | 'RPUSHX', key: string, ...elems: string[]) {
  const cmd = [b(name), b(key), ...elems.map(b)];
  return s.write((x) => listPush(x, cmd, name[0] === 'L', name.endsWith('X')));
}

/** `fn` throws WRONGTYPE (a WrongTypeError). */
function wrongType(t: Test, fn: () => unknown, name: string): void {
  let err: unknown = null;
  try {
    fn();
  } catch (e) {
    err = e;
  }
  t.ok(err instanceof WrongTypeError, `${name}: WRONGTYPE (${String(err)})`);
}

function setString(s: TestStore, key: string): void {
  s.write((x) => {
    const f = x.store.find(x.db, b(key), x.now);
    x.store.putString(x.db, b(key), f.mk, b('str'), 0, f.meta);
  });
}

t.test('pushes: order, returned length, effect, LPUSHX/RPUSHX only on a list', async (t) => {
  const s = openTestStore(t);
  let r = push(s, 'RPUSH', 'l', 'a', 'b', 'c');
  t.equal(r.result, 3);
  t.same(r.effects, [['RPUSH', 'l', 'a', 'b', 'c']], 'the command is its own effect');
  r = push(s, 'LPUSH', 'l', 'x', 'y');
  t.equal(r.result, 5);
  t.same(s.read((x) => range(x, 'l')), ['y', 'x', 'a', 'b', 'c'], 'LPUSH puts its elements in front one by one');
  r = push(s, 'LPUSHX', 'none', 'a');
  t.equal(r.result, 0);
  t.same(r.effects, [], 'nothing logged');
  t.equal(s.read((x) => x.store.get(x.db, b('none'), x.now)), null, 'no key created');
  r = push(s, 'RPUSHX', 'l', 'z');
  t.equal(r.result, 6);
  t.same(s.read((x) => range(x, 'l', -2, -1)), ['c', 'z']);
  t.equal(s.read((x) => listLength(x, b('l'))), 6);
  t.equal(s.read((x) => listLength(x, b('none'))), 0);
  t.equal(s.read((x) => x.store.get(x.db, b('l'), x.now)!.type), T_LIST);
});

t.test('pops: pop order, count clipped, count 0, missing key, emptied list deleted', async (t) => {
  const s = openTestStore(t);
  push(s, 'RPUSH', 'l', '1', '2', '3', '4', '5');
  const eff = (...a: string[]) => a.map(b);
  let r = s.write((x) => listPop(x, b('l'), true, 2, eff('LPOP', 'l', '2')));
  t.same(strs(r.result), ['1', '2']);
  t.same(r.effects, [['LPOP', 'l', '2']]);
  r = s.write((x) => listPop(x, b('l'), false, 1, eff('RPOP', 'l')));
  t.same(strs(r.result), ['5']);
  r = s.write((x) => listPop(x, b('l'), false, 0, eff('RPOP', 'l', '0')));
  t.same(r.result, [], 'count 0 pops nothing');
  t.same(r.effects, [], 'and logs nothing');
  r = s.write((x) => listPop(x, b('none'), true, 1, eff('LPOP', 'none')));
  t.equal(r.result, null, 'no list: null');
  t.same(r.effects, []);
  t.notOk(s.store.hasGarbage(), 'no garbage yet');
  r = s.write((x) => listPop(x, b('l'), false, 100, eff('RPOP', 'l', '100')));
  t.same(strs(r.result), ['4', '3'], 'a count over the length pops everything, from the right');
  t.same(r.effects, [['RPOP', 'l', '100']], 'the effect as given');
  t.equal(s.read((x) => x.store.get(x.db, b('l'), x.now)), null, 'the emptied list is deleted');
  t.ok(s.store.hasGarbage(), 'its members wait for the collector');
  s.write((x) => x.store.collectGarbage(1000));
  t.notOk(s.store.hasGarbage(), 'collected');
  t.equal(s.read((x) => [...x.store.sub.getKeys()].length), 0, 'no element left in sub');
});

t.test('pops of more than a few elements read them with a range (both ends)', async (t) => {
  const s = openTestStore(t);
  const els = Array.from({ length: 40 }, (_, i) => `e${i}`);
  push(s, 'RPUSH', 'l', ...els);
  const left = s.write((x) => listPop(x, b('l'), true, 17, [b('LPOP'), b('l'), b('17')])).result;
  t.same(strs(left), els.slice(0, 17));
  const right = s.write((x) => listPop(x, b('l'), false, 20, [b('RPOP'), b('l'), b('20')])).result;
  t.same(strs(right), els.slice(20).reverse());
  t.same(s.read((x) => range(x, 'l')), els.slice(17, 20));
});

t.test('LINDEX and LSET', async (t) => {
  const s = openTestStore(t);
  push(s, 'RPUSH', 'l', 'a', 'b', 'c');
  const at = (i: number) => s.read((x) => listIndex(openList(x, b('l'))!, i)?.toString() ?? null);
  t.same([at(0), at(2), at(3), at(-1), at(-3), at(-4)], ['a', 'c', null, 'c', 'a', null]);
  t.equal(s.read((x) => openList(x, b('none'))), null);
  const r = s.write((x) => listSet(openExistingList(x, b('l')), -1, b('C'), [b('LSET'), b('l'), b('-1'), b('C')]));
  t.same(r.effects, [['LSET', 'l', '-1', 'C']]);
  t.same(s.read((x) => range(x, 'l')), ['a', 'b', 'C']);
  t.throws(() => s.write((x) => listSet(openExistingList(x, b('l')), 3, b('x'), [])), { message: 'ERR index out of range' });
  t.throws(() => s.write((x) => listSet(openExistingList(x, b('l')), -4, b('x'), [])), { message: 'ERR index out of range' });
  t.throws(() => s.write((x) => openExistingList(x, b('none'))), { message: 'ERR no such key' });
  t.same(s.read((x) => range(x, 'l')), ['a', 'b', 'C'], 'the failed LSETs changed nothing');
});

t.test('range reads: Redis normalization, empty ranges, missing key', async (t) => {
  const s = openTestStore(t);
  push(s, 'RPUSH', 'l', '0', '1', '2', '3', '4');
  const r = (a: number, z: number) => s.read((x) => range(x, 'l', a, z));
  t.same(r(0, -1), ['0', '1', '2', '3', '4']);
  t.same(r(1, 2), ['1', '2']);
  t.same(r(-2, 100), ['3', '4']);
  t.same(r(-100, 0), ['0']);
  t.same(r(3, 1), []);
  t.same(r(5, 10), []);
  t.same(r(-100, -50), []);
  t.same(r(Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER), ['0', '1', '2', '3', '4']);
  t.equal(s.read((x) => listRange(x, b('none'), 0, -1)), null);
  t.equal(s.read((x) => listRange(x, b('l'), 2, 1)!.rangeLength), 0);
});

t.test('LTRIM: both ends, effect only when something goes, an empty range deletes the list', async (t) => {
  const s = openTestStore(t);
  push(s, 'RPUSH', 'l', 'a', 'b', 'c', 'd', 'e');
  const trim = (a: number, z: number) => s.write((x) => listTrim(x, b('l'), a, z, [b('LTRIM'), b('l'), b(String(a)), b(String(z))])).effects;
  t.same(trim(0, -1), [], 'keeping everything logs nothing');
  t.same(trim(1, -2), [['LTRIM', 'l', '1', '-2']]);
  t.same(s.read((x) => range(x, 'l')), ['b', 'c', 'd']);
  t.same(trim(-100, 100), []);
  t.same(trim(2, 1), [['LTRIM', 'l', '2', '1']]);
  t.equal(s.read((x) => x.store.get(x.db, b('l'), x.now)), null, 'deleted');
  t.same(s.write((x) => listTrim(x, b('none'), 0, 1, [b('LTRIM')])).effects, [], 'no list: nothing');
});

t.test('LPOS: rank, count, maxlen, LONG_MIN rank, missing key', async (t) => {
  const s = openTestStore(t);
  push(s, 'RPUSH', 'l', 'a', 'b', 'a', 'c', 'a', 'b');
  const pos = (e: string, rank: bigint, count: number, maxlen = 0) => s.read((x) => listPositions(x, b('l'), b(e), rank, count, maxlen));
  t.same(pos('a', 1n, -1), [0], 'no COUNT: the first match');
  t.same(pos('a', 2n, -1), [2]);
  t.same(pos('a', -1n, -1), [4], 'from the tail');
  t.same(pos('a', 1n, 0), [0, 2, 4], 'COUNT 0: all');
  t.same(pos('a', 2n, 0), [2, 4]);
  t.same(pos('a', -2n, 0), [2, 0]);
  t.same(pos('a', 1n, 2), [0, 2]);
  t.same(pos('a', 4n, 0), []);
  t.same(pos('a', 1n, 0, 3), [0, 2], 'MAXLEN 3 looks at three elements');
  t.same(pos('b', -1n, 0, 1), [5]);
  t.same(pos('b', -1n, 0, 2), [5]);
  t.same(pos('zz', 1n, 0), []);
  t.same(pos('a', INT64_MIN, -1), [4], 'LONG_MIN: from the tail, every match qualifies');
  t.same(pos('a', INT64_MIN, 1), [4, 2, 0], 'and COUNT does not stop the search');
  t.equal(s.read((x) => listPositions(x, b('none'), b('a'), 1n, 0, 0)), null);
});

t.test('moves: between lists, into a new list, rotation, the emptied source goes', async (t) => {
  const s = openTestStore(t);
  push(s, 'RPUSH', 'a', '1', '2', '3');
  const mv = (src: string, dst: string, fl: boolean, tl: boolean) =>
    s.write((x) => listMove(x, b(src), b(dst), fl, tl, [b('LMOVE'), b(src), b(dst), b(fl ? 'LEFT' : 'RIGHT'), b(tl ? 'LEFT' : 'RIGHT')]));
  let r = mv('a', 'b', false, true);
  t.equal(r.result?.toString(), '3');
  t.same(r.effects, [['LMOVE', 'a', 'b', 'RIGHT', 'LEFT']]);
  t.same(s.read((x) => [range(x, 'a'), range(x, 'b')]), [['1', '2'], ['3']], 'the destination was created');
  r = mv('a', 'a', true, false);
  t.same(s.read((x) => range(x, 'a')), ['2', '1'], 'the same key rotates');
  r = mv('a', 'b', true, false);
  r = mv('a', 'b', true, true);
  t.same(s.read((x) => [range(x, 'a'), range(x, 'b')]), [null, ['1', '3', '2']], 'the emptied source is deleted');
  r = mv('none', 'b', true, true);
  t.equal(r.result, null, 'no source: null');
  t.same(r.effects, []);
  r = mv('b', 'b', false, false);
  t.same(s.read((x) => range(x, 'b')), ['1', '3', '2'], 'a rotation onto the same end changes nothing');
});

t.test("LMPOP's pop: the first list, missing keys skipped, LPOP/RPOP key n as the effect", async (t) => {
  const s = openTestStore(t);
  push(s, 'RPUSH', 'b', 'b1', 'b2', 'b3');
  push(s, 'RPUSH', 'c', 'c1');
  const mpop = (keys: string[], left: boolean, count: number) => s.write((x) => listPopFirst(x, keys.map(b), left, count));
  let r = mpop(['a', 'b', 'c'], false, 2);
  t.same({ key: r.result!.key.toString(), elements: strs(r.result!.elements) }, { key: 'b', elements: ['b3', 'b2'] });
  t.same(r.effects, [['RPOP', 'b', '2']]);
  r = mpop(['a', 'b', 'c'], true, 10);
  t.same(strs(r.result!.elements), ['b1']);
  t.same(r.effects, [['LPOP', 'b', '1']], 'n is the number popped');
  r = mpop(['a', 'b'], true, 1);
  t.equal(r.result, null);
  t.same(r.effects, []);
  setString(s, 's');
  wrongType(t, () => mpop(['a', 's', 'c'], true, 1), 'a foreign key before a list');
  t.same(strs(mpop(['c', 's'], true, 1).result!.elements), ['c1'], 'a foreign key after the popped list is not looked at');
});

t.test('WRONGTYPE from every operation, before any change', async (t) => {
  const s = openTestStore(t);
  setString(s, 's');
  push(s, 'RPUSH', 'l', 'a', 'b');
  const sk = b('s');
  const ops: Array<[string, (x: StoreCtx) => unknown]> = [
    ['push', (x) => listPush(x, [b('RPUSH'), sk, b('x')], false, false)],
    ['pushx', (x) => listPush(x, [b('LPUSHX'), sk, b('x')], true, true)],
    ['pop', (x) => listPop(x, sk, true, 1, [])],
    ['pop 0', (x) => listPop(x, sk, true, 0, [])],
    ['length', (x) => listLength(x, sk)],
    ['open', (x) => openList(x, sk)],
    ['open existing', (x) => openExistingList(x, sk)],
    ['range', (x) => listRange(x, sk, 0, -1)],
    ['trim', (x) => listTrim(x, sk, 0, 0, [])],
    ['positions', (x) => listPositions(x, sk, b('a'), 1n, -1, 0)],
    ['move from', (x) => listMove(x, sk, b('l'), true, true, [])],
    ['move to', (x) => listMove(x, b('l'), sk, true, true, [])],
    ['mpop', (x) => listPopFirst(x, [b('none'), sk], true, 1)],
  ];
  for (const [name, op] of ops) wrongType(t, () => s.write(op), name);
  t.same(s.read((x) => range(x, 'l')), ['a', 'b'], 'the list a failed move would have taken from is intact');
  t.equal(s.read((x) => x.store.get(x.db, sk, x.now)!.type), 0, 'the string is still a string');
});

t.test('expired lists read as missing and are deleted on a write', async (t) => {
  const s = openTestStore(t);
  push(s, 'RPUSH', 'l', 'a', 'b');
  s.write((x) => x.store.setExpire(x.db, x.store.get(x.db, b('l'), x.now)!, x.now + 1000));
  t.same(s.read((x) => range(x, 'l')), ['a', 'b'], 'not expired yet');
  const r = push(s, 'RPUSH', 'l', 'c');
  t.equal(r.result, 3);
  t.equal(s.read((x) => x.store.get(x.db, b('l'), x.now)!.expireAt), s.now + 1000, 'a push keeps the expiry');
  s.now += 2000;
  t.equal(s.read((x) => listLength(x, b('l'))), 0);
  t.equal(s.read((x) => listRange(x, b('l'), 0, -1)), null);
  const w = push(s, 'RPUSHX', 'l', 'x');
  t.equal(w.result, 0, 'RPUSHX on an expired list pushes nothing');
  t.equal(s.read((x) => x.store.get(x.db, b('l'), x.now)), null);
  t.equal(push(s, 'RPUSH', 'l', 'new').result, 1, 'a new list in its place');
  t.equal(s.read((x) => x.store.get(x.db, b('l'), x.now)!.expireAt), 0, 'without the old expiry');
});

t.test('long elements (2,000 bytes and 100 kB) and binary bytes', async (t) => {
  const s = openTestStore(t);
  const long = 'x'.repeat(2000);
  const big = Buffer.alloc(100 * 1024, 7).toString('latin1');
  const bin = '\0\r\n\xff';
  push(s, 'RPUSH', 'l', long, big, bin, '');
  t.same(s.read((x) => range(x, 'l')), [long, big, bin, '']);
  t.same(s.read((x) => listPositions(x, b('l'), b(big), 1n, 0, 0)), [1]);
  t.equal(s.read((x) => listIndex(openList(x, b('l'))!, 0)!.toString('latin1')), long);
  const popped = s.write((x) => listPop(x, b('l'), true, 2, [b('LPOP')])).result;
  t.same(strs(popped), [long, big]);
});

t.test('list elements start in the middle of the index range and grow both ways, packed in nodes', async (t) => {
  const s = openTestStore(t);
  push(s, 'LPUSH', 'l', 'a');
  push(s, 'RPUSH', 'l', 'b');
  const nodes = () => s.read((x) => [...x.store.sub.getRange()].map(({ key, value }) => [readU64BE(key as Buffer, 8) - 2 ** 52, strs(decodeNode(value as Buffer))]));
  t.same(nodes(), [[-1, ['a', 'b']]], 'one node keyed by its first element, head - 1');
  // a node takes NODE_MAX_ELEMS elements; the next push starts a node of its own
  push(s, 'RPUSH', 'l', ...Array.from({ length: NODE_MAX_ELEMS - 2 }, (_, i) => `r${i}`));
  push(s, 'RPUSH', 'l', 'next');
  push(s, 'LPUSH', 'l', 'first');
  const keys = nodes().map(([k]) => k);
  t.same(keys, [-2, -1, NODE_MAX_ELEMS - 1], 'a node at each end');
  // elements longer than a node's room get a node of their own
  const long = 'x'.repeat(NODE_MAX_BYTES * 3);
  push(s, 'RPUSH', 'l', long, 'after');
  const last = nodes().slice(-2);
  t.same(last, [[NODE_MAX_ELEMS, [long]], [NODE_MAX_ELEMS + 1, ['after']]]);
  t.same(s.read((x) => range(x, 'l'))!.slice(-3), ['next', long, 'after']);
});

t.test('key operations: encoding, copy, dump and restore', async (t) => {
  const s = openTestStore(t);
  const els = Array.from({ length: 1300 }, (_, i) => `e${i}`);
  push(s, 'RPUSH', 'l', ...els);
  s.write((x) => x.store.setExpire(x.db, x.store.get(x.db, b('l'), x.now)!, 9_000_000_000_000));
  const m = s.read((x) => x.store.get(x.db, b('l'), x.now)!);
  t.equal(listKeyType.encoding(m), 'quicklist', 'Redis 7.0: every list is a quicklist');
  t.equal(listKeyType.refcount(m), 1);

  s.write((x) => listKeyType.copy(x.store, m, 1, b('c'), x.store.find(1, b('c'), x.now)));
  t.same(s.read((x) => range(x, 'c'), 1), els, 'the copy in db 1');
  s.write((x) => listPop(x, b('c'), true, 1, [b('LPOP')]), 1);
  t.same(s.read((x) => range(x, 'l')), els, 'the copy has members of its own');

  const dump = s.read((x) => listKeyType.dump(x.store, x.store.get(x.db, b('l'), x.now)!));
  t.equal(dump.length, els.reduce((n, e) => n + 4 + e.length, 0), '[u32 length][bytes] per element');
  const expire = Buffer.alloc(8);
  expire.writeBigUInt64BE(9_000_000_000_000n);
  setString(s, 'r');
  const r = s.write((x) => listKeyType.restore(x, b('r'), x.store.find(x.db, b('r'), x.now), dump, expire));
  t.same(s.read((x) => range(x, 'r')), els, 'restored');
  t.equal(s.read((x) => x.store.get(x.db, b('r'), x.now)!.expireAt), 9_000_000_000_000, 'with the exact expiry');
  t.same(r.effects.map((e) => [e[0], e[1], e.length]), [['DEL', 'r', 2], ['RPUSH', 'r', 514], ['RPUSH', 'r', 514], ['RPUSH', 'r', 278], ['PEXPIREAT', 'r', 3]]);
  t.same(r.effects.filter((e) => e[0] === 'RPUSH').flatMap((e) => e.slice(2)), els, 'the RPUSH records carry every element in order');
  t.same(r.effects[4], ['PEXPIREAT', 'r', '9000000000000']);
  t.equal(push(s, 'LPUSH', 'r', 'head').result, 1301, 'a restored list takes pushes at both ends');
  t.equal(push(s, 'RPUSH', 'r', 'tail').result, 1302);
  t.same(s.read((x) => range(x, 'r', 0, 1)), ['head', 'e0']);

  const r2 = s.write((x) => listKeyType.restore(x, b('r2'), x.store.find(x.db, b('r2'), x.now), dump, Buffer.alloc(8)));
  t.same(r2.effects.map((e) => e[0]), ['DEL', 'RPUSH', 'RPUSH', 'RPUSH'], 'no expiry: no PEXPIREAT');
  t.equal(s.read((x) => x.store.get(x.db, b('r2'), x.now)!.expireAt), 0);
  t.same(s.read((x) => range(x, 'r2')), els);
});
