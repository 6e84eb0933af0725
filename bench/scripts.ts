/**
 * Scripting benchmark: EVALSHA of a small write script (SET of one key) and of a small read script
 * (GET of one key), keys drawn from 10,000, from 50 clients with one request in flight each,
 * against respdb and redis-server (AOF everysec) started in the same run. Rounds alternate between
 * the servers; the table shows medians: requests per second, the ratio to redis, CPU µs per
 * request per thread.
 *
 *   npm run bench -- scripts                      3 rounds of 50,000 requests per test and server
 *   npm run bench -- scripts --count N --rounds R --clients C --shards N --write
 */
import net from 'node:net';
import { createHash } from 'node:crypto';
import { fmtOps, machineInfo, machineLine, markdownTable, median, parseOrUsage, parseOptions, publishSection } from './report.js';
import { encodeCommand, replyEnd } from './resp.js';
import { cpuBetween, threadCpu } from './cpu.js';
import { closedLoop, randomKeyRequest } from './closed-loop.js';
import { isInterrupted, makeRunDir, removeRunDir, startRedis, startRespdb, stopAll, type BenchServer, runIfMain } from './servers.js';

const USAGE = `usage: npm run bench -- scripts [options]

  --count N      requests per round, test and server (default 50000)
  --rounds N     alternating rounds (default 3)
  --clients N    connections (default 50)
  --shards N     respdb --shards N (default: respdb's default)
  --write        write the table to bench/RESULTS.md (section "scripts")
`;

interface Options {
  count: number;
  rounds: number;
  clients: number;
  shards?: number;
  write: boolean;
}

function parseArgs(argv: string[]): Options {
  return parseOptions<Options>(argv, { count: 50000, rounds: 3, clients: 50, write: false }, { ints: ['count', 'rounds', 'clients', 'shards'], flags: ['write'] });
}

const SCRIPTS = {
  write: "return redis.call('set', KEYS[1], ARGV[1])",
  read: "return redis.call('get', KEYS[1])",
};
type Test = keyof typeof SCRIPTS;
const sha = (s: string): string => createHash('sha1').update(s).digest('hex');

/** SCRIPT LOAD of both scripts on a server. */
async function loadScripts(port: number): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const s = net.connect({ port, host: '127.0.0.1' }, () => {
      s.write(Buffer.concat(Object.values(SCRIPTS).map((b) => encodeCommand(['SCRIPT', 'LOAD', b]))));
    });
    let buf = Buffer.alloc(0);
    let n = 0;
    s.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      for (let p = 0; ; ) {
        const e = replyEnd(buf, p);
        if (e < 0) break;
        if (buf[p] === 0x2d) reject(new Error(buf.toString('latin1', p, e)));
        p = e;
        buf = buf.subarray(p);
        p = 0;
        if (++n === 2) {
          s.destroy();
          resolve();
        }
      }
    });
    s.on('error', reject);
  });
}

/** EVALSHA <sha> 1 key:NNNNNNNNNNNN [value]: a random key of 10,000 (16 bytes). */
function request(test: Test): () => Buffer {
  const value = 'x'.repeat(100);
  const argc = test === 'write' ? 5 : 4;
  const head = `*${argc}\r\n$7\r\nEVALSHA\r\n$40\r\n${sha(SCRIPTS[test])}\r\n$1\r\n1\r\n$16\r\n`;
  const tail = test === 'write' ? `\r\n$${value.length}\r\n${value}\r\n` : '\r\n';
  return randomKeyRequest(head, tail, 10000);
}

interface Cell {
  ops: number[];
  main: number[];
  workers: number[];
  total: number[];
}

export async function main(argv: string[]): Promise<number> {
  const o = parseOrUsage(argv, parseArgs, 'bench scripts', USAGE);
  if (o === null) return 2;
  const machine = machineInfo();
  const runDir = makeRunDir();
  const servers: BenchServer[] = [];
  try {
    servers.push(await startRespdb({ runDir, shards: o.shards }));
    servers.push(await startRedis({ runDir, mode: 'aof' }));
    for (const s of servers) await loadScripts(s.port);
    const tests: Test[] = ['write', 'read'];
    const cells = new Map<string, Cell>();
    for (const s of servers) for (const t of tests) cells.set(`${s.label}/${t}`, { ops: [], main: [], workers: [], total: [] });
    for (const s of servers) for (const t of tests) await closedLoop({ port: s.port, clients: o.clients, makeRequest: request(t), count: Math.max(2000, Math.floor(o.count / 5)), record: false });
    for (let r = 0; r < o.rounds && !isInterrupted(); r++) {
      for (const t of tests) {
        for (const s of r % 2 === 0 ? servers : [...servers].reverse()) {
          const before = threadCpu(s.pid);
          const res = await closedLoop({ port: s.port, clients: o.clients, makeRequest: request(t), count: o.count, record: false });
          if (res.error) throw new Error(res.error);
          const cpu = cpuBetween(s.pid, before, threadCpu(s.pid), s.shards ?? 0);
          const cell = cells.get(`${s.label}/${t}`)!;
          const ops = res.completed / (res.elapsedMs / 1000);
          cell.ops.push(ops);
          cell.main.push((cpu.main / res.completed) * 1e6);
          cell.workers.push((cpu.workers / res.completed) * 1e6);
          cell.total.push((cpu.total / res.completed) * 1e6);
          console.log(`round ${r + 1}: ${s.label} ${t} ${fmtOps(ops)} req/s, ${((cpu.total / res.completed) * 1e6).toFixed(1)} CPU µs/req`);
        }
      }
    }
    const med = (k: string, f: keyof Cell): number => median(cells.get(k)![f]);
    const respdb = servers[0].label;
    const rows: string[][] = [];
    for (const t of tests) {
      for (const s of servers) {
        const k = `${s.label}/${t}`;
        rows.push([
          `EVALSHA ${t}`,
          s.label,
          fmtOps(med(k, 'ops')),
          (med(`${respdb}/${t}`, 'ops') / med(k, 'ops')).toFixed(2),
          med(k, 'main').toFixed(1),
          s.shards ? med(k, 'workers').toFixed(1) : '-',
          med(k, 'total').toFixed(1),
        ]);
      }
    }
    const table = markdownTable(['test', 'server', 'req/s', 'respdb / this', 'main µs/req', 'shards µs/req', 'total µs/req'], rows, [false, false, true, true, true, true, true]);
    publishSection('scripts', 'scripts', argv, o.write, [
      '## Scripts: EVALSHA of a one-key write and a one-key read',
      '',
      `${new Date().toISOString().slice(0, 10)}, ${machineLine(machine)}; ${o.clients} clients, one request in flight each, ${o.count} requests per round, ` +
        `median of ${o.rounds} alternating rounds; scripts \`${SCRIPTS.write}\` (100-byte values) and \`${SCRIPTS.read}\` over 10,000 keys; ` +
        `respdb ${servers[0].shards ?? '?'} shards (the single-shard path), appendfsync everysec.`,
      '',
      table,
    ]);
    return 0;
  } finally {
    await stopAll();
    removeRunDir(runDir);
  }
}

runIfMain(import.meta.url, 'bench scripts', main);
