// How much a call of a `slow` command reads, from its arguments and the members of the
// collections it names: the table entries' `slowWork` (lib/slow-routing.ts decides with it whether
// the call runs on the slow pool). Estimates, read before the command runs: an argument the
// command will reject counts as the whole collection.

import { isKw } from './define.js';
import { parseIntArg } from '../resp/number.js';

/** LRANGE / ZRANGE key start stop: the members of the rank range (BYSCORE/BYLEX: all of them). */
export function rankRangeWork(args: Buffer[], members: number): number {
  for (let i = 4; i < args.length; i++) if (isKw(args[i], 'byscore') || isKw(args[i], 'bylex')) return members;
  const a = parseIntArg(args[2]);
  const b = parseIntArg(args[3]);
  if (a === null || b === null) return members;
  const start = Math.max(0, a < 0 ? a + members : a);
  const end = Math.min(members - 1, b < 0 ? b + members : b);
  return Math.max(0, end - start + 1);
}

/** ZRANGESTORE dst src start stop ...: ZRANGE src start stop's work. */
export function rangeStoreWork(args: Buffer[], members: number): number {
  return rankRangeWork(args.slice(1), members);
}

/** HSCAN / SSCAN / ZSCAN key cursor [MATCH p] [COUNT n]: COUNT members (10 by default). */
export function scanWork(args: Buffer[], members: number): number {
  let count = 10;
  for (let i = 3; i + 1 < args.length; i++) if (isKw(args[i], 'count')) count = parseIntArg(args[i + 1]) ?? count;
  return Math.min(members, count);
}

/** SRANDMEMBER / HRANDFIELD / ZRANDMEMBER key [count]: as many as it draws. */
export function drawWork(args: Buffer[], members: number): number {
  if (args.length < 3) return 1;
  const n = parseIntArg(args[2]);
  if (n === null) return 1;
  return n >= 0 ? Math.min(n, members) : -n;
}

/** `destination` of the *STORE commands: the result goes to their first argument. */
export const STORE_TO_FIRST = (): number => 1;
