// Whole RDB files as redis-server 7.0 writes them, streamed:
//
//   "REDIS0010"
//   AUX fields (0xFA key value): redis-ver, redis-bits, ctime, used-mem, aof-base
//   per database: SELECTDB (0xFE db), RESIZEDB (0xFB keys, keys with an expiry)
//     per key: [EXPIRETIME_MS (0xFC, u64 LE unix ms)] type key object
//   EOF (0xFF), CRC64 of every byte before it and of itself (u64 LE)

import type { Writable } from 'node:stream';
import { crc64 } from './crc64.js';
import { type EncodeOptions, encodeObject } from './object-write.js';
import { writeLength, writeString } from './string.js';
import type { EncodingLimits, RdbKey } from './value.js';

export const RDB_OPCODE = {
  FUNCTION2: 0xf5,
  FUNCTION_PRE_GA: 0xf6,
  MODULE_AUX: 0xf7,
  IDLE: 0xf8,
  FREQ: 0xf9,
  AUX: 0xfa,
  RESIZEDB: 0xfb,
  EXPIRETIME_MS: 0xfc,
  EXPIRETIME: 0xfd,
  SELECTDB: 0xfe,
  EOF: 0xff,
} as const;

export interface RdbFileWriterOptions extends EncodeOptions {
  limits: EncodingLimits;
  /** the redis-ver AUX field; default "7.0.15" */
  redisVersion?: string;
  /** the used-mem AUX field; default 0 */
  usedMem?: number;
  /** the ctime AUX field (unix seconds); default now */
  ctime?: number;
  /** write IDLE / FREQ opcodes for keys that have them (Redis does under an LRU / LFU policy) */
  evictionInfo?: 'lru' | 'lfu' | null;
}

const CHUNK = 256 * 1024;

/** Writes an RDB file to a stream, waiting for it to drain when it asks to. */
export class RdbFileWriter {
  private crc = 0n;
  private parts: Buffer[] = [];
  private pending = 0;
  private db = -1;
  /** bytes handed to the stream so far */
  bytesWritten = 0;
  keysWritten = 0;

  constructor(
    private readonly out: Writable,
    private readonly opts: RdbFileWriterOptions,
  ) {}

  private push(b: Buffer): void {
    this.parts.push(b);
    this.pending += b.length;
  }

  /** Hand what is buffered to the stream; resolves once the stream can take more. */
  async flush(): Promise<void> {
    if (this.pending === 0) return;
    const chunk = this.parts.length === 1 ? this.parts[0] : Buffer.concat(this.parts, this.pending);
    this.parts = [];
    this.pending = 0;
    this.crc = crc64(chunk, this.crc);
    this.bytesWritten += chunk.length;
    if (!this.out.write(chunk)) {
      await new Promise<void>((resolve, reject) => {
        const onDrain = () => {
          this.out.off('error', onError);
          resolve();
        };
        const onError = (e: Error) => {
          this.out.off('drain', onDrain);
          reject(e);
        };
        this.out.once('drain', onDrain);
        this.out.once('error', onError);
      });
    }
  }

  private async maybeFlush(): Promise<void> {
    if (this.pending >= CHUNK) await this.flush();
  }

  private aux(key: string, value: string): void {
    this.push(Buffer.from([RDB_OPCODE.AUX]));
    this.push(writeString(Buffer.from(key, 'latin1')));
    this.push(writeString(Buffer.from(value, 'latin1')));
  }

  /** The header and AUX fields. */
  async begin(): Promise<void> {
    this.push(Buffer.from('REDIS0010', 'latin1'));
    this.aux('redis-ver', this.opts.redisVersion ?? '7.0.15');
    this.aux('redis-bits', '64');
    this.aux('ctime', String(this.opts.ctime ?? Math.floor(Date.now() / 1000)));
    this.aux('used-mem', String(this.opts.usedMem ?? 0));
    this.aux('aof-base', '0');
    await this.maybeFlush();
  }

  /** Start database `db`, which holds `size` keys of which `expires` have an expiry. */
  async selectDb(db: number, size: number, expires: number): Promise<void> {
    this.db = db;
    this.push(Buffer.from([RDB_OPCODE.SELECTDB]));
    this.push(writeLength(db));
    this.push(Buffer.from([RDB_OPCODE.RESIZEDB]));
    this.push(writeLength(size));
    this.push(writeLength(expires));
    await this.maybeFlush();
  }

  /** One key of the current database (key.db must be it). */
  async writeKey(key: RdbKey): Promise<void> {
    if (key.db !== this.db) throw new RangeError(`key of db ${key.db} written in db ${this.db}: call selectDb first`);
    if (key.expireAt !== null) {
      const b = Buffer.allocUnsafe(9);
      b[0] = RDB_OPCODE.EXPIRETIME_MS;
      b.writeBigInt64LE(key.expireAt, 1);
      this.push(b);
    }
    if (this.opts.evictionInfo === 'lru' && key.idle !== null) {
      this.push(Buffer.from([RDB_OPCODE.IDLE]));
      this.push(writeLength(key.idle));
    }
    if (this.opts.evictionInfo === 'lfu' && key.freq !== null) this.push(Buffer.from([RDB_OPCODE.FREQ, key.freq & 0xff]));
    const { type, body } = encodeObject(key.value, this.opts.limits, this.opts);
    this.push(Buffer.from([type]));
    this.push(writeString(key.key, this.opts));
    this.push(body);
    this.keysWritten++;
    await this.maybeFlush();
  }

  /** EOF and the checksum; everything handed to the stream (which is left open). */
  async end(): Promise<void> {
    this.push(Buffer.from([RDB_OPCODE.EOF]));
    await this.flush();
    const sum = Buffer.allocUnsafe(8);
    sum.writeBigUInt64LE(this.crc, 0);
    this.push(sum);
    const last = Buffer.concat(this.parts);
    this.parts = [];
    this.pending = 0;
    this.bytesWritten += last.length;
    if (!this.out.write(last)) await new Promise<void>((resolve) => this.out.once('drain', resolve));
  }
}
