// A script or function run on the shard that owns its keys, inside that shard's thread: the
// single-shard path. Its redis.call commands run right here, back to back, in one write
// transaction of the script's own (CommandDef.ownTransaction), their effects between MULTI and
// EXEC records in the binlog. Nothing of another client runs on this shard meanwhile, and no other
// shard is stopped.
//
// A command the script calls that this shard cannot run alone (a key on another shard, a
// main-thread command such as PUBLISH or DBSIZE) gives the run up: the transaction is aborted, so
// none of its writes remain, and the main thread runs the script again on the cross-shard path
// (lib/scripting/cross-shard.ts), remembering that this script needs it.

import type { CommandDef, ShardExec } from '../commands/types.js';
import type { ScriptHost } from './engine-types.js';
import { ScriptEngine } from './engine.js';
import { CompiledCode } from './compiled.js';
import { keyIndexes } from '../commands/registry.js';
import { RespWriter } from '../resp/writer.js';
import { RedisError, errBuf } from '../errors.js';
import { shardOf } from '../slot.js';
import { BusyBoard } from './busy.js';
import { RUN_FUNCTION, RunSession } from './session.js';
import { logger } from '../log.js';
import { writeRefusal } from '../store/disk-space.js';
import { scriptLog } from './script-log.js';

const log = logger('script');

/** The shard's answer when the script needs the cross-shard path (never reaches a client). */
export const NEEDS_CROSS_SHARD = errBuf('RESPDB-SCRIPT-CROSS-SHARD');
/** The shard's answer when it does not have the script's code (the main thread sends it again). */
export const NEEDS_CODE = errBuf('RESPDB-SCRIPT-CODE');
/** What a call gets once the run is given up (the script cannot continue usefully). */
const GIVEN_UP = errBuf('ERR script run abandoned');

interface ShardScripting {
  code: CompiledCode;
  board: BusyBoard;
  shard: number;
  shards: number;
  databases: number;
}

let here: ShardScripting | null = null;

/** Loads the Lua engine of this shard thread (before it takes commands). */
export async function prepareShardScripting(init: { index: number; shards: number; databases: number; scriptSab: SharedArrayBuffer }): Promise<void> {
  here = {
    code: new CompiledCode(await ScriptEngine.create()),
    board: new BusyBoard(init.shards + 1, init.scriptSab),
    shard: init.index,
    shards: init.shards,
    databases: init.databases,
  };
}

/** The commands of one run, as redis.call reaches them on this shard. */
class ShardScriptHost implements ScriptHost {
  private readonly out = new RespWriter(1024);
  private readonly x: ShardExec;

  constructor(
    outer: ShardExec,
    private readonly session: RunSession,
    private readonly ctx: ShardScripting,
  ) {
    this.x = { ...outer, out: this.out };
  }

  call(args: Buffer[], proto: 2 | 3): Uint8Array {
    const s = this.session;
    if (s.abandoned) return GIVEN_UP;
    const def = s.resolve(args);
    if (typeof def === 'string') return errBuf(def);
    const out = this.out;
    out.reset();
    out.proto = proto;
    if (def.inScript) {
      def.inScript(s, args, out);
      return out.buf.subarray(0, out.pos);
    }
    if (!this.local(def, args)) {
      s.abandoned = true;
      return GIVEN_UP;
    }
    if (def.flags.includes('write')) {
      const refused = writeRefusal(def.flags.includes('denyoom'));
      if (refused !== null) return errBuf(refused);
      s.writing();
    }
    const x = this.x;
    const store = x.store;
    x.db = s.db;
    store.currentDb = s.db;
    store.countHits = def.flags.includes('readonly');
    try {
      def.shard!(x, args);
    } catch (e) {
      out.reset();
      if (e instanceof RedisError) out.error(e.message);
      else {
        log.error({ err: e, cmd: def.name }, 'command failed');
        out.error('ERR ' + ((e as Error).message || String(e)));
      }
    }
    // each command's keyspace events apart, as in an EXEC group
    if (store.events.active) store.events.commandEnd();
    return out.buf.subarray(0, out.pos);
  }

  /** Whether this shard can run the command alone: a shard command whose keys are all here. */
  private local(def: CommandDef, args: Buffer[]): boolean {
    if (def.shard === undefined) return false;
    const n = this.ctx.shards;
    if (n === 1) return true;
    for (const i of keyIndexes(def, args)) if (shardOf(args[i], n) !== this.ctx.shard) return false;
    return true;
  }

  interrupted(): string | null {
    if (this.session.abandoned) return 'ERR script run abandoned';
    return this.session.interrupted();
  }

  log(level: number, message: string): void {
    scriptLog(level, message);
  }
}

/**
 * script-run flags id code fname numkeys key... arg...: runs a script (id = its SHA1) or a
 * function (flags RUN_FUNCTION; id = its library, fname = the function) on this shard. `code` is
 * the script's body or the library's source when the main thread is not sure this shard has it.
 */
export function scriptRunOnShard(x: ShardExec, args: Buffer[]): void {
  const ctx = here!;
  const flags = Number(args[1].toString('latin1'));
  const id = args[2].toString('latin1');
  const code = args[3];
  const nk = Number(args[5].toString('latin1'));
  const keys = args.slice(6, 6 + nk);
  const argv = args.slice(6 + nk);
  const run = ctx.code.get((flags & RUN_FUNCTION) !== 0, id, code);
  if (run === null) return x.out.raw(NEEDS_CODE);
  if (typeof run === 'string') return x.out.error(run);
  const store = x.store;
  const session = new RunSession(x.db, ctx.databases, flags, ctx.board, ctx.shard);
  const host = new ShardScriptHost(x, session, ctx);
  const db = x.db;
  const counting = store.countHits;
  const missing = store.missEvents;
  store.missEvents = true;
  const group = store.openGroup(db);
  const start = x.out.pos;
  session.begin();
  try {
    const req = { keys, argv, host, out: x.out };
    if (run.lib) ctx.code.engine.runFunction(run.lib, args[4].toString('latin1'), req);
    else ctx.code.engine.runScript(run.script, req);
  } finally {
    session.end();
    store.closeGroup(db, group);
    x.db = db;
    store.currentDb = db;
    store.countHits = counting;
    store.missEvents = missing;
  }
  if (session.abandoned) {
    x.out.pos = start;
    store.abortReply = NEEDS_CROSS_SHARD;
  } else if (session.stoppedByShutdown()) {
    // SHUTDOWN NOSAVE stopped it: what it wrote is not kept
    store.abortReply = Buffer.from(x.out.buf.subarray(start, x.out.pos));
  }
}

/**
 * script-forget scripts | functions | library <name>: SCRIPT FLUSH, FUNCTION FLUSH / RESTORE,
 * FUNCTION DELETE / LOAD REPLACE reach every shard's compiled copies.
 */
export function scriptForgetOnShard(x: ShardExec, args: Buffer[]): void {
  here!.code.forget(args.slice(1).map((a) => a.toString('latin1')));
  x.out.ok();
}
