// INFO persistence: Redis 7.0's fields in Redis's order, as respdb means them (a "save" is a backup
// directory, the "AOF" is the binlog every write is stored with), then respdb's own: the running
// backup's progress and the compactions'.

import type { Server } from '../server.js';
import { STAT } from '../shard/stats.js';
import { diskInfoLines } from '../store/disk-space.js';

export function persistenceSection(s: Server): string[] {
  const b = s.backups;
  const p = b.progress();
  const running = b.inProgress;
  const c = b.compaction;
  const d = c.dataBytes();
  // aof_last_write_status first (Redis's place), then the disk guard's own fields (lib/store/disk-space.ts)
  const [writeStatus, ...disk] = diskInfoLines(s.shards.links.map((l) => l.stats.get(STAT.diskState)), s.config.str('dir'), s.config.num('disk-free-reserve'));
  return [
    'loading:0',
    'async_loading:0',
    // no fork: a backup copies from a pinned snapshot, nothing is copied on write
    'current_cow_peak:0',
    'current_cow_size:0',
    'current_cow_size_age:0',
    'current_fork_perc:0.00',
    `current_save_keys_processed:${running ? p.keys : 0}`,
    `current_save_keys_total:${running ? p.keysTotal : 0}`,
    `rdb_changes_since_last_save:${b.changesSinceSave()}`,
    `rdb_bgsave_in_progress:${running ? 1 : 0}`,
    `rdb_last_save_time:${b.lastSave}`,
    `rdb_last_bgsave_status:${b.lastStatus}`,
    `rdb_last_bgsave_time_sec:${b.lastSeconds}`,
    `rdb_current_bgsave_time_sec:${b.currentSeconds()}`,
    `rdb_saves:${b.saves}`,
    'rdb_last_cow_size:0',
    'rdb_last_load_keys_expired:0',
    'rdb_last_load_keys_loaded:0',
    // Every write is logged and stored in the same transaction (see appendfsync).
    'aof_enabled:1',
    'aof_rewrite_in_progress:0',
    'aof_rewrite_scheduled:0',
    'aof_last_rewrite_time_sec:-1',
    'aof_current_rewrite_time_sec:-1',
    'aof_last_bgrewrite_status:ok',
    'aof_rewrites:0',
    'aof_rewrites_consecutive_failures:0',
    writeStatus,
    'aof_last_cow_size:0',
    'module_fork_in_progress:0',
    'module_fork_last_cow_size:0',
    ...disk,
    // respdb: the running backup's progress (bytes and records of the shards' environments)
    `backup_current_bytes_copied:${running ? p.bytes : 0}`,
    `backup_current_records_copied:${running ? p.records : 0}`,
    // respdb: COMPACT (lib/backup/compaction.ts)
    `compact_in_progress:${c.inProgress ? 1 : 0}`,
    `compact_current_shard:${c.currentShard}`,
    `compact_last_status:${c.lastStatus}`,
    `compact_last_reclaimed_bytes:${c.lastReclaimed}`,
    `compact_last_time_sec:${c.lastSeconds}`,
    `compactions:${c.compactions}`,
    `data_disk_bytes:${d.disk}`,
    `data_free_bytes:${d.free}`,
  ];
}
