/**
 * RDB import / export benchmark: a file of N keys (default 1,000,000: 60% strings of 100 bytes, and
 * 10% each of hashes, lists, sets and sorted sets of 10 members) saved by redis-server, then
 *   - redis-server SAVE of that data set, and its startup load of the file ("DB loaded from disk");
 *   - `respdb-rdb import` of the file into a new data directory (whole process, --shards N);
 *   - `respdb-rdb export` of that directory to a file (whole process), which redis-server then
 *     loads, its key count checked.
 *
 * Each step runs --rounds times (redis's SAVE and load, then respdb's import and export, in turn
 * per round); the table shows each step's median.
 *
 *   npm run bench -- rdb [--keys N] [--shards N] [--rounds N] [--write]
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { machineInfo, machineLine, markdownTable, median, parseOrUsage, parseOptions, publishSection } from './report.js';
import { REPO_ROOT, freePort, makeRunDir, removeRunDir, runTool, startRedis, stopAll, runIfMain } from './servers.js';

const USAGE = `usage: npm run bench -- rdb [options]

  --keys N       keys in the file (default 1000000)
  --shards N     shards of the imported directory (default 2)
  --rounds N     rounds of every step; the table shows medians (default 3)
  --write        write the table to bench/RESULTS.md (section "rdb")
`;

interface Options {
  keys: number;
  shards: number;
  rounds: number;
  write: boolean;
}

function parseArgs(argv: string[]): Options {
  return parseOptions<Options>(argv, { keys: 1_000_000, shards: 2, rounds: 3, write: false }, { ints: ['keys', 'shards', 'rounds'], flags: ['write'] });
}

const RDB_BIN = path.join(REPO_ROOT, 'dist', 'bin', 'rdb.js');

/** Builds the data set inside redis-server (one Lua loop per type: no client round trips). */
const POPULATE = `
local n = tonumber(ARGV[1])
local strings = math.floor(n * 0.6)
local each = math.floor((n - strings) / 4)
local pad = string.rep('x', 90)
for i = 1, strings do redis.call('SET', 'str:' .. i, pad .. string.format('%010d', i)) end
for i = 1, each do
  redis.call('HSET', 'hash:' .. i, 'f1', i, 'f2', 'v2', 'f3', 'v3', 'f4', 'v4', 'f5', 'v5', 'f6', 'v6', 'f7', 'v7', 'f8', 'v8', 'f9', 'v9', 'f10', 'v10')
  redis.call('RPUSH', 'list:' .. i, 'a', 'b', 'c', i, 'e', 'f', 'g', 'h', 'i', 'j')
  redis.call('SADD', 'set:' .. i, 'm1', 'm2', 'm3', 'm4', 'm5', 'm6', 'm7', 'm8', 'm9', 'm' .. i)
  redis.call('ZADD', 'zset:' .. i, 1, 'a', 2, 'b', 3, 'c', 4, 'd', 5, 'e', 6, 'f', 7, 'g', 8, 'h', 9, 'i', i, 'z')
end
return redis.call('DBSIZE')
`;

async function cli(port: number, ...args: string[]): Promise<string> {
  const r = await runTool('redis-cli', ['-p', String(port), ...args]);
  if (r.code !== 0 || /^ERR/.test(r.stdout)) throw new Error(`redis-cli ${args[0]}: ${r.stdout}${r.stderr}`);
  return r.stdout.trim();
}

/** Starts redis-server on `file`, returns its own "DB loaded from disk" seconds and its DBSIZE. */
async function redisLoad(file: string): Promise<{ seconds: number; keys: number }> {
  const port = await freePort();
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--dir', path.dirname(file), '--dbfilename', path.basename(file), '--save', '', '--appendonly', 'no', '--daemonize', 'no', '--logfile', ''], { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  child.stdout!.setEncoding('utf8').on('data', (s: string) => (log += s));
  try {
    for (;;) {
      const m = /DB loaded from disk: ([\d.]+) seconds/.exec(log);
      if (m) {
        const keys = Number(await cli(port, 'DBSIZE'));
        return { seconds: Number(m[1]), keys };
      }
      if (child.exitCode !== null) throw new Error(`redis-server exited while loading ${file}:\n${log}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  } finally {
    child.kill('SIGKILL');
  }
}

async function timed(cmd: string, args: string[]): Promise<{ seconds: number; stderr: string }> {
  const t0 = process.hrtime.bigint();
  const r = await runTool(cmd, args);
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  if (r.code !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
  return { seconds, stderr: r.stderr.trim() };
}

export async function main(argv: string[]): Promise<number> {
  const o = parseOrUsage(argv, parseArgs, 'bench rdb', USAGE);
  if (o === null) return 2;
  if (!fs.existsSync(RDB_BIN)) throw new Error(`${RDB_BIN} not found: build first (npx tsc -p .)`);
  const machine = machineInfo();
  const runDir = makeRunDir();
  try {
    const redis = await startRedis({ runDir, mode: 'nopersist' });
    const keys = Number(await cli(redis.port, 'EVAL', POPULATE, '0', String(o.keys)));
    const dump = path.join(runDir, 'source.rdb');
    const dataDir = path.join(runDir, 'respdb-data');
    const out = path.join(runDir, 'exported.rdb');
    const save: number[] = [];
    const load: number[] = [];
    const imp: number[] = [];
    const exp: number[] = [];
    for (let r = 0; r < o.rounds; r++) {
      const t0 = process.hrtime.bigint();
      await cli(redis.port, 'SAVE');
      save.push(Number(process.hrtime.bigint() - t0) / 1e9);
      console.log(`round ${r + 1}: redis SAVE ${save[r].toFixed(2)} s`);
    }
    fs.copyFileSync(path.join(runDir, 'redis-nopersist-data', 'dump.rdb'), dump);
    await redis.stop();
    const size = fs.statSync(dump).size;
    console.log(`${keys} keys, dump.rdb ${(size / 1048576).toFixed(1)} MiB`);
    let summary = '';
    for (let r = 0; r < o.rounds; r++) {
      load.push((await redisLoad(dump)).seconds);
      const i = await timed(process.execPath, [RDB_BIN, 'import', dump, '--dir', dataDir, '--shards', String(o.shards), '--replace', '--no-progress']);
      imp.push(i.seconds);
      const e = await timed(process.execPath, [RDB_BIN, 'export', '--dir', dataDir, '--out', out, '--no-progress']);
      exp.push(e.seconds);
      summary = `${i.stderr}; ${e.stderr}`;
      console.log(`round ${r + 1}: redis load ${load[r].toFixed(2)} s, import ${imp[r].toFixed(2)} s, export ${exp[r].toFixed(2)} s`);
    }
    console.log(summary);
    const back = await redisLoad(out);
    if (back.keys !== keys) throw new Error(`redis-server loaded ${back.keys} keys from the export, expected ${keys}`);
    const outSize = fs.statSync(out).size;
    const saveSeconds = median(save);
    const loadSeconds = median(load);
    const impSeconds = median(imp);
    const expSeconds = median(exp);
    const all = (xs: number[]) => xs.map((x) => x.toFixed(2)).join(', ');

    const rate = (s: number) => `${Math.round(keys / s).toLocaleString('en-US')} keys/s`;
    const table = markdownTable(
      ['step', 'median s', `each round (s)`, 'rate (median)', 'respdb / redis'],
      [
        ['redis-server SAVE (in memory -> file)', saveSeconds.toFixed(2), all(save), rate(saveSeconds), ''],
        ['respdb-rdb export (data dir -> file, whole process)', expSeconds.toFixed(2), all(exp), rate(expSeconds), (expSeconds / saveSeconds).toFixed(1) + 'x'],
        ['redis-server startup load (file -> memory)', loadSeconds.toFixed(2), all(load), rate(loadSeconds), ''],
        ['respdb-rdb import (file -> data dir, whole process)', impSeconds.toFixed(2), all(imp), rate(impSeconds), (impSeconds / loadSeconds).toFixed(1) + 'x'],
      ],
      [false, true, true, true, true],
    );
    publishSection('rdb', 'rdb', argv, o.write, [
      '## RDB import / export (respdb-rdb) beside redis-server SAVE and load',
      '',
      `${new Date().toISOString().slice(0, 10)}, ${machineLine(machine)}; run under \`flock /tmp/machine.lock\` on a shared, loaded machine; median of ${o.rounds} rounds.`,
      `${keys.toLocaleString('en-US')} keys (60% 100-byte strings, 10% each hashes, lists, sets, sorted sets of 10 members) in one database; ` +
        `redis-server's dump.rdb ${(size / 1048576).toFixed(1)} MiB, the export ${(outSize / 1048576).toFixed(1)} MiB (redis-server loads it: ${back.keys} keys). ` +
        `Import into ${o.shards} shards; import and export are whole \`node dist/bin/rdb.js\` processes (startup included), redis's load is its own "DB loaded from disk" figure.`,
      '',
      table,
    ]);
    return 0;
  } finally {
    await stopAll();
    removeRunDir(runDir);
  }
}

runIfMain(import.meta.url, 'bench rdb', main);
