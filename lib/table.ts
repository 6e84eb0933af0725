// The command table: every command respdb knows, with its arity, flags, key positions, ACL
// categories, documentation and handler. Routing, COMMAND, arity checks and (later) ACL and the
// slow pool all read from here. Each family file exports its entries; this module numbers them so
// the main thread and the shards can refer to a command by index.

import type { CommandDef } from './commands/types.js';
import { stringCommands } from './commands/string.js';
import { keyspaceCommands } from './commands/keyspace.js';
import { connectionCommands } from './commands/connection.js';
import { serverCommands } from './commands/server.js';
import { internalCommands } from './commands/internal.js';
import { hashCommands } from './commands/hash.js';
import { listCommands } from './commands/list.js';
import { setCommands } from './commands/set.js';
import { zsetCommands } from './commands/zset.js';
import { blockingCommands } from './commands/blocking.js';
import { sortCommands } from './commands/sort.js';
import { diagnosticsCommands } from './commands/diagnostics.js';

export const ALL: CommandDef[] = [];
const byName = new Map<string, CommandDef>();

function register(d: CommandDef, parent?: CommandDef): void {
  d.index = ALL.length;
  ALL.push(d);
  if (!parent && !d.internal) byName.set(d.name, d);
  if (d.sub) for (const s of d.sub.values()) register(s, d);
}

for (const family of [
  stringCommands,
  keyspaceCommands,
  hashCommands,
  listCommands,
  setCommands,
  zsetCommands,
  blockingCommands,
  sortCommands,
  connectionCommands,
  serverCommands,
  diagnosticsCommands,
  internalCommands,
]) {
  for (const d of family) register(d);
}

// Internal commands may live in any family file (a collection's own cross-shard steps).
const internalByName = new Map<string, CommandDef>();
for (const d of ALL) if (d.internal) internalByName.set(d.name, d);

/** Client-visible top-level command by lower-case name. */
export function lookup(name: string): CommandDef | undefined {
  return byName.get(name);
}

/** Internal (shard-side helper) command by name; throws when missing (a programming error). */
export function internal(name: string): CommandDef {
  const d = internalByName.get(name);
  if (!d) throw new Error(`no internal command ${name}`);
  return d;
}

/** Top-level client-visible commands. */
export function topLevel(): CommandDef[] {
  return [...byName.values()];
}

/**
 * Argument indexes of a command's keys. Callers must not modify the result: for a fixed key range
 * (GET, SET, RENAME...) it is one shared array, so routing allocates nothing per command.
 */
export function keyIndexes(d: CommandDef, args: Buffer[]): number[] {
  if (d.getKeys) return d.getKeys(args);
  const fixed = FIXED_KEYS[d.index!];
  if (fixed !== undefined && args.length > d.keys.last) return fixed;
  return rangeKeyIndexes(d, args);
}

/** Key positions from a command's legacy first/last/step range (what Redis's COMMAND reports). */
export function rangeKeyIndexes(d: CommandDef, args: Buffer[]): number[] {
  const { first, last, step } = d.keys;
  if (first <= 0) return [];
  const end = last < 0 ? args.length + last : Math.min(last, args.length - 1);
  const out: number[] = [];
  for (let i = first; i <= end; i += step) out.push(i);
  return out;
}

/** Per command index: the key positions of a fixed (non-negative last) key range. */
const FIXED_KEYS: Array<number[] | undefined> = ALL.map((d) => {
  const { first, last, step } = d.keys;
  if (first <= 0 || last < 0) return undefined;
  const out: number[] = [];
  for (let i = first; i <= last; i += step) out.push(i);
  return Object.freeze(out) as number[];
});

/** Redis's name for arity errors: "config|get" for subcommands. */
export function fullName(d: CommandDef): string {
  return d.name;
}

export type { CommandDef };
