// Keyspace events as a shard collects them: Redis 7.0's event names and classes, and the log a
// write transaction fills while notifications (notify-keyspace-events) or reports of modified keys
// (client tracking) are on. Events are derived from the one write path: every effect logged to
// the binlog (ShardStore.appendBinlog) names its keys and, through the command table, its events
// (lib/shard/key-events.ts); the store adds what only it sees: a key created (`new`), a
// collection emptied (`del` after the command's event), a read that missed (`keymiss`), an expiry.
// The log is sent to the main thread with the reply of the request that caused it, after the
// commit (lib/shard/runtime.ts), and published there (lib/notifications.ts).
//
// A record is [u8 code][u8 db][u8 channels][u32 LE key length][key]: code is an event id (EV), or
// one of the REC_* reports below; channels, for an event, the NOTIFY_KEYSPACE / NOTIFY_KEYEVENT
// bits in force when it happened (the main thread publishes on those, whatever the setting is by
// the time the record arrives).

// Redis's NOTIFY_* classes (server.h), the bits of notify-keyspace-events.
export const NOTIFY_KEYSPACE = 1 << 0; // K
export const NOTIFY_KEYEVENT = 1 << 1; // E
export const NOTIFY_GENERIC = 1 << 2; // g
export const NOTIFY_STRING = 1 << 3; // $
export const NOTIFY_LIST = 1 << 4; // l
export const NOTIFY_SET = 1 << 5; // s
export const NOTIFY_HASH = 1 << 6; // h
export const NOTIFY_ZSET = 1 << 7; // z
export const NOTIFY_EXPIRED = 1 << 8; // x
export const NOTIFY_EVICTED = 1 << 9; // e
export const NOTIFY_STREAM = 1 << 10; // t
export const NOTIFY_KEY_MISS = 1 << 11; // m
export const NOTIFY_MODULE = 1 << 13; // d
export const NOTIFY_NEW = 1 << 14; // n
/** 'A': every class but m and n, as Redis defines it. */
export const NOTIFY_ALL =
  NOTIFY_GENERIC | NOTIFY_STRING | NOTIFY_LIST | NOTIFY_SET | NOTIFY_HASH | NOTIFY_ZSET | NOTIFY_EXPIRED | NOTIFY_EVICTED | NOTIFY_STREAM | NOTIFY_MODULE;
/** In the shard's switch word beside the classes: report every modified key (client tracking). */
export const REPORT_MODIFIED = 1 << 20;

/** Every event Redis 7.0 emits for the commands respdb has, with its class. */
const EVENT_TABLE = [
  ['del', NOTIFY_GENERIC],
  ['expire', NOTIFY_GENERIC],
  ['persist', NOTIFY_GENERIC],
  ['rename_from', NOTIFY_GENERIC],
  ['rename_to', NOTIFY_GENERIC],
  ['move_from', NOTIFY_GENERIC],
  ['move_to', NOTIFY_GENERIC],
  ['copy_to', NOTIFY_GENERIC],
  ['restore', NOTIFY_GENERIC],
  ['set', NOTIFY_STRING],
  ['setrange', NOTIFY_STRING],
  ['incrby', NOTIFY_STRING],
  ['decrby', NOTIFY_STRING],
  ['incrbyfloat', NOTIFY_STRING],
  ['append', NOTIFY_STRING],
  ['lpush', NOTIFY_LIST],
  ['rpush', NOTIFY_LIST],
  ['lpop', NOTIFY_LIST],
  ['rpop', NOTIFY_LIST],
  ['linsert', NOTIFY_LIST],
  ['lset', NOTIFY_LIST],
  ['lrem', NOTIFY_LIST],
  ['ltrim', NOTIFY_LIST],
  ['sortstore', NOTIFY_LIST],
  ['sadd', NOTIFY_SET],
  ['srem', NOTIFY_SET],
  ['spop', NOTIFY_SET],
  ['sinterstore', NOTIFY_SET],
  ['sunionstore', NOTIFY_SET],
  ['sdiffstore', NOTIFY_SET],
  ['hset', NOTIFY_HASH],
  ['hdel', NOTIFY_HASH],
  ['hincrby', NOTIFY_HASH],
  ['hincrbyfloat', NOTIFY_HASH],
  ['zadd', NOTIFY_ZSET],
  ['zincr', NOTIFY_ZSET],
  ['zrem', NOTIFY_ZSET],
  ['zremrangebyscore', NOTIFY_ZSET],
  ['zremrangebyrank', NOTIFY_ZSET],
  ['zremrangebylex', NOTIFY_ZSET],
  ['zpopmin', NOTIFY_ZSET],
  ['zpopmax', NOTIFY_ZSET],
  ['zinterstore', NOTIFY_ZSET],
  ['zunionstore', NOTIFY_ZSET],
  ['zdiffstore', NOTIFY_ZSET],
  ['zrangestore', NOTIFY_ZSET],
  ['xadd', NOTIFY_STREAM],
  ['xtrim', NOTIFY_STREAM],
  ['xdel', NOTIFY_STREAM],
  ['xsetid', NOTIFY_STREAM],
  ['expired', NOTIFY_EXPIRED],
  ['evicted', NOTIFY_EVICTED],
  ['new', NOTIFY_NEW],
  ['keymiss', NOTIFY_KEY_MISS],
] as const;

export type EventName = (typeof EVENT_TABLE)[number][0];

/** An event's id (1..): what store rooms and table entries state, and what records carry. */
export const EV = {} as Record<EventName | 'none', number>;
/** No event: an effect whose events its command states otherwise (a key re-created from a dump). */
EV.none = 0;
/** Event id -> its name (bytes, for the channels and messages) and its class. */
export const EVENT_NAMES: Buffer[] = [Buffer.alloc(0)];
export const EVENT_CLASS: number[] = [0];
EVENT_TABLE.forEach(([name, cls], i) => {
  EV[name] = i + 1;
  EVENT_NAMES.push(Buffer.from(name, 'latin1'));
  EVENT_CLASS.push(cls);
});

/** The id of an event name, 0 when it is none of Redis's. */
export function eventId(name: string): number {
  return (EV as Record<string, number>)[name] ?? 0;
}

// Reports in the same stream, for the tracking side (lib/notifications.ts onModified/onFlushed).
/** A key a client's command modified. */
export const REC_MODIFIED = 250;
/** A key the server modified on its own (an expiry): no client caused it. */
export const REC_MODIFIED_BY_SERVER = 251;
/** A database was flushed (db 255: all of them); no key. */
export const REC_FLUSHED = 252;
/** Ends the records of one command of a group (an EXEC's commands on one shard); no key. */
export const REC_COMMAND_END = 253;

/** What the store tells its log about keys and effects (ShardStore calls these when `active`). */
export class KeyEventLog {
  /** Collect anything at all: notifications with K or E and some class, or modified-key reports. */
  active = false;
  /** Classes whose events are published (0 without K and E). */
  publish = 0;
  /** Report modified keys (REPORT_MODIFIED). */
  report = false;
  /** The channels events go to: NOTIFY_KEYSPACE and/or NOTIFY_KEYEVENT. */
  private channels = 0;
  /** `new` is published: creations are noted (and blind writes, which cannot tell, avoided). */
  wantsNew = false;
  /** `keymiss` is published. */
  wantsMiss = false;
  /** Derives the events of a binlog effect (installed by the shard: it needs the command table). */
  deriveEffect: ((log: KeyEventLog, db: number, args: Buffer[], ev: number) => void) | null = null;

  private buf = Buffer.allocUnsafe(4096);
  private len = 0;
  /** Records written since the last take(). */
  count = 0;
  /** Keys created in the running command whose `new` has not been written yet: [db, key] pairs. */
  private created: Array<[number, Buffer]> = [];
  /** Collections emptied in the running command whose `del` follows their next event. */
  private emptied: Array<[number, Buffer]> = [];
  private static readonly SHRINK = 1 << 20;

  /** The switch word last applied (configure). */
  word = 0;

  /** Applies the switch word (NOTIFY_* classes | REPORT_MODIFIED), as the main thread set it. */
  configure(word: number): void {
    this.word = word;
    this.publish = word & (NOTIFY_KEYSPACE | NOTIFY_KEYEVENT) ? word & ~(NOTIFY_KEYSPACE | NOTIFY_KEYEVENT | REPORT_MODIFIED) : 0;
    this.report = (word & REPORT_MODIFIED) !== 0;
    this.channels = word & (NOTIFY_KEYSPACE | NOTIFY_KEYEVENT);
    this.active = this.publish !== 0 || this.report;
    this.wantsNew = (this.publish & NOTIFY_NEW) !== 0;
    this.wantsMiss = (this.publish & NOTIFY_KEY_MISS) !== 0;
  }

  /** A binlog effect of the running command; `ev` undefined: its own events (from the table). */
  effect(db: number, args: Buffer[], ev: number | undefined): void {
    this.deriveEffect!(this, db, args, ev === undefined ? -1 : ev);
  }

  /**
   * Event `ev` on `key`: written when its class is published, after the key's pending `new` and
   * before its pending `del` (Redis's order: the key is created, the command's event, the emptied
   * collection deleted). An explicit `new` takes the pending one's place. Every event but `new`
   * is also a modification of the key, reported when reports are on.
   */
  event(db: number, key: Buffer, ev: number): void {
    if (this.report && ev !== EV.new) this.put(ev === EV.expired ? REC_MODIFIED_BY_SERVER : REC_MODIFIED, db, key, 0);
    if (this.publish === 0) return;
    if (this.created.length !== 0) {
      const i = indexOf(this.created, db, key);
      if (i >= 0) {
        this.created.splice(i, 1);
        if (ev !== EV.new) this.write(EV.new, db, key);
      }
    }
    this.write(ev, db, key);
    if (this.emptied.length !== 0) {
      const i = indexOf(this.emptied, db, key);
      if (i >= 0) {
        this.emptied.splice(i, 1);
        this.write(EV.del, db, key);
      }
    }
  }

  /** A key was created (Redis's dbAdd): its `new` precedes its first event. */
  keyCreated(db: number, key: Buffer): void {
    if (this.wantsNew && indexOf(this.created, db, key) < 0) this.created.push([db, Buffer.from(key)]);
  }

  /** A collection lost its last member and was deleted: `del` follows its next event. */
  keyEmptied(db: number, key: Buffer): void {
    if (this.publish & NOTIFY_GENERIC && indexOf(this.emptied, db, key) < 0) this.emptied.push([db, Buffer.from(key)]);
  }

  /** A read found no key. */
  keyMiss(db: number, key: Buffer): void {
    this.write(EV.keymiss, db, key);
  }

  /** A key the running command modified without an event of its own (for the tracking side). */
  modified(db: number, key: Buffer): void {
    if (this.report) this.put(REC_MODIFIED, db, key, 0);
  }

  /** Database `db` (-1: every one) was flushed. */
  flushed(db: number): void {
    if (this.report) this.put(REC_FLUSHED, db < 0 ? 255 : db, EMPTY, 0);
  }

  /**
   * End of one command of a group that runs several (an EXEC's on this shard): its records are
   * closed by a REC_COMMAND_END, so the main thread can put them in the order of the EXEC's
   * commands across shards (splitCommands).
   */
  commandEnd(): void {
    this.endCommand();
    this.put(REC_COMMAND_END, 0, EMPTY, 0);
  }

  /** End of a command: what is still pending is written in order (creations, then deletions). */
  endCommand(): void {
    if (this.created.length !== 0) {
      for (const [db, key] of this.created) this.write(EV.new, db, key);
      this.created.length = 0;
    }
    if (this.emptied.length !== 0) {
      for (const [db, key] of this.emptied) this.write(EV.del, db, key);
      this.emptied.length = 0;
    }
  }

  /** The records written since the last take (a view valid until the next write). */
  records(): Buffer {
    return this.buf.subarray(0, this.len);
  }

  /** Forgets the records (they were sent, or their transaction was aborted). */
  clear(): void {
    this.len = 0;
    this.count = 0;
    this.created.length = 0;
    this.emptied.length = 0;
    if (this.buf.length > KeyEventLog.SHRINK) this.buf = Buffer.allocUnsafe(4096);
  }

  private write(ev: number, db: number, key: Buffer): void {
    if (this.publish & EVENT_CLASS[ev]) this.put(ev, db, key, this.channels);
  }

  private put(code: number, db: number, key: Uint8Array, channels: number): void {
    const need = this.len + REC_HEAD + key.length;
    if (need > this.buf.length) {
      const nb = Buffer.allocUnsafe(Math.max(need, this.buf.length * 2));
      this.buf.copy(nb, 0, 0, this.len);
      this.buf = nb;
    }
    const b = this.buf;
    const p = this.len;
    b[p] = code;
    b[p + 1] = db;
    b[p + 2] = channels;
    b.writeUInt32LE(key.length, p + 3);
    b.set(key, p + REC_HEAD);
    this.len = need;
    this.count++;
  }
}

const EMPTY = Buffer.alloc(0);
/** A record's bytes before its key. */
const REC_HEAD = 7;

function indexOf(list: Array<[number, Buffer]>, db: number, key: Buffer): number {
  for (let i = 0; i < list.length; i++) if (list[i][0] === db && list[i][1].equals(key)) return i;
  return -1;
}

/** Walks records (as KeyEventLog wrote them) in b[start, end). */
export function forEachRecord(b: Buffer, start: number, end: number, fn: (code: number, db: number, key: Buffer, channels: number) => void): void {
  for (let p = start; p + REC_HEAD <= end; ) {
    const len = b.readUInt32LE(p + 3);
    fn(b[p], b[p + 1], b.subarray(p + REC_HEAD, p + REC_HEAD + len), b[p + 2]);
    p += REC_HEAD + len;
  }
}

/** notify-keyspace-events' letters and their classes (Redis's keyspaceEventsStringToFlags). */
const CLASS_LETTERS: ReadonlyArray<[string, number]> = [
  ['A', NOTIFY_ALL],
  ['g', NOTIFY_GENERIC],
  ['$', NOTIFY_STRING],
  ['l', NOTIFY_LIST],
  ['s', NOTIFY_SET],
  ['h', NOTIFY_HASH],
  ['z', NOTIFY_ZSET],
  ['x', NOTIFY_EXPIRED],
  ['e', NOTIFY_EVICTED],
  ['K', NOTIFY_KEYSPACE],
  ['E', NOTIFY_KEYEVENT],
  ['t', NOTIFY_STREAM],
  ['m', NOTIFY_KEY_MISS],
  ['d', NOTIFY_MODULE],
  ['n', NOTIFY_NEW],
];

/** The letters CONFIG GET shows before K, E and m, in its order (when not all of 'A'). */
const SHOWN_CLASSES = 'g$lshzxetdn'.split('').map((l) => CLASS_LETTERS.find(([c]) => c === l)!);

/** The classes of a notify-keyspace-events value, null when it holds another character. */
export function parseNotifyClasses(text: string): number | null {
  let flags = 0;
  for (const c of text) {
    const hit = CLASS_LETTERS.find(([l]) => l === c);
    if (!hit) return null;
    flags |= hit[1];
  }
  return flags;
}

/**
 * The value CONFIG GET shows for some classes (Redis's keyspaceEventsFlagsToString): 'A' for all
 * of its classes, else each letter, then K, E and m. Like Redis, 'n' is not shown beside 'A'.
 */
export function notifyClassesText(flags: number): string {
  let s = '';
  if ((flags & NOTIFY_ALL) === NOTIFY_ALL) s = 'A';
  else for (const [letter, bit] of SHOWN_CLASSES) if (flags & bit) s += letter;
  if (flags & NOTIFY_KEYSPACE) s += 'K';
  if (flags & NOTIFY_KEYEVENT) s += 'E';
  if (flags & NOTIFY_KEY_MISS) s += 'm';
  return s;
}

/** CONFIG SET's complaint about a notify-keyspace-events value. */
export const NOTIFY_CLASS_ERROR = "Invalid event class character. Use 'Ag$lshzxeKEtmdn'.";

/**
 * The records of a command whose keys were split per shard (scatter parts: MSET, DEL, MGET...), in
 * the order one server would have produced them: the events key by key in the command's order
 * (for each occurrence of a key, from its shard's part: its `expired` and `new`, then one more
 * event), the reports of modified keys first (in key order as well: client tracking invalidates
 * in the order Redis signals the keys).
 * `owner[i]`: the part holding keys[i].
 */
export function mergeParts(keys: readonly Buffer[], owner: readonly number[], parts: ReadonlyMap<number, Buffer>): Buffer {
  const reports = new Map<number, Buffer[]>();
  const events = new Map<number, Buffer[]>();
  for (const [s, part] of parts) {
    const evs: Buffer[] = [];
    const reps: Buffer[] = [];
    for (let p = 0; p + REC_HEAD <= part.length; ) {
      const end = p + REC_HEAD + part.readUInt32LE(p + 3);
      (part[p] < REC_MODIFIED ? evs : reps).push(part.subarray(p, end));
      p = end;
    }
    events.set(s, evs);
    reports.set(s, reps);
  }
  const out: Buffer[] = [];
  const nextReport = new Map<number, number>();
  for (let k = 0; k < keys.length; k++) {
    const reps = reports.get(owner[k]);
    if (!reps) continue;
    const i = nextReport.get(owner[k]) ?? 0;
    if (i < reps.length && reps[i].subarray(REC_HEAD).equals(keys[k])) {
      out.push(reps[i]);
      nextReport.set(owner[k], i + 1);
    }
  }
  for (const [s, reps] of reports) for (let i = nextReport.get(s) ?? 0; i < reps.length; i++) out.push(reps[i]);
  const next = new Map<number, number>();
  for (let k = 0; k < keys.length; k++) {
    const evs = events.get(owner[k]);
    if (!evs) continue;
    let i = next.get(owner[k]) ?? 0;
    // this occurrence of the key: what precedes its command's event (its expiry, its creation), then that event
    while (i < evs.length && evs[i].subarray(REC_HEAD).equals(keys[k])) {
      const code = evs[i][0];
      out.push(evs[i++]);
      if (code !== EV.new && code !== EV.expired) break;
    }
    next.set(owner[k], i);
  }
  for (const [s, evs] of events) for (let i = next.get(s) ?? 0; i < evs.length; i++) out.push(evs[i]);
  return Buffer.concat(out);
}

/** The records of a group's commands (closed by REC_COMMAND_END, commandEnd), one Buffer per command. */
export function splitCommands(records: Buffer): Buffer[] {
  const out: Buffer[] = [];
  let from = 0;
  for (let p = 0; p + REC_HEAD <= records.length; ) {
    const end = p + REC_HEAD + records.readUInt32LE(p + 3);
    if (records[p] === REC_COMMAND_END) {
      out.push(records.subarray(from, p));
      from = end;
    }
    p = end;
  }
  if (from < records.length) out.push(records.subarray(from));
  return out;
}
