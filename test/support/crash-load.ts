// kill -9 under a write load (test/persistence-crash*.test.ts).
import type { Test } from 'tap';
import crypto from 'node:crypto';
import { RawClient } from './resp-client.js';
import { show, type DataDirs } from './data-dirs.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * kill -9 under load: `clients` connections, each keeping `depth` writes in flight, write
 * distinct keys (and delete some of their own); every acknowledged effect is recorded. After
 * kill -9 and a restart, every acknowledged write must be there.
 */
export async function crashUnderLoad(t: Test, d: DataDirs, shards: number, fsync: string, extra: string[] = []): Promise<void> {
  const dir = d.tempDir();
  const p = await d.start(shards, dir, ['--appendfsync', fsync, ...extra]);
  const clients = await Promise.all(Array.from({ length: 6 }, () => RawClient.connect(p.port, '127.0.0.1', { replyTimeoutMs: 0 })));
  const ackedSet = new Map<string, Buffer>();
  const ackedDel = new Set<string>();
  /** DELs sent: a DEL that ran but whose reply was lost may have removed an acknowledged SET. */
  const sentDel = new Set<string>();
  let stop = false;
  const depth = 8;
  const loops = clients.map(async (c, ci) => {
    let i = 0;
    const inflight = new Set<Promise<void>>();
    while (!stop && !c.closed) {
      const n = i++;
      const key = `crash:${ci}:${n}`;
      let op: Promise<void>;
      if (n % 10 === 9) {
        const victim = `crash:${ci}:${n - 5}`;
        sentDel.add(victim);
        op = c.send('DEL', victim).then(
          (r) => {
            if (r.t === 'int') {
              ackedDel.add(victim);
              ackedSet.delete(victim);
            }
          },
          () => {},
        );
      } else {
        const value = Buffer.concat([Buffer.from(`${key}=`), crypto.randomBytes(n % 64)]);
        op = c.send('SET', key, value).then(
          (r) => {
            if (r.t === 'simple' && r.v === 'OK' && !ackedDel.has(key)) ackedSet.set(key, value);
          },
          () => {},
        );
      }
      inflight.add(op);
      void op.then(() => inflight.delete(op));
      if (inflight.size >= depth) await Promise.race(inflight);
    }
    await Promise.allSettled([...inflight]);
  });
  // let the load run, then crash while it is going: once 2000 effects were acknowledged (at most
  // 1.5 s), with 6 x 8 more always in flight
  const until = Date.now() + 1500;
  while (Date.now() < until && ackedSet.size + ackedDel.size < 2000) await sleep(20);
  const ackedBefore = ackedSet.size + ackedDel.size;
  await p.kill9();
  stop = true;
  await Promise.all(loops);
  for (const c of clients) await c.close().catch(() => {});
  t.ok(ackedBefore > 100, `[${fsync}, shards=${shards}${extra.length ? ' ' + extra.join(' ') : ''}] ${ackedSet.size} SETs and ${ackedDel.size} DELs acknowledged before kill -9`);
  await p.restart();
  const c = await RawClient.connect(p.port);
  t.equal(show(await c.send('PING')), 'simple:PONG', 'the directory opens after kill -9');
  const setKeys = [...ackedSet.keys()];
  const got = await c.pipeline(setKeys.map((k) => ['GET', k]));
  let missing = 0;
  setKeys.forEach((k, i) => {
    const r = got[i];
    // deleted by a DEL in flight at the crash: absent is fine too
    if (sentDel.has(k) && r.t === 'bulk' && r.v === null) return;
    if (!(r.t === 'bulk' && r.v !== null && r.v.equals(ackedSet.get(k)!))) {
      if (++missing <= 5) t.fail(`acknowledged SET ${k} lost or wrong after kill -9: ${show(r)}`);
    }
  });
  t.equal(missing, 0, `all ${setKeys.length} acknowledged SETs are present with their values`);
  const delKeys = [...ackedDel];
  const ex = delKeys.length ? await c.pipeline(delKeys.map((k) => ['EXISTS', k])) : [];
  t.equal(ex.filter((r) => !(r.t === 'int' && r.v === 0n)).length, 0, `all ${delKeys.length} acknowledged DELs stayed deleted`);
  // and it keeps working
  t.equal(show(await c.send('SET', 'after-crash', 'yes')), 'simple:OK');
  await c.close();
  await p.stop();
}
