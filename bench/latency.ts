/**
 * Latency benchmark: p50 / p99 / p99.9 of GET and SET with 50 clients, each keeping exactly one
 * request in flight (-P 1), for respdb beside redis-server without persistence and the floor
 * (bench/floor.ts: one bare Node event loop, in memory, which shows what Node itself costs).
 *
 *   npm run bench -- latency                  100,000 measured requests per test and server
 *   npm run bench -- latency --quick          10,000
 *   npm run bench -- latency --count N --clients C --tests get,set --shards N --write
 *
 * The load generator is this process: `clients` raw TCP connections; each sends a command, waits
 * for its complete reply, records the time from write to reply in an HDR histogram (hdr-histogram-js,
 * nanoseconds, 3 significant digits) and sends the next, until `count` requests have been answered.
 * A warm-up of count/10 requests (not recorded) runs first. It is a closed loop: a slow reply delays
 * the next request on that connection, so the tail is understated relative to an open-loop load
 * (coordinated omission), equally for both servers. Keys are drawn uniformly from the 100,000
 * pre-populated keys `key:000000000000`..., values are 100 bytes, as in bench/run.ts.
 */
import {
  fmtOps,
  machineInfo,
  machineLine,
  markdownTable,
  positiveInt,
  reproduceCommand,
  takeValue,
  UsageError,
  parseOrUsage,
  writeSection,
  RESULTS_PATH,
  pickList,
} from './report.js';
import { populate } from './resp.js';
import { closedLoop, randomKeyRequest, type LoadResult } from './closed-loop.js';
import { isInterrupted, makeRunDir, removeRunDir, startFloor, startRedis, startRespdb, stopAll, type BenchServer, runIfMain } from './servers.js';

const USAGE = `usage: npm run bench -- latency [options]

  --count N          measured requests per test and server (default 100000)
  --quick            --count 10000
  --warmup N         unrecorded warm-up requests before each test (default count/10)
  --clients N        connections, one request in flight each (default 50)
  --tests LIST       get,set (default get,set)
  --shards N         respdb --shards N (default: respdb's default)
  --servers LIST     respdb,redis-nopersist,redis-aof,floor (default respdb,redis-nopersist,floor)
  --keep-logs         keep the server logs ($TMPDIR/respdb-bench-*) even after a clean run
  --write            write the table to bench/RESULTS.md (section "latency")
`;

const SERVER_KEYS = ['respdb', 'redis-nopersist', 'redis-aof', 'floor'] as const;
type ServerKey = (typeof SERVER_KEYS)[number];
const SERVER_TITLES: Record<ServerKey, string> = {
  respdb: 'respdb',
  'redis-nopersist': 'redis (no persistence)',
  'redis-aof': 'redis (AOF everysec)',
  floor: 'floor (one Node loop, in memory)',
};
const TESTS = ['get', 'set'] as const;
type Test = (typeof TESTS)[number];

const DATA_SIZE = 100;
const KEYSPACE = 100000;

interface Options {
  count: number;
  warmup?: number;
  clients: number;
  tests: Test[];
  shards?: number;
  servers: ServerKey[];
  write: boolean;
  keepLogs: boolean;
}

function parseArgs(argv: string[]): Options {
  const o: Options = { count: 100000, clients: 50, tests: [...TESTS], servers: ['respdb', 'redis-nopersist', 'floor'], write: false, keepLogs: false };
  let countGiven = false;
  let quick = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const name = a.split('=')[0];
    let v: string;
    switch (name) {
      case '--quick':
        quick = true;
        break;
      case '--write':
        o.write = true;
        break;
      case '--keep-logs':
        o.keepLogs = true;
        break;
      case '--count':
      case '-n':
        [v, i] = takeValue(argv, i, name);
        o.count = positiveInt(v, name);
        countGiven = true;
        break;
      case '--warmup':
        [v, i] = takeValue(argv, i, name);
        if (!/^[0-9]+$/.test(v)) throw new UsageError(`${name}: expected an integer, got '${v}'`);
        o.warmup = Number(v);
        break;
      case '--clients':
      case '-c':
        [v, i] = takeValue(argv, i, name);
        o.clients = positiveInt(v, name);
        break;
      case '--tests':
      case '-t': {
        [v, i] = takeValue(argv, i, name);
        const list = v.toLowerCase().split(',').filter((x) => x !== '');
        for (const t of list) if (!(TESTS as readonly string[]).includes(t)) throw new UsageError(`--tests: only get and set are supported, not '${t}'`);
        if (!list.length) throw new UsageError('--tests: empty list');
        o.tests = list as Test[];
        break;
      }
      case '--shards':
        [v, i] = takeValue(argv, i, name);
        o.shards = positiveInt(v, name);
        break;
      case '--servers': {
        [v, i] = takeValue(argv, i, name);
        o.servers = pickList(v, name, SERVER_KEYS);
        break;
      }
      case '--help':
      case '-h':
        process.stdout.write(USAGE);
        process.exit(0);
        break;
      default:
        throw new UsageError(`unknown option '${a}'`);
    }
  }
  if (quick && !countGiven) o.count = 10000;
  return o;
}

// ------------------------------------------------------------------------------------------------
// Load generator
// ------------------------------------------------------------------------------------------------

/** Builds request bytes with a random key from the keyspace, for GET or SET. */
function requestFactory(test: Test): () => Buffer {
  return test === 'get'
    ? randomKeyRequest('*2\r\n$3\r\nGET\r\n$16\r\n', '\r\n', KEYSPACE)
    : randomKeyRequest('*3\r\n$3\r\nSET\r\n$16\r\n', `\r\n$${DATA_SIZE}\r\n${'x'.repeat(DATA_SIZE)}\r\n`, KEYSPACE);
}

function runLoad(port: number, test: Test, count: number, clients: number, record: boolean): Promise<LoadResult> {
  return closedLoop({ port, clients, makeRequest: requestFactory(test), count, record });
}

// ------------------------------------------------------------------------------------------------
// main
// ------------------------------------------------------------------------------------------------

interface Cell {
  p50: number;
  p99: number;
  p999: number;
  max: number;
  mean: number;
  opsPerSec: number;
  misses: number;
  error?: string;
}

const ms = (ns: number) => (ns / 1e6).toFixed(3);

export async function main(argv: string[]): Promise<number> {
  const o = parseOrUsage(argv, parseArgs, 'bench latency', USAGE);
  if (o === null) return 2;
  const warmup = o.warmup ?? Math.max(1000, Math.floor(o.count / 10));
  const machine = machineInfo();
  const started = new Date();
  const runDir = makeRunDir();
  const log = (s: string) => process.stdout.write(s + '\n');
  log(`machine: ${machineLine(machine)}`);
  log(`load: ${o.clients} connections x 1 request in flight; ${o.count} measured requests per test (+${warmup} warm-up); tests ${o.tests.join(',')}`);
  log(`server logs: ${runDir}`);

  const results = new Map<string, Cell | { error: string }>();
  let respdbShards: number | undefined;
  let failed = false;

  for (const key of o.servers) {
    if (isInterrupted()) break;
    log(`\n== ${SERVER_TITLES[key]}`);
    let srv: BenchServer;
    try {
      srv =
        key === 'respdb' ? await startRespdb({ runDir, shards: o.shards })
        : key === 'floor' ? await startFloor({ runDir })
        : await startRedis({ runDir, mode: key === 'redis-aof' ? 'aof' : 'nopersist' });
    } catch (e) {
      log(`   could not start: ${(e as Error).message}`);
      for (const t of o.tests) results.set(`${key}\0${t}`, { error: 'server did not start' });
      failed = true;
      continue;
    }
    if (srv.shards !== undefined) respdbShards = srv.shards;
    log(`   ${srv.commandLine}  (pid ${srv.pid}${srv.shards !== undefined ? `, ${srv.shards} shards` : ''})`);
    try {
      await populate(srv.port, KEYSPACE, DATA_SIZE);
      for (const t of o.tests) {
        if (isInterrupted()) break;
        const w = warmup > 0 ? await runLoad(srv.port, t, warmup, o.clients, false) : null;
        const r = w?.error ? w : await runLoad(srv.port, t, o.count, o.clients, true);
        if (r.error) {
          const err = srv.alive() ? r.error : `server exited (see ${srv.logPath})`;
          if (!srv.alive()) failed = true;
          results.set(`${key}\0${t}`, { error: err });
          log(`   ${t.toUpperCase()}: ERROR ${err}`);
          continue;
        }
        const h = r.hist;
        const cell: Cell = {
          p50: h.getValueAtPercentile(50),
          p99: h.getValueAtPercentile(99),
          p999: h.getValueAtPercentile(99.9),
          max: h.maxValue,
          mean: h.mean,
          opsPerSec: (r.completed / r.elapsedMs) * 1000,
          misses: r.misses,
        };
        results.set(`${key}\0${t}`, cell);
        log(`   ${t.toUpperCase()}: p50 ${ms(cell.p50)} ms, p99 ${ms(cell.p99)} ms, p99.9 ${ms(cell.p999)} ms, max ${ms(cell.max)} ms ` +
            `(${fmtOps(cell.opsPerSec)} ops/s${cell.misses ? `, ${cell.misses} GET misses` : ''})`);
      }
    } catch (e) {
      log(`   failed: ${(e as Error).message}`);
      failed = true;
    } finally {
      await srv.stop();
    }
  }
  await stopAll();
  if (isInterrupted()) return 130;

  const header = ['test', 'server', 'p50 ms', 'p99 ms', 'p99.9 ms', 'max ms', 'mean ms', 'ops/s'];
  const rows: string[][] = [];
  for (const t of o.tests) {
    for (const key of o.servers) {
      const c = results.get(`${key}\0${t}`);
      if (!c) continue;
      if ('error' in c && c.error !== undefined && !('p50' in c)) {
        rows.push([t.toUpperCase(), SERVER_TITLES[key], 'error', '', '', '', '', '']);
        continue;
      }
      const cell = c as Cell;
      rows.push([t.toUpperCase(), SERVER_TITLES[key], ms(cell.p50), ms(cell.p99), ms(cell.p999), ms(cell.max), ms(cell.mean), fmtOps(cell.opsPerSec)]);
    }
  }
  const table = markdownTable(header, rows, [false, false, true, true, true, true, true, true]);
  log('\n' + table);
  const errors = [...results.entries()]
    .filter(([, c]) => 'error' in c && !('p50' in c))
    .map(([k, c]) => `${SERVER_TITLES[k.split('\0')[0] as ServerKey]}, ${k.split('\0')[1].toUpperCase()}: ${(c as { error: string }).error}`);
  if (errors.length) log('\nerrors:\n' + errors.map((e) => `  - ${e}`).join('\n'));

  if (o.write) {
    const body = [
      '## Latency (bench/latency.ts)',
      '',
      `- Date: ${started.toISOString()}`,
      `- Machine: ${machineLine(machine)}`,
      `- Reproduce: \`${reproduceCommand(['latency', ...argv])}\` (after \`npx tsc -p .\`)`,
      `- Load: ${o.clients} connections from one Node process, each with one request in flight (-P 1); ` +
        `${fmtOps(o.count)} measured requests per test and server after ${fmtOps(warmup)} unrecorded warm-up requests; ` +
        `random keys over ${fmtOps(KEYSPACE)} pre-populated keys, ${DATA_SIZE}-byte values. Latency is write-to-reply time ` +
        `per request, recorded in an HDR histogram (hdr-histogram-js, 3 significant digits). One server at a time.`,
      `- respdb: \`node dist/bin/respdb.js --port PORT --dir TMPDIR --appendfsync everysec${o.shards ? ` --shards ${o.shards}` : ''}\`` +
        (respdbShards !== undefined ? ` (${respdbShards} shards)` : '') + '; redis: `redis-server --save \'\' --appendonly no`' +
        (o.servers.includes('redis-aof') ? ' and `--appendonly yes --appendfsync everysec --save \'\'`' : '') +
        (o.servers.includes('floor') ? '; floor: `node dist/bench/floor.js --port PORT` (bench/floor.ts, one Node event loop answering from memory)' : '') + '.',
      '',
      table,
      '',
      ...(errors.length ? ['Errors:', '', ...errors.map((e) => `- ${e}`), ''] : []),
      'Notes:',
      '',
      '- Closed loop: a slow reply delays the next request on its connection, so tails are understated ' +
        'compared with an open-loop load (coordinated omission), equally for every server.',
      '- The load generator, the server and its threads share the same 2 noisy cores; the generator\'s own ' +
        'event loop adds to every figure. Percentiles move by ±30% or more between runs.',
    ].join('\n');
    writeSection('latency', body);
    log(`\nwrote ${RESULTS_PATH}`);
  }
  if (o.keepLogs || errors.length || failed) log(`\nserver logs kept in ${runDir}`);
  else removeRunDir(runDir);
  return failed ? 1 : 0;
}

runIfMain(import.meta.url, 'bench latency', main);
