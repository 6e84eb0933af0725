// Redis 7.0's directives of memory management (limits, eviction, lazy freeing, defragmentation,
// rehashing), classified for respdb (the classes: lib/config/absent.ts). respdb's data lives in
// LMDB files on disk, mapped into memory: the OS page cache keeps what is hot, nothing is
// evicted, and deleted space is reclaimed by COMPACT.

import type { OptionDef } from './options.js';
import { INT_MAX, LLONG_MAX, ULLONG_MAX, WHY, bool, int, mem, oneOf, only, str } from './absent.js';
import { parseMemory } from './values.js';

const LAZY = 'inert: respdb frees big deleted collections in the background either way (the key is gone at once)';
const DEFRAG = "respdb's LMDB files are compacted with COMPACT, not defragmented in memory";

/** maxmemory-clients: a memory value or a percentage of maxmemory. */
function validateMemoryOrPercent(v: string): string | null {
  if (/^\d+%$/.test(v) || parseMemory(v) !== null) return null;
  return 'argument must be a memory or percent value';
}

// prettier-ignore
export const MEMORY_OPTIONS: readonly OptionDef[] = [
  mem('maxmemory', '0', 0, ULLONG_MAX, true, 'off: 0 only', { refuse: only('maxmemory', ['0'], WHY.eviction) }),
  oneOf('maxmemory-policy', 'noeviction', ['volatile-lru', 'volatile-lfu', 'volatile-random', 'volatile-ttl', 'allkeys-lru', 'allkeys-lfu', 'allkeys-random', 'noeviction'], true, 'off: noeviction only', { refuse: only('maxmemory-policy', ['noeviction'], WHY.eviction) }),
  int('maxmemory-samples', '5', 1, INT_MAX, true, 'inert: tunes eviction (maxmemory is off)'),
  int('maxmemory-eviction-tenacity', '10', 0, 100, true, 'inert: tunes eviction (maxmemory is off)'),
  str('maxmemory-clients', '0', true, 'off: 0 only', {
    validate: validateMemoryOrPercent,
    refuse: only('maxmemory-clients', ['0'], 'respdb limits each client by client-output-buffer-limit and client-query-buffer-limit, not all of them together'),
  }),
  int('lfu-log-factor', '10', 0, INT_MAX, true, 'inert: tunes the LFU counters of eviction (maxmemory-policy is noeviction)'),
  int('lfu-decay-time', '1', 0, INT_MAX, true, 'inert: tunes the LFU counters of eviction (maxmemory-policy is noeviction)'),
  bool('lazyfree-lazy-eviction', 'no', true, LAZY),
  bool('lazyfree-lazy-expire', 'no', true, LAZY),
  bool('lazyfree-lazy-server-del', 'no', true, LAZY),
  bool('lazyfree-lazy-user-del', 'no', true, LAZY),
  bool('lazyfree-lazy-user-flush', 'no', true, LAZY),
  bool('activedefrag', 'no', true, 'off: no only', { refuse: only('activedefrag', ['no'], DEFRAG) }),
  mem('active-defrag-ignore-bytes', '104857600', 1, LLONG_MAX, true, 'inert: tunes activedefrag (off)'),
  int('active-defrag-threshold-lower', '10', 0, 1000, true, 'inert: tunes activedefrag (off)'),
  int('active-defrag-threshold-upper', '100', 0, 1000, true, 'inert: tunes activedefrag (off)'),
  int('active-defrag-cycle-min', '1', 1, 99, true, 'inert: tunes activedefrag (off)'),
  int('active-defrag-cycle-max', '25', 1, 99, true, 'inert: tunes activedefrag (off)'),
  int('active-defrag-max-scan-fields', '1000', 1, LLONG_MAX, true, 'inert: tunes activedefrag (off)'),
  int('active-expire-effort', '1', 1, 10, true, "inert: respdb's expiry sweep runs hz times a second at its own pace"),
  bool('activerehashing', 'yes', true, 'inert: respdb has no in-memory hash tables to rehash (keys are in LMDB B-trees)'),
  bool('dynamic-hz', 'yes', true, "inert: respdb's background work does not grow with the number of clients, so hz is not scaled"),
  mem('hll-sparse-max-bytes', '3000', 0, LLONG_MAX, true, 'inert: respdb has no HyperLogLog commands yet'),
];
