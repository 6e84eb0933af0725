// Where the ACL users come from when the server starts, in Redis 7.0's order and with its
// messages: requirepass has already set the default user's password (lib/acl/access.ts); then
// the config's `user` lines, or the aclfile (never both); then Pika's userpass user. Also the
// users CONFIG REWRITE writes while the server runs.

import type { Server } from '../server.js';
import type { AclUser } from '../acl/user.js';
import { AclRuleError } from '../acl/errors.js';
import { loadAclFile } from '../acl/file.js';
import { badUserName } from '../acl/users.js';
import { logger } from '../log.js';
import { aclBytes } from './user-directive.js';
import { blacklistNames } from './options-pika.js';

const log = logger('acl');

export const USERS_AND_ACLFILE =
  'Configuring Redis with users defined in redis.conf and at the same setting an ACL file path is invalid. This setup is very likely to lead to configuration errors and security holes, please define either an ACL file or declare users directly in your redis.conf, but not both.';
const CRITICAL = 'Critical error while loading ACLs. Exiting.';

/** Pika's limited user, made from userpass. */
export const LIMIT_USER = 'limit';

/** Sets up the users at startup; throws an Error with the message to stop with. */
export async function loadStartupUsers(server: Server): Promise<void> {
  const config = server.config;
  const users = server.acl.users;
  const aclfile = config.str('aclfile');
  if (config.users.length > 0 && aclfile !== '') throw new Error(USERS_AND_ACLFILE);
  for (const line of config.users) {
    if (badUserName(line.name)) throw new Error(`Spaces not allowed in ACL usernames\n${CRITICAL}`);
    // a user line describes its user from scratch: the default user too (requirepass is undone)
    const u = users.fresh(line.name);
    if (line.name === 'default') u.apply('reset');
    for (const rule of line.rules) {
      try {
        u.apply(rule);
      } catch (e) {
        if (!(e instanceof AclRuleError)) throw e;
        throw new Error(`Error loading ACL rule '${rule}' for the user named '${line.name}': ${e.message}\n${CRITICAL}`);
      }
    }
    if (line.name === 'default') users.defaultUser.assign(u);
    else users.users.set(line.name, u);
  }
  if (aclfile !== '') {
    const res = await loadAclFile(aclfile, users);
    if ('error' in res) throw new Error(`Aborting Redis startup because of ACL errors: ${res.error.replace(/^ERR /, '')}`);
    users.replaceAll(res.users);
  }
  if (!users.defaultUser.enabled) {
    log.info("The user 'default' is disabled (there is no 'on' modifier in the user description). Make sure this is not a configuration error.");
  }
  const limit = limitUser(server);
  if (limit !== null) users.users.set(LIMIT_USER, limit);
  config.userLines = () => rewriteLines(server);
}

/**
 * Pika's userpass: the user `limit` with that password and every key, channel and command but
 * those of userblacklist; null when userpass is empty (Pika's "no limited password": a user
 * without a password would let anyone in).
 */
export function limitUser(server: Server, atStartup = true): AclUser | null {
  const pass = server.config.str('userpass');
  if (pass === '') return null;
  const users = server.acl.users;
  // Refused rather than merged: two definitions of one user, with neither clearly the one meant,
  // would leave the limited user's password or permissions other than one of them says.
  if (atStartup && users.get(LIMIT_USER) !== undefined) {
    const from = server.config.str('aclfile') !== '' ? 'the aclfile' : 'a `user` line';
    throw new Error(
      `userpass makes the user '${LIMIT_USER}' (Pika's limited user), and ${from} defines it too: define it in one place (remove userpass and userblacklist, or that user)`,
    );
  }
  const u = users.fresh(LIMIT_USER);
  for (const r of ['on', '>' + aclBytes(pass), '~*', '&*', '+@all']) u.apply(r);
  for (const name of blacklistNames(server.config.str('userblacklist'))) {
    try {
      u.apply('-' + name);
    } catch (e) {
      if (!(e instanceof AclRuleError)) throw e;
      // a misspelt name would leave the command allowed
      throw new Error(`userblacklist names '${name}', which is not a command`);
    }
  }
  return u;
}

/**
 * The users as CONFIG REWRITE writes them: ACL LIST's lines, but not the `limit` user while
 * userpass makes it (userpass and userblacklist are written for it, and a `user limit` line beside
 * them would stop the next start).
 */
function rewriteLines(server: Server): string[] {
  const users = server.acl.users;
  const skipLimit = server.config.str('userpass') !== '';
  return users
    .names()
    .filter((n) => !(skipLimit && n === LIMIT_USER))
    .map((n) => Buffer.from(users.get(n)!.describe(), 'latin1').toString('utf8'));
}

/** The users ACL SAVE writes: all, but not `limit` while userpass makes it (ACL LOAD adds it back). */
export function savedUserNames(server: Server): string[] {
  const skipLimit = server.config.str('userpass') !== '';
  return server.acl.users.names().filter((n) => !(skipLimit && n === LIMIT_USER));
}
