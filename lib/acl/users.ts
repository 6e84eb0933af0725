// The users: the default user and those made by ACL SETUSER, `user` config lines, the aclfile
// or Pika's userpass. Changes that take permissions away from connected clients go through the
// hooks the server sets (kill a deleted user's clients, and subscribers whose channels were
// revoked), so this module knows no connection.

import { timingSafeEqual, createHash } from 'node:crypto';
import { AclUser, mergeSelectorArgs } from './user.js';
import { AclRuleError } from './errors.js';

/** Redis's check for user names: no spaces, no NUL. */
export function badUserName(name: string): boolean {
  return /[\s\0]/.test(name);
}

export class AclUsers {
  readonly users = new Map<string, AclUser>();
  readonly defaultUser: AclUser;

  constructor(private readonly pubsubAllChannels: () => boolean) {
    this.defaultUser = this.newDefaultUser();
    this.users.set('default', this.defaultUser);
  }

  /** Redis's default user as it starts: on, no password, every command, key and channel. */
  private newDefaultUser(): AclUser {
    const d = this.fresh('default');
    for (const r of ['+@all', '~*', '&*', 'on', 'nopass']) d.apply(r);
    return d;
  }

  /** A new user as Redis makes one: off, no password, no commands, keys or channels (see acl-pubsub-default). */
  fresh(name: string): AclUser {
    return new AclUser(name, this.pubsubAllChannels);
  }

  get(name: string): AclUser | undefined {
    return this.users.get(name);
  }

  /** Whether a connection that has not authenticated must do so (Redis: the default user has a password or is off). */
  authRequired(): boolean {
    const d = this.defaultUser;
    return !d.nopass || !d.enabled;
  }

  /**
   * Applies rules to a copy of the user (a new one when there is none) and keeps it only when
   * every rule held; returns Redis's error text, or null.
   */
  setUser(name: string, args: readonly string[]): { error: string } | { user: AclUser; before: AclUser | null } {
    const merged = mergeSelectorArgs(args);
    if ('unmatched' in merged) return { error: `ERR Unmatched parenthesis in acl selector starting at '${merged.unmatched}'.` };
    const existing = this.users.get(name);
    const next = existing ? existing.clone() : this.fresh(name);
    for (const rule of merged.rules) {
      try {
        next.apply(rule);
      } catch (e) {
        if (!(e instanceof AclRuleError)) throw e;
        return { error: `ERR Error in ACL SETUSER modifier '${rule}': ${e.message}` };
      }
    }
    if (existing) {
      const before = existing.clone();
      existing.assign(next);
      return { user: existing, before };
    }
    next.refresh();
    this.users.set(name, next);
    return { user: next, before: null };
  }

  /** Deletes users (not the default one); returns those that existed. */
  deleteUsers(names: readonly string[]): AclUser[] {
    const gone: AclUser[] = [];
    for (const name of names) {
      const u = this.users.get(name);
      if (u === undefined || u === this.defaultUser) continue;
      this.users.delete(name);
      gone.push(u);
    }
    return gone;
  }

  /**
   * Replaces every user by `next` (ACL LOAD, a valid file): the default user keeps its object
   * (connections hold it) and takes the new rules; returns the other old users (their clients go).
   */
  replaceAll(next: Map<string, AclUser>): AclUser[] {
    const old = [...this.users.values()].filter((u) => u !== this.defaultUser);
    const def = next.get('default');
    this.users.clear();
    for (const [name, u] of next) if (name !== 'default') this.users.set(name, u);
    this.defaultUser.assign(def ?? this.newDefaultUser());
    this.users.set('default', this.defaultUser);
    return old;
  }

  /** Names in byte order (ACL USERS). */
  names(): string[] {
    return [...this.users.keys()].sort((a, b) => Buffer.compare(Buffer.from(a, 'latin1'), Buffer.from(b, 'latin1')));
  }

  /**
   * The user `name` when it is on and `password` is one of its passwords (or it has nopass).
   * Digests are compared in constant time, every stored one, so neither the password nor which
   * of several matched shows in the time taken.
   */
  authenticate(name: string, password: Buffer): AclUser | null {
    const u = this.users.get(name);
    const digest = createHash('sha256').update(password).digest();
    let ok = false;
    if (u !== undefined) {
      for (const p of u.passwords) if (timingSafeEqual(digest, Buffer.from(p, 'hex'))) ok = true;
      if (u.nopass) ok = true;
    } else {
      // the same work for a user that does not exist
      timingSafeEqual(digest, digest);
    }
    return u !== undefined && u.enabled && ok ? u : null;
  }

  /** requirepass: the default user's password ("" = nopass), as Redis maps it. */
  setRequirePass(pass: string): void {
    const rules = pass === '' ? ['nopass'] : ['resetpass', '>' + Buffer.from(pass, 'utf8').toString('latin1')];
    for (const r of rules) this.defaultUser.apply(r);
  }
}
