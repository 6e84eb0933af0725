// Transactions: MULTI EXEC DISCARD WATCH UNWATCH (lib/transaction.ts runs them on the main
// thread), and their shard steps: `exec-group` runs an EXEC's commands of one shard back to back
// in the shard's transaction, `watch-keys` / `unwatch-keys` keep the shard's WATCH table
// (lib/store/watch.ts).

import type { CommandDef, ShardExec } from './types.js';
import type { MainContext } from '../main-context.js';
import { cmd } from './define.js';
import { connectionHooks } from './connection.js';
import { groupCommands } from '../exec-group.js';
import { RedisError } from '../errors.js';
import { parseIntArg } from '../resp/number.js';
import { logger } from '../log.js';

const log = logger('exec');

function multi(ctx: MainContext): void {
  ctx.server.transactions.multi(ctx);
}

function exec(ctx: MainContext): Promise<void> | void {
  return ctx.server.transactions.exec(ctx);
}

function discard(ctx: MainContext): void {
  ctx.server.transactions.discard(ctx);
}

function watch(ctx: MainContext, args: Buffer[]): Promise<void> | void {
  return ctx.server.transactions.watch(ctx, args);
}

function unwatch(ctx: MainContext): void {
  ctx.server.transactions.unwatch(ctx.conn);
  ctx.out.ok();
}

// RESET drops the transaction and the watches; CLIENT LIST shows MULTI as flag x, multi, multi-mem.
connectionHooks.reset.push((conn, server) => {
  if (conn.multi !== null || conn.watchShards !== null) server.transactions.abort(conn);
});
connectionHooks.describe.push((conn, st) => {
  const m = conn.multi ?? conn.execing;
  if (m === null) return;
  st.flags += 'x';
  st.multi = m.queued.length;
  st.multiMem = m.bytes;
});

// ---- shard steps

/**
 * exec-group watcher [command...] (lib/exec-group.ts): with a watcher id, first the WATCH check
 * (nil when a watched key changed; the client's watches here are forgotten either way), then the
 * commands in order, each in its own database, their replies as one array. An error fails only
 * its command. The writes are logged between MULTI and EXEC.
 */
function execGroupOnShard(x: ShardExec, args: Buffer[]): void {
  const store = x.store;
  const w = x.out;
  if (args[1].length > 0) {
    const id = parseIntArg(args[1])!;
    const watches = store.watches!;
    const clean = watches.clean(id, x.now);
    watches.forget(id);
    if (!clean) return w.nilArray();
  }
  const cmds = groupCommands(args, 2);
  w.array(cmds.length);
  if (cmds.length === 0) return;
  const db = x.db;
  const counting = store.countHits;
  const missing = store.missEvents;
  const group = store.openGroup(cmds[0].db);
  for (const c of cmds) {
    x.db = c.db;
    store.currentDb = c.db;
    store.countHits = c.def.flags.includes('readonly');
    // the client's own commands: their read misses are keymiss events
    store.missEvents = true;
    const start = w.pos;
    try {
      c.def.shard!(x, c.args);
    } catch (e) {
      w.pos = start;
      // a RedisError is a reply (WRONGTYPE, syntax...): handlers throw it before changing anything
      if (e instanceof RedisError) w.error(e.message);
      else {
        log.error({ err: e, cmd: c.def.name }, 'command failed');
        w.error('ERR ' + ((e as Error).message || String(e)));
      }
    }
    // each command's keyspace events apart: EXEC orders them across shards
    if (store.events.active) store.events.commandEnd();
  }
  store.closeGroup(db, group);
  x.db = db;
  store.currentDb = db;
  store.countHits = counting;
  store.missEvents = missing;
}

/** watch-keys watcher key...: the client watches these keys of x.db here. */
function watchKeysOnShard(x: ShardExec, args: Buffer[]): void {
  const id = parseIntArg(args[1])!;
  for (let i = 2; i < args.length; i++) x.store.watches!.add(id, x.db, args[i], x.now);
  x.out.ok();
}

/** unwatch-keys watcher: forgets the client's watches here. */
function unwatchKeysOnShard(x: ShardExec, args: Buffer[]): void {
  x.store.watches!.forget(parseIntArg(args[1])!);
  x.out.ok();
}

const TXN = ['transaction'];
const TXN_FLAGS = ['noscript', 'loading', 'stale', 'fast', 'allow_busy'] as const;

export const txnCommands: CommandDef[] = [
  cmd({
    name: 'multi', arity: 1, flags: [...TXN_FLAGS], acl: TXN, main: multi, notQueued: true,
    summary: 'Mark the start of a transaction block', since: '1.2.0', group: 'transactions', complexity: 'O(1)',
  }),
  cmd({
    name: 'exec', arity: 1, flags: ['noscript', 'loading', 'stale', 'skip_slowlog'], acl: TXN, main: exec, notQueued: true, execAbortOnReject: true,
    summary: 'Execute all commands issued after MULTI', since: '1.2.0', group: 'transactions', complexity: 'Depends on commands in the transaction',
  }),
  cmd({
    name: 'discard', arity: 1, flags: [...TXN_FLAGS], acl: TXN, main: discard, notQueued: true,
    summary: 'Discard all commands issued after MULTI', since: '2.0.0', group: 'transactions', complexity: 'O(N), when N is the number of queued commands',
  }),
  cmd({
    name: 'watch', arity: -2, flags: [...TXN_FLAGS], acl: TXN, main: watch, notQueued: true,
    keySpecs: [{ flags: ['RO'], begin: { index: 1 }, find: { lastkey: -1, keystep: 1, limit: 0 } }],
    summary: 'Watch the given keys to determine execution of the MULTI/EXEC block', since: '2.2.0', group: 'transactions',
    complexity: 'O(1) for every key.',
  }),
  cmd({
    name: 'unwatch', arity: 1, flags: [...TXN_FLAGS], acl: TXN, main: unwatch,
    summary: 'Forget about all watched keys', since: '2.2.0', group: 'transactions', complexity: 'O(1)',
  }),
  cmd({
    name: 'exec-group', arity: -2, flags: ['write'], acl: TXN, shard: execGroupOnShard, internal: true,
    summary: "Runs an EXEC's commands of one shard in one transaction.", since: '0.1.0', group: 'internal',
  }),
  cmd({
    name: 'watch-keys', arity: -3, flags: ['readonly'], acl: TXN, shard: watchKeysOnShard, internal: true,
    summary: 'Registers WATCHed keys on their shard.', since: '0.1.0', group: 'internal',
  }),
  cmd({
    name: 'unwatch-keys', arity: 2, flags: ['readonly'], acl: TXN, shard: unwatchKeysOnShard, internal: true,
    summary: "Forgets a client's WATCHed keys on a shard.", since: '0.1.0', group: 'internal',
  }),
];
