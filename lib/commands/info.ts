// INFO: the sections of Redis 7.0 that respdb has, with Redis's field names, from counters the
// main thread and the shards keep (nothing walks the data).

import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { CommandDef } from './types.js';
import type { MainContext } from '../main-context.js';
import type { Server } from '../server.js';
import { cmd, kw } from './define.js';
import { ALL } from './registry.js';
import { STAT } from '../shard/stats.js';
import { REDIS_VERSION } from './connection.js';
import { SUB_CHANNEL, SUB_PATTERN, SUB_SHARD } from '../pubsub.js';
import { persistenceSection } from '../backup/info.js';

const RESPDB_VERSION = ((): string => {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version?: string };
    return pkg.version ?? 'unknown';
  } catch {
    return 'unknown';
  }
})();

/** Per process, like Redis's run_id and replication id (respdb has no replicas yet). */
const RUN_ID = randomBytes(20).toString('hex');
const REPL_ID = randomBytes(20).toString('hex');

/** Redis bytesToHuman. */
function human(n: number): string {
  const units = ['K', 'M', 'G', 'T', 'P'];
  if (n < 1024) return `${n}B`;
  let d = n / 1024;
  for (const u of units) {
    if (d < 1024 || u === 'P') return `${d.toFixed(2)}${u}`;
    d /= 1024;
  }
  return `${n}B`;
}

function cpuSeconds(us: number): string {
  return `${Math.floor(us / 1e6)}.${String(Math.floor(us % 1e6)).padStart(6, '0')}`;
}

type Section = (s: Server) => string[];

function sum(s: Server, stat: number): number {
  let n = s.shards.directStats.get(stat) + s.slowStats.get(stat); // reads served on the main thread, the slow pool
  for (const st of s.shards.links.map((l) => l.stats)) n += st.get(stat);
  return n;
}

function usedMemory(): { used: number; rss: number } {
  const m = process.memoryUsage();
  return { used: m.heapUsed + m.external, rss: m.rss };
}

const SECTIONS: Array<[string, string, Section]> = [
  [
    'server',
    'Server',
    (s) => {
      const now = Date.now();
      const up = Math.floor((now - s.counters.startedAt) / 1000);
      const hz = s.config.num('hz');
      return [
        `redis_version:${REDIS_VERSION}`,
        `respdb_version:${RESPDB_VERSION}`,
        'redis_mode:standalone',
        `os:${os.type()} ${os.release()} ${os.machine()}`,
        `arch_bits:${/64/.test(process.arch) ? 64 : 32}`,
        `process_id:${process.pid}`,
        'process_supervised:no',
        `run_id:${RUN_ID}`,
        `tcp_port:${s.port}`,
        `server_time_usec:${Math.round((performance.timeOrigin + performance.now()) * 1000)}`,
        `uptime_in_seconds:${up}`,
        `uptime_in_days:${Math.floor(up / 86400)}`,
        `hz:${hz}`,
        `configured_hz:${hz}`,
        `executable:${process.argv[1] ? path.resolve(process.argv[1]) : process.execPath}`,
        `config_file:${s.config.file ?? ''}`,
        `shards:${s.shards.count}`,
      ];
    },
  ],
  [
    'clients',
    'Clients',
    (s) => {
      let maxIn = 0;
      let maxOut = 0;
      for (const c of s.clients.values()) {
        maxIn = Math.max(maxIn, c.parser.buffered());
        maxOut = Math.max(maxOut, c.unsent() + c.socket.writableLength);
      }
      return [
        `connected_clients:${s.clients.size}`,
        'cluster_connections:0',
        `maxclients:${s.config.num('maxclients')}`,
        `client_recent_max_input_buffer:${maxIn}`,
        `client_recent_max_output_buffer:${maxOut}`,
        `blocked_clients:${s.blockedClients}`,
        `tracking_clients:${s.clientCtl.tracking.clients}`,
      ];
    },
  ],
  [
    'memory',
    'Memory',
    (s) => {
      const { used, rss } = usedMemory();
      const peak = Math.max(s.counters.peakMemory, used);
      const total = os.totalmem();
      return [
        `used_memory:${used}`,
        `used_memory_human:${human(used)}`,
        `used_memory_rss:${rss}`,
        `used_memory_rss_human:${human(rss)}`,
        `used_memory_peak:${peak}`,
        `used_memory_peak_human:${human(peak)}`,
        `used_memory_peak_perc:${((used / peak) * 100).toFixed(2)}%`,
        `total_system_memory:${total}`,
        `total_system_memory_human:${human(total)}`,
        'maxmemory:0',
        'maxmemory_human:0B',
        'maxmemory_policy:noeviction',
        // collections deleted or overwritten whose members are still being removed in the background
        `lazyfree_pending_objects:${sum(s, STAT.garbagePending)}`,
        `lazyfreed_objects:${sum(s, STAT.garbageFreed)}`,
      ];
    },
  ],
  [
    'persistence',
    'Persistence',
    persistenceSection,
  ],
  [
    'stats',
    'Stats',
    (s) => [
      `total_connections_received:${s.counters.totalConnections}`,
      `total_commands_processed:${s.counters.totalCommands}`,
      `instantaneous_ops_per_sec:${s.counters.opsPerSec}`,
      `rejected_connections:${s.counters.rejectedConnections}`,
      `expired_keys:${sum(s, STAT.expiredKeys)}`,
      'evicted_keys:0',
      `keyspace_hits:${sum(s, STAT.keyspaceHits)}`,
      `keyspace_misses:${sum(s, STAT.keyspaceMisses)}`,
      `tracking_total_keys:${s.clientCtl.tracking.keys}`,
      `tracking_total_items:${s.clientCtl.tracking.items}`,
      `tracking_total_prefixes:${s.clientCtl.tracking.prefixCount}`,
      `pubsub_channels:${s.pubsub.size(SUB_CHANNEL)}`,
      `pubsub_patterns:${s.pubsub.size(SUB_PATTERN)}`,
      `pubsubshard_channels:${s.pubsub.size(SUB_SHARD)}`,
      `total_error_replies:${s.counters.totalErrorReplies}`,
      // the slow-command pool (lib/slow/pool.ts)
      `slow_cmd_threads:${s.pool ? s.pool.threads : 0}`,
      `slow_cmd_queued:${s.pool ? s.pool.queued : 0}`,
      `slow_cmd_running:${s.pool ? s.pool.running : 0}`,
      `slow_cmd_completed:${s.pool ? s.pool.completed : 0}`,
      `slow_cmd_failed:${s.pool ? s.pool.failed : 0}`,
      `slow_cmd_time_ms:${s.pool ? Math.round(s.pool.busyMicros / 1000) : 0}`,
      `slow_cmd_store_retries:${s.counters.slowStoreRetries}`,
    ],
  ],
  [
    'replication',
    'Replication',
    () => [
      'role:master',
      'connected_slaves:0',
      'master_failover_state:no-failover',
      `master_replid:${REPL_ID}`,
      'master_replid2:0000000000000000000000000000000000000000',
      'master_repl_offset:0',
      'second_repl_offset:-1',
      'repl_backlog_active:0',
    ],
  ],
  [
    'cpu',
    'CPU',
    () => {
      const u = process.cpuUsage();
      return [
        `used_cpu_sys:${cpuSeconds(u.system)}`,
        `used_cpu_user:${cpuSeconds(u.user)}`,
        'used_cpu_sys_children:0.000000',
        'used_cpu_user_children:0.000000',
      ];
    },
  ],
  ['modules', 'Modules', () => []],
  ['commandstats', 'Commandstats', commandStatsLines],
  [
    'errorstats',
    'Errorstats',
    (s) =>
      [...s.counters.errorStats.entries()]
        .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
        .map(([k, n]) => `errorstat_${k}:count=${n}`),
  ],
  ['cluster', 'Cluster', () => ['cluster_enabled:0']],
  [
    'keyspace',
    'Keyspace',
    (s) => {
      const out: string[] = [];
      for (let db = 0; db < s.databases; db++) {
        let keys = 0;
        let expires = 0;
        for (const st of s.shards.links.map((l) => l.stats)) {
          keys += st.keys(db);
          expires += st.expires(db);
        }
        if (keys > 0) out.push(`db${db}:keys=${keys},expires=${expires},avg_ttl=0`);
      }
      return out;
    },
  ],
];

const DEFAULT_SECTIONS = new Set(['server', 'clients', 'memory', 'persistence', 'stats', 'replication', 'cpu', 'modules', 'errorstats', 'cluster', 'keyspace']);

let defsByName: Map<string, CommandDef> | null = null;

function defByName(name: string): CommandDef | undefined {
  if (!defsByName) {
    defsByName = new Map();
    for (const d of ALL) if (!d.internal) defsByName.set(d.name, d);
  }
  return defsByName.get(name);
}

/**
 * calls/rejected/failed are counted on the main thread; usec is the main thread's execution time
 * plus the time each shard spent running the command (so a multi-shard command counts every part).
 */
function commandStatsLines(s: Server): string[] {
  const out: string[] = [];
  for (const [name, st] of s.cmdStats.entries()) {
    if (!st.calls && !st.rejected && !st.failed) continue;
    let usec = st.usec;
    const def = defByName(name);
    if (def && def.index !== undefined) for (const sh of s.shards.links.map((l) => l.stats)) usec += sh.usec(def.index);
    usec = Math.round(usec);
    const per = st.calls ? usec / st.calls : 0;
    out.push(`cmdstat_${name}:calls=${st.calls},usec=${usec},usec_per_call=${per.toFixed(2)},rejected_calls=${st.rejected},failed_calls=${st.failed}`);
  }
  return out;
}

/** INFO [section ...]: default, all and everything as in Redis; unknown sections are ignored. */
function info(ctx: MainContext, args: Buffer[]): void {
  const want = new Set<string>();
  if (args.length === 1) for (const n of DEFAULT_SECTIONS) want.add(n);
  for (let i = 1; i < args.length; i++) {
    const n = kw(args[i]);
    if (n === 'default') for (const d of DEFAULT_SECTIONS) want.add(d);
    else if (n === 'all' || n === 'everything') for (const [name] of SECTIONS) want.add(name);
    else want.add(n);
  }
  const parts: string[] = [];
  for (const [name, title, fn] of SECTIONS) {
    if (!want.has(name)) continue;
    const lines = fn(ctx.server);
    parts.push(`# ${title}\r\n` + lines.map((l) => l + '\r\n').join(''));
  }
  ctx.out.verbatim(parts.join('\r\n'));
}

export const infoCommands: CommandDef[] = [
  cmd({
    name: 'info', arity: -1, flags: ['loading', 'stale'], acl: ['dangerous'], main: info,
    tips: ['nondeterministic_output', 'request_policy:all_shards', 'response_policy:special'],
    summary: 'Get information and statistics about the server', since: '1.0.0', group: 'server', complexity: 'O(1)',
  }),
];
