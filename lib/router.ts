// The router: where each parsed command runs. It looks the command up in the table, checks arity
// and authentication, finds its keys' shards, and picks one way to run it, from what its table
// entry says (lib/commands/types.ts) and never from its name:
//
//   main handler                 on this thread (CONFIG, INFO, KEYS...)
//   slow pool                    big reads and *STORE computations (lib/slow-routing.ts)
//   direct read                  a `direct` read of one shard, nothing pending on the connection
//   the shard                    queued on the owning shard's ring, batched per event-loop turn
//   scatter                      independent per-shard parts at one point of the global order
//   coordinated                  parts under the shards' locks (lib/coordinator.ts)
//
// Then the waiters a write may have fed are retried right behind it (lib/blocking.ts).

import type { Connection } from './connection.js';
import type { CommandDef } from './commands/types.js';
import type { Server } from './server.js';
import { lookupBytes, lookupInternal, keyIndexes, resolveClientCommand, hasRenames } from './commands/registry.js';
import { E, errBuf, unknownCommand, unknownSubcommand, wrongArgs } from './errors.js';
import { shardOf } from './slot.js';
import { logger } from './log.js';
import { subscribedModeError } from './commands/pubsub.js';
import { nopermReply, unnamedKeysRefusal } from './acl/access.js';

const log = logger('router');

export class Router {
  private readonly nshards: number;
  /** rename-command is applied at startup, before the server exists (bin/respdb.ts). */
  private readonly renames = hasRenames();

  constructor(private readonly server: Server) {
    this.nshards = server.shards.count;
  }

  /** One command of a connection, in its order. A bug costs one reply, not the server. */
  dispatch(conn: Connection, args: Buffer[]): void {
    if (conn.closing || conn.closed) return;
    try {
      // CLIENT PAUSE, MONITOR, CLIENT TRACKING, CLIENT REPLY SKIP (lib/clients/control.ts)
      const cc = this.server.clientCtl;
      if (cc.active !== 0) cc.dispatch(conn, args);
      else {
        const def = this.check(conn, args);
        if (def !== null && (conn.multi === null || !this.queued(conn, def, args))) this.run(conn, def, args);
      }
      // Somebody waits on keys: a write just routed may have fed them; the retries queue up right
      // behind it. (Blocking commands wake the keys they write themselves, once their attempt took
      // something.)
      const def = conn.curDef;
      const b = this.server.blocking;
      if (b.active && def !== null && def.flags.includes('write') && !def.flags.includes('blocking')) this.wake(conn, def, args);
    } catch (e) {
      log.error({ err: e, client: conn.addr }, 'command dispatch failed');
      conn.reply(errBuf('ERR internal error: ' + (e instanceof Error ? e.message : String(e))));
    }
    conn.curDef = null;
  }

  /**
   * A command's table entry once its name, arity and authentication passed; null when it was
   * refused (and answered). CLIENT LIST's cmd is the command looked up, refused or not (NULL
   * for an unknown one), as in Redis.
   */
  check(conn: Connection, args: Buffer[]): CommandDef | null {
    const s = this.server;
    // (rename-command: clients use the new names; the master's commands arrive with their
    // canonical names, lib/replication/apply.ts resolves them)
    const sent = args[0];
    let def = this.renames && !conn.fromMaster ? resolveClientCommand(args) : lookupBytes(args[0]);
    if (!def) {
      conn.lastCmd = 'NULL';
      const name = args[0].length < 32 ? args[0].toString('latin1').toLowerCase() : '';
      if (name === 'post' || name === 'host:') {
        // Like Redis: an HTTP request (cross protocol scripting) drops the client, unanswered.
        log.warn({ client: conn.addr }, 'possible security attack: POST or Host: command, connection aborted');
        conn.kill();
        return null;
      }
      this.reject(conn, null, unknownCommand(args));
      return null;
    }
    // A container without its subcommand fails its own arity check (COMMAND alone is valid).
    if (def.sub && args.length >= 2) {
      const sub = def.sub.get(args[1].toString('latin1').toLowerCase());
      if (!sub) {
        conn.lastCmd = 'NULL';
        // (Redis names the container as the client did: a renamed one by its new name)
        this.reject(conn, null, unknownSubcommand(args[1], sent === args[0] ? def.name : sent.toString('latin1')));
        return null;
      }
      def = sub;
    }
    conn.lastCmd = def.name;
    const arity = def.arity;
    if ((arity > 0 && args.length !== arity) || args.length < -arity) {
      s.cmdStats.rejected(def);
      this.reject(conn, def, wrongArgs(def.name));
      return null;
    }
    if (!conn.authenticated && !def.flags.includes('no_auth') && s.acl.users.authRequired()) {
      s.cmdStats.rejected(def);
      this.reject(conn, def, E.noAuth);
      return null;
    }
    // ACL: a user with every permission (the default user as it starts) is not checked
    // (a command refused inside MULTI gets that refusal first, as in Redis)
    if (!conn.user.unrestricted && !conn.fromMaster && !(conn.multi !== null && def.flags.includes('no_multi'))) {
      const denied = s.acl.denial(conn, def, args, conn.multi !== null ? 'multi' : 'toplevel');
      if (denied !== null) {
        s.cmdStats.rejected(def);
        this.reject(conn, def, nopermReply(denied, def));
        return null;
      }
      // (a reply of the command itself, as in Redis: inside MULTI it comes from EXEC)
      const unnamed = conn.multi === null ? unnamedKeysRefusal(conn, def, args) : null;
      if (unnamed !== null) {
        this.reject(conn, def, unnamed);
        return null;
      }
    }
    // a RESP2 client with subscriptions runs only the pub/sub commands, PING, QUIT and RESET
    if (conn.subscribed !== 0) {
      const refused = subscribedModeError(conn, def);
      if (refused !== null) {
        s.cmdStats.rejected(def);
        this.reject(conn, def, refused);
        return null;
      }
    }
    // a replica: READONLY, MASTERDOWN (lib/replication/replica.ts), never for its master's stream
    const replica = s.replication.replica;
    if (replica !== null && !conn.fromMaster) {
      const refused = replica.refusal(def);
      if (refused !== null) {
        s.cmdStats.rejected(def);
        this.reject(conn, def, refused);
        return null;
      }
    }
    // a script runs past busy-reply-threshold: only the commands marked allow_busy run
    if (s.scripting.board.busy && !def.flags.includes('allow_busy')) {
      this.reject(conn, def, s.scripting.busyError()!);
      return null;
    }
    // min-replicas-to-write: too few replicas acknowledged lately (checked once a second)
    if (s.replication.writesRefused !== null && def.flags.includes('write')) {
      s.cmdStats.rejected(def);
      this.reject(conn, def, s.replication.writesRefused);
      return null;
    }
    conn.curDef = def;
    return def;
  }

  /** Inside MULTI: a checked command is queued (QUEUED), unless it is one of those that run at once. */
  queued(conn: Connection, def: CommandDef, args: Buffer[]): boolean {
    if (!this.server.transactions.queue(conn, def, args)) return false;
    conn.curDef = null; // it did not run: nothing to wake
    return true;
  }

  /** Runs a checked command (see check()) the way its table entry says. */
  run(conn: Connection, def: CommandDef, args: Buffer[]): void {
    const s = this.server;
    s.counters.totalCommands++;
    if (def.main) {
      s.execution.runMain(conn, def, args, def.main);
      // Counted after running, like Redis (CONFIG RESETSTAT counts itself).
      s.cmdStats.call(def);
      return;
    }
    s.cmdStats.call(def);
    const idx = keyIndexes(def, args);
    const first = this.singleShard(args, idx);
    const slow = s.slowRouting;
    if (slow.enabled && (def.slow === true || slow.isForced(def)) && slow.tryRun(conn, def, args, idx, first)) return;
    // no shard handler: it always runs coordinated (SORT, whose patterns may name keys anywhere)
    if (def.shard === undefined) {
      s.execution.runMain(conn, def, args, def.coordinated!);
      return;
    }
    if (first >= 0) {
      // Direct read: nothing of this connection is pending (so program order holds) and no
      // multi-shard operation is in flight on the shard (so nobody can see half of one). (Sending
      // a deep pipeline's reads to the idle shards instead was measured: on 2 cores the shard path
      // costs more CPU in all than the lookup here, GET -P 16 ~380k vs ~420k ops/s.)
      if (def.direct && conn.queue.length === 0 && s.shards.links[first].barrier === 0) {
        s.execution.readDirect(conn, def, first, args);
        return;
      }
      s.execution.send(conn, def, first, args);
      return;
    }
    if (def.scatter) {
      s.coord.scatter(conn, def, args, idx);
      return;
    }
    if (def.coordinated) {
      s.execution.runMain(conn, def, args, def.coordinated);
      return;
    }
    throw new Error(`command ${def.name} spans shards and has no cross-shard strategy`);
  }

  /** The shard owning every key at `idx` (shard 0 for none), or -1 when they span shards. */
  singleShard(args: Buffer[], idx: readonly number[]): number {
    if (idx.length === 0) return 0;
    const n = this.nshards;
    const first = shardOf(args[idx[0]], n);
    for (let i = 1; i < idx.length; i++) if (shardOf(args[idx[i]], n) !== first) return -1;
    return first;
  }

  /**
   * A command refused before it ran. Inside MULTI the refusal dooms the transaction (EXEC will
   * answer EXECABORT); a refused EXEC answers EXECABORT itself and drops the transaction.
   */
  reject(conn: Connection, def: CommandDef | null, message: string): void {
    if (def !== null && def.execAbortOnReject) {
      this.server.transactions.abort(conn);
      conn.reply(errBuf('EXECABORT Transaction discarded because of: ' + (message.startsWith('ERR ') ? message.slice(4) : message)));
      return;
    }
    if (conn.multi !== null) conn.multi.failed = true;
    conn.reply(errBuf(message));
  }

  /** Retries the waiters of the keys a write command touches (see lib/blocking.ts). */
  wake(conn: Connection, def: CommandDef, args: Buffer[]): void {
    const b = this.server.blocking;
    if (def.wakes) return def.wakes(args, conn.db, b);
    for (const i of keyIndexes(def, args)) b.notify(conn.db, args[i]);
  }

  /**
   * Runs a client-visible command for `conn` outside its reply order and resolves with the reply
   * (the attempts of blocked clients, a *STORE's fallback). Queued now, in order with everything
   * else: on the key's shard, or through the command's cross-shard strategy.
   */
  execute(conn: Connection, args: Buffer[]): Promise<Buffer> {
    // (internal commands too: an attempt may be one, XREAD's xread-part)
    const def = lookupBytes(args[0]) ?? lookupInternal(args[0]);
    if (!def || (!def.shard && !def.coordinated)) return Promise.reject(new Error(`cannot execute ${args[0].toString('latin1')}`));
    const first = this.singleShard(args, keyIndexes(def, args));
    if (def.coordinated && (first < 0 || !def.shard)) return this.server.execution.runDetached(conn, def, args, def.coordinated);
    return this.server.shards.call(Math.max(0, first), def, conn.db, conn.proto, args, conn);
  }
}
