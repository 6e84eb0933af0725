/**
 * Full-sync snapshot benchmark: RdbSnapshot (lib/replication/snapshot.ts) of a data set of N keys
 * (strings of 100 random bytes in base64, so LZF has little to gain, and 1% hashes of 100 fields),
 * read as fast as this process takes the chunks (the way a master's link would, on the main thread),
 * while nothing else runs. Reports the time the shards were held for the cut (the first snapshot
 * of a server also starts its thread; the next ones find it ready), the time to the first chunk,
 * and the file's MB/s and keys/s; then `redis-cli --rdb` against this respdb (the whole full-sync
 * path: PSYNC, the link, the socket) and, for scale, against a redis-server with the same data.
 *
 *   node dist/bench/snapshot.js [--keys N] [--shards N] [--rounds N] [--prepare] [--no-redis]
 *
 * --prepare: RdbSnapshot.prepare before each snapshot (the first one then finds its thread ready).
 *
 * The respdb server runs in this process (lib/server.ts) so the snapshot can be driven directly.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { spawn, spawnSync } from 'node:child_process';
import { Config } from '../lib/config.js';
import { setLogLevel } from '../lib/log.js';
import { installCommands } from '../lib/commands/index.js';
import { Server } from '../lib/server.js';
import { RdbSnapshot } from '../lib/replication/snapshot.js';
import { RawClient } from '../test/support/resp-client.js';
import { freePort, startRedis } from '../test/support/servers.js';

interface Options {
  /** RdbSnapshot.prepare before each take */
  prepare: boolean;
  keys: number;
  shards: number;
  rounds: number;
  redis: boolean;
}

function parseArgs(argv: string[]): Options {
  const o: Options = { prepare: false, keys: 200_000, shards: 2, rounds: 2, redis: true };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--keys') o.keys = Number(argv[++i]);
    else if (a === '--shards') o.shards = Number(argv[++i]);
    else if (a === '--rounds') o.rounds = Number(argv[++i]);
    else if (a === '--no-redis') o.redis = false;
    else if (a === '--prepare') o.prepare = true;
    else throw new Error(`unknown option ${a}`);
  }
  return o;
}

/** Loads the data set through `c`: MSETs of 100 keys, HSETs of 100 fields, 64 commands in flight. */
async function load(c: RawClient, keys: number): Promise<void> {
  let batch: string[][] = [];
  const send = async (): Promise<void> => {
    if (batch.length) await c.pipeline(batch);
    batch = [];
  };
  const value = (): string => randomBytes(75).toString('base64');
  for (let i = 0; i < keys; ) {
    if (i % 100 === 0 && (i / 100) % 100 === 99) {
      const h = ['HSET', `hash:${i}`];
      for (let f = 0; f < 100; f++) h.push(`f${f}`, value());
      batch.push(h);
      i++;
    } else {
      const m = ['MSET'];
      for (let k = 0; k < 100 && i < keys; k++, i++) m.push(`key:${i}`, value());
      batch.push(m);
    }
    if (batch.length >= 64) await send();
  }
  await send();
}

async function main(): Promise<void> {
  const o = parseArgs(process.argv.slice(2));
  installCommands();
  setLogLevel('warning');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'respdb-bench-snapshot-'));
  const port = await freePort();
  const server = new Server(Config.fromArgv(['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--shards', String(o.shards), '--loglevel', 'warning']));
  await server.start();
  const c = await RawClient.connect(port, '127.0.0.1', { replyTimeoutMs: 120_000 });
  let t0 = performance.now();
  await load(c, o.keys);
  console.log(`loaded ${o.keys} keys in ${((performance.now() - t0) / 1000).toFixed(1)} s, DBSIZE ${String((await c.send('DBSIZE') as { v: unknown }).v)}`);
  for (let r = 0; r < o.rounds; r++) {
    if (o.prepare) await RdbSnapshot.prepare(server);
    t0 = performance.now();
    const cpu0 = process.cpuUsage();
    const snap = RdbSnapshot.take(server);
    const seq = await snap.pinned;
    const pinnedMs = performance.now() - t0;
    let first = -1;
    let bytes = 0;
    for (let b = await snap.read(); b !== null; b = await snap.read()) {
      if (first < 0) first = performance.now() - t0;
      bytes += b.length;
    }
    const s = (performance.now() - t0) / 1000;
    const cut = await snap.cut;
    const cpu = process.cpuUsage(cpu0);
    console.log(
      `round ${r + 1}: seq ${seq}, ${cut.keys} keys, ${(bytes / 1e6).toFixed(1)} MB in ${s.toFixed(2)} s = ${(bytes / 1e6 / s).toFixed(1)} MB/s, ${Math.round(cut.keys / s)} keys/s; ` +
        `shards held ${snap.heldMs.toFixed(2)} ms (take -> pinned ${pinnedMs.toFixed(1)} ms), first chunk after ${first.toFixed(1)} ms; process CPU ${((cpu.user + cpu.system) / 1e6).toFixed(2)} s`,
    );
  }
  // the whole full-sync path of this server (PSYNC, the link, the socket) as redis-cli sees it
  for (let r = 0; r < o.rounds; r++) {
    const out = path.join(dir, 'cli.rdb');
    t0 = performance.now();
    const code = await new Promise<number | null>((resolve) => spawn('redis-cli', ['-p', String(port), '--rdb', out], { stdio: 'ignore' }).on('exit', resolve));
    const s = (performance.now() - t0) / 1000;
    const bytes = code === 0 ? fs.statSync(out).size : 0;
    console.log(`respdb, redis-cli --rdb round ${r + 1}: ${(bytes / 1e6).toFixed(1)} MB in ${s.toFixed(2)} s = ${(bytes / 1e6 / s).toFixed(1)} MB/s, ${Math.round(o.keys / s)} keys/s${code === 0 ? '' : ` (redis-cli exited with ${code})`}`);
    fs.rmSync(out, { force: true });
  }
  c.close();
  await server.shutdown();
  fs.rmSync(dir, { recursive: true, force: true });

  if (!o.redis) return;
  const redis = await startRedis({ args: ['--repl-diskless-sync-delay', '0'] });
  try {
    const rc = await RawClient.connect(redis.port, '127.0.0.1', { replyTimeoutMs: 120_000 });
    await load(rc, o.keys);
    rc.close();
    for (let r = 0; r < o.rounds; r++) {
      const out = path.join(redis.dir, 'sync.rdb');
      t0 = performance.now();
      const res = spawnSync('redis-cli', ['-p', String(redis.port), '--rdb', out], { encoding: 'utf8' });
      const s = (performance.now() - t0) / 1000;
      const bytes = fs.statSync(out).size;
      console.log(`redis-server, redis-cli --rdb round ${r + 1}: ${(bytes / 1e6).toFixed(1)} MB in ${s.toFixed(2)} s = ${(bytes / 1e6 / s).toFixed(1)} MB/s, ${Math.round(o.keys / s)} keys/s ${res.status === 0 ? '' : res.stderr}`);
      fs.rmSync(out);
    }
  } finally {
    await redis.stop();
  }
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
