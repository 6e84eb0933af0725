// Hash fields, set members and sorted-set members longer than an LMDB key can hold (1,978 bytes):
// every family's commands give redis-server's replies for members from 1,899 bytes to 100 KB
// (byte order kept against shorter members, members sharing their first 1,900 bytes told apart),
// with 1 and 4 shards, across shards (COPY/RENAME/SMOVE/*STORE), and every removal path (HDEL,
// SREM, SPOP, ZREM, ZPOP, ZREMRANGE*, DEL + background collection) leaves nothing behind in the
// store. The one documented difference: sorted-set members with equal scores that share their first
// 1,900 bytes come back in digest order, not byte order (compared as a set).
import t, { type Test } from 'tap';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { open } from 'lmdb';
import { diff, pair, startRespdb, type Pair } from '../support/servers.js';
import { RawClient, formatReply, type Reply } from '../support/resp-client.js';
import { shardOf } from '../../lib/slot.js';

type Cmd = (string | Buffer)[];

const a = (n: number, ch = 'a'): Buffer => Buffer.alloc(n, ch);
const cat = (...p: (Buffer | string)[]): Buffer => Buffer.concat(p.map((x) => (typeof x === 'string' ? Buffer.from(x, 'latin1') : x)));

// 1,900 bytes are kept in keys; longer members get a digest after them.
const M = {
  short: a(1899), // inline
  edge: a(1900), // inline, the longest such
  long1: a(1901), // the shortest long member: a prefix of the next ones' first 1,900 bytes + 1
  long2: cat(a(1900), 'b'),
  long3: cat(a(1900), 'c', a(5000, 'x')),
  long4: cat(a(1901), '\x01'),
  other: a(3000, 'b'),
  huge: Buffer.from(Array.from({ length: 100_000 }, (_, i) => (i * 7919 + 13) & 0xff)),
  tiny: Buffer.from('t'),
};
const ALL = Object.values(M);
const MISSING = cat(a(1900), 'zz');

function items(r: Reply): Reply[] {
  if ((r.t === 'array' && r.v !== null) || r.t === 'set' || r.t === 'map') return r.v as Reply[];
  throw new Error(`expected an array reply, got ${formatReply(r)}`);
}

/** Walks a *SCAN to the end with COUNT 2; the members (or member/value pairs) found, sorted. */
async function scanAll(c: RawClient, cmd: string, key: string | Buffer, pairs: boolean): Promise<string[]> {
  const found: string[] = [];
  let cursor = '0';
  for (let i = 0; i < 1000; i++) {
    const r = items(await c.send(cmd, key, cursor, 'COUNT', '2'));
    cursor = (r[0] as { v: Buffer }).v.toString();
    const got = items(r[1]).map((x) => formatReply(x));
    if (!pairs) found.push(...got);
    else for (let j = 0; j < got.length; j += 2) found.push(got[j] + '=' + got[j + 1]);
    if (cursor === '0') return [...new Set(found)].sort();
  }
  throw new Error(`${cmd} never finished`);
}

async function bothScan(t: Test, p: Pair, cmd: string, key: string, pairs: boolean): Promise<void> {
  const [want, got] = [await scanAll(p.redis, cmd, key, pairs), await scanAll(p.respdb, cmd, key, pairs)];
  t.same(got, want, `${cmd} ${key} COUNT 2 walked to the end finds what redis finds`);
}

function hashCases(h: string, h2: string): Cmd[] {
  return [
    ['DEL', h, h2],
    ['HSET', h, M.short, '1', M.edge, '2', M.long1, '3', M.long2, '4', M.long3, '5', M.long4, '6', M.other, '7', M.huge, '8', M.tiny, '9'],
    ...ALL.map((m) => ['HGET', h, m]),
    ['HGET', h, MISSING],
    ['HMGET', h, M.long1, MISSING, M.long2, M.huge, M.edge],
    ['HEXISTS', h, M.long3],
    ['HEXISTS', h, MISSING],
    ['HSTRLEN', h, M.huge],
    ['HLEN', h],
    ['HSETNX', h, M.long2, 'x'],
    ['HSETNX', h, MISSING, 'new'],
    ['HINCRBY', h, M.long1, '10'],
    ['HINCRBYFLOAT', h, M.long4, '1.5'],
    ['HSET', h, M.long3, 'replaced'],
    ['HGET', h, M.long3],
    ['HLEN', h],
    ['OBJECT', 'ENCODING', h],
    ['HDEL', h, M.long2, MISSING, cat(a(1900), 'q'), M.short],
    ['HLEN', h],
    ['HGET', h, M.long2],
    ['HGET', h, M.long1],
    ['COPY', h, h2],
    ['HGET', h2, M.huge],
    ['HLEN', h2],
    ['RENAME', h2, h + ':r'],
    ['HMGET', h + ':r', M.long1, M.long3, M.huge, M.long2],
    ['DEL', h + ':r'],
  ];
}

function setCases(s: string, s2: string, d: string): Cmd[] {
  return [
    ['DEL', s, s2, d],
    ['SADD', s, ...ALL],
    ['SADD', s, M.long3, M.long1],
    ['SCARD', s],
    ...ALL.map((m) => ['SISMEMBER', s, m]),
    ['SISMEMBER', s, MISSING],
    ['SMISMEMBER', s, M.long1, MISSING, M.huge],
    ['SORT', s, 'ALPHA'],
    ['SORT', s, 'ALPHA', 'DESC', 'LIMIT', '1', '4'],
    ['SADD', s2, M.long2, M.other, MISSING, 'x'],
    ['SINTERCARD', '2', s, s2],
    ['SINTERSTORE', d, s, s2],
    ['SORT', d, 'ALPHA'],
    ['SDIFFSTORE', d, s, s2],
    ['SORT', d, 'ALPHA'],
    ['SUNIONSTORE', d, s, s2],
    ['SCARD', d],
    ['SORT', d, 'ALPHA'],
    ['SMOVE', s, s2, M.long3],
    ['SMOVE', s, s2, MISSING],
    ['SISMEMBER', s, M.long3],
    ['SISMEMBER', s2, M.long3],
    ['SREM', s, M.long1, MISSING, M.huge, M.tiny],
    ['SCARD', s],
    ['SORT', s, 'ALPHA'],
    ['COPY', s, d, 'REPLACE'],
    ['SORT', d, 'ALPHA'],
    ['RENAME', d, d + ':r'],
    ['SMISMEMBER', d + ':r', M.long2, M.long4, M.long1],
    ['DEL', d + ':r'],
  ];
}

function zsetCases(z: string, z2: string, d: string): Cmd[] {
  const order = [M.tiny, M.short, M.edge, M.long1, M.long2, M.long3, M.long4, M.other, M.huge];
  const zadd: Cmd = ['ZADD', z];
  order.forEach((m, i) => zadd.push(String(i + 1), m));
  return [
    ['DEL', z, z2, d],
    zadd,
    ['ZCARD', z],
    ...ALL.map((m) => ['ZSCORE', z, m]),
    ['ZMSCORE', z, M.long2, MISSING, M.huge],
    ['ZRANK', z, M.long3],
    ['ZREVRANK', z, M.long1],
    ['ZRANK', z, MISSING],
    ['ZRANGE', z, '0', '-1', 'WITHSCORES'],
    ['ZRANGE', z, '(3', '6', 'BYSCORE', 'WITHSCORES'],
    ['ZREVRANGE', z, '1', '3'],
    ['ZADD', z, 'XX', 'CH', '10', M.long1, '0.5', M.long3],
    ['ZADD', z, 'NX', '99', M.long2, '100', MISSING],
    ['ZINCRBY', z, '2.5', M.long4],
    ['ZRANGE', z, '0', '-1', 'WITHSCORES'],
    ['ZSCORE', z, MISSING],
    ['ZADD', z2, '1', M.long2, '2', M.other, '3', 'x'],
    ['ZUNIONSTORE', d, '2', z, z2, 'WEIGHTS', '1', '10'],
    ['ZRANGE', d, '0', '-1', 'WITHSCORES'],
    ['ZINTERSTORE', d, '2', z, z2, 'AGGREGATE', 'MAX'],
    ['ZRANGE', d, '0', '-1', 'WITHSCORES'],
    ['ZDIFFSTORE', d, '2', z, z2],
    ['ZRANGE', d, '0', '-1', 'WITHSCORES'],
    ['ZRANGESTORE', d, z, '2', '5'],
    ['ZRANGE', d, '0', '-1', 'WITHSCORES'],
    ['SORT', z, 'ALPHA'],
    ['ZREM', z, M.long3, MISSING, M.tiny],
    ['ZPOPMIN', z],
    ['ZPOPMAX', z, '2'],
    ['ZREMRANGEBYSCORE', z, '10', '10'],
    ['ZRANGE', z, '0', '-1', 'WITHSCORES'],
    ['ZREMRANGEBYRANK', z, '0', '0'],
    ['ZRANGE', z, '0', '-1', 'WITHSCORES'],
    ['COPY', z, d, 'REPLACE'],
    ['RENAME', d, d + ':r'],
    ['ZRANGE', d + ':r', '0', '-1', 'WITHSCORES'],
    ['DEL', d + ':r'],
    ['ZMPOP', '2', z, z2, 'MIN', 'COUNT', '10'],
    ['EXISTS', z],
  ];
}

/** Lex ranges over equal scores, members and bounds longer than a key holds (first 1,900 bytes all differ). */
function lexCases(z: string): Cmd[] {
  const ms = [a(1899, 'a'), a(1950, 'b'), cat(a(1950, 'c'), '\0'), a(4000, 'd'), a(10, 'e'), cat(a(1900, 'f'), 'g')];
  return [
    ['DEL', z],
    ['ZADD', z, ...ms.flatMap((m) => ['0', m])],
    ['ZRANGE', z, '0', '-1'],
    ['ZRANGEBYLEX', z, cat('[', a(1940, 'b')), cat('(', a(4001, 'd'))],
    ['ZRANGEBYLEX', z, cat('(', a(1950, 'b')), '+'],
    ['ZRANGEBYLEX', z, '-', cat('[', a(1950, 'c'))],
    ['ZREVRANGEBYLEX', z, cat('[', a(4000, 'd')), cat('[', a(1950, 'b')), 'LIMIT', '1', '2'],
    ['ZLEXCOUNT', z, cat('[', a(1950, 'b')), cat('[', a(4000, 'd'))],
    ['ZREMRANGEBYLEX', z, cat('(', a(1899, 'a')), cat('(', a(1950, 'c'))],
    ['ZRANGE', z, '0', '-1'],
    ['DEL', z],
  ];
}

/** Keys named `<base>:<n>` on different shards (4 shards), for cross-shard cases. */
function spread(base: string, n: number): string[] {
  const out: string[] = [];
  const used = new Set<number>();
  for (let i = 0; out.length < n; i++) {
    const k = `${base}:${i}`;
    const s = shardOf(Buffer.from(k), 4);
    if (!used.has(s)) {
      used.add(s);
      out.push(k);
    }
  }
  return out;
}

for (const shards of [1, 4]) {
  t.test(`long members against redis-server (${shards} shard${shards > 1 ? 's' : ''})`, async (t) => {
    const p = await pair(t, { shards });
    await t.test('hashes', async (t) => {
      for (const [h, h2] of [['h{1}', 'h{1}:2'], spread('h', 2)]) {
        await diff(t, p, hashCases(h, h2));
        await diff(t, p, [['HSET', h, M.long1, 'v1', M.long2, 'v2', M.huge, 'v3', 'x', 'y']]);
        await diff(t, p, [['HGETALL', h], ['HKEYS', h], ['HVALS', h]], { unordered: true });
        await bothScan(t, p, 'HSCAN', h, true);
        const r = items(await p.respdb.send('HRANDFIELD', h, '-20'));
        const fields = new Set([M.short, M.edge, M.long1, M.long2, M.long3, M.long4, M.other, M.huge, M.tiny, MISSING, Buffer.from('x')].map((m) => m.toString('latin1')));
        t.equal(r.length, 20, 'HRANDFIELD -20 gives 20 fields');
        t.ok(r.every((x) => fields.has((x as { v: Buffer }).v.toString('latin1'))), 'every one a field of the hash, long ones whole');
        await diff(t, p, [['DEL', h]]);
      }
    });
    await t.test('sets', async (t) => {
      for (const [s, s2, d] of [['s{1}', 's{1}:2', 's{1}:d'], spread('s', 3)]) {
        await diff(t, p, setCases(s, s2, d));
        await diff(t, p, [['SMEMBERS', s], ['SMEMBERS', s2], ['SINTER', s, s2], ['SUNION', s, s2], ['SDIFF', s2, s]], { unordered: true });
        await bothScan(t, p, 'SSCAN', s, false);
        const members = new Set((items(await p.respdb.send('SMEMBERS', s)) as { v: Buffer }[]).map((x) => x.v.toString('latin1')));
        const r = items(await p.respdb.send('SRANDMEMBER', s, '-30'));
        t.ok(r.length === 30 && r.every((x) => members.has((x as { v: Buffer }).v.toString('latin1'))), 'SRANDMEMBER -30: members of the set, long ones whole');
        const popped = items(await p.respdb.send('SPOP', s, '3')).map((x) => (x as { v: Buffer }).v.toString('latin1'));
        t.ok(popped.length === 3 && popped.every((m) => members.has(m)), 'SPOP 3 pops members');
        t.equal(formatReply(await p.respdb.send('SCARD', s)), `(integer) ${members.size - 3}`, 'and removes them');
        await diff(t, p, [['DEL', s, s2]]);
      }
    });
    await t.test('sorted sets', async (t) => {
      for (const [z, z2, d] of [['z{1}', 'z{1}:2', 'z{1}:d'], spread('z', 3)]) {
        await diff(t, p, zsetCases(z, z2, d));
        await diff(t, p, lexCases(z));
        await diff(t, p, [['ZADD', z, '1', M.long1, '2', M.long2, '3', M.huge, '4', 'x']]);
        await bothScan(t, p, 'ZSCAN', z, true);
        const r = items(await p.respdb.send('ZRANDMEMBER', z, '-10', 'WITHSCORES'));
        t.equal(r.length, 20, 'ZRANDMEMBER -10 WITHSCORES: 10 pairs');
        const want = new Map([[M.long1, '1'], [M.long2, '2'], [M.huge, '3'], [Buffer.from('x'), '4']].map(([m, s]) => [(m as Buffer).toString('latin1'), s as string]));
        let ok = true;
        for (let i = 0; i < r.length; i += 2) ok &&= want.get((r[i] as { v: Buffer }).v.toString('latin1')) === (r[i + 1] as { v: Buffer }).v.toString();
        t.ok(ok, 'each a member with its score, long ones whole');
        await diff(t, p, [['DEL', z, z2, d]]);
      }
    });
    await t.test('equal scores, shared first 1,900 bytes: the same members, in digest order', async (t) => {
      const cmds: Cmd[] = [['DEL', 'eq'], ['ZADD', 'eq', '1', M.long1, '1', M.long2, '1', M.long3, '1', M.long4, '1', M.edge, '2', 'z']];
      await diff(t, p, cmds);
      await diff(t, p, [['ZRANGE', 'eq', '0', '-1'], ['ZRANGEBYSCORE', 'eq', '1', '1']], { unordered: true });
      await diff(t, p, [['ZRANGE', 'eq', '0', '0'], ['ZRANGE', 'eq', '-1', '-1'], ['ZCARD', 'eq'], ['ZRANK', 'eq', M.edge], ['ZRANK', 'eq', 'z'], ['ZSCORE', 'eq', M.long4], ['DEL', 'eq']]);
    });
  });
}

/** Counts the entries of the named sub-databases of every shard (the server stopped). */
function countEntries(dir: string, shards: number, names: string[]): Record<string, number> {
  const out: Record<string, number> = Object.fromEntries(names.map((n) => [n, 0]));
  for (let s = 0; s < shards; s++) {
    const env = open({ path: path.join(dir, `shard-${s}`), readOnly: true, maxDbs: 12 });
    try {
      for (const n of names) {
        const db = env.openDB({ name: n, keyEncoding: 'binary', encoding: 'binary' });
        for (const _ of db.getKeys()) out[n]++;
      }
    } finally {
      env.close();
    }
  }
  return out;
}

t.test('every removal path leaves no long member behind', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'respdb-long-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const srv = await startRespdb({ shards: 2, dir });
  let stopped = false;
  t.teardown(async () => {
    if (!stopped) await srv.stop();
  });
  const c = await RawClient.connect(srv.port);
  const longs = [M.long1, M.long2, M.long3, M.long4, M.huge];
  const res = await c.pipeline([
    ['HSET', 'h', ...longs.flatMap((m) => [m, 'v']), 'x', 'y'],
    ['HDEL', 'h', ...longs],
    ['SADD', 's', ...longs, 'x'],
    ['SREM', 's', M.long1, M.long2],
    ['SADD', 'p', M.long1, M.long2],
    ['SPOP', 'p', '2'],
    ['SMOVE', 's', 's2', M.huge],
    ['SMOVE', 's', 's2', M.long3],
    ['SMOVE', 's', 's2', M.long4],
    ['SREM', 's2', M.long3, M.long4, M.huge],
    ['ZADD', 'z', ...longs.flatMap((m, i) => [String(i), m]), '9', 'x'],
    ['ZREM', 'z', M.long1],
    ['ZPOPMIN', 'z'],
    ['ZREMRANGEBYSCORE', 'z', '2', '2'],
    ['ZREMRANGEBYRANK', 'z', '0', '0'],
    ['ZREMRANGEBYLEX', 'z', '-', '(x'],
    ['ZADD', 'gone', '1', M.long1, '2', M.huge],
    ['HSET', 'gone2', M.long2, 'v'],
    ['SADD', 'gone3', M.long3],
    ['SUNIONSTORE', 'gone4', 'gone3'],
    ['COPY', 'gone', 'gone5'],
    ['DEL', 'gone', 'gone2', 'gone3', 'gone4', 'gone5'],
    ['DBSIZE'],
  ]);
  t.same(res.filter((r) => r.t === 'error').map((r) => formatReply(r)), [], 'no command failed');
  t.equal(formatReply(res[res.length - 1]), '(integer) 3', 'h, s and z remain, each with one short member');
  for (let i = 0; i < 500; i++) {
    const info = await c.send('INFO', 'memory');
    if (/lazyfree_pending_objects:0\b/.test(info.t === 'bulk' && info.v ? info.v.toString() : '')) break;
    await new Promise((r) => setTimeout(r, 20));
  }
  await c.close();
  await srv.stop();
  stopped = true;
  const n = countEntries(dir, 2, ['long', 'sub', 'zscore', 'slot', 'garbage']);
  t.same(n, { long: 0, sub: 3, zscore: 1, slot: 1, garbage: 0 }, 'only the three short members are stored');
});
