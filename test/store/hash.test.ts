// The hash store room (lib/store/hash.ts) without a server: returned values and binlog effects of
// the writes, the listpack -> hashtable rule (never back), increments and their data errors
// (thrown before anything changes), WRONGTYPE, expiry, emptied hashes deleted, long fields
// (> 1,900 bytes), entries whole and in slices, HSCAN steps, and the key type operations (COPY,
// dump / restore with the exact expiry). The model test is hash-model.test.ts, the sampler's
// hash-sample.test.ts.
import t, { type Test } from 'tap';
import { openTestStore, type TestStore } from '../support/store.js';
import type { StoreCtx } from '../../lib/store/context.js';
import { T_HASH } from '../../lib/store/meta.js';
import { WrongTypeError, idRange } from '../../lib/store/collections.js';
import { E, RedisError } from '../../lib/errors.js';
import { parseLongDouble } from '../../lib/resp/long-double.js';
import { INT64_MAX } from '../../lib/resp/number.js';
import {
  HASH_NOT_FLOAT,
  HASH_NOT_INT,
  deleteFields,
  eachSlice,
  fieldLength,
  hashEntries,
  hashGet,
  hashHasField,
  hashKeyType,
  hashLength,
  incrFieldBy,
  incrFieldByFloat,
  openHash,
  scanHash,
  setFieldIfAbsent,
  setFields,
  type Entry,
} from '../../lib/store/hash.js';

const b = (s: string): Buffer => Buffer.from(s, 'latin1');
const cmd = (...args: (string | Buffer)[]): Buffer[] => args.map((a) => (typeof a === 'string' ? b(a) : a));
const text = (entries: Entry[] | null): string[][] | null => (entries ? entries.map(([f, v]) => [f.toString('latin1'), v.toString('latin1')]) : null);
const K = b('h');

/** The hash at `key` as [field, value] texts (null when missing), read outside a transaction. */
function contents(s: TestStore, key = K, db = 0): string[][] | null {
  return s.read((x) => text(hashEntries(x, key, true)), db);
}

function encoding(s: TestStore, key = K): string | null {
  return s.read((x) => {
    const m = x.store.get(x.db, key, x.now, false);
    return m ? hashKeyType.encoding(m) : null;
  });
}

/** `fn` inside a write transaction must throw `message`; the transaction goes on (as a shard's batch). */
function throwsInside(t: Test, x: StoreCtx, fn: () => unknown, message: string, what: string): void {
  let err: unknown = null;
  try {
    fn();
  } catch (e) {
    err = e;
  }
  t.ok(err instanceof RedisError, `${what}: a RedisError`);
  t.equal((err as Error | null)?.message, message, what);
}

t.test('HSET / HMSET: created count, the command as its effect, field byte order', async (t) => {
  const s = openTestStore(t);
  const first = s.write((x) => setFields(x, cmd('HSET', 'h', 'b', '2', 'a', '1', 'c', '3')));
  t.equal(first.result, 3, 'three fields created');
  t.same(first.effects, [['HSET', 'h', 'b', '2', 'a', '1', 'c', '3']], 'logged as sent');
  const again = s.write((x) => setFields(x, cmd('HMSET', 'h', 'a', '9', 'd', '4', 'd', '5')));
  t.equal(again.result, 1, 'an existing field is not counted, a repeated new one once');
  t.same(again.effects, [['HMSET', 'h', 'a', '9', 'd', '4', 'd', '5']]);
  t.same(contents(s), [['a', '9'], ['b', '2'], ['c', '3'], ['d', '5']], 'in field byte order, the last value wins');
  s.read((x) => {
    t.equal(hashLength(x, K), 4);
    t.equal(hashGet(x, K, b('a'))?.toString(), '9');
    t.equal(hashGet(x, K, b('zz')), null, 'a missing field');
    t.equal(hashGet(x, b('nokey'), b('a')), null, 'a missing key');
    t.equal(fieldLength(x, K, b('d')), 1);
    t.equal(fieldLength(x, K, b('zz')), 0);
    t.equal(hashHasField(x, K, b('c')), true);
    t.equal(hashHasField(x, K, b('zz')), false);
    t.equal(hashHasField(x, b('nokey'), b('c')), false);
    t.equal(hashLength(x, b('nokey')), 0);
    t.equal(hashEntries(x, b('nokey'), true), null);
    t.same(text(hashEntries(x, K, false)), [['a', ''], ['b', ''], ['c', ''], ['d', '']], 'fields only: empty values');
  });
  t.equal(encoding(s), 'listpack');
  // binary and empty fields and values
  s.write((x) => setFields(x, cmd('HSET', 'bin', '', '', Buffer.from([0]), Buffer.from([0xff, 0]), Buffer.from([0xff]), 'x\r\n')));
  t.same(contents(s, b('bin')), [['', ''], ['\0', '\xff\0'], ['\xff', 'x\r\n']], 'the empty field sorts first, 0xff last');
});

t.test('HSETNX: only an absent field, logged as HSET', async (t) => {
  const s = openTestStore(t);
  const made = s.write((x) => setFieldIfAbsent(x, K, b('f'), b('1')));
  t.equal(made.result, true, 'a new hash with the field');
  t.same(made.effects, [['HSET', 'h', 'f', '1']]);
  const kept = s.write((x) => setFieldIfAbsent(x, K, b('f'), b('2')));
  t.equal(kept.result, false, 'an existing field is kept');
  t.same(kept.effects, [], 'nothing logged');
  t.same(contents(s), [['f', '1']]);
  t.equal(s.write((x) => setFieldIfAbsent(x, K, b('g'), b('2'))).result, true);
  t.same(contents(s), [['f', '1'], ['g', '2']]);
});

t.test('HDEL: removed count, logged only when something went, an emptied hash is deleted', async (t) => {
  const s = openTestStore(t);
  s.write((x) => setFields(x, cmd('HSET', 'h', 'a', '1', 'b', '2', 'c', '3')));
  const some = s.write((x) => deleteFields(x, cmd('HDEL', 'h', 'a', 'nope', 'a')));
  t.equal(some.result, 1, 'a repeated field counts once, a missing one not at all');
  t.same(some.effects, [['HDEL', 'h', 'a', 'nope', 'a']]);
  const none = s.write((x) => deleteFields(x, cmd('HDEL', 'h', 'nope')));
  t.equal(none.result, 0);
  t.same(none.effects, [], 'nothing removed: nothing logged');
  t.equal(s.write((x) => deleteFields(x, cmd('HDEL', 'nokey', 'a'))).result, 0, 'a missing key');
  t.equal(s.read((x) => hashLength(x, K)), 2);
  const id = s.read((x) => openHash(x, K)!.id);
  const last = s.write((x) => deleteFields(x, cmd('HDEL', 'h', 'b', 'c')));
  t.equal(last.result, 2);
  t.equal(s.read((x) => x.store.get(x.db, K, x.now)), null, 'the emptied hash is gone');
  t.equal(contents(s), null);
  // HDEL removes each field's subkey (only a deleted key's remaining members wait for the collector)
  const { start, end } = idRange(id);
  t.equal([...s.store.sub.getKeys({ start, end })].length, 0, 'the removed fields left no subkey');
  // a new incarnation has a fresh id
  s.write((x) => setFields(x, cmd('HSET', 'h', 'z', '1')));
  t.not(s.read((x) => openHash(x, K)!.id), id, 'a re-created hash has a new id');
});

t.test('HINCRBY: results, data errors before any change, the command as its effect', async (t) => {
  const s = openTestStore(t);
  const e1 = cmd('HINCRBY', 'h', 'n', '5');
  const r1 = s.write((x) => incrFieldBy(x, K, b('n'), 5n, e1));
  t.equal(r1.result, 5n, 'an absent field counts from 0');
  t.same(r1.effects, [['HINCRBY', 'h', 'n', '5']]);
  t.equal(s.write((x) => incrFieldBy(x, K, b('n'), -12n, cmd('HINCRBY', 'h', 'n', '-12'))).result, -7n);
  s.write((x) => setFields(x, cmd('HSET', 'h', 's', 'abc', 'f', '1.5', 'sp', ' 1', 'max', '9223372036854775807', 'min', '-9223372036854775808')));
  const { effects } = s.write((x) => {
    for (const f of ['s', 'f', 'sp']) throwsInside(t, x, () => incrFieldBy(x, K, b(f), 1n, cmd('HINCRBY', 'h', f, '1')), HASH_NOT_INT, `HINCRBY of "${f}"`);
    throwsInside(t, x, () => incrFieldBy(x, K, b('max'), 1n, cmd('HINCRBY', 'h', 'max', '1')), E.overflow, 'past INT64_MAX');
    throwsInside(t, x, () => incrFieldBy(x, K, b('min'), -1n, cmd('HINCRBY', 'h', 'min', '-1')), E.overflow, 'below INT64_MIN');
    t.equal(hashGet(x, K, b('max'))?.toString(), '9223372036854775807', 'unchanged after the overflow');
    t.equal(hashGet(x, K, b('s'))?.toString(), 'abc', 'unchanged after the error');
    t.equal(incrFieldBy(x, K, b('max'), -INT64_MAX, cmd('HINCRBY', 'h', 'max', '-9223372036854775807')), 0n, 'the transaction goes on');
  });
  t.same(effects, [['HINCRBY', 'h', 'max', '-9223372036854775807']], 'only the increment that succeeded logged its effect');
  t.equal(s.write((x) => incrFieldBy(x, b('nokey'), b('a'), INT64_MAX, [])).result, INT64_MAX, 'a new hash at the top');
  t.throws(() => s.write((x) => incrFieldBy(x, b('nokey'), b('a'), 1n, [])), { message: E.overflow }, 'then past it');
  t.equal(s.read((x) => hashGet(x, b('nokey'), b('a'))?.toString()), '9223372036854775807', 'the failed write changed nothing');
});

t.test('HINCRBYFLOAT: the printed result, logged as HSET of it, data errors before any change', async (t) => {
  const s = openTestStore(t);
  const ld = (v: string) => parseLongDouble(b(v))!;
  const r = s.write((x) => incrFieldByFloat(x, K, b('x'), ld('10.5')));
  t.equal(r.result.toString(), '10.5');
  t.same(r.effects, [['HSET', 'h', 'x', '10.5']], 'logged as HSET with the result');
  t.equal(s.write((x) => incrFieldByFloat(x, K, b('x'), ld('0.1'))).result.toString(), '10.6');
  t.equal(s.write((x) => incrFieldByFloat(x, K, b('x'), ld('-10.6'))).result.toString(), '0');
  s.write((x) => setFields(x, cmd('HSET', 'h', 's', 'abc', 'big', '1e4932')));
  const { effects } = s.write((x) => {
    throwsInside(t, x, () => incrFieldByFloat(x, K, b('s'), ld('1')), HASH_NOT_FLOAT, 'not a float');
    throwsInside(t, x, () => incrFieldByFloat(x, K, b('big'), ld('1e4932')), E.nanOrInf, 'past the long double range');
    t.equal(hashGet(x, K, b('big'))?.toString(), '1e4932', 'unchanged');
  });
  t.same(effects, [], 'nothing logged');
  t.same(contents(s), [['big', '1e4932'], ['s', 'abc'], ['x', '0']]);
});

t.test('OBJECT ENCODING: listpack up to 512 fields of at most 64 bytes, then hashtable for good', async (t) => {
  const s = openTestStore(t);
  const fill = (key: string, n: number, from = 0): Buffer[] => {
    const c = cmd('HSET', key);
    for (let i = from; i < from + n; i++) c.push(b(`f${i}`), b(`v${i}`));
    return c;
  };
  s.write((x) => setFields(x, fill('e1', 512)));
  t.equal(encoding(s, b('e1')), 'listpack', '512 fields');
  s.write((x) => setFields(x, cmd('HSET', 'e1', 'f0', 'y')));
  t.equal(encoding(s, b('e1')), 'listpack', 'overwriting a field does not convert');
  s.write((x) => setFields(x, cmd('HSET', 'e1', 'f512', 'v')));
  t.equal(encoding(s, b('e1')), 'hashtable', 'the 513th field converts');
  s.write((x) => deleteFields(x, cmd('HDEL', 'e1', ...Array.from({ length: 512 }, (_, i) => `f${i}`))));
  t.equal(s.read((x) => hashLength(x, b('e1'))), 1);
  t.equal(encoding(s, b('e1')), 'hashtable', 'never back');

  s.write((x) => setFields(x, cmd('HSET', 'e2', 'a', 'v'.repeat(64), 'f'.repeat(64), '1')));
  t.equal(encoding(s, b('e2')), 'listpack', '64-byte fields and values');
  s.write((x) => setFields(x, cmd('HSET', 'e3', 'a', 'v'.repeat(65))));
  t.equal(encoding(s, b('e3')), 'hashtable', 'a 65-byte value');
  s.write((x) => setFields(x, cmd('HSET', 'e4', 'f'.repeat(65), '1')));
  t.equal(encoding(s, b('e4')), 'hashtable', 'a 65-byte field');
  s.write((x) => setFields(x, cmd('HSET', 'e5', 'a', '1')));
  s.write((x) => setFieldIfAbsent(x, b('e5'), b('a'), b('v'.repeat(65))));
  t.equal(encoding(s, b('e5')), 'listpack', 'HSETNX of an existing field converts nothing');
  s.write((x) => setFieldIfAbsent(x, b('e5'), b('b'), b('v'.repeat(65))));
  t.equal(encoding(s, b('e5')), 'hashtable', 'HSETNX of a new long value converts');
  s.write((x) => incrFieldBy(x, b('e6'), b('f'.repeat(65)), 1n, []));
  t.equal(encoding(s, b('e6')), 'hashtable', 'HINCRBY of a long field');
  s.write((x) => incrFieldByFloat(x, b('e7'), b('a'), parseLongDouble(b('5e60'))!));
  t.equal(encoding(s, b('e7')), 'listpack', 'a 61-byte HINCRBYFLOAT result');
  s.write((x) => incrFieldByFloat(x, b('e7'), b('b'), parseLongDouble(b('5e70'))!));
  t.equal(encoding(s, b('e7')), 'hashtable', 'a 71-byte HINCRBYFLOAT result');
  t.equal(encoding(s, b('nokey')), null);
});

t.test('WRONGTYPE from every operation, the other value untouched', async (t) => {
  const s = openTestStore(t);
  const str = b('str');
  s.write((x) => {
    const f = x.store.find(x.db, str, x.now);
    x.store.putString(x.db, str, f.mk, b('text'), 0, f.meta);
  });
  const ops: Array<[string, (x: StoreCtx) => unknown]> = [
    ['setFields', (x) => setFields(x, cmd('HSET', 'str', 'f', 'v'))],
    ['setFieldIfAbsent', (x) => setFieldIfAbsent(x, str, b('f'), b('v'))],
    ['deleteFields', (x) => deleteFields(x, cmd('HDEL', 'str', 'f'))],
    ['incrFieldBy', (x) => incrFieldBy(x, str, b('f'), 1n, [])],
    ['incrFieldByFloat', (x) => incrFieldByFloat(x, str, b('f'), parseLongDouble(b('1'))!)],
    ['hashGet', (x) => hashGet(x, str, b('f'))],
    ['hashLength', (x) => hashLength(x, str)],
    ['fieldLength', (x) => fieldLength(x, str, b('f'))],
    ['hashHasField', (x) => hashHasField(x, str, b('f'))],
    ['hashEntries', (x) => hashEntries(x, str, true)],
    ['openHash', (x) => openHash(x, str)],
  ];
  const { effects } = s.write((x) => {
    for (const [name, op] of ops) {
      let err: unknown = null;
      try {
        op(x);
      } catch (e) {
        err = e;
      }
      t.ok(err instanceof WrongTypeError, `${name}: WrongTypeError`);
      t.equal((err as Error | null)?.message, E.wrongType, name);
    }
  });
  t.same(effects, [], 'nothing logged');
  t.equal(s.read((x) => x.store.peekString(x.db, str, x.now)?.toString()), 'text', 'the string is untouched');
});

t.test('expiry: an expired hash reads as missing, a write starts a new one (after its DEL)', async (t) => {
  const s = openTestStore(t);
  s.write((x) => setFields(x, cmd('HSET', 'h', 'a', '1', 'b', '2')));
  s.write((x) => x.store.setExpire(x.db, x.store.get(x.db, K, x.now)!, x.now + 1000));
  t.equal(s.read((x) => hashLength(x, K)), 2, 'before the expiry');
  s.write((x) => setFields(x, cmd('HSET', 'h', 'c', '3')));
  t.equal(s.read((x) => x.store.get(x.db, K, x.now)!.expireAt), s.now + 1000, 'a write keeps the expiry');
  s.now += 1001;
  s.read((x) => {
    t.equal(hashLength(x, K), 0);
    t.equal(hashGet(x, K, b('a')), null);
    t.equal(hashHasField(x, K, b('a')), false);
    t.equal(hashEntries(x, K, true), null);
  });
  const w = s.write((x) => setFields(x, cmd('HSET', 'h', 'z', '9')));
  t.equal(w.result, 1);
  // (the expired hash's DEL is logged by ShardStore.find, not through the context)
  t.same(w.effects, [['HSET', 'h', 'z', '9']], 'logged as sent');
  t.same(contents(s), [['z', '9']], 'a new hash without the old fields');
  t.equal(s.read((x) => x.store.get(x.db, K, x.now)!.expireAt), 0, 'and without an expiry');
  s.write((x) => x.store.setExpire(x.db, x.store.get(x.db, K, x.now)!, x.now + 1));
  s.now += 2;
  t.equal(s.write((x) => incrFieldBy(x, K, b('z'), 1n, cmd('HINCRBY', 'h', 'z', '1'))).result, 1n, 'HINCRBY of an expired hash counts from 0');
});

t.test('long fields (> 1,900 bytes): stored whole, distinct when they share a prefix, removed with their long part', async (t) => {
  const s = openTestStore(t);
  const base = Buffer.alloc(1900, 'f');
  const l1 = Buffer.concat([base, b('one')]);
  const l2 = Buffer.concat([base, b('two')]);
  const huge = Buffer.alloc(10000, 'q');
  const w = s.write((x) => setFields(x, [b('HSET'), K, l1, b('1'), l2, b('2'), huge, b('3'), b('short'), b('4')]));
  t.equal(w.result, 4, 'four distinct fields');
  s.read((x) => {
    t.equal(hashGet(x, K, l1)?.toString(), '1');
    t.equal(hashGet(x, K, l2)?.toString(), '2');
    t.equal(hashGet(x, K, huge)?.toString(), '3');
    t.equal(hashGet(x, K, Buffer.concat([base, b('three')])), null, 'a third field with the same prefix is absent');
    t.equal(fieldLength(x, K, huge), 1);
    const fields = hashEntries(x, K, true)!.map(([f]) => f);
    t.equal(fields.length, 4);
    t.ok(fields.some((f) => f.equals(l1)) && fields.some((f) => f.equals(l2)) && fields.some((f) => f.equals(huge)), 'the whole fields come back');
  });
  const longParts = () => [...s.store.long.getKeys({})].length;
  t.equal(longParts(), 3, 'three long fields kept in `long`');
  t.equal(s.write((x) => deleteFields(x, [b('HDEL'), K, l1, huge])).result, 2);
  t.equal(longParts(), 1, 'their long entries went with them');
  t.equal(s.write((x) => incrFieldBy(x, K, l1, 7n, [])).result, 7n, 'HINCRBY of a long field');
  t.equal(s.read((x) => hashGet(x, K, l1)?.toString()), '7');
});

t.test('entries in slices and HSCAN steps', async (t) => {
  const s = openTestStore(t);
  const n = 2500;
  const fill = cmd('HSET', 'big');
  for (let i = 0; i < n; i++) fill.push(b(`f${String(i).padStart(4, '0')}`), b(`v${i}`));
  s.write((x) => setFields(x, fill));
  const big = s.read((x) => openHash(x, b('big'))!);
  // slices of 1000: 1000, 1000, 500, in order, and `fn` may write to `sub` meanwhile
  const sizes: number[] = [];
  const seen: string[] = [];
  s.write((x) =>
    eachSlice(
      x.store,
      big.id,
      (part) => {
        sizes.push(part.length);
        for (const [f, v] of part) seen.push(`${f}=${v}`);
        setFields(x, cmd('HSET', 'other', `n${sizes.length}`, 'x'));
      },
      1000,
    ),
  );
  t.same(sizes, [1000, 1000, 500]);
  t.same(seen, Array.from({ length: n }, (_, i) => `f${String(i).padStart(4, '0')}=v${i}`), 'every entry once, in field order');
  const exact: number[] = [];
  s.read((x) => eachSlice(x.store, big.id, (part) => exact.push(part.length), 1250));
  t.same(exact, [1250, 1250], 'a size that divides the hash: no empty slice');

  // a hashtable in steps of COUNT
  let cursor = 0n;
  let calls = 0;
  const fields = new Set<string>();
  let dup = 0;
  let wrong = 0;
  do {
    const step = s.read((x) => scanHash(x.store, big, cursor, 300));
    t.ok(step.entries.length <= 300, `step ${calls}: at most COUNT`);
    for (const [f, v] of step.entries) {
      if (fields.has(f.toString())) dup++;
      fields.add(f.toString());
      if (v.toString() !== `v${Number(f.toString().slice(1))}`) wrong++;
    }
    cursor = step.next;
    calls++;
  } while (cursor !== 0n && calls < 100);
  t.equal(fields.size, n, 'every field of the hashtable');
  t.equal(dup, 0, 'none twice');
  t.equal(wrong, 0, 'each with its value');
  t.equal(calls, Math.ceil(n / 300), 'in ceil(n / COUNT) steps');
  // a listpack whole, whatever the cursor and COUNT
  s.write((x) => setFields(x, cmd('HSET', 'small', 'b', '2', 'a', '1')));
  const small = s.read((x) => openHash(x, b('small'))!);
  const step = s.read((x) => scanHash(x.store, small, 12345n, 1));
  t.same(text(step.entries), [['a', '1'], ['b', '2']]);
  t.equal(step.next, 0n);
});

t.test('key type operations: COPY, dump and restore keep fields, encoding and the exact expiry', async (t) => {
  const s = openTestStore(t);
  const fill = cmd('HSET', 'src', 'long', 'v'.repeat(65));
  for (let i = 0; i < 1500; i++) fill.push(b(`f${i}`), b(`v${i}`));
  fill.push(Buffer.alloc(3000, 'L'), b('long field'));
  s.write((x) => setFields(x, fill));
  const at = s.now + 123456789;
  s.write((x) => x.store.setExpire(x.db, x.store.get(x.db, b('src'), x.now)!, at));
  const want = contents(s, b('src'));
  t.equal(want!.length, 1502);

  t.equal(hashKeyType.refcount(s.read((x) => x.store.get(x.db, b('src'), x.now)!)), 1);
  s.write((x) => {
    const m = x.store.get(x.db, b('src'), x.now)!;
    hashKeyType.copy(x.store, m, 1, b('copy'), x.store.find(1, b('copy'), x.now));
  });
  t.same(contents(s, b('copy'), 1), want, 'COPY to db 1: the same entries');
  t.equal(encoding(s, b('src')), 'hashtable');
  t.equal(s.read((x) => x.store.get(x.db, b('copy'), x.now)!.expireAt, 1), at, 'and the expiry');
  s.write((x) => setFields(x, cmd('HSET', 'copy', 'f0', 'changed')), 1);
  t.equal(s.read((x) => hashGet(x, b('src'), b('f0'))?.toString()), 'v0', 'the copy has its own fields');

  const dump = s.read((x) => hashKeyType.dump(x.store, x.store.get(x.db, b('src'), x.now)!));
  const expire = Buffer.alloc(8);
  expire.writeBigUInt64BE(BigInt(at));
  const r = s.write((x) => hashKeyType.restore(x, b('dst'), x.store.find(x.db, b('dst'), x.now), dump, expire));
  t.same(contents(s, b('dst')), want, 'restored entries');
  t.equal(encoding(s, b('dst')), 'hashtable', 'restored encoding');
  t.equal(s.read((x) => x.store.get(x.db, b('dst'), x.now)!.expireAt), at, 'restored expiry');
  t.same(r.effects.map((e) => e[0]), ['DEL', 'HSET', 'PEXPIREAT'], 'logged as DEL, HSET of every field, PEXPIREAT');
  t.equal(r.effects[1].length, 2 + 2 * 1502);
  t.same(r.effects[2], ['PEXPIREAT', 'dst', String(at)]);

  // a listpack without expiry
  s.write((x) => setFields(x, cmd('HSET', 'lp', 'a', '1')));
  const d2 = s.read((x) => hashKeyType.dump(x.store, x.store.get(x.db, b('lp'), x.now)!));
  const r2 = s.write((x) => hashKeyType.restore(x, b('lp2'), x.store.find(x.db, b('lp2'), x.now), d2, Buffer.alloc(8)));
  t.same(r2.effects, [['DEL', 'lp2'], ['HSET', 'lp2', 'a', '1']], 'no PEXPIREAT without an expiry');
  t.equal(encoding(s, b('lp2')), 'listpack');
  const bad = Buffer.from(d2);
  bad[8] = 2; // the header says 2 fields, the dump holds 1
  t.throws(() => s.write((x) => hashKeyType.restore(x, b('bad'), x.store.find(x.db, b('bad'), x.now), bad, Buffer.alloc(8))), /bad hash dump/, 'a dump that disagrees with its header is refused');
  t.equal(contents(s, b('bad')), null, 'and leaves nothing');
  t.equal(s.read((x) => x.store.get(x.db, b('lp2'), x.now)!.type), T_HASH);
});
