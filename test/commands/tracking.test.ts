// Client-side caching (CLIENT TRACKING) against redis-server 7.0, as transcripts of several
// clients: the option errors, TRACKINGINFO / GETREDIR / CACHING; default mode (the keys a client
// read, invalidated once when another client or the client itself changes them, by writes of
// every kind, across shards, by expiry); OPTIN / OPTOUT with CACHING; NOLOOP; BCAST with and
// without prefixes; REDIRECT to a RESP2 subscriber of __redis__:invalidate, to a RESP3 client, to
// one that is not subscribed, to one that went away; FLUSHDB / FLUSHALL (a null for everyone);
// tracking-table-max-keys; the INFO fields; RESET. 1 and 4 shards, RESP2 and RESP3.
import t from 'tap';
import { startRedis, startRespdb } from '../support/servers.js';
import { RawClient, encodeCommand, formatReply, type Reply } from '../support/resp-client.js';
import { compareScenarios, infoField, sleep, untilGone, words, type Client, type Scenario, type Side } from '../support/clients.js';

const w = words;

/** Runs the commands one by one (those whose replies carry client ids logged with names). */
async function run(c: Client, ...cmds: string[]): Promise<void> {
  for (const x of cmds) {
    if (/^CLIENT (GETREDIR|TRACKINGINFO)$/.test(x)) await c.doIds(...w(x));
    else await c.do(...w(x));
  }
}

/** Waits for (and logs) `c`'s next unasked message: an expiry is not at a known moment. */
async function nextMessage(c: Client): Promise<void> {
  await c.next();
}

async function trackingInfo(s: Side, c: Client): Promise<void> {
  for (const f of ['tracking_total_keys', 'tracking_total_items', 'tracking_total_prefixes']) s.log(f, String(await infoField(c.raw, 'stats', f)));
  s.log('tracking_clients', String(await infoField(c.raw, 'clients', 'tracking_clients')));
}

const scenarios: Record<string, Scenario> = {
  async 'option errors, TRACKINGINFO, GETREDIR, CACHING'(s) {
    const a = await s.client('a');
    const other = await s.client('other');
    await run(
      a,
      'CLIENT TRACKING', 'CLIENT TRACKING on PREFIX a', 'CLIENT TRACKING on BCAST OPTIN', 'CLIENT TRACKING on BCAST OPTOUT',
      'CLIENT TRACKING on OPTIN OPTOUT', 'CLIENT TRACKING on REDIRECT 999999', 'CLIENT TRACKING on REDIRECT x', 'CLIENT TRACKING on REDIRECT 0',
      'CLIENT TRACKING on REDIRECT -1', 'CLIENT TRACKING on REDIRECT', 'CLIENT TRACKING on FOO', 'CLIENT TRACKING maybe', 'CLIENT TRACKING maybe FOO',
      'CLIENT TRACKING on BCAST PREFIX a PREFIX ab', 'CLIENT TRACKING on BCAST PREFIX ab PREFIX a', 'CLIENT TRACKING off PREFIX x',
      'CLIENT TRACKINGINFO', 'CLIENT GETREDIR', 'CLIENT CACHING yes', 'CLIENT CACHING', 'CLIENT TRACKINGINFO x', 'CLIENT GETREDIR x',
    );
    await a.doAs('CLIENT TRACKING on REDIRECT <other> REDIRECT <other>', 'CLIENT', 'TRACKING', 'on', 'REDIRECT', other.id, 'REDIRECT', other.id);
    await a.doAs('CLIENT TRACKING on REDIRECT <other> OPTIN NOLOOP', 'CLIENT', 'TRACKING', 'on', 'REDIRECT', other.id, 'OPTIN', 'NOLOOP');
    await run(
      a,
      'CLIENT TRACKINGINFO', 'CLIENT GETREDIR', 'CLIENT CACHING no', 'CLIENT CACHING maybe', 'CLIENT CACHING yes', 'CLIENT TRACKINGINFO',
      'CLIENT TRACKING on OPTOUT', 'CLIENT TRACKING on BCAST', 'CLIENT TRACKING on', 'CLIENT TRACKINGINFO', 'CLIENT GETREDIR',
      'CLIENT TRACKING off', 'CLIENT TRACKINGINFO', 'CLIENT GETREDIR', 'CLIENT TRACKING on OPTOUT', 'CLIENT CACHING no', 'CLIENT CACHING yes',
      'CLIENT TRACKINGINFO', 'CLIENT TRACKING off', 'CLIENT TRACKING off',
      'CLIENT TRACKING on BCAST PREFIX b PREFIX a', 'CLIENT TRACKINGINFO', 'CLIENT TRACKING on BCAST PREFIX bc', 'CLIENT TRACKING on BCAST PREFIX c NOLOOP',
      'CLIENT TRACKINGINFO', 'CLIENT TRACKING on', 'CLIENT TRACKING off',
    );
    // Redis 7.0 answers an overlap found from the second prefix on with the error and then +OK
    await a.raw.sendRaw(encodeCommand(w('CLIENT TRACKING on BCAST PREFIX a PREFIX b PREFIX bc')));
    await a.next();
    await a.next();
    await run(a, 'CLIENT TRACKINGINFO', 'CLIENT TRACKING off');
  },

  async 'default mode: what a client read is invalidated once, by any client'(s) {
    const tr = await s.client('tr', 3);
    const wr = await s.client('wr');
    await run(tr, 'CLIENT TRACKING on', 'GET k1', 'MGET k2 k3 k4', 'HGET h f', 'EXISTS e1 e2', 'LRANGE l 0 -1', 'STRLEN k5', 'TYPE k6');
    await run(wr, 'SET k1 v', 'MSET k2 1 k3 2 k4 3', 'HSET h f 1', 'SET e1 1', 'RPUSH l a', 'APPEND k5 x', 'SET nottracked 1');
    await tr.unasked();
    // invalidated once: not again until it is read again
    await run(wr, 'SET k1 w', 'DEL k2 k3');
    await tr.unasked();
    await run(tr, 'GET k1', 'GET k2', 'SMEMBERS s', 'ZRANGE z 0 -1');
    await run(wr, 'INCR k1', 'SADD s a', 'ZADD z 1 a', 'EXPIRE k2 100', 'SET k6 x');
    await tr.unasked();
    // RENAME and writes whose keys span shards: every key they change
    await run(tr, 'GET src', 'GET dst', 'GET x1', 'GET x2', 'GET x3');
    await run(wr, 'SET src v', 'RENAME src dst', 'MSET x1 1 x2 2 x3 3', 'DEL x1 x2 x3');
    await tr.unasked();
    // a write that changes nothing tells nobody (Redis signals only modified keys)
    await run(tr, 'GET none1', 'GET none2');
    await run(wr, 'DEL none1', 'SREM none2 a', 'SET none1 v NX', 'GET none1');
    await tr.unasked();
    await trackingInfo(s, wr);
  },

  async 'the client changes what it read itself: the message follows the reply'(s) {
    const tr = await s.client('tr', 3);
    await run(tr, 'CLIENT TRACKING on', 'GET k');
    // (a read pipelined right behind the client's own write of the same key is left out: respdb may
    // then invalidate it once more than Redis, see docs/design.md)
    await tr.pipe([w('SET k 1'), w('PING x'), w('GET k2'), w('SET k 2'), w('MSET k 3 j 1'), w('DEL k2')]);
    await run(tr, 'GET j', 'GET k');
    await tr.pipe([w('DEL j k'), w('PING z')]);
    await tr.unasked();
    await run(tr, 'GET k', 'GET j');
    await tr.pipe([w('MSET k 1 j 1'), w('PING y')]);
    await tr.unasked();
  },

  async 'NOLOOP, OPTIN and OPTOUT with CACHING'(s) {
    const nl = await s.client('nl', 3);
    const wr = await s.client('wr');
    await run(nl, 'CLIENT TRACKING on NOLOOP', 'GET a', 'GET b', 'SET a 1');
    await run(wr, 'SET b 1');
    await nl.unasked();
    const oi = await s.client('oi', 3);
    await run(
      oi, 'CLIENT TRACKING on OPTIN', 'GET c1', 'CLIENT CACHING yes', 'GET c2', 'GET c3', 'CLIENT CACHING yes', 'CLIENT GETNAME', 'GET c4',
      'CLIENT CACHING yes', 'NOSUCH', 'GET c5', 'CLIENT CACHING yes', 'GET', 'GET c6',
    );
    const oo = await s.client('oo', 3);
    await run(oo, 'CLIENT TRACKING on OPTOUT', 'GET c1', 'CLIENT CACHING no', 'GET c2', 'GET c3');
    await run(wr, 'MSET c1 1 c2 1 c3 1 c4 1 c5 1 c6 1');
    await oi.unasked();
    await oo.unasked();
  },

  async 'BCAST: the changes under each prefix'(s) {
    const bc = await s.client('bc', 3);
    const all = await s.client('all', 3);
    const nl = await s.client('nl', 3);
    const wr = await s.client('wr');
    await run(bc, 'CLIENT TRACKING on BCAST PREFIX user: PREFIX obj:');
    await run(all, 'CLIENT TRACKING on BCAST');
    await run(nl, 'CLIENT TRACKING on BCAST PREFIX user: NOLOOP');
    for (const c of ['SET user:1 a', 'SET obj:1 b', 'SET other c', 'MSET user:3 x user:2 y obj:2 z', 'DEL user:1 user:2 nosuch']) {
      await wr.do(...w(c));
      await bc.unasked();
      await all.unasked();
      await nl.unasked();
    }
    // NOLOOP leaves out the client's own changes
    await run(nl, 'SET user:9 me', 'MSET user:8 me user:7 me');
    await wr.do('SET', 'user:7', 'them');
    await bc.unasked();
    await nl.unasked();
    // a BCAST client reads nothing into the table
    await run(bc, 'GET user:5');
    await trackingInfo(s, wr);
  },

  async 'REDIRECT: a RESP2 subscriber, a RESP3 client, a client that is not subscribed, one that went away'(s) {
    const sub = await s.client('sub', 2);
    await sub.do('SUBSCRIBE', '__redis__:invalidate');
    const tr = await s.client('tr');
    const wr = await s.client('wr');
    await tr.doAs('CLIENT TRACKING on REDIRECT <sub>', 'CLIENT', 'TRACKING', 'on', 'REDIRECT', sub.id);
    await run(tr, 'GET k1', 'MGET k2 k3');
    await run(wr, 'SET k1 x', 'DEL k2 k3', 'MSET k2 1 k3 1');
    await sub.unasked();
    await tr.unasked();
    // a subscriber of another channel gets the messages on __redis__:invalidate all the same
    const other = await s.client('other', 2);
    await other.do('SUBSCRIBE', 'elsewhere');
    await tr.doAs('CLIENT TRACKING on REDIRECT <other>', 'CLIENT', 'TRACKING', 'on', 'REDIRECT', other.id);
    await run(tr, 'GET k1');
    await run(wr, 'SET k1 y');
    await other.unasked();
    // RESP2 and not subscribed: nothing can be sent
    const plain = await s.client('plain', 2);
    await tr.doAs('CLIENT TRACKING on REDIRECT <plain>', 'CLIENT', 'TRACKING', 'on', 'REDIRECT', plain.id);
    await run(tr, 'GET k1');
    await run(wr, 'SET k1 z');
    await plain.unasked();
    // RESP3: pushes
    const r3 = await s.client('r3', 3);
    await tr.doAs('CLIENT TRACKING on REDIRECT <r3>', 'CLIENT', 'TRACKING', 'on', 'REDIRECT', r3.id);
    await run(tr, 'GET k1', 'GET k2');
    await run(wr, 'SET k1 q', 'FLUSHDB');
    await r3.unasked();
    // the redirect goes away: flag R, and a RESP3 tracking client is told
    const t3 = await s.client('t3', 3);
    await t3.doAs('CLIENT TRACKING on REDIRECT <r3>', 'CLIENT', 'TRACKING', 'on', 'REDIRECT', r3.id);
    await run(t3, 'GET k9', 'GET k8');
    await run(tr, 'GET k9');
    await r3.raw.close();
    await untilGone(wr.raw, r3.id);
    await run(wr, 'SET k9 1', 'SET k9 2', 'SET k8 1');
    await t3.unasked();
    await tr.unasked();
    await run(t3, 'CLIENT TRACKINGINFO', 'CLIENT GETREDIR');
    await run(tr, 'CLIENT TRACKINGINFO');
    await t3.doAs('CLIENT TRACKING on REDIRECT <sub>', 'CLIENT', 'TRACKING', 'on', 'REDIRECT', sub.id);
    await run(t3, 'CLIENT TRACKINGINFO');
  },

  async 'FLUSHDB and FLUSHALL: every tracking client hears that all its keys are invalid'(s) {
    const a = await s.client('a', 3);
    const b = await s.client('b', 3);
    const bc = await s.client('bc', 3);
    const sub = await s.client('sub', 2);
    await sub.do('SUBSCRIBE', '__redis__:invalidate');
    const r2 = await s.client('r2', 2);
    const wr = await s.client('wr');
    await run(a, 'CLIENT TRACKING on', 'GET k');
    await run(b, 'CLIENT TRACKING on');
    await run(bc, 'CLIENT TRACKING on BCAST PREFIX p');
    await r2.doAs('CLIENT TRACKING on REDIRECT <sub>', 'CLIENT', 'TRACKING', 'on', 'REDIRECT', sub.id);
    await run(wr, 'SET k 1', 'SELECT 5', 'FLUSHDB');
    for (const c of [a, b, bc, sub]) await c.unasked();
    await run(wr, 'FLUSHALL');
    for (const c of [a, b, bc, sub]) await c.unasked();
    // the table is empty afterwards: k is not invalidated again
    await run(wr, 'SET k 2');
    await a.unasked();
    await run(a, 'GET k');
    await a.pipe([w('FLUSHALL'), w('PING'), w('GET k')]);
    await a.unasked();
    await trackingInfo(s, wr);
  },

  async 'expiry invalidates'(s) {
    const tr = await s.client('tr', 3);
    const wr = await s.client('wr');
    await run(wr, 'SET e v PX 100', 'SET f v');
    await run(tr, 'CLIENT TRACKING on', 'GET e', 'GET f');
    await nextMessage(tr);
    await run(wr, 'EXISTS e');
    await tr.unasked();
  },

  async 'RESET and disconnection end tracking'(s) {
    const a = await s.client('a', 3);
    const b = await s.client('b', 3);
    const wr = await s.client('wr');
    await run(a, 'CLIENT TRACKING on BCAST PREFIX x', 'RESET', 'CLIENT TRACKINGINFO');
    await run(b, 'CLIENT TRACKING on', 'GET y');
    await run(wr, 'SET x1 1', 'SET y 1');
    await a.unasked();
    await b.unasked();
    await trackingInfo(s, wr);
    await b.raw.close();
    await untilGone(wr.raw, b.id);
    await trackingInfo(s, wr);
  },
};

/** Runs when respdb has MULTI (transactions are another part of the server). */
const multiScenario: Scenario = async (s) => {
  const a = await s.client('a', 3);
  await run(a, 'CLIENT TRACKING on', 'GET k', 'GET j');
  await a.pipe([w('MULTI'), w('SET k 1'), w('SET j 1'), w('EXEC'), w('PING')]);
  await a.unasked();
  const oi = await s.client('oi', 3);
  await run(oi, 'CLIENT TRACKING on OPTIN', 'CLIENT CACHING yes', 'MULTI', 'GET f', 'PING', 'GET g', 'EXEC', 'GET h');
  const wr = await s.client('wr');
  await run(wr, 'MSET f 1 g 1 h 1');
  await oi.unasked();
};

for (const shards of [1, 4]) {
  t.test(`CLIENT TRACKING, ${shards} shard(s)`, async (t) => {
    await compareScenarios(t, shards, scenarios, [['MULTI / EXEC', 3, multiScenario]]);
  });
}

t.test('tracking-table-max-keys: keys beyond the limit are invalidated as if they changed', async (t) => {
  const [redis, respdb] = await Promise.all([startRedis(), startRespdb({ shards: 2 })]);
  t.teardown(async () => {
    await Promise.all([redis.stop(), respdb.stop()]);
  });
  const defaults: string[] = [];
  for (const [name, port] of [['redis', redis.port], ['respdb', respdb.port]] as const) {
    const admin = await RawClient.connect(port);
    const tr = await RawClient.connect(port);
    defaults.push(formatReply(await admin.send('CONFIG', 'GET', 'tracking-table-max-keys')));
    await admin.send('CONFIG', 'SET', 'tracking-table-max-keys', '2');
    await tr.send('HELLO', '3');
    await tr.send('CLIENT', 'TRACKING', 'on');
    await tr.send('MGET', 'x1', 'x2', 'x3');
    // one key over: one of them goes (Redis picks it at random), with its invalidation
    const r: Reply = await tr.readReply();
    const key = r.t === 'push' && r.v[1].t === 'array' && r.v[1].v?.length === 1 && r.v[1].v[0].t === 'bulk' ? r.v[1].v[0].v!.toString() : '';
    t.ok(['x1', 'x2', 'x3'].includes(key), `${name}: one of the keys is invalidated (${formatReply(r)})`);
    t.equal(await infoField(admin, 'stats', 'tracking_total_keys'), 2, `${name}: the table holds the limit`);
    await tr.send('MGET', 'y1', 'y2', 'y3', 'y4', 'y5');
    let n = 0;
    for (; n < 5; n++) {
      const x = await tr.readReply();
      t.equal(x.t, 'push', `${name}: an invalidation`);
    }
    t.equal(await infoField(admin, 'stats', 'tracking_total_keys'), 2, `${name}: back at the limit`);
    await admin.send('CONFIG', 'SET', 'tracking-table-max-keys', '0');
    await tr.send('MGET', 'z1', 'z2', 'z3');
    await sleep(300);
    t.equal(tr.queued, 0, `${name}: no limit, nothing dropped`);
    t.equal(await infoField(admin, 'stats', 'tracking_total_keys'), 5, `${name}: every key kept`);
    await Promise.all([admin.close(), tr.close()]);
  }
  t.equal(defaults[1], defaults[0], 'the same default');
});

t.test('no stale cache: reads racing writes of the same keys, every cached value is invalidated when it changes', async (t) => {
  const respdb = await startRespdb({ shards: 4 });
  const tr = await RawClient.connect(respdb.port);
  const wr = await RawClient.connect(respdb.port);
  t.teardown(async () => {
    await Promise.all([tr.close(), wr.close()]);
    await respdb.stop();
  });
  await tr.send('HELLO', '3');
  await tr.send('CLIENT', 'TRACKING', 'on');
  const keys = Array.from({ length: 8 }, (_, i) => `race${i}`);
  // the client side cache: a value read is kept until an invalidation of its key arrives
  const cache = new Map<string, string>();
  const invalidate = (r: Reply): void => {
    if (r.t !== 'push') return;
    const ks = r.v[1];
    if (ks.t === 'array' && ks.v) for (const x of ks.v) if (x.t === 'bulk' && x.v) cache.delete(x.v.toString());
    else cache.clear();
  };
  /** Reads replies and pushes until the reply to PING <tag>; GET replies go into the cache in order. */
  const settle = async (reads: string[], tag: string): Promise<void> => {
    for (;;) {
      const r = await tr.readReply();
      if (r.t === 'push') invalidate(r);
      else if (r.t === 'bulk' && r.v?.toString() === tag && reads.length === 0) return;
      else {
        // a GET's reply goes into the cache; '' stands for the client's own INCR
        const k = reads.shift()!;
        if (k !== '' && r.t === 'bulk' && r.v) cache.set(k, r.v.toString());
      }
    }
  };
  let stale = 0;
  let cachedAtEnd = 0;
  for (let trial = 0; trial < 60; trial++) {
    // reads and writes of the same keys in flight together: on one shard, some writes run before
    // the reads and some after; the client also changes some keys itself right before reading them
    const cmds: string[][] = [];
    const reads: string[] = [];
    for (const k of [...keys, ...keys]) {
      if ((k.charCodeAt(k.length - 1) + trial) % 3 === 0) {
        cmds.push(['INCR', k]);
        reads.push('');
      }
      cmds.push(['GET', k]);
      reads.push(k);
    }
    const burst = Buffer.concat([...cmds.map((c) => encodeCommand(c)), encodeCommand(['PING', `t${trial}`])]);
    const writes = wr.pipeline(keys.map((k) => ['INCR', k]));
    await tr.sendRaw(burst);
    await Promise.all([writes, settle(reads, `t${trial}`)]);
    cachedAtEnd += cache.size;
    // every key changes once more: each value still cached must be invalidated
    await wr.pipeline(keys.map((k) => ['INCR', k]));
    await tr.sendRaw(encodeCommand(['PING', `c${trial}`]));
    await settle([], `c${trial}`);
    stale += cache.size;
    cache.clear();
  }
  t.ok(cachedAtEnd > 0, `${cachedAtEnd} values were cached after the races`);
  t.equal(stale, 0, 'no value stayed cached after its key changed');
});
