// WRONGTYPE of every sorted set command on a key of every other type, compared with redis-server
// (the replies, and the foreign key and the sorted sets afterwards). The multi-key commands
// (ZUNION / ZINTER / ZDIFF [STORE], ZINTERCARD, ZRANGESTORE, ZMPOP, BZMPOP) with the foreign key
// at each key position, the destination included; a plain set is a valid source of the set
// operations, which the set rows show. Their sorted sets on the foreign key's shard and (4 shards)
// on other shards, where the coordinated path runs. And the other types' writes on a sorted set.
import t, { type Test } from 'tap';
import { diff, pair, type Pair } from '../support/servers.js';
import { wrongTypeMatrix } from '../support/wrongtype.js';
import { spread } from '../support/keys.js';
import { shardOf } from '../../lib/slot.js';
import type { Cmd } from './zset-support.js';

/** Every single-key sorted set command on `k`; argument errors Redis reports before the lookup come with them. */
function singleKeyCommands(k: string): Cmd[] {
  return [
    ['ZADD', k, '1', 'a'], ['ZADD', k, 'XX', '1', 'a'], ['ZADD', k, 'NX', 'CH', '1', 'a', '2', 'b'], ['ZADD', k, 'GT', 'INCR', '1', 'a'],
    ['ZADD', k, 'x', 'a'], ['ZADD', k, 'NX', 'XX', '1', 'a'], ['ZADD', k, '1'],
    ['ZINCRBY', k, '1', 'a'], ['ZINCRBY', k, 'x', 'a'],
    ['ZREM', k, 'a'], ['ZREM', k, 'a', 'b'],
    ['ZCARD', k], ['ZSCORE', k, 'a'], ['ZMSCORE', k, 'a', 'b'], ['ZRANK', k, 'a'], ['ZREVRANK', k, 'a'],
    ['ZCOUNT', k, '0', '1'], ['ZCOUNT', k, 'x', '1'], ['ZLEXCOUNT', k, '-', '+'], ['ZLEXCOUNT', k, 'x', '+'],
    ['ZRANGE', k, '0', '-1'], ['ZRANGE', k, '0', '-1', 'WITHSCORES'], ['ZRANGE', k, '(0', '+inf', 'BYSCORE', 'LIMIT', '0', '1'],
    ['ZRANGE', k, '+', '-', 'BYLEX', 'REV'], ['ZRANGE', k, 'x', '1'], ['ZRANGE', k, '0', '1', 'foo'],
    ['ZRANGEBYSCORE', k, '0', '1'], ['ZREVRANGEBYSCORE', k, '1', '0', 'WITHSCORES'], ['ZRANGEBYLEX', k, '-', '+'],
    ['ZREVRANGEBYLEX', k, '+', '-', 'LIMIT', '0', '1'], ['ZREVRANGE', k, '0', '1'],
    ['ZREMRANGEBYRANK', k, '0', '1'], ['ZREMRANGEBYSCORE', k, '0', '1'], ['ZREMRANGEBYLEX', k, '-', '+'], ['ZREMRANGEBYRANK', k, 'x', '1'],
    ['ZPOPMIN', k], ['ZPOPMIN', k, '0'], ['ZPOPMAX', k, '2'], ['ZPOPMAX', k, '-1'],
    ['ZRANDMEMBER', k], ['ZRANDMEMBER', k, '2'], ['ZRANDMEMBER', k, '-2', 'WITHSCORES'], ['ZRANDMEMBER', k, '0'], ['ZRANDMEMBER', k, 'x'],
    ['ZSCAN', k, '0'], ['ZSCAN', k, 'x'], ['ZSCAN', k, '0', 'COUNT', '0'],
    ['BZPOPMIN', k, '0.01'], ['BZPOPMAX', k, '0.01'],
    ['TYPE', k],
  ];
}

/**
 * The multi-key commands with the foreign key `k` as a source, at each position; `a` and `b` are
 * sorted sets, `none` a missing key, `dst` a sorted set as the destination (left untouched when
 * the command fails).
 */
function sourceCommands(k: string, a: string, b: string, none: string, dst: string): Cmd[] {
  const out: Cmd[] = [];
  for (const op of ['ZUNION', 'ZINTER', 'ZDIFF']) {
    out.push([op, '1', k], [op, '2', k, a], [op, '2', a, k], [op, '2', a, k, 'WITHSCORES'], [op, '3', none, a, k], [op, '3', b, k, none], [op, '2', k, k]);
  }
  // the key types are checked before the options are parsed
  out.push(['ZUNION', '1', k, 'bogus'], ['ZINTER', '2', a, k, 'WEIGHTS', 'x', '1'], ['ZUNION', '2', k, a, 'AGGREGATE', 'foo'], ['ZUNION', '0', k]);
  out.push(['ZINTERCARD', '1', k], ['ZINTERCARD', '2', k, a], ['ZINTERCARD', '2', a, k, 'LIMIT', '1'], ['ZINTERCARD', '3', none, a, k]);
  for (const op of ['ZUNIONSTORE', 'ZINTERSTORE', 'ZDIFFSTORE']) {
    out.push([op, dst, '1', k], [op, dst, '2', k, a], [op, dst, '2', a, k], [op, dst, '3', a, none, k], [op, dst, '2', b, k, 'WITHSCORES']);
  }
  out.push(['ZRANGESTORE', dst, k, '0', '-1'], ['ZRANGESTORE', dst, k, '(0', '+inf', 'BYSCORE'], ['ZRANGESTORE', dst, k, 'x', '1']);
  // ZMPOP / BZMPOP try their keys in order: a sorted set before the foreign key is popped
  out.push(
    ['ZMPOP', '1', k, 'MIN'], ['ZMPOP', '2', k, a, 'MAX'], ['ZMPOP', '2', none, k, 'MIN', 'COUNT', '2'], ['ZMPOP', '3', none, none, k, 'MAX'],
    ['ZMPOP', '2', a, k, 'MIN'], ['ZMPOP', '2', k, a, 'FOO'],
    ['BZMPOP', '0.01', '1', k, 'MIN'], ['BZMPOP', '0.01', '2', none, k, 'MAX'], ['BZMPOP', '0.01', '2', b, k, 'MAX', 'COUNT', '1'],
    ['BZPOPMIN', none, k, '0.01'], ['BZPOPMAX', b, k, '0.01'],
  );
  out.push(['ZRANGE', a, '0', '-1', 'WITHSCORES'], ['ZRANGE', b, '0', '-1', 'WITHSCORES'], ['ZRANGE', dst, '0', '-1', 'WITHSCORES'], ['EXISTS', none]);
  // a missing destination (last: a plain set source creates it)
  out.push(['ZRANGESTORE', none, k, '0', '1'], ['ZUNIONSTORE', none, '2', a, k], ['EXISTS', none], ['ZRANGE', none, '0', '-1', 'WITHSCORES']);
  return out;
}

/** The commands that write the foreign key `k` as their destination: each one on a fresh foreign key. */
function destinationCommands(k: string, a: string, b: string, none: string): Cmd[] {
  return [
    ['ZUNIONSTORE', k, '1', a], ['ZUNIONSTORE', k, '2', a, b], ['ZINTERSTORE', k, '2', a, b, 'WEIGHTS', '2', '3'], ['ZDIFFSTORE', k, '2', a, b],
    // the foreign key as the destination and a source (a plain set is a valid source)
    ['ZUNIONSTORE', k, '2', k, a], ['ZINTERSTORE', k, '2', a, k], ['ZDIFFSTORE', k, '1', k],
    // an empty result deletes the destination
    ['ZINTERSTORE', k, '2', a, none], ['ZRANGESTORE', k, none, '0', '-1'],
    ['ZRANGESTORE', k, a, '0', '-1'], ['ZRANGESTORE', k, b, '(0', '+inf', 'BYSCORE', 'LIMIT', '0', '1'],
  ];
}

async function matrices(t: Test, p: Pair, k: string, a: string, b: string, none: string, dst: string): Promise<void> {
  const setup: Cmd[] = [
    ['DEL', a, b, none, dst],
    ['ZADD', a, '1', 'a', '2', 'b', '3', 'x'],
    ['ZADD', b, '2', 'b', '5', 'q'],
    ['ZADD', dst, '9', 'old'],
  ];
  await t.test('single-key commands', (t) => wrongTypeMatrix(t, p, { own: 'zset', key: k, commands: singleKeyCommands }));
  await t.test('the foreign key as a source', (t) =>
    wrongTypeMatrix(t, p, { own: 'zset', key: k, setup, commands: (k) => sourceCommands(k, a, b, none, dst) }),
  );
  for (const cmd of destinationCommands('K', a, b, none)) {
    const shown = cmd.map((x) => (x === 'K' ? 'k' : x)).join(' ');
    await t.test(`the foreign key as the destination: ${shown}`, (t) =>
      wrongTypeMatrix(t, p, {
        own: 'zset',
        key: k,
        setup,
        commands: (k) => [
          cmd.map((x) => (x === 'K' ? k : x)),
          ['TYPE', k], ['ZRANGE', k, '0', '-1', 'WITHSCORES'], ['OBJECT', 'ENCODING', k],
          ['ZRANGE', a, '0', '-1', 'WITHSCORES'], ['ZRANGE', b, '0', '-1', 'WITHSCORES'],
        ],
      }),
    );
  }
}

for (const shards of [1, 4]) {
  t.test(`sorted set commands on the other types vs redis-server, ${shards} shard(s)`, async (t) => {
    const p = await pair(t, { shards });

    await t.test("the sorted sets on the foreign key's shard", (t) => matrices(t, p, '{wt}k', '{wt}a', '{wt}b', '{wt}none', '{wt}dst'));

    if (shards === 4) {
      await t.test('the sorted sets on other shards', async (t) => {
        const [k, a, b, none, dst] = spread('wz', 5, shards);
        t.equal(new Set([k, a, b, none].map((x) => shardOf(Buffer.from(x), shards))).size, 4, 'four of the keys are on four shards');
        await matrices(t, p, k, a, b, none, dst);
      });
    }

    await t.test("the other types' writes on a sorted set", (t) =>
      diff(t, p, [
        ['DEL', 'oz'],
        ['ZADD', 'oz', '1', 'a'],
        ['HSET', 'oz', 'f', 'v'], ['SADD', 'oz', 'm'], ['RPUSH', 'oz', 'x'], ['LPOP', 'oz'], ['SMEMBERS', 'oz'], ['HGET', 'oz', 'f'],
        ['INCR', 'oz'], ['APPEND', 'oz', 'x'], ['GET', 'oz'], ['SETRANGE', 'oz', '0', 'x'],
        ['TYPE', 'oz'], ['ZRANGE', 'oz', '0', '-1', 'WITHSCORES'],
        ['SET', 'oz', 'v'], ['TYPE', 'oz'],
        ['DEL', 'oz'],
      ]),
    );
  });
}
