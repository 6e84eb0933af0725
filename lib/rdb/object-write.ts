// One value as the RDB object Redis 7.0 writes for it (the type byte and the body), given the
// encoding Redis would hold it in: the value's own hint, or what the thresholds make of it.

import { encodeIntset } from './intset.js';
import { canonicalInt64, encodeListpack, lpEncodeString, lpFromEntries } from './listpack.js';
import { formatScore } from './double-text.js';
import { buildQuicklist } from './quicklist.js';
import { encodeStream } from './stream-rdb.js';
import { RDB_ENCVAL, RDB_ENC_LZF, writeLength, writeString } from './string.js';
import { RDB_TYPE } from './types.js';
import type { EncodingLimits, HashEncoding, RdbValue, SetEncoding, ZsetEncoding } from './value.js';

export interface EncodeOptions {
  /** LZF-compress strings and blobs over 20 bytes (rdbcompression yes) */
  compress: boolean;
}

export interface EncodedObject {
  type: number;
  body: Buffer;
}

type Of<T extends RdbValue['type']> = Extract<RdbValue, { type: T }>;

export function setEncodingOf(v: Of<'set'>, limits: EncodingLimits): SetEncoding {
  const allInts = v.members.every((m) => canonicalInt64(m) !== null);
  if (v.encoding === 'intset' && allInts) return 'intset';
  if (v.encoding === 'hashtable') return 'hashtable';
  return allInts && v.members.length <= limits.setMaxIntsetEntries ? 'intset' : 'hashtable';
}

export function hashEncodingOf(v: Of<'hash'>, limits: EncodingLimits): HashEncoding {
  if (v.encoding) return v.encoding;
  if (v.entries.length > limits.hashMaxListpackEntries) return 'hashtable';
  const max = limits.hashMaxListpackValue;
  return v.entries.every(([f, x]) => f.length <= max && x.length <= max) ? 'listpack' : 'hashtable';
}

export function zsetEncodingOf(v: Of<'zset'>, limits: EncodingLimits): ZsetEncoding {
  if (v.encoding) return v.encoding;
  if (v.entries.length > limits.zsetMaxListpackEntries) return 'skiplist';
  return v.entries.every((e) => e.member.length <= limits.zsetMaxListpackValue) ? 'listpack' : 'skiplist';
}

/** Redis's zset order: score, then member bytes. */
export function compareZsetEntries(a: { member: Buffer; score: number }, b: { member: Buffer; score: number }): number {
  return a.score < b.score ? -1 : a.score > b.score ? 1 : Buffer.compare(a.member, b.member);
}

function inZsetOrder(entries: Of<'zset'>['entries']): Of<'zset'>['entries'] {
  for (let i = 1; i < entries.length; i++) if (compareZsetEntries(entries[i - 1], entries[i]) > 0) return [...entries].sort(compareZsetEntries);
  return entries;
}

function nonEmpty(n: number, type: string): void {
  if (n === 0) throw new RangeError(`an empty ${type} has no RDB form`);
}

function encodeList(v: Of<'list'>, limits: EncodingLimits, compress: boolean): Buffer {
  nonEmpty(v.items.length, 'list');
  const nodes = buildQuicklist(v.items, limits.listMaxListpackSize, limits.listCompressDepth);
  const parts: Buffer[] = [writeLength(nodes.length)];
  for (const n of nodes) {
    parts.push(writeLength(n.container));
    if (n.compressed !== null) {
      parts.push(Buffer.from([(RDB_ENCVAL << 6) | RDB_ENC_LZF]), writeLength(n.compressed.length), writeLength(n.data.length), n.compressed);
    } else {
      parts.push(writeString(n.data, { compress }));
    }
  }
  return Buffer.concat(parts);
}

/** The RDB object for `value`, byte for byte as redis-server 7.0 writes it. */
export function encodeObject(value: RdbValue, limits: EncodingLimits, opts: EncodeOptions): EncodedObject {
  const compress = opts.compress;
  const str = (b: Uint8Array) => writeString(b, { compress });
  switch (value.type) {
    case 'string':
      return { type: RDB_TYPE.STRING, body: str(value.value) };
    case 'list':
      return { type: RDB_TYPE.LIST_QUICKLIST_2, body: encodeList(value, limits, compress) };
    case 'set': {
      nonEmpty(value.members.length, 'set');
      if (setEncodingOf(value, limits) === 'intset') {
        return { type: RDB_TYPE.SET_INTSET, body: str(encodeIntset(value.members.map((m) => canonicalInt64(m)!))) };
      }
      return { type: RDB_TYPE.SET, body: Buffer.concat([writeLength(value.members.length), ...value.members.map(str)]) };
    }
    case 'zset': {
      nonEmpty(value.entries.length, 'zset');
      const entries = inZsetOrder(value.entries);
      if (zsetEncodingOf(value, limits) === 'listpack') {
        const lp: Buffer[] = [];
        for (const e of entries) lp.push(lpEncodeString(e.member), lpEncodeString(Buffer.from(formatScore(e.score), 'latin1')));
        return { type: RDB_TYPE.ZSET_LISTPACK, body: str(lpFromEntries(lp)) };
      }
      // highest score first, so loading inserts each one at the head of the skiplist
      const parts: Buffer[] = [writeLength(entries.length)];
      for (let i = entries.length - 1; i >= 0; i--) {
        const score = Buffer.allocUnsafe(8);
        score.writeDoubleLE(entries[i].score, 0);
        parts.push(str(entries[i].member), score);
      }
      return { type: RDB_TYPE.ZSET_2, body: Buffer.concat(parts) };
    }
    case 'hash': {
      nonEmpty(value.entries.length, 'hash');
      if (hashEncodingOf(value, limits) === 'listpack') {
        return { type: RDB_TYPE.HASH_LISTPACK, body: str(encodeListpack(value.entries.flat())) };
      }
      const parts: Buffer[] = [writeLength(value.entries.length)];
      for (const [f, x] of value.entries) parts.push(str(f), str(x));
      return { type: RDB_TYPE.HASH, body: Buffer.concat(parts) };
    }
    case 'stream':
      return { type: RDB_TYPE.STREAM_LISTPACKS_2, body: encodeStream(value, limits, compress) };
  }
}
