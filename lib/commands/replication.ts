// Replication's commands on the master side: a replica's REPLCONF, PSYNC and SYNC (after which its
// connection carries the stream: lib/replication/master.ts), WAIT and ROLE. Replies and errors
// are redis-server 7.0's.

import type { CommandDef } from './types.js';
import type { MainContext } from '../main-context.js';
import { cmd, isKw } from './define.js';
import { E, wrongArgs } from '../errors.js';
import { parseI64 } from '../resp/number.js';

const WAIT_ON_REPLICA =
  'ERR WAIT cannot be used with replica instances. Please also note that since Redis 4.0 if a replica is configured to be writable (which is not the default) writes to replicas are just local and are not propagated.';

function int(b: Buffer): number | null {
  const v = parseI64(b);
  return v === null ? null : Number(v);
}

function replconf(ctx: MainContext, args: Buffer[]): void {
  if (args.length % 2 === 0) return ctx.out.error(wrongArgs('replconf'));
  const master = ctx.server.replication.master;
  const hello = master.hello(ctx.conn);
  for (let i = 1; i < args.length; i += 2) {
    const v = args[i + 1];
    if (isKw(args[i], 'listening-port')) {
      const port = int(v);
      if (port === null) return ctx.out.error(E.notInt);
      hello.listeningPort = port;
    } else if (isKw(args[i], 'ip-address')) {
      if (v.length >= 46) return ctx.out.error(`ERR REPLCONF ip-address provided by replica instance is too long: ${v.length} bytes`);
      hello.ipAddress = v.toString('latin1');
    } else if (isKw(args[i], 'capa')) {
      if (isKw(v, 'eof')) hello.capaEof = true;
      else if (isKw(v, 'psync2')) hello.capaPsync2 = true;
    } else if (isKw(args[i], 'ack')) {
      // from a replica: never answered
      const off = int(v);
      if (off !== null) master.ack(ctx.conn, off);
      return;
    } else if (isKw(args[i], 'getack')) {
      // only a replica answers it (its master link does, lib/replication/apply.ts); nothing to say here
      return;
    } else if (isKw(args[i], 'rdb-only')) {
      const n = int(v);
      if (n === null) return ctx.out.error(E.notInt);
      hello.rdbOnly = n === 1;
    } else if (isKw(args[i], 'rdb-filter-only')) {
      // filters of an rdb-only transfer (functions only): no data is left out here
    } else return ctx.out.error(`ERR Unrecognized REPLCONF option: ${args[i].toString('latin1')}`);
  }
  ctx.out.ok();
}

/** PSYNC / SYNC: the connection becomes a replica of this node (nothing is replied through the slot). */
function startSync(ctx: MainContext, replid: string, offset: number, psync: boolean): void {
  const repl = ctx.server.replication;
  if (repl.master.linkOf(ctx.conn)) return;
  if (repl.role === 'replica' && repl.replica?.roleInfo().state !== 'connected') {
    return ctx.out.error("NOMASTERLINK Can't SYNC while not connected with my master");
  }
  repl.master.begin(ctx.conn, replid, offset, psync);
}

function psync(ctx: MainContext, args: Buffer[]): void {
  const offset = int(args[2]);
  if (offset === null) return ctx.out.error(E.notInt);
  startSync(ctx, args[1].toString('latin1'), offset, true);
}

function sync(ctx: MainContext): void {
  startSync(ctx, '?', -1, false);
}

async function wait(ctx: MainContext, args: Buffer[]): Promise<void> {
  const repl = ctx.server.replication;
  if (repl.role === 'replica') return ctx.out.error(WAIT_ON_REPLICA);
  const need = int(args[1]);
  if (need === null) return ctx.out.error(E.notInt);
  const timeout = int(args[2]);
  if (timeout === null) return ctx.out.error('ERR timeout is not an integer or out of range');
  if (timeout < 0) return ctx.out.error('ERR timeout is negative');
  // inside EXEC it cannot block: the count now, as Redis
  const inExec = ctx.attemptOnce !== undefined;
  // the connection's earlier writes are part of what must be acknowledged
  if (!inExec) await ctx.conn.whenEarlierDone();
  const target = await repl.currentOffset();
  const acked = repl.master.acked(target);
  if (acked >= need || inExec) return ctx.out.int(acked);
  repl.requestAcks();
  ctx.out.int(await repl.master.wait(target, need, timeout));
}

function role(ctx: MainContext): void {
  const repl = ctx.server.replication;
  const w = ctx.out;
  if (repl.role === 'replica' && repl.replica) {
    const r = repl.replica.roleInfo();
    w.array(5);
    w.bulk(Buffer.from('slave'));
    w.bulk(Buffer.from(r.host));
    w.int(r.port);
    w.bulk(Buffer.from(r.state));
    w.int(r.offset);
    return;
  }
  const online = repl.master.links.filter((l) => l.state === 'online');
  w.array(3);
  w.bulk(Buffer.from('master'));
  w.int(repl.offset);
  w.array(online.length);
  for (const l of online) {
    w.array(3);
    w.bulk(Buffer.from(l.ip));
    w.bulk(Buffer.from(String(l.port)));
    w.bulk(Buffer.from(String(l.ackOffset)));
  }
}

const SYNC_FLAGS = ['admin', 'noscript', 'no_async_loading', 'no_multi'] as const;

export const replicationCommands: CommandDef[] = [
  cmd({
    name: 'replconf', arity: -1, flags: ['admin', 'noscript', 'loading', 'stale', 'allow_busy'], main: replconf,
    summary: 'An internal command for configuring the replication stream', since: '3.0.0', group: 'server', complexity: 'O(1)',
  }),
  cmd({
    name: 'psync', arity: -3, flags: [...SYNC_FLAGS], main: psync,
    summary: 'Internal command used for replication', since: '2.8.0', group: 'server',
  }),
  cmd({
    name: 'sync', arity: 1, flags: [...SYNC_FLAGS], main: sync,
    summary: 'Internal command used for replication', since: '1.0.0', group: 'server',
  }),
  cmd({
    name: 'wait', arity: 3, flags: ['noscript'], acl: ['connection'], main: wait, tips: ['request_policy:all_shards', 'response_policy:agg_min'],
    summary: 'Wait for the synchronous replication of all the write commands sent in the context of the current connection', since: '3.0.0', group: 'generic', complexity: 'O(1)',
  }),
  cmd({
    name: 'role', arity: 1, flags: ['noscript', 'loading', 'stale', 'fast'], acl: ['admin', 'dangerous'], main: role,
    summary: 'Return the role of the instance in the context of replication', since: '2.8.12', group: 'server', complexity: 'O(1)',
  }),
];
