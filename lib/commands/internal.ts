// Shard-side helpers of main-thread and cross-shard commands. Not visible to clients.
//
// Keyless fan-out commands (DBSIZE, KEYS, SCAN, RANDOMKEY, FLUSHDB, FLUSHALL, SWAPDB) run one of
// these on every shard (Server.broadcast) or on one shard (SCAN); cross-shard RENAME / RENAMENX /
// COPY move a key between shards with dump-key / restore-key / del-key under the coordinator's
// locks. Every internal command runs in the logical db it is sent with (x.db).
//
// Type-specific work (OBJECT ENCODING, copying a value within a shard, serializing it for another
// shard) goes through the store's per-type operations (lib/store/key-types.ts).

import type { CommandDef, ShardExec } from './types.js';
import { cmd } from './define.js';
import { TYPE_NAMES } from '../store/meta.js';
import { readU64BE } from '../store/keys.js';
import { typeOps } from '../store/key-types.js';
import { compileGlob } from '../glob.js';
import { DEL, FLUSHALL, FLUSHDB, SWAPDB } from '../store/effects.js';

function isLive(raw: Buffer, now: number): boolean {
  const at = readU64BE(raw, 2);
  return at === 0 || at > now;
}

/** The bytes of a glob pattern before its first special character (every match starts with them). */
export function literalPrefix(pat: Buffer): Buffer {
  let i = 0;
  while (i < pat.length) {
    const c = pat[i];
    if (c === 42 /* * */ || c === 63 /* ? */ || c === 91 /* [ */ || c === 92 /* \ */) break;
    i++;
  }
  return pat.subarray(0, i);
}

function isStar(pat: Buffer): boolean {
  return pat.length === 1 && pat[0] === 42;
}

/** dbsize: number of keys of x.db on this shard (expired ones not yet deleted included, as Redis). */
function dbsize(x: ShardExec): void {
  x.out.int(x.store.stats.keys(x.db));
}

/** keys pattern: live keys of x.db matching the pattern. */
function keys(x: ShardExec, args: Buffer[]): void {
  const pat = args[1];
  const match = isStar(pat) ? null : compileGlob(pat);
  const found: Buffer[] = [];
  const store = x.store;
  const now = x.now;
  store.forEachMeta(x.db, match ? literalPrefix(pat) : null, (mk, raw) => {
    if (!isLive(raw, now)) return;
    const k = store.userKey(mk, raw);
    if (!match || match(k)) found.push(k);
  });
  x.out.array(found.length);
  for (const k of found) x.out.bulk(k);
}

/** Type filter values of the scan helper. */
export const SCAN_ANY_TYPE = -1;
export const SCAN_NO_TYPE = -2;

/**
 * scan after count type [pattern]: examines up to `count` records of x.db after the meta key
 * `after` (without its db byte; empty: from the start). Replies [next position | nil when
 * exhausted, records examined, [keys]].
 * type: -1 any, -2 matches nothing (unknown type name), else a meta type.
 */
function scan(x: ShardExec, args: Buffer[]): void {
  // Positions travel without the physical db byte, so a scan survives SWAPDB.
  const after = args[1].length ? Buffer.concat([Buffer.from([x.store.physical(x.db)]), args[1]]) : null;
  const count = Number(args[2].toString('latin1'));
  const type = Number(args[3].toString('latin1'));
  const match = args.length > 4 && !isStar(args[4]) ? compileGlob(args[4]) : null;
  const found: Buffer[] = [];
  const store = x.store;
  const now = x.now;
  let examined = 0;
  const next = store.scanMeta(x.db, after, count, (mk, raw) => {
    examined++;
    if (type === SCAN_NO_TYPE || (type >= 0 && raw[0] !== type) || !isLive(raw, now)) return;
    const k = store.userKey(mk, raw);
    if (!match || match(k)) found.push(k);
  });
  x.out.array(3);
  x.out.bulk(next ? next.subarray(1) : null);
  x.out.int(examined);
  x.out.array(found.length);
  for (const k of found) x.out.bulk(k);
}

/** randomkey: [keys in x.db on this shard, a random live key or nil]. */
function randomkey(x: ShardExec): void {
  x.out.array(2);
  x.out.int(x.store.stats.keys(x.db));
  x.out.bulk(x.store.randomKey(x.db, x.now));
}


function flushdb(x: ShardExec): void {
  x.store.flushDb(x.db);
  x.binlog([FLUSHDB]);
  x.out.ok();
}

function flushall(x: ShardExec): void {
  x.store.flushAll();
  x.binlog([FLUSHALL]);
  x.out.ok();
}

/** swapdb a b (both validated by the main thread). */
function swapdb(x: ShardExec, args: Buffer[]): void {
  const a = Number(args[1].toString('latin1'));
  const b = Number(args[2].toString('latin1'));
  x.store.swapDb(a, b);
  x.binlog([SWAPDB, args[1], args[2]]);
  x.out.ok();
}

/** dump-key key: nil when missing, else [type, exact expiry (8 bytes BE), serialized value]. */
function dumpKey(x: ShardExec, args: Buffer[]): void {
  const m = x.store.get(x.db, args[1], x.now);
  if (!m) return x.out.nil();
  const body = typeOps(m.type).dump(x.store, m);
  x.out.array(3);
  x.out.int(m.type);
  x.out.bulk(m.raw.subarray(2, 10));
  x.out.bulk(body);
}

/**
 * restore-key key replace|nx type expiry value: creates key in x.db from a dump-key reply.
 * Replies 0 (nx and the key exists) or 1.
 */
function restoreKey(x: ShardExec, args: Buffer[]): void {
  const key = args[1];
  const nx = args[2][0] === 110; // 'n'
  const ops = typeOps(Number(args[3].toString('latin1')));
  const to = x.store.find(x.db, key, x.now);
  if (to.meta && nx) return x.out.int(0);
  ops.restore(x, key, to, args[5], args[4]);
  x.out.int(1);
}

/** del-key key: deletes one key (the source of a cross-shard RENAME). */
function delKey(x: ShardExec, args: Buffer[]): void {
  const m = x.store.get(x.db, args[1], x.now);
  if (!m) return x.out.int(0);
  x.store.remove(x.db, m);
  x.binlog([DEL, args[1]]);
  x.out.int(1);
}

/** fence: answers once everything queued on the shard before it has committed (slow-pool reads). */
function fence(x: ShardExec): void {
  x.out.ok();
}

function internalCmd(name: string, arity: number, write: boolean, shard: (x: ShardExec, args: Buffer[]) => void, summary: string): CommandDef {
  return cmd({
    name, arity, flags: [write ? 'write' : 'readonly'], acl: ['keyspace'], shard, internal: true,
    summary, since: '0.1.0', group: 'internal',
  });
}

export const internalCommands: CommandDef[] = [
  internalCmd('dbsize', 1, false, dbsize, 'Keys of the db on one shard.'),
  internalCmd('keys', 2, false, keys, 'Keys of the db on one shard matching a pattern.'),
  internalCmd('scan', -4, false, scan, 'One SCAN step on one shard.'),
  internalCmd('randomkey', 1, false, randomkey, 'A random key of one shard and its key count.'),
  internalCmd('flushdb', 1, true, flushdb, 'FLUSHDB on one shard.'),
  internalCmd('flushall', 1, true, flushall, 'FLUSHALL on one shard.'),
  internalCmd('swapdb', 3, true, swapdb, 'SWAPDB on one shard.'),
  internalCmd('dump-key', 2, false, dumpKey, 'Serializes a key for a cross-shard move.'),
  internalCmd('restore-key', 6, true, restoreKey, 'Re-creates a key from dump-key.'),
  internalCmd('del-key', 2, true, delKey, 'Deletes one key (cross-shard RENAME source).'),
  internalCmd('fence', 1, false, fence, 'No-op: its reply means everything queued before it has committed.'),
];
