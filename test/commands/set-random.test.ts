// The set commands with random replies, by their properties (respdb alone, except where redis-server's
// replies are compared): SRANDMEMBER and SPOP counts, membership, distinctness, every member reached,
// popped + remaining = the set, encodings after SPOP rebuilds the rest, draws spread over the set;
// SSCAN walks over hashtables (every member once, also with members added and removed meanwhile).
// Run with 1 and 4 shards.
import t, { type Test } from 'tap';
import { pair, type Pair } from '../support/servers.js';
import type { RawClient } from '../support/resp-client.js';
import { items, range, sorted, text, texts } from './set-support.js';


/** SRANDMEMBER / SPOP on a set of `size` members `member:i`: counts, membership, distinctness, the rest. */
async function bigSet(t: Test, cl: RawClient, key: string, size: number, minDistinct: number): Promise<void> {
  const members = range(1, size).map((i) => `member:${i}`);
  await cl.send('DEL', key);
  await cl.pipeline(Array.from({ length: Math.ceil(size / 5000) }, (_, i) => ['SADD', key, ...members.slice(i * 5000, (i + 1) * 5000)]));
  const inSet = new Set(members);
  const L = `${size} members`;
  t.equal(text(await cl.send('SCARD', key)), String(size), `${L}: SCARD`);
  const singles = (await cl.pipeline(Array.from({ length: 300 }, () => ['SRANDMEMBER', key]))).map(text);
  t.ok(singles.every((m) => inSet.has(m)), `${L}: SRANDMEMBER gives members`);
  t.ok(new Set(singles).size > minDistinct, `${L}: 300 single draws give many different members (${new Set(singles).size})`);
  for (const n of [10, 500, size - 1, size, size + 10]) {
    const r = texts(await cl.send('SRANDMEMBER', key, String(n)));
    t.equal(r.length, Math.min(n, size), `${L}: SRANDMEMBER ${n} count`);
    t.equal(new Set(r).size, r.length, `${L}: SRANDMEMBER ${n} distinct`);
    t.ok(r.every((m) => inSet.has(m)), `${L}: SRANDMEMBER ${n} members`);
  }
  const neg = texts(await cl.send('SRANDMEMBER', key, '-200'));
  t.equal(neg.length, 200, `${L}: SRANDMEMBER -200 count`);
  t.ok(neg.every((m) => inSet.has(m)), `${L}: SRANDMEMBER -200 members`);
  const tooMany = await cl.send('SRANDMEMBER', key, '-9223372036854775807');
  t.match(text(tooMany), /^ERR SRANDMEMBER count is too large/, `${L}: an impossible SRANDMEMBER reply is refused (Redis runs out of memory)`);
  const bp = texts(await cl.send('SPOP', key, '100'));
  const b1 = text(await cl.send('SPOP', key));
  t.equal(new Set([...bp, b1]).size, 101, `${L}: SPOP 100 + SPOP: 101 distinct members`);
  t.ok([...bp, b1].every((m) => inSet.has(m)), `${L}: popped members were members`);
  t.equal(text(await cl.send('SCARD', key)), String(size - 101), `${L}: SCARD after popping 101`);
  const still = await cl.send('SMISMEMBER', key, ...bp, b1);
  t.ok(items(still).every((r) => text(r) === '0'), `${L}: popped members are gone`);
  const rest = texts(await cl.send('SMEMBERS', key));
  t.same(sorted([...rest, ...bp, b1]), sorted(members), `${L}: popped + remaining = the original set`);
}

async function randomProperties(t: Test, p: Pair, huge: boolean): Promise<void> {
  const cl = p.respdb;
  // Small sets: exact sampling; every member shows up.
  await cl.send('DEL', 'rp', 'rb');
  await cl.send('SADD', 'rp', 'a', 'b', 'c');
  const draws = await cl.pipeline(Array.from({ length: 200 }, () => ['SRANDMEMBER', 'rp']));
  t.same(sorted([...new Set(draws.map(text))]), ['a', 'b', 'c'], 'SRANDMEMBER on a 3-member set returns every member over 200 draws');
  const neg = texts(await cl.send('SRANDMEMBER', 'rp', '-300'));
  t.equal(neg.length, 300, 'SRANDMEMBER -300: 300 members');
  t.same(sorted([...new Set(neg)]), ['a', 'b', 'c'], 'SRANDMEMBER -300: only members, each of them');
  for (const n of [1, 2]) {
    const r = texts(await cl.send('SRANDMEMBER', 'rp', String(n)));
    t.equal(new Set(r).size, n, `SRANDMEMBER ${n}: ${n} distinct members`);
    t.ok(r.every((m) => ['a', 'b', 'c'].includes(m)), `SRANDMEMBER ${n}: members of the set`);
  }
  t.equal(text(await cl.send('SCARD', 'rp')), '3', 'SRANDMEMBER does not change the set');
  const counts = new Map<string, number>();
  for (const m of texts(await cl.send('SRANDMEMBER', 'rp', '-3000'))) counts.set(m, (counts.get(m) ?? 0) + 1);
  t.ok([...counts.values()].every((n) => n > 850 && n < 1150), `SRANDMEMBER -3000 on 3 members: about 1000 each (${[...counts.values()]})`);

  // SPOP on a small set: popped + remaining = the set.
  const before = range(1, 40).map((i) => `m${i}`);
  await cl.send('SADD', 'rp2', ...before);
  const popped = texts(await cl.send('SPOP', 'rp2', '7'));
  const one = text(await cl.send('SPOP', 'rp2'));
  const rest = texts(await cl.send('SMEMBERS', 'rp2'));
  t.equal(new Set(popped).size, 7, 'SPOP 7: 7 distinct members');
  t.same(sorted([...popped, one, ...rest]), sorted(before), 'SPOP: popped + remaining = the original set');
  const big = texts(await cl.send('SPOP', 'rp2', '30'));
  const left = texts(await cl.send('SMEMBERS', 'rp2'));
  t.equal(big.length, 30, 'SPOP 30 of 32');
  t.same(sorted([...popped, one, ...big, ...left]), sorted(before), 'SPOP 30 (rebuilds the rest): nothing lost or duplicated');
  t.equal(text(await cl.send('OBJECT', 'ENCODING', 'rp2')), 'hashtable', 'the rebuilt rest of non-integers is a hashtable');

  // SPOP with a count that rebuilds the rest: the encoding follows what is left.
  for (let i = 0; i < 10; i++) {
    await cl.send('DEL', 'rp3');
    await cl.send('SADD', 'rp3', ...range(1, 9), 'x');
    await cl.send('SPOP', 'rp3', '9');
    const leftOver = texts(await cl.send('SMEMBERS', 'rp3'));
    const enc = text(await cl.send('OBJECT', 'ENCODING', 'rp3'));
    t.equal(enc, leftOver[0] === 'x' ? 'hashtable' : 'intset', `SPOP 9 of {1..9, x} leaving ${leftOver[0]}: ${enc}`);
  }

  // Bigger sets: each draw a random slot (exactly uniform).
  await bigSet(t, cl, 'rb', 3000, 250);
  // Draws spread evenly over the ranks: four quarters of a 2000-member set get ~4000 of 16000 draws each.
  await cl.send('DEL', 'rq');
  await cl.send('SADD', 'rq', ...range(10000, 11999).map((i) => `q${i}`));
  const quarters = [0, 0, 0, 0];
  const reqs = await cl.pipeline(Array.from({ length: 40 }, () => ['SRANDMEMBER', 'rq', '-400']));
  for (const r of reqs) for (const m of texts(r)) quarters[Math.floor((Number(m.slice(1)) - 10000) / 500)]++;
  t.ok(quarters.every((n) => n > 3600 && n < 4400), `SRANDMEMBER draws spread evenly over a set's quarters (${quarters})`);
  const dq = texts(await cl.send('SRANDMEMBER', 'rq', '400'));
  t.equal(new Set(dq).size, 400, 'SRANDMEMBER 400 of 2000: distinct');
  // A huge set (1 shard only: it takes a while).
  if (huge) await bigSet(t, cl, 'rh', 70000, 200);
  await cl.send('DEL', 'rp', 'rp2', 'rp3', 'rb', 'rq', 'rh');
}

/** SSCAN over hashtables: full walks return every member once, also with members added and removed meanwhile. */
async function scanWalks(t: Test, p: Pair): Promise<void> {
  const members = range(1, 1000).map((i) => `w${i}`);
  const walk = async (cl: RawClient, key: string, extra: string[], during?: (step: number) => Promise<void>) => {
    const seen: string[] = [];
    let cursor = '0';
    let steps = 0;
    do {
      const r = items(await cl.send('SSCAN', key, cursor, ...extra));
      cursor = text(r[0]);
      seen.push(...texts(r[1]));
      if (during) await during(steps);
      steps++;
    } while (cursor !== '0' && steps < 100000);
    return { seen, steps };
  };
  for (const cl of [p.redis, p.respdb]) {
    await cl.send('DEL', 'ws');
    await cl.send('SADD', 'ws', ...members);
  }
  for (const extra of [[], ['COUNT', '7'], ['COUNT', '1000'], ['MATCH', 'w1*', 'COUNT', '50']]) {
    const want = await walk(p.redis, 'ws', extra);
    const got = await walk(p.respdb, 'ws', extra);
    t.same(sorted([...new Set(got.seen)]), sorted([...new Set(want.seen)]), `SSCAN ${extra.join(' ')}: a full walk finds what redis finds`);
    t.equal(got.seen.length, new Set(got.seen).size, `SSCAN ${extra.join(' ')}: no member twice`);
    if (extra[0] === 'COUNT' && extra[1] === '7') t.ok(got.steps >= 1000 / 7, `SSCAN COUNT 7 takes many steps (${got.steps})`);
  }
  const one = items(await p.respdb.send('SSCAN', 'ws', '0', 'COUNT', '5'));
  t.equal(texts(one[1]).length, 5, 'SSCAN COUNT 5 on a hashtable: 5 members');
  t.not(text(one[0]), '0', 'SSCAN COUNT 5 on a hashtable: a cursor to continue');
  const unknown = items(await p.respdb.send('SSCAN', 'ws', '987654321', 'COUNT', '5'));
  t.same(texts(unknown[1]), texts(one[1]), 'an unknown cursor restarts the walk');
  // Members removed and added during the walk: those present throughout are all returned.
  const removed = new Set(members.filter((_, i) => i % 3 === 0));
  const { seen } = await walk(p.respdb, 'ws', ['COUNT', '20'], async (step) => {
    const batch = members.filter((_, i) => i % 3 === 0 && Math.floor(i / 30) === step);
    if (batch.length) await p.respdb.send('SREM', 'ws', ...batch);
    await p.respdb.send('SADD', 'ws', `new${step}`);
  });
  const seenSet = new Set(seen);
  const missing = members.filter((m) => !removed.has(m) && !seenSet.has(m));
  t.same(missing, [], 'members present during the whole walk are all returned');
  t.ok(seen.every((m) => m.startsWith('w') || m.startsWith('new')), 'the walk returns only members');
  for (const cl of [p.redis, p.respdb]) await cl.send('DEL', 'ws');
}

for (const shards of [1, 4]) {
  t.test(`set commands with random replies, ${shards} shard(s)`, async (t) => {
    const p = await pair(t, { shards });
    await t.test('random-output commands', (t) => randomProperties(t, p, shards === 1));
    await t.test('SSCAN walks', (t) => scanWalks(t, p));
  });
}
