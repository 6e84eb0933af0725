// Scripting: EVAL EVALSHA EVAL_RO EVALSHA_RO and SCRIPT (lib/scripting/scripts.ts keeps the cache
// and places each run), plus the shard steps: `script-run` runs a script or a function on the
// shard of its keys (lib/scripting/shard-run.ts), `script-forget` drops compiled copies,
// `script-store` keeps scripts and libraries with the data (lib/scripting/saved.ts).

import type { CommandDef, KeySpecDoc } from './types.js';
import type { MainContext } from '../main-context.js';
import { cmd, kw } from './define.js';
import { help } from './connection.js';
import { KIND_EVAL } from '../scripting/busy.js';
import { scriptForgetOnShard, scriptRunOnShard } from '../scripting/shard-run.js';
import { scriptStoreOnShard } from '../scripting/saved.js';

function evalCmd(ctx: MainContext, args: Buffer[]): Promise<void> {
  return ctx.server.scripting.eval(ctx, args, false, false);
}

function evalsha(ctx: MainContext, args: Buffer[]): Promise<void> {
  return ctx.server.scripting.eval(ctx, args, true, false);
}

function evalRo(ctx: MainContext, args: Buffer[]): Promise<void> {
  return ctx.server.scripting.eval(ctx, args, false, true);
}

function evalshaRo(ctx: MainContext, args: Buffer[]): Promise<void> {
  return ctx.server.scripting.eval(ctx, args, true, true);
}

function scriptLoad(ctx: MainContext, args: Buffer[]): void {
  const got = ctx.server.scripting.add(args[2]);
  if (typeof got === 'string') return ctx.out.error(got);
  ctx.out.bulkStr(got.sha);
}

function scriptExists(ctx: MainContext, args: Buffer[]): void {
  const s = ctx.server.scripting;
  ctx.out.array(args.length - 2);
  for (let i = 2; i < args.length; i++) ctx.out.int(s.has(args[i].toString('latin1')) ? 1 : 0);
}

function scriptFlush(ctx: MainContext, args: Buffer[]): Promise<void> | void {
  if (args.length > 3 || (args.length === 3 && kw(args[2]) !== 'sync' && kw(args[2]) !== 'async')) {
    return ctx.out.error('ERR SCRIPT FLUSH only support SYNC|ASYNC option');
  }
  return ctx.server.scripting.flush().then(() => ctx.out.ok());
}

function scriptKill(ctx: MainContext): void {
  const err = ctx.server.scripting.kill(KIND_EVAL);
  if (err !== null) return ctx.out.error(err);
  ctx.out.ok();
}

function scriptHelp(ctx: MainContext): void {
  help(ctx, 'SCRIPT', [
    'EXISTS <sha1> [<sha1> ...]',
    '    Return information about the existence of the scripts in the script cache.',
    'FLUSH [ASYNC|SYNC]',
    '    Flush the Lua scripts cache. Very dangerous on replicas.',
    '    When called without the optional mode argument, the behavior is determined by the',
    '    lazyfree-lazy-user-flush configuration directive. Valid modes are:',
    '    * ASYNC: Asynchronously flush the scripts cache.',
    '    * SYNC: Synchronously flush the scripts cache.',
    'KILL',
    '    Kill the currently executing Lua script.',
    'LOAD <script>',
    '    Load a script into the scripts cache without executing it.',
  ]);
}

const SCRIPTING = ['scripting'];
const EVAL_FLAGS = ['noscript', 'stale', 'skip_monitor', 'no_mandatory_keys', 'movablekeys'] as const;
const WORST_RW = 'We cannot tell how the keys will be used so we assume the worst, RW and UPDATE';
const WORST_RO = 'We cannot tell how the keys will be used so we assume the worst, RO and ACCESS';

/** numkeys at argument 2, then the keys (EVAL, FCALL and their _RO forms). */
export function evalKeySpec(ro: boolean, notes: boolean): KeySpecDoc[] {
  const flags = ro ? ['RO', 'access'] : ['RW', 'access', 'update'];
  const spec: KeySpecDoc = { flags, begin: { index: 2 }, find: { keynumidx: 0, firstkey: 1, keystep: 1 } };
  if (notes) spec.notes = ro ? WORST_RO : WORST_RW;
  return [spec];
}

const EVAL_DOC = { since: '2.6.0', group: 'scripting', complexity: 'Depends on the script that is executed.' };

export const scriptingCommands: CommandDef[] = [
  cmd({ name: 'eval', arity: -3, flags: [...EVAL_FLAGS], acl: SCRIPTING, main: evalCmd, reachesShards: true, keySpecs: evalKeySpec(false, true), summary: 'Execute a Lua script server side', ...EVAL_DOC }),
  cmd({ name: 'evalsha', arity: -3, flags: [...EVAL_FLAGS], acl: SCRIPTING, main: evalsha, reachesShards: true, keySpecs: evalKeySpec(false, false), summary: 'Execute a Lua script server side', ...EVAL_DOC }),
  cmd({
    name: 'eval_ro', arity: -3, flags: ['readonly', ...EVAL_FLAGS], acl: SCRIPTING, main: evalRo, reachesShards: true, keySpecs: evalKeySpec(true, true),
    summary: 'Execute a read-only Lua script server side', ...EVAL_DOC, since: '7.0.0',
  }),
  cmd({
    name: 'evalsha_ro', arity: -3, flags: ['readonly', ...EVAL_FLAGS], acl: SCRIPTING, main: evalshaRo, reachesShards: true, keySpecs: evalKeySpec(true, false),
    summary: 'Execute a read-only Lua script server side', ...EVAL_DOC, since: '7.0.0',
  }),
  cmd({
    name: 'script', arity: -2, summary: 'A container for Lua scripts management commands', since: '2.6.0', group: 'scripting', complexity: 'Depends on subcommand.',
    sub: [
      cmd({
        name: 'script|exists', arity: -3, flags: ['noscript'], acl: SCRIPTING, main: scriptExists, tips: ['request_policy:all_shards', 'response_policy:agg_logical_and'],
        summary: 'Check existence of scripts in the script cache.', since: '2.6.0', group: 'scripting', complexity: 'O(N) with N being the number of scripts to check (so checking a single script is an O(1) operation).',
      }),
      cmd({
        name: 'script|flush', arity: -2, flags: ['noscript'], acl: SCRIPTING, main: scriptFlush, tips: ['request_policy:all_nodes', 'response_policy:all_succeeded'],
        summary: 'Remove all the scripts from the script cache.', since: '2.6.0', group: 'scripting', complexity: 'O(N) with N being the number of scripts in cache',
      }),
      cmd({
        name: 'script|kill', arity: 2, flags: ['noscript', 'allow_busy'], acl: SCRIPTING, main: scriptKill, tips: ['request_policy:all_shards', 'response_policy:one_succeeded'],
        summary: 'Kill the script currently in execution.', since: '2.6.0', group: 'scripting', complexity: 'O(1)',
      }),
      cmd({
        name: 'script|load', arity: 3, flags: ['noscript', 'stale'], acl: SCRIPTING, main: scriptLoad, tips: ['request_policy:all_nodes', 'response_policy:all_succeeded'],
        summary: 'Load the specified Lua script into the script cache.', since: '2.6.0', group: 'scripting', complexity: 'O(N) with N being the length in bytes of the script body.',
      }),
      cmd({ name: 'script|help', arity: 2, flags: ['loading', 'stale'], acl: SCRIPTING, main: scriptHelp, summary: 'Show helpful text about the different subcommands', since: '5.0.0', group: 'scripting', complexity: 'O(1)' }),
    ],
  }),
  cmd({
    name: 'script-run', arity: -7, flags: ['write'], acl: SCRIPTING, shard: scriptRunOnShard, internal: true, ownTransaction: true,
    summary: 'internal: a script or function on the shard of its keys', since: '0', group: 'internal',
  }),
  cmd({ name: 'script-forget', arity: -2, flags: ['write'], acl: SCRIPTING, shard: scriptForgetOnShard, internal: true, summary: 'internal: drop compiled scripts', since: '0', group: 'internal' }),
  cmd({ name: 'script-store', arity: -3, flags: ['write'], acl: SCRIPTING, shard: scriptStoreOnShard, internal: true, summary: 'internal: keep scripts with the data', since: '0', group: 'internal' }),
];
