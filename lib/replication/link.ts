// One replica of this node, as the master side sees it: after its PSYNC (or SYNC) the connection
// carries the RDB of a full sync, or nothing, then this node's stream from the replica's offset,
// read from the backlog as fast as the socket takes it. The replica's input goes on being parsed
// (REPLCONF ACK), and nothing is ever answered to it.

import type { Connection } from '../connection.js';
import type { Backlog } from './backlog.js';
import { logger } from '../log.js';

const log = logger('replication');

/** Stream bytes read from the backlog per write. */
const READ_BYTES = 1 << 20;
/** The socket's unsent bytes above which the stream waits for 'drain'. */
const SOCKET_HIGH = 4 << 20;

export type LinkState = 'wait_bgsave' | 'send_bulk' | 'online';

/** What a replica said of itself before PSYNC (REPLCONF listening-port, ip-address, capa). */
export interface ReplicaHello {
  listeningPort: number;
  ipAddress: string;
  capaEof: boolean;
  capaPsync2: boolean;
  rdbOnly: boolean;
}

export function newHello(): ReplicaHello {
  return { listeningPort: 0, ipAddress: '', capaEof: false, capaPsync2: false, rdbOnly: false };
}

/** A connection's address as INFO lists replicas: plain IPv4 for IPv4-mapped IPv6. */
export function plainIp(addr: string | undefined): string {
  if (!addr) return '?';
  return addr.startsWith('::ffff:') ? addr.slice(7) : addr;
}

export class ReplicaLink {
  state: LinkState = 'wait_bgsave';
  /** the next stream offset to send */
  sendOffset = 0;
  /** the offset the replica last acknowledged (REPLCONF ACK) */
  ackOffset = 0;
  /** when the last ACK came (ms) */
  ackAt = Date.now();
  /** diskless full sync: the stream waits for the replica's first ACK after the RDB */
  private waitFirstAck = false;
  private pumping = false;
  private closed = false;
  readonly ip: string;

  constructor(
    readonly id: number,
    readonly conn: Connection,
    readonly hello: ReplicaHello,
    private readonly backlog: Backlog,
    private readonly onGone: (link: ReplicaLink) => void,
  ) {
    this.ip = hello.ipAddress !== '' ? hello.ipAddress : plainIp(conn.socket.remoteAddress);
    conn.replica = true;
    conn.mute = true; // a replica is never answered (REPLCONF ACK)
    conn.socket.on('drain', () => this.pump());
    conn.socket.on('close', () => this.gone());
  }

  /** The port INFO shows: the one the replica announced. */
  get port(): number {
    return this.hello.listeningPort;
  }

  /** Bytes straight to the replica, after whatever the connection has pending (the handshake's replies). */
  write(b: Buffer | string): boolean {
    if (this.closed) return false;
    this.conn.flush();
    return this.conn.socket.write(b);
  }

  /** The stream from `offset` on (after +CONTINUE, or after a full sync's RDB). */
  follow(offset: number, waitFirstAck = false): void {
    this.sendOffset = offset;
    this.ackAt = Date.now(); // its lag counts from here (a full sync may have taken long)
    this.state = 'online';
    this.waitFirstAck = waitFirstAck;
    this.pump();
  }

  /** REPLCONF ACK <offset>. */
  ack(offset: number): void {
    this.ackOffset = offset;
    this.ackAt = Date.now();
    if (this.waitFirstAck) {
      this.waitFirstAck = false;
      this.pump();
    }
  }

  /** Seconds since the last ACK (INFO's lag). */
  lag(now = Date.now()): number {
    return Math.floor((now - this.ackAt) / 1000);
  }

  /** Writes what the backlog has past sendOffset while the socket keeps up. */
  pump(): void {
    if (this.closed || this.state !== 'online' || this.waitFirstAck || this.pumping) return;
    this.pumping = true;
    try {
      const sock = this.conn.socket;
      while (this.sendOffset < this.backlog.end && sock.writableLength < SOCKET_HIGH) {
        if (!this.backlog.holds(this.sendOffset)) {
          log.warn({ replica: `${this.ip}:${this.port}`, offset: this.sendOffset, start: this.backlog.start }, 'replica fell behind the backlog: disconnected (it will resynchronize)');
          this.close();
          return;
        }
        const b = this.backlog.read(this.sendOffset, READ_BYTES);
        this.sendOffset += b.length;
        if (!this.write(b)) break;
      }
    } finally {
      this.pumping = false;
    }
  }

  close(): void {
    if (this.closed) return;
    this.conn.kill();
    this.gone();
  }

  private gone(): void {
    if (this.closed) return;
    this.closed = true;
    this.onGone(this);
  }

  get isClosed(): boolean {
    return this.closed;
  }
}
