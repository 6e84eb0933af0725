// The cjson library of Redis's Lua (lua-cjson 2.1.0): encode, decode, their settings, new (a
// module table with settings of its own) and null (a NULL light userdata, what JSON null decodes
// to and encodes from). Every function of a module table holds that table's settings as its
// upvalue.

import type { LuaBinding } from '../lua-api.js';
import { LUA_GLOBALSINDEX, T_BOOLEAN } from '../lua-api.js';
import { Config, Field, pushNewConfig } from './cjson-config.js';
import { JsonEncoder } from './cjson-encode.js';
import { JsonDecoder } from './cjson-decode.js';
import { argError, checkInt, isNoneOrNil } from './lua-errors.js';

const INT_MAX = 2 ** 31 - 1;

interface Cjson {
  /** Functions taking the settings upvalue, by their name in the module table. */
  withConfig: [string, number][];
  newModule: number;
  /** NULL-terminated C arrays of the option names luaL_checkoption takes. */
  offOn: number;
  offOnNull: number;
}

const perBinding = new WeakMap<LuaBinding, Cjson>();

function optionList(b: LuaBinding, names: string[]): number {
  const p = b.m._malloc(4 * (names.length + 1));
  names.forEach((n, i) => (b.m.HEAPU32[(p >> 2) + i] = b.name(n)));
  b.m.HEAPU32[(p >> 2) + names.length] = 0;
  return p;
}

function checkArgCount(b: LuaBinding, L: number, max: number): void {
  if (b.top(L) > max) argError(b, L, max + 1, 'found too many arguments');
}

/** An integer setting: argument narg, when given, must lie in [min, max] (reported as argument 1). */
function integerOption(b: LuaBinding, L: number, cfg: Config, narg: number, field: Field, min: number, max: number): void {
  if (isNoneOrNil(b, L, narg)) return;
  const v = checkInt(b, L, narg);
  if (v < min || v > max) argError(b, L, 1, `expected integer between ${min} and ${max}`);
  cfg.set(field, v);
}

/** An option setting: a boolean (off/on) or one of the names (luaL_checkoption's index). */
function enumOption(b: LuaBinding, L: number, cfg: Config, narg: number, field: Field, list: number): void {
  if (isNoneOrNil(b, L, narg)) return;
  if (b.type(L, narg) === T_BOOLEAN) cfg.set(field, b.toBoolean(L, narg) ? 1 : 0);
  else cfg.set(field, b.fn('luaL_checkoption')(L, narg, 0, list));
}

/** An option's value as the library returns it: a boolean for off/on, else the option's name. */
function pushEnum(b: LuaBinding, L: number, cfg: Config, field: Field, names: string[]): void {
  const v = cfg.get(field);
  if (v <= 1) b.pushBoolean(L, v === 1);
  else b.pushString(L, names[v]!);
}

const OFF_ON = ['off', 'on'];
const OFF_ON_NULL = ['off', 'on', 'null'];

function setup(b: LuaBinding): Cjson {
  let c = perBinding.get(b);
  if (c) return c;
  const encoder = new JsonEncoder(b);
  const decoder = new JsonDecoder(b);
  const offOn = optionList(b, OFF_ON);
  const offOnNull = optionList(b, OFF_ON_NULL);
  const fn = (f: (L: number, cfg: Config) => number) => b.cfunction((L) => f(L, Config.of(b, L)));
  const withConfig: [string, number][] = [
    ['encode', fn((L, cfg) => {
      if (b.top(L) !== 1) argError(b, L, 1, 'expected 1 argument');
      encoder.encode(L, cfg);
      return 1;
    })],
    ['decode', fn((L, cfg) => {
      if (b.top(L) !== 1) argError(b, L, 1, 'expected 1 argument');
      decoder.decode(L, cfg);
      return 1;
    })],
    ['encode_sparse_array', fn((L, cfg) => {
      checkArgCount(b, L, 3);
      enumOption(b, L, cfg, 1, Field.SparseConvert, offOn);
      integerOption(b, L, cfg, 2, Field.SparseRatio, 0, INT_MAX);
      integerOption(b, L, cfg, 3, Field.SparseSafe, 0, INT_MAX);
      pushEnum(b, L, cfg, Field.SparseConvert, OFF_ON);
      b.pushNumber(L, cfg.get(Field.SparseRatio));
      b.pushNumber(L, cfg.get(Field.SparseSafe));
      return 3;
    })],
    ['encode_max_depth', fn((L, cfg) => {
      checkArgCount(b, L, 1);
      integerOption(b, L, cfg, 1, Field.EncodeMaxDepth, 1, INT_MAX);
      b.pushNumber(L, cfg.get(Field.EncodeMaxDepth));
      return 1;
    })],
    ['decode_max_depth', fn((L, cfg) => {
      checkArgCount(b, L, 1);
      integerOption(b, L, cfg, 1, Field.DecodeMaxDepth, 1, INT_MAX);
      b.pushNumber(L, cfg.get(Field.DecodeMaxDepth));
      return 1;
    })],
    ['encode_number_precision', fn((L, cfg) => {
      checkArgCount(b, L, 1);
      integerOption(b, L, cfg, 1, Field.NumberPrecision, 1, 14);
      b.pushNumber(L, cfg.get(Field.NumberPrecision));
      return 1;
    })],
    ['encode_keep_buffer', fn((L, cfg) => {
      checkArgCount(b, L, 1);
      enumOption(b, L, cfg, 1, Field.EncodeKeepBuffer, offOn);
      pushEnum(b, L, cfg, Field.EncodeKeepBuffer, OFF_ON);
      return 1;
    })],
    ['encode_invalid_numbers', fn((L, cfg) => {
      checkArgCount(b, L, 1);
      enumOption(b, L, cfg, 1, Field.EncodeInvalidNumbers, offOnNull);
      pushEnum(b, L, cfg, Field.EncodeInvalidNumbers, OFF_ON_NULL);
      return 1;
    })],
    ['decode_invalid_numbers', fn((L, cfg) => {
      checkArgCount(b, L, 1);
      enumOption(b, L, cfg, 1, Field.DecodeInvalidNumbers, offOn);
      pushEnum(b, L, cfg, Field.DecodeInvalidNumbers, OFF_ON);
      return 1;
    })],
  ];
  const newModule = b.cfunction((L) => {
    pushModule(b, L);
    return 1;
  });
  c = { withConfig, newModule, offOn, offOnNull };
  perBinding.set(b, c);
  return c;
}

/** Pushes a fresh module table with default settings. */
function pushModule(b: LuaBinding, L: number): void {
  const c = setup(b);
  b.newTable(L);
  const table = b.top(L);
  for (const [name, ptr] of c.withConfig) {
    pushNewConfigOnce(b, L, table);
    b.pushCFunction(L, ptr, 1);
    b.setField(L, table, name);
  }
  b.pop(L, 1); // the settings userdata
  b.pushCFunction(L, c.newModule, 0);
  b.setField(L, table, 'new');
  b.fn('lua_pushlightuserdata')(L, 0);
  b.setField(L, table, 'null');
  b.pushString(L, 'cjson');
  b.setField(L, table, '_NAME');
  b.pushString(L, '2.1.0');
  b.setField(L, table, '_VERSION');
}

/**
 * Leaves one settings userdata just above the table (created on the first call) and a copy of
 * it on top, for the closure about to be made.
 */
function pushNewConfigOnce(b: LuaBinding, L: number, table: number): void {
  if (b.top(L) === table) pushNewConfig(b, L);
  b.fn('lua_pushvalue')(L, table + 1);
}

/** Leaves the global table `cjson`. */
export function openCjson(b: LuaBinding, L: number): void {
  pushModule(b, L);
  b.setField(L, LUA_GLOBALSINDEX, 'cjson');
}
