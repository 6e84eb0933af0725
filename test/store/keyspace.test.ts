// The keyspace store room on single keys (lib/store/keyspace.ts), without sockets: the expiry
// arithmetic and its overflow rules, the NX/XX/GT/LT decision, deletion, TTL, RENAME / COPY /
// MOVE of every type within a shard (members follow, COPY gets a new id), the dump and
// re-creation of every type on another shard, OBJECT's answers, and the binlog effects.
import t from 'tap';
import { openTestStore, type TestStore } from '../support/store.js';
import {
  EXPIRE_GT, EXPIRE_LT, EXPIRE_NX, EXPIRE_XX, copyKey, countExisting, deleteKeys, dumpKey, expireAllowed, expireKey,
  expireTime, keyEncoding, keyExists, keyIdleSeconds, keyRefcount, moveKey, persistKey, renameKey, restoreKey, timeToLive, typeName,
} from '../../lib/store/keyspace.js';
import { expireDeadline } from '../../lib/store/expiry.js';
import { DEL, UNLINK } from '../../lib/store/effects.js';
import { INT64_MAX, INT64_MIN } from '../../lib/resp/number.js';
import { MAKE, TYPES, collectionId, contents, exec, make, replay } from './keyspace-fixtures.js';

const B = (s: string) => Buffer.from(s, 'latin1');
const K = B('k');
const FAR = 4102444800000; // 2100-01-01 in ms

/** Deletes every orphaned member (the sweeper's work), so later reads show what survived. */
function sweep(s: TestStore): void {
  s.write((x) => x.store.collectGarbage(1 << 30));
  if (s.store.hasGarbage()) throw new Error('garbage left after a full sweep');
}

t.test('expiry arithmetic: units, the current time, the int64 range', async (t) => {
  const now = 1700000000000;
  t.equal(expireDeadline(10n, 1000n, true, now), BigInt(now) + 10000n, 'EXPIRE: seconds from now');
  t.equal(expireDeadline(10n, 1n, true, now), BigInt(now) + 10n, 'PEXPIRE: ms from now');
  t.equal(expireDeadline(10n, 1000n, false, now), 10000n, 'EXPIREAT: seconds since the epoch');
  t.equal(expireDeadline(-5n, 1n, false, now), -5n, 'a negative time is valid (the key goes)');
  t.equal(expireDeadline(-1n, 1000n, true, now), BigInt(now) - 1000n, 'a negative EXPIRE counts back from now');
  // the unit conversion
  t.equal(expireDeadline(INT64_MAX / 1000n, 1000n, false, now), (INT64_MAX / 1000n) * 1000n, 'largest seconds that fit');
  t.equal(expireDeadline(INT64_MAX / 1000n + 1n, 1000n, false, now), null, 'seconds past int64 ms');
  t.equal(expireDeadline(INT64_MIN / 1000n, 1000n, false, now), (INT64_MIN / 1000n) * 1000n, 'smallest seconds that fit');
  t.equal(expireDeadline(INT64_MIN / 1000n - 1n, 1000n, false, now), null, 'seconds below int64 ms');
  t.equal(expireDeadline(INT64_MAX, 1n, false, now), INT64_MAX, 'PEXPIREAT takes the whole int64 range');
  t.equal(expireDeadline(INT64_MIN, 1n, false, now), INT64_MIN);
  // the addition of now
  t.equal(expireDeadline(INT64_MAX - BigInt(now), 1n, true, now), INT64_MAX, 'now + ms up to int64 max');
  t.equal(expireDeadline(INT64_MAX - BigInt(now) + 1n, 1n, true, now), null, 'now + ms past int64 max');
  t.equal(expireDeadline(INT64_MAX / 1000n, 1000n, true, now), null, 'converted, then past int64 max with now');
  t.equal(expireDeadline(INT64_MIN, 1n, true, now), INT64_MIN + BigInt(now), 'a very negative relative time is no overflow');
});

t.test('NX XX GT LT: a key without an expiry counts as never expiring', async (t) => {
  const none = -1n;
  const cases: Array<[string, bigint, bigint, number, boolean]> = [
    ['no flags, no expiry', none, 5n, 0, true],
    ['no flags, later', 10n, 20n, 0, true],
    ['NX, no expiry', none, 5n, EXPIRE_NX, true],
    ['NX, an expiry', 10n, 5n, EXPIRE_NX, false],
    ['XX, no expiry', none, 5n, EXPIRE_XX, false],
    ['XX, an expiry', 10n, 5n, EXPIRE_XX, true],
    ['GT, no expiry', none, 5n, EXPIRE_GT, false],
    ['GT, later', 10n, 11n, EXPIRE_GT, true],
    ['GT, equal', 10n, 10n, EXPIRE_GT, false],
    ['GT, earlier', 10n, 9n, EXPIRE_GT, false],
    ['LT, no expiry', none, 5n, EXPIRE_LT, true],
    ['LT, earlier', 10n, 9n, EXPIRE_LT, true],
    ['LT, equal', 10n, 10n, EXPIRE_LT, false],
    ['LT, later', 10n, 11n, EXPIRE_LT, false],
    ['XX GT, no expiry', none, 5n, EXPIRE_XX | EXPIRE_GT, false],
    ['XX GT, later', 10n, 11n, EXPIRE_XX | EXPIRE_GT, true],
    ['XX LT, no expiry', none, 5n, EXPIRE_XX | EXPIRE_LT, false],
    ['XX LT, earlier', 10n, 9n, EXPIRE_XX | EXPIRE_LT, true],
    ['LT, a past time', 10n, -3n, EXPIRE_LT, true],
  ];
  for (const [name, cur, when, flags, want] of cases) t.equal(expireAllowed(cur, when, flags), want, name);
});

t.test('expireKey: sets the exact time, deletes for a past one, logs PEXPIREAT or DEL', async (t) => {
  const s = openTestStore(t);
  t.same(s.write((x) => expireKey(x, K, BigInt(FAR), 0)), { result: 0, effects: [] }, 'a missing key: 0, nothing logged');
  s.write((x) => make(x, 'string', K));
  t.same(s.write((x) => expireKey(x, K, BigInt(FAR), 0)), { result: 1, effects: [['PEXPIREAT', 'k', String(FAR)]] });
  t.equal(s.read((x) => expireTime(x, K, true)), BigInt(FAR));
  t.same(s.write((x) => expireKey(x, K, BigInt(FAR + 5), EXPIRE_NX)), { result: 0, effects: [] }, 'NX refuses: nothing logged');
  t.same(s.write((x) => expireKey(x, K, BigInt(FAR - 5), EXPIRE_GT)), { result: 0, effects: [] }, 'GT refuses an earlier time');
  t.same(s.write((x) => expireKey(x, K, BigInt(FAR - 5), EXPIRE_LT)).result, 1, 'LT takes it');
  t.equal(s.read((x) => expireTime(x, K, true)), BigInt(FAR - 5));
  // past 2^53 ms the time must stay exact (a double would round it)
  const huge = 2n ** 53n + 1n;
  t.same(s.write((x) => expireKey(x, K, huge, 0)).effects, [['PEXPIREAT', 'k', String(huge)]]);
  t.equal(s.read((x) => expireTime(x, K, true)), huge, 'PEXPIRETIME reads 2^53 + 1 exactly');
  t.equal(s.read((x) => expireTime(x, K, false)), (huge + 500n) / 1000n, 'EXPIRETIME rounds to the nearest second');
  t.same(s.write((x) => expireKey(x, K, INT64_MAX, 0)).result, 1, 'int64 max is a valid expiry');
  t.equal(s.read((x) => expireTime(x, K, true)), INT64_MAX);
  // now and the past delete the key (what replicates is the DEL)
  t.same(s.write((x) => expireKey(x, K, BigInt(x.now), 0)), { result: 1, effects: [['DEL', 'k']] }, 'now is already past');
  t.equal(s.read((x) => typeName(x, K)), 'none');
  s.write((x) => make(x, 'hash', K));
  t.same(s.write((x) => expireKey(x, K, -5n, EXPIRE_XX)), { result: 0, effects: [] }, 'XX refuses before the past time deletes');
  t.same(s.write((x) => expireKey(x, K, -5n, 0)), { result: 1, effects: [['DEL', 'k']] });
  t.equal(s.store.stats.keys(0), 0, 'the key count follows');
  t.ok(s.store.hasGarbage(), "the hash's members are left to the sweeper");
});

t.test('PERSIST, TTL, PTTL, EXPIRETIME and keys that expire', async (t) => {
  const s = openTestStore(t);
  t.equal(s.read((x) => timeToLive(x, K, false)), -2n, 'missing: -2');
  t.equal(s.read((x) => expireTime(x, K, false)), -2n);
  s.write((x) => make(x, 'list', K));
  t.equal(s.read((x) => timeToLive(x, K, true)), -1n, 'no expiry: -1');
  t.equal(s.read((x) => expireTime(x, K, true)), -1n);
  t.same(s.write((x) => persistKey(x, K)), { result: 0, effects: [] }, 'PERSIST without an expiry: 0');
  s.write((x) => expireKey(x, K, BigInt(x.now + 1499), 0));
  t.equal(s.read((x) => timeToLive(x, K, true)), 1499n);
  t.equal(s.read((x) => timeToLive(x, K, false)), 1n, '1.499 s rounds to 1');
  s.write((x) => expireKey(x, K, BigInt(x.now + 1500), 0));
  t.equal(s.read((x) => timeToLive(x, K, false)), 2n, '1.5 s rounds to 2');
  t.same(s.write((x) => persistKey(x, K)), { result: 1, effects: [['PERSIST', 'k']] });
  t.equal(s.read((x) => timeToLive(x, K, true)), -1n);
  t.equal(s.store.stats.expires(0), 0, 'the volatile key count follows');
  s.write((x) => expireKey(x, K, BigInt(x.now + 100), 0));
  t.equal(s.store.stats.expires(0), 1);
  s.now += 100;
  t.equal(s.read((x) => timeToLive(x, K, true)), -2n, 'expired at its time');
  t.equal(s.read((x) => countExisting(x, [K], 0, false)), 0);
  t.equal(s.store.stats.keys(0), 1, 'a read leaves the expired key to a write (or the sweeper)');
  t.same(s.write((x) => persistKey(x, K)), { result: 0, effects: [] }, 'PERSIST on an expired key: 0');
  t.equal(s.store.stats.keys(0), 0, 'the write deleted it');
});

t.test('DEL UNLINK EXISTS TOUCH TYPE', async (t) => {
  const s = openTestStore(t);
  for (const type of TYPES) s.write((x) => make(x, type, B(type)));
  t.same(
    s.read((x) => TYPES.map((type) => typeName(x, B(type)))),
    TYPES,
    'TYPE of each',
  );
  t.equal(s.read((x) => typeName(x, B('nokey'))), 'none');
  const args = ['DEL', 'string', 'hash', 'nokey', 'string'].map(B);
  t.equal(s.read((x) => countExisting(x, args, 1, false)), 3, 'a key named twice counts twice');
  t.same(s.write((x) => deleteKeys(x, args, 1, DEL)), { result: 2, effects: [['DEL', 'string'], ['DEL', 'hash']] }, 'each deleted key logged once');
  t.same(s.write((x) => deleteKeys(x, ['UNLINK', 'list', 'set'].map(B), 1, UNLINK)), { result: 2, effects: [['UNLINK', 'list'], ['UNLINK', 'set']] });
  t.equal(s.read((x) => countExisting(x, TYPES.map(B), 0, true)), 1, 'only the zset is left');
  t.equal(s.store.stats.keys(0), 1);
  t.ok(s.store.hasGarbage(), 'the collections went to the sweeper');
  sweep(s);
  t.same(s.read((x) => contents(x, B('zset'))), { zset: ['a', '1', 'b', '2.5'] }, 'the sweep left the live zset alone');
});

t.test('RENAME within a shard: every type, members follow, the exact expiry too', async (t) => {
  const s = openTestStore(t);
  t.throws(() => s.write((x) => renameKey(x, B('nokey'), B('x'), false)), { message: 'ERR no such key' });
  t.throws(() => s.write((x) => renameKey(x, B('nokey'), B('nokey'), true)), { message: 'ERR no such key' }, 'before the same-key check');
  for (const kind of Object.keys(MAKE)) {
    await t.test(kind, async (t) => {
      const src = B(`src:${kind}`);
      const dst = B(`dst:${kind}`);
      s.write((x) => {
        make(x, kind, src);
        expireKey(x, src, BigInt(FAR + 123), 0);
        make(x, kind === 'hash' ? 'list' : 'hash', dst);
      });
      const want = s.read((x) => contents(x, src));
      const enc = s.read((x) => keyEncoding(x, src));
      const id = kind.includes('string') ? 0 : s.read((x) => collectionId(x, src));
      t.same(s.write((x) => renameKey(x, src, src, false)), { result: 1, effects: [] }, 'RENAME onto itself: OK, nothing logged');
      t.same(s.write((x) => renameKey(x, src, src, true)), { result: 0, effects: [] }, 'RENAMENX onto itself: 0');
      t.same(s.write((x) => renameKey(x, src, dst, true)), { result: 0, effects: [] }, 'RENAMENX onto an existing key: 0');
      t.same(s.write((x) => renameKey(x, src, dst, false)), { result: 1, effects: [['RENAME', src.toString(), dst.toString()]] });
      t.equal(s.read((x) => typeName(x, src)), 'none', 'the source is gone');
      t.same(s.read((x) => contents(x, dst)), want, 'the destination holds the value');
      t.equal(s.read((x) => keyEncoding(x, dst)), enc, 'and its encoding');
      t.equal(s.read((x) => expireTime(x, dst, true)), BigInt(FAR + 123), 'and its expiry');
      if (id) t.equal(s.read((x) => collectionId(x, dst)), id, 'the same collection: its members were not copied');
      sweep(s);
      t.same(s.read((x) => contents(x, dst)), want, "the replaced destination's members went, not the renamed ones");
      const back = B(`back:${kind}`);
      t.same(s.write((x) => renameKey(x, dst, back, true)), { result: 1, effects: [['RENAME', dst.toString(), back.toString()]] }, 'RENAMENX logs RENAME');
      t.equal(s.store.stats.keys(0), 1);
      s.write((x) => deleteKeys(x, [back], 0, DEL));
      sweep(s);
    });
  }
});

t.test('COPY within a shard: every type, a new value under a new id, the command as the effect', async (t) => {
  const s = openTestStore(t);
  for (const kind of Object.keys(MAKE)) {
    await t.test(kind, async (t) => {
      const src = B(`src:${kind}`);
      const dst = B(`dst:${kind}`);
      s.write((x) => {
        make(x, kind, src);
        expireKey(x, src, BigInt(FAR + 7), 0);
      });
      const want = s.read((x) => contents(x, src));
      const enc = s.read((x) => keyEncoding(x, src));
      const cmd = [B('COPY'), src, dst];
      t.same(s.write((x) => copyKey(x, [B('COPY'), B('nokey'), dst], 0, false)), { result: 0, effects: [] }, 'a missing source: 0');
      t.same(s.write((x) => copyKey(x, cmd, 0, false)), { result: 1, effects: [['COPY', src.toString(), dst.toString()]] });
      t.same(s.read((x) => contents(x, dst)), want);
      t.equal(s.read((x) => keyEncoding(x, dst)), enc, 'the encoding is kept');
      t.equal(s.read((x) => expireTime(x, dst, true)), BigInt(FAR + 7), 'the expiry is kept');
      t.same(s.write((x) => copyKey(x, cmd, 0, false)), { result: 0, effects: [] }, 'onto an existing key without REPLACE: 0');
      if (!kind.includes('string')) t.not(s.read((x) => collectionId(x, dst)), s.read((x) => collectionId(x, src)), 'a new id');
      // the copy is independent: changing or deleting the source leaves it alone
      s.write((x) => exec(x, kind.includes('string') ? ['APPEND', src, 'x'] : ['DEL', src]));
      t.same(s.read((x) => contents(x, dst)), want, 'the copy is not the source');
      s.write((x) => deleteKeys(x, [src], 0, DEL));
      sweep(s);
      t.same(s.read((x) => contents(x, dst)), want, 'the copy survives the deletion of the source');
      // REPLACE onto another type, into another database
      s.write((x) => make(x, kind, src));
      s.write((x) => make(x, kind === 'zset' ? 'set' : 'zset', dst), 2);
      const replace = [B('COPY'), src, dst, B('DB'), B('2'), B('REPLACE')];
      t.same(s.write((x) => copyKey(x, replace, 2, true)), { result: 1, effects: [replace.map(String)] }, 'REPLACE: the command as sent');
      t.same(s.read((x) => contents(x, dst), 2), s.read((x) => contents(x, src)), 'db 2 holds the copy');
      t.equal(s.store.stats.keys(2), 1);
      s.write((x) => deleteKeys(x, [src, dst], 0, DEL));
      s.write((x) => deleteKeys(x, [dst], 0, DEL), 2);
      sweep(s);
    });
  }
});

t.test('MOVE: every type to another database, refused when the key is there', async (t) => {
  const s = openTestStore(t);
  t.same(s.write((x) => moveKey(x, K, 1)), { result: 0, effects: [] }, 'a missing key: 0');
  for (const kind of Object.keys(MAKE)) {
    const k = B(`m:${kind}`);
    s.write((x) => {
      make(x, kind, k);
      expireKey(x, k, BigInt(FAR + 9), 0);
    });
    s.write((x) => make(x, 'string', k), 5);
    const want = s.read((x) => contents(x, k));
    t.same(s.write((x) => moveKey(x, k, 5)), { result: 0, effects: [] }, `${kind}: refused, the key exists in db 5`);
    s.write((x) => deleteKeys(x, [k], 0, DEL), 5);
    t.same(s.write((x) => moveKey(x, k, 5)), { result: 1, effects: [['MOVE', k.toString(), '5']] }, `${kind}: moved`);
    t.equal(s.read((x) => typeName(x, k)), 'none');
    t.same(s.read((x) => contents(x, k), 5), want, `${kind}: the value in db 5`);
    t.equal(s.read((x) => expireTime(x, k, true), 5), BigInt(FAR + 9), `${kind}: the expiry in db 5`);
    t.same([s.store.stats.keys(0), s.store.stats.keys(5), s.store.stats.expires(5)], [0, 1, 1], `${kind}: the counts follow`);
    sweep(s);
    t.same(s.read((x) => contents(x, k), 5), want, `${kind}: no member was orphaned`);
    s.write((x) => deleteKeys(x, [k], 0, DEL), 5);
  }
});

t.test('dump and restore on another shard: every type round trips, effects rebuild it', async (t) => {
  const a = openTestStore(t);
  const b = openTestStore(t);
  const replica = openTestStore(t);
  for (const kind of Object.keys(MAKE)) {
    await t.test(kind, async (t) => {
      const key = B(`d:${kind}`);
      const other = kind.includes('list') ? 'set' : 'list';
      for (const s of [b, replica]) s.write((x) => x.store.flushAll());
      a.write((x) => make(x, kind, key));
      for (const expiry of [0n, BigInt(FAR + 321)]) {
        if (expiry) a.write((x) => expireKey(x, key, expiry, 0));
        const want = a.read((x) => contents(x, key));
        const dump = a.read((x) => dumpKey(x, key))!;
        t.equal(dump.type, a.read((x) => x.store.get(x.db, key, x.now)!.type), 'the dump carries the type');
        t.equal(dump.expire.readBigUInt64BE(0), expiry, 'and the exact expiry');
        // onto a key of another type, replacing it
        for (const s of [b, replica]) {
          s.write((x) => {
            deleteKeys(x, [key], 0, DEL);
            make(x, other, key);
          });
        }
        const before = b.read((x) => contents(x, key));
        t.same(b.write((x) => restoreKey(x, key, dump, true, 'rename')), { result: 0, effects: [] }, 'NX onto an existing key: 0');
        t.same(b.read((x) => contents(x, key)), before, 'and the key is untouched');
        const { result, effects } = b.write((x) => restoreKey(x, key, dump, false, 'rename'));
        t.equal(result, 1);
        t.same(b.read((x) => contents(x, key)), want, 'the value arrived');
        t.equal(b.read((x) => keyEncoding(x, key)), a.read((x) => keyEncoding(x, key)), 'with its encoding');
        t.equal(b.read((x) => expireTime(x, key, true)), expiry || -1n, 'with its expiry');
        t.same([b.store.stats.keys(0), b.store.stats.expires(0)], [1, expiry ? 1 : 0], 'the counts follow');
        if (expiry) t.same(effects[effects.length - 1].slice(-1), [String(expiry)], 'the exact expiry is logged last');
        // a replica holding the replaced key gets the same value from the logged effects
        replay(replica, effects);
        t.same(replica.read((x) => contents(x, key)), want, 'the effects rebuild the value on a replica');
        t.equal(replica.read((x) => expireTime(x, key, true)), expiry || -1n, 'and its expiry');
        sweep(b);
        t.same(b.read((x) => contents(x, key)), want, 'the replaced value was collected, not the restored one');
      }
      t.equal(a.read((x) => dumpKey(x, B('nokey'))), null, 'a missing key has no dump');
    });
  }
});

t.test('OBJECT: encoding, refcount, idle time, existence; no lookup counts as an access', async (t) => {
  const s = openTestStore(t);
  t.equal(s.read((x) => keyEncoding(x, K)), null);
  t.equal(s.read((x) => keyRefcount(x, K)), null);
  t.equal(s.read((x) => keyIdleSeconds(x, K)), null);
  t.equal(s.read((x) => keyExists(x, K)), false);
  const encodings: Record<string, string> = {
    string: 'embstr', 'int string': 'int', 'long string': 'raw', hash: 'listpack', 'big hash': 'hashtable', list: 'quicklist',
    'long list': 'quicklist', set: 'intset', 'string set': 'hashtable', zset: 'listpack', 'big zset': 'skiplist',
  };
  for (const kind of Object.keys(MAKE)) {
    s.write((x) => make(x, kind, B(kind)));
    t.equal(s.read((x) => keyEncoding(x, B(kind))), encodings[kind], `${kind}: ${encodings[kind]}`);
    t.equal(s.read((x) => keyRefcount(x, B(kind))), kind === 'int string' ? 2147483647 : 1, `${kind}: refcount`);
    t.equal(s.read((x) => keyExists(x, B(kind))), true);
  }
  // writes record the access at the wall clock, reads at the batch's: start both together
  s.now = Date.now();
  s.write((x) => exec(x, ['SET', 'idle', 'v']));
  s.now += 5500;
  t.equal(s.read((x) => keyIdleSeconds(x, B('idle'))), 5, 'idle for 5 s');
  s.read((x) => [keyEncoding(x, B('idle')), keyRefcount(x, B('idle')), keyExists(x, B('idle')), typeName(x, B('idle')), timeToLive(x, B('idle'), true)]);
  t.equal(s.read((x) => keyIdleSeconds(x, B('idle'))), 5, 'OBJECT, TYPE and TTL lookups are no accesses');
  t.equal(s.read((x) => countExisting(x, [B('idle')], 0, false)), 1);
  t.equal(s.read((x) => keyIdleSeconds(x, B('idle'))), 5, 'EXISTS is no access');
  s.read((x) => countExisting(x, [B('idle')], 0, true));
  t.equal(s.read((x) => keyIdleSeconds(x, B('idle'))), 0, 'TOUCH is');
});
