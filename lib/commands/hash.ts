// Hash commands (Redis 7.0), on the collection layout of lib/store/collections.ts: one meta record
// per key (id, field count, flags) and one subkey [id][field] -> value per field in `sub`.
//
// - Field order: replies that list fields (HKEYS, HVALS, HGETALL, HSCAN, HRANDFIELD) give them in
//   field byte order (the subkey order), where Redis gives insertion order (listpack) or hash
//   order (hashtable); Redis documents all of them as nondeterministic_output(_order).
// - OBJECT ENCODING follows Redis's default thresholds: listpack while the hash has at most 512
//   fields and no field or value written to it was longer than 64 bytes, else hashtable (F_BIG),
//   and never back. HSETNX of an existing field converts nothing (as 7.0.15).
// - HSCAN: a listpack hash comes back whole with cursor 0 (COUNT ignored), as in Redis. A
//   hashtable hash is walked in field order, COUNT fields examined per call; the position (last
//   field returned) stays in this shard's cursor table under an opaque 64-bit id, like SCAN's.
// - HRANDFIELD: exact uniform sampling for hashes of up to 1024 fields (and whenever the reply is
//   a large fraction of the hash); bigger hashes are sampled by random walks down the implicit
//   trie of their fields (seeks only), so no call reads the whole hash: every field can come
//   up, but not with exactly equal probability.
// - Binlog: HSET/HMSET/HDEL/HINCRBY as sent, HSETNX as HSET, HINCRBYFLOAT as HSET key field
//   <exact result>, as Redis propagates it.
// - Fields of any length: a field longer than collections.INLINE_MAX stands in its subkey as a
//   long part (collections.ts).

import type { CommandDef, ShardExec } from './types.js';
import { cmd, isKw, keySpec } from './define.js';
import { scanWork, drawWork } from './work.js';
import { E, RedisError, wrongArgs } from '../errors.js';
import { T_HASH, encodeMeta, payload, type Meta } from '../store/meta.js';
import { readU64BE } from '../store/keys.js';
import type { ShardStore } from '../store/shard-store.js';
import { F_BIG, type Coll, collBody, copyCollection, idRange, memberOf, openColl, openOrCreate, putMember, removeSubKey, saveColl, subKey } from '../store/collections.js';
import { keyTypeOps } from '../store/key-types.js';
import { parseI64, INT64_MAX, INT64_MIN } from '../resp/number.js';
import { parseCursor } from '../resp/number.js';
import { formatLongDoubleHuman, ldAdd, parseLongDouble, LD_ZERO, type LongDouble } from '../resp/long-double.js';
import { emptyScanReply, parseScanOptions, scanReply } from './collection-scan.js';
import { scanStep } from '../store/collection-scan.js';
import { DEL, PEXPIREAT } from '../store/effects.js';

/** Redis 7.0 defaults: hash-max-listpack-entries 512, hash-max-listpack-value 64. */
const LISTPACK_ENTRIES = 512;
const LISTPACK_VALUE = 64;

const HSET = Buffer.from('HSET');

const HASH_NOT_INT = 'ERR hash value is not an integer';
const HASH_NOT_FLOAT = 'ERR hash value is not a float';
const NAN_OR_INF = 'ERR value is NaN or Infinity';
const OUT_OF_RANGE = 'ERR value is out of range';
const COUNT_RANGE = 'ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807';
const RANDOM_TOO_MANY = 'ERR HRANDFIELD count is too large (respdb answers at most 16777216 fields)';

const LONG_HALF = INT64_MAX / 2n;
/** Largest HRANDFIELD reply (Redis would try, and run out of memory or time, for any size). */
const MAX_RANDOM_REPLY = 1 << 24;

// ------------------------------------------------------------------------------------------------
// Helpers
// ------------------------------------------------------------------------------------------------

/** lmdb-js hands big values back as plain Uint8Arrays. */
function asBuf(v: Uint8Array): Buffer {
  return Buffer.isBuffer(v) ? v : Buffer.from(v.buffer, v.byteOffset, v.length);
}

/** The value of a field (a private copy), undefined when absent. */
function fieldValue(x: ShardExec, id: number, field: Buffer): Buffer | undefined {
  const v = x.store.sub.getBinary(subKey(id, field));
  return v === undefined ? undefined : asBuf(v);
}

function hasField(x: ShardExec, id: number, field: Buffer): boolean {
  return x.store.sub.getBinaryFast(subKey(id, field)) !== undefined;
}

/** Writes a field (Redis hashTypeSet, with its listpack -> hashtable conversion). True when new. */
function setField(x: ShardExec, c: Coll, field: Buffer, value: Buffer): boolean {
  const k = subKey(c.id, field);
  const isNew = x.store.sub.getBinaryFast(k) === undefined;
  putMember(x.store, c.id, field, value, k);
  if (isNew) c.count++;
  if (field.length > LISTPACK_VALUE || value.length > LISTPACK_VALUE || c.count > LISTPACK_ENTRIES) c.flags |= F_BIG;
  return isNew;
}

type Entry = [Buffer, Buffer];

/** Every field (and value) of a hash, in field order. */
function allEntries(store: ShardStore, id: number, values: boolean): Entry[] {
  const { start, end } = idRange(id);
  const out: Entry[] = [];
  if (values) for (const { key, value } of store.sub.getRange({ start, end })) out.push([memberOf(store, key), asBuf(value)]);
  else for (const key of store.sub.getKeys({ start, end })) out.push([memberOf(store, key as Buffer), EMPTY]);
  return out;
}

/**
 * Visits the entries of a hash in slices of `slice` (each slice read completely before `fn` sees
 * it, so `fn` may write to `sub`).
 */
function eachSlice(store: ShardStore, id: number, fn: (entries: Entry[]) => void, slice = 1024): void {
  const { start, end } = idRange(id);
  let from = start;
  let skip: Buffer | null = null;
  for (;;) {
    const part: Entry[] = [];
    let last: Buffer | null = null;
    for (const { key, value } of store.sub.getRange({ start: from, end, limit: slice + 1 })) {
      if (skip && key.equals(skip)) continue;
      if (part.length === slice) break;
      last = key;
      part.push([memberOf(store, key), asBuf(value)]);
    }
    if (part.length) fn(part);
    if (part.length < slice || !last) return;
    from = last;
    skip = last;
  }
}

const EMPTY = Buffer.alloc(0);

// ------------------------------------------------------------------------------------------------
// Commands
// ------------------------------------------------------------------------------------------------

/** HSET key field value [field value ...] / HMSET (same, replies +OK). */
function hsetGeneric(name: 'hset' | 'hmset') {
  return (x: ShardExec, args: Buffer[]): void => {
    if (args.length % 2 === 1) throw new RedisError(wrongArgs(name));
    const c = openOrCreate(x, args[1], T_HASH);
    let created = 0;
    for (let i = 2; i < args.length; i += 2) if (setField(x, c, args[i], args[i + 1])) created++;
    saveColl(x, c);
    x.binlog(args);
    if (name === 'hset') x.out.int(created);
    else x.out.ok();
  };
}

function hsetnx(x: ShardExec, args: Buffer[]): void {
  const key = args[1];
  const c = openOrCreate(x, key, T_HASH);
  if (c.old && hasField(x, c.id, args[2])) return x.out.int(0);
  setField(x, c, args[2], args[3]);
  saveColl(x, c);
  x.binlog([HSET, key, args[2], args[3]]);
  x.out.int(1);
}

function hget(x: ShardExec, args: Buffer[]): void {
  const c = openColl(x, args[1], T_HASH);
  x.out.bulk(c ? (fieldValue(x, c.id, args[2]) ?? null) : null);
}

function hmget(x: ShardExec, args: Buffer[]): void {
  const c = openColl(x, args[1], T_HASH);
  x.out.array(args.length - 2);
  for (let i = 2; i < args.length; i++) x.out.bulk(c ? (fieldValue(x, c.id, args[i]) ?? null) : null);
}

function hdel(x: ShardExec, args: Buffer[]): void {
  const c = openColl(x, args[1], T_HASH);
  if (!c) return x.out.int(0);
  let n = 0;
  for (let i = 2; i < args.length; i++) {
    const f = args[i];
    if (!removeSubKey(x.store, subKey(c.id, f))) continue;
    c.count--;
    n++;
  }
  if (n) {
    saveColl(x, c);
    x.binlog(args);
  }
  x.out.int(n);
}

function hlen(x: ShardExec, args: Buffer[]): void {
  const c = openColl(x, args[1], T_HASH);
  x.out.int(c ? c.count : 0);
}

function hstrlen(x: ShardExec, args: Buffer[]): void {
  const c = openColl(x, args[1], T_HASH);
  const v = c ? fieldValue(x, c.id, args[2]) : undefined;
  x.out.int(v ? v.length : 0);
}

function hexists(x: ShardExec, args: Buffer[]): void {
  const c = openColl(x, args[1], T_HASH);
  x.out.int(c && hasField(x, c.id, args[2]) ? 1 : 0);
}

/** HKEYS / HVALS / HGETALL */
function hgetallGeneric(keys: boolean, vals: boolean) {
  return (x: ShardExec, args: Buffer[]): void => {
    const c = openColl(x, args[1], T_HASH);
    const both = keys && vals;
    if (!c) return both ? x.out.map(0) : x.out.array(0);
    const entries = allEntries(x.store, c.id, vals);
    if (both) x.out.map(entries.length);
    else x.out.array(entries.length);
    for (const [f, v] of entries) {
      if (keys) x.out.bulk(f);
      if (vals) x.out.bulk(v);
    }
  };
}

function hincrby(x: ShardExec, args: Buffer[]): void {
  const by = parseI64(args[3]);
  if (by === null) throw new RedisError(E.notInt);
  const key = args[1];
  const c = openOrCreate(x, key, T_HASH);
  let cur = 0n;
  const v = c.old ? fieldValue(x, c.id, args[2]) : undefined;
  if (v !== undefined) {
    const n = parseI64(v);
    if (n === null) throw new RedisError(HASH_NOT_INT);
    cur = n;
  }
  const next = cur + by;
  if (next > INT64_MAX || next < INT64_MIN) throw new RedisError(E.overflow);
  setField(x, c, args[2], Buffer.from(next.toString(), 'latin1'));
  saveColl(x, c);
  x.binlog(args);
  x.out.int(next);
}

function hincrbyfloat(x: ShardExec, args: Buffer[]): void {
  const by = parseLongDouble(args[3]);
  if (by === null) throw new RedisError(E.notFloat);
  if (by.inf) throw new RedisError(NAN_OR_INF);
  const key = args[1];
  const c = openOrCreate(x, key, T_HASH);
  let cur: LongDouble = LD_ZERO;
  const v = c.old ? fieldValue(x, c.id, args[2]) : undefined;
  if (v !== undefined) {
    const d = parseLongDouble(v);
    if (d === null) throw new RedisError(HASH_NOT_FLOAT);
    cur = d;
  }
  const sum = ldAdd(cur, by);
  if (sum === null) throw new RedisError(E.nanOrInf);
  const text = Buffer.from(formatLongDoubleHuman(sum), 'latin1');
  setField(x, c, args[2], text);
  saveColl(x, c);
  // Redis replicates HINCRBYFLOAT as HSET with the final value (no float drift on replicas).
  x.binlog([HSET, key, args[2], text]);
  x.out.bulk(text);
}

// ------------------------------------------------------------------------------------------------
// HRANDFIELD
// ------------------------------------------------------------------------------------------------

/** Hashes up to this size are sampled exactly (from all their fields). */
const EXACT_SAMPLE = 1024;
function randInt(n: number): number {
  return Math.floor(Math.random() * n);
}

/** A node of the implicit trie of a hash's subkeys: the subkeys starting with a prefix. */
interface TrieNode {
  first: Buffer;
  /** length of the common prefix of all subkeys under the node */
  lcp: number;
  /** the common prefix is itself a subkey */
  hasEnd: boolean;
  /** distinct bytes that follow the common prefix */
  kids: number[];
}

/** The first byte string after every string that starts with `prefix` (null: none). */
function prefixEnd(prefix: Buffer): Buffer | null {
  let n = prefix.length;
  while (n > 0 && prefix[n - 1] === 0xff) n--;
  if (n === 0) return null;
  const e = Buffer.from(prefix.subarray(0, n));
  e[n - 1]++;
  return e;
}

function startsWith(b: Uint8Array, prefix: Uint8Array): boolean {
  if (b.length < prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) if (b[i] !== prefix[i]) return false;
  return true;
}

/**
 * Random fields of a big hash without reading all of it: a walk down the implicit trie of its
 * subkeys (seeks only), taking a uniformly random branch (or the end of a field) at each
 * branching point. Fields are not picked exactly uniformly (a field in a small branch is more
 * likely than one in a big branch), but every field can come up and picks are independent.
 * Nodes are cached for one command, so many picks share the upper levels.
 */
class Sampler {
  private readonly nodes = new Map<string, TrieNode>();
  private readonly root: Buffer;

  constructor(
    private readonly store: ShardStore,
    id: number,
    private readonly values: boolean,
  ) {
    this.root = idRange(id).start;
  }

  /** The first subkey >= from that starts with `prefix`, or null. */
  private firstFrom(from: Buffer, end: Buffer | null, prefix: Uint8Array): Buffer | null {
    for (const k of this.store.sub.getKeys(end ? { start: from, end, limit: 1 } : { start: from, limit: 1 })) {
      const key = k as Buffer;
      return startsWith(key, prefix) ? Buffer.from(key) : null;
    }
    return null;
  }

  private node(prefix: Buffer): TrieNode {
    const memo = prefix.toString('latin1');
    const known = this.nodes.get(memo);
    if (known) return known;
    const end = prefixEnd(prefix);
    const first = this.firstFrom(prefix, end, prefix)!;
    let last = first;
    // lmdb-js: a reverse range starts at `start` (inclusive), so skip `end` itself.
    const rev = end ? { start: end, end: prefix, reverse: true, limit: 2 } : { start: prefix, reverse: true, limit: 2 };
    for (const k of this.store.sub.getKeys(rev)) {
      if (startsWith(k as Buffer, prefix)) {
        last = Buffer.from(k as Buffer);
        break;
      }
    }
    let lcp = prefix.length;
    while (lcp < first.length && lcp < last.length && first[lcp] === last[lcp]) lcp++;
    const hasEnd = first.length === lcp;
    const kids: number[] = [];
    if (!first.equals(last)) {
      const base = first.subarray(0, lcp);
      let at: Buffer | null = hasEnd ? this.firstFrom(Buffer.concat([base, ZERO]), end, base) : first;
      while (at && at.length > lcp) {
        const b = at[lcp];
        kids.push(b);
        if (b === 0xff) break;
        at = this.firstFrom(Buffer.concat([base, Buffer.from([b + 1])]), end, base);
      }
    }
    const n: TrieNode = { first, lcp, hasEnd, kids };
    this.nodes.set(memo, n);
    return n;
  }

  pick(): Entry {
    let prefix = this.root;
    for (;;) {
      const n = this.node(prefix);
      const r = randInt(n.kids.length + (n.hasEnd ? 1 : 0));
      if (r === n.kids.length) return this.entry(n.first);
      prefix = Buffer.concat([n.first.subarray(0, n.lcp), Buffer.from([n.kids[r]])]);
    }
  }

  private entry(subkey: Buffer): Entry {
    if (!this.values) return [memberOf(this.store, subkey), EMPTY];
    const v = this.store.sub.getBinary(subkey);
    return [memberOf(this.store, subkey), v === undefined ? EMPTY : asBuf(v)];
  }
}

const ZERO = Buffer.from([0]);

function hrandfield(x: ShardExec, args: Buffer[]): void {
  if (args.length >= 3) {
    const n = parseI64(args[2]);
    if (n === null) throw new RedisError(E.notInt);
    if (n === INT64_MIN) throw new RedisError(COUNT_RANGE);
    if (args.length > 4 || (args.length === 4 && !isKw(args[3], 'withvalues'))) throw new RedisError(E.syntax);
    const withValues = args.length === 4;
    if (withValues && (n < -LONG_HALF || n > LONG_HALF)) throw new RedisError(OUT_OF_RANGE);
    return hrandfieldCount(x, args[1], n, withValues);
  }
  const c = openColl(x, args[1], T_HASH);
  if (!c) return x.out.nil();
  const e = c.count <= EXACT_SAMPLE ? pickFrom(allEntries(x.store, c.id, false)) : new Sampler(x.store, c.id, false).pick();
  x.out.bulk(e[0]);
}

function pickFrom(all: Entry[]): Entry {
  return all[randInt(all.length)];
}

function hrandfieldCount(x: ShardExec, key: Buffer, n: bigint, withValues: boolean): void {
  const c = openColl(x, key, T_HASH);
  if (!c || n === 0n) return x.out.array(0);
  const size = c.count;
  const out = x.out;
  const nested = withValues && out.proto === 3;
  const header = (count: number): void => out.array(withValues && !nested ? count * 2 : count);
  const emit = ([f, v]: Entry): void => {
    if (nested) out.array(2);
    out.bulk(f);
    if (withValues) out.bulk(v);
  };
  if (n < 0n || n === 1n) {
    // Repetitions allowed: |n| independent picks, in random order.
    const want = n < 0n ? -n : 1n;
    if (want > BigInt(MAX_RANDOM_REPLY)) throw new RedisError(RANDOM_TOO_MANY);
    const count = Number(want);
    const picks: Entry[] = new Array(count);
    if (size <= EXACT_SAMPLE || count * 4 >= size) {
      const all = allEntries(x.store, c.id, withValues);
      for (let i = 0; i < count; i++) picks[i] = pickFrom(all);
    } else {
      const p = new Sampler(x.store, c.id, withValues);
      for (let i = 0; i < count; i++) picks[i] = p.pick();
    }
    header(count);
    for (const e of picks) emit(e);
    return;
  }
  if (n >= BigInt(size)) {
    // The whole hash.
    const all = allEntries(x.store, c.id, withValues);
    header(all.length);
    for (const e of all) emit(e);
    return;
  }
  // n distinct fields, n < size.
  const count = Number(n);
  let picks: Entry[] | null = null;
  if (size > EXACT_SAMPLE && count * 3 <= size) {
    const p = new Sampler(x.store, c.id, withValues);
    const seen = new Map<string, Entry>();
    for (let tries = count * 20 + 100; tries > 0 && seen.size < count; tries--) {
      const e = p.pick();
      const k = e[0].toString('latin1');
      if (!seen.has(k)) seen.set(k, e);
    }
    if (seen.size === count) picks = [...seen.values()];
  }
  if (!picks) {
    const all = allEntries(x.store, c.id, withValues);
    // Partial Fisher-Yates: the first `count` slots end up a uniform random subset.
    for (let i = 0; i < count; i++) {
      const j = i + randInt(all.length - i);
      const t = all[i];
      all[i] = all[j];
      all[j] = t;
    }
    picks = all.slice(0, count);
  }
  header(picks.length);
  for (const e of picks) emit(e);
}

// ------------------------------------------------------------------------------------------------
// HSCAN
// ------------------------------------------------------------------------------------------------

function hscan(x: ShardExec, args: Buffer[]): void {
  const cursor = parseCursor(args[2]);
  if (cursor === null) throw new RedisError(E.invalidCursor);
  const key = args[1];
  const c = openColl(x, key, T_HASH);
  if (!c) return emptyScanReply(x.out);
  const { count, match } = parseScanOptions(args);
  let found: Entry[];
  let next = 0n;
  if (!(c.flags & F_BIG)) {
    // listpack: everything at once, whatever the cursor and COUNT (as Redis).
    found = allEntries(x.store, c.id, true);
  } else {
    const step = scanStep(x.store, c.id, cursor, count, true);
    found = step.members.map((f, i) => [f, asBuf(step.values[i])]);
    next = step.next;
  }
  if (match) found = found.filter((e) => match!(e[0]));
  scanReply(x.out, next, found.flat());
}

// ------------------------------------------------------------------------------------------------
// Key type operations: OBJECT ENCODING, COPY, cross-shard RENAME / COPY
// ------------------------------------------------------------------------------------------------

keyTypeOps[T_HASH] = {
  encoding(m: Meta) {
    return payload(m)[16] & F_BIG ? 'hashtable' : 'listpack';
  },
  refcount() {
    return 1;
  },
  // Redis's hashTypeDup keeps the encoding (the flags travel with the record)
  copy: copyCollection,
  dump(store, m) {
    // [flags u8][count u64 BE] then per field: [u32 length][field][u32 length][value]
    const p = payload(m);
    const parts: Buffer[] = [Buffer.from([p[16]]), Buffer.from(p.subarray(8, 16))];
    eachSlice(store, readU64BE(p, 0), (part) => {
      for (const [f, v] of part) {
        const h = Buffer.allocUnsafe(4);
        h.writeUInt32BE(f.length, 0);
        const hv = Buffer.allocUnsafe(4);
        hv.writeUInt32BE(v.length, 0);
        parts.push(h, Buffer.from(f), hv, Buffer.from(v));
      }
    });
    return Buffer.concat(parts);
  },
  restore(x, key, to, dump, expire) {
    const flags = dump[0];
    const count = readU64BE(dump, 1);
    const hset: Buffer[] = [HSET, key];
    let off = 9;
    while (off < dump.length) {
      const fl = dump.readUInt32BE(off);
      const f = dump.subarray(off + 4, off + 4 + fl);
      off += 4 + fl;
      const vl = dump.readUInt32BE(off);
      hset.push(f, dump.subarray(off + 4, off + 4 + vl));
      off += 4 + vl;
    }
    if ((hset.length - 2) / 2 !== count || count === 0) throw new Error(`bad hash dump (${(hset.length - 2) / 2} fields, header ${count})`);
    const id = x.store.allocId();
    for (let i = 2; i < hset.length; i += 2) putMember(x.store, id, hset[i], hset[i + 1]);
    const raw = encodeMeta(T_HASH, readU64BE(expire, 0), x.store.longKey(key), collBody(id, count, flags));
    expire.copy(raw, 2, 0, 8);
    x.store.put(x.db, to.mk, raw, to.meta, true);
    x.binlog([DEL, key]);
    x.binlog(hset);
    const at = expire.readBigUInt64BE(0);
    if (at !== 0n) x.binlog([PEXPIREAT, key, Buffer.from(String(at))]);
  },
};

// ------------------------------------------------------------------------------------------------
// Table
// ------------------------------------------------------------------------------------------------

const H = { group: 'hash' } as const;
const spec = (flags: string[]) => [keySpec(flags)];
const ORDER_TIPS = ['nondeterministic_output_order'];
const RANDOM_TIPS = ['nondeterministic_output'];
const FAST_WRITE: CommandDef['flags'] = ['write', 'denyoom', 'fast'];
const FAST_READ: CommandDef['flags'] = ['readonly', 'fast'];
const FULL = 'O(N) where N is the size of the hash.';

export const hashCommands: CommandDef[] = [
  cmd({
    name: 'hset', arity: -4, flags: FAST_WRITE, acl: ['hash'], shard: hsetGeneric('hset'),
    keySpecs: spec(['RW', 'update']),
    summary: 'Set the string value of a hash field', since: '2.0.0', ...H,
    complexity: 'O(1) for each field/value pair added, so O(N) to add N field/value pairs when the command is called with multiple field/value pairs.',
  }),
  cmd({
    name: 'hsetnx', arity: 4, flags: FAST_WRITE, acl: ['hash'], shard: hsetnx,
    keySpecs: spec(['RW', 'insert']),
    summary: 'Set the value of a hash field, only if the field does not exist', since: '2.0.0', ...H, complexity: 'O(1)',
  }),
  cmd({
    name: 'hget', direct: true, arity: 3, flags: FAST_READ, acl: ['hash'], shard: hget,
    keySpecs: spec(['RO', 'access']),
    summary: 'Get the value of a hash field', since: '2.0.0', ...H, complexity: 'O(1)',
  }),
  cmd({
    name: 'hmget', direct: true, arity: -3, flags: FAST_READ, acl: ['hash'], shard: hmget,
    keySpecs: spec(['RO', 'access']),
    summary: 'Get the values of all the given hash fields', since: '2.0.0', ...H,
    complexity: 'O(N) where N is the number of fields being requested.',
  }),
  cmd({
    name: 'hmset', arity: -4, flags: FAST_WRITE, acl: ['hash'], shard: hsetGeneric('hmset'),
    keySpecs: spec(['RW', 'update']),
    summary: 'Set multiple hash fields to multiple values', since: '2.0.0', ...H,
    complexity: 'O(N) where N is the number of fields being set.',
  }),
  cmd({
    name: 'hdel', arity: -3, flags: ['write', 'fast'], acl: ['hash'], shard: hdel,
    keySpecs: spec(['RW', 'delete']),
    summary: 'Delete one or more hash fields', since: '2.0.0', ...H,
    complexity: 'O(N) where N is the number of fields to be removed.',
  }),
  cmd({
    name: 'hlen', direct: true, arity: 2, flags: FAST_READ, acl: ['hash'], shard: hlen,
    keySpecs: spec(['RO']),
    summary: 'Get the number of fields in a hash', since: '2.0.0', ...H, complexity: 'O(1)',
  }),
  cmd({
    name: 'hstrlen', direct: true, arity: 3, flags: FAST_READ, acl: ['hash'], shard: hstrlen,
    keySpecs: spec(['RO']),
    summary: 'Get the length of the value of a hash field', since: '3.2.0', ...H, complexity: 'O(1)',
  }),
  cmd({
    name: 'hexists', direct: true, arity: 3, flags: FAST_READ, acl: ['hash'], shard: hexists,
    keySpecs: spec(['RO']),
    summary: 'Determine if a hash field exists', since: '2.0.0', ...H, complexity: 'O(1)',
  }),
  cmd({
    name: 'hkeys', arity: 2, flags: ['readonly'], acl: ['hash'], shard: hgetallGeneric(true, false), slow: true,
    keySpecs: spec(['RO', 'access']), tips: ORDER_TIPS,
    summary: 'Get all the fields in a hash', since: '2.0.0', ...H, complexity: FULL,
  }),
  cmd({
    name: 'hvals', arity: 2, flags: ['readonly'], acl: ['hash'], shard: hgetallGeneric(false, true), slow: true,
    keySpecs: spec(['RO', 'access']), tips: ORDER_TIPS,
    summary: 'Get all the values in a hash', since: '2.0.0', ...H, complexity: FULL,
  }),
  cmd({
    name: 'hgetall', arity: 2, flags: ['readonly'], acl: ['hash'], shard: hgetallGeneric(true, true), slow: true,
    keySpecs: spec(['RO', 'access']), tips: ORDER_TIPS,
    summary: 'Get all the fields and values in a hash', since: '2.0.0', ...H, complexity: FULL,
  }),
  cmd({
    name: 'hincrby', arity: 4, flags: FAST_WRITE, acl: ['hash'], shard: hincrby,
    keySpecs: spec(['RW', 'access', 'update']),
    summary: 'Increment the integer value of a hash field by the given number', since: '2.0.0', ...H, complexity: 'O(1)',
  }),
  cmd({
    name: 'hincrbyfloat', arity: 4, flags: FAST_WRITE, acl: ['hash'], shard: hincrbyfloat,
    keySpecs: spec(['RW', 'access', 'update']),
    summary: 'Increment the float value of a hash field by the given amount', since: '2.6.0', ...H, complexity: 'O(1)',
  }),
  cmd({
    name: 'hrandfield', slowWork: drawWork, arity: -2, flags: ['readonly'], acl: ['hash'], shard: hrandfield, slow: true,
    keySpecs: spec(['RO', 'access']), tips: RANDOM_TIPS,
    summary: 'Get one or multiple random fields from a hash', since: '6.2.0', ...H,
    complexity: 'O(N) where N is the number of fields returned',
  }),
  cmd({
    name: 'hscan', slowWork: scanWork, arity: -3, flags: ['readonly'], acl: ['hash'], shard: hscan, slow: true,
    keySpecs: spec(['RO', 'access']), tips: RANDOM_TIPS,
    summary: 'Incrementally iterate hash fields and associated values', since: '2.8.0', ...H,
    complexity:
      'O(1) for every call. O(N) for a complete iteration, including enough command calls for the cursor to return back to 0. N is the number of elements inside the collection..',
  }),
];
