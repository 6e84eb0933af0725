import t from 'tap';
import fc from 'fast-check';
import { comparable } from './redis-cases.js';
import { DumpFooterError, decodeDump, encodeDump } from '../../lib/rdb/dump.js';
import { withDumpFooter } from '../../lib/rdb/function-payload.js';
import { RdbEmptyValueError } from '../../lib/rdb/object-read.js';
import { hashEncodingOf, setEncodingOf, zsetEncodingOf } from '../../lib/rdb/object-write.js';
import { compareIds } from '../../lib/rdb/stream-rdb.js';
import { RdbFormatError, writeLength } from '../../lib/rdb/string.js';
import type { EncodingLimits, RdbValue, StreamGroup, StreamId } from '../../lib/rdb/value.js';

const bytes = fc.oneof(
  fc.uint8Array({ maxLength: 30 }).map((a) => Buffer.from(a)),
  fc.bigInt({ min: -(1n << 63n), max: (1n << 63n) - 1n }).map((n) => Buffer.from(String(n))),
  fc.integer({ min: -5000, max: 5000 }).map((n) => Buffer.from(String(n))),
  fc.constantFrom(Buffer.from('-0'), Buffer.from('01'), Buffer.from('9223372036854775808'), Buffer.from('a'.repeat(100)), Buffer.from('')),
);
const key = (b: Buffer) => b.toString('latin1');
const score = fc.oneof(fc.double({ noNaN: true }), fc.integer({ min: -100, max: 100 }), fc.constantFrom(0.1, 1e300, -0, Infinity));
const id: fc.Arbitrary<StreamId> = fc.record({ ms: fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), seq: fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }) });
const smallId: fc.Arbitrary<StreamId> = fc.record({ ms: fc.bigInt({ min: 0n, max: 50n }), seq: fc.bigInt({ min: 0n, max: 3n }) });
const time = fc.bigInt({ min: -(1n << 63n), max: (1n << 63n) - 1n });

const stream: fc.Arbitrary<RdbValue> = fc
  .record({
    ids: fc.uniqueArray(fc.oneof(smallId, id), { maxLength: 30, selector: (i) => `${i.ms}-${i.seq}` }),
    fieldSets: fc.array(fc.array(bytes, { minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 3 }),
    groups: fc.uniqueArray(fc.record({ name: bytes, lastId: id, entriesRead: fc.bigInt({ min: -1n, max: 1000n }), consumers: fc.uniqueArray(bytes, { maxLength: 3, selector: key }) }), { maxLength: 3, selector: (g) => key(g.name) }),
    extra: fc.record({ last: id, first: id, maxDeleted: id, added: fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), seen: time }),
  })
  .map(({ ids, fieldSets, groups, extra }): RdbValue => {
    const sorted = [...ids].sort(compareIds);
    const entries = sorted.map((i, n) => {
      const names = fieldSets[n % fieldSets.length];
      return { id: i, fields: names.flatMap((f, k) => [f, Buffer.from(`v${n}.${k}`)]) };
    });
    const gs: StreamGroup[] = groups.map((g, gi) => {
      const pending = sorted.filter((_, n) => (n + gi) % 3 === 0).map((i, n) => ({ id: i, deliveryTime: BigInt.asIntN(64, extra.seen - BigInt(n)), deliveryCount: BigInt(n) }));
      const consumers = g.consumers.map((name) => ({ name, seenTime: extra.seen, pending: [] as StreamId[] }));
      if (consumers.length > 0) pending.forEach((p, n) => consumers[n % consumers.length].pending.push(p.id));
      return { name: g.name, lastId: g.lastId, entriesRead: g.entriesRead, pending: consumers.length > 0 ? pending : [], consumers };
    });
    const top = sorted[sorted.length - 1];
    const lastId = top !== undefined && compareIds(top, extra.last) > 0 ? top : extra.last;
    return { type: 'stream', entries, lastId, firstId: extra.first, maxDeletedId: extra.maxDeleted, entriesAdded: extra.added, groups: gs };
  });

const value: fc.Arbitrary<RdbValue> = fc.oneof(
  bytes.map((v): RdbValue => ({ type: 'string', value: v })),
  fc.array(bytes, { minLength: 1, maxLength: 60 }).map((items): RdbValue => ({ type: 'list', items })),
  fc.uniqueArray(bytes, { minLength: 1, maxLength: 40, selector: key }).map((members): RdbValue => ({ type: 'set', members })),
  fc.uniqueArray(fc.record({ member: bytes, score }), { minLength: 1, maxLength: 40, selector: (e) => key(e.member) }).map((entries): RdbValue => ({ type: 'zset', entries })),
  fc.uniqueArray(fc.tuple(bytes, bytes), { minLength: 1, maxLength: 40, selector: (e) => key(e[0]) }).map((entries): RdbValue => ({ type: 'hash', entries })),
  stream,
);

const limits: fc.Arbitrary<EncodingLimits> = fc.record({
  hashMaxListpackEntries: fc.integer({ min: 0, max: 50 }),
  hashMaxListpackValue: fc.integer({ min: 0, max: 64 }),
  zsetMaxListpackEntries: fc.integer({ min: 0, max: 50 }),
  zsetMaxListpackValue: fc.integer({ min: 0, max: 64 }),
  setMaxIntsetEntries: fc.integer({ min: 0, max: 50 }),
  listMaxListpackSize: fc.oneof(fc.integer({ min: -5, max: -1 }), fc.integer({ min: 1, max: 10 })),
  listCompressDepth: fc.integer({ min: 0, max: 3 }),
  streamNodeMaxBytes: fc.oneof(fc.constant(0), fc.integer({ min: 20, max: 600 })),
  streamNodeMaxEntries: fc.integer({ min: 0, max: 8 }),
});

/** What the value reads back as: with the encoding it was written in. */
function asWritten(v: RdbValue, l: EncodingLimits): RdbValue {
  if (v.type === 'set') return { ...v, encoding: setEncodingOf(v, l) };
  if (v.type === 'hash') return { ...v, encoding: hashEncodingOf(v, l) };
  if (v.type === 'zset') return { ...v, encoding: zsetEncodingOf(v, l) };
  return v;
}

t.test('decodeDump(encodeDump(v)) is v, for every type, encoding and threshold', async (t) => {
  fc.assert(
    fc.property(value, limits, fc.boolean(), (v, l, compress) => {
      const back = decodeDump(encodeDump(v, l, { compress }));
      t.same(comparable(back), comparable(asWritten(v, l)));
    }),
    { numRuns: 500 },
  );
});

function onlyFormatErrors(payload: Buffer): boolean {
  try {
    decodeDump(payload);
  } catch (e) {
    if (!(e instanceof RdbFormatError)) throw e;
  }
  return true;
}

t.test('random and mutated payloads: nothing but RdbFormatError', async (t) => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 200 }), (b) => onlyFormatErrors(withDumpFooter(Buffer.from(b)))),
    { numRuns: 2000 },
  );
  fc.assert(
    fc.property(value, limits, fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }), fc.nat(), (v, l, flips, cut) => {
      const p = encodeDump(v, l, { compress: true });
      const body = Buffer.from(p.subarray(0, p.length - 10));
      for (const [at, b] of flips) body[at % body.length] = b;
      onlyFormatErrors(withDumpFooter(body));
      onlyFormatErrors(withDumpFooter(body.subarray(0, cut % (body.length + 1))));
      return true;
    }),
    { numRuns: 1500 },
  );
  t.pass('no other error');
});

t.test('declared lengths past the data are errors, not allocations', async (t) => {
  const huge = [
    Buffer.concat([Buffer.from([0]), writeLength(0xffffffff), Buffer.from('abc')]),
    Buffer.concat([Buffer.from([0]), writeLength(2n ** 52n)]),
    Buffer.concat([Buffer.from([1]), writeLength(0xffffffff), Buffer.from([1, 0x61])]),
    Buffer.concat([Buffer.from([18]), writeLength(0xffffffff), Buffer.from([2])]),
    Buffer.concat([Buffer.from([4]), writeLength(0x7fffffff)]),
    // LZF string claiming to expand to 4 GB
    Buffer.concat([Buffer.from([0, 0xc3]), writeLength(4), writeLength(0xffffffff), Buffer.from([0, 0x61, 0xe0, 0xff])]),
    Buffer.concat([Buffer.from([19]), writeLength(2n ** 60n)]),
  ];
  for (const body of huge) {
    const before = process.memoryUsage().arrayBuffers;
    t.throws(() => decodeDump(withDumpFooter(body)), RdbFormatError, body.toString('hex'));
    t.ok(process.memoryUsage().arrayBuffers - before < 64 * 1024 * 1024, 'no large allocation');
  }
});

t.test("the footer's checks, as RESTORE's", async (t) => {
  const p = encodeDump({ type: 'string', value: Buffer.from('hello') }, {} as EncodingLimits, { compress: true });
  t.same(decodeDump(p), { type: 'string', value: Buffer.from('hello') });
  const badCrc = Buffer.from(p);
  badCrc[badCrc.length - 1] ^= 1;
  t.throws(() => decodeDump(badCrc), new DumpFooterError());
  t.throws(() => decodeDump(badCrc), { message: 'ERR DUMP payload version or checksum are wrong' });
  const v11 = Buffer.from(p);
  v11.writeUInt16LE(11, p.length - 10);
  t.throws(() => decodeDump(v11), DumpFooterError, 'version 11');
  const v9NoCrc = Buffer.from(p);
  v9NoCrc.writeUInt16LE(9, p.length - 10);
  v9NoCrc.writeBigUInt64LE(0n, p.length - 8);
  t.same(decodeDump(v9NoCrc), { type: 'string', value: Buffer.from('hello') }, 'an older version with CRC 0 is not checked');
  t.throws(() => decodeDump(Buffer.alloc(9)), DumpFooterError, 'shorter than the footer');
  t.throws(() => decodeDump(withDumpFooter(Buffer.from([7, 1, 2, 3]))), { message: /module/ }, 'module values refused');
  t.throws(() => decodeDump(withDumpFooter(Buffer.from([42, 1]))), { message: /unknown RDB object type 42/ });
  t.throws(() => decodeDump(withDumpFooter(Buffer.from([1, 0]))), RdbEmptyValueError, 'an empty list');
  t.throws(() => decodeDump(withDumpFooter(Buffer.from([2, 2, 1, 0x61, 1, 0x61]))), { message: /duplicate set member/ });
});
