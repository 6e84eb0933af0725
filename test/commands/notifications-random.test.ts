// The exact stream of `PSUBSCRIBE __key*__:*` for long random sequences of write commands of every
// type (and reads), run on redis-server 7.0 and respdb with the same notify-keyspace-events, 1 and
// 4 shards: every command's reply and the events it caused must be the same, in the same order.
// Keys on one shard and across shards (multi-key commands span shards with 4 of them), expiring
// keys (long TTLs, and expiries in the past, which delete at once), transactions (MULTI ... EXEC).
import t, { type Test } from 'tap';
import { pair } from '../support/servers.js';
import { closeStreams, eventDiff, openStreams } from './notifications-support.js';

type Cmd = string[];

/** A small seeded generator (mulberry32), so a failing sequence can be replayed from its seed. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let r = Math.imul(a ^ (a >>> 15), 1 | a);
    r = (r + Math.imul(r ^ (r >>> 7), 61 | r)) ^ r;
    return ((r ^ (r >>> 14)) >>> 0) / 4294967296;
  };
}

const KEYS = ['k0', 'k1', 'k2', 'k3', 'k4', '{t}a', '{t}b', '{t}c'];
const VALUES = ['a', 'b', 'c', '1', '2', '10', '-3', '2.5', ''];

/** Commands whose replies and effects are deterministic (no SPOP of several members, no SMEMBERS order). */
function generator(seed: number, opts: { keymiss: boolean }): () => Cmd | Cmd[] {
  const r = rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];
  const key = (): string => pick(KEYS);
  const val = (): string => pick(VALUES);
  const int = (lo: number, hi: number): string => String(lo + Math.floor(r() * (hi - lo + 1)));
  const keys = (n: number): string[] => Array.from({ length: 1 + Math.floor(r() * n) }, key);
  const side = (): string => pick(['LEFT', 'RIGHT']);
  const gens: Array<() => Cmd> = [
    // strings
    () => ['SET', key(), val(), ...pick([[], ['NX'], ['XX'], ['GET'], ['KEEPTTL'], ['EX', '100'], ['PX', '100000'], ['XX', 'GET', 'EX', '50']])],
    () => ['SETNX', key(), val()],
    () => ['SETEX', key(), '100', val()],
    () => ['GETSET', key(), val()],
    () => ['GETDEL', key()],
    () => ['GETEX', key(), ...pick([[], ['EX', '100'], ['PERSIST'], ['PXAT', '1']])],
    () => ['MSET', ...keys(3).flatMap((k) => [k, val()])],
    () => ['MSETNX', ...keys(3).flatMap((k) => [k, val()])],
    () => ['APPEND', key(), val()],
    () => [pick(['INCR', 'DECR']), key()],
    () => [pick(['INCRBY', 'DECRBY']), key(), int(-5, 5)],
    () => ['INCRBYFLOAT', key(), pick(['1.5', '-2', '0'])],
    () => ['SETRANGE', key(), int(0, 3), val()],
    () => ['GET', key()],
    () => ['MGET', ...keys(3)],
    // keyspace
    () => ['DEL', ...keys(3)],
    () => ['UNLINK', ...keys(2)],
    () => ['EXISTS', ...keys(3)],
    () => ['EXPIRE', key(), pick(['100', '0', '-1'])],
    () => ['PEXPIREAT', key(), pick(['1', '99999999999999'])],
    () => ['EXPIRE', key(), '200', pick(['NX', 'XX', 'GT', 'LT'])],
    () => ['PERSIST', key()],
    () => [pick(['RENAME', 'RENAMENX']), key(), key()],
    () => ['COPY', key(), key(), ...pick([[], ['REPLACE'], ['DB', '1'], ['DB', '1', 'REPLACE']])],
    () => ['MOVE', key(), '1'],
    () => ['TYPE', key()],
    () => ['TTL', key()],
    // lists
    () => [pick(['LPUSH', 'RPUSH', 'LPUSHX', 'RPUSHX']), key(), ...Array.from({ length: 1 + Math.floor(r() * 3) }, val)],
    () => [pick(['LPOP', 'RPOP']), key(), ...pick([[], ['1'], ['2'], ['0'], ['10']])],
    () => ['LINSERT', key(), pick(['BEFORE', 'AFTER']), val(), val()],
    () => ['LSET', key(), int(-2, 2), val()],
    () => ['LREM', key(), int(-2, 2), val()],
    () => ['LTRIM', key(), int(-3, 2), int(-3, 2)],
    () => ['LMOVE', key(), key(), side(), side()],
    () => ['RPOPLPUSH', key(), key()],
    () => ['LMPOP', '2', key(), key(), side(), ...pick([[], ['COUNT', '2']])],
    () => ['BLPOP', key(), key(), '0.01'],
    () => ['BLMOVE', key(), key(), side(), side(), '0.01'],
    () => ['LRANGE', key(), '0', '-1'],
    // hashes
    () => ['HSET', key(), ...Array.from({ length: 1 + Math.floor(r() * 2) }, () => [pick(['f', 'g', 'h']), val()]).flat()],
    () => ['HSETNX', key(), pick(['f', 'g']), val()],
    () => ['HDEL', key(), pick(['f', 'g', 'h']), pick(['f', 'x'])],
    () => ['HINCRBY', key(), pick(['f', 'n']), int(-3, 3)],
    () => ['HINCRBYFLOAT', key(), pick(['f', 'n']), '1.5'],
    () => ['HGET', key(), 'f'],
    // sets
    () => ['SADD', key(), ...Array.from({ length: 1 + Math.floor(r() * 3) }, val)],
    () => ['SREM', key(), val(), val()],
    () => ['SMOVE', key(), key(), val()],
    () => [pick(['SINTERSTORE', 'SUNIONSTORE', 'SDIFFSTORE']), key(), ...keys(2)],
    () => ['SCARD', key()],
    () => ['SISMEMBER', key(), val()],
    // sorted sets
    () => ['ZADD', key(), ...pick([[], ['NX'], ['XX'], ['CH'], ['GT'], ['LT']]), ...Array.from({ length: 1 + Math.floor(r() * 2) }, () => [int(0, 5), val()]).flat()],
    () => ['ZADD', key(), 'INCR', int(-2, 2), val()],
    () => ['ZINCRBY', key(), int(-2, 2), val()],
    () => ['ZREM', key(), val(), val()],
    () => ['ZREMRANGEBYSCORE', key(), int(0, 3), int(2, 5)],
    () => ['ZREMRANGEBYRANK', key(), int(-2, 1), int(0, 2)],
    () => ['ZREMRANGEBYLEX', key(), pick(['-', '[a', '(b']), pick(['+', '[c', '(b'])],
    () => [pick(['ZPOPMIN', 'ZPOPMAX']), key(), ...pick([[], ['2']])],
    () => ['ZMPOP', '2', key(), key(), pick(['MIN', 'MAX'])],
    () => [pick(['ZUNIONSTORE', 'ZINTERSTORE', 'ZDIFFSTORE']), key(), '2', key(), key()],
    () => ['ZRANGESTORE', key(), key(), '0', int(-1, 2)],
    () => ['ZSCORE', key(), val()],
    // SORT ... STORE (its lookups of the source are keymiss events in Redis: not with m)
    ...(opts.keymiss ? [] : [() => ['SORT', key(), 'ALPHA', 'STORE', key()]]),
  ];
  const one = (): Cmd => pick(gens)();
  // now and then a transaction: MULTI, a few commands, EXEC (sent as one pipeline)
  return () => (r() < 0.04 ? [['MULTI'], ...Array.from({ length: 1 + Math.floor(r() * 5) }, one).filter((x) => !x[0].startsWith('B')), ['EXEC']] : one());
}

async function run(t: Test, shards: number, classes: string, seed: number, count: number, keymiss: boolean): Promise<void> {
  const p = await pair(t, { shards });
  for (const c of [p.redis, p.respdb]) t.equal((await c.send('CONFIG', 'SET', 'notify-keyspace-events', classes)).t, 'simple');
  const s = await openStreams(p);
  t.teardown(() => closeStreams(s));
  const next = generator(seed, { keymiss });
  const cmds = Array.from({ length: count }, next);
  const d = await eventDiff(p, s, cmds);
  t.equal(d, null, `${shards} shard(s), ${classes}, seed ${seed}: ${d ?? 'same stream'}`);
}

const seed = Number(process.env.NOTIFY_SEED ?? Date.now() % 1_000_000);

for (const shards of [1, 4]) {
  t.test(`random writes, ${shards} shard(s), KEA`, (t) => run(t, shards, 'KEA', seed + shards, 1500, false));
  t.test(`random writes, ${shards} shard(s), KEAn (new)`, (t) => run(t, shards, 'KEAn', seed + 10 + shards, 800, false));
}
// keymiss: the lookups of cross-shard commands run in their steps, without keymiss events (docs/design.md)
t.test('random writes and reads, 1 shard, KEAmn', (t) => run(t, 1, 'AKEmn', seed + 20, 1500, true));
