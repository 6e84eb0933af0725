// The bytes of respdb's replication stream, read by a replica written here: the handshake's
// replies (+FULLRESYNC, the $EOF: framing), then the commands. A write whose parts run on
// several shards arrives as one MULTI ... EXEC; FLUSHALL, which every shard logs, arrives once;
// SELECT comes where the database changes; the offsets are the stream's bytes.
import t from 'tap';
import net from 'node:net';
import { startRespdb } from '../support/servers.js';
import { RawClient, decodeAll, type Reply } from '../support/resp-client.js';
import { getInfo } from '../support/info.js';
import { shardOf } from '../../lib/slot.js';
import { untilValue } from '../support/replication.js';

const SHARDS = 3;

/** Two keys with the given prefix on two different shards. */
function twoShards(prefix: string): [string, string] {
  const a = `${prefix}a`;
  for (let i = 0; ; i++) {
    const b = `${prefix}b${i}`;
    if (shardOf(Buffer.from(b), SHARDS) !== shardOf(Buffer.from(a), SHARDS)) return [a, b];
  }
}

function words(r: Reply): string[] {
  if (r.t !== 'array' || r.v === null) throw new Error('not a command');
  return r.v.map((x) => (x.t === 'bulk' && x.v !== null ? x.v.toString('latin1') : '?'));
}

t.test('the stream as a replica reads it', async (t) => {
  const p = await startRespdb({ shards: SHARDS });
  t.teardown(() => p.stop());
  const c = await RawClient.connect(p.port);
  t.teardown(() => c.close());
  await c.send('SET', 'before', '1');

  const sock = net.connect(p.port, '127.0.0.1');
  t.teardown(() => sock.destroy());
  let buf = Buffer.alloc(0);
  sock.on('data', (d: Buffer) => (buf = Buffer.concat([buf, d])));
  sock.write('*3\r\n$8\r\nREPLCONF\r\n$14\r\nlistening-port\r\n$4\r\n9999\r\n*5\r\n$8\r\nREPLCONF\r\n$4\r\ncapa\r\n$3\r\neof\r\n$4\r\ncapa\r\n$6\r\npsync2\r\n*3\r\n$5\r\nPSYNC\r\n$1\r\n?\r\n$2\r\n-1\r\n');
  const head = await untilValue('the RDB', async () => {
    const s = buf.toString('latin1');
    const m = /^\+OK\r\n\+OK\r\n\n*\+FULLRESYNC ([0-9a-f]{40}) (\d+)\r\n\n*\$EOF:([0-9a-f]{40})\r\n/.exec(s);
    if (!m) return null;
    const end = s.indexOf(m[3], m[0].length);
    return end < 0 ? null : { replid: m[1], offset: Number(m[2]), rest: end + 40 };
  });
  t.match(buf.toString('latin1', buf.indexOf('$EOF:') + 47, buf.indexOf('$EOF:') + 56), /^REDIS0010/, 'the RDB is version 10');
  buf = buf.subarray(head.rest);
  sock.write('*3\r\n$8\r\nREPLCONF\r\n$3\r\nACK\r\n$1\r\n0\r\n'); // EOF mode: the stream starts after the first ACK

  const [r1, r2] = twoShards('r:');
  const [m1, m2] = twoShards('m:');
  await c.send('MSET', m1, '1', m2, '2');
  await c.send('SET', r1, 'v');
  await c.send('RENAME', r1, r2);
  await c.send('SELECT', '2');
  await c.send('SET', 'in2', 'x');
  await c.send('SELECT', '0');
  await c.send('FLUSHALL');
  await c.send('SET', 'last', '1');
  const cmds = await untilValue('the stream up to the last write', async () => {
    try {
      const all = decodeAll(buf).map(words);
      return all.some((w) => w[0] === 'SET' && w[1] === 'last') ? all : null;
    } catch {
      return null; // an incomplete command at the end: wait for the rest
    }
  });
  const flat = cmds.map((w) => w.join(' '));
  const mset = flat.indexOf('MULTI');
  t.ok(mset >= 0, 'a MULTI in the stream');
  t.same(flat.slice(mset, mset + 4).sort(), ['EXEC', 'MULTI', `MSET ${m1} 1`, `MSET ${m2} 2`].sort(), 'the cross-shard MSET as one MULTI with its two parts');
  t.equal(flat[mset + 3], 'EXEC');
  const afterRename = flat.indexOf('MULTI', mset + 4);
  t.ok(afterRename > 0, 'the cross-shard RENAME as one MULTI ... EXEC');
  const renameExec = flat.indexOf('EXEC', afterRename);
  t.ok(flat.slice(afterRename, renameExec).some((x) => x.includes(r2)), 'holding the write of the new name');
  t.ok(flat.slice(afterRename, renameExec).some((x) => x.includes(r1)), 'and the removal of the old one');
  t.equal(flat.filter((x) => x === 'FLUSHALL').length, 1, 'FLUSHALL once, though every shard logged it');
  const sel2 = flat.indexOf('SELECT 2');
  t.ok(sel2 > 0 && flat[sel2 + 1] === 'SET in2 x', 'SELECT where the database changes');
  t.equal(flat[flat.indexOf('SELECT 0', sel2)], 'SELECT 0', 'and back');
  t.equal(flat.filter((x) => x !== 'ping').pop(), 'SET last 1');
  const info = (await getInfo(c, 'replication')).f;
  t.equal(Number(info.get('master_repl_offset')), head.offset + buf.length, 'master_repl_offset counts every stream byte sent');
  t.equal(info.get('master_replid'), head.replid);
});
