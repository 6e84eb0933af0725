// The cross-shard path of scripts and functions: keys on several shards, or a script that reaches
// beyond its shard (keys it computes, main-thread commands such as PUBLISH or DBSIZE).
//
// The coordinator holds every shard (Coordinator.locked: one LOCK record on each, enqueued in one
// step, so the script takes one point of the global order and nothing else runs anywhere until it
// ends). The Lua code runs on a thread of its own (workers/script.ts, lib/scripting/script-thread.ts),
// not here, so this thread keeps answering other clients (-BUSY past busy-reply-threshold, SCRIPT
// KILL). Each redis.call is a synchronous request from that thread: a message here, run over the
// held shards like a command inside EXEC (Transactions.runOne), the reply posted back on a
// MessageChannel and signalled through a SharedArrayBuffer word the script thread waits on.
// What it costs: every shard stopped for the whole run, and two thread hops per call.

import { scriptNopermReply, unnamedKeysRefusal } from '../acl/access.js';
import { Worker, MessageChannel, type MessagePort } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';
import type { MainContext } from '../main-context.js';
import type { Server } from '../server.js';
import type { Tx } from '../commands/types.js';
import type { BusyBoard } from './busy.js';
import type { RunPlan } from './scripts.js';
import { lookupBytes, renameTable } from '../commands/registry.js';
import { errBuf, errText } from '../errors.js';
import { logger } from '../log.js';
import type { ToScriptThread, FromScriptThread } from './script-thread.js';

const EMPTY_REPLY = Buffer.alloc(0);

const log = logger('script');
const WORKER_URL = new URL('../../workers/script.js', import.meta.url);

interface Running {
  ctx: MainContext;
  tx: Tx;
  resolve(reply: Buffer): void;
}

export class CrossShardScripts {
  private worker: Worker | null = null;
  private port: MessagePort | null = null;
  private readonly flag = new Int32Array(new SharedArrayBuffer(4));
  private readonly running = new Map<number, Running>();
  private nextId = 1;
  /** Scripts and libraries the script thread has compiled (ids). */
  private readonly known = new Set<string>();

  constructor(
    private readonly server: Server,
    private readonly board: BusyBoard,
  ) {}

  /** Starts the script thread ahead of the first cross-shard run (at server start). */
  warm(): void {
    this.start();
  }

  private start(): Worker {
    if (this.worker) return this.worker;
    const ch = new MessageChannel();
    this.port = ch.port1;
    const s = this.server;
    const w = new Worker(fileURLToPath(WORKER_URL), {
      name: 'scripts',
      workerData: { port: ch.port2, flagSab: this.flag.buffer, scriptSab: this.board.sab, shards: s.shards.count, databases: s.databases, renames: renameTable() },
      transferList: [ch.port2],
    });
    w.on('message', (m: FromScriptThread) => this.onMessage(m));
    w.on('error', (e) => {
      log.error({ err: e }, 'script thread failed');
      this.fail(e);
    });
    w.unref();
    this.worker = w;
    return w;
  }

  /** Runs the plan with every shard held; resolves with its reply. */
  run(ctx: MainContext, plan: RunPlan): Promise<Buffer> {
    const s = this.server;
    const all = Array.from({ length: s.shards.count }, (_, i) => i);
    return ctx.shards.locked(all, (tx) => {
      const worker = this.start();
      const id = this.nextId++;
      const key = (plan.flags & 1 ? 'f:' : 's:') + plan.id;
      const code = this.known.has(key) ? null : plan.code;
      this.known.add(key);
      const msg: ToScriptThread = { t: 'run', id, flags: plan.flags, sid: plan.id, code, fname: plan.fname, keys: plan.keys, argv: plan.argv, db: ctx.db, proto: ctx.proto };
      return new Promise<Buffer>((resolve) => {
        this.running.set(id, { ctx, tx, resolve });
        worker.postMessage(msg);
      });
    });
  }

  /** SCRIPT FLUSH / FUNCTION FLUSH / DELETE reach the script thread's compiled copies too. */
  async forget(what: string[]): Promise<void> {
    for (const k of [...this.known]) {
      if (what[0] === 'scripts' ? k.startsWith('s:') : what[0] === 'functions' ? k.startsWith('f:') : k === 'f:' + what[1]) this.known.delete(k);
    }
    this.worker?.postMessage({ t: 'forget', what } satisfies ToScriptThread);
  }

  private onMessage(m: FromScriptThread): void {
    const r = this.running.get(m.id);
    if (!r) return;
    if (m.t === 'done') {
      this.running.delete(m.id);
      r.resolve(Buffer.from(m.reply));
      return;
    }
    void this.serve(r, m.args.map((a) => Buffer.from(a.buffer, a.byteOffset, a.length)), m.db, m.proto, m.checkOnly === true);
  }

  /** One redis.call of the running script (or, `checkOnly`, its ACL check alone), over the held shards; the reply goes back at once. */
  private async serve(r: Running, args: Buffer[], db: number, proto: 2 | 3, checkOnly: boolean): Promise<void> {
    let reply: Buffer;
    try {
      let def = lookupBytes(args[0])!;
      if (def.sub) def = def.sub.get(args[1].toString('latin1').toLowerCase())!;
      // ACL: a restricted user's scripts all run here (lib/scripting/scripts.ts place), each call checked
      const conn = r.ctx.conn;
      let refused: string | null = null;
      if (!conn.user.unrestricted) {
        const denied = this.server.acl.denial(conn, def, args, 'lua');
        refused = denied !== null ? 'ERR ' + scriptNopermReply(denied) : unnamedKeysRefusal(conn, def, args);
      }
      if (refused !== null) reply = errBuf(refused);
      else if (checkOnly) reply = EMPTY_REPLY;
      else reply = await this.server.transactions.runOne(r.ctx, r.tx, def, args, db, proto);
    } catch (e) {
      reply = errBuf(errText(e));
    }
    this.port!.postMessage(reply);
    Atomics.store(this.flag, 0, 1);
    Atomics.notify(this.flag, 0);
  }

  private fail(e: Error): void {
    for (const [id, r] of this.running) {
      this.running.delete(id);
      r.resolve(errBuf('ERR script thread failed: ' + e.message));
    }
    this.worker = null;
    this.known.clear();
  }

  close(): Promise<number> | undefined {
    return this.worker?.terminate();
  }
}
