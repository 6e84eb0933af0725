// Keyspace commands (generic group) on single keys: DEL UNLINK EXISTS TOUCH TYPE, the EXPIRE
// family, TTL PTTL EXPIRETIME PEXPIRETIME PERSIST, RENAME RENAMENX COPY MOVE, OBJECT.
//
// They run in the shard that owns the key; the data work is lib/store/keyspace.ts. DEL / UNLINK /
// EXISTS / TOUCH scatter over shards. RENAME / RENAMENX / COPY run in the shard when both keys
// live there, else on the main thread under the coordinator's locks, moving the key with the
// internal steps dump-key, restore-key and del-key (declared here, listed in internalCommands by
// internal.ts). The keyless commands (DBSIZE KEYS SCAN RANDOMKEY FLUSHDB FLUSHALL SWAPDB) are
// keyspace-db.ts; keyspaceCommands lists both files' entries.

import type { CommandDef, KeySpecDoc, KeyEventSpec, ShardExec, CoordContext, WakeTarget } from './types.js';
import { EV } from '../store/key-events.js';
import type { MainContext } from '../main-context.js';
import { cmd, isKw, keySpec, kw } from './define.js';
import { E, invalidExpire } from '../errors.js';
import { parseI64, parseIntArg } from '../resp/number.js';
import { decodeReply } from '../resp/decode.js';
import { internal } from './registry.js';
import { DEL, UNLINK } from '../store/effects.js';
import {
  EXPIRE_GT, EXPIRE_LT, EXPIRE_NX, EXPIRE_XX, countExisting, copyKey, deleteKeys, dumpKey, expireKey,
  expireTime, keyEncoding, keyExists, keyIdleSeconds, keyRefcount, moveKey, persistKey, renameAway, renameKey, restoreKey, timeToLive, typeName,
} from '../store/keyspace.js';
import { expireDeadline } from '../store/expiry.js';
import { keyspaceDbCommands } from './keyspace-db.js';

const I32_MAX = 2147483647n;
const I32_MIN = -2147483648n;

/** Redis getIntFromObjectOrReply: an int32, or the error text to reply. */
function parseInt32(b: Buffer): number | string {
  const n = parseI64(b);
  if (n === null) return E.notInt;
  if (n < I32_MIN || n > I32_MAX) return E.intRange;
  return Number(n);
}

// ---------------------------------------------------------------------------------------------
// DEL UNLINK EXISTS TOUCH TYPE

function del(x: ShardExec, args: Buffer[]): void {
  x.out.int(deleteKeys(x, args, 1, DEL));
}

function unlink(x: ShardExec, args: Buffer[]): void {
  x.out.int(deleteKeys(x, args, 1, UNLINK));
}

function exists(x: ShardExec, args: Buffer[]): void {
  x.out.int(countExisting(x, args, 1, false));
}

/** TOUCH: like EXISTS, but counts as an access (OBJECT IDLETIME). */
function touch(x: ShardExec, args: Buffer[]): void {
  x.out.int(countExisting(x, args, 1, true));
}

function type(x: ShardExec, args: Buffer[]): void {
  x.out.simple(typeName(x, args[1]));
}

// ---------------------------------------------------------------------------------------------
// EXPIRE PEXPIRE EXPIREAT PEXPIREAT EXPIRETIME PEXPIRETIME TTL PTTL PERSIST

/** EXPIRE family: `unit` 1000n (seconds) or 1n (ms); `relative`: the time counts from now. */
function expireGeneric(name: string, unit: bigint, relative: boolean) {
  return (x: ShardExec, args: Buffer[]): void => {
    let flags = 0;
    for (let i = 3; i < args.length; i++) {
      const o = kw(args[i]);
      if (o === 'nx') flags |= EXPIRE_NX;
      else if (o === 'xx') flags |= EXPIRE_XX;
      else if (o === 'gt') flags |= EXPIRE_GT;
      else if (o === 'lt') flags |= EXPIRE_LT;
      else {
        // Redis formats the option with %s: it ends at a NUL byte.
        const nul = args[i].indexOf(0);
        return x.out.error(`ERR Unsupported option ${args[i].toString('latin1', 0, nul < 0 ? args[i].length : nul)}`);
      }
    }
    if (flags & EXPIRE_NX && flags & (EXPIRE_XX | EXPIRE_GT | EXPIRE_LT)) return x.out.error(E.expireNxAnd);
    if (flags & EXPIRE_GT && flags & EXPIRE_LT) return x.out.error(E.expireGtLt);
    const n = parseI64(args[2]);
    if (n === null) return x.out.error(E.notInt);
    const when = expireDeadline(n, unit, relative, x.now);
    if (when === null) return x.out.error(invalidExpire(name));
    x.out.int(expireKey(x, args[1], when, flags));
  };
}

function expiretimeGeneric(ms: boolean) {
  return (x: ShardExec, args: Buffer[]): void => {
    x.out.int(expireTime(x, args[1], ms));
  };
}

function ttlGeneric(ms: boolean) {
  return (x: ShardExec, args: Buffer[]): void => {
    x.out.int(timeToLive(x, args[1], ms));
  };
}

function persist(x: ShardExec, args: Buffer[]): void {
  x.out.int(persistKey(x, args[1]));
}

// ---------------------------------------------------------------------------------------------
// RENAME RENAMENX COPY MOVE

/** RENAME / RENAMENX with both keys in this shard. */
function renameGeneric(nx: boolean) {
  return (x: ShardExec, args: Buffer[]): void => {
    const r = renameKey(x, args[1], args[2], nx);
    if (nx) x.out.int(r);
    else x.out.ok();
  };
}

const DUMP_KEY = Buffer.from('dump-key');
const RESTORE_KEY = Buffer.from('restore-key');
const DEL_KEY = Buffer.from('del-key');
const RENAMED = Buffer.from('rename');
const COPIED = Buffer.from('copy');
const NX = Buffer.from('nx');
const REPLACE = Buffer.from('replace');

/** RENAME / RENAMENX across shards, under both shards' locks. */
function renameCoordinated(nx: boolean) {
  return (ctx: CoordContext, args: Buffer[]): Promise<void> => {
    const { shards, out } = ctx;
    const db = ctx.db;
    const src = args[1];
    const dst = args[2];
    const sa = shards.of(src);
    const sb = shards.of(dst);
    return shards.locked([sa, sb], async (tx) => {
      const d = decodeReply(await tx.exec(sa, internal('dump-key'), db, [DUMP_KEY, src]));
      if (d instanceof Error) return out.error(d.message);
      if (d === null) return out.error(E.noKey);
      const [t, exp, body] = d as [bigint, Buffer, Buffer];
      const mode = nx ? NX : REPLACE;
      const r = decodeReply(await tx.exec(sb, internal('restore-key'), db, [RESTORE_KEY, dst, mode, Buffer.from(String(t)), exp, body, RENAMED]));
      if (r instanceof Error) return out.error(r.message);
      if (r === 0n) return out.int(0);
      const dr = decodeReply(await tx.exec(sa, internal('del-key'), db, [DEL_KEY, src, dst]));
      if (dr instanceof Error) return out.error(dr.message);
      if (nx) out.int(1);
      else out.ok();
    });
  };
}

/** COPY options: destination db (-1 = the current one) and REPLACE; or an error text. */
function parseCopy(args: Buffer[], databases: number): { db: number; replace: boolean } | string {
  let db = -1;
  let replace = false;
  for (let i = 3; i < args.length; i++) {
    if (isKw(args[i], 'replace')) replace = true;
    else if (isKw(args[i], 'db') && i + 1 < args.length) {
      const n = parseInt32(args[++i]);
      if (typeof n === 'string') return n;
      if (n < 0 || n >= databases) return E.dbIndex;
      db = n;
    } else return E.syntax;
  }
  return { db, replace };
}

/** COPY with both keys in this shard. */
function copy(x: ShardExec, args: Buffer[]): void {
  const o = parseCopy(args, x.store.dbmap.length);
  if (typeof o === 'string') return x.out.error(o);
  const toDb = o.db < 0 ? x.db : o.db;
  if (toDb === x.db && args[1].equals(args[2])) return x.out.error(E.sameObject);
  x.out.int(copyKey(x, args, toDb, o.replace));
}

/** COPY across shards (src and dst keys are different, so never the same object). */
function copyCoordinated(ctx: CoordContext, args: Buffer[]): Promise<void> | void {
  const { shards, out } = ctx;
  const o = parseCopy(args, ctx.databases);
  if (typeof o === 'string') return out.error(o);
  const db = ctx.db;
  const toDb = o.db < 0 ? db : o.db;
  const src = args[1];
  const dst = args[2];
  const sa = shards.of(src);
  const sb = shards.of(dst);
  return shards.locked([sa, sb], async (tx) => {
    const d = decodeReply(await tx.exec(sa, internal('dump-key'), db, [DUMP_KEY, src]));
    if (d instanceof Error) return out.error(d.message);
    if (d === null) return out.int(0);
    const [t, exp, body] = d as [bigint, Buffer, Buffer];
    const mode = o.replace ? REPLACE : NX;
    const r = decodeReply(await tx.exec(sb, internal('restore-key'), toDb, [RESTORE_KEY, dst, mode, Buffer.from(String(t)), exp, body, COPIED]));
    if (r instanceof Error) return out.error(r.message);
    out.int(r as bigint);
  });
}

function move(x: ShardExec, args: Buffer[]): void {
  const n = parseInt32(args[2]);
  if (typeof n === 'string') return x.out.error(n);
  if (n < 0 || n >= x.store.dbmap.length) return x.out.error(E.dbIndex);
  if (n === x.db) return x.out.error(E.sameObject);
  x.out.int(moveKey(x, args[1], n));
}

// The steps of a move across shards (internal; each runs in the logical db it is sent with).

/** dump-key key: nil when missing, else [type, exact expiry (8 bytes BE), serialized value]. */
function dumpKeyOnShard(x: ShardExec, args: Buffer[]): void {
  const d = dumpKey(x, args[1]);
  if (!d) return x.out.nil();
  x.out.array(3);
  x.out.int(d.type);
  x.out.bulk(d.expire);
  x.out.bulk(d.body);
}

/**
 * restore-key key replace|nx type expiry value rename|copy: creates key in x.db from a dump-key
 * reply, as the destination of a RENAME or a COPY. Replies 0 (nx and the key exists) or 1.
 */
function restoreKeyOnShard(x: ShardExec, args: Buffer[]): void {
  const nx = args[2][0] === 110; // 'n'
  x.out.int(restoreKey(x, args[1], { type: parseIntArg(args[3])!, expire: args[4], body: args[5] }, nx, args[6][0] === 99 /* c */ ? 'copy' : 'rename'));
}

/** del-key key dst: deletes the source of a cross-shard RENAME to dst. */
function delKeyOnShard(x: ShardExec, args: Buffer[]): void {
  x.out.int(renameAway(x, args[1], args[2]) ? 1 : 0);
}

// Keyspace events of the effects (Redis creates the destination anew, dbAdd: its `new` even when
// it replaced a key).

/** RENAME src dst (RENAMENX is logged as RENAME too). */
const renameEvents: KeyEventSpec = (a, e) => {
  e.event(a[2], EV.new);
  e.event(a[1], EV.rename_from);
  e.event(a[2], EV.rename_to);
};

/** MOVE key db: the key appears in db, leaves this one. */
const moveEvents: KeyEventSpec = (a, e) => {
  const to = Number(a[2].toString('latin1'));
  e.event(a[1], EV.new, to);
  e.event(a[1], EV.move_from);
  e.event(a[1], EV.move_to, to);
};

/** COPY src dst [DB n] [REPLACE], as sent: the copy appears in its database. */
const copyEvents: KeyEventSpec = (a, e) => {
  let db = e.db;
  for (let i = 3; i + 1 < a.length; i++) if (isKw(a[i], 'db')) db = Number(a[i + 1].toString('latin1'));
  e.event(a[2], EV.new, db);
  e.event(a[2], EV.copy_to, db);
};

// ---------------------------------------------------------------------------------------------
// OBJECT

function objectEncoding(x: ShardExec, args: Buffer[]): void {
  const e = keyEncoding(x, args[2]);
  if (e === null) x.out.nil();
  else x.out.bulkStr(e);
}

function objectRefcount(x: ShardExec, args: Buffer[]): void {
  const n = keyRefcount(x, args[2]);
  if (n === null) x.out.nil();
  else x.out.int(n);
}

/** Seconds since the last access, at Redis's LRU clock resolution (whole seconds). */
function objectIdletime(x: ShardExec, args: Buffer[]): void {
  const n = keyIdleSeconds(x, args[2]);
  if (n === null) x.out.nil();
  else x.out.int(n);
}

/** respdb has no maxmemory policy, so never an LFU one: Redis's answer for the default policy. */
function objectFreq(x: ShardExec, args: Buffer[]): void {
  if (keyExists(x, args[2])) x.out.error(E.noLfu);
  else x.out.nil();
}

const OBJECT_HELP = [
  'OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
  'ENCODING <key>',
  '    Return the kind of internal representation used in order to store the value',
  '    associated with a <key>.',
  'FREQ <key>',
  '    Return the access frequency index of the <key>. The returned integer is',
  '    proportional to the logarithm of the recent access frequency of the key.',
  'IDLETIME <key>',
  '    Return the idle time of the <key>, that is the approximated number of',
  '    seconds elapsed since the last access to the key.',
  'REFCOUNT <key>',
  '    Return the number of references of the value associated with the specified',
  '    <key>.',
  'HELP',
  '    Prints this help.',
];

function objectHelp(ctx: MainContext): void {
  ctx.out.array(OBJECT_HELP.length);
  for (const l of OBJECT_HELP) ctx.out.simple(l);
}

// ---------------------------------------------------------------------------------------------
// Wake-ups (which blocked clients a write may serve: lib/blocking.ts)

/** MOVE key db: the key arrives in the target database. */
function moveWakes(args: Buffer[], db: number, to: WakeTarget): void {
  const d = parseIntArg(args[2]);
  to.notify(d !== null && d >= 0 && d < to.databases ? d : db, args[1]);
}

/** COPY src dst [DB n]: the destination, in database n when given. */
function copyWakes(args: Buffer[], db: number, to: WakeTarget): void {
  let target = db;
  for (let i = 3; i + 1 < args.length; i++) {
    if (!isKw(args[i], 'db')) continue;
    const d = parseIntArg(args[i + 1]);
    if (d !== null && d >= 0 && d < to.databases) target = d;
  }
  to.notify(target, args[2]);
}

// ---------------------------------------------------------------------------------------------
// The table

const G = { group: 'generic' } as const;

/** COMMAND INFO key spec: the key at `index` (and up to `lastkey`, relative, -1 = last argument). */
const ks = (flags: string[], index = 1, lastkey = 0): KeySpecDoc => keySpec(flags, index, lastkey);
const MULTI_SUM = ['request_policy:multi_shard', 'response_policy:agg_sum'];

export const keyspaceCommands: CommandDef[] = [
  cmd({
    name: 'del', arity: -2, flags: ['write'], acl: ['keyspace'], shard: del,
    keySpecs: [ks(['RM', 'delete'], 1, -1)], tips: MULTI_SUM,
    scatter: { group: 1, merge: 'sum' },
    summary: 'Delete a key', since: '1.0.0', ...G, complexity: 'O(N) where N is the number of keys that will be removed. When a key to remove holds a value other than a string, the individual complexity for this key is O(M) where M is the number of elements in the list, set, sorted set or hash. Removing a single key that holds a string value is O(1).',
  }),
  cmd({
    name: 'unlink', keyEvents: EV.del, arity: -2, flags: ['write', 'fast'], acl: ['keyspace'], shard: unlink,
    keySpecs: [ks(['RM', 'delete'], 1, -1)], tips: MULTI_SUM,
    scatter: { group: 1, merge: 'sum' },
    summary: 'Delete a key asynchronously in another thread. Otherwise it is just as DEL, but non blocking.', since: '4.0.0', ...G, complexity: 'O(1) for each key removed regardless of its size. Then the command does O(N) work in a different thread in order to reclaim memory, where N is the number of allocations the deleted objects where composed of.',
  }),
  cmd({
    name: 'exists', direct: true, arity: -2, flags: ['readonly', 'fast'], acl: ['keyspace'], shard: exists,
    keySpecs: [ks(['RO'], 1, -1)], tips: MULTI_SUM,
    scatter: { group: 1, merge: 'sum' },
    summary: 'Determine if a key exists', since: '1.0.0', ...G, complexity: 'O(N) where N is the number of keys to check.',
  }),
  cmd({
    name: 'touch', arity: -2, flags: ['readonly', 'fast'], acl: ['keyspace'], shard: touch,
    keySpecs: [ks(['RO'], 1, -1)], tips: MULTI_SUM,
    scatter: { group: 1, merge: 'sum' },
    summary: 'Alters the last access time of a key(s). Returns the number of existing keys specified.',
    since: '3.2.1', ...G, complexity: 'O(N) where N is the number of keys that will be touched.',
  }),
  cmd({
    name: 'type', direct: true, arity: 2, flags: ['readonly', 'fast'], acl: ['keyspace'], shard: type,
    keySpecs: [ks(['RO'])],
    summary: 'Determine the type stored at key', since: '1.0.0', ...G, complexity: 'O(1)',
  }),
  cmd({
    name: 'expire', arity: -3, flags: ['write', 'fast'], acl: ['keyspace'], shard: expireGeneric('expire', 1000n, true),
    keySpecs: [ks(['RW', 'update'])],
    summary: "Set a key's time to live in seconds", since: '1.0.0', ...G, complexity: 'O(1)',
  }),
  cmd({
    name: 'pexpire', arity: -3, flags: ['write', 'fast'], acl: ['keyspace'], shard: expireGeneric('pexpire', 1n, true),
    keySpecs: [ks(['RW', 'update'])],
    summary: "Set a key's time to live in milliseconds", since: '2.6.0', ...G, complexity: 'O(1)',
  }),
  cmd({
    name: 'expireat', arity: -3, flags: ['write', 'fast'], acl: ['keyspace'], shard: expireGeneric('expireat', 1000n, false),
    keySpecs: [ks(['RW', 'update'])],
    summary: 'Set the expiration for a key as a UNIX timestamp', since: '1.2.0', ...G, complexity: 'O(1)',
  }),
  cmd({
    name: 'pexpireat', keyEvents: EV.expire, arity: -3, flags: ['write', 'fast'], acl: ['keyspace'], shard: expireGeneric('pexpireat', 1n, false),
    keySpecs: [ks(['RW', 'update'])],
    summary: 'Set the expiration for a key as a UNIX timestamp specified in milliseconds', since: '2.6.0', ...G, complexity: 'O(1)',
  }),
  cmd({
    name: 'expiretime', direct: true, arity: 2, flags: ['readonly', 'fast'], acl: ['keyspace'], shard: expiretimeGeneric(false),
    keySpecs: [ks(['RO', 'access'])],
    summary: 'Get the expiration Unix timestamp for a key', since: '7.0.0', ...G, complexity: 'O(1)',
  }),
  cmd({
    name: 'pexpiretime', direct: true, arity: 2, flags: ['readonly', 'fast'], acl: ['keyspace'], shard: expiretimeGeneric(true),
    keySpecs: [ks(['RO', 'access'])],
    summary: 'Get the expiration Unix timestamp for a key in milliseconds', since: '7.0.0', ...G, complexity: 'O(1)',
  }),
  cmd({
    name: 'ttl', direct: true, arity: 2, flags: ['readonly', 'fast'], acl: ['keyspace'], shard: ttlGeneric(false),
    keySpecs: [ks(['RO', 'access'])], tips: ['nondeterministic_output'],
    summary: 'Get the time to live for a key in seconds', since: '1.0.0', ...G, complexity: 'O(1)',
  }),
  cmd({
    name: 'pttl', direct: true, arity: 2, flags: ['readonly', 'fast'], acl: ['keyspace'], shard: ttlGeneric(true),
    keySpecs: [ks(['RO', 'access'])], tips: ['nondeterministic_output'],
    summary: 'Get the time to live for a key in milliseconds', since: '2.6.0', ...G, complexity: 'O(1)',
  }),
  cmd({
    name: 'persist', arity: 2, flags: ['write', 'fast'], acl: ['keyspace'], shard: persist,
    keySpecs: [ks(['RW', 'update'])],
    summary: 'Remove the expiration from a key', since: '2.2.0', ...G, complexity: 'O(1)',
  }),
  cmd({
    name: 'rename', keyEvents: renameEvents, arity: 3, flags: ['write'], acl: ['keyspace'], shard: renameGeneric(false),
    keySpecs: [ks(['RW', 'access', 'delete']), ks(['OW', 'update'], 2)],
    coordinated: renameCoordinated(false),
    summary: 'Rename a key', since: '1.0.0', ...G, complexity: 'O(1)',
  }),
  cmd({
    name: 'renamenx', arity: 3, flags: ['write', 'fast'], acl: ['keyspace'], shard: renameGeneric(true),
    keySpecs: [ks(['RW', 'access', 'delete']), ks(['OW', 'insert'], 2)],
    coordinated: renameCoordinated(true),
    summary: 'Rename a key, only if the new key does not exist', since: '1.0.0', ...G, complexity: 'O(1)',
  }),
  cmd({
    name: 'copy', keyEvents: copyEvents, wakes: copyWakes, arity: -3, flags: ['write', 'denyoom'], acl: ['keyspace'], shard: copy, coordinated: copyCoordinated,
    keySpecs: [ks(['RO', 'access']), ks(['OW', 'update'], 2)],
    summary: 'Copy a key', since: '6.2.0', ...G,
    complexity: 'O(N) worst case for collections, where N is the number of nested items. O(1) for string values.',
  }),
  cmd({
    name: 'move', keyEvents: moveEvents, wakes: moveWakes, arity: 3, flags: ['write', 'fast'], acl: ['keyspace'], shard: move,
    keySpecs: [ks(['RW', 'access', 'update'])],
    summary: 'Move a key to another database', since: '1.0.0', ...G, complexity: 'O(1)',
  }),
  cmd({
    name: 'object', arity: -2, flags: [], acl: [],
    summary: 'A container for object introspection commands', since: '2.2.3', ...G, complexity: 'Depends on subcommand.',
    sub: [
      cmd({
        name: 'object|encoding', arity: 3, flags: ['readonly'], acl: ['keyspace'], shard: objectEncoding,
        keySpecs: [ks(['RO'], 2)], tips: ['nondeterministic_output'],
        summary: 'Inspect the internal encoding of a Redis object', since: '2.2.3', ...G, complexity: 'O(1)',
      }),
      cmd({
        name: 'object|freq', arity: 3, flags: ['readonly'], acl: ['keyspace'], shard: objectFreq,
        keySpecs: [ks(['RO'], 2)], tips: ['nondeterministic_output'],
        summary: 'Get the logarithmic access frequency counter of a Redis object', since: '4.0.0', ...G, complexity: 'O(1)',
      }),
      cmd({
        name: 'object|idletime', arity: 3, flags: ['readonly'], acl: ['keyspace'], shard: objectIdletime,
        keySpecs: [ks(['RO'], 2)], tips: ['nondeterministic_output'],
        summary: 'Get the time since a Redis object was last accessed', since: '2.2.3', ...G, complexity: 'O(1)',
      }),
      cmd({
        name: 'object|refcount', arity: 3, flags: ['readonly'], acl: ['keyspace'], shard: objectRefcount,
        keySpecs: [ks(['RO'], 2)], tips: ['nondeterministic_output'],
        summary: 'Get the number of references to the value of the key', since: '2.2.3', ...G, complexity: 'O(1)',
      }),
      cmd({
        name: 'object|help', arity: 2, flags: ['loading', 'stale'], acl: ['keyspace'], main: objectHelp,
        summary: 'Show helpful text about the different subcommands', since: '6.2.0', ...G, complexity: 'O(1)',
      }),
    ],
  }),
  // DBSIZE KEYS SCAN RANDOMKEY FLUSHDB FLUSHALL SWAPDB
  ...keyspaceDbCommands,
];

const STEP = { acl: ['keyspace'], internal: true, since: '0.1.0', group: 'internal' };

/** The steps of a key's move across shards (internal.ts puts them in internalCommands). */
export const keyMoveSteps: CommandDef[] = [
  cmd({ name: 'dump-key', arity: 2, flags: ['readonly'], shard: dumpKeyOnShard, summary: 'Serializes a key for a cross-shard move.', ...STEP }),
  cmd({ name: 'restore-key', arity: 7, flags: ['write'], shard: restoreKeyOnShard, summary: 'Re-creates a key from dump-key.', ...STEP }),
  cmd({ name: 'del-key', arity: 3, flags: ['write'], shard: delKeyOnShard, summary: 'Deletes one key (cross-shard RENAME source).', ...STEP }),
];
