// Functions: FUNCTION LOAD DELETE FLUSH LIST DUMP RESTORE STATS KILL HELP, FCALL, FCALL_RO
// (lib/scripting/functions.ts keeps the libraries; runs are placed as scripts are).

import type { CommandDef } from './types.js';
import type { MainContext } from '../main-context.js';
import { cmd, isKw, kw } from './define.js';
import { help } from './connection.js';
import { evalKeySpec } from './scripting.js';
import { KIND_FUNCTION } from '../scripting/busy.js';
import { globMatch } from '../glob.js';
import { encodeFunctionPayload, readFunctionPayload } from '../rdb/function-payload.js';

function fcall(ctx: MainContext, args: Buffer[]): Promise<void> | void {
  return ctx.server.functions.fcall(ctx, args, false);
}

function fcallRo(ctx: MainContext, args: Buffer[]): Promise<void> | void {
  return ctx.server.functions.fcall(ctx, args, true);
}

function functionLoad(ctx: MainContext, args: Buffer[]): void {
  let replace = false;
  let i = 2;
  for (; i < args.length - 1; i++) {
    if (isKw(args[i], 'replace')) replace = true;
    else return ctx.out.error(`ERR Unknown option given: ${args[i].toString('latin1')}`);
  }
  if (i !== args.length - 1) return ctx.out.error('ERR Function code is missing');
  const r = ctx.server.functions.load(args[i], replace);
  if (typeof r === 'string') return ctx.out.error(r);
  ctx.out.bulkStr(r.name);
}

function functionDelete(ctx: MainContext, args: Buffer[]): void {
  const err = ctx.server.functions.delete(args[2].toString('latin1'));
  if (err !== null) return ctx.out.error(err);
  ctx.out.ok();
}

function functionFlush(ctx: MainContext, args: Buffer[]): Promise<void> | void {
  if (args.length > 3 || (args.length === 3 && kw(args[2]) !== 'sync' && kw(args[2]) !== 'async')) {
    return ctx.out.error('ERR FUNCTION FLUSH only supports SYNC|ASYNC option');
  }
  return ctx.server.functions.flush().then(() => ctx.out.ok());
}

function functionList(ctx: MainContext, args: Buffer[]): void {
  let withCode = false;
  let pattern: Buffer | null = null;
  for (let i = 2; i < args.length; i++) {
    if (isKw(args[i], 'withcode')) {
      if (withCode) return ctx.out.error('ERR Unknown argument withcode');
      withCode = true;
    } else if (isKw(args[i], 'libraryname')) {
      if (pattern !== null) return ctx.out.error('ERR library name argument was given multiple times');
      if (i + 1 >= args.length) return ctx.out.error('ERR library name argument was not given');
      pattern = args[++i];
    } else return ctx.out.error(`ERR Unknown argument ${args[i].toString('latin1')}`);
  }
  const libs = ctx.server.functions.all.filter((l) => pattern === null || globMatch(pattern, Buffer.from(l.name, 'latin1'), false));
  const out = ctx.out;
  out.array(libs.length);
  for (const l of libs) {
    out.map(withCode ? 4 : 3);
    out.bulkStr('library_name');
    out.bulkStr(l.name);
    out.bulkStr('engine');
    out.bulkStr('LUA');
    out.bulkStr('functions');
    out.array(l.functions.length);
    for (const f of l.functions) {
      out.map(3);
      out.bulkStr('name');
      out.bulkStr(f.name);
      out.bulkStr('description');
      if (f.description === null) out.nil();
      else out.bulkStr(f.description);
      out.bulkStr('flags');
      out.set(f.flags.length);
      for (const fl of f.flags) out.simple(fl);
    }
    if (withCode) {
      out.bulkStr('library_code');
      out.bulk(l.code);
    }
  }
}

function functionDump(ctx: MainContext): void {
  ctx.out.bulk(encodeFunctionPayload(ctx.server.functions.codes()));
}

function functionRestore(ctx: MainContext, args: Buffer[]): void {
  let policy: 'flush' | 'append' | 'replace' = 'append';
  if (args.length > 4) return ctx.out.error('ERR syntax error');
  if (args.length === 4) {
    const p = kw(args[3]);
    if (p !== 'flush' && p !== 'append' && p !== 'replace') return ctx.out.error('ERR Wrong restore policy given, value should be either FLUSH, APPEND or REPLACE.');
    policy = p;
  }
  // as Redis: the libraries read before an unreadable part are created (and may fail) first
  const { codes, error } = readFunctionPayload(args[2]);
  const err = ctx.server.functions.restorePayload(codes, policy, error);
  if (err !== null) return ctx.out.error(err);
  ctx.out.ok();
}

function functionStats(ctx: MainContext): void {
  const s = ctx.server;
  const out = ctx.out;
  out.map(2);
  out.bulkStr('running_script');
  const run = s.scripting.runningFunction();
  if (run === null) out.nil();
  else {
    out.map(3);
    out.bulkStr('name');
    out.bulkStr(run.name);
    out.bulkStr('command');
    out.array(run.command.length);
    for (const a of run.command) out.bulk(a);
    out.bulkStr('duration_ms');
    out.int(run.ms);
  }
  out.bulkStr('engines');
  out.map(1);
  out.bulkStr('LUA');
  out.map(2);
  out.bulkStr('libraries_count');
  out.int(s.functions.all.length);
  out.bulkStr('functions_count');
  out.int(s.functions.functionCount);
}

function functionKill(ctx: MainContext): void {
  const err = ctx.server.scripting.kill(KIND_FUNCTION);
  if (err !== null) return ctx.out.error(err);
  ctx.out.ok();
}

function functionHelp(ctx: MainContext): void {
  help(ctx, 'FUNCTION', [
    'LOAD [REPLACE] <FUNCTION CODE>',
    '    Create a new library with the given library name and code.',
    'DELETE <LIBRARY NAME>',
    '    Delete the given library.',
    'LIST [LIBRARYNAME PATTERN] [WITHCODE]',
    '    Return general information on all the libraries:',
    '    * Library name',
    '    * The engine used to run the Library',
    '    * Library description',
    '    * Functions list',
    '    * Library code (if WITHCODE is given)',
    '    It also possible to get only function that matches a pattern using LIBRARYNAME argument.',
    'STATS',
    '    Return information about the current function running:',
    '    * Function name',
    '    * Command used to run the function',
    '    * Duration in MS that the function is running',
    '    If no function is running, return nil',
    '    In addition, returns a list of available engines.',
    'KILL',
    '    Kill the current running function.',
    'FLUSH [ASYNC|SYNC]',
    '    Delete all the libraries.',
    '    When called without the optional mode argument, the behavior is determined by the',
    '    lazyfree-lazy-user-flush configuration directive. Valid modes are:',
    '    * ASYNC: Asynchronously flush the libraries.',
    '    * SYNC: Synchronously flush the libraries.',
    'DUMP',
    '    Return a serialized payload representing the current libraries, can be restored using FUNCTION RESTORE command',
    'RESTORE <PAYLOAD> [FLUSH|APPEND|REPLACE]',
    '    Restore the libraries represented by the given payload, it is possible to give a restore policy to',
    '    control how to handle existing libraries (default APPEND):',
    '    * FLUSH: delete all existing libraries.',
    '    * APPEND: appends the restored libraries to the existing libraries. On collision, abort.',
    '    * REPLACE: appends the restored libraries to the existing libraries, On collision, replace the old',
    '      libraries with the new libraries (notice that even on this option there is a chance of failure',
    '      in case of functions name collision with another library).',
  ]);
}

const SCRIPTING = ['scripting'];
const FCALL_FLAGS = ['noscript', 'stale', 'skip_monitor', 'no_mandatory_keys', 'movablekeys'] as const;
const ALL_SHARDS = ['request_policy:all_shards', 'response_policy:all_succeeded'];
const DOC = { since: '7.0.0', group: 'scripting' };

export const functionCommands: CommandDef[] = [
  cmd({ name: 'fcall', arity: -3, flags: [...FCALL_FLAGS], acl: SCRIPTING, main: fcall, reachesShards: true, keySpecs: evalKeySpec(false, true), summary: 'Invoke a function', ...DOC, complexity: 'Depends on the function that is executed.' }),
  cmd({
    name: 'fcall_ro', arity: -3, flags: ['readonly', ...FCALL_FLAGS], acl: SCRIPTING, main: fcallRo, reachesShards: true, keySpecs: evalKeySpec(true, true),
    summary: 'Invoke a read-only function', ...DOC, complexity: 'Depends on the function that is executed.',
  }),
  cmd({
    name: 'function', arity: -2, summary: 'A container for function commands', ...DOC, complexity: 'Depends on subcommand.',
    sub: [
      cmd({
        name: 'function|load', arity: -3, flags: ['write', 'denyoom', 'noscript'], acl: SCRIPTING, main: functionLoad, tips: ALL_SHARDS,
        summary: 'Create a function with the given arguments (name, code, description)', ...DOC, complexity: 'O(1) (considering compilation time is redundant)',
      }),
      cmd({ name: 'function|delete', arity: 3, flags: ['write', 'noscript'], acl: SCRIPTING, main: functionDelete, tips: ALL_SHARDS, summary: 'Delete a function by name', ...DOC, complexity: 'O(1)' }),
      cmd({
        name: 'function|flush', arity: -2, flags: ['write', 'noscript'], acl: SCRIPTING, main: functionFlush, tips: ALL_SHARDS,
        summary: 'Deleting all functions', ...DOC, complexity: 'O(N) where N is the number of functions deleted',
      }),
      cmd({
        name: 'function|list', arity: -2, flags: ['noscript'], acl: SCRIPTING, main: functionList, tips: ['nondeterministic_output_order'],
        summary: 'List information about all the functions', ...DOC, complexity: 'O(N) where N is the number of functions',
      }),
      cmd({
        name: 'function|stats', arity: 2, flags: ['noscript', 'allow_busy'], acl: SCRIPTING, main: functionStats, tips: ['nondeterministic_output', 'request_policy:all_shards', 'response_policy:special'],
        summary: 'Return information about the function currently running (name, description, duration)', ...DOC, complexity: 'O(1)',
      }),
      cmd({
        name: 'function|kill', arity: 2, flags: ['noscript', 'allow_busy'], acl: SCRIPTING, main: functionKill, tips: ['request_policy:all_shards', 'response_policy:one_succeeded'],
        summary: 'Kill the function currently in execution.', ...DOC, complexity: 'O(1)',
      }),
      cmd({
        name: 'function|dump', arity: 2, flags: ['noscript'], acl: SCRIPTING, main: functionDump,
        summary: 'Dump all functions into a serialized binary payload', ...DOC, complexity: 'O(N) where N is the number of functions',
      }),
      cmd({
        name: 'function|restore', arity: -3, flags: ['write', 'denyoom', 'noscript'], acl: SCRIPTING, main: functionRestore, tips: ALL_SHARDS,
        summary: 'Restore all the functions on the given payload', ...DOC, complexity: 'O(N) where N is the number of functions on the payload',
      }),
      cmd({ name: 'function|help', arity: 2, flags: ['loading', 'stale'], acl: SCRIPTING, main: functionHelp, summary: 'Show helpful text about the different subcommands', ...DOC, complexity: 'O(1)' }),
    ],
  }),
];
