// The string store room (lib/store/string.ts) without a server: values and their expiry, the
// expiry arithmetic and its overflows, SET's variants, GETDEL/GETEX, MSET/MSETNX, APPEND and
// SETRANGE within proto-max-bulk-len, INCRBY's and INCRBYFLOAT's arithmetic (long double
// results), LCS's inputs, the binlog effect of every write, WRONGTYPE before anything changes,
// stringKeyType (OBJECT ENCODING / REFCOUNT, COPY, dump / restore), and a random sequence of
// INCRBY / APPEND / SETRANGE / SET / DEL checked against a model in JS.
import t, { type Test } from 'tap';
import fc from 'fast-check';
import { openTestStore, type TestStore } from '../support/store.js';
import type { StoreCtx } from '../../lib/store/context.js';
import { E } from '../../lib/errors.js';
import { T_HASH, T_STRING, payload } from '../../lib/store/meta.js';
import { newColl, saveColl } from '../../lib/store/collections.js';
import { setProtoMaxBulkLen } from '../../lib/store/limits.js';
import { parseLongDouble } from '../../lib/resp/long-double.js';
import {
  LCS_NOT_STRING, SET_KEEPTTL, SET_NX, SET_XX, appendString, expiryMs, getDelString, getExString, incrBy, incrByFloat,
  lcsValue, lcsValues, readString, readStringOrNull, setRange, setString, setStringGet, setStrings, stringKeyType, stringRange,
} from '../../lib/store/string.js';
import { countExisting } from '../../lib/store/keyspace.js';

const b = (s: string): Buffer => Buffer.from(s, 'latin1');
const INT64_MAX = 9223372036854775807n;
const PROTO_MAX_BULK_LEN = 512 * 1024 * 1024;

/** A string key `k` = v (expiry `at`, 0 = none), written directly. */
function put(s: TestStore, k: string, v: string | Buffer, at = 0): void {
  s.write((x) => {
    const f = x.store.find(x.db, b(k), x.now);
    x.store.putString(x.db, b(k), f.mk, typeof v === 'string' ? b(v) : v, at, f.meta);
  });
}

/** A hash key (one field's worth of count, no members: only its type matters here). */
function hash(s: TestStore, k: string): void {
  s.write((x) => {
    const f = x.store.find(x.db, b(k), x.now);
    const c = newColl(x, b(k), f.mk, T_HASH);
    c.count = 1;
    saveColl(x, c);
  });
}

/** Value (latin1) and expiry of a key as stored, null when missing. */
function stored(s: TestStore, k: string): { v: string; at: number; type: number } | null {
  return s.read((x) => {
    const m = x.store.get(x.db, b(k), x.now);
    return m ? { v: payload(m).toString('latin1'), at: m.expireAt, type: m.type } : null;
  });
}

/** Runs a write that must throw a RedisError; returns its text and the effects (none expected). */
function failing(s: TestStore, fn: (x: StoreCtx) => unknown): { error: string | null; effects: string[][] } {
  const { result, effects } = s.write((x) => {
    try {
      fn(x);
      return null;
    } catch (e) {
      return (e as Error).message;
    }
  });
  return { error: result, effects };
}

function text(v: Buffer | null): string | null {
  return v === null ? null : v.toString('latin1');
}

t.test('reading: values, missing keys, expired keys, WRONGTYPE', async (t) => {
  const s = openTestStore(t);
  put(s, 'k', 'hello');
  put(s, 'e', 'x', s.now + 100);
  hash(s, 'h');
  t.equal(s.read((x) => text(readString(x, b('k')))), 'hello');
  t.equal(s.read((x) => readString(x, b('missing'))), null);
  t.equal(s.read((x) => text(readString(x, b('e')))), 'x', 'not yet expired');
  t.throws(() => s.read((x) => readString(x, b('h'))), { message: E.wrongType });
  t.equal(s.read((x) => readStringOrNull(x, b('h'))), null, "MGET's read answers nil for another type");
  t.equal(s.read((x) => text(readStringOrNull(x, b('k')))), 'hello');
  s.now += 100;
  t.equal(s.read((x) => readString(x, b('e'))), null, 'expired: missing');
  t.equal(s.read((x) => readStringOrNull(x, b('e'))), null);
  // a long key (stored under its hash) reads the same
  const long = 'L'.repeat(5000);
  put(s, long, 'v');
  t.equal(s.read((x) => text(readString(x, b(long)))), 'v');
  t.equal(s.write((x) => text(readString(x, b(long)))).result, 'v', 'inside a write transaction too');
});

t.test('GETRANGE arithmetic', async (t) => {
  const s = openTestStore(t);
  put(s, 'k', 'hello');
  put(s, 'empty', '');
  hash(s, 'h');
  const r = (k: string, a: bigint, e: bigint) => s.read((x) => stringRange(x, b(k), a, e).toString('latin1'));
  t.equal(r('k', 0n, -1n), 'hello');
  t.equal(r('k', 1n, 3n), 'ell');
  t.equal(r('k', -3n, -1n), 'llo');
  t.equal(r('k', -100n, 1n), 'he', 'a start before the beginning is 0');
  t.equal(r('k', 3n, 100n), 'lo', 'an end past the end is the last byte');
  t.equal(r('k', 3n, 1n), '');
  t.equal(r('k', -1n, -3n), '', 'both negative and reversed');
  t.equal(r('k', -INT64_MAX - 1n, INT64_MAX), 'hello');
  t.equal(r('k', INT64_MAX, INT64_MAX), '');
  t.equal(r('empty', 0n, -1n), '');
  t.equal(r('missing', 0n, -1n), '');
  t.throws(() => r('h', 0n, -1n), { message: E.wrongType });
});

t.test('expiry arithmetic: relative and absolute, overflows', async (t) => {
  const now = 1_700_000_000_000;
  t.equal(expiryMs(now, 'ex', 100n), BigInt(now) + 100_000n);
  t.equal(expiryMs(now, 'px', 100n), BigInt(now) + 100n);
  t.equal(expiryMs(now, 'exat', 100n), 100_000n);
  t.equal(expiryMs(now, 'pxat', 100n), 100n);
  t.equal(expiryMs(now, 'pxat', INT64_MAX), INT64_MAX, 'PXAT up to int64');
  t.equal(expiryMs(now, 'exat', INT64_MAX / 1000n), (INT64_MAX / 1000n) * 1000n);
  t.equal(expiryMs(now, 'exat', INT64_MAX / 1000n + 1n), null, 'seconds that overflow in ms');
  t.equal(expiryMs(now, 'ex', INT64_MAX / 1000n + 1n), null);
  t.equal(expiryMs(now, 'ex', INT64_MAX / 1000n), null, 'fits in ms, but not once now is added');
  t.equal(expiryMs(now, 'px', INT64_MAX - BigInt(now)), INT64_MAX, 'exactly int64 once now is added');
  t.equal(expiryMs(now, 'px', INT64_MAX - BigInt(now) + 1n), null);
  t.equal(expiryMs(now, 'px', INT64_MAX), null);
});

t.test('SET: conditions, expiries and their effects', async (t) => {
  const s = openTestStore(t);
  const set = (k: string, v: string, flags = 0, at: bigint | null = null) => s.write((x) => setString(x, b(k), b(v), flags, at));

  t.same(set('k', 'v'), { result: true, effects: [['SET', 'k', 'v']] });
  t.same(stored(s, 'k'), { v: 'v', at: 0, type: T_STRING });
  t.same(set('k', 'w', SET_NX), { result: false, effects: [] }, 'NX on an existing key');
  t.same(set('n', 'w', SET_XX), { result: false, effects: [] }, 'XX on a missing key');
  t.equal(stored(s, 'n'), null);
  t.same(set('k', 'w', SET_XX), { result: true, effects: [['SET', 'k', 'w']] });
  t.same(set('n', 'w', SET_NX), { result: true, effects: [['SET', 'n', 'w']] });

  const at = BigInt(s.now + 100_000);
  t.same(set('k', 'x', 0, at), { result: true, effects: [['SET', 'k', 'x', 'PXAT', String(at)]] }, 'a relative expiry is logged as PXAT');
  t.equal(stored(s, 'k')!.at, Number(at));
  t.same(set('k', 'y', SET_KEEPTTL), { result: true, effects: [['SET', 'k', 'y', 'KEEPTTL']] });
  t.same(stored(s, 'k'), { v: 'y', at: Number(at), type: T_STRING }, 'KEEPTTL keeps the expiry');
  t.same(set('k', 'z').effects, [['SET', 'k', 'z']]);
  t.equal(stored(s, 'k')!.at, 0, 'a plain SET drops the expiry');
  t.same(set('fresh', 'z', SET_KEEPTTL), { result: true, effects: [['SET', 'fresh', 'z', 'KEEPTTL']] });
  t.equal(stored(s, 'fresh')!.at, 0, 'KEEPTTL on a missing key: no expiry');

  // an absolute time already past: the key is written already expired (as Redis 7.0 does), logged
  // as the SET ... PXAT Redis propagates; it reads as missing
  t.same(set('k', 'p', 0, BigInt(s.now)), { result: true, effects: [['SET', 'k', 'p', 'PXAT', String(s.now)]] });
  t.equal(stored(s, 'k'), null);
  t.same(set('k', 'p', 0, 1n), { result: true, effects: [['SET', 'k', 'p', 'PXAT', '1']] }, 'again: the expired key is replaced');
  t.equal(stored(s, 'k'), null);
  t.same(set('n', 'p', SET_XX, 1n), { result: true, effects: [['SET', 'n', 'p', 'PXAT', '1']] }, 'XX with a past time');
  t.same(set('k', 'p', SET_NX, 1n), { result: true, effects: [['SET', 'k', 'p', 'PXAT', '1']] }, 'NX with a past time: the expired key counts as missing');

  // another type is replaced (SET without GET never answers WRONGTYPE); KEEPTTL keeps its expiry
  hash(s, 'h');
  s.write((x) => x.store.setExpire(x.db, x.store.get(x.db, b('h'), x.now)!, s.now + 5000));
  t.same(set('h', 'v', SET_NX).result, false, 'NX: the hash exists');
  t.same(set('h', 'v', SET_KEEPTTL).result, true);
  t.same(stored(s, 'h'), { v: 'v', at: s.now + 5000, type: T_STRING });
});

t.test('SET ... GET and GETSET: the old value, WRONGTYPE before writing', async (t) => {
  const s = openTestStore(t);
  const get = (k: string, v: string, flags = 0, at: bigint | null = null) => s.write((x) => text(setStringGet(x, b(k), b(v), flags, at)));
  t.same(get('k', 'v'), { result: null, effects: [['SET', 'k', 'v']] });
  t.same(get('k', 'w'), { result: 'v', effects: [['SET', 'k', 'w']] });
  t.same(get('k', 'x', SET_NX), { result: 'w', effects: [] }, 'NX declines and answers the old value');
  t.same(get('n', 'x', SET_XX), { result: null, effects: [] });
  t.same(get('k', 'x', 0, 1n), { result: 'w', effects: [['SET', 'k', 'x', 'PXAT', '1']] }, 'a past time answers the old value, the key reads as missing');
  t.equal(stored(s, 'k'), null);
  hash(s, 'h');
  for (const flags of [0, SET_NX, SET_XX, SET_KEEPTTL]) {
    t.same(failing(s, (x) => setStringGet(x, b('h'), b('v'), flags, null)), { error: E.wrongType, effects: [] });
  }
  t.equal(stored(s, 'h')!.type, T_HASH, 'the hash is untouched');
});

t.test('GETDEL and GETEX', async (t) => {
  const s = openTestStore(t);
  put(s, 'k', 'v');
  hash(s, 'h');
  t.same(s.write((x) => text(getDelString(x, b('k')))), { result: 'v', effects: [['DEL', 'k']] });
  t.equal(stored(s, 'k'), null);
  t.same(s.write((x) => getDelString(x, b('k'))), { result: null, effects: [] });
  t.same(failing(s, (x) => getDelString(x, b('h'))), { error: E.wrongType, effects: [] });

  put(s, 'g', 'v');
  const ex = (at: bigint | null, persist = false) => s.write((x) => text(getExString(x, b('g'), at, persist)));
  t.same(ex(null), { result: 'v', effects: [] }, 'no option: a plain read');
  t.same(ex(null, true), { result: 'v', effects: [] }, 'PERSIST without an expiry changes nothing');
  const at = BigInt(s.now + 60_000);
  t.same(ex(at), { result: 'v', effects: [['PEXPIREAT', 'g', String(at)]] });
  t.equal(stored(s, 'g')!.at, Number(at));
  t.same(ex(null, true), { result: 'v', effects: [['PERSIST', 'g']] });
  t.equal(stored(s, 'g')!.at, 0);
  t.same(ex(BigInt(s.now)), { result: 'v', effects: [['DEL', 'g']] }, 'a time already past deletes');
  t.equal(stored(s, 'g'), null);
  t.same(ex(at), { result: null, effects: [] }, 'missing');
  t.same(failing(s, (x) => getExString(x, b('h'), at, false)), { error: E.wrongType, effects: [] });
  t.same(failing(s, (x) => getExString(x, b('h'), null, true)), { error: E.wrongType, effects: [] });
});

t.test('MSET and MSETNX', async (t) => {
  const s = openTestStore(t);
  put(s, 'e', 'old', s.now + 1000);
  hash(s, 'h');
  const args = ['MSET', 'a', '1', 'e', '2', 'a', '3', 'h', '4'].map(b);
  t.same(s.write((x) => setStrings(x, args, 1)).effects, [['MSET', 'a', '1', 'e', '2', 'a', '3', 'h', '4']]);
  t.same(stored(s, 'a'), { v: '3', at: 0, type: T_STRING }, 'the last of a repeated key wins');
  t.same(stored(s, 'e'), { v: '2', at: 0, type: T_STRING }, 'MSET drops the expiry');
  t.same(stored(s, 'h'), { v: '4', at: 0, type: T_STRING }, 'and replaces other types');
  const keys = ['x', 'a', 'y', 'e', 'z', 'h'].map(b);
  t.equal(s.read((x) => countExisting(x, keys, 0, true)), 3);
  t.equal(s.read((x) => countExisting(x, keys, 0, true, 1, 1)), 1, 'stops at the limit');
  t.equal(s.read((x) => countExisting(x, keys, 0, true, 2)), 0, 'every other argument (the keys of key/value pairs)');
  t.equal(s.read((x) => countExisting(x, keys, 1, true, 2)), 3);
});

t.test('plain SET and MSET: written without reading strings, undoing expiries and collections', async (t) => {
  const s = openTestStore(t);
  const st = () => [s.store.stats.keys(0), s.store.stats.expires(0)];
  s.write((x) => {
    for (let i = 0; i < 100; i++) setString(x, b(`k${i}`), b('v'), 0, null);
    setStrings(x, ['MSET', 'k0', 'w', 'n1', '1', 'n1', '2', 'k1', 'w'].map(b), 1);
  });
  t.same(st(), [101, 0], 'new keys counted once, overwrites not at all');
  put(s, 'e', 'old', s.now + 1000);
  hash(s, 'h');
  s.write((x) => {
    x.store.remove(x.db, x.store.get(x.db, b('k5'), x.now)!);
    setString(x, b('k5'), b('again'), 0, null);
  });
  t.same(st(), [103, 1]);
  t.notOk(s.store.hasGarbage());
  t.same(s.write((x) => [setString(x, b('e'), b('1'), 0, null), setString(x, b('h'), b('2'), 0, null)]).effects, [['SET', 'e', '1'], ['SET', 'h', '2']]);
  t.same(stored(s, 'e'), { v: '1', at: 0, type: T_STRING }, 'the expiry is gone');
  t.same(stored(s, 'h'), { v: '2', at: 0, type: T_STRING }, 'the hash is a string');
  t.same(st(), [103, 0], 'the volatile count follows');
  t.ok(s.store.hasGarbage(), "the hash's members went to the sweeper");
  t.equal(s.store.hasExpired(s.now + 2000), false, 'no expires entry is left');
  // an aborted transaction leaves the store knowing the volatile key it still holds
  put(s, 'e', 'old', s.now + 1000);
  t.throws(() => s.write((x) => {
    setString(x, b('e'), b('1'), 0, null);
    throw new Error('abort');
  }));
  t.same(stored(s, 'e'), { v: 'old', at: s.now + 1000, type: T_STRING });
  s.write((x) => setString(x, b('e'), b('2'), 0, null));
  t.same(stored(s, 'e'), { v: '2', at: 0, type: T_STRING });
  t.equal(s.store.hasExpired(s.now + 2000), false, 'its expires entry went with the next SET');
});

t.test('APPEND and SETRANGE: values, expiry kept, effects, proto-max-bulk-len', async (t) => {
  const s = openTestStore(t);
  t.teardown(() => setProtoMaxBulkLen(PROTO_MAX_BULK_LEN));
  const eff = (...a: string[]) => a.map(b);
  const append = (k: string, v: string) => s.write((x) => appendString(x, b(k), b(v), eff('APPEND', k, v)));
  const setr = (k: string, off: bigint, v: string) => s.write((x) => setRange(x, b(k), off, b(v), eff('SETRANGE', k, String(off), v)));

  t.same(append('a', 'hello'), { result: 5, effects: [['APPEND', 'a', 'hello']] });
  t.same(append('a', ' world'), { result: 11, effects: [['APPEND', 'a', ' world']] });
  t.same(append('a', ''), { result: 11, effects: [['APPEND', 'a', '']] });
  t.same(append('empty', ''), { result: 0, effects: [['APPEND', 'empty', '']] });
  t.same(stored(s, 'empty'), { v: '', at: 0, type: T_STRING }, 'APPEND of nothing creates an empty string');
  put(s, 't', 'ab', s.now + 9000);
  append('t', 'c');
  t.same(stored(s, 't'), { v: 'abc', at: s.now + 9000, type: T_STRING }, 'APPEND keeps the expiry');

  t.same(setr('r', 3n, 'xy'), { result: 5, effects: [['SETRANGE', 'r', '3', 'xy']] });
  t.equal(stored(s, 'r')!.v, '\0\0\0xy', 'zero-padded');
  t.same(setr('r', 1n, 'Q'), { result: 5, effects: [['SETRANGE', 'r', '1', 'Q']] });
  t.equal(stored(s, 'r')!.v, '\0Q\0xy');
  t.same(setr('r', 7n, 'Z'), { result: 8, effects: [['SETRANGE', 'r', '7', 'Z']] });
  t.equal(stored(s, 'r')!.v, '\0Q\0xy\0\0Z');
  t.same(setr('r', 100n, ''), { result: 8, effects: [] }, 'an empty value changes nothing');
  t.same(setr('none', 5n, ''), { result: 0, effects: [] }, 'nor creates a key');
  t.equal(stored(s, 'none'), null);
  setr('t', 0n, 'X');
  t.same(stored(s, 't'), { v: 'Xbc', at: s.now + 9000, type: T_STRING }, 'SETRANGE keeps the expiry');

  setProtoMaxBulkLen(10);
  t.same(failing(s, (x) => appendString(x, b('t'), b('12345678'), [])), { error: E.stringTooLong, effects: [] }, '3 + 8 > 10');
  t.same(append('t', '1234567'), { result: 10, effects: [['APPEND', 't', '1234567']] }, 'exactly the limit');
  t.same(failing(s, (x) => setRange(x, b('t'), 10n, b('x'), [])), { error: E.stringTooLong, effects: [] });
  t.same(failing(s, (x) => setRange(x, b('new'), 9n, b('xy'), [])), { error: E.stringTooLong, effects: [] }, 'on a missing key too');
  t.same(failing(s, (x) => setRange(x, b('new'), INT64_MAX, b('x'), [])), { error: E.stringTooLong, effects: [] }, 'an offset near int64');
  t.equal(stored(s, 'new'), null);
  t.same(setr('t', 9n, 'y').result, 10);
  t.same(setr('t', 10n, '').result, 10, 'an empty value is never too long');
  t.equal(stored(s, 't')!.v, 'Xbc123456y');

  hash(s, 'h');
  t.same(failing(s, (x) => appendString(x, b('h'), b('x'), [])), { error: E.wrongType, effects: [] });
  t.same(failing(s, (x) => setRange(x, b('h'), 0n, b('x'), [])), { error: E.wrongType, effects: [] });
  t.same(failing(s, (x) => setRange(x, b('h'), 0n, b(''), [])), { error: E.wrongType, effects: [] }, 'WRONGTYPE even for an empty value');
  t.same(failing(s, (x) => setRange(x, b('h'), 100n, b('x'), [])), { error: E.wrongType, effects: [] }, 'WRONGTYPE before the length');
});

t.test('INCRBY: results, errors, expiry kept, effects', async (t) => {
  const s = openTestStore(t);
  const eff = [b('INCRBY'), b('i'), b('x')];
  const incr = (k: string, by: bigint) => s.write((x) => incrBy(x, b(k), by, [b('INCRBY'), b(k), b(String(by))]));
  t.same(incr('i', 5n), { result: 5n, effects: [['INCRBY', 'i', '5']] }, 'a missing key counts from 0');
  t.same(incr('i', -7n), { result: -2n, effects: [['INCRBY', 'i', '-7']] });
  t.equal(stored(s, 'i')!.v, '-2');
  t.same(s.write((x) => incrBy(x, b('i'), 1n, eff)).effects, [['INCRBY', 'i', 'x']], 'the effect is the one the caller passes');

  put(s, 'm', String(INT64_MAX - 1n), s.now + 3000);
  t.same(incr('m', 1n).result, INT64_MAX);
  t.same(stored(s, 'm'), { v: String(INT64_MAX), at: s.now + 3000, type: T_STRING }, 'the expiry stays');
  t.same(failing(s, (x) => incrBy(x, b('m'), 1n, eff)), { error: E.overflow, effects: [] });
  put(s, 'n', String(-INT64_MAX - 1n));
  t.same(failing(s, (x) => incrBy(x, b('n'), -1n, eff)), { error: E.overflow, effects: [] });
  t.same(incr('n', INT64_MAX).result, -1n);
  t.same(failing(s, (x) => incrBy(x, b('fresh'), INT64_MAX + 1n, eff)), { error: E.overflow, effects: [] }, 'an increment past int64');
  t.equal(stored(s, 'fresh'), null);

  for (const bad of ['abc', '', ' 1', '1 ', '1.0', '+1', '01', '-0', '1e3', '9223372036854775808', '10\0']) {
    put(s, 'bad', bad);
    t.same(failing(s, (x) => incrBy(x, b('bad'), 1n, eff)), { error: E.notInt, effects: [] }, JSON.stringify(bad));
    t.equal(stored(s, 'bad')!.v, bad);
  }
  hash(s, 'h');
  t.same(failing(s, (x) => incrBy(x, b('h'), 1n, eff)), { error: E.wrongType, effects: [] });
});

t.test("INCRBYFLOAT: long double results, errors, KEEPTTL's effect", async (t) => {
  const s = openTestStore(t);
  const ld = (v: string) => parseLongDouble(b(v))!;
  const incr = (k: string, by: string) => s.write((x) => text(incrByFloat(x, b(k), ld(by))));
  put(s, 'f', '10.50');
  t.same(incr('f', '0.1'), { result: '10.6', effects: [['SET', 'f', '10.6', 'KEEPTTL']] });
  t.same(incr('f', '-5').result, '5.6');
  put(s, 'e', '5.0e3', s.now + 7000);
  t.same(incr('e', '2.0e2'), { result: '5200', effects: [['SET', 'e', '5200', 'KEEPTTL']] });
  t.equal(stored(s, 'e')!.at, s.now + 7000, 'the expiry stays (KEEPTTL)');
  t.same(incr('z', '0.1').result, '0.1', 'a missing key counts from 0');
  t.same(incr('z', '0.2').result, '0.3', 'long double: 0.1 + 0.2 prints as 0.3 (a double would give 0.30000000000000004)');
  put(s, 'big', '9007199254740993');
  t.same(incr('big', '0').result, '9007199254740993', 'integers past 2^53 stay exact (64-bit significand)');
  t.same(incr('big', '1e20').result, '100009007199254740992', 'rounded to a 64-bit significand (2^66 <= sum < 2^67: steps of 8)');
  t.same(incr('x', '1e-17').result, '0.00000000000000001', 'printed with 17 decimals');
  t.same(incr('x', '-1e-17').result, '0');
  t.same(incr('neg', '-0').result, '0', '-0 prints as 0');
  t.same(incr('hex', '0x10').result, '16');

  const huge = '1.18973149535723176502e4932';
  put(s, 'huge', huge);
  t.same(failing(s, (x) => incrByFloat(x, b('huge'), ld(huge))), { error: E.nanOrInf, effects: [] }, 'an overflow to infinity');
  t.same(failing(s, (x) => incrByFloat(x, b('f'), ld('inf'))), { error: E.nanOrInf, effects: [] }, 'an infinite increment');
  t.equal(stored(s, 'huge')!.v, huge);
  for (const bad of ['abc', ' 1', '1 ', '', 'nan', '1e5000']) {
    put(s, 'bad', bad);
    t.same(failing(s, (x) => incrByFloat(x, b('bad'), ld('1'))), { error: E.notFloat, effects: [] }, JSON.stringify(bad));
  }
  hash(s, 'h');
  t.same(failing(s, (x) => incrByFloat(x, b('h'), ld('1'))), { error: E.wrongType, effects: [] });
});

t.test("LCS's inputs", async (t) => {
  const s = openTestStore(t);
  put(s, 'a', 'ohmytext');
  hash(s, 'h');
  t.equal(s.read((x) => lcsValue(x, b('a')).toString()), 'ohmytext');
  t.equal(s.read((x) => lcsValue(x, b('missing')).length), 0, 'a missing key is ""');
  t.throws(() => s.read((x) => lcsValue(x, b('h'))), { message: LCS_NOT_STRING });
  t.same(s.read((x) => lcsValues(x, b('a'), b('missing')).map(String)), ['ohmytext', '']);
  t.throws(() => s.read((x) => lcsValues(x, b('h'), b('a'))), { message: LCS_NOT_STRING });
  t.throws(() => s.read((x) => lcsValues(x, b('a'), b('h'))), { message: LCS_NOT_STRING });
});

t.test('stringKeyType: encoding, refcount, copy, dump and restore', async (t) => {
  const s = openTestStore(t);
  const meta = (k: string, db = 0) => s.read((x) => x.store.get(x.db, b(k), x.now)!, db);
  const enc = (v: string) => {
    put(s, 'e', v);
    return [stringKeyType.encoding(meta('e')), stringKeyType.refcount(meta('e'))];
  };
  const SHARED = 2147483647;
  t.same(enc('0'), ['int', SHARED], 'shared integers 0..9999');
  t.same(enc('9999'), ['int', SHARED]);
  t.same(enc('10000'), ['int', 1]);
  t.same(enc('-1'), ['int', 1]);
  t.same(enc('-9223372036854775808'), ['int', 1]);
  t.same(enc('9223372036854775808'), ['embstr', 1], 'past int64: a string');
  t.same(enc('007'), ['embstr', 1], 'string2l rejects leading zeros');
  t.same(enc(' 1'), ['embstr', 1]);
  t.same(enc(''), ['embstr', 1]);
  t.same(enc('x'.repeat(44)), ['embstr', 1]);
  t.same(enc('x'.repeat(45)), ['raw', 1]);

  const at = s.now + 12345;
  put(s, 'src', 'value', at);
  const long = 'K'.repeat(3000);
  s.write((x) => {
    const m = x.store.get(x.db, b('src'), x.now)!;
    stringKeyType.copy(x.store, m, 3, b('dst'), x.store.find(3, b('dst'), x.now));
    stringKeyType.copy(x.store, m, 0, b(long), x.store.find(0, b(long), x.now));
  });
  t.same(s.read((x) => ({ v: payload(x.store.get(3, b('dst'), x.now)!).toString(), at: x.store.get(3, b('dst'), x.now)!.expireAt })), { v: 'value', at });
  t.same(stored(s, long), { v: 'value', at, type: T_STRING }, 'copied to a long (hashed) key');
  t.same(stored(s, 'src'), { v: 'value', at, type: T_STRING }, 'the source stays');

  const dump = stringKeyType.dump(s.store, meta('src'));
  t.equal(dump.toString(), 'value');
  const expire = Buffer.alloc(8);
  expire.writeBigUInt64BE(BigInt(at));
  const restore = (k: string, e: Buffer) => s.write((x) => stringKeyType.restore(x, b(k), x.store.find(x.db, b(k), x.now), dump, e)).effects;
  t.same(restore('r1', expire), [['SET', 'r1', 'value', 'PXAT', String(at)]]);
  t.same(stored(s, 'r1'), { v: 'value', at, type: T_STRING });
  t.same(restore('r2', Buffer.alloc(8)), [['SET', 'r2', 'value']]);
  t.same(stored(s, 'r2'), { v: 'value', at: 0, type: T_STRING });
  hash(s, 'h');
  restore('h', Buffer.alloc(8));
  t.same(stored(s, 'h'), { v: 'value', at: 0, type: T_STRING }, 'restore replaces another type');
});

// ------------------------------------------------------------------------------------------------
// A random sequence of writes against a model
// ------------------------------------------------------------------------------------------------

const LIMIT = 24;
const KEYS = ['a', 'b', 'c'];

type Op =
  | { op: 'incrby'; k: string; by: bigint }
  | { op: 'append'; k: string; v: string }
  | { op: 'setrange'; k: string; off: number; v: string }
  | { op: 'set'; k: string; v: string }
  | { op: 'del'; k: string };

/** Redis's string2ll: the integer a whole string spells, in int64; null otherwise. */
function modelInt(v: string): bigint | null {
  if (!/^(0|-?[1-9][0-9]*)$/.test(v)) return null;
  const n = BigInt(v);
  return n > INT64_MAX || n < -INT64_MAX - 1n ? null : n;
}

/** Runs an op on the model: its reply (a number or an error text) and whether it logs an effect. */
function runModel(m: Map<string, string>, o: Op): { reply: string; logs: boolean } {
  const cur = m.get(o.k);
  switch (o.op) {
    case 'incrby': {
      const n = modelInt(cur ?? '0');
      if (n === null) return { reply: E.notInt, logs: false };
      const sum = n + o.by;
      if (sum > INT64_MAX || sum < -INT64_MAX - 1n) return { reply: E.overflow, logs: false };
      m.set(o.k, String(sum));
      return { reply: String(sum), logs: true };
    }
    case 'append': {
      if (cur !== undefined && cur.length + o.v.length > LIMIT) return { reply: E.stringTooLong, logs: false };
      m.set(o.k, (cur ?? '') + o.v);
      return { reply: String((cur ?? '').length + o.v.length), logs: true };
    }
    case 'setrange': {
      if (o.v.length === 0) return { reply: String(cur?.length ?? 0), logs: false };
      if (o.off + o.v.length > LIMIT) return { reply: E.stringTooLong, logs: false };
      const base = (cur ?? '').padEnd(o.off, '\0');
      m.set(o.k, base.slice(0, o.off) + o.v + base.slice(o.off + o.v.length));
      return { reply: String(m.get(o.k)!.length), logs: true };
    }
    case 'set':
      m.set(o.k, o.v);
      return { reply: 'true', logs: true };
    case 'del':
      m.delete(o.k);
      return { reply: String(cur !== undefined), logs: cur !== undefined };
  }
}

/** Runs an op on the store: the same shape as runModel. */
function runStore(s: TestStore, o: Op): { reply: string; logs: boolean } {
  const effect = [b(o.op), b(o.k)];
  const { result, effects } = s.write((x) => {
    try {
      switch (o.op) {
        case 'incrby':
          return String(incrBy(x, b(o.k), o.by, effect));
        case 'append':
          return String(appendString(x, b(o.k), b(o.v), effect));
        case 'setrange':
          return String(setRange(x, b(o.k), BigInt(o.off), b(o.v), effect));
        case 'set':
          return String(setString(x, b(o.k), b(o.v), 0, null));
        case 'del': {
          const v = getDelString(x, b(o.k));
          return String(v !== null);
        }
      }
    } catch (e) {
      return (e as Error).message;
    }
  });
  return { reply: result, logs: effects.length > 0 };
}

function opArb(): fc.Arbitrary<Op> {
  const k = fc.constantFrom(...KEYS);
  const v = fc.string({ maxLength: 6, unit: fc.constantFrom('0', '1', '9', '-', 'a') });
  const by = fc.oneof(
    fc.bigInt({ min: -100n, max: 100n }),
    fc.constantFrom(INT64_MAX, -INT64_MAX - 1n, INT64_MAX - 5n, 1n << 62n),
  );
  return fc.oneof(
    fc.record({ op: fc.constant('incrby' as const), k, by }),
    fc.record({ op: fc.constant('append' as const), k, v }),
    fc.record({ op: fc.constant('setrange' as const), k, off: fc.integer({ min: 0, max: LIMIT + 2 }), v }),
    fc.record({ op: fc.constant('set' as const), k, v }),
    fc.record({ op: fc.constant('del' as const), k }),
  );
}

t.test('INCRBY / APPEND / SETRANGE / SET / DEL against a model', async (t: Test) => {
  setProtoMaxBulkLen(LIMIT);
  t.teardown(() => setProtoMaxBulkLen(PROTO_MAX_BULK_LEN));
  const s = openTestStore(t);
  let failure: string | null = null;
  let ops = 0;
  try {
    fc.assert(
      fc.property(fc.array(opArb(), { minLength: 1, maxLength: 30 }), (seq) => {
        s.write((x) => x.store.flushDb(x.db));
        const model = new Map<string, string>();
        for (const o of seq) {
          const want = runModel(model, o);
          const got = runStore(s, o);
          ops++;
          if (got.reply !== want.reply || got.logs !== want.logs) {
            throw new Error(`${JSON.stringify(o, (_, x) => (typeof x === 'bigint' ? String(x) : x))}: store ${JSON.stringify(got)}, model ${JSON.stringify(want)}`);
          }
        }
        for (const k of KEYS) {
          const v = s.read((x) => text(readString(x, b(k))));
          if (v !== (model.get(k) ?? null)) throw new Error(`${k}: store ${JSON.stringify(v)}, model ${JSON.stringify(model.get(k))}`);
        }
      }),
      { numRuns: 150 },
    );
  } catch (e) {
    failure = (e as Error).message;
  }
  t.equal(failure, null, 'every reply, effect and final value agrees with the model');
  t.ok(ops > 150, `${ops} operations`);
});
