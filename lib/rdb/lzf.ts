// LZF (Marc Lehmann's liblzf format), the compression RDB files use for long strings.
//
// A compressed stream is a sequence of items, each starting with a control byte:
//   000LLLLL                     literal run: the next L+1 (1..32) bytes are copied as they are;
//   LLLooooo oooooooo            back reference (L = 1..6): copy L+2 bytes starting o+1 bytes
//                                back in the output (o is 13 bits: up to 8192 back);
//   111ooooo LLLLLLLL oooooooo   long back reference: copy L+9 bytes (9..264), same offset.
// A back reference may overlap the bytes it produces (offset 1 repeats the last byte).
// There is no header and no end marker: the caller knows both lengths.
//
// The compressor here is a greedy one with a hash table of 3-byte sequences. Its output is
// valid LZF that any liblzf decoder reads, but not necessarily the bytes liblzf itself would
// choose for the same input.

export class LzfError extends Error {
  override name = 'LzfError';
}

const MAX_LITERAL = 32;
const MAX_OFFSET = 8192;
const MIN_MATCH = 3;
const MAX_MATCH = 264;
/** Output bytes one input byte can produce at most (a 3-byte long reference of 264 bytes). */
const MAX_EXPANSION = 88;

/**
 * Decompress `src`, which must expand to exactly `outLen` bytes. Throws LzfError when the data
 * is corrupt: a truncated item, a reference before the start of the output, output longer or
 * shorter than `outLen`.
 */
export function lzfDecompress(src: Uint8Array, outLen: number): Buffer {
  if (!Number.isSafeInteger(outLen) || outLen < 0) throw new LzfError('invalid LZF output length');
  // No valid stream expands further than this, so a larger claimed size is corrupt: refuse it
  // before allocating the output.
  if (outLen > src.length * MAX_EXPANSION) throw new LzfError('LZF data too short for its length');
  const out = Buffer.allocUnsafe(outLen);
  const n = src.length;
  let ip = 0;
  let op = 0;
  while (ip < n) {
    const ctrl = src[ip++];
    if (ctrl < MAX_LITERAL) {
      const run = ctrl + 1;
      if (ip + run > n) throw new LzfError('LZF literal run past the end of the input');
      if (op + run > outLen) throw new LzfError('LZF output longer than expected');
      // Runs are at most 32 bytes: a loop is cheaper than a subarray and a copy call.
      for (let k = 0; k < run; k++) out[op + k] = src[ip + k];
      ip += run;
      op += run;
      continue;
    }
    let len = ctrl >>> 5;
    if (len === 7) {
      if (ip >= n) throw new LzfError('LZF back reference past the end of the input');
      len += src[ip++];
    }
    if (ip >= n) throw new LzfError('LZF back reference past the end of the input');
    const ref = op - ((ctrl & 0x1f) << 8) - src[ip++] - 1;
    len += 2;
    if (ref < 0) throw new LzfError('LZF back reference before the start of the output');
    if (op + len > outLen) throw new LzfError('LZF output longer than expected');
    // Byte by byte, front to back, because a reference may overlap the bytes it writes.
    for (let k = 0; k < len; k++) out[op + k] = out[ref + k];
    op += len;
  }
  if (op !== outLen) throw new LzfError('LZF output shorter than expected');
  return out;
}

const HASH_BITS = 14;
const hashTable = new Int32Array(1 << HASH_BITS);

function hash3(a: number, b: number, c: number): number {
  return Math.imul((a << 16) | (b << 8) | c, 0x9e3779b1) >>> (32 - HASH_BITS);
}

/**
 * Compress `src`. Returns null when the result would be longer than `maxLen` bytes (by default
 * src.length - 1: the data does not shrink), without finishing the work.
 */
export function lzfCompress(src: Uint8Array, maxLen = src.length - 1): Buffer | null {
  const n = src.length;
  if (maxLen < 0) return null;
  // Worst case: a control byte per 32 literals; the early return below keeps op within
  // maxLen + 3, and maxLen is clamped to what the input can need.
  const limit = Math.min(maxLen, n + Math.ceil(n / MAX_LITERAL));
  const out = Buffer.allocUnsafe(limit + 4);
  hashTable.fill(-1);
  let ip = 0;
  let op = 0;
  let lit = 0; // length of the open literal run; its control byte is at out[op - lit - 1]
  while (ip < n) {
    if (ip + MIN_MATCH <= n) {
      const h = hash3(src[ip], src[ip + 1], src[ip + 2]);
      const ref = hashTable[h];
      hashTable[h] = ip;
      if (
        ref >= 0 &&
        ip - ref <= MAX_OFFSET &&
        src[ref] === src[ip] &&
        src[ref + 1] === src[ip + 1] &&
        src[ref + 2] === src[ip + 2]
      ) {
        const most = Math.min(MAX_MATCH, n - ip);
        let len = MIN_MATCH;
        while (len < most && src[ref + len] === src[ip + len]) len++;
        if (lit > 0) {
          out[op - lit - 1] = lit - 1;
          lit = 0;
        }
        const off = ip - ref - 1;
        const code = len - 2;
        if (code < 7) {
          out[op++] = (code << 5) | (off >>> 8);
        } else {
          out[op++] = (7 << 5) | (off >>> 8);
          out[op++] = code - 7;
        }
        out[op++] = off & 0xff;
        if (op > limit) return null;
        const end = ip + len;
        for (let p = ip + 1; p < end && p + MIN_MATCH <= n; p++) hashTable[hash3(src[p], src[p + 1], src[p + 2])] = p;
        ip = end;
        continue;
      }
    }
    if (lit === 0) op++; // room for the run's control byte
    out[op++] = src[ip++];
    lit++;
    if (lit === MAX_LITERAL) {
      out[op - lit - 1] = lit - 1;
      lit = 0;
    }
    if (op > limit) return null;
  }
  if (lit > 0) out[op - lit - 1] = lit - 1;
  return Buffer.from(out.subarray(0, op));
}
