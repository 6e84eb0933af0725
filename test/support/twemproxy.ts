/**
 * Debian's twemproxy (`/usr/sbin/nutcracker`, 0.5.0) in front of a set of servers, for tests and
 * benchmarks: a YAML config generated into a temp dir, nutcracker started on a free port (its stats
 * port free too), waited for until it answers, and stopped (SIGTERM, then SIGKILL) by `stop()` or
 * when the test process exits.
 *
 * Servers are listed with a name (`host:port:weight name`): ketama then hashes the names, not the
 * addresses, so the same names over other ports (redis-server instead of respdb, a promoted replica
 * instead of its master) give the same key distribution.
 */
import { execFile, type ChildProcess } from 'node:child_process';
import fsp from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { freePort, makeTempDir, removeDir, spawnTracked } from './servers.js';

export const NUTCRACKER_BIN = '/usr/sbin/nutcracker';

export interface PoolServer {
  host: string;
  port: number;
  /** The name ketama hashes (`server1`, ...): keep it when the address changes. */
  name: string;
  weight?: number;
}

export interface PoolOptions {
  /** Key hash (twemproxy's README and examples use fnv1a_64 throughout). Default fnv1a_64. */
  hash?: string;
  /** Default ketama (consistent hashing). */
  distribution?: 'ketama' | 'modula' | 'random';
  /** e.g. "{}": only the part of a key between the braces is hashed. Default none. */
  hashTag?: string;
  /** Connect / reply timeout towards a server, ms. Default 2000. */
  timeoutMs?: number;
  /** Default false: a server that fails is not taken out of the ring (its keys fail). */
  autoEjectHosts?: boolean;
  /** Default 200 ms. */
  serverRetryTimeoutMs?: number;
  /** Default 1. */
  serverFailureLimit?: number;
  /** Open the server connections at start. Default true. */
  preconnect?: boolean;
}

/** The YAML of one redis pool listening on `listen` (host:port) over `servers`. */
export function poolConfig(pool: string, listen: string, servers: readonly PoolServer[], opts: PoolOptions = {}): string {
  const lines = [
    `${pool}:`,
    `  listen: ${listen}`,
    `  redis: true`,
    `  hash: ${opts.hash ?? 'fnv1a_64'}`,
    `  distribution: ${opts.distribution ?? 'ketama'}`,
  ];
  if (opts.hashTag !== undefined) lines.push(`  hash_tag: ${JSON.stringify(opts.hashTag)}`);
  lines.push(
    `  timeout: ${opts.timeoutMs ?? 2000}`,
    `  preconnect: ${opts.preconnect ?? true}`,
    `  auto_eject_hosts: ${opts.autoEjectHosts ?? false}`,
    `  server_retry_timeout: ${opts.serverRetryTimeoutMs ?? 200}`,
    `  server_failure_limit: ${opts.serverFailureLimit ?? 1}`,
    `  servers:`,
    ...servers.map((s) => `    - ${s.host}:${s.port}:${s.weight ?? 1} ${s.name}`),
  );
  return lines.join('\n') + '\n';
}

/** `nutcracker -t -c file`: null if the config is valid, else what nutcracker said. */
export function checkConfig(file: string): Promise<string | null> {
  return new Promise((resolve) => {
    execFile(NUTCRACKER_BIN, ['-t', '-c', file], (err, stdout, stderr) => {
      if ((err as NodeJS.ErrnoException | null)?.code === 'ENOENT') resolve(`${NUTCRACKER_BIN} not found: install Debian's nutcracker package`);
      else resolve(err ? `${stdout}${stderr}`.trim() : null);
    });
  });
}

export interface NutcrackerProc {
  host: string;
  /** The proxy port clients connect to. */
  port: number;
  statsPort: number;
  dir: string;
  /** The config file nutcracker reads (rewrite it, then `restart()`). */
  configFile: string;
  proc: ChildProcess;
  /** Stop and start again on the same ports, reading the config file anew. */
  restart(): Promise<void>;
  stop(): Promise<void>;
  /** nutcracker's log. */
  output(): Promise<string>;
}

export interface StartNutcrackerOptions extends PoolOptions {
  /** Wait this long for nutcracker to answer (ms). Default 10000. */
  timeoutMs?: number;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

function exited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

function waitExit(child: ChildProcess, ms: number): Promise<boolean> {
  if (exited(child)) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

async function terminate(child: ChildProcess): Promise<void> {
  if (exited(child)) return;
  child.kill('SIGTERM');
  if (await waitExit(child, 5000)) return;
  child.kill('SIGKILL');
  await waitExit(child, 5000);
}

/** The stats port's JSON, or null while nothing (or something else) answers there. */
function readStats(port: number, host: string): Promise<Record<string, unknown> | null> {
  return new Promise((resolve) => {
    const s = net.connect({ port, host });
    let text = '';
    const done = (v: Record<string, unknown> | null) => {
      clearTimeout(timer);
      s.destroy();
      resolve(v);
    };
    const timer = setTimeout(() => done(null), 1000);
    s.setEncoding('utf8');
    s.on('data', (d: string) => (text += d));
    s.on('error', () => done(null));
    s.on('end', () => {
      try {
        done(JSON.parse(text) as Record<string, unknown>);
      } catch {
        done(null);
      }
    });
  });
}

/** Accepts a connection on `port`. */
function accepts(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ port, host });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

let poolSeq = 0;

/**
 * nutcracker over `servers`, listening on a free 127.0.0.1 port. It is ready once its stats port
 * shows this pool (a pool name unique to this start, so it is this nutcracker answering) and the
 * proxy port accepts.
 */
export async function startNutcracker(servers: readonly PoolServer[], opts: StartNutcrackerOptions = {}): Promise<NutcrackerProc> {
  const host = '127.0.0.1';
  const dir = await makeTempDir('respdb-test-nutcracker-');
  const pool = `respdb_${process.pid}_${++poolSeq}`;
  const configFile = path.join(dir, 'nutcracker.yml');
  const logFile = path.join(dir, 'nutcracker.log');
  let lastErr: Error | null = null;
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = await freePort(host);
    let statsPort = await freePort(host);
    while (statsPort === port) statsPort = await freePort(host);
    await fsp.writeFile(configFile, poolConfig(pool, `${host}:${port}`, servers, opts));
    const invalid = await checkConfig(configFile);
    if (invalid) {
      await removeDir(dir);
      throw new Error(`nutcracker -t fails on the generated config: ${invalid}\n${await fsp.readFile(configFile, 'utf8')}`);
    }
    const launch = async (): Promise<ChildProcess> => {
      const child = spawnTracked(
        NUTCRACKER_BIN,
        ['-c', configFile, '-s', String(statsPort), '-a', host, '-o', logFile, '-p', path.join(dir, 'nutcracker.pid')],
        { stdio: ['ignore', 'ignore', 'ignore'] },
      );
      child.on('error', () => {});
      const deadline = Date.now() + (opts.timeoutMs ?? 10000);
      for (;;) {
        if (exited(child)) throw Object.assign(new Error(`nutcracker exited (code ${child.exitCode}): ${await log()}`), { early: true });
        const stats = await readStats(statsPort, host);
        if (stats && pool in stats && (await accepts(port, host))) break;
        if (Date.now() > deadline) {
          await terminate(child);
          throw new Error(`nutcracker on port ${port} did not answer in time: ${await log()}`);
        }
        await sleep(20);
      }
      child.unref();
      return child;
    };
    const log = () => fsp.readFile(logFile, 'utf8').catch(() => '');
    let child: ChildProcess;
    try {
      child = await launch();
    } catch (e) {
      lastErr = e as Error;
      // another process took one of the ports between freePort and nutcracker's bind: try others
      if ((e as { early?: boolean }).early && /Address already in use/i.test(lastErr.message)) continue;
      await removeDir(dir);
      throw e;
    }
    const self: NutcrackerProc = {
      host,
      port,
      statsPort,
      dir,
      configFile,
      proc: child,
      async restart() {
        await terminate(self.proc);
        self.proc = await launch();
      },
      async stop() {
        await terminate(self.proc);
        await removeDir(dir);
      },
      output: log,
    };
    return self;
  }
  await removeDir(dir);
  throw lastErr ?? new Error('startNutcracker failed');
}

/** One shard node behind the proxy: its port, and how to stop it. */
export interface ShardNode {
  port: number;
  stop(): Promise<void>;
}

export interface ProxiedShards<N extends ShardNode> {
  nodes: N[];
  proxy: NutcrackerProc;
}

/**
 * `count` nodes made by `start`, named server1..serverN in that order, behind one nutcracker;
 * everything is stopped at `t`'s teardown (also when the test fails).
 */
export async function proxiedShards<N extends ShardNode>(
  t: { teardown(fn: () => unknown): void },
  count: number,
  start: () => Promise<N>,
  opts: StartNutcrackerOptions = {},
): Promise<ProxiedShards<N>> {
  const nodes: N[] = [];
  t.teardown(() => Promise.all(nodes.map((n) => n.stop().catch(() => undefined))));
  // started side by side: a respdb takes seconds to start on a busy machine
  const started = await Promise.allSettled(Array.from({ length: count }, () => start()));
  for (const s of started) if (s.status === 'fulfilled') nodes.push(s.value);
  const failed = started.find((s) => s.status === 'rejected');
  if (failed) throw (failed as PromiseRejectedResult).reason;
  const proxy = await startNutcracker(
    nodes.map((n, i) => ({ host: '127.0.0.1', port: n.port, name: `server${i + 1}` })),
    opts,
  );
  t.teardown(() => proxy.stop());
  return { nodes, proxy };
}
