// The keyspace store room over whole databases (lib/store/keyspace-db.ts), without sockets: KEYS
// matching and SCAN steps over a store with expired keys, long (hashed) keys and every type, the
// key count, a random key, FLUSHDB / FLUSHALL and SWAPDB with their binlog effects.
import t, { type Test } from 'tap';
import fc from 'fast-check';
import { openTestStore, type TestStore } from '../support/store.js';
import {
  SCAN_ANY_TYPE, SCAN_NO_TYPE, flushAll, flushDb, keyCount, literalPrefix, matchingKeys, randomKeyOf, scanStep, swapDbs,
} from '../../lib/store/keyspace-db.js';
import { expireKey } from '../../lib/store/keyspace.js';
import { T_HASH, T_STRING, T_ZSET } from '../../lib/store/meta.js';
import { contents, make } from './keyspace-fixtures.js';

const B = (s: string) => Buffer.from(s, 'latin1');
const text = (ks: Buffer[]) => ks.map((k) => k.toString('latin1')).sort();

/** 1 kB past the inline key limit: stored under its hash, with the full key in the record. */
const LONG_KEY = 'K'.repeat(1100) + ':long';

/** A store with live keys of every type, two expired keys and a long key in db 0, one key in db 1. */
function filled(t: Test): { s: TestStore; live: string[] } {
  const s = openTestStore(t);
  const live = ['a', 'ab', 'abc', 'b', 'user:1', 'user:2', 'user:10', 'h', 'l', 'st', 'z', 'a*b', 'x\r\ny', '\x00bin\xff', '', LONG_KEY];
  s.write((x) => {
    for (const k of live) make(x, k === 'h' ? 'hash' : k === 'l' ? 'list' : k === 'st' ? 'set' : k === 'z' ? 'zset' : 'string', B(k));
    for (const k of ['gone', 'user:gone']) {
      make(x, 'string', B(k));
      expireKey(x, B(k), BigInt(x.now + 10), 0);
    }
  });
  s.write((x) => make(x, 'string', B('in db 1')), 1);
  s.now += 10;
  return { s, live: live.sort() };
}

t.test('the literal prefix of a glob', async (t) => {
  t.same(literalPrefix(B('user:*')), B('user:'));
  t.same(literalPrefix(B('a?c')), B('a'));
  t.same(literalPrefix(B('[ab]c')), B(''));
  t.same(literalPrefix(B('a\\*b')), B('a'), 'an escape ends it too');
  t.same(literalPrefix(B('plain')), B('plain'));
});

t.test('KEYS: live keys matching, expired ones skipped, long keys seen', async (t) => {
  const { s, live } = filled(t);
  t.same(s.read((x) => text(matchingKeys(x, B('*')))), live, 'every live key of db 0');
  t.same(s.read((x) => text(matchingKeys(x, B('user:*')))), ['user:1', 'user:10', 'user:2'], 'a prefix');
  t.same(s.read((x) => text(matchingKeys(x, B('user:?')))), ['user:1', 'user:2']);
  t.same(s.read((x) => text(matchingKeys(x, B('*:long')))), [LONG_KEY], 'a long key by its suffix');
  t.same(s.read((x) => text(matchingKeys(x, B('K*')))), [LONG_KEY], 'a long key by its prefix (long keys are not in the prefix range)');
  t.same(s.read((x) => text(matchingKeys(x, B('a\\*b')))), ['a*b'], 'an escaped star');
  t.same(s.read((x) => text(matchingKeys(x, B('')))), [''], 'the empty pattern matches the empty key');
  t.same(s.read((x) => text(matchingKeys(x, B('*gone')))), [], 'expired keys are not listed');
  t.same(s.read((x) => text(matchingKeys(x, B('*'))), 1), ['in db 1'], 'db 1 apart');
  t.same(s.read((x) => text(matchingKeys(x, B('*'))), 7), [], 'an empty db');
  t.equal(s.read((x) => keyCount(x)), live.length + 2, 'DBSIZE counts the expired keys until they are deleted');
});

t.test('SCAN steps: every live key exactly once for any count; filters; examined counts', async (t) => {
  const { s, live } = filled(t);
  const total = live.length + 2;
  /** A full scan of db 0 in steps of `count`; the keys found and the records examined. */
  const scanAll = (count: number, type = SCAN_ANY_TYPE, pattern: Buffer | null = null) => {
    const keys: Buffer[] = [];
    let examined = 0;
    let after: Buffer | null = null;
    let steps = 0;
    let most = 0;
    do {
      const step = s.read((x) => scanStep(x, after, count, type, pattern));
      most = Math.max(most, step.examined);
      keys.push(...step.keys);
      examined += step.examined;
      after = step.next;
      if (++steps > 1000) throw new Error('the scan does not end');
    } while (after);
    t.ok(most <= count, `COUNT ${count}: no step examined more (at most ${most})`);
    return { keys: keys.map((k) => k.toString('latin1')), examined, steps };
  };
  for (const count of [1, 2, 3, 7, total - 1, total, total + 1, 1000]) {
    const r = scanAll(count);
    t.same([...r.keys].sort(), live, `COUNT ${count}: every live key`);
    t.equal(new Set(r.keys).size, r.keys.length, `COUNT ${count}: none twice`);
    t.equal(r.examined, total, `COUNT ${count}: every record examined once, expired ones included`);
    t.ok(r.steps >= Math.ceil(total / count), `COUNT ${count}: ${r.steps} steps`);
  }
  t.same(scanAll(4, T_HASH).keys, ['h'], 'TYPE hash');
  t.same(scanAll(4, T_ZSET).keys, ['z'], 'TYPE zset');
  t.equal(scanAll(4, T_STRING).keys.length, live.length - 4, 'TYPE string');
  const none = scanAll(5, SCAN_NO_TYPE);
  t.same([none.keys, none.examined], [[], total], 'an unknown type matches nothing but still examines');
  t.same(scanAll(3, SCAN_ANY_TYPE, B('user:*')).keys.sort(), ['user:1', 'user:10', 'user:2'], 'MATCH');
  t.same(scanAll(3, SCAN_ANY_TYPE, B('*:long')).keys, [LONG_KEY], 'MATCH on a long key');
  t.same(scanAll(3, SCAN_ANY_TYPE, B('*')).keys.sort(), live, 'MATCH * is every key');
  const empty = s.read((x) => scanStep(x, null, 10, SCAN_ANY_TYPE, null), 9);
  t.same(empty, { next: null, examined: 0, keys: [] }, 'an empty db: exhausted at once');
});

t.test('a SCAN position holds no database byte: it resumes in whatever the logical db holds', async (t) => {
  const s = openTestStore(t);
  s.write((x) => ['a', 'b', 'c', 'd'].forEach((k) => make(x, 'string', B(k))));
  s.write((x) => ['b2', 'c2', 'e'].forEach((k) => make(x, 'string', B(k))), 1);
  const first = s.read((x) => scanStep(x, null, 2, SCAN_ANY_TYPE, null));
  t.same(text(first.keys), ['a', 'b']);
  t.same(first.next, B('\x00b'), 'the position: the meta key after its db byte');
  t.same(s.write((x) => swapDbs(x, 0, 1)).effects, [['SWAPDB', '0', '1']]);
  const rest = s.read((x) => scanStep(x, first.next, 10, SCAN_ANY_TYPE, null));
  t.same([text(rest.keys), rest.next], [['b2', 'c2', 'e'], null], 'db 0 now holds the former db 1: resumed after b');
});

t.test('a random key is a live one', async (t) => {
  const s = openTestStore(t);
  t.equal(s.read((x) => randomKeyOf(x)), null, 'an empty db');
  s.write((x) => {
    make(x, 'string', B('only'));
    for (let i = 0; i < 20; i++) {
      make(x, 'hash', B(`gone${i}`));
      expireKey(x, B(`gone${i}`), BigInt(x.now + 5), 0);
    }
  });
  s.now += 5;
  for (let i = 0; i < 20; i++) t.same(s.read((x) => randomKeyOf(x)), B('only'));
  t.equal(s.read((x) => keyCount(x)), 21);
});

t.test('FLUSHDB: one database, its collections to the sweeper; FLUSHALL: every database', async (t) => {
  const s = openTestStore(t);
  s.write((x) => ['string', 'hash', 'list', 'set', 'zset'].forEach((k) => make(x, k, B(k))));
  s.write((x) => {
    make(x, 'zset', B('zset'));
    expireKey(x, B('zset'), BigInt(x.now + 100000), 0);
  }, 3);
  t.same(s.write((x) => flushDb(x)).effects, [['FLUSHDB']]);
  t.same([s.store.stats.keys(0), s.store.stats.expires(0), s.store.stats.keys(3), s.store.stats.expires(3)], [0, 0, 1, 1], 'the counts');
  t.same(s.read((x) => matchingKeys(x, B('*'))), []);
  t.ok(s.store.hasGarbage(), 'the collections wait for the sweeper');
  s.write((x) => x.store.collectGarbage(1 << 30));
  t.notOk(s.store.hasGarbage());
  t.same(s.read((x) => contents(x, B('zset')), 3), { zset: ['a', '1', 'b', '2.5'] }, 'db 3 untouched, members and all');
  t.equal(s.store.hasExpired(Number.MAX_SAFE_INTEGER), true, "db 3's expiry is still indexed");
  s.write((x) => make(x, 'list', B('l')), 5);
  t.same(s.write((x) => flushAll(x), 5).effects, [['FLUSHALL']]);
  t.same([0, 3, 5].map((db) => s.store.stats.keys(db)), [0, 0, 0], 'every database is empty');
  t.equal(s.store.hasExpired(Number.MAX_SAFE_INTEGER), false, 'no expiry left');
  t.notOk(s.store.hasGarbage());
  s.write((x) => make(x, 'list', B('l')));
  t.same(s.read((x) => contents(x, B('l'))), { list: ['a', 'b', 'c'] }, 'a new key after FLUSHALL');
});

t.test('SWAPDB: keys, counts and expiries change places; swapping twice restores', async (t) => {
  const s = openTestStore(t);
  s.write((x) => {
    make(x, 'hash', B('h'));
    make(x, 'string', B('s'));
    expireKey(x, B('s'), BigInt(x.now + 60000), 0);
  });
  s.write((x) => make(x, 'set', B('only1')), 1);
  const before = [0, 1].map((db) => s.read((x) => text(matchingKeys(x, B('*'))), db));
  t.same(s.write((x) => swapDbs(x, 0, 1)).effects, [['SWAPDB', '0', '1']]);
  t.same([0, 1].map((db) => s.read((x) => text(matchingKeys(x, B('*'))), db)), [before[1], before[0]]);
  t.same([s.store.stats.keys(0), s.store.stats.keys(1), s.store.stats.expires(0), s.store.stats.expires(1)], [1, 2, 0, 1]);
  t.same(s.read((x) => contents(x, B('h')), 1), { hash: [['f', 'v'], ['g', 'w']] }, 'the hash went with its members');
  t.same(s.write((x) => swapDbs(x, 1, 0)).effects, [['SWAPDB', '1', '0']]);
  t.same([0, 1].map((db) => s.read((x) => text(matchingKeys(x, B('*'))), db)), before);
  t.same(s.write((x) => swapDbs(x, 2, 2)).effects, [['SWAPDB', '2', '2']], 'a database with itself: logged, nothing moves');
  t.same([0, 1].map((db) => s.read((x) => text(matchingKeys(x, B('*'))), db)), before);
});

t.test('random SWAPDB / FLUSHDB / writes against a model of the databases (fast-check)', async (t) => {
  const s = openTestStore(t);
  const DBS = 4;
  const op = fc.oneof(
    fc.record({ t: fc.constant('set' as const), db: fc.nat(DBS - 1), k: fc.constantFrom('a', 'b', 'c') }),
    fc.record({ t: fc.constant('swap' as const), a: fc.nat(DBS - 1), b: fc.nat(DBS - 1) }),
    fc.record({ t: fc.constant('flush' as const), db: fc.nat(DBS - 1) }),
  );
  let n = 0;
  fc.assert(
    fc.property(fc.array(op, { maxLength: 30 }), (ops) => {
      s.write((x) => flushAll(x));
      const model: Array<Set<string>> = Array.from({ length: DBS }, () => new Set());
      for (const o of ops) {
        n++;
        if (o.t === 'set') {
          s.write((x) => make(x, 'string', B(o.k)), o.db);
          model[o.db].add(o.k);
        } else if (o.t === 'swap') {
          s.write((x) => swapDbs(x, o.a, o.b));
          [model[o.a], model[o.b]] = [model[o.b], model[o.a]];
        } else {
          s.write((x) => flushDb(x), o.db);
          model[o.db] = new Set();
        }
        for (let db = 0; db < DBS; db++) {
          const got = s.read((x) => text(matchingKeys(x, B('*'))), db);
          if (got.join() !== [...model[db]].sort().join() || s.store.stats.keys(db) !== model[db].size) return false;
        }
      }
      return true;
    }),
    { numRuns: 50, seed: 7 },
  );
  t.ok(n > 100, `${n} operations checked`);
});
