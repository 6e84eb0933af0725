/**
 * Starting and stopping the servers under benchmark (respdb, redis-server, the floor) and the load tools,
 * with cleanup: every child started here is tracked, and on Ctrl-C / SIGTERM / SIGHUP (or any exit)
 * they are stopped and the benchmark's data directories are removed. Server output goes to log
 * files in the run directory, never to the terminal.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { pingOnce } from './resp.js';

/** Repo root, found from this compiled file: dist/bench -> ../.. */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const RESPDB_BIN = path.join(REPO_ROOT, 'dist', 'bin', 'respdb.js');
export const FLOOR_BIN = path.join(REPO_ROOT, 'dist', 'bench', 'floor.js');

// ------------------------------------------------------------------------------------------------
// Tracking and cleanup
// ------------------------------------------------------------------------------------------------

const live = new Set<ChildProcess>();
/** the load tools among `live` (stopped first on Ctrl-C) */
const tools = new Set<ChildProcess>();
const dataDirs = new Set<string>();
let hooked = false;
let interrupted = false;
const onInterrupt: (() => void)[] = [];

export function isInterrupted(): boolean {
  return interrupted;
}

/** Registers a callback run once on the first Ctrl-C (e.g. to stop a running load tool). */
export function whenInterrupted(fn: () => void): void {
  onInterrupt.push(fn);
}

function killAllSync(): void {
  for (const c of live) {
    try {
      c.kill('SIGKILL');
    } catch {
      /* gone */
    }
  }
  live.clear();
  for (const d of dataDirs) {
    try {
      fs.rmSync(d, { recursive: true, force: true });
    } catch {
      /* best effort */
    }
  }
  dataDirs.clear();
}

function installHooks(): void {
  if (hooked) return;
  hooked = true;
  process.on('exit', killAllSync);
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(sig, () => {
      if (interrupted) {
        // second signal: no more patience
        killAllSync();
        process.exit(130);
      }
      interrupted = true;
      process.stderr.write(`\n${sig}: stopping servers...\n`);
      for (const t of tools) {
        try {
          t.kill('SIGTERM');
        } catch {
          /* gone */
        }
      }
      for (const fn of onInterrupt) {
        try {
          fn();
        } catch {
          /* ignore */
        }
      }
      void stopAll().finally(() => {
        killAllSync();
        process.exit(130);
      });
    });
  }
}

function track(c: ChildProcess): void {
  installHooks();
  live.add(c);
  c.once('exit', () => live.delete(c));
}

function exited(c: ChildProcess): boolean {
  return c.exitCode !== null || c.signalCode !== null;
}

function waitExit(c: ChildProcess, ms: number): Promise<boolean> {
  if (exited(c)) return Promise.resolve(true);
  return new Promise((resolve) => {
    const t = setTimeout(() => {
      c.off('exit', done);
      resolve(false);
    }, ms);
    const done = () => {
      clearTimeout(t);
      resolve(true);
    };
    c.once('exit', done);
  });
}

async function terminate(c: ChildProcess, graceMs = 15000): Promise<void> {
  if (exited(c)) return;
  c.kill('SIGTERM');
  if (await waitExit(c, graceMs)) return;
  c.kill('SIGKILL');
  await waitExit(c, 5000);
}

const running = new Set<BenchServer>();

/** Stops every server still running (gracefully, then SIGKILL). */
export async function stopAll(): Promise<void> {
  await Promise.all([...running].map((s) => s.stop()));
}

/** A fresh run directory under the system temp dir; data dirs inside it are removed at the end. */
export function makeRunDir(): string {
  installHooks();
  return fs.mkdtempSync(path.join(os.tmpdir(), 'respdb-bench-'));
}

/** Removes a run directory (logs included) after a clean run. */
export function removeRunDir(dir: string): void {
  fs.rmSync(dir, { recursive: true, force: true });
}

// ------------------------------------------------------------------------------------------------
// Servers
// ------------------------------------------------------------------------------------------------

export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, host, () => {
      const a = srv.address();
      const port = typeof a === 'object' && a ? a.port : 0;
      srv.close(() => (port ? resolve(port) : reject(new Error('no free port'))));
    });
  });
}

export interface BenchServer {
  /** column label, e.g. "respdb" */
  readonly label: string;
  readonly port: number;
  readonly logPath: string;
  readonly pid: number;
  /** the command line that started it (for the report) */
  readonly commandLine: string;
  /** respdb: shard count from its "ready" log line */
  shards?: number;
  /** false once the process has exited */
  alive(): boolean;
  stop(): Promise<void>;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

function tail(file: string, n = 2000): string {
  try {
    const t = fs.readFileSync(file, 'utf8');
    return t.length > n ? '…' + t.slice(-n) : t;
  } catch {
    return '';
  }
}

interface SpawnSpec {
  label: string;
  cmd: string;
  args: (port: number) => string[];
  logPath: string;
  /** created empty before the start, removed after the stop */
  dataDir?: string;
}

async function spawnServer(spec: SpawnSpec): Promise<BenchServer> {
  let lastErr: Error | null = null;
  for (let attempt = 0; attempt < 4; attempt++) {
    if (interrupted) throw new Error('interrupted');
    const port = await freePort();
    if (spec.dataDir !== undefined) {
      await fsp.rm(spec.dataDir, { recursive: true, force: true });
      await fsp.mkdir(spec.dataDir, { recursive: true });
      dataDirs.add(spec.dataDir);
    }
    const args = spec.args(port);
    const fd = fs.openSync(spec.logPath, 'a');
    let child: ChildProcess;
    try {
      child = spawn(spec.cmd, args, { stdio: ['ignore', fd, fd] });
    } finally {
      fs.closeSync(fd);
    }
    track(child);
    const spawnErr = new Promise<Error>((resolve) => child.once('error', resolve));
    const deadline = Date.now() + 30000;
    let ok = false;
    while (Date.now() < deadline && !exited(child) && !interrupted) {
      const r = await Promise.race([pingOnce(port), spawnErr]);
      if (r instanceof Error) {
        live.delete(child);
        throw new Error(`could not start ${spec.cmd}: ${r.message}`);
      }
      if (r) {
        ok = true;
        break;
      }
      await sleep(100);
    }
    if (ok) {
      const quote = (a: string) => (a === '' ? "''" : /[^\w\-./:=,]/.test(a) ? `'${a}'` : a);
      let stopped: Promise<void> | null = null;
      const srv: BenchServer = {
        label: spec.label,
        port,
        pid: child.pid!,
        logPath: spec.logPath,
        commandLine: [path.basename(spec.cmd) === path.basename(process.execPath) ? 'node' : spec.cmd, ...args]
          .map((a) => quote(a.startsWith(REPO_ROOT + '/') ? path.relative(REPO_ROOT, a) : a))
          .join(' '),
        alive: () => !exited(child),
        stop: () =>
          (stopped ??= (async () => {
            await terminate(child);
            running.delete(srv);
            if (spec.dataDir === undefined) return;
            await fsp.rm(spec.dataDir, { recursive: true, force: true }).catch(() => {});
            dataDirs.delete(spec.dataDir);
          })()),
      };
      running.add(srv);
      return srv;
    }
    await terminate(child, 2000);
    const log = tail(spec.logPath);
    lastErr = new Error(`${spec.label} did not start on port ${port} (exit ${child.exitCode ?? child.signalCode}); log ${spec.logPath}:\n${log}`);
    // a port taken between freePort() and bind: try another one
    if (!/in use|EADDRINUSE/i.test(log)) break;
  }
  throw lastErr ?? new Error(`${spec.label} did not start`);
}

/** The appendfsync policies the benchmarks compare (respdb and redis AOF alike). */
export type FsyncMode = 'always' | 'everysec';
export const FSYNC_MODES: readonly FsyncMode[] = ['always', 'everysec'];

export interface RespdbOptions {
  runDir: string;
  shards?: number;
  /** respdb --appendfsync (default everysec) */
  appendfsync?: FsyncMode;
  label?: string;
}

/** `node dist/bin/respdb.js --port P --dir D --appendfsync MODE [--shards N]` (MODE default everysec), logs to runDir. */
export async function startRespdb(o: RespdbOptions): Promise<BenchServer> {
  if (!fs.existsSync(RESPDB_BIN)) throw new Error(`${RESPDB_BIN} not found: build first (npx tsc -p .)`);
  const logPath = path.join(o.runDir, 'respdb.log');
  const srv = await spawnServer({
    label: o.label ?? 'respdb',
    cmd: process.execPath,
    logPath,
    dataDir: path.join(o.runDir, 'respdb-data'),
    args: (port) => [
      RESPDB_BIN,
      '--port', String(port),
      '--dir', path.join(o.runDir, 'respdb-data'),
      '--appendfsync', o.appendfsync ?? 'everysec',
      ...(o.shards ? ['--shards', String(o.shards)] : []),
    ],
  });
  // the shard count it actually runs with, from its JSON "ready" line
  for (const line of fs.readFileSync(logPath, 'utf8').split('\n').reverse()) {
    try {
      const j = JSON.parse(line) as { msg?: string; shards?: number; port?: number };
      if (j.msg === 'ready' && j.port === srv.port && typeof j.shards === 'number') {
        srv.shards = j.shards;
        break;
      }
    } catch {
      /* not JSON */
    }
  }
  return srv;
}

export type RedisMode = 'nopersist' | 'aof';

export interface RedisOptions {
  runDir: string;
  mode: RedisMode;
  /** mode 'aof': --appendfsync (default everysec); ignored without persistence */
  appendfsync?: FsyncMode;
  label?: string;
}

/** redis-server without persistence (`--save '' --appendonly no`) or with AOF (`--appendfsync MODE`, default everysec). */
export function startRedis(o: RedisOptions): Promise<BenchServer> {
  const name = o.mode === 'aof' ? 'redis-aof' : 'redis-nopersist';
  const dataDir = path.join(o.runDir, `${name}-data`);
  const logPath = path.join(o.runDir, `${name}.log`);
  const persist =
    o.mode === 'aof'
      ? ['--appendonly', 'yes', '--appendfsync', o.appendfsync ?? 'everysec', '--save', '']
      : ['--save', '', '--appendonly', 'no'];
  return spawnServer({
    label: o.label ?? name,
    cmd: 'redis-server',
    logPath,
    dataDir,
    args: (port) => ['--port', String(port), '--bind', '127.0.0.1', '--dir', dataDir, '--daemonize', 'no', '--logfile', '', ...persist],
  });
}

/** The floor (bench/floor.ts): `node dist/bench/floor.js --port P`, one Node event loop, no persistence; logs to runDir. */
export async function startFloor(o: { runDir: string; label?: string }): Promise<BenchServer> {
  if (!fs.existsSync(FLOOR_BIN)) throw new Error(`${FLOOR_BIN} not found: build first (npx tsc -p .)`);
  return spawnServer({
    label: o.label ?? 'floor',
    cmd: process.execPath,
    logPath: path.join(o.runDir, 'floor.log'),
    args: (port) => [FLOOR_BIN, '--port', String(port)],
  });
}

// ------------------------------------------------------------------------------------------------
// Load tools
// ------------------------------------------------------------------------------------------------

export interface ToolResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs a tool to completion, collecting its output; it is stopped on Ctrl-C. */
export function runTool(cmd: string, args: string[]): Promise<ToolResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    track(child);
    tools.add(child);
    child.once('exit', () => tools.delete(child));
    let stdout = '';
    let stderr = '';
    child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.once('error', reject);
    child.once('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

/** The filesystem type holding `dir` (`df --output=fstype`), e.g. "ext4"; "unknown" if df fails. */
export function fsType(dir: string): string {
  try {
    const out = execFileSync('df', ['--output=fstype', dir], { encoding: 'utf8' });
    return out.trim().split('\n').pop()?.trim() || 'unknown';
  } catch {
    return 'unknown';
  }
}

/** `redis-server --version` -> "7.0.15" (or the whole line if it has no v=). */
export function redisVersion(): string {
  try {
    const out = execFileSync('redis-server', ['--version'], { encoding: 'utf8' });
    return /v=([^\s]+)/.exec(out)?.[1] ?? out.trim();
  } catch {
    return 'unknown';
  }
}

/**
 * Runs a benchmark's `main` when its module is the one node was started with (each sub-bench can
 * also be run through bench/run.ts): exits with its code, or on a failure prints it, stops the
 * servers it started and exits 1.
 */
export function runIfMain(moduleUrl: string, name: string, main: (argv: string[]) => Promise<number>): void {
  if (!process.argv[1] || moduleUrl !== pathToFileURL(process.argv[1]).href) return;
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e) => {
      process.stderr.write(`${name}: ${(e as Error).stack ?? e}\n`);
      void stopAll().finally(() => process.exit(1));
    },
  );
}
