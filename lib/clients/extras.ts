// A connection's state for the client features (Connection.extras): null until the client uses
// one of them, so an ordinary client carries one null field.

import type { TrackingState } from './tracking.js';

/** CLIENT REPLY SKIP given by the command being run: the next command's reply is dropped. */
export const SKIP_NEXT = 1;
/** The command being run is the one whose reply is dropped. */
export const SKIP_THIS = 2;

export class ClientExtras {
  tracking: TrackingState | null = null;
  /** In MONITOR mode. */
  monitor = false;
  /** CLIENT REPLY OFF. */
  replyOff = false;
  /** CLIENT REPLY SKIP: 0, SKIP_NEXT or SKIP_THIS. */
  skip = 0;
}

/** The connection's extras, created on first use. */
export function extrasOf(conn: { extras: ClientExtras | null }): ClientExtras {
  return (conn.extras ??= new ClientExtras());
}
