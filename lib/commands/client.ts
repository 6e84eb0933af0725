// CLIENT and its subcommands, run on the main thread. LIST / INFO / KILL are in client-list.ts,
// the client-side caching ones in client-tracking.ts; what acts on every command (PAUSE,
// REPLY SKIP, tracking, MONITOR) lives in lib/clients/. Replies and errors follow redis-server 7.0.

import type { CommandDef } from './types.js';
import type { MainContext } from '../main-context.js';
import { cmd, kw } from './define.js';
import { E } from '../errors.js';
import { parseI64 } from '../resp/number.js';
import { BAD_NAME, CONN, connectionHooks, help, setName, validName } from './connection.js';
import { clientInfo, clientKill, clientList } from './client-list.js';
import { clientCaching, clientGetRedir, clientTracking, clientTrackingInfo } from './client-tracking.js';
import { extrasOf } from '../clients/extras.js';
import { commandRules } from '../clients/rules.js';
import { unmuteCurrent } from '../clients/control.js';
import { PAUSE_ALL, PAUSE_WRITE } from '../clients/pause.js';

function clientId(ctx: MainContext): void {
  ctx.out.int(ctx.conn.id);
}

function clientGetName(ctx: MainContext): void {
  ctx.out.bulk(ctx.conn.name);
}

function clientSetName(ctx: MainContext, args: Buffer[]): void {
  if (!validName(args[2])) return ctx.out.error(BAD_NAME);
  setName(ctx.conn, args[2]);
  ctx.out.ok();
}

function clientNoEvict(ctx: MainContext, args: Buffer[]): void {
  const o = kw(args[2]);
  if (o === 'on') ctx.conn.noEvict = true;
  else if (o === 'off') ctx.conn.noEvict = false;
  else return ctx.out.error(E.syntax);
  ctx.out.ok();
}

/** CLIENT UNBLOCK id [TIMEOUT|ERROR]: ends a blocking command of another client. */
function clientUnblock(ctx: MainContext, args: Buffer[]): void {
  if (args.length > 4) return ctx.out.error(`ERR unknown subcommand or wrong number of arguments for '${args[1].toString('latin1')}'. Try CLIENT HELP.`);
  let asError = false;
  if (args.length === 4) {
    const r = kw(args[3]);
    if (r === 'error') asError = true;
    else if (r !== 'timeout') return ctx.out.error('ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR');
  }
  const id = parseI64(args[2]);
  if (id === null) return ctx.out.error(E.notInt);
  const target = ctx.server.clients.get(Number(id));
  ctx.out.int(target && ctx.server.blocking.unblock(target, asError) ? 1 : 0);
}

/** Redis 7.0's getTimeoutFromObjectOrReply in milliseconds: the end as ms since the epoch (0 for 0). */
function pauseEnd(ctx: MainContext, b: Buffer): number | null {
  const v = parseI64(b);
  if (v === null) {
    ctx.out.error('ERR timeout is not an integer or out of range');
    return null;
  }
  if (v < 0n) {
    ctx.out.error('ERR timeout is negative');
    return null;
  }
  if (v === 0n) return 0;
  // Redis 7.0 adds the time without an overflow check: a sum past the 64-bit range wraps to a
  // time long gone, and the pause ends at once
  return Number(BigInt.asIntN(64, v + BigInt(Date.now())));
}

/** CLIENT PAUSE timeout [WRITE|ALL] */
function clientPause(ctx: MainContext, args: Buffer[]): void {
  if (args.length > 4) return ctx.out.error(`ERR unknown subcommand or wrong number of arguments for '${args[1].toString('latin1')}'. Try CLIENT HELP.`);
  let type = PAUSE_ALL;
  if (args.length === 4) {
    const m = kw(args[3]);
    if (m === 'write') type = PAUSE_WRITE;
    else if (m !== 'all') return ctx.out.error('ERR CLIENT PAUSE mode must be WRITE or ALL');
  }
  const end = pauseEnd(ctx, args[2]);
  if (end === null) return;
  ctx.server.clientCtl.pause.pause(end, type);
  ctx.out.ok();
}

function clientUnpause(ctx: MainContext): void {
  ctx.server.clientCtl.pause.unpause();
  ctx.out.ok();
}

/** CLIENT REPLY ON|OFF|SKIP. OFF and SKIP have no reply; ON's is sent even while replies were off. */
function clientReply(ctx: MainContext, args: Buffer[]): void {
  const { conn } = ctx;
  const o = kw(args[2]);
  const cc = ctx.server.clientCtl;
  if (o === 'on') {
    const ext = conn.extras;
    if (ext !== null) {
      ext.replyOff = false;
      cc.skipCancelled(ext);
    }
    conn.mute = false;
    unmuteCurrent(conn);
    ctx.out.ok();
  } else if (o === 'off') {
    extrasOf(conn).replyOff = true;
    conn.mute = true;
  } else if (o === 'skip') {
    const ext = extrasOf(conn);
    if (!ext.replyOff) {
      cc.skipGiven(ext);
      conn.mute = true;
    }
  } else {
    ctx.out.error(E.syntax);
  }
}

function clientHelp(ctx: MainContext): void {
  help(ctx, 'CLIENT', [
    'CACHING (YES|NO)',
    '    Enable/disable tracking of the keys for next command in OPTIN/OPTOUT modes.',
    'GETREDIR',
    '    Return the client ID we are redirecting to when tracking is enabled.',
    'GETNAME',
    '    Return the name of the current connection.',
    'ID',
    '    Return the ID of the current connection.',
    'INFO',
    '    Return information about the current client connection.',
    'KILL <ip:port>',
    '    Kill connection made from <ip:port>.',
    'KILL <option> <value> [<option> <value> [...]]',
    '    Kill connections. Options are:',
    '    * ADDR (<ip:port>|<unixsocket>:0)',
    '      Kill connections made from the specified address',
    '    * LADDR (<ip:port>|<unixsocket>:0)',
    '      Kill connections made to specified local address',
    '    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)',
    '      Kill connections by type.',
    '    * USER <username>',
    '      Kill connections authenticated by <username>.',
    '    * SKIPME (YES|NO)',
    '      Skip killing current connection (default: yes).',
    'LIST [options ...]',
    '    Return information about client connections. Options:',
    '    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)',
    '      Return clients of specified type.',
    'UNPAUSE',
    '    Stop the current client pause, resuming traffic.',
    'PAUSE <timeout> [WRITE|ALL]',
    '    Suspend all, or just write, clients for <timeout> milliseconds.',
    'REPLY (ON|OFF|SKIP)',
    '    Control the replies sent to the current connection.',
    'SETNAME <name>',
    '    Assign the name <name> to the current connection.',
    'UNBLOCK <clientid> [TIMEOUT|ERROR]',
    '    Unblock the specified blocked client.',
    'TRACKING (ON|OFF) [REDIRECT <id>] [BCAST] [PREFIX <prefix> [...]]',
    '         [OPTIN] [OPTOUT] [NOLOOP]',
    '    Control server assisted client side caching.',
    'TRACKINGINFO',
    '    Report tracking status for the current connection.',
    'NO-EVICT (ON|OFF)',
    '    Protect current client connection from eviction.',
  ]);
}

const CLIENT_FLAGS = ['noscript', 'loading', 'stale'] as const;
const CLIENT_ADMIN = ['admin', 'noscript', 'loading', 'stale'] as const;

const clientSubcommands: CommandDef[] = [
  cmd({
    name: 'client|id', arity: 2, flags: [...CLIENT_FLAGS], acl: CONN, main: clientId,
    summary: 'Returns the client ID for the current connection', since: '5.0.0', group: 'connection', complexity: 'O(1)',
  }),
  cmd({
    name: 'client|getname', arity: 2, flags: [...CLIENT_FLAGS], acl: CONN, main: clientGetName,
    summary: 'Get the current connection name', since: '2.6.9', group: 'connection', complexity: 'O(1)',
  }),
  cmd({
    name: 'client|setname', arity: 3, flags: [...CLIENT_FLAGS], acl: CONN, main: clientSetName,
    summary: 'Set the current connection name', since: '2.6.9', group: 'connection', complexity: 'O(1)',
  }),
  cmd({
    name: 'client|info', arity: 2, flags: [...CLIENT_FLAGS], acl: CONN, main: clientInfo, tips: ['nondeterministic_output'],
    summary: 'Returns information about the current client connection.', since: '6.2.0', group: 'connection', complexity: 'O(1)',
  }),
  cmd({
    name: 'client|list', arity: -2, flags: [...CLIENT_ADMIN], acl: CONN, main: clientList, tips: ['nondeterministic_output'],
    summary: 'Get the list of client connections', since: '2.4.0', group: 'connection',
    complexity: 'O(N) where N is the number of client connections',
  }),
  cmd({
    name: 'client|kill', arity: -3, flags: [...CLIENT_ADMIN], acl: CONN, main: clientKill,
    summary: 'Kill the connection of a client', since: '2.4.0', group: 'connection',
    complexity: 'O(N) where N is the number of client connections',
  }),
  cmd({
    name: 'client|no-evict', arity: 3, flags: [...CLIENT_ADMIN], acl: CONN, main: clientNoEvict,
    summary: 'Set client eviction mode for the current connection', since: '7.0.0', group: 'connection', complexity: 'O(1)',
  }),
  cmd({
    name: 'client|unblock', arity: -3, flags: [...CLIENT_ADMIN], acl: CONN, main: clientUnblock,
    summary: 'Unblock a client blocked in a blocking command from a different connection', since: '5.0.0', group: 'connection', complexity: 'O(log N) where N is the number of client connections',
  }),
  cmd({
    name: 'client|pause', arity: -3, flags: [...CLIENT_ADMIN], acl: CONN, main: clientPause,
    summary: 'Stop processing commands from clients for some time', since: '2.9.50', group: 'connection', complexity: 'O(1)',
  }),
  cmd({
    name: 'client|unpause', arity: 2, flags: [...CLIENT_ADMIN], acl: CONN, main: clientUnpause,
    summary: 'Resume processing of clients that were paused', since: '6.2.0', group: 'connection', complexity: 'O(N) Where N is the number of paused clients',
  }),
  cmd({
    name: 'client|reply', arity: 3, flags: [...CLIENT_FLAGS], acl: CONN, main: clientReply,
    summary: 'Instruct the server whether to reply to commands', since: '3.2.0', group: 'connection', complexity: 'O(1)',
  }),
  cmd({
    name: 'client|tracking', arity: -3, flags: [...CLIENT_FLAGS], acl: CONN, main: clientTracking,
    summary: 'Enable or disable server assisted client side caching support', since: '6.0.0', group: 'connection',
    complexity: 'O(1). Some options may introduce additional complexity.',
  }),
  cmd({
    name: 'client|trackinginfo', arity: 2, flags: [...CLIENT_FLAGS], acl: CONN, main: clientTrackingInfo,
    summary: 'Return information about server assisted client side caching for the current connection', since: '6.2.0', group: 'connection', complexity: 'O(1)',
  }),
  cmd({
    name: 'client|getredir', arity: 2, flags: [...CLIENT_FLAGS], acl: CONN, main: clientGetRedir,
    summary: 'Get tracking notifications redirection client ID if any', since: '6.0.0', group: 'connection', complexity: 'O(1)',
  }),
  cmd({
    name: 'client|caching', arity: 3, flags: [...CLIENT_FLAGS], acl: CONN, main: clientCaching,
    summary: 'Instruct the server about tracking or not keys in the next request', since: '6.0.0', group: 'connection', complexity: 'O(1)',
  }),
  cmd({
    name: 'client|help', arity: 2, flags: ['loading', 'stale'], acl: CONN, main: clientHelp,
    summary: 'Show helpful text about the different subcommands', since: '5.0.0', group: 'connection', complexity: 'O(1)',
  }),
];

const clientDefs = new Set(clientSubcommands);

// What the client features must know about commands (lib/clients/rules.ts).
const writes = (def: CommandDef): boolean => def.flags.includes('write') || def.flags.includes('may_replicate');
commandRules.pausedByWrite = (conn, def) => writes(def) || (def.name === 'exec' && conn.multi !== null && conn.multi.queued.some((q) => writes(q.def)));
commandRules.keepsCaching = (conn, def) => (def !== null && clientDefs.has(def)) || conn.multi !== null;
commandRules.inTransaction = (conn) => conn.multi !== null;
commandRules.innerCommands = (conn, def) => (def.name === 'exec' && conn.multi !== null && !conn.multi.failed ? conn.multi.queued : null);
commandRules.dbAfter = (def, args, db) => {
  if (def.name !== 'select') return db;
  const n = parseI64(args[1]);
  return n !== null && n >= 0n && n < 1n << 31n ? Number(n) : db;
};
const PUSH_REPLIES = new Set(['subscribe', 'psubscribe', 'ssubscribe', 'unsubscribe', 'punsubscribe', 'sunsubscribe']);
commandRules.repliesArePushes = (def) => def !== null && PUSH_REPLIES.has(def.name);
connectionHooks.reset.push((conn, server) => server.clientCtl.reset(conn));

export const clientCommands: CommandDef[] = [
  cmd({
    name: 'client', arity: -2,
    summary: 'A container for client connection commands', since: '2.4.0', group: 'connection', complexity: 'Depends on subcommand.',
    sub: clientSubcommands,
  }),
];
