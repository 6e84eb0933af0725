// One state's runs: the call under the error handler, the reply conversion, Redis's error
// texts, the count hook's checks (interruption, heap limit) and the periodic GC step. Shared by
// EVAL scripts and functions.

import { LuaBinding, T_NUMBER, T_STRING, T_TABLE } from './lua-api.js';
import type { RespWriter } from '../resp/writer.js';
import type { RunRequest, ScriptHost } from './engine-types.js';
import { HOOK_INSTRUCTIONS, LuaEnv, type HookTarget } from './environment.js';
import { RedisApi, RunContext } from './redis-api.js';
import { LuaToResp } from './lua-to-resp.js';

/** Runs between two incremental GC steps, as Redis does. */
const GC_PERIOD = 50;

type Raw = (...a: number[]) => number;

export class Runner implements HookTarget {
  readonly ctx = new RunContext();
  readonly api: RedisApi;
  readonly env: LuaEnv;
  readonly toResp: LuaToResp;
  private runs = 0;
  /** Set by the hook when the heap went over the limit during the run. */
  private outOfMemory = false;
  /** The host asked this run to stop (the hook fires at every instruction until the run ends). */
  private stopping = false;
  /** The heap after the last collection the hook made in this run (0: none). */
  private collectedAtKb = 0;
  private readonly f: Record<string, Raw> = {};

  constructor(
    readonly b: LuaBinding,
    private readonly memoryLimitKb: number,
    buildRedis: (env: LuaEnv, api: RedisApi) => void,
  ) {
    this.api = new RedisApi(b, this.ctx);
    this.toResp = new LuaToResp(b);
    for (const n of ['lua_pcall', 'lua_settop', 'lua_gettop', 'lua_rawgeti', 'lua_gc', 'lua_type', 'lua_getfield', 'lua_insert']) {
      this.f[n] = b.fn(n);
    }
    this.env = new LuaEnv(b, this, (env) => buildRedis(env, this.api));
  }

  onHook(L: number): string | null {
    const host = this.ctx.host;
    const msg = host === null ? null : host.interrupted();
    if (msg !== null) {
      // from now on every instruction raises it again, so a pcall cannot catch it for good
      if (!this.stopping) {
        this.stopping = true;
        this.env.setHookPeriod(1);
      }
      this.api.pushError(L, msg);
      return this.b.fn('lua_error')(L) as never;
    }
    const kb = this.f.lua_gc(L, 3 /* LUA_GCCOUNT */, 0);
    if (kb > this.memoryLimitKb) {
      // over the limit: collect once, and again only when the heap has grown by a quarter since
      // (a full collection per hook call would crawl when the live data sits near the limit)
      if (this.collectedAtKb === 0 || kb > this.collectedAtKb * 1.25) {
        this.f.lua_gc(L, 2 /* LUA_GCCOLLECT */, 0);
        this.collectedAtKb = this.f.lua_gc(L, 3, 0);
        if (this.collectedAtKb <= this.memoryLimitKb) return null;
      }
      this.outOfMemory = true;
      return 'not enough memory';
    }
    return null;
  }

  /**
   * Calls the function under `nargs` arguments at the top of the stack (function below them)
   * with the error handler; writes the reply or the error. `name` is what Redis names in
   * errors (the sha, or the function's name).
   */
  run(nargs: number, req: RunRequest, name: string): void {
    const { L } = this.env;
    const f = this.f;
    const base = f.lua_gettop(L) - nargs - 1;
    this.env.pushRef(this.env.errorHandlerRef);
    f.lua_insert(L, base + 1);
    this.ctx.host = req.host;
    this.ctx.resp = 2;
    this.outOfMemory = false;
    this.collectedAtKb = 0;
    try {
      const status = f.lua_pcall(L, nargs, 1, base + 1);
      if (status === 0) this.toResp.write(L, req.out, this.ctx.resp);
      else this.writeError(L, req.out, name);
    } finally {
      f.lua_settop(L, base);
      this.ctx.host = null;
      if (this.stopping) {
        this.stopping = false;
        this.env.setHookPeriod(HOOK_INSTRUCTIONS);
      }
      // a run that filled the heap leaves its garbage: free it now rather than step by step
      if (this.outOfMemory || this.collectedAtKb !== 0) f.lua_gc(L, 2 /* LUA_GCCOLLECT */, 0);
      else if (++this.runs % GC_PERIOD === 0) f.lua_gc(L, 5 /* LUA_GCSTEP */, 1);
    }
  }

  /**
   * Runs the chunk at the top (no arguments) as a library load does: returns null, or the error
   * text (the err field, without the position suffix run() adds).
   */
  load(host: ScriptHost): string | null {
    const { L } = this.env;
    const f = this.f;
    const base = f.lua_gettop(L) - 1;
    this.env.pushRef(this.env.errorHandlerRef);
    f.lua_insert(L, base + 1);
    this.ctx.host = host;
    this.ctx.resp = 2;
    this.outOfMemory = false;
    try {
      const status = f.lua_pcall(L, 0, 0, base + 1);
      if (status === 0) return null;
      if (this.outOfMemory || f.lua_type(L, -1) !== T_TABLE) return this.outOfMemory ? 'not enough memory' : (this.b.toLatin1(L, -1) ?? 'execution failure');
      this.b.getField(L, -1, 'err');
      return this.b.toLatin1(L, -1) ?? 'ERR unknown error';
    } finally {
      f.lua_settop(L, base);
      this.ctx.host = null;
    }
  }

  /** The error value at the top as Redis writes it. */
  writeError(L: number, out: RespWriter, name: string): void {
    const b = this.b;
    const f = this.f;
    if (this.outOfMemory || f.lua_type(L, -1) !== T_TABLE) {
      const msg = this.outOfMemory ? 'not enough memory' : f.lua_type(L, -1) === T_STRING || f.lua_type(L, -1) === T_NUMBER ? b.toLatin1(L, -1)! : 'execution failure';
      out.error(`ERR Error running script ${name}, ${msg.slice(0, 100)}`);
      return;
    }
    b.getField(L, -1, 'err');
    const err = b.toLatin1(L, -1);
    b.getField(L, -2, 'source');
    const source = b.toLatin1(L, -1);
    b.getField(L, -3, 'line');
    const line = b.toLatin1(L, -1);
    b.pop(L, 3);
    let text = err ?? 'ERR unknown error';
    if (source !== null && line !== null) text += ` script: ${name}, on ${source}:${line}.`;
    out.error(text);
  }
}

/** Pushes a Lua array of byte strings. */
export function pushArray(b: LuaBinding, L: number, values: Buffer[]): void {
  b.newTable(L, values.length, 0);
  for (let i = 0; i < values.length; i++) {
    b.pushBytes(L, values[i]);
    b.rawSetI(L, -2, i + 1);
  }
}

