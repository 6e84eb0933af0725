// The object type byte of an RDB value (and of a DUMP payload), as Redis numbers them.

export const RDB_TYPE = {
  STRING: 0,
  LIST: 1,
  SET: 2,
  ZSET: 3,
  HASH: 4,
  ZSET_2: 5,
  MODULE_PRE_GA: 6,
  MODULE_2: 7,
  HASH_ZIPMAP: 9,
  LIST_ZIPLIST: 10,
  SET_INTSET: 11,
  ZSET_ZIPLIST: 12,
  HASH_ZIPLIST: 13,
  LIST_QUICKLIST: 14,
  STREAM_LISTPACKS: 15,
  HASH_LISTPACK: 16,
  ZSET_LISTPACK: 17,
  LIST_QUICKLIST_2: 18,
  STREAM_LISTPACKS_2: 19,
  SET_LISTPACK: 20,
  STREAM_LISTPACKS_3: 21,
} as const;

const NAMES = new Map<number, string>(Object.entries(RDB_TYPE).map(([k, v]) => [v, k.toLowerCase()]));

/** A type byte's name for messages ("module_2", "unknown type 42"). */
export function rdbTypeName(type: number): string {
  return NAMES.get(type) ?? `unknown type ${type}`;
}

/** Whether `b` is an object type byte (not an opcode). */
export function isObjectType(b: number): boolean {
  return NAMES.has(b);
}
