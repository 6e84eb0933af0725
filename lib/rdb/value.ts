// One key's value as the RDB codec reads and writes it: plain data, independent of how a shard
// stores it and of the encoding an RDB file used. The store rooms turn their records into these
// (DUMP, DEBUG DIGEST, export, full sync) and back (RESTORE, import).

/** How Redis holds the value in memory, which decides the RDB object type it writes. */
export type HashEncoding = 'listpack' | 'hashtable';
export type SetEncoding = 'intset' | 'hashtable';
export type ZsetEncoding = 'listpack' | 'skiplist';

export interface StreamId {
  ms: bigint;
  seq: bigint;
}

export interface StreamEntry {
  id: StreamId;
  /** field, value, field, value ... */
  fields: Buffer[];
}

export interface StreamPendingEntry {
  id: StreamId;
  /** unix ms of the last delivery */
  deliveryTime: bigint;
  deliveryCount: bigint;
}

export interface StreamConsumer {
  name: Buffer;
  /** unix ms of the consumer's last activity (seen-time) */
  seenTime: bigint;
  /** ids of its pending entries (each is in the group's pending list) */
  pending: StreamId[];
}

export interface StreamGroup {
  name: Buffer;
  lastId: StreamId;
  /** entries read (RDB_TYPE_STREAM_LISTPACKS_2 onwards); -1 when unknown */
  entriesRead: bigint;
  pending: StreamPendingEntry[];
  consumers: StreamConsumer[];
}

export type RdbValue =
  | { type: 'string'; value: Buffer }
  /** elements head to tail */
  | { type: 'list'; items: Buffer[] }
  | { type: 'set'; members: Buffer[]; encoding?: SetEncoding }
  /** entries in Redis's order: score, then member bytes */
  | { type: 'zset'; entries: Array<{ member: Buffer; score: number }>; encoding?: ZsetEncoding }
  /** field/value pairs in the order they are written (listpack: insertion order) */
  | { type: 'hash'; entries: Array<[Buffer, Buffer]>; encoding?: HashEncoding }
  | {
      type: 'stream';
      /** live entries in id order */
      entries: StreamEntry[];
      /** the stream's length: entries.length */
      lastId: StreamId;
      firstId: StreamId;
      maxDeletedId: StreamId;
      entriesAdded: bigint;
      groups: StreamGroup[];
    };

/** One key of an RDB file or a DUMP payload. */
export interface RdbKey {
  db: number;
  key: Buffer;
  value: RdbValue;
  /** unix ms, or null for no expiry */
  expireAt: bigint | null;
  /** OBJECT IDLETIME seconds from an IDLE opcode, or null */
  idle: bigint | null;
  /** LFU counter from a FREQ opcode, or null */
  freq: number | null;
}

/** The thresholds that decide how Redis would hold a value (its encoding), and so what it writes. */
export interface EncodingLimits {
  hashMaxListpackEntries: number;
  hashMaxListpackValue: number;
  zsetMaxListpackEntries: number;
  zsetMaxListpackValue: number;
  setMaxIntsetEntries: number;
  /** list-max-listpack-size: > 0 entries per node, -1..-5 = 4, 8, 16, 32, 64 KiB per node */
  listMaxListpackSize: number;
  /** list-compress-depth: nodes at each end left uncompressed (0 = none compressed) */
  listCompressDepth: number;
  streamNodeMaxBytes: number;
  streamNodeMaxEntries: number;
}

/** Redis 7.0's defaults. */
export const DEFAULT_ENCODING_LIMITS: EncodingLimits = {
  hashMaxListpackEntries: 512,
  hashMaxListpackValue: 64,
  zsetMaxListpackEntries: 128,
  zsetMaxListpackValue: 64,
  setMaxIntsetEntries: 512,
  listMaxListpackSize: -2,
  listCompressDepth: 0,
  streamNodeMaxBytes: 4096,
  streamNodeMaxEntries: 100,
};
