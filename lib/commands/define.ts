// Helpers to declare command table entries compactly.

import type { CommandDef, CommandFlag, CoordinatedHandler, KeySpecDoc, MainHandler, ScatterSpec, ShardHandler, UnknownKeySpec, WakeTarget } from './types.js';
import { legacyRange } from './key-specs.js';

export interface CommandSpec {
  name: string;
  arity: number;
  flags?: CommandFlag[];
  /** Type categories without '@' (string, keyspace, connection...); flag-derived ones are added. */
  acl?: string[];
  /**
   * Key extraction of its own, for keys that key specs cannot find (SORT's STORE anywhere among
   * its options); otherwise the keys are found from `keySpecs`.
   */
  getKeys?: (args: Buffer[]) => number[];
  shard?: ShardHandler;
  main?: MainHandler;
  scatter?: ScatterSpec;
  coordinated?: CoordinatedHandler;
  alwaysCoordinated?: boolean;
  sub?: CommandDef[];
  /**
   * Where the keys are, as Redis 7 key specs with their exact flags: the one statement of key
   * positions (routing, COMMAND GETKEYS and COMMAND INFO's legacy range derive from it). Omitted:
   * no keys.
   */
  keySpecs?: Array<KeySpecDoc | UnknownKeySpec>;
  /** COMMAND INFO tips. */
  tips?: string[];
  summary: string;
  since: string;
  group: string;
  complexity?: string;
  internal?: boolean;
  slow?: boolean;
  /** May run on the main thread over a read-only view (read-only handlers only). */
  direct?: boolean;
  /** The router's and the slow pool's knowledge of the command: see CommandDef. */
  slowWork?: (args: Buffer[], members: number) => number;
  destination?: (args: Buffer[]) => number;
  readsUnnamedKeys?: (args: Buffer[]) => boolean;
  wakes?: (args: Buffer[], db: number, to: WakeTarget) => void;
  touchesAllKeys?: boolean;
  capturedReply?: (args: Buffer[]) => number;
}

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
    alwaysCoordinated: s.alwaysCoordinated,
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
