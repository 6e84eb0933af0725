// The command table: every command respdb knows, numbered so the main thread, the shards and the
// slow pool refer to a command by index. The families (lib/commands/<type>.ts) declare their
// entries; lib/commands/index.ts lists the families, and each thread's entry point installs them
// here before anything reads the table. This module imports no family, so a family can import it
// (to look up another command, to find a command's keys) without an import cycle.

import type { CommandDef } from './types.js';
import { compileKeyFinder, INVALID_KEYS, type KeyFinder } from './key-specs.js';

export { INVALID_KEYS };

/** Every entry, internal ones and subcommands included, by index. */
export const ALL: CommandDef[] = [];
const byName = new Map<string, CommandDef>();
const internalByName = new Map<string, CommandDef>();
/** Per command index: its key finder (compiled from its key specs, or its own getKeys). */
const finders: KeyFinder[] = [];
let installed: readonly CommandDef[][] | null = null;

function register(d: CommandDef, parent?: CommandDef): void {
  d.index = ALL.length;
  ALL.push(d);
  finders.push(d.getKeys ?? compileKeyFinder(d.keySpecs));
  if (d.internal) {
    if (internalByName.has(d.name)) throw new Error(`internal command ${d.name} declared twice`);
    internalByName.set(d.name, d);
  } else if (!parent) {
    if (byName.has(d.name)) throw new Error(`command ${d.name} declared twice`);
    byName.set(d.name, d);
  }
  if (d.sub) for (const s of d.sub.values()) register(s, d);
}

/**
 * Numbers the families' entries (in this order: every thread installs the same list, so indexes
 * agree). Installing the same list again is a no-op; another list is a programming error.
 */
export function install(families: readonly CommandDef[][]): void {
  if (installed !== null) {
    if (installed.length === families.length && installed.every((f, i) => f === families[i])) return;
    throw new Error('the command table is already installed with other families');
  }
  installed = families;
  for (const family of families) for (const d of family) register(d);
}

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
 * Argument indexes of a command's keys (INVALID_KEYS when its key count argument does not hold).
 * Callers must not modify the result: for a fixed key range (GET, SET, RENAME...) it is one
 * shared array, so routing allocates nothing per command.
 */
export function keyIndexes(d: CommandDef, args: Buffer[]): readonly number[] {
  return finders[d.index!](args);
}

export type { CommandDef };
