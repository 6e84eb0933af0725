import t from 'tap';
import fc from 'fast-check';
import { LzfError, lzfCompress, lzfDecompress } from '../../lib/rdb/lzf.js';

/** Random bytes (incompressible), runs of one byte, and repeated short pieces, mixed. */
const data = fc.oneof(
  fc.uint8Array({ maxLength: 2000 }),
  fc.array(fc.tuple(fc.integer({ min: 0, max: 255 }), fc.integer({ min: 1, max: 600 })), { maxLength: 20 }).map((runs) => {
    return Buffer.concat(runs.map(([b, n]) => Buffer.alloc(n, b)));
  }),
  fc.tuple(fc.uint8Array({ minLength: 1, maxLength: 40 }), fc.integer({ min: 1, max: 400 }), fc.uint8Array({ maxLength: 30 })).map(([piece, times, noise]) => {
    const parts: Buffer[] = [];
    for (let i = 0; i < times; i++) parts.push(Buffer.from(piece), Buffer.from(noise.subarray(0, i % (noise.length + 1))));
    return Buffer.concat(parts);
  }),
);

function roundTrips(src: Uint8Array): boolean {
  const packed = lzfCompress(src, Infinity);
  // liblzf reports an empty input as a failure (0 bytes written)
  if (src.length === 0) return packed === null;
  if (packed === null) return false;
  return lzfDecompress(packed, src.length).equals(Buffer.from(src));
}

t.test('compress then decompress gives the input back', async (t) => {
  fc.assert(fc.property(data, (src) => roundTrips(src)), { numRuns: 400 });
  t.pass('400 random inputs');
});

t.test('large inputs, up to 100k, random and repetitive', async (t) => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 100_000 }), fc.integer({ min: 1, max: 9000 }), fc.boolean(), (size, period, noisy) => {
      const src = Buffer.allocUnsafe(size);
      let x = size ^ period;
      for (let i = 0; i < size; i++) {
        x = (Math.imul(x, 1103515245) + 12345) >>> 0;
        src[i] = noisy && (x >>> 28) === 0 ? x >>> 20 : (i % period) * 7;
      }
      return roundTrips(src);
    }),
    { numRuns: 40 },
  );
  const random = Buffer.allocUnsafe(100_000);
  for (let i = 0; i < random.length; i++) random[i] = (Math.random() * 256) | 0;
  t.ok(roundTrips(random), 'random 100k');
  t.ok(roundTrips(Buffer.alloc(100_000, 'a')), 'one byte repeated 100k times');
});

t.test('repetitive data shrinks; incompressible data gives null', async (t) => {
  const text = Buffer.from('redis.register_function("f", function() return 1 end)\n'.repeat(50));
  const packed = lzfCompress(text);
  t.ok(packed !== null && packed.length < text.length / 10, `${text.length} -> ${packed?.length}`);
  t.equal(lzfCompress(Buffer.alloc(0)), null, 'nothing to shrink');
  t.equal(lzfCompress(Buffer.from('abcdefgh')), null, 'no repetition');
  const alloc = Buffer.alloc(1000, 'x');
  t.equal(lzfCompress(alloc, 5), null, 'does not fit the limit');
  t.ok(lzfCompress(alloc, 30) !== null, 'fits a larger limit');
});

t.test('the back reference forms at their limits decode', async (t) => {
  // 'ab' then the shortest reference, 3 bytes at offset 2 (overlapping): "ababa".
  t.same(lzfDecompress(Buffer.from([0x01, 0x61, 0x62, 0x20, 0x01]), 5), Buffer.from('ababa'));
  // 'abc' then 8 bytes (the longest short form) at offset 3, not overlapping at first.
  t.same(lzfDecompress(Buffer.from([0x02, 0x61, 0x62, 0x63, 0xc0, 0x02]), 11), Buffer.from('abcabcabcab'));
  // 'a' then a long reference of 264 bytes at offset 1 (overlapping).
  t.same(lzfDecompress(Buffer.from([0x00, 0x61, 0xe0, 0xff, 0x00]), 265), Buffer.alloc(265, 'a'));
  // A reference reaching 8192 bytes back.
  const far = Buffer.concat([Buffer.from([0x1f]), Buffer.alloc(32, 'z')]);
  const parts = [Buffer.from([0x1f]), Buffer.from('0123456789abcdefghijklmnopqrstuv')];
  for (let i = 1; i < 256; i++) parts.push(far);
  const prefix = Buffer.concat(parts); // 256 runs of 32 literals: 8192 bytes
  const src = Buffer.concat([prefix, Buffer.from([0x3f, 0xff])]); // 3 bytes from 8192 back
  const out = lzfDecompress(src, 8195);
  t.same(out.subarray(8192), Buffer.from('012'));
});

t.test('corrupt input throws and never reads or writes out of bounds', async (t) => {
  const bad: [string, number[], number][] = [
    ['literal run past the end', [0x05, 0x61], 6],
    ['reference without its offset byte', [0x00, 0x61, 0x20], 3],
    ['long reference without its length byte', [0x00, 0x61, 0xe0], 3],
    ['long reference without its offset byte', [0x00, 0x61, 0xe0, 0x01], 12],
    ['reference before the start', [0x00, 0x61, 0x20, 0x05], 4],
    ['output longer than expected (literal)', [0x02, 0x61, 0x62, 0x63], 2],
    ['output longer than expected (reference)', [0x00, 0x61, 0x40, 0x00], 3],
    ['output shorter than expected', [0x01, 0x61, 0x62], 3],
    ['empty input, output expected', [], 1],
    ['claimed length far beyond what the input can give', [0x00, 0x61], 1 << 30],
  ];
  for (const [what, bytes, len] of bad) {
    t.throws(() => lzfDecompress(Buffer.from(bytes), len), LzfError, what);
  }
  t.throws(() => lzfDecompress(Buffer.from([0]), -1), LzfError, 'negative length');
  t.same(lzfDecompress(Buffer.alloc(0), 0), Buffer.alloc(0), 'empty to empty');
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 200 }), fc.nat(2000), (junk, len) => {
      try {
        return lzfDecompress(junk, len).length === len;
      } catch (e) {
        return e instanceof LzfError;
      }
    }),
    { numRuns: 2000 },
  );
});
