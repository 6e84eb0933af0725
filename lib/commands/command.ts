// COMMAND and its subcommands (COUNT, DOCS, GETKEYS, HELP, INFO, LIST): the command table as
// Redis 7.0 shows it, read from the registry (flags, ACL categories, key specs, tips, docs).

import type { CommandDef, KeySpecDoc, UnknownKeySpec } from './types.js';
import type { MainContext } from '../main-context.js';
import type { RespWriter } from '../resp/writer.js';
import { cmd, isKw, kw } from './define.js';
import { E } from '../errors.js';
import { INVALID_KEYS, lookupClient, topLevel, keyIndexes } from './registry.js';
import { globMatchString } from '../glob.js';
import { help } from './connection.js';

const CONN = ['connection'];

/** Orders in which Redis 7.0 lists command flags, ACL categories and key spec flags. */
const FLAG_ORDER = [
  'write', 'readonly', 'denyoom', 'module', 'admin', 'pubsub', 'noscript', 'blocking', 'loading', 'stale', 'skip_monitor',
  'skip_slowlog', 'asking', 'fast', 'no_auth', 'no_mandatory_keys', 'no_async_loading', 'no_multi', 'movablekeys', 'allow_busy',
];
const ACL_ORDER = [
  'keyspace', 'read', 'write', 'set', 'sortedset', 'list', 'hash', 'string', 'bitmap', 'hyperloglog', 'geo', 'stream',
  'pubsub', 'admin', 'fast', 'slow', 'blocking', 'dangerous', 'connection', 'transaction', 'scripting',
];
const KEY_FLAG_ORDER = ['RO', 'RW', 'OW', 'RM', 'access', 'update', 'insert', 'delete', 'not_key', 'incomplete', 'variable_flags'];

function ordered(items: readonly string[], order: string[]): string[] {
  const rank = (x: string) => {
    const i = order.indexOf(x);
    return i < 0 ? order.length : i;
  };
  return [...items].sort((a, b) => rank(a) - rank(b));
}

/** Flags as COMMAND INFO shows them (may_replicate is hidden, as in Redis). */
function shownFlags(def: CommandDef): string[] {
  return ordered(
    def.flags.filter((x) => x !== 'may_replicate'),
    FLAG_ORDER,
  );
}

type ShownSpec = KeySpecDoc | UnknownKeySpec;

/** A begin_search / find_keys map: its `type`, then the header of its `spec` map of `fields` fields. */
function specHead(out: RespWriter, type: string, fields: number): void {
  out.map(2);
  out.bulkStr('type');
  out.bulkStr(type);
  out.bulkStr('spec');
  out.map(fields);
}

function writeKeySpec(out: RespWriter, ks: ShownSpec): void {
  const notes = 'notes' in ks && ks.notes !== undefined ? ks.notes : null;
  out.map(notes !== null ? 4 : 3);
  if (notes !== null) {
    out.bulkStr('notes');
    out.bulkStr(notes);
  }
  out.bulkStr('flags');
  const flags = ordered(ks.flags, KEY_FLAG_ORDER);
  out.set(flags.length);
  for (const f of flags) out.simple(f);
  out.bulkStr('begin_search');
  if ('unknown' in ks) {
    specHead(out, 'unknown', 0);
  } else if ('index' in ks.begin) {
    specHead(out, 'index', 1);
    out.bulkStr('index');
    out.int(ks.begin.index);
  } else {
    specHead(out, 'keyword', 2);
    out.bulkStr('keyword');
    out.bulkStr(ks.begin.keyword);
    out.bulkStr('startfrom');
    out.int(ks.begin.startfrom);
  }
  out.bulkStr('find_keys');
  if ('unknown' in ks) {
    specHead(out, 'unknown', 0);
  } else if ('lastkey' in ks.find) {
    specHead(out, 'range', 3);
    out.bulkStr('lastkey');
    out.int(ks.find.lastkey);
    out.bulkStr('keystep');
    out.int(ks.find.keystep);
    out.bulkStr('limit');
    out.int(ks.find.limit);
  } else {
    specHead(out, 'keynum', 3);
    out.bulkStr('keynumidx');
    out.int(ks.find.keynumidx);
    out.bulkStr('firstkey');
    out.int(ks.find.firstkey);
    out.bulkStr('keystep');
    out.int(ks.find.keystep);
  }
}

/** One COMMAND INFO entry (Redis 7 shape, 10 fields). */
function writeInfo(out: RespWriter, def: CommandDef): void {
  out.array(10);
  out.bulkStr(def.name);
  out.int(def.arity);
  const flags = shownFlags(def);
  out.set(flags.length);
  for (const f of flags) out.simple(f);
  out.int(def.keys.first);
  out.int(def.keys.last);
  out.int(def.keys.step);
  const acl = ordered(def.acl, ACL_ORDER);
  out.set(acl.length);
  for (const a of acl) out.simple('@' + a);
  const tips = def.tips ?? [];
  out.set(tips.length);
  for (const t of tips) out.bulkStr(t);
  const specs = def.keySpecs;
  out.set(specs.length);
  for (const ks of specs) writeKeySpec(out, ks);
  const subs = visibleSubs(def);
  if (subs.length === 0) out.set(0);
  else {
    out.array(subs.length);
    for (const s of subs) writeInfo(out, s);
  }
}

function visibleSubs(def: CommandDef): CommandDef[] {
  return def.sub ? [...def.sub.values()].filter((d) => !d.internal) : [];
}

function writeDocs(out: RespWriter, def: CommandDef): void {
  const subs = visibleSubs(def);
  const fields = 3 + (def.complexity !== undefined ? 1 : 0) + (subs.length > 0 ? 1 : 0);
  out.map(fields);
  out.bulkStr('summary');
  out.bulkStr(def.summary);
  out.bulkStr('since');
  out.bulkStr(def.since);
  out.bulkStr('group');
  out.bulkStr(def.group);
  if (def.complexity !== undefined) {
    out.bulkStr('complexity');
    out.bulkStr(def.complexity);
  }
  if (subs.length > 0) {
    out.bulkStr('subcommands');
    out.map(subs.length);
    for (const s of subs) {
      out.bulkStr(s.name);
      writeDocs(out, s);
    }
  }
}

/** A command by its full name ("get", "config|get"), case-insensitive; internal ones are unknown. */
function findByFullName(name: string): CommandDef | undefined {
  const n = name.toLowerCase();
  const bar = n.indexOf('|');
  if (bar < 0) return lookupClient(n);
  const parent = lookupClient(n.slice(0, bar));
  const sub = parent?.sub?.get(n.slice(bar + 1));
  return sub && !sub.internal ? sub : undefined;
}

function commandAll(ctx: MainContext): void {
  const defs = topLevel();
  ctx.out.array(defs.length);
  for (const d of defs) writeInfo(ctx.out, d);
}

function commandInfo(ctx: MainContext, args: Buffer[]): void {
  if (args.length === 2) return commandAll(ctx);
  ctx.out.array(args.length - 2);
  for (let i = 2; i < args.length; i++) {
    const d = findByFullName(args[i].toString('latin1'));
    if (d) writeInfo(ctx.out, d);
    else ctx.out.nil();
  }
}

function commandDocs(ctx: MainContext, args: Buffer[]): void {
  const defs: CommandDef[] = [];
  if (args.length === 2) defs.push(...topLevel());
  else
    for (let i = 2; i < args.length; i++) {
      const d = findByFullName(args[i].toString('latin1'));
      if (d) defs.push(d);
    }
  ctx.out.map(defs.length);
  for (const d of defs) {
    ctx.out.bulkStr(d.name);
    writeDocs(ctx.out, d);
  }
}

function commandCount(ctx: MainContext): void {
  ctx.out.int(topLevel().length);
}

/** COMMAND LIST [FILTERBY MODULE name | ACLCAT category | PATTERN pattern] */
function commandList(ctx: MainContext, args: Buffer[]): void {
  let filter: (d: CommandDef) => boolean = () => true;
  if (args.length === 5 && isKw(args[2], 'filterby')) {
    const how = kw(args[3]);
    const v = args[4].toString('utf8');
    if (how === 'module') filter = () => false;
    else if (how === 'aclcat') {
      const cat = v.toLowerCase();
      filter = (d) => d.acl.includes(cat);
    } else if (how === 'pattern') filter = (d) => globMatchString(v, d.name, true);
    else return ctx.out.error(E.syntax);
  } else if (args.length !== 2) {
    return ctx.out.error(E.syntax);
  }
  const names: string[] = [];
  for (const d of topLevel()) {
    if (filter(d)) names.push(d.name);
    for (const s of visibleSubs(d)) if (filter(s)) names.push(s.name);
  }
  ctx.out.array(names.length);
  for (const n of names) ctx.out.bulkStr(n);
}

/**
 * COMMAND GETKEYS command [arg ...]: the keys respdb routes by (the table's key specs), checked in
 * Redis's order: a command without keys answers so whatever its arguments, then the arity, then
 * the arguments (a key count that does not hold, or no key found).
 */
function commandGetKeys(ctx: MainContext, args: Buffer[]): void {
  const cargs = args.slice(2);
  let def = lookupClient(cargs[0].toString('latin1').toLowerCase());
  if (def?.sub && cargs.length >= 2) def = def.sub.get(cargs[1].toString('latin1').toLowerCase());
  if (!def || def.internal) return ctx.out.error('ERR Invalid command specified');
  // specs that are all not_key (SSUBSCRIBE's shard channels) name no keys
  if (!def.getKeys && def.keySpecs.every((k) => k.flags.includes('not_key'))) return ctx.out.error('ERR The command has no key arguments');
  if ((def.arity > 0 && cargs.length !== def.arity) || cargs.length < -def.arity) {
    return ctx.out.error('ERR Invalid number of arguments specified for command');
  }
  const idx = keyIndexes(def, cargs);
  if (idx === INVALID_KEYS || idx.length === 0) {
    return def.flags.includes('no_mandatory_keys') ? ctx.out.array(0) : ctx.out.error('ERR Invalid arguments specified for command');
  }
  ctx.out.array(idx.length);
  for (const i of idx) ctx.out.bulk(cargs[i]);
}

function commandHelp(ctx: MainContext): void {
  help(ctx, 'COMMAND', [
    '(no subcommand)',
    '    Return details about all Redis commands.',
    'COUNT',
    '    Return the total number of commands in this Redis server.',
    'LIST',
    '    Return a list of all commands in this Redis server.',
    'INFO [<command-name> ...]',
    '    Return details about multiple Redis commands.',
    '    If no command names are given, documentation details for all',
    '    commands are returned.',
    'DOCS [<command-name> ...]',
    '    Return documentation details about multiple Redis commands.',
    '    If no command names are given, documentation details for all',
    '    commands are returned.',
    'GETKEYS <full-command>',
    '    Return the keys from a full Redis command.',
  ]);
}

export const commandCommands: CommandDef[] = [
  cmd({
    name: 'command', arity: -1, flags: ['loading', 'stale'], acl: CONN, main: commandAll, tips: ['nondeterministic_output_order'],
    summary: 'Get array of Redis command details', since: '2.8.13', group: 'server',
    complexity: 'O(N) where N is the total number of Redis commands',
    sub: [
      cmd({
        name: 'command|count', arity: 2, flags: ['loading', 'stale'], acl: CONN, main: commandCount,
        summary: 'Get total number of Redis commands', since: '2.8.13', group: 'server', complexity: 'O(1)',
      }),
      cmd({
        name: 'command|docs', arity: -2, flags: ['loading', 'stale'], acl: CONN, main: commandDocs, tips: ['nondeterministic_output_order'],
        summary: 'Get array of specific Redis command documentation', since: '7.0.0', group: 'server',
        complexity: 'O(N) where N is the number of commands to look up',
      }),
      cmd({
        name: 'command|getkeys', arity: -4, flags: ['loading', 'stale'], acl: CONN, main: commandGetKeys,
        summary: 'Extract keys given a full Redis command', since: '2.8.13', group: 'server',
        complexity: 'O(N) where N is the number of arguments to the command',
      }),
      cmd({
        name: 'command|help', arity: 2, flags: ['loading', 'stale'], acl: CONN, main: commandHelp,
        summary: 'Show helpful text about the different subcommands', since: '5.0.0', group: 'server', complexity: 'O(1)',
      }),
      cmd({
        name: 'command|info', arity: -2, flags: ['loading', 'stale'], acl: CONN, main: commandInfo, tips: ['nondeterministic_output_order'],
        summary: 'Get array of specific Redis command details, or all when no argument is given.', since: '2.8.13', group: 'server',
        complexity: 'O(N) where N is the number of commands to look up',
      }),
      cmd({
        name: 'command|list', arity: -2, flags: ['loading', 'stale'], acl: CONN, main: commandList, tips: ['nondeterministic_output_order'],
        summary: 'Get an array of Redis command names', since: '7.0.0', group: 'server',
        complexity: 'O(N) where N is the total number of Redis commands',
      }),
    ],
  }),
];
