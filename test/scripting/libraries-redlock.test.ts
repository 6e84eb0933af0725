// Redlock 4.2.0, unchanged, on redis-server and on respdb with 1 and 4 shards. Contended locks:
// CLIENTS clients (each its own connection and Redlock) compete for the same resources, single
// ones and a pair locked together (a two-key script; on 4 shards its keys are on different
// shards). Inside each critical section the holder does a read-modify-write of a counter with a
// pause in between and extends its lock; any overlap of two holders of one resource is counted,
// and a lost counter update would show too. Then the deterministic cases: a held resource
// refuses a second locker, a pair is refused when one of its keys is held (and leaves the other
// free), extend pushes the expiry out, release frees at once, an expired lock neither extends
// nor releases. The outcome (overlaps 0, every count) must be redis-server's.
import t from 'tap';
import { createRequire } from 'node:module';
import { Redis } from 'ioredis';
import { shardOf } from '../../lib/slot.js';
import { outcome, runOnEach, type Target } from './libraries-support.js';

const require = createRequire(import.meta.url);

interface Lock {
  resource: string | string[];
  value: string;
  expiration: number;
  unlock(): Promise<void>;
  extend(ttl: number): Promise<Lock>;
}
interface Redlock {
  lock(resource: string | string[], ttl: number): Promise<Lock>;
  quit(): Promise<void>;
  on(ev: string, f: (e: Error) => void): void;
}
type RedlockCtor = new (clients: Redis[], options: Record<string, number>) => Redlock;
const RedlockClass = require('redlock') as RedlockCtor;

const CLIENTS = 6;
const ROUNDS = 6;
/** What each round locks: one resource, or a pair at once. */
const PLAN: Array<string | string[]> = ['res-a', 'res-b', ['res-a', 'res-c'], 'res-c'];
const TTL = 5000;
/** The validity of the locks a case lets expire. */
const EXPIRING = 400;

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

interface Tally {
  acquired: Record<string, number>;
  overlaps: number;
  extended: number;
  released: number;
  clientErrors: string[];
}

async function contended(target: Target, tally: Tally): Promise<Record<string, string | null>> {
  const conns = Array.from({ length: CLIENTS }, () => new Redis({ host: target.host, port: target.port, maxRetriesPerRequest: 1 }));
  const holders = new Map<string, number>();
  try {
    const locks = conns.map((c) => {
      const rl = new RedlockClass([c], { retryCount: -1, retryDelay: 5, retryJitter: 5, driftFactor: 0.01 });
      rl.on('clientError', (e) => tally.clientErrors.push(e.message));
      return rl;
    });
    await Promise.all(
      locks.map(async (rl, client) => {
        for (let round = 0; round < ROUNDS; round++) {
          const what = PLAN[(client + round) % PLAN.length];
          const names = Array.isArray(what) ? what : [what];
          const lock = await rl.lock(what, TTL);
          for (const n of names) {
            if ((holders.get(n) ?? 0) > 0) tally.overlaps++;
            holders.set(n, (holders.get(n) ?? 0) + 1);
            tally.acquired[n] = (tally.acquired[n] ?? 0) + 1;
          }
          const conn = conns[client];
          // A read-modify-write spread over several round trips: without exclusion, updates get lost.
          for (const n of names) {
            const v = Number((await conn.get(`count:${n}`)) ?? '0');
            await sleep(1);
            await conn.set(`count:${n}`, String(v + 1));
          }
          const before = lock.expiration;
          await lock.extend(TTL * 2);
          if (lock.expiration > before) tally.extended++;
          for (const n of names) holders.set(n, holders.get(n)! - 1);
          await lock.unlock();
          tally.released++;
        }
      }),
    );
    const keys = ['res-a', 'res-b', 'res-c'];
    const counts = await conns[0].mget(...keys.map((k) => `count:${k}`));
    const left = await conns[0].exists(...keys);
    return { ...Object.fromEntries(keys.map((k, i) => [k, counts[i]])), 'lock keys left': String(left) };
  } finally {
    for (const c of conns) c.disconnect();
  }
}

async function cases(target: Target): Promise<Record<string, unknown>> {
  const a = new Redis({ host: target.host, port: target.port, maxRetriesPerRequest: 1 });
  const b = new Redis({ host: target.host, port: target.port, maxRetriesPerRequest: 1 });
  const log: Record<string, unknown> = {};
  try {
    const ra = new RedlockClass([a], { retryCount: 0, retryDelay: 10, retryJitter: 0 });
    const rb = new RedlockClass([b], { retryCount: 0, retryDelay: 10, retryJitter: 0 });
    const l1 = await ra.lock('solo', 1000);
    log['solo value kept'] = (await a.get('solo')) === l1.value;
    log['solo ttl set'] = (await a.pttl('solo')) > 0;
    log['second locker'] = await outcome(() => rb.lock('solo', 1000));
    log['pair with one held'] = await outcome(() => rb.lock(['other', 'solo'], 1000));
    log['other left free'] = await b.exists('other');
    await l1.extend(60000);
    log['extended ttl'] = (await a.pttl('solo')) > 30000;
    await l1.unlock();
    log['released'] = await a.exists('solo');
    log['relock after release'] = await outcome(async () => {
      const l = await rb.lock('solo', 1000);
      await l.unlock();
      return 'locked';
    });
    const pair = await ra.lock(['p1', 'p2'], 1000);
    log['pair locked'] = await a.exists('p1', 'p2');
    await pair.unlock();
    log['pair released'] = await a.exists('p1', 'p2');
    // Two locks left to expire (long enough that taking them never outlasts their validity).
    const short = await ra.lock('short', EXPIRING);
    const stale = await ra.lock('stolen', EXPIRING);
    await sleep(EXPIRING + 100);
    log['expired: extend'] = await outcome(() => short.extend(1000));
    log['expired: release'] = await outcome(() => short.unlock());
    // Someone else's lock is not released by a stale holder.
    const thief = await rb.lock('stolen', 10000);
    log['stale release'] = await outcome(() => stale.unlock());
    log['thief still holds'] = (await b.get('stolen')) === thief.value;
    await thief.unlock();
    return log;
  } finally {
    a.disconnect();
    b.disconnect();
  }
}

t.test('Redlock: contended locks and lock life cycle, 1 and 4 shards, as on redis-server', async (t) => {
  t.not(shardOf(Buffer.from('res-a'), 4), shardOf(Buffer.from('res-c'), 4), 'the pair res-a + res-c spans shards');
  const runs = await runOnEach(t, ['redis', 1, 4], 60000, async (target) => {
    const tally: Tally = { acquired: {}, overlaps: 0, extended: 0, released: 0, clientErrors: [] };
    const final = await contended(target, tally);
    return { tally, final, cases: await cases(target) };
  });
  const want = runs.get('redis')!;
  t.equal(want.tally.overlaps, 0, 'redis: no overlapping holders');
  t.equal(want.tally.released, CLIENTS * ROUNDS, 'redis: every lock released');
  for (const [label, got] of runs) {
    if (label === 'redis') continue;
    t.equal(got.tally.overlaps, 0, `${label}: no two holders of one resource at once`);
    t.same(got.tally, want.tally, `${label}: acquisitions, extensions, releases as on redis`);
    t.same(got.final, want.final, `${label}: counters (no lost update) and no lock left, as on redis`);
    t.same(got.cases, want.cases, `${label}: lock, refuse, extend, release, expiry as on redis`);
  }
});
