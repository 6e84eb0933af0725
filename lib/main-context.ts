// What a main-thread command handler gets: a coordinated handler's context, plus the server and
// the client's connection.

import type { Server } from './server.js';
import type { Connection } from './connection.js';
import type { CoordContext } from './commands/types.js';

export interface MainContext extends CoordContext {
  server: Server;
  conn: Connection;
  /** Close the connection after this reply (QUIT). */
  closeAfter: boolean;
}
