// MIGRATE host port key|"" destination-db timeout [COPY] [REPLACE] [AUTH password]
// [AUTH2 username password] [KEYS key ...]: run on the main thread with every shard holding one of
// the keys held (Coordinator.locked), as Redis blocks while it migrates: the keys are dumped
// (DUMP payloads with their remaining TTL), sent to the target as AUTH / SELECT / RESTORE
// pipelined on a cached connection (migrate-link.ts), and without COPY each key the target
// acknowledged is deleted here (logged as DEL). Replies and errors are Redis's: NOKEY when no key
// exists, the target's first error as "Target instance replied with error: ...", IOERR for a
// connection that fails (retried once on a fresh connection when nothing was processed yet).

import type { CommandDef, KeySpecDoc, ShardExec, Tx } from './types.js';
import type { MainContext } from '../main-context.js';
import { cmd, isKw, keySpec } from './define.js';
import { internal } from './registry.js';
import { E } from '../errors.js';
import { parseI64 } from '../resp/number.js';
import { decodeReply } from '../resp/decode.js';
import { DEL } from '../store/effects.js';
import { dumpPayload } from '../store/dump.js';
import { migrateLink, type MigrateLink } from './migrate-link.js';

const MIGRATE_DUMP = Buffer.from('migrate-dump');
const MIGRATE_DEL = Buffer.from('migrate-del');
const KEYS_NOT_EMPTY = 'ERR When using MIGRATE KEYS option, the key argument must be set to the empty string';
const IOERR_CONNECT = 'IOERR error or timeout connecting to the client';
const ioErr = (writing: boolean) => `IOERR error or timeout ${writing ? 'writing' : 'reading'} to target instance`;

/** migrate-dump key: [ms to live (-1: none), payload], nil when the key is missing. */
function migrateDump(x: ShardExec, args: Buffer[]): void {
  const m = x.store.get(x.db, args[1], x.now);
  if (!m) return x.out.nil();
  x.out.array(2);
  x.out.int(m.expireAt === 0 ? -1 : m.expireAt - x.now);
  x.out.bulk(dumpPayload(x.store, m));
}

/** migrate-del key...: deletes the keys the target acknowledged (each logged as DEL). */
function migrateDel(x: ShardExec, args: Buffer[]): void {
  let n = 0;
  for (let i = 1; i < args.length; i++) {
    const m = x.store.get(x.db, args[i], x.now, false);
    if (!m) continue;
    x.store.remove(x.db, m);
    x.binlog([DEL, args[i]]);
    n++;
  }
  x.out.int(n);
}

function bulk(b: Buffer | string): Buffer {
  const body = typeof b === 'string' ? Buffer.from(b, 'latin1') : b;
  return Buffer.concat([Buffer.from(`$${body.length}\r\n`), body, CRLF]);
}
const CRLF = Buffer.from('\r\n');

function command(parts: Array<Buffer | string>): Buffer {
  return Buffer.concat([Buffer.from(`*${parts.length}\r\n`), ...parts.map(bulk)]);
}

interface Options {
  copy: boolean;
  replace: boolean;
  username: Buffer | null;
  password: Buffer | null;
  keys: Buffer[];
}

function parseOptions(args: Buffer[]): Options | string {
  const o: Options = { copy: false, replace: false, username: null, password: null, keys: [args[3]] };
  for (let j = 6; j < args.length; j++) {
    const more = args.length - 1 - j;
    if (isKw(args[j], 'copy')) o.copy = true;
    else if (isKw(args[j], 'replace')) o.replace = true;
    else if (isKw(args[j], 'auth')) {
      if (more < 1) return E.syntax;
      o.password = args[++j];
    } else if (isKw(args[j], 'auth2')) {
      if (more < 2) return E.syntax;
      o.username = args[++j];
      o.password = args[++j];
    } else if (isKw(args[j], 'keys')) {
      if (args[3].length !== 0) return KEYS_NOT_EMPTY;
      o.keys = args.slice(j + 1);
      break;
    } else return E.syntax;
  }
  return o;
}

interface Dumped {
  key: Buffer;
  shard: number;
  ttl: bigint;
  payload: Buffer;
}

/** One attempt on `link`: the reply, or null for a socket failure worth one retry. */
async function transfer(tx: Tx, ctx: MainContext, link: MigrateLink, o: Options, db: number, keys: Dumped[], timeout: number): Promise<{ reply: string; ok: boolean } | { retry: boolean; writing: boolean }> {
  const parts: Buffer[] = [];
  if (o.password) parts.push(command(o.username ? ['AUTH', o.username, o.password] : ['AUTH', o.password]));
  const select = link.lastDb !== db;
  if (select) parts.push(command(['SELECT', String(db)]));
  for (const k of keys) parts.push(command(['RESTORE', k.key, String(k.ttl), k.payload, ...(o.replace ? ['REPLACE'] : [])]));
  if (!(await link.write(Buffer.concat(parts), timeout))) return { retry: true, writing: true };
  let authLine: string | null = null;
  let selectLine: string | null = null;
  if (o.password) {
    const r = await link.readLine(timeout);
    if (r.line === null) return { retry: !r.timedOut, writing: false };
    authLine = r.line;
  }
  if (select) {
    const r = await link.readLine(timeout);
    if (r.line === null) return { retry: !r.timedOut, writing: false };
    selectLine = r.line;
  }
  let error: string | null = null;
  const done = new Map<number, Buffer[]>();
  let read = 0;
  let socketError = false;
  let timedOut = false;
  for (; read < keys.length; read++) {
    const r = await link.readLine(timeout);
    if (r.line === null) {
      socketError = true;
      timedOut = r.timedOut;
      break;
    }
    const failed = authLine?.startsWith('-') ? authLine : selectLine?.startsWith('-') ? selectLine : r.line.startsWith('-') ? r.line : null;
    if (failed !== null) {
      if (error === null) {
        link.lastDb = -1;
        error = `ERR Target instance replied with error: ${failed.slice(1)}`;
      }
    } else if (!o.copy) {
      const l = done.get(keys[read].shard);
      if (l) l.push(keys[read].key);
      else done.set(keys[read].shard, [keys[read].key]);
    }
  }
  if (error === null && socketError && read === 0 && !timedOut) return { retry: true, writing: false };
  if (socketError) link.close();
  const del = internal('migrate-del');
  for (const [shard, ks] of done) await tx.exec(shard, del, ctx.conn.db, [MIGRATE_DEL, ...ks]);
  if (error !== null) return { reply: error, ok: false };
  if (socketError) return { retry: false, writing: false };
  link.lastDb = db;
  return { reply: 'OK', ok: true };
}

async function migrate(ctx: MainContext, args: Buffer[]): Promise<void> {
  const o = parseOptions(args);
  if (typeof o === 'string') return ctx.out.error(o);
  const timeoutArg = parseI64(args[5]);
  const dbArg = parseI64(args[4]);
  if (timeoutArg === null || dbArg === null) return ctx.out.error(E.notInt);
  const timeout = timeoutArg <= 0n ? 1000 : Number(timeoutArg > 1n << 31n ? 1n << 31n : timeoutArg);
  const db = dbArg;
  const host = args[1].toString('latin1');
  const port = Number(parseI64(args[2]) ?? -1n);
  const shards = ctx.shards;
  const held = [...new Set(o.keys.map((k) => shards.of(k)))];
  if (held.length === 0) return ctx.out.simple('NOKEY');
  await shards.locked(held, async (tx) => {
    const dumped: Dumped[] = [];
    const dump = internal('migrate-dump');
    for (const key of o.keys) {
      const shard = shards.of(key);
      const r = decodeReply(await tx.exec(shard, dump, ctx.conn.db, [MIGRATE_DUMP, key]));
      if (r instanceof Error) return ctx.out.error(r.message);
      if (r === null) continue;
      const [ms, payload] = r as [bigint, Buffer];
      // (a key expiring meanwhile is skipped, as Redis skips it)
      if (ms !== -1n && ms < 0n) continue;
      dumped.push({ key, shard, ttl: ms === -1n ? 0n : ms < 1n ? 1n : ms, payload });
    }
    if (dumped.length === 0) return ctx.out.simple('NOKEY');
    let writing = false;
    for (let attempt = 0; attempt < 2; attempt++) {
      const link = port >= 0 && port < 65536 ? await migrateLink(host, port, timeout) : null;
      if (!link) return ctx.out.error(IOERR_CONNECT);
      if (link === 'refused') return ctx.out.error(ioErr(true));
      const r = await transfer(tx, ctx, link, o, Number(db), dumped, timeout);
      if ('reply' in r) {
        link.release();
        return r.ok ? ctx.out.ok() : ctx.out.error(r.reply);
      }
      link.close();
      writing = r.writing;
      if (!r.retry) break;
    }
    ctx.out.error(ioErr(writing));
  });
}

/** The key positions: the key argument, or with KEYS (and an empty key argument) the keys after it. */
function migrateKeys(args: Buffer[]): number[] {
  for (let i = 6; i < args.length; i++) {
    if (isKw(args[i], 'keys') && args[3].length === 0) return Array.from({ length: args.length - i - 1 }, (_, j) => i + 1 + j);
  }
  return [3];
}

const KEYS_SPEC: KeySpecDoc = { flags: ['RW', 'access', 'delete', 'incomplete'], begin: { keyword: 'KEYS', startfrom: -2 }, find: { lastkey: -1, keystep: 1, limit: 0 } };
const STEP = { acl: ['keyspace'], internal: true, since: '0.1.0', group: 'internal' };

export const migrateCommands: CommandDef[] = [
  cmd({
    name: 'migrate', arity: -6, flags: ['write', 'movablekeys'], acl: ['keyspace', 'dangerous'], main: migrate, reachesShards: true, getKeys: migrateKeys,
    keySpecs: [keySpec(['RW', 'access', 'delete'], 3), KEYS_SPEC], tips: ['nondeterministic_output'],
    summary: 'Atomically transfer a key from a Redis instance to another one.', since: '2.6.0', group: 'generic',
    complexity: 'This command actually executes a DUMP+DEL in the source instance, and a RESTORE in the target instance. See the pages of these commands for time complexity. Also an O(N) data transfer between the two instances is performed.',
  }),
  cmd({ name: 'migrate-dump', arity: 2, flags: ['readonly'], shard: migrateDump, summary: "A key's TTL and DUMP payload, for MIGRATE.", ...STEP }),
  cmd({ name: 'migrate-del', arity: -1, flags: ['write'], shard: migrateDel, summary: 'Deletes keys MIGRATE moved.', ...STEP }),
];
