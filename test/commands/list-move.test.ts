// LMOVE / RPOPLPUSH / LMPOP against redis-server 7.0, with their keys on one shard and on
// several (the coordinated path), and the atomicity of cross-shard moves under concurrent clients.
// Run with 1 and 4 shards.
import t, { type Test } from 'tap';
import { diff, pair, type Pair } from '../support/servers.js';
import { RawClient, formatReply, type Reply } from '../support/resp-client.js';
import { shardOf } from '../../lib/slot.js';
import { spread } from '../support/keys.js';
import { moveCases, mpopCases, type Cmd } from './list-cases.js';

const B = (s: string) => Buffer.from(s, 'latin1');

function items(r: Reply): Reply[] {
  if (r.t !== 'array' || r.v === null) throw new Error(`expected an array reply, got ${formatReply(r)}`);
  return r.v;
}

function text(r: Reply): string {
  return r.t === 'bulk' && r.v ? r.v.toString('latin1') : '-';
}

/**
 * Concurrent LMOVE / RPOPLPUSH between lists on different shards: every element survives exactly
 * once, and a reader popping everything at once with LMPOP never sees an element twice or misses
 * one (no half-done move is visible).
 */
async function moveAtomicity(t: Test, port: number, k: string[]): Promise<void> {
  const [a, b, d] = k;
  t.ok(new Set([a, b, d].map((x) => shardOf(B(x), 4))).size === 3, 'the three lists live on three shards');
  const cl = await Promise.all([0, 1, 2, 3].map(() => RawClient.connect(port)));
  try {
    const n = 300;
    const els = Array.from({ length: n }, (_, i) => `el${i}`);
    await cl[0].send('DEL', a, b, d);
    await cl[0].send('RPUSH', a, ...els);
    const rounds = 400;
    const w1: Cmd[] = Array.from({ length: rounds }, (_, i) => (i % 2 ? ['LMOVE', a, b, 'RIGHT', 'LEFT'] : ['RPOPLPUSH', a, d]));
    const w2: Cmd[] = Array.from({ length: rounds }, (_, i) => (i % 2 ? ['LMOVE', b, d, 'LEFT', 'RIGHT'] : ['LMOVE', d, a, 'LEFT', 'LEFT']));
    const w3: Cmd[] = Array.from({ length: rounds }, () => ['RPOPLPUSH', d, b]);
    const [r1, r2, r3] = await Promise.all([cl[0].pipeline(w1), cl[1].pipeline(w2), cl[2].pipeline(w3)]);
    const errors = [...r1, ...r2, ...r3].filter((r) => r.t === 'error').map((r) => formatReply(r));
    t.same(errors, [], 'no move failed');
    const moved = [...r1, ...r2, ...r3].filter((r) => r.t === 'bulk' && r.v !== null).length;
    t.ok(moved > rounds, `elements moved (${moved})`);
    const all: string[] = [];
    for (const key of [a, b, d]) for (const r of items(await cl[0].send('LRANGE', key, '0', '-1'))) all.push(text(r));
    t.same([...all].sort(), [...els].sort(), 'every element is in exactly one list after the concurrent moves');

    // Readers taking everything in one LMPOP-per-list pass while writers move elements around.
    const writes: Cmd[] = Array.from({ length: rounds }, (_, i) => (i % 3 === 0 ? ['LMOVE', a, b, 'LEFT', 'RIGHT'] : i % 3 === 1 ? ['RPOPLPUSH', b, d] : ['LMOVE', d, a, 'RIGHT', 'LEFT']));
    const [, snap] = await Promise.all([cl[1].pipeline(writes), cl[3].pipeline([['LMPOP', '3', a, b, d, 'LEFT', 'COUNT', '100000'], ['LMPOP', '3', a, b, d, 'LEFT', 'COUNT', '100000'], ['LMPOP', '3', a, b, d, 'LEFT', 'COUNT', '100000']])]);
    const taken: string[] = [];
    for (const r of snap) if (r.t === 'array' && r.v) for (const e of items(r.v[1])) taken.push(text(e));
    const rest: string[] = [];
    for (const key of [a, b, d]) for (const r of items(await cl[0].send('LRANGE', key, '0', '-1'))) rest.push(text(r));
    t.same([...taken, ...rest].sort(), [...els].sort(), 'popped plus remaining elements are exactly the originals');
  } finally {
    await Promise.all(cl.map((x) => x.close()));
  }
}

// ------------------------------------------------------------------------------------------------

for (const shards of [1, 4]) {
  t.test(`LMOVE RPOPLPUSH LMPOP vs redis-server, ${shards} shard(s)`, async (t) => {
    const p: Pair = await pair(t, { shards });
    const k = spread('lk', 4, shards);
    if (shards === 4) t.equal(new Set(k.map((x) => shardOf(B(x), 4))).size, 4, 'the four test keys are on four shards');
    const d = (t: Test, cmds: Cmd[]) => diff(t, p, cmds);
    await t.test('LMOVE RPOPLPUSH, one shard', (t) => d(t, moveCases('{m}a', '{m}b')));
    await t.test('LMOVE RPOPLPUSH, keys k0 k1', (t) => d(t, moveCases(k[0], k[1])));
    await t.test('LMPOP, one shard', (t) => d(t, mpopCases(['{p}1', '{p}2', '{p}3', '{p}4'])));
    await t.test('LMPOP, keys on several shards', (t) => d(t, mpopCases(k)));
    if (shards === 4) await t.test('cross-shard moves are atomic', (t) => moveAtomicity(t, p.respdbPort, k));
  });
}
