// What a main-thread command handler gets.

import type { RespWriter } from './resp/writer.js';
import type { Server } from './server.js';
import type { Connection } from './connection.js';
import type { CommandDef } from './commands/types.js';

export interface MainContext {
  server: Server;
  conn: Connection;
  def: CommandDef;
  /** The reply goes here (exactly one reply), encoded in the connection's protocol. */
  out: RespWriter;
  /** Close the connection after this reply (QUIT). */
  closeAfter: boolean;
}
