// Keyspace commands over whole databases, differential against redis-server 7.0: KEYS SCAN
// RANDOMKEY DBSIZE FLUSHDB FLUSHALL SWAPDB, with 1 and 4 shards (SCAN's cursor steps from shard
// to shard).
import t, { type Test } from 'tap';
import { pair, diff } from '../support/servers.js';
import { RawClient } from '../support/resp-client.js';
import { shardOf } from '../../lib/slot.js';
import { spread } from '../support/keys.js';
import { bulkText, keyList, scanAll, sleep, type Cmd } from './keyspace-support.js';

function suite(shards: number): void {
  t.test(`shards=${shards}`, async (t) => {
    const p = await pair(t, { shards });
    const d = (t: Test, cmds: Cmd[], unordered = false) => diff(t, p, cmds, unordered ? { unordered: true } : {});
    const reset = (t: Test) => d(t, [['SELECT', '0'], ['FLUSHALL']]);
    const [k1, k2, k3, k4] = spread('key:', 4, shards);
    if (shards > 1) {
      t.not(shardOf(Buffer.from(k1), shards), shardOf(Buffer.from(k2), shards), 'k1 and k2 live on different shards');
      t.not(shardOf(Buffer.from(k3), shards), shardOf(Buffer.from(k4), shards), 'k3 and k4 live on different shards');
    }

    await t.test('KEYS as sets, binary keys', async (t) => {
      await reset(t);
      const names = ['alpha', 'beta', 'gamma', 'a', 'ab', 'abc', 'b', 'key:1', 'key:2', 'key:10', 'kay', 'K*y', 'k\\y', 'h[x]', '', 'x\r\ny', '\x00bin\xff'];
      await d(t, [['KEYS', '*']]);
      for (const n of names) await d(t, [['SET', Buffer.from(n, 'latin1'), 'v']]);
      await d(t, [['SET', 'gone', 'v', 'PX', '1']]);
      await sleep(20);
      const patterns = ['*', 'a*', '*a', 'a?', 'key:?', 'key:*', 'k[ae]y', 'K\\*y', 'k\\\\y', 'h\\[x]', 'h[[]x]', '[^a]*', 'nomatch', '', '??', '\x00*', '*\xff', 'x?\ny', 'gone', '*o*'];
      for (const pat of patterns) await d(t, [['KEYS', Buffer.from(pat, 'latin1')]], true);
      await d(t, [['SELECT', '3'], ['KEYS', '*'], ['SET', 'alpha', 'db3'], ['KEYS', '*'], ['SELECT', '0']], true);
    });


    await t.test('SCAN: errors, options, full iterations with COUNT 1..1000', async (t) => {
      await reset(t);
      await d(t, [
        ['SCAN', 'x'], ['SCAN', '1.5'], ['SCAN', ' 1'], ['SCAN', '18446744073709551616'], ['SCAN', '-'], ['SCAN', '0', 'COUNT', '0'], ['SCAN', '0', 'COUNT', '-1'],
        ['SCAN', '0', 'COUNT', 'x'], ['SCAN', '0', 'MATCH'], ['SCAN', '0', 'foo', 'bar'], ['SCAN', '0', 'TYPE'], ['SCAN', 'x', 'COUNT', '0'],
        ['SCAN', '0'], ['SCAN', '0', 'MATCH', 'a*', 'COUNT', '5', 'TYPE', 'string'],
      ]);
      const all: string[] = [];
      const mset: string[] = [];
      for (let i = 0; i < 300; i++) {
        const k = i % 10 === 0 ? `user:${i}` : `item:${i}`;
        all.push(k);
        mset.push(k, String(i));
      }
      // (no DBSIZE here: whether the 1 ms key still counts depends on each server's expiry timing)
      await d(t, [['MSET', ...mset], ['SET', 'volatile', 'v', 'PX', '1']]);
      await sleep(20);
      all.sort();
      const redisAll = [...new Set((await scanAll(p.redis)).keys)].sort();
      t.same(redisAll, all, 'redis full scan (sanity)');
      for (const count of [1, 2, 7, 10, 33, 100, 299, 300, 1000]) {
        const { keys, calls } = await scanAll(p.respdb, ['COUNT', String(count)]);
        t.same([...keys].sort(), all, `COUNT ${count}: every key exactly once (${calls} calls)`);
      }
      const users = all.filter((k) => k.startsWith('user:'));
      for (const extra of [['MATCH', 'user:*'], ['MATCH', 'user:*', 'COUNT', '3'], ['count', '50', 'match', 'user:*', 'type', 'STRING']]) {
        const got = [...new Set((await scanAll(p.respdb, extra)).keys)].sort();
        const want = [...new Set((await scanAll(p.redis, extra)).keys)].sort();
        t.same(got, want, `SCAN ${extra.join(' ')} matches redis`);
        t.same(got, users, `SCAN ${extra.join(' ')} returns the user keys`);
      }
      for (const extra of [['TYPE', 'hash'], ['TYPE', 'nosuchtype'], ['TYPE', 'string', 'TYPE', 'list'], ['MATCH', 'nomatch*']]) {
        t.same((await scanAll(p.respdb, extra)).keys, [], `SCAN ${extra.join(' ')} returns nothing`);
        t.same((await scanAll(p.redis, extra)).keys, [], `redis SCAN ${extra.join(' ')} returns nothing`);
      }
      // An unknown cursor restarts from the beginning; the other db is scanned separately.
      // (COUNT 1000 covers the 301 records of every shard: the whole scan in one call)
      const restart = await p.respdb.send('SCAN', '12345', 'COUNT', '1000');
      if (restart.t !== 'array' || !restart.v || restart.v.length !== 2) throw new Error('bad SCAN reply');
      t.equal(bulkText(restart.v[0]), '0', 'unknown cursor: the scan restarts and completes');
      t.same(keyList(restart.v[1]), all, 'unknown cursor: every key, from the beginning');
      await d(t, [['SELECT', '5'], ['SET', 'only-in-5', 'x']]);
      t.same((await scanAll(p.respdb)).keys, ['only-in-5'], 'SCAN in db 5');
      await d(t, [['FLUSHDB'], ['SELECT', '0']]);
    });


    await t.test('SCAN returns every key present for the whole scan while keys change', async (t) => {
      await reset(t);
      const stable: string[] = [];
      const mset: string[] = [];
      for (let i = 0; i < 200; i++) {
        stable.push(`s:${i}`);
        mset.push(`s:${i}`, 'v', `t:${i}`, 'v');
      }
      await p.respdb.send('MSET', ...mset);
      const { keys } = await scanAll(p.respdb, ['COUNT', '5'], async (step) => {
        // Delete the transient keys and add new ones as the scan goes.
        await p.respdb.send('DEL', `t:${step * 2}`, `t:${step * 2 + 1}`);
        await p.respdb.send('SET', `n:${step}`, 'v');
      });
      const seen = new Set(keys);
      t.same(stable.filter((k) => !seen.has(k)), [], 'no stable key missed');
      t.equal(keys.length, seen.size, 'no key returned twice');
    });


    await t.test('DBSIZE, FLUSHDB, FLUSHALL SYNC/ASYNC, SWAPDB', async (t) => {
      await reset(t);
      await d(t, [
        ['DBSIZE'], ['SET', k1, 'a'], ['SET', k2, 'b'], ['SET', k3, 'c'], ['DBSIZE'],
        ['SELECT', '1'], ['SET', k1, 'one'], ['SET', k4, 'four'], ['DBSIZE'],
        ['SWAPDB', '0', 'x'], ['SWAPDB', 'x', '0'], ['SWAPDB', 'x', 'y'], ['SWAPDB', '0', '16'], ['SWAPDB', '-1', '0'], ['SWAPDB', '9999999999', '0'],
        ['SWAPDB', '0', '99999999999999999999'], ['SWAPDB', '0', '9999999999'],
        ['SWAPDB', '0', '1'], ['DBSIZE'], ['GET', k1], ['GET', k2], ['GET', k4], ['SELECT', '0'], ['DBSIZE'], ['GET', k1], ['GET', k2], ['GET', k4],
        ['SWAPDB', '1', '1'], ['GET', k1], ['SWAPDB', '1', '0'], ['GET', k1], ['DBSIZE'],
        ['FLUSHDB', 'x'], ['FLUSHDB', 'sync', 'async'], ['FLUSHALL', 'foo'], ['FLUSHALL', 'SYNC', 'ASYNC'],
        ['SELECT', '1'], ['FLUSHDB'], ['DBSIZE'], ['SELECT', '0'], ['DBSIZE'], ['FLUSHDB', 'ASYNC'], ['DBSIZE'],
        ['SET', k1, 'a'], ['SELECT', '2'], ['SET', k2, 'b'], ['FLUSHALL', 'ASYNC'], ['DBSIZE'], ['SELECT', '0'], ['DBSIZE'], ['GET', k1],
        ['SET', k1, 'a'], ['FLUSHALL', 'sync'], ['DBSIZE'], ['SET', k1, 'a'], ['FLUSHALL'], ['DBSIZE'], ['FLUSHDB', 'SYNC'],
      ]);
    });


    await t.test('RANDOMKEY', async (t) => {
      await reset(t);
      await d(t, [['RANDOMKEY']]);
      await d(t, [['SET', 'only', 'v'], ['RANDOMKEY'], ['DEL', 'only']]);
      const mset: string[] = [];
      for (let i = 0; i < 50; i++) mset.push(`r:${i}`, 'v');
      await p.respdb.send('MSET', ...mset);
      await p.respdb.send('SET', 'r:volatile', 'v', 'PX', '1');
      await sleep(20);
      const seen = new Set<string>();
      for (let i = 0; i < 100; i++) {
        const k = bulkText(await p.respdb.send('RANDOMKEY'));
        t.ok(/^r:\d+$/.test(k), `RANDOMKEY returned a live key (${k})`) || i;
        seen.add(k);
      }
      t.ok(seen.size >= 10, `RANDOMKEY spreads over keys (${seen.size} distinct of 50 in 100 calls)`);
      await p.respdb.send('SELECT', '7');
      t.same(await p.respdb.send('RANDOMKEY'), { t: 'bulk', v: null }, 'empty db');
      await p.respdb.send('SELECT', '0');
    });


    if (shards > 1) {
      await t.test('SWAPDB and expiries survive a restart', async (t) => {
        await reset(t);
        await d(t, [['SET', k1, 'zero'], ['PEXPIREAT', k1, '4102444800321'], ['SELECT', '1'], ['SET', k2, 'one'], ['SWAPDB', '0', '1'], ['SELECT', '0']]);
        await p.respdbProc.restart();
        const c = await RawClient.connect(p.respdbProc.port, p.respdbProc.host);
        try {
          t.same(await c.send('GET', k2), { t: 'bulk', v: Buffer.from('one') }, 'db 0 holds the former db 1');
          t.same(await c.send('DBSIZE'), { t: 'int', v: 1n });
          await c.send('SELECT', '1');
          t.same(await c.send('GET', k1), { t: 'bulk', v: Buffer.from('zero') }, 'db 1 holds the former db 0');
          t.same(await c.send('PEXPIRETIME', k1), { t: 'int', v: 4102444800321n }, 'expiry kept');
        } finally {
          await c.close();
        }
      });
    }
  });
}

suite(1);
suite(4);
