// Errors and argument checks for the C-API libraries, with the texts the Lua auxiliary library
// gives them: luaL_error's position prefix (the calling Lua function's "chunk:line:", nothing
// when a C function such as pcall is the caller) and luaL_argerror's "bad argument #n to 'f'".
// The real auxiliary functions are called where they exist, so the function names and prefixes
// come out of Lua's own call information.

import type { LuaBinding } from '../lua-api.js';

/** luaL_error: raises msg prefixed with the caller's position. Never returns. */
export function luaError(b: LuaBinding, L: number, msg: string): never {
  b.fn('luaL_where')(L, 1);
  b.pushString(L, msg);
  b.fn('lua_concat')(L, 2);
  b.fn('lua_error')(L);
  throw new Error('unreachable: lua_error returned');
}

function cString(b: LuaBinding, s: string): number {
  return b.place(Buffer.from(s + '\0', 'latin1'));
}

/** luaL_argerror: "bad argument #narg to 'name' (msg)". Never returns. */
export function argError(b: LuaBinding, L: number, narg: number, msg: string): never {
  b.fn('luaL_argerror')(L, narg, cString(b, msg));
  throw new Error('unreachable: luaL_argerror returned');
}

/** luaL_typerror: "bad argument #narg to 'name' (tname expected, got <type>)". Never returns. */
export function typeError(b: LuaBinding, L: number, narg: number, tname: string): never {
  b.fn('luaL_typerror')(L, narg, b.name(tname));
  throw new Error('unreachable: luaL_typerror returned');
}

/**
 * luaL_checkinteger as a 64-bit build of Lua sees it (Redis's Lua is one; this module's is
 * 32-bit): the number truncated toward zero, an out-of-range double becoming INT64_MIN as x86's
 * conversion makes it. Exact up to 2^53, which is all that callers compare against.
 */
export function checkInteger(b: LuaBinding, L: number, narg: number): number {
  if (b.fn('lua_isnumber')(L, narg) === 0) typeError(b, L, narg, 'number');
  const d = Math.trunc(b.toNumber(L, narg));
  return d >= -(2 ** 63) && d < 2 ** 63 ? d : -(2 ** 63);
}

/** The low 32 bits of an integer as a C int: what a 64-bit value stored into an int, or printed with %d, shows. */
export function lowInt32(v: number): number {
  return Number(BigInt.asIntN(32, BigInt(v)));
}

/** checkInteger narrowed to a C int. */
export function checkInt(b: LuaBinding, L: number, narg: number): number {
  return lowInt32(checkInteger(b, L, narg));
}

/** True when argument narg is absent or nil (luaL_opt's test). */
export function isNoneOrNil(b: LuaBinding, L: number, narg: number): boolean {
  return b.type(L, narg) <= 0;
}
