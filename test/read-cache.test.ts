// GET's main-thread read cache never serves a value that a later write replaced (lib/read-cache.ts).
import t from 'tap';
import { startRespdb } from './support/servers.js';
import { RawClient, type Reply } from './support/resp-client.js';

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

function text(r: Reply): string | null {
  if (r.t === 'bulk') return r.v === null ? null : r.v.toString();
  if (r.t === 'null') return null;
  if (r.t === 'simple' || r.t === 'error') return r.v;
  if (r.t === 'int') return String(r.v);
  throw new Error('unexpected reply ' + JSON.stringify(r));
}

for (const shards of [1, 4]) {
  t.test(`read cache coherence (shards=${shards})`, async (t) => {
    const srv = await startRespdb({ shards });
    t.teardown(() => srv.stop());
    const w = await RawClient.connect(srv.port);
    const r = await RawClient.connect(srv.port);
    t.teardown(() => {
      w.close();
      r.close();
    });
    const get = async (k: string) => text(await r.send('GET', k));
    // Each step: a write on one connection, then GETs (twice: the second is a cache hit) on the other.
    const steps: Array<[string[], string | null]> = [
      [['SET', 'k', 'v1'], 'v1'],
      [['SET', 'k', 'v2'], 'v2'],
      [['APPEND', 'k', '+'], 'v2+'],
      [['INCRBYFLOAT', 'n', '1.5'], 'v2+'],
      [['SETRANGE', 'k', '0', 'V'], 'V2+'],
      [['GETDEL', 'k'], null],
      [['MSET', 'k', 'm1', 'other', 'x'], 'm1'],
      [['RENAME', 'k', 'k2'], null],
      [['RENAME', 'k2', 'k'], 'm1'],
      [['COPY', 'other', 'k', 'REPLACE'], 'x'],
      [['DEL', 'k', 'other'], null],
      [['SET', 'k', 'again'], 'again'],
      [['MOVE', 'k', '1'], null],
      [['SET', 'k', 'db0'], 'db0'],
      [['SWAPDB', '0', '1'], 'again'],
      [['SWAPDB', '0', '1'], 'db0'],
      [['FLUSHDB'], null],
      [['SET', 'k', 'back'], 'back'],
      [['FLUSHALL'], null],
    ];
    for (const [cmd, want] of steps) {
      await w.send(...cmd);
      t.equal(await get('k'), want, `${cmd.join(' ')} -> GET k`);
      t.equal(await get('k'), want, `${cmd.join(' ')} -> GET k again`);
    }
    // Another database never sees db 0's cached value.
    await w.send('SET', 'k', 'zero');
    t.equal(await get('k'), 'zero');
    await r.send('SELECT', '1');
    t.equal(await get('k'), null, 'db 1 has no k');
    await r.send('SELECT', '0');
    // Expiry is checked on cache hits.
    await w.send('SET', 'k', 'short', 'PX', '80');
    t.equal(await get('k'), 'short');
    t.equal(await get('k'), 'short');
    await sleep(150);
    t.equal(await get('k'), null, 'expired while cached');
    await w.send('SET', 'k', 'ttl');
    t.equal(await get('k'), 'ttl');
    await w.send('PEXPIRE', 'k', '50');
    await sleep(120);
    t.equal(await get('k'), null, 'PEXPIRE after caching');
    // WRONGTYPE is never cached as a value (no other types exist yet: the error path of a string key)
    await w.send('SET', 'k', 'last');
    t.equal(await get('k'), 'last');
    // The cache can be turned off and on at runtime.
    t.equal(text(await w.send('CONFIG', 'SET', 'read-cache-size', '0')), 'OK');
    await w.send('SET', 'k', 'nocache');
    t.equal(await get('k'), 'nocache');
    t.equal(text(await w.send('CONFIG', 'SET', 'read-cache-size', '1mb')), 'OK');
    t.equal(await get('k'), 'nocache');
  });
}

t.test('concurrent writer and readers: GET never goes back in time', async (t) => {
  const srv = await startRespdb({ shards: 2 });
  t.teardown(() => srv.stop());
  const w = await RawClient.connect(srv.port);
  const readers = await Promise.all([1, 2, 3].map(() => RawClient.connect(srv.port)));
  await w.send('SET', 'c', '0');
  let writing = true;
  const writer = (async () => {
    for (let v = 1; v <= 1500; v++) await w.send('SET', 'c', String(v));
    writing = false;
  })();
  let backwards = 0;
  let reads = 0;
  await Promise.all(
    readers.map(async (c) => {
      let last = -1;
      while (writing) {
        const v = Number(text(await c.send('GET', 'c')));
        if (v < last) backwards++;
        last = v;
        reads++;
      }
      // after the writer finished (its last reply was received), everyone sees the last value
      const final = Number(text(await c.send('GET', 'c')));
      if (final !== 1500) backwards++;
    }),
  );
  await writer;
  t.ok(reads > 100, `${reads} reads`);
  t.equal(backwards, 0, 'no reader saw an older value after a newer one, and all end on the last one');
  w.close();
  for (const c of readers) c.close();
});
