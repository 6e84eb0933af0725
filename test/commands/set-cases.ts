// The static differential cases of the set commands (test/commands/set.test.ts runs them against
// redis-server, one by one and all in one pipeline): every command and option, errors and arity,
// binary members, long keys, empty sets disappearing, OBJECT ENCODING transitions, keys that share
// a shard ({t}...) and keys that do not (k0..k3 are on four shards with 4 shards).
import { c, cs, range, rnd, type Cmd } from './set-support.js';

/** SADD SREM SCARD SISMEMBER SMISMEMBER SMEMBERS, empty sets disappearing, WRONGTYPE against a string. */
export function basicCases(): Cmd[] {
  return [
    ...cs(
      'DEL b1 b2 str',
      'SET str v',
      'SADD b1 a b c',
      'SADD b1 a d',
      'SADD b1 a a a',
      'SADD b1 e e f',
      'SMEMBERS b1',
      'SCARD b1',
      'SISMEMBER b1 a',
      'SISMEMBER b1 z',
      'SISMEMBER nokey a',
      'SMISMEMBER b1 a z b a',
      'SMISMEMBER b1 z',
      'SMISMEMBER nokey a b',
      'SREM b1 a z',
      'SREM b1 z',
      'SREM b1 a',
      'SREM nokey a',
      'SCARD nokey',
      'SMEMBERS nokey',
      'SREM b1 b c d e',
      'SMEMBERS b1',
      'SREM b1 f f',
      'EXISTS b1',
      'TYPE b1',
      'SCARD b1',
      'SADD b1 x',
      'TYPE b1',
      'SREM b1 x y x',
      'EXISTS b1',
      'SADD b2 1 2 3',
      'SADD b2 3 4',
      'SMEMBERS b2',
      'SISMEMBER b2 3',
      'SISMEMBER b2 03',
      'SISMEMBER b2 +3',
      'SREM b2 +1 01 1',
      'SMEMBERS b2',
      'sadd b2 5',
      'SaDd b2 6',
      'smembers b2',
      // WRONGTYPE against a string
      'SADD str a',
      'SREM str a',
      'SCARD str',
      'SISMEMBER str a',
      'SMISMEMBER str a',
      'SMEMBERS str',
      'SRANDMEMBER str',
      'SRANDMEMBER str 0',
      'SRANDMEMBER str -3',
      'SPOP str',
      'SPOP str 0',
      'SSCAN str 0',
      'GET b2',
      'GET str',
    ),
    ['SADD', 'b3', ''],
    ['SISMEMBER', 'b3', ''],
    ['SMISMEMBER', 'b3', '', 'x', ''],
    c('SMEMBERS b3'),
    ['SREM', 'b3', ''],
    c('EXISTS b3'),
  ];
}

/** SRANDMEMBER and SPOP where the reply is determined: counts covering the set, errors, missing keys. */
export function randomCases(): Cmd[] {
  return cs(
    'DEL r1 r2 r3 str',
    'SET str v',
    'SADD r1 only',
    'SRANDMEMBER r1',
    'SRANDMEMBER r1 1',
    'SRANDMEMBER r1 -3',
    'SRANDMEMBER r1 5',
    'SRANDMEMBER r1 0',
    'SRANDMEMBER nokey',
    'SRANDMEMBER nokey 5',
    'SRANDMEMBER nokey -5',
    'SRANDMEMBER nokey 0',
    'SRANDMEMBER nokey x',
    'SRANDMEMBER r1 x',
    'SRANDMEMBER r1 1.5',
    'SRANDMEMBER r1 -9223372036854775808',
    'SRANDMEMBER r1 9223372036854775808',
    'SRANDMEMBER r1 9223372036854775807',
    'SRANDMEMBER r1 1 2',
    'SRANDMEMBER nokey 1 2',
    'SADD r2 5 3 1 4 2',
    'SRANDMEMBER r2 5',
    'SRANDMEMBER r2 100',
    'SADD r3 a b c',
    'SRANDMEMBER r3 3',
    'SRANDMEMBER r3 9223372036854775807',
    'SPOP r1',
    'EXISTS r1',
    'SPOP r1',
    'SPOP nokey',
    'SPOP nokey 3',
    'SPOP nokey 0',
    'SPOP nokey x',
    'SPOP r2 0',
    'SPOP r2 -1',
    'SPOP r2 x',
    'SPOP r2 1.5',
    'SPOP r2 9223372036854775808',
    'SPOP r2 1 2',
    'SPOP str x',
    'SCARD r2',
    'SPOP r2 5',
    'EXISTS r2',
    'SPOP r3 9223372036854775807',
    'EXISTS r3',
    'TYPE r3',
    'SADD r1 z',
    'SPOP r1 1',
    'EXISTS r1',
  );
}

/** SMOVE between keys that share a shard ({t}) and keys that do not (k0..k3 with 4 shards). */
export function smoveCases(): Cmd[] {
  return cs(
    'DEL k0 k1 k2 k3 {t}a {t}b str',
    'SET str v',
    'SADD k0 a b c 1',
    'SADD {t}a a b c 1',
    'SMOVE nokey k1 a',
    'SMOVE nokey str a',
    'SMOVE k0 str a',
    'SMOVE k0 str zz',
    'SMOVE str k0 a',
    'SMOVE str str a',
    'SMOVE k0 k0 a',
    'SMOVE k0 k0 zz',
    'SMOVE k0 k1 zz',
    'EXISTS k1',
    'SMOVE k0 k1 a',
    'SMEMBERS k0',
    'SMEMBERS k1',
    'SMOVE k0 k1 a',
    'SMOVE k1 k0 a',
    'SMOVE k0 k1 1',
    'OBJECT ENCODING k1',
    'SADD k2 5 6',
    'SMOVE k0 k2 b',
    'OBJECT ENCODING k2',
    'SMOVE k0 k2 c',
    'SMOVE k0 k2 a',
    'EXISTS k0',
    'SMEMBERS k2',
    'SADD k3 7',
    'SMOVE k2 k3 5',
    'OBJECT ENCODING k3',
    'SMEMBERS k3',
    'SMOVE {t}a {t}b a',
    'SMOVE {t}a {t}b a',
    'SMOVE {t}a {t}b zz',
    'SMOVE {t}a {t}a b',
    'SMEMBERS {t}a',
    'SMEMBERS {t}b',
    'SMOVE {t}a {t}b b',
    'SMOVE {t}a {t}b c',
    'SMOVE {t}a {t}b 1',
    'EXISTS {t}a',
    'SMEMBERS {t}b',
    'SCARD {t}b',
    'smove k3 k1 7',
    'SMEMBERS k1',
  );
}

/** SINTER / SUNION / SDIFF and their STORE forms, keys across shards (k*) and on one shard ({t}*). */
export function algebraCases(): Cmd[] {
  const out: Cmd[] = cs(
    'DEL k0 k1 k2 k3 {t}a {t}b {t}c {t}d str dst',
    'SET str v',
    'SADD k0 a b c d 1 2 3',
    'SADD k1 b c d e 2 3 4',
    'SADD k2 c d 3 9',
    'SADD {t}a a b c d 1 2 3',
    'SADD {t}b b c d e 2 3 4',
    'SADD {t}c c d 3 9',
    'SADD k3 10 20 30 40',
  );
  const groups = [
    ['k0', 'k1', 'k2', 'k3'],
    ['{t}a', '{t}b', '{t}c', '{t}d'],
  ];
  for (const [a, b, cc, d] of groups) {
    const dst = d;
    out.push(
      ...cs(
        `SINTER ${a}`,
        `SINTER ${a} ${b}`,
        `SINTER ${a} ${b} ${cc}`,
        `SINTER ${b} ${a} ${a}`,
        `SINTER ${a} nokey`,
        `SINTER nokey ${a}`,
        `SINTER ${a} str`,
        `SINTER str ${a}`,
        `SINTER nokey str`,
        `SINTER ${a} nokey str`,
        `SUNION ${a}`,
        `SUNION ${a} ${b}`,
        `SUNION ${a} ${b} ${cc} nokey`,
        `SUNION nokey`,
        `SUNION nokey nokey2`,
        `SUNION ${a} str`,
        `SUNION nokey str`,
        `SDIFF ${a}`,
        `SDIFF ${a} ${b}`,
        `SDIFF ${b} ${a}`,
        `SDIFF ${a} ${b} ${cc}`,
        `SDIFF ${a} ${a}`,
        `SDIFF ${a} nokey`,
        `SDIFF nokey ${a}`,
        `SDIFF ${a} str`,
        `SDIFF nokey str`,
        `SDIFF str ${a}`,
        `SINTERCARD 1 ${a}`,
        `SINTERCARD 2 ${a} ${b}`,
        `SINTERCARD 3 ${a} ${b} ${cc}`,
        `SINTERCARD 2 ${a} ${b} LIMIT 0`,
        `SINTERCARD 2 ${a} ${b} LIMIT 1`,
        `SINTERCARD 2 ${a} ${b} LIMIT 3`,
        `SINTERCARD 2 ${a} ${b} LIMIT 100`,
        `SINTERCARD 2 ${a} ${b} limit 2 LIMIT 4`,
        `SINTERCARD 2 ${a} ${b} LIMIT 9223372036854775807`,
        `SINTERCARD 2 ${a} nokey`,
        `SINTERCARD 2 ${a} str`,
        `SINTERCARD 2 nokey str`,
        `SINTERCARD 1 ${a} ${b}`,
        `SINTERCARD 2 ${a} ${b} LIMIT`,
        `SINTERCARD 2 ${a} ${b} LIMIT -1`,
        `SINTERCARD 2 ${a} ${b} LIMIT x`,
        `SINTERCARD 2 ${a} ${b} LIMIT 9223372036854775808`,
        `SINTERCARD 2 ${a} ${b} FOO`,
        `SINTERCARD 2 ${a} ${b} LIMIT 1 FOO`,
        `SINTERCARD 0 ${a}`,
        `SINTERCARD -1 ${a}`,
        `SINTERCARD x ${a}`,
        `SINTERCARD 3 ${a} ${b}`,
        `SINTERCARD 2147483648 ${a}`,
        `SINTERCARD 9223372036854775808 ${a}`,
        `SINTERCARD 2 ${a} ${b} LIMIT -1 LIMIT 2`,
        `SINTERSTORE ${dst} ${a} ${b}`,
        `SMEMBERS ${dst}`,
        `OBJECT ENCODING ${dst}`,
        `SINTERSTORE ${dst} ${a} ${b} ${cc}`,
        `SMEMBERS ${dst}`,
        `OBJECT ENCODING ${dst}`,
        `SINTERSTORE ${dst} ${a} nokey`,
        `EXISTS ${dst}`,
        `SINTERSTORE ${dst} ${a} nokey`,
        `SUNIONSTORE ${dst} ${a} ${b}`,
        `SCARD ${dst}`,
        `SMEMBERS ${dst}`,
        `OBJECT ENCODING ${dst}`,
        `PEXPIRE ${dst} 100000`,
        `SUNIONSTORE ${dst} ${cc}`,
        `TTL ${dst}`,
        `SMEMBERS ${dst}`,
        `OBJECT ENCODING ${dst}`,
        `SUNIONSTORE ${dst} nokey`,
        `EXISTS ${dst}`,
        `SDIFFSTORE ${dst} ${a} ${b}`,
        `SMEMBERS ${dst}`,
        `SDIFFSTORE ${dst} ${a} ${a}`,
        `EXISTS ${dst}`,
        `SET ${dst} string`,
        `SINTERSTORE ${dst} ${a} ${b}`,
        `TYPE ${dst}`,
        `SET ${dst} string`,
        `SINTERSTORE ${dst} ${a} str`,
        `GET ${dst}`,
        `SUNIONSTORE ${dst} str`,
        `SDIFFSTORE ${dst} nokey str`,
        `GET ${dst}`,
        `SINTERSTORE ${dst} ${a} nokey`,
        `TYPE ${dst}`,
        `SUNIONSTORE str ${a}`,
        `TYPE str`,
        `SET str v`,
        `SADD ${dst} x`,
        `SINTERSTORE ${dst} ${dst} ${a}`,
        `EXISTS ${dst}`,
        `SADD ${dst} a b x`,
        `SINTERSTORE ${dst} ${dst} ${a}`,
        `SMEMBERS ${dst}`,
        `SUNIONSTORE ${dst} ${dst} ${b}`,
        `SMEMBERS ${dst}`,
        `SDIFFSTORE ${dst} ${dst} ${cc}`,
        `SMEMBERS ${dst}`,
        `SDIFFSTORE ${a} ${a} ${b}`,
        `SMEMBERS ${a}`,
        `SUNIONSTORE ${a} ${a} ${b}`,
        `SMEMBERS ${a}`,
      ),
    );
  }
  out.push(
    // the destination on yet another shard
    ...cs(
      'SINTERSTORE k2 k0 k1',
      'SMEMBERS k2',
      'SUNIONSTORE k3 k0 k1 k2',
      'SMEMBERS k3',
      'SDIFFSTORE k1 k3 k0',
      'SMEMBERS k1',
      'SINTERSTORE k1 k0 k2 k3 {t}a',
      'SMEMBERS k1',
      'SUNION k0 k1 k2 k3 {t}a {t}b',
      'SDIFF k3 k0 k1 {t}a',
      'SINTER k0 k1 k2 k3 {t}a {t}b {t}c',
    ),
  );
  return out;
}

/** SSCAN on intsets and small hashtables (both give the whole set with cursor 0). */
export function sscanCases(): Cmd[] {
  return cs(
    'DEL c1 c2 str',
    'SET str v',
    'SADD c1 3 1 2 10 -5',
    'SSCAN c1 0',
    'SSCAN c1 0 COUNT 1',
    'SSCAN c1 123',
    'SSCAN c1 -1',
    'SSCAN c1 18446744073709551615',
    'SSCAN c1 18446744073709551616',
    'SSCAN c1 x',
    'SSCAN c1 1x',
    'SSCAN c1 0 MATCH 1*',
    'SSCAN c1 0 MATCH *',
    'SSCAN c1 0 match -? count 5',
    'SSCAN c1 0 COUNT 0',
    'SSCAN c1 0 COUNT -1',
    'SSCAN c1 0 COUNT x',
    'SSCAN c1 0 COUNT',
    'SSCAN c1 0 MATCH',
    'SSCAN c1 0 TYPE set',
    'SSCAN c1 0 FOO bar',
    'SSCAN c1 0 NOVALUES',
    'SSCAN c1 0 COUNT 1 MATCH * COUNT 0',
    'SSCAN nokey 0',
    'SSCAN nokey 0 COUNT x',
    'SSCAN nokey x',
    'SSCAN str 0',
    'SSCAN str x',
    'SSCAN str 0 COUNT x',
    'SADD c2 apple banana cherry date',
    'SSCAN c2 0',
    'SSCAN c2 0 MATCH *an*',
    'SSCAN c2 0 MATCH [ab]*',
    'SSCAN c2 0 MATCH nothing',
    'SSCAN c2 0 COUNT 100',
    'SSCAN c2 x',
  ).concat([['SSCAN', 'c1', ''], ['SSCAN', 'c1', Buffer.from('0\0', 'latin1')], ['SSCAN', 'c1', '0', Buffer.from('count\0x', 'latin1'), '5']]);
}

/** OBJECT ENCODING: intset vs hashtable, and where Redis converts. */
export function encodingCases(): Cmd[] {
  const out: Cmd[] = cs(
    'DEL e1 e2 e3 e4 e5 e6 e7 e8 e9 k0 k1 k2',
    'SADD e1 1 2 3',
    'OBJECT ENCODING e1',
    'OBJECT REFCOUNT e1',
    'SADD e1 x',
    'OBJECT ENCODING e1',
    'SREM e1 x',
    'OBJECT ENCODING e1',
    'SINTERSTORE e2 e1 e1',
    'OBJECT ENCODING e2',
    'SUNIONSTORE e3 e1',
    'OBJECT ENCODING e3',
    'SDIFFSTORE e4 e1 nokey',
    'OBJECT ENCODING e4',
    'COPY e1 e5',
    'OBJECT ENCODING e5',
    'RENAME e5 e6',
    'OBJECT ENCODING e6',
    'OBJECT ENCODING nokey',
    'SADD e7 -0',
    'OBJECT ENCODING e7',
    'SADD e8 +1',
    'OBJECT ENCODING e8',
    'DEL e7 e8',
    'SADD e7 01',
    'OBJECT ENCODING e7',
    'SADD e8 9223372036854775807 -9223372036854775808',
    'OBJECT ENCODING e8',
    'SADD e8 9223372036854775808',
    'OBJECT ENCODING e8',
    'DEL e7 e8',
    'SADD e7 1.0',
    'OBJECT ENCODING e7',
    'SADD e8 1e3',
    'OBJECT ENCODING e8',
    'DEL e7 e8',
    'SADD e7 0x10',
    'OBJECT ENCODING e7',
    'SADD e8 0',
    'OBJECT ENCODING e8',
    'SADD e8 -1',
    'SMEMBERS e8',
    'OBJECT ENCODING e8',
  );
  out.push(['SADD', 'e9', ' 1'], c('OBJECT ENCODING e9'), ['SADD', 'e2', ''], c('OBJECT ENCODING e2'));
  // 512 integers stay an intset, 513 do not (also when they arrive one by one)
  out.push(['DEL', 'e1', 'e2', 'e3'], ['SADD', 'e1', ...range(1, 512)], c('OBJECT ENCODING e1'), c('SADD e1 513'), c('OBJECT ENCODING e1'));
  out.push(c('SREM e1 513'), c('OBJECT ENCODING e1'), ['SADD', 'e2', ...range(1, 513)], c('OBJECT ENCODING e2'));
  out.push(c('SUNIONSTORE e3 e1'), c('OBJECT ENCODING e3'), c('SUNIONSTORE e3 e2'), c('OBJECT ENCODING e3'), c('SCARD e3'));
  out.push(['SADD', 'e4', ...range(1, 300)], ['SADD', 'e5', ...range(250, 550)], c('SUNIONSTORE e6 e4 e5'), c('OBJECT ENCODING e6'));
  out.push(c('SINTERSTORE e6 e4 e5'), c('OBJECT ENCODING e6'), c('SDIFFSTORE e6 e5 e4'), c('OBJECT ENCODING e6'), c('SCARD e6'));
  out.push(c('SINTERCARD 2 e4 e5'), c('SINTERCARD 2 e4 e5 LIMIT 7'));
  // across shards (4 shards: k0, k1, k2 are on different shards)
  out.push(['SADD', 'k0', ...range(1, 400)], ['SADD', 'k1', ...range(300, 700)], c('SUNIONSTORE k2 k0 k1'), c('OBJECT ENCODING k2'), c('SCARD k2'));
  out.push(c('SINTERSTORE k2 k0 k1'), c('OBJECT ENCODING k2'), c('SCARD k2'), c('SINTERCARD 2 k0 k1'), c('SINTERCARD 2 k0 k1 LIMIT 50'));
  out.push(c('SDIFFSTORE k2 k1 k0'), c('OBJECT ENCODING k2'), c('SCARD k2'), c('SDIFF k0 k1'), c('SINTER k0 k1'));
  // SPOP with a count that leaves at most a fifth of it: Redis re-creates the rest (as an intset)
  out.push(['DEL', 'e1'], ['SADD', 'e1', ...range(1, 20), 'x'], c('SREM e1 x'), c('OBJECT ENCODING e1'));
  out.push(rnd(c('SPOP e1 1')), c('OBJECT ENCODING e1'), c('SCARD e1'), rnd(c('SPOP e1 16')), c('OBJECT ENCODING e1'), c('SCARD e1'));
  out.push(['DEL', 'e2'], ['SADD', 'e2', ...range(1, 30), 'y'], c('SREM e2 y'), rnd(c('SPOP e2 10')), c('OBJECT ENCODING e2'), c('SCARD e2'));
  return out;
}

/** Every command with too few / too many arguments. */
export function arityCases(): Cmd[] {
  const arities: Record<string, number> = {
    sadd: -3, srem: -3, scard: 2, sismember: 3, smismember: -3, smembers: 2, srandmember: -2, spop: -2, smove: 4, sinter: -2,
    sintercard: -3, sinterstore: -3, sunion: -2, sunionstore: -3, sdiff: -2, sdiffstore: -3, sscan: -3,
  };
  const out: Cmd[] = [];
  for (const [name, a] of Object.entries(arities)) {
    const n = Math.abs(a);
    out.push([name.toUpperCase(), ...Array.from({ length: n - 2 }, (_, i) => `ar${i}`)]);
    if (a > 0) out.push([name.toUpperCase(), ...Array.from({ length: n }, (_, i) => `ar${i}`)]);
  }
  out.push(c('SINTERCARD'), c('SSCAN'), c('SPOP'), c('SET-CARDS a'), c('SET-STORE a b'));
  return out;
}

/** Binary members and keys, long keys, the longest member respdb stores. */
export function binaryCases(): Cmd[] {
  const all = Buffer.alloc(256);
  for (let i = 0; i < 256; i++) all[i] = i;
  const m1 = Buffer.from('a\r\nb', 'latin1');
  const m2 = Buffer.from('\0', 'latin1');
  const m3 = Buffer.from('\xff\xfe\0\r\n', 'latin1');
  const k1 = Buffer.from('bin\r\n\0key\xff', 'latin1');
  const k2 = Buffer.from('\0', 'latin1');
  const long1 = Buffer.alloc(1100, 'L');
  const long2 = Buffer.concat([Buffer.alloc(3000, 'M'), Buffer.from('\0end', 'latin1')]);
  const long3 = Buffer.concat([Buffer.alloc(1500, 'M'), Buffer.from('{t}', 'latin1')]);
  const long4 = Buffer.concat([Buffer.alloc(1500, 'N'), Buffer.from('{t}', 'latin1')]);
  const bigMember = Buffer.alloc(1970, 'z');
  const bigMember2 = Buffer.concat([Buffer.alloc(1969, 'z'), Buffer.from('\0', 'latin1')]);
  return [
    ['DEL', k1, k2, long1, long2, long3, long4],
    ['SADD', k1, all, m1, m2, m3, ''],
    ['SCARD', k1],
    ['SMEMBERS', k1],
    ['SISMEMBER', k1, all],
    ['SISMEMBER', k1, Buffer.from(all.subarray(0, 255))],
    ['SMISMEMBER', k1, m1, m2, m3, 'a', Buffer.from('a\r\n', 'latin1')],
    ['SREM', k1, m2, Buffer.from('\0\0', 'latin1')],
    ['SMEMBERS', k1],
    ['SSCAN', k1, '0'],
    ['SSCAN', k1, '0', 'MATCH', Buffer.from('a\r*', 'latin1')],
    ['SADD', k2, m2, m3, all],
    ['SINTER', k1, k2],
    ['SUNION', k1, k2],
    ['SDIFF', k1, k2],
    ['SINTERSTORE', long1, k1, k2],
    ['SMEMBERS', long1],
    ['SUNIONSTORE', long2, k1, k2, long1],
    ['SMEMBERS', long2],
    ['SCARD', long2],
    ['SMOVE', long2, long1, m1],
    ['SMOVE', long2, k2, m1],
    ['SMEMBERS', k2],
    ['SMEMBERS', long1],
    ['TYPE', long2],
    ['SADD', long3, 'a', 'b', '1'],
    ['SMOVE', long3, long4, 'a'],
    ['SINTERSTORE', long4, long3, long4],
    ['SUNIONSTORE', long4, long3, long4],
    ['SMEMBERS', long4],
    ['RENAME', long4, long1],
    ['SMEMBERS', long1],
    ['EXISTS', long4],
    ['OBJECT', 'ENCODING', long1],
    ['SPOP', long3, '10'],
    ['EXISTS', long3],
    ['SADD', long2, bigMember, bigMember2],
    ['SISMEMBER', long2, bigMember],
    ['SMISMEMBER', long2, bigMember2, Buffer.alloc(1971, 'z'), Buffer.alloc(5000, 'z')],
    ['SISMEMBER', long2, Buffer.alloc(3000, 'z')],
    ['SREM', long2, Buffer.alloc(3000, 'z'), bigMember],
    ['SMEMBERS', long2],
    ['SMOVE', long2, k1, bigMember2],
    ['SMOVE', long2, k1, Buffer.alloc(2500, 'q')],
    ['SISMEMBER', k1, bigMember2],
    ['DEL', k1, k2, long1, long2, long3, long4],
  ];
}
