// Stream commands against redis-server 7.0, with 1 and 4 shards: XADD (ids, options, every
// error), XTRIM / XADD trimming, exact and approximate (whole nodes: the counts XLEN shows after
// `~` trims of streams whose entries fill nodes by count and by bytes), XDEL, XLEN, XRANGE /
// XREVRANGE (exclusive and incomplete ids, COUNT), XSETID, RESP3, keyspace events, WRONGTYPE,
// RENAME / COPY / MOVE across shards, restart persistence and the binlog replayed into
// redis-server. XREAD is test/commands/stream-read.test.ts; the store room's model test is
// test/store/stream.test.ts.
import t, { type Test } from 'tap';
import { formatCommand, pair, startRedis, type Pair, withResp3 } from '../support/servers.js';
import { RawClient, formatReply, type Reply } from '../support/resp-client.js';
import { wrongTypeMatrix } from '../support/wrongtype.js';
import { closeStreams, eventDiff, openStreams } from './notifications-support.js';
import { readBinlog, replayBinlog, startBinlogRespdb } from '../support/binlog.js';

type Cmd = (string | Buffer)[];
const c = (s: string): Cmd => s.split(' ');
const cs = (...lines: string[]): Cmd[] => lines.map(c);

/** Sends `cmds` pipelined to both servers; one assertion per command. */
async function check(t: Test, p: Pick<Pair, 'redis' | 'respdb'>, cmds: Cmd[], label = ''): Promise<Reply[]> {
  const [want, got] = await Promise.all([p.redis.pipeline(cmds), p.respdb.pipeline(cmds)]);
  for (let i = 0; i < cmds.length; i++) t.equal(formatReply(got[i]), formatReply(want[i]), (label ? label + ': ' : '') + formatCommand(cmds[i]));
  return got;
}

/** XADD key <ms>-<seq> ... for n entries with values of `size` bytes (ids from `from`). */
function fill(key: string, n: number, size: (i: number) => number, from = 1, fields = (i: number) => ['f', String(i % 3)]): Cmd[] {
  const out: Cmd[] = [];
  for (let i = 0; i < n; i++) {
    const [f, g] = fields(i);
    out.push(['XADD', key, `${from + i}-1`, f, 'x'.repeat(size(i)), g, String(i)]);
  }
  return out;
}

const ADD_CASES = cs(
  'DEL s s2 s3',
  'XADD s 1-1 f v',
  'XADD s 1-1 f v',
  'XADD s 1-0 f v',
  'XADD s 1-* a b',
  'XADD s 1-* a b c d',
  'XADD s 0-0 f v',
  'XADD s 0 f v',
  'XADD s 0-* f v',
  'XADD s 5 f v g',
  'XADD s 5 f',
  'XADD s MAXLEN',
  'XADD s MAXLEN 5',
  'XADD s MAXLEN 5 f v',
  'XADD s MAXLEN 5 MINID 3 10-1 f v',
  'XADD s MINID 3 MAXLEN 5 10-1 f v',
  'XADD s LIMIT 5 10-1 f v',
  'XADD s LIMIT 0 10-1 f v',
  'XADD s MAXLEN = 1 LIMIT 5 10-1 f v',
  'XADD s MAXLEN 1 LIMIT 5 10-1 f v',
  'XADD s MAXLEN ~ 1 LIMIT -1 10-1 f v',
  'XADD s MAXLEN ~ 1 LIMIT x 10-1 f v',
  'XADD s MAXLEN -1 10-1 f v',
  'XADD s MAXLEN x 10-1 f v',
  'XADD s MAXLEN ~ x 10-1 f v',
  'XADD s MINID x 10-1 f v',
  'XADD s MINID - 10-1 f v',
  'XADD s MINID + 10-1 f v',
  'XADD s MAXLEN ~ 10 LIMIT 5 10-1 f v',
  'XADD s NOMKSTREAM 11-1 f v',
  'XADD s2 NOMKSTREAM 11-1 f v',
  'EXISTS s2',
  'XADD s2 nomkstream maxlen 0 11-* f v',
  'XADD s2 maxlen 0 11-* f v',
  'EXISTS s2',
  'XLEN s2',
  'XRANGE s2 - +',
  'XADD s2 11-* f v',
  'XADD s2 11 f v',
  'XADD s2 18446744073709551615-18446744073709551614 f v',
  'XADD s2 18446744073709551615-* f v',
  'XADD s2 18446744073709551615-* f v',
  'XADD s2 * f v',
  'XADD s3 18446744073709551615-18446744073709551615 f v',
  'XADD s3 * f v',
  'XADD s3 18446744073709551615-* f v',
  'XLEN s3',
  'XADD s -1 f v',
  'XADD s -01-5 f v',
  'XADD s 18446744073709551616-1 f v',
  'XADD s 20--3 f v',
  'XADD s 21-+3 f v',
  'XADD s 22-0x1 f v',
  'XADD s 23- f v',
  'XADD s -23 f v',
  'XADD s 24-1-1 f v',
  'XADD s $ f v',
  'XADD s + f v',
  'XADD s - f v',
  'XADD s ** f v',
  'XRANGE s - +',
  'XLEN s',
  'XLEN nokey',
  'XADD s 30-1 f',
  'XADD s 30-1',
);

const RANGE_CASES = cs(
  'DEL r',
  'XADD r 1-1 a 1',
  'XADD r 1-2 b 2 c 3',
  'XADD r 2-0 a 1',
  'XADD r 3-5 a 9',
  'XADD r 18446744073709551615-18446744073709551615 z z',
  'XRANGE r - +',
  'XREVRANGE r + -',
  'XRANGE r 1 1',
  'XRANGE r 1 2',
  'XRANGE r 1-2 3',
  'XRANGE r (1-1 +',
  'XRANGE r - (2-0',
  'XRANGE r (1 +',
  'XRANGE r - (3',
  'XRANGE r ( +',
  'XRANGE r (- +',
  'XRANGE r - (+',
  'XRANGE r (18446744073709551615-18446744073709551615 +',
  'XRANGE r - (0-0',
  'XRANGE r (0-0 +',
  'XREVRANGE r (3-5 -',
  'XREVRANGE r + (1-2',
  'XREVRANGE r (18446744073709551615-18446744073709551615 -',
  'XREVRANGE r + (0-0',
  'XREVRANGE r - +',
  'XRANGE r + -',
  'XRANGE r - + COUNT 0',
  'XRANGE r - + COUNT -1',
  'XRANGE r - + COUNT 1',
  'XRANGE r - + COUNT 2 COUNT 3',
  'XRANGE r - + COUNT 100',
  'XRANGE r - + COUNT',
  'XRANGE r - + COUNT x',
  'XRANGE r - + FOO 1',
  'XREVRANGE r + - COUNT 2',
  'XREVRANGE r + - COUNT 0',
  'XRANGE nokey - +',
  'XRANGE nokey - + COUNT 0',
  'XRANGE r x +',
  'XRANGE r - x',
  'XRANGE r 1-x +',
  'XRANGE r 1-* +',
  'XRANGE r " 1" +',
  'XRANGE r 18446744073709551615 +',
  'XRANGE r 2 18446744073709551615',
);

const DEL_CASES = cs(
  'DEL d',
  'XDEL d 1-1',
  'XDEL d x',
  'XADD d 1-1 a 1',
  'XADD d 2-1 a 2',
  'XADD d 3-1 a 3',
  'XDEL d x',
  'XDEL d 1-1 x',
  'XLEN d',
  'XDEL d 1-1 1-1',
  'XDEL d 1-1',
  'XDEL d 2 2-1',
  'XDEL d 9-9',
  'XDEL d -',
  'XDEL d +',
  'XDEL d 3-*',
  'XRANGE d - +',
  'XDEL d 3-1',
  'XLEN d',
  'EXISTS d',
  'TYPE d',
  'XRANGE d - +',
  'XADD d 3-1 a 3',
  'XADD d 3-2 a 3',
  'XLEN d',
);

const TRIM_CASES = cs(
  'DEL t',
  'XTRIM t MAXLEN 0',
  'XTRIM t',
  'XTRIM t MAXLEN',
  'XTRIM t FOO 1',
  'XTRIM t MAXLEN -1',
  'XTRIM t MAXLEN x',
  'XTRIM t MAXLEN ~ 1 LIMIT -1',
  'XTRIM t MAXLEN 1 LIMIT 1',
  'XTRIM t MAXLEN = 1 LIMIT 1',
  'XTRIM t MINID ~ x',
  'XTRIM t MINID -',
  'XTRIM t MINID 1-*',
  'XTRIM t MAXLEN 1 MINID 1',
  'XTRIM t LIMIT 0 MAXLEN 1',
  'XTRIM t LIMIT 1',
  'XTRIM t NOMKSTREAM MAXLEN 1',
  'XADD t 1-1 a 1',
  'XADD t 2-1 a 2',
  'XADD t 3-1 a 3',
  'XADD t 4-1 a 4',
  'XTRIM t MAXLEN 3',
  'XTRIM t MAXLEN = 3',
  'XTRIM t MINID 3',
  'XTRIM t MINID = 3-2',
  'XRANGE t - +',
  'XTRIM t MAXLEN ~ 0',
  'XTRIM t MAXLEN 0',
  'XLEN t',
  'EXISTS t',
  'XADD t 4-1 a 4',
  'XADD t 5-1 a 5',
  'XTRIM t MINID 100',
  'XLEN t',
  'XTRIM t MAXLEN 5 MAXLEN 6',
);

/** Streams that fill nodes by count and by bytes, then approximate and exact trims of them. */
function nodeCases(): Cmd[] {
  const cmds: Cmd[] = [['DEL', 'n1', 'n2', 'n3', 'n4', 'n5', 'n6']];
  cmds.push(...fill('n1', 50, () => 1));
  cmds.push(['XADD', 'n1', 'MAXLEN', '~', '10', '60-1', 'f', 'v'], ['XLEN', 'n1']);
  cmds.push(...fill('n2', 250, () => 3));
  cmds.push(['XTRIM', 'n2', 'MAXLEN', '~', '10'], ['XLEN', 'n2'], ['XTRIM', 'n2', 'MAXLEN', '~', '10'], ['XLEN', 'n2']);
  cmds.push(['XTRIM', 'n2', 'MAXLEN', '~', '0'], ['XLEN', 'n2'], ['XRANGE', 'n2', '-', '+', 'COUNT', '2']);
  // values of varied sizes: nodes close on the 4096-byte rule, at places the sizes decide
  cmds.push(...fill('n3', 300, (i) => (i * 37) % 200));
  cmds.push(['XTRIM', 'n3', 'MAXLEN', '~', '100'], ['XLEN', 'n3'], ['XTRIM', 'n3', 'MINID', '~', '200'], ['XLEN', 'n3']);
  cmds.push(['XTRIM', 'n3', 'MAXLEN', '~', '10', 'LIMIT', '10'], ['XLEN', 'n3'], ['XTRIM', 'n3', 'MAXLEN', '~', '10', 'LIMIT', '100'], ['XLEN', 'n3']);
  cmds.push(['XTRIM', 'n3', 'MAXLEN', '~', '10', 'LIMIT', '0'], ['XLEN', 'n3'], ['XRANGE', 'n3', '-', '+', 'COUNT', '1']);
  // fields that differ from the master entry's, integers, long values (a node each)
  cmds.push(...fill('n4', 200, (i) => (i % 17 === 0 ? 5000 : i % 5), 1, (i) => (i % 4 === 0 ? ['f', 'g'] : i % 4 === 1 ? ['12', '-7'] : ['h' + (i % 3), String(i * 1000003)])));
  cmds.push(['XTRIM', 'n4', 'MAXLEN', '~', '150'], ['XLEN', 'n4'], ['XTRIM', 'n4', 'MAXLEN', '~', '20'], ['XLEN', 'n4']);
  // deletes inside nodes, then trims: deleted entries still fill their node
  cmds.push(...fill('n5', 230, () => 2));
  for (let i = 1; i <= 230; i += 3) cmds.push(['XDEL', 'n5', `${i}-1`]);
  cmds.push(...fill('n5', 40, () => 2, 300));
  cmds.push(['XTRIM', 'n5', 'MAXLEN', '~', '100'], ['XLEN', 'n5'], ['XTRIM', 'n5', 'MINID', '~', '150'], ['XLEN', 'n5']);
  for (let i = 201; i <= 230; i++) cmds.push(['XDEL', 'n5', `${i}-1`]);
  cmds.push(['XTRIM', 'n5', 'MAXLEN', '~', '1'], ['XLEN', 'n5'], ['XRANGE', 'n5', '-', '+', 'COUNT', '3']);
  // a whole first node deleted by XDEL, then MAXLEN ~ and exact trims
  cmds.push(...fill('n6', 150, () => 1));
  for (let i = 1; i <= 100; i++) cmds.push(['XDEL', 'n6', `${i}-1`]);
  cmds.push(...fill('n6', 120, () => 1, 1000));
  cmds.push(['XADD', 'n6', 'MAXLEN', '~', '100', '2000-1', 'a', 'b'], ['XLEN', 'n6'], ['XTRIM', 'n6', 'MAXLEN', '=', '77'], ['XLEN', 'n6']);
  cmds.push(['XTRIM', 'n6', 'MINID', '1050'], ['XLEN', 'n6'], ['XTRIM', 'n6', 'MAXLEN', '~', '5'], ['XLEN', 'n6'], ['XRANGE', 'n6', '-', '+', 'COUNT', '2']);
  return cmds;
}

const SETID_CASES = cs(
  'DEL i',
  'XSETID i 5-5',
  'XADD i 3-3 f v',
  'XSETID i 2-2',
  'XSETID i 3-3',
  'XSETID i 10-1 ENTRIESADDED 0',
  'XSETID i 10-1 ENTRIESADDED -1',
  'XSETID i 10-1 MAXDELETEDID 11-1',
  'XSETID i 10-1 MAXDELETEDID 9-1 ENTRIESADDED 5',
  'XADD i 10-1 f v',
  'XADD i 10-2 f v',
  'XDEL i 10-2',
  'XSETID i 10-1',
  'XSETID i x',
  'XSETID i 11-1 FOO',
  'XSETID i 11-1 ENTRIESADDED',
  'XSETID i 11-1 ENTRIESADDED x',
  'XSETID i -',
  'XADD i 10-1 f v',
  'XADD i 10-2 f v',
);

const OTHER_CASES = cs(
  'DEL o o2 o3',
  'XADD o 1-1 f v g w',
  'XADD o 2-1 f v',
  'TYPE o',
  'OBJECT ENCODING o',
  'EXISTS o',
  'XADD o3 1-1 a b',
  'XDEL o3 1-1',
  'TYPE o3',
  'OBJECT ENCODING o3',
  'COPY o o2',
  'XRANGE o2 - +',
  'XADD o2 2-1 f v',
  'XADD o2 3-1 f v',
  'XLEN o',
  'RENAME o2 o4',
  'XRANGE o4 - +',
  'XADD o4 3-1 f v',
  'XADD o4 3-2 f v',
  'RENAME o3 o5',
  'XADD o5 1-1 a b',
  'XADD o5 1-2 a b',
  'COPY o5 o6',
  'XADD o6 1-2 a b',
  'XADD o6 1-3 a b',
  'MOVE o6 1',
  'SELECT 1',
  'XADD o6 1-3 a b',
  'XRANGE o6 - +',
  'SELECT 0',
  'EXPIRE o4 100',
  'TTL o4',
  'DEL o o4 o5',
  'EXISTS o o4',
  'XLEN o',
);

for (const shards of [1, 4]) {
  t.test(`stream commands vs redis-server, ${shards} shard(s)`, async (t) => {
    const p = await pair(t, { shards });
    await t.test('XADD', (t) => check(t, p, ADD_CASES));
    await t.test('XRANGE / XREVRANGE', (t) => check(t, p, RANGE_CASES));
    await t.test('XDEL', (t) => check(t, p, DEL_CASES));
    await t.test('XTRIM', (t) => check(t, p, TRIM_CASES));
    await t.test('trimming whole nodes', (t) => check(t, p, nodeCases()));
    await t.test('XSETID', (t) => check(t, p, SETID_CASES));
    await t.test('TYPE, OBJECT, COPY, RENAME, MOVE, SCAN TYPE, expiry', async (t) => {
      await check(t, p, OTHER_CASES);
      const names = async (cl: RawClient): Promise<string[]> => {
        const r = await cl.send('SCAN', '0', 'TYPE', 'stream', 'COUNT', '100000');
        return r.t === 'array' && r.v && r.v[1].t === 'array' ? (r.v[1].v ?? []).map((x) => formatReply(x)).sort() : [formatReply(r)];
      };
      const [a, b] = await Promise.all([names(p.redis), names(p.respdb)]);
      t.ok(a.length > 3, 'some streams to list');
      t.same(b, a, 'SCAN TYPE stream lists the same keys');
    });
    await t.test('RESP3', (t) =>
      withResp3(p, (q) => check(t, q, [...cs('DEL r3', 'XADD r3 1-1 f v', 'XADD r3 NOMKSTREAM 2-1 f v', 'XADD nokey3 NOMKSTREAM 2-1 f v', 'XRANGE r3 - +', 'XRANGE r3 - + COUNT 0', 'XREVRANGE nokey3 + -', 'XLEN r3', 'XDEL r3 1-1', 'XTRIM r3 MAXLEN 0')])),
    );
    await t.test('auto ids: increasing, ms from the clock', async (t) => {
      await p.respdb.send('DEL', 'a');
      const before = Date.now();
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) {
        const r = await p.respdb.send('XADD', 'a', '*', 'f', String(i));
        ids.push(r.t === 'bulk' && r.v ? r.v.toString() : formatReply(r));
      }
      const parsed = ids.map((s) => s.split('-').map(BigInt));
      t.ok(parsed[0][0] >= BigInt(before - 1000) && parsed[0][0] <= BigInt(Date.now() + 1000), `ms near the clock: ${ids[0]}`);
      for (let i = 1; i < parsed.length; i++) {
        const [a, b] = [parsed[i - 1], parsed[i]];
        t.ok(b[0] > a[0] || (b[0] === a[0] && b[1] === a[1] + 1n), `${ids[i]} follows ${ids[i - 1]}`);
      }
      const far = await p.respdb.send('XADD', 'a', '99999999999999-5', 'f', 'v');
      t.equal(formatReply(far), '"99999999999999-5"');
      t.equal(formatReply(await p.respdb.send('XADD', 'a', '*', 'f', 'v')), '"99999999999999-6"', 'after an id in the future, * increments it');
    });
    await t.test('keyspace events', async (t) => {
      for (const cl of [p.redis, p.respdb]) await cl.send('CONFIG', 'SET', 'notify-keyspace-events', 'KEA');
      const st = await openStreams(p);
      try {
        const cmds = cs('DEL ev', 'XADD ev 1-1 f v', 'XADD ev 2-1 f v', 'XADD ev MAXLEN 1 3-1 f v', 'XADD ev MAXLEN ~ 0 4-1 f v', 'XADD ev MAXLEN 5 5-1 f v', 'XDEL ev 9-9', 'XDEL ev 3-1', 'XDEL ev 4-1 5-1', 'XTRIM ev MAXLEN 5', 'XTRIM ev MAXLEN 0', 'XADD ev NOMKSTREAM 6-1 f v', 'XADD ev MINID 7 7-1 f v', 'XSETID ev 9-9', 'DEL ev', 'XADD ev NOMKSTREAM 6-1 f v');
        t.equal(await eventDiff(p, st, cmds), null);
      } finally {
        await closeStreams(st);
        for (const cl of [p.redis, p.respdb]) await cl.send('CONFIG', 'SET', 'notify-keyspace-events', '');
      }
    });
    await t.test('WRONGTYPE', (t) =>
      wrongTypeMatrix(t, p, {
        own: 'stream',
        key: 'wt:s',
        commands: (k) => [
          ['XADD', k, '1-1', 'f', 'v'],
          ['XADD', k, 'NOMKSTREAM', '*', 'f', 'v'],
          ['XADD', k, '0-0', 'f', 'v'],
          ['XADD', k, 'x', 'f', 'v'],
          ['XADD', k, '1-1', 'f'],
          ['XTRIM', k, 'MAXLEN', '0'],
          ['XTRIM', k, 'MAXLEN', 'x'],
          ['XDEL', k, '1-1'],
          ['XDEL', k, 'x'],
          ['XLEN', k],
          ['XRANGE', k, '-', '+'],
          ['XRANGE', k, '-', '+', 'COUNT', '0'],
          ['XRANGE', k, 'x', '+'],
          ['XREVRANGE', k, '+', '-'],
          ['XSETID', k, '1-1'],
          ['XSETID', k, 'x'],
        ],
      }),
    );
  });
}

/** Everything the streams hold, as text: what a replay must reproduce. */
async function streamsText(cl: RawClient, keys: string[]): Promise<string> {
  const cmds: Cmd[] = [];
  for (const k of keys) cmds.push(['TYPE', k], ['XLEN', k], ['XRANGE', k, '-', '+']);
  // the last id (an XADD just after it must fail on both, with the same text)
  for (const k of keys) cmds.push(['XADD', k, 'NOMKSTREAM', '1-1', 'probe', 'x']);
  return (await cl.pipeline(cmds)).map((r) => formatReply(r)).join('\n');
}

for (const shards of [1, 4]) {
  t.test(`streams survive a restart and their binlog replays into redis-server, ${shards} shard(s)`, async (t) => {
    const b = await startBinlogRespdb(t, shards, 'stream');
    const cl = await RawClient.connect(b.srv.port);
    const keys = ['b1', 'b2', 'b3', 'b4', 'b5', 'b6', 'b7'];
    const cmds: Cmd[] = [];
    for (let i = 0; i < 260; i++) cmds.push(['XADD', 'b1', 'MAXLEN', '~', '50', '*', 'f', 'x'.repeat(i % 90)]);
    for (let i = 0; i < 120; i++) cmds.push(['XADD', 'b2', '*', 'a', String(i)]);
    cmds.push(['XTRIM', 'b2', 'MAXLEN', '~', '10']);
    cmds.push(['XTRIM', 'b2', 'MINID', '~', '0'], ['XDEL', 'b2', '0-1']);
    for (let i = 0; i < 150; i++) cmds.push(['XADD', 'b3', `${i + 1}-*`, 'a', String(i)]);
    cmds.push(['XDEL', 'b3', '1-0', '2-0', '150-0'], ['XTRIM', 'b3', 'MINID', '~', '120', 'LIMIT', '100'], ['XADD', 'b3', 'MINID', '~', '130', '200-*', 'a', 'b']);
    cmds.push(['XADD', 'b4', '5-5', 'f', 'v'], ['XDEL', 'b4', '5-5'], ['XADD', 'b4', 'MAXLEN', '0', '6-*', 'g', 'w']);
    cmds.push(['XADD', 'b5', '1-1', 'f', 'v'], ['XADD', 'b5', '2-2', 'f', 'v'], ['XDEL', 'b5', '2-2'], ['RENAME', 'b5', 'b6'], ['COPY', 'b4', 'b7'], ['XSETID', 'b7', '100-100', 'ENTRIESADDED', '9']);
    const replies = await cl.pipeline(cmds);
    const errors = replies.filter((r) => r.t === 'error').map((r) => formatReply(r));
    t.same(errors, [], 'no errors');
    const before = await streamsText(cl, keys);
    await cl.close();
    await b.srv.restart();
    const cl2 = await RawClient.connect(b.srv.port);
    t.equal(await streamsText(cl2, keys), before, 'the same streams after a restart');
    await cl2.close();
    await b.stop();
    const recs = await readBinlog(b.dir, shards);
    const redis = await startRedis();
    t.teardown(() => redis.stop());
    const rc = await RawClient.connect(redis.port);
    t.teardown(() => rc.close());
    t.same(await replayBinlog(rc, recs), [], 'every record applies');
    t.equal(await streamsText(rc, keys), before, 'redis-server holds the same streams');
  });
}
