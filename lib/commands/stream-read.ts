// XREAD [COUNT count] [BLOCK milliseconds] STREAMS key [key ...] id [id ...] (Redis 7.0, no
// consumer groups).
//
// The options are checked on the main thread; the keys are read by the internal `xread-part`
// (one shard step, or under the coordinator's locks when the keys span shards, so every key is
// read at one point of the order), which answers per key, in the command's order, either its error
// (WRONGTYPE, an invalid id: the first one in key order is the reply, as Redis checks key by key)
// or [the id read after, its entries or nil]. `$` is resolved there, to the stream's last id.
//
// With BLOCK and nothing to serve, the client waits through lib/blocking.ts as a shared waiter
// (XREAD takes nothing: every waiter of a key gets its attempt); each attempt is `xread-part` in
// wait mode for one key, which serves when the stream's last id passed the one read after (as
// Redis's serveClientsBlockedOnStreamKey), with that key alone in the reply. Inside MULTI the
// command does not block (it answers the timeout's null at once), as in Redis.

import type { CommandDef, CoordContext, ShardExec } from './types.js';
import type { MainContext } from '../main-context.js';
import { cmd, isKw } from './define.js';
import { E, RedisError } from '../errors.js';
import { parseI64 } from '../resp/number.js';
import { decodeReply, type Decoded } from '../resp/decode.js';
import { RespWriter, type Proto } from '../resp/writer.js';
import { entryRange, openStream, edgeId } from '../store/stream.js';
import { type StreamId, ID_MAX, ID_ZERO, compareIds, formatId, idBuf, nextId, parseId } from '../store/stream-id.js';
import type { StreamEntry } from '../store/stream.js';

const XREAD_PART = Buffer.from('XREAD-PART');
const SYNC = Buffer.from('sync');
const WAIT = Buffer.from('wait');
const GT_ONLY_GROUP = 'ERR The > ID can be specified only when calling XREADGROUP using the GROUP <group> <consumer> option.';

function isText(arg: Buffer, s: string): boolean {
  return arg.length === s.length && arg.toString('latin1') === s;
}

// ------------------------------------------------------------------------------------------------
// xread-part (shard side)
// ------------------------------------------------------------------------------------------------

/** xread-part sync|wait count key id [key id ...]: per key, its error or [id after, entries|nil]. */
function xreadPart(x: ShardExec, args: Buffer[]): void {
  const wait = isText(args[1], 'wait');
  const count = Number(args[2]);
  const out = x.out;
  const n = (args.length - 3) / 2;
  out.array(n);
  for (let i = 0; i < n; i++) {
    const key = args[3 + i * 2];
    const arg = args[4 + i * 2];
    let s;
    let gt: StreamId;
    try {
      s = openStream(x, key);
      if (!wait && isText(arg, '$')) gt = s ? s.last : ID_ZERO;
      else if (!wait && isText(arg, '>')) throw new RedisError(GT_ONLY_GROUP);
      else gt = parseId(arg, 0n, true);
    } catch (e) {
      out.error((e as Error).message);
      continue;
    }
    out.array(2);
    out.bulk(idBuf(gt));
    // sync: something after gt among the live entries; wait: the stream's last id moved past gt
    const top = !s ? null : wait ? s.last : s.c.count > 0 ? edgeId(x.store, s.c.id, true) : null;
    if (!s || top === null || compareIds(top, gt) <= 0) {
      out.nilArray();
      continue;
    }
    writeEntries(out, entryRange(x.store, s.c.id, nextId(gt) ?? gt, ID_MAX, count, false));
  }
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

/** Keys on several shards: one part per shard under their locks, answers put back in key order. */
function xreadPartCoordinated(ctx: CoordContext, args: Buffer[]): Promise<void> {
  const { shards, out } = ctx;
  const n = (args.length - 3) / 2;
  const byShard = new Map<number, number[]>();
  for (let i = 0; i < n; i++) {
    const sh = shards.of(args[3 + i * 2]);
    let l = byShard.get(sh);
    if (!l) byShard.set(sh, (l = []));
    l.push(i);
  }
  return shards.locked([...byShard.keys()], async (tx) => {
    const per: Decoded[] = new Array(n);
    await Promise.all(
      [...byShard].map(async ([sh, idx]) => {
        const part = [args[0], args[1], args[2]];
        for (const i of idx) part.push(args[3 + i * 2], args[4 + i * 2]);
        const r = decodeReply(await tx.exec(sh, xreadPartDef, ctx.db, part, 2));
        if (!Array.isArray(r)) throw r instanceof Error ? r : new Error('unexpected xread-part reply');
        idx.forEach((i, j) => (per[i] = r[j]));
      }),
    );
    out.array(n);
    for (const d of per) {
      if (d instanceof Error) {
        out.error(d.message);
        continue;
      }
      const [gt, entries] = d as [Buffer, Decoded[] | null];
      out.array(2);
      out.bulk(gt);
      if (entries === null) out.nilArray();
      else writeDecodedEntries(out, entries);
    }
  });
}

function writeDecodedEntries(out: RespWriter, entries: Decoded[]): void {
  out.array(entries.length);
  for (const e of entries) {
    const [id, pairs] = e as [Buffer, Buffer[]];
    out.array(2);
    out.bulk(id);
    out.array(pairs.length);
    for (const v of pairs) out.bulk(v);
  }
}

// ------------------------------------------------------------------------------------------------
// XREAD (main thread)
// ------------------------------------------------------------------------------------------------

interface KeyPart {
  gt: Buffer;
  entries: Decoded[] | null;
}

/** The per-key answers of xread-part (the first error in key order is thrown). */
function partsOf(reply: Buffer): KeyPart[] {
  const d = decodeReply(reply);
  if (d instanceof Error) throw new RedisError(d.message);
  return (d as Decoded[]).map((e) => {
    if (e instanceof Error) throw new RedisError(e.message);
    const [gt, entries] = e as [Buffer, Decoded[] | null];
    return { gt, entries };
  });
}

/** The client's reply for the keys served: [[key, entries], ...] (RESP3: a map). */
function servedReply(proto: Proto, keys: Buffer[], parts: Array<KeyPart | null>): Buffer | null {
  const served: number[] = [];
  parts.forEach((p, i) => {
    if (p && p.entries !== null) served.push(i);
  });
  if (served.length === 0) return null;
  const w = new RespWriter(256);
  w.proto = proto;
  if (proto === 3) w.map(served.length);
  else w.array(served.length);
  for (const i of served) {
    if (proto === 2) w.array(2);
    w.bulk(keys[i]);
    writeDecodedEntries(w, parts[i]!.entries!);
  }
  return w.take();
}

function nullArray(proto: Proto): Buffer {
  const w = new RespWriter(16);
  w.proto = proto;
  w.nilArray();
  return w.take();
}

interface XreadArgs {
  count: number;
  /** ms, -1 without BLOCK */
  timeout: number;
  keys: Buffer[];
  ids: Buffer[];
}

/** Redis's xreadCommand option loop, its errors in its order. */
function parseXread(args: Buffer[]): XreadArgs {
  let count = 0;
  let timeout = -1;
  let at = 0;
  for (let i = 1; i < args.length; i++) {
    const more = args.length - i - 1;
    const o = args[i];
    if (isKw(o, 'block') && more) {
      const v = parseI64(args[++i]);
      if (v === null) throw new RedisError('ERR timeout is not an integer or out of range');
      if (v < 0n) throw new RedisError('ERR timeout is negative');
      timeout = Number(v);
    } else if (isKw(o, 'count') && more) {
      const v = parseI64(args[++i]);
      if (v === null) throw new RedisError(E.notInt);
      count = v < 0n ? 0 : v > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(v);
    } else if (isKw(o, 'streams') && more) {
      at = i + 1;
      if ((args.length - at) % 2 !== 0) throw new RedisError("ERR Unbalanced XREAD list of streams: for each stream key an ID or '$' must be specified.");
      break;
    } else if (isKw(o, 'group') && more >= 2) {
      throw new RedisError('ERR The GROUP option is only supported by XREADGROUP. You called XREAD instead.');
    } else if (isKw(o, 'noack')) {
      throw new RedisError('ERR The NOACK option is only supported by XREADGROUP. You called XREAD instead.');
    } else throw new RedisError(E.syntax);
  }
  if (at === 0) throw new RedisError(E.syntax);
  const n = (args.length - at) / 2;
  return { count, timeout, keys: args.slice(at, at + n), ids: args.slice(at + n) };
}

function partArgs(mode: Buffer, count: number, keys: Buffer[], ids: Buffer[]): Buffer[] {
  const a = [XREAD_PART, mode, Buffer.from(String(count))];
  for (let i = 0; i < keys.length; i++) a.push(keys[i], ids[i]);
  return a;
}

/** Runs xread-part for the client: on the keys' shard, or under the locks of theirs (inside EXEC: the transaction's). */
function readParts(ctx: MainContext, args: Buffer[]): Promise<Buffer> {
  const shard = ctx.shards.of(args[3]);
  let one = true;
  for (let i = 5; i < args.length; i += 2) if (ctx.shards.of(args[i]) !== shard) one = false;
  if (one) return ctx.calls.call(shard, xreadPartDef, ctx.db, ctx.proto, args);
  const out = new RespWriter(256);
  out.proto = ctx.proto;
  return xreadPartCoordinated({ ...ctx, out }, args).then(() => out.take());
}

async function xread(ctx: MainContext, args: Buffer[]): Promise<void> {
  const p = parseXread(args);
  const proto = ctx.conn.proto;
  const mayBlock = p.timeout !== -1 && ctx.attemptOnce === undefined;
  // until it is blocked (or answered), the client's later commands wait, as behind a blocked one
  if (mayBlock) ctx.conn.hold();
  let parts: KeyPart[];
  try {
    parts = partsOf(await readParts(ctx, partArgs(SYNC, p.count, p.keys, p.ids)));
  } catch (e) {
    if (mayBlock) ctx.conn.release();
    throw e;
  }
  const now = servedReply(proto, p.keys, parts);
  if (now !== null || !mayBlock) {
    if (mayBlock) ctx.conn.release();
    ctx.out.raw(now ?? nullArray(proto));
    return;
  }
  // the ids read after, per key (a key named twice keeps its first id, as Redis)
  const gts = new Map<string, Buffer>();
  p.keys.forEach((k, i) => {
    const id = k.toString('latin1');
    if (!gts.has(id)) gts.set(id, parts[i].gt);
  });
  const keys = p.keys.filter((k, i) => p.keys.findIndex((o) => o.equals(k)) === i);
  let tried: Buffer[] = keys;
  await new Promise<void>((resolve) => {
    ctx.server.blocking.block(
      ctx.conn,
      {
        db: ctx.conn.db,
        keys,
        deadline: p.timeout === 0 ? 0 : Date.now() + p.timeout,
        shared: true,
        // a waiter has one attempt in flight at a time: `tried` names the keys of the one answering
        attempt: (ks) => {
          tried = ks;
          return partArgs(WAIT, p.count, ks, ks.map((k) => gts.get(k.toString('latin1'))!));
        },
        convert: (reply) => {
          const d = decodeReply(reply);
          if (!Array.isArray(d)) return null;
          // the first key with something (an attempt after a write names that key alone)
          const ks = tried;
          for (let i = 0; i < d.length; i++) {
            const e = d[i];
            if (e instanceof Error || !Array.isArray(e) || e[1] === null) continue;
            return servedReply(proto, [ks[i]], [{ gt: e[0] as Buffer, entries: e[1] as Decoded[] }]);
          }
          return null;
        },
        timeoutReply: () => nullArray(proto),
      },
      (reply) => {
        ctx.out.raw(reply);
        resolve();
      },
    );
    ctx.conn.release();
  });
}

// ------------------------------------------------------------------------------------------------
// Table
// ------------------------------------------------------------------------------------------------

const xreadPartDef = cmd({
  name: 'xread-part', arity: -5, flags: ['readonly'], acl: ['stream'], shard: xreadPart, coordinated: xreadPartCoordinated,
  keySpecs: [{ flags: ['RO', 'access'], begin: { index: 3 }, find: { lastkey: -1, keystep: 2, limit: 0 } }],
  internal: true, summary: "XREAD's reads", since: '5.0.0', group: 'stream',
});

/** A script cannot block: XREAD with BLOCK is refused there, naming the command as it was typed. */
function blockInScript(args: Buffer[]): string | null {
  for (let i = 1; i < args.length; i++) {
    if (isKw(args[i], 'streams')) return null;
    if (isKw(args[i], 'block')) return `ERR ${args[0].toString('latin1')} command is not allowed with BLOCK option from scripts`;
  }
  return null;
}

export const streamReadCommands: CommandDef[] = [
  cmd({
    name: 'xread', arity: -4, flags: ['readonly', 'blocking', 'movablekeys'], acl: ['stream'], main: xread, scriptRefusal: blockInScript,
    keySpecs: [{ flags: ['RO', 'access'], begin: { keyword: 'STREAMS', startfrom: 1 }, find: { lastkey: -1, keystep: 1, limit: 2 } }],
    summary: 'Return never seen elements in multiple streams, with IDs greater than the ones reported by the caller for each stream. Can block.', since: '5.0.0', group: 'stream',
    complexity: 'For each stream mentioned: O(N) with N being the number of elements being returned, it means that XREAD-ing with a fixed COUNT is O(1). Note that when the BLOCK option is used, XADD will pay O(M) time in order to serve the M clients blocked on the stream getting new data.',
  }),
  xreadPartDef,
];
