// Blocking pops (BLPOP BRPOP BLMPOP BLMOVE BRPOPLPUSH BZPOPMIN BZPOPMAX BZMPOP) against
// redis-server 7.0: every scenario runs the same steps on both servers with several clients and
// compares the transcripts (immediate replies, errors, wake-ups by pushes from other clients and
// other shards, per-key FIFO among blocked clients, timeouts, disconnects, CLIENT UNBLOCK, a
// blocked client's pipelined commands waiting for it). Run with 1 and 4 shards, RESP2 and RESP3.
import t, { type Test } from 'tap';
import { startRedis, startRespdb, type RedisProc, type RespdbProc } from '../support/servers.js';
import { RawClient, formatReply, type Reply } from '../support/resp-client.js';

type Cmd = string[];
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const c = (s: string): Cmd => s.split(' ');

/** One server under test: connects clients (in RESP3 when asked). */
interface Target {
  name: string;
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

/** INFO clients blocked_clients of a server. */
async function blockedCount(cl: RawClient): Promise<number> {
  const r = await cl.send('INFO', 'clients');
  const text = r.t === 'bulk' || r.t === 'verbatim' ? String(r.v) : '';
  const m = /blocked_clients:(\d+)/.exec(text);
  return m ? Number(m[1]) : -1;
}

/** Waits until `n` clients are blocked (the order in which they blocked is then settled). */
async function untilBlocked(cl: RawClient, n: number): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if ((await blockedCount(cl)) === n) return;
    await sleep(5);
  }
  throw new Error(`blocked_clients never reached ${n}`);
}

type Scenario = (tg: Target, log: (label: string, r: Reply) => void) => Promise<void>;

/** Runs a scenario on redis and on respdb and compares the transcripts line by line. */
async function compare(t: Test, servers: { redis: number; respdb: number }, proto: 2 | 3, name: string, sc: Scenario): Promise<void> {
  const run = async (label: string, port: number): Promise<string[]> => {
    const tg: Target = { name: label, port, proto, clients: [] };
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
  const want = await run('redis', servers.redis);
  const got = await run('respdb', servers.respdb);
  t.same(got, want, `${name} (RESP${proto})`);
  t.ok(want.length > 0, `${name}: the scenario produced replies`);
}

// ---------------------------------------------------------------------------------------------
// scenarios (keys a, b, c, k... hash to different shards with 4 shards: cross-shard wake-ups)

const scenarios: Record<string, Scenario> = {
  async 'immediate replies, errors and arity'(tg, log) {
    const cl = await client(tg);
    const cmds: Cmd[] = [
      c('RPUSH a 1 2 3'), c('RPUSH b x'), c('ZADD z 1 one 2 two 3.5 three'), c('SET s str'),
      c('BLPOP a 0'), c('BRPOP a 0'), c('BLPOP missing b 0'), c('BRPOP missing a 1'),
      c('BLPOP s 0'), c('BLPOP missing s 0'), c('BLPOP a'), c('BLPOP'),
      c('BLPOP a abc'), c('BLPOP a -1'), c('BLPOP a inf'), c('BLPOP a -inf'), c('BLPOP a 1e400'), c('BLPOP a nan'),
      c('BLPOP a infinity'), c('BLPOP a 99999999999999999'), c('BLPOP a 1e5000'), c('BLPOP a -1e5000'), ['BLPOP', 'a', ' 1'], c('BLPOP a 1x'),
      c('RPUSH a 7 8 9 10 11 12'),
      c('BLPOP a 0x10'), c('BLPOP a 1.5e3'), c('BLPOP a 1e-400'), c('BLPOP a +5'), c('BLPOP a -0'), c('BLPOP a -0.0001'),
      c('BLPOP a 1e-400'),
      c('BLPOP a 0x1p-20'),
      c('RPUSH a 1 2 3 4 5'),
      c('BLMPOP 0 1 a LEFT'), c('BLMPOP 0 2 missing a RIGHT COUNT 2'), c('BLMPOP 0 1 a LEFT COUNT 10'),
      c('BLMPOP 0 0 a LEFT'), c('BLMPOP 0 abc a LEFT'), c('BLMPOP 0 5 a LEFT'), c('BLMPOP 0 1 a MIDDLE'),
      c('BLMPOP 0 1 a LEFT COUNT 0'), c('BLMPOP 0 1 a LEFT COUNT x'), c('BLMPOP 0 1 a LEFT COUNT 1 COUNT 1'),
      c('BLMPOP x 1 a LEFT'), c('BLMPOP -1 1 a LEFT'), c('BLMPOP 0 1 s LEFT'), c('BLMPOP 0 1'),
      c('RPUSH a p q r'),
      c('BLMOVE a b LEFT RIGHT 0'), c('LRANGE b 0 -1'), c('BRPOPLPUSH a b 0'), c('LRANGE b 0 -1'),
      // options compare as Redis's strcasecmp does: up to a NUL byte
      ['BLMOVE', 'a', 'b', 'LEFT\0x', 'RIGHT', '0'], c('RPUSH a q'),
      c('BLMOVE a b UP RIGHT 0'), c('BLMOVE a b LEFT RIGHT x'), c('BLMOVE s b LEFT RIGHT 0'), c('BLMOVE a s LEFT RIGHT 0'),
      c('BRPOPLPUSH a b'), c('BRPOPLPUSH a b -5'),
      c('BZPOPMIN z 0'), c('BZPOPMAX z 0'), c('BZPOPMIN missing z 0'), c('BZPOPMIN s 0'), c('BZPOPMIN z x'),
      c('ZADD z 1 one 2 two 3.5 three 4 four'),
      c('BZMPOP 0 1 z MIN'), c('BZMPOP 0 2 missing z MAX COUNT 2'), c('BZMPOP 0 1 z MIN COUNT 9'),
      c('BZMPOP 0 1 z LEFT'), c('BZMPOP 0 0 z MIN'), c('BZMPOP 0 1 s MIN'), c('BZMPOP 0 1 z MIN COUNT 0'),
      c('EXISTS a z'),
    ];
    for (const cmd of cmds) log(cmd.join(' '), await cl.send(...cmd));
  },

  async 'timeouts: null replies after the time'(tg, log) {
    const cl = await client(tg);
    for (const cmd of [
      c('BLPOP a 0.05'), c('BRPOP a b 0.05'), c('BLMPOP 0.05 2 a b LEFT'), c('BLMOVE a b LEFT LEFT 0.05'),
      c('BRPOPLPUSH a b 0.05'), c('BZPOPMIN a 0.05'), c('BZPOPMAX a b 0.05'), c('BZMPOP 0.05 1 a MAX COUNT 3'),
    ]) {
      const t0 = Date.now();
      const r = await cl.send(...cmd);
      log(cmd.join(' '), r);
      log(`${cmd[0]} waited at least 50 ms`, { t: 'int', v: BigInt(Date.now() - t0 >= 45 ? 1 : 0) } as Reply);
    }
    log('blocked after timeouts', { t: 'int', v: BigInt(await blockedCount(cl)) } as Reply);
  },

  async 'wake-up by a push from another client, on another shard'(tg, log) {
    const w = await client(tg);
    const p = await client(tg);
    const pending = w.send('BLPOP', 'a', 'b', 'c', '0');
    await untilBlocked(p, 1);
    log('RPUSH c x y', await p.send('RPUSH', 'c', 'x', 'y'));
    log('BLPOP a b c 0', await pending);
    log('LRANGE c', await p.send('LRANGE', 'c', '0', '-1'));
    const z = w.send('BZPOPMAX', 'z1', 'z2', '0');
    await untilBlocked(p, 1);
    log('ZADD z2', await p.send('ZADD', 'z2', '1', 'm1', '2.5', 'm2'));
    log('BZPOPMAX z1 z2 0', await z);
    const m = w.send('BLMPOP', '0', '2', 'q1', 'q2', 'RIGHT', 'COUNT', '5');
    await untilBlocked(p, 1);
    log('LPUSH q2 1 2 3', await p.send('LPUSH', 'q2', '1', '2', '3'));
    log('BLMPOP', await m);
    const zm = w.send('BZMPOP', '0', '1', 'zz', 'MIN', 'COUNT', '2');
    await untilBlocked(p, 1);
    log('ZADD zz', await p.send('ZADD', 'zz', '3', 'c', '1', 'a', '2', 'b'));
    log('BZMPOP', await zm);
    log('ZRANGE zz', await p.send('ZRANGE', 'zz', '0', '-1', 'WITHSCORES'));
  },

  async 'first blocked, first served; one push feeds several waiters'(tg, log) {
    const ws = [await client(tg), await client(tg), await client(tg)];
    const p = await client(tg);
    const pend: Promise<Reply>[] = [];
    for (let i = 0; i < ws.length; i++) {
      pend.push(ws[i].send('BRPOP', 'k', '0'));
      await untilBlocked(p, i + 1);
    }
    log('RPUSH k 1 2', await p.send('RPUSH', 'k', '1', '2'));
    log('waiter 1', await pend[0]);
    log('waiter 2', await pend[1]);
    await sleep(50);
    log('blocked', { t: 'int', v: BigInt(await blockedCount(p)) } as Reply);
    log('LPUSH k 3 4', await p.send('LPUSH', 'k', '3', '4'));
    log('waiter 3', await pend[2]);
    log('LRANGE k', await p.send('LRANGE', 'k', '0', '-1'));
  },

  async 'BLMOVE feeds a client blocked on its destination'(tg, log) {
    const a = await client(tg);
    const b = await client(tg);
    const p = await client(tg);
    const onDst = a.send('BLPOP', 'dst', '0');
    await untilBlocked(p, 1);
    const mover = b.send('BLMOVE', 'src', 'dst', 'LEFT', 'RIGHT', '0');
    await untilBlocked(p, 2);
    log('RPUSH src v', await p.send('RPUSH', 'src', 'v'));
    log('BLMOVE', await mover);
    log('BLPOP dst', await onDst);
    log('EXISTS src dst', await p.send('EXISTS', 'src', 'dst'));
    const rp = b.send('BRPOPLPUSH', 'src2', 'src2', '0');
    await untilBlocked(p, 1);
    log('RPUSH src2 a b', await p.send('RPUSH', 'src2', 'a', 'b'));
    log('BRPOPLPUSH rotate', await rp);
    log('LRANGE src2', await p.send('LRANGE', 'src2', '0', '-1'));
  },

  async 'writes that create the key in other ways wake the waiter'(tg, log) {
    const w = await client(tg);
    const p = await client(tg);
    const r1 = w.send('BLPOP', 'target', '0');
    await untilBlocked(p, 1);
    log('RPUSH other 1', await p.send('RPUSH', 'other', '1'));
    log('RENAME other target', await p.send('RENAME', 'other', 'target'));
    log('BLPOP after RENAME', await r1);
    const r2 = w.send('BLPOP', 'target', '0');
    await untilBlocked(p, 1);
    log('RPUSH src 2', await p.send('RPUSH', 'src', '2'));
    log('LMOVE src target', await p.send('LMOVE', 'src', 'target', 'LEFT', 'LEFT'));
    log('BLPOP after LMOVE', await r2);
    const r3 = w.send('BZPOPMIN', 'zt', '0');
    await untilBlocked(p, 1);
    log('ZADD zo', await p.send('ZADD', 'zo', '5', 'five'));
    log('COPY zo zt', await p.send('COPY', 'zo', 'zt'));
    log('BZPOPMIN after COPY', await r3);
    log('ZCARD zo', await p.send('ZCARD', 'zo'));
  },

  async 'a blocked client runs nothing after the blocking command until served'(tg, log) {
    const w = await client(tg);
    const p = await client(tg);
    const replies = w.pipeline([c('BLPOP k 0'), c('SET after 1'), c('GET after')]);
    await untilBlocked(p, 1);
    log('GET after (while blocked)', await p.send('GET', 'after'));
    log('RPUSH k v', await p.send('RPUSH', 'k', 'v'));
    for (const r of await replies) log('pipelined', r);
  },

  async 'disconnect while blocked: nothing is taken'(tg, log) {
    const w = await client(tg);
    const p = await client(tg);
    void w.send('BLPOP', 'k', '0').catch(() => undefined);
    await untilBlocked(p, 1);
    await w.close();
    for (let i = 0; i < 200 && (await blockedCount(p)) !== 0; i++) await sleep(5);
    log('blocked after close', { t: 'int', v: BigInt(await blockedCount(p)) } as Reply);
    log('RPUSH k v', await p.send('RPUSH', 'k', 'v'));
    await sleep(20);
    log('LLEN k', await p.send('LLEN', 'k'));
  },

  async 'CLIENT UNBLOCK'(tg, log) {
    const w = await client(tg);
    const p = await client(tg);
    const id = await w.send('CLIENT', 'ID');
    const ids = id.t === 'int' ? String(id.v) : '0';
    log('UNBLOCK not blocked', await p.send('CLIENT', 'UNBLOCK', ids));
    let r = w.send('BLPOP', 'k', '0');
    await untilBlocked(p, 1);
    log('UNBLOCK', await p.send('CLIENT', 'UNBLOCK', ids));
    log('BLPOP after UNBLOCK', await r);
    r = w.send('BZPOPMIN', 'k', '0');
    await untilBlocked(p, 1);
    log('UNBLOCK TIMEOUT', await p.send('CLIENT', 'UNBLOCK', ids, 'TIMEOUT'));
    log('BZPOPMIN after UNBLOCK TIMEOUT', await r);
    r = w.send('BLMOVE', 'k', 'd', 'LEFT', 'LEFT', '0');
    await untilBlocked(p, 1);
    log('UNBLOCK ERROR', await p.send('CLIENT', 'UNBLOCK', ids, 'ERROR'));
    log('BLMOVE after UNBLOCK ERROR', await r);
    log('UNBLOCK bad reason', await p.send('CLIENT', 'UNBLOCK', ids, 'NOW'));
    log('UNBLOCK bad id', await p.send('CLIENT', 'UNBLOCK', 'x'));
    log('UNBLOCK too many', await p.send('CLIENT', 'UNBLOCK', ids, 'ERROR', 'x'));
    log('PING after', await w.send('PING'));
  },

  async 'wrong type at wake-up: the error goes to the waiter'(tg, log) {
    const w = await client(tg);
    const p = await client(tg);
    const r = w.send('BLPOP', 'k', '0');
    await untilBlocked(p, 1);
    log('SET k str', await p.send('SET', 'k', 'str'));
    await sleep(30);
    log('blocked while k is a string', { t: 'int', v: BigInt(await blockedCount(p)) } as Reply);
    log('DEL k', await p.send('DEL', 'k'));
    log('RPUSH k v', await p.send('RPUSH', 'k', 'v'));
    log('BLPOP', await r);
  },
};

// ---------------------------------------------------------------------------------------------

for (const shards of [1, 4]) {
  t.test(`blocking commands, ${shards} shard(s)`, async (t) => {
    let redis: RedisProc | undefined;
    let respdb: RespdbProc | undefined;
    t.teardown(async () => {
      await Promise.all([redis?.stop(), respdb?.stop()]);
    });
    [redis, respdb] = await Promise.all([startRedis(), startRespdb({ shards })]);
    const ports = { redis: redis.port, respdb: respdb.port };
    for (const proto of [2, 3] as const) {
      for (const [name, sc] of Object.entries(scenarios)) {
        await t.test(`${name} (RESP${proto})`, (t) => compare(t, ports, proto, name, sc));
      }
    }
  });
}

t.test('many waiters on many keys across shards: every push is delivered exactly once', async (t) => {
  const respdb = await startRespdb({ shards: 4 });
  t.teardown(() => respdb.stop());
  const keys = Array.from({ length: 8 }, (_, i) => `q${i}`);
  const waiters = await Promise.all(Array.from({ length: 24 }, () => RawClient.connect(respdb.port)));
  const pusher = await RawClient.connect(respdb.port);
  t.teardown(async () => {
    await Promise.all([...waiters, pusher].map((x) => x.close().catch(() => {})));
  });
  // each waiter pops 5 times, each time waiting on every key in a rotated order (so any push can
  // serve any waiter: supply and demand match); the pusher feeds 120 values over all keys
  const got: string[] = [];
  const loops = waiters.map(async (w, i) => {
    for (let n = 0; n < 5; n++) {
      const ks = keys.map((_, j) => keys[(i + n + j) % 8]);
      const r = await w.send('BLPOP', ...ks, '0');
      if (r.t === 'array' && r.v && r.v[1].t === 'bulk' && r.v[1].v) got.push(r.v[1].v.toString());
      else t.fail(`unexpected reply ${formatReply(r)}`);
    }
  });
  const pushes: Promise<Reply>[] = [];
  for (let v = 0; v < 120; v++) {
    pushes.push(pusher.send('RPUSH', keys[v % 8], `v${v}`));
    if (v % 10 === 9) await sleep(2);
  }
  await Promise.all(pushes);
  await Promise.all(loops);
  t.equal(got.length, 120, 'every waiter got its 5 values');
  t.equal(new Set(got).size, 120, 'no value was delivered twice');
  const left = await pusher.pipeline(keys.map((k) => ['LLEN', k]));
  t.same(left.map((r) => formatReply(r)), keys.map(() => formatReply({ t: 'int', v: 0n } as Reply)), 'nothing is left in the lists');
  t.equal(await blockedCount(pusher), 0, 'nobody is blocked');
});
