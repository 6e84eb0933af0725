// Running a real client library's scenario, unchanged, on redis-server and on respdb (1 and 4
// shards), and comparing what it saw. Each server is started just before its run and stopped
// right after it, so a run has the machine to itself and a slow or failed one leaves nothing
// behind; the runs take turns in the order given.
import type { Test } from 'tap';
import { startRedis, startRespdb } from '../support/servers.js';

/** Where a scenario runs: redis-server, or respdb with this many shards. */
export type ServerKind = 'redis' | 1 | 4;

export interface Target {
  /** "redis", "respdb-1", "respdb-4". */
  label: string;
  kind: ServerKind;
  host: string;
  port: number;
}

export function labelOf(kind: ServerKind): string {
  return kind === 'redis' ? 'redis' : `respdb-${kind}`;
}

/**
 * `scenario` on one fresh server of `kind`, within `timeoutMs`; the server is stopped afterwards
 * whatever happened. A scenario must close its own clients before it returns or throws.
 */
export async function runOn<T>(kind: ServerKind, timeoutMs: number, scenario: (target: Target) => Promise<T>): Promise<T> {
  const srv = kind === 'redis' ? await startRedis() : await startRespdb({ shards: kind });
  const target: Target = { label: labelOf(kind), kind, host: srv.host, port: srv.port };
  try {
    return await within(timeoutMs, `${target.label}: scenario`, scenario(target));
  } finally {
    await srv.stop();
  }
}

/** `scenario` on each kind in turn; its results by label, and each run's milliseconds in `t`'s comments. */
export async function runOnEach<T>(t: Test, kinds: ServerKind[], timeoutMs: number, scenario: (target: Target) => Promise<T>): Promise<Map<string, T>> {
  const out = new Map<string, T>();
  for (const kind of kinds) {
    const start = Date.now();
    out.set(labelOf(kind), await runOn(kind, timeoutMs, scenario));
    t.comment(`${labelOf(kind)}: ${Date.now() - start} ms`);
  }
  return out;
}

/** `p`, or a rejection naming `what` once `ms` have passed (the timer never keeps the process alive). */
export function within<T>(ms: number, what: string, p: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms`)), ms);
    timer.unref();
  });
  return Promise.race([p, limit]).finally(() => clearTimeout(timer));
}

/** Resolves when `cond()` holds, polled every `everyMs`; rejects naming `what` after `ms`. */
export async function until(cond: () => boolean | Promise<boolean>, ms: number, what: string, everyMs = 20): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`${what}: not reached within ${ms} ms`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** A call's outcome as data, so replies and errors compare alike across servers. */
export type Outcome = { ok: unknown } | { err: string };

export async function outcome(f: () => Promise<unknown>): Promise<Outcome> {
  try {
    return { ok: plain(await f()) };
  } catch (e) {
    return { err: (e as Error).message };
  }
}

/** Replies made comparable: Buffers as latin1 strings, ioredis' error objects as their messages. */
export function plain(v: unknown): unknown {
  if (Buffer.isBuffer(v)) return v.toString('latin1');
  if (v instanceof Error) return { err: v.message };
  if (Array.isArray(v)) return v.map(plain);
  if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]));
  return v;
}

/** Counts of each distinct value (as JSON), sorted by value: a multiset to compare. */
export function multiset(items: unknown[]): Array<[string, number]> {
  const m = new Map<string, number>();
  for (const it of items) {
    const k = JSON.stringify(it);
    m.set(k, (m.get(k) ?? 0) + 1);
  }
  return [...m.entries()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
}
