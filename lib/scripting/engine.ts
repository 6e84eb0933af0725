// The Lua engine of one thread, as Redis 7.0.15 embeds Lua 5.1: EVAL scripts compiled once and
// run by their handle, function libraries loaded and called (libraries.ts), each run writing
// exactly one reply. Scripts and functions live in two states, as in Redis, each built by
// LuaEnv (environment.ts).

import { LuaBinding, LUA_REGISTRYINDEX } from './lua-api.js';
import type { RunRequest, ScriptHandle, ScriptHost } from './engine-types.js';
import { installRedisTable } from './redis-api.js';
import { parseShebang } from './shebang.js';
import { Runner, pushArray } from './runner.js';
import { FunctionLibraries, type LoadedLibrary } from './libraries.js';

export type { LoadedLibrary } from './libraries.js';

export interface CompiledScript extends ScriptHandle {
  flags: string[];
  shebang: boolean;
}

interface ScriptEntry extends CompiledScript {
  /** Registry reference of the compiled function; -1 once dropped. */
  ref: number;
}

export interface EngineOptions {
  /** Bytes of Lua heap a state may use before a run is stopped with "not enough memory". */
  memoryLimit?: number;
}

export class ScriptEngine {
  private readonly scripts: Runner;
  private functionsRunner: Runner | null = null;
  private functionLibs: FunctionLibraries | null = null;
  private readonly live = new Set<ScriptEntry>();
  private readonly memoryLimitKb: number;

  private constructor(
    readonly b: LuaBinding,
    opts: EngineOptions,
  ) {
    this.memoryLimitKb = Math.floor((opts.memoryLimit ?? 1024 * 1024 * 1024) / 1024);
    this.scripts = new Runner(b, this.memoryLimitKb, (env, api) => installRedisTable(b, env.L, api));
    this.setfield = b.fn('lua_setfield');
    this.settop = b.fn('lua_settop');
    this.rawgeti = b.fn('lua_rawgeti');
    this.keysName = b.name('KEYS');
    this.argvName = b.name('ARGV');
  }

  private readonly setfield: (...a: number[]) => number;
  private readonly settop: (...a: number[]) => number;
  private readonly rawgeti: (...a: number[]) => number;
  private readonly keysName: number;
  private readonly argvName: number;

  /** One per thread: loads the module, builds the environment. */
  static async create(opts: EngineOptions = {}): Promise<ScriptEngine> {
    return new ScriptEngine(await LuaBinding.create(), opts);
  }

  /**
   * An EVAL body (shebang included, if any) -> handle, or the error reply text (no leading '-')
   * Redis answers.
   */
  compileScript(body: Buffer, sha: string): CompiledScript | string {
    const sb = parseShebang(body);
    if (sb !== null && 'error' in sb) return sb.error;
    let code: Uint8Array = body;
    if (sb !== null) {
      // the shebang line becomes a comment, so line numbers stay those of the body
      const copy = Buffer.from(body);
      copy[0] = 45;
      copy[1] = 45;
      code = copy;
    }
    const { env } = this.scripts;
    const b = this.b;
    const status = env.compile(code, '@user_script');
    if (status !== 0) {
      const msg = b.toLatin1(env.L, -1) ?? '';
      b.pop(env.L);
      return `ERR Error compiling script (new function): ${msg}`;
    }
    const entry: ScriptEntry = { sha, flags: sb === null ? [] : sb.flags, shebang: sb !== null, ref: b.ref(env.L) };
    this.live.add(entry);
    return entry;
  }

  /** Runs it; writes exactly one reply to req.out in req.out.proto. */
  runScript(script: CompiledScript, req: RunRequest): void {
    const entry = script as ScriptEntry;
    const { env } = this.scripts;
    const L = env.L;
    if (entry.ref < 0) {
      req.out.error('NOSCRIPT No matching script. Please use EVAL.');
      return;
    }
    // KEYS and ARGV: fresh tables in the real globals for every run, as Redis sets them
    const b = this.b;
    env.pushRef(env.realGlobalsRef);
    pushArray(b, L, req.keys);
    this.setfield(L, -2, this.keysName);
    pushArray(b, L, req.argv);
    this.setfield(L, -2, this.argvName);
    this.settop(L, -2);
    this.rawgeti(L, LUA_REGISTRYINDEX, entry.ref);
    this.scripts.run(0, req, entry.sha);
  }

  /** SCRIPT FLUSH: forgets every compiled script. */
  dropScripts(): void {
    const { env } = this.scripts;
    for (const e of this.live) {
      this.b.unref(env.L, e.ref);
      e.ref = -1;
    }
    this.live.clear();
    this.b.fn('lua_gc')(env.L, 2 /* LUA_GCCOLLECT */, 0);
  }

  private libs(): FunctionLibraries {
    if (this.functionLibs === null) {
      let libs: FunctionLibraries | null = null;
      this.functionsRunner = new Runner(this.b, this.memoryLimitKb, (env, api) => {
        libs = new FunctionLibraries(this.b, env, api);
        libs.installRedis();
      });
      this.functionLibs = libs!;
      this.functionLibs.attach(this.functionsRunner);
    }
    return this.functionLibs;
  }

  /** FUNCTION LOAD: runs the library code in the loading sandbox; handle, or Redis's error text. */
  loadLibrary(code: Buffer, host?: ScriptHost): LoadedLibrary | string {
    return this.libs().load(code, host);
  }

  dropLibrary(lib: LoadedLibrary): void {
    this.libs().drop(lib);
  }

  /** FCALL: runs function `name` of the library as function(keys, args). One reply to req.out. */
  runFunction(lib: LoadedLibrary, name: string, req: RunRequest): void {
    this.libs().run(lib, name, req);
  }

  /** Bytes the Lua heaps use (scripts, functions). */
  memoryUsed(): number {
    const gc = this.b.fn('lua_gc');
    // LUA_GCCOUNT: kilobytes; LUA_GCCOUNTB: the bytes beyond them
    let bytes = gc(this.scripts.env.L, 3, 0) * 1024 + gc(this.scripts.env.L, 4, 0);
    if (this.functionsRunner !== null) bytes += gc(this.functionsRunner.env.L, 3, 0) * 1024 + gc(this.functionsRunner.env.L, 4, 0);
    return bytes;
  }
}

