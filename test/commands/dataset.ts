// One dataset of every type and encoding (small and big, long members, expiries, several
// databases, -0 and infinite scores, streams with deleted entries), written by commands so that
// redis-server and respdb hold the same data: for the digest, DUMP / RESTORE and MIGRATE tests.
import type { Cmd } from './keyspace-support.js';

const n = (count: number, f: (i: number) => string[]): string[] => Array.from({ length: count }, (_, i) => f(i)).flat();
const LONG = 'L'.repeat(2500);

/** Keys of db 0 with the encoding Redis gives each (OBJECT ENCODING). */
export const KEYS: Array<[string, string]> = [
  ['s:int', 'int'],
  ['s:embstr', 'embstr'],
  ['s:raw', 'raw'],
  ['s:long', 'raw'],
  ['s:empty', 'embstr'],
  ['l:small', 'quicklist'],
  ['l:big', 'quicklist'],
  ['h:small', 'listpack'],
  ['h:big', 'hashtable'],
  ['h:longvalue', 'hashtable'],
  ['set:int', 'intset'],
  ['set:str', 'hashtable'],
  ['set:bigint', 'hashtable'],
  ['z:small', 'listpack'],
  ['z:big', 'skiplist'],
  ['z:long', 'skiplist'],
  ['x:stream', 'stream'],
  ['x:empty', 'stream'],
  ['ttl:s', 'embstr'],
  ['ttl:h', 'listpack'],
];

export const DATASET: Cmd[] = [
  ['SET', 's:int', '12345'],
  ['SET', 's:embstr', 'hello world'],
  ['SET', 's:raw', 'x'.repeat(100)],
  ['SET', 's:long', LONG],
  ['SET', 's:empty', ''],
  ['RPUSH', 'l:small', 'a', 'b', '1', '', 'c'],
  ['RPUSH', 'l:big', ...n(600, (i) => [`elem-${i}-${'e'.repeat(i % 50)}`])],
  ['LPUSH', 'l:big', LONG],
  ['HSET', 'h:small', 'f1', 'v1', 'f2', '2', 'f3', ''],
  ['HSET', 'h:big', ...n(600, (i) => [`field${i}`, `value${i}`])],
  ['HSET', 'h:longvalue', 'f', 'v'.repeat(100), LONG, 'x'],
  ['SADD', 'set:int', '1', '-5', '300', '70000', '-2147483649', '9223372036854775807'],
  ['SADD', 'set:str', 'a', 'b', '1', LONG],
  ['SADD', 'set:bigint', ...n(600, (i) => [String(i * 7)])],
  ['ZADD', 'z:small', '1.5', 'a', '-0', 'zero', '3', 'c', 'inf', 'top', '-inf', 'bottom', '0.1', 'tenth'],
  ['ZADD', 'z:big', ...n(200, (i) => [String(i / 3), `m${i}`])],
  ['ZADD', 'z:long', '2', LONG, '-0', 'negzero', '1e300', 'huge'],
  ['XADD', 'x:stream', '1-1', 'f', 'v', 'g', 'w'],
  ['XADD', 'x:stream', '1-2', 'f', 'v2', 'g', 'w2'],
  ['XADD', 'x:stream', '5-0', 'other', 'fields'],
  ['XADD', 'x:stream', '6-0', 'f', LONG],
  ['XDEL', 'x:stream', '1-2'],
  ['XADD', 'x:empty', '3-0', 'f', 'v'],
  ['XDEL', 'x:empty', '3-0'],
  ['SET', 'ttl:s', 'v', 'PX', '100000000'],
  ['HSET', 'ttl:h', 'f', 'v'],
  ['PEXPIREAT', 'ttl:h', String(Date.now() + 200000000)],
  ['SELECT', '3'],
  ['SET', 'db3:s', 'in db 3'],
  ['RPUSH', 'db3:l', 'x'],
  ['SELECT', '9'],
  ['HSET', 'db9:h', 'a', 'b'],
  ['SELECT', '0'],
];
