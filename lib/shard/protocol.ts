// Wire format between the main thread and a shard (inside the SharedArrayBuffer rings).
//
// A frame is [u32 payload length][payload]. Request payload: [u32 count] then `count` records
//   [u8 op][u8 db][u8 proto][u8 0][u32 command index | tx id][u32 argc] then argc × ([u32 len][bytes])
// Reply payload: [u32 count] then `count` × ([u32 len][RESP bytes]), one per request record, in order.

export const OP_CMD = 0;
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
  | { t: 'fatal'; message: string };

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
  appendfsync: string;
  /** open the LMDB environment with a writable memory map (config lmdb-writemap) */
  writemap: boolean;
  binlogMaxBytes: number;
  hz: number;
  loglevel: string;
}
