// What the client features (lib/clients/) need to know about particular commands, stated by the
// command families (lib/commands/client.ts sets these when it loads), so that nothing here
// knows a command by its name. The defaults describe a table with no such commands.

import type { Connection } from '../connection.js';
import type { CommandDef } from '../commands/types.js';

export const commandRules = {
  /**
   * CLIENT PAUSE WRITE holds this call: a write or may-replicate command, or an EXEC whose
   * transaction holds one.
   */
  pausedByWrite(_conn: Connection, def: CommandDef): boolean {
    return def.flags.includes('write') || def.flags.includes('may_replicate');
  },
  /**
   * The CLIENT CACHING flag survives this command (Redis clears it after every command but the
   * CLIENT subcommands, and keeps it through a transaction until EXEC or DISCARD).
   */
  keepsCaching(_conn: Connection, _def: CommandDef | null): boolean {
    return false;
  },
  /**
   * The command's replies are pushes (SUBSCRIBE's confirmations...): Redis sends them even while
   * the client's replies are off (CLIENT REPLY OFF / SKIP).
   */
  repliesArePushes(_def: CommandDef | null): boolean {
    return false;
  },
  /** The client is inside MULTI (MONITOR refuses to start there). */
  inTransaction(_conn: Connection): boolean {
    return false;
  },
  /**
   * The commands this call runs besides itself, in order (EXEC of a transaction that will run:
   * MONITOR shows them and tracking remembers their reads, as Redis's call() of each does); null
   * for any other call.
   */
  innerCommands(_conn: Connection, _def: CommandDef): ReadonlyArray<{ def: CommandDef; args: Buffer[] }> | null {
    return null;
  },
  /** The client's database after this command (SELECT's new one), for MONITOR's lines. */
  dbAfter(_def: CommandDef, _args: Buffer[], db: number): number {
    return db;
  },
};
