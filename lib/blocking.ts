// Clients blocked on keys (BLPOP, BLMOVE, BZPOPMIN...): waiters, wake-ups, timeouts.
//
// Everything here runs on the main thread, which is the only producer of every shard's request
// stream. That gives wake-ups without any help from the shards:
//
// - A blocked client is registered on its keys *before* its first attempt (the non-blocking form,
//   e.g. LMPOP for BLPOP) is sent, in the same step. A write routed after that step runs after the
//   attempt on the shard, and it sees the waiter: no wake-up can fall between the two.
// - Every write command routed while someone waits is followed, in the same step, by a retry for
//   the first waiter of each of its keys (Blocking.notify): the retry is queued right behind the
//   write on the same shard, so it sees the write's effect. A retry that takes something serves its
//   client and passes the turn to the next waiter of the key; one that finds nothing ends the chain.
//   Waiters of a key are thus served first blocked, first served (per key FIFO), one attempt in
//   flight per key.
// - A retry moves one ready key only (always on one shard); the first attempt covers all the keys
//   in order and may be a cross-shard (coordinated) command.
//
// A blocked connection reads no further commands until it is served (Connection.blocked), as in
// Redis. Timeouts are timers with millisecond precision; CLIENT UNBLOCK ends a wait early.

import type { Connection } from './connection.js';
import { errBuf } from './errors.js';
import type { WakeTarget } from './commands/types.js';

/** What the blocking command supplies. */
export interface BlockSpec {
  /** logical db of the keys */
  db: number;
  /** the keys that can wake the client, in the command's order */
  keys: Buffer[];
  /** absolute deadline in ms (Date.now() scale); 0 = wait forever */
  deadline: number;
  /** the non-blocking command that tries to take something from `keys` */
  attempt(keys: Buffer[]): Buffer[];
  /** the client's reply from the attempt's reply, or null when the attempt found nothing */
  convert(reply: Buffer): Buffer | null;
  /** the reply on timeout (a null array or null bulk in the connection's protocol) */
  timeoutReply(): Buffer;
  /** the reply inside MULTI when the attempt finds nothing (default: the timeout's) */
  emptyReply?: () => Buffer;
  /** keys a successful attempt writes to (BLMOVE's destination): their waiters are woken */
  writes?: Buffer[];
  /**
   * The attempt reads without taking (XREAD): waiters of a key each wait for something of their
   * own, so one that finds nothing does not end the key's turn, and one served leaves the key as
   * it was for the next.
   */
  shared?: boolean;
}

/** Runs a command for a client outside its own reply order (an attempt); resolves with the reply. */
export type AttemptRunner = (conn: Connection, args: Buffer[]) => Promise<Buffer>;

class Waiter {
  inflight = false;
  done = false;
  timedOut = false;
  /** CLIENT UNBLOCK ... ERROR while an attempt was in flight */
  unblockError = false;
  /** keys that became ready while an attempt of this waiter was in flight */
  readonly pending = new Set<string>();
  timer: NodeJS.Timeout | null = null;

  constructor(
    readonly conn: Connection,
    readonly spec: BlockSpec,
    readonly ids: string[],
    readonly resolve: (reply: Buffer) => void,
  ) {}
}

class KeyQueue {
  readonly waiters: Waiter[] = [];
  /** an attempt for this key is in flight */
  serving = false;
  /** the key was written again while serving: look again once the attempt is back */
  again = false;

  constructor(
    readonly id: string,
    readonly db: number,
    readonly key: Buffer,
  ) {}
}

const MAX_TIMER = 2 ** 31 - 1;

export const UNBLOCKED_ERROR = 'UNBLOCKED client unblocked via CLIENT UNBLOCK';

export class Blocking implements WakeTarget {
  private readonly queues = new Map<string, KeyQueue>();
  private readonly byConn = new Map<Connection, Waiter>();

  constructor(
    private readonly execute: AttemptRunner,
    readonly databases: number,
  ) {}

  /** Number of blocked clients (INFO blocked_clients). */
  get count(): number {
    return this.byConn.size;
  }

  /** Blocked clients waiting with a timeout (INFO clients_in_timeout_table). */
  get withTimeout(): number {
    let n = 0;
    for (const w of this.byConn.values()) if (w.timer !== null) n++;
    return n;
  }

  /** True when somebody waits (callers skip notify() otherwise). */
  get active(): boolean {
    return this.queues.size > 0;
  }

  isBlocked(conn: Connection): boolean {
    return this.byConn.has(conn);
  }

  /**
   * Blocks `conn` on spec.keys and makes the first attempt; `resolve` gets the reply exactly once
   * (served, timed out, unblocked).
   */
  block(conn: Connection, spec: BlockSpec, resolve: (reply: Buffer) => void): void {
    const ids = spec.keys.map((k) => keyId(spec.db, k));
    const w = new Waiter(conn, spec, [...new Set(ids)], resolve);
    for (let i = 0; i < spec.keys.length; i++) {
      const id = ids[i];
      let q = this.queues.get(id);
      if (!q) {
        q = new KeyQueue(id, spec.db, spec.keys[i]);
        this.queues.set(id, q);
      }
      if (!q.waiters.includes(w)) q.waiters.push(w);
    }
    this.byConn.set(conn, w);
    conn.setBlocked(true);
    if (spec.deadline > 0) this.arm(w);
    this.attempt(w, spec.keys, null);
  }

  /** A write to `key` in `db` was just routed: retry for its waiters (right behind the write). */
  notify(db: number, key: Buffer): void {
    const q = this.queues.get(keyId(db, key));
    if (q) this.serve(q);
  }

  /** Every key of `db` may have changed (SWAPDB, MOVE into it...): retry all its waiters. */
  notifyDb(db: number): void {
    for (const q of this.queues.values()) if (q.db === db) this.serve(q);
  }

  /** The connection closed: forget its wait. */
  cancel(conn: Connection): void {
    const w = this.byConn.get(conn);
    if (w) this.finish(w, null);
  }

  /** CLIENT UNBLOCK: ends the wait as a timeout or with the UNBLOCKED error; false if not blocked. */
  unblock(conn: Connection, asError: boolean): boolean {
    const w = this.byConn.get(conn);
    if (!w || w.done) return false;
    if (w.inflight) {
      // the attempt may be taking something right now: decide when it is back
      if (asError) w.unblockError = true;
      else w.timedOut = true;
      return true;
    }
    this.finish(w, asError ? errBuf(UNBLOCKED_ERROR) : w.spec.timeoutReply());
    return true;
  }

  /** Timers hold at most 2^31-1 ms (~24.8 days): longer waits re-arm until the deadline. */
  private arm(w: Waiter): void {
    const left = w.spec.deadline - Date.now();
    w.timer = setTimeout(() => {
      w.timer = null;
      if (w.spec.deadline - Date.now() > 0 && left > MAX_TIMER) this.arm(w);
      else this.onTimeout(w);
    }, Math.max(0, Math.min(left, MAX_TIMER)));
  }

  private onTimeout(w: Waiter): void {
    w.timer = null;
    if (w.done) return;
    if (w.inflight) w.timedOut = true;
    else this.finish(w, w.spec.timeoutReply());
  }

  /** Serves the first waiter of a key (from position `from`) that has no attempt in flight. */
  private serve(q: KeyQueue, from = 0): void {
    if (q.serving) {
      q.again = true;
      return;
    }
    const id = q.id;
    for (let i = from; i < q.waiters.length; i++) {
      const w = q.waiters[i];
      if (w.done) continue;
      if (w.inflight) {
        // busy with another key: it gets this one too if that attempt finds nothing
        w.pending.add(id);
        continue;
      }
      q.serving = true;
      q.again = false;
      this.attempt(w, [q.key], q);
      return;
    }
  }

  private attempt(w: Waiter, keys: Buffer[], q: KeyQueue | null): void {
    w.inflight = true;
    let args: Buffer[];
    try {
      args = w.spec.attempt(keys);
    } catch (e) {
      w.inflight = false;
      if (q) q.serving = false;
      this.finish(w, errBuf((e as Error).message));
      return;
    }
    this.execute(w.conn, args).then(
      (reply) => this.attempted(w, q, reply),
      (e: Error) => this.attempted(w, q, errBuf('ERR ' + e.message)),
    );
  }

  private attempted(w: Waiter, q: KeyQueue | null, reply: Buffer): void {
    w.inflight = false;
    if (q) q.serving = false;
    let isError = reply.length > 0 && reply[0] === 45; /* - */
    // A key that became another type does not serve its waiters, nor end their wait (as Redis);
    // on the first attempt the error is the reply.
    if (isError && q && reply.subarray(0, 10).toString('latin1') === '-WRONGTYPE') isError = false;
    const served = isError ? reply : w.done || reply[0] === 45 ? null : w.spec.convert(reply);
    // a shared waiter's place in the key's queue: the waiters after it get their turn next
    const at = q && w.spec.shared ? q.waiters.indexOf(w) : -1;
    const shared = q !== null && w.spec.shared === true;
    if (served !== null && !w.done) {
      this.finish(w, served);
      if (!isError && w.spec.writes) for (const k of w.spec.writes) this.notify(w.spec.db, k);
      // the key may hold more: the next waiter's turn
      if (q) {
        this.serve(q, at >= 0 ? at : 0);
        if (!q.serving && q.waiters.length === 0 && this.queues.get(q.id) === q) this.queues.delete(q.id);
      }
      return;
    }
    if (!w.done) {
      if (w.unblockError) this.finish(w, errBuf(UNBLOCKED_ERROR));
      else if (w.timedOut) this.finish(w, w.spec.timeoutReply());
      else if (w.pending.size > 0) {
        const ids = [...w.pending];
        w.pending.clear();
        for (const id of ids) {
          const p = this.queues.get(id);
          if (p) this.serve(p);
        }
      }
    }
    if (q && q.again) {
      q.again = false;
      this.serve(q);
    } else if (q && shared) this.serve(q, at < 0 ? 0 : w.done ? at : at + 1);
    if (q && !q.serving && q.waiters.length === 0 && this.queues.get(q.id) === q) this.queues.delete(q.id);
  }

  /** Ends a wait: unregisters it everywhere and replies (null: the connection is gone). */
  private finish(w: Waiter, reply: Buffer | null): void {
    if (w.done) return;
    w.done = true;
    if (w.timer) clearTimeout(w.timer);
    for (const id of w.ids) {
      const q = this.queues.get(id);
      if (!q) continue;
      const i = q.waiters.indexOf(w);
      if (i >= 0) q.waiters.splice(i, 1);
      if (q.waiters.length === 0 && !q.serving) this.queues.delete(id);
    }
    this.byConn.delete(w.conn);
    w.conn.setBlocked(false);
    if (reply !== null) w.resolve(reply);
  }
}

function keyId(db: number, key: Buffer): string {
  return db + ':' + key.toString('latin1');
}
