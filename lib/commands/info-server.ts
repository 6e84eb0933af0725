// INFO server, clients, memory and cpu: Redis 7.0's fields in Redis's order. Fields about
// machinery respdb does not have (forks, an allocator of its own, IO threads) print what Redis
// prints when that machinery is idle; respdb's additions are named respdb_* or sit in INFO respdb.

import os from 'node:os';
import path from 'node:path';
import { randomBytes, createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Server } from '../server.js';
import { REDIS_VERSION } from './connection.js';
import { STAT } from '../shard/stats.js';
import { memoryFigures, mainThreadCpu, statSum } from '../server-figures.js';
import { cpuSeconds, human, optNum, optStr, ratio } from './info-format.js';

export const RESPDB_VERSION = ((): string => {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version?: string };
    return pkg.version ?? 'unknown';
  } catch {
    return 'unknown';
  }
})();

/** Per process, like Redis's run_id. */
export const RUN_ID = randomBytes(20).toString('hex');
/** Redis's build id is a hash of its build; respdb's of its version and the Node.js that runs it. */
export const BUILD_ID = createHash('sha1').update(`${RESPDB_VERSION} ${process.version}`).digest('hex').slice(0, 16);

export function serverSection(s: Server): string[] {
  const now = Date.now();
  const up = Math.floor((now - s.counters.startedAt) / 1000);
  const hz = s.config.num('hz');
  return [
    `redis_version:${REDIS_VERSION}`,
    `respdb_version:${RESPDB_VERSION}`,
    'redis_git_sha1:00000000',
    'redis_git_dirty:0',
    `redis_build_id:${BUILD_ID}`,
    'redis_mode:standalone',
    `os:${os.type()} ${os.release()} ${os.machine()}`,
    `arch_bits:${/64/.test(process.arch) ? 64 : 32}`,
    'monotonic_clock:POSIX clock_gettime',
    `multiplexing_api:${process.platform === 'linux' ? 'epoll' : process.platform === 'win32' ? 'iocp' : 'kqueue'}`,
    'atomicvar_api:c11-builtin',
    // respdb is not built by gcc: Redis prints 0.0.0 then
    'gcc_version:0.0.0',
    `node_version:${process.versions.node}`,
    `process_id:${process.pid}`,
    'process_supervised:no',
    `run_id:${RUN_ID}`,
    `tcp_port:${s.port}`,
    `server_time_usec:${Math.round((performance.timeOrigin + performance.now()) * 1000)}`,
    `uptime_in_seconds:${up}`,
    `uptime_in_days:${Math.floor(up / 86400)}`,
    `hz:${hz}`,
    `configured_hz:${hz}`,
    // Redis's LRU clock: seconds, 24 bits
    `lru_clock:${Math.floor(now / 1000) & 0xffffff}`,
    `executable:${process.argv[1] ? path.resolve(process.argv[1]) : process.execPath}`,
    `config_file:${s.config.file ?? ''}`,
    'io_threads_active:0',
    `shards:${s.shards.count}`,
  ];
}

export function clientsSection(s: Server): string[] {
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
    `clients_in_timeout_table:${s.blocking.withTimeout}`,
  ];
}

/**
 * used_memory is the V8 heap in use plus the memory Node.js holds outside it (buffers); the data
 * itself lives in the shards' memory maps, counted in used_memory_rss only. The allocator fields
 * map onto V8's view (allocated: in use, active: reserved heap, resident: RSS).
 */
export function memorySection(s: Server): string[] {
  const { used, heapTotal, rss } = memoryFigures();
  const peak = Math.max(s.counters.peakMemory, used);
  const total = os.totalmem();
  const startup = Math.min(s.counters.startupMemory || used, used);
  let clientBufs = 0;
  for (const c of s.clients.values()) clientBufs += c.parser.buffered() + c.unsent();
  const overhead = Math.min(used, startup + clientBufs);
  const dataset = used - overhead;
  const maxmemory = optNum(s, 'maxmemory', 0);
  const scripts = s.scripting.size;
  return [
    `used_memory:${used}`,
    `used_memory_human:${human(used)}`,
    `used_memory_rss:${rss}`,
    `used_memory_rss_human:${human(rss)}`,
    `used_memory_peak:${peak}`,
    `used_memory_peak_human:${human(peak)}`,
    `used_memory_peak_perc:${((used / peak) * 100).toFixed(2)}%`,
    `used_memory_overhead:${overhead}`,
    `used_memory_startup:${startup}`,
    `used_memory_dataset:${dataset}`,
    `used_memory_dataset_perc:${used - startup > 0 ? ((dataset / (used - startup)) * 100).toFixed(2) : '0.00'}%`,
    `allocator_allocated:${used}`,
    `allocator_active:${heapTotal}`,
    `allocator_resident:${rss}`,
    `total_system_memory:${total}`,
    `total_system_memory_human:${human(total)}`,
    // scripts run in Lua engines compiled to WebAssembly inside each thread's heap: counted above
    'used_memory_lua:0',
    'used_memory_vm_eval:0',
    'used_memory_lua_human:0B',
    'used_memory_scripts_eval:0',
    `number_of_cached_scripts:${scripts}`,
    `number_of_functions:${s.functions.functionCount}`,
    `number_of_libraries:${s.functions.all.length}`,
    'used_memory_vm_functions:0',
    'used_memory_vm_total:0',
    'used_memory_vm_total_human:0B',
    'used_memory_functions:0',
    'used_memory_scripts:0',
    'used_memory_scripts_human:0B',
    `maxmemory:${maxmemory}`,
    `maxmemory_human:${human(maxmemory)}`,
    `maxmemory_policy:${optStr(s, 'maxmemory-policy', 'noeviction')}`,
    `allocator_frag_ratio:${ratio(heapTotal, used)}`,
    `allocator_frag_bytes:${heapTotal - used}`,
    `allocator_rss_ratio:${ratio(rss, heapTotal)}`,
    `allocator_rss_bytes:${rss - heapTotal}`,
    'rss_overhead_ratio:1.00',
    'rss_overhead_bytes:0',
    `mem_fragmentation_ratio:${ratio(rss, used)}`,
    `mem_fragmentation_bytes:${rss - used}`,
    'mem_not_counted_for_evict:0',
    'mem_replication_backlog:0',
    'mem_total_replication_buffers:0',
    'mem_clients_slaves:0',
    `mem_clients_normal:${clientBufs}`,
    'mem_cluster_links:0',
    'mem_aof_buffer:0',
    'mem_allocator:v8',
    'active_defrag_running:0',
    // collections deleted or overwritten whose members are still being removed in the background
    `lazyfree_pending_objects:${statSum(s, STAT.garbagePending)}`,
    `lazyfreed_objects:${statSum(s, STAT.garbageFreed)}`,
  ];
}

/** The process's CPU (every thread) and the main thread's own. */
export function cpuSection(): string[] {
  const u = process.cpuUsage();
  const main = mainThreadCpu();
  return [
    `used_cpu_sys:${cpuSeconds(u.system)}`,
    `used_cpu_user:${cpuSeconds(u.user)}`,
    'used_cpu_sys_children:0.000000',
    'used_cpu_user_children:0.000000',
    `used_cpu_sys_main_thread:${main.sys.toFixed(6)}`,
    `used_cpu_user_main_thread:${main.user.toFixed(6)}`,
  ];
}
