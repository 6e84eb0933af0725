// WRONGTYPE of every blocking command on a key of every other type, compared with redis-server
// (the replies, the foreign key and the own-type keys afterwards): the foreign key alone, before
// and after a non-empty key and after missing ones (the keys are looked at in order: a missing key
// is skipped, a non-empty one served), BLMOVE / BRPOPLPUSH with the foreign key as the source, the
// destination (an error when the source has an element; a wait, then nil, when it is missing) and
// both. Argument errors come first. Short timeouts: where Redis waits, both servers time out. With
// 1 and 4 shards; on 4, with the keys on one shard (a hash tag) and spread over the shards.
import t from 'tap';
import { pair } from '../support/servers.js';
import { wrongTypeMatrix } from '../support/wrongtype.js';
import { spread } from '../support/keys.js';
import { shardOf } from '../../lib/slot.js';

type Cmd = string[];
const T = '0.05';

/** The list commands on the foreign key `k`; `a` is a list, `none` and `none2` are missing. */
function listBlockingOn(k: string, a: string, none: string, none2: string): Cmd[] {
  const pops: Cmd[] = [];
  for (const name of ['BLPOP', 'BRPOP']) {
    pops.push(
      [name, k, T], [name, k, a, T], [name, a, k, T], [name, none, k, T], [name, none, none2, k, a, T], [name, k, k, T],
      [name, k, 'abc'], [name, k, '-1'],
    );
  }
  return [
    ...pops,
    ['BLMPOP', T, '1', k, 'LEFT'], ['BLMPOP', T, '1', k, 'RIGHT', 'COUNT', '2'], ['BLMPOP', T, '2', k, a, 'LEFT'],
    ['BLMPOP', T, '2', none, k, 'RIGHT'], ['BLMPOP', T, '3', none, none2, k, 'LEFT', 'COUNT', '5'], ['BLMPOP', T, '3', none, k, a, 'LEFT'],
    ['BLMPOP', T, '2', a, k, 'RIGHT'], ['BLMPOP', T, '1', k, 'MIDDLE'], ['BLMPOP', T, '1', k, 'LEFT', 'COUNT', '0'], ['BLMPOP', 'x', '1', k, 'LEFT'],
    ['BLMOVE', k, a, 'LEFT', 'RIGHT', T], ['BLMOVE', a, k, 'RIGHT', 'LEFT', T], ['BLMOVE', k, k, 'LEFT', 'LEFT', T],
    ['BLMOVE', none, k, 'LEFT', 'RIGHT', T], ['BLMOVE', k, a, 'UP', 'RIGHT', T], ['BLMOVE', a, k, 'LEFT', 'RIGHT', 'x'],
    ['BRPOPLPUSH', k, a, T], ['BRPOPLPUSH', a, k, T], ['BRPOPLPUSH', k, k, T], ['BRPOPLPUSH', none, k, T], ['BRPOPLPUSH', a, k, '-1'],
    // the list is untouched by the commands that failed, and served by the ones that did not
    ['LRANGE', a, '0', '-1'], ['EXISTS', none, none2],
  ];
}

/** The sorted-set commands on the foreign key `k`; `z` is a sorted set, `none` and `none2` are missing. */
function zsetBlockingOn(k: string, z: string, none: string, none2: string): Cmd[] {
  const pops: Cmd[] = [];
  for (const name of ['BZPOPMIN', 'BZPOPMAX']) {
    pops.push(
      [name, k, T], [name, k, z, T], [name, z, k, T], [name, none, k, T], [name, none, none2, k, z, T], [name, k, k, T],
      [name, k, 'abc'], [name, k, '-1'],
    );
  }
  return [
    ...pops,
    ['BZMPOP', T, '1', k, 'MIN'], ['BZMPOP', T, '1', k, 'MAX', 'COUNT', '2'], ['BZMPOP', T, '2', k, z, 'MIN'],
    ['BZMPOP', T, '2', none, k, 'MAX'], ['BZMPOP', T, '3', none, none2, k, 'MIN', 'COUNT', '5'], ['BZMPOP', T, '3', none, k, z, 'MIN'],
    ['BZMPOP', T, '2', z, k, 'MAX'], ['BZMPOP', T, '1', k, 'LEFT'], ['BZMPOP', T, '1', k, 'MIN', 'COUNT', '0'], ['BZMPOP', 'x', '1', k, 'MIN'],
    ['ZRANGE', z, '0', '-1', 'WITHSCORES'], ['EXISTS', none, none2],
  ];
}

for (const shards of [1, 4]) {
  t.test(`blocking commands on the other types vs redis-server, ${shards} shard(s)`, async (t) => {
    const p = await pair(t, { shards });
    const layouts = [{ name: 'the keys on the foreign key\'s shard', keys: ['{wt}k', '{wt}own', '{wt}none', '{wt}none2'], acrossShards: false }];
    if (shards === 4) layouts.push({ name: 'the keys on other shards', keys: spread('bw', 4, shards), acrossShards: true });
    for (const { name, keys, acrossShards } of layouts) {
      const [k, own, none, none2] = keys;
      if (acrossShards) t.equal(new Set(keys.map((x) => shardOf(Buffer.from(x), shards))).size, 4, 'the four keys are on four shards');
      await t.test(`list commands, ${name}`, (t) =>
        wrongTypeMatrix(t, p, {
          own: 'list',
          key: k,
          setup: [['DEL', own, none, none2], ['RPUSH', own, '1', '2', '3', '4', '5', '6', '7', '8', '9', '10', '11', '12']],
          commands: (k) => listBlockingOn(k, own, none, none2),
        }),
      );
      await t.test(`sorted-set commands, ${name}`, (t) =>
        wrongTypeMatrix(t, p, {
          own: 'zset',
          key: k,
          setup: [['DEL', own, none, none2], ['ZADD', own, '1', 'a', '2', 'b', '3', 'c', '4', 'd', '5', 'e', '6', 'f', '7', 'g', '8', 'h']],
          commands: (k) => zsetBlockingOn(k, own, none, none2),
        }),
      );
    }
  });
}
