// ioredis `defineCommand`, unchanged, on redis-server and on respdb with 1 and 4 shards: custom
// commands that read, write, move values between keys of one hash tag and between keys of
// different shards, take their key count per call, return RESP3 types and fail; called one by
// one, pipelined (ioredis loads missing scripts with SCRIPT EXISTS / SCRIPT LOAD first), inside
// MULTI, after SCRIPT FLUSH (EVALSHA's NOSCRIPT, then EVAL), over RESP2 and RESP3 connections.
// Every outcome (reply or error text) must equal redis-server's.
import t from 'tap';
import { Redis } from 'ioredis';
import { shardOf } from '../../lib/slot.js';
import { outcome, plain, runOnEach, type Outcome, type Target } from './libraries-support.js';

interface Custom {
  readPair(a: string, h: string): Promise<unknown>;
  incrCapped(key: string, by: number, cap: number): Promise<unknown>;
  transfer(from: string, to: string, amount: number): Promise<unknown>;
  sumKeys(n: number, ...keysThenArgs: (string | number)[]): Promise<unknown>;
  failRuntime(key: string): Promise<unknown>;
  failReply(): Promise<unknown>;
  failCompile(): Promise<unknown>;
  resp3Types(h: string): Promise<unknown>;
}
type Client = Redis & Custom;

const COMMANDS: Record<keyof Custom, { lua: string; numberOfKeys?: number; readOnly?: boolean }> = {
  readPair: {
    numberOfKeys: 2,
    readOnly: true,
    lua: `return {redis.call('GET', KEYS[1]), redis.call('HGETALL', KEYS[2]), redis.call('EXISTS', 'nothing-here'), redis.call('GET', 'nothing-here')}`,
  },
  incrCapped: {
    numberOfKeys: 1,
    lua: `
      local cur = tonumber(redis.call('GET', KEYS[1]) or '0')
      local by, cap = tonumber(ARGV[1]), tonumber(ARGV[2])
      if cur + by > cap then return redis.error_reply('CAPPED at ' .. cap) end
      return redis.call('INCRBY', KEYS[1], by)`,
  },
  transfer: {
    numberOfKeys: 2,
    lua: `
      local amount = tonumber(ARGV[1])
      local have = tonumber(redis.call('GET', KEYS[1]) or '0')
      if have < amount then return {err = 'INSUFFICIENT ' .. have} end
      redis.call('DECRBY', KEYS[1], amount)
      redis.call('INCRBY', KEYS[2], amount)
      return {redis.call('GET', KEYS[1]), redis.call('GET', KEYS[2]), {ok = 'MOVED'}, 3.99, true, false}`,
  },
  sumKeys: {
    lua: `
      local s = 0
      for i = 1, #KEYS do s = s + tonumber(redis.call('GET', KEYS[i]) or ARGV[1]) end
      redis.call('SET', KEYS[1] .. ':sum', s)
      return {#KEYS, #ARGV, s}`,
  },
  failRuntime: {
    numberOfKeys: 1,
    lua: `redis.call('SET', KEYS[1], 'text')
      return redis.call('INCR', KEYS[1])`,
  },
  failReply: { numberOfKeys: 0, lua: `return redis.error_reply('MYERR something went wrong')` },
  failCompile: { numberOfKeys: 0, lua: `return (` },
  resp3Types: {
    numberOfKeys: 1,
    lua: `
      redis.setresp(3)
      local m = redis.call('HGETALL', KEYS[1])
      return {m, {double = 2.5}, redis.call('SMEMBERS', 'no-such-set'), {big_number = '123456789012345678901234567890'}}`,
  },
};

function client(target: Target, protocol: 2 | 3): Client {
  // Under RESP3, maps arrive as objects and doubles as numbers, so a map and an array differ.
  const mapping = protocol === 3 ? { replyMapping: 'resp3' as const } : {};
  const r = new Redis({ host: target.host, port: target.port, protocol, ...mapping, lazyConnect: true, maxRetriesPerRequest: 1 });
  for (const [name, def] of Object.entries(COMMANDS)) r.defineCommand(name, def);
  return r as Client;
}

async function scenario(target: Target, protocol: 2 | 3): Promise<Record<string, Outcome | unknown>> {
  const r = client(target, protocol);
  const log: Record<string, Outcome | unknown> = {};
  try {
    await r.connect();
    await r.flushall();
    await r.set('plain', 'value');
    await r.hset('h', 'a', '1', 'b', '2');
    await r.set('{acct}:a', '100');
    await r.set('acct-a', '100');
    await r.mset('n1', '1', 'n2', '2', 'n3', '3');

    log.read = await outcome(() => r.readPair('plain', 'h'));
    for (let i = 0; i < 4; i++) log[`write ${i}`] = await outcome(() => r.incrCapped('counter', 5, 12));
    for (let i = 0; i < 4; i++) log[`tagged ${i}`] = await outcome(() => r.transfer('{acct}:a', '{acct}:b', 30));
    for (let i = 0; i < 4; i++) log[`untagged ${i}`] = await outcome(() => r.transfer('acct-a', 'acct-b', 30));
    log.dynamic = await outcome(() => r.sumKeys(4, 'n1', 'n2', 'n3', 'n4', 10, 'extra'));
    log['dynamic sum'] = await r.get('n1:sum');
    log['error runtime'] = await outcome(() => r.failRuntime('s'));
    log['error reply'] = await outcome(() => r.failReply());
    log['error compile'] = await outcome(() => r.failCompile());
    log.resp3 = await outcome(() => r.resp3Types('h'));
    log['wrong numkeys'] = await outcome(() => r.sumKeys(5, 'only-one'));

    // EVALSHA after SCRIPT FLUSH answers NOSCRIPT; ioredis sends EVAL and goes on.
    log.flush = await r.script('FLUSH');
    log['after flush'] = await outcome(() => r.readPair('plain', 'h'));
    log['after flush write'] = await outcome(() => r.incrCapped('counter2', 1, 5));

    // Pipelined: ioredis asks SCRIPT EXISTS for the pipeline's scripts and SCRIPT LOADs the missing.
    await r.script('FLUSH');
    const p = r.pipeline() as unknown as Custom & { exec(): Promise<unknown>; get(k: string): unknown };
    for (let i = 0; i < 5; i++) p.incrCapped('pcounter', 3, 10);
    p.transfer('{acct}:b', '{acct}:c', 10);
    p.transfer('acct-b', 'acct-c', 10);
    p.transfer('acct-c', 'acct-d', 1000);
    p.sumKeys(2, 'n2', 'n3', 0);
    p.failRuntime('s2');
    p.failReply();
    p.readPair('plain', 'h');
    p.get('pcounter');
    log.pipeline = plain(await p.exec());

    // Inside MULTI ... EXEC.
    const m = r.multi() as unknown as Custom & { exec(): Promise<unknown>; get(k: string): unknown };
    m.incrCapped('mcounter', 4, 10);
    m.incrCapped('mcounter', 4, 10);
    m.incrCapped('mcounter', 4, 10);
    m.transfer('{acct}:c', '{acct}:a', 5);
    m.transfer('acct-d', 'acct-a', 5);
    m.get('mcounter');
    log.multi = await outcome(() => m.exec());

    log.final = await r.mget('counter', 'counter2', 'pcounter', 'mcounter', '{acct}:a', '{acct}:b', '{acct}:c', 'acct-a', 'acct-b', 'acct-c', 'acct-d', 's', 's2');
    return log;
  } finally {
    r.disconnect();
  }
}

t.test('defineCommand on 1 and 4 shards, RESP2 and RESP3, as on redis-server', async (t) => {
  // The untagged keys live on different shards when there are 4: those scripts take the cross-shard path.
  t.not(shardOf(Buffer.from('acct-a'), 4), shardOf(Buffer.from('acct-b'), 4), 'acct-a and acct-b on different shards');
  t.not(shardOf(Buffer.from('acct-b'), 4), shardOf(Buffer.from('acct-c'), 4), 'acct-b and acct-c on different shards');
  // One server of each kind runs the scenario over RESP2, then (after FLUSHALL) over RESP3.
  const runs = await runOnEach(t, ['redis', 1, 4], 60000, async (target) => ({ resp2: await scenario(target, 2), resp3: await scenario(target, 3) }));
  const want = runs.get('redis')!;
  for (const [label, got] of runs) {
    if (label === 'redis') continue;
    t.same(got.resp2, want.resp2, `RESP2: ${label} saw what redis-server's client saw`);
    t.same(got.resp3, want.resp3, `RESP3: ${label} saw what redis-server's client saw`);
  }
});
