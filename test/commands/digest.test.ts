// DEBUG DIGEST and DEBUG DIGEST-VALUE against redis-server holding the same data, on 1 and 4
// shards: every type and encoding, expiries, several databases; the empty dataset, missing keys,
// and the digest changing with any change of a value, an expiry or a database.
import t, { type Test } from 'tap';
import { pair, type Pair } from '../support/servers.js';
import { formatReply } from '../support/resp-client.js';
import { DATASET, KEYS } from './dataset.js';
import type { Cmd } from './keyspace-support.js';

async function both(p: Pair, cmds: Cmd[]): Promise<void> {
  await p.redis.pipeline(cmds);
  await p.respdb.pipeline(cmds);
}

async function same(t: Test, p: Pair, cmd: Cmd, what: string): Promise<string> {
  const r = formatReply(await p.redis.send(...cmd));
  const d = formatReply(await p.respdb.send(...cmd));
  t.equal(d, r, what);
  return d;
}

for (const shards of [1, 4]) {
  t.test(`DEBUG DIGEST / DIGEST-VALUE equal redis-server's (${shards} shard${shards > 1 ? 's' : ''})`, async (t) => {
    const p = await pair(t, { shards, redisArgs: ['--enable-debug-command', 'yes'] });
    const empty = await same(t, p, ['DEBUG', 'DIGEST'], 'empty dataset');
    t.equal(empty, `+"${"0".repeat(40)}"`);
    await same(t, p, ['DEBUG', 'DIGEST-VALUE'], 'no keys');
    await both(p, DATASET);
    for (const [k, enc] of KEYS) t.equal(formatReply(await p.respdb.send('OBJECT', 'ENCODING', k)), formatReply(await p.redis.send('OBJECT', 'ENCODING', k)), `${k} is ${enc} on both`);
    const full = await same(t, p, ['DEBUG', 'DIGEST'], 'every type and encoding, 3 databases');
    t.not(full, empty);
    await same(t, p, ['DEBUG', 'DIGEST-VALUE', ...KEYS.map(([k]) => k), 'missing'], 'each value (missing: zeros)');
    await same(t, p, ['DEBUG', 'DIGEST-VALUE', 's:int', 's:int'], 'a key twice');
    // any change shows
    const changes: Cmd[][] = [
      [['HSET', 'h:small', 'f1', 'other']],
      [['PERSIST', 'ttl:s']],
      [['EXPIRE', 's:int', '1000']],
      [['ZADD', 'z:small', '2', 'a']],
      [['LSET', 'l:small', '0', 'z']],
      [['XADD', 'x:empty', '9-0', 'a', 'b']],
      [['SELECT', '3'], ['MOVE', 'db3:s', '4'], ['SELECT', '0']],
      [['SWAPDB', '0', '9']],
      [['SELECT', '9'], ['DEL', 'l:big'], ['SELECT', '0']],
    ];
    let last = full;
    for (const c of changes) {
      await both(p, c);
      const d = await same(t, p, ['DEBUG', 'DIGEST'], `after ${c.map((x) => x.join(' ')).join('; ')}`);
      t.not(d, last, 'the digest changed');
      last = d;
    }
    await both(p, [['FLUSHALL']]);
    t.equal(await same(t, p, ['DEBUG', 'DIGEST'], 'flushed'), empty);
    await same(t, p, ['DEBUG', 'DIGEST', 'x'], 'DIGEST takes no argument');
  });
}
