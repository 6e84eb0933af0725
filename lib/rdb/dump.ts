// DUMP / RESTORE payloads: one RDB object (type byte and body), the RDB version (2 bytes LE)
// and a CRC64 of everything before it (8 bytes LE).

import { crc64 } from './crc64.js';
import { RDB_VERSION, withDumpFooter } from './function-payload.js';
import { decodeObject } from './object-read.js';
import { type EncodeOptions, encodeObject } from './object-write.js';
import { RdbFormatError, RdbReader } from './string.js';
import type { EncodingLimits, RdbValue } from './value.js';

export const DUMP_ERRORS = {
  /** RESTORE's reply to a payload whose footer does not check */
  versionOrChecksum: 'ERR DUMP payload version or checksum are wrong',
  /** RESTORE's reply to a payload whose object cannot be read */
  badData: 'Bad data format',
} as const;

/** A payload whose footer is wrong (too short, a later version, a CRC that does not match). */
export class DumpFooterError extends RdbFormatError {
  override name = 'DumpFooterError';
  constructor() {
    super('corrupt', DUMP_ERRORS.versionOrChecksum);
  }
}

/** DUMP's payload for `value`, as redis-server 7.0 writes it. */
export function encodeDump(value: RdbValue, limits: EncodingLimits, opts: EncodeOptions): Buffer {
  const { type, body } = encodeObject(value, limits, opts);
  const out = Buffer.allocUnsafe(1 + body.length);
  out[0] = type;
  body.copy(out, 1);
  return withDumpFooter(out, RDB_VERSION);
}

/**
 * Redis's footer check: at least 10 bytes, a version no later than 10, and a CRC64 that matches
 * (a CRC of 0 is not checked, as when redis-server runs without rdbchecksum).
 */
export function checkDumpFooter(payload: Uint8Array): boolean {
  if (payload.length < 10) return false;
  const at = payload.length - 10;
  const version = payload[at] | (payload[at + 1] << 8);
  if (version > RDB_VERSION) return false;
  const view = Buffer.from(payload.buffer, payload.byteOffset, payload.length);
  const expected = view.readBigUInt64LE(at + 2);
  return expected === 0n || crc64(payload.subarray(0, at + 2)) === expected;
}

/**
 * The value a RESTORE payload holds. Throws DumpFooterError when the footer does not check,
 * and RdbFormatError when the object is malformed.
 */
export function decodeDump(payload: Buffer): RdbValue {
  if (!checkDumpFooter(payload)) throw new DumpFooterError();
  const r = new RdbReader(payload, 0, payload.length - 10);
  const type = r.readByte();
  // as RESTORE, bytes left between the object and the footer are not an error
  return decodeObject(type, r);
}
