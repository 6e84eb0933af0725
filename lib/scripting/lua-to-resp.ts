// A script's return value as a reply, converted as Redis converts it: numbers truncated to
// integers, strings as bulk strings, booleans by the script's protocol (redis.setresp), tables
// by their first field that applies (err, ok, double, big_number, map, set, verbatim_string, all
// read raw, no metamethods) or else as an array up to the first nil. Each nested table stays on
// the Lua stack while it is converted; when the stack cannot grow (Lua's limit of 8000 slots)
// the element becomes Redis's "reached lua stack limit" error.

import type { RespWriter } from '../resp/writer.js';
import { T_BOOLEAN, T_NIL, T_NUMBER, T_STRING, T_TABLE, type LuaBinding } from './lua-api.js';
import { toInt64 } from './numbers.js';

type Raw = (...a: number[]) => number;

const ARRAY = 0;
const MAP_KEY = 1;
const MAP_VALUE = 2;
const SET = 3;

/** A container being written: an array's position, or a map/set walked with lua_next. */
interface Frame {
  kind: number;
  i: number;
  n: number;
  /** Stack slots to drop when done (the container; for map/set also the table holding it). */
  pop: number;
}

/** Newlines in a status or error line become spaces, as Redis writes them. */
function oneLine(s: string): string {
  return s.indexOf('\r') >= 0 || s.indexOf('\n') >= 0 ? s.replace(/[\r\n]/g, ' ') : s;
}

export class LuaToResp {
  private readonly type: Raw;
  private readonly rawget: Raw;
  private readonly rawgeti: Raw;
  private readonly settop: Raw;
  private readonly pushlstring: Raw;
  private readonly tonumber: Raw;
  private readonly toboolean: Raw;
  private readonly checkstack: Raw;
  private readonly next: Raw;
  private readonly pushvalue: Raw;
  /** Interned field names, pushed as Lua strings for lua_rawget. */
  private readonly fieldName = new Map<string, number>();

  constructor(private readonly b: LuaBinding) {
    this.type = b.fn('lua_type');
    this.rawget = b.fn('lua_rawget');
    this.rawgeti = b.fn('lua_rawgeti');
    this.settop = b.fn('lua_settop');
    this.pushlstring = b.fn('lua_pushlstring');
    this.tonumber = b.fn('lua_tonumber');
    this.toboolean = b.fn('lua_toboolean');
    this.checkstack = b.fn('lua_checkstack');
    this.next = b.fn('lua_next');
    this.pushvalue = b.fn('lua_pushvalue');
    for (const f of ['err', 'ok', 'double', 'big_number', 'map', 'set', 'verbatim_string', 'format', 'string']) {
      this.fieldName.set(f, b.name(f));
    }
  }

  /** Pushes t[field] (raw) of the table at the top; returns its type. */
  private field(L: number, name: string): number {
    const p = this.fieldName.get(name)!;
    this.pushlstring(L, p, name.length);
    this.rawget(L, -2);
    return this.type(L, -1);
  }

  private latin1(L: number, idx: number): string {
    return this.b.toLatin1(L, idx) ?? '';
  }

  /**
   * Writes the value at the top of the stack (popped) to `w`. `resp` is the script's
   * protocol (booleans and RESP3 types follow it; nulls follow the client's, w.proto).
   * Nested tables are walked with an explicit stack of frames, not recursion: a script may
   * return thousands of levels.
   */
  write(L: number, w: RespWriter, resp: 2 | 3): void {
    const frames: Frame[] = [];
    for (;;) {
      // the value to write is at the top: write it (a container pushes a frame instead)
      if (!this.writeValue(L, w, resp, frames)) this.settop(L, -2);
      // advance to the next value of the innermost container
      for (;;) {
        const fr = frames[frames.length - 1];
        if (fr === undefined) return;
        if (fr.kind === ARRAY) {
          if (fr.i < fr.n) {
            fr.i++;
            this.rawgeti(L, -1, fr.i);
            break;
          }
        } else if (fr.kind === MAP_VALUE) {
          // the key was written; its value is at the top
          fr.kind = MAP_KEY;
          break;
        } else if (this.next(L, -2) !== 0) {
          // stack: container, key, value
          if (fr.kind === MAP_KEY) {
            this.pushvalue(L, -2);
            fr.kind = MAP_VALUE;
          } else {
            this.settop(L, -2);
            this.pushvalue(L, -1);
          }
          break;
        }
        // the container is done (for a map or set, its key slot is gone: next popped it)
        this.settop(L, -1 - fr.pop);
        frames.pop();
      }
    }
  }

  /** Writes a scalar or a tagged table; for a container, pushes its frame and returns true. */
  private writeValue(L: number, w: RespWriter, resp: 2 | 3, frames: Frame[]): boolean {
    const t = this.type(L, -1);
    switch (t) {
      case T_STRING: {
        const p = this.b.stringAt(L, -1);
        w.bulkSlice(this.b.heap(), p, p + this.b.lastLength);
        return false;
      }
      case T_NUMBER:
        w.int(toInt64(this.tonumber(L, -1)));
        return false;
      case T_BOOLEAN: {
        const v = this.toboolean(L, -1) !== 0;
        if (resp === 2) {
          if (v) w.int(1);
          else w.nil();
        } else {
          // RESP3 booleans (a RESP2 client reads :1 / :0)
          w.bool(v);
        }
        return false;
      }
      case T_TABLE:
        return this.writeTable(L, w, resp, frames);
      default:
        // nil, functions, userdata...: a null reply
        w.nil();
        return false;
    }
  }

  private writeTable(L: number, w: RespWriter, resp: 2 | 3, frames: Frame[]): boolean {
    if (this.checkstack(L, 4) === 0) {
      w.error('ERR reached lua stack limit');
      return false;
    }
    const b = this.b;
    if (this.field(L, 'err') === T_STRING) {
      w.error(oneLine(this.latin1(L, -1)));
      this.settop(L, -2);
      return false;
    }
    this.settop(L, -2);
    if (this.field(L, 'ok') === T_STRING) {
      w.simple(oneLine(this.latin1(L, -1)));
      this.settop(L, -2);
      return false;
    }
    this.settop(L, -2);
    if (this.field(L, 'double') === T_NUMBER) {
      w.double(b.toNumber(L, -1));
      this.settop(L, -2);
      return false;
    }
    this.settop(L, -2);
    if (this.field(L, 'big_number') === T_STRING) {
      const s = oneLine(this.latin1(L, -1));
      this.settop(L, -2);
      if (w.proto === 3) w.raw(Buffer.from('(' + s + '\r\n', 'latin1'));
      else w.bulk(Buffer.from(s, 'latin1'));
      return false;
    }
    this.settop(L, -2);
    if (this.field(L, 'verbatim_string') === T_TABLE) {
      if (this.writeVerbatim(L, w)) {
        this.settop(L, -2);
        return false;
      }
    }
    this.settop(L, -2);
    if (this.field(L, 'map') === T_TABLE) {
      w.map(this.countPairs(L));
      b.pushNil(L);
      frames.push({ kind: MAP_KEY, i: 0, n: 0, pop: 2 });
      return true;
    }
    this.settop(L, -2);
    if (this.field(L, 'set') === T_TABLE) {
      w.set(this.countPairs(L));
      b.pushNil(L);
      frames.push({ kind: SET, i: 0, n: 0, pop: 2 });
      return true;
    }
    this.settop(L, -2);
    // an array: t[1], t[2]... up to the first nil
    let n = 0;
    for (;;) {
      this.rawgeti(L, -1, n + 1);
      const t = this.type(L, -1);
      this.settop(L, -2);
      if (t === T_NIL) break;
      n++;
    }
    w.array(n);
    frames.push({ kind: ARRAY, i: 0, n, pop: 1 });
    return true;
  }

  private countPairs(L: number): number {
    let n = 0;
    this.b.pushNil(L);
    while (this.next(L, -2) !== 0) {
      n++;
      this.settop(L, -2);
    }
    return n;
  }

  /** The verbatim_string table at the top: {format=, string=}; false when either is missing. */
  private writeVerbatim(L: number, w: RespWriter): boolean {
    if (this.field(L, 'format') !== T_STRING) {
      this.settop(L, -2);
      return false;
    }
    const format = Buffer.from(this.b.viewBytes(L, -1)!);
    this.settop(L, -2);
    if (this.field(L, 'string') !== T_STRING) {
      this.settop(L, -2);
      return false;
    }
    const str = Buffer.from(this.b.viewBytes(L, -1)!);
    this.settop(L, -2);
    if (w.proto === 3) {
      const fmt = Buffer.alloc(3, 0);
      format.copy(fmt, 0, 0, 3);
      w.raw(Buffer.from(`=${str.length + 4}\r\n`, 'latin1'));
      w.raw(fmt);
      w.raw(COLON);
      w.raw(str);
      w.raw(CRLF);
    } else {
      w.bulk(str);
    }
    return true;
  }

}

const COLON = Buffer.from(':');
const CRLF = Buffer.from('\r\n');
