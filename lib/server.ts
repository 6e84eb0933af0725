// The main thread: accepts connections, parses requests, looks commands up in the table, routes
// them to shards (batched per event-loop turn) or runs them here, and writes replies in order.

import net from 'node:net';
import { existsSync, mkdirSync, readFileSync, writeFileSync, unlinkSync, linkSync } from 'node:fs';
import { join } from 'node:path';
import { Connection, Slot, type ConnectionHost } from './connection.js';
import type { ParserLimits } from './resp/parser.js';
import { RespWriter } from './resp/writer.js';
import { lookup, keyIndexes } from './commands/registry.js';
import type { CommandDef, MainHandler, ShardExec } from './commands/types.js';
import { ShardStore } from './store/shard-store.js';
import { ShardShared } from './store/shared-state.js';
import { E, errBuf, unknownCommand, unknownSubcommand, wrongArgs } from './errors.js';
import { ShardHandle, type ReplyTarget } from './shard/handle.js';
import { ShardStats, STAT } from './shard/stats.js';
import { BinlogRing } from './binlog-ring.js';
import { shardOf } from './slot.js';
import { Coordinator } from './coordinator.js';
import { Blocking } from './blocking.js';
import type { Config } from './config.js';
import type { MainContext } from './main-context.js';
import { logger, flushLogs } from './log.js';
import { CommandStats } from './command-stats.js';
import { Diagnostics } from './latency.js';
import { TRACK_COMMAND } from './shard/protocol.js';
import { SlowPool, decodeWrite, workEstimate, type SlowCoordinated, type SlowPart } from './slow-pool.js';
import { ALL, internal } from './commands/registry.js';
import { sortScope } from './commands/sort.js';

const log = logger('server');

const BINLOG_RING_BYTES = 8 << 20;
/** Work (members a call reads) from which a `slow` command goes to the slow pool. */
const SLOW_WORK = 1000;
const FENCE_ARGS = [Buffer.from('fence')];
/** *STORE commands computed on the slow pool and applied if their inputs did not change. */
const SLOW_STORES = new Set(['sunionstore', 'sinterstore', 'sdiffstore', 'zunionstore', 'zinterstore', 'zdiffstore', 'zrangestore']);
/** Attempts of an optimistic *STORE before it runs the classic way (under the shards' locks). */
const STORE_ATTEMPTS = 3;
const FORMAT_VERSION = 1;

export class Server implements ConnectionHost {
  readonly shards: ShardHandle[] = [];
  readonly stats: ShardStats[] = [];
  readonly binlogRings: BinlogRing[] = [];
  readonly clients = new Map<number, Connection>();
  readonly coord: Coordinator;
  /** Clients blocked on keys (BLPOP...). */
  readonly blocking: Blocking;
  readonly cmdStats = new CommandStats();
  /** SLOWLOG, LATENCY and the per-command latency histograms (commandDone: one call per executed command). */
  readonly diagnostics: Diagnostics;
  readonly startedAt = Date.now();
  readonly seqSab = new SharedArrayBuffer(8);
  private listeners: net.Server[] = [];
  private nextClientId = 1;
  private dirty = new Set<Connection>();
  private flushScheduled = false;
  private timers: NodeJS.Timeout[] = [];
  private shuttingDown = false;
  port = 0;
  nshards: number;
  databases: number;
  totalConnections = 0;
  totalCommands = 0;
  rejectedConnections = 0;
  lastSave = Math.floor(Date.now() / 1000);
  /** Clients waiting in a blocking command (INFO clients). */
  get blockedClients(): number {
    return this.blocking.count;
  }
  /** INFO stats: commands per second over the last cron second, peak used_memory, error replies. */
  opsPerSec = 0;
  private opsSample = { at: Date.now(), count: 0 };
  peakMemory = 0;
  totalErrorReplies = 0;
  /** Error replies by their first word (INFO errorstats), at most 128 kinds like Redis. */
  readonly errorStats = new Map<string, number>();
  private pidFile: string;
  /** Per shard: the state the main thread shares with it, and a read-only view of its data. */
  readonly shared: ShardShared[] = [];
  readonly views: ShardStore[] = [];
  /** Keyspace hits/misses of direct reads (INFO adds them to the shards'). */
  readonly directStats: ShardStats;
  /** Keyspace hits/misses of slow-pool reads. */
  readonly slowStats: ShardStats;
  /** The slow-command pool (lib/slow-pool.ts), once started. */
  slow: SlowPool | null = null;
  /** slow-cmd-list: commands always sent to the pool (lower-case names). */
  private slowForced = new Set<string>();
  /** Per shard: multi-shard operations in flight (direct reads wait while > 0). */
  readonly barrier: number[] = [];
  /** Per shard: replies delivered since the main thread's snapshot was taken. */
  readonly stale: boolean[] = [];
  private readonly directExec: ShardExec;
  /** Live proto-max-bulk-len / client-query-buffer-limit for every connection's parser. */
  readonly parserLimits: ParserLimits;

  constructor(readonly config: Config) {
    this.parserLimits = { maxBulkLen: config.num('proto-max-bulk-len'), maxQueryBuf: config.num('client-query-buffer-limit') };
    this.nshards = config.num('shards');
    this.databases = config.num('databases');
    this.coord = new Coordinator(this);
    this.diagnostics = new Diagnostics(config);
    this.blocking = new Blocking((conn, args) => this.execute(conn, args));
    this.directStats = new ShardStats(this.databases);
    this.slowStats = new ShardStats(this.databases);
    this.directExec = {
      store: null as unknown as ShardStore,
      db: 0,
      out: null as unknown as RespWriter,
      now: 0,
      binlog() {
        throw new Error('a direct read cannot write');
      },
    };
    this.pidFile = join(config.str('dir'), 'respdb.pid');
  }

  /** Opens the data directory, starts the shards, and listens. */
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

  async start(): Promise<void> {
    const dir = this.config.str('dir');
    mkdirSync(dir, { recursive: true });
    this.lockDir(dir);
    this.checkLayout(dir);
    const init = {
      dir,
      databases: this.databases,
      seqSab: this.seqSab,
      appendfsync: this.config.str('appendfsync'),
      writemap: this.useWritemap(),
      binlogMaxBytes: Math.max(1, Math.floor(this.config.num('binlog-max-size') / this.nshards)),
      hz: this.config.num('hz'),
      loglevel: this.config.str('loglevel'),
    };
    for (let i = 0; i < this.nshards; i++) {
      const stats = new ShardStats(this.databases);
      const ring = new BinlogRing(BINLOG_RING_BYTES);
      const shared = new ShardShared();
      const h = new ShardHandle(i, { ...init, statsSab: stats.sab, binlogSab: ring.sab, sharedSab: shared.sab, diagSab: this.diagnostics.shardSab(i) });
      this.shared.push(shared);
      this.barrier.push(0);
      this.stale.push(false);
      h.onReplies = () => {
        // Something committed on this shard may now be acknowledged: direct reads must see it.
        this.stale[i] = true;
        this.flushClients();
      };
      h.onFatal = (msg) => this.fatal(msg);
      // a client's command whose duration the shard sent back (at or above a threshold)
      h.onTimed = (target, micros, args) => {
        if (target instanceof Slot && target.def !== null) this.diagnostics.shardDone(target.conn, target.def, micros, args);
      };
      h.onLatency = (event, ms) => this.diagnostics.event(event, ms);
      this.shards.push(h);
      this.stats.push(stats);
      this.binlogRings.push(ring);
    }
    // The shards open concurrently; the global binlog sequence continues after the highest one.
    const last = await Promise.all(this.shards.map((s) => s.ready));
    new BigInt64Array(this.seqSab)[0] = BigInt(Math.max(0, ...last) + 1);
    // Read-only views of the shards' environments for direct reads (opened once the shards
    // have created them).
    for (let i = 0; i < this.nshards; i++) {
      this.views.push(
        new ShardStore({
          index: i,
          dir,
          databases: this.databases,
          seq: new BigInt64Array(this.seqSab),
          stats: this.directStats,
          binlogRing: null,
          binlogMaxBytes: 0,
          shared: this.shared[i],
          view: true,
        }),
      );
    }
    this.directExec.store = this.views[0];
    this.slow = new SlowPool(this.config.num('slow-cmd-thread-pool-size'), Math.floor(this.config.num('slow-cmd-max-memory') / (1 << 20)), {
      dir,
      nshards: this.nshards,
      databases: this.databases,
      sharedSabs: this.shared.map((sh) => sh.sab),
      seqSab: this.seqSab,
      statsSab: this.slowStats.sab,
    });
    this.setSlowList(this.config.str('slow-cmd-list'));
    this.watchConfig();
    await this.listen();
    this.timers.push(setInterval(() => this.cron(), 1000));
    log.info({ port: this.port, shards: this.nshards, dir }, "ready");
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
      if (meta.shards !== this.nshards) {
        throw new Error(
          `data directory ${dir} holds ${meta.shards} shard(s) but the server was started with --shards ${this.nshards}; ` +
            `start with --shards ${meta.shards} or use another directory`,
        );
      }
      if (meta.databases > this.databases) {
        throw new Error(`data directory ${dir} was created with ${meta.databases} databases; start with --databases ${meta.databases} or more`);
      }
      return;
    }
    writeFileSync(file, JSON.stringify({ format: FORMAT_VERSION, shards: this.nshards, databases: this.databases }) + '\n');
  }

  private watchConfig(): void {
    // The shards enforce proto-max-bulk-len on strings they build (APPEND, SETRANGE).
    for (const s of this.shards) s.control({ t: 'config', name: 'proto-max-bulk-len', value: this.config.num('proto-max-bulk-len') });
    this.config.on('change', (name: string, value: unknown) => {
      if (name === 'client-query-buffer-limit') this.parserLimits.maxQueryBuf = Number(value);
      if (name === 'proto-max-bulk-len') {
        this.parserLimits.maxBulkLen = Number(value);
        for (const s of this.shards) s.control({ t: 'config', name, value: Number(value) });
      } else if (name === 'hz') {
        for (const s of this.shards) s.control({ t: 'config', name, value: Number(value) });
      } else if (name === 'requirepass' && value === '') {
        // Like Redis's nopass default user: nobody needs to authenticate any more.
        for (const c of this.clients.values()) c.authenticated = true;
      } else if (name === 'appendfsync' || name === 'loglevel') {
        for (const s of this.shards) s.control({ t: 'config', name, value: String(value) });
      } else if (name === 'slow-cmd-list') {
        this.setSlowList(String(value));
      } else if (name === 'binlog-max-size') {
        const per = Math.max(1, Math.floor(Number(value) / this.nshards));
        for (const s of this.shards) s.control({ t: 'config', name, value: per });
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
      const srv = net.createServer({ noDelay: true, allowHalfOpen: true }, (s) => this.accept(s));
      try {
        await new Promise<void>((resolve, reject) => {
          srv.once('error', reject);
          srv.listen({ port: actual, host, backlog: 511 }, () => {
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
  }

  private accept(socket: net.Socket): void {
    if (this.shuttingDown) {
      socket.destroy();
      return;
    }
    if (this.clients.size >= this.config.num('maxclients')) {
      this.rejectedConnections++;
      socket.write('-' + E.maxClients + '\r\n');
      socket.destroySoon();
      return;
    }
    this.totalConnections++;
    const ka = this.config.num('tcp-keepalive');
    if (ka > 0) socket.setKeepAlive(true, ka * 1000);
    socket.setNoDelay(true);
    const conn = new Connection(this.nextClientId++, socket, this, this.config.str('requirepass') !== '');
    this.clients.set(conn.id, conn);
  }

  closed(conn: Connection): void {
    this.blocking.cancel(conn);
    this.clients.delete(conn.id);
    this.dirty.delete(conn);
  }

  protocolError(conn: Connection, msg: string): void {
    log.debug({ client: conn.addr, msg }, 'protocol error');
    conn.reply(errBuf(msg), true);
  }

  markDirty(conn: Connection): void {
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
    for (const s of this.shards) s.flush();
    this.flushClients();
  };

  flushClients(): void {
    if (this.dirty.size === 0) return;
    for (const c of this.dirty) c.flush();
    this.dirty.clear();
  }

  /** Query buffer limit: the parser found the command being received too big; drop the client. */
  queryBufferExceeded(conn: Connection, size: number): void {
    log.warn({ client: conn.addr, size }, 'closing client that reached max query buffer length');
    conn.kill();
  }

  dispatch(conn: Connection, args: Buffer[]): void {
    if (conn.closing || conn.closed) return;
    try {
      this.route(conn, args);
      // Somebody waits on keys: a write just routed may have fed them; the retries queue up right
      // behind it (lib/blocking.ts).
      // (Blocking commands wake the keys they write themselves, once their attempt took something.)
      const def = conn.curDef;
      if (this.blocking.active && def !== null && def.flags.includes('write') && !def.flags.includes('blocking')) this.wake(conn, def, args);
    } catch (e) {
      // A bug must cost one reply, not the server.
      log.error({ err: e, client: conn.addr }, 'command dispatch failed');
      conn.reply(errBuf('ERR internal error: ' + (e instanceof Error ? e.message : String(e))));
    }
    conn.curDef = null;
  }

  private route(conn: Connection, args: Buffer[]): void {
    const name = args[0].length < 32 ? args[0].toString('latin1').toLowerCase() : '';
    let def = lookup(name);
    if (!def) {
      if (name === 'post' || name === 'host:') {
        // Like Redis: an HTTP request (cross protocol scripting) drops the client, unanswered.
        log.warn({ client: conn.addr }, 'possible security attack: POST or Host: command, connection aborted');
        conn.kill();
        return;
      }
      conn.reply(errBuf(unknownCommand(args)));
      return;
    }
    // A container without its subcommand fails its own arity check (COMMAND alone is valid).
    if (def.sub && args.length >= 2) {
      const sub = def.sub.get(args[1].toString('latin1').toLowerCase());
      if (!sub) {
        conn.reply(errBuf(unknownSubcommand(args[1], def.name)));
        return;
      }
      def = sub;
    }
    const arity = def.arity;
    if ((arity > 0 && args.length !== arity) || args.length < -arity) {
      this.cmdStats.rejected(def);
      conn.reply(errBuf(wrongArgs(def.name)));
      return;
    }
    if (!conn.authenticated && !def.flags.includes('no_auth')) {
      this.cmdStats.rejected(def);
      conn.reply(errBuf(E.noAuth));
      return;
    }
    conn.lastCmd = def.name;
    conn.curDef = def;
    this.totalCommands++;
    if (def.main) {
      if (this.slow !== null && (def.name === 'sort_ro' || def.name === 'sort') && this.wantsPoolSort(def, args, conn.db)) {
        const all = this.shards.map((sh) => sh.index);
        const scope = sortScope(args, def.name === 'sort_ro');
        if (scope?.store) {
          // SORT ... STORE: optimistic; BY/GET patterns make every key a possible input
          this.storeOptimistic(conn, def, args, [args[1]], all, all, true, scope.otherKeys);
        } else this.runSlowAcross(conn, def, args, all, true);
        this.cmdStats.call(def);
        return;
      }
      this.runMain(conn, def, args, def.main);
      // Counted after running, like Redis (CONFIG RESETSTAT counts itself).
      this.cmdStats.call(def);
      return;
    }
    this.cmdStats.call(def);
    const idx = keyIndexes(def, args);
    if (this.slow !== null && def.slow && SLOW_STORES.has(def.name) && this.wantsPoolStore(def, args, idx, conn.db)) {
      this.runSlowStore(conn, def, args, idx);
      return;
    }
    const first = this.singleShard(args, idx);
    if (first >= 0) {
      if (this.slow !== null && this.wantsPool(def, args, idx, conn.db)) {
        this.runSlow(conn, def, first, args);
        return;
      }
      // Direct read: nothing of this connection is pending (so program order holds) and no
      // multi-shard operation is in flight on the shard (so nobody can see half of one).
      if (def.direct && conn.queue.length === 0 && this.barrier[first] === 0) {
        this.readDirect(conn, def, first, args);
        return;
      }
      this.shards[first].send(def.index!, conn.db, conn.proto, args, conn.slot(), TRACK_COMMAND);
      this.scheduleFlush();
      return;
    }
    if (def.scatter) {
      this.coord.scatter(conn, def, args, idx);
      return;
    }
    if (def.coordinated) {
      if (this.slow !== null && this.wantsPoolAcross(def, args, idx, conn.db)) {
        this.runSlowAcross(conn, def, args, idx);
        return;
      }
      this.runMain(conn, def, args, def.coordinated);
      return;
    }
    throw new Error(`command ${def.name} spans shards and has no cross-shard strategy`);
  }

  private setSlowList(v: string): void {
    this.slowForced = new Set(
      v
        .split(',')
        .map((n) => n.trim().toLowerCase())
        .filter(Boolean),
    );
  }

  /**
   * Whether a single-shard command runs on the slow pool: read-only commands with a shard handler
   * named in slow-cmd-list always; those the table marks `slow` when the work this call implies
   * (members of the collections it reads, bounded by its range or COUNT) is big enough.
   */
  private wantsPool(def: CommandDef, args: Buffer[], idx: readonly number[], db: number): boolean {
    // every single-shard command asks: the common answer (not slow, nothing forced) comes first
    const forced = this.slowForced.size !== 0 && this.slowForced.has(def.name);
    if (!forced && !def.slow) return false;
    if (def.flags.includes('write') || def.internal || def.flags.includes('blocking')) return false;
    if (forced) return true;
    return idx.length !== 0 && workEstimate(def.name, args, this.membersOf(args, idx, db)) >= SLOW_WORK;
  }

  /**
   * Members of the collections at args[idx] (1 per string), skipping index `skip`, from the main
   * thread's views of the shards: one record lookup each, on a snapshot that may be a little old
   * (an estimate of a call's work).
   */
  private membersOf(args: Buffer[], idx: readonly number[], db: number, skip = -1): number {
    const now = Date.now();
    let members = 0;
    for (const i of idx) {
      if (i === skip) continue;
      members += this.views[this.shardOf(args[i])].peekCount(db, args[i], now);
    }
    return members;
  }

  /**
   * Runs a pool task over one consistent cut of `shards`: once a pool thread is free (reserved, so
   * no shard waits for a busy pool), the shards are held (Coordinator.locked, at this point of the
   * global order) just until the task has pinned its snapshots. The caller holds the connection.
   */
  private onCut(shards: number[], parts: SlowPart[], job?: SlowCoordinated, concat = false): Promise<{ replies: Buffer[]; micros: number }> {
    const pool = this.slow!;
    return pool.acquire().then(() => {
      let result: Promise<{ replies: Buffer[]; micros: number }> | null = null;
      return this.coord
        .locked(
          shards,
          () =>
            new Promise<void>((snapped) => {
              result = pool.run(parts, { onSnapshot: snapped, reserved: true, coordinated: job, concat });
              // a failure is answered below, after the unlock: mark it handled meanwhile
              result.catch(() => undefined);
            }),
        )
        .then(() => result!);
    });
  }

  /** A pool task reading one shard, after a fence: it sees everything queued there before it. */
  private fenced(shard: number, db: number, part: SlowPart, onSnapshot?: () => void): Promise<{ replies: Buffer[]; micros: number }> {
    const pool = this.slow!;
    return this.call(shard, internal('fence'), db, 2, FENCE_ARGS).then(() => pool.run([part], { onSnapshot }));
  }

  /**
   * Runs a read-only shard handler on the slow pool. Its reply takes the next position in the
   * connection's order; a fence through the shard's stream first makes every earlier write on
   * that shard (this connection's included) visible to the task's snapshot.
   */
  private runSlow(conn: Connection, def: CommandDef, shard: number, args: Buffer[]): void {
    const slot = conn.slot();
    const part: SlowPart = { shard, cmd: def.index!, db: conn.db, proto: conn.proto, args };
    // The connection's later commands wait until the task has its snapshot: a write pipelined
    // after this read must not be in it.
    conn.hold();
    let held = true;
    const release = (): void => {
      if (held) {
        held = false;
        conn.release();
      }
    };
    this.answerSlow(conn, slot, def, args, this.fenced(shard, conn.db, part, release)).finally(release);
  }

  /**
   * Fills a pool command's reply slot with its first reply, recording the pool's handler time
   * (INFO commandstats, SLOWLOG, LATENCY); a failed task answers an error.
   */
  private answerSlow(conn: Connection, slot: Slot, def: CommandDef, args: Buffer[], task: Promise<{ replies: Buffer[]; micros: number | null }>): Promise<void> {
    return task.then(
      (r) => {
        if (r.micros !== null) {
          this.cmdStats.time(def, r.micros);
          this.diagnostics.commandDone(conn, args, def, r.micros);
        }
        slot.fill(r.replies[0]);
      },
      (e) => slot.fill(errBuf(`ERR slow command failed: ${e instanceof Error ? e.message : String(e)}`)),
    );
  }

  /**
   * SORT and SORT_RO on the pool when the source has at least SLOW_WORK members or the command is
   * in slow-cmd-list: a read, or with STORE an optimistic write (storeOptimistic).
   */
  private wantsPoolSort(def: CommandDef, args: Buffer[], db: number): boolean {
    if (args.length < 2) return false;
    if (this.slowForced.size !== 0 && this.slowForced.has(def.name)) return true;
    return this.membersOf(args, [1], db) >= SLOW_WORK;
  }

  /** wantsPool for a read whose keys span shards (SUNION a b, ZUNION ...): its coordinated handler runs on the pool. */
  private wantsPoolAcross(def: CommandDef, args: Buffer[], idx: readonly number[], db: number): boolean {
    if (def.flags.includes('write') || def.flags.includes('blocking')) return false;
    if (this.slowForced.size !== 0 && this.slowForced.has(def.name)) return true;
    return def.slow === true && this.membersOf(args, idx, db) >= SLOW_WORK;
  }

  /**
   * A read whose keys span shards, on the slow pool: its coordinated handler runs there against
   * one consistent cut of the shards it names (taken as for KEYS: connection held, a pool thread
   * reserved, the shards held until the snapshots are pinned).
   */
  private runSlowAcross(conn: Connection, def: CommandDef, args: Buffer[], idx: readonly number[], allShards = false): void {
    const slot = conn.slot();
    // SORT (`allShards`): its BY/GET patterns may name keys anywhere
    const shards = allShards ? [...idx] : [...new Set(idx.map((i) => this.shardOf(args[i])))];
    const job = { cmd: def.index!, db: conn.db, proto: conn.proto, args, shards, main: allShards };
    conn.hold();
    this.answerSlow(conn, slot, def, args, this.onCut(shards, [], job)).finally(() => conn.release());
  }

  /** Whether a *STORE is computed on the pool: named in slow-cmd-list, or reading at least SLOW_WORK members. */
  private wantsPoolStore(def: CommandDef, args: Buffer[], idx: readonly number[], db: number): boolean {
    if (this.slowForced.size !== 0 && this.slowForced.has(def.name)) return true;
    let members = this.membersOf(args, idx, db, 1); // args[1]: the destination
    // ZRANGESTORE dst src <range>: bounded like ZRANGE src <range>
    if (def.name === 'zrangestore') members = workEstimate('zrange', args.slice(1), members);
    return members >= SLOW_WORK;
  }

  /**
   * One read-only internal command on one shard, on the slow pool when there is one (a SCAN step
   * with a big COUNT): after a fence, so it sees everything queued before it on that shard.
   */
  callSlow(shard: number, def: CommandDef, db: number, proto: 2 | 3, args: Buffer[]): Promise<Buffer> {
    if (this.slow === null) return this.call(shard, def, db, proto, args);
    return this.fenced(shard, db, { shard, cmd: def.index!, db, proto, args }).then((r) => r.replies[0]);
  }

  /**
   * A *STORE without holding its shards for the computation: the pool computes the result from a
   * snapshot (the command's coordinated handler, its write captured instead of made); then, under
   * the shards' locks, the write is applied only if no input key was written since just before the
   * snapshot (the shards' write counters, lib/shard/write-notes.ts), else the whole thing is tried
   * again; after STORE_ATTEMPTS it runs the classic way. The connection's later commands wait.
   */
  private runSlowStore(conn: Connection, def: CommandDef, args: Buffer[], idx: readonly number[]): void {
    const inputs = idx.filter((i) => i !== 1).map((i) => args[i]);
    const shards = [...new Set(idx.map((i) => this.shardOf(args[i])))];
    const inShards = [...new Set(inputs.map((k) => this.shardOf(k)))];
    this.storeOptimistic(conn, def, args, inputs, shards, inShards, false);
  }

  /**
   * The optimistic *STORE (runSlowStore) for the given input keys. `main`: the command's main
   * handler computes (SORT ... STORE). `anyKey`: the computation may read keys nobody can name in
   * advance (SORT's BY/GET patterns), so any write on any shard invalidates it (ShardShared's
   * all-writes counter) — sound, and the classic path under a steady write load.
   */
  private storeOptimistic(
    conn: Connection, def: CommandDef, args: Buffer[], inputs: Buffer[], shards: number[], inShards: number[], main: boolean, anyKey = false,
  ): void {
    const slot = conn.slot();
    const pool = this.slow!;
    const db = conn.db;
    const proto = conn.proto;
    const job = { cmd: def.index!, db, proto, args, shards: inShards, capture: true, main };
    conn.hold();
    const attempt = async (): Promise<{ replies: Buffer[]; micros: number } | null> => {
      for (const s of shards) Atomics.add(this.shared[s].control, 0, 1);
      try {
        const before = inputs.map((k) => this.shared[this.shardOf(k)].version(k));
        const beforeAll = anyKey ? shards.map((s) => this.shared[s].allWrites()) : [];
        await pool.acquire();
        const r = await pool.run([], { reserved: true, coordinated: job });
        return await this.coord.locked(shards, async (tx) => {
          for (let i = 0; i < inputs.length; i++) {
            const [w, e] = this.shared[this.shardOf(inputs[i])].version(inputs[i]);
            if (w !== before[i][0] || e !== before[i][1]) return null;
          }
          for (let i = 0; i < beforeAll.length; i++) if (this.shared[shards[i]].allWrites() !== beforeAll[i]) return null;
          for (const b of r.replies.slice(1)) {
            const w = decodeWrite(b);
            await tx.exec(w.shard, ALL[w.cmd], w.db, w.args);
          }
          return r;
        });
      } finally {
        for (const s of shards) Atomics.sub(this.shared[s].control, 0, 1);
      }
    };
    const run = async (): Promise<{ replies: Buffer[]; micros: number | null }> => {
      for (let n = 0; n < STORE_ATTEMPTS; n++) {
        const r = await attempt();
        if (r !== null) return r;
        this.slowStoreRetries++;
      }
      // inputs that keep changing: compute under the locks, as without a pool
      return { replies: [await this.execute(conn, args)], micros: null };
    };
    this.answerSlow(conn, slot, def, args, run()).finally(() => conn.release());
  }

  /** *STORE attempts computed on the pool whose inputs changed before they could be applied (INFO). */
  slowStoreRetries = 0;

  /**
   * Runs a read-only internal command on every shard's data from one consistent cut, on the slow
   * pool (KEYS). The connection's later commands wait; once a pool thread is free the shards are
   * held (Coordinator.locked) just until the task has taken its snapshots, so the cut sits at one
   * point of the global order, after everything this connection sent before. Without a pool, a
   * broadcast.
   */
  broadcastSlow(conn: Connection, def: CommandDef, db: number, proto: 2 | 3, args: Buffer[]): Promise<Buffer[]> {
    return this.cutSlow(conn, def, db, proto, args, false);
  }

  /**
   * broadcastSlow for an internal command answering an array on every shard: one array of all
   * their elements, assembled on the pool thread (KEYS of millions of keys costs the main thread a
   * copy, not a decode and re-encode of every key).
   */
  gatherSlow(conn: Connection, def: CommandDef, db: number, args: Buffer[]): Promise<Buffer> {
    return this.cutSlow(conn, def, db, 2, args, true).then((r) => r[0]);
  }

  private cutSlow(conn: Connection, def: CommandDef, db: number, proto: 2 | 3, args: Buffer[], concat: boolean): Promise<Buffer[]> {
    const parts: SlowPart[] = this.shards.map((s) => ({ shard: s.index, cmd: def.index!, db, proto, args }));
    conn.hold();
    return this.onCut(
      this.shards.map((s) => s.index),
      parts,
      undefined,
      concat,
    ).then(
        (r) => {
          conn.release();
          return r.replies;
        },
        (e) => {
          conn.release();
          throw e;
        },
      );
  }

  /** Retries the waiters of the keys a write command touches (see lib/blocking.ts). */
  private wake(conn: Connection, def: CommandDef, args: Buffer[]): void {
    const b = this.blocking;
    if (def.name === 'swapdb' || def.name === 'flushall' || def.name === 'flushdb') {
      // SWAPDB brings a whole other database in; the flushes only remove
      if (def.name === 'swapdb') for (let db = 0; db < this.databases; db++) b.notifyDb(db);
      return;
    }
    let db = conn.db;
    // MOVE key db / COPY src dst DB n write into another database
    if (def.name === 'move' && args.length === 3) db = Number(args[2].toString('latin1'));
    if (def.name === 'copy') {
      for (let i = 3; i + 1 < args.length; i++) {
        if (args[i].toString('latin1').toLowerCase() === 'db') db = Number(args[i + 1].toString('latin1'));
      }
    }
    for (const i of keyIndexes(def, args)) {
      if (i < args.length) b.notify(Number.isInteger(db) ? db : conn.db, args[i]);
    }
  }

  /**
   * Runs a client-visible command for `conn` outside its reply order and resolves with the reply
   * (the attempts of blocked clients). Queued now, in order with everything else: on the key's
   * shard, or through the command's cross-shard strategy.
   */
  execute(conn: Connection, args: Buffer[]): Promise<Buffer> {
    const def = lookup(args[0].toString('latin1').toLowerCase());
    if (!def || !def.shard) return Promise.reject(new Error(`cannot execute ${args[0].toString('latin1')}`));
    const idx = keyIndexes(def, args);
    const first = this.singleShard(args, idx);
    if (first >= 0 || !def.coordinated) return this.call(Math.max(0, first), def, conn.db, conn.proto, args);
    const out = new RespWriter(256);
    out.proto = conn.proto;
    const ctx: MainContext = { server: this, conn, def, out, closeAfter: false };
    try {
      return Promise.resolve(def.coordinated(ctx, args)).then(
        () => out.take(),
        (e) => {
          out.reset();
          out.error(errText(e));
          return out.take();
        },
      );
    } catch (e) {
      out.reset();
      out.error(errText(e));
      return Promise.resolve(out.take());
    }
  }

  /** Runs a main-thread handler; its reply takes the next position in the connection's order. */
  runMain(conn: Connection, def: CommandDef, args: Buffer[], handler: MainHandler): void {
    const slot = conn.slot();
    const out = new RespWriter(256);
    out.proto = conn.proto;
    const ctx: MainContext = { server: this, conn, def, out, closeAfter: false };
    let r: void | Promise<void>;
    const t0 = performance.now();
    try {
      r = handler(ctx, args);
    } catch (e) {
      out.reset();
      out.error(errText(e));
      r = undefined;
    }
    // Time on this thread (an async handler's waits for shards are not execution time).
    const us = (performance.now() - t0) * 1000;
    this.cmdStats.time(def, us);
    if (r && typeof (r as Promise<void>).then === 'function') {
      (r as Promise<void>).then(
        () => {
          this.asyncDone(conn, args, def, t0, us, out);
          slot.closeAfter = ctx.closeAfter;
          if (ctx.closeAfter) conn.parser.stop();
          slot.fill(out.take());
        },
        (e) => {
          this.asyncDone(conn, args, def, t0, us, out);
          out.reset();
          out.error(errText(e));
          slot.fill(out.take());
        },
      );
      return;
    }
    this.diagnostics.commandDone(conn, args, def, us);
    slot.closeAfter = ctx.closeAfter;
    // QUIT: commands pipelined after it are not executed (Redis stops reading the client)
    if (ctx.closeAfter) conn.parser.stop();
    slot.fill(out.take());
  }

  /**
   * SLOWLOG/LATENCY duration of an asynchronous main-thread command: from its start to its reply
   * (coordinated commands, DEBUG SLEEP). A blocking command counts only its synchronous part
   * (`syncUs`), never its wait, and not at all when it timed out (a null reply), as in Redis.
   */
  private asyncDone(conn: Connection, args: Buffer[], def: CommandDef, t0: number, syncUs: number, out: RespWriter): void {
    if (!def.flags.includes('blocking')) return this.diagnostics.commandDone(conn, args, def, (performance.now() - t0) * 1000);
    const b = out.buf;
    const timedOut = out.pos > 1 && (b[0] === 95 /* _ */ || ((b[0] === 42 /* * */ || b[0] === 36) /* $ */ && b[1] === 45)) /* -1 */;
    if (!timedOut) this.diagnostics.commandDone(conn, args, def, syncUs);
  }

  /** The shard owning every key at `idx` (shard 0 for none), or -1 when they span shards. */
  private singleShard(args: Buffer[], idx: readonly number[]): number {
    if (idx.length === 0) return 0;
    const n = this.nshards;
    const first = shardOf(args[idx[0]], n);
    for (let i = 1; i < idx.length; i++) if (shardOf(args[idx[i]], n) !== first) return -1;
    return first;
  }

  /** The shard that owns a key. */
  shardOf(key: Buffer): number {
    return shardOf(key, this.nshards);
  }

  /**
   * Sends an (internal) command to every shard at this point of the global order and resolves
   * with their replies (copies), shard by shard.
   */
  broadcast(def: CommandDef, db: number, proto: number, args: Buffer[]): Promise<Buffer[]> {
    return Promise.all(this.shards.map((s) => this.call(s.index, def, db, proto, args)));
  }

  /** Sends one command to one shard (queued in order with everything else). */
  call(shard: number, def: CommandDef, db: number, proto: number, args: Buffer[]): Promise<Buffer> {
    return new Promise((resolve) => {
      this.barrier[shard]++;
      const target: ReplyTarget = {
        onReply: (r) => {
          this.barrier[shard]--;
          resolve(Buffer.from(r));
        },
      };
      this.shards[shard].send(def.index!, db, proto, args, target);
      this.scheduleFlush();
    });
  }

  /**
   * Runs a read-only command on the main thread against the shard's LMDB snapshot: no thread
   * hop. The snapshot is renewed when the shard has delivered replies since the last direct read,
   * so every acknowledged write is visible.
   */
  private readDirect(conn: Connection, def: CommandDef, shard: number, args: Buffer[]): void {
    const view = this.views[shard];
    if (this.stale[shard]) {
      this.stale[shard] = false;
      view.env.resetReadTxn();
    }
    // Nothing is pending on this connection, so the reply is encoded straight into its output.
    const w = conn.ow;
    const start = w.pos;
    w.proto = conn.proto;
    const x = this.directExec;
    x.out = w;
    x.store = view;
    x.db = conn.db;
    x.now = Date.now();
    view.countHits = true;
    const t0 = performance.now();
    try {
      def.shard!(x, args);
    } catch (e) {
      w.pos = start;
      w.error(errText(e));
    }
    const us = (performance.now() - t0) * 1000;
    this.cmdStats.time(def, us);
    this.diagnostics.commandDone(conn, args, def, us);
    if (w.buf[start] === 45 /* - */) {
      const err = w.buf.subarray(start, w.pos);
      this.errorReply(err);
      this.failedCall(def);
    }
    this.markDirty(conn);
  }


  private cron(): void {
    const now = Date.now();
    const dt = now - this.opsSample.at;
    if (dt > 0) this.opsPerSec = Math.max(0, Math.round(((this.totalCommands - this.opsSample.count) * 1000) / dt));
    this.opsSample = { at: now, count: this.totalCommands };
    const m = process.memoryUsage();
    this.peakMemory = Math.max(this.peakMemory, m.heapUsed + m.external);
    const timeout = this.config.num('timeout');
    if (timeout > 0) {
      const limit = Date.now() - timeout * 1000;
      for (const c of this.clients.values()) {
        if (c.lastInteraction < limit && c.queue.length === 0) {
          log.debug({ client: c.addr }, 'closing idle client');
          c.kill();
        }
      }
    }
  }

  errorReply(data: Buffer): void {
    this.totalErrorReplies++;
    let end = 1;
    while (end < data.length && end < 64 && data[end] !== 32 && data[end] !== 13) end++;
    const kind = data.toString('latin1', 1, end);
    const n = this.errorStats.get(kind);
    if (n !== undefined) this.errorStats.set(kind, n + 1);
    else if (this.errorStats.size < 128) this.errorStats.set(kind, 1);
  }

  failedCall(def: CommandDef): void {
    this.cmdStats.failed(def);
  }

  /** CONFIG RESETSTAT: command statistics and the server's counters. */
  resetStats(): void {
    this.cmdStats.reset();
    this.totalCommands = 0;
    this.totalConnections = 0;
    this.rejectedConnections = 0;
    this.totalErrorReplies = 0;
    this.errorStats.clear();
    this.opsSample = { at: Date.now(), count: 0 };
    this.opsPerSec = 0;
    const m = process.memoryUsage();
    this.peakMemory = m.heapUsed + m.external;
    for (const st of [...this.stats, this.directStats]) {
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
    for (const s of this.shards) s.flush();
    const deadline = Date.now() + 10_000;
    while (this.shards.some((s) => s.pending() > 0) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 5));
    }
    this.flushClients();
    for (const c of this.clients.values()) c.socket.end();
    await this.slow?.close();
    await Promise.all(this.shards.map((s) => s.close()));
    try {
      unlinkSync(this.pidFile);
    } catch {
      /* already gone */
    }
    log.info('bye');
    flushLogs();
  }
}

function errText(e: unknown): string {
  const m = e instanceof Error ? e.message : String(e);
  return /^[A-Z]+ /.test(m) ? m : 'ERR ' + m;
}
