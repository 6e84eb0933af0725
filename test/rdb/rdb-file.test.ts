import t from 'tap';
import fs from 'node:fs';
import path from 'node:path';
import { REDIS_CASES, bulk, comparable } from './redis-cases.js';
import { startRedis } from '../support/servers.js';
import { RawClient, type Reply } from '../support/resp-client.js';
import { decodeDump } from '../../lib/rdb/dump.js';
import { RdbFileReader, type RdbFileEvent } from '../../lib/rdb/file-read.js';
import { RdbFileWriter } from '../../lib/rdb/file-write.js';
import { RdbFormatError } from '../../lib/rdb/string.js';
import { DEFAULT_ENCODING_LIMITS, type RdbKey } from '../../lib/rdb/value.js';

const OK: Reply = { t: 'simple', v: 'OK' };
const DBS = [0, 3, 15];

async function readAll(file: string, highWaterMark = 4096): Promise<{ events: RdbFileEvent[]; reader: RdbFileReader }> {
  const reader = new RdbFileReader(fs.createReadStream(file, { highWaterMark }));
  const events: RdbFileEvent[] = [];
  for await (const e of reader.events()) events.push(e);
  return { events, reader };
}

async function digest(c: RawClient): Promise<string> {
  const r = await c.send('DEBUG', 'DIGEST');
  return JSON.stringify(r);
}

t.test('dump.rdb of redis-server read completely; a file written here loads into redis-server', async (t) => {
  const redis = await startRedis({ args: ['--enable-debug-command', 'yes'] });
  t.teardown(() => redis.stop());
  const c = await RawClient.connect(redis.port);
  t.teardown(() => c.close());

  const expected = new Map<string, { value: unknown; expireAt: bigint | null }>();
  for (const db of DBS) {
    t.same(await c.send('SELECT', String(db)), OK);
    for (const cs of REDIS_CASES) {
      await c.send('CONFIG', 'SET', 'list-max-listpack-size', '-2', 'list-compress-depth', '0', 'stream-node-max-bytes', '4096', 'stream-node-max-entries', '100');
      for (const [k, v] of cs.config ?? []) await c.send('CONFIG', 'SET', k, v);
      const key = `${cs.name}@${db}`;
      for (const cmd of cs.build(key)) await c.send(...cmd);
    }
    await c.send('CONFIG', 'SET', 'list-max-listpack-size', '-2', 'list-compress-depth', '0', 'stream-node-max-bytes', '4096', 'stream-node-max-entries', '100');
    // many small keys, some expiring
    const cmds: string[][] = [];
    for (let i = 0; i < 3000; i++) cmds.push(['SET', `small:${i}`, `v${i}`]);
    for (let i = 0; i < 3000; i += 7) cmds.push(['PEXPIREAT', `small:${i}`, String(4_000_000_000_000 + i)]);
    cmds.push(['PEXPIREAT', 'list-mixed@' + db, '4100000000000']);
    await c.pipeline(cmds);
    const keys = (await c.send('KEYS', '*')) as { t: 'array'; v: Reply[] };
    for (const k of keys.v.map(bulk)) {
      const value = decodeDump(bulk(await c.send('DUMP', k)));
      const at = await c.send('PEXPIRETIME', k);
      if (at.t !== 'int') throw new Error('PEXPIRETIME: expected an integer');
      expected.set(`${db}/${k.toString('latin1')}`, { value: comparable(value), expireAt: at.v < 0n ? null : at.v });
    }
  }
  t.same(await c.send('SAVE'), OK);
  const file = path.join(redis.dir, 'dump.rdb');

  const { events, reader } = await readAll(file);
  t.equal(reader.version, 10);
  t.equal(reader.bytesRead, fs.statSync(file).size, 'every byte read, the checksum checked');
  const aux = new Map(events.flatMap((e) => (e.kind === 'aux' ? [[e.key.toString(), e.value.toString()]] : [])));
  t.equal(aux.get('redis-ver'), '7.0.15');
  t.equal(aux.get('redis-bits'), '64');
  t.same(events.filter((e) => e.kind === 'selectdb').map((e) => (e as { db: number }).db), DBS);
  const got = new Map<string, { value: unknown; expireAt: bigint | null }>();
  const keys: RdbKey[] = [];
  for (const e of events) {
    if (e.kind !== 'key') continue;
    keys.push(e.key);
    got.set(`${e.key.db}/${e.key.key.toString('latin1')}`, { value: comparable(e.key.value), expireAt: e.key.expireAt });
  }
  t.equal(got.size, expected.size, 'every key');
  let same = 0;
  for (const [k, v] of expected) {
    const g = got.get(k);
    if (g !== undefined && JSON.stringify(g, replacer) === JSON.stringify(v, replacer)) same++;
    else t.fail(`${k} differs`);
  }
  t.equal(same, expected.size, 'every key with its value and expiry');
  t.equal(events[events.length - 1].kind, 'eof');

  // written here, loaded by a redis-server started on the file
  const outDir = fs.mkdtempSync(path.join(redis.dir, 'out-'));
  const outFile = path.join(outDir, 'mine.rdb');
  const out = fs.createWriteStream(outFile, { highWaterMark: 1024 });
  const w = new RdbFileWriter(out, { limits: DEFAULT_ENCODING_LIMITS, compress: true });
  await w.begin();
  for (const db of DBS) {
    const inDb = keys.filter((k) => k.db === db);
    await w.selectDb(db, inDb.length, inDb.filter((k) => k.expireAt !== null).length);
    for (const k of inDb) await w.writeKey(k);
  }
  await w.end();
  await new Promise<void>((resolve, reject) => out.end((e?: Error | null) => (e ? reject(e) : resolve())));
  t.equal(w.bytesWritten, fs.statSync(outFile).size);
  const loaded = await startRedis({ args: ['--enable-debug-command', 'yes', '--dir', outDir, '--dbfilename', 'mine.rdb'] });
  t.teardown(() => loaded.stop());
  const c2 = await RawClient.connect(loaded.port);
  t.teardown(() => c2.close());
  t.equal(await digest(c2), await digest(c), 'DEBUG DIGEST of the loaded file is the source server\'s');
  const again = await readAll(outFile, 100_000);
  t.equal(again.events.filter((e) => e.kind === 'key').length, keys.length, 'the file written reads back');

  // damaged files
  const bytes = fs.readFileSync(file);
  const check = async (name: string, b: Buffer, re: RegExp) => {
    const p = path.join(outDir, name);
    fs.writeFileSync(p, b);
    await t.rejects(readAll(p), RdbFormatError, name);
    await t.rejects(readAll(p), { message: re }, name);
  };
  const flipped = Buffer.from(bytes);
  flipped[bytes.length - 3] ^= 0xff;
  await check('crc', flipped, /checksum/);
  await check('truncated', bytes.subarray(0, bytes.length - 5000), /end|truncated|invalid/i);
  await check('v11', Buffer.concat([Buffer.from('REDIS0011'), bytes.subarray(9)]), /version 11/);
  const noCrc = Buffer.from(bytes);
  noCrc.fill(0, bytes.length - 8);
  fs.writeFileSync(path.join(outDir, 'nocrc'), noCrc);
  t.equal((await readAll(path.join(outDir, 'nocrc'))).events.filter((e) => e.kind === 'key').length, keys.length, 'a checksum of 0 is not checked');

  // functions: refused by name
  await c.send('FUNCTION', 'LOAD', "#!lua name=lib1\nredis.register_function('f1', function() return 1 end)");
  t.same(await c.send('SAVE'), OK);
  await t.rejects(readAll(file), { message: /FUNCTION2/ }, 'functions refused');
});

function replacer(_k: string, v: unknown): unknown {
  return typeof v === 'bigint' ? `${v}n` : v;
}
