// MEMORY against redis-server: HELP, COMMAND INFO, the errors of USAGE, STATS' fields in Redis's
// order, DOCTOR's report on an empty instance, PURGE; USAGE's figures (stored bytes: growing with
// the value, SAMPLES 0 exact, sampling close to it) and `redis-cli --memkeys` run against respdb.
import t from 'tap';
import { pair, redisCli } from '../support/servers.js';
import { formatReply, type Reply } from '../support/resp-client.js';
import { infoSorted } from '../support/command-docs.js';
import { replyText } from '../support/command-docs.js';

/** The field names of a MEMORY STATS reply (flat array or map), with db.N's inner names. */
function statsFields(r: Reply): string[] {
  const pairs: Array<[Reply, Reply]> = r.t === 'map' ? r.v : r.t === 'array' && r.v ? r.v.flatMap((x, i, a) => (i % 2 ? [] : [[x, a[i + 1]] as [Reply, Reply]])) : [];
  const out: string[] = [];
  for (const [k, v] of pairs) {
    const name = replyText(k);
    out.push(`${name}:${v.t === 'array' || v.t === 'map' ? `{${statsFields(v).join(',')}}` : v.t}`);
  }
  return out;
}

const intOf = (r: Reply): number => {
  if (r.t !== 'int') throw new Error('not an integer: ' + formatReply(r));
  return Number(r.v);
};

t.test('MEMORY as redis-server answers it', async (t) => {
  const p = await pair(t, { shards: 2 });
  const same = async (args: string[], what = args.join(' ')) => t.equal(formatReply(await p.respdb.send(...args)), formatReply(await p.redis.send(...args)), what);
  await same(['MEMORY', 'HELP']);
  for (const n of ['memory', 'memory|usage', 'memory|stats', 'memory|doctor', 'memory|purge', 'memory|malloc-stats', 'memory|help']) {
    t.equal(infoSorted(await p.respdb.send('COMMAND', 'INFO', n)), infoSorted(await p.redis.send('COMMAND', 'INFO', n)), `COMMAND INFO ${n}`);
  }
  t.same(formatReply(await p.respdb.send('COMMAND', 'GETKEYS', 'MEMORY', 'USAGE', 'k', 'SAMPLES', '3')), formatReply(await p.redis.send('COMMAND', 'GETKEYS', 'MEMORY', 'USAGE', 'k', 'SAMPLES', '3')));
  await same(['MEMORY', 'DOCTOR'], 'DOCTOR on an empty instance');
  await same(['MEMORY', 'PURGE']);
  await same(['MEMORY', 'FOO']);
  await same(['MEMORY', 'USAGE']);
  await same(['MEMORY', 'USAGE', 'missing']);
  for (const c of ['SET', 'HSET'] as const) {
    if (c === 'SET') {
      await p.redis.send('SET', 'k', 'v');
      await p.respdb.send('SET', 'k', 'v');
    }
    await same(['MEMORY', 'USAGE', 'k', 'SAMPLES']);
    await same(['MEMORY', 'USAGE', 'k', 'SAMPLES', '-1']);
    await same(['MEMORY', 'USAGE', 'k', 'SAMPLES', 'x']);
    await same(['MEMORY', 'USAGE', 'k', 'BLA', '1']);
    await same(['MEMORY', 'USAGE', 'k', 'SAMPLES', '1', 'SAMPLES']);
  }
  await same(['MEMORY', 'USAGE', 'missing', 'SAMPLES', 'x'], 'options are checked before the key');
  await p.redis.send('HSET', 'h', 'a', '1');
  await p.respdb.send('HSET', 'h', 'a', '1');
  t.same(statsFields(await p.respdb.send('MEMORY', 'STATS')), statsFields(await p.redis.send('MEMORY', 'STATS')), 'STATS: the fields, their order and reply types');
  const r3 = await p.respdb.send('HELLO', '3');
  t.equal(r3.t, 'map');
  await p.redis.send('HELLO', '3');
  t.same(statsFields(await p.respdb.send('MEMORY', 'STATS')), statsFields(await p.redis.send('MEMORY', 'STATS')), 'STATS in RESP3');
  const doctor = await p.respdb.send('MEMORY', 'DOCTOR');
  t.equal(doctor.t, (await p.redis.send('MEMORY', 'DOCTOR')).t, 'DOCTOR is verbatim text in RESP3');
  t.match(replyText(doctor), /^Hi Sam, I can't find any memory issue/);
  const malloc = await p.respdb.send('MEMORY', 'MALLOC-STATS');
  t.match(replyText(malloc), /^___ Begin V8 heap statistics ___\ntotal_heap_size: \d+\n/);
});

t.test('MEMORY USAGE figures and redis-cli --memkeys', async (t) => {
  const p = await pair(t, { shards: 2 });
  const d = p.respdb;
  await d.send('SET', 's', 'x'.repeat(10));
  await d.send('SET', 's2', 'x'.repeat(1000));
  const small = intOf(await d.send('MEMORY', 'USAGE', 's'));
  const big = intOf(await d.send('MEMORY', 'USAGE', 's2'));
  t.ok(small > 10 && big - small === 991, `strings: the record's bytes, key and value (1 + 990 bytes more) (${small}, ${big})`);
  const fields: string[] = [];
  for (let i = 0; i < 300; i++) fields.push(`field${i}`, 'v'.repeat(i % 20));
  await d.send('HSET', 'h', ...fields);
  await d.send('ZADD', 'z', ...Array.from({ length: 300 }, (_, i) => [String(i), `member${i}`]).flat());
  await d.send('SADD', 'set', ...Array.from({ length: 300 }, (_, i) => `m${i}`));
  await d.send('RPUSH', 'l', ...Array.from({ length: 3000 }, (_, i) => `element${i}`));
  await d.send('XADD', 'x', '1-1', 'f', 'v');
  for (const k of ['h', 'z', 'set', 'l']) {
    const exact = intOf(await d.send('MEMORY', 'USAGE', k, 'SAMPLES', '0'));
    const sampled = intOf(await d.send('MEMORY', 'USAGE', k));
    const all = intOf(await d.send('MEMORY', 'USAGE', k, 'SAMPLES', '100000'));
    t.equal(all, exact, `${k}: SAMPLES above the size is exact`);
    t.ok(exact > 300 * 8 && Math.abs(sampled - exact) / exact < 0.5, `${k}: ${exact} bytes, sampled ${sampled}`);
  }
  t.ok(intOf(await d.send('MEMORY', 'USAGE', 'z', 'SAMPLES', '0')) > intOf(await d.send('MEMORY', 'USAGE', 'set', 'SAMPLES', '0')) - 2000, 'a sorted set pays its score index');
  const cli = await redisCli(p.respdbPort, ['--memkeys'], undefined, { timeoutMs: 20000 });
  t.equal(cli.code, 0, cli.stderr);
  t.match(cli.stdout, /Sampled 7 keys in the keyspace!/);
  t.match(cli.stdout, /Biggest\s+list found '"l"' has \d+ bytes/);
  t.match(cli.stdout, /Biggest\s+zset found '"z"'/);
  t.match(cli.stdout, /1 streams with \d+ bytes/);
});
