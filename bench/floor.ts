/**
 * The floor: the least one Node.js event loop must do to serve the benchmark's commands, as a
 * yardstick beside respdb and redis-server (bench/run.ts runs it as a fourth server).
 *
 *   node dist/bench/floor.js --port P [--host 127.0.0.1]
 *
 * One thread, no persistence: it frames RESP multibulk requests (and inline lines, for PING_INLINE)
 * and answers from plain JS structures with the replies Redis gives. What respdb's main thread
 * spends beyond this on the same load is the cost of its design, not of Node. It knows the commands
 * of redis-benchmark's tests (and CONFIG GET, which redis-benchmark 7 asks first); others get an
 * error. Strings are latin1 JS strings: one char per byte, so binary-safe.
 */
import net from 'node:net';

/** A list: a ring buffer, O(1) at both ends (redis-benchmark pushes 200k+ elements onto one key). */
class Deque {
  private a: string[] = new Array<string>(16).fill('');
  private head = 0;
  length = 0;
  private slot(i: number): number {
    return (this.head + i) & (this.a.length - 1);
  }
  at(i: number): string {
    return this.a[this.slot(i)];
  }
  push(v: string): void {
    if (this.length === this.a.length) this.grow();
    this.a[this.slot(this.length++)] = v;
  }
  unshift(v: string): void {
    if (this.length === this.a.length) this.grow();
    this.head = this.slot(-1);
    this.a[this.head] = v;
    this.length++;
  }
  /** removes and returns the first (left) or the last element */
  take(left: boolean): string {
    const i = left ? this.head : this.slot(this.length - 1);
    const v = this.a[i];
    this.a[i] = '';
    if (left) this.head = this.slot(1);
    this.length--;
    return v;
  }
  private grow(): void {
    const a = new Array<string>(this.a.length * 2).fill('');
    for (let i = 0; i < this.length; i++) a[i] = this.at(i);
    this.a = a;
    this.head = 0;
  }
}

/** A set with O(1) random removal (SPOP): the members in an array, each one's index in a map. */
class RandomSet {
  private readonly index = new Map<string, number>();
  private readonly members: string[] = [];
  get length(): number {
    return this.members.length;
  }
  add(m: string): boolean {
    if (this.index.has(m)) return false;
    this.index.set(m, this.members.push(m) - 1);
    return true;
  }
  /** removes and returns a random member */
  take(): string {
    const i = Math.floor(Math.random() * this.members.length);
    const m = this.members[i];
    const last = this.members.pop()!;
    if (last !== m) this.index.set((this.members[i] = last), i);
    this.index.delete(m);
    return m;
  }
}

class Hash extends Map<string, string> {}
/** member -> score, unordered: no command here reads the order */
class ZSet extends Map<string, number> {}
const db = new Map<string, string | Deque | RandomSet | Hash | ZSet>();

// ---- replies, encoded into one buffer per read event

/**
 * Buffer's own latin1 codecs, which toString('latin1') and write(s, o, 'latin1') reach after
 * looking the encoding up: ~33 ns instead of ~40 per 16-byte slice or 100-byte write (measured).
 */
interface Bytes extends Buffer {
  latin1Slice(start: number, end: number): string;
  latin1Write(s: string, offset: number): number;
}
const alloc = (n: number) => Buffer.allocUnsafe(n) as Bytes;
let out = alloc(64 * 1024);
let o = 0;
const bytes = (s: string) => Buffer.from(s, 'latin1');
const OK = bytes('+OK\r\n');
const PONG = bytes('+PONG\r\n');
const NIL = bytes('$-1\r\n');
const EMPTY = bytes('*0\r\n');
const WRONGTYPE = bytes('-WRONGTYPE Operation against a key holding the wrong kind of value\r\n');

function room(n: number): void {
  if (o + n <= out.length) return;
  const grown = alloc(Math.max(out.length * 2, o + n));
  out.copy(grown, 0, 0, o);
  out = grown;
}
function raw(r: Buffer): void {
  room(r.length);
  out.set(r, o);
  o += r.length;
}
/** The type byte `c`, the decimal n, CRLF: integers and the `*` / `$` headers. */
function line(c: number, n: number): void {
  room(24);
  out[o++] = c;
  if (n < 0) {
    out[o++] = 0x2d;
    n = -n;
  }
  let last = o;
  for (let m = n; m >= 10; m = Math.floor(m / 10)) last++;
  for (let i = last; i >= o; i--, n = Math.floor(n / 10)) out[i] = 0x30 + (n % 10);
  o = last + 1;
  out[o++] = 13;
  out[o++] = 10;
}
const int = (n: number) => line(0x3a, n);
function bulk(s: string): void {
  line(0x24, s.length);
  room(s.length + 2);
  o += out.latin1Write(s, o);
  out[o++] = 13;
  out[o++] = 10;
}
const err = (s: string) => raw(bytes(`-ERR ${s}\r\n`));

// ---- requests: the arguments of the one being run are offsets into the buffer it was read into

let b: Bytes = out;
let A = new Int32Array(64); // argument i is b[A[2i], A[2i+1])
let argc = 0;
const INCOMPLETE = -1;
const BAD = -2;
let at = 0;

/** The decimal from `p` up to CRLF (the `*N` and `$N` headers); `at` is set past the CRLF. */
function header(p: number, end: number): number {
  let n = 0;
  for (; ; p++) {
    if (p >= end) return INCOMPLETE;
    const c = b[p];
    if (c === 13) break;
    if (c < 0x30 || c > 0x39) return BAD;
    n = n * 10 + c - 0x30;
  }
  if (p + 1 >= end) return INCOMPLETE;
  at = p + 2;
  return n;
}

/** Frames the request at `p` into A and argc; returns where the next one starts, INCOMPLETE or BAD. */
function frame(p: number, end: number): number {
  if (b[p] !== 0x2a) return inline(p, end);
  const n = header(p + 1, end);
  if (n < 0) return n;
  argRoom(n);
  p = at;
  for (let i = 0; i < n; i++) {
    if (p >= end) return INCOMPLETE;
    if (b[p] !== 0x24) return BAD;
    const len = header(p + 1, end);
    if (len < 0) return len;
    A[2 * i] = at;
    A[2 * i + 1] = at + len;
    p = at + len + 2;
    if (p > end) return INCOMPLETE;
  }
  argc = n;
  return p;
}

/** An inline request: words separated by spaces, up to LF. */
function inline(p: number, end: number): number {
  let e = b.indexOf(10, p);
  if (e < 0 || e >= end) return INCOMPLETE;
  const next = e + 1;
  if (e > p && b[e - 1] === 13) e--;
  for (argc = 0; p < e; argc++) {
    while (p < e && b[p] === 0x20) p++;
    if (p === e) break;
    argRoom(argc + 1);
    A[2 * argc] = p;
    while (p < e && b[p] !== 0x20) p++;
    A[2 * argc + 1] = p;
  }
  return next;
}

function argRoom(n: number): void {
  if (2 * n <= A.length) return;
  const grown = new Int32Array(4 * n);
  grown.set(A);
  A = grown;
}

const arg = (i: number) => b.latin1Slice(A[2 * i], A[2 * i + 1]);
/** Argument i as an integer, NaN when it is not one. */
function intArg(i: number): number {
  const n = A[2 * i + 1] > A[2 * i] ? Number(arg(i)) : NaN;
  return Number.isSafeInteger(n) ? n : NaN;
}

/** Argument i as a score: a number, inf, +inf or -inf; NaN when it is none of them. */
function score(i: number): number {
  const s = arg(i).toLowerCase();
  if (s === 'inf' || s === '+inf') return Infinity;
  return s === '-inf' ? -Infinity : s === '' ? NaN : Number(s);
}

// ---- commands

/** The value at `key` if it is absent (then created when `make`) or of class C; null once WRONGTYPE is sent. */
function typed<T extends Deque | RandomSet | Hash | ZSet>(key: string, C: new () => T, make: boolean): T | undefined | null {
  const v = db.get(key);
  if (v instanceof C) return v;
  if (v !== undefined) {
    raw(WRONGTYPE);
    return null;
  }
  if (!make) return undefined;
  const n = new C();
  db.set(key, n);
  return n;
}

function get(): void {
  const v = db.get(arg(1));
  if (typeof v === 'string') bulk(v);
  else raw(v === undefined ? NIL : WRONGTYPE);
}

function incr(): void {
  const key = arg(1);
  const v = db.get(key);
  if (v !== undefined && typeof v !== 'string') return raw(WRONGTYPE);
  const n = v === undefined ? 0 : Number(v);
  if (!Number.isSafeInteger(n) || (v !== undefined && String(n) !== v)) return err('value is not an integer or out of range');
  db.set(key, String(n + 1));
  int(n + 1);
}

function del(): void {
  let n = 0;
  for (let i = 1; i < argc; i++) if (db.delete(arg(i))) n++;
  int(n);
}

function mset(): void {
  if (argc % 2 === 0) return err("wrong number of arguments for 'mset' command");
  for (let i = 1; i < argc; i += 2) db.set(arg(i), arg(i + 1));
  raw(OK);
}

function push(left: boolean): void {
  const l = typed(arg(1), Deque, true);
  if (!l) return;
  for (let i = 2; i < argc; i++) left ? l.unshift(arg(i)) : l.push(arg(i));
  int(l.length);
}

/** LPOP, RPOP, SPOP: one element off the list or set, the key gone with its last element */
function pop(C: typeof Deque | typeof RandomSet, left: boolean): void {
  const key = arg(1);
  const v = typed<Deque | RandomSet>(key, C, false);
  if (v === null) return;
  if (v === undefined) return raw(NIL);
  bulk(v instanceof Deque ? v.take(left) : v.take());
  if (v.length === 0) db.delete(key);
}

function lrange(): void {
  const l = typed(arg(1), Deque, false);
  let start = intArg(2);
  let stop = intArg(3);
  if (l === null) return;
  if (Number.isNaN(start) || Number.isNaN(stop)) return err('value is not an integer or out of range');
  const len = l?.length ?? 0;
  if (start < 0) start = Math.max(0, start + len);
  stop = Math.min(stop < 0 ? stop + len : stop, len - 1);
  if (start > stop) return raw(EMPTY);
  line(0x2a, stop - start + 1);
  for (let i = start; i <= stop; i++) bulk(l!.at(i));
}

function sadd(): void {
  const s = typed(arg(1), RandomSet, true);
  if (!s) return;
  let added = 0;
  for (let i = 2; i < argc; i++) if (s.add(arg(i))) added++;
  int(added);
}

function hset(): void {
  if (argc % 2 !== 0) return err("wrong number of arguments for 'hset' command");
  const h = typed(arg(1), Hash, true);
  if (!h) return;
  const before = h.size;
  for (let i = 2; i < argc; i += 2) h.set(arg(i), arg(i + 1));
  int(h.size - before);
}

function zadd(): void {
  if (argc % 2 !== 0) return err('syntax error');
  for (let i = 2; i < argc; i += 2) if (Number.isNaN(score(i))) return err('value is not a valid float');
  const z = typed(arg(1), ZSet, true);
  if (!z) return;
  const before = z.size;
  for (let i = 2; i < argc; i += 2) z.set(arg(i + 1), score(i));
  int(z.size - before);
}

/** CONFIG GET save / appendonly, which redis-benchmark asks first: the answers of a server without persistence. */
function config(): void {
  if (argc !== 3 || arg(1).toLowerCase() !== 'get') return err('only CONFIG GET <parameter> is supported');
  const p = arg(2).toLowerCase();
  const v = p === 'save' ? '' : p === 'appendonly' ? 'no' : undefined;
  if (v === undefined) return raw(EMPTY);
  line(0x2a, 2);
  bulk(p);
  bulk(v);
}

function ping(): void {
  if (argc > 2) return err("wrong number of arguments for 'ping' command");
  if (argc === 2) bulk(arg(1));
  else raw(PONG);
}

/** name -> [arity as Redis states it (N: exactly N words with the name, -N: at least N), run] */
const TABLE: Record<string, [number, () => void]> = {
  get: [2, get],
  set: [3, () => (db.set(arg(1), arg(2)), raw(OK))],
  incr: [2, incr],
  mset: [-3, mset],
  del: [-2, del],
  lpush: [-3, () => push(true)],
  rpush: [-3, () => push(false)],
  lpop: [2, () => pop(Deque, true)],
  rpop: [2, () => pop(Deque, false)],
  lrange: [4, lrange],
  sadd: [-3, sadd],
  spop: [2, () => pop(RandomSet, false)],
  hset: [-4, hset],
  zadd: [-4, zadd],
  config: [-2, config],
  ping: [-1, ping],
};

/** A case-insensitive hash of a name, so that finding the command allocates nothing. */
function nameHash(s: Buffer, from: number, to: number): number {
  let h = to - from;
  for (let i = from; i < to; i++) h = (Math.imul(h, 31) + (s[i] | 0x20)) | 0;
  return h;
}
const COMMANDS = new Map<number, { name: Buffer; arity: number; run: () => void }>();
for (const [name, [arity, run]] of Object.entries(TABLE)) {
  const n = bytes(name);
  if (COMMANDS.has(nameHash(n, 0, n.length))) throw new Error(`two command names with one hash: ${name}`);
  COMMANDS.set(nameHash(n, 0, n.length), { name: n, arity, run });
}

function execute(): void {
  const s = A[0];
  const e = A[1];
  const c = COMMANDS.get(nameHash(b, s, e));
  let same = c !== undefined && c.name.length === e - s;
  for (let i = 0; same && i < e - s; i++) same = (b[s + i] | 0x20) === c!.name[i];
  if (!same) return err(`unknown command '${arg(0)}'`);
  if (c!.arity > 0 ? argc !== c!.arity : argc < -c!.arity) return err(`wrong number of arguments for '${c!.name.toString()}' command`);
  c!.run();
}

// ---- connections

/** Runs every complete request in buf[0, end) and writes their replies at once; returns where the incomplete rest starts. */
function serve(sock: net.Socket, buf: Buffer, end: number): number {
  b = buf as Bytes;
  let p = 0;
  let next = 0;
  while (p < end && (next = frame(p, end)) >= 0) {
    if (argc > 0) execute();
    p = next;
  }
  if (next === BAD) err('Protocol error');
  if (o > 0) {
    sock.write(out.subarray(0, o));
    // a write the kernel did not take at once keeps a reference to these bytes: use a new buffer
    if (sock.writableLength > 0) out = alloc(out.length);
    o = 0;
  }
  if (next === BAD) sock.end();
  return p;
}

/**
 * Reads land in one buffer shared by every connection (net.Socket's `onread`), each read's requests
 * run before the next read. Server sockets take no `onread` (Node 20), so each accepted handle is
 * wrapped in a Socket that has one; the accepted Socket, paused on connect, never reads.
 * Against one `data` handler per socket (a new Buffer per read), in alternating rounds of
 * redis-benchmark -c 50 -d 100 -r 100000 over 100k loaded keys, medians of the main thread's CPU:
 *   -P 16 (4 rounds of 400k): SET 1.70 -> 1.55 µs/req (553k -> 595k ops/s),
 *                             GET 1.68 -> 1.53 µs/req (569k -> 635k ops/s);
 *   -P 1  (3 rounds of 200k): SET 9.90 -> 7.80 µs/req, GET 7.95 -> 7.60 µs/req;
 * and the GC helper threads' CPU about halves.
 */
const IN = Buffer.allocUnsafe(64 * 1024);

function onConnection(accepted: net.Socket): void {
  let rest: Buffer | null = null;
  const sock: net.Socket = new net.Socket({
    handle: (accepted as unknown as { _handle: unknown })._handle,
    readable: true,
    writable: true,
    onread: {
      buffer: IN,
      callback: (n: number, buf: Uint8Array) => {
        if (sock.writableEnded) return;
        const all = rest === null ? (buf as Buffer) : Buffer.concat([rest, buf.subarray(0, n)]);
        const end = rest === null ? n : all.length;
        const p = serve(sock, all, end);
        // IN is read into again: an incomplete request waits in a copy
        rest = p < end ? Buffer.from(all.subarray(p, end)) : null;
      },
    },
  } as net.SocketConstructorOpts);
  sock.setNoDelay(true);
  sock.on('error', () => sock.destroy());
}

const opt = (name: string, dflt: string) => {
  const i = process.argv.indexOf(name);
  return i > 0 && i + 1 < process.argv.length ? process.argv[i + 1] : dflt;
};
const [port, host] = [Number(opt('--port', '6379')), opt('--host', '127.0.0.1')];
// exit (not die) on SIGTERM, so that `node --cpu-prof` writes its profile
process.on('SIGTERM', () => process.exit(0));
net
  .createServer({ pauseOnConnect: true }, onConnection)
  .listen(port, host, () => process.stdout.write(`floor: ready on ${host}:${port} (pid ${process.pid})\n`));
