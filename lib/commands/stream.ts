// Stream commands without consumer groups (Redis 7.0): XADD XTRIM XDEL XLEN XRANGE XREVRANGE
// XSETID, their arguments checked in Redis's order with its error texts, and the replies. XREAD
// is lib/commands/stream-read.ts. The data work (ids, nodes, trimming, binlog effects) is
// lib/store/stream.ts.

import type { CommandDef, ShardExec } from './types.js';
import type { RespWriter } from '../resp/writer.js';
import { cmd, isKw, keySpec } from './define.js';
import { E, RedisError, wrongArgs } from '../errors.js';
import { parseI64 } from '../resp/number.js';
import { type AddSpec, type StreamEntry, type TrimSpec, entryRange, openStream, saveStream, streamAdd, streamDelete, streamLength, streamTrim, edgeId } from '../store/stream.js';
import { type StreamId, ID_ZERO, compareIds, formatId, nextId, parseId, prevId } from '../store/stream-id.js';
import { defaultTrimLimit } from '../store/stream-nodes.js';

const ZERO_ID = 'ERR The ID specified in XADD must be greater than 0-0';

/** Whether the argument, read as a C string, is exactly `s` (one character). */
function isChar(arg: Buffer, code: number): boolean {
  return arg.length >= 1 && arg[0] === code && (arg.length === 1 || arg[1] === 0);
}

function longLong(arg: Buffer): bigint {
  const n = parseI64(arg);
  if (n === null) throw new RedisError(E.notInt);
  return n;
}

interface Parsed extends AddSpec {
  /** index of the first field (XADD) */
  fieldsAt: number;
}

/** Redis's streamParseAddOrTrimArgsOrReply. */
function parseAddOrTrim(args: Buffer[], xadd: boolean): Parsed {
  const p: Parsed = { id: null, seqGiven: true, noMkStream: false, trim: null, trimAt: -1, idAt: -1, fieldsAt: args.length };
  let approx = false;
  let limit = 0n;
  let limitGiven = false;
  let strategy: 'maxlen' | 'minid' | null = null;
  let maxlen = -1n;
  let minid: StreamId = ID_ZERO;
  let i = 2;
  for (; i < args.length; i++) {
    const more = args.length - 1 - i;
    const opt = args[i];
    if (xadd && isChar(opt, 42 /* * */)) break;
    if ((isKw(opt, 'maxlen') || isKw(opt, 'minid')) && more) {
      const isMax = isKw(opt, 'maxlen');
      if (strategy !== null) throw new RedisError('ERR syntax error, MAXLEN and MINID options at the same time are not compatible');
      approx = false;
      const next = args[i + 1];
      if (more >= 2 && isChar(next, 126 /* ~ */)) {
        approx = true;
        i++;
      } else if (more >= 2 && isChar(next, 61 /* = */)) i++;
      if (isMax) {
        maxlen = longLong(args[i + 1]);
        if (maxlen < 0n) throw new RedisError('ERR The MAXLEN argument must be >= 0.');
      } else minid = parseId(args[i + 1], 0n, true);
      i++;
      strategy = isMax ? 'maxlen' : 'minid';
      p.trimAt = i;
    } else if (isKw(opt, 'limit') && more) {
      limit = longLong(args[i + 1]);
      if (limit < 0n) throw new RedisError('ERR The LIMIT argument must be >= 0.');
      limitGiven = true;
      i++;
    } else if (xadd && isKw(opt, 'nomkstream')) {
      p.noMkStream = true;
    } else if (xadd) {
      const id = parseId(opt, 0n, true, true);
      p.id = { ms: id.ms, seq: id.seq };
      p.seqGiven = id.seqGiven;
      break;
    } else throw new RedisError(E.syntax);
  }
  if (limit !== 0n && strategy === null) throw new RedisError('ERR syntax error, LIMIT cannot be used without specifying a trimming strategy');
  if (!xadd && strategy === null) throw new RedisError('ERR syntax error, XTRIM must be called with a trimming strategy');
  if (limitGiven) {
    if (!approx) throw new RedisError('ERR syntax error, LIMIT cannot be used without the special ~ option');
  } else limit = approx ? BigInt(defaultTrimLimit()) : 0n;
  if (strategy !== null) {
    const lim = limit > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(limit);
    const t: TrimSpec = { strategy, maxlen, minid, approx, limit: lim };
    p.trim = t;
  }
  p.idAt = i;
  p.fieldsAt = i + 1;
  return p;
}

function writeEntries(out: RespWriter, entries: StreamEntry[]): void {
  out.array(entries.length);
  for (const e of entries) {
    out.array(2);
    out.bulk(Buffer.from(formatId(e.id), 'latin1'));
    out.array(e.pairs.length);
    for (const v of e.pairs) out.bulk(v);
  }
}

// ------------------------------------------------------------------------------------------------
// Commands
// ------------------------------------------------------------------------------------------------

function xadd(x: ShardExec, args: Buffer[]): void {
  const p = parseAddOrTrim(args, true);
  const nf = args.length - p.fieldsAt;
  if (nf < 2 || nf % 2 === 1) throw new RedisError(wrongArgs('xadd'));
  if (p.id && p.seqGiven && p.id.ms === 0n && p.id.seq === 0n) throw new RedisError(ZERO_ID);
  const id = streamAdd(x, args, p, args.slice(p.fieldsAt));
  if (id === null) return x.out.nil();
  x.out.bulk(Buffer.from(formatId(id), 'latin1'));
}

function xtrim(x: ShardExec, args: Buffer[]): void {
  const p = parseAddOrTrim(args, false);
  x.out.int(streamTrim(x, args, p.trim as TrimSpec, p.trimAt));
}

function xdel(x: ShardExec, args: Buffer[]): void {
  // the key first (a missing key answers 0 whatever the ids), then every id, then the deletes
  const s = openStream(x, args[1]);
  if (!s) return x.out.int(0);
  const ids: StreamId[] = [];
  for (let i = 2; i < args.length; i++) ids.push(parseId(args[i], 0n, true));
  x.out.int(streamDelete(x, args, ids));
}

function xlen(x: ShardExec, args: Buffer[]): void {
  x.out.int(streamLength(x, args[1]));
}

/** An interval bound: '(' makes it exclusive (strict id after it); `missingSeq` for <ms> alone. */
function parseBound(arg: Buffer, missingSeq: bigint): { id: StreamId; exclusive: boolean } {
  if (arg.length > 1 && arg[0] === 40 /* ( */) return { id: parseId(arg.subarray(1), missingSeq, true), exclusive: true };
  return { id: parseId(arg, missingSeq, false), exclusive: false };
}

function xrangeGeneric(rev: boolean) {
  return (x: ShardExec, args: Buffer[]): void => {
    const s0 = parseBound(rev ? args[3] : args[2], 0n);
    let start = s0.id;
    if (s0.exclusive) {
      const n = nextId(start);
      if (!n) throw new RedisError('ERR invalid start ID for the interval');
      start = n;
    }
    const e0 = parseBound(rev ? args[2] : args[3], (1n << 64n) - 1n);
    let end = e0.id;
    if (e0.exclusive) {
      const n = prevId(end);
      if (!n) throw new RedisError('ERR invalid end ID for the interval');
      end = n;
    }
    let count = -1n;
    for (let j = 4; j < args.length; j++) {
      if (isKw(args[j], 'count') && j + 1 < args.length) {
        count = longLong(args[j + 1]);
        if (count < 0n) count = 0n;
        j++;
      } else throw new RedisError(E.syntax);
    }
    const s = openStream(x, args[1]);
    if (!s) return x.out.array(0);
    if (count === 0n) return x.out.nilArray();
    const n = count === -1n ? 0 : count > BigInt(s.c.count) ? s.c.count : Number(count);
    writeEntries(x.out, entryRange(x.store, s.c.id, start, end, n, rev));
  };
}

/** XSETID key last-id [ENTRIESADDED entries-added] [MAXDELETEDID max-deleted-id] */
function xsetid(x: ShardExec, args: Buffer[]): void {
  const id = parseId(args[2], 0n, true);
  let added = -1n;
  let maxDel: StreamId = ID_ZERO;
  for (let i = 3; i < args.length; ) {
    const more = args.length - 1 - i;
    if (isKw(args[i], 'entriesadded') && more) {
      added = longLong(args[i + 1]);
      if (added < 0n) throw new RedisError('ERR entries_added must be positive');
      i += 2;
    } else if (isKw(args[i], 'maxdeletedid') && more) {
      maxDel = parseId(args[i + 1], 0n, true);
      if (compareIds(id, maxDel) < 0) throw new RedisError('ERR The ID specified in XSETID is smaller than the provided max_deleted_entry_id');
      i += 2;
    } else throw new RedisError(E.syntax);
  }
  const s = openStream(x, args[1]);
  if (!s) throw new RedisError(E.noKey);
  if (s.c.count > 0) {
    const top = edgeId(x.store, s.c.id, true) as StreamId;
    if (compareIds(id, top) < 0) throw new RedisError('ERR The ID specified in XSETID is smaller than the target stream top item');
    if (added !== -1n && BigInt(s.c.count) > added) throw new RedisError('ERR The entries_added specified in XSETID is smaller than the target stream length');
  }
  s.last = id;
  if (added !== -1n) s.added = added;
  if (maxDel.ms !== 0n || maxDel.seq !== 0n) s.maxDeleted = maxDel;
  saveStream(x, s);
  x.binlog(args);
  x.out.ok();
}

// ------------------------------------------------------------------------------------------------
// Table
// ------------------------------------------------------------------------------------------------

const ACL = ['stream'];
const G = { group: 'stream' } as const;

export const streamCommands: CommandDef[] = [
  cmd({
    name: 'xadd', arity: -5, flags: ['write', 'denyoom', 'fast'], acl: ACL, shard: xadd,
    keySpecs: [keySpec(['RW', 'update'], 1, 0, 1, 'UPDATE instead of INSERT because of the optional trimming feature')],
    tips: ['nondeterministic_output'],
    summary: 'Appends a new entry to a stream', since: '5.0.0', ...G,
    complexity: 'O(1) when adding a new entry, O(N) when trimming where N being the number of entries evicted.',
  }),
  cmd({
    name: 'xtrim', arity: -4, flags: ['write'], acl: ACL, shard: xtrim,
    keySpecs: [keySpec(['RW', 'delete'])],
    tips: ['nondeterministic_output'],
    summary: "Deletes messages from the beginning of a stream.", since: '5.0.0', ...G,
    complexity: 'O(N), with N being the number of evicted entries. Constant times are very small however, since entries are organized in macro nodes containing multiple entries that can be released with a single deallocation.',
  }),
  cmd({
    name: 'xdel', arity: -3, flags: ['write', 'fast'], acl: ACL, shard: xdel,
    keySpecs: [keySpec(['RW', 'delete'])],
    summary: 'Removes the specified entries from the stream. Returns the number of items actually deleted, that may be different from the number of IDs passed in case certain IDs do not exist.', since: '5.0.0', ...G,
    complexity: 'O(1) for each single item to delete in the stream, regardless of the stream size.',
  }),
  cmd({
    name: 'xlen', arity: 2, flags: ['readonly', 'fast'], acl: ACL, shard: xlen,
    keySpecs: [keySpec(['RO'])],
    summary: 'Return the number of entries in a stream', since: '5.0.0', ...G, complexity: 'O(1)',
  }),
  cmd({
    name: 'xrange', arity: -4, flags: ['readonly'], acl: ACL, shard: xrangeGeneric(false),
    keySpecs: [keySpec(['RO', 'access'])],
    summary: 'Return a range of elements in a stream, with IDs matching the specified IDs interval', since: '5.0.0', ...G,
    complexity: 'O(N) with N being the number of elements being returned. If N is constant (e.g. always asking for the first 10 elements with COUNT), you can consider it O(1).',
  }),
  cmd({
    name: 'xrevrange', arity: -4, flags: ['readonly'], acl: ACL, shard: xrangeGeneric(true),
    keySpecs: [keySpec(['RO', 'access'])],
    summary: 'Return a range of elements in a stream, with IDs matching the specified IDs interval, in reverse order (from greater to smaller IDs) compared to XRANGE', since: '5.0.0', ...G,
    complexity: 'O(N) with N being the number of elements returned. If N is constant (e.g. always asking for the first 10 elements with COUNT), you can consider it O(1).',
  }),
  cmd({
    name: 'xsetid', arity: -3, flags: ['write', 'denyoom', 'fast'], acl: ACL, shard: xsetid,
    keySpecs: [keySpec(['RW', 'update'])],
    summary: 'An internal command for replicating stream values', since: '5.0.0', ...G, complexity: 'O(1)',
  }),
];

