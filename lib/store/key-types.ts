// Every value type's key operations (OBJECT ENCODING and REFCOUNT, COPY within a shard, the dump
// and re-creation of a cross-shard RENAME / COPY), indexed by the meta type (T_STRING, T_HASH...):
// one static table of what each store room declares.

import { TYPE_NAMES, T_HASH, T_LIST, T_SET, T_STREAM, T_STRING, T_ZSET } from './meta.js';
import type { KeyTypeOps } from './key-ops.js';
import { stringKeyType } from './string.js';
import { hashKeyType } from './hash.js';
import { listKeyType } from './list.js';
import { setKeyType } from './set.js';
import { zsetKeyType } from './zset.js';
import { streamKeyType } from './stream.js';

export type { KeyTypeOps };

const KEY_TYPES: ReadonlyArray<KeyTypeOps | undefined> = (() => {
  const t: Array<KeyTypeOps | undefined> = [];
  t[T_STRING] = stringKeyType;
  t[T_HASH] = hashKeyType;
  t[T_LIST] = listKeyType;
  t[T_SET] = setKeyType;
  t[T_ZSET] = zsetKeyType;
  t[T_STREAM] = streamKeyType;
  return t;
})();

/** A type's operations; throws (one "ERR ..." reply) for a type that has none. */
export function typeOps(type: number): KeyTypeOps {
  const ops = KEY_TYPES[type];
  if (!ops) throw new Error(`operation not supported for ${TYPE_NAMES[type] ?? 'unknown'} keys`);
  return ops;
}
