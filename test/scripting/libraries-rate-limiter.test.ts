// rate-limiter-flexible 11.4.0's RateLimiterRedis, unchanged, over ioredis (useRedisPackage
// false), on redis-server and on respdb with 1 and 4 shards. Its consume/penalty/reward go
// through a defineCommand script (SET NX EX, INCRBY, PTTL, EXPIRE); block and get through
// MULTI; a limiter without duration through MULTI INCRBY/PTTL. The same sequence runs on each
// server: consume to the limit and past it, penalty, reward, block (explicit and by
// blockDuration), get, delete, string and bad point counts, a key's window running out, and 60
// concurrent consumes of one key (exactly `points` of them pass). Points consumed, remaining,
// first-in-duration and the shape of msBeforeNext (never / 0 / within the window / within the
// block) must be redis-server's.
import t from 'tap';
import { Redis } from 'ioredis';
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { multiset, runOnEach, type Target } from './libraries-support.js';

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** msBeforeNext reduced to what does not depend on timing: which window it falls in. */
function msShape(ms: number, windowMs: number, blockMs: number): string {
  if (ms === -1) return 'never';
  if (ms === 0) return '0';
  if (ms > 0 && ms <= windowMs) return 'within window';
  if (ms > windowMs && ms <= blockMs) return 'within block';
  return `unexpected ${ms}`;
}

type Seen = string | { consumed: number; remaining: number; first: boolean; ms: string; rejected?: true } | null;

/** One limiter call's outcome: a RateLimiterRes (resolved or rejected), another value, or an error. */
async function seen(f: () => Promise<unknown>, windowMs: number, blockMs: number): Promise<Seen> {
  const show = (r: RateLimiterRes, rejected: boolean): Seen => ({
    consumed: r.consumedPoints,
    remaining: r.remainingPoints,
    first: r.isFirstInDuration,
    ms: msShape(r.msBeforeNext, windowMs, blockMs),
    ...(rejected ? { rejected: true as const } : {}),
  });
  try {
    const v = await f();
    return v instanceof RateLimiterRes ? show(v, false) : v === null ? null : `value ${JSON.stringify(v)}`;
  } catch (e) {
    return e instanceof RateLimiterRes ? show(e, true) : `error ${(e as Error).message}`;
  }
}

async function scenario(target: Target): Promise<Record<string, Seen | Seen[] | unknown>> {
  const redis = new Redis({ host: target.host, port: target.port, maxRetriesPerRequest: 1, enableOfflineQueue: true });
  const log: Record<string, Seen | Seen[] | unknown> = {};
  try {
    const basic = new RateLimiterRedis({ storeClient: redis, useRedisPackage: false, keyPrefix: 'rl-basic', points: 5, duration: 10 });
    const W = 10_000;
    let i = 0;
    const step = async (name: string, f: () => Promise<unknown>, windowMs = W, blockMs = W) => {
      log[`${String(++i).padStart(2, '0')} ${name}`] = await seen(f, windowMs, blockMs);
    };
    for (let n = 0; n < 7; n++) await step(`consume ${n}`, () => basic.consume('u1'));
    await step('get', () => basic.get('u1'));
    await step('reward 4', () => basic.reward('u1', 4));
    await step('consume after reward', () => basic.consume('u1', 2));
    await step('penalty 3', () => basic.penalty('u1', 3));
    await step('consume after penalty', () => basic.consume('u1'));
    await step('consume string points', () => basic.consume('u2', '3' as unknown as number));
    await step('consume decimal points', () => basic.consume('u2', 1.5));
    await step('consume bad string', () => basic.consume('u2', '0x' as unknown as number));
    await step('delete', () => basic.delete('u1'));
    await step('delete again', () => basic.delete('u1'));
    await step('get deleted', () => basic.get('u1'));
    await step('consume after delete', () => basic.consume('u1'));
    await step('block 30', () => basic.block('u3', 30), W, 30_000);
    await step('consume blocked', () => basic.consume('u3'), W, 30_000);
    await step('get blocked', () => basic.get('u3'), W, 30_000);
    await step('set 2 for 5s', () => basic.set('u4', 2, 5));
    await step('consume after set', () => basic.consume('u4', 2));

    // Past the limit, blockDuration blocks the key for longer than the window (a MULTI SET EX + PTTL).
    const blocking = new RateLimiterRedis({ storeClient: redis, useRedisPackage: false, keyPrefix: 'rl-block', points: 2, duration: 5, blockDuration: 20 });
    for (let n = 0; n < 4; n++) await step(`blocking consume ${n}`, () => blocking.consume('b1'), 5000, 20_000);
    await step('blocking get', () => blocking.get('b1'), 5000, 20_000);

    // No duration: points never expire (MULTI INCRBY + PTTL, which answers -1).
    const forever = new RateLimiterRedis({ storeClient: redis, useRedisPackage: false, keyPrefix: 'rl-forever', points: 2, duration: 0 });
    for (let n = 0; n < 3; n++) await step(`forever consume ${n}`, () => forever.consume('f1'));
    await step('forever get', () => forever.get('f1'));

    // A one-second window runs out: the next consume starts a new one.
    const short = new RateLimiterRedis({ storeClient: redis, useRedisPackage: false, keyPrefix: 'rl-short', points: 2, duration: 1 });
    for (let n = 0; n < 3; n++) await step(`short consume ${n}`, () => short.consume('s1'), 1000, 1000);
    await sleep(1300);
    await step('short consume in a new window', () => short.consume('s1'), 1000, 1000);

    // Concurrent consumes of one key: the script is atomic, so exactly `points` pass.
    const busy = new RateLimiterRedis({ storeClient: redis, useRedisPackage: false, keyPrefix: 'rl-busy', points: 20, duration: 10 });
    const all = await Promise.all(Array.from({ length: 60 }, () => seen(() => busy.consume('hot'), W, W)));
    log['concurrent consumes'] = multiset(all);

    log.keys = (await redis.keys('rl-*')).sort();
    return log;
  } finally {
    redis.disconnect();
  }
}

t.test('RateLimiterRedis over ioredis, 1 and 4 shards, as on redis-server', async (t) => {
  const runs = await runOnEach(t, ['redis', 1, 4], 60000, scenario);
  const want = runs.get('redis')!;
  t.same(multiset((want['concurrent consumes'] as Array<[string, number]>).flatMap(([k, n]) => Array(n).fill(JSON.parse(k).rejected === true))), [['false', 20], ['true', 40]], 'redis: 20 of 60 concurrent consumes pass');
  for (const [label, got] of runs) if (label !== 'redis') t.same(got, want, `${label}: every limiter result as on redis`);
});
