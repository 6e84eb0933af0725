// The replication stream of a master: the shards' binlog records merged into one ordered stream of
// RESP commands (with SELECT where the database changes), appended to the backlog.
//
// Order. Every record has a sequence number from one counter shared by the shards, taken when its
// transaction ends (before the commit). The merger processes sequences one by one, in order,
// waiting for each: a sequence is either a record (from the shard's binlog ring, or its LMDB
// binlog when the ring could not carry it) or void (its transaction aborted: the ring says so).
// Waiting for every sequence in turn makes the stream a pure function of the binlogs.
//
// Groups. A command whose writes span shards (the coordinator's locked transactions: RENAME
// across shards, MULTI/EXEC, cross-shard MSET/DEL and FLUSHALL while replicating...) commits one
// part per shard. The coordinator reports each lock (open: every held shard's last sequence;
// close: its last sequence again), so the records a held shard wrote in between are the group's:
// they are held back and shipped together, once the last is reached, as MULTI ... EXEC (inner
// MULTI/EXEC records dropped, a keyspace-wide effect such as FLUSHALL that every shard logged
// shipped once). Records of other shards committed meanwhile touch other keys and may go first.
// Writes whose parts run without a lock (a cross-shard MSET or DEL, FLUSHALL on every shard) put
// marker records around each part instead (`respdb-group begin|end <id> <parts>`): a part's
// records are the group's, and a shard's records after its part wait until the group is shipped,
// so every shard's own order is kept.

import type { ShardSet } from '../shard/set.js';
import { BinlogRingReader, type RingRecord } from '../binlog-ring.js';
import { lookupBytes } from '../commands/registry.js';
import { encodeCommand } from '../resp/command.js';
import { logger } from '../log.js';
import type { Backlog } from './backlog.js';
import { recordAt, recordsAfter } from './binlog-read.js';
import type { StreamSource } from './replication.js';

const log = logger('replication');

/** A record's own header in the binlog: [db u8][time ms u64 BE], then the command as RESP. */
const REC_HEAD = 9;
const MULTI_RESP = Buffer.from('*1\r\n$5\r\nMULTI\r\n');
const EXEC_RESP = Buffer.from('*1\r\n$4\r\nEXEC\r\n');
/** The keepalive Redis's masters put in the stream every repl-ping-replica-period. */
export const PING_RESP = Buffer.from('*1\r\n$4\r\nping\r\n');
/** A sequence missing this long is looked up in the binlogs, then given up as void (logged). */
const GAP_PATIENCE_MS = 2000;

interface Item {
  seq: number;
  shard: number;
  /** [db][time][RESP]; null: void */
  rec: Buffer | null;
}

/** A group announced by marker records: its parts so far, and the shards waiting for it. */
interface MarkedGroup {
  id: string;
  parts: number;
  ended: number;
  items: Item[];
  shards: Set<number>;
}

interface Group {
  id: number;
  /** per held shard: its last sequence when the lock was reached, and when it was released (-1: still held) */
  from: Map<number, number>;
  to: Map<number, number>;
  items: Item[];
  /** the last sequence of the group once closed (-1: open, or nothing written yet) */
  last: number;
  closed: boolean;
}

/** SELECT <db> as the stream carries it, made once per database. */
const SELECTS: Buffer[] = [];
const SELECT = Buffer.from('SELECT');

function selectResp(db: number): Buffer {
  return (SELECTS[db] ??= encodeCommand([SELECT, Buffer.from(String(db))]));
}

/** The command name of a RESP array (`*N\r\n$L\r\nNAME\r\n...`). */
function commandName(resp: Buffer): Buffer {
  let p = resp.indexOf(10) + 1; // after *N\r\n
  const nl = resp.indexOf(13, p);
  const len = parseInt(resp.toString('latin1', p + 1, nl), 10);
  p = nl + 2;
  return resp.subarray(p, p + len);
}

function isMarker(resp: Buffer): boolean {
  return resp.equals(MULTI_RESP) || resp.equals(EXEC_RESP);
}

const GROUP_NAME = Buffer.from('respdb-group');

function isGroupMarker(resp: Buffer): boolean {
  return resp.length > 20 && resp[1] === 52 /* *4 */ && commandName(resp).equals(GROUP_NAME);
}

/** The arguments of a RESP array of bulk strings. */
function respArgs(resp: Buffer): Buffer[] {
  let p = resp.indexOf(10) + 1;
  const n = parseInt(resp.toString('latin1', 1, p - 2), 10);
  const out: Buffer[] = [];
  for (let i = 0; i < n; i++) {
    const nl = resp.indexOf(13, p);
    const len = parseInt(resp.toString('latin1', p + 1, nl), 10);
    p = nl + 2;
    out.push(resp.subarray(p, p + len));
    p += len + 2;
  }
  return out;
}

export class StreamMerger implements StreamSource {
  running = false;
  /** the next sequence to process */
  private next = 0;
  private readers: BinlogRingReader[] = [];
  /** per shard: the highest sequence taken from it (ring or LMDB) */
  private seen: number[] = [];
  private readonly pending = new Map<number, Item>();
  private groups: Group[] = [];
  /** per shard: the groups that hold or held it and are not shipped yet */
  private shardGroups: Group[][] = [];
  /** the database the stream's last command ran in (-1: the next command is preceded by SELECT) */
  private db = -1;
  private out: Buffer[] = [];
  private outBytes = 0;
  private waiters: { seq: number; resetDb: boolean; resolve: (offset: number) => void }[] = [];
  private scheduled = false;
  private gapSince = 0;
  private timer: NodeJS.Timeout | null = null;
  private readonly scratch: RingRecord[] = [];
  /** marker groups not shipped yet, by id */
  private marked = new Map<string, MarkedGroup>();
  /** per shard: the marker group its records go to now (between begin and end) */
  private inPart: (MarkedGroup | null)[] = [];
  /** per shard: the marker group whose shipping its later records wait for, and those records */
  private blockedBy: (MarkedGroup | null)[] = [];
  private heldAfter: Item[][] = [];
  /** sequences up to here were read from the binlogs at the start: a group they leave open is shipped as it is */
  private sparseUpTo = 0;
  /** Called with the stream position and the last sequence shipped whenever nothing is held back. */
  onQuiet: ((offset: number, seq: number, db: number) => void) | null = null;

  constructor(
    private readonly shards: ShardSet,
    private readonly backlog: Backlog,
  ) {}

  /** The last sequence shipped (everything at or below it is in the stream). */
  get shippedSeq(): number {
    return this.next - 1;
  }

  /**
   * Starts after binlog sequence `seq`, at any moment: the rings are followed from now on, and
   * what the shards committed after `seq` before that is read from their LMDB binlogs (records
   * read twice are told apart by sequence). `db`: the stream's current database (-1: SELECT
   * first). Sequences up to `sparseUpTo` that no binlog holds are taken as void at once (at
   * startup, when no transaction can be in flight: the holes a crash left).
   */
  startAfter(seq: number, db = -1, sparseUpTo = 0): void {
    if (this.running) return;
    this.running = true;
    this.next = seq + 1;
    this.db = db;
    const n = this.shards.count;
    this.readers = this.shards.links.map((l) => new BinlogRingReader(l.binlogRing, true));
    this.seen = new Array<number>(n).fill(seq);
    this.shardGroups = Array.from({ length: n }, () => []);
    this.marked = new Map();
    this.inPart = new Array<MarkedGroup | null>(n).fill(null);
    this.blockedBy = new Array<MarkedGroup | null>(n).fill(null);
    this.heldAfter = Array.from({ length: n }, () => []);
    this.sparseUpTo = sparseUpTo;
    let top = seq;
    for (const l of this.shards.links) {
      for (const r of recordsAfter(l.view!, seq)) {
        this.pending.set(r.seq, { seq: r.seq, shard: l.index, rec: r.rec });
        this.seen[l.index] = r.seq;
        top = Math.max(top, r.seq);
      }
    }
    for (let q = seq + 1; q <= Math.min(sparseUpTo, top); q++) if (!this.pending.has(q)) this.pending.set(q, { seq: q, shard: 0, rec: null });
    for (let i = 0; i < n; i++) this.watch(i);
    this.timer = setInterval(() => this.checkGap(), 500);
    this.timer.unref();
    this.schedule();
  }

  /** Processes everything committed up to now, then stops (becoming a replica). */
  async drainAndStop(): Promise<void> {
    if (!this.running) return;
    const target = Number(new BigInt64Array(this.shards.seqSab)[0]) - 1;
    if (this.next <= target) await this.offsetAfter(target);
    this.stop();
  }

  stop(): void {
    this.running = false;
    this.readers = [];
    this.pending.clear();
    this.groups = [];
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    for (const w of this.waiters) w.resolve(this.backlog.end);
    this.waiters = [];
  }

  /**
   * Resolves with the stream offset right after sequence `seq` once it is shipped. `resetDb`: the
   * next command carries a SELECT (a full sync's replica starts there in database 0).
   */
  offsetAfter(seq: number, resetDb = false): Promise<number> {
    return new Promise((resolve) => {
      this.waiters.push({ seq, resetDb, resolve });
      this.waiters.sort((a, b) => a.seq - b.seq);
      this.schedule();
    });
  }

  /** Bytes of this node's own in the stream, between two records (the keepalive ping, REPLCONF GETACK). */
  inject(b: Buffer): void {
    if (!this.running) return;
    this.push(b);
    this.flushOut();
  }

  /** The coordinator holds `shards` (lock reached): their later records are the group's until closeGroup. */
  openGroup(id: number, shards: number[]): void {
    if (!this.running) return;
    const g: Group = { id, from: new Map(), to: new Map(), items: [], last: -1, closed: false };
    for (const s of shards) {
      g.from.set(s, this.shards.links[s].binlogRing.lastSeq());
      this.shardGroups[s].push(g);
    }
    this.groups.push(g);
  }

  /** The coordinator releases the group's shards: everything they wrote under it is published. */
  closeGroup(id: number): void {
    const g = this.groups.find((x) => x.id === id && !x.closed);
    if (!g) return;
    g.closed = true;
    let last = -1;
    for (const [s, from] of g.from) {
      const to = this.shards.links[s].binlogRing.lastSeq();
      g.to.set(s, to);
      if (to > from) last = Math.max(last, to);
    }
    g.last = last;
    this.schedule();
  }

  private watch(i: number): void {
    const ring = this.shards.links[i].binlogRing;
    const ctrl = new Int32Array(ring.sab, 0, 4);
    const loop = (): void => {
      if (!this.running || this.readers.length === 0) return;
      const cur = Atomics.load(ctrl, 0);
      if (this.readers[i].behind > 0) this.schedule();
      const w = Atomics.waitAsync(ctrl, 0, cur);
      if (w.async) void w.value.then(() => {
        this.schedule();
        loop();
      });
      else setImmediate(loop);
    };
    loop();
  }

  private schedule(): void {
    if (this.scheduled || !this.running) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.drain();
    });
  }

  /** Takes what the rings published, ships every sequence that is next in turn. */
  private drain(): void {
    if (!this.running) return;
    for (let s = 0; s < this.readers.length; s++) this.take(s);
    this.advance();
    this.flushOut();
  }

  private take(s: number): void {
    const got = this.scratch;
    got.length = 0;
    const r = this.readers[s].poll(got);
    for (const g of got) {
      if (g.voidCount !== undefined) {
        for (let k = 0; k < g.voidCount; k++) if (g.seq + k >= this.next) this.pending.set(g.seq + k, { seq: g.seq + k, shard: s, rec: null });
        continue;
      }
      if (g.seq <= this.seen[s] || g.seq < this.next) continue;
      let rec = g.rec;
      if (rec === null) {
        rec = recordAt(this.shards.links[s].view!, g.seq);
        if (rec === null) log.error({ shard: s, seq: g.seq }, 'a binlog record too big for the ring is no longer in the binlog');
      }
      this.seen[s] = g.seq;
      // the next in turn with nothing waiting: no need to park it (the common case of one shard)
      if (g.seq === this.next && this.pending.size === 0) this.step({ seq: g.seq, shard: s, rec });
      else this.pending.set(g.seq, { seq: g.seq, shard: s, rec });
    }
    if (r === 'overrun') {
      // the ring lapped us: what we missed is committed, so the LMDB binlog has it
      for (const x of recordsAfter(this.shards.links[s].view!, this.seen[s])) {
        if (x.seq >= this.next) this.pending.set(x.seq, { seq: x.seq, shard: s, rec: x.rec });
        this.seen[s] = x.seq;
      }
    }
  }

  private advance(): void {
    for (;;) {
      const it = this.pending.get(this.next);
      if (it === undefined) break;
      this.pending.delete(this.next);
      this.step(it);
    }
    if (this.groups.length > 0) this.shipGroups();
    this.resolveWaiters();
  }

  /** Ships the next sequence (it.seq === this.next). */
  private step(it: Item): void {
    if (this.waiters.length > 0) this.resolveWaiters();
    this.next++;
    this.gapSince = 0;
    if (it.rec !== null) this.process(it);
    if (this.groups.length > 0) this.shipGroups();
    if (it.seq === this.sparseUpTo && this.marked.size > 0) this.shipUnfinished();
  }

  /** One record, in its shard's order: into a group, held behind one, or into the stream. */
  private process(it: Item): void {
    const s = it.shard;
    if (this.blockedBy[s] !== null) {
      this.heldAfter[s].push(it);
      return;
    }
    const resp = it.rec!.subarray(REC_HEAD);
    if (isGroupMarker(resp)) return this.marker(s, resp);
    const part = this.inPart[s];
    if (part !== null) {
      part.items.push(it);
      return;
    }
    const g = this.groupOf(it);
    if (g !== null) g.items.push(it);
    else this.emit(it);
  }

  /** `respdb-group begin|end <id> <parts>`. */
  private marker(s: number, resp: Buffer): void {
    const [, what, idb, partsb] = respArgs(resp);
    const id = idb.toString('latin1');
    let g = this.marked.get(id);
    if (!g) {
      g = { id, parts: Number(partsb.toString('latin1')), ended: 0, items: [], shards: new Set() };
      this.marked.set(id, g);
    }
    if (what.toString('latin1') === 'begin') {
      this.inPart[s] = g;
      g.shards.add(s);
      return;
    }
    this.inPart[s] = null;
    g.ended++;
    if (g.ended < g.parts) {
      this.blockedBy[s] = g;
      return;
    }
    this.shipMarked(g);
  }

  private shipMarked(g: MarkedGroup): void {
    this.marked.delete(g.id);
    this.emitGroup(g.items);
    for (const s of g.shards) {
      if (this.blockedBy[s] !== g) continue;
      this.blockedBy[s] = null;
      const held = this.heldAfter[s];
      this.heldAfter[s] = [];
      for (const it of held) this.process(it);
    }
  }

  /** Groups a crash left with parts missing (only a restart's binlog reading finds them): shipped as they are. */
  private shipUnfinished(): void {
    for (const g of [...this.marked.values()]) {
      log.warn({ group: g.id, parts: g.parts, ended: g.ended }, 'a cross-shard write without all its parts in the binlogs (a crash): shipped as it is');
      for (const s of g.shards) if (this.inPart[s] === g) this.inPart[s] = null;
      this.shipMarked(g);
    }
  }

  /** The lowest sequence held back in any group or behind one (Infinity: none). */
  private lowestHeld(): number {
    let m = Infinity;
    for (const g of this.groups) if (g.items.length > 0) m = Math.min(m, g.items[0].seq);
    for (const g of this.marked.values()) if (g.items.length > 0) m = Math.min(m, g.items[0].seq);
    for (const h of this.heldAfter) if (h.length > 0) m = Math.min(m, h[0].seq);
    return m;
  }

  /** The group a record belongs to (its shard was held by it when the record was written). */
  private groupOf(it: Item): Group | null {
    for (const g of this.shardGroups[it.shard]) {
      const from = g.from.get(it.shard)!;
      if (it.seq <= from) continue;
      if (!g.closed || it.seq <= g.to.get(it.shard)!) return g;
    }
    return null;
  }

  /** Ships the closed groups whose every sequence has been processed, in the order they closed. */
  private shipGroups(): void {
    while (this.groups.length > 0) {
      const i = this.groups.findIndex((g) => g.closed && g.last < this.next);
      if (i < 0) return;
      const g = this.groups[i];
      this.groups.splice(i, 1);
      for (const s of g.from.keys()) {
        const list = this.shardGroups[s];
        list.splice(list.indexOf(g), 1);
      }
      this.emitGroup(g.items);
    }
  }

  private emitGroup(items: Item[]): void {
    const cmds: Item[] = [];
    for (const it of [...items].sort((a, b) => a.seq - b.seq)) {
      const resp = it.rec!.subarray(REC_HEAD);
      if (isMarker(resp)) continue;
      // a keyspace-wide effect every shard logged (FLUSHALL, SWAPDB...) is one command
      if (lookupBytes(commandName(resp))?.touchesAllKeys) {
        if (cmds.some((c) => c.shard !== it.shard && c.rec![0] === it.rec![0] && c.rec!.subarray(REC_HEAD).equals(resp))) continue;
      }
      cmds.push(it);
    }
    if (cmds.length === 0) return;
    if (cmds.length === 1) {
      this.emit(cmds[0]);
      return;
    }
    const db = cmds[0].rec![0];
    if (db !== this.db) {
      this.push(selectResp(db));
      this.db = db;
    }
    this.push(MULTI_RESP);
    for (const c of cmds) this.emit(c);
    this.push(EXEC_RESP);
  }

  private emit(it: Item): void {
    const rec = it.rec!;
    const db = rec[0];
    if (db !== this.db) {
      this.push(selectResp(db));
      this.db = db;
    }
    this.push(rec.subarray(REC_HEAD));
  }

  private push(b: Buffer): void {
    this.out.push(b);
    this.outBytes += b.length;
  }

  private flushOut(): void {
    if (this.outBytes === 0) return;
    // the parts are the merger's own copies (or constants): the backlog may keep them as they are
    const buf = this.out.length === 1 ? this.out[0] : Buffer.concat(this.out, this.outBytes);
    this.out = [];
    this.outBytes = 0;
    this.backlog.append(buf);
    if (this.lowestHeld() === Infinity && this.marked.size === 0) this.onQuiet?.(this.backlog.end, this.next - 1, this.db);
  }

  private resolveWaiters(): void {
    while (this.waiters.length > 0) {
      const w = this.waiters[0];
      if (w.seq >= this.next) return;
      // records at or below it are held back in a group not shipped yet
      if (this.lowestHeld() <= w.seq) return;
      this.waiters.shift();
      this.flushOut();
      if (w.resetDb) this.db = -1;
      w.resolve(this.backlog.end);
    }
  }

  /** A sequence that does not come: look for it in the binlogs; give up on it after a while. */
  private checkGap(): void {
    if (!this.running || this.pending.size === 0 || this.pending.has(this.next)) {
      this.gapSince = 0;
      return;
    }
    const now = Date.now();
    if (this.gapSince === 0) {
      this.gapSince = now;
      return;
    }
    if (now - this.gapSince < GAP_PATIENCE_MS) return;
    for (const l of this.shards.links) {
      const rec = recordAt(l.view!, this.next);
      if (rec !== null) {
        this.pending.set(this.next, { seq: this.next, shard: l.index, rec });
        this.schedule();
        return;
      }
    }
    log.warn({ seq: this.next }, 'binlog sequence never committed: skipped');
    this.pending.set(this.next, { seq: this.next, shard: 0, rec: null });
    this.gapSince = 0;
    this.schedule();
  }
}
