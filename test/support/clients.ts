// Transcripts of several clients, run on redis-server and on respdb and compared line by line
// (CLIENT, MONITOR and tracking tests). A scenario drives one server through `Side`: it opens
// clients, names them (their ids and addresses then read as the names in the transcript), and
// logs replies in the order it sees them. Replies a client did not ask for (pushes, MONITOR
// lines, invalidation messages) come out of RawClient in arrival order like the others.

import type { Test } from 'tap';
import { RawClient, formatReply, type Reply } from './resp-client.js';
import { startRedis, startRespdb, type RedisProc, type RespdbProc } from './servers.js';

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
export const words = (s: string): string[] => s.split(' ');

export class Side {
  readonly clients: RawClient[] = [];
  readonly lines: string[] = [];
  /** client id -> name, address (ip:port) -> name */
  private readonly ids = new Map<string, string>();
  private readonly addrs = new Map<string, string>();

  constructor(
    readonly name: 'redis' | 'respdb',
    readonly port: number,
    readonly proto: 2 | 3,
  ) {
    this.addrs.set(`127.0.0.1:${port}`, 'server');
  }

  /** A new client in the side's protocol (`proto` overrides), named `name` in the transcript. */
  async client(name: string, proto: 2 | 3 = this.proto): Promise<Client> {
    const raw = await RawClient.connect(this.port);
    this.clients.push(raw);
    if (proto === 3) {
      const h = await raw.send('HELLO', '3');
      if (h.t === 'error') throw new Error(`HELLO 3 failed on ${this.name}: ${h.v}`);
    }
    const info = await raw.send('CLIENT', 'INFO');
    const text = info.t === 'verbatim' ? info.v : info.t === 'bulk' && info.v ? info.v.toString('latin1') : '';
    const id = /\bid=(\d+)/.exec(text)![1];
    const addr = /\baddr=(\S+)/.exec(text)![1];
    this.ids.set(id, name);
    this.addrs.set(addr, name);
    return new Client(this, raw, name, id, addr);
  }

  /** Markers of Client.unasked(), numbered the same way on both servers. */
  markers = 0;

  /** `text` with the clients' ids and addresses replaced by their names, MONITOR's times by T. */
  norm(text: string): string {
    return text
      .replace(/\b\d{10}\.\d{6} \[/g, 'T [')
      .replace(/("tracking-redir-broken"\n\s+2\) \(integer\) )(\d+)/g, (m, p: string, id: string) => (this.ids.has(id) ? p + this.ids.get(id) : m))
      .replace(/\b(id|redir)=(\d+)/g, (m, k: string, id: string) => (this.ids.has(id) ? `${k}=${this.ids.get(id)}` : m))
      .replace(/\b(\d+\.\d+\.\d+\.\d+:\d+)/g, (m, a: string) => this.addrs.get(a) ?? m);
  }

  /** `text` with every integer that is a client's id replaced by its name (CLIENT GETREDIR...). */
  normIds(text: string): string {
    return text.replace(/\(integer\) (\d+)/g, (m, id: string) => (this.ids.has(id) ? `(integer) ${this.ids.get(id)}` : m));
  }

  log(label: string, what: Reply | string): void {
    this.lines.push(this.norm(`${label} -> ${typeof what === 'string' ? what : formatReply(what)}`));
  }

  async close(): Promise<void> {
    await Promise.all(this.clients.map((c) => c.close().catch(() => {})));
  }
}

export class Client {
  constructor(
    readonly side: Side,
    readonly raw: RawClient,
    readonly name: string,
    readonly id: string,
    readonly addr: string,
  ) {}

  /** Sends a command, logs and returns its reply. */
  async do(...cmd: string[]): Promise<Reply> {
    const r = await this.raw.send(...cmd);
    this.side.log(`${this.name}: ${cmd.join(' ')}`, r);
    return r;
  }

  /** Sends a command, logs its reply under `label` (for commands naming ids or addresses). */
  async doAs(label: string, ...cmd: string[]): Promise<Reply> {
    const r = await this.raw.send(...cmd);
    this.side.log(`${this.name}: ${label}`, r);
    return r;
  }

  /** Sends a command whose reply holds client ids (CLIENT GETREDIR, TRACKINGINFO), logs it with their names. */
  async doIds(...cmd: string[]): Promise<Reply> {
    const r = await this.raw.send(...cmd);
    this.side.log(`${this.name}: ${cmd.join(' ')}`, this.side.normIds(formatReply(r)));
    return r;
  }

  /** Sends commands in one write and logs every reply. */
  async pipe(cmds: string[][]): Promise<Reply[]> {
    const rs = await this.raw.pipeline(cmds);
    rs.forEach((r, i) => this.side.log(`${this.name}: ${cmds[i].join(' ')}`, r));
    return rs;
  }

  /** Sends without waiting; the reply is logged when `settle()` is awaited. */
  later(...cmd: string[]): () => Promise<Reply> {
    const p = this.raw.send(...cmd);
    return async () => {
      const r = await p;
      this.side.log(`${this.name}: ${cmd.join(' ')}`, r);
      return r;
    };
  }

  /**
   * Logs what arrived unasked until now: every reply already received, then (after a round trip
   * of a PING, whose reply is not logged) those that were on their way. The client must have
   * nothing in flight.
   */
  async unasked(): Promise<void> {
    await this.drain();
    // a marker round trip: whatever the server produced for this client before comes first
    const marker = `sync-${++this.side.markers}`;
    // PING <marker>: answered in a subscribed RESP2 client's mode too (["pong", marker])
    const isMarker = (x: Reply): boolean =>
      (x.t === 'bulk' && x.v?.toString() === marker) || (x.t === 'array' && x.v?.length === 2 && x.v[1].t === 'bulk' && x.v[1].v?.toString() === marker);
    let r = await this.raw.send('PING', marker);
    while (!isMarker(r)) {
      this.side.log(`${this.name} <-`, r);
      r = await this.raw.readReply();
    }
  }

  private async drain(): Promise<void> {
    while (this.raw.queued > 0) this.side.log(`${this.name} <-`, await this.raw.readReply());
  }

  /** The next reply, whatever it is (a push or a MONITOR line), logged. */
  async next(): Promise<Reply> {
    const r = await this.raw.readReply();
    this.side.log(`${this.name} <-`, r);
    return r;
  }
}

export type Scenario = (s: Side) => Promise<void>;

/** Runs `sc` on redis-server, then on respdb, and compares the transcripts. */
export async function compare(t: Test, ports: { redis: number; respdb: number }, proto: 2 | 3, name: string, sc: Scenario): Promise<void> {
  const run = async (which: 'redis' | 'respdb'): Promise<string[]> => {
    const s = new Side(which, ports[which], proto);
    try {
      const admin = await RawClient.connect(ports[which]);
      s.clients.push(admin);
      // an earlier scenario that failed may have left a pause behind
      await admin.send('CLIENT', 'UNPAUSE');
      // the clients of an earlier scenario are gone (their closing is not part of this one)
      for (let i = 0; ; i++) {
        const r = await admin.send('CLIENT', 'LIST');
        const n = (r.t === 'verbatim' ? r.v : r.t === 'bulk' && r.v ? r.v.toString('latin1') : '').split('\n').filter((l) => l !== '').length;
        if (n === 1) break;
        if (i === 1000) throw new Error(`${which}: clients of an earlier scenario are still connected`);
        await sleep(5);
      }
      await admin.send('FLUSHALL');
      await sc(s);
    } finally {
      await s.close();
    }
    return s.lines;
  };
  const want = await run('redis');
  const got = await run('respdb');
  t.same(got, want, `${name} (RESP${proto})`);
  t.ok(want.length > 0, `${name}: the scenario produced a transcript`);
}

/** INFO field `name` (as a number) of a server. */
export async function infoField(c: RawClient, section: string, name: string): Promise<number> {
  const r = await c.send('INFO', section);
  const text = r.t === 'verbatim' ? r.v : r.t === 'bulk' && r.v ? r.v.toString('latin1') : '';
  const m = new RegExp(`^${name}:(\\d+)`, 'm').exec(text);
  return m ? Number(m[1]) : -1;
}

/** Waits until `n` clients show flag b in CLIENT LIST (which MONITOR does not show, unlike INFO). */
export async function untilBlocked(c: RawClient, n: number): Promise<void> {
  for (let i = 0; i < 1000; i++) {
    const r = await c.send('CLIENT', 'LIST');
    const text = r.t === 'verbatim' ? r.v : r.t === 'bulk' && r.v ? r.v.toString('latin1') : '';
    if ((text.match(/ flags=\S*b\S* /g) ?? []).length === n) return;
    await sleep(5);
  }
  throw new Error(`blocked clients never reached ${n}`);
}

/** Waits until the client with id `id` has gone from CLIENT LIST. */
export async function untilGone(c: RawClient, id: string): Promise<void> {
  for (let i = 0; i < 1000; i++) {
    const r = await c.send('CLIENT', 'LIST', 'ID', id);
    if ((r.t === 'verbatim' ? r.v : r.t === 'bulk' && r.v ? r.v.toString('latin1') : 'x') === '') return;
    await sleep(5);
  }
  throw new Error(`client ${id} never went away`);
}

/** Waits until INFO's `name` reaches `n` (a state both servers reach, not a time). */
export async function until(c: RawClient, section: string, name: string, n: number): Promise<void> {
  for (let i = 0; i < 1000; i++) {
    if ((await infoField(c, section, name)) === n) return;
    await sleep(5);
  }
  throw new Error(`${name} never reached ${n}`);
}

/**
 * Starts a redis-server (with `redisArgs`) and a respdb with `shards` shards, and compares every
 * scenario on both in RESP2 and RESP3, then each of `more` in its one protocol.
 */
export async function compareScenarios(
  t: Test,
  shards: number,
  scenarios: Record<string, Scenario>,
  more: Array<[label: string, proto: 2 | 3, sc: Scenario]> = [],
  redisArgs: string[] = [],
): Promise<void> {
  let redis: RedisProc | null = null;
  let respdb: RespdbProc | null = null;
  t.teardown(async () => {
    await Promise.all([redis?.stop(), respdb?.stop()]);
  });
  [redis, respdb] = await Promise.all([startRedis({ args: redisArgs }), startRespdb({ shards })]);
  const ports = { redis: redis.port, respdb: respdb.port };
  for (const proto of [2, 3] as const) {
    for (const [name, sc] of Object.entries(scenarios)) await t.test(`${name} (RESP${proto})`, (t) => compare(t, ports, proto, name, sc));
  }
  for (const [label, proto, sc] of more) await t.test(label, (t) => compare(t, ports, proto, label, sc));
}
