// The settings of one cjson module table (cjson itself, or a table cjson.new() made), kept in a
// full userdata that every function of the table holds as its upvalue: Lua collects it with the
// table, and each module's settings stay its own. Fields are 32-bit integers.

import type { LuaBinding } from '../lua-api.js';
import { upvalueIndex } from '../lua-api.js';
import { heapViews, type HeapViews } from './raw-api.js';

export const enum Field {
  SparseConvert,
  SparseRatio,
  SparseSafe,
  EncodeMaxDepth,
  DecodeMaxDepth,
  EncodeInvalidNumbers, // 0 off, 1 on, 2 null
  DecodeInvalidNumbers,
  EncodeKeepBuffer,
  NumberPrecision,
  Count,
}

const DEFAULTS: Record<Field, number> = {
  [Field.SparseConvert]: 0,
  [Field.SparseRatio]: 2,
  [Field.SparseSafe]: 10,
  [Field.EncodeMaxDepth]: 1000,
  [Field.DecodeMaxDepth]: 1000,
  [Field.EncodeInvalidNumbers]: 0,
  [Field.DecodeInvalidNumbers]: 1,
  [Field.EncodeKeepBuffer]: 1,
  [Field.NumberPrecision]: 14,
  [Field.Count]: 0,
};

/** Pushes a new settings userdata with the defaults. */
export function pushNewConfig(b: LuaBinding, L: number): void {
  const p = b.fn('lua_newuserdata')(L, Field.Count * 4);
  const heap = b.m.HEAPU32;
  for (let f = 0; f < Field.Count; f++) heap[(p >> 2) + f] = DEFAULTS[f as Field];
}

/** The settings of the running function's module (its first upvalue). */
export class Config {
  private constructor(
    private readonly heap: HeapViews,
    private readonly p: number,
  ) {}

  static of(b: LuaBinding, L: number): Config {
    return new Config(heapViews(b), b.fn('lua_touserdata')(L, upvalueIndex(1)));
  }

  get(f: Field): number {
    return this.heap.words()[(this.p >> 2) + f]! | 0;
  }

  set(f: Field, v: number): void {
    this.heap.words()[(this.p >> 2) + f] = v >>> 0;
  }
}
