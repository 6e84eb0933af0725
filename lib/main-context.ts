// What a main-thread command handler gets: a coordinated handler's context, plus the server and
// the client's connection.

import type { Server } from './server.js';
import type { Connection } from './connection.js';
import type { CommandDef, CoordContext } from './commands/types.js';

/**
 * How a main-thread handler reaches the shards (DBSIZE, KEYS, FLUSHALL, SCAN...): through the
 * rings in the global order, or, inside EXEC, through the transaction that holds them.
 */
export interface ShardCalls {
  /** One command on one shard; resolves with its reply. */
  call(shard: number, def: CommandDef, db: number, proto: number, args: Buffer[]): Promise<Buffer>;
  /** A big read step (SCAN with a big COUNT): on the slow pool when there is one. */
  callSlow(shard: number, def: CommandDef, db: number, proto: number, args: Buffer[]): Promise<Buffer>;
  /**
   * The command on every shard at one point of the order; the replies shard by shard. `origin`:
   * the client it runs for (its keyspace events' origin).
   */
  broadcast(def: CommandDef, db: number, proto: number, args: Buffer[], origin?: Connection): Promise<Buffer[]>;
  /** KEYS over one consistent cut of every shard on the slow pool; null: use broadcast. */
  gather: ((conn: Connection, def: CommandDef, db: number, args: Buffer[]) => Promise<Buffer>) | null;
}

export interface MainContext extends CoordContext {
  server: Server;
  conn: Connection;
  /** Close the connection after this reply (QUIT). */
  closeAfter: boolean;
  calls: ShardCalls;
  /**
   * Inside EXEC a blocking command does not wait: its attempt runs once through this, and an
   * empty result is its timeout reply at once (as Redis). Unset outside EXEC.
   */
  attemptOnce?: (args: Buffer[]) => Promise<Buffer>;
}
