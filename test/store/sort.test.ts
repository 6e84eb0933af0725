// SORT's store room (lib/store/sort.ts) without a server: sortSource gives a list head to tail, a
// set in member byte order and a sorted set by score (equal scores by member), long members
// (> 1,900 bytes) whole, nil for a missing or expired key and WRONGTYPE for a string or a hash;
// sortLookup gives string values and hash fields, nil for missing keys and fields, for expired
// keys and for every other type. The keys are made by the families' own shard handlers; random
// lists, sets and sorted sets are checked against a model with fast-check.
import t from 'tap';
import fc from 'fast-check';
import { openTestStore, type TestStore } from '../support/store.js';
import { sortLookup, sortSource } from '../../lib/store/sort.js';
import { T_LIST, T_SET, T_ZSET } from '../../lib/store/meta.js';
import { E } from '../../lib/errors.js';
import { RespWriter } from '../../lib/resp/writer.js';
import { decodeReply } from '../../lib/resp/decode.js';
import type { CommandDef } from '../../lib/commands/types.js';
import { stringCommands } from '../../lib/commands/string.js';
import { hashCommands } from '../../lib/commands/hash.js';
import { listCommands } from '../../lib/commands/list.js';
import { setCommands } from '../../lib/commands/set.js';
import { zsetCommands } from '../../lib/commands/zset.js';
import { keyspaceCommands } from '../../lib/commands/keyspace.js';

const B = (s: string): Buffer => Buffer.from(s);
const defs = new Map<string, CommandDef>(
  [stringCommands, hashCommands, listCommands, setCommands, zsetCommands, keyspaceCommands].flat().map((d) => [d.name, d]),
);

/** Runs a command's shard handler in one write transaction; its decoded reply (an error throws). */
function run(s: TestStore, ...args: (string | Buffer)[]): unknown {
  const def = defs.get(String(args[0]).toLowerCase());
  if (!def?.shard) throw new Error(`no shard handler for ${String(args[0])}`);
  const out = new RespWriter(256);
  const { result } = s.write((x) => {
    def.shard!({ ...x, out }, args.map((a) => (Buffer.isBuffer(a) ? a : B(a))));
    return decodeReply(out.take());
  });
  if (result instanceof Error) throw result;
  return result;
}

const source = (s: TestStore, key: string) => s.read((x) => sortSource(x, B(key)));
const look = (s: TestStore, key: string, field: string | null) => s.read((x) => sortLookup(x, B(key), field === null ? null : B(field)));
const strings = (bs: Buffer[] | undefined) => bs?.map((b) => b.toString());

t.test('sortSource: each type in its stored order', async (t) => {
  const s = openTestStore(t);
  run(s, 'RPUSH', 'l', 'b', 'c');
  run(s, 'LPUSH', 'l', 'a', '0');
  run(s, 'RPUSH', 'l', 'c', '10');
  t.same(source(s, 'l')?.type, T_LIST);
  t.same(strings(source(s, 'l')?.elements), ['0', 'a', 'b', 'c', 'c', '10'], 'a list head to tail, duplicates kept');

  run(s, 'SADD', 's', 'pear', '10', '9', 'apple', '', 'Z');
  t.same(source(s, 's')?.type, T_SET);
  t.same(strings(source(s, 's')?.elements), ['', '10', '9', 'Z', 'apple', 'pear'], 'a set in member byte order');

  run(s, 'ZADD', 'z', '3', 'c', '1', 'b', '1', 'a', '-inf', 'low', '2.5', 'x', 'inf', 'top', '-1', 'neg');
  t.same(source(s, 'z')?.type, T_ZSET);
  t.same(strings(source(s, 'z')?.elements), ['low', 'neg', 'a', 'b', 'x', 'c', 'top'], 'a sorted set by score, equal scores by member');

  t.equal(source(s, 'missing'), null, 'a missing key has no elements');
});

t.test('sortSource: the elements are copies, valid after more reads and writes', async (t) => {
  const s = openTestStore(t);
  run(s, 'SADD', 's', 'a', 'b');
  run(s, 'ZADD', 'z', '1', 'a', '2', 'b');
  run(s, 'RPUSH', 'l', 'a', 'b');
  const got = ['s', 'z', 'l'].map((k) => source(s, k)!.elements);
  run(s, 'DEL', 's', 'z', 'l');
  run(s, 'SADD', 's', 'x', 'y');
  run(s, 'ZADD', 'z', '1', 'x', '2', 'y');
  run(s, 'RPUSH', 'l', 'x', 'y');
  t.same(got.map(strings), [['a', 'b'], ['a', 'b'], ['a', 'b']]);
});

t.test('sortSource: WRONGTYPE for a string and a hash, nothing for an expired key', async (t) => {
  const s = openTestStore(t);
  run(s, 'SET', 'str', 'v');
  run(s, 'HSET', 'h', 'f', 'v');
  t.throws(() => source(s, 'str'), { message: E.wrongType });
  t.throws(() => source(s, 'h'), { message: E.wrongType });
  run(s, 'RPUSH', 'l', 'a');
  run(s, 'PEXPIRE', 'l', '100');
  t.same(strings(source(s, 'l')?.elements), ['a'], 'before its time');
  s.now += 101;
  t.equal(source(s, 'l'), null, 'after its time');
  run(s, 'SET', 'gone', 'v', 'PX', '10');
  s.now += 11;
  t.equal(source(s, 'gone'), null, 'an expired string is missing, not a wrong type');
});

t.test('sortSource: long members come back whole', async (t) => {
  const s = openTestStore(t);
  // members sharing their first 1,900 bytes stand in keys as a prefix and a digest
  const long = (c: string, n: number) => 'm'.repeat(1900) + c.repeat(n);
  const members = [long('a', 10), long('b', 500), long('a', 3000), 'short'];
  run(s, 'SADD', 's', ...members);
  t.same(new Set(strings(source(s, 's')?.elements)), new Set(members), 'a set');
  t.equal(source(s, 's')?.elements.length, 4);
  run(s, 'ZADD', 'z', '3', members[0], '1', members[1], '2', members[2], '0', members[3]);
  t.same(strings(source(s, 'z')?.elements), [members[3], members[1], members[2], members[0]], 'a sorted set, by score');
  run(s, 'RPUSH', 'l', ...members);
  t.same(strings(source(s, 'l')?.elements), members, 'a list');
});

t.test('sortLookup: string values and hash fields; nil for anything else', async (t) => {
  const s = openTestStore(t);
  run(s, 'SET', 'str', 'value');
  run(s, 'SET', 'num', '12');
  run(s, 'SET', 'empty', '');
  run(s, 'HSET', 'h', 'f', 'v', 'age', '40', 'e', '');
  run(s, 'RPUSH', 'l', 'f');
  run(s, 'SADD', 's', 'f');
  run(s, 'ZADD', 'z', '1', 'f');
  t.equal(look(s, 'str', null)?.toString(), 'value');
  t.equal(look(s, 'num', null)?.toString(), '12');
  t.equal(look(s, 'empty', null)?.toString(), '', 'an empty string is a value, not nil');
  t.equal(look(s, 'h', 'f')?.toString(), 'v');
  t.equal(look(s, 'h', 'age')?.toString(), '40');
  t.equal(look(s, 'h', 'e')?.toString(), '', 'an empty field value is a value, not nil');
  t.equal(look(s, 'h', 'missing'), null, 'a missing field');
  t.equal(look(s, 'h', ''), null, 'an empty field name that is not there');
  t.equal(look(s, 'missing', null), null, 'a missing key');
  t.equal(look(s, 'missing', 'f'), null, 'a missing key with a field');
  t.equal(look(s, 'h', null), null, 'a hash read as a string');
  t.equal(look(s, 'str', 'f'), null, 'a string read as a hash');
  for (const k of ['l', 's', 'z']) {
    t.equal(look(s, k, null), null, `${k} read as a string`);
    t.equal(look(s, k, 'f'), null, `${k} read as a hash`);
  }
});

t.test('sortLookup: long fields and values, expired keys', async (t) => {
  const s = openTestStore(t);
  const field = 'f'.repeat(2500);
  const other = 'f'.repeat(1900) + 'g'.repeat(600);
  const value = 'v'.repeat(100_000);
  run(s, 'HSET', 'h', field, value, other, 'other');
  run(s, 'SET', 'big', value);
  t.equal(look(s, 'h', field)?.toString(), value, 'a long field');
  t.equal(look(s, 'h', other)?.toString(), 'other', 'a long field sharing its first 1,900 bytes');
  t.equal(look(s, 'h', 'f'.repeat(1900)), null, 'the shared prefix is no field');
  t.equal(look(s, 'big', null)?.toString(), value, 'a long string value');
  run(s, 'PEXPIRE', 'h', '50');
  run(s, 'PEXPIRE', 'big', '50');
  s.now += 51;
  t.equal(look(s, 'h', field), null, 'an expired hash');
  t.equal(look(s, 'big', null), null, 'an expired string');
});

t.test('sortSource matches a model of random lists, sets and sorted sets', async (t) => {
  const s = openTestStore(t);
  const member = fc.oneof(fc.string({ maxLength: 6 }), fc.integer({ min: -20, max: 20 }).map(String));
  let n = 0;
  await fc.assert(
    fc.property(
      fc.array(fc.tuple(fc.boolean(), member), { minLength: 1, maxLength: 40 }),
      fc.array(member, { minLength: 1, maxLength: 40 }),
      fc.array(fc.tuple(fc.integer({ min: -5, max: 5 }), member), { minLength: 1, maxLength: 40 }),
      (pushes, adds, zadds) => {
        const k = String(n++);
        // a list: LPUSH / RPUSH one at a time
        const list: string[] = [];
        for (const [left, m] of pushes) {
          run(s, left ? 'LPUSH' : 'RPUSH', `l${k}`, m);
          if (left) list.unshift(m);
          else list.push(m);
        }
        if (JSON.stringify(strings(source(s, `l${k}`)?.elements)) !== JSON.stringify(list)) return false;
        // a set, as SMEMBERS lists it: an intset (every member an integer) in numeric order, else
        // member byte order
        run(s, 'SADD', `s${k}`, ...adds);
        const distinct = [...new Set(adds)];
        const intset = distinct.every((m) => /^(0|-?[1-9][0-9]{0,17})$/.test(m));
        const set = intset ? distinct.sort((a, b) => Number(a) - Number(b)) : distinct.sort((a, b) => Buffer.compare(B(a), B(b)));
        if (JSON.stringify(strings(source(s, `s${k}`)?.elements)) !== JSON.stringify(set)) return false;
        // a sorted set: the last score of each member; by score, then member bytes
        const scores = new Map<string, number>();
        for (const [score, m] of zadds) {
          run(s, 'ZADD', `z${k}`, String(score), m);
          scores.set(m, score);
        }
        const zset = [...scores].sort((a, b) => a[1] - b[1] || Buffer.compare(B(a[0]), B(b[0]))).map(([m]) => m);
        return JSON.stringify(strings(source(s, `z${k}`)?.elements)) === JSON.stringify(zset);
      },
    ),
    { numRuns: 60 },
  );
  t.pass('every random key read back in its stored order');
});
