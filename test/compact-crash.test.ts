// kill -9 during COMPACT: the live data is intact after a restart and the compaction's copy is gone;
// a backup taken after a compaction is served exactly (the swapped files are a complete shard).
import t from 'tap';
import fs from 'node:fs';
import path from 'node:path';
import { startRespdb, type RespdbProc } from './support/servers.js';
import { RawClient, formatReply, type Reply } from './support/resp-client.js';
import { walkKeys } from './support/key-walk.js';

const procs: RespdbProc[] = [];
const keepAlive = setInterval(() => {}, 1000);
t.teardown(async () => {
  clearInterval(keepAlive);
  await Promise.all(procs.map((p) => p.stop().catch(() => {})));
});

function text(r: Reply): string {
  return r.t === 'simple' || r.t === 'error' ? `${r.t}:${r.v}` : formatReply(r);
}

async function info(c: RawClient): Promise<Map<string, string>> {
  const body = ((await c.send('INFO', 'persistence')) as { v: Buffer }).v.toString();
  return new Map(body.split('\r\n').filter((l) => l.includes(':')).map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 1)] as [string, string]));
}

t.test('kill -9 during COMPACT leaves the data intact', async (t) => {
  const live = await startRespdb({ shards: 2 });
  procs.push(live);
  const c = await RawClient.connect(live.port);
  const cmds: string[][] = [];
  for (let i = 0; i < 5000; i++) cmds.push(['SET', `k:${i}`, String(i)]);
  cmds.push(['HSET', 'h', ...Array.from({ length: 200 }, (_, i) => [`f${i}`, `v${i}`]).flat()]);
  for (let i = 0; i < 5000; i += 2) cmds.push(['DEL', `k:${i}`]);
  await c.pipeline(cmds);
  const expected = await walkKeys(live.port, 1);
  await c.send('CONFIG', 'SET', 'rdb-key-save-delay', '5000');
  t.equal(text(await c.send('COMPACT')), 'simple:OK');
  for (;;) {
    const f = await info(c);
    if (f.get('compact_in_progress') === '1' && Number(f.get('compact_current_shard')) >= 0) break;
    await new Promise((r) => setTimeout(r, 20));
  }
  // the copy is under way (a temporary directory beside the shards)
  while (!fs.readdirSync(live.dir).some((n) => n.endsWith('.compact'))) await new Promise((r) => setTimeout(r, 20));
  await c.close();
  await live.kill9();
  await live.restart();
  t.same(fs.readdirSync(live.dir).filter((n) => n.startsWith('.shard-')), [], 'the copy was removed at startup');
  t.same(await walkKeys(live.port, 1), expected, 'every key as before');

  // a full compaction, then a backup of the compacted shards, served exactly
  const c2 = await RawClient.connect(live.port);
  t.teardown(() => c2.close());
  t.equal(text(await c2.send('COMPACT')), 'simple:OK');
  while ((await info(c2)).get('compactions') !== '1') await new Promise((r) => setTimeout(r, 20));
  t.same(await walkKeys(live.port, 1), expected, 'every key after the compaction');
  await c2.send('CONFIG', 'SET', 'dump-path', path.join(live.dir, 'dumps'));
  t.equal(text(await c2.send('SAVE')), 'simple:OK');
  const name = fs.readdirSync(path.join(live.dir, 'dumps'))[0];
  const copy = await startRespdb({ shards: 2, dir: path.join(live.dir, 'dumps', name) });
  procs.push(copy);
  t.same(await walkKeys(copy.port, 1), expected, 'the backup of the compacted shards');
});
