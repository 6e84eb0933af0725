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
/** Stop at this point of the request stream until the coordinator unlocks (cross-shard tx). */
export const OP_LOCK = 1;

export const REC_HEADER = 12;

/** Control messages (postMessage) main -> shard. */
export type ToShard =
  | { t: 'step'; id: number; cmd: number; db: number; proto: number; args: Uint8Array[] }
  | { t: 'unlock'; txid: number }
  | { t: 'config'; name: string; value: string | number }
  | { t: 'close' };

/** Control messages shard -> main. */
export type FromShard =
  | { t: 'ready'; lastSeq: number }
  | { t: 'step'; id: number; reply: Uint8Array }
  | { t: 'unlocked'; txid: number }
  | { t: 'closed' }
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
  hz: number;
  loglevel: string;
}
