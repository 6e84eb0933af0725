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

/** What a command called from a script sees of the script (CommandDef.inScript). */
export interface ScriptSession {
  /** The script's current database (SELECT inside a script changes only this). */
  db: number;
  readonly databases: number;
}

export type ScriptLocalHandler = (s: ScriptSession, args: Buffer[], out: RespWriter) => void;

/** Execution context of a command running inside a shard's batch: its data context and its reply. */
export interface ShardExec extends StoreCtx {
  out: RespWriter;
}

export type ShardHandler = (x: ShardExec, args: Buffer[]) => void;

/** Main-thread handler: writes exactly one reply through ctx. May be async. */
export type MainHandler = (ctx: MainContext, args: Buffer[]) => void | Promise<void>;

/** A transaction over some shards (Coordinator.locked): runs commands on the shards it holds. */
export interface Tx {
  /**
   * Runs a command on a shard held by this transaction; resolves with its raw RESP reply.
   * `onKeyEvents`: its keyspace events records go there (a view valid during the call) instead of
   * being published at once, for a caller that puts several calls' events in order itself.
   */
  exec(shard: number, def: CommandDef, db: number, args: Buffer[], proto?: number, onKeyEvents?: (records: Buffer) => void): Promise<Buffer>;
  /**
   * Runs independent parts of one command on their shards at once; resolves with their replies in
   * order. Their keyspace events come in the order of the command's `keys` (as one server would
   * have produced them), not in the order the shards answer.
   */
  execParts(parts: TxPart[], keys: Buffer[]): Promise<Buffer[]>;
}

/** One part of Tx.execParts. */
export interface TxPart {
  shard: number;
  def: CommandDef;
  db: number;
  args: Buffer[];
}

/**
 * The shards as a command whose keys span several of them sees them: on the main thread, the
 * coordinator's locks over the live shards; on the slow pool, one consistent cut of snapshots.
 */
export interface ShardAccess {
  /** Number of shards. */
  readonly count: number;
  /** The shard that owns a key. */
  of(key: Buffer): number;
  /**
   * Runs `fn` while holding the given shards (call it synchronously from the handler, before any
   * await, so the locks take the command's place in the global order).
   */
  locked<T>(shards: number[], fn: (tx: Tx) => Promise<T>): Promise<T>;
}

/** What a coordinated handler gets: the shards, the client's database and protocol, its reply. */
export interface CoordContext {
  shards: ShardAccess;
  /** Logical database of the client. */
  db: number;
  proto: 2 | 3;
  /** Number of logical databases (COPY ... DB n checks against it). */
  databases: number;
  def: CommandDef;
  /** The reply goes here (exactly one reply), encoded in the client's protocol. */
  out: RespWriter;
}

/**
 * Handler of a command whose keys live on several shards: runs its parts under the shards' locks
 * (or, on the slow pool, against snapshots). Writes exactly one reply through ctx.
 */
export type CoordinatedHandler = (ctx: CoordContext, args: Buffer[]) => void | Promise<void>;

/** Where a write's waiters are (lib/blocking.ts): the keys a write may have fed. */
export interface WakeTarget {
  readonly databases: number;
  /** Waiters on `key` in `db` may now be served. */
  notify(db: number, key: Buffer): void;
  /** Every waiter of `db` may now be served (SWAPDB brought another database in). */
  notifyDb(db: number): void;
}

/** What a table entry's keyEvents function emits for one binlog effect (lib/shard/key-events.ts). */
export interface KeyEventEmitter {
  /** The effect's logical database. */
  readonly db: number;
  /** Keyspace event `ev` (an EV id, lib/store/key-events.ts) on `key`, in `db` (default: the effect's). */
  event(key: Buffer, ev: number, db?: number): void;
  /** Database `db` was flushed (-1: every one): clients tracking its keys must drop them. */
  flushed(db: number): void;
}

/**
 * The keyspace events of a command as a binlog effect: one event (an EV id) on each of its keys,
 * or a function of its arguments for the effects whose events differ per key (RENAME: rename_from,
 * rename_to) or depend on their options (SET ... PXAT: set, then expire).
 */
export type KeyEventSpec = number | ((args: Buffer[], e: KeyEventEmitter) => void);

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
  /**
   * Keys spread over several shards with a dependency between parts: run under shard locks. A
   * command with no `shard` handler always runs this (SORT: its BY/GET patterns may name keys on
   * any shard, whatever shards its named keys are on).
   */
  coordinated?: CoordinatedHandler;
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
  /**
   * May run on the slow pool (lib/slow-routing.ts) when the work a call implies is big: reads of
   * whole collections, ranges, algebra over sets, *STORE computations.
   */
  slow?: boolean;
  /**
   * The work (members read) a call of a `slow` command implies, given the members of the
   * collections it names (one lookup each): a rank range, COUNT or a number of draws bounds it.
   * Default: all of them.
   */
  slowWork?: (args: Buffer[], members: number) => number;
  /**
   * A command that stores its result in one key (*STORE, SORT ... STORE): the argument index of
   * that key for this call, or -1 when this call stores nothing. The other keys are its inputs
   * (the slow pool computes such a command from them optimistically).
   */
  destination?: (args: Buffer[]) => number;
  /**
   * Whether this call may read keys nobody can name in advance (SORT's BY/GET patterns): then
   * any write to any shard may change its result.
   */
  readsUnnamedKeys?: (args: Buffer[]) => boolean;
  /**
   * Which blocked clients a write of this command may feed (default: its keys, in the client's
   * database): FLUSHDB none, SWAPDB whole databases, MOVE / COPY ... DB the target database.
   */
  wakes?: (args: Buffer[], db: number, to: WakeTarget) => void;
  /**
   * As a binlog effect, it changes keys it does not name (FLUSHDB, FLUSHALL, SWAPDB): every
   * computation that watches a shard's writes must start again.
   */
  touchesAllKeys?: boolean;
  /**
   * A shard-side write the slow pool may capture (not make) while it computes a *STORE: the
   * integer it would reply (set-store, zset-store, sort-store).
   */
  capturedReply?: (args: Buffer[]) => number;
  /**
   * Its keyspace events when it is logged as a binlog effect (lib/shard/key-events.ts). Default:
   * its name, when that is one of Redis's events (lpush, hset...), on each of its keys; else none.
   */
  keyEvents?: KeyEventSpec;
  /**
   * A read-only shard handler that may also run on the main thread against a read-only view of
   * the shard (no hop), when that keeps program order (see lib/router.ts).
   */
  direct?: boolean;
  /**
   * Runs at once inside MULTI instead of being queued (EXEC, DISCARD, MULTI, WATCH, QUIT, RESET).
   */
  notQueued?: boolean;
  /** Refused at dispatch (arity, auth...), it answers EXECABORT and drops the transaction (EXEC). */
  execAbortOnReject?: boolean;
  /**
   * A main-thread handler that reaches the shards (through MainContext.calls): inside EXEC the
   * transaction holds every shard for it (DBSIZE, KEYS, FLUSHALL, SCAN...).
   */
  reachesShards?: boolean;
  /** Not callable by clients: shard-side helpers of main-thread and coordinated commands. */
  internal?: boolean;
  /**
   * Called from a script, it runs where the script runs, reaching no shard and no main-thread
   * state (SELECT changes the script's database; TIME, PING, ECHO answer there).
   */
  inScript?: ScriptLocalHandler;
  /** Called from a script, this call is refused with the text it returns (XREAD ... BLOCK). */
  scriptRefusal?: (args: Buffer[]) => string | null;
  /**
   * A shard command that runs in a write transaction of its own, which it may ask to abort
   * (ShardStore.abortRequested): a script on its shard, whose run is abandoned when it turns out to
   * need other shards.
   */
  ownTransaction?: boolean;
  /**
   * The channels a call publishes or subscribes to, for ACL channel permissions: arguments from
   * `first` to the last (or `first` only when `one`); `pattern`: they are patterns (PSUBSCRIBE),
   * which an ACL allows only when it lists the same pattern literally.
   */
  channels?: { first: number; one: boolean; pattern: boolean };
  /**
   * The refusal of this call for an ACL user who may not read every key, when it reads keys
   * nobody named (SORT's BY and GET patterns); null when it reads none.
   */
  unnamedKeysRefusal?: (args: Buffer[]) => string | null;
  /** The key flags of this call, for a key spec with variable_flags (SET: access only with GET). */
  variableKeyFlags?: (args: Buffer[]) => readonly string[];
  /** Index in the table, assigned at registration (shared by both threads). */
  index?: number;
}
