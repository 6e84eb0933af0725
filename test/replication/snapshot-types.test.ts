// RdbSnapshot (lib/replication/snapshot.ts) of every type and encoding: redis-server loads the
// file with respdb's DEBUG DIGEST, with 1 and 4 shards.
import t from 'tap';
import fs from 'node:fs';
import path from 'node:path';
import { RdbSnapshot } from '../../lib/replication/snapshot.js';
import { REDIS_CASES } from '../rdb/redis-cases.js';
import { client, digest, int, loadIntoRedis, root, saveTo, startServer } from '../support/snapshot.js';

for (const shards of [1, 4]) {
  t.test(`every type and encoding, ${shards} shard(s): redis-server loads the snapshot with respdb's DEBUG DIGEST`, async (t) => {
    const s = await startServer(t, shards);
    const c = await client(t, s.port);
    for (const db of [0, 2]) {
      const cmds: (string | Buffer)[][] = [['SELECT', String(db)]];
      for (const cs of REDIS_CASES) {
        if (cs.name === 'stream-groups') continue;
        for (const [k, v] of cs.config ?? []) cmds.push(['CONFIG', 'SET', k, v]);
        cmds.push(...cs.build(`${cs.name}:${db}`));
      }
      for (let i = 0; i < 3000; i++) cmds.push(['SET', `k:${i}`, String(i)]);
      for (let i = 0; i < 3000; i += 7) cmds.push(['PEXPIREAT', `k:${i}`, String(4_000_000_000_000 + i)]);
      // already expired, not yet removed: left out of the file
      for (let i = 1; i < 3000; i += 100) cmds.push(['PEXPIREAT', `k:${i}`, '1']);
      await c.pipeline(cmds);
    }
    // a SWAPDB before the cut: the file holds the databases under their logical numbers
    await c.send('SWAPDB', '2', '5');
    await c.send('SELECT', '0');
    const source = await digest(c);
    const sizes = [int(await c.send('DBSIZE'))];
    await c.send('SELECT', '5');
    sizes.push(int(await c.send('DBSIZE')));
    await c.send('SELECT', '0');

    const snap = RdbSnapshot.take(s.server, { aux: [['repl-stream-db', '0'], ['repl-id', 'a'.repeat(40)], ['repl-offset', '123']] });
    const cut = await snap.cut;
    t.ok(snap.heldMs >= 0, `shards held ${snap.heldMs.toFixed(2)} ms for the cut`);
    const file = path.join(root, `types-${shards}.rdb`);
    const bytes = await saveTo(snap, file);
    t.equal(bytes, fs.statSync(file).size);
    t.equal(snap.bytesProduced, bytes);
    t.equal(cut.keys, sizes[0] + sizes[1], 'cut.keys: the live keys of every database');
    t.equal(snap.keysWritten, cut.keys);
    t.ok(snap.complete);
    t.equal(await snap.read(), null, 'read after the end: null');
    const head = fs.readFileSync(file).subarray(0, 400).toString('latin1');
    t.match(head, /^REDIS0010/);
    t.ok(head.indexOf('repl-id') > head.indexOf('used-mem') && head.indexOf('aof-base') > head.indexOf('repl-offset'), 'AUX: the replication fields between used-mem and aof-base');

    const { c: r } = await loadIntoRedis(t, file);
    t.equal(await digest(r), source, 'DEBUG DIGEST of redis-server loading the snapshot = respdb');
    t.equal(int(await r.send('DBSIZE')), sizes[0]);
    await r.send('SELECT', '5');
    t.equal(int(await r.send('DBSIZE')), sizes[1]);
    t.same(await r.send('GET', 'k:7'), { t: 'bulk', v: Buffer.from('7') });
    t.ok(int(await r.send('PTTL', 'k:7')) > 0);
  });
}

