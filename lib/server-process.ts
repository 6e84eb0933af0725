// The server process as the operating system and other hosts see it, from redis.conf directives:
// the pidfile, the process title (set-proc-title / proc-title-template) and protected mode (a
// server whose default user has no password answers only loopback clients).

import { unlinkSync, writeFileSync } from 'node:fs';
import type { Config } from './config.js';
import type { AclUser } from './acl/user.js';
import { procTitle } from './config/proc-title.js';
import { logger } from './log.js';

const log = logger('server');

/** Redis 7.0's reply to a client refused by protected mode (then the connection is closed). */
export const PROTECTED_MODE_DENIED =
  "DENIED Redis is running in protected mode because protected mode is enabled and no password is set for the default user. In this mode connections are only accepted from the loopback interface. If you want to connect from external computers to Redis you may adopt one of the following solutions: 1) Just disable protected mode sending the command 'CONFIG SET protected-mode no' from the loopback interface by connecting to Redis from the same host the server is running, however MAKE SURE Redis is not publicly accessible from internet if you do so. Use CONFIG REWRITE to make this change permanent. 2) Alternatively you can just disable the protected mode by editing the Redis configuration file, and setting the protected mode option to 'no', and then restarting the server. 3) If you started the server manually just for testing, restart it with the '--protected-mode no' option. 4) Setup a an authentication password for the default user. NOTE: You only need to do one of the above things in order for the server to start accepting connections from the outside.";

function isLoopback(address: string | undefined): boolean {
  if (address === undefined) return false;
  const a = address.startsWith('::ffff:') ? address.slice(7) : address;
  return a.startsWith('127.') || a === '::1';
}

/**
 * Protected mode refuses this client: protected-mode yes, the default user without a password
 * (nopass, whether from an empty requirepass, a `user default` line, the aclfile or ACL SETUSER),
 * and the client not on loopback. An explicit `bind` does not lift it: Redis 7.0 dropped that
 * condition of Redis 6 (its default bind is every interface).
 */
export function refusedByProtectedMode(config: Config, defaultUser: AclUser, remoteAddress: string | undefined): boolean {
  return config.bool('protected-mode') && defaultUser.nopass && !isLoopback(remoteAddress);
}

/** Writes the pidfile (if one is configured); a failure is logged, as Redis does, not fatal. */
export function writePidfile(config: Config): void {
  const file = config.str('pidfile');
  if (file === '') return;
  try {
    writeFileSync(file, `${process.pid}\n`);
  } catch (err) {
    log.warn({ err, file }, 'could not write the pidfile');
  }
}

export function removePidfile(config: Config): void {
  const file = config.str('pidfile');
  if (file === '') return;
  try {
    unlinkSync(file);
  } catch {
    /* already gone */
  }
}

/** Sets the process title from proc-title-template once the server listens. */
export function setProcessTitle(config: Config, port: number): void {
  if (!config.bool('set-proc-title')) return;
  const bind = config.str('bind').split(/\s+/).filter(Boolean)[0] ?? '*';
  const host = bind.startsWith('-') ? bind.slice(1) : bind;
  process.title = procTitle(config.str('proc-title-template'), { title: 'respdb', listenAddr: `${host}:${port}`, port, configFile: config.file });
}
