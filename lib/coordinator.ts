// Commands whose keys live on several shards.
//
// Ordering is the whole trick. The main thread is the only producer of every shard's request
// stream, and each shard executes its stream in order. Whatever the main thread enqueues to several
// shards in one synchronous step therefore sits at the same point of one global order on all of
// them: any two operations that share a shard are executed in enqueue order on it, so the history
// is serializable in enqueue order and no client can observe half of a multi-shard operation.
//
// - scatter: parts that do not depend on each other (MSET, DEL k1 k2, MGET, EXISTS) are enqueued to
//   their shards in one step and their replies merged. No waiting, no locks.
// - locked: parts with a data dependency (RENAME a b, MSETNX, SMOVE, *STORE, MULTI/EXEC) enqueue a
//   LOCK record on every involved shard in one step. A shard that reaches the lock stops taking
//   requests from its ring; once all have stopped, the transaction runs its steps against them
//   (each shard executes steps from the control channel), then unlocks them. Locks are taken in the
//   global order too, so two transactions can never wait for each other (no deadlock).

import type { Connection } from './connection.js';
import type { CommandDef, ShardAccess, Tx } from './commands/types.js';
import type { ShardSet } from './shard/set.js';
import type { Diagnostics } from './latency.js';
import { decodeReply, type Decoded } from './resp/decode.js';
import { RespWriter } from './resp/writer.js';
import { TRACK_PART } from './shard/protocol.js';
import { mergeParts } from './store/key-events.js';
import { errBuf, wrongArgs } from './errors.js';
import { internal } from './commands/registry.js';
import type { ReplyTarget } from './shard/handle.js';

const REPL_GROUP_CMD = Buffer.from('repl-group');
const GROUP_BEGIN = Buffer.from('begin');
const GROUP_END = Buffer.from('end');
/** The reply of a marker: nobody waits for it. */
const IGNORED: ReplyTarget = { onReply: () => undefined };

export type { Tx };

/**
 * Told of every lock (replication's stream merger, while this node produces a stream): what the
 * held shards write between open and close is one group, shipped as one MULTI ... EXEC.
 */
export interface LockObserver {
  openGroup(id: number, shards: number[]): void;
  closeGroup(id: number): void;
}

/** The live shards as coordinated handlers see them (ShardAccess): locks in the global order. */
export class Coordinator implements ShardAccess {
  private txSeq = 0;
  readonly count: number;
  /**
   * Set while this node produces a replication stream: locks are reported, and the parts of
   * writes that span shards without a lock (scatter, broadcast) are bracketed by group markers.
   */
  observer: LockObserver | null = null;

  constructor(
    private readonly shards: ShardSet,
    private readonly diagnostics: Diagnostics,
  ) {
    this.count = shards.count;
  }

  of(key: Buffer): number {
    return this.shards.of(key);
  }

  /** The shards as the coordinated handlers of `conn`'s commands see them (its keyspace events' origin). */
  forClient(conn: Connection): ShardAccess {
    return new ClientShards(this, conn);
  }

  /** Splits a command per shard, runs the parts at one point of the global order, merges. */
  scatter(conn: Connection, def: CommandDef, args: Buffer[], keyIdx: readonly number[]): void {
    const spec = def.scatter!;
    const parts = splitScatter(this.shards, def, args, keyIdx);
    if (typeof parts === 'string') {
      conn.reply(errBuf(parts));
      return;
    }
    const group = this.observer !== null && parts.size > 1 && def.flags.includes('write') ? this.groupArgs(parts.size) : null;
    const slot = conn.slot();
    const proto = conn.proto;
    const replies = new Map<number, Decoded>();
    let remaining = parts.size;
    // the command's duration: the sum of its parts' execution times on their shards
    let micros = 0;
    // the parts' keyspace events, published in key order before the reply
    let events: Map<number, Buffer> | null = null;
    for (const [s, p] of parts) {
      const link = this.shards.links[s];
      link.barrier++; // no direct reads on this shard until its part is answered
      if (group !== null) link.handle.send(this.groupDef(), conn.db, 2, group[0], IGNORED);
      link.handle.send(
        def.index!,
        conn.db,
        proto,
        p.args,
        {
          onTimed: (us) => {
            micros += us;
          },
          onKeyEvents: (records) => {
            (events ??= new Map()).set(s, Buffer.from(records));
          },
          onReply: (r) => {
            link.barrier--;
            replies.set(s, decodeReply(Buffer.from(r)));
            if (--remaining === 0) {
              this.diagnostics.commandDone(conn, args, def, micros);
              if (events !== null) this.scatterEvents(conn, args, keyIdx, events);
              slot.fill(mergeScatter(spec.merge, proto, keyIdx.length, parts, replies));
            }
          },
        },
        TRACK_PART,
      );
      if (group !== null) link.handle.send(this.groupDef(), conn.db, 2, group[1], IGNORED);
    }
    this.shards.scheduleFlush();
  }

  private groupSeq = 0;
  private readonly groupBase = Math.floor(Math.random() * 1e9).toString(36);

  /** The arguments of a group's begin and end markers (repl-group). */
  private groupArgs(parts: number): [Buffer[], Buffer[]] {
    const id = Buffer.from(`${this.groupBase}.${(++this.groupSeq).toString(36)}`);
    const n = Buffer.from(String(parts));
    return [
      [REPL_GROUP_CMD, GROUP_BEGIN, id, n],
      [REPL_GROUP_CMD, GROUP_END, id, n],
    ];
  }

  private groupDef(): number {
    return (this.replGroup ??= internal('repl-group')).index!;
  }

  private replGroup: CommandDef | null = null;

  /**
   * A write on every shard at this point of the order (FLUSHALL, SWAPDB...); while replicating,
   * each part between group markers so the stream carries it once, at one point.
   */
  broadcastWrite(def: CommandDef, db: number, proto: number, args: Buffer[], origin?: Connection): Promise<Buffer[]> {
    if (this.observer === null || this.shards.count === 1) return this.shards.broadcast(def, db, proto, args, origin);
    const [begin, end] = this.groupArgs(this.shards.count);
    return Promise.all(
      this.shards.links.map((l) => {
        l.handle.send(this.groupDef(), db, 2, begin, IGNORED);
        const r = this.shards.call(l.index, def, db, proto, args, origin);
        l.handle.send(this.groupDef(), db, 2, end, IGNORED);
        return r;
      }),
    );
  }

  /** A scatter command's keyspace events, as one server would have emitted them: in key order. */
  private scatterEvents(conn: Connection, args: Buffer[], keyIdx: readonly number[], events: Map<number, Buffer>): void {
    const keys = keyIdx.map((i) => args[i]);
    this.shards.deliverKeyEvents(conn, mergeParts(keys, keys.map((k) => this.shards.of(k)), events));
  }

  /**
   * Runs `fn` while holding the given shards. Must be called synchronously from the command's
   * dispatch (before any await) so the locks take the command's place in the order. `origin`: the
   * client whose command this is (the origin of the steps' keyspace events).
   */
  async locked<T>(shards: number[], fn: (tx: Tx) => Promise<T>, origin: Connection | null = null): Promise<T> {
    const txid = (this.txSeq = (this.txSeq + 1) >>> 0);
    const ids = [...new Set(shards)].sort((a, b) => a - b);
    const links = ids.map((s) => this.shards.links[s]);
    for (const l of links) l.barrier++; // no direct reads on held shards
    const reached = links.map(
      (l) =>
        new Promise<void>((resolve) => {
          l.handle.lock(txid, { onReply: () => resolve() });
        }),
    );
    this.shards.scheduleFlush();
    await Promise.all(reached);
    const observer = this.observer;
    observer?.openGroup(txid, ids);
    const held = new Set(ids);
    const tx: Tx = {
      exec: (shard, def, db, args, proto = 2, onKeyEvents) => {
        if (!held.has(shard)) throw new Error(`transaction does not hold shard ${shard}`);
        return this.shards.links[shard].handle.step(def.index!, db, proto, args, origin, onKeyEvents);
      },
      execParts: async (parts, keys) => {
        const events = new Map<number, Buffer>();
        const replies = await Promise.all(
          parts.map((p) => {
            if (!held.has(p.shard)) throw new Error(`transaction does not hold shard ${p.shard}`);
            return this.shards.links[p.shard].handle.step(p.def.index!, p.db, 2, p.args, origin, (r) => {
              const before = events.get(p.shard);
              events.set(p.shard, before ? Buffer.concat([before, r]) : Buffer.from(r));
            });
          }),
        );
        if (events.size > 0) this.shards.deliverKeyEvents(origin, mergeParts(keys, keys.map((k) => this.shards.of(k)), events));
        return replies;
      },
    };
    try {
      return await fn(tx);
    } finally {
      observer?.closeGroup(txid);
      await Promise.all(links.map((l) => l.handle.unlock(txid)));
      for (const l of links) {
        l.barrier--;
        l.stale = true;
      }
    }
  }
}

/** The coordinator as one client's coordinated handlers use it: their transactions are its. */
class ClientShards implements ShardAccess {
  readonly count: number;

  constructor(
    private readonly coord: Coordinator,
    private readonly conn: Connection,
  ) {
    this.count = coord.count;
  }

  of(key: Buffer): number {
    return this.coord.of(key);
  }

  locked<T>(shards: number[], fn: (tx: Tx) => Promise<T>): Promise<T> {
    return this.coord.locked(shards, fn, this.conn);
  }
}

/** The per-shard parts of a scatter command: for each shard its arguments and its keys' positions (or an error). */
export function splitScatter(
  shards: { of(key: Buffer): number },
  def: CommandDef,
  args: Buffer[],
  keyIdx: readonly number[],
): Map<number, { args: Buffer[]; pos: number[] }> | string {
  const group = def.scatter!.group;
  // MSET k v k: the key specs name every other argument, but a pair is incomplete
  if ((args.length - keyIdx[0]) % group !== 0) return wrongArgs(def.name);
  const parts = new Map<number, { args: Buffer[]; pos: number[] }>();
  for (let k = 0; k < keyIdx.length; k++) {
    const i = keyIdx[k];
    const s = shards.of(args[i]);
    let p = parts.get(s);
    if (!p) {
      p = { args: args.slice(0, keyIdx[0]), pos: [] };
      parts.set(s, p);
    }
    for (let g = 0; g < group; g++) p.args.push(args[i + g]);
    p.pos.push(k);
  }
  return parts;
}

/** The client's reply of a scatter command from its parts' replies. */
export function mergeScatter(
  kind: 'sum' | 'ok' | 'gather',
  proto: number,
  nkeys: number,
  parts: Map<number, { pos: number[] }>,
  replies: Map<number, Decoded>,
): Buffer {
  for (const r of replies.values()) if (r instanceof Error) return Buffer.from('-' + r.message + '\r\n');
  const w = new RespWriter(256);
  w.proto = proto === 3 ? 3 : 2;
  if (kind === 'ok') {
    w.ok();
  } else if (kind === 'sum') {
    let n = 0n;
    for (const r of replies.values()) n += r as bigint;
    w.int(n);
  } else {
    const out: Decoded[] = new Array(nkeys);
    for (const [s, p] of parts) {
      const arr = replies.get(s) as Decoded[];
      for (let j = 0; j < p.pos.length; j++) out[p.pos[j]] = arr[j];
    }
    w.array(nkeys);
    for (const v of out) w.bulk(v === null ? null : (v as Buffer));
  }
  return w.take();
}
