// The ACL categories, in the order Redis 7.0 lists them (ACL CAT, and the order in which ACL LIST
// tries them when it describes a user's commands), and their members, read from the command
// table: an entry's `acl` list is its categories (lib/commands/define.ts derives the implied ones
// from its flags), the same ones COMMAND INFO reports.

import { ALL } from '../commands/registry.js';
import type { CommandDef } from '../commands/types.js';

export const CATEGORIES: readonly string[] = [
  'keyspace', 'read', 'write', 'set', 'sortedset', 'list', 'hash', 'string', 'bitmap', 'hyperloglog',
  'geo', 'stream', 'pubsub', 'admin', 'fast', 'slow', 'blocking', 'dangerous', 'connection',
  'transaction', 'scripting',
];

const CATEGORY_INDEX = new Map(CATEGORIES.map((c, i) => [c, i]));

/** A category's position in CATEGORIES (case-insensitive name), -1 when there is none. */
export function categoryIndex(name: string): number {
  return CATEGORY_INDEX.get(name.toLowerCase()) ?? -1;
}

interface CategoryTable {
  /** Client-visible top-level commands, in table order. */
  top: CommandDef[];
  /** Per category: its top-level commands and subcommands, each parent before its subcommands. */
  members: CommandDef[][];
  /** Per category: members as a set of command indexes. */
  memberBits: Uint8Array[];
}

let table: CategoryTable | null = null;

/** Built on first use, once the command table is installed (and renamed). */
export function categoryTable(): CategoryTable {
  if (table !== null) return table;
  const top = ALL.filter((d) => !d.internal && !d.name.includes('|'));
  const members: CommandDef[][] = CATEGORIES.map(() => []);
  const memberBits = CATEGORIES.map(() => new Uint8Array(ALL.length));
  const add = (d: CommandDef): void => {
    for (const c of d.acl) {
      const i = CATEGORY_INDEX.get(c);
      if (i === undefined) continue;
      members[i].push(d);
      memberBits[i][d.index!] = 1;
    }
  };
  for (const d of top) {
    add(d);
    if (d.sub) for (const s of d.sub.values()) add(s);
  }
  table = { top, members, memberBits };
  return table;
}
