// Random sequences of list commands (and the keyspace commands around them) compared with
// redis-server reply by reply, in RESP2 and RESP3, with 1 and 4 shards; and the binlog of a random
// workload, replayed into a fresh redis-server, giving the same data.
import t, { type Test } from 'tap';
import fc from 'fast-check';
import { formatCommand, pair, pipelineDiff, startRedis, type Pair, withResp3 } from '../support/servers.js';
import { readBinlog, replayBinlog, startBinlogRespdb } from '../support/binlog.js';
import { RawClient, formatReply } from '../support/resp-client.js';
import { shardOf } from '../../lib/slot.js';
import { spread } from '../support/keys.js';
import type { Cmd } from './list-cases.js';

type Clients = Pick<Pair, 'redis' | 'respdb'>;

const B = (s: string) => Buffer.from(s, 'latin1');

// ------------------------------------------------------------------------------------------------
// Random command sequences
// ------------------------------------------------------------------------------------------------

const KEYS = ['l0', 'l1', 'l2', 'l3', '{t}a', '{t}b', 's'];
const keyArb = fc.constantFrom(...KEYS);
const elArb = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom('a', 'b', 'c', 'd') },
  { weight: 1, arbitrary: fc.constantFrom('', '1', '-1', 'x\r\n\0y', '\xff') },
);
const idxArb = fc.oneof(
  { weight: 8, arbitrary: fc.integer({ min: -7, max: 7 }).map(String) },
  { weight: 1, arbitrary: fc.constantFrom('9223372036854775807', '-9223372036854775808', 'x', '1.5', '') },
);
const countArb = fc.oneof(
  { weight: 8, arbitrary: fc.integer({ min: 0, max: 5 }).map(String) },
  { weight: 1, arbitrary: fc.constantFrom('-1', 'x', '9223372036854775807', '') },
);
const sideArb = fc.constantFrom('LEFT', 'RIGHT', 'left', 'Right');
const posOptArb = fc.constantFrom(
  ['RANK', '1'], ['RANK', '2'], ['RANK', '-1'], ['RANK', '-3'], ['RANK', '0'], ['RANK', '-9223372036854775808'],
  ['COUNT', '0'], ['COUNT', '1'], ['COUNT', '3'], ['COUNT', '-1'], ['MAXLEN', '0'], ['MAXLEN', '2'], ['MAXLEN', '-1'], ['FOO'],
);

const cmdArb: fc.Arbitrary<Cmd> = fc.oneof(
  { weight: 4, arbitrary: fc.tuple(fc.constantFrom('LPUSH', 'RPUSH'), keyArb, fc.array(elArb, { minLength: 1, maxLength: 4 })).map(([n, k, e]) => [n, k, ...e]) },
  fc.tuple(fc.constantFrom('LPUSHX', 'RPUSHX'), keyArb, fc.array(elArb, { minLength: 1, maxLength: 3 })).map(([n, k, e]) => [n, k, ...e]),
  { weight: 2, arbitrary: fc.tuple(fc.constantFrom('LPOP', 'RPOP'), keyArb, fc.option(countArb)).map(([n, k, cnt]) => (cnt === null ? [n, k] : [n, k, cnt])) },
  fc.tuple(keyArb).map(([k]) => ['LLEN', k]),
  fc.tuple(keyArb, idxArb).map(([k, i]) => ['LINDEX', k, i]),
  fc.tuple(keyArb, fc.constantFrom('BEFORE', 'AFTER', 'after', 'middle'), elArb, elArb).map(([k, w, p, e]) => ['LINSERT', k, w, p, e]),
  fc.tuple(keyArb, idxArb, elArb).map(([k, i, e]) => ['LSET', k, i, e]),
  { weight: 2, arbitrary: fc.tuple(keyArb, idxArb, idxArb).map(([k, a, b]) => ['LRANGE', k, a, b]) },
  fc.tuple(keyArb, idxArb, elArb).map(([k, n, e]) => ['LREM', k, n, e]),
  fc.tuple(keyArb, idxArb, idxArb).map(([k, a, b]) => ['LTRIM', k, a, b]),
  fc.tuple(keyArb, elArb, fc.array(posOptArb, { maxLength: 3 })).map(([k, e, o]) => ['LPOS', k, e, ...o.flat()]),
  { weight: 2, arbitrary: fc.tuple(keyArb, keyArb, sideArb, sideArb).map(([a, b, f, t]) => ['LMOVE', a, b, f, t]) },
  fc.tuple(keyArb, keyArb).map(([a, b]) => ['RPOPLPUSH', a, b]),
  {
    weight: 2,
    arbitrary: fc
      .tuple(fc.array(keyArb, { minLength: 1, maxLength: 4 }), sideArb, fc.option(fc.constantFrom('1', '2', '5', '0')))
      .map(([ks, s, n]) => ['LMPOP', String(ks.length), ...ks, s, ...(n === null ? [] : ['COUNT', n])]),
  },
  fc.tuple(keyArb).map(([k]) => ['DEL', k]),
  fc.tuple(keyArb).map(([k]) => ['EXISTS', k]),
  fc.tuple(keyArb).map(([k]) => ['TYPE', k]),
  fc.tuple(keyArb, elArb).map(([k, v]) => ['SET', k, v]),
  fc.tuple(keyArb, keyArb).map(([a, b]) => ['RENAME', a, b]),
  fc.tuple(keyArb, keyArb).map(([a, b]) => ['COPY', a, b, 'REPLACE']),
);

function finalState(): Cmd[] {
  return KEYS.flatMap((k) => [['TYPE', k], ['LRANGE', k, '0', '-1']]);
}

async function runProperty(t: Test, p: Clients, numRuns: number, label: string): Promise<void> {
  let failure: string | null = null;
  try {
    await fc.assert(
      fc.asyncProperty(fc.array(cmdArb, { minLength: 1, maxLength: 50 }), async (cmds) => {
        const seq: Cmd[] = [['DEL', ...KEYS], ['SET', 's', 'str'], ['RPUSH', 'l0', 'a', 'b', 'c', 'a'], ['RPUSH', '{t}a', 'c', 'd'], ...cmds, ...finalState()];
        const d = await pipelineDiff(p, seq);
        if (d) throw new Error(d);
      }),
      { numRuns },
    );
  } catch (e) {
    failure = (e as Error).message;
  }
  t.equal(failure, null, `random list command sequences (${numRuns} runs, ${label}) agree with redis`);
}

/** The random sequences in RESP3. */
async function resp3(t: Test, p: Pair): Promise<void> {
  await withResp3(p, async (q) => {
    await runProperty(t, q, 30, 'RESP3');
  });
}

// ------------------------------------------------------------------------------------------------
// Binlog: the records of a random list workload, replayed into a fresh redis-server, give the
// same data as the workload did on redis-server itself.
// ------------------------------------------------------------------------------------------------

async function dumpState(cl: RawClient, keys: string[]): Promise<string> {
  const cmds: Cmd[] = [];
  for (const db of ['0', '1']) {
    cmds.push(['SELECT', db]);
    for (const k of keys) cmds.push(['TYPE', k], ['LRANGE', k, '0', '-1']);
  }
  cmds.push(['SELECT', '0']);
  const rs = await cl.pipeline(cmds);
  return rs.map((r) => (r.t === 'error' && r.v.startsWith('WRONGTYPE') ? 'WRONGTYPE' : formatReply(r))).join('\n');
}

async function binlogReplay(t: Test): Promise<void> {
  const nshards = 4;
  const { srv, dir, stop } = await startBinlogRespdb(t, nshards, 'list');
  const ref = await startRedis();
  t.teardown(() => ref.stop());
  const replay = await startRedis();
  t.teardown(() => replay.stop());
  const d = await RawClient.connect(srv.port, srv.host);
  const r = await RawClient.connect(ref.port);
  const keys = spread('bl', 6, nshards).concat(['{h}x', '{h}y']);
  const kArb = fc.constantFrom(...keys);
  const moreArb = fc.oneof(
    cmdArb.map((cmd) => cmd.map((a) => (typeof a === 'string' && KEYS.includes(a) ? keys[KEYS.indexOf(a)] : a))),
    fc.tuple(kArb, kArb).map(([a, b]): Cmd => ['COPY', a, b, 'DB', '1', 'REPLACE']),
    fc.tuple(kArb).map(([a]): Cmd => ['MOVE', a, '1']),
    fc.tuple(kArb, fc.constantFrom('100000', '200000')).map(([a, ms]): Cmd => ['PEXPIRE', a, ms]),
  );
  const seqs = fc.sample(fc.array(moreArb, { minLength: 20, maxLength: 60 }), { numRuns: 12, seed: 4242 });
  const workload: Cmd[] = [];
  workload.push(['RPUSH', keys[0], 'a', 'b', 'c', 'd'], ['RPUSH', keys[1], 'x', 'y'], ['RPUSH', keys[2], ...Array.from({ length: 1500 }, (_, i) => `n${i % 7}`)]);
  workload.push(['LINSERT', keys[2], 'BEFORE', 'n3', 'ins'], ['LREM', keys[2], '5', 'n1'], ['LREM', keys[2], '-5', 'n2']);
  workload.push(['RENAME', keys[2], keys[3]], ['COPY', keys[3], keys[2]], ['LMOVE', keys[3], keys[4], 'LEFT', 'RIGHT']);
  for (const s of seqs) workload.push(...s);
  workload.push(['LMPOP', String(keys.length), ...keys, 'RIGHT', 'COUNT', '3']);
  const [wr, wd] = await Promise.all([r.pipeline(workload), d.pipeline(workload)]);
  let mismatch: string | null = null;
  for (let i = 0; i < workload.length && !mismatch; i++) {
    if (formatReply(wr[i]) !== formatReply(wd[i])) mismatch = `${formatCommand(workload[i])}: redis ${formatReply(wr[i])} respdb ${formatReply(wd[i])}`;
  }
  t.equal(mismatch, null, `the workload (${workload.length} commands) gets the same replies`);
  const want = await dumpState(r, keys);
  t.equal(await dumpState(d, keys), want, 'respdb holds the same data as redis after the workload');
  await d.close();
  await r.close();
  await stop();

  // Merge the shards' binlogs by their global sequence and replay them.
  const recs = await readBinlog(dir, nshards);
  const names = new Set(recs.map((x) => x.args[0].toString('latin1').toUpperCase()));
  t.ok(names.has('LMOVE') || names.has('LPOP') || names.has('RPOP'), `the binlog has list records (${[...names].sort().join(' ')})`);
  const rc = await RawClient.connect(replay.port);
  try {
    const errs = await replayBinlog(rc, recs);
    t.same(errs, [], 'every binlog record applies without error');
    t.equal(await dumpState(rc, keys), want, 'replaying the binlog into a fresh redis-server gives the same data');
  } finally {
    await rc.close();
  }
}

// ------------------------------------------------------------------------------------------------

for (const shards of [1, 4]) {
  t.test(`random list command sequences vs redis-server, ${shards} shard(s)`, async (t) => {
    const p = await pair(t, { shards });
    if (shards === 4) t.not(shardOf(B('l0'), 4), shardOf(B('l1'), 4), 'random-sequence keys l0 and l1 are on different shards');
    await t.test('random command sequences', (t) => runProperty(t, p, shards === 4 ? 120 : 80, 'RESP2'));
    await t.test('RESP3', (t) => resp3(t, p));
  });
}

t.test('binlog replayed into redis-server gives the same data', (t) => binlogReplay(t));
