// COMPACT: after deleting 90% of the keys the data files shrink by at least 80% of the freed
// pages, while a reader keeps getting every surviving key's right value and a writer's writes made
// during the compaction are all there afterwards; the slow pool reads the new files; BGSAVE during
// a compaction answers as Redis's BGSAVE during an AOF rewrite; COMPACT / COMPACTRANGE arguments.
import t from 'tap';
import { startRespdb, type RespdbProc } from './support/servers.js';
import { RawClient, formatReply, type Reply } from './support/resp-client.js';

const N = 50_000;
let live: RespdbProc;
t.before(async () => {
  live = await startRespdb({ shards: 2, args: ['--binlog-max-size', '2mb'] });
});
t.teardown(() => live.stop());

function text(r: Reply): string {
  return r.t === 'simple' || r.t === 'error' ? `${r.t}:${r.v}` : formatReply(r);
}

async function info(c: RawClient): Promise<Map<string, string>> {
  const body = ((await c.send('INFO', 'persistence')) as { v: Buffer }).v.toString();
  return new Map(body.split('\r\n').filter((l) => l.includes(':')).map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 1)] as [string, string]));
}

const value = (i: number): string => `value-${i}-`.padEnd(100, 'x');

t.test('COMPACT gives back the freed pages while reads and writes go on', async (t) => {
  const c = await RawClient.connect(live.port);
  const reader = await RawClient.connect(live.port);
  const writer = await RawClient.connect(live.port);
  t.teardown(async () => {
    await c.close();
    await reader.close();
    await writer.close();
  });
  for (let i = 0; i < N; i += 10_000) {
    const cmds: string[][] = [];
    for (let j = i; j < i + 10_000; j++) cmds.push(['SET', `key:${j}`, value(j)]);
    await c.pipeline(cmds);
  }
  const hash = ['HSET', 'hash'];
  for (let i = 0; i < 3000; i++) hash.push(`f${i}`, `v${i}`);
  await c.send(...hash);
  for (let i = 0; i < N; i += 10_000) {
    const cmds: string[][] = [];
    for (let j = i; j < i + 10_000; j++) if (j % 10 !== 0) cmds.push(['DEL', `key:${j}`]);
    await c.pipeline(cmds);
  }
  t.equal(text(await c.send('DBSIZE')), `(integer) ${N / 10 + 1}`);
  t.equal(text(await c.send('KEYS', 'hash*')), formatReply({ t: 'array', v: [{ t: 'bulk', v: Buffer.from('hash') }] }), 'the slow pool has its views open');
  const before = await info(c);
  const disk0 = Number(before.get('data_disk_bytes'));
  const free0 = Number(before.get('data_free_bytes'));
  t.ok(free0 > disk0 / 2, `most pages are free after the deletes (${free0} of ${disk0})`);

  // slow the copy down so the reads and writes below meet it
  await c.send('CONFIG', 'SET', 'rdb-key-save-delay', '200');
  t.equal(text(await c.send('COMPACT')), 'simple:OK');
  t.equal(text(await c.send('COMPACT')), 'error:ERR Compaction already in progress');
  t.equal(text(await c.send('BGSAVE')), "error:ERR Another child process is active (AOF?): can't BGSAVE right now. Use BGSAVE SCHEDULE in order to schedule a BGSAVE whenever possible.");
  t.equal(text(await c.send('BGSAVE', 'SCHEDULE')), 'simple:Background saving scheduled');

  let stop = false;
  let readsDuring = 0;
  let wrong = 0;
  const reads = (async () => {
    for (let round = 0; !stop; round++) {
      const ids = Array.from({ length: 500 }, (_, k) => ((round * 500 + k) * 10) % N);
      const r = await reader.pipeline(ids.map((i) => ['GET', `key:${i}`]));
      r.forEach((x, k) => {
        if (x.t !== 'bulk' || x.v === null || x.v.toString() !== value(ids[k])) wrong++;
      });
      readsDuring += r.length;
    }
  })();
  let written = 0;
  const writes = (async () => {
    // a steady trickle, bounded: the writes must not outgrow what the compaction gives back
    while (!stop && written < 20_000) {
      await new Promise((r) => setTimeout(r, 5));
      const cmds: string[][] = [];
      for (let k = 0; k < 200; k++, written++) cmds.push(['SET', `new:${written}`, String(written)]);
      cmds.push(['HSET', 'hash', `w${written}`, String(written)], ['DEL', `key:${(written % N) - ((written % N) % 10)}`], ['SET', `key:${(written % N) - ((written % N) % 10)}`, value((written % N) - ((written % N) % 10))]);
      await writer.pipeline(cmds);
    }
  })();
  let sawRunning = false;
  for (;;) {
    const f = await info(c);
    if (f.get('compact_in_progress') === '1') sawRunning = true;
    else if (f.get('compactions') === '1') break;
    await new Promise((r) => setTimeout(r, 20));
  }
  stop = true;
  await reads;
  await writes;
  t.ok(sawRunning && readsDuring > 0 && written > 0, `reads (${readsDuring}) and writes (${written}) ran during the compaction`);
  t.equal(wrong, 0, 'every read got the right value');
  const after = await info(c);
  t.equal(after.get('compact_last_status'), 'ok');
  const disk1 = Number(after.get('data_disk_bytes'));
  t.ok(disk0 - disk1 >= 0.8 * free0, `the data files shrank by ${disk0 - disk1} bytes, at least 80% of the ${free0} freed`);
  t.ok(Number(after.get('compact_last_reclaimed_bytes')) > 0);

  // every write made during the compaction is there, every survivor has its value
  const news = await c.pipeline(Array.from({ length: written }, (_, i) => ['GET', `new:${i}`]));
  t.equal(news.filter((r, i) => r.t !== 'bulk' || r.v?.toString() !== String(i)).length, 0, `all ${written} new keys`);
  const survivors = await c.pipeline(Array.from({ length: N / 10 }, (_, i) => ['GET', `key:${i * 10}`]));
  t.equal(survivors.filter((r, i) => r.t !== 'bulk' || r.v?.toString() !== value(i * 10)).length, 0, 'every survivor');
  t.equal(text(await c.send('GET', 'key:11')), '(nil bulk)');
  t.equal(text(await c.send('HLEN', 'hash')), `(integer) ${3000 + written / 200}`);
  t.equal(text(await c.send('DBSIZE')), `(integer) ${N / 10 + 1 + written}`);
  // the slow pool reads the new files
  const keys = await c.send('KEYS', 'new:*');
  t.equal(keys.t === 'array' ? keys.v?.length : -1, written);
  // the scheduled BGSAVE ran once the copier was free
  for (;;) {
    const f = await info(c);
    if (f.get('rdb_saves') === '1' && f.get('rdb_bgsave_in_progress') === '0') break;
    await new Promise((r) => setTimeout(r, 20));
  }
  t.equal((await info(c)).get('rdb_last_bgsave_status'), 'ok');
});

t.test('COMPACT and COMPACTRANGE arguments', async (t) => {
  const c = await RawClient.connect(live.port);
  t.teardown(() => c.close());
  await c.send('CONFIG', 'SET', 'rdb-key-save-delay', '0');
  t.equal(text(await c.send('COMPACT', 'nosuchtype')), 'error:ERR syntax error');
  t.equal(text(await c.send('COMPACT', 'a', 'b')), 'error:ERR syntax error');
  t.equal(text(await c.send('COMPACTRANGE', 'string', 'a')), "error:ERR wrong number of arguments for 'compactrange' command");
  t.equal(text(await c.send('COMPACTRANGE', 'nosuchtype', 'a', 'b')), 'error:ERR syntax error');
  for (const args of [['COMPACT', 'hash'], ['COMPACTRANGE', 'string', '{t}a', '{t}z'], ['COMPACTRANGE', 'all', 'a', 'z']]) {
    const before = Number((await info(c)).get('compactions'));
    t.equal(text(await c.send(...args)), 'simple:OK', args.join(' '));
    while (Number((await info(c)).get('compactions')) === before) await new Promise((r) => setTimeout(r, 20));
  }
  t.equal(text(await c.send('GET', 'key:10')), text({ t: 'bulk', v: Buffer.from(value(10)) }));
});
