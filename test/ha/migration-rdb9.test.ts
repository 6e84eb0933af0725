// Migrating from a Redis 6.2: a full sync whose RDB is version 9 with the encodings of that era
// (quicklist of ziplists, ziplist zsets and hashes, zipmap, intset, stream type 15, LZF), served
// by a fake master written here, then a few stream commands. The same file loaded by a real
// redis-server 7.0 is the reference: DEBUG DIGEST and DBSIZE equal, and the values read back are
// what the encodings hold. Consumer groups are not: respdb has none, and it logs the XGROUP it
// could not apply.

import t from 'tap';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { RawClient, RespDecoder, replyString, formatReply } from '../support/resp-client.js';
import { startRedis, startRespdb } from '../support/servers.js';
import { digest, field, until } from '../support/replica.js';
import { crc64 } from '../../lib/rdb/crc64.js';
import { encodeIntset } from '../../lib/rdb/intset.js';
import { buildStreamNodes } from '../../lib/rdb/stream-rdb.js';
import { writeLength, writeString } from '../../lib/rdb/string.js';
import { RDB_TYPE } from '../../lib/rdb/types.js';
import { DEFAULT_ENCODING_LIMITS } from '../../lib/rdb/value.js';
import { encodeZiplist } from '../../lib/rdb/ziplist.js';
import { encodeZipmap } from '../../lib/rdb/zipmap.js';

const B = (s: string) => Buffer.from(s);
const strs = (items: Buffer[]) => Buffer.concat([writeLength(items.length), ...items.map((s) => writeString(s))]);
const u64le = (n: bigint) => {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(n);
  return b;
};
const f64le = (x: number) => {
  const b = Buffer.alloc(8);
  b.writeDoubleLE(x);
  return b;
};

const LIST = [B('a'), B('12'), B('-7'), B('300'), B('70000'), B('5000000000'), B('x'.repeat(70)), B('y'.repeat(17000)), B('')];
const ZSET: Array<[string, number]> = [['m1', -2], ['m2', 0.25], ['m3', 7]];
const HASH: Array<[Buffer, Buffer]> = [[B('f'), B('1')], [B('name'), B('value')], [B('big'), B('z'.repeat(300))]];
const STREAM = Array.from({ length: 12 }, (_, i) => ({ id: { ms: BigInt(100 + i), seq: BigInt(i % 2) }, fields: i % 4 === 3 ? [B('other'), B(String(i))] : [B('a'), B(String(i)), B('b'), B('v')] }));

/** A type 15 stream without consumer groups: nodes, length, last id, 0 groups. */
function streamV1(): Buffer {
  const nodes = buildStreamNodes(STREAM, { ...DEFAULT_ENCODING_LIMITS, streamNodeMaxEntries: 5 });
  const last = STREAM.at(-1)!.id;
  return Buffer.concat([writeLength(nodes.length), ...nodes.flatMap((n) => [writeString(n.key), writeString(n.lp)]), writeLength(STREAM.length), writeLength(last.ms), writeLength(last.seq), writeLength(0)]);
}

const EXPIRE_AT = BigInt(Date.now() + 3_600_000);

/** [db, type, key, body, expire-at] as a 6.2 redis-server writes them (and older encodings it still reads). */
const KEYS: Array<[number, number, string, Buffer, bigint?]> = [
  [0, RDB_TYPE.STRING, 'str:int', writeString(B('123456'))],
  [0, RDB_TYPE.STRING, 'str:lzf', writeString(B('ab'.repeat(100)))],
  [0, RDB_TYPE.STRING, 'str:ttl', writeString(B('expiring')), EXPIRE_AT],
  [0, RDB_TYPE.LIST_QUICKLIST, 'list:quicklist', Buffer.concat([writeLength(3), writeString(encodeZiplist(LIST.slice(0, 3))), writeString(encodeZiplist(LIST.slice(3, 7))), writeString(encodeZiplist(LIST.slice(7)))])],
  [0, RDB_TYPE.LIST_ZIPLIST, 'list:ziplist', writeString(encodeZiplist(LIST.slice(0, 5)))],
  [0, RDB_TYPE.LIST, 'list:plain', strs(LIST.slice(2, 6))],
  [0, RDB_TYPE.SET_INTSET, 'set:intset', writeString(encodeIntset([-7n, 1n, 2n, 65536n, 5000000000n]))],
  [0, RDB_TYPE.SET, 'set:strs', strs([B('a'), B('bb'), B('ccc')])],
  [0, RDB_TYPE.ZSET_ZIPLIST, 'zset:ziplist', writeString(encodeZiplist(ZSET.flatMap(([m, s]) => [B(m), B(String(s))])))],
  [0, RDB_TYPE.ZSET_2, 'zset:skiplist', Buffer.concat([writeLength(ZSET.length), ...ZSET.flatMap(([m, s]) => [writeString(B(m)), f64le(s)])]), EXPIRE_AT],
  [0, RDB_TYPE.HASH_ZIPLIST, 'hash:ziplist', writeString(encodeZiplist(HASH.flat()))],
  [0, RDB_TYPE.HASH_ZIPMAP, 'hash:zipmap', writeString(encodeZipmap(HASH))],
  [0, RDB_TYPE.HASH, 'hash:table', Buffer.concat([writeLength(HASH.length), ...HASH.flatMap(([f, v]) => [writeString(f), writeString(v)])])],
  [0, RDB_TYPE.STREAM_LISTPACKS, 'stream:v1', streamV1()],
  [4, RDB_TYPE.STRING, 'db4:str', writeString(B('four'))],
  [4, RDB_TYPE.HASH_ZIPLIST, 'db4:hash', writeString(encodeZiplist([B('k'), B('v')]))],
];

/** The whole version 9 file: header, AUX, per database SELECTDB + RESIZEDB + keys, EOF, CRC. */
function rdb9(): Buffer {
  const aux = (k: string, v: string) => Buffer.concat([Buffer.from([0xfa]), writeString(B(k)), writeString(B(v))]);
  const parts: Buffer[] = [B('REDIS0009'), aux('redis-ver', '6.2.14'), aux('redis-bits', '64'), aux('ctime', String(Math.floor(Date.now() / 1000))), aux('used-mem', '1000000'), aux('aof-preamble', '0')];
  for (const db of [...new Set(KEYS.map((k) => k[0]))]) {
    const keys = KEYS.filter((k) => k[0] === db);
    parts.push(Buffer.from([0xfe]), writeLength(db), Buffer.from([0xfb]), writeLength(keys.length), writeLength(keys.filter((k) => k[4] !== undefined).length));
    for (const [, type, key, body, at] of keys) {
      if (at !== undefined) parts.push(Buffer.from([0xfc]), u64le(at));
      parts.push(Buffer.from([type]), writeString(B(key)), body);
    }
  }
  parts.push(Buffer.from([0xff]));
  const body = Buffer.concat(parts);
  return Buffer.concat([body, u64le(crc64(body))]);
}

const resp = (...args: string[]) => Buffer.from(`*${args.length}\r\n` + args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join(''));

/** A master that answers the handshake, sends `rdb` as a `$<len>` payload, then `stream`. */
async function fakeMaster(rdb: Buffer, stream: Buffer): Promise<net.Server> {
  const server = net.createServer((s) => {
    const dec = new RespDecoder();
    s.on('error', () => {});
    s.on('data', (b: Buffer) => {
      for (const c of dec.push(b)) {
        const name = c.t === 'array' && c.v && c.v[0].t === 'bulk' && c.v[0].v ? c.v[0].v.toString().toUpperCase() : '';
        if (name === 'PING') s.write('+PONG\r\n');
        else if (name === 'REPLCONF' && formatReply(c).includes('ACK')) continue;
        else if (name === 'REPLCONF') s.write('+OK\r\n');
        else if (name === 'PSYNC') s.write(Buffer.concat([B(`+FULLRESYNC ${'9'.repeat(40)} 0\r\n$${rdb.length}\r\n`), rdb, stream]));
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return server;
}

t.test('a version 9 RDB (Redis 6.2) with ziplist-era encodings, through a full sync', async (t) => {
  const file = rdb9();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'respdb-rdb9-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  fs.writeFileSync(path.join(dir, 'dump.rdb'), file);
  const redis = await startRedis({ args: ['--enable-debug-command', 'yes', '--dir', dir, '--dbfilename', 'dump.rdb'] });
  t.teardown(() => redis.stop());
  const ref = await RawClient.connect(redis.port);
  t.teardown(() => ref.close());
  t.equal(replyString(await ref.send('INFO', 'keyspace')).includes(`db0:keys=${KEYS.filter((k) => k[0] === 0).length},`), true, 'redis-server 7.0 loaded the file');

  const stream = Buffer.concat([resp('SELECT', '0'), resp('RPUSH', 'list:quicklist', 'pushed'), resp('HSET', 'hash:zipmap', 'new', '1'), resp('XGROUP', 'CREATE', 'stream:v1', 'g1', '0'), resp('XGROUP', 'CREATE', 'stream:v1', 'g2', '$'), resp('SELECT', '4'), resp('INCR', 'db4:n')]);
  const fake = await fakeMaster(file, stream);
  t.teardown(() => fake.close());
  const respdb = await startRespdb({ shards: 2 });
  t.teardown(() => respdb.stop());
  const r = await RawClient.connect(respdb.port);
  t.teardown(() => r.close());
  await r.send('REPLICAOF', '127.0.0.1', String((fake.address() as net.AddressInfo).port));
  await until('the stream to be applied', async () => (await field(r, 'slave_repl_offset')) === String(stream.length));
  t.equal(await field(r, 'master_link_status'), 'up');
  // respdb has no consumer groups: the stream's XGROUP is not applied, and the log says so, once
  const warned = respdb.output().split('\n').filter((l) => l.includes('"command":"xgroup"'));
  t.equal(warned.length, 1, 'one warning for the XGROUPs it cannot apply');
  t.match(warned[0], /does not have: its effect is not applied/);

  // the reference: the same file and the same commands on redis-server
  await ref.pipeline([['SELECT', '0'], ['RPUSH', 'list:quicklist', 'pushed'], ['HSET', 'hash:zipmap', 'new', '1'], ['XGROUP', 'CREATE', 'stream:v1', 'g1', '0'], ['XGROUP', 'CREATE', 'stream:v1', 'g2', '$'], ['SELECT', '4'], ['INCR', 'db4:n'], ['SELECT', '0']]);
  t.equal(await digest(r), await digest(ref), 'DEBUG DIGEST equal to redis-server loading the same file');
  for (const db of ['0', '4']) {
    const size = async (c: RawClient) => formatReply((await c.pipeline([['SELECT', db], ['DBSIZE']]))[1]);
    t.equal(await size(r), await size(ref), `DBSIZE of db ${db}`);
  }
  await r.send('SELECT', '0');
  await ref.send('SELECT', '0');

  const list = async (k: string) => {
    const x = await r.send('LRANGE', k, '0', '-1');
    return x.t === 'array' && x.v ? x.v.map((e) => replyString(e)) : [];
  };
  t.same(await list('list:quicklist'), [...LIST.map(String), 'pushed'], 'quicklist of ziplists (14)');
  t.same(await list('list:ziplist'), LIST.slice(0, 5).map(String), 'ziplist list (10)');
  t.same(await list('list:plain'), LIST.slice(2, 6).map(String), 'list (1)');
  t.equal(replyString(await r.send('GET', 'str:lzf')), 'ab'.repeat(100), 'LZF string');
  t.equal(formatReply(await r.send('SMISMEMBER', 'set:intset', '-7', '5000000000', '3')), formatReply(await ref.send('SMISMEMBER', 'set:intset', '-7', '5000000000', '3')), 'intset');
  for (const k of ['zset:ziplist', 'zset:skiplist']) t.equal(formatReply(await r.send('ZRANGE', k, '0', '-1', 'WITHSCORES')), formatReply(await ref.send('ZRANGE', k, '0', '-1', 'WITHSCORES')), k);
  for (const k of ['hash:ziplist', 'hash:zipmap', 'hash:table']) t.equal(formatReply(await r.send('HGET', k, 'big')), formatReply(await ref.send('HGET', k, 'big')), `${k}: a 300-byte value`);
  t.equal(formatReply(await r.send('XRANGE', 'stream:v1', '-', '+')), formatReply(await ref.send('XRANGE', 'stream:v1', '-', '+')), 'stream (15)');
  for (const k of ['str:ttl', 'zset:skiplist']) {
    const pt = await r.send('PEXPIRETIME', k);
    t.equal(pt.t === 'int' ? BigInt(pt.v) : -1n, EXPIRE_AT, `${k}: the expiry`);
  }
});
