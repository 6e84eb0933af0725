/**
 * Sharding benchmark: redis-benchmark SET and GET (pipelined) through twemproxy (Debian's
 * nutcracker: ketama, fnv1a_64, named servers) in front of 3 respdb nodes, beside the same config
 * in front of 3 redis-server nodes (AOF everysec, the durability respdb has by default). All eight
 * processes run at once; rounds alternate between the two layouts, and the table shows the median
 * of the rounds and their ratio.
 *
 *   npm run bench -- twemproxy                    3 rounds, -n 200000 -c 50 -P 16
 *   npm run bench -- twemproxy --requests N --rounds R --clients C --pipeline P --shards N --write
 */
import fs from 'node:fs';
import path from 'node:path';
import { fmtOps, machineInfo, machineLine, markdownTable, median, parseOrUsage, parseOptions, publishSection } from './report.js';
import { populate } from './resp.js';
import { DATA_SIZE, KEYSPACE, runBenchmark } from './redis-benchmark.js';
import { isInterrupted, makeRunDir, removeRunDir, startRedis, startRespdb, stopAll, type BenchServer, runIfMain } from './servers.js';
import { startNutcracker, type NutcrackerProc } from '../test/support/twemproxy.js';

const USAGE = `usage: npm run bench -- twemproxy [options]

  --requests N   -n N per redis-benchmark run (default 200000)
  --rounds N     alternating rounds (default 3)
  --clients N    -c N (default 50)
  --pipeline N   -P N (default 16)
  --shards N     respdb --shards N on each node (default: respdb's default)
  --write        write the table to bench/RESULTS.md (section "twemproxy")
`;

const TESTS = ['set', 'get'];
const NODES = 3;

export interface Options {
  requests: number;
  rounds: number;
  clients: number;
  pipeline: number;
  shards?: number;
  write: boolean;
}

function parseArgs(argv: string[]): Options {
  return parseOptions<Options>(argv, { requests: 200000, rounds: 3, clients: 50, pipeline: 16, write: false }, { ints: ['requests', 'rounds', 'clients', 'pipeline', 'shards'], flags: ['write'] });
}

interface Layout {
  label: string;
  nodes: BenchServer[];
  proxy: NutcrackerProc;
  /** ops/s per test, one per round */
  rps: Map<string, number[]>;
}

/** Each node in its own directory of the run dir (the bench servers keep one data dir per run dir). */
function nodeDir(runDir: string, name: string): string {
  const d = path.join(runDir, name);
  fs.mkdirSync(d, { recursive: true });
  return d;
}

async function layout(label: string, start: (i: number) => Promise<BenchServer>): Promise<Layout> {
  const nodes = await Promise.all(Array.from({ length: NODES }, (_, i) => start(i)));
  const proxy = await startNutcracker(nodes.map((n, i) => ({ host: '127.0.0.1', port: n.port, name: `server${i + 1}` })));
  // GET reads keys that exist: the keyspace redis-benchmark -r draws from, written through the proxy
  await populate(proxy.port, KEYSPACE, DATA_SIZE);
  return { label, nodes, proxy, rps: new Map(TESTS.map((t) => [t, []])) };
}

export async function main(argv: string[]): Promise<number> {
  const o = parseOrUsage(argv, parseArgs, 'bench twemproxy', USAGE);
  if (o === null) return 2;
  const machine = machineInfo();
  const runDir = makeRunDir();
  const layouts: Layout[] = [];
  try {
    layouts.push(await layout('3 respdb', (i) => startRespdb({ runDir: nodeDir(runDir, `respdb-${i + 1}`), shards: o.shards, label: `respdb-${i + 1}` })));
    layouts.push(await layout('3 redis-server (AOF everysec)', (i) => startRedis({ runDir: nodeDir(runDir, `redis-${i + 1}`), mode: 'aof', label: `redis-${i + 1}` })));
    for (const l of layouts) await runBenchmark(l.proxy.port, 'set', o.pipeline, { clients: o.clients, requests: Math.max(10000, Math.floor(o.requests / 10)) }); // warm-up
    for (let r = 0; r < o.rounds && !isInterrupted(); r++) {
      for (const l of r % 2 === 0 ? layouts : [...layouts].reverse()) {
        for (const test of TESTS) {
          const run = await runBenchmark(l.proxy.port, test, o.pipeline, { clients: o.clients, requests: o.requests });
          if (!run.row) throw new Error(`redis-benchmark ${run.args.join(' ')} through nutcracker to ${l.label}: ${run.error}`);
          l.rps.get(test)!.push(run.row.rps);
          console.log(`round ${r + 1}: ${l.label} ${test.toUpperCase()} ${fmtOps(run.row.rps)}/s`);
        }
      }
    }
    const [respdb, redis] = layouts;
    const rows = TESTS.map((test) => {
      const a = median(respdb.rps.get(test)!);
      const b = median(redis.rps.get(test)!);
      return [
        `${test.toUpperCase()} -P ${o.pipeline}`,
        fmtOps(a),
        fmtOps(b),
        (a / b).toFixed(2),
        respdb.rps.get(test)!.map(fmtOps).join(' / '),
        redis.rps.get(test)!.map(fmtOps).join(' / '),
      ];
    });
    const table = markdownTable(
      ['test', `nutcracker → ${respdb.label}`, `nutcracker → ${redis.label}`, 'respdb / redis', 'respdb rounds', 'redis rounds'],
      rows,
      [false, true, true, true, true, true],
    );
    publishSection('twemproxy', 'twemproxy', argv, o.write, [
      '## Sharding: SET and GET through twemproxy in front of 3 nodes',
      '',
      `${new Date().toISOString().slice(0, 10)}, ${machineLine(machine)}; nutcracker 0.5.0 (ketama, fnv1a_64, 3 named servers), ` +
        `\`redis-benchmark -c ${o.clients} -n ${o.requests} -d ${DATA_SIZE} -r ${KEYSPACE} -P ${o.pipeline} -t set,get\` through the proxy, ` +
        `ops/s, median of ${o.rounds} alternating rounds; respdb ${respdb.nodes[0].shards ?? '?'} shards per node, appendfsync everysec; ` +
        'all 3 + 3 nodes and both proxies run at once on this machine, beside redis-benchmark.',
      '',
      table,
    ]);
    return 0;
  } finally {
    await Promise.all(layouts.map((l) => l.proxy.stop()));
    await stopAll();
    removeRunDir(runDir);
  }
}

runIfMain(import.meta.url, 'bench twemproxy', main);
