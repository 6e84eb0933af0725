// A batch holding commands that run in a write transaction of their own (CommandDef.ownTransaction:
// scripts on their shard): the stretches between them each in one transaction as usual, each of
// them in its own, which it may ask to abort (ShardStore.abortReply): its writes are dropped,
// key counts put back, and that reply goes out instead.

import type { ShardStore } from '../store/shard-store.js';
import type { RespWriter } from '../resp/writer.js';
import type { ShardStats } from './stats.js';
import { OP_LOCK } from './protocol.js';
import { logger } from '../log.js';

const log = logger('shard');

/** Thrown out of a transaction whose command asked to abort it. */
export const ABANDONED = new Error('abandoned');

/** What the runner needs of the shard runtime. */
export interface SegmentHost {
  readonly store: ShardStore;
  readonly stats: ShardStats;
  readonly w: RespWriter;
  readonly ownTxnCmd: Uint8Array;
  readonly writeCmd: Uint8Array;
  /** Runs one record; its duration (µs). */
  exec(frame: Buffer, at: number, now: number): number;
  timed(frame: Buffer, at: number, us: number): void;
  keyEvents(): void;
  /** A write transaction committed. */
  committed(): void;
  /** A write transaction was aborted. */
  aborted(): void;
  /** A transaction failed: true when for lack of room (lib/store/disk-space.ts); its writes are then refused. */
  diskFailed(e: unknown): boolean;
  /** The error refused writes answer. */
  diskRefusal(): string;
}

/** The batch's records, and the runtime's loop over a range of them. */
export interface SegmentBatch {
  count: number;
  recs: number[];
  recFrame: Buffer[];
  now: number;
  runAll: (from: number, to: number) => void;
  getDone: () => number;
  setDone: (d: number) => void;
}

/**
 * A batch holding commands that run in a transaction of their own (scripts): the stretches
 * between them each in one transaction as usual, each of them in its own, which it may ask to
 * abort (ShardStore.abortReply: its writes are dropped and that reply goes out instead).
 */
export function runSegments(h: SegmentHost, b: SegmentBatch): number {
const { count, recs, recFrame, now, runAll, getDone, setDone } = b;
  const store = h.store;
  const events = store.events;
  const w = h.w;
  const cmdOf = (i: number): number => recFrame[i].readUInt32LE(recs[i] + 4);
  let i = 0;
  while (i < count) {
    let j = i;
    while (j < count && recFrame[j][recs[j]] !== OP_LOCK && h.ownTxnCmd[cmdOf(j)] !== 1) j++;
    if (j < count && recFrame[j][recs[j]] === OP_LOCK) j = count;
    if (j > i) {
      let writes = events.active;
      for (let k = i; k < j && !writes; k++) if (recFrame[k][recs[k]] !== OP_LOCK && h.writeCmd[cmdOf(k)] === 1) writes = true;
      if (writes) stretchInTxn(h, i, j, runAll, getDone, setDone);
      else runAll(i, j);
    }
    if (j >= count) break;
    const frame = recFrame[j];
    const at = recs[j];
    const lenAt = w.pos;
    w.ensure(4);
    w.pos += 4;
    store.abortReply = null;
    store.writing = true;
    let us = 0;
    const counts = h.stats.saveCounts();
    try {
      store.env.transactionSync(() => {
        us = h.exec(frame, at, now);
        if (store.abortReply !== null) throw ABANDONED;
        store.beforeCommit();
      });
      store.afterCommit();
      h.committed();
      w.buf.writeUInt32LE(w.pos - lenAt - 4, lenAt);
      if (frame[at + 3] !== 0) h.timed(frame, at, us);
      if (events.active) h.keyEvents();
    } catch (e) {
      store.afterAbort();
      h.stats.restoreCounts(counts);
      h.aborted();
      events.clear();
      const noRoom = e !== ABANDONED && h.diskFailed(e);
      if (e !== ABANDONED && !noRoom) log.error({ err: e }, 'transaction failed');
      w.pos = lenAt + 4;
      if (store.abortReply !== null) w.raw(store.abortReply);
      else if (noRoom) w.error(h.diskRefusal());
      else w.error('ERR internal error: ' + (e as Error).message);
      w.buf.writeUInt32LE(w.pos - lenAt - 4, lenAt);
    } finally {
      store.writing = false;
      store.abortReply = null;
    }
    setDone(getDone() + 1);
    i = j + 1;
  }
  return getDone();
}

/** Records [from, to) of a batch in one write transaction; when it fails, each of them answers the error. */
function stretchInTxn(h: SegmentHost, from: number, to: number, runAll: (from: number, to: number) => void, getDone: () => number, setDone: (d: number) => void): void {
  const store = h.store;
  const w = h.w;
  const startPos = w.pos;
  const startDone = getDone();
  const counts = h.stats.saveCounts();
  let rerun = false;
  store.writing = true;
  try {
    store.env.transactionSync(() => {
      runAll(from, to);
      store.beforeCommit();
    });
    store.afterCommit();
    h.committed();
  } catch (e) {
    store.afterAbort();
    h.stats.restoreCounts(counts);
    h.aborted();
    store.events.clear();
    w.pos = startPos;
    if (h.diskFailed(e)) rerun = true;
    else {
      log.error({ err: e }, 'batch transaction failed');
      for (let i = from; i < to; i++) {
        const lenAt = w.pos;
        w.ensure(4);
        w.pos += 4;
        w.error('ERR internal error: ' + (e as Error).message);
        w.buf.writeUInt32LE(w.pos - lenAt - 4, lenAt);
      }
      setDone(startDone + (to - from));
    }
  } finally {
    store.writing = false;
  }
  if (rerun) {
    // No room: the stretch runs again outside a transaction, its writes refused, its reads answered.
    setDone(startDone);
    runAll(from, to);
  }
}

