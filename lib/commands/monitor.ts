// MONITOR: the connection receives a line for every command the server executes from now on
// (lib/clients/monitor.ts). Replies and errors follow redis-server 7.0.

import type { CommandDef } from './types.js';
import type { MainContext } from '../main-context.js';
import { cmd } from './define.js';
import { extrasOf } from '../clients/extras.js';
import { commandRules } from '../clients/rules.js';

function monitor(ctx: MainContext): void {
  const { conn } = ctx;
  // run by EXEC (attemptOnce is set there): a transaction's client expects one reply per command
  if (commandRules.inTransaction(conn) || ctx.attemptOnce !== undefined) return ctx.out.error("ERR MONITOR isn't allowed for DENY BLOCKING client");
  const ext = extrasOf(conn);
  // already monitoring: Redis ignores it, without a reply
  if (ext.monitor) return;
  ctx.server.clientCtl.startMonitor(conn, ext);
  ctx.out.ok();
}

export const monitorCommands: CommandDef[] = [
  cmd({
    name: 'monitor', arity: 1, flags: ['admin', 'noscript', 'loading', 'stale'], main: monitor,
    summary: 'Listen for all requests received by the server in real time', since: '1.0.0', group: 'server',
  }),
];
