// CRC-64 as Redis computes it for RDB files and DUMP payloads: the Jones polynomial
// (0xad93d23594c935a9), reflected input and output, initial value 0, no final xor.
// Check value: crc64("123456789") = 0xe9c6d914c4b8d9ca.
//
// BigInt arithmetic per byte would be far too slow for RDB files, so the 64-bit register is
// kept as two 32-bit halves and the input is consumed eight bytes per step ("slicing by 8"):
// table k holds the effect of a byte that still has k more bytes to travel through the register.

/** The polynomial bit-reversed (the reflected form the byte-wise algorithm shifts right with). */
const POLY_REFLECTED_HI = 0x95ac9329;
const POLY_REFLECTED_LO = 0xac4bc9b5;

const SLICES = 8;
const TABLE_HI = new Uint32Array(SLICES * 256);
const TABLE_LO = new Uint32Array(SLICES * 256);

(function buildTables(): void {
  for (let i = 0; i < 256; i++) {
    let hi = 0;
    let lo = i;
    for (let bit = 0; bit < 8; bit++) {
      const carry = lo & 1;
      lo = ((lo >>> 1) | (hi << 31)) >>> 0;
      hi = hi >>> 1;
      if (carry) {
        hi = (hi ^ POLY_REFLECTED_HI) >>> 0;
        lo = (lo ^ POLY_REFLECTED_LO) >>> 0;
      }
    }
    TABLE_HI[i] = hi;
    TABLE_LO[i] = lo;
  }
  for (let k = 1; k < SLICES; k++) {
    for (let i = 0; i < 256; i++) {
      const prevHi = TABLE_HI[(k - 1) * 256 + i];
      const prevLo = TABLE_LO[(k - 1) * 256 + i];
      const idx = prevLo & 0xff;
      TABLE_HI[k * 256 + i] = (TABLE_HI[idx] ^ (prevHi >>> 8)) >>> 0;
      TABLE_LO[k * 256 + i] = (TABLE_LO[idx] ^ ((prevLo >>> 8) | (prevHi << 24))) >>> 0;
    }
  }
})();

const MASK64 = (1n << 64n) - 1n;

/**
 * Redis's crc64 of `data`, continuing from `crc` (the value returned for the bytes before
 * `data`; 0n to start), so a long input can be fed in pieces.
 */
export function crc64(data: Uint8Array, crc = 0n): bigint {
  crc &= MASK64;
  let hi = Number(crc >> 32n) >>> 0;
  let lo = Number(crc & 0xffffffffn) >>> 0;
  const n = data.length;
  let i = 0;
  const whole = n - (n % SLICES);
  while (i < whole) {
    const a = lo ^ (data[i] | (data[i + 1] << 8) | (data[i + 2] << 16) | (data[i + 3] << 24));
    const b = hi ^ (data[i + 4] | (data[i + 5] << 8) | (data[i + 6] << 16) | (data[i + 7] << 24));
    const t7 = 7 * 256 + (a & 0xff);
    const t6 = 6 * 256 + ((a >>> 8) & 0xff);
    const t5 = 5 * 256 + ((a >>> 16) & 0xff);
    const t4 = 4 * 256 + (a >>> 24);
    const t3 = 3 * 256 + (b & 0xff);
    const t2 = 2 * 256 + ((b >>> 8) & 0xff);
    const t1 = 256 + ((b >>> 16) & 0xff);
    const t0 = b >>> 24;
    hi = TABLE_HI[t7] ^ TABLE_HI[t6] ^ TABLE_HI[t5] ^ TABLE_HI[t4] ^ TABLE_HI[t3] ^ TABLE_HI[t2] ^ TABLE_HI[t1] ^ TABLE_HI[t0];
    lo = TABLE_LO[t7] ^ TABLE_LO[t6] ^ TABLE_LO[t5] ^ TABLE_LO[t4] ^ TABLE_LO[t3] ^ TABLE_LO[t2] ^ TABLE_LO[t1] ^ TABLE_LO[t0];
    i += SLICES;
  }
  for (; i < n; i++) {
    const idx = (lo ^ data[i]) & 0xff;
    const nextLo = (lo >>> 8) | (hi << 24);
    hi = TABLE_HI[idx] ^ (hi >>> 8);
    lo = TABLE_LO[idx] ^ nextLo;
  }
  return (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);
}
