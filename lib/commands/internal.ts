// The internal entries: shard-side steps of main-thread and cross-shard commands, not visible to
// clients, in one list for lib/commands/index.ts. The keyspace commands' steps are declared next
// to their commands (keyspace-db.ts: dbsize keys scan randomkey flushdb flushall swapdb;
// keyspace.ts: dump-key restore-key del-key); `fence` is here. Every internal command runs in the
// logical db it is sent with (x.db).
//
// The string type's key operations (OBJECT ENCODING, COPY, cross-shard RENAME / COPY) are still
// registered here.

import type { CommandDef, ShardExec } from './types.js';
import { cmd } from './define.js';
import { T_STRING, encodeMeta, payload, type Meta } from '../store/meta.js';
import { readU64BE } from '../store/keys.js';
import type { ShardStore } from '../store/shard-store.js';
import { keyTypeOps } from '../store/key-types.js';
import { parseI64 } from '../resp/number.js';
import { PXAT, SET } from '../store/effects.js';
import { keyspaceDbSteps } from './keyspace-db.js';
import { keyMoveSteps } from './keyspace.js';

/** Redis keeps integers 0..9999 as shared objects (refcount INT_MAX) when maxmemory is off. */
const SHARED_INTEGERS = 10000;
const SHARED_REFCOUNT = 2147483647;

/** Builds `m`'s record for another key, keeping the type, payload and exact expiry bytes. */
function rekeyed(store: ShardStore, m: Meta, toKey: Buffer): Buffer {
  const raw = encodeMeta(m.type, m.expireAt, store.longKey(toKey), payload(m));
  m.raw.copy(raw, 2, 2, 10);
  return raw;
}


keyTypeOps[T_STRING] = {
  encoding(m) {
    // Redis's tryObjectEncoding: an integer that string2l accepts, else embstr up to 44 bytes.
    const v = payload(m);
    if (v.length <= 20 && parseI64(v) !== null) return 'int';
    return v.length <= 44 ? 'embstr' : 'raw';
  },
  refcount(m) {
    const v = payload(m);
    if (v.length > 20) return 1;
    const n = parseI64(v);
    return n !== null && n >= 0n && n < BigInt(SHARED_INTEGERS) ? SHARED_REFCOUNT : 1;
  },
  copy(store, m, toDb, toKey, to) {
    store.put(toDb, to.mk, rekeyed(store, m, toKey), to.meta, true);
  },
  dump(_store, m) {
    return Buffer.from(payload(m));
  },
  restore(x, key, to, dump, expire) {
    const raw = encodeMeta(T_STRING, readU64BE(expire, 0), x.store.longKey(key), dump);
    expire.copy(raw, 2, 0, 8);
    x.store.put(x.db, to.mk, raw, to.meta, true);
    const at = expire.readBigUInt64BE(0);
    if (at === 0n) x.binlog([SET, key, dump]);
    else x.binlog([SET, key, dump, PXAT, Buffer.from(String(at))]);
  },
};

/** fence: answers once everything queued on the shard before it has committed (slow-pool reads). */
function fence(x: ShardExec): void {
  x.out.ok();
}

export const internalCommands: CommandDef[] = [
  ...keyspaceDbSteps,
  ...keyMoveSteps,
  cmd({
    name: 'fence', arity: 1, flags: ['readonly'], acl: ['keyspace'], shard: fence, internal: true,
    summary: 'No-op: its reply means everything queued before it has committed.', since: '0.1.0', group: 'internal',
  }),
];
