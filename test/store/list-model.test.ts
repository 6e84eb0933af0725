// The list store room against a model: random sequences of push / pop / set / insert / remove /
// trim / move / LMPOP-pop operations (now and then pushing a thousand elements at once, so shifts
// and compaction cross the 1,024-element read chunk) run on the store, in one write transaction as
// a shard runs a batch, and on plain JS arrays. Every returned value and error must agree, and
// afterwards every list's full range, length, elements by index and LPOS answers (rank, count,
// maxlen) too, with no element left behind in `sub` once the garbage of deleted lists is collected.
import t from 'tap';
import fc from 'fast-check';
import { openTestStore, type TestStore } from '../support/store.js';
import type { StoreCtx } from '../../lib/store/context.js';
import {
  listIndex,
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
import { decodeNode, encodeElems, nodeCount, nodeKey } from '../../lib/store/list-nodes.js';
import { listInsert, listRemove } from '../../lib/store/list-edit.js';

const INT64_MIN = -(2n ** 63n);
const ALPHABET = ['a', 'b', 'c', 'd'];
const LONG = 'L'.repeat(2000);
/** Key names of one run; 's' holds a string. */
const NAMES = ['a', 'b', 's'] as const;
type Name = (typeof NAMES)[number];

type Op =
  | { op: 'push'; key: Name; left: boolean; onlyExisting: boolean; elems: string[] }
  | { op: 'pushMany'; key: Name; left: boolean; n: number; tag: string }
  | { op: 'pop'; key: Name; left: boolean; count: number }
  | { op: 'set'; key: Name; index: number; value: string }
  | { op: 'insert'; key: Name; after: boolean; pivot: string; value: string }
  | { op: 'remove'; key: Name; count: number; elem: string }
  | { op: 'trim'; key: Name; start: number; stop: number }
  | { op: 'move'; src: Name; dst: Name; fromLeft: boolean; toLeft: boolean }
  | { op: 'mpop'; keys: Name[]; left: boolean; count: number };

const keyArb = fc.constantFrom<Name>('a', 'a', 'b', 'b', 's');
const elArb = fc.oneof({ weight: 8, arbitrary: fc.constantFrom(...ALPHABET) }, { weight: 1, arbitrary: fc.constantFrom('', LONG) });
const small = fc.integer({ min: -8, max: 8 });
/** The tags of the thousand-element pushes' elements (see manyElems). */
const tagArb = fc.constantFrom('n', 'm', 'o');
/** An element of a thousand-element push: far from the ends once the list is long. */
const farArb = fc.tuple(tagArb, fc.integer({ min: 0, max: 1299 })).map(([tag, i]) => `${tag}${i}`);
/** Pivots and elements to remove: mostly short ones, some from the thousand-element pushes. */
const matchArb = fc.oneof({ weight: 3, arbitrary: elArb }, { weight: 2, arbitrary: farArb });

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ op: fc.constant('push' as const), key: keyArb, left: fc.boolean(), onlyExisting: fc.boolean(), elems: fc.array(elArb, { minLength: 1, maxLength: 5 }) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('pushMany' as const), key: keyArb, left: fc.boolean(), n: fc.integer({ min: 1000, max: 1300 }), tag: tagArb }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('pop' as const), key: keyArb, left: fc.boolean(), count: fc.integer({ min: 0, max: 6 }) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('set' as const), key: keyArb, index: small, value: elArb }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('insert' as const), key: keyArb, after: fc.boolean(), pivot: matchArb, value: elArb }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('remove' as const), key: keyArb, count: fc.integer({ min: -3, max: 3 }), elem: matchArb }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('trim' as const), key: keyArb, start: small, stop: small }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('move' as const), src: keyArb, dst: keyArb, fromLeft: fc.boolean(), toLeft: fc.boolean() }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('mpop' as const), keys: fc.array(keyArb, { minLength: 1, maxLength: 3 }), left: fc.boolean(), count: fc.integer({ min: 1, max: 4 }) }) },
);

/** A thousand-element push: n0 n1 ... (or m0 m1 ..., o0 o1 ...: LINSERT / LREM then reach far from the ends). */
const manyElems = (n: number, tag: string): string[] => Array.from({ length: n }, (_, i) => `${tag}${i}`);

// ---- the model: arrays; a missing list is an absent entry

class WrongType extends Error {
  constructor() {
    super('WRONGTYPE Operation against a key holding the wrong kind of value');
  }
}

/** Redis's range of a list of `len`: [from, to) or null when empty. */
function redisRange(start: number, stop: number, len: number): [number, number] | null {
  if (start < 0) start += len;
  if (stop < 0) stop += len;
  start = Math.max(0, start);
  stop = Math.min(len - 1, stop);
  return start > stop ? null : [start, stop + 1];
}

class Model {
  lists = new Map<Name, string[]>();

  private list(key: Name): string[] | undefined {
    if (key === 's') throw new WrongType();
    return this.lists.get(key);
  }

  private save(key: Name, l: string[]): void {
    if (l.length) this.lists.set(key, l);
    else this.lists.delete(key);
  }

  run(o: Op): unknown {
    switch (o.op) {
      case 'push':
      case 'pushMany': {
        const elems = o.op === 'push' ? o.elems : manyElems(o.n, o.tag);
        let l = this.list(o.key);
        if (!l) {
          if (o.op === 'push' && o.onlyExisting) return 0;
          l = [];
        }
        for (const e of elems) {
          if (o.left) l.unshift(e);
          else l.push(e);
        }
        this.save(o.key, l);
        return l.length;
      }
      case 'pop': {
        const l = this.list(o.key);
        if (!l) return null;
        const out = o.left ? l.splice(0, o.count) : l.splice(Math.max(0, l.length - o.count)).reverse();
        this.save(o.key, l);
        return out;
      }
      case 'set': {
        const l = this.list(o.key);
        if (!l) throw new Error('ERR no such key');
        const i = o.index < 0 ? o.index + l.length : o.index;
        if (i < 0 || i >= l.length) throw new Error('ERR index out of range');
        l[i] = o.value;
        return 'OK';
      }
      case 'insert': {
        const l = this.list(o.key);
        if (!l) return 0;
        const i = l.indexOf(o.pivot);
        if (i < 0) return -1;
        l.splice(o.after ? i + 1 : i, 0, o.value);
        return l.length;
      }
      case 'remove': {
        const l = this.list(o.key);
        if (!l) return 0;
        const order = l.map((_, i) => i).filter((i) => l[i] === o.elem);
        if (o.count < 0) order.reverse();
        const gone = new Set(o.count === 0 ? order : order.slice(0, Math.abs(o.count)));
        this.save(o.key, l.filter((_, i) => !gone.has(i)));
        return gone.size;
      }
      case 'trim': {
        const l = this.list(o.key);
        if (!l) return 'OK';
        const r = redisRange(o.start, o.stop, l.length);
        this.save(o.key, r ? l.slice(r[0], r[1]) : []);
        return 'OK';
      }
      case 'move': {
        const src = this.list(o.src);
        if (!src) return null;
        const dst = this.list(o.dst) ?? [];
        const v = o.fromLeft ? src.shift()! : src.pop()!;
        if (o.src === o.dst) {
          if (o.toLeft) src.unshift(v);
          else src.push(v);
          return v;
        }
        if (o.toLeft) dst.unshift(v);
        else dst.push(v);
        this.save(o.src, src);
        this.save(o.dst, dst);
        return v;
      }
      case 'mpop': {
        for (const k of o.keys) {
          const l = this.list(k);
          if (!l) continue;
          const out = o.left ? l.splice(0, o.count) : l.splice(Math.max(0, l.length - o.count)).reverse();
          this.save(k, l);
          return [k, out];
        }
        return null;
      }
    }
  }
}

/** LPOS as the documentation states it, on an array. */
function modelPositions(l: string[] | undefined, elem: string, rank: bigint, count: number, maxlen: number): number[] | null {
  if (!l) return null;
  const fromTail = rank < 0n;
  const seen = maxlen ? Math.min(maxlen, l.length) : l.length;
  const order = Array.from({ length: seen }, (_, i) => (fromTail ? l.length - 1 - i : i)).filter((i) => l[i] === elem);
  // LONG_MIN: every match qualifies and COUNT never stops the search
  if (rank === INT64_MIN) return count === -1 ? order.slice(0, 1) : order;
  const qualifying = order.slice(Number(fromTail ? -rank : rank) - 1);
  if (count === -1) return qualifying.slice(0, 1);
  return count === 0 ? qualifying : qualifying.slice(0, count);
}

// ---- the store

const b = (s: string): Buffer => Buffer.from(s, 'latin1');
const strs = (v: Buffer[]): string[] => v.map((e) => e.toString('latin1'));

function runOnStore(x: StoreCtx, key: (n: Name) => Buffer, o: Op): unknown {
  switch (o.op) {
    case 'push':
    case 'pushMany': {
      const elems = o.op === 'push' ? o.elems : manyElems(o.n, o.tag);
      const onlyExisting = o.op === 'push' && o.onlyExisting;
      return listPush(x, [b(o.left ? 'LPUSH' : 'RPUSH'), key(o.key), ...elems.map(b)], o.left, onlyExisting);
    }
    case 'pop': {
      const v = listPop(x, key(o.key), o.left, o.count, [b('LPOP'), key(o.key), b(String(o.count))]);
      return v && strs(v);
    }
    case 'set':
      listSet(openExistingList(x, key(o.key)), o.index, b(o.value), [b('LSET')]);
      return 'OK';
    case 'insert':
      return listInsert(x, key(o.key), o.after, b(o.pivot), b(o.value), [b('LINSERT')]);
    case 'remove':
      return listRemove(x, key(o.key), o.count, b(o.elem), [b('LREM')]);
    case 'trim':
      listTrim(x, key(o.key), o.start, o.stop, [b('LTRIM')]);
      return 'OK';
    case 'move':
      return listMove(x, key(o.src), key(o.dst), o.fromLeft, o.toLeft, [b('LMOVE')])?.toString('latin1') ?? null;
    case 'mpop': {
      const r = listPopFirst(x, o.keys.map(key), o.left, o.count);
      return r && [NAMES.find((n) => key(n).equals(r.key)), strs(r.elements)];
    }
  }
}

/** The value or the error message of `fn`. */
function outcome(fn: () => unknown): string {
  try {
    return JSON.stringify(fn());
  } catch (e) {
    return `error: ${(e as Error).message}`;
  }
}

function describe(o: Op): string {
  return JSON.stringify(o, (_, v) => (v === LONG ? '<2000 bytes>' : v));
}

let runs = 0;

/**
 * Runs `ops` on fresh keys of `s` and on the model; returns the first disagreement, or null.
 * `tamper` changes the store behind the model's back before the final comparison (to show that
 * the comparison can fail).
 */
function check(s: TestStore, ops: Op[], tamper?: (x: StoreCtx, key: (n: Name) => Buffer) => void): string | null {
  const prefix = `r${runs++}:`;
  const key = (n: Name): Buffer => b(prefix + n);
  s.write((x) => {
    const f = x.store.find(x.db, key('s'), x.now);
    x.store.putString(x.db, key('s'), f.mk, b('str'), 0, f.meta);
  });
  const model = new Model();
  try {
    // one write transaction for the whole sequence, as a shard runs a batch: an operation that
    // throws has changed nothing, and the next one goes on
    const diverged = s.write((x) => {
      for (const o of ops) {
        const want = outcome(() => model.run(o));
        const got = outcome(() => runOnStore(x, key, o));
        if (got !== want) return `${describe(o)}: store ${got}, model ${want}`;
      }
      return null;
    }).result;
    if (diverged) return diverged;
    if (tamper) s.write((x) => tamper(x, key));
    const compare = (): string | null => {
      for (const n of ['a', 'b'] as const) {
        const l = model.lists.get(n);
        const all = s.read((x) => {
          const r = listRange(x, key(n), 0, -1);
          if (!r) return null;
          const out: string[] = [];
          for (let i = 0; i < r.rangeLength; i++) out.push(r.nextInRange().toString('latin1'));
          return out;
        });
        if (JSON.stringify(all) !== JSON.stringify(l ?? null)) return `${n}: store ${JSON.stringify(all)}, model ${JSON.stringify(l ?? null)}`;
        const len = s.read((x) => listLength(x, key(n)));
        if (len !== (l?.length ?? 0)) return `${n}: length ${len}, model ${l?.length ?? 0}`;
        const len0 = l?.length ?? 0;
        for (const i of [0, 1, len0 - 1, -1, -len0, len0, -len0 - 1]) {
          const got = s.read((x) => {
            const h = openList(x, key(n));
            return h ? (listIndex(h, i)?.toString('latin1') ?? null) : null;
          });
          const want = l ? (l[i < 0 ? i + l.length : i] ?? null) : null;
          if (got !== want) return `${n}: index ${i}: store ${got}, model ${want}`;
        }
        for (const e of [...ALPHABET, '', LONG, 'zz', 'n0', 'm700', 'o1299']) {
          for (const rank of [1n, 2n, -1n, -2n, INT64_MIN]) {
            for (const count of [-1, 0, 2]) {
              for (const maxlen of [0, 3]) {
                const got = JSON.stringify(s.read((x) => listPositions(x, key(n), b(e), rank, count, maxlen)));
                const want = JSON.stringify(modelPositions(l, e, rank, count, maxlen));
                if (got !== want) return `${n}: LPOS ${e.length > 10 ? '<long>' : e} RANK ${rank} COUNT ${count} MAXLEN ${maxlen}: store ${got}, model ${want}`;
              }
            }
          }
        }
      }
      // with the deleted lists' members collected, `sub` holds exactly the live elements
      s.write((x) => x.store.collectGarbage(1e9));
      const live = [...model.lists.values()].reduce((n, l) => n + l.length, 0);
      const stored = s.read((x) => [...x.store.sub.getRange()].reduce((n, { value }) => n + nodeCount(value as Buffer), 0));
      if (stored !== live) return `sub holds ${stored} elements, the lists ${live}`;
      return null;
    };
    try {
      return compare();
    } catch (err) {
      return `a read failed: ${(err as Error).message}`;
    }
  } finally {
    s.write((x) => {
      for (const n of NAMES) {
        const m = x.store.get(x.db, key(n), x.now);
        if (m) x.store.remove(x.db, m);
      }
      x.store.collectGarbage(1e9);
    });
  }
}

t.test('random operations agree with an array model', async (t) => {
  const s = openTestStore(t);
  let failure: string | null = null;
  try {
    fc.assert(
      fc.property(fc.array(opArb, { minLength: 1, maxLength: 40 }), (ops) => {
        const d = check(s, ops);
        if (d) throw new Error(d);
      }),
      { numRuns: 100 },
    );
  } catch (e) {
    failure = (e as Error).message;
  }
  t.equal(failure, null, 'store and model agree');
  t.ok(runs >= 100, `${runs} sequences`);
});

t.test('random operations on lists of a few thousand elements agree with the model', async (t) => {
  // two or three thousand-element pushes first, then mostly LINSERT and LREM far from the ends,
  // so that they move more elements than one read chunk holds, on either side
  const s = openTestStore(t);
  const bigArb = fc.record({ op: fc.constant('pushMany' as const), key: fc.constant<Name>('a'), left: fc.boolean(), n: fc.integer({ min: 1000, max: 1300 }), tag: tagArb });
  const editArb: fc.Arbitrary<Op> = fc.oneof(
    { weight: 3, arbitrary: fc.record({ op: fc.constant('insert' as const), key: fc.constant<Name>('a'), after: fc.boolean(), pivot: farArb, value: elArb }) },
    { weight: 3, arbitrary: fc.record({ op: fc.constant('remove' as const), key: fc.constant<Name>('a'), count: fc.integer({ min: -2, max: 2 }), elem: farArb }) },
    { weight: 2, arbitrary: opArb },
  );
  const before = runs;
  let failure: string | null = null;
  try {
    fc.assert(
      fc.property(fc.array(bigArb, { minLength: 2, maxLength: 3 }), fc.array(editArb, { minLength: 1, maxLength: 25 }), (big, ops) => {
        const d = check(s, [...big, ...ops]);
        if (d) throw new Error(d);
      }),
      { numRuns: 40 },
    );
  } catch (e) {
    failure = (e as Error).message;
  }
  t.equal(failure, null, 'store and model agree');
  t.ok(runs - before >= 40, `${runs - before} sequences`);
});

t.test('the check catches a store that differs from the model', async (t) => {
  const s = openTestStore(t);
  const ops: Op[] = [{ op: 'push', key: 'a', left: false, onlyExisting: false, elems: ['a', 'b', 'c', 'a'] }];
  t.equal(check(s, ops), null, 'untouched: agreement');
  const changed = check(s, ops, (x, key) => {
    const l = openList(x, key('a'))!;
    l.set(1, b('B')); // behind the model's back
  });
  t.match(changed, /^a: store \["a","B","c","a"\]/, 'a changed element');
  const stray = check(s, ops, (x, key) => {
    const l = openList(x, key('a'))!;
    x.store.sub.putSync(nodeKey(l.id, l.tail + 5), encodeElems([b('stray')]));
  });
  t.match(stray, /^sub holds 5 elements, the lists 4/, 'an element outside the ends');
  const lost = check(s, ops, (x, key) => {
    const l = openList(x, key('a'))!;
    const head = decodeNode(x.store.sub.getBinary(nodeKey(l.id, l.head))!);
    head.splice(2, 1);
    x.store.sub.putSync(nodeKey(l.id, l.head), encodeElems(head));
  });
  t.match(lost, /missing/, 'a lost element (the range read fails loudly)');
});
