// LCS against redis-server 7.0: every option and error, keys on one shard and on two (lcs-get on
// key1's shard, lcs-with on key2's), and random short strings, where the reported match ranges
// must follow redis's walk exactly. Run with 1 and 4 shards.
import t, { type Test } from 'tap';
import fc from 'fast-check';
import { diff, pair, pipelineDiff, type Pair } from '../support/servers.js';

type Cmd = (string | Buffer)[];

/** "SET k v" -> ['SET', 'k', 'v'] (no empty or spaced arguments; use arrays for those). */
const c = (s: string): Cmd => s.split(' ');
const cs = (...lines: string[]): Cmd[] => lines.map(c);

function lcsCases(): Cmd[] {
  return cs(
    'MSET la ohmytext lb mynewtext',
    'LCS la lb',
    'LCS la lb LEN',
    'LCS la lb IDX',
    'LCS la lb IDX MINMATCHLEN 4',
    'LCS la lb IDX MINMATCHLEN 4 WITHMATCHLEN',
    'LCS la lb idx withmatchlen',
    'LCS la lb IDX MINMATCHLEN -5',
    'LCS la lb IDX MINMATCHLEN 0 MINMATCHLEN 3',
    'LCS la lb IDX MINMATCHLEN 9223372036854775807',
    'LCS la lb IDX IDX',
    'LCS la lb LEN LEN',
    'LCS la lb WITHMATCHLEN',
    'LCS la lb LEN WITHMATCHLEN',
    'LCS la lb MINMATCHLEN 2',
    'LCS la lb LEN IDX',
    'LCS la lb IDX LEN',
    'LCS la lb MINMATCHLEN',
    'LCS la lb MINMATCHLEN x',
    'LCS la lb MINMATCHLEN 1.5 IDX',
    'LCS la lb FOO',
    'LCS la lb LEN FOO',
    'LCS la',
    'LCS',
    'LCS la nokey',
    'LCS la nokey IDX',
    'LCS nokey nokey2 LEN',
    'LCS la la IDX WITHMATCHLEN',
    'MSET lc abcabcabc ld cbacbacba',
    'LCS lc ld IDX WITHMATCHLEN',
    'LCS ld lc IDX WITHMATCHLEN',
    'MSET k0 GATTACA k1 TAGACCA k2 AAAA k3 ACGTACGTTTGACA',
    // across shards when there are several
    'LCS k0 k1',
    'LCS k0 k1 IDX WITHMATCHLEN',
    'LCS k1 k0 IDX MINMATCHLEN 2 WITHMATCHLEN',
    'LCS k2 k3 LEN',
    'LCS k3 k0 IDX',
    'LCS k0 k1 LEN IDX',
    'LCS k0 k1 FOO',
    'LCS k0 k1 MINMATCHLEN abc',
    'LCS k0 nokey IDX',
    'LCS nokey k0',
  );
}

/** LCS on random short strings over a small alphabet: the reported ranges follow redis's walk. */
async function runLcsProperty(t: Test, p: Pick<Pair, 'redis' | 'respdb'>): Promise<void> {
  let failure: string | null = null;
  const s = fc.string({ maxLength: 14, unit: fc.constantFrom('a', 'b', 'c') });
  try {
    await fc.assert(
      fc.asyncProperty(s, s, fc.integer({ min: 0, max: 3 }), async (a, b, min) => {
        const seq: Cmd[] = [
          ['MSET', 'k0', a, 'k1', b],
          ['LCS', 'k0', 'k1', 'IDX', 'WITHMATCHLEN', 'MINMATCHLEN', String(min)],
          ['LCS', 'k1', 'k0'],
          ['LCS', 'k0', 'k1', 'LEN'],
        ];
        const d = await pipelineDiff(p, seq);
        if (d) throw new Error(d);
      }),
      { numRuns: 150 },
    );
  } catch (e) {
    failure = (e as Error).message;
  }
  t.equal(failure, null, 'LCS on random strings agrees with redis');
}

// ------------------------------------------------------------------------------------------------

for (const shards of [1, 4]) {
  t.test(`LCS vs redis-server, ${shards} shard(s)`, async (t) => {
    const p = await pair(t, { shards });
    await t.test('LCS', async (t) => void (await diff(t, p, lcsCases())));
    await t.test('pipelined (one batch)', async (t) => {
      t.equal(await pipelineDiff(p, [...cs('FLUSHALL'), ...lcsCases()]), null, 'the same commands in one pipeline');
    });
    await t.test('LCS random strings', (t) => runLcsProperty(t, p));
  });
}
