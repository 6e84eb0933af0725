// One connection of a replica to its master, as a Redis 7.0 replica makes it: PING; then AUTH,
// REPLCONF listening-port / ip-address / capa eof capa psync2 in one write; once they are
// answered, PSYNC (a master refuses PSYNC while replies to the client are pending); the RDB of a full sync
// in either framing (`$<len>` or diskless `$EOF:<40 bytes>` ... `<same 40 bytes>`, with `\n`
// keepalives before it) written to a file while its progress is counted; then the stream, whose
// bytes go to `onStream` as they arrive (also while the RDB loads).

import net from 'node:net';
import { closeSync, openSync, writeSync, rmSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { logger } from '../log.js';

const log = logger('replication');

export type LinkState = 'connecting' | 'handshake' | 'sync' | 'connected';

export interface LinkOptions {
  host: string;
  port: number;
  masterauth: string;
  masteruser: string;
  listeningPort: number;
  announceIp: string;
  /** `PSYNC <replid> <offset>`; null: `PSYNC ? -1` (a full sync) */
  psync: { replid: string; offset: number } | null;
  /** where the RDB is written */
  dir: string;
}

export interface LinkHooks {
  state(s: LinkState): void;
  /** +FULLRESYNC: the RDB follows; the stream after it starts at `offset` */
  fullResync(replid: string, offset: number): void;
  /** +CONTINUE, with the master's replid when it sent one */
  continued(replid: string | null): void;
  /** the RDB is in `path`: load it (stream bytes go on arriving meanwhile) */
  rdb(path: string, bytes: number): Promise<void>;
  stream(chunk: Buffer): void;
  closed(why: string): void;
}

/** Thrown inside the link: the reason it closes (and the log line). */
class LinkError extends Error {}

const EOF_MARK_LEN = 40;

function command(args: string[]): Buffer {
  const parts = [`*${args.length}\r\n`];
  for (const a of args) parts.push(`$${Buffer.byteLength(a)}\r\n${a}\r\n`);
  return Buffer.from(parts.join(''));
}

export class ReplicaLink {
  private socket: net.Socket | null = null;
  private buf: Buffer = Buffer.alloc(0);
  private phase: 'ping' | 'replies' | 'psync' | 'rdb-header' | 'rdb' | 'loading' | 'stream' | 'closed' = 'ping';
  private repliesLeft = 0;
  private authPending = false;
  private fd = -1;
  private rdbPath = '';
  /** RDB bytes expected ($<len>); -1 with an EOF mark */
  transferSize = -1;
  transferRead = 0;
  /** Date.now() of the last bytes from the master (any, keepalives included) */
  lastIo = Date.now();
  private eofMark: Buffer | null = null;
  private tail: Buffer = Buffer.alloc(0);
  private sentSync = false;

  constructor(
    private readonly opts: LinkOptions,
    private readonly hooks: LinkHooks,
  ) {}

  connect(): void {
    this.hooks.state('connecting');
    const s = net.connect({ host: this.opts.host, port: this.opts.port });
    this.socket = s;
    s.setNoDelay(true);
    s.on('connect', () => {
      this.hooks.state('handshake');
      s.write(command(['PING']));
    });
    s.on('data', (chunk: Buffer) => {
      this.lastIo = Date.now();
      try {
        this.input(chunk);
      } catch (e) {
        this.close(e instanceof LinkError ? e.message : `error on the link: ${(e as Error).message}`);
      }
    });
    s.on('error', (e) => this.close(`${e.message}`));
    s.on('close', () => this.close('connection closed by the master'));
  }

  /** Sends bytes to the master (REPLCONF ACK). */
  send(args: string[]): void {
    if (this.phase === 'stream' || this.phase === 'loading') this.socket?.write(command(args));
  }

  get streaming(): boolean {
    return this.phase === 'stream';
  }

  close(why: string): void {
    if (this.phase === 'closed') return;
    const wasLoading = this.phase === 'loading';
    this.phase = 'closed';
    this.socket?.destroy();
    this.socket = null;
    this.closeFile();
    if (!wasLoading && this.rdbPath !== '') rmSync(this.rdbPath, { force: true });
    this.hooks.closed(why);
  }

  private closeFile(): void {
    if (this.fd >= 0) {
      closeSync(this.fd);
      this.fd = -1;
    }
  }

  private input(chunk: Buffer): void {
    if (this.phase === 'stream' || this.phase === 'loading') {
      this.hooks.stream(chunk);
      return;
    }
    if (this.phase === 'rdb') {
      this.rdbBytes(chunk);
      return;
    }
    this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
    this.advance();
  }

  /** One line of a reply (without CRLF), or null while incomplete. */
  private line(): string | null {
    const i = this.buf.indexOf(10);
    if (i < 0) {
      if (this.buf.length > 64 * 1024) throw new LinkError('reply line from the master too long');
      return null;
    }
    const end = i > 0 && this.buf[i - 1] === 13 ? i - 1 : i;
    const l = this.buf.subarray(0, end).toString('latin1');
    this.buf = this.buf.subarray(i + 1);
    return l;
  }

  private advance(): void {
    for (;;) {
      if (this.phase === 'ping') {
        const l = this.line();
        if (l === null) return;
        // -NOAUTH / -NOPERM: AUTH comes next; other errors: this master does not talk to us
        if (l.startsWith('-') && !/^-(NOAUTH|NOPERM|ERR operation not permitted)/.test(l)) throw new LinkError(`error reply to PING: ${l.slice(1)}`);
        this.handshake();
        continue;
      }
      if (this.phase === 'replies') {
        const l = this.line();
        if (l === null) return;
        if (this.authPending) {
          this.authPending = false;
          if (l.startsWith('-')) throw new LinkError(`unable to AUTH to MASTER: ${l.slice(1)}`);
        }
        // REPLCONF errors are ignored, as a Redis replica does
        if (--this.repliesLeft === 0) {
          // PSYNC only now: a master refuses it while replies to this client are still pending
          const o = this.opts;
          this.socket!.write(command(o.psync === null ? ['PSYNC', '?', '-1'] : ['PSYNC', o.psync.replid, String(o.psync.offset + 1)]));
          this.phase = 'psync';
        }
        continue;
      }
      if (this.phase === 'psync') {
        const l = this.line();
        if (l === null) return;
        if (l === '') continue; // keepalive while the master prepares
        if (!this.psyncReply(l)) return;
        continue;
      }
      if (this.phase === 'rdb-header') {
        const l = this.line();
        if (l === null) return;
        if (l === '') continue;
        this.rdbHeader(l);
        const rest = this.buf;
        this.buf = Buffer.alloc(0);
        if (rest.length > 0) this.rdbBytes(rest);
        return;
      }
      return;
    }
  }

  private handshake(): void {
    const o = this.opts;
    const out: Buffer[] = [];
    this.repliesLeft = 0;
    if (o.masterauth !== '') {
      out.push(command(o.masteruser !== '' ? ['AUTH', o.masteruser, o.masterauth] : ['AUTH', o.masterauth]));
      this.authPending = true;
      this.repliesLeft++;
    }
    out.push(command(['REPLCONF', 'listening-port', String(o.listeningPort)]));
    this.repliesLeft++;
    if (o.announceIp !== '') {
      out.push(command(['REPLCONF', 'ip-address', o.announceIp]));
      this.repliesLeft++;
    }
    out.push(command(['REPLCONF', 'capa', 'eof', 'capa', 'psync2']));
    this.repliesLeft++;
    this.phase = 'replies';
    this.socket!.write(Buffer.concat(out));
  }

  /** The reply to PSYNC (or SYNC); false when the link closed. */
  private psyncReply(l: string): boolean {
    log.debug({ reply: l }, 'reply to PSYNC');
    if (this.sentSync) {
      // SYNC answers with the RDB directly
      this.buf = Buffer.concat([Buffer.from(l + '\r\n'), this.buf]);
      this.hooks.fullResync('', 0);
      this.phase = 'rdb-header';
      return true;
    }
    let m = /^\+FULLRESYNC ([0-9a-f]{40}) (\d+)$/.exec(l);
    if (m) {
      this.hooks.fullResync(m[1], Number(m[2]));
      this.phase = 'rdb-header';
      return true;
    }
    m = /^\+CONTINUE(?: ([0-9a-f]{40}))?$/.exec(l);
    if (m) {
      this.hooks.continued(m[1] ?? null);
      this.phase = 'stream';
      this.hooks.state('connected');
      const rest = this.buf;
      this.buf = Buffer.alloc(0);
      if (rest.length > 0) this.hooks.stream(rest);
      return true;
    }
    if (/^-(NOMASTERLINK|LOADING)/.test(l)) {
      this.close(`master is currently unable to PSYNC but should be in the future: ${l.slice(1)}`);
      return false;
    }
    if (l.startsWith('-')) {
      // a master without PSYNC: the old protocol
      this.sentSync = true;
      this.socket!.write(command(['SYNC']));
      return true;
    }
    throw new LinkError(`unexpected reply to PSYNC from master: ${l}`);
  }

  private rdbHeader(l: string): void {
    if (l.startsWith('-')) throw new LinkError(`MASTER aborted replication with an error: ${l.slice(1)}`);
    if (!l.startsWith('$')) throw new LinkError(`bad protocol from MASTER, the first byte is not '$' (we received '${l.slice(0, 40)}'), are you sure the host and port are right?`);
    if (l.startsWith('$EOF:')) {
      const mark = l.slice(5);
      if (mark.length !== EOF_MARK_LEN) throw new LinkError('bad EOF mark from MASTER');
      this.eofMark = Buffer.from(mark, 'latin1');
      this.transferSize = -1;
    } else {
      const n = Number(l.slice(1));
      if (!Number.isSafeInteger(n) || n < 0) throw new LinkError(`bad RDB length from MASTER: ${l}`);
      this.transferSize = n;
    }
    this.transferRead = 0;
    mkdirSync(this.opts.dir, { recursive: true });
    this.rdbPath = join(this.opts.dir, `sync-${process.pid}-${Date.now()}.rdb`);
    this.fd = openSync(this.rdbPath, 'w');
    this.phase = 'rdb';
    this.hooks.state('sync');
    if (this.transferSize === 0) this.rdbDone(Buffer.alloc(0));
  }

  private write(b: Buffer): void {
    let done = 0;
    while (done < b.length) done += writeSync(this.fd, b, done, b.length - done);
  }

  private rdbBytes(chunk: Buffer): void {
    if (this.eofMark === null) {
      const want = this.transferSize - this.transferRead;
      const take = Math.min(want, chunk.length);
      this.write(chunk.subarray(0, take));
      this.transferRead += take;
      if (this.transferRead === this.transferSize) this.rdbDone(chunk.subarray(take));
      return;
    }
    // diskless: the data ends with the mark; hold back the last 40 bytes until more arrives
    const all = this.tail.length === 0 ? chunk : Buffer.concat([this.tail, chunk]);
    if (all.length >= EOF_MARK_LEN && all.subarray(all.length - EOF_MARK_LEN).equals(this.eofMark)) {
      const data = all.subarray(0, all.length - EOF_MARK_LEN);
      this.write(data);
      this.transferRead += data.length;
      this.tail = Buffer.alloc(0);
      this.rdbDone(Buffer.alloc(0));
      return;
    }
    const keep = Math.min(EOF_MARK_LEN, all.length);
    const data = all.subarray(0, all.length - keep);
    this.write(data);
    this.transferRead += data.length;
    this.tail = Buffer.from(all.subarray(all.length - keep));
  }

  /** The whole RDB is in the file; `rest`: stream bytes that came right after it. */
  private rdbDone(rest: Buffer): void {
    this.closeFile();
    this.phase = 'loading';
    const path = this.rdbPath;
    if (rest.length > 0) this.hooks.stream(rest);
    this.hooks.rdb(path, this.transferRead).then(
      () => {
        rmSync(path, { force: true });
        this.rdbPath = '';
        if (this.phase !== 'loading') return;
        this.phase = 'stream';
        this.hooks.state('connected');
      },
      (e: unknown) => {
        rmSync(path, { force: true });
        this.rdbPath = '';
        this.close(`failed trying to load the MASTER synchronization DB from disk: ${(e as Error).message}`);
      },
    );
  }

  /** Bytes of the RDB still to come (INFO master_sync_left_bytes). */
  get transferLeft(): number {
    return this.transferSize - this.transferRead;
  }
}

