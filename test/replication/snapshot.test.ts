// RdbSnapshot (lib/replication/snapshot.ts): the RDB file of one consistent cut, produced by its
// own thread. Under concurrent cross-shard writes the file is compared with the replay of exactly
// the binlog up to the cut's sequence; then backpressure, cancel, thread reuse, concurrent cuts.
import t from 'tap';
import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { RdbSnapshot, SNAPSHOT_AHEAD, snapshotThreads } from '../../lib/replication/snapshot.js';
import { RDB_CHUNK } from '../../lib/rdb/file-write.js';
import { startRedis } from '../support/servers.js';
import { readBinlog, replayBinlog } from '../support/binlog.js';
import { client, digest, int, loadIntoRedis, root, saveTo, startServer, until } from '../support/snapshot.js';

t.test('under cross-shard MULTI/EXEC writers the file is exactly the cut: the binlog replayed up to cut.seq', async (t) => {
  const s = await startServer(t, 4);
  // keys before the counters and the SETs in every shard's key order: the file is read in several
  // passes, and a pass that read a newer snapshot would show writes made after the cut
  const filler: string[][] = [];
  for (let i = 0; i < 12_000; i++) filler.push(['SET', `f:${i}`, String(i)]);
  await (await client(t, s.port)).pipeline(filler);
  const groups = 3;
  const members = 6;
  let stop = false;
  let before = 0; // SET w:i acknowledged before take(): must be in the file
  let afterFrom = Infinity; // SET w:i sent after take(): must not be
  let taken = false;
  const writers: Promise<void>[] = [];
  for (let w = 0; w < 4; w++) {
    const c = await client(t, s.port);
    const g = w % groups;
    writers.push(
      (async () => {
        while (!stop) {
          const cmds: string[][] = [['MULTI']];
          for (let m = 0; m < members; m++) cmds.push(['INCR', `g${g}:m${m}`]);
          cmds.push(['EXEC']);
          await c.pipeline(cmds);
        }
      })(),
    );
  }
  const seqc = await client(t, s.port);
  const sequential = (async () => {
    for (let i = 0; !stop; i++) {
      if (taken && afterFrom === Infinity) afterFrom = i;
      await seqc.send('SET', `w:${i}`, String(i));
      if (!taken) before = i + 1;
    }
  })();
  await until(() => before > 200);
  const snap = RdbSnapshot.take(s.server);
  taken = true;
  const ackedBefore = before;
  const file = path.join(root, 'cut.rdb');
  const saved = saveTo(snap, file);
  const cut = await snap.cut;
  await until(() => afterFrom !== Infinity);
  await new Promise((r) => setTimeout(r, 100));
  stop = true;
  await Promise.all([...writers, sequential, saved]);
  await s.stop();

  const { c: r } = await loadIntoRedis(t, file);
  for (let g = 0; g < groups; g++) {
    const vals = new Set<string>();
    for (let m = 0; m < members; m++) vals.add(JSON.stringify(await r.send('GET', `g${g}:m${m}`)));
    t.equal(vals.size, 1, `group ${g}: every counter of the group has one value in the file`);
  }
  t.ok(int(await r.send('EXISTS', `w:${ackedBefore - 1}`)) === 1, 'the last SET acknowledged before take() is in the file');
  t.equal(int(await r.send('EXISTS', `w:${afterFrom}`)), 0, 'the first SET sent after take() is not');

  const recs = (await readBinlog(s.dir, 4)).filter((x) => x.seq <= BigInt(cut.seq));
  t.ok(recs.length > 0);
  const replay = await startRedis({ args: ['--enable-debug-command', 'yes'] });
  t.teardown(() => replay.stop());
  const rc = await client(t, replay.port);
  t.same(await replayBinlog(rc, recs), [], 'the binlog up to cut.seq replays cleanly');
  t.equal(await digest(r), await digest(rc), 'the file = the binlog replayed up to cut.seq');
  t.equal(int(await r.send('DBSIZE')), cut.keys);
});

t.test('backpressure, cancel, a second snapshot on the same thread, nothing written to disk', async (t) => {
  const s = await startServer(t, 2);
  const c = await client(t, s.port);
  // incompressible values (LZF would shrink repeated bytes): a file of ~8 MB
  const cmds: string[][] = [];
  for (let i = 0; i < 8_000; i++) cmds.push(['SET', `big:${i}`, randomBytes(750).toString('base64')]);
  await c.pipeline(cmds);
  const filesBefore = listFiles(s.dir);
  t.same(snapshotThreads(s.server), { started: 0, running: 0 }, 'no thread before the first snapshot');
  await RdbSnapshot.prepare(s.server);
  t.same(snapshotThreads(s.server), { started: 1, running: 0 }, 'prepare: a thread ready, idle');

  const snap = RdbSnapshot.take(s.server);
  await snap.cut;
  const first = await snap.read();
  t.ok(first && first.length > 0);
  // the reader stops: the thread goes on only until it is SNAPSHOT_AHEAD chunks ahead
  await until(() => snap.bytesProduced >= first!.length + SNAPSHOT_AHEAD * RDB_CHUNK);
  await new Promise((r) => setTimeout(r, 300));
  const bound = first!.length + SNAPSHOT_AHEAD * (RDB_CHUNK + 2048);
  t.ok(snap.bytesProduced <= bound, `produced ${snap.bytesProduced} bytes while the reader stood still (bound ${bound}; the file is ~8 MB)`);
  t.same(snapshotThreads(s.server), { started: 1, running: 1 });

  snap.cancel();
  await t.rejects(snap.read(), /cancelled/);
  await until(() => snapshotThreads(s.server).running === 0);
  t.same(snapshotThreads(s.server), { started: 1, running: 0 }, 'the thread is free after cancel');

  // writes after the cancelled cut; the next snapshot (same thread) sees them
  await c.send('FLUSHALL');
  const small: string[][] = [];
  for (let i = 0; i < 2_000; i++) small.push(['SET', `big:${i}`, String(i)]);
  await c.pipeline(small);
  await c.send('SET', 'after', 'x');
  await c.send('DEL', 'big:0');
  const again = RdbSnapshot.take(s.server);
  const file = path.join(root, 'again.rdb');
  await saveTo(again, file);
  t.equal((await again.cut).keys, 2_000);
  t.equal(snapshotThreads(s.server).started, 1, 'the second snapshot ran on the same thread');
  const { c: r } = await loadIntoRedis(t, file);
  t.equal(int(await r.send('DBSIZE')), 2_000);
  t.same(await r.send('GET', 'after'), { t: 'bulk', v: Buffer.from('x') });
  t.equal(int(await r.send('EXISTS', 'big:0')), 0);

  // two at once: a thread each, both complete
  const a = RdbSnapshot.take(s.server);
  await c.send('SET', 'between', '1');
  const b = RdbSnapshot.take(s.server);
  const [ka, kb] = await Promise.all([a.cut, b.cut]);
  t.equal(kb.keys, ka.keys + 1, 'the second cut holds the write made between the two');
  t.ok(kb.seq > ka.seq);
  await Promise.all([saveTo(a, path.join(root, 'a.rdb')), saveTo(b, path.join(root, 'b.rdb'))]);
  t.equal(snapshotThreads(s.server).started, 2);
  // cancelled before the cut is taken: the shards are let go, the thread stays free
  const early = RdbSnapshot.take(s.server);
  early.cancel();
  await t.rejects(early.cut, /cancelled/);
  await t.rejects(early.read(), /cancelled/);
  t.same(await c.send('SET', 'still', 'writable'), { t: 'simple', v: 'OK' });
  t.equal(snapshotThreads(s.server).running, 0);
  t.same(listFiles(s.dir), filesBefore, 'no file was written in the data directory');
});

/** The files of a data directory, but the replication stream's (its backlog grows with writes). */
function listFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) {
        if (path.relative(dir, path.join(d, e.name)) !== 'replication') walk(path.join(d, e.name));
      }
      else out.push(path.relative(dir, path.join(d, e.name)));
    }
  };
  walk(dir);
  return out.sort();
}
