// Function libraries (FUNCTION LOAD / FCALL) in their own state, as Redis keeps them: the
// library code runs once in a loading sandbox whose only global is a small `redis` table
// (register_function, log, its levels, the version), limited to 500 ms; the functions it
// registers then run with the full environment (without KEYS/ARGV: they get keys and args as
// their two arguments). The sandbox is the same globals proxy pointed at another table while
// loading, so functions defined by the library see the full globals when they run.

import { LUA_REGISTRYINDEX, T_FUNCTION, T_NUMBER, T_STRING, T_TABLE, type LuaBinding } from './lua-api.js';
import type { FunctionInfo, LibraryHandle, RunRequest, ScriptHost } from './engine-types.js';
import type { LuaEnv } from './environment.js';
import type { RedisApi } from './redis-api.js';
import { BAD_NAME, SCRIPT_FLAGS, parseLibraryShebang, validName } from './shebang.js';
import { pushArray, type Runner } from './runner.js';

export interface LoadedLibrary extends LibraryHandle {
  readonly code: Buffer;
  /** Registry references of the registered callbacks, by function name; empty once dropped. */
  readonly refs: Map<string, number>;
}

/** How long a library's code may run while loading. */
export const LOAD_TIMEOUT_MS = 500;

interface Loading {
  functions: FunctionInfo[];
  refs: Map<string, number>;
  deadline: number;
}

type Raw = (...a: number[]) => number;

export class FunctionLibraries {
  private runner: Runner | null = null;
  private loading: Loading | null = null;
  private loadGlobalsRef = -1;
  private loadRedisRef = -1;
  private readonly f: Record<string, Raw> = {};

  constructor(
    private readonly b: LuaBinding,
    private readonly env: LuaEnv,
    private readonly api: RedisApi,
  ) {
    for (const n of ['lua_type', 'lua_gettop', 'lua_next', 'lua_pushvalue', 'lua_settop', 'lua_getmetatable', 'lua_setmetatable', 'lua_rawgeti', 'lua_error', 'lua_objlen']) {
      this.f[n] = b.fn(n);
    }
  }

  /** While the state is built: the runtime `redis` table, and the loading one kept aside. */
  installRedis(): void {
    const { b } = this;
    const L = this.env.L;
    b.newTable(L);
    this.api.installRuntime(L);
    b.setField(L, -10002 /* LUA_GLOBALSINDEX */, 'redis');

    b.newTable(L);
    b.pushCFunction(L, b.cfunction((L) => this.registerFunction(L)));
    b.setField(L, -2, 'register_function');
    this.api.installLog(L);
    this.api.installCommon(L);
    this.loadRedisRef = b.ref(L);
  }

  /** Once the state is built: the loading globals {redis = <read-only loading redis>}, protected like _G. */
  attach(runner: Runner): void {
    this.runner = runner;
    const { b, env } = this;
    const L = env.L;
    // both the loading globals and their redis table answer a missing name with the globals' error
    env.pushRef(env.realGlobalsRef);
    this.f.lua_getmetatable(L, -1);
    const meta = this.f.lua_gettop(L);
    b.newTable(L);
    env.pushRef(this.loadRedisRef);
    this.f.lua_pushvalue(L, meta);
    this.f.lua_setmetatable(L, -2);
    env.proxyTop();
    b.setField(L, -2, 'redis');
    this.f.lua_pushvalue(L, meta);
    this.f.lua_setmetatable(L, -2);
    this.loadGlobalsRef = b.ref(L);
    b.pop(L, 2);
    const prevHook = runner.onHook.bind(runner);
    runner.onHook = (L2: number) => {
      const ld = this.loading;
      if (ld !== null && Date.now() > ld.deadline) {
        this.api.pushError(L2, 'ERR FUNCTION LOAD timeout');
        return this.f.lua_error(L2) as never;
      }
      return prevHook(L2);
    };
  }

  private fail(L: number, msg: string): number {
    this.api.pushError(L, msg);
    return this.f.lua_error(L);
  }

  private registerFunction(L: number): number {
    const ld = this.loading;
    if (ld === null) return this.fail(L, 'ERR redis.register_function can only be called on FUNCTION LOAD command');
    const f = this.f;
    const b = this.b;
    const n = f.lua_gettop(L);
    let name: string | null = null;
    let description: string | null = null;
    const flags: string[] = [];
    if (n === 1) {
      if (f.lua_type(L, 1) !== T_TABLE) {
        return this.fail(L, 'ERR calling redis.register_function with a single argument is only applicable to Lua table (representing named arguments).');
      }
      let haveCallback = false;
      b.pushNil(L);
      while (f.lua_next(L, 1) !== 0) {
        // stack: t, key, value
        const key = f.lua_type(L, -2) === T_STRING ? b.toLatin1(L, -2) : null;
        const vt = f.lua_type(L, -1);
        if (key === 'function_name') {
          if (vt !== T_STRING && vt !== T_NUMBER) return this.fail(L, 'ERR function_name argument given to redis.register_function must be a string');
          f.lua_pushvalue(L, -1);
          name = b.toLatin1(L, -1);
          b.pop(L);
        } else if (key === 'description') {
          if (vt !== T_STRING && vt !== T_NUMBER) return this.fail(L, 'ERR description argument given to redis.register_function must be a string');
          f.lua_pushvalue(L, -1);
          description = b.toLatin1(L, -1);
          b.pop(L);
        } else if (key === 'callback') {
          if (vt !== T_FUNCTION) return this.fail(L, 'ERR callback argument given to redis.register_function must be a function');
          haveCallback = true;
        } else if (key === 'flags') {
          if (vt !== T_TABLE) return this.fail(L, 'ERR flags argument to redis.register_function must be a table representing function flags');
          const len = f.lua_objlen(L, -1);
          for (let i = 1; i <= len; i++) {
            f.lua_rawgeti(L, -1, i);
            const fl = f.lua_type(L, -1) === T_STRING ? b.toLatin1(L, -1) : null;
            b.pop(L);
            if (fl === null || !SCRIPT_FLAGS.includes(fl)) return this.fail(L, 'ERR unknown flag given');
            if (!flags.includes(fl)) flags.push(fl);
          }
        } else {
          return this.fail(L, 'ERR unknown argument given to redis.register_function');
        }
        b.pop(L);
      }
      if (name === null) return this.fail(L, 'ERR redis.register_function must get a function name argument');
      if (!haveCallback) return this.fail(L, 'ERR redis.register_function must get a callback argument');
      b.getField(L, 1, 'callback');
    } else if (n === 2) {
      const nt = f.lua_type(L, 1);
      if (nt !== T_STRING && nt !== T_NUMBER) return this.fail(L, 'ERR first argument to redis.register_function must be a string');
      if (f.lua_type(L, 2) !== T_FUNCTION) return this.fail(L, 'ERR second argument to redis.register_function must be a function');
      f.lua_pushvalue(L, 1);
      name = b.toLatin1(L, -1);
      b.pop(L);
      f.lua_pushvalue(L, 2);
    } else {
      return this.fail(L, 'ERR wrong number of arguments to redis.register_function');
    }
    // the callback is at the top
    if (name === null || !validName(name)) return this.fail(L, BAD_NAME);
    if (ld.refs.has(name)) return this.fail(L, 'ERR Function already exists in the library');
    ld.refs.set(name, b.ref(L));
    ld.functions.push({ name, flags, description });
    return 0;
  }

  /** `host` receives the library's redis.log calls (its commands are never called). */
  load(code: Buffer, host: ScriptHost = LOAD_HOST): LoadedLibrary | string {
    const meta = parseLibraryShebang(code);
    if ('error' in meta) return meta.error;
    const { b, env } = this;
    const L = env.L;
    const body = Buffer.from(code);
    body[0] = 45; // the metadata line becomes a comment: line numbers stay those of the code
    body[1] = 45;
    if (env.compile(body, '@user_function') !== 0) {
      const msg = b.toLatin1(L, -1) ?? '';
      b.pop(L);
      return `ERR Error compiling function: ${msg}`;
    }
    const ld: Loading = { functions: [], refs: new Map(), deadline: Date.now() + LOAD_TIMEOUT_MS };
    this.loading = ld;
    env.pushRef(this.loadGlobalsRef);
    env.setGlobalsIndex();
    let error: string | null = null;
    try {
      error = this.runner!.load(host);
    } finally {
      env.pushRef(env.realGlobalsRef);
      env.setGlobalsIndex();
      this.loading = null;
    }
    if (error !== null) {
      for (const r of ld.refs.values()) b.unref(L, r);
      return `ERR Error registering functions: ${error}`;
    }
    if (ld.functions.length === 0) return 'ERR No functions registered';
    return { name: meta.name!, engine: 'LUA', functions: ld.functions, code, refs: ld.refs };
  }

  drop(lib: LoadedLibrary): void {
    for (const r of lib.refs.values()) this.b.unref(this.env.L, r);
    lib.refs.clear();
  }

  run(lib: LoadedLibrary, name: string, req: RunRequest): void {
    const ref = lib.refs.get(name);
    if (ref === undefined) {
      req.out.error('ERR Function not found');
      return;
    }
    const L = this.env.L;
    this.f.lua_rawgeti(L, LUA_REGISTRYINDEX, ref);
    pushArray(this.b, L, req.keys);
    pushArray(this.b, L, req.argv);
    this.runner!.run(2, req, name);
  }
}

/** The default host of a library load: redis.call is not reachable while loading; logs are dropped. */
const LOAD_HOST: ScriptHost = {
  call: (): Uint8Array => Buffer.from('-ERR not allowed while loading\r\n'),
  interrupted: (): string | null => null,
  log: (): void => {},
};

