/**
 * Helpers for the ACL tests: rule-text normalisation (Redis 7.0 writes the single-command fix-ups
 * of a rule list in the order of a per-process randomly seeded hash table), reply rendering with
 * that normalisation, and a second pair of connections for the "other client" side of a test.
 */
import { RawClient, formatReply, type Reply } from './resp-client.js';
import type { Pair, TapLike } from './servers.js';

/** A token of a command part that names one command or subcommand (not a +@cat/-@cat). */
function isSingleCommand(core: string): boolean {
  return /^[+-][^@]/.test(core);
}

/**
 * `text` with the single-command tokens of each command part sorted in place. A command part is
 * the run of tokens of the root rules or of one "( ... )" selector.
 */
export function normaliseRules(text: string): string {
  const toks = text.split(' ');
  const groups: number[][] = [[]];
  let inSel = false;
  for (let i = 0; i < toks.length; i++) {
    let core = toks[i];
    if (core.startsWith('(')) {
      inSel = true;
      groups.push([]);
      core = core.slice(1);
    }
    const ends = inSel && core.endsWith(')');
    if (ends) core = core.slice(0, -1);
    if (isSingleCommand(core)) groups[groups.length - 1].push(i);
    if (ends) {
      inSel = false;
      groups.push([]);
    }
  }
  const out = toks.slice();
  for (const g of groups) {
    const parts = g.map((i) => {
      const m = /^(\(?)(.*?)(\)?)$/.exec(toks[i])!;
      return { pre: m[1], core: m[2], post: m[3] };
    });
    const cores = parts.map((p) => p.core).sort();
    g.forEach((i, k) => (out[i] = parts[k].pre + cores[k] + parts[k].post));
  }
  return out.join(' ');
}

/** A reply with every bulk/simple string that carries rules normalised (see normaliseRules). */
export function normaliseReply(r: Reply): Reply {
  switch (r.t) {
    case 'bulk':
      return r.v === null ? r : { t: 'bulk', v: Buffer.from(normaliseRules(r.v.toString('utf8'))) };
    case 'simple':
      return { t: 'simple', v: normaliseRules(r.v) };
    case 'verbatim':
      return { ...r, v: normaliseRules(r.v) };
    case 'array':
      return r.v === null ? r : { t: 'array', v: r.v.map(normaliseReply) };
    case 'set':
    case 'push':
      return { t: r.t, v: r.v.map(normaliseReply) } as Reply;
    case 'map':
      return { t: 'map', v: r.v.map(([k, v]) => [normaliseReply(k), normaliseReply(v)] as [Reply, Reply]) };
    default:
      return r;
  }
}

export const shown = (r: Reply): string => formatReply(normaliseReply(r));

/** String of a bulk/simple/error/verbatim reply ('' otherwise). */
export function str(r: Reply): string {
  if (r.t === 'bulk') return r.v === null ? '' : r.v.toString('utf8');
  if (r.t === 'simple' || r.t === 'error' || r.t === 'verbatim') return r.v;
  return '';
}

/** Elements of an array/set reply as strings. */
export function strs(r: Reply): string[] {
  if ((r.t === 'array' || r.t === 'set' || r.t === 'push') && r.v) return r.v.map(str);
  return [];
}

/** A field of a flat key/value array reply (RESP2 map) or a map reply. */
export function field(r: Reply, name: string): Reply | undefined {
  if (r.t === 'map') return r.v.find(([k]) => str(k) === name)?.[1];
  if (r.t === 'array' && r.v) for (let i = 0; i + 1 < r.v.length; i += 2) if (str(r.v[i]) === name) return r.v[i + 1];
  return undefined;
}

/** Connections to both servers of a pair, closed at teardown. */
export interface Both {
  redis: RawClient;
  respdb: RawClient;
}

export async function connectBoth(t: TapLike, p: Pick<Pair, 'redisPort' | 'respdbPort'>, resp3 = false): Promise<Both> {
  const redis = await RawClient.connect(p.redisPort);
  const respdb = await RawClient.connect(p.respdbPort);
  t.teardown(() => Promise.all([redis.close(), respdb.close()]));
  if (resp3) await Promise.all([redis.send('HELLO', '3'), respdb.send('HELLO', '3')]);
  return { redis, respdb };
}

/** Sends `cmd` on both and returns both replies. */
export async function both(b: Both, ...cmd: string[]): Promise<{ redis: Reply; respdb: Reply }> {
  const redis = await b.redis.send(...cmd);
  const respdb = await b.respdb.send(...cmd);
  return { redis, respdb };
}

/** Arguments that satisfy an arity (COMMAND INFO's: n exactly, -n at least n, name included). */
export function arityArgs(arity: number, taken: number): string[] {
  const n = Math.abs(arity) - taken;
  return Array.from({ length: Math.max(0, n) }, (_, i) => `a${i}`);
}

/**
 * One step of a scenario: a command sent on a named connection (opened on first use). `cmd`
 * '@closed' waits up to 1 s for that connection to close; '@read' reads one more reply (pushes).
 */
export interface Step {
  c: string;
  cmd: string[];
  /** How to render the reply for comparison (default: normalised formatReply). */
  show?: (r: Reply) => string;
}

export const kind = (r: Reply): string => (r.t === 'error' ? `error ${r.v}` : r.t);

async function runSide(port: number, steps: Step[]): Promise<string[]> {
  const conns = new Map<string, RawClient>();
  const out: string[] = [];
  try {
    for (const s of steps) {
      let c = conns.get(s.c);
      if (!c) {
        c = await RawClient.connect(port, '127.0.0.1', { replyTimeoutMs: 10000 });
        conns.set(s.c, c);
      }
      if (s.cmd[0] === '@closed') {
        out.push(String(await c.waitClose(1000)));
        continue;
      }
      try {
        const r = s.cmd[0] === '@read' ? await c.readReply(1000) : await c.send(...s.cmd);
        out.push((s.show ?? shown)(r));
      } catch (e) {
        out.push(`<no reply: ${c.closed ? 'closed' : 'timeout'}>`);
        void e;
      }
    }
  } finally {
    await Promise.all([...conns.values()].map((c) => c.close()));
  }
  return out;
}

/** Runs `steps` on redis-server, then on respdb, and asserts reply-for-reply equality. */
export async function scenario(t: TapLike, p: Pick<Pair, 'redisPort' | 'respdbPort'>, steps: Step[]): Promise<string[]> {
  const want = await runSide(p.redisPort, steps);
  const got = await runSide(p.respdbPort, steps);
  steps.forEach((s, i) => t.equal(got[i], want[i], `${s.c}: ${s.cmd.join(' ')}`));
  return want;
}

/** Steps on connection `c`, from command arrays. */
export const on = (c: string, ...cmds: string[][]): Step[] => cmds.map((cmd) => ({ c, cmd }));
