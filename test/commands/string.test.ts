// String commands against redis-server 7.0: every option and error of the GET/SET family, GETEX,
// APPEND/STRLEN, INCR/DECR/INCRBY/DECRBY/INCRBYFLOAT, GETRANGE/SUBSTR/SETRANGE, arity, binary keys
// and values, 10 kB keys, COMMAND INFO and proto-max-bulk-len, compared reply by reply. Run with 1
// and 4 shards. The rest of the family: string-multi (MGET/MSET/MSETNX), string-lcs, string-expiry
// (TTLs and the binlog), string-random (random sequences, RESP3), string-wrongtype.
import t, { type Test } from 'tap';
import { diff, pair, pipelineDiff, type Pair } from '../support/servers.js';
import { formatReply } from '../support/resp-client.js';

type Cmd = (string | Buffer)[];

/** "SET k v" -> ['SET', 'k', 'v'] (no empty or spaced arguments; use arrays for those). */
const c = (s: string): Cmd => s.split(' ');
const cs = (...lines: string[]): Cmd[] => lines.map(c);

// ------------------------------------------------------------------------------------------------
// Static differential cases
// ------------------------------------------------------------------------------------------------

const NUL_NX = Buffer.from('nx\0junk', 'latin1');

function setCases(): Cmd[] {
  return [
    ...cs(
      'SET s1 v',
      'GET s1',
      'SET s1 v2 XX',
      'GET s1',
      'SET s2 v XX',
      'GET s2',
      'SET s2 v NX',
      'SET s2 w NX',
      'GET s2',
      'SET s1 new NX GET',
      'SET s3 v NX GET',
      'GET s3',
      'SET s3 x XX GET',
      'SET s4 x XX GET',
      'GET s4',
      'SET s1 v GET GET',
      'SET s1 v NX NX',
      'SET s1 v XX XX',
      'SET s1 v NX XX',
      'SET s1 v XX NX',
      'SET s1 v xx get',
      'SET s1 v Get nX',
      'SET s1 v EX 100 EX 200',
      'SET s1 v PX 100000 PX 200000',
      'SET s1 v EXAT 99999999999 EXAT 99999999998',
      'SET s1 v EX 100 PX 100',
      'SET s1 v EX 100 EXAT 100',
      'SET s1 v PXAT 99999999999999 EX 100',
      'SET s1 v KEEPTTL EX 100',
      'SET s1 v EX 100 KEEPTTL',
      'SET s1 v KEEPTTL KEEPTTL',
      'SET s1 v KEEPTTL',
      'SET s1 v EX',
      'SET s1 v EX 100 EX',
      'SET s1 v PX',
      'SET s1 v EX abc',
      'SET s1 v EX 0',
      'SET s1 v EX -1',
      'SET s1 v PX 0',
      'SET s1 v PX -100',
      'SET s1 v EXAT 0',
      'SET s1 v PXAT -5',
      'SET s1 v EX 1.5',
      'SET s1 v EX +5',
      'SET s1 v EX 05',
      'SET s1 v EX 9223372036854775',
      'SET s1 v EX 9223372036854775807',
      'SET s1 v PX 9223372036854775807',
      'SET s1 v EXAT 9223372036854775808',
      'SET s1 v PXAT 9223372036854775807',
      'SET s1 v EXAT 9223372036854775',
      'SET s1 v EXAT 9223372036854776',
      'GET s1',
      'SET s1 v FOO',
      'SET s1 v EX 10 FOO',
      'SET s1 v GET FOO',
      'SET s1 v ex 100',
      'SET s1 v pX 100000',
      'SET s1 v eXaT 99999999999',
      'SET s1 v pxat 99999999999999',
      'GET s1',
      // an absolute time in the past: OK (or the old value), and the key is gone
      'SET s5 v EXAT 1',
      'GET s5',
      'EXISTS s5',
      'SET s1 v EXAT 1 GET',
      'GET s1',
      'EXISTS s1',
      'SET s6 v PXAT 1 NX',
      'GET s6',
      'SET s6 v PXAT 1 XX GET',
      'SET s6 v',
      'SET s6 w PXAT 1 XX GET',
      'EXISTS s6',
      'SET',
      'SET s1',
      'set s1 lower',
      'GeT s1',
    ),
    ['SET', 's7', ''],
    c('GET s7'),
    c('STRLEN s7'),
    ['SET', 's8', 'v', NUL_NX],
    ['SET', 's8', 'v', NUL_NX],
    c('GET s8'),
    ['SET', 's8', 'v', Buffer.from('ex\0', 'latin1'), '100'],
    ['SET', 's8', 'v', Buffer.from('e\0', 'latin1'), '100'],
    ['SET', 's8', 'v', ''],
  ];
}

function setxCases(): Cmd[] {
  return cs(
    'SETNX n1 v',
    'SETNX n1 w',
    'GET n1',
    'SETNX n1',
    'SETNX n1 a b',
    'SETEX e1 100 v',
    'GET e1',
    'SETEX e1 100 w',
    'GET e1',
    'SETEX e1 0 v',
    'SETEX e1 -1 v',
    'SETEX e1 abc v',
    'SETEX e1 1.5 v',
    'SETEX e1 9223372036854775 v',
    'SETEX e1 9223372036854775807 v',
    'SETEX e1 9223372036854775808 v',
    'SETEX e1 10',
    'SETEX e1 10 v x',
    'GET e1',
    'PSETEX e2 100000 v',
    'GET e2',
    'PSETEX e2 0 v',
    'PSETEX e2 -1 v',
    'PSETEX e2 abc v',
    'PSETEX e2 9223372036854775807 v',
    'PSETEX e2 100',
    'GETSET g1 v',
    'GETSET g1 w',
    'GET g1',
    'GETSET g1',
    'GETSET g1 a b',
    'GETDEL gd1',
    'SET gd1 v',
    'GETDEL gd1',
    'GETDEL gd1',
    'EXISTS gd1',
    'GETDEL',
    'GETDEL a b',
  );
}

function getexCases(): Cmd[] {
  return cs(
    'GETEX gx-missing',
    'GETEX gx-missing EX 10',
    'GETEX gx-missing EX abc',
    'GETEX gx-missing EX 0',
    'GETEX gx-missing PERSIST',
    'GETEX gx-missing foo',
    'GETEX gx-missing EX',
    'GETEX gx-missing EX 10 PX 10',
    'SET gx v',
    'GETEX gx',
    'GETEX gx EX 100',
    'GETEX gx EX 100 EX 200',
    'GETEX gx PX 100000',
    'GETEX gx EXAT 99999999999',
    'GETEX gx PXAT 99999999999999',
    'GETEX gx ex 100 px 100',
    'GETEX gx EX 100 PERSIST',
    'GETEX gx PERSIST EX 100',
    'GETEX gx PERSIST PERSIST',
    'GETEX gx persist',
    'GETEX gx KEEPTTL',
    'GETEX gx GET',
    'GETEX gx NX',
    'GETEX gx EX',
    'GETEX gx EX 0',
    'GETEX gx EX -1',
    'GETEX gx EX abc',
    'GETEX gx PX 0',
    'GETEX gx EXAT 0',
    'GETEX gx EX 9223372036854775',
    'GETEX gx PX 9223372036854775807',
    'GETEX gx EXAT 9223372036854775',
    'GETEX gx EXAT 9223372036854776',
    'GETEX gx PXAT 9223372036854775807',
    'GETEX gx EX 1.5',
    'GET gx',
    'GETEX gx EXAT 1',
    'GET gx',
    'EXISTS gx',
    'SET gx v',
    'GETEX gx PXAT 1',
    'EXISTS gx',
    'GETEX',
  );
}


function appendCases(): Cmd[] {
  return [
    ...cs('APPEND ap1 hello', 'GET ap1'),
    ['APPEND', 'ap1', ' world'],
    ...cs('GET ap1', 'STRLEN ap1', 'APPEND ap1', 'APPEND ap1 a b'),
    ['APPEND', 'ap2', ''],
    ...cs('EXISTS ap2', 'GET ap2', 'STRLEN ap2'),
    ['APPEND', 'ap1', ''],
    ...cs('SET ap3 10', 'APPEND ap3 5', 'INCR ap3', 'GET ap3', 'STRLEN nokey', 'STRLEN', 'STRLEN a b'),
  ];
}

function incrCases(): Cmd[] {
  return [
    ...cs(
      'INCR i1',
      'INCR i1',
      'DECR i1',
      'INCRBY i1 10',
      'INCRBY i1 -20',
      'DECRBY i1 5',
      'DECRBY i1 -5',
      'GET i1',
      'INCRBY i1 abc',
      'INCRBY i1 1.5',
      'INCRBY i1 +1',
      'INCRBY i1 01',
      'INCRBY i1 -0',
      'INCRBY i1 9223372036854775808',
      'INCRBY i1 -9223372036854775809',
      'INCRBY inew abc',
      'EXISTS inew',
      'DECRBY i1 x',
      'SET i2 9223372036854775806',
      'INCR i2',
      'INCR i2',
      'GET i2',
      'INCRBY i2 0',
      'DECRBY i2 -1',
      'SET i3 -9223372036854775807',
      'DECR i3',
      'DECR i3',
      'GET i3',
      'DECRBY i3 -9223372036854775808',
      'DECRBY inew2 -9223372036854775808',
      'EXISTS inew2',
      'INCRBY i4 -9223372036854775808',
      'DECRBY i4 1',
      'INCRBY i4 9223372036854775807',
      'INCRBY i4 9223372036854775807',
      'SET i5 abc',
      'INCR i5',
      'DECR i5',
      'SET i5 00',
      'INCR i5',
      'SET i5 -0',
      'INCR i5',
      'SET i5 +1',
      'INCR i5',
      'SET i5 1e3',
      'INCR i5',
      'SET i5 1.0',
      'INCR i5',
      'SET i5 0',
      'INCR i5',
      'SET i5 123456789012345678901234567890',
      'INCR i5',
      'SET i5 -9223372036854775808',
      'INCR i5',
      'INCR',
      'INCR a b',
      'DECR',
      'INCRBY a',
      'INCRBY a 1 2',
      'DECRBY a',
    ),
    ['SET', 'i6', ' 1'],
    c('INCR i6'),
    ['SET', 'i6', '1 '],
    c('INCR i6'),
    ['SET', 'i6', ''],
    c('INCR i6'),
    ['SET', 'i6', Buffer.from('10\0', 'latin1')],
    c('INCR i6'),
    ['INCRBY', 'i6', ''],
    ['INCRBY', 'i6', ' 1'],
  ];
}

/** Increments for INCRBYFLOAT on fresh keys and on accumulated ones. */
const FLOAT_INPUTS = [
  '10.5', '0.1', '1e20', '5.0e3', '-5000', '-0', '0', '0x10', '0x1p-3', '0X1P3', '0xAp-1', 'inf', '-inf', 'INF', 'infinity', '-Infinity',
  'nan', '-nan', '1e5000', '1e-5000', '1e-4940', '0.000003814697265625', '0.000011444091796875', '1e4931', '1.5e-17', '-1e-18', '+.5',
  '5.', '.5', '1e', 'e5', '.', '+', '-', '1e+5', '1E-5', '00012', '-00.5000', '3.0000000000000000001', '123456789012345678901234567890.123456789',
  '9223372036854775807', '-9223372036854775808', '18446744073709551617', '0.3', '1.18973149535723176502e4932', '1.18973149535723176509e4932',
  '3.6451995318824746025e-4951', '1.8225997659412373012e-4951', '0x1p-16445', '0x1p-16446', '0x1p16383', '0x1p16384', '0x', '0e999999999999',
  '1e-999999999999', '1e999999999999', '1_0', 'abc', '1.5.5',
];

function floatCases(): Cmd[] {
  const out: Cmd[] = [];
  for (const f of FLOAT_INPUTS) {
    out.push(['DEL', 'fl'], ['INCRBYFLOAT', 'fl', f], ['INCRBYFLOAT', 'acc', f], ['GET', 'acc'], ['SET', 'fv', f], ['INCRBYFLOAT', 'fv', '0']);
  }
  out.push(
    ['INCRBYFLOAT', 'fl', ' 5'],
    ['INCRBYFLOAT', 'fl', '5 '],
    ['INCRBYFLOAT', 'fl', ''],
    ['INCRBYFLOAT', 'fl', '1' + '0'.repeat(5118)],
    ['INCRBYFLOAT', 'fl', '1.' + '0'.repeat(5117)],
    ['INCRBYFLOAT', 'fl', '1.' + '0'.repeat(5118)],
    ['INCRBYFLOAT', 'fl', '1.' + '0'.repeat(5200)],
    ['SET', 'fs', ' 1'],
    ['INCRBYFLOAT', 'fs', '1'],
    ['SET', 'fs', '1e400'],
    ['INCRBYFLOAT', 'fs', '1e400'],
    ['GET', 'fs'],
    ['SET', 'fs', '1.18973149535723176502e4932'],
    ['INCRBYFLOAT', 'fs', '1.18973149535723176502e4932'],
    ['INCRBYFLOAT', 'fs', '-1.18973149535723176502e4932'],
    ['GET', 'fs'],
    c('INCRBYFLOAT'),
    c('INCRBYFLOAT a'),
    c('INCRBYFLOAT a 1 2'),
  );
  return out;
}

const INDEXES = ['0', '1', '2', '-1', '-2', '4', '5', '6', '100', '-5', '-6', '-100', '9223372036854775807', '-9223372036854775808'];

function rangeCases(): Cmd[] {
  const out: Cmd[] = cs('SET gr hello', 'SET gi 12345');
  out.push(['SET', 'ge', '']);
  for (const a of INDEXES) for (const b of INDEXES) out.push(['GETRANGE', 'gr', a, b]);
  for (const a of ['0', '-1', '3']) for (const b of ['0', '-1', '10']) out.push(['GETRANGE', 'ge', a, b], ['GETRANGE', 'gi', a, b], ['SUBSTR', 'gr', a, b]);
  out.push(
    ...cs(
      'GETRANGE nokey 0 -1',
      'GETRANGE nokey 5 1',
      'GETRANGE gr a 1',
      'GETRANGE gr 0 b',
      'GETRANGE nokey a 1',
      'GETRANGE gr 0 9223372036854775808',
      'GETRANGE gr 1.5 2',
      'GETRANGE gr 0',
      'GETRANGE gr 0 1 2',
      'SUBSTR gr 1 3',
      'SUBSTR gr x 3',
      'SUBSTR gr 1',
      'SETRANGE sr1 0 hello',
      'SETRANGE sr1 6 world',
      'GET sr1',
      'STRLEN sr1',
      'SETRANGE sr1 -1 x',
      'SETRANGE sr1 a x',
      'SETRANGE sr1 1.5 x',
      'SETRANGE sr1 2 XY',
      'GET sr1',
      'SETRANGE sr1 536870912 x',
      'SETRANGE sr1 9223372036854775807 x',
      'SETRANGE sr1 9223372036854775808 x',
      'SETRANGE nokey2 536870912 x',
      'EXISTS nokey2',
      'SETRANGE nokey2 -1 x',
      'SETRANGE sr4 3 ab',
      'GET sr4',
      'SETRANGE sr4 1 X',
      'GET sr4',
      'SETRANGE sr4 10 Z',
      'GET sr4',
      'SETRANGE sr4',
      'SETRANGE sr4 0',
      'SETRANGE sr4 0 a b',
    ),
    ['SETRANGE', 'sr1', '100', ''],
    ['SETRANGE', 'sr1', '536870911', ''],
    ['SETRANGE', 'sr1', '536870912', ''],
    ['SETRANGE', 'sr2', '5', ''],
    ['SETRANGE', 'sr2', '536870912', ''],
    ['SETRANGE', 'sr2', '-1', ''],
    c('EXISTS sr2'),
    ['SETRANGE', 'sr3', '0', ''],
    c('EXISTS sr3'),
  );
  return out;
}


/** Every command with too few / too many arguments. */
function arityCases(): Cmd[] {
  const arities: Record<string, number> = {
    get: 2, set: -3, setnx: 3, setex: 4, psetex: 4, getset: 3, getdel: 2, getex: -2, mget: -2, mset: -3, msetnx: -3, append: 3, strlen: 2,
    incr: 2, incrby: 3, incrbyfloat: 3, decr: 2, decrby: 3, getrange: 4, substr: 4, setrange: 4, lcs: -3,
  };
  const out: Cmd[] = [];
  for (const [name, a] of Object.entries(arities)) {
    const n = Math.abs(a);
    out.push([name.toUpperCase(), ...Array.from({ length: n - 2 }, (_, i) => `ar${i}`)]);
    if (a > 0) out.push([name.toUpperCase(), ...Array.from({ length: n }, (_, i) => `ar${i}`)]);
  }
  return out;
}

/** Binary-safe keys and values. */
function binaryCases(): Cmd[] {
  const all = Buffer.alloc(256);
  for (let i = 0; i < 256; i++) all[i] = i;
  const k1 = Buffer.from('bin\r\n\0key\xff', 'latin1');
  const k2 = Buffer.from('\0', 'latin1');
  const k3 = Buffer.from('\r\n', 'latin1');
  const v2 = Buffer.from('a\r\nb\0c\r\n', 'latin1');
  return [
    ['SET', k1, all],
    ['GET', k1],
    ['STRLEN', k1],
    ['APPEND', k1, v2],
    ['GET', k1],
    ['GETRANGE', k1, '250', '260'],
    ['SETRANGE', k1, '3', Buffer.from('\0\r\n', 'latin1')],
    ['GETRANGE', k1, '0', '8'],
    ['MSET', k2, v2, k3, all, k1, k2],
    ['MGET', k3, k2, k1, 'nokey'],
    ['LCS', k3, k2],
    ['LCS', k3, k2, 'IDX', 'WITHMATCHLEN'],
    ['GETSET', k2, all],
    ['GETDEL', k2],
    ['EXISTS', k2],
    ['SETNX', k2, Buffer.from('\0')],
    ['GET', k2],
    ['MSETNX', k2, 'x', Buffer.from('\xfe\xff', 'latin1'), 'y'],
    ['MSETNX', Buffer.from('\xfe\xff', 'latin1'), 'y', Buffer.from('\xfd', 'latin1'), 'z'],
    ['MGET', Buffer.from('\xfe\xff', 'latin1'), Buffer.from('\xfd', 'latin1')],
    ['SET', Buffer.from('\xffcnt', 'latin1'), '41'],
    ['INCR', Buffer.from('\xffcnt', 'latin1')],
    ['INCRBYFLOAT', Buffer.from('\xffcnt', 'latin1'), '0.5'],
    ['GETEX', k3, 'PERSIST'],
    ['GETEX', k3, 'EX', '100'],
  ];
}

/** Keys of 10 kB (stored under their hash), two of them differing only in the last byte. */
function longKeyCases(): Cmd[] {
  const big = Buffer.alloc(10 * 1024);
  for (let i = 0; i < big.length; i++) big[i] = (i * 7 + 3) & 0xff;
  const big2 = Buffer.from(big);
  big2[big2.length - 1] ^= 1;
  const big3 = Buffer.concat([big, Buffer.from('{x}')]);
  const value = Buffer.alloc(100 * 1024, 'v');
  return [
    ['SET', big, 'one'],
    ['GET', big],
    ['GET', big2],
    ['SET', big2, 'two'],
    ['MGET', big, big2, big3],
    ['APPEND', big, '+more'],
    ['STRLEN', big],
    ['GETRANGE', big, '-4', '-1'],
    ['SETRANGE', big2, '1', 'W'],
    ['GET', big2],
    ['MSET', big3, '5', big, value, 'k0', 'small'],
    ['INCR', big3],
    ['INCRBYFLOAT', big3, '1.5'],
    ['STRLEN', big],
    ['GETRANGE', big, '102395', '-1'],
    ['MSETNX', big2, 'x', 'k9', 'y'],
    ['MSETNX', Buffer.concat([big, Buffer.from('new')]), 'x', 'k8', 'y'],
    ['MGET', 'k8', Buffer.concat([big, Buffer.from('new')])],
    ['LCS', big3, 'k0'],
    ['GETEX', big, 'PX', '100000'],
    ['GETSET', big2, 'three'],
    ['GETDEL', big2],
    ['EXISTS', big, big2, big3],
    ['SETNX', big2, 'again'],
    ['GET', big2],
  ];
}


// ------------------------------------------------------------------------------------------------
// COMMAND INFO, proto-max-bulk-len
// ------------------------------------------------------------------------------------------------

/** COMMAND INFO of every string command (flags, ACL categories, key specs, tips). */
async function commandInfo(t: Test, p: Pair): Promise<void> {
  const names = [
    'get', 'set', 'setnx', 'setex', 'psetex', 'getset', 'getdel', 'getex', 'mget', 'mset', 'msetnx', 'append', 'strlen', 'incr', 'incrby',
    'incrbyfloat', 'decr', 'decrby', 'getrange', 'substr', 'setrange', 'lcs',
  ];
  await diff(t, p, [
    ...names.map((n) => ['COMMAND', 'INFO', n]),
    ...cs('COMMAND GETKEYS MSET a 1 b 2', 'COMMAND GETKEYS MSETNX a 1 b 2', 'COMMAND GETKEYS LCS a b IDX', 'COMMAND GETKEYS MGET a b c'),
    ...cs('COMMAND INFO msetnx-check lcs-get lcs-with'),
  ], { label: 'COMMAND' });
}

/** APPEND and SETRANGE stop at proto-max-bulk-len (set to 1 MB on both servers). */
async function bulkLimit(t: Test, p: Pair): Promise<void> {
  const r = await p.respdb.send('CONFIG', 'SET', 'proto-max-bulk-len', '1048576');
  t.equal(formatReply(r), '+"OK"', 'CONFIG SET proto-max-bulk-len 1mb');
  await p.redis.send('CONFIG', 'SET', 'proto-max-bulk-len', '1048576');
  const big = Buffer.alloc(1048576 - 10, 'x');
  await diff(t, p, [
    ['SET', 'bl', big],
    ['APPEND', 'bl', '0123456789'],
    ['APPEND', 'bl', 'x'],
    ['STRLEN', 'bl'],
    ['SETRANGE', 'bl', '1048575', 'x'],
    ['SETRANGE', 'bl', '1048576', 'x'],
    ['SETRANGE', 'bl2', '1048575', 'xy'],
    ['SETRANGE', 'bl2', '1048570', 'xy'],
    ['STRLEN', 'bl2'],
    ['DEL', 'bl', 'bl2'],
  ], { label: 'proto-max-bulk-len 1mb' });
  await p.redis.send('CONFIG', 'SET', 'proto-max-bulk-len', '536870912');
  await p.respdb.send('CONFIG', 'SET', 'proto-max-bulk-len', '536870912');
}

// ------------------------------------------------------------------------------------------------

for (const shards of [1, 4]) {
  t.test(`string commands vs redis-server, ${shards} shard(s)`, async (t) => {
    const p = await pair(t, { shards });
    await t.test('SET and GET', async (t) => void (await diff(t, p, setCases())));
    await t.test('SETNX SETEX PSETEX GETSET GETDEL', async (t) => void (await diff(t, p, setxCases())));
    await t.test('GETEX', async (t) => void (await diff(t, p, getexCases())));
    await t.test('APPEND STRLEN', async (t) => void (await diff(t, p, appendCases())));
    await t.test('INCR DECR INCRBY DECRBY', async (t) => void (await diff(t, p, incrCases())));
    await t.test('INCRBYFLOAT', async (t) => void (await diff(t, p, floatCases())));
    await t.test('GETRANGE SUBSTR SETRANGE', async (t) => void (await diff(t, p, rangeCases())));
    await t.test('arity errors', async (t) => void (await diff(t, p, arityCases())));
    await t.test('binary keys and values', async (t) => void (await diff(t, p, binaryCases())));
    await t.test('10 kB keys', async (t) => void (await diff(t, p, longKeyCases())));
    await t.test('pipelined (one batch)', async (t) => {
      const cmds = [...setCases(), ...setxCases(), ...getexCases(), ...appendCases(), ...incrCases(), ...rangeCases()];
      t.equal(await pipelineDiff(p, cmds), null, 'the same commands in one pipeline');
    });
    await t.test('COMMAND INFO', (t) => commandInfo(t, p));
    await t.test('proto-max-bulk-len', (t) => bulkLimit(t, p));
  });
}
