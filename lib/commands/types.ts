// Shapes shared by the command table, the main thread and the shard workers.

import type { RespWriter } from '../resp/writer.js';
import type { StoreCtx } from '../store/context.js';
import type { MainContext } from '../main-context.js';

/** Redis 7 command flags (COMMAND INFO spelling). */
export type CommandFlag =
  | 'write'
  | 'readonly'
  | 'denyoom'
  | 'admin'
  | 'pubsub'
  | 'noscript'
  | 'blocking'
  | 'loading'
  | 'stale'
  | 'skip_monitor'
  | 'skip_slowlog'
  | 'fast'
  | 'no_auth'
  | 'may_replicate'
  | 'no_mandatory_keys'
  | 'no_async_loading'
  | 'no_multi'
  | 'movablekeys'
  | 'allow_busy';

/** Execution context of a command running inside a shard's batch: its data context and its reply. */
export interface ShardExec extends StoreCtx {
  out: RespWriter;
}

export type ShardHandler = (x: ShardExec, args: Buffer[]) => void;

/** Main-thread handler: writes exactly one reply through ctx. May be async. */
export type MainHandler = (ctx: MainContext, args: Buffer[]) => void | Promise<void>;

/** The legacy key range COMMAND INFO shows (derived from the key specs: lib/commands/key-specs.ts). */
export interface KeyRange {
  /** Index of the first key (0 = no keys). */
  first: number;
  /** Index of the last key; negative counts from the end (-1 = last argument). */
  last: number;
  step: number;
}

/**
 * How a command whose keys fall on several shards is split: each shard runs the same command over
 * its own keys (in one main-thread step, so every shard sees it at the same point of the global
 * order); `merge` folds the per-shard replies into the client's reply.
 */
export interface ScatterSpec {
  /** Arguments per key: 1 for DEL k..., 2 for MSET k v ... */
  group: number;
  /** sum: integer replies added; ok: +OK; gather: array replies put back in key order (MGET). */
  merge: 'sum' | 'ok' | 'gather';
}

/** A key spec whose keys cannot be found from the arguments (SORT's BY/GET/STORE). */
export interface UnknownKeySpec {
  flags: string[];
  notes?: string;
  unknown: true;
}

/** A Redis 7 key specification, as COMMAND INFO reports it. */
export interface KeySpecDoc {
  /** RO, RW, OW, RM, access, update, insert, delete, not_key, incomplete, variable_flags */
  flags: string[];
  notes?: string;
  /** begin_search: an argument index, or a keyword searched from `startfrom`. */
  begin: { index: number } | { keyword: string; startfrom: number };
  /** find_keys: a range (lastkey relative to the first key) or a key count argument. */
  find: { lastkey: number; keystep: number; limit: number } | { keynumidx: number; firstkey: number; keystep: number };
}

export interface CommandDef {
  /** Lower-case name; subcommands are `parent|sub`. */
  name: string;
  /** Redis arity: positive = exact, negative = at least. Counts the command name. */
  arity: number;
  flags: CommandFlag[];
  /** ACL categories without the '@'. */
  acl: string[];
  /** COMMAND INFO's legacy key range, derived from keySpecs. */
  keys: KeyRange;
  /** Key extraction of its own (SORT), where key specs cannot find the keys. */
  getKeys?: (args: Buffer[]) => number[];
  /** Runs in the shard that owns the (first) key. */
  shard?: ShardHandler;
  /** Runs on the main thread. */
  main?: MainHandler;
  /** Keys spread over several shards: split per shard and merge (independent per-shard parts). */
  scatter?: ScatterSpec;
  /** Keys spread over several shards with a dependency between parts: run under shard locks. */
  coordinated?: MainHandler;
  /** Subcommands (CONFIG GET ...), keyed by lower-case name. */
  sub?: Map<string, CommandDef>;
  /** Where the keys are (Redis 7 key specs): the one statement of key positions. */
  keySpecs: Array<KeySpecDoc | UnknownKeySpec>;
  /** COMMAND INFO tips (nondeterministic_output, request_policy:all_shards, ...). */
  tips?: string[];
  /** COMMAND DOCS */
  summary: string;
  since: string;
  group: string;
  complexity?: string;
  /** Candidate for the slow pool (issue: slow commands). */
  slow?: boolean;
  /**
   * A read-only shard handler that may also run on the main thread against a read-only view of
   * the shard (no hop), when that keeps program order (see Server.route).
   */
  direct?: boolean;
  /** Not callable by clients: shard-side helpers of main-thread and coordinated commands. */
  internal?: boolean;
  /** Index in the table, assigned at registration (shared by both threads). */
  index?: number;
}
