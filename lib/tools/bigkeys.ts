// Big-key analysis of a respdb data directory (bin/bigkeys.ts is the command line).
//
// Every shard's LMDB environment is opened read-only (never writable, with the server's maxDbs and
// map size) and read inside ONE explicit read transaction (env.useReadTransaction, passed to every
// read), in a synchronous loop: the figures of a shard come from a single snapshot even while the
// server keeps writing. Different shards are read one after another, so they are snapshots of
// slightly different moments (a key moved between shards meanwhile may be seen twice or not at all).
// A reader never blocks LMDB's writer; it only keeps the pages of its snapshot from being reused
// until the shard's scan ends.
//
// Figures, per type (string, list, set, zset, hash):
//   members: strings: bytes of the value; lists: items; sets and sorted sets: members; hashes: fields
//            (what `redis-cli --bigkeys` reports). Collections' counts come from their records.
//   bytes:   the stored payload bytes: the key's bytes, plus a string's value, a hash's fields and
//            values, a list's elements, a set's members, a sorted set's members and 8 bytes per score
//            (the float64 as stored). LMDB's own overhead (record headers, secondary indexes such as
//            `zscore` and `slot`, page slack) is not counted. Sizing a collection iterates its members.
// Keys already expired (expire-at <= the scan's start time) are skipped and counted apart. Keys are
// reported by logical database (the SWAPDB map in each shard's `info`). Memory stays bounded: only
// the top N keys per type and figure are kept.

import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { open, type Database, type RootDatabase } from 'lmdb';
import { collOf, idRange, LONG_PART } from '../store/collections.js';
import { isHashedMetaKey } from '../store/keys.js';
import { decodeMeta, storedLongKey, T_HASH, T_LIST, T_SET, T_STRING, T_ZSET } from '../store/meta.js';
import { LMDB_MAP_SIZE, LMDB_MAX_DBS } from '../store/shard-store.js';
import { NodeReader } from '../store/list-nodes.js';
import { escapeBytes } from '../repr.js';

type Bin = Database<Buffer, Buffer>;
type Txn = ReturnType<RootDatabase['useReadTransaction']>;
/** lmdb-js's point reads take { transaction } (read.js), which its typings leave out. */
type GetIn = (this: Bin, key: Buffer, options: { transaction: Txn }) => Buffer | undefined;

/** Report types, in the order they are printed. */
export const TYPE_ORDER = ['string', 'list', 'set', 'zset', 'hash'] as const;
export type TypeName = (typeof TYPE_ORDER)[number];

/** What `members` counts for each type (redis-cli's words). */
export const MEMBER_UNIT: Record<TypeName, string> = { string: 'bytes', list: 'items', set: 'members', zset: 'members', hash: 'fields' };

/** Bytes of a score in a sorted set's stored payload. */
const SCORE_BYTES = 8;

const TYPE_OF_BYTE: Record<number, TypeName> = { [T_STRING]: 'string', [T_LIST]: 'list', [T_SET]: 'set', [T_ZSET]: 'zset', [T_HASH]: 'hash' };

export const DEFAULT_TOP = 10;

export interface TopEntry {
  /** Logical database. */
  db: number;
  /** Shard the key lives in. */
  shard: number;
  /** The key, escaped as redis-cli prints it (\n \r \t \a \b \\ \" and \xHH), without the quotes. */
  key: string;
  /** The key's exact bytes, hex. */
  keyHex: string;
  keyLength: number;
  members: number;
  bytes: number;
  /** Expiry in ms since the epoch, 0 when the key is persistent. */
  expireAt: number;
}

export interface TypeReport {
  keys: number;
  /** Sum of members (strings: value bytes). */
  members: number;
  /** What members counts: bytes, items, members or fields. */
  unit: string;
  /** Sum of stored payload bytes. */
  bytes: number;
  /** members / keys (0 when there are no keys). */
  avgMembers: number;
  /** bytes / keys (0 when there are no keys). */
  avgBytes: number;
  /** Biggest keys by members, at most `top`, biggest first (ties: db, then key bytes). */
  topByMembers: TopEntry[];
  /** Biggest keys by bytes, at most `top`, biggest first (ties: db, then key bytes). */
  topByBytes: TopEntry[];
}

export interface DbReport {
  db: number;
  keys: number;
  bytes: number;
}

export interface ShardReport {
  shard: number;
  /** Records in the shard's `meta` (every database, expired ones included) when its scan began. */
  records: number;
  /** Live keys reported from this shard. */
  keys: number;
  expiredSkipped: number;
}

export interface BigKeysReport {
  /** Version of this document's layout. */
  format: 1;
  /** Absolute path of the data directory. */
  dir: string;
  shards: number;
  /** Start of the scan (ms since the epoch): keys with expire-at <= now are skipped. */
  now: number;
  top: number;
  /** The only logical database scanned, null for all. */
  db: number | null;
  /** Live keys of the five types. */
  keys: number;
  /** Keys skipped because they had already expired. */
  expiredSkipped: number;
  /** Keys of another type (not counted elsewhere). */
  otherKeys: number;
  /** Sum of the key lengths of the live keys. */
  keyBytes: number;
  /** Sum of the stored payload bytes of the live keys. */
  bytes: number;
  types: Record<TypeName, TypeReport>;
  /** Logical databases holding keys, ascending. */
  databases: DbReport[];
  shardReports: ShardReport[];
}

export interface Progress {
  /** Shard being scanned (0-based). */
  shard: number;
  shards: number;
  /** Records of this shard visited so far. */
  scanned: number;
  /** Records of this shard (may be passed by `scanned` when counting is approximate). */
  total: number;
  /** True once the shard's scan is complete. */
  done: boolean;
}

export interface BigKeysOptions {
  /** Keys kept per type and figure (default 10). */
  top?: number;
  /** Scan only this logical database. */
  db?: number | null;
  /** Expiry reference time in ms (default Date.now()). */
  now?: number;
  /** Called during the scan (synchronously, from inside a shard's snapshot): draw quickly. */
  onProgress?: (p: Progress) => void;
}

/** A data directory that is missing or not a respdb one (the command line exits with 2). */
export class DataDirError extends Error {}

const DBMAP_KEY = Buffer.from('dbmap');
const FORMAT_KEY = Buffer.from('format');
/** The data format from which lists are packed in nodes (lib/store/shard-store.ts DATA_FORMAT). */
const LIST_NODES_FORMAT = 2;
const BIN = { keyEncoding: 'binary' as const, encoding: 'binary' as const };
/** Progress is reported every this many meta records / collection members. */
const PROGRESS_RECORDS = 1024;
const PROGRESS_MEMBERS = 65536;

/** The shard environment directories of a data dir, checked: shard-0 .. shard-N-1, each with data.mdb. */
export function shardDirs(dir: string): string[] {
  if (!existsSync(dir)) throw new DataDirError(`data directory ${dir} does not exist`);
  if (!statSync(dir).isDirectory()) throw new DataDirError(`${dir} is not a directory`);
  const found = new Map<number, string>();
  for (const name of readdirSync(dir)) {
    const m = /^shard-(\d+)$/.exec(name);
    if (m) found.set(Number(m[1]), path.join(dir, name));
  }
  if (found.size === 0) throw new DataDirError(`${dir} is not a respdb data directory (no shard-0, shard-1, ... in it)`);
  const out: string[] = [];
  for (let i = 0; i < found.size; i++) {
    const p = found.get(i);
    if (!p) throw new DataDirError(`${dir} is not a complete respdb data directory: shard-${i} is missing`);
    if (!existsSync(path.join(p, 'data.mdb'))) throw new DataDirError(`${p} holds no LMDB environment (no data.mdb)`);
    out.push(p);
  }
  return out;
}

/** A kept key. */
interface Cand {
  db: number;
  shard: number;
  key: Buffer;
  members: number;
  bytes: number;
  expireAt: number;
}

/** The biggest `n` keys by one figure, biggest first; ties by db, then key bytes (deterministic). */
class TopN {
  readonly items: Cand[] = [];
  constructor(
    private readonly n: number,
    private readonly metric: (c: { members: number; bytes: number }) => number,
  ) {}

  /** Negative when (v, db, key) ranks before c. */
  private cmp(v: number, db: number, key: Buffer, c: Cand): number {
    const cv = this.metric(c);
    if (v !== cv) return v > cv ? -1 : 1;
    if (db !== c.db) return db - c.db;
    return Buffer.compare(key, c.key);
  }

  /** Whether a key with these figures would be kept. */
  wants(members: number, bytes: number, db: number, key: Buffer): boolean {
    if (this.n === 0) return false;
    if (this.items.length < this.n) return true;
    return this.cmp(this.metric({ members, bytes }), db, key, this.items[this.items.length - 1]) < 0;
  }

  /** Inserts (call only when wants() said so; `c.key` must be a private copy). */
  add(c: Cand): void {
    const v = this.metric(c);
    let lo = 0;
    let hi = this.items.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.cmp(v, c.db, c.key, this.items[mid]) < 0) hi = mid;
      else lo = mid + 1;
    }
    this.items.splice(lo, 0, c);
    if (this.items.length > this.n) this.items.pop();
  }
}

interface TypeAcc {
  keys: number;
  members: number;
  bytes: number;
  byMembers: TopN;
  byBytes: TopN;
}

/**
 * Analyses every shard of the data directory `dir` (see the header for the figures). Throws
 * DataDirError when `dir` is not a respdb data directory.
 */
export async function analyzeDataDir(dir: string, options: BigKeysOptions = {}): Promise<BigKeysReport> {
  const top = options.top ?? DEFAULT_TOP;
  if (!Number.isInteger(top) || top < 0) throw new RangeError(`top must be a non-negative integer, got ${top}`);
  const onlyDb = options.db ?? null;
  const now = options.now ?? Date.now();
  const abs = path.resolve(dir);
  const shards = shardDirs(abs);

  const acc = {} as Record<TypeName, TypeAcc>;
  for (const t of TYPE_ORDER) {
    acc[t] = { keys: 0, members: 0, bytes: 0, byMembers: new TopN(top, (c) => c.members), byBytes: new TopN(top, (c) => c.bytes) };
  }
  const dbs = new Map<number, DbReport>();
  const report: BigKeysReport = {
    format: 1,
    dir: abs,
    shards: shards.length,
    now,
    top,
    db: onlyDb,
    keys: 0,
    expiredSkipped: 0,
    otherKeys: 0,
    keyBytes: 0,
    bytes: 0,
    types: {} as Record<TypeName, TypeReport>,
    databases: [],
    shardReports: [],
  };

  for (let i = 0; i < shards.length; i++) {
    const env = openReadOnly(shards[i]);
    try {
      report.shardReports.push(scanShard(env, i, shards.length, now, onlyDb, acc, dbs, report, options.onProgress));
    } finally {
      await env.close();
    }
  }

  for (const t of TYPE_ORDER) {
    const a = acc[t];
    const entry = (c: Cand): TopEntry => ({
      db: c.db,
      shard: c.shard,
      key: escapeKey(c.key),
      keyHex: c.key.toString('hex'),
      keyLength: c.key.length,
      members: c.members,
      bytes: c.bytes,
      expireAt: c.expireAt,
    });
    report.types[t] = {
      keys: a.keys,
      members: a.members,
      unit: MEMBER_UNIT[t],
      bytes: a.bytes,
      avgMembers: a.keys ? a.members / a.keys : 0,
      avgBytes: a.keys ? a.bytes / a.keys : 0,
      topByMembers: a.byMembers.items.map(entry),
      topByBytes: a.byBytes.items.map(entry),
    };
  }
  report.databases = [...dbs.values()].sort((a, b) => a.db - b.db);
  return report;
}

function openReadOnly(envPath: string): RootDatabase {
  // The server's maxDbs and map size (LMDB takes the larger of ours and the file's map size).
  return open({ path: envPath, readOnly: true, maxDbs: LMDB_MAX_DBS, mapSize: LMDB_MAP_SIZE, compression: false });
}

/** Scans one shard inside one read transaction, synchronously (no event-loop turn in between). */
function scanShard(
  env: RootDatabase,
  shard: number,
  shards: number,
  now: number,
  onlyDb: number | null,
  acc: Record<TypeName, TypeAcc>,
  dbs: Map<number, DbReport>,
  report: BigKeysReport,
  onProgress: ((p: Progress) => void) | undefined,
): ShardReport {
  const meta = env.openDB({ name: 'meta', ...BIN }) as unknown as Bin;
  const sub = env.openDB({ name: 'sub', ...BIN }) as unknown as Bin;
  const long = env.openDB({ name: 'long', ...BIN }) as unknown as Bin;
  const info = env.openDB({ name: 'info', ...BIN }) as unknown as Bin;
  const txn: Txn = env.useReadTransaction();
  try {
    const opt = { transaction: txn };
    // lists are read as nodes: a directory of an older data format (whose lists the server converts
    // when it opens it) would be misread
    const format = (info.getBinary as GetIn).call(info, FORMAT_KEY, opt);
    if (format && format[0] < LIST_NODES_FORMAT) throw new Error(`shard ${shard} is in data format ${format[0]}: start respdb on the directory once to convert it`);
    // physical db -> logical db, from the shard's SWAPDB map (identity where it has no entry)
    const map = (info.getBinary as GetIn).call(info, DBMAP_KEY, opt);
    const logicalOf = (p: number): number => {
      if (map) {
        const l = map.indexOf(p);
        if (l >= 0) return l;
        if (p < map.length) return -1;
      }
      return p;
    };
    const logical = new Int16Array(256);
    for (let p = 0; p < 256; p++) logical[p] = logicalOf(p);

    const records = meta.getStats() as { entryCount?: number };
    const sr: ShardReport = { shard, records: records.entryCount ?? 0, keys: 0, expiredSkipped: 0 };
    const progress: Progress = { shard, shards, scanned: 0, total: sr.records, done: false };
    onProgress?.(progress);
    let membersSeen = 0;
    const tick = (): void => {
      if (++membersSeen % PROGRESS_MEMBERS === 0) onProgress?.(progress);
    };

    /** Length of the member whose subkey is `k` ([id][member part]). */
    const memberLength = (k: Uint8Array): number => {
      const n = k.length - 8;
      if (n !== LONG_PART) return n;
      const full = (long.getBinaryFast as GetIn).call(long, Buffer.from(k), opt);
      return full ? full.length : n;
    };
    /** Stored payload bytes of a collection's members (see the header). */
    const memberBytes = (type: number, id: number): number => {
      const range = { ...idRange(id), transaction: txn };
      let total = 0;
      if (type === T_HASH) {
        for (const { key, value } of sub.getRange(range)) {
          total += memberLength(key) + value.length;
          tick();
        }
      } else if (type === T_LIST) {
        // the elements, packed in nodes (lib/store/list-nodes.ts)
        const r = new NodeReader();
        for (const { value } of sub.getRange(range)) {
          r.reset(value);
          while (r.left > 0) {
            total += r.next().length;
            tick();
          }
        }
      } else {
        const extra = type === T_ZSET ? SCORE_BYTES : 0;
        for (const key of sub.getKeys(range)) {
          total += memberLength(key) + extra;
          tick();
        }
      }
      return total;
    };

    const range: { transaction: Txn; start?: Buffer; end?: Buffer } = { transaction: txn };
    if (onlyDb !== null) {
      const p = map && onlyDb < map.length ? map[onlyDb] : onlyDb;
      range.start = Buffer.from([p]);
      range.end = Buffer.from([p + 1]);
    }
    for (const { key: mk, value: raw } of meta.getRange(range)) {
      if (++progress.scanned % PROGRESS_RECORDS === 0) onProgress?.(progress);
      const m = decodeMeta(mk, raw);
      if (m.expireAt !== 0 && m.expireAt <= now) {
        sr.expiredSkipped++;
        continue;
      }
      const db = logical[mk[0]];
      if (db < 0 || (onlyDb !== null && db !== onlyDb)) continue;
      const t = TYPE_OF_BYTE[m.type];
      if (!t) {
        report.otherKeys++;
        continue;
      }
      const userKey = isHashedMetaKey(mk) ? storedLongKey(raw)! : mk.subarray(2);
      let members: number;
      let bytes: number;
      if (m.type === T_STRING) {
        members = raw.length - m.off;
        bytes = userKey.length + members;
      } else {
        const c = collOf(userKey, m);
        members = c.count;
        bytes = userKey.length + memberBytes(m.type, c.id);
      }
      const a = acc[t];
      a.keys++;
      a.members += members;
      a.bytes += bytes;
      sr.keys++;
      report.keys++;
      report.keyBytes += userKey.length;
      report.bytes += bytes;
      let d = dbs.get(db);
      if (!d) dbs.set(db, (d = { db, keys: 0, bytes: 0 }));
      d.keys++;
      d.bytes += bytes;
      const wantM = a.byMembers.wants(members, bytes, db, userKey);
      const wantB = a.byBytes.wants(members, bytes, db, userKey);
      if (wantM || wantB) {
        const c: Cand = { db, shard, key: Buffer.from(userKey), members, bytes, expireAt: m.expireAt };
        if (wantM) a.byMembers.add(c);
        if (wantB) a.byBytes.add(c);
      }
    }
    report.expiredSkipped += sr.expiredSkipped;
    progress.done = true;
    if (progress.total < progress.scanned) progress.total = progress.scanned;
    onProgress?.(progress);
    return sr;
  } finally {
    txn.done();
  }
}

// ---------------------------------------------------------------------------
// Printable keys and the table
// ---------------------------------------------------------------------------

/** A key as redis-cli prints it, without the surrounding double quotes. */
export function escapeKey(key: Uint8Array): string {
  return escapeBytes(key);
}

/** Keys longer than this (escaped) are shortened in the table (the JSON has them whole). */
const TABLE_KEY_MAX = 64;

function shownKey(e: TopEntry): string {
  if (e.key.length <= TABLE_KEY_MAX) return `"${e.key}"`;
  return `"${e.key.slice(0, TABLE_KEY_MAX)}"... (${e.keyLength} bytes)`;
}

const PLURAL: Record<TypeName, string> = { string: 'strings', list: 'lists', set: 'sets', zset: 'zsets', hash: 'hashes' };

/** Left-aligned first column, right-aligned numbers, the last column (keys) as is. */
function grid(rows: string[][], leftCols: Set<number>): string[] {
  const widths: number[] = [];
  for (const r of rows) r.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, c.length)));
  return rows.map((r) =>
    r
      .map((c, i) => (i === r.length - 1 && leftCols.has(i) ? c : leftCols.has(i) ? c.padEnd(widths[i]) : c.padStart(widths[i])))
      .join('  ')
      .trimEnd(),
  );
}

function pct(n: number, of: number): string {
  return `${(of ? (100 * n) / of : 0).toFixed(2)}%`;
}

/** The report as text tables. */
export function renderTable(r: BigKeysReport): string {
  const out: string[] = [];
  out.push(`respdb bigkeys: ${r.dir}`);
  out.push(
    `${r.shards} shard${r.shards === 1 ? '' : 's'}, each read in one LMDB read transaction (a consistent snapshot per shard)` +
      (r.db !== null ? `; database ${r.db} only` : ''),
  );
  out.push(`Scanned at ${new Date(r.now).toISOString()}: ${r.keys} keys, ${r.expiredSkipped} expired keys skipped` + (r.otherKeys ? `, ${r.otherKeys} keys of other types skipped` : ''));
  out.push(`Total key length ${r.keyBytes} bytes (avg len ${(r.keys ? r.keyBytes / r.keys : 0).toFixed(2)}), total stored payload ${r.bytes} bytes`);
  out.push('');
  out.push('Summary by type');
  const rows: string[][] = [['type', 'keys', '% of keys', 'members', 'unit', 'avg members', 'bytes', 'avg bytes']];
  for (const t of TYPE_ORDER) {
    const x = r.types[t];
    rows.push([t, String(x.keys), pct(x.keys, r.keys), String(x.members), x.unit, x.avgMembers.toFixed(2), String(x.bytes), x.avgBytes.toFixed(2)]);
  }
  rows.push(['total', String(r.keys), pct(r.keys, r.keys), '', '', '', String(r.bytes), (r.keys ? r.bytes / r.keys : 0).toFixed(2)]);
  out.push(...grid(rows, new Set([0, 4])));
  out.push('');
  out.push('members: bytes of the value (strings), items (lists), members (sets, zsets), fields (hashes).');
  out.push('bytes: stored payload bytes = the key, plus the value (string), the elements (list), the members (set),');
  out.push('  the members and 8 bytes per score (zset), the fields and values (hash); LMDB overhead not counted.');
  if (r.databases.length > 0) {
    out.push('');
    out.push('Keys by database');
    const d: string[][] = [['db', 'keys', 'bytes']];
    for (const x of r.databases) d.push([String(x.db), String(x.keys), String(x.bytes)]);
    out.push(...grid(d, new Set()));
  }
  for (const t of TYPE_ORDER) {
    const x = r.types[t];
    for (const [what, list] of [
      [x.unit === 'bytes' ? 'value bytes' : x.unit, x.topByMembers],
      ['bytes', x.topByBytes],
    ] as const) {
      // strings by value bytes and by bytes differ only by the key; both are shown all the same
      out.push('');
      out.push(`Biggest ${PLURAL[t]} by ${what} (top ${r.top})`);
      if (list.length === 0) {
        out.push(`  (no ${PLURAL[t]})`);
        continue;
      }
      const membersHead = x.unit === 'bytes' ? 'value bytes' : x.unit;
      const rows2: string[][] = [['#', 'db', membersHead, 'bytes', 'key']];
      list.forEach((e, i) => rows2.push([String(i + 1), String(e.db), String(e.members), String(e.bytes), shownKey(e)]));
      out.push(...grid(rows2, new Set([4])));
    }
  }
  return out.join('\n') + '\n';
}
