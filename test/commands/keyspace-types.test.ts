// The keyspace commands on keys of every type, differential against redis-server 7.0: TYPE and
// OBJECT on each, RENAME / RENAMENX / COPY of each type onto a destination of every other type,
// within one shard and across shards, MOVE and COPY ... DB onto a key of another type in the other
// database, and big encodings (hashtable, skiplist, long members) through COPY, RENAME and MOVE.
// Each runs with 1 and 4 shards.
import t, { type Test } from 'tap';
import { pair, diff, type Pair } from '../support/servers.js';
import { MAKERS, wrongTypeMatrix, type TypeName } from '../support/wrongtype.js';
import { shardOf } from '../../lib/slot.js';
import { spread } from '../support/keys.js';
import type { Cmd } from './keyspace-support.js';

const TYPES = Object.keys(MAKERS) as TypeName[];

/**
 * Every way to read a value: the ones for other types answer WRONGTYPE on both servers. OBJECT
 * ENCODING comes before SORT, which turns a listpack zset into a skiplist in Redis (not in respdb).
 */
function readers(k: string): Cmd[] {
  return [
    ['TYPE', k], ['OBJECT', 'ENCODING', k], ['PEXPIRETIME', k],
    ['GET', k], ['HGETALL', k], ['LRANGE', k, '0', '-1'], ['SORT', k, 'ALPHA'], ['ZRANGE', k, '0', '-1', 'WITHSCORES'],
  ];
}

/** RENAMENX / COPY refused, COPY REPLACE, RENAME onto a key of type `own`, then the key back at `src`. */
function renameCopy(own: TypeName, src: string, dst: string): Cmd[] {
  return [
    ['PEXPIREAT', src, '4102444800123'],
    ['RENAMENX', src, dst], ['COPY', src, dst], ...readers(dst),
    ['COPY', src, dst, 'REPLACE'], ...readers(dst), ['OBJECT', 'REFCOUNT', dst],
    ['DEL', dst], MAKERS[own](dst),
    ['RENAME', src, dst], ['EXISTS', src], ...readers(dst),
    ['RENAMENX', dst, src], ['EXISTS', dst], ['DEL', dst],
  ];
}

/** MOVE / COPY ... DB 1 onto the same key of type `own` in db 1, then the key back in db 0. */
function moveCopyDb(key: string): Cmd[] {
  return [
    ['MOVE', key, '1'], ['COPY', key, key, 'DB', '1'], ['SELECT', '1'], ...readers(key), ['SELECT', '0'],
    ['COPY', key, key, 'DB', '1', 'REPLACE'], ['SELECT', '1'], ...readers(key), ['DEL', key], ['SELECT', '0'],
    ['MOVE', key, '1'], ['EXISTS', key], ['SELECT', '1'], ...readers(key), ['MOVE', key, '0'], ['SELECT', '0'],
  ];
}

/** Values Redis keeps in other encodings than MAKERS' small ones, and how to read each. */
interface BigValue {
  name: string;
  make: (k: string) => Cmd[];
  read: (k: string) => Cmd;
  /** HGETALL / SMEMBERS of a hashtable: order differs (Redis: hash order). */
  unordered?: 'pairs' | true;
}

const LONG = 'm'.repeat(2000);

function range(n: number, f: (i: number) => string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push(...f(i));
  return out;
}

const BIG: BigValue[] = [
  { name: 'int string', make: (k) => [['SET', k, '12345']], read: (k) => ['GET', k] },
  { name: 'raw string', make: (k) => [['SET', k, LONG]], read: (k) => ['GET', k] },
  { name: 'hashtable hash', make: (k) => [['HSET', k, ...range(200, (i) => [`f${i}`, `v${i}`])]], read: (k) => ['HGETALL', k], unordered: 'pairs' },
  { name: 'hash with a long field', make: (k) => [['HSET', k, LONG, 'v', 'g', LONG]], read: (k) => ['HGETALL', k], unordered: 'pairs' },
  { name: 'long list', make: (k) => [['RPUSH', k, ...range(300, (i) => [`e${i}`]), LONG]], read: (k) => ['LRANGE', k, '0', '-1'] },
  { name: 'intset', make: (k) => [['SADD', k, '3', '-1', '20']], read: (k) => ['SMEMBERS', k] },
  { name: 'big intset', make: (k) => [['SADD', k, ...range(600, (i) => [String(i)])]], read: (k) => ['SMEMBERS', k], unordered: true },
  { name: 'set with a long member', make: (k) => [['SADD', k, LONG, 'a']], read: (k) => ['SMEMBERS', k], unordered: true },
  { name: 'skiplist zset', make: (k) => [['ZADD', k, ...range(200, (i) => [String(i * 0.5), `m${i}`])]], read: (k) => ['ZRANGE', k, '0', '-1', 'WITHSCORES'] },
  { name: 'zset with a long member', make: (k) => [['ZADD', k, '1.5', LONG, '-2', 'a']], read: (k) => ['ZRANGE', k, '0', '-1', 'WITHSCORES'] },
];

function suite(shards: number): void {
  t.test(`shards=${shards}`, async (t) => {
    const p: Pair = await pair(t, { shards });
    const [k1, k2] = spread('key:', 2, shards);
    if (shards > 1) t.not(shardOf(Buffer.from(k1), shards), shardOf(Buffer.from(k2), shards), 'k1 and k2 live on different shards');
    const reset = (t: Test) => diff(t, p, [['SELECT', '0'], ['FLUSHALL']]);

    await t.test('TYPE and OBJECT on every type', async (t) => {
      await reset(t);
      const object = (k: string): Cmd[] => [
        ['TYPE', k], ['OBJECT', 'ENCODING', k], ['OBJECT', 'REFCOUNT', k], ['OBJECT', 'FREQ', k], ['EXISTS', k], ['TTL', k],
      ];
      await wrongTypeMatrix(t, p, { own: 'string', key: 'obj', commands: object });
      await diff(t, p, [['DEL', 'obj'], MAKERS.string('obj'), ...object('obj'), ['DEL', 'obj']], { label: 'on a string' });
    });

    for (const own of TYPES) {
      await t.test(`RENAME COPY of every other type onto a ${own} within a shard`, async (t) => {
        await reset(t);
        const dst = '{kt}dst';
        await wrongTypeMatrix(t, p, { own, key: '{kt}src', setup: [['DEL', dst], MAKERS[own](dst)], commands: (src) => renameCopy(own, src, dst) });
      });
      await t.test(`RENAME COPY of every other type onto a ${own} across shards`, async (t) => {
        await reset(t);
        await wrongTypeMatrix(t, p, { own, key: k1, setup: [['DEL', k2], MAKERS[own](k2)], commands: (src) => renameCopy(own, src, k2) });
      });
      await t.test(`MOVE and COPY DB of every other type onto a ${own} in another database`, async (t) => {
        await reset(t);
        const key = 'mv';
        const setup: Cmd[] = [['SELECT', '1'], ['DEL', key], MAKERS[own](key), ['SELECT', '0']];
        await wrongTypeMatrix(t, p, { own, key, setup, commands: moveCopyDb });
        await diff(t, p, [['SELECT', '1'], ['FLUSHDB'], ['SELECT', '0']]);
      });
    }

    await t.test('big encodings and long members through COPY RENAME MOVE', async (t) => {
      await reset(t);
      for (const v of BIG) {
        /** The key's type, encoding, expiry and content in `db`. */
        const check = async (k: string, label: string, db = '0') => {
          await diff(t, p, [['SELECT', db], ['TYPE', k], ['OBJECT', 'ENCODING', k], ['PEXPIRETIME', k]], { label: `${v.name} ${label}` });
          await diff(t, p, [v.read(k)], { label: `${v.name} ${label}`, unordered: v.unordered });
          await diff(t, p, [['SELECT', '0']]);
        };
        await diff(t, p, [['FLUSHALL'], ...v.make('{b}a'), ['PEXPIREAT', '{b}a', '4102444800456']], { label: v.name });
        await check('{b}a', 'made');
        await diff(t, p, [['COPY', '{b}a', '{b}c']]);
        await check('{b}c', 'copied within a shard');
        await diff(t, p, [['COPY', '{b}a', k1], ['COPY', '{b}a', k2, 'DB', '2']]);
        await check(k1, 'copied to k1');
        await check(k2, 'copied to db 2', '2');
        await diff(t, p, [['RENAME', k1, k2], ['EXISTS', k1]]);
        await check(k2, 'renamed across shards');
        await diff(t, p, [['RENAME', '{b}c', '{b}d'], ['MOVE', '{b}d', '3'], ['EXISTS', '{b}d']]);
        await check('{b}d', 'renamed within a shard and moved', '3');
        await diff(t, p, [['DEL', '{b}a'], ['OBJECT', 'ENCODING', k2]]);
        await check(k2, 'after the source was deleted');
      }
    });
  });
}

suite(1);
suite(4);
