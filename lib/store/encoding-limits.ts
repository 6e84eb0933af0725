// The thresholds that decide a collection's encoding (OBJECT ENCODING, and the RDB object type a
// DUMP writes): Redis's hash-max-listpack-*, zset-max-listpack-*, set-max-intset-entries,
// list-max-listpack-size, list-compress-depth and stream-node-max-*. One object per thread,
// updated from CONFIG SET (each shard receives the change on its control channel); the store
// rooms read it at each write, as Redis reads its server config.

import { DEFAULT_ENCODING_LIMITS, type EncodingLimits } from '../rdb/value.js';

export type { EncodingLimits };

export const encodingLimits: EncodingLimits = { ...DEFAULT_ENCODING_LIMITS };
