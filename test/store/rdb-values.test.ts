// lib/store/rdb-values.ts on a store without a server: values of every type written with
// writeValue read back equal with readValue (fast-check round trips, members in Redis's order),
// with the encoding Redis derives on load under the current thresholds, the expiry kept, the
// binlog effects of a re-created key, and the refusals (consumer groups, repeated members).
import t from 'tap';
import fc from 'fast-check';
import { openTestStore, type TestStore } from '../support/store.js';
import { readValue, writeValue, STREAM_GROUPS_UNSUPPORTED } from '../../lib/store/rdb-values.js';
import { keyEncoding } from '../../lib/store/keyspace.js';
import { setFields } from '../../lib/store/hash.js';
import { addMembers } from '../../lib/store/set.js';
import { encodingLimits } from '../../lib/store/encoding-limits.js';
import { DEFAULT_ENCODING_LIMITS, type RdbValue } from '../../lib/rdb/value.js';

const b = (s: string): Buffer => Buffer.from(s, 'latin1');

function put(s: TestStore, key: string, v: RdbValue, expireAt: bigint | null = null, db = 0): { written: boolean; effects: string[][] } {
  const { result, effects } = s.write((x) => writeValue(x, db, b(key), x.store.find(db, b(key), x.now), v, expireAt), db);
  return { written: result, effects };
}

function get(s: TestStore, key: string, db = 0): RdbValue | null {
  return s.read((x) => {
    const m = x.store.get(db, b(key), x.now, false);
    return m ? readValue(x.store, m) : null;
  }, db);
}

function encoding(s: TestStore, key: string): string | null {
  return s.read((x) => keyEncoding(x, b(key)));
}

// ---- arbitraries: values in the canonical form readValue gives

const bytes = fc.oneof(
  { weight: 4, arbitrary: fc.uint8Array({ maxLength: 12 }).map((a) => Buffer.from(a)) },
  { weight: 2, arbitrary: fc.integer({ min: -1000, max: 100000 }).map((n) => b(String(n))) },
  { weight: 1, arbitrary: fc.integer({ min: 60, max: 2100 }).map((n) => Buffer.alloc(n, 'x')) },
);
const cmp = Buffer.compare;

function distinct(bufs: Buffer[]): Buffer[] {
  const seen = new Set<string>();
  return bufs.filter((x) => {
    const k = x.toString('hex');
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

const intText = (x: Buffer): bigint | null => (/^(0|-?[1-9][0-9]{0,18})$/.test(x.toString('latin1')) ? BigInt(x.toString('latin1')) : null);

const stringArb = bytes.map((value): RdbValue => ({ type: 'string', value }));
const listArb = fc.array(bytes, { minLength: 1, maxLength: 300 }).map((items): RdbValue => ({ type: 'list', items }));
const setArb = fc.array(bytes, { minLength: 1, maxLength: 40 }).map((ms): RdbValue => {
  const members = distinct(ms).sort(cmp);
  const ints = members.map(intText);
  if (ints.every((n) => n !== null) && members.length <= 512) {
    const order = members.map((m, i) => [ints[i]!, m] as const).sort((x, y) => (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0));
    return { type: 'set', members: order.map((p) => p[1]), encoding: 'intset' };
  }
  return { type: 'set', members, encoding: 'hashtable' };
});
const score = fc.oneof(fc.double({ noNaN: true }), fc.constantFrom(0, -0, 1.5, Infinity, -Infinity));
const zsetArb = fc.array(fc.tuple(bytes, score), { minLength: 1, maxLength: 40 }).map((es): RdbValue => {
  const seen = new Set<string>();
  const entries = es
    .filter(([m]) => !seen.has(m.toString('hex')) && (seen.add(m.toString('hex')), true))
    .map(([member, s]) => ({ member, score: s }))
    .sort((x, y) => (x.score !== y.score ? x.score - y.score : cmp(x.member, y.member)));
  return { type: 'zset', entries };
});
const hashArb = fc.array(fc.tuple(bytes, bytes), { minLength: 1, maxLength: 40 }).map((es): RdbValue => {
  const seen = new Set<string>();
  const entries = es.filter(([f]) => !seen.has(f.toString('hex')) && (seen.add(f.toString('hex')), true)).sort((x, y) => cmp(x[0], y[0]));
  return { type: 'hash', entries };
});
const streamArb = fc
  .array(fc.tuple(fc.integer({ min: 0, max: 3 }), fc.array(bytes, { minLength: 1, maxLength: 3 })), { maxLength: 30 })
  .map((steps): RdbValue => {
    let ms = 1000n;
    let seq = 0n;
    const entries = steps.map(([gap, fs]) => {
      if (gap === 0) seq++;
      else {
        ms += BigInt(gap);
        seq = 0n;
      }
      const fields: Buffer[] = [];
      for (const f of fs) fields.push(f, b(`v${f.length}`));
      return { id: { ms, seq }, fields };
    });
    const last = entries.length ? entries[entries.length - 1].id : { ms: 5n, seq: 7n };
    return {
      type: 'stream',
      entries,
      lastId: last,
      firstId: entries.length ? entries[0].id : { ms: 0n, seq: 0n },
      maxDeletedId: { ms: 3n, seq: 1n },
      entriesAdded: BigInt(entries.length + 4),
      groups: [],
    };
  });

const valueArb = fc.oneof(stringArb, listArb, setArb, zsetArb, hashArb, streamArb);

/** What readValue gives back for `v` written under the current limits. */
function expected(v: RdbValue, enc: string | null): RdbValue {
  switch (v.type) {
    case 'set':
      return { ...v, encoding: enc as 'intset' | 'hashtable' };
    case 'zset':
      return { ...v, entries: v.entries.map((e) => ({ member: e.member, score: enc === 'listpack' && e.score === 0 ? 0 : e.score })), encoding: enc as 'listpack' | 'skiplist' };
    case 'hash':
      return { ...v, encoding: enc as 'listpack' | 'hashtable' };
    default:
      return v;
  }
}

/**
 * A hashtable set or hash has no order in Redis, and respdb's is byte order only for members that
 * fit in a key (long ones follow their stored prefix and hash): compared in byte order.
 */
function hashtableSorted(v: RdbValue | null): RdbValue | null {
  if (v?.type === 'set' && v.encoding === 'hashtable') return { ...v, members: [...v.members].sort(cmp) };
  if (v?.type === 'hash' && v.encoding === 'hashtable') return { ...v, entries: [...v.entries].sort((x, y) => cmp(x[0], y[0])) };
  return v;
}

/** Scores compared with -0 told apart from 0. */
function same(a: unknown, b2: unknown): boolean {
  const norm = (x: unknown): unknown =>
    JSON.parse(JSON.stringify(x, (_k, v) => (typeof v === 'bigint' ? `${v}n` : Object.is(v, -0) ? '-0' : v === Infinity ? 'inf' : v === -Infinity ? '-inf' : v && v.type === 'Buffer' ? Buffer.from(v.data).toString('hex') : v)));
  return JSON.stringify(norm(a)) === JSON.stringify(norm(b2));
}

function redisEncoding(v: RdbValue): string {
  const l = encodingLimits;
  switch (v.type) {
    case 'string':
      return intText(v.value) !== null && v.value.length <= 20 ? 'int' : v.value.length <= 44 ? 'embstr' : 'raw';
    case 'list':
      return 'quicklist';
    case 'set':
      return v.members.length <= l.setMaxIntsetEntries && v.members.every((m) => intText(m) !== null) ? 'intset' : 'hashtable';
    case 'zset':
      return v.entries.length <= l.zsetMaxListpackEntries && (v.encoding === 'listpack' || v.entries.every((e) => e.member.length <= l.zsetMaxListpackValue)) ? 'listpack' : 'skiplist';
    case 'hash':
      return v.entries.length <= l.hashMaxListpackEntries && (v.encoding === 'listpack' || v.entries.every(([f, x]) => f.length <= l.hashMaxListpackValue && x.length <= l.hashMaxListpackValue)) ? 'listpack' : 'hashtable';
    case 'stream':
      return 'stream';
  }
}

t.test('every type round trips with Redis order, its load-time encoding and its expiry', async (t) => {
  const s = openTestStore(t);
  let n = 0;
  fc.assert(
    fc.property(valueArb, fc.option(fc.bigInt({ min: 1n, max: 1n << 45n }), { nil: null }), (v, ttl) => {
      const key = `k${n++ % 5}`;
      const expireAt = ttl === null ? null : BigInt(s.now) + ttl;
      const { written } = put(s, key, v, expireAt);
      if (!written) return false;
      const enc = encoding(s, key);
      if (enc !== redisEncoding(v)) throw new Error(`encoding ${enc}, Redis: ${redisEncoding(v)}`);
      const back = hashtableSorted(get(s, key));
      if (!same(back, expected(v, enc))) throw new Error(`read back ${JSON.stringify(back)}`);
      const at = s.read((x) => x.store.get(0, b(key), x.now, false)!.expireAt);
      return at === (expireAt === null ? 0 : Number(expireAt));
    }),
    { numRuns: 150 },
  );
});

t.test('encoding hints and thresholds decide as rdbLoadObject does', async (t) => {
  const s = openTestStore(t);
  t.teardown(() => Object.assign(encodingLimits, DEFAULT_ENCODING_LIMITS));
  const long = Buffer.alloc(100, 'v');
  put(s, 'h1', { type: 'hash', entries: [[b('f'), long]], encoding: 'listpack' });
  put(s, 'h2', { type: 'hash', entries: [[b('f'), long]], encoding: 'hashtable' });
  put(s, 'h3', { type: 'hash', entries: [[b('f'), long]] });
  t.same([encoding(s, 'h1'), encoding(s, 'h2'), encoding(s, 'h3')], ['listpack', 'hashtable', 'hashtable']);
  put(s, 'z1', { type: 'zset', entries: [{ member: long, score: 1 }], encoding: 'listpack' });
  put(s, 'z2', { type: 'zset', entries: [{ member: long, score: 1 }], encoding: 'skiplist' });
  put(s, 'z3', { type: 'zset', entries: [{ member: b('m'), score: -0 }], encoding: 'skiplist' });
  t.same([encoding(s, 'z1'), encoding(s, 'z2'), encoding(s, 'z3')], ['listpack', 'skiplist', 'listpack']);
  t.ok(Object.is((get(s, 'z3') as Extract<RdbValue, { type: 'zset' }>).entries[0].score, 0), 'a listpack holds no -0');
  encodingLimits.hashMaxListpackEntries = 2;
  encodingLimits.setMaxIntsetEntries = 2;
  encodingLimits.zsetMaxListpackEntries = 0;
  put(s, 'h4', { type: 'hash', entries: [[b('a'), b('1')], [b('b'), b('2')], [b('c'), b('3')]], encoding: 'listpack' });
  put(s, 's1', { type: 'set', members: [b('1'), b('2'), b('3')], encoding: 'intset' });
  put(s, 's2', { type: 'set', members: [b('1'), b('2')], encoding: 'hashtable' });
  put(s, 'z4', { type: 'zset', entries: [{ member: b('m'), score: -0 }], encoding: 'listpack' });
  t.same([encoding(s, 'h4'), encoding(s, 's1'), encoding(s, 's2'), encoding(s, 'z4')], ['hashtable', 'hashtable', 'intset', 'skiplist']);
  t.ok(Object.is((get(s, 'z4') as Extract<RdbValue, { type: 'zset' }>).entries[0].score, -0), 'a skiplist keeps -0');
});

t.test('values made by commands read in Redis order, with their encodings', async (t) => {
  const s = openTestStore(t);
  s.write((x) => addMembers(x, [b('SADD'), b('s'), b('10'), b('-3'), b('2')]));
  s.write((x) => addMembers(x, [b('SADD'), b('t'), b('10'), b('x'), b('2')]));
  s.write((x) => setFields(x, [b('HSET'), b('h'), b('b'), b('2'), b('a'), b('1')]));
  t.same(get(s, 's'), { type: 'set', members: [b('-3'), b('2'), b('10')], encoding: 'intset' });
  t.same(get(s, 't'), { type: 'set', members: [b('10'), b('2'), b('x')], encoding: 'hashtable' });
  t.same(get(s, 'h'), { type: 'hash', entries: [[b('a'), b('1')], [b('b'), b('2')]], encoding: 'listpack' });
  t.equal(get(s, 'missing'), null);
});

t.test('the binlog re-creates the key; effects carry no keyspace events of their own', async (t) => {
  const s = openTestStore(t);
  const at = BigInt(s.now + 100000);
  t.same(put(s, 'k', { type: 'string', value: b('v') }, at).effects, [['SET', 'k', 'v', 'PXAT', String(at)]]);
  t.same(put(s, 'k', { type: 'list', items: [b('a'), b('b')] }).effects, [['DEL', 'k'], ['RPUSH', 'k', 'a', 'b']]);
  t.same(put(s, 'h', { type: 'hash', entries: [[b('f'), b('v')]] }, at).effects, [['DEL', 'h'], ['HSET', 'h', 'f', 'v'], ['PEXPIREAT', 'h', String(at)]]);
  t.same(put(s, 'z', { type: 'zset', entries: [{ member: b('m'), score: 1.5 }] }).effects, [['ZADD', 'z', '1.5', 'm']]);
  t.same(put(s, 's', { type: 'set', members: [b('1')] }).effects, [['DEL', 's'], ['SADD', 's', '1']]);
  const st: RdbValue = { type: 'stream', entries: [{ id: { ms: 5n, seq: 1n }, fields: [b('f'), b('v')] }], lastId: { ms: 9n, seq: 0n }, firstId: { ms: 5n, seq: 1n }, maxDeletedId: { ms: 2n, seq: 0n }, entriesAdded: 3n, groups: [] };
  t.same(put(s, 'x', st).effects, [['DEL', 'x'], ['XADD', 'x', '5-1', 'f', 'v'], ['XSETID', 'x', '9-0', 'ENTRIESADDED', '3', 'MAXDELETEDID', '2-0']]);
});

t.test('refusals: consumer groups, repeated members, entries out of order; empty collections are not written', async (t) => {
  const s = openTestStore(t);
  const group = { name: b('g'), lastId: { ms: 0n, seq: 0n }, entriesRead: -1n, pending: [], consumers: [] };
  const stream: RdbValue = { type: 'stream', entries: [], lastId: { ms: 1n, seq: 0n }, firstId: { ms: 0n, seq: 0n }, maxDeletedId: { ms: 0n, seq: 0n }, entriesAdded: 1n, groups: [group] };
  t.throws(() => put(s, 'x', stream), { message: STREAM_GROUPS_UNSUPPORTED });
  t.throws(() => put(s, 'h', { type: 'hash', entries: [[b('f'), b('1')], [b('f'), b('2')]] }), { message: 'ERR Bad data format' });
  t.throws(() => put(s, 's', { type: 'set', members: [b('1'), b('1')] }), { message: 'ERR Bad data format' });
  t.throws(() => put(s, 'z', { type: 'zset', entries: [{ member: b('m'), score: 1 }, { member: b('m'), score: 2 }] }), { message: 'ERR Bad data format' });
  const e = (ms: bigint) => ({ id: { ms, seq: 0n }, fields: [b('f'), b('v')] });
  t.throws(() => put(s, 'x', { ...stream, groups: [], entries: [e(5n), e(5n)] }), { message: 'ERR Bad data format' });
  t.same([get(s, 'x'), get(s, 'h'), get(s, 's'), get(s, 'z')], [null, null, null, null], 'nothing stays');
  t.equal(put(s, 'l', { type: 'list', items: [] }).written, false);
  t.equal(get(s, 'l'), null);
  const empty = { ...stream, groups: [] } as RdbValue;
  t.equal(put(s, 'x', empty).written, true, 'a stream without entries is a key');
  t.same(get(s, 'x'), { ...empty, firstId: { ms: 0n, seq: 0n } });
});
