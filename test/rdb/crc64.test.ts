import t from 'tap';
import fc from 'fast-check';
import { crc64 } from '../../lib/rdb/crc64.js';

/** Bit by bit, straight from the definition: reflected Jones polynomial, init 0, no final xor. */
function crc64Bitwise(data: Uint8Array, crc = 0n): bigint {
  const poly = 0x95ac9329ac4bc9b5n; // 0xad93d23594c935a9 bit-reversed
  for (const byte of data) {
    crc ^= BigInt(byte);
    for (let k = 0; k < 8; k++) crc = crc & 1n ? (crc >> 1n) ^ poly : crc >> 1n;
  }
  return crc;
}

t.test('the check value Redis tests: crc64("123456789")', async (t) => {
  t.equal(crc64(Buffer.from('123456789')), 0xe9c6d914c4b8d9can);
  t.equal(crc64Bitwise(Buffer.from('123456789')), 0xe9c6d914c4b8d9can);
});

t.test('the empty input leaves the value unchanged', async (t) => {
  t.equal(crc64(new Uint8Array(0)), 0n);
  t.equal(crc64(new Uint8Array(0), 0x1234n), 0x1234n);
});

t.test('agrees with the bitwise definition on random data of every alignment', async (t) => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 300 }), fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), (data, init) => {
      return crc64(data, init) === crc64Bitwise(data, init);
    }),
    { numRuns: 300 },
  );
  t.pass('300 random inputs agree');
});

t.test('feeding the input in pieces gives the crc of the whole', async (t) => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 200 }), fc.nat(200), (data, cut) => {
      const at = Math.min(cut, data.length);
      return crc64(data.subarray(at), crc64(data.subarray(0, at))) === crc64(data);
    }),
  );
  t.pass('pieces agree');
});

t.test('a megabyte agrees with the bitwise definition', async (t) => {
  const big = new Uint8Array(1 << 20);
  let x = 12345;
  for (let i = 0; i < big.length; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    big[i] = x >>> 24;
  }
  t.equal(crc64(big), crc64Bitwise(big));
  t.equal(crc64(big.subarray(3)), crc64Bitwise(big.subarray(3)));
});
