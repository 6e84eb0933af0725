// Stream entry ids: <ms>-<seq>, two unsigned 64-bit numbers, ordered as one 128-bit number.
// Parsing follows Redis 7.0's rules exactly (streamGenericParseIDOrReply over string2ull): the
// argument is read as a C string (it ends at a NUL byte), at most 127 bytes; each part is first
// tried as a strict signed 64-bit integer (a negative one is invalid), then as strtoull reads it
// (leading blanks, a sign, leading zeros; a '-' sign wraps modulo 2^64, as strtoull does).

import { RedisError } from '../errors.js';
import { parseI64 } from '../resp/number.js';

export interface StreamId {
  ms: bigint;
  seq: bigint;
}

export const U64_MAX = (1n << 64n) - 1n;
export const ID_ZERO: StreamId = { ms: 0n, seq: 0n };
export const ID_MAX: StreamId = { ms: U64_MAX, seq: U64_MAX };

export const INVALID_ID = 'ERR Invalid stream ID specified as stream command argument';

export function compareIds(a: StreamId, b: StreamId): number {
  if (a.ms !== b.ms) return a.ms < b.ms ? -1 : 1;
  if (a.seq !== b.seq) return a.seq < b.seq ? -1 : 1;
  return 0;
}

export function formatId(id: StreamId): string {
  return `${id.ms}-${id.seq}`;
}

export function idBuf(id: StreamId): Buffer {
  return Buffer.from(formatId(id), 'latin1');
}

/** The id as 16 bytes (ms u64 BE, seq u64 BE) at `off` of `b`. */
export function writeId(b: Buffer, id: StreamId, off: number): void {
  b.writeBigUInt64BE(id.ms, off);
  b.writeBigUInt64BE(id.seq, off + 8);
}

export function readId(b: Uint8Array, off: number): StreamId {
  const v = Buffer.isBuffer(b) ? b : Buffer.from(b.buffer, b.byteOffset, b.length);
  return { ms: v.readBigUInt64BE(off), seq: v.readBigUInt64BE(off + 8) };
}

/** The next id (streamIncrID); null past the last possible one. */
export function nextId(id: StreamId): StreamId | null {
  if (id.seq === U64_MAX) {
    if (id.ms === U64_MAX) return null;
    return { ms: id.ms + 1n, seq: 0n };
  }
  return { ms: id.ms, seq: id.seq + 1n };
}

/** The previous id (streamDecrID); null before 0-0. */
export function prevId(id: StreamId): StreamId | null {
  if (id.seq === 0n) {
    if (id.ms === 0n) return null;
    return { ms: id.ms - 1n, seq: U64_MAX };
  }
  return { ms: id.ms, seq: id.seq - 1n };
}

/** The argument as C code sees it: up to its first NUL byte. */
export function cString(arg: Buffer): Buffer {
  const z = arg.indexOf(0);
  return z < 0 ? arg : arg.subarray(0, z);
}

function isSpace(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13);
}

/** Redis's string2ull: null when the text is not an unsigned 64-bit number by its rules. */
export function string2ull(s: Buffer): bigint | null {
  const ll = parseI64(s);
  if (ll !== null) return ll < 0n ? null : ll;
  // strtoull: blanks, an optional sign, decimal digits, the whole string consumed
  let i = 0;
  while (i < s.length && isSpace(s[i])) i++;
  let neg = false;
  if (i < s.length && (s[i] === 43 || s[i] === 45)) {
    neg = s[i] === 45;
    i++;
  }
  const from = i;
  let v = 0n;
  let overflow = false;
  while (i < s.length && s[i] >= 48 && s[i] <= 57) {
    v = v * 10n + BigInt(s[i] - 48);
    if (v > U64_MAX) overflow = true;
    i++;
  }
  if (i === from || i !== s.length || s.length === 0 || overflow) return null;
  return neg ? (((1n << 64n) - v) & U64_MAX) : v;
}

export interface ParsedId extends StreamId {
  /** false for the <ms>-* form (XADD only) */
  seqGiven: boolean;
}

/**
 * Parses an id argument. `missingSeq`: the sequence of an id given as <ms> alone; `strict`: '-'
 * and '+' are refused; `allowSeqStar`: the <ms>-* form is accepted (XADD). Throws the invalid-id
 * error.
 */
export function parseId(arg: Buffer, missingSeq: bigint, strict: boolean, allowSeqStar = false): ParsedId {
  if (arg.length > 127) throw new RedisError(INVALID_ID);
  const s = cString(arg);
  if (s.length === 1 && (s[0] === 45 || s[0] === 43)) {
    if (strict) throw new RedisError(INVALID_ID);
    return s[0] === 45 ? { ms: 0n, seq: 0n, seqGiven: true } : { ms: U64_MAX, seq: U64_MAX, seqGiven: true };
  }
  const dash = s.indexOf(45);
  const msPart = dash < 0 ? s : s.subarray(0, dash);
  const ms = string2ull(msPart);
  if (ms === null) throw new RedisError(INVALID_ID);
  if (dash < 0) return { ms, seq: missingSeq, seqGiven: true };
  const seqPart = s.subarray(dash + 1);
  if (allowSeqStar && seqPart.length === 1 && seqPart[0] === 42) return { ms, seq: 0n, seqGiven: false };
  const seq = string2ull(seqPart);
  if (seq === null) throw new RedisError(INVALID_ID);
  return { ms, seq, seqGiven: true };
}
