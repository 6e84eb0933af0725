// The configuration directives respdb knows: name, aliases, type, default, bounds, whether CONFIG
// SET may change it at runtime. One table for the config file, the command line and CONFIG
// GET / SET / REWRITE (lib/config.ts).

import os from 'node:os';
import { NOTIFY_CLASS_ERROR, notifyClassesText, parseNotifyClasses } from '../store/key-events.js';
import { ENCODING_OPTIONS } from './options-encoding.js';
import { DISK_OPTIONS } from './options-disk.js';
import { METRICS_OPTIONS } from './options-metrics.js';
import { BACKUP_OPTIONS } from './options-backup.js';
import { MEMORY_OPTIONS } from './options-memory.js';
import { PERSISTENCE_OPTIONS } from './options-persistence.js';
import { PIKA_OPTIONS } from './options-pika.js';
import { PROCESS_OPTIONS } from './options-process.js';
import { REPLICATION_OPTIONS } from './options-replication.js';
import { OUTPUT_BUFFER_LIMIT_DEFAULT, combineOutputBufferLimit, outputBufferLimitLines } from './output-buffer-limit.js';

export type OptionType = 'int' | 'memory' | 'bool' | 'enum' | 'string';
export type OptionValue = number | boolean | string;

export interface OptionDef {
  /** canonical (lower-case) name */
  readonly name: string;
  /** other accepted names; CONFIG GET reports an alias under the alias when the alias matched */
  readonly aliases?: readonly string[];
  readonly type: OptionType;
  /** the default, spelled as CONFIG GET prints it (memory may use units: "512mb") */
  readonly default: string;
  /** inclusive bounds for int/memory (bytes) */
  readonly min?: number | bigint;
  readonly max?: number | bigint;
  /** enum values, in the order the error message lists them */
  readonly values?: readonly string[];
  /** settable with CONFIG SET */
  readonly mutable: boolean;
  readonly doc: string;
  /** string holding a space-separated list; in files / argv it is given as several arguments */
  readonly multi?: boolean;
  /** repeated directives in one file append to each other instead of replacing (redis `save`) */
  readonly accumulate?: boolean;
  /** int accepted within min..max but silently clamped into this range (redis `hz`) */
  readonly clamp?: readonly [number, number];
  /** extra validation for string options; returns the error text or null */
  readonly validate?: (value: string) => string | null;
  /** a string option's own parser: its value and the text CONFIG GET shows, or the error text */
  readonly parse?: (value: string) => { value: OptionValue; text: string } | string;
  /**
   * A value that changes only part of the option (client-output-buffer-limit names the classes
   * it sets): the new whole value from the current one, or the error text.
   */
  readonly combine?: (current: string, given: string) => { text: string } | string;
  /** CONFIG REWRITE writes the option as several lines (one per class), each default or not. */
  readonly rewriteLines?: (text: string) => Array<{ args: string; isDefault: boolean }>;
  /**
   * A directive of a feature respdb does not have: the refusal (naming the directive and saying
   * why) when the value asks for that feature, null when it describes what respdb does.
   */
  readonly refuse?: (text: string) => string | null;
  /** CONFIG SET answers Redis's "can't set protected config" (dir, dbfilename) */
  readonly protectedConfig?: boolean;
}

const INT_MAX = 2147483647;
const LLONG_MAX = 9223372036854775807n;
const MB = 1024 * 1024;

function validateSave(v: string): string | null {
  const parts = v.split(' ').filter((x) => x !== '');
  if (parts.length % 2 !== 0 || parts.some((x) => !/^[0-9]+$/.test(x))) return 'Invalid save parameters';
  return null;
}

function parseNotify(v: string): { value: number; text: string } | string {
  const flags = parseNotifyClasses(v);
  return flags === null ? NOTIFY_CLASS_ERROR : { value: flags, text: notifyClassesText(flags) };
}

const defaultShards = String(Math.max(1, Math.min(8, os.availableParallelism())));

// prettier-ignore
export const OPTIONS: readonly OptionDef[] = [
  { name: 'port', type: 'int', default: '6379', min: 0, max: 65535, mutable: false, doc: 'effect: TCP port to listen on' },
  { name: 'bind', type: 'string', default: '127.0.0.1 ::1', multi: true, mutable: false, doc: 'effect: space-separated list of addresses to listen on' },
  { name: 'dir', aliases: ['db-path'], type: 'string', default: './data', mutable: false, protectedConfig: true, doc: 'effect: data directory (LMDB environments, binlog); db-path is its Pika name' },
  { name: 'shards', type: 'int', default: defaultShards, min: 1, max: 256, mutable: false, doc: 'effect: number of storage shards / worker threads (default: CPUs, at most 8)' },
  { name: 'databases', type: 'int', default: '16', min: 1, max: 256, mutable: false, doc: 'effect: number of logical databases (the database index is one byte of every stored key)' },
  { name: 'appendfsync', type: 'enum', default: 'everysec', values: ['everysec', 'always', 'no'], mutable: true, doc: 'effect: when to fsync writes: always, everysec or no' },
  { name: 'lmdb-writemap', type: 'enum', default: 'auto', values: ['auto', 'yes', 'no'], mutable: false, doc: 'effect: write through a writable memory map (cheaper commits; its fsync is an msync, slow per small batch): auto = yes unless appendfsync is always at startup' },
  { name: 'appendonly', type: 'bool', default: 'yes', mutable: true, doc: 'inert: respdb commits every write to its LMDB shards and binlog whatever this says (appendfsync decides when they reach the disk)' },
  { name: 'save', type: 'string', default: '', multi: true, accumulate: true, validate: validateSave, mutable: true, doc: 'effect: BGSAVE after <seconds> when at least <changes> writes were made (pairs; empty: never)' },
  { name: 'maxclients', type: 'int', default: '10000', min: 1, max: 1000000, mutable: true, doc: 'effect: maximum number of connected clients' },
  { name: 'timeout', type: 'int', default: '0', min: 0, max: INT_MAX, mutable: true, doc: 'effect: close idle clients after this many seconds (0 = never)' },
  { name: 'tcp-keepalive', type: 'int', default: '300', min: 0, max: INT_MAX, mutable: true, doc: 'effect: TCP keepalive interval in seconds (0 = off)' },
  { name: 'proto-max-bulk-len', type: 'memory', default: '512mb', min: MB, max: LLONG_MAX, mutable: true, doc: 'effect: maximum size of a single bulk string in a request' },
  { name: 'client-query-buffer-limit', aliases: ['max-conn-rbuf-size'], type: 'memory', default: '1gb', min: MB, max: LLONG_MAX, mutable: true, doc: 'effect: maximum size of a client query buffer' },
  { name: 'binlog-max-size', aliases: ['binlog-file-size'], type: 'memory', default: '1gb', min: MB, max: LLONG_MAX, mutable: true, doc: 'effect: binlog file size before rotation' },
  { name: 'requirepass', type: 'string', default: '', mutable: true, doc: 'effect: password required by AUTH (empty = no auth)' },
  { name: 'loglevel', type: 'enum', default: 'notice', values: ['debug', 'verbose', 'notice', 'warning', 'nothing'], mutable: true, doc: 'effect: log verbosity' },
  { name: 'logfile', type: 'string', default: '', mutable: false, doc: 'effect: log file path (empty = stdout)' },
  { name: 'slowlog-log-slower-than', type: 'int', default: '10000', min: -1, max: LLONG_MAX, mutable: true, doc: 'effect: log commands slower than this many microseconds (-1 = off, 0 = all)' },
  { name: 'slowlog-max-len', type: 'int', default: '128', min: 0, max: LLONG_MAX, mutable: true, doc: 'effect: slow log length' },
  { name: 'latency-monitor-threshold', type: 'int', default: '0', min: 0, max: LLONG_MAX, mutable: true, doc: 'effect: latency monitor threshold in milliseconds (0 = off)' },
  { name: 'latency-tracking', type: 'bool', default: 'yes', mutable: true, doc: 'effect: count every command in the per-command latency histograms (LATENCY HISTOGRAM)' },
  { name: 'slow-cmd-thread-pool-size', type: 'int', default: '1', min: 1, max: 1024, mutable: false, doc: 'effect: threads of the slow-command pool (big reads, KEYS, commands in slow-cmd-list)' },
  { name: 'slow-cmd-list', type: 'string', default: '', mutable: true, doc: 'effect: comma-separated commands run on the slow-command pool' },
  { name: 'slow-cmd-max-memory', type: 'memory', default: '2gb', min: 64 * MB, max: 64 * 1024 * MB, mutable: false, doc: 'effect: heap limit of each slow-pool thread: a command that needs more fails alone and its thread is replaced' },
  { name: 'tracking-table-max-keys', type: 'int', default: '1000000', min: 0, max: LLONG_MAX, mutable: true, doc: 'effect: keys remembered for client-side caching (CLIENT TRACKING) before the oldest are invalidated (0 = no limit)' },
  { name: 'notify-keyspace-events', type: 'string', default: '', parse: parseNotify, mutable: true, doc: 'effect: keyspace event classes published on __keyspace@<db>__ / __keyevent@<db>__ channels (K E g $ l s h z x e t m d n A, as Redis)' },
  { name: 'client-output-buffer-limit', type: 'string', default: OUTPUT_BUFFER_LIMIT_DEFAULT, multi: true, combine: combineOutputBufferLimit, rewriteLines: outputBufferLimitLines, mutable: true, doc: 'effect: per client class (normal, replica, pubsub): <class> <hard> <soft> <soft-seconds>; a client whose unsent output reaches hard, or stays over soft for soft-seconds, is closed' },
  { name: 'busy-reply-threshold', aliases: ['lua-time-limit'], type: 'int', default: '5000', min: 0, max: LLONG_MAX, mutable: true, doc: 'effect: milliseconds a script runs before other clients get -BUSY (and SCRIPT KILL / FUNCTION KILL may stop it)' },
  ...ENCODING_OPTIONS,
  ...PROCESS_OPTIONS,
  ...MEMORY_OPTIONS,
  ...PERSISTENCE_OPTIONS,
  ...REPLICATION_OPTIONS,
  ...PIKA_OPTIONS,
  ...DISK_OPTIONS,
  ...METRICS_OPTIONS,
  ...BACKUP_OPTIONS,
  { name: 'hz', type: 'int', default: '10', min: 0, max: INT_MAX, clamp: [1, 500], mutable: true, doc: 'effect: background task frequency (clamped to 1..500)' },
];

// ------------------------------------------------------------------------------------------------
// Lookup by name
// ------------------------------------------------------------------------------------------------

export interface Entry {
  /** the name this entry is known by (canonical name or one alias), lower-case */
  name: string;
  def: OptionDef;
}

export const ENTRIES: Entry[] = [];
const BY_NAME = new Map<string, Entry>();
for (const def of OPTIONS) {
  for (const n of [def.name, ...(def.aliases ?? [])]) {
    const e = { name: n.toLowerCase(), def };
    if (BY_NAME.has(e.name)) throw new Error(`duplicate config option ${e.name}`);
    ENTRIES.push(e);
    BY_NAME.set(e.name, e);
  }
}

export function entryFor(name: string): Entry | undefined {
  return BY_NAME.get(name.toLowerCase());
}

/** Looks up an option by canonical name or alias (case-insensitive). */
export function findOption(name: string): OptionDef | undefined {
  return entryFor(name)?.def;
}
