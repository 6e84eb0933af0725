// Random sequences of string commands (fast-check), pipelined to redis-server 7.0 and respdb and
// compared reply by reply, over keys on one shard and across shards; and the string replies in
// RESP3 (static cases and random sequences). Run with 1 and 4 shards.
import t, { type Test } from 'tap';
import fc from 'fast-check';
import { diff, pair, pipelineDiff, type Pair, withResp3 } from '../support/servers.js';

type Cmd = (string | Buffer)[];

/** "SET k v" -> ['SET', 'k', 'v'] (no empty or spaced arguments; use arrays for those). */
const c = (s: string): Cmd => s.split(' ');
const cs = (...lines: string[]): Cmd[] => lines.map(c);

// ------------------------------------------------------------------------------------------------
// Random command sequences
// ------------------------------------------------------------------------------------------------

const KEYS = ['k0', 'k1', 'k2', 'k3', '{t}a', '{t}b'];
const keyArb = fc.constantFrom(...KEYS);
const valueArb = fc.oneof(
  fc.constantFrom('', 'a', 'ab', 'abc', 'cab', '0', '1', '-1', '10', '3.5', '1e3', ' 1', '007', '9223372036854775807', '-9223372036854775808', 'x\r\n\0y'),
  fc.string({ maxLength: 8, unit: fc.constantFrom('a', 'b', 'c', '1', '\0', '\r') }),
  fc.integer({ min: -1000, max: 1000 }).map(String),
);
const intArb = fc.oneof(
  fc.integer({ min: -20, max: 20 }).map(String),
  fc.constantFrom('9223372036854775807', '-9223372036854775808', '9223372036854775808', 'abc', '1.5', '', '+1', '-0'),
);
const floatArb = fc.oneof(
  fc.constantFrom('0.1', '-0.1', '1e3', '1.5', '-3.25', 'inf', 'abc', '0x10', '1e-20', '5e30', '-0', '1e400', '.5', '0'),
  fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e6, max: 1e6 }).map(String),
);
const setOptArb = fc.constantFrom(
  ['NX'], ['XX'], ['GET'], ['KEEPTTL'], ['EX', '100'], ['PX', '100000'], ['EXAT', '1'], ['PXAT', '1'], ['EXAT', '99999999999'],
  ['EX', '0'], ['EX', 'abc'], ['PERSIST'], ['ex'],
);
const getexOptArb = fc.constantFrom(
  ['EX', '100'], ['PX', '100000'], ['EXAT', '1'], ['PXAT', '1'], ['PERSIST'], ['EXAT', '99999999999'], ['EX', '-1'], ['NX'], ['px'],
);
const lcsOptArb = fc.constantFrom(['LEN'], ['IDX'], ['WITHMATCHLEN'], ['MINMATCHLEN', '2'], ['MINMATCHLEN', '0'], ['MINMATCHLEN', 'x'], ['FOO']);
const flat = (opts: readonly (readonly string[])[]): string[] => opts.flat();
const idxArb = fc.oneof(fc.integer({ min: -8, max: 8 }).map(String), fc.constantFrom('9223372036854775807', '-9223372036854775808', 'x'));

const cmdArb: fc.Arbitrary<Cmd> = fc.oneof(
  fc.tuple(keyArb).map(([k]) => ['GET', k]),
  fc.tuple(keyArb, valueArb, fc.array(setOptArb, { maxLength: 3 })).map(([k, v, o]) => ['SET', k, v, ...flat(o)]),
  fc.tuple(keyArb, valueArb).map(([k, v]) => ['SETNX', k, v]),
  fc.tuple(keyArb, fc.constantFrom('100', '0', 'abc', '-5'), valueArb).map(([k, s, v]) => ['SETEX', k, s, v]),
  fc.tuple(keyArb, fc.constantFrom('100000', '0', 'x'), valueArb).map(([k, s, v]) => ['PSETEX', k, s, v]),
  fc.tuple(keyArb, valueArb).map(([k, v]) => ['GETSET', k, v]),
  fc.tuple(keyArb).map(([k]) => ['GETDEL', k]),
  fc.tuple(keyArb, fc.array(getexOptArb, { maxLength: 2 })).map(([k, o]) => ['GETEX', k, ...flat(o)]),
  fc.array(keyArb, { minLength: 1, maxLength: 5 }).map((ks) => ['MGET', ...ks]),
  fc.array(fc.tuple(keyArb, valueArb), { minLength: 1, maxLength: 4 }).map((kv) => ['MSET', ...kv.flat()]),
  fc.array(fc.tuple(keyArb, valueArb), { minLength: 1, maxLength: 4 }).map((kv) => ['MSETNX', ...kv.flat()]),
  fc.tuple(keyArb, valueArb).map(([k, v]) => ['APPEND', k, v]),
  fc.tuple(keyArb).map(([k]) => ['STRLEN', k]),
  fc.tuple(keyArb).map(([k]) => ['INCR', k]),
  fc.tuple(keyArb).map(([k]) => ['DECR', k]),
  fc.tuple(keyArb, intArb).map(([k, n]) => ['INCRBY', k, n]),
  fc.tuple(keyArb, intArb).map(([k, n]) => ['DECRBY', k, n]),
  fc.tuple(keyArb, floatArb).map(([k, f]) => ['INCRBYFLOAT', k, f]),
  fc.tuple(fc.constantFrom('GETRANGE', 'SUBSTR'), keyArb, idxArb, idxArb).map(([n, k, a, b]) => [n, k, a, b]),
  fc.tuple(keyArb, fc.constantFrom('0', '1', '3', '10', '-1', 'x'), valueArb).map(([k, o, v]) => ['SETRANGE', k, o, v]),
  fc.tuple(keyArb, keyArb, fc.array(lcsOptArb, { maxLength: 3 })).map(([a, b, o]) => ['LCS', a, b, ...flat(o)]),
  fc.array(keyArb, { minLength: 1, maxLength: 3 }).map((ks) => ['DEL', ...ks]),
  fc.array(keyArb, { minLength: 1, maxLength: 3 }).map((ks) => ['EXISTS', ...ks]),
);

async function runProperty(t: Test, p: Pick<Pair, 'redis' | 'respdb'>, numRuns: number): Promise<void> {
  let failure: string | null = null;
  try {
    await fc.assert(
      fc.asyncProperty(fc.array(cmdArb, { minLength: 1, maxLength: 40 }), async (cmds) => {
        const seq: Cmd[] = [['DEL', ...KEYS], ...cmds, ['MGET', ...KEYS]];
        const d = await pipelineDiff(p, seq);
        if (d) throw new Error(d);
      }),
      { numRuns },
    );
  } catch (e) {
    failure = (e as Error).message;
  }
  t.equal(failure, null, `random string command sequences (${numRuns} runs) agree with redis`);
}

// ------------------------------------------------------------------------------------------------
// RESP3
// ------------------------------------------------------------------------------------------------

async function resp3(t: Test, p: Pair): Promise<void> {
  await withResp3(p, async (q) => {
    await diff(t, q, [
      ...cs(
        'DEL k0 k1 k2 k3',
        'GET k0',
        'SET k0 v GET',
        'SET k0 w NX',
        'SET k1 w XX GET',
        'MGET k0 k1 k2 k3',
        'MSET k1 a k2 b',
        'MGET k3 k2 k1 k0 nokey',
        'GETEX nokey',
        'GETDEL nokey',
        'GETSET k3 x',
        'INCRBYFLOAT k3f 1.5',
        'INCR k3i',
        'MSETNX k0 a k3 b',
        'MSET k0 ohmytext k1 mynewtext',
        'LCS k0 k1',
        'LCS k0 k1 LEN',
        'LCS k0 k1 IDX WITHMATCHLEN',
        'LCS k0 nokey IDX',
        'GETRANGE nokey 0 -1',
        'SETRANGE k2 0 x',
        'STRLEN k2',
      ),
    ], { label: 'RESP3' });
    await runProperty(t, q, 40);
  });
}

// ------------------------------------------------------------------------------------------------

for (const shards of [1, 4]) {
  t.test(`random string command sequences vs redis-server, ${shards} shard(s)`, async (t) => {
    const p = await pair(t, { shards });
    await t.test('random command sequences', (t) => runProperty(t, p, shards === 4 ? 150 : 100));
    await t.test('RESP3', (t) => resp3(t, p));
  });
}
