// What the set command tests share (test/commands/set*.test.ts): command shorthands, reply
// accessors, the differential check that compares set replies in any order and random replies by
// their shape, and the random command sequences compared reply by reply with redis-server.
import type { Test } from 'tap';
import fc from 'fast-check';
import { formatCommand, pipelineDiff, type Pair } from '../support/servers.js';
import { formatReply, type CompareOptions, type Reply } from '../support/resp-client.js';

export type Cmd = (string | Buffer)[];
export type Clients = Pick<Pair, 'redis' | 'respdb'>;

/** "SADD k a b" -> ['SADD', 'k', 'a', 'b'] (no empty or spaced arguments; use arrays for those). */
export const c = (s: string): Cmd => s.split(' ');
export const cs = (...lines: string[]): Cmd[] => lines.map(c);
export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
export const range = (a: number, b: number): string[] => Array.from({ length: b - a + 1 }, (_, i) => String(a + i));

/** The elements of an array or set reply (throws on anything else). */
export function items(r: Reply): Reply[] {
  if ((r.t === 'array' && r.v !== null) || r.t === 'set') return r.v!;
  throw new Error(`expected an array reply, got ${formatReply(r)}`);
}

/** A bulk reply as latin1 text ('-' for nil). */
export function text(r: Reply): string {
  if (r.t === 'bulk') return r.v ? r.v.toString('latin1') : '-';
  if (r.t === 'int') return String(r.v);
  if (r.t === 'simple' || r.t === 'error') return r.v;
  return formatReply(r);
}

export const texts = (r: Reply): string[] => items(r).map(text);
export const sorted = (a: string[]): string[] => [...a].sort();

/**
 * How two replies of a command are compared: set replies (and random commands whose count covers
 * the whole set) in any order, SSCAN's [cursor, members] likewise; everything else exactly.
 */
function modeOf(cmd: Cmd): CompareOptions {
  const n = String(cmd[0]).toUpperCase();
  if (n === 'SMEMBERS' || n === 'SINTER' || n === 'SUNION' || n === 'SDIFF') return { unordered: true };
  if (n === 'SSCAN') return { unordered: 'deep' };
  if ((n === 'SRANDMEMBER' || n === 'SPOP') && cmd.length === 3) return { unordered: true };
  return {};
}

/** Commands whose replies are random: only the reply's type and size are compared. */
const RANDOM = new WeakSet<Cmd>();
export const rnd = (cmd: Cmd): Cmd => {
  RANDOM.add(cmd);
  return cmd;
};

function shape(r: Reply): string {
  if (r.t === 'array' || r.t === 'set') return `${r.t}[${r.v ? r.v.length : 'nil'}]`;
  return r.t === 'bulk' && r.v ? 'bulk' : formatReply(r);
}

/** The two replies of `cmd` as compared (see modeOf and RANDOM). */
function shown(cmd: Cmd, r: Reply, exact: boolean): string {
  if (RANDOM.has(cmd)) return shape(r);
  return formatReply(r, exact ? {} : modeOf(cmd));
}

/** Sends each command to redis, then respdb, and compares the replies (see modeOf; `exact` forces order). */
export async function check(t: Test, p: Clients, cmds: Cmd[], label = '', exact = false): Promise<Array<{ redis: Reply; respdb: Reply }>> {
  const out: Array<{ redis: Reply; respdb: Reply }> = [];
  for (const cmd of cmds) {
    const want = await p.redis.send(...cmd);
    const got = await p.respdb.send(...cmd);
    t.equal(shown(cmd, got, exact), shown(cmd, want, exact), (label ? label + ': ' : '') + formatCommand(cmd));
    out.push({ redis: want, respdb: got });
  }
  return out;
}

/** The commands pipelined to both servers: null when every reply agrees (as check compares them), else the first difference. */
export const diffShown = (p: Clients, cmds: Cmd[]): Promise<string | null> => pipelineDiff(p, cmds, (c, r) => shown(c, r, false));

// ------------------------------------------------------------------------------------------------
// Random command sequences
// ------------------------------------------------------------------------------------------------

export const KEYS = ['k0', 'k1', 'k2', 'k3', '{t}a', '{t}b'];
export const keyArb = fc.constantFrom(...KEYS);
/**
 * Nine members: at most 9 per set, so Redis scans a small hashtable whole in one SSCAN call with
 * COUNT >= 10 (with a smaller COUNT it may stop early at a bucket cursor).
 */
export const MEMBERS = ['1', '2', '3', '-7', '10', 'a', 'b', '\0\r\n', ''];
const memberArb = fc.constantFrom(...MEMBERS);
const membersArb = fc.array(memberArb, { minLength: 1, maxLength: 4 });
const keysArb = fc.array(keyArb, { minLength: 1, maxLength: 4 });
const limitArb = fc.constantFrom([], ['LIMIT', '0'], ['LIMIT', '1'], ['LIMIT', '2'], ['LIMIT', '-1']);

/** Every set command (and the key commands that move, copy or replace sets) over KEYS and MEMBERS. */
export const cmdArb: fc.Arbitrary<Cmd> = fc.oneof(
  { weight: 6, arbitrary: fc.tuple(keyArb, membersArb).map(([k, m]) => ['SADD', k, ...m]) },
  { weight: 3, arbitrary: fc.tuple(keyArb, membersArb).map(([k, m]) => ['SREM', k, ...m]) },
  fc.tuple(keyArb).map(([k]) => ['SCARD', k]),
  fc.tuple(keyArb, memberArb).map(([k, m]) => ['SISMEMBER', k, m]),
  fc.tuple(keyArb, membersArb).map(([k, m]) => ['SMISMEMBER', k, ...m]),
  fc.tuple(keyArb).map(([k]) => ['SMEMBERS', k]),
  { weight: 3, arbitrary: fc.tuple(keyArb, keyArb, memberArb).map(([a, b, m]) => ['SMOVE', a, b, m]) },
  fc.tuple(fc.constantFrom('SINTER', 'SUNION', 'SDIFF'), keysArb).map(([n, ks]) => [n, ...ks]),
  { weight: 2, arbitrary: fc.tuple(fc.constantFrom('SINTERSTORE', 'SUNIONSTORE', 'SDIFFSTORE'), keyArb, keysArb).map(([n, d, ks]) => [n, d, ...ks]) },
  fc.tuple(keysArb, limitArb).map(([ks, l]) => ['SINTERCARD', String(ks.length), ...ks, ...l]),
  fc.tuple(keyArb, fc.constantFrom('0', '10', '100')).map(([k, n]) => ['SRANDMEMBER', k, n]),
  fc.tuple(keyArb, fc.constantFrom('0', '10')).map(([k, n]) => ['SPOP', k, n]),
  fc.tuple(keyArb, fc.constantFrom([], ['MATCH', '*'], ['MATCH', '1*'], ['COUNT', '10'], ['MATCH', '[a-z]', 'COUNT', '100'])).map(([k, o]) => ['SSCAN', k, '0', ...o]),
  { weight: 2, arbitrary: fc.tuple(keyArb).map(([k]) => ['OBJECT', 'ENCODING', k]) },
  fc.tuple(keyArb).map(([k]) => ['TYPE', k]),
  fc.tuple(keyArb).map(([k]) => ['DEL', k]),
  fc.tuple(keyArb).map(([k]) => ['SET', k, 'v']),
  fc.tuple(keyArb, keyArb, fc.constantFrom([], ['REPLACE'])).map(([a, b, o]) => ['COPY', a, b, ...o]),
  fc.tuple(keyArb, keyArb).map(([a, b]) => ['RENAME', a, b]),
);

/** `numRuns` random sequences of cmdArb, each pipelined to both servers and compared reply by reply. */
export async function runProperty(t: Test, p: Clients, numRuns: number, label: string): Promise<void> {
  let failure: string | null = null;
  try {
    await fc.assert(
      fc.asyncProperty(fc.array(cmdArb, { minLength: 1, maxLength: 40 }), async (cmds) => {
        const seq: Cmd[] = [['DEL', ...KEYS], ...cmds, ...KEYS.map((k) => ['SMEMBERS', k]), ...KEYS.map((k) => ['OBJECT', 'ENCODING', k])];
        const d = await diffShown(p, seq);
        if (d) throw new Error(d);
      }),
      { numRuns },
    );
  } catch (e) {
    failure = (e as Error).message;
  }
  t.equal(failure, null, `random set command sequences (${numRuns} runs, ${label}) agree with redis`);
}
