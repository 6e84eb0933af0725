// Output a client did not ask for with a command (MONITOR lines, invalidation messages): it
// takes the next place in the connection's reply order, after every reply still pending, so it
// never overtakes the reply of a command executed before it. It is sent even while the
// client's replies are switched off (CLIENT REPLY OFF/SKIP), as Redis sends push messages.

import { Slot, type Connection } from '../connection.js';

export function deliver(conn: Connection, data: Buffer): void {
  if (conn.closed || conn.closing) return;
  const s = new Slot(conn);
  conn.queue.push(s);
  s.fill(data);
}
