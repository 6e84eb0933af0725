// RdbSnapshot (lib/replication/snapshot.ts): the RDB file of one consistent cut, produced by its
// own thread. A server runs in this process so a snapshot can be taken between two writes; the
// file is loaded into a real redis-server and compared (DEBUG DIGEST) with respdb, and, under
// concurrent cross-shard writes, with the replay of exactly the binlog up to the cut's sequence.
import t, { type Test } from 'tap';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { Config } from '../../lib/config.js';
import { setLogLevel } from '../../lib/log.js';
import { installCommands } from '../../lib/commands/index.js';
import { Server } from '../../lib/server.js';
import { RdbSnapshot, SNAPSHOT_AHEAD, snapshotThreads } from '../../lib/replication/snapshot.js';
import { RDB_CHUNK } from '../../lib/rdb/file-write.js';
import { REDIS_CASES } from '../rdb/redis-cases.js';
import { freePort, startRedis, type RedisProc } from '../support/servers.js';
import { RawClient, type Reply } from '../support/resp-client.js';
import { readBinlog, replayBinlog } from '../support/binlog.js';

installCommands();
setLogLevel('warning');

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'respdb-snapshot-'));
t.teardown(() => fs.rmSync(root, { recursive: true, force: true }));

interface Running {
  server: Server;
  port: number;
  dir: string;
  stop(): Promise<void>;
}

let nextDir = 0;
async function startServer(t: Test, shards: number, extra: string[] = []): Promise<Running> {
  const dir = path.join(root, `data-${nextDir++}`);
  fs.mkdirSync(dir);
  const port = await freePort();
  const config = Config.fromArgv(['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--shards', String(shards), '--loglevel', 'warning', ...extra]);
  const server = new Server(config);
  await server.start();
  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    await server.shutdown();
  };
  t.teardown(stop);
  return { server, port: server.port || port, dir, stop };
}

async function client(t: Test, port: number): Promise<RawClient> {
  const c = await RawClient.connect(port);
  t.teardown(() => c.close());
  return c;
}

/** Reads the whole snapshot into `file`. */
async function saveTo(snap: RdbSnapshot, file: string): Promise<number> {
  const fd = fs.openSync(file, 'w');
  let n = 0;
  try {
    for (let b = await snap.read(); b !== null; b = await snap.read()) {
      fs.writeSync(fd, b);
      n += b.length;
    }
  } finally {
    fs.closeSync(fd);
  }
  return n;
}

async function loadIntoRedis(t: Test, file: string): Promise<{ redis: RedisProc; c: RawClient }> {
  const redis = await startRedis({ args: ['--enable-debug-command', 'yes', '--dir', path.dirname(file), '--dbfilename', path.basename(file)] });
  t.teardown(() => redis.stop());
  return { redis, c: await client(t, redis.port) };
}

const digest = async (c: RawClient): Promise<string> => JSON.stringify(await c.send('DEBUG', 'DIGEST'));
const int = (r: Reply): number => Number((r as { v: unknown }).v);
const until = async (ok: () => boolean): Promise<void> => {
  while (!ok()) await new Promise((r) => setTimeout(r, 5));
};

for (const shards of [1, 4]) {
  t.test(`every type and encoding, ${shards} shard(s): redis-server loads the snapshot with respdb's DEBUG DIGEST`, async (t) => {
    const s = await startServer(t, shards);
    const c = await client(t, s.port);
    for (const db of [0, 2]) {
      await c.send('SELECT', String(db));
      for (const cs of REDIS_CASES) {
        if (cs.name === 'stream-groups') continue;
        for (const [k, v] of cs.config ?? []) await c.send('CONFIG', 'SET', k, v);
        for (const cmd of cs.build(`${cs.name}:${db}`)) await c.send(...cmd);
      }
      const cmds: string[][] = [];
      for (let i = 0; i < 3000; i++) cmds.push(['SET', `k:${i}`, String(i)]);
      for (let i = 0; i < 3000; i += 7) cmds.push(['PEXPIREAT', `k:${i}`, String(4_000_000_000_000 + i)]);
      // already expired, not yet removed: left out of the file
      for (let i = 1; i < 3000; i += 100) cmds.push(['PEXPIREAT', `k:${i}`, '1']);
      await c.pipeline(cmds);
    }
    // a SWAPDB before the cut: the file holds the databases under their logical numbers
    await c.send('SWAPDB', '2', '5');
    await c.send('SELECT', '0');
    const source = await digest(c);
    const sizes = [int(await c.send('DBSIZE'))];
    await c.send('SELECT', '5');
    sizes.push(int(await c.send('DBSIZE')));
    await c.send('SELECT', '0');

    const snap = RdbSnapshot.take(s.server, { aux: [['repl-stream-db', '0'], ['repl-id', 'a'.repeat(40)], ['repl-offset', '123']] });
    const cut = await snap.cut;
    t.ok(snap.heldMs >= 0, `shards held ${snap.heldMs.toFixed(2)} ms for the cut`);
    const file = path.join(root, `types-${shards}.rdb`);
    const bytes = await saveTo(snap, file);
    t.equal(bytes, fs.statSync(file).size);
    t.equal(snap.bytesProduced, bytes);
    t.equal(cut.keys, sizes[0] + sizes[1], 'cut.keys: the live keys of every database');
    t.equal(snap.keysWritten, cut.keys);
    t.ok(snap.complete);
    t.equal(await snap.read(), null, 'read after the end: null');
    const head = fs.readFileSync(file).subarray(0, 400).toString('latin1');
    t.match(head, /^REDIS0010/);
    t.ok(head.indexOf('repl-id') > head.indexOf('used-mem') && head.indexOf('aof-base') > head.indexOf('repl-offset'), 'AUX: the replication fields between used-mem and aof-base');

    const { c: r } = await loadIntoRedis(t, file);
    t.equal(await digest(r), source, 'DEBUG DIGEST of redis-server loading the snapshot = respdb');
    t.equal(int(await r.send('DBSIZE')), sizes[0]);
    await r.send('SELECT', '5');
    t.equal(int(await r.send('DBSIZE')), sizes[1]);
    t.same(await r.send('GET', 'k:7'), { t: 'bulk', v: Buffer.from('7') });
    t.ok(int(await r.send('PTTL', 'k:7')) > 0);
  });
}

t.test('under cross-shard MULTI/EXEC writers the file is exactly the cut: the binlog replayed up to cut.seq', async (t) => {
  const s = await startServer(t, 4);
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
  // incompressible values (LZF would shrink repeated bytes): a file of ~20 MB
  const cmds: string[][] = [];
  for (let i = 0; i < 20_000; i++) cmds.push(['SET', `big:${i}`, randomBytes(750).toString('base64')]);
  await c.pipeline(cmds);
  const filesBefore = listFiles(s.dir);

  const snap = RdbSnapshot.take(s.server);
  await snap.cut;
  const first = await snap.read();
  t.ok(first && first.length > 0);
  // the reader stops: the thread goes on only until it is SNAPSHOT_AHEAD chunks ahead
  await until(() => snap.bytesProduced >= first!.length + SNAPSHOT_AHEAD * RDB_CHUNK);
  await new Promise((r) => setTimeout(r, 300));
  const bound = first!.length + SNAPSHOT_AHEAD * (RDB_CHUNK + 2048);
  t.ok(snap.bytesProduced <= bound, `produced ${snap.bytesProduced} bytes while the reader stood still (bound ${bound}; the file is ~20 MB)`);
  t.same(snapshotThreads(s.server), { started: 1, running: 1 });

  snap.cancel();
  await t.rejects(snap.read(), /cancelled/);
  await until(() => snapshotThreads(s.server).running === 0);
  t.same(snapshotThreads(s.server), { started: 1, running: 0 }, 'the thread is free after cancel');

  // writes after the cancelled cut; the next snapshot (same thread) sees them
  await c.send('SET', 'after', 'x');
  await c.send('DEL', 'big:0');
  const again = RdbSnapshot.take(s.server);
  const file = path.join(root, 'again.rdb');
  await saveTo(again, file);
  t.equal((await again.cut).keys, 20_000);
  t.equal(snapshotThreads(s.server).started, 1, 'the second snapshot ran on the same thread');
  const { c: r } = await loadIntoRedis(t, file);
  t.equal(int(await r.send('DBSIZE')), 20_000);
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
  t.same(listFiles(s.dir), filesBefore, 'no file was written in the data directory');
});

function listFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) walk(path.join(d, e.name));
      else out.push(path.relative(dir, path.join(d, e.name)));
    }
  };
  walk(dir);
  return out.sort();
}
