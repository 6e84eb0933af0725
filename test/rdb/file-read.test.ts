import t from 'tap';
import { Readable } from 'node:stream';
import { crc64 } from '../../lib/rdb/crc64.js';
import { RdbFileReader, type RdbFileEvent } from '../../lib/rdb/file-read.js';
import { RDB_OPCODE, RdbFileWriter } from '../../lib/rdb/file-write.js';
import { RdbFormatError, writeLength, writeString } from '../../lib/rdb/string.js';
import { DEFAULT_ENCODING_LIMITS } from '../../lib/rdb/value.js';

const B = (s: string) => Buffer.from(s, 'latin1');
const op = (...b: number[]) => Buffer.from(b);

function file(version: string, body: Buffer[], withCrc: boolean): Buffer {
  const head = Buffer.concat([B(`REDIS${version}`), ...body, op(RDB_OPCODE.EOF)]);
  if (!withCrc) return head;
  const sum = Buffer.alloc(8);
  sum.writeBigUInt64LE(crc64(head));
  return Buffer.concat([head, sum]);
}

/** The file fed one byte at a time: every item spans chunks. */
async function events(bytes: Buffer, chunk = 1): Promise<{ events: RdbFileEvent[]; reader: RdbFileReader; progress: number[] }> {
  const chunks: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += chunk) chunks.push(bytes.subarray(i, i + chunk));
  const progress: number[] = [];
  const reader = new RdbFileReader(Readable.from(chunks), { onProgress: (n) => progress.push(n) });
  const out: RdbFileEvent[] = [];
  for await (const e of reader.events()) out.push(e);
  return { events: out, reader, progress };
}

const keysOf = (evs: RdbFileEvent[]) => evs.flatMap((e) => (e.kind === 'key' ? [e.key] : []));

t.test('older versions: EXPIRETIME in seconds, IDLE, FREQ, no checksum before version 5', async (t) => {
  const expiry = Buffer.alloc(4);
  expiry.writeInt32LE(2_000_000_000);
  const ms = Buffer.alloc(8);
  ms.writeBigInt64LE(2_000_000_000_123n);
  const body = [
    op(RDB_OPCODE.SELECTDB), writeLength(4),
    op(RDB_OPCODE.EXPIRETIME), expiry, op(0), writeString(B('a')), writeString(B('1')),
    op(RDB_OPCODE.IDLE), writeLength(300), op(0), writeString(B('b')), writeString(B('hello')),
    op(RDB_OPCODE.FREQ, 7), op(RDB_OPCODE.EXPIRETIME_MS), ms, op(1), writeString(B('l')), writeLength(2), writeString(B('x')), writeString(B('y')),
    // an empty list: skipped, as Redis skips it
    op(1), writeString(B('empty')), writeLength(0),
    op(0), writeString(B('c')), writeString(B('persistent')),
  ];
  for (const [version, crc] of [['0003', false], ['0006', true]] as const) {
    const { events: evs, reader, progress } = await events(file(version, body, crc));
    const keys = keysOf(evs);
    t.same(
      keys.map((k) => [k.db, k.key.toString(), k.expireAt, k.idle, k.freq]),
      [
        [4, 'a', 2_000_000_000_000n, null, null],
        [4, 'b', null, 300n, null],
        [4, 'l', 2_000_000_000_123n, null, 7],
        [4, 'c', null, null, null],
      ],
      `version ${version}`,
    );
    t.equal(reader.emptyKeysSkipped, 1);
    t.equal(progress[progress.length - 1], file(version, body, crc).length, 'progress reaches the size');
    t.same(evs[evs.length - 1], { kind: 'eof', checksum: crc ? crc64(file(version, body, false)) : 0n });
  }
});

t.test('refused: module data, functions, unknown opcodes, later versions, bad checksums', async (t) => {
  const refuse = async (bytes: Buffer, re: RegExp, what: string) => {
    await t.rejects(events(bytes, 7), RdbFormatError, what);
    await t.rejects(events(bytes, 7), { message: re }, what);
  };
  await refuse(file('0010', [op(RDB_OPCODE.MODULE_AUX), writeLength(1)], true), /MODULE_AUX/, 'module aux');
  await refuse(file('0010', [op(RDB_OPCODE.FUNCTION2), writeString(B('#!lua name=x\n'))], true), /FUNCTION2/, 'functions');
  await refuse(file('0010', [op(0xf0)], true), /unknown RDB opcode or type 240/, 'opcode');
  await refuse(file('0010', [op(7), writeString(B('m')), writeLength(1)], true), /module/, 'module value');
  await refuse(file('0011', [], true), /version 11/, 'version');
  await refuse(B('RDB00010'), /not an RDB file/, 'magic');
  const bad = file('0010', [op(0), writeString(B('k')), writeString(B('v'))], true);
  bad[bad.length - 1] ^= 1;
  await refuse(bad, /checksum/, 'checksum');
  const cut = file('0010', [op(0), writeString(B('k')), writeString(B('v'.repeat(100)))], true);
  await refuse(cut.subarray(0, cut.length - 12), /end of data/, 'truncated');
});

t.test('the writer: IDLE and FREQ when asked, a file the reader reads back', async (t) => {
  const parts: Buffer[] = [];
  const out = new (await import('node:stream')).Writable({
    highWaterMark: 16,
    write(chunk: Buffer, _enc, cb) {
      parts.push(chunk);
      setImmediate(cb);
    },
  });
  const w = new RdbFileWriter(out, { limits: DEFAULT_ENCODING_LIMITS, compress: true, evictionInfo: 'lru', ctime: 1700000000 });
  await w.begin();
  await w.selectDb(0, 2, 1);
  await w.writeKey({ db: 0, key: B('s'), value: { type: 'string', value: B('v'.repeat(50)) }, expireAt: 1234n, idle: 9n, freq: 3 });
  await w.writeKey({ db: 0, key: B('h'), value: { type: 'hash', entries: [[B('f'), B('1')]] }, expireAt: null, idle: null, freq: null });
  await w.selectDb(9, 1, 0);
  await w.writeKey({ db: 9, key: B('z'), value: { type: 'zset', entries: [{ member: B('m'), score: 2.5 }] }, expireAt: null, idle: null, freq: null });
  await t.rejects(w.writeKey({ db: 3, key: B('x'), value: { type: 'string', value: B('') }, expireAt: null, idle: null, freq: null }), RangeError);
  await w.end();
  const bytes = Buffer.concat(parts);
  t.equal(w.bytesWritten, bytes.length);
  const { events: evs } = await events(bytes, 5);
  const aux = evs.flatMap((e) => (e.kind === 'aux' ? [`${e.key}=${e.value}`] : []));
  t.same(aux, ['redis-ver=7.0.15', 'redis-bits=64', 'ctime=1700000000', 'used-mem=0', 'aof-base=0']);
  t.same(evs.filter((e) => e.kind === 'resizedb'), [{ kind: 'resizedb', db: 0, size: 2, expires: 1 }, { kind: 'resizedb', db: 9, size: 1, expires: 0 }]);
  t.same(keysOf(evs).map((k) => [k.db, k.key.toString(), k.expireAt, k.idle]), [[0, 's', 1234n, 9n], [0, 'h', null, null], [9, 'z', null, null]]);
});
