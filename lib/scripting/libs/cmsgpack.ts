import type { LuaBinding } from '../lua-api.js';

/** Leaves the global table `cmsgpack`. */
export function openCmsgpack(b: LuaBinding, L: number): void {
  void b;
  void L;
}
