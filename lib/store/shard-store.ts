// One shard's LMDB environment and the key-level operations every command family builds on:
// lookup with lazy expiry, create/overwrite/delete of meta records with the expires index and key
// counts kept in step, and the binlog written in the same transaction as the data.

import { mkdirSync } from 'node:fs';
import { open, type Database, type RootDatabase } from 'lmdb';
import { INLINE_KEY_MAX, KEY_INLINE, dbRange, expiresKey, hashedMetaKey, inlineMetaKey, isHashedMetaKey, readU64BE, writeU64BE } from './keys.js';
import { decodeMeta, encodeMeta, payload, storedLongKey, withExpire, type Meta } from './meta.js';
import { BinlogRing } from '../binlog-ring.js';
import { ShardStats, STAT } from '../shard/stats.js';
import { ShardShared, accessHash } from './shared-state.js';
import { BlindCount, SpecialKeys, isSpecial } from './plain-keys.js';
import { PendingMeta } from './pending-meta.js';
import { DEL, EXEC, MULTI } from './effects.js';
import { BinlogLog } from './binlog.js';
import { GarbageList } from './garbage.js';
import { randomKey } from './random-key.js';
import { EV, KeyEventLog } from './key-events.js';
import { upgradeLists } from './list-upgrade.js';
import type { WatchTable } from './watch.js';

type Bin = Database<Buffer, Buffer>;

export interface StoreOptions {
  index: number;
  dir: string;
  databases: number;
  /** Shared global sequence counter (BigInt64Array of length 1). */
  seq: BigInt64Array;
  stats: ShardStats;
  binlogRing: BinlogRing | null;
  binlogMaxBytes: number;
  /** The SWAPDB map and access table, shared with the main thread. */
  shared: ShardShared;
  /** Writable memory map (config lmdb-writemap; the shard's own environment only). */
  writemap?: boolean;
  /**
   * A read-only view for the main thread's direct reads: no writes, no startup work (the shard
   * thread owns the environment and the shared state).
   */
  view?: boolean;
}

/** Where a key lives: its meta key, and its record when it exists (and is not expired). */
export interface Found {
  mk: Buffer;
  meta: Meta | null;
}

/** LMDB environment settings shared with tools that open a shard's environment (lib/tools/bigkeys.ts). */
export const LMDB_MAX_DBS = 12;
export const LMDB_MAP_SIZE = 1 << 30;

const INFO_DBMAP = Buffer.from('dbmap');
const INFO_NEXT_ID = Buffer.from('next-key-id');
const INFO_FORMAT = Buffer.from('format');
/**
 * Version of the on-disk layout, in `info` under `format`. 1: sets number their members in `slot`.
 * 2: lists pack their elements in nodes (lib/store/list-nodes.ts). Directories from before the
 * marker hold no sets in that layout; they are refused when they hold sets. Directories of format
 * 0 (without sets) and 1 have their lists converted in place (lib/store/list-upgrade.ts).
 */
const DATA_FORMAT = 2;

/**
 * What a shard's startup counts from `meta` (key counts per logical db, the plain-keys filter),
 * as counted by a thread that just wrote the data set (a full sync's load): attach takes it
 * instead of reading every record while the shards are held.
 */
export interface KeyCounts {
  keys: number[];
  expires: number[];
  special: Uint16Array;
}

/** Writes a store room holds in memory during a write transaction (list end nodes: lib/store/list-nodes.ts). */
export interface HeldWrites {
  /** Writes what is held (end of the transaction, still inside it). */
  write(): void;
  /** Forgets what is held (the transaction was aborted, or FLUSHALL emptied the store). */
  drop(): void;
}

export class ShardStore {
  env!: RootDatabase;
  meta!: Bin;
  sub!: Bin;
  zscore!: Bin;
  /** Members too long to be part of a key, by their subkey: [id][long part] -> member (collections.ts). */
  long!: Bin;
  /** Sets' members numbered densely, for random draws: [id][slot u64 BE] -> member part (set.ts). */
  slot!: Bin;
  /** Key ids of collections that no meta record points to any more: [id u64 BE] -> [type u8]. */
  garbage!: Bin;
  /** The members of deleted collections, waiting for the sweep (lib/store/garbage.ts). */
  private orphans!: GarbageList;
  /** This shard's binlog (lib/store/binlog.ts). */
  private log!: BinlogLog;
  /** Next collection key id (persisted in `info` with every allocation). */
  private nextId = 1;
  /** Collection records read or updated in the running write transaction (pending-meta.ts). */
  private readonly pendingMeta = new PendingMeta();
  private readonly writeMeta = (mk: Buffer, raw: Buffer): void => {
    this.meta.putSync(mk, raw);
  };
  /** The store rooms' held writes (holdWrites), written by beforeCommit. */
  private readonly held: HeldWrites[] = [];
  expires!: Bin;
  binlog!: Bin;
  info!: Bin;
  /** logical db -> physical db (SWAPDB swaps entries); shared with the main thread. */
  readonly dbmap: Uint8Array;
  /** physical db -> logical db */
  private rdbmap: number[];
  /** Set by the runtime while a write transaction is open. */
  writing = false;
  /**
   * Set by a command that runs in a transaction of its own (CommandDef.ownTransaction) to have it
   * aborted: its writes are dropped and this is its reply instead.
   */
  abortReply: Buffer | null = null;
  /** Logical db of the command being executed (binlog records carry it). */
  currentDb = 0;
  /**
   * Set by the runtime per command: it is a write. In replica mode the only writes are the
   * master's stream, which sees an expired key as stored (its DEL comes from the master).
   */
  writeLookup = false;
  /** Set by the runtime per command: lookups of read commands count as keyspace hits/misses (INFO). */
  countHits = false;
  /**
   * Misses of those lookups are `keymiss` events: a client's read (not the internal steps of
   * cross-shard commands, whose lookups Redis makes as part of a write or in another order).
   */
  missEvents = true;
  /**
   * The keyspace events and modified keys of the running transaction, collected only while
   * notifications or tracking want them (`events.active`: one check per effect otherwise).
   */
  readonly events = new KeyEventLog();
  /** SET and MSET may write without reading the old record (not in a view, nor while `new` is published). */
  private blindWrites: boolean;
  /** A read in a view met an expired key while events are collected (only the shard can expire it). */
  metExpired = false;
  /** This shard's WATCHed keys (set by the shard thread); `watching` while any key is watched. */
  watches: WatchTable | null = null;
  watching = false;
  /** OBJECT IDLETIME: keys not accessed since startup count as idle since it (ms). */
  private accessBase = Date.now();
  private readonly shared: ShardShared;
  /** Scratch meta key for peekString. */
  private readonly scratchKey = Buffer.allocUnsafe(INLINE_KEY_MAX + 2);
  /** Meta keys that may hold a collection or an expiry (null in a view: it never writes). */
  private readonly special: SpecialKeys | null;
  /** The filter was cleared in the running transaction (FLUSHALL): rebuilt from `meta` if it aborts. */
  private specialCleared = false;
  /** Key counts of the writes made without reading the old record (putPlainString). */
  private readonly blindCount: BlindCount;
  /** Scratch meta key and record for putPlainString (LMDB copies both on put). */
  private readonly plainKey = Buffer.allocUnsafe(INLINE_KEY_MAX + 2);
  private readonly plainRec = Buffer.allocUnsafe(PLAIN_SCRATCH_MAX);

  constructor(private readonly opts: StoreOptions) {
    const path = `${opts.dir}/shard-${opts.index}`;
    this.shared = opts.shared;
    this.dbmap = opts.shared.dbmap.subarray(0, opts.databases);
    if (!opts.view) mkdirSync(path, { recursive: true });
    this.openEnvironment(path);
    this.rdbmap = [];
    this.blindCount = new BlindCount(() => this.metaEntries(), opts.stats);
    this.special = opts.view ? null : new SpecialKeys();
    this.blindWrites = this.special !== null;
    if (opts.view) return;
    this.load(path);
  }

  /** Opens the environment and its sub-databases (the constructor; attach after a compaction). */
  private openEnvironment(path: string): void {
    const opts = this.opts;
    // noSync: flushing is explicit (env.sync) so appendfsync can change at runtime and `always`
    // group-commits one fsync per batch. useWritemap: see Server.useWritemap.
    this.env = open({ path, maxDbs: LMDB_MAX_DBS, noSync: true, compression: false, mapSize: LMDB_MAP_SIZE, useWritemap: !!opts.writemap });
    const bin = { keyEncoding: 'binary' as const, encoding: 'binary' as const };
    this.meta = this.env.openDB({ name: 'meta', ...bin }) as unknown as Bin;
    this.sub = this.env.openDB({ name: 'sub', ...bin }) as unknown as Bin;
    this.zscore = this.env.openDB({ name: 'zscore', ...bin }) as unknown as Bin;
    this.long = this.env.openDB({ name: 'long', ...bin }) as unknown as Bin;
    this.slot = this.env.openDB({ name: 'slot', ...bin }) as unknown as Bin;
    this.expires = this.env.openDB({ name: 'expires', ...bin }) as unknown as Bin;
    this.binlog = this.env.openDB({ name: 'binlog', ...bin }) as unknown as Bin;
    this.info = this.env.openDB({ name: 'info', ...bin }) as unknown as Bin;
    this.garbage = this.env.openDB({ name: 'garbage', ...bin }) as unknown as Bin;
    const maxBytes = (this.log as BinlogLog | undefined)?.maxBytes ?? opts.binlogMaxBytes;
    this.log = new BinlogLog(this.binlog, this.info, opts.seq, opts.binlogRing, maxBytes);
    this.orphans = new GarbageList(this.garbage, (type) => this.memberDbs(type), opts.stats);
  }

  /** The shard's own startup work: the SWAPDB map, the next key id, the binlog, the key counts. */
  private load(path: string, counted?: KeyCounts): void {
    const opts = this.opts;
    const map = this.info.getBinary(INFO_DBMAP);
    for (let i = 0; i < opts.databases; i++) this.dbmap[i] = map && i < map.length ? map[i] : i;
    this.rebuildReverseMap();
    const nid = this.info.getBinary(INFO_NEXT_ID);
    if (nid) this.nextId = readU64BE(nid, 0);
    this.log.load();
    const hasSets = counted && this.takeCounts(counted) ? false : this.countKeys();
    this.checkFormat(path, hasSets);
    this.orphans.recount();
  }

  /**
   * Closes the environment (the shard's own, between transactions) so that its directory can be
   * replaced by a compacted copy; attach() opens the new one. The store is unusable in between.
   */
  async detach(): Promise<void> {
    await new Promise<void>((r) => this.sync(() => r()));
    await this.env.close();
  }

  /**
   * Opens the environment again (a compacted copy now in the shard's directory) and reloads its
   * state. `replaced`: the directory holds another data set (a full sync's load): access times
   * start over, as Redis's after loading an RDB.
   */
  attach(replaced = false, counted?: KeyCounts): void {
    const path = `${this.opts.dir}/shard-${this.opts.index}`;
    this.pendingMeta.clear();
    this.special?.clear();
    if (replaced && !this.opts.view) {
      this.shared.access.fill(0);
      this.accessBase = Date.now();
    }
    this.openEnvironment(path);
    if (!this.opts.view) this.load(path, counted);
  }

  /** The key counts and plain-keys filter as this store keeps them (the writer of a data set; see KeyCounts). */
  counted(): KeyCounts {
    const s = this.stats;
    const keys: number[] = [];
    const expires: number[] = [];
    for (let db = 0; db < this.opts.databases; db++) {
      keys.push(s.keys(db));
      expires.push(s.expires(db));
    }
    return { keys, expires, special: this.special!.copy() };
  }

  private checkFormat(path: string, hasSets: boolean): void {
    const f = this.info.getBinary(INFO_FORMAT);
    const v = f ? f[0] : 0;
    if (v === DATA_FORMAT) return;
    if (v > DATA_FORMAT) throw new Error(`${path} was written in data format ${v} by a newer respdb (this one reads format ${DATA_FORMAT})`);
    if (v < 1 && hasSets) throw new Error(`${path} holds sets in the layout before data format 1; start from an empty data directory (or export the data with a client first)`);
    this.env.transactionSync(() => {
      upgradeLists(this);
      this.info.putSync(INFO_FORMAT, Buffer.from([DATA_FORMAT]));
    });
  }

  /** The shard's counters (key counts settled first: a batch's blind writes are counted). */
  get stats(): ShardStats {
    this.blindCount.settle();
    return this.opts.stats;
  }

  /** LMDB's entry count of `meta` in the running transaction (the Dbi's stat: O(1)). */
  private metaEntries(): number {
    return (this.meta as unknown as { db: { stat(): { entryCount: number } } }).db.stat().entryCount;
  }

  private rebuildReverseMap(): void {
    this.rdbmap = new Array(256).fill(-1);
    this.dbmap.forEach((p, l) => (this.rdbmap[p] = l));
  }

  /**
   * Key counts and the plain-keys filter from the thread that wrote this data set (a full sync's
   * load, in format DATA_FORMAT), when LMDB's entry count of `meta` agrees with them; false to
   * count them from the records.
   */
  private takeCounts(c: KeyCounts): boolean {
    const total = c.keys.reduce((a, b) => a + b, 0);
    const entries = this.env.transactionSync(() => this.metaEntries());
    const format = this.info.getBinary(INFO_FORMAT);
    if (entries !== total || c.keys.length !== this.opts.databases || !format || format[0] !== DATA_FORMAT) return false;
    const s = this.opts.stats;
    for (let db = 0; db < this.opts.databases; db++) {
      s.setKeys(db, c.keys[db]);
      s.setExpires(db, c.expires[db]);
    }
    this.special!.load(c.special);
    return true;
  }

  /**
   * Counts keys and volatile keys per database (startup; kept up to date afterwards). Returns
   * whether any set exists.
   */
  private countKeys(): boolean {
    let sets = false;
    const s = this.opts.stats;
    for (let db = 0; db < this.opts.databases; db++) {
      s.setKeys(db, 0);
      s.setExpires(db, 0);
    }
    let records = 0;
    for (const { key, value } of this.meta.getRange({})) {
      records++;
      const expireAt = readU64BE(value, 2);
      if (isSpecial(value[0], expireAt)) this.special!.add(accessHash(key));
      const l = this.rdbmap[key[0]];
      if (l < 0) continue;
      s.addKeys(l, 1);
      if (expireAt !== 0) s.addExpires(l, 1);
      if (value[0] === 3 /* T_SET */) sets = true;
    }
    // The blind writes' key counts rely on LMDB's entry count: it must agree with the records.
    const entries = this.env.transactionSync(() => this.metaEntries());
    if (entries !== records) throw new Error(`meta holds ${records} records but LMDB counts ${entries} entries`);
    return sets;
  }

  /** Highest binlog sequence stored, 0 when empty. */
  lastSeq(): number {
    return this.log.lastSeq();
  }

  /** binlog-max-size for this shard (CONFIG SET applies at runtime). */
  get binlogMaxBytes(): number {
    return this.log.maxBytes;
  }

  set binlogMaxBytes(n: number) {
    this.log.maxBytes = n;
  }

  physical(db: number): number {
    return this.dbmap[db];
  }

  /**
   * Finds a key. An expired key reads as missing; inside a write transaction it is also deleted
   * (and a DEL goes to the binlog), as Redis does on access. `touch` (default) records the access
   * for OBJECT IDLETIME; TYPE, TTL, EXISTS, OBJECT pass false as Redis's LOOKUP_NOTOUCH does.
   */
  find(db: number, key: Buffer, now: number, touch = true): Found {
    const pdb = this.dbmap[db];
    let mk: Buffer;
    let raw: Buffer | undefined;
    let h = -1; // the meta key's access hash, once computed
    if (key.length <= INLINE_KEY_MAX) {
      mk = inlineMetaKey(pdb, key);
      if (this.pendingMeta.size !== 0) raw = this.pendingMeta.get((h = accessHash(mk)), mk);
      if (raw === undefined) {
        raw = this.meta.getBinary(mk);
        if (raw !== undefined && raw[0] !== T_STRING_TYPE && this.writing) {
          if (h < 0) h = accessHash(mk);
          this.pendingMeta.set(h, mk, raw, false, this.writeMeta);
        }
      }
    } else {
      // Long keys live under sha256(key) + a probe byte; the full key in the record settles
      // collisions.
      let free: Buffer | null = null;
      mk = hashedMetaKey(pdb, key, 0);
      for (let p = 0; p < 256; p++) {
        const k = p === 0 ? mk : hashedMetaKey(pdb, key, p);
        const r = (this.pendingMeta.size !== 0 ? this.pendingMeta.get(accessHash(k), k) : undefined) ?? this.meta.getBinary(k);
        if (!r) {
          if (!free) free = k;
          break;
        }
        const full = storedLongKey(r);
        if (full && full.equals(key)) {
          mk = k;
          raw = r;
          break;
        }
      }
      if (!raw) mk = free ?? mk;
    }
    if (!raw) {
      if (this.countHits) this.miss(db, key);
      return { mk, meta: null };
    }
    const meta = decodeMeta(mk, raw);
    if (meta.expireAt !== 0 && meta.expireAt <= now && !(this.writeLookup && this.shared.replicaMode())) {
      if (this.shared.replicaMode()) {
        // a replica deletes nothing itself (the master's DEL follows in its stream), and a
        // read answers the key as missing, as a Redis 7.0 replica does
      } else if (this.writing) {
        this.remove(db, meta);
        this.opts.stats.inc(STAT.expiredKeys);
        this.appendBinlog(db, [DEL, key], EV.expired);
      } else if (this.events.active) this.metExpired = true;
      if (this.countHits) this.miss(db, key);
      return { mk, meta: null };
    }
    if (this.countHits) this.opts.stats.inc(STAT.keyspaceHits);
    if (touch) this.shared.touch(h >= 0 ? h : accessHash(mk), now);
    return { mk, meta };
  }

  /**
   * Runs the lookups `fn` makes as reads, as Redis makes a write command's lookups of its sources
   * (SINTERSTORE, ZUNIONSTORE...): keyspace hits and misses, misses are `keymiss` events.
   */
  asReads<T>(fn: () => T): T {
    const counting = this.countHits;
    this.countHits = true;
    try {
      return fn();
    } finally {
      this.countHits = counting;
    }
  }

  /**
   * A write command's lookup that Redis makes as a read (SET ... GET, GETSET): counted as a
   * keyspace hit or miss, a miss is a `keymiss` event.
   */
  readLookup(db: number, key: Buffer, hit: boolean): void {
    if (hit) this.opts.stats.inc(STAT.keyspaceHits);
    else {
      this.opts.stats.inc(STAT.keyspaceMisses);
      if (this.events.wantsMiss) this.events.keyMiss(db, key);
    }
  }

  /** A read lookup found no key (INFO keyspace_misses, the `keymiss` event). */
  private miss(db: number, key: Buffer): void {
    this.opts.stats.inc(STAT.keyspaceMisses);
    if (this.events.wantsMiss && this.missEvents) this.events.keyMiss(db, key);
  }

  /** Members of the collection at `key` (1 for a string, 0 when missing), without touching it. */
  peekCount(db: number, key: Buffer, now: number): number {
    // not a client's lookup: no keyspace hit or miss
    const counting = this.countHits;
    this.countHits = false;
    const f = this.find(db, key, now, false);
    this.countHits = counting;
    if (!f.meta) return 0;
    return f.meta.type === 0 ? 1 : readU64BE(payload(f.meta), 8);
  }

  /**
   * GET's fast path: the string value of a key as a view that is valid only until the next LMDB
   * read (copy it out at once); null when missing or expired; -1 when the key holds another type.
   * No allocation for the record: the meta key is built in a scratch buffer and read with
   * getBinaryFast. Expired keys are left to find()/the sweeper (callers in a write batch that
   * must delete them use find()).
   */
  peekString(db: number, key: Buffer, now: number): Buffer | null | -1 {
    if (key.length > INLINE_KEY_MAX || this.writing) {
      const m = this.get(db, key, now);
      if (!m) return null;
      return m.type === T_STRING_TYPE ? payload(m) : -1;
    }
    const mk = this.scratchKey;
    mk[0] = this.dbmap[db];
    mk[1] = KEY_INLINE;
    key.copy(mk, 2);
    const k = mk.subarray(0, key.length + 2);
    let raw = this.meta.getBinaryFast(k) as Buffer | Uint8Array | undefined;
    // lmdb-js hands big values back as a plain Uint8Array
    if (raw && !Buffer.isBuffer(raw)) raw = Buffer.from(raw.buffer, raw.byteOffset, raw.length);
    if (!raw || (readU64BE(raw as Buffer, 2) !== 0 && readU64BE(raw as Buffer, 2) <= now)) {
      if (raw && this.events.active) this.metExpired = true;
      if (this.countHits) this.miss(db, key);
      return null;
    }
    if (this.countHits) this.opts.stats.inc(STAT.keyspaceHits);
    this.touch(k, now);
    if (raw[0] !== T_STRING_TYPE) return -1;
    return (raw as Buffer).subarray(raw[1] & 1 ? 14 + (raw as Buffer).readUInt32BE(10) : 10);
  }

  /** find() that only returns the record. */
  get(db: number, key: Buffer, now: number, touch = true): Meta | null {
    return this.find(db, key, now, touch).meta;
  }

  /**
   * Records an access to a key (OBJECT IDLETIME), in memory only: the wall-clock second (as
   * Redis's LRU clock) in a fixed table slot chosen by a hash of the meta key, shared with the
   * main thread. Keys sharing a slot share an idle time (an approximation, as Redis's own is).
   */
  touch(mk: Buffer, now: number): void {
    this.shared.touch(accessHash(mk), now);
  }

  /**
   * Whole seconds since the last access of a key (Redis's LRU clock has 1 s resolution). A key
   * not accessed since startup reads as idle since startup; one whose entry was dropped as idle
   * since its generation was closed (a lower bound). Two keys with the same 30-bit hash share an
   * entry (an approximation, like Redis's own idle times).
   */
  idleSeconds(mk: Buffer, now: number): number {
    const last = this.shared.lastAccess(accessHash(mk)) || this.accessBase;
    return Math.max(0, Math.floor((now - last) / 1000));
  }

  /** A random live (unexpired) key of a logical db, null when it has none (lib/store/random-key.ts). */
  randomKey(db: number, now: number): Buffer | null {
    return randomKey(this, db, now);
  }

  /**
   * RENAME / MOVE: re-keys a record (to another key and/or logical db) keeping its payload, so a
   * collection keeps its members; `to` is find(toDb, toKey) and is replaced (its members orphaned).
   * The expiry bytes are carried over exactly.
   */
  moveKey(db: number, m: Meta, toDb: number, toKey: Buffer, to: Found): void {
    const raw = encodeMeta(m.type, m.expireAt, this.longKey(toKey), payload(m));
    m.raw.copy(raw, 2, 2, 10);
    this.unlink(db, m);
    this.put(toDb, to.mk, raw, to.meta, true);
  }

  /** The user key of a meta key (inline form) or of its record (long form). */
  userKey(mk: Buffer, raw: Buffer): Buffer {
    if (isHashedMetaKey(mk)) return Buffer.from(storedLongKey(raw)!);
    return mk.subarray(2);
  }

  /** Full key for a long key record, or null when the key is stored inline. */
  longKey(key: Buffer): Buffer | null {
    return key.length > INLINE_KEY_MAX ? key : null;
  }

  /**
   * Writes a record for `key` at `mk` (from find()), replacing `old` (null when the key is new).
   * `value` is the complete encoded record (encodeMeta). `orphanOld`: the old record is being
   * replaced by another key incarnation (its collection members become garbage).
   */
  put(db: number, mk: Buffer, value: Buffer, old: Meta | null, orphanOld = false): void {
    const expireAt = readU64BE(value, 2);
    const h = accessHash(mk);
    if (old !== null && !orphanOld && this.writing && old.type !== 0 && value[0] === old.type && old.expireAt === expireAt) {
      this.pendingMeta.set(h, mk, value, true, this.writeMeta);
    } else {
      this.meta.putSync(mk, value);
      if (this.pendingMeta.size !== 0) this.pendingMeta.delete(h, mk);
    }
    this.shared.touch(h, Date.now());
    const wasSpecial = old !== null && isSpecial(old.type, old.expireAt);
    if (wasSpecial !== isSpecial(value[0], expireAt)) {
      if (wasSpecial) this.special!.drop(h);
      else this.special!.add(h);
    }
    const s = this.opts.stats;
    if (!old) {
      this.blindCount.known++;
      s.addKeys(db, 1);
      if (expireAt) {
        s.addExpires(db, 1);
        this.expires.putSync(expiresKey(expireAt, mk), EMPTY);
      }
      if (this.events.active) this.events.keyCreated(db, this.userKey(mk, value));
      return;
    }
    if (old.expireAt !== expireAt) {
      if (old.expireAt) {
        this.expires.removeSync(expiresKey(old.expireAt, mk));
        if (!expireAt) s.addExpires(db, -1);
      } else if (expireAt) s.addExpires(db, 1);
      if (expireAt) this.expires.putSync(expiresKey(expireAt, mk), EMPTY);
    }
    if (orphanOld && old.type !== 0) this.orphans.orphan(old);
  }

  /**
   * SET without options, when it can skip reading the old record: writes `value` as the string at
   * `key` if the key is missing or holds a string without an expiry (SpecialKeys says so), and
   * returns true; false when the caller must find() the key and use putString.
   */
  putPlainString(db: number, key: Buffer, value: Buffer, now: number): boolean {
    const special = this.special!;
    if (!this.blindWrites || key.length > INLINE_KEY_MAX || !this.writing) return false;
    const kb = this.plainKey;
    kb[0] = this.dbmap[db];
    kb[1] = KEY_INLINE;
    key.copy(kb, 2);
    const mk = kb.subarray(0, key.length + 2);
    const h = accessHash(mk);
    if (special.mayHave(h)) return false;
    let rec: Buffer;
    if (value.length + 10 <= PLAIN_SCRATCH_MAX) {
      rec = this.plainRec.subarray(0, value.length + 10);
      rec.fill(0, 0, 10); // type string, no flags, no expiry
      value.copy(rec, 10);
    } else rec = encodeMeta(T_STRING_TYPE, 0, null, value);
    this.blindCount.blind(db);
    this.meta.putSync(mk, rec);
    this.shared.touch(h, now);
    return true;
  }

  /** Writes a string value (creating or overwriting). */
  putString(db: number, key: Buffer, mk: Buffer, value: Uint8Array, expireAt: number, old: Meta | null): void {
    this.put(db, mk, encodeMeta(0, expireAt, this.longKey(key), value), old, true);
  }

  /** Changes only the expiry of an existing key (0 = persist). */
  setExpire(db: number, m: Meta, expireAt: number): void {
    this.put(db, m.mk, withExpire(m.raw, expireAt), m);
    m.raw = withExpire(m.raw, expireAt);
    m.expireAt = expireAt;
  }

  /** Drops a key's record, its expires entry and its counts (the payload is the caller's). */
  private unlink(db: number, m: Meta): void {
    this.meta.removeSync(m.mk);
    const h = accessHash(m.mk);
    if (this.pendingMeta.size !== 0) this.pendingMeta.delete(h, m.mk);
    if (isSpecial(m.type, m.expireAt)) this.special!.drop(h);
    this.blindCount.known--;
    const s = this.opts.stats;
    s.addKeys(db, -1);
    if (m.expireAt) {
      this.expires.removeSync(expiresKey(m.expireAt, m.mk));
      s.addExpires(db, -1);
    }
  }

  /** Deletes a key's record (its collection members, if any, become garbage for the sweeper). */
  remove(db: number, m: Meta): void {
    this.unlink(db, m);
    if (m.type !== 0) this.orphans.orphan(m);
  }

  /**
   * A fresh key id for a new collection (inside a write transaction). Ids are never reused: the
   * members of a deleted incarnation may still wait for the garbage collector under the old one.
   */
  allocId(): number {
    const id = this.nextId++;
    const b = Buffer.allocUnsafe(8);
    writeU64BE(b, this.nextId, 0);
    this.info.putSync(INFO_NEXT_ID, b);
    return id;
  }

  /** True when some orphaned collection still has members to delete. */
  hasGarbage(): boolean {
    return this.orphans.pending();
  }

  /** Deletes up to `budget` orphaned subkeys (inside a write transaction); how many entries went. */
  collectGarbage(budget: number): number {
    return this.orphans.collect(budget);
  }

  /** The sub-databases holding entries under a collection's id, for a collection of type `type`. */
  memberDbs(type: number): Bin[] {
    if (type === 4 /* T_ZSET */) return [this.sub, this.zscore, this.long];
    if (type === 3 /* T_SET */) return [this.sub, this.slot, this.long];
    // streams keep their entries in `sub` and their node records in `zscore` (lib/store/stream.ts)
    if (type === 5 /* T_STREAM */) return [this.sub, this.zscore];
    return [this.sub, this.long];
  }

  /** Deletes every key of a logical database. */
  flushDb(db: number): void {
    if (this.watching) this.watches!.flushing(db);
    this.writePendingMeta();
    const pdb = this.dbmap[db];
    const { start, end } = dbRange(pdb);
    this.blindCount.settle();
    for (const { key, value } of this.meta.getRange({ start, end })) {
      const m = decodeMeta(key, value);
      this.meta.removeSync(key);
      if (m.expireAt) this.expires.removeSync(expiresKey(m.expireAt, key));
      if (m.type !== 0) this.orphans.orphan(m);
      if (isSpecial(m.type, m.expireAt)) this.special!.drop(accessHash(key));
    }
    this.opts.stats.setKeys(db, 0);
    this.opts.stats.setExpires(db, 0);
  }

  /** Deletes everything (all databases). */
  flushAll(): void {
    if (this.watching) this.watches!.flushing(-1);
    for (const h of this.held) h.drop();
    this.blindCount.settle();
    this.special!.clear();
    this.specialCleared = true;
    this.pendingMeta.clear();
    this.shared.access.fill(0);
    this.meta.clearSync();
    this.sub.clearSync();
    this.zscore.clearSync();
    this.long.clearSync();
    this.slot.clearSync();
    this.orphans.clear();
    this.expires.clearSync();
    for (let db = 0; db < this.opts.databases; db++) {
      this.opts.stats.setKeys(db, 0);
      this.opts.stats.setExpires(db, 0);
    }
  }

  /** SWAPDB: exchanges two logical databases by swapping their physical prefixes. */
  swapDb(a: number, b: number): void {
    if (this.watching) this.watches!.swapping(a, b, Date.now());
    this.blindCount.settle();
    const pa = this.dbmap[a];
    this.dbmap[a] = this.dbmap[b];
    this.dbmap[b] = pa;
    this.rebuildReverseMap();
    this.info.putSync(INFO_DBMAP, Buffer.from(this.dbmap));
    this.opts.stats.swapDb(a, b);
  }

  /** Bytes this shard's binlog holds. */
  get binlogBytes(): number {
    return this.log.size;
  }

  /** Logical db of a physical prefix. */
  logical(pdb: number): number {
    return this.rdbmap[pdb];
  }

  /** Registers writes a store room holds in memory until the end of each write transaction. */
  holdWrites(h: HeldWrites): void {
    this.held.push(h);
  }

  /**
   * Appends the binlog record of a write, in the current transaction (lib/store/binlog.ts), and
   * its keyspace events when they are collected (`event`: see StoreCtx.binlog).
   */
  /** A record of replication's own in the binlog (a group marker): no effect on keys, events or watches. */
  appendMarker(args: Buffer[]): void {
    this.log.append(0, args);
  }

  appendBinlog(db: number, args: Buffer[], event?: number): void {
    this.log.append(db, args);
    if (this.watching) this.watches!.effect(db, args);
    if (this.events.active) this.events.effect(db, args, event);
  }

  /**
   * Opens a group of records replication ships as MULTI ... EXEC (an EXEC's writes): the MULTI
   * record now; closeGroup writes EXEC, or drops the MULTI when nothing was written after it.
   */
  openGroup(db: number): { start: number; body: number } {
    const start = this.log.mark();
    this.log.append(db, [MULTI]);
    return { start, body: this.log.mark() };
  }

  closeGroup(db: number, group: { start: number; body: number }): void {
    // nothing written after the MULTI (a read-only transaction): nothing to ship
    if (this.log.mark() === group.body) this.log.rollback(group.start);
    else this.log.append(db, [EXEC]);
  }

  /**
   * The record of a key as stored, live or logically expired, with no side effect (no lazy
   * deletion, no access time, no keyspace hit): WATCH's view of whether a key exists.
   */
  peekRecord(db: number, key: Buffer): Meta | null {
    const writing = this.writing;
    const counting = this.countHits;
    this.writing = false;
    this.countHits = false;
    try {
      return this.find(db, key, 0, false).meta;
    } finally {
      this.writing = writing;
      this.countHits = counting;
    }
  }

  /** A collection lost its last member and was deleted (its `del` follows the command's event). */
  keyEmptied(db: number, key: Buffer): void {
    if (this.events.active) this.events.keyEmptied(db, key);
  }

  /** A keyspace event the store room states itself (an EV id), in the running command's order. */
  keyEvent(db: number, key: Buffer, event: number): void {
    // a change Redis signals without anything to log (LTRIM keeping the whole list) counts for WATCH too
    if (this.watching) this.watches!.touch(db, key);
    if (this.events.active) this.events.event(db, key, event);
  }

  /** Applies the key events switch (KeyEventLog.configure: the notify classes, tracking's reports). */
  configureEvents(word: number): void {
    this.events.configure(word);
    this.blindWrites = this.special !== null && !this.events.wantsNew;
  }

  /**
   * Runs `fn` in one synchronous write transaction with the store's commit steps around it
   * (beforeCommit / afterCommit, afterAbort on a throw): for callers outside the shard runtime
   * (offline tools, store tests), whose batches need none of its retry and sync handling.
   */
  writeSync<T>(fn: () => T): T {
    this.writing = true;
    let result!: T;
    try {
      this.env.transactionSync(() => {
        result = fn();
        this.beforeCommit();
      });
      this.afterCommit();
      return result;
    } catch (e) {
      this.afterAbort();
      throw e;
    } finally {
      this.writing = false;
    }
  }

  /** End of a write transaction (still inside it): held-back records, then the binlog entry. */
  beforeCommit(): void {
    for (const h of this.held) h.write();
    this.blindCount.settle();
    this.writePendingMeta();
    this.log.beforeCommit();
    this.commitStart = performance.now();
  }

  /** When the running transaction's work ended and its commit began (INFO respdb's commit times). */
  private commitStart = 0;

  /** After commit: makes the transaction's binlog records visible to replication. */
  afterCommit(): void {
    this.opts.stats.commitDone((performance.now() - this.commitStart) * 1000);
    this.special?.committed();
    this.specialCleared = false;
    this.log.afterCommit();
  }

  /** Writes the collection records held back in this transaction (see pendingMeta). */
  private writePendingMeta(): void {
    if (this.pendingMeta.size !== 0) this.pendingMeta.flush(this.writeMeta);
  }

  /** The transaction was aborted: nothing it wrote exists. */
  afterAbort(): void {
    for (const h of this.held) h.drop();
    this.pendingMeta.clear();
    this.blindCount.drop();
    if (this.special) {
      this.special.aborted();
      if (this.specialCleared) {
        // a FLUSHALL that did not happen: every record is back
        for (const { key, value } of this.meta.getRange({})) if (isSpecial(value[0], readU64BE(value, 2))) this.special.add(accessHash(key));
        this.specialCleared = false;
      }
    }
    this.log.afterAbort();
    this.orphans.recount();
  }

  /** True when some key is due to expire at or before `now`. */
  hasExpired(now: number): boolean {
    for (const key of this.expires.getKeys({ limit: 1 })) return readU64BE(key, 0) <= now;
    return false;
  }

  /** Flushes committed transactions to disk (fsync), then calls back. */
  sync(cb: (err?: Error) => void): void {
    (this.env as unknown as { sync(cb: (err?: Error) => void): void }).sync(cb);
  }

  close(): Promise<void> {
    return this.env.close();
  }
}

const EMPTY = Buffer.alloc(0);
const T_STRING_TYPE = 0;
/** Records up to this size are built in putPlainString's scratch buffer. */
const PLAIN_SCRATCH_MAX = 64 * 1024;
