// A shard's records as the RDB codec's values (lib/rdb/value.ts) and back: what DUMP, DEBUG
// DIGEST, DEBUG OBJECT, `respdb-rdb export` read (readValue) and what RESTORE, MIGRATE's target
// side and `respdb-rdb import` write (writeValue).
//
// - readValue gives each type's members in the order Redis would hold them where respdb knows it:
//   lists head to tail, sorted sets by score then member bytes (Redis's order in both encodings),
//   sets that Redis keeps as an intset in numeric order (the intset's order); hashes and
//   hashtable sets in member byte order (Redis's listpack keeps insertion order and its
//   hashtables hash order, neither of which respdb records). The encoding hint is the record's
//   (F_BIG: hashtable / skiplist).
// - writeValue creates the key with the encoding Redis derives when it loads the value (rdb.c's
//   rdbLoadObject) under the current thresholds (encodingLimits): a hash read as a listpack
//   converts when it has more fields than hash-max-listpack-entries; one read as a hashtable (or
//   without a hint) also when a field or value is longer than hash-max-listpack-value; a sorted set
//   the same way with the zset-max-listpack-* limits (a skiplist within both becomes a listpack,
//   whose scores hold no -0); a set is an intset while every member is an integer and there are
//   at most set-max-intset-entries of them. Its binlog effects are those of a cross-shard move
//   (DEL, the type's writes of every member, PEXPIREAT), logged without keyspace events: the
//   caller names the change (RESTORE's `restore`...).

import type { StoreCtx } from './context.js';
import type { Found, ShardStore } from './shard-store.js';
import { RedisError } from '../errors.js';
import { T_HASH, T_LIST, T_SET, T_STREAM, T_STRING, T_ZSET, payload, type Meta } from './meta.js';
import { F_BIG, collOf } from './collections.js';
import { EV } from './key-events.js';
import { encodingLimits } from './encoding-limits.js';
import { stringKeyType } from './string.js';
import { allEntries as hashEntriesOf, restoreHash } from './hash.js';
import { listElements, restoreList } from './list-keytype.js';
import { allMembers, intsetOrder, isInt, restoreSet } from './set.js';
import { allKeys, entriesOf, restoreZset } from './zset.js';
import { forEachEntry, restoreStream, streamCounters, type StreamEntry } from './stream.js';
import type { RdbValue, StreamEntry as RdbStreamEntry } from '../rdb/value.js';

/** writeValue's refusals ("ERR ..." replies). */
export const STREAM_GROUPS_UNSUPPORTED = 'ERR Stream consumer groups are not supported by respdb: the value has consumer groups';
export const BAD_DATA = 'ERR Bad data format';

const EMPTY = Buffer.alloc(0);

/** The value of the record `m` (any type) as the codec's RdbValue. */
export function readValue(store: ShardStore, m: Meta): RdbValue {
  switch (m.type) {
    case T_STRING:
      return { type: 'string', value: Buffer.from(payload(m)) };
    case T_LIST:
      return { type: 'list', items: listElements(store, m).map((b) => Buffer.from(b)) };
    case T_SET: {
      const c = collOf(EMPTY, m);
      const big = (c.flags & F_BIG) !== 0;
      const ms = allMembers(store, c.id).map((b) => Buffer.from(b));
      return { type: 'set', members: big ? ms : intsetOrder(ms), encoding: big ? 'hashtable' : 'intset' };
    }
    case T_ZSET: {
      const c = collOf(EMPTY, m);
      const e = entriesOf(store, c, allKeys(store, c), true);
      const entries = e.ms.map((member, i) => ({ member: Buffer.from(member), score: e.ss[i] }));
      return { type: 'zset', entries, encoding: c.flags & F_BIG ? 'skiplist' : 'listpack' };
    }
    case T_HASH: {
      const c = collOf(EMPTY, m);
      const entries = hashEntriesOf(store, c.id, true).map(([f, v]): [Buffer, Buffer] => [Buffer.from(f), Buffer.from(v)]);
      return { type: 'hash', entries, encoding: c.flags & F_BIG ? 'hashtable' : 'listpack' };
    }
    case T_STREAM: {
      const entries: RdbStreamEntry[] = [];
      forEachEntry(store, m, (e) => entries.push({ id: e.id, fields: e.pairs.map((b) => Buffer.from(b)) }));
      const ids = streamCounters(m);
      return { type: 'stream', entries, lastId: ids.last, firstId: ids.first, maxDeletedId: ids.maxDeleted, entriesAdded: ids.added, groups: [] };
    }
    default:
      throw new Error(`record of unknown type ${m.type}`);
  }
}

/** The exact expiry bytes of a record (u64 BE ms, 0 = none). */
function expiryBytes(expireAt: bigint | null): Buffer {
  const b = Buffer.alloc(8);
  if (expireAt !== null && expireAt > 0n) b.writeBigUInt64BE(expireAt, 0);
  return b;
}

function longest(bufs: Iterable<Buffer>): number {
  let n = 0;
  for (const b of bufs) if (b.length > n) n = b.length;
  return n;
}

/** Whether Redis would hold a loaded hash as a hashtable (rdbLoadObject's rules). */
export function hashIsBig(v: Extract<RdbValue, { type: 'hash' }>): boolean {
  const l = encodingLimits;
  if (v.entries.length > l.hashMaxListpackEntries) return true;
  if (v.encoding === 'listpack') return false;
  for (const [f, val] of v.entries) if (f.length > l.hashMaxListpackValue || val.length > l.hashMaxListpackValue) return true;
  return false;
}

/** Whether Redis would hold a loaded sorted set as a skiplist. */
export function zsetIsBig(v: Extract<RdbValue, { type: 'zset' }>): boolean {
  const l = encodingLimits;
  if (v.entries.length > l.zsetMaxListpackEntries) return true;
  if (v.encoding === 'listpack') return false;
  return longest(v.entries.map((e) => e.member)) > l.zsetMaxListpackValue;
}

/** Whether Redis would hold a loaded set as a hashtable. */
export function setIsBig(v: Extract<RdbValue, { type: 'set' }>): boolean {
  if (v.members.length > encodingLimits.setMaxIntsetEntries) return true;
  for (const m of v.members) if (!isInt(m)) return true;
  return false;
}

/**
 * Creates `key` in `db` with `value`, replacing what `to` (x.store.find(db, key)) holds, with the
 * encoding Redis would give it on load and the expiry `expireAt` (unix ms, null: none). Returns
 * false, writing nothing, for an empty collection (Redis skips empty keys when it loads). Throws
 * "ERR Bad data format" for repeated members or stream ids out of order and refuses a stream with
 * consumer groups; nothing it wrote stays when it throws (the caller's transaction aborts).
 */
export function writeValue(x: StoreCtx, db: number, key: Buffer, to: Found, value: RdbValue, expireAt: bigint | null): boolean {
  const q: StoreCtx = { store: x.store, db, now: x.now, binlog: (args) => x.binlog(args, EV.none) };
  const expire = expiryBytes(expireAt);
  switch (value.type) {
    case 'string':
      stringKeyType.restore(q, key, to, value.value, expire);
      return true;
    case 'list':
      if (value.items.length === 0) return false;
      restoreList(q, key, to, value.items, expire);
      return true;
    case 'set':
      if (value.members.length === 0) return false;
      restoreSet(q, key, to, setIsBig(value) ? F_BIG : 0, value.members, expire);
      return true;
    case 'zset': {
      if (value.entries.length === 0) return false;
      const big = zsetIsBig(value);
      const ms: Buffer[] = [];
      const ss: number[] = [];
      for (const e of value.entries) {
        if (Number.isNaN(e.score)) throw new RedisError(BAD_DATA);
        ms.push(e.member);
        // a listpack writes an integral -0 as "0"
        ss.push(!big && e.score === 0 ? 0 : e.score);
      }
      restoreZset(q, key, to, big ? F_BIG : 0, { ms, ss }, expire);
      return true;
    }
    case 'hash': {
      if (value.entries.length === 0) return false;
      const pairs: Buffer[] = [];
      for (const [f, v] of value.entries) pairs.push(f, v);
      restoreHash(q, key, to, hashIsBig(value) ? F_BIG : 0, pairs, expire);
      return true;
    }
    case 'stream': {
      if (value.groups.length > 0) throw new RedisError(STREAM_GROUPS_UNSUPPORTED);
      const entries = (function* (): Generator<StreamEntry> {
        for (const e of value.entries) {
          if (e.fields.length === 0 || e.fields.length % 2 !== 0) throw new RedisError(BAD_DATA);
          yield { id: e.id, pairs: e.fields };
        }
      })();
      restoreStream(q, key, to, entries, { last: value.lastId, first: value.firstId, maxDeleted: value.maxDeletedId, added: value.entriesAdded }, expire);
      return true;
    }
  }
}

/** The meta type of an RdbValue (T_STRING, T_HASH...). */
export function metaType(value: RdbValue): number {
  switch (value.type) {
    case 'string':
      return T_STRING;
    case 'list':
      return T_LIST;
    case 'set':
      return T_SET;
    case 'zset':
      return T_ZSET;
    case 'hash':
      return T_HASH;
    case 'stream':
      return T_STREAM;
  }
}
