/**
 * COMPACT under a read load: the space it gives back after 90% of the keys were deleted, how long
 * it takes, and GET latency (p50 / p99 / p99.9) while it runs against the same load without it.
 *
 *   node dist/bench/compact.js                      1,000,000 keys of 100 bytes, 20 clients
 *   node dist/bench/compact.js --keys N --clients C --binlog-max-size 16mb
 *
 * The keys key:000000000000... are written, 9 of every 10 deleted, then GETs of the survivors run
 * from `clients` connections with one request in flight each (bench/closed-loop.ts: HDR histogram,
 * ns), first for 5 s without a compaction, then in 1 s slices from COMPACT until INFO says it is
 * done. Data sizes are INFO persistence's data_disk_bytes (the shards' data files on disk) and
 * data_free_bytes (their free pages).
 */
import * as hdr from 'hdr-histogram-js';
import { closedLoop } from './closed-loop.js';
import { BenchConn, benchKey } from './resp.js';
import { makeRunDir, removeRunDir, startRespdb, stopAll } from './servers.js';
import { machineInfo, machineLine } from './report.js';

function arg(name: string, def: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : def;
}

const KEYS = Number(arg('keys', '1000000'));
const CLIENTS = Number(arg('clients', '20'));
const BINLOG = arg('binlog-max-size', '16mb');

async function infoOf(c: BenchConn): Promise<Map<string, string>> {
  const r = (await c.send(['INFO', 'persistence'])).toString('latin1');
  return new Map(r.split('\r\n').filter((l) => l.includes(':')).map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 1)] as [string, string]));
}

async function pipelined(c: BenchConn, cmds: (string | Buffer)[][]): Promise<void> {
  for (let i = 0; i < cmds.length; i += 1000) await Promise.all(cmds.slice(i, i + 1000).map((x) => c.send(x)));
}

function survivorGet(): () => Buffer {
  return () => {
    const i = Math.floor(Math.random() * (KEYS / 10)) * 10;
    const k = benchKey(i);
    return Buffer.from(`*2\r\n$3\r\nGET\r\n$${k.length}\r\n${k}\r\n`, 'latin1');
  };
}

function q(h: hdr.Histogram, p: number): string {
  return (h.getValueAtPercentile(p) / 1000).toFixed(0);
}

async function main(): Promise<void> {
  const runDir = makeRunDir();
  try {
    const srv = await startRespdb({ runDir });
    const c = await BenchConn.connect(srv.port);
    await c.send(['CONFIG', 'SET', 'binlog-max-size', BINLOG]);
    const value = Buffer.alloc(100, 'x');
    const t0 = Date.now();
    for (let i = 0; i < KEYS; i += 100_000) {
      const cmds: (string | Buffer)[][] = [];
      for (let j = i; j < Math.min(KEYS, i + 100_000); j++) cmds.push(['SET', benchKey(j), value]);
      await pipelined(c, cmds);
    }
    for (let i = 0; i < KEYS; i += 100_000) {
      const cmds: (string | Buffer)[][] = [];
      for (let j = i; j < Math.min(KEYS, i + 100_000); j++) if (j % 10 !== 0) cmds.push(['DEL', benchKey(j)]);
      await pipelined(c, cmds);
    }
    console.error(`loaded and deleted in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    await new Promise((r) => setTimeout(r, 1000));
    const before = await infoOf(c);
    const base = await closedLoop({ port: srv.port, clients: CLIENTS, makeRequest: survivorGet(), durationMs: 5000, record: true });
    const during = hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 60e9, numberOfSignificantValueDigits: 3 });
    const c0 = Date.now();
    await c.send(['COMPACT']);
    let done = 0;
    for (;;) {
      const slice = await closedLoop({ port: srv.port, clients: CLIENTS, makeRequest: survivorGet(), durationMs: 1000, record: true });
      during.add(slice.hist);
      done += slice.completed;
      if ((await infoOf(c)).get('compact_in_progress') === '0') break;
    }
    const seconds = (Date.now() - c0) / 1000;
    const after = await infoOf(c);
    const mb = (s: string | undefined): string => (Number(s) / 1048576).toFixed(1);
    const m = machineInfo();
    console.log(`### COMPACT after deleting 90% of ${KEYS.toLocaleString('en')} keys (${new Date().toISOString().slice(0, 10)})\n`);
    console.log(`${machineLine(m)}; respdb --shards ${srv.shards}, binlog-max-size ${BINLOG}, ${CLIENTS} GET clients, one request in flight each.\n`);
    console.log('| | data on disk (MB) | free pages (MB) |');
    console.log('|---|---:|---:|');
    console.log(`| before COMPACT | ${mb(before.get('data_disk_bytes'))} | ${mb(before.get('data_free_bytes'))} |`);
    console.log(`| after COMPACT | ${mb(after.get('data_disk_bytes'))} | ${mb(after.get('data_free_bytes'))} |`);
    console.log(`\nCompaction: ${seconds.toFixed(1)} s (INFO compact_last_reclaimed_bytes ${after.get('compact_last_reclaimed_bytes')}); GETs answered during it: ${done}.\n`);
    console.log('| GET latency (µs) | p50 | p99 | p99.9 | max |');
    console.log('|---|---:|---:|---:|---:|');
    console.log(`| without compaction (5 s) | ${q(base.hist, 50)} | ${q(base.hist, 99)} | ${q(base.hist, 99.9)} | ${(base.hist.maxValue / 1000).toFixed(0)} |`);
    console.log(`| during COMPACT | ${q(during, 50)} | ${q(during, 99)} | ${q(during, 99.9)} | ${(during.maxValue / 1000).toFixed(0)} |`);
    console.log(`\nReproduce: npx tsc -p . && flock /tmp/machine.lock node dist/bench/compact.js --keys ${KEYS} --clients ${CLIENTS} --binlog-max-size ${BINLOG}`);
    c.close();
  } finally {
    await stopAll();
    removeRunDir(runDir);
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
