// What string writes do to expiry, against redis-server 7.0: keys with short TTLs vanish and the
// others survive (SET, KEEPTTL, GETSET, GETEX, INCR, APPEND, SETRANGE, MSET...), exact TTLs, and
// the binlog records of a 2-shard respdb: the deterministic effects (relative expiries as PXAT,
// INCRBYFLOAT as SET ... KEEPTTL, a past expiry as SET ... PXAT, expired-on-write as DEL, cross-shard MSET per shard).
import t, { type Test } from 'tap';
import { diff, pair, pipelineDiff, type Pair } from '../support/servers.js';
import { readShardBinlog, recordText, startBinlogRespdb } from '../support/binlog.js';
import { RawClient, formatReply, type Reply } from '../support/resp-client.js';
import { shardOf } from '../../lib/slot.js';

type Cmd = (string | Buffer)[];

/** "SET k v" -> ['SET', 'k', 'v'] (no empty or spaced arguments; use arrays for those). */
const c = (s: string): Cmd => s.split(' ');
const cs = (...lines: string[]): Cmd[] => lines.map(c);
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** The elements of an array reply (throws on anything else). */
function items(r: Reply): Reply[] {
  if (r.t !== 'array' || r.v === null) throw new Error(`expected an array reply, got ${formatReply(r)}`);
  return r.v;
}

/** A bulk reply as text, '-' for nil. */
function text(r: Reply): string {
  return r.t === 'bulk' && r.v ? r.v.toString('latin1') : '-';
}


// ------------------------------------------------------------------------------------------------
// Expiry effects (observable without TTL: keys with short TTLs vanish, others must survive)
// ------------------------------------------------------------------------------------------------

async function expiryEffects(t: Test, p: Pair): Promise<void> {
  const setup = [
    ...cs(
      'SET x-plain v PX 600',
      'SET x-keep v PX 600',
      'SET x-keep w KEEPTTL',
      'SET x-getset v PX 600',
      'GETSET x-getset w',
      'SET x-persist v PX 600',
      'GETEX x-persist PERSIST',
      'SET x-getex v',
      'GETEX x-getex PX 600',
      'SET x-incr 5 PX 600',
      'INCR x-incr',
      'SET x-float 5 PX 600',
      'INCRBYFLOAT x-float 1.5',
      'SET x-append a PX 600',
      'APPEND x-append b',
      'SET x-setrange abc PX 600',
      'SETRANGE x-setrange 1 Z',
      'SET x-mset v PX 600',
      'MSET x-mset w x-other 1',
      'PSETEX x-psetex 600 v',
      'SET x-set v PX 600',
      'SET x-set w',
      'SET x-setget v PX 600',
      'SET x-setget w GET',
      'SET x-nx v PX 600',
      'SET x-nx w NX',
      'SET x-xx v PX 600',
      'SET x-xx w XX',
    ),
  ];
  t.equal(await pipelineDiff(p, setup), null, 'setting up keys with short TTLs');
  await sleep(900);
  const keys = [
    'x-plain', 'x-keep', 'x-getset', 'x-persist', 'x-getex', 'x-incr', 'x-float', 'x-append', 'x-setrange', 'x-mset', 'x-other', 'x-psetex',
    'x-set', 'x-setget', 'x-nx', 'x-xx',
  ];
  const r = await diff(t, p, [['MGET', ...keys]], { label: 'after the short TTLs passed' });
  // The check above cannot pass vacuously: redis kept exactly these keys.
  const kept = items(r[0].redis).map((x, i) => (text(x) !== '-' ? keys[i] : null)).filter(Boolean);
  t.same(kept, ['x-getset', 'x-persist', 'x-mset', 'x-other', 'x-set', 'x-setget', 'x-xx'], 'redis reference kept the keys whose TTL was cleared');
}

/** Exact TTLs after each kind of write. */
async function ttlChecks(t: Test, p: Pair): Promise<void> {
  const cmds = cs(
    'SET tt1 v EX 1000',
    'TTL tt1',
    'SET tt1 w KEEPTTL',
    'TTL tt1',
    'SET tt1 w',
    'TTL tt1',
    'SETEX tt2 1000 v',
    'TTL tt2',
    'PSETEX tt3 1000000 v',
    'TTL tt3',
    'GETEX tt3 EX 2000',
    'TTL tt3',
    'GETEX tt3 PERSIST',
    'TTL tt3',
    'GETEX tt3 EXAT 99999999999',
    'TTL tt3',
    'GETSET tt3 x',
    'TTL tt3',
    'SET tt4 5 EX 1000',
    'INCR tt4',
    'INCRBYFLOAT tt4 0.5',
    'APPEND tt4 0',
    'SETRANGE tt4 0 9',
    'TTL tt4',
    'MSET tt4 1',
    'TTL tt4',
    'SET tt5 v PXAT 99999999999999',
    'TTL tt5',
  );
  await diff(t, p, cmds, { label: 'TTL' });
}

// ------------------------------------------------------------------------------------------------
// Binlog records (read from the stopped server's LMDB environments)
// ------------------------------------------------------------------------------------------------

async function binlogRecords(t: Test): Promise<void> {
  const nshards = 2;
  const { srv, dir, stop } = await startBinlogRespdb(t, nshards, 'string');
  const cl = await RawClient.connect(srv.port, srv.host);
  // Keys spread over both shards; the expected records per key, in order.
  const expect: Array<[string, string[]]> = [];
  const windows: Array<[number, number]> = [];
  const run = async (cmd: string[], ...records: string[][]): Promise<void> => {
    const t0 = Date.now();
    const r = await cl.send(...cmd);
    const t1 = Date.now();
    if (r.t === 'error') throw new Error(`${cmd.join(' ')}: ${r.v}`);
    for (const rec of records) {
      expect.push([rec[1], rec]);
      windows.push([t0, t1]);
    }
  };
  const keysOn = (s: number) => ['b0', 'b1', 'b2', 'b3', 'b4', 'b5', 'b6', 'b7', 'b8', 'b9'].filter((k) => shardOf(Buffer.from(k), nshards) === s);
  const [x0, x1] = [keysOn(0)[0], keysOn(1)[0]];
  t.ok(x0 && x1, 'keys on both shards');
  await run(['SET', 'b1', 'v', 'EX', '100'], ['SET', 'b1', 'v', 'PXAT', '<+100000>']);
  await run(['SETEX', 'b2', '100', 'v'], ['SET', 'b2', 'v', 'PXAT', '<+100000>']);
  await run(['PSETEX', 'b3', '5000', 'v'], ['SET', 'b3', 'v', 'PXAT', '<+5000>']);
  await run(['SET', 'b3', 'w', 'PXAT', '99999999999999'], ['SET', 'b3', 'w', 'PXAT', '99999999999999']);
  await run(['SET', 'b4', 'v', 'KEEPTTL'], ['SET', 'b4', 'v', 'KEEPTTL']);
  await run(['GETEX', 'b4', 'EX', '100'], ['PEXPIREAT', 'b4', '<+100000>']);
  await run(['GETEX', 'b4', 'PERSIST'], ['PERSIST', 'b4']);
  await run(['GETEX', 'b4', 'PERSIST']);
  await run(['GETEX', 'b4']);
  await run(['GET', 'b4']);
  await run(['SET', 'b4', 'x', 'NX']);
  await run(['INCRBYFLOAT', 'b5', '1.5'], ['SET', 'b5', '1.5', 'KEEPTTL']);
  await run(['INCRBYFLOAT', 'b5', '0.1'], ['SET', 'b5', '1.6', 'KEEPTTL']);
  await run(['INCR', 'b6'], ['INCR', 'b6']);
  await run(['DECRBY', 'b6', '5'], ['DECRBY', 'b6', '5']);
  await run(['GETEX', 'b1', 'EXAT', '1'], ['DEL', 'b1']);
  // a past time: the key is written already expired (as Redis 7.0), logged as SET ... PXAT; the
  // next write on it (or the sweep, if it came first) deletes it, logged as DEL
  await run(['SET', 'b7', 'v', 'PXAT', '1'], ['SET', 'b7', 'v', 'PXAT', '1']);
  await run(['DEL', 'b7'], ['DEL', 'b7']);
  await run(['SET', 'b2', 'v', 'PXAT', '1'], ['SET', 'b2', 'v', 'PXAT', '1']);
  await run(['DEL', 'b2'], ['DEL', 'b2']);
  await run(['GETSET', 'b8', 'x'], ['SET', 'b8', 'x']);
  await run(['GETDEL', 'b8'], ['DEL', 'b8']);
  await run(['GETDEL', 'b8']);
  await run(['SETNX', 'b9', 'x'], ['SET', 'b9', 'x']);
  await run(['SETNX', 'b9', 'y']);
  await run(['APPEND', 'b9', 'y'], ['APPEND', 'b9', 'y']);
  await run(['SETRANGE', 'b9', '5', 'z'], ['SETRANGE', 'b9', '5', 'z']);
  await run(['SETRANGE', 'b0', '5', '']);
  await run(['MSET', x0, '1', x1, '2'], ['MSET', x0, '1'], ['MSET', x1, '2']);
  await run(['MSETNX', `${x0}{a}`, '1', x1, '2']);
  await run(['MSETNX', 'bn{a}', '1', 'bn{b}', '2']);
  await cl.close();
  await stop();

  // The last MSETNX: its keys may share a shard or not; its MSET parts are appended after the
  // fact, per shard, below.
  const nsA = shardOf(Buffer.from('bn{a}'), nshards);
  const nsB = shardOf(Buffer.from('bn{b}'), nshards);
  const perShard: string[][][] = Array.from({ length: nshards }, () => []);
  const perShardWin: Array<Array<[number, number]>> = Array.from({ length: nshards }, () => []);
  expect.forEach(([key, rec], i) => {
    const s = shardOf(Buffer.from(key), nshards);
    perShard[s].push(rec);
    perShardWin[s].push(windows[i]);
  });
  if (nsA === nsB) {
    perShard[nsA].push(['MSET', 'bn{a}', '1', 'bn{b}', '2']);
    perShardWin[nsA].push([0, 0]);
  } else {
    perShard[nsA].push(['MSET', 'bn{a}', '1']);
    perShard[nsB].push(['MSET', 'bn{b}', '2']);
    perShardWin[nsA].push([0, 0]);
    perShardWin[nsB].push([0, 0]);
  }

  for (let s = 0; s < nshards; s++) {
    const got: string[][] = (await readShardBinlog(dir, s)).map(recordText);
    const want = perShard[s];
    // Relative expiries became absolute: check those fields against the time of the command.
    const norm = got.map((rec, i) => {
      const w = want[i];
      if (!w) return rec;
      return rec.map((f, j) => {
        const m = /^<\+(\d+)>$/.exec(w[j] ?? '');
        if (!m) return f;
        const [t0, t1] = perShardWin[s][i];
        const v = Number(f);
        return v >= t0 + Number(m[1]) && v <= t1 + Number(m[1]) ? w[j] : f;
      });
    });
    t.same(norm, want, `binlog of shard ${s} records the deterministic effects`);
  }
}

// ------------------------------------------------------------------------------------------------

for (const shards of [1, 4]) {
  t.test(`string expiry vs redis-server, ${shards} shard(s)`, async (t) => {
    const p = await pair(t, { shards });
    await t.test('expiry effects', (t) => expiryEffects(t, p));
    await t.test('TTL', (t) => ttlChecks(t, p));
  });
}

t.test('binlog records deterministic effects', (t) => binlogRecords(t));
