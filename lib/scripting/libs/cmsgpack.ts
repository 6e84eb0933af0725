// The cmsgpack library of Redis's Lua (lua-cmsgpack 0.4.0): pack(...) writes each argument as
// MessagePack and returns the concatenation; unpack, unpack_one and unpack_limit read values
// back. The formats are the library's: integers (any double equal to an int64) in the smallest
// int/uint form, other numbers as float 32 when that is exact, else float 64; strings as
// fixstr/str8/16/32; a table whose keys are exactly 1..n as an array, any other as a map;
// tables nested 16 deep, functions, threads and userdata as nil. Bin and ext are not read.

import type { LuaBinding } from '../lua-api.js';
import { heapViews, rawApi, type RawApi } from './raw-api.js';
import { LUA_GLOBALSINDEX, T_BOOLEAN, T_NUMBER, T_STRING, T_TABLE } from '../lua-api.js';
import { argError, checkInteger, isNoneOrNil, lowInt32, luaError } from './lua-errors.js';

const MAX_NESTING = 16;
const TOO_MANY_VALUES = 'too many return values at once; use unpack_one or unpack_limit instead.';
const IN_ARRAY = 'in function mp_decode_to_lua_array';

class PackWriter {
  out = new Uint8Array(1024);
  len = 0;
  private readonly view = new DataView(new ArrayBuffer(8));
  private readonly lenPtr: number;

  private readonly api: RawApi;

  constructor(private readonly b: LuaBinding) {
    this.api = rawApi(b);
    this.lenPtr = b.m._malloc(4);
  }

  private reserve(n: number): void {
    if (this.len + n <= this.out.length) return;
    let size = this.out.length * 2;
    while (size < this.len + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.out.subarray(0, this.len));
    this.out = next;
  }

  private byte(c: number): void {
    this.reserve(1);
    this.out[this.len++] = c;
  }

  /** A type byte followed by `size` big-endian bytes of v (an unsigned or two's complement integer). */
  private sized(type: number, size: 1 | 2 | 4 | 8, v: number | bigint): void {
    this.reserve(1 + size);
    const o = this.out;
    o[this.len++] = type;
    const view = this.view;
    if (size === 8) view.setBigUint64(0, BigInt.asUintN(64, BigInt(v)));
    else if (size === 4) view.setUint32(0, Number(v) >>> 0);
    else if (size === 2) view.setUint16(0, Number(v) & 0xffff);
    else view.setUint8(0, Number(v) & 0xff);
    for (let i = 0; i < size; i++) o[this.len++] = view.getUint8(i);
  }

  private number(x: number): void {
    // An integer is a double that survives the round trip through int64 (2^63 does not).
    if (Number.isFinite(x) && Math.trunc(x) === x && x >= -(2 ** 63) && x < 2 ** 63) {
      if (x >= 0) {
        if (x < 128) this.byte(x);
        else if (x < 256) this.sized(0xcc, 1, x);
        else if (x < 65536) this.sized(0xcd, 2, x);
        else if (x < 2 ** 32) this.sized(0xce, 4, x);
        else this.sized(0xcf, 8, BigInt(x));
      } else {
        if (x >= -32) this.byte(x & 0xff);
        else if (x >= -128) this.sized(0xd0, 1, x);
        else if (x >= -32768) this.sized(0xd1, 2, x);
        else if (x >= -(2 ** 31)) this.sized(0xd2, 4, x);
        else this.sized(0xd3, 8, BigInt(x));
      }
      return;
    }
    this.reserve(9);
    const view = this.view;
    let size: number;
    if (Math.fround(x) === x || x !== x) {
      // NaN never equals its float, so it is written as a double, as in C.
      if (x !== x) {
        view.setFloat64(0, x);
        this.out[this.len++] = 0xcb;
        size = 8;
      } else {
        view.setFloat32(0, x);
        this.out[this.len++] = 0xca;
        size = 4;
      }
    } else {
      view.setFloat64(0, x);
      this.out[this.len++] = 0xcb;
      size = 8;
    }
    for (let i = 0; i < size; i++) this.out[this.len++] = view.getUint8(i);
  }

  private string(L: number, idx: number): void {
    const b = this.b;
    const p = this.api.tolstring(L, idx, this.lenPtr);
    const heap = heapViews(b);
    const n = heap.words()[this.lenPtr >> 2]!;
    if (n < 32) this.byte(0xa0 | n);
    else if (n < 256) this.sized(0xd9, 1, n);
    else if (n < 65536) this.sized(0xda, 2, n);
    else this.sized(0xdb, 4, n);
    this.reserve(n);
    this.out.set(heap.bytes().subarray(p, p + n), this.len);
    this.len += n;
  }

  /** Keys exactly 1..n (all positive integers that fit a C int, as many as the largest). */
  private isArray(L: number, idx: number): boolean {
    const next = this.api.next;
    let count = 0;
    let max = 0;
    this.api.pushnil(L);
    while (next(L, idx) !== 0) {
      this.api.settop(L, -2);
      const k = this.api.type(L, -1) === T_NUMBER ? this.api.tonumber(L, -1) : NaN;
      if (!(k > 0 && Math.trunc(k) === k && k <= 2 ** 31 - 1)) {
        this.api.settop(L, -2);
        return false;
      }
      if (k > max) max = k;
      count++;
    }
    return max === count;
  }

  /** Writes the value at the top of the stack and pops it. */
  value(L: number, level: number): void {
    const idx = this.api.gettop(L);
    switch (this.api.type(L, idx)) {
      case T_STRING:
        this.string(L, idx);
        break;
      case T_BOOLEAN:
        this.byte(this.api.toboolean(L, idx) !== 0 ? 0xc3 : 0xc2);
        break;
      case T_NUMBER:
        this.number(this.api.tonumber(L, idx));
        break;
      case T_TABLE:
        if (level === MAX_NESTING) this.byte(0xc0);
        else this.table(L, idx, level);
        break;
      default:
        this.byte(0xc0);
    }
    this.api.settop(L, -2);
  }

  private table(L: number, idx: number, level: number): void {
    const b = this.b;
    this.api.checkstack(L, 3);
    if (this.isArray(L, idx)) {
      const n = b.objLen(L, idx);
      if (n < 16) this.byte(0x90 | n);
      else if (n < 65536) this.sized(0xdc, 2, n);
      else this.sized(0xdd, 4, n);
      for (let i = 1; i <= n; i++) {
        this.api.rawgeti(L, idx, i);
        this.value(L, level + 1);
      }
      return;
    }
    const next = this.api.next;
    let n = 0;
    this.api.pushnil(L);
    while (next(L, idx) !== 0) {
      this.api.settop(L, -2);
      n++;
    }
    if (n < 16) this.byte(0x80 | n);
    else if (n < 65536) this.sized(0xde, 2, n);
    else this.sized(0xdf, 4, n);
    this.api.pushnil(L);
    while (next(L, idx) !== 0) {
      this.api.pushvalue(L, -2);
      this.value(L, level + 1); // the key's copy
      this.value(L, level + 1); // the value; the key stays for lua_next
    }
  }
}

/** Reads MessagePack from the string argument, pushing Lua values. */
class Unpacker {
  private src = new Uint8Array(0);
  private view = new DataView(this.src.buffer);
  private srcPtr = 0;
  private pos = 0;
  private L = 0;
  private readonly lenPtr: number;
  private readonly tooMany: number;
  private readonly inArray: number;
  // The arrays and maps being read, innermost last: elements left, the next array index (0 for
  // a map), and for a map whether its key is read and its value is next.
  private frameLeft: number[] = [];
  private frameIndex: number[] = [];
  private frameHasKey: boolean[] = [];
  private depth = 0;

  private readonly api: RawApi;

  constructor(private readonly b: LuaBinding) {
    this.api = rawApi(b);
    this.lenPtr = b.m._malloc(4);
    this.tooMany = b.name(TOO_MANY_VALUES);
    this.inArray = b.name(IN_ARRAY);
  }

  private missing(): never {
    return luaError(this.b, this.L, 'Missing bytes in input.');
  }

  private need(n: number): number {
    if (this.pos + n > this.src.length) this.missing();
    const at = this.pos;
    this.pos += n;
    return at;
  }

  private pushString(n: number): void {
    const at = this.need(n);
    this.api.pushlstring(this.L, this.srcPtr + at, n);
  }

  /** Starts a container of n elements: its table pushed, its frame opened unless it is empty. */
  private open(n: number, isArray: boolean): boolean {
    const b = this.b;
    this.api.createtable(this.L, 0, 0);
    if (isArray) b.fn('luaL_checkstack')(this.L, 1, this.inArray);
    if (n === 0) return true;
    const d = this.depth++;
    this.frameLeft[d] = n;
    this.frameIndex[d] = isArray ? 1 : 0;
    this.frameHasKey[d] = false;
    return false;
  }

  /** Reads one value's start: a scalar is pushed (true); a non-empty container is opened (false). */
  private start(): boolean {
    const b = this.b;
    const L = this.L;
    b.fn('luaL_checkstack')(L, 1, this.tooMany);
    const t = this.src[this.need(1)]!;
    const v = this.view;
    if (t < 0x80) return this.api.pushnumber(L, t), true;
    if (t >= 0xe0) return this.api.pushnumber(L, t - 256), true;
    if (t <= 0x8f) return this.open(t & 0x0f, false);
    if (t <= 0x9f) return this.open(t & 0x0f, true);
    if (t <= 0xbf) return this.pushString(t & 0x1f), true;
    switch (t) {
      case 0xc0: this.api.pushnil(L); return true;
      case 0xc2: this.api.pushboolean(L, 0); return true;
      case 0xc3: this.api.pushboolean(L, 1); return true;
      case 0xca: this.api.pushnumber(L, v.getFloat32(this.need(4))); return true;
      case 0xcb: this.api.pushnumber(L, v.getFloat64(this.need(8))); return true;
      case 0xcc: this.api.pushnumber(L, v.getUint8(this.need(1))); return true;
      case 0xcd: this.api.pushnumber(L, v.getUint16(this.need(2))); return true;
      case 0xce: this.api.pushnumber(L, v.getUint32(this.need(4))); return true;
      // The library reads uint 64 as a signed integer: 2^64 - 1 comes back as -1.
      case 0xcf: this.api.pushnumber(L, Number(v.getBigInt64(this.need(8)))); return true;
      case 0xd0: this.api.pushnumber(L, v.getInt8(this.need(1))); return true;
      case 0xd1: this.api.pushnumber(L, v.getInt16(this.need(2))); return true;
      case 0xd2: this.api.pushnumber(L, v.getInt32(this.need(4))); return true;
      case 0xd3: this.api.pushnumber(L, Number(v.getBigInt64(this.need(8)))); return true;
      case 0xd9: this.pushString(v.getUint8(this.need(1))); return true;
      case 0xda: this.pushString(v.getUint16(this.need(2))); return true;
      case 0xdb: this.pushString(v.getUint32(this.need(4))); return true;
      case 0xdc: return this.open(v.getUint16(this.need(2)), true);
      case 0xdd: return this.open(v.getUint32(this.need(4)), true);
      case 0xde: return this.open(v.getUint16(this.need(2)), false);
      case 0xdf: return this.open(v.getUint32(this.need(4)), false);
    }
    return luaError(b, L, 'Bad data format in input.');
  }

  /** Reads one whole value (nested containers walked without recursion) and pushes it. */
  private value(): void {
    const L = this.L;
    const settable = this.api.settable;
    let complete = this.start();
    for (;;) {
      if (complete) {
        if (this.depth === 0) return;
        const d = this.depth - 1;
        if (this.frameIndex[d] === 0 && !this.frameHasKey[d]) {
          this.frameHasKey[d] = true; // the key is read: its value comes next
        } else {
          settable(L, -3);
          this.frameHasKey[d] = false;
          if (--this.frameLeft[d]! === 0) {
            this.depth--; // the container is complete
            continue;
          }
        }
      }
      const d = this.depth - 1;
      const i = this.frameIndex[d]!;
      if (i > 0) {
        this.api.pushnumber(L, i);
        this.frameIndex[d] = i + 1;
      }
      complete = this.start();
    }
  }

  /**
   * Reads values from the string at stack index 1, from byte `offset`, at most `limit` of them,
   * and returns how many it pushed. With limit and offset both 0 it reads them all and pushes
   * only them; otherwise it pushes first where reading stopped (-1 at the end of the input).
   * The messages print limit and offset as C ints, and the input length where the limit belongs.
   */
  unpack(L: number, limit: number, offset: number): number {
    const b = this.b;
    this.L = L;
    const all = limit === 0 && offset === 0;
    const p = b.fn('luaL_checklstring')(L, 1, this.lenPtr);
    const n = b.m.HEAPU32[this.lenPtr >> 2]!;
    if (offset < 0 || limit < 0) luaError(b, L, `Invalid request to unpack with offset of ${lowInt32(offset)} and limit of ${lowInt32(n)}.`);
    if (offset > n) luaError(b, L, `Start offset ${lowInt32(offset)} greater than input length ${lowInt32(n)}.`);
    // A copy: the tables built may grow the module's memory, which detaches views of it.
    this.src = b.m.HEAPU8.slice(p, p + n);
    this.view = new DataView(this.src.buffer);
    this.srcPtr = p;
    this.pos = offset;
    this.depth = 0;
    const base = this.api.gettop(L);
    let count = 0;
    while (this.pos < n && (all || count < limit)) {
      this.value();
      count++;
    }
    this.src = new Uint8Array(0);
    if (all) return count;
    b.fn('luaL_checkstack')(L, 1, this.tooMany);
    this.api.pushnumber(L, this.pos >= n ? -1 : this.pos);
    b.fn('lua_insert')(L, base + 1);
    return count + 1;
  }
}

interface Cmsgpack {
  pack: number;
  unpack: number;
  unpackOne: number;
  unpackLimit: number;
}

const perBinding = new WeakMap<LuaBinding, Cmsgpack>();

function setup(b: LuaBinding): Cmsgpack {
  let c = perBinding.get(b);
  if (c) return c;
  const writer = new PackWriter(b);
  const unpacker = new Unpacker(b);
  const api = rawApi(b);
  const optInteger = (L: number, narg: number) => (isNoneOrNil(b, L, narg) ? 0 : checkInteger(b, L, narg));
  c = {
    pack: b.cfunction((L) => {
      const n = api.gettop(L);
      if (n === 0) argError(b, L, 0, 'MessagePack pack needs input.');
      if (api.checkstack(L, n) === 0) argError(b, L, 0, 'Too many arguments for MessagePack pack.');
      writer.len = 0;
      for (let i = 1; i <= n; i++) {
        api.pushvalue(L, i);
        writer.value(L, 0);
      }
      api.pushlstring(L, b.place(writer.out.subarray(0, writer.len)), writer.len);
      if (writer.out.length > 1 << 20) writer.out = new Uint8Array(1024);
      return 1;
    }),
    unpack: b.cfunction((L) => unpacker.unpack(L, 0, 0)),
    unpackOne: b.cfunction((L) => {
      const offset = optInteger(L, 2);
      b.setTop(L, 1);
      return unpacker.unpack(L, 1, offset);
    }),
    unpackLimit: b.cfunction((L) => {
      const limit = checkInteger(b, L, 2);
      const offset = optInteger(L, 3);
      b.setTop(L, 1);
      return unpacker.unpack(L, limit, offset);
    }),
  };
  perBinding.set(b, c);
  return c;
}

/** Leaves the global table `cmsgpack`. */
export function openCmsgpack(b: LuaBinding, L: number): void {
  const c = setup(b);
  const api = rawApi(b);
  api.createtable(L, 0, 0);
  const t = api.gettop(L);
  const fns: [string, number][] = [['pack', c.pack], ['unpack', c.unpack], ['unpack_one', c.unpackOne], ['unpack_limit', c.unpackLimit]];
  for (const [name, ptr] of fns) {
    b.pushCFunction(L, ptr);
    b.setField(L, t, name);
  }
  const strings: [string, string][] = [
    ['_NAME', 'cmsgpack'],
    ['_VERSION', 'lua-cmsgpack 0.4.0'],
    ['_COPYRIGHT', 'Copyright (C) 2012, Salvatore Sanfilippo'],
    ['_DESCRIPTION', 'MessagePack C implementation for Lua'],
  ];
  for (const [name, value] of strings) {
    b.pushString(L, value);
    b.setField(L, t, name);
  }
  b.setField(L, LUA_GLOBALSINDEX, 'cmsgpack');
}
