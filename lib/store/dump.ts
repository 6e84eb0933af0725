// DUMP, RESTORE and DEBUG OBJECT's data work on a shard: a key's value as Redis's DUMP payload
// (lib/rdb/dump.ts over readValue), a decoded payload written as a key with RESTORE's rules, and
// the figures of DEBUG OBJECT's line.
//
// Payloads are written with LZF compression of strings over 20 bytes, as redis-server with its
// default `rdbcompression yes`.

import type { StoreCtx } from './context.js';
import type { ShardStore } from './shard-store.js';
import { T_LIST, payload, type Meta } from './meta.js';
import { DEL } from './effects.js';
import { EV } from './key-events.js';
import { encodingLimits } from './encoding-limits.js';
import { typeOps } from './key-types.js';
import { readValue, writeValue, BAD_DATA } from './rdb-values.js';
import { readU64BE } from './keys.js';
import { RedisError } from '../errors.js';
import { encodeDump } from '../rdb/dump.js';
import { encodeObject } from '../rdb/object-write.js';
import { buildQuicklist } from '../rdb/quicklist.js';
import type { RdbValue } from '../rdb/value.js';

const ENCODE = { compress: true };

/** DUMP: the payload of the key `m`. */
export function dumpPayload(store: ShardStore, m: Meta): Buffer {
  return encodeDump(readValue(store, m), encodingLimits, ENCODE);
}

export interface RestoreSpec {
  /** the TTL argument: ms from now, or (absTtl) a unix time in ms; 0 = no expiry */
  ttl: bigint;
  absTtl: boolean;
  replace: boolean;
  /** IDLETIME seconds, or null */
  idle: bigint | null;
}

/** Whether `key` exists in x.db (RESTORE's BUSYKEY check, a write lookup: an expired key is gone). */
export function keyExists(x: StoreCtx, key: Buffer): boolean {
  return x.store.find(x.db, key, x.now, false).meta !== null;
}

/**
 * RESTORE's write of an already decoded value (the caller checked BUSYKEY, the TTL and the
 * payload): replaces the key when `replace`; a TTL already in the past creates nothing (and only
 * deletes the key it replaces, logged as DEL). Events: restore (or del), as Redis.
 */
export function restoreValue(x: StoreCtx, key: Buffer, value: RdbValue, spec: RestoreSpec): void {
  const to = x.store.find(x.db, key, x.now);
  const at = spec.ttl === 0n ? 0n : spec.absTtl ? spec.ttl : BigInt(x.now) + spec.ttl;
  if (at !== 0n && at <= BigInt(x.now)) {
    if (to.meta && spec.replace) {
      x.store.remove(x.db, to.meta);
      x.binlog([DEL, key], EV.del);
    }
    return;
  }
  if (!writeValue(x, x.db, key, to, value, at === 0n ? null : at)) throw new RedisError(BAD_DATA);
  if (spec.idle !== null) {
    const f = x.store.find(x.db, key, x.now, false);
    const idleMs = spec.idle > BigInt(x.now) ? x.now : Number(spec.idle) * 1000;
    x.store.touch(f.mk, x.now - idleMs);
  }
  x.store.keyEvent(x.db, key, EV.restore);
}

const hex = (n: number): string => n.toString(16).padStart(10, '0');

/** Redis's LRU clock: unix seconds in 24 bits. */
const LRU_CLOCK_MAX = (1 << 24) - 1;

/**
 * DEBUG OBJECT's line for the key `m`: Redis's fields with respdb's figures (the value's id for
 * its address, serializedlength the RDB body a DUMP writes, the quicklist Redis would build for a
 * list under list-max-listpack-size).
 */
export function debugObjectLine(store: ShardStore, m: Meta, now: number): string {
  const ops = typeOps(m.type);
  const value = readValue(store, m);
  const body = encodeObject(value, encodingLimits, ENCODE).body;
  const idle = store.idleSeconds(m.mk, now);
  const lru = Math.floor(now / 1000 - idle) & LRU_CLOCK_MAX;
  const id = m.type === 0 ? m.raw.length : readU64BE(payload(m), 0);
  let line = `Value at:0x7f${hex(id)} refcount:${ops.refcount(m)} encoding:${ops.encoding(m)} serializedlength:${body.length} lru:${lru} lru_seconds_idle:${idle}`;
  if (m.type === T_LIST && value.type === 'list') {
    const nodes = buildQuicklist(value.items, encodingLimits.listMaxListpackSize, 0);
    let size = 0;
    for (const n of nodes) size += n.data.length;
    const avg = nodes.length ? value.items.length / nodes.length : 0;
    line += ` ql_nodes:${nodes.length} ql_avg_node:${avg.toFixed(2)} ql_listpack_max:${encodingLimits.listMaxListpackSize} ql_compressed:${encodingLimits.listCompressDepth !== 0 ? 1 : 0} ql_uncompressed_size:${size}`;
  }
  return line;
}
