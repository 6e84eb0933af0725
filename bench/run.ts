/**
 * Throughput benchmark: respdb beside redis-server (no persistence), redis-server (AOF), both
 * persistent servers with the same appendfsync policy (--fsync, default everysec), and the floor
 * (bench/floor.ts: the bare minimum one Node event loop does for these commands, in memory),
 * measured with redis-benchmark, one server at a time.
 *
 *   npm run bench                      full run (-n 200000 per cell)
 *   npm run bench -- --quick           smoke run (-n 20000)
 *   npm run bench -- --tests set,get --pipelines 1,16 --shards 2 --repeat 3 --write
 *   npm run bench -- --fsync always --write     appendfsync always (section throughput-fsync-always)
 *   npm run bench -- --clients 200 --write      -c 200 (section throughput-c200)
 *   npm run bench -- latency [...]     latency percentiles (bench/latency.ts)
 *   npm run bench -- isolation [...]   GET latency beside KEYS/SUNION/HGETALL (bench/isolation.ts)
 *   npm run bench -- txn [...]         MULTI + 10 SET + EXEC on one shard (bench/txn.ts)
 *   npm run bench -- pubsub [...]      PUBLISH to 1 and 100 subscribers (bench/pubsub.ts)
 *   npm run bench -- twemproxy [...]   SET/GET through nutcracker over 3 nodes (bench/twemproxy.ts)
 *   npm run bench -- failover [...]    kill -9 of a master under redis-sentinel (bench/failover.ts)
 *
 * Each server is started on a free port with its data in a temp directory and its output in a log
 * file there, gets 100,000 keys pre-populated (the keyspace that `-r 100000` draws from, so GET reads
 * existing keys), runs every test, and is stopped before the next server starts: the machine has two
 * cores and the servers never run a load at the same time.
 *
 * Besides ops/s it reports the CPU each server thread spent per request (bench/cpu.ts): on a
 * machine whose cores the load generator shares, that says which thread bounds each load.
 */
import {
  fmtOps,
  throughputSection,
  fmtRatio,
  intList,
  machineInfo,
  machineLine,
  markdownTable,
  median,
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
import { cpuBetween, threadCpu, type CpuSplit } from './cpu.js';
import { DATA_SIZE, DEFAULT_TESTS, KEYSPACE, runBenchmark } from './redis-benchmark.js';
import path from 'node:path';
import {
  isInterrupted,
  makeRunDir,
  removeRunDir,
  startFloor,
  startRedis,
  startRespdb,
  stopAll,
  fsType,
  FSYNC_MODES,
  type BenchServer,
  type FsyncMode,
  runIfMain,
} from './servers.js';

const USAGE = `usage: npm run bench -- [options]
       npm run bench -- latency [options]     (see: npm run bench -- latency --help)
       npm run bench -- isolation [options]   (see: npm run bench -- isolation --help)
       npm run bench -- txn [options]         (see: npm run bench -- txn --help)
       npm run bench -- pubsub [options]      (see: npm run bench -- pubsub --help)
       npm run bench -- rdb [options]         (see: npm run bench -- rdb --help)
       npm run bench -- replication [options] (see: npm run bench -- replication --help)
       npm run bench -- twemproxy [options]   (see: npm run bench -- twemproxy --help)
       npm run bench -- failover [options]    (see: npm run bench -- failover --help)

  --quick             -n 20000 instead of 200000 (smoke run)
  --requests N        -n N (requests per redis-benchmark run)
  --tests LIST        redis-benchmark tests, comma-separated (default set,get,incr,mset,lpush,rpop,sadd,spop,hset,zadd,lrange_100)
  --pipelines LIST    pipeline depths, comma-separated (default 1,16)
  --clients N         -c N (default 50)
  --fsync MODE        always|everysec: respdb --appendfsync MODE and redis AOF --appendfsync MODE
                      (default everysec; redis without persistence is unchanged)
  --shards N          respdb --shards N (default: respdb's default)
  --repeat N          N rounds over all servers (each restarted); report each cell's median (default 1)
  --servers LIST      which servers: respdb,redis-nopersist,redis-aof,floor (default all four;
                      floor: bench/floor.ts, one Node event loop answering from memory)
  --keep-logs         keep the server logs ($TMPDIR/respdb-bench-*) even after a clean run
  --write             write the table to bench/RESULTS.md, in the section of this configuration:
                      "throughput" (everysec, 50 clients), "throughput-fsync-always",
                      "throughput-c200" (-c 200), "throughput-fsync-always-c200", ...
`;

const SERVER_KEYS = ['respdb', 'redis-nopersist', 'redis-aof', 'floor'] as const;
type ServerKey = (typeof SERVER_KEYS)[number];

/** Column titles; the persistent servers name their appendfsync policy. */
function serverTitles(fsync: FsyncMode): Record<ServerKey, string> {
  return {
    respdb: `respdb (appendfsync ${fsync})`,
    'redis-nopersist': 'redis (no persistence)',
    'redis-aof': `redis (AOF ${fsync})`,
    floor: 'floor (one Node loop, in memory)',
  };
}

/** "appendfsync always, 200 clients" */
function configText(o: { fsync: FsyncMode; clients: number }): string {
  return `appendfsync ${o.fsync}, ${o.clients} client${o.clients === 1 ? '' : 's'}`;
}

/** Section heading: the default configuration keeps its historical title. */
function sectionHeading(o: { fsync: FsyncMode; clients: number }): string {
  const parts: string[] = [];
  if (o.fsync !== 'everysec') parts.push(`appendfsync ${o.fsync}`);
  if (o.clients !== 50) parts.push(`${o.clients} clients`);
  return parts.length ? `## Throughput, ${parts.join(', ')}` : '## Throughput (redis-benchmark)';
}


interface Options {
  requests: number;
  quick: boolean;
  tests: string[];
  pipelines: number[];
  clients: number;
  fsync: FsyncMode;
  shards?: number;
  repeat: number;
  servers: ServerKey[];
  write: boolean;
  keepLogs: boolean;
}

function parseArgs(argv: string[]): Options {
  const o: Options = {
    requests: 200000,
    quick: false,
    tests: [...DEFAULT_TESTS],
    pipelines: [1, 16],
    clients: 50,
    fsync: 'everysec',
    repeat: 1,
    servers: [...SERVER_KEYS],
    write: false,
    keepLogs: false,
  };
  let requestsGiven = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const name = a.split('=')[0];
    let v: string;
    switch (name) {
      case '--quick':
        o.quick = true;
        break;
      case '--write':
        o.write = true;
        break;
      case '--keep-logs':
        o.keepLogs = true;
        break;
      case '--requests':
      case '-n':
        [v, i] = takeValue(argv, i, name);
        o.requests = positiveInt(v, name);
        requestsGiven = true;
        break;
      case '--tests':
      case '-t':
        [v, i] = takeValue(argv, i, name);
        o.tests = v.toLowerCase().split(',').filter((x) => x !== '');
        for (const t of o.tests) if (!/^[a-z0-9_]+$/.test(t)) throw new UsageError(`--tests: bad test name '${t}'`);
        if (!o.tests.length) throw new UsageError('--tests: empty list');
        break;
      case '--pipelines':
      case '-P':
        [v, i] = takeValue(argv, i, name);
        o.pipelines = intList(v, name);
        break;
      case '--clients':
      case '-c':
        [v, i] = takeValue(argv, i, name);
        o.clients = positiveInt(v, name);
        break;
      case '--fsync':
        [v, i] = takeValue(argv, i, name);
        if (!(FSYNC_MODES as readonly string[]).includes(v)) throw new UsageError(`--fsync: expected ${FSYNC_MODES.join(' or ')}, got '${v}'`);
        o.fsync = v as FsyncMode;
        break;
      case '--shards':
        [v, i] = takeValue(argv, i, name);
        o.shards = positiveInt(v, name);
        break;
      case '--repeat':
        [v, i] = takeValue(argv, i, name);
        o.repeat = positiveInt(v, name);
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
  if (o.quick && !requestsGiven) o.requests = 20000;
  return o;
}

/** CPU per request in µs: the server's threads, redis-benchmark's, and the cores the server kept busy. */
interface CpuRun {
  server: CpuSplit;
  bench?: number;
  cores: number;
}

interface CellResult {
  label?: string;
  runs: number[];
  cpu: CpuRun[];
  error?: string;
}

// ------------------------------------------------------------------------------------------------
// main
// ------------------------------------------------------------------------------------------------

async function startServer(key: ServerKey, runDir: string, o: Options): Promise<BenchServer> {
  if (key === 'respdb') return startRespdb({ runDir, shards: o.shards, appendfsync: o.fsync });
  if (key === 'floor') return startFloor({ runDir });
  return startRedis({ runDir, mode: key === 'redis-aof' ? 'aof' : 'nopersist', appendfsync: o.fsync });
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** `npm run bench -- <name> ...`: the benchmarks with their own module. */
const SUB_BENCHES = new Map<string, string>([
  ['latency', './latency.js'],
  ['isolation', './isolation.js'],
  ['txn', './txn.js'],
  ['scripts', './scripts.js'],
  ['replication', './replication.js'],
  ['failover', './failover.js'],
  ['rdb', './rdb.js'],
  ['twemproxy', './twemproxy.js'],
  ['pubsub', './pubsub.js'],
  ['auth', './auth.js'],
]);

export async function main(argv: string[]): Promise<number> {
  const sub = SUB_BENCHES.get(argv[0]);
  if (sub !== undefined) {
    const bench = (await import(sub)) as { main(argv: string[]): Promise<number> };
    return bench.main(argv.slice(1));
  }
  const o = parseOrUsage(argv, parseArgs, 'bench', USAGE);
  if (o === null) return 2;

  const machine = machineInfo();
  const started = new Date();
  const runDir = makeRunDir();
  const dataFs = fsType(runDir);
  const SERVER_TITLES = serverTitles(o.fsync);
  const log = (s: string) => process.stdout.write(s + '\n');
  log(`machine: ${machineLine(machine)}`);
  log(`config: ${configText(o)} (respdb --appendfsync ${o.fsync}, redis AOF --appendfsync ${o.fsync}); ` +
      `data on ${dataFs}`);
  log(`load: redis-benchmark -c ${o.clients} -n ${o.requests} -d ${DATA_SIZE} -r ${KEYSPACE} -t <test> -P <p> --csv; ` +
      `tests ${o.tests.join(',')}; pipelines ${o.pipelines.join(',')}; ${o.repeat} run(s) per cell`);
  log(`server logs: ${runDir}`);

  // results[server][test][pipeline]
  const results = new Map<ServerKey, Map<string, CellResult>>();
  const cellKey = (t: string, p: number) => `${t}\0${p}`;
  let respdbShards: number | undefined;

  for (const key of o.servers) {
    const cells = new Map<string, CellResult>();
    for (const t of o.tests) for (const p of o.pipelines) cells.set(cellKey(t, p), { runs: [], cpu: [] });
    results.set(key, cells);
  }
  // Round r runs every server once, one after the other, each freshly started; with --repeat the
  // rounds spread the machine's noise over all servers and each cell reports the median.
  for (let round = 1; round <= o.repeat; round++) {
    for (const key of o.servers) {
      if (isInterrupted()) break;
      log(`\n== ${SERVER_TITLES[key]}${o.repeat > 1 ? ` (round ${round} of ${o.repeat})` : ''}`);
      const cells = results.get(key)!;
      let srv: BenchServer;
      try {
        srv = await startServer(key, runDir, o);
      } catch (e) {
        log(`   could not start: ${(e as Error).message}`);
        for (const c of cells.values()) c.error ??= 'server did not start';
        continue;
      }
      if (srv.shards !== undefined) respdbShards = srv.shards;
      log(`   ${srv.commandLine}  (pid ${srv.pid}${srv.shards !== undefined ? `, ${srv.shards} shards` : ''})`);
      try {
        const t0 = Date.now();
        await populate(srv.port, KEYSPACE, DATA_SIZE);
        log(`   populated ${KEYSPACE} keys in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
      } catch (e) {
        log(`   populate failed: ${(e as Error).message}`);
      }
      for (const t of o.tests) {
        for (const p of o.pipelines) {
          const cell = cells.get(cellKey(t, p))!;
          if (cell.error || isInterrupted()) continue;
          if (!srv.alive()) {
            cell.error = `server exited (see ${srv.logPath})`;
            continue;
          }
          await sleep(500); // let the previous run's connections and background work settle
          const before = threadCpu(srv.pid);
          const res = await runBenchmark(srv.port, t, p, o, path.join(runDir, 'bench-time.txt'));
          const after = threadCpu(srv.pid);
          if (isInterrupted()) break;
          if (res.error) {
            cell.error = srv.alive() ? res.error : `server exited (see ${srv.logPath})`;
            log(`   ${t.toUpperCase()} -P ${p}: ERROR ${cell.error}`);
          } else {
            cell.label = res.row!.test;
            cell.runs.push(res.row!.rps);
            // (CPU of a run with a prefill pass is not one test's cost: left out)
            if (before.size && after.size && !res.prefilled) {
              const n = o.requests;
              const split = cpuBetween(srv.pid, before, after, srv.shards ?? 0);
              const perReq = (v: number) => (v / n) * 1e6;
              cell.cpu.push({
                server: { main: perReq(split.main), workers: perReq(split.workers), other: perReq(split.other), total: perReq(split.total) },
                bench: res.benchCpu === undefined ? undefined : perReq(res.benchCpu),
                cores: split.total / (n / res.row!.rps),
              });
            }
            log(`   ${res.row!.test} -P ${p}: ${fmtOps(res.row!.rps)} ops/s` +
                (res.row!.p50ms !== undefined ? `  (p50 ${res.row!.p50ms} ms, p99 ${res.row!.p99ms} ms)` : ''));
          }
        }
      }
      await srv.stop();
    }
  }
  await stopAll();
  if (isInterrupted()) return 130;

  // ---- table
  const header = [
    'load',
    ...SERVER_KEYS.map((k) => `${SERVER_TITLES[k]} ops/s`),
    'ratio respdb/redis-nopersist',
    `ratio respdb/redis-aof-${o.fsync}`,
    'ratio respdb/floor',
  ];
  const rows: string[][] = [];
  const errors: string[] = [];
  for (const t of o.tests) {
    for (const p of o.pipelines) {
      const cells = SERVER_KEYS.map((k) => results.get(k)?.get(cellKey(t, p)));
      const label = cells.find((c) => c?.label)?.label ?? t.toUpperCase();
      const value = (c: CellResult | undefined) => (c && !c.error && c.runs.length ? median(c.runs) : undefined);
      const vals = cells.map(value);
      cells.forEach((c, i) => {
        if (c?.error) errors.push(`${SERVER_TITLES[SERVER_KEYS[i]]}, ${label} -P ${p}: ${c.error}`);
      });
      const respdb = vals[SERVER_KEYS.indexOf('respdb')];
      rows.push([
        `${label} -P ${p}`,
        ...cells.map((c, i) => (c?.error ? 'error' : vals[i] === undefined ? '-' : fmtOps(vals[i]!))),
        ...(['redis-nopersist', 'redis-aof', 'floor'] as const).map((k) => fmtRatio(respdb, vals[SERVER_KEYS.indexOf(k)])),
      ]);
    }
  }
  const table = markdownTable(header, rows, [false, ...header.slice(1).map(() => true)]);
  log(`\nThroughput, ${configText(o)}:\n\n` + table);
  // with --repeat: every round's figure, so the spread (the machine's noise) is visible
  let roundsTable = '';
  if (o.repeat > 1) {
    const rrows: string[][] = [];
    for (const t of o.tests) {
      for (const p of o.pipelines) {
        const cells = SERVER_KEYS.map((k) => results.get(k)?.get(cellKey(t, p)));
        const label = cells.find((c) => c?.label)?.label ?? t.toUpperCase();
        rrows.push([`${label} -P ${p}`, ...cells.map((c) => (c && c.runs.length ? c.runs.map(fmtOps).join(' / ') : c?.error ? 'error' : '-'))]);
      }
    }
    roundsTable = markdownTable(['load', ...SERVER_KEYS.map((k) => `${SERVER_TITLES[k]} ops/s, rounds 1..${o.repeat}`)], rrows);
    log('\n' + roundsTable);
  }
  // CPU per request, one row per load and server: where the time goes on a machine whose cores
  // the load generator shares
  const cpuRows: string[][] = [];
  const us = (v: number | undefined) => (v === undefined ? '-' : v.toFixed(2));
  const med = (xs: (number | undefined)[]) => {
    const v = xs.filter((x): x is number => x !== undefined);
    return v.length ? median(v) : undefined;
  };
  for (const t of o.tests) {
    for (const p of o.pipelines) {
      const cells = SERVER_KEYS.map((k) => results.get(k)?.get(cellKey(t, p)));
      const label = cells.find((c) => c?.label)?.label ?? t.toUpperCase();
      cells.forEach((c, i) => {
        if (!c?.cpu.length) return;
        const cpu = c.cpu;
        const key = SERVER_KEYS[i];
        cpuRows.push([
          `${label} -P ${p}`,
          key,
          us(med(cpu.map((r) => r.server.main))),
          key === 'respdb' ? us(med(cpu.map((r) => r.server.workers))) : '',
          us(med(cpu.map((r) => r.server.other))),
          us(med(cpu.map((r) => r.server.total))),
          us(med(cpu.map((r) => r.cores))),
          us(med(cpu.map((r) => r.bench))),
        ]);
      });
    }
  }
  const cpuHeader = ['load', 'server', 'main thread µs/req', 'shards µs/req', 'other threads µs/req', 'total µs/req', 'cores busy', 'redis-benchmark µs/req'];
  const cpuTable = cpuRows.length ? markdownTable(cpuHeader, cpuRows, [false, false, ...cpuHeader.slice(2).map(() => true)]) : '';
  if (cpuTable) log('\nCPU per request (medians; /proc thread times over each run):\n\n' + cpuTable);
  if (errors.length) log('\nerrors:\n' + errors.map((e) => `  - ${e}`).join('\n'));

  if (o.write) {
    const cmd = reproduceCommand(argv);
    const shardsText = respdbShards !== undefined ? `${respdbShards} shard${respdbShards === 1 ? '' : 's'}` : 'default shards';
    const section = throughputSection(o.fsync, o.clients);
    const body = [
      sectionHeading(o),
      '',
      `- Configuration: ${configText(o)} (\`--fsync ${o.fsync}\`, \`-c ${o.clients}\`): ` +
        `respdb and redis with AOF both use \`appendfsync ${o.fsync}\`; redis-benchmark opens ${o.clients} connections.`,
      `- Date: ${started.toISOString()}`,
      `- Machine: ${machineLine(machine)}`,
      `- Reproduce: \`${cmd}\` (after \`npx tsc -p .\`)`,
      `- Load: \`redis-benchmark -h 127.0.0.1 -p PORT -c ${o.clients} -n ${o.requests} -d ${DATA_SIZE} -r ${KEYSPACE} -t TEST -P PIPELINE --csv\`, ` +
        `one server at a time (each server is started, runs every test, and is stopped before the next one starts); ` +
        `${o.repeat === 1 ? 'one run per cell' : `median of ${o.repeat} rounds per cell (each round starts every server afresh, in turn)`}.`,
      `- ${SERVER_TITLES.respdb}: \`node dist/bin/respdb.js --port PORT --dir TMPDIR --appendfsync ${o.fsync}${o.shards ? ` --shards ${o.shards}` : ''}\` (${shardsText}).`,
      `- ${SERVER_TITLES['redis-nopersist']}: \`redis-server --port PORT --save '' --appendonly no\`.`,
      `- ${SERVER_TITLES['redis-aof']}: \`redis-server --port PORT --appendonly yes --appendfsync ${o.fsync} --save ''\`.`,
      `- ${SERVER_TITLES.floor}: \`node dist/bench/floor.js --port PORT\` (bench/floor.ts): one Node event loop that frames ` +
        'RESP and answers from JS Maps, without persistence; what one Node loop costs at the least on this load.',
      `- Data directories (respdb's LMDB environments, redis's AOF) in the system temp dir, on ${dataFs}.`,
      `- Before its first test each server gets the ${fmtOps(KEYSPACE)} keys \`key:000000000000\`…\`key:${String(KEYSPACE - 1).padStart(12, '0')}\` ` +
        `(${DATA_SIZE}-byte values) that \`-r ${KEYSPACE}\` draws from, so GET reads existing keys.`,
      '',
      table,
      '',
      ...(roundsTable ? ['Every round (the table above shows the median of these):', '', roundsTable, ''] : []),
      ...(cpuTable
        ? ['CPU per request (median over the rounds): each server thread\'s user + system time from ' +
            '/proc/PID/task/*/stat over the run, divided by the requests; "cores busy" is the server\'s CPU time ' +
            'divided by the run\'s duration; redis-benchmark\'s own CPU comes from GNU time. The main thread is the ' +
            'one whose tid is the pid; respdb\'s shards are its busiest threads after the main one; "other" is every ' +
            'other thread (respdb: V8\'s GC and compiler threads and the libuv pool running LMDB syncs; redis: its ' +
            'bio threads, where appendfsync everysec\'s fsync runs; the floor: V8\'s GC and compiler threads).', '', cpuTable, '']
        : []),
      ...(errors.length ? ['Errors:', '', ...errors.map((e) => `- ${e}`), ''] : []),
      'Notes:',
      '',
      '- ops/s is requests (commands) per second as redis-benchmark reports it; one MSET request writes 10 keys.',
      ...(o.fsync === 'always'
        ? ['- appendfsync always: respdb replies to a write only after the fsync of the batch it was committed in ' +
            '(group commit, docs/design.md); redis 7.0 fsyncs the AOF once per event-loop turn before sending that ' +
            'turn\'s replies. Both pay one fsync per batch, not per command, so deeper pipelines and more clients ' +
            'amortise it; reads (GET) do not fsync.']
        : []),
      '- The machine is shared and noisy: 2 cores for the server under test, its worker threads and ' +
        'redis-benchmark together, plus whatever else runs there (see the load average above), which takes ' +
        'CPU from whichever server is being measured at that moment. The same cell differs by ±30% or more ' +
        'between runs; compare the rounds. At -P 1 each request is a loopback round trip, so ' +
        'redis-benchmark\'s own CPU is a large part of every figure.',
    ].join('\n');
    writeSection(section, body);
    log(`\nwrote section "${section}" of ${RESULTS_PATH}`);
  }
  if (o.keepLogs || errors.length) log(`\nserver logs kept in ${runDir}`);
  else removeRunDir(runDir);
  // unsupported commands are reported in the table; a server that died or never started fails the run
  return errors.some((e) => /server (exited|did not start)/.test(e)) ? 1 : 0;
}

runIfMain(import.meta.url, 'bench', main);
