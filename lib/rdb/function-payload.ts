// The payload of FUNCTION DUMP / FUNCTION RESTORE, as Redis 7.0 writes and reads it:
//
//   for each library:  0xF5 (RDB_OPCODE_FUNCTION2), the library's code as an RDB string
//   footer:            RDB version, 2 bytes little-endian (10 for Redis 7.0)
//                      CRC64 of everything before it, 8 bytes little-endian
//
// Redis 7.0 also reads the format of its release candidates, 0xF6 (RDB_OPCODE_FUNCTION): name,
// engine, a description flag, the description if the flag is set, and the body; the code is
// rebuilt as "#!<engine> name=<name>\n<body>" (each part up to its first NUL byte, as Redis
// formats them as C strings).
//
// Reading follows Redis's loop exactly: a library starts wherever more than the footer's 10
// bytes remain, and its strings are read from the whole payload, footer included (a string
// that runs into the footer takes those bytes as part of the code).

import { crc64 } from './crc64.js';
import { RdbFormatError, RdbReader, readLength, readString, writeString } from './string.js';

export const RDB_OPCODE_FUNCTION2 = 245;
export const RDB_OPCODE_FUNCTION_PRE_GA = 246;
/** The RDB version Redis 7.0 writes; payloads of a later version are refused. */
export const RDB_VERSION = 10;
const FOOTER_LENGTH = 10;

/** Redis's replies to a FUNCTION RESTORE payload it cannot read (full lines, without the '-'). */
export const FUNCTION_PAYLOAD_ERRORS = {
  versionOrChecksum: 'ERR DUMP payload version or checksum are wrong',
  notAFunction: 'ERR given type is not a function',
  libraryPayload: 'ERR Failed loading library payload',
  libraryName: 'ERR Failed loading library name',
  engineName: 'ERR Failed loading engine name',
  descriptionIndicator: 'ERR Failed loading library description indicator',
  description: 'ERR Failed loading library description',
  libraryBlob: 'ERR Failed loading library blob',
} as const;

export interface EncodeFunctionPayloadOptions {
  /** LZF-compress long code, as Redis with `rdbcompression yes` (the default). Default true. */
  compress?: boolean;
}

/** The RDB version and CRC64 that end a DUMP-style payload, appended to `body`. */
export function withDumpFooter(body: Buffer, version = RDB_VERSION): Buffer {
  const out = Buffer.allocUnsafe(body.length + FOOTER_LENGTH);
  body.copy(out, 0);
  out.writeUInt16LE(version, body.length);
  out.writeBigUInt64LE(crc64(out.subarray(0, body.length + 2)), body.length + 2);
  return out;
}

/**
 * Redis's check of a DUMP-style payload's footer: at least 10 bytes, a version no later than
 * RDB_VERSION and a matching CRC64. Returns the version, or null when the check fails.
 */
export function verifyDumpFooter(payload: Uint8Array): number | null {
  if (payload.length < FOOTER_LENGTH) return null;
  const at = payload.length - FOOTER_LENGTH;
  const version = payload[at] | (payload[at + 1] << 8);
  if (version > RDB_VERSION) return null;
  const view = Buffer.from(payload.buffer, payload.byteOffset, payload.length);
  const expected = view.readBigUInt64LE(at + 2);
  return crc64(payload.subarray(0, at + 2)) === expected ? version : null;
}

/** FUNCTION DUMP's payload for libraries with these codes, in this order. */
export function encodeFunctionPayload(codes: Buffer[], opts: EncodeFunctionPayloadOptions = {}): Buffer {
  const parts: Buffer[] = [];
  for (const code of codes) {
    parts.push(Buffer.from([RDB_OPCODE_FUNCTION2]), writeString(code, opts));
  }
  return withDumpFooter(Buffer.concat(parts));
}

/** What reading a payload gave: the codes read, in order, and the error that stopped it. */
export interface FunctionPayloadContents {
  /** The libraries' codes read before `error` (all of them when error is null); copies. */
  codes: Buffer[];
  /** Redis's reply for the first unreadable part, or null when the whole payload was read. */
  error: string | null;
}

/**
 * Read a FUNCTION RESTORE payload as far as it goes. Redis creates each library as soon as it
 * has read it, so a library that fails to load is reported before a later unreadable part:
 * callers that create libraries should create `codes` in order and report `error` only when
 * they all succeed.
 */
export function readFunctionPayload(payload: Buffer): FunctionPayloadContents {
  const codes: Buffer[] = [];
  if (verifyDumpFooter(payload) === null) return { codes, error: FUNCTION_PAYLOAD_ERRORS.versionOrChecksum };
  const r = new RdbReader(payload);
  while (payload.length - r.pos > FOOTER_LENGTH) {
    const type = r.readByte();
    let code: Buffer | string;
    if (type === RDB_OPCODE_FUNCTION2) {
      code = readPart(r, FUNCTION_PAYLOAD_ERRORS.libraryPayload, (x) => Buffer.from(readString(x)));
    } else if (type === RDB_OPCODE_FUNCTION_PRE_GA) {
      code = readPreGaLibrary(r);
    } else {
      return { codes, error: FUNCTION_PAYLOAD_ERRORS.notAFunction };
    }
    if (typeof code === 'string') return { codes, error: code };
    codes.push(code);
  }
  return { codes, error: null };
}

/** The libraries' codes in a FUNCTION RESTORE payload, or Redis's error text for it. */
export function decodeFunctionPayload(payload: Buffer): Buffer[] | string {
  const { codes, error } = readFunctionPayload(payload);
  return error ?? codes;
}

/** `read(r)`, or `error` when the data is malformed there. */
function readPart<T>(r: RdbReader, error: string, read: (r: RdbReader) => T): T | string {
  try {
    return read(r);
  } catch (e) {
    if (e instanceof RdbFormatError) return error;
    throw e;
  }
}

/** The text of `s` up to its first NUL byte, as C's %s formats it. */
function cString(s: Buffer): Buffer {
  const nul = s.indexOf(0);
  return nul < 0 ? s : s.subarray(0, nul);
}

function readPreGaLibrary(r: RdbReader): Buffer | string {
  const E = FUNCTION_PAYLOAD_ERRORS;
  const name = readPart(r, E.libraryName, readString);
  if (typeof name === 'string') return name;
  const engine = readPart(r, E.engineName, readString);
  if (typeof engine === 'string') return engine;
  const hasDescription = readPart(r, E.descriptionIndicator, readLength);
  if (typeof hasDescription === 'string') return hasDescription;
  if (hasDescription !== 0) {
    const description = readPart(r, E.description, readString);
    if (typeof description === 'string') return description;
  }
  const body = readPart(r, E.libraryBlob, readString);
  if (typeof body === 'string') return body;
  return Buffer.concat([
    Buffer.from('#!', 'latin1'),
    cString(engine),
    Buffer.from(' name=', 'latin1'),
    cString(name),
    Buffer.from('\n', 'latin1'),
    cString(body),
  ]);
}
