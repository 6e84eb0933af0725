// Helpers to declare command table entries compactly.

import type { CommandDef, CommandFlag, KeySpecDoc, UnknownKeySpec } from './types.js';
import { legacyRange } from './key-specs.js';

/**
 * A table entry as a family declares it: CommandDef's fields (documented there), with the derived
 * ones left out (the legacy key range, the table index) and the ones with a default optional.
 */
export type CommandSpec = Omit<CommandDef, 'flags' | 'acl' | 'keys' | 'keySpecs' | 'sub' | 'index'> & {
  flags?: CommandFlag[];
  /** Type categories without '@' (string, keyspace, connection...); flag-derived ones are added. */
  acl?: string[];
  /** Where the keys are (Redis 7 key specs with their exact flags). Omitted: no keys. */
  keySpecs?: Array<KeySpecDoc | UnknownKeySpec>;
  /** Subcommands, named `parent|sub`. */
  sub?: CommandDef[];
};

/** Builds a table entry; ACL categories implied by the flags are added as Redis does. */
export function cmd(s: CommandSpec): CommandDef {
  const flags = s.flags ?? [];
  const acl = new Set(s.acl ?? []);
  if (flags.includes('write')) acl.add('write');
  if (flags.includes('readonly') && !acl.has('scripting')) acl.add('read');
  if (flags.includes('admin')) {
    acl.add('admin');
    acl.add('dangerous');
  }
  if (flags.includes('pubsub')) acl.add('pubsub');
  if (flags.includes('fast')) acl.add('fast');
  if (flags.includes('blocking')) acl.add('blocking');
  if (!flags.includes('fast')) acl.add('slow');
  // every entry gets every field, in one order: one object shape for the router's reads
  const d: CommandDef = {
    name: s.name,
    arity: s.arity,
    flags,
    acl: [...acl],
    keys: legacyRange(s.keySpecs ?? []),
    getKeys: s.getKeys,
    shard: s.shard,
    main: s.main,
    scatter: s.scatter,
    coordinated: s.coordinated,
    keySpecs: s.keySpecs ?? [],
    tips: s.tips,
    summary: s.summary,
    since: s.since,
    group: s.group,
    complexity: s.complexity,
    internal: s.internal,
    slow: s.slow,
    direct: s.direct,
    slowWork: s.slowWork,
    destination: s.destination,
    readsUnnamedKeys: s.readsUnnamedKeys,
    wakes: s.wakes,
    touchesAllKeys: s.touchesAllKeys,
    capturedReply: s.capturedReply,
    channels: s.channels,
    unnamedKeysRefusal: s.unnamedKeysRefusal,
    variableKeyFlags: s.variableKeyFlags,
    keyEvents: s.keyEvents,
    notQueued: s.notQueued,
    execAbortOnReject: s.execAbortOnReject,
    reachesShards: s.reachesShards,
    inScript: s.inScript,
    scriptRefusal: s.scriptRefusal,
    ownTransaction: s.ownTransaction,
    sub: undefined,
    index: undefined,
  };
  if (s.sub) {
    d.sub = new Map();
    for (const c of s.sub) d.sub.set(c.name.slice(c.name.indexOf('|') + 1), c);
  }
  return d;
}

/** Case-insensitive comparison of an argument with an ASCII keyword (lower-case `kw`). */
export function isKw(arg: Buffer, kw: string): boolean {
  // strcasecmp, as Redis compares options: case-insensitive, and the argument ends at a NUL byte
  let end = arg.indexOf(0);
  if (end < 0) end = arg.length;
  if (end !== kw.length) return false;
  for (let i = 0; i < end; i++) {
    let c = arg[i];
    if (c >= 65 && c <= 90) c += 32;
    if (c !== kw.charCodeAt(i)) return false;
  }
  return true;
}

/** Lower-cased ASCII text of an argument (for option parsing). */
export function kw(arg: Buffer): string {
  return arg.length <= 64 ? arg.toString('latin1').toLowerCase() : '';
}

/** A COMMAND INFO key spec: keys from argument `index`, range `lastkey` (relative), every `keystep`. */
export function keySpec(flags: string[], index = 1, lastkey = 0, keystep = 1, notes?: string): KeySpecDoc {
  return notes === undefined ? { flags, begin: { index }, find: { lastkey, keystep, limit: 0 } } : { flags, notes, begin: { index }, find: { lastkey, keystep, limit: 0 } };
}
