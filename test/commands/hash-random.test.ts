// HRANDFIELD against redis-server: the deterministic forms (missing keys, errors, a count covering
// the whole hash, one field) compared exactly, in RESP2 and RESP3; random replies by their
// properties on both servers (counts, membership, distinctness, values) for a small, a listpack
// and a hashtable hash. Run with 1 and 4 shards. The sampler itself: test/store/hash-sample.test.ts.
import t, { type Test } from 'tap';
import { pair, type Pair, withResp3 } from '../support/servers.js';
import { RawClient, type Reply } from '../support/resp-client.js';
import { type Cmd, bulkText, check, cs, fillCmd, items } from './hash-cases.js';

function randCases(): Cmd[] {
  // Only deterministic forms: missing keys, errors, a count covering the whole hash, one field.
  return [
    ...cs(
      'DEL r1 r2 rs',
      'SET rs x',
      'HSET r1 a 1 b 2 c 3',
      'HSET r2 only one',
      'HRANDFIELD nokey',
      'HRANDFIELD nokey 0',
      'HRANDFIELD nokey 5',
      'HRANDFIELD nokey -5 WITHVALUES',
      'HRANDFIELD r2',
      'HRANDFIELD r2 1',
      'HRANDFIELD r2 -3',
      'HRANDFIELD r2 -3 WITHVALUES',
      'HRANDFIELD r2 1 withvalues',
      'HRANDFIELD r1 0',
      'HRANDFIELD r1 0 WITHVALUES',
      'HRANDFIELD r1 3',
      'HRANDFIELD r1 4',
      'HRANDFIELD r1 100 WITHVALUES',
      'HRANDFIELD r1 9223372036854775807',
      'HRANDFIELD r1 2',
      'HRANDFIELD r1 -7',
      'HRANDFIELD r1 -7 WITHVALUES',
      'HRANDFIELD r1 2 WithValues',
      'HRANDFIELD r1 x',
      'HRANDFIELD r1 1.5',
      'HRANDFIELD r1 -9223372036854775808',
      'HRANDFIELD r1 -9223372036854775807 FOO',
      'HRANDFIELD r1 x WITHVALUES',
      'HRANDFIELD r1 1 WITHVALUES x',
      'HRANDFIELD r1 1 FOO',
      'HRANDFIELD r1 4611686018427387904 WITHVALUES',
      'HRANDFIELD r1 -4611686018427387904 WITHVALUES',
      'HRANDFIELD r1 4611686018427387903 WITHVALUES',
      'HRANDFIELD rs',
      'HRANDFIELD rs 1',
      'HRANDFIELD rs 0',
      'HRANDFIELD rs x',
      'HRANDFIELD rs 1 WITHVALUES',
      'HRANDFIELD rs 1 FOO',
    ),
    ['HRANDFIELD', 'r1', '100', Buffer.from('withvalues\0junk', 'latin1')],
    ['HRANDFIELD', 'r1', '100', Buffer.from('withvalue', 'latin1')],
  ];
}

/** Checks HRANDFIELD replies on a hash of `n` fields f<i> -> v<i>; returns the problems found. */
async function randomProperties(cl: RawClient, key: string, n: number, resp3: boolean): Promise<string[]> {
  const bad: string[] = [];
  const isField = (f: string) => /^f\d+$/.test(f) && Number(f.slice(1)) < n;
  const valueOk = (f: string, v: string) => v === 'v' + f.slice(1);
  const fieldsOf = (r: Reply, wv: boolean): string[] => {
    const list = items(r);
    const out: string[] = [];
    if (wv && resp3) {
      for (const e of list) {
        const [f, v] = items(e).map(bulkText);
        if (!valueOk(f, v)) bad.push(`value ${v} for ${f}`);
        out.push(f);
      }
    } else if (wv) {
      for (let i = 0; i < list.length; i += 2) {
        const f = bulkText(list[i]);
        if (!valueOk(f, bulkText(list[i + 1]))) bad.push(`value for ${f}`);
        out.push(f);
      }
    } else for (const e of list) out.push(bulkText(e));
    for (const f of out) if (!isField(f)) bad.push(`not a field: ${f}`);
    return out;
  };
  const cmds: Cmd[] = [];
  const singles = 200;
  for (let i = 0; i < singles; i++) cmds.push(['HRANDFIELD', key]);
  const counts = [1, 2, 5, Math.floor(n / 4), Math.floor(n / 2), n - 1, n, n + 5];
  for (const k of counts) {
    cmds.push(['HRANDFIELD', key, String(k)], ['HRANDFIELD', key, String(k), 'WITHVALUES']);
    cmds.push(['HRANDFIELD', key, String(-k)], ['HRANDFIELD', key, String(-k), 'WITHVALUES']);
  }
  const replies = await cl.pipeline(cmds);
  const seen = new Set<string>();
  for (let i = 0; i < singles; i++) {
    const f = bulkText(replies[i]);
    if (!isField(f)) bad.push(`single pick ${f}`);
    seen.add(f);
  }
  // 200 picks: every field of a 10-field hash (miss chance ~ 10 * 0.9^200); of a big hash, many
  // different ones (uniform picks would give ~190 distinct of 2000; respdb's sampler of big
  // hashes is not exactly uniform).
  const wantDistinct = n <= 10 ? n : 80;
  if (seen.size < wantDistinct) bad.push(`only ${seen.size} distinct fields in ${singles} single picks`);
  let at = singles;
  for (const k of counts) {
    for (const wv of [false, true]) {
      const pos = fieldsOf(replies[at++], wv);
      const want = Math.min(k, n);
      if (pos.length !== want) bad.push(`HRANDFIELD ${k}${wv ? ' WITHVALUES' : ''}: ${pos.length} fields, want ${want}`);
      if (new Set(pos).size !== pos.length) bad.push(`HRANDFIELD ${k}: repeated fields`);
    }
    for (const wv of [false, true]) {
      const neg = fieldsOf(replies[at++], wv);
      if (neg.length !== k) bad.push(`HRANDFIELD -${k}${wv ? ' WITHVALUES' : ''}: ${neg.length} fields, want ${k}`);
    }
  }
  return bad;
}

async function randomFieldProperties(t: Test, p: Pair): Promise<void> {
  const cases: Array<[string, number]> = [['rsmall', 10], ['rmid', 600], ['rbig', 2000]];
  for (const [key, n] of cases) {
    for (const cl of [p.redis, p.respdb]) {
      await cl.send('DEL', key);
      await cl.send(...fillCmd(key, n));
    }
    for (const resp3 of n === 600 ? [false] : [false, true]) {
      for (const [name, cl] of [['redis', p.redis], ['respdb', p.respdb]] as const) {
        if (resp3) await cl.send('HELLO', '3');
        const bad = await randomProperties(cl, key, n, resp3);
        if (resp3) await cl.send('HELLO', '2');
        t.same(bad.slice(0, 5), [], `HRANDFIELD on ${n} fields (${resp3 ? 'RESP3' : 'RESP2'}, ${name}): counts, membership, distinctness, values`);
      }
    }
    for (const cl of [p.redis, p.respdb]) await cl.send('DEL', key);
  }
  // Negative counts are random with repetition: 60 picks from 3 fields repeat some.
  await p.respdb.send('HSET', 'rrep', 'a', '1', 'b', '2', 'c', '3');
  const picks = items(await p.respdb.send('HRANDFIELD', 'rrep', '-60')).map(bulkText);
  t.equal(picks.length, 60, '60 picks');
  t.same([...new Set(picks)].sort(), ['a', 'b', 'c'], 'all three fields among 60 picks with repetition');
  await p.respdb.send('DEL', 'rrep');
}

for (const shards of [1, 4]) {
  t.test(`HRANDFIELD vs redis-server, ${shards} shard(s)`, async (t) => {
    const p = await pair(t, { shards });
    await t.test('HRANDFIELD (deterministic forms, errors)', (t) => check(t, p, randCases()));
    await t.test('HRANDFIELD properties', (t) => randomFieldProperties(t, p));
    await t.test('RESP3', (t) => withResp3(p, (q) => check(t, q, randCases(), 'RESP3')));
  });
}
