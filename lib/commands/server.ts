// Server commands run on the main thread: CONFIG, TIME, LASTSAVE, SHUTDOWN, DEBUG, and (from their
// own files) INFO (info.ts) and COMMAND (command.ts).

import type { CommandDef, ScriptSession } from './types.js';
import type { RespWriter } from '../resp/writer.js';
import type { MainContext } from '../main-context.js';
import { cmd, isKw, kw } from './define.js';
import { E } from '../errors.js';
import { ConfigError } from '../config.js';
import { help } from './connection.js';
import { logger } from '../log.js';
import { strtod } from '../resp/number.js';
import { infoCommands } from './info.js';
import { commandCommands } from './command.js';
import { DEBUG_DATA_HELP, debugData } from './memory.js';

const log = logger('server');

// ------------------------------------------------------------------------------------------------
// CONFIG
// ------------------------------------------------------------------------------------------------

function configGet(ctx: MainContext, args: Buffer[]): void {
  const patterns: string[] = [];
  for (let i = 2; i < args.length; i++) patterns.push(args[i].toString('utf8'));
  const pairs = ctx.server.config.matchAll(patterns);
  ctx.out.map(pairs.length);
  for (const [k, v] of pairs) {
    ctx.out.bulkStr(k);
    ctx.out.bulkStr(v);
  }
}

function configError(ctx: MainContext, e: unknown): void {
  if (e instanceof ConfigError) ctx.out.error(e.message);
  else throw e;
}

function configSet(ctx: MainContext, args: Buffer[]): void | Promise<void> {
  if ((args.length - 2) % 2 !== 0) return ctx.out.error(E.syntax);
  const pairs: Array<[string, string]> = [];
  for (let i = 2; i < args.length; i += 2) pairs.push([args[i].toString('utf8'), args[i + 1].toString('utf8')]);
  const apply = (): void => {
    try {
      ctx.server.config.set(pairs);
    } catch (e) {
      return configError(ctx, e);
    }
    ctx.out.ok();
  };
  // The connection's earlier commands may still be running (a cross-shard *STORE picks its
  // encoding when it writes): the change applies after them and the later commands wait for it.
  const conn = ctx.conn;
  if (conn.queue.length <= 1) return apply();
  conn.hold();
  return conn.whenEarlierDone().then(apply).finally(() => conn.release());
}

function configResetStat(ctx: MainContext): void {
  ctx.server.resetStats();
  ctx.out.ok();
}

function configRewrite(ctx: MainContext): void {
  try {
    ctx.server.config.rewrite();
  } catch (e) {
    return configError(ctx, e);
  }
  ctx.out.ok();
}

function configHelp(ctx: MainContext): void {
  help(ctx, 'CONFIG', [
    'GET <pattern>',
    '    Return parameters matching the glob-like <pattern> and their values.',
    'SET <directive> <value>',
    '    Set the configuration <directive> to <value>.',
    'RESETSTAT',
    '    Reset statistics reported by the INFO command.',
    'REWRITE',
    '    Rewrite the configuration file.',
  ]);
}

// ------------------------------------------------------------------------------------------------
// TIME, LASTSAVE, SHUTDOWN, DEBUG
// ------------------------------------------------------------------------------------------------

function time(ctx: MainContext): void {
  timeReply(ctx.out);
}

function timeReply(out: RespWriter): void {
  const us = Math.floor((performance.timeOrigin + performance.now()) * 1000);
  out.array(2);
  out.bulkStr(String(Math.floor(us / 1e6)));
  out.bulkStr(String(us % 1e6));
}

function timeInScript(_s: ScriptSession, _args: Buffer[], out: RespWriter): void {
  timeReply(out);
}

function lastsave(ctx: MainContext): void {
  ctx.out.int(ctx.server.counters.lastSave);
}

/**
 * SHUTDOWN [NOSAVE|SAVE] [NOW] [FORCE] | SHUTDOWN ABORT. Every write is stored as it happens; SAVE
 * (or, without NOSAVE, a configured `save` schedule, as in Redis) takes a backup first
 * (lib/backup/backups.ts), after the one running if any. A failed backup cancels the shutdown
 * unless FORCE. Then in-flight batches finish, the shards sync and close, the process exits with
 * 0. The client gets no reply; its connection closes.
 */
async function shutdown(ctx: MainContext, args: Buffer[]): Promise<void> {
  let nosave = false;
  let save = false;
  let abort = false;
  let force = false;
  let other = false;
  for (let i = 1; i < args.length; i++) {
    const o = kw(args[i]);
    if (o === 'nosave') nosave = true;
    else if (o === 'save') save = true;
    else if (o === 'force') force = other = true;
    else if (o === 'now') other = true;
    else if (o === 'abort') abort = true;
    else return ctx.out.error(E.syntax);
  }
  if ((abort && (nosave || save || other)) || (nosave && save)) return ctx.out.error(E.syntax);
  if (abort) return ctx.out.error('ERR No shutdown in progress.');
  // a script past busy-reply-threshold: only SHUTDOWN NOSAVE stops the server (and the script)
  const busy = ctx.server.scripting.busyError();
  if (busy !== null && !nosave) return ctx.out.error(busy);
  const server = ctx.server;
  if (save || (!nosave && server.backups.hasSchedule)) {
    log.warn({ client: ctx.conn.addr }, 'saving the final backup before shutdown');
    await server.backups.settle();
    try {
      await server.backups.begin();
    } catch (e) {
      log.warn({ err: (e as Error).message }, force ? 'error trying to save the DB, exiting anyway (FORCE)' : 'error trying to save the DB, can\'t exit');
      if (!force) return ctx.out.error('ERR Errors trying to SHUTDOWN. Check logs.');
    }
  }
  log.warn({ client: ctx.conn.addr }, 'user requested shutdown');
  ctx.closeAfter = true;
  setImmediate(() => {
    server.shutdown().then(
      () => process.exit(0),
      (err: unknown) => {
        log.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  });
}

/** DEBUG SLEEP's argument: strtod's prefix (garbage reads as 0, as in Redis). */
function sleepSeconds(b: Buffer): number {
  return strtod(b, 0).v;
}

/**
 * DEBUG SLEEP <seconds> | DEBUG SLOW-POOL-CRASH THROW|OOM | DEBUG HELP. Unlike Redis, which stops the whole server, respdb delays
 * only this connection's reply (and the replies after it): other clients keep being served.
 */
const DEBUG_NOT_ALLOWED =
  'ERR DEBUG command not allowed. If the enable-debug-command option is set to "local", you can run it from a local connection, otherwise you need to set this option in the configuration file, and then restart the server.';

async function debug(ctx: MainContext, args: Buffer[]): Promise<void> {
  const allowed = ctx.server.config.str('enable-debug-command');
  if (allowed === 'no' || (allowed === 'local' && !/^(127\.|\[::1\]:)/.test(ctx.conn.addr))) return ctx.out.error(DEBUG_NOT_ALLOWED);
  if (args.length === 2 && isKw(args[1], 'help')) {
    help(ctx, 'DEBUG', [
      'SLEEP <seconds>',
      '    Delay this connection\'s reply by <seconds>. Decimals allowed.',
      'SLOW-POOL-CRASH THROW|OOM',
      '    Run a slow-pool task that throws or exhausts its thread\'s memory (the pool must recover).',
      ...DEBUG_DATA_HELP,
    ]);
    return;
  }
  if (args.length === 3 && isKw(args[1], 'slow-pool-crash') && (isKw(args[2], 'throw') || isKw(args[2], 'oom'))) {
    const pool = ctx.server.pool;
    if (!pool) return ctx.out.error('ERR no slow-command pool');
    try {
      await pool.run([], { crash: isKw(args[2], 'throw') ? 'throw' : 'oom' });
      ctx.out.error('ERR the task did not fail');
    } catch (e) {
      ctx.out.error(`ERR slow command failed: ${e instanceof Error ? e.message : String(e)}`);
    }
    return;
  }
  if (args.length === 3 && isKw(args[1], 'sleep')) {
    const sec = sleepSeconds(args[2]);
    const ms = Number.isFinite(sec) && sec > 0 ? Math.min(2 ** 31 - 1, Math.round(sec * 1000)) : 0;
    if (ms > 0) await new Promise((r) => setTimeout(r, ms));
    ctx.out.ok();
    return;
  }
  if (await debugData(ctx, args)) return;
  ctx.out.error(`ERR unknown subcommand or wrong number of arguments for '${args[1].toString('latin1')}'. Try DEBUG HELP.`);
}

const ADMIN = ['admin', 'noscript', 'loading', 'stale'] as const;

export const serverCommands: CommandDef[] = [
  ...infoCommands,
  cmd({
    name: 'config', arity: -2,
    summary: 'A container for server configuration commands', since: '2.0.0', group: 'server', complexity: 'Depends on subcommand.',
    sub: [
      cmd({
        name: 'config|get', arity: -3, flags: [...ADMIN], main: configGet,
        summary: 'Get the values of configuration parameters', since: '2.0.0', group: 'server',
        complexity: 'O(N) when N is the number of configuration parameters provided',
      }),
      cmd({
        name: 'config|set', arity: -4, flags: [...ADMIN], main: configSet, tips: ['request_policy:all_nodes', 'response_policy:all_succeeded'],
        summary: 'Set configuration parameters to the given values', since: '2.0.0', group: 'server',
        complexity: 'O(N) when N is the number of configuration parameters provided',
      }),
      cmd({
        name: 'config|resetstat', arity: 2, flags: [...ADMIN], main: configResetStat,
        summary: 'Reset the stats returned by INFO', since: '2.0.0', group: 'server', complexity: 'O(1)',
      }),
      cmd({
        name: 'config|rewrite', arity: 2, flags: [...ADMIN], main: configRewrite,
        summary: 'Rewrite the configuration file with the in memory configuration', since: '2.8.0', group: 'server', complexity: 'O(1)',
      }),
      cmd({
        name: 'config|help', arity: 2, flags: ['loading', 'stale'], main: configHelp,
        summary: 'Show helpful text about the different subcommands', since: '5.0.0', group: 'server', complexity: 'O(1)',
      }),
    ],
  }),
  ...commandCommands,
  cmd({
    name: 'time', arity: 1, flags: ['loading', 'stale', 'fast'], main: time, inScript: timeInScript, tips: ['nondeterministic_output'],
    summary: 'Return the current server time', since: '2.6.0', group: 'server', complexity: 'O(1)',
  }),
  cmd({
    name: 'lastsave', arity: 1, flags: ['loading', 'stale', 'fast'], acl: ['admin', 'dangerous'], main: lastsave, tips: ['nondeterministic_output'],
    summary: 'Get the UNIX time stamp of the last successful save to disk', since: '1.0.0', group: 'server', complexity: 'O(1)',
  }),
  cmd({
    name: 'shutdown', arity: -1, flags: ['admin', 'noscript', 'loading', 'stale', 'no_multi', 'allow_busy'], main: shutdown,
    summary: 'Synchronously save the dataset to disk and then shut down the server', since: '1.0.0', group: 'server',
    complexity: 'O(N) when saving, where N is the total number of keys in all databases when saving data, otherwise O(1)',
  }),
  cmd({
    name: 'debug', arity: -2, flags: [...ADMIN], main: debug, reachesShards: true,
    summary: 'A container for debugging commands', since: '1.0.0', group: 'server', complexity: 'Depends on subcommand.',
  }),
];
