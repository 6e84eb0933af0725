// A shard's binlog: every write's effect, recorded in the write's own LMDB transaction (a crash can
// never leave data and binlog disagreeing), published to replication through the shard's binlog
// ring once the transaction has committed, and kept within binlog-max-size.
//
// Layout: one LMDB entry per write transaction, key [first sequence u64 BE], value the records one
// after the other, each [sequence u64 BE][length u32 BE][db u8][time ms u64 BE][command as RESP].
// Sequences are global across shards (one shared counter), so replication can merge the shards.

import type { Database } from 'lmdb';
import { encodeCommand } from '../resp/command.js';
import type { BinlogRing } from '../binlog-ring.js';
import { readU64BE, writeU64BE } from './keys.js';

type Bin = Database<Buffer, Buffer>;

const INFO_BINLOG_BYTES = Buffer.from('binlog-bytes');
/** Per record in a binlog entry: [sequence u64 BE][length u32 BE] before the record itself. */
const BINLOG_REC_HEADER = 12;
/** Entries trimmed per transaction at most (the rest next time): trimming stays bounded. */
const TRIM_SLICE = 1024;

export class BinlogLog {
  /** Records of the running transaction, published after its commit. */
  private unpublished: Array<{ seq: number; rec: Buffer }> = [];
  /** Bytes the binlog holds (persisted in `info`). */
  private bytes = 0;
  private dirty = false;
  /** Scratch entry key (LMDB copies keys on put). */
  private readonly seqScratch = Buffer.allocUnsafe(8);

  constructor(
    private readonly binlog: Bin,
    private readonly info: Bin,
    private readonly seq: BigInt64Array,
    private readonly ring: BinlogRing | null,
    /** binlog-max-size for this shard (CONFIG SET applies at runtime). */
    public maxBytes: number,
  ) {}

  /** Reads the persisted byte count (the shard's own environment, at startup). */
  load(): void {
    const bb = this.info.getBinary(INFO_BINLOG_BYTES);
    this.bytes = bb ? readU64BE(bb, 0) : 0;
  }

  /** Highest sequence stored, 0 when empty (the last record of the last entry). */
  lastSeq(): number {
    for (const { value } of this.binlog.getRange({ reverse: true, limit: 1 })) {
      const v = value as Buffer;
      let last = 0;
      for (let off = 0; off + BINLOG_REC_HEADER <= v.length; off += BINLOG_REC_HEADER + v.readUInt32BE(off + 8)) last = readU64BE(v, off);
      return last;
    }
    return 0;
  }

  /** The record of a write in the running transaction: [db u8][time ms u64][RESP]. */
  append(db: number, args: Buffer[]): void {
    const seq = Number(Atomics.add(this.seq, 0, 1n));
    // [db][time ms u64 BE][the command as a RESP array], in one allocation
    const rec = encodeCommand(args, 9);
    rec[0] = db;
    writeU64BE(rec, Date.now(), 1);
    this.dirty = true;
    this.unpublished.push({ seq, rec });
  }

  /**
   * End of a write transaction (still inside it): stores its records as one entry, trims the
   * binlog to its size bound in bounded slices and persists its byte count.
   */
  beforeCommit(): void {
    if (!this.dirty) return;
    this.dirty = false;
    this.writeEntry();
    if (this.bytes > this.maxBytes) {
      let n = 0;
      for (const { key, value } of this.binlog.getRange({ limit: TRIM_SLICE })) {
        if (this.bytes <= this.maxBytes * 0.9) break;
        this.binlog.removeSync(key);
        this.bytes -= value.length + 8;
        n++;
      }
      if (n === 0) this.bytes = 0;
    }
    const b = Buffer.allocUnsafe(8);
    writeU64BE(b, Math.max(0, this.bytes), 0);
    this.info.putSync(INFO_BINLOG_BYTES, b);
  }

  private writeEntry(): void {
    const recs = this.unpublished;
    if (recs.length === 0) return;
    let size = 0;
    for (const r of recs) size += BINLOG_REC_HEADER + r.rec.length;
    const v = Buffer.allocUnsafe(size);
    let off = 0;
    for (const r of recs) {
      writeU64BE(v, r.seq, off);
      v.writeUInt32BE(r.rec.length, off + 8);
      r.rec.copy(v, off + BINLOG_REC_HEADER);
      off += BINLOG_REC_HEADER + r.rec.length;
    }
    writeU64BE(this.seqScratch, recs[0].seq, 0);
    this.binlog.putSync(this.seqScratch, v);
    this.bytes += size + 8;
  }

  /** After commit: the transaction's records become visible to replication. */
  afterCommit(): void {
    if (this.unpublished.length === 0) return;
    if (this.ring) for (const r of this.unpublished) this.ring.publish(r.seq, r.rec);
    this.unpublished.length = 0;
  }

  /** The transaction was aborted: none of its records exist. */
  afterAbort(): void {
    this.unpublished.length = 0;
    this.dirty = false;
  }
}
