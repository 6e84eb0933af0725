/**
 * Failover benchmark under Debian's redis-sentinel 7.0: 3 nodes (a master and 2 replicas) and 3
 * sentinels (quorum 2, down-after-milliseconds 1000, failover-timeout 5000) on loopback, respdb
 * nodes beside redis-server nodes, rounds alternating between the two. Each round starts everything
 * fresh, waits until the sentinels know each other and both replicas, then kills the master with
 * SIGKILL and measures from the kill:
 *   - writable: until the promoted node first answers OK to a SET (a client polls both replicas
 *     with SET every 5 ms; they answer -READONLY until promoted);
 *   - switch-master: until the first sentinel publishes +switch-master.
 * The table shows the medians (and the range) per system.
 *
 *   npm run bench -- failover [--rounds N] [--write]
 */
import { machineInfo, machineLine, markdownTable, median, parseOrUsage, reproduceCommand, writeSection, parseOptions } from './report.js';
import { RawClient } from '../test/support/resp-client.js';
import { freePort, startRedis, startRespdb } from '../test/support/servers.js';
import { onSwitchMaster, startSentinels, untilDiscovered, type Sentinels } from '../test/support/sentinel.js';

const USAGE = `usage: npm run bench -- failover [options]

  --rounds N     rounds per system (default 3)
  --write        write the table to bench/RESULTS.md (section "failover")
`;

interface Options {
  rounds: number;
  write: boolean;
}

function parseArgs(argv: string[]): Options {
  return parseOptions<Options>(argv, { rounds: 3, write: false }, { ints: ['rounds'], flags: ['write'] });
}

type System = 'respdb' | 'redis';

interface BenchNode {
  port: number;
  kill9(): Promise<void>;
  stop(): Promise<void>;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function startNode(system: System, replicaOf?: number): Promise<BenchNode> {
  if (system === 'respdb') {
    const port = await freePort();
    const p = await startRespdb({ shards: 2, args: ['--port', String(port), ...(replicaOf ? ['--replicaof', `127.0.0.1 ${replicaOf}`] : [])] });
    return { port, kill9: () => p.kill9(), stop: () => p.stop() };
  }
  const r = await startRedis({ args: ['--repl-diskless-sync-delay', '0', ...(replicaOf ? ['--replicaof', '127.0.0.1', String(replicaOf)] : [])] });
  return {
    port: r.port,
    kill9: () =>
      new Promise((resolve) => {
        if (r.proc.exitCode !== null || r.proc.signalCode !== null) return resolve();
        r.proc.once('exit', () => resolve());
        r.proc.kill('SIGKILL');
      }),
    stop: () => r.stop(),
  };
}

async function linkUp(port: number): Promise<boolean> {
  const c = await RawClient.connect(port);
  try {
    const r = await c.send('INFO', 'replication');
    return r.t === 'bulk' && r.v !== null && r.v.toString().includes('master_link_status:up');
  } finally {
    c.close();
  }
}

/** Resolves with the time of the first OK to a SET from one of `ports` (polled every 5 ms). */
function firstWritable(ports: number[], stop: { done: boolean }): Promise<number> {
  return Promise.any(
    ports.map(async (port) => {
      let c: RawClient | null = null;
      while (!stop.done) {
        try {
          c ??= await RawClient.connect(port, '127.0.0.1', { replyTimeoutMs: 2000, connectTimeoutMs: 2000 });
          const r = await c.send('SET', 'failover:probe', String(Date.now()));
          if (r.t === 'simple' && r.v === 'OK') {
            c.close();
            return Date.now();
          }
        } catch {
          c?.close();
          c = null;
        }
        await sleep(5);
      }
      c?.close();
      throw new Error('stopped');
    }),
  );
}

interface Round {
  writableMs: number;
  switchMs: number;
}

async function round(system: System): Promise<Round> {
  const nodes: BenchNode[] = [];
  let ss: Sentinels | null = null;
  const stop = { done: false };
  try {
    const master = await startNode(system);
    nodes.push(master);
    for (let i = 0; i < 2; i++) nodes.push(await startNode(system, master.port));
    for (const n of nodes.slice(1)) {
      for (let i = 0; !(await linkUp(n.port)); i++) {
        if (i > 300) throw new Error(`replica ${n.port} never linked`);
        await sleep(50);
      }
    }
    ss = await startSentinels({ masterPort: master.port });
    await untilDiscovered(ss, 2);
    const subs = await Promise.all(ss.list.map(onSwitchMaster));
    try {
      const writable = firstWritable(nodes.slice(1).map((n) => n.port), stop);
      const killedAt = Date.now();
      await master.kill9();
      const switched = await Promise.race(subs.map((s) => s.next));
      const writableAt = await writable;
      return { writableMs: writableAt - killedAt, switchMs: switched.at - killedAt };
    } finally {
      subs.forEach((s) => s.close());
    }
  } finally {
    stop.done = true;
    await ss?.stop();
    await Promise.all(nodes.map((n) => n.stop().catch(() => undefined)));
  }
}

const fmt = (xs: number[]): string => `${Math.round(median(xs))} ms (${Math.min(...xs)}–${Math.max(...xs)})`;

export async function main(argv: string[]): Promise<number> {
  const o = parseOrUsage(argv, parseArgs, 'bench failover', USAGE);
  if (o === null) return 2;
  const machine = machineInfo();
  const started = new Date();
  const log = (s: string): void => void process.stdout.write(s + '\n');
  log(`machine: ${machineLine(machine)}`);
  const results: Record<System, Round[]> = { respdb: [], redis: [] };
  for (let r = 0; r < o.rounds; r++) {
    for (const system of ['respdb', 'redis'] as const) {
      const x = await round(system);
      results[system].push(x);
      log(`round ${r + 1} ${system}: writable after ${x.writableMs} ms, +switch-master after ${x.switchMs} ms`);
    }
  }
  const rows = (['respdb', 'redis'] as const).map((s) => [
    s === 'respdb' ? 'respdb (2 shards) ×3' : 'redis-server 7.0.15 ×3',
    fmt(results[s].map((x) => x.writableMs)),
    fmt(results[s].map((x) => x.switchMs)),
  ]);
  const table = markdownTable(['nodes (+ 3 redis-sentinel 7.0.15)', 'kill -9 → new master takes a SET', 'kill -9 → +switch-master'], rows, [false, true, true]);
  log('\n' + table);
  if (o.write) {
    const body = [
      '## Failover under redis-sentinel',
      '',
      `${started.toISOString().slice(0, 10)}, ${machineLine(machine)}. \`${reproduceCommand(['failover', ...argv])}\``,
      '',
      'A master and 2 replicas on loopback, 3 sentinels (quorum 2, down-after-milliseconds 1000,',
      'failover-timeout 5000); the master is killed with SIGKILL. "Takes a SET": a client polls both',
      'replicas with SET every 5 ms until one answers OK. Medians over ' + `${o.rounds} rounds per system (min–max), rounds alternating.`,
      '',
      table,
    ].join('\n');
    writeSection('failover', body);
    log('written to bench/RESULTS.md (section "failover")');
  }
  return 0;
}
