// The slow-command pool: big reads (and KEYS, and whatever slow-cmd-list names) run on pool threads
// over LMDB snapshots and give redis-server's replies; a slow read sees every write its connection
// made before it; replies keep pipeline order whichever path a command takes; slow-cmd-list changes
// apply at once; a small collection stays on the fast path; the pool survives a task that throws
// or runs out of memory. INFO's slow_cmd_completed shows which path a command took.
import t from 'tap';
import { pipelineDiff, startRespdb, type Pair } from '../support/servers.js';
import { sharedPairs } from '../support/shared-pair.js';
import { RawClient, formatReply, type Reply } from '../support/resp-client.js';

type Cmd = (string | Buffer)[];

async function completed(c: RawClient): Promise<number> {
  const r = await c.send('INFO', 'stats');
  const m = /^slow_cmd_completed:(\d+)/m.exec(str(r));
  if (!m) throw new Error('INFO stats has no slow_cmd_completed');
  return Number(m[1]);
}

const range = <T>(n: number, f: (i: number) => T): T[] => Array.from({ length: n }, (_, i) => f(i));
const arr = (r: Reply): Reply[] => (r as { v: Reply[] }).v;
const str = (r: Reply): string => String((r as { v: Buffer }).v);

// A pair per shard count for the whole file. Each test that uses one starts it over: RESP2 on
// the main connections, an empty slow-cmd-list (the default), and an empty keyspace (fill() and
// the tests' own set-ups begin with FLUSHALL).
const shared = sharedPairs(t);

async function fresh(t: { same(found: unknown, wanted: unknown, message: string): boolean }, shards: number): Promise<Pair> {
  const p = await shared(shards);
  for (const c of [p.redis, p.respdb]) await c.send('HELLO', '2');
  t.same(formatReply(await p.respdb.send('CONFIG', 'SET', 'slow-cmd-list', '')), '+"OK"', 'slow-cmd-list back to its default');
  return p;
}

/** A client of the file's respdb with `shards` shards, its keyspace emptied. */
async function freshRespdb(t: { teardown(fn: () => unknown): void; same(found: unknown, wanted: unknown, message: string): boolean }, shards: number): Promise<RawClient> {
  const p = await fresh(t, shards);
  const c = await RawClient.connect(p.respdbPort);
  t.teardown(() => c.close());
  t.same(formatReply(await c.send('FLUSHALL')), '+"OK"', 'from an empty keyspace');
  return c;
}

/** Big and small collections of every type, the same on both servers ({t} keeps them on one shard). */
function fill(): Cmd[] {
  const cmds: Cmd[] = [['FLUSHALL']];
  for (const [k, n] of [['{t}h', 1500], ['{t}hs', 5]] as const) cmds.push(['HSET', k, ...range(n, (i) => `f${i}`).flatMap((f, i) => [f, `v${i}`])]);
  for (const [k, n, off] of [['{t}s1', 1500, 0], ['{t}s2', 1200, 700], ['{t}ss', 5, 0]] as const) cmds.push(['SADD', k, ...range(n, (i) => `m${i + off}`)]);
  cmds.push(['ZADD', '{t}z', ...range(1500, (i) => [String(i % 97), `z${i}`]).flat()]);
  cmds.push(['ZADD', '{t}z2', ...range(1100, (i) => [String(i), `z${i * 2}`]).flat()]);
  cmds.push(['RPUSH', '{t}l', ...range(1500, (i) => `e${i}`)]);
  cmds.push(['MSET', ...range(300, (i) => [`k${i}`, `v${i}`]).flat()]);
  // no hash tags: on different shards when there are several
  cmds.push(['SADD', 'cs1', ...range(1500, (i) => `m${i}`)], ['SADD', 'cs2', ...range(1500, (i) => `m${i * 3}`)]);
  cmds.push(['ZADD', 'cz1', ...range(1200, (i) => [String(i % 13), `z${i}`]).flat()], ['ZADD', 'cz2', ...range(900, (i) => [String(i), `z${i * 2}`]).flat()]);
  return cmds;
}

/** Slow-path reads; a comparison mode for those whose order is unspecified. */
const READS: Array<[Cmd, 'exact' | 'unordered' | 'pairs']> = [
  [['HGETALL', '{t}h'], 'pairs'],
  [['HKEYS', '{t}h'], 'unordered'],
  [['HVALS', '{t}h'], 'unordered'],
  [['HGETALL', '{t}hs'], 'pairs'],
  [['SMEMBERS', '{t}s1'], 'unordered'],
  [['SUNION', '{t}s1', '{t}s2'], 'unordered'],
  [['SINTER', '{t}s1', '{t}s2'], 'unordered'],
  [['SDIFF', '{t}s1', '{t}s2'], 'unordered'],
  [['SINTERCARD', '2', '{t}s1', '{t}s2'], 'exact'],
  [['ZRANGE', '{t}z', '0', '-1', 'WITHSCORES'], 'exact'],
  [['ZRANGE', '{t}z', '(5', '40', 'BYSCORE', 'LIMIT', '10', '700'], 'exact'],
  [['ZREVRANGEBYSCORE', '{t}z', '+inf', '-inf'], 'exact'],
  [['ZRANGEBYLEX', '{t}z', '-', '+'], 'exact'],
  [['ZUNION', '2', '{t}z', '{t}z2', 'WITHSCORES'], 'exact'],
  [['ZINTER', '2', '{t}z', '{t}z2', 'AGGREGATE', 'MAX', 'WITHSCORES'], 'exact'],
  [['ZDIFF', '2', '{t}z', '{t}z2'], 'exact'],
  [['LRANGE', '{t}l', '0', '-1'], 'exact'],
  [['LRANGE', '{t}l', '-1200', '-3'], 'exact'],
  [['LPOS', '{t}l', 'e1400'], 'exact'],
  [['HSTRLEN', '{t}h', 'f3'], 'exact'],
  [['HGETALL', 'nokey'], 'pairs'],
  [['HGETALL', '{t}s1'], 'exact'],
  [['KEYS', 'k1*'], 'unordered'],
  [['KEYS', '{t}*'], 'unordered'],
];

function show(mode: 'exact' | 'unordered' | 'pairs') {
  return (_: Cmd, r: Reply): string => formatReply(r, mode === 'exact' ? {} : { unordered: mode === 'pairs' ? 'pairs' : true });
}

for (const shards of [1, 4]) {
  t.test(`slow-pool replies equal redis-server's (${shards} shard${shards > 1 ? 's' : ''})`, async (t) => {
    const p = await fresh(t, shards);
    t.equal(await pipelineDiff(p, fill()), null, 'the same data on both');
    const before = await completed(p.respdb);
    for (const [cmd, mode] of READS) t.equal(await pipelineDiff(p, [cmd], show(mode)), null, cmd.join(' ').slice(0, 60));
    const used = (await completed(p.respdb)) - before;
    // every big read (HGETALL of a big set too: it answers WRONGTYPE from the pool) and the two
    // KEYS; HSTRLEN, the 5-field hash and the missing key stay fast
    t.equal(used, READS.length - 3, `big reads went to the pool (${used} of ${READS.length})`);
    // reads whose keys span shards: their coordinated handlers run on the pool
    const across: Array<[Cmd, 'exact' | 'unordered' | 'pairs']> = [
      [['SUNION', 'cs1', 'cs2'], 'unordered'],
      [['SINTER', 'cs1', 'cs2'], 'unordered'],
      [['SDIFF', 'cs2', 'cs1'], 'unordered'],
      [['SINTERCARD', '2', 'cs1', 'cs2', 'LIMIT', '100'], 'exact'],
      [['ZUNION', '2', 'cz1', 'cz2', 'WEIGHTS', '2', '3', 'WITHSCORES'], 'exact'],
      [['ZINTER', '2', 'cz1', 'cz2', 'WITHSCORES'], 'exact'],
      [['ZDIFF', '2', 'cz1', 'cz2', 'WITHSCORES'], 'exact'],
      [['SUNION', 'cs1', 'nokey', 'cz1'], 'exact'],
    ];
    const b1 = await completed(p.respdb);
    for (const [cmd, mode] of across) t.equal(await pipelineDiff(p, [cmd], show(mode)), null, cmd.join(' '));
    t.equal((await completed(p.respdb)) - b1, across.length, 'each ran on the pool');
    // forced: every read in slow-cmd-list, small ones too, RESP3 as well
    await p.respdb.send('CONFIG', 'SET', 'slow-cmd-list', 'hgetall,smembers,get,zscore,hstrlen,lindex');
    for (const c of [p.redis, p.respdb]) await c.send('HELLO', '3');
    const forced: Array<[Cmd, 'exact' | 'unordered' | 'pairs']> = [
      [['HGETALL', '{t}hs'], 'pairs'],
      [['SMEMBERS', '{t}ss'], 'unordered'],
      [['GET', 'k7'], 'exact'],
      [['GET', 'nokey'], 'exact'],
      [['ZSCORE', '{t}z', 'z3'], 'exact'],
      [['HSTRLEN', '{t}h', 'f3'], 'exact'],
      [['LINDEX', '{t}l', '-1'], 'exact'],
      [['GET', '{t}h'], 'exact'],
    ];
    const b2 = await completed(p.respdb);
    for (const [cmd, mode] of forced) t.equal(await pipelineDiff(p, [cmd], show(mode)), null, `forced: ${cmd.join(' ')}`);
    t.equal((await completed(p.respdb)) - b2, forced.length, 'each forced command ran on the pool');
    await p.respdb.send('CONFIG', 'SET', 'slow-cmd-list', '');
    const b3 = await completed(p.respdb);
    await p.respdb.send('GET', 'k7');
    await p.respdb.send('HGETALL', '{t}hs');
    t.equal(await completed(p.respdb), b3, 'an emptied slow-cmd-list applies at once');
  });
}

t.test('pipelines mixing slow and fast commands keep their order', async (t) => {
  const p: Pair = await fresh(t, 4);
  t.equal(await pipelineDiff(p, fill()), null, 'the same data on both');
  await p.respdb.send('CONFIG', 'SET', 'slow-cmd-list', 'get');
  const cmds: Cmd[] = [];
  for (let i = 0; i < 40; i++) {
    cmds.push(['SET', `a${i % 5}`, `x${i}`], ['GET', `a${i % 5}`], ['HLEN', '{t}h'], ['SADD', '{t}s1', `n${i}`], ['SCARD', '{t}s1']);
    cmds.push(['SISMEMBER', '{t}s1', `n${i}`], ['INCR', 'cnt'], ['LRANGE', '{t}l', String(i), String(i + 2)], ['ZRANGE', '{t}z', '0', '2']);
    if (i % 10 === 0) cmds.push(['SINTERCARD', '2', '{t}s1', '{t}s2'], ['KEYS', 'a*'], ['MGET', 'a1', 'a2', 'k3']);
  }
  const show = (c: Cmd, r: Reply) => formatReply(r, String(c[0]) === 'KEYS' ? { unordered: true } : {});
  t.equal(await pipelineDiff(p, cmds, show), null, `${cmds.length} pipelined commands, replies in order`);
});

t.test('a slow read sees every write its connection made before it', async (t) => {
  const c = await freshRespdb(t, 4);
  const other = await RawClient.connect((await shared(4)).respdbPort);
  t.teardown(() => other.close());
  await c.send('SADD', 'big', ...range(1500, (i) => `m${i}`));
  // SADD then SMEMBERS (big: pool) pipelined, 60 times: each SMEMBERS has every member added so far
  const cmds: Cmd[] = [];
  for (let i = 0; i < 60; i++) cmds.push(['SADD', 'big', `new${i}`], ['SMEMBERS', 'big'], ['SET', `w${i}`, '1'], ['KEYS', 'w*']);
  const before = await completed(c);
  const rs = await c.pipeline(cmds);
  let bad = 0;
  for (let i = 0; i < 60; i++) {
    const members = new Set(arr(rs[4 * i + 1]).map(str));
    const keys = arr(rs[4 * i + 3]).length;
    if (members.size !== 1501 + i || !members.has(`new${i}`) || keys !== i + 1) bad++;
  }
  t.equal(bad, 0, 'every SMEMBERS and KEYS saw the writes pipelined before it');
  t.equal((await completed(c)) - before, 120, 'all 120 reads ran on the pool');
  // a write acknowledged to another client before the read is sent is visible too
  for (let i = 0; i < 20; i++) {
    await other.send('SADD', 'big', `o${i}`);
    const r = await c.send('SISMEMBER', 'big', `o${i}`);
    const all = await c.send('SMEMBERS', 'big');
    if (formatReply(r) !== '(integer) 1' || !arr(all).some((x) => str(x) === `o${i}`)) bad++;
  }
  t.equal(bad, 0, "another client's acknowledged writes are visible to the next slow read");
});

t.test('the pool survives a task that throws or runs out of memory', async (t) => {
  const srv = await startRespdb({ shards: 2, args: ['--slow-cmd-max-memory', '64mb', '--slow-cmd-thread-pool-size', '2'] });
  t.teardown(() => srv.stop());
  const c = await RawClient.connect(srv.port);
  t.teardown(() => c.close());
  await c.send('HSET', 'h', ...range(2000, (i) => [`f${i}`, 'v']).flat());
  const cfg = await c.send('CONFIG', 'GET', 'slow-cmd-thread-pool-size');
  t.same(arr(cfg).map(str), ['slow-cmd-thread-pool-size', '2'], 'CONFIG GET slow-cmd-thread-pool-size');
  const thrown = await c.send('DEBUG', 'SLOW-POOL-CRASH', 'THROW');
  t.match(str(thrown), /^ERR slow command failed: slow-pool test crash$/, 'a task that throws answers an error');
  t.equal(arr(await c.send('HGETALL', 'h')).length, 4000, 'the next slow command works');
  const oom = await c.send('DEBUG', 'SLOW-POOL-CRASH', 'OOM');
  t.match(str(oom), /^ERR slow command failed: .*memory/, 'a task out of memory answers an error');
  for (let i = 0; i < 3; i++) t.equal(arr(await c.send('HGETALL', 'h')).length, 4000, `slow command ${i + 1} after it works`);
  const text = str(await c.send('INFO', 'stats'));
  t.match(text, /slow_cmd_failed:2\r\n/, 'INFO counts the two failed tasks');
  t.match(text, /slow_cmd_threads:2\r\n/, 'and the pool is back to its two threads');
  t.equal(str(await c.send('PING')), 'PONG', 'the server is fine');
});

t.test('slow-pool commands appear in SLOWLOG with their pool time', async (t) => {
  const srv = await startRespdb({ shards: 2 });
  t.teardown(() => srv.stop());
  const c = await RawClient.connect(srv.port);
  t.teardown(() => c.close());
  await c.send('HSET', 'big', ...range(3000, (i) => [`f${i}`, 'v']).flat());
  await c.send('SET', 'k', 'v');
  await c.send('CONFIG', 'SET', 'slowlog-log-slower-than', '0');
  await c.send('SLOWLOG', 'RESET');
  const before = await completed(c);
  await c.send('HGETALL', 'big');
  await c.send('KEYS', '*');
  t.equal((await completed(c)) - before, 2, 'both ran on the pool');
  const log = arr(await c.send('SLOWLOG', 'GET', '10'));
  const names = log.map((e) => str(arr(arr(e)[3])[0]).toUpperCase());
  t.ok(names.includes('HGETALL') && names.includes('KEYS'), `HGETALL and KEYS are logged (${names.join(' ')})`);
  const hg = log.find((e) => str(arr(arr(e)[3])[0]).toUpperCase() === 'HGETALL')!;
  t.same(arr(arr(hg)[3]).map(str), ['HGETALL', 'big'], 'with their arguments');
  t.ok(Number((arr(hg)[2] as { v: bigint | number }).v) > 0, 'and a duration');
});

/** *STORE commands whose inputs are big (the pool computes, the main thread applies). */
function storeCases(): Cmd[] {
  const out: Cmd[] = [];
  for (const [a, b] of [['{t}s1', '{t}s2'], ['cs1', 'cs2']]) {
    for (const op of ['SUNIONSTORE', 'SINTERSTORE', 'SDIFFSTORE']) {
      out.push([op, `${a}:dst`, a, b], ['SCARD', `${a}:dst`], ['OBJECT', 'ENCODING', `${a}:dst`], ['SDIFF', `${a}:dst`, a, b]);
    }
    out.push(['SINTERSTORE', `${a}:dst`, a, 'nokey'], ['EXISTS', `${a}:dst`]);
    out.push(['SUNIONSTORE', `${a}:dst`, a, '{t}z'], ['SUNIONSTORE', 'cz1', a, b], ['TYPE', 'cz1']);
  }
  for (const [a, b] of [['{t}z', '{t}z2'], ['cz2', 'cz3']]) {
    out.push(['ZUNIONSTORE', `${a}:dst`, '2', a, b, 'WEIGHTS', '1', '2', 'AGGREGATE', 'MAX'], ['ZRANGE', `${a}:dst`, '0', '-1', 'WITHSCORES']);
    out.push(['ZINTERSTORE', `${a}:dst`, '2', a, b], ['ZRANGE', `${a}:dst`, '0', '-1', 'WITHSCORES'], ['OBJECT', 'ENCODING', `${a}:dst`]);
    out.push(['ZDIFFSTORE', `${a}:dst`, '2', b, a], ['ZCARD', `${a}:dst`], ['ZDIFFSTORE', `${a}:dst`, '2', 'nokey', b], ['EXISTS', `${a}:dst`]);
    out.push(['ZRANGESTORE', `${a}:dst`, b, '0', '-1'], ['ZRANGE', `${a}:dst`, '0', '-1', 'WITHSCORES'], ['OBJECT', 'ENCODING', `${a}:dst`]);
    out.push(['ZRANGESTORE', `${a}:dst`, b, '(3', '+inf', 'BYSCORE', 'LIMIT', '5', '1100'], ['ZCARD', `${a}:dst`]);
  }
  return out;
}

for (const shards of [1, 4]) {
  t.test(`*STORE computed on the pool give redis-server's results (${shards} shard${shards > 1 ? 's' : ''})`, async (t) => {
    const p = await fresh(t, shards);
    t.equal(await pipelineDiff(p, [...fill(), ['ZADD', 'cz3', ...range(1300, (i) => [String(i / 7), `z${i * 3}`]).flat()]]), null, 'the same data on both');
    const cmds = storeCases();
    const offPool: string[] = [];
    for (const c of cmds) {
      const before = await completed(p.respdb);
      const d = await pipelineDiff(p, [c]);
      if (d !== null) t.fail(d);
      if (/STORE$/.test(String(c[0])) && (await completed(p.respdb)) === before) offPool.push(c.join(' '));
    }
    t.same(offPool, [], `each *STORE of the ${cmds.length} commands ran on the pool`);
  });
}

t.test('a *STORE never applies a result computed from inputs that changed before it was applied', async (t) => {
  const srv = await startRespdb({ shards: 4, args: ['--slow-cmd-list', 'sinterstore,sunionstore'] });
  t.teardown(() => srv.stop());
  const w = await RawClient.connect(srv.port);
  const s = await RawClient.connect(srv.port);
  t.teardown(async () => {
    await w.close();
    await s.close();
  });
  // ma and mb live on different shards; 'm' moves between them without ever being in both
  await w.send('SADD', 'ma', 'm', ...range(3000, (i) => `a${i}`));
  await w.send('SADD', 'mb', ...range(3000, (i) => `b${i}`), 'shared');
  await w.send('SADD', 'ma', 'shared');
  let stop = false;
  const mover = (async () => {
    let n = 0;
    while (!stop) {
      await w.pipeline([
        ['SMOVE', 'ma', 'mb', 'm'],
        ['SMOVE', 'mb', 'ma', 'm'],
      ]);
      n++;
    }
    return n;
  })();
  let bad = 0;
  let rounds = 0;
  for (; rounds < 60; rounds++) {
    const [inter, , union, card] = await s.pipeline([
      ['SINTERSTORE', 'i', 'ma', 'mb'],
      ['SMEMBERS', 'i'],
      ['SUNIONSTORE', 'u', 'ma', 'mb'],
      ['SISMEMBER', 'u', 'm'],
    ]);
    // m is always in exactly one of ma, mb: never in the intersection, always in the union
    if (str(inter) !== '1' || str(card) !== '1' || str(union) !== '6002') bad++;
  }
  stop = true;
  const moves = await mover;
  t.equal(bad, 0, `${rounds} rounds of SINTERSTORE/SUNIONSTORE while m moved ${moves * 2} times: always consistent`);
  // m moves thousands of times while the stores compute: some of their inputs changed under them
  const retries = Number(/slow_cmd_store_retries:(\d+)/.exec(str(await s.send('INFO', 'stats')))?.[1] ?? -1);
  t.ok(retries > 0, `stores whose inputs changed were retried, as INFO counts (${retries})`);
});

t.test('SORT (with and without STORE) and SORT_RO of big collections run on the pool with redis-server replies (4 shards)', async (t) => {
  const p = await fresh(t, 4);
  const setup: Cmd[] = [
    ['FLUSHALL'],
    ['RPUSH', 'big', ...range(1500, (i) => String((i * 7919) % 1500))],
    ['SADD', 'bigs', ...range(1200, (i) => `m${i}`)],
    ['MSET', ...range(1500, (i) => [`w_${i}`, String((i * 31) % 97)]).flat()],
    ['HSET', 'obj_5', 'f', 'five'],
  ];
  t.equal(await pipelineDiff(p, setup), null, 'the same data on both');
  const cmds: Cmd[] = [
    ['SORT', 'big'],
    ['SORT_RO', 'big', 'DESC', 'LIMIT', '10', '20'],
    ['SORT_RO', 'big', 'BY', 'w_*', 'LIMIT', '0', '50', 'GET', '#', 'GET', 'w_*'],
    ['SORT', 'big', 'BY', 'nosort', 'GET', 'obj_*->f', 'LIMIT', '0', '10'],
    ['SORT_RO', 'bigs', 'ALPHA', 'LIMIT', '0', '30'],
    ['SORT_RO', 'bigs'],
  ];
  const before = await completed(p.respdb);
  t.equal(await pipelineDiff(p, cmds), null, 'replies');
  t.equal((await completed(p.respdb)) - before, cmds.length, 'each ran on the pool');
  const b2 = await completed(p.respdb);
  const stores: Cmd[] = [
    ['SORT', 'big', 'LIMIT', '0', '5', 'STORE', 'dst'],
    ['LRANGE', 'dst', '0', '-1'],
    ['SORT', 'big', 'BY', 'w_*', 'GET', '#', 'GET', 'w_*', 'STORE', 'dst'],
    ['LLEN', 'dst'],
    ['LRANGE', 'dst', '0', '40'],
    ['SORT', 'bigs', 'ALPHA', 'STORE', 'dst2'],
    ['LRANGE', 'dst2', '-5', '-1'],
    ['SORT', 'big', 'LIMIT', '0', '0', 'STORE', 'dst2'],
    ['EXISTS', 'dst2'],
  ];
  t.equal(await pipelineDiff(p, stores), null, 'SORT ... STORE');
  t.equal((await completed(p.respdb)) - b2, 4, 'SORT ... STORE ran on the pool');
});

t.test('SCAN with a big COUNT reads on the pool and walks every key once', async (t) => {
  const c = await freshRespdb(t, 4);
  await c.send('MSET', ...range(5000, (i) => [`key:${i}`, 'v']).flat());
  for (const count of ['10', '3000']) {
    const before = await completed(c);
    const seen: string[] = [];
    let cursor = '0';
    let calls = 0;
    do {
      const r = arr(await c.send('SCAN', cursor, 'COUNT', count));
      cursor = str(r[0]);
      seen.push(...arr(r[1]).map(str));
      calls++;
    } while (cursor !== '0' && calls < 10000);
    t.equal(new Set(seen).size, 5000, `COUNT ${count}: every key found (${calls} calls)`);
    t.equal(seen.length, 5000, `COUNT ${count}: no key returned twice (nothing changed during the scan)`);
    const used = (await completed(c)) - before;
    if (count === '10') t.equal(used, 0, 'small steps stay on the shards');
    else t.ok(used >= calls, `big steps ran on the pool (${used} pool reads for ${calls} calls)`);
  }
});
