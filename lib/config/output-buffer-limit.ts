// The value of `client-output-buffer-limit` as redis-server 7.0 reads and prints it:
// `<class> <hard> <soft> <soft-seconds>` groups for the classes normal, replica (or slave) and
// pubsub. A CONFIG SET or a config line changes only the classes it names; CONFIG GET prints all
// three (`slave` for the replica class, bytes); CONFIG REWRITE writes one line per class.

import { humanMemory } from './values.js';

export interface ClassLimit {
  /** Bytes at which the client is closed at once (0: none). */
  hard: number;
  /** Bytes the client may stay at or over for softSeconds (0: none). */
  soft: number;
  softSeconds: number;
}

/** The classes in CONFIG GET's order (the index is the class: lib/output-limits.ts). */
const CLASS_NAMES = ['normal', 'slave', 'pubsub'] as const;

export const OUTPUT_BUFFER_LIMIT_DEFAULT = 'normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60';

const U64 = (1n << 64n) - 1n;

/**
 * Redis memtoull for this directive: digits (none: 0, more than 64 bits: the 64-bit maximum, as
 * strtoull) and a unit; a product past 64 bits wraps.
 */
function memory(s: string): bigint | null {
  const m = /^([0-9]*)(|b|k|kb|m|mb|g|gb)$/i.exec(s);
  if (m === null || m[1].length >= 128) return null;
  let v = m[1] === '' ? 0n : BigInt(m[1]);
  if (v > U64) v = U64;
  const mul: Record<string, bigint> = { '': 1n, b: 1n, k: 1000n, kb: 1024n, m: 1000n ** 2n, mb: 1024n ** 2n, g: 1000n ** 3n, gb: 1024n ** 3n };
  return (v * mul[m[2].toLowerCase()]) & U64;
}

/** strtoll (whitespace, a sign, saturating) down to a C int, as Redis reads soft-seconds. */
function seconds(s: string): number | null {
  const m = /^[\t\n\v\f\r ]*([+-]?)([0-9]*)$/.exec(s);
  if (m === null) return null;
  if (m[2] === '') return s === '' ? 0 : null; // no digits: only an empty argument reads as 0
  let v = BigInt(m[2]);
  if (m[1] === '-') v = -v;
  if (v > 9223372036854775807n) v = 9223372036854775807n;
  if (v < -9223372036854775808n) v = -9223372036854775808n;
  const asInt = Number(BigInt.asIntN(32, v));
  return asInt < 0 ? null : asInt;
}

function classIndex(name: string): number {
  const n = name.toLowerCase();
  if (n === 'normal') return 0;
  if (n === 'replica' || n === 'slave') return 1;
  if (n === 'pubsub') return 2;
  return -1;
}

type Group = [hard: string, soft: string, seconds: string];

function groupsOf(text: string): Group[] {
  const f = text.split(' ');
  return [0, 1, 2].map((i) => [f[i * 4 + 1], f[i * 4 + 2], f[i * 4 + 3]] as Group);
}

/**
 * The directive's new value after `given` (CONFIG SET's argument, or a config line's arguments
 * joined by spaces) is applied to `current`: the classes it names change, all or none of them;
 * otherwise Redis's error text.
 */
export function combineOutputBufferLimit(current: string, given: string): { text: string } | string {
  const fields = given === '' ? [] : given.split(' ');
  if (fields.length % 4 !== 0) return 'Wrong number of arguments in buffer limit configuration.';
  const groups = groupsOf(current);
  for (let j = 0; j < fields.length; j += 4) {
    const cls = classIndex(fields[j]);
    if (cls < 0) return 'Invalid client class specified in buffer limit configuration.';
    const hard = memory(fields[j + 1]);
    const soft = memory(fields[j + 2]);
    const secs = seconds(fields[j + 3]);
    if (hard === null || soft === null || secs === null) return 'Error in hard, soft or soft_seconds setting in buffer limit configuration.';
    groups[cls] = [hard.toString(), soft.toString(), String(secs)];
  }
  return { text: groups.map((g, i) => `${CLASS_NAMES[i]} ${g.join(' ')}`).join(' ') };
}

/** The limits of each class, from the directive's value. */
export function parseOutputBufferLimit(text: string): ClassLimit[] {
  return groupsOf(text).map(([hard, soft, secs]) => ({ hard: Number(hard), soft: Number(soft), softSeconds: Number(secs) }));
}

/** CONFIG REWRITE's lines for the directive: one per class, memory in units; default or not. */
export function outputBufferLimitLines(text: string): Array<{ args: string; isDefault: boolean }> {
  const now = groupsOf(text);
  const dflt = groupsOf(OUTPUT_BUFFER_LIMIT_DEFAULT);
  const names = ['normal', 'replica', 'pubsub'];
  return now.map((g, i) => ({
    args: `${names[i]} ${humanMemory(g[0])} ${humanMemory(g[1])} ${g[2]}`,
    isDefault: g.join(' ') === dflt[i].join(' '),
  }));
}
