// INFO stats and replication: Redis 7.0's fields in Redis's order, from the main thread's counters
// (lib/server-stats.ts) and the shards' (lib/shard/stats.ts). respdb forks nothing, evicts
// nothing, has no replicas and no active defragmentation yet: those fields print Redis's idle values.

import type { Server } from '../server.js';
import { STAT } from '../shard/stats.js';
import { NET } from '../server-stats.js';
import { statSum } from '../server-figures.js';
import { SUB_CHANNEL, SUB_PATTERN, SUB_SHARD } from '../pubsub.js';
import { optNum } from './info-format.js';

/** Per process, like Redis's replication id (respdb has no replicas yet). */

export function statsSection(s: Server): string[] {
  const c = s.counters;
  const pool = s.pool;
  return [
    `total_connections_received:${c.totalConnections}`,
    `total_commands_processed:${c.totalCommands}`,
    `instantaneous_ops_per_sec:${c.opsPerSec}`,
    `total_net_input_bytes:${NET.inputBytes}`,
    `total_net_output_bytes:${NET.outputBytes}`,
    'total_net_repl_input_bytes:0',
    'total_net_repl_output_bytes:0',
    `instantaneous_input_kbps:${c.inputKbps.toFixed(2)}`,
    `instantaneous_output_kbps:${c.outputKbps.toFixed(2)}`,
    'instantaneous_input_repl_kbps:0.00',
    'instantaneous_output_repl_kbps:0.00',
    `rejected_connections:${c.rejectedConnections}`,
    `sync_full:${s.replication.master.sync.full}`,
    `sync_partial_ok:${s.replication.master.sync.partialOk}`,
    `sync_partial_err:${s.replication.master.sync.partialErr}`,
    `expired_keys:${statSum(s, STAT.expiredKeys)}`,
    'expired_stale_perc:0.00',
    'expired_time_cap_reached_count:0',
    'expire_cycle_cpu_milliseconds:0',
    'evicted_keys:0',
    'evicted_clients:0',
    'total_eviction_exceeded_time:0',
    'current_eviction_exceeded_time:0',
    `keyspace_hits:${statSum(s, STAT.keyspaceHits)}`,
    `keyspace_misses:${statSum(s, STAT.keyspaceMisses)}`,
    `pubsub_channels:${s.pubsub.size(SUB_CHANNEL)}`,
    `pubsub_patterns:${s.pubsub.size(SUB_PATTERN)}`,
    `pubsubshard_channels:${s.pubsub.size(SUB_SHARD)}`,
    'latest_fork_usec:0',
    'total_forks:0',
    'migrate_cached_sockets:0',
    'slave_expires_tracked_keys:0',
    'active_defrag_hits:0',
    'active_defrag_misses:0',
    'active_defrag_key_hits:0',
    'active_defrag_key_misses:0',
    'total_active_defrag_time:0',
    'current_active_defrag_time:0',
    `tracking_total_keys:${s.clientCtl.tracking.keys}`,
    `tracking_total_items:${s.clientCtl.tracking.items}`,
    `tracking_total_prefixes:${s.clientCtl.tracking.prefixCount}`,
    'unexpected_error_replies:0',
    `total_error_replies:${c.totalErrorReplies}`,
    'dump_payload_sanitizations:0',
    `total_reads_processed:${NET.reads}`,
    `total_writes_processed:${NET.writes}`,
    'io_threaded_reads_processed:0',
    'io_threaded_writes_processed:0',
    'reply_buffer_shrinks:0',
    'reply_buffer_expands:0',
    // the slow-command pool (lib/slow/pool.ts)
    `slow_cmd_threads:${pool ? pool.threads : 0}`,
    `slow_cmd_queued:${pool ? pool.queued : 0}`,
    `slow_cmd_running:${pool ? pool.running : 0}`,
    `slow_cmd_completed:${pool ? pool.completed : 0}`,
    `slow_cmd_failed:${pool ? pool.failed : 0}`,
    `slow_cmd_time_ms:${pool ? Math.round(pool.busyMicros / 1000) : 0}`,
    `slow_cmd_store_retries:${c.slowStoreRetries}`,
  ];
}

export function replicationSection(s: Server): string[] {
  const r = s.replication;
  const { ids } = r.ids;
  const lines = [`role:${r.role === 'replica' ? 'slave' : 'master'}`];
  if (r.role === 'replica' && r.replica) lines.push(...r.replica.infoLines());
  lines.push(...r.master.infoLines());
  const active = r.source !== null || r.role === 'replica' || r.backlog.size > 0;
  lines.push(
    'master_failover_state:no-failover',
    `master_replid:${ids.replid}`,
    `master_replid2:${ids.replid2}`,
    `master_repl_offset:${r.offset}`,
    `second_repl_offset:${ids.secondReplOffset}`,
    `repl_backlog_active:${active ? 1 : 0}`,
    `repl_backlog_size:${optNum(s, 'repl-backlog-size', 1048576)}`,
    `repl_backlog_first_byte_offset:${active ? r.backlog.start + 1 : 0}`,
    `repl_backlog_histlen:${active ? r.backlog.size : 0}`,
  );
  return lines;
}
