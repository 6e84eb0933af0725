// Binary key encodings for the LMDB sub-databases (see docs/storage.md).
//
// meta key:    [db u8][0x00][user key]                      user keys up to INLINE_KEY_MAX bytes
//              [db u8][0x01][sha256(user key) 32][probe u8]  longer keys; the full key is kept in the value
// expires key: [expire-at ms u64 BE][meta key]
// binlog key:  [sequence u64 BE]

import { createHash } from 'node:crypto';

/** LMDB's key limit is 1978 bytes; leave room for the expires prefix and the header. */
export const INLINE_KEY_MAX = 1024;
export const KEY_INLINE = 0;
export const KEY_HASHED = 1;

export function inlineMetaKey(db: number, key: Uint8Array): Buffer {
  const k = Buffer.allocUnsafe(key.length + 2);
  k[0] = db;
  k[1] = KEY_INLINE;
  k.set(key, 2);
  return k;
}

export function hashedMetaKey(db: number, key: Uint8Array, probe: number): Buffer {
  const k = Buffer.allocUnsafe(2 + 32 + 1);
  k[0] = db;
  k[1] = KEY_HASHED;
  createHash('sha256').update(key).digest().copy(k, 2);
  k[34] = probe;
  return k;
}

export function isHashedMetaKey(mk: Uint8Array): boolean {
  return mk[1] === KEY_HASHED;
}

/** First and past-the-end meta keys of a database, for range scans. */
export function dbRange(db: number): { start: Buffer; end: Buffer } {
  return { start: Buffer.from([db]), end: Buffer.from([db + 1]) };
}

export function writeU64BE(buf: Buffer, v: number, off: number): void {
  const hi = Math.floor(v / 0x100000000);
  buf.writeUInt32BE(hi >>> 0, off);
  buf.writeUInt32BE(v >>> 0, off + 4);
}

export function readU64BE(buf: Uint8Array, off: number): number {
  const b = buf as Buffer;
  return b.readUInt32BE(off) * 0x100000000 + b.readUInt32BE(off + 4);
}

export function expiresKey(at: number, metaKey: Uint8Array): Buffer {
  const k = Buffer.allocUnsafe(8 + metaKey.length);
  writeU64BE(k, at, 0);
  k.set(metaKey, 8);
  return k;
}
