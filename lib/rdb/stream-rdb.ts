// Streams in RDB (types 15, 19 and 7.2's 21): the entries as a chain of listpack nodes, each
// keyed by its master id (16 bytes, ms then seq, big-endian), then the stream's metadata and its
// consumer groups.
//
// A node's listpack starts with its master entry: live count, deleted count, the number of
// fields, the field names of the node's first entry, 0. Each entry follows as
//   flags, ms - master ms, seq - master seq, [field count, field, value ...] or, when the
//   entry has the master's fields (flag 2), just its values; then the number of listpack
//   elements the entry took (so it can be walked backwards). Flag 1 marks a deleted entry.
// Redis starts a new node when the tail node's bytes plus the new entry's field and value bytes
// reach stream-node-max-bytes, or it holds stream-node-max-entries entries.

import { LP_HEADER_SIZE, lpEncodeInteger, lpEncodeString, lpFromEntries, lpInteger, lpString, readListpack } from './listpack.js';
import { RdbFormatError, type RdbReader, readLengthBig, readString, writeLength, writeString } from './string.js';
import type { EncodingLimits, RdbValue, StreamConsumer, StreamEntry, StreamGroup, StreamId, StreamPendingEntry } from './value.js';

export const RDB_TYPE_STREAM_LISTPACKS = 15;
export const RDB_TYPE_STREAM_LISTPACKS_2 = 19;
export const RDB_TYPE_STREAM_LISTPACKS_3 = 21;

const FLAG_DELETED = 1n;
const FLAG_SAMEFIELDS = 2n;
const LISTPACK_MAX_SIZE = 2 ** 30;
const U64 = (1n << 64n) - 1n;

type StreamValue = Extract<RdbValue, { type: 'stream' }>;

function corrupt(what: string): RdbFormatError {
  return new RdbFormatError('corrupt', `invalid stream: ${what}`);
}

export function compareIds(a: StreamId, b: StreamId): number {
  if (a.ms !== b.ms) return a.ms < b.ms ? -1 : 1;
  return a.seq < b.seq ? -1 : a.seq > b.seq ? 1 : 0;
}

function idBytes(id: StreamId): Buffer {
  const b = Buffer.allocUnsafe(16);
  b.writeBigUInt64BE(id.ms, 0);
  b.writeBigUInt64BE(id.seq, 8);
  return b;
}

function idFromBytes(b: Buffer): StreamId {
  if (b.length !== 16) throw corrupt('a stream id that is not 16 bytes');
  return { ms: b.readBigUInt64BE(0), seq: b.readBigUInt64BE(8) };
}

interface NodeBuild {
  master: StreamId;
  fields: Buffer[];
  count: number;
  entries: Buffer[];
  entryBytes: number;
}

/** The node listpacks Redis builds by XADDing `entries` in order (key: master id bytes). */
export function buildStreamNodes(entries: readonly StreamEntry[], limits: EncodingLimits): Array<{ key: Buffer; lp: Buffer }> {
  let maxBytes = limits.streamNodeMaxBytes;
  if (maxBytes === 0 || maxBytes > LISTPACK_MAX_SIZE) maxBytes = LISTPACK_MAX_SIZE;
  const out: Array<{ key: Buffer; lp: Buffer }> = [];
  let node: NodeBuild | null = null;
  const close = () => {
    if (node === null) return;
    node.entries[0] = lpEncodeInteger(BigInt(node.count));
    out.push({ key: idBytes(node.master), lp: lpFromEntries(node.entries) });
    node = null;
  };
  for (const e of entries) {
    if (e.fields.length % 2 !== 0) throw new RangeError('a stream entry needs field/value pairs');
    const numFields = e.fields.length / 2;
    let total = 0;
    for (const f of e.fields) total += f.length;
    if (node !== null) {
      const n: NodeBuild = node;
      const bytes = LP_HEADER_SIZE + 1 + n.entryBytes;
      if (bytes + total >= maxBytes || (limits.streamNodeMaxEntries > 0 && n.count >= limits.streamNodeMaxEntries)) close();
    }
    let same: boolean;
    if (node === null) {
      const fields = e.fields.filter((_, i) => i % 2 === 0);
      const head = [lpEncodeInteger(0n), lpEncodeInteger(0n), lpEncodeInteger(BigInt(numFields)), ...fields.map(lpEncodeString), lpEncodeInteger(0n)];
      node = { master: e.id, fields, count: 0, entries: head, entryBytes: head.reduce((sum, x) => sum + x.length, 0) };
      same = true;
    } else {
      const n: NodeBuild = node;
      same = n.fields.length === numFields && n.fields.every((f, i) => f.equals(e.fields[i * 2]));
    }
    const n: NodeBuild = node;
    const countBytes = n.entries[0].length;
    n.count++;
    n.entries[0] = lpEncodeInteger(BigInt(n.count));
    let added = n.entries[0].length - countBytes;
    const add: Buffer[] = [
      lpEncodeInteger(same ? FLAG_SAMEFIELDS : 0n),
      lpEncodeInteger(BigInt.asIntN(64, e.id.ms - n.master.ms)),
      lpEncodeInteger(BigInt.asIntN(64, e.id.seq - n.master.seq)),
    ];
    if (!same) add.push(lpEncodeInteger(BigInt(numFields)));
    for (let i = 0; i < numFields; i++) {
      if (!same) add.push(lpEncodeString(e.fields[i * 2]));
      add.push(lpEncodeString(e.fields[i * 2 + 1]));
    }
    add.push(lpEncodeInteger(BigInt(numFields + 3 + (same ? 0 : numFields + 1))));
    for (const x of add) added += x.length;
    n.entries.push(...add);
    n.entryBytes += added;
  }
  close();
  return out;
}

function writeId(parts: Buffer[], id: StreamId): void {
  parts.push(writeLength(id.ms), writeLength(id.seq));
}

function writePel(parts: Buffer[], ids: readonly StreamPendingEntry[]): void {
  parts.push(writeLength(ids.length));
  for (const p of ids) {
    const b = Buffer.allocUnsafe(8);
    b.writeBigUInt64LE(BigInt.asUintN(64, p.deliveryTime), 0);
    parts.push(idBytes(p.id), b, writeLength(p.deliveryCount));
  }
}

const byName = (a: { name: Buffer }, b: { name: Buffer }) => Buffer.compare(a.name, b.name);

/** A type 19 stream body, as Redis 7.0 writes it. */
export function encodeStream(v: StreamValue, limits: EncodingLimits, compress: boolean): Buffer {
  const parts: Buffer[] = [];
  const nodes = buildStreamNodes(v.entries, limits);
  parts.push(writeLength(nodes.length));
  for (const n of nodes) parts.push(writeString(n.key, { compress }), writeString(n.lp, { compress }));
  parts.push(writeLength(v.entries.length));
  writeId(parts, v.lastId);
  writeId(parts, v.firstId);
  writeId(parts, v.maxDeletedId);
  parts.push(writeLength(v.entriesAdded));
  const groups = [...v.groups].sort(byName);
  parts.push(writeLength(groups.length));
  for (const g of groups) {
    parts.push(writeString(g.name, { compress }));
    writeId(parts, g.lastId);
    parts.push(writeLength(BigInt.asUintN(64, g.entriesRead)));
    writePel(parts, [...g.pending].sort((a, b) => compareIds(a.id, b.id)));
    const consumers = [...g.consumers].sort(byName);
    parts.push(writeLength(consumers.length));
    for (const c of consumers) {
      const seen = Buffer.allocUnsafe(8);
      seen.writeBigUInt64LE(BigInt.asUintN(64, c.seenTime), 0);
      parts.push(writeString(c.name, { compress }), seen);
      const ids = [...c.pending].sort(compareIds);
      parts.push(writeLength(ids.length));
      for (const id of ids) parts.push(idBytes(id));
    }
  }
  return Buffer.concat(parts);
}

function readNode(key: Buffer, lp: Buffer, out: StreamEntry[]): void {
  const master = idFromBytes(key);
  const items = readListpack(lp);
  if (items.length === 0) throw corrupt('an empty listpack');
  let i = 0;
  const next = (what: string) => {
    if (i >= items.length) throw corrupt(`node ends before its ${what}`);
    return items[i++];
  };
  const count = lpInteger(next('count'), 'count');
  const deleted = lpInteger(next('deleted count'), 'deleted count');
  const numFields = lpInteger(next('field count'), 'field count');
  if (numFields < 0n || numFields > BigInt(items.length)) throw corrupt('a master field count past the node');
  const fields: Buffer[] = [];
  for (let k = 0; k < Number(numFields); k++) fields.push(Buffer.from(lpString(next('master field'))));
  if (lpInteger(next('master terminator'), 'master terminator') !== 0n) throw corrupt('a master entry not ended by 0');
  let live = 0n;
  let dead = 0n;
  while (i < items.length) {
    const start = i;
    const flags = lpInteger(next('flags'), 'flags');
    const id: StreamId = {
      ms: BigInt.asUintN(64, master.ms + lpInteger(next('id'), 'id')),
      seq: BigInt.asUintN(64, master.seq + lpInteger(next('id'), 'id')),
    };
    const same = (flags & FLAG_SAMEFIELDS) !== 0n;
    const n = same ? Number(numFields) : Number(lpInteger(next('field count'), 'field count'));
    if (n < 0 || n > items.length - i) throw corrupt('an entry field count past the node');
    const values: Buffer[] = [];
    for (let k = 0; k < n; k++) {
      values.push(same ? fields[k] : Buffer.from(lpString(next('field'))));
      values.push(Buffer.from(lpString(next('value'))));
    }
    const taken = BigInt(i - start);
    if (lpInteger(next('element count'), 'element count') !== taken) throw corrupt('an entry whose element count does not match');
    if ((flags & FLAG_DELETED) !== 0n) {
      dead++;
      continue;
    }
    live++;
    if (out.length > 0 && compareIds(out[out.length - 1].id, id) >= 0) throw corrupt('entry ids out of order');
    out.push({ id, fields: values });
  }
  if (live !== count || dead !== deleted) throw corrupt('node counts do not match its entries');
}

function readId(r: RdbReader): StreamId {
  const ms = readLengthBig(r);
  return { ms, seq: readLengthBig(r) };
}

function readRawId(r: RdbReader): StreamId {
  return idFromBytes(r.readBytes(16));
}

/** Redis's estimate of a group's entries-read counter, for streams saved without one (type 15). */
function estimateEntriesRead(s: StreamValue, id: StreamId): bigint {
  if (s.entriesAdded === 0n) return 0n;
  const length = BigInt(s.entries.length);
  const cmpLast = compareIds(id, s.lastId);
  if (length === 0n && cmpLast < 1) return s.entriesAdded;
  if (cmpLast === 0) return s.entriesAdded;
  if (cmpLast > 0) return -1n;
  const cmpFirst = compareIds(id, s.firstId);
  const noTombstones = (s.maxDeletedId.ms === 0n && s.maxDeletedId.seq === 0n) || compareIds(s.maxDeletedId, s.firstId) < 0;
  if (noTombstones) {
    if (cmpFirst < 0) return s.entriesAdded - length;
    if (cmpFirst === 0) return s.entriesAdded - length + 1n;
  }
  return -1n;
}

/** A stream body of type 15, 19 or 21, validated. */
export function decodeStream(type: number, r: RdbReader): StreamValue {
  const nodeCount = readLengthBig(r);
  const entries: StreamEntry[] = [];
  for (let k = 0n; k < nodeCount; k++) {
    // every node takes at least its two strings' length bytes: a count past the data is corrupt
    if (r.remaining < 2) throw new RdbFormatError('truncated', 'stream ends inside its nodes');
    const key = readString(r);
    const lp = readString(r);
    readNode(key, lp, entries);
  }
  const length = readLengthBig(r);
  if (length !== BigInt(entries.length)) throw corrupt(`length ${length} but ${entries.length} entries`);
  const lastId = readId(r);
  if (entries.length > 0 && compareIds(entries[entries.length - 1].id, lastId) > 0) throw corrupt('an entry after the last id');
  const s: StreamValue = {
    type: 'stream',
    entries,
    lastId,
    firstId: { ms: 0n, seq: 0n },
    maxDeletedId: { ms: 0n, seq: 0n },
    entriesAdded: length,
    groups: [],
  };
  if (type >= RDB_TYPE_STREAM_LISTPACKS_2) {
    s.firstId = readId(r);
    s.maxDeletedId = readId(r);
    s.entriesAdded = readLengthBig(r);
  } else {
    s.firstId = entries.length > 0 ? entries[0].id : { ms: U64, seq: U64 };
  }
  const groupCount = readLengthBig(r);
  for (let g = 0n; g < groupCount; g++) {
    if (r.remaining < 1) throw new RdbFormatError('truncated', 'stream ends inside its groups');
    const name = Buffer.from(readString(r));
    const lastGroupId = readId(r);
    const entriesRead = type >= RDB_TYPE_STREAM_LISTPACKS_2 ? BigInt.asIntN(64, readLengthBig(r)) : estimateEntriesRead(s, lastGroupId);
    const pelCount = readLengthBig(r);
    const pending: StreamPendingEntry[] = [];
    const pendingById = new Map<string, StreamPendingEntry>();
    for (let p = 0n; p < pelCount; p++) {
      const id = readRawId(r);
      const deliveryTime = BigInt.asIntN(64, r.readBigUInt64LE());
      const deliveryCount = readLengthBig(r);
      const e = { id, deliveryTime, deliveryCount };
      const k = `${id.ms}-${id.seq}`;
      if (pendingById.has(k)) throw corrupt('a duplicate pending entry');
      pendingById.set(k, e);
      pending.push(e);
    }
    const consumerCount = readLengthBig(r);
    const consumers: StreamConsumer[] = [];
    const owned = new Set<string>();
    for (let c = 0n; c < consumerCount; c++) {
      if (r.remaining < 1) throw new RdbFormatError('truncated', 'stream ends inside its consumers');
      const cname = Buffer.from(readString(r));
      const seenTime = BigInt.asIntN(64, r.readBigUInt64LE());
      if (type >= RDB_TYPE_STREAM_LISTPACKS_3) r.readBigUInt64LE(); // active-time: not kept
      const n = readLengthBig(r);
      const ids: StreamId[] = [];
      for (let p = 0n; p < n; p++) {
        const id = readRawId(r);
        const k = `${id.ms}-${id.seq}`;
        if (!pendingById.has(k)) throw corrupt("a consumer's pending entry missing from its group");
        if (owned.has(k)) throw corrupt('a pending entry owned twice');
        owned.add(k);
        ids.push(id);
      }
      consumers.push({ name: cname, seenTime, pending: ids });
    }
    if (owned.size !== pendingById.size) throw corrupt('a pending entry with no consumer');
    const group: StreamGroup = { name, lastId: lastGroupId, entriesRead, pending, consumers };
    s.groups.push(group);
  }
  return s;
}
