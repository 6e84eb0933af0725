// WRONGTYPE and SORT's other types, compared with redis-server (the replies, and the foreign key
// afterwards): SORT and SORT_RO on a key of every other type than a list (a string and a hash
// fail, a set and a sorted set sort), SORT ... STORE onto a destination of every other type (it
// is replaced by a list), and BY / GET patterns naming keys of every type but a string (SORT's
// lookups read nil there, never an error). With 1 and 4 shards; on 4, with the keys on one shard
// (a hash tag) and spread over the shards.
import t from 'tap';
import { pair } from '../support/servers.js';
import { wrongTypeMatrix } from '../support/wrongtype.js';
import { spread } from '../support/keys.js';
import { shardOf } from '../../lib/slot.js';

type Cmd = string[];

/** SORT and SORT_RO sorting `k`; `dst` is a STORE destination (deleted first). */
function sortOn(k: string, dst: string): Cmd[] {
  return [
    ['SORT', k], ['SORT', k, 'ALPHA'], ['SORT', k, 'DESC', 'ALPHA'], ['SORT', k, 'ALPHA', 'LIMIT', '0', '1'],
    ['SORT', k, 'BY', 'w_*', 'GET', '#', 'GET', 'w_*'], ['SORT', k, 'ALPHA', 'STORE', dst], ['EXISTS', dst],
    ['SORT_RO', k], ['SORT_RO', k, 'ALPHA'], ['SORT_RO', k, 'BY', 'w_*', 'GET', '#'],
    // BY nosort only where the order is defined (a set's own order is Redis's hash order): with
    // STORE, which sorts a set, or an empty LIMIT
    ['SORT', k, 'BY', 'nosort', 'STORE', dst], ['LRANGE', dst, '0', '-1'], ['SORT_RO', k, 'BY', 'nosort', 'ALPHA', 'LIMIT', '0', '0'],
    // argument errors come before the key is read
    ['SORT', k, 'FOO'], ['SORT', k, 'LIMIT', 'x', '1'], ['SORT', k, 'LIMIT', '1'], ['SORT_RO', k, 'STORE', dst],
    ['DEL', dst],
  ];
}

/**
 * SORT ... STORE onto `k` from the list `src`, the set `set` and the missing key `none`: each
 * variant on a fresh foreign key (the first STORE replaces it).
 */
function storesOnto(src: string, set: string, none: string): Array<(k: string) => Cmd[]> {
  const after = (k: string): Cmd[] => [['TYPE', k], ['LRANGE', k, '0', '-1'], ['TTL', k]];
  return [
    (k) => [['SORT', src, 'STORE', k], ...after(k)],
    (k) => [['SORT', src, 'DESC', 'GET', '#', 'GET', 'nostar', 'STORE', k], ...after(k)],
    (k) => [['SORT', set, 'BY', 'nosort', 'STORE', k], ...after(k)],
    // nothing to store deletes the destination
    (k) => [['SORT', none, 'STORE', k], ['EXISTS', k]],
    // errors leave it alone
    (k) => [['SORT_RO', src, 'STORE', k], ['SORT', src, 'LIMIT', 'x', '0', 'STORE', k], ['SORT', src, 'BY', 'w_*', 'STORE', k, 'FOO']],
  ];
}

/**
 * BY and GET patterns over the list `src` (elements t and u) naming the key `${prefix}t` (the
 * foreign key) and `${prefix}u` (the string 5).
 */
function patternsOn(src: string, prefix: string): Cmd[] {
  const key = `${prefix}*`;
  const field = `${prefix}*->f`;
  return [
    ['SORT', src, 'BY', key], ['SORT', src, 'BY', key, 'DESC'], ['SORT', src, 'BY', key, 'ALPHA'], ['SORT', src, 'BY', field],
    ['SORT', src, 'BY', field, 'ALPHA', 'DESC'], ['SORT', src, 'ALPHA', 'GET', key], ['SORT', src, 'ALPHA', 'GET', field],
    ['SORT', src, 'ALPHA', 'GET', '#', 'GET', key, 'GET', field], ['SORT', src, 'BY', key, 'GET', field, 'GET', '#'],
    ['SORT_RO', src, 'BY', key, 'GET', key], ['SORT_RO', src, 'ALPHA', 'GET', field],
  ];
}

for (const shards of [1, 4]) {
  t.test(`SORT on the other types vs redis-server, ${shards} shard(s)`, async (t) => {
    const p = await pair(t, { shards });

    await t.test('SORT and SORT_RO on each other type', (t) =>
      wrongTypeMatrix(t, p, {
        own: 'list',
        key: '{wt}k',
        setup: [['DEL', '{wt}dst'], ['MSET', 'w_a', '2', 'w_b', '1']],
        commands: (k) => sortOn(k, '{wt}dst'),
      }),
    );

    const stores = [{ name: 'the sources on the destination\'s shard', keys: ['{wt}d', '{wt}src', '{wt}set', '{wt}none'], acrossShards: false }];
    if (shards === 4) stores.push({ name: 'the sources on other shards', keys: spread('st', 4, shards), acrossShards: true });
    for (const { name, keys, acrossShards } of stores) {
      const [d, src, set, none] = keys;
      await t.test(`SORT ... STORE onto each other type, ${name}`, async (t) => {
        if (acrossShards) t.equal(new Set(keys.map((x) => shardOf(Buffer.from(x), shards))).size, 4, 'the four keys are on four shards');
        for (const commands of storesOnto(src, set, none)) {
          await wrongTypeMatrix(t, p, {
            own: 'list',
            key: d,
            setup: [['DEL', src, set, none], ['RPUSH', src, '3', '1', '2'], ['SADD', set, 'c', 'a', 'b']],
            commands,
          });
        }
      });
    }

    await t.test('BY and GET patterns naming a key of each other type', (t) =>
      wrongTypeMatrix(t, p, {
        own: 'string',
        key: 'pt_t',
        setup: [['DEL', 'psrc', 'pt_u'], ['RPUSH', 'psrc', 't', 'u'], ['SET', 'pt_u', '5']],
        commands: () => patternsOn('psrc', 'pt_'),
      }),
    );
  });
}
