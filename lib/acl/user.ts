// An ACL user: on/off, passwords (SHA-256, hex), and its selectors (the root one, then those given
// in parentheses). Rules are applied one by one, with Redis 7.0's meaning and errors; ACL SETUSER
// applies them to a copy and keeps it only when every rule held.
//
// Strings (names, patterns, passwords) are latin1 strings of the bytes clients sent, so binary
// patterns and names survive unchanged.

import { createHash } from 'node:crypto';
import { Selector } from './selector.js';
import { AclRuleError, ERR } from './errors.js';
import { describeSelector } from './describe.js';

export function sha256Hex(password: Buffer | string): string {
  return createHash('sha256').update(typeof password === 'string' ? Buffer.from(password, 'latin1') : password).digest('hex');
}

const HEX64 = /^[0-9a-f]{64}$/;

export class AclUser {
  enabled = false;
  nopass = false;
  /** skip-sanitize-payload / sanitize-payload (RESTORE's payload check); neither until one is set */
  sanitize: 'skip' | 'yes' | null = null;
  passwords: string[] = [];
  root: Selector;
  selectors: Selector[] = [];
  /**
   * Every command, key and channel, nothing else to check: the router skips the check for such a
   * user (the default user as it starts), so the check costs one field read.
   */
  unrestricted = false;

  constructor(readonly name: string, private readonly pubsubDefault: () => boolean) {
    this.root = new Selector(pubsubDefault());
  }

  clone(): AclUser {
    const u = new AclUser(this.name, this.pubsubDefault);
    u.assign(this);
    return u;
  }

  /** Takes `other`'s rules (ACL SETUSER on an existing user: its clients keep this object). */
  assign(other: AclUser): void {
    this.enabled = other.enabled;
    this.nopass = other.nopass;
    this.sanitize = other.sanitize;
    this.passwords = other.passwords.slice();
    this.root = other.root.clone();
    this.selectors = other.selectors.map((s) => s.clone());
    this.refresh();
  }

  refresh(): void {
    const r = this.root;
    this.unrestricted = r.allCommands && r.allKeys && r.allChannels;
  }

  /** Applies one rule; throws AclRuleError with Redis's reason. */
  apply(op: string): void {
    this.applyRule(op);
    this.refresh();
  }

  private applyRule(op: string): void {
    const lower = op.toLowerCase();
    if (lower === 'on') this.enabled = true;
    else if (lower === 'off') this.enabled = false;
    else if (lower === 'skip-sanitize-payload') this.sanitize = 'skip';
    else if (lower === 'sanitize-payload') this.sanitize = 'yes';
    else if (lower === 'nopass') {
      this.nopass = true;
      this.passwords = [];
    } else if (lower === 'resetpass') {
      this.nopass = false;
      this.passwords = [];
    } else if (op[0] === '>' || op[0] === '#') {
      let hash: string;
      if (op[0] === '>') hash = sha256Hex(op.slice(1));
      else {
        hash = op.slice(1);
        if (!HEX64.test(hash)) throw new AclRuleError(ERR.badHash);
      }
      if (!this.passwords.includes(hash)) this.passwords.push(hash);
      this.nopass = false;
    } else if (op[0] === '<' || op[0] === '!') {
      let hash: string;
      if (op[0] === '<') hash = sha256Hex(op.slice(1));
      else {
        hash = op.slice(1);
        if (!HEX64.test(hash)) throw new AclRuleError(ERR.badHash);
      }
      const at = this.passwords.indexOf(hash);
      if (at < 0) throw new AclRuleError(ERR.noSuchPassword);
      this.passwords.splice(at, 1);
    } else if (lower === 'clearselectors') {
      this.selectors = [];
    } else if (lower === 'reset') {
      this.applyRule('resetpass');
      this.root.apply('resetkeys');
      this.root.apply('resetchannels');
      if (this.pubsubDefault()) this.root.apply('allchannels');
      this.enabled = false;
      this.sanitize = 'yes';
      this.selectors = [];
      this.root.apply('-@all');
    } else if (op.length >= 2 && op[0] === '(' && op[op.length - 1] === ')') {
      const sel = new Selector(this.pubsubDefault());
      for (const rule of splitRules(op.slice(1, -1))) sel.apply(rule);
      this.selectors.push(sel);
    } else {
      this.root.apply(op);
    }
  }

  flags(): string[] {
    const f = [this.enabled ? 'on' : 'off'];
    if (this.nopass) f.push('nopass');
    if (this.sanitize === 'skip') f.push('skip-sanitize-payload');
    if (this.sanitize === 'yes') f.push('sanitize-payload');
    return f;
  }

  /** The user as ACL LIST and ACL SAVE write it. */
  describe(): string {
    const parts = ['user', this.name, ...this.flags(), ...this.passwords.map((p) => '#' + p), describeSelector(this.root)];
    for (const s of this.selectors) parts.push('(' + describeSelector(s) + ')');
    return parts.join(' ');
  }
}

/** A selector's rules: split at blanks (the selector text of one ACL SETUSER argument). */
function splitRules(text: string): string[] {
  return text.split(/[ \t\r\n]+/).filter((r) => r.length > 0);
}

/**
 * ACL SETUSER's arguments with selectors split over several arguments joined back ("(~x" "+get)"
 * -> "(~x +get)"); `unmatched` is the argument that opened a selector never closed.
 */
export function mergeSelectorArgs(args: readonly string[]): { rules: string[] } | { unmatched: string } {
  const rules: string[] = [];
  let open: string[] | null = null;
  let openedAt = '';
  for (const a of args) {
    if (open !== null) {
      open.push(a);
      if (a.endsWith(')')) {
        rules.push(open.join(' '));
        open = null;
      }
    } else if (a.startsWith('(') && !a.endsWith(')')) {
      open = [a];
      openedAt = a;
    } else rules.push(a);
  }
  if (open !== null) return { unmatched: openedAt };
  return { rules };
}
