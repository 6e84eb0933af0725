// The stream store room (lib/store/stream.ts) without a server: a fast-check model test of XADD
// (explicit, <ms>-* and auto ids), XDEL, exact XTRIM (MAXLEN / MINID) and XRANGE / XREVRANGE
// against an in-memory sorted list, with the stream's ids (last, first, max deleted, entries
// added) and the node records' counts checked after every step; the id parser's edge cases; and
// the binlog effects of an auto id and an approximate trim.
import t from 'tap';
import fc from 'fast-check';
import { openTestStore } from '../support/store.js';
import { type AddSpec, entryRange, openStream, streamAdd, streamDelete, streamTrim } from '../../lib/store/stream.js';
import { type StreamId, ID_MAX, ID_ZERO, compareIds, formatId, parseId, string2ull } from '../../lib/store/stream-id.js';
import { idRange } from '../../lib/store/collections.js';
import { decodeNode } from '../../lib/store/stream-nodes.js';

const b = (s: string): Buffer => Buffer.from(s, 'latin1');
const K = b('s');

type Op =
  | { op: 'add'; ms: number; seq: number | null; auto: boolean; fields: number }
  | { op: 'del'; pick: number[] }
  | { op: 'maxlen'; n: number }
  | { op: 'minid'; pick: number }
  | { op: 'range'; a: number; z: number; count: number; rev: boolean };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ op: fc.constant('add' as const), ms: fc.integer({ min: 0, max: 40 }), seq: fc.option(fc.integer({ min: 0, max: 3 })), auto: fc.boolean(), fields: fc.integer({ min: 1, max: 3 }) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('del' as const), pick: fc.array(fc.nat(), { maxLength: 4 }) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('maxlen' as const), n: fc.integer({ min: 0, max: 30 }) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('minid' as const), pick: fc.nat() }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('range' as const), a: fc.nat(), z: fc.nat(), count: fc.integer({ min: 0, max: 5 }), rev: fc.boolean() }) },
);

t.test('XADD / XDEL / XTRIM / XRANGE against a model', async (t) => {
  const s = openTestStore(t);
  let runs = 0;
  await fc.assert(
    fc.property(fc.array(opArb, { maxLength: 80 }), fc.integer({ min: 1, max: 1e6 }), (ops, clock) => {
      const key = b(`s${++runs}`);
      const model: Array<{ id: StreamId; pairs: string[] }> = [];
      let last = ID_ZERO;
      let maxDel = ID_ZERO;
      let added = 0n;
      s.now = clock;
      for (const o of ops) {
        if (o.op === 'add') {
          const pairs: Buffer[] = [];
          for (let i = 0; i < o.fields; i++) pairs.push(b('f' + i), b(String(o.ms * 10 + i)));
          const spec: AddSpec = o.auto
            ? { id: null, seqGiven: true, noMkStream: false, trim: null, trimAt: -1, idAt: 2 }
            : { id: { ms: BigInt(o.ms), seq: BigInt(o.seq ?? 0) }, seqGiven: o.seq !== null, noMkStream: false, trim: null, trimAt: -1, idAt: 2 };
          let want: StreamId | null;
          if (o.auto) want = last.ms < BigInt(clock) ? { ms: BigInt(clock), seq: 0n } : { ms: last.ms, seq: last.seq + 1n };
          else if (o.seq === null) want = last.ms === BigInt(o.ms) ? { ms: last.ms, seq: last.seq + 1n } : { ms: BigInt(o.ms), seq: 0n };
          else want = { ms: BigInt(o.ms), seq: BigInt(o.seq) };
          if (compareIds(want, last) <= 0 || (want.ms === 0n && want.seq === 0n)) want = null;
          let got: StreamId | null = null;
          try {
            if (!(spec.id && spec.seqGiven && spec.id.ms === 0n && spec.id.seq === 0n)) got = s.write((x) => streamAdd(x, [b('XADD'), key, b('*'), ...pairs], spec, pairs)).result;
          } catch {
            got = null;
          }
          t.same(got && formatId(got), want && formatId(want), 'XADD id');
          if (want) {
            model.push({ id: want, pairs: pairs.map((p) => p.toString()) });
            last = want;
            added++;
          }
        } else if (o.op === 'del') {
          const ids = o.pick.map((i) => (model.length ? model[i % model.length].id : { ms: 1n, seq: 1n }));
          const n = s.write((x) => streamDelete(x, [b('XDEL'), key, ...ids.map((i) => b(formatId(i)))], ids)).result;
          const before = model.length;
          for (const id of ids) {
            const at = model.findIndex((e) => compareIds(e.id, id) === 0);
            if (at >= 0) {
              model.splice(at, 1);
              if (compareIds(id, maxDel) > 0) maxDel = id;
            }
          }
          t.equal(n, before - model.length, 'XDEL count');
        } else if (o.op === 'maxlen') {
          const n = s.write((x) => streamTrim(x, [b('XTRIM'), key, b('MAXLEN'), b(String(o.n))], { strategy: 'maxlen', maxlen: BigInt(o.n), minid: ID_ZERO, approx: false, limit: 0 }, 3)).result;
          const drop = Math.max(0, model.length - o.n);
          model.splice(0, drop);
          t.equal(n, drop, 'XTRIM MAXLEN count');
        } else if (o.op === 'minid') {
          const id = model.length ? model[o.pick % model.length].id : { ms: 5n, seq: 0n };
          const n = s.write((x) => streamTrim(x, [b('XTRIM'), key, b('MINID'), b(formatId(id))], { strategy: 'minid', maxlen: -1n, minid: id, approx: false, limit: 0 }, 3)).result;
          const before = model.length;
          while (model.length && compareIds(model[0].id, id) < 0) model.shift();
          t.equal(n, before - model.length, 'XTRIM MINID count');
        } else {
          const ids = [ID_ZERO, ...model.map((e) => e.id), ID_MAX];
          const lo = ids[o.a % ids.length];
          const hi = ids[o.z % ids.length];
          const got = s.read((x) => {
            const st = openStream(x, key);
            return st ? entryRange(x.store, st.c.id, lo, hi, o.count, o.rev).map((e) => [formatId(e.id), ...e.pairs.map(String)]) : [];
          });
          let want = model.filter((e) => compareIds(e.id, lo) >= 0 && compareIds(e.id, hi) <= 0);
          if (o.rev) want = [...want].reverse();
          if (o.count > 0) want = want.slice(0, o.count);
          t.same(got, want.map((e) => [formatId(e.id), ...e.pairs]), 'XRANGE');
        }
        // the stream's ids and its nodes' live counts follow the model
        s.read((x) => {
          const st = openStream(x, key);
          if (!st) return;
          t.equal(st.c.count, model.length, 'length');
          t.equal(formatId(st.last), formatId(last), 'last id');
          t.equal(formatId(st.first), model.length ? formatId(model[0].id) : '0-0', 'first id');
          t.equal(formatId(st.maxDeleted), formatId(maxDel), 'max deleted id');
          t.equal(st.added, added, 'entries added');
          let live = 0;
          const { start, end } = idRange(st.c.id);
          for (const { value } of x.store.zscore.getRange({ start, end })) live += decodeNode(ID_ZERO, value as Buffer).live;
          t.equal(live, model.length, 'node live counts');
        });
      }
      return true;
    }),
    { numRuns: 40 },
  );
});

t.test('id parsing as Redis (string2ull, C strings, <ms>-*)', async (t) => {
  const p = (s: string | Buffer, strict = true, star = false) => {
    try {
      const id = parseId(typeof s === 'string' ? b(s) : s, 0n, strict, star);
      return id.seqGiven ? formatId(id) : `${id.ms}-*`;
    } catch {
      return 'invalid';
    }
  };
  t.equal(p('5'), '5-0');
  t.equal(p('5-3'), '5-3');
  t.equal(p('-'), 'invalid');
  t.equal(p('-', false), '0-0');
  t.equal(p('+', false), '18446744073709551615-18446744073709551615');
  t.equal(p('5-*'), 'invalid');
  t.equal(p('5-*', true, true), '5-*');
  t.equal(p('-01-5'), 'invalid', 'the first dash splits: an empty ms');
  t.equal(p('5--01'), '5-18446744073709551615', 'strtoull wraps a negative sequence');
  t.equal(p('5--1'), 'invalid', 'string2ll refuses a negative number');
  t.equal(p(' 5-+3'), '5-3');
  t.equal(p('007-1'), '7-1');
  t.equal(p('18446744073709551616'), 'invalid');
  t.equal(p(Buffer.from('5-1\0junk')), '5-1', 'the argument ends at a NUL byte');
  t.equal(p('x'.repeat(128)), 'invalid');
  t.equal(string2ull(b('')), null);
  t.equal(string2ull(b('-0')), 0n);
});

t.test('binlog: an auto id written out, an approximate trim as an exact one', async (t) => {
  const s = openTestStore(t);
  s.now = 1000;
  const pairs = [b('f'), b('v')];
  const spec: AddSpec = { id: null, seqGiven: true, noMkStream: false, trim: null, trimAt: -1, idAt: 2 };
  t.same(s.write((x) => streamAdd(x, [b('XADD'), K, b('*'), ...pairs], spec, pairs)).effects, [['XADD', 's', '1000-0', 'f', 'v']]);
  for (let i = 0; i < 150; i++) s.write((x) => streamAdd(x, [b('XADD'), K, b('*'), ...pairs], spec, pairs));
  const cmd = [b('XADD'), K, b('MAXLEN'), b('~'), b('10'), b('LIMIT'), b('500'), b('*'), ...pairs];
  const trim = { strategy: 'maxlen' as const, maxlen: 10n, minid: ID_ZERO, approx: true, limit: 500 };
  const r = s.write((x) => streamAdd(x, cmd, { ...spec, trim, trimAt: 4, idAt: 7 }, pairs));
  // 152 entries in nodes of 100: the first node goes, 52 are left
  t.same(r.effects, [['XADD', 's', 'MAXLEN', '=', '52', '1000-151', 'f', 'v']]);
  t.equal(s.read((x) => openStream(x, K)!.c.count), 52);
});
