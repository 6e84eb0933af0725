// One RDB object read back into a value: every encoding Redis 7.0 and the 6.x releases write
// (and 7.2's set listpack and third stream form), validated as Redis's deep sanitization does.
// Module values are refused: respdb has no modules to hand them to.

import { readIntset } from './intset.js';
import { type LpValue, lpString, readListpack } from './listpack.js';
import { parseScore } from './double-text.js';
import { QUICKLIST_NODE_PACKED, QUICKLIST_NODE_PLAIN } from './quicklist.js';
import { decodeStream } from './stream-rdb.js';
import { RdbFormatError, type RdbReader, readLength, readString } from './string.js';
import { RDB_TYPE, rdbTypeName } from './types.js';
import type { RdbValue } from './value.js';
import { readZiplist } from './ziplist.js';
import { readZipmap } from './zipmap.js';

/** The object holds an empty collection: Redis refuses it in RESTORE and skips it when loading. */
export class RdbEmptyValueError extends RdbFormatError {
  override name = 'RdbEmptyValueError';
  constructor(what: string) {
    super('corrupt', `empty ${what}`);
  }
}

function corrupt(what: string): RdbFormatError {
  return new RdbFormatError('corrupt', what);
}

/** A declared element count, refused when the data left cannot hold that many (each >= `min` bytes). */
function readCount(r: RdbReader, min: number, what: string): number {
  const n = readLength(r);
  if (n * min > r.remaining) throw new RdbFormatError('truncated', `${what} of ${n} elements in ${r.remaining} bytes`);
  return n;
}

const copy = (b: Buffer) => Buffer.from(b);
const str = (v: LpValue) => copy(lpString(v));

function noDuplicates(keys: Buffer[], what: string): void {
  const seen = new Set<string>();
  for (const k of keys) {
    const s = k.toString('latin1');
    if (seen.has(s)) throw corrupt(`duplicate ${what}`);
    seen.add(s);
  }
}

function pairs(items: LpValue[], what: string): Array<[Buffer, Buffer]> {
  if (items.length % 2 !== 0) throw corrupt(`${what} with an odd number of elements`);
  const out: Array<[Buffer, Buffer]> = [];
  for (let i = 0; i < items.length; i += 2) out.push([str(items[i]), str(items[i + 1])]);
  return out;
}

function hashOf(entries: Array<[Buffer, Buffer]>, encoding: 'listpack' | 'hashtable'): RdbValue {
  if (entries.length === 0) throw new RdbEmptyValueError('hash');
  noDuplicates(entries.map((e) => e[0]), 'hash field');
  return { type: 'hash', entries, encoding };
}

function zsetOf(entries: Array<{ member: Buffer; score: number }>, encoding: 'listpack' | 'skiplist'): RdbValue {
  if (entries.length === 0) throw new RdbEmptyValueError('zset');
  noDuplicates(entries.map((e) => e.member), 'zset member');
  for (const e of entries) if (Number.isNaN(e.score)) throw corrupt('zset with a NaN score');
  return { type: 'zset', entries: sortZset(entries), encoding };
}

function sortZset(entries: Array<{ member: Buffer; score: number }>): Array<{ member: Buffer; score: number }> {
  return entries.sort((a, b) => (a.score < b.score ? -1 : a.score > b.score ? 1 : Buffer.compare(a.member, b.member)));
}

function zsetFromCompact(items: LpValue[]): Array<{ member: Buffer; score: number }> {
  if (items.length % 2 !== 0) throw corrupt('zset with an odd number of elements');
  const out: Array<{ member: Buffer; score: number }> = [];
  for (let i = 0; i < items.length; i += 2) {
    const s = items[i + 1];
    out.push({ member: str(items[i]), score: typeof s === 'bigint' ? Number(s) : parseScore(s) });
  }
  return out;
}

function setOf(members: Buffer[], encoding: 'intset' | 'hashtable' | undefined): RdbValue {
  if (members.length === 0) throw new RdbEmptyValueError('set');
  noDuplicates(members, 'set member');
  return encoding ? { type: 'set', members, encoding } : { type: 'set', members };
}

function listOf(items: Buffer[]): RdbValue {
  if (items.length === 0) throw new RdbEmptyValueError('list');
  return { type: 'list', items };
}

/** Old zset scores: a length byte (253 nan, 254 +inf, 255 -inf) then the score as text. */
function readTextScore(r: RdbReader): number {
  const n = r.readByte();
  if (n === 253) return NaN;
  if (n === 254) return Infinity;
  if (n === 255) return -Infinity;
  return parseScore(r.readBytes(n));
}

/**
 * The value of an object of RDB type `type` whose body `r` is at; `r` is left after it.
 * Throws RdbFormatError (RdbEmptyValueError for an empty collection) on anything malformed.
 */
export function decodeObject(type: number, r: RdbReader): RdbValue {
  switch (type) {
    case RDB_TYPE.STRING:
      return { type: 'string', value: copy(readString(r)) };
    case RDB_TYPE.LIST: {
      const n = readCount(r, 1, 'list');
      const items: Buffer[] = [];
      for (let i = 0; i < n; i++) items.push(copy(readString(r)));
      return listOf(items);
    }
    case RDB_TYPE.SET: {
      const n = readCount(r, 1, 'set');
      const members: Buffer[] = [];
      for (let i = 0; i < n; i++) members.push(copy(readString(r)));
      return setOf(members, 'hashtable');
    }
    case RDB_TYPE.ZSET:
    case RDB_TYPE.ZSET_2: {
      const n = readCount(r, type === RDB_TYPE.ZSET ? 2 : 9, 'zset');
      const entries: Array<{ member: Buffer; score: number }> = [];
      for (let i = 0; i < n; i++) {
        const member = copy(readString(r));
        const score = type === RDB_TYPE.ZSET ? readTextScore(r) : r.readBytes(8).readDoubleLE(0);
        entries.push({ member, score });
      }
      return zsetOf(entries, 'skiplist');
    }
    case RDB_TYPE.HASH: {
      const n = readCount(r, 2, 'hash');
      const entries: Array<[Buffer, Buffer]> = [];
      for (let i = 0; i < n; i++) {
        const f = copy(readString(r));
        entries.push([f, copy(readString(r))]);
      }
      return hashOf(entries, 'hashtable');
    }
    case RDB_TYPE.HASH_ZIPMAP:
      return hashOf(
        readZipmap(readString(r)).map(([f, v]) => [copy(f), copy(v)]),
        'listpack',
      );
    case RDB_TYPE.LIST_ZIPLIST:
      return listOf(readZiplist(readString(r)).map(str));
    case RDB_TYPE.SET_INTSET:
      return setOf(
        readIntset(readString(r)).map((v) => Buffer.from(v.toString(), 'latin1')),
        'intset',
      );
    case RDB_TYPE.SET_LISTPACK:
      return setOf(readListpack(readString(r)).map(str), undefined);
    case RDB_TYPE.ZSET_ZIPLIST:
      return zsetOf(zsetFromCompact(readZiplist(readString(r))), 'listpack');
    case RDB_TYPE.ZSET_LISTPACK:
      return zsetOf(zsetFromCompact(readListpack(readString(r))), 'listpack');
    case RDB_TYPE.HASH_ZIPLIST:
      return hashOf(pairs(readZiplist(readString(r)), 'hash'), 'listpack');
    case RDB_TYPE.HASH_LISTPACK:
      return hashOf(pairs(readListpack(readString(r)), 'hash'), 'listpack');
    case RDB_TYPE.LIST_QUICKLIST:
    case RDB_TYPE.LIST_QUICKLIST_2: {
      const n = readCount(r, type === RDB_TYPE.LIST_QUICKLIST ? 1 : 2, 'quicklist');
      const items: Buffer[] = [];
      for (let i = 0; i < n; i++) {
        let container: number = QUICKLIST_NODE_PACKED;
        if (type === RDB_TYPE.LIST_QUICKLIST_2) {
          container = readLength(r);
          if (container !== QUICKLIST_NODE_PACKED && container !== QUICKLIST_NODE_PLAIN) throw corrupt(`quicklist node container ${container}`);
        }
        const blob = readString(r);
        if (container === QUICKLIST_NODE_PLAIN) items.push(copy(blob));
        else for (const v of type === RDB_TYPE.LIST_QUICKLIST ? readZiplist(blob) : readListpack(blob)) items.push(str(v));
      }
      return listOf(items);
    }
    case RDB_TYPE.STREAM_LISTPACKS:
    case RDB_TYPE.STREAM_LISTPACKS_2:
    case RDB_TYPE.STREAM_LISTPACKS_3:
      return decodeStream(type, r);
    case RDB_TYPE.MODULE_PRE_GA:
    case RDB_TYPE.MODULE_2:
      throw corrupt(`RDB type ${type} (${rdbTypeName(type)}): module values cannot be loaded (respdb has no modules)`);
    default:
      throw corrupt(`unknown RDB object type ${type}`);
  }
}
