// Key positions, stated once per command as Redis 7 key specs (begin_search + find_keys), and
// everything derived from them: the legacy first/last/step range COMMAND INFO shows, and the
// argument indexes routing, COMMAND GETKEYS, wake-ups and the slow pool use. Redis documents both
// derivations (the "key specs" page and COMMAND INFO's first-key/last-key/step fields); this is
// respdb's implementation of them.

import type { KeyRange, KeySpecDoc, UnknownKeySpec } from './types.js';
import { atoi } from '../resp/number.js';

export type AnyKeySpec = KeySpecDoc | UnknownKeySpec;

/**
 * The answer for arguments whose key specs do not hold (a key count that is not a number, zero,
 * or names more keys than there are arguments): no keys. COMMAND GETKEYS answers "Invalid
 * arguments"; routing sends the command to one shard, whose handler replies the precise error.
 * Compare by identity.
 */
export const INVALID_KEYS: readonly number[] = Object.freeze([]);

const NO_KEYS: readonly number[] = Object.freeze([]);

function isRange(s: AnyKeySpec): s is KeySpecDoc & { begin: { index: number }; find: { lastkey: number; keystep: number; limit: number } } {
  return !('unknown' in s) && 'index' in s.begin && 'lastkey' in s.find;
}

/**
 * The legacy (first, last, step) range of COMMAND INFO: one index+range spec is the range itself;
 * otherwise the union of the index+range specs with step 1 that follow each other (others are
 * skipped, as they make the command's keys movable).
 */
export function legacyRange(specs: readonly AnyKeySpec[]): KeyRange {
  if (specs.length === 0) return { first: 0, last: 0, step: 0 };
  if (specs.length === 1 && isRange(specs[0])) {
    const s = specs[0];
    const { lastkey, keystep } = s.find;
    return { first: s.begin.index, last: lastkey < 0 ? lastkey : s.begin.index + lastkey, step: keystep };
  }
  let first = Number.MAX_SAFE_INTEGER;
  let last = 0;
  let prevLast = 0;
  for (const s of specs) {
    if (!isRange(s) || s.find.keystep !== 1) continue;
    if (prevLast !== 0 && prevLast !== s.begin.index - 1) continue;
    first = Math.min(first, s.begin.index);
    const abs = s.find.lastkey >= 0 ? s.begin.index + s.find.lastkey : s.find.lastkey;
    // a negative last key (counted from the end) is beyond any positive one
    last = last < 0 || abs < 0 ? Math.min(last, abs) : Math.max(last, abs);
    prevLast = last;
  }
  if (first === Number.MAX_SAFE_INTEGER) return { first: 0, last: 0, step: 0 };
  return { first, last, step: 1 };
}

/** Finds the keys of one command's arguments; the result must not be modified. */
export type KeyFinder = (args: Buffer[]) => readonly number[];

/**
 * Compiles a command's key specs into a key finder. A command with one fixed range (GET, SET,
 * RENAME...) answers one frozen array for every call of a valid length, so routing allocates
 * nothing per command. Specs whose keys cannot be found from the arguments ('unknown') contribute
 * nothing: their commands state a `getKeys` of their own.
 */
export function compileKeyFinder(specs: readonly AnyKeySpec[]): KeyFinder {
  const usable = specs.filter((s): s is KeySpecDoc => !('unknown' in s));
  if (usable.length === 0) return () => NO_KEYS;
  if (usable.length === 1 && isRange(usable[0]) && usable[0].find.lastkey >= 0) {
    const s = usable[0];
    const fixed: number[] = [];
    for (let i = s.begin.index; i <= s.begin.index + s.find.lastkey; i += s.find.keystep) fixed.push(i);
    const frozen = Object.freeze(fixed);
    const last = fixed[fixed.length - 1];
    return (args) => (args.length > last ? frozen : INVALID_KEYS);
  }
  return (args) => {
    const out: number[] = [];
    for (const s of usable) if (!specKeys(s, args, out)) return INVALID_KEYS;
    return out;
  };
}

/**
 * Each key of a call with its spec's flags (ACL: access needs read permission; insert, update
 * and delete need write). Keys found by a command's own getKeys take the flags of the spec that
 * covers their position, else of its spec whose keys cannot be found from the arguments.
 */
export function keysWithFlags(specs: readonly AnyKeySpec[], args: Buffer[], ownKeys?: readonly number[], destination = -1): Array<{ pos: number; flags: readonly string[] }> {
  const out: Array<{ pos: number; flags: readonly string[] }> = [];
  const found: number[] = [];
  for (const s of specs) {
    if ('unknown' in s) continue;
    found.length = 0;
    if (!specKeys(s, args, found)) return [];
    for (const pos of found) if (!s.flags.includes('not_key')) out.push({ pos, flags: s.flags });
  }
  if (ownKeys === undefined) return out;
  // a key the specs cannot find: the destination (SORT's STORE) takes the flags of the spec that
  // writes, any other (BY/GET keys, when a getKeys names them) those of one that does not
  const unknown = specs.filter((s) => 'unknown' in s);
  const writes = (f: readonly string[]): boolean => f.includes('update') || f.includes('insert') || f.includes('delete');
  const writer = unknown.find((s) => writes(s.flags));
  const reader = unknown.find((s) => !writes(s.flags)) ?? unknown[0];
  return ownKeys.map((pos) => out.find((k) => k.pos === pos) ?? { pos, flags: (pos === destination ? writer ?? reader : reader)?.flags ?? [] });
}

/** Appends one spec's key indexes to `out`; false when the arguments do not fit the spec. */
function specKeys(s: KeySpecDoc, args: Buffer[], out: number[]): boolean {
  const argc = args.length;
  let first: number;
  if ('index' in s.begin) {
    first = s.begin.index;
  } else {
    // the keyword (case-insensitive), searched forwards from startfrom (backwards from the end when negative)
    const { startfrom } = s.begin;
    const keyword = s.begin.keyword.toLowerCase();
    let at = -1;
    if (startfrom >= 0) {
      for (let i = startfrom; i < argc; i++) if (args[i].toString('latin1').toLowerCase() === keyword) { at = i; break; }
    } else {
      for (let i = argc + startfrom; i > 0; i--) if (args[i].toString('latin1').toLowerCase() === keyword) { at = i; break; }
    }
    // a keyword that is absent means no keys of this kind (GEORADIUS without STORE)
    if (at < 0) return true;
    first = at + 1;
  }
  let last: number;
  let step: number;
  if ('lastkey' in s.find) {
    const { lastkey, keystep, limit } = s.find;
    step = keystep;
    if (lastkey >= 0) last = first + lastkey;
    else if (limit === 0) last = argc + lastkey;
    else last = first + (Math.floor((argc - first) / limit) + lastkey);
  } else {
    const { keynumidx, firstkey, keystep } = s.find;
    if (first + keynumidx >= argc) return false;
    // glibc atoi, as Redis's numkeys-based key extraction reads the count
    const n = atoi(args[first + keynumidx]);
    if (n < 1) return false;
    step = keystep;
    first += firstkey;
    last = first + (n - 1) * keystep;
  }
  if (last >= argc || last < first || first >= argc) return false;
  for (let i = first; i <= last; i += step) out.push(i);
  return true;
}
