// Helpers of the master-side replication tests: waiting for a value, and a set of writes of every
// kind (the rest is in test/support/replica.ts).

import type { RawClient } from './resp-client.js';
export { caughtUp, digest, field } from './replica.js';

/** Polls `fn` every 25 ms until it gives a value, and returns it (or throws after `ms`). */
export async function untilValue<T>(what: string, fn: () => Promise<T | null | undefined | false>, ms = 20000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Writes of every type, several databases, expiries, and writes whose keys span shards. */
export async function writeEverything(c: RawClient, tag: string): Promise<void> {
  const k = (s: string) => `${tag}:${s}`;
  await c.pipeline([
    ['SET', k('s'), 'v'],
    ['SET', k('n'), '10'],
    ['INCRBY', k('n'), '5'],
    ['INCRBYFLOAT', k('n'), '0.5'],
    ['SET', k('ttl'), 'x', 'EX', '1000'],
    ['RPUSH', k('l'), 'a', 'b', 'c', 'd'],
    ['LPOP', k('l')],
    ['HSET', k('h'), 'f1', 'v1', 'f2', 'v2'],
    ['HINCRBY', k('h'), 'n', '3'],
    ['SADD', k('si'), '1', '2', '3'],
    ['SADD', k('ss'), 'x', 'y', 'z'],
    ['SPOP', k('ss')],
    ['ZADD', k('z'), '1', 'a', '2.5', 'b', '-1', 'c'],
    ['ZINCRBY', k('z'), '2', 'a'],
    ['XADD', k('x'), '*', 'f', 'v'],
    ['XADD', k('x'), 'MAXLEN', '~', '10', '*', 'f', 'w'],
    ['MSET', k('m1'), '1', k('m2'), '2', k('m3'), '3', k('m4'), '4'],
    ['DEL', k('m1'), k('m2')],
    ['RENAME', k('m3'), k('renamed')],
    ['MULTI'],
    ['INCR', k('t1')],
    ['INCR', k('t2')],
    ['SET', k('t3'), 'x'],
    ['EXEC'],
    ['SUNIONSTORE', k('u'), k('si'), k('ss')],
    ['EVAL', "redis.call('set', KEYS[1], 'lua'); return redis.call('incr', KEYS[2])", '2', `{${tag}}a`, `{${tag}}b`],
    ['SELECT', '3'],
    ['SET', k('db3'), 'three'],
    ['HSET', k('db3h'), 'a', '1'],
    ['SELECT', '5'],
    ['SET', k('db5'), 'five'],
    ['FLUSHDB'],
    ['SET', k('db5b'), 'again'],
    ['SELECT', '0'],
    ['PEXPIRE', k('s'), '100000'],
    ['PERSIST', k('s')],
  ]);
}
