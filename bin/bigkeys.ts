#!/usr/bin/env node
// respdb-bigkeys: the biggest keys of a respdb data directory, read from a consistent snapshot of each
// shard while the server may be running. `respdb-bigkeys --help` explains everything.

import { analyzeDataDir, DataDirError, DEFAULT_TOP, renderTable, type Progress } from '../lib/tools/bigkeys.js';

const HELP = `Usage: respdb-bigkeys --dir <data dir> [--top N] [--db N] [--json] [--no-progress]
       npm run bigkeys -- --dir <data dir> [options]

Finds the biggest keys of a respdb data directory, per type, as redis-cli --bigkeys and
--memkeys do, by reading the shards' LMDB environments directly. The server may keep
running: every environment is opened read-only and each shard is read inside one LMDB read
transaction, so the figures of a shard come from one consistent snapshot (shards are read one
after another, so they are snapshots of slightly different moments). Readers never block the
server's writes; a long scan only keeps the pages of its snapshot from being reused until it ends.

Options:
  --dir <path>     the data directory (the server's --dir: it holds shard-0 .. shard-N-1). Required.
  --top <N>        how many keys to list per type and figure (default ${DEFAULT_TOP}; 0 lists none).
  --db <N>         only this logical database (default: all of them).
  --json           print one JSON document instead of the tables.
  --no-progress    no progress bar. (It is drawn on stderr only when stderr is a terminal.)
  -h, --help       this text.

Figures, per type (string, list, set, zset, hash):
  keys       live keys of the type (keys whose expiry has passed are skipped and counted apart).
  members    strings: bytes of the value; lists: items; sets and zsets: members; hashes: fields.
  bytes      stored payload bytes: the key's bytes plus, for a string its value, for a list its
             elements, for a set its members, for a zset its members and 8 bytes per score, for a
             hash its fields and values. LMDB's own overhead (record headers, secondary indexes,
             page slack) is not counted. Sizing a collection reads all its members.
  top lists  the biggest keys by members and by bytes; ties are ordered by db, then key bytes.
Keys are reported by logical database (after SWAPDB), printed as redis-cli prints them (double
quotes; \\n \\r \\t \\a \\b \\\\ \\" and \\xHH escapes). The tables shorten keys longer than 64 characters.

JSON document (--json), stable field names:
  format          1 (version of this layout)
  dir             absolute path of the data directory
  shards          number of shards read
  now             scan start, ms since the epoch (keys with expire-at <= now are skipped)
  top             N of --top
  db              the database of --db, or null
  keys            live keys of the five types
  expiredSkipped  keys skipped as expired
  otherKeys       keys of other types (not counted elsewhere)
  keyBytes        sum of the live keys' lengths
  bytes           sum of the live keys' stored payload bytes
  types           { string, list, set, zset, hash }, each:
                    keys, members, unit ("bytes" | "items" | "members" | "fields"), bytes,
                    avgMembers, avgBytes (per key; 0 without keys),
                    topByMembers, topByBytes: arrays, biggest first, of
                      { db, shard, key (escaped as above, without the quotes), keyHex (exact
                        bytes), keyLength, members, bytes, expireAt (ms since the epoch, 0 = none) }
  databases       [{ db, keys, bytes }] for every logical database holding keys, ascending
  shardReports    [{ shard, records (meta records when its scan began, expired ones included),
                     keys, expiredSkipped }]

Exit status: 0 done; 2 bad arguments or a missing / invalid data directory; 1 any other error.
`;

interface Args {
  dir: string;
  top: number;
  db: number | null;
  json: boolean;
  progress: boolean;
}

class UsageError extends Error {}

function parseCount(name: string, v: string | undefined, max = Number.MAX_SAFE_INTEGER): number {
  if (v === undefined) throw new UsageError(`${name} needs a value`);
  if (!/^\d+$/.test(v) || Number(v) > max) throw new UsageError(`${name} must be an integer from 0 to ${max}, got '${v}'`);
  return Number(v);
}

function parseArgs(argv: string[]): Args | 'help' {
  const a: Partial<Args> = { top: DEFAULT_TOP, db: null, json: false, progress: true };
  for (let i = 0; i < argv.length; i++) {
    let arg = argv[i];
    let value: string | undefined;
    const eq = arg.startsWith('--') ? arg.indexOf('=') : -1;
    if (eq > 0) {
      value = arg.slice(eq + 1);
      arg = arg.slice(0, eq);
    }
    const next = (): string | undefined => (value !== undefined ? value : argv[++i]);
    switch (arg) {
      case '-h':
      case '--help':
        return 'help';
      case '--dir': {
        const d = next();
        if (d === undefined || d === '') throw new UsageError('--dir needs a value');
        a.dir = d;
        break;
      }
      case '--top':
        a.top = parseCount('--top', next(), 1_000_000);
        break;
      case '--db':
        a.db = parseCount('--db', next(), 255);
        break;
      case '--json':
        a.json = true;
        break;
      case '--no-progress':
        a.progress = false;
        break;
      default:
        throw new UsageError(`unknown argument '${argv[i]}'`);
    }
    if (value !== undefined && (arg === '--json' || arg === '--no-progress')) throw new UsageError(`${arg} takes no value`);
  }
  if (!a.dir) throw new UsageError('--dir <data dir> is required');
  return a as Args;
}

/** A progress bar on stderr (a terminal: writes are synchronous, so it draws during a shard's scan). */
function progressBar(): { update(p: Progress): void; clear(): void } {
  let last = 0;
  let drawn = false;
  const err = process.stderr;
  return {
    update(p: Progress): void {
      const t = Date.now();
      if (!p.done && p.scanned !== 0 && t - last < 100) return;
      last = t;
      const total = Math.max(p.total, p.scanned);
      const frac = total ? p.scanned / total : p.done ? 1 : 0;
      const head = `shard ${p.shard + 1}/${p.shards} `;
      const tail = ` ${(frac * 100).toFixed(1).padStart(5)}%  ${p.scanned}/${total} keys`;
      const width = Math.max(10, Math.min(40, (err.columns || 80) - head.length - tail.length - 3));
      const fill = Math.round(frac * width);
      err.write(`\r\x1b[K${head}[${'#'.repeat(fill)}${'-'.repeat(width - fill)}]${tail}`);
      drawn = true;
    },
    clear(): void {
      if (drawn) err.write('\r\x1b[K');
      drawn = false;
    },
  };
}

async function main(): Promise<number> {
  let args: Args | 'help';
  try {
    args = parseArgs(process.argv.slice(2));
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    process.stderr.write(`respdb-bigkeys: ${e.message} (see --help)\n`);
    return 2;
  }
  if (args === 'help') {
    process.stdout.write(HELP);
    return 0;
  }
  const bar = args.progress && process.stderr.isTTY ? progressBar() : null;
  try {
    const report = await analyzeDataDir(args.dir, { top: args.top, db: args.db, onProgress: bar ? (p) => bar.update(p) : undefined });
    bar?.clear();
    process.stdout.write(args.json ? JSON.stringify(report, null, 2) + '\n' : renderTable(report));
    return 0;
  } catch (e) {
    bar?.clear();
    if (e instanceof DataDirError) {
      process.stderr.write(`respdb-bigkeys: ${e.message}\n`);
      return 2;
    }
    process.stderr.write(`respdb-bigkeys: ${(e as Error).stack ?? e}\n`);
    return 1;
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (e) => {
    process.stderr.write(`respdb-bigkeys: ${(e as Error).stack ?? e}\n`);
    process.exitCode = 1;
  },
);
