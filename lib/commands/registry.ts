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
  for (const d of bucket) if (sameName(name, nameBytes[d.index!])) return d;
  return undefined;
}

/** `name` as sent (any letter case) is the lower-case name `n`. */
function sameName(name: Uint8Array, n: Uint8Array): boolean {
  if (n.length !== name.length) return false;
  for (let i = 0; i < n.length; i++) {
    let c = name[i];
    if (c >= 65 && c <= 90) c |= 0x20;
    if (c !== n[i]) return false;
  }
  return true;
}

// ------------------------------------------------------------------------------------------------
// rename-command: the names clients use
// ------------------------------------------------------------------------------------------------

/**
 * The client-visible names when rename-command is configured: a second hash map from the names
 * clients may send to the entries, built once by applyRenames(). Until then it is the canonical
 * map itself, so a lookup costs the same with or without renames. A renamed command's arguments
 * get its canonical name as args[0] on the way in (resolveClientCommand), so everything behind
 * the router (shards, the binlog and the replication stream, EXEC, the scripts' replies) sees
 * only canonical names.
 */
interface ClientName {
  bytes: Buffer;
  def: CommandDef;
  /** the canonical name, when `bytes` is a new name given by rename-command */
  canonical: Buffer | null;
}
let clientByHash: Map<number, ClientName[]> | null = null;
let renames: [string, string][] = [];

/**
 * Applies `rename-command OLD NEW` pairs in order, as Redis does at startup: OLD (any case) must
 * be a command known by that name at this point, NEW must not be; NEW "" disables the command.
 * Returns null, or Redis's error text and the index of the pair at fault. Every thread applies
 * the same pairs once, after install().
 */
export function applyRenames(pairs: readonly [string, string][]): { index: number; error: string } | null {
  const names = new Map<string, CommandDef>(byName);
  for (let i = 0; i < pairs.length; i++) {
    const from = pairs[i][0].toLowerCase();
    const to = pairs[i][1].toLowerCase();
    const def = names.get(from);
    if (def === undefined) return { index: i, error: 'No such command in rename-command' };
    names.delete(from);
    if (to === '') continue;
    if (names.has(to)) return { index: i, error: 'Target command name already exists' };
    names.set(to, def);
  }
  const table = new Map<number, ClientName[]>();
  for (const [name, def] of names) {
    const bytes = Buffer.from(name, 'latin1');
    const entry: ClientName = { bytes, def, canonical: name === def.name ? null : nameBytes[def.index!] };
    const h = nameHash(bytes);
    const bucket = table.get(h);
    if (bucket) bucket.push(entry);
    else table.set(h, [entry]);
  }
  clientByHash = pairs.length > 0 ? table : null;
  renames = pairs.map(([a, b]) => [a, b]);
  return null;
}

/** Whether rename-command changed any name (the router takes the plain lookup when not). */
export function hasRenames(): boolean {
  return clientByHash !== null;
}

/** The pairs applied (for the threads started after it). */
export function renameTable(): [string, string][] {
  return renames.map(([a, b]) => [a, b]);
}

function clientName(name: Uint8Array): ClientName | undefined {
  if (name.length > 32) return undefined;
  const bucket = clientByHash!.get(nameHash(name));
  if (bucket === undefined) return undefined;
  for (const e of bucket) if (sameName(name, e.bytes)) return e;
  return undefined;
}

/**
 * The command a client (or a script's redis.call) names in args[0], through rename-command: a
 * renamed command only by its new name, a disabled one not at all. A new name in args[0] is
 * replaced by the canonical one.
 */
export function resolveClientCommand(args: Buffer[]): CommandDef | undefined {
  if (clientByHash === null) return lookupBytes(args[0]);
  const e = clientName(args[0]);
  if (e === undefined) return undefined;
  if (e.canonical !== null) args[0] = e.canonical;
  return e.def;
}

/**
 * The command a replication stream names. A respdb master's stream carries canonical names (its
 * binlog holds what resolveClientCommand left in args[0]); a redis-server master's carries the
 * names its clients sent, renamed ones included, beside the canonical names of what it rewrote
 * (SET ... PXAT, PEXPIREAT, DEL...). With the same rename table on both ends, a canonical name is
 * looked up first (it is what a respdb master sends, and what Redis's rewrites send even for a
 * renamed command), then a new name (rewritten to the canonical one). Disabled commands still
 * apply: the replica does what its master did.
 */
export function resolveStreamCommand(args: Buffer[]): CommandDef | undefined {
  const def = lookupBytes(args[0]);
  if (def !== undefined || clientByHash === null) return def;
  const e = clientName(args[0]);
  if (e === undefined) return undefined;
  if (e.canonical !== null) args[0] = e.canonical;
  return e.def;
}

/** A client-visible command by lower-case name, through rename-command (COMMAND INFO, DOCS...). */
export function lookupClient(name: string): CommandDef | undefined {
  if (clientByHash === null) return byName.get(name);
  return clientName(Buffer.from(name, 'latin1'))?.def;
}

/**
 * The name clients know a command by, through rename-command ("parent|sub" for a subcommand):
 * what ACL rules name it by and ACL LIST shows.
 */
export function clientNameOf(def: CommandDef): string {
  if (renames.length === 0) return def.name;
  const bar = def.name.indexOf('|');
  const top = bar < 0 ? def.name : def.name.slice(0, bar);
  const renamed = renames.find(([from]) => from.toLowerCase() === top);
  const name = renamed === undefined ? top : renamed[1].toLowerCase();
  return bar < 0 ? name : name + def.name.slice(bar);
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
