// Debian's redis-sentinel for the high-availability tests and bench: sentinels on free loopback
// ports, each with its own config file in a temp dir (sentinel rewrites its config, so it must be
// writable and private), and waits on what sentinel reports. Every sentinel is tracked like the
// servers (SIGKILLed if the test process dies) and stopSentinels() always kills them.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { freePort, spawnTracked } from './servers.js';
import { RawClient, type Reply } from './resp-client.js';

export const SENTINEL_BIN = '/usr/bin/redis-sentinel';

export interface SentinelOptions {
  /** The monitored master's name (default "mymaster"). */
  name?: string;
  /** The master's port on 127.0.0.1. */
  masterPort: number;
  /** How many sentinels to start (default 3); the quorum is 2. */
  count?: number;
  quorum?: number;
  /** down-after-milliseconds (default 1000), or one value per sentinel. */
  downAfterMs?: number | number[];
  /** failover-timeout (default 5000). */
  failoverTimeoutMs?: number;
  /** `sentinel rename-command <name> OLD NEW` lines: the nodes' renamed commands. */
  renames?: [string, string][];
}

export interface Sentinel {
  port: number;
  dir: string;
  proc: ChildProcess;
  output(): string;
}

export interface Sentinels {
  name: string;
  list: Sentinel[];
  /** ioredis's `sentinels` option. */
  addresses: { host: string; port: number }[];
  stop(): Promise<void>;
}

type Resolved = Required<Omit<SentinelOptions, 'renames' | 'downAfterMs'>> & { renames: [string, string][]; downAfterMs: number };

function config(o: Resolved, port: number, dir: string): string {
  const lines = [
    `port ${port}`,
    'bind 127.0.0.1',
    `dir ${dir}`,
    'logfile ""',
    `sentinel monitor ${o.name} 127.0.0.1 ${o.masterPort} ${o.quorum}`,
    `sentinel down-after-milliseconds ${o.name} ${o.downAfterMs}`,
    `sentinel failover-timeout ${o.name} ${o.failoverTimeoutMs}`,
    `sentinel parallel-syncs ${o.name} 1`,
    ...o.renames.map(([from, to]) => `sentinel rename-command ${o.name} ${from} ${to}`),
  ];
  return lines.join('\n') + '\n';
}

async function startOne(o: Resolved): Promise<Sentinel> {
  const port = await freePort();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'respdb-sentinel-'));
  const file = path.join(dir, 'sentinel.conf');
  fs.writeFileSync(file, config(o, port, dir));
  let log = '';
  const proc = spawnTracked(SENTINEL_BIN, [file], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  proc.stdout!.setEncoding('utf8').on('data', (s: string) => (log = (log + s).slice(-200000)));
  proc.stderr!.setEncoding('utf8').on('data', (s: string) => (log = (log + s).slice(-200000)));
  const s: Sentinel = { port, dir, proc, output: () => log };
  for (let i = 0; ; i++) {
    if (proc.exitCode !== null) throw new Error(`redis-sentinel exited (${proc.exitCode}):\n${log}`);
    const c = await RawClient.connect(port).catch(() => null);
    if (c) {
      const r = await c.send('PING').catch(() => null);
      c.close();
      if (r?.t === 'simple' && r.v === 'PONG') return s;
    }
    if (i > 100) throw new Error(`redis-sentinel on ${port} did not answer PING:\n${log}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function kill(s: Sentinel): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      fs.rmSync(s.dir, { recursive: true, force: true });
      resolve();
    };
    if (s.proc.exitCode !== null || s.proc.signalCode !== null) return done();
    // (the process handle stays referenced: its 'exit' keeps the test process alive until seen)
    s.proc.once('exit', done);
    s.proc.kill('SIGKILL');
  });
}

/** Starts the sentinels (all monitoring the same master) and returns once each answers PING. */
export async function startSentinels(opts: SentinelOptions): Promise<Sentinels> {
  const o = {
    name: opts.name ?? 'mymaster',
    masterPort: opts.masterPort,
    count: opts.count ?? 3,
    quorum: opts.quorum ?? 2,
    failoverTimeoutMs: opts.failoverTimeoutMs ?? 5000,
    renames: opts.renames ?? [],
  };
  const list: Sentinel[] = [];
  const stop = async (): Promise<void> => {
    await Promise.all(list.map(kill));
  };
  try {
    for (let i = 0; i < o.count; i++) {
      const d = opts.downAfterMs ?? 1000;
      list.push(await startOne({ ...o, downAfterMs: typeof d === 'number' ? d : d[i] }));
    }
  } catch (e) {
    await stop();
    throw e;
  }
  return { name: o.name, list, addresses: list.map((s) => ({ host: '127.0.0.1', port: s.port })), stop };
}

/** One request to a sentinel on its own short connection. */
export async function ask(s: Sentinel, ...args: string[]): Promise<Reply> {
  const c = await RawClient.connect(s.port);
  try {
    return await c.send(...args);
  } finally {
    c.close();
  }
}

/** A flat RESP2 map reply (SENTINEL MASTER) as an object. */
function pairs(r: Reply): Record<string, string> {
  const out: Record<string, string> = {};
  if (r.t !== 'array' || !r.v) return out;
  for (let i = 0; i + 1 < r.v.length; i += 2) {
    const k = r.v[i];
    const v = r.v[i + 1];
    if (k.t === 'bulk' && v.t === 'bulk' && k.v && v.v) out[k.v.toString()] = v.v.toString();
  }
  return out;
}

/** SENTINEL MASTER <name> of one sentinel. */
export async function masterState(s: Sentinel, name: string): Promise<Record<string, string>> {
  return pairs(await ask(s, 'SENTINEL', 'MASTER', name));
}

/** The master's port as one sentinel reports it (SENTINEL GET-MASTER-ADDR-BY-NAME). */
export async function masterPort(s: Sentinel, name: string): Promise<number | null> {
  const r = await ask(s, 'SENTINEL', 'GET-MASTER-ADDR-BY-NAME', name);
  if (r.t !== 'array' || !r.v || r.v.length !== 2 || r.v[1].t !== 'bulk' || !r.v[1].v) return null;
  return Number(r.v[1].v.toString());
}

async function poll(what: string, check: () => Promise<boolean>, ms: number, everyMs = 50): Promise<void> {
  const end = Date.now() + ms;
  for (;;) {
    if (await check().catch(() => false)) return;
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/**
 * Waits until every sentinel knows the other sentinels and `replicas` replicas of the master: only
 * then can a failover win its election and find a replica to promote.
 */
export async function untilDiscovered(ss: Sentinels, replicas: number, ms = 20000): Promise<void> {
  await poll(`${ss.list.length} sentinels to know each other and ${replicas} replicas`, async () => {
    for (const s of ss.list) {
      const m = await masterState(s, ss.name);
      if (Number(m['num-other-sentinels']) !== ss.list.length - 1 || Number(m['num-slaves']) !== replicas) return false;
    }
    return true;
  }, ms, 100);
}

/** Waits until every sentinel names `port` as the master. */
export async function untilMaster(ss: Sentinels, port: number, ms = 30000): Promise<void> {
  await poll(`every sentinel to report the master on port ${port}`, async () => {
    for (const s of ss.list) if ((await masterPort(s, ss.name)) !== port) return false;
    return true;
  }, ms);
}

/**
 * A subscriber on one of a sentinel's event channels (+switch-master, -failover-abort-no-good-slave,
 * ...): `next` resolves with the time (Date.now()) of the first message and its text.
 */
export async function onEvent(s: Sentinel, channel: string): Promise<{ next: Promise<{ at: number; text: string }>; close(): void }> {
  const c = await RawClient.connect(s.port, '127.0.0.1', { replyTimeoutMs: 0 });
  await c.send('SUBSCRIBE', channel);
  const next = (async () => {
    for (;;) {
      const r = await c.readReply(0);
      if (r.t === 'array' && r.v && r.v.length === 3 && r.v[2].t === 'bulk' && r.v[2].v) return { at: Date.now(), text: r.v[2].v.toString() };
    }
  })();
  next.catch(() => undefined);
  return { next, close: () => c.close() };
}

export const onSwitchMaster = (s: Sentinel): ReturnType<typeof onEvent> => onEvent(s, '+switch-master');

/** Waits until every sentinel names the same master other than `oldPort`; returns its port. */
export async function untilNewMaster(ss: Sentinels, oldPort: number, ms = 30000): Promise<number> {
  let port = 0;
  await poll(`every sentinel to report a master other than ${oldPort}`, async () => {
    const ports = await Promise.all(ss.list.map((s) => masterPort(s, ss.name)));
    if (ports[0] === null || ports[0] === oldPort || ports.some((p) => p !== ports[0])) return false;
    port = ports[0];
    return true;
  }, ms);
  return port;
}

/**
 * Sentinels watching the group `nodes` (nodes[0] the master, the rest its replicas), once they
 * have discovered every replica; stopped when `t` ends.
 */
export async function watchGroup(t: { teardown(fn: () => unknown): void }, nodes: readonly { port: number }[], opts: Omit<SentinelOptions, 'masterPort'> = {}): Promise<Sentinels> {
  const ss = await startSentinels({ ...opts, masterPort: nodes[0].port });
  t.teardown(() => ss.stop());
  await untilDiscovered(ss, nodes.length - 1);
  return ss;
}
