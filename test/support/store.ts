/**
 * A shard's store without a server, for the store rooms' tests (test/store/*.test.ts): one
 * ShardStore in a temporary directory, and write transactions run as the shard runs them
 * (writing flag, one LMDB transaction, beforeCommit / afterCommit), with the binlog effects of
 * each transaction collected.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Test } from 'tap';
import { ShardStore } from '../../lib/store/shard-store.js';
import { ShardShared } from '../../lib/store/shared-state.js';
import { ShardStats } from '../../lib/shard/stats.js';
import type { StoreCtx } from '../../lib/store/context.js';

export interface TestStore {
  store: ShardStore;
  /** Runs `fn` in one write transaction in database `db` (default 0); its binlog effects are returned with its result. */
  write<T>(fn: (x: StoreCtx) => T, db?: number): { result: T; effects: string[][] };
  /** Runs `fn` outside a write transaction (a read, as a read-only batch does). */
  read<T>(fn: (x: StoreCtx) => T, db?: number): T;
  /** The clock the contexts carry (ms); tests move it to test expiry. */
  now: number;
  /** Closes the store and removes its directory. */
  close(): Promise<void>;
}

const DATABASES = 16;

/** Opens a fresh store; `t.teardown` closes it. */
export function openTestStore(t: Test): TestStore {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'respdb-store-'));
  const store = new ShardStore({
    index: 0,
    dir,
    databases: DATABASES,
    seq: new BigInt64Array(new SharedArrayBuffer(8)),
    stats: new ShardStats(DATABASES),
    binlogRing: null,
    binlogMaxBytes: 64 << 20,
    shared: new ShardShared(),
  });
  let closed = false;
  const ts: TestStore = {
    store,
    now: Date.now(),
    write<T>(fn: (x: StoreCtx) => T, db = 0): { result: T; effects: string[][] } {
      const effects: string[][] = [];
      const x: StoreCtx = {
        store,
        db,
        now: ts.now,
        binlog(args: Buffer[], event?: number) {
          store.appendBinlog(db, args, event);
          effects.push(args.map((a) => a.toString('latin1')));
        },
      };
      store.currentDb = db;
      const result = store.writeSync(() => fn(x));
      return { result, effects };
    },
    read<T>(fn: (x: StoreCtx) => T, db = 0): T {
      const x: StoreCtx = {
        store,
        db,
        now: ts.now,
        binlog() {
          throw new Error('a read cannot write');
        },
      };
      store.currentDb = db;
      return fn(x);
    },
    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      await store.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
  t.teardown(() => ts.close());
  return ts;
}
