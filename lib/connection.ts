// One client connection: its parser, its state (db, protocol, name), and the queue that keeps its
// replies in request order whichever shard or thread produced them.

import type { Socket } from 'node:net';
import Denque from 'denque';
import { RespParser, type ParserLimits } from './resp/parser.js';
import type { ReplyTarget } from './shard/handle.js';
import { RespWriter, type Proto } from './resp/writer.js';
import type { CommandDef } from './commands/types.js';
import type { ClientExtras } from './clients/extras.js';
import { commandRules } from './clients/rules.js';
import type { Subscriptions } from './pubsub.js';
import { classOf, type OutputLimits } from './output-limits.js';
import type { MultiState } from './transaction.js';
import type { AclUser } from './acl/user.js';
import { NET } from './server-stats.js';

/** Initial size of a connection's output buffer; replies this big or bigger skip it (no copy). */
const OW_SIZE = 1024; // below half of Buffer.poolSize: allocUnsafe slices the shared pool (no new ArrayBuffer per flush)
const BIG_REPLY = 16 * 1024;
/**
 * Once a turn's output passes BIG_REPLY it continues in chunks of this size: growing one buffer by
 * doubling would copy it again at every step (measured: LRANGE_100 -P 16, 30% of the main thread
 * in garbage collection).
 */
const OW_CHUNK = 64 * 1024;
/**
 * Up to this size `ow` grows by doubling, inside Node's shared buffer pool; past it, output goes
 * on in OW_CHUNK chunks. Doubling up to BIG_REPLY instead took four fresh ArrayBuffers per turn
 * and connection for a 10 kB reply (LRANGE_100 -P 16: 146 ms of a 1.6 s main-thread profile in
 * those allocations, and the garbage collector at 18% of the thread).
 */
const OW_POOLED = 4 * 1024;
/**
 * OW_CHUNK buffers whose bytes the kernel took, shared by all connections: a big turn's output
 * (LRANGE_100 -P 16: ~170 kB per connection and turn) reuses them instead of allocating 64 kB
 * ArrayBuffers at hundreds of MB/s, which kept the garbage collector at ~19% of the main thread.
 */
const chunkPool: Buffer[] = [];
const CHUNK_POOL_MAX = 64;

function takeChunk(): Buffer {
  return chunkPool.pop() ?? Buffer.allocUnsafe(OW_CHUNK);
}

function releaseChunk(b: Buffer): void {
  if (chunkPool.length < CHUNK_POOL_MAX) chunkPool.push(b);
}

/** A turn's output of at least this many bytes in several chunks goes out as one writev, uncopied. */
const WRITEV_BYTES = 64 * 1024;

/** Slots of deliverAfterRunning(): messages placed right after the reply of the command that caused them. */
const afterRunning = new WeakSet<Slot>();

/** A reply position in a connection's output order. */
export class Slot implements ReplyTarget {
  data: Buffer | null = null;
  done = false;
  /** Close the connection once this reply is written (QUIT, protocol errors). */
  closeAfter = false;
  /** The command whose reply this is (INFO commandstats failed_calls); null for rejections. */
  def: CommandDef | null = null;
  /** Dropped instead of sent (CLIENT REPLY OFF / SKIP when its command was dispatched). */
  silent = false;
  /** Runs when the reply arrives, before it is queued for output (CLIENT TRACKING remembers keys then). */
  onFill: (() => void) | null = null;

  constructor(readonly conn: Connection) {}

  onReply(reply: Buffer): void {
    // At the head of the queue a small reply is copied once, straight into the output; otherwise
    // it must outlive the shard's reply frame and is copied aside.
    if (reply.length < BIG_REPLY && this.conn.queue.peekFront() === this) this.fill(reply);
    else this.fill(Buffer.from(reply));
  }

  fill(data: Buffer): void {
    if (this.onFill !== null) this.onFill();
    this.data = data;
    this.done = true;
    this.conn.slotDone();
  }
}

export interface ConnectionHost {
  dispatch(conn: Connection, args: Buffer[]): void;
  markDirty(conn: Connection): void;
  protocolError(conn: Connection, msg: string): void;
  /** The command being received outgrew client-query-buffer-limit: drop the client. */
  queryBufferExceeded(conn: Connection, size: number): void;
  /** proto-max-bulk-len and client-query-buffer-limit, shared by every parser (live values). */
  readonly parserLimits: ParserLimits;
  closed(conn: Connection): void;
  /** An error reply left for the client (INFO errorstats). */
  errorReply(data: Buffer): void;
  /** client-output-buffer-limit, checked after each write (lib/output-limits.ts). */
  readonly outputLimits: OutputLimits;
  /** A command's reply was an error (INFO commandstats failed_calls). */
  failedCall(def: CommandDef): void;
}

/**
 * Input is paused while too many replies are outstanding or MAX_UNSENT output is unsent. The
 * parser stops right at the limit (not at the end of a socket chunk). The limit adapts to the
 * size of the connection's replies so that about IN_FLIGHT_BYTES are in flight: MAX_PENDING
 * commands for small replies (deep pipelines batch well), a few hundred for 100 kB values (a
 * client that never reads a 1M-GET pipeline cannot make the server hold gigabytes).
 */
const MAX_PENDING = 4096;
const MIN_PENDING = 16;
const START_PENDING = 256;
const IN_FLIGHT_BYTES = 16 << 20;
const SIZE_SAMPLE = 256;
const MAX_UNSENT = 64 << 20;
const EMPTY = Buffer.alloc(0);

export class Connection {
  readonly parser: RespParser;
  db = 0;
  proto: Proto = 2;
  name: Buffer | null = null;
  libName = '';
  libVer = '';
  /** Whether AUTH (or HELLO AUTH) succeeded, or the default user needed none when it connected. */
  authenticated: boolean;
  /** The ACL user its commands run as (the default user until AUTH). */
  user: AclUser;
  readonly createdAt = Date.now();
  lastInteraction = Date.now();
  lastCmd = 'NULL';
  /** The command being dispatched: slots created meanwhile carry it (set and cleared by the server). */
  curDef: CommandDef | null = null;
  /** Between MULTI and EXEC: the queued commands (lib/transaction.ts); null otherwise. */
  multi: MultiState | null = null;
  /** The transaction whose EXEC is running. */
  execing: MultiState | null = null;
  /** The shards where this client WATCHes keys; null when it watches nothing. */
  watchShards: Set<number> | null = null;
  /** CLIENT NO-EVICT (flag 'e' in CLIENT LIST; respdb evicts no clients). */
  noEvict = false;
  readonly queue = new Denque<Slot>();
  /** Output sealed for the next socket write, in order (big replies as they are). */
  out: Buffer[] = [];
  outBytes = 0;
  /**
   * Small replies accumulate here and leave with one socket write per turn; direct reads encode
   * straight into it. Sealed (handed to `out`) before anything else is queued behind it.
   */
  readonly ow = new RespWriter(OW_SIZE);
  /** OW_CHUNK buffers handed to `out` this turn (back to the chunk pool once written). */
  private readonly sealedChunks: Buffer[] = [];
  closing = false;
  closed = false;
  /** In the server's set of connections to flush at the end of this turn. */
  dirty = false;
  private paused = false;
  /** Set while handling a command: the reply goes straight to `out` when nothing is pending. */
  readonly addr: string;
  readonly laddr: string;
  /** Total commands processed (CLIENT LIST has no such field; INFO does not either: local use). */
  commands = 0;

  // CLIENT REPLY, CLIENT TRACKING, MONITOR (lib/clients/): null / false for ordinary clients.
  /** Replies of the commands dispatched now are dropped (CLIENT REPLY OFF, or SKIP's next command). */
  mute = false;
  /** The client features' state of this connection, created when it first uses one. */
  extras: ClientExtras | null = null;
  /** Released by the end of a CLIENT PAUSE, its held command not run again yet: flag u (as Redis shows it). */
  unblocked = false;
  // Pub/sub (lib/pubsub.ts) and client-output-buffer-limit (lib/output-limits.ts). All 0, false
  // or null for a client that never subscribed.
  /** Channels + patterns + shard channels subscribed (Redis's CLIENT_PUBSUB flag when not 0). */
  subscribed = 0;
  subscriptions: Subscriptions | null = null;
  /** A replica's connection: the `replica` class of client-output-buffer-limit. */
  replica = false;
  /** The replication stream's client on a replica (lib/replication/apply.ts): exempt from READONLY and MASTERDOWN. */
  fromMaster = false;
  /** Unix second at which the output was first seen over the soft limit, 0 while under it. */
  softLimitSince = 0;
  /**
   * Delivered messages not yet in `out`: bytes [sharedStart, sharedEnd) of a buffer they share
   * with other subscribers (deliverShared), after everything in `out` and before anything in `ow`.
   */
  private sharedBuf: Buffer | null = null;
  private sharedStart = 0;
  private sharedEnd = 0;

  constructor(readonly id: number, readonly socket: Socket, readonly host: ConnectionHost, user: AclUser, authenticated: boolean) {
    this.user = user;
    this.authenticated = authenticated;
    this.addr = fmtAddr(socket.remoteAddress, socket.remotePort);
    this.laddr = fmtAddr(socket.localAddress, socket.localPort);
    this.parser = new RespParser(
      {
        onCommand: (args) => {
          this.commands++;
          host.dispatch(this, args);
          if (this.queue.length > this.maxPending || this.unsent() > IN_FLIGHT_BYTES) this.checkPressure();
        },
        onProtocolError: (msg) => host.protocolError(this, msg),
        onQueryLimit: (size) => host.queryBufferExceeded(this, size),
      },
      host.parserLimits,
    );
    socket.on('drain', () => this.checkPressure());
    socket.on('error', () => {
      /* reset by peer etc.: 'close' follows */
    });
    socket.on('close', () => {
      this.closed = true;
      host.closed(this);
    });
    // The client shut down its sending side: answer everything it sent, then close.
    socket.on('end', () => {
      this.inputEnded = true;
      // a blocked client that goes away is dropped at once, as Redis does on EOF
      if (this.blocked) this.kill();
      else this.finishInput();
    });
  }

  /** Input that arrived from the client (one socket read; the parser may keep views of it). */
  input(chunk: Buffer): void {
    NET.inputBytes += chunk.length;
    NET.reads++;
    this.lastInteraction = Date.now();
    this.parser.feed(chunk);
    this.checkPressure();
  }

  private inputEnded = false;
  /** Replies allowed in flight, adapted to the average reply size of the last SIZE_SAMPLE. */
  private maxPending = START_PENDING;
  private sizeSum = 0;
  private sizeN = 0;

  private finishInput(): void {
    // while the parser holds input back, resumeParser() comes back here
    if (!this.inputEnded || this.closed || this.parser.paused) return;
    this.reply(EMPTY, true);
  }

  /** A new reply position at the end of the queue. */
  slot(): Slot {
    const s = new Slot(this);
    s.def = this.curDef;
    if (this.mute && !commandRules.repliesArePushes(this.curDef)) s.silent = true;
    this.queue.push(s);
    return s;
  }

  /** A reply produced immediately: goes out now if nothing is pending before it. */
  reply(data: Buffer, closeAfter = false): void {
    if (closeAfter) this.parser.stop(); // nothing after this reply is executed (as Redis)
    if (this.mute) {
      // counted as an error reply all the same, as in Redis
      if (data.length > 0 && data[0] === 45) this.host.errorReply(data);
      data = EMPTY;
    }
    if (this.queue.length === 0) {
      this.push(data);
      if (closeAfter) this.closing = true;
      this.host.markDirty(this);
      return;
    }
    const s = this.slot();
    s.def = null;
    s.closeAfter = closeAfter;
    s.fill(data);
  }

  /**
   * Output that is not a reply (a pub/sub message, a RESP3 push): it takes no reply position of
   * its own and follows every reply already produced, straight into the output when nothing is
   * pending, else behind the queued replies (a SUBSCRIBE's confirmation waiting behind an earlier
   * GET must come before the first message). The command running now (a RESP3 client's
   * PUBLISH to itself) or blocked (BLPOP) replies after it, as from Redis. `data` must stay
   * unchanged (it may be shared and kept).
   */
  deliver(data: Buffer): void {
    const q = this.queue;
    if (q.length === 0) {
      this.push(data);
      this.host.markDirty(this);
      return;
    }
    const s = new Slot(this);
    s.data = data;
    s.done = true;
    if (this.curDef === null && !this.blocked) {
      q.push(s);
      return;
    }
    // that command's reply slot is the last one queued (nothing after it is parsed yet)
    q.splice(q.length - 1, 0, s);
    this.slotDone();
  }

  /**
   * Output caused by a command of this client that is running (CLIENT TRACKING's invalidation of
   * a key it changed itself): right after that command's reply, as Redis sends it. The command is
   * taken to be the oldest one whose reply is still to come.
   */
  deliverAfterRunning(data: Buffer): void {
    const q = this.queue;
    for (let i = 0; i < q.length; i++) {
      if (q.peekAt(i)!.done) continue;
      // after that reply and the messages it already caused, in the order they came
      let at = i + 1;
      while (at < q.length && afterRunning.has(q.peekAt(at)!)) at++;
      const s = new Slot(this);
      s.data = data;
      s.done = true;
      afterRunning.add(s);
      q.splice(at, 0, s);
      return;
    }
    this.deliver(data);
  }

  /**
   * deliver() for bytes [start, end) of a buffer that never changes and that other subscribers
   * share (lib/pubsub.ts writes each message once): nothing is copied. Consecutive messages
   * that follow each other in that buffer become one range, so a subscriber's messages of one
   * turn usually leave as one view of it, in one write.
   */
  deliverShared(buf: Buffer, start: number, end: number): void {
    if (this.queue.length !== 0) return this.deliver(buf.subarray(start, end));
    if (this.sharedBuf === buf && this.sharedEnd === start && this.ow.pos === 0) {
      this.sharedEnd = end;
    } else {
      this.seal();
      this.sharedBuf = buf;
      this.sharedStart = start;
      this.sharedEnd = end;
    }
    this.outBytes += end - start;
    this.host.markDirty(this);
  }

  /**
   * The pending shared range goes to `out` (its bytes are already counted in outBytes). A socket
   * that is not keeping up gets a copy: its views would keep whole arenas alive for a few bytes
   * each, beyond what client-output-buffer-limit counts.
   */
  private endShared(): void {
    const view = this.sharedBuf!.subarray(this.sharedStart, this.sharedEnd);
    this.out.push(this.socket.writableLength > 0 ? Buffer.from(view) : view);
    this.sharedBuf = null;
  }

  private push(data: Buffer): void {
    if (data.length > 0 && data[0] === 45) this.host.errorReply(data);
    if (data.length < BIG_REPLY) {
      const ow = this.ow;
      const need = ow.pos + data.length;
      if (need > ow.buf.length && need > OW_POOLED) this.seal(OW_CHUNK);
      ow.raw(data);
      return;
    }
    this.seal();
    this.out.push(data);
    this.outBytes += data.length;
  }

  /** Bytes produced for this client and not yet handed to the socket. */
  unsent(): number {
    return this.outBytes + this.ow.pos;
  }

  /** Moves what `ow` holds to `out` (the socket keeps the buffer: `ow` starts a new one). */
  private seal(next = OW_SIZE): void {
    if (this.sharedBuf !== null) this.endShared();
    const ow = this.ow;
    if (ow.pos === 0) {
      // nothing to hand over, but the next reply needs the bigger buffer (not a doubling of this one)
      if (next > ow.buf.length) ow.buf = next === OW_CHUNK ? takeChunk() : Buffer.allocUnsafe(next);
      return;
    }
    this.out.push(ow.buf.subarray(0, ow.pos));
    this.outBytes += ow.pos;
    if (ow.buf.length === OW_CHUNK) this.sealedChunks.push(ow.buf);
    ow.buf = next === OW_CHUNK ? takeChunk() : Buffer.allocUnsafe(next);
    ow.pos = 0;
  }


  /** A command waiting for the replies queued before its own (whenEarlierDone). */
  private earlier: { slot: Slot; resolve: () => void } | null = null;

  /**
   * Resolves once every command queued before the last reply position has answered (CONFIG SET
   * applies after the connection's earlier commands, as in Redis, where they run one at a time).
   */
  whenEarlierDone(): Promise<void> {
    const mine = this.queue.peekBack();
    if (mine === undefined || this.queue.peekFront() === mine || this.closed) return Promise.resolve();
    return new Promise((resolve) => (this.earlier = { slot: mine, resolve }));
  }

  private resolveEarlier(): void {
    const w = this.earlier;
    this.earlier = null;
    w?.resolve();
  }

  /** Moves finished replies at the head of the queue to the output. */
  slotDone(): void {
    let moved = false;
    while (this.queue.length > 0) {
      const s = this.queue.peekFront()!;
      if (!s.done) break;
      this.queue.shift();
      if (s.def !== null && s.data!.length > 0 && s.data![0] === 45) this.host.failedCall(s.def);
      if (s.silent) {
        if (s.data!.length > 0 && s.data![0] === 45) this.host.errorReply(s.data!);
        // Like Redis, a QUIT whose reply is dropped does not close the connection (it only
        // stops reading it: the parser has stopped).
        continue;
      }
      this.push(s.data!);
      this.sizeSum += s.data!.length;
      if (++this.sizeN === SIZE_SAMPLE) {
        this.maxPending = Math.max(MIN_PENDING, Math.min(MAX_PENDING, Math.floor((IN_FLIGHT_BYTES * SIZE_SAMPLE) / (this.sizeSum + 1))));
        this.sizeSum = 0;
        this.sizeN = 0;
      }
      moved = true;
      if (s.closeAfter) {
        this.closing = true;
        break;
      }
    }
    if (moved) this.host.markDirty(this);
    if (this.earlier !== null && (this.queue.length === 0 || this.queue.peekFront() === this.earlier.slot)) this.resolveEarlier();
  }

  /** Writes the collected output (once per event-loop turn). */
  flush(): void {
    if (this.closed) {
      this.out = [];
      this.outBytes = 0;
      this.ow.pos = 0;
      this.sharedBuf = null;
      return;
    }
    this.seal();
    const out = this.out;
    if (out.length > 0) {
      const bytes = this.outBytes;
      this.out = [];
      this.outBytes = 0;
      NET.outputBytes += bytes;
      NET.writes++;
      if (out.length === 1) this.socket.write(out[0]);
      else if (bytes >= WRITEV_BYTES && bytes >= out.length * 4096) {
        // big replies: hand the buffers over as they are (one writev) instead of copying them
        this.socket.cork();
        for (const b of out) this.socket.write(b);
        this.socket.uncork();
      } else this.socket.write(Buffer.concat(out));
    }
    if (this.sealedChunks.length > 0) {
      // Written through at once (nothing left queued in the socket): the kernel has the bytes and
      // the chunks can take the next turn's output. Otherwise the socket still holds them.
      if (this.socket.writableLength === 0) for (const c of this.sealedChunks) releaseChunk(c);
      this.sealedChunks.length = 0;
    }
    // client-output-buffer-limit: Redis checks it as output is added, here once per turn's write
    const limits = this.host.outputLimits;
    if (limits.active[classOf(this)] && limits.enforce(this)) return;
    if (this.closing) {
      this.closing = false;
      this.closed = true;
      this.socket.end();
      this.socket.destroySoon?.();
      return;
    }
    this.checkPressure();
  }

  /** Stop reading from a client that does not read its replies or floods us; resume when it catches up. */
  checkPressure(): void {
    if (this.closed) return;
    const heavy = this.queue.length > this.maxPending || this.unsent() > IN_FLIGHT_BYTES || this.socket.writableLength > MAX_UNSENT;
    if (heavy && !this.paused) {
      this.paused = true;
      this.parser.pause();
      this.socket.pause();
    } else if (!heavy && this.paused) {
      this.paused = false;
      // Input held back by the parser is parsed first, on a later turn (not inside the server's
      // flush loop); the socket resumes after it, so held input never piles up.
      if (this.parser.paused) setImmediate(this.resumeParser);
      else this.socket.resume();
    }
  }

  private readonly resumeParser = (): void => {
    if (this.paused || this.closed || this.blocked || this.holds > 0) return;
    this.parser.resume(); // may pause again (checkPressure from onCommand)
    if (!this.paused) {
      this.socket.resume();
      this.finishInput();
    }
  };

  /**
   * Blocked on keys (BLPOP...): runs no further commands until served, as in Redis. Only the parser
   * stops (its input is held, within client-query-buffer-limit); the socket keeps reading, so a
   * client that goes away while blocked is noticed.
   */
  blocked = false;

  /**
   * Holds the commands after the one being dispatched (a slow-pool read until its snapshot is
   * taken, so the connection's later writes cannot get into it); release() lets them go.
   */
  hold(): void {
    this.holds++;
    this.parser.pause();
  }

  release(): void {
    if (--this.holds === 0 && !this.blocked && !this.paused && !this.closed && this.parser.paused) setImmediate(this.resumeParser);
  }


  private holds = 0;

  setBlocked(b: boolean): void {
    this.blocked = b;
    if (b) this.parser.pause();
    else if (!this.paused && !this.closed && this.parser.paused) setImmediate(this.resumeParser);
  }

  kill(): void {
    this.parser.stop();
    this.closed = true;
    this.socket.destroy();
  }
}

/** ip:port as Redis writes it (CLIENT LIST, SLOWLOG): IPv6 addresses in brackets. */
function fmtAddr(host: string | undefined, port: number | undefined): string {
  if (!host) return '?:0';
  if (host.startsWith('::ffff:')) host = host.slice(7);
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}
