// Connection commands (PING, ECHO, SELECT, QUIT, RESET, AUTH, HELLO, CLIENT ...), run on the main
// thread. Replies and errors follow redis-server 7.0.

import type { CommandDef, ScriptSession } from './types.js';
import type { RespWriter } from '../resp/writer.js';
import type { MainContext } from '../main-context.js';
import type { Connection } from '../connection.js';
import type { Server } from '../server.js';
import { cmd, isKw } from './define.js';
import { E, wrongArgs } from '../errors.js';
import { parseI64 } from '../resp/number.js';

/** The Redis version respdb reports (HELLO, INFO): clients gate features on it. */
export const REDIS_VERSION = '7.0.15';

/** What other command families add to a client's CLIENT LIST line. */
export interface ClientState {
  /** Flag letters besides N/e (x: MULTI, b: blocked, P: pubsub, ...). */
  flags: string;
  sub: number;
  psub: number;
  ssub: number;
  /** Commands queued in MULTI, -1 outside MULTI. */
  multi: number;
  /** Bytes of the queued commands as Redis counts them: their arguments' bytes plus 8 per argument. */
  multiMem: number;
}

/**
 * Extension points for the families that keep per-connection state (pub/sub, MULTI, blocking):
 * `reset` runs on RESET (and should drop that state), `describe` fills the CLIENT LIST fields.
 */
export const connectionHooks = {
  reset: [] as Array<(conn: Connection, server: Server) => void>,
  describe: [] as Array<(conn: Connection, st: ClientState) => void>,
};

const NOAUTH_HELLO =
  'NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time';
const NO_PASSWORD =
  'ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?';
export const BAD_NAME = 'ERR Client names cannot contain spaces, newlines or special characters.';

function ping(ctx: MainContext, args: Buffer[]): void {
  if (args.length > 2) return ctx.out.error(wrongArgs('ping'));
  if (ctx.conn.proto === 2 && ctx.conn.subscribed !== 0) {
    // a subscribed RESP2 client gets PING's answer in the shape of a message
    ctx.out.array(2);
    ctx.out.bulkStr('pong');
    ctx.out.bulk(args.length === 2 ? args[1] : EMPTY);
    return;
  }
  if (args.length === 2) ctx.out.bulk(args[1]);
  else ctx.out.simple('PONG');
}

function echo(ctx: MainContext, args: Buffer[]): void {
  ctx.out.bulk(args[1]);
}

/** Redis getIntFromObjectOrReply: a 64-bit integer, then the C int range. */
function intArg(ctx: MainContext, b: Buffer): number | null {
  const v = parseI64(b);
  if (v === null) {
    ctx.out.error(E.notInt);
    return null;
  }
  if (v < -2147483648n || v > 2147483647n) {
    ctx.out.error(E.intRange);
    return null;
  }
  return Number(v);
}

function select(ctx: MainContext, args: Buffer[]): void {
  const n = intArg(ctx, args[1]);
  if (n === null) return;
  if (n < 0 || n >= ctx.server.databases) return ctx.out.error(E.dbIndex);
  ctx.conn.db = n;
  ctx.out.ok();
}

// Inside a script (CommandDef.inScript): the script's own database, no connection.
function pingInScript(_s: ScriptSession, args: Buffer[], out: RespWriter): void {
  if (args.length > 2) return out.error(wrongArgs('ping'));
  if (args.length === 2) out.bulk(args[1]);
  else out.simple('PONG');
}

function echoInScript(_s: ScriptSession, args: Buffer[], out: RespWriter): void {
  out.bulk(args[1]);
}

function selectInScript(s: ScriptSession, args: Buffer[], out: RespWriter): void {
  const v = parseI64(args[1]);
  if (v === null) return out.error(E.notInt);
  if (v < -2147483648n || v > 2147483647n) return out.error(E.intRange);
  if (v < 0n || v >= BigInt(s.databases)) return out.error(E.dbIndex);
  s.db = Number(v);
  out.ok();
}

function quit(ctx: MainContext): void {
  ctx.out.ok();
  ctx.closeAfter = true;
}

/**
 * AUTH's and HELLO AUTH's check: the connection runs as the user from now on, or the attempt
 * goes to ACL LOG (reason auth).
 */
function login(ctx: MainContext, user: Buffer, pass: Buffer, command: 'AUTH' | 'HELLO'): boolean {
  const acl = ctx.server.acl;
  const name = user.toString('latin1');
  const u = acl.users.authenticate(name, pass);
  if (u === null) {
    acl.logAuthFailure(ctx.conn, name, command);
    return false;
  }
  ctx.conn.user = u;
  ctx.conn.authenticated = true;
  return true;
}

export const DEFAULT_USER = Buffer.from('default');
const EMPTY = Buffer.alloc(0);

function auth(ctx: MainContext, args: Buffer[]): void {
  if (args.length > 3) return ctx.out.error(E.syntax);
  if (args.length === 2 && ctx.server.acl.users.defaultUser.nopass) return ctx.out.error(NO_PASSWORD);
  const user = args.length === 3 ? args[1] : DEFAULT_USER;
  if (!login(ctx, user, args[args.length - 1], 'AUTH')) return ctx.out.error(E.wrongPass);
  ctx.out.ok();
}

/** CLIENT SETNAME / HELLO SETNAME: printable ASCII without spaces (empty clears the name). */
export function validName(name: Buffer): boolean {
  for (let i = 0; i < name.length; i++) if (name[i] < 0x21 || name[i] > 0x7e) return false;
  return true;
}

export function setName(conn: Connection, name: Buffer): void {
  conn.name = name.length === 0 ? null : Buffer.from(name);
}

/** HELLO [protover [AUTH username password] [SETNAME clientname]] */
function hello(ctx: MainContext, args: Buffer[]): void {
  const { conn, out } = ctx;
  let ver = 0;
  if (args.length >= 2) {
    const v = parseI64(args[1]);
    if (v === null) return out.error('ERR Protocol version is not an integer or out of range');
    if (v < 2n || v > 3n) return out.error('NOPROTO unsupported protocol version');
    ver = Number(v);
  }
  // Like Redis, options take effect one by one (AUTH authenticates, SETNAME names) until one fails.
  for (let j = 2; j < args.length; j++) {
    const more = args.length - 1 - j;
    if (isKw(args[j], 'auth') && more >= 2) {
      if (!login(ctx, args[j + 1], args[j + 2], 'HELLO')) return out.error(E.wrongPass);
      j += 2;
    } else if (isKw(args[j], 'setname') && more >= 1) {
      if (!validName(args[j + 1])) return out.error(BAD_NAME);
      setName(conn, args[j + 1]);
      j++;
    } else {
      return out.error(`ERR Syntax error in HELLO option '${args[j].toString('latin1')}'`);
    }
  }
  if (!conn.authenticated && ctx.server.acl.users.authRequired()) return out.error(NOAUTH_HELLO);
  if (ver !== 0) {
    conn.proto = ver as 2 | 3;
    out.proto = conn.proto;
  }
  out.map(7);
  out.bulkStr('server');
  out.bulkStr('redis');
  out.bulkStr('version');
  out.bulkStr(REDIS_VERSION);
  out.bulkStr('proto');
  out.int(conn.proto);
  out.bulkStr('id');
  out.int(conn.id);
  out.bulkStr('mode');
  out.bulkStr('standalone');
  out.bulkStr('role');
  out.bulkStr('master');
  out.bulkStr('modules');
  out.array(0);
}

/** RESET: back to a fresh connection's state (db 0, RESP2, no name, auth as on connect; NO-EVICT stays, as in Redis 7.0). */
function reset(ctx: MainContext): void {
  const { conn, server } = ctx;
  for (const h of connectionHooks.reset) h(conn, server);
  conn.db = 0;
  conn.proto = 2;
  ctx.out.proto = 2;
  conn.name = null;
  conn.user = server.acl.users.defaultUser;
  conn.authenticated = !server.acl.users.authRequired();
  ctx.out.simple('RESET');
}

export function stateOf(conn: Connection): ClientState {
  const st: ClientState = { flags: conn.blocked ? 'b' : '', sub: 0, psub: 0, ssub: 0, multi: -1, multiMem: 0 };
  for (const h of connectionHooks.describe) h(conn, st);
  return st;
}

export type ClientType = 'normal' | 'master' | 'replica' | 'pubsub';

export function parseType(s: string): ClientType | null {
  if (s === 'normal' || s === 'master' || s === 'replica' || s === 'pubsub') return s;
  if (s === 'slave') return 'replica';
  return null;
}

export function typeOf(st: ClientState): ClientType {
  return st.sub + st.psub + st.ssub > 0 || st.flags.includes('P') ? 'pubsub' : 'normal';
}

/** Writes a HELP reply: the first line, then the lines given. */
export function help(ctx: MainContext, name: string, lines: string[]): void {
  const all = [`${name} <subcommand> [<arg> [value] [opt] ...]. Subcommands are:`, ...lines, 'HELP', '    Prints this help.'];
  ctx.out.array(all.length);
  for (const l of all) ctx.out.simple(l);
}

export const CONN = ['connection'];

export const connectionCommands: CommandDef[] = [
  cmd({
    name: 'ping', arity: -1, flags: ['fast'], acl: CONN, main: ping, inScript: pingInScript, tips: ['request_policy:all_shards', 'response_policy:all_succeeded'],
    summary: 'Ping the server', since: '1.0.0', group: 'connection', complexity: 'O(1)',
  }),
  cmd({
    name: 'echo', arity: 2, flags: ['loading', 'stale', 'fast'], acl: CONN, main: echo, inScript: echoInScript,
    summary: 'Echo the given string', since: '1.0.0', group: 'connection', complexity: 'O(1)',
  }),
  cmd({
    name: 'select', arity: 2, flags: ['loading', 'stale', 'fast'], acl: CONN, main: select, inScript: selectInScript,
    summary: 'Change the selected database for the current connection', since: '1.0.0', group: 'connection', complexity: 'O(1)',
  }),
  cmd({
    name: 'quit', arity: -1, flags: ['noscript', 'loading', 'stale', 'fast', 'no_auth', 'allow_busy'], acl: CONN, main: quit, notQueued: true,
    summary: 'Close the connection', since: '1.0.0', group: 'connection', complexity: 'O(1)',
  }),
  cmd({
    name: 'reset', arity: 1, flags: ['noscript', 'loading', 'stale', 'fast', 'no_auth', 'allow_busy'], acl: CONN, main: reset, notQueued: true,
    summary: 'Reset the connection', since: '6.2.0', group: 'connection', complexity: 'O(1)',
  }),
  cmd({
    name: 'auth', arity: -2, flags: ['noscript', 'loading', 'stale', 'fast', 'no_auth', 'allow_busy'], acl: CONN, main: auth,
    summary: 'Authenticate to the server', since: '1.0.0', group: 'connection',
    complexity: 'O(N) where N is the number of passwords defined for the user',
  }),
  cmd({
    name: 'hello', arity: -1, flags: ['noscript', 'loading', 'stale', 'fast', 'no_auth', 'allow_busy'], acl: CONN, main: hello,
    summary: 'Handshake with Redis', since: '6.0.0', group: 'connection', complexity: 'O(1)',
  }),
];
