// The C API functions the libraries call per value, looked up once per binding: the encoders and
// decoders call them millions of times, and LuaBinding's helpers find each by name per call.

import type { LuaBinding } from '../lua-api.js';

type Raw = (...a: number[]) => number;

export interface RawApi {
  type: Raw;
  tonumber: Raw;
  toboolean: Raw;
  tolstring: Raw;
  touserdata: Raw;
  gettop: Raw;
  settop: Raw;
  next: Raw;
  rawgeti: Raw;
  rawseti: Raw;
  rawset: Raw;
  settable: Raw;
  createtable: Raw;
  pushnil: Raw;
  pushnumber: Raw;
  pushboolean: Raw;
  pushlstring: Raw;
  pushlightuserdata: Raw;
  pushvalue: Raw;
  checkstack: Raw;
}

const cache = new WeakMap<LuaBinding, RawApi>();

export function rawApi(b: LuaBinding): RawApi {
  let api = cache.get(b);
  if (!api) {
    const f = (n: string) => b.fn('lua_' + n);
    api = {
      type: f('type'), tonumber: f('tonumber'), toboolean: f('toboolean'), tolstring: f('tolstring'), touserdata: f('touserdata'),
      gettop: f('gettop'), settop: f('settop'), next: f('next'), rawgeti: f('rawgeti'), rawseti: f('rawseti'), rawset: f('rawset'),
      settable: f('settable'), createtable: f('createtable'), pushnil: f('pushnil'), pushnumber: f('pushnumber'),
      pushboolean: f('pushboolean'), pushlstring: f('pushlstring'), pushlightuserdata: f('pushlightuserdata'),
      pushvalue: f('pushvalue'), checkstack: f('checkstack'),
    };
    cache.set(b, api);
  }
  return api;
}

/**
 * Views of the module's memory, kept between calls: the module object's own properties are slow
 * to read (it has many, some accessors). Growing the memory detaches the old views, which then
 * have length 0: that is when they are taken again.
 */
export class HeapViews {
  private u8: Uint8Array;
  private u32: Uint32Array;

  constructor(private readonly b: LuaBinding) {
    this.u8 = b.m.HEAPU8;
    this.u32 = b.m.HEAPU32;
  }

  bytes(): Uint8Array {
    if (this.u8.length === 0) this.u8 = this.b.m.HEAPU8;
    return this.u8;
  }

  words(): Uint32Array {
    if (this.u32.length === 0) this.u32 = this.b.m.HEAPU32;
    return this.u32;
  }
}

const views = new WeakMap<LuaBinding, HeapViews>();

/** The binding's shared HeapViews. */
export function heapViews(b: LuaBinding): HeapViews {
  let v = views.get(b);
  if (!v) {
    v = new HeapViews(b);
    views.set(b, v);
  }
  return v;
}
