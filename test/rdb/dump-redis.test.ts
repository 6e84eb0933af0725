import t from 'tap';
import { REDIS_CASES, bulk, comparable } from './redis-cases.js';
import { startRedis } from '../support/servers.js';
import { RawClient, type Reply } from '../support/resp-client.js';
import { decodeDump, encodeDump } from '../../lib/rdb/dump.js';
import { DEFAULT_ENCODING_LIMITS, type EncodingLimits } from '../../lib/rdb/value.js';

const CONFIG_FIELDS: Record<string, keyof EncodingLimits> = {
  'list-max-listpack-size': 'listMaxListpackSize',
  'list-compress-depth': 'listCompressDepth',
  'stream-node-max-bytes': 'streamNodeMaxBytes',
  'stream-node-max-entries': 'streamNodeMaxEntries',
};

function flatEntries(r: Reply): Array<{ id: string; fields: Buffer[] }> {
  if (r.t !== 'array' || r.v === null) throw new Error('expected an array');
  return r.v.map((e) => {
    if (e.t !== 'array' || e.v === null) throw new Error('expected an entry');
    const [id, fields] = e.v;
    if (fields.t !== 'array' || fields.v === null) throw new Error('expected fields');
    return { id: bulk(id).toString(), fields: fields.v.map(bulk) };
  });
}

t.test('DUMP payloads of redis-server: read, written back byte for byte, restored', async (t) => {
  const redis = await startRedis({ args: ['--enable-debug-command', 'yes'] });
  t.teardown(() => redis.stop());
  const c = await RawClient.connect(redis.port);
  t.teardown(() => c.close());
  for (const cs of REDIS_CASES) {
    await c.send('FLUSHALL');
    const limits = { ...DEFAULT_ENCODING_LIMITS };
    await c.send('CONFIG', 'SET', 'list-max-listpack-size', '-2', 'list-compress-depth', '0', 'stream-node-max-bytes', '4096', 'stream-node-max-entries', '100');
    for (const [k, v] of cs.config ?? []) {
      await c.send('CONFIG', 'SET', k, v);
      (limits as unknown as Record<string, number>)[CONFIG_FIELDS[k]] = Number(v);
    }
    for (const cmd of cs.build(cs.name)) {
      const r = await c.send(...cmd);
      if (r.t === 'error') throw new Error(`${cs.name}: ${r.v}`);
    }
    const dumped = bulk(await c.send('DUMP', cs.name));
    const value = decodeDump(dumped);
    if (cs.expect) t.same(comparable(value), comparable(cs.expect), `${cs.name}: decodes to the value built`);
    if (value.type === 'stream') {
      const entries = flatEntries(await c.send('XRANGE', cs.name, '-', '+'));
      t.same(value.entries.map((e) => ({ id: `${e.id.ms}-${e.id.seq}`, fields: e.fields })), entries, `${cs.name}: entries as XRANGE`);
    }
    const mine = encodeDump(value, limits, { compress: true });
    if (cs.byteEqual) t.ok(mine.equals(dumped), `${cs.name}: encodeDump is DUMP's bytes`);
    t.same(await c.send('RESTORE', `${cs.name}:mine`, '0', mine), { t: 'simple', v: 'OK' }, `${cs.name}: RESTOREd`);
    const digests = await c.send('DEBUG', 'DIGEST-VALUE', cs.name, `${cs.name}:mine`);
    t.ok(digests.t === 'array' && digests.v !== null && digests.v.length === 2 && JSON.stringify(digests.v[0]) === JSON.stringify(digests.v[1]), `${cs.name}: same DIGEST-VALUE`);
  }
  // rdbcompression no: nothing LZF-compressed
  await c.send('CONFIG', 'SET', 'rdbcompression', 'no');
  await c.send('SET', 'plain', 'abc'.repeat(100));
  await c.send('HSET', 'plainhash', 'f', 'v'.repeat(50));
  for (const k of ['plain', 'plainhash']) {
    const dumped = bulk(await c.send('DUMP', k));
    t.ok(encodeDump(decodeDump(dumped), DEFAULT_ENCODING_LIMITS, { compress: false }).equals(dumped), `${k}: rdbcompression no`);
  }
});
