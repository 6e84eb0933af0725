import type { LuaBinding } from '../lua-api.js';

/** Leaves the global table `cjson`. */
export function openCjson(b: LuaBinding, L: number): void {
  void b;
  void L;
}
