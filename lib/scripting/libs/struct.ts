import type { LuaBinding } from '../lua-api.js';

/** Leaves the global table `struct`. */
export function openStruct(b: LuaBinding, L: number): void {
  void b;
  void L;
}
