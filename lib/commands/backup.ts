// SAVE and BGSAVE [SCHEDULE]: a consistent backup of every shard (lib/backup/backups.ts). SAVE
// answers when the backup is complete; unlike Redis's SAVE, the server keeps serving every other
// client meanwhile (the copy runs in a thread of its own over pinned snapshots).

import type { CommandDef } from './types.js';
import type { MainContext } from '../main-context.js';
import { cmd, isKw } from './define.js';
import { E } from '../errors.js';
import { BackupError } from '../backup/backups.js';
import { CompactError } from '../backup/compaction.js';
import { shardOf } from '../slot.js';

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

/** Pika's data types for COMPACT / COMPACTRANGE (respdb keeps every type in one environment per shard). */
const TYPES = new Set(['all', 'string', 'hash', 'set', 'zset', 'list']);

function startCompaction(ctx: MainContext, shards: number[]): void {
  const c = ctx.server.backups.compaction;
  if (c.inProgress) return ctx.out.error('ERR Compaction already in progress');
  if (ctx.server.backups.inProgress) return ctx.out.error('ERR Background save already in progress');
  try {
    c.compact(shards).catch(() => undefined);
  } catch (e) {
    if (e instanceof CompactError) return ctx.out.error(`ERR ${e.message}`);
    throw e;
  }
  ctx.out.ok();
}

/**
 * COMPACT [all|string|hash|set|zset|list] (Pika): every shard is rewritten without its free pages,
 * one after the other, in the background (INFO persistence: compact_*). A type names no less than
 * everything: all types share each shard's files.
 */
function compact(ctx: MainContext, args: Buffer[]): void {
  if (args.length > 2) return ctx.out.error(E.syntax);
  if (args.length === 2 && !TYPES.has(args[1].toString('latin1').toLowerCase())) return ctx.out.error(E.syntax);
  startCompaction(ctx, ctx.server.shards.all());
}

/** The hash tag of a key, as the slot function reads it (null: none). */
function hashTag(k: Buffer): Buffer | null {
  const s = k.indexOf(123);
  if (s < 0) return null;
  const e = k.indexOf(125, s + 1);
  return e > s + 1 ? k.subarray(s + 1, e) : null;
}

/**
 * COMPACTRANGE <type> <start_key> <end_key> (Pika): the shards that may hold keys of the range: a
 * single key's shard, or a hash tag's shard when both ends share it; otherwise every shard (keys are
 * spread by hash, so a range of names has keys everywhere).
 */
function compactRange(ctx: MainContext, args: Buffer[]): void {
  if (!TYPES.has(args[1].toString('latin1').toLowerCase())) return ctx.out.error(E.syntax);
  const [from, to] = [args[2], args[3]];
  const n = ctx.server.shards.count;
  const tf = hashTag(from);
  const tt = hashTag(to);
  let shards: number[];
  if (from.equals(to)) shards = [shardOf(from, n)];
  else if (tf !== null && tt !== null && tf.equals(tt)) shards = [shardOf(from, n)];
  else shards = ctx.server.shards.all();
  startCompaction(ctx, shards);
}

const FLAGS = ['admin', 'noscript', 'no_async_loading', 'no_multi'] as const;

export const backupCommands: CommandDef[] = [
  cmd({
    name: 'compact', arity: -1, flags: [...FLAGS], main: compact,
    summary: 'Rewrite every shard without the free pages deletes left (Pika)', since: '1.0.0', group: 'server',
    complexity: 'O(N) where N is the number of records stored',
  }),
  cmd({
    name: 'compactrange', arity: 4, flags: [...FLAGS], main: compactRange,
    summary: 'Rewrite the shards that may hold the keys of a range without their free pages (Pika)', since: '1.0.0', group: 'server',
    complexity: 'O(N) where N is the number of records stored in those shards',
  }),
  cmd({
    name: 'save', arity: 1, flags: [...FLAGS], main: save,
    summary: 'Synchronously save the dataset to disk', since: '1.0.0', group: 'server',
    complexity: 'O(N) where N is the total number of keys in all databases',
  }),
  cmd({
    name: 'bgsave', arity: -1, flags: ['admin', 'noscript', 'no_async_loading'], main: bgsave,
    summary: 'Asynchronously save the dataset to disk', since: '1.0.0', group: 'server',
    complexity: 'O(N) where N is the total number of keys in all databases',
  }),
];
