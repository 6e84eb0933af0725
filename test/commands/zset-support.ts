// What the sorted set tests share: command shorthands, reply readers, and the differential
// comparison with ZSCAN's replies normalized.
import type { Test } from 'tap';
import { formatCommand, pipelineDiff, type Pair } from '../support/servers.js';
import { formatReply, type Reply } from '../support/resp-client.js';

export type Cmd = (string | Buffer)[];

/** "ZADD k 1 a" -> ['ZADD', 'k', '1', 'a'] (no empty or spaced arguments; use arrays for those). */
export const c = (s: string): Cmd => s.split(' ');
export const cs = (...lines: string[]): Cmd[] => lines.map(c);
export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
/** A member too long for a listpack. */
export const X70 = 'x'.repeat(70);

export function items(r: Reply): Reply[] {
  if (r.t !== 'array' || r.v === null) throw new Error(`expected an array reply, got ${formatReply(r)}`);
  return r.v;
}

export function text(r: Reply): string {
  if (r.t === 'bulk' && r.v) return r.v.toString('latin1');
  if (r.t === 'double') return r.v;
  if (r.t === 'int') return String(r.v);
  return '-';
}

/**
 * A reply for comparison. ZSCAN of a skiplist returns members in hash order in Redis, so its
 * (member, score) pairs are sorted; everything else is compared as is.
 */
export function norm(cmd: Cmd, r: Reply): string {
  const name = String(cmd[0]).toLowerCase();
  if (name === 'zscan' && r.t === 'array' && r.v && r.v.length === 2 && r.v[1].t === 'array' && r.v[1].v) {
    const flat = r.v[1].v;
    const pairs: string[] = [];
    for (let i = 0; i + 1 < flat.length; i += 2) pairs.push(formatReply(flat[i]) + ' ' + formatReply(flat[i + 1]));
    return `${formatReply(r.v[0])} ${pairs.sort().join(' | ')}`;
  }
  return formatReply(r);
}

/** The commands pipelined to both servers; the first difference (normalized), or null. */
export const diffNorm = (p: Pick<Pair, 'redis' | 'respdb'>, cmds: Cmd[]): Promise<string | null> => pipelineDiff(p, cmds, norm);

/** `diff` with ZSCAN normalization, each command checked on its own. */
export async function diffAll(t: Test, p: Pick<Pair, 'redis' | 'respdb'>, cmds: Cmd[], label: string): Promise<void> {
  let bad = 0;
  for (const cmd of cmds) {
    const want = norm(cmd, await p.redis.send(...cmd));
    const got = norm(cmd, await p.respdb.send(...cmd));
    if (want !== got) {
      bad++;
      t.equal(got, want, `${label}: ${formatCommand(cmd)}`);
    }
  }
  t.equal(bad, 0, `${label}: ${cmds.length} commands agree with redis`);
}

/** FLUSHALL on both servers. */
export async function flushBoth(p: Pick<Pair, 'redis' | 'respdb'>): Promise<void> {
  await p.redis.send('FLUSHALL');
  await p.respdb.send('FLUSHALL');
}

/** Each group of cases after a FLUSHALL, compared command by command. */
export async function caseGroups(t: Test, p: Pick<Pair, 'redis' | 'respdb'>, groups: Array<[string, () => Cmd[]]>): Promise<void> {
  for (const [name, f] of groups) {
    await t.test(name, async (t) => {
      await flushBoth(p);
      await diffAll(t, p, f(), name);
    });
  }
}

/** The RESP3 part of a topic: each group after a FLUSHALL, labelled as the original RESP3 test did. */
export async function resp3Groups(t: Test, q: Pick<Pair, 'redis' | 'respdb'>, groups: Array<() => Cmd[]>): Promise<void> {
  for (const f of groups) {
    await flushBoth(q);
    await diffAll(t, q, f(), `RESP3 ${f.name}`);
  }
}
