// One run of a script as its commands see it, wherever it runs (a shard, the cross-shard script
// thread): its database, whether it may write, and the checks Redis makes on every redis.call
// before the command runs, with Redis's texts (the engine appends " script: <name>, on @...").

import type { CommandDef, ScriptSession } from '../commands/types.js';
import { resolveClientCommand } from '../commands/registry.js';
import { KIND_EVAL, type BusyBoard } from './busy.js';

export const SCRIPT_UNKNOWN = 'ERR Unknown Redis command called from script';
export const SCRIPT_ARITY = 'ERR Wrong number of args calling Redis command from script';
export const SCRIPT_NOSCRIPT = 'ERR This Redis command is not allowed from script';
export const SCRIPT_RO_WRITE = 'ERR Write commands are not allowed from read-only scripts.';

/** Run flags, as the main thread passes them to wherever the script runs. */
export const RUN_FUNCTION = 1;
/** EVAL_RO / EVALSHA_RO / FCALL_RO, or the no-writes flag. */
export const RUN_READ_ONLY = 2;
/** Run on a read-only replica for one of its clients: a write gets READONLY, as from Redis. */
export const RUN_REPLICA_RO = 4;
/**
 * The caller is a restricted ACL user: the run is on the script thread, and even the commands it
 * answers itself (PING, SELECT, TIME...) are checked on the main thread first.
 */
export const RUN_ACL_CHECKED = 8;
export const SCRIPT_REPLICA_WRITE = "READONLY You can't write against a read only replica.";

export class RunSession implements ScriptSession {
  db: number;
  readonly databases: number;
  readonly readOnly: boolean;
  readonly replicaReadOnly: boolean;
  readonly kind: number;
  readonly aclChecked: boolean;
  /** A write command ran (SCRIPT KILL cannot stop it any more). */
  wrote = false;
  /** The run must be given up and its writes abandoned (the host decided; see ShardScriptHost). */
  abandoned = false;

  constructor(
    db: number,
    databases: number,
    flags: number,
    private readonly board: BusyBoard,
    private readonly slot: number,
  ) {
    this.db = db;
    this.databases = databases;
    this.readOnly = (flags & RUN_READ_ONLY) !== 0;
    this.replicaReadOnly = (flags & RUN_REPLICA_RO) !== 0;
    this.kind = flags & RUN_FUNCTION ? 1 : KIND_EVAL;
    this.aclChecked = (flags & RUN_ACL_CHECKED) !== 0;
  }

  /** The command a redis.call names, or Redis's refusal text. */
  resolve(args: Buffer[]): CommandDef | string {
    let def = resolveClientCommand(args);
    if (def === undefined || def.internal) return SCRIPT_UNKNOWN;
    if (def.sub) {
      if (args.length < 2) return SCRIPT_ARITY;
      const sub = def.sub.get(args[1].toString('latin1').toLowerCase());
      if (sub === undefined) return SCRIPT_UNKNOWN;
      def = sub;
    }
    const arity = def.arity;
    if ((arity > 0 && args.length !== arity) || args.length < -arity) return SCRIPT_ARITY;
    if (def.flags.includes('noscript')) return SCRIPT_NOSCRIPT;
    if (def.scriptRefusal) {
      const refused = def.scriptRefusal(args);
      if (refused !== null) return refused;
    }
    if (def.flags.includes('write')) {
      if (this.readOnly) return SCRIPT_RO_WRITE;
      if (this.replicaReadOnly) return SCRIPT_REPLICA_WRITE;
    }
    return def;
  }

  /** A write is about to run. */
  writing(): void {
    if (this.wrote) return;
    this.wrote = true;
    this.board.wrote(this.slot);
  }

  begin(): void {
    this.board.begin(this.slot, this.kind, Date.now());
  }

  interrupted(): string | null {
    return this.board.check(this.slot);
  }

  stoppedByShutdown(): boolean {
    return this.board.stoppedByShutdown(this.slot);
  }

  end(): void {
    this.board.end(this.slot);
  }
}
