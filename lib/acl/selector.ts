// One ACL selector: the commands, keys and channels a set of rules allows. A user has a root
// selector and any number of others (`(...)`); a command runs when one of them allows all of it.
// Rules and their errors are Redis 7.0's; the command part keeps a bit per command-table entry.

import { ALL, lookupClient } from '../commands/registry.js';
import type { CommandDef } from '../commands/types.js';
import { categoryIndex, categoryTable } from './categories.js';
import { AclRuleError, ERR } from './errors.js';

export const READ = 1;
export const WRITE = 2;
export const READ_WRITE = READ | WRITE;

export interface KeyPattern {
  pattern: string;
  /** READ, WRITE or both */
  flags: number;
}

/** `~`, `%R~`... patterns cannot hold these (Redis: spaces and NUL). */
function hasSpaces(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0 || c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d || c === 0x0b || c === 0x0c) return true;
  }
  return false;
}

export class Selector {
  /** One byte per command-table entry: 1 when allowed. */
  bits: Uint8Array;
  /** Set by +@all (allcommands), cleared by any rule that takes a command away. */
  allCommands = false;
  /** The rules started from +@all: commands added to the table later would be allowed (ACL LIST's "+@all" base). */
  future = false;
  /** +select|0 style: first arguments allowed for a command whose own bit is off. */
  firstArgs = new Map<number, string[]>();
  keys: KeyPattern[] = [];
  allKeys = false;
  channels: string[] = [];
  allChannels = false;

  constructor(allChannels: boolean) {
    this.bits = new Uint8Array(ALL.length);
    if (allChannels) this.setAllChannels();
  }

  clone(): Selector {
    const s = new Selector(false);
    s.bits = this.bits.slice();
    s.allCommands = this.allCommands;
    s.future = this.future;
    for (const [k, v] of this.firstArgs) s.firstArgs.set(k, v.slice());
    s.keys = this.keys.map((k) => ({ ...k }));
    s.allKeys = this.allKeys;
    s.channels = this.channels.slice();
    s.allChannels = this.allChannels;
    return s;
  }

  private setAllChannels(): void {
    this.allChannels = true;
    this.channels = ['*'];
  }

  private setBit(index: number, allow: boolean): void {
    this.bits[index] = allow ? 1 : 0;
    if (!allow) this.allCommands = false;
  }

  /** A command and every subcommand of it, its first-argument exceptions dropped. */
  changePerm(def: CommandDef, allow: boolean): void {
    this.setBit(def.index!, allow);
    this.firstArgs.delete(def.index!);
    if (def.sub) for (const s of def.sub.values()) this.setBit(s.index!, allow);
  }

  /** Every member of a category (a parent in it brings all its subcommands). */
  changeCategory(cat: number, allow: boolean): void {
    for (const d of categoryTable().members[cat]) this.changePerm(d, allow);
  }

  setAll(allow: boolean): void {
    this.bits.fill(allow ? 1 : 0);
    this.allCommands = allow;
    this.future = allow;
    this.firstArgs.clear();
  }

  /** Applies one selector rule; throws AclRuleError with Redis's reason. */
  apply(op: string): void {
    const lower = op.toLowerCase();
    if (lower === 'allkeys' || op === '~*') {
      this.allKeys = true;
      this.keys = [{ pattern: '*', flags: READ_WRITE }];
    } else if (lower === 'resetkeys') {
      this.allKeys = false;
      this.keys = [];
    } else if (lower === 'allchannels' || op === '&*') {
      this.setAllChannels();
    } else if (lower === 'resetchannels') {
      this.allChannels = false;
      this.channels = [];
    } else if (lower === 'allcommands' || lower === '+@all') {
      this.setAll(true);
    } else if (lower === 'nocommands' || lower === '-@all') {
      this.setAll(false);
    } else if (op[0] === '~' || op[0] === '%') {
      this.addKeyPattern(op);
    } else if (op[0] === '&') {
      if (this.allChannels) throw new AclRuleError(ERR.afterAllChannels);
      const pat = op.slice(1);
      if (hasSpaces(pat)) throw new AclRuleError(ERR.syntax);
      if (!this.channels.includes(pat)) this.channels.push(pat);
    } else if ((op[0] === '+' || op[0] === '-') && op[1] === '@') {
      const cat = categoryIndex(op.slice(2));
      if (cat < 0) throw new AclRuleError(ERR.unknownName);
      this.changeCategory(cat, op[0] === '+');
    } else if (op[0] === '+') {
      this.allowCommand(op.slice(1));
    } else if (op[0] === '-') {
      const def = lookupRuleCommand(op.slice(1));
      if (def === undefined) throw new AclRuleError(ERR.unknownName);
      this.changePerm(def, false);
    } else {
      throw new AclRuleError(ERR.syntax);
    }
  }

  private addKeyPattern(op: string): void {
    if (this.allKeys) throw new AclRuleError(ERR.afterAllKeys);
    let flags = 0;
    let at = 1;
    if (op[0] === '%') {
      for (; at < op.length; at++) {
        const c = op[at].toUpperCase();
        if (c === 'R' && (flags & READ) === 0) flags |= READ;
        else if (c === 'W' && (flags & WRITE) === 0) flags |= WRITE;
        else if (op[at] === '~') {
          at++;
          break;
        } else throw new AclRuleError(ERR.syntax);
      }
      if (flags === 0) throw new AclRuleError(ERR.syntax);
    } else flags = READ_WRITE;
    const pattern = op.slice(at);
    if (pattern === '*' && flags === READ_WRITE) {
      this.allKeys = true;
      this.keys = [];
    }
    if (hasSpaces(pattern)) throw new AclRuleError(ERR.syntax);
    const same = this.keys.find((k) => k.pattern === pattern);
    if (same) same.flags |= flags;
    else this.keys.push({ pattern, flags });
  }

  /** `+name`, `+parent|sub`, or `+command|firstarg` for a command without subcommands. */
  private allowCommand(name: string): void {
    const bar = name.lastIndexOf('|');
    if (bar < 0) {
      const def = lookupRuleCommand(name);
      if (def === undefined) throw new AclRuleError(ERR.unknownName);
      this.changePerm(def, true);
      return;
    }
    const head = lookupRuleCommand(name.slice(0, bar));
    if (head === undefined) throw new AclRuleError(ERR.unknownName);
    if (head.name.includes('|')) throw new AclRuleError(ERR.firstArgOfSub);
    const arg = name.slice(bar + 1);
    if (arg.length === 0) throw new AclRuleError(ERR.syntax);
    if (head.sub) {
      const sub = head.sub.get(arg.toLowerCase());
      if (sub === undefined) throw new AclRuleError(ERR.unknownName);
      this.changePerm(sub, true);
      return;
    }
    // Deprecated in Redis, kept for configurations that use it (SELECT 0 only, DEBUG OBJECT only).
    const list = this.firstArgs.get(head.index!);
    const lowerArg = arg.toLowerCase();
    if (list === undefined) this.firstArgs.set(head.index!, [lowerArg]);
    else if (!list.includes(lowerArg)) list.push(lowerArg);
  }

  /** Whether the command's own bit (or a first-argument exception) allows this call. */
  allowsCommand(def: CommandDef, args: Buffer[]): boolean {
    if (this.allCommands || this.bits[def.index!] === 1 || def.flags.includes('no_auth')) return true;
    const list = this.firstArgs.get(def.index!);
    if (list === undefined) return false;
    const at = def.name.includes('|') ? 2 : 1;
    if (args.length <= at) return false;
    return list.includes(args[at].toString('latin1').toLowerCase());
  }
}

/** A command a rule names: `name` or `parent|sub`, by the names clients use (rename-command). */
export function lookupRuleCommand(name: string): CommandDef | undefined {
  const parts = name.toLowerCase().split('|');
  if (parts.length > 2) return undefined;
  const top = lookupClient(parts[0]);
  if (top === undefined || top.internal) return undefined;
  if (parts.length === 1) return top;
  return top.sub?.get(parts[1]);
}

