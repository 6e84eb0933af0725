/**
 * A replica's full-sync load (lib/replication/full-load.ts) of a redis-server RDB file: how long
 * the load takes (the old data served meanwhile) and how long every shard is held for the swap.
 *
 *   node dist/bench/full-load.js [--keys 1000000] [--value 20] [--shards N] [--old 1000000]
 *
 * redis-server writes the file (DEBUG POPULATE keys, then SAVE); respdb runs in this process with
 * `--old` keys of its own (the data the load replaces), then loads the file. Beside it: how long a
 * redis-server takes to load the same file at startup (its log's "DB loaded from disk"), during
 * which it serves nothing.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { freePort, startRedis } from '../test/support/servers.js';
import { RawClient } from '../test/support/resp-client.js';
import { startInProcess } from '../test/replication/full-load-support.js';
import { loadFullSync } from '../lib/replication/full-load.js';

function arg(name: string, dflt: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
}

const keys = arg('keys', 1_000_000);
const value = arg('value', 20);
const old = arg('old', keys);
const shards = arg('shards', Math.max(1, Math.min(8, os.availableParallelism())));

const redis = await startRedis({ args: ['--enable-debug-command', 'yes'] });
const rc = await RawClient.connect(redis.port, redis.host);
await rc.send('DEBUG', 'POPULATE', String(keys), 'key', String(value));
await rc.send('SAVE');
await rc.close();
const file = path.join(redis.dir, 'dump.rdb');
const bytes = fs.statSync(file).size;

// redis-server loading the same file at startup
const port = await freePort();
const log = path.join(redis.dir, 'load.log');
fs.copyFileSync(file, path.join(redis.dir, 'load.rdb'));
execFileSync('redis-server', ['--port', String(port), '--dir', redis.dir, '--dbfilename', 'load.rdb', '--save', '', '--daemonize', 'yes', '--logfile', log]);
let redisLoadS = NaN;
for (let i = 0; i < 600 && Number.isNaN(redisLoadS); i++) {
  await new Promise((r) => setTimeout(r, 100));
  const m = fs.existsSync(log) ? /DB loaded from disk: ([\d.]+) seconds/.exec(fs.readFileSync(log, 'utf8')) : null;
  if (m) redisLoadS = Number(m[1]);
}
execFileSync('redis-cli', ['-p', String(port), 'shutdown', 'nosave']);

const node = await startInProcess({ shards });
const c = await node.client();
for (let i = 0; i < old; i += 10_000) {
  const args: string[] = ['MSET'];
  for (let j = i; j < Math.min(old, i + 10_000); j++) args.push(`old:${j}`, 'x'.repeat(value));
  await c.send(...args);
}
const r = await loadFullSync(node.server, file);
const dbsize = await c.send('DBSIZE');
console.log(
  JSON.stringify({
    keys: r.keys,
    dbsize: String((dbsize as { v: bigint }).v),
    shards,
    oldKeys: old,
    fileMB: +(bytes / 1e6).toFixed(1),
    loadS: +(r.loadMs / 1000).toFixed(2),
    loadMBs: +(bytes / 1e6 / (r.loadMs / 1000)).toFixed(1),
    loadKeysPerS: Math.round(r.keys / (r.loadMs / 1000)),
    lockedMs: Math.round(r.lockedMs),
    totalS: +(r.ms / 1000).toFixed(2),
    redisServerLoadS: redisLoadS,
  }),
);
await node.stop();
await redis.stop();
process.exit(0);
