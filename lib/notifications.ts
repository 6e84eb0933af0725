// Keyspace notifications and modified-key reports, main-thread side. The shards derive the events
// of every write from its binlog effects (lib/store/key-events.ts, lib/shard/key-events.ts) and
// send them with the reply of the request that caused them; this module publishes them on
// Redis's channels and hands modified keys to whoever tracks them (client tracking).
//
// The API other modules use (server.keyEvents):
//
//   onModified(origin, db, key)   called for every key a write modified, while reportModified is
//                                 on: `origin` is the client whose command modified it, null when
//                                 the server did (an expiry, lazy or active). `key` is a view valid
//                                 only during the call (copy it to keep it). Called before the
//                                 origin's reply is delivered, once per key each effect names (a
//                                 key may come more than once for one command).
//   onFlushed(origin, db)         FLUSHDB (db) / FLUSHALL (db -1) ran, while reportModified is on.
//   reportModified = true|false   whether the shards report modified keys at all (off: nothing is
//                                 collected; one check per write effect). Tracking turns it on
//                                 while any client tracks; independent of notify-keyspace-events.
//
// Events are published through `publisher` (pub/sub): `__keyspace@<db>__:<key>` with the event
// name, then `__keyevent@<db>__:<event>` with the key, as Redis's notifyKeyspaceEvent does, for
// the classes of notify-keyspace-events (the shards send only events of those classes).

import type { Connection } from './connection.js';
import type { Config } from './config.js';
import type { ShardSet } from './shard/set.js';
import { internal } from './commands/registry.js';
import {
  EVENT_NAMES,
  NOTIFY_KEYEVENT,
  NOTIFY_KEYSPACE,
  REC_FLUSHED,
  REC_MODIFIED,
  REC_MODIFIED_BY_SERVER,
  REPORT_MODIFIED,
  forEachRecord,
} from './store/key-events.js';

/** Where events are published: pub/sub's PUBLISH (returns the number of receivers). */
export interface Publisher {
  publish(channel: Buffer, message: Buffer): number;
}

const KEYSPACE = 'notify-keyspace-events';
const KEY_EVENTS = Buffer.from('key-events');

export class KeyEvents {
  /** notify-keyspace-events as NOTIFY_* flags. */
  private classes = 0;
  private reporting = false;
  private shards: ShardSet | null = null;
  /** The switch the shards were last sent. */
  private sent = 0;
  /** `__keyspace@<db>__:` per db. */
  private readonly spacePrefix: Buffer[] = [];
  /** `__keyevent@<db>__:<event>` per db * 256 + event. */
  private readonly eventChannels = new Map<number, Buffer>();

  publisher: Publisher | null = null;
  onModified: ((origin: Connection | null, db: number, key: Buffer) => void) | null = null;
  onFlushed: ((origin: Connection | null, db: number) => void) | null = null;

  constructor(config: Config) {
    this.classes = Number(config.get(KEYSPACE));
    config.on('change', (name: string, value: unknown) => {
      if (name !== KEYSPACE) return;
      this.classes = Number(value);
      this.apply();
    });
  }

  /** The shards are up: they (and the main thread's views of them) learn the switch. */
  attach(shards: ShardSet): void {
    this.shards = shards;
    this.sent = -1;
    this.apply();
  }

  get reportModified(): boolean {
    return this.reporting;
  }

  set reportModified(on: boolean) {
    if (on === this.reporting) return;
    this.reporting = on;
    this.apply();
  }

  /** Notifications or reports are on: the shards collect events. */
  get active(): boolean {
    return this.word() !== 0;
  }

  private word(): number {
    // without K and E nothing is published, whatever the classes
    const publish = this.classes & (NOTIFY_KEYSPACE | NOTIFY_KEYEVENT) ? this.classes : 0;
    return publish | (this.reporting ? REPORT_MODIFIED : 0);
  }

  /**
   * Sends the switch through every shard's request stream (internal key-events: commands sent
   * before it run with the old one, every later one with the new one) and sets it in the views
   * the direct reads use.
   */
  private apply(): void {
    const w = this.word();
    const shards = this.shards;
    if (shards === null || w === this.sent) return;
    this.sent = w;
    for (const l of shards.links) l.view?.configureEvents(w);
    void shards.broadcast(internal('key-events'), 0, 2, [KEY_EVENTS, Buffer.from(String(w))]);
  }

  /** Records from a shard (or a direct read) for a command of `origin` (null: the server's own work). */
  deliver(origin: Connection | null, records: Buffer): void {
    forEachRecord(records, 0, records.length, (code, db, key, channels) => {
      if (code < REC_MODIFIED) this.publish(db, key, code, channels);
      else if (code === REC_MODIFIED) this.onModified?.(origin, db, key);
      else if (code === REC_MODIFIED_BY_SERVER) this.onModified?.(null, db, key);
      else if (code === REC_FLUSHED) this.onFlushed?.(origin, db === 255 ? -1 : db);
    });
  }

  /** One event, as Redis's notifyKeyspaceEvent publishes it, on the channels in force when it happened. */
  private publish(db: number, key: Buffer, ev: number, channels: number): void {
    const p = this.publisher;
    if (p === null) return;
    const name = EVENT_NAMES[ev];
    if (channels & NOTIFY_KEYSPACE) p.publish(Buffer.concat([this.keyspacePrefix(db), key]), name);
    if (channels & NOTIFY_KEYEVENT) p.publish(this.keyeventChannel(db, ev), Buffer.from(key));
  }

  private keyspacePrefix(db: number): Buffer {
    return (this.spacePrefix[db] ??= Buffer.from(`__keyspace@${db}__:`, 'latin1'));
  }

  private keyeventChannel(db: number, ev: number): Buffer {
    const k = db * 256 + ev;
    let c = this.eventChannels.get(k);
    if (c === undefined) {
      c = Buffer.concat([Buffer.from(`__keyevent@${db}__:`, 'latin1'), EVENT_NAMES[ev]]);
      this.eventChannels.set(k, c);
    }
    return c;
  }
}
