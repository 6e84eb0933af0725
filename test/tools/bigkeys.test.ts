// respdb-bigkeys (bin/bigkeys.ts, lib/tools/bigkeys.ts) against a running 4-shard server: data of
// known sizes written through the protocol (binary keys, a long key, long members, two logical
// databases exchanged by SWAPDB, expiring keys), then the built CLI run while the server keeps
// running: every figure of the JSON report against the model of what was written, the same figures
// in the table, --top, --db, redis-cli --bigkeys's own counts, bad arguments and directories (exit
// 2), and a writer changing keys during the scan (figures it cannot change stay exact).
import t, { type Test } from 'tap';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { REPO_ROOT, redisCli, spawnTracked, startRespdb } from '../support/servers.js';
import { RawClient, formatReply, type Reply } from '../support/resp-client.js';
import { shardOf } from '../../lib/slot.js';
import { analyzeDataDir, escapeKey, type BigKeysReport, type TypeName } from '../../lib/tools/bigkeys.js';

const BIN = path.join(REPO_ROOT, 'dist', 'bin', 'bigkeys.js');
const TYPES: TypeName[] = ['string', 'list', 'set', 'zset', 'hash'];
const UNIT: Record<TypeName, string> = { string: 'bytes', list: 'items', set: 'members', zset: 'members', hash: 'fields' };

type Arg = string | Buffer;
const B = (s: string | number[]): Buffer => (typeof s === 'string' ? Buffer.from(s, 'latin1') : Buffer.from(s));

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the built CLI (asynchronously: the test's clients keep running meanwhile). */
function cli(args: string[]): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawnTracked(process.execPath, [BIN, ...args], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout!.setEncoding('utf8').on('data', (s: string) => (stdout += s));
    child.stderr!.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

async function json(args: string[]): Promise<BigKeysReport> {
  const r = await cli([...args, '--json']);
  if (r.code !== 0) throw new Error(`bigkeys exited ${r.code}: ${r.stderr}`);
  return JSON.parse(r.stdout) as BigKeysReport;
}

/** A key of the model: what the test wrote, with the figures the tool must report. */
interface K {
  db: number;
  type: TypeName;
  key: Buffer;
  members: number;
  bytes: number;
}

const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0);

function ok(r: Reply, what: string): void {
  if (r.t === 'error') throw new Error(`${what}: ${formatReply(r)}`);
}

t.test('bigkeys on a running server', async (t) => {
  const srv = await startRespdb({ shards: 4 });
  const c = await RawClient.connect(srv.port, srv.host);
  const w = await RawClient.connect(srv.port, srv.host);
  t.teardown(async () => {
    await c.close().catch(() => {});
    await w.close().catch(() => {});
    await srv.stop();
  });

  const model: K[] = [];
  let selected = -1;
  const select = async (db: number): Promise<void> => {
    if (db !== selected) ok(await c.send('SELECT', String(db)), 'SELECT');
    selected = db;
  };
  // Writes go to db `writeDb`; the key is reported in `db` (after the SWAPDB below).
  const str = async (writeDb: number, db: number, key: Buffer, value: Buffer, ...opts: string[]): Promise<void> => {
    await select(writeDb);
    ok(await c.send('SET', key, value, ...opts), 'SET');
    model.push({ db, type: 'string', key, members: value.length, bytes: key.length + value.length });
  };
  const hash = async (writeDb: number, db: number, key: Buffer, fields: [Buffer, Buffer][]): Promise<void> => {
    await select(writeDb);
    ok(await c.send('HSET', key, ...fields.flat()), 'HSET');
    model.push({ db, type: 'hash', key, members: fields.length, bytes: key.length + sum(fields.map(([f, v]) => f.length + v.length)) });
  };
  const set = async (writeDb: number, db: number, key: Buffer, members: Buffer[]): Promise<void> => {
    await select(writeDb);
    ok(await c.send('SADD', key, ...members), 'SADD');
    model.push({ db, type: 'set', key, members: members.length, bytes: key.length + sum(members.map((m) => m.length)) });
  };
  const zset = async (writeDb: number, db: number, key: Buffer, members: Buffer[]): Promise<void> => {
    await select(writeDb);
    ok(await c.send('ZADD', key, ...members.flatMap((m, i): Arg[] => [String(i * 1.5), m])), 'ZADD');
    model.push({ db, type: 'zset', key, members: members.length, bytes: key.length + sum(members.map((m) => m.length + 8)) });
  };
  const list = async (writeDb: number, db: number, key: Buffer, items: Buffer[]): Promise<void> => {
    await select(writeDb);
    ok(await c.send('RPUSH', key, ...items), 'RPUSH');
    model.push({ db, type: 'list', key, members: items.length, bytes: key.length + sum(items.map((m) => m.length)) });
  };
  const range = (n: number, f: (i: number) => string): Buffer[] => Array.from({ length: n }, (_, i) => B(f(i)));

  // What ends up in logical db 0 is written to db 3, and the other way round: SWAPDB 0 3 follows.
  const binKey = B([0x00, 0xff, 0x0a, 0x22, 0x5c, 0x41, 0x09]);
  const longKey = B('K'.repeat(1100));
  await str(3, 0, B('str:10'), B('x'.repeat(10)));
  await str(3, 0, B('str:1000'), B('y'.repeat(1000)));
  await str(3, 0, B('str:100000'), B('z'.repeat(100000)));
  await str(3, 0, binKey, B([...Array(50).keys()]));
  await str(3, 0, longKey, B('v'.repeat(20)));
  await str(3, 0, B('ttl:key'), B('12345'), 'EX', '100000');
  await hash(3, 0, B('h:200'), range(200, (i) => `f${i}`).map((f) => [f, B('v'.repeat(10))]));
  await hash(3, 0, B('h:longfield'), [
    [B('F'.repeat(2000)), B('x')],
    [B('a'), B('bb')],
  ]);
  await hash(3, 0, B('H'.repeat(1500)), [
    [B('p'), B('q')],
    [B('r'), B('s'.repeat(300))],
    [B('t'), B('')],
  ]);
  await set(3, 0, B('s:300'), range(300, (i) => `m${i}`));
  await set(3, 0, B([0x01, 0x02, 0x80]), [B('A'.repeat(2500)), B('b'), B('cc')]);
  await set(3, 0, B('s:3'), [B('1'), B('2'), B('3')]);
  await zset(3, 0, B('z:150'), range(150, (i) => `z${i}`));
  await zset(3, 0, B('z:long'), [B('Z'.repeat(1950)), B('y')]);
  await list(3, 0, B('l:250'), range(250, (i) => `item${i}`));
  await list(3, 0, B([0xfe, 0x00]), [B('a'), B('bb'), B('ccc')]);
  await list(3, 0, B('l:3'), [B('aa'), B('aa'), B('aa')]);
  // the other database, with a tie for the db order: str:1000 and s:3 exist in both
  await str(0, 3, B('d3:str'), B('1234567'));
  await str(0, 3, B('str:1000'), B('w'.repeat(1000)));
  await hash(0, 3, B('d3:hash'), range(5, (i) => `k${i}`).map((f) => [f, f]));
  await set(0, 3, B('s:3'), [B('1'), B('2'), B('3')]);
  // a key that expires before the scan: never reported
  await select(0);
  ok(await c.send('SET', 'gone', 'soon', 'PX', '1'), 'SET PX');
  ok(await c.send('SWAPDB', '0', '3'), 'SWAPDB');
  // written after the swap: db 0 is now the other physical prefix
  await str(0, 0, B('after:swap'), B('abc'));
  await new Promise((r) => setTimeout(r, 20));

  const shards = new Set(model.map((k) => shardOf(k.key, 4)));
  t.ok(shards.size >= 3, `the keys span shards (${[...shards].sort().join(',')})`);

  const rank = (metric: 'members' | 'bytes') => (a: K, b: K) => b[metric] - a[metric] || a.db - b.db || Buffer.compare(a.key, b.key);
  const row = (e: { db: number; members: number; bytes: number }, key: string) => [e.db, key, e.members, e.bytes];
  const expectTop = (keys: K[], type: TypeName, metric: 'members' | 'bytes', n: number) =>
    keys
      .filter((k) => k.type === type)
      .sort(rank(metric))
      .slice(0, n)
      .map((k) => row(k, k.key.toString('hex')));

  /** Checks every figure of a report against `keys` (the model, or part of it). */
  const checkReport = (t: Test, r: BigKeysReport, keys: K[], top: number): void => {
    t.equal(r.shards, 4, 'shards');
    t.equal(r.top, top, 'top');
    t.equal(r.keys, keys.length, 'keys');
    t.equal(r.keyBytes, sum(keys.map((k) => k.key.length)), 'keyBytes');
    t.equal(r.bytes, sum(keys.map((k) => k.bytes)), 'bytes');
    t.equal(r.otherKeys, 0, 'otherKeys');
    t.equal(sum(r.shardReports.map((s) => s.keys)), keys.length, 'shard reports add up');
    const dbs = [...new Set(keys.map((k) => k.db))].sort((a, b) => a - b);
    t.same(
      r.databases,
      dbs.map((db) => ({ db, keys: keys.filter((k) => k.db === db).length, bytes: sum(keys.filter((k) => k.db === db).map((k) => k.bytes)) })),
      'databases',
    );
    for (const type of TYPES) {
      const of = keys.filter((k) => k.type === type);
      const x = r.types[type];
      t.equal(x.keys, of.length, `${type} keys`);
      t.equal(x.members, sum(of.map((k) => k.members)), `${type} members`);
      t.equal(x.bytes, sum(of.map((k) => k.bytes)), `${type} bytes`);
      t.equal(x.unit, UNIT[type], `${type} unit`);
      t.equal(x.avgMembers, of.length ? x.members / of.length : 0, `${type} avgMembers`);
      t.same(x.topByMembers.map((e) => row(e, e.keyHex)), expectTop(keys, type, 'members', top), `${type} top by members`);
      t.same(x.topByBytes.map((e) => row(e, e.keyHex)), expectTop(keys, type, 'bytes', top), `${type} top by bytes`);
      for (const e of [...x.topByMembers, ...x.topByBytes]) {
        const k = Buffer.from(e.keyHex, 'hex');
        t.equal(e.key, escapeKey(k), 'escaped key');
        t.equal(e.keyLength, k.length, 'keyLength');
        t.equal(e.shard, shardOf(k, 4), 'shard');
      }
    }
  };

  const live = model.filter((k) => !k.key.equals(B('gone')));
  const all = await json(['--dir', srv.dir]);
  t.test('JSON report: every figure', async (t) => {
    checkReport(t, all, live, 10);
    t.equal(all.db, null);
    t.ok(all.expiredSkipped <= 1, 'the expired key is skipped (or already deleted by the server)');
    t.equal(escapeKey(binKey), '\\x00\\xff\\n\\"\\\\A\\t', 'binary key escaped as redis-cli does');
    const bin = all.types.string.topByMembers.find((e) => e.keyHex === binKey.toString('hex'));
    t.equal(bin?.key, '\\x00\\xff\\n\\"\\\\A\\t');
    const ttl = all.types.string.topByMembers.find((e) => e.key === 'ttl:key');
    t.ok(ttl && ttl.expireAt > Date.now(), 'expireAt of a volatile key');
    const long = all.types.string.topByMembers.find((e) => e.keyLength === 1100);
    t.equal(long?.key, 'K'.repeat(1100), 'long key reported whole');
    // hand-checked figures, independent of the model's arithmetic
    t.same(all.types.string.topByMembers.slice(0, 3).map((e) => [e.key, e.db, e.members, e.bytes]), [
      ['str:100000', 0, 100000, 100010],
      ['str:1000', 0, 1000, 1008],
      ['str:1000', 3, 1000, 1008],
    ]);
    t.same(all.types.hash.topByBytes[0] && [all.types.hash.topByBytes[0].key, all.types.hash.topByBytes[0].members, all.types.hash.topByBytes[0].bytes], [
      'h:200',
      200,
      5 + 200 * 10 + 10 * 2 + 90 * 3 + 100 * 4,
    ]);
    t.same([all.types.hash.topByBytes[1].key, all.types.hash.topByBytes[1].bytes], ['h:longfield', 11 + 2001 + 3]);
    t.same([all.types.set.topByBytes[0].key, all.types.set.topByBytes[0].members, all.types.set.topByBytes[0].bytes], ['\\x01\\x02\\x80', 3, 3 + 2503]);
    t.same([all.types.zset.topByBytes[0].key, all.types.zset.topByBytes[0].bytes], ['z:long', 6 + 1951 + 16]);
    t.same([all.types.list.topByMembers[0].key, all.types.list.topByMembers[0].members], ['l:250', 250]);
  });

  t.test('the same figures in the table', async (t) => {
    const r = await cli(['--dir', srv.dir]);
    t.equal(r.code, 0);
    t.equal(r.stderr, '', 'no progress bar when stderr is not a terminal');
    const out = r.stdout;
    for (const type of TYPES) {
      const x = all.types[type];
      t.match(out, new RegExp(`^${type}\\s+${x.keys}\\s+[\\d.]+%\\s+${x.members}\\s+${x.unit}\\s+${x.avgMembers.toFixed(2)}\\s+${x.bytes}\\s+${x.avgBytes.toFixed(2)}$`, 'm'), `${type} summary row`);
      for (const [i, e] of x.topByMembers.entries()) {
        const key = e.key.length > 64 ? `"${e.key.slice(0, 64)}"... (${e.keyLength} bytes)` : `"${e.key}"`;
        const line = `${i + 1}\\s+${e.db}\\s+${e.members}\\s+${e.bytes}\\s+${key.replace(/[\\^$.*+?()[\]{}|]/g, '\\$&')}$`;
        t.match(out, new RegExp(`^\\s*${line}`, 'm'), `${type} top row ${i + 1}`);
      }
    }
    t.match(out, new RegExp(`^total\\s+${all.keys}\\s+100\\.00%\\s+${all.bytes}\\s`, 'm'), 'total row');
    t.match(out, /"\\x00\\xff\\n\\"\\\\A\\t"/, 'binary key as redis-cli prints it');
    t.match(out, /"K{64}"\.\.\. \(1100 bytes\)/, 'long key shortened');
    t.match(out, /^Biggest hashes by fields \(top 10\)$/m);
    t.match(out, /^Biggest strings by value bytes \(top 10\)$/m);
    t.match(out, /stored payload bytes/, 'bytes are defined');
  });

  t.test('--top and --db', async (t) => {
    checkReport(t, await json(['--dir', srv.dir, '--top', '3']), live, 3);
    checkReport(t, await json(['--dir', srv.dir, '--top=1']), live, 1);
    const none = await json(['--dir', srv.dir, '--top', '0']);
    for (const type of TYPES) t.same([none.types[type].topByMembers, none.types[type].topByBytes], [[], []], `--top 0: no ${type} listed`);
    const d3 = await json(['--dir', srv.dir, '--db', '3']);
    checkReport(t, d3, live.filter((k) => k.db === 3), 10);
    t.equal(d3.db, 3);
    const d0 = await json(['--dir', srv.dir, '--db', '0', '--top', '2']);
    checkReport(t, d0, live.filter((k) => k.db === 0), 2);
    const empty = await json(['--dir', srv.dir, '--db', '7']);
    t.same([empty.keys, empty.databases], [0, []], 'an empty database');
    const table = await cli(['--dir', srv.dir, '--top', '2']);
    t.match(table.stdout, /^Biggest sets by members \(top 2\)$/m);
    t.notMatch(table.stdout, /^\s*3\s+\d+\s+\d+\s+\d+\s+"/m, 'no third row with --top 2');
  });

  t.test('members agree with redis-cli --bigkeys against the server', async (t) => {
    for (const db of [0, 3]) {
      const ours = await json(['--dir', srv.dir, '--db', String(db)]);
      const theirs = await redisCli(srv.port, ['-n', String(db), '--bigkeys']);
      t.equal(theirs.code, 0, theirs.stderr);
      const counts = new Map<string, [number, number]>();
      for (const m of theirs.stdout.matchAll(/^(\d+) (string|list|hash|set|zset|stream)s with (\d+) \w+ \(/gm)) counts.set(m[2], [Number(m[1]), Number(m[3])]);
      for (const type of TYPES) t.same(counts.get(type), [ours.types[type].keys, ours.types[type].members], `db ${db}: ${type}`);
    }
  });

  t.test('expired keys are skipped', async (t) => {
    // the library with a reference time past ttl:key's expiry (the server has not deleted it)
    const later = await analyzeDataDir(srv.dir, { now: Date.now() + 200_000_000 });
    t.ok(later.expiredSkipped >= 1, 'counted as skipped');
    checkReport(t, later, live.filter((k) => !k.key.equals(B('ttl:key'))), 10);
  });

  t.test('bad arguments and directories: exit code 2', async (t) => {
    const file = path.join(os.tmpdir(), `bigkeys-not-a-dir-${process.pid}`);
    const emptyDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bigkeys-empty-'));
    fs.writeFileSync(file, 'x');
    t.teardown(() => {
      fs.rmSync(file, { force: true });
      fs.rmSync(emptyDir, { recursive: true, force: true });
    });
    const cases: [string[], RegExp][] = [
      [['--dir', path.join(emptyDir, 'nope')], /does not exist/],
      [['--dir', file], /is not a directory/],
      [['--dir', emptyDir], /not a respdb data directory/],
      [[], /--dir <data dir> is required/],
      [['--dir'], /--dir needs a value/],
      [['--dir', srv.dir, '--top', 'ten'], /--top must be an integer/],
      [['--dir', srv.dir, '--db', '256'], /--db must be an integer/],
      [['--dir', srv.dir, '--bogus'], /unknown argument '--bogus'/],
      [['--dir', srv.dir, '--json=yes'], /--json takes no value/],
    ];
    for (const [args, msg] of cases) {
      const r = await cli(args);
      t.equal(r.code, 2, `exit 2: ${args.join(' ')}`);
      t.match(r.stderr, msg);
      t.equal(r.stdout, '');
    }
    fs.mkdirSync(path.join(emptyDir, 'shard-1'));
    const gap = await cli(['--dir', emptyDir]);
    t.same([gap.code, /shard-0 is missing/.test(gap.stderr)], [2, true], 'a missing shard');
    fs.mkdirSync(path.join(emptyDir, 'shard-0'));
    const noEnv = await cli(['--dir', emptyDir]);
    t.same([noEnv.code, /no data\.mdb/.test(noEnv.stderr)], [2, true], 'a shard without an environment');
    const help = await cli(['--help']);
    t.equal(help.code, 0);
    for (const word of ['--dir', '--top', '--json', '--db', 'topByMembers', 'keyHex', 'stored payload bytes', 'Exit status']) t.match(help.stdout, word);
  });

  t.test('a writer changing keys during the scan', async (t) => {
    // db 5: 20,000 strings of 16 bytes, overwritten with 16 bytes during the scan, and a hash
    // deleted and recreated with 50 fields (its old members go to the background collector)
    const N = 20000;
    ok(await w.send('SELECT', '5'), 'SELECT');
    for (let i = 0; i < N; i += 2000) {
      const cmds: Arg[][] = [];
      for (let j = i; j < i + 2000; j++) cmds.push(['SET', `w:${j}`, `v${String(j).padStart(15, '0')}`]);
      for (const r of await w.pipeline(cmds)) ok(r, 'SET');
    }
    const fields = range(50, (i) => `field:${i}`).flatMap((f): Arg[] => [f, B('x'.repeat(20))]);
    const churnBytes = 5 + 50 * 20 + sum(range(50, (i) => `field:${i}`).map((f) => f.length));
    let stop = false;
    let writes = 0;
    let scanning = false;
    let writesDuringScans = 0;
    const writer = (async () => {
      for (let round = 0; !stop; round++) {
        const cmds: Arg[][] = [['DEL', 'churn'], ['HSET', 'churn', ...fields]];
        for (let j = 0; j < 200; j++) cmds.push(['SET', `w:${(round * 7919 + j * 101) % N}`, `u${String(round).padStart(15, '0')}`]);
        for (const r of await w.pipeline(cmds)) ok(r, 'writer');
        writes += cmds.length;
        if (scanning) writesDuringScans += cmds.length;
      }
    })();
    const wKeyBytes = sum(Array.from({ length: N }, (_, j) => `w:${j}`.length));
    const liveOf = (type: TypeName) => live.filter((k) => k.type === type);
    try {
      for (let run = 0; run < 3; run++) {
        scanning = true;
        const r = await json(['--dir', srv.dir]);
        scanning = false;
        const d5 = r.databases.find((d) => d.db === 5);
        const churn = r.types.hash.keys - liveOf('hash').length;
        t.ok(churn === 0 || churn === 1, `run ${run}: the churned hash is there or not (${churn})`);
        t.same(d5, { db: 5, keys: N + churn, bytes: wKeyBytes + N * 16 + churn * churnBytes }, `run ${run}: db 5 exact`);
        t.same(
          r.databases.filter((d) => d.db !== 5),
          all.databases,
          `run ${run}: the other databases unchanged`,
        );
        t.same([r.types.string.keys, r.types.string.members], [liveOf('string').length + N, sum(liveOf('string').map((k) => k.members)) + N * 16], `run ${run}: strings`);
        t.same([r.types.hash.members, r.types.hash.bytes], [all.types.hash.members + churn * 50, all.types.hash.bytes + churn * churnBytes], `run ${run}: hashes`);
        for (const type of ['list', 'set', 'zset'] as const) t.same(r.types[type], all.types[type], `run ${run}: ${type} unchanged`);
        t.same(r.types.string.topByBytes.slice(0, 5), all.types.string.topByBytes.slice(0, 5), `run ${run}: biggest strings unchanged`);
      }
    } finally {
      stop = true;
      await writer;
    }
    t.ok(writes > 0 && writesDuringScans > 0, `the writer ran during the scans (${writesDuringScans} writes)`);
  });
});
