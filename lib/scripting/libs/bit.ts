import type { LuaBinding } from '../lua-api.js';

/** Leaves the global table `bit`. */
export function openBit(b: LuaBinding, L: number): void {
  void b;
  void L;
}
