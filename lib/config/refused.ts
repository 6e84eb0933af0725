// Directives refused whatever their value (file, command line, CONFIG SET): Redis's file-only
// loadmodule / sentinel, and Pika's RocksDB tuning (respdb stores its data in
// LMDB: each says what covers the need there). They have no value to show, so CONFIG GET does not
// list them.

const LMDB = 'respdb stores its data in LMDB, not RocksDB';
const MEMTABLE = `${LMDB}: writes go into B-tree pages at each commit, there are no memtables (appendfsync decides durability)`;
const LEVELS = `${LMDB}: one B-tree file per shard without levels or SST files; COMPACT reclaims deleted space`;
const CACHE = `${LMDB}: reads go through the OS page cache of the memory-mapped files, there is no block cache to size`;
const BACKGROUND = `${LMDB}: no background flushes or compactions; COMPACT runs on demand or by compact-cron / compact-interval`;

const WHY: Record<string, string> = {
  loadmodule: 'respdb loads no Redis modules',
  sentinel: 'respdb has no Sentinel mode',
  'write-buffer-size': MEMTABLE,
  'max-write-buffer-size': MEMTABLE,
  'max-write-buffer-num': MEMTABLE,
  'min-write-buffer-number-to-merge': MEMTABLE,
  'arena-block-size': MEMTABLE,
  'max-total-wal-size': MEMTABLE,
  'target-file-size-base': LEVELS,
  'max-bytes-for-level-multiplier': LEVELS,
  'level-compaction-dynamic-level-bytes': LEVELS,
  'level0-file-num-compaction-trigger': LEVELS,
  'level0-slowdown-writes-trigger': LEVELS,
  'level0-stop-writes-trigger': LEVELS,
  'max-compaction-bytes': LEVELS,
  'small-compaction-threshold': LEVELS,
  'small-compaction-duration-threshold': LEVELS,
  'max-cache-files': CACHE,
  'block-size': CACHE,
  'block-cache': CACHE,
  'share-block-cache': CACHE,
  'cache-index-and-filter-blocks': CACHE,
  'pin_l0_filter_and_index_blocks_in_cache': CACHE,
  'optimize-filters-for-hits': CACHE,
  'enable-partitioned-index-filters': CACHE,
  compression: `${LMDB}: values are stored uncompressed; use a compressing filesystem for that`,
  compression_per_level: `${LMDB}: values are stored uncompressed; use a compressing filesystem for that`,
  'max-background-flushes': BACKGROUND,
  'max-background-compactions': BACKGROUND,
  'max-background-jobs': BACKGROUND,
  'max-subcompactions': BACKGROUND,
  'rate-limiter-bandwidth': `${BACKGROUND}; there is no compaction I/O to rate-limit`,
  'delayed-write-rate': `${BACKGROUND}; writes are never slowed down for compaction`,
};

const FILE_ONLY = new Set(['rename-command', 'loadmodule', 'sentinel']);

/**
 * Directives Redis knows only in its config file (CONFIG SET answers them as unknown options);
 * rename-command is read by lib/config.ts.
 */
export function isFileOnly(name: string): boolean {
  return FILE_ONLY.has(name.toLowerCase());
}

/** The refusal of `name` (any case), or undefined when it is not one of these. */
export function refusedDirective(name: string): string | undefined {
  const n = name.toLowerCase();
  const why = WHY[n];
  return why === undefined ? undefined : `'${n}' is not supported: ${why}`;
}
