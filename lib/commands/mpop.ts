// The arguments of LMPOP / ZMPOP and of their blocking forms BLMPOP / BZMPOP:
//   numkeys key [key ...] LEFT|RIGHT (MIN|MAX) [COUNT count]
// checked in Redis's order, with its errors (getRangeLongFromObjectOrReply for numkeys: any failure
// is "numkeys should be greater than 0"; getPositiveLongFromObjectOrReply for COUNT).

import { isKw } from './define.js';
import { E, RedisError } from '../errors.js';
import { parseI64 } from '../resp/number.js';

const ERR_NUMKEYS = 'ERR numkeys should be greater than 0';
const ERR_COUNT = 'ERR count should be greater than 0';

export interface MpopArgs {
  keys: Buffer[];
  /** the LEFT|RIGHT / MIN|MAX argument as given */
  where: Buffer;
  /** `where` is the first of the two words (LEFT, MIN) */
  first: boolean;
  /** COUNT's value, 1 without COUNT */
  count: number;
  /** COUNT was given */
  counted: boolean;
}

/** Parses from the numkeys argument at `at`; `words`: the two accepted sides, lower-case. */
export function parseMpop(args: Buffer[], at: number, words: readonly [string, string]): MpopArgs {
  const nk = parseI64(args[at]);
  if (nk === null || nk < 1n) throw new RedisError(ERR_NUMKEYS);
  if (nk >= BigInt(args.length - at - 1)) throw new RedisError(E.syntax);
  const whereIdx = at + 1 + Number(nk);
  const where = args[whereIdx];
  const first = isKw(where, words[0]);
  if (!first && !isKw(where, words[1])) throw new RedisError(E.syntax);
  let count = -1;
  for (let j = whereIdx + 1; j < args.length; j++) {
    if (count === -1 && isKw(args[j], 'count') && j + 1 < args.length) {
      const n = parseI64(args[++j]);
      if (n === null || n < 1n) throw new RedisError(ERR_COUNT);
      count = Number(n);
    } else throw new RedisError(E.syntax);
  }
  return { keys: args.slice(at + 1, whereIdx), where, first, count: count === -1 ? 1 : count, counted: count !== -1 };
}
