// MGET, MSET and MSETNX against redis-server 7.0, with their keys on one shard and across shards
// (scatter for MGET/MSET, the coordinator's locks for MSETNX), and the atomicity of cross-shard
// MSETNX and MSET under concurrent clients. Run with 1 and 4 shards.
import t, { type Test } from 'tap';
import { diff, pair, pipelineDiff } from '../support/servers.js';
import { RawClient, formatReply, type Reply } from '../support/resp-client.js';
import { shardOf } from '../../lib/slot.js';

type Cmd = (string | Buffer)[];

/** "SET k v" -> ['SET', 'k', 'v'] (no empty or spaced arguments; use arrays for those). */
const c = (s: string): Cmd => s.split(' ');
const cs = (...lines: string[]): Cmd[] => lines.map(c);

/** The elements of an array reply (throws on anything else). */
function items(r: Reply): Reply[] {
  if (r.t !== 'array' || r.v === null) throw new Error(`expected an array reply, got ${formatReply(r)}`);
  return r.v;
}

/** A bulk reply as text, '-' for nil. */
function text(r: Reply): string {
  return r.t === 'bulk' && r.v ? r.v.toString('latin1') : '-';
}

function multiCases(): Cmd[] {
  return cs(
    // k0..k3 live on four different shards when there are 4
    'MSET k0 a k1 b k2 c k3 d',
    'MGET k0 k1 k2 k3 nokey',
    'MGET k3 k2 k1 k0 k3 k0',
    'MGET nokey',
    'MGET k0',
    'MSET k0 1 k0 2',
    'GET k0',
    'MSET k0 x k1 y k0 z',
    'MGET k0 k1',
    'MSET {t}a 1 {t}b 2',
    'MGET {t}a {t}b {t}c',
    'MSET k0',
    'MSET k0 1 k1',
    'MSET k0 1 k1 2 k2',
    'MSET',
    'MGET',
    'MGET k0 k1',
    'MSETNX k0 x k4 y',
    'EXISTS k4',
    'MSETNX k4 y k0 x',
    'EXISTS k4',
    'MSETNX m0 1 m1 2 m2 3 m3 4',
    'MGET m0 m1 m2 m3',
    'MSETNX m0 9 m4 9',
    'MGET m0 m4',
    'MSETNX m9 1 m9 2',
    'GET m9',
    'MSETNX m5',
    'MSETNX m5 1 m6',
    'MSETNX',
    'EXISTS m5 m6',
    'MSETNX {u}a 1 {u}b 2',
    'MSETNX {u}a 1 {u}c 2',
    'MGET {u}a {u}b {u}c',
  );
}

// ------------------------------------------------------------------------------------------------
// Cross-shard atomicity of MSETNX (and MSET/MGET consistency)
// ------------------------------------------------------------------------------------------------

async function msetnxAtomic(t: Test, port: number): Promise<void> {
  const [a, b, reader] = await Promise.all([RawClient.connect(port), RawClient.connect(port), RawClient.connect(port)]);
  try {
    const rounds = 200;
    const keys = (i: number) => [`at:${i}:x`, `at:${i}:y`, `at:${i}:z`, `at:${i}:w`];
    const spans = new Set(keys(0).map((k) => shardOf(Buffer.from(k), 4)));
    t.ok(spans.size >= 2, 'the MSETNX keys span several shards (with 4)');
    const ca: Cmd[] = [];
    const cb: Cmd[] = [];
    const cr: Cmd[] = [];
    for (let i = 0; i < rounds; i++) {
      const k = keys(i);
      ca.push(['MSETNX', k[0], 'A', k[1], 'A', k[2], 'A', k[3], 'A']);
      cb.push(['MSETNX', k[3], 'B', k[2], 'B', k[1], 'B', k[0], 'B']);
      cr.push(['MGET', ...k]);
    }
    const [ra, rb, rr] = await Promise.all([a.pipeline(ca), b.pipeline(cb), reader.pipeline(cr)]);
    let bad = 0;
    for (let i = 0; i < rounds; i++) {
      const wa = formatReply(ra[i]) === '(integer) 1';
      const wb = formatReply(rb[i]) === '(integer) 1';
      if (wa === wb) bad++;
      const seen = items(rr[i]).map(text);
      if (new Set(seen).size !== 1) bad++;
    }
    const final = await a.pipeline(Array.from({ length: rounds }, (_, i) => ['MGET', ...keys(i)]));
    for (const f of final) {
      const seen = items(f).map(text);
      if (new Set(seen).size !== 1 || seen[0] === '-') bad++;
    }
    t.equal(bad, 0, 'concurrent MSETNX: exactly one wins each round, never a mix, readers never see half of one');

    // MSET across shards is seen whole or not at all by a concurrent MGET.
    const mk = ['ms:x', 'ms:y', 'ms:z', 'ms:w'];
    const writes: Cmd[] = Array.from({ length: rounds }, (_, i) => ['MSET', ...mk.flatMap((k) => [k, String(i)])]);
    const reads: Cmd[] = Array.from({ length: rounds }, () => ['MGET', ...mk]);
    const [, seenAll] = await Promise.all([a.pipeline(writes), reader.pipeline(reads)]);
    const torn = seenAll.filter((r) => new Set(items(r).map(text)).size !== 1).length;
    t.equal(torn, 0, 'concurrent MSET/MGET across shards: no torn reads');
    await a.send('DEL', ...mk);
    await a.send('DEL', ...Array.from({ length: rounds }, (_, i) => keys(i)).flat());
  } finally {
    await Promise.all([a.close(), b.close(), reader.close()]);
  }
}


// ------------------------------------------------------------------------------------------------

for (const shards of [1, 4]) {
  t.test(`MGET MSET MSETNX vs redis-server, ${shards} shard(s)`, async (t) => {
    const p = await pair(t, { shards });
    if (shards === 4) {
      const s = new Set(['k0', 'k1', 'k2', 'k3'].map((k) => shardOf(Buffer.from(k), 4)));
      t.equal(s.size, 4, 'k0..k3 are on four different shards');
    }
    await t.test('MGET MSET MSETNX', async (t) => void (await diff(t, p, multiCases())));
    await t.test('pipelined (one batch)', async (t) => {
      t.equal(await pipelineDiff(p, [...cs('FLUSHALL'), ...multiCases()]), null, 'the same commands in one pipeline');
    });
    await t.test('MSETNX atomic across shards', (t) => msetnxAtomic(t, p.respdbPort));
  });
}
