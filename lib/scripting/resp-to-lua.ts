// A command's reply (RESP2 or RESP3 bytes, as the host wrote it) as the Lua value redis.call
// returns, converted as Redis converts it: integers as numbers, bulk strings as strings, a null
// bulk or null array as false (RESP2) or nil (RESP3 null), status as {ok=...}, error as
// {err=...}, and under RESP3 maps as {map={k=v}}, sets as {set={m=true}}, doubles as
// {double=n}, booleans, big numbers as {big_number="..."}, verbatim strings as
// {verbatim_string={format="txt", string="..."}}. Attributes are skipped.

import type { LuaBinding } from './lua-api.js';

type Raw = (...a: number[]) => number;

export interface RespToLuaResult {
  /** Where the reply ended in the input. */
  end: number;
  /** The reply was an error (the pushed value is its {err=...} table). */
  error: boolean;
}

export class RespToLua {
  private readonly createtable: Raw;
  private readonly rawseti: Raw;
  private readonly rawset: Raw;
  private readonly setfield: Raw;
  private readonly pushnumber: Raw;
  private readonly pushboolean: Raw;
  private readonly pushnil: Raw;
  private readonly nErr: number;
  private readonly nOk: number;

  constructor(private readonly b: LuaBinding) {
    this.createtable = b.fn('lua_createtable');
    this.rawseti = b.fn('lua_rawseti');
    this.rawset = b.fn('lua_rawset');
    this.setfield = b.fn('lua_setfield');
    this.pushnumber = b.fn('lua_pushnumber');
    this.pushboolean = b.fn('lua_pushboolean');
    this.pushnil = b.fn('lua_pushnil');
    this.nErr = b.name('err');
    this.nOk = b.name('ok');
  }

  /** Pushes the reply starting at `p` of `r`. */
  push(L: number, r: Uint8Array, p = 0): RespToLuaResult {
    this.isError = false;
    const end = this.value(L, r, p);
    return { end, error: this.isError };
  }

  private isError = false;

  private lineEnd(r: Uint8Array, p: number): number {
    let e = p;
    while (r[e] !== 13) e++;
    return e;
  }

  private int(r: Uint8Array, from: number, to: number): number {
    let neg = false;
    let p = from;
    if (r[p] === 45) {
      neg = true;
      p++;
    } else if (r[p] === 43) p++;
    let n = 0;
    for (; p < to; p++) n = n * 10 + (r[p] - 48);
    return neg ? -n : n;
  }

  private pushRange(L: number, r: Uint8Array, from: number, to: number): void {
    this.b.pushBytes(L, r.subarray(from, to));
  }

  /** {name = bytes[from, to)} */
  private pushTagged(L: number, name: number, r: Uint8Array, from: number, to: number): void {
    this.createtable(L, 0, 1);
    this.pushRange(L, r, from, to);
    this.setfield(L, -2, name);
  }

  private value(L: number, r: Uint8Array, p: number): number {
    const t = r[p];
    const e = this.lineEnd(r, p + 1);
    const after = e + 2;
    switch (t) {
      case 36: {
        // $ bulk
        const n = this.int(r, p + 1, e);
        if (n < 0) {
          this.pushboolean(L, 0);
          return after;
        }
        this.pushRange(L, r, after, after + n);
        return after + n + 2;
      }
      case 58: // : integer
        this.pushnumber(L, this.int(r, p + 1, e));
        return after;
      case 43: // + status
        this.pushTagged(L, this.nOk, r, p + 1, e);
        return after;
      case 45: // - error
        this.pushTagged(L, this.nErr, r, p + 1, e);
        this.isError = true;
        return after;
      case 42: {
        // * array
        const n = this.int(r, p + 1, e);
        if (n < 0) {
          this.pushboolean(L, 0);
          return after;
        }
        return this.array(L, r, after, n);
      }
      case 95: // _ null
        this.pushnil(L);
        return after;
      case 35: // # boolean
        this.pushboolean(L, r[p + 1] === 116 ? 1 : 0);
        return after;
      case 44: {
        // , double
        this.createtable(L, 0, 1);
        this.pushnumber(L, parseRespDouble(r, p + 1, e));
        this.setfield(L, -2, this.b.name('double'));
        return after;
      }
      case 40: // ( big number
        this.pushTagged(L, this.b.name('big_number'), r, p + 1, e);
        return after;
      case 37: {
        // % map
        const n = this.int(r, p + 1, e);
        this.createtable(L, 0, 1);
        this.createtable(L, 0, n);
        let q = after;
        for (let i = 0; i < n; i++) {
          q = this.value(L, r, q);
          q = this.value(L, r, q);
          this.rawset(L, -3);
        }
        this.setfield(L, -2, this.b.name('map'));
        return q;
      }
      case 126: {
        // ~ set
        const n = this.int(r, p + 1, e);
        this.createtable(L, 0, 1);
        this.createtable(L, 0, n);
        let q = after;
        for (let i = 0; i < n; i++) {
          q = this.value(L, r, q);
          this.pushboolean(L, 1);
          this.rawset(L, -3);
        }
        this.setfield(L, -2, this.b.name('set'));
        return q;
      }
      case 61: {
        // = verbatim: "txt:" then the text
        const n = this.int(r, p + 1, e);
        this.createtable(L, 0, 1);
        this.createtable(L, 0, 2);
        this.pushRange(L, r, after + 4, after + n);
        this.setfield(L, -2, this.b.name('string'));
        this.pushRange(L, r, after, after + 3);
        this.setfield(L, -2, this.b.name('format'));
        this.setfield(L, -2, this.b.name('verbatim_string'));
        return after + n + 2;
      }
      case 33: {
        // ! bulk error
        const n = this.int(r, p + 1, e);
        this.pushTagged(L, this.nErr, r, after, after + n);
        this.isError = true;
        return after + n + 2;
      }
      case 124: {
        // | attribute: skipped, then the value it describes
        const n = this.int(r, p + 1, e);
        let q = after;
        for (let i = 0; i < 2 * n; i++) {
          q = this.value(L, r, q);
          this.b.pop(L);
        }
        return this.value(L, r, q);
      }
      case 62: {
        // > push: as an array
        const n = this.int(r, p + 1, e);
        return this.array(L, r, after, n);
      }
      default:
        throw new Error(`script host returned an unknown reply type ${t}`);
    }
  }

  private array(L: number, r: Uint8Array, p: number, n: number): number {
    this.createtable(L, n, 0);
    let q = p;
    for (let i = 1; i <= n; i++) {
      q = this.value(L, r, q);
      this.rawseti(L, -2, i);
    }
    return q;
  }
}

function parseRespDouble(r: Uint8Array, from: number, to: number): number {
  const s = Buffer.from(r.buffer, r.byteOffset + from, to - from).toString('latin1');
  if (s === 'inf' || s === '+inf') return Infinity;
  if (s === '-inf') return -Infinity;
  if (s === 'nan' || s === '-nan') return NaN;
  return Number(s);
}
