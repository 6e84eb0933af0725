// Random members of sets: SRANDMEMBER and SPOP draw exactly uniformly from the dense slot numbering
// (lib/store/set.ts), which every write keeps: after random workloads (SADD, SREM, SPOP, SMOVE,
// *STORE, COPY, RENAME across shards) each set's slots 0..count-1 hold each member exactly once and
// every member records its slot, checked on the shards' environments on disk between restarts.
// Draw counts are checked with a chi-square bound far from any chance failure. (The same invariant
// without a server, after every single write: test/store/set-model.test.ts.)
import t from 'tap';
import fc from 'fast-check';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { open } from 'lmdb';
import { startRespdb } from '../support/servers.js';
import { RawClient, formatReply, type Reply } from '../support/resp-client.js';
import { T_SET, decodeMeta, payload } from '../../lib/store/meta.js';
import { shardOf } from '../../lib/slot.js';
import { spread } from '../support/keys.js';

const bulks = (r: Reply): string[] => {
  if (!((r.t === 'array' && r.v) || r.t === 'set')) throw new Error(`expected an array, got ${formatReply(r)}`);
  return (r.v as Reply[]).map((x) => (x as { v: Buffer }).v.toString('latin1'));
};

/** Pearson's statistic of the draw counts of `members` against a uniform expectation. */
function chiSquare(draws: string[], members: string[]): number {
  const n = new Map(members.map((m) => [m, 0]));
  for (const d of draws) {
    if (!n.has(d)) throw new Error(`drew ${d}, not a member`);
    n.set(d, n.get(d)! + 1);
  }
  const e = draws.length / members.length;
  let x = 0;
  for (const o of n.values()) x += ((o - e) * (o - e)) / e;
  return x;
}

t.test('SRANDMEMBER and SPOP are uniform after adds and removals', async (t) => {
  const srv = await startRespdb({ shards: 2 });
  t.teardown(() => srv.stop());
  const c = await RawClient.connect(srv.port);
  t.teardown(() => c.close());
  const all = Array.from({ length: 1500 }, (_, i) => `m${i}`);
  await c.send('SADD', 's', ...all);
  // remove every third member: most removals move the last slot's member
  const gone = all.filter((_, i) => i % 3 === 1);
  await c.send('SREM', 's', ...gone);
  const members = all.filter((_, i) => i % 3 !== 1);
  t.equal(formatReply(await c.send('SCARD', 's')), `(integer) ${members.length}`, '1,000 members left');
  // 1,000 members, 100 expected draws each; chi-square with 999 degrees of freedom has mean 999 and
  // standard deviation ~45: 1,400 is ~9 deviations out (never by chance), while a sampler that
  // favours some members by half again lands far beyond it.
  const draws = bulks(await c.send('SRANDMEMBER', 's', '-100000'));
  t.equal(draws.length, 100000, '100,000 draws');
  const x = chiSquare(draws, members);
  t.ok(x < 1400, `SRANDMEMBER -100000: chi-square ${x.toFixed(0)} < 1400 over 1,000 members`);
  const distinct = bulks(await c.send('SRANDMEMBER', 's', '100'));
  t.equal(new Set(distinct).size, 100, 'SRANDMEMBER 100: 100 distinct members');
  // Single draws: the first of repeated SRANDMEMBER calls.
  const singles = (await c.pipeline(Array.from({ length: 20000 }, () => ['SRANDMEMBER', 's']))).map((r) => (r as { v: Buffer }).v.toString('latin1'));
  const x1 = chiSquare(singles, members);
  t.ok(x1 < 1400, `20,000 SRANDMEMBER: chi-square ${x1.toFixed(0)} < 1400`);
  // SPOP one at a time until empty: each member exactly once.
  const popped = (await c.pipeline(Array.from({ length: 1001 }, () => ['SPOP', 's']))).map((r) => formatReply(r));
  t.equal(popped[1000], '(nil bulk)', 'the 1,001st SPOP finds the set gone');
  t.same(new Set(popped.slice(0, 1000)).size, 1000, 'SPOP returned 1,000 distinct members');
  t.same(popped.slice(0, 1000).map((p) => p.slice(1, -1)).sort(), [...members].sort(), 'exactly the members of the set');
  t.equal(formatReply(await c.send('EXISTS', 's')), '(integer) 0', 'and the set is gone');
  // Which member the first SPOP of a fresh 4-member set takes: uniform too.
  const firsts: string[] = [];
  for (let i = 0; i < 40; i++) {
    const r = await c.pipeline([['SADD', 'q', 'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'], ['SREM', 'q', 'b', 'e'], ...Array.from({ length: 100 }, () => ['SRANDMEMBER', 'q']), ['DEL', 'q']]);
    for (const x of r.slice(2, 102)) firsts.push((x as { v: Buffer }).v.toString('latin1'));
  }
  const x2 = chiSquare(firsts, ['a', 'c', 'd', 'f', 'g', 'h']);
  t.ok(x2 < 40, `4,000 draws over 6 members of a small set: chi-square ${x2.toFixed(1)} < 40 (5 degrees of freedom)`);
});

/** What checkSlots found: the problems, and how much it inspected (so a check of nothing shows). */
interface SlotCheck {
  problems: string[];
  /** Sets inspected, per shard. */
  sets: number[];
  /** Slot entries inspected, over every shard. */
  slots: number;
}

/** Checks every set of every shard: slots 0..count-1 each name a member whose sub value is that slot. */
function checkSlots(dir: string, shards: number): SlotCheck {
  const problems: string[] = [];
  const sets: number[] = [];
  let slotsSeen = 0;
  for (let s = 0; s < shards; s++) {
    const env = open({ path: path.join(dir, `shard-${s}`), readOnly: true, maxDbs: 12 });
    sets.push(0);
    try {
      const bin = { keyEncoding: 'binary' as const, encoding: 'binary' as const };
      const meta = env.openDB({ name: 'meta', ...bin });
      const sub = env.openDB({ name: 'sub', ...bin });
      const slot = env.openDB({ name: 'slot', ...bin });
      for (const { key, value } of meta.getRange({})) {
        const m = decodeMeta(key as Buffer, value as Buffer);
        if (m.type !== T_SET) continue;
        sets[s]++;
        const p = payload(m);
        const id = p.readBigUInt64BE(0);
        const count = Number(p.readBigUInt64BE(8));
        const idb = Buffer.alloc(8);
        idb.writeBigUInt64BE(id);
        const next = Buffer.alloc(8);
        next.writeBigUInt64BE(id + 1n);
        const subs = [...sub.getRange({ start: idb, end: next })];
        const slots = [...slot.getRange({ start: idb, end: next })];
        if (subs.length !== count || slots.length !== count) problems.push(`set ${id}: count ${count}, ${subs.length} members, ${slots.length} slots`);
        slotsSeen += slots.length;
        slots.forEach(({ key: k, value: part }, i) => {
          const n = Number((k as Buffer).readBigUInt64BE(8));
          if (n !== i) problems.push(`set ${id}: slot ${n} where ${i} was expected`);
          const v = sub.getBinary(Buffer.concat([idb, part as Buffer]));
          if (!v || v.length !== 8 || Number(v.readBigUInt64BE(0)) !== n) problems.push(`set ${id}: slot ${n} names a member that records ${v ? v.toString('hex') : 'nothing'}`);
        });
      }
    } finally {
      env.close();
    }
  }
  return { problems, sets, slots: slotsSeen };
}

t.test('random set workloads keep the slot numbering exact (4 shards)', async (t) => {
  const keys = ['a', 'b', 'c', 'd', '{a}x'];
  const member = fc.constantFrom('1', '2', '3', '4', '5', 'x', 'y', 'zz', 'long'.padEnd(2100, '!'), 'w');
  const key = fc.constantFrom(...keys);
  const cmd = fc.oneof(
    fc.tuple(key, fc.array(member, { minLength: 1, maxLength: 6 })).map(([k, ms]) => ['SADD', k, ...ms]),
    fc.tuple(key, fc.array(member, { minLength: 1, maxLength: 4 })).map(([k, ms]) => ['SREM', k, ...ms]),
    fc.tuple(key, fc.integer({ min: 0, max: 4 })).map(([k, n]) => (n === 0 ? ['SPOP', k] : ['SPOP', k, String(n)])),
    fc.tuple(key, key, member).map(([a, b, m]) => ['SMOVE', a, b, m]),
    fc.tuple(fc.constantFrom('SINTERSTORE', 'SUNIONSTORE', 'SDIFFSTORE'), key, key, key).map(([op, d, a, b]) => [op, d, a, b]),
    fc.tuple(key, key).map(([a, b]) => ['COPY', a, b, 'REPLACE']),
    fc.tuple(key, key).map(([a, b]) => ['RENAME', a, b]),
    key.map((k) => ['SRANDMEMBER', k, '-3']),
  );
  // A set of known size on each shard, whatever the random commands left: 30 members added, every
  // third removed (most removals move the last slot's member), so each check inspects at least
  // 4 sets and 4 * 20 slots.
  const control = spread('ctl', 4, 4);
  const controlMembers = Array.from({ length: 30 }, (_, i) => (i === 7 ? 'long'.padEnd(2100, '?') : `c${i}`));
  const controlCmds = control.flatMap((k) => [['DEL', k], ['SADD', k, ...controlMembers], ['SREM', k, ...controlMembers.filter((_, i) => i % 3 === 1)]]);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'respdb-slots-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  let srv = await startRespdb({ shards: 4, dir });
  const runs = fc.sample(fc.array(cmd, { minLength: 20, maxLength: 80 }), { numRuns: 25, seed: 4242 });
  let randomSets = 0;
  for (let r = 0; r < runs.length; r++) {
    const c = await RawClient.connect(srv.port);
    await c.pipeline([...runs[r], ...controlCmds]);
    await c.close();
    if (r % 5 === 4) {
      await srv.stop();
      const { problems, sets, slots } = checkSlots(dir, 4);
      t.same(problems, [], `after ${r + 1} random sequences, every set's slots are exact`);
      t.ok(sets.every((n) => n >= 1), `every shard's sets were inspected (${sets})`);
      t.ok(slots >= 4 * 20, `at least the control sets' 80 slots were inspected (${slots})`);
      randomSets += sets.reduce((a, n) => a + n, 0) - control.length;
      srv = await startRespdb({ shards: 4, dir });
    }
  }
  await srv.stop();
  t.ok(randomSets > 0, `the random workloads' own sets were inspected too (${randomSets} over the checks)`);
  // The check itself finds a broken numbering: drop the last slot of one control set.
  const s = shardOf(Buffer.from(control[0]), 4);
  const env = open({ path: path.join(dir, `shard-${s}`), maxDbs: 12 });
  const bin = { keyEncoding: 'binary' as const, encoding: 'binary' as const };
  const meta = env.openDB({ name: 'meta', ...bin });
  const slot = env.openDB({ name: 'slot', ...bin });
  let dropped = false;
  for (const { key, value } of meta.getRange({})) {
    const m = decodeMeta(key as Buffer, value as Buffer);
    if (m.type !== T_SET || Number(payload(m).readBigUInt64BE(8)) !== 20) continue;
    const k = Buffer.alloc(16);
    payload(m).copy(k, 0, 0, 8);
    k.writeBigUInt64BE(19n, 8);
    dropped = await slot.remove(k);
    break;
  }
  await env.close();
  t.ok(dropped, 'a control set\'s last slot was removed');
  t.not(checkSlots(dir, 4).problems.length, 0, 'and the check reports it');
});

t.test('a data directory with sets in the layout before data format 1 is refused', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'respdb-format-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  let srv = await startRespdb({ shards: 1, dir });
  const c = await RawClient.connect(srv.port);
  await c.send('SADD', 's', 'a');
  await c.send('SET', 'k', 'v');
  await c.close();
  await srv.stop();
  // forget the marker, as a directory from before it would be
  const env = open({ path: path.join(dir, 'shard-0'), maxDbs: 12 });
  const info = env.openDB({ name: 'info', keyEncoding: 'binary', encoding: 'binary' });
  t.same([...(info.getBinary(Buffer.from('format')) ?? [])], [2], 'a new directory is marked with the current format');
  await info.remove(Buffer.from('format'));
  await env.close();
  await t.rejects(startRespdb({ shards: 1, dir }), 'the server does not start on it');
  // without sets it is upgraded in place
  const env2 = open({ path: path.join(dir, 'shard-0'), maxDbs: 12 });
  const meta = env2.openDB({ name: 'meta', keyEncoding: 'binary', encoding: 'binary' });
  for (const { key, value } of [...meta.getRange({})]) if ((value as Buffer)[0] === 3) await meta.remove(key);
  await env2.close();
  srv = await startRespdb({ shards: 1, dir });
  const c2 = await RawClient.connect(srv.port);
  t.equal(formatReply(await c2.send('GET', 'k')), '"v"', 'a directory without sets starts, its data intact');
  await c2.close();
  await srv.stop();
});
