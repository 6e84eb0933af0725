// Hash commands against redis-server 7.0: every command, option, reply and error (arity,
// WRONGTYPE against strings and the other collection types), binary and long keys and fields,
// empty-hash disappearance, expiry, RENAME / COPY / MOVE within and across shards, OBJECT
// ENCODING transitions, RESP3 reply shapes, HSCAN and HRANDFIELD by their properties, fast-check
// random command sequences compared reply by reply, COMMAND INFO, and the binlog (HINCRBYFLOAT as
// HSET with the exact result; replaying a random sequence's binlog into a fresh redis-server gives
// the same data). Run with 1 and 4 shards.
//
// Field order: respdb lists fields in byte order, Redis in insertion or hash order (documented
// as nondeterministic), so HKEYS / HVALS / HGETALL / HSCAN replies are compared order-insensitively.
import t, { type Test } from 'tap';
import fc from 'fast-check';
import { formatCommand, pair, pipelineDiff, startRedis, type Pair } from './support/servers.js';
import { readBinlog, replayBinlog, startBinlogRespdb } from './support/binlog.js';
import { RawClient, canonicalize, formatReply, type Reply } from './support/resp-client.js';
import { spread } from './support/keys.js';
import { shardOf } from '../lib/slot.js';

type Arg = string | Buffer;
type Cmd = Arg[];
type Clients = Pick<Pair, 'redis' | 'respdb'>;

const c = (s: string): Cmd => s.split(' ');
const cs = (...lines: string[]): Cmd[] => lines.map(c);
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const B = (...bytes: number[]) => Buffer.from(bytes);

function items(r: Reply): Reply[] {
  if (r.t !== 'array' || r.v === null) throw new Error(`expected an array reply, got ${formatReply(r)}`);
  return r.v;
}

function bulkText(r: Reply): string {
  if (r.t !== 'bulk' || r.v === null) throw new Error(`expected a bulk reply, got ${formatReply(r)}`);
  return r.v.toString('latin1');
}

function isUnknown(r: Reply): boolean {
  return r.t === 'error' && r.v.startsWith('ERR unknown command');
}

async function skipWith(t: Test, why: string): Promise<void> {
  await t.test(why, { skip: why }, () => {});
}

// ------------------------------------------------------------------------------------------------
// Reply normalization: order-insensitive where Redis's order is unspecified, signatures for
// random replies (their contents are checked by properties elsewhere)
// ------------------------------------------------------------------------------------------------

function argText(a: Arg | undefined): string {
  return a === undefined ? '' : typeof a === 'string' ? a : a.toString('latin1');
}

/** HSCAN: the cursor, and the field/value pairs in any order. */
function scanNorm(r: Reply): string {
  if (r.t !== 'array' || !r.v || r.v.length !== 2) return formatReply(r);
  const inner = r.v[1];
  return formatReply(r.v[0]) + '\n' + formatReply(inner, { unordered: 'pairs' });
}

/** HRANDFIELD: exact when the whole hash comes back, else its shape (length, distinctness). */
function randNorm(cmd: Cmd, r: Reply): string {
  if (r.t !== 'array' || r.v === null) return r.t === 'bulk' && r.v !== null ? 'one field' : formatReply(r);
  const n = cmd.length >= 3 ? Number(argText(cmd[2])) : NaN;
  const list = r.v;
  const nested = list.length > 0 && list[0].t === 'array';
  const per = cmd.length >= 4 && !nested ? 2 : 1;
  const len = list.length / per;
  const fields = list.filter((_, i) => i % per === 0).map((e) => formatReply(nested ? items(e)[0] : e));
  if (n > 0 && len < n) return 'whole hash ' + formatReply(r, { unordered: per === 2 ? 'pairs' : true });
  if (n > 0) return `sample of ${len}, ${new Set(fields).size === len ? 'distinct' : 'REPEATED'}${nested ? ' nested' : ''}`;
  return `${len} picks${nested ? ' nested' : ''}`;
}

function norm(cmd: Cmd, r: Reply): string {
  if (r.t === 'error') return formatReply(r);
  switch (argText(cmd[0]).toLowerCase()) {
    case 'hkeys':
    case 'hvals':
      return formatReply(r, { unordered: true });
    case 'hgetall':
      return formatReply(r, { unordered: 'pairs' });
    case 'hscan':
      return scanNorm(r);
    case 'hrandfield':
      return randNorm(cmd, r);
    default:
      return formatReply(r);
  }
}

/** Sends `cmds` pipelined to both servers; one assertion per command. */
async function check(t: Test, p: Clients, cmds: Cmd[], label = ''): Promise<Reply[]> {
  const [want, got] = await Promise.all([p.redis.pipeline(cmds), p.respdb.pipeline(cmds)]);
  for (let i = 0; i < cmds.length; i++) {
    t.equal(norm(cmds[i], got[i]), norm(cmds[i], want[i]), (label ? label + ': ' : '') + formatCommand(cmds[i]));
  }
  return want;
}

const firstDiff = (p: Clients, cmds: Cmd[]): Promise<string | null> => pipelineDiff(p, cmds, norm);

// ------------------------------------------------------------------------------------------------
// Static cases
// ------------------------------------------------------------------------------------------------

const L64 = 'v'.repeat(64);
const L65 = 'v'.repeat(65);
const F65 = 'f'.repeat(65);

function basicCases(): Cmd[] {
  return [
    ...cs(
      'DEL h1 h2 h3',
      'HSET h1 a 1',
      'HSET h1 a 2',
      'HGET h1 a',
      'HSET h1 b 2 c 3 a 9',
      'HSET h1 d 1 d 2 d 3',
      'HGET h1 d',
      'HLEN h1',
      'HGETALL h1',
      'HKEYS h1',
      'HVALS h1',
      'HMSET h1 e 5 f 6',
      'HMSET h1 e 7',
      'HGET h1 e',
      'HMGET h1 a b nope c',
      'HMGET nokey a b',
      'HMGET h1 a',
      'HSETNX h1 a x',
      'HSETNX h1 z x',
      'HGET h1 z',
      'HSETNX h2 a 1',
      'HGETALL h2',
      'HEXISTS h1 a',
      'HEXISTS h1 nope',
      'HEXISTS nokey a',
      'HSTRLEN h1 a',
      'HSTRLEN h1 nope',
      'HSTRLEN nokey a',
      'HLEN nokey',
      'HGET nokey a',
      'HGET h1 nope',
      'HKEYS nokey',
      'HVALS nokey',
      'HGETALL nokey',
      'HDEL h1 a b nope',
      'HDEL h1 a',
      'HDEL h1 c c c',
      'HDEL nokey a',
      'HLEN h1',
      'HGETALL h1',
      'HDEL h1 d e f z',
      'EXISTS h1',
      'TYPE h1',
      'HLEN h1',
      'HGETALL h1',
      'HSET h3 x 1',
      'TYPE h3',
      'HDEL h3 x',
      'EXISTS h3',
      'hset h3 Lower case',
      'HgEtAlL h3',
      'hmset h3 a 1',
      'HSTRLEN h3 Lower',
      'DEL h3',
    ),
    ['HSET', 'h3', '', ''],
    ['HGET', 'h3', ''],
    ['HSTRLEN', 'h3', ''],
    ['HEXISTS', 'h3', ''],
    ['HSET', 'h3', 'e', ''],
    ['HGETALL', 'h3'],
    ['HDEL', 'h3', '', 'e'],
    ['EXISTS', 'h3'],
    ['HSETNX', 'h3', 'n', ''],
    ['HSTRLEN', 'h3', 'n'],
    ['HSET', 'h3', 'big', 'x'.repeat(100000)],
    ['HSTRLEN', 'h3', 'big'],
    ['HGET', 'h3', 'big'],
    ['HSET', 'h3', '123', '456', '-7', '007', '1.5', '3.0'],
    ['HMGET', 'h3', '123', '-7', '1.5'],
    ['HSTRLEN', 'h3', '-7'],
  ];
}

function incrCases(): Cmd[] {
  return [
    ...cs(
      'DEL i1 i2 i3',
      'HINCRBY i1 a 1',
      'HINCRBY i1 a 41',
      'HINCRBY i1 a -50',
      'HINCRBY i1 b 0',
      'HGETALL i1',
      'HINCRBY i1 a x',
      'HINCRBY i1 a 1.5',
      'HINCRBY i1 a +1',
      'HINCRBY i1 a -0',
      'HINCRBY i1 a 01',
      'HINCRBY i1 a 9223372036854775808',
      'HINCRBY i1 c 9223372036854775807',
      'HINCRBY i1 c 1',
      'HINCRBY i1 c 0',
      'HINCRBY i1 d -9223372036854775808',
      'HINCRBY i1 d -1',
      'HINCRBY i1 d 9223372036854775807',
      'HGETALL i1',
      'HSET i1 s abc f 1.5 sp 2 neg -3 z 0 big 9223372036854775807',
      'HINCRBY i1 s 1',
      'HINCRBY i1 f 1',
      'HINCRBY i1 neg 3',
      'HINCRBY i1 big 1',
      'HINCRBY i1 z -9223372036854775808',
      'HINCRBY nokey a x',
      'EXISTS nokey',
      'HINCRBYFLOAT i2 a 1.5',
      'HINCRBYFLOAT i2 a 0.1',
      'HINCRBYFLOAT i2 a -1.6',
      'HINCRBYFLOAT i2 a 1e3',
      'HINCRBYFLOAT i2 a 0x10',
      'HINCRBYFLOAT i2 a .5',
      'HINCRBYFLOAT i2 a 5.0e-3',
      'HINCRBYFLOAT i2 b 1e-30',
      'HINCRBYFLOAT i2 b 1',
      'HINCRBYFLOAT i2 c 3',
      'HINCRBYFLOAT i2 c 0',
      'HINCRBYFLOAT i2 d 5e30',
      'HINCRBYFLOAT i2 e -0',
      'HINCRBYFLOAT i2 e 0.1',
      'HINCRBYFLOAT i2 e 0.2',
      'HINCRBYFLOAT i2 a abc',
      'HINCRBYFLOAT i2 a inf',
      'HINCRBYFLOAT i2 a -inf',
      'HINCRBYFLOAT i2 a +Infinity',
      'HINCRBYFLOAT i2 a nan',
      'HINCRBYFLOAT i2 a 1e5000',
      'HINCRBYFLOAT i2 a 1,5',
      'HINCRBYFLOAT nokey a abc',
      'HINCRBYFLOAT nokey a inf',
      'EXISTS nokey',
      'HGETALL i2',
      'HSET i2 s abc n 1.50000 i 10 inf inf sp 5 hex 0x10',
      'HINCRBYFLOAT i2 s 1',
      'HINCRBYFLOAT i2 n 0',
      'HINCRBYFLOAT i2 i 0.5',
      'HINCRBYFLOAT i2 inf 1',
      'HINCRBYFLOAT i2 hex 1',
      'HINCRBY i2 i 1',
      'HINCRBY i2 n 1',
      'HINCRBYFLOAT i3 h 1e400',
      'HSTRLEN i3 h',
      'OBJECT ENCODING i3',
      'HINCRBYFLOAT i3 max 1e4932',
      'HSTRLEN i3 max',
      'HINCRBYFLOAT i3 max 1e4932',
      'HINCRBYFLOAT i3 max -1e4932',
      'HGET i3 max',
      'HINCRBYFLOAT i3 tiny 4e-4951',
      'HINCRBYFLOAT i3 tiny 1e-5000',
      'HINCRBYFLOAT i3 tiny 0x1p-16000',
      'HGET i3 tiny',
    ),
    ['HSET', 'i2', 'sp1', ' 1', 'huge', '1'.repeat(5200)],
    ['HINCRBYFLOAT', 'i2', 'sp1', '1'],
    ['HINCRBY', 'i2', 'sp1', '1'],
    ['HINCRBYFLOAT', 'i2', 'huge', '1'],
    ['HINCRBYFLOAT', 'i2', 'x', ' 1'],
    ['HINCRBYFLOAT', 'i2', 'x', '1 '],
    ['HINCRBYFLOAT', 'i2', 'x', ''],
    ['HINCRBY', 'i2', 'x', ''],
    ['HINCRBYFLOAT', 'i2', 'x', '1'.repeat(5200)],
    ['HINCRBYFLOAT', 'i2', 'x', '1'.repeat(5000)],
    ['HSTRLEN', 'i2', 'x'],
  ];
}

function randCases(): Cmd[] {
  // Only deterministic forms: missing keys, errors, a count covering the whole hash, one field.
  return [
    ...cs(
      'DEL r1 r2 rs',
      'SET rs x',
      'HSET r1 a 1 b 2 c 3',
      'HSET r2 only one',
      'HRANDFIELD nokey',
      'HRANDFIELD nokey 0',
      'HRANDFIELD nokey 5',
      'HRANDFIELD nokey -5 WITHVALUES',
      'HRANDFIELD r2',
      'HRANDFIELD r2 1',
      'HRANDFIELD r2 -3',
      'HRANDFIELD r2 -3 WITHVALUES',
      'HRANDFIELD r2 1 withvalues',
      'HRANDFIELD r1 0',
      'HRANDFIELD r1 0 WITHVALUES',
      'HRANDFIELD r1 3',
      'HRANDFIELD r1 4',
      'HRANDFIELD r1 100 WITHVALUES',
      'HRANDFIELD r1 9223372036854775807',
      'HRANDFIELD r1 2',
      'HRANDFIELD r1 -7',
      'HRANDFIELD r1 -7 WITHVALUES',
      'HRANDFIELD r1 2 WithValues',
      'HRANDFIELD r1 x',
      'HRANDFIELD r1 1.5',
      'HRANDFIELD r1 -9223372036854775808',
      'HRANDFIELD r1 -9223372036854775807 FOO',
      'HRANDFIELD r1 x WITHVALUES',
      'HRANDFIELD r1 1 WITHVALUES x',
      'HRANDFIELD r1 1 FOO',
      'HRANDFIELD r1 4611686018427387904 WITHVALUES',
      'HRANDFIELD r1 -4611686018427387904 WITHVALUES',
      'HRANDFIELD r1 4611686018427387903 WITHVALUES',
      'HRANDFIELD rs',
      'HRANDFIELD rs 1',
      'HRANDFIELD rs 0',
      'HRANDFIELD rs x',
      'HRANDFIELD rs 1 WITHVALUES',
      'HRANDFIELD rs 1 FOO',
    ),
    ['HRANDFIELD', 'r1', '100', Buffer.from('withvalues\0junk', 'latin1')],
    ['HRANDFIELD', 'r1', '100', Buffer.from('withvalue', 'latin1')],
  ];
}

function scanCases(): Cmd[] {
  return [
    ...cs(
      'DEL sc1 sc2 scs',
      'SET scs x',
      'HSET sc1 a 1 b 2 c 3 ab 4 ba 5 10 6',
      'HSCAN sc1 0',
      'HSCAN sc1 12345',
      'HSCAN sc1 18446744073709551615',
      'HSCAN sc1 -1',
      'HSCAN sc1 0 COUNT 1',
      'HSCAN sc1 0 count 2 MATCH a*',
      'HSCAN sc1 0 MATCH *a*',
      'HSCAN sc1 0 MATCH ?',
      'HSCAN sc1 0 MATCH [ab]',
      'HSCAN sc1 0 MATCH 1*',
      'HSCAN sc1 0 MATCH nomatch',
      'HSCAN sc1 0 MATCH *',
      'HSCAN sc1 0 MATCH a* MATCH b*',
      'HSCAN sc1 0 COUNT 5 COUNT 100',
      'HSCAN sc1 0 COUNT 0',
      'HSCAN sc1 0 COUNT -1',
      'HSCAN sc1 0 COUNT x',
      'HSCAN sc1 0 COUNT 9223372036854775807',
      'HSCAN sc1 0 COUNT 9223372036854775808',
      'HSCAN sc1 0 COUNT',
      'HSCAN sc1 0 MATCH',
      'HSCAN sc1 0 TYPE hash',
      'HSCAN sc1 0 NOVALUES',
      'HSCAN sc1 0 FOO bar',
      'HSCAN sc1 x',
      'HSCAN sc1 1x',
      'HSCAN sc1 18446744073709551616',
      'HSCAN sc1 1.5',
      'HSCAN nokey 0',
      'HSCAN nokey 0 FOO',
      'HSCAN nokey x',
      'HSCAN scs 0',
      'HSCAN scs x',
      'HSCAN scs 0 FOO',
      'hscan sc1 0 match b*',
    ),
    ['HSCAN', 'sc1', ''],
    ['HSCAN', 'sc1', ' 1'],
    ['HSCAN', 'sc1', '+5'],
    ['HSCAN', 'sc1', '0', Buffer.from('count\0x', 'latin1'), '1'],
    ['HSCAN', 'sc1', '0', Buffer.from('match\0', 'latin1'), 'a*'],
    ['HSET', 'sc2', B(0, 1), 'x', B(0xff), 'y', 'a\r\nb', 'z'],
    ['HSCAN', 'sc2', '0', 'MATCH', Buffer.from('a\r\n*', 'latin1')],
    ['HSCAN', 'sc2', '0', 'MATCH', B(0, 42)],
    ['HSCAN', 'sc2', '0'],
  ];
}

function arityCases(): Cmd[] {
  return cs(
    'HSET',
    'HSET h',
    'HSET h f',
    'HSET h f v f',
    'HSET h f v f v f',
    'HMSET h',
    'HMSET h f',
    'HMSET h f v f',
    'HSETNX h f',
    'HSETNX h f v x',
    'HGET h',
    'HGET h f x',
    'HMGET h',
    'HDEL h',
    'HLEN',
    'HLEN h x',
    'HSTRLEN h',
    'HSTRLEN h f x',
    'HEXISTS h',
    'HEXISTS h f x',
    'HKEYS',
    'HKEYS h x',
    'HVALS h x',
    'HGETALL',
    'HGETALL h x',
    'HINCRBY h f',
    'HINCRBY h f 1 2',
    'HINCRBYFLOAT h f',
    'HINCRBYFLOAT h f 1 2',
    'HRANDFIELD',
    'HSCAN h',
    'HSCAN',
    'EXISTS h',
  );
}

/** Every hash command against a key of another type (`k`), reads and writes. */
function wrongTypeCases(k: string): Cmd[] {
  return [
    ['HSET', k, 'f', 'v'],
    ['HSET', k, 'f', 'v', 'g'],
    ['HMSET', k, 'f', 'v'],
    ['HSETNX', k, 'f', 'v'],
    ['HGET', k, 'f'],
    ['HMGET', k, 'f', 'g'],
    ['HDEL', k, 'f'],
    ['HLEN', k],
    ['HSTRLEN', k, 'f'],
    ['HEXISTS', k, 'f'],
    ['HKEYS', k],
    ['HVALS', k],
    ['HGETALL', k],
    ['HINCRBY', k, 'f', '1'],
    ['HINCRBY', k, 'f', 'x'],
    ['HINCRBYFLOAT', k, 'f', '1'],
    ['HINCRBYFLOAT', k, 'f', 'x'],
    ['HINCRBYFLOAT', k, 'f', 'inf'],
    ['HRANDFIELD', k],
    ['HRANDFIELD', k, '2', 'WITHVALUES'],
    ['HSCAN', k, '0'],
    ['HSCAN', k, 'x'],
    ['TYPE', k],
  ];
}

const BIN_KEY = Buffer.from('bin\0key\r\n\xff', 'latin1');
const BIN_F1 = B(0);
const BIN_F2 = Buffer.from('\r\n', 'latin1');
const BIN_F3 = B(0xff, 0xfe, 0, 0x0d);
const BIN_V = Buffer.from('v\0\r\n\xff', 'latin1');

function binaryCases(): Cmd[] {
  return [
    ['DEL', BIN_KEY],
    ['HSET', BIN_KEY, BIN_F1, BIN_V, BIN_F2, BIN_F3, BIN_F3, B(0)],
    ['HGET', BIN_KEY, BIN_F1],
    ['HGET', BIN_KEY, BIN_F2],
    ['HGET', BIN_KEY, BIN_F3],
    ['HMGET', BIN_KEY, BIN_F3, BIN_F2, BIN_F1, B(0, 0)],
    ['HGETALL', BIN_KEY],
    ['HKEYS', BIN_KEY],
    ['HVALS', BIN_KEY],
    ['HSTRLEN', BIN_KEY, BIN_F1],
    ['HEXISTS', BIN_KEY, B(0, 0)],
    ['HSETNX', BIN_KEY, BIN_F1, 'x'],
    ['HSETNX', BIN_KEY, B(0xff), 'x'],
    ['HINCRBY', BIN_KEY, B(0, 1, 2), '5'],
    ['HINCRBYFLOAT', BIN_KEY, B(0, 1, 2), '0.5'],
    ['HSCAN', BIN_KEY, '0'],
    ['HSCAN', BIN_KEY, '0', 'MATCH', B(0xff, 42)],
    ['HRANDFIELD', BIN_KEY, '100', 'WITHVALUES'],
    ['HLEN', BIN_KEY],
    ['HDEL', BIN_KEY, BIN_F1, BIN_F2],
    ['HGETALL', BIN_KEY],
    ['OBJECT', 'ENCODING', BIN_KEY],
    ['HDEL', BIN_KEY, BIN_F3, B(0xff), B(0, 1, 2)],
    ['EXISTS', BIN_KEY],
  ];
}

/** A key stored under its hash (> 1024 bytes), with a readable suffix. */
const longKey = (tag: string, n = 3000) => Buffer.concat([Buffer.alloc(n, 'k'), Buffer.from(tag)]);
const LONG_FIELD = Buffer.concat([Buffer.alloc(1900, 'f'), Buffer.from('end')]);

function longCases(): Cmd[] {
  const a = longKey('a');
  const b = longKey('b');
  const b2 = longKey('b', 2000);
  return [
    ['DEL', a, b, b2],
    ['HSET', a, 'f', 'v', 'g', 'w'],
    ['HSET', b, 'x', '1'],
    ['HGET', a, 'f'],
    ['HGETALL', a],
    ['HINCRBY', a, 'n', '3'],
    ['HINCRBYFLOAT', a, 'n', '0.25'],
    ['HRANDFIELD', a, '10', 'WITHVALUES'],
    ['HSCAN', a, '0'],
    ['OBJECT', 'ENCODING', a],
    ['HSET', a, LONG_FIELD, 'long field'],
    ['HGET', a, LONG_FIELD],
    ['HEXISTS', a, LONG_FIELD],
    ['OBJECT', 'ENCODING', a],
    ['HDEL', a, LONG_FIELD],
    ['COPY', a, b2],
    ['HGETALL', b2],
    ['RENAME', a, b],
    ['HGETALL', b],
    ['EXISTS', a],
    ['HDEL', b, 'f', 'g', 'n'],
    ['EXISTS', b],
    ['HLEN', b2],
    ['DEL', b2],
  ];
}

function encodingCases(): Cmd[] {
  const pairs = (n: number, from = 0) => Array.from({ length: n }, (_, i) => [`f${from + i}`, `v${i}`]).flat();
  return [
    ['DEL', 'e1', 'e2', 'e3', 'e4', 'e5', 'e6', 'e7', 'e8'],
    ['HSET', 'e1', ...pairs(512)],
    ['OBJECT', 'ENCODING', 'e1'],
    ['HLEN', 'e1'],
    ['HSETNX', 'e1', 'f0', 'x'],
    ['HSET', 'e1', 'f0', 'y'],
    ['OBJECT', 'ENCODING', 'e1'],
    ['HSET', 'e1', 'f512', 'v'],
    ['OBJECT', 'ENCODING', 'e1'],
    ['HDEL', 'e1', ...Array.from({ length: 512 }, (_, i) => `f${i + 1}`)],
    ['HLEN', 'e1'],
    ['OBJECT', 'ENCODING', 'e1'],
    ['HSCAN', 'e1', '0'],
    ['COPY', 'e1', 'e1copy'],
    ['OBJECT', 'ENCODING', 'e1copy'],
    ['HGETALL', 'e1copy'],
    ['DEL', 'e1copy'],
    ['HSET', 'e2', 'a', L64],
    ['OBJECT', 'ENCODING', 'e2'],
    ['HSET', 'e2', 'b', L65],
    ['OBJECT', 'ENCODING', 'e2'],
    ['HDEL', 'e2', 'b'],
    ['OBJECT', 'ENCODING', 'e2'],
    ['HSET', 'e3', F65, '1'],
    ['OBJECT', 'ENCODING', 'e3'],
    ['HSET', 'e4', 'a', '1'],
    ['HSETNX', 'e4', 'a', L65],
    ['OBJECT', 'ENCODING', 'e4'],
    ['HSETNX', 'e4', 'b', L65],
    ['OBJECT', 'ENCODING', 'e4'],
    ['HINCRBY', 'e5', F65, '1'],
    ['OBJECT', 'ENCODING', 'e5'],
    ['HINCRBY', 'e6', 'a', '1'],
    ['HINCRBYFLOAT', 'e6', 'b', '5e60'],
    ['OBJECT', 'ENCODING', 'e6'],
    ['HINCRBYFLOAT', 'e6', 'c', '5e70'],
    ['OBJECT', 'ENCODING', 'e6'],
    ['HMSET', 'e7', 'a', '1', 'b', L65],
    ['OBJECT', 'ENCODING', 'e7'],
    ['HSET', 'e8', ...pairs(600)],
    ['OBJECT', 'ENCODING', 'e8'],
    ['OBJECT', 'REFCOUNT', 'e8'],
    ['OBJECT', 'REFCOUNT', 'e2'],
    ['HSCAN', 'e8', '0', 'MATCH', 'nomatch', 'COUNT', '1000'],
    ['OBJECT', 'ENCODING', 'nokey'],
    ['OBJECT', 'REFCOUNT', 'nokey'],
  ];
}

/**
 * RENAME / RENAMENX / COPY / MOVE of hashes between keys `a`, `b`, `c` (on shards chosen by the
 * caller: the same or different ones), with TTLs, REPLACE, DB and encodings.
 */
function moveCases(a: string, b: string, c: string): Cmd[] {
  return [
    ['SELECT', '0'],
    ['DEL', a, b, c],
    ['HSET', a, 'f', '1', 'g', '2', 'long', L65],
    ['PEXPIRE', a, '100000000'],
    ['RENAME', a, b],
    ['EXISTS', a],
    ['HGETALL', b],
    ['TTL', b],
    ['OBJECT', 'ENCODING', b],
    ['COPY', b, c],
    ['TTL', c],
    ['HGETALL', c],
    ['OBJECT', 'ENCODING', c],
    ['HSET', b, 'f', 'changed'],
    ['HGET', c, 'f'],
    ['HDEL', c, 'g'],
    ['HGETALL', b],
    ['COPY', b, c],
    ['COPY', b, c, 'REPLACE'],
    ['HGETALL', c],
    ['SET', a, 'string'],
    ['COPY', b, a, 'REPLACE'],
    ['TYPE', a],
    ['HGETALL', a],
    ['RENAMENX', a, c],
    ['DEL', c],
    ['RENAMENX', a, c],
    ['HGETALL', c],
    ['SET', a, 's'],
    ['RENAME', c, a],
    ['TYPE', a],
    ['HLEN', a],
    ['PERSIST', a],
    ['TTL', a],
    ['HSET', c, 'x', 'y'],
    ['RENAME', c, a],
    ['HGETALL', a],
    ['COPY', a, c, 'DB', '1'],
    ['COPY', a, c, 'DB', '1'],
    ['COPY', a, c, 'DB', '1', 'REPLACE'],
    ['MOVE', b, '1'],
    ['EXISTS', b],
    ['SELECT', '1'],
    ['HGETALL', c],
    ['HGETALL', b],
    ['TTL', b],
    ['OBJECT', 'ENCODING', b],
    ['MOVE', b, '0'],
    ['MOVE', c, '0'],
    ['HGETALL', c],
    ['DEL', c],
    ['SELECT', '0'],
    ['HGETALL', b],
    ['RENAME', b, b],
    ['HGETALL', b],
    ['COPY', b, b],
    ['DEL', a, b, c],
    ['HSET', a, 'small', '1'],
    ['COPY', a, b],
    ['OBJECT', 'ENCODING', b],
    ['RENAME', b, c],
    ['OBJECT', 'ENCODING', c],
    ['HGETALL', c],
    ['DEL', a, b, c],
    // more fields than one copy slice (1024)
    fillCmd(a, 1500),
    ['HDEL', a, 'f0'],
    ['RENAME', a, b],
    ['HLEN', b],
    ['OBJECT', 'ENCODING', b],
    ['HGETALL', b],
    ['COPY', b, c],
    ['HDEL', c, ...Array.from({ length: 590 }, (_, i) => `f${i + 1}`)],
    ['OBJECT', 'ENCODING', c],
    ['HGETALL', c],
    ['HLEN', b],
    ['DEL', a, b, c],
  ];
}

function resp3Cases(): Cmd[] {
  return [
    ...cs(
      'DEL h3a h3b',
      'HSET h3a a 1 b 2',
      'HGETALL h3a',
      'HGETALL nokey',
      'HKEYS h3a',
      'HVALS nokey',
      'HGET h3a nope',
      'HGET nokey a',
      'HMGET h3a a nope',
      'HINCRBYFLOAT h3a a 1.5',
      'HINCRBY h3a b 1',
      'HRANDFIELD nokey',
      'HRANDFIELD nokey 3',
      'HRANDFIELD nokey 3 WITHVALUES',
      'HRANDFIELD h3a 5',
      'HRANDFIELD h3a 5 WITHVALUES',
      'HRANDFIELD h3a -5 WITHVALUES',
      'HRANDFIELD h3a 1 WITHVALUES',
      'HRANDFIELD h3a 0 WITHVALUES',
      'HSET h3b only one',
      'HRANDFIELD h3b',
      'HRANDFIELD h3b -2 WITHVALUES',
      'HSCAN h3a 0',
      'HSCAN nokey 0',
      'HSTRLEN h3a a',
      'HEXISTS h3a a',
      'HSETNX h3a a x',
      'HSET h3a c 3',
      'HDEL h3a a b c',
      'HGETALL h3a',
    ),
  ];
}

// ------------------------------------------------------------------------------------------------
// Random command sequences
// ------------------------------------------------------------------------------------------------

const RKEYS = ['h0', 'h1', 'h2', 'h3', '{t}a', '{t}b', 'str'];
const keyArb = fc.oneof({ weight: 6, arbitrary: fc.constantFrom(...RKEYS.slice(0, 6)) }, { weight: 1, arbitrary: fc.constant('str') });
// At most 9 distinct fields: a hashtable of fewer than 10 fields comes back whole from one HSCAN
// COUNT 10 in Redis too (cursor 0), so HSCAN replies compare exactly.
const fieldArb: fc.Arbitrary<Arg> = fc.constantFrom<Arg>('a', 'b', 'ab', '1', '10', '', B(0), B(0xff), 'x\r\ny');
const valueArb: fc.Arbitrary<Arg> = fc.oneof(
  fc.constantFrom<Arg>('', '0', '1', '-1', '7', '1.5', '-2.25', 'abc', '1e3', ' 1', 'inf', '9223372036854775807', '-9223372036854775808', L65, B(0, 0xff)),
  fc.integer({ min: -1000, max: 1000 }).map(String),
);
const intArb = fc.oneof(
  fc.integer({ min: -20, max: 20 }).map(String),
  fc.constantFrom('9223372036854775807', '-9223372036854775808', '9223372036854775808', 'x', '1.5', '', '+1'),
);
const floatArb = fc.oneof(
  fc.constantFrom('0.1', '-0.1', '1e3', '1.5', '-3.25', 'inf', '-inf', 'nan', 'abc', '0x10', '1e-20', '5e30', '1e400', '.5', '0', '-0'),
  fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e6, max: 1e6 }).map(String),
);
const countArb = fc.oneof(fc.integer({ min: -6, max: 12 }).map(String), fc.constantFrom('x', '100'));
const patternArb = fc.constantFrom('*', 'a*', '?', '[ab]', '*b*', '1*', 'nomatch');
const pairsArb = fc.array(fc.tuple(fieldArb, valueArb), { minLength: 1, maxLength: 3 }).map((kv) => kv.flat());

const writeArb: fc.Arbitrary<Cmd> = fc.oneof(
  { weight: 5, arbitrary: fc.tuple(keyArb, pairsArb).map(([k, kv]) => ['HSET', k, ...kv]) },
  fc.tuple(keyArb, pairsArb).map(([k, kv]) => ['HMSET', k, ...kv]),
  fc.tuple(keyArb, fieldArb, valueArb).map(([k, f, v]) => ['HSETNX', k, f, v]),
  { weight: 2, arbitrary: fc.tuple(keyArb, fc.array(fieldArb, { minLength: 1, maxLength: 3 })).map(([k, fs]) => ['HDEL', k, ...fs]) },
  { weight: 2, arbitrary: fc.tuple(keyArb, fieldArb, intArb).map(([k, f, n]) => ['HINCRBY', k, f, n]) },
  { weight: 2, arbitrary: fc.tuple(keyArb, fieldArb, floatArb).map(([k, f, n]) => ['HINCRBYFLOAT', k, f, n]) },
  fc.tuple(keyArb, keyArb).map(([a, b]) => ['RENAME', a, b]),
  fc.tuple(keyArb, keyArb, fc.boolean()).map(([a, b, r]) => (r ? ['COPY', a, b, 'REPLACE'] : ['COPY', a, b])),
  fc.tuple(keyArb, keyArb).map(([a, b]) => ['RENAMENX', a, b]),
  fc.tuple(keyArb).map(([k]) => ['DEL', k]),
  fc.tuple(keyArb).map(([k]) => ['PEXPIRE', k, '100000000']),
  fc.tuple(keyArb).map(([k]) => ['PERSIST', k]),
);

const readArb: fc.Arbitrary<Cmd> = fc.oneof(
  fc.tuple(keyArb, fieldArb).map(([k, f]) => ['HGET', k, f]),
  fc.tuple(keyArb, fc.array(fieldArb, { minLength: 1, maxLength: 4 })).map(([k, fs]) => ['HMGET', k, ...fs]),
  fc.tuple(keyArb).map(([k]) => ['HLEN', k]),
  fc.tuple(keyArb, fieldArb).map(([k, f]) => ['HSTRLEN', k, f]),
  fc.tuple(keyArb, fieldArb).map(([k, f]) => ['HEXISTS', k, f]),
  fc.tuple(keyArb).map(([k]) => ['HKEYS', k]),
  fc.tuple(keyArb).map(([k]) => ['HVALS', k]),
  fc.tuple(keyArb).map(([k]) => ['HGETALL', k]),
  fc.tuple(keyArb).map(([k]) => ['HRANDFIELD', k]),
  fc.tuple(keyArb, countArb, fc.boolean()).map(([k, n, wv]) => (wv ? ['HRANDFIELD', k, n, 'WITHVALUES'] : ['HRANDFIELD', k, n])),
  fc.tuple(keyArb, fc.option(patternArb, { nil: undefined }), fc.constantFrom(undefined, '10', '100')).map(([k, m, n]) => {
    const cmd: Cmd = ['HSCAN', k, '0'];
    if (m !== undefined) cmd.push('MATCH', m);
    if (n !== undefined) cmd.push('COUNT', n);
    return cmd;
  }),
  fc.tuple(keyArb).map(([k]) => ['OBJECT', 'ENCODING', k]),
  fc.tuple(keyArb).map(([k]) => ['TYPE', k]),
  fc.tuple(keyArb).map(([k]) => ['EXISTS', k]),
  fc.tuple(keyArb).map(([k]) => ['TTL', k]),
);

const cmdArb: fc.Arbitrary<Cmd> = fc.oneof({ weight: 3, arbitrary: writeArb }, { weight: 2, arbitrary: readArb });

/** What every sequence ends with: the full state of every key. */
const finalReads = (): Cmd[] => RKEYS.flatMap((k) => [['TYPE', k], ['HGETALL', k], ['OBJECT', 'ENCODING', k], ['TTL', k]]);

async function runProperty(t: Test, p: Clients, numRuns: number, label: string): Promise<void> {
  let failure: string | null = null;
  try {
    await fc.assert(
      fc.asyncProperty(fc.array(cmdArb, { minLength: 5, maxLength: 60, size: 'max' }), async (cmds) => {
        const seq: Cmd[] = [['DEL', ...RKEYS], ['SET', 'str', 'text'], ...cmds, ...finalReads()];
        const d = await firstDiff(p, seq);
        if (d) throw new Error(d);
      }),
      { numRuns },
    );
  } catch (e) {
    failure = (e as Error).message;
  }
  t.equal(failure, null, `${label}: random hash command sequences (${numRuns} runs) agree with redis`);
}

// ------------------------------------------------------------------------------------------------
// HRANDFIELD and HSCAN by their properties (on both servers: the properties hold for redis too)
// ------------------------------------------------------------------------------------------------

/** Fields f0..f(n-1) with values v0..; one HSET. */
function fillCmd(key: string, n: number, valuePrefix = 'v'): Cmd {
  const cmd: Cmd = ['HSET', key];
  for (let i = 0; i < n; i++) cmd.push(`f${i}`, `${valuePrefix}${i}`);
  return cmd;
}

/** Checks HRANDFIELD replies on a hash of `n` fields f<i> -> v<i>; returns the problems found. */
async function randomProperties(cl: RawClient, key: string, n: number, resp3: boolean): Promise<string[]> {
  const bad: string[] = [];
  const isField = (f: string) => /^f\d+$/.test(f) && Number(f.slice(1)) < n;
  const valueOk = (f: string, v: string) => v === 'v' + f.slice(1);
  const fieldsOf = (r: Reply, wv: boolean): string[] => {
    const list = items(r);
    const out: string[] = [];
    if (wv && resp3) {
      for (const e of list) {
        const [f, v] = items(e).map(bulkText);
        if (!valueOk(f, v)) bad.push(`value ${v} for ${f}`);
        out.push(f);
      }
    } else if (wv) {
      for (let i = 0; i < list.length; i += 2) {
        const f = bulkText(list[i]);
        if (!valueOk(f, bulkText(list[i + 1]))) bad.push(`value for ${f}`);
        out.push(f);
      }
    } else for (const e of list) out.push(bulkText(e));
    for (const f of out) if (!isField(f)) bad.push(`not a field: ${f}`);
    return out;
  };
  const cmds: Cmd[] = [];
  const singles = 200;
  for (let i = 0; i < singles; i++) cmds.push(['HRANDFIELD', key]);
  const counts = [1, 2, 5, Math.floor(n / 4), Math.floor(n / 2), n - 1, n, n + 5];
  for (const k of counts) {
    cmds.push(['HRANDFIELD', key, String(k)], ['HRANDFIELD', key, String(k), 'WITHVALUES']);
    cmds.push(['HRANDFIELD', key, String(-k)], ['HRANDFIELD', key, String(-k), 'WITHVALUES']);
  }
  const replies = await cl.pipeline(cmds);
  const seen = new Set<string>();
  for (let i = 0; i < singles; i++) {
    const f = bulkText(replies[i]);
    if (!isField(f)) bad.push(`single pick ${f}`);
    seen.add(f);
  }
  // 200 picks: every field of a 10-field hash (miss chance ~ 10 * 0.9^200); of a big hash, many
  // different ones (uniform picks would give ~190 distinct of 2000; respdb's sampler of big
  // hashes is not exactly uniform).
  const wantDistinct = n <= 10 ? n : 80;
  if (seen.size < wantDistinct) bad.push(`only ${seen.size} distinct fields in ${singles} single picks`);
  let at = singles;
  for (const k of counts) {
    for (const wv of [false, true]) {
      const pos = fieldsOf(replies[at++], wv);
      const want = Math.min(k, n);
      if (pos.length !== want) bad.push(`HRANDFIELD ${k}${wv ? ' WITHVALUES' : ''}: ${pos.length} fields, want ${want}`);
      if (new Set(pos).size !== pos.length) bad.push(`HRANDFIELD ${k}: repeated fields`);
    }
    for (const wv of [false, true]) {
      const neg = fieldsOf(replies[at++], wv);
      if (neg.length !== k) bad.push(`HRANDFIELD -${k}${wv ? ' WITHVALUES' : ''}: ${neg.length} fields, want ${k}`);
    }
  }
  return bad;
}

/** A full HSCAN iteration: every field exactly once (when nothing changes), each call within COUNT bounds. */
async function scanAll(cl: RawClient, key: string, extra: string[], maxPerCall: number): Promise<{ fields: Map<string, string>; calls: number; dup: number; over: number }> {
  const fields = new Map<string, string>();
  let cursor = '0';
  let calls = 0;
  let dup = 0;
  let over = 0;
  do {
    const r = items(await cl.send('HSCAN', key, cursor, ...extra));
    cursor = bulkText(r[0]);
    const list = items(r[1]);
    if (list.length / 2 > maxPerCall) over++;
    for (let i = 0; i < list.length; i += 2) {
      const f = bulkText(list[i]);
      if (fields.has(f)) dup++;
      fields.set(f, bulkText(list[i + 1]));
    }
    calls++;
  } while (cursor !== '0' && calls < 100000);
  return { fields, calls, dup, over };
}

async function scanProperties(t: Test, p: Pair): Promise<void> {
  const n = 2000;
  for (const cl of [p.redis, p.respdb]) {
    await cl.send('DEL', 'bigscan');
    await cl.send(...fillCmd('bigscan', n));
  }
  t.equal(formatReply(await p.respdb.send('OBJECT', 'ENCODING', 'bigscan')), '"hashtable"', 'a 2000-field hash is a hashtable');
  const all = await scanAll(p.respdb, 'bigscan', ['COUNT', '100'], 100);
  t.equal(all.fields.size, n, 'HSCAN COUNT 100 visits every field');
  t.equal(all.dup, 0, 'no field twice');
  t.equal(all.over, 0, 'no call returns more than COUNT fields');
  t.ok(all.calls >= n / 100 && all.calls <= n / 100 + 1, `about n/COUNT calls (${all.calls})`);
  t.ok([...all.fields].every(([f, v]) => v === 'v' + f.slice(1)), 'values belong to their fields');
  const def = await scanAll(p.respdb, 'bigscan', [], 10);
  t.equal(def.fields.size, n, 'default COUNT (10) visits every field');
  t.ok(def.calls >= n / 10, 'in steps of at most 10');
  const ref = await scanAll(p.redis, 'bigscan', ['MATCH', 'f1*', 'COUNT', '50'], Infinity);
  const got = await scanAll(p.respdb, 'bigscan', ['MATCH', 'f1*', 'COUNT', '50'], 50);
  t.same([...got.fields.keys()].sort(), [...ref.fields.keys()].sort(), 'HSCAN MATCH f1* finds what redis finds');
  t.equal(got.fields.size, 1111, 'f1, f10..f19, f100..f199, f1000..f1999');

  // A cursor is a position: asking again with the same cursor gives the same page.
  const first = items(await p.respdb.send('HSCAN', 'bigscan', '0', 'COUNT', '7'));
  const cur = bulkText(first[0]);
  t.not(cur, '0', 'a non-zero cursor after the first page');
  const again1 = items(await p.respdb.send('HSCAN', 'bigscan', cur, 'COUNT', '7'));
  const again2 = items(await p.respdb.send('HSCAN', 'bigscan', cur, 'COUNT', '7'));
  t.equal(formatReply(again1[1]), formatReply(again2[1]), 'the same cursor twice: the same page');
  t.equal(items(again1[1]).length, 14, 'of COUNT fields');
  t.not(formatReply(again1[1]), formatReply(first[1]), 'after the first page');
  t.ok(/^\d+$/.test(cur) && BigInt(cur) < 1n << 64n, 'cursor is an unsigned 64-bit decimal');
  // An unknown cursor restarts the scan (every field still comes back).
  const unknown = items(await p.respdb.send('HSCAN', 'bigscan', '12345', 'COUNT', '5000'));
  t.equal(items(unknown[1]).length, 2 * n, 'an unknown cursor restarts from the beginning');
  t.equal(bulkText(unknown[0]), '0', 'and COUNT >= size finishes in one call');
  // Fields present for the whole scan come back even while others are added and removed.
  let cursor = '0';
  const seen = new Set<string>();
  let step = 0;
  do {
    const r = items(await p.respdb.send('HSCAN', 'bigscan', cursor, 'COUNT', '150'));
    cursor = bulkText(r[0]);
    const list = items(r[1]);
    for (let i = 0; i < list.length; i += 2) seen.add(bulkText(list[i]));
    await p.respdb.send('HSET', 'bigscan', `new${step}`, 'x', `f${1000 + step}x`, 'y');
    await p.respdb.send('HDEL', 'bigscan', `f${1999 - step}`);
    step++;
  } while (cursor !== '0');
  const stable = Array.from({ length: 1900 }, (_, i) => `f${i}`);
  t.ok(stable.every((f) => seen.has(f)), 'every field present throughout the scan was returned');
  // Deleting the hash mid-scan: the old cursor on a new hash of the same name starts over.
  await p.respdb.send('DEL', 'bigscan');
  await p.respdb.send(...fillCmd('bigscan', 600, 'w'));
  const r = items(await p.respdb.send('HSCAN', 'bigscan', cur, 'COUNT', '1000'));
  t.equal(items(r[1]).length, 1200, 'a cursor of a deleted incarnation restarts over the new hash');
  t.ok(bulkText(items(r[1])[1]).startsWith('w'), 'with the new values');
  for (const cl of [p.redis, p.respdb]) await cl.send('DEL', 'bigscan');
}

async function randomFieldProperties(t: Test, p: Pair): Promise<void> {
  const cases: Array<[string, number]> = [['rsmall', 10], ['rmid', 600], ['rbig', 2000]];
  for (const [key, n] of cases) {
    for (const cl of [p.redis, p.respdb]) {
      await cl.send('DEL', key);
      await cl.send(...fillCmd(key, n));
    }
    for (const resp3 of n === 600 ? [false] : [false, true]) {
      for (const [name, cl] of [['redis', p.redis], ['respdb', p.respdb]] as const) {
        if (resp3) await cl.send('HELLO', '3');
        const bad = await randomProperties(cl, key, n, resp3);
        if (resp3) await cl.send('HELLO', '2');
        t.same(bad.slice(0, 5), [], `HRANDFIELD on ${n} fields (${resp3 ? 'RESP3' : 'RESP2'}, ${name}): counts, membership, distinctness, values`);
      }
    }
    for (const cl of [p.redis, p.respdb]) await cl.send('DEL', key);
  }
  // Negative counts are random with repetition: 60 picks from 3 fields repeat some.
  await p.respdb.send('HSET', 'rrep', 'a', '1', 'b', '2', 'c', '3');
  const picks = items(await p.respdb.send('HRANDFIELD', 'rrep', '-60')).map(bulkText);
  t.equal(picks.length, 60, '60 picks');
  t.same([...new Set(picks)].sort(), ['a', 'b', 'c'], 'all three fields among 60 picks with repetition');
  await p.respdb.send('DEL', 'rrep');
}

// ------------------------------------------------------------------------------------------------
// Expiry
// ------------------------------------------------------------------------------------------------

async function expiry(t: Test, p: Pair): Promise<void> {
  await check(t, p, [
    ...cs(
      'DEL x1 x2 x3 x4',
      'HSET x1 a 1 b 2',
      'PEXPIRE x1 300',
      'HSET x2 a 1',
      'PEXPIRE x2 300',
      'HSET x2 b 2',
      'HINCRBY x2 n 1',
      'HDEL x2 a',
      'HSET x3 a 1',
      'PEXPIRE x3 300',
      'PERSIST x3',
      'HSET x4 a 1',
      'EXPIRE x4 1000',
      'HSET x4 b 2',
      'HINCRBYFLOAT x4 c 1.5',
      'HSETNX x4 d 1',
      'HDEL x4 a',
      'TTL x4',
    ),
  ], 'before expiry');
  // 700 ms: far from TTL's rounding boundary (500 ms) for the 1000 s TTL compared below.
  await sleep(700);
  await check(t, p, [
    ...cs(
      'HGETALL x1',
      'HLEN x1',
      'HGET x1 a',
      'EXISTS x1',
      'HSCAN x1 0',
      'HRANDFIELD x1',
      'HGETALL x2',
      'EXISTS x2',
      'HGETALL x3',
      'TTL x4',
      'HGETALL x4',
      'HSET x1 z 9',
      'HGETALL x1',
      'TTL x1',
      'DEL x1 x3 x4',
    ),
  ], 'after the short TTLs passed');
  // Cannot pass vacuously: redis dropped x2.
  const r = await p.redis.send('EXISTS', 'x2');
  t.equal(formatReply(r), '(integer) 0', 'redis expired x2');
  await check(t, p, cs('HSET x5 a 1', 'PEXPIRE x5 100'));
  await sleep(300);
  await check(t, p, cs('HINCRBY x5 a 5', 'TTL x5', 'DEL x5'), 'a write to an expired hash starts a new one');
}

// ------------------------------------------------------------------------------------------------
// Reads one at a time (no reply pending: O(1) reads then run on the main thread), atomicity of
// cross-shard moves, respdb's own limits
// ------------------------------------------------------------------------------------------------

async function oneByOne(t: Test, p: Clients, cmds: Cmd[], label: string): Promise<void> {
  for (const cmd of cmds) {
    const want = await p.redis.send(...cmd);
    const got = await p.respdb.send(...cmd);
    t.equal(norm(cmd, got), norm(cmd, want), `${label}: ${formatCommand(cmd)}`);
  }
}

async function directReads(t: Test, p: Pair): Promise<void> {
  const reads = (k: string): Cmd[] => [['HGET', k, 'a'], ['HMGET', k, 'a', 'zz', 'b'], ['HLEN', k], ['HSTRLEN', k, 'b'], ['HEXISTS', k, 'a'], ['HGET', k, LONG_FIELD], ['HGET', k, Buffer.alloc(3000, 'f')]];
  await oneByOne(t, p, [
    ['DEL', 'd1', 'd2', 'dstr'],
    ...reads('d1'),
    ['HSET', 'd1', 'a', '1', 'b', 'two'],
    ...reads('d1'),
    ['HDEL', 'd1', 'a'],
    ...reads('d1'),
    ['SET', 'dstr', 'x'],
    ...reads('dstr'),
    ['HSET', 'd2', 'a', '1'],
    ['PEXPIRE', 'd2', '150'],
    ...reads('d2'),
  ], 'one at a time');
  await sleep(300);
  await oneByOne(t, p, [...reads('d2'), ['DEL', 'd1', 'dstr']], 'after expiry, one at a time');
  // A write acknowledged to one connection is seen by the next read of another.
  const other = await RawClient.connect(p.respdbPort);
  try {
    let stale = 0;
    for (let i = 0; i < 100; i++) {
      await other.send('HSET', 'dseen', 'n', String(i));
      const r = await p.respdb.send('HGET', 'dseen', 'n');
      if (r.t !== 'bulk' || r.v?.toString() !== String(i)) stale++;
    }
    t.equal(stale, 0, 'HGET right after another connection\'s HSET sees it');
  } finally {
    await other.close();
    await p.respdb.send('DEL', 'dseen');
  }
}

/** Cross-shard RENAME back and forth while another client checks that exactly one name exists. */
async function renameAtomic(t: Test, p: Pair, a: string, b: string): Promise<void> {
  const [w, r] = await Promise.all([RawClient.connect(p.respdbPort), RawClient.connect(p.respdbPort)]);
  try {
    await w.send('DEL', a, b);
    await w.send('HSET', a, 'f', '1', 'g', '2');
    const rounds = 200;
    const writes: Cmd[] = Array.from({ length: rounds }, (_, i) => (i % 2 ? ['RENAME', b, a] : ['RENAME', a, b]));
    const checks: Cmd[] = Array.from({ length: rounds }, () => ['EXISTS', a, b]);
    const [wr, cr] = await Promise.all([w.pipeline(writes), r.pipeline(checks)]);
    t.equal(wr.filter((x) => formatReply(x) !== '+"OK"').length, 0, 'every RENAME succeeded');
    t.equal(cr.filter((x) => formatReply(x) !== '(integer) 1').length, 0, 'a concurrent EXISTS always sees exactly one of the two names');
    t.equal(formatReply(await w.send('HLEN', a)), '(integer) 2', 'the hash is intact after 200 moves');
    await w.send('DEL', a, b);
  } finally {
    await Promise.all([w.close(), r.close()]);
  }
}

// ------------------------------------------------------------------------------------------------
// COMMAND INFO
// ------------------------------------------------------------------------------------------------

const NAMES = ['hset', 'hsetnx', 'hget', 'hmget', 'hmset', 'hdel', 'hlen', 'hstrlen', 'hexists', 'hkeys', 'hvals', 'hgetall', 'hincrby', 'hincrbyfloat', 'hrandfield', 'hscan'];

async function commandInfo(t: Test, p: Pair): Promise<void> {
  await check(t, p, [
    ...NAMES.map((n) => ['COMMAND', 'INFO', n]),
    ...cs('COMMAND GETKEYS HSET h f v', 'COMMAND GETKEYS HSCAN h 0 MATCH x', 'COMMAND GETKEYS HMGET h a b'),
  ], 'COMMAND');
}

// ------------------------------------------------------------------------------------------------
// WRONGTYPE against the other types (the collection families are written concurrently: a type
// whose commands respdb does not know yet is skipped, with the reason)
// ------------------------------------------------------------------------------------------------

async function wrongType(t: Test, p: Pair): Promise<void> {
  await check(t, p, [['SET', 'wt:str', 'x'], ...wrongTypeCases('wt:str'), ['GET', 'wt:str']], 'string');
  const others: Array<[string, Cmd]> = [
    ['list', ['RPUSH', 'wt:list', 'a', 'b']],
    ['set', ['SADD', 'wt:set', 'a', 'b']],
    ['zset', ['ZADD', 'wt:zset', '1', 'a']],
  ];
  for (const [type, create] of others) {
    const probe = await p.respdb.send(...create);
    if (isUnknown(probe) || probe.t === 'error') {
      await skipWith(t, `WRONGTYPE against a ${type}: respdb answers ${create[0]} with "${probe.t === 'error' ? probe.v : ''}"`);
      continue;
    }
    await p.redis.send(...create);
    await check(t, p, [...wrongTypeCases(String(create[1])), ['TYPE', create[1]], ['DEL', create[1]]], type);
  }
  await check(t, p, cs('DEL wt:str'));
}

// ------------------------------------------------------------------------------------------------
// Binlog
// ------------------------------------------------------------------------------------------------

/** The data of the random-sequence keys (db 0 and 1), order-insensitive. */
async function snapshot(cl: RawClient): Promise<string[]> {
  const out: string[] = [];
  for (const db of ['0', '1']) {
    await cl.send('SELECT', db);
    for (const k of RKEYS) {
      const [type, all, ttl] = await cl.pipeline([['TYPE', k], ['HGETALL', k], ['PTTL', k]]);
      const tt = ttl.t === 'int' ? (ttl.v > 0n ? 'volatile' : String(ttl.v)) : formatReply(ttl);
      out.push(`db${db} ${k}: ${formatReply(type)} ${tt} ${all.t === 'error' ? '-' : formatReply(canonicalize(all, { unordered: 'pairs' }))}`);
    }
  }
  await cl.send('SELECT', '0');
  return out;
}

async function binlogReplay(t: Test): Promise<void> {
  const nshards = 2;
  const { srv, dir, stop } = await startBinlogRespdb(t, nshards, 'hash');
  const cl = await RawClient.connect(srv.port, srv.host);
  const spanning = new Set(RKEYS.map((k) => shardOf(Buffer.from(k), nshards)));
  t.equal(spanning.size, 2, 'the random keys live on both shards');
  t.not(shardOf(Buffer.from('h1'), nshards), shardOf(Buffer.from('h2'), nshards), 'RENAME h1 h2 crosses shards');

  // A fixed prologue with the effects the sequence may not reach, then random writes.
  const floats: Array<[string, Buffer, string]> = [];
  const script: Cmd[] = [
    ...cs('HSET h0 a 1 b 2', 'HINCRBYFLOAT h0 a 0.1', 'HINCRBYFLOAT h0 a 1e400', 'HINCRBYFLOAT h0 z 3', 'HSETNX h0 n x', 'HSETNX h0 n y'),
    ...cs('HSET h1 x 1', 'PEXPIRE h1 100000000', 'RENAME h1 h2', 'COPY h2 h3', 'COPY h2 {t}a', 'COPY h2 h1 DB 1', 'MOVE h3 1'),
    ...cs('HINCRBY h2 x 5', 'HDEL h2 x', 'HDEL h2 x', 'HINCRBYFLOAT {t}a x 2.5', 'RENAME {t}a {t}b', 'HINCRBYFLOAT {t}b x -2.5'),
    ...fc.sample(writeArb, { numRuns: 400, seed: 4242 }),
  ];
  const replies = await cl.pipeline(script);
  script.forEach((cmd, i) => {
    if (argText(cmd[0]) === 'HINCRBYFLOAT' && replies[i].t === 'bulk') {
      const f = cmd[2];
      floats.push([argText(cmd[1]), typeof f === 'string' ? Buffer.from(f) : f, bulkText(replies[i])]);
    }
  });
  t.ok(floats.length >= 10, `HINCRBYFLOAT wrote ${floats.length} times`);
  const before = await snapshot(cl);
  await cl.close();
  await stop();

  const recs = await readBinlog(dir, nshards);
  const names = new Set(recs.map((r) => r.args[0].toString('latin1').toUpperCase()));
  t.notOk(names.has('HINCRBYFLOAT'), 'no HINCRBYFLOAT record: it is logged as HSET');
  const hsets = new Set(recs.filter((r) => r.args.length === 4 && r.args[0].toString() === 'HSET').map((r) => r.args.slice(1).map((a) => a.toString('latin1')).join('\n')));
  const missing = floats.filter(([k, f, v]) => !hsets.has([k, f.toString('latin1'), v].join('\n')));
  t.same(missing.slice(0, 3), [], 'every HINCRBYFLOAT result is logged as HSET key field <the exact reply>');
  // RENAME h1 h2 crossed shards: DEL h2, HSET h2 x 1, PEXPIREAT h2 <h1's exact expiry>.
  const texts = recs.map((r) => r.args.map((a) => a.toString('latin1')).join(' '));
  const expireH1 = texts.find((x) => x.startsWith('PEXPIREAT h1 '));
  const at = texts.indexOf('DEL h2');
  t.ok(expireH1 && at >= 0, 'PEXPIRE h1 and the restore of h2 are logged');
  t.same(texts.slice(at, at + 3), ['DEL h2', 'HSET h2 x 1', expireH1?.replace(' h1 ', ' h2 ')], 'a cross-shard RENAME logs DEL, HSET and the exact PEXPIREAT');
  t.notOk(recs.some((r) => r.args[0].toString() === 'HSETNX'), 'HSETNX is logged as HSET');

  const redis = await startRedis();
  t.teardown(() => redis.stop());
  const rc = await RawClient.connect(redis.port, redis.host);
  const errors = await replayBinlog(rc, recs);
  t.same(errors.slice(0, 3), [], `redis-server applies all ${recs.length} binlog records without an error`);
  const after = await snapshot(rc);
  t.same(after, before, 'replaying the binlog into a fresh redis-server gives the same data');
  t.ok(before.filter((l) => l.includes('"hash"')).length >= 3, 'the compared data holds hashes');
  await rc.close();
}

// ------------------------------------------------------------------------------------------------

for (const shards of [1, 4]) {
  t.test(`hash commands vs redis-server, ${shards} shard(s)`, async (t) => {
    const p = await pair(t, { shards });
    const [ka, kb, kc] = spread('mv', 3, 4);
    if (shards === 4) {
      const s = new Set([ka, kb, kc].map((k) => shardOf(Buffer.from(k), 4)));
      t.equal(s.size, 3, 'the RENAME/COPY keys are on three different shards');
      const r = new Set(RKEYS.map((k) => shardOf(Buffer.from(k), 4)));
      t.ok(r.size >= 3, 'the random keys span shards');
    }
    await t.test('HSET HMSET HSETNX HGET HMGET HDEL HLEN HSTRLEN HEXISTS HKEYS HVALS HGETALL', (t) => check(t, p, basicCases()));
    await t.test('HINCRBY HINCRBYFLOAT', (t) => check(t, p, incrCases()));
    await t.test('HRANDFIELD (deterministic forms, errors)', (t) => check(t, p, randCases()));
    await t.test('HSCAN (listpack: whole hash, cursor 0; errors)', (t) => check(t, p, scanCases()));
    await t.test('arity errors', (t) => check(t, p, arityCases()));
    await t.test('WRONGTYPE', (t) => wrongType(t, p));
    await t.test('binary keys, fields and values', (t) => check(t, p, binaryCases()));
    await t.test('long keys and fields', (t) => check(t, p, longCases()));
    await t.test('OBJECT ENCODING transitions', (t) => check(t, p, encodingCases()));
    await t.test('RENAME COPY MOVE across shards', (t) => check(t, p, moveCases(ka, kb, kc)));
    await t.test('RENAME COPY MOVE within a shard', (t) => check(t, p, moveCases('{m}a', '{m}b', '{m}c')));
    await t.test('expiry', (t) => expiry(t, p));
    await t.test('reads one at a time (direct)', (t) => directReads(t, p));
    await t.test('RENAME of a hash is atomic across shards', (t) => renameAtomic(t, p, ka, kb));
    await t.test('COMMAND INFO', (t) => commandInfo(t, p));
    await t.test('HSCAN of a hashtable', (t) => scanProperties(t, p));
    await t.test('HRANDFIELD properties', (t) => randomFieldProperties(t, p));
    await t.test('random command sequences', (t) => runProperty(t, p, shards === 4 ? 120 : 80, 'RESP2'));
    await t.test('RESP3', async (t) => {
      const r3 = await RawClient.connect(p.redisPort);
      const d3 = await RawClient.connect(p.respdbPort);
      t.teardown(() => Promise.all([r3.close(), d3.close()]));
      await r3.send('HELLO', '3');
      await d3.send('HELLO', '3');
      const q = { redis: r3, respdb: d3 };
      await check(t, q, resp3Cases(), 'RESP3');
      await check(t, q, randCases(), 'RESP3');
      await runProperty(t, q, 30, 'RESP3');
    });
  });
}

t.test('binlog: exact effects, replayable into redis-server', (t) => binlogReplay(t));
