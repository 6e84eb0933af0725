// Random sequences of EXPIRE (with NX XX GT LT), PERSIST, DEL, RENAME / RENAMENX, COPY, writes and
// the clock moving on, run on the keyspace store room (lib/store/keyspace.ts) and on a plain JS
// model of keys with expiries (fast-check). Every reply, and after every step every key's value
// and exact expiry, must match the model; the binlog effects, replayed step by step on a replica
// store at the same clock, must leave it equal to the primary.
import t from 'tap';
import fc from 'fast-check';
import { openTestStore } from '../support/store.js';
import {
  EXPIRE_GT, EXPIRE_LT, EXPIRE_NX, EXPIRE_XX, copyKey, deleteKeys, expireKey, expireTime, persistKey, renameKey, timeToLive,
} from '../../lib/store/keyspace.js';
import { expireDeadline } from '../../lib/store/expiry.js';
import { DEL } from '../../lib/store/effects.js';
import { contents, exec, replay } from './keyspace-fixtures.js';

const KEYS = ['a', 'b', 'L'.repeat(1100)];
const FLAGS: Record<string, number> = { '': 0, NX: EXPIRE_NX, XX: EXPIRE_XX, GT: EXPIRE_GT, LT: EXPIRE_LT, 'XX GT': EXPIRE_XX | EXPIRE_GT, 'XX LT': EXPIRE_XX | EXPIRE_LT };

type Op =
  | { t: 'set'; k: number; v: string }
  | { t: 'rpush'; k: number; v: string }
  | { t: 'expire'; k: number; n: number; unit: 1 | 1000; relative: boolean; flags: string }
  | { t: 'persist'; k: number }
  | { t: 'del'; k: number }
  | { t: 'rename'; src: number; dst: number; nx: boolean }
  | { t: 'copy'; src: number; dst: number; replace: boolean }
  | { t: 'ttl'; k: number }
  | { t: 'tick'; ms: number };

const key = fc.nat(KEYS.length - 1);
const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ t: fc.constant('set' as const), k: key, v: fc.constantFrom('x', '7') }),
  fc.record({ t: fc.constant('rpush' as const), k: key, v: fc.constantFrom('e', 'f') }),
  {
    // few distinct times, often: equal expiries (GT / LT refuse them) come up
    arbitrary: fc.record({
      t: fc.constant('expire' as const), k: key, n: fc.constantFrom(-1, 0, 2, 1000),
      unit: fc.constantFrom(1 as const, 1000 as const), relative: fc.boolean(), flags: fc.constantFrom(...Object.keys(FLAGS)),
    }),
    weight: 5,
  },
  fc.record({ t: fc.constant('persist' as const), k: key }),
  fc.record({ t: fc.constant('del' as const), k: key }),
  fc.record({ t: fc.constant('rename' as const), src: key, dst: key, nx: fc.boolean() }),
  fc.record({ t: fc.constant('copy' as const), src: key, dst: key, replace: fc.boolean() }),
  fc.record({ t: fc.constant('ttl' as const), k: key }),
  fc.record({ t: fc.constant('tick' as const), ms: fc.constantFrom(1, 399, 1000, 2500) }),
);

interface Entry {
  value: { string: string } | { list: string[] };
  /** ms; null: no expiry */
  at: number | null;
}

/** The model: keys with values and expiries, and the clock. */
class Model {
  keys = new Map<string, Entry>();
  /** Absolute expiries count from the start of the sequence, so the same one comes back often. */
  readonly start: number;
  constructor(public now: number) {
    this.start = now;
  }

  get(k: string): Entry | undefined {
    const e = this.keys.get(k);
    if (e && e.at !== null && e.at <= this.now) {
      this.keys.delete(k);
      return undefined;
    }
    return e;
  }

  apply(o: Op): unknown {
    switch (o.t) {
      case 'set':
        this.keys.set(KEYS[o.k], { value: { string: o.v }, at: null });
        return 'OK';
      case 'rpush': {
        const e = this.get(KEYS[o.k]);
        if (!e) {
          this.keys.set(KEYS[o.k], { value: { list: [o.v] }, at: null });
          return 1;
        }
        if (!('list' in e.value)) return 'WRONGTYPE';
        e.value.list.push(o.v);
        return e.value.list.length;
      }
      case 'expire': {
        const when = o.n * o.unit + (o.relative ? this.now : this.start);
        const e = this.get(KEYS[o.k]);
        if (!e) return 0;
        const f = o.flags;
        if (f === 'NX' && e.at !== null) return 0;
        if (f.startsWith('XX') && e.at === null) return 0;
        if (f.endsWith('GT') && (e.at === null || when <= e.at)) return 0;
        if (f.endsWith('LT') && e.at !== null && when >= e.at) return 0;
        if (when <= this.now) this.keys.delete(KEYS[o.k]);
        else e.at = when;
        return 1;
      }
      case 'persist': {
        const e = this.get(KEYS[o.k]);
        if (!e || e.at === null) return 0;
        e.at = null;
        return 1;
      }
      case 'del':
        return this.get(KEYS[o.k]) ? (this.keys.delete(KEYS[o.k]), 1) : 0;
      case 'rename': {
        const e = this.get(KEYS[o.src]);
        if (!e) return 'ERR no such key';
        if (o.src === o.dst) return o.nx ? 0 : 1;
        if (o.nx && this.get(KEYS[o.dst])) return 0;
        this.keys.delete(KEYS[o.src]);
        this.keys.set(KEYS[o.dst], e);
        return 1;
      }
      case 'copy': {
        const e = this.get(KEYS[o.src]);
        if (o.src === o.dst) return 'same';
        if (!e) return 0;
        if (!o.replace && this.get(KEYS[o.dst])) return 0;
        this.keys.set(KEYS[o.dst], structuredClone(e));
        return 1;
      }
      case 'ttl': {
        const e = this.get(KEYS[o.k]);
        return !e ? -2 : e.at === null ? -1 : e.at - this.now;
      }
      case 'tick':
        this.now += o.ms;
        return null;
    }
  }
}

t.test('EXPIRE PERSIST DEL RENAME COPY sequences against a model (fast-check)', async (t) => {
  const s = openTestStore(t);
  const replica = openTestStore(t);
  let steps = 0;
  let start = 0;
  /** One op on the store: its reply (in the model's terms) and its effects. */
  const run = (o: Op): { reply: unknown; effects: string[][] } => {
    const B = (i: number) => Buffer.from(KEYS[i], 'latin1');
    switch (o.t) {
      case 'set':
      case 'rpush': {
        const { result, effects } = s.write((x) => exec(x, [o.t.toUpperCase(), B(o.k), o.v]));
        const reply = result instanceof Error ? result.message.split(' ')[0] : typeof result === 'bigint' ? Number(result) : result;
        return { reply, effects };
      }
      case 'expire': {
        // the command room's check order: the arithmetic first (no overflow with these numbers)
        const when = o.relative ? expireDeadline(BigInt(o.n), BigInt(o.unit), true, s.now) : expireDeadline(BigInt(start + o.n * o.unit), 1n, false, s.now);
        if (when === null) throw new Error('unexpected overflow');
        const { result, effects } = s.write((x) => expireKey(x, B(o.k), when, FLAGS[o.flags]));
        return { reply: result, effects };
      }
      case 'persist':
        return (({ result, effects }) => ({ reply: result, effects }))(s.write((x) => persistKey(x, B(o.k))));
      case 'del':
        return (({ result, effects }) => ({ reply: result, effects }))(s.write((x) => deleteKeys(x, [B(o.k)], 0, DEL)));
      case 'rename':
        try {
          return (({ result, effects }) => ({ reply: result, effects }))(s.write((x) => renameKey(x, B(o.src), B(o.dst), o.nx)));
        } catch (e) {
          return { reply: (e as Error).message, effects: [] };
        }
      case 'copy': {
        if (o.src === o.dst) return { reply: 'same', effects: [] }; // the command room refuses it
        const cmd = [Buffer.from('COPY'), B(o.src), B(o.dst), ...(o.replace ? [Buffer.from('REPLACE')] : [])];
        return (({ result, effects }) => ({ reply: result, effects }))(s.write((x) => copyKey(x, cmd, 0, o.replace)));
      }
      case 'ttl':
        return { reply: Number(s.read((x) => timeToLive(x, B(o.k), true))), effects: [] };
      case 'tick':
        s.now += o.ms;
        return { reply: null, effects: [] };
    }
  };
  /** Every key's value and exact expiry on a store. */
  const state = (store: typeof s) =>
    KEYS.map((k) => {
      const b = Buffer.from(k, 'latin1');
      return [store.read((x) => contents(x, b)), Number(store.read((x) => expireTime(x, b, true)))];
    });
  const modelState = (m: Model) =>
    KEYS.map((k) => {
      const e = m.get(k);
      return [e ? e.value : null, !e ? -2 : e.at === null ? -1 : e.at];
    });

  await fc.assert(
    fc.asyncProperty(fc.array(opArb, { minLength: 1, maxLength: 40, size: 'max' }), async (ops) => {
      for (const st of [s, replica]) st.write((x) => x.store.flushAll());
      const m = new Model(s.now);
      start = m.start;
      for (let i = 0; i < ops.length; i++) {
        steps++;
        const o = ops[i];
        const want = m.apply(o);
        const { reply, effects } = run(o);
        const where = `step ${i} ${JSON.stringify(o)} of ${JSON.stringify(ops)}`;
        if (JSON.stringify(reply) !== JSON.stringify(want)) {
          t.fail(`${where}: reply ${JSON.stringify(reply)}, model ${JSON.stringify(want)}`);
          return false;
        }
        const got = state(s);
        if (JSON.stringify(got) !== JSON.stringify(modelState(m))) {
          t.fail(`${where}: state ${JSON.stringify(got)}, model ${JSON.stringify(modelState(m))}`);
          return false;
        }
        replica.now = s.now;
        replay(replica, effects);
        if (JSON.stringify(state(replica)) !== JSON.stringify(got)) {
          t.fail(`${where}: replica ${JSON.stringify(state(replica))} after ${JSON.stringify(effects)}`);
          return false;
        }
      }
      return true;
    }),
    { numRuns: 100, seed: 20240611 },
  ).catch((e: Error) => t.fail(e.message.split('\n').slice(0, 4).join('\n')));
  t.ok(steps > 1000, `${steps} steps matched the model, and the replica`);
});
