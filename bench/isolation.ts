/**
 * Isolation benchmark: do fast commands wait behind slow ones? GET latency with 50 clients at -P 1,
 * first alone ("idle"), then while one more connection runs `KEYS *`, `SUNION s1 s2` and
 * `HGETALL h` back to back ("slow"), for respdb and redis-server (AOF everysec), one server at a time.
 *
 *   npm run bench -- isolation                          1,000,000 keys, 10 s per phase
 *   npm run bench -- isolation --keys 100000 --duration 3
 *   npm run bench -- isolation --shards 4 --write
 *
 * Data per server: `keys` string keys `key:000000000000`... with 100-byte values (pipelined MSET of
 * 100 keys, 4 connections, 16 commands in flight each), two sets s1 and s2 of 100,000 members each,
 * half of them shared (SUNION: 150,000 members), and a hash h of 200,000 fields (pipelined SADD /
 * HSET of 1,000 members / fields). Once loaded, the server is left to settle (no AOF rewrite in
 * progress, its CPU quiet) before the phases start.
 *
 * The load generator is this process, arranged so that it is not what differs between servers:
 * - the GET clients run on the main thread: `clients` raw TCP connections, each sending a GET of a
 *   uniformly random existing key, waiting for the complete reply, recording write-to-reply time
 *   in an HDR histogram (hdr-histogram-js, ns, 3 significant digits), and sending the next (closed
 *   loop), for `duration` seconds; a 1 s unrecorded warm-up precedes the idle phase;
 * - the slow loop runs in a worker_thread with its own connection and event loop, so reading a
 *   ~20 MB KEYS reply cannot delay the GET clients' callbacks or their timestamps. Replies are not
 *   materialised: a streaming skipper walks the RESP headers chunk by chunk, jumps over bulk
 *   payloads and only counts elements (checked against the expected count) and notices the end;
 * - the main thread's event-loop delay (perf_hooks.monitorEventLoopDelay) and the CPU of the
 *   generator's threads and of the server (bench/cpu.ts) are reported per phase, so a stalled or
 *   saturated generator shows.
 */
import os from 'node:os';
import { isMainThread } from 'node:worker_threads';
import {
  fmtOps,
  fmtRatio,
  machineInfo,
  machineLine,
  markdownTable,
  pickList,
  positiveInt,
  reproduceCommand,
  takeValue,
  UsageError,
  parseOrUsage,
  writeSection,
  RESULTS_PATH,
} from './report.js';
import { BenchConn, benchKey, errorText } from './resp.js';
import { SLOW_COMMANDS, SlowLoop, type SlowStats } from './slow-loop.js';
import { closedLoop, randomKeyRequest, type LoadResult } from './closed-loop.js';
import { cpuBetween, threadCpu } from './cpu.js';
import { fsType, isInterrupted, makeRunDir, removeRunDir, startRedis, startRespdb, stopAll, whenInterrupted, type BenchServer, runIfMain } from './servers.js';

const USAGE = `usage: npm run bench -- isolation [options]

  GET latency (50 clients, -P 1) alone and while one more connection loops KEYS *, SUNION s1 s2,
  HGETALL h; respdb and redis-server (AOF everysec), one at a time. Target: respdb's GET p99 under
  the slow load at most ${'2'}x its idle p99.

  --duration S       seconds per phase (idle, slow) (default 10)
  --keys N           string keys loaded (default 1000000)
  --clients N        GET connections, one request in flight each (default 50)
  --shards N         respdb --shards N (default: respdb's default)
  --servers LIST     respdb,redis-aof,redis-nopersist (default respdb,redis-aof)
  --keep-logs        keep the server logs ($TMPDIR/respdb-bench-*) even after a clean run
  --write            write the tables to bench/RESULTS.md (section "isolation")
  --note TEXT        a line added to the written section (e.g. which respdb build was measured)
`;

const SERVER_KEYS = ['respdb', 'redis-aof', 'redis-nopersist'] as const;
type ServerKey = (typeof SERVER_KEYS)[number];
const SERVER_TITLES: Record<ServerKey, string> = {
  respdb: 'respdb (appendfsync everysec)',
  'redis-aof': 'redis (AOF everysec)',
  'redis-nopersist': 'redis (no persistence)',
};

const DATA_SIZE = 100;
const SET_SIZE = 100000;
const HASH_SIZE = 200000;
/** s1 = members [0, SET_SIZE), s2 = [SET_SIZE/2, SET_SIZE*3/2): half shared */
const SUNION_SIZE = SET_SIZE + SET_SIZE / 2;
const TARGET_RATIO = 2;
/** names in the ratio table: respdb_p99_slow / respdb_p99_idle, redis_p99_slow / ... */
const RATIO_NAMES: Record<ServerKey, string> = { respdb: 'respdb', 'redis-aof': 'redis', 'redis-nopersist': 'redis_nopersist' };
const WARMUP_MS = 1000;

const LOAD_CONNS = 4;
const LOAD_WINDOW = 16;
const MSET_KEYS = 100;
const COLL_BATCH = 1000;

interface Options {
  durationMs: number;
  keys: number;
  clients: number;
  shards?: number;
  servers: ServerKey[];
  write: boolean;
  keepLogs: boolean;
  note?: string;
}

function parseArgs(argv: string[]): Options {
  const o: Options = { durationMs: 10000, keys: 1000000, clients: 50, servers: ['respdb', 'redis-aof'], write: false, keepLogs: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const name = a.split('=')[0];
    let v: string;
    switch (name) {
      case '--write':
        o.write = true;
        break;
      case '--keep-logs':
        o.keepLogs = true;
        break;
      case '--duration':
      case '-d': {
        [v, i] = takeValue(argv, i, name);
        const s = Number(v);
        if (!/^[0-9]+(\.[0-9]+)?$/.test(v) || !(s > 0)) throw new UsageError(`${name}: expected a positive number of seconds, got '${v}'`);
        o.durationMs = Math.round(s * 1000);
        break;
      }
      case '--keys':
      case '-n':
        [v, i] = takeValue(argv, i, name);
        o.keys = positiveInt(v, name);
        break;
      case '--clients':
      case '-c':
        [v, i] = takeValue(argv, i, name);
        o.clients = positiveInt(v, name);
        break;
      case '--shards':
        [v, i] = takeValue(argv, i, name);
        o.shards = positiveInt(v, name);
        break;
      case '--servers':
        [v, i] = takeValue(argv, i, name);
        o.servers = pickList(v, name, SERVER_KEYS);
        break;
      case '--note':
        [v, i] = takeValue(argv, i, name);
        o.note = v;
        break;
      case '--help':
      case '-h':
        process.stdout.write(USAGE);
        process.exit(0);
        break;
      default:
        throw new UsageError(`unknown option '${a}'`);
    }
  }
  return o;
}

/** argv without `--note TEXT` (the reproduce command) */
function withoutNote(argv: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--note') i++;
    else if (!argv[i].startsWith('--note=')) out.push(argv[i]);
  }
  return out;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const fmtMs = (ns: number) => (ns / 1e6).toFixed(3);
const secs = (ms: number) => (ms / 1000).toFixed(1);
const pad9 = (i: number) => String(i).padStart(9, '0');

// ------------------------------------------------------------------------------------------------
// Loading
// ------------------------------------------------------------------------------------------------

/**
 * Sends `total` commands built by `make(i)` over `conns` connections, each keeping up to `window`
 * commands in flight; throws on the first error reply.
 */
async function pipelined(port: number, total: number, make: (i: number) => Buffer[], conns: number, window: number): Promise<void> {
  let next = 0;
  const one = async () => {
    const c = await BenchConn.connect(port);
    try {
      while (next < total && !isInterrupted()) {
        const pending: Promise<Buffer>[] = [];
        while (pending.length < window && next < total) pending.push(c.send(make(next++)));
        for (const r of await Promise.all(pending)) {
          const err = errorText(r, 0, r.length);
          if (err !== null) throw new Error(`load: ${err}`);
        }
      }
    } finally {
      c.close();
    }
  };
  await Promise.all(Array.from({ length: Math.min(conns, total) }, one));
  if (isInterrupted()) throw new Error('interrupted');
}

/** Strings with MSET; returns the time it took in ms. */
async function loadStrings(port: number, keys: number): Promise<number> {
  const value = Buffer.alloc(DATA_SIZE, 'x');
  const t0 = performance.now();
  await pipelined(
    port,
    Math.ceil(keys / MSET_KEYS),
    (c) => {
      const args: Buffer[] = [Buffer.from('MSET')];
      for (let k = c * MSET_KEYS; k < Math.min(keys, (c + 1) * MSET_KEYS); k++) args.push(Buffer.from(benchKey(k), 'latin1'), value);
      return args;
    },
    LOAD_CONNS,
    LOAD_WINDOW,
  );
  return performance.now() - t0;
}

/** s1, s2 (SADD) and h (HSET); returns the time it took in ms. */
async function loadCollections(port: number): Promise<number> {
  const t0 = performance.now();
  const setBatches = SET_SIZE / COLL_BATCH;
  const hashBatches = HASH_SIZE / COLL_BATCH;
  await pipelined(
    port,
    2 * setBatches + hashBatches,
    (c) => {
      if (c < 2 * setBatches) {
        const which = c < setBatches ? 0 : 1;
        const from = (c % setBatches) * COLL_BATCH + (which * SET_SIZE) / 2;
        const args: Buffer[] = [Buffer.from('SADD'), Buffer.from(which ? 's2' : 's1')];
        for (let m = from; m < from + COLL_BATCH; m++) args.push(Buffer.from(`m:${pad9(m)}`));
        return args;
      }
      const from = (c - 2 * setBatches) * COLL_BATCH;
      const args: Buffer[] = [Buffer.from('HSET'), Buffer.from('h')];
      for (let f = from; f < from + COLL_BATCH; f++) args.push(Buffer.from(`f:${pad9(f)}`), Buffer.from(`v:${pad9(f)}`));
      return args;
    },
    LOAD_CONNS,
    LOAD_WINDOW,
  );
  return performance.now() - t0;
}

function intReply(r: Buffer): number {
  if (r[0] !== 0x3a) throw new Error(`expected an integer reply, got ${JSON.stringify(r.toString('latin1', 0, 80))}`);
  return Number(r.toString('latin1', 1, r.length - 2));
}

/** DBSIZE, SCARD, HLEN as expected after loading. */
async function checkLoaded(port: number, keys: number): Promise<void> {
  const c = await BenchConn.connect(port);
  try {
    const [dbsize, s1, s2, h] = await Promise.all([c.send(['DBSIZE']), c.send(['SCARD', 's1']), c.send(['SCARD', 's2']), c.send(['HLEN', 'h'])]);
    const got = [intReply(dbsize), intReply(s1), intReply(s2), intReply(h)];
    const want = [keys + 3, SET_SIZE, SET_SIZE, HASH_SIZE];
    if (got.some((g, i) => g !== want[i])) throw new Error(`after loading: DBSIZE/SCARD s1/SCARD s2/HLEN h = ${got.join('/')}, expected ${want.join('/')}`);
  } finally {
    c.close();
  }
}

/**
 * Waits until the server has no AOF rewrite / RDB save in progress or scheduled (INFO persistence)
 * and its own CPU stays under 10% of a core for 1 s (max 120 s); returns the wait in ms.
 */
async function settle(srv: BenchServer): Promise<number> {
  const t0 = Date.now();
  const c = await BenchConn.connect(srv.port);
  try {
    while (Date.now() - t0 < 120000 && !isInterrupted()) {
      const info = (await c.send(['INFO', 'persistence'])).toString('latin1');
      const busy = /(aof_rewrite_in_progress|aof_rewrite_scheduled|rdb_bgsave_in_progress):1/.test(info);
      const before = threadCpu(srv.pid);
      await sleep(1000);
      const after = threadCpu(srv.pid);
      const cpu = cpuBetween(srv.pid, before, after, 0).total;
      if (!busy && cpu < 0.1) break;
    }
  } finally {
    c.close();
  }
  return Date.now() - t0;
}

// ------------------------------------------------------------------------------------------------
// GET load (main thread)
// ------------------------------------------------------------------------------------------------

/**
 * `clients` connections, one GET of a random loaded key in flight each, for `durationMs`; records
 * every reply's latency when `record`.
 */
function runGets(port: number, keys: number, clients: number, durationMs: number, record: boolean): Promise<LoadResult> {
  return closedLoop({ port, clients, makeRequest: randomKeyRequest('*2\r\n$3\r\nGET\r\n$16\r\n', '\r\n', keys), durationMs, record });
}

// ------------------------------------------------------------------------------------------------
// main
// ------------------------------------------------------------------------------------------------

interface Phase {
  p50: number;
  p99: number;
  p999: number;
  max: number;
  mean: number;
  opsPerSec: number;
  completed: number;
  misses: number;
  loopP99: number;
  loopMax: number;
  /** cores kept busy over the phase: generator main thread, generator's other threads, server */
  genMain: number;
  genOther: number;
  server: number;
}

interface ServerResult {
  loadMs?: number;
  collMs?: number;
  settleMs?: number;
  idle?: Phase;
  slow?: Phase;
  slowStats?: SlowStats;
  error?: string;
}

async function measurePhase(srv: BenchServer, o: Options, slow: SlowLoop | null): Promise<{ phase?: Phase; stats?: SlowStats; error?: string }> {
  const genBefore = threadCpu(process.pid);
  const srvBefore = threadCpu(srv.pid);
  const t0 = performance.now();
  if (slow) await slow.start();
  const r = await runGets(srv.port, o.keys, o.clients, o.durationMs, true);
  // CPU sampled while the slow-loop thread still exists (a thread that ended leaves /proc)
  const genAfter = threadCpu(process.pid);
  const srvAfter = threadCpu(srv.pid);
  const wall = (performance.now() - t0) / 1000;
  // then stop the slow loop; its in-flight command may take a while to end
  const stats = slow ? await slow.stop(Math.max(60000, o.durationMs * 3)) : undefined;
  const gen = cpuBetween(process.pid, genBefore, genAfter, 0);
  const srvCpu = cpuBetween(srv.pid, srvBefore, srvAfter, 0);
  if (r.error) return { error: srv.alive() ? r.error : `server exited (see ${srv.logPath})`, stats };
  const h = r.hist;
  return {
    stats,
    phase: {
      p50: h.getValueAtPercentile(50),
      p99: h.getValueAtPercentile(99),
      p999: h.getValueAtPercentile(99.9),
      max: h.maxValue,
      mean: h.mean,
      opsPerSec: (r.completed / r.elapsedMs) * 1000,
      completed: r.completed,
      misses: r.misses,
      loopP99: r.loopP99,
      loopMax: r.loopMax,
      genMain: gen.main / wall,
      genOther: (gen.total - gen.main) / wall,
      server: srvCpu.total / wall,
    },
  };
}

function phaseLine(p: Phase): string {
  return `p50 ${fmtMs(p.p50)} ms, p99 ${fmtMs(p.p99)} ms, p99.9 ${fmtMs(p.p999)} ms, max ${fmtMs(p.max)} ms, ` +
    `${fmtOps(p.opsPerSec)} GET/s${p.misses ? ` (${p.misses} misses!)` : ''}; ` +
    `generator event-loop delay p99 ${fmtMs(p.loopP99)} ms; cores busy: generator main ${p.genMain.toFixed(2)}, ` +
    `generator other threads ${p.genOther.toFixed(2)}, server ${p.server.toFixed(2)}`;
}

function slowLine(s: SlowStats): string {
  const parts = SLOW_COMMANDS.map((c, i) =>
    `${c.name} ×${s.counts[i]}${s.counts[i] ? ` (avg ${fmtMs(s.totalNs[i] / s.counts[i])} ms, max ${fmtMs(s.maxNs[i])} ms)` : ''}`);
  const f = s.inFlight;
  if (f) parts.push(`${SLOW_COMMANDS[f.cmd].name} in flight at the end (${fmtMs(f.atStopNs)} ms in` +
    (f.totalNs !== undefined ? `, finished after ${fmtMs(f.totalNs)} ms)` : ', did not finish)'));
  return parts.join('; ');
}

async function benchServer(key: ServerKey, runDir: string, o: Options, log: (s: string) => void, info: { shards?: number }): Promise<ServerResult> {
  const res: ServerResult = {};
  let srv: BenchServer;
  try {
    srv = key === 'respdb' ? await startRespdb({ runDir, shards: o.shards }) : await startRedis({ runDir, mode: key === 'redis-aof' ? 'aof' : 'nopersist' });
  } catch (e) {
    log(`   could not start: ${(e as Error).message}`);
    return { error: 'server did not start' };
  }
  if (srv.shards !== undefined) info.shards = srv.shards;
  log(`   ${srv.commandLine}  (pid ${srv.pid}${srv.shards !== undefined ? `, ${srv.shards} shards` : ''}); load average ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}`);
  try {
    res.loadMs = await loadStrings(srv.port, o.keys);
    log(`   loaded ${fmtOps(o.keys)} keys in ${secs(res.loadMs)} s (${fmtOps((o.keys / res.loadMs) * 1000)} keys/s; MSET of ${MSET_KEYS}, ` +
        `${LOAD_CONNS} connections x ${LOAD_WINDOW} in flight)`);
    res.collMs = await loadCollections(srv.port);
    log(`   loaded s1, s2 (${fmtOps(SET_SIZE)} members each, ${fmtOps(SET_SIZE / 2)} shared) and h (${fmtOps(HASH_SIZE)} fields) in ${secs(res.collMs)} s`);
    await checkLoaded(srv.port, o.keys);
    res.settleMs = await settle(srv);
    log(`   settled in ${secs(res.settleMs)} s (no AOF rewrite / save running, server CPU < 10%)`);
    if (isInterrupted()) throw new Error('interrupted');

    await runGets(srv.port, o.keys, o.clients, WARMUP_MS, false);
    const idle = await measurePhase(srv, o, null);
    if (idle.error) throw new Error(`idle phase: ${idle.error}`);
    res.idle = idle.phase;
    log(`   idle: ${phaseLine(res.idle!)}`);
    if (isInterrupted()) throw new Error('interrupted');
    await sleep(500);

    const slow = new SlowLoop(srv.port, [o.keys + 3, SUNION_SIZE, 2 * HASH_SIZE]);
    whenInterrupted(() => void slow.terminate());
    const sp = await measurePhase(srv, o, slow);
    res.slowStats = sp.stats;
    if (sp.stats) log(`   slow loop: ${slowLine(sp.stats)}`);
    if (sp.error) throw new Error(`slow phase: ${sp.error}`);
    if (sp.stats?.error) throw new Error(`slow loop: ${sp.stats.error}`);
    res.slow = sp.phase;
    log(`   slow: ${phaseLine(res.slow!)}`);
  } catch (e) {
    res.error = srv.alive() ? (e as Error).message : `server exited (see ${srv.logPath})`;
    log(`   ERROR ${res.error}`);
  } finally {
    await srv.stop();
  }
  return res;
}

export async function main(argv: string[]): Promise<number> {
  const o = parseOrUsage(argv, parseArgs, 'bench isolation', USAGE);
  if (o === null) return 2;
  const machine = machineInfo();
  const started = new Date();
  const runDir = makeRunDir();
  const dataFs = fsType(runDir);
  const log = (s: string) => process.stdout.write(s + '\n');
  const dur = secs(o.durationMs);
  log(`machine: ${machineLine(machine)}`);
  log(`data: ${fmtOps(o.keys)} keys x ${DATA_SIZE} B, sets s1/s2 ${fmtOps(SET_SIZE)} members (half shared), hash h ${fmtOps(HASH_SIZE)} fields; data on ${dataFs}`);
  log(`load: ${o.clients} GET connections x 1 in flight (main thread), ${dur} s idle, then ${dur} s with one more connection ` +
      `looping ${SLOW_COMMANDS.map((c) => c.name).join(', ')} (worker thread)`);
  log(`server logs: ${runDir}`);

  const results = new Map<ServerKey, ServerResult>();
  const info: { shards?: number } = {};
  for (const key of o.servers) {
    if (isInterrupted()) break;
    log(`\n== ${SERVER_TITLES[key]}`);
    results.set(key, await benchServer(key, runDir, o, log, info));
  }
  await stopAll();
  if (isInterrupted()) return 130;

  // ---- tables
  const tables: string[] = [];
  for (const key of o.servers) {
    const r = results.get(key)!;
    const row = (name: string, p?: Phase) =>
      p
        ? [name, fmtMs(p.p50), fmtMs(p.p99), fmtMs(p.p999), fmtMs(p.max), fmtOps(p.opsPerSec), fmtMs(p.loopP99), p.genMain.toFixed(2), p.genOther.toFixed(2), p.server.toFixed(2)]
        : [name, 'error', '', '', '', '', '', '', '', ''];
    const t = markdownTable(
      ['GET load', 'p50 ms', 'p99 ms', 'p99.9 ms', 'max ms', 'GET ops/s', 'generator loop delay p99 ms', 'generator main cores', 'generator other cores', 'server cores'],
      [row('idle', r.idle), row('with slow loop', r.slow)],
      [false, true, true, true, true, true, true, true, true, true],
    );
    tables.push(`**${SERVER_TITLES[key]}**${key === 'respdb' && info.shards !== undefined ? ` (${info.shards} shards)` : ''}` +
      (r.loadMs !== undefined ? `; loaded ${fmtOps(o.keys)} keys in ${secs(r.loadMs)} s, sets and hash in ${secs(r.collMs ?? 0)} s` : '') + '\n\n' + t);
  }
  const slowRows = o.servers.map((key) => {
    const s = results.get(key)!.slowStats;
    if (!s) return [SERVER_TITLES[key], ...SLOW_COMMANDS.map(() => '-'), '-'];
    const f = s.inFlight;
    return [
      SERVER_TITLES[key],
      ...SLOW_COMMANDS.map((_, i) => (s.counts[i] ? `${s.counts[i]} × ${fmtMs(s.totalNs[i] / s.counts[i])} ms` : '0')),
      f ? `${SLOW_COMMANDS[f.cmd].name}, ${fmtMs(f.atStopNs)} ms in` + (f.totalNs !== undefined ? ` (took ${fmtMs(f.totalNs)} ms)` : ' (did not finish)') : '-',
    ];
  });
  const slowTable = markdownTable(
    ['server', ...SLOW_COMMANDS.map((c) => `${c.name}: completed × avg`), 'in flight when the phase ended'],
    slowRows,
    [false, true, true, true, false],
  );
  const ratioRows = o.servers.map((key) => {
    const r = results.get(key)!;
    const ratio = r.idle && r.slow ? r.slow.p99 / r.idle.p99 : undefined;
    return [
      `${RATIO_NAMES[key]}_p99_slow / ${RATIO_NAMES[key]}_p99_idle`,
      r.idle ? fmtMs(r.idle.p99) : '-',
      r.slow ? fmtMs(r.slow.p99) : '-',
      fmtRatio(r.slow?.p99, r.idle?.p99),
      key === 'respdb' ? `≤ ${TARGET_RATIO.toFixed(2)}: ${ratio === undefined ? 'n/a' : ratio <= TARGET_RATIO ? 'met' : 'NOT met'}` : '(reference)',
    ];
  });
  const ratioTable = markdownTable(['ratio', 'p99 idle ms', 'p99 slow ms', 'ratio', 'target'], ratioRows, [false, true, true, true, false]);
  log('\n' + tables.join('\n\n'));
  log('\nSlow loop (one connection, back to back, during the slow phase):\n\n' + slowTable);
  log(`\nGET p99 under the slow loop vs idle (target: respdb ≤ ${TARGET_RATIO}× its idle p99):\n\n` + ratioTable);
  const errors = o.servers.filter((k) => results.get(k)!.error).map((k) => `${SERVER_TITLES[k]}: ${results.get(k)!.error}`);
  if (errors.length) log('\nerrors:\n' + errors.map((e) => `  - ${e}`).join('\n'));

  if (o.write) {
    const body = [
      '## Isolation: GET latency beside slow commands (bench/isolation.ts)',
      '',
      `- Date: ${started.toISOString()}`,
      `- Machine: ${machineLine(machine)}`,
      `- Reproduce: \`${reproduceCommand(['isolation', ...withoutNote(argv)])}\` (after \`npx tsc -p .\`)`,
      ...(o.note ? [`- Note: ${o.note}`] : []),
      `- Data: ${fmtOps(o.keys)} string keys \`key:000000000000\`… with ${DATA_SIZE}-byte values (pipelined MSET of ${MSET_KEYS} keys, ` +
        `${LOAD_CONNS} connections × ${LOAD_WINDOW} in flight), sets \`s1\` and \`s2\` of ${fmtOps(SET_SIZE)} members each, half shared, ` +
        `and a hash \`h\` of ${fmtOps(HASH_SIZE)} fields; each server waits after loading until no AOF rewrite runs and its CPU is quiet. Data on ${dataFs}.`,
      `- Load: ${o.clients} connections from one Node process, each with one GET of a random existing key in flight (-P 1), ` +
        `${dur} s "idle" (after a ${secs(WARMUP_MS)} s warm-up), then ${dur} s "with slow loop": one more connection sends \`KEYS *\`, ` +
        `\`SUNION s1 s2\`, \`HGETALL h\` back to back, reading every reply to its end. Latency is write-to-reply time per GET in an HDR ` +
        `histogram (hdr-histogram-js, 3 significant digits). One server at a time.`,
      `- Generator: the GET clients run on the main thread; the slow loop runs in a worker_thread with its own connection and ` +
        `event loop and walks its replies with a streaming RESP skipper (headers only, payloads jumped over, element counts checked), ` +
        `so a ~20 MB KEYS reply cannot delay the GET clients' callbacks or timestamps. "generator loop delay" is the main thread's ` +
        `event-loop delay (perf_hooks.monitorEventLoopDelay); "cores" are CPU seconds per wall second over the phase, from /proc.`,
      `- ${SERVER_TITLES.respdb}: \`node dist/bin/respdb.js --port PORT --dir TMPDIR --appendfsync everysec${o.shards ? ` --shards ${o.shards}` : ''}\`` +
        (info.shards !== undefined ? ` (${info.shards} shards)` : '') + '.',
      ...(o.servers.includes('redis-aof') ? [`- ${SERVER_TITLES['redis-aof']}: \`redis-server --port PORT --appendonly yes --appendfsync everysec --save ''\`.`] : []),
      ...(o.servers.includes('redis-nopersist') ? [`- ${SERVER_TITLES['redis-nopersist']}: \`redis-server --port PORT --save '' --appendonly no\`.`] : []),
      '',
      ...tables.flatMap((t) => [t, '']),
      'Slow loop, during the slow phase (completed commands × their average time; the one in flight when the GET phase ended is not counted):',
      '',
      slowTable,
      '',
      `GET p99 under the slow loop relative to idle. Target: respdb's GET p99 with the slow loop running ≤ ${TARGET_RATIO}× its idle p99.`,
      '',
      ratioTable,
      '',
      ...(errors.length ? ['Errors:', '', ...errors.map((e) => `- ${e}`), ''] : []),
      'Notes:',
      '',
      '- Closed loop: a GET stuck behind a slow command delays that connection\'s next request, so the tail is understated ' +
        'compared with an open-loop load (coordinated omission), for every server alike.',
      '- The generator (both its threads), the server and its threads share the same 2 cores: the slow loop\'s reply parsing ' +
        'takes CPU that the server and the GET clients then lack. Percentiles move by ±30% or more between runs.',
    ].join('\n');
    writeSection('isolation', body);
    log(`\nwrote section "isolation" of ${RESULTS_PATH}`);
  }
  const failed = errors.length > 0;
  if (o.keepLogs || failed) log(`\nserver logs kept in ${runDir}`);
  else removeRunDir(runDir);
  return failed ? 1 : 0;
}

if (isMainThread) runIfMain(import.meta.url, 'bench isolation', main);
