// List commands against redis-server 7.0: every command, option, reply shape (RESP2 and RESP3),
// error and arity error; WRONGTYPE against strings and the other collection types; binary and
// long keys and elements; empty lists disappearing; expiry; RENAME / COPY / MOVE of lists within
// and across shards; OBJECT ENCODING; COMMAND INFO; long lists (shifts and compaction over many
// elements); cross-shard LMOVE / RPOPLPUSH / LMPOP and their atomicity; fast-check random command
// sequences compared reply by reply; and the binlog, replayed into a fresh redis-server, giving the
// same data. Run with 1 and 4 shards.
import t, { type Test } from 'tap';
import fc from 'fast-check';
import { diff, formatCommand, pair, pipelineDiff, startRedis, type Pair } from './support/servers.js';
import { readBinlog, replayBinlog, startBinlogRespdb } from './support/binlog.js';
import { RawClient, formatReply, type Reply } from './support/resp-client.js';
import { shardOf } from '../lib/slot.js';
import { spread } from './support/keys.js';

type Cmd = (string | Buffer)[];
type Clients = Pick<Pair, 'redis' | 'respdb'>;

/** "LPUSH k v" -> ['LPUSH', 'k', 'v'] (no empty or spaced arguments; use arrays for those). */
const c = (s: string): Cmd => s.split(' ');
const cs = (...lines: string[]): Cmd[] => lines.map(c);
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const B = (s: string) => Buffer.from(s, 'latin1');

function items(r: Reply): Reply[] {
  if (r.t !== 'array' || r.v === null) throw new Error(`expected an array reply, got ${formatReply(r)}`);
  return r.v;
}

function text(r: Reply): string {
  return r.t === 'bulk' && r.v ? r.v.toString('latin1') : '-';
}

function isUnknown(r: Reply): boolean {
  return r.t === 'error' && r.v.startsWith('ERR unknown command');
}

// ------------------------------------------------------------------------------------------------
// Static differential cases
// ------------------------------------------------------------------------------------------------

function pushPopCases(): Cmd[] {
  return [
    ...cs(
      'DEL l s',
      'SET s str',
      'LPUSH l a',
      'LPUSH l b c',
      'RPUSH l d e f',
      'LRANGE l 0 -1',
      'LLEN l',
      'LPUSHX l x',
      'RPUSHX l y z',
      'LPUSHX nokey x',
      'RPUSHX nokey x y',
      'EXISTS nokey',
      'LRANGE l 0 -1',
      'LPOP l',
      'RPOP l',
      'LPOP l 2',
      'RPOP l 2',
      'LPOP l 0',
      'RPOP l 0',
      'LPOP l 1',
      'LRANGE l 0 -1',
      'LPOP nokey',
      'RPOP nokey',
      'LPOP nokey 0',
      'RPOP nokey 3',
      'LPOP l abc',
      'LPOP l -1',
      'RPOP l 1.5',
      'LPOP l 9223372036854775808',
      'LPOP nokey abc',
      'LPOP l 1 2',
      'RPOP l 1 2 3',
      'LPOP s',
      'RPOP s 0',
      'LPOP s abc',
      'LPUSH s x',
      'RPUSH s x',
      'LPUSHX s x',
      'RPUSHX s x',
      'LLEN s',
      'LLEN nokey',
      'LPOP l 100',
      'EXISTS l',
      'TYPE l',
      'LPUSH l only',
      'RPOP l',
      'EXISTS l',
      'RPUSH l 1 2 3',
      'RPOP l 9223372036854775807',
      'EXISTS l',
      'lpush l lower',
      'rPoP l',
      'RPUSH l a',
      'LPOP l 0',
      'EXISTS l',
      'TYPE l',
    ),
    ['RPUSH', 'l', '', ''],
    ['LRANGE', 'l', '0', '-1'],
    ['LPOP', 'l', '2'],
    c('EXISTS l'),
  ];
}

function indexCases(): Cmd[] {
  return cs(
    'DEL l s',
    'SET s str',
    'RPUSH l a b c d e',
    'LINDEX l 0',
    'LINDEX l 4',
    'LINDEX l 5',
    'LINDEX l -1',
    'LINDEX l -5',
    'LINDEX l -6',
    'LINDEX l x',
    'LINDEX l 1.0',
    'LINDEX l 9223372036854775807',
    'LINDEX l -9223372036854775808',
    'LINDEX l 9223372036854775808',
    'LINDEX nokey 0',
    'LINDEX nokey x',
    'LINDEX s 0',
    'LINDEX s x',
    'LSET l 0 A',
    'LSET l -1 E',
    'LSET l 2 C',
    'LSET l 5 x',
    'LSET l -6 x',
    'LSET l x y',
    'LSET l 9223372036854775807 y',
    'LSET l -9223372036854775808 y',
    'LSET nokey 0 y',
    'LSET nokey x y',
    'LSET s 0 y',
    'LSET s x y',
    'LRANGE l 0 -1',
    'LLEN l',
  );
}

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

function insertCases(): Cmd[] {
  return [
    ...cs(
      'DEL l s',
      'SET s str',
      'RPUSH l a b c b a',
      'LINSERT l BEFORE a x',
      'LINSERT l AFTER a y',
      'LINSERT l before b z',
      'LINSERT l after b w',
      'LINSERT l AfTeR c m',
      'LRANGE l 0 -1',
      'LINSERT l BEFORE nosuch x',
      'LINSERT l middle a x',
      'LINSERT l bef a x',
      'LINSERT nokey BEFORE a x',
      'LINSERT nokey middle a x',
      'EXISTS nokey',
      'LINSERT s BEFORE a x',
      'LINSERT s middle a x',
      'RPUSH l2 only',
      'LINSERT l2 BEFORE only first',
      'LINSERT l2 AFTER only last',
      'LINSERT l2 AFTER last end',
      'LINSERT l2 BEFORE first start',
      'LRANGE l2 0 -1',
      'LLEN l2',
      'LINDEX l2 2',
      'LPOP l2 2',
      'RPOP l2 2',
      'LRANGE l2 0 -1',
    ),
    ['LINSERT', 'l', 'BEFORE', 'a', ''],
    ['LINSERT', 'l', 'AFTER', '', 'after-empty'],
    c('LRANGE l 0 -1'),
  ];
}

function remCases(): Cmd[] {
  const out: Cmd[] = cs('DEL l s', 'SET s str');
  const counts = ['0', '1', '2', '-1', '-2', '3', '-3', '100', '-100', '9223372036854775807', '-9223372036854775808'];
  for (const n of counts) {
    out.push(['DEL', 'l'], c('RPUSH l a b a c a d a'), ['LREM', 'l', n, 'a'], c('LRANGE l 0 -1'), ['LREM', 'l', n, 'zz'], c('LLEN l'));
  }
  out.push(
    ...cs(
      'DEL l',
      'RPUSH l x x x',
      'LREM l 0 x',
      'EXISTS l',
      'TYPE l',
      'RPUSH l x y x',
      'LREM l -2 x',
      'LRANGE l 0 -1',
      'LREM l x y',
      'LREM l 1.5 y',
      'LREM nokey 0 a',
      'LREM nokey x a',
      'LREM s 0 a',
      'LREM s x a',
    ),
  );
  return out;
}

function posCases(): Cmd[] {
  const out: Cmd[] = cs('DEL l s', 'SET s str', 'RPUSH l a b c a b c a x');
  const opts: string[][] = [
    [], ['RANK', '1'], ['RANK', '2'], ['RANK', '3'], ['RANK', '4'], ['RANK', '-1'], ['RANK', '-2'], ['RANK', '-4'], ['RANK', '9223372036854775807'],
    ['RANK', '-9223372036854775807'], ['RANK', '-9223372036854775808'], ['COUNT', '0'], ['COUNT', '1'], ['COUNT', '2'], ['COUNT', '10'],
    ['MAXLEN', '0'], ['MAXLEN', '1'], ['MAXLEN', '4'], ['MAXLEN', '100'], ['RANK', '2', 'COUNT', '0'], ['RANK', '-1', 'COUNT', '2'],
    ['RANK', '-2', 'COUNT', '0', 'MAXLEN', '5'], ['RANK', '-9223372036854775808', 'COUNT', '1'], ['RANK', '-9223372036854775808', 'COUNT', '0'],
    ['RANK', '-9223372036854775808', 'MAXLEN', '3', 'COUNT', '5'], ['COUNT', '2', 'MAXLEN', '4'], ['MAXLEN', '4', 'COUNT', '0', 'RANK', '-1'],
    ['rank', '1', 'rank', '2'], ['count', '1', 'count', '0'], ['RANK', '5', 'COUNT', '0'],
  ];
  for (const el of ['a', 'b', 'x', 'zz']) for (const o of opts) out.push(['LPOS', 'l', el, ...o]);
  const errs: string[][] = [
    ['RANK', '0'], ['RANK', 'x'], ['RANK', '1.5'], ['RANK', '9223372036854775808'], ['COUNT', '-1'], ['COUNT', 'x'], ['MAXLEN', '-1'], ['MAXLEN', 'x'],
    ['RANK'], ['COUNT'], ['MAXLEN'], ['FOO'], ['FOO', '1'], ['RANK', '1', 'FOO'], ['COUNT', '-1', 'RANK', '0'], ['RANK', '0', 'COUNT', '-1'],
    ['MAXLEN', '-1', 'FOO'], ['FOO', 'RANK', '0'],
  ];
  for (const o of errs) out.push(['LPOS', 'l', 'a', ...o], ['LPOS', 'nokey', 'a', ...o], ['LPOS', 's', 'a', ...o]);
  out.push(...cs('LPOS nokey a', 'LPOS nokey a COUNT 0', 'LPOS nokey a RANK -1', 'LPOS s a', 'LPOS s a COUNT 1'));
  return out;
}

/** LMOVE / RPOPLPUSH with the given source and destination keys (same or different shards). */
function moveCases(a: string, b: string): Cmd[] {
  const out: Cmd[] = [['DEL', a, b, 's'], c('SET s str'), ['RPUSH', a, '1', '2', '3', '4']];
  for (const from of ['LEFT', 'RIGHT']) {
    for (const to of ['LEFT', 'RIGHT']) {
      out.push(['LMOVE', a, b, from, to], ['LRANGE', a, '0', '-1'], ['LRANGE', b, '0', '-1']);
    }
  }
  out.push(
    ['LMOVE', a, b, 'left', 'right'], ['EXISTS', a], ['LRANGE', b, '0', '-1'],
    ['LMOVE', a, b, 'LEFT', 'RIGHT'], ['RPOPLPUSH', a, b],
    ['RPOPLPUSH', b, a], ['RPOPLPUSH', b, a], ['LRANGE', a, '0', '-1'], ['LRANGE', b, '0', '-1'],
    ['LMOVE', a, b, 'MIDDLE', 'LEFT'], ['LMOVE', a, b, 'LEFT', 'UP'], ['LMOVE', 'nokey', 's', 'UP', 'LEFT'],
    ['LMOVE', 'nokey', b, 'LEFT', 'LEFT'], ['LMOVE', 'nokey', 's', 'LEFT', 'LEFT'], ['RPOPLPUSH', 'nokey', 's'],
    ['LMOVE', 's', b, 'LEFT', 'LEFT'], ['LMOVE', a, 's', 'LEFT', 'LEFT'], ['RPOPLPUSH', a, 's'], ['RPOPLPUSH', 's', a], ['RPOPLPUSH', 's', 'nokey'],
    ['LRANGE', a, '0', '-1'], ['LRANGE', b, '0', '-1'],
    // moving the last element deletes the source; into a missing destination creates it
    ['DEL', a, b], ['RPUSH', a, 'only'], ['LMOVE', a, b, 'RIGHT', 'LEFT'], ['EXISTS', a], ['TYPE', b], ['RPOPLPUSH', b, a], ['EXISTS', b],
    ['LRANGE', a, '0', '-1'],
    // the same key rotates
    ['DEL', a], ['RPUSH', a, 'x', 'y', 'z'], ['LMOVE', a, a, 'LEFT', 'RIGHT'], ['LRANGE', a, '0', '-1'], ['LMOVE', a, a, 'RIGHT', 'LEFT'],
    ['LRANGE', a, '0', '-1'], ['LMOVE', a, a, 'LEFT', 'LEFT'], ['LMOVE', a, a, 'RIGHT', 'RIGHT'], ['RPOPLPUSH', a, a], ['LRANGE', a, '0', '-1'],
    ['DEL', a], ['RPUSH', a, 'one'], ['RPOPLPUSH', a, a], ['LMOVE', a, a, 'LEFT', 'RIGHT'], ['LRANGE', a, '0', '-1'], ['LMOVE', 's', 's', 'LEFT', 'LEFT'],
  );
  return out;
}

/** LMPOP over keys that may sit on several shards. */
function mpopCases(k: string[]): Cmd[] {
  const [a, b, d, e] = k;
  return [
    ['DEL', a, b, d, e, 's'],
    c('SET s str'),
    ['RPUSH', b, 'b1', 'b2', 'b3'],
    ['RPUSH', d, 'd1', 'd2'],
    ['LMPOP', '1', a, 'LEFT'],
    ['LMPOP', '2', a, b, 'LEFT'],
    ['LMPOP', '2', a, b, 'RIGHT', 'COUNT', '1'],
    ['LMPOP', '3', a, b, d, 'right', 'count', '10'],
    ['EXISTS', b],
    ['LMPOP', '3', a, b, d, 'LEFT', 'COUNT', '1'],
    ['LMPOP', '4', a, b, d, e, 'LEFT', 'COUNT', '5'],
    ['LMPOP', '4', a, b, d, e, 'LEFT'],
    ['RPUSH', e, 'e1'],
    // WRONGTYPE only when met before a non-empty list
    ['LMPOP', '3', a, 's', e, 'LEFT'],
    ['LMPOP', '3', a, e, 's', 'LEFT'],
    ['LMPOP', '2', 's', e, 'LEFT'],
    ['RPUSH', d, 'x'],
    ['LMPOP', '3', a, d, 's', 'LEFT', 'COUNT', '2'],
    ['LMPOP', '2', 's', 's', 'RIGHT'],
    ['LMPOP', '1', 's', 'LEFT'],
    // the same key twice
    ['RPUSH', a, '1', '2', '3'],
    ['LMPOP', '2', a, a, 'LEFT', 'COUNT', '2'],
    ['LMPOP', '2', a, a, 'LEFT', 'COUNT', '2'],
    ['LMPOP', '2', a, a, 'LEFT', 'COUNT', '2'],
    // argument errors (checked before any key)
    ['LMPOP', '0', a, 'LEFT'],
    ['LMPOP', '-1', a, 'LEFT'],
    ['LMPOP', 'x', a, 'LEFT'],
    ['LMPOP', '1abc', a, 'LEFT'],
    ['LMPOP', '5', a, 'LEFT'],
    ['LMPOP', '2', a, b],
    ['LMPOP', '3', a, b, 'LEFT'],
    ['LMPOP', '9223372036854775807', a, 'LEFT'],
    ['LMPOP', '9223372036854775808', a, 'LEFT'],
    ['LMPOP', '1', a, 'MIDDLE'],
    ['LMPOP', '1', a, 'LEFT', 'COUNT'],
    ['LMPOP', '1', a, 'LEFT', 'COUNT', '0'],
    ['LMPOP', '1', a, 'LEFT', 'COUNT', '-1'],
    ['LMPOP', '1', a, 'LEFT', 'COUNT', 'x'],
    ['LMPOP', '1', a, 'LEFT', 'COUNT', '1', 'COUNT', '2'],
    ['LMPOP', '1', a, 'LEFT', 'FOO'],
    ['LMPOP', '1', a, 'LEFT', 'COUNT', '1', 'FOO'],
    ['LMPOP', '2', 's', b, 'MIDDLE'],
    ['LMPOP', '1', 's', 'LEFT', 'COUNT', '0'],
    ['LMPOP', '1', a],
    ['LMPOP', '1'],
  ];
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

// ------------------------------------------------------------------------------------------------
// Random command sequences
// ------------------------------------------------------------------------------------------------

const KEYS = ['l0', 'l1', 'l2', 'l3', '{t}a', '{t}b', 's'];
const keyArb = fc.constantFrom(...KEYS);
const elArb = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom('a', 'b', 'c', 'd') },
  { weight: 1, arbitrary: fc.constantFrom('', '1', '-1', 'x\r\n\0y', '\xff') },
);
const idxArb = fc.oneof(
  { weight: 8, arbitrary: fc.integer({ min: -7, max: 7 }).map(String) },
  { weight: 1, arbitrary: fc.constantFrom('9223372036854775807', '-9223372036854775808', 'x', '1.5', '') },
);
const countArb = fc.oneof(
  { weight: 8, arbitrary: fc.integer({ min: 0, max: 5 }).map(String) },
  { weight: 1, arbitrary: fc.constantFrom('-1', 'x', '9223372036854775807', '') },
);
const sideArb = fc.constantFrom('LEFT', 'RIGHT', 'left', 'Right');
const posOptArb = fc.constantFrom(
  ['RANK', '1'], ['RANK', '2'], ['RANK', '-1'], ['RANK', '-3'], ['RANK', '0'], ['RANK', '-9223372036854775808'],
  ['COUNT', '0'], ['COUNT', '1'], ['COUNT', '3'], ['COUNT', '-1'], ['MAXLEN', '0'], ['MAXLEN', '2'], ['MAXLEN', '-1'], ['FOO'],
);

const cmdArb: fc.Arbitrary<Cmd> = fc.oneof(
  { weight: 4, arbitrary: fc.tuple(fc.constantFrom('LPUSH', 'RPUSH'), keyArb, fc.array(elArb, { minLength: 1, maxLength: 4 })).map(([n, k, e]) => [n, k, ...e]) },
  fc.tuple(fc.constantFrom('LPUSHX', 'RPUSHX'), keyArb, fc.array(elArb, { minLength: 1, maxLength: 3 })).map(([n, k, e]) => [n, k, ...e]),
  { weight: 2, arbitrary: fc.tuple(fc.constantFrom('LPOP', 'RPOP'), keyArb, fc.option(countArb)).map(([n, k, cnt]) => (cnt === null ? [n, k] : [n, k, cnt])) },
  fc.tuple(keyArb).map(([k]) => ['LLEN', k]),
  fc.tuple(keyArb, idxArb).map(([k, i]) => ['LINDEX', k, i]),
  fc.tuple(keyArb, fc.constantFrom('BEFORE', 'AFTER', 'after', 'middle'), elArb, elArb).map(([k, w, p, e]) => ['LINSERT', k, w, p, e]),
  fc.tuple(keyArb, idxArb, elArb).map(([k, i, e]) => ['LSET', k, i, e]),
  { weight: 2, arbitrary: fc.tuple(keyArb, idxArb, idxArb).map(([k, a, b]) => ['LRANGE', k, a, b]) },
  fc.tuple(keyArb, idxArb, elArb).map(([k, n, e]) => ['LREM', k, n, e]),
  fc.tuple(keyArb, idxArb, idxArb).map(([k, a, b]) => ['LTRIM', k, a, b]),
  fc.tuple(keyArb, elArb, fc.array(posOptArb, { maxLength: 3 })).map(([k, e, o]) => ['LPOS', k, e, ...o.flat()]),
  { weight: 2, arbitrary: fc.tuple(keyArb, keyArb, sideArb, sideArb).map(([a, b, f, t]) => ['LMOVE', a, b, f, t]) },
  fc.tuple(keyArb, keyArb).map(([a, b]) => ['RPOPLPUSH', a, b]),
  {
    weight: 2,
    arbitrary: fc
      .tuple(fc.array(keyArb, { minLength: 1, maxLength: 4 }), sideArb, fc.option(fc.constantFrom('1', '2', '5', '0')))
      .map(([ks, s, n]) => ['LMPOP', String(ks.length), ...ks, s, ...(n === null ? [] : ['COUNT', n])]),
  },
  fc.tuple(keyArb).map(([k]) => ['DEL', k]),
  fc.tuple(keyArb).map(([k]) => ['EXISTS', k]),
  fc.tuple(keyArb).map(([k]) => ['TYPE', k]),
  fc.tuple(keyArb, elArb).map(([k, v]) => ['SET', k, v]),
  fc.tuple(keyArb, keyArb).map(([a, b]) => ['RENAME', a, b]),
  fc.tuple(keyArb, keyArb).map(([a, b]) => ['COPY', a, b, 'REPLACE']),
);

function finalState(): Cmd[] {
  return KEYS.flatMap((k) => [['TYPE', k], ['LRANGE', k, '0', '-1']]);
}

async function runProperty(t: Test, p: Clients, numRuns: number, label: string): Promise<void> {
  let failure: string | null = null;
  try {
    await fc.assert(
      fc.asyncProperty(fc.array(cmdArb, { minLength: 1, maxLength: 50 }), async (cmds) => {
        const seq: Cmd[] = [['DEL', ...KEYS], ['SET', 's', 'str'], ['RPUSH', 'l0', 'a', 'b', 'c', 'a'], ['RPUSH', '{t}a', 'c', 'd'], ...cmds, ...finalState()];
        const d = await pipelineDiff(p, seq);
        if (d) throw new Error(d);
      }),
      { numRuns },
    );
  } catch (e) {
    failure = (e as Error).message;
  }
  t.equal(failure, null, `random list command sequences (${numRuns} runs, ${label}) agree with redis`);
}

// ------------------------------------------------------------------------------------------------
// Keyspace interplay: RENAME COPY MOVE OBJECT, other types, expiry
// ------------------------------------------------------------------------------------------------

function keyspaceCases(k: string[]): Cmd[] {
  const [a, b, d, e] = k;
  return [
    ['FLUSHALL'],
    ['RPUSH', a, 'x', 'y', 'z'],
    ['OBJECT', 'ENCODING', a],
    ['OBJECT', 'REFCOUNT', a],
    ['RENAME', a, b],
    ['EXISTS', a],
    ['LRANGE', b, '0', '-1'],
    ['OBJECT', 'ENCODING', b],
    ['RENAME', b, b],
    ['RENAMENX', b, d],
    ['RENAMENX', d, d],
    ['RPUSH', e, 'e'],
    ['RENAMENX', d, e],
    ['RENAME', d, e],
    ['LRANGE', e, '0', '-1'],
    ['TYPE', d],
    ['COPY', e, a],
    ['COPY', e, a],
    ['RPUSH', a, 'more'],
    ['LRANGE', a, '0', '-1'],
    ['LRANGE', e, '0', '-1'],
    ['RPUSH', b, '1'],
    ['COPY', a, b],
    ['COPY', a, b, 'REPLACE'],
    ['LRANGE', b, '0', '-1'],
    ['LPOP', a, '10'],
    ['LRANGE', b, '0', '-1'],
    ['SET', d, 'str'],
    ['COPY', b, d, 'REPLACE'],
    ['TYPE', d],
    ['LRANGE', d, '0', '-1'],
    ['COPY', d, b, 'DB', '1'],
    ['COPY', d, e, 'DB', '1'],
    ['MOVE', b, '1'],
    ['MOVE', e, '1'],
    ['SELECT', '1'],
    ['LRANGE', b, '0', '-1'],
    ['LRANGE', e, '0', '-1'],
    ['OBJECT', 'ENCODING', e],
    ['RPOPLPUSH', e, b],
    ['LMPOP', '2', e, b, 'LEFT', 'COUNT', '10'],
    ['FLUSHDB'],
    ['SELECT', '0'],
    ['EXISTS', b, e],
    ['RENAME', d, a],
    ['LRANGE', a, '0', '-1'],
    ['SET', b, 'x'],
    ['RENAME', b, a],
    ['TYPE', a],
    ['GET', a],
    ['RPUSH', b, '1', '2'],
    ['RENAME', b, a],
    ['TYPE', a],
    ['LRANGE', a, '0', '-1'],
    ['DEL', a],
    ['EXISTS', a],
    ['RPUSH', a, 'fresh'],
    ['LRANGE', a, '0', '-1'],
    ['OBJECT', 'ENCODING', 'nokey'],
  ];
}

/** WRONGTYPE of list commands on the other collection types, and theirs on a list. */
async function otherTypes(t: Test, p: Pair): Promise<void> {
  const makers: Array<[string, Cmd]> = [
    ['hash', ['HSET', 'ot', 'f', 'v']],
    ['set', ['SADD', 'ot', 'm']],
    ['zset', ['ZADD', 'ot', '1', 'm']],
  ];
  for (const [type, make] of makers) {
    const probe = await p.respdb.send(make[0], '__probe', ...make.slice(2));
    await p.respdb.send('DEL', '__probe');
    if (isUnknown(probe)) {
      await t.test(`WRONGTYPE against a ${type}`, { skip: `respdb has no ${make[0]} yet (another engineer's family)` }, () => {});
      continue;
    }
    await diff(t, p, [
      ['DEL', 'ot', 'ol'],
      make,
      ['RPUSH', 'ol', 'a'],
      ['LPUSH', 'ot', 'x'], ['RPUSHX', 'ot', 'x'], ['LPOP', 'ot'], ['RPOP', 'ot', '2'], ['LLEN', 'ot'], ['LINDEX', 'ot', '0'],
      ['LINSERT', 'ot', 'BEFORE', 'a', 'b'], ['LSET', 'ot', '0', 'x'], ['LRANGE', 'ot', '0', '-1'], ['LREM', 'ot', '0', 'a'], ['LTRIM', 'ot', '0', '1'],
      ['LPOS', 'ot', 'a'], ['LMOVE', 'ot', 'ol', 'LEFT', 'LEFT'], ['LMOVE', 'ol', 'ot', 'LEFT', 'LEFT'], ['RPOPLPUSH', 'ol', 'ot'],
      ['LMPOP', '2', 'ot', 'ol', 'LEFT'], ['LMPOP', '2', 'ol', 'ot', 'LEFT'],
      ['TYPE', 'ot'], ['TYPE', 'ol'], ['LRANGE', 'ol', '0', '-1'],
      [make[0], 'ol', ...make.slice(2)],
      ['DEL', 'ot', 'ol'],
    ], { label: `vs ${type}` });
  }
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
  const r3 = await RawClient.connect(p.redisPort);
  const d3 = await RawClient.connect(p.respdbPort);
  try {
    for (const cl of [r3, d3]) {
      const h = await cl.send('HELLO', '3');
      t.not(h.t, 'error', 'HELLO 3');
    }
    const q = { redis: r3, respdb: d3 };
    await diff(t, q, [
      ...pushPopCases(),
      ...indexCases(),
      ...posCases(),
      ...moveCases(k[0], k[1]),
      ...mpopCases(k),
      ...cs('LRANGE nokey 0 -1', 'LINDEX nokey 0', 'LPOP nokey', 'LPOP nokey 1', 'LMPOP 1 nokey LEFT', 'LMOVE nokey x LEFT LEFT', 'LPOS nokey a'),
    ], { label: 'RESP3' });
    await runProperty(t, q, 30, 'RESP3');
  } finally {
    await Promise.all([r3.close(), d3.close()]);
  }
}

/**
 * Concurrent LMOVE / RPOPLPUSH between lists on different shards: every element survives exactly
 * once, and a reader popping everything at once with LMPOP never sees an element twice or misses
 * one (no half-done move is visible).
 */
async function moveAtomicity(t: Test, port: number, k: string[]): Promise<void> {
  const [a, b, d] = k;
  t.ok(new Set([a, b, d].map((x) => shardOf(B(x), 4))).size === 3, 'the three lists live on three shards');
  const cl = await Promise.all([0, 1, 2, 3].map(() => RawClient.connect(port)));
  try {
    const n = 300;
    const els = Array.from({ length: n }, (_, i) => `el${i}`);
    await cl[0].send('DEL', a, b, d);
    await cl[0].send('RPUSH', a, ...els);
    const rounds = 400;
    const w1: Cmd[] = Array.from({ length: rounds }, (_, i) => (i % 2 ? ['LMOVE', a, b, 'RIGHT', 'LEFT'] : ['RPOPLPUSH', a, d]));
    const w2: Cmd[] = Array.from({ length: rounds }, (_, i) => (i % 2 ? ['LMOVE', b, d, 'LEFT', 'RIGHT'] : ['LMOVE', d, a, 'LEFT', 'LEFT']));
    const w3: Cmd[] = Array.from({ length: rounds }, () => ['RPOPLPUSH', d, b]);
    const [r1, r2, r3] = await Promise.all([cl[0].pipeline(w1), cl[1].pipeline(w2), cl[2].pipeline(w3)]);
    const errors = [...r1, ...r2, ...r3].filter((r) => r.t === 'error').map((r) => formatReply(r));
    t.same(errors, [], 'no move failed');
    const moved = [...r1, ...r2, ...r3].filter((r) => r.t === 'bulk' && r.v !== null).length;
    t.ok(moved > rounds, `elements moved (${moved})`);
    const all: string[] = [];
    for (const key of [a, b, d]) for (const r of items(await cl[0].send('LRANGE', key, '0', '-1'))) all.push(text(r));
    t.same([...all].sort(), [...els].sort(), 'every element is in exactly one list after the concurrent moves');

    // Readers taking everything in one LMPOP-per-list pass while writers move elements around.
    const writes: Cmd[] = Array.from({ length: rounds }, (_, i) => (i % 3 === 0 ? ['LMOVE', a, b, 'LEFT', 'RIGHT'] : i % 3 === 1 ? ['RPOPLPUSH', b, d] : ['LMOVE', d, a, 'RIGHT', 'LEFT']));
    const [, snap] = await Promise.all([cl[1].pipeline(writes), cl[3].pipeline([['LMPOP', '3', a, b, d, 'LEFT', 'COUNT', '100000'], ['LMPOP', '3', a, b, d, 'LEFT', 'COUNT', '100000'], ['LMPOP', '3', a, b, d, 'LEFT', 'COUNT', '100000']])]);
    const taken: string[] = [];
    for (const r of snap) if (r.t === 'array' && r.v) for (const e of items(r.v[1])) taken.push(text(e));
    const rest: string[] = [];
    for (const key of [a, b, d]) for (const r of items(await cl[0].send('LRANGE', key, '0', '-1'))) rest.push(text(r));
    t.same([...taken, ...rest].sort(), [...els].sort(), 'popped plus remaining elements are exactly the originals');
  } finally {
    await Promise.all(cl.map((x) => x.close()));
  }
}

// ------------------------------------------------------------------------------------------------
// Binlog: the records of a random list workload, replayed into a fresh redis-server, give the
// same data as the workload did on redis-server itself.
// ------------------------------------------------------------------------------------------------

async function dumpState(cl: RawClient, keys: string[]): Promise<string> {
  const cmds: Cmd[] = [];
  for (const db of ['0', '1']) {
    cmds.push(['SELECT', db]);
    for (const k of keys) cmds.push(['TYPE', k], ['LRANGE', k, '0', '-1']);
  }
  cmds.push(['SELECT', '0']);
  const rs = await cl.pipeline(cmds);
  return rs.map((r) => (r.t === 'error' && r.v.startsWith('WRONGTYPE') ? 'WRONGTYPE' : formatReply(r))).join('\n');
}

async function binlogReplay(t: Test): Promise<void> {
  const nshards = 4;
  const { srv, dir, stop } = await startBinlogRespdb(t, nshards, 'list');
  const ref = await startRedis();
  t.teardown(() => ref.stop());
  const replay = await startRedis();
  t.teardown(() => replay.stop());
  const d = await RawClient.connect(srv.port, srv.host);
  const r = await RawClient.connect(ref.port);
  const keys = spread('bl', 6, nshards).concat(['{h}x', '{h}y']);
  const kArb = fc.constantFrom(...keys);
  const moreArb = fc.oneof(
    cmdArb.map((cmd) => cmd.map((a) => (typeof a === 'string' && KEYS.includes(a) ? keys[KEYS.indexOf(a)] : a))),
    fc.tuple(kArb, kArb).map(([a, b]): Cmd => ['COPY', a, b, 'DB', '1', 'REPLACE']),
    fc.tuple(kArb).map(([a]): Cmd => ['MOVE', a, '1']),
    fc.tuple(kArb, fc.constantFrom('100000', '200000')).map(([a, ms]): Cmd => ['PEXPIRE', a, ms]),
  );
  const seqs = fc.sample(fc.array(moreArb, { minLength: 20, maxLength: 60 }), { numRuns: 12, seed: 4242 });
  const workload: Cmd[] = [];
  workload.push(['RPUSH', keys[0], 'a', 'b', 'c', 'd'], ['RPUSH', keys[1], 'x', 'y'], ['RPUSH', keys[2], ...Array.from({ length: 1500 }, (_, i) => `n${i % 7}`)]);
  workload.push(['LINSERT', keys[2], 'BEFORE', 'n3', 'ins'], ['LREM', keys[2], '5', 'n1'], ['LREM', keys[2], '-5', 'n2']);
  workload.push(['RENAME', keys[2], keys[3]], ['COPY', keys[3], keys[2]], ['LMOVE', keys[3], keys[4], 'LEFT', 'RIGHT']);
  for (const s of seqs) workload.push(...s);
  workload.push(['LMPOP', String(keys.length), ...keys, 'RIGHT', 'COUNT', '3']);
  const [wr, wd] = await Promise.all([r.pipeline(workload), d.pipeline(workload)]);
  let mismatch: string | null = null;
  for (let i = 0; i < workload.length && !mismatch; i++) {
    if (formatReply(wr[i]) !== formatReply(wd[i])) mismatch = `${formatCommand(workload[i])}: redis ${formatReply(wr[i])} respdb ${formatReply(wd[i])}`;
  }
  t.equal(mismatch, null, `the workload (${workload.length} commands) gets the same replies`);
  const want = await dumpState(r, keys);
  t.equal(await dumpState(d, keys), want, 'respdb holds the same data as redis after the workload');
  await d.close();
  await r.close();
  await stop();

  // Merge the shards' binlogs by their global sequence and replay them.
  const recs = await readBinlog(dir, nshards);
  const names = new Set(recs.map((x) => x.args[0].toString('latin1').toUpperCase()));
  t.ok(names.has('LMOVE') || names.has('LPOP') || names.has('RPOP'), `the binlog has list records (${[...names].sort().join(' ')})`);
  const rc = await RawClient.connect(replay.port);
  try {
    const errs = await replayBinlog(rc, recs);
    t.same(errs, [], 'every binlog record applies without error');
    t.equal(await dumpState(rc, keys), want, 'replaying the binlog into a fresh redis-server gives the same data');
  } finally {
    await rc.close();
  }
}

// ------------------------------------------------------------------------------------------------

for (const shards of [1, 4]) {
  t.test(`list commands vs redis-server, ${shards} shard(s)`, async (t) => {
    const p = await pair(t, { shards });
    const k = spread('lk', 4, shards);
    if (shards === 4) {
      t.equal(new Set(k.map((x) => shardOf(B(x), 4))).size, 4, 'the four test keys are on four shards');
      t.not(shardOf(B('l0'), 4), shardOf(B('l1'), 4), 'random-sequence keys l0 and l1 are on different shards');
    }
    const d = (t: Test, cmds: Cmd[]) => diff(t, p, cmds);
    await t.test('LPUSH RPUSH LPUSHX RPUSHX LPOP RPOP LLEN', (t) => d(t, pushPopCases()));
    await t.test('LINDEX LSET', (t) => d(t, indexCases()));
    await t.test('LRANGE', (t) => d(t, rangeCases()));
    await t.test('LTRIM', (t) => d(t, trimCases()));
    await t.test('LINSERT', (t) => d(t, insertCases()));
    await t.test('LREM', (t) => d(t, remCases()));
    await t.test('LPOS', (t) => d(t, posCases()));
    await t.test('LMOVE RPOPLPUSH, one shard', (t) => d(t, moveCases('{m}a', '{m}b')));
    await t.test('LMOVE RPOPLPUSH, keys k0 k1', (t) => d(t, moveCases(k[0], k[1])));
    await t.test('LMPOP, one shard', (t) => d(t, mpopCases(['{p}1', '{p}2', '{p}3', '{p}4'])));
    await t.test('LMPOP, keys on several shards', (t) => d(t, mpopCases(k)));
    await t.test('arity errors', (t) => d(t, arityCases()));
    await t.test('binary keys and elements', (t) => d(t, binaryCases()));
    await t.test('2 kB keys', (t) => d(t, longKeyCases()));
    await t.test('long lists', async (t) => {
      t.equal(await pipelineDiff(p, longListCases(k)), null, 'shifts and compaction over 3000 elements');
    });
    await t.test('TTL of lists', (t) => d(t, ttlCases(k)));
    await t.test('RENAME COPY MOVE OBJECT', (t) => d(t, keyspaceCases(k)));
    await t.test('WRONGTYPE against other collections', (t) => otherTypes(t, p));
    await t.test('expiry', (t) => expiry(t, p, k));
    await t.test('COMMAND INFO GETKEYS', (t) => commandInfo(t, p));
    await t.test('pipelined (one batch)', async (t) => {
      const cmds = [...pushPopCases(), ...insertCases(), ...remCases(), ...moveCases(k[2], k[3]), ...mpopCases(k), ...keyspaceCases(k)];
      t.equal(await pipelineDiff(p, cmds), null, 'the same commands in one pipeline');
    });
    await t.test('random command sequences', (t) => runProperty(t, p, shards === 4 ? 120 : 80, 'RESP2'));
    await t.test('RESP3', (t) => resp3(t, p, k));
    if (shards === 4) await t.test('cross-shard moves are atomic', (t) => moveAtomicity(t, p.respdbPort, k));
  });
}

t.test('binlog replayed into redis-server gives the same data', (t) => binlogReplay(t));
