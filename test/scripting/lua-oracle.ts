// Runs small Lua chunks two ways and compares what they return: in a Lua state of the WebAssembly
// engine with one of the libraries written here opened, and on redis-server 7.0.15 through EVAL.
// Every chunk returns a string (binary-safe: compared as bytes); anything else, or an error that
// escapes the chunk, is reported as such on both sides so that a difference still shows.

import type { Test } from 'tap';
import { LuaBinding, T_STRING } from '../../lib/scripting/lua-api.js';
import { startRedis } from '../support/servers.js';
import { RawClient, formatReply, type Reply } from '../support/resp-client.js';

export type Opener = (b: LuaBinding, L: number) => void;

/** What a chunk gave: its string, or a text saying it gave something else. */
export type Outcome = { ok: true; bytes: Buffer } | { ok: false; what: string };

export class LocalLua {
  private constructor(
    readonly b: LuaBinding,
    readonly L: number,
  ) {}

  static async create(...openers: Opener[]): Promise<LocalLua> {
    const b = await LuaBinding.create();
    const L = b.newState();
    b.fn('luaL_openlibs')(L);
    for (const open of openers) open(b, L);
    return new LocalLua(b, L);
  }

  run(code: string | Buffer): Outcome {
    const { b, L } = this;
    const base = b.top(L);
    try {
      const src = typeof code === 'string' ? Buffer.from(code, 'latin1') : code;
      if (b.load(L, src, '@user_script') !== 0) return { ok: false, what: 'compile error: ' + b.toLatin1(L, -1) };
      if (b.pcall(L, 0, 1) !== 0) return { ok: false, what: 'error: ' + b.toLatin1(L, -1) };
      if (b.type(L, -1) !== T_STRING) return { ok: false, what: 'not a string: ' + b.toLatin1(L, -1) };
      return { ok: true, bytes: b.toBytes(L, -1)! };
    } finally {
      b.setTop(L, base);
    }
  }

  close(): void {
    this.b.close(this.L);
  }
}

function outcomeOfReply(r: Reply): Outcome {
  if (r.t === 'bulk' && r.v !== null) return { ok: true, bytes: r.v };
  return { ok: false, what: 'reply ' + formatReply(r) };
}

export class Oracle {
  private constructor(
    private readonly client: RawClient,
    private readonly stopServer: () => Promise<void>,
  ) {}

  static async start(t: Test): Promise<Oracle> {
    const redis = await startRedis();
    const client = await RawClient.connect(redis.port);
    const oracle = new Oracle(client, () => redis.stop());
    t.teardown(() => oracle.stop());
    return oracle;
  }

  /** Runs the chunks (pipelined) and gives one outcome each. */
  async run(chunks: readonly (string | Buffer)[]): Promise<Outcome[]> {
    const replies = await this.client.pipeline(chunks.map((c) => ['EVAL', c, '0']));
    // Each chunk is a new script for Redis: drop them so that long property runs stay small.
    await this.client.send('SCRIPT', 'FLUSH');
    return replies.map(outcomeOfReply);
  }

  async stop(): Promise<void> {
    await this.client.close();
    await this.stopServer();
  }
}

function show(o: Outcome): string {
  return o.ok ? JSON.stringify(o.bytes.toString('latin1')) : o.what;
}

/** The chunk's results side by side, '|'-separated parts (see chunkOf) compared one by one. */
function describe(chunk: string, want: Outcome, got: Outcome): string {
  if (want.ok && got.ok) {
    const w = want.bytes.toString('latin1').split('|');
    const g = got.bytes.toString('latin1').split('|');
    const parts: string[] = [];
    for (let i = 0; i < Math.max(w.length, g.length); i++) {
      if (w[i] !== g[i]) parts.push(`part ${i + 1}:\n  redis:  ${JSON.stringify(w[i])}\n  respdb: ${JSON.stringify(g[i])}`);
    }
    if (parts.length > 0 && w.length > 1) return `${chunk.slice(-2000)}\n${parts.slice(0, 5).join('\n')}`;
  }
  return `${chunk.slice(-2000)}\n  redis:  ${show(want)}\n  respdb: ${show(got)}`;
}

/**
 * The chunks whose outcomes differ, each with both outcomes, and the chunks that did not give a
 * string on redis (a case written wrong: it compares nothing useful).
 */
export async function differences(
  local: LocalLua,
  oracle: Oracle,
  chunks: readonly (string | Buffer)[],
): Promise<{ diffs: string[]; notStrings: string[] }> {
  const expected = await oracle.run(chunks);
  const diffs: string[] = [];
  const notStrings: string[] = [];
  chunks.forEach((chunk, i) => {
    const want = expected[i]!;
    const got = local.run(chunk);
    if (!want.ok) notStrings.push(`${String(chunk)}: ${want.what}`);
    const same = want.ok && got.ok ? want.bytes.equals(got.bytes) : !want.ok && !got.ok && want.what === got.what;
    if (!same) diffs.push(describe(String(chunk), want, got));
  });
  return { diffs, notStrings };
}

/** Asserts that every chunk gives the same string on both sides (and that redis gave strings). */
export async function compareChunks(t: Test, local: LocalLua, oracle: Oracle, chunks: readonly (string | Buffer)[], what: string): Promise<void> {
  const { diffs, notStrings } = await differences(local, oracle, chunks);
  t.same(notStrings, [], `${what}: every case returns a string on redis`);
  t.same(diffs, [], `${what}: ${chunks.length} cases agree with redis`);
}
