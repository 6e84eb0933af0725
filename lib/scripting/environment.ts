// The Lua environment Redis 7.0 gives its scripts, built on one lua_State: the base, table,
// string and math libraries and cjson, cmsgpack, bit, struct; only the globals Redis keeps; the
// error handler that records where an error happened; and the protection of globals: a script
// cannot create a global, reading a missing one is an error, and the library tables, _G and the
// string metatable cannot be modified.
//
// Redis makes those tables read-only with a flag its patched Lua checks on every write. This
// Lua has no such flag, so each protected table is reached through an empty proxy whose
// metatable reads from the real table (__index is the table: the VM's fast path) and refuses
// writes (__newindex). The globals of the state are replaced by the proxy of _G, so every chunk
// compiled later (scripts, loadstring) sees only proxies. The base functions that bypass
// metatables (rawset, rawget, next, pairs, ipairs, getmetatable, setmetatable) are replaced by
// versions that see through proxies and refuse to write into them.

import {
  isLuaUnwind,
  LUA_GLOBALSINDEX,
  LUA_REGISTRYINDEX,
  MASK_COUNT,
  T_NIL,
  T_STRING,
  T_TABLE,
  type LuaBinding,
} from './lua-api.js';
import { openRedisLibraries } from './libs/index.js';
import { Rand48 } from './rand48.js';
import { toCInt } from './numbers.js';

type Raw = (...a: number[]) => number;

/** The globals Redis 7.0 leaves to scripts (KEYS and ARGV are set for each run). */
const ALLOWED_GLOBALS = new Set([
  '_G', '_VERSION', 'assert', 'bit', 'cjson', 'cmsgpack', 'collectgarbage', 'coroutine', 'error', 'gcinfo',
  'getmetatable', 'ipairs', 'load', 'loadstring', 'math', 'next', 'pairs', 'pcall', 'rawequal', 'rawget', 'rawset',
  'redis', 'select', 'setmetatable', 'string', 'struct', 'table', 'tonumber', 'tostring', 'type', 'unpack', 'xpcall',
]);

/** Library tables made read-only (when present). */
const PROTECTED_TABLES = ['string', 'math', 'table', 'coroutine', 'cjson', 'cmsgpack', 'bit', 'struct'];

export const READONLY_ERROR = 'Attempt to modify a readonly table';

/**
 * The error handler every run is called with: turns the error into a table {err=, source=,
 * line=} where source and line are those of the innermost Lua function (not C) on the stack when
 * the error was raised, and a non-table error becomes {err="ERR " .. tostring(err)}.
 */
const ERROR_HANDLER = `
local getinfo, type, tostring = ...
return function(err)
  local level = 2
  local i = getinfo(level, 'Sl')
  while i and i.what == 'C' do
    level = level + 1
    i = getinfo(level, 'Sl')
  end
  if type(err) ~= 'table' then
    err = {err = 'ERR ' .. tostring(err)}
  end
  if i then
    err['source'] = i.source
    err['line'] = i.currentline
  end
  return err
end
`;

/** What the hook and the functions need of the run in progress. */
export interface HookTarget {
  /** Called from the count hook: a message to stop the script with, or null. */
  onHook(L: number): string | null;
}

export class LuaEnv {
  readonly L: number;
  /** Registry references: the real globals table, proxy->real and real->proxy maps, the error handler. */
  readonly realGlobalsRef: number;
  readonly proxyGlobalsRef: number;
  private readonly realOfRef: number;
  private readonly proxyOfRef: number;
  readonly errorHandlerRef: number;
  /** The metatable of the globals proxy (its __index can be pointed at another table). */
  readonly globalsMetaRef: number;
  readonly rand = new Rand48();
  private readonly f: Record<string, Raw>;

  constructor(
    readonly b: LuaBinding,
    private readonly hookTarget: HookTarget,
    buildRedis: (env: LuaEnv) => void,
  ) {
    const f = (this.f = {} as Record<string, Raw>);
    for (const n of [
      'lua_getfield', 'lua_setfield', 'lua_rawget', 'lua_rawset', 'lua_pushvalue', 'lua_rawgeti', 'lua_type',
      'lua_settop', 'lua_gettop', 'lua_insert', 'lua_replace', 'lua_setmetatable', 'lua_getmetatable', 'lua_next',
      'lua_pushnil', 'lua_call', 'luaL_checktype', 'luaL_checkany', 'luaL_argerror', 'luaL_where', 'lua_concat',
      'lua_error', 'luaL_checknumber', 'lua_pushnumber', 'lua_sethook', 'lua_gc', 'lua_setfenv', 'lua_createtable',
      'lua_remove', 'luaL_getmetafield', 'lua_pcall', 'lua_isstring',
    ]) {
      f[n] = b.fn(n);
    }
    const L = (this.L = b.newState());
    b.fn('luaL_openlibs')(L);

    // the handler keeps debug.getinfo for itself; debug goes with the other globals Redis removes
    b.load(L, Buffer.from(ERROR_HANDLER, 'latin1'), '=error_handler');
    b.getField(L, LUA_GLOBALSINDEX, 'debug');
    b.getField(L, -1, 'getinfo');
    b.fn('lua_remove')(L, -2);
    b.getField(L, LUA_GLOBALSINDEX, 'type');
    b.getField(L, LUA_GLOBALSINDEX, 'tostring');
    b.fn('lua_call')(L, 3, 1);
    f.lua_pushvalue(L, -1);
    b.setField(L, LUA_GLOBALSINDEX, '__redis__err__handler');
    this.errorHandlerRef = b.ref(L);

    this.replaceRandom();
    openRedisLibraries(b, L);
    buildRedis(this);
    this.pruneGlobals();

    // proxy bookkeeping: proxy -> real, real -> proxy
    b.newTable(L);
    this.realOfRef = b.ref(L);
    b.newTable(L);
    this.proxyOfRef = b.ref(L);

    this.replaceBaseFunctions();

    // the real globals, reached from now on only through their proxy
    f.lua_pushvalue(L, LUA_GLOBALSINDEX);
    this.realGlobalsRef = b.ref(L);
    this.protectGlobals();
    for (const name of [...PROTECTED_TABLES, 'redis']) this.protectGlobalTable(name);
    this.protectStringMetatable();

    // the globals proxy becomes the state's globals: every later chunk sees it
    this.pushRef(this.realGlobalsRef);
    this.makeProxy(-1);
    f.lua_pushvalue(L, -1);
    b.setField(L, -3, '_G'); // real._G = proxy (rawset: real has no __newindex)
    f.lua_pushvalue(L, -1);
    this.proxyGlobalsRef = b.ref(L);
    f.lua_getmetatable(L, -1);
    this.globalsMetaRef = b.ref(L);
    f.lua_replace(L, LUA_GLOBALSINDEX);
    b.pop(L);

    this.installHook();
    f.lua_gc(L, 2 /* LUA_GCCOLLECT */, 0);
  }

  pushRef(ref: number): void {
    this.f.lua_rawgeti(this.L, LUA_REGISTRYINDEX, ref);
  }

  /** Raises "Attempt to modify a readonly table", positioned at the Lua code that attempted it when `positioned`. */
  raiseReadonly(L: number, positioned: boolean): number {
    if (positioned) {
      this.f.luaL_where(L, 1);
      this.b.pushString(L, READONLY_ERROR);
      this.f.lua_concat(L, 2);
    } else {
      this.b.pushString(L, READONLY_ERROR);
    }
    return this.f.lua_error(L);
  }

  private pruneGlobals(): void {
    const { b, L, f } = this;
    const names: string[] = [];
    b.pushNil(L);
    while (f.lua_next(L, LUA_GLOBALSINDEX) !== 0) {
      b.pop(L);
      if (f.lua_type(L, -1) === T_STRING) names.push(b.toLatin1(L, -1)!);
    }
    for (const n of names) {
      if (ALLOWED_GLOBALS.has(n) || n === '__redis__err__handler') continue;
      b.pushNil(L);
      b.setField(L, LUA_GLOBALSINDEX, n);
    }
  }

  private replaceRandom(): void {
    const { b, L, f, rand } = this;
    b.getField(L, LUA_GLOBALSINDEX, 'math');
    const random = b.cfunction((L) => {
      const r = rand.nextDouble();
      const n = f.lua_gettop(L);
      if (n === 0) {
        b.pushNumber(L, r);
      } else if (n === 1) {
        const u = toCInt(f.luaL_checknumber(L, 1));
        if (!(1 <= u)) return f.luaL_argerror(L, 1, b.name('interval is empty'));
        b.pushNumber(L, Math.floor(r * u) + 1);
      } else if (n === 2) {
        const l = toCInt(f.luaL_checknumber(L, 1));
        const u = toCInt(f.luaL_checknumber(L, 2));
        if (!(l <= u)) return f.luaL_argerror(L, 2, b.name('interval is empty'));
        b.pushNumber(L, Math.floor(r * (u - l + 1)) + l);
      } else {
        f.luaL_where(L, 1);
        b.pushString(L, 'wrong number of arguments');
        f.lua_concat(L, 2);
        return f.lua_error(L);
      }
      return 1;
    });
    b.pushCFunction(L, random);
    b.setField(L, -2, 'random');
    const randomseed = b.cfunction((L) => {
      rand.seed(toCInt(f.luaL_checknumber(L, 1)));
      return 0;
    });
    b.pushCFunction(L, randomseed);
    b.setField(L, -2, 'randomseed');
    b.pop(L);
  }

  /** Pushes the real table behind the value at idx when it is a proxy (else the value itself). */
  private pushReal(L: number, idx: number): void {
    const f = this.f;
    this.pushRef(this.realOfRef);
    f.lua_pushvalue(L, idx < 0 ? idx - 1 : idx);
    f.lua_rawget(L, -2);
    if (f.lua_type(L, -1) === T_NIL) {
      this.b.pop(L, 2);
      f.lua_pushvalue(L, idx);
    } else {
      f.lua_remove(L, -2);
    }
  }

  /** True when the table at idx is protected (a proxy or the real table behind one). */
  private isProtected(L: number, idx: number): boolean {
    const f = this.f;
    const abs = idx < 0 ? f.lua_gettop(L) + idx + 1 : idx;
    for (const ref of [this.realOfRef, this.proxyOfRef]) {
      this.pushRef(ref);
      f.lua_pushvalue(L, abs);
      f.lua_rawget(L, -2);
      const found = f.lua_type(L, -1) !== T_NIL;
      this.b.pop(L, 2);
      if (found) return true;
    }
    return false;
  }

  /** Replaces the proxy (or real) table at idx by its proxy when it has one. */
  private pushProxyOf(L: number, idx: number): void {
    const f = this.f;
    this.pushRef(this.proxyOfRef);
    f.lua_pushvalue(L, idx < 0 ? idx - 1 : idx);
    f.lua_rawget(L, -2);
    if (f.lua_type(L, -1) === T_NIL) {
      this.b.pop(L, 2);
      f.lua_pushvalue(L, idx);
    } else {
      f.lua_remove(L, -2);
    }
  }

  private replaceBaseFunctions(): void {
    const { b, L, f } = this;
    // the iterators pairs and ipairs return, taken from the originals
    b.getField(L, LUA_GLOBALSINDEX, 'pairs');
    b.newTable(L);
    f.lua_call(L, 1, 1);
    const nextRef = b.ref(L);
    b.getField(L, LUA_GLOBALSINDEX, 'ipairs');
    b.newTable(L);
    f.lua_call(L, 1, 1);
    const ipairsAuxRef = b.ref(L);

    const define = (name: string, fn: (L: number) => number) => {
      b.pushCFunction(L, b.cfunction(fn));
      b.setField(L, LUA_GLOBALSINDEX, name);
    };
    define('pairs', (L) => {
      f.luaL_checktype(L, 1, T_TABLE);
      this.pushRef(nextRef);
      this.pushReal(L, 1);
      b.pushNil(L);
      return 3;
    });
    define('ipairs', (L) => {
      f.luaL_checktype(L, 1, T_TABLE);
      this.pushRef(ipairsAuxRef);
      this.pushReal(L, 1);
      b.pushNumber(L, 0);
      return 3;
    });
    define('next', (L) => {
      f.luaL_checktype(L, 1, T_TABLE);
      f.lua_settop(L, 2);
      this.pushReal(L, 1);
      f.lua_replace(L, 1);
      this.pushRef(nextRef);
      f.lua_insert(L, 1);
      f.lua_call(L, 2, -1);
      return f.lua_gettop(L);
    });
    // a failed pcall returns the err field of an error table ({err=...} from redis.call or error)
    define('pcall', (L) => {
      const n = f.lua_gettop(L);
      b.pushBoolean(L, true);
      f.lua_insert(L, 1);
      if (f.lua_pcall(L, n - 1, -1, 0) !== 0) {
        f.lua_remove(L, 1);
        if (f.lua_type(L, -1) === T_TABLE) {
          b.getField(L, -1, 'err');
          if (f.lua_isstring(L, -1) !== 0) f.lua_replace(L, -2);
          else b.pop(L);
        }
        b.pushBoolean(L, false);
        f.lua_insert(L, 1);
      }
      return f.lua_gettop(L);
    });
    define('rawget', (L) => {
      f.luaL_checktype(L, 1, T_TABLE);
      f.luaL_checkany(L, 2);
      f.lua_settop(L, 2);
      this.pushReal(L, 1);
      f.lua_replace(L, 1);
      f.lua_rawget(L, 1);
      return 1;
    });
    define('rawset', (L) => {
      f.luaL_checktype(L, 1, T_TABLE);
      f.luaL_checkany(L, 2);
      f.luaL_checkany(L, 3);
      if (this.isProtected(L, 1)) return this.raiseReadonly(L, false);
      f.lua_settop(L, 3);
      f.lua_rawset(L, 1);
      return 1;
    });
    define('setmetatable', (L) => {
      const t = f.lua_type(L, 2);
      f.luaL_checktype(L, 1, T_TABLE);
      if (t !== T_NIL && t !== T_TABLE) return f.luaL_argerror(L, 2, b.name('nil or table expected'));
      if (this.isProtected(L, 1)) return this.raiseReadonly(L, false);
      if (f.luaL_getmetafield(L, 1, b.name('__metatable')) !== 0) {
        f.luaL_where(L, 1);
        b.pushString(L, 'cannot change a protected metatable');
        f.lua_concat(L, 2);
        return f.lua_error(L);
      }
      f.lua_settop(L, 2);
      f.lua_setmetatable(L, 1);
      return 1;
    });
    define('getmetatable', (L) => {
      f.luaL_checkany(L, 1);
      f.lua_settop(L, 1);
      this.pushReal(L, 1);
      if (f.lua_getmetatable(L, -1) === 0) {
        b.pushNil(L);
        return 1;
      }
      b.getField(L, -1, '__metatable');
      if (f.lua_type(L, -1) !== T_NIL) return 1;
      b.pop(L);
      this.pushProxyOf(L, -1);
      return 1;
    });
  }

  /**
   * Makes a proxy for the table at idx (left on the stack): reads go to the table, writes fail.
   * `index` is what the proxy's reads go to (the table itself unless given).
   */
  private makeProxy(idx: number): void {
    const { b, L, f } = this;
    const real = f.lua_gettop(L) + idx + 1;
    b.newTable(L); // proxy
    b.newTable(L); // its metatable
    f.lua_pushvalue(L, real);
    b.setField(L, -2, '__index');
    b.pushCFunction(L, this.newIndexFn());
    b.setField(L, -2, '__newindex');
    f.lua_setmetatable(L, -2);
    // bookkeeping
    this.pushRef(this.realOfRef);
    f.lua_pushvalue(L, -2);
    f.lua_pushvalue(L, real);
    f.lua_rawset(L, -3);
    b.pop(L);
    this.pushRef(this.proxyOfRef);
    f.lua_pushvalue(L, real);
    f.lua_pushvalue(L, -3);
    f.lua_rawset(L, -3);
    b.pop(L);
  }

  private newIndexPtr = 0;

  private newIndexFn(): number {
    if (this.newIndexPtr === 0) this.newIndexPtr = this.b.cfunction((L) => this.raiseReadonly(L, true));
    return this.newIndexPtr;
  }

  /** Globals: reading a missing one is an error (the real table's __index). */
  private protectGlobals(): void {
    const { b, L, f } = this;
    const missing = b.cfunction((L) => {
      const name = b.toLatin1(L, 2) ?? '?';
      f.luaL_where(L, 1);
      b.pushString(L, `Script attempted to access nonexistent global variable '${name}'`);
      f.lua_concat(L, 2);
      return f.lua_error(L);
    });
    this.pushRef(this.realGlobalsRef);
    b.newTable(L);
    b.pushCFunction(L, missing);
    b.setField(L, -2, '__index');
    // the metatable itself is read-only to scripts (getmetatable(_G) hands out its proxy)
    this.makeProxy(-1);
    b.pop(L);
    f.lua_setmetatable(L, -2);
    b.pop(L);
  }

  /** Replaces global `name` (a table) by its proxy. */
  private protectGlobalTable(name: string): void {
    const { b, L, f } = this;
    this.pushRef(this.realGlobalsRef);
    b.pushString(L, name);
    f.lua_rawget(L, -2);
    if (f.lua_type(L, -1) !== T_TABLE) {
      b.pop(L, 2);
      return;
    }
    this.makeProxy(-1);
    b.pushString(L, name);
    f.lua_insert(L, -2);
    f.lua_rawset(L, -4);
    b.pop(L, 2);
  }

  /** The string metatable: its __index is the proxy of `string`, and it is read-only itself. */
  private protectStringMetatable(): void {
    const { b, L, f } = this;
    b.pushString(L, '');
    if (f.lua_getmetatable(L, -1) === 0) {
      b.pop(L);
      return;
    }
    this.pushRef(this.realGlobalsRef);
    b.pushString(L, 'string');
    f.lua_rawget(L, -2);
    f.lua_remove(L, -2);
    b.setField(L, -2, '__index');
    this.makeProxy(-1);
    b.pop(L, 3);
  }

  private installHook(): void {
    const { b, L, f } = this;
    const hook = b.m.addFunction((L: number) => {
      let msg: string | null;
      try {
        msg = this.hookTarget.onHook(L);
      } catch (e) {
        // Lua's own unwind goes through; a JavaScript exception must not cross Lua's C frames
        if (isLuaUnwind(e)) throw e;
        msg = e instanceof Error ? e.message : String(e);
      }
      if (msg !== null) {
        b.pushString(L, msg);
        f.lua_error(L);
      }
    }, 'vii');
    this.hookPtr = hook;
    f.lua_sethook(L, hook, MASK_COUNT, HOOK_INSTRUCTIONS);
  }

  private hookPtr = 0;

  /** The count hook fires every `n` instructions (1 once a run must stop: no pcall can outlast it). */
  setHookPeriod(n: number): void {
    this.f.lua_sethook(this.L, this.hookPtr, MASK_COUNT, n);
  }

  /** Compiles a chunk with the globals proxy as its environment (the state's globals). */
  compile(code: Uint8Array, chunkName: string): number {
    return this.b.load(this.L, code, chunkName);
  }

  /** Sets global `name` (in the real globals) to the value at the top (popped). */
  setGlobal(name: string): void {
    const { b, L } = this;
    this.pushRef(this.realGlobalsRef);
    b.pushString(L, name);
    this.f.lua_pushvalue(L, -3);
    this.f.lua_rawset(L, -3);
    b.pop(L, 2);
  }

  /** Reads of the globals proxy go to the table at the top (popped) until restored. */
  setGlobalsIndex(): void {
    const { b, L } = this;
    this.pushRef(this.globalsMetaRef);
    this.f.lua_insert(L, -2);
    this.f.lua_setfield(L, -2, b.name('__index'));
    b.pop(L);
  }

  /** A read-only proxy of the table at the top (replaced by it). */
  proxyTop(): void {
    this.makeProxy(-1);
    this.f.lua_remove(this.L, -2);
  }
}

/** Instructions between two calls of the count hook. */
export const HOOK_INSTRUCTIONS = 10000;

