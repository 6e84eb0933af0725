// EVAL / EVALSHA / SCRIPT on the main thread: the script cache, and where each run goes.
//
// The cache maps SHA1 -> body, with the body's shebang flags. It is kept with the data (shard 0's
// `info` sub-database, lib/scripting/saved.ts), so EVALSHA keeps working across restarts. Each
// shard compiles a script the first time it runs it; the main thread sends the body along until
// it knows the shard has it.
//
// Where a run goes (docs/design.md, "Scripting"):
// - every declared key on one shard (or no key): that shard runs it in a write transaction of its
//   own (lib/scripting/shard-run.ts). Nothing else runs on that shard meanwhile; the others go on.
// - keys on several shards, or a script that turned out to reach other shards (a key it computes,
//   a main-thread command): the cross-shard path, every shard held (lib/scripting/cross-shard.ts).
//   A script that needed it once takes it directly from then on.

import { createHash } from 'node:crypto';
import type { CommandDef } from '../commands/types.js';
import type { MainContext } from '../main-context.js';
import type { Server } from '../server.js';
import { internal } from '../commands/registry.js';
import { parseI64 } from '../resp/number.js';
import { E } from '../errors.js';
import { BusyBoard, KIND_EVAL, KIND_FUNCTION, type KillResult } from './busy.js';
import { RUN_ACL_CHECKED, RUN_FUNCTION, RUN_READ_ONLY, RUN_REPLICA_RO } from './session.js';
import { parseShebang } from './shebang.js';
import { NEEDS_CODE, NEEDS_CROSS_SHARD } from './shard-run.js';
import { ScriptEngine } from './engine.js';
import { SavedScripts } from './saved.js';
import type { ShardStore } from '../store/shard-store.js';
import { CrossShardScripts } from './cross-shard.js';

export const NOSCRIPT = 'NOSCRIPT No matching script. Please use EVAL.';
export const RO_WITH_WRITE_FLAG = 'ERR Can not execute a script with write flag using *_ro command.';
const BUSY_EVAL = 'BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.';
const BUSY_FUNCTION = 'BUSY Redis is busy running a script. You can only call FUNCTION KILL or SHUTDOWN NOSAVE.';
const UNKILLABLE = 'UNKILLABLE Sorry the script already executed write commands against the dataset. You can either wait the script termination or kill the server in a hard way using the SHUTDOWN NOSAVE command.';
const NOTBUSY = 'NOTBUSY No scripts in execution right now.';

const EMPTY = Buffer.alloc(0);
const RUN = Buffer.from('script-run');
/** script-run's flags argument, per flags value. */
const FLAG_ARGS: Buffer[] = [];

/** A cached script. */
export interface ScriptEntry {
  sha: string;
  /** `sha` as script-run's argument. */
  shaArg: Buffer;
  body: Buffer;
  /** Its shebang's flags (none without a shebang). */
  flags: string[];
  shebang: boolean;
  /** It reached other shards once: it runs on the cross-shard path. */
  crossShard: boolean;
  /** Shards that have compiled it. */
  on: Set<number>;
}

/** What a run needs, whichever path takes it: a script or a function. */
export interface RunPlan {
  flags: number;
  /** SHA1 of a script, or the library of a function. */
  id: string;
  /** `id` as script-run's argument (kept by the script's cache entry or library). */
  idArg?: Buffer;
  code: Buffer;
  fname: string;
  keys: Buffer[];
  argv: Buffer[];
  /** Shards that have the code compiled (updated as they get it). */
  on: Set<number>;
  /** The client's command: numkeys at 2, then the keys and arguments; FCALL's function at 1 (FUNCTION STATS shows it). */
  command: Buffer[];
  /** Remembered when the run needed the cross-shard path. */
  markCrossShard(): void;
  crossShard: boolean;
}

export function sha1hex(b: Uint8Array): string {
  return createHash('sha1').update(b).digest('hex');
}

export class Scripting {
  readonly board: BusyBoard;
  private readonly scripts = new Map<string, ScriptEntry>();
  private mainEngine: ScriptEngine | null = null;
  readonly saved: SavedScripts;
  private runDef: CommandDef | null = null;
  private readonly inFlight = new Set<{ plan: RunPlan; start: number }>();
  private warmed = false;
  readonly crossShard: CrossShardScripts;

  constructor(private readonly server: Server) {
    this.board = new BusyBoard(server.shards.count + 1);
    this.board.thresholdMs = server.config.num('busy-reply-threshold');
    this.crossShard = new CrossShardScripts(server, this.board);
    this.saved = new SavedScripts(server.shards);
  }

  /** At startup, once the shards are up: the main thread's engine, the saved scripts. */
  async prepare(view: ShardStore): Promise<Array<[string, Buffer]>> {
    this.mainEngine = await ScriptEngine.create();
    const { scripts, libraries } = SavedScripts.load(view);
    for (const [sha, body] of scripts) this.restore(sha, body);
    return libraries;
  }

  /** The main thread's own engine: compiles what SCRIPT LOAD / EVAL bring, loads FUNCTION LOAD's libraries. */
  get engine(): ScriptEngine {
    return this.mainEngine!;
  }

  private get run(): CommandDef {
    return (this.runDef ??= internal('script-run'));
  }

  /** The -BUSY text while a script runs past busy-reply-threshold, else null. */
  busyError(): string | null {
    if (!this.board.busy) return null;
    return this.board.busyKind() === KIND_FUNCTION ? BUSY_FUNCTION : BUSY_EVAL;
  }

  // ---- the cache

  has(sha: string): boolean {
    return this.scripts.has(sha.toLowerCase());
  }

  /** Compiles and caches a body (SCRIPT LOAD, a new EVAL): its entry, or the compile error. */
  add(body: Buffer): ScriptEntry | string {
    const sha = sha1hex(body);
    const known = this.scripts.get(sha);
    if (known) return known;
    const compiled = this.engine.compileScript(body, sha);
    if (typeof compiled === 'string') return compiled;
    this.engine.dropScripts();
    const e: ScriptEntry = { sha, shaArg: Buffer.from(sha, 'latin1'), body: Buffer.from(body), flags: compiled.flags, shebang: compiled.shebang, crossShard: false, on: new Set() };
    this.scripts.set(sha, e);
    this.saved.saveScript(sha, e.body);
    return e;
  }

  /** A script known from the data directory at startup (its body compiled once it runs). */
  restore(sha: string, body: Buffer): void {
    const sb = parseShebang(body);
    const flags = sb && !('error' in sb) ? sb.flags : [];
    this.scripts.set(sha, { sha, shaArg: Buffer.from(sha, 'latin1'), body, flags, shebang: sb !== null, crossShard: false, on: new Set() });
  }

  get size(): number {
    return this.scripts.size;
  }

  /** SCRIPT FLUSH: the cache, every shard's compiled copies, the saved bodies. */
  async flush(): Promise<void> {
    this.scripts.clear();
    this.saved.flushScripts();
    await this.forget(['scripts']);
  }

  /**
   * Every shard and the script thread drop their compiled copies: `scripts`, `functions`, or
   * `library <name>` (SCRIPT FLUSH, FUNCTION FLUSH / DELETE / LOAD REPLACE / RESTORE).
   */
  async forget(what: string[]): Promise<void> {
    const s = this.server;
    const def = internal('script-forget');
    const args = [Buffer.from('script-forget'), ...what.map((w) => Buffer.from(w, 'latin1'))];
    await Promise.all(Array.from({ length: s.shards.count }, (_, i) => s.shards.call(i, def, 0, 2, args)));
    await this.crossShard.forget(what);
  }

  kill(kind: number): string | null {
    const r: KillResult = this.board.kill(kind);
    if (r === 'ok') return null;
    if (r === 'unkillable') return UNKILLABLE;
    if (r === 'other-kind') return kind === KIND_EVAL ? BUSY_FUNCTION : BUSY_EVAL;
    return NOTBUSY;
  }

  // ---- EVAL and friends

  /** EVAL / EVALSHA (bySha) / EVAL_RO / EVALSHA_RO (readOnly). */
  async eval(ctx: MainContext, args: Buffer[], bySha: boolean, readOnly: boolean): Promise<void> {
    const keysArg = numKeys(args);
    if (typeof keysArg === 'string') return ctx.out.error(keysArg);
    let entry: ScriptEntry | undefined;
    if (bySha) {
      entry = this.scripts.get(args[1].toString('latin1').toLowerCase());
      if (!entry) return ctx.out.error(NOSCRIPT);
    } else {
      const got = this.add(args[1]);
      if (typeof got === 'string') return ctx.out.error(got);
      entry = got;
    }
    let flags = 0;
    const noWrites = entry.flags.includes('no-writes');
    if (readOnly) {
      if (entry.shebang && !noWrites) return ctx.out.error(RO_WITH_WRITE_FLAG);
      flags |= RUN_READ_ONLY;
    } else if (noWrites) flags |= RUN_READ_ONLY;
    const e = entry;
    const plan: RunPlan = {
      flags,
      id: e.sha,
      idArg: e.shaArg,
      code: e.body,
      fname: '',
      keys: args.slice(3, 3 + keysArg),
      argv: args.slice(3 + keysArg),
      command: args,
      on: e.on,
      get crossShard() {
        return e.crossShard;
      },
      markCrossShard() {
        e.crossShard = true;
      },
    };
    return this.start(ctx, plan);
  }

  /** Runs a script or a function where its keys say (see the top of this file); one reply to ctx.out. */
  async start(ctx: MainContext, plan: RunPlan): Promise<void> {
    // A run given up on its shard runs again on the cross-shard path, later in the order: the
    // client's next commands wait until it is done.
    // the script thread starts with the first run of any script, so that the first run needing
    // it does not wait for a thread to start (servers that run no script never start it)
    if (!this.warmed) {
      this.warmed = true;
      this.crossShard.warm();
    }
    // on a read-only replica its client's script may read, and its writes get READONLY
    if (ctx.server.replication.replica !== null && !ctx.conn.fromMaster && ctx.server.config.bool('replica-read-only')) plan.flags |= RUN_REPLICA_RO;
    ctx.conn.hold();
    const run = { plan, start: Date.now() };
    this.inFlight.add(run);
    try {
      await this.place(ctx, plan);
    } finally {
      this.inFlight.delete(run);
      ctx.conn.release();
    }
  }

  /** FUNCTION STATS: the function running past busy-reply-threshold, if any. */
  runningFunction(): { name: string; command: Buffer[]; ms: number } | null {
    if (this.board.busyKind() !== KIND_FUNCTION) return null;
    let first: { plan: RunPlan; start: number } | null = null;
    for (const r of this.inFlight) if (r.plan.flags & RUN_FUNCTION && (first === null || r.start < first.start)) first = r;
    if (first === null) return null;
    return { name: first.plan.fname, command: first.plan.command, ms: Date.now() - first.start };
  }

  private async place(ctx: MainContext, plan: RunPlan): Promise<void> {
    const shards = this.server.shards;
    let shard = 0;
    let one = true;
    if (plan.keys.length > 0) {
      shard = shards.of(plan.keys[0]);
      for (let i = 1; i < plan.keys.length && one; i++) if (shards.of(plan.keys[i]) !== shard) one = false;
    }
    let reply: Buffer | null = null;
    // a restricted ACL user's redis.call commands are checked on this thread: its runs take the
    // cross-shard path, whose calls all come here
    const restricted = !ctx.conn.user.unrestricted;
    if (restricted) plan.flags |= RUN_ACL_CHECKED;
    if (one && !plan.crossShard && !restricted) {
      reply = await this.onShard(ctx, shard, plan, !plan.on.has(shard));
      if (reply.equals(NEEDS_CODE)) reply = await this.onShard(ctx, shard, plan, true);
      if (reply.equals(NEEDS_CROSS_SHARD)) {
        plan.markCrossShard();
        reply = null;
      } else plan.on.add(shard);
    }
    if (reply === null) reply = await this.crossShard.run(ctx, plan);
    ctx.out.raw(reply);
    this.wake(plan);
  }

  private onShard(ctx: MainContext, shard: number, plan: RunPlan, withCode: boolean): Promise<Buffer> {
    // script-run flags id code fname, then the client's numkeys, keys and arguments as they came
    const cmd = plan.command;
    const args = new Array<Buffer>(3 + cmd.length);
    args[0] = RUN;
    args[1] = (FLAG_ARGS[plan.flags] ??= Buffer.from(String(plan.flags)));
    args[2] = (plan.idArg ??= Buffer.from(plan.id, 'latin1'));
    args[3] = withCode ? plan.code : EMPTY;
    args[4] = plan.fname === '' ? EMPTY : cmd[1];
    for (let i = 2; i < cmd.length; i++) args[3 + i] = cmd[i];
    return ctx.calls.call(shard, this.run, ctx.db, ctx.proto, args);
  }

  /**
   * Clients blocked on what the run wrote may have been fed. A script writes keys it does not
   * declare (computed from a prefix, as BullMQ's and Bull's do) and keys of other databases
   * (SELECT), which only its shards saw: while anyone waits, every blocked key gets a retry, queued
   * behind the run's writes. A run that cannot write feeds nobody.
   */
  private wake(plan: RunPlan): void {
    const b = this.server.blocking;
    if (!b.active || plan.flags & RUN_READ_ONLY) return;
    for (let db = 0; db < this.server.databases; db++) b.notifyDb(db);
  }
}

/** EVAL's numkeys, checked as Redis does; the count, or the error text. */
export function numKeys(args: Buffer[]): number | string {
  const n = parseI64(args[2]);
  if (n === null) return E.notInt;
  if (n > BigInt(args.length - 3)) return "ERR Number of keys can't be greater than number of args";
  if (n < 0n) return "ERR Number of keys can't be negative";
  return Number(n);
}
