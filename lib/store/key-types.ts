// Every value type's key operations (OBJECT ENCODING, COPY, cross-shard RENAME / COPY), indexed by
// the meta type (T_STRING, T_HASH...).

import { TYPE_NAMES } from './meta.js';
import type { KeyTypeOps } from './key-ops.js';

export type { KeyTypeOps };

/** Per-type operations, indexed by meta type. */
export const keyTypeOps: Array<KeyTypeOps | undefined> = [];

/** A type's operations; throws (one "ERR ..." reply) for a type that has none. */
export function typeOps(type: number): KeyTypeOps {
  const ops = keyTypeOps[type];
  if (!ops) throw new Error(`operation not supported for ${TYPE_NAMES[type] ?? 'unknown'} keys`);
  return ops;
}
