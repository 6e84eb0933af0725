// What the keyspace tests (keyspace*.test.ts) share: reading replies, a full SCAN iteration, and
// one command sent to both servers.
import { RawClient, formatReply, type Reply } from '../support/resp-client.js';
import type { Pair } from '../support/servers.js';

export type Cmd = (string | Buffer)[];

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export function bulkText(r: Reply): string {
  if (r.t !== 'bulk' || r.v === null) throw new Error('expected a bulk reply, got ' + formatReply(r));
  return r.v.toString('latin1');
}

export function intOf(r: Reply): bigint {
  if (r.t !== 'int') throw new Error('expected an integer reply, got ' + formatReply(r));
  return r.v;
}

/** Keys of an array-of-bulks reply, as sorted latin1 strings. */
export function keyList(r: Reply): string[] {
  if (r.t !== 'array' || !r.v) throw new Error('expected an array reply, got ' + formatReply(r));
  return r.v.map(bulkText).sort();
}

/** A full SCAN iteration; returns every key returned (with repetitions) and the number of calls. */
export async function scanAll(c: RawClient, extra: string[] = [], onStep?: (step: number) => Promise<void>): Promise<{ keys: string[]; calls: number }> {
  let cursor = '0';
  const keys: string[] = [];
  let calls = 0;
  do {
    const r = await c.send('SCAN', cursor, ...extra);
    if (r.t !== 'array' || !r.v || r.v.length !== 2) throw new Error('bad SCAN reply ' + formatReply(r));
    cursor = bulkText(r.v[0]);
    if (!/^\d+$/.test(cursor)) throw new Error('cursor is not an unsigned integer: ' + cursor);
    for (const k of keyList(r.v[1])) keys.push(k);
    calls++;
    if (calls > 200000) throw new Error('SCAN does not terminate');
    if (onStep) await onStep(calls);
  } while (cursor !== '0');
  return { keys, calls };
}

/** One command on redis-server, then on respdb. */
export async function both(p: Pair, cmd: Cmd): Promise<[Reply, Reply]> {
  return [await p.redis.send(...cmd), await p.respdb.send(...cmd)];
}
