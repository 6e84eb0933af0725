/**
 * The WRONGTYPE block every command family's test runs: each of the family's commands against a
 * key of every other type (and, for multi-key commands, with the foreign key at each key
 * position), replies and the foreign key afterwards compared with redis-server.
 */
import type { Test } from 'tap';
import { diff, type Pair } from './servers.js';

type Cmd = (string | Buffer)[];

/** How to create a key of each type (two elements / fields, so nothing is empty). */
export const MAKERS = {
  string: (k: string): Cmd => ['SET', k, 'x'],
  hash: (k: string): Cmd => ['HSET', k, 'f', 'v', 'g', 'w'],
  list: (k: string): Cmd => ['RPUSH', k, 'a', 'b'],
  set: (k: string): Cmd => ['SADD', k, 'a', 'b'],
  zset: (k: string): Cmd => ['ZADD', k, '1', 'a', '2', 'b'],
  stream: (k: string): Cmd => ['XADD', k, '1-1', 'f', 'v', 'g', 'w'],
} as const;

export type TypeName = keyof typeof MAKERS;

/** What shows that the foreign key is untouched: its type and its whole content. */
const DUMPERS: Record<TypeName, (k: string) => Cmd[]> = {
  string: (k) => [['TYPE', k], ['GET', k]],
  hash: (k) => [['TYPE', k], ['HGETALL', k]],
  list: (k) => [['TYPE', k], ['LRANGE', k, '0', '-1']],
  set: (k) => [['TYPE', k], ['SORT', k, 'ALPHA']],
  zset: (k) => [['TYPE', k], ['ZRANGE', k, '0', '-1', 'WITHSCORES']],
  stream: (k) => [['TYPE', k], ['XRANGE', k, '-', '+']],
};

/**
 * For every type but `own`, creates `key` as that type on both servers and diffs `commands(key)`
 * against redis-server, then compares the key afterwards (type and content) and deletes it. Use a key that hashes to
 * any shard: the commands' other keys (for multi-key commands) should be own-type keys made by
 * `setup` on the same shard (a hash tag: '{wt}own') or on another one, as the test wants.
 */
export async function wrongTypeMatrix(
  t: Test,
  p: Pick<Pair, 'redis' | 'respdb'>,
  opts: { own: TypeName; key: string; commands: (key: string) => Cmd[]; setup?: Cmd[] },
): Promise<void> {
  for (const type of Object.keys(MAKERS) as TypeName[]) {
    if (type === opts.own) continue;
    await t.test(`WRONGTYPE against a ${type}`, async (t) => {
      const make = MAKERS[type](opts.key);
      await diff(t, p, [['DEL', opts.key], make, ...(opts.setup ?? [])]);
      await diff(t, p, opts.commands(opts.key), { label: `on a ${type}` });
      await diff(t, p, [...DUMPERS[type](opts.key), ['DEL', opts.key]], { label: `the ${type} afterwards` });
    });
  }
}
