// SORT's ordering, without a store or a reply: what a BY or GET pattern names for an element, the
// LIMIT window, numeric weights and the comparison (numeric, ALPHA, by weight). The command room
// (lib/commands/sort.ts) loads the elements and the weights and writes the result.

import { strtod } from '../resp/number.js';

/** A key (and hash field) a pattern names for one element. */
export interface Lookup {
  key: Buffer;
  field: Buffer | null;
}

/** `GET #`: the element itself, no lookup. */
export function isHashPattern(p: Buffer): boolean {
  return p.length === 1 && p[0] === 35; /* # */
}

/** A pattern's lookup for an element: the key and hash field it names, or null (no '*': nothing). */
export function substitute(pattern: Buffer, elem: Buffer): Lookup | null {
  // strchr/strstr semantics: the pattern ends at its first NUL byte
  const nul = pattern.indexOf(0);
  const pat = nul >= 0 ? pattern.subarray(0, nul) : pattern;
  const star = pat.indexOf(42);
  if (star < 0) return null;
  const arrow = pat.indexOf('->', star + 1);
  const hasField = arrow >= 0 && arrow + 2 < pat.length;
  const tail = pat.subarray(star + 1, hasField ? arrow : pat.length);
  const key = Buffer.concat([pat.subarray(0, star), elem, tail]);
  return { key, field: hasField ? pat.subarray(arrow + 2) : null };
}

/**
 * LIMIT offset count over `n` elements as Redis clamps it: the first and last index returned
 * (last < first when nothing is).
 */
export function limitWindow(n: number, offset: number, count: number): { start: number; end: number } {
  let start = offset < 0 ? 0 : offset;
  let end = count < 0 ? n - 1 : start + count - 1;
  if (start >= n) {
    start = n - 1;
    end = n - 2;
  }
  if (end >= n) end = n - 1;
  return { start, end };
}

/**
 * A numeric sort weight as Redis's SORT reads it: strtod up to the end (or a NUL byte), with no
 * ERANGE (overflow, underflow) and no NaN; null when it is not a valid double.
 */
export function parseWeight(b: Buffer): number | null {
  const r = strtod(b, 0);
  if (r.end < b.length && b[r.end] !== 0) return null;
  if (r.erange || Number.isNaN(r.v)) return null;
  return r.v;
}

/** strcoll in the C locale: byte order, each string ending at its first NUL. */
export function cstrCompare(a: Buffer, b: Buffer): number {
  const na = a.indexOf(0);
  const nb = b.indexOf(0);
  return Buffer.compare(na >= 0 ? a.subarray(0, na) : a, nb >= 0 ? b.subarray(0, nb) : b);
}

/**
 * The elements in SORT's order. `weights` (BY's values, one per element, null for a missing one)
 * or, without BY, the elements themselves are compared: as doubles (equal weights order by
 * element) or, with `alpha`, as C strings (a missing weight first). Null when a numeric weight is
 * not a double (Redis's "One or more scores can't be converted into double").
 */
export function sortElements(elems: Buffer[], weights: Array<Buffer | null> | null, alpha: boolean, desc: boolean): Buffer[] | null {
  const items = elems.map((e, i) => ({ e, w: weights ? weights[i] : e, score: 0 }));
  if (!alpha) {
    for (const it of items) {
      if (it.w === null) continue;
      const v = parseWeight(it.w);
      if (v === null) return null;
      it.score = v;
    }
  }
  const sign = desc ? -1 : 1;
  items.sort((a, b) => {
    let c: number;
    if (!alpha) {
      c = a.score > b.score ? 1 : a.score < b.score ? -1 : Buffer.compare(a.e, b.e);
    } else if (weights) {
      c = a.w === null || b.w === null ? (a.w === b.w ? 0 : a.w === null ? -1 : 1) : cstrCompare(a.w, b.w);
    } else c = cstrCompare(a.e, b.e);
    return sign * c;
  });
  return items.map((it) => it.e);
}
