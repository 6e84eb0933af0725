// REPLICAOF / SLAVEOF host port | NO ONE, with Redis 7.0's replies: +OK, "+OK Already connected
// to specified master", "-ERR Invalid master port". Allowed inside MULTI (Sentinel's failover
// sends SLAVEOF inside MULTI / EXEC). Beyond Redis: REPLICAOF of this server itself is refused
// (Redis would keep trying to follow itself), and Pika's `SLAVEOF host port force` forces a full
// sync even when a partial one is possible.

import type { CommandDef } from './types.js';
import type { MainContext } from '../main-context.js';
import { cmd, isKw } from './define.js';
import { wrongArgs } from '../errors.js';
import { becomeMaster, currentFollower, followMaster, isSelf } from '../replication/replica-role.js';

const ALREADY = 'OK Already connected to specified master';
const SELF = 'ERR The master ip:port and the replica ip:port are the same: a server cannot replicate itself';

/** Redis's getRangeLongFromObjectOrReply(0..65535) with string2l's syntax. */
function parsePort(b: Buffer): number | null {
  const t = b.toString('latin1');
  if (!/^(0|-?[1-9][0-9]{0,18})$/.test(t)) return null;
  const n = Number(t);
  return n >= 0 && n <= 65535 ? n : null;
}

async function replicaof(ctx: MainContext, args: Buffer[]): Promise<void> {
  const s = ctx.server;
  const name = ctx.def.name;
  if (args.length === 3 && isKw(args[1], 'no') && isKw(args[2], 'one')) {
    await becomeMaster(s);
    ctx.out.ok();
    return;
  }
  let force = false;
  if (args.length > 4) {
    ctx.out.error(wrongArgs(name));
    return;
  }
  if (args.length === 4) {
    if (!isKw(args[3], 'force')) {
      ctx.out.error(wrongArgs(name));
      return;
    }
    force = true;
  }
  const port = parsePort(args[2]);
  if (port === null) {
    ctx.out.error('ERR Invalid master port');
    return;
  }
  const host = args[1].toString();
  const cur = currentFollower(s);
  if (cur !== null && cur.sameMaster(host, port) && !force) {
    ctx.out.simple(ALREADY);
    return;
  }
  if (await isSelf(s, host, port)) {
    ctx.out.error(SELF);
    return;
  }
  await followMaster(s, host, port, force);
  ctx.out.ok();
}

const FLAGS = ['admin', 'noscript', 'stale', 'no_async_loading'] as const;

export const replicaofCommands: CommandDef[] = [
  cmd({
    name: 'replicaof', arity: 3, flags: [...FLAGS], main: replicaof,
    summary: 'Configures a server as replica of another, or promotes it to a master.', since: '5.0.0', group: 'server',
    complexity: 'O(1)',
  }),
  cmd({
    // -3: Pika's `SLAVEOF host port force` (4 arguments, checked above)
    name: 'slaveof', arity: -3, flags: [...FLAGS], main: replicaof,
    summary: 'Sets a Redis server as a replica of another, or promotes it to being a master.', since: '1.0.0', group: 'server',
    complexity: 'O(1)',
  }),
];
