// What the libraries written against the C API share: registering a table of lua_CFunctions the
// way a C library's luaopen_ does (luaL_register: the global and package.loaded's entry), and
// the argument checks whose errors must carry Lua's own texts ("bad argument #2 to 'pack' ..."),
// which Lua builds from the call's debug information, so they are raised by Lua's functions.

import type { LuaBinding } from '../lua-api.js';

/** A library's functions, by name, as JavaScript bodies run as lua_CFunctions. */
export type LibraryFunctions = Readonly<Record<string, (b: LuaBinding, L: number) => number>>;

interface Registered {
  /** The luaL_Reg array ({name, function} pairs, then {NULL, NULL}) in the module's memory. */
  regs: number;
}

const registered = new WeakMap<LuaBinding, Map<string, Registered>>();

/**
 * Leaves the global table `name` holding `functions` (and the same table in package.loaded), as
 * luaL_register does for a C library; the stack is left as it was. Each function is registered
 * with the binding once, however many states open the library.
 */
export function openLibrary(b: LuaBinding, L: number, name: string, functions: LibraryFunctions): void {
  let byName = registered.get(b);
  if (byName === undefined) registered.set(b, (byName = new Map()));
  let lib = byName.get(name);
  if (lib === undefined) {
    const entries = Object.entries(functions);
    const regs = b.m._malloc((entries.length + 1) * 8);
    if (regs === 0) throw new Error('lua: out of memory');
    entries.forEach(([fname, body], i) => {
      b.m.HEAPU32[(regs >> 2) + 2 * i] = b.name(fname);
      b.m.HEAPU32[(regs >> 2) + 2 * i + 1] = b.cfunction((L2) => body(b, L2));
    });
    b.m.HEAPU32[(regs >> 2) + 2 * entries.length] = 0;
    b.m.HEAPU32[(regs >> 2) + 2 * entries.length + 1] = 0;
    byName.set(name, (lib = { regs }));
  }
  b.fn('luaL_register')(L, b.name(name), lib.regs);
  b.pop(L);
}

const lengthSlots = new WeakMap<LuaBinding, number>();

function lengthSlot(b: LuaBinding): number {
  let p = lengthSlots.get(b);
  if (p === undefined) {
    p = b.m._malloc(8);
    if (p === 0) throw new Error('lua: out of memory');
    lengthSlots.set(b, p);
  }
  return p;
}

/**
 * luaL_checklstring: a copy of the string (or number, converted in place) at `idx`, or Lua's
 * "bad argument" error.
 */
export function checkBytes(b: LuaBinding, L: number, idx: number): Buffer {
  const lenPtr = lengthSlot(b);
  const p = b.fn('luaL_checklstring')(L, idx, lenPtr);
  const n = b.m.HEAPU32[lenPtr >> 2]!;
  return Buffer.from(b.m.HEAPU8.subarray(p, p + n));
}

/**
 * luaL_checklstring without a copy: the string's address in the module's memory and its length.
 * The bytes stay where they are while the string is on the stack; read them through the
 * module's current HEAPU8 (memory growth replaces it).
 */
export function checkString(b: LuaBinding, L: number, idx: number): { ptr: number; len: number } {
  const lenPtr = lengthSlot(b);
  const ptr = b.fn('luaL_checklstring')(L, idx, lenPtr);
  return { ptr, len: b.m.HEAPU32[lenPtr >> 2]! };
}

/** luaL_checknumber: the number at `idx` (numeric strings converted), or Lua's error. */
export function checkNumber(b: LuaBinding, L: number, idx: number): number {
  return b.fn('luaL_checknumber')(L, idx);
}

/** luaL_optnumber: `dflt` when the argument is absent or nil. */
export function optNumber(b: LuaBinding, L: number, idx: number, dflt: number): number {
  return b.fn('luaL_optnumber')(L, idx, dflt);
}

/**
 * luaL_error: the message after the position of the Lua code that called the running function
 * ("user_script:1: "; nothing when that caller is not Lua code, pcall for instance).
 */
export function luaError(b: LuaBinding, L: number, msg: string): never {
  b.fn('luaL_where')(L, 1);
  b.pushString(L, msg);
  b.fn('lua_concat')(L, 2);
  b.raiseTop(L);
  throw new Error('lua_error returned');
}

/** luaL_argerror: "bad argument #narg to 'f' (msg)", the function's name as Lua finds it. */
export function argError(b: LuaBinding, L: number, narg: number, msg: string): never {
  const text = Buffer.from(msg + '\0', 'latin1');
  b.fn('luaL_argerror')(L, narg, b.place(text));
  throw new Error('luaL_argerror returned');
}

/** luaL_typerror: "bad argument #narg to 'f' (tname expected, got <type>)". */
export function typeError(b: LuaBinding, L: number, narg: number, tname: string): never {
  b.fn('luaL_typerror')(L, narg, b.name(tname));
  throw new Error('luaL_typerror returned');
}

/** luaL_checkstack: room for `n` more values, or "stack overflow (msg)". */
export function checkStack(b: LuaBinding, L: number, n: number, msg: string): void {
  b.fn('luaL_checkstack')(L, n, b.name(msg));
}
