// Role changes on the replica side: following a master (REPLICAOF host port, the replicaof
// directive at startup) and going back to being a master (REPLICAOF NO ONE). One change at a time:
// a second REPLICAOF waits for the first to finish.

import dns from 'node:dns';
import os from 'node:os';
import type { Server } from '../server.js';
import { ReplicaFollower } from './replica.js';
import { parseReplicaof } from '../config/options-replication.js';
import { logger } from '../log.js';

const log = logger('replication');

const changing = new WeakMap<Server, Promise<unknown>>();

function serialized<T>(s: Server, step: () => Promise<T>): Promise<T> {
  const prev = changing.get(s) ?? Promise.resolve();
  const next = prev.then(step, step);
  changing.set(s, next.catch(() => {}));
  return next;
}

export function currentFollower(s: Server): ReplicaFollower | null {
  const r = s.replication.replica;
  return r instanceof ReplicaFollower ? r : null;
}

/** Does host:port name this very server (any local address, and the port it listens on)? */
export async function isSelf(s: Server, host: string, port: number): Promise<boolean> {
  if (port !== s.port) return false;
  const local = new Set<string>(['0.0.0.0', '::', '127.0.0.1', '::1', 'localhost']);
  for (const list of Object.values(os.networkInterfaces())) for (const a of list ?? []) local.add(a.address);
  for (const b of s.config.str('bind').split(/\s+/)) if (b !== '') local.add(b.replace(/^-/, ''));
  const h = host.replace(/^::ffff:/, '').toLowerCase();
  if (local.has(h)) return true;
  try {
    const addrs = await dns.promises.lookup(host, { all: true });
    return addrs.some((a) => local.has(a.address.replace(/^::ffff:/, '')));
  } catch {
    return false;
  }
}

/** Starts following host:port (stops following any previous master first). */
export function followMaster(s: Server, host: string, port: number, force = false): Promise<void> {
  return serialized(s, async () => {
    const cur = currentFollower(s);
    if (cur !== null) {
      s.replication.replica = null;
      await cur.stop();
    } else {
      await s.replication.demote();
    }
    log.info({ host, port, force }, 'connecting to MASTER');
    s.replication.replica = new ReplicaFollower(s, host, port, { force });
  });
}

/** REPLICAOF NO ONE: keeps the data, becomes a master with a new history (ids.shift). */
export function becomeMaster(s: Server): Promise<void> {
  return serialized(s, async () => {
    const cur = currentFollower(s);
    if (cur === null) return;
    s.replication.replica = null;
    await cur.detach();
    await s.replication.promote();
    log.info('MASTER MODE enabled');
  });
}

/** The replicaof directive at startup. */
export async function followFromConfig(s: Server): Promise<void> {
  const r = parseReplicaof(s.config.str('replicaof'));
  if (r === null || typeof r === 'string') return;
  if (await isSelf(s, r.host, r.port)) {
    log.error({ host: r.host, port: r.port }, 'replicaof names this server itself: not following it');
    return;
  }
  await followMaster(s, r.host, r.port);
}
