// Transcripts of pub/sub sessions with several clients, comparable between redis-server and
// respdb. Each step writes one command on one client, then reads everything that client (and,
// after a publish, every client) receives up to the reply of a PING with a token of its own: the
// PING runs after the step on the server, so what arrives before its reply is exactly what the
// step produced (replies, confirmations, messages), in the order the server sent it.
import type { Test } from 'tap';
import { RawClient, encodeCommand, formatReply, type Reply } from '../support/resp-client.js';

export type Arg = string | Buffer;

export interface Options {
  proto: 2 | 3;
}

/** Lines of a transcript: `> name COMMAND args` for steps, `name: reply` for what arrived. */
export class Session {
  readonly lines: string[] = [];
  private readonly clients = new Map<string, RawClient>();
  private readonly order: string[] = [];
  private token = 0;

  constructor(
    readonly port: number,
    readonly opts: Options,
  ) {}

  /** A new client called `name`, in the session's protocol. */
  async open(name: string, proto: 2 | 3 = this.opts.proto): Promise<RawClient> {
    const cl = await RawClient.connect(this.port);
    this.clients.set(name, cl);
    this.order.push(name);
    if (proto === 3) {
      const r = await cl.send('HELLO', '3');
      if (r.t !== 'map') throw new Error('HELLO 3 failed: ' + formatReply(r));
    }
    return cl;
  }

  client(name: string): RawClient {
    const c = this.clients.get(name);
    if (!c) throw new Error(`no client ${name}`);
    return c;
  }

  /** Writes one command on `name` and records what it received. */
  async run(name: string, ...cmd: Arg[]): Promise<void> {
    this.lines.push(`> ${name} ${cmd.map((a) => (typeof a === 'string' ? a : formatReply({ t: 'bulk', v: a }))).join(' ')}`);
    await this.client(name).sendRaw(encodeCommand(cmd));
    await this.drain(name);
  }

  /** Writes several commands on `name` in one write, then records what it received. */
  async pipeline(name: string, cmds: Arg[][]): Promise<void> {
    this.lines.push(`> ${name} pipeline of ${cmds.length}: ${cmds.map((c) => c.join(' ')).join(' | ')}`);
    await this.client(name).sendRaw(Buffer.concat(cmds.map((c) => encodeCommand(c))));
    await this.drain(name);
  }

  /** A step whose effects reach other clients (PUBLISH): records what every client received. */
  async publish(name: string, ...cmd: Arg[]): Promise<void> {
    await this.run(name, ...cmd);
    for (const other of this.order) if (other !== name && !this.client(other).closed) await this.drain(other);
  }

  /** QUIT and the like: the reply, then the connection closes. */
  async closing(name: string, ...cmd: Arg[]): Promise<void> {
    this.lines.push(`> ${name} ${cmd.join(' ')}`);
    const cl = this.client(name);
    const r = await cl.send(...cmd);
    this.lines.push(`${name}: ${formatReply(r)}`);
    this.lines.push(`${name}: closed ${await cl.waitClose(10000)}`);
  }

  /** Records `name`'s output up to its token PING's reply (the reply's shape is recorded too). */
  async drain(name: string, sortStep = false): Promise<void> {
    const cl = this.client(name);
    const token = `sync-${++this.token}`;
    await cl.sendRaw(encodeCommand(['PING', token]));
    const got: string[] = [];
    for (;;) {
      const r = await cl.readReply();
      const text = formatReply(r);
      if (isToken(r, token)) {
        if (sortStep) got.sort();
        for (const g of got) this.lines.push(`${name}: ${g}`);
        this.lines.push(`${name}: (sync ${r.t})`);
        return;
      }
      got.push(text);
    }
  }

  async close(): Promise<void> {
    await Promise.all([...this.clients.values()].map((c) => c.close().catch(() => {})));
  }
}

/** PING's reply to `token`: a bulk, or RESP2 subscribed mode's [pong, token]. */
function isToken(r: Reply, token: string): boolean {
  if (r.t === 'bulk') return r.v !== null && r.v.toString() === token;
  if (r.t === 'array' && r.v && r.v.length === 2) {
    const [a, b] = r.v;
    return a.t === 'bulk' && a.v?.toString() === 'pong' && b.t === 'bulk' && b.v?.toString() === token;
  }
  return false;
}

export type Scenario = (s: Session) => Promise<void>;

/** Runs a scenario against both servers and compares the transcripts. */
export async function compare(t: Test, ports: { redis: number; respdb: number }, opts: Options, name: string, sc: Scenario): Promise<void> {
  const run = async (port: number): Promise<string[]> => {
    const admin = await RawClient.connect(port);
    await admin.send('FLUSHALL');
    await admin.close();
    const s = new Session(port, opts);
    try {
      await sc(s);
    } finally {
      await s.close();
    }
    return s.lines;
  };
  const want = await run(ports.redis);
  const got = await run(ports.respdb);
  t.same(got, want, `${name} (RESP${opts.proto})`);
  t.ok(want.length > 0, `${name}: the scenario produced a transcript`);
}

/** Waits until `check` holds on the server (a disconnect noticed, ...): polls, no deadline. */
export async function until(check: () => Promise<boolean>, what: string, tries = 2000): Promise<void> {
  for (let i = 0; i < tries; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error(`never: ${what}`);
}

/** An integer reply's value (-1 otherwise). */
export function intOf(r: Reply): number {
  return r.t === 'int' ? Number(r.v) : -1;
}
