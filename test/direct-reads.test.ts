// Reads served on the main thread (direct reads) keep each connection's order with the writes
// its shards run: pipelines of writes and reads interleaved over both shards, where a read that
// overtook an earlier write of its connection, or read a snapshot from before it, would show a
// stale value.
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

t.test('pipelined reads see the writes before them', async (t) => {
  const srv = await startRespdb({ shards: 2 });
  t.teardown(() => srv.stop());
  const c = await RawClient.connect(srv.port);
  t.teardown(() => c.close());

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
  t.same((await c.pipeline(cmds)).map(txt), want, 'every read of a pipelined write/read mix sees the writes before it');

  // read-only pipelines, then a write from another connection, then the same reads again
  const reads = keys.map((k) => ['GET', k]).concat(keys.map((k) => ['EXISTS', k]));
  const expect = () => keys.map((k) => (value.has(k) ? `"${value.get(k)}"` : 'null')).concat(keys.map((k) => (value.has(k) ? '1' : '0')));
  for (let i = 0; i < 3; i++) t.same((await c.pipeline(reads)).map(txt), expect(), `read-only pipeline ${i}`);
  const other = await RawClient.connect(srv.port);
  t.teardown(() => other.close());
  for (const k of keys.slice(0, 10)) {
    t.equal(txt(await other.send('SET', k, 'changed')), '"OK"');
    value.set(k, 'changed');
  }
  t.same((await c.pipeline(reads)).map(txt), expect(), 'writes acknowledged to another connection are visible');
});
