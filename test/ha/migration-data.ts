// The data set of the migration tests: a redis-server 7.0 filled with every encoding its RDB
// writes (checked on redis-server itself with OBJECT ENCODING and DUMP, so the full sync really
// carries each of them), over several databases, with expiries.

import { RDB_TYPE } from '../../lib/rdb/types.js';
import { RdbReader, readLength, readString, LZF_STRING_MARK } from '../../lib/rdb/string.js';
import { QUICKLIST_NODE_PLAIN, QUICKLIST_NODE_PACKED } from '../../lib/rdb/quicklist.js';
import { replyString, type RawClient, type Reply } from '../support/resp-client.js';

/** A key and value with every byte value, CR LF and NUL among them. */
export const BINARY_KEY = Buffer.from([0x00, 0xff, 0x0d, 0x0a, 0x62, 0x69, 0x6e, 0x80, 0x00]);
export const BINARY_VALUE = Buffer.from(Array.from({ length: 256 }, (_, i) => i));

const range = <T>(n: number, f: (i: number) => T): T[] => Array.from({ length: n }, (_, i) => f(i));

/** The keys filled in database 0 and the encoding redis-server must report for each. */
export const ENCODINGS: ReadonlyArray<readonly [string, string]> = [
  ['str:int', 'int'],
  ['str:neg', 'int'],
  ['str:short', 'embstr'],
  ['str:long', 'raw'],
  ['str:random', 'raw'],
  ['list:small', 'quicklist'], // one listpack node (7.0 has no listpack-encoded list)
  ['list:big', 'quicklist'],
  ['list:plain', 'quicklist'],
  ['set:ints', 'intset'],
  ['set:strs', 'hashtable'],
  ['set:manyints', 'hashtable'],
  ['zset:small', 'listpack'],
  ['zset:big', 'skiplist'],
  ['hash:small', 'listpack'],
  ['hash:big', 'hashtable'],
  ['hash:longvalue', 'hashtable'],
  ['stream:s', 'stream'],
];

/** Fills redis-server (DEBUG enabled). `populate` plain keys pad database 0 (DEBUG POPULATE). */
export async function fillRedis(c: RawClient, populate: number): Promise<void> {
  // a quicklist node of its own (a "plain" node) for an element over this many bytes
  await c.send('DEBUG', 'QUICKLIST-PACKED-THRESHOLD', '1000');
  await c.pipeline([
    ['SELECT', '0'],
    ['SET', 'str:int', '1234567'],
    ['SET', 'str:neg', '-42'],
    ['SET', 'str:short', 'short value'],
    ['SET', 'str:long', 'compress me please '.repeat(40)],
    ['SET', 'str:random', '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08'],
    ['SET', BINARY_KEY, BINARY_VALUE],
    ['RPUSH', 'list:small', 'a', '1', '-300', '70000', 'x'.repeat(40)],
    ['RPUSH', 'list:big', ...range(2000, (i) => `element-${i}-${'q'.repeat(i % 50)}`)],
    ['RPUSH', 'list:plain', 'before', 'p'.repeat(5000), 'after', 'z'.repeat(3000)],
    ['SADD', 'set:ints', '1', '2', '3', '-7', '65536', '5000000000'],
    ['SADD', 'set:strs', 'a', 'b', 'c', 'dee'],
    ['SADD', 'set:manyints', ...range(600, (i) => String(i * 3))],
    ['ZADD', 'zset:small', '1', 'a', '2.5', 'b', '-3', 'c', 'inf', 'top', '-inf', 'bottom'],
    ['ZADD', 'zset:big', ...range(300, (i) => [String(i / 7), `member-${i}`]).flatMap((x) => x)],
    ['HSET', 'hash:small', 'f1', 'v1', 'n', '12', 'neg', '-5'],
    ['HSET', 'hash:big', ...range(700, (i) => [`field-${i}`, `value-${i}`]).flatMap((x) => x)],
    ['HSET', 'hash:longvalue', 'f', 'v'.repeat(100), 'g', 'w'],
    ['XADD', 'stream:s', '1-1', 'a', '1', 'b', '2'],
    ['XADD', 'stream:s', '1-2', 'a', '3', 'b', '4'],
    ['XADD', 'stream:s', '2-0', 'other', 'fields'],
    ['XADD', 'stream:s', '3-0', 'a', '5', 'b', '6'],
    ['XDEL', 'stream:s', '1-2'],
    // a consumer group with a pending entry: respdb has none, its full sync drops it (and says so)
    ['XGROUP', 'CREATE', 'stream:s', 'grp', '0'],
    ['XREADGROUP', 'GROUP', 'grp', 'consumer', 'COUNT', '1', 'STREAMS', 'stream:s', '>'],
    ['SET', 'ttl:str', 'v', 'PX', '3600000'],
    ['HSET', 'ttl:hash', 'f', 'v'],
    ['PEXPIRE', 'ttl:hash', '7200000'],
    ['SELECT', '1'],
    ['SET', 'db1:str', 'one'],
    ['RPUSH', 'db1:list', 'x', 'y'],
    ['SELECT', '7'],
    ['SET', 'db7:str', 'seven', 'EX', '86400'],
    ['ZADD', 'db7:zset', '1', 'a'],
    ['SELECT', '15'],
    ['HSET', 'db15:hash', 'a', 'b'],
    ['SELECT', '0'],
  ]);
  if (populate > 0) await c.send('DEBUG', 'POPULATE', String(populate), 'pad', '100');
}

/** The containers (plain 1 / packed 2) of a type 18 DUMP's nodes. */
function quicklistContainers(dump: Buffer): number[] {
  const r = new RdbReader(dump);
  if (r.readByte() !== RDB_TYPE.LIST_QUICKLIST_2) return [];
  const out: number[] = [];
  for (let n = readLength(r); n > 0; n--) {
    out.push(readLength(r));
    readString(r);
  }
  return out;
}

/** What redis-server holds is what the data set means to cover: each encoding, LZF, a plain node. */
export async function checkEncodings(c: RawClient): Promise<string[]> {
  const problems: string[] = [];
  for (const [key, enc] of ENCODINGS) {
    const got = replyString(await c.send('OBJECT', 'ENCODING', key));
    if (got !== enc) problems.push(`${key}: encoding ${got}, expected ${enc}`);
  }
  const dump = async (k: string | Buffer): Promise<Buffer> => {
    const r: Reply = await c.send('DUMP', k);
    return r.t === 'bulk' && r.v ? r.v : Buffer.alloc(0);
  };
  if ((await dump('str:long'))[1] !== LZF_STRING_MARK) problems.push('str:long is not LZF-compressed in the RDB');
  const plain = quicklistContainers(await dump('list:plain'));
  if (!plain.includes(QUICKLIST_NODE_PLAIN) || !plain.includes(QUICKLIST_NODE_PACKED)) problems.push(`list:plain nodes ${plain}`);
  if (quicklistContainers(await dump('list:big')).length < 2) problems.push('list:big has a single node');
  return problems;
}
