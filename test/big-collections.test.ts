// Big collections: deleting a 1M-member set is one record's work; its members go away in the
// background (INFO memory lazyfree_pending_objects) while other commands on the same shard keep
// answering; a delete/recreate loop reuses the freed space instead of growing the data file.
import t from 'tap';
import fs from 'node:fs';
import path from 'node:path';
import { startRespdb } from './support/servers.js';
import { RawClient, formatReply, type Reply } from './support/resp-client.js';

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

// The collector runs in the background tick (hz times a second, a bounded slice each time): at the
// default hz 10 it is busy a fifth of the time. hz 100 keeps it busy and the tests short; the
// slices stay as small, so the reads between them still have to get through.
const HZ = ['--hz', '100'];

async function infoField(c: RawClient, section: string, field: string): Promise<number> {
  const r = await c.send('INFO', section);
  const m = new RegExp(`^${field}:(\\d+)`, 'm').exec(r.t === 'bulk' && r.v ? r.v.toString() : '');
  if (!m) throw new Error(`INFO ${section} has no ${field}`);
  return Number(m[1]);
}

/** Adds `n` members m<from>.. to a set, 1000 per SADD, pipelined. */
async function fill(c: RawClient, key: string, from: number, n: number): Promise<void> {
  const cmds: string[][] = [];
  for (let i = from; i < from + n; i += 1000) {
    const cmd = ['SADD', key];
    for (let j = i; j < Math.min(i + 1000, from + n); j++) cmd.push(`member:${j}`);
    cmds.push(cmd);
    if (cmds.length === 50) {
      await c.pipeline(cmds.splice(0));
    }
  }
  if (cmds.length) await c.pipeline(cmds);
}

/** Blocks in use by the shards' data files (the files are sparse with a writable map). */
function dataBlocks(dir: string): number {
  let n = 0;
  for (const d of fs.readdirSync(dir)) {
    const f = path.join(dir, d, 'data.mdb');
    if (fs.existsSync(f)) n += fs.statSync(f).blocks;
  }
  return n;
}

async function untilNoGarbage(c: RawClient, onWait?: () => void): Promise<void> {
  for (let i = 0; i < 3000; i++) {
    if ((await infoField(c, 'memory', 'lazyfree_pending_objects')) === 0) return;
    onWait?.();
    await sleep(20);
  }
  throw new Error('lazyfree_pending_objects never went back to 0');
}

t.test('a 1M-member set is deleted at once and collected in the background while GETs answer', async (t) => {
  const srv = await startRespdb({ shards: 2, args: HZ });
  t.teardown(() => srv.stop());
  const c = await RawClient.connect(srv.port);
  const reader = await RawClient.connect(srv.port);
  t.teardown(async () => {
    await c.close();
    await reader.close();
  });
  // {b}: the set and the probe key share a shard, the one that does the cleanup
  await fill(c, '{b}big', 0, 1_000_000);
  t.equal(formatReply(await c.send('SCARD', '{b}big')), formatReply({ t: 'int', v: 1_000_000n } as Reply), 'the set has 1M members');
  t.equal(formatReply(await c.send('SET', '{b}probe', 'here')), formatReply({ t: 'simple', v: 'OK' } as Reply));

  let reads = 0;
  let wrong = 0;
  let stop = false;
  const loop = (async () => {
    while (!stop) {
      const r = await reader.send('GET', '{b}probe');
      if (r.t === 'bulk' && r.v?.toString() === 'here') reads++;
      else wrong++;
    }
  })();

  t.equal(formatReply(await c.send('DEL', '{b}big')), formatReply({ t: 'int', v: 1n } as Reply), 'DEL answers 1');
  t.equal(formatReply(await c.send('EXISTS', '{b}big')), formatReply({ t: 'int', v: 0n } as Reply), 'the key is gone at once');
  t.equal(formatReply(await c.send('SCARD', '{b}big')), formatReply({ t: 'int', v: 0n } as Reply));
  const pending = await infoField(c, 'memory', 'lazyfree_pending_objects');
  t.equal(pending, 1, 'its members wait for the background collector');
  const readsBefore = reads;
  await untilNoGarbage(c);
  const readsDuring = reads - readsBefore;
  stop = true;
  await loop;
  t.ok(readsDuring > 0, `GETs on the same shard kept answering during the cleanup (${readsDuring})`);
  t.equal(wrong, 0, 'every GET read the right value');
  t.ok((await infoField(c, 'memory', 'lazyfreed_objects')) >= 1, 'lazyfreed_objects counts the collected set');
  // a new incarnation of the key starts empty (no member of the old one shows through)
  await c.send('SADD', '{b}big', 'new');
  t.equal(formatReply(await c.send('SCARD', '{b}big')), formatReply({ t: 'int', v: 1n } as Reply), 'a new incarnation has only its own members');
  t.equal(formatReply(await c.send('SISMEMBER', '{b}big', 'member:5')), formatReply({ t: 'int', v: 0n } as Reply));
});

t.test('garbage survives a restart and is still collected', async (t) => {
  const srv = await startRespdb({ shards: 1, args: HZ });
  t.teardown(() => srv.stop());
  let c = await RawClient.connect(srv.port);
  await fill(c, 'big', 0, 200_000);
  await c.send('DEL', 'big');
  await c.close();
  await srv.kill9();
  await srv.restart();
  c = await RawClient.connect(srv.port);
  t.teardown(() => c.close());
  await untilNoGarbage(c);
  t.equal(await infoField(c, 'memory', 'lazyfree_pending_objects'), 0, 'collected after the restart');
  await c.send('SADD', 'big', 'x');
  t.equal(formatReply(await c.send('SCARD', 'big')), formatReply({ t: 'int', v: 1n } as Reply));
});

t.test('a delete/recreate loop does not grow the data file', async (t) => {
  // the binlog keeps every write until binlog-max-size: keep it small so only the data is measured
  const srv = await startRespdb({ shards: 1, args: [...HZ, '--binlog-max-size', '1mb'] });
  t.teardown(() => srv.stop());
  const c = await RawClient.connect(srv.port);
  t.teardown(() => c.close());
  const sizes: number[] = [];
  // one read on the main thread's snapshot, then only writes: the snapshot must not pin old pages
  await c.send('GET', 'tick');
  for (let round = 0; round < 6; round++) {
    await fill(c, 'churn', round * 100_000, 100_000);
    await c.send('DEL', 'churn');
    await untilNoGarbage(c);
    // a write so the next transaction's freelist includes the pages freed just now
    await c.send('SET', 'tick', String(round));
    sizes.push(dataBlocks(srv.dir));
  }
  t.ok(sizes[5] <= sizes[1] * 1.2, `the file stops growing after the first rounds: ${sizes.join(', ')} blocks`);
});
