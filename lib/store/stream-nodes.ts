// The node layout of a stream, kept so that approximate trimming (MAXLEN ~ / MINID ~) removes
// exactly what Redis 7.0 removes.
//
// Redis stores a stream as a radix tree of listpacks ("nodes"), each holding up to
// stream-node-max-entries entries (100) or stream-node-max-bytes bytes (4096), and a `~` trim
// removes whole nodes only. Which entries share a node depends on the listpack's byte size, so
// each node's record here carries what decides it: its live and deleted entry counts, the exact
// byte size Redis's listpack would have (computed with listpack's element encodings), the id of
// its last entry (deleted or not) and its master fields (the first entry's fields, which later
// entries with the same fields do not repeat). Entries themselves are in `sub`
// (lib/store/stream.ts); a node record is in `zscore` under [key id][master id]:
//
//   [live u32 BE][deleted u32 BE][listpack bytes u32 BE][last id 16][master fields: packItems]

import { packItems, unpackItems } from './collections.js';
import { parseI64 } from '../resp/number.js';
import { type StreamId, readId, writeId } from './stream-id.js';
import { encodingLimits } from './encoding-limits.js';

/** A node's byte size cap when stream-node-max-bytes is 0 or larger (Redis's listpack limit). */
const NODE_BYTES_CAP = 1 << 30;

/**
 * The LIMIT of an approximate trim given without one: 100 nodes' worth of entries, 10000 when
 * nodes have no entry limit, at most a million (as Redis 7.0).
 */
export function defaultTrimLimit(): number {
  const n = 100 * encodingLimits.streamNodeMaxEntries;
  return n <= 0 ? 10000 : Math.min(n, 1000000);
}

export interface StreamNode {
  master: StreamId;
  live: number;
  deleted: number;
  bytes: number;
  last: StreamId;
  fields: Buffer[];
}

const NODE_FIXED = 12 + 16;

export function encodeNode(n: StreamNode): Buffer {
  const head = Buffer.allocUnsafe(NODE_FIXED);
  head.writeUInt32BE(n.live, 0);
  head.writeUInt32BE(n.deleted, 4);
  head.writeUInt32BE(n.bytes, 8);
  writeId(head, n.last, 12);
  return packItems(head, n.fields);
}

export function decodeNode(master: StreamId, v: Uint8Array): StreamNode {
  const b = Buffer.isBuffer(v) ? v : Buffer.from(v.buffer, v.byteOffset, v.length);
  return {
    master,
    live: b.readUInt32BE(0),
    deleted: b.readUInt32BE(4),
    bytes: b.readUInt32BE(8),
    last: readId(b, 12),
    fields: unpackItems(b, NODE_FIXED).map((f) => Buffer.from(f)),
  };
}

// ---- listpack element sizes (encoding + data + back length)

function backlenSize(l: number): number {
  if (l <= 127) return 1;
  if (l < 16383) return 2;
  if (l < 2097151) return 3;
  if (l < 268435455) return 4;
  return 5;
}

function intEncoded(v: bigint): number {
  if (v >= 0n && v <= 127n) return 1;
  if (v >= -4096n && v <= 4095n) return 2;
  if (v >= -32768n && v <= 32767n) return 3;
  if (v >= -8388608n && v <= 8388607n) return 4;
  if (v >= -2147483648n && v <= 2147483647n) return 5;
  return 9;
}

export function intSize(v: bigint | number): number {
  const e = intEncoded(BigInt(v));
  return e + backlenSize(e);
}

/** A string element: stored as an integer when it is one (lpStringToInt64), else as bytes. */
export function strSize(s: Buffer): number {
  const v = parseI64(s);
  if (v !== null) return intSize(v);
  const len = s.length;
  const e = len < 64 ? 1 + len : len < 4096 ? 2 + len : 5 + len;
  return e + backlenSize(e);
}

/** The difference of two u64 values as the int64 Redis stores (wrapping). */
function delta(a: bigint, b: bigint): bigint {
  return BigInt.asIntN(64, a - b);
}

/** Listpack header (total bytes u32, element count u16) and its end byte. */
const LP_EMPTY = 7;

/** The bytes of a new node whose master entry has `fields` (before its first entry). */
export function masterEntrySize(fields: Buffer[]): number {
  let n = LP_EMPTY + intSize(1) + intSize(0) + intSize(fields.length) + intSize(0);
  for (const f of fields) n += strSize(f);
  return n;
}

/** Whether `pairs` (field, value, ...) has exactly the node's master fields, in order. */
export function sameFields(node: StreamNode, pairs: Buffer[]): boolean {
  if (node.fields.length * 2 !== pairs.length) return false;
  for (let i = 0; i < node.fields.length; i++) if (!node.fields[i].equals(pairs[i * 2])) return false;
  return true;
}

/** The bytes an entry adds to a node (flags, id deltas, [count, fields], values, lp-count). */
export function entrySize(node: StreamNode, id: StreamId, pairs: Buffer[]): number {
  const nf = pairs.length / 2;
  const same = sameFields(node, pairs);
  let n = intSize(same ? 2 : 0) + intSize(delta(id.ms, node.master.ms)) + intSize(delta(id.seq, node.master.seq));
  if (same) {
    for (let i = 1; i < pairs.length; i += 2) n += strSize(pairs[i]);
    n += intSize(nf + 3);
  } else {
    n += intSize(nf);
    for (const p of pairs) n += strSize(p);
    n += intSize(2 * nf + 4);
  }
  return n;
}

/** Whether an entry of `totalLen` field and value bytes starts a new node after `tail`. */
export function needsNewNode(tail: StreamNode, totalLen: number): boolean {
  let maxBytes = encodingLimits.streamNodeMaxBytes;
  if (maxBytes === 0 || maxBytes > NODE_BYTES_CAP) maxBytes = NODE_BYTES_CAP;
  if (tail.bytes + totalLen >= maxBytes) return true;
  const maxEntries = encodingLimits.streamNodeMaxEntries;
  return maxEntries !== 0 && tail.live + tail.deleted >= maxEntries;
}

/** Changes the node's counters, keeping its byte size in step with their encodings. */
export function setCounts(node: StreamNode, live: number, deleted: number): void {
  node.bytes += intSize(live) - intSize(node.live) + intSize(deleted) - intSize(node.deleted);
  node.live = live;
  node.deleted = deleted;
}
