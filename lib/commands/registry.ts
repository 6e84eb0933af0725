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
/**
 * The same top-level commands by a hash of their lower-case name bytes, so the router finds a
 * command from its argument Buffer without decoding and lower-casing it into new strings on every
 * request (two string allocations per command, measured ~0.1 µs of the main thread's ~2.5 µs per
 * GET). Collisions share a bucket; the bytes are compared.
 */
const byHash = new Map<number, CommandDef[]>();
const nameBytes: Buffer[] = [];
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
    const bytes = Buffer.from(d.name, 'latin1');
    nameBytes[d.index] = bytes;
    const h = nameHash(bytes);
    const bucket = byHash.get(h);
    if (bucket) bucket.push(d);
    else byHash.set(h, [d]);
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

/** FNV-1a over the bytes with ASCII letters lower-cased (command names are ASCII). */
function nameHash(b: Uint8Array): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < b.length; i++) {
    let c = b[i];
    if (c >= 65 && c <= 90) c |= 0x20;
    h = Math.imul(h ^ c, 0x01000193);
  }
  return h >>> 0;
}

/**
 * lookup() of a command name as the client sent it (any letter case), without allocating. Names
 * longer than any command's are not looked at.
 */
export function lookupBytes(name: Uint8Array): CommandDef | undefined {
  if (name.length > 32) return undefined;
  const bucket = byHash.get(nameHash(name));
  if (bucket === undefined) return undefined;
  for (const d of bucket) {
    const n = nameBytes[d.index!];
    if (n.length !== name.length) continue;
    let i = 0;
    for (; i < n.length; i++) {
      let c = name[i];
      if (c >= 65 && c <= 90) c |= 0x20;
      if (c !== n[i]) break;
    }
    if (i === n.length) return d;
  }
  return undefined;
}

/** Internal (shard-side helper) command by name; throws when missing (a programming error). */
export function internal(name: string): CommandDef {
  const d = internalByName.get(name);
  if (!d) throw new Error(`no internal command ${name}`);
  return d;
}

/** An internal command by its name as bytes (any letter case), undefined when there is none. */
export function lookupInternal(name: Uint8Array): CommandDef | undefined {
  return name.length > 64 ? undefined : internalByName.get(Buffer.from(name).toString('latin1').toLowerCase());
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
