// Whole RDB files as redis-server 7.0 writes them, streamed:
//
//   "REDIS0010"
//   AUX fields (0xFA key value): redis-ver, redis-bits, ctime, used-mem, [the caller's: a master's
//   repl-stream-db, repl-id, repl-offset], aof-base
//   per database: SELECTDB (0xFE db), RESIZEDB (0xFB keys, keys with an expiry)
//     per key: [EXPIRETIME_MS (0xFC, u64 LE unix ms)] type key object
//   EOF (0xFF), CRC64 of every byte before it and of itself (u64 LE)
//
// RdbEncoder builds the file synchronously and hands it out in chunks of about 256 KiB (a thread
// that must not yield between its reads uses it directly); RdbFileWriter writes those chunks to a
// stream, waiting for it to drain when it asks to.

import type { Writable } from 'node:stream';
import { crc64 } from './crc64.js';
import { type EncodeOptions, encodeObject } from './object-write.js';
import { RdbOutBuffer } from './out-buffer.js';
import { RDB_TYPE } from './types.js';
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
  /**
   * More AUX fields, written after used-mem and before aof-base as Redis places a master's
   * (repl-stream-db, repl-id, repl-offset); one named like a default field replaces its value.
   */
  aux?: ReadonlyArray<readonly [string, string]>;
  /** write IDLE / FREQ opcodes for keys that have them (Redis does under an LRU / LFU policy) */
  evictionInfo?: 'lru' | 'lfu' | null;
}

/** The size a chunk is handed out at (a big value makes a bigger one). */
export const RDB_CHUNK = 256 * 1024;

/** Builds an RDB file synchronously; `emit` receives its bytes in order, in chunks of about RDB_CHUNK. */
export class RdbEncoder {
  private crc = 0n;
  private readonly out = new RdbOutBuffer(RDB_CHUNK + (64 << 10));
  private db = -1;
  /** bytes handed to `emit` so far */
  bytesWritten = 0;
  keysWritten = 0;

  constructor(
    private readonly opts: RdbFileWriterOptions,
    private readonly emit: (chunk: Buffer) => void,
  ) {}

  /** Hands what is buffered to `emit` (nothing when nothing is): a Buffer of its own. */
  flush(): void {
    if (this.out.pos === 0) return;
    const chunk = this.out.take();
    this.crc = crc64(chunk, this.crc);
    this.bytesWritten += chunk.length;
    this.emit(chunk);
  }

  private maybeFlush(): void {
    if (this.out.pos >= RDB_CHUNK) this.flush();
  }

  private aux(key: string, value: string): void {
    this.out.byte(RDB_OPCODE.AUX);
    this.out.string(Buffer.from(key, 'latin1'), {});
    this.out.string(Buffer.from(value, 'latin1'), {});
  }

  /** The header and AUX fields. */
  begin(): void {
    this.out.bytes(Buffer.from('REDIS0010', 'latin1'));
    const o = this.opts;
    const fields: Array<[string, string]> = [
      ['redis-ver', o.redisVersion ?? '7.0.15'],
      ['redis-bits', '64'],
      ['ctime', String(o.ctime ?? Math.floor(Date.now() / 1000))],
      ['used-mem', String(o.usedMem ?? 0)],
    ];
    const tail: Array<[string, string]> = [['aof-base', '0']];
    for (const [k, v] of o.aux ?? []) {
      const known = fields.find((f) => f[0] === k) ?? tail.find((f) => f[0] === k);
      if (known) known[1] = v;
      else fields.push([k, v]);
    }
    for (const [k, v] of [...fields, ...tail]) this.aux(k, v);
    this.maybeFlush();
  }

  /** Start database `db`, which holds `size` keys of which `expires` have an expiry. */
  selectDb(db: number, size: number, expires: number): void {
    this.db = db;
    const out = this.out;
    out.byte(RDB_OPCODE.SELECTDB);
    out.length(db);
    out.byte(RDB_OPCODE.RESIZEDB);
    out.length(size);
    out.length(expires);
    this.maybeFlush();
  }

  /** One key of the current database (key.db must be it). */
  writeKey(key: RdbKey): void {
    if (key.db !== this.db) throw new RangeError(`key of db ${key.db} written in db ${this.db}: call selectDb first`);
    const out = this.out;
    if (key.expireAt !== null) {
      out.byte(RDB_OPCODE.EXPIRETIME_MS);
      out.int64LE(key.expireAt);
    }
    if (this.opts.evictionInfo === 'lru' && key.idle !== null) {
      out.byte(RDB_OPCODE.IDLE);
      out.length(key.idle);
    }
    if (this.opts.evictionInfo === 'lfu' && key.freq !== null) {
      out.byte(RDB_OPCODE.FREQ);
      out.byte(key.freq & 0xff);
    }
    if (key.value.type === 'string') {
      // the commonest value, written in place (encodeObject's string body is writeString's)
      out.byte(RDB_TYPE.STRING);
      out.string(key.key, this.opts);
      out.string(key.value.value, this.opts);
    } else {
      const { type, body } = encodeObject(key.value, this.opts.limits, this.opts);
      out.byte(type);
      out.string(key.key, this.opts);
      out.bytes(body);
    }
    this.keysWritten++;
    this.maybeFlush();
  }

  /** EOF and the checksum: the last chunk (EOF ends the checksummed part; the sum comes after it). */
  end(): void {
    this.out.byte(RDB_OPCODE.EOF);
    this.flush();
    const sum = Buffer.allocUnsafe(8);
    sum.writeBigUInt64LE(this.crc, 0);
    this.bytesWritten += sum.length;
    this.emit(sum);
  }
}

/** Writes an RDB file to a stream, waiting for it to drain when it asks to. */
export class RdbFileWriter {
  private readonly enc: RdbEncoder;
  private ready: Buffer[] = [];

  constructor(
    private readonly out: Writable,
    opts: RdbFileWriterOptions,
  ) {
    this.enc = new RdbEncoder(opts, (c) => this.ready.push(c));
  }

  /** bytes handed to the stream so far */
  get bytesWritten(): number {
    return this.enc.bytesWritten;
  }

  get keysWritten(): number {
    return this.enc.keysWritten;
  }

  /** Writes the chunks the encoder produced; resolves once the stream can take more. */
  private async drain(): Promise<void> {
    while (this.ready.length > 0) {
      const chunk = this.ready.shift()!;
      if (this.out.write(chunk)) continue;
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

  /** Hand what is buffered to the stream; resolves once the stream can take more. */
  async flush(): Promise<void> {
    this.enc.flush();
    await this.drain();
  }

  /** The header and AUX fields. */
  async begin(): Promise<void> {
    this.enc.begin();
    await this.drain();
  }

  /** Start database `db`, which holds `size` keys of which `expires` have an expiry. */
  async selectDb(db: number, size: number, expires: number): Promise<void> {
    this.enc.selectDb(db, size, expires);
    await this.drain();
  }

  /** One key of the current database (key.db must be it). */
  async writeKey(key: RdbKey): Promise<void> {
    this.enc.writeKey(key);
    await this.drain();
  }

  /** EOF and the checksum; everything handed to the stream (which is left open). */
  async end(): Promise<void> {
    this.enc.end();
    await this.drain();
  }
}
