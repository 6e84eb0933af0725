// SAVE and BGSAVE [SCHEDULE]: a consistent backup of every shard (lib/backup/backups.ts). SAVE
// answers when the backup is complete; unlike Redis's SAVE, the server keeps serving every other
// client meanwhile (the copy runs in a thread of its own over pinned snapshots).

import type { CommandDef } from './types.js';
import type { MainContext } from '../main-context.js';
import { cmd, isKw } from './define.js';
import { E } from '../errors.js';
import { BackupError } from '../backup/backups.js';

const ANOTHER_JOB = "ERR Another child process is active (AOF?): can't BGSAVE right now. Use BGSAVE SCHEDULE in order to schedule a BGSAVE whenever possible.";

async function save(ctx: MainContext): Promise<void> {
  const b = ctx.server.backups;
  if (!b.inProgress && b.otherBusy) return ctx.out.error('ERR Background save already in progress');
  try {
    await b.begin();
    ctx.out.ok();
  } catch (e) {
    if (e instanceof BackupError) ctx.out.error(`ERR ${e.message}`);
    else throw e;
  }
}

function bgsave(ctx: MainContext, args: Buffer[]): void {
  let schedule = false;
  if (args.length > 1) {
    if (args.length === 2 && isKw(args[1], 'schedule')) schedule = true;
    else return ctx.out.error(E.syntax);
  }
  const b = ctx.server.backups;
  if (b.inProgress) return ctx.out.error('ERR Background save already in progress');
  if (b.otherBusy) {
    // a compaction holds the copier, as an AOF rewrite holds Redis's child
    if (!schedule) return ctx.out.error(ANOTHER_JOB);
    b.schedule();
    return ctx.out.simple('Background saving scheduled');
  }
  try {
    b.begin().catch(() => undefined);
  } catch (e) {
    if (e instanceof BackupError) return ctx.out.error(`ERR ${e.message}`);
    throw e;
  }
  ctx.out.simple('Background saving started');
}

const FLAGS = ['admin', 'noscript', 'no_async_loading', 'no_multi'] as const;

export const backupCommands: CommandDef[] = [
  cmd({
    name: 'save', arity: 1, flags: [...FLAGS], main: save,
    summary: 'Synchronously save the dataset to disk', since: '1.0.0', group: 'server',
    complexity: 'O(N) where N is the total number of keys in all databases',
  }),
  cmd({
    name: 'bgsave', arity: -1, flags: [...FLAGS], main: bgsave,
    summary: 'Asynchronously save the dataset to disk', since: '1.0.0', group: 'server',
    complexity: 'O(N) where N is the total number of keys in all databases',
  }),
];
