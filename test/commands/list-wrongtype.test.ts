// WRONGTYPE of every list command on a key of every other type, compared with redis-server (the
// replies, and the foreign key and the lists afterwards): LMOVE / RPOPLPUSH / LMPOP with the
// foreign key at each key position, with their lists on the foreign key's shard and (4 shards) on
// other shards, where the coordinated path runs. And the other types' writes on a list.
import t from 'tap';
import { diff, pair } from '../support/servers.js';
import { wrongTypeMatrix } from '../support/wrongtype.js';
import { spread } from '../support/keys.js';
import { shardOf } from '../../lib/slot.js';
import type { Cmd } from './list-cases.js';

/**
 * Every list command on the foreign key `k`; `a` and `b` are lists (made by the setup), `none` a
 * missing key. Argument errors that Redis reports before the lookup come with them.
 */
function listCommandsOn(k: string, a: string, b: string, none: string): Cmd[] {
  return [
    ['LPUSH', k, 'x'], ['RPUSH', k, 'x', 'y'], ['LPUSHX', k, 'x'], ['RPUSHX', k, 'x', 'y'],
    ['LPOP', k], ['LPOP', k, '2'], ['LPOP', k, '0'], ['LPOP', k, 'x'], ['LPOP', k, '1', '2'],
    ['RPOP', k], ['RPOP', k, '2'], ['RPOP', k, '0'], ['RPOP', k, '-1'],
    ['LLEN', k],
    ['LINDEX', k, '0'], ['LINDEX', k, '-1'], ['LINDEX', k, 'x'],
    ['LSET', k, '0', 'v'], ['LSET', k, '5', 'v'], ['LSET', k, 'x', 'v'],
    ['LRANGE', k, '0', '-1'], ['LRANGE', k, '5', '1'], ['LRANGE', k, 'x', '0'],
    ['LTRIM', k, '0', '1'], ['LTRIM', k, '1', '0'], ['LTRIM', k, 'x', '1'],
    ['LREM', k, '0', 'a'], ['LREM', k, '-1', 'zz'], ['LREM', k, 'x', 'a'],
    ['LINSERT', k, 'BEFORE', 'a', 'v'], ['LINSERT', k, 'AFTER', 'zz', 'v'], ['LINSERT', k, 'middle', 'a', 'v'],
    ['LPOS', k, 'a'], ['LPOS', k, 'a', 'COUNT', '0'], ['LPOS', k, 'a', 'RANK', '-1', 'MAXLEN', '1'], ['LPOS', k, 'a', 'RANK', '0'],
    // LMOVE / RPOPLPUSH: the foreign key as the source, as the destination, as both; a missing source
    ['LMOVE', k, a, 'LEFT', 'RIGHT'], ['LMOVE', k, a, 'RIGHT', 'LEFT'], ['LMOVE', a, k, 'RIGHT', 'LEFT'], ['LMOVE', a, k, 'LEFT', 'LEFT'],
    ['LMOVE', k, k, 'LEFT', 'LEFT'], ['LMOVE', none, k, 'LEFT', 'RIGHT'], ['LMOVE', k, a, 'MIDDLE', 'LEFT'], ['LMOVE', a, k, 'LEFT', 'UP'],
    ['RPOPLPUSH', k, a], ['RPOPLPUSH', a, k], ['RPOPLPUSH', k, k], ['RPOPLPUSH', none, k],
    // LMPOP: the foreign key at each of three positions, before and after a list and a missing key
    ['LMPOP', '1', k, 'LEFT'], ['LMPOP', '1', k, 'RIGHT', 'COUNT', '2'],
    ['LMPOP', '3', k, none, a, 'LEFT'], ['LMPOP', '3', none, k, a, 'LEFT'], ['LMPOP', '3', none, a, k, 'RIGHT', 'COUNT', '2'],
    ['LMPOP', '3', a, none, k, 'LEFT'], ['LMPOP', '3', none, none, k, 'LEFT'], ['LMPOP', '3', b, k, a, 'RIGHT', 'COUNT', '5'],
    ['LMPOP', '2', k, k, 'LEFT'], ['LMPOP', '2', none, k, 'MIDDLE'], ['LMPOP', '1', k, 'LEFT', 'COUNT', '0'],
    // the lists are untouched by the commands that failed
    ['LRANGE', a, '0', '-1'], ['LRANGE', b, '0', '-1'], ['EXISTS', none],
  ];
}

for (const shards of [1, 4]) {
  t.test(`list commands on the other types vs redis-server, ${shards} shard(s)`, async (t) => {
    const p = await pair(t, { shards });
    const lists = (a: string, b: string, none: string): Cmd[] => [
      ['DEL', a, b, none],
      ['RPUSH', a, '1', '2', '3', '4', '5', '6'],
      ['RPUSH', b, 'b'],
    ];

    await t.test('the lists on the foreign key\'s shard', (t) =>
      wrongTypeMatrix(t, p, {
        own: 'list',
        key: '{wt}k',
        setup: lists('{wt}a', '{wt}b', '{wt}none'),
        commands: (k) => listCommandsOn(k, '{wt}a', '{wt}b', '{wt}none'),
      }),
    );

    if (shards === 4) {
      await t.test('the lists on other shards', async (t) => {
        const [k, a, b, none] = spread('wt', 4, shards);
        t.equal(new Set([k, a, b, none].map((x) => shardOf(Buffer.from(x), shards))).size, 4, 'the four keys are on four shards');
        await wrongTypeMatrix(t, p, { own: 'list', key: k, setup: lists(a, b, none), commands: (k) => listCommandsOn(k, a, b, none) });
      });
    }

    await t.test('the other types\' writes on a list', (t) =>
      diff(t, p, [
        ['DEL', 'ol'],
        ['RPUSH', 'ol', 'a'],
        ['HSET', 'ol', 'f', 'v'], ['SADD', 'ol', 'm'], ['ZADD', 'ol', '1', 'm'], ['INCR', 'ol'], ['APPEND', 'ol', 'x'], ['GET', 'ol'],
        ['TYPE', 'ol'], ['LRANGE', 'ol', '0', '-1'],
        ['DEL', 'ol'],
      ]),
    );
  });
}
