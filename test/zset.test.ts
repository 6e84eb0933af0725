// Sorted set commands against redis-server 7.0: every command and option, errors and arity,
// RESP2 and RESP3 replies, scores (inf, -0, hex, subnormals, NaN errors), lex ranges, binary
// members, 1.5 kB keys, plain sets as inputs, WRONGTYPE, expiry, OBJECT ENCODING transitions,
// COPY / RENAME / MOVE within and across shards, ZSCAN of both encodings, fast-check random
// command sequences compared reply by reply, ZRANDMEMBER by its properties, cross-shard
// atomicity, and the binlog (exact records, and a replay into a fresh redis-server gives the
// same data). Runs with 1 and 4 shards.
import t, { type Test } from 'tap';
import fc from 'fast-check';
import { formatCommand, pair, pipelineDiff, startRedis, type Pair } from './support/servers.js';
import { readBinlog, recordText, replayBinlog, startBinlogRespdb } from './support/binlog.js';
import { RawClient, formatReply, type Reply } from './support/resp-client.js';
import { shardOf } from '../lib/slot.js';

type Cmd = (string | Buffer)[];

/** "ZADD k 1 a" -> ['ZADD', 'k', '1', 'a'] (no empty or spaced arguments; use arrays for those). */
const c = (s: string): Cmd => s.split(' ');
const cs = (...lines: string[]): Cmd[] => lines.map(c);
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const X70 = 'x'.repeat(70);

function items(r: Reply): Reply[] {
  if (r.t !== 'array' || r.v === null) throw new Error(`expected an array reply, got ${formatReply(r)}`);
  return r.v;
}

function text(r: Reply): string {
  if (r.t === 'bulk' && r.v) return r.v.toString('latin1');
  if (r.t === 'double') return r.v;
  if (r.t === 'int') return String(r.v);
  return '-';
}

/**
 * A reply for comparison. ZSCAN of a skiplist returns members in hash order in Redis, so its
 * (member, score) pairs are sorted; everything else is compared as is.
 */
function norm(cmd: Cmd, r: Reply): string {
  const name = String(cmd[0]).toLowerCase();
  if (name === 'zscan' && r.t === 'array' && r.v && r.v.length === 2 && r.v[1].t === 'array' && r.v[1].v) {
    const flat = r.v[1].v;
    const pairs: string[] = [];
    for (let i = 0; i + 1 < flat.length; i += 2) pairs.push(formatReply(flat[i]) + ' ' + formatReply(flat[i + 1]));
    return `${formatReply(r.v[0])} ${pairs.sort().join(' | ')}`;
  }
  return formatReply(r);
}

const diffNorm = (p: Pick<Pair, 'redis' | 'respdb'>, cmds: Cmd[]): Promise<string | null> => pipelineDiff(p, cmds, norm);

/** `diff` with ZSCAN normalization, each command checked on its own. */
async function diffAll(t: Test, p: Pick<Pair, 'redis' | 'respdb'>, cmds: Cmd[], label: string): Promise<void> {
  let bad = 0;
  for (const cmd of cmds) {
    const want = norm(cmd, await p.redis.send(...cmd));
    const got = norm(cmd, await p.respdb.send(...cmd));
    if (want !== got) {
      bad++;
      t.equal(got, want, `${label}: ${formatCommand(cmd)}`);
    }
  }
  t.equal(bad, 0, `${label}: ${cmds.length} commands agree with redis`);
}

// ------------------------------------------------------------------------------------------------
// Static differential cases
// ------------------------------------------------------------------------------------------------

function zaddCases(): Cmd[] {
  return [
    ...cs(
      'ZADD z 1 a 2 b 3 c 4 d 5 e',
      'ZADD k 1 a 1 a',
      'OBJECT ENCODING k',
      'ZADD k2 xx 1 a',
      'EXISTS k2',
      'ZADD k2 xx incr 1 a',
      'ZADD k nx xx 1 a',
      'ZADD k gt lt 1 a',
      'ZADD k nx gt 1 a',
      'ZADD k nx lt 1 a',
      'ZADD k incr 1 a 2 b',
      'ZADD k nx xx incr 1 a 2 b',
      'ZADD k gt lt incr 1 a 2 b',
      'ZADD k 1 a 2',
      'ZADD k nx',
      'ZADD k nx 1',
      'ZADD k abc a',
      'ZADD k 1 a abc b',
      'ZADD k nan a',
      'ZADD k -nan a',
      'ZADD k NaN a',
      'ZADD k 0x10 hex',
      'ZSCORE k hex',
      'ZADD k 0x1.8p1 hexp',
      'ZSCORE k hexp',
      'ZADD k 0x a',
      'ZADD k 1e400 big',
      'ZADD k -1e400 big',
      'ZADD k 1e-400 small',
      'ZADD k 0e500 zero',
      'ZSCORE k zero',
      'ZADD k 1e-310 sub',
      'ZSCORE k sub',
      'ZADD k +5 plus',
      'ZADD k -0 mz',
      'ZSCORE k mz',
      'ZADD k .5 dot',
      'ZADD k 5. dot2',
      'ZADD k 5.e1 dot3',
      'ZADD k . dot4',
      'ZADD k 1e dot5',
      'ZADD k inf i',
      'ZADD k -INFINITY ni',
      'ZADD k +inf pi',
      'ZADD k infinit x',
      'ZADD k incr -inf pi',
      'ZSCORE k pi',
      'ZADD k incr 1 newi',
      'ZADD k ch 5 a 5 b',
      'ZADD k ch gt 4 a 6 b 1 c',
      'ZADD k ch lt 4 a 7 b 0 c',
      'ZADD k lt incr 1 a',
      'ZADD k gt incr 1 a',
      'ZADD k nx incr 1 a',
      'ZADD k xx incr 1 nope',
      'ZADD k xx gt ch 100 a 100 nope',
      'ZADD k XX LT CH -100 a -100 nope2',
      'ZADD k NX CH 0 a 0 fresh',
      'ZADD k ch 1 same 1 same',
      'ZADD k ch 1 same',
      'ZRANGE k 0 -1 withscores',
      'ZADD k incr 1e308 x',
      'ZADD k incr 1e308 x',
      'ZSCORE k x',
      'ZINCRBY k 1 x',
      'ZINCRBY k -inf x',
      'ZINCRBY k abc x',
      'ZINCRBY k 0x1p3 y',
      'ZINCRBY k 2.5 y',
      'ZINCRBY k -0 y',
      'ZINCRBY k 0.1 y',
      'ZINCRBY k 0.2 y',
      'ZSCORE k y',
      'ZINCRBY newkey 1.5 m',
      'ZINCRBY newkey2 -0 m',
      'ZSCORE newkey2 m',
      'SET s v',
      'ZADD s abc a',
      'ZADD s 1 a',
      'ZADD s xx xx 1 a',
      'ZADD s nx xx 1 a',
      'ZINCRBY s 1 a',
      'ZINCRBY s x a',
      'ZADD k foo 1 a',
      'zadd k Nx 9 a',
      'ZSCORE k a',
    ),
    ['ZADD', 'k', ' 1', 'sp'],
    ['ZADD', 'k', '1 ', 'sp'],
    ['ZADD', 'k', '', 'sp'],
    ['ZADD', 'k', '1\0', 'sp'],
    ['ZADD', 'k', Buffer.from('nx\0junk'), '1', 'a'],
    ['ZADD', 'k', '1', ''],
    ['ZSCORE', 'k', ''],
  ];
}

function rangeCases(): Cmd[] {
  return [
    ...cs(
      'ZADD z 1 a 2 b 3 c 4 d 5 e',
      'SET s v',
      'ZRANGE z 0 -1',
      'ZRANGE z 0 -1 WITHSCORES',
      'ZRANGE z 0 -1 limit 0 1',
      'ZRANGE z 0 -1 limit 0 -1',
      'ZRANGE z 0 -1 limit x 1',
      'ZRANGE z 0 -1 limit 0 x',
      'ZRANGE z x 1 limit 0 1',
      'ZRANGE z 0 -1 bylex withscores',
      'ZRANGE z - + bylex withscores limit 0 1',
      'ZRANGE z 0 -1 byscore bylex',
      'ZRANGE z 0 -1 bylex byscore',
      'ZRANGE z 0 -1 byscore byscore',
      'ZRANGE z 0 -1 rev rev',
      'ZRANGE z 0 -1 withscores withscores',
      'ZRANGE z 0 -1 limit 0',
      'ZRANGE z 0 -1 limit',
      'ZRANGE z (1 5 byscore limit 1 2',
      'ZRANGE z 5 (1 byscore rev limit 1 2',
      'ZRANGE z 5 (1 byscore limit 1 2',
      'ZRANGE z ( 5 byscore',
      'ZRANGE z a 5 byscore',
      'ZRANGE z nan 5 byscore',
      'ZRANGE z (nan 5 byscore',
      'ZRANGE z 1e400 5 byscore',
      'ZRANGE z -1e400 5 byscore withscores',
      'ZRANGE z 0x2 5 byscore',
      'ZRANGE z (1e-400 5 byscore',
      'ZRANGE z 0 5 byscore limit -1 2',
      'ZRANGE z 0 5 byscore limit 1 -1',
      'ZRANGE z 0 5 byscore limit 1 -5',
      'ZRANGE z 0 5 byscore limit 1 0',
      'ZRANGE z 0 5 byscore limit 5 1',
      'ZRANGE z 0 5 byscore limit 4 1',
      'ZRANGE z 0 5 byscore limit 9223372036854775807 1',
      'ZRANGE z 0 5 byscore limit 0 9223372036854775807',
      'ZRANGE z 3 3 byscore',
      'ZRANGE z (3 3 byscore',
      'ZRANGE z 3 (3 byscore',
      'ZRANGE z 4 3 byscore',
      'ZRANGE z -inf +inf byscore withscores rev',
      'ZRANGE z +inf -inf byscore withscores rev',
      'ZRANGE z -inf +inf byscore withscores rev limit 1 2',
      'ZRANGE z - + bylex limit -1 2',
      'ZRANGE z - + bylex limit 1 2',
      'ZRANGE z + - bylex rev limit 1 2',
      'ZRANGE z [b [d bylex',
      'ZRANGE z [d [b bylex rev',
      'ZRANGE z 1 3 rev',
      'ZRANGE z 1 3 rev withscores',
      'ZRANGE z -100 100',
      'ZRANGE z 3 1',
      'ZRANGE z -1 -2',
      'ZRANGE z 4 4',
      'ZRANGE z 5 10',
      'ZRANGE z -5 -5',
      'ZRANGE z 9223372036854775807 -9223372036854775808',
      'ZRANGE z -9223372036854775808 9223372036854775807',
      'ZRANGE z 0 9223372036854775808',
      'ZRANGEBYSCORE z 0 5 rev',
      'ZRANGEBYSCORE z 0 5 bylex',
      'ZRANGEBYSCORE z 0 5 byscore',
      'ZRANGEBYSCORE z 0 5 withscores limit 1 2',
      'ZRANGEBYSCORE z (1 (5',
      'ZRANGEBYSCORE z -inf +inf LIMIT 2 100',
      'ZRANGEBYSCORE z x 5',
      'ZREVRANGEBYSCORE z 5 0 withscores limit 1 2',
      'ZREVRANGEBYSCORE z 0 5',
      'ZREVRANGEBYSCORE z (5 (1',
      'ZREVRANGEBYSCORE z +inf -inf',
      'ZREVRANGEBYSCORE z 5 x',
      'ZREVRANGE z 0 1 limit 0 1',
      'ZREVRANGE z 0 1 rev',
      'ZREVRANGE z 0 1 byscore',
      'ZREVRANGE z 0 1 withscores',
      'ZREVRANGE z -2 -1',
      'ZREVRANGE z 0 -1',
      'ZREVRANGE z x 1',
      'ZRANGEBYLEX z - + withscores',
      'ZRANGEBYLEX z - + rev',
      'ZRANGEBYLEX z a c',
      'ZRANGEBYLEX z [a (c',
      'ZRANGEBYLEX z (a [c',
      'ZRANGEBYLEX z +a (c',
      'ZRANGEBYLEX z + -',
      'ZRANGEBYLEX z - -',
      'ZRANGEBYLEX z + +',
      'ZRANGEBYLEX z [c [c',
      'ZRANGEBYLEX z (c [c',
      'ZRANGEBYLEX z [c (c',
      'ZRANGEBYLEX z [d [b',
      'ZRANGEBYLEX z - + LIMIT 1 2',
      'ZRANGEBYLEX z - + LIMIT 1 -1',
      'ZRANGEBYLEX z - + LIMIT 10 1',
      'ZRANGEBYLEX z - + LIMIT -1 1',
      'ZREVRANGEBYLEX z + -',
      'ZREVRANGEBYLEX z [c - limit 1 5',
      'ZREVRANGEBYLEX z - +',
      'ZREVRANGEBYLEX z (e (a',
      'ZRANGE s 0 -1',
      'ZRANGE s x 1',
      'ZRANGE s 0 -1 byscore',
      'ZRANGE s a b byscore',
      'ZRANGEBYLEX s - +',
      'ZRANGE missing x 1',
      'ZRANGE missing 0 1 foo',
      'ZRANGE missing 0 1',
      'ZRANGEBYSCORE missing 0 1',
      'ZRANGEBYLEX missing - +',
      'ZRANGE s 0 1 foo',
      'ZRANGE z 0 1 foo',
      'ZRANGE z 0 1 limit 0 1 foo',
      'zrange z 0 -1 WithScores',
      'zrange z 0 -1 rEv wItHsCoReS',
    ),
    ['ZRANGE', 'z', '', '5', 'byscore'],
    ['ZRANGE', 'z', ' 1', '5', 'byscore'],
    ['ZRANGE', 'z', '1 ', '5', 'byscore'],
    ['ZRANGE', 'z', '1\0junk', '5', 'byscore'],
    ['ZRANGE', 'z', '0', '-1', Buffer.from('withscores\0x')],
    ['ZRANGEBYLEX', 'z', '', '+'],
    ['ZRANGEBYLEX', 'z', '-', Buffer.from('+\0x')],
    ['ZRANGEBYLEX', 'z', '-', '+x'],
  ];
}

function storeAndCountCases(): Cmd[] {
  return [
    ...cs(
      'ZADD z 1 a 2 b 3 c 4 d 5 e',
      'SET s v',
      'ZRANGESTORE d z 0 -1 withscores',
      'ZRANGESTORE d s 0 -1',
      'ZRANGESTORE d missing 0 -1',
      'ZRANGESTORE d z 1 3',
      'ZRANGE d 0 -1 withscores',
      'ZRANGESTORE d z (1 +inf byscore rev',
      'ZRANGESTORE d z +inf (1 byscore rev limit 0 2',
      'ZRANGE d 0 -1 withscores',
      'ZRANGESTORE d z [b + bylex',
      'ZRANGE d 0 -1 withscores',
      'ZRANGESTORE d z 0 -1 limit 0 1',
      'ZRANGESTORE d z 0 -1 foo',
      'ZRANGESTORE d z x 1',
      'ZRANGESTORE d z 5 9',
      'EXISTS d',
      'SET d v',
      'ZRANGESTORE d z 0 0',
      'TYPE d',
      'ZRANGESTORE d missing 0 -1',
      'EXISTS d',
      'ZRANGESTORE z z 1 2',
      'ZRANGE z 0 -1 withscores',
      'ZADD z 1 a 2 b 3 c 4 d 5 e',
      'ZCOUNT z -inf +inf',
      'ZCOUNT z (1 (5',
      'ZCOUNT z 5 1',
      'ZCOUNT z 3 3',
      'ZCOUNT z (3 3',
      'ZCOUNT z x 1',
      'ZCOUNT z 1 x',
      'ZCOUNT s 1 2',
      'ZCOUNT s x 2',
      'ZCOUNT missing x 1',
      'ZCOUNT missing 1 2',
      'ZLEXCOUNT z - +',
      'ZLEXCOUNT z (a [c',
      'ZLEXCOUNT z a [c',
      'ZLEXCOUNT z + -',
      'ZLEXCOUNT z [c [c',
      'ZLEXCOUNT z (c [c',
      'ZLEXCOUNT s - +',
      'ZLEXCOUNT s a +',
      'ZLEXCOUNT missing - +',
      'ZCARD z',
      'ZCARD s',
      'ZCARD missing',
      'ZRANK z c',
      'ZREVRANK z c',
      'ZRANK z a',
      'ZREVRANK z a',
      'ZRANK z e',
      'ZRANK z nope',
      'ZREVRANK z nope',
      'ZRANK missing a',
      'ZRANK s a',
      'ZREVRANK s a',
      'ZSCORE z c',
      'ZSCORE z nope',
      'ZSCORE missing a',
      'ZSCORE s a',
      'ZMSCORE z a nope e',
      'ZMSCORE missing a b',
      'ZMSCORE s a',
      'ZREM z a nope',
      'ZREM z a',
      'ZREM missing a',
      'ZREM s a',
      'ZCARD z',
      'ZREM z b c d e',
      'EXISTS z',
      'TYPE z',
      'ZADD z 1 a 2 b 3 c 4 d 5 e',
      'ZREMRANGEBYRANK z 1 2',
      'ZRANGE z 0 -1',
      'ZREMRANGEBYRANK z 5 10',
      'ZREMRANGEBYRANK z 2 1',
      'ZREMRANGEBYSCORE z (1 4',
      'ZREMRANGEBYSCORE z 10 20',
      'ZREMRANGEBYSCORE z 5 1',
      'ZREMRANGEBYLEX z - +',
      'EXISTS z',
      'ZREMRANGEBYRANK z x 1',
      'ZREMRANGEBYRANK z 0 x',
      'ZREMRANGEBYSCORE z x 1',
      'ZREMRANGEBYLEX z x 1',
      'ZREMRANGEBYRANK s 0 1',
      'ZREMRANGEBYSCORE s 0 1',
      'ZREMRANGEBYLEX s - +',
      'ZREMRANGEBYRANK missing 0 1',
      'ZREMRANGEBYSCORE s x 1',
      'ZADD z 1 a 2 b 3 c 4 d 5 e',
      'ZREMRANGEBYRANK z -2 -1',
      'ZREMRANGEBYRANK z -100 0',
      'ZREMRANGEBYLEX z [c (d',
      'ZRANGE z 0 -1 withscores',
    ),
  ];
}

function popCases(): Cmd[] {
  return cs(
    'ZADD z 1 a 2 b 3 c 4 d 5 e',
    'SET s v',
    'ZPOPMIN z 0',
    'ZPOPMIN s 0',
    'ZPOPMIN s',
    'ZPOPMAX s 1',
    'ZPOPMIN z -1',
    'ZPOPMIN z x',
    'ZPOPMIN z 1 2',
    'ZPOPMIN missing',
    'ZPOPMIN missing 2',
    'ZPOPMIN missing 0',
    'ZPOPMIN missing -1',
    'ZPOPMIN z',
    'ZPOPMAX z',
    'ZPOPMIN z 1',
    'ZPOPMAX z 10',
    'EXISTS z',
    'ZADD z 1 a 2 b 3 c 4 d 5 e',
    'ZMPOP 0 z min',
    'ZMPOP x z min',
    'ZMPOP -1 z min',
    'ZMPOP 2 z min',
    'ZMPOP 1 z foo',
    'ZMPOP 1 z min count 0',
    'ZMPOP 1 z min count -1',
    'ZMPOP 1 z min count x',
    'ZMPOP 1 z min count 1 count 1',
    'ZMPOP 1 z min foo',
    'ZMPOP 1 z min count',
    'ZMPOP 1 missing min',
    'ZMPOP 2 missing s min',
    'ZMPOP 2 s z min',
    'ZMPOP 2 missing z max count 2',
    'ZMPOP 2 missing z MIN',
    'ZMPOP 1 z mAx COUNT 1',
    'ZMPOP 3 m1 m2 z min COUNT 100',
    'EXISTS z',
    'ZMPOP 2 z z min',
    'ZMPOP 1 z MIN COUNT 9223372036854775807',
    'ZADD z 1 a 2 b 3 c 4 d 5 e',
    'ZPOPMIN z 9223372036854775807',
    'ZADD z 1 a 2 b 3 c 4 d 5 e',
    'ZRANDMEMBER z 9223372036854775807',
    'ZRANDMEMBER z 4611686018427387903 WITHSCORES',
    'ZRANGE z 0 -1 BYSCORE LIMIT 0 9223372036854775807',
    'ZINTERCARD 1 z LIMIT 9223372036854775807',
    'ZINTERCARD 1 z LIMIT 9223372036854775808',
    'ZREMRANGEBYRANK z -9223372036854775808 9223372036854775807',
  );
}

function setOpCases(): Cmd[] {
  return cs(
    'ZADD z 1 a 2 b 3 c 4 d 5 e',
    'SET s v',
    'SADD st a b x',
    'ZUNION 0 z',
    'ZUNION x z',
    'ZUNION -1 z',
    'ZUNION 2 z',
    'ZUNION 1 s foo',
    'ZUNION 2 z s',
    'ZUNION 1 z foo',
    'ZUNION 1 z weights',
    'ZUNION 1 z weights x',
    'ZUNION 1 z weights nan',
    'ZUNION 1 z weights 1 2',
    'ZUNION 1 z aggregate foo',
    'ZUNION 1 z aggregate',
    'ZUNION 1 z withscores withscores',
    'ZUNION 1 z weights 2 weights 3 withscores',
    'ZUNION 1 z aggregate min aggregate max withscores',
    'ZUNIONSTORE d 0 z',
    'ZINTERSTORE d 0 z',
    'ZDIFFSTORE d 0 z',
    'ZUNIONSTORE d x z',
    'ZUNIONSTORE d 2 z',
    'ZUNIONSTORE d 1 s',
    'ZINTER 0 z',
    'ZDIFF 0 z',
    'ZDIFF 1 z weights 1',
    'ZDIFF 1 z aggregate sum',
    'ZDIFF 1 z withscores',
    'ZDIFFSTORE d 1 z withscores',
    'ZUNIONSTORE d 1 z withscores',
    'ZINTERCARD 0 z',
    'ZINTERCARD x z',
    'ZINTERCARD 2 z',
    'ZINTERCARD 1 z limit -1',
    'ZINTERCARD 1 z limit x',
    'ZINTERCARD 1 z limit',
    'ZINTERCARD 1 z withscores',
    'ZINTERCARD 1 z weights 1',
    'ZINTERCARD 1 z limit 1 limit 2',
    'ZINTERCARD 1 z limit 0',
    'ZINTERCARD 1 z limit 3',
    'ZINTERCARD 1 s',
    'ZINTERCARD 1 missing',
    'ZINTERCARD 2 z st',
    'ZINTER 2 z st withscores',
    'ZUNION 2 z st withscores weights 2 3',
    'ZADD {t}a 1 x 2 y 3 z inf w',
    'ZADD {t}b -inf w 0.1 x 0.2 y',
    'ZADD {t}c 0.3 x 0.4 q',
    'ZUNION 3 {t}a {t}b {t}c withscores',
    'ZUNION 3 {t}c {t}b {t}a withscores',
    'ZUNION 3 {t}c {t}b {t}a withscores aggregate min',
    'ZUNION 3 {t}c {t}b {t}a withscores aggregate max weights 1 0 -1',
    'ZUNION 2 {t}a {t}b withscores weights 0 0',
    'ZUNION 2 {t}a {t}b withscores weights inf -inf',
    'ZINTER 2 {t}a {t}b withscores weights 0 1',
    'ZINTER 2 {t}a {t}b withscores weights 1 0',
    'ZINTER 2 {t}a {t}b withscores aggregate max weights inf 0',
    'ZINTER 2 {t}a {t}b withscores aggregate min weights 0 inf',
    'ZINTER 2 {t}a {t}a withscores',
    'ZINTER 3 {t}a {t}b {t}nothing withscores',
    'ZINTER 1 {t}nothing',
    'ZDIFF 2 {t}a {t}b withscores',
    'ZDIFF 3 {t}a {t}nothing {t}c withscores',
    'ZDIFF 1 {t}nothing',
    'ZDIFF 2 {t}nothing {t}a',
    'ZUNIONSTORE {t}d 3 {t}a {t}b {t}c',
    'ZRANGE {t}d 0 -1 withscores',
    'ZINTERSTORE {t}d 2 {t}a {t}b weights 2 3',
    'ZRANGE {t}d 0 -1 withscores',
    'ZDIFFSTORE {t}d 2 {t}a {t}nothing',
    'ZRANGE {t}d 0 -1 withscores',
    'ZDIFFSTORE {t}d 2 {t}a {t}a',
    'EXISTS {t}d',
    'ZUNIONSTORE {t}a 2 {t}a {t}b',
    'ZRANGE {t}a 0 -1 withscores',
    'ZINTERCARD 2 {t}a {t}b limit 2',
    'ZINTERCARD 2 {t}a {t}b limit 0',
    'ZUNION 3 a b c withscores',
    'ZADD a 1 x 2 y',
    'ZADD b 3 x 4 q',
    'SADD c x z',
    'ZUNION 3 a b c withscores',
    'ZUNION 3 a b c withscores aggregate max',
    'ZINTER 3 a b c withscores',
    'ZINTER 2 c a withscores weights 5 1',
    'ZDIFF 3 a b c withscores',
    'ZDIFF 2 c a withscores',
    'ZUNIONSTORE dd 3 a b c weights 1 2 3',
    'ZRANGE dd 0 -1 withscores',
    'ZINTERSTORE dd 2 a b aggregate max',
    'ZRANGE dd 0 -1 withscores',
    'ZDIFFSTORE dd 2 a b',
    'ZRANGE dd 0 -1 withscores',
    'ZINTERCARD 2 a b',
    'ZINTERCARD 3 a b c',
    'ZUNION 2 a s',
    'ZINTER 2 s a',
    'ZUNIONSTORE dd 2 a s',
    'ZUNIONSTORE dd 2 a st',
    'TYPE dd',
    'ZRANGE dd 0 -1 withscores',
    'ZRANGESTORE dd a 0 -1',
    'ZRANGE dd 0 -1 withscores',
    'ZRANGESTORE dd s 0 -1',
    'ZRANGESTORE dd nothing 0 -1',
    'EXISTS dd',
    'SET dd v',
    'ZUNIONSTORE dd 1 nothing',
    'EXISTS dd',
    'ZMPOP 3 nothing a b min count 5',
    'ZMPOP 3 nothing a b max count 5',
    'ZMPOP 3 nothing a b max count 5',
    'ZMPOP 3 nothing a b max count 5',
    'ZADD w 1 a 2 b 3 c',
    'ZUNION 1 w WEIGHTS -0 WITHSCORES',
    'ZUNIONSTORE d 1 w WEIGHTS -0',
    'ZRANGE d 0 -1 WITHSCORES',
    'ZINTER 2 w w WEIGHTS -0 -0 WITHSCORES',
    'ZINTER 2 w w WEIGHTS -0 1 AGGREGATE MIN WITHSCORES',
    'ZINTER 2 w w WEIGHTS 1 -0 AGGREGATE MAX WITHSCORES',
    'ZADD w2 1 a',
    'ZUNION 2 w w2 WEIGHTS 1e308 1e308 WITHSCORES',
    'ZUNION 2 w w2 WEIGHTS 1e308 -1e308 AGGREGATE SUM WITHSCORES',
    'ZADD inf inf a -inf b',
    'ZUNION 2 inf inf WITHSCORES WEIGHTS 1 -1',
    'ZINTER 2 inf inf WITHSCORES WEIGHTS 1 -1',
    'ZINTER 2 inf inf WITHSCORES WEIGHTS 0 1',
    'ZINTER 2 inf inf WITHSCORES WEIGHTS 1 0',
    'ZINTER 2 inf inf WITHSCORES WEIGHTS 1 0 AGGREGATE MIN',
    'ZINTER 2 inf inf WITHSCORES WEIGHTS 1 0 AGGREGATE MAX',
    'ZUNION 2 inf inf WITHSCORES WEIGHTS 1 0 AGGREGATE MAX',
    'ZUNION 2 inf inf WITHSCORES WEIGHTS 0 1 AGGREGATE MIN',
    'ZINCRBY inf -inf a',
    'ZINCRBY inf inf a',
    'ZSCORE inf a',
  );
}

function scanCases(): Cmd[] {
  return [
    ...cs(
      'ZADD z 1 a 2 b 3 c 4 d 5 e -0 f 1e-310 g inf h',
      'SET s v',
      'ZSCAN z 0',
      'ZSCAN z 12345',
      'ZSCAN z 0 match *[ab]*',
      'ZSCAN z 0 MATCH * COUNT 1',
      'ZSCAN z 0 count 0',
      'ZSCAN z 0 count x',
      'ZSCAN z 0 count -1',
      'ZSCAN z abc',
      'ZSCAN z -1',
      'ZSCAN z +1',
      'ZSCAN z 18446744073709551615',
      'ZSCAN z 18446744073709551616',
      'ZSCAN missing 0 foo',
      'ZSCAN missing abc',
      'ZSCAN s 0',
      'ZSCAN s abc',
      'ZSCAN z 0 foo',
      'ZSCAN z 0 count',
      'ZSCAN z 0 match',
      'ZSCAN z 0 NOVALUES',
    ),
    ['ZSCAN', 'z', ''],
    ['ZSCAN', 'z', ' 1'],
    ['ZSCAN', 'z', Buffer.from('0\0x')],
  ];
}

function randmemberErrorCases(): Cmd[] {
  return cs(
    'ZADD z 1 a 2 b 3 c 4 d 5 e',
    'SET s v',
    'ZRANDMEMBER z x',
    'ZRANDMEMBER z 1 foo',
    'ZRANDMEMBER z 1 withscores x',
    'ZRANDMEMBER z -9223372036854775808',
    'ZRANDMEMBER z 9223372036854775807 withscores',
    'ZRANDMEMBER z -4611686018427387904 withscores',
    'ZRANDMEMBER z 4611686018427387904 withscores',
    'ZRANDMEMBER s',
    'ZRANDMEMBER s 0',
    'ZRANDMEMBER s x',
    'ZRANDMEMBER missing',
    'ZRANDMEMBER missing 0',
    'ZRANDMEMBER missing -3',
    'ZRANDMEMBER missing 5 withscores',
    'ZRANDMEMBER z 0',
    'ZRANDMEMBER z 0 withscores',
    'ZRANDMEMBER z 10 withscores',
    'ZRANDMEMBER z 5',
    'ZRANDMEMBER z 5 WITHSCORES',
  );
}

/** -0 in listpacks and skiplists, the encodings' conversions, and how *STORE and COPY keep them. */
function encodingCases(): Cmd[] {
  const out: Cmd[] = [
    ['ZADD', 'b', '-0.0', 'm', '1', X70],
    ['OBJECT', 'ENCODING', 'b'],
    ['ZSCORE', 'b', 'm'],
    ...cs(
      'ZADD b -0 n',
      'ZRANGE b 0 -1 WITHSCORES',
      'ZRANGEBYSCORE b -0 0 WITHSCORES',
      'ZREVRANGEBYSCORE b 0 -0 WITHSCORES',
      'ZMSCORE b n m',
      'ZINCRBY b -0 n',
      'ZINCRBY b 0 n',
      'ZSCORE b n',
      'ZSCAN b 0',
      'ZUNION 1 b WITHSCORES',
      'ZADD c -0 m',
      'ZADD c 1 m2',
      'ZUNIONSTORE d 2 b c',
      'OBJECT ENCODING d',
      'ZRANGE d 0 -1 WITHSCORES',
      'ZINTERSTORE e 1 b',
      'OBJECT ENCODING e',
      'ZRANGE e 0 -1 WITHSCORES',
      'ZADD n2 -0 n',
      'ZADD n2 -1 q',
      'ZINCRBY n2 1 q',
      'ZRANGE n2 0 -1 WITHSCORES',
      'ZADD k4 INCR -0 m',
      'ZSCORE k4 m',
      'ZADD k6 INCR -0 m',
    ),
    ['ZADD', 'k2', '-0', X70],
    ['ZSCORE', 'k2', X70],
    ['ZADD', 'k3', '-0', 'a', '-0', X70],
    ['ZRANGE', 'k3', '0', '-1', 'WITHSCORES'],
    ['OBJECT', 'ENCODING', 'k3'],
    ['ZINCRBY', 'k3', '-0', X70],
    ['ZADD', 'k5', 'XX', '1', X70],
    ['EXISTS', 'k5'],
    ['ZADD', 'k7', '1', X70.slice(0, 64)],
    ['OBJECT', 'ENCODING', 'k7'],
    ['ZADD', 'k7', '1', X70.slice(0, 65)],
    ['OBJECT', 'ENCODING', 'k7'],
    ['ZREM', 'k7', X70.slice(0, 65)],
    ['OBJECT', 'ENCODING', 'k7'],
    ['ZRANGESTORE', 'k8', 'k7', '0', '-1'],
    ['OBJECT', 'ENCODING', 'k8'],
    ['COPY', 'k7', 'k9'],
    ['OBJECT', 'ENCODING', 'k9'],
    ['OBJECT', 'REFCOUNT', 'k9'],
    ['OBJECT', 'ENCODING', 'nokey'],
  ];
  const entries = (n: number, f: (i: number) => string) => Array.from({ length: n }, (_, i) => [f(i), `m${String(i).padStart(3, '0')}`]).flat();
  out.push(['ZADD', 'big', ...entries(128, String)]);
  out.push(c('OBJECT ENCODING big'));
  out.push(['ZADD', 'big', '-0', 'm128']);
  out.push(c('OBJECT ENCODING big'));
  out.push(c('ZSCORE big m128'));
  out.push(...cs('ZREMRANGEBYRANK big 0 -3', 'OBJECT ENCODING big', 'ZCARD big', 'COPY big big2', 'OBJECT ENCODING big2'));
  out.push(...cs('ZRANGESTORE rs big 0 -1', 'OBJECT ENCODING rs', 'ZUNIONSTORE us 1 big', 'OBJECT ENCODING us', 'ZRANGE us 0 -1 WITHSCORES'));
  out.push(['ZADD', 'dup', ...Array.from({ length: 130 }, () => ['1', 'a']).flat()]);
  out.push(c('OBJECT ENCODING dup'));
  out.push(['ZADD', 'big3', ...Array.from({ length: 200 }, (_, i) => [i % 5 ? String((i % 7) - 3) : '-0', `m${String(i).padStart(3, '0')}`]).flat()]);
  out.push(
    ...cs(
      'OBJECT ENCODING big3',
      'ZRANGE big3 0 -1 WITHSCORES',
      'ZRANGESTORE rs3 big3 0 -1',
      'OBJECT ENCODING rs3',
      'ZRANGE rs3 0 -1 WITHSCORES',
      'ZRANGESTORE rs4 big3 -inf +inf BYSCORE',
      'OBJECT ENCODING rs4',
      'ZRANGE rs4 0 -1 WITHSCORES',
      'ZRANGESTORE rs5 big3 0 100',
      'OBJECT ENCODING rs5',
      'ZRANGE rs5 0 -1 WITHSCORES',
      'ZRANGESTORE rs6 big3 (0 +inf BYSCORE',
      'OBJECT ENCODING rs6',
      'ZRANGESTORE rs7 big3 [m000 [m050 BYLEX',
      'OBJECT ENCODING rs7',
      'ZUNIONSTORE u3 2 big3 rs6',
      'OBJECT ENCODING u3',
      'ZRANGE u3 0 -1 WITHSCORES',
      'ZINTERSTORE i3 2 big3 rs6',
      'OBJECT ENCODING i3',
      'ZRANGE i3 0 -1 WITHSCORES',
      'ZDIFFSTORE df3 2 big3 rs6',
      'OBJECT ENCODING df3',
      'ZRANGE df3 0 -1 WITHSCORES',
      'ZRANK big3 m100',
      'ZREVRANK big3 m100',
      'ZRANK big3 m000',
      'ZRANGE big3 10 20 REV WITHSCORES',
      'ZRANGE big3 (-1 1 BYSCORE LIMIT 3 5 WITHSCORES',
      'ZRANGE big3 1 (-1 BYSCORE REV LIMIT 3 5 WITHSCORES',
      'ZCOUNT big3 -0 0',
      'ZCOUNT big3 (-1 (1',
      'ZPOPMIN big3 3',
      'ZPOPMAX big3 3',
      'ZMPOP 1 big3 MIN COUNT 2',
      'ZRANGE big3 0 -1 WITHSCORES',
      'ZREMRANGEBYSCORE big3 -1 1',
      'ZRANGE big3 0 -1 WITHSCORES',
      'OBJECT ENCODING big3',
    ),
  );
  return out;
}

function lexCases(): Cmd[] {
  return [
    ...cs(
      'ZADD lex 0 a 0 b 0 c 0 d 0 e',
      'ZRANGEBYLEX lex - +',
      'ZRANGEBYLEX lex [b [d',
      'ZRANGEBYLEX lex (a (e',
      'ZREVRANGEBYLEX lex (e (a',
      'ZREVRANGEBYLEX lex + [c LIMIT 1 1',
      'ZRANGEBYLEX lex [b + LIMIT 1 2',
      'ZRANGEBYLEX lex [bb [dd',
      'ZRANGEBYLEX lex (aa +',
      'ZLEXCOUNT lex [b +',
      'ZLEXCOUNT lex (b (c',
      'ZREMRANGEBYLEX lex [b (d',
      'ZRANGE lex 0 -1',
      'ZADD mixed 1 b 2 a 3 d 4 c',
      'ZRANGEBYLEX mixed - +',
      'ZRANGEBYLEX mixed [a [c',
      'ZRANGEBYLEX mixed [b [c',
      'ZRANGEBYLEX mixed [b [z LIMIT 2 5',
      'ZRANGEBYLEX mixed [a [b LIMIT 2 5',
      'ZRANGEBYLEX mixed [a [b LIMIT 1 5',
      'ZRANGEBYLEX mixed (b +',
      'ZRANGEBYLEX mixed [c +',
      'ZRANGEBYLEX mixed - (b',
      'ZREVRANGEBYLEX mixed [c [a',
      'ZREVRANGEBYLEX mixed [d [a',
      'ZREVRANGEBYLEX mixed [z [b LIMIT 1 5',
      'ZREVRANGEBYLEX mixed [b - LIMIT 1 5',
      'ZLEXCOUNT mixed [a [c',
      'ZLEXCOUNT mixed [b [d',
      'ZLEXCOUNT mixed - +',
      'ZRANGESTORE mst mixed [a [c BYLEX',
      'ZRANGE mst 0 -1 WITHSCORES',
      'ZREMRANGEBYLEX mixed [b [c',
      'ZRANGE mixed 0 -1',
      'ZREMRANGEBYLEX mixed - +',
      'EXISTS mixed',
    ),
    // equal scores but a skiplist: the lex walk is a seek
    ['ZADD', 'lexbig', ...Array.from({ length: 150 }, (_, i) => ['7', `w${String(i).padStart(3, '0')}`]).flat()],
    ...cs(
      'OBJECT ENCODING lexbig',
      'ZRANGEBYLEX lexbig [w010 (w020',
      'ZREVRANGEBYLEX lexbig (w020 [w010 LIMIT 2 3',
      'ZRANGEBYLEX lexbig - + LIMIT 140 20',
      'ZREVRANGEBYLEX lexbig + - LIMIT 145 20',
      'ZLEXCOUNT lexbig (w010 +',
      'ZLEXCOUNT lexbig - (w100',
      'ZRANGE lexbig [w148 + BYLEX',
      'ZRANGE lexbig + [w148 BYLEX REV',
      'ZREMRANGEBYLEX lexbig [w100 +',
      'ZCARD lexbig',
      'ZRANGEBYLEX lexbig (w099 +',
      'ZRANGEBYLEX lexbig [x +',
      'ZRANGEBYLEX lexbig - [a',
    ),
    ['ZADD', 'lexbin', '0', '\0', '0', 'a', '0', '\xff', '0', '', '0', 'a\0'],
    ['ZRANGEBYLEX', 'lexbin', '[\0', '+'],
    ['ZRANGEBYLEX', 'lexbin', '(', '+'],
    ['ZRANGEBYLEX', 'lexbin', '[', '(a'],
    ['ZRANGEBYLEX', 'lexbin', '-', Buffer.from('(\xff', 'latin1')],
    ['ZRANGEBYLEX', 'lexbin', Buffer.from('[\xff', 'latin1'), '+'],
    ['ZRANGEBYLEX', 'lexbin', '(a', '+'],
    ['ZRANGEBYLEX', 'lexbin', Buffer.from('+\0x'), '-'],
    ['ZRANGEBYLEX', 'lexbin', Buffer.from('-\0x'), '+'],
    ['ZRANGEBYLEX', 'lexbin', '-', '[' + 'z'.repeat(3000)],
    ['ZRANGEBYLEX', 'lexbin', '(' + 'a'.repeat(3000), '+'],
    ['ZLEXCOUNT', 'lexbin', '[a', '[' + 'a'.repeat(3000)],
  ];
}

function binaryCases(): Cmd[] {
  const bm = ['\0', 'a\r\nb', Buffer.from([0xff, 0xfe]), '', '\0\0x', 'é'];
  return [
    ['ZADD', 'bin', ...bm.flatMap((m, i) => [String(i), m])],
    ...cs('ZRANGE bin 0 -1 WITHSCORES', 'ZRANGEBYLEX bin - +', 'ZCARD bin'),
    ['ZSCORE', 'bin', 'a\r\nb'],
    ['ZRANK', 'bin', Buffer.from([0xff, 0xfe])],
    ['ZMSCORE', 'bin', '', '\0', '\0\0'],
    ['ZREM', 'bin', '\0'],
    ['ZSCAN', 'bin', '0', 'MATCH', '*\r\n*'],
    ['ZSCAN', 'bin', '0', 'MATCH', '*'],
    ['ZINCRBY', 'bin', '1', '\0\0x'],
    ['ZRANGE', 'bin', '0', '-1', 'WITHSCORES'],
    ['ZADD', 'bin\0key\r\n', '1', 'x'],
    ['ZUNION', '2', 'bin', 'bin\0key\r\n', 'WITHSCORES'],
    ['ZUNIONSTORE', Buffer.from([0xff]), '2', 'bin', 'bin\0key\r\n'],
    ['ZRANGE', Buffer.from([0xff]), '0', '-1', 'WITHSCORES'],
    ['ZADD', 'binbig', '1', 'y'.repeat(1000), '2', 'z'.repeat(1900)],
    ['ZRANGE', 'binbig', '0', '-1', 'WITHSCORES'],
    ['ZSCORE', 'binbig', 'z'.repeat(1900)],
    ['ZSCORE', 'binbig', 'z'.repeat(5000)],
    ['ZRANK', 'binbig', 'z'.repeat(5000)],
    ['ZREM', 'binbig', 'z'.repeat(5000)],
    ['ZMSCORE', 'binbig', 'z'.repeat(5000), 'y'.repeat(1000)],
  ];
}

/** 1.5 kB keys (stored under their hash) with the commands that take several keys. */
function longKeyCases(): Cmd[] {
  const lk = 'K'.repeat(1500);
  return [
    ['ZADD', lk, '1', 'a', '2', 'b'],
    ['ZRANGE', lk, '0', '-1', 'WITHSCORES'],
    ['RENAME', lk, lk + '2'],
    ['ZRANGE', lk + '2', '0', '-1', 'WITHSCORES'],
    ['ZADD', 'short', '3', 'c'],
    ['ZUNIONSTORE', lk, '2', lk + '2', 'short'],
    ['ZRANGE', lk, '0', '-1', 'WITHSCORES'],
    ['ZRANGESTORE', lk + '3', lk, '1', '-1'],
    ['ZRANGE', lk + '3', '0', '-1', 'WITHSCORES'],
    ['COPY', lk, 'short2'],
    ['ZSCORE', 'short2', 'a'],
    ['ZMPOP', '2', lk + '4', lk, 'MAX'],
    ['ZINTERCARD', '2', lk, lk + '3'],
    ['ZSCAN', lk, '0'],
    ['OBJECT', 'ENCODING', lk],
    ['DEL', lk, lk + '2', lk + '3'],
  ];
}

/** WRONGTYPE against strings, hashes, lists (sets are valid inputs of the set operations). */
function wrongTypeCases(): Cmd[] {
  const out: Cmd[] = cs('SET str v', 'HSET h f v', 'RPUSH l x', 'SADD st 1 2', 'ZADD z 1 a');
  for (const k of ['str', 'h', 'l', 'st']) {
    out.push(
      ...[
        ['ZADD', k, '1', 'a'], ['ZINCRBY', k, '1', 'a'], ['ZREM', k, 'a'], ['ZCARD', k], ['ZSCORE', k, 'a'], ['ZMSCORE', k, 'a'],
        ['ZRANK', k, 'a'], ['ZREVRANK', k, 'a'], ['ZCOUNT', k, '0', '1'], ['ZLEXCOUNT', k, '-', '+'], ['ZRANGE', k, '0', '-1'],
        ['ZRANGEBYSCORE', k, '0', '1'], ['ZRANGEBYLEX', k, '-', '+'], ['ZREVRANGE', k, '0', '1'], ['ZRANGESTORE', 'dst', k, '0', '1'],
        ['ZREMRANGEBYRANK', k, '0', '1'], ['ZREMRANGEBYSCORE', k, '0', '1'], ['ZREMRANGEBYLEX', k, '-', '+'], ['ZPOPMIN', k],
        ['ZPOPMAX', k, '2'], ['ZMPOP', '1', k, 'MIN'], ['ZRANDMEMBER', k], ['ZRANDMEMBER', k, '2'], ['ZSCAN', k, '0'],
        ['ZUNION', '2', 'z', k], ['ZINTER', '2', k, 'z'], ['ZDIFF', '2', 'z', k], ['ZUNIONSTORE', 'dst', '2', 'z', k],
        ['ZINTERCARD', '2', k, 'z'], ['ZUNION', '1', k, 'bogus'], ['TYPE', k],
      ],
    );
  }
  out.push(...cs('ZUNIONSTORE st 2 st z', 'TYPE st', 'ZRANGE st 0 -1 WITHSCORES', 'ZUNIONSTORE str 1 z', 'TYPE str', 'ZRANGESTORE h z 0 -1', 'TYPE h'));
  return out;
}

const ZSET_COMMANDS = [
  'zadd', 'zincrby', 'zrem', 'zcard', 'zcount', 'zlexcount', 'zscore', 'zmscore', 'zrank', 'zrevrank', 'zrange', 'zrangebyscore',
  'zrevrangebyscore', 'zrangebylex', 'zrevrangebylex', 'zrevrange', 'zrangestore', 'zremrangebyrank', 'zremrangebyscore',
  'zremrangebylex', 'zpopmin', 'zpopmax', 'zmpop', 'zrandmember', 'zunion', 'zinter', 'zdiff', 'zunionstore', 'zinterstore',
  'zdiffstore', 'zintercard', 'zscan',
];

function arityCases(): Cmd[] {
  const out: Cmd[] = [];
  for (const n of ZSET_COMMANDS) {
    out.push([n]);
    out.push([n, 'k']);
    out.push([n, 'k', '1']);
  }
  out.push(...cs('ZSCORE k a b', 'ZRANK k a b', 'ZCOUNT k 1 2 3', 'ZINCRBY k 1 a b', 'ZREMRANGEBYRANK k 0 1 2', 'ZCARD k k', 'ZLEXCOUNT k - + x'));
  return out;
}

function commandInfoCases(): Cmd[] {
  return [
    ...ZSET_COMMANDS.map((n) => ['COMMAND', 'INFO', n]),
    ...cs(
      'COMMAND GETKEYS ZADD k 1 a',
      'COMMAND GETKEYS ZRANGESTORE a b 0 1',
      'COMMAND GETKEYS ZUNION 2 a b WITHSCORES',
      'COMMAND GETKEYS ZUNION 2abc a b',
      'COMMAND GETKEYS ZUNION 0 a',
      'COMMAND GETKEYS ZUNION 3 a b',
      'COMMAND GETKEYS ZINTER 1 a WEIGHTS 1',
      'COMMAND GETKEYS ZDIFF 2 a b',
      'COMMAND GETKEYS ZINTERCARD 2 a b LIMIT 1',
      'COMMAND GETKEYS ZUNIONSTORE d 2 a b',
      'COMMAND GETKEYS ZUNIONSTORE d 0 a',
      'COMMAND GETKEYS ZUNIONSTORE d 2 a',
      'COMMAND GETKEYS ZUNIONSTORE d x a',
      'COMMAND GETKEYS ZINTERSTORE d 1 a',
      'COMMAND GETKEYS ZDIFFSTORE d 1 a',
      'COMMAND GETKEYS ZMPOP 1 z MIN',
      'COMMAND GETKEYS ZMPOP 2 z MIN',
      'COMMAND GETKEYS ZMPOP 3 z MIN',
      'COMMAND GETKEYS ZMPOP 0 z MIN',
      'COMMAND GETKEYS ZMPOP x z MIN',
      'COMMAND INFO zset-store zset-all zmpop-key',
    ),
  ];
}

// ------------------------------------------------------------------------------------------------
// Random command sequences
// ------------------------------------------------------------------------------------------------

const RKEYS = ['z0', 'z1', 'z2', 'z3', '{t}a', '{t}b'];
const keyArb = fc.constantFrom(...RKEYS);
const memberArb = fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f', '', 'a\0', 'B');
const longMemberArb = fc.oneof(memberArb, fc.constantFrom('L'.repeat(65), 'M'.repeat(80)));
const scoreArb = fc.oneof(
  fc.constantFrom('0', '1', '2', '-1', '2.5', '-0', 'inf', '-inf', '+inf', '1e308', '-1e308', '0.1', '0.2', '0.3', '1e-310', '0x10', '3'),
  fc.integer({ min: -5, max: 5 }).map(String),
);
const badScoreArb = fc.oneof(scoreArb, fc.constantFrom('nan', 'abc', '', '1e400', ' 1', '(1'));
const boundArb = fc.oneof(
  { weight: 4, arbitrary: scoreArb },
  { weight: 3, arbitrary: scoreArb.map((s) => '(' + s) },
  { weight: 1, arbitrary: fc.constantFrom('-inf', '+inf', '(-inf', '(inf', 'x', '', '(') },
);
const lexArb = fc.oneof(
  fc.constantFrom('-', '+', '[', '(', '[a', '(a', '[b', '(c', '[d', '(e', '[f', '[B', '(a\0', '[\0', 'x', ''),
  fc.constantFrom('-', '+'),
  memberArb.map((m) => '[' + m),
  memberArb.map((m) => '(' + m),
);
/** A bound's numeric value, for ordering the ends of most generated ranges. */
function boundValue(b: string): number {
  const v = b.replace(/^\(/, '');
  if (/^\+?inf$/i.test(v)) return Infinity;
  if (/^-inf$/i.test(v)) return -Infinity;
  const n = Number(v);
  return Number.isNaN(n) ? 0 : n;
}

function lexValue(b: string): string {
  return b === '-' ? '' : b === '+' ? '\uffff' : b.slice(1);
}

/** [min, max]: usually in order (so the range is not empty), sometimes as drawn. */
const scorePairArb = fc
  .tuple(boundArb, boundArb, fc.nat(3))
  .map(([a, b, k]) => (k === 0 || boundValue(a) <= boundValue(b) ? [a, b] : [b, a]));
const lexPairArb = fc
  .tuple(lexArb, lexArb, fc.nat(3))
  .map(([a, b, k]) => (k === 0 || lexValue(a) <= lexValue(b) ? [a, b] : [b, a]));

const idxArb = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: -7, max: 7 }).map(String) },
  { weight: 1, arbitrary: fc.constantFrom('x', '9223372036854775807', '-9223372036854775808') },
);
const limitArb = fc.oneof(
  fc.constant([] as string[]),
  fc.tuple(fc.integer({ min: -1, max: 4 }), fc.integer({ min: -1, max: 4 })).map(([o, n]) => ['LIMIT', String(o), String(n)]),
);
const zaddOptArb = fc.subarray(['NX', 'XX', 'GT', 'LT', 'CH', 'INCR'], { maxLength: 3 });
const weightArb = fc.constantFrom('1', '2', '0', '-1', '0.5', 'inf', '-inf', 'x');
const aggArb = fc.constantFrom([] as string[], ['AGGREGATE', 'SUM'], ['AGGREGATE', 'MIN'], ['AGGREGATE', 'MAX'], ['AGGREGATE', 'foo']);

function zrangeOpts(kind: 'rank' | 'score' | 'lex'): fc.Arbitrary<string[]> {
  const by = kind === 'rank' ? [] : kind === 'score' ? ['BYSCORE'] : ['BYLEX'];
  return fc
    .tuple(fc.boolean(), fc.boolean(), limitArb)
    .map(([rev, ws, lim]) => [...by, ...(rev ? ['REV'] : []), ...(ws ? ['WITHSCORES'] : []), ...lim]);
}

function setOpArb(name: string, store: boolean): fc.Arbitrary<Cmd> {
  return fc
    .tuple(fc.array(keyArb, { minLength: 1, maxLength: 3 }), fc.boolean(), aggArb, fc.boolean(), keyArb, fc.array(weightArb, { minLength: 3, maxLength: 3 }))
    .map(([ks, weights, agg, ws, dst, w]) => {
      const diffOp = name.startsWith('ZDIFF');
      const opts = [...(weights && !diffOp ? ['WEIGHTS', ...w.slice(0, ks.length)] : []), ...(diffOp ? [] : agg), ...(ws && !store ? ['WITHSCORES'] : [])];
      return store ? [name, dst, String(ks.length), ...ks, ...opts] : [name, String(ks.length), ...ks, ...opts];
    });
}

/** Random zset commands; `members` decides whether skiplists (long members) appear. `lex`: lex commands too. */
function cmdArb(members: fc.Arbitrary<string>, lex: boolean, scores: fc.Arbitrary<string>, lexOnly = false): fc.Arbitrary<Cmd> {
  const w = (weight: number, arbitrary: fc.Arbitrary<Cmd>) => ({ weight, arbitrary });
  const arbs = lexOnly ? [
    w(6, fc.tuple(keyArb, fc.array(fc.tuple(scores, members), { minLength: 1, maxLength: 5 })).map(([k, p]) => ['ZADD', k, ...p.flat()])),
    w(1, fc.tuple(keyArb, fc.array(members, { minLength: 1, maxLength: 3 })).map(([k, m]) => ['ZREM', k, ...m])),
  ] : [
    w(6, fc.tuple(keyArb, fc.array(fc.tuple(scores, members), { minLength: 1, maxLength: 5 })).map(([k, p]) => ['ZADD', k, ...p.flat()])),
    w(3, fc.tuple(keyArb, zaddOptArb, fc.array(fc.tuple(scores, members), { minLength: 1, maxLength: 4 })).map(([k, o, p]) => ['ZADD', k, ...o, ...p.flat()])),
    w(2, fc.tuple(keyArb, zaddOptArb, badScoreArb, members).map(([k, o, s, m]) => ['ZADD', k, ...o, s, m])),
    w(2, fc.tuple(keyArb, badScoreArb, members).map(([k, s, m]) => ['ZINCRBY', k, s, m])),
    w(2, fc.tuple(keyArb, fc.array(members, { minLength: 1, maxLength: 3 })).map(([k, m]) => ['ZREM', k, ...m])),
    w(1, keyArb.map((k) => ['ZCARD', k])),
    w(1, fc.tuple(keyArb, members).map(([k, m]) => ['ZSCORE', k, m])),
    w(1, fc.tuple(keyArb, fc.array(members, { minLength: 1, maxLength: 3 })).map(([k, m]) => ['ZMSCORE', k, ...m])),
    w(2, fc.tuple(fc.constantFrom('ZRANK', 'ZREVRANK'), keyArb, members).map(([n, k, m]) => [n, k, m])),
    w(2, fc.tuple(keyArb, scorePairArb).map(([k, [a, b]]) => ['ZCOUNT', k, a, b])),
    w(3, fc.tuple(keyArb, idxArb, idxArb, fc.boolean(), fc.boolean()).map(([k, a, b, rev, ws]) => ['ZRANGE', k, a, b, ...(rev ? ['REV'] : []), ...(ws ? ['WITHSCORES'] : [])])),
    w(1, fc.tuple(keyArb, idxArb, idxArb, zrangeOpts('rank')).map(([k, a, b, o]) => ['ZRANGE', k, a, b, ...o])),
    w(3, fc.tuple(keyArb, scorePairArb, zrangeOpts('score')).map(([k, [a, b], o]) => (o.includes('REV') ? ['ZRANGE', k, b, a, ...o] : ['ZRANGE', k, a, b, ...o]))),
    w(2, fc.tuple(fc.constantFrom('ZRANGEBYSCORE', 'ZREVRANGEBYSCORE'), keyArb, scorePairArb, fc.boolean(), limitArb).map(([n, k, [a, b], ws, l]) => [
      n, k, ...(n === 'ZRANGEBYSCORE' ? [a, b] : [b, a]), ...(ws ? ['WITHSCORES'] : []), ...l,
    ])),
    w(1, fc.tuple(keyArb, idxArb, idxArb, fc.boolean()).map(([k, a, b, ws]) => ['ZREVRANGE', k, a, b, ...(ws ? ['WITHSCORES'] : [])])),
    w(1, fc.tuple(keyArb, keyArb, idxArb, idxArb, fc.constantFrom([] as string[], ['REV'])).map(([d, k, a, b, o]) => ['ZRANGESTORE', d, k, a, b, ...o])),
    w(1, fc.tuple(keyArb, keyArb, scorePairArb, fc.constantFrom([] as string[], ['REV'])).map(([d, k, [a, b], o]) => [
      'ZRANGESTORE', d, k, ...(o.length ? [b, a] : [a, b]), 'BYSCORE', ...o,
    ])),
    w(1, fc.tuple(keyArb, idxArb, idxArb).map(([k, a, b]) => ['ZREMRANGEBYRANK', k, a, b])),
    w(1, fc.tuple(keyArb, scorePairArb).map(([k, [a, b]]) => ['ZREMRANGEBYSCORE', k, a, b])),
    w(2, fc.tuple(fc.constantFrom('ZPOPMIN', 'ZPOPMAX'), keyArb, fc.constantFrom([] as string[], ['0'], ['1'], ['2'], ['10'], ['-1'])).map(([n, k, o]) => [n, k, ...o])),
    w(2, fc.tuple(fc.array(keyArb, { minLength: 1, maxLength: 3 }), fc.constantFrom('MIN', 'MAX'), fc.constantFrom([] as string[], ['COUNT', '1'], ['COUNT', '3'], ['COUNT', '0'])).map(
      ([ks, w, o]) => ['ZMPOP', String(ks.length), ...ks, w, ...o],
    )),
    w(2, setOpArb('ZUNION', false)),
    w(2, setOpArb('ZINTER', false)),
    w(2, setOpArb('ZDIFF', false)),
    w(1, setOpArb('ZUNIONSTORE', true)),
    w(1, setOpArb('ZINTERSTORE', true)),
    w(1, setOpArb('ZDIFFSTORE', true)),
    w(1, fc.tuple(fc.array(keyArb, { minLength: 1, maxLength: 3 }), fc.constantFrom([] as string[], ['LIMIT', '0'], ['LIMIT', '1'], ['LIMIT', '2'])).map(([ks, o]) => [
      'ZINTERCARD', String(ks.length), ...ks, ...o,
    ])),
    // COUNT 100: a whole small skiplist in one call on both (Redis's COUNT is a hint over hash buckets)
    w(2, fc.tuple(keyArb, fc.constantFrom([] as string[], ['MATCH', '*a*'], ['MATCH', '[a-c]'])).map(([k, o]) => ['ZSCAN', k, '0', ...o, 'COUNT', '100'])),
    w(1, fc.tuple(keyArb, fc.constantFrom('0', '-0', 'x')).map(([k, cnt]) => ['ZRANDMEMBER', k, cnt])),
    w(1, keyArb.map((k) => ['OBJECT', 'ENCODING', k])),
    w(1, fc.array(keyArb, { minLength: 1, maxLength: 2 }).map((ks) => ['DEL', ...ks])),
    w(1, fc.tuple(keyArb, fc.array(members, { minLength: 1, maxLength: 3 })).map(([k, m]) => ['SADD', k, ...m])),
    w(1, fc.tuple(fc.constantFrom('RENAME', 'COPY'), keyArb, keyArb).map(([n, a, b]) => (n === 'COPY' ? [n, a, b, 'REPLACE'] : [n, a, b]))),
    w(1, fc.tuple(keyArb, members).map(([k, m]) => ['SET', k, m])),
  ];
  if (lex) {
    arbs.push(
      w(2, fc.tuple(keyArb, lexPairArb).map(([k, [a, b]]) => ['ZLEXCOUNT', k, a, b])),
      w(2, fc.tuple(keyArb, lexPairArb, fc.boolean(), limitArb).map(([k, [a, b], rev, l]) => ['ZRANGE', k, ...(rev ? [b, a, 'BYLEX', 'REV'] : [a, b, 'BYLEX']), ...l])),
      w(3, fc.tuple(fc.constantFrom('ZRANGEBYLEX', 'ZREVRANGEBYLEX'), keyArb, lexPairArb, limitArb).map(([n, k, [a, b], l]) => [
        n, k, ...(n === 'ZRANGEBYLEX' ? [a, b] : [b, a]), ...l,
      ])),
      w(1, fc.tuple(keyArb, lexPairArb).map(([k, [a, b]]) => ['ZREMRANGEBYLEX', k, a, b])),
      w(1, fc.tuple(keyArb, keyArb, lexPairArb, limitArb).map(([d, k, [a, b], l]) => ['ZRANGESTORE', d, k, a, b, 'BYLEX', ...l])),
    );
  }
  return fc.oneof(...arbs);
}

const finalState: Cmd[] = RKEYS.flatMap((k) => [['TYPE', k], ['ZRANGE', k, '0', '-1', 'WITHSCORES'], ['OBJECT', 'ENCODING', k]]);

async function runProperty(t: Test, p: Pick<Pair, 'redis' | 'respdb'>, name: string, arb: fc.Arbitrary<Cmd>, numRuns: number): Promise<void> {
  let failure: string | null = null;
  try {
    await fc.assert(
      fc.asyncProperty(fc.array(arb, { minLength: 1, maxLength: 80 }), async (cmds) => {
        const seq: Cmd[] = [['DEL', ...RKEYS], ...cmds, ...finalState];
        const d = await diffNorm(p, seq);
        if (d) throw new Error(d);
      }),
      { numRuns },
    );
  } catch (e) {
    failure = (e as Error).message;
  }
  t.equal(failure, null, `${name} (${numRuns} runs) agree with redis`);
}

async function randomSequences(t: Test, p: Pick<Pair, 'redis' | 'respdb'>, runs: number): Promise<void> {
  // Short members (listpacks), every command, lex ranges over mixed scores included.
  await runProperty(t, p, 'random sequences over listpacks', cmdArb(memberArb, true, scoreArb), runs);
  // Long members too (skiplists); lex ranges over mixed scores are undefined for skiplists in Redis.
  await runProperty(t, p, 'random sequences with skiplists', cmdArb(longMemberArb, false, scoreArb), Math.ceil(runs / 2));
  // Lex commands over listpacks with mixed scores (Redis's listpack walk).
  await runProperty(t, p, 'random lex sequences over listpacks', cmdArb(memberArb, true, scoreArb, true), Math.ceil(runs / 2));
  // Lex commands over skiplists whose scores are all equal.
  await runProperty(t, p, 'random lex sequences with equal scores', cmdArb(longMemberArb, true, fc.constant('0')), Math.ceil(runs / 2));
}

// ------------------------------------------------------------------------------------------------
// ZRANDMEMBER by its properties
// ------------------------------------------------------------------------------------------------

async function randmemberProps(t: Test, cl: RawClient, proto: 2 | 3): Promise<void> {
  const small = Array.from({ length: 10 }, (_, i) => [String(i), `m${i}`]).flat();
  const big = Array.from({ length: 3000 }, (_, i) => [String(i / 2), `b${i}`]).flat();
  await cl.send('DEL', 'rm', 'rmb');
  await cl.send('ZADD', 'rm', ...small);
  await cl.send('ZADD', 'rmb', ...big);
  const scoreOf = (key: string, m: string): string => {
    const i = Number(m.slice(1));
    return key === 'rm' ? String(i) : String(i / 2);
  };
  const check = async (key: string, size: number, count: number, ws: boolean): Promise<string | null> => {
    const r = await cl.send('ZRANDMEMBER', key, String(count), ...(ws ? ['WITHSCORES'] : []));
    const arr = items(r);
    const want = count >= 0 ? Math.min(count, size) : -count;
    const members: string[] = [];
    if (ws && proto === 3) {
      for (const pr of arr) {
        const [m, s] = items(pr);
        if (s.t !== 'double') return `score is not a double: ${formatReply(pr)}`;
        if (text(s) !== scoreOf(key, text(m))) return `wrong score for ${text(m)}: ${text(s)}`;
        members.push(text(m));
      }
    } else if (ws) {
      for (let i = 0; i < arr.length; i += 2) {
        if (text(arr[i + 1]) !== scoreOf(key, text(arr[i]))) return `wrong score for ${text(arr[i])}`;
        members.push(text(arr[i]));
      }
    } else for (const m of arr) members.push(text(m));
    if (members.length !== want) return `ZRANDMEMBER ${key} ${count}: ${members.length} members, want ${want}`;
    for (const m of members) if (!(key === 'rm' ? /^m\d$/ : /^b\d+$/).test(m) || Number(m.slice(1)) >= size) return `not a member: ${m}`;
    if (count > 0 && new Set(members).size !== members.length) return `ZRANDMEMBER ${key} ${count}: repeated members`;
    return null;
  };
  const cases: Array<[string, number, number, boolean]> = [];
  for (const cnt of [1, 2, 5, 9, 10, 11, 100, -1, -5, -30]) for (const ws of [false, true]) cases.push(['rm', 10, cnt, ws]);
  for (const cnt of [1, 3, 20, 1000, 2999, 3000, 5000, -3, -200]) for (const ws of [false, true]) cases.push(['rmb', 3000, cnt, ws]);
  let bad: string | null = null;
  for (const [k, size, cnt, ws] of cases) bad ??= await check(k, size, cnt, ws);
  t.equal(bad, null, 'ZRANDMEMBER: counts, membership, exact scores, distinct members for positive counts');
  // Every member turns up over many single draws (not a constant answer).
  const seen = new Set<string>();
  const draws = await cl.pipeline(Array.from({ length: 400 }, () => ['ZRANDMEMBER', 'rm']));
  for (const d of draws) seen.add(text(d));
  t.equal(seen.size, 10, 'single draws reach every member of a 10-member set');
  const many = items(await cl.send('ZRANDMEMBER', 'rmb', '-2000'));
  t.ok(new Set(many.map(text)).size > 1000, 'a negative count over a big set draws with repetition from all over it');
  const whole = items(await cl.send('ZRANDMEMBER', 'rm', '10'));
  t.equal(new Set(whole.map(text)).size, 10, 'count = size returns the whole set');
  await cl.send('DEL', 'rm', 'rmb');
}

// ------------------------------------------------------------------------------------------------
// ZSCAN over a skiplist
// ------------------------------------------------------------------------------------------------

async function zscanAll(cl: RawClient, key: string, extra: string[], onStep?: (n: number) => Promise<void>): Promise<{ pairs: string[]; calls: number }> {
  let cursor = '0';
  const pairs: string[] = [];
  let calls = 0;
  do {
    const r = items(await cl.send('ZSCAN', key, cursor, ...extra));
    cursor = text(r[0]);
    if (!/^\d+$/.test(cursor)) throw new Error('bad cursor ' + cursor);
    const flat = items(r[1]);
    for (let i = 0; i < flat.length; i += 2) pairs.push(`${text(flat[i])}=${text(flat[i + 1])}`);
    calls++;
    if (calls > 100000) throw new Error('ZSCAN does not terminate');
    if (onStep) await onStep(calls);
  } while (cursor !== '0');
  return { pairs, calls };
}

async function zscanBig(t: Test, p: Pair): Promise<void> {
  const cl = p.respdb;
  const n = 1000;
  const args = Array.from({ length: n }, (_, i) => [i % 3 ? String(i) : '-0', `s${i}`]).flat();
  await cl.send('DEL', 'zs');
  await cl.send('ZADD', 'zs', ...args);
  await p.redis.send('DEL', 'zs');
  await p.redis.send('ZADD', 'zs', ...args);
  const want = (await zscanAll(p.redis, 'zs', ['COUNT', '1000'])).pairs.sort();
  t.equal(want.length, n, 'redis returns every member');
  for (const count of ['1', '7', '100', '5000']) {
    const got = await zscanAll(cl, 'zs', ['COUNT', count]);
    t.same(got.pairs.sort(), want, `ZSCAN COUNT ${count}: every member once, with its exact score`);
    if (count === '7') t.ok(got.calls >= n / 7, 'COUNT bounds each step of a skiplist scan');
  }
  const m = await zscanAll(cl, 'zs', ['MATCH', 's1*', 'COUNT', '50']);
  t.same(m.pairs.sort(), want.filter((x) => x.startsWith('s1')), 'MATCH filters a skiplist scan');
  // Members present for the whole scan are returned even while others come and go.
  const added: string[] = [];
  const got = await zscanAll(cl, 'zs', ['COUNT', '10'], async (step) => {
    await cl.send('ZADD', 'zs', '5', `new${step}`);
    added.push(`new${step}`);
    if (step % 2 === 0) await cl.send('ZREM', 'zs', `s${step}`);
  });
  const members = new Set(got.pairs.map((x) => x.slice(0, x.indexOf('='))));
  const missing = [];
  for (let i = 0; i < n; i++) if (i % 2 === 1 || i > got.calls) if (!members.has(`s${i}`)) missing.push(`s${i}`);
  t.same(missing, [], 'members present for the whole scan are all returned');
  // An unknown cursor restarts the scan (like SCAN), a foreign one as well.
  const r = items(await cl.send('ZSCAN', 'zs', '12345', 'COUNT', '5'));
  t.equal(items(r[1]).length, 10, 'an unknown cursor restarts from the beginning');
  await cl.send('DEL', 'zs');
  await p.redis.send('DEL', 'zs');
}

// ------------------------------------------------------------------------------------------------
// Expiry, RENAME / COPY / MOVE
// ------------------------------------------------------------------------------------------------

async function expiry(t: Test, p: Pair): Promise<void> {
  await diffAll(t, p, [
    ...cs('ZADD ex1 1 a 2 b', 'PEXPIRE ex1 300', 'ZADD ex2 1 a', 'PEXPIRE ex2 300', 'ZADD ex2 2 b', 'ZADD ex3 1 a', 'PEXPIRE ex3 300'),
    ...cs('ZADD ex4 1 a', 'PEXPIRE ex4 300', 'ZUNIONSTORE ex4 1 ex1', 'ZADD ex5 1 a', 'PEXPIRE ex5 300', 'ZRANGESTORE ex5 ex1 0 0', 'ZADD ex6 1 a', 'PEXPIRE ex6 300000'),
    ...cs('ZINCRBY ex6 1 a', 'ZREM ex6 nope', 'ZPOPMIN ex6 0'),
  ], 'before expiry');
  await sleep(500);
  await diffAll(t, p, cs(
    'ZCARD ex1', 'ZSCORE ex1 a', 'ZRANGE ex1 0 -1', 'EXISTS ex1 ex2 ex3', 'ZUNION 2 ex1 ex2', 'ZADD ex3 5 c', 'ZRANGE ex3 0 -1 WITHSCORES',
    'ZRANGE ex4 0 -1 WITHSCORES', 'ZRANGE ex5 0 -1 WITHSCORES', 'ZSCORE ex6 a', 'ZMPOP 2 ex1 ex6 MIN', 'EXISTS ex6',
  ), 'after expiry');
}

async function renameCopy(t: Test, p: Pair, shards: number): Promise<void> {
  const pairsOfKeys: Array<[string, string]> = [['ra', 'rb'], ['ra', 'rc'], ['{x}a', '{x}b']];
  if (shards === 4) {
    t.not(shardOf(Buffer.from('ra'), 4), shardOf(Buffer.from('rb'), 4), 'ra and rb are on different shards');
    t.equal(shardOf(Buffer.from('{x}a'), 4), shardOf(Buffer.from('{x}b'), 4), '{x}a and {x}b share a shard');
  }
  const cmds: Cmd[] = [];
  for (const [a, b] of pairsOfKeys) {
    cmds.push(
      ['DEL', a, b],
      ['ZADD', a, '1', 'm', '-0', X70, '2.5', 'n'],
      ['PEXPIRE', a, '100000'],
      ['RENAME', a, b],
      ['ZRANGE', b, '0', '-1', 'WITHSCORES'],
      ['OBJECT', 'ENCODING', b],
      ['TTL', b],
      ['EXISTS', a],
      ['COPY', b, a],
      ['ZRANGE', a, '0', '-1', 'WITHSCORES'],
      ['OBJECT', 'ENCODING', a],
      ['ZADD', a, '5', 'q'],
      ['ZRANGE', b, '0', '-1', 'WITHSCORES'],
      ['ZRANGE', a, '0', '-1', 'WITHSCORES'],
      ['COPY', b, a],
      ['COPY', b, a, 'REPLACE'],
      ['ZRANGE', a, '0', '-1', 'WITHSCORES'],
      ['ZREM', a, X70],
      ['OBJECT', 'ENCODING', a],
      ['COPY', a, b, 'REPLACE'],
      ['OBJECT', 'ENCODING', b],
      ['PERSIST', b],
      ['MOVE', b, '1'],
      ['SELECT', '1'],
      ['ZRANGE', b, '0', '-1', 'WITHSCORES'],
      ['OBJECT', 'ENCODING', b],
      ['COPY', b, a, 'DB', '0'],
      ['SELECT', '0'],
      ['ZRANGE', a, '0', '-1', 'WITHSCORES'],
      ['SET', b, 'str'],
      ['RENAMENX', a, b],
      ['RENAME', a, b],
      ['TYPE', b],
      ['ZRANGE', b, '0', '-1', 'WITHSCORES'],
      ['DEL', a, b],
      ['SELECT', '1'],
      ['FLUSHDB'],
      ['SELECT', '0'],
    );
  }
  // A small copy stays a listpack, a shrunk skiplist stays a skiplist, across shards too.
  cmds.push(
    ['ZADD', 'rs', ...Array.from({ length: 200 }, (_, i) => [String(i), `e${i}`]).flat()],
    ['ZREMRANGEBYRANK', 'rs', '2', '-1'],
    ['RENAME', 'rs', 'rt'],
    ['OBJECT', 'ENCODING', 'rt'],
    ['COPY', 'rt', 'ru'],
    ['OBJECT', 'ENCODING', 'ru'],
    ['ZRANGE', 'ru', '0', '-1', 'WITHSCORES'],
    ['DEL', 'rt', 'ru'],
  );
  await diffAll(t, p, cmds, 'RENAME COPY MOVE');
}

// ------------------------------------------------------------------------------------------------
// Cross-shard atomicity
// ------------------------------------------------------------------------------------------------

async function atomicity(t: Test, port: number): Promise<void> {
  const [w, r1, r2] = await Promise.all([RawClient.connect(port), RawClient.connect(port), RawClient.connect(port)]);
  try {
    const [k1, k2] = ['at1', 'at2'];
    t.not(shardOf(Buffer.from(k1), 4), shardOf(Buffer.from(k2), 4), 'the keys are on different shards');
    await w.send('DEL', k1, k2);
    // The writer grows k1 and copies it to k2 (cross-shard): k2 is always a subset of k1, which
    // only a torn read of the two could contradict.
    const rounds = 300;
    const writes: Cmd[] = [];
    for (let i = 0; i < rounds; i++) writes.push(['ZADD', k1, String(i), `m${i}`], ['ZUNIONSTORE', k2, '1', k1]);
    const reads: Cmd[] = Array.from({ length: rounds }, () => ['ZDIFF', '2', k2, k1]);
    const cards: Cmd[] = Array.from({ length: rounds }, () => ['ZINTERCARD', '2', k2, k1]);
    const [, rr, rc] = await Promise.all([w.pipeline(writes), r1.pipeline(reads), r2.pipeline(cards)]);
    t.equal(rr.filter((x) => items(x).length !== 0).length, 0, 'ZDIFF across shards never sees half of a ZUNIONSTORE');
    let last = -1n;
    let mono = true;
    for (const x of rc) {
      if (x.t !== 'int' || x.v < last) mono = false;
      else last = x.v;
    }
    t.ok(mono, 'ZINTERCARD across shards only grows');
    // Two clients pop across both shards at once: every member exactly once.
    await w.send('DEL', k2);
    await w.send('ZADD', k2, ...Array.from({ length: 150 }, (_, i) => [String(i), `n${i}`]).flat());
    const total = 450;
    const pa: Cmd[] = Array.from({ length: 250 }, () => ['ZMPOP', '2', k1, k2, 'MIN']);
    const pb: Cmd[] = Array.from({ length: 250 }, () => ['ZMPOP', '2', k2, k1, 'MAX']);
    const [ra, rb] = await Promise.all([r1.pipeline(pa), r2.pipeline(pb)]);
    const popped: string[] = [];
    for (const x of [...ra, ...rb]) {
      if (x.t === 'array' && x.v) for (const pr of items(x.v[1])) popped.push(`${text(x.v[0])}:${text(items(pr)[0])}`);
    }
    t.equal(popped.length, total, 'every member popped');
    t.equal(new Set(popped).size, total, 'no member popped twice');
    t.equal(formatReply(await w.send('EXISTS', k1, k2)), '(integer) 0', 'both sets emptied and deleted');
  } finally {
    await Promise.all([w.close(), r1.close(), r2.close()]);
  }
}

// ------------------------------------------------------------------------------------------------
// RESP3
// ------------------------------------------------------------------------------------------------

async function resp3(t: Test, p: Pair): Promise<void> {
  const r3 = await RawClient.connect(p.redisPort);
  const d3 = await RawClient.connect(p.respdbPort);
  try {
    await r3.send('HELLO', '3');
    await d3.send('HELLO', '3');
    const q = { redis: r3, respdb: d3 };
    await q.redis.send('FLUSHALL');
    await q.respdb.send('FLUSHALL');
    for (const f of [zaddCases, rangeCases, popCases, setOpCases, scanCases, randmemberErrorCases, storeAndCountCases, encodingCases, lexCases]) {
      await q.redis.send('FLUSHALL');
      await q.respdb.send('FLUSHALL');
      await diffAll(t, q, f(), `RESP3 ${f.name}`);
    }
    await runProperty(t, q, 'RESP3 random sequences', cmdArb(longMemberArb, false, scoreArb), 30);
    await randmemberProps(t, d3, 3);
  } finally {
    await Promise.all([r3.close(), d3.close()]);
  }
}

// ------------------------------------------------------------------------------------------------
// Binlog: exact records, and replaying them into redis gives the same data
// ------------------------------------------------------------------------------------------------

async function binlog(t: Test): Promise<void> {
  const nshards = 4;
  const { srv, dir, stop } = await startBinlogRespdb(t, nshards, 'zset');
  const ref = await startRedis();
  t.teardown(() => ref.stop());
  const cl = await RawClient.connect(srv.port, srv.host);
  const run = (...cmd: string[]) => cl.send(...cmd);
  // Exact effects of the commands whose result is not their own argument list.
  await run('ZADD', 'bl1', '0.1', 'a', '1', 'b', '2', 'c', '3', 'd');
  await run('ZINCRBY', 'bl1', '0.2', 'a');
  await run('ZADD', 'bl1', 'INCR', '1e-3', 'b');
  await run('ZADD', 'bl1', 'NX', '5', 'a');
  await run('ZPOPMAX', 'bl1');
  await run('ZREMRANGEBYSCORE', 'bl1', '2', '+inf');
  await run('ZADD', 'bl1', '7', 'e', '8', 'f');
  await run('ZREMRANGEBYRANK', 'bl1', '-1', '-1');
  await run('ZREMRANGEBYLEX', 'bl1', '[x', '[y');
  await run('ZMPOP', '1', 'bl1', 'MIN', 'COUNT', '2');
  await run('SELECT', '2');
  await run('ZADD', 'bl2', '1', 'x');
  await run('SELECT', '0');
  // A random sequence (its data is compared after a replay into redis).
  const seq = fc.sample(fc.array(cmdArb(longMemberArb, false, scoreArb.filter((s) => s !== '-0')), { minLength: 300, maxLength: 300 }), { numRuns: 1, seed: 42 })[0];
  const extra: Cmd[] = [];
  for (let i = 0; i < 60; i++) extra.push(['ZADD', `z${i % 4}`, String(i * 0.1), `r${i}`], ['ZINCRBY', `{t}a`, '0.1', `i${i % 3}`]);
  for (const cmd of [...seq, ...extra]) await cl.send(...cmd);
  const state: Cmd[] = [...RKEYS, 'bl1'].flatMap((k) => [['TYPE', k], ['ZRANGE', k, '0', '-1', 'WITHSCORES'], ['SMEMBERS', k], ['GET', k]]);
  const before = (await cl.pipeline(state)).map((r) => formatReply(r, { unordered: true }));
  await cl.close();
  await stop();

  const records = await readBinlog(dir, nshards);
  const shown = recordText;
  const bl1 = records.filter((r) => r.args[1]?.toString() === 'bl1').map(shown);
  t.same(bl1, [
    ['ZADD', 'bl1', '0.1', 'a', '1', 'b', '2', 'c', '3', 'd'],
    ['ZADD', 'bl1', '0.30000000000000004', 'a'],
    ['ZADD', 'bl1', '1.0009999999999999', 'b'],
    ['ZREM', 'bl1', 'd'],
    ['ZREM', 'bl1', 'c'],
    ['ZADD', 'bl1', '7', 'e', '8', 'f'],
    ['ZREM', 'bl1', 'f'],
    ['ZREM', 'bl1', 'a', 'b'],
  ], 'ZINCRBY / ZADD INCR log the exact score; pops and range removals log ZREM of what they removed; no-ops log nothing');
  t.same(records.filter((r) => r.args[1]?.toString() === 'bl2').map((r) => r.db), [2], 'records carry their db');

  // Replay everything into a fresh redis-server: the same data.
  const rc = await RawClient.connect(ref.port, ref.host);
  t.same(await replayBinlog(rc, records), [], 'every record applies cleanly to redis');
  const after = (await rc.pipeline(state)).map((r) => formatReply(r, { unordered: true }));
  t.same(after, before, `replaying ${records.length} binlog records into redis gives the same data`);
  await rc.close();
}

// ------------------------------------------------------------------------------------------------

for (const shards of [1, 4]) {
  t.test(`sorted set commands vs redis-server, ${shards} shard(s)`, async (t) => {
    const p = await pair(t, { shards });
    if (shards === 4) {
      const s = new Set(['z0', 'z1', 'z2', 'z3'].map((k) => shardOf(Buffer.from(k), 4)));
      t.ok(s.size >= 3, 'z0..z3 span several shards');
      const abc = new Set(['a', 'b', 'c'].map((k) => shardOf(Buffer.from(k), 4)));
      t.equal(abc.size, 3, 'a, b, c are on three different shards');
    }
    const fresh = async () => {
      await p.redis.send('FLUSHALL');
      await p.respdb.send('FLUSHALL');
    };
    const groups: Array<[string, () => Cmd[]]> = [
      ['ZADD ZINCRBY', zaddCases],
      ['ZRANGE family', rangeCases],
      ['ZRANGESTORE ZCOUNT ZLEXCOUNT ZCARD ZRANK ZSCORE ZREM ZREMRANGEBY*', storeAndCountCases],
      ['ZPOPMIN ZPOPMAX ZMPOP', popCases],
      ['ZUNION ZINTER ZDIFF [STORE] ZINTERCARD (sets as inputs)', setOpCases],
      ['ZSCAN', scanCases],
      ['ZRANDMEMBER errors and deterministic cases', randmemberErrorCases],
      ['encodings and -0', encodingCases],
      ['lex ranges', lexCases],
      ['binary members', binaryCases],
      ['1.5 kB keys', longKeyCases],
      ['WRONGTYPE', wrongTypeCases],
      ['arity errors', arityCases],
      ['COMMAND INFO and GETKEYS', commandInfoCases],
    ];
    for (const [name, f] of groups) {
      await t.test(name, async (t) => {
        await fresh();
        await diffAll(t, p, f(), name);
      });
    }
    await t.test('pipelined (one batch)', async (t) => {
      await fresh();
      t.equal(await diffNorm(p, [...zaddCases(), ...setOpCases(), ...popCases(), ...encodingCases()]), null, 'the same commands in one pipeline');
    });
    await t.test('expiry', (t) => expiry(t, p));
    await t.test('RENAME COPY MOVE within and across shards', (t) => renameCopy(t, p, shards));
    await t.test('ZSCAN over a skiplist', (t) => zscanBig(t, p));
    await t.test('ZRANDMEMBER properties', (t) => randmemberProps(t, p.respdb, 2));
    await t.test('random command sequences', async (t) => {
      await fresh();
      await randomSequences(t, p, shards === 4 ? 120 : 80);
    });
    if (shards === 4) await t.test('cross-shard atomicity', (t) => atomicity(t, p.respdbPort));
    await t.test('RESP3', (t) => resp3(t, p));
  });
}

t.test('binlog records and replay', (t) => binlog(t));
