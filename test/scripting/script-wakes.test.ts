// A script's writes wake the clients blocked on the keys it wrote, as every write does in Redis,
// whether the script declared those keys or computed them (BullMQ's and Bull's scripts push to
// keys built from a prefix), through EVAL, FCALL and EVAL in MULTI, in another database after
// SELECT, on 1 and 4
// shards. Each case blocks a client with a long timeout, waits until the server counts it as
// blocked, runs the script from another client, and compares the blocked client's reply with
// redis-server's: a client left blocked would answer its timeout's nil instead.
import t from 'tap';
import { startRedis, startRespdb } from '../support/servers.js';
import { RawClient, formatReply } from '../support/resp-client.js';

type Cmd = string[];

interface Case {
  name: string;
  /** the blocking command (its timeout long enough for any wake-up) */
  block: Cmd;
  /** what the other client runs */
  run: Cmd[];
  /** the database the blocked client selects first */
  db?: number;
}

const LIB = "#!lua name=wakelib\nredis.register_function('push_computed', function(keys, args) return redis.call('rpush', args[1], 'from-function') end)";

const CASES: Case[] = [
  { name: 'RPUSH to a key the script computes', block: ['BLPOP', 'computed-list', '10'], run: [['EVAL', "return redis.call('rpush', 'computed-' .. ARGV[1], 'x')", '0', 'list']] },
  { name: 'RPUSH to a declared key', block: ['BLPOP', 'declared-list', '10'], run: [['EVAL', "return redis.call('rpush', KEYS[1], 'x')", '1', 'declared-list']] },
  { name: 'RPUSH to a key other than the declared one', block: ['BLPOP', 'other-list', '10'], run: [['EVAL', "redis.call('set', KEYS[1], 'v') return redis.call('rpush', 'other-list', 'x')", '1', 'declared-string']] },
  { name: 'ZADD wakes BZPOPMIN', block: ['BZPOPMIN', 'computed-zset', '10'], run: [['EVAL', "return redis.call('zadd', 'computed-zset', 1, 'm')", '0']] },
  { name: 'XADD wakes XREAD BLOCK', block: ['XREAD', 'BLOCK', '10000', 'STREAMS', 'computed-stream', '$'], run: [['EVAL', "return redis.call('xadd', 'computed-stream', '5-1', 'f', 'v')", '0']] },
  { name: 'LMOVE into a computed key wakes BLMOVE', block: ['BLMOVE', 'moved-into', 'moved-dst', 'LEFT', 'RIGHT', '10'], run: [['RPUSH', 'moved-src', 'x'], ['EVAL', "return redis.call('lmove', KEYS[1], 'moved-into', 'LEFT', 'LEFT')", '1', 'moved-src']] },
  { name: 'FCALL pushing to a computed key', block: ['BLPOP', 'fn-list', '10'], run: [['FUNCTION', 'LOAD', 'REPLACE', LIB], ['FCALL', 'push_computed', '0', 'fn-list']] },
  { name: 'EVAL inside MULTI ... EXEC', block: ['BLPOP', 'multi-list', '10'], run: [['MULTI'], ['EVAL', "return redis.call('rpush', 'multi-' .. ARGV[1], 'x')", '0', 'list'], ['EXEC']] },
  { name: 'a write in another database after SELECT', db: 3, block: ['BLPOP', 'db3-list', '10'], run: [['EVAL', "redis.call('select', 3) return redis.call('rpush', 'db3-list', 'x')", '0']] },
];

async function blockedCount(c: RawClient): Promise<number> {
  const r = await c.send('INFO', 'clients');
  const text = r.t === 'bulk' && r.v ? r.v.toString('latin1') : r.t === 'verbatim' ? r.v : '';
  return Number(/blocked_clients:(\d+)/.exec(text)?.[1] ?? -1);
}

async function play(port: number, c: Case): Promise<string[]> {
  const blocked = await RawClient.connect(port, '127.0.0.1', { replyTimeoutMs: 20000 });
  const other = await RawClient.connect(port);
  try {
    await other.send('FLUSHALL');
    const out: string[] = [];
    if (c.db !== undefined) out.push(formatReply(await blocked.send('SELECT', String(c.db))));
    const reply = blocked.send(...c.block);
    for (let i = 0; i < 500 && (await blockedCount(other)) < 1; i++) await new Promise((r) => setTimeout(r, 10));
    out.push(`blocked: ${await blockedCount(other)}`);
    for (const cmd of c.run) out.push(formatReply(await other.send(...cmd)));
    out.push(`blocked client got: ${formatReply(await reply)}`);
    return out;
  } finally {
    await Promise.all([blocked.close(), other.close()]);
  }
}

for (const shards of [1, 4]) {
  t.test(`a script's writes wake blocked clients as in redis, ${shards} shard(s)`, async (t) => {
    const [redis, respdb] = await Promise.all([startRedis(), startRespdb({ shards })]);
    t.teardown(() => Promise.all([redis.stop(), respdb.stop()]));
    for (const c of CASES) {
      const [want, got] = await Promise.all([play(redis.port, c), play(respdb.port, c)]);
      t.same(got, want, c.name);
    }
  });
}
