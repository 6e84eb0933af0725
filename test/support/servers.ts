/**
 * Start/stop real Debian `redis-server` and respdb processes for tests, plus
 * helpers to diff replies between the two.
 *
 * Every child process started here is tracked; if the test process exits (or
 * is killed with SIGINT/SIGTERM/SIGHUP) while a child is still running, the
 * child is SIGKILLed and its temp dir removed, so a failing test never leaves
 * servers behind.
 */
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { RawClient, formatReply, type CompareOptions, type Reply } from './resp-client.js';

/** Repo root, found from this compiled file: dist/test/support -> ../../.. */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const RESPDB_BIN = path.join(REPO_ROOT, 'dist', 'bin', 'respdb.js');

const MAX_LOG = 4 * 1024 * 1024;

// ---------------------------------------------------------------------------
// Child tracking / cleanup on exit
// ---------------------------------------------------------------------------

const liveChildren = new Set<ChildProcess>();
const ownedDirs = new Set<string>();
let hooksInstalled = false;

function cleanupSync(): void {
  for (const c of liveChildren) {
    try {
      c.kill('SIGKILL');
    } catch {
      /* already gone */
    }
  }
  liveChildren.clear();
  for (const d of ownedDirs) {
    try {
      fs.rmSync(d, { recursive: true, force: true });
    } catch {
      /* best effort */
    }
  }
  ownedDirs.clear();
}

function installExitHooks(): void {
  if (hooksInstalled) return;
  hooksInstalled = true;
  process.on('exit', cleanupSync);
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    const onSig = () => {
      cleanupSync();
      // Step aside and raise the signal again, so the process still dies from it as it would
      // have: by the default action if nobody else listens, or by the other listener. Under tap
      // that is signal-exit (preloaded by @tapjs/processinfo into every process a test starts
      // too), which re-raises only when its own listeners are the only ones: without this second
      // signal neither would, and the process would outlive its SIGTERM.
      process.removeListener(sig, onSig);
      process.kill(process.pid, sig);
    };
    process.on(sig, onSig);
  }
}

function track(child: ChildProcess): void {
  installExitHooks();
  liveChildren.add(child);
  child.once('exit', () => liveChildren.delete(child));
}

/**
 * `spawn`, with the child tracked like the servers started here: SIGKILLed if the test process
 * exits or is killed (SIGINT/SIGTERM/SIGHUP) while it still runs. For every child a test starts.
 */
export function spawnTracked(command: string, args: readonly string[], options: SpawnOptions): ChildProcess {
  const child = command === process.execPath ? spawnNode(args, options) : spawn(command, args, options);
  track(child);
  return child;
}

const COVERAGE_PRELOAD = pathToFileURL(path.join(path.dirname(fileURLToPath(import.meta.url)), 'coverage-preload.js')).href;

/**
 * A node child under tap: its NODE_OPTIONS would carry tap's processinfo import, whose module-load
 * hooks slow every thread's start (coverage-preload.ts); `env` sets them to the light preload
 * (or to nothing when tap collects no coverage) and execs node, so the child is node itself.
 * tap's spawn hook rewrites the environment of every spawn, hence a command-line assignment.
 */
function spawnNode(args: readonly string[], options: SpawnOptions): ChildProcess {
  if (process.env._TAPJS_PROCESSINFO_CWD_ === undefined) return spawn(process.execPath, args, options);
  const preload = process.env._TAPJS_PROCESSINFO_COVERAGE_ === '1' ? `--import=${COVERAGE_PRELOAD}` : '';
  return spawn('/usr/bin/env', [`NODE_OPTIONS=${preload}`, process.execPath, ...args], options);
}

/** A fresh temp dir, removed when the test process exits if nobody removed it before. */
export async function makeTempDir(prefix: string): Promise<string> {
  installExitHooks();
  const d = await fsp.mkdtemp(path.join(os.tmpdir(), prefix));
  ownedDirs.add(d);
  return d;
}

/** Removes a dir made by makeTempDir (and forgets it). */
export async function removeDir(d: string): Promise<void> {
  ownedDirs.delete(d);
  await fsp.rm(d, { recursive: true, force: true }).catch(() => {});
}

function exited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

function waitExit(child: ChildProcess, timeoutMs: number): Promise<boolean> {
  if (exited(child)) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      child.off('exit', onExit);
      resolve(false);
    }, timeoutMs);
    const onExit = () => {
      clearTimeout(timer);
      resolve(true);
    };
    child.once('exit', onExit);
  });
}

/** SIGTERM (or `signal`), wait up to `graceMs`, then SIGKILL and wait for exit. */
async function terminate(child: ChildProcess, graceMs = 10000, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (exited(child)) return;
  child.kill(signal);
  if (await waitExit(child, graceMs)) return;
  child.kill('SIGKILL');
  await waitExit(child, 5000);
}

/** Collects a child's stdout+stderr (bounded) for diagnostics. */
class LogBuffer {
  private text = '';
  append(s: string): void {
    this.text += s;
    if (this.text.length > MAX_LOG) this.text = this.text.slice(this.text.length - MAX_LOG / 2);
  }
  all(): string {
    return this.text;
  }
  tail(n = 4000): string {
    return this.text.length > n ? '…' + this.text.slice(this.text.length - n) : this.text;
  }
}

/** A free TCP port on 127.0.0.1 (bind port 0, read it, close). */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, host, () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => (port ? resolve(port) : reject(new Error('could not determine a free port'))));
    });
  });
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

// ---------------------------------------------------------------------------
// redis-server
// ---------------------------------------------------------------------------

export interface RedisProc {
  port: number;
  host: string;
  dir: string;
  proc: ChildProcess;
  stop(): Promise<void>;
  output(): string;
}

export interface StartRedisOptions {
  /** Extra redis-server arguments, e.g. ['--maxmemory', '10mb']. */
  args?: string[];
  /** How long to wait for PING to answer (ms). Default 15000. */
  timeoutMs?: number;
}

/** Start Debian's `redis-server` on a free port (no persistence, own temp dir). */
export async function startRedis(opts: StartRedisOptions = {}): Promise<RedisProc> {
  let lastErr: Error | null = null;
  for (let attempt = 0; attempt < 5; attempt++) {
    try {
      return await startRedisOnce(opts);
    } catch (e) {
      lastErr = e as Error;
      if (!(e as { addrInUse?: boolean }).addrInUse) throw e;
    }
  }
  throw lastErr ?? new Error('startRedis failed');
}

async function startRedisOnce(opts: StartRedisOptions): Promise<RedisProc> {
  const host = '127.0.0.1';
  const port = await freePort(host);
  const dir = await makeTempDir('respdb-test-redis-');
  const args = [
    '--port', String(port),
    '--bind', host,
    '--save', '',
    '--appendonly', 'no',
    '--dir', dir,
    '--daemonize', 'no',
    '--logfile', '',
    ...(opts.args ?? []),
  ];
  const log = new LogBuffer();
  let child: ChildProcess;
  try {
    child = spawnTracked('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    await removeDir(dir);
    throw e;
  }
  child.stdout!.setEncoding('utf8').on('data', (s: string) => log.append(s));
  child.stderr!.setEncoding('utf8').on('data', (s: string) => log.append(s));
  let spawnError: Error | null = null;
  child.on('error', (e) => {
    spawnError = e;
  });

  const stop = async () => {
    await terminate(child);
    await removeDir(dir);
  };

  const deadline = Date.now() + (opts.timeoutMs ?? 15000);
  for (;;) {
    if (spawnError || exited(child)) {
      await waitExit(child, 1000);
      await removeDir(dir);
      const out = log.all();
      const err = new Error(
        spawnError
          ? `could not run redis-server (${(spawnError as Error).message}); install Debian's redis-server redis-tools packages`
          : `redis-server exited early (code ${child.exitCode}, signal ${child.signalCode}):\n${log.tail()}`,
      ) as Error & { addrInUse?: boolean };
      err.addrInUse = /Address already in use|EADDRINUSE/i.test(out);
      throw err;
    }
    const ok = await pingOnce(port, host, child.pid);
    if (ok) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`redis-server on port ${port} did not answer PING in time:\n${log.tail()}`);
    }
    await sleep(30);
  }
  child.unref();
  (child.stdout as net.Socket | null)?.unref?.();
  (child.stderr as net.Socket | null)?.unref?.();
  return { port, host, dir, proc: child, stop, output: () => log.all() };
}

/** PING answers, and (if `pid` is given) it is that process answering, not another test's server. */
async function pingOnce(port: number, host: string, pid?: number): Promise<boolean> {
  let c: RawClient | null = null;
  try {
    c = await RawClient.connect(port, host, { connectTimeoutMs: 1000, replyTimeoutMs: 1000 });
    const r = await c.send('PING');
    if (!(r.t === 'simple' && r.v === 'PONG')) return false;
    if (pid === undefined) return true;
    const info = await c.send('INFO', 'server');
    const m = info.t === 'bulk' && info.v ? /process_id:(\d+)/.exec(info.v.toString('latin1')) : null;
    return m !== null && Number(m[1]) === pid;
  } catch {
    return false;
  } finally {
    if (c) {
      c.socket.destroy();
    }
  }
}

// ---------------------------------------------------------------------------
// respdb
// ---------------------------------------------------------------------------

export interface StartRespdbOptions {
  /** --shards N (default 2). */
  shards?: number;
  /** Extra server arguments, appended after the defaults (so they win). */
  args?: string[];
  /** Data dir to use; if given it is NOT removed on stop. Default: fresh temp dir. */
  dir?: string;
  /** Extra environment variables (merged over process.env). */
  env?: NodeJS.ProcessEnv;
  /** How long to wait for the "ready" log line (ms). Default 45000 (a loaded 2-core machine has taken over 20 s). */
  timeoutMs?: number;
}

export interface RespdbProc {
  /** Current port (changes after restart, which listens on --port 0 again). */
  port: number;
  host: string;
  dir: string;
  /** Current child process. */
  proc: ChildProcess;
  /** SIGTERM and wait for exit (SIGKILL after a grace period); removes an owned temp dir. */
  stop(): Promise<void>;
  /** SIGKILL and wait for exit. The data dir is kept (so `restart()` can recover from it). */
  kill9(): Promise<void>;
  /**
   * Stop the current process (SIGTERM; no-op if it already exited, e.g. after
   * kill9) and start a new one on the same dir with the same options plus
   * `extraArgs`. Updates this object in place (port/proc) and returns it, so
   * teardown registered for it keeps working.
   */
  restart(extraArgs?: string[]): Promise<RespdbProc>;
  /** All collected stdout+stderr (pino JSON lines) of every run of this server. */
  output(): string;
}

interface Launched {
  port: number;
  host: string;
  child: ChildProcess;
}

async function launchRespdb(dir: string, opts: StartRespdbOptions, extraArgs: string[], log: LogBuffer): Promise<Launched> {
  const args = [
    RESPDB_BIN,
    '--port', '0',
    '--dir', dir,
    '--shards', String(opts.shards ?? 2),
    ...(opts.args ?? []),
    ...extraArgs,
  ];
  const child = spawnTracked(process.execPath, args, {
    cwd: REPO_ROOT,
    env: { ...process.env, ...(opts.env ?? {}) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const timeoutMs = opts.timeoutMs ?? 45000;

  return new Promise<Launched>((resolve, reject) => {
    let settled = false;
    let pending = '';
    const finish = (err: Error | null, val?: Launched) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      child.off('exit', onExit);
      if (err) {
        terminate(child, 2000).then(
          () => reject(err),
          () => reject(err),
        );
      } else resolve(val!);
    };
    const describe = (why: string) =>
      new Error(`respdb ${why} (node ${args.map((a) => (/\s/.test(a) ? JSON.stringify(a) : a)).join(' ')}):\n${log.tail()}`);
    const timer = setTimeout(() => finish(describe(`did not log "ready" within ${timeoutMs} ms`)), timeoutMs);
    const onExit = (code: number | null, signal: NodeJS.Signals | null) =>
      // give stdout a moment to flush its last lines into the log
      setTimeout(() => finish(describe(`exited before ready (code ${code}, signal ${signal})`)), 50);
    child.once('exit', onExit);
    child.on('error', (e) => finish(describe(`could not be started: ${e.message}`)));
    child.stderr!.setEncoding('utf8').on('data', (s: string) => log.append(s));
    child.stdout!.setEncoding('utf8').on('data', (s: string) => {
      log.append(s);
      if (settled) return;
      pending += s;
      let nl: number;
      while ((nl = pending.indexOf('\n')) >= 0) {
        const line = pending.slice(0, nl).trim();
        pending = pending.slice(nl + 1);
        if (!line.startsWith('{')) continue;
        let rec: Record<string, unknown>;
        try {
          rec = JSON.parse(line) as Record<string, unknown>;
        } catch {
          continue;
        }
        if (rec.msg === 'ready' && typeof rec.port === 'number') {
          const h = typeof rec.host === 'string' ? rec.host : '';
          const host = h && h !== '0.0.0.0' && h !== '::' ? h : '127.0.0.1';
          pending = '';
          finish(null, { port: rec.port, host, child });
          return;
        }
      }
      if (pending.length > 1024 * 1024) pending = pending.slice(-64 * 1024);
    });
  }).then((l) => {
    // don't let a forgotten server keep the test process alive; the exit hook kills it
    l.child.unref();
    (l.child.stdout as net.Socket | null)?.unref?.();
    (l.child.stderr as net.Socket | null)?.unref?.();
    return l;
  });
}

/** Spawn `node dist/bin/respdb.js --port 0 --dir <dir> --shards N ...args` and wait for its "ready" log line. */
export async function startRespdb(opts: StartRespdbOptions = {}): Promise<RespdbProc> {
  const ownsDir = opts.dir === undefined;
  const dir = opts.dir ?? (await makeTempDir('respdb-test-data-'));
  const log = new LogBuffer();
  let cur: Launched;
  try {
    cur = await launchRespdb(dir, opts, [], log);
  } catch (e) {
    if (ownsDir) await removeDir(dir);
    throw e;
  }
  let stopped = false;
  const self: RespdbProc = {
    port: cur.port,
    host: cur.host,
    dir,
    proc: cur.child,
    output: () => log.all(),
    async stop() {
      stopped = true;
      await terminate(self.proc);
      if (ownsDir) await removeDir(dir);
    },
    async kill9() {
      if (exited(self.proc)) return;
      self.proc.kill('SIGKILL');
      await waitExit(self.proc, 5000);
    },
    async restart(extraArgs: string[] = []) {
      if (stopped) throw new Error('restart() after stop(): the data dir may be gone');
      await terminate(self.proc);
      log.append(`\n--- restart ${new Date().toISOString()} ---\n`);
      const next = await launchRespdb(dir, opts, extraArgs, log);
      self.port = next.port;
      self.host = next.host;
      self.proc = next.child;
      return self;
    },
  };
  return self;
}

// ---------------------------------------------------------------------------
// tap helpers
// ---------------------------------------------------------------------------

/** The parts of a tap `Test` these helpers use (structural, so any tap Test fits). */
export interface TapLike {
  teardown(fn: () => unknown): void;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  equal(found: any, wanted: any, message: string): boolean;
}

export interface PairOptions extends StartRespdbOptions {
  /** Extra redis-server arguments. */
  redisArgs?: string[];
  /** If 3, send HELLO 3 on both connections first (throws if either errors). */
  protocol?: 2 | 3;
}

export interface Pair {
  redis: RawClient;
  respdb: RawClient;
  redisPort: number;
  respdbPort: number;
  redisProc: RedisProc;
  respdbProc: RespdbProc;
}

/**
 * Start a reference redis-server and a respdb, connect a RawClient to each and
 * register `t.teardown` to close clients and stop both servers.
 */
export async function pair(t: TapLike, opts: PairOptions = {}): Promise<Pair> {
  const { redisArgs, protocol, ...respdbOpts } = opts;
  const [r, d] = await Promise.allSettled([startRedis({ args: redisArgs }), startRespdb(respdbOpts)]);
  if (r.status === 'rejected' || d.status === 'rejected') {
    if (r.status === 'fulfilled') await r.value.stop();
    if (d.status === 'fulfilled') await d.value.stop();
    throw r.status === 'rejected' ? r.reason : (d as PromiseRejectedResult).reason;
  }
  const redisProc = r.value;
  const respdbProc = d.value;
  const clients: RawClient[] = [];
  t.teardown(async () => {
    await Promise.all(clients.map((c) => c.close().catch(() => {})));
    await Promise.all([redisProc.stop(), respdbProc.stop()]);
  });
  const redis = await RawClient.connect(redisProc.port, redisProc.host);
  clients.push(redis);
  const respdb = await RawClient.connect(respdbProc.port, respdbProc.host);
  clients.push(respdb);
  if (protocol === 3) {
    for (const [name, c] of [['redis', redis], ['respdb', respdb]] as const) {
      const h = await c.send('HELLO', '3');
      if (h.t === 'error') throw new Error(`HELLO 3 failed on ${name}: ${h.v}`);
    }
  }
  return { redis, respdb, redisPort: redisProc.port, respdbPort: respdbProc.port, redisProc, respdbProc };
}

/**
 * `fn` with fresh connections to both servers of a pair switched to RESP3 (HELLO 3; a server that
 * refuses it fails the test), closed afterwards.
 */
export async function withResp3<T>(p: Pick<Pair, 'redisPort' | 'respdbPort'>, fn: (q: Pick<Pair, 'redis' | 'respdb'>) => Promise<T>): Promise<T> {
  const r3 = await RawClient.connect(p.redisPort);
  const d3 = await RawClient.connect(p.respdbPort);
  try {
    for (const [name, c] of [['redis', r3], ['respdb', d3]] as const) {
      const h = await c.send('HELLO', '3');
      if (h.t === 'error') throw new Error(`HELLO 3 failed on ${name}: ${h.v}`);
    }
    return await fn({ redis: r3, respdb: d3 });
  } finally {
    await Promise.all([r3.close(), d3.close()]);
  }
}

/**
 * Sends `cmds` pipelined to both servers and compares the replies, shown with `show` (default
 * formatReply); returns the first mismatch as text, with the commands before it, or null.
 */
export async function pipelineDiff(
  p: Pick<Pair, 'redis' | 'respdb'>,
  cmds: (string | Buffer)[][],
  show: (cmd: (string | Buffer)[], r: Reply) => string = (_, r) => formatReply(r),
): Promise<string | null> {
  const [want, got] = await Promise.all([p.redis.pipeline(cmds), p.respdb.pipeline(cmds)]);
  for (let i = 0; i < cmds.length; i++) {
    const a = show(cmds[i], want[i]);
    const b = show(cmds[i], got[i]);
    if (a !== b) {
      const ctx = cmds
        .slice(Math.max(0, i - 30), i + 1)
        .map((x) => formatCommand(x))
        .join('\n  ');
      return `command #${i} differs:\n  ${ctx}\nredis:  ${a}\nrespdb: ${b}`;
    }
  }
  return null;
}

export interface DiffOptions extends CompareOptions {
  /** Prefix for assertion messages. */
  label?: string;
}

/** Render a command for messages: `SET "k" "v"`-style, binary-safe and short. */
export function formatCommand(cmd: readonly (string | Buffer)[]): string {
  return cmd
    .map((a) => {
      const s = typeof a === 'string' ? a : a.toString('latin1');
      const shown = s.length > 80 ? s.slice(0, 77) + '...' : s;
      return /^[\x21-\x7e]+$/.test(shown) && !/["\\]/.test(shown) ? shown : JSON.stringify(shown);
    })
    .join(' ');
}

/**
 * Send each command to redis then respdb (one at a time, in order) and assert
 * that respdb's formatted reply equals redis'. Returns the reply pairs.
 */
export async function diff(
  t: TapLike,
  p: Pick<Pair, 'redis' | 'respdb'>,
  cmds: (string | Buffer)[][],
  opts: DiffOptions = {},
): Promise<{ redis: Reply; respdb: Reply }[]> {
  const out: { redis: Reply; respdb: Reply }[] = [];
  for (const cmd of cmds) {
    const want = await p.redis.send(...cmd);
    const got = await p.respdb.send(...cmd);
    const msg = (opts.label ? opts.label + ': ' : '') + formatCommand(cmd);
    t.equal(formatReply(got, opts), formatReply(want, opts), msg);
    out.push({ redis: want, respdb: got });
  }
  return out;
}

// ---------------------------------------------------------------------------
// redis-cli
// ---------------------------------------------------------------------------

export interface CliResult {
  stdout: string;
  stderr: string;
  code: number | null;
}

/** Run `redis-cli -h HOST -p PORT ...args`, optionally feeding `input` on stdin. */
export function redisCli(
  port: number,
  args: string[],
  input?: string,
  opts: { host?: string; timeoutMs?: number } = {},
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawnTracked('redis-cli', ['-h', opts.host ?? '127.0.0.1', '-p', String(port), ...args], {
      stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout!.setEncoding('utf8').on('data', (s: string) => (stdout += s));
    child.stderr!.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    const ms = opts.timeoutMs ?? 30000;
    const timer = setTimeout(() => {
      stderr += `\n[redis-cli killed after ${ms} ms]`;
      child.kill('SIGKILL');
    }, ms);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ stdout, stderr, code });
    });
    if (input !== undefined) {
      child.stdin!.on('error', () => {});
      child.stdin!.end(input);
    }
  });
}
