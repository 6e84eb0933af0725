// The config file's `user <name> <rule>...` lines (Redis ACL users). ACL is not available in
// respdb yet, so the one user that exists is Redis's default user with every permission and no
// password (or the password of requirepass): a line that describes exactly that is accepted,
// anything else refused.

import { WHY, notSupported } from './absent.js';

/** The rules that leave the default user as respdb's is: on, no password, every key, channel and command. */
const ALL_ALLOWED = new Set(['on', 'nopass', '~*', 'allkeys', '&*', 'allchannels', '+@all', 'allcommands', '%rw~*']);

/** null when the line describes respdb's default user, else the refusal. */
export function userDirectiveError(args: readonly string[]): string | null {
  if (args.length === 0) return 'Bad directive or wrong number of arguments';
  const [name, ...rules] = args;
  const ok = name === 'default' && rules.every((r) => ALL_ALLOWED.has(r.toLowerCase()));
  return ok ? null : notSupported('user', args.join(' '), WHY.acl, true);
}
