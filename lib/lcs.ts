// The longest common subsequence of two byte strings, as Redis's LCS command finds it: the classic
// dynamic programme, then a walk back from the end of both strings that prefers to step back in
// the second one on ties, so the subsequence and its runs of matches are the ones Redis reports
// (in the order it reports them: from the end). Pure computation on buffers, for LCS
// (lib/commands/string-lcs.ts).

/** One run of contiguous matches: a[aStart..aEnd] equals b[bStart..bEnd], `len` bytes. */
export type LcsMatch = [aStart: number, aEnd: number, bStart: number, bEnd: number, len: number];

/** What to compute beyond the length: nothing (LEN), the subsequence, or its runs (IDX). */
export const LCS_LEN = 0;
export const LCS_SEQ = 1;
export const LCS_IDX = 2;
export type LcsWant = typeof LCS_LEN | typeof LCS_SEQ | typeof LCS_IDX;

export interface LcsResult {
  /** Length of the longest common subsequence. */
  len: number;
  /** The subsequence (LCS_SEQ), else null. */
  seq: Buffer | null;
  /** Its runs of at least `minMatchLen` bytes, from the end (LCS_IDX), else empty. */
  matches: LcsMatch[];
}

/** Largest table the programme may allocate (bytes). */
const MAX_TABLE = 1024 * 1024 * 1024;

/**
 * The LCS of a and b; null when its table cannot be allocated (Redis answers "Insufficient
 * memory"). The table's cells are as narrow as the length allows (1, 2 or 4 bytes).
 */
export function longestCommonSubsequence(a: Uint8Array, b: Uint8Array, want: LcsWant, minMatchLen = 0): LcsResult | null {
  const alen = a.length;
  const blen = b.length;
  const w = blen + 1;
  const cells = (alen + 1) * w;
  const maxVal = Math.min(alen, blen);
  const bytesPer = maxVal < 256 ? 1 : maxVal < 65536 ? 2 : 4;
  let t: Uint8Array | Uint16Array | Uint32Array;
  try {
    if (cells * bytesPer > MAX_TABLE) return null;
    t = bytesPer === 1 ? new Uint8Array(cells) : bytesPer === 2 ? new Uint16Array(cells) : new Uint32Array(cells);
  } catch {
    return null;
  }
  for (let i = 1; i <= alen; i++) {
    const ai = a[i - 1];
    const row = i * w;
    const prev = row - w;
    for (let j = 1; j <= blen; j++) {
      if (ai === b[j - 1]) t[row + j] = t[prev + j - 1] + 1;
      else {
        const up = t[prev + j];
        const left = t[row + j - 1];
        t[row + j] = up > left ? up : left;
      }
    }
  }
  const total = t[alen * w + blen];
  const matches: LcsMatch[] = [];
  if (want === LCS_LEN) return { len: total, seq: null, matches };
  const seq = want === LCS_SEQ ? Buffer.allocUnsafe(total) : null;
  const idx = want === LCS_IDX;
  let k = total;
  let i = alen;
  let j = blen;
  // The current run of contiguous matches (a and b ranges), walked backwards; aStart < 0 = none.
  let aStart = -1;
  let aEnd = 0;
  let bStart = 0;
  let bEnd = 0;
  while (i > 0 && j > 0) {
    let runEnds: boolean;
    if (a[i - 1] === b[j - 1]) {
      if (seq) seq[k - 1] = a[i - 1];
      if (aStart < 0) {
        aStart = aEnd = i - 1;
        bStart = bEnd = j - 1;
      } else {
        // contiguous with the run: extend it backwards
        aStart--;
        bStart--;
      }
      k--;
      i--;
      j--;
      runEnds = aStart === 0 || bStart === 0;
    } else {
      if (t[(i - 1) * w + j] > t[i * w + j - 1]) i--;
      else j--;
      runEnds = aStart >= 0;
    }
    if (runEnds) {
      const len = aEnd - aStart + 1;
      if (idx && len >= minMatchLen) matches.push([aStart, aEnd, bStart, bEnd, len]);
      aStart = -1;
    }
  }
  return { len: total, seq, matches };
}
