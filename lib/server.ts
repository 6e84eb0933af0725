// The server's lifecycle: opens the data directory, starts the shards and the slow pool, listens,
// accepts connections, flushes batches and replies at the end of each event-loop turn, and shuts
// down. The jobs of the main thread live beside it: lib/router.ts (where a command runs),
// lib/execution.ts (running it), lib/slow-routing.ts (the slow pool), lib/coordinator.ts
// (multi-shard commands), lib/blocking.ts (blocked clients), lib/shard/set.ts (the shards).

import net from 'node:net';
import { existsSync, mkdirSync, readFileSync, writeFileSync, unlinkSync, linkSync } from 'node:fs';
import { join } from 'node:path';
import { Connection, Slot, type ConnectionHost } from './connection.js';
import { adoptSocket } from './socket-input.js';
import type { ParserLimits } from './resp/parser.js';
import type { CommandDef } from './commands/types.js';
import { E, errBuf } from './errors.js';
import { ShardStats, STAT } from './shard/stats.js';
import { ShardSet } from './shard/set.js';
import { Coordinator } from './coordinator.js';
import { Blocking } from './blocking.js';
import type { Config } from './config.js';
import { logger, flushLogs } from './log.js';
import { CommandStats } from './command-stats.js';
import { Diagnostics } from './latency.js';
import { SlowPool } from './slow/pool.js';
import { SlowRouting } from './slow/routing.js';
import { Router } from './router.js';
import { Execution } from './execution.js';
import { ServerCounters } from './server-stats.js';
import { memoryFigures } from './server-figures.js';
import { MetricsEndpoint } from './metrics/endpoint.js';
import { ClientControl } from './clients/control.js';
import { KeyEvents } from './notifications.js';
import { PubSub } from './pubsub.js';
import { OutputLimits } from './output-limits.js';
import { Transactions } from './transaction.js';
import { AccessControl } from './acl/access.js';
import { loadStartupUsers } from './config/startup-users.js';
import { Scripting } from './scripting/scripts.js';
import { ENCODING_LIMIT_OF, encodingLimits, setEncodingLimit } from './store/encoding-limits.js';
import { internal, renameTable } from './commands/registry.js';
import { PROTECTED_MODE_DENIED, refusedByProtectedMode, removePidfile, setProcessTitle, writePidfile } from './server-process.js';
import { FunctionLibraries } from './scripting/functions.js';
import { Replication } from './replication/replication.js';
import { followFromConfig } from './replication/replica-role.js';
import { Backups } from './backup/backups.js';
import { recoverCompaction } from './backup/compaction.js';
import { closeSnapshots } from './replication/snapshot.js';
import { recoverFullSync } from './replication/full-sync-dir.js';

const ENCODING_LIMIT = Buffer.from('encoding-limit');
const log = logger('server');

const FORMAT_VERSION = 1;

export class Server implements ConnectionHost {
  readonly shards: ShardSet;
  readonly clients = new Map<number, Connection>();
  readonly coord: Coordinator;
  /** Clients blocked on keys (BLPOP...). */
  readonly blocking: Blocking;
  readonly router: Router;
  readonly execution: Execution;
  readonly slowRouting: SlowRouting;
  /** MULTI/EXEC/WATCH (lib/transaction.ts). */
  readonly transactions: Transactions;
  /** ACL users, ACL LOG and the permission checks (lib/acl/). */
  readonly acl: AccessControl;
  readonly scripting: Scripting;
  readonly functions: FunctionLibraries;
  /** SAVE / BGSAVE / the save schedule (lib/backup/backups.ts). */
  readonly backups: Backups;
  /** Replication: this node's history, stream backlog, role and links (lib/replication/). */
  readonly replication: Replication;
  readonly cmdStats = new CommandStats();
  readonly counters = new ServerCounters();
  /** SLOWLOG, LATENCY and the per-command latency histograms (commandDone: one call per executed command). */
  readonly diagnostics: Diagnostics;
  /** Keyspace hits/misses of slow-pool reads (INFO adds them to the shards'). */
  readonly slowStats: ShardStats;
  /** CLIENT PAUSE, MONITOR, CLIENT TRACKING, CLIENT REPLY (lib/clients/). */
  readonly clientCtl: ClientControl;
  /** Keyspace notifications and modified-key reports (lib/notifications.ts). */
  readonly keyEvents: KeyEvents;
  /** The slow-command pool (lib/slow/pool.ts), once started. */
  pool: SlowPool | null = null;
  /** client-output-buffer-limit (lib/output-limits.ts). */
  readonly outputLimits: OutputLimits;
  /** Channels, patterns and shard channels, and their subscribers (lib/pubsub.ts). */
  readonly pubsub: PubSub;
  /** Live proto-max-bulk-len / client-query-buffer-limit for every connection's parser. */
  readonly parserLimits: ParserLimits;
  readonly databases: number;
  /**
   * The stamp of a replica's full sync whose swap this start finished (the process died after
   * its data set was complete: lib/replication/full-load.ts), else null.
   */
  fullSyncStamp: string | null = null;
  /** The Prometheus endpoint (metrics-port; lib/metrics/). */
  readonly metrics = new MetricsEndpoint(this);
  port = 0;
  private listeners: net.Server[] = [];
  private nextClientId = 1;
  private dirty = new Set<Connection>();
  private spareDirty = new Set<Connection>();
  private flushScheduled = false;
  private timers: NodeJS.Timeout[] = [];
  private shuttingDown = false;
  private pidFile: string;

  constructor(readonly config: Config) {
    this.parserLimits = { maxBulkLen: config.num('proto-max-bulk-len'), maxQueryBuf: config.num('client-query-buffer-limit') };
    this.databases = config.num('databases');
    this.outputLimits = new OutputLimits(config.str('client-output-buffer-limit'));
    this.pubsub = new PubSub(this.outputLimits.afterDelivery);
    this.shards = new ShardSet(config.num('shards'), this.databases);
    this.shards.scheduleFlush = () => this.scheduleFlush();
    this.diagnostics = new Diagnostics(config);
    this.coord = new Coordinator(this.shards, this.diagnostics);
    this.acl = new AccessControl(this);
    this.router = new Router(this);
    this.execution = new Execution(this);
    this.slowRouting = new SlowRouting(this);
    this.transactions = new Transactions(this);
    this.scripting = new Scripting(this);
    this.functions = new FunctionLibraries(this);
    this.backups = new Backups(this);
    this.replication = new Replication(this);
    this.blocking = new Blocking((conn, args) => this.router.execute(conn, args), this.databases);
    this.slowStats = new ShardStats(this.databases);
    this.keyEvents = new KeyEvents(config);
    this.keyEvents.publisher = this.pubsub;
    this.clientCtl = new ClientControl(this);
    this.clientCtl.steps = this.router;
    this.pidFile = join(config.str('dir'), 'respdb.pid');
  }

  /** Clients waiting in a blocking command or held by CLIENT PAUSE (INFO clients). */
  get blockedClients(): number {
    return this.blocking.count + this.clientCtl.pause.count;
  }

  /**
   * lmdb-writemap: a writable map makes commits cheaper (no copy of each dirty page through
   * write(2): measured SET -P 1 +30%, MSET -P 16 +25% under everysec), but flushing it is an msync
   * that write-protects the pages again, so every later first write to a page faults: under
   * appendfsync always SET -P 1 fell from ~23k to ~5k ops/s. auto picks by the policy at startup.
   */
  private useWritemap(): boolean {
    const v = this.config.str('lmdb-writemap');
    return v === 'auto' ? this.config.str('appendfsync') !== 'always' : v === 'yes';
  }

  /** Opens the data directory, starts the shards and the slow pool, and listens. */
  async start(): Promise<void> {
    // the users of the config (user lines, aclfile, userpass) before anything opens
    await loadStartupUsers(this);
    // the thresholds of the config file and command line, for this thread (the shards get a copy)
    for (const name of Object.keys(ENCODING_LIMIT_OF)) setEncodingLimit(name, this.config.num(name));
    const dir = this.config.str('dir');
    mkdirSync(dir, { recursive: true });
    this.lockDir(dir);
    this.checkLayout(dir);
    recoverCompaction(dir, this.shards.count);
    this.fullSyncStamp = recoverFullSync(dir, this.shards.count);
    this.replication.open();
    const settings = {
      appendfsync: this.config.str('appendfsync'),
      writemap: this.useWritemap(),
      binlogMaxBytes: Math.max(1, Math.floor(this.config.num('binlog-max-size') / this.shards.count)),
      diskFreeReserve: this.config.num('disk-free-reserve'),
      hz: this.config.num('hz'),
      loglevel: this.config.str('loglevel'),
      scriptSab: this.scripting.board.sab,
      encoding: { ...encodingLimits },
      renames: renameTable(),
    };
    await this.shards.start(dir, settings, (i) => this.diagnostics.shardSab(i), {
      onReplies: () => this.flushClients(),
      onFatal: (msg) => this.fatal(msg),
      // a client's command whose duration the shard sent back (at or above a threshold)
      onTimed: (target, micros, args) => {
        if (target instanceof Slot && target.def !== null) this.diagnostics.shardDone(target.conn, target.def, micros, args);
      },
      onLatency: (event, ms) => this.diagnostics.event(event, ms),
      onKeyEvents: (origin, records) => this.keyEvents.deliver(origin, records),
    });
    this.keyEvents.attach(this.shards);
    const libraries = await this.scripting.prepare(this.shards.links[0].view!);
    this.functions.restore(libraries);
    this.pool = new SlowPool(this.config.num('slow-cmd-thread-pool-size'), Math.floor(this.config.num('slow-cmd-max-memory') / (1 << 20)), {
      dir,
      nshards: this.shards.count,
      databases: this.databases,
      sharedSabs: this.shards.links.map((l) => l.shared.sab),
      seqSab: this.shards.seqSab,
      statsSab: this.slowStats.sab,
    });
    this.slowRouting.pool = this.pool;
    this.slowRouting.setForced(this.config.str('slow-cmd-list'));
    this.watchConfig();
    this.backups.start();
    this.replication.start();
    await this.listen();
    // the replicaof directive: follow that master (once the port is known: REPLCONF listening-port)
    await followFromConfig(this);
    this.counters.startupMemory = memoryFigures().used;
    await this.metrics.start();
    this.timers.push(setInterval(() => this.cron(), 1000));
    log.info({ port: this.port, shards: this.shards.count, dir }, 'ready');
  }

  /** One server per data directory: a second one would break the shard counters and the binlog order. */
  private lockDir(dir: string): void {
    if (existsSync(this.pidFile)) {
      const pid = Number(readFileSync(this.pidFile, 'utf8'));
      let alive = false;
      if (pid && pid !== process.pid) {
        try {
          process.kill(pid, 0);
          // A stale pid file (kill -9) may name a pid that was reused by something else.
          alive = !existsSync(`/proc/${pid}/cmdline`) || /node|respdb/.test(readFileSync(`/proc/${pid}/cmdline`, 'latin1'));
        } catch {
          alive = false;
        }
      }
      if (alive) throw new Error(`data directory ${dir} is in use by process ${pid}`);
      unlinkSync(this.pidFile);
    }
    // Create the pid file with its content in one step (link fails if it exists), so a server
    // starting at the same moment never reads an empty file and takes it for stale.
    const tmp = `${this.pidFile}.${process.pid}`;
    writeFileSync(tmp, String(process.pid));
    try {
      linkSync(tmp, this.pidFile);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EEXIST') throw new Error(`data directory ${dir} is in use (another server is starting)`);
      throw e;
    } finally {
      unlinkSync(tmp);
    }
  }

  /** The shard count is part of the data layout: refuse to start with another. */
  private checkLayout(dir: string): void {
    const file = join(dir, 'respdb.json');
    if (existsSync(file)) {
      const meta = JSON.parse(readFileSync(file, 'utf8')) as { shards: number; databases: number; format: number };
      if (meta.shards !== this.shards.count) {
        throw new Error(
          `data directory ${dir} holds ${meta.shards} shard(s) but the server was started with --shards ${this.shards.count}; ` +
            `start with --shards ${meta.shards} or use another directory`,
        );
      }
      if (meta.databases > this.databases) {
        throw new Error(`data directory ${dir} was created with ${meta.databases} databases; start with --databases ${meta.databases} or more`);
      }
      return;
    }
    writeFileSync(file, JSON.stringify({ format: FORMAT_VERSION, shards: this.shards.count, databases: this.databases }) + '\n');
  }

  private watchConfig(): void {
    // The shards enforce proto-max-bulk-len on strings they build (APPEND, SETRANGE).
    this.shards.control({ t: 'config', name: 'proto-max-bulk-len', value: this.config.num('proto-max-bulk-len') });
    this.config.on('change', (name: string, value: unknown) => {
      if (name === 'client-query-buffer-limit') this.parserLimits.maxQueryBuf = Number(value);
      if (name === 'proto-max-bulk-len') {
        this.parserLimits.maxBulkLen = Number(value);
        this.shards.control({ t: 'config', name, value: Number(value) });
      } else if (name === 'hz' || name === 'disk-free-reserve') {
        this.shards.control({ t: 'config', name, value: Number(value) });
      } else if (name === 'requirepass') {
        this.acl.users.setRequirePass(String(value));
      } else if (name === 'appendfsync' || name === 'loglevel') {
        this.shards.control({ t: 'config', name, value: String(value) });
      } else if (name === 'client-output-buffer-limit') {
        this.outputLimits.set(String(value));
      } else if (name === 'slow-cmd-list') {
        this.slowRouting.setForced(String(value));
      } else if (name === 'busy-reply-threshold') {
        this.scripting.board.thresholdMs = Number(value);
      } else if (setEncodingLimit(name, Number(value))) {
        // through the request streams: in order with the commands sent before and after it
        void this.shards.broadcast(internal('encoding-limit'), 0, 2, [ENCODING_LIMIT, Buffer.from(name), Buffer.from(String(value))]);
      } else if (name === 'binlog-max-size') {
        const per = Math.max(1, Math.floor(Number(value) / this.shards.count));
        this.shards.control({ t: 'config', name, value: per });
      }
    });
  }

  private async listen(): Promise<void> {
    const port = this.config.num('port');
    const binds = this.config.str('bind').split(/\s+/).filter(Boolean);
    let actual = port;
    let bound = 0;
    for (const b of binds) {
      const optional = b.startsWith('-');
      const host = optional ? b.slice(1) : b;
      // allowHalfOpen: a client that sends its commands and then shuts down its side (printf | nc)
      // still gets every reply; the connection closes once they are written (lib/connection.ts).
      // pauseOnConnect: the accepted socket never reads; lib/socket-input.ts adopts its handle.
      const srv = net.createServer({ noDelay: true, allowHalfOpen: true, pauseOnConnect: true }, (s) => this.accept(s));
      try {
        await new Promise<void>((resolve, reject) => {
          srv.once('error', reject);
          srv.listen({ port: actual, host, backlog: this.config.num('tcp-backlog') }, () => {
            srv.off('error', reject);
            resolve();
          });
        });
      } catch (e) {
        // Like Redis, an unavailable IPv6 address (e.g. ::1 without IPv6) is not fatal.
        const code = (e as NodeJS.ErrnoException).code;
        if (optional || (host.includes(':') && (code === 'EADDRNOTAVAIL' || code === 'EAFNOSUPPORT'))) {
          log.warn({ host, code }, 'could not bind, skipped');
          continue;
        }
        throw e;
      }
      srv.on('error', (err) => log.error({ err }, 'listener error'));
      if (actual === 0) actual = (srv.address() as net.AddressInfo).port;
      this.listeners.push(srv);
      bound++;
    }
    if (bound === 0) throw new Error(`could not bind any address of '${binds.join(' ')}'`);
    this.port = actual;
    writePidfile(this.config);
    setProcessTitle(this.config, this.port);
  }

  private accept(accepted: net.Socket): void {
    if (this.shuttingDown) {
      accepted.destroy();
      return;
    }
    if (this.clients.size >= this.config.num('maxclients')) {
      this.counters.rejectedConnections++;
      accepted.write('-' + E.maxClients + '\r\n');
      accepted.destroySoon();
      return;
    }
    if (refusedByProtectedMode(this.config, this.acl.users.defaultUser, accepted.remoteAddress)) {
      this.counters.rejectedConnections++;
      accepted.write('-' + PROTECTED_MODE_DENIED + '\r\n');
      accepted.destroySoon();
      return;
    }
    this.counters.totalConnections++;
    let conn: Connection | null = null;
    const socket = adoptSocket(accepted, (chunk) => conn!.input(chunk));
    const ka = this.config.num('tcp-keepalive');
    if (ka > 0) socket.setKeepAlive(true, ka * 1000);
    socket.setNoDelay(true);
    conn = new Connection(this.nextClientId++, socket, this, this.acl.users.defaultUser, !this.acl.users.authRequired());
    this.clients.set(conn.id, conn);
  }


  dispatch(conn: Connection, args: Buffer[]): void {
    this.router.dispatch(conn, args);
  }

  closed(conn: Connection): void {
    this.blocking.cancel(conn);
    this.clientCtl.closed(conn);
    if (conn.subscriptions !== null) this.pubsub.dropAll(conn);
    if (conn.multi !== null || conn.watchShards !== null) this.transactions.abort(conn);
    this.clients.delete(conn.id);
    this.dirty.delete(conn);
    this.spareDirty.delete(conn);
    conn.dirty = false;
  }

  protocolError(conn: Connection, msg: string): void {
    log.debug({ client: conn.addr, msg }, 'protocol error');
    conn.reply(errBuf(msg), true);
  }

  markDirty(conn: Connection): void {
    if (conn.dirty) return;
    conn.dirty = true;
    this.dirty.add(conn);
    this.scheduleFlush();
  }

  scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(this.flushTurn);
  }

  /** End of an event-loop turn: batches go to the shards, replies to the sockets. */
  private readonly flushTurn = (): void => {
    this.flushScheduled = false;
    this.shards.flush();
    this.flushClients();
  };

  flushClients(): void {
    if (this.dirty.size === 0) return;
    // A connection marked again while flushing goes into the other set (and a new turn's flush).
    const d = this.dirty;
    this.dirty = this.spareDirty;
    this.spareDirty = d;
    for (const c of d) {
      c.dirty = false;
      c.flush();
    }
    d.clear();
  }

  /** Query buffer limit: the parser found the command being received too big; drop the client. */
  queryBufferExceeded(conn: Connection, size: number): void {
    log.warn({ client: conn.addr, size }, 'closing client that reached max query buffer length');
    conn.kill();
  }

  private cron(): void {
    this.counters.sample();
    const timeout = this.config.num('timeout');
    if (timeout > 0) {
      const limit = Date.now() - timeout * 1000;
      for (const c of this.clients.values()) {
        // subscribers wait for messages and replicas read the stream: timeout never closes them (as in Redis)
        if (c.lastInteraction < limit && c.queue.length === 0 && c.subscribed === 0 && !c.replica) {
          log.debug({ client: c.addr }, 'closing idle client');
          c.kill();
        }
      }
    }
  }

  errorReply(data: Buffer): void {
    this.counters.errorReply(data);
  }

  failedCall(def: CommandDef): void {
    this.cmdStats.failed(def);
  }

  /** CONFIG RESETSTAT: command statistics and the server's counters. */
  resetStats(): void {
    this.cmdStats.reset();
    this.counters.reset();
    for (const st of [...this.shards.links.map((l) => l.stats), this.shards.directStats, this.slowStats]) {
      st.reset(STAT.keyspaceHits);
      st.reset(STAT.keyspaceMisses);
      st.reset(STAT.expiredKeys);
      st.resetUsec();
    }
    this.diagnostics.resetStats();
  }

  private fatal(msg: string): void {
    log.fatal({ msg }, 'fatal error, shutting down');
    void this.shutdown().finally(() => process.exit(1));
  }

  /**
   * Graceful stop: no new connections, in-flight batches finish and their replies are written,
   * then every shard syncs and closes its environment.
   */
  async shutdown(): Promise<void> {
    if (this.shuttingDown) return;
    this.shuttingDown = true;
    log.info('shutting down');
    for (const l of this.listeners) l.close();
    for (const t of this.timers) clearInterval(t);
    await this.metrics.close();
    // a running script stops at its next hook (its writes abandoned with its transaction)
    this.scripting.board.stopAll();
    // the master's stream stops here: what was handed to the shards commits below
    await this.replication.replica?.stop();
    this.shards.flush();
    const deadline = Date.now() + 10_000;
    while (this.shards.pending() > 0 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 5));
    }
    this.flushClients();
    for (const c of this.clients.values()) c.socket.end();
    await this.replication.shutdown();
    await this.backups.close();
    await closeSnapshots(this);
    await this.pool?.close();
    await this.scripting.crossShard.close();
    await this.shards.close();
    try {
      unlinkSync(this.pidFile);
    } catch {
      /* already gone */
    }
    removePidfile(this.config);
    log.info('bye');
    flushLogs();
  }
}
