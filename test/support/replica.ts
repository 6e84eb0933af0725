// Helpers of the replica tests (test/replication/replica*.test.ts): a real redis-server master,
// waiting for a respdb replica to be linked and caught up, digests.

import { RawClient, replyString } from './resp-client.js';
import { getInfo } from './info.js';
import { startRedis, type RedisProc } from './servers.js';

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** redis-server as a master: DEBUG on, diskless sync without its 5 s delay. */
export function startMaster(args: string[] = []): Promise<RedisProc> {
  return startRedis({ args: ['--enable-debug-command', 'yes', '--repl-diskless-sync-delay', '0', ...args] });
}

/** Polls `check` every 20 ms until it holds (or throws after `ms`, saying what was last seen). */
export async function until(what: string, check: () => Promise<boolean | string>, ms = 15000): Promise<void> {
  const end = Date.now() + ms;
  let last: boolean | string = false;
  while (Date.now() < end) {
    last = await check();
    if (last === true) return;
    await sleep(20);
  }
  throw new Error(`timed out waiting for ${what} (last: ${String(last)})`);
}

export async function field(c: RawClient, name: string, section = 'replication'): Promise<string | undefined> {
  return (await getInfo(c, section)).f.get(name);
}

/** The replica's link is up and it applied everything the master has sent (the wait is long: a busy machine). */
export async function caughtUp(master: RawClient, replica: RawClient, ms = 45000): Promise<void> {
  await until(
    'the replica to catch up',
    async () => {
      const m = await field(master, 'master_repl_offset');
      const r = await getInfo(replica, 'replication');
      if (r.f.get('master_link_status') !== 'up') return `link ${r.f.get('master_link_status')}`;
      return r.f.get('slave_repl_offset') === m ? true : `master ${m} replica ${r.f.get('slave_repl_offset')}`;
    },
    ms,
  );
}

export async function digest(c: RawClient): Promise<string> {
  return replyString(await c.send('DEBUG', 'DIGEST'));
}
