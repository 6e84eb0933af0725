// A full disk (lib/store/disk-space.ts): on a tmpfs of a few MB, writes are refused with
// MISCONF before the disk is full (with and without a writable memory map, where a write into
// a page the filesystem cannot back would kill the process), reads go on with the right values,
// deletes still run, writes come back by themselves once space returns, and a restart finds
// every acknowledged write. With no reserve, a commit that fails with ENOSPC refuses writes,
// answers the batch's reads, and loses nothing after kill -9.
import t, { type Test } from 'tap';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { startRespdb, type RespdbProc } from './support/servers.js';
import { RawClient, type Reply } from './support/resp-client.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const ADDING_REFUSED =
  'MISCONF Errors writing to the data files: No space left on device (disk full: writes that add data are refused until space returns; deletes are accepted)';
const ALL_REFUSED = 'MISCONF Errors writing to the data files: No space left on device (disk full: writes are refused until space returns)';

const mounts: string[] = [];
const procs: RespdbProc[] = [];
const clients: RawClient[] = [];
const keepAlive = setInterval(() => {}, 1000);
t.teardown(async () => {
  clearInterval(keepAlive);
  for (const c of clients) c.close();
  await Promise.all(procs.map((p) => p.stop().catch(() => {})));
  for (const m of mounts) {
    try {
      execFileSync('umount', [m]);
    } catch {
      // already gone
    }
    fs.rmSync(m, { recursive: true, force: true });
  }
});

/** A fresh tmpfs of `size` (e.g. "8m"), or null when this process may not mount one. */
function tmpfs(size: string): string | null {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'respdb-diskfull-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir], { stdio: 'ignore' });
  } catch {
    fs.rmSync(dir, { recursive: true, force: true });
    return null;
  }
  mounts.push(dir);
  return dir;
}

async function client(p: RespdbProc): Promise<RawClient> {
  const c = await RawClient.connect(p.port);
  clients.push(c);
  return c;
}

const value = (i: number): string => `v${i}:`.padEnd(1000, String.fromCharCode(97 + (i % 26)));

/**
 * SETs k0, k1, ... in pipelines of 50 until a write is refused; returns the acknowledged indexes
 * and the first error.
 */
async function fill(c: RawClient, from = 0): Promise<{ acked: number[]; error: string }> {
  const acked: number[] = [];
  for (let i = from; i < from + 100000; i += 50) {
    const cmds: string[][] = [];
    for (let j = i; j < i + 50; j++) cmds.push(['SET', `k${j}`, value(j)]);
    const replies = await c.pipeline(cmds);
    let error = '';
    for (let j = 0; j < replies.length; j++) {
      const r = replies[j];
      // (the other shard may still accept a write after one refused)
      if (r.t === 'simple' && r.v === 'OK') acked.push(i + j);
      else if (r.t === 'error') error ||= String(r.v);
      else throw new Error(`unexpected reply ${JSON.stringify(r)}`);
    }
    if (error !== '') return { acked, error };
  }
  throw new Error('the disk never filled');
}

/** Every acknowledged key reads back its value (deleted ones excepted). */
async function checkValues(t: Test, c: RawClient, acked: number[], deleted: Set<number>, others = 0): Promise<void> {
  const replies = await c.pipeline(acked.map((i) => ['GET', `k${i}`]));
  let bad = 0;
  for (let j = 0; j < acked.length; j++) {
    const r = replies[j];
    const want = deleted.has(acked[j]) ? null : value(acked[j]);
    const got = r.t === 'bulk' ? (r.v === null ? null : r.v.toString()) : `${r.t}`;
    if (got !== want) bad++;
  }
  t.equal(bad, 0, `all ${acked.length} acknowledged keys read back`);
  const size = await c.send('DBSIZE');
  t.same(size, { t: 'int', v: BigInt(acked.length - deleted.size + others) }, 'DBSIZE counts the acknowledged keys');
}

async function info(c: RawClient): Promise<string> {
  const r = await c.send('INFO', 'persistence');
  return r.t === 'bulk' && r.v !== null ? r.v.toString() : '';
}

/** Sends SET until it is accepted (space returned); the number of tries. */
async function untilAccepted(c: RawClient, key: string): Promise<Reply> {
  let r: Reply = { t: 'error', v: 'never tried' } as Reply;
  for (let i = 0; i < 100; i++) {
    r = await c.send('SET', key, 'back');
    if (r.t !== 'error') return r;
    await sleep(50);
  }
  return r;
}

for (const writemap of ['yes', 'no']) {
  t.test(`below disk-free-reserve (lmdb-writemap ${writemap}): refused, read, deleted, freed, restarted`, async (t) => {
    const dir = tmpfs('8m');
    if (dir === null) return t.plan(0, 'cannot mount a tmpfs here (not root)');
    // a file that takes 3 MB, deleted later to give the space back
    fs.writeFileSync(path.join(dir, 'filler'), Buffer.alloc(3 << 20, 1));
    const p = await startRespdb({ dir, shards: 2, args: ['--lmdb-writemap', writemap, '--disk-free-reserve', '1mb'] });
    procs.push(p);
    const c = await client(p);
    const { acked, error } = await fill(c);
    t.equal(error, ADDING_REFUSED, 'the refused SET names the cause');
    t.ok(acked.length > 200, `${acked.length} SETs acknowledged before the reserve`);
    t.ok(fs.statfsSync(dir).bavail > 0, 'the filesystem still has free space');

    // reads and writes in one pipeline: the reads answered, the writes refused
    const mixed = await c.pipeline([['GET', `k${acked[0]}`], ['SET', 'new', 'x'], ['INCR', 'n'], ['GET', `k${acked[acked.length - 1]}`], ['EXISTS', 'new']]);
    t.same(mixed[0], { t: 'bulk', v: Buffer.from(value(acked[0])) });
    t.same(mixed[1], { t: 'error', v: ADDING_REFUSED });
    t.same(mixed[2], { t: 'error', v: ADDING_REFUSED });
    t.same(mixed[3], { t: 'bulk', v: Buffer.from(value(acked[acked.length - 1])) });
    t.same(mixed[4], { t: 'int', v: 0n });
    // a script's writes are refused the same way, its reads answered
    const scripted = await c.send('EVAL', "return redis.call('SET', KEYS[1], 'x')", '1', 'new');
    t.equal(scripted.t, 'error');
    t.match(scripted.t === 'error' ? String(scripted.v) : '', /^MISCONF Errors writing to the data files: No space left on device/);
    t.same(await c.send('EVAL', "return redis.call('GET', KEYS[1])", '1', `k${acked[0]}`), { t: 'bulk', v: Buffer.from(value(acked[0])) });
    await checkValues(t, c, acked, new Set());
    const full = await info(c);
    t.match(full, /aof_last_write_status:err/);
    t.match(full, /disk_full:1/);
    t.match(full, /disk_full_writes:deletes_only/);

    // deletes are accepted (they make room inside the data file)
    const deleted = new Set(acked.slice(0, 20));
    const dels = await c.pipeline([...deleted].map((i) => ['DEL', `k${i}`]));
    t.ok(
      dels.every((r) => r.t === 'int' && r.v === 1n),
      'DEL runs while writes that add data are refused',
    );

    // space returns: writes are accepted again without a restart
    fs.unlinkSync(path.join(dir, 'filler'));
    t.same(await untilAccepted(c, 'after'), { t: 'simple', v: 'OK' }, 'SET accepted once space returned');
    const more = await fill(c, 200000);
    t.ok(more.acked.length > 100, `${more.acked.length} more SETs acknowledged after the file was removed`);
    t.equal(more.error, ADDING_REFUSED);
    t.match(await info(c), /disk_full:1/);

    const all = [...acked, ...more.acked];
    // (restarts are slow on a busy machine: one of the two modes restarts, the ENOSPC test below too)
    if (writemap === 'no') return void (await checkValues(t, c, all, deleted, 1));
    c.close();
    await p.restart();
    const c2 = await client(p);
    await checkValues(t, c2, all, deleted, 1);
    t.same(await c2.send('GET', 'after'), { t: 'bulk', v: Buffer.from('back') });
  });
}

t.test('a commit that fails with ENOSPC (no reserve): refused, reads answered, back after remount, nothing lost on kill -9', async (t) => {
  const dir = tmpfs('6m');
  if (dir === null) return t.plan(0, 'cannot mount a tmpfs here (not root)');
  const p = await startRespdb({ dir, shards: 1, args: ['--lmdb-writemap', 'no', '--disk-free-reserve', '0'] });
  procs.push(p);
  const c = await client(p);
  const { acked, error } = await fill(c);
  t.equal(error, ALL_REFUSED, 'the batch that could not commit answers MISCONF');
  t.equal(fs.statfsSync(dir).bavail, 0, 'the filesystem is full');

  // a batch whose commit fails answers its reads from what is stored, and refuses its writes
  const batch = await c.pipeline([['GET', `k${acked[0]}`], ['SET', `k${acked[0]}`, 'changed'], ['GET', `k${acked[0]}`], ['DEL', `k${acked[1]}`], ['EXISTS', `k${acked[1]}`]]);
  t.same(batch[0], { t: 'bulk', v: Buffer.from(value(acked[0])) });
  t.same(batch[1], { t: 'error', v: ALL_REFUSED });
  t.same(batch[2], { t: 'bulk', v: Buffer.from(value(acked[0])) }, 'the read after the refused write sees the stored value');
  t.same(batch[3], { t: 'error', v: ALL_REFUSED });
  t.same(batch[4], { t: 'int', v: 1n });
  await checkValues(t, c, acked, new Set());
  t.match(await info(c), /disk_full_writes:refused/);

  // space returns: accepted again by itself
  execFileSync('mount', ['-o', 'remount,size=12m', dir]);
  t.same(await untilAccepted(c, 'after'), { t: 'simple', v: 'OK' }, 'SET accepted after the remount');
  const more = await fill(c, 200000);
  t.equal(more.error, ALL_REFUSED, 'full again');
  t.ok(more.acked.length > 100, `${more.acked.length} more SETs acknowledged after the remount`);

  // killed while the disk is full: every acknowledged write is there after the restart
  await p.kill9();
  execFileSync('mount', ['-o', 'remount,size=16m', dir]);
  await p.restart();
  const c2 = await client(p);
  await checkValues(t, c2, [...acked, ...more.acked], new Set(), 1);
  t.same(await c2.send('GET', 'after'), { t: 'bulk', v: Buffer.from('back') });
  t.match(await info(c2), /disk_full:0/);
});
