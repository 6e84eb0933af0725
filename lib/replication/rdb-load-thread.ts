// A thread a replica's full sync loads its RDB file in (workers/rdb-load.ts): the file is
// imported into a new data directory beside the live one (lib/tools/rdb-import.ts, with the
// server's shard count and databases), off the main thread and off the shards, which go on
// serving the old data meanwhile. Several threads may share the work: each reads the whole file
// and writes the keys of its own shards. Progress goes back every 100 ms; the main thread
// cancels by setting a flag in a shared word, seen at the next chunk of the file.

import { parentPort, workerData } from 'node:worker_threads';
import type { EncodingLimits } from '../rdb/value.js';
import { encodingLimits } from '../store/encoding-limits.js';
import { importRdb, type ImportSummary } from '../tools/rdb-import.js';

export interface RdbLoadInit {
  rdbPath: string;
  /** the new data directory (shard-<i> in it), made by the main thread (prepareForImport) */
  dir: string;
  /** the shards this thread writes */
  only: number[];
  shards: number;
  databases: number;
  /** the server's encoding thresholds: a loaded value gets the encoding the server would give it */
  encoding: EncodingLimits;
  /** Int32Array(1): set to 1 to cancel */
  cancelSab: SharedArrayBuffer;
}

export type FromRdbLoad =
  | { t: 'progress'; bytes: number; keys: number }
  | { t: 'done'; summary: Omit<ImportSummary, 'databases'> & { databases: Array<[number, number]> } }
  | { t: 'error'; message: string; code?: string; cancelled: boolean };

export class LoadCancelled extends Error {
  constructor() {
    super('the load was cancelled');
  }
}

const PROGRESS_EVERY_MS = 100;

export async function runRdbLoad(): Promise<void> {
  const init = workerData as RdbLoadInit;
  const port = parentPort!;
  const post = (m: FromRdbLoad): void => port.postMessage(m);
  Object.assign(encodingLimits, init.encoding);
  const cancel = new Int32Array(init.cancelSab);
  let last = 0;
  try {
    const summary = await importRdb(init.rdbPath, {
      dir: init.dir,
      layout: { shards: init.shards, databases: init.databases },
      replace: false,
      only: init.only,
      // respdb's streams have no consumer groups: a stream loads without them
      dropStreamGroups: true,
      keepExpired: true,
      onProgress: (bytes, keys) => {
        if (Atomics.load(cancel, 0) !== 0) throw new LoadCancelled();
        const now = Date.now();
        if (now - last < PROGRESS_EVERY_MS) return;
        last = now;
        post({ t: 'progress', bytes, keys });
      },
    });
    const m: FromRdbLoad = { t: 'done', summary: { ...summary, databases: [...summary.databases] } };
    port.postMessage(m, summary.counts.map((c) => c.special.buffer as ArrayBuffer));
  } catch (e) {
    post({ t: 'error', message: (e as Error).message, code: (e as NodeJS.ErrnoException).code, cancelled: e instanceof LoadCancelled });
  }
}
