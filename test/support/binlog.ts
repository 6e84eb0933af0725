// Reading respdb's binlog in tests: start a respdb on a data dir that outlives it, read every
// shard's `binlog` sub-database from the stopped server's LMDB environments, merge the shards'
// records by their global sequence number, and replay them into another server (redis-server).
//
// Layout (written by ShardStore.writeBinlogEntry in lib/store/shard-store.ts): one LMDB entry per
// write transaction in the `binlog` sub-database of each shard's environment `<dir>/shard-<n>`:
//   key:   [sequence u64 BE of its first record]
//   value: records one after the other, each
//          [sequence u64 BE][length u32 BE][db u8][time ms u64 BE][the command as a RESP array]
// (one sequence counter shared by all shards, so records merge into one order).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { open } from 'lmdb';
import { formatCommand, startRespdb, type RespdbProc } from './servers.js';
import type { RawClient } from './resp-client.js';

/** Where the RESP command starts in a record: after [db u8][time ms u64 BE]. */
export const BINLOG_COMMAND_OFFSET = 9;
/** [sequence u64 BE][length u32 BE] before each record of an entry. */
const RECORD_HEADER = 12;

/** One binlog record, decoded. */
export interface BinlogRecord {
  /** Global sequence number (the record's key). */
  seq: bigint;
  /** Logical db the command applies to. */
  db: number;
  /** Wall-clock ms at which the record was written. */
  time: number;
  /** The command and its arguments (copies, not views into LMDB memory). */
  args: Buffer[];
}

/**
 * The arguments of a RESP array of bulk strings (`*<n>\r\n` then `$<len>\r\n<bytes>\r\n` per
 * argument), as the binlog stores a command. Each argument is a copy.
 */
export function parseRespCommand(b: Buffer): Buffer[] {
  let pos = 0;
  const line = (): string => {
    const e = b.indexOf('\r\n', pos);
    const s = b.toString('latin1', pos, e);
    pos = e + 2;
    return s;
  };
  const head = line();
  if (head[0] !== '*') throw new Error(`binlog record is not an array: ${head}`);
  const n = Number(head.slice(1));
  const out: Buffer[] = [];
  for (let i = 0; i < n; i++) {
    const len = Number(line().slice(1));
    out.push(Buffer.from(b.subarray(pos, pos + len)));
    pos += len + 2;
  }
  return out;
}

/** Decodes one binlog entry (a transaction's records); its key is its first record's sequence. */
export function decodeBinlogEntry(key: Buffer, value: Buffer): BinlogRecord[] {
  const out: BinlogRecord[] = [];
  for (let off = 0; off < value.length; ) {
    const len = value.readUInt32BE(off + 8);
    const rec = value.subarray(off + RECORD_HEADER, off + RECORD_HEADER + len);
    out.push({
      seq: value.readBigUInt64BE(off),
      db: rec[0],
      time: Number(rec.readBigUInt64BE(1)),
      args: parseRespCommand(rec.subarray(BINLOG_COMMAND_OFFSET)),
    });
    off += RECORD_HEADER + len;
  }
  if (out.length === 0 || out[0].seq !== key.readBigUInt64BE(0)) throw new Error('binlog entry key is not its first sequence');
  return out;
}

/**
 * The binlog records of one shard of a stopped respdb's data dir, in that shard's key order
 * (ascending sequence). The environment is opened read-only and closed again.
 */
export async function readShardBinlog(dir: string, shard: number): Promise<BinlogRecord[]> {
  const env = open({ path: path.join(dir, `shard-${shard}`), readOnly: true, maxDbs: 12 });
  const recs: BinlogRecord[] = [];
  try {
    const db = env.openDB({ name: 'binlog', keyEncoding: 'binary', encoding: 'binary' });
    for (const { key, value } of db.getRange({})) recs.push(...decodeBinlogEntry(key as Buffer, value as Buffer));
  } finally {
    await env.close();
  }
  return recs;
}

/** Every shard's binlog records of a stopped respdb's data dir, merged by global sequence. */
export async function readBinlog(dir: string, nshards: number): Promise<BinlogRecord[]> {
  const recs: BinlogRecord[] = [];
  for (let s = 0; s < nshards; s++) recs.push(...(await readShardBinlog(dir, s)));
  return recs.sort((a, b) => (a.seq < b.seq ? -1 : a.seq > b.seq ? 1 : 0));
}

/** A record's arguments as latin1 text. */
export function recordText(r: Pick<BinlogRecord, 'args'>): string[] {
  return r.args.map((a) => a.toString('latin1'));
}

/**
 * Sends the records, in order, to `cl` in one pipeline, with a SELECT before each change of db
 * (starting from db 0) and a final SELECT 0. Returns the errors, as "<command>: <error>", of every
 * command sent (none when everything applied).
 */
export async function replayBinlog(cl: RawClient, recs: readonly BinlogRecord[]): Promise<string[]> {
  const cmds: Buffer[][] = [];
  let cur = 0;
  for (const r of recs) {
    if (r.db !== cur) {
      cmds.push([Buffer.from('SELECT'), Buffer.from(String(r.db))]);
      cur = r.db;
    }
    cmds.push(r.args);
  }
  cmds.push([Buffer.from('SELECT'), Buffer.from('0')]);
  const replies = await cl.pipeline(cmds);
  const errors: string[] = [];
  replies.forEach((x, i) => {
    if (x.t === 'error') errors.push(`${formatCommand(cmds[i])}: ${x.v}`);
  });
  return errors;
}

/** The parts of a tap `Test` startBinlogRespdb uses. */
interface Teardown {
  teardown(fn: () => unknown): void;
}

export interface BinlogRespdb {
  srv: RespdbProc;
  /** Its data dir (a fresh temp dir, removed at teardown). */
  dir: string;
  /** Stops the server (the data dir stays until teardown, for readBinlog). */
  stop(): Promise<void>;
}

/**
 * Starts a respdb with `nshards` shards on a fresh temp data dir named after `label`
 * (respdb-<label>-binlog-*) that is kept after the server stops, so its binlog can be read; the
 * teardown stops the server if the test did not and removes the dir.
 */
export async function startBinlogRespdb(t: Teardown, nshards: number, label: string): Promise<BinlogRespdb> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `respdb-${label}-binlog-`));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const srv = await startRespdb({ shards: nshards, dir });
  let stopped = false;
  t.teardown(async () => {
    if (!stopped) await srv.stop();
  });
  return {
    srv,
    dir,
    async stop() {
      await srv.stop();
      stopped = true;
    },
  };
}
