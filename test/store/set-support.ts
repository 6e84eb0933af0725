// What the set store tests share (test/store/set*.test.ts): the slot numbering of a set read back
// from the store's sub-databases, and shorthands for keys and members.
import type { StoreCtx } from '../../lib/store/context.js';
import type { TestStore } from '../support/store.js';
import { T_SET, payload } from '../../lib/store/meta.js';
import { idRange, memberOf, partKey, LONG_PART } from '../../lib/store/collections.js';
import { setKeyType } from '../../lib/store/set.js';

export const b = (s: string): Buffer => Buffer.from(s, 'latin1');
export const bs = (...s: string[]): Buffer[] => s.map(b);
export const strs = (ms: Buffer[]): string[] => ms.map((m) => m.toString('latin1'));
export const sorted = (a: string[]): string[] => [...a].sort();
/** The command a store function takes as it was sent: ['SADD', 'k', 'a'] -> buffers. */
export const cmd = (...s: string[]): Buffer[] => bs(...s);

/** What a set looks like in the store: its members through its slots, and what is wrong with them. */
export interface SetLayout {
  /** The record's member count. */
  count: number;
  /** OBJECT ENCODING */
  encoding: string;
  /** The member in each slot, in slot order. */
  bySlot: string[];
  /** Members found under the id in `sub`. */
  subs: number;
  /** Broken promises of the numbering: a missing or extra slot, a member whose slot value disagrees. */
  problems: string[];
}

/**
 * Reads the set at `key` in db `db` (null when missing): slots 0..count-1 must each name a member
 * (its part, the whole member in `long` for a long part) whose `sub` value is that slot, with no
 * slot past count-1 and exactly count members in `sub`.
 */
export function setLayout(s: TestStore, key: string, db = 0): SetLayout | null {
  return s.read((x: StoreCtx) => {
    const m = x.store.get(x.db, b(key), x.now, false);
    if (!m) return null;
    if (m.type !== T_SET) throw new Error(`${key} is not a set`);
    const p = payload(m);
    const id = Number(p.readBigUInt64BE(0));
    const count = Number(p.readBigUInt64BE(8));
    const problems: string[] = [];
    const bySlot: string[] = [];
    const slots = [...x.store.slot.getRange(idRange(id))];
    slots.forEach(({ key: k, value }, i) => {
      const n = Number((k as Buffer).readBigUInt64BE(8));
      if (n !== i) problems.push(`slot ${n} where ${i} was expected`);
      const part = value as Buffer;
      const sk = partKey(id, part);
      const v = x.store.sub.getBinary(sk);
      if (!v || v.length !== 8 || Number(v.readBigUInt64BE(0)) !== n) problems.push(`slot ${n} names a member that records ${v ? v.toString('hex') : 'nothing'}`);
      if (part.length === LONG_PART && !x.store.long.getBinary(sk)) problems.push(`slot ${n}: a long part without its member in long`);
      bySlot.push(memberOf(x.store, sk).toString('latin1'));
    });
    if (slots.length !== count) problems.push(`count ${count}, ${slots.length} slots`);
    const subs = [...x.store.sub.getKeys(idRange(id))].length;
    if (subs !== count) problems.push(`count ${count}, ${subs} members in sub`);
    return { count, encoding: setKeyType.encoding(m), bySlot, subs, problems };
  }, db);
}
