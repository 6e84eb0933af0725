// The C libraries Redis embeds in its Lua, each written here against the C API binding:
// cjson, cmsgpack, bit, struct. Each `open` leaves its table as a global of the state.

import type { LuaBinding } from '../lua-api.js';
import { openCjson } from './cjson.js';
import { openCmsgpack } from './cmsgpack.js';
import { openBit } from './bit.js';
import { openStruct } from './struct.js';

export function openRedisLibraries(b: LuaBinding, L: number): void {
  openCjson(b, L);
  openCmsgpack(b, L);
  openBit(b, L);
  openStruct(b, L);
}
