// The config file's `user <name> <rule>...` lines (and `--user` on the command line). Redis reads
// them in two steps, and so does respdb: while the config loads, each line is checked as far as it
// can be without the command table (a duplicate user, an unclosed selector); once the commands
// are installed every rule is tried on a scratch user (checkUserLines), and the server applies
// them when it starts (lib/config/startup-users.ts). Rules and names are kept as latin1 strings of
// the file's bytes, as ACL users hold them.

import { AclUser, mergeSelectorArgs } from '../acl/user.js';
import { AclRuleError, ERR } from '../acl/errors.js';
import type { Config } from '../config.js';

export interface UserLine {
  name: string;
  rules: string[];
  /** the config error prefix naming the file and line (or the command-line option) */
  where: string;
  /** the line's words as written, `user` first (what error texts quote) */
  argv: string[];
}

/** The bytes of a config string as ACL strings hold them (the file is read as UTF-8). */
export function aclBytes(s: string): string {
  return Buffer.from(s, 'utf8').toString('latin1');
}

/**
 * Redis names the argument of the line at the index of the failing rule among the rules (not of
 * the line), so a bad third rule shows the line's third word: the same word is named here.
 */
function declarationError(args: readonly string[], at: number, reason: string): string {
  return `Error in user declaration '${['user', ...args][at]}': ${reason}`;
}

/** Adds one `user` line to `lines`; returns the error text of a bad line, or null. */
export function collectUserLine(lines: UserLine[], args: readonly string[], where: string): string | null {
  if (args.length === 0) return 'Bad directive or wrong number of arguments';
  const [name, ...rules] = args.map(aclBytes);
  if (lines.some((l) => l.name === name)) return declarationError(args, 1, ERR.duplicateUser);
  const merged = mergeSelectorArgs(rules);
  if ('unmatched' in merged) {
    // redis-server 7.0.15 gives this reason for an unclosed selector (an errno left from earlier)
    return declarationError(args, rules.indexOf(merged.unmatched), ERR.unknownName);
  }
  lines.push({ name, rules: merged.rules, where, argv: ['user', ...args] });
  return null;
}

/**
 * Every user line's rules tried on a scratch user, once the command table is installed: the
 * first bad rule's error as a config error, or null. Unknown command and category names pass
 * here, as in Redis (they fail when the users are applied at startup).
 */
export function checkUserLines(config: Config): string | null {
  const allChannels = config.str('acl-pubsub-default') === 'allchannels';
  for (const line of config.users) {
    const scratch = new AclUser(line.name, () => allChannels);
    for (let i = 0; i < line.rules.length; i++) {
      try {
        scratch.apply(line.rules[i]);
      } catch (e) {
        if (!(e instanceof AclRuleError)) throw e;
        if (e.message === ERR.unknownName) continue;
        return `${line.where}: Error in user declaration '${line.argv[i]}': ${e.message}`;
      }
    }
  }
  return null;
}
