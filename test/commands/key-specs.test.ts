// Key specs as the one statement of key positions (lib/commands/key-specs.ts): COMMAND INFO's
// legacy range and the key finder, on the spec shapes Redis 7.0 uses. The commands respdb has are
// compared with redis-server in the families' COMMAND INFO / GETKEYS tests; the shapes no command
// of respdb uses yet (a keyword begin, a range with a limit) are checked here on the examples of
// Redis's key-specs documentation (XREAD, GEORADIUS ... STORE, MIGRATE ... KEYS).
import t from 'tap';
import { compileKeyFinder, INVALID_KEYS, legacyRange, type AnyKeySpec } from '../../lib/commands/key-specs.js';
import type { KeySpecDoc } from '../../lib/commands/types.js';

const index = (i: number, lastkey = 0, keystep = 1, limit = 0): KeySpecDoc => ({ flags: ['RW'], begin: { index: i }, find: { lastkey, keystep, limit } });
const keynum = (i: number, keynumidx = 0, firstkey = 1, keystep = 1): KeySpecDoc => ({ flags: ['RO'], begin: { index: i }, find: { keynumidx, firstkey, keystep } });
const keyword = (kw: string, startfrom: number, lastkey = 0, keystep = 1, limit = 0): KeySpecDoc => ({ flags: ['RO'], begin: { keyword: kw, startfrom }, find: { lastkey, keystep, limit } });
const unknown: AnyKeySpec = { flags: ['RO', 'incomplete'], unknown: true };

const A = (s: string): Buffer[] => s.split(' ').map((a) => Buffer.from(a));
const keysOf = (specs: AnyKeySpec[], line: string): readonly number[] | 'invalid' => {
  const r = compileKeyFinder(specs)(A(line));
  return r === INVALID_KEYS ? 'invalid' : r;
};

t.test('legacy range (COMMAND INFO first/last/step)', async (t) => {
  t.same(legacyRange([]), { first: 0, last: 0, step: 0 }, 'no keys');
  t.same(legacyRange([index(1)]), { first: 1, last: 1, step: 1 }, 'GET');
  t.same(legacyRange([index(1, -1, 2)]), { first: 1, last: -1, step: 2 }, 'MSET: one spec is the range itself');
  t.same(legacyRange([index(1), index(2)]), { first: 1, last: 2, step: 1 }, 'LMOVE: consecutive specs join');
  t.same(legacyRange([index(1), keynum(2)]), { first: 1, last: 1, step: 1 }, 'ZUNIONSTORE: the keynum spec is left out');
  t.same(legacyRange([index(1), index(3)]), { first: 1, last: 1, step: 1 }, 'a spec that does not follow the previous one is left out');
  t.same(legacyRange([index(1, 0), index(2, -1)]), { first: 1, last: -1, step: 1 }, 'a last key counted from the end wins');
  t.same(legacyRange([index(1, 0, 1), index(2, 0, 2)]), { first: 1, last: 1, step: 1 }, 'a spec with a step is left out');
  t.same(legacyRange([keynum(1)]), { first: 0, last: 0, step: 0 }, 'LMPOP: only a keynum spec, no legacy range');
  t.same(legacyRange([index(1), unknown]), { first: 1, last: 1, step: 1 }, 'SORT: the unknown specs are left out');
});

t.test('fixed ranges: one shared array for every call of a valid length', async (t) => {
  const find = compileKeyFinder([index(1, 1)]);
  const a = find(A('RENAME a b'));
  t.same(a, [1, 2]);
  t.equal(find(A('RENAME c d')), a, 'the same frozen array');
  t.ok(Object.isFrozen(a));
  t.equal(find(A('RENAME a')), INVALID_KEYS, 'too few arguments for the range');
});

t.test('ranges to the end, with steps', async (t) => {
  t.same(keysOf([index(1, -1)], 'DEL a b c'), [1, 2, 3]);
  t.same(keysOf([index(1, -1, 2)], 'MSET a 1 b 2'), [1, 3]);
  t.same(keysOf([index(1, -1, 2)], 'MSET a 1 b'), [1, 3], 'an incomplete pair still names its key (as Redis)');
  t.same(keysOf([index(1, -2)], 'BLPOP a b 0'), [1, 2], 'all but the last argument');
});

t.test('key counts: glibc atoi, invalid counts name no keys', async (t) => {
  const lmpop = [keynum(1)];
  t.same(keysOf(lmpop, 'LMPOP 2 a b LEFT'), [2, 3]);
  t.same(keysOf(lmpop, 'LMPOP 1 a b LEFT'), [2]);
  t.same(keysOf(lmpop, 'LMPOP 2abc a b LEFT'), [2, 3], 'atoi reads the leading digits');
  t.same(keysOf(lmpop, 'LMPOP 4294967298 a b LEFT'), [2, 3], 'atoi truncates to 32 bits');
  for (const n of ['0', '-1', 'x', '4', '']) t.equal(keysOf(lmpop, `LMPOP ${n} a b LEFT`.replace('  ', ' ')), 'invalid', `numkeys '${n}'`);
  t.same(keysOf([index(1), keynum(2)], 'ZUNIONSTORE d 2 a b'), [1, 3, 4], 'destination, then the counted keys');
  t.same(keysOf([keynum(2)], 'BLMPOP 0 2 a b LEFT'), [3, 4], 'the count after the timeout');
  t.same(keysOf([keynum(1, 0, 1, 2)], 'X 2 a 1 b 2'), [2, 4], 'counted keys with a step');
});

t.test('keyword begin and a range with a limit (shapes of the key-specs documentation)', async (t) => {
  // XREAD [COUNT n] [BLOCK ms] STREAMS key [key ...] id [id ...]: the first half after STREAMS
  const xread = [keyword('STREAMS', 1, -1, 1, 2)];
  t.same(keysOf(xread, 'XREAD COUNT 2 STREAMS a b 0 0'), [4, 5]);
  t.same(keysOf(xread, 'XREAD STREAMS a 0'), [2]);
  t.same(keysOf(xread, 'XREAD COUNT 2'), [], 'no STREAMS: no keys of its kind (COMMAND GETKEYS then answers Invalid arguments)');
  // GEORADIUS ... [STORE key]: the keyword searched from argument 6
  const store = [index(1), keyword('STORE', 6)];
  t.same(keysOf(store, 'GEORADIUS g 1 2 3 km STORE out'), [1, 7]);
  t.same(keysOf(store, 'GEORADIUS g 1 2 3 km'), [1], 'an absent keyword names no keys of its kind');
  t.same(keysOf(store, 'GEORADIUS store 1 2 3 km'), [1], 'a key that reads like the keyword before startfrom is not it');
  // MIGRATE host port key db timeout [KEYS key ...]: searched backwards from the end
  const migrate = [index(3), keyword('KEYS', -2, -1)];
  t.same(keysOf(migrate, 'MIGRATE h p "" 0 5 KEYS a b'), [3, 7, 8]);
  t.same(keysOf([keyword('KEYS', 1, -1)], 'X keys a'), [2], 'the keyword matched case-insensitively');
  t.same(keysOf([keyword('keys', 1, -1)], 'X KEYS a'), [2]);
});
