// MULTI / EXEC / DISCARD / WATCH / UNWATCH on the main thread.
//
// MULTI queues a client's commands here (the router hands them over: Transactions.queue). EXEC
// runs them so that no other client observes any part of it:
// - All of them on one shard (the common case, and hash tags make it so): one `exec-group`
//   command through that shard's ring, which the shard runs back to back inside one write
//   transaction (lib/commands/txn.ts): one commit, no lock, nothing of another client between.
// - Otherwise under the coordinator's locks on every shard involved: each shard's commands of a
//   stretch run as one group on it (the groups of different shards at once: under the locks their
//   keys are independent), and main-thread or cross-shard commands run in between at their place.
// Either way each shard's writes of the EXEC reach its binlog between MULTI and EXEC records.
//
// WATCH registers keys on their shards (lib/store/watch.ts), because only the shard knows whether
// a write ran before the EXEC: the EXEC's group carries the client's id and the shard checks and
// forgets its watches before running anything. Clients that never watch cost nothing: the shards
// look at their watch table only while it holds keys.

import type { Connection } from './connection.js';
import type { CommandDef, ShardAccess, Tx } from './commands/types.js';
import type { MainContext, ShardCalls } from './main-context.js';
import type { Server } from './server.js';
import { internal, keyIndexes, lookupBytes } from './commands/registry.js';
import { pushGroupCommand } from './exec-group.js';
import { arrayElements } from './resp/skip.js';
import { decodeReply } from './resp/decode.js';
import { RespWriter } from './resp/writer.js';
import { errBuf, errText } from './errors.js';
import { mergeScatter, splitScatter } from './coordinator.js';
import { mergeParts, splitCommands } from './store/key-events.js';

const QUEUED = Buffer.from('+QUEUED\r\n');
const NO_MULTI = errBuf('ERR Command not allowed inside a transaction');
const EMPTY = Buffer.alloc(0);
const EXEC_GROUP = Buffer.from('exec-group');
const WATCH_KEYS = Buffer.from('watch-keys');
const UNWATCH_KEYS = Buffer.from('unwatch-keys');

/** A client's transaction between MULTI and EXEC. */
export class MultiState {
  readonly queued: Array<{ def: CommandDef; args: Buffer[] }> = [];
  /** A command was refused while queueing: EXEC answers EXECABORT. */
  failed = false;
  /** Bytes of the queued arguments (CLIENT LIST multi-mem). */
  bytes = 0;
}

type Step =
  | { kind: 'shard'; def: CommandDef; args: Buffer[]; shard: number }
  | { kind: 'scatter'; def: CommandDef; args: Buffer[]; idx: readonly number[] }
  | { kind: 'main'; def: CommandDef; args: Buffer[] }
  /** refused at EXEC (the user's ACL rules changed since it was queued): its reply is this error */
  | { kind: 'refused'; reply: Buffer };

export class Transactions {
  private groupDef: CommandDef | null = null;
  private watchDef: CommandDef | null = null;
  private unwatchDef: CommandDef | null = null;

  constructor(private readonly server: Server) {}

  /** The shards through their rings, as a Tx for `conn`'s groups that need no lock (it is their events' origin). */
  private rings(conn: Connection): Tx {
    const shards = this.server.shards;
    return {
      exec: (shard, def, db, args, proto = 2, onKeyEvents) => shards.call(shard, def, db, proto, args, conn, onKeyEvents),
      execParts: (parts) => Promise.all(parts.map((p) => shards.call(p.shard, p.def, p.db, 2, p.args, conn))),
    };
  }

  private get group(): CommandDef {
    return (this.groupDef ??= internal('exec-group'));
  }

  /**
   * The router's hook for a client inside MULTI: queues the command and answers QUEUED (true),
   * or leaves it to run now (false: EXEC, DISCARD, MULTI, WATCH, QUIT, RESET).
   */
  queue(conn: Connection, def: CommandDef, args: Buffer[]): boolean {
    if (def.notQueued) return false;
    const m = conn.multi!;
    if (def.flags.includes('no_multi')) {
      m.failed = true;
      conn.reply(NO_MULTI);
      return true;
    }
    // the parser's buffers are not ours to keep past this command
    const copy = args.map((a) => Buffer.from(a));
    m.queued.push({ def, args: copy });
    // as Redis counts multi-mem: the arguments' bytes and a pointer per argument
    for (const a of copy) m.bytes += a.length + 8;
    conn.reply(QUEUED);
    return true;
  }

  multi(ctx: MainContext): void {
    if (ctx.conn.multi) return ctx.out.error('ERR MULTI calls can not be nested');
    ctx.conn.multi = new MultiState();
    ctx.out.ok();
  }

  discard(ctx: MainContext): void {
    if (!ctx.conn.multi) return ctx.out.error('ERR DISCARD without MULTI');
    this.abort(ctx.conn);
    ctx.out.ok();
  }

  /** Drops the client's transaction and its watches (DISCARD, an aborted EXEC, RESET, disconnect). */
  abort(conn: Connection): void {
    conn.multi = null;
    this.unwatch(conn);
  }

  watch(ctx: MainContext, args: Buffer[]): Promise<void> | void {
    const conn = ctx.conn;
    if (conn.multi) return ctx.out.error('ERR WATCH inside MULTI is not allowed');
    const shards = this.server.shards;
    const perShard = new Map<number, Buffer[]>();
    for (let i = 1; i < args.length; i++) {
      const s = shards.of(args[i]);
      let ks = perShard.get(s);
      if (!ks) perShard.set(s, (ks = [WATCH_KEYS, Buffer.from(String(conn.id))]));
      ks.push(args[i]);
    }
    const watched = (conn.watchShards ??= new Set());
    const def = (this.watchDef ??= internal('watch-keys'));
    const sent: Promise<Buffer>[] = [];
    for (const [s, ks] of perShard) {
      watched.add(s);
      sent.push(shards.call(s, def, conn.db, 2, ks));
    }
    return Promise.all(sent).then(() => ctx.out.ok());
  }

  /** Forgets every key the client watches (UNWATCH, EXEC, DISCARD, RESET, disconnect). */
  unwatch(conn: Connection): void {
    const watched = conn.watchShards;
    if (!watched) return;
    conn.watchShards = null;
    const def = (this.unwatchDef ??= internal('unwatch-keys'));
    const args = [UNWATCH_KEYS, Buffer.from(String(conn.id))];
    for (const s of watched) void this.server.shards.call(s, def, 0, 2, args);
  }

  exec(ctx: MainContext): Promise<void> | void {
    const conn = ctx.conn;
    const m = conn.multi;
    if (!m) return ctx.out.error('ERR EXEC without MULTI');
    conn.multi = null;
    if (m.failed) {
      this.unwatch(conn);
      return ctx.out.error('EXECABORT Transaction discarded because of previous errors.');
    }
    const watched = conn.watchShards;
    conn.watchShards = null;
    const s = this.server;
    for (const q of m.queued) s.cmdStats.call(q.def);
    // ACL rules may have changed since the commands were queued: each is checked again
    const refused = conn.user.unrestricted ? null : m.queued.map((q) => s.acl.execRefusal(conn, q.def, q.args));
    const { steps, shards, all } = this.plan(m.queued, refused);
    const targets = new Set(shards);
    if (watched) for (const w of watched) targets.add(w);
    let done: Promise<void> | void;
    if (!all && targets.size <= 1 && steps.every((st) => st.kind === 'shard')) {
      // nothing with keys and nothing watched: nothing to run
      if (targets.size === 0) return ctx.out.array(0);
      // one shard: one group, one transaction there
      const shard = targets.values().next().value!;
      const args = [EXEC_GROUP, watched ? Buffer.from(String(conn.id)) : EMPTY];
      for (const st of steps) pushGroupCommand(args, st.def, conn.db, st.args);
      done = s.shards.call(shard, this.group, conn.db, conn.proto, args, conn).then((r) => ctx.out.raw(r));
    } else if (!all && !watched && steps.every((st) => st.kind !== 'main')) {
      // Independent parts on several shards (as a scatter command): every shard's group is
      // enqueued in this one step, so all of them sit at the same point of each shard's order and
      // nobody can see one part without the others. No lock needed.
      done = this.runSteps(ctx, this.rings(conn), steps).then((rs) => this.replyAll(ctx, rs));
    } else {
      done = this.locked(ctx, steps, targets, watched, all);
      // A main-thread step may change what the client's next commands mean (SELECT inside
      // MULTI): nothing pipelined after EXEC is dispatched until it has run.
      if (done && steps.some((st) => st.kind === 'main')) {
        conn.hold();
        done = done.finally(() => conn.release());
      }
    }
    this.wakeWaiters(conn, m.queued);
    if (!done) return;
    // CLIENT LIST shows a client running EXEC still in MULTI (flag x), as Redis does
    conn.execing = m;
    return done.finally(() => {
      conn.execing = null;
    });
  }

  /** Blocked clients the transaction's writes may serve are retried right behind it. */
  private wakeWaiters(conn: Connection, queued: Array<{ def: CommandDef; args: Buffer[] }>): void {
    if (!this.server.blocking.active) return;
    for (const q of queued) if (q.def.flags.includes('write') && !q.def.flags.includes('blocking')) this.server.router.wake(conn, q.def, q.args);
  }

  /** Where each queued command runs, and the shards the transaction must hold. */
  private plan(queued: Array<{ def: CommandDef; args: Buffer[] }>, refused: Array<string | null> | null): { steps: Step[]; shards: Set<number>; all: boolean } {
    const router = this.server.router;
    const shardSet = this.server.shards;
    const shards = new Set<number>();
    let all = false;
    const steps: Step[] = [];
    for (let q = 0; q < queued.length; q++) {
      const { def, args } = queued[q];
      const denied = refused !== null ? refused[q] : null;
      if (denied !== null) {
        steps.push({ kind: 'refused', reply: errBuf(denied) });
        continue;
      }
      const idx = keyIndexes(def, args);
      if (def.main) {
        steps.push({ kind: 'main', def, args });
        if (def.reachesShards || idx.length > 0) all = true;
        continue;
      }
      const first = router.singleShard(args, idx);
      if (def.shard && first >= 0) {
        steps.push({ kind: 'shard', def, args, shard: first });
        shards.add(first);
      } else if (def.shard && def.scatter) {
        steps.push({ kind: 'scatter', def, args, idx });
        for (const i of idx) shards.add(shardSet.of(args[i]));
      } else {
        // cross-shard with dependent parts (RENAME a b, SMOVE, *STORE, SORT): its coordinated
        // handler runs under the transaction's locks
        steps.push({ kind: 'main', def, args });
        if (def.readsUnnamedKeys?.(args)) all = true;
        for (const i of idx) shards.add(shardSet.of(args[i]));
      }
    }
    return { steps, shards, all };
  }

  /** EXEC under the coordinator's locks: several shards, or commands that run on this thread. */
  private locked(ctx: MainContext, steps: Step[], targets: Set<number>, watched: Set<number> | null, all: boolean): Promise<void> | void {
    const s = this.server;
    const conn = ctx.conn;
    const hold = targets;
    if (all) for (let i = 0; i < s.shards.count; i++) hold.add(i);
    if (hold.size === 0) return this.runSteps(ctx, null, steps).then((rs) => this.replyAll(ctx, rs));
    return s.coord.locked([...hold], async (tx) => {
      if (watched) {
        const check = [EXEC_GROUP, Buffer.from(String(conn.id))];
        const rs = await Promise.all([...watched].map((w) => tx.exec(w, this.group, conn.db, check, conn.proto)));
        // a nil: some watched key changed (every shard forgot the client's watches)
        if (rs.some((r) => arrayElements(r) === null)) {
          ctx.out.nilArray();
          return;
        }
      }
      this.replyAll(ctx, await this.runSteps(ctx, tx, steps));
    }, conn);
  }

  private replyAll(ctx: MainContext, replies: Buffer[]): void {
    ctx.out.array(replies.length);
    for (const r of replies) ctx.out.raw(r);
  }

  /**
   * Runs the steps in order: consecutive shard commands gather into one group per shard, sent
   * together when a main-thread step (or the end) comes; main-thread steps run at their place.
   */
  private async runSteps(ctx: MainContext, tx: Tx | null, steps: Step[]): Promise<Buffer[]> {
    const conn = ctx.conn;
    const replies: Buffer[] = new Array(steps.length);
    let groups = new Map<number, { args: Buffer[]; sinks: Array<(r: Buffer) => void> }>();
    let after: Array<() => void> = [];
    // the groups' commands in the EXEC's order: which shard, which step (their keyspace events' order)
    let order: Array<{ shard: number; step: number }> = [];
    const add = (shard: number, def: CommandDef, args: Buffer[], sink: (r: Buffer) => void, step: number): void => {
      let g = groups.get(shard);
      if (!g) groups.set(shard, (g = { args: [EXEC_GROUP, EMPTY], sinks: [] }));
      pushGroupCommand(g.args, def, conn.db, args);
      g.sinks.push(sink);
      order.push({ shard, step });
    };
    const flush = async (): Promise<void> => {
      if (groups.size === 0) return;
      const gs = groups;
      const fin = after;
      const ord = order;
      groups = new Map();
      after = [];
      order = [];
      const events = new Map<number, Buffer[]>();
      await Promise.all(
        [...gs].map(async ([shard, g]) => {
          const r = await tx!.exec(shard, this.group, conn.db, g.args, conn.proto, (rec) => events.set(shard, splitCommands(Buffer.from(rec))));
          const els = arrayElements(r);
          if (els === null || els.length !== g.sinks.length) throw new Error('malformed transaction group reply');
          for (let i = 0; i < els.length; i++) g.sinks[i](Buffer.from(els[i]));
        }),
      );
      if (events.size > 0) this.publishInOrder(conn, steps, ord, events);
      for (const f of fin) f();
    };
    for (let i = 0; i < steps.length; i++) {
      const st = steps[i];
      if (st.kind === 'refused') {
        replies[i] = st.reply;
      } else if (st.kind === 'shard') {
        add(st.shard, st.def, st.args, (r) => (replies[i] = r), i);
      } else if (st.kind === 'scatter') {
        const split = splitScatter(this.server.shards, st.def, st.args, st.idx);
        if (typeof split === 'string') {
          replies[i] = errBuf(split);
          continue;
        }
        const got = new Map<number, ReturnType<typeof decodeReply>>();
        for (const [shard, p] of split) add(shard, st.def, p.args, (r) => got.set(shard, decodeReply(r)), i);
        after.push(() => (replies[i] = mergeScatter(st.def.scatter!.merge, conn.proto, st.idx.length, split, got)));
      } else {
        await flush();
        replies[i] = await this.runHere(ctx, tx, st.def, st.args);
      }
    }
    await flush();
    return replies;
  }

  /**
   * The keyspace events of groups run at once on several shards (each shard's records split per
   * command), published in the order of the EXEC's commands, as one server would have emitted
   * them; a command split over shards (MSET...) has its parts' events in the order of its keys.
   */
  private publishInOrder(conn: Connection, steps: Step[], order: Array<{ shard: number; step: number }>, events: Map<number, Buffer[]>): void {
    const shards = this.server.shards;
    const next = new Map<number, number>();
    for (let i = 0; i < order.length; ) {
      const at = order[i].step;
      const parts = new Map<number, Buffer>();
      for (; i < order.length && order[i].step === at; i++) {
        const shard = order[i].shard;
        const k = next.get(shard) ?? 0;
        next.set(shard, k + 1);
        const chunk = events.get(shard)?.[k];
        if (chunk !== undefined && chunk.length > 0) parts.set(shard, chunk);
      }
      if (parts.size === 0) continue;
      const st = steps[at];
      if (st.kind === 'scatter' && parts.size > 1) {
        const keys = st.idx.map((j) => st.args[j]);
        shards.deliverKeyEvents(conn, mergeParts(keys, keys.map((k) => shards.of(k)), parts));
      } else for (const c of parts.values()) shards.deliverKeyEvents(conn, c);
    }
  }

  /**
   * One command over shards `tx` holds, wherever its table entry says it runs, in database `db`
   * and protocol `proto` (a cross-shard script's redis.call): its reply.
   */
  async runOne(ctx: MainContext, tx: Tx, def: CommandDef, args: Buffer[], db: number, proto: 2 | 3): Promise<Buffer> {
    const idx = keyIndexes(def, args);
    if (def.shard && !def.main) {
      const first = this.server.router.singleShard(args, idx);
      if (first >= 0) return tx.exec(first, def, db, args, proto);
      if (def.scatter) {
        const split = splitScatter(this.server.shards, def, args, idx);
        if (typeof split === 'string') return errBuf(split);
        const order = [...split.keys()];
        const rs = await tx.execParts(order.map((shard) => ({ shard, def, db, args: split.get(shard)!.args })), idx.map((i) => args[i]));
        const got = new Map<number, ReturnType<typeof decodeReply>>();
        order.forEach((shard, i) => got.set(shard, decodeReply(rs[i])));
        return mergeScatter(def.scatter.merge, proto, idx.length, split, got);
      }
    }
    return this.runHere(ctx, tx, def, args, db, proto);
  }

  /** A main-thread or cross-shard command inside EXEC: its handler over the transaction's shards. */
  private async runHere(ctx: MainContext, tx: Tx | null, def: CommandDef, args: Buffer[], db?: number, proto?: 2 | 3): Promise<Buffer> {
    const conn = ctx.conn;
    const out = new RespWriter(256);
    out.proto = proto ?? conn.proto;
    const c = this.server.execution.context(conn, def, out);
    if (db !== undefined) c.db = db;
    if (proto !== undefined) c.proto = proto;
    const access = execAccess(this.server, tx);
    c.shards = access;
    c.calls = execCalls(this.server, tx);
    c.attemptOnce = (a) => this.attempt(ctx, tx, a);
    try {
      await (def.main ?? def.coordinated)!(c, args);
    } catch (e) {
      out.reset();
      out.error(errText(e));
    }
    return out.take();
  }

  /** A blocking command's attempt inside EXEC (it never waits there): once, over the transaction's shards. */
  private attempt(ctx: MainContext, tx: Tx | null, args: Buffer[]): Promise<Buffer> {
    const def = lookupBytes(args[0]);
    if (!def) return Promise.reject(new Error('unknown attempt'));
    const first = this.server.router.singleShard(args, keyIndexes(def, args));
    if (def.shard && first >= 0) {
      if (!tx) return Promise.reject(new Error('transaction holds no shard'));
      return tx.exec(first, def, ctx.conn.db, args, ctx.conn.proto);
    }
    return this.runHere(ctx, tx, def, args);
  }
}

/** The shards as a command inside EXEC sees them: those the transaction already holds. */
function execAccess(server: Server, tx: Tx | null): ShardAccess {
  return {
    count: server.shards.count,
    of: (key) => server.shards.of(key),
    locked: (_shards, fn) => {
      if (!tx) return Promise.reject(new Error('transaction holds no shard'));
      // Tx.exec refuses a shard the transaction does not hold
      return fn(tx);
    },
  };
}

function execCalls(server: Server, tx: Tx | null): ShardCalls {
  const call = (shard: number, def: CommandDef, db: number, proto: number, args: Buffer[]): Promise<Buffer> => {
    if (!tx) return Promise.reject(new Error('transaction holds no shard'));
    return tx.exec(shard, def, db, args, proto);
  };
  return {
    call,
    callSlow: call,
    broadcast: (def, db, proto, args) => Promise.all(Array.from({ length: server.shards.count }, (_, i) => call(i, def, db, proto, args))),
    gather: null,
  };
}
