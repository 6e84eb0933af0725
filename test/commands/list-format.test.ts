// Data format 2 packs list elements in nodes: a directory of format 1 (or 0, without sets), whose
// lists hold one `sub` entry per element, has its lists converted in place when the server opens it.
import t from 'tap';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { open } from 'lmdb';
import { startRespdb } from '../support/servers.js';
import { RawClient } from '../support/resp-client.js';
import { T_LIST, decodeMeta, payload } from '../../lib/store/meta.js';
import { readU64BE, writeU64BE } from '../../lib/store/keys.js';
import { decodeNode, nodeCount } from '../../lib/store/list-nodes.js';

const bin = { keyEncoding: 'binary' as const, encoding: 'binary' as const };
type R = { t: string; v: unknown };
const strs = (r: unknown): string[] => ((r as R).v as R[]).map((e) => (e.v as Buffer).toString('latin1'));
const str = (r: unknown): string => ((r as R).v as Buffer).toString('latin1');
const int = (r: unknown): unknown => (r as R).v;

/** Rewrites every list of a stopped shard's directory in the per-element layout, with format `format` (null: no marker). */
async function toOldLayout(dir: string, format: number | null): Promise<number> {
  const env = open({ path: path.join(dir, 'shard-0'), maxDbs: 12 });
  const meta = env.openDB({ name: 'meta', ...bin });
  const sub = env.openDB({ name: 'sub', ...bin });
  const info = env.openDB({ name: 'info', ...bin });
  let elements = 0;
  await env.transaction(() => {
    for (const { key, value } of meta.getRange({})) {
      const m = decodeMeta(key as Buffer, value as Buffer);
      if (m.type !== T_LIST) continue;
      const p = payload(m);
      const id = readU64BE(p, 0);
      const start = Buffer.alloc(8);
      writeU64BE(start, id, 0);
      const end = Buffer.alloc(8);
      writeU64BE(end, id + 1, 0);
      for (const { key: nk, value: nv } of [...sub.getRange({ start, end })]) {
        sub.removeSync(nk as Buffer);
        const first = readU64BE(nk as Buffer, 8);
        decodeNode(nv as Buffer).forEach((e, i) => {
          const k = Buffer.alloc(16);
          writeU64BE(k, id, 0);
          writeU64BE(k, first + i, 8);
          sub.putSync(k, Buffer.from(e));
          elements++;
        });
      }
    }
    if (format === null) info.removeSync(Buffer.from('format'));
    else info.putSync(Buffer.from('format'), Buffer.from([format]));
  });
  await env.close();
  return elements;
}

/** The format marker and the number of `sub` entries and elements of a stopped shard's directory. */
async function inspect(dir: string): Promise<{ format: number[]; entries: number; elements: number }> {
  const env = open({ path: path.join(dir, 'shard-0'), maxDbs: 12 });
  const sub = env.openDB({ name: 'sub', ...bin });
  const info = env.openDB({ name: 'info', ...bin });
  let entries = 0;
  let elements = 0;
  for (const { value } of sub.getRange({})) {
    entries++;
    elements += nodeCount(value as Buffer);
  }
  const format = [...(info.getBinary(Buffer.from('format')) ?? [])];
  await env.close();
  return { format, entries, elements };
}

for (const format of [1, null]) {
  t.test(`a directory of format ${format ?? 0} has its lists packed in nodes at startup`, async (t) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'respdb-list-format-'));
    t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
    let srv = await startRespdb({ shards: 1, dir });
    let c = await RawClient.connect(srv.port);
    const long = 'L'.repeat(5000);
    const els = Array.from({ length: 1500 }, (_, i) => (i === 700 ? long : `e${i}`));
    await c.send('RPUSH', 'big', ...els);
    await c.send('LPUSH', 'big', 'h1', 'h2');
    await c.send('RPUSH', 'small', 'a', 'b', 'c');
    await c.send('SET', 'k', 'v');
    await c.close();
    await srv.stop();
    t.same((await inspect(dir)).format, [2], 'a new directory is marked format 2');

    const want = ['h2', 'h1', ...els];
    t.equal(await toOldLayout(dir, format), want.length + 3, 'rewritten one entry per element');

    srv = await startRespdb({ shards: 1, dir });
    c = await RawClient.connect(srv.port);
    t.same(strs(await c.send('LRANGE', 'big', '0', '-1')), want, 'the big list, in order');
    t.same(strs(await c.send('LRANGE', 'small', '0', '-1')), ['a', 'b', 'c']);
    t.equal(int(await c.send('LLEN', 'big')), BigInt(want.length));
    t.equal(str(await c.send('LINDEX', 'big', '702')), long, 'the long element');
    t.equal(str(await c.send('GET', 'k')), 'v', 'the other data intact');
    // and it keeps working as a list
    await c.send('RPUSH', 'big', 'last');
    t.equal(str(await c.send('RPOP', 'big')), 'last');
    t.equal(str(await c.send('LPOP', 'big')), 'h2');
    await c.close();
    await srv.stop();

    const after = await inspect(dir);
    t.same(after.format, [2], 'marked format 2');
    t.equal(after.elements, want.length + 3 - 1, 'every element in a node');
    t.ok(after.entries < after.elements / 10, `packed: ${after.entries} nodes`);
  });
}
