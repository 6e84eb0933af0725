// Support for the engine's differential tests: a connection to redis-server that hands back each
// reply's raw bytes, and a ScriptHost whose redis.call replies are those redis-server gives to the
// same commands (learned by running the script, sending the commands it called to redis, and
// running it again until it calls nothing new).

import net from 'node:net';
import { encodeCommand } from '../support/resp-decoder.js';
import { RespWriter } from '../../lib/resp/writer.js';
import type { ScriptEngine, CompiledScript } from '../../lib/scripting/engine.js';
import type { ScriptHost } from '../../lib/scripting/engine-types.js';

/** One connection; `send` resolves with the reply's bytes. */
export class RawBytesClient {
  private buf = Buffer.alloc(0);
  private waiting: ((b: Buffer) => void)[] = [];

  private constructor(private readonly socket: net.Socket) {
    socket.on('data', (d: Buffer) => {
      this.buf = Buffer.concat([this.buf, d]);
      this.drain();
    });
  }

  static connect(port: number): Promise<RawBytesClient> {
    return new Promise((resolve, reject) => {
      const s = net.connect(port, '127.0.0.1');
      s.once('error', reject);
      s.once('connect', () => resolve(new RawBytesClient(s)));
    });
  }

  /** Where the first complete reply ends, or -1 (iterative: replies may nest thousands deep). */
  private complete(): number {
    const b = this.buf;
    let p = 0;
    let pending = 1;
    while (pending > 0) {
      if (p >= b.length) return -1;
      const e = b.indexOf(13, p);
      if (e < 0 || e + 1 >= b.length) return -1;
      const type = b[p];
      const n = Number(b.toString('latin1', p + 1, e));
      p = e + 2;
      pending--;
      if (type === 36 || type === 61 || type === 33) {
        if (n >= 0) p += n + 2;
      } else if (type === 42 || type === 126 || type === 62) {
        if (n > 0) pending += n;
      } else if (type === 37) {
        pending += 2 * n;
      }
    }
    return p <= b.length ? p : -1;
  }

  private drain(): void {
    while (this.waiting.length > 0 && this.buf.length > 0) {
      const end = this.complete();
      if (end < 0) return;
      const r = this.buf.subarray(0, end);
      this.buf = this.buf.subarray(end);
      this.waiting.shift()!(Buffer.from(r));
    }
  }

  send(...args: (string | Buffer)[]): Promise<Buffer> {
    return new Promise((resolve) => {
      this.waiting.push(resolve);
      this.socket.write(encodeCommand(args));
    });
  }

  close(): void {
    this.socket.destroy();
  }
}

/** Replies learned from redis-server, by protocol and command. */
export class LearnedReplies {
  private readonly known = new Map<string, Buffer>();
  private readonly fixed = new Map<string, Buffer>();

  constructor(
    private readonly r2: RawBytesClient,
    private readonly r3: RawBytesClient,
  ) {}

  private static key(args: Buffer[], proto: number): string {
    return proto + '|' + args.map((a) => a.toString('latin1')).join('\u0001');
  }

  /** A reply given by hand (what the server's host answers, e.g. for commands scripts may not run). */
  fix(command: string[], reply: string): void {
    const args = command.map((c) => Buffer.from(c, 'latin1'));
    for (const p of [2, 3]) this.fixed.set(LearnedReplies.key(args, p), Buffer.from(reply, 'latin1'));
  }

  /** Runs `script` until every command it calls has a reply; then once more into `out`. */
  async run(engine: ScriptEngine, script: CompiledScript, keys: Buffer[], argv: Buffer[], out: RespWriter): Promise<void> {
    for (let round = 0; round < 20; round++) {
      const missing: { args: Buffer[]; proto: 2 | 3 }[] = [];
      const host: ScriptHost = {
        call: (args, proto) => {
          const k = LearnedReplies.key(args, proto);
          const r = this.fixed.get(k) ?? this.known.get(k);
          if (r !== undefined) return r;
          missing.push({ args: args.map((a) => Buffer.from(a)), proto });
          return Buffer.from('$-1\r\n');
        },
        interrupted: () => null,
        log: () => {},
      };
      const mark = out.pos;
      engine.runScript(script, { keys, argv, host, out });
      if (missing.length === 0) return;
      out.pos = mark;
      for (const m of missing) {
        const c = m.proto === 3 ? this.r3 : this.r2;
        this.known.set(LearnedReplies.key(m.args, m.proto), await c.send(...m.args));
      }
    }
    throw new Error('script keeps calling new commands');
  }
}

/** A host answering every redis.call with `reply`. */
export function fixedHost(reply: Uint8Array, log: (level: number, msg: string) => void = () => {}): ScriptHost {
  return { call: () => reply, interrupted: () => null, log };
}

export function writer(proto: 2 | 3): RespWriter {
  const w = new RespWriter();
  w.proto = proto;
  return w;
}
