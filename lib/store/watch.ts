// WATCH on one shard: which clients watch which of this shard's keys, and whether a watched key
// changed since. The check must happen where the writes happen: a write routed just before a
// client's EXEC runs before it on the shard, so only the shard can tell whether EXEC comes after
// it. Every write effect of the shard (the one write path: ShardStore.appendBinlog, lazy and
// active expiry included) passes through `effect` while anything is watched here; FLUSHDB,
// FLUSHALL and SWAPDB tell the table before they change the data.
//
// Redis 7.0's rules, per watched key of a client:
// - a write to the key makes the client dirty: its EXEC answers nil;
// - a key that was already logically expired when watched is "expired-at-watch": its deletion
//   (by expiry, or a flush) is no change and just clears the mark; any other write is a change;
// - at EXEC, a key that was live when watched and is now logically expired is a change;
// - FLUSHDB/FLUSHALL change only the watched keys that existed (expired or not) in the flushed
//   database; SWAPDB changes a watched key when it exists on either side, except that an
//   expired-at-watch key replaced by nothing or by another expired key stays unchanged, and a
//   missing key replaced by an expired one becomes expired-at-watch.

import type { ShardStore } from './shard-store.js';

interface Watched {
  readonly client: Watcher;
  readonly db: number;
  readonly key: Buffer;
  /** The key existed but was logically expired when it was watched. */
  expired: boolean;
}

interface Watcher {
  readonly id: number;
  readonly keys: Watched[];
  dirty: boolean;
}

/** The keys a write effect changes, found by the caller from the command table. */
export type EffectTouches = (db: number, args: Buffer[], touch: (db: number, key: Buffer) => void) => void;

function mapKey(db: number, key: Buffer): string {
  return db + ':' + key.toString('latin1');
}

export class WatchTable {
  private readonly byKey = new Map<string, Watched[]>();
  private readonly byClient = new Map<number, Watcher>();
  private readonly touchKey = (db: number, key: Buffer): void => this.touch(db, key);

  constructor(
    private readonly store: ShardStore,
    private readonly effectTouches: EffectTouches,
  ) {}

  /** Client `id` watches `key` of `db` (a key it already watches keeps its first state). */
  add(id: number, db: number, key: Buffer, now: number): void {
    let c = this.byClient.get(id);
    if (!c) this.byClient.set(id, (c = { id, keys: [], dirty: false }));
    const mk = mapKey(db, key);
    let list = this.byKey.get(mk);
    if (list) for (const w of list) if (w.client === c) return;
    const w: Watched = { client: c, db, key: Buffer.from(key), expired: this.expiredNow(db, key, now) };
    c.keys.push(w);
    if (!list) this.byKey.set(mk, (list = []));
    list.push(w);
    this.store.watching = true;
  }

  /** Forgets everything client `id` watches here. */
  forget(id: number): void {
    const c = this.byClient.get(id);
    if (!c) return;
    this.byClient.delete(id);
    for (const w of c.keys) {
      const mk = mapKey(w.db, w.key);
      const list = this.byKey.get(mk);
      if (!list) continue;
      const i = list.indexOf(w);
      if (i >= 0) list.splice(i, 1);
      if (list.length === 0) this.byKey.delete(mk);
    }
    if (this.byClient.size === 0) this.store.watching = false;
  }

  /** At EXEC: true when nothing client `id` watches here changed. */
  clean(id: number, now: number): boolean {
    const c = this.byClient.get(id);
    if (!c) return true;
    if (c.dirty) return false;
    // a key that was live when watched and has logically expired since is a change
    for (const w of c.keys) if (!w.expired && this.expiredNow(w.db, w.key, now)) return false;
    return true;
  }

  /** A write effect of this shard (its binlog arguments, in `db`). */
  effect(db: number, args: Buffer[]): void {
    this.effectTouches(db, args, this.touchKey);
  }

  /** A write changed `key` of `db`. */
  touch(db: number, key: Buffer): void {
    const list = this.byKey.get(mapKey(db, key));
    if (!list) return;
    for (const w of list) {
      if (w.client.dirty) continue;
      // the deletion of a key that was already expired when watched changes nothing logically
      if (w.expired && !this.exists(db, key)) {
        w.expired = false;
        continue;
      }
      w.client.dirty = true;
    }
  }

  /** Before FLUSHDB (`db`) or FLUSHALL (-1) empties this shard's data. */
  flushing(db: number): void {
    for (const list of this.byKey.values()) {
      for (const w of list) {
        if (w.client.dirty || (db >= 0 && w.db !== db) || !this.exists(w.db, w.key)) continue;
        if (w.expired) w.expired = false;
        else w.client.dirty = true;
      }
    }
  }

  /** Before SWAPDB a b exchanges two databases of this shard. */
  swapping(a: number, b: number, now: number): void {
    for (const list of this.byKey.values()) {
      for (const w of list) {
        if (w.client.dirty || (w.db !== a && w.db !== b)) continue;
        const other = w.db === a ? b : a;
        const inOwn = this.exists(w.db, w.key);
        const inOther = this.exists(other, w.key);
        if (!inOwn && !inOther) continue;
        const otherExpired = inOther && this.expiredNow(other, w.key, now);
        if (w.expired) {
          if (!inOther) {
            w.expired = false;
            continue;
          }
          if (otherExpired) continue;
        } else if (!inOwn && otherExpired) {
          w.expired = true;
          continue;
        }
        w.client.dirty = true;
      }
    }
  }

  /** The key has a record, live or logically expired. */
  private exists(db: number, key: Buffer): boolean {
    return this.store.peekRecord(db, key) !== null;
  }

  private expiredNow(db: number, key: Buffer, now: number): boolean {
    const m = this.store.peekRecord(db, key);
    return m !== null && m.expireAt !== 0 && m.expireAt <= now;
  }
}
