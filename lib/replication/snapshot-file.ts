// A full sync's RDB written to a file first, for a replica that needs its length before the bytes
// (`$<len>` framing: SYNC, or a replica without `capa eof`).

import { closeSync, openSync, rmSync, writeSync } from 'node:fs';
import type { RdbSnapshot } from './snapshot.js';

export class SnapshotFile {
  size = 0;

  constructor(readonly path: string) {}

  /** Writes every chunk of the snapshot to the file. */
  async fill(snap: RdbSnapshot): Promise<void> {
    const fd = openSync(this.path, 'w');
    try {
      for (;;) {
        const chunk = await snap.read();
        if (chunk === null) break;
        let done = 0;
        while (done < chunk.length) done += writeSync(fd, chunk, done, chunk.length - done);
        this.size += chunk.length;
      }
    } catch (e) {
      closeSync(fd);
      this.remove();
      throw e;
    }
    closeSync(fd);
  }

  remove(): void {
    rmSync(this.path, { force: true });
  }
}
