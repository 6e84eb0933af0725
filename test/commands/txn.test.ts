// MULTI / EXEC / DISCARD / WATCH / UNWATCH against redis-server 7.0: transcripts of one and of
// several connections (WATCH broken by another client, by expiry, by FLUSHALL and SWAPDB; errors
// at queue time and inside EXEC; blocking commands inside MULTI; keys on one shard and across
// shards), RESP2 and RESP3, 1 and 4 shards. Then isolation under concurrency: a cross-shard
// MULTI INCR a INCR b EXEC is never seen half done by MGET readers, and WATCH-guarded
// read-modify-write loops lose no update.
import t, { type Test } from 'tap';
import { diff, formatCommand, pipelineDiff, startRedis, withResp3, type Pair } from '../support/servers.js';
import { sharedPairs } from '../support/shared-pair.js';
import { readBinlog, readShardBinlog, recordText, replayBinlog, startBinlogRespdb } from '../support/binlog.js';
import { RawClient, formatReply, type Reply } from '../support/resp-client.js';
import { shardOf } from '../../lib/slot.js';

type Cmd = (string | Buffer)[];
const c = (s: string): Cmd => s.split(' ');
const cs = (...lines: string[]): Cmd[] => lines.map(c);

function singleCases(): Cmd[] {
  return cs(
    'FLUSHALL',
    'EXEC',
    'DISCARD',
    'EXEC x',
    'MULTI',
    'MULTI',
    'EXEC',
    'MULTI',
    'WATCH k',
    'EXEC',
    'MULTI',
    'NOSUCH a',
    'SET k v',
    'EXEC',
    'GET k',
    'MULTI',
    'GET',
    'EXEC',
    'MULTI',
    'SET k v',
    'EXEC x',
    'EXEC',
    'GET k',
    'MULTI',
    'DISCARD x',
    'EXEC',
    'MULTI',
    'MULTI x',
    'EXEC',
    'MULTI',
    'WATCH',
    'EXEC',
    'MULTI',
    'SET k v',
    'INCR k',
    'GET k',
    'LPUSH k x',
    'EXEC',
    'MULTI',
    'DISCARD',
    'DISCARD',
    'MULTI',
    'SET k 1',
    'DISCARD',
    'GET k',
    'MULTI',
    'EXEC',
    // keys on several shards (k0..k3 are on four shards with 4): scatter and cross-shard commands
    'MULTI',
    'MSET k0 a k1 b k2 c k3 d',
    'MGET k0 k1 k2 k3',
    'DEL k0 k1',
    'EXISTS k0 k1 k2 k3',
    'RENAME k2 k0',
    'MGET k0 k1 k2 k3',
    'SADD s0 a b c',
    'SADD s1 c d',
    'SUNIONSTORE k1 s0 s1',
    'SMOVE s0 s1 a',
    'SCARD k1',
    'SISMEMBER k1 d',
    'SCARD s1',
    'EXEC',
    'MULTI',
    'DBSIZE',
    'KEYS k0',
    'SELECT 1',
    'SET k0 db1',
    'DBSIZE',
    'SELECT 99',
    'GET k0',
    'SELECT 0',
    'GET k0',
    'EXEC',
    'GET k0',
    // the database EXEC leaves is the one of the commands pipelined after it
    'MULTI',
    'SELECT 2',
    'SET k9 in2',
    'EXEC',
    'GET k9',
    'SELECT 0',
    'GET k9',
    'MULTI',
    'FLUSHDB',
    'DBSIZE',
    'SET k0 x',
    'EXEC',
    'SELECT 1',
    'GET k0',
    'SELECT 0',
    // blocking commands inside MULTI do not block
    'MULTI',
    'BLPOP l0 l1 0',
    'RPUSH l1 a b',
    'BLPOP l0 l1 0',
    'BRPOP l1 1',
    'BLMOVE l1 l0 LEFT LEFT 0',
    'BRPOPLPUSH l0 l1 0',
    'BZPOPMIN z0 z1 0',
    'ZADD z1 1 a',
    'BZPOPMAX z0 z1 0',
    'BLMPOP 0 2 l0 l1 LEFT',
    'BZMPOP 0 1 z1 MIN',
    'BLPOP l0 x',
    'BLPOP k0 0',
    'EXEC',
    // an error inside EXEC fails only its command
    'MULTI',
    'SET str x',
    'LPUSH str a',
    'INCR str',
    'APPEND str y',
    'HSET str f v',
    'GET str',
    'EXEC',
    'MULTI',
    'PING',
    'ECHO hi',
    'UNWATCH',
    'EXEC',
    'MULTI',
    'PING',
    'RESET',
    'EXEC',
    'MULTI',
    'SET k v',
    'QUIT',
  );
}

/** Steps of a transcript over several connections: [connection, command], or a pause in ms. */
type Step = [number, Cmd] | ['sleep', number];

/** The same transcript on both servers; every reply compared. */
async function transcript(t: Test, p: Pair, steps: Step[], label: string, proto: 2 | 3 = 2): Promise<void> {
  const conns = new Map<number, [RawClient, RawClient]>();
  const get = async (i: number): Promise<[RawClient, RawClient]> => {
    let pairOf = conns.get(i);
    if (!pairOf) {
      pairOf = [await RawClient.connect(p.redisPort), await RawClient.connect(p.respdbPort)];
      if (proto === 3) for (const x of pairOf) await x.send('HELLO', '3');
      conns.set(i, pairOf);
    }
    return pairOf;
  };
  try {
    let bad = 0;
    for (const st of steps) {
      if (st[0] === 'sleep') {
        await new Promise((r) => setTimeout(r, st[1]));
        continue;
      }
      const [r, d] = await get(st[0]);
      const want = formatReply(await r.send(...st[1]));
      const got = formatReply(await d.send(...st[1]));
      if (want !== got) {
        bad++;
        t.equal(got, want, `${label}: client ${st[0]}: ${formatCommand(st[1])}`);
      }
    }
    t.equal(bad, 0, `${label}: every reply as redis-server's`);
  } finally {
    for (const [r, d] of conns.values()) await Promise.all([r.close(), d.close()]);
  }
}

const A = 0;
const B = 1;
const tail = (): Step[] => [[A, c('MULTI')], [A, c('PING')], [A, c('EXEC')]];
/** A WATCH case: set-up, WATCH k by A, what others do, then A's MULTI PING EXEC. */
function watchCase(setup: Step[], between: Step[]): Step[] {
  return [[A, c('FLUSHALL')], [B, c('SELECT 0')], ...setup, [A, c('WATCH k')], ...between, ...tail()];
}

function watchCases(): Array<[string, Step[]]> {
  const expired: Step[] = [[A, c('SET k v PX 20')], ['sleep', 60]];
  return [
    ['untouched', watchCase([[A, c('SET k v')]], [[B, c('GET k')]])],
    ['written by another client', watchCase([[A, c('SET k v')]], [[B, c('SET k v')]])],
    ['written by itself', watchCase([], [[A, c('SET k v')]])],
    ['deleted', watchCase([[A, c('SET k v')]], [[B, c('DEL k')]])],
    ['DEL of a missing key', watchCase([], [[B, c('DEL k')]])],
    ['SADD of an existing member', watchCase([[A, c('SADD k m')]], [[B, c('SADD k m')]])],
    ['SADD of a new member', watchCase([[A, c('SADD k m')]], [[B, c('SADD k n')]])],
    ['HSET same value', watchCase([[A, c('HSET k f 1')]], [[B, c('HSET k f 1')]])],
    ['HDEL of nothing', watchCase([[A, c('HSET k f 1')]], [[B, c('HDEL k zz')]])],
    ['ZADD same score', watchCase([[A, c('ZADD k 1 a')]], [[B, c('ZADD k 1 a')]])],
    ['SETNX that fails', watchCase([[A, c('SET k v')]], [[B, c('SETNX k z')]])],
    ['INCRBY 0', watchCase([[A, c('SET k 1')]], [[B, c('INCRBY k 0')]])],
    ['EXPIRE', watchCase([[A, c('SET k v')]], [[B, c('EXPIRE k 100')]])],
    ['EXPIRE NX that fails', watchCase([[A, c('SET k v EX 100')]], [[B, c('EXPIRE k 200 NX')]])],
    ['PERSIST without TTL', watchCase([[A, c('SET k v')]], [[B, c('PERSIST k')]])],
    ['RENAME into it', watchCase([[A, c('SET k v')], [A, c('SET o w')]], [[B, c('RENAME o k')]])],
    ['RENAME away', watchCase([[A, c('SET k v')]], [[B, c('RENAME k o')]])],
    ['RENAME to itself', watchCase([[A, c('SET k v')]], [[B, c('RENAME k k')]])],
    ['COPY into it', watchCase([[A, c('SET o w')]], [[B, c('COPY o k')]])],
    ['MOVE away', watchCase([[A, c('SET k v')]], [[B, c('MOVE k 1')]])],
    ['MOVE into it', watchCase([[B, c('SELECT 1')], [B, c('SET k v')]], [[B, c('MOVE k 0')]])],
    ['MSET across shards', watchCase([], [[B, c('MSET k0 a k 1 k3 b')]])],
    ['blocking pop', watchCase([[A, c('RPUSH k a b')]], [[B, c('BLPOP k 0')]])],
    ['LPOP', watchCase([[A, c('RPUSH k a')]], [[B, c('LPOP k')]])],
    ['LTRIM that keeps everything', watchCase([[A, c('RPUSH k a')]], [[B, c('LTRIM k 0 -1')]])],
    ['LTRIM of a missing key', watchCase([], [[B, c('LTRIM k 0 -1')]])],
    ['APPEND of nothing', watchCase([[A, c('SET k v')]], [[B, ['APPEND', 'k', '']]])],
    ['SETRANGE of nothing', watchCase([[A, c('SET k v')]], [[B, ['SETRANGE', 'k', '0', '']]])],
    ['LREM of nothing', watchCase([[A, c('RPUSH k a')]], [[B, c('LREM k 0 zz')]])],
    ['SREM of nothing', watchCase([[A, c('SADD k m')]], [[B, c('SREM k x')]])],
    ['LSET to the same value', watchCase([[A, c('RPUSH k a')]], [[B, c('LSET k 0 a')]])],
    ['TOUCH', watchCase([[A, c('SET k v')]], [[B, c('TOUCH k')]])],
    ['GETEX without options', watchCase([[A, c('SET k v')]], [[B, c('GETEX k')]])],
    ['SUNIONSTORE into it', watchCase([[A, c('SADD s0 a')]], [[B, c('SUNIONSTORE k s0')]])],
    ['FLUSHALL, key missing', watchCase([], [[B, c('FLUSHALL')]])],
    ['FLUSHALL, key present', watchCase([[A, c('SET k v')]], [[B, c('FLUSHALL')]])],
    ['FLUSHDB of another db', watchCase([[A, c('SET k v')]], [[B, c('SELECT 1')], [B, c('FLUSHDB')]])],
    ['FLUSHDB of its db', watchCase([[A, c('SET k v')]], [[B, c('FLUSHDB')]])],
    ['SWAPDB, missing in both', watchCase([], [[B, c('SWAPDB 0 1')]])],
    ['SWAPDB brings it', watchCase([[B, c('SELECT 1')], [B, c('SET k 1')]], [[B, c('SWAPDB 0 1')]])],
    ['SWAPDB takes it', watchCase([[A, c('SET k 1')]], [[B, c('SWAPDB 1 0')]])],
    ['SWAPDB of other dbs', watchCase([[A, c('SET k 1')]], [[B, c('SWAPDB 1 2')]])],
    ['expired when watched, untouched', watchCase(expired, [])],
    ['expired when watched, then written', watchCase(expired, [[B, c('SET k x')]])],
    ['expired when watched, then read (deleted)', watchCase(expired, [[B, c('GET k')]])],
    ['expired when watched, read then written', watchCase(expired, [[B, c('GET k')], [B, c('SET k y')]])],
    ['expired when watched, then FLUSHALL', watchCase(expired, [[B, c('FLUSHALL')]])],
    ['expires after WATCH', watchCase([[A, c('SET k v PX 40')]], [['sleep', 100]])],
    ['expires after WATCH, then read', watchCase([[A, c('SET k v PX 40')]], [['sleep', 100], [B, c('GET k')]])],
    [
      'SWAPDB brings an expired key in place of a missing one',
      watchCase([[B, c('SELECT 1')], [B, c('SET k 1 PX 20')], ['sleep', 60]], [[B, c('SWAPDB 0 1')]]),
    ],
    ['UNWATCH', watchCase([[A, c('SET k v')]], [[A, c('UNWATCH')], [B, c('SET k x')]])],
    ['DISCARD forgets', [[A, c('FLUSHALL')], [A, c('WATCH k')], [A, c('MULTI')], [A, c('DISCARD')], [B, c('SET k x')], ...tail()]],
    ['EXEC forgets', [[A, c('FLUSHALL')], [A, c('WATCH k')], ...tail(), [B, c('SET k x')], ...tail()]],
    ['several keys on several shards', [[A, c('FLUSHALL')], [A, c('WATCH k0 k1 k2 k3')], [B, c('SET k2 x')], [A, c('MULTI')], [A, c('SET k0 y')], [A, c('EXEC')], [A, c('GET k0')]]],
    ['several shards, untouched', [[A, c('FLUSHALL')], [A, c('WATCH k0 k1 k2 k3')], [B, c('SET other x')], [A, c('MULTI')], [A, c('SET k0 y')], [A, c('SET k1 z')], [A, c('EXEC')], [A, c('MGET k0 k1')]]],
    ['watched on one shard, written on another', [[A, c('FLUSHALL')], [A, c('WATCH k0')], [A, c('MULTI')], [A, c('SET k1 y')], [A, c('EXEC')], [B, c('SET k0 z')], [A, c('WATCH k0')], [B, c('SET k0 w')], [A, c('MULTI')], [A, c('SET k1 q')], [A, c('EXEC')], [A, c('GET k1')]]],
    ['WATCH again after a change', watchCase([[A, c('SET k v')]], [[B, c('SET k x')], [A, c('WATCH k')]])],
    ['a disconnected watcher', [[A, c('FLUSHALL')], [2, c('WATCH k')], [2, c('QUIT')], [B, c('SET k x')], ...tail()]],
  ];
}

// A pair per shard count for the whole file; every part starts from FLUSHALL (singleCases and
// watchCase begin with it, the others send it).
const shared = sharedPairs(t);

for (const shards of [1, 4]) {
  t.test(`transactions vs redis-server, ${shards} shard(s)`, async (t) => {
    const p = await shared(shards);
    if (shards === 4) t.equal(new Set(['k0', 'k1', 'k2', 'k3'].map((k) => shardOf(Buffer.from(k), 4))).size, 4, 'k0..k3 are on four shards');
    await t.test('one connection', async (t) => void (await diff(t, p, singleCases())));
    // (singleCases ends with QUIT: each part below has connections of its own)
    await t.test('one connection, pipelined', async (t) => {
      const again = { redis: await RawClient.connect(p.redisPort), respdb: await RawClient.connect(p.respdbPort) };
      try {
        t.equal(await pipelineDiff(again, singleCases()), null, 'the same commands in one pipeline');
      } finally {
        await Promise.all([again.redis.close(), again.respdb.close()]);
      }
    });
    await t.test('one connection, RESP3', async (t) => {
      await withResp3(p, (q) => diff(t, q, singleCases().slice(0, -1)));
    });
    await t.test('WATCH', async (t) => {
      for (const [label, steps] of watchCases()) await transcript(t, p, steps, label);
    });
    await t.test('WATCH, RESP3', async (t) => {
      for (const [label, steps] of watchCases().slice(0, 6)) await transcript(t, p, steps, label, 3);
    });
    await t.test('MULTI and pub/sub: SUBSCRIBE inside MULTI, EXEC refused in subscribed mode', async (t) => {
      await transcript(t, p, [
        [5, c('MULTI')], [5, c('SUBSCRIBE ch')], [5, c('EXEC')],
        [5, c('MULTI')], [5, c('SET k v')], [5, c('EXEC')], [5, c('GET k')],
        [5, c('RESET')], [5, c('MULTI')], [5, c('SET k v')], [5, c('EXEC')],
      ], 'pub/sub');
    });
    await t.test('CLIENT INFO inside EXEC shows the transaction (flags, multi, multi-mem)', async (t) => {
      const seen: string[] = [];
      for (const port of [p.redisPort, p.respdbPort]) {
        const cl = await RawClient.connect(port);
        const rs = await cl.pipeline([c('MULTI'), c('SET k v'), c('GET kkkk'), c('CLIENT INFO'), c('EXEC')]);
        const line = formatReply(items(rs[4])[2]);
        seen.push((line.match(/flags=\S+ |multi=\S+ |multi-mem=\S+ /g) ?? []).join(''));
        await cl.close();
      }
      t.match(seen[0], /flags=x multi=3 multi-mem=78 /, 'redis-server shows the three queued commands');
      t.equal(seen[1], seen[0], 'the same fields as redis-server');
    });
    await t.test('a client blocked on a key is served by a write inside EXEC', async (t) => {
      const out: string[] = [];
      for (const port of [p.redisPort, p.respdbPort]) {
        const [w, blocked] = [await RawClient.connect(port), await RawClient.connect(port)];
        await w.send('DEL', 'q', 'q2');
        const served = blocked.send('BLPOP', 'q', 'q2', '0');
        await w.send('PING'); // the BLPOP reached the server before the transaction
        await new Promise((r) => setTimeout(r, 50));
        const exec = await w.pipeline([c('MULTI'), c('RPUSH q2 a b'), c('RPUSH q c'), c('EXEC')]);
        out.push(`${formatReply(exec[3])} / ${formatReply(await served)} / ${formatReply(await w.send('LRANGE', 'q2', '0', '-1'))}`);
        await Promise.all([w.close(), blocked.close()]);
      }
      t.equal(out[1], out[0], 'the waiter gets what redis-server gives it');
    });
  });
}

// ------------------------------------------------------------------------------------------------
// Isolation under concurrency (respdb only)
// ------------------------------------------------------------------------------------------------

/** The elements of an array reply (none for anything else). */
function items(r: Reply): Reply[] {
  return r.t === 'array' && r.v !== null ? r.v : [];
}

function text(r: Reply): string {
  return r.t === 'bulk' && r.v ? r.v.toString('latin1') : '-';
}

/**
 * Writers run MULTI INCR a [middle] INCR b EXEC with a and b on different shards while readers
 * MGET a b: the values must always be equal. `middle` between the INCRs is a main-thread command
 * (the EXEC then runs under the coordinator's locks, its two shard parts at different moments);
 * without one the two parts go out in one step, as a scatter command's do.
 */
async function isolation(t: Test, middle: Cmd | null): Promise<void> {
  const p = await shared(4);
  const [a, b] = ['iso:a', 'iso:b'];
  t.not(shardOf(Buffer.from(a), 4), shardOf(Buffer.from(b), 4), 'a and b are on different shards');
  const writers = await Promise.all([0, 1, 2].map(() => RawClient.connect(p.respdbPort)));
  const readers = await Promise.all([0, 1].map(() => RawClient.connect(p.respdbPort)));
  try {
    t.equal(formatReply(await writers[0].send('FLUSHALL')), '+"OK"', 'from an empty keyspace');
    const rounds = 300;
    const body: Cmd[] = [c('MULTI'), c(`INCR ${a}`), ...(middle ? [middle] : []), c(`INCR ${b}`), c('EXEC')];
    const tx: Cmd[] = [];
    for (let i = 0; i < rounds; i++) tx.push(...body);
    const reads: Cmd[] = Array.from({ length: 2000 }, () => c(`MGET ${a} ${b}`));
    const results = await Promise.all([...writers.map((w) => w.pipeline(tx)), ...readers.map((r) => r.pipeline(reads))]);
    let torn = 0;
    let seen = 0;
    for (const rs of results.slice(writers.length)) {
      for (const r of rs) {
        const v = items(r).map(text);
        seen++;
        if (v[0] !== v[1]) torn++;
      }
    }
    t.equal(seen, 4000, 'every read answered');
    t.equal(torn, 0, 'MGET a b always sees a and b equal');
    const execs = results.slice(0, writers.length).flatMap((rs) => rs.filter((_, i) => i % body.length === body.length - 1));
    t.ok(execs.every((r) => items(r).length === body.length - 2), 'every EXEC ran all its commands');
    const final = await writers[0].send('MGET', a, b);
    t.same(items(final).map(text), [String(3 * rounds), String(3 * rounds)], 'no increment lost');
  } finally {
    await Promise.all([...writers, ...readers].map((x) => x.close()));
  }
}

t.test('a cross-shard EXEC is never seen half done', async (t) => {
  await t.test('shard commands only', (t) => isolation(t, null));
  await t.test('with a main-thread command between (locks)', (t) => isolation(t, c('ECHO x')));
});

t.test('WATCH-guarded increments lose no update (optimistic locking under contention)', async (t) => {
  for (const shards of [1, 4]) {
    const p = await shared(shards);
    const clients = await Promise.all([0, 1, 2, 3].map(() => RawClient.connect(p.respdbPort)));
    try {
      t.equal(formatReply(await clients[0].send('FLUSHALL')), '+"OK"', `${shards} shard(s): from an empty keyspace`);
      const per = 40;
      let retries = 0;
      await Promise.all(
        clients.map(async (cl) => {
          for (let done = 0; done < per; ) {
            await cl.send('WATCH', 'cas', 'cas2');
            const cur = text(await cl.send('GET', 'cas'));
            const v = cur === '-' ? 0 : Number(cur);
            const r = await cl.pipeline([c('MULTI'), ['SET', 'cas', String(v + 1)], ['SET', 'cas2', String(v + 1)], c('EXEC')]);
            if (r[3].t === 'array' && r[3].v !== null) done++;
            else retries++;
          }
        }),
      );
      const final = await clients[0].send('MGET', 'cas', 'cas2');
      t.same(items(final).map(text), [String(4 * per), String(4 * per)], `${shards} shard(s): ${4 * per} successful EXECs, ${retries} retried, nothing lost`);
    } finally {
      await Promise.all(clients.map((x) => x.close()));
    }
  }
});

t.test("an EXEC's writes reach each shard's binlog between MULTI and EXEC", async (t) => {
  const { srv, dir, stop } = await startBinlogRespdb(t, 4, 'txn');
  const cl = await RawClient.connect(srv.port, srv.host);
  const script: Cmd[] = [
    ...cs('MULTI', 'SET {a}x 1', 'INCR {a}y', 'EXEC'), // one shard
    ...cs('MULTI', 'SET k0 a', 'SET k1 b', 'RPUSH k2 c', 'EXEC'), // three shards at once
    ...cs('MULTI', 'GET k0', 'EXEC'), // writes nothing
    ...cs('MULTI', 'SET k0 x', 'ECHO m', 'SET k1 y', 'DEL k2', 'EXEC'), // under the locks
    ...cs('SET plain 1'),
    ...cs('MULTI', 'INCR plain', 'LPUSH plain x', 'EXEC'), // one write, one error
  ];
  const replies = await cl.pipeline(script);
  t.equal(formatReply(replies[script.length - 1]).includes('WRONGTYPE'), true, 'the LPUSH inside EXEC failed alone');
  const want = await snapshotOf(cl);
  await cl.close();
  await stop();
  let groups = 0;
  for (let s = 0; s < 4; s++) {
    const recs = (await readShardBinlog(dir, s)).map((r) => recordText(r)[0].toUpperCase());
    let open = false;
    for (let i = 0; i < recs.length; i++) {
      if (recs[i] === 'MULTI') {
        t.notOk(open, `shard ${s}: no MULTI inside a group`);
        t.not(recs[i + 1], 'EXEC', `shard ${s}: no empty group`);
        open = true;
        groups++;
      } else if (recs[i] === 'EXEC') {
        t.ok(open, `shard ${s}: EXEC closes a group`);
        open = false;
      }
    }
    t.notOk(open, `shard ${s}: every group is closed`);
  }
  // {a}: 1 group; k0 k1 k2: 3 + 3 groups; plain: 1 group
  t.equal(groups, 8, 'one group per shard an EXEC wrote');
  // merged by sequence the groups never interleave: redis-server applies them as transactions
  const redis = await startRedis();
  t.teardown(() => redis.stop());
  const rc = await RawClient.connect(redis.port);
  const errors = await replayBinlog(rc, await readBinlog(dir, 4));
  t.same(errors, [], 'redis-server applies the merged binlog without an error');
  t.same(await snapshotOf(rc), want, 'and ends with the same data');
  await rc.close();
});

async function snapshotOf(cl: RawClient): Promise<string[]> {
  const out: string[] = [];
  for (const k of ['{a}x', '{a}y', 'k0', 'k1', 'k2', 'plain']) {
    const type = formatReply(await cl.send('TYPE', k));
    const value = type === 'list' ? await cl.send('LRANGE', k, '0', '-1') : type === 'string' ? await cl.send('GET', k) : null;
    out.push(`${k}: ${type} ${value ? formatReply(value) : ''}`);
  }
  return out;
}
