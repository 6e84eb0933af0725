// The edits in the middle of a list (lib/store/list-edit.ts) without a server: LINSERT shifts the
// shorter side of the insertion point, LREM closes the gaps from the side that moves fewer
// elements; both over lists longer than the 1,024-element read chunk, their values and effects,
// and the emptied list being deleted.
import t from 'tap';
import { openTestStore, type TestStore } from '../support/store.js';
import type { StoreCtx } from '../../lib/store/context.js';
import { COLL_FIXED, WrongTypeError } from '../../lib/store/collections.js';
import { payload } from '../../lib/store/meta.js';
import { readU64BE } from '../../lib/store/keys.js';
import { listPush, listRange } from '../../lib/store/list.js';
import { listInsert, listRemove } from '../../lib/store/list-edit.js';
import { nodeCount } from '../../lib/store/list-nodes.js';

const b = (s: string): Buffer => Buffer.from(s, 'latin1');
const MID = 2 ** 52;

function range(x: StoreCtx, key: string): string[] | null {
  const r = listRange(x, b(key), 0, -1);
  if (!r) return null;
  const out: string[] = [];
  for (let i = 0; i < r.rangeLength; i++) out.push(r.nextInRange().toString('latin1'));
  return out;
}

/** The list's [head, tail] indexes relative to where a new list starts, from its record. */
function ends(s: TestStore, key: string): [number, number] {
  const p = s.read((x) => payload(x.store.get(x.db, b(key), x.now)!));
  return [readU64BE(p, COLL_FIXED) - MID, readU64BE(p, COLL_FIXED + 8) - MID];
}

/** The indexes of every element the store's nodes hold, relative to MID: no stale element is left behind. */
function indexes(s: TestStore): number[] {
  return s.read((x) => {
    const out: number[] = [];
    for (const { key, value } of x.store.sub.getRange()) {
      const start = readU64BE(key as Buffer, 8) - MID;
      for (let i = 0; i < nodeCount(value as Buffer); i++) out.push(start + i);
    }
    return out;
  });
}

function rpush(s: TestStore, key: string, elems: string[]): void {
  s.write((x) => listPush(x, [b('RPUSH'), b(key), ...elems.map(b)], false, false));
}

const insert = (s: TestStore, key: string, after: boolean, pivot: string, v: string) =>
  s.write((x) => listInsert(x, b(key), after, b(pivot), b(v), [b('LINSERT'), b(key), b(after ? 'AFTER' : 'BEFORE'), b(pivot), b(v)]));
const remove = (s: TestStore, key: string, count: number, e: string) =>
  s.write((x) => listRemove(x, b(key), count, b(e), [b('LREM'), b(key), b(String(count)), b(e)]));

t.test('LINSERT: before and after, the first pivot from the head, missing pivot and key', async (t) => {
  const s = openTestStore(t);
  rpush(s, 'l', ['a', 'b', 'c', 'b', 'a']);
  let r = insert(s, 'l', false, 'b', 'x');
  t.equal(r.result, 6);
  t.same(r.effects, [['LINSERT', 'l', 'BEFORE', 'b', 'x']]);
  r = insert(s, 'l', true, 'a', 'y');
  t.same(s.read((x) => range(x, 'l')), ['a', 'y', 'x', 'b', 'c', 'b', 'a']);
  r = insert(s, 'l', true, 'nosuch', 'z');
  t.equal(r.result, -1, 'no pivot: -1');
  t.same(r.effects, [], 'nothing logged');
  r = insert(s, 'none', true, 'a', 'z');
  t.equal(r.result, 0, 'no list: 0');
  t.equal(s.read((x) => x.store.get(x.db, b('none'), x.now)), null);
  insert(s, 'l', true, 'a', 'end'); // the first 'a' is the head
  insert(s, 'l', false, 'a', 'start');
  t.same(s.read((x) => range(x, 'l')), ['start', 'a', 'end', 'y', 'x', 'b', 'c', 'b', 'a']);
  rpush(s, 'one', ['p']);
  insert(s, 'one', true, 'p', 'q');
  insert(s, 'one', false, 'p', 'o');
  t.same(s.read((x) => range(x, 'one')), ['o', 'p', 'q']);
});

t.test('LINSERT shifts the shorter side, across read chunks', async (t) => {
  const s = openTestStore(t);
  const n = 3000;
  const els = Array.from({ length: n }, (_, i) => `e${i}`);
  rpush(s, 'l', els);
  t.same(ends(s, 'l'), [0, n]);
  insert(s, 'l', false, 'e1300', 'near-head'); // 1300 elements before the pivot, 1700 after: the head side moves
  t.same(ends(s, 'l'), [-1, n], 'the head moved');
  insert(s, 'l', true, 'e1700', 'near-tail'); // position 1702 of 3001: the tail side moves
  t.same(ends(s, 'l'), [-1, n + 1], 'the tail moved');
  const want = [...els];
  want.splice(1300, 0, 'near-head');
  want.splice(want.indexOf('e1700') + 1, 0, 'near-tail');
  t.same(s.read((x) => range(x, 'l')), want);
  t.same(indexes(s), Array.from({ length: n + 2 }, (_, i) => i - 1), 'one element per index, none left over');
});

t.test('LREM: from the head, from the tail, all; an emptied list is deleted', async (t) => {
  const s = openTestStore(t);
  const base = ['a', 'b', 'a', 'c', 'a', 'd', 'a'];
  const cases: Array<[number, string[]]> = [
    [1, ['b', 'a', 'c', 'a', 'd', 'a']],
    [2, ['b', 'c', 'a', 'd', 'a']],
    [-1, ['a', 'b', 'a', 'c', 'a', 'd']],
    [-3, ['a', 'b', 'c', 'd']],
    [0, ['b', 'c', 'd']],
    [100, ['b', 'c', 'd']],
  ];
  for (const [count, want] of cases) {
    rpush(s, `l${count}`, base);
    const r = remove(s, `l${count}`, count, 'a');
    t.equal(r.result, base.length - want.length, `LREM ${count} a: count removed`);
    t.same(r.effects, [['LREM', `l${count}`, String(count), 'a']]);
    t.same(s.read((x) => range(x, `l${count}`)), want, `LREM ${count} a`);
  }
  const r = remove(s, 'l0', 0, 'zz');
  t.equal(r.result, 0);
  t.same(r.effects, [], 'nothing removed: nothing logged');
  t.equal(remove(s, 'none', 0, 'a').result, 0);
  rpush(s, 'same', ['x', 'x', 'x']);
  t.equal(remove(s, 'same', 0, 'x').result, 3);
  t.equal(s.read((x) => x.store.get(x.db, b('same'), x.now)), null, 'deleted');
  t.ok(s.store.hasGarbage(), 'its members wait for the collector');
});

t.test('LREM compacts the side that moves fewer elements, across read chunks', async (t) => {
  const s = openTestStore(t);
  const n = 3000;
  const els = Array.from({ length: n }, (_, i) => `e${i % 500}`);
  rpush(s, 'l', els);
  // the first two e10, at 10 and 510: the 508 survivors before the second move towards the tail
  // (not the 2,988 after the first towards the head)
  let r = remove(s, 'l', 2, 'e10');
  t.equal(r.result, 2);
  const want = [...els];
  for (let k = 0; k < 2; k++) want.splice(want.indexOf('e10'), 1);
  t.same(ends(s, 'l'), [2, n], 'the head side moved up');
  t.same(s.read((x) => range(x, 'l')), want);
  // the last two e490, near 1,990 and 2,490: the ~1,000 survivors after the first move down
  r = remove(s, 'l', -2, 'e490');
  for (let k = 0; k < 2; k++) want.splice(want.lastIndexOf('e490'), 1);
  t.same(ends(s, 'l'), [2, n - 2], 'the tail side moved down');
  t.same(s.read((x) => range(x, 'l')), want);
  // everywhere
  r = remove(s, 'l', 0, 'e250');
  t.equal(r.result, 6);
  const rest = want.filter((e) => e !== 'e250');
  t.same(s.read((x) => range(x, 'l')), rest);
  const [h, tl] = ends(s, 'l');
  t.equal(tl - h, rest.length);
  t.same(indexes(s), Array.from({ length: rest.length }, (_, i) => h + i), 'one element per index, none left over');
});

t.test('WRONGTYPE before any change', async (t) => {
  const s = openTestStore(t);
  s.write((x) => {
    const f = x.store.find(x.db, b('s'), x.now);
    x.store.putString(x.db, b('s'), f.mk, b('str'), 0, f.meta);
  });
  for (const [name, fn] of [
    ['insert', () => insert(s, 's', true, 'a', 'b')],
    ['remove', () => remove(s, 's', 0, 'a')],
  ] as const) {
    let err: unknown = null;
    try {
      fn();
    } catch (e) {
      err = e;
    }
    t.ok(err instanceof WrongTypeError, name);
  }
  t.equal(s.read((x) => x.store.get(x.db, b('s'), x.now)!.type), 0);
});
