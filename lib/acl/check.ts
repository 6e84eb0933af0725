// Whether a user may run one call: the command (or subcommand, or its first argument), every key
// it names with the permission its key spec implies, every channel it publishes or subscribes to.
// A call runs when one selector allows all of it; when none does, the denial reported is Redis
// 7.0's pick: a key or channel over the command itself, the later argument over the earlier.

import type { CommandDef } from '../commands/types.js';
import { keysWithFlags } from '../commands/key-specs.js';
import { keyIndexes } from '../commands/registry.js';
import { compileGlob, type GlobMatcher } from '../glob.js';
import type { AclUser } from './user.js';
import { READ, WRITE, type Selector } from './selector.js';

export const DENIED_CMD = 1;
export const DENIED_KEY = 2;
export const DENIED_AUTH = 3;
export const DENIED_CHANNEL = 4;

export interface Denial {
  reason: typeof DENIED_CMD | typeof DENIED_KEY | typeof DENIED_CHANNEL;
  /** The argument at fault (keys and channels), 0 for the command. */
  pos: number;
}

/** The permission a key spec's flags ask for. */
function keyNeeds(flags: readonly string[]): number {
  let need = 0;
  for (const f of flags) {
    if (f === 'access') need |= READ;
    else if (f === 'insert' || f === 'update' || f === 'delete') need |= WRITE;
  }
  return need;
}

/** Compiled patterns, shared by every user (bounded: patterns come from ACL SETUSER). */
const matchers = new Map<string, GlobMatcher>();

function matcher(pattern: string): GlobMatcher {
  let m = matchers.get(pattern);
  if (m === undefined) {
    if (matchers.size >= 4096) matchers.clear();
    m = compileGlob(Buffer.from(pattern, 'latin1'));
    matchers.set(pattern, m);
  }
  return m;
}

function keyAllowed(sel: Selector, key: Buffer, need: number): boolean {
  for (const k of sel.keys) {
    if ((k.flags & need) !== need) continue;
    if (k.pattern === '*' || matcher(k.pattern)(key)) return true;
  }
  return false;
}

function channelAllowed(sel: Selector, channel: Buffer, pattern: boolean): boolean {
  // a pattern subscription is allowed by the same pattern, literally (patterns are latin1 text)
  const literal = pattern ? channel.toString('latin1') : null;
  for (const c of sel.channels) {
    if (literal !== null) {
      if (c === literal) return true;
    } else if (c === '*' || matcher(c)(channel)) return true;
  }
  return false;
}

type Keys = Array<{ pos: number; flags: readonly string[] }>;

function selectorDenial(sel: Selector, def: CommandDef, args: Buffer[], keys: () => Keys): Denial | null {
  if (!sel.allowsCommand(def, args)) return { reason: DENIED_CMD, pos: 0 };
  if (!sel.allKeys && def.keySpecs.length > 0) {
    for (const k of keys()) if (!keyAllowed(sel, args[k.pos], keyNeeds(k.flags))) return { reason: DENIED_KEY, pos: k.pos };
  }
  const ch = def.channels;
  if (!sel.allChannels && ch !== undefined) {
    const last = ch.one ? Math.min(ch.first, args.length - 1) : args.length - 1;
    for (let i = ch.first; i <= last; i++) if (!channelAllowed(sel, args[i], ch.pattern)) return { reason: DENIED_CHANNEL, pos: i };
  }
  return null;
}

/** null when `user` may run this call, else why not. */
export function checkCall(user: AclUser, def: CommandDef, args: Buffer[]): Denial | null {
  let cached: Keys | null = null;
  const keys = (): Keys => {
    if (cached !== null) return cached;
    cached = keysWithFlags(def.keySpecs, args, def.getKeys ? keyIndexes(def, args) : undefined, def.destination ? def.destination(args) : -1);
    const variable = def.variableKeyFlags;
    if (variable !== undefined) cached = cached.map((k) => (k.flags.includes('variable_flags') ? { pos: k.pos, flags: variable(args) } : k));
    return cached;
  };
  let worst: Denial | null = selectorDenial(user.root, def, args, keys);
  if (worst === null) return null;
  for (const sel of user.selectors) {
    const d = selectorDenial(sel, def, args, keys);
    if (d === null) return null;
    if (d.reason > worst.reason || (d.reason === worst.reason && d.pos > worst.pos)) worst = d;
  }
  return worst;
}

/** Whether a selector that allows this call may read every key (SORT's BY and GET patterns). */
export function readsEveryKey(user: AclUser, def: CommandDef, args: Buffer[]): boolean {
  for (const sel of [user.root, ...user.selectors]) {
    if (!sel.allowsCommand(def, args)) continue;
    if (sel.allKeys || sel.keys.some((k) => k.pattern === '*' && (k.flags & READ) !== 0)) return true;
  }
  return false;
}
