// The thresholds that decide a collection's encoding (OBJECT ENCODING, and the RDB object type a
// DUMP writes): Redis's hash-max-listpack-*, zset-max-listpack-*, set-max-intset-entries,
// list-max-listpack-size, list-compress-depth and stream-node-max-*. The store rooms read
// `encodingLimits` at each write, as Redis reads its server config.
//
// Each thread has its own copy: the main thread's follows CONFIG SET at once (its direct reads
// run only when nothing of the connection is pending); a shard's changes through its request
// stream (internal encoding-limit, lib/commands/internal.ts), so a command sent before CONFIG SET
// runs with the old thresholds and every later one with the new (pipelined writes on either side
// of a CONFIG SET encode as in Redis); a slow-pool task gets the main thread's with the task.

import { DEFAULT_ENCODING_LIMITS, type EncodingLimits } from '../rdb/value.js';

export type { EncodingLimits };

export const encodingLimits: EncodingLimits = { ...DEFAULT_ENCODING_LIMITS };

/**
 * The configuration directive behind each threshold (canonical names; the `*-ziplist-*` aliases
 * resolve to these).
 */
export const ENCODING_LIMIT_OF: Readonly<Record<string, keyof EncodingLimits>> = {
  'hash-max-listpack-entries': 'hashMaxListpackEntries',
  'hash-max-listpack-value': 'hashMaxListpackValue',
  'zset-max-listpack-entries': 'zsetMaxListpackEntries',
  'zset-max-listpack-value': 'zsetMaxListpackValue',
  'set-max-intset-entries': 'setMaxIntsetEntries',
  'list-max-listpack-size': 'listMaxListpackSize',
  'list-compress-depth': 'listCompressDepth',
  'stream-node-max-bytes': 'streamNodeMaxBytes',
  'stream-node-max-entries': 'streamNodeMaxEntries',
};

/** Applies a config change if `name` is a threshold; false for any other directive. */
export function setEncodingLimit(name: string, value: number | string): boolean {
  const field = ENCODING_LIMIT_OF[name];
  if (field === undefined) return false;
  encodingLimits[field] = Number(value);
  return true;
}
