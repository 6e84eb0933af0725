// Minimal engine (replaced by the full one): compile, run, redis.call, simple conversions.

import { createHash } from 'node:crypto';
import { LuaBinding, LUA_GLOBALSINDEX, LUA_REGISTRYINDEX, T_NIL, T_BOOLEAN, T_NUMBER, T_STRING, T_TABLE, MASK_COUNT } from './lua-api.js';
import type { LibraryHandle, RunRequest, ScriptHandle, ScriptHost } from './engine-types.js';
import { parseShebang } from './shebang.js';
import type { RespWriter } from '../resp/writer.js';

export interface CompiledScript extends ScriptHandle {
  flags: string[];
  shebang: boolean;
  ref: number;
}
export interface LoadedLibrary extends LibraryHandle {
  refs: Map<string, number>;
}
export { parseShebang };

export class ScriptEngine {
  private host: ScriptHost | null = null;
  private proto: 2 | 3 = 2;
  private constructor(
    private readonly b: LuaBinding,
    private readonly L: number,
  ) {}

  static async create(): Promise<ScriptEngine> {
    const b = await LuaBinding.create();
    const L = b.newState();
    b.fn('luaL_openlibs')(L);
    const e = new ScriptEngine(b, L);
    e.install();
    return e;
  }

  private install(): void {
    const { b, L } = this;
    b.newTable(L);
    const call = b.cfunction((L) => this.redisCall(L, true));
    const pcall = b.cfunction((L) => this.redisCall(L, false));
    b.pushCFunction(L, call);
    b.setField(L, -2, 'call');
    b.pushCFunction(L, pcall);
    b.setField(L, -2, 'pcall');
    b.setField(L, LUA_GLOBALSINDEX, 'redis');
    const hook = b.m.addFunction((L: number) => {
      const msg = this.host?.interrupted();
      if (msg) b.raise(L, msg);
    }, 'vii');
    b.fn('lua_sethook')(L, hook, MASK_COUNT, 10000);
  }

  private redisCall(L: number, raise: boolean): number {
    const b = this.b;
    const n = b.top(L);
    const args: Buffer[] = [];
    for (let i = 1; i <= n; i++) args.push(b.toBytes(L, i) ?? Buffer.alloc(0));
    const reply = this.host!.call(args, this.proto);
    const r = Buffer.from(reply);
    const [, isErr] = this.pushReply(L, r, 0);
    if (isErr && raise) return b.raiseTop(L);
    return 1;
  }

  private pushReply(L: number, r: Buffer, p: number): [number, boolean] {
    const b = this.b;
    const eol = r.indexOf('\r\n', p);
    const line = r.toString('latin1', p + 1, eol);
    switch (r[p]) {
      case 43: // +
        b.newTable(L);
        b.pushString(L, line);
        b.setField(L, -2, 'ok');
        return [eol + 2, false];
      case 45: // -
        b.newTable(L);
        b.pushString(L, line);
        b.setField(L, -2, 'err');
        return [eol + 2, true];
      case 58: // :
        b.pushNumber(L, Number(line));
        return [eol + 2, false];
      case 36: {
        const n = Number(line);
        if (n < 0) {
          b.pushBoolean(L, false);
          return [eol + 2, false];
        }
        b.pushBytes(L, r.subarray(eol + 2, eol + 2 + n));
        return [eol + 4 + n, false];
      }
      case 42: {
        const n = Number(line);
        if (n < 0) {
          b.pushBoolean(L, false);
          return [eol + 2, false];
        }
        b.newTable(L, n);
        let q = eol + 2;
        for (let i = 1; i <= n; i++) {
          [q] = this.pushReply(L, r, q);
          b.rawSetI(L, -2, i);
        }
        return [q, false];
      }
      default:
        b.pushNil(L);
        return [eol + 2, false];
    }
  }

  compileScript(body: Buffer, sha: string): CompiledScript | string {
    const { b, L } = this;
    const sb = parseShebang(body);
    if (sb && 'error' in sb) return sb.error;
    const code = sb ? body.subarray(sb.length) : body;
    if (b.load(L, code, '@user_script') !== 0) {
      const m = b.toLatin1(L, -1);
      b.pop(L);
      return 'ERR Error compiling script (new function): ' + m;
    }
    return { sha, flags: sb ? sb.flags : [], shebang: !!sb, ref: b.ref(L) };
  }

  runScript(script: CompiledScript, req: RunRequest): void {
    const { b, L } = this;
    this.host = req.host;
    this.proto = 2;
    const setArr = (name: string, a: Buffer[]): void => {
      b.newTable(L, a.length);
      for (let i = 0; i < a.length; i++) {
        b.pushBytes(L, a[i]);
        b.rawSetI(L, -2, i + 1);
      }
      b.setField(L, LUA_GLOBALSINDEX, name);
    };
    setArr('KEYS', req.keys);
    setArr('ARGV', req.argv);
    b.rawGetI(L, LUA_REGISTRYINDEX, script.ref);
    const rc = b.pcall(L, 0, 1, 0);
    if (rc !== 0) {
      if (b.type(L, -1) === T_TABLE) {
        b.getField(L, -1, 'err');
        req.out.error((b.toLatin1(L, -1) ?? 'ERR') + ` script: ${script.sha}, on @user_script:1.`);
      } else req.out.error('ERR ' + b.toLatin1(L, -1) + ` script: ${script.sha}, on @user_script:1.`);
    } else this.writeValue(L, -1, req.out);
    b.setTop(L, 0);
    this.host = null;
  }

  private writeValue(L: number, idx: number, out: RespWriter): void {
    const b = this.b;
    switch (b.type(L, idx)) {
      case T_NIL:
        return out.nil();
      case T_BOOLEAN:
        return b.toBoolean(L, idx) ? out.int(1) : out.nil();
      case T_NUMBER:
        return out.int(Math.trunc(b.toNumber(L, idx)));
      case T_STRING:
        return out.bulk(b.toBytes(L, idx)!);
      case T_TABLE: {
        b.getField(L, idx, 'err');
        if (b.type(L, -1) === T_STRING) {
          out.error(b.toLatin1(L, -1)!);
          b.pop(L);
          return;
        }
        b.pop(L);
        b.getField(L, idx, 'ok');
        if (b.type(L, -1) === T_STRING) {
          out.simple(b.toLatin1(L, -1)!);
          b.pop(L);
          return;
        }
        b.pop(L);
        const items: number[] = [];
        const t = b.top(L) + (idx < 0 ? idx + 1 : 0);
        const abs = idx < 0 ? t : idx;
        let n = 0;
        for (;;) {
          b.rawGetI(L, abs, n + 1);
          if (b.type(L, -1) === T_NIL) {
            b.pop(L);
            break;
          }
          b.pop(L);
          n++;
        }
        out.array(n);
        for (let i = 1; i <= n; i++) {
          b.rawGetI(L, abs, i);
          this.writeValue(L, -1, out);
          b.pop(L);
        }
        void items;
        return;
      }
      default:
        return out.nil();
    }
  }

  dropScripts(): void {}

  loadLibrary(code: Buffer): LoadedLibrary | string {
    void code;
    return 'ERR not yet';
  }

  dropLibrary(lib: LoadedLibrary): void {
    void lib;
  }

  runFunction(lib: LoadedLibrary, name: string, req: RunRequest): void {
    void lib;
    void name;
    req.out.error('ERR not yet');
  }
}

export function sha1hex(b: Uint8Array): string {
  return createHash('sha1').update(b).digest('hex');
}
