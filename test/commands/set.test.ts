// Set commands against redis-server 7.0, the static cases: every command and option, errors and
// arity, binary members, long keys, empty sets disappearing, OBJECT ENCODING transitions (the cases
// are set-cases.ts; also all in one pipeline), WRONGTYPE against every other type with the foreign
// key at each key position, intset order, expiry, RENAME / COPY / MOVE within and across shards,
// COMMAND INFO. Run with 1 and 4 shards. The random-output commands are set-random.test.ts, random
// command sequences, RESP3, cross-shard atomicity and the binlog set-sequences.test.ts.
import t, { type Test } from 'tap';
import { pair, type Pair } from '../support/servers.js';
import { wrongTypeMatrix } from '../support/wrongtype.js';
import { shardOf } from '../../lib/slot.js';
import { check, cs, diffShown, sleep, type Cmd } from './set-support.js';
import { algebraCases, arityCases, basicCases, binaryCases, encodingCases, randomCases, smoveCases, sscanCases } from './set-cases.js';

// ------------------------------------------------------------------------------------------------
// WRONGTYPE
// ------------------------------------------------------------------------------------------------

/**
 * Every set command on a key of each other type: the single-key commands, and the multi-key ones
 * with the foreign key at each key position, beside own sets `a` and `b` (`d` a destination,
 * `none` missing). The *STORE commands with the foreign key as their destination replace it.
 */
async function wrongType(t: Test, p: Pair, keys: { foreign: string; a: string; b: string; d: string; none: string }): Promise<void> {
  const { foreign, a, b, d, none } = keys;
  const setup: Cmd[] = [['DEL', a, b, d, none], ['SADD', a, 'a', 'b', 'c'], ['SADD', b, 'b', 'c', 'd']];
  const single = (k: string): Cmd[] => [
    ['SADD', k, 'a'], ['SREM', k, 'a'], ['SCARD', k], ['SISMEMBER', k, 'a'], ['SMISMEMBER', k, 'a', 'b'], ['SMEMBERS', k],
    ['SRANDMEMBER', k], ['SRANDMEMBER', k, '0'], ['SRANDMEMBER', k, '2'], ['SRANDMEMBER', k, '-2'], ['SRANDMEMBER', k, 'x'],
    ['SPOP', k], ['SPOP', k, '0'], ['SPOP', k, '2'], ['SPOP', k, 'x'],
    ['SSCAN', k, '0'], ['SSCAN', k, '0', 'COUNT', 'x'], ['SSCAN', k, 'x'],
  ];
  const multi = (k: string): Cmd[] => [
    ['SMOVE', k, a, 'a'], ['SMOVE', a, k, 'a'], ['SMOVE', a, k, 'zz'], ['SMOVE', k, k, 'a'], ['SMOVE', none, k, 'a'], ['SMOVE', k, none, 'a'],
    ...['SINTER', 'SUNION', 'SDIFF'].flatMap((op): Cmd[] => [[op, k], [op, k, a, b], [op, a, k, b], [op, a, b, k], [op, none, k], [op, k, none]]),
    ['SINTERCARD', '1', k], ['SINTERCARD', '3', k, a, b], ['SINTERCARD', '3', a, k, b], ['SINTERCARD', '3', a, b, k],
    ['SINTERCARD', '2', none, k], ['SINTERCARD', '2', a, k, 'LIMIT', '1'],
    ...['SINTERSTORE', 'SUNIONSTORE', 'SDIFFSTORE'].flatMap((op): Cmd[] => [[op, d, k], [op, d, k, a], [op, d, a, k], [op, d, a, b, k], [op, d, none, k]]),
    ['EXISTS', d],
  ];
  await t.test('single-key commands', (t) => wrongTypeMatrix(t, p, { own: 'set', key: foreign, setup, commands: single }));
  await t.test('multi-key commands, the foreign key at each position', (t) => wrongTypeMatrix(t, p, { own: 'set', key: foreign, setup, commands: multi }));
  for (const op of ['SINTERSTORE', 'SUNIONSTORE', 'SDIFFSTORE']) {
    await t.test(`${op} into the foreign key`, (t) =>
      wrongTypeMatrix(t, p, { own: 'set', key: foreign, setup, commands: (k) => [[op, k, a, b], ['TYPE', k], ['SCARD', k], [op, k, none], ['EXISTS', k]] }),
    );
  }
}

// ------------------------------------------------------------------------------------------------
// Expiry, RENAME / COPY / MOVE, intset order, COMMAND INFO
// ------------------------------------------------------------------------------------------------

/** A set with a short TTL disappears for every command; writes keep or clear the TTL as Redis. */
async function expiry(t: Test, p: Pair): Promise<void> {
  const setup = cs(
    'DEL x1 x2 x3 x4 k0 k1 k2',
    'SADD x1 a b c',
    'PEXPIRE x1 300',
    'SADD x1 d',
    'SREM x1 a',
    'SADD x2 1 2',
    'PEXPIRE x2 300',
    'SADD k0 a b 1',
    'PEXPIRE k0 300',
    'SADD k1 a b 2',
    'SADD x3 a',
    'PEXPIRE x3 300',
    'SUNIONSTORE x3 k1',
    'SADD x4 q',
    'PEXPIRE x4 300',
    'SMOVE k1 x4 a',
    'SINTERSTORE k2 k0 k1',
    'PEXPIRE k2 300',
  );
  t.equal(await diffShown(p, setup), null, 'setting up sets with short TTLs');
  await check(t, p, cs('TTL x1', 'TTL x3', 'TTL x4', 'SCARD x1', 'SMEMBERS x4'), 'before expiry');
  await sleep(600);
  await check(t, p, [
    ...cs(
      'SMEMBERS x1', 'SCARD x1', 'SISMEMBER x1 b', 'EXISTS x1', 'TYPE x1', 'SMEMBERS x3', 'EXISTS x4', 'SRANDMEMBER x2', 'SRANDMEMBER x2 3',
      'SPOP x2', 'SSCAN x2 0', 'SINTER k0 k1', 'SUNION k0 k1', 'SDIFF k0 k1', 'SINTERCARD 2 k1 k0', 'SMOVE k0 k1 a', 'SMOVE k1 k0 b',
      'SMEMBERS k0', 'SMEMBERS k1', 'SUNIONSTORE k2 k2 k1', 'TTL k2', 'SMEMBERS k2', 'SADD x1 new', 'SMEMBERS x1', 'TTL x1',
      'DEL x1 x2 x3 x4 k0 k1 k2',
    ),
  ], 'after expiry');
}

/** RENAME / RENAMENX / COPY / MOVE of sets, within a shard and (with 4 shards) across shards. */
async function moves(t: Test, p: Pair): Promise<void> {
  await check(t, p, [
    ...cs(
      'FLUSHALL',
      'SADD k0 3 1 2',
      'PEXPIRE k0 1000000',
      'SADD k1 a b c',
      'RENAME k0 k2',
      'EXISTS k0',
      'SMEMBERS k2',
      'OBJECT ENCODING k2',
      'TTL k2',
      'RENAME k1 k3',
      'OBJECT ENCODING k3',
      'SMEMBERS k3',
      'TTL k3',
      'COPY k2 k0',
      'SMEMBERS k0',
      'TTL k0',
      'OBJECT ENCODING k0',
      'SADD k0 4',
      'SMEMBERS k2',
      'SMEMBERS k0',
      'COPY k3 k0',
      'COPY k3 k0 REPLACE',
      'SMEMBERS k0',
      'OBJECT ENCODING k0',
      'TTL k0',
      'SREM k3 a',
      'SMEMBERS k0',
      'SMEMBERS k3',
      'RENAMENX k3 k0',
      'RENAMENX k3 k1',
      'SMEMBERS k1',
      'SET str v',
      'RENAME k1 str',
      'TYPE str',
      'SMEMBERS str',
      'SADD h 1 2 x',
      'SREM h x',
      'COPY h k1',
      'OBJECT ENCODING k1',
      'RENAME h k3',
      'OBJECT ENCODING k3',
      'SMEMBERS k3',
      'COPY k3 k3',
      'COPY k3 k1 DB 1',
      'COPY k3 k2 DB 1 REPLACE',
      'MOVE k0 1',
      'EXISTS k0',
      'SELECT 1',
      'SMEMBERS k0',
      'SMEMBERS k1',
      'OBJECT ENCODING k1',
      'SMEMBERS k2',
      'SINTER k0 k1 k2',
      'SUNIONSTORE k3 k0 k1',
      'SMEMBERS k3',
      'MOVE k3 0',
      'SELECT 0',
      'SMEMBERS k3',
      'SADD {t}a x y',
      'RENAME {t}a {t}b',
      'SMEMBERS {t}b',
      'COPY {t}b {t}a',
      'SREM {t}a x',
      'SMEMBERS {t}a',
      'SMEMBERS {t}b',
      'DEL {t}a {t}b',
      'EXISTS {t}a {t}b',
      'FLUSHALL',
    ),
  ], 'rename/copy/move');
}

/** Members of an intset come back in numeric order, exactly as Redis lists them. */
async function intsetOrder(t: Test, p: Pair): Promise<void> {
  await check(t, p, [
    ...cs(
      'DEL k0 k1 k2 {t}a {t}b',
      'SADD k0 100 -3 7 42 0 -9223372036854775808 9223372036854775807 12',
      'SADD k1 7 12 5 -3 1000',
      'SADD {t}a 9 3 11 1',
      'SADD {t}b 11 3 2',
      'SMEMBERS k0',
      'SSCAN k0 0',
      'SSCAN k0 0 MATCH 1*',
      'SINTER k0 k1',
      'SUNION k0 k1',
      'SDIFF k0 k1',
      'SINTER {t}a {t}b',
      'SUNION {t}a {t}b',
      'SDIFF {t}a {t}b',
      'SRANDMEMBER k1 10',
      'SUNIONSTORE k2 k0 k1',
      'SMEMBERS k2',
      'SPOP k1 100',
      'DEL k0 k1 k2 {t}a {t}b',
    ),
  ], 'intset order', true);
}

/** COMMAND INFO of the set commands; COMMAND GETKEYS of the multi-key ones; no internal command shows. */
async function commandInfo(t: Test, p: Pair): Promise<void> {
  const names = [
    'sadd', 'srem', 'scard', 'sismember', 'smismember', 'smembers', 'srandmember', 'spop', 'smove', 'sinter', 'sintercard', 'sinterstore',
    'sunion', 'sunionstore', 'sdiff', 'sdiffstore', 'sscan',
  ];
  await check(t, p, [
    ...names.map((n) => ['COMMAND', 'INFO', n]),
    ...cs(
      'COMMAND GETKEYS SINTERCARD 2 a b LIMIT 3',
      'COMMAND GETKEYS SINTERCARD 1 a b',
      'COMMAND GETKEYS SINTERCARD 0 a',
      'COMMAND GETKEYS SINTERCARD 5 a',
      'COMMAND GETKEYS SINTERCARD x a',
      'COMMAND GETKEYS SMOVE a b c',
      'COMMAND GETKEYS SINTERSTORE d a b',
      'COMMAND GETKEYS SDIFF a b c',
      'COMMAND INFO set-cards set-union set-inter set-diff set-store',
    ),
  ], 'COMMAND');
}

// ------------------------------------------------------------------------------------------------

for (const shards of [1, 4]) {
  t.test(`set commands vs redis-server, ${shards} shard(s)`, async (t) => {
    const p = await pair(t, { shards });
    if (shards === 4) {
      const s = new Set(['k0', 'k1', 'k2', 'k3'].map((k) => shardOf(Buffer.from(k), 4)));
      t.equal(s.size, 4, 'k0..k3 are on four different shards');
    }
    await t.test('SADD SREM SCARD SISMEMBER SMISMEMBER SMEMBERS', async (t) => void (await check(t, p, basicCases())));
    await t.test('SRANDMEMBER SPOP (deterministic cases)', async (t) => void (await check(t, p, randomCases())));
    await t.test('SMOVE', async (t) => void (await check(t, p, smoveCases())));
    await t.test('SINTER SUNION SDIFF SINTERCARD *STORE', async (t) => void (await check(t, p, algebraCases())));
    await t.test('SSCAN', async (t) => void (await check(t, p, sscanCases())));
    await t.test('OBJECT ENCODING', async (t) => void (await check(t, p, encodingCases())));
    await t.test('arity errors', async (t) => void (await check(t, p, arityCases())));
    await t.test('binary members, long keys', async (t) => {
      await check(t, p, binaryCases());
    });
    await t.test('WRONGTYPE, keys on one shard', (t) => wrongType(t, p, { foreign: '{wt}x', a: '{wt}a', b: '{wt}b', d: '{wt}d', none: '{wt}none' }));
    // with 4 shards k0..k3 are on four shards: every multi-key command runs across shards
    await t.test('WRONGTYPE, keys on different shards', (t) => wrongType(t, p, { foreign: 'k0', a: 'k1', b: 'k2', d: 'k3', none: 'nokey' }));
    await t.test('intset order', (t) => intsetOrder(t, p));
    await t.test('expiry', (t) => expiry(t, p));
    await t.test('RENAME COPY MOVE', (t) => moves(t, p));
    await t.test('COMMAND INFO', (t) => commandInfo(t, p));
    await t.test('pipelined (one batch)', async (t) => {
      const cmds = [...basicCases(), ...smoveCases(), ...algebraCases(), ...sscanCases()];
      t.equal(await diffShown(p, cmds), null, 'the same commands in one pipeline');
    });
  });
}
