/**
 * Transactions benchmark: MULTI, 10 SETs of 100-byte values on one shard (keys share a hash tag),
 * EXEC, from 50 clients that each keep `depth` transactions in flight, against respdb and
 * redis-server (AOF everysec, and without persistence) started in the same run. Rounds alternate
 * between the servers; the table shows the median of the rounds: transactions per second, the
 * ratio to each redis, and CPU µs per transaction per thread.
 *
 *   npm run bench -- txn                          3 rounds of 20,000 transactions per server
 *   npm run bench -- txn --count N --rounds R --clients C --depth D --shards N --write
 */
import net from 'node:net';
import { fmtOps, machineInfo, machineLine, markdownTable, median, parseOrUsage, parseOptions, publishSection } from './report.js';
import { encodeCommand, replyEnd } from './resp.js';
import { cpuBetween, threadCpu } from './cpu.js';
import { isInterrupted, makeRunDir, removeRunDir, startRedis, startRespdb, stopAll, type BenchServer, runIfMain } from './servers.js';

const USAGE = `usage: npm run bench -- txn [options]

  --count N      transactions per round and server (default 20000)
  --rounds N     alternating rounds (default 3)
  --clients N    connections (default 50)
  --depth N      transactions in flight per connection (default 1)
  --shards N     respdb --shards N (default: respdb's default)
  --write        write the table to bench/RESULTS.md (section "transactions")
`;

export interface Options {
  count: number;
  rounds: number;
  clients: number;
  depth: number;
  shards?: number;
  write: boolean;
}

function parseArgs(argv: string[]): Options {
  return parseOptions<Options>(argv, { count: 20000, rounds: 3, clients: 50, depth: 1, write: false }, { ints: ['count', 'rounds', 'clients', 'depth', 'shards'], flags: ['write'] });
}

const REPLIES_PER_TX = 12;

/** One transaction of client `c`: MULTI, 10 SETs of keys tagged {c<c>}, EXEC (one write). */
function transaction(c: number, n: number): Buffer {
  const value = 'x'.repeat(100);
  const parts = [encodeCommand(['MULTI'])];
  for (let i = 0; i < 10; i++) parts.push(encodeCommand(['SET', `{c${c}}:k${(n * 10 + i) % 1000}`, value]));
  parts.push(encodeCommand(['EXEC']));
  return Buffer.concat(parts);
}

/** Runs `count` transactions over `clients` connections; resolves with the elapsed seconds. */
export async function load(port: number, o: Options): Promise<number> {
  const socks = await Promise.all(
    Array.from({ length: o.clients }, () => new Promise<net.Socket>((resolve, reject) => {
      const s = net.connect({ port, host: '127.0.0.1' }, () => resolve(s));
      s.once('error', reject);
      s.setNoDelay(true);
    })),
  );
  const requests = socks.map((_, c) => Array.from({ length: 16 }, (_, n) => transaction(c, n)));
  let issued = 0;
  let completed = 0;
  const t0 = process.hrtime.bigint();
  await new Promise<void>((resolve, reject) => {
    socks.forEach((s, c) => {
      let buf: Buffer = Buffer.alloc(0);
      let replies = 0;
      let k = 0;
      const send = (): void => {
        if (issued >= o.count) return;
        issued++;
        s.write(requests[c][k++ % 16]);
      };
      s.on('data', (d: Buffer) => {
        buf = buf.length ? Buffer.concat([buf, d]) : d;
        let p = 0;
        for (;;) {
          const e = replyEnd(buf, p);
          if (e < 0) break;
          if (buf[p] === 0x2d) return reject(new Error(buf.toString('latin1', p, e)));
          p = e;
          if (++replies % REPLIES_PER_TX === 0) {
            if (++completed === o.count) return resolve();
            send();
          }
        }
        buf = buf.subarray(p);
      });
      s.on('error', reject);
      for (let i = 0; i < o.depth; i++) send();
    });
  });
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  for (const s of socks) s.destroy();
  return secs;
}

interface Cell {
  tps: number[];
  main: number[];
  workers: number[];
  total: number[];
}

export async function main(argv: string[]): Promise<number> {
  const o = parseOrUsage(argv, parseArgs, 'bench txn', USAGE);
  if (o === null) return 2;
  const machine = machineInfo();
  const runDir = makeRunDir();
  const servers: BenchServer[] = [];
  try {
    servers.push(await startRespdb({ runDir, shards: o.shards }));
    servers.push(await startRedis({ runDir, mode: 'aof' }));
    servers.push(await startRedis({ runDir, mode: 'nopersist' }));
    const cells = new Map<string, Cell>(servers.map((s) => [s.label, { tps: [], main: [], workers: [], total: [] }]));
    for (const s of servers) await load(s.port, { ...o, count: Math.max(1000, Math.floor(o.count / 10)) }); // warm-up
    for (let r = 0; r < o.rounds && !isInterrupted(); r++) {
      for (const s of r % 2 === 0 ? servers : [...servers].reverse()) {
        const before = threadCpu(s.pid);
        const secs = await load(s.port, o);
        const cpu = cpuBetween(s.pid, before, threadCpu(s.pid), s.shards ?? 0);
        const cell = cells.get(s.label)!;
        cell.tps.push(o.count / secs);
        cell.main.push((cpu.main / o.count) * 1e6);
        cell.workers.push((cpu.workers / o.count) * 1e6);
        cell.total.push((cpu.total / o.count) * 1e6);
        console.log(`round ${r + 1}: ${s.label} ${fmtOps(o.count / secs)} tx/s, ${((cpu.total / o.count) * 1e6).toFixed(1)} CPU µs/tx`);
      }
    }
    const med = (l: string, k: keyof Cell): number => median(cells.get(l)![k]);
    const respdb = servers[0].label;
    const rows = servers.map((s) => [
      s.label,
      fmtOps(med(s.label, 'tps')),
      (med(respdb, 'tps') / med(s.label, 'tps')).toFixed(2),
      med(s.label, 'main').toFixed(1),
      s.shards ? med(s.label, 'workers').toFixed(1) : '-',
      med(s.label, 'total').toFixed(1),
    ]);
    const table = markdownTable(['server', 'tx/s', 'respdb / this', 'main µs/tx', 'shards µs/tx', 'total µs/tx'], rows, [false, true, true, true, true, true]);
    publishSection('transactions', 'txn', argv, o.write, [
      '## Transactions: MULTI + 10 SET + EXEC on one shard',
      '',
      `${new Date().toISOString().slice(0, 10)}, ${machineLine(machine)}; ${o.clients} clients, ${o.depth} transaction(s) in flight each, ` +
        `${o.count} transactions per round, median of ${o.rounds} alternating rounds; respdb ${servers[0].shards ?? '?'} shards, appendfsync everysec.`,
      '',
      table,
    ]);
    return 0;
  } finally {
    await stopAll();
    removeRunDir(runDir);
  }
}

runIfMain(import.meta.url, 'bench txn', main);
