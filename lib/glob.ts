/**
 * Redis-compatible glob matching on raw bytes.
 *
 * Semantics follow Redis 7.0 `stringmatchlen` (checked against redis-server 7.0.15 via KEYS):
 *  - `*` any run of bytes, `?` exactly one byte, `\x` the literal byte x, a trailing `\` is a literal `\`.
 *  - `[...]` byte classes: `^` right after `[` negates, `a-z` ranges (reversed ranges are swapped),
 *    `\x` inside a class is an exact, always case-sensitive byte. An unterminated `[` swallows the rest
 *    of the pattern as the class. Range bounds are compared as *signed* chars (so `[a-\xff]` is
 *    -1..97 and does not contain 0x80..0xfe), exactly like Redis on x86/ARM Linux builds.
 *  - `nocase` folds ASCII A-Z only. With nocase a range is swapped first and lower-cased after
 *    (so `[Z-a]` matches nothing when nocase is set), as Redis does.
 *  - An empty subject only matches the empty pattern (`**` does not match ""), except that the
 *    pattern `*` matches everything: Redis callers (KEYS, SCAN) short-cut it, so it is observable.
 *  - Redis stops recursing after 1000 nested stars: a pattern that needs more than 1000 star
 *    groups followed by something else never matches. We reproduce that result without recursion.
 *
 * The matcher is compiled to a token list and run with the classic single-backtrack-point
 * algorithm: O(pattern * subject) worst case, never exponential.
 */

const STAR = 0;
const ANY = 1;
const LIT = 2;
const SET = 3;

/** Redis refuses to match deeper than this many nested star recursions. */
const MAX_STAR_NESTING = 1000;

const LOWER = new Uint8Array(256);
for (let i = 0; i < 256; i++) LOWER[i] = i >= 0x41 && i <= 0x5a ? i + 32 : i;

/** A byte as a C `char` on platforms where char is signed. */
function signed(b: number): number {
  return b > 127 ? b - 256 : b;
}
/** C `tolower` in the "C" locale applied to a (possibly negative) char value. */
function lowerChar(c: number): number {
  return c >= 0x41 && c <= 0x5a ? c + 32 : c;
}

export type GlobMatcher = (subject: Buffer) => boolean;

interface Tokens {
  kind: Uint8Array;
  lit: Uint8Array; // literal byte (already lower-cased when nocase)
  sets: Array<Uint8Array | null>;
  count: number;
  /** star groups followed by at least one more token: the Redis recursion depth a match needs */
  innerStars: number;
}

function tokenize(p: Buffer, nocase: boolean): Tokens {
  const L = p.length;
  const kind = new Uint8Array(L);
  const lit = new Uint8Array(L);
  const sets: Array<Uint8Array | null> = [];
  let n = 0;
  let i = 0;
  while (i < L) {
    const c = p[i];
    if (c === 0x2a /* * */) {
      while (i + 1 < L && p[i + 1] === 0x2a) i++;
      kind[n] = STAR;
      sets[n++] = null;
      i++;
    } else if (c === 0x3f /* ? */) {
      kind[n] = ANY;
      sets[n++] = null;
      i++;
    } else if (c === 0x5b /* [ */) {
      i++;
      const negate = i < L && p[i] === 0x5e; /* ^ */
      if (negate) i++;
      const table = new Uint8Array(256);
      for (;;) {
        if (i >= L) break; // unterminated: the class consumed the rest of the pattern
        const pc = p[i];
        if (pc === 0x5c /* \ */ && L - i >= 2) {
          table[p[i + 1]] = 1; // escaped byte: exact, case-sensitive even with nocase
          i += 2;
        } else if (pc === 0x5d /* ] */) {
          i++;
          break;
        } else if (L - i >= 3 && p[i + 1] === 0x2d /* - */) {
          let start = signed(pc);
          let end = signed(p[i + 2]);
          if (start > end) {
            const t = start;
            start = end;
            end = t;
          }
          if (nocase) {
            start = lowerChar(start);
            end = lowerChar(end);
          }
          for (let b = 0; b < 256; b++) {
            const v = nocase ? lowerChar(signed(b)) : signed(b);
            if (v >= start && v <= end) table[b] = 1;
          }
          i += 3;
        } else {
          if (nocase) {
            const lc = LOWER[pc];
            for (let b = 0; b < 256; b++) if (LOWER[b] === lc) table[b] = 1;
          } else {
            table[pc] = 1;
          }
          i++;
        }
      }
      if (negate) for (let b = 0; b < 256; b++) table[b] ^= 1;
      kind[n] = SET;
      sets[n++] = table;
    } else {
      let b = c;
      if (c === 0x5c /* \ */ && L - i >= 2) {
        i++;
        b = p[i];
      }
      kind[n] = LIT;
      lit[n] = nocase ? LOWER[b] : b;
      sets[n++] = null;
      i++;
    }
  }
  let innerStars = 0;
  for (let t = 0; t < n - 1; t++) if (kind[t] === STAR) innerStars++;
  return { kind, lit, sets, count: n, innerStars };
}

function runTokens(tk: Tokens, s: Buffer, nocase: boolean): boolean {
  const { kind, lit, sets, count } = tk;
  const n = s.length;
  if (n === 0) return count === 0;
  let ti = 0;
  let si = 0;
  let starTi = -1;
  let starSi = 0;
  while (si < n) {
    if (ti < count) {
      const k = kind[ti];
      if (k === STAR) {
        if (ti === count - 1) return true;
        starTi = ti++;
        starSi = si;
        continue;
      }
      const b = s[si];
      let ok: boolean;
      if (k === LIT) ok = (nocase ? LOWER[b] : b) === lit[ti];
      else if (k === ANY) ok = true;
      else ok = (sets[ti] as Uint8Array)[b] === 1;
      if (ok) {
        ti++;
        si++;
        continue;
      }
    }
    if (starTi < 0) return false;
    ti = starTi + 1;
    si = ++starSi;
  }
  while (ti < count && kind[ti] === STAR) ti++;
  return ti === count;
}

function isSpecial(b: number): boolean {
  return b === 0x2a || b === 0x3f || b === 0x5b || b === 0x5c;
}

function equalBytes(a: Buffer, aOff: number, b: Buffer, bOff: number, len: number, nocase: boolean): boolean {
  if (nocase) {
    for (let i = 0; i < len; i++) if (LOWER[a[aOff + i]] !== LOWER[b[bOff + i]]) return false;
    return true;
  }
  if (len > 32) return a.compare(b, bOff, bOff + len, aOff, aOff + len) === 0;
  for (let i = 0; i < len; i++) if (a[aOff + i] !== b[bOff + i]) return false;
  return true;
}

/** "prefix*" / "*suffix" / literal detection. Returns the shape without allocating. */
const Shape = { Literal: 0, PrefixStar: 1, StarSuffix: 2, General: 3 } as const;
type Shape = (typeof Shape)[keyof typeof Shape];
let shapeFirst = 0;
let shapeLast = 0;
function shapeOf(p: Buffer): Shape {
  const L = p.length;
  let first = -1;
  let last = -1;
  let onlyStars = true;
  for (let i = 0; i < L; i++) {
    const b = p[i];
    if (isSpecial(b)) {
      if (b !== 0x2a) onlyStars = false;
      if (first < 0) first = i;
      last = i;
    } else if (first >= 0) {
      // a literal after a special: fine only for the "*suffix" shape (stars must all be leading)
      if (first !== 0) return Shape.General;
    }
  }
  shapeFirst = first;
  shapeLast = last;
  if (first < 0) return Shape.Literal;
  if (!onlyStars) return Shape.General;
  // only stars: contiguous at the end -> prefix*, contiguous at the start -> *suffix
  let contiguous = true;
  for (let i = first; i <= last; i++) if (p[i] !== 0x2a) contiguous = false;
  if (!contiguous) return Shape.General;
  if (last === L - 1) return Shape.PrefixStar;
  if (first === 0) return Shape.StarSuffix;
  return Shape.General;
}

/**
 * Builds a matcher for one pattern; use it when matching many subjects (SCAN/KEYS/PSUBSCRIBE).
 * The pattern buffer is copied, so the caller may reuse it.
 */
export function compileGlob(pattern: Buffer, nocase = false): GlobMatcher {
  const L = pattern.length;
  if (L === 1 && pattern[0] === 0x2a) return () => true;

  const shape = shapeOf(pattern);
  const first = shapeFirst;
  const last = shapeLast;
  const p = Buffer.from(pattern);
  if (shape === Shape.Literal) {
    if (!nocase) return (s) => p.equals(s);
    return (s) => s.length === L && equalBytes(p, 0, s, 0, L, true);
  }
  if (shape === Shape.PrefixStar) {
    // "prefix*" (or "**"): prefix compare; an empty subject only matches an empty pattern.
    const plen = first;
    return (s) => s.length > 0 && s.length >= plen && equalBytes(p, 0, s, 0, plen, nocase);
  }
  if (shape === Shape.StarSuffix) {
    const slen = L - last - 1;
    return (s) => s.length >= slen && s.length > 0 && equalBytes(p, last + 1, s, s.length - slen, slen, nocase);
  }
  const tk = tokenize(p, nocase);
  if (tk.innerStars > MAX_STAR_NESTING) return () => false;
  return (s) => runTokens(tk, s, nocase);
}

const CACHE_MAX = 128;
const CACHE_MAX_PATTERN = 512;
const cache = [new Map<string, GlobMatcher>(), new Map<string, GlobMatcher>()];
const lastPattern: Array<Buffer | null> = [null, null];
const lastMatcher: Array<GlobMatcher | null> = [null, null];

/** Redis `stringmatchlen(pattern, subject, nocase)`, byte-wise and binary safe. */
export function globMatch(pattern: Buffer, subject: Buffer, nocase = false): boolean {
  const L = pattern.length;
  if (L === 1 && pattern[0] === 0x2a) return true;
  // Common shapes are answered without compiling or allocating.
  const shape = shapeOf(pattern);
  const sl = subject.length;
  if (shape === Shape.Literal) {
    if (!nocase) return pattern.equals(subject);
    return sl === L && equalBytes(pattern, 0, subject, 0, L, true);
  }
  if (shape === Shape.PrefixStar) {
    return sl > 0 && sl >= shapeFirst && equalBytes(pattern, 0, subject, 0, shapeFirst, nocase);
  }
  if (shape === Shape.StarSuffix) {
    const slen = L - shapeLast - 1;
    return sl > 0 && sl >= slen && equalBytes(pattern, shapeLast + 1, subject, sl - slen, slen, nocase);
  }
  if (L > CACHE_MAX_PATTERN) return compileGlob(pattern, nocase)(subject);
  const slot = nocase ? 1 : 0;
  // Callers usually match one pattern against many subjects in a row: remember the last one.
  const lp = lastPattern[slot];
  if (lp !== null && lp.equals(pattern)) return (lastMatcher[slot] as GlobMatcher)(subject);
  const map = cache[slot];
  const key = pattern.toString('latin1');
  let m = map.get(key);
  if (m === undefined) {
    m = compileGlob(pattern, nocase);
    if (map.size >= CACHE_MAX) map.delete(map.keys().next().value as string);
    map.set(key, m);
  }
  lastPattern[slot] = Buffer.from(pattern);
  lastMatcher[slot] = m;
  return m(subject);
}

/** Glob over JS strings (UTF-8 bytes), e.g. for CONFIG GET option names. */
export function globMatchString(pattern: string, s: string, nocase = false): boolean {
  return globMatch(Buffer.from(pattern, 'utf8'), Buffer.from(s, 'utf8'), nocase);
}
