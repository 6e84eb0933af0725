// ACL: users and their permissions (lib/acl/), with Redis 7.0's replies and errors.

import { randomBytes } from 'node:crypto';
import type { CommandDef } from './types.js';
import type { MainContext } from '../main-context.js';
import { cmd } from './define.js';
import { help } from './connection.js';
import { wrongArgs } from '../errors.js';
import { parseI64 } from '../resp/number.js';
import { clientNameOf, lookupClient } from './registry.js';
import { CATEGORIES, categoryIndex, categoryTable } from '../acl/categories.js';
import type { Selector } from '../acl/selector.js';
import { describeCommands, describeKeys, describeChannels } from '../acl/describe.js';
import { badUserName } from '../acl/users.js';
import { checkCall, DENIED_CMD, DENIED_KEY } from '../acl/check.js';
import { loadAclFile, saveAclFile, NO_ACL_FILE } from '../acl/file.js';
import { LIMIT_USER, limitUser, savedUserNames } from '../config/startup-users.js';

const latin1 = (b: Buffer): string => b.toString('latin1');
const bulkLatin1 = (ctx: MainContext, s: string): void => ctx.out.bulk(Buffer.from(s, 'latin1'));

function setuser(ctx: MainContext, args: Buffer[]): void {
  const name = latin1(args[2]);
  if (badUserName(name)) return ctx.out.error("ERR Usernames can't contain spaces or null characters");
  const acl = ctx.server.acl;
  const res = acl.users.setUser(name, args.slice(3).map(latin1));
  if ('error' in res) return ctx.out.error(res.error);
  if (res.before !== null && acl.revokeChannels(res.user, res.before, ctx.conn)) ctx.closeAfter = true;
  ctx.out.ok();
}

function selectorFields(ctx: MainContext, sel: Selector): void {
  ctx.out.bulkStr('commands');
  bulkLatin1(ctx, describeCommands(sel));
  ctx.out.bulkStr('keys');
  bulkLatin1(ctx, describeKeys(sel));
  ctx.out.bulkStr('channels');
  bulkLatin1(ctx, describeChannels(sel));
}

function getuser(ctx: MainContext, args: Buffer[]): void {
  const u = ctx.server.acl.users.get(latin1(args[2]));
  const out = ctx.out;
  if (u === undefined) return out.nil();
  out.map(6);
  out.bulkStr('flags');
  const flags = u.flags();
  out.set(flags.length);
  for (const f of flags) out.bulkStr(f);
  out.bulkStr('passwords');
  out.array(u.passwords.length);
  for (const p of u.passwords) out.bulkStr(p);
  selectorFields(ctx, u.root);
  out.bulkStr('selectors');
  out.array(u.selectors.length);
  for (const s of u.selectors) {
    out.map(3);
    selectorFields(ctx, s);
  }
}

function deluser(ctx: MainContext, args: Buffer[]): void {
  const names = args.slice(2).map(latin1);
  if (names.includes('default')) return ctx.out.error("ERR The 'default' user cannot be removed");
  const acl = ctx.server.acl;
  const gone = acl.users.deleteUsers(names);
  for (const u of gone) if (acl.dropClients(u, ctx.conn)) ctx.closeAfter = true;
  ctx.out.int(gone.length);
}

function users(ctx: MainContext): void {
  const names = ctx.server.acl.users.names();
  ctx.out.array(names.length);
  for (const n of names) bulkLatin1(ctx, n);
}

function list(ctx: MainContext): void {
  const users = ctx.server.acl.users;
  const names = users.names();
  ctx.out.array(names.length);
  for (const n of names) bulkLatin1(ctx, users.get(n)!.describe());
}

function whoami(ctx: MainContext): void {
  bulkLatin1(ctx, ctx.conn.user.name);
}

function cat(ctx: MainContext, args: Buffer[]): void {
  const out = ctx.out;
  if (args.length === 2) {
    out.array(CATEGORIES.length);
    for (const c of CATEGORIES) out.bulkStr(c);
    return;
  }
  const i = categoryIndex(latin1(args[2]));
  if (i < 0) return out.error(`ERR Unknown category '${latin1(args[2])}'`);
  const members = categoryTable().members[i];
  out.array(members.length);
  for (const d of members) bulkLatin1(ctx, clientNameOf(d));
}

const GENPASS_RANGE = 'ERR ACL GENPASS argument must be the number of bits for the output password, a positive number up to 4096';

/** ACL LOG and ACL GENPASS take one optional argument; more get Redis's text. */
function tooMany(ctx: MainContext, args: Buffer[]): boolean {
  if (args.length <= 3) return false;
  ctx.out.error(`ERR unknown subcommand or wrong number of arguments for '${latin1(args[1])}'. Try ACL HELP.`);
  return true;
}

function genpass(ctx: MainContext, args: Buffer[]): void {
  if (tooMany(ctx, args)) return;
  let bits = 256;
  if (args.length === 3) {
    const n = parseI64(args[2]);
    if (n === null) return ctx.out.error('ERR value is not an integer or out of range');
    if (n <= 0n || n > 4096n) return ctx.out.error(GENPASS_RANGE);
    bits = Number(n);
  }
  const chars = Math.ceil(bits / 4);
  ctx.out.bulkStr(randomBytes(Math.ceil(chars / 2)).toString('hex').slice(0, chars));
}

function log(ctx: MainContext, args: Buffer[]): void {
  if (tooMany(ctx, args)) return;
  const l = ctx.server.acl.log;
  let count = 10;
  if (args.length === 3) {
    if (latin1(args[2]).toLowerCase() === 'reset') {
      l.reset();
      return ctx.out.ok();
    }
    const n = parseI64(args[2]);
    if (n === null) return ctx.out.error('ERR value is not an integer or out of range');
    count = n < 0n ? 0 : Number(n > 1_000_000n ? 1_000_000n : n);
  }
  const entries = l.entries.slice(0, count);
  const out = ctx.out;
  const now = Date.now();
  out.array(entries.length);
  for (const e of entries) {
    out.map(10);
    out.bulkStr('count');
    out.int(e.count);
    out.bulkStr('reason');
    out.bulkStr(e.reason);
    out.bulkStr('context');
    out.bulkStr(e.context);
    out.bulkStr('object');
    bulkLatin1(ctx, e.object);
    out.bulkStr('username');
    bulkLatin1(ctx, e.username);
    out.bulkStr('age-seconds');
    out.double((now - e.updated) / 1000);
    out.bulkStr('client-info');
    bulkLatin1(ctx, e.clientInfo);
    out.bulkStr('entry-id');
    out.int(e.entryId);
    out.bulkStr('timestamp-created');
    out.int(e.created);
    out.bulkStr('timestamp-last-updated');
    out.int(e.updated);
  }
}

async function save(ctx: MainContext): Promise<void> {
  const file = ctx.server.config.str('aclfile');
  if (file === '') return ctx.out.error(NO_ACL_FILE);
  // (Pika's `limit` user of userpass stays out of the file: the next start makes it)
  const err = await saveAclFile(file, ctx.server.acl.users, savedUserNames(ctx.server));
  if (err !== null) return ctx.out.error(err);
  ctx.out.ok();
}

async function load(ctx: MainContext): Promise<void> {
  const file = ctx.server.config.str('aclfile');
  if (file === '') return ctx.out.error(NO_ACL_FILE);
  const acl = ctx.server.acl;
  const res = await loadAclFile(file, acl.users);
  if ('error' in res) return ctx.out.error(res.error);
  // Pika's `limit` user of userpass comes back as the start made it, unless the file defines one
  if (!res.users.has(LIMIT_USER)) {
    const limit = limitUser(ctx.server, false);
    if (limit !== null) res.users.set(LIMIT_USER, limit);
  }
  for (const u of acl.users.replaceAll(res.users)) if (acl.dropClients(u, ctx.conn)) ctx.closeAfter = true;
  ctx.out.ok();
}

function dryrun(ctx: MainContext, args: Buffer[]): void {
  const name = latin1(args[2]);
  const u = ctx.server.acl.users.get(name);
  if (u === undefined) return ctx.out.error(`ERR User '${name}' not found`);
  const call = args.slice(3);
  let def: CommandDef | undefined = lookupClient(latin1(call[0]).toLowerCase());
  if (def === undefined || def.internal) return ctx.out.error(`ERR Command '${latin1(call[0])}' not found`);
  if (def.sub && call.length >= 2) {
    const sub = def.sub.get(latin1(call[1]).toLowerCase());
    if (sub === undefined) return ctx.out.error(`ERR Command '${latin1(call[0])}' not found`);
    def = sub;
  }
  if ((def.arity > 0 && call.length !== def.arity) || call.length < -def.arity) return ctx.out.error(wrongArgs(def.name));
  const d = checkCall(u, def, call);
  if (d === null) return ctx.out.ok();
  const what =
    d.reason === DENIED_CMD
      ? `run the '${clientNameOf(def)}' command`
      : `access the '${latin1(call[d.pos])}' ${d.reason === DENIED_KEY ? 'key' : 'channel'}`;
  bulkLatin1(ctx, `This user has no permissions to ${what}`);
}

function aclHelp(ctx: MainContext): void {
  help(ctx, 'ACL', [
    'CAT [<category>]',
    '    List all commands that belong to <category>, or all command categories',
    '    when no category is specified.',
    'DELUSER <username> [<username> ...]',
    '    Delete a list of users.',
    'DRYRUN <username> <command> [<arg> ...]',
    '    Returns whether the user can execute the given command without executing the command.',
    'GETUSER <username>',
    "    Get the user's details.",
    'GENPASS [<bits>]',
    '    Generate a secure 256-bit user password. The optional `bits` argument can',
    '    be used to specify a different size.',
    'LIST',
    '    Show users details in config file format.',
    'LOAD',
    '    Reload users from the ACL file.',
    'LOG [<count> | RESET]',
    '    Show the ACL log entries.',
    'SAVE',
    '    Save the current config to the ACL file.',
    'SETUSER <username> <attribute> [<attribute> ...]',
    '    Create or modify a user with the specified attributes.',
    'USERS',
    '    List all the registered usernames.',
    'WHOAMI',
    '    Return the current connection username.',
  ]);
}

const ADMIN = ['admin', 'noscript', 'loading', 'stale'] as const;
const PLAIN = ['noscript', 'loading', 'stale'] as const;

function sub(name: string, arity: number, flags: readonly string[], main: CommandDef['main'], summary: string, complexity: string): CommandDef {
  return cmd({
    name: 'acl|' + name, arity, flags: [...flags] as CommandDef['flags'], main, summary, since: '6.0.0', group: 'server', complexity,
  });
}

export const aclCommands: CommandDef[] = [
  cmd({
    name: 'acl', arity: -2, summary: 'A container for Access List Control commands', since: '6.0.0', group: 'server', complexity: 'Depends on subcommand.',
    sub: [
      sub('cat', -2, PLAIN, cat, 'List the ACL categories or the commands inside a category', 'O(1) since the categories and commands are a fixed set.'),
      sub('deluser', -3, ADMIN, deluser, 'Remove the specified ACL users and the associated rules', 'O(1) amortized time considering the typical user.'),
      sub('dryrun', -4, ADMIN, dryrun, 'Returns whether the user can execute the given command without executing the command.', 'O(1).'),
      sub('genpass', -2, PLAIN, genpass, 'Generate a pseudorandom secure password to use for ACL users', 'O(N)'),
      sub('getuser', 3, ADMIN, getuser, 'Get the rules for a specific ACL user', 'O(N). Where N is the number of password, command and pattern rules that the user has.'),
      sub('help', 2, ['loading', 'stale'], aclHelp, 'Show helpful text about the different subcommands', 'O(1)'),
      sub('list', 2, ADMIN, list, 'List the current ACL rules in ACL config file format', 'O(N). Where N is the number of configured users.'),
      sub('load', 2, ADMIN, load, 'Reload the ACLs from the configured ACL file', 'O(N). Where N is the number of configured users.'),
      sub('log', -2, ADMIN, log, 'List latest events denied because of ACLs in place', 'O(N) with N being the number of entries shown.'),
      sub('save', 2, ADMIN, save, 'Save the current ACL rules in the configured ACL file', 'O(N). Where N is the number of configured users.'),
      sub('setuser', -3, ADMIN, setuser, 'Modify or create the rules for a specific ACL user', 'O(N). Where N is the number of rules provided.'),
      sub('users', 2, ADMIN, users, 'List the username of all the configured ACL rules', 'O(N). Where N is the number of configured users.'),
      sub('whoami', 2, PLAIN, whoami, 'Return the name of the user associated to the current connection', 'O(1)'),
    ],
  }),
];
