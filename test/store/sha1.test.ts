// lib/store/sha1.ts against node:crypto on inputs of every length around the block boundaries
// and random ones (fast-check), and in place (the digest hashes a digest into itself).
import t from 'tap';
import fc from 'fast-check';
import { createHash } from 'node:crypto';
import { sha1Into } from '../../lib/store/sha1.js';

const ref = (b: Uint8Array) => createHash('sha1').update(b).digest();
const mine = (b: Uint8Array) => {
  const out = Buffer.alloc(20);
  sha1Into(b, out);
  return out;
};

t.test('every length up to 300 bytes and past the 4 KiB hand-over', async (t) => {
  let bad = 0;
  for (let n = 0; n <= 300; n++) if (!mine(Buffer.alloc(n, n & 0xff)).equals(ref(Buffer.alloc(n, n & 0xff)))) bad++;
  for (const n of [4095, 4096, 4097, 10000]) if (!mine(Buffer.alloc(n, 7)).equals(ref(Buffer.alloc(n, 7)))) bad++;
  t.equal(bad, 0);
});

t.test('random inputs', async () => {
  fc.assert(fc.property(fc.uint8Array({ maxLength: 600 }), (a) => mine(a).equals(ref(a))), { numRuns: 500 });
});

t.test('in place', async (t) => {
  const d = Buffer.from('0123456789abcdefghij');
  const want = ref(d);
  sha1Into(d, d);
  t.ok(d.equals(want));
});
