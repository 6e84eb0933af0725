// Server commands (INFO, CONFIG, COMMAND, TIME, LASTSAVE, SHUTDOWN, DEBUG), run on the main thread.

import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { CommandDef, KeySpecDoc, UnknownKeySpec } from './types.js';
import type { MainContext } from '../main-context.js';
import type { Server } from '../server.js';
import type { RespWriter } from '../resp/writer.js';
import { cmd, isKw, kw } from './define.js';
import { E } from '../errors.js';
import { ALL, INVALID_KEYS, lookup, topLevel, keyIndexes } from './registry.js';
import { ConfigError } from '../config.js';
import { globMatchString } from '../glob.js';
import { STAT } from '../shard/stats.js';
import { REDIS_VERSION, help } from './connection.js';
import { logger } from '../log.js';

const log = logger('server');

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

// ------------------------------------------------------------------------------------------------
// INFO
// ------------------------------------------------------------------------------------------------

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
        'tracking_clients:0',
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
    (s) => [
      'loading:0',
      'async_loading:0',
      'rdb_bgsave_in_progress:0',
      `rdb_last_save_time:${s.counters.lastSave}`,
      'rdb_last_bgsave_status:ok',
      'rdb_saves:0',
      // Every write is logged and stored in the same transaction (see appendfsync).
      'aof_enabled:1',
      'aof_rewrite_in_progress:0',
      'aof_rewrite_scheduled:0',
      'aof_last_write_status:ok',
    ],
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
      `total_error_replies:${s.counters.totalErrorReplies}`,
      // the slow-command pool (lib/slow-pool.ts)
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

// ------------------------------------------------------------------------------------------------
// CONFIG
// ------------------------------------------------------------------------------------------------

function configGet(ctx: MainContext, args: Buffer[]): void {
  const patterns: string[] = [];
  for (let i = 2; i < args.length; i++) patterns.push(args[i].toString('utf8'));
  const pairs = ctx.server.config.matchAll(patterns);
  ctx.out.map(pairs.length);
  for (const [k, v] of pairs) {
    ctx.out.bulkStr(k);
    ctx.out.bulkStr(v);
  }
}

function configError(ctx: MainContext, e: unknown): void {
  if (e instanceof ConfigError) ctx.out.error(e.message);
  else throw e;
}

function configSet(ctx: MainContext, args: Buffer[]): void {
  if ((args.length - 2) % 2 !== 0) return ctx.out.error(E.syntax);
  const pairs: Array<[string, string]> = [];
  for (let i = 2; i < args.length; i += 2) pairs.push([args[i].toString('utf8'), args[i + 1].toString('utf8')]);
  try {
    ctx.server.config.set(pairs);
  } catch (e) {
    return configError(ctx, e);
  }
  ctx.out.ok();
}

function configResetStat(ctx: MainContext): void {
  ctx.server.resetStats();
  ctx.out.ok();
}

function configRewrite(ctx: MainContext): void {
  try {
    ctx.server.config.rewrite();
  } catch (e) {
    return configError(ctx, e);
  }
  ctx.out.ok();
}

function configHelp(ctx: MainContext): void {
  help(ctx, 'CONFIG', [
    'GET <pattern>',
    '    Return parameters matching the glob-like <pattern> and their values.',
    'SET <directive> <value>',
    '    Set the configuration <directive> to <value>.',
    'RESETSTAT',
    '    Reset statistics reported by the INFO command.',
    'REWRITE',
    '    Rewrite the configuration file.',
  ]);
}

// ------------------------------------------------------------------------------------------------
// COMMAND
// ------------------------------------------------------------------------------------------------

/** Orders in which Redis 7.0 lists command flags, ACL categories and key spec flags. */
const FLAG_ORDER = [
  'write', 'readonly', 'denyoom', 'module', 'admin', 'pubsub', 'noscript', 'blocking', 'loading', 'stale', 'skip_monitor',
  'skip_slowlog', 'asking', 'fast', 'no_auth', 'no_mandatory_keys', 'no_async_loading', 'no_multi', 'movablekeys', 'allow_busy',
];
const ACL_ORDER = [
  'keyspace', 'read', 'write', 'set', 'sortedset', 'list', 'hash', 'string', 'bitmap', 'hyperloglog', 'geo', 'stream',
  'pubsub', 'admin', 'fast', 'slow', 'blocking', 'dangerous', 'connection', 'transaction', 'scripting',
];
const KEY_FLAG_ORDER = ['RO', 'RW', 'OW', 'RM', 'access', 'update', 'insert', 'delete', 'not_key', 'incomplete', 'variable_flags'];

function ordered(items: readonly string[], order: string[]): string[] {
  const rank = (x: string) => {
    const i = order.indexOf(x);
    return i < 0 ? order.length : i;
  };
  return [...items].sort((a, b) => rank(a) - rank(b));
}

/** Flags as COMMAND INFO shows them (may_replicate is hidden, as in Redis). */
function shownFlags(def: CommandDef): string[] {
  return ordered(
    def.flags.filter((x) => x !== 'may_replicate'),
    FLAG_ORDER,
  );
}

type ShownSpec = KeySpecDoc | UnknownKeySpec;

function writeKeySpec(out: RespWriter, ks: ShownSpec): void {
  const notes = 'notes' in ks && ks.notes !== undefined ? ks.notes : null;
  out.map(notes !== null ? 4 : 3);
  if (notes !== null) {
    out.bulkStr('notes');
    out.bulkStr(notes);
  }
  out.bulkStr('flags');
  const flags = ordered(ks.flags, KEY_FLAG_ORDER);
  out.set(flags.length);
  for (const f of flags) out.simple(f);
  out.bulkStr('begin_search');
  out.map(2);
  out.bulkStr('type');
  if ('unknown' in ks) {
    out.bulkStr('unknown');
    out.bulkStr('spec');
    out.map(0);
  } else if ('index' in ks.begin) {
    out.bulkStr('index');
    out.bulkStr('spec');
    out.map(1);
    out.bulkStr('index');
    out.int(ks.begin.index);
  } else {
    out.bulkStr('keyword');
    out.bulkStr('spec');
    out.map(2);
    out.bulkStr('keyword');
    out.bulkStr(ks.begin.keyword);
    out.bulkStr('startfrom');
    out.int(ks.begin.startfrom);
  }
  out.bulkStr('find_keys');
  out.map(2);
  out.bulkStr('type');
  if ('unknown' in ks) {
    out.bulkStr('unknown');
    out.bulkStr('spec');
    out.map(0);
  } else if ('lastkey' in ks.find) {
    out.bulkStr('range');
    out.bulkStr('spec');
    out.map(3);
    out.bulkStr('lastkey');
    out.int(ks.find.lastkey);
    out.bulkStr('keystep');
    out.int(ks.find.keystep);
    out.bulkStr('limit');
    out.int(ks.find.limit);
  } else {
    out.bulkStr('keynum');
    out.bulkStr('spec');
    out.map(3);
    out.bulkStr('keynumidx');
    out.int(ks.find.keynumidx);
    out.bulkStr('firstkey');
    out.int(ks.find.firstkey);
    out.bulkStr('keystep');
    out.int(ks.find.keystep);
  }
}

/** One COMMAND INFO entry (Redis 7 shape, 10 fields). */
function writeInfo(out: RespWriter, def: CommandDef): void {
  out.array(10);
  out.bulkStr(def.name);
  out.int(def.arity);
  const flags = shownFlags(def);
  out.set(flags.length);
  for (const f of flags) out.simple(f);
  out.int(def.keys.first);
  out.int(def.keys.last);
  out.int(def.keys.step);
  const acl = ordered(def.acl, ACL_ORDER);
  out.set(acl.length);
  for (const a of acl) out.simple('@' + a);
  const tips = def.tips ?? [];
  out.set(tips.length);
  for (const t of tips) out.bulkStr(t);
  const specs = def.keySpecs;
  out.set(specs.length);
  for (const ks of specs) writeKeySpec(out, ks);
  const subs = visibleSubs(def);
  if (subs.length === 0) out.set(0);
  else {
    out.array(subs.length);
    for (const s of subs) writeInfo(out, s);
  }
}

function visibleSubs(def: CommandDef): CommandDef[] {
  return def.sub ? [...def.sub.values()].filter((d) => !d.internal) : [];
}

function writeDocs(out: RespWriter, def: CommandDef): void {
  const subs = visibleSubs(def);
  const fields = 3 + (def.complexity !== undefined ? 1 : 0) + (subs.length > 0 ? 1 : 0);
  out.map(fields);
  out.bulkStr('summary');
  out.bulkStr(def.summary);
  out.bulkStr('since');
  out.bulkStr(def.since);
  out.bulkStr('group');
  out.bulkStr(def.group);
  if (def.complexity !== undefined) {
    out.bulkStr('complexity');
    out.bulkStr(def.complexity);
  }
  if (subs.length > 0) {
    out.bulkStr('subcommands');
    out.map(subs.length);
    for (const s of subs) {
      out.bulkStr(s.name);
      writeDocs(out, s);
    }
  }
}

/** A command by its full name ("get", "config|get"), case-insensitive; internal ones are unknown. */
function findByFullName(name: string): CommandDef | undefined {
  const n = name.toLowerCase();
  const bar = n.indexOf('|');
  if (bar < 0) return lookup(n);
  const parent = lookup(n.slice(0, bar));
  const sub = parent?.sub?.get(n.slice(bar + 1));
  return sub && !sub.internal ? sub : undefined;
}

function commandAll(ctx: MainContext): void {
  const defs = topLevel();
  ctx.out.array(defs.length);
  for (const d of defs) writeInfo(ctx.out, d);
}

function commandInfo(ctx: MainContext, args: Buffer[]): void {
  if (args.length === 2) return commandAll(ctx);
  ctx.out.array(args.length - 2);
  for (let i = 2; i < args.length; i++) {
    const d = findByFullName(args[i].toString('latin1'));
    if (d) writeInfo(ctx.out, d);
    else ctx.out.nil();
  }
}

function commandDocs(ctx: MainContext, args: Buffer[]): void {
  const defs: CommandDef[] = [];
  if (args.length === 2) defs.push(...topLevel());
  else
    for (let i = 2; i < args.length; i++) {
      const d = findByFullName(args[i].toString('latin1'));
      if (d) defs.push(d);
    }
  ctx.out.map(defs.length);
  for (const d of defs) {
    ctx.out.bulkStr(d.name);
    writeDocs(ctx.out, d);
  }
}

function commandCount(ctx: MainContext): void {
  ctx.out.int(topLevel().length);
}

/** COMMAND LIST [FILTERBY MODULE name | ACLCAT category | PATTERN pattern] */
function commandList(ctx: MainContext, args: Buffer[]): void {
  let filter: (d: CommandDef) => boolean = () => true;
  if (args.length === 5 && isKw(args[2], 'filterby')) {
    const how = kw(args[3]);
    const v = args[4].toString('utf8');
    if (how === 'module') filter = () => false;
    else if (how === 'aclcat') {
      const cat = v.toLowerCase();
      filter = (d) => d.acl.includes(cat);
    } else if (how === 'pattern') filter = (d) => globMatchString(v, d.name, true);
    else return ctx.out.error(E.syntax);
  } else if (args.length !== 2) {
    return ctx.out.error(E.syntax);
  }
  const names: string[] = [];
  for (const d of topLevel()) {
    if (filter(d)) names.push(d.name);
    for (const s of visibleSubs(d)) if (filter(s)) names.push(s.name);
  }
  ctx.out.array(names.length);
  for (const n of names) ctx.out.bulkStr(n);
}

/** COMMAND GETKEYS command [arg ...]: the keys respdb routes by (the table's key positions). */
function commandGetKeys(ctx: MainContext, args: Buffer[]): void {
  const cargs = args.slice(2);
  let def = lookup(cargs[0].toString('latin1').toLowerCase());
  if (def?.sub && cargs.length >= 2) def = def.sub.get(cargs[1].toString('latin1').toLowerCase());
  if (!def || def.internal) return ctx.out.error('ERR Invalid command specified');
  if ((def.arity > 0 && cargs.length !== def.arity) || cargs.length < -def.arity) {
    return ctx.out.error('ERR Invalid number of arguments specified for command');
  }
  const idx = keyIndexes(def, cargs);
  if (idx === INVALID_KEYS) return ctx.out.error('ERR Invalid arguments specified for command');
  if (idx.length === 0 && !def.flags.includes('no_mandatory_keys')) return ctx.out.error('ERR The command has no key arguments');
  ctx.out.array(idx.length);
  for (const i of idx) ctx.out.bulk(cargs[i]);
}

function commandHelp(ctx: MainContext): void {
  help(ctx, 'COMMAND', [
    '(no subcommand)',
    '    Return details about all Redis commands.',
    'COUNT',
    '    Return the total number of commands in this Redis server.',
    'LIST',
    '    Return a list of all commands in this Redis server.',
    'INFO [<command-name> ...]',
    '    Return details about multiple Redis commands.',
    '    If no command names are given, documentation details for all',
    '    commands are returned.',
    'DOCS [<command-name> ...]',
    '    Return documentation details about multiple Redis commands.',
    '    If no command names are given, documentation details for all',
    '    commands are returned.',
    'GETKEYS <full-command>',
    '    Return the keys from a full Redis command.',
  ]);
}

// ------------------------------------------------------------------------------------------------
// TIME, LASTSAVE, SHUTDOWN, DEBUG
// ------------------------------------------------------------------------------------------------

function time(ctx: MainContext): void {
  const us = Math.floor((performance.timeOrigin + performance.now()) * 1000);
  ctx.out.array(2);
  ctx.out.bulkStr(String(Math.floor(us / 1e6)));
  ctx.out.bulkStr(String(us % 1e6));
}

function lastsave(ctx: MainContext): void {
  ctx.out.int(ctx.server.counters.lastSave);
}

/**
 * SHUTDOWN [NOSAVE|SAVE] [NOW] [FORCE] | SHUTDOWN ABORT. respdb stores every write as it happens,
 * so SAVE/NOSAVE change nothing: in-flight batches finish, the shards sync and close, the process
 * exits with 0. The client gets no reply; its connection closes.
 */
function shutdown(ctx: MainContext, args: Buffer[]): void {
  let nosave = false;
  let save = false;
  let abort = false;
  let other = false;
  for (let i = 1; i < args.length; i++) {
    const o = kw(args[i]);
    if (o === 'nosave') nosave = true;
    else if (o === 'save') save = true;
    else if (o === 'now' || o === 'force') other = true;
    else if (o === 'abort') abort = true;
    else return ctx.out.error(E.syntax);
  }
  if ((abort && (nosave || save || other)) || (nosave && save)) return ctx.out.error(E.syntax);
  if (abort) return ctx.out.error('ERR No shutdown in progress.');
  log.warn({ client: ctx.conn.addr }, 'user requested shutdown');
  ctx.closeAfter = true;
  const server = ctx.server;
  setImmediate(() => {
    server.shutdown().then(
      () => process.exit(0),
      (err: unknown) => {
        log.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  });
}

/** strtod-like prefix parse of DEBUG SLEEP's argument (garbage reads as 0, as in Redis). */
function sleepSeconds(b: Buffer): number {
  const s = b.toString('latin1');
  const hex = /^\s*([+-]?)0x([0-9a-f]+)/i.exec(s);
  if (hex) return (hex[1] === '-' ? -1 : 1) * parseInt(hex[2], 16);
  const m = /^\s*[+-]?(\d+\.?\d*(e[+-]?\d+)?|\.\d+(e[+-]?\d+)?)/i.exec(s);
  return m ? Number(m[0]) : 0;
}

/**
 * DEBUG SLEEP <seconds> | DEBUG SLOW-POOL-CRASH THROW|OOM | DEBUG HELP. Unlike Redis, which stops the whole server, respdb delays
 * only this connection's reply (and the replies after it): other clients keep being served.
 */
async function debug(ctx: MainContext, args: Buffer[]): Promise<void> {
  if (args.length === 2 && isKw(args[1], 'help')) {
    help(ctx, 'DEBUG', [
      'SLEEP <seconds>',
      '    Delay this connection\'s reply by <seconds>. Decimals allowed.',
      'SLOW-POOL-CRASH THROW|OOM',
      '    Run a slow-pool task that throws or exhausts its thread\'s memory (the pool must recover).',
    ]);
    return;
  }
  if (args.length === 3 && isKw(args[1], 'slow-pool-crash') && (isKw(args[2], 'throw') || isKw(args[2], 'oom'))) {
    const pool = ctx.server.pool;
    if (!pool) return ctx.out.error('ERR no slow-command pool');
    try {
      await pool.run([], { crash: isKw(args[2], 'throw') ? 'throw' : 'oom' });
      ctx.out.error('ERR the task did not fail');
    } catch (e) {
      ctx.out.error(`ERR slow command failed: ${e instanceof Error ? e.message : String(e)}`);
    }
    return;
  }
  if (args.length === 3 && isKw(args[1], 'sleep')) {
    const sec = sleepSeconds(args[2]);
    const ms = Number.isFinite(sec) && sec > 0 ? Math.min(2 ** 31 - 1, Math.round(sec * 1000)) : 0;
    if (ms > 0) await new Promise((r) => setTimeout(r, ms));
    ctx.out.ok();
    return;
  }
  ctx.out.error(`ERR unknown subcommand or wrong number of arguments for '${args[1].toString('latin1')}'. Try DEBUG HELP.`);
}

const ADMIN = ['admin', 'noscript', 'loading', 'stale'] as const;
const CONN = ['connection'];

export const serverCommands: CommandDef[] = [
  cmd({
    name: 'info', arity: -1, flags: ['loading', 'stale'], acl: ['dangerous'], main: info,
    tips: ['nondeterministic_output', 'request_policy:all_shards', 'response_policy:special'],
    summary: 'Get information and statistics about the server', since: '1.0.0', group: 'server', complexity: 'O(1)',
  }),
  cmd({
    name: 'config', arity: -2,
    summary: 'A container for server configuration commands', since: '2.0.0', group: 'server', complexity: 'Depends on subcommand.',
    sub: [
      cmd({
        name: 'config|get', arity: -3, flags: [...ADMIN], main: configGet,
        summary: 'Get the values of configuration parameters', since: '2.0.0', group: 'server',
        complexity: 'O(N) when N is the number of configuration parameters provided',
      }),
      cmd({
        name: 'config|set', arity: -4, flags: [...ADMIN], main: configSet, tips: ['request_policy:all_nodes', 'response_policy:all_succeeded'],
        summary: 'Set configuration parameters to the given values', since: '2.0.0', group: 'server',
        complexity: 'O(N) when N is the number of configuration parameters provided',
      }),
      cmd({
        name: 'config|resetstat', arity: 2, flags: [...ADMIN], main: configResetStat,
        summary: 'Reset the stats returned by INFO', since: '2.0.0', group: 'server', complexity: 'O(1)',
      }),
      cmd({
        name: 'config|rewrite', arity: 2, flags: [...ADMIN], main: configRewrite,
        summary: 'Rewrite the configuration file with the in memory configuration', since: '2.8.0', group: 'server', complexity: 'O(1)',
      }),
      cmd({
        name: 'config|help', arity: 2, flags: ['loading', 'stale'], main: configHelp,
        summary: 'Show helpful text about the different subcommands', since: '5.0.0', group: 'server', complexity: 'O(1)',
      }),
    ],
  }),
  cmd({
    name: 'command', arity: -1, flags: ['loading', 'stale'], acl: CONN, main: commandAll, tips: ['nondeterministic_output_order'],
    summary: 'Get array of Redis command details', since: '2.8.13', group: 'server',
    complexity: 'O(N) where N is the total number of Redis commands',
    sub: [
      cmd({
        name: 'command|count', arity: 2, flags: ['loading', 'stale'], acl: CONN, main: commandCount,
        summary: 'Get total number of Redis commands', since: '2.8.13', group: 'server', complexity: 'O(1)',
      }),
      cmd({
        name: 'command|docs', arity: -2, flags: ['loading', 'stale'], acl: CONN, main: commandDocs, tips: ['nondeterministic_output_order'],
        summary: 'Get array of specific Redis command documentation', since: '7.0.0', group: 'server',
        complexity: 'O(N) where N is the number of commands to look up',
      }),
      cmd({
        name: 'command|getkeys', arity: -4, flags: ['loading', 'stale'], acl: CONN, main: commandGetKeys,
        summary: 'Extract keys given a full Redis command', since: '2.8.13', group: 'server',
        complexity: 'O(N) where N is the number of arguments to the command',
      }),
      cmd({
        name: 'command|help', arity: 2, flags: ['loading', 'stale'], acl: CONN, main: commandHelp,
        summary: 'Show helpful text about the different subcommands', since: '5.0.0', group: 'server', complexity: 'O(1)',
      }),
      cmd({
        name: 'command|info', arity: -2, flags: ['loading', 'stale'], acl: CONN, main: commandInfo, tips: ['nondeterministic_output_order'],
        summary: 'Get array of specific Redis command details, or all when no argument is given.', since: '2.8.13', group: 'server',
        complexity: 'O(N) where N is the number of commands to look up',
      }),
      cmd({
        name: 'command|list', arity: -2, flags: ['loading', 'stale'], acl: CONN, main: commandList, tips: ['nondeterministic_output_order'],
        summary: 'Get an array of Redis command names', since: '7.0.0', group: 'server',
        complexity: 'O(N) where N is the total number of Redis commands',
      }),
    ],
  }),
  cmd({
    name: 'time', arity: 1, flags: ['loading', 'stale', 'fast'], main: time, tips: ['nondeterministic_output'],
    summary: 'Return the current server time', since: '2.6.0', group: 'server', complexity: 'O(1)',
  }),
  cmd({
    name: 'lastsave', arity: 1, flags: ['loading', 'stale', 'fast'], acl: ['admin', 'dangerous'], main: lastsave, tips: ['nondeterministic_output'],
    summary: 'Get the UNIX time stamp of the last successful save to disk', since: '1.0.0', group: 'server', complexity: 'O(1)',
  }),
  cmd({
    name: 'shutdown', arity: -1, flags: ['admin', 'noscript', 'loading', 'stale', 'no_multi', 'allow_busy'], main: shutdown,
    summary: 'Synchronously save the dataset to disk and then shut down the server', since: '1.0.0', group: 'server',
    complexity: 'O(N) when saving, where N is the total number of keys in all databases when saving data, otherwise O(1)',
  }),
  cmd({
    name: 'debug', arity: -2, flags: [...ADMIN], main: debug,
    summary: 'A container for debugging commands', since: '1.0.0', group: 'server', complexity: 'Depends on subcommand.',
  }),
];
