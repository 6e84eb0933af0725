/**
 * A replica's apply rate: a redis-server 7.0 master takes `redis-benchmark -t set -P 16 -n N`
 * while a replica follows it (respdb, or redis-server for comparison); the master's and the
 * replica's offsets are sampled every 100 ms.
 *
 *   node dist/bench/replica-apply.js                       respdb replica, N = 1,000,000
 *   node dist/bench/replica-apply.js --replica redis --n 1000000 --shards 2 --r 100000
 *
 * Reported: the master's SET rate (redis-benchmark), the replica's apply rate while the load ran
 * and until it caught up (stream commands applied per second: bytes applied / bytes per SET),
 * the lag in bytes (master_repl_offset - slave_repl_offset) and in seconds (how long after the
 * master reached an offset the replica had applied it), and the time to catch up after the load.
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { BenchConn } from './resp.js';
import { REPO_ROOT } from './servers.js';

function arg(name: string, def: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : def;
}

const N = Number(arg('n', '1000000'));
const REPLICA = arg('replica', 'respdb');
const SHARDS = arg('shards', '2');
/** redis-benchmark -r: random keys over this many (0: its one key, key:__rand_int__ unreplaced) */
const RANDOM = Number(arg('r', '0'));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(p));
    });
  });
}

async function connect(port: number): Promise<BenchConn> {
  for (let i = 0; ; i++) {
    try {
      return await BenchConn.connect(port);
    } catch (e) {
      if (i > 200) throw e;
      await sleep(50);
    }
  }
}

async function field(c: BenchConn, name: string): Promise<number> {
  const r = (await c.send(['INFO', 'replication'])).toString('latin1');
  const m = new RegExp(`^${name}:(-?\\d+)`, 'm').exec(r);
  return m ? Number(m[1]) : -1;
}

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'replica-bench-'));
  const children: ReturnType<typeof spawn>[] = [];
  try {
    const mport = await freePort();
    children.push(spawn('redis-server', ['--port', String(mport), '--save', '', '--appendonly', 'no', '--repl-diskless-sync-delay', '0', '--repl-backlog-size', '256mb', '--dir', dir], { stdio: 'ignore' }));
    const rport = await freePort();
    if (REPLICA === 'redis') {
      fs.mkdirSync(path.join(dir, 'r'));
      children.push(spawn('redis-server', ['--port', String(rport), '--save', '', '--appendonly', 'no', '--dir', path.join(dir, 'r'), '--replicaof', '127.0.0.1', String(mport)], { stdio: 'ignore' }));
    } else {
      const log = fs.openSync(path.join(dir, 'respdb.log'), 'w');
      children.push(
        spawn(process.execPath, [path.join(REPO_ROOT, 'dist/bin/respdb.js'), '--port', String(rport), '--dir', path.join(dir, 'data'), '--shards', SHARDS, '--replicaof', '127.0.0.1', String(mport)], { stdio: ['ignore', log, log] }),
      );
    }
    const m = await connect(mport);
    const r = await connect(rport);
    for (;;) {
      const st = (await r.send(['INFO', 'replication'])).toString('latin1');
      if (st.includes('master_link_status:up')) break;
      await sleep(50);
    }
    const base = await field(m, 'master_repl_offset');
    const samples: Array<{ t: number; master: number; replica: number }> = [];
    const t0 = Date.now();
    const bench = spawn('redis-benchmark', ['-p', String(mport), '-t', 'set', '-P', '16', '-n', String(N), ...(RANDOM > 0 ? ['-r', String(RANDOM)] : []), '-q'], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    bench.stdout!.on('data', (b: Buffer) => (out += b.toString()));
    const benchDone = new Promise<void>((res) => bench.once('exit', () => res()));
    let running = true;
    void benchDone.then(() => (running = false));
    let loadEnd = 0;
    for (;;) {
      const [mo, ro] = await Promise.all([field(m, 'master_repl_offset'), field(r, 'slave_repl_offset')]);
      samples.push({ t: Date.now() - t0, master: mo - base, replica: ro - base });
      if (!running && loadEnd === 0) loadEnd = Date.now() - t0;
      if (!running && ro >= mo) break;
      await sleep(100);
    }
    const end = samples[samples.length - 1];
    // bytes of one SET of redis-benchmark (key:__rand_int__ is 'key:' + 12 digits, value 3 bytes)
    const setBytes = '*3\r\n$3\r\nSET\r\n$16\r\nkey:000000000000\r\n$3\r\nxxx\r\n'.length;
    let maxLagBytes = 0;
    let maxLagSec = 0;
    for (const s of samples) {
      maxLagBytes = Math.max(maxLagBytes, s.master - s.replica);
      const caught = samples.find((x) => x.replica >= s.master);
      if (caught) maxLagSec = Math.max(maxLagSec, (caught.t - s.t) / 1000);
    }
    const atLoadEnd = samples.find((s) => s.t >= loadEnd) ?? end;
    const rate = (bytes: number, ms: number) => Math.round(bytes / setBytes / (ms / 1000));
    const benchRate = /SET: ([\d.]+) requests per second/.exec(out)?.[1] ?? '?';
    const rev = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: REPO_ROOT }).stdout.toString().trim();
    console.log(`replica=${REPLICA}${REPLICA === 'respdb' ? ` shards=${SHARDS}` : ''} n=${N} r=${RANDOM} commit=${rev}`);
    console.log(`master SET -P 16: ${benchRate} req/s (redis-benchmark), load ${(loadEnd / 1000).toFixed(2)} s`);
    console.log(`replica applied during the load: ${rate(atLoadEnd.replica, atLoadEnd.t)} SET/s; until caught up: ${rate(end.replica, end.t)} SET/s`);
    console.log(`lag: max ${(maxLagBytes / 1e6).toFixed(1)} MB (${Math.round(maxLagBytes / setBytes)} SETs), max ${maxLagSec.toFixed(2)} s; caught up ${((end.t - loadEnd) / 1000).toFixed(2)} s after the load ended`);
    console.log(`lag over time (s: MB behind): ${samples.filter((_, i) => i % 5 === 0).map((s) => `${(s.t / 1000).toFixed(1)}:${((s.master - s.replica) / 1e6).toFixed(1)}`).join(' ')}`);
    m.close();
    r.close();
  } finally {
    for (const c of children) c.kill('SIGKILL');
    await sleep(200);
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

void main().then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
