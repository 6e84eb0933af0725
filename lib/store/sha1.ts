// SHA-1 (FIPS 180-4) for the digest's many small inputs: node:crypto's per-call cost (a few
// microseconds for a hash object) dominates DEBUG DIGEST, which hashes each key about seven times;
// this one runs in JS on a reused block buffer. Inputs over 4 KiB go to node:crypto.

import { createHash } from 'node:crypto';

const W = new Int32Array(80);
const BLOCK = Buffer.alloc(64);
const BIG = 4096;

function rotl(x: number, n: number): number {
  return (x << n) | (x >>> (32 - n));
}

/** SHA-1 of `data` into `out` at `off` (20 bytes). */
export function sha1Into(data: Uint8Array, out: Buffer, off = 0): void {
  if (data.length > BIG) {
    createHash('sha1').update(data).digest().copy(out, off);
    return;
  }
  let h0 = 0x67452301;
  let h1 = 0xefcdab89 | 0;
  let h2 = 0x98badcfe | 0;
  let h3 = 0x10325476;
  let h4 = 0xc3d2e1f0 | 0;
  const len = data.length;
  // blocks: the data, 0x80, zeros, the bit length (64-bit BE) at the end of the last block
  const blocks = ((len + 8) >> 6) + 1;
  for (let b = 0; b < blocks; b++) {
    const start = b * 64;
    for (let i = 0; i < 64; i++) {
      const p = start + i;
      BLOCK[i] = p < len ? data[p] : p === len ? 0x80 : 0;
    }
    if (b === blocks - 1) {
      const bits = len * 8;
      BLOCK.writeUInt32BE(Math.floor(bits / 0x100000000), 56);
      BLOCK.writeUInt32BE(bits >>> 0, 60);
    }
    for (let i = 0; i < 16; i++) W[i] = BLOCK.readInt32BE(i * 4);
    for (let i = 16; i < 80; i++) W[i] = rotl(W[i - 3] ^ W[i - 8] ^ W[i - 14] ^ W[i - 16], 1);
    let a = h0;
    let bb = h1;
    let c = h2;
    let d = h3;
    let e = h4;
    for (let i = 0; i < 80; i++) {
      let f: number;
      let k: number;
      if (i < 20) {
        f = (bb & c) | (~bb & d);
        k = 0x5a827999;
      } else if (i < 40) {
        f = bb ^ c ^ d;
        k = 0x6ed9eba1;
      } else if (i < 60) {
        f = (bb & c) | (bb & d) | (c & d);
        k = 0x8f1bbcdc | 0;
      } else {
        f = bb ^ c ^ d;
        k = 0xca62c1d6 | 0;
      }
      const t = (rotl(a, 5) + f + e + k + W[i]) | 0;
      e = d;
      d = c;
      c = rotl(bb, 30);
      bb = a;
      a = t;
    }
    h0 = (h0 + a) | 0;
    h1 = (h1 + bb) | 0;
    h2 = (h2 + c) | 0;
    h3 = (h3 + d) | 0;
    h4 = (h4 + e) | 0;
  }
  out.writeInt32BE(h0, off);
  out.writeInt32BE(h1, off + 4);
  out.writeInt32BE(h2, off + 8);
  out.writeInt32BE(h3, off + 12);
  out.writeInt32BE(h4, off + 16);
}
