// The reply encoder's integer headers (written digit by digit) against String(n).
import t from 'tap';
import fc from 'fast-check';
import { RespWriter } from '../../lib/resp/writer.js';

function encoded(fn: (w: RespWriter) => void): string {
  const w = new RespWriter(4);
  fn(w);
  return w.take().toString('latin1');
}

t.test('integer replies and array headers of any safe integer', async (t) => {
  const edge = [0, -0, 1, -1, 9, 10, 99, 100, 999, 1000, 123456789, -987654321, 2 ** 31, 2 ** 32, Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER];
  for (const n of edge) {
    t.equal(encoded((w) => w.int(n)), `:${String(n)}\r\n`, `int ${n}`);
    if (n >= 0) t.equal(encoded((w) => w.array(n)), `*${String(n)}\r\n`, `array ${n}`);
  }
  fc.assert(
    fc.property(fc.maxSafeInteger(), (n) => encoded((w) => w.int(n)) === `:${String(n)}\r\n`),
    { numRuns: 5000 },
  );
  t.equal(encoded((w) => w.int(12345678901234567890n)), ':12345678901234567890\r\n', 'bigint');
  t.equal(encoded((w) => w.int(1.5)), ':1.5\r\n', 'a non-integer number keeps its String() form');
});

t.test('bulk strings of many lengths', async (t) => {
  for (const len of [0, 1, 9, 10, 99, 100, 101, 1000, 5000, 70000]) {
    const b = Buffer.alloc(len, 120);
    t.equal(encoded((w) => w.bulk(b)), `$${len}\r\n${'x'.repeat(len)}\r\n`, `bulk of ${len}`);
  }
  t.equal(encoded((w) => w.bulk(null)), '$-1\r\n');
});

t.test('bulkSlice writes a part of a buffer as a bulk string', async (t) => {
  const src = Buffer.from('0123456789'.repeat(20), 'latin1');
  for (const [a, b] of [[0, 0], [0, 1], [3, 10], [0, 63], [0, 64], [5, 200], [199, 200]]) {
    t.equal(encoded((w) => w.bulkSlice(src, a, b)), encoded((w) => w.bulk(src.subarray(a, b))), `[${a}, ${b})`);
  }
});
