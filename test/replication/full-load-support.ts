// What the full-sync load tests share: a respdb Server in the test's own process (so a test can
// call loadFullSync on it), a redis-server's RDB file of every type, and the figures compared.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Server } from '../../lib/server.js';
import { RawClient, formatReply } from '../support/resp-client.js';
import type { RedisProc } from '../support/servers.js';
import { DATASET } from '../commands/dataset.js';

export interface InProcess {
  server: Server;
  dir: string;
  client(): Promise<RawClient>;
  stop(): Promise<void>;
}

/** A Server in this process (logs off), on a new directory or `dir`. */
export async function startInProcess(opts: { shards?: number; dir?: string; args?: string[] } = {}): Promise<InProcess> {
  const { setLogLevel } = await import('../../lib/log.js');
  setLogLevel('nothing');
  const { Config } = await import('../../lib/config.js');
  const { installCommands } = await import('../../lib/commands/index.js');
  installCommands();
  const { Server } = await import('../../lib/server.js');
  const dir = opts.dir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'respdb-test-load-'));
  const config = Config.fromArgv(['--port', '0', '--bind', '127.0.0.1', '--dir', dir, '--shards', String(opts.shards ?? 2), '--loglevel', 'nothing', ...(opts.args ?? [])]);
  const server = new Server(config);
  await server.start();
  const clients: RawClient[] = [];
  return {
    server,
    dir,
    async client() {
      const c = await RawClient.connect(server.port, '127.0.0.1');
      clients.push(c);
      return c;
    },
    async stop() {
      for (const c of clients) await c.close().catch(() => undefined);
      await server.shutdown();
      if (!opts.dir) fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Writes DATASET (every type and encoding, expiries, databases 0, 3, 9) and `extra` into redis, then SAVE: the file. */
export async function redisRdb(redis: RedisProc, extra: (string | Buffer)[][] = []): Promise<string> {
  const c = await RawClient.connect(redis.port, redis.host);
  try {
    await c.pipeline([...DATASET, ...extra]);
    const r = await c.send('SAVE');
    if (formatReply(r) !== '+"OK"') throw new Error(`SAVE: ${formatReply(r)}`);
  } finally {
    await c.close();
  }
  return path.join(redis.dir, 'dump.rdb');
}

/** What the comparisons look at: DEBUG DIGEST, DBSIZE of every database, INFO keyspace's keys= and expires=. */
export async function figures(c: RawClient, databases = 16): Promise<{ digest: string; sizes: string[]; keyspace: string[] }> {
  const digest = formatReply(await c.send('DEBUG', 'DIGEST'));
  const sizes: string[] = [];
  for (let db = 0; db < databases; db++) {
    const [, n] = await c.pipeline([['SELECT', String(db)], ['DBSIZE']]);
    sizes.push(formatReply(n));
  }
  await c.send('SELECT', '0');
  const info = formatReply(await c.send('INFO', 'keyspace'));
  const keyspace = [...info.matchAll(/db(\d+):keys=(\d+),expires=(\d+)/g)].map((m) => `db${m[1]}:keys=${m[2]},expires=${m[3]}`);
  return { digest, sizes, keyspace };
}

/** Entries of `dir` that a full sync may leave (none should remain). */
export function leftovers(dir: string): string[] {
  return fs.readdirSync(dir).filter((n) => n.startsWith('.full-sync'));
}

/** The data the server holds before a load: some keys the file has too, others only here, SWAPDB. */
export const OLD: (string | Buffer)[][] = [
  ['SET', 's:int', 'old value'],
  ['HSET', 'h:big', 'only', 'old'],
  ['SET', 'old:plain', 'x'],
  ['RPUSH', 'old:list', 'a', 'b', 'c'],
  ['SADD', 'old:set', ...Array.from({ length: 300 }, (_, i) => `m${i}`)],
  ['SET', 'old:ttl', 'v', 'PX', '100000000'],
  ['SELECT', '3'],
  ['SET', 'old:db3', 'y'],
  ['SELECT', '0'],
  // the new data set has the identity map
  ['SWAPDB', '0', '5'],
  ['SWAPDB', '0', '5'],
  ['SWAPDB', '7', '8'],
  ['SET', 'old:db0-after-swapdb', 'z'],
];
