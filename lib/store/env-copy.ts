// A copy of one shard environment's read snapshot into a new LMDB environment directory: every
// sub-database in key order, written with MDB_APPEND in large transactions, so the copy has no
// free pages and every page is full (compact by construction). The snapshot is an explicit read
// transaction (useReadTransaction), pinned by the caller at a chosen moment and held across
// event-loop turns, so the source keeps being written meanwhile and the copy is still one cut.

import { mkdirSync, statSync, unlinkSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { open, type Database, type RootDatabase } from 'lmdb';
import { LMDB_MAP_SIZE, LMDB_MAX_DBS } from './shard-store.js';
import { readU64BE } from './keys.js';

type Bin = Database<Buffer, Buffer>;
/** lmdb-js's read transaction object (Transaction is not exported as a type we can name here). */
export type ReadTxn = ReturnType<RootDatabase['useReadTransaction']>;

/** A shard environment's sub-databases (lib/store/shard-store.ts opens the same ones). */
export const SUB_DBS = ['meta', 'sub', 'zscore', 'long', 'slot', 'expires', 'binlog', 'info', 'garbage'] as const;
export type SubDbName = (typeof SUB_DBS)[number];

const BIN = { keyEncoding: 'binary' as const, encoding: 'binary' as const };
/** Entries per write transaction of the copy, and the bytes after which a transaction ends early. */
const TXN_ENTRIES = 50_000;
const TXN_BYTES = 32 << 20;
/** Per binlog record: [sequence u64 BE][length u32 BE] (lib/store/binlog.ts). */
const BINLOG_REC_HEADER = 12;

/** Counters the copy updates as it goes (a Float64Array over a SharedArrayBuffer, read by the main thread). */
export const PROGRESS_BYTES = 0;
export const PROGRESS_RECORDS = 1;
/** Records in meta copied (the keys, once meta is done: INFO's keys copied). */
export const PROGRESS_KEYS = 2;
export const PROGRESS_FIELDS = 3;

/** One environment opened for copying: the environment and its sub-databases by name. */
export interface OpenEnv {
  env: RootDatabase;
  dbs: Record<SubDbName, Bin>;
}

/** Opens (or creates) an environment with the server's settings and every sub-database. */
export function openEnv(path: string, o: { create?: boolean; mapSize?: number } = {}): OpenEnv {
  if (o.create) mkdirSync(path, { recursive: true });
  // noSubdir: false: a directory whatever its name (lmdb-js takes a name with a dot for a file)
  const env = open({ path, noSubdir: false, maxDbs: LMDB_MAX_DBS, noSync: true, compression: false, mapSize: o.mapSize ?? LMDB_MAP_SIZE });
  const dbs = {} as Record<SubDbName, Bin>;
  for (const name of SUB_DBS) dbs[name] = env.openDB({ name, ...BIN }) as unknown as Bin;
  return { env, dbs };
}

/** Pins the environment's current state as a snapshot (after commits made before this call). */
export function pinSnapshot(src: OpenEnv): ReadTxn {
  src.env.resetReadTxn();
  return src.env.useReadTransaction();
}

/** The last binlog sequence in a snapshot (0 when its binlog is empty). */
export function snapshotLastSeq(src: OpenEnv, txn: ReadTxn): number {
  for (const { value } of src.dbs.binlog.getRange({ reverse: true, limit: 1, transaction: txn })) {
    const v = value as Buffer;
    let last = 0;
    for (let off = 0; off + BINLOG_REC_HEADER <= v.length; off += BINLOG_REC_HEADER + v.readUInt32BE(off + 8)) last = readU64BE(v, off);
    return last;
  }
  return 0;
}

/** The size of the environment's data file (its map when written through a writable map: sparse). */
export function dataFileBytes(dir: string): number {
  const f = join(dir, 'data.mdb');
  return existsSync(f) ? statSync(f).size : 0;
}

/** Bytes the data file really occupies on disk (sparse files count only their written blocks). */
export function dataDiskBytes(dir: string): number {
  const f = join(dir, 'data.mdb');
  return existsSync(f) ? statSync(f).blocks * 512 : 0;
}

/**
 * Copies the snapshot `txn` of `src` into a new environment at `destPath` (which must not hold
 * one), sub-database by sub-database in key order. Yields to the event loop between transactions
 * (`yieldEvery`) so the thread can take messages; the snapshot stays pinned throughout. Throws the
 * write error (a full disk, a full map) as LMDB reports it; the caller removes the partial copy.
 */
export interface CopyOptions {
  progress?: Float64Array | null;
  shouldStop?: () => boolean;
  /** the source's data file size (the copy's map is made at least twice as large) */
  srcBytes?: number;
  /** µs to wait per record copied (rdb-key-save-delay: tests slow a copy down with it) */
  delayUs?: number;
  /** called between the copy's transactions */
  onChunk?: () => void;
}

export async function copySnapshot(src: OpenEnv, txn: ReadTxn, destPath: string, o: CopyOptions = {}): Promise<void> {
  const { progress = null, shouldStop = () => false, delayUs = 0 } = o;
  const mapSize = Math.max(LMDB_MAP_SIZE, (o.srcBytes ?? 0) * 2);
  const perTxn = delayUs > 0 ? 100 : TXN_ENTRIES;
  const dest = openEnv(destPath, { create: true, mapSize });
  try {
    for (const name of SUB_DBS) {
      const from = src.dbs[name];
      const to = dest.dbs[name];
      const it = from.getRange({ transaction: txn })[Symbol.iterator]();
      let done = false;
      while (!done) {
        if (shouldStop()) throw new Error('copy cancelled');
        dest.env.transactionSync(() => {
          let n = 0;
          let bytes = 0;
          while (n < perTxn && bytes < TXN_BYTES) {
            const r = it.next();
            if (r.done) {
              done = true;
              break;
            }
            const { key, value } = r.value as { key: Buffer; value: Buffer };
            to.putSync(key, value, { append: true });
            n++;
            bytes += key.length + value.length;
          }
          if (progress) {
            progress[PROGRESS_BYTES] += bytes;
            progress[PROGRESS_RECORDS] += n;
            if (name === 'meta') progress[PROGRESS_KEYS] += n;
          }
        });
        o.onChunk?.();
        await new Promise<void>((r) => (delayUs > 0 ? setTimeout(r, (perTxn * delayUs) / 1000) : setImmediate(r)));
      }
    }
    await new Promise<void>((resolve, reject) => (dest.env as unknown as { sync(cb: (e?: Error) => void): void }).sync((e) => (e ? reject(e) : resolve())));
  } finally {
    await dest.env.close();
  }
  // the lock file belongs to a running environment: a copy at rest needs only its data
  try {
    unlinkSync(join(destPath, 'lock.mdb'));
  } catch {
    /* none */
  }
}
