// The latency monitor (LATENCY LATEST/HISTORY/RESET/GRAPH/DOCTOR) and the per-command latency
// histograms behind LATENCY HISTOGRAM.
//
// - Events: a named time series of up to 160 samples, one per second at most (a sample in the
//   same second as the previous one raises it instead), plus the latest and the all-time maximum,
//   as Redis keeps them. Samples are milliseconds at or above latency-monitor-threshold.
// - Histograms: per command, counts in power-of-two buckets with Redis 7.0's bounds. Redis records
//   each duration (ns) in an HDR histogram with 2 significant digits and reports it by a logarithmic
//   iteration from 1024 ns, doubling; the bucket of 2^(10+k) ns holds every duration up to that
//   value's highest equivalent (2^(10+k) + 2^(3+k) - 1 ns) and is labelled with that bound in µs
//   (1, 2, 4, 8, 16, 33, 66, 132, ...). Counting straight into those 21 buckets gives the same
//   reply at the cost of one increment.
// - DiagShared: what a shard shares with the main thread (SharedArrayBuffer): the thresholds it
//   reads for every command (CONFIG SET applies at once) and its histogram counters.
// - Diagnostics: the main thread's state (server.diagnostics) and its entry point commandDone.
//
// Where durations come from (every executed command reports exactly once, through
// Diagnostics.commandDone or, for a shard's reply, Diagnostics.shardDone):
// - main-thread handlers (lib/server.ts runMain): synchronous ones their own time; asynchronous
//   ones (coordinated multi-shard commands, DEBUG SLEEP, KEYS...) from their start to their reply;
//   blocking commands (BLPOP...) only their synchronous part, never the time spent waiting;
// - direct reads on the main thread: the handler's time;
// - shard handlers: measured by the shard around the handler inside its batch. Below every
//   threshold the shard counts the duration in its own histogram table (shared memory) and sends
//   nothing; at or above min(slowlog-log-slower-than, latency-monitor-threshold) it sends the
//   duration after the reply (and the shaped arguments when the slow log wants them), see
//   lib/shard/protocol.ts;
// - scatter commands (DEL/MSET/MGET... over several shards): the sum of their parts' times;
// - anything else that runs commands (e.g. a thread pool) calls commandDone itself.
// A command is judged by the thresholds in force when it completes (for a shard command: when the
// shard ran it), so a CONFIG SET pipelined behind commands still queued applies to them too.

import type { Config } from './config.js';
import type { Connection } from './connection.js';
import type { CommandDef } from './commands/types.js';
import { ALL } from './commands/registry.js';
import { SlowLog, slowlogArgs, redactedArgs } from './slowlog.js';

/** Samples kept per event (Redis LATENCY_TS_LEN). */
export const LATENCY_TS_LEN = 160;

interface Series {
  time: Float64Array;
  ms: Float64Array;
  /** next slot to write */
  idx: number;
  max: number;
}

/** Per-event latency spikes. */
export class LatencyMonitor {
  private readonly events = new Map<string, Series>();

  /** Records `ms` for `event` at `now` (unix seconds). */
  add(event: string, ms: number, now = Math.floor(Date.now() / 1000)): void {
    let s = this.events.get(event);
    if (!s) {
      s = { time: new Float64Array(LATENCY_TS_LEN), ms: new Float64Array(LATENCY_TS_LEN), idx: 0, max: 0 };
      this.events.set(event, s);
    }
    if (ms > s.max) s.max = ms;
    const prev = (s.idx + LATENCY_TS_LEN - 1) % LATENCY_TS_LEN;
    if (s.time[prev] === now) {
      if (ms > s.ms[prev]) s.ms[prev] = ms;
      return;
    }
    s.time[s.idx] = now;
    s.ms[s.idx] = ms;
    s.idx = (s.idx + 1) % LATENCY_TS_LEN;
  }

  get size(): number {
    return this.events.size;
  }

  /** [event, time of the latest sample, latest ms, all-time max ms] per event. */
  latest(): Array<[string, number, number, number]> {
    const out: Array<[string, number, number, number]> = [];
    for (const [name, s] of this.events) {
      const prev = (s.idx + LATENCY_TS_LEN - 1) % LATENCY_TS_LEN;
      out.push([name, s.time[prev], s.ms[prev], s.max]);
    }
    return out;
  }

  /** The event's samples oldest first as [time, ms]; empty for an unknown event. */
  history(event: string): Array<[number, number]> {
    const s = this.events.get(event);
    const out: Array<[number, number]> = [];
    if (!s) return out;
    for (let j = 0; j < LATENCY_TS_LEN; j++) {
      const k = (s.idx + j) % LATENCY_TS_LEN;
      if (s.time[k] === 0) continue;
      out.push([s.time[k], s.ms[k]]);
    }
    return out;
  }

  max(event: string): number {
    return this.events.get(event)?.max ?? 0;
  }

  /** Forgets the given events (all when none are given); returns how many existed. */
  reset(events?: readonly string[]): number {
    if (!events || events.length === 0) {
      const n = this.events.size;
      this.events.clear();
      return n;
    }
    let n = 0;
    for (const e of events) if (this.events.delete(e)) n++;
    return n;
  }

  /**
   * An ASCII chart of the event's samples, oldest on the left: one column per sample, bars scaled
   * between the lowest and the highest sample, and under them how long ago each was taken. Null
   * for an unknown event.
   */
  graph(event: string, now = Math.floor(Date.now() / 1000)): string | null {
    const h = this.history(event);
    if (h.length === 0) return null;
    let hi = 0;
    let lo = Infinity;
    for (const [, ms] of h) {
      hi = Math.max(hi, ms);
      lo = Math.min(lo, ms);
    }
    const ROWS = 6;
    const lines: string[] = [];
    lines.push(`${event}: ${h.length} sample(s), highest ${hi} ms, lowest ${lo} ms, all-time highest ${this.max(event)} ms`);
    lines.push('='.repeat(Math.max(40, h.length + 8)));
    const level = (ms: number): number => (hi === lo ? ROWS : Math.max(1, Math.round(((ms - lo) / (hi - lo)) * (ROWS - 1)) + 1));
    const levels = h.map(([, ms]) => level(ms));
    for (let r = ROWS; r >= 1; r--) {
      const label = r === ROWS ? String(hi).padStart(6) : r === 1 ? String(lo).padStart(6) : ''.padStart(6);
      let row = '';
      for (const l of levels) row += l >= r ? (l === r ? 'o' : '|') : ' ';
      lines.push(`${label} |${row.trimEnd()}`);
    }
    lines.push(`${'ms'.padStart(6)} +${'-'.repeat(h.length)}`);
    // seconds ago, one character per column, printed vertically
    const ago = h.map(([t]) => agoLabel(now - t));
    const depth = Math.max(...ago.map((a) => a.length));
    for (let d = 0; d < depth; d++) {
      let row = '';
      for (const a of ago) row += a[d] ?? ' ';
      lines.push(`${''.padStart(6)}  ${row.trimEnd()}`);
    }
    lines.push('(columns: samples oldest to newest; below them: how long ago, s = seconds, m = minutes)');
    return lines.join('\n') + '\n';
  }

  /** A human-readable report on the events (LATENCY DOCTOR). */
  doctor(thresholdMs: number, slowlogMicros: number): string {
    const out: string[] = [];
    if (this.events.size === 0) {
      if (thresholdMs === 0) {
        out.push(
          'Latency monitoring is disabled on this respdb server (latency-monitor-threshold is 0), so no latency spike can be reported.',
          'Enable it with CONFIG SET latency-monitor-threshold <milliseconds>: events that take at least that long are then recorded.',
        );
      } else {
        out.push(`No latency spike of ${thresholdMs} ms or more was recorded since this respdb server started (or since LATENCY RESET).`);
      }
      return out.join('\n') + '\n';
    }
    out.push(`Latency report: ${this.events.size} event type(s) reached the threshold of ${thresholdMs} ms.`, '');
    let i = 1;
    const advice = new Set<string>();
    for (const [name, s] of this.events) {
      const h = this.history(name);
      const sum = h.reduce((a, [, ms]) => a + ms, 0);
      const avg = h.length ? sum / h.length : 0;
      const dev = h.length ? h.reduce((a, [, ms]) => a + Math.abs(ms - avg), 0) / h.length : 0;
      const span = h.length > 1 ? h[h.length - 1][0] - h[0][0] : 0;
      const period = h.length > 1 ? span / (h.length - 1) : 0;
      const often = h.length > 1 ? `one every ${period.toFixed(2)} s on average` : 'a single one';
      out.push(
        `${i++}. ${name}: ${h.length} spike(s) kept, average ${Math.round(avg)} ms, mean deviation ${Math.round(dev)} ms, ` +
          `${often}. Highest ever: ${s.max} ms.`,
      );
      for (const a of EVENT_ADVICE[name] ?? []) advice.add(a);
      if ((name === 'command' || name === 'fast-command') && (slowlogMicros < 0 || slowlogMicros > thresholdMs * 1000)) {
        advice.add(
          `The slow log records fewer commands than the latency monitor sees: CONFIG SET slowlog-log-slower-than ${thresholdMs * 1000} ` +
            'logs every command at or above the latency threshold, so SLOWLOG GET shows which ones they are.',
        );
      }
    }
    if (advice.size > 0) {
      out.push('', 'What may help:', '');
      for (const a of advice) out.push(`- ${a}`);
    }
    return out.join('\n') + '\n';
  }
}

const EVENT_ADVICE: Record<string, string[]> = {
  command: [
    'Slow commands (not flagged fast) went over the threshold: look at SLOWLOG GET for them. Commands that scan whole keyspaces or large collections (KEYS, SMEMBERS, HGETALL, LRANGE 0 -1, SORT, *STORE on big sets) cost time proportional to their size: prefer SCAN / SSCAN / HSCAN / ZSCAN and smaller ranges.',
  ],
  'fast-command': [
    'Commands flagged fast (O(1) or O(log N)) went over the threshold: the machine may be overloaded or swapping, or values are very large (a GET or SET of many megabytes copies them).',
  ],
  'expire-cycle': [
    "A shard's expiry and garbage sweep tick took long: many keys expiring at the same moment, or very large deleted collections being collected. Spread expiry times out (add some randomness to TTLs) and split very large collections.",
  ],
  'aof-fsync-always': [
    'With appendfsync always every write waits for an fsync of its shard: a slow or busy disk shows here. appendfsync everysec bounds the loss window to about a second and takes the fsync off the reply path.',
  ],
};

function agoLabel(sec: number): string {
  if (sec < 0) sec = 0;
  if (sec < 60) return `${sec}s`;
  return `${Math.floor(sec / 60)}m`;
}

// ------------------------------------------------------------------------------------------------
// Per-command histograms
// ------------------------------------------------------------------------------------------------

/** Buckets: 2^10 ns .. 2^30 ns (Redis clamps durations to 1 ns .. 1 s). */
export const HIST_BUCKETS = 21;
/** Upper bound of each bucket in ns (highest equivalent value with 2 significant digits). */
const BUCKET_MAX_NS: number[] = [];
/** Label of each bucket in µs, as LATENCY HISTOGRAM prints it. */
export const BUCKET_USEC: number[] = [];
for (let k = 0; k < HIST_BUCKETS; k++) {
  const ns = 2 ** (10 + k) + 2 ** (3 + k) - 1;
  BUCKET_MAX_NS.push(ns);
  BUCKET_USEC.push(Math.floor(ns / 1000));
}
// The last level (2^30 ns) lies past the histogram's range (1 s): Redis 7.0 prints it as 2^30 ns.
BUCKET_USEC[HIST_BUCKETS - 1] = Math.floor(2 ** 30 / 1000);
const MAX_NS = 1e9;

/** The bucket of a duration given in µs (whole µs, as Redis measures). */
export function bucketOf(micros: number): number {
  let ns = Math.floor(micros) * 1000;
  if (ns < 1) ns = 1;
  else if (ns > MAX_NS) ns = MAX_NS;
  // ns >= 2^p (p = its highest bit): bucket p-11 ends below 2^p, so step up from there (at most twice)
  let k = 31 - Math.clz32(ns) - 11;
  if (k < 0) k = 0;
  while (ns > BUCKET_MAX_NS[k]) k++;
  return k;
}

// ------------------------------------------------------------------------------------------------
// State shared with a shard
// ------------------------------------------------------------------------------------------------

/** Header slots (float64) of a DiagShared buffer. */
const H_CARRY = 0; // µs at or above which a command's duration goes back with its reply
const H_SLOWLOG = 1; // µs at or above which the slow log wants the command's arguments too
const H_LATENCY = 2; // µs at or above which a shard's own events (expiry, fsync) are reported
const H_TRACKING = 3; // 1: count durations in the histograms (latency-tracking yes)
const HEADER = 8;

/**
 * Thresholds and histogram counters one shard shares with the main thread. The main thread
 * writes the header (on CONFIG SET); the shard writes the counters of the commands it ran whose
 * duration it did not send back (the main thread counts those itself).
 */
export class DiagShared {
  readonly sab: SharedArrayBuffer;
  private readonly h: Float64Array;
  /** [command index * HIST_BUCKETS + bucket] -> count */
  readonly counts: Float64Array;

  constructor(commands: number, sab?: SharedArrayBuffer) {
    this.sab = sab ?? new SharedArrayBuffer(8 * (HEADER + commands * HIST_BUCKETS));
    this.h = new Float64Array(this.sab, 0, HEADER);
    this.counts = new Float64Array(this.sab, 8 * HEADER);
  }

  /** Durations (µs) at or above `carry` are sent back with the reply. */
  get carry(): number {
    return this.h[H_CARRY];
  }

  get slowlogMicros(): number {
    return this.h[H_SLOWLOG];
  }

  get latencyMicros(): number {
    return this.h[H_LATENCY];
  }

  get tracking(): boolean {
    return this.h[H_TRACKING] === 1;
  }

  setThresholds(slowlogMicros: number, latencyMicros: number, tracking: boolean): void {
    this.h[H_SLOWLOG] = slowlogMicros;
    this.h[H_LATENCY] = latencyMicros;
    this.h[H_TRACKING] = tracking ? 1 : 0;
    this.h[H_CARRY] = Math.min(slowlogMicros, latencyMicros);
  }

  /** Counts one call of command `index` that took `micros`. */
  record(index: number, micros: number): void {
    const at = index * HIST_BUCKETS + bucketOf(micros);
    if (at < this.counts.length) this.counts[at]++;
  }

  /** Adds this table's counts of command `index` to `into` (HIST_BUCKETS long). */
  addTo(index: number, into: Float64Array): void {
    const base = index * HIST_BUCKETS;
    if (base + HIST_BUCKETS > this.counts.length) return;
    for (let k = 0; k < HIST_BUCKETS; k++) into[k] += this.counts[base + k];
  }

  clearCounts(): void {
    this.counts.fill(0);
  }
}

// ------------------------------------------------------------------------------------------------
// The main thread's diagnostics state
// ------------------------------------------------------------------------------------------------

/** Options that change what Diagnostics measures (read again when one changes). */
const WATCHED = new Set(['slowlog-log-slower-than', 'slowlog-max-len', 'latency-monitor-threshold', 'latency-tracking']);

export class Diagnostics {
  readonly slowlog = new SlowLog();
  readonly latency = new LatencyMonitor();
  /** Per shard: thresholds it reads and the histogram counts it keeps. */
  private readonly shared: DiagShared[] = [];
  /** Histogram counts of everything measured on this thread (created on first use). */
  private mainCounts: DiagShared | null = null;
  /** µs; Infinity when the slow log is off (slowlog-log-slower-than -1). */
  private slowMicros = Infinity;
  private maxLen = 128;
  /** latency-monitor-threshold in ms (0 = off) and in µs (Infinity = off). */
  private latencyMs = 0;
  private latencyMicros = Infinity;
  /** Durations below this (µs) only go to the histogram. */
  private carry = Infinity;
  private tracking = true;

  constructor(private readonly config: Config) {
    this.load();
    config.on('change', (name: string) => {
      if (WATCHED.has(name)) this.load();
    });
  }

  private load(): void {
    const c = this.config;
    const slow = c.num('slowlog-log-slower-than');
    this.slowMicros = slow < 0 ? Infinity : slow;
    this.maxLen = c.num('slowlog-max-len');
    this.latencyMs = c.num('latency-monitor-threshold');
    this.latencyMicros = this.latencyMs > 0 ? this.latencyMs * 1000 : Infinity;
    this.tracking = c.bool('latency-tracking');
    this.carry = Math.min(this.slowMicros, this.latencyMicros);
    for (const s of this.shared) s.setThresholds(this.slowMicros, this.latencyMicros, this.tracking);
  }

  /** The shared state for shard `i` (its ShardInit.diagSab), created with the current thresholds. */
  shardSab(i: number): SharedArrayBuffer {
    const s = new DiagShared(ALL.length);
    s.setThresholds(this.slowMicros, this.latencyMicros, this.tracking);
    this.shared[i] = s;
    return s.sab;
  }

  private counts(): DiagShared {
    return (this.mainCounts ??= new DiagShared(ALL.length));
  }

  /**
   * THE entry point: `conn` executed `def` (a subcommand's own def for container commands) with
   * `args` (as the client sent them, command name included) and it took `micros` µs. Feeds the
   * per-command histogram, the latency monitor ("command" / "fast-command") and the slow log.
   * Call it once per executed command (not for commands rejected before running: unknown,
   * arity, NOAUTH), on the main thread, once the command has run. `args` are copied as needed.
   */
  commandDone(conn: Connection, args: Buffer[], def: CommandDef, micros: number): void {
    if (micros < this.carry) {
      if (this.tracking) this.counts().record(def.index!, micros);
      return;
    }
    this.over(conn, def, micros, args, null);
  }

  /**
   * A shard sent back the duration of a client's command it ran (at or above the carry threshold
   * when it ran), with the arguments already shaped for the slow log when it wanted them.
   */
  shardDone(conn: Connection, def: CommandDef, micros: number, shaped: Buffer[] | null): void {
    if (micros < this.carry) {
      // thresholds were raised meanwhile: the shard did not count it, so count it here
      if (this.tracking) this.counts().record(def.index!, micros);
      return;
    }
    this.over(conn, def, micros, null, shaped);
  }

  private over(conn: Connection, def: CommandDef, micros: number, raw: Buffer[] | null, shaped: Buffer[] | null): void {
    const us = Math.floor(micros);
    if (this.tracking) this.counts().record(def.index!, us);
    if (us >= this.latencyMicros) this.latency.add(def.flags.includes('fast') ? 'fast-command' : 'command', Math.floor(us / 1000));
    if (us >= this.slowMicros && !def.flags.includes('skip_slowlog')) {
      const entry = shaped ?? (raw ? slowlogArgs(raw, redactedArgs(def.name, raw)) : null);
      if (entry) this.slowlog.push(entry, us, conn.addr, conn.name, this.maxLen);
    }
  }

  /** An event measured elsewhere (a shard's expire-cycle, aof-fsync-always) took `ms`. */
  event(name: string, ms: number): void {
    if (this.latencyMs > 0 && ms >= this.latencyMs) this.latency.add(name, Math.floor(ms));
  }

  /** CONFIG RESETSTAT: the per-command histograms start again (as Redis's do). */
  resetStats(): void {
    this.mainCounts?.clearCounts();
    for (const s of this.shared) s.clearCounts();
  }

  /** A command's histogram: counts per bucket over this thread and every shard. */
  histogram(def: CommandDef): Float64Array {
    const h = new Float64Array(HIST_BUCKETS);
    this.mainCounts?.addTo(def.index!, h);
    for (const s of this.shared) s.addTo(def.index!, h);
    return h;
  }

  get latencyThreshold(): number {
    return this.latencyMs;
  }

  get slowlogThreshold(): number {
    return this.slowMicros === Infinity ? -1 : this.slowMicros;
  }
}
