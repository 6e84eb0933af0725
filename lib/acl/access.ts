// Access control as the server runs it: the users, ACL LOG, the check the router makes before a
// command of a restricted user is routed (and EXEC before each queued command, and scripts before
// each redis.call), and what a change of users does to connected clients.

import type { Connection } from '../connection.js';
import type { CommandDef } from '../commands/types.js';
import type { Server } from '../server.js';
import { clientInfoLine } from '../commands/client-list.js';
import { clientNameOf } from '../commands/registry.js';
import { SUB_CHANNEL, SUB_PATTERN, SUB_SHARD } from '../pubsub.js';
import { globMatch } from '../glob.js';
import { AclUsers } from './users.js';
import { AclLog, type LogContext } from './log.js';
import { checkCall, readsEveryKey, DENIED_CMD, DENIED_KEY, type Denial } from './check.js';
import type { AclUser } from './user.js';

/** The NOPERM replies of a command refused where it is sent (and queued in MULTI). */
export function nopermReply(d: Denial, def: CommandDef): string {
  if (d.reason === DENIED_CMD) return `NOPERM this user has no permissions to run the '${clientNameOf(def)}' command`;
  if (d.reason === DENIED_KEY) return 'NOPERM this user has no permissions to access one of the keys used as arguments';
  return 'NOPERM this user has no permissions to access one of the channels used as arguments';
}

/** SORT's BY / GET patterns for a user who may not read every key: the command's error, or null. */
export function unnamedKeysRefusal(conn: Connection, def: CommandDef, args: Buffer[]): string | null {
  if (def.unnamedKeysRefusal === undefined || readsEveryKey(conn.user, def, args)) return null;
  return def.unnamedKeysRefusal(args);
}

/** EXEC's reply for a queued command the user's rules no longer allow. */
export function execNopermReply(d: Denial): string {
  const why =
    d.reason === DENIED_CMD
      ? 'no permission to execute the command or subcommand'
      : d.reason === DENIED_KEY
        ? 'no permission to touch the specified keys'
        : 'no permission to access one of the channels used as arguments';
  return `NOPERM ACLs rules changed between the moment the transaction was accumulated and the EXEC call. This command is no longer allowed for the following reason: ${why}`;
}

/** A script's redis.call refused: the error text the script sees. */
export function scriptNopermReply(d: Denial): string {
  if (d.reason === DENIED_CMD) return "The user executing the script can't run this command or subcommand";
  if (d.reason === DENIED_KEY) return "The user executing the script can't access at least one of the keys mentioned in the command arguments";
  return "The user executing the script can't publish to the channel mentioned in the command";
}

export class AccessControl {
  readonly users: AclUsers;
  readonly log: AclLog;

  constructor(private readonly server: Server) {
    this.users = new AclUsers(() => server.config.str('acl-pubsub-default') === 'allchannels');
    this.log = new AclLog(() => server.config.num('acllog-max-len'));
    this.users.setRequirePass(server.config.str('requirepass'));
  }

  /**
   * The check of one call by a restricted user: null when it may run, else the denial, logged
   * in ACL LOG in `context`.
   */
  denial(conn: Connection, def: CommandDef, args: Buffer[], context: LogContext): Denial | null {
    const d = checkCall(conn.user, def, args);
    if (d !== null) this.logDenial(conn, d, def, args, context);
    return d;
  }

  /** EXEC's check of a queued command of a restricted user: the error it gets instead of running, or null. */
  execRefusal(conn: Connection, def: CommandDef, args: Buffer[]): string | null {
    const d = this.denial(conn, def, args, 'multi');
    if (d !== null) return execNopermReply(d);
    return unnamedKeysRefusal(conn, def, args);
  }

  logDenial(conn: Connection, d: Denial, def: CommandDef, args: Buffer[], context: LogContext): void {
    const reason = d.reason === DENIED_CMD ? 'command' : d.reason === DENIED_KEY ? 'key' : 'channel';
    const object = d.reason === DENIED_CMD ? clientNameOf(def) : args[d.pos].toString('latin1');
    this.log.add(reason, context, object, conn.user.name, this.clientInfo(conn));
  }

  /** A failed AUTH (or HELLO AUTH: `command` HELLO) for `username`. */
  logAuthFailure(conn: Connection, username: string, command: 'AUTH' | 'HELLO'): void {
    this.log.add('auth', conn.multi !== null ? 'multi' : 'toplevel', command, username, this.clientInfo(conn));
  }

  private clientInfo(conn: Connection): string {
    return clientInfoLine(this.server, conn).replace(/\n$/, '');
  }

  /**
   * `user` is gone (ACL DELUSER, ACL LOAD): its clients are closed, `current` (the client that
   * asked) once its reply is out: true when that is to be done.
   */
  dropClients(user: AclUser, current: Connection | null): boolean {
    let closeCurrent = false;
    for (const c of this.server.clients.values()) {
      if (c.user !== user) continue;
      c.user = this.users.defaultUser;
      c.authenticated = false;
      if (c === current) closeCurrent = true;
      else c.kill();
    }
    return closeCurrent;
  }

  /**
   * `user`'s rules were just replaced, its old channel patterns being `before`: subscribers of
   * channels or patterns the new rules no longer allow are closed, as Redis 7.0 decides: nothing
   * happens when a selector allows every channel or the new patterns include every old one.
   */
  revokeChannels(user: AclUser, before: AclUser, current: Connection | null): boolean {
    const selectors = [user.root, ...user.selectors];
    if (selectors.some((s) => s.allChannels)) return false;
    const upcoming = selectors.flatMap((s) => s.channels);
    const old = [before.root, ...before.selectors].flatMap((s) => s.channels);
    if (old.every((c) => upcoming.includes(c))) return false;
    let closeCurrent = false;
    const patterns = upcoming.map((c) => Buffer.from(c, 'latin1'));
    const literal = (name: Buffer): boolean => patterns.some((p) => p.equals(name));
    const matched = (name: Buffer): boolean => patterns.some((p) => globMatch(p, name));
    for (const c of this.server.clients.values()) {
      if (c.user !== user || c.subscriptions === null || c.subscribed === 0) continue;
      const kinds = c.subscriptions.byKind;
      let kill = false;
      for (const p of kinds[SUB_PATTERN].values()) if (!literal(p)) kill = true;
      for (const k of [SUB_CHANNEL, SUB_SHARD]) for (const ch of kinds[k].values()) if (!matched(ch)) kill = true;
      if (!kill) continue;
      if (c === current) closeCurrent = true;
      else c.kill();
    }
    return closeCurrent;
  }
}
