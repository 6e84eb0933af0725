// Reads served on the main thread (direct reads) and reads sent to their shards give the same
// replies in the same order: pipelines deeper than pipeline-direct-reads (the reads of one socket
// read served on the main thread), the setting at 0 (every read through its shard) and changed at
// runtime, with writes interleaved so a read that overtook an earlier write of its connection
// would show a stale value.
import t from 'tap';
import { startRespdb } from './support/servers.js';
import { RawClient, type Reply } from './support/resp-client.js';

/** A reply as short text: "v" for bulk strings, null, integers, simple strings and errors as they are, arrays as [a,b]. */
function txt(r: Reply): string {
  switch (r.t) {
    case 'bulk':
      return r.v === null ? 'null' : `"${r.v.toString('latin1')}"`;
    case 'simple':
      return `"${r.v}"`;
    case 'int':
      return String(r.v);
    case 'error':
      return `ERR:${r.v}`;
    case 'array':
      return r.v === null ? 'null' : `[${r.v.map(txt).join(',')}]`;
    default:
      return JSON.stringify(r);
  }
}

for (const budget of ['0', '1', '32']) {
  t.test(`pipeline-direct-reads ${budget}`, async (t) => {
    const srv = await startRespdb({ shards: 2, args: ['--pipeline-direct-reads', budget] });
    t.teardown(() => srv.stop());
    const c = await RawClient.connect(srv.port);
    t.teardown(() => c.close());
    t.equal(txt(await c.send('CONFIG', 'GET', 'pipeline-direct-reads')), `["pipeline-direct-reads","${budget}"]`);

    // 40 keys over both shards; every step writes one key, then reads several (the just written one
    // among them), so each reply is known in advance.
    const keys = Array.from({ length: 40 }, (_, i) => `k:${i}`);
    const value = new Map<string, string>();
    const cmds: string[][] = [];
    const want: string[] = [];
    for (let step = 0; step < 400; step++) {
      const k = keys[(step * 7) % keys.length];
      const v = `v${step}`;
      cmds.push(['SET', k, v]);
      want.push('"OK"');
      value.set(k, v);
      for (let r = 0; r < 5; r++) {
        const rk = keys[(step * 13 + r * 3) % keys.length];
        cmds.push(['GET', rk]);
        want.push(value.has(rk) ? `"${value.get(rk)}"` : 'null');
      }
    }
    const got = (await c.pipeline(cmds)).map(txt);
    t.same(got, want, 'every read of a pipelined write/read mix sees the writes before it');

    // a read-only pipeline much longer than the budget: some reads direct, the rest via the shards
    const reads = keys.map((k) => ['GET', k]).concat(keys.map((k) => ['EXISTS', k]));
    const expect = keys.map((k) => (value.has(k) ? `"${value.get(k)}"` : 'null')).concat(keys.map((k) => (value.has(k) ? '1' : '0')));
    for (let i = 0; i < 5; i++) t.same((await c.pipeline(reads)).map(txt), expect, `read-only pipeline ${i}`);
  });
}

t.test('pipeline-direct-reads changes at runtime', async (t) => {
  const srv = await startRespdb({ shards: 2 });
  t.teardown(() => srv.stop());
  const c = await RawClient.connect(srv.port);
  t.teardown(() => c.close());
  t.equal(txt(await c.send('CONFIG', 'GET', 'pipeline-direct-reads')), '["pipeline-direct-reads","6"]', 'default 6');
  await c.send('SET', 'a', '1');
  for (const v of ['0', '5', '1000']) {
    t.equal(txt(await c.send('CONFIG', 'SET', 'pipeline-direct-reads', v)), '"OK"');
    const rs = await c.pipeline(Array.from({ length: 100 }, () => ['GET', 'a']));
    t.ok(rs.every((r) => txt(r) === '"1"'), `100 pipelined GETs with a budget of ${v}`);
  }
  t.match(txt(await c.send('CONFIG', 'SET', 'pipeline-direct-reads', '-1')), /^ERR:/, 'negative budgets are refused');
});
