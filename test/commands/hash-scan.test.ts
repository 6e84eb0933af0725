// HSCAN against redis-server: a listpack hash comes back whole with cursor 0, the options and
// their errors; a hashtable hash by its properties (every field once, COUNT bounds, MATCH, cursors
// as positions, fields added and removed meanwhile, a deleted hash's cursor). Run with 1 and 4
// shards.
import t, { type Test } from 'tap';
import { pair, type Pair } from '../support/servers.js';
import { RawClient, formatReply } from '../support/resp-client.js';
import { type Cmd, B, bulkText, check, cs, fillCmd, items } from './hash-cases.js';

function scanCases(): Cmd[] {
  return [
    ...cs(
      'DEL sc1 sc2 scs',
      'SET scs x',
      'HSET sc1 a 1 b 2 c 3 ab 4 ba 5 10 6',
      'HSCAN sc1 0',
      'HSCAN sc1 12345',
      'HSCAN sc1 18446744073709551615',
      'HSCAN sc1 -1',
      'HSCAN sc1 0 COUNT 1',
      'HSCAN sc1 0 count 2 MATCH a*',
      'HSCAN sc1 0 MATCH *a*',
      'HSCAN sc1 0 MATCH ?',
      'HSCAN sc1 0 MATCH [ab]',
      'HSCAN sc1 0 MATCH 1*',
      'HSCAN sc1 0 MATCH nomatch',
      'HSCAN sc1 0 MATCH *',
      'HSCAN sc1 0 MATCH a* MATCH b*',
      'HSCAN sc1 0 COUNT 5 COUNT 100',
      'HSCAN sc1 0 COUNT 0',
      'HSCAN sc1 0 COUNT -1',
      'HSCAN sc1 0 COUNT x',
      'HSCAN sc1 0 COUNT 9223372036854775807',
      'HSCAN sc1 0 COUNT 9223372036854775808',
      'HSCAN sc1 0 COUNT',
      'HSCAN sc1 0 MATCH',
      'HSCAN sc1 0 TYPE hash',
      'HSCAN sc1 0 NOVALUES',
      'HSCAN sc1 0 FOO bar',
      'HSCAN sc1 x',
      'HSCAN sc1 1x',
      'HSCAN sc1 18446744073709551616',
      'HSCAN sc1 1.5',
      'HSCAN nokey 0',
      'HSCAN nokey 0 FOO',
      'HSCAN nokey x',
      'HSCAN scs 0',
      'HSCAN scs x',
      'HSCAN scs 0 FOO',
      'hscan sc1 0 match b*',
    ),
    ['HSCAN', 'sc1', ''],
    ['HSCAN', 'sc1', ' 1'],
    ['HSCAN', 'sc1', '+5'],
    ['HSCAN', 'sc1', '0', Buffer.from('count\0x', 'latin1'), '1'],
    ['HSCAN', 'sc1', '0', Buffer.from('match\0', 'latin1'), 'a*'],
    ['HSET', 'sc2', B(0, 1), 'x', B(0xff), 'y', 'a\r\nb', 'z'],
    ['HSCAN', 'sc2', '0', 'MATCH', Buffer.from('a\r\n*', 'latin1')],
    ['HSCAN', 'sc2', '0', 'MATCH', B(0, 42)],
    ['HSCAN', 'sc2', '0'],
  ];
}

/** A full HSCAN iteration: every field exactly once (when nothing changes), each call within COUNT bounds. */
async function scanAll(cl: RawClient, key: string, extra: string[], maxPerCall: number): Promise<{ fields: Map<string, string>; calls: number; dup: number; over: number }> {
  const fields = new Map<string, string>();
  let cursor = '0';
  let calls = 0;
  let dup = 0;
  let over = 0;
  do {
    const r = items(await cl.send('HSCAN', key, cursor, ...extra));
    cursor = bulkText(r[0]);
    const list = items(r[1]);
    if (list.length / 2 > maxPerCall) over++;
    for (let i = 0; i < list.length; i += 2) {
      const f = bulkText(list[i]);
      if (fields.has(f)) dup++;
      fields.set(f, bulkText(list[i + 1]));
    }
    calls++;
  } while (cursor !== '0' && calls < 100000);
  return { fields, calls, dup, over };
}

async function scanProperties(t: Test, p: Pair): Promise<void> {
  const n = 2000;
  for (const cl of [p.redis, p.respdb]) {
    await cl.send('DEL', 'bigscan');
    await cl.send(...fillCmd('bigscan', n));
  }
  t.equal(formatReply(await p.respdb.send('OBJECT', 'ENCODING', 'bigscan')), '"hashtable"', 'a 2000-field hash is a hashtable');
  const all = await scanAll(p.respdb, 'bigscan', ['COUNT', '100'], 100);
  t.equal(all.fields.size, n, 'HSCAN COUNT 100 visits every field');
  t.equal(all.dup, 0, 'no field twice');
  t.equal(all.over, 0, 'no call returns more than COUNT fields');
  t.ok(all.calls >= n / 100 && all.calls <= n / 100 + 1, `about n/COUNT calls (${all.calls})`);
  t.ok([...all.fields].every(([f, v]) => v === 'v' + f.slice(1)), 'values belong to their fields');
  const def = await scanAll(p.respdb, 'bigscan', [], 10);
  t.equal(def.fields.size, n, 'default COUNT (10) visits every field');
  t.ok(def.calls >= n / 10, 'in steps of at most 10');
  const ref = await scanAll(p.redis, 'bigscan', ['MATCH', 'f1*', 'COUNT', '50'], Infinity);
  const got = await scanAll(p.respdb, 'bigscan', ['MATCH', 'f1*', 'COUNT', '50'], 50);
  t.same([...got.fields.keys()].sort(), [...ref.fields.keys()].sort(), 'HSCAN MATCH f1* finds what redis finds');
  t.equal(got.fields.size, 1111, 'f1, f10..f19, f100..f199, f1000..f1999');

  // A cursor is a position: asking again with the same cursor gives the same page.
  const first = items(await p.respdb.send('HSCAN', 'bigscan', '0', 'COUNT', '7'));
  const cur = bulkText(first[0]);
  t.not(cur, '0', 'a non-zero cursor after the first page');
  const again1 = items(await p.respdb.send('HSCAN', 'bigscan', cur, 'COUNT', '7'));
  const again2 = items(await p.respdb.send('HSCAN', 'bigscan', cur, 'COUNT', '7'));
  t.equal(formatReply(again1[1]), formatReply(again2[1]), 'the same cursor twice: the same page');
  t.equal(items(again1[1]).length, 14, 'of COUNT fields');
  t.not(formatReply(again1[1]), formatReply(first[1]), 'after the first page');
  t.ok(/^\d+$/.test(cur) && BigInt(cur) < 1n << 64n, 'cursor is an unsigned 64-bit decimal');
  // An unknown cursor restarts the scan (every field still comes back).
  const unknown = items(await p.respdb.send('HSCAN', 'bigscan', '12345', 'COUNT', '5000'));
  t.equal(items(unknown[1]).length, 2 * n, 'an unknown cursor restarts from the beginning');
  t.equal(bulkText(unknown[0]), '0', 'and COUNT >= size finishes in one call');
  // Fields present for the whole scan come back even while others are added and removed.
  let cursor = '0';
  const seen = new Set<string>();
  let step = 0;
  do {
    const r = items(await p.respdb.send('HSCAN', 'bigscan', cursor, 'COUNT', '150'));
    cursor = bulkText(r[0]);
    const list = items(r[1]);
    for (let i = 0; i < list.length; i += 2) seen.add(bulkText(list[i]));
    await p.respdb.send('HSET', 'bigscan', `new${step}`, 'x', `f${1000 + step}x`, 'y');
    await p.respdb.send('HDEL', 'bigscan', `f${1999 - step}`);
    step++;
  } while (cursor !== '0');
  const stable = Array.from({ length: 1900 }, (_, i) => `f${i}`);
  t.ok(stable.every((f) => seen.has(f)), 'every field present throughout the scan was returned');
  // Deleting the hash mid-scan: the old cursor on a new hash of the same name starts over.
  await p.respdb.send('DEL', 'bigscan');
  await p.respdb.send(...fillCmd('bigscan', 600, 'w'));
  const r = items(await p.respdb.send('HSCAN', 'bigscan', cur, 'COUNT', '1000'));
  t.equal(items(r[1]).length, 1200, 'a cursor of a deleted incarnation restarts over the new hash');
  t.ok(bulkText(items(r[1])[1]).startsWith('w'), 'with the new values');
  for (const cl of [p.redis, p.respdb]) await cl.send('DEL', 'bigscan');
}

for (const shards of [1, 4]) {
  t.test(`HSCAN vs redis-server, ${shards} shard(s)`, async (t) => {
    const p = await pair(t, { shards });
    await t.test('HSCAN (listpack: whole hash, cursor 0; errors)', (t) => check(t, p, scanCases()));
    await t.test('HSCAN of a hashtable', (t) => scanProperties(t, p));
  });
}
