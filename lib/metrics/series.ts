// The series /metrics serves: redis_exporter's names and types for what Redis has (so dashboards
// made for redis_exporter work unchanged) and respdb_* for respdb's own figures. Every value is
// read at scrape time from the same counters INFO reads (lib/server-figures.ts): nothing is
// counted on the command path for the endpoint.

import os from 'node:os';
import { Counter, Gauge, Registry, type Metric } from 'prom-client';
import type { Server } from '../server.js';
import { STAT, TIME_BUCKETS, timeBucketMicros } from '../shard/stats.js';
import { NET } from '../server-stats.js';
import { SUB_CHANNEL, SUB_PATTERN, SUB_SHARD } from '../pubsub.js';
import { REDIS_VERSION } from '../commands/connection.js';
import { BUILD_ID, RUN_ID } from '../commands/info-server.js';
import { optNum, optStr } from '../commands/info-format.js';
import {
  commandFigures,
  keyspaceFigures,
  latencyFigures,
  mainThreadCpu,
  memoryFigures,
  shardFigures,
  statSum,
  type CommandFigures,
  type DbFigures,
  type LatencyFigures,
  type ShardFigures,
} from '../server-figures.js';

/** What one scrape reads once and every series takes its values from. */
interface Snapshot {
  commands: CommandFigures[];
  dbs: DbFigures[];
  latency: LatencyFigures[];
  shards: ShardFigures[];
  cpu: NodeJS.CpuUsage;
  mainCpu: { user: number; sys: number };
}

/** Quantiles of redis_latency_percentiles_usec (Redis's default latency-tracking-info-percentiles). */
const PERCENTILES = [50, 99, 99.9];

interface Sample {
  metricName?: string;
  labels: Record<string, string | number>;
  value: number;
}

/**
 * A series whose samples are computed whole at scrape time (summaries and histograms from counts
 * kept elsewhere), in the shape prom-client's Registry prints.
 */
function computed(reg: Registry, name: string, help: string, type: 'summary' | 'histogram', samples: () => Sample[]): void {
  const metric = {
    name,
    help,
    type,
    aggregator: 'sum',
    get: async () => ({ name, help, type, aggregator: 'sum', values: samples() }),
  };
  reg.registerMetric(metric as unknown as Metric);
}

export class MetricSeries {
  readonly registry = new Registry();
  private snap: Snapshot | null = null;

  constructor(private readonly server: Server) {
    this.define();
  }

  /** The exposition text of every series (one consistent read of the counters). */
  async text(): Promise<string> {
    const s = this.server;
    this.snap = {
      commands: commandFigures(s),
      dbs: keyspaceFigures(s),
      latency: latencyFigures(s, PERCENTILES),
      shards: shardFigures(s),
      cpu: process.cpuUsage(),
      mainCpu: mainThreadCpu(),
    };
    try {
      return await this.registry.metrics();
    } finally {
      this.snap = null;
    }
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  private get now(): Snapshot {
    return this.snap!;
  }

  private gauge(name: string, help: string, value: () => number): void {
    new Gauge({
      name,
      help,
      registers: [this.registry],
      collect() {
        this.set(value());
      },
    });
  }

  private counter(name: string, help: string, value: () => number): void {
    new Counter({
      name,
      help,
      registers: [this.registry],
      collect() {
        this.reset();
        this.inc(Math.max(0, value()));
      },
    });
  }

  /** A labelled gauge or counter whose label sets come from the snapshot. */
  private labelled(kind: 'gauge' | 'counter', name: string, help: string, labelNames: string[], rows: () => Array<[Record<string, string>, number]>): void {
    const opts = { name, help, labelNames, registers: [this.registry] };
    if (kind === 'gauge') {
      new Gauge({
        ...opts,
        collect() {
          this.reset();
          for (const [l, v] of rows()) this.set(l, v);
        },
      });
    } else {
      new Counter({
        ...opts,
        collect() {
          this.reset();
          for (const [l, v] of rows()) this.inc(l, Math.max(0, v));
        },
      });
    }
  }

  private define(): void {
    const s = this.server;
    const c = s.counters;
    const up = (): number => (Date.now() - c.startedAt) / 1000;
    this.gauge('redis_up', 'Information about the Redis instance', () => 1);
    this.gauge('redis_uptime_in_seconds', 'uptime_in_seconds metric', () => Math.floor(up()));
    this.gauge('redis_start_time_seconds', 'Start time of the Redis instance since unix epoch in seconds.', () => Math.floor(c.startedAt / 1000));
    this.labelled('gauge', 'redis_instance_info', 'Information about the Redis instance', ['role', 'redis_version', 'redis_build_id', 'redis_mode', 'os', 'maxmemory_policy', 'tcp_port', 'run_id', 'process_id', 'master_replid'], () => [
      [
        {
          role: s.replication.role === 'replica' ? 'slave' : 'master',
          redis_version: REDIS_VERSION,
          redis_build_id: BUILD_ID,
          redis_mode: 'standalone',
          os: `${os.type()} ${os.release()} ${os.machine()}`,
          maxmemory_policy: optStr(s, 'maxmemory-policy', 'noeviction'),
          tcp_port: String(s.port),
          run_id: RUN_ID,
          process_id: String(process.pid),
          master_replid: s.replication.ids.ids.replid,
        },
        1,
      ],
    ]);

    // clients
    this.gauge('redis_connected_clients', 'connected_clients metric', () => s.clients.size);
    this.gauge('redis_blocked_clients', 'blocked_clients metric', () => s.blockedClients);
    this.gauge('redis_tracking_clients', 'tracking_clients metric', () => s.clientCtl.tracking.clients);
    this.gauge('redis_config_maxclients', 'config_maxclients metric', () => s.config.num('maxclients'));

    // memory
    this.gauge('redis_memory_used_bytes', 'memory_used_bytes metric', () => memoryFigures().used);
    this.gauge('redis_memory_used_rss_bytes', 'memory_used_rss_bytes metric', () => memoryFigures().rss);
    this.gauge('redis_memory_used_peak_bytes', 'memory_used_peak_bytes metric', () => Math.max(c.peakMemory, memoryFigures().used));
    this.gauge('redis_memory_used_startup_bytes', 'memory_used_startup_bytes metric', () => c.startupMemory);
    this.gauge('redis_memory_max_bytes', 'memory_max_bytes metric', () => optNum(s, 'maxmemory', 0));
    this.gauge('redis_total_system_memory_bytes', 'total_system_memory_bytes metric', () => os.totalmem());
    this.gauge('redis_lazyfree_pending_objects', 'lazyfree_pending_objects metric', () => statSum(s, STAT.garbagePending));

    // stats
    this.counter('redis_commands_processed_total', 'commands_processed_total metric', () => c.totalCommands);
    this.counter('redis_connections_received_total', 'connections_received_total metric', () => c.totalConnections);
    this.counter('redis_rejected_connections_total', 'rejected_connections_total metric', () => c.rejectedConnections);
    this.counter('redis_net_input_bytes_total', 'net_input_bytes_total metric', () => NET.inputBytes);
    this.counter('redis_net_output_bytes_total', 'net_output_bytes_total metric', () => NET.outputBytes);
    this.counter('redis_expired_keys_total', 'expired_keys_total metric', () => statSum(s, STAT.expiredKeys));
    this.counter('redis_evicted_keys_total', 'evicted_keys_total metric', () => 0);
    this.counter('redis_keyspace_hits_total', 'keyspace_hits_total metric', () => statSum(s, STAT.keyspaceHits));
    this.counter('redis_keyspace_misses_total', 'keyspace_misses_total metric', () => statSum(s, STAT.keyspaceMisses));
    this.gauge('redis_instantaneous_ops_per_sec', 'instantaneous_ops_per_sec metric', () => c.opsPerSec);
    this.gauge('redis_instantaneous_input_kbps', 'instantaneous_input_kbps metric', () => c.inputKbps);
    this.gauge('redis_instantaneous_output_kbps', 'instantaneous_output_kbps metric', () => c.outputKbps);
    this.gauge('redis_pubsub_channels', 'pubsub_channels metric', () => s.pubsub.size(SUB_CHANNEL));
    this.gauge('redis_pubsub_patterns', 'pubsub_patterns metric', () => s.pubsub.size(SUB_PATTERN));
    this.gauge('redis_pubsubshard_channels', 'pubsubshard_channels metric', () => s.pubsub.size(SUB_SHARD));
    this.labelled('counter', 'redis_errors_total', 'Total number of errors per error type', ['err'], () => [...c.errorStats.entries()].map(([err, n]) => [{ err }, n]));

    // replication (respdb has no replicas yet)
    this.gauge('redis_connected_slaves', 'connected_slaves metric', () => s.replication.master.links.length);
    this.gauge('redis_master_repl_offset', 'master_repl_offset metric', () => 0);

    // cpu
    this.counter('redis_cpu_sys_seconds_total', 'cpu_sys_seconds_total metric', () => this.now.cpu.system / 1e6);
    this.counter('redis_cpu_user_seconds_total', 'cpu_user_seconds_total metric', () => this.now.cpu.user / 1e6);
    this.counter('redis_cpu_sys_children_seconds_total', 'cpu_sys_children_seconds_total metric', () => 0);
    this.counter('redis_cpu_user_children_seconds_total', 'cpu_user_children_seconds_total metric', () => 0);
    this.counter('redis_cpu_sys_main_thread_seconds_total', 'cpu_sys_main_thread_seconds_total metric', () => this.now.mainCpu.sys);
    this.counter('redis_cpu_user_main_thread_seconds_total', 'cpu_user_main_thread_seconds_total metric', () => this.now.mainCpu.user);

    // commandstats, latencystats
    const cmdRows = (f: (c: CommandFigures) => number) => (): Array<[Record<string, string>, number]> => this.now.commands.map((x) => [{ cmd: x.name }, f(x)]);
    this.labelled('counter', 'redis_commands_total', 'Total number of calls per command', ['cmd'], cmdRows((x) => x.calls));
    this.labelled('counter', 'redis_commands_duration_seconds_total', 'Total amount of time in seconds spent per command', ['cmd'], cmdRows((x) => x.usec / 1e6));
    this.labelled('counter', 'redis_commands_rejected_calls_total', 'Total number of errors prior command execution per command', ['cmd'], cmdRows((x) => x.rejected));
    this.labelled('counter', 'redis_commands_failed_calls_total', 'Total number of errors within command execution per command', ['cmd'], cmdRows((x) => x.failed));
    computed(this.registry, 'redis_latency_percentiles_usec', 'A summary of latency percentile distribution per command', 'summary', () => {
      const usec = new Map(this.now.commands.map((x) => [x.name, x.usec]));
      const out: Sample[] = [];
      for (const l of this.now.latency) {
        PERCENTILES.forEach((p, i) => out.push({ labels: { cmd: l.name, quantile: String(Number((p / 100).toFixed(6))) }, value: l.values[i] }));
        out.push({ metricName: 'redis_latency_percentiles_usec_sum', labels: { cmd: l.name }, value: usec.get(l.name) ?? 0 });
        out.push({ metricName: 'redis_latency_percentiles_usec_count', labels: { cmd: l.name }, value: l.calls });
      }
      return out;
    });

    // keyspace: every database, empty ones as 0 (as redis_exporter reports them)
    const dbRows = (f: (d: DbFigures) => number) => (): Array<[Record<string, string>, number]> => {
      const byDb = new Map(this.now.dbs.map((d) => [d.db, d]));
      const out: Array<[Record<string, string>, number]> = [];
      for (let db = 0; db < s.databases; db++) {
        const d = byDb.get(db) ?? { db, keys: 0, expires: 0, avgTtl: 0 };
        out.push([{ db: `db${db}` }, f(d)]);
      }
      return out;
    };
    this.labelled('gauge', 'redis_db_keys', 'Total number of keys by DB', ['db'], dbRows((d) => d.keys));
    this.labelled('gauge', 'redis_db_keys_expiring', 'Total number of expiring keys by DB', ['db'], dbRows((d) => d.expires));
    this.labelled('gauge', 'redis_db_avg_ttl_seconds', 'Avg TTL in seconds', ['db'], dbRows((d) => d.avgTtl / 1000));

    // slowlog
    this.gauge('redis_slowlog_length', 'Total slowlog', () => s.diagnostics.slowlog.length);
    this.gauge('redis_slowlog_last_id', 'Last id of slowlog', () => s.diagnostics.slowlog.newest(1)[0]?.id ?? 0);
    this.gauge('redis_last_slow_execution_duration_seconds', 'The amount of time needed for last slow execution, in seconds', () => (s.diagnostics.slowlog.newest(1)[0]?.micros ?? 0) / 1e6);

    this.defineRespdb();
  }

  /** respdb's own series: per shard, the binlog, the slow-command pool. */
  private defineRespdb(): void {
    const s = this.server;
    const shardRows = (f: (x: ShardFigures) => number) => (): Array<[Record<string, string>, number]> => this.now.shards.map((x) => [{ shard: String(x.shard) }, f(x)]);
    const L = ['shard'];
    this.gauge('respdb_shards', 'Number of storage shards', () => s.shards.count);
    this.labelled('gauge', 'respdb_shard_keys', 'Keys held by the shard (every database)', L, shardRows((x) => x.keys));
    this.labelled('gauge', 'respdb_shard_queue_depth', 'Requests sent to the shard and not answered yet', L, shardRows((x) => x.queueDepth));
    this.labelled('gauge', 'respdb_data_file_bytes', "Size of the shard's LMDB data file", L, shardRows((x) => x.dataFileBytes));
    this.labelled('gauge', 'respdb_data_disk_bytes', "Bytes the shard's data file occupies on disk", L, shardRows((x) => x.dataDiskBytes));
    this.labelled('gauge', 'respdb_shard_used_pages', 'LMDB pages holding data, indexes and the free list', L, shardRows((x) => x.usedPages));
    this.labelled('gauge', 'respdb_shard_free_pages', 'LMDB pages of the data file free for reuse', L, shardRows((x) => x.freePages));
    this.labelled('gauge', 'respdb_shard_page_size_bytes', 'LMDB page size', L, shardRows((x) => x.pageSize));
    this.labelled('gauge', 'respdb_binlog_bytes', "Bytes held by the shard's binlog", L, shardRows((x) => x.binlogBytes));
    this.timeHistogram('respdb_shard_commit_seconds', 'Duration of the LMDB commits of write transactions', false);
    this.timeHistogram('respdb_shard_fsync_seconds', 'Duration of the fsyncs of the shard environment', true);
    this.gauge('respdb_slow_pool_threads', 'Threads of the slow-command pool', () => s.pool?.threads ?? 0);
    this.gauge('respdb_slow_pool_queued', 'Commands waiting for a slow-pool thread', () => s.pool?.queued ?? 0);
    this.gauge('respdb_slow_pool_running', 'Commands running on the slow pool', () => s.pool?.running ?? 0);
    this.counter('respdb_slow_pool_completed_total', 'Commands the slow pool completed', () => s.pool?.completed ?? 0);
    this.counter('respdb_slow_pool_failed_total', 'Slow-pool tasks that failed (exception or lost thread)', () => s.pool?.failed ?? 0);
    this.counter('respdb_slow_pool_busy_seconds_total', 'Time slow-pool threads spent running commands', () => (s.pool?.busyMicros ?? 0) / 1e6);
  }

  private timeHistogram(name: string, help: string, fsync: boolean): void {
    computed(this.registry, name, help, 'histogram', () => {
      const out: Sample[] = [];
      for (const x of this.now.shards) {
        const shard = String(x.shard);
        const h = x.stats.timeHistogram(fsync);
        let cum = 0;
        for (let k = 0; k < TIME_BUCKETS; k++) {
          cum += h[k];
          const top = timeBucketMicros(k);
          out.push({ metricName: `${name}_bucket`, labels: { shard, le: top === Infinity ? '+Inf' : String(top / 1e6) }, value: cum });
        }
        out.push({ metricName: `${name}_sum`, labels: { shard }, value: (fsync ? x.fsyncMicros : x.commitMicros) / 1e6 });
        out.push({ metricName: `${name}_count`, labels: { shard }, value: cum });
      }
      return out;
    });
  }
}
