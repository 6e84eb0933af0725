// String commands on a key of every other type (hash, list, set, zset), compared with
// redis-server 7.0 (test/support/wrongtype.ts): every command that reads or writes a string
// answers WRONGTYPE (LCS its own error) and leaves the key as it was, with Redis's order of
// checks (argument errors that Redis finds before the lookup come first, GETEX's expire and
// INCRBYFLOAT's increment only after it). The commands Redis answers without WRONGTYPE are here
// too: SET without GET, SETEX, PSETEX and MSET replace the key, NX declines, MGET answers nil,
// MSETNX counts the key as existing. Multi-key commands have the foreign key at each key
// position, the other key on the same shard (a hash tag) and, with 4 shards, on another one.
import t from 'tap';
import { pair } from '../support/servers.js';
import { wrongTypeMatrix } from '../support/wrongtype.js';
import { shardOf } from '../../lib/slot.js';

type Cmd = (string | Buffer)[];

const KEY = '{wt}k';
/** Strings next to KEY: on its shard, and on another one (with 4 shards). */
const SAME = '{wt}s';
const OTHER = ['o0', 'o1', 'o2', 'o3', 'o4', 'o5', 'o6', 'o7'].find((k) => shardOf(Buffer.from(k), 4) !== shardOf(Buffer.from(KEY), 4))!;
/** Missing keys, on KEY's shard and on another one. */
const NEW = '{wt}n';
const NEW2 = OTHER + 'n';

const SETUP: Cmd[] = [
  ['SET', SAME, 'ohmytext'],
  ['SET', OTHER, 'mynewtext'],
  ['DEL', NEW, NEW2],
];

/** Commands that must leave the foreign key alone (WRONGTYPE, or an answer that reads it as "exists"). */
function untouched(k: string): Cmd[] {
  return [
    ['GET', k],
    ['GETSET', k, 'v'],
    ['GETDEL', k],
    ['GETEX', k],
    ['GETEX', k, 'EX', '100'],
    ['GETEX', k, 'PX', '100000'],
    ['GETEX', k, 'EXAT', '1'],
    ['GETEX', k, 'PXAT', '99999999999999'],
    ['GETEX', k, 'PERSIST'],
    ['GETEX', k, 'EX', 'abc'],
    ['GETEX', k, 'EX', '0'],
    ['GETEX', k, 'EX', '9223372036854775807'],
    ['GETEX', k, 'FOO'],
    ['APPEND', k, 'x'],
    ['APPEND', k, ''],
    ['STRLEN', k],
    ['GETRANGE', k, '0', '-1'],
    ['GETRANGE', k, '5', '1'],
    ['GETRANGE', k, 'x', '1'],
    ['SUBSTR', k, '0', '-1'],
    ['SETRANGE', k, '0', 'x'],
    ['SETRANGE', k, '0', ''],
    ['SETRANGE', k, '536870912', 'x'],
    ['SETRANGE', k, '-1', 'x'],
    ['SETRANGE', k, 'x', 'x'],
    ['INCR', k],
    ['DECR', k],
    ['INCRBY', k, '5'],
    ['INCRBY', k, 'abc'],
    ['DECRBY', k, '5'],
    ['DECRBY', k, '-9223372036854775808'],
    ['INCRBYFLOAT', k, '1.5'],
    ['INCRBYFLOAT', k, 'abc'],
    ['INCRBYFLOAT', k, 'inf'],
    ['SET', k, 'v', 'GET'],
    ['SET', k, 'v', 'GET', 'NX'],
    ['SET', k, 'v', 'XX', 'GET'],
    ['SET', k, 'v', 'GET', 'EX', '100'],
    ['SET', k, 'v', 'GET', 'PXAT', '1'],
    ['SET', k, 'v', 'GET', 'KEEPTTL'],
    ['SET', k, 'v', 'GET', 'EX', '0'],
    ['SET', k, 'v', 'NX'],
    ['SET', k, 'v', 'NX', 'EX', '100'],
    ['SETNX', k, 'v'],
    ['LCS', k, SAME],
    ['LCS', SAME, k],
    ['LCS', k, OTHER],
    ['LCS', OTHER, k],
    ['LCS', k, k],
    ['LCS', k, 'nokey'],
    ['LCS', 'nokey', k, 'LEN'],
    ['LCS', k, SAME, 'IDX', 'WITHMATCHLEN'],
    ['LCS', OTHER, k, 'IDX'],
    ['LCS', k, SAME, 'FOO'],
    ['LCS', k, OTHER, 'LEN', 'IDX'],
    ['MGET', k],
    ['MGET', k, SAME, OTHER],
    ['MGET', SAME, k, OTHER],
    ['MGET', OTHER, SAME, k],
    ['MSETNX', k, 'v', NEW, 'w'],
    ['MSETNX', NEW, 'w', k, 'v'],
    ['MSETNX', k, 'v', NEW2, 'w'],
    ['MSETNX', NEW2, 'w', k, 'v'],
    ['EXISTS', NEW, NEW2],
  ];
}

/** Writes that replace the foreign key (one scenario each: the key is made anew for every one). */
const REPLACING: Array<[string, (k: string) => Cmd[]]> = [
  ['SET', (k) => [['SET', k, 'v'], ['GET', k]]],
  ['SET XX', (k) => [['SET', k, 'v', 'XX'], ['GET', k]]],
  ['SET KEEPTTL', (k) => [['PEXPIRE', k, '100000'], ['SET', k, 'v', 'KEEPTTL'], ['GET', k], ['TTL', k]]],
  ['SET EX', (k) => [['SET', k, 'v', 'EX', '100'], ['GET', k], ['TTL', k]]],
  ['SET PXAT in the past', (k) => [['SET', k, 'v', 'PXAT', '1'], ['EXISTS', k]]],
  ['SET XX PXAT in the past', (k) => [['SET', k, 'v', 'XX', 'PXAT', '1'], ['EXISTS', k]]],
  ['SETEX', (k) => [['SETEX', k, '100', 'v'], ['GET', k], ['TTL', k]]],
  ['PSETEX', (k) => [['PSETEX', k, '100000', 'v'], ['GET', k], ['TTL', k]]],
  ['MSET, first key', (k) => [['MSET', k, 'v', SAME, 'w'], ['MGET', k, SAME]]],
  ['MSET, second key', (k) => [['MSET', SAME, 'w', k, 'v'], ['MGET', k, SAME]]],
  ['MSET across shards', (k) => [['MSET', OTHER, 'w', k, 'v', NEW2, 'x'], ['MGET', k, OTHER, NEW2]]],
];

for (const shards of [1, 4]) {
  t.test(`string commands on keys of other types vs redis-server, ${shards} shard(s)`, async (t) => {
    const p = await pair(t, { shards });
    if (shards === 4) t.not(shardOf(Buffer.from(OTHER), 4), shardOf(Buffer.from(KEY), 4), `${OTHER} is on another shard than ${KEY}`);
    await t.test('reads and conditional writes leave the key alone', (t) =>
      wrongTypeMatrix(t, p, { own: 'string', key: KEY, commands: untouched, setup: SETUP }),
    );
    for (const [name, commands] of REPLACING) {
      await t.test(`${name} replaces it`, (t) => wrongTypeMatrix(t, p, { own: 'string', key: KEY, commands, setup: SETUP }));
    }
  });
}
