// List commands against redis-server 7.0, one key at a time: every command, option, reply shape
// (RESP2 and RESP3), error and arity error; binary and long keys and elements; empty lists
// disappearing; expiry; RENAME / COPY / MOVE of lists within and across shards; OBJECT ENCODING;
// COMMAND INFO; long lists (shifts and compaction over many elements); everything again in one
// pipeline. Run with 1 and 4 shards. LMOVE / RPOPLPUSH / LMPOP: list-move.test.ts; WRONGTYPE:
// list-wrongtype.test.ts; random sequences and the binlog: list-random.test.ts.
import t, { type Test } from 'tap';
import { diff, pair, pipelineDiff, type Pair, withResp3 } from '../support/servers.js';
import { shardOf } from '../../lib/slot.js';
import { spread } from '../support/keys.js';
import {
  c,
  cs,
  indexCases,
  insertCases,
  keyspaceCases,
  moveCases,
  mpopCases,
  posCases,
  pushPopCases,
  remCases,
  type Cmd,
} from './list-cases.js';

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const B = (s: string) => Buffer.from(s, 'latin1');

function rangeCases(): Cmd[] {
  const out: Cmd[] = cs('DEL l s', 'SET s str', 'RPUSH l 0 1 2 3 4 5 6 7 8 9');
  const idx = ['0', '1', '-1', '-2', '5', '9', '10', '11', '-10', '-11', '-100', '100', '9223372036854775807', '-9223372036854775808'];
  for (const a of idx) for (const b of idx) out.push(['LRANGE', 'l', a, b]);
  out.push(...cs('LRANGE l x 1', 'LRANGE l 0 x', 'LRANGE nokey 0 -1', 'LRANGE nokey x 0', 'LRANGE s 0 -1', 'LRANGE s x 0', 'LRANGE l 1.5 2'));
  return out;
}

function trimCases(): Cmd[] {
  const out: Cmd[] = cs('DEL l s', 'SET s str');
  const pairs: Array<[string, string]> = [
    ['0', '-1'], ['1', '-1'], ['0', '-2'], ['2', '4'], ['-3', '-1'], ['5', '2'], ['10', '20'], ['-100', '100'], ['-100', '-50'], ['0', '0'],
    ['-1', '-1'], ['3', '100'], ['-9223372036854775808', '9223372036854775807'], ['9', '9'], ['8', '-3'],
  ];
  for (const [a, b] of pairs) {
    out.push(['DEL', 'l'], c('RPUSH l a b c d e f g h i j'), ['LTRIM', 'l', a, b], c('LRANGE l 0 -1'), c('EXISTS l'));
  }
  out.push(...cs('LTRIM l x 1', 'LTRIM l 0 x', 'LTRIM nokey 0 1', 'LTRIM nokey x 1', 'EXISTS nokey', 'LTRIM s 0 1', 'LTRIM s x 1'));
  return out;
}

function arityCases(): Cmd[] {
  return cs(
    'LPUSH',
    'LPUSH k',
    'RPUSH k',
    'LPUSHX k',
    'RPUSHX',
    'LPOP',
    'RPOP',
    'LLEN',
    'LLEN a b',
    'LINDEX k',
    'LINDEX k 1 2',
    'LINSERT k BEFORE a',
    'LINSERT k BEFORE a b c',
    'LSET k 0',
    'LSET k 0 a b',
    'LRANGE k 0',
    'LRANGE k 0 1 2',
    'LREM k 0',
    'LREM k 0 a b',
    'LTRIM k 0',
    'LTRIM k 0 1 2',
    'LPOS k',
    'LMOVE a b LEFT',
    'LMOVE a b LEFT RIGHT x',
    'RPOPLPUSH a',
    'RPOPLPUSH a b c',
    'LMPOP 1 a',
    'LMPOP',
  );
}

/** Binary keys and elements: NUL, CR LF, 0xff bytes, empty strings, a 100 kB element. */
function binaryCases(): Cmd[] {
  const k1 = Buffer.from([0x6c, 0, 0xff, 0x0d, 0x0a]);
  const k2 = Buffer.from([0xfe, 0xff, 0x00]);
  const e1 = Buffer.from([0, 1, 2, 0xff]);
  const e2 = B('a\r\nb');
  const e3 = Buffer.from([0xff, 0xfe, 0xfd]);
  const big = Buffer.alloc(100 * 1024);
  for (let i = 0; i < big.length; i++) big[i] = (i * 31 + 7) & 0xff;
  return [
    ['DEL', k1, k2],
    ['RPUSH', k1, e1, e2, e3, '', big, e1],
    ['LRANGE', k1, '0', '-1'],
    ['LLEN', k1],
    ['LINDEX', k1, '4'],
    ['LPOS', k1, e1, 'COUNT', '0'],
    ['LPOS', k1, '', 'RANK', '-1'],
    ['LPOS', k1, Buffer.from([0, 1, 2]), 'COUNT', '0'],
    ['LINSERT', k1, 'AFTER', e2, Buffer.from([0])],
    ['LINSERT', k1, 'BEFORE', big, big],
    ['LSET', k1, '0', e3],
    ['LREM', k1, '0', e1],
    ['LREM', k1, '1', big],
    ['LRANGE', k1, '0', '-1'],
    ['LMOVE', k1, k2, 'RIGHT', 'LEFT'],
    ['RPOPLPUSH', k1, k2],
    ['LMPOP', '2', 'nokey', k2, 'LEFT', 'COUNT', '1'],
    ['LRANGE', k2, '0', '-1'],
    ['LPOP', k1, '2'],
    ['RPOP', k1],
    ['LRANGE', k1, '0', '-1'],
    ['TYPE', k1],
    ['EXISTS', k1, k2],
  ];
}

/** Keys of 2 kB (stored under their hash) on whatever shards they fall on. */
function longKeyCases(): Cmd[] {
  const big = Buffer.alloc(2048);
  for (let i = 0; i < big.length; i++) big[i] = (i * 7 + 3) & 0xff;
  const big2 = Buffer.from(big);
  big2[big2.length - 1] ^= 1;
  const big3 = Buffer.concat([big, B('{x}')]);
  return [
    ['DEL', big, big2, big3],
    ['RPUSH', big, 'a', 'b', 'c'],
    ['LLEN', big2],
    ['LPUSH', big2, 'z'],
    ['LMOVE', big, big2, 'LEFT', 'RIGHT'],
    ['LMOVE', big, big3, 'LEFT', 'RIGHT'],
    ['RPOPLPUSH', big, big3],
    ['LRANGE', big, '0', '-1'],
    ['LRANGE', big2, '0', '-1'],
    ['LRANGE', big3, '0', '-1'],
    ['LMPOP', '3', big, big3, big2, 'RIGHT', 'COUNT', '5'],
    ['RENAME', big2, big],
    ['COPY', big, big3],
    ['COPY', big, big3, 'REPLACE'],
    ['LRANGE', big3, '0', '-1'],
    ['OBJECT', 'ENCODING', big3],
    ['EXISTS', big, big2, big3],
    ['LPOS', big3, 'z'],
  ];
}

/**
 * Lists longer than the 1024-element read chunk: shifts and compaction over many elements, and
 * COPY / RENAME of a long list within a shard and to keys `k` (other shards with 4 shards).
 */
function longListCases(k: string[]): Cmd[] {
  const n = 3000;
  const els = Array.from({ length: n }, (_, i) => `e${i % 500}`);
  const big = '{big}';
  const out: Cmd[] = [['DEL', big, '{big}c', k[0], k[1]], ['RPUSH', big, ...els.slice(0, 1500)], ['RPUSH', big, ...els.slice(1500)]];
  out.push(
    ['LINSERT', big, 'BEFORE', 'e1300', 'ins1'], // pivot at 1300: the left side (1300) shifts
    ['LINSERT', big, 'AFTER', 'e200', 'ins2'],
    ['LINDEX', big, '1300'], ['LINDEX', big, '1301'], ['LINDEX', big, '0'], ['LINDEX', big, '-1'], ['LLEN', big],
    ['LREM', big, '2', 'e100'], // near the head
    ['LREM', big, '-2', 'e400'], // near the tail
    ['LREM', big, '0', 'e250'], // everywhere
    ['LLEN', big],
    ['LRANGE', big, '0', '-1'],
    ['LPOS', big, 'e499', 'COUNT', '0'],
    ['LPOS', big, 'e499', 'RANK', '-2', 'COUNT', '3', 'MAXLEN', '2000'],
    ['LSET', big, '1500', 'mid'],
    ['LINSERT', big, 'AFTER', 'mid', 'after-mid'],
    ['LRANGE', big, '1490', '1510'],
    ['COPY', big, '{big}c'],
    ['COPY', big, k[0]],
    ['LTRIM', big, '1100', '-1200'],
    ['LRANGE', big, '0', '-1'],
    ['LPOP', big, '100'],
    ['RPOP', big, '100'],
    ['LMPOP', '1', big, 'RIGHT', 'COUNT', '2000'],
    ['EXISTS', big],
    ['LRANGE', '{big}c', '0', '-1'],
    ['RENAME', '{big}c', k[1]],
    ['LRANGE', k[1], '0', '-1'],
    ['LRANGE', k[0], '0', '-1'],
    ['LREM', k[0], '0', 'e3'],
    ['LINSERT', k[1], 'BEFORE', 'e490', 'x'],
    ['LMOVE', k[0], k[1], 'LEFT', 'RIGHT'],
    ['LRANGE', k[0], '0', '-1'],
    ['LRANGE', k[1], '0', '-1'],
    ['DEL', big, k[0], k[1]],
    ['RPUSH', big, ...els],
    ['LPUSH', big, ...els.slice(0, 1200)],
    ['LRANGE', big, '-5', '5'],
    ['LRANGE', big, '1195', '1205'],
    ['LREM', big, '0', 'e7'],
    ['LRANGE', big, '0', '-1'],
    ['OBJECT', 'ENCODING', big],
    ['DEL', big],
    ['EXISTS', big],
  );
  return out;
}

/** Lists and their TTL: kept by every list write, copied by COPY, carried by RENAME. */
function ttlCases(k: string[]): Cmd[] {
  const [a, b, d] = k;
  return [
    ['DEL', a, b, d],
    ['RPUSH', a, '1', '2', '3', '4'],
    ['EXPIRE', a, '1000'],
    ['LPUSH', a, '0'],
    ['RPOP', a],
    ['LSET', a, '0', 'z'],
    ['LINSERT', a, 'AFTER', 'z', 'y'],
    ['LREM', a, '1', 'y'],
    ['LTRIM', a, '0', '-1'],
    ['LTRIM', a, '0', '1'],
    ['TTL', a],
    ['LMOVE', a, b, 'LEFT', 'LEFT'],
    ['TTL', a],
    ['TTL', b],
    ['EXPIRE', b, '2000'],
    ['LMOVE', a, b, 'LEFT', 'LEFT'],
    ['EXISTS', a],
    ['TTL', b],
    ['LMPOP', '1', b, 'LEFT'],
    ['TTL', b],
    ['COPY', b, d],
    ['TTL', d],
    ['RENAME', b, a],
    ['TTL', a],
    ['LRANGE', a, '0', '-1'],
    ['PERSIST', a],
    ['TTL', a],
  ];
}

async function expiry(t: Test, p: Pair, k: string[]): Promise<void> {
  const [a, b, d] = k;
  await diff(t, p, [
    ['DEL', a, b, d],
    ['RPUSH', a, '1', '2', '3'],
    ['RPUSH', b, 'x'],
    ['RPUSH', d, 'keep'],
    ['PEXPIRE', a, '150'],
    ['PEXPIRE', b, '150'],
    ['PEXPIRE', d, '100000'],
    ['LLEN', a],
  ], { label: 'expiry setup' });
  await sleep(300);
  await diff(t, p, [
    ['LLEN', a], ['LRANGE', a, '0', '-1'], ['LINDEX', a, '0'], ['LPOS', a, '1'], ['EXISTS', a], ['TYPE', a],
    ['LMOVE', b, d, 'LEFT', 'LEFT'], ['RPOPLPUSH', d, b], ['LRANGE', b, '0', '-1'], ['TTL', b], ['LPUSHX', a, 'x'], ['RPUSH', a, 'new'], ['TTL', a],
    ['LRANGE', a, '0', '-1'], ['LMPOP', '2', 'nokey', a, 'LEFT'], ['EXISTS', a], ['LRANGE', d, '0', '-1'], ['TTL', d],
  ], { label: 'after expiry' });
}

/** COMMAND INFO and COMMAND GETKEYS of the list commands. */
async function commandInfo(t: Test, p: Pair): Promise<void> {
  const names = ['lpush', 'rpush', 'lpushx', 'rpushx', 'lpop', 'rpop', 'llen', 'lindex', 'linsert', 'lset', 'lrange', 'lrem', 'ltrim', 'lpos', 'lmove', 'rpoplpush', 'lmpop'];
  await diff(t, p, [
    ...names.map((n) => ['COMMAND', 'INFO', n]),
    ['COMMAND', 'INFO', ...names],
    ...cs(
      'COMMAND GETKEYS LMPOP 2 a b LEFT',
      'COMMAND GETKEYS LMPOP 1 a b c LEFT',
      'COMMAND GETKEYS LMPOP 3 a b LEFT',
      'COMMAND GETKEYS LMPOP 0 a LEFT',
      'COMMAND GETKEYS LMPOP x a LEFT',
      'COMMAND GETKEYS LMPOP 1abc a LEFT',
      'COMMAND GETKEYS LMPOP -1 a LEFT',
      'COMMAND GETKEYS LMPOP +1 a LEFT',
      'COMMAND GETKEYS LMPOP 4294967297 a LEFT',
      'COMMAND GETKEYS LMPOP 99999999999999999999 a LEFT',
      'COMMAND GETKEYS LMPOP 18446744073709551617 a LEFT',
      'LMPOP 4294967297 a LEFT',
      'COMMAND GETKEYS LMOVE a b LEFT RIGHT',
      'COMMAND GETKEYS RPOPLPUSH a b',
      'COMMAND GETKEYS LPUSH a x y',
      'COMMAND GETKEYS LPOS a x',
    ),
  ], { label: 'COMMAND' });
}

/** RESP3 reply shapes. */
async function resp3(t: Test, p: Pair, k: string[]): Promise<void> {
  await withResp3(p, async (q) => {
    await diff(t, q, [
      ...pushPopCases(),
      ...indexCases(),
      ...posCases(),
      ...moveCases(k[0], k[1]),
      ...mpopCases(k),
      ...cs('LRANGE nokey 0 -1', 'LINDEX nokey 0', 'LPOP nokey', 'LPOP nokey 1', 'LMPOP 1 nokey LEFT', 'LMOVE nokey x LEFT LEFT', 'LPOS nokey a'),
    ], { label: 'RESP3' });
  });
}

// ------------------------------------------------------------------------------------------------

for (const shards of [1, 4]) {
  t.test(`list commands vs redis-server, ${shards} shard(s)`, async (t) => {
    const p = await pair(t, { shards });
    const k = spread('lk', 4, shards);
    if (shards === 4) t.equal(new Set(k.map((x) => shardOf(B(x), 4))).size, 4, 'the four test keys are on four shards');
    const d = (t: Test, cmds: Cmd[]) => diff(t, p, cmds);
    await t.test('LPUSH RPUSH LPUSHX RPUSHX LPOP RPOP LLEN', (t) => d(t, pushPopCases()));
    await t.test('LINDEX LSET', (t) => d(t, indexCases()));
    await t.test('LRANGE', (t) => d(t, rangeCases()));
    await t.test('LTRIM', (t) => d(t, trimCases()));
    await t.test('LINSERT', (t) => d(t, insertCases()));
    await t.test('LREM', (t) => d(t, remCases()));
    await t.test('LPOS', (t) => d(t, posCases()));
    await t.test('arity errors', (t) => d(t, arityCases()));
    await t.test('binary keys and elements', (t) => d(t, binaryCases()));
    await t.test('2 kB keys', (t) => d(t, longKeyCases()));
    await t.test('long lists', async (t) => {
      t.equal(await pipelineDiff(p, longListCases(k)), null, 'shifts and compaction over 3000 elements');
    });
    await t.test('TTL of lists', (t) => d(t, ttlCases(k)));
    await t.test('RENAME COPY MOVE OBJECT', (t) => d(t, keyspaceCases(k)));
    await t.test('expiry', (t) => expiry(t, p, k));
    await t.test('COMMAND INFO GETKEYS', (t) => commandInfo(t, p));
    await t.test('pipelined (one batch)', async (t) => {
      const cmds = [...pushPopCases(), ...insertCases(), ...remCases(), ...moveCases(k[2], k[3]), ...mpopCases(k), ...keyspaceCases(k)];
      t.equal(await pipelineDiff(p, cmds), null, 'the same commands in one pipeline');
    });
    await t.test('RESP3', (t) => resp3(t, p, k));
  });
}
