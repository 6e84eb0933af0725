// The aclfile: one `user <name> <rule>...` line per user, as ACL SAVE writes them (ACL LIST's
// lines). Loading is all or nothing: a file with any error changes no user, and the reply lists
// every error with its line, in Redis 7.0's words. Lines are split at spaces only (no quoting),
// as Redis reads them.

import fs from 'node:fs/promises';
import path from 'node:path';
import { AclUser, mergeSelectorArgs } from './user.js';
import { AclRuleError, ERR } from './errors.js';
import { badUserName, type AclUsers } from './users.js';

export const NO_ACL_FILE =
  'ERR This Redis instance is not configured to use an ACL file. You may want to specify users via the ACL SETUSER command and then issue a CONFIG REWRITE (assuming you have a Redis configuration file set) in order to store users in the Redis configuration.';

/** Users from the text of an aclfile (or from `user` lines), or the errors found, Redis's way. */
export function parseAclText(text: string, file: string, users: AclUsers): { users: Map<string, AclUser> } | { errors: string } {
  const next = new Map<string, AclUser>();
  // a user counts as defined from its line on, even when a rule of that line fails (Redis
  // creates the user before applying the rules, so a later line of it is a duplicate)
  const defined = new Set<string>();
  let errors = '';
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].replace(/^[ \t\r\n]+|[ \t\r\n]+$/g, '');
    if (line === '') continue;
    const n = i + 1;
    const argv = line.split(' ').filter((a) => a.length > 0);
    if (argv[0] !== 'user' || argv.length < 2) {
      errors += `${file}:${n} should start with user keyword followed by the username. `;
      continue;
    }
    const name = argv[1];
    if (badUserName(name)) {
      errors += `${file}:${n}: username '${name}' contains invalid characters. `;
      continue;
    }
    if (defined.has(name)) {
      errors += `WARNING: Duplicate user '${name}' found on line ${n}. `;
      continue;
    }
    defined.add(name);
    const merged = mergeSelectorArgs(argv.slice(2));
    if ('unmatched' in merged) {
      errors += `${file}:${n}: Unmatched parenthesis in acl selector starting at '${merged.unmatched}'. `;
      continue;
    }
    const u = users.fresh(name);
    // as Redis: every unknown command or category is named; of the other errors only the first,
    // as it may be what makes the later rules fail
    let failed = false;
    let otherError = false;
    for (const rule of merged.rules) {
      try {
        u.apply(rule);
      } catch (e) {
        if (!(e instanceof AclRuleError)) throw e;
        failed = true;
        if (e.message === ERR.unknownName) errors += `${file}:${n}: Error in applying operation '${rule}': ${e.message}. `;
        else if (!otherError) {
          errors += `${file}:${n}: ${e.message}. `;
          otherError = true;
        }
      }
    }
    if (!failed) next.set(name, u);
  }
  if (errors !== '') return { errors };
  return { users: next };
}

/** ACL LOAD: the file's users, or the reply to give (Redis's texts). */
export async function loadAclFile(file: string, users: AclUsers): Promise<{ users: Map<string, AclUser> } | { error: string }> {
  let text: string;
  try {
    text = await fs.readFile(file, 'latin1');
  } catch (e) {
    return { error: `ERR Error loading ACLs, opening file '${file}': ${describeFsError(e)}` };
  }
  const res = parseAclText(text, file, users);
  if ('errors' in res) return { error: `ERR ${res.errors}WARNING: ACL errors detected, no change to the previously active ACL rules was performed` };
  return res;
}

/** ACL SAVE: every user's line, written to a new file renamed over the old one. */
export async function saveAclFile(file: string, users: AclUsers, names: readonly string[] = users.names()): Promise<string | null> {
  const text = names.map((n) => users.get(n)!.describe() + '\n').join('');
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
  try {
    await fs.writeFile(tmp, text, 'latin1');
    await fs.rename(tmp, file);
    return null;
  } catch (e) {
    await fs.rm(tmp, { force: true });
    return `ERR There was an error trying to save the ACLs. Please check the server logs for more information`;
  }
}

function describeFsError(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'No such file or directory';
  if (code === 'EACCES') return 'Permission denied';
  if (code === 'EISDIR') return 'Is a directory';
  return (e as Error).message;
}
