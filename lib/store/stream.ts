// Streams in a shard's store: entries, id generation, XADD / XDEL / XTRIM with Redis 7.0's node
// rules, ranges, and the stream type's key operations. Arguments and replies are
// lib/commands/stream.ts; ids are lib/store/stream-id.ts; the node layout that approximate
// trimming needs is lib/store/stream-nodes.ts.
//
// Layout, on the collections of lib/store/collections.ts: one meta record per key,
//
//   [key id][length][flags][last id 16][first id 16][max deleted id 16][entries added u64 BE]
//
// (what XINFO STREAM reports), one subkey [key id][entry id 16] -> the fields and values
// (packItems) per live entry in `sub`, and one node record per Redis listpack node in `zscore`
// under [key id][master id 16] (lib/store/stream-nodes.ts). Unlike the other collections a stream
// stays when it has no entries (XDEL / XTRIM to nothing), as in Redis.
//
// Binlog: XADD with the id it used (an auto id written out); approximate trims (MAXLEN ~, MINID ~)
// rewritten as Redis propagates them, `=` with the threshold that gives exactly what was removed
// (MAXLEN the length after the trim, MINID the first id left, deleted entries included), LIMIT
// dropped (a replica ignores it; kept, an ordinary client could not replay the `=` form); XTRIM
// and XDEL only when they removed something.

import type { StoreCtx } from './context.js';
import type { KeyTypeOps } from './key-ops.js';
import type { Found, ShardStore } from './shard-store.js';
import { EV } from './key-events.js';
import { RedisError } from '../errors.js';
import { T_STREAM, payload, type Meta } from './meta.js';
import { COLL_FIXED, type Coll, collBody, collRecord, copyCollection, idRange, logRestoredExpiry, newColl, openColl, packItems, putRestored, unpackItems } from './collections.js';
import { readU64BE, writeU64BE } from './keys.js';
import { DEL } from './effects.js';
import { type StreamId, ID_MAX, ID_ZERO, U64_MAX, compareIds, idBuf, nextId, readId, writeId } from './stream-id.js';
import { type StreamNode, decodeNode, encodeNode, entrySize, masterEntrySize, needsNewNode, setCounts } from './stream-nodes.js';

export const XADD = Buffer.from('XADD');
export const XTRIM = Buffer.from('XTRIM');
const XSETID = Buffer.from('XSETID');
const B_MAXLEN = Buffer.from('MAXLEN');
const B_EXACT = Buffer.from('=');
const B_ENTRIESADDED = Buffer.from('ENTRIESADDED');
const B_MAXDELETEDID = Buffer.from('MAXDELETEDID');

export const ID_TOO_SMALL = 'ERR The ID specified in XADD is equal or smaller than the target stream top item';
export const ID_EXHAUSTED = 'ERR The stream has exhausted the last possible ID, unable to add more items';

/** Bytes of the stream's part of the record after the collection's fixed part. */
const EXTRA = 56;

/** An open stream: its collection record and the ids kept with it. */
export interface Stream {
  c: Coll;
  last: StreamId;
  first: StreamId;
  maxDeleted: StreamId;
  added: bigint;
}

/** An entry: its id and its fields and values (field, value, ...). */
export interface StreamEntry {
  id: StreamId;
  pairs: Buffer[];
}

export interface TrimSpec {
  strategy: 'maxlen' | 'minid';
  maxlen: bigint;
  minid: StreamId;
  approx: boolean;
  /** entries a trim may remove at most (0: no limit) */
  limit: number;
}

function streamOf(c: Coll): Stream {
  const e = c.extra;
  if (e.length < EXTRA) return { c, last: ID_ZERO, first: ID_ZERO, maxDeleted: ID_ZERO, added: 0n };
  return { c, last: readId(e, 0), first: readId(e, 16), maxDeleted: readId(e, 32), added: e.readBigUInt64BE(48) };
}

/** The stream at `key` in x.db: null when missing; throws WRONGTYPE for another type. */
export function openStream(x: StoreCtx, key: Buffer, touch = true): Stream | null {
  const c = openColl(x, key, T_STREAM, touch);
  return c ? streamOf(c) : null;
}

/** The stream at `key`, or a new empty one (written by saveStream). */
export function openOrCreateStream(x: StoreCtx, key: Buffer): Stream {
  const s = openStream(x, key);
  if (s) return s;
  const f = x.store.find(x.db, key, x.now);
  return streamOf(newColl(x, key, f.mk, T_STREAM, Buffer.alloc(EXTRA)));
}

/** Writes the stream's record (an empty stream stays, as in Redis). */
export function saveStream(x: StoreCtx, s: Stream): void {
  const c = s.c;
  const e = Buffer.allocUnsafe(EXTRA);
  writeId(e, s.last, 0);
  writeId(e, s.first, 16);
  writeId(e, s.maxDeleted, 32);
  e.writeBigUInt64BE(s.added, 48);
  c.extra = e;
  const raw = collRecord(x, c);
  x.store.put(x.db, c.mk, raw, c.old);
  c.old = { mk: c.mk, raw, type: c.type, expireAt: c.old ? c.old.expireAt : 0, off: raw.length - COLL_FIXED - EXTRA };
}

// ------------------------------------------------------------------------------------------------
// Keys
// ------------------------------------------------------------------------------------------------

function entryKey(kid: number, id: StreamId): Buffer {
  const k = Buffer.allocUnsafe(24);
  writeU64BE(k, kid, 0);
  writeId(k, id, 8);
  return k;
}

const ZERO = Buffer.from([0]);

/** The key just after entryKey(kid, id) (an inclusive upper bound for forward ranges). */
function afterKey(kid: number, id: StreamId): Buffer {
  return Buffer.concat([entryKey(kid, id), ZERO]);
}

function packEntry(pairs: Buffer[]): Buffer {
  return packItems(Buffer.alloc(0), pairs);
}

function entryOf(key: Uint8Array, value: Uint8Array): StreamEntry {
  const v = Buffer.isBuffer(value) ? value : Buffer.from(value.buffer, value.byteOffset, value.length);
  return { id: readId(key, 8), pairs: unpackItems(Buffer.from(v), 0) };
}

// ------------------------------------------------------------------------------------------------
// Nodes
// ------------------------------------------------------------------------------------------------

function putNode(store: ShardStore, kid: number, n: StreamNode): void {
  store.zscore.putSync(entryKey(kid, n.master), encodeNode(n));
}

function removeNode(store: ShardStore, kid: number, n: StreamNode): void {
  store.zscore.removeSync(entryKey(kid, n.master));
}

/** The last node of the stream, or null. */
function tailNode(store: ShardStore, kid: number): StreamNode | null {
  const { start, end } = idRange(kid);
  for (const { key, value } of store.zscore.getRange({ start: end, end: start, reverse: true, limit: 1 })) {
    return decodeNode(readId(key as Buffer, 8), value as Buffer);
  }
  return null;
}

/** The node holding the entry `id` (the last one whose master id is not above it), or null. */
function nodeOf(store: ShardStore, kid: number, id: StreamId): StreamNode | null {
  for (const { key, value } of store.zscore.getRange({ start: entryKey(kid, id), end: idRange(kid).start, reverse: true, limit: 1 })) {
    return decodeNode(readId(key as Buffer, 8), value as Buffer);
  }
  return null;
}

/** The nodes, first to last (read before the caller changes any). */
function firstNodes(store: ShardStore, kid: number, limit: number): StreamNode[] {
  const { start, end } = idRange(kid);
  const out: StreamNode[] = [];
  for (const { key, value } of store.zscore.getRange({ start, end, limit })) out.push(decodeNode(readId(key as Buffer, 8), value as Buffer));
  return out;
}

// ------------------------------------------------------------------------------------------------
// Reads
// ------------------------------------------------------------------------------------------------

/** XLEN */
export function streamLength(x: StoreCtx, key: Buffer): number {
  const s = openStream(x, key);
  return s ? s.c.count : 0;
}

/**
 * The entries with ids in [start, end] (inclusive), ascending or (rev) descending, at most
 * `count` (0: all).
 */
export function entryRange(store: ShardStore, kid: number, start: StreamId, end: StreamId, count: number, rev: boolean): StreamEntry[] {
  const out: StreamEntry[] = [];
  if (compareIds(start, end) > 0) return out;
  const limit = count > 0 ? count : undefined;
  if (!rev) {
    for (const { key, value } of store.sub.getRange({ start: entryKey(kid, start), end: afterKey(kid, end), limit })) out.push(entryOf(key as Buffer, value as Buffer));
    return out;
  }
  const lo = entryKey(kid, start);
  for (const { key, value } of store.sub.getRange({ start: entryKey(kid, end), end: idRange(kid).start, reverse: true, limit: undefined })) {
    if (Buffer.compare(key as Buffer, lo) < 0) break;
    out.push(entryOf(key as Buffer, value as Buffer));
    if (limit !== undefined && out.length >= limit) break;
  }
  return out;
}

/** The first or last live entry's id (null when the stream has none). */
export function edgeId(store: ShardStore, kid: number, last: boolean): StreamId | null {
  const { start, end } = idRange(kid);
  const range = last ? { start: end, end: start, reverse: true, limit: 1 } : { start, end, limit: 1 };
  for (const key of store.sub.getKeys(range)) return readId(key as Buffer, 8);
  return null;
}

// ------------------------------------------------------------------------------------------------
// XADD
// ------------------------------------------------------------------------------------------------

export interface AddSpec {
  /** the id given (null: `*`) and whether its sequence was given (false: <ms>-*) */
  id: StreamId | null;
  seqGiven: boolean;
  noMkStream: boolean;
  trim: TrimSpec | null;
  /** index of the trim threshold in the command (rewritten in the effect), and of the id */
  trimAt: number;
  idAt: number;
}

/** The id XADD uses (Redis's streamAppendItem rules); throws when it is not above the last one. */
function newId(s: Stream, spec: AddSpec, now: number): StreamId {
  const last = s.last;
  let id: StreamId;
  if (spec.id === null) {
    const ms = BigInt(now);
    id = last.ms < ms ? { ms, seq: 0n } : (nextId(last) as StreamId);
  } else if (!spec.seqGiven) {
    if (last.ms === spec.id.ms) {
      if (last.seq === U64_MAX) throw new RedisError(ID_TOO_SMALL);
      id = { ms: last.ms, seq: last.seq + 1n };
    } else id = spec.id;
  } else id = spec.id;
  if (compareIds(id, last) <= 0) throw new RedisError(ID_TOO_SMALL);
  return id;
}

/** Appends an entry with Redis's node rules (a new node when the tail is full). */
function appendEntry(store: ShardStore, s: Stream, id: StreamId, pairs: Buffer[]): void {
  const kid = s.c.id;
  let total = 0;
  for (const p of pairs) total += p.length;
  let node = tailNode(store, kid);
  if (node === null || needsNewNode(node, total)) {
    const fields: Buffer[] = [];
    for (let i = 0; i < pairs.length; i += 2) fields.push(Buffer.from(pairs[i]));
    node = { master: id, live: 1, deleted: 0, bytes: masterEntrySize(fields), last: id, fields };
  } else setCounts(node, node.live + 1, node.deleted);
  node.bytes += entrySize(node, id, pairs);
  node.last = id;
  putNode(store, kid, node);
  store.sub.putSync(entryKey(kid, id), packEntry(pairs));
  s.c.count++;
  s.added++;
  s.last = id;
  if (s.c.count === 1) s.first = id;
}

/**
 * XADD: `cmd` is the command as sent; `pairs` its fields and values. Returns the new id, or null
 * (NOMKSTREAM on a missing key). Logs the command with its id and trim rewritten.
 */
export function streamAdd(x: StoreCtx, cmd: Buffer[], spec: AddSpec, pairs: Buffer[]): StreamId | null {
  let s = openStream(x, cmd[1]);
  if (!s) {
    if (spec.noMkStream) return null;
    s = openOrCreateStream(x, cmd[1]);
  }
  if (s.last.ms === U64_MAX && s.last.seq === U64_MAX) throw new RedisError(ID_EXHAUSTED);
  const id = newId(s, spec, x.now);
  appendEntry(x.store, s, id, pairs);
  let trimmed = 0;
  const effect = [...cmd];
  if (spec.trim) {
    trimmed = trimEntries(x.store, s, spec.trim);
    if (spec.trim.approx) rewriteTrim(x.store, s, spec.trim, effect, spec.trimAt);
  }
  saveStream(x, s);
  if (!spec.id || !spec.seqGiven) effect[spec.idAt] = idBuf(id);
  x.binlog(dropLimit(effect, spec.trimAt, spec.idAt));
  if (trimmed > 0) x.store.keyEvent(x.db, cmd[1], EV.xtrim);
  return id;
}

/** `~` becomes `=` and the threshold the one that removes exactly what this trim removed. */
function rewriteTrim(store: ShardStore, s: Stream, t: TrimSpec, effect: Buffer[], at: number): void {
  effect[at - 1] = B_EXACT;
  if (t.strategy === 'maxlen') effect[at] = Buffer.from(String(s.c.count));
  else {
    const first = firstNodes(store, s.c.id, 1);
    effect[at] = idBuf(first.length ? first[0].master : ID_MAX);
  }
}

/** The effect without LIMIT n (between the command's key and its id, or to the end for XTRIM). */
function dropLimit(effect: Buffer[], trimAt: number, end: number): Buffer[] {
  if (trimAt < 0) return effect;
  const stop = end < 0 ? effect.length : end;
  for (let i = 2; i + 1 < stop; i++) {
    if (effect[i].length === 5 && effect[i].toString('latin1').toLowerCase() === 'limit' && i !== trimAt && i !== trimAt - 1) {
      return [...effect.slice(0, i), ...effect.slice(i + 2)];
    }
  }
  return effect;
}

// ------------------------------------------------------------------------------------------------
// XDEL
// ------------------------------------------------------------------------------------------------

/** Removes one live entry (its node's counters follow, an emptied node goes). */
function deleteEntry(store: ShardStore, s: Stream, id: StreamId): boolean {
  const kid = s.c.id;
  if (!store.sub.removeSync(entryKey(kid, id))) return false;
  const node = nodeOf(store, kid, id) as StreamNode;
  if (node.live === 1) removeNode(store, kid, node);
  else {
    setCounts(node, node.live - 1, node.deleted + 1);
    putNode(store, kid, node);
  }
  s.c.count--;
  return true;
}

/** XDEL: `cmd` as sent ([name, key, id...]), `ids` parsed. Returns the number removed. */
export function streamDelete(x: StoreCtx, cmd: Buffer[], ids: StreamId[]): number {
  const s = openStream(x, cmd[1]);
  if (!s) return 0;
  let n = 0;
  let firstGone = false;
  for (const id of ids) {
    if (!deleteEntry(x.store, s, id)) continue;
    if (compareIds(id, s.first) === 0) firstGone = true;
    if (compareIds(id, s.maxDeleted) > 0) s.maxDeleted = id;
    n++;
  }
  if (!n) return 0;
  if (s.c.count === 0) s.first = ID_ZERO;
  else if (firstGone) s.first = edgeId(x.store, s.c.id, false) as StreamId;
  saveStream(x, s);
  x.binlog(cmd);
  return n;
}

// ------------------------------------------------------------------------------------------------
// Trimming (Redis's streamTrim)
// ------------------------------------------------------------------------------------------------

/** Nodes read per step while trimming. */
const TRIM_SLICE = 64;

/** Removes every live entry of `node` from `sub`. */
function removeNodeEntries(store: ShardStore, kid: number, node: StreamNode): void {
  for (const key of [...store.sub.getKeys({ start: entryKey(kid, node.master), end: afterKey(kid, node.last) })]) store.sub.removeSync(key as Buffer);
}

/** Trims `s` as XTRIM / XADD's trim option say; returns the number of entries removed. */
export function trimEntries(store: ShardStore, s: Stream, t: TrimSpec): number {
  const kid = s.c.id;
  let deleted = 0;
  outer: for (;;) {
    const nodes = firstNodes(store, kid, TRIM_SLICE);
    if (nodes.length === 0) break;
    for (const node of nodes) {
      if (t.strategy === 'maxlen' && BigInt(s.c.count) <= t.maxlen) break outer;
      const entries = node.live;
      if (t.limit && deleted + entries > t.limit) break outer;
      const whole = t.strategy === 'maxlen' ? BigInt(s.c.count - entries) >= t.maxlen : compareIds(node.last, t.minid) < 0;
      if (whole) {
        removeNodeEntries(store, kid, node);
        removeNode(store, kid, node);
        s.c.count -= entries;
        deleted += entries;
        continue;
      }
      if (t.approx) break outer;
      // within the node: its live entries from the first, while the rule asks for it
      let gone = 0;
      for (const key of [...store.sub.getKeys({ start: entryKey(kid, node.master), end: afterKey(kid, node.last) })]) {
        if (t.strategy === 'maxlen' ? BigInt(s.c.count) <= t.maxlen : compareIds(readId(key as Buffer, 8), t.minid) >= 0) break;
        store.sub.removeSync(key as Buffer);
        s.c.count--;
        gone++;
      }
      deleted += gone;
      setCounts(node, node.live - gone, node.deleted + gone);
      // (a node whose entries are all marked deleted stays, as in Redis: only XDEL drops it)
      putNode(store, kid, node);
      break outer;
    }
    if (nodes.length < TRIM_SLICE) break;
  }
  if (s.c.count === 0) s.first = ID_ZERO;
  else if (deleted) s.first = edgeId(store, kid, false) as StreamId;
  return deleted;
}

/** XTRIM: `cmd` as sent; `trimAt` the index of its threshold. Returns the number removed. */
export function streamTrim(x: StoreCtx, cmd: Buffer[], t: TrimSpec, trimAt: number): number {
  const s = openStream(x, cmd[1]);
  if (!s) return 0;
  const n = trimEntries(x.store, s, t);
  if (!n) return 0;
  saveStream(x, s);
  const effect = [...cmd];
  if (t.approx) rewriteTrim(x.store, s, t, effect, trimAt);
  x.binlog(dropLimit(effect, trimAt, -1));
  return n;
}

// ------------------------------------------------------------------------------------------------
// Key type operations: OBJECT ENCODING, COPY, cross-shard RENAME / COPY
// ------------------------------------------------------------------------------------------------

function eachEntry(store: ShardStore, kid: number, fn: (e: StreamEntry) => void): void {
  let from: StreamId | null = ID_ZERO;
  while (from) {
    const part = entryRange(store, kid, from, ID_MAX, 1000, false);
    for (const e of part) fn(e);
    if (part.length < 1000) return;
    from = nextId(part[part.length - 1].id);
  }
}

export const streamKeyType: KeyTypeOps = {
  encoding() {
    return 'stream';
  },
  refcount() {
    return 1;
  },
  // the members, nodes included, copied under a fresh id: the copy trims as the original would
  copy: copyCollection,
  dump(store, m) {
    // [record payload after the id][node count u32][nodes: key 16 + value, packed][entries: id 16 + packed entry]
    const p = payload(m);
    const kid = readU64BE(p, 0);
    const items: Buffer[] = [Buffer.from(p.subarray(8))];
    const { start, end } = idRange(kid);
    const nodes: Buffer[] = [];
    for (const { key, value } of store.zscore.getRange({ start, end })) nodes.push(Buffer.concat([(key as Buffer).subarray(8), value as Buffer]));
    items.push(packItems(Buffer.alloc(0), nodes));
    eachEntry(store, kid, (e) => {
      const k = Buffer.allocUnsafe(16);
      writeId(k, e.id, 0);
      items.push(Buffer.concat([k, packEntry(e.pairs)]));
    });
    return packItems(Buffer.alloc(0), items);
  },
  restore(x, key, to, dump, expire) {
    const [head, nodes, ...entries] = unpackItems(dump, 0);
    const kid = x.store.allocId();
    for (const n of unpackItems(nodes, 0)) {
      const k = Buffer.allocUnsafe(24);
      writeU64BE(k, kid, 0);
      n.copy(k, 8, 0, 16);
      x.store.zscore.putSync(k, Buffer.from(n.subarray(16)));
    }
    x.binlog([DEL, key]);
    const count = readU64BE(head, 0);
    if (entries.length !== count) throw new Error(`bad stream dump (${entries.length} entries, header ${count})`);
    const extra = head.subarray(COLL_FIXED - 8);
    const s = streamOf({ key, mk: to.mk, old: null, type: T_STREAM, id: kid, count, flags: head[8], extra: Buffer.from(extra) });
    for (const e of entries) {
      const k = Buffer.allocUnsafe(24);
      writeU64BE(k, kid, 0);
      e.copy(k, 8, 0, 16);
      const value = Buffer.from(e.subarray(16));
      x.store.sub.putSync(k, value);
      x.binlog([XADD, key, idBuf(readId(e, 0)), ...unpackItems(value, 0)]);
    }
    putRestored(x, key, to, T_STREAM, collBody(kid, count, head[8], extra), expire);
    // an empty stream, or one whose ids and counters are not those its entries give: XSETID
    if (count === 0) x.binlog([XADD, key, B_MAXLEN, Buffer.from('0'), idBuf(s.last.ms === 0n && s.last.seq === 0n ? { ms: 0n, seq: 1n } : s.last), ...PLACEHOLDER]);
    x.binlog([XSETID, key, idBuf(s.last), B_ENTRIESADDED, Buffer.from(String(s.added)), B_MAXDELETEDID, idBuf(s.maxDeleted)]);
    logRestoredExpiry(x, key, expire);
  },
};

const PLACEHOLDER = [Buffer.from('f'), Buffer.from('v')];


/** A stream's ids and counters, as XINFO STREAM reports them. */
export interface StreamCounters {
  last: StreamId;
  first: StreamId;
  maxDeleted: StreamId;
  added: bigint;
}

/**
 * Writes a whole stream as `key` over `to`: its entries (ascending ids) appended with Redis's node
 * rules, then its ids and counters; `expire` the exact expiry bytes. Logs DEL, XADD of each entry,
 * XSETID with the ids and counters (+ PEXPIREAT), as a cross-shard move does.
 */
export function restoreStream(x: StoreCtx, key: Buffer, to: Found, entries: Iterable<StreamEntry>, ids: StreamCounters, expire: Buffer): void {
  const s = streamOf(newColl(x, key, to.mk, T_STREAM, Buffer.alloc(EXTRA)));
  x.binlog([DEL, key]);
  for (const e of entries) {
    if (compareIds(e.id, s.last) <= 0 && s.c.count > 0) throw new RedisError('ERR Bad data format');
    appendEntry(x.store, s, e.id, e.pairs);
    x.binlog([XADD, key, idBuf(e.id), ...e.pairs]);
  }
  const count = s.c.count;
  s.last = ids.last;
  s.first = count > 0 ? s.first : ID_ZERO;
  s.maxDeleted = ids.maxDeleted;
  s.added = ids.added;
  const e = Buffer.allocUnsafe(EXTRA);
  writeId(e, s.last, 0);
  writeId(e, s.first, 16);
  writeId(e, s.maxDeleted, 32);
  e.writeBigUInt64BE(s.added, 48);
  putRestored(x, key, to, T_STREAM, collBody(s.c.id, count, 0, e), expire);
  if (count === 0) x.binlog([XADD, key, B_MAXLEN, Buffer.from('0'), idBuf(s.last.ms === 0n && s.last.seq === 0n ? { ms: 0n, seq: 1n } : s.last), ...PLACEHOLDER]);
  x.binlog([XSETID, key, idBuf(s.last), B_ENTRIESADDED, Buffer.from(String(s.added)), B_MAXDELETEDID, idBuf(s.maxDeleted)]);
  logRestoredExpiry(x, key, expire);
}

/** The ids and counters of the stream record `m`. */
export function streamCounters(m: Meta): StreamCounters {
  const p = payload(m);
  const s = streamOf({ key: Buffer.alloc(0), mk: m.mk, old: m, type: T_STREAM, id: 0, count: 0, flags: 0, extra: Buffer.from(p.subarray(COLL_FIXED)) });
  return { last: s.last, first: s.first, maxDeleted: s.maxDeleted, added: s.added };
}

/** Visits every live entry of the stream record `m`, in id order (slices of 1,000 read at a time). */
export function forEachEntry(store: ShardStore, m: Meta, fn: (e: StreamEntry) => void): void {
  eachEntry(store, readU64BE(payload(m), 0), fn);
}
