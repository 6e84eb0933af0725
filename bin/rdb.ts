#!/usr/bin/env node
// respdb-rdb: RDB files (redis-server's dump.rdb) into and out of a respdb data directory, offline.
// `respdb-rdb --help` explains everything.

import fs from 'node:fs';
import { DataDirError } from '../lib/tools/bigkeys.js';
import { DEFAULT_DATABASES, defaultShardCount } from '../lib/tools/rdb-data-dir.js';
import { exportRdb } from '../lib/tools/rdb-export.js';
import { importRdb } from '../lib/tools/rdb-import.js';
import { progressLine } from '../lib/tools/rdb-progress.js';
import { RdbFormatError } from '../lib/rdb/string.js';
import { DEFAULT_ENCODING_LIMITS } from '../lib/rdb/value.js';

const HELP = `Usage: respdb-rdb import <dump.rdb> --dir <data dir> [--shards N] [--databases N] [--replace]
                  [--drop-stream-groups] [--no-progress]
       respdb-rdb export --dir <data dir> [--out <file>] [--no-compression] [--no-progress]

import   reads an RDB file (as redis-server writes it: versions 1 to 10, every type and
         encoding) into a NEW respdb data directory, each key in the shard the server routes
         it to. Keys that have already expired are skipped, as Redis skips them when it loads.
         The file must hold data only: module data and functions are refused.
           --shards N            shards of the new directory (default ${defaultShardCount()}, the server's
                                 default here); start the server with the same --shards.
           --databases N         databases (default ${DEFAULT_DATABASES}); the file's must fit.
           --replace             drop the data set the directory already holds (otherwise a
                                 directory with data is refused).
           --drop-stream-groups  import streams without their consumer groups (respdb has
                                 none); without it such a stream stops the import.
export   writes the data set of a data directory as an RDB file (version 10, as redis-server
         7.0 writes it) to --out, or to standard output. redis-server loads it as its dump.rdb.
           --no-compression      no LZF compression (rdbcompression no).

The server must not be running on the directory (both refuse one in use). A progress bar is
drawn on stderr when it is a terminal; a summary line is printed on stderr at the end.
Exit status: 0 done; 2 bad arguments, a bad data directory or a file that cannot be imported;
1 any other error.
`;

class UsageError extends Error {}

interface Args {
  cmd: 'import' | 'export';
  file: string | null;
  dir: string;
  shards: number;
  databases: number;
  replace: boolean;
  dropStreamGroups: boolean;
  out: string | null;
  compress: boolean;
  progress: boolean;
}

function count(name: string, v: string | undefined, min: number, max: number): number {
  if (v === undefined || !/^\d+$/.test(v) || Number(v) < min || Number(v) > max) throw new UsageError(`${name} must be an integer from ${min} to ${max}`);
  return Number(v);
}

function parseArgs(argv: string[]): Args | 'help' {
  if (argv.length === 0 || argv.includes('-h') || argv.includes('--help')) return 'help';
  const cmd = argv[0];
  if (cmd !== 'import' && cmd !== 'export') throw new UsageError(`unknown command '${cmd}' (import or export)`);
  const a: Args = { cmd, file: null, dir: '', shards: defaultShardCount(), databases: DEFAULT_DATABASES, replace: false, dropStreamGroups: false, out: null, compress: true, progress: true };
  for (let i = 1; i < argv.length; i++) {
    const arg = argv[i];
    const flagFor = (c: Args['cmd']) => {
      if (a.cmd !== c) throw new UsageError(`${arg} is an option of ${c}`);
    };
    switch (arg) {
      case '--dir':
        a.dir = argv[++i] ?? '';
        if (!a.dir) throw new UsageError('--dir needs a value');
        break;
      case '--shards':
        flagFor('import');
        a.shards = count('--shards', argv[++i], 1, 256);
        break;
      case '--databases':
        flagFor('import');
        a.databases = count('--databases', argv[++i], 1, 256);
        break;
      case '--replace':
        flagFor('import');
        a.replace = true;
        break;
      case '--drop-stream-groups':
        flagFor('import');
        a.dropStreamGroups = true;
        break;
      case '--out':
        flagFor('export');
        a.out = argv[++i] ?? null;
        if (!a.out) throw new UsageError('--out needs a value');
        break;
      case '--no-compression':
        flagFor('export');
        a.compress = false;
        break;
      case '--no-progress':
        a.progress = false;
        break;
      default:
        if (arg.startsWith('-') || a.cmd !== 'import' || a.file !== null) throw new UsageError(`unknown argument '${arg}'`);
        a.file = arg;
    }
  }
  if (!a.dir) throw new UsageError('--dir <data dir> is required');
  if (a.cmd === 'import' && a.file === null) throw new UsageError('import needs the RDB file to read');
  return a;
}

async function main(): Promise<number> {
  let args: Args | 'help';
  try {
    args = parseArgs(process.argv.slice(2));
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    process.stderr.write(`respdb-rdb: ${e.message} (see --help)\n`);
    return 2;
  }
  if (args === 'help') {
    process.stdout.write(HELP);
    return 0;
  }
  const tty = args.progress && process.stderr.isTTY;
  try {
    if (args.cmd === 'import') {
      const size = fs.statSync(args.file!).size;
      const bar = tty ? progressLine(size, true) : null;
      const s = await importRdb(args.file!, {
        dir: args.dir,
        layout: { shards: args.shards, databases: args.databases },
        replace: args.replace,
        dropStreamGroups: args.dropStreamGroups,
        onProgress: bar ? (b, k) => bar.update(b, k) : undefined,
      });
      bar?.clear();
      const dbs = [...s.databases].sort((x, y) => x[0] - y[0]).map(([db, n]) => `db${db}=${n}`).join(' ');
      process.stderr.write(
        `imported ${s.keys} keys (${dbs || 'none'}) from ${s.bytes} bytes in ${(s.ms / 1000).toFixed(1)} s into ${args.dir} (${args.shards} shards)` +
          `${s.expiredSkipped ? `; ${s.expiredSkipped} expired keys skipped` : ''}${s.emptySkipped ? `; ${s.emptySkipped} empty keys skipped` : ''}` +
          `${s.streamGroupsDropped ? `; ${s.streamGroupsDropped} stream consumer groups dropped` : ''}\n`,
      );
    } else {
      const out = args.out ? fs.createWriteStream(args.out) : process.stdout;
      let bar: ReturnType<typeof progressLine> | null = null;
      const s = await exportRdb(out, {
        dir: args.dir,
        limits: DEFAULT_ENCODING_LIMITS,
        compress: args.compress,
        onProgress: tty
          ? (done, total) => {
              bar ??= progressLine(total, false);
              bar.update(done, done);
            }
          : undefined,
      });
      if (args.out) await new Promise<void>((resolve, reject) => (out as fs.WriteStream).end((e?: Error | null) => (e ? reject(e) : resolve())));
      (bar as ReturnType<typeof progressLine> | null)?.clear();
      const dbs = [...s.databases].sort((x, y) => x[0] - y[0]).map(([db, n]) => `db${db}=${n}`).join(' ');
      process.stderr.write(`exported ${s.keys} keys (${dbs || 'none'}), ${s.bytes} bytes in ${(s.ms / 1000).toFixed(1)} s\n`);
    }
    return 0;
  } catch (e) {
    if (e instanceof DataDirError || e instanceof RdbFormatError) {
      process.stderr.write(`respdb-rdb: ${e.message}\n`);
      return 2;
    }
    process.stderr.write(`respdb-rdb: ${(e as Error).stack ?? e}\n`);
    return 1;
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (e) => {
    process.stderr.write(`respdb-rdb: ${(e as Error).stack ?? e}\n`);
    process.exitCode = 1;
  },
);
