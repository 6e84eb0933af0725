// The commands of an EXEC that run on one shard, packed into the arguments of one internal
// command (`exec-group`), so the shard runs them back to back in one write transaction:
//   [name, watcher id ('' = no WATCH check), then per command: [u32 index][u32 argc][u8 db], its args...]

import type { CommandDef } from './commands/types.js';
import { ALL } from './commands/registry.js';

export interface GroupCommand {
  def: CommandDef;
  db: number;
  args: Buffer[];
}

const HEADER = 9;

/** Appends one command to a group's arguments. */
export function pushGroupCommand(out: Buffer[], def: CommandDef, db: number, args: Buffer[]): void {
  const h = Buffer.allocUnsafe(HEADER);
  h.writeUInt32LE(def.index!, 0);
  h.writeUInt32LE(args.length, 4);
  h[8] = db;
  out.push(h);
  for (const a of args) out.push(a);
}

/** The commands of a group's arguments, from index `from`. */
export function groupCommands(args: Buffer[], from: number): GroupCommand[] {
  const out: GroupCommand[] = [];
  let i = from;
  while (i < args.length) {
    const h = args[i];
    const def = ALL[h.readUInt32LE(0)];
    const argc = h.readUInt32LE(4);
    out.push({ def, db: h[8], args: args.slice(i + 1, i + 1 + argc) });
    i += 1 + argc;
  }
  return out;
}
