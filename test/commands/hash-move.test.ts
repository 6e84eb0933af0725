// RENAME / RENAMENX / COPY / MOVE of hashes against redis-server, within a shard and across
// shards (TTLs, REPLACE, DB, encodings, more fields than one copy slice), and the atomicity of a
// cross-shard RENAME seen by a concurrent client. Run with 1 and 4 shards.
import t, { type Test } from 'tap';
import { pair, type Pair } from '../support/servers.js';
import { RawClient, formatReply } from '../support/resp-client.js';
import { spread } from '../support/keys.js';
import { shardOf } from '../../lib/slot.js';
import { type Cmd, L65, check, fillCmd } from './hash-cases.js';

/**
 * RENAME / RENAMENX / COPY / MOVE of hashes between keys `a`, `b`, `c` (on shards chosen by the
 * caller: the same or different ones), with TTLs, REPLACE, DB and encodings.
 */
function moveCases(a: string, b: string, c: string): Cmd[] {
  return [
    ['SELECT', '0'],
    ['DEL', a, b, c],
    ['HSET', a, 'f', '1', 'g', '2', 'long', L65],
    ['PEXPIRE', a, '100000000'],
    ['RENAME', a, b],
    ['EXISTS', a],
    ['HGETALL', b],
    ['TTL', b],
    ['OBJECT', 'ENCODING', b],
    ['COPY', b, c],
    ['TTL', c],
    ['HGETALL', c],
    ['OBJECT', 'ENCODING', c],
    ['HSET', b, 'f', 'changed'],
    ['HGET', c, 'f'],
    ['HDEL', c, 'g'],
    ['HGETALL', b],
    ['COPY', b, c],
    ['COPY', b, c, 'REPLACE'],
    ['HGETALL', c],
    ['SET', a, 'string'],
    ['COPY', b, a, 'REPLACE'],
    ['TYPE', a],
    ['HGETALL', a],
    ['RENAMENX', a, c],
    ['DEL', c],
    ['RENAMENX', a, c],
    ['HGETALL', c],
    ['SET', a, 's'],
    ['RENAME', c, a],
    ['TYPE', a],
    ['HLEN', a],
    ['PERSIST', a],
    ['TTL', a],
    ['HSET', c, 'x', 'y'],
    ['RENAME', c, a],
    ['HGETALL', a],
    ['COPY', a, c, 'DB', '1'],
    ['COPY', a, c, 'DB', '1'],
    ['COPY', a, c, 'DB', '1', 'REPLACE'],
    ['MOVE', b, '1'],
    ['EXISTS', b],
    ['SELECT', '1'],
    ['HGETALL', c],
    ['HGETALL', b],
    ['TTL', b],
    ['OBJECT', 'ENCODING', b],
    ['MOVE', b, '0'],
    ['MOVE', c, '0'],
    ['HGETALL', c],
    ['DEL', c],
    ['SELECT', '0'],
    ['HGETALL', b],
    ['RENAME', b, b],
    ['HGETALL', b],
    ['COPY', b, b],
    ['DEL', a, b, c],
    ['HSET', a, 'small', '1'],
    ['COPY', a, b],
    ['OBJECT', 'ENCODING', b],
    ['RENAME', b, c],
    ['OBJECT', 'ENCODING', c],
    ['HGETALL', c],
    ['DEL', a, b, c],
    // more fields than one copy slice (1024)
    fillCmd(a, 1500),
    ['HDEL', a, 'f0'],
    ['RENAME', a, b],
    ['HLEN', b],
    ['OBJECT', 'ENCODING', b],
    ['HGETALL', b],
    ['COPY', b, c],
    ['HDEL', c, ...Array.from({ length: 590 }, (_, i) => `f${i + 1}`)],
    ['OBJECT', 'ENCODING', c],
    ['HGETALL', c],
    ['HLEN', b],
    ['DEL', a, b, c],
  ];
}

/** Cross-shard RENAME back and forth while another client checks that exactly one name exists. */
async function renameAtomic(t: Test, p: Pair, a: string, b: string): Promise<void> {
  const [w, r] = await Promise.all([RawClient.connect(p.respdbPort), RawClient.connect(p.respdbPort)]);
  try {
    await w.send('DEL', a, b);
    await w.send('HSET', a, 'f', '1', 'g', '2');
    const rounds = 200;
    const writes: Cmd[] = Array.from({ length: rounds }, (_, i) => (i % 2 ? ['RENAME', b, a] : ['RENAME', a, b]));
    const checks: Cmd[] = Array.from({ length: rounds }, () => ['EXISTS', a, b]);
    const [wr, cr] = await Promise.all([w.pipeline(writes), r.pipeline(checks)]);
    t.equal(wr.filter((x) => formatReply(x) !== '+"OK"').length, 0, 'every RENAME succeeded');
    t.equal(cr.filter((x) => formatReply(x) !== '(integer) 1').length, 0, 'a concurrent EXISTS always sees exactly one of the two names');
    t.equal(formatReply(await w.send('HLEN', a)), '(integer) 2', 'the hash is intact after 200 moves');
    await w.send('DEL', a, b);
  } finally {
    await Promise.all([w.close(), r.close()]);
  }
}

for (const shards of [1, 4]) {
  t.test(`hash RENAME COPY MOVE vs redis-server, ${shards} shard(s)`, async (t) => {
    const p = await pair(t, { shards });
    const [ka, kb, kc] = spread('mv', 3, 4);
    if (shards === 4) {
      const s = new Set([ka, kb, kc].map((k) => shardOf(Buffer.from(k), 4)));
      t.equal(s.size, 3, 'the RENAME/COPY keys are on three different shards');
    }
    await t.test('RENAME COPY MOVE across shards', (t) => check(t, p, moveCases(ka, kb, kc)));
    await t.test('RENAME COPY MOVE within a shard', (t) => check(t, p, moveCases('{m}a', '{m}b', '{m}c')));
    await t.test('RENAME of a hash is atomic across shards', (t) => renameAtomic(t, p, ka, kb));
  });
}
