import t from 'tap';
import fc from 'fast-check';
import {
  RdbFormatError,
  RdbReader,
  readLength,
  readLengthOrEncoding,
  readString,
  writeLength,
  writeString,
} from '../../lib/rdb/string.js';
import { withDumpFooter } from '../../lib/rdb/function-payload.js';
import { startRedis } from '../support/servers.js';
import { RawClient, type Reply } from '../support/resp-client.js';

const B = (s: string) => Buffer.from(s, 'latin1');
const reader = (bytes: number[] | Buffer) => new RdbReader(Buffer.from(bytes));

/** The kind of RdbFormatError `fn` throws. */
function failure(fn: () => unknown): string {
  try {
    fn();
    return 'no error';
  } catch (e) {
    return e instanceof RdbFormatError ? e.kind : `other error: ${String(e)}`;
  }
}

t.test('lengths: the shortest form at each boundary, and back', async (t) => {
  const cases: [number | bigint, string][] = [
    [0, '00'],
    [63, '3f'],
    [64, '4040'],
    [16383, '7fff'],
    [16384, '8000004000'],
    [0xffffffff, '80ffffffff'],
    [0x100000000, '810000000100000000'],
    [Number.MAX_SAFE_INTEGER, '81001fffffffffffff'],
  ];
  for (const [len, hex] of cases) {
    const bytes = writeLength(len);
    t.equal(bytes.toString('hex'), hex, `${len}`);
    const r = new RdbReader(bytes);
    t.equal(readLength(r), Number(len));
    t.equal(r.remaining, 0);
  }
  t.throws(() => writeLength(-1), RangeError);
  t.throws(() => writeLength(1n << 64n), RangeError);
  t.equal(writeLength((1n << 64n) - 1n).toString('hex'), '81ffffffffffffffff');
  t.throws(() => readLength(reader(writeLength((1n << 64n) - 1n))), RdbFormatError, 'beyond 2^53');
  fc.assert(
    fc.property(fc.maxSafeNat(), (n) => {
      const r = new RdbReader(writeLength(n));
      return readLength(r) === n && r.remaining === 0;
    }),
  );
});

t.test('length markers: encodings, unknown forms, truncation', async (t) => {
  t.same(readLengthOrEncoding(reader([0xc3])), { value: 3, encoded: true });
  t.equal(readLength(reader([0xc2])), 2, 'an encoding marker read as a length gives its low bits, as rdbLoadLen');
  for (const first of [0x82, 0x9f, 0xbf]) {
    t.equal(failure(() => readLength(reader([first, 0, 0, 0, 0, 0, 0, 0, 0]))), 'corrupt', `0x${first.toString(16)}`);
  }
  for (const bytes of [[], [0x40], [0x80, 1, 2, 3], [0x81, 1, 2, 3, 4, 5, 6, 7]]) {
    t.equal(failure(() => readLength(reader(bytes))), 'truncated', `truncated ${JSON.stringify(bytes)}`);
  }
});

t.test('integer encoding: canonical decimal 32-bit integers only', async (t) => {
  const encoded: [string, string][] = [
    ['0', 'c000'],
    ['-1', 'c0ff'],
    ['127', 'c07f'],
    ['-128', 'c080'],
    ['128', 'c18000'],
    ['-129', 'c17fff'],
    ['32767', 'c1ff7f'],
    ['-32768', 'c10080'],
    ['32768', 'c200800000'],
    ['2147483647', 'c2ffffff7f'],
    ['-2147483648', 'c200000080'],
  ];
  for (const [s, hex] of encoded) {
    t.equal(writeString(B(s)).toString('hex'), hex, s);
    t.equal(readString(new RdbReader(Buffer.from(hex, 'hex'))).toString('latin1'), s);
  }
  for (const s of ['', '-', '-0', '007', '+1', ' 1', '1 ', '1a', '2147483648', '-2147483649', '12345678901', '1.5']) {
    const w = writeString(B(s));
    t.equal(w[0], s.length, `${JSON.stringify(s)} stays plain`);
    t.equal(readString(new RdbReader(w)).toString('latin1'), s);
  }
});

t.test('strings: plain, LZF above 20 bytes when it saves 4, round trips', async (t) => {
  t.equal(writeString(B('a'.repeat(20)))[0], 20, '20 bytes: never compressed');
  t.equal(writeString(B('a'.repeat(21)))[0], 0xc3, '21 repeated bytes: compressed');
  t.equal(writeString(B('a'.repeat(21)), { compress: false })[0], 21, 'compress: false');
  const noisy = B('abcdefghijklmnopqrstuvwxyz0123456789');
  t.equal(writeString(noisy)[0], noisy.length, 'incompressible: plain');
  fc.assert(
    fc.property(
      fc.oneof(
        fc.uint8Array({ maxLength: 3000 }),
        fc.tuple(fc.string({ maxLength: 12 }), fc.nat(300)).map(([s, n]) => B(s.repeat(n))),
        fc.integer({ min: -(2 ** 40), max: 2 ** 40 }).map((n) => B(String(n))),
      ),
      fc.boolean(),
      (s, compress) => {
        const w = writeString(s, { compress });
        const r = new RdbReader(w);
        return readString(r).equals(Buffer.from(s)) && r.remaining === 0;
      },
    ),
    { numRuns: 500 },
  );
});

t.test('strings: truncated and corrupt forms are errors', async (t) => {
  const long = writeString(B('xyz'.repeat(40)));
  t.equal(long[0], 0xc3);
  for (let cut = 0; cut < long.length; cut++) {
    t.equal(failure(() => readString(new RdbReader(long.subarray(0, cut)))), 'truncated', `LZF cut at ${cut}`);
  }
  for (const bytes of [[0x05, 0x61], [0xc0], [0xc1, 1], [0xc2, 1, 2, 3]]) {
    t.equal(failure(() => readString(reader(bytes))), 'truncated', JSON.stringify(bytes));
  }
  t.equal(failure(() => readString(reader([0xc4]))), 'corrupt', 'unknown encoding 4');
  t.equal(failure(() => readString(reader([0xc3, 2, 5, 0x01, 0x61]))), 'corrupt', 'bad LZF data');
  t.same(readString(reader([0xc3, 3, 0, 0xff, 0xff, 0xff])), Buffer.alloc(0), 'LZF of original length 0 is empty, whatever its data (as Redis)');
  const r = new RdbReader(Buffer.from([1, 2, 3, 4]), 1, 3);
  t.equal(r.readByte(), 2);
  t.equal(r.remaining, 1);
  t.equal(failure(() => r.readUInt16LE()), 'truncated', 'the reader stops at its end, not the buffer');
  const le = new RdbReader(Buffer.from('0102030405060708ff', 'hex'));
  t.equal(le.readBigUInt64LE(), 0x0807060504030201n, '64-bit little-endian (as RDB millisecond expiries)');
  t.equal(failure(() => le.readBigUInt64LE()), 'truncated');
  t.equal(le.pos, 8, 'a failed read does not move the position');
});

function bulkOf(r: Reply): Buffer {
  if (r.t !== 'bulk' || r.v === null) throw new Error(`expected a bulk reply, got ${JSON.stringify(r)}`);
  return r.v;
}

t.test('the same bytes as redis-server: DUMP of string values, both ways', async (t) => {
  const redis = await startRedis();
  t.teardown(() => redis.stop());
  const c = await RawClient.connect(redis.port);
  t.teardown(() => c.close());

  const random = (n: number, seed: number) => {
    const b = Buffer.allocUnsafe(n);
    for (let i = 0; i < n; i++) {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      b[i] = seed >>> 24;
    }
    return b;
  };
  const values: Buffer[] = [
    ...['', 'a', '0', '-0', '007', '1', '-1', '127', '128', '-128', '-129', '32767', '32768', '-32768', '-32769'].map(B),
    ...['2147483647', '2147483648', '-2147483648', '-2147483649', '9223372036854775807', '12345678901', '1.5', '+5'].map(B),
    B('a'.repeat(20)),
    B('a'.repeat(21)),
    B('ab'.repeat(30)),
    random(63, 1),
    random(64, 2),
    random(16383, 3),
    random(16384, 4),
    random(70000, 5),
    B('the quick brown fox jumps over the lazy dog; '.repeat(2000)),
    Buffer.concat([random(5000, 6), Buffer.alloc(5000, 0), random(5000, 6)]),
  ];
  let compressedByRedis = 0;
  for (const [i, v] of values.entries()) {
    const label = v.length > 30 ? `${v.length} bytes` : JSON.stringify(v.toString('latin1'));
    await c.send('SET', `k${i}`, v);
    const dump = bulkOf(await c.send('DUMP', `k${i}`));
    t.equal(dump[0], 0, `${label}: a string value`);
    const body = dump.subarray(1, dump.length - 10);
    const r = new RdbReader(body);
    t.same(readString(r), v, `${label}: redis's DUMP decodes to the value`);
    t.equal(r.remaining, 0);
    const ours = writeString(v);
    if (body[0] === 0xc3) {
      compressedByRedis++;
      t.equal(ours[0], 0xc3, `${label}: we compress it too`);
    } else {
      t.same(ours, body, `${label}: the same bytes as redis`);
    }
    const restored = await c.send('RESTORE', `ours${i}`, '0', withDumpFooter(Buffer.concat([Buffer.from([0]), ours])));
    t.same(restored, { t: 'simple', v: 'OK' }, `${label}: redis RESTOREs ours`);
    t.same(bulkOf(await c.send('GET', `ours${i}`)), v, `${label}: to the same value`);
  }
  t.ok(compressedByRedis >= 4, `redis compressed ${compressedByRedis} of them`);
});

t.test('RdbOutBuffer writes the bytes of writeLength and writeString', async (t) => {
  const { RdbOutBuffer } = await import('../../lib/rdb/out-buffer.js');
  const lengths = fc.oneof(fc.integer({ min: 0, max: 70_000 }), fc.integer({ min: 0, max: 0xffffffff }), fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }));
  fc.assert(
    fc.property(fc.array(lengths, { maxLength: 20 }), (ls) => {
      const o = new RdbOutBuffer(4);
      for (const l of ls) o.length(l);
      return o.take().equals(Buffer.concat(ls.map((l) => writeLength(l))));
    }),
  );
  const strings = fc.oneof(
    fc.uint8Array({ maxLength: 300 }).map((a) => Buffer.from(a)),
    fc.integer({ min: -(2 ** 33), max: 2 ** 33 }).map((n) => B(String(n))),
    fc.tuple(fc.string({ maxLength: 4 }), fc.integer({ min: 1, max: 200 })).map(([s, n]) => B(s.repeat(n))),
  );
  fc.assert(
    fc.property(fc.array(strings, { maxLength: 10 }), fc.boolean(), (ss, compress) => {
      const o = new RdbOutBuffer(8);
      for (const s of ss) o.string(s, { compress });
      return o.take().equals(Buffer.concat(ss.map((s) => writeString(s, { compress }))));
    }),
  );
  const o = new RdbOutBuffer(16);
  o.bytes(Buffer.alloc(1000, 7));
  t.equal(o.take().length, 1000, 'grows past its initial size');
  t.equal(o.pos, 0);
  t.equal(o.buf.length, 16, 'and goes back to it after a big take');
});
