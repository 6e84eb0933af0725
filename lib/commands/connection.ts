// Connection commands, run on the main thread.

import type { CommandDef } from './types.js';
import type { MainContext } from '../main-context.js';
import { cmd } from './define.js';
import { E } from '../errors.js';
import { parseIntArg } from '../resp/number.js';

function ping(ctx: MainContext, args: Buffer[]): void {
  if (args.length > 2) {
    ctx.out.error("ERR wrong number of arguments for 'ping' command");
    return;
  }
  if (args.length === 2) ctx.out.bulk(args[1]);
  else ctx.out.simple('PONG');
}

function echo(ctx: MainContext, args: Buffer[]): void {
  ctx.out.bulk(args[1]);
}

function select(ctx: MainContext, args: Buffer[]): void {
  const n = parseIntArg(args[1]);
  if (n === null) return ctx.out.error(E.notInt);
  if (n < 0 || n >= ctx.server.databases) return ctx.out.error(E.dbIndex);
  ctx.conn.db = n;
  ctx.out.ok();
}

function quit(ctx: MainContext): void {
  ctx.out.ok();
  ctx.closeAfter = true;
}

export const connectionCommands: CommandDef[] = [
  cmd({ name: 'ping', arity: -1, flags: ['fast'], acl: ['connection'], main: ping, summary: 'Returns the server\'s liveliness response.', since: '1.0.0', group: 'connection', complexity: 'O(1)' }),
  cmd({ name: 'echo', arity: 2, flags: ['fast'], acl: ['connection'], main: echo, summary: 'Returns the given string.', since: '1.0.0', group: 'connection', complexity: 'O(1)' }),
  cmd({ name: 'select', arity: 2, flags: ['loading', 'stale', 'fast'], acl: ['connection'], main: select, summary: 'Changes the selected database.', since: '1.0.0', group: 'connection', complexity: 'O(1)' }),
  cmd({ name: 'quit', arity: -1, flags: ['noscript', 'loading', 'stale', 'fast', 'no_auth', 'allow_busy'], acl: ['connection'], main: quit, summary: 'Closes the connection.', since: '1.0.0', group: 'connection', complexity: 'O(1)' }),
];
