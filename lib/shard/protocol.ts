// Wire format between the main thread and a shard (inside the SharedArrayBuffer rings).
//
// A frame is [u32 payload length][payload]. Request payload: [u32 count] then `count` records
//   [u8 op][u8 db][u8 proto][u8 track][u32 command index | tx id][u32 argc] then argc × ([u32 len][bytes])
// Reply payload: [u32 count] then `count` × ([u32 len][RESP bytes]), one per request record, in order.
//
// Durations (SLOWLOG, LATENCY): `track` says what the main thread wants to know of a command's
// execution time (TRACK_*). When the shard sends a duration back, the reply's [u32 len][RESP bytes]
// is followed by a timing record [u32 TIMED][f64 µs][u32 n] n × ([u32 len][bytes]) (n > 0: the
// arguments as the slow log keeps them), and the payload's count has its TIMED_FRAME bit set, so a
// frame without durations (the common case) is read exactly as before.
//
// Keyspace events (lib/store/key-events.ts): a command's events and modified keys follow its reply
// (and its timing record) as [u32 KEY_EVENTS][u32 byte length][records], and the count has its
// EVENTS_FRAME bit set; the main thread handles them before the reply, attributed to its request.
// Events of background work (the active expiry) come in a frame of their own: count 0 with
// EVENTS_FRAME, then the events record, attributed to nobody. They are written only after the
// transaction committed: an aborted batch's frame is rebuilt with errors alone.

import type { EncodingLimits } from '../rdb/value.js';
import type { KeyCounts } from '../store/shard-store.js';
export const OP_CMD = 0;
/** Nothing to report (internal steps, blocking attempts: their command is timed on the main thread). */
export const TRACK_NONE = 0;
/**
 * A client's whole command: the shard counts its duration in its own histogram table, or, at or
 * above the carry threshold (lib/latency.ts DiagShared), sends it back (with the slow log's
 * arguments at or above slowlog-log-slower-than).
 */
export const TRACK_COMMAND = 1;
/** One part of a scatter command: the duration always goes back (the main thread adds the parts). */
export const TRACK_PART = 2;
/** Marks a timing record after a reply (never a reply length: replies are shorter). */
export const TIMED = 0xffffffff;
/** Set in a reply payload's count when the frame holds timing records. */
export const TIMED_FRAME = 0x80000000;
/** Marks a keyspace events record after a reply (or first in a frame of background events). */
export const KEY_EVENTS = 0xfffffffe;
/** Set in a reply payload's count when the frame holds keyspace events records. */
export const EVENTS_FRAME = 0x40000000;
/** Stop at this point of the request stream until the coordinator unlocks (cross-shard tx). */
export const OP_LOCK = 1;

export const REC_HEADER = 12;

/** Bytes of a request record carrying `args`. */
export function recordSize(args: readonly Uint8Array[]): number {
  let size = REC_HEADER;
  for (let i = 0; i < args.length; i++) size += 4 + args[i].length;
  return size;
}

/** Writes a request record at `p` of `b` (which has recordSize(args) bytes there); returns its end. */
export function writeRecord(b: Buffer, p: number, op: number, db: number, proto: number, track: number, index: number, args: readonly Uint8Array[]): number {
  b[p] = op;
  b[p + 1] = db;
  b[p + 2] = proto;
  b[p + 3] = track;
  b.writeUInt32LE(index, p + 4);
  b.writeUInt32LE(args.length, p + 8);
  p += REC_HEADER;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    b.writeUInt32LE(a.length, p);
    b.set(a, p + 4);
    p += 4 + a.length;
  }
  return p;
}

/** The arguments of the request record at `at` (views into the frame). */
export function recordArgs(frame: Buffer, at: number): Buffer[] {
  const argc = frame.readUInt32LE(at + 8);
  const args: Buffer[] = new Array(argc);
  let p = at + REC_HEADER;
  for (let a = 0; a < argc; a++) {
    const len = frame.readUInt32LE(p);
    args[a] = frame.subarray(p + 4, p + 4 + len);
    p += 4 + len;
  }
  return args;
}

/** Control messages (postMessage) main -> shard. */
export type ToShard =
  | { t: 'step'; id: number; cmd: number; db: number; proto: number; args: Uint8Array[] }
  | { t: 'unlock'; txid: number }
  | { t: 'config'; name: string; value: string | number }
  /**
   * While the shard is locked (lib/shard/env-swap.ts: COMPACT, a full sync's load): close the
   * environment / open it again. `replaced`: the directory now holds another data set (a full
   * sync), so WATCHed keys are dirty and access times start over.
   */
  | { t: 'detach'; replaced?: boolean }
  /** `counted`: the new data set's key counts as its writer counted them (ShardStore.attach) */
  | { t: 'attach'; replaced?: boolean; counted?: KeyCounts }
  | { t: 'close' };

/** Control messages shard -> main. */
export type FromShard =
  | { t: 'ready'; lastSeq: number }
  /** `events`: the step's keyspace events records (after its commit), when it had any. */
  | { t: 'step'; id: number; reply: Uint8Array; events?: Uint8Array }
  | { t: 'unlocked'; txid: number }
  | { t: 'closed' }
  | { t: 'detached' }
  | { t: 'attached'; error?: string }
  | { t: 'fatal'; message: string }
  /** A latency event of the shard (expire-cycle, aof-fsync-always) at or above the threshold. */
  | { t: 'latency'; event: string; ms: number };

export interface ShardInit {
  index: number;
  dir: string;
  databases: number;
  reqSab: SharedArrayBuffer;
  repSab: SharedArrayBuffer;
  seqSab: SharedArrayBuffer;
  statsSab: SharedArrayBuffer;
  binlogSab: SharedArrayBuffer;
  /** ShardShared: SWAPDB map and access table, read by the main thread's direct reads. */
  sharedSab: SharedArrayBuffer;
  /** DiagShared (lib/latency.ts): duration thresholds and per-command histogram counters. */
  diagSab: SharedArrayBuffer;
  appendfsync: string;
  /** open the LMDB environment with a writable memory map (config lmdb-writemap) */
  writemap: boolean;
  binlogMaxBytes: number;
  /** Free space the data directory keeps (config disk-free-reserve; lib/store/disk-space.ts). */
  diskFreeReserve: number;
  hz: number;
  loglevel: string;
  /** Number of shards (a script on this shard checks that its keys are here). */
  shards: number;
  /** BusyBoard (lib/scripting/busy.ts): running scripts, -BUSY, SCRIPT KILL. */
  scriptSab: SharedArrayBuffer;
  /** The encoding thresholds at startup (changes come through the request stream). */
  encoding: EncodingLimits;
  /** rename-command pairs: the names scripts' redis.call use here (lib/commands/registry.ts). */
  renames: [string, string][];
}
