// Keyspace notification streams for the differential tests: a subscriber on `__key*__:*` per
// server, and commands run one at a time, each followed by a marker PUBLISH so the events a
// command caused are collected as its own group (a command's events reach subscribers before its
// reply, so they all precede the marker).
import { RawClient, formatReply, type Reply } from '../support/resp-client.js';
import { formatCommand, type Pair } from '../support/servers.js';

type Cmd = (string | Buffer)[];

const MARK = '__mark__';

/** A `__key*__:*` subscriber (and the marker pattern) on one server. */
export class EventStream {
  private constructor(readonly sub: RawClient) {}

  static async open(port: number): Promise<EventStream> {
    const sub = await RawClient.connect(port);
    await sub.send('PSUBSCRIBE', '__key*__:*', MARK);
    await sub.readReply(); // the second subscription's confirmation
    return new EventStream(sub);
  }

  /** The events received up to marker `n`, as "channel message" lines. */
  async until(n: number): Promise<string[]> {
    const out: string[] = [];
    for (;;) {
      const m = await this.sub.readReply();
      const v = m.t === 'array' || m.t === 'push' ? (m.v as Reply[]) : null;
      if (!v || v.length !== 4) throw new Error(`unexpected message on the subscriber: ${formatReply(m)}`);
      const channel = text(v[2]);
      const msg = text(v[3]);
      if (channel === MARK) {
        if (msg === String(n)) return out;
        throw new Error(`marker ${msg} while waiting for ${n}`);
      }
      out.push(`${channel} ${msg}`);
    }
  }

  close(): Promise<void> {
    return this.sub.close();
  }
}

function text(r: Reply): string {
  return r.t === 'bulk' && r.v ? r.v.toString('latin1') : formatReply(r);
}

/** A command's reply and the events it caused. */
export interface Step {
  reply: string;
  events: string[];
}

/** Runs `cmd` on `c` and collects its events from `s` (marker number `n`). */
export async function step(c: RawClient, s: EventStream, cmd: Cmd, n: number): Promise<Step> {
  const reply = formatReply(await c.send(...cmd));
  await c.send('PUBLISH', MARK, String(n));
  return { reply, events: await s.until(n) };
}

/** Both servers of a pair with their subscribers. */
export interface Streams {
  redis: EventStream;
  respdb: EventStream;
  n: number;
}

export async function openStreams(p: Pair): Promise<Streams> {
  return { redis: await EventStream.open(p.redisPort), respdb: await EventStream.open(p.respdbPort), n: 0 };
}

export async function closeStreams(s: Streams): Promise<void> {
  await Promise.all([s.redis.close(), s.respdb.close()]);
}

/**
 * Runs the commands on both servers, one at a time (a list of commands: pipelined, as one, such
 * as MULTI ... EXEC), and returns the first one whose reply or events differ (with the commands
 * before it), or null.
 */
export async function eventDiff(p: Pair, s: Streams, cmds: Array<Cmd | Cmd[]>): Promise<string | null> {
  const history: string[] = [];
  for (const cmd of cmds) {
    const n = ++s.n;
    const run = (c: RawClient, e: EventStream): Promise<Step> => (isBlock(cmd) ? pipelined(c, e, cmd, n) : step(c, e, cmd, n));
    const [a, b] = await Promise.all([run(p.redis, s.redis), run(p.respdb, s.respdb)]);
    history.push(isBlock(cmd) ? cmd.map((x) => formatCommand(x)).join(' ; ') : formatCommand(cmd));
    if (a.reply !== b.reply || a.events.join('\n') !== b.events.join('\n')) {
      return (
        `command differs:\n  ${history.slice(-25).join('\n  ')}\n` +
        `redis:  ${a.reply}\n    ${a.events.join('\n    ')}\n` +
        `respdb: ${b.reply}\n    ${b.events.join('\n    ')}`
      );
    }
  }
  return null;
}

function isBlock(c: Cmd | Cmd[]): c is Cmd[] {
  return Array.isArray(c[0]);
}

/** Sends `cmds` pipelined (one write) on `c`, then a marker: the replies and every event they caused. */
export async function pipelined(c: RawClient, s: EventStream, cmds: Cmd[], n: number): Promise<Step> {
  const replies = await c.pipeline(cmds);
  await c.send('PUBLISH', MARK, String(n));
  return { reply: replies.map((r) => formatReply(r)).join(' | '), events: await s.until(n) };
}

/** The next message on the subscriber within `ms` (null when none came): "channel message". */
export async function nextEvent(s: EventStream, ms: number): Promise<string | null> {
  try {
    const m = await s.sub.readReply(ms);
    const v = (m as { v: Reply[] }).v;
    return `${text(v[2])} ${text(v[3])}`;
  } catch {
    return null;
  }
}
