// What the snapshot tests share: a respdb Server in this process (so a snapshot can be taken
// between two writes), its clients, a snapshot read into a file, the file loaded into redis-server.
import t, { type Test } from 'tap';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Config } from '../../lib/config.js';
import { setLogLevel } from '../../lib/log.js';
import { installCommands } from '../../lib/commands/index.js';
import { Server } from '../../lib/server.js';
import type { RdbSnapshot } from '../../lib/replication/snapshot.js';
import { freePort, startRedis, type RedisProc } from './servers.js';
import { RawClient, type Reply } from './resp-client.js';

installCommands();
setLogLevel('warning');

/** A temporary directory for the file's servers and RDB files, removed at its end. */
export const root = fs.mkdtempSync(path.join(os.tmpdir(), 'respdb-snapshot-'));
t.teardown(() => fs.rmSync(root, { recursive: true, force: true }));

export interface Running {
  server: Server;
  port: number;
  dir: string;
  stop(): Promise<void>;
}

let nextDir = 0;
export async function startServer(t: Test, shards: number, extra: string[] = []): Promise<Running> {
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

export async function client(t: Test, port: number): Promise<RawClient> {
  const c = await RawClient.connect(port);
  t.teardown(() => c.close());
  return c;
}

/** Reads the whole snapshot into `file`. */
export async function saveTo(snap: RdbSnapshot, file: string): Promise<number> {
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

export async function loadIntoRedis(t: Test, file: string): Promise<{ redis: RedisProc; c: RawClient }> {
  const redis = await startRedis({ args: ['--enable-debug-command', 'yes', '--dir', path.dirname(file), '--dbfilename', path.basename(file)] });
  t.teardown(() => redis.stop());
  return { redis, c: await client(t, redis.port) };
}

export const digest = async (c: RawClient): Promise<string> => JSON.stringify(await c.send('DEBUG', 'DIGEST'));
export const int = (r: Reply): number => Number((r as { v: unknown }).v);
export const until = async (ok: () => boolean): Promise<void> => {
  while (!ok()) await new Promise((r) => setTimeout(r, 5));
};

