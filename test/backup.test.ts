// Backups: BGSAVE / SAVE / LASTSAVE with Redis's replies, the backup directory (name, layout, no
// temporary left), a server started on it serves exactly the data (every key walked), INFO
// persistence has Redis 7.0's fields in Redis's order; under a write load the backup holds
// exactly the writes sent before BGSAVE, the same cut on every shard.
import t from 'tap';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startRedis, startRespdb, type RespdbProc } from './support/servers.js';
import { RawClient, formatReply, type Reply } from './support/resp-client.js';
import { walkKeys } from './support/key-walk.js';
import { shardOf } from '../lib/slot.js';

const SHARDS = 3;
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'respdb-backup-'));
const dumps = path.join(root, 'dumps');
const procs: RespdbProc[] = [];
t.teardown(async () => {
  await Promise.all(procs.map((p) => p.stop().catch(() => {})));
  fs.rmSync(root, { recursive: true, force: true });
});

async function start(args: string[] = [], dir?: string): Promise<RespdbProc> {
  const p = await startRespdb({ shards: SHARDS, dir, args });
  procs.push(p);
  return p;
}

function text(r: Reply): string {
  return r.t === 'simple' || r.t === 'error' ? `${r.t}:${r.v}` : formatReply(r);
}

async function infoFields(c: RawClient, section: string): Promise<Map<string, string>> {
  const r = await c.send('INFO', section);
  const body = (r as { v: Buffer }).v.toString();
  const m = new Map<string, string>();
  for (const line of body.split('\r\n')) {
    const i = line.indexOf(':');
    if (i > 0 && !line.startsWith('#')) m.set(line.slice(0, i), line.slice(i + 1));
  }
  return m;
}

async function waitSaved(c: RawClient): Promise<Map<string, string>> {
  for (;;) {
    const f = await infoFields(c, 'persistence');
    if (f.get('rdb_bgsave_in_progress') === '0') return f;
    await new Promise((r) => setTimeout(r, 20));
  }
}

function backups(): string[] {
  return fs.existsSync(dumps) ? fs.readdirSync(dumps).sort() : [];
}

async function fill(c: RawClient): Promise<void> {
  const cmds: string[][] = [];
  for (let i = 0; i < 300; i++) cmds.push(['SET', `str:${i}`, `v${i}`.repeat(1 + (i % 7))]);
  for (let i = 0; i < 20; i++) cmds.push(['SET', `ttl:${i}`, 'x', 'EX', '10000']);
  const hash = ['HSET', 'big-hash'];
  for (let i = 0; i < 1500; i++) hash.push(`f${i}`, `value-${i}`);
  cmds.push(hash, ['HSET', 'small-hash', 'a', '1', 'long', 'L'.repeat(3000)]);
  cmds.push(['RPUSH', 'list', ...Array.from({ length: 500 }, (_, i) => `e${i}`)]);
  cmds.push(['SADD', 'set', ...Array.from({ length: 400 }, (_, i) => `m${i}`)], ['SADD', 'intset', '1', '2', '3']);
  cmds.push(['ZADD', 'zset', ...Array.from({ length: 300 }, (_, i) => [String(i / 3), `z${i}`]).flat()]);
  cmds.push(['XADD', 'stream', '1-1', 'a', '1'], ['XADD', 'stream', '2-1', 'b', '2']);
  cmds.push(['SELECT', '3'], ['SET', 'in-db3', 'yes'], ['HSET', 'h3', 'x', 'y'], ['SELECT', '0']);
  cmds.push(['SET', 'K'.repeat(2000), 'long key'], ['DEL', 'str:5'], ['HDEL', 'big-hash', 'f7']);
  for (const r of await c.pipeline(cmds)) if (r.t === 'error') throw new Error(r.v);
}

let live: RespdbProc;

t.before(async () => {
  live = await start(['--dump-path', dumps, '--dump-prefix', 'bk-']);
});

t.test('BGSAVE, SAVE, LASTSAVE; a server on the backup directory serves exactly the data', async (t) => {
  const c = await RawClient.connect(live.port);
  t.teardown(() => c.close());
  await fill(c);
  const before = (await c.send('LASTSAVE')) as { v: bigint };
  const f0 = await infoFields(c, 'persistence');
  t.equal(f0.get('rdb_saves'), '0');
  t.ok(Number(f0.get('rdb_changes_since_last_save')) > 0, 'changes counted since startup');
  const expected = await walkKeys(live.port);
  t.ok(expected.size > 300);

  // one pipeline: the second BGSAVE reaches the server while the first one runs
  const r = await c.pipeline([['BGSAVE'], ['BGSAVE'], ['BGSAVE', 'SCHEDULE'], ['SAVE'], ['BGSAVE', 'NOW']]);
  t.same(r.map(text), [
    'simple:Background saving started',
    'error:ERR Background save already in progress',
    'error:ERR Background save already in progress',
    'error:ERR Background save already in progress',
    'error:ERR syntax error',
  ]);
  const f = await waitSaved(c);
  t.equal(f.get('rdb_last_bgsave_status'), 'ok');
  t.equal(f.get('rdb_saves'), '1');
  t.equal(f.get('rdb_changes_since_last_save'), '0');
  t.not(f.get('rdb_last_bgsave_time_sec'), '-1');
  const after = (await c.send('LASTSAVE')) as { v: bigint };
  t.ok(after.v >= before.v);
  t.equal(f.get('rdb_last_save_time'), String(after.v));

  const names = backups();
  t.equal(names.length, 1, 'one backup, no temporary directory left');
  t.match(names[0], /^bk-\d{14}$/);
  const dir = path.join(dumps, names[0]);
  t.same(fs.readdirSync(dir).sort(), ['respdb.json', ...Array.from({ length: SHARDS }, (_, i) => `shard-${i}`)]);
  t.same(fs.readdirSync(path.join(dir, 'shard-0')), ['data.mdb']);

  // writes after the backup are not in it
  t.equal(text(await c.send('SET', 'after', '1')), 'simple:OK');
  t.equal(text(await c.send('DEL', 'big-hash')), '(integer) 1');
  const f2 = await infoFields(c, 'persistence');
  t.equal(f2.get('rdb_changes_since_last_save'), '2');

  const copy = await start([], dir);
  t.same(await walkKeys(copy.port), expected, 'the backup holds every key of the snapshot, and nothing else');
  await copy.stop();

  // SAVE answers once the backup is complete
  t.equal(text(await c.send('SAVE')), 'simple:OK');
  t.equal(backups().length, 2);
  const f3 = await infoFields(c, 'persistence');
  t.equal(f3.get('rdb_saves'), '2');
  t.equal(f3.get('rdb_bgsave_in_progress'), '0');
});

t.test('INFO persistence: Redis 7.0 fields in Redis order', async (t) => {
  const redis = await startRedis();
  t.teardown(() => redis.stop());
  const rc = await RawClient.connect(redis.port);
  const c = await RawClient.connect(live.port);
  t.teardown(async () => {
    await rc.close();
    await c.close();
  });
  const theirs = [...(await infoFields(rc, 'persistence')).keys()];
  const mine = [...(await infoFields(c, 'persistence')).keys()];
  t.same(mine.slice(0, theirs.length), theirs, 'the same fields in the same order; respdb adds its own after them');
});

t.test('under a write load the backup holds exactly the writes sent before BGSAVE', async (t) => {
  const w = await RawClient.connect(live.port);
  await w.send('CONFIG', 'SET', 'dump-path', path.join(root, 'load-dumps'), 'dump-prefix', '');
  await w.send('FLUSHALL');
  const other = await RawClient.connect(live.port);
  t.teardown(async () => {
    await w.close();
    await other.close();
  });
  // counters on every shard, always incremented together (MULTI/EXEC across shards)
  const counters: string[] = [];
  for (let i = 0; counters.length < 6; i++) {
    const k = `counter:${i}`;
    if (shardOf(Buffer.from(k), SHARDS) === counters.length % SHARDS) counters.push(k);
  }
  const txn = (n: number): string[][] => [['MULTI'], ...counters.map((k) => ['INCR', k]), ['SET', `seq:${n}`, String(n)], ['EXEC']];
  // another client writes numbered keys over every shard meanwhile
  let stop = false;
  const load = (async () => {
    let n = 0;
    while (!stop) {
      const batch: string[][] = [];
      for (let i = 0; i < 200; i++, n++) batch.push(['SET', `other:${n}`, String(n)]);
      await other.pipeline(batch);
    }
    return n;
  })();
  const before = 150;
  const cmds: string[][] = [];
  for (let n = 0; n < before; n++) cmds.push(...txn(n));
  cmds.push(['BGSAVE']);
  for (let n = before; n < before + 150; n++) cmds.push(...txn(n));
  const replies = await w.pipeline(cmds);
  t.equal(text(replies[before * (counters.length + 3)]), 'simple:Background saving started');
  await waitSaved(w);
  stop = true;
  const written = await load;
  t.ok(written > 0);
  const name = fs.readdirSync(path.join(root, 'load-dumps'))[0];
  const copy = await start([], path.join(root, 'load-dumps', name));
  const c = await RawClient.connect(copy.port);
  t.teardown(() => c.close());
  const values = (await c.send('MGET', ...counters)) as { v: Reply[] };
  t.same(values.v.map(text), counters.map(() => text({ t: 'bulk', v: Buffer.from(String(before)) })), 'every counter at the BGSAVE point');
  const keys = await walkKeys(copy.port, 1);
  const seqs = [...keys.keys()].map((k) => Buffer.from(k.slice(2), 'hex').toString()).filter((k) => k.startsWith('seq:'));
  t.equal(seqs.length, before, 'exactly the transactions before BGSAVE');
  const others = [...keys.keys()].map((k) => Buffer.from(k.slice(2), 'hex').toString()).filter((k) => k.startsWith('other:'));
  const nums = new Set(others.map((k) => Number(k.slice(6))));
  let prefix = 0;
  while (nums.has(prefix)) prefix++;
  t.equal(nums.size, prefix, `the other client's writes are a prefix (${prefix} of ${written}), the same cut on every shard`);
});
