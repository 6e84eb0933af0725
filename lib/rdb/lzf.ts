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
// The compressor follows liblzf's choices exactly (same hash, same table, same match search),
// so a payload compressed here is the bytes redis-server writes for the same data.

export class LzfError extends Error {
  override name = 'LzfError';
}

const MAX_LITERAL = 32;
const MAX_OFFSET = 8192;
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

/** liblzf's HLOG 16: a table of 65536 slots indexed by a hash of the next 3 bytes. */
const HASH_SIZE = 1 << 16;
const hashTable = new Int32Array(HASH_SIZE);
/**
 * The call that wrote each slot: a slot another call wrote reads as empty, so each call starts
 * from an empty table (as liblzf's output depends on) without clearing 64K slots for every string.
 */
const slotCall = new Uint32Array(HASH_SIZE);
let call = 0;

/** liblzf's IDX(h) for VERY_FAST: h holds the last bytes read, the newest in its low byte. */
function slotOf(h: number): number {
  return ((h >>> 8) - Math.imul(h, 5)) & (HASH_SIZE - 1);
}

/**
 * Compress `src` as liblzf's lzf_compress does (the build Redis ships: 16-bit hash table, the
 * "very fast" variant), byte for byte, so payloads match redis-server's. `maxLen` is liblzf's
 * out_len: null (liblzf's 0) when the output would not fit it by liblzf's own conservative
 * tests, or when `src` is empty. By default src.length - 1.
 */
export function lzfCompress(src: Uint8Array, maxLen = src.length - 1): Buffer | null {
  const inEnd = src.length;
  if (inEnd === 0 || !(maxLen >= 1)) return null;
  // liblzf never writes more than in_len + in_len/32 + 1 bytes; clamp an unbounded limit there.
  const outEnd = Math.min(maxLen, inEnd + (inEnd >>> 5) + 4);
  const out = Buffer.allocUnsafe(outEnd + 8);
  // A slot holds position + 1 (0 = empty): liblzf's "ref > in_data" test refuses position 0.
  call = (call + 1) >>> 0;
  if (call === 0) {
    slotCall.fill(0);
    call = 1;
  }
  let ip = 0;
  let op = 1; // room for the first run's control byte
  let lit = 0;
  let hval = ((src[0] << 8) | (inEnd > 1 ? src[1] : 0)) >>> 0;
  while (ip < inEnd - 2) {
    hval = ((hval << 8) | src[ip + 2]) >>> 0;
    const slot = slotOf(hval);
    const ref = slotCall[slot] === call ? hashTable[slot] - 1 : -1;
    hashTable[slot] = ip + 1;
    slotCall[slot] = call;
    const off = ip - ref - 1;
    if (ref > 0 && off < MAX_OFFSET && src[ref + 2] === src[ip + 2] && src[ref] === src[ip] && src[ref + 1] === src[ip + 1]) {
      let len = 2;
      let maxlen = inEnd - ip - len;
      if (maxlen > MAX_MATCH) maxlen = MAX_MATCH;
      if (op + 3 + 1 >= outEnd && op - (lit === 0 ? 1 : 0) + 3 + 1 >= outEnd) return null;
      out[op - lit - 1] = lit - 1; // stop run
      if (lit === 0) op--; // undo an empty run
      let unrolledMismatch = false;
      if (maxlen > 16) {
        // liblzf checks the first 16 bytes without the length limit
        for (let k = 0; k < 16; k++) {
          len++;
          if (src[ref + len] !== src[ip + len]) {
            unrolledMismatch = true;
            break;
          }
        }
      }
      if (!unrolledMismatch) {
        do len++;
        while (len < maxlen && src[ref + len] === src[ip + len]);
      }
      len -= 2;
      ip++;
      if (len < 7) {
        out[op++] = (off >>> 8) + (len << 5);
      } else {
        out[op++] = (off >>> 8) + (7 << 5);
        out[op++] = len - 7;
      }
      out[op++] = off & 0xff;
      lit = 0;
      op++; // start run
      ip += len + 1;
      if (ip >= inEnd - 2) break;
      ip -= 2;
      hval = ((src[ip] << 8) | src[ip + 1]) >>> 0;
      hval = ((hval << 8) | src[ip + 2]) >>> 0;
      let s2 = slotOf(hval);
      hashTable[s2] = ip + 1;
      slotCall[s2] = call;
      ip++;
      hval = ((hval << 8) | src[ip + 2]) >>> 0;
      s2 = slotOf(hval);
      hashTable[s2] = ip + 1;
      slotCall[s2] = call;
      ip++;
    } else {
      if (op >= outEnd) return null;
      lit++;
      out[op++] = src[ip++];
      if (lit === MAX_LITERAL) {
        out[op - lit - 1] = lit - 1;
        lit = 0;
        op++;
      }
    }
  }
  if (op + 3 > outEnd) return null;
  while (ip < inEnd) {
    lit++;
    out[op++] = src[ip++];
    if (lit === MAX_LITERAL) {
      out[op - lit - 1] = lit - 1;
      lit = 0;
      op++;
    }
  }
  out[op - lit - 1] = lit - 1;
  if (lit === 0) op--;
  return Buffer.from(out.subarray(0, op));
}
