// Connection commands (PING, ECHO, SELECT, QUIT, RESET, AUTH, HELLO, CLIENT ...), run on the main
// thread. Replies and errors follow redis-server 7.0.

import { createHash, timingSafeEqual } from 'node:crypto';
import type { CommandDef } from './types.js';
import type { MainContext } from '../main-context.js';
import type { Connection } from '../connection.js';
import type { Server } from '../server.js';
import { cmd, isKw, kw } from './define.js';
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
const BAD_NAME = 'ERR Client names cannot contain spaces, newlines or special characters.';

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

function quit(ctx: MainContext): void {
  ctx.out.ok();
  ctx.closeAfter = true;
}

/** Only the default user exists; it has no password unless requirepass is set. */
function credentialsOk(server: Server, user: Buffer, pass: Buffer): boolean {
  if (user.length !== 7 || user.toString('latin1') !== 'default') return false;
  const required = server.config.str('requirepass');
  if (required === '') return true;
  const a = createHash('sha256').update(pass).digest();
  const b = createHash('sha256').update(Buffer.from(required, 'utf8')).digest();
  return timingSafeEqual(a, b);
}

const DEFAULT_USER = Buffer.from('default');
const EMPTY = Buffer.alloc(0);

function auth(ctx: MainContext, args: Buffer[]): void {
  if (args.length > 3) return ctx.out.error(E.syntax);
  if (args.length === 2 && ctx.server.config.str('requirepass') === '') return ctx.out.error(NO_PASSWORD);
  const user = args.length === 3 ? args[1] : DEFAULT_USER;
  const pass = args[args.length - 1];
  if (!credentialsOk(ctx.server, user, pass)) return ctx.out.error(E.wrongPass);
  ctx.conn.authenticated = true;
  ctx.out.ok();
}

/** CLIENT SETNAME / HELLO SETNAME: printable ASCII without spaces (empty clears the name). */
function validName(name: Buffer): boolean {
  for (let i = 0; i < name.length; i++) if (name[i] < 0x21 || name[i] > 0x7e) return false;
  return true;
}

function setName(conn: Connection, name: Buffer): void {
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
      if (!credentialsOk(ctx.server, args[j + 1], args[j + 2])) return out.error(E.wrongPass);
      conn.authenticated = true;
      j += 2;
    } else if (isKw(args[j], 'setname') && more >= 1) {
      if (!validName(args[j + 1])) return out.error(BAD_NAME);
      setName(conn, args[j + 1]);
      j++;
    } else {
      return out.error(`ERR Syntax error in HELLO option '${args[j].toString('latin1')}'`);
    }
  }
  if (!conn.authenticated) return out.error(NOAUTH_HELLO);
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

/** RESET: back to a fresh connection's state (db 0, RESP2, no name, auth as on connect). */
function reset(ctx: MainContext): void {
  const { conn, server } = ctx;
  for (const h of connectionHooks.reset) h(conn, server);
  conn.db = 0;
  conn.proto = 2;
  ctx.out.proto = 2;
  conn.name = null;
  conn.noEvict = false;
  conn.authenticated = server.config.str('requirepass') === '';
  ctx.out.simple('RESET');
}

// ------------------------------------------------------------------------------------------------
// CLIENT
// ------------------------------------------------------------------------------------------------

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

function stateOf(conn: Connection): ClientState {
  const st: ClientState = { flags: conn.blocked ? 'b' : '', sub: 0, psub: 0, ssub: 0, multi: -1, multiMem: 0 };
  for (const h of connectionHooks.describe) h(conn, st);
  return st;
}

type ClientType = 'normal' | 'master' | 'replica' | 'pubsub';

function parseType(s: string): ClientType | null {
  if (s === 'normal' || s === 'master' || s === 'replica' || s === 'pubsub') return s;
  if (s === 'slave') return 'replica';
  return null;
}

function typeOf(st: ClientState): ClientType {
  return st.sub + st.psub + st.ssub > 0 || st.flags.includes('P') ? 'pubsub' : 'normal';
}

function fdOf(conn: Connection): number {
  const h = (conn.socket as unknown as { _handle?: { fd?: number } })._handle;
  return typeof h?.fd === 'number' ? h.fd : -1;
}

/**
 * One CLIENT LIST line in Redis 7.0's field order. Buffers: qbuf is the unparsed input held for
 * the command being received; obl/oll/omem describe replies waiting in respdb (queued slots and
 * bytes not yet taken by the kernel). `argvMem` is the size of the command being run (only the
 * calling client has one).
 */
function clientLine(conn: Connection, now: number, argvMem: number): string {
  const st = stateOf(conn);
  let flags = st.flags;
  if (conn.noEvict) flags += 'e';
  if (conn.closing) flags += 'c';
  if (flags === '') flags = 'N';
  const qbuf = conn.parser.buffered();
  const omem = conn.unsent() + conn.socket.writableLength;
  // replies waiting to be written (the calling client's own reply is not one yet)
  const oll = conn.queue.length - (argvMem > 0 ? 1 : 0) + conn.out.length + (conn.ow.pos > 0 ? 1 : 0);
  const events = conn.socket.writableLength > 0 ? 'rw' : 'r';
  return (
    `id=${conn.id} addr=${conn.addr} laddr=${conn.laddr} fd=${fdOf(conn)} ` +
    `name=${conn.name ? conn.name.toString('latin1') : ''} ` +
    `age=${Math.floor((now - conn.createdAt) / 1000)} idle=${Math.floor((now - conn.lastInteraction) / 1000)} ` +
    `flags=${flags} db=${conn.db} sub=${st.sub} psub=${st.psub} ssub=${st.ssub} multi=${st.multi} ` +
    `qbuf=${qbuf} qbuf-free=0 argv-mem=${argvMem} multi-mem=${st.multiMem} rbs=0 rbp=0 ` +
    `obl=0 oll=${oll} omem=${omem} tot-mem=${qbuf + argvMem + st.multiMem + omem} ` +
    `events=${events} cmd=${conn.lastCmd} user=default redir=-1 resp=${conn.proto}\n`
  );
}

function argvBytes(args: Buffer[]): number {
  let n = 0;
  for (const a of args) n += a.length;
  return n;
}

function line(ctx: MainContext, c: Connection, args: Buffer[], now: number): string {
  return clientLine(c, now, c === ctx.conn ? argvBytes(args) : 0);
}

/** CLIENT LIST [TYPE normal|master|replica|pubsub] [ID id [id ...]] */
function clientList(ctx: MainContext, args: Buffer[]): void {
  const now = Date.now();
  const clients = ctx.server.clients;
  let text = '';
  if (args.length === 2) {
    for (const c of clients.values()) text += line(ctx, c, args, now);
  } else if (args.length === 4 && isKw(args[2], 'type')) {
    const type = parseType(kw(args[3]));
    if (type === null) return ctx.out.error(`ERR Unknown client type '${args[3].toString('latin1')}'`);
    for (const c of clients.values()) if (typeOf(stateOf(c)) === type) text += line(ctx, c, args, now);
  } else if (args.length >= 4 && isKw(args[2], 'id')) {
    const ids: number[] = [];
    for (let i = 3; i < args.length; i++) {
      const id = parseI64(args[i]);
      if (id === null) return ctx.out.error('ERR Invalid client ID');
      ids.push(Number(id));
    }
    for (const id of ids) {
      const c = clients.get(id);
      if (c && !c.closed) text += line(ctx, c, args, now);
    }
  } else {
    return ctx.out.error(E.syntax);
  }
  ctx.out.verbatim(text);
}

function clientInfo(ctx: MainContext, args: Buffer[]): void {
  ctx.out.verbatim(clientLine(ctx.conn, Date.now(), argvBytes(args)));
}

/**
 * CLIENT KILL ip:port | CLIENT KILL [ID id] [TYPE type] [USER user] [ADDR ip:port]
 * [LADDR ip:port] [SKIPME yes|no]. Killing the calling client closes it after this reply.
 */
function clientKill(ctx: MainContext, args: Buffer[]): void {
  const { server, conn } = ctx;
  if (args.length === 3) {
    const addr = args[2].toString('latin1');
    for (const c of server.clients.values()) {
      if (c.addr !== addr || c.closed) continue;
      ctx.out.ok();
      if (c === conn) ctx.closeAfter = true;
      else c.kill();
      return;
    }
    return ctx.out.error('ERR No such client');
  }
  if (args.length % 2 !== 0) return ctx.out.error(E.syntax);
  let id: number | null = null;
  let type: ClientType | null = null;
  let addr: string | null = null;
  let laddr: string | null = null;
  let skipMe = true;
  for (let i = 2; i < args.length; i += 2) {
    const o = kw(args[i]);
    const v = args[i + 1];
    if (o === 'id') {
      const n = parseI64(v);
      if (n === null || n <= 0n) return ctx.out.error('ERR client-id should be greater than 0');
      id = Number(n);
    } else if (o === 'type') {
      type = parseType(kw(v));
      if (type === null) return ctx.out.error(`ERR Unknown client type '${v.toString('latin1')}'`);
    } else if (o === 'user') {
      if (!v.equals(DEFAULT_USER)) return ctx.out.error(`ERR No such user '${v.toString('latin1')}'`);
    } else if (o === 'addr') {
      addr = v.toString('latin1');
    } else if (o === 'laddr') {
      laddr = v.toString('latin1');
    } else if (o === 'skipme') {
      const y = kw(v);
      if (y === 'yes') skipMe = true;
      else if (y === 'no') skipMe = false;
      else return ctx.out.error(E.syntax);
    } else {
      return ctx.out.error(E.syntax);
    }
  }
  let killed = 0;
  let self = false;
  for (const c of [...server.clients.values()]) {
    if (c.closed) continue;
    if (id !== null && c.id !== id) continue;
    if (type !== null && typeOf(stateOf(c)) !== type) continue;
    if (addr !== null && c.addr !== addr) continue;
    if (laddr !== null && c.laddr !== laddr) continue;
    if (c === conn) {
      if (skipMe) continue;
      self = true;
    } else {
      c.kill();
    }
    killed++;
  }
  ctx.out.int(killed);
  if (self) ctx.closeAfter = true;
}

/** Writes a HELP reply: the first line, then the lines given. */
export function help(ctx: MainContext, name: string, lines: string[]): void {
  const all = [`${name} <subcommand> [<arg> [value] [opt] ...]. Subcommands are:`, ...lines, 'HELP', '    Prints this help.'];
  ctx.out.array(all.length);
  for (const l of all) ctx.out.simple(l);
}

function clientHelp(ctx: MainContext): void {
  help(ctx, 'CLIENT', [
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
    '    * ID <client-id> [<client-id> ...]',
    '      Return clients with the given IDs.',
    'SETNAME <name>',
    '    Assign the name <name> to the current connection.',
    'UNBLOCK <clientid> [TIMEOUT|ERROR]',
    '    Unblock the specified blocked client.',
    'NO-EVICT (ON|OFF)',
    '    Protect current client connection from eviction.',
  ]);
}

const CONN = ['connection'];
const CLIENT_FLAGS = ['noscript', 'loading', 'stale'] as const;
const CLIENT_ADMIN = ['admin', 'noscript', 'loading', 'stale'] as const;

export const connectionCommands: CommandDef[] = [
  cmd({
    name: 'ping', arity: -1, flags: ['fast'], acl: CONN, main: ping, tips: ['request_policy:all_shards', 'response_policy:all_succeeded'],
    summary: 'Ping the server', since: '1.0.0', group: 'connection', complexity: 'O(1)',
  }),
  cmd({
    name: 'echo', arity: 2, flags: ['loading', 'stale', 'fast'], acl: CONN, main: echo,
    summary: 'Echo the given string', since: '1.0.0', group: 'connection', complexity: 'O(1)',
  }),
  cmd({
    name: 'select', arity: 2, flags: ['loading', 'stale', 'fast'], acl: CONN, main: select,
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
  cmd({
    name: 'client', arity: -2,
    summary: 'A container for client connection commands', since: '2.4.0', group: 'connection', complexity: 'Depends on subcommand.',
    sub: [
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
        name: 'client|help', arity: 2, flags: ['loading', 'stale'], acl: CONN, main: clientHelp,
        summary: 'Show helpful text about the different subcommands', since: '5.0.0', group: 'connection', complexity: 'O(1)',
      }),
    ],
  }),
];
