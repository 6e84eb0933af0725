// Sorted set commands with several keys against redis-server 7.0: ZUNION / ZINTER / ZDIFF [STORE]
// and ZINTERCARD (options, weights and aggregates with inf and -0, plain sets as inputs), 1.5 kB
// keys with the multi-key commands, the shared cases in one pipeline (one batch), and with 4
// shards the cross-shard paths: atomicity of ZUNIONSTORE / ZDIFF / ZINTERCARD, ZMPOP popping
// every member exactly once; RESP2 and RESP3. Runs with 1 and 4 shards.
import t, { type Test } from 'tap';
import { pair } from '../support/servers.js';
import { RawClient, formatReply } from '../support/resp-client.js';
import { shardOf } from '../../lib/slot.js';
import { caseGroups, diffNorm, flushBoth, items, resp3Groups, text, type Cmd } from './zset-support.js';
import { withResp3 } from '../support/servers.js';
import { encodingCases, popCases, setOpCases, zaddCases } from './zset-cases.js';

/** 1.5 kB keys (stored under their hash) with the commands that take several keys. */
function longKeyCases(): Cmd[] {
  const lk = 'K'.repeat(1500);
  return [
    ['ZADD', lk, '1', 'a', '2', 'b'],
    ['ZRANGE', lk, '0', '-1', 'WITHSCORES'],
    ['RENAME', lk, lk + '2'],
    ['ZRANGE', lk + '2', '0', '-1', 'WITHSCORES'],
    ['ZADD', 'short', '3', 'c'],
    ['ZUNIONSTORE', lk, '2', lk + '2', 'short'],
    ['ZRANGE', lk, '0', '-1', 'WITHSCORES'],
    ['ZRANGESTORE', lk + '3', lk, '1', '-1'],
    ['ZRANGE', lk + '3', '0', '-1', 'WITHSCORES'],
    ['COPY', lk, 'short2'],
    ['ZSCORE', 'short2', 'a'],
    ['ZMPOP', '2', lk + '4', lk, 'MAX'],
    ['ZINTERCARD', '2', lk, lk + '3'],
    ['ZSCAN', lk, '0'],
    ['OBJECT', 'ENCODING', lk],
    ['DEL', lk, lk + '2', lk + '3'],
  ];
}

// ------------------------------------------------------------------------------------------------
// Cross-shard atomicity
// ------------------------------------------------------------------------------------------------

async function atomicity(t: Test, port: number): Promise<void> {
  const [w, r1, r2] = await Promise.all([RawClient.connect(port), RawClient.connect(port), RawClient.connect(port)]);
  try {
    const [k1, k2] = ['at1', 'at2'];
    t.not(shardOf(Buffer.from(k1), 4), shardOf(Buffer.from(k2), 4), 'the keys are on different shards');
    await w.send('DEL', k1, k2);
    // The writer grows k1 and copies it to k2 (cross-shard): k2 is always a subset of k1, which
    // only a torn read of the two could contradict.
    const rounds = 300;
    const writes: Cmd[] = [];
    for (let i = 0; i < rounds; i++) writes.push(['ZADD', k1, String(i), `m${i}`], ['ZUNIONSTORE', k2, '1', k1]);
    const reads: Cmd[] = Array.from({ length: rounds }, () => ['ZDIFF', '2', k2, k1]);
    const cards: Cmd[] = Array.from({ length: rounds }, () => ['ZINTERCARD', '2', k2, k1]);
    const [, rr, rc] = await Promise.all([w.pipeline(writes), r1.pipeline(reads), r2.pipeline(cards)]);
    t.equal(rr.filter((x) => items(x).length !== 0).length, 0, 'ZDIFF across shards never sees half of a ZUNIONSTORE');
    let last = -1n;
    let mono = true;
    for (const x of rc) {
      if (x.t !== 'int' || x.v < last) mono = false;
      else last = x.v;
    }
    t.ok(mono, 'ZINTERCARD across shards only grows');
    // Two clients pop across both shards at once: every member exactly once.
    await w.send('DEL', k2);
    await w.send('ZADD', k2, ...Array.from({ length: 150 }, (_, i) => [String(i), `n${i}`]).flat());
    const total = 450;
    const pa: Cmd[] = Array.from({ length: 250 }, () => ['ZMPOP', '2', k1, k2, 'MIN']);
    const pb: Cmd[] = Array.from({ length: 250 }, () => ['ZMPOP', '2', k2, k1, 'MAX']);
    const [ra, rb] = await Promise.all([r1.pipeline(pa), r2.pipeline(pb)]);
    const popped: string[] = [];
    for (const x of [...ra, ...rb]) {
      if (x.t === 'array' && x.v) for (const pr of items(x.v[1])) popped.push(`${text(x.v[0])}:${text(items(pr)[0])}`);
    }
    t.equal(popped.length, total, 'every member popped');
    t.equal(new Set(popped).size, total, 'no member popped twice');
    t.equal(formatReply(await w.send('EXISTS', k1, k2)), '(integer) 0', 'both sets emptied and deleted');
  } finally {
    await Promise.all([w.close(), r1.close(), r2.close()]);
  }
}

// ------------------------------------------------------------------------------------------------

for (const shards of [1, 4]) {
  t.test(`sorted set multi-key commands vs redis-server, ${shards} shard(s)`, async (t) => {
    const p = await pair(t, { shards });
    if (shards === 4) {
      const abc = new Set(['a', 'b', 'c'].map((k) => shardOf(Buffer.from(k), 4)));
      t.equal(abc.size, 3, 'a, b, c are on three different shards');
    }
    await caseGroups(t, p, [
      ['ZUNION ZINTER ZDIFF [STORE] ZINTERCARD (sets as inputs)', setOpCases],
      ['1.5 kB keys', longKeyCases],
    ]);
    await t.test('pipelined (one batch)', async (t) => {
      await flushBoth(p);
      t.equal(await diffNorm(p, [...zaddCases(), ...setOpCases(), ...popCases(), ...encodingCases()]), null, 'the same commands in one pipeline');
    });
    if (shards === 4) await t.test('cross-shard atomicity', (t) => atomicity(t, p.respdbPort));
    await t.test('RESP3', (t) => withResp3(p, (q) => resp3Groups(t, q, [setOpCases])));
  });
}
