// The meta record: one per key.
//
// [type u8][flags u8][expire-at ms u64 BE, 0 = none]{[u32 key length][full key] if flags & LONG_KEY}[payload]
// Strings keep their value as the payload; collections keep their key id and sizes there.

import { readU64BE, writeU64BE } from './keys.js';

export const T_STRING = 0;
export const T_HASH = 1;
export const T_LIST = 2;
export const T_SET = 3;
export const T_ZSET = 4;
export const T_STREAM = 5;

export const TYPE_NAMES = ['string', 'hash', 'list', 'set', 'zset', 'stream'];

const F_LONG_KEY = 1;
/** Bytes of [type][flags][expire-at]. */
export const META_HEADER = 10;
const HEADER = META_HEADER;

export interface Meta {
  /** The LMDB key of this record. */
  mk: Buffer;
  /** The whole stored value (a private copy). */
  raw: Buffer;
  type: number;
  /** Expiry in ms since the epoch, 0 when the key is persistent. */
  expireAt: number;
  /** Offset of the type's payload in raw. */
  off: number;
}

export function decodeMeta(mk: Buffer, raw: Buffer): Meta {
  const type = raw[0];
  const expireAt = readU64BE(raw, 2);
  let off = HEADER;
  if (raw[1] & F_LONG_KEY) off += 4 + raw.readUInt32BE(HEADER);
  return { mk, raw, type, expireAt, off };
}

/** The full user key stored in a long-key record, or null for inline keys. */
export function storedLongKey(raw: Buffer): Buffer | null {
  if (!(raw[1] & F_LONG_KEY)) return null;
  const len = raw.readUInt32BE(HEADER);
  return raw.subarray(HEADER + 4, HEADER + 4 + len);
}

export function payload(m: Meta): Buffer {
  return m.raw.subarray(m.off);
}

/**
 * Builds a meta value. `longKey` is the user key when the meta key is hashed (kept so scans and
 * collision checks can see it).
 */
export function encodeMeta(type: number, expireAt: number, longKey: Uint8Array | null, body: Uint8Array | null, bodyLen = body ? body.length : 0): Buffer {
  const keyPart = longKey ? 4 + longKey.length : 0;
  const b = Buffer.allocUnsafe(HEADER + keyPart + bodyLen);
  b[0] = type;
  b[1] = longKey ? F_LONG_KEY : 0;
  writeU64BE(b, expireAt, 2);
  let off = HEADER;
  if (longKey) {
    b.writeUInt32BE(longKey.length, off);
    b.set(longKey, off + 4);
    off += keyPart;
  }
  if (body) b.set(body.subarray(0, bodyLen), off);
  return b;
}

/** Rewrites only the expiry of an existing record (returns a new buffer). */
export function withExpire(raw: Buffer, expireAt: number): Buffer {
  const b = Buffer.from(raw);
  writeU64BE(b, expireAt, 2);
  return b;
}
