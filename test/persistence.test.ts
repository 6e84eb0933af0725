// Durability: data survives graceful restarts (1 and 4 shards); the shard count of a data
// directory is enforced; a data directory serves one server at a time; the binlog's sequences.
// (kill -9 under a write load: persistence-crash*.test.ts.)
import t, { type Test } from 'tap';
import crypto from 'node:crypto';
import { spawnTracked, RESPDB_BIN, REPO_ROOT } from './support/servers.js';
import { readBinlog, recordText, startBinlogRespdb } from './support/binlog.js';
import { RawClient } from './support/resp-client.js';
import { dataDirs, show } from './support/data-dirs.js';
import { shardOf } from '../lib/slot.js';

const { tempDir, start } = dataDirs(t);

/** Runs the server binary to completion (for servers that must refuse to start). */
function runToExit(args: string[], timeoutMs = 20000): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawnTracked(process.execPath, [RESPDB_BIN, '--port', '0', ...args], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout!.on('data', (d) => (out += d));
    child.stderr!.on('data', (d) => (out += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, out });
    });
  });
}

/** The state written by `fill`, checked by `verify`. */
interface Expected {
  /** db -> key -> value (null: must not exist) */
  dbs: Map<number, Map<string, Buffer | null>>;
}

/** Keys on every shard, several databases, binary keys and values, a 2 MB value, deletions. */
async function fill(t: Test, c: RawClient, shards: number): Promise<Expected> {
  const exp: Expected = { dbs: new Map() };
  const put = (db: number, k: string, v: Buffer | null) => {
    if (!exp.dbs.has(db)) exp.dbs.set(db, new Map());
    exp.dbs.get(db)!.set(k, v);
  };
  for (const db of [0, 3, 15]) {
    t.equal((await c.send('SELECT', String(db))).t, 'simple');
    const cmds: (string | Buffer)[][] = [];
    for (let i = 0; i < 400; i++) {
      const k = `p:${db}:${i}`;
      const v = crypto.randomBytes(i % 50);
      cmds.push(['SET', k, v]);
      put(db, k, v);
    }
    // binary key with CR LF NUL, a long key (stored under a hash), an empty value
    const bk = Buffer.from([0, 13, 10, 255, 0x41]);
    cmds.push(['SET', bk, 'binary-key']);
    put(db, bk.toString('latin1'), Buffer.from('binary-key'));
    const lk = 'L'.repeat(3000) + db;
    cmds.push(['SET', lk, 'long-key']);
    put(db, lk, Buffer.from('long-key'));
    cmds.push(['SET', `p:${db}:empty`, '']);
    put(db, `p:${db}:empty`, Buffer.alloc(0));
    // overwrite and delete some (a cross-shard DEL with several shards)
    for (let i = 0; i < 400; i += 7) {
      cmds.push(['SET', `p:${db}:${i}`, `over-${i}`]);
      put(db, `p:${db}:${i}`, Buffer.from(`over-${i}`));
    }
    const dels = [`p:${db}:1`, `p:${db}:2`, `p:${db}:3`, `p:${db}:5`];
    cmds.push(['DEL', ...dels]);
    for (const k of dels) put(db, k, null);
    // an expiry far in the future keeps the key
    cmds.push(['SET', `p:${db}:ttl`, 'with-ttl', 'EX', '100000']);
    put(db, `p:${db}:ttl`, Buffer.from('with-ttl'));
    const replies = await c.pipeline(cmds);
    const bad = replies.filter((r) => r.t === 'error');
    t.equal(bad.length, 0, `db ${db}: no errors while writing (${bad.map(show).join(' ')})`);
  }
  const big = crypto.randomBytes(2 * 1024 * 1024);
  t.equal((await c.send('SELECT', '0')).t, 'simple');
  t.equal(show(await c.send('SET', 'p:big', big)), 'simple:OK');
  put(0, 'p:big', big);
  if (shards > 1) {
    const used = new Set([...exp.dbs.get(0)!.keys()].map((k) => shardOf(Buffer.from(k, 'latin1'), shards)));
    t.equal(used.size, shards, 'the keys cover every shard');
  }
  return exp;
}

async function verify(t: Test, c: RawClient, exp: Expected, label: string): Promise<void> {
  let wrong = 0;
  let checked = 0;
  for (const [db, keys] of exp.dbs) {
    t.equal((await c.send('SELECT', String(db))).t, 'simple');
    const entries = [...keys.entries()];
    const replies = await c.pipeline(entries.map(([k]) => ['GET', Buffer.from(k, 'latin1')]));
    entries.forEach(([k, v], i) => {
      const r = replies[i];
      const ok = r.t === 'bulk' && (v === null ? r.v === null : r.v !== null && r.v.equals(v));
      checked++;
      if (!ok && ++wrong <= 5) t.fail(`${label}: db ${db} key ${JSON.stringify(k.slice(0, 40))}: got ${show(r)}, want ${v === null ? '(nil)' : `bulk(${v.length})`}`);
    });
  }
  await c.send('SELECT', '0');
  t.equal(wrong, 0, `${label}: ${checked} keys as written`);
}

for (const shards of [1, 4]) {
  t.test(`graceful restart keeps everything (shards=${shards})`, async (t) => {
    const dir = tempDir();
    const p = await start(shards, dir);
    let c = await RawClient.connect(p.port);
    const exp = await fill(t, c, shards);
    await verify(t, c, exp, 'before restart');
    await c.close();
    await p.restart();
    t.equal(p.proc.exitCode, null, 'restarted');
    c = await RawClient.connect(p.port);
    await verify(t, c, exp, 'after SIGTERM + restart');
    // SIGTERM in the middle of a pipeline: what was acknowledged is there, exit code 0. The
    // signal goes as soon as 100 writes were acknowledged (not after a guessed delay), so there are
    // always acknowledged writes to look for, and usually many more still in flight.
    const acked: string[] = [];
    const atLeast = 100;
    let ackedAtSignal = -1;
    const exited = new Promise<number | null>((r) => p.proc.once('exit', (code) => r(code)));
    const signal = () => {
      if (ackedAtSignal >= 0) return;
      ackedAtSignal = acked.length;
      p.proc.kill('SIGTERM');
    };
    const cmds = Array.from({ length: 3000 }, (_, i) => ['SET', `term:${i}`, `t${i}`]);
    const all = cmds.map((cmd, i) =>
      c.send(...cmd).then(
        (r) => {
          if (r.t === 'simple') acked.push(`term:${i}`);
          if (acked.length === atLeast) signal();
        },
        () => {},
      ),
    );
    // (if fewer than 100 are ever acknowledged, the signal goes once every write has its answer)
    void Promise.all(all).then(signal);
    t.equal(await exited, 0, 'SIGTERM exits 0');
    await Promise.all(all);
    t.ok(ackedAtSignal >= atLeast, `${ackedAtSignal} writes acknowledged before SIGTERM, ${acked.length} in all`);
    await p.restart();
    c = await RawClient.connect(p.port);
    const got = await c.pipeline(acked.map((k) => ['GET', k]));
    t.equal(got.filter((r, i) => !(r.t === 'bulk' && r.v?.toString() === `t${acked[i].slice(5)}`)).length, 0, `all ${acked.length} acknowledged writes (${ackedAtSignal} before SIGTERM) survived`);
    await verify(t, c, exp, 'after the second restart');
    await c.close();
  });
}

t.test('a data directory keeps its shard count: another --shards is refused', async (t) => {
  const dir = tempDir();
  const p = await start(4, dir);
  const c = await RawClient.connect(p.port);
  t.equal(show(await c.send('SET', 'layout', 'x')), 'simple:OK');
  await c.close();
  await p.stop(); // dir is ours: not removed
  for (const other of [1, 2, 8]) {
    const r = await runToExit(['--dir', dir, '--shards', String(other)]);
    t.not(r.code, 0, `--shards ${other}: non-zero exit`);
    t.match(r.out, new RegExp(`4 shard`), `--shards ${other}: names the directory's count`);
    t.match(r.out, new RegExp(`--shards ${other}\\b`), `--shards ${other}: names the requested count`);
  }
  // the right count still starts and has the data
  const again = await start(4, dir);
  const c2 = await RawClient.connect(again.port);
  t.equal(show(await c2.send('GET', 'layout')), 'bulk(1)');
  await c2.close();
  await again.stop();
});

t.test('a second server on the same --dir is refused while the first runs', async (t) => {
  const dir = tempDir();
  const p = await start(2, dir);
  const r = await runToExit(['--dir', dir, '--shards', '2']);
  t.not(r.code, 0, 'non-zero exit');
  t.match(r.out, /in use/, `says the directory is in use: ${r.out.split('\n').find((l) => /in use/.test(l)) ?? r.out.slice(-300)}`);
  // the first one is unharmed
  const c = await RawClient.connect(p.port);
  t.equal(show(await c.send('SET', 'first', 'ok')), 'simple:OK');
  t.equal(show(await c.send('GET', 'first')), 'bulk(2)');
  await c.close();
  // once it stopped, the directory can be opened again
  await p.stop();
  const q = await start(2, dir);
  const c2 = await RawClient.connect(q.port);
  t.equal(show(await c2.send('GET', 'first')), 'bulk(2)', 'opens after the first stopped');
  await c2.close();
  await q.stop();
});

t.test('binlog: one entry per transaction, sequences unique and continuing after a restart', async (t) => {
  const { srv, dir, stop } = await startBinlogRespdb(t, 2, 'seq');
  let c = await RawClient.connect(srv.port);
  // pipelines: several records per transaction; the last ones all on one shard ({l}), so the
  // highest sequence is inside a multi-record entry (what the restart must continue after)
  await c.pipeline(Array.from({ length: 200 }, (_, i) => ['SET', `s${i}`, String(i)]));
  await c.pipeline(Array.from({ length: 20 }, (_, i) => ['RPUSH', `{l}${i}`, 'a']));
  await c.close();
  await srv.restart();
  c = await RawClient.connect(srv.port);
  await c.pipeline(Array.from({ length: 50 }, (_, i) => ['INCR', `s${i}`]));
  await c.send('DEL', '{l}0');
  await c.close();
  await stop();
  const recs = await readBinlog(dir, 2);
  t.equal(recs.length, 200 + 20 + 50 + 1, 'every write is a record');
  const seqs = recs.map((r) => r.seq);
  t.equal(new Set(seqs.map(String)).size, seqs.length, 'sequences are unique across shards and restarts');
  t.ok(seqs.every((s, i) => i === 0 || s > seqs[i - 1]), 'merged records are in sequence order');
  t.same(recordText(recs[recs.length - 1]), ['DEL', '{l}0'], 'the last write is the last record');
  t.ok(recs.slice(220, 270).every((r) => r.args[0].toString() === 'INCR'), 'writes after the restart follow those before it');
});
