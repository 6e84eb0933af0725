// What the Lua engine (lib/scripting/engine.ts) and the server that runs scripts agree on.

import type { RespWriter } from '../resp/writer.js';

/** redis.log levels, as Redis numbers them. */
export const LOG_DEBUG = 0;
export const LOG_VERBOSE = 1;
export const LOG_NOTICE = 2;
export const LOG_WARNING = 3;

/**
 * Where a running script's redis.call / redis.pcall go. Provided by the server for each run.
 */
export interface ScriptHost {
  /**
   * Runs one command for redis.call / redis.pcall: args[0] is the command name as the script wrote
   * it. Returns the reply as RESP bytes in protocol `proto` (the script's redis.setresp), an error
   * reply ('-...') when the command failed or was refused (unknown, arity, noscript, write in a
   * read-only script...: the host writes Redis's texts). The engine turns it into Lua values and
   * raises errors for redis.call. The returned view is read before the next call.
   */
  call(args: Buffer[], proto: 2 | 3): Uint8Array;
  /**
   * Checked from Lua's count hook while the script runs (every 10,000 instructions): an error
   * message to stop the script with (SCRIPT KILL, FUNCTION KILL, shutdown), or null to go on. The
   * message carries its code ("ERR Script killed by user with SCRIPT KILL..."); the reply is that
   * text plus " script: <name>, on @user_script:<line>." as for any error. Once it returns a
   * message the hook is checked at every instruction until the run ends, so a pcall in the
   * script cannot catch the stop for good.
   */
  interrupted(): string | null;
  /** redis.log(level, message...): the message as Redis composes it (the arguments joined by spaces). */
  log(level: number, message: string): void;
  /** redis.set_repl(flags): the effects' replication target (REPL_* bits) from now on. */
  setReplication?(flags: number): void;
  /**
   * redis.acl_check_cmd(command, args...): whether the running user may run it (true/false), or
   * an error text to raise (e.g. "ERR Invalid command passed to redis.acl_check_cmd()"). Without
   * it every command is allowed.
   */
  aclCheck?(args: Buffer[]): boolean | string;
}

/** A compiled EVAL script (by its SHA1) in one engine. */
export interface ScriptHandle {
  readonly sha: string;
}

/** One function of a library, as redis.register_function declared it. */
export interface FunctionInfo {
  name: string;
  /** Shebang-style flags: no-writes, allow-oom, allow-stale, no-cluster, allow-cross-slot-keys. */
  flags: string[];
  description: string | null;
}

/** A function library loaded into one engine. */
export interface LibraryHandle {
  readonly name: string;
  readonly engine: string;
  readonly functions: FunctionInfo[];
}

/** A run of a script or function: keys, arguments, the host, and the reply's destination. */
export interface RunRequest {
  keys: Buffer[];
  argv: Buffer[];
  host: ScriptHost;
  /** Exactly one reply is written here, in out.proto (the calling client's protocol). */
  out: RespWriter;
}
