// List commands (Redis 7.0, non-blocking): LPUSH RPUSH LPUSHX RPUSHX LPOP RPOP LLEN LINDEX LINSERT
// LSET LRANGE LREM LTRIM LPOS LMOVE RPOPLPUSH LMPOP: their arguments (Redis's error texts, in the
// order Redis checks them), their replies and their table entries. The data work is in
// lib/store/list.ts (the layout: elements under signed sequence numbers, head and tail in the
// record) and lib/store/list-edit.ts (LINSERT's shifts, LREM's compaction).
//
// LMOVE / RPOPLPUSH whose two keys live on different shards run under both shards' locks: LLEN on
// both (type checks in Redis's order), then LPOP/RPOP on the source and LPUSH/RPUSH of the element
// on the destination, each logging its own effect. LMPOP over several shards walks its keys in
// order, one LMPOP per run of consecutive keys on the same shard, under the locks of all of them,
// and stops at the first run that pops something or fails. The blocking commands
// (lib/commands/blocking.ts) run LMPOP and LMOVE by name: their names, arguments and replies are
// part of that contract.

import type { CommandDef, KeySpecDoc, KeyEventEmitter, ShardExec, CoordContext } from './types.js';
import { EV } from '../store/key-events.js';
import { cmd, isKw, keySpec } from './define.js';
import { parseMpop } from './mpop.js';

/** LMPOP's sides (the first is LEFT). */
const SIDES = ['left', 'right'] as const;
import { rankRangeWork } from './work.js';
import { E, RedisError, wrongArgs } from '../errors.js';
import { parseI64 } from '../resp/number.js';
import { decodeReply } from '../resp/decode.js';
import {
  listIndex,
  listLength,
  listMove,
  listPop,
  listPopFirst,
  listPositions,
  listPush,
  listRange,
  listSet,
  listTrim,
  openExistingList,
  openList,
} from '../store/list.js';
import { listInsert, listRemove } from '../store/list-edit.js';


// ------------------------------------------------------------------------------------------------
// Argument parsing (Redis's messages)
// ------------------------------------------------------------------------------------------------

const ERR_POSITIVE = 'ERR value is out of range, must be positive';
const ERR_RANK_ZERO =
  "ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list";
const ERR_COUNT_NEG = "ERR COUNT can't be negative";
const ERR_MAXLEN_NEG = "ERR MAXLEN can't be negative";

/** getLongFromObjectOrReply: a signed 64-bit integer (as a JS number, exact up to 2^53). */
function longArg(b: Buffer): number {
  const n = parseI64(b);
  if (n === null) throw new RedisError(E.notInt);
  return Number(n);
}

/** getPositiveLongFromObjectOrReply with a message: 0..LONG_MAX, any failure gives `msg`. */
function positiveArg(b: Buffer, msg: string): number {
  const n = parseI64(b);
  if (n === null || n < 0n) throw new RedisError(msg);
  return Number(n);
}

/** LEFT -> true, RIGHT -> false, else a syntax error (getListPositionFromObjectOrReply). */
function sideArg(b: Buffer): boolean {
  if (isKw(b, 'left')) return true;
  if (isKw(b, 'right')) return false;
  throw new RedisError(E.syntax);
}

// ------------------------------------------------------------------------------------------------
// Commands
// ------------------------------------------------------------------------------------------------

function pushGeneric(left: boolean, onlyExisting: boolean) {
  return (x: ShardExec, args: Buffer[]): void => {
    x.out.int(listPush(x, args, left, onlyExisting));
  };
}

function popGeneric(left: boolean, name: string) {
  return (x: ShardExec, args: Buffer[]): void => {
    if (args.length > 3) return x.out.error(wrongArgs(name));
    const hasCount = args.length === 3;
    const count = hasCount ? positiveArg(args[2], ERR_POSITIVE) : 1;
    const vals = listPop(x, args[1], left, count, args);
    if (!vals) return hasCount ? x.out.nilArray() : x.out.nil();
    if (!hasCount) return x.out.bulk(vals[0]);
    x.out.array(vals.length);
    for (const v of vals) x.out.bulk(v);
  };
}

function llen(x: ShardExec, args: Buffer[]): void {
  x.out.int(listLength(x, args[1]));
}

function lindex(x: ShardExec, args: Buffer[]): void {
  // the key is looked up (nil, WRONGTYPE) before the index is read, as in Redis
  const l = openList(x, args[1]);
  if (!l) return x.out.nil();
  x.out.bulk(listIndex(l, longArg(args[2])));
}

function linsert(x: ShardExec, args: Buffer[]): void {
  let after: boolean;
  if (isKw(args[2], 'after')) after = true;
  else if (isKw(args[2], 'before')) after = false;
  else throw new RedisError(E.syntax);
  x.out.int(listInsert(x, args[1], after, args[3], args[4], args));
}

function lset(x: ShardExec, args: Buffer[]): void {
  // "no such key" and WRONGTYPE come before the index is read, as in Redis
  const l = openExistingList(x, args[1]);
  listSet(l, longArg(args[2]), args[3], args);
  x.out.ok();
}

function lrange(x: ShardExec, args: Buffer[]): void {
  const start = longArg(args[2]);
  const end = longArg(args[3]);
  const r = listRange(x, args[1], start, end);
  if (!r) return x.out.array(0);
  const n = r.rangeLength;
  x.out.array(n);
  // each element goes into the reply before the next one is read (a view of LMDB's read buffer)
  for (let i = 0; i < n; i++) {
    r.advanceInRange();
    x.out.bulkSlice(r.spanBuf, r.spanStart, r.spanEnd);
  }
}

function ltrim(x: ShardExec, args: Buffer[]): void {
  const start = longArg(args[2]);
  const end = longArg(args[3]);
  listTrim(x, args[1], start, end, args);
  x.out.ok();
}

function lrem(x: ShardExec, args: Buffer[]): void {
  const count = longArg(args[2]);
  x.out.int(listRemove(x, args[1], count, args[3], args));
}

function lpos(x: ShardExec, args: Buffer[]): void {
  let rank = 1n;
  let count = -1;
  let maxlen = 0;
  for (let j = 3; j < args.length; j++) {
    const more = j + 1 < args.length;
    if (isKw(args[j], 'rank') && more) {
      const r = parseI64(args[++j]);
      if (r === null) throw new RedisError(E.notInt);
      if (r === 0n) throw new RedisError(ERR_RANK_ZERO);
      rank = r;
    } else if (isKw(args[j], 'count') && more) {
      count = positiveArg(args[++j], ERR_COUNT_NEG);
    } else if (isKw(args[j], 'maxlen') && more) {
      maxlen = positiveArg(args[++j], ERR_MAXLEN_NEG);
    } else throw new RedisError(E.syntax);
  }
  const found = listPositions(x, args[1], args[2], rank, count, maxlen);
  if (count === -1) return found && found.length ? x.out.int(found[0]) : x.out.nil();
  if (!found) return x.out.array(0);
  x.out.array(found.length);
  for (const i of found) x.out.int(i);
}

/** LMOVE / RPOPLPUSH with both keys on this shard (the same key rotates the list). */
function lmoveWith(x: ShardExec, args: Buffer[], fromLeft: boolean, toLeft: boolean): void {
  x.out.bulk(listMove(x, args[1], args[2], fromLeft, toLeft, args));
}

function lmove(x: ShardExec, args: Buffer[]): void {
  const fromLeft = sideArg(args[3]);
  const toLeft = sideArg(args[4]);
  lmoveWith(x, args, fromLeft, toLeft);
}

function rpoplpush(x: ShardExec, args: Buffer[]): void {
  lmoveWith(x, args, false, true);
}

function lmpop(x: ShardExec, args: Buffer[]): void {
  const p = parseMpop(args, 1, SIDES);
  const popped = listPopFirst(x, p.keys, p.first, p.count);
  if (!popped) return x.out.nilArray();
  x.out.array(2);
  x.out.bulk(popped.key);
  x.out.array(popped.elements.length);
  for (const v of popped.elements) x.out.bulk(v);
}

// ------------------------------------------------------------------------------------------------
// Cross-shard LMOVE / RPOPLPUSH / LMPOP (main thread, under the coordinator's locks)
// ------------------------------------------------------------------------------------------------

const B_LPOP = Buffer.from('LPOP');
const B_RPOP = Buffer.from('RPOP');
const B_LPUSH = Buffer.from('LPUSH');
const B_RPUSH = Buffer.from('RPUSH');
const B_LLEN = Buffer.from('LLEN');
const B_LINDEX = Buffer.from('LINDEX');
const B_HEAD = Buffer.from('0');
const B_TAIL = Buffer.from('-1');
const B_LMPOP = Buffer.from('LMPOP');
const B_COUNT = Buffer.from('COUNT');

function lmoveCoordinatedWith(ctx: CoordContext, src: Buffer, dst: Buffer, fromLeft: boolean, toLeft: boolean): Promise<void> {
  const { shards, out } = ctx;
  const db = ctx.db;
  const sa = shards.of(src);
  const sb = shards.of(dst);
  return shards.locked([sa, sb], async (tx) => {
    // Redis's order: a missing source answers nil whatever the destination holds; then the
    // source's type, then the destination's. The element is read first, pushed, then popped:
    // Redis's order of the changes (and of their keyspace events). A source that expires between
    // the steps is gone when the pop comes: the move happened just before its expiry.
    const [rs, rd] = await Promise.all([tx.exec(sa, lindexDef, db, [B_LINDEX, src, fromLeft ? B_HEAD : B_TAIL]), tx.exec(sb, llenDef, db, [B_LLEN, dst])]);
    const vs = decodeReply(rs);
    if (vs instanceof Error) return out.error(vs.message);
    if (vs === null) return out.nil();
    const ld = decodeReply(rd);
    if (ld instanceof Error) return out.error(ld.message);
    const v = Buffer.from(vs as Buffer);
    const ur = decodeReply(await tx.exec(sb, toLeft ? lpushDef : rpushDef, db, [toLeft ? B_LPUSH : B_RPUSH, dst, v]));
    if (ur instanceof Error) return out.error(ur.message);
    const pr = decodeReply(await tx.exec(sa, fromLeft ? lpopDef : rpopDef, db, [fromLeft ? B_LPOP : B_RPOP, src]));
    if (pr instanceof Error) return out.error(pr.message);
    out.bulk(v);
  });
}

function lmoveCoordinated(ctx: CoordContext, args: Buffer[]): Promise<void> {
  const fromLeft = sideArg(args[3]);
  const toLeft = sideArg(args[4]);
  return lmoveCoordinatedWith(ctx, args[1], args[2], fromLeft, toLeft);
}

function rpoplpushCoordinated(ctx: CoordContext, args: Buffer[]): Promise<void> {
  return lmoveCoordinatedWith(ctx, args[1], args[2], false, true);
}

function lmpopCoordinated(ctx: CoordContext, args: Buffer[]): Promise<void> {
  const p = parseMpop(args, 1, SIDES);
  const { shards, out } = ctx;
  const db = ctx.db;
  const proto = ctx.proto;
  // runs of consecutive keys on the same shard, in key order
  const runs: Array<{ shard: number; keys: Buffer[] }> = [];
  for (const k of p.keys) {
    const s = shards.of(k);
    const last = runs[runs.length - 1];
    if (last && last.shard === s) last.keys.push(k);
    else runs.push({ shard: s, keys: [k] });
  }
  const tail = [p.where, B_COUNT, Buffer.from(String(p.count))];
  return shards.locked(
    runs.map((r) => r.shard),
    async (tx) => {
      for (const r of runs) {
        const reply = await tx.exec(r.shard, lmpopDef, db, [B_LMPOP, Buffer.from(String(r.keys.length)), ...r.keys, ...tail], proto);
        if (decodeReply(reply) === null) continue;
        out.raw(reply); // the popped [key, [elements]] or an error (WRONGTYPE)
        return;
      }
      out.nilArray();
    },
  );
}

// ------------------------------------------------------------------------------------------------
// The table
// ------------------------------------------------------------------------------------------------

/** LMOVE / RPOPLPUSH as effects: the push on the destination, then the pop from the source (Redis's order). */
function moveEvents(a: Buffer[], e: KeyEventEmitter, fromLeft: boolean, toLeft: boolean): void {
  e.event(a[2], toLeft ? EV.lpush : EV.rpush);
  e.event(a[1], fromLeft ? EV.lpop : EV.rpop);
}

const LIST = ['list'];
const G = { group: 'list' } as const;
const ks = (flags: string[], index = 1): KeySpecDoc => keySpec(flags, index);
const PUSH_COMPLEXITY = 'O(1) for each element added, so O(N) to add N elements when the command is called with multiple arguments.';

const lindexDef = cmd({
  name: 'lindex', direct: true, arity: 3, flags: ['readonly'], acl: LIST, shard: lindex,
  keySpecs: [ks(['RO', 'access'])],
  summary: 'Get an element from a list by its index', since: '1.0.0', ...G,
  complexity: 'O(N) where N is the number of elements to traverse to get to the element at index. This makes asking for the first or the last element of the list O(1).',
});

const llenDef = cmd({
  name: 'llen', direct: true, arity: 2, flags: ['readonly', 'fast'], acl: LIST, shard: llen,
  keySpecs: [ks(['RO'])],
  summary: 'Get the length of a list', since: '1.0.0', ...G, complexity: 'O(1)',
});

const lpopDef = cmd({
  name: 'lpop', arity: -2, flags: ['write', 'fast'], acl: LIST, shard: popGeneric(true, 'lpop'),
  keySpecs: [ks(['RW', 'access', 'delete'])],
  summary: 'Remove and get the first elements in a list', since: '1.0.0', ...G, complexity: 'O(N) where N is the number of elements returned',
});

const rpopDef = cmd({
  name: 'rpop', arity: -2, flags: ['write', 'fast'], acl: LIST, shard: popGeneric(false, 'rpop'),
  keySpecs: [ks(['RW', 'access', 'delete'])],
  summary: 'Remove and get the last elements in a list', since: '1.0.0', ...G, complexity: 'O(N) where N is the number of elements returned',
});

const lpushDef = cmd({
  name: 'lpush', arity: -3, flags: ['write', 'denyoom', 'fast'], acl: LIST, shard: pushGeneric(true, false),
  keySpecs: [ks(['RW', 'insert'])],
  summary: 'Prepend one or multiple elements to a list', since: '1.0.0', ...G, complexity: PUSH_COMPLEXITY,
});

const rpushDef = cmd({
  name: 'rpush', arity: -3, flags: ['write', 'denyoom', 'fast'], acl: LIST, shard: pushGeneric(false, false),
  keySpecs: [ks(['RW', 'insert'])],
  summary: 'Append one or multiple elements to a list', since: '1.0.0', ...G, complexity: PUSH_COMPLEXITY,
});

const lmpopDef = cmd({
  name: 'lmpop', arity: -4, flags: ['write', 'movablekeys'], acl: LIST, shard: lmpop, coordinated: lmpopCoordinated,
  keySpecs: [{ flags: ['RW', 'access', 'delete'], begin: { index: 1 }, find: { keynumidx: 0, firstkey: 1, keystep: 1 } }],
  summary: 'Pop elements from a list', since: '7.0.0', ...G,
  complexity: 'O(N+M) where N is the number of provided keys and M is the number of elements returned.',
});

export const listCommands: CommandDef[] = [
  lpushDef,
  rpushDef,
  cmd({
    name: 'lpushx', keyEvents: EV.lpush, arity: -3, flags: ['write', 'denyoom', 'fast'], acl: LIST, shard: pushGeneric(true, true),
    keySpecs: [ks(['RW', 'insert'])],
    summary: 'Prepend an element to a list, only if the list exists', since: '2.2.0', ...G, complexity: PUSH_COMPLEXITY,
  }),
  cmd({
    name: 'rpushx', keyEvents: EV.rpush, arity: -3, flags: ['write', 'denyoom', 'fast'], acl: LIST, shard: pushGeneric(false, true),
    keySpecs: [ks(['RW', 'insert'])],
    summary: 'Append an element to a list, only if the list exists', since: '2.2.0', ...G, complexity: PUSH_COMPLEXITY,
  }),
  lpopDef,
  rpopDef,
  llenDef,
  lindexDef,
  cmd({
    name: 'linsert', arity: 5, flags: ['write', 'denyoom'], acl: LIST, shard: linsert,
    keySpecs: [ks(['RW', 'insert'])],
    summary: 'Insert an element before or after another element in a list', since: '2.2.0', ...G,
    complexity: 'O(N) where N is the number of elements to traverse before seeing the value pivot. This means that inserting somewhere on the left end on the list (head) can be considered O(1) and inserting somewhere on the right end (tail) is O(N).',
  }),
  cmd({
    name: 'lset', arity: 4, flags: ['write', 'denyoom'], acl: LIST, shard: lset,
    keySpecs: [ks(['RW', 'update'])],
    summary: 'Set the value of an element in a list by its index', since: '1.0.0', ...G,
    complexity: 'O(N) where N is the length of the list. Setting either the first or the last element of the list is O(1).',
  }),
  cmd({
    name: 'lrange', slowWork: rankRangeWork, arity: 4, flags: ['readonly'], acl: LIST, shard: lrange, slow: true,
    keySpecs: [ks(['RO', 'access'])],
    summary: 'Get a range of elements from a list', since: '1.0.0', ...G,
    complexity: 'O(S+N) where S is the distance of start offset from HEAD for small lists, from nearest end (HEAD or TAIL) for large lists; and N is the number of elements in the specified range.',
  }),
  cmd({
    name: 'lrem', arity: 4, flags: ['write'], acl: LIST, shard: lrem,
    keySpecs: [ks(['RW', 'delete'])],
    summary: 'Remove elements from a list', since: '1.0.0', ...G,
    complexity: 'O(N+M) where N is the length of the list and M is the number of elements removed.',
  }),
  cmd({
    name: 'ltrim', arity: 4, flags: ['write'], acl: LIST, shard: ltrim,
    keySpecs: [ks(['RW', 'delete'])],
    summary: 'Trim a list to the specified range', since: '1.0.0', ...G,
    complexity: 'O(N) where N is the number of elements to be removed by the operation.',
  }),
  cmd({
    name: 'lpos', arity: -3, flags: ['readonly'], acl: LIST, shard: lpos, slow: true,
    keySpecs: [ks(['RO', 'access'])],
    summary: 'Return the index of matching elements on a list', since: '6.0.6', ...G,
    complexity: 'O(N) where N is the number of elements in the list, for the average case. When searching for elements near the head or the tail of the list, or when the MAXLEN option is provided, the command may run in constant time.',
  }),
  cmd({
    name: 'lmove', keyEvents: (a, e) => moveEvents(a, e, sideArg(a[3]), sideArg(a[4])), arity: 5, flags: ['write', 'denyoom'], acl: LIST, shard: lmove, coordinated: lmoveCoordinated,
    keySpecs: [ks(['RW', 'access', 'delete']), ks(['RW', 'insert'], 2)],
    summary: 'Pop an element from a list, push it to another list and return it', since: '6.2.0', ...G, complexity: 'O(1)',
  }),
  cmd({
    name: 'rpoplpush', keyEvents: (a, e) => moveEvents(a, e, false, true), arity: 3, flags: ['write', 'denyoom'], acl: LIST, shard: rpoplpush, coordinated: rpoplpushCoordinated,
    keySpecs: [ks(['RW', 'access', 'delete']), ks(['RW', 'insert'], 2)],
    summary: 'Remove the last element in a list, prepend it to another list and return it', since: '1.2.0', ...G, complexity: 'O(1)',
  }),
  lmpopDef,
];
