// WRONGTYPE of every hash command on a key of every other type, compared with redis-server (the
// replies, and the foreign key afterwards), with the argument errors Redis reports before or after
// the key lookup; and the other types' writes on a hash. Run with 1 and 4 shards.
import t from 'tap';
import { diff, pair } from '../support/servers.js';
import { wrongTypeMatrix } from '../support/wrongtype.js';
import type { Cmd } from './hash-cases.js';

/** Every hash command on the foreign key `k`, reads and writes, some with bad arguments. */
function hashCommandsOn(k: string): Cmd[] {
  return [
    ['HSET', k, 'f', 'v'],
    ['HSET', k, 'f', 'v', 'g'],
    ['HMSET', k, 'f', 'v'],
    ['HMSET', k, 'f', 'v', 'g'],
    ['HSETNX', k, 'f', 'v'],
    ['HGET', k, 'f'],
    ['HMGET', k, 'f', 'g'],
    ['HDEL', k, 'f'],
    ['HDEL', k, 'f', 'g'],
    ['HLEN', k],
    ['HSTRLEN', k, 'f'],
    ['HEXISTS', k, 'f'],
    ['HKEYS', k],
    ['HVALS', k],
    ['HGETALL', k],
    ['HINCRBY', k, 'f', '1'],
    ['HINCRBY', k, 'f', 'x'],
    ['HINCRBY', k, 'f', '9223372036854775808'],
    ['HINCRBYFLOAT', k, 'f', '1'],
    ['HINCRBYFLOAT', k, 'f', 'x'],
    ['HINCRBYFLOAT', k, 'f', 'inf'],
    ['HRANDFIELD', k],
    ['HRANDFIELD', k, '2'],
    ['HRANDFIELD', k, '-5'],
    ['HRANDFIELD', k, '0'],
    ['HRANDFIELD', k, '2', 'WITHVALUES'],
    ['HRANDFIELD', k, 'x'],
    ['HRANDFIELD', k, '1', 'FOO'],
    ['HRANDFIELD', k, '-9223372036854775808'],
    ['HRANDFIELD', k, '4611686018427387904', 'WITHVALUES'],
    ['HSCAN', k, '0'],
    ['HSCAN', k, 'x'],
    ['HSCAN', k, '0', 'COUNT', '0'],
    ['HSCAN', k, '0', 'MATCH', '*', 'COUNT', '5'],
    ['HSCAN', k, '0', 'FOO'],
  ];
}

for (const shards of [1, 4]) {
  t.test(`hash commands on the other types vs redis-server, ${shards} shard(s)`, async (t) => {
    const p = await pair(t, { shards });

    await t.test('every hash command on a key of another type', (t) =>
      wrongTypeMatrix(t, p, { own: 'hash', key: 'wt:k', commands: hashCommandsOn }),
    );

    await t.test("the other types' writes on a hash", (t) =>
      diff(t, p, [
        ['DEL', 'oh'],
        ['HSET', 'oh', 'f', 'v'],
        ['SET', 'oh', 'x', 'NX'], ['APPEND', 'oh', 'x'], ['INCR', 'oh'], ['GET', 'oh'],
        ['LPUSH', 'oh', 'a'], ['SADD', 'oh', 'm'], ['ZADD', 'oh', '1', 'm'],
        ['TYPE', 'oh'], ['HGETALL', 'oh'],
        ['DEL', 'oh'],
      ]),
    );
  });
}
