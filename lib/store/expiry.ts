// Expiry arithmetic shared by the EXPIRE family (lib/store/keyspace.ts) and SET's / GETEX's
// options (lib/store/string.ts): an argument in seconds or milliseconds, absolute or from now, to
// absolute int64 milliseconds with Redis's overflow rules.

import { INT64_MAX, INT64_MIN } from '../resp/number.js';

/**
 * The absolute expiry in ms of an EXPIRE-family argument: `when` in `unit`s (1000n: seconds, 1n:
 * ms), counted from `now` when `relative`. Null when the conversion or the addition leaves the
 * int64 range (Redis: "invalid expire time"); a result in the past is valid (the key goes).
 */
export function expireDeadline(when: bigint, unit: bigint, relative: boolean, now: number): bigint | null {
  if (unit !== 1n) {
    if (when > INT64_MAX / unit || when < INT64_MIN / unit) return null;
    when *= unit;
  }
  if (relative) {
    const base = BigInt(now);
    if (when > INT64_MAX - base) return null;
    when += base;
  }
  return when;
}
