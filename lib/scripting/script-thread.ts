// The thread that runs cross-shard scripts (lib/scripting/cross-shard.ts holds the shards). Its
// redis.call is synchronous for Lua: the command goes to the main thread as a message, and this
// thread waits on a SharedArrayBuffer word until the reply is on its MessageChannel.

import { receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import type { ScriptHost } from './engine-types.js';
import { ScriptEngine } from './engine.js';
import { CompiledCode } from './compiled.js';
import { RespWriter } from '../resp/writer.js';
import { errBuf } from '../errors.js';
import { BusyBoard } from './busy.js';
import { RUN_FUNCTION, RunSession } from './session.js';
import { scriptLog } from './script-log.js';

export type ToScriptThread =
  | { t: 'run'; id: number; flags: number; sid: string; code: Buffer | null; fname: string; keys: Buffer[]; argv: Buffer[]; db: number; proto: 2 | 3 }
  | { t: 'forget'; what: string[] };

export type FromScriptThread =
  /** `checkOnly`: only the ACL check of a command this thread answers itself (an empty reply: allowed) */
  | { t: 'call'; id: number; args: Uint8Array[]; db: number; proto: 2 | 3; checkOnly?: boolean }
  | { t: 'done'; id: number; reply: Uint8Array };

export interface ScriptThreadInit {
  port: MessagePort;
  flagSab: SharedArrayBuffer;
  scriptSab: SharedArrayBuffer;
  shards: number;
  databases: number;
  /** rename-command pairs: the names redis.call uses (lib/commands/registry.ts). */
  renames: [string, string][];
}

export class ScriptThread {
  private readonly flag: Int32Array;
  private readonly board: BusyBoard;
  private readonly slot: number;
  private readonly code: CompiledCode;
  private readonly out = new RespWriter(1024);

  constructor(
    private readonly engine: ScriptEngine,
    private readonly init: ScriptThreadInit,
    private readonly post: (m: FromScriptThread) => void,
  ) {
    this.flag = new Int32Array(init.flagSab);
    this.board = new BusyBoard(init.shards + 1, init.scriptSab);
    this.slot = init.shards;
    this.code = new CompiledCode(engine);
  }

  static async create(init: ScriptThreadInit, post: (m: FromScriptThread) => void): Promise<ScriptThread> {
    return new ScriptThread(await ScriptEngine.create(), init, post);
  }

  handle(m: ToScriptThread): void {
    if (m.t === 'forget') return this.code.forget(m.what);
    const out = this.out;
    out.reset();
    out.proto = m.proto;
    const err = this.runOne(m, out);
    if (err !== null) {
      out.reset();
      out.error(err);
    }
    this.post({ t: 'done', id: m.id, reply: out.take() });
  }

  private runOne(m: Extract<ToScriptThread, { t: 'run' }>, out: RespWriter): string | null {
    const run = this.code.get((m.flags & RUN_FUNCTION) !== 0, m.sid, m.code);
    if (run === null) return 'ERR script not loaded on the script thread';
    if (typeof run === 'string') return run;
    const session = new RunSession(m.db, this.init.databases, m.flags, this.board, this.slot);
    const host = new RemoteHost(m.id, session, this);
    session.begin();
    try {
      const req = { keys: m.keys.map(asBuffer), argv: m.argv.map(asBuffer), host, out };
      if (run.lib) this.engine.runFunction(run.lib, m.fname, req);
      else this.engine.runScript(run.script, req);
    } finally {
      session.end();
    }
    return null;
  }

  /** Sends one command to the main thread and waits for its reply. */
  request(id: number, args: Buffer[], db: number, proto: 2 | 3, checkOnly = false): Uint8Array {
    Atomics.store(this.flag, 0, 0);
    this.post(checkOnly ? { t: 'call', id, args, db, proto, checkOnly } : { t: 'call', id, args, db, proto });
    Atomics.wait(this.flag, 0, 0);
    const got = receiveMessageOnPort(this.init.port);
    if (!got) return errBuf('ERR script thread lost a reply');
    return got.message as Uint8Array;
  }
}

class RemoteHost implements ScriptHost {
  private readonly local = new RespWriter(256);

  constructor(
    private readonly id: number,
    private readonly session: RunSession,
    private readonly thread: ScriptThread,
  ) {}

  call(args: Buffer[], proto: 2 | 3): Uint8Array {
    const s = this.session;
    const def = s.resolve(args);
    if (typeof def === 'string') return errBuf(def);
    if (def.inScript) {
      if (s.aclChecked) {
        const refused = this.thread.request(this.id, args, s.db, proto, true);
        if (refused.length > 0) return refused;
      }
      const out = this.local;
      out.reset();
      out.proto = proto;
      def.inScript(s, args, out);
      return out.buf.subarray(0, out.pos);
    }
    if (def.flags.includes('write')) s.writing();
    return this.thread.request(this.id, args, s.db, proto);
  }

  interrupted(): string | null {
    return this.session.interrupted();
  }

  log(level: number, message: string): void {
    scriptLog(level, message);
  }
}

function asBuffer(a: Uint8Array): Buffer {
  return Buffer.isBuffer(a) ? a : Buffer.from(a.buffer, a.byteOffset, a.length);
}
