/**
 * Replication benchmark: a master and a replica of the same kind, respdb → respdb beside
 * redis-server → redis-server, started in the same run.
 *   - full sync: --keys distinct keys (100-byte values) loaded into the master, then REPLICAOF on
 *     a fresh replica while a writer (one client, SETs of new keys) runs against the master; the
 *     time until the replica's link is up, and the RDB's size over that time (MB/s); once the
 *     replica caught up, DEBUG DIGEST (or DBSIZE, where DEBUG is off) must be equal on both;
 *   - following: `redis-benchmark -t set -P 16 -n --requests` against the master at its maximum;
 *     every 100 ms the master's master_repl_offset and the replica's slave_repl_offset are read.
 *     Lag in bytes = their difference; lag in seconds = for each sample, how long until the
 *     replica's offset reached the master's offset of that sample. The replica's apply rate is the
 *     SETs over the time until it reached the master's final offset.
 * Rounds alternate between the two systems; the table shows medians.
 *
 * --from-redis is the migration from a live Redis: the master is a redis-server in both systems,
 * its replica a respdb (REPLICAOF into respdb) beside a redis-server; section "migration".
 *
 *   npm run bench -- replication [--keys N] [--requests N] [--shards N] [--rounds N] [--from-redis] [--write]
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { machineInfo, machineLine, markdownTable, median, parseOrUsage, reproduceCommand, writeSection, parseOptions } from './report.js';
import { makeRunDir, removeRunDir, startRedis, startRespdb, stopAll, type BenchServer } from './servers.js';

const USAGE = `usage: npm run bench -- replication [options]

  --keys N       keys loaded before the full sync (default 1000000)
  --requests N   SETs of the following phase (default 1000000)
  --shards N     respdb shards (default 2)
  --rounds N     rounds per system (default 3)
  --from-redis   the master is a redis-server in both systems (migrating into respdb)
  --write        write the table to bench/RESULTS.md (section "replication", or "migration")
`;

interface Options {
  keys: number;
  requests: number;
  shards: number;
  rounds: number;
  fromRedis: boolean;
  write: boolean;
}

function parseArgs(argv: string[]): Options {
  return parseOptions<Options>(argv, { keys: 1_000_000, requests: 1_000_000, shards: 2, rounds: 3, fromRedis: false, write: false }, { ints: ['keys', 'requests', 'shards', 'rounds'], flags: ['fromRedis', 'write'] });
}

/** One command, its reply as text (INFO, REPLICAOF...). */
function ask(port: number, ...args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1');
    let buf = '';
    s.on('data', (d) => {
      buf += d.toString('latin1');
      const m = /^\$(\d+)\r\n/.exec(buf);
      if (m ? buf.length >= m[0].length + Number(m[1]) + 2 : buf.includes('\r\n')) {
        s.end();
        resolve(m ? buf.slice(m[0].length, m[0].length + Number(m[1])) : buf.trim());
      }
    });
    s.on('error', reject);
    s.write(`*${args.length}\r\n` + args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join(''));
  });
}

async function infoField(port: number, name: string): Promise<string> {
  const text = await ask(port, 'INFO', 'replication');
  const line = text.split('\r\n').find((l) => l.startsWith(name + ':'));
  return line ? line.slice(name.length + 1) : '';
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Loads `keys` distinct keys through `redis-cli --pipe`. */
async function load(port: number, keys: number, dir: string): Promise<void> {
  const file = path.join(dir, 'load.resp');
  const fd = fs.openSync(file, 'w');
  const value = 'v'.repeat(100);
  let chunk = '';
  for (let i = 0; i < keys; i++) {
    const k = `key:${String(i).padStart(12, '0')}`;
    chunk += `*3\r\n$3\r\nSET\r\n$${k.length}\r\n${k}\r\n$100\r\n${value}\r\n`;
    if (chunk.length > 1 << 20) {
      fs.writeSync(fd, chunk);
      chunk = '';
    }
  }
  fs.writeSync(fd, chunk);
  fs.closeSync(fd);
  await run('sh', ['-c', `redis-cli -p ${port} --pipe < ${file} > /dev/null`]);
  fs.rmSync(file);
}

function run(cmd: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const c = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    c.stdout.on('data', (d) => (out += d));
    c.stderr.on('data', (d) => (out += d));
    c.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`${cmd} exited ${code}: ${out.slice(-500)}`))));
  });
}

interface Round {
  syncSeconds: number;
  rdbBytes: number;
  masterRate: number;
  applyRate: number;
  maxLagBytes: number;
  p50LagSeconds: number;
  maxLagSeconds: number;
}

async function round(kind: 'respdb' | 'redis', o: Options): Promise<Round> {
  const runDir = makeRunDir();
  try {
    const start = (label: string, as: 'respdb' | 'redis'): Promise<BenchServer> =>
      as === 'respdb' ? startRespdb({ runDir: path.join(runDir, label), shards: o.shards, label }) : startRedis({ runDir: path.join(runDir, label), mode: 'nopersist', label });
    fs.mkdirSync(path.join(runDir, 'master'));
    fs.mkdirSync(path.join(runDir, 'replica'));
    const master = await start('master', o.fromRedis ? 'redis' : kind);
    const replica = await start('replica', kind);
    // redis-server waits repl-diskless-sync-delay (5 s) for more replicas before a diskless sync
    await ask(master.port, 'CONFIG', 'SET', 'repl-diskless-sync-delay', '0');
    await load(master.port, o.keys, runDir);
    const rdbFile = path.join(runDir, 'size.rdb');
    await run('redis-cli', ['-p', String(master.port), '--rdb', rdbFile]);
    const rdbBytes = fs.statSync(rdbFile).size;
    fs.rmSync(rdbFile);

    const t0 = performance.now();
    const writer = run('redis-benchmark', ['-p', String(master.port), '-q', '-c', '1', '-t', 'set', '-n', '20000', '-r', '100000000', '-d', '100']);
    await ask(replica.port, 'REPLICAOF', '127.0.0.1', String(master.port));
    while ((await infoField(replica.port, 'master_link_status')) !== 'up' || (await infoField(replica.port, 'master_sync_in_progress')) !== '0') await sleep(20);
    const syncSeconds = (performance.now() - t0) / 1000;
    await writer;
    const target = Number(await infoField(master.port, 'master_repl_offset'));
    while (Number(await infoField(replica.port, 'slave_repl_offset')) < target) await sleep(20);
    const same = async (...cmd: string[]) => (await ask(master.port, ...cmd)) === (await ask(replica.port, ...cmd));
    const digestCmd = (await ask(master.port, 'DEBUG', 'DIGEST')).startsWith('-') ? ['DBSIZE'] : ['DEBUG', 'DIGEST'];
    if (!(await same(...digestCmd))) throw new Error(`${kind}: master and replica differ after the full sync (${digestCmd.join(' ')})`);

    // following at the master's maximum SET rate
    const samples: { t: number; m: number; r: number }[] = [];
    let loading = true;
    const sampler = (async () => {
      while (loading) {
        const [m, r] = await Promise.all([infoField(master.port, 'master_repl_offset'), infoField(replica.port, 'slave_repl_offset')]);
        samples.push({ t: performance.now(), m: Number(m), r: Number(r) });
        await sleep(100);
      }
    })();
    const b0 = performance.now();
    await run('redis-benchmark', ['-p', String(master.port), '-q', '-t', 'set', '-P', '16', '-n', String(o.requests), '-r', '1000000', '-d', '100']);
    const benchSeconds = (performance.now() - b0) / 1000;
    const finalOffset = Number(await infoField(master.port, 'master_repl_offset'));
    while (Number(await infoField(replica.port, 'slave_repl_offset')) < finalOffset) {
      const [m, r] = await Promise.all([infoField(master.port, 'master_repl_offset'), infoField(replica.port, 'slave_repl_offset')]);
      samples.push({ t: performance.now(), m: Number(m), r: Number(r) });
      await sleep(20);
    }
    const caughtUpSeconds = (performance.now() - b0) / 1000;
    loading = false;
    await sampler;
    const lagSeconds: number[] = [];
    for (const s of samples) {
      const reached = samples.find((x) => x.t >= s.t && x.r >= s.m);
      lagSeconds.push(reached ? (reached.t - s.t) / 1000 : caughtUpSeconds - (s.t - b0) / 1000);
    }
    await master.stop();
    await replica.stop();
    return {
      syncSeconds,
      rdbBytes,
      masterRate: o.requests / benchSeconds,
      applyRate: o.requests / caughtUpSeconds,
      maxLagBytes: Math.max(...samples.map((s) => s.m - s.r)),
      p50LagSeconds: median(lagSeconds),
      maxLagSeconds: Math.max(...lagSeconds),
    };
  } finally {
    await stopAll();
    removeRunDir(runDir);
  }
}

export async function main(argv: string[]): Promise<number> {
  const o = parseOrUsage(argv, parseArgs, 'replication', USAGE);
  if (o === null) return 2;
  const rounds: Record<'respdb' | 'redis', Round[]> = { respdb: [], redis: [] };
  for (let r = 0; r < o.rounds; r++) {
    for (const kind of ['respdb', 'redis'] as const) {
      const x = await round(kind, o);
      rounds[kind].push(x);
      console.log(
        `round ${r + 1} ${kind}: full sync ${x.syncSeconds.toFixed(2)} s (${(x.rdbBytes / x.syncSeconds / 1e6).toFixed(1)} MB/s), master ${Math.round(x.masterRate)} SET/s, replica applies ${Math.round(x.applyRate)}/s, lag max ${x.maxLagBytes} bytes, ${x.maxLagSeconds.toFixed(2)} s (p50 ${x.p50LagSeconds.toFixed(2)} s)`,
      );
    }
  }
  const med = (k: 'respdb' | 'redis', f: (x: Round) => number) => median(rounds[k].map(f));
  const row = (name: string, f: (x: Round) => number, fmt: (n: number) => string): string[] => [name, fmt(med('respdb', f)), fmt(med('redis', f))];
  const table = markdownTable(
    ['', o.fromRedis ? 'redis-server → respdb' : 'respdb → respdb', 'redis-server → redis-server'],
    [
      row('full sync of the keys (s)', (x) => x.syncSeconds, (n) => n.toFixed(2)),
      row('full sync throughput (RDB MB/s)', (x) => x.rdbBytes / x.syncSeconds / 1e6, (n) => n.toFixed(1)),
      row('master SET -P 16 (ops/s)', (x) => x.masterRate, (n) => String(Math.round(n))),
      row('replica apply rate (SET/s, until caught up)', (x) => x.applyRate, (n) => String(Math.round(n))),
      row('lag, max (bytes)', (x) => x.maxLagBytes, (n) => String(Math.round(n))),
      row('lag, p50 (s)', (x) => x.p50LagSeconds, (n) => n.toFixed(2)),
      row('lag, max (s)', (x) => x.maxLagSeconds, (n) => n.toFixed(2)),
    ],
    [false, true, true],
  );
  console.log('\n' + table);
  if (o.write) {
    writeSection(
      o.fromRedis ? 'migration' : 'replication',
      [
        o.fromRedis
          ? '## Migration from a live Redis: full sync and following, redis-server → respdb beside redis-server → redis-server'
          : '## Replication: full sync and following, respdb → respdb beside redis-server → redis-server',
        '',
        machineLine(machineInfo()) + `, ${new Date().toISOString().slice(0, 10)}.`,
        '',
        `${o.keys} keys of 100 bytes loaded before the full sync; then \`redis-benchmark -t set -P 16 -n ${o.requests} -r 1000000 -d 100\` against the master while the replica follows; medians of ${o.rounds} alternating rounds; respdb with ${o.shards} shards, everysec. Master and replica run on the same machine.`,
        '',
        table,
        '',
        `Reproduce: \`${reproduceCommand(['replication', ...argv.filter((a) => a !== '--write')])}\``,
      ].join('\n'),
    );
  }
  return 0;
}
