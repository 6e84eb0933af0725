// The slow log (SLOWLOG): commands whose execution took at least slowlog-log-slower-than
// microseconds, newest first, at most slowlog-max-len of them. Entries have Redis 7's shape:
// id, unix time (s), duration (µs), arguments (at most 32, each at most 128 bytes, secrets
// redacted), client address and client name.
//
// Both threads use this module: a shard builds the (truncated) argument list of a slow command it
// ran and sends it with the reply (see lib/shard/protocol.ts); the main thread keeps the log.

import Denque from 'denque';
import { isKw } from './commands/define.js';
import { parseI64 } from './resp/number.js';

/** Arguments kept per entry (the last one says how many more there were). */
export const SLOWLOG_MAX_ARGC = 32;
/** Bytes kept per argument. */
export const SLOWLOG_MAX_STRING = 128;

export interface SlowEntry {
  id: number;
  /** Unix time in seconds when the command was logged. */
  time: number;
  /** Execution time in microseconds. */
  micros: number;
  args: Buffer[];
  /** Client address "ip:port". */
  addr: string;
  /** Client name (empty when none). */
  name: Buffer;
}

const EMPTY = Buffer.alloc(0);
const REDACTED = Buffer.from('(redacted)');

/**
 * The arguments as an entry keeps them: copies (the originals may be slices of a socket chunk),
 * at most 32, the 32nd replaced by "... (N more arguments)", each longer than 128 bytes cut to
 * 128 followed by "... (N more bytes)". `redacted` lists argument indexes shown as "(redacted)".
 */
export function slowlogArgs(args: readonly Buffer[], redacted?: ReadonlySet<number> | null): Buffer[] {
  const argc = args.length;
  const n = Math.min(argc, SLOWLOG_MAX_ARGC);
  const out: Buffer[] = new Array(n);
  for (let j = 0; j < n; j++) {
    if (n !== argc && j === n - 1) {
      out[j] = Buffer.from(`... (${argc - n + 1} more arguments)`);
    } else if (redacted && redacted.has(j)) {
      out[j] = REDACTED;
    } else {
      const a = args[j];
      if (a.length > SLOWLOG_MAX_STRING) {
        const tail = Buffer.from(`... (${a.length - SLOWLOG_MAX_STRING} more bytes)`);
        const b = Buffer.allocUnsafe(SLOWLOG_MAX_STRING + tail.length);
        a.copy(b, 0, 0, SLOWLOG_MAX_STRING);
        tail.copy(b, SLOWLOG_MAX_STRING);
        out[j] = b;
      } else {
        out[j] = Buffer.from(a);
      }
    }
  }
  return out;
}

/** Configuration options whose values CONFIG SET hides (Redis's sensitive configs). */
const SENSITIVE_CONFIGS = new Set(['requirepass', 'masterauth', 'masteruser']);

/**
 * Indexes of the arguments Redis 7.0 hides from the slow log (and MONITOR): AUTH's credentials,
 * HELLO's AUTH username and password, CONFIG SET values of sensitive options, MIGRATE's
 * AUTH/AUTH2 credentials. Null when nothing is hidden (the common case).
 *
 * HELLO: Redis hides each AUTH pair as its option loop reaches it and stops at the first failing
 * option; here every AUTH pair up to the first malformed option is hidden (an AUTH after a failed
 * AUTH, which Redis shows, is hidden too).
 */
export function redactedArgs(name: string, args: readonly Buffer[]): Set<number> | null {
  switch (name) {
    case 'auth': {
      // AUTH with more than 2 arguments is a syntax error and hides nothing
      if (args.length > 3) return null;
      const s = new Set<number>();
      for (let i = 1; i < args.length; i++) s.add(i);
      return s;
    }
    case 'hello': {
      if (args.length < 2) return null;
      const v = parseI64(args[1]);
      if (v === null || v < 2n || v > 3n) return null;
      let s: Set<number> | null = null;
      for (let j = 2; j < args.length; j++) {
        const more = args.length - 1 - j;
        if (isKw(args[j], 'auth') && more >= 2) {
          s ??= new Set();
          s.add(j + 1);
          s.add(j + 2);
          j += 2;
        } else if (isKw(args[j], 'setname') && more >= 1) {
          const nm = args[j + 1];
          let ok = true;
          for (let i = 0; i < nm.length; i++) if (nm[i] < 0x21 || nm[i] > 0x7e) ok = false;
          if (!ok) break;
          j++;
        } else break;
      }
      return s;
    }
    case 'acl|setuser': {
      // the user's name and rules (passwords among them), as Redis hides them
      const s = new Set<number>();
      for (let i = 2; i < args.length; i++) s.add(i);
      return s;
    }
    case 'config|set': {
      if (args.length < 4 || args.length % 2 !== 0) return null;
      let s: Set<number> | null = null;
      for (let i = 2; i + 1 < args.length; i += 2) {
        if (SENSITIVE_CONFIGS.has(args[i].toString('latin1').toLowerCase())) {
          s ??= new Set();
          s.add(i + 1);
        }
      }
      return s;
    }
    case 'migrate': {
      // MIGRATE host port key|"" db timeout [COPY] [REPLACE] [AUTH pw | AUTH2 user pw] [KEYS ...]
      let s: Set<number> | null = null;
      for (let j = 6; j < args.length; j++) {
        const more = args.length - 1 - j;
        if (isKw(args[j], 'auth') && more >= 1) {
          (s ??= new Set()).add(j + 1);
          j++;
        } else if (isKw(args[j], 'auth2') && more >= 2) {
          s ??= new Set();
          s.add(j + 1);
          s.add(j + 2);
          j += 2;
        } else if (isKw(args[j], 'keys')) break;
      }
      return s;
    }
    default:
      return null;
  }
}

/** The slow log of one server: newest entry first, ids increasing from 0 for the process's life. */
export class SlowLog {
  private readonly entries = new Denque<SlowEntry>();
  private nextId = 0;

  /**
   * Adds an entry (args already shaped by slowlogArgs) and drops the oldest ones beyond `maxLen`.
   * Like Redis, a smaller slowlog-max-len takes effect at the next entry.
   */
  push(args: Buffer[], micros: number, addr: string, name: Buffer | null, maxLen: number): void {
    this.entries.unshift({
      id: this.nextId++,
      time: Math.floor(Date.now() / 1000),
      micros,
      args,
      addr,
      name: name ?? EMPTY,
    });
    while (this.entries.length > maxLen) this.entries.pop();
  }

  get length(): number {
    return this.entries.length;
  }

  /** The newest `count` entries (all when count >= length), newest first. */
  newest(count: number): SlowEntry[] {
    const n = Math.min(count, this.entries.length);
    const out: SlowEntry[] = new Array(n);
    for (let i = 0; i < n; i++) out[i] = this.entries.peekAt(i)!;
    return out;
  }

  reset(): void {
    this.entries.clear();
  }
}
