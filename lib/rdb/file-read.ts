// Whole RDB files read as a stream of events, for files of any size: the source is read in
// chunks and only the item being parsed (one opcode, or one key and its value) is held.
//
// Every opcode Redis 7.0 and 6.x write is understood: AUX, SELECTDB, RESIZEDB, EXPIRETIME
// (seconds) and EXPIRETIME_MS, IDLE, FREQ and EOF with its CRC64 (0 = not checked). MODULE_AUX
// and the FUNCTION opcodes are refused: an import takes data only. Versions 1 to 10 are read.

import { crc64 } from './crc64.js';
import { RDB_OPCODE } from './file-write.js';
import { RdbEmptyValueError, decodeObject } from './object-read.js';
import { RdbFormatError, RdbReader, readLength, readString } from './string.js';
import { isObjectType } from './types.js';
import type { RdbKey } from './value.js';

export const RDB_MAX_VERSION = 10;

export type RdbFileEvent =
  | { kind: 'aux'; key: Buffer; value: Buffer }
  | { kind: 'selectdb'; db: number }
  | { kind: 'resizedb'; db: number; size: number; expires: number }
  | { kind: 'key'; key: RdbKey }
  /** the end: the checksum the file gave (0n: not checked) */
  | { kind: 'eof'; checksum: bigint };

export interface RdbFileReaderOptions {
  /** called with the bytes read so far, at most once per chunk */
  onProgress?: (bytesRead: number) => void;
}

/** Reads an RDB file from chunks of bytes (a Readable stream, a file's chunks). */
export class RdbFileReader {
  /** bytes of the source parsed so far */
  bytesRead = 0;
  version = 0;
  /** keys holding an empty collection, skipped as Redis skips them */
  emptyKeysSkipped = 0;
  private buf: Buffer = Buffer.alloc(0);
  private pos = 0;
  private crc = 0n;
  private iter: AsyncIterator<Buffer | Uint8Array | string>;
  private done = false;

  constructor(
    source: AsyncIterable<Buffer | Uint8Array | string>,
    private readonly opts: RdbFileReaderOptions = {},
  ) {
    this.iter = source[Symbol.asyncIterator]();
  }

  /** Read more of the source until at least `atLeast` bytes are buffered; false at its end. */
  private async fill(atLeast: number): Promise<boolean> {
    const chunks: Buffer[] = [this.buf.subarray(this.pos)];
    let have = chunks[0].length;
    while (have < atLeast && !this.done) {
      const next = await this.iter.next();
      if (next.done) {
        this.done = true;
        break;
      }
      const c = typeof next.value === 'string' ? Buffer.from(next.value, 'latin1') : Buffer.from(next.value.buffer, next.value.byteOffset, next.value.byteLength);
      chunks.push(c);
      have += c.length;
    }
    this.buf = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, have);
    this.pos = 0;
    return have >= atLeast;
  }

  /**
   * Parse one item with `parse` from the buffered bytes, reading more of the source while it
   * ends early (each time at least doubling what is buffered, so a large value costs a few
   * passes, not one per chunk).
   */
  private async item<T>(parse: (r: RdbReader) => T): Promise<T> {
    let want = 64 * 1024;
    for (;;) {
      const r = new RdbReader(this.buf, this.pos);
      try {
        const v = parse(r);
        this.consume(r.pos);
        return v;
      } catch (e) {
        if (!(e instanceof RdbFormatError) || e.kind !== 'truncated' || this.done) throw e;
      }
      want = Math.max(want, (this.buf.length - this.pos) * 2);
      await this.fill(want);
    }
  }

  private consume(to: number): void {
    this.crc = crc64(this.buf.subarray(this.pos, to), this.crc);
    this.bytesRead += to - this.pos;
    this.pos = to;
    this.opts.onProgress?.(this.bytesRead);
  }

  /** The file's events, in order, ending with its 'eof'. Throws RdbFormatError on a bad file. */
  async *events(): AsyncGenerator<RdbFileEvent> {
    if (!(await this.fill(9))) throw new RdbFormatError('truncated', 'not an RDB file: shorter than its header');
    const magic = this.buf.subarray(this.pos, this.pos + 9).toString('latin1');
    if (!/^REDIS\d{4}$/.test(magic)) throw new RdbFormatError('corrupt', 'not an RDB file: no REDIS header');
    this.version = Number(magic.slice(5));
    if (this.version < 1 || this.version > RDB_MAX_VERSION) {
      throw new RdbFormatError('corrupt', `RDB version ${this.version} is not supported (this reader knows versions 1 to ${RDB_MAX_VERSION}, Redis 7.0's)`);
    }
    this.consume(this.pos + 9);
    let db = 0;
    let expireAt: bigint | null = null;
    let idle: bigint | null = null;
    let freq: number | null = null;
    for (;;) {
      const op = await this.item((r) => r.readByte());
      switch (op) {
        case RDB_OPCODE.AUX: {
          const [key, value] = await this.item((r) => [Buffer.from(readString(r)), Buffer.from(readString(r))]);
          yield { kind: 'aux', key, value };
          continue;
        }
        case RDB_OPCODE.SELECTDB:
          db = await this.item(readLength);
          yield { kind: 'selectdb', db };
          continue;
        case RDB_OPCODE.RESIZEDB: {
          const [size, expires] = await this.item((r) => [readLength(r), readLength(r)]);
          yield { kind: 'resizedb', db, size, expires };
          continue;
        }
        case RDB_OPCODE.EXPIRETIME_MS:
          // version 8 and earlier wrote it in the machine's byte order: little-endian in practice
          expireAt = await this.item((r) => BigInt.asIntN(64, r.readBigUInt64LE()));
          continue;
        case RDB_OPCODE.EXPIRETIME:
          expireAt = await this.item((r) => BigInt(r.readBytes(4).readInt32LE(0)) * 1000n);
          continue;
        case RDB_OPCODE.IDLE:
          idle = BigInt(await this.item(readLength));
          continue;
        case RDB_OPCODE.FREQ:
          freq = await this.item((r) => r.readByte());
          continue;
        case RDB_OPCODE.MODULE_AUX:
          throw new RdbFormatError('corrupt', 'the file holds module data (MODULE_AUX): respdb imports data only and has no modules');
        case RDB_OPCODE.FUNCTION2:
        case RDB_OPCODE.FUNCTION_PRE_GA:
          throw new RdbFormatError('corrupt', `the file holds functions (${op === RDB_OPCODE.FUNCTION2 ? 'FUNCTION2' : 'FUNCTION'} opcode): respdb's import takes data only; FUNCTION FLUSH on the source, or load the libraries with FUNCTION RESTORE`);
        case RDB_OPCODE.EOF: {
          const computed = this.crc;
          let checksum = 0n;
          if (this.version >= 5) {
            checksum = await this.item((r) => r.readBigUInt64LE());
            if (checksum !== 0n && checksum !== computed) throw new RdbFormatError('corrupt', 'wrong RDB checksum: the file is damaged');
          }
          yield { kind: 'eof', checksum };
          return;
        }
        default: {
          if (!isObjectType(op)) throw new RdbFormatError('corrupt', `unknown RDB opcode or type ${op} at offset ${this.bytesRead - 1}`);
          let skipped = false;
          const parsed = await this.item((r) => {
            const key = Buffer.from(readString(r));
            try {
              return { key, value: decodeObject(op, r) };
            } catch (e) {
              if (!(e instanceof RdbEmptyValueError)) throw e;
              skipped = true;
              return null;
            }
          });
          const k: RdbKey | null = parsed && { db, key: parsed.key, value: parsed.value, expireAt, idle, freq };
          expireAt = idle = freq = null;
          if (skipped || k === null) {
            this.emptyKeysSkipped++;
            continue;
          }
          yield { kind: 'key', key: k };
        }
      }
    }
  }
}

/** The events of the RDB file `source` (see RdbFileReader for progress and counters). */
export function readRdbFile(source: AsyncIterable<Buffer | Uint8Array | string>, opts: RdbFileReaderOptions = {}): AsyncGenerator<RdbFileEvent> {
  return new RdbFileReader(source, opts).events();
}
