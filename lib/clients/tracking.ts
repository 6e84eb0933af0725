// Client-side caching (CLIENT TRACKING), as Redis 7.0 does it.
//
// Default mode: the keys each tracking client reads (the keys of the read-only commands it
// runs, subject to OPTIN / OPTOUT and CLIENT CACHING) go into one table, key -> client ids,
// shared by all databases as in Redis. When a key is modified its clients get one invalidation
// message and the key leaves the table: a client must read it again to hear about it again.
// BCAST mode: nothing is remembered; every modified key matching one of the client's prefixes
// is collected and, at the end of the event-loop turn, each client of a prefix gets one message
// with the keys (sorted, as Redis's radix tree lists them). NOLOOP leaves out the changes the
// client made itself. FLUSHDB / FLUSHALL send every tracking client a null ("all keys") and
// empty the table.
//
// Messages: a RESP3 client gets a push `>2 invalidate [keys]`; with REDIRECT the message goes to
// the other client instead, as a push when that one speaks RESP3, as a `message` on
// `__redis__:invalidate` when it is a subscribed RESP2 client, and not at all otherwise. A
// redirect to a client that has gone sets flag R (broken_redirect) and, in RESP3, tells the
// tracking client with a `tracking-redir-broken` push.
//
// The modified keys come from the shards' key events (every write path and every expiry, with
// the connection that made the change), before the reply of the command that made the change
// is delivered; a message follows every reply already queued for its receiver
// (Connection.deliver), so a client's own change is invalidated after that reply, as in Redis.
//
// tracking-table-max-keys: when the table holds more keys, keys are dropped (oldest remembered
// first; Redis picks them at random) with an invalidation message, as if they had changed.

import type { Connection } from '../connection.js';
import type { CommandDef } from '../commands/types.js';
import { keyIndexes } from '../commands/registry.js';
import type { Deliver } from './monitor.js';

/** One client's tracking settings (Connection.extras.tracking). */
export class TrackingState {
  on = false;
  /** Client id the messages go to, 0 for the client itself. */
  redirect = 0;
  bcast = false;
  optin = false;
  optout = false;
  noloop = false;
  /** CLIENT CACHING YES (OPTIN) / NO (OPTOUT) given for the next command. */
  caching = false;
  brokenRedirect = false;
  /** BCAST prefixes, by their latin1 text (the bytes are the text). */
  readonly prefixes = new Set<string>();
}

interface PrefixState {
  readonly prefix: string;
  readonly clients: Set<Connection>;
  /** Keys modified since the last broadcast -> the connection that modified it last (null: the server). */
  keys: Map<string, Connection | null>;
}

export interface TrackingOptions {
  redirect: number;
  bcast: boolean;
  optin: boolean;
  optout: boolean;
  noloop: boolean;
  prefixes: string[];
}

const INVALIDATE_PUSH = Buffer.from('>2\r\n$10\r\ninvalidate\r\n');
const INVALIDATE_MESSAGE = Buffer.from('*3\r\n$7\r\nmessage\r\n$20\r\n__redis__:invalidate\r\n');
const NULL2 = Buffer.from('$-1\r\n');
const NULL3 = Buffer.from('_\r\n');

function keyArray(keys: readonly string[]): Buffer {
  let s = `*${keys.length}\r\n`;
  for (const k of keys) s += `$${Buffer.byteLength(k, 'latin1')}\r\n${k}\r\n`;
  return Buffer.from(s, 'latin1');
}

function byteOrder(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** One prefix covers the other (Redis refuses overlapping prefixes for one client). */
export function prefixesOverlap(a: string, b: string): boolean {
  return a.length <= b.length ? b.startsWith(a) : a.startsWith(b);
}

export interface TrackingHost {
  readonly clients: ReadonlyMap<number, Connection>;
  readonly deliver: Deliver;
  /** tracking-table-max-keys, live. */
  maxKeys(): number;
  /** A client started or stopped tracking (ClientControl.active). */
  changed(): void;
}

export class Tracking {
  /** Clients with tracking on (INFO tracking_clients). */
  clients = 0;
  /** key -> ids of the clients that may cache it. */
  private readonly table = new Map<string, Set<number>>();
  /** Sum of the table's id sets (INFO tracking_total_items). */
  items = 0;
  private readonly prefixTable = new Map<string, PrefixState>();
  private broadcastScheduled = false;
  /** Rounds in a row that could not bring the table under the limit (Redis's effort grows with it). */
  private overLimitRounds = 0;
  private cron: NodeJS.Timeout | null = null;

  constructor(private readonly host: TrackingHost) {}

  /** INFO tracking_total_keys. */
  get keys(): number {
    return this.table.size;
  }

  /** INFO tracking_total_prefixes. */
  get prefixCount(): number {
    return this.prefixTable.size;
  }

  /** CLIENT TRACKING ON with options already validated against each other and the client's state. */
  enable(conn: Connection, st: TrackingState, o: TrackingOptions): void {
    if (!st.on) {
      this.clients++;
      if (this.clients === 1) this.startCron();
      this.host.changed();
    }
    st.on = true;
    st.brokenRedirect = false;
    st.redirect = o.redirect;
    st.bcast = o.bcast;
    st.optin = o.optin;
    st.optout = o.optout;
    st.noloop = o.noloop;
    if (o.bcast) {
      if (o.prefixes.length === 0) this.addPrefix(conn, st, '');
      for (const p of o.prefixes) this.addPrefix(conn, st, p);
    }
  }

  private addPrefix(conn: Connection, st: TrackingState, p: string): void {
    let ps = this.prefixTable.get(p);
    if (!ps) {
      ps = { prefix: p, clients: new Set(), keys: new Map() };
      this.prefixTable.set(p, ps);
    }
    ps.clients.add(conn);
    st.prefixes.add(p);
  }

  /** CLIENT TRACKING OFF (also RESET and disconnection). The keys it read stay in the table until they change. */
  disable(conn: Connection, st: TrackingState): void {
    for (const p of st.prefixes) {
      const ps = this.prefixTable.get(p);
      if (!ps) continue;
      ps.clients.delete(conn);
      if (ps.clients.size === 0) this.prefixTable.delete(p);
    }
    st.prefixes.clear();
    if (!st.on) return;
    st.on = false;
    st.brokenRedirect = st.bcast = st.optin = st.optout = st.noloop = st.caching = false;
    this.clients--;
    if (this.clients === 0) {
      this.stopCron();
      // Nobody tracks any more, so nothing reports changes: the keys are forgotten (Redis keeps
      // those of clients that stopped tracking until they change).
      this.table.clear();
      this.items = 0;
    }
    this.host.changed();
  }

  /** Whether a read-only command run now has its keys remembered (default mode, per OPTIN / OPTOUT and CACHING). */
  wants(st: TrackingState): boolean {
    return st.on && !st.bcast && !(st.optin && !st.caching) && !(st.optout && st.caching);
  }

  /** The keys of a read-only command `conn` runs are remembered for it. */
  remember(conn: Connection, def: CommandDef, args: Buffer[]): void {
    if (def.flags.includes('pubsub')) return;
    const idx = keyIndexes(def, args);
    for (let i = 0; i < idx.length; i++) {
      const k = args[idx[i]].toString('latin1');
      let ids = this.table.get(k);
      if (!ids) {
        ids = new Set();
        this.table.set(k, ids);
      }
      if (!ids.has(conn.id)) {
        ids.add(conn.id);
        this.items++;
      }
    }
  }

  /** `key` was modified (or expired) by `origin` (null: by the server): its clients are told. */
  invalidate(key: Buffer, origin: Connection | null): void {
    const k = key.toString('latin1');
    if (this.prefixTable.size > 0) this.collect(k, origin);
    this.invalidateTracked(k, origin);
  }

  private invalidateTracked(k: string, origin: Connection | null): void {
    const ids = this.table.get(k);
    if (!ids) return;
    const clients = this.host.clients;
    for (const id of ids) {
      const target = clients.get(id);
      if (!target || target.closed) continue;
      const st = target.extras?.tracking;
      if (!st || !st.on || st.bcast) continue;
      if (st.noloop && target === origin) continue;
      this.send(target, st, keyArray([k]), origin);
    }
    this.items -= ids.size;
    this.table.delete(k);
  }

  /** FLUSHDB / FLUSHALL by `origin`: every tracking client hears that all its keys are invalid. */
  flushed(origin: Connection | null): void {
    for (const c of this.host.clients.values()) {
      const st = c.extras?.tracking;
      if (st && st.on && !c.closed) this.send(c, st, c.proto === 3 ? NULL3 : NULL2, origin);
    }
    this.table.clear();
    this.items = 0;
  }

  /**
   * Sends one invalidation (`payload`: the RESP of the keys, or a null) on behalf of `c`;
   * `origin`: the client whose command caused it (a message to it follows that command's reply).
   */
  private send(c: Connection, st: TrackingState, payload: Buffer, origin: Connection | null): void {
    let to = c;
    const redirected = st.redirect !== 0;
    if (redirected) {
      const r = this.host.clients.get(st.redirect);
      if (!r || r.closed) {
        st.brokenRedirect = true;
        if (c.proto === 3) this.host.deliver(c, Buffer.from(`>2\r\n$21\r\ntracking-redir-broken\r\n:${st.redirect}\r\n`), c === origin);
        return;
      }
      to = r;
    }
    if (to.proto === 3) this.host.deliver(to, Buffer.concat([INVALIDATE_PUSH, payload]), to === origin);
    else if (redirected && to.subscribed !== 0) this.host.deliver(to, Buffer.concat([INVALIDATE_MESSAGE, payload]), to === origin);
  }

  /** BCAST: `k` joins the keys of every prefix it matches, sent at the end of the turn. */
  private collect(k: string, origin: Connection | null): void {
    let any = false;
    for (const ps of this.prefixTable.values()) {
      if (!k.startsWith(ps.prefix)) continue;
      ps.keys.set(k, origin);
      any = true;
    }
    if (any && !this.broadcastScheduled) {
      this.broadcastScheduled = true;
      setImmediate(this.broadcast);
    }
  }

  private readonly broadcast = (): void => {
    this.broadcastScheduled = false;
    const prefixes = [...this.prefixTable.values()].sort((a, b) => byteOrder(a.prefix, b.prefix));
    for (const ps of prefixes) {
      if (ps.keys.size === 0) continue;
      const keys = [...ps.keys.keys()].sort(byteOrder);
      let common: Buffer | null = null;
      for (const c of ps.clients) {
        const st = c.extras?.tracking;
        if (!st || c.closed) continue;
        if (st.noloop) {
          const own = keys.filter((k) => ps.keys.get(k) !== c);
          if (own.length > 0) this.send(c, st, keyArray(own), null);
        } else {
          common ??= keyArray(keys);
          this.send(c, st, common, null);
        }
      }
      ps.keys = new Map();
    }
  };

  /**
   * tracking-table-max-keys: drops keys (oldest remembered first) with an invalidation until the
   * table is within the limit, at most 100 per round more for each round that fell short.
   */
  limit(): void {
    const max = this.host.maxKeys();
    if (max === 0 || this.table.size <= max) {
      this.overLimitRounds = 0;
      return;
    }
    let effort = 100 * (this.overLimitRounds + 1);
    for (const k of this.table.keys()) {
      if (effort-- <= 0) break;
      this.invalidateTracked(k, null);
      if (this.table.size <= max) {
        this.overLimitRounds = 0;
        return;
      }
    }
    this.overLimitRounds++;
  }

  /** The limit is also kept while the server is idle (a CONFIG SET that lowered it). */
  private startCron(): void {
    this.cron = setInterval(() => this.limit(), 100);
    this.cron.unref();
  }

  private stopCron(): void {
    if (this.cron) clearInterval(this.cron);
    this.cron = null;
  }

  /** CLIENT TRACKINGINFO's prefixes, in byte order. */
  static sortedPrefixes(st: TrackingState): string[] {
    return [...st.prefixes].sort(byteOrder);
  }
}
