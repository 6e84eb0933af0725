// The arguments and replies of SCAN, HSCAN, SSCAN and ZSCAN: the COUNT / MATCH parse and the
// [cursor, items] reply. The walk of a big collection is lib/store/collection-scan.ts.

import { E, RedisError } from '../errors.js';
import { isKw } from './define.js';
import type { RespWriter } from '../resp/writer.js';
import { parseI64 } from '../resp/number.js';
import { compileGlob, type GlobMatcher } from '../glob.js';

/** COUNT is capped to this many elements examined per call. */
export const MAX_SCAN_STEP = 100000;

export interface ScanOptions {
  /** Elements to examine per call: COUNT (default 10) capped to MAX_SCAN_STEP. */
  count: number;
  /** The MATCH filter, null for none (no MATCH, or MATCH '*'). */
  match: GlobMatcher | null;
}

/**
 * The options of an HSCAN / SSCAN / ZSCAN from args[3] on: COUNT n (an integer, else the
 * not-an-integer error; below 1 a syntax error) and MATCH pattern, in pairs, repeatable (the last
 * wins); anything else, or an option without its value, is a syntax error.
 */
export function parseScanOptions(args: Buffer[]): ScanOptions {
  let count = 10;
  let match: GlobMatcher | null = null;
  for (let i = 3; i < args.length; i += 2) {
    const hasValue = i + 1 < args.length;
    if (isKw(args[i], 'count') && hasValue) {
      const n = parseI64(args[i + 1]);
      if (n === null) throw new RedisError(E.notInt);
      if (n < 1n) throw new RedisError(E.syntax);
      count = n > BigInt(MAX_SCAN_STEP) ? MAX_SCAN_STEP : Number(n);
    } else if (isKw(args[i], 'match') && hasValue) {
      const pat = args[i + 1];
      match = pat.length === 1 && pat[0] === 42 ? null : compileGlob(pat);
    } else throw new RedisError(E.syntax);
  }
  return { count, match };
}

/** The reply of a scan of a missing key: cursor 0, no elements. */
export function emptyScanReply(out: RespWriter): void {
  scanReply(out, 0n, []);
}

/** A *SCAN reply: [next cursor, items] (HSCAN/ZSCAN items are field/member, value/score pairs). */
export function scanReply(out: RespWriter, next: bigint, items: Buffer[]): void {
  out.array(2);
  out.bulkStr(String(next));
  out.array(items.length);
  for (const b of items) out.bulk(b);
}
