// A shard's binlog: every write's effect, recorded in the write's own LMDB transaction (a crash can
// never leave data and binlog disagreeing), published to replication through the shard's binlog
// ring once the transaction has committed, and kept within binlog-max-size.
//
// Layout: one LMDB entry per write transaction, key [first sequence u64 BE], value the records one
// after the other, each [sequence u64 BE][length u32 BE][db u8][time ms u64 BE][command as RESP].
// Sequences are global across shards (one shared counter), so replication can merge the shards. A
// transaction takes the block of sequences for its records from the counter once, when it ends
// (before its commit, so a write that follows it anywhere gets higher numbers): one atomic add on a
// counter both shards' cores contend for, instead of one per record.

import type { Database } from 'lmdb';
import type { BinlogRing } from '../binlog-ring.js';
import { readU64BE, writeU64BE } from './keys.js';
import { decimalLength, writeDecimal } from '../resp/number.js';

type Bin = Database<Buffer, Buffer>;

const INFO_BINLOG_BYTES = Buffer.from('binlog-bytes');
/** Per record in a binlog entry: [sequence u64 BE][length u32 BE] before the record itself. */
const BINLOG_REC_HEADER = 12;
/** A record's own header: [db u8][time ms u64 BE], then the command as RESP. */
const RECORD_HEAD = 9;
/** Entries trimmed per transaction at most (the rest next time): trimming stays bounded. */
const TRIM_SLICE = 1024;
/** The entry buffer starts at this size and goes back to it after a transaction made it bigger than ENTRY_KEEP. */
const ENTRY_INITIAL = 64 * 1024;
const ENTRY_KEEP = 4 << 20;

export class BinlogLog {
  /**
   * The running transaction's entry, built in place: each record is encoded straight into it
   * (no buffer per record, no copy into the entry), stored with one put before the commit and
   * published to the ring from here after it.
   */
  private entry = Buffer.allocUnsafe(ENTRY_INITIAL);
  private entryLen = 0;
  /** Records in the entry (their sequence fields are written when the transaction ends). */
  private records = 0;
  /** The sequences given to the running transaction by beforeCommit (0: none yet). */
  private firstSeq = 0;
  /** Bytes the binlog holds (persisted in `info`). */
  private bytes = 0;
  /** Scratch entry key (LMDB copies keys on put). */
  private readonly seqScratch = Buffer.allocUnsafe(8);
  private readonly bytesScratch = Buffer.allocUnsafe(8);

  constructor(
    private readonly binlog: Bin,
    private readonly info: Bin,
    private readonly seq: BigInt64Array,
    private readonly ring: BinlogRing | null,
    /** binlog-max-size for this shard (CONFIG SET applies at runtime). */
    public maxBytes: number,
  ) {}

  /** Bytes the binlog holds. */
  get size(): number {
    return this.bytes;
  }

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

  /** The record of a write in the running transaction: [db u8][time ms u64][the command as a RESP array]. */
  append(db: number, args: Buffer[]): void {
    const argc = args.length;
    let size = 1 + decimalLength(argc) + 2;
    for (let i = 0; i < argc; i++) {
      const n = args[i].length;
      size += 1 + decimalLength(n) + 2 + n + 2;
    }
    const recLen = RECORD_HEAD + size;
    const need = this.entryLen + BINLOG_REC_HEADER + recLen;
    if (need > this.entry.length) this.growEntry(need);
    const b = this.entry;
    let p = this.entryLen;
    b.writeUInt32BE(recLen, p + 8);
    b[p + 12] = db;
    writeU64BE(b, Date.now(), p + 13);
    p += BINLOG_REC_HEADER + RECORD_HEAD;
    b[p++] = 42; // *
    p = writeDecimal(b, p, argc);
    b[p++] = 13;
    b[p++] = 10;
    for (let i = 0; i < argc; i++) {
      const a = args[i];
      b[p++] = 36; // $
      p = writeDecimal(b, p, a.length);
      b[p++] = 13;
      b[p++] = 10;
      b.set(a, p);
      p += a.length;
      b[p++] = 13;
      b[p++] = 10;
    }
    this.entryLen = p;
    this.records++;
  }

  /** Where the running transaction's records end now (see rollback). */
  mark(): number {
    return this.entryLen;
  }

  /** Drops the records appended since `mark` (a MULTI marker that no write followed). */
  rollback(mark: number): void {
    let n = 0;
    for (let p = mark; p < this.entryLen; p += BINLOG_REC_HEADER + this.entry.readUInt32BE(p + 8)) n++;
    this.entryLen = mark;
    this.records -= n;
  }

  private growEntry(need: number): void {
    const nb = Buffer.allocUnsafe(Math.max(need, this.entry.length * 2));
    this.entry.copy(nb, 0, 0, this.entryLen);
    this.entry = nb;
  }

  /**
   * End of a write transaction (still inside it): stores its records as one entry, trims the
   * binlog to its size bound in bounded slices and persists its byte count.
   */
  beforeCommit(): void {
    if (this.entryLen === 0) return;
    const first = Number(Atomics.add(this.seq, 0, BigInt(this.records)));
    this.firstSeq = first;
    const b = this.entry;
    for (let p = 0, seq = first; p < this.entryLen; p += BINLOG_REC_HEADER + b.readUInt32BE(p + 8)) writeU64BE(b, seq++, p);
    writeU64BE(this.seqScratch, first, 0);
    this.binlog.putSync(this.seqScratch, this.entry.subarray(0, this.entryLen));
    this.bytes += this.entryLen + 8;
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
    writeU64BE(this.bytesScratch, Math.max(0, this.bytes), 0);
    this.info.putSync(INFO_BINLOG_BYTES, this.bytesScratch);
  }

  /** After commit: the transaction's records become visible to replication. */
  afterCommit(): void {
    if (this.entryLen === 0) return;
    const ring = this.ring;
    if (ring) {
      const b = this.entry;
      for (let p = 0; p < this.entryLen; ) {
        const len = b.readUInt32BE(p + 8);
        ring.append(readU64BE(b, p), b, p + BINLOG_REC_HEADER, p + BINLOG_REC_HEADER + len);
        p += BINLOG_REC_HEADER + len;
      }
      ring.flush();
    }
    this.clear();
  }

  /** The transaction was aborted: none of its records exist (replication goes past their sequences). */
  afterAbort(): void {
    if (this.firstSeq !== 0) this.ring?.void(this.firstSeq, this.records);
    this.clear();
  }

  private clear(): void {
    this.firstSeq = 0;
    this.entryLen = 0;
    this.records = 0;
    if (this.entry.length > ENTRY_KEEP) this.entry = Buffer.allocUnsafe(ENTRY_INITIAL);
  }
}
