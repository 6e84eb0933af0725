// DUMP, RESTORE and MIGRATE: keys as Redis's DUMP payloads (lib/rdb/dump.ts), byte for byte where
// Redis's member order is deterministic, so payloads move both ways between respdb and
// redis-server. The data work is lib/store/dump.ts; MIGRATE's client side is migrate.ts.

import type { CommandDef, ShardExec } from './types.js';
import { cmd, isKw, keySpec } from './define.js';
import { E } from '../errors.js';
import { parseI64 } from '../resp/number.js';
import { dumpPayload, keyExists, restoreValue, type RestoreSpec } from '../store/dump.js';
import { DUMP_ERRORS, DumpFooterError, decodeDump } from '../rdb/dump.js';
import { RdbFormatError } from '../rdb/string.js';
import { crc64 } from '../rdb/crc64.js';
import type { RdbValue } from '../rdb/value.js';
import { migrateCommands } from './migrate.js';

export const BUSYKEY = 'BUSYKEY Target key name already exists.';
const BAD_TTL = 'ERR Invalid TTL value, must be >= 0';
const BAD_IDLE = 'ERR Invalid IDLETIME value, must be >= 0';
const BAD_FREQ = 'ERR Invalid FREQ value, must be >= 0 and <= 255';
export const BAD_PAYLOAD = DUMP_ERRORS.versionOrChecksum;
export const BAD_FORMAT = `ERR ${DUMP_ERRORS.badData}`;

function dump(x: ShardExec, args: Buffer[]): void {
  const m = x.store.get(x.db, args[1], x.now);
  x.out.bulk(m ? dumpPayload(x.store, m) : null);
}

/** The value of a RESTORE payload, or the error reply for it. */
export function decodePayload(p: Buffer): RdbValue | string {
  // RESTORE checks the CRC even when it is 0 (an RDB file with a 0 CRC is not checked)
  if (p.length >= 10 && p.readBigUInt64LE(p.length - 8) === 0n && crc64(p.subarray(0, p.length - 8)) !== 0n) return BAD_PAYLOAD;
  try {
    return decodeDump(p);
  } catch (e) {
    if (e instanceof DumpFooterError) return BAD_PAYLOAD;
    if (e instanceof RdbFormatError || e instanceof RangeError) return BAD_FORMAT;
    throw e;
  }
}

/** RESTORE key ttl payload [REPLACE] [ABSTTL] [IDLETIME s] [FREQ f], with Redis's order of checks. */
function restore(x: ShardExec, args: Buffer[]): void {
  const spec: RestoreSpec = { ttl: 0n, absTtl: false, replace: false, idle: null };
  let freq: bigint | null = null;
  for (let j = 4; j < args.length; j++) {
    const more = args.length - j - 1;
    if (isKw(args[j], 'replace')) spec.replace = true;
    else if (isKw(args[j], 'absttl')) spec.absTtl = true;
    else if (isKw(args[j], 'idletime') && more >= 1 && freq === null) {
      const n = parseI64(args[++j]);
      if (n === null) return x.out.error(E.notInt);
      if (n < 0n) return x.out.error(BAD_IDLE);
      spec.idle = n;
    } else if (isKw(args[j], 'freq') && more >= 1 && spec.idle === null) {
      const n = parseI64(args[++j]);
      if (n === null) return x.out.error(E.notInt);
      if (n < 0n || n > 255n) return x.out.error(BAD_FREQ);
      // kept by Redis only under an LFU maxmemory policy, which respdb does not have
      freq = n;
    } else return x.out.error(E.syntax);
  }
  const key = args[1];
  if (!spec.replace && keyExists(x, key)) return x.out.error(BUSYKEY);
  const ttl = parseI64(args[2]);
  if (ttl === null) return x.out.error(E.notInt);
  if (ttl < 0n) return x.out.error(BAD_TTL);
  spec.ttl = ttl;
  const value = decodePayload(args[3]);
  if (typeof value === 'string') return x.out.error(value);
  restoreValue(x, key, value, spec);
  x.out.ok();
}

const G = { group: 'generic' as const };
const SERIALIZE = 'O(1) to access the key and additional O(N*M) to serialize it, where N is the number of Redis objects composing the value and M their average size. For small string values the time complexity is thus O(1)+O(1*M) where M is small, so simply O(1).';
const RECONSTRUCT =
  'O(1) to create the new key and additional O(N*M) to reconstruct the serialized value, where N is the number of Redis objects composing the value and M their average size. For small string values the time complexity is thus O(1)+O(1*M) where M is small, so simply O(1). However for sorted set values the complexity is O(N*M*log(N)) because inserting values into sorted sets is O(log(N)).';

export const dumpCommands: CommandDef[] = [
  cmd({
    name: 'dump', arity: 2, flags: ['readonly'], acl: ['keyspace'], shard: dump, slow: true, keySpecs: [keySpec(['RO', 'access'], 1)], tips: ['nondeterministic_output'],
    summary: 'Return a serialized version of the value stored at the specified key.', since: '2.6.0', ...G, complexity: SERIALIZE,
  }),
  cmd({
    name: 'restore', arity: -4, flags: ['write', 'denyoom'], acl: ['keyspace', 'dangerous'], shard: restore, keySpecs: [keySpec(['OW', 'update'], 1)],
    summary: 'Create a key using the provided serialized value, previously obtained using DUMP.', since: '2.6.0', ...G, complexity: RECONSTRUCT,
  }),
  ...migrateCommands,
];
