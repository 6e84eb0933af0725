// XREAD against redis-server 7.0, with 1 and 4 shards, RESP2 and RESP3: immediate replies ($,
// explicit and incomplete ids, COUNT, several keys on several shards, duplicates), every option
// error in Redis's order (per key: its type, then its id), and BLOCK: wake-ups by XADD from other
// clients, waiters with different ids on one key each served by their own entries, a key named
// with others on other shards, timeouts, an XADD whose trim leaves nothing, a key that becomes
// another type, MULTI (no blocking there), CLIENT UNBLOCK, and the blocked client's pipelined
// commands waiting for it. Each scenario runs the same steps on both servers; transcripts compared.
import t, { type Test } from 'tap';
import { startRedis, startRespdb, type RedisProc, type RespdbProc } from '../support/servers.js';
import { RawClient, formatReply, type Reply } from '../support/resp-client.js';

type Cmd = string[];
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const c = (s: string): Cmd => s.split(' ');

interface Target {
  port: number;
  proto: 2 | 3;
  clients: RawClient[];
}

async function client(tg: Target): Promise<RawClient> {
  const cl = await RawClient.connect(tg.port);
  tg.clients.push(cl);
  if (tg.proto === 3) await cl.send('HELLO', '3');
  return cl;
}

async function blockedCount(cl: RawClient): Promise<number> {
  const r = await cl.send('INFO', 'clients');
  const m = /blocked_clients:(\d+)/.exec(r.t === 'bulk' || r.t === 'verbatim' ? String(r.v) : '');
  return m ? Number(m[1]) : -1;
}

async function untilBlocked(cl: RawClient, n: number): Promise<void> {
  for (let i = 0; i < 1000; i++) {
    if ((await blockedCount(cl)) === n) return;
    await sleep(5);
  }
  throw new Error(`blocked_clients never reached ${n}`);
}

type Scenario = (tg: Target, log: (label: string, r: Reply) => void) => Promise<void>;

async function compare(t: Test, ports: { redis: number; respdb: number }, proto: 2 | 3, name: string, sc: Scenario): Promise<void> {
  const run = async (port: number): Promise<string[]> => {
    const tg: Target = { port, proto, clients: [] };
    const lines: string[] = [];
    try {
      const admin = await client(tg);
      await admin.send('FLUSHALL');
      await sc(tg, (l, r) => lines.push(`${l} -> ${formatReply(r)}`));
    } finally {
      await Promise.all(tg.clients.map((x) => x.close().catch(() => {})));
    }
    return lines;
  };
  const want = await run(ports.redis);
  const got = await run(ports.respdb);
  t.same(got, want, `${name} (RESP${proto})`);
  t.ok(want.length > 0, `${name}: the scenario produced replies`);
}

const scenarios: Record<string, Scenario> = {
  async 'immediate replies and errors'(tg, log) {
    const cl = await client(tg);
    const cmds: Cmd[] = [
      c('XADD a 1-1 f v'), c('XADD a 2-1 f v g w'), c('XADD b 1-1 x y'), c('XADD c 5-5 z z'), c('SET str x'),
      c('XREAD STREAMS a 0'), c('XREAD STREAMS a b c 0 0 0'), c('XREAD COUNT 1 STREAMS a b 0 0'), c('XREAD count 1 streams a b 1-1 0-5'),
      c('XREAD STREAMS a b $ $'), c('XREAD STREAMS a b 2-1 1'), c('XREAD STREAMS missing a 0 0'), c('XREAD STREAMS a a 0 1-1'),
      c('XREAD STREAMS a 1'), c('XREAD STREAMS a 18446744073709551615-18446744073709551615'), c('XREAD STREAMS a 2-1'),
      c('XREAD BLOCK 10 STREAMS a 0'), c('XREAD COUNT -5 STREAMS a 0'), c('XREAD COUNT 0 STREAMS a 0'), c('XREAD COUNT 1 COUNT 2 STREAMS a 0'),
      c('XREAD BLOCK -1 STREAMS a 0'), c('XREAD BLOCK x STREAMS a 0'), c('XREAD BLOCK 1.5 STREAMS a 0'), c('XREAD COUNT x STREAMS a 0'),
      c('XREAD STREAMS a'), c('XREAD FOO STREAMS a 0'), c('XREAD BLOCK 1 COUNT 1'), c('XREAD STREAMS a >'),
      c('XREAD GROUP g c STREAMS a 0'), c('XREAD NOACK STREAMS a 0'), c('XREAD STREAMS a x'), c('XREAD STREAMS a b'),
      c('XREAD STREAMS a b c 0 0'), c('XREAD STREAMS a str 0 0'), c('XREAD STREAMS str a 0 x'), c('XREAD STREAMS a str x 0'),
      c('XREAD STREAMS a - '), c('XREAD STREAMS a +'), c('XREAD STREAMS a 1-*'), c('XREAD STREAMS a (1'),
      c('XREAD BLOCK 0 STREAMS str 0'), c('XREAD BLOCK 0 STREAMS a str $ $'),
      c('XDEL a 2-1'), c('XREAD STREAMS a 1-1'), c('XREAD STREAMS a $'),
    ];
    for (const cmd of cmds) log(cmd.join(' '), await cl.send(...cmd));
  },

  async 'wake-up by XADD from another client, on another shard'(tg, log) {
    const w = await client(tg);
    const p = await client(tg);
    const admin = await client(tg);
    await p.send('XADD', 'b', '1-1', 'old', 'entry');
    const pending = w.send('XREAD', 'BLOCK', '0', 'STREAMS', 'a', 'b', 'c', '$', '$', '$');
    await untilBlocked(admin, 1);
    log('XADD c', await p.send('XADD', 'c', '7-1', 'f', 'v'));
    log('woken', await pending);
    const p2 = w.send('XREAD', 'COUNT', '2', 'BLOCK', '0', 'STREAMS', 'b', '1-1');
    await untilBlocked(admin, 1);
    log('XADD b x3', await p.send('XADD', 'b', '2-1', 'n', '1'));
    log('woken with COUNT', await p2);
    log('blocked after', { t: 'int', v: BigInt(await blockedCount(admin)) } as Reply);
  },

  async 'waiters with their own ids on one key'(tg, log) {
    const w1 = await client(tg);
    const w2 = await client(tg);
    const w3 = await client(tg);
    const p = await client(tg);
    const admin = await client(tg);
    await p.send('XADD', 's', '10-1', 'f', 'v');
    const r1 = w1.send('XREAD', 'BLOCK', '0', 'STREAMS', 's', '100-0');
    await untilBlocked(admin, 1);
    const r2 = w2.send('XREAD', 'BLOCK', '0', 'STREAMS', 's', '$');
    await untilBlocked(admin, 2);
    const r3 = w3.send('XREAD', 'BLOCK', '0', 'STREAMS', 's', '10-1');
    await untilBlocked(admin, 3);
    log('XADD 50-1', await p.send('XADD', 's', '50-1', 'a', 'b'));
    log('w2', await r2);
    log('w3', await r3);
    await untilBlocked(admin, 1);
    log('still blocked', { t: 'int', v: BigInt(await blockedCount(admin)) } as Reply);
    log('XADD 100-1', await p.send('XADD', 's', '100-1', 'c', 'd'));
    log('w1', await r1);
  },

  async 'an XADD trimmed to nothing, a key of another type, DEL'(tg, log) {
    const w = await client(tg);
    const p = await client(tg);
    const admin = await client(tg);
    await p.send('XADD', 's', '1-1', 'f', 'v');
    const r = w.send('XREAD', 'BLOCK', '0', 'STREAMS', 's', '$');
    await untilBlocked(admin, 1);
    log('XADD MAXLEN 0', await p.send('XADD', 's', 'MAXLEN', '0', '2-1', 'f', 'v'));
    log('woken', await r);
    const r2 = w.send('XREAD', 'BLOCK', '0', 'STREAMS', 'k', '0');
    await untilBlocked(admin, 1);
    log('SET k', await p.send('SET', 'k', 'x'));
    log('DEL k', await p.send('DEL', 'k'));
    log('blocked', { t: 'int', v: BigInt(await blockedCount(admin)) } as Reply);
    log('XADD k', await p.send('XADD', 'k', '3-1', 'a', 'b'));
    log('woken on k', await r2);
  },

  async 'timeouts, MULTI, CLIENT UNBLOCK, pipelined commands'(tg, log) {
    const w = await client(tg);
    const p = await client(tg);
    const admin = await client(tg);
    log('timeout', await w.send('XREAD', 'BLOCK', '30', 'STREAMS', 'a', '$'));
    log('MULTI', await w.send('MULTI'));
    log('queued', await w.send('XREAD', 'BLOCK', '0', 'STREAMS', 'a', '$'));
    log('queued 2', await w.send('XREAD', 'BLOCK', '0', 'STREAMS', 'a', 'b', '0', '0'));
    log('EXEC', await w.send('EXEC'));
    const id = await w.send('CLIENT', 'ID');
    const r = w.send('XREAD', 'BLOCK', '0', 'STREAMS', 'a', '$');
    await untilBlocked(admin, 1);
    log('unblock', await admin.send('CLIENT', 'UNBLOCK', formatReply(id).replace(/\D/g, '')));
    log('unblocked', await r);
    const r2 = w.send('XREAD', 'BLOCK', '0', 'STREAMS', 'a', '$');
    await untilBlocked(admin, 1);
    log('unblock error', await admin.send('CLIENT', 'UNBLOCK', formatReply(id).replace(/\D/g, ''), 'ERROR'));
    log('unblocked with error', await r2);
    const both = w.pipeline([c('XREAD BLOCK 0 STREAMS a $'), c('XADD a 9-9 own entry'), c('XLEN a')]);
    await untilBlocked(admin, 1);
    log('XADD from p', await p.send('XADD', 'a', '5-5', 'f', 'v'));
    for (const x of await both) log('pipelined', x);
  },
};

for (const shards of [1, 4]) {
  t.test(`XREAD vs redis-server, ${shards} shard(s)`, async (t) => {
    let redis: RedisProc | undefined;
    let respdb: RespdbProc | undefined;
    t.teardown(async () => {
      await Promise.all([redis?.stop(), respdb?.stop()]);
    });
    [redis, respdb] = await Promise.all([startRedis(), startRespdb({ shards })]);
    const ports = { redis: redis.port, respdb: respdb.port };
    for (const proto of [2, 3] as const) {
      for (const [name, sc] of Object.entries(scenarios)) await t.test(`${name}, RESP${proto}`, (t) => compare(t, ports, proto, name, sc));
    }
  });
}
