// Keyspace notifications against redis-server 7.0: notify-keyspace-events (parsing, CONFIG GET's
// text, errors, the config file, CONFIG SET at runtime in a pipeline), class filtering for every
// class letter, lazy and active expiry (`expired`), blocking pops served by a later push, commands
// across shards (RENAME, COPY, MSET, MSETNX, SMOVE, LMOVE, *STORE, DEL), the slow pool's *STORE,
// MULTI / EXEC on one shard and across shards, and other databases. Each command's events are compared as a group (notifications-support.ts).
import t, { type Test } from 'tap';
import { startRespdb, type Pair } from '../support/servers.js';
import { sharedPairs } from '../support/shared-pair.js';
import { RawClient, formatReply } from '../support/resp-client.js';
import { shardOf } from '../../lib/slot.js';
import { closeStreams, eventDiff, nextEvent, openStreams, pipelined, step, type Streams } from './notifications-support.js';

type Cmd = string[];
const c = (line: string): Cmd => line.split(' ');
const cs = (...lines: string[]): Cmd[] => lines.map(c);

// A pair per shard count for the whole file. Each test starts it over: no events, database 0 on
// the main connections, an empty keyspace, the default hz (one test lowers it), then its classes
// (and subscribers of its own).
const shared = sharedPairs(t);

async function setup(t: Test, shards: number, classes: string): Promise<{ p: Pair; s: Streams }> {
  const p = await shared(shards);
  for (const cl of [p.redis, p.respdb]) {
    const reset = [['CONFIG', 'SET', 'notify-keyspace-events', ''], ['SELECT', '0'], ['FLUSHALL'], ['CONFIG', 'SET', 'hz', '10']];
    t.same((await cl.pipeline(reset)).map((r) => formatReply(r)), ['+"OK"', '+"OK"', '+"OK"', '+"OK"'], 'the shared servers start over');
    t.equal(formatReply(await cl.send('CONFIG', 'SET', 'notify-keyspace-events', classes)), '+"OK"');
  }
  const s = await openStreams(p);
  t.teardown(() => closeStreams(s));
  return { p, s };
}

/** Keys k<i> (with a prefix) on pairwise different shards of `shards`. */
function spread(prefix: string, shards: number, n: number): string[] {
  const out: string[] = [];
  const seen = new Set<number>();
  for (let i = 0; out.length < n; i++) {
    const k = `${prefix}${i}`;
    const s = shardOf(Buffer.from(k), shards);
    if (seen.has(s) && seen.size < shards) continue;
    seen.add(s);
    out.push(k);
  }
  return out;
}

t.test('notify-keyspace-events: CONFIG SET / GET text and errors', async (t) => {
  const p = await shared(1);
  const values = ['KEA', 'AKE', 'g$lshzxetd', 'g$lshzxetdn', 'An', 'KEAmn', 'nKE', '$n', 'mK', 'Ex', 'KEgx', 'e', 'td', '', 'xyz', 'KEA?', 'A A', 'k'];
  for (const v of values) {
    const cmds = [['CONFIG', 'SET', 'notify-keyspace-events', v], ['CONFIG', 'GET', 'notify-keyspace-events']];
    const [want, got] = await Promise.all([p.redis.pipeline(cmds), p.respdb.pipeline(cmds)]);
    t.same(got.map((r) => formatReply(r)), want.map((r) => formatReply(r)), `CONFIG SET notify-keyspace-events '${v}'`);
  }
});

t.test('notify-keyspace-events in the config (command line)', async (t) => {
  const d = await startRespdb({ shards: 2, args: ['--notify-keyspace-events', 'KEA'] });
  t.teardown(() => d.stop());
  const cl = await RawClient.connect(d.port);
  const sub = await RawClient.connect(d.port);
  t.teardown(() => Promise.all([cl.close(), sub.close()]));
  t.equal(formatReply(await cl.send('CONFIG', 'GET', 'notify-keyspace-events')), '*2\n  1) "notify-keyspace-events"\n  2) "AKE"');
  await sub.send('SUBSCRIBE', '__keyevent@0__:set');
  await cl.send('SET', 'k', 'v');
  t.equal(formatReply(await sub.readReply()), '*3\n  1) "message"\n  2) "__keyevent@0__:set"\n  3) "k"');
});

t.test('CONFIG SET at runtime applies from the next command on, pipelined', async (t) => {
  for (const shards of [1, 4]) {
    const { p, s } = await setup(t, shards, '');
    const cmds = [
      c('SET a 1'), c('LPUSH l x'),
      ['CONFIG', 'SET', 'notify-keyspace-events', 'KEA'],
      c('SET b 1'), c('RPUSH l y'), c('MSET m1 1 m2 2 m3 3'), c('GET nosuch'),
      ['CONFIG', 'SET', 'notify-keyspace-events', 'Kl'],
      c('SET c 1'), c('LPOP l'),
      ['CONFIG', 'SET', 'notify-keyspace-events', ''],
      c('SET d 1'), c('LPOP l'),
    ];
    const [a, b] = await Promise.all([pipelined(p.redis, s.redis, cmds, ++s.n), pipelined(p.respdb, s.respdb, cmds, s.n)]);
    t.equal(b.reply, a.reply, `${shards} shard(s): replies`);
    // Pipelined commands on different shards publish in the order their shards answer (see
    // docs/design.md, Keyspace notifications): across shards only the set of events is Redis's.
    const order = (e: string[]): string[] => (shards === 1 ? e : [...e].sort());
    t.same(order(b.events), order(a.events), `${shards} shard(s): only the commands after each CONFIG SET follow it`);
  }
});

// One command of each class, and of the special ones (new, keymiss, expired).
const EVERY_CLASS = cs(
  'SET s 1', 'INCR s', 'APPEND s x', 'SETRANGE s 0 a', 'EXPIRE s 100', 'PERSIST s', 'RENAME s s2', 'DEL s2',
  'RPUSH l a b c', 'LPOP l', 'LSET l 0 z', 'LTRIM l 0 0', 'RPOP l',
  'SADD st a b', 'SREM st a', 'SMOVE st st2 b',
  'HSET h f 1', 'HINCRBY h f 2', 'HDEL h f',
  'ZADD z 1 a 2 b', 'ZINCRBY z 1 a', 'ZREM z a', 'ZPOPMIN z',
  'GET nosuch', 'LRANGE nolist 0 -1', 'COPY st2 st3', 'MOVE st3 1', 'SET e 1 PX 50',
);

t.test('class filtering, every class letter', async (t) => {
  const mixes = ['K', 'E', 'g', 'A', 'Kg', 'E$', 'Kl', 'Es', 'Kh', 'Ez', 'Kx', 'Ee', 'Kt', 'Ed', 'KEn', 'KEm', 'Kg$', 'El', 'KA', 'EA', 'AKE', 'AKEmn', 'K$lshzxetdmng', 'Exn'];
  const { p, s } = await setup(t, 2, '');
  for (const m of mixes) {
    for (const cl of [p.redis, p.respdb]) {
      await cl.send('CONFIG', 'SET', 'notify-keyspace-events', m);
      await cl.send('FLUSHALL');
    }
    const d = await eventDiff(p, s, EVERY_CLASS);
    t.equal(d, null, `classes '${m}': ${d ?? 'same stream'}`);
    // e has expired when GET reads it, or the sweep got it first: either way its events come
    // before GET's marker, in the same order
    await new Promise((r) => setTimeout(r, 100));
    const e = await eventDiff(p, s, [c('GET e')]);
    t.equal(e, null, `classes '${m}', expired: ${e ?? 'same stream'}`);
  }
});

t.test('lazy expiry: expired before the read misses, on the shard and on direct reads', async (t) => {
  for (const shards of [1, 4]) {
    const { p, s } = await setup(t, shards, 'KEAm');
    // a slow sweep, so the reads below are what usually expires the keys
    for (const cl of [p.redis, p.respdb]) await cl.send('CONFIG', 'SET', 'hz', '1');
    // GET (a direct read when nothing is pending), HGET, MGET, a write on an expired key: one key
    // at a time (Redis's fast expire cycle may take several at once, in its own order)
    const cases: Array<[Cmd[], Cmd]> = [
      [cs('SET a 1 PX 30'), c('GET a')],
      [cs('HSET h f 1', 'PEXPIRE h 30'), c('HGET h f')],
      [cs('SET m 1 PX 30'), c('MGET m nosuch')],
      [cs('SET b 1 PX 30'), c('LPUSH b x')],
      [cs('RPUSH l a', 'PEXPIRE l 30'), c('RPUSH l b')],
    ];
    for (const [before, after] of cases) {
      t.equal(await eventDiff(p, s, before), null);
      await new Promise((r) => setTimeout(r, 80));
      const d = await eventDiff(p, s, [after]);
      t.equal(d, null, `${shards} shard(s), ${after.join(' ')}: ${d ?? 'same stream'}`);
    }
  }
});

t.test('active expiry: expired without any access', async (t) => {
  const { p, s } = await setup(t, 2, 'KEx');
  for (const srv of ['redis', 'respdb'] as const) {
    await p[srv].send('SET', 'gone', 'v', 'PX', '50');
    // polled, with a generous deadline: the sweep runs hz times a second
    const events: string[] = [];
    const deadline = Date.now() + 15000;
    while (events.length < 2 && Date.now() < deadline) {
      const e = await nextEvent(s[srv], 1000);
      if (e !== null) events.push(e);
    }
    t.same(events, ['__keyspace@0__:gone expired', '__keyevent@0__:expired gone'], `${srv}: the sweep's events`);
  }
  t.equal(formatReply(await p.respdb.send('EXISTS', 'gone')), '(integer) 0');
});

t.test('blocking pops: the push, then the served pop', async (t) => {
  for (const shards of [1, 4]) {
    const { p, s } = await setup(t, shards, 'KEA');
    const [q, q2] = spread('q', shards, 2);
    for (const [srv, port] of [['redis', p.redisPort], ['respdb', p.respdbPort]] as const) {
      const blocked = await RawClient.connect(port);
      const blocked2 = await RawClient.connect(port);
      t.teardown(() => Promise.all([blocked.close(), blocked2.close()]));
      const pop = blocked.send('BLPOP', q, '0');
      const move = blocked2.send('BLMOVE', q2, q, 'RIGHT', 'LEFT', '0');
      // both are blocked once CLIENT LIST shows them... wait until the server counts them
      for (let i = 0; i < 200; i++) {
        const info = formatReply(await p[srv].send('INFO', 'clients'));
        if (/blocked_clients:2/.test(info)) break;
        await new Promise((r) => setTimeout(r, 10));
      }
      const n = ++s.n;
      const st = await step(p[srv], s[srv], ['RPUSH', q2, 'x', 'y'], n);
      t.equal(formatReply(await move), '"y"', `${srv}: BLMOVE served`);
      t.equal(formatReply(await pop), `*2\n  1) "${q}"\n  2) "y"`, `${srv}: BLPOP served`);
      await p[srv].send('PUBLISH', '__mark__', String(++s.n));
      const later = await s[srv].until(s.n);
      t.same([...st.events, ...later], [
        `__keyspace@0__:${q2} rpush`, `__keyevent@0__:rpush ${q2}`,
        `__keyspace@0__:${q} lpush`, `__keyevent@0__:lpush ${q}`,
        `__keyspace@0__:${q2} rpop`, `__keyevent@0__:rpop ${q2}`,
        `__keyspace@0__:${q} lpop`, `__keyevent@0__:lpop ${q}`,
        `__keyspace@0__:${q} del`, `__keyevent@0__:del ${q}`,
      ], `${srv}, ${shards} shard(s): every event, in order`);
    }
  }
});

t.test('commands across shards', async (t) => {
  const { p, s } = await setup(t, 4, 'KEAn');
  const [a, b, c2, d] = spread('x', 4, 4);
  const script: Cmd[] = [
    ['SET', a, '1', 'EX', '100'], ['RENAME', a, b], ['RENAME', b, a], ['SET', c2, '2'], ['RENAME', a, c2], ['RENAMENX', c2, d], ['RENAMENX', d, d],
    ['SADD', a, 'm', 'n'], ['COPY', a, b], ['COPY', a, b, 'REPLACE'], ['COPY', a, c2, 'DB', '2'], ['RENAME', a, d],
    ['MSET', a, '1', b, '2', c2, '3', d, '4', a, '5'], ['MSETNX', a, '1', c2, '2'], ['DEL', d], ['MSETNX', d, '1', 'y', '2', 'z', '3'],
    ['DEL', a, b, 'nosuch', c2, d, 'y'], ['EXISTS', a, 'z', a], ['UNLINK', 'z', a],
    ['SADD', a, '1', '2'], ['SADD', b, '2', '3'], ['SMOVE', a, b, '1'], ['SMOVE', a, b, '2'], ['SMOVE', c2, b, '9'],
    ['SUNIONSTORE', c2, a, b], ['SINTERSTORE', d, a, b], ['SINTERSTORE', d, a, 'nosuch'], ['SDIFFSTORE', d, b, a],
    ['ZADD', a, '1', 'p', '2', 'q'], ['ZUNIONSTORE', b, '2', a, d], ['ZINTERSTORE', c2, '2', a, b], ['ZRANGESTORE', d, a, '0', '0'], ['ZRANGESTORE', d, a, '5', '6'],
    ['RPUSH', a, '1', '2'], ['LMOVE', a, b, 'LEFT', 'RIGHT'], ['RPOPLPUSH', a, 'nlist'], ['LMOVE', 'nlist', a, 'RIGHT', 'LEFT'], ['LMPOP', '2', 'none', a, 'LEFT'],
    ['RPUSH', c2, 'b', 'a'], ['SORT', c2, 'ALPHA', 'STORE', d], ['SORT', 'nolist', 'STORE', d],
  ];
  t.equal(await eventDiff(p, s, script), null);
});

t.test('the slow pool\'s *STORE and SORT STORE', async (t) => {
  for (const shards of [1, 4]) {
    const { p, s } = await setup(t, shards, 'KEAn');
    const [a, b] = spread('big', shards, 2);
    const members = Array.from({ length: 1500 }, (_, i) => `m${i}`);
    const script: Cmd[] = [
      ['SADD', a, ...members], ['SADD', b, 'm1', 'x'],
      ['SUNIONSTORE', 'dst', a, b], ['SINTERSTORE', 'dst', a, b], ['SDIFFSTORE', 'dst', b, a], ['SINTERSTORE', 'dst', a, 'nosuch'],
      ['RPUSH', 'big-list', ...members], ['SORT', 'big-list', 'ALPHA', 'STORE', 'sorted'], ['SORT', 'big-list', 'ALPHA', 'LIMIT', '0', '0', 'STORE', 'sorted'],
    ];
    t.equal(await eventDiff(p, s, script), null, `${shards} shard(s)`);
  }
});

t.test('MULTI / EXEC: the events of every command, in the order of the commands', async (t) => {
  for (const shards of [1, 4]) {
    const { p, s } = await setup(t, shards, shards === 1 ? 'AKEmn' : 'KEAn');
    const [a, b, c2] = spread('t', shards, 3);
    const block = (...cmds: Cmd[]): Cmd[] => [['MULTI'], ...cmds, ['EXEC']];
    const d = await eventDiff(p, s, [
      block(['SET', a, '1'], ['LPUSH', b, 'x'], ['MSET', a, '2', c2, '3', b + 'z', '4'], ['INCR', c2], ['RENAME', a, c2], ['GET', 'nosuch'], ['DEL', b, c2, 'nosuch']),
      block(['SET', a, '1', 'EX', '100'], ['RPUSH', b, '1', '2'], ['LPOP', b, '2'], ['SADD', c2, 'm'], ['SMOVE', c2, a + 's', 'm'], ['EXPIRE', a, '0']),
      block(['SET', '{x}a', '1'], ['SET', '{x}b', '2'], ['RENAME', '{x}a', '{x}c']),
      [['SET', 'w', '1'], ['WATCH', 'w'], ['SET', 'w', '2'], ['MULTI'], ['SET', 'w', '3'], ['EXEC']],
      block(['BLPOP', 'none', '0'], ['RPUSH', 'bl', '1'], ['BLPOP', 'bl', '0']),
    ]);
    t.equal(d, null, `${shards} shard(s): ${d ?? 'same stream'}`);
  }
});

t.test('other databases', async (t) => {
  const { p, s } = await setup(t, 2, 'KEA');
  t.equal(await eventDiff(p, s, cs('SELECT 5', 'SET k v', 'LPUSH l x', 'MOVE k 6', 'COPY l l2 DB 0', 'SWAPDB 5 6', 'DEL k', 'FLUSHDB', 'SELECT 0')), null);
});
