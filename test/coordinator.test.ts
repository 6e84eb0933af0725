// Cross-shard commands are atomic and isolated: concurrent readers never observe half of a
// multi-shard write (lib/coordinator.ts), with 4 shards and keys chosen to land on different shards.
import t from 'tap';
import { startRespdb } from './support/servers.js';
import { RawClient } from './support/resp-client.js';
import { shardOf } from '../lib/slot.js';
import { spread } from './support/keys.js';


function bulkText(r: { t: string; v?: unknown }): string | null {
  if (r.t === 'bulk') return r.v === null ? null : (r.v as Buffer).toString();
  if (r.t === 'null') return null;
  throw new Error('not a bulk reply: ' + JSON.stringify(r));
}

t.test('cross-shard isolation (4 shards)', async (t) => {
  const srv = await startRespdb({ shards: 4 });
  t.teardown(() => srv.stop());
  const keys = spread('iso:', 4, 4);
  t.equal(new Set(keys.map((k) => shardOf(Buffer.from(k), 4))).size, 4, 'keys on 4 different shards');

  await t.test('MGET never sees half of an MSET', async (t) => {
    // Two keys on each shard, one MSET over all of them. An MGET over every shard is scattered to
    // the shards at one point of the global order; an MGET of one shard's two keys is answered on
    // the main thread from that shard's data (a direct read) when nothing is in flight there. A
    // reader sweeping the shards one MGET at a time must never find a shard older than one it read
    // before: a direct read must not see one shard after an MSET and another before it.
    const groups = keys.map((k) => [`{${k}}a`, `{${k}}b`]);
    t.same(groups.map((g) => g.map((k) => shardOf(Buffer.from(k), 4))), keys.map((k) => [0, 0].map(() => shardOf(Buffer.from(k), 4))), 'two keys on each of the 4 shards');
    const all = groups.flat();
    const w = await RawClient.connect(srv.port);
    await w.send('MSET', ...all.flatMap((k) => [k, '0']));
    const readers = await Promise.all([1, 2, 3].map(() => RawClient.connect(srv.port)));
    let writing = true;
    const writer = (async () => {
      for (let v = 1; v <= 300; v++) {
        const r = await w.send('MSET', ...all.flatMap((k) => [k, String(v)]));
        if (r.t !== 'simple') throw new Error('MSET failed: ' + JSON.stringify(r));
      }
      writing = false;
    })();
    const mget = async (c: RawClient, ks: string[]): Promise<(string | null)[]> => {
      const r = await c.send('MGET', ...ks);
      if (r.t !== 'array' || !r.v) throw new Error('bad MGET reply');
      return r.v.map(bulkText);
    };
    let reads = 0;
    let torn = 0;
    let sweeps = 0;
    let backwards = 0;
    await Promise.all(
      readers.map(async (c, ri) => {
        const order = groups.map((_, i) => groups[(i + ri) % groups.length]);
        if (ri === 1) order.reverse();
        while (writing) {
          if (new Set(await mget(c, all)).size !== 1) torn++;
          reads++;
          let seen = -1;
          for (const g of order) {
            const vals = await mget(c, g);
            if (new Set(vals).size !== 1) torn++;
            const v = Number(vals[0]);
            if (v < seen) backwards++;
            seen = Math.max(seen, v);
          }
          sweeps++;
        }
      }),
    );
    await writer;
    t.ok(reads > 0 && sweeps > 0, `readers ran (${reads} MGETs over every shard, ${sweeps} sweeps of one-shard MGETs)`);
    t.equal(torn, 0, 'no MGET observed a mix of two MSETs');
    t.equal(backwards, 0, 'no one-shard MGET returned a version older than one read before it');
    w.close();
    for (const c of readers) c.close();
  });

  await t.test('single-key GETs (served on the main thread) never run behind an MSET they already saw', async (t) => {
    // MSET writes increasing versions to all keys. A reader GETting the keys one after another
    // must never see a key older than one it read before: once part of an MSET is visible, the
    // rest of it is too.
    const w = await RawClient.connect(srv.port);
    await w.send('MSET', ...keys.flatMap((k) => [k, '0']));
    const readers = await Promise.all([1, 2].map(() => RawClient.connect(srv.port)));
    let writing = true;
    const writer = (async () => {
      for (let v = 1; v <= 300; v++) await w.send('MSET', ...keys.flatMap((k) => [k, String(v)]));
      writing = false;
    })();
    let sweeps = 0;
    let backwards = 0;
    await Promise.all(
      readers.map(async (c, ri) => {
        while (writing) {
          let seen = -1;
          const order = ri === 0 ? keys : [...keys].reverse();
          for (const k of order) {
            const v = Number(bulkText(await c.send('GET', k)));
            if (v < seen) backwards++;
            seen = Math.max(seen, v);
          }
          sweeps++;
        }
      }),
    );
    await writer;
    t.ok(sweeps > 0, `${sweeps} sweeps`);
    t.equal(backwards, 0, 'no GET returned a version older than one read before it');
    w.close();
    for (const c of readers) c.close();
  });

  await t.test('RENAME back and forth across shards: the value is always in exactly one place', async (t) => {
    const [a, b] = keys;
    const c = await RawClient.connect(srv.port);
    await c.send('DEL', a, b);
    await c.send('SET', a, 'payload');
    const r = await RawClient.connect(srv.port);
    let moving = true;
    const mover = (async () => {
      for (let i = 0; i < 200; i++) {
        const from = i % 2 === 0 ? a : b;
        const to = i % 2 === 0 ? b : a;
        const rep = await c.send('RENAME', from, to);
        if (rep.t !== 'simple') throw new Error('RENAME failed: ' + JSON.stringify(rep));
      }
      moving = false;
    })();
    let bad = 0;
    let checks = 0;
    while (moving) {
      const rep = await r.send('EXISTS', a, b);
      if (rep.t !== 'int' || rep.v !== 1n) bad++;
      checks++;
    }
    await mover;
    t.ok(checks > 0, `checked ${checks} times`);
    t.equal(bad, 0, 'EXISTS a b was 1 every time');
    t.same(bulkText(await c.send('GET', a)), 'payload', 'value intact after 200 renames');
    c.close();
    r.close();
  });

  await t.test('MSETNX across shards is all or nothing', async (t) => {
    const c = await RawClient.connect(srv.port);
    await c.send('DEL', ...keys);
    await c.send('SET', keys[3], 'taken');
    const r1 = await c.send('MSETNX', ...keys.flatMap((k) => [k, 'x']));
    t.same(r1, { t: 'int', v: 0n }, 'refused when one key exists');
    const r2 = await c.send('EXISTS', ...keys);
    t.same(r2, { t: 'int', v: 1n }, 'nothing was written');
    await c.send('DEL', keys[3]);
    const r3 = await c.send('MSETNX', ...keys.flatMap((k) => [k, 'y']));
    t.same(r3, { t: 'int', v: 1n });
    const r4 = await c.send('MGET', ...keys);
    t.same(r4.t === 'array' ? r4.v!.map(bulkText) : null, keys.map(() => 'y'));
    c.close();
  });

  await t.test('pipelined replies stay in order across shards and coordinated commands', async (t) => {
    const c = await RawClient.connect(srv.port);
    const cmds: string[][] = [];
    for (let i = 0; i < 200; i++) {
      const k = keys[i % 4];
      cmds.push(['SET', k, `v${i}`]);
      cmds.push(['GET', k]);
      if (i % 10 === 0) cmds.push(['MGET', ...keys]);
      if (i % 25 === 0) cmds.push(['ECHO', `e${i}`]);
    }
    const replies = await c.pipeline(cmds);
    let ok = true;
    cmds.forEach((cmd, j) => {
      const r = replies[j];
      if (cmd[0] === 'GET' && bulkText(r) !== cmds[j - 1][2]) ok = false;
      if (cmd[0] === 'ECHO' && bulkText(r) !== cmd[1]) ok = false;
    });
    t.ok(ok, 'every GET saw the SET just before it; ECHO replies in place');
    c.close();
  });
});
