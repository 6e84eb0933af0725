// The hash commands' differential cases and helpers shared by test/commands/hash*.test.ts:
// command sequences run against redis-server and respdb, replies compared after normalization
// (field order: respdb lists fields in byte order, Redis in insertion or hash order, documented as
// nondeterministic, so HKEYS / HVALS / HGETALL / HSCAN replies are compared order-insensitively).
import type { Test } from 'tap';
import { formatCommand, pipelineDiff, type Pair } from '../support/servers.js';
import { formatReply, type Reply } from '../support/resp-client.js';

export type Arg = string | Buffer;
export type Cmd = Arg[];
export type Clients = Pick<Pair, 'redis' | 'respdb'>;

export const c = (s: string): Cmd => s.split(' ');
export const cs = (...lines: string[]): Cmd[] => lines.map(c);
export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
export const B = (...bytes: number[]) => Buffer.from(bytes);

export function items(r: Reply): Reply[] {
  if (r.t !== 'array' || r.v === null) throw new Error(`expected an array reply, got ${formatReply(r)}`);
  return r.v;
}

export function bulkText(r: Reply): string {
  if (r.t !== 'bulk' || r.v === null) throw new Error(`expected a bulk reply, got ${formatReply(r)}`);
  return r.v.toString('latin1');
}

// ------------------------------------------------------------------------------------------------
// Reply normalization: order-insensitive where Redis's order is unspecified, signatures for
// random replies (their contents are checked by properties elsewhere)
// ------------------------------------------------------------------------------------------------

export function argText(a: Arg | undefined): string {
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

export function norm(cmd: Cmd, r: Reply): string {
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
export async function check(t: Test, p: Clients, cmds: Cmd[], label = ''): Promise<Reply[]> {
  const [want, got] = await Promise.all([p.redis.pipeline(cmds), p.respdb.pipeline(cmds)]);
  for (let i = 0; i < cmds.length; i++) {
    t.equal(norm(cmds[i], got[i]), norm(cmds[i], want[i]), (label ? label + ': ' : '') + formatCommand(cmds[i]));
  }
  return want;
}

export const firstDiff = (p: Clients, cmds: Cmd[]): Promise<string | null> => pipelineDiff(p, cmds, norm);

// ------------------------------------------------------------------------------------------------
// Static cases
// ------------------------------------------------------------------------------------------------

export const L64 = 'v'.repeat(64);
export const L65 = 'v'.repeat(65);
export const F65 = 'f'.repeat(65);

/** Fields f0..f(n-1) with values v0..; one HSET. */
export function fillCmd(key: string, n: number, valuePrefix = 'v'): Cmd {
  const cmd: Cmd = ['HSET', key];
  for (let i = 0; i < n; i++) cmd.push(`f${i}`, `${valuePrefix}${i}`);
  return cmd;
}

export function basicCases(): Cmd[] {
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

export function incrCases(): Cmd[] {
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

export function arityCases(): Cmd[] {
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

export const BIN_KEY = Buffer.from('bin\0key\r\n\xff', 'latin1');
export const BIN_F1 = B(0);
export const BIN_F2 = Buffer.from('\r\n', 'latin1');
export const BIN_F3 = B(0xff, 0xfe, 0, 0x0d);
export const BIN_V = Buffer.from('v\0\r\n\xff', 'latin1');

export function binaryCases(): Cmd[] {
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
export const longKey = (tag: string, n = 3000) => Buffer.concat([Buffer.alloc(n, 'k'), Buffer.from(tag)]);
export const LONG_FIELD = Buffer.concat([Buffer.alloc(1900, 'f'), Buffer.from('end')]);

export function longCases(): Cmd[] {
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

export function encodingCases(): Cmd[] {
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

export function resp3Cases(): Cmd[] {
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
