// Pattern subscriptions and PUBSUB CHANNELS with random glob patterns over binary channel names,
// against redis-server 7.0: for each channel a publish reaches the same number of receivers, and
// PUBSUB CHANNELS / SHARDCHANNELS <pattern> list the same channels.
import t from 'tap';
import fc from 'fast-check';
import { startRedis, startRespdb } from '../support/servers.js';
import { RawClient, canonicalize, formatReply } from '../support/resp-client.js';

// a small alphabet, so patterns and names hit the glob's corners (classes, ranges, escapes) often
const patChar = fc.constantFrom(...'ab*?[]^-\\A'.split(''), '\xff', '\x00');
const nameChar = fc.constantFrom(...'abA]^-\\*?['.split(''), '\xff', '\x80', '\x00');
const B = (chars: string[]): Buffer => Buffer.from(chars.join(''), 'latin1');

t.test('random patterns and channels agree with redis-server', async (t) => {
  const [redis, respdb] = await Promise.all([startRedis(), startRespdb({ shards: 2 })]);
  t.teardown(() => Promise.all([redis.stop(), respdb.stop()]));
  const servers = await Promise.all(
    [redis.port, respdb.port].map(async (port) => ({
      channels: await RawClient.connect(port),
      patterns: await RawClient.connect(port),
      shard: await RawClient.connect(port),
      q: await RawClient.connect(port),
    })),
  );
  t.teardown(() => Promise.all(servers.flatMap((s) => [s.channels, s.patterns, s.shard, s.q].map((c) => c.close()))));

  const names = fc.sample(fc.array(nameChar, { minLength: 0, maxLength: 6 }), { numRuns: 150, seed: 7 }).map(B);
  const patterns = fc.sample(fc.array(patChar, { minLength: 1, maxLength: 6 }), { numRuns: 60, seed: 11 }).map(B);
  // subscriptions on both servers, each client reading its confirmations
  for (const s of servers) {
    await s.channels.send('SUBSCRIBE', ...names);
    for (let i = 1; i < names.length; i++) await s.channels.readReply();
    await s.shard.send('SSUBSCRIBE', ...names);
    for (let i = 1; i < names.length; i++) await s.shard.readReply();
    await s.patterns.send('PSUBSCRIBE', ...patterns);
    for (let i = 1; i < patterns.length; i++) await s.patterns.readReply();
  }
  const both = async (...cmd: (string | Buffer)[]): Promise<[string, string]> =>
    [await servers[0].q.send(...cmd), await servers[1].q.send(...cmd)].map((r) => formatReply(canonicalize(r, { unordered: true }))) as [string, string];

  let compared = 0;
  const mismatch: string[] = [];
  for (const ch of [...names, ...fc.sample(fc.array(nameChar, { maxLength: 6 }), { numRuns: 100, seed: 3 }).map(B)]) {
    const [want, got] = await both('PUBLISH', ch, 'm');
    compared++;
    if (want !== got) mismatch.push(`PUBLISH ${JSON.stringify(ch.toString('latin1'))}: redis ${want}, respdb ${got}`);
  }
  await fc.assert(
    fc.asyncProperty(fc.array(patChar, { maxLength: 7 }), fc.boolean(), async (p, shard) => {
      const [want, got] = await both('PUBSUB', shard ? 'SHARDCHANNELS' : 'CHANNELS', B(p));
      compared++;
      if (want !== got) mismatch.push(`PUBSUB CHANNELS ${JSON.stringify(p.join(''))}: redis ${want}, respdb ${got}`);
      return want === got;
    }),
    { numRuns: 300, seed: 5 },
  );
  t.same(mismatch, [], `${compared} publishes and listings agree`);
  const [want, got] = await both('PUBSUB', 'NUMPAT');
  t.equal(got, want, 'PUBSUB NUMPAT');
});
