// CLIENT LIST, CLIENT INFO and CLIENT KILL: one line per client in Redis 7.0's fields and flag
// letters, and the kill filters. Replies and errors follow redis-server 7.0.

import type { MainContext } from '../main-context.js';
import type { Connection } from '../connection.js';
import type { Server } from '../server.js';
import { kw, isKw } from './define.js';
import { E } from '../errors.js';
import { parseI64 } from '../resp/number.js';
import type { AclUser } from '../acl/user.js';
import { parseType, stateOf, typeOf, type ClientState, type ClientType } from './connection.js';

/** Redis's flag letters, in the order it writes them (getClientInfoString). */
const FLAG_ORDER = 'OSMPxbtRBdcuAUre';

function fdOf(conn: Connection): number {
  const h = (conn.socket as unknown as { _handle?: { fd?: number } })._handle;
  return typeof h?.fd === 'number' ? h.fd : -1;
}

/** The flag letters of a client: the families' (describe hooks) and this one's, in Redis's order. */
function flagsOf(server: Server, conn: Connection, st: ClientState): string {
  let f = st.flags;
  const ext = conn.extras;
  if (ext !== null) {
    if (ext.monitor) f += 'O';
    const tr = ext.tracking;
    if (tr !== null && tr.on) {
      f += 't';
      if (tr.brokenRedirect) f += 'R';
      if (tr.bcast) f += 'B';
    }
  }
  if (server.clientCtl.pause.isHeld(conn)) f += 'b';
  if (conn.closing) f += 'c';
  if (conn.unblocked) f += 'u';
  if (conn.noEvict) f += 'e';
  let out = '';
  for (const c of FLAG_ORDER) if (f.includes(c)) out += c;
  return out === '' ? 'N' : out;
}

/** Bytes of the command as it arrived in RESP (the calling client's query buffer holds it while it runs). */
function requestBytes(args: readonly Buffer[]): number {
  let n = 3 + String(args.length).length;
  for (const a of args) n += 5 + String(a.length).length + a.length;
  return n;
}

function argvBytes(args: readonly Buffer[]): number {
  let n = 0;
  for (const a of args) n += a.length;
  return n;
}

/**
 * One CLIENT LIST line in Redis 7.0's field order. qbuf: the input held for the command being
 * received (and, for the caller, the command running); argv-mem: the arguments of the command
 * running or held (the caller's, or one held by CLIENT PAUSE). Output: obl the small replies
 * gathered this turn, oll the replies produced and not yet written (those waiting for an earlier
 * one among them), omem the bytes not yet taken by the kernel. rbs is the size of the reply buffer; qbuf-free and rbp are 0 (respdb keeps no spare
 * query buffer and no reply-buffer peak); tot-mem adds up what the client's buffers hold.
 */
function clientLine(server: Server, conn: Connection, now: number, running: readonly Buffer[] | null): string {
  const st = stateOf(conn);
  const held = running ?? server.clientCtl.pause.heldArgs(conn);
  const qbuf = conn.parser.buffered() + (running ? requestBytes(running) : 0);
  const argvMem = held ? argvBytes(held) : 0;
  const omem = conn.outBytes + conn.socket.writableLength;
  const obl = conn.ow.pos;
  // replies produced and waiting for the ones before them, or to be written (a command still
  // running, the caller's among them, has produced none yet)
  let oll = conn.out.length;
  for (let i = 0; i < conn.queue.length; i++) if (conn.queue.peekAt(i)!.done) oll++;
  const rbs = conn.ow.buf.length;
  const events = conn.socket.writableLength > 0 ? 'rw' : 'r';
  const tr = conn.extras?.tracking;
  const redir = tr && tr.on ? tr.redirect : -1;
  return (
    `id=${conn.id} addr=${conn.addr} laddr=${conn.laddr} fd=${fdOf(conn)} ` +
    `name=${conn.name ? conn.name.toString('latin1') : ''} ` +
    `age=${Math.floor((now - conn.createdAt) / 1000)} idle=${Math.floor((now - conn.lastInteraction) / 1000)} ` +
    `flags=${flagsOf(server, conn, st)} db=${conn.db} sub=${st.sub} psub=${st.psub} ssub=${st.ssub} multi=${st.multi} ` +
    `qbuf=${qbuf} qbuf-free=0 argv-mem=${argvMem} multi-mem=${st.multiMem} rbs=${rbs} rbp=0 ` +
    `obl=${obl} oll=${oll} omem=${omem} tot-mem=${qbuf + argvMem + st.multiMem + rbs + omem} ` +
    `events=${events} cmd=${conn.lastCmd} user=${conn.user.name} redir=${redir} resp=${conn.proto}\n`
  );
}

/** A client's CLIENT LIST line (ACL LOG's client-info). */
export function clientInfoLine(server: Server, conn: Connection): string {
  return clientLine(server, conn, Date.now(), null);
}

function line(ctx: MainContext, c: Connection, args: Buffer[], now: number): string {
  return clientLine(ctx.server, c, now, c === ctx.conn ? args : null);
}

/** A client's type for LIST and KILL filters (a MONITOR client is a normal one). */
function clientType(c: Connection): ClientType {
  return typeOf(stateOf(c));
}

/** CLIENT LIST [TYPE normal|master|replica|pubsub] [ID id [id ...]] */
export function clientList(ctx: MainContext, args: Buffer[]): void {
  const now = Date.now();
  const clients = ctx.server.clients;
  let text = '';
  if (args.length === 2) {
    for (const c of clients.values()) if (!c.closed) text += line(ctx, c, args, now);
  } else if (args.length === 4 && isKw(args[2], 'type')) {
    const type = parseType(kw(args[3]));
    if (type === null) return ctx.out.error(`ERR Unknown client type '${args[3].toString('latin1')}'`);
    for (const c of clients.values()) if (!c.closed && clientType(c) === type) text += line(ctx, c, args, now);
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

export function clientInfo(ctx: MainContext, args: Buffer[]): void {
  ctx.out.verbatim(clientLine(ctx.server, ctx.conn, Date.now(), args));
}

/**
 * CLIENT KILL ip:port | CLIENT KILL [ID id] [TYPE type] [USER user] [ADDR ip:port]
 * [LADDR ip:port] [SKIPME yes|no], the filters combined. Killing the calling client closes it
 * after this reply; the old form may kill the caller, the new one skips it unless SKIPME no.
 */
export function clientKill(ctx: MainContext, args: Buffer[]): void {
  const { server, conn } = ctx;
  let id: number | null = null;
  let type: ClientType | null = null;
  let addr: string | null = null;
  let laddr: string | null = null;
  let user: AclUser | null = null;
  let skipMe = true;
  if (args.length === 3) {
    addr = args[2].toString('latin1');
    skipMe = false;
  } else if (args.length > 3 && args.length % 2 === 0) {
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
        const u = server.acl.users.get(v.toString('latin1'));
        if (u === undefined) return ctx.out.error(`ERR No such user '${v.toString('latin1')}'`);
        user = u;
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
  } else {
    return ctx.out.error(E.syntax);
  }
  let killed = 0;
  let self = false;
  for (const c of [...server.clients.values()]) {
    if (c.closed) continue;
    if (addr !== null && c.addr !== addr) continue;
    if (laddr !== null && c.laddr !== laddr) continue;
    if (type !== null && clientType(c) !== type) continue;
    if (id !== null && c.id !== id) continue;
    if (user !== null && c.user !== user) continue;
    if (c === conn) {
      if (skipMe) continue;
      self = true;
    } else {
      c.kill();
    }
    killed++;
  }
  if (self) ctx.closeAfter = true;
  if (args.length === 3) {
    if (killed === 0) ctx.out.error('ERR No such client');
    else ctx.out.ok();
  } else {
    ctx.out.int(killed);
  }
}
