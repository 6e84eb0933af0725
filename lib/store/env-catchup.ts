// Bringing a copy of a shard environment (lib/store/env-copy.ts, taken at binlog sequence S) up to
// a newer snapshot of the same environment, without copying it all again: the binlog records
// after S name every key that changed (a record is a command of the table: its key positions,
// plus the keys of another database it writes), so each of those keys is replaced in the copy by
// its state in the newer snapshot: its meta record(s), its expires entry, its members under its key
// id (the old incarnation's members removed). The small sub-databases are brought over whole
// (info) or by difference (binlog: new entries, trimmed ones; garbage: the ids the sweep finished
// lose their members in the copy too). A record that changes keys it does not name (FLUSHDB,
// FLUSHALL, SWAPDB) makes the catch-up impossible: the caller copies everything again.

import { createHash } from 'node:crypto';
import type { Database } from 'lmdb';
import { INLINE_KEY_MAX, KEY_HASHED, KEY_INLINE, readU64BE, writeU64BE } from './keys.js';
import type { OpenEnv, ReadTxn } from './env-copy.js';

type Bin = Database<Buffer, Buffer>;

/** The keys a binlog effect changes (logical db, key), or null when it may change any key. */
export type EffectKeys = (db: number, args: Buffer[], touch: (db: number, key: Buffer) => void) => boolean;

export interface CatchUp {
  /** the newer snapshot's last binlog sequence */
  seq: number;
  /** binlog records applied */
  records: number;
  /** keys re-copied */
  keys: number;
  /** a record changed keys it does not name: copy everything again */
  full: boolean;
}

const INFO_DBMAP = Buffer.from('dbmap');
const MEMBER_DBS = ['sub', 'zscore', 'long', 'slot'] as const;

/** The records of binlog entries after `fromSeq` in a snapshot: [logical db, command args]. */
function* recordsAfter(src: OpenEnv, txn: ReadTxn, fromSeq: number): Generator<{ seq: number; db: number; args: Buffer[] }> {
  const start = Buffer.allocUnsafe(8);
  writeU64BE(start, fromSeq + 1, 0);
  for (const { value } of src.dbs.binlog.getRange({ start, transaction: txn })) {
    const v = value as Buffer;
    for (let off = 0; off + 12 <= v.length; ) {
      const seq = readU64BE(v, off);
      const len = v.readUInt32BE(off + 8);
      const rec = v.subarray(off + 12, off + 12 + len);
      off += 12 + len;
      if (seq <= fromSeq) continue;
      yield { seq, db: rec[0], args: parseRespArray(rec, 9) };
    }
  }
}

/** A RESP array of bulk strings at `p` (a binlog record's command). */
function parseRespArray(b: Buffer, p: number): Buffer[] {
  const line = (): number => {
    const e = b.indexOf(13, p);
    const n = Number(b.toString('latin1', p + 1, e));
    p = e + 2;
    return n;
  };
  const argc = line();
  const args: Buffer[] = new Array(argc);
  for (let i = 0; i < argc; i++) {
    const n = line();
    args[i] = Buffer.from(b.subarray(p, p + n));
    p += n + 2;
  }
  return args;
}

/** The meta keys a user key may be stored under in physical db `pdb`: [start, end) of a range. */
function metaRange(pdb: number, key: Buffer): { start: Buffer; end: Buffer } {
  if (key.length <= INLINE_KEY_MAX) {
    const start = Buffer.allocUnsafe(key.length + 2);
    start[0] = pdb;
    start[1] = KEY_INLINE;
    key.copy(start, 2);
    return { start, end: Buffer.concat([start, Buffer.from([0])]) };
  }
  const start = Buffer.allocUnsafe(34);
  start[0] = pdb;
  start[1] = KEY_HASHED;
  createHash('sha256').update(key).digest().copy(start, 2);
  return { start, end: Buffer.concat([start, Buffer.from([0xff, 0xff])]) };
}

function idPrefixRange(id: Buffer): { start: Buffer; end: Buffer } {
  const end = Buffer.from(id);
  // the next id: ids are u64 BE, so +1 with carry
  for (let i = 7; i >= 0; i--) {
    if (end[i] !== 0xff) {
      end[i]++;
      break;
    }
    end[i] = 0;
  }
  return { start: id, end };
}

function expiresKey(expireAt: number, mk: Buffer): Buffer {
  const k = Buffer.allocUnsafe(8 + mk.length);
  writeU64BE(k, expireAt, 0);
  mk.copy(k, 8);
  return k;
}

/** The collection id of a meta record (type != string), as its 8 key bytes. */
function collectionId(raw: Buffer): Buffer | null {
  if (raw[0] === 0) return null;
  let off = 10;
  if (raw[1] & 1) off += 4 + raw.readUInt32BE(10);
  return Buffer.from(raw.subarray(off, off + 8));
}

function removeMembers(dest: OpenEnv, id: Buffer): void {
  const r = idPrefixRange(id);
  for (const name of MEMBER_DBS) {
    const db = dest.dbs[name];
    for (const k of db.getKeys({ start: r.start, end: r.end })) db.removeSync(k as Buffer);
  }
}

function copyMembers(src: OpenEnv, txn: ReadTxn, dest: OpenEnv, id: Buffer): void {
  const r = idPrefixRange(id);
  for (const name of MEMBER_DBS) {
    const to = dest.dbs[name];
    for (const { key, value } of src.dbs[name].getRange({ start: r.start, end: r.end, transaction: txn })) to.putSync(key as Buffer, value as Buffer);
  }
}

/** Replaces one key's whole state in the copy by its state in the snapshot. */
function recopyKey(src: OpenEnv, txn: ReadTxn, dest: OpenEnv, pdb: number, key: Buffer): void {
  const { start, end } = metaRange(pdb, key);
  for (const { key: mk, value } of dest.dbs.meta.getRange({ start, end })) {
    const raw = value as Buffer;
    const m = Buffer.from(mk as Buffer);
    dest.dbs.meta.removeSync(m);
    const exp = readU64BE(raw, 2);
    if (exp) dest.dbs.expires.removeSync(expiresKey(exp, m));
    const id = collectionId(raw);
    if (id) removeMembers(dest, id);
  }
  for (const { key: mk, value } of src.dbs.meta.getRange({ start, end, transaction: txn })) {
    const raw = value as Buffer;
    dest.dbs.meta.putSync(mk as Buffer, raw);
    const exp = readU64BE(raw, 2);
    if (exp) dest.dbs.expires.putSync(expiresKey(exp, mk as Buffer), Buffer.alloc(0));
    const id = collectionId(raw);
    if (id) copyMembers(src, txn, dest, id);
  }
}

/** The small sub-databases: info whole, binlog by difference, garbage with the swept ids' members gone. */
function syncSmall(src: OpenEnv, txn: ReadTxn, dest: OpenEnv, fromSeq: number): void {
  const info = dest.dbs.info;
  info.clearSync();
  for (const { key, value } of src.dbs.info.getRange({ transaction: txn })) info.putSync(key as Buffer, value as Buffer);

  const bl = dest.dbs.binlog;
  let oldest: Buffer | null = null;
  for (const k of src.dbs.binlog.getKeys({ limit: 1, transaction: txn })) oldest = Buffer.from(k as Buffer);
  for (const k of bl.getKeys({})) {
    if (oldest !== null && Buffer.compare(k as Buffer, oldest) >= 0) break;
    bl.removeSync(Buffer.from(k as Buffer)); // trimmed from the live binlog meanwhile
  }
  const start = Buffer.allocUnsafe(8);
  writeU64BE(start, fromSeq + 1, 0);
  for (const { key, value } of src.dbs.binlog.getRange({ start, transaction: txn })) bl.putSync(key as Buffer, value as Buffer);

  const live = new Set<string>();
  for (const k of src.dbs.garbage.getKeys({ transaction: txn })) live.add((k as Buffer).toString('hex'));
  const g = dest.dbs.garbage;
  for (const { key } of g.getRange({})) {
    const id = Buffer.from(key as Buffer);
    if (!live.has(id.toString('hex'))) removeMembers(dest, id); // the live sweep finished it
  }
  g.clearSync();
  for (const { key, value } of src.dbs.garbage.getRange({ transaction: txn })) g.putSync(key as Buffer, value as Buffer);
}

/**
 * What changed after a snapshot, collected from the binlog while the copy is made and caught up:
 * the keys to copy again, up to which sequence the binlog was read, and the last entry read (if it
 * is gone from the binlog, older entries were trimmed past it: some changes may be lost).
 */
export interface Tail {
  keys: Map<string, { pdb: number; key: Buffer }>;
  seq: number;
  /** key of the last binlog entry read (null: none yet) */
  entry: Buffer | null;
  records: number;
  /** a record changed keys it does not name, or the binlog was trimmed past what was read */
  full: boolean;
}

/** A tail starting at the snapshot `txn` (the one copied): its last sequence and entry. */
export function startTail(src: OpenEnv, txn: ReadTxn, seq: number): Tail {
  let entry: Buffer | null = null;
  for (const k of src.dbs.binlog.getKeys({ reverse: true, limit: 1, transaction: txn })) entry = Buffer.from(k as Buffer);
  return { keys: new Map(), seq, entry, records: 0, full: false };
}

/** Reads the binlog of the snapshot `txn` after `tail.seq` into `tail` (the keys its records name). */
export function scanTail(src: OpenEnv, txn: ReadTxn, tail: Tail, keysOf: EffectKeys): void {
  if (tail.full) return;
  if (tail.entry !== null) {
    const still = (src.dbs.binlog.getBinary as (k: Buffer, o: { transaction: ReadTxn }) => Buffer | undefined).call(src.dbs.binlog, tail.entry, { transaction: txn });
    if (still === undefined) {
      tail.full = true; // trimmed past what was read: changes after it may be gone
      return;
    }
  }
  const map = (src.dbs.info.getBinary as (k: Buffer, o: { transaction: ReadTxn }) => Buffer | undefined).call(src.dbs.info, INFO_DBMAP, { transaction: txn });
  const pdb = (db: number): number => (map && db < map.length ? map[db] : db);
  const start = Buffer.allocUnsafe(8);
  writeU64BE(start, tail.seq + 1, 0);
  for (const { key } of src.dbs.binlog.getRange({ start, transaction: txn })) tail.entry = Buffer.from(key as Buffer);
  for (const r of recordsAfter(src, txn, tail.seq)) {
    tail.records++;
    tail.seq = r.seq;
    const ok = keysOf(r.db, r.args, (db, key) => {
      const p = pdb(db);
      tail.keys.set(`${p}:${key.toString('latin1')}`, { pdb: p, key });
    });
    if (!ok) {
      tail.full = true;
      return;
    }
  }
}

/**
 * Brings the copy `dest` to the snapshot `txn`: the tail's keys are copied again, in one write
 * transaction of the copy, and the tail starts over from there. `fromSeq`: the copy's binlog ends
 * there (its entries after it come from the snapshot).
 */
export function applyTail(src: OpenEnv, txn: ReadTxn, dest: OpenEnv, tail: Tail, fromSeq: number): CatchUp {
  const keys = tail.keys.size;
  const records = tail.records;
  dest.env.transactionSync(() => {
    for (const { pdb: p, key } of tail.keys.values()) recopyKey(src, txn, dest, p, key);
    syncSmall(src, txn, dest, fromSeq);
  });
  tail.keys = new Map();
  tail.records = 0;
  return { seq: tail.seq, records, keys, full: false };
}

export type { Bin };
