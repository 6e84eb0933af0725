// The encoding thresholds (accepted with effect): they decide OBJECT ENCODING exactly as Redis's
// do, and the node shapes DUMP / MEMORY USAGE / the RDB codec write (lib/store/encoding-limits.ts,
// applied on every thread: lib/server.ts forwards CONFIG SET to the shards; slow-pool tasks carry
// the main thread's values). Redis 7.0's names, the `*-ziplist-*` names of 6.x as aliases, Redis's
// types (the `-value` / `-bytes` ones are memory values), bounds and defaults.

import type { OptionDef } from './options.js';

const INT_MAX = 2147483647;
const INT_MIN = -2147483648;
const LLONG_MAX = 9223372036854775807n;

// prettier-ignore
export const ENCODING_OPTIONS: readonly OptionDef[] = [
  { name: 'hash-max-listpack-entries', aliases: ['hash-max-ziplist-entries'], type: 'int', default: '512', min: 0, max: LLONG_MAX, mutable: true, doc: 'effect: a hash is a listpack while it has at most this many fields (0: always hashtable)' },
  { name: 'hash-max-listpack-value', aliases: ['hash-max-ziplist-value'], type: 'memory', default: '64', min: 0, max: LLONG_MAX, mutable: true, doc: 'effect: a hash is a listpack while no field or value written to it was longer than this' },
  { name: 'zset-max-listpack-entries', aliases: ['zset-max-ziplist-entries'], type: 'int', default: '128', min: 0, max: LLONG_MAX, mutable: true, doc: 'effect: a sorted set is a listpack while it has at most this many members (0: always skiplist)' },
  { name: 'zset-max-listpack-value', aliases: ['zset-max-ziplist-value'], type: 'memory', default: '64', min: 0, max: LLONG_MAX, mutable: true, doc: 'effect: a sorted set is a listpack while no member written to it was longer than this' },
  { name: 'set-max-intset-entries', type: 'int', default: '512', min: 0, max: LLONG_MAX, mutable: true, doc: 'effect: a set of integers is an intset while it has at most this many members' },
  { name: 'list-max-listpack-size', aliases: ['list-max-ziplist-size'], type: 'int', default: '-2', min: INT_MIN, max: INT_MAX, mutable: true, doc: 'effect: quicklist node size of a list as DUMP / MEMORY USAGE see it: > 0 entries per node, -1..-5 = 4, 8, 16, 32, 64 KiB per node' },
  { name: 'list-compress-depth', type: 'int', default: '0', min: 0, max: INT_MAX, mutable: true, doc: 'effect: quicklist nodes left uncompressed at each end of a list as DUMP sees it (0: none compressed)' },
  { name: 'stream-node-max-bytes', type: 'memory', default: '4096', min: 0, max: LLONG_MAX, mutable: true, doc: 'effect: bytes of a stream node before a new one starts (0: no limit); decides what MAXLEN ~ / MINID ~ trim' },
  { name: 'stream-node-max-entries', type: 'int', default: '100', min: 0, max: LLONG_MAX, mutable: true, doc: 'effect: entries of a stream node before a new one starts (0: no limit); 100 times it is the default LIMIT of a ~ trim' },
];
