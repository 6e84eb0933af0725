// Which scripts are running, where, and for how long: one SharedArrayBuffer that every thread
// running scripts (each shard, the cross-shard script thread) and the main thread see.
//
// A runner marks its slot when a script starts; Lua's count hook (ScriptHost.interrupted) reads the
// clock and the slot's kill word. Past busy-reply-threshold the slot turns busy and the busy count
// goes up: from then on the main thread answers other clients -BUSY (one Int32 read per command
// while nothing is busy). SCRIPT KILL / FUNCTION KILL set the kill word of a busy script that has
// not written; SHUTDOWN NOSAVE stops every running script, written or not (its writes are
// abandoned with its transaction).

/** Script kinds, as the BUSY and KILL texts name them. */
export const KIND_EVAL = 0;
export const KIND_FUNCTION = 1;

const IDLE = 0;
const RUNNING = 1;
const BUSY = 2;

const KILL_NONE = 0;
const KILL_USER = 1;
const KILL_SHUTDOWN = 2;

// Int32 words: [0] busy count, [1] threshold ms; per slot: state, kind, wrote, kill, then the
// start time as a float64 (8-byte aligned).
const HEADER_WORDS = 4;
const SLOT_WORDS = 8;

export const KILLED_BY_USER = 'ERR Script killed by user with SCRIPT KILL...';
export const KILLED_BY_SHUTDOWN = 'ERR Script killed by a SHUTDOWN NOSAVE';

export type KillResult = 'ok' | 'notbusy' | 'unkillable' | 'other-kind';

export class BusyBoard {
  readonly sab: SharedArrayBuffer;
  private readonly i32: Int32Array;
  private readonly f64: Float64Array;
  readonly slots: number;

  constructor(slots: number, sab?: SharedArrayBuffer) {
    this.slots = slots;
    this.sab = sab ?? new SharedArrayBuffer((HEADER_WORDS + slots * SLOT_WORDS) * 4);
    this.i32 = new Int32Array(this.sab);
    this.f64 = new Float64Array(this.sab);
  }

  private base(slot: number): number {
    return HEADER_WORDS + slot * SLOT_WORDS;
  }

  // ---- the main thread

  /** Some script has run past the threshold: other clients get -BUSY. */
  get busy(): boolean {
    return this.i32[0] !== 0;
  }

  set thresholdMs(ms: number) {
    Atomics.store(this.i32, 1, Math.max(0, Math.min(ms, 0x7fffffff)));
  }

  /** The kind of the busy script (the BUSY text names its KILL command), -1 when none is busy. */
  busyKind(): number {
    for (let s = 0; s < this.slots; s++) {
      const b = this.base(s);
      if (Atomics.load(this.i32, b) === BUSY) return this.i32[b + 1];
    }
    return -1;
  }

  /** SCRIPT KILL (KIND_EVAL) / FUNCTION KILL (KIND_FUNCTION). */
  kill(kind: number): KillResult {
    let result: KillResult = 'notbusy';
    for (let s = 0; s < this.slots; s++) {
      const b = this.base(s);
      if (Atomics.load(this.i32, b) !== BUSY) continue;
      if (this.i32[b + 1] !== kind) {
        if (result === 'notbusy') result = 'other-kind';
        continue;
      }
      if (Atomics.load(this.i32, b + 2) !== 0) {
        if (result !== 'ok') result = 'unkillable';
        continue;
      }
      Atomics.store(this.i32, b + 3, KILL_USER);
      result = 'ok';
    }
    return result;
  }

  /** Whether a busy script has written (SHUTDOWN without NOSAVE is refused then, as Redis). */
  busyWrote(): boolean {
    for (let s = 0; s < this.slots; s++) {
      const b = this.base(s);
      if (Atomics.load(this.i32, b) === BUSY && Atomics.load(this.i32, b + 2) !== 0) return true;
    }
    return false;
  }

  /** SHUTDOWN NOSAVE: every running script stops at its next hook. */
  stopAll(): void {
    for (let s = 0; s < this.slots; s++) {
      const b = this.base(s);
      if (Atomics.load(this.i32, b) !== IDLE) Atomics.store(this.i32, b + 3, KILL_SHUTDOWN);
    }
  }

  /** Milliseconds the busy script has run, and its slot (FUNCTION STATS), or null. */
  running(): { slot: number; kind: number; ms: number } | null {
    for (let s = 0; s < this.slots; s++) {
      const b = this.base(s);
      if (Atomics.load(this.i32, b) !== IDLE) return { slot: s, kind: this.i32[b + 1], ms: Date.now() - this.f64[(b + 4) >> 1] };
    }
    return null;
  }

  // ---- the thread running a script in `slot`

  begin(slot: number, kind: number, now: number): void {
    const b = this.base(slot);
    this.i32[b + 1] = kind;
    this.i32[b + 2] = 0;
    this.i32[b + 3] = KILL_NONE;
    this.f64[(b + 4) >> 1] = now;
    Atomics.store(this.i32, b, RUNNING);
  }

  /** The script wrote: SCRIPT KILL can no longer stop it. */
  wrote(slot: number): void {
    const b = this.base(slot);
    if (this.i32[b + 2] === 0) Atomics.store(this.i32, b + 2, 1);
  }

  /** From the count hook: the error to stop the script with, or null. Turns the slot busy past the threshold. */
  check(slot: number): string | null {
    const b = this.base(slot);
    const kill = Atomics.load(this.i32, b + 3);
    if (kill !== KILL_NONE) return kill === KILL_USER ? KILLED_BY_USER : KILLED_BY_SHUTDOWN;
    if (this.i32[b] === RUNNING && Date.now() - this.f64[(b + 4) >> 1] >= Atomics.load(this.i32, 1)) {
      Atomics.store(this.i32, b, BUSY);
      Atomics.add(this.i32, 0, 1);
    }
    return null;
  }

  /** The script stopped by SHUTDOWN NOSAVE: its writes must not be kept. */
  stoppedByShutdown(slot: number): boolean {
    return Atomics.load(this.i32, this.base(slot) + 3) === KILL_SHUTDOWN;
  }

  end(slot: number): void {
    const b = this.base(slot);
    if (Atomics.exchange(this.i32, b, IDLE) === BUSY) Atomics.sub(this.i32, 0, 1);
  }
}
