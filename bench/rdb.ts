/**
 * RDB import / export benchmark: a file of N keys (default 1,000,000: 60% strings of 100 bytes, and
 * 10% each of hashes, lists, sets and sorted sets of 10 members) saved by redis-server, then
 *   - redis-server SAVE of that data set, and its startup load of the file ("DB loaded from disk");
 *   - `respdb-rdb import` of the file into a new data directory (whole process, --shards N);
 *   - `respdb-rdb export` of that directory to a file (whole process), which redis-server then
 *     loads, its key count checked.
 *
 *   npm run bench -- rdb [--keys N] [--shards N] [--write]
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { machineInfo, machineLine, markdownTable, parseOrUsage, positiveInt, reproduceCommand, takeValue, writeSection, RESULTS_PATH, UsageError } from './report.js';
import { REPO_ROOT, freePort, makeRunDir, removeRunDir, runTool, startRedis, stopAll } from './servers.js';

const USAGE = `usage: npm run bench -- rdb [options]

  --keys N       keys in the file (default 1000000)
  --shards N     shards of the imported directory (default 2)
  --write        write the table to bench/RESULTS.md (section "rdb")
`;

interface Options {
  keys: number;
  shards: number;
  write: boolean;
}

function parseArgs(argv: string[]): Options {
  const o: Options = { keys: 1_000_000, shards: 2, write: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    let v: string;
    switch (a) {
      case '--keys': [v, i] = takeValue(argv, i, a); o.keys = positiveInt(v, a); break;
      case '--shards': [v, i] = takeValue(argv, i, a); o.shards = positiveInt(v, a); break;
      case '--write': o.write = true; break;
      case '--help': throw new UsageError('help');
      default: throw new UsageError(`unknown option ${a}`);
    }
  }
  return o;
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
    const t0 = process.hrtime.bigint();
    await cli(redis.port, 'SAVE');
    const saveSeconds = Number(process.hrtime.bigint() - t0) / 1e9;
    const dump = path.join(runDir, 'source.rdb');
    fs.copyFileSync(path.join(runDir, 'redis-nopersist-data', 'dump.rdb'), dump);
    await redis.stop();
    const size = fs.statSync(dump).size;
    console.log(`${keys} keys, dump.rdb ${(size / 1048576).toFixed(1)} MiB; redis SAVE ${saveSeconds.toFixed(2)} s`);

    const load = await redisLoad(dump);
    console.log(`redis-server startup load ${load.seconds.toFixed(2)} s`);
    const dataDir = path.join(runDir, 'respdb-data');
    const imp = await timed(process.execPath, [RDB_BIN, 'import', dump, '--dir', dataDir, '--shards', String(o.shards), '--no-progress']);
    console.log(`respdb-rdb import ${imp.seconds.toFixed(2)} s: ${imp.stderr}`);
    const out = path.join(runDir, 'exported.rdb');
    const exp = await timed(process.execPath, [RDB_BIN, 'export', '--dir', dataDir, '--out', out, '--no-progress']);
    console.log(`respdb-rdb export ${exp.seconds.toFixed(2)} s: ${exp.stderr}`);
    const back = await redisLoad(out);
    if (back.keys !== keys) throw new Error(`redis-server loaded ${back.keys} keys from the export, expected ${keys}`);
    const outSize = fs.statSync(out).size;

    const rate = (s: number) => `${Math.round(keys / s).toLocaleString('en-US')} keys/s`;
    const table = markdownTable(
      ['step', 'seconds', 'rate', 'respdb / redis'],
      [
        ['redis-server SAVE (in memory -> file)', saveSeconds.toFixed(2), rate(saveSeconds), ''],
        ['respdb-rdb export (data dir -> file, whole process)', exp.seconds.toFixed(2), rate(exp.seconds), (exp.seconds / saveSeconds).toFixed(1) + 'x'],
        ['redis-server startup load (file -> memory)', load.seconds.toFixed(2), rate(load.seconds), ''],
        ['respdb-rdb import (file -> data dir, whole process)', imp.seconds.toFixed(2), rate(imp.seconds), (imp.seconds / load.seconds).toFixed(1) + 'x'],
      ],
      [false, true, true, true],
    );
    const body = [
      '## RDB import / export (respdb-rdb) beside redis-server SAVE and load',
      '',
      `${new Date().toISOString().slice(0, 10)}, ${machineLine(machine)}; run under \`flock /tmp/machine.lock\` on a shared, loaded machine.`,
      `${keys.toLocaleString('en-US')} keys (60% 100-byte strings, 10% each hashes, lists, sets, sorted sets of 10 members) in one database; ` +
        `redis-server's dump.rdb ${(size / 1048576).toFixed(1)} MiB, the export ${(outSize / 1048576).toFixed(1)} MiB (redis-server loads it: ${back.keys} keys). ` +
        `Import into ${o.shards} shards; import and export are whole \`node dist/bin/rdb.js\` processes (startup included), redis's load is its own "DB loaded from disk" figure.`,
      '',
      table,
      '',
      `Reproduce: \`${reproduceCommand(['rdb', ...argv.filter((a) => a !== '--write')])}\``,
    ].join('\n');
    console.log('\n' + body);
    if (o.write) {
      writeSection('rdb', body);
      console.log(`written to ${RESULTS_PATH}`);
    }
    return 0;
  } finally {
    await stopAll();
    removeRunDir(runDir);
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).then((code) => process.exit(code), (e) => {
    console.error(e);
    process.exit(1);
  });
}
