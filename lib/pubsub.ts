// Pub/sub on the main thread: who listens to which channel, pattern and shard channel, and the
// delivery of published messages into the subscribers' output.
//
// A message is not a reply to any command of the subscriber, so it takes no reply position of
// its own (Connection.deliver): it follows whatever the subscriber's commands already produced.
// Publishing is synchronous, so messages from one publisher reach every subscriber in publish
// order. Each message is encoded once per protocol and kind, and the same bytes go to every
// subscriber of that kind (copied into a small output buffer, or shared as they are when big).
//
// The commands (SUBSCRIBE, PUBLISH, PUBSUB ...) are in lib/commands/pubsub.ts; other parts of the
// server (keyspace notifications) call `publish` directly.

import type { Connection } from './connection.js';
import { compileGlob, type GlobMatcher } from './glob.js';
import { decimalLength, writeDecimal } from './resp/number.js';

/** What a client subscribes to. */
export const SUB_CHANNEL = 0;
export const SUB_PATTERN = 1;
export const SUB_SHARD = 2;
export type SubKind = typeof SUB_CHANNEL | typeof SUB_PATTERN | typeof SUB_SHARD;

/** One client's subscriptions, by kind: the name's latin1 text -> the name. */
export class Subscriptions {
  readonly byKind: [Map<string, Buffer>, Map<string, Buffer>, Map<string, Buffer>] = [new Map(), new Map(), new Map()];
}

/** The subscribers of one channel, pattern or shard channel. */
interface Audience {
  readonly name: Buffer;
  readonly subs: Set<Connection>;
  /** Patterns only: the compiled glob. */
  readonly match: GlobMatcher | null;
}

/** Called after a message went into a subscriber's output (client-output-buffer-limit). */
export type DeliveryCheck = (conn: Connection) => void;

/**
 * Redis's stringmatchlen, as PSUBSCRIBE and PUBSUB CHANNELS use it: lib/glob.ts lets `*` match
 * the empty name too (KEYS and SCAN short-cut it in Redis), but here it does not.
 */
function globOf(pattern: Buffer): GlobMatcher {
  if (pattern.length === 1 && pattern[0] === 0x2a) return (s) => s.length > 0;
  return compileGlob(pattern);
}

const MESSAGE = bulkOf('message');
const PMESSAGE = bulkOf('pmessage');
const SMESSAGE = bulkOf('smessage');

function bulkOf(s: string): Buffer {
  return Buffer.from(`$${s.length}\r\n${s}\r\n`, 'latin1');
}

function bulkLength(b: Buffer): number {
  return 1 + decimalLength(b.length) + 2 + b.length + 2;
}

function writeBulk(out: Buffer, p: number, b: Buffer): number {
  out[p++] = 36; // $
  p = writeDecimal(out, p, b.length);
  out[p++] = 13;
  out[p++] = 10;
  p += b.copy(out, p);
  out[p++] = 13;
  out[p++] = 10;
  return p;
}

/** Bytes of a message frame (see writeMessage). */
function messageLength(kind: Buffer, pattern: Buffer | null, channel: Buffer, message: Buffer): number {
  return 4 + kind.length + (pattern === null ? 0 : bulkLength(pattern)) + bulkLength(channel) + bulkLength(message);
}

/**
 * Writes a message frame at `p`: a push (RESP3 `>`) or an array (RESP2 `*`) of the kind's name,
 * the pattern (pmessage), the channel and the payload. Returns the end.
 */
function writeMessage(out: Buffer, p: number, proto: number, kind: Buffer, pattern: Buffer | null, channel: Buffer, message: Buffer): number {
  out[p] = proto === 3 ? 62 /* > */ : 42; /* * */
  out[p + 1] = pattern === null ? 51 /* 3 */ : 52; /* 4 */
  out[p + 2] = 13;
  out[p + 3] = 10;
  p += 4 + kind.copy(out, p + 4);
  if (pattern !== null) p = writeBulk(out, p, pattern);
  p = writeBulk(out, p, channel);
  return writeBulk(out, p, message);
}

/**
 * Messages are written into arenas of this size, one per protocol, that are only ever appended
 * to: every subscriber's output takes a view of the bytes (Connection.deliverShared), and a run
 * of messages to the same subscribers stays one range of one arena. A bigger message gets a
 * buffer of its own.
 */
const ARENA = 64 * 1024;
const ARENA_MESSAGE_MAX = 8 * 1024;

export class PubSub {
  private readonly audiences: [Map<string, Audience>, Map<string, Audience>, Map<string, Audience>] = [new Map(), new Map(), new Map()];
  /** The arenas of RESP2 and RESP3 frames, and how far each is written. */
  private readonly arena: [Buffer | null, Buffer | null] = [null, null];
  private readonly arenaPos = [0, 0];
  /** Where the last frame encoded went: its buffer and range (encode's result). */
  private frameBuf: Buffer = Buffer.alloc(0);
  private frameStart = 0;

  /** `check` runs after each delivery to a subscriber (it may close the subscriber). */
  constructor(private readonly check: DeliveryCheck = () => {}) {}

  /**
   * Publishes `message` on `channel` to its subscribers and to the subscribers of every pattern
   * matching it; returns the number of receivers (a client subscribed through a channel and a
   * pattern counts twice, as in Redis). O(1) when nobody subscribes to anything.
   */
  publish(channel: Buffer, message: Buffer): number {
    const channels = this.audiences[SUB_CHANNEL];
    const patterns = this.audiences[SUB_PATTERN];
    if (channels.size === 0 && patterns.size === 0) return 0;
    let n = 0;
    if (channels.size !== 0) {
      const a = channels.get(channel.toString('latin1'));
      if (a !== undefined) n += this.send(a.subs, MESSAGE, null, channel, message);
    }
    if (patterns.size !== 0) {
      for (const a of patterns.values()) if (a.match!(channel)) n += this.send(a.subs, PMESSAGE, a.name, channel, message);
    }
    return n;
  }

  /** SPUBLISH: to the subscribers of a shard channel (patterns do not see shard channels). */
  publishShard(channel: Buffer, message: Buffer): number {
    const shard = this.audiences[SUB_SHARD];
    if (shard.size === 0) return 0;
    const a = shard.get(channel.toString('latin1'));
    return a === undefined ? 0 : this.send(a.subs, SMESSAGE, null, channel, message);
  }

  /**
   * Writes one message to each subscriber, encoded once per protocol (the subscribers share its
   * bytes). Every subscriber still registered counts, as in Redis (one being closed receives
   * nothing more).
   */
  private send(subs: Set<Connection>, kind: Buffer, pattern: Buffer | null, channel: Buffer, message: Buffer): number {
    const len = messageLength(kind, pattern, channel, message);
    let buf2: Buffer | null = null;
    let start2 = 0;
    let buf3: Buffer | null = null;
    let start3 = 0;
    for (const c of subs) {
      if (c.closed || c.closing) continue;
      if (c.proto === 3) {
        if (buf3 === null) {
          this.encode(1, len, kind, pattern, channel, message);
          buf3 = this.frameBuf;
          start3 = this.frameStart;
        }
        c.deliverShared(buf3, start3, start3 + len);
      } else {
        if (buf2 === null) {
          this.encode(0, len, kind, pattern, channel, message);
          buf2 = this.frameBuf;
          start2 = this.frameStart;
        }
        c.deliverShared(buf2, start2, start2 + len);
      }
      this.check(c);
    }
    return subs.size;
  }

  /** Encodes one frame for protocol slot `i` (0: RESP2, 1: RESP3) into frameBuf at frameStart. */
  private encode(i: 0 | 1, len: number, kind: Buffer, pattern: Buffer | null, channel: Buffer, message: Buffer): void {
    const proto = i === 0 ? 2 : 3;
    if (len > ARENA_MESSAGE_MAX) {
      this.frameBuf = Buffer.allocUnsafe(len);
      this.frameStart = 0;
      writeMessage(this.frameBuf, 0, proto, kind, pattern, channel, message);
      return;
    }
    let arena = this.arena[i];
    if (arena === null || this.arenaPos[i] + len > ARENA) {
      arena = this.arena[i] = Buffer.allocUnsafeSlow(ARENA);
      this.arenaPos[i] = 0;
    }
    this.frameBuf = arena;
    this.frameStart = this.arenaPos[i];
    this.arenaPos[i] = writeMessage(arena, this.frameStart, proto, kind, pattern, channel, message);
  }

  /** Subscribes `conn`; false when it already was. */
  subscribe(conn: Connection, kind: SubKind, name: Buffer): boolean {
    const own = (conn.subscriptions ??= new Subscriptions()).byKind[kind];
    const key = name.toString('latin1');
    if (own.has(key)) return false;
    const copy = Buffer.from(name);
    own.set(key, copy);
    conn.subscribed++;
    const all = this.audiences[kind];
    let a = all.get(key);
    if (a === undefined) {
      a = { name: copy, subs: new Set(), match: kind === SUB_PATTERN ? globOf(copy) : null };
      all.set(key, a);
    }
    a.subs.add(conn);
    return true;
  }

  /** Unsubscribes `conn`; false when it was not subscribed. */
  unsubscribe(conn: Connection, kind: SubKind, name: Buffer): boolean {
    return this.drop(conn, kind, name.toString('latin1'));
  }

  private drop(conn: Connection, kind: SubKind, key: string): boolean {
    const st = conn.subscriptions;
    if (st === null || !st.byKind[kind].delete(key)) return false;
    conn.subscribed--;
    const all = this.audiences[kind];
    const a = all.get(key);
    if (a !== undefined) {
      a.subs.delete(conn);
      if (a.subs.size === 0) all.delete(key);
    }
    return true;
  }

  /** What `conn` subscribes to of one kind, in subscription order. */
  subscribedTo(conn: Connection, kind: SubKind): Buffer[] {
    const st = conn.subscriptions;
    return st === null ? [] : [...st.byKind[kind].values()];
  }

  /** Number of `conn`'s subscriptions of one kind. */
  count(conn: Connection, kind: SubKind): number {
    const st = conn.subscriptions;
    return st === null ? 0 : st.byKind[kind].size;
  }

  /** Drops every subscription of `conn` (disconnect, RESET). */
  dropAll(conn: Connection): void {
    const st = conn.subscriptions;
    if (st === null) return;
    for (const kind of [SUB_CHANNEL, SUB_PATTERN, SUB_SHARD] as const) for (const key of [...st.byKind[kind].keys()]) this.drop(conn, kind, key);
    conn.subscriptions = null;
  }

  /** Channels (or shard channels) with at least one subscriber, optionally matching a glob. */
  active(kind: SubKind, pattern: Buffer | null): Buffer[] {
    const out: Buffer[] = [];
    const match = pattern === null ? null : globOf(pattern);
    for (const a of this.audiences[kind].values()) if (match === null || match(a.name)) out.push(a.name);
    return out;
  }

  /** Subscribers of one channel, pattern or shard channel. */
  subscribers(kind: SubKind, name: Buffer): number {
    return this.audiences[kind].get(name.toString('latin1'))?.subs.size ?? 0;
  }

  /** Distinct channels, patterns or shard channels somebody subscribes to (INFO, PUBSUB NUMPAT). */
  size(kind: SubKind): number {
    return this.audiences[kind].size;
  }
}
