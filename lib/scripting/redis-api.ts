// The `redis` table scripts and functions see: call and pcall (through the run's host),
// error_reply, status_reply, sha1hex, log, setresp, set_repl, replicate_commands, breakpoint,
// debug, acl_check_cmd and the constants, with Redis 7.0's argument checks and error texts.

import { createHash } from 'node:crypto';
import { LUA_GLOBALSINDEX, T_NUMBER, T_STRING, type LuaBinding } from './lua-api.js';
import { RespToLua } from './resp-to-lua.js';
import { format17g, toCInt } from './numbers.js';
import { LOG_DEBUG, LOG_NOTICE, LOG_VERBOSE, LOG_WARNING, type ScriptHost } from './engine-types.js';

export const REDIS_VERSION = '7.0.15';
export const REDIS_VERSION_NUM = 0x07000f;

export const REPL_NONE = 0;
export const REPL_AOF = 1;
export const REPL_REPLICA = 2;
export const REPL_ALL = 3;

/** The run in progress, as the redis.* functions see it. */
export class RunContext {
  host: ScriptHost | null = null;
  /** The script's protocol for redis.call replies and booleans (redis.setresp). */
  resp: 2 | 3 = 2;
}

type Raw = (...a: number[]) => number;

export class RedisApi {
  private readonly conv: RespToLua;
  private readonly f: Record<string, Raw> = {};

  constructor(
    private readonly b: LuaBinding,
    private readonly ctx: RunContext,
  ) {
    this.conv = new RespToLua(b);
    for (const n of ['lua_gettop', 'lua_type', 'lua_tonumber', 'lua_error', 'lua_createtable', 'lua_setfield', 'lua_pushboolean']) {
      this.f[n] = b.fn(n);
    }
  }

  /** Pushes {err = msg}. */
  pushError(L: number, msg: string): void {
    this.f.lua_createtable(L, 0, 1);
    this.b.pushString(L, msg);
    this.f.lua_setfield(L, -2, this.b.name('err'));
  }

  private fail(L: number, msg: string, raise: boolean): number {
    this.pushError(L, msg);
    return raise ? this.f.lua_error(L) : 1;
  }

  /** The arguments of a redis.call as bytes, or null when one is neither a string nor a number. */
  private commandArgs(L: number, n: number): Buffer[] | null {
    const b = this.b;
    const args: Buffer[] = new Array(n);
    for (let i = 1; i <= n; i++) {
      const t = this.f.lua_type(L, i);
      if (t === T_STRING) {
        const p = b.stringAt(L, i);
        args[i - 1] = b.copyOut(p, b.lastLength);
      }
      else if (t === T_NUMBER) args[i - 1] = Buffer.from(format17g(this.f.lua_tonumber(L, i)), 'latin1');
      else return null;
    }
    return args;
  }

  private command(L: number, raise: boolean): number {
    const n = this.f.lua_gettop(L);
    if (n === 0) return this.fail(L, 'ERR Please specify at least one argument for this redis lib call', raise);
    const args = this.commandArgs(L, n);
    if (args === null) return this.fail(L, 'ERR Lua redis lib command arguments must be strings or integers', raise);
    const host = this.ctx.host;
    if (host === null) return this.fail(L, 'ERR redis.call is not available here', raise);
    const reply = host.call(args, this.ctx.resp);
    const r = this.conv.push(L, reply);
    if (r.error && raise) return this.f.lua_error(L);
    return 1;
  }

  /** The functions every run has (the table at the top of the stack receives them). */
  installRuntime(L: number): void {
    const b = this.b;
    const f = this.f;
    const def = (name: string, fn: (L: number) => number) => {
      b.pushCFunction(L, b.cfunction(fn));
      b.setField(L, -2, name);
    };
    def('call', (L) => this.command(L, true));
    def('pcall', (L) => this.command(L, false));
    def('error_reply', (L) => {
      if (f.lua_gettop(L) !== 1 || f.lua_type(L, 1) !== T_STRING) {
        this.pushError(L, 'ERR wrong number or type of arguments');
        return 1;
      }
      let msg = b.toLatin1(L, 1)!;
      if (msg.startsWith('-')) msg = msg.slice(1);
      if (msg.indexOf(' ') < 0) msg = 'ERR ' + msg;
      this.pushError(L, msg);
      return 1;
    });
    def('status_reply', (L) => {
      if (f.lua_gettop(L) !== 1 || f.lua_type(L, 1) !== T_STRING) {
        this.pushError(L, 'ERR wrong number or type of arguments');
        return 1;
      }
      f.lua_createtable(L, 0, 1);
      b.fn('lua_pushvalue')(L, 1);
      f.lua_setfield(L, -2, b.name('ok'));
      return 1;
    });
    def('sha1hex', (L) => {
      if (f.lua_gettop(L) !== 1) return b.raise(L, 'wrong number of arguments');
      const v = b.viewBytes(L, 1);
      b.pushString(L, createHash('sha1').update(v ?? EMPTY).digest('hex'));
      return 1;
    });
    this.installLog(L);
    def('setresp', (L) => {
      if (f.lua_gettop(L) !== 1) return b.raise(L, 'redis.setresp() requires one argument.');
      const resp = toCInt(f.lua_tonumber(L, 1));
      if (resp !== 2 && resp !== 3) return b.raise(L, 'RESP version must be 2 or 3.');
      this.ctx.resp = resp;
      return 0;
    });
    def('set_repl', (L) => {
      if (f.lua_gettop(L) !== 1) return b.raise(L, 'redis.set_repl() requires two arguments.');
      const flags = toCInt(f.lua_tonumber(L, 1));
      if ((flags & ~REPL_ALL) !== 0) return b.raise(L, 'Invalid replication flags. Use REPL_AOF, REPL_REPLICA, REPL_ALL or REPL_NONE.');
      this.ctx.host?.setReplication?.(flags);
      return 0;
    });
    def('replicate_commands', (L) => {
      f.lua_pushboolean(L, 1);
      return 1;
    });
    // no debugger: as Redis outside a debugging session
    def('breakpoint', (L) => {
      f.lua_pushboolean(L, 0);
      return 1;
    });
    def('debug', () => 0);
    def('acl_check_cmd', (L) => {
      const n = f.lua_gettop(L);
      if (n === 0) return this.fail(L, 'ERR Please specify at least one argument for this redis lib call', true);
      const args = this.commandArgs(L, n);
      if (args === null) return this.fail(L, 'ERR Lua redis lib command arguments must be strings or integers', true);
      const r = this.ctx.host?.aclCheck?.(args) ?? true;
      if (typeof r === 'string') return this.fail(L, r, true);
      f.lua_pushboolean(L, r ? 1 : 0);
      return 1;
    });
    for (const [k, v] of [
      ['REPL_NONE', REPL_NONE],
      ['REPL_AOF', REPL_AOF],
      ['REPL_SLAVE', REPL_REPLICA],
      ['REPL_REPLICA', REPL_REPLICA],
      ['REPL_ALL', REPL_ALL],
    ] as const) {
      b.pushNumber(L, v);
      b.setField(L, -2, k);
    }
    this.installCommon(L);
  }

  /** What the loading sandbox of a library has too: log, its levels, the version. */
  installCommon(L: number): void {
    const b = this.b;
    for (const [k, v] of [
      ['LOG_DEBUG', LOG_DEBUG],
      ['LOG_VERBOSE', LOG_VERBOSE],
      ['LOG_NOTICE', LOG_NOTICE],
      ['LOG_WARNING', LOG_WARNING],
    ] as const) {
      b.pushNumber(L, v);
      b.setField(L, -2, k);
    }
    b.pushString(L, REDIS_VERSION);
    b.setField(L, -2, 'REDIS_VERSION');
    b.pushNumber(L, REDIS_VERSION_NUM);
    b.setField(L, -2, 'REDIS_VERSION_NUM');
  }

  private logPtr = 0;

  /** redis.log(level, ...): the message arguments that convert to strings, joined by spaces. */
  installLog(L: number): void {
    const b = this.b;
    const f = this.f;
    if (this.logPtr === 0) {
      this.logPtr = b.cfunction((L) => {
        const n = f.lua_gettop(L);
        if (n < 2) return b.raise(L, 'redis.log() requires two arguments or more.');
        if (f.lua_type(L, 1) !== T_NUMBER) return b.raise(L, 'First argument must be a number (log level).');
        const level = toCInt(f.lua_tonumber(L, 1));
        if (level < LOG_DEBUG || level > LOG_WARNING) return b.raise(L, 'Invalid debug level.');
        let msg = '';
        for (let i = 2; i <= n; i++) {
          const s = b.toLatin1(L, i);
          if (s === null) continue;
          if (i !== 2) msg += ' ';
          msg += s;
        }
        this.ctx.host?.log(level, msg);
        return 0;
      });
    }
    b.pushCFunction(L, this.logPtr);
    b.setField(L, -2, 'log');
  }
}

const EMPTY = new Uint8Array(0);

/** Creates the global `redis` table with the runtime functions. */
export function installRedisTable(b: LuaBinding, L: number, api: RedisApi): void {
  b.newTable(L);
  api.installRuntime(L);
  b.setField(L, LUA_GLOBALSINDEX, 'redis');
}
