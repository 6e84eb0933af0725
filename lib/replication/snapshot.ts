// The RDB of one consistent cut of every shard, for a full sync: taken under the coordinator's
// lock of every shard and encoded there, from the main thread's views of the shards.

import { Writable } from 'node:stream';
import type { Server } from '../server.js';
import { RdbFileWriter } from '../rdb/file-write.js';
import { decodeMeta } from '../store/meta.js';
import { readValue } from '../store/rdb-values.js';
import { encodingLimits } from '../store/encoding-limits.js';

export interface SnapshotOptions {
  /** the stream's database at the cut (AUX repl-stream-db) */
  streamDb?: number;
}

export class RdbSnapshot {
  readonly cut: Promise<{ seq: number; keys: number }>;
  private chunks: Buffer[] = [];
  private done = false;
  private failed: Error | null = null;
  private wake: (() => void) | null = null;
  bytesProduced = 0;
  keysWritten = 0;

  private constructor(server: Server) {
    const all = server.shards.all();
    this.cut = server.coord.locked(all, async () => {
      const seq = Number(new BigInt64Array(server.shards.seqSab)[0]) - 1;
      const sink = new Writable({
        write: (chunk: Buffer, _enc, cb) => {
          this.chunks.push(Buffer.from(chunk));
          this.bytesProduced += chunk.length;
          cb();
        },
      });
      const w = new RdbFileWriter(sink, { limits: encodingLimits, compress: true });
      await w.begin();
      const now = Date.now();
      for (let db = 0; db < server.databases; db++) {
        let started = false;
        for (const l of server.shards.links) {
          const s = l.view!;
          s.env.resetReadTxn();
          const p = s.physical(db);
          for (const { key, value } of s.meta.getRange({ start: Buffer.from([p]), end: Buffer.from([p + 1]) })) {
            const mk = Buffer.from(key as Buffer);
            const m = decodeMeta(mk, Buffer.from(value as Buffer));
            if (m.expireAt !== 0 && m.expireAt <= now) continue;
            if (!started) {
              await w.selectDb(db, 0, 0);
              started = true;
            }
            await w.writeKey({ db, key: Buffer.from(s.userKey(mk, m.raw)), value: readValue(s, m), expireAt: m.expireAt === 0 ? null : BigInt(m.expireAt), idle: null, freq: null });
            this.keysWritten++;
          }
        }
      }
      await w.end();
      return { seq, keys: this.keysWritten };
    });
    this.cut.then(
      () => {
        this.done = true;
        this.wake?.();
      },
      (e: Error) => {
        this.failed = e;
        this.wake?.();
      },
    );
  }

  /** Must be called from a command's dispatch, before any await: the cut takes that point of the order. */
  static take(server: Server, _opts: SnapshotOptions = {}): RdbSnapshot {
    return new RdbSnapshot(server);
  }

  async read(): Promise<Buffer | null> {
    for (;;) {
      if (this.failed) throw this.failed;
      if (this.chunks.length > 0) return this.chunks.shift()!;
      if (this.done) return null;
      await new Promise<void>((r) => (this.wake = r));
    }
  }

  cancel(): void {
    this.chunks = [];
  }
}
