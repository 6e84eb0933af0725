// The Lua 5.1.5 C API as compiled to WebAssembly (the npm package wasmoon-lua5.1), bound thinly:
// the raw exported functions, byte strings copied straight between JavaScript buffers and the
// module's memory (Lua strings are bytes: keys and values stay binary-safe, nothing is decoded as
// UTF-8), and JavaScript functions registered as lua_CFunctions. Only the module's C API is used:
// the package's own object bridge is not.
//
// A JavaScript function registered with `cfunction` runs inside Lua's C stack. It raises a Lua
// error with `raise` (lua_error: a longjmp, which this build implements by throwing `Infinity`
// through the JavaScript frames); any other exception it throws is turned into a Lua error, so
// a bug never unwinds Lua's C stack behind its back.

import { LuaApi } from 'wasmoon-lua5.1';

/** The exported C functions this binding calls (pointers and integers are numbers). */
export interface LuaModule {
  HEAPU8: Uint8Array;
  HEAPU32: Uint32Array;
  HEAPF64: Float64Array;
  _malloc(n: number): number;
  _free(p: number): void;
  addFunction(f: (...a: number[]) => number | void, sig: string): number;
  /** The instance's exports unwrapped (by C name, no underscore), when they could be captured. */
  rawExports?: Record<string, unknown>;
  [name: string]: unknown;
}

type Raw = (...a: number[]) => number;

export const LUA_REGISTRYINDEX = -10000;
export const LUA_ENVIRONINDEX = -10001;
export const LUA_GLOBALSINDEX = -10002;
export const LUA_MULTRET = -1;

export const LUA_OK = 0;
export const LUA_YIELD = 1;
export const LUA_ERRRUN = 2;
export const LUA_ERRSYNTAX = 3;
export const LUA_ERRMEM = 4;
export const LUA_ERRERR = 5;

export const T_NONE = -1;
export const T_NIL = 0;
export const T_BOOLEAN = 1;
export const T_LIGHTUSERDATA = 2;
export const T_NUMBER = 3;
export const T_STRING = 4;
export const T_TABLE = 5;
export const T_FUNCTION = 6;
export const T_USERDATA = 7;
export const T_THREAD = 8;

export const MASK_COUNT = 8;

/** What lua_error's longjmp throws in this build: let it through, never catch it. */
export function isLuaUnwind(e: unknown): boolean {
  return e === Infinity;
}

/** Upvalue pseudo-index `i` (1-based) of the running C closure. */
export function upvalueIndex(i: number): number {
  return LUA_GLOBALSINDEX - i;
}

let loading: Promise<LuaModule> | null = null;

/**
 * The package's build wraps every export in an assertion wrapper (spread arguments, a runtime
 * check, a lookup per call), a third of the time of a C-API-heavy library function. The
 * instance's own exports are captured while it loads, by watching WebAssembly.instantiate, and
 * `LuaBinding.fn` calls them directly.
 */
type Exports = Record<string, unknown>;
/** The slice of the WebAssembly global used here (this project's TypeScript libs do not declare it). */
interface WasmGlobal {
  instantiate: (...a: unknown[]) => Promise<unknown>;
  Instance: new (...a: never[]) => { exports: Exports };
}

async function initializeCapturingExports(): Promise<LuaModule> {
  const wasm = (globalThis as unknown as { WebAssembly: WasmGlobal }).WebAssembly;
  const original = wasm.instantiate;
  let exports: Exports | null = null;
  wasm.instantiate = async (...args: unknown[]) => {
    const r = await original.apply(wasm, args);
    const instance = r instanceof wasm.Instance ? r : (r as { instance: { exports: Exports } }).instance;
    if (exports === null && typeof instance.exports['lua_gettop'] === 'function') exports = instance.exports;
    return r;
  };
  try {
    const api = await LuaApi.initialize();
    const m = api.module as unknown as LuaModule;
    if (exports !== null) m.rawExports = exports;
    return m;
  } finally {
    wasm.instantiate = original;
  }
}

/** The module of this thread (one WebAssembly instance per thread, loaded once). */
export function loadLuaModule(): Promise<LuaModule> {
  return (loading ??= initializeCapturingExports());
}

/**
 * One thread's binding: the module, scratch memory for strings, interned C strings. Every method
 * takes the lua_State pointer, so several states (scripts, function libraries) share one binding.
 */
export class LuaBinding {
  readonly m: LuaModule;
  private scratch = 0;
  private scratchSize = 0;
  private readonly lenPtr: number;
  private readonly names = new Map<string, number>();
  private readonly fns = new Map<string, Raw>();

  constructor(m: LuaModule) {
    this.m = m;
    this.lenPtr = m._malloc(8);
    this.grow(64 * 1024);
  }

  static async create(): Promise<LuaBinding> {
    return new LuaBinding(await loadLuaModule());
  }

  /** Raw export `_name` (lua_pushnil...), looked up once. */
  fn(name: string): Raw {
    let f = this.fns.get(name);
    if (f === undefined) {
      f = (this.m.rawExports?.[name] ?? this.m['_' + name]) as Raw | undefined;
      if (typeof f !== 'function') throw new Error(`lua export ${name} missing`);
      this.fns.set(name, f);
    }
    return f;
  }

  private grow(n: number): void {
    if (this.scratch !== 0) this.m._free(this.scratch);
    this.scratchSize = Math.max(n, this.scratchSize * 2);
    this.scratch = this.m._malloc(this.scratchSize);
    if (this.scratch === 0) throw new Error('lua: out of memory');
  }

  /** A NUL-terminated copy of an ASCII name, allocated once for the thread's life. */
  name(s: string): number {
    let p = this.names.get(s);
    if (p === undefined) {
      const b = Buffer.from(s + '\0', 'latin1');
      p = this.m._malloc(b.length);
      this.m.HEAPU8.set(b, p);
      this.names.set(s, p);
    }
    return p;
  }

  /** Copies bytes into scratch memory; returns their address (valid until the next copy). */
  place(b: Uint8Array): number {
    if (b.length > this.scratchSize) this.grow(b.length);
    this.m.HEAPU8.set(b, this.scratch);
    return this.scratch;
  }

  // ---- stack

  pushBytes(L: number, b: Uint8Array): void {
    const p = this.place(b);
    this.fn('lua_pushlstring')(L, p, b.length);
  }

  /** A latin1 string (one byte per character): error texts and names built in JavaScript. */
  pushString(L: number, s: string): void {
    this.pushBytes(L, Buffer.from(s, 'latin1'));
  }

  pushNumber(L: number, n: number): void {
    this.fn('lua_pushnumber')(L, n);
  }

  pushBoolean(L: number, b: boolean): void {
    this.fn('lua_pushboolean')(L, b ? 1 : 0);
  }

  pushNil(L: number): void {
    this.fn('lua_pushnil')(L);
  }

  /** A view of the string (or number, converted in place as Lua does) at `idx`; null otherwise. Valid until Lua runs again. */
  viewBytes(L: number, idx: number): Uint8Array | null {
    const p = this.fn('lua_tolstring')(L, idx, this.lenPtr);
    if (p === 0) return null;
    const n = this.m.HEAPU32[this.lenPtr >> 2];
    return this.m.HEAPU8.subarray(p, p + n);
  }

  /** A copy of the string at `idx` (numbers converted as Lua does); null when it is neither. */
  toBytes(L: number, idx: number): Buffer | null {
    const v = this.viewBytes(L, idx);
    return v === null ? null : Buffer.from(v);
  }

  toLatin1(L: number, idx: number): string | null {
    const v = this.viewBytes(L, idx);
    return v === null ? null : Buffer.from(v.buffer, v.byteOffset, v.length).toString('latin1');
  }

  toNumber(L: number, idx: number): number {
    return this.fn('lua_tonumber')(L, idx);
  }

  toBoolean(L: number, idx: number): boolean {
    return this.fn('lua_toboolean')(L, idx) !== 0;
  }

  type(L: number, idx: number): number {
    return this.fn('lua_type')(L, idx);
  }

  top(L: number): number {
    return this.fn('lua_gettop')(L);
  }

  setTop(L: number, n: number): void {
    this.fn('lua_settop')(L, n);
  }

  pop(L: number, n = 1): void {
    this.fn('lua_settop')(L, -n - 1);
  }

  /** t[name] onto the stack (may run metamethods). */
  getField(L: number, idx: number, name: string): void {
    this.fn('lua_getfield')(L, idx, this.name(name));
  }

  /** t[name] = value at the top (popped). */
  setField(L: number, idx: number, name: string): void {
    this.fn('lua_setfield')(L, idx, this.name(name));
  }

  rawGetI(L: number, idx: number, i: number): void {
    this.fn('lua_rawgeti')(L, idx, i);
  }

  rawSetI(L: number, idx: number, i: number): void {
    this.fn('lua_rawseti')(L, idx, i);
  }

  newTable(L: number, narr = 0, nrec = 0): void {
    this.fn('lua_createtable')(L, narr, nrec);
  }

  /** Length of the table or string at idx (lua_objlen: the border Lua's # finds). */
  objLen(L: number, idx: number): number {
    return this.fn('lua_objlen')(L, idx);
  }

  // ---- functions

  /**
   * Registers `f` as a lua_CFunction (for the thread's life; register each function once). It
   * returns its number of results; exceptions other than Lua's own unwind become Lua errors.
   */
  cfunction(f: (L: number) => number): number {
    const wrapped = (L: number): number => {
      let msg: string;
      try {
        return f(L);
      } catch (e) {
        if (isLuaUnwind(e)) throw e;
        msg = e instanceof Error ? e.message : String(e);
      }
      return this.raise(L, msg);
    };
    return this.m.addFunction(wrapped, 'ii');
  }

  pushCFunction(L: number, ptr: number, upvalues = 0): void {
    this.fn('lua_pushcclosure')(L, ptr, upvalues);
  }

  /** Raises a Lua error with a string message (never returns normally). */
  raise(L: number, msg: string): number {
    this.pushString(L, msg);
    return this.fn('lua_error')(L);
  }

  /** Raises the value at the top of the stack as the error (a table for redis.call's errors). */
  raiseTop(L: number): number {
    return this.fn('lua_error')(L);
  }

  /** Compiles a chunk; leaves the function (LUA_OK) or the error message on the stack. */
  load(L: number, code: Uint8Array, chunkName: string): number {
    const p = this.place(code);
    return this.fn('luaL_loadbuffer')(L, p, code.length, this.name(chunkName));
  }

  pcall(L: number, nargs: number, nresults: number, errfunc = 0): number {
    return this.fn('lua_pcall')(L, nargs, nresults, errfunc);
  }

  /** A registry reference to the value at the top (popped). */
  ref(L: number): number {
    return this.fn('luaL_ref')(L, LUA_REGISTRYINDEX);
  }

  unref(L: number, r: number): void {
    this.fn('luaL_unref')(L, LUA_REGISTRYINDEX, r);
  }

  newState(): number {
    const L = this.fn('luaL_newstate')();
    if (L === 0) throw new Error('lua: cannot create a state');
    return L;
  }

  close(L: number): void {
    this.fn('lua_close')(L);
  }
}
