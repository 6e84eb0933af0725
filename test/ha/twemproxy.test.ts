// 3 respdb masters, each with a respdb replica, behind twemproxy (Debian's nutcracker, ketama over
// fnv1a_64 on the server names): 100,000 keys written through the proxy land on all three nodes, in
// exactly the shares the same config gives 3 redis-servers (the distribution depends only on the
// config and the keys), every key reads back through the proxy, and each replica holds what its
// master holds.
import t from 'tap';
import { startRedis, startRespdb, type RespdbProc } from '../support/servers.js';
import { RawClient, formatReply, type Reply } from '../support/resp-client.js';
import { caughtUp, digest } from '../support/replica.js';
import { proxiedShards } from '../support/twemproxy.js';

const KEYS = 100_000;
const BATCH = 1000;
const CLIENTS = 4;

const key = (i: number) => `user:${i}`;
const value = (i: number) => `value-${i}`;

async function dbsize(port: number): Promise<number> {
  const c = await RawClient.connect(port);
  try {
    const r = await c.send('DBSIZE');
    if (r.t !== 'int') throw new Error(`DBSIZE: ${formatReply(r)}`);
    return Number(r.v);
  } finally {
    await c.close();
  }
}

/** SET every key through `port`, CLIENTS connections each sending pipelines of BATCH; returns the replies that were not +OK. */
async function writeAll(port: number): Promise<string[]> {
  const bad: string[] = [];
  await Promise.all(
    Array.from({ length: CLIENTS }, async (_, n) => {
      const c = await RawClient.connect(port);
      try {
        for (let from = n * BATCH; from < KEYS; from += CLIENTS * BATCH) {
          const cmds: string[][] = [];
          for (let i = from; i < from + BATCH; i++) cmds.push(['SET', key(i), value(i)]);
          for (const r of await c.pipeline(cmds)) if (!(r.t === 'simple' && r.v === 'OK')) bad.push(formatReply(r));
        }
      } finally {
        await c.close();
      }
    }),
  );
  return bad;
}

/** GET every key through `port` (pipelined); returns the keys whose value is not theirs. */
async function readAll(port: number): Promise<string[]> {
  const c = await RawClient.connect(port);
  const wrong: string[] = [];
  try {
    for (let from = 0; from < KEYS; from += BATCH) {
      const cmds: string[][] = [];
      for (let i = from; i < from + BATCH; i++) cmds.push(['GET', key(i)]);
      const replies: Reply[] = await c.pipeline(cmds);
      replies.forEach((r, j) => {
        const i = from + j;
        if (!(r.t === 'bulk' && r.v !== null && r.v.toString() === value(i))) wrong.push(`${key(i)}: ${formatReply(r)}`);
      });
    }
  } finally {
    await c.close();
  }
  return wrong;
}

t.test('100k keys through nutcracker over 3 respdb masters with replicas', async (t) => {
  const replicas: RespdbProc[] = [];
  t.teardown(() => Promise.all(replicas.map((r) => r.stop().catch(() => undefined))));
  const [respdb] = await Promise.all([
    proxiedShards(t, 3, () => startRespdb({ shards: 1 })),
    ...[1, 2, 3].map(async () => replicas.push(await startRespdb({ shards: 1 }))),
  ]);
  for (const [i, r] of replicas.entries()) {
    const c = await RawClient.connect(r.port);
    t.same(await c.send('REPLICAOF', '127.0.0.1', String(respdb.nodes[i].port)), { t: 'simple', v: 'OK' }, `replica ${i + 1} follows`);
    await c.close();
  }

  t.same(await writeAll(respdb.proxy.port), [], 'every SET through the proxy answers +OK');
  const counts = await Promise.all(respdb.nodes.map((n) => dbsize(n.port)));
  t.equal(
    counts.reduce((a, b) => a + b, 0),
    KEYS,
    `the nodes hold every key once (${counts.join(' + ')})`,
  );
  for (const [i, n] of counts.entries()) t.ok(n > KEYS / 6, `server${i + 1} holds a real share (${n})`);

  t.same(await readAll(respdb.proxy.port), [], 'every key reads back through the proxy');

  for (const [i, r] of replicas.entries()) {
    const m = await RawClient.connect(respdb.nodes[i].port);
    const c = await RawClient.connect(r.port);
    await caughtUp(m, c, 30000);
    t.equal(await dbsize(r.port), counts[i], `replica ${i + 1} holds its master's ${counts[i]} keys`);
    t.equal(await digest(c), await digest(m), `replica ${i + 1}'s DEBUG DIGEST equals its master's`);
    await Promise.all([m.close(), c.close()]);
  }

  // the same load through the same config over 3 redis-servers lands in the same shares
  const redis = await proxiedShards(t, 3, () => startRedis());
  t.same(await writeAll(redis.proxy.port), [], 'every SET through the proxy to redis-server answers +OK');
  const redisCounts = await Promise.all(redis.nodes.map((n) => dbsize(n.port)));
  t.same(counts, redisCounts, 'per-node counts equal those of redis-server behind the same config');
});
