// One HSCAN / SSCAN / ZSCAN step over a big collection, in subkey order, its position kept in this
// shard's cursor table.

import type { ShardStore } from './shard-store.js';
import { idRange, memberOf, partKey } from './collections.js';
import { CursorTable } from './cursor-table.js';

/** Where a scan of a big collection stopped: its key id and the key part of the last member returned. */
interface ScanPos {
  id: number;
  after: Buffer;
}

/**
 * Positions of this shard's HSCAN / SSCAN / ZSCAN walks. A key id is never reused, so the id alone
 * tells whether a cursor belongs to the collection being scanned.
 */
const positions = new CursorTable<ScanPos>();

/**
 * One step of a scan over the members of the big collection `id` (subkeys [id][member] in `sub`):
 * up to `count` members (with their values when `values`) after the position of `cursor` (from the
 * first member for 0 or an unknown cursor), and the cursor for the rest (0 when done).
 */
export function scanStep(store: ShardStore, id: number, cursor: bigint, count: number, values: boolean): { members: Buffer[]; values: Buffer[]; next: bigint } {
  const pos = cursor === 0n ? undefined : positions.recall(cursor);
  const { start, end } = idRange(id);
  // the smallest subkey after the last member returned: its key part followed by a 0 byte
  const from = pos && pos.id === id ? partKey(id, Buffer.concat([pos.after, ZERO])) : start;
  const members: Buffer[] = [];
  const vals: Buffer[] = [];
  let more = false;
  let last: Buffer | null = null;
  const range = { start: from, end, limit: count + 1 };
  const entries = values ? store.sub.getRange(range) : store.sub.getKeys(range).map((key) => ({ key, value: null }));
  for (const { key, value } of entries) {
    if (members.length === count) {
      more = true;
      break;
    }
    last = key as Buffer;
    members.push(Buffer.from(memberOf(store, last)));
    if (value !== null) vals.push(value as Buffer);
  }
  const next = more && last ? positions.remember({ id, after: Buffer.from(last.subarray(8)) }) : 0n;
  return { members, values: vals, next };
}

const ZERO = Buffer.from([0]);
