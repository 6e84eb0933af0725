/**
 * Pub/sub benchmark: PUBLISH to 1 and to 100 subscribers of one channel, respdb beside
 * redis-server (no persistence: PUBLISH writes nothing either way), in the same run, in
 * alternating rounds (round 1 respdb first, round 2 redis first, ...). redis-benchmark has no
 * subscriber, so this process is the load:
 *
 *   npm run bench -- pubsub                              1 and 100 subscribers, 3 rounds
 *   npm run bench -- pubsub --subscribers 1,10,100 --messages 200000 --rounds 5 --write
 *
 * - the subscribers (bench/pubsub-subscribers.ts) run in a worker thread: N connections SUBSCRIBE
 *   to the channel and count the bytes they receive;
 * - the publishers run on this thread: `publishers` connections, each keeping `pipeline` PUBLISH
 *   commands of a `payload`-byte message in flight (send them, await their replies, send the next
 *   ones), until `messages` messages are published (divided by sqrt(N) for N subscribers, so each
 *   load delivers a comparable volume);
 * - a load's time runs from the first PUBLISH to the moment every subscriber has received every
 *   message; it reports messages published per second, messages delivered per second, and the
 *   server's CPU per published message (bench/cpu.ts: main thread, and every thread).
 */
import {
  fmtOps,
  fmtRatio,
  intList,
  machineInfo,
  machineLine,
  markdownTable,
  median,
  positiveInt,
  reproduceCommand,
  takeValue,
  parseOrUsage,
  UsageError,
  writeSection,
  RESULTS_PATH,
} from './report.js';
import net from 'node:net';
import { encodeCommand } from './resp.js';
import { cpuBetween, threadCpu } from './cpu.js';
import { isInterrupted, makeRunDir, removeRunDir, startRedis, startRespdb, stopAll, type BenchServer, runIfMain } from './servers.js';
import { Subscribers } from './pubsub-subscribers.js';

const USAGE = `usage: npm run bench -- pubsub [options]

  PUBLISH to N subscribers of one channel, respdb and redis-server (no persistence) in
  alternating rounds. Target: respdb's rate with 100 subscribers at least 0.5 of redis's.

  --subscribers LIST  subscriber counts (default 1,100)
  --messages N        messages published with 1 subscriber; with N subscribers N/sqrt(N) (default 200000)
  --publishers N      publishing connections (default 4)
  --pipeline N        PUBLISH commands in flight per publisher (default 16)
  --payload N         message size in bytes (default 100)
  --rounds N          rounds over both servers, alternating which goes first (default 3)
  --shards N          respdb --shards N (default: respdb's default)
  --keep-logs         keep the server logs ($TMPDIR/respdb-bench-*) even after a clean run
  --write             write the tables to bench/RESULTS.md (section "pubsub")
`;

const CHANNEL = 'bench:channel';
const SERVERS = ['respdb', 'redis'] as const;
type ServerKey = (typeof SERVERS)[number];
const TITLES: Record<ServerKey, string> = { respdb: 'respdb', redis: 'redis (no persistence)' };

interface Options {
  subscribers: number[];
  messages: number;
  publishers: number;
  pipeline: number;
  payload: number;
  rounds: number;
  shards?: number;
  keepLogs: boolean;
  write: boolean;
}

function parseArgs(argv: string[]): Options {
  const o: Options = { subscribers: [1, 100], messages: 200000, publishers: 4, pipeline: 16, payload: 100, rounds: 3, keepLogs: false, write: false };
  for (let i = 0; i < argv.length; i++) {
    const name = argv[i].split('=')[0];
    let v: string;
    switch (name) {
      case '--subscribers':
        [v, i] = takeValue(argv, i, name);
        o.subscribers = intList(v, name);
        break;
      case '--messages':
        [v, i] = takeValue(argv, i, name);
        o.messages = positiveInt(v, name);
        break;
      case '--publishers':
        [v, i] = takeValue(argv, i, name);
        o.publishers = positiveInt(v, name);
        break;
      case '--pipeline':
        [v, i] = takeValue(argv, i, name);
        o.pipeline = positiveInt(v, name);
        break;
      case '--payload':
        [v, i] = takeValue(argv, i, name);
        o.payload = positiveInt(v, name);
        break;
      case '--rounds':
        [v, i] = takeValue(argv, i, name);
        o.rounds = positiveInt(v, name);
        break;
      case '--shards':
        [v, i] = takeValue(argv, i, name);
        o.shards = positiveInt(v, name);
        break;
      case '--keep-logs':
        o.keepLogs = true;
        break;
      case '--write':
        o.write = true;
        break;
      case '--help':
      case '-h':
        process.stdout.write(USAGE);
        process.exit(0);
        break;
      default:
        throw new UsageError(`unknown option '${argv[i]}'`);
    }
  }
  return o;
}

/** Messages published for a load with `subs` subscribers. */
function messagesFor(o: Options, subs: number): number {
  return Math.max(o.publishers * o.pipeline, Math.round(o.messages / Math.sqrt(subs)));
}

/** Size of one message frame as a RESP2 subscriber receives it. */
function frameSize(payload: number): number {
  const bulk = (n: number) => 1 + String(n).length + 2 + n + 2;
  return 4 + bulk(7) + bulk(CHANNEL.length) + bulk(payload);
}

function connect(port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1');
    s.once('error', reject);
    s.once('connect', () => {
      s.setNoDelay(true);
      resolve(s);
    });
  });
}

/**
 * One publisher: writes `take()` PUBLISH commands (pre-encoded) at once, waits for as many
 * replies (integer lines, each checked against `reply`), and goes on until `take()` gives 0.
 */
function publishLoop(sock: net.Socket, command: Buffer, reply: Buffer, depth: number, take: () => number, wrong: () => void): Promise<void> {
  const full = Buffer.concat(Array.from({ length: depth }, () => command));
  const expectedReplies = Buffer.concat(Array.from({ length: depth }, () => reply));
  return new Promise((resolve, reject) => {
    let due = 0;
    let got: Buffer = Buffer.alloc(0);
    const next = (): void => {
      due = take();
      if (due === 0) {
        sock.removeAllListeners('data');
        resolve();
        return;
      }
      sock.write(due === depth ? full : full.subarray(0, command.length * due));
    };
    sock.on('error', reject);
    sock.on('data', (d: Buffer) => {
      got = got.length === 0 ? d : Buffer.concat([got, d]);
      const want = reply.length * due;
      if (got.length < want) return;
      if (got.length !== want || got.compare(expectedReplies, 0, want) !== 0) wrong();
      got = Buffer.alloc(0);
      next();
    });
    next();
  });
}

interface LoadResult {
  seconds: number;
  published: number;
  mainUs: number;
  totalUs: number;
  generatorCores: number;
}

/** One load: `subs` subscribers, the publishers publish; time until every message was delivered. */
async function runLoad(srv: BenchServer, subs: number, o: Options): Promise<LoadResult> {
  const subscribers = new Subscribers(srv.port, subs, CHANNEL);
  try {
    await subscribers.ready();
    const total = messagesFor(o, subs);
    const batch = encodeCommand(['PUBLISH', CHANNEL, Buffer.alloc(o.payload, 'm')]);
    const reply = Buffer.from(`:${subs}\r\n`);
    const pubs = await Promise.all(Array.from({ length: o.publishers }, () => connect(srv.port)));
    const delivered = subscribers.received(total * subs * frameSize(o.payload));
    const cpu0 = threadCpu(srv.pid);
    const gen0 = threadCpu(process.pid);
    const t0 = process.hrtime.bigint();
    let left = total;
    let wrong = 0;
    await Promise.all(pubs.map((sock) => publishLoop(sock, batch, reply, o.pipeline, () => {
      const n = Math.min(o.pipeline, left);
      left -= n;
      return n;
    }, () => wrong++)));
    await delivered;
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    const split = cpuBetween(srv.pid, cpu0, threadCpu(srv.pid), srv.shards ?? 0);
    const gen = cpuBetween(process.pid, gen0, threadCpu(process.pid), 0);
    for (const c of pubs) c.destroy();
    if (wrong > 0) throw new Error(`${wrong} PUBLISH replies did not count ${subs} receivers`);
    return { seconds, published: total, mainUs: (split.main / total) * 1e6, totalUs: (split.total / total) * 1e6, generatorCores: gen.total / seconds };
  } finally {
    await subscribers.close();
  }
}

export async function main(argv: string[]): Promise<number> {
  const o = parseOrUsage(argv, parseArgs, 'bench pubsub', USAGE);
  if (o === null) return 2;
  const log = (s: string) => process.stdout.write(s + '\n');
  const machine = machineInfo();
  const started = new Date();
  const runDir = makeRunDir();
  log(`machine: ${machineLine(machine)}`);
  log(`load: ${o.publishers} publishers x ${o.pipeline} PUBLISH in flight, ${o.payload}-byte messages; subscribers ${o.subscribers.join(',')}; ${o.rounds} round(s)`);
  const servers: Record<ServerKey, BenchServer> = {
    respdb: await startRespdb({ runDir, shards: o.shards }),
    redis: await startRedis({ runDir, mode: 'nopersist' }),
  };
  for (const k of SERVERS) log(`   ${TITLES[k]}: ${servers[k].commandLine} (pid ${servers[k].pid})`);
  const results = new Map<string, LoadResult[]>();
  const key = (s: ServerKey, subs: number) => `${s}\0${subs}`;
  for (let round = 1; round <= o.rounds && !isInterrupted(); round++) {
    const order: ServerKey[] = round % 2 === 1 ? ['respdb', 'redis'] : ['redis', 'respdb'];
    for (const subs of o.subscribers) {
      for (const s of order) {
        if (isInterrupted()) break;
        await new Promise((r) => setTimeout(r, 300));
        const r = await runLoad(servers[s], subs, o);
        (results.get(key(s, subs)) ?? results.set(key(s, subs), []).get(key(s, subs))!).push(r);
        log(`   round ${round}, ${subs} subscriber(s), ${TITLES[s]}: ${fmtOps(r.published / r.seconds)} msg/s, ` +
            `main ${r.mainUs.toFixed(2)} µs/msg, all threads ${r.totalUs.toFixed(2)} µs/msg`);
      }
    }
  }
  await Promise.all(SERVERS.map((s) => servers[s].stop()));
  await stopAll();
  if (isInterrupted()) return 130;

  const med = (rs: LoadResult[] | undefined, f: (r: LoadResult) => number) => (rs && rs.length ? median(rs.map(f)) : undefined);
  const rate = (r: LoadResult) => r.published / r.seconds;
  const rows: string[][] = [];
  const cpuRows: string[][] = [];
  for (const subs of o.subscribers) {
    const d = results.get(key('respdb', subs));
    const r = results.get(key('redis', subs));
    const dr = med(d, rate);
    const rr = med(r, rate);
    rows.push([
      `PUBLISH to ${subs} subscriber${subs === 1 ? '' : 's'}`,
      dr === undefined ? '-' : fmtOps(dr),
      rr === undefined ? '-' : fmtOps(rr),
      fmtRatio(dr, rr),
      dr === undefined ? '-' : fmtOps(dr * subs),
      rr === undefined ? '-' : fmtOps(rr * subs),
      [d, r].map((x) => (x ? x.map((y) => fmtOps(rate(y))).join(' / ') : '-')).join(' vs '),
    ]);
    for (const [s, rs] of [['respdb', d], ['redis', r]] as const) {
      cpuRows.push([
        `PUBLISH to ${subs} subscriber${subs === 1 ? '' : 's'}`,
        TITLES[s],
        med(rs, (x) => x.mainUs)?.toFixed(2) ?? '-',
        med(rs, (x) => x.totalUs)?.toFixed(2) ?? '-',
        med(rs, (x) => x.generatorCores)?.toFixed(2) ?? '-',
      ]);
    }
  }
  const table = markdownTable(
    ['load', 'respdb msg/s', 'redis msg/s', 'ratio respdb/redis', 'respdb deliveries/s', 'redis deliveries/s', 'every round (respdb vs redis)'],
    rows,
    [false, true, true, true, true, true, false],
  );
  const cpuTable = markdownTable(['load', 'server', 'main thread µs/msg', 'all threads µs/msg', 'generator cores busy'], cpuRows, [false, false, true, true, true]);
  log('\n' + table + '\n\nCPU per published message (medians):\n\n' + cpuTable);
  if (o.write) {
    const body = [
      '## Pub/sub (PUBLISH to N subscribers)',
      '',
      `- Date: ${started.toISOString()}`,
      `- Machine: ${machineLine(machine)}`,
      `- Reproduce: \`${reproduceCommand(['pubsub', ...argv])}\` (after \`npx tsc -p .\`)`,
      `- Load (bench/pubsub.ts): ${o.publishers} publisher connections, each keeping ${o.pipeline} \`PUBLISH ${CHANNEL} <${o.payload} bytes>\` in flight; ` +
        `N subscriber connections (RESP2) in a worker thread counting what they receive; ${o.messages} messages with 1 subscriber, ` +
        `messages/sqrt(N) with N. A load's time runs from the first PUBLISH until every subscriber has every message. ` +
        `Both servers run for the whole benchmark (only one under load at a time), in alternating rounds; medians of ${o.rounds} rounds.`,
      `- respdb: \`${servers.respdb.commandLine}\`; redis: \`${servers.redis.commandLine}\`.`,
      '',
      table,
      '',
      'CPU per published message (median over the rounds): the server\'s threads (/proc/PID/task/*/stat) over the load, divided by ' +
        'the messages published; "generator cores busy" is this benchmark process\'s CPU (publishers and subscribers) over the load\'s time.',
      '',
      cpuTable,
    ].join('\n');
    writeSection('pubsub', body);
    log(`\nwrote section "pubsub" of ${RESULTS_PATH}`);
  }
  if (!o.keepLogs) removeRunDir(runDir);
  else log(`server logs kept in ${runDir}`);
  return 0;
}

runIfMain(import.meta.url, 'bench pubsub', main);
