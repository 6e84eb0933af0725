// Which calls run on the slow-command pool (lib/slow/pool.ts), and how they keep their place in
// the order of everything else. Decided per call from the command's table entry: `slow` (a
// candidate), `slowWork` (the work a call implies), `destination` (a *STORE), `readsUnnamedKeys`
// (SORT's patterns), or the command named in slow-cmd-list. docs/design.md describes the
// consistency rules: fences for one shard, consistent cuts for several, optimistic *STORE.

import type { Connection, Slot } from '../connection.js';
import type { CommandDef } from '../commands/types.js';
import type { Server } from '../server.js';
import { ALL, internal } from '../commands/registry.js';
import { errBuf } from '../errors.js';
import { decodeWrite, type SlowCoordinated, type SlowPart, type SlowPool } from './pool.js';

/** Work (members a call reads) from which a `slow` command goes to the slow pool. */
export const SLOW_WORK = 1000;
/** Attempts of an optimistic *STORE before it runs the classic way (under the shards' locks). */
const STORE_ATTEMPTS = 3;
const FENCE_ARGS = [Buffer.from('fence')];

type PoolResult = { replies: Buffer[]; micros: number | null };

export class SlowRouting {
  /** Per command index: named in slow-cmd-list (always to the pool). */
  private forced = new Uint8Array(0);
  private anyForced = false;

  /** The pool, once the server started it; without one every call runs the classic way. */
  pool: SlowPool | null = null;

  constructor(private readonly server: Server) {}

  get enabled(): boolean {
    return this.pool !== null;
  }

  /** slow-cmd-list: comma-separated command names (subcommands as parent|sub). */
  setForced(list: string): void {
    const names = new Set(
      list
        .split(',')
        .map((n) => n.trim().toLowerCase())
        .filter(Boolean),
    );
    this.forced = Uint8Array.from(ALL, (d) => (!d.internal && names.has(d.name) ? 1 : 0));
    this.anyForced = names.size > 0;
  }

  isForced(def: CommandDef): boolean {
    return this.anyForced && this.forced[def.index!] === 1;
  }

  /**
   * Runs the call on the pool when it belongs there; false leaves it to the router. Read-only
   * calls go when forced or when their work is at least SLOW_WORK: one shard's handler after a
   * fence, or a cross-shard read's coordinated handler over a consistent cut. A *STORE goes when
   * forced or its inputs hold at least SLOW_WORK members: computed optimistically. Other writes
   * and blocking commands never go (the binlog is written by the owning shard).
   */
  tryRun(conn: Connection, def: CommandDef, args: Buffer[], idx: readonly number[], first: number): boolean {
    if (def.internal || def.flags.includes('blocking')) return false;
    const forced = this.isForced(def);
    const dst = def.destination ? def.destination(args) : -1;
    if (dst > 0) {
      const inputs = idx.filter((i) => i !== dst);
      if (!forced && this.work(def, args, inputs, conn.db) < SLOW_WORK) return false;
      // asked only of the calls that go (SORT parses its options for it)
      const unnamed = def.readsUnnamedKeys ? def.readsUnnamedKeys(args) : false;
      const all = this.server.shards.all();
      const shards = unnamed ? all : this.shardsOf(args, idx);
      const inShards = unnamed ? all : this.shardsOf(args, inputs);
      this.storeOptimistic(conn, def, args, inputs.map((i) => args[i]), shards, inShards, unnamed);
      return true;
    }
    if (def.flags.includes('write') && def.destination === undefined) return false;
    if (!forced && (idx.length === 0 || this.work(def, args, idx, conn.db) < SLOW_WORK)) return false;
    const unnamed = def.readsUnnamedKeys ? def.readsUnnamedKeys(args) : false;
    if (first >= 0 && !unnamed && def.shard) {
      this.runSlow(conn, def, first, args);
      return true;
    }
    if (!def.coordinated) return false;
    this.runSlowAcross(conn, def, args, unnamed ? this.server.shards.all() : this.shardsOf(args, idx));
    return true;
  }

  private shardsOf(args: Buffer[], idx: readonly number[]): number[] {
    const shards = this.server.shards;
    return [...new Set(idx.map((i) => shards.of(args[i])))];
  }

  /**
   * The work a call implies: the members of the collections at args[idx] (1 per string), from the
   * main thread's views of the shards (one record lookup each, on a snapshot that may be a little
   * old), bounded by the command's own estimate.
   */
  private work(def: CommandDef, args: Buffer[], idx: readonly number[], db: number): number {
    const shards = this.server.shards;
    const now = Date.now();
    let members = 0;
    for (const i of idx) members += shards.links[shards.of(args[i])].view!.peekCount(db, args[i], now);
    return def.slowWork ? def.slowWork(args, members) : members;
  }

  /**
   * Runs a pool task over one consistent cut of `shards`: once a pool thread is free (reserved, so
   * no shard waits for a busy pool), the shards are held (Coordinator.locked, at this point of the
   * global order) just until the task has pinned its snapshots. The caller holds the connection.
   */
  private onCut(shards: number[], parts: SlowPart[], job?: SlowCoordinated, concat = false): Promise<{ replies: Buffer[]; micros: number }> {
    const pool = this.pool!;
    return pool.acquire().then(() => {
      let result: Promise<{ replies: Buffer[]; micros: number }> | null = null;
      return this.server.coord
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
    const pool = this.pool!;
    return this.server.shards.call(shard, internal('fence'), db, 2, FENCE_ARGS).then(() => pool.run([part], { onSnapshot }));
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
    this.answer(conn, slot, def, args, this.fenced(shard, conn.db, part, release)).finally(release);
  }

  /**
   * Fills a pool command's reply slot with its first reply, recording the pool's handler time
   * (INFO commandstats, SLOWLOG, LATENCY); a failed task answers an error.
   */
  private answer(conn: Connection, slot: Slot, def: CommandDef, args: Buffer[], task: Promise<PoolResult>): Promise<void> {
    const s = this.server;
    return task.then(
      (r) => {
        if (r.micros !== null) {
          s.cmdStats.time(def, r.micros);
          s.diagnostics.commandDone(conn, args, def, r.micros);
        }
        slot.fill(r.replies[0]);
      },
      (e) => slot.fill(errBuf(`ERR slow command failed: ${e instanceof Error ? e.message : String(e)}`)),
    );
  }

  /**
   * A read whose keys span shards (or whose patterns may name any key), on the slow pool: its
   * coordinated handler runs there against one consistent cut of the shards (taken as for KEYS:
   * connection held, a pool thread reserved, the shards held until the snapshots are pinned).
   */
  private runSlowAcross(conn: Connection, def: CommandDef, args: Buffer[], shards: number[]): void {
    const slot = conn.slot();
    const job: SlowCoordinated = { cmd: def.index!, db: conn.db, proto: conn.proto, args, shards };
    conn.hold();
    this.answer(conn, slot, def, args, this.onCut(shards, [], job)).finally(() => conn.release());
  }

  /**
   * A *STORE without holding its shards for the computation: the pool computes the result from a
   * snapshot (the command's coordinated handler, its write captured instead of made); then, under
   * the shards' locks, the write is applied only if no input key was written since just before the
   * snapshot (the shards' write counters, lib/shard/write-notes.ts), else the whole thing is tried
   * again; after STORE_ATTEMPTS it runs the classic way. The connection's later commands wait.
   * `anyKey`: the computation may read keys nobody can name in advance (SORT's BY/GET patterns),
   * so any write on any of `shards` invalidates it (ShardShared's all-writes counter): sound, and
   * the classic path under a steady write load.
   */
  private storeOptimistic(conn: Connection, def: CommandDef, args: Buffer[], inputs: Buffer[], shards: number[], inShards: number[], anyKey: boolean): void {
    const s = this.server;
    const slot = conn.slot();
    const pool = this.pool!;
    const job: SlowCoordinated = { cmd: def.index!, db: conn.db, proto: conn.proto, args, shards: inShards, capture: true };
    const sharedOf = (k: Buffer) => s.shards.links[s.shards.of(k)].shared;
    conn.hold();
    const attempt = async (): Promise<{ replies: Buffer[]; micros: number } | null> => {
      for (const i of shards) Atomics.add(s.shards.links[i].shared.control, 0, 1);
      try {
        const before = inputs.map((k) => sharedOf(k).version(k));
        const beforeAll = anyKey ? shards.map((i) => s.shards.links[i].shared.allWrites()) : [];
        await pool.acquire();
        const r = await pool.run([], { reserved: true, coordinated: job });
        return await s.coord.locked(shards, async (tx) => {
          for (let i = 0; i < inputs.length; i++) {
            const [w, e] = sharedOf(inputs[i]).version(inputs[i]);
            if (w !== before[i][0] || e !== before[i][1]) return null;
          }
          for (let i = 0; i < beforeAll.length; i++) if (s.shards.links[shards[i]].shared.allWrites() !== beforeAll[i]) return null;
          for (const b of r.replies.slice(1)) {
            const w = decodeWrite(b);
            await tx.exec(w.shard, ALL[w.cmd], w.db, w.args);
          }
          return r;
        }, conn);
      } finally {
        for (const i of shards) Atomics.sub(s.shards.links[i].shared.control, 0, 1);
      }
    };
    const run = async (): Promise<PoolResult> => {
      for (let n = 0; n < STORE_ATTEMPTS; n++) {
        const r = await attempt();
        if (r !== null) return r;
        s.counters.slowStoreRetries++;
      }
      // inputs that keep changing: compute under the locks, as without a pool
      return { replies: [await s.router.execute(conn, args)], micros: null };
    };
    this.answer(conn, slot, def, args, run()).finally(() => conn.release());
  }

  /**
   * One read-only internal command on one shard, on the slow pool when there is one (a SCAN step
   * with a big COUNT): after a fence, so it sees everything queued before it on that shard.
   */
  call(shard: number, def: CommandDef, db: number, proto: 2 | 3, args: Buffer[]): Promise<Buffer> {
    if (this.pool === null) return this.server.shards.call(shard, def, db, proto, args);
    return this.fenced(shard, db, { shard, cmd: def.index!, db, proto, args }).then((r) => r.replies[0]);
  }

  /**
   * Runs a read-only internal command answering an array on every shard's data from one
   * consistent cut, on the slow pool (KEYS), and answers one array of all their elements,
   * assembled on the pool thread (KEYS of millions of keys costs the main thread a copy, not a
   * decode and re-encode of every key). The connection's later commands wait; once a pool thread
   * is free the shards are held (Coordinator.locked) just until the task has taken its
   * snapshots, so the cut sits at one point of the global order, after everything this
   * connection sent before.
   */
  gather(conn: Connection, def: CommandDef, db: number, args: Buffer[]): Promise<Buffer> {
    const shards = this.server.shards.all();
    const parts: SlowPart[] = shards.map((shard) => ({ shard, cmd: def.index!, db, proto: 2, args }));
    conn.hold();
    return this.onCut(shards, parts, undefined, true).then(
      (r) => {
        conn.release();
        return r.replies[0];
      },
      (e) => {
        conn.release();
        throw e;
      },
    );
  }
}
