// What the keyspace store tests (keyspace*.test.ts) share: values of every type made and read by
// the types' own shard handlers, run on a store without a server (so the keyspace store room is
// tested against the data the other families write), and the effects of a write replayed on
// another store, as a replica applies them.
import { installCommands } from '../../lib/commands/index.js';
import { lookup } from '../../lib/commands/registry.js';
import { RespWriter } from '../../lib/resp/writer.js';
import { decodeReply, type Decoded } from '../../lib/resp/decode.js';
import { payload } from '../../lib/store/meta.js';
import { readU64BE } from '../../lib/store/keys.js';
import type { StoreCtx } from '../../lib/store/context.js';
import type { TestStore } from '../support/store.js';

// the shard handlers are found in the command table
installCommands();

export type Arg = string | Buffer;

/** Runs one command's shard handler in `x` and decodes its reply (a thrown RedisError is an Error reply). */
export function exec(x: StoreCtx, args: Arg[]): Decoded {
  const b = args.map((a) => (typeof a === 'string' ? Buffer.from(a, 'latin1') : a));
  let def = lookup(b[0].toString('latin1').toLowerCase());
  if (def?.sub) def = def.sub.get(b[1].toString('latin1').toLowerCase());
  if (!def?.shard) throw new Error(`${b[0]} has no shard handler`);
  const out = new RespWriter();
  try {
    def.shard({ store: x.store, db: x.db, now: x.now, binlog: (a) => x.binlog(a), out }, b);
  } catch (e) {
    return e as Error;
  }
  return decodeReply(out.take());
}

export const TYPES = ['string', 'hash', 'list', 'set', 'zset'] as const;
export type TypeName = (typeof TYPES)[number];

/** A member longer than a key part may be (collections keep it in `long`). */
export const LONG = 'L'.repeat(2500);

/** Commands making a value of each type, in small and big (other encoding, long member) forms. */
export const MAKE: Record<string, (k: Arg) => Arg[][]> = {
  string: (k) => [['SET', k, 'v1']],
  'int string': (k) => [['SET', k, '42']],
  'long string': (k) => [['SET', k, LONG]],
  hash: (k) => [['HSET', k, 'f', 'v', 'g', 'w']],
  'big hash': (k) => [['HSET', k, LONG, 'v', 'g', LONG, ...Array.from({ length: 200 }, (_, i) => [`f${i}`, `v${i}`]).flat()]],
  list: (k) => [['RPUSH', k, 'a', 'b', 'c']],
  'long list': (k) => [['RPUSH', k, LONG, ...Array.from({ length: 300 }, (_, i) => `e${i}`)]],
  set: (k) => [['SADD', k, '1', '2', '3']],
  'string set': (k) => [['SADD', k, 'a', LONG, ...Array.from({ length: 600 }, (_, i) => String(i))]],
  zset: (k) => [['ZADD', k, '1', 'a', '2.5', 'b']],
  'big zset': (k) => [['ZADD', k, '-1', LONG, ...Array.from({ length: 200 }, (_, i) => [String(i / 3), `m${i}`]).flat()]],
};

/** Writes a value made by MAKE[kind] at `key`. */
export function make(x: StoreCtx, kind: string, key: Arg): void {
  for (const c of MAKE[kind](key)) {
    const r = exec(x, c);
    if (r instanceof Error) throw r;
  }
}

function text(d: Decoded): unknown {
  if (Buffer.isBuffer(d)) return d.toString('latin1');
  if (Array.isArray(d)) return d.map(text);
  if (d instanceof Error) return `error: ${d.message}`;
  return typeof d === 'bigint' ? String(d) : d;
}

/** A key's type and whole content, comparable with t.same (sets and hashes in a fixed order). */
export function contents(x: StoreCtx, key: Arg): unknown {
  const type = exec(x, ['TYPE', key]);
  switch (type) {
    case 'none':
      return null;
    case 'string':
      return { string: text(exec(x, ['GET', key])) };
    case 'hash': {
      const flat = text(exec(x, ['HGETALL', key])) as string[];
      const pairs: string[][] = [];
      for (let i = 0; i < flat.length; i += 2) pairs.push([flat[i], flat[i + 1]]);
      return { hash: pairs.sort((a, b) => (a[0] < b[0] ? -1 : 1)) };
    }
    case 'list':
      return { list: text(exec(x, ['LRANGE', key, '0', '-1'])) };
    case 'set':
      return { set: (text(exec(x, ['SMEMBERS', key])) as string[]).sort() };
    case 'zset':
      return { zset: text(exec(x, ['ZRANGE', key, '0', '-1', 'WITHSCORES'])) };
    default:
      throw new Error(`unexpected TYPE reply ${String(type)}`);
  }
}

/** The collection id of a key's record (collections only). */
export function collectionId(x: StoreCtx, key: Buffer): number {
  const m = x.store.get(x.db, key, x.now, false);
  if (!m) throw new Error('no such key');
  return readU64BE(payload(m), 0);
}

/** The effects of a write, as collected by TestStore.write, replayed in one write on `replica`. */
export function replay(replica: TestStore, effects: string[][], db = 0): void {
  replica.write((x) => {
    for (const e of effects) {
      const r = exec(x, e);
      if (r instanceof Error) throw new Error(`replaying ${e.join(' ').slice(0, 80)}: ${r.message}`);
    }
  }, db);
}
