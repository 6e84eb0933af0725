// The range arguments of the sorted set commands, with Redis's rules and error texts: score ranges
// (zslParseRange), lex ranges (zslParseLexRange), ranks, and ZRANGE's options
// (zrangeGenericCommand). The walks themselves are lib/store/zset-range.ts.

import { isKw } from './define.js';
import { E, RedisError } from '../errors.js';
import { parseI64, strtod } from '../resp/number.js';
import { RangeBy, type LexBound, type LexRange, type RangeQuery, type ScoreRange } from '../store/zset-range.js';

const EMPTY = Buffer.alloc(0);

const ERR_MINMAX = 'ERR min or max is not a float';
const ERR_LEX = 'ERR min or max not valid string range item';
const ERR_LIMIT_RANK = 'ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX';
const ERR_WITHSCORES_LEX = 'ERR syntax error, WITHSCORES not supported in combination with BYLEX';

/** getLongFromObjectOrReply: a signed 64-bit integer (as a number) or the not-an-integer error. */
export function parseLong(b: Buffer): number {
  const n = parseI64(b);
  if (n === null) throw new RedisError(E.notInt);
  return Number(n);
}

/** One end of a score range (zslParseRange): optional '(' then strtod up to the end or a NUL byte. */
function parseRangeItem(b: Buffer): { v: number; ex: boolean } | null {
  let ex = false;
  let start = 0;
  if (b.length > 0 && b[0] === 40) {
    ex = true;
    start = 1;
  }
  const r = strtod(b, start);
  if (r.end < b.length && b[r.end] !== 0) return null;
  if (Number.isNaN(r.v)) return null;
  return { v: r.v, ex };
}

export function parseScoreRange(min: Buffer, max: Buffer): ScoreRange {
  const a = parseRangeItem(min);
  const b = parseRangeItem(max);
  if (!a || !b) throw new RedisError(ERR_MINMAX);
  return { min: a.v, minex: a.ex, max: b.v, maxex: b.ex };
}

function parseLexItem(b: Buffer): LexBound | null {
  if (b.length === 0) return null;
  switch (b[0]) {
    case 43: // +
      if (b.length > 1 && b[1] !== 0) return null;
      return { inf: 1, s: EMPTY, ex: true };
    case 45: // -
      if (b.length > 1 && b[1] !== 0) return null;
      return { inf: -1, s: EMPTY, ex: true };
    case 40: // (
      return { inf: 0, s: b.subarray(1), ex: true };
    case 91: // [
      return { inf: 0, s: b.subarray(1), ex: false };
    default:
      return null;
  }
}

export function parseLexRange(min: Buffer, max: Buffer): LexRange {
  const a = parseLexItem(min);
  const b = parseLexItem(max);
  if (!a || !b) throw new RedisError(ERR_LEX);
  return { min: a, max: b };
}

/** How ZRANGE-like commands fix the kind of range: ZRANGE and ZRANGESTORE take BYSCORE / BYLEX. */
export const BY_OPTION = -1;

export interface ZrangeArgs extends RangeQuery {
  withScores: boolean;
}

/**
 * zrangeGenericCommand's parsing: options after <key> <min> <max> (argStart = index of the key),
 * then the conflicts, then the range. `by`: the command's kind of range, or BY_OPTION (BYSCORE /
 * BYLEX may be given, else by rank). `auto`: REV may be given (ZRANGE, ZRANGESTORE). `store`:
 * no WITHSCORES (ZRANGESTORE).
 */
export function parseZrange(args: Buffer[], argStart: number, store: boolean, by: RangeBy | typeof BY_OPTION, auto: boolean, rev: boolean): ZrangeArgs {
  let withScores = false;
  let offset = 0;
  let limit = -1;
  let type: number = by;
  for (let j = argStart + 3; j < args.length; j++) {
    const left = args.length - j - 1;
    const a = args[j];
    if (!store && isKw(a, 'withscores')) withScores = true;
    else if (isKw(a, 'limit') && left >= 2) {
      offset = parseLong(args[j + 1]);
      limit = parseLong(args[j + 2]);
      j += 2;
    } else if (auto && isKw(a, 'rev')) {
      auto = false;
      rev = true;
    } else if (type === BY_OPTION && isKw(a, 'bylex')) type = RangeBy.Lex;
    else if (type === BY_OPTION && isKw(a, 'byscore')) type = RangeBy.Score;
    else throw new RedisError(E.syntax);
  }
  if (type === BY_OPTION) type = RangeBy.Rank;
  if (limit !== -1 && type === RangeBy.Rank) throw new RedisError(ERR_LIMIT_RANK);
  if (withScores && type === RangeBy.Lex) throw new RedisError(ERR_WITHSCORES_LEX);
  let minIdx = argStart + 1;
  let maxIdx = argStart + 2;
  if (rev && type !== RangeBy.Rank) {
    minIdx = argStart + 2;
    maxIdx = argStart + 1;
  }
  const q: ZrangeArgs = { by: type as RangeBy, rev, withScores, offset, limit, start: 0, end: 0, score: null, lex: null };
  if (type === RangeBy.Rank) {
    q.start = parseLong(args[minIdx]);
    q.end = parseLong(args[maxIdx]);
  } else if (type === RangeBy.Score) q.score = parseScoreRange(args[minIdx], args[maxIdx]);
  else q.lex = parseLexRange(args[minIdx], args[maxIdx]);
  return q;
}
