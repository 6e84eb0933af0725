// Where a master's stream stands against its shards' binlogs: "the backlog ends at offset O, and
// holds every binlog record up to sequence S; the stream's database is D". Rewritten in place
// (32 bytes) whenever the stream producer is quiet after appending, so after a restart the
// producer continues from S, after cutting the backlog back to O. `clean` is set by a shutdown
// that drained everything first: only then is the stream after O known to be the same as before,
// and the replication id kept.

import { closeSync, existsSync, openSync, readSync, writeSync } from 'node:fs';
import { join } from 'node:path';

const MAGIC = 0x52504c31; // "RPL1"
const SIZE = 32;

export interface StreamCheckpoint {
  offset: number;
  seq: number;
  db: number;
  clean: boolean;
}

export class CheckpointFile {
  private fd = -1;
  private readonly buf = Buffer.alloc(SIZE);
  private readonly path: string;

  constructor(dir: string) {
    this.path = join(dir, 'stream.ckpt');
  }

  read(): StreamCheckpoint | null {
    if (!existsSync(this.path)) return null;
    const fd = openSync(this.path, 'r');
    try {
      const b = Buffer.alloc(SIZE);
      if (readSync(fd, b, 0, SIZE, 0) !== SIZE || b.readUInt32LE(0) !== MAGIC) return null;
      return { clean: b.readUInt32LE(4) === 1, offset: b.readDoubleLE(8), seq: b.readDoubleLE(16), db: b.readInt32LE(24) };
    } finally {
      closeSync(fd);
    }
  }

  write(c: StreamCheckpoint): void {
    if (this.fd < 0) this.fd = openSync(this.path, existsSync(this.path) ? 'r+' : 'w+');
    const b = this.buf;
    b.writeUInt32LE(MAGIC, 0);
    b.writeUInt32LE(c.clean ? 1 : 0, 4);
    b.writeDoubleLE(c.offset, 8);
    b.writeDoubleLE(c.seq, 16);
    b.writeInt32LE(c.db, 24);
    writeSync(this.fd, b, 0, SIZE, 0);
  }

  close(): void {
    if (this.fd >= 0) closeSync(this.fd);
    this.fd = -1;
  }
}
