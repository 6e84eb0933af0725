// The hash store room against a model (fast-check): random sequences of HSET / HSETNX / HDEL /
// HINCRBY on a few hashes and a string, in write transactions of a few operations each (as a
// shard's batches), against a JS Map per hash. Every operation's result, error and binlog effect
// is compared as it runs; at the end every hash's entries (and their order), its length and its
// OBJECT ENCODING.
import t from 'tap';
import fc from 'fast-check';
import { openTestStore } from '../support/store.js';
import type { StoreCtx } from '../../lib/store/context.js';
import { E } from '../../lib/errors.js';
import { HASH_NOT_INT, deleteFields, hashEntries, hashKeyType, hashLength, incrFieldBy, setFieldIfAbsent, setFields } from '../../lib/store/hash.js';

const b = (s: string): Buffer => Buffer.from(s, 'latin1');

type Op =
  | { op: 'hset'; key: number; pairs: Array<[Buffer, Buffer]> }
  | { op: 'hsetnx'; key: number; field: Buffer; value: Buffer }
  | { op: 'hdel'; key: number; fields: Buffer[] }
  | { op: 'hincrby'; key: number; field: Buffer; by: bigint };

/** Key 3 is a string: every hash operation on it is a WRONGTYPE error. */
const KEYS = 4;
const STRING_KEY = 3;

const LONG_BASE = Buffer.alloc(1900, 'L');
const fieldArb = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom('a', 'b', 'c', 'ab', '', '0', 'x\r\ny').map(b) },
  { weight: 1, arbitrary: fc.constantFrom(Buffer.from([0]), Buffer.from([0xff]), Buffer.from([0xff, 0])) },
  // a field past the listpack limit, and long fields (> 1,900 bytes) sharing their first 1,900 bytes
  { weight: 1, arbitrary: fc.constantFrom(b('f'.repeat(65)), Buffer.concat([LONG_BASE, b('1')]), Buffer.concat([LONG_BASE, b('2')]), Buffer.alloc(5000, 'M')) },
);
const valueArb = fc.oneof(
  { weight: 4, arbitrary: fc.integer({ min: -100, max: 100 }).map((n) => b(String(n))) },
  {
    weight: 2,
    arbitrary: fc.constantFrom('', 'abc', '1.5', ' 1', '-0', '01', '+1', '9223372036854775807', '-9223372036854775808', '9223372036854775808', 'v'.repeat(65)).map(b),
  },
);
const byArb = fc.oneof(
  { weight: 6, arbitrary: fc.bigInt({ min: -50n, max: 50n }) },
  { weight: 1, arbitrary: fc.constantFrom(9223372036854775807n, -9223372036854775808n, 1n << 62n) },
);
const keyArb = fc.oneof({ weight: 8, arbitrary: fc.integer({ min: 0, max: 2 }) }, { weight: 1, arbitrary: fc.constant(STRING_KEY) });

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ op: fc.constant('hset' as const), key: keyArb, pairs: fc.array(fc.tuple(fieldArb, valueArb), { minLength: 1, maxLength: 3 }) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('hsetnx' as const), key: keyArb, field: fieldArb, value: valueArb }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('hdel' as const), key: keyArb, fields: fc.array(fieldArb, { minLength: 1, maxLength: 3 }) }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('hincrby' as const), key: keyArb, field: fieldArb, by: byArb }) },
);

interface ModelHash {
  fields: Map<string, Buffer>;
  /** an encoding upgrade happened (Redis never undoes it) */
  big: boolean;
}

const INT64_MAX = (1n << 63n) - 1n;
const INT64_MIN = -(1n << 63n);

/** Redis's string2ll: no sign but '-', no leading zeros, no blanks, within 64 bits. */
function redisInt(v: Buffer): bigint | null {
  const s = v.toString('latin1');
  if (!/^(0|-?[1-9][0-9]*)$/.test(s)) return null;
  const n = BigInt(s);
  return n > INT64_MAX || n < INT64_MIN ? null : n;
}

type Outcome = { result: unknown; effect: string[] | null } | { error: string };

/** What the store must do: applies `o` to the model and returns the expected outcome. */
function apply(model: Array<ModelHash | null>, names: string[], o: Op): Outcome {
  if (o.key === STRING_KEY) return { error: E.wrongType };
  const name = names[o.key];
  const h = model[o.key] ?? { fields: new Map<string, Buffer>(), big: false };
  const write = (f: Buffer, v: Buffer): boolean => {
    const isNew = !h.fields.has(f.toString('latin1'));
    h.fields.set(f.toString('latin1'), v);
    if (f.length > 64 || v.length > 64 || h.fields.size > 512) h.big = true;
    return isNew;
  };
  const save = (): void => {
    model[o.key] = h.fields.size ? h : null;
  };
  const text = (bufs: Buffer[]): string[] => bufs.map((x) => x.toString('latin1'));
  switch (o.op) {
    case 'hset': {
      let created = 0;
      for (const [f, v] of o.pairs) if (write(f, v)) created++;
      save();
      return { result: created, effect: ['HSET', name, ...text(o.pairs.flat())] };
    }
    case 'hsetnx': {
      if (h.fields.has(o.field.toString('latin1'))) return { result: false, effect: null };
      write(o.field, o.value);
      save();
      return { result: true, effect: ['HSET', name, ...text([o.field, o.value])] };
    }
    case 'hdel': {
      if (!model[o.key]) return { result: 0, effect: null };
      let n = 0;
      for (const f of o.fields) if (h.fields.delete(f.toString('latin1'))) n++;
      save();
      return { result: n, effect: n ? ['HDEL', name, ...text(o.fields)] : null };
    }
    case 'hincrby': {
      const cur = h.fields.get(o.field.toString('latin1'));
      let n = 0n;
      if (cur !== undefined) {
        const parsed = redisInt(cur);
        if (parsed === null) return { error: HASH_NOT_INT };
        n = parsed;
      }
      const next = n + o.by;
      if (next > INT64_MAX || next < INT64_MIN) return { error: E.overflow };
      write(o.field, b(String(next)));
      save();
      return { result: next, effect: ['HINCRBY', name, o.field.toString('latin1'), String(o.by)] };
    }
  }
}

/** Runs `o` on the store, with the binlog effect it writes (null: none). */
function run(x: StoreCtx, names: string[], o: Op): Outcome {
  const effects: Buffer[][] = [];
  const ctx: StoreCtx = { store: x.store, db: x.db, now: x.now, binlog: (args) => (effects.push(args), x.binlog(args)) };
  const key = b(names[o.key]);
  let result: unknown;
  try {
    switch (o.op) {
      case 'hset':
        result = setFields(ctx, [b('HSET'), key, ...o.pairs.flat()]);
        break;
      case 'hsetnx':
        result = setFieldIfAbsent(ctx, key, o.field, o.value);
        break;
      case 'hdel':
        result = deleteFields(ctx, [b('HDEL'), key, ...o.fields]);
        break;
      case 'hincrby':
        result = incrFieldBy(ctx, key, o.field, o.by, [b('HINCRBY'), key, o.field, b(String(o.by))]);
        break;
    }
  } catch (e) {
    if (effects.length) return { error: `${(e as Error).message} (after logging ${effects.length} effects)` };
    return { error: (e as Error).message };
  }
  if (effects.length > 1) return { result, effect: ['more than one effect'] };
  return { result, effect: effects.length ? effects[0].map((a) => a.toString('latin1')) : null };
}

/** Two fields in store order: byte order, except long fields sharing their first 1,900 bytes. */
function inOrder(a: Buffer, b: Buffer): boolean {
  if (Buffer.compare(a, b) < 0) return true;
  return a.length > 1900 && b.length > 1900 && a.subarray(0, 1900).equals(b.subarray(0, 1900)) && !a.equals(b);
}

t.test('random HSET / HSETNX / HDEL / HINCRBY sequences agree with a Map model', async (t) => {
  const s = openTestStore(t);
  let runNo = 0;
  let ops = 0;
  fc.assert(
    fc.property(fc.array(fc.array(opArb, { minLength: 1, maxLength: 8 }), { minLength: 1, maxLength: 8 }), (batches) => {
      const names = Array.from({ length: KEYS }, (_, i) => `run${runNo}:k${i}`);
      runNo++;
      const model: Array<ModelHash | null> = Array.from({ length: KEYS }, () => null);
      s.write((x) => {
        const key = b(names[STRING_KEY]);
        const f = x.store.find(x.db, key, x.now);
        x.store.putString(x.db, key, f.mk, b('text'), 0, f.meta);
      });
      for (const batch of batches) {
        s.write((x) => {
          for (const o of batch) {
            ops++;
            const want = apply(model, names, o);
            const got = run(x, names, o);
            if (JSON.stringify(got, (_, v) => (typeof v === 'bigint' ? `${v}n` : v)) !== JSON.stringify(want, (_, v) => (typeof v === 'bigint' ? `${v}n` : v))) {
              throw new Error(`${o.op} on ${names[o.key]}: got ${JSON.stringify(got, (_, v) => String(v))}, want ${JSON.stringify(want, (_, v) => String(v))}`);
            }
          }
        });
      }
      s.read((x) => {
        for (let k = 0; k < KEYS; k++) {
          if (k === STRING_KEY) continue;
          const key = b(names[k]);
          const h = model[k];
          const entries = hashEntries(x, key, true);
          if (!h) {
            if (entries !== null) throw new Error(`${names[k]} should not exist`);
            continue;
          }
          if (!entries) throw new Error(`${names[k]} is missing`);
          if (hashLength(x, key) !== h.fields.size) throw new Error(`${names[k]}: length ${hashLength(x, key)}, want ${h.fields.size}`);
          for (let i = 1; i < entries.length; i++) if (!inOrder(entries[i - 1][0], entries[i][0])) throw new Error(`${names[k]}: entries out of order at ${i}`);
          const got = entries.map(([f, v]) => `${f.toString('latin1')}=${v.toString('latin1')}`).sort();
          const want = [...h.fields].map(([f, v]) => `${f}=${v.toString('latin1')}`).sort();
          if (JSON.stringify(got) !== JSON.stringify(want)) throw new Error(`${names[k]}: entries ${JSON.stringify(got)}, want ${JSON.stringify(want)}`);
          const enc = hashKeyType.encoding(x.store.get(x.db, key, x.now)!);
          if (enc !== (h.big ? 'hashtable' : 'listpack')) throw new Error(`${names[k]}: encoding ${enc}, want ${h.big ? 'hashtable' : 'listpack'}`);
        }
      });
    }),
    { numRuns: 150 },
  );
  t.ok(ops > 1000, `${ops} operations in ${runNo} sequences`);
});
