// Values built on redis-server by commands, with the value each should read back as: the cases
// the DUMP and RDB file tests share.

import type { Reply } from '../support/resp-client.js';
import type { RdbValue } from '../../lib/rdb/value.js';
import { compareZsetEntries } from '../../lib/rdb/object-write.js';
import { compareIds } from '../../lib/rdb/stream-rdb.js';

export const B = (s: string) => Buffer.from(s, 'latin1');

export interface RedisCase {
  name: string;
  /** config the case needs set (restored by the runner to defaults after) */
  config?: Array<[string, string]>;
  /** commands that build key `name` */
  build: (key: string) => (string | Buffer)[][];
  /** the value it should decode to (members of hashtable sets and hashes in any order) */
  expect?: RdbValue;
  /** Redis's order is deterministic: encodeDump must give DUMP's bytes */
  byteEqual: boolean;
}

function seeded(seed: number): () => number {
  return () => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return seed / 2 ** 32;
  };
}

function randomBytes(n: number, seed: number): Buffer {
  const rnd = seeded(seed);
  const b = Buffer.allocUnsafe(n);
  for (let i = 0; i < n; i++) b[i] = (rnd() * 256) | 0;
  return b;
}

function words(n: number, seed: number, prefix = 'w'): Buffer[] {
  const rnd = seeded(seed);
  return Array.from({ length: n }, (_, i) => B(`${prefix}${i}:${'abcdefghij'.slice(0, 1 + Math.floor(rnd() * 10))}${Math.floor(rnd() * 1000)}`));
}

const mixedItems = [B('1'), B('-1'), B('0'), B('127'), B('128'), B('-4096'), B('4095'), B('4096'), B('-32769'), B('8388608'), B('2147483648'), B('-9223372036854775808'), B('9223372036854775807'), B('9223372036854775808'), B('01'), B('-0'), B('+1'), B(''), B('x'), B('a'.repeat(63)), B('b'.repeat(64)), B('c'.repeat(4095)), B('d'.repeat(4096)), randomBytes(300, 3)];

function rpush(key: string, items: Buffer[]): (string | Buffer)[][] {
  const out: (string | Buffer)[][] = [];
  for (let i = 0; i < items.length; i += 500) out.push(['RPUSH', key, ...items.slice(i, i + 500)]);
  return out;
}

function listCase(name: string, items: Buffer[], config?: Array<[string, string]>): RedisCase {
  return { name, config, build: (k) => rpush(k, items), expect: { type: 'list', items }, byteEqual: true };
}

const zsetScores = [0, -0, 1, -1, 1.5, 0.1, 1 / 3, 1e20, -1e-7, 2 ** 53, 4503599627370495, 123456.789, Infinity, -Infinity, 3.14159];

export const REDIS_CASES: RedisCase[] = [
  { name: 'str-empty', build: (k) => [['SET', k, '']], expect: { type: 'string', value: B('') }, byteEqual: true },
  ...['0', '-1', '127', '-128', '32767', '-32768', '2147483647', '-2147483648', '2147483648', '12345678901', '007', '-0'].map(
    (v): RedisCase => ({ name: `str-int-${v}`, build: (k) => [['SET', k, v]], expect: { type: 'string', value: B(v) }, byteEqual: true }),
  ),
  { name: 'str-lzf', build: (k) => [['SET', k, 'hello '.repeat(50)]], expect: { type: 'string', value: B('hello '.repeat(50)) }, byteEqual: true },
  { name: 'str-lzf-21', build: (k) => [['SET', k, 'a'.repeat(21)]], expect: { type: 'string', value: B('a'.repeat(21)) }, byteEqual: true },
  { name: 'str-random', build: (k) => [['SET', k, randomBytes(1000, 1)]], expect: { type: 'string', value: randomBytes(1000, 1) }, byteEqual: true },
  { name: 'str-words', build: (k) => [['SET', k, Buffer.concat(words(2000, 5))]], expect: { type: 'string', value: Buffer.concat(words(2000, 5)) }, byteEqual: true },
  { name: 'str-big', build: (k) => [['SET', k, Buffer.concat([randomBytes(70000, 2), B('z'.repeat(70000))])]], expect: { type: 'string', value: Buffer.concat([randomBytes(70000, 2), B('z'.repeat(70000))]) }, byteEqual: true },
  listCase('list-small', [B('a'), B('1'), B('b')]),
  listCase('list-mixed', mixedItems),
  listCase('list-words-2000', words(2000, 7)),
  listCase('list-count-5', words(37, 8), [['list-max-listpack-size', '5']]),
  listCase('list-count-1000-safety', words(600, 9).map((w) => Buffer.concat([w, B('x'.repeat(40))])), [['list-max-listpack-size', '1000']]),
  listCase('list-size-minus-1', words(700, 10), [['list-max-listpack-size', '-1']]),
  listCase('list-size-minus-5', words(9000, 11), [['list-max-listpack-size', '-5']]),
  listCase('list-compress-1', words(3000, 12), [['list-compress-depth', '1']]),
  listCase('list-compress-2-count', words(200, 13), [['list-compress-depth', '2'], ['list-max-listpack-size', '8']]),
  listCase('list-compress-random', Array.from({ length: 40 }, (_, i) => randomBytes(500, 100 + i)), [['list-compress-depth', '1']]),
  listCase('list-big-elements', Array.from({ length: 6 }, (_, i) => B(String.fromCharCode(97 + i).repeat(9000))), [['list-compress-depth', '1']]),
  {
    name: 'set-intset',
    build: (k) => [['SADD', k, '5', '-3', '100', '7']],
    expect: { type: 'set', members: [B('-3'), B('5'), B('7'), B('100')], encoding: 'intset' },
    byteEqual: true,
  },
  {
    name: 'set-intset-64',
    build: (k) => [['SADD', k, '1', '-9223372036854775808', '9223372036854775807', '70000']],
    expect: { type: 'set', members: [B('-9223372036854775808'), B('1'), B('70000'), B('9223372036854775807')], encoding: 'intset' },
    byteEqual: true,
  },
  {
    name: 'set-intset-32',
    build: (k) => [['SADD', k, '1', '70000', '-70000']],
    expect: { type: 'set', members: [B('-70000'), B('1'), B('70000')], encoding: 'intset' },
    byteEqual: true,
  },
  { name: 'set-strings', build: (k) => [['SADD', k, 'a', 'b', '1', 'c']], expect: { type: 'set', members: [B('a'), B('b'), B('1'), B('c')], encoding: 'hashtable' }, byteEqual: false },
  {
    name: 'set-many-ints',
    build: (k) => [['SADD', k, ...Array.from({ length: 600 }, (_, i) => String(i * 3))]],
    expect: { type: 'set', members: Array.from({ length: 600 }, (_, i) => B(String(i * 3))), encoding: 'hashtable' },
    byteEqual: false,
  },
  {
    name: 'zset-listpack',
    build: (k) => [['ZADD', k, ...zsetScores.flatMap((s, i) => [String(s), `m${i}`])]],
    expect: { type: 'zset', entries: zsetScores.map((s, i) => ({ member: B(`m${i}`), score: s })), encoding: 'listpack' },
    byteEqual: true,
  },
  {
    name: 'zset-int-members',
    build: (k) => [['ZADD', k, '1', '10', '2', '-5', '2', '99999999999']],
    expect: { type: 'zset', entries: [{ member: B('10'), score: 1 }, { member: B('-5'), score: 2 }, { member: B('99999999999'), score: 2 }], encoding: 'listpack' },
    byteEqual: true,
  },
  {
    name: 'zset-skiplist',
    build: (k) => [['ZADD', k, ...Array.from({ length: 300 }, (_, i) => [String((i * 7919) % 1000 / 7), `member-${i}`]).flat()]],
    expect: { type: 'zset', entries: Array.from({ length: 300 }, (_, i) => ({ member: B(`member-${i}`), score: ((i * 7919) % 1000) / 7 })), encoding: 'skiplist' },
    byteEqual: true,
  },
  {
    name: 'zset-long-member',
    build: (k) => [['ZADD', k, '1', 'a', '2', 'x'.repeat(65)]],
    expect: { type: 'zset', entries: [{ member: B('a'), score: 1 }, { member: B('x'.repeat(65)), score: 2 }], encoding: 'skiplist' },
    byteEqual: true,
  },
  {
    name: 'hash-listpack',
    build: (k) => [['HSET', k, 'f1', 'v1', 'n', '12345', 'neg', '-7', 'long', 'y'.repeat(60), '5', 'x']],
    expect: { type: 'hash', entries: [[B('f1'), B('v1')], [B('n'), B('12345')], [B('neg'), B('-7')], [B('long'), B('y'.repeat(60))], [B('5'), B('x')]], encoding: 'listpack' },
    byteEqual: true,
  },
  {
    name: 'hash-listpack-500',
    build: (k) => [['HSET', k, ...words(500, 20).flatMap((w, i) => [w, B(String(i))])]],
    expect: { type: 'hash', entries: words(500, 20).map((w, i): [Buffer, Buffer] => [w, B(String(i))]), encoding: 'listpack' },
    byteEqual: true,
  },
  {
    name: 'hash-hashtable',
    build: (k) => [['HSET', k, ...words(600, 21).flatMap((w, i) => [w, B(`v${i}`)])]],
    expect: { type: 'hash', entries: words(600, 21).map((w, i): [Buffer, Buffer] => [w, B(`v${i}`)]), encoding: 'hashtable' },
    byteEqual: false,
  },
  {
    name: 'hash-long-value',
    build: (k) => [['HSET', k, 'a', '1', 'b', 'z'.repeat(100)]],
    expect: { type: 'hash', entries: [[B('a'), B('1')], [B('b'), B('z'.repeat(100))]], encoding: 'hashtable' },
    byteEqual: false,
  },
  {
    name: 'stream-simple',
    build: (k) => [
      ['XADD', k, '1-1', 'a', '1', 'b', '2'],
      ['XADD', k, '1-2', 'a', '3', 'b', '4'],
      ['XADD', k, '2-0', 'c', 'x'],
      ['XADD', k, '5-0', 'a', '5', 'b', 'long value '.repeat(5)],
    ],
    byteEqual: true,
  },
  {
    name: 'stream-many',
    build: (k) => Array.from({ length: 450 }, (_, i) => ['XADD', k, `${1000 + Math.floor(i / 3)}-${i % 3}`, 'field', `value-${i}`, ...(i % 7 === 0 ? ['extra', 'e'] : [])]),
    byteEqual: true,
  },
  {
    name: 'stream-small-nodes',
    config: [['stream-node-max-bytes', '200'], ['stream-node-max-entries', '0']],
    build: (k) => Array.from({ length: 60 }, (_, i) => ['XADD', k, `${i + 1}-0`, 'f', 'v'.repeat(i % 13)]),
    byteEqual: true,
  },
  {
    name: 'stream-groups',
    build: (k) => [
      ...Array.from({ length: 20 }, (_, i) => ['XADD', k, `${i + 1}-0`, 'n', String(i)]),
      ['XGROUP', 'CREATE', k, 'g2', '0'],
      ['XGROUP', 'CREATE', k, 'g1', '$'],
      ['XGROUP', 'CREATE', k, 'g0', '0'],
      ['XREADGROUP', 'GROUP', 'g2', 'bob', 'COUNT', '5', 'STREAMS', k, '>'],
      ['XREADGROUP', 'GROUP', 'g2', 'alice', 'COUNT', '3', 'STREAMS', k, '>'],
      ['XREADGROUP', 'GROUP', 'g2', 'carol', 'COUNT', '0', 'STREAMS', k, '0'],
      ['XACK', k, 'g2', '2-0', '7-0'],
      ['XGROUP', 'CREATECONSUMER', k, 'g0', 'idle'],
    ],
    byteEqual: true,
  },
  {
    name: 'stream-deleted',
    build: (k) => [...Array.from({ length: 10 }, (_, i) => ['XADD', k, `${i + 1}-0`, 'n', String(i)]), ['XDEL', k, '3-0', '10-0'], ['XTRIM', k, 'MAXLEN', '7']],
    byteEqual: false,
  },
  { name: 'stream-empty', build: (k) => [['XADD', k, '5-5', 'a', 'b'], ['XDEL', k, '5-5']], byteEqual: true },
];

export function bulk(r: Reply): Buffer {
  if (r.t !== 'bulk' || r.v === null) throw new Error(`expected a bulk reply, got ${JSON.stringify(r)}`);
  return r.v;
}

/** The value with the members of unordered encodings sorted, for comparing. */
export function comparable(v: RdbValue): unknown {
  if (v.type === 'set') return { ...v, members: [...v.members].sort(Buffer.compare) };
  if (v.type === 'hash' && v.encoding === 'hashtable') return { ...v, entries: [...v.entries].sort((a, b) => Buffer.compare(a[0], b[0])) };
  if (v.type === 'zset') return { ...v, entries: [...v.entries].sort(compareZsetEntries) };
  if (v.type === 'stream') {
    const byName = (a: { name: Buffer }, b: { name: Buffer }) => Buffer.compare(a.name, b.name);
    const groups = [...v.groups].sort(byName).map((g) => ({
      ...g,
      pending: [...g.pending].sort((a, b) => compareIds(a.id, b.id)),
      consumers: [...g.consumers].sort(byName).map((c) => ({ ...c, pending: [...c.pending].sort(compareIds) })),
    }));
    return { ...v, groups };
  }
  return v;
}
