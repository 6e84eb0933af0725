// LATENCY against redis-server 7.0: COMMAND INFO/DOCS, errors and arities, LATEST / HISTORY /
// RESET / GRAPH / DOCTOR with monitoring off and with a "command" event made by DEBUG SLEEP under
// latency-monitor-threshold 1 (shapes compared, times and milliseconds by range), HISTOGRAM per
// command (calls exactly, including scatter and coordinated multi-shard commands counted once,
// buckets by their power-of-two bounds), latency-tracking and CONFIG RESETSTAT. respdb only: a
// shard's expire-cycle event (a big collection's garbage collection) and a shard command's
// latency carried back to the main thread. With 1 and 4 shards, RESP2 and RESP3. Plus unit tests of
// lib/latency.ts and of the Diagnostics entry point.
import t, { type Test } from 'tap';
import { pair, diff, type Pair } from './support/servers.js';
import { formatReply, type Reply } from './support/resp-client.js';
import { spread } from './support/keys.js';
import { LatencyMonitor, bucketOf, BUCKET_USEC, DiagShared, HIST_BUCKETS, Diagnostics } from '../lib/latency.js';
import { Config } from '../lib/config.js';
import { lookup } from '../lib/commands/registry.js';
import { installCommands } from '../lib/commands/index.js';
import type { Connection } from '../lib/connection.js';
import type { CommandDef } from '../lib/commands/types.js';
import { docFields, infoSorted, replyText } from './support/command-docs.js';

installCommands();

type Cmd = (string | Buffer)[];
const nowSec = (): number => Math.floor(Date.now() / 1000);
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const text = replyText;


/** Map entries of a RESP3 map or a RESP2 flat array of pairs. */
function pairsOf(r: Reply): [Reply, Reply][] {
  if (r.t === 'map') return r.v;
  if (r.t === 'array' && r.v && r.v.length % 2 === 0) {
    const out: [Reply, Reply][] = [];
    for (let i = 0; i < r.v.length; i += 2) out.push([r.v[i], r.v[i + 1]]);
    return out;
  }
  throw new Error('not a map: ' + formatReply(r));
}

const ints = (r: Reply): number[] => {
  if (r.t !== 'array' || !r.v || r.v.some((x) => x.t !== 'int')) throw new Error('not an array of integers: ' + formatReply(r));
  return r.v.map((x) => Number((x as { v: bigint }).v));
};

/**
 * LATENCY LATEST rows of `event`: [event, time, latest, max], checked by type and range (rows of
 * other events are left out: on a busy machine any command may reach 1 ms).
 */
function latestShape(r: Reply, t0: number, minMs: number, event = 'command'): string[] {
  if (r.t !== 'array' || !r.v) return ['not an array: ' + formatReply(r)];
  return r.v
    .filter((row) => !(row.t === 'array' && row.v && row.v[0] && text(row.v[0]) !== event))
    .map((row) => {
      if (row.t !== 'array' || !row.v || row.v.length !== 4 || row.v[0].t !== 'bulk') return 'bad row ' + formatReply(row);
      const [time, latest, max] = ints({ t: 'array', v: row.v.slice(1) });
      const name = text(row.v[0]);
      return `${name} time=${time >= t0 && time <= nowSec()} latest<=max=${latest <= max} ms>=${minMs}:${latest >= minMs}`;
    })
    .sort();
}

/** LATENCY HISTORY: [time, ms] pairs with times in range, at least one, the highest >= minMs. */
function historyShape(r: Reply, t0: number, minMs: number): string {
  if (r.t !== 'array' || !r.v) return 'not an array: ' + formatReply(r);
  const rows = r.v.map(ints);
  const ok = rows.length >= 1 && rows.every((x) => x.length === 2 && x[0] >= t0 && x[0] <= nowSec()) && Math.max(...rows.map((x) => x[1])) >= minMs;
  return ok ? 'ok' : JSON.stringify(rows);
}

/**
 * LATENCY HISTOGRAM: per command its name, reply kinds and exact calls; buckets must be Redis's
 * power-of-two bounds, increasing, with cumulative counts ending at `calls`. Sorted by name (Redis
 * lists them in hash order).
 */
function histogramShape(r: Reply): string[] {
  const allowed = new Set(BUCKET_USEC);
  return pairsOf(r)
    .map(([k, v]) => {
      const fields = pairsOf(v);
      if (fields.length !== 2 || text(fields[0][0]) !== 'calls' || text(fields[1][0]) !== 'histogram_usec') return 'bad fields ' + formatReply(v);
      if (fields[0][1].t !== 'int') return 'calls not an integer';
      const calls = Number(fields[0][1].v);
      const buckets = pairsOf(fields[1][1]).map(([b, c]) => ints({ t: 'array', v: [b, c] }));
      let ok = buckets.length > 0 && buckets[buckets.length - 1][1] === calls;
      for (let i = 0; i < buckets.length; i++) {
        if (!allowed.has(buckets[i][0])) ok = false;
        if (i > 0 && (buckets[i][0] <= buckets[i - 1][0] || buckets[i][1] <= buckets[i - 1][1])) ok = false;
      }
      return `${text(k)} ${v.t}/${fields[1][1].t} calls=${calls} buckets ${ok ? 'ok' : JSON.stringify(buckets)}`;
    })
    .sort();
}


function helpShape(r: Reply): string {
  if (r.t !== 'array' || r.v === null || r.v.length < 3 || r.v.some((x) => x.t !== 'simple')) return 'not an array of status lines: ' + formatReply(r);
  const lines = r.v.map((x) => (x as { v: string }).v);
  return [lines[0], ...lines.slice(-2)].join(' / ');
}

async function both(p: Pair, ...cmds: Cmd[]): Promise<Reply[][]> {
  const out: Reply[][] = [];
  for (const c of cmds) out.push([await p.redis.send(...c), await p.respdb.send(...c)]);
  return out;
}

const SUBS = ['latency', 'latency|doctor', 'latency|graph', 'latency|histogram', 'latency|history', 'latency|latest', 'latency|reset', 'latency|help'];

function suite(shards: number, proto: 2 | 3): void {
  t.test(`LATENCY, shards=${shards}, RESP${proto}`, async (t) => {
    const p = await pair(t, { shards, protocol: proto, redisArgs: ['--enable-debug-command', 'yes'] });
    const d = (t: Test, cmds: Cmd[]) => diff(t, p, cmds);

    await t.test('COMMAND INFO and DOCS', async (t) => {
      for (const n of SUBS) {
        const [[want, got]] = await both(p, ['COMMAND', 'INFO', n]);
        t.equal(infoSorted(got), infoSorted(want), `COMMAND INFO ${n}`);
        const [[dw, dg]] = await both(p, ['COMMAND', 'DOCS', n]);
        t.equal(formatReply(docFields(dg), { unordered: true }), formatReply(docFields(dw), { unordered: true }), `COMMAND DOCS ${n}`);
      }
    });

    await t.test('errors, arities, monitoring off', async (t) => {
      await d(t, [
        ['LATENCY'], ['LATENCY', 'nosuch'], ['latency', 'Nosuch', 'x'], ['LATENCY', 'GRAPH'], ['LATENCY', 'GRAPH', 'a', 'b'], ['LATENCY', 'HISTORY'],
        ['LATENCY', 'HISTORY', 'a', 'b'], ['LATENCY', 'LATEST', 'x'], ['LATENCY', 'DOCTOR', 'x'], ['LATENCY', 'HELP', 'x'],
        ['LATENCY', 'RESET'], ['LATENCY', 'RESET', 'command', 'nosuch'], ['LATENCY', 'LATEST'], ['LATENCY', 'HISTORY', 'command'],
        ['LATENCY', 'GRAPH', 'command'], ['LATENCY', 'GRAPH', 'nosuch'], ['LATENCY', 'HISTOGRAM', 'nosuch'], ['LATENCY', 'HISTOGRAM', 'client|nosuch'],
        ['LATENCY', 'HISTOGRAM', 'get|x'], ['CONFIG', 'GET', 'latency-monitor-threshold'], ['CONFIG', 'GET', 'latency-tracking'],
        ['DEBUG', 'SLEEP', '0.01'], ['LATENCY', 'LATEST'], ['CONFIG', 'SET', 'latency-monitor-threshold', '-1'], ['CONFIG', 'SET', 'latency-tracking', 'maybe'],
      ]);
      const [[ha, hb]] = await both(p, ['LATENCY', 'HELP']);
      t.equal(helpShape(hb), helpShape(ha), 'LATENCY HELP shape');
      const [[da, db]] = await both(p, ['LATENCY', 'DOCTOR']);
      t.equal(db.t, da.t, 'DOCTOR reply type');
      t.match(text(db), /disabled[\s\S]*latency-monitor-threshold/, 'DOCTOR says monitoring is off');
    });

    await t.test('a command event (DEBUG SLEEP) under latency-monitor-threshold 1', async (t) => {
      const t0 = nowSec();
      await both(p, ['CONFIG', 'SET', 'latency-monitor-threshold', '1'], ['LATENCY', 'RESET'], ['PING'], ['DEBUG', 'SLEEP', '0.01']);
      const [[la, lb], [ha, hb]] = await both(p, ['LATENCY', 'LATEST'], ['LATENCY', 'HISTORY', 'command']);
      t.same(latestShape(lb, t0, 9), latestShape(la, t0, 9), 'LATEST');
      t.same(latestShape(lb, t0, 9), ['command time=true latest<=max=true ms>=9:true'], 'LATEST: the command event');
      t.equal(historyShape(ha, t0, 9), 'ok', 'HISTORY command (redis)');
      t.equal(historyShape(hb, t0, 9), 'ok', 'HISTORY command');
      const [[ga, gb], [da, db]] = await both(p, ['LATENCY', 'GRAPH', 'command'], ['LATENCY', 'DOCTOR']);
      t.equal(gb.t, ga.t, 'GRAPH reply type');
      t.match(text(gb), /^command/, 'GRAPH names the event');
      t.equal(db.t, da.t, 'DOCTOR reply type');
      t.match(text(db), /command/, 'DOCTOR reports the event');
      await d(t, [['LATENCY', 'HISTORY', 'COMMAND'], ['LATENCY', 'RESET', 'command', 'nosuch', 'command'], ['LATENCY', 'RESET', 'command']]);
      // the latest sample of a second is its highest: 10 then 30 ms reads 30 whether or not they share a second
      await both(p, ['DEBUG', 'SLEEP', '0.01'], ['DEBUG', 'SLEEP', '0.03']);
      const [[l2a, l2b]] = await both(p, ['LATENCY', 'LATEST']);
      t.same(latestShape(l2b, t0, 29), latestShape(l2a, t0, 29), 'LATEST after two sleeps');
      t.equal(latestShape(l2b, t0, 29).length, 1, 'LATEST after two sleeps');
      // with monitoring off nothing new is recorded, so the rest is exact
      await both(p, ['CONFIG', 'SET', 'latency-monitor-threshold', '0'], ['LATENCY', 'RESET']);
      await d(t, [
        ['LATENCY', 'LATEST'], ['LATENCY', 'HISTORY', 'command'], ['LATENCY', 'GRAPH', 'command'], ['DEBUG', 'SLEEP', '0.01'], ['LATENCY', 'RESET'],
        ['LATENCY', 'LATEST'],
      ]);
    });

    await t.test('HISTOGRAM', async (t) => {
      const keys = spread('h:', 4, shards);
      const cmds: Cmd[] = [
        ['SET', 'hk', 'v'], ['GET', 'hk'], ['GET', 'hk'], ['MSET', ...keys.flatMap((k) => [k, 'v'])], ['DEL', ...keys],
        ['SADD', keys[0], 'a'], ['SADD', keys[1], 'b'], ['SUNIONSTORE', keys[2], keys[0], keys[1]], ['CLIENT', 'ID'], ['CONFIG', 'GET', 'maxclients'],
        ['PING'], ['DEBUG', 'SLEEP', '0'], ['BLPOP', 'nolist', '0.01'], ['GET', 'hk', 'x'], ['NOSUCH'],
      ];
      await both(p, ['CONFIG', 'RESETSTAT'], ...cmds);
      const ask: Cmd[] = [
        ['LATENCY', 'HISTOGRAM', 'set', 'get', 'mset', 'del', 'sunionstore', 'sadd', 'client', 'CONFIG', 'nosuch', 'SET', 'debug', 'blpop', 'ping'],
        ['LATENCY', 'HISTOGRAM', 'config|get', 'client|id', 'client|list'],
        ['LATENCY', 'HISTOGRAM'],
      ];
      for (const c of ask) {
        const [[a, b]] = await both(p, c);
        t.same(histogramShape(b), histogramShape(a), c.join(' '));
      }
      // latency-tracking no: nothing is counted until it is back on
      await both(p, ['CONFIG', 'SET', 'latency-tracking', 'no'], ['SET', 'hk', 'v'], ['GET', 'hk'], ['CONFIG', 'SET', 'latency-tracking', 'yes']);
      const [[a, b]] = await both(p, ['LATENCY', 'HISTOGRAM', 'set', 'get', 'config']);
      t.same(histogramShape(b), histogramShape(a), 'latency-tracking no counts nothing');
      t.ok(histogramShape(b).some((l) => l.startsWith('set ') && l.includes('calls=1 ')), 'SET still counted once');
      // CONFIG RESETSTAT starts the histograms again
      const [, [ra, rb]] = await both(p, ['CONFIG', 'RESETSTAT'], ['LATENCY', 'HISTOGRAM']);
      t.same(histogramShape(rb), histogramShape(ra), 'after RESETSTAT');
      t.same(histogramShape(rb), [`config|resetstat ${proto === 3 ? 'map/map' : 'array/array'} calls=1 buckets ok`], 'only RESETSTAT itself');
      const [[x, y]] = await both(p, ['LATENCY', 'HISTOGRAM']);
      t.same(histogramShape(y), histogramShape(x), 'after RESETSTAT');
    });

    if (shards === 1 && proto === 2) {
      await t.test('respdb: shard events (expire-cycle) and shard commands reach the monitor', async (t) => {
        const c = p.respdb;
        // 5 ms: far above what an ordinary command may take on a busy machine
        await c.send('CONFIG', 'SET', 'latency-monitor-threshold', '5');
        await c.send('CONFIG', 'SET', 'slowlog-log-slower-than', '0');
        await c.send('LATENCY', 'RESET');
        const members = (pre: string, n: number): string[] => Array.from({ length: n }, (_, i) => `${pre}${i}`);
        // A command the shard runs (LREM is neither slow-pool work nor flagged fast) and whose time
        // grows with its key: LREM of an absent element reads the whole list. The list doubles
        // (from 40000 elements) until the shard measures the LREM at 5 ms or more, whatever the
        // machine's speed: reading 640000 elements cannot take less unless the time is lost.
        let size = 0;
        let us = -1;
        for (let n = 40000; ; n = size) {
          for (let i = 0; i < n; i += 10000) await c.send('RPUSH', '{u}l', ...members(`l${size + i}:`, 10000));
          size += n;
          await c.send('LATENCY', 'RESET');
          t.equal(formatReply(await c.send('LREM', '{u}l', '0', 'absent')), '(integer) 0', `LREM of ${size} elements`);
          const entry = await c.send('SLOWLOG', 'GET', '1');
          const e = entry.t === 'array' && entry.v && entry.v[0].t === 'array' ? entry.v[0].v! : [];
          t.equal(e[3]?.t === 'array' ? text(e[3].v![0]) : '', 'LREM', 'the latest slow log entry is the LREM');
          us = e[2]?.t === 'int' ? Number(e[2].v) : -1;
          if (us >= 5000 || size >= 640000) break;
        }
        t.ok(us >= 5000, `an LREM reading ${size} elements on the shard took ${us} µs`);
        const hist = await c.send('LATENCY', 'HISTORY', 'command');
        const samples = hist.t === 'array' && hist.v ? hist.v.map((x) => ints(x)[1]) : [];
        t.ok(samples.includes(Math.floor(us / 1000)), `its shard-measured latency ${Math.floor(us / 1000)} ms is a command sample (${samples})`);
        // garbage for the shard's sweep: a 40000-member set and its copy
        for (let i = 0; i < 4; i++) await c.send('SADD', '{u}a', ...members(`a${i}:`, 10000));
        await c.send('SUNIONSTORE', '{u}b', '{u}a', '{u}a');
        // deleting big collections leaves their members to the shard's sweep tick (20 ms budget)
        await c.send('DEL', '{u}a', '{u}b', '{u}l');
        let seen = '';
        for (let i = 0; i < 100 && !seen.includes('expire-cycle'); i++) {
          await sleep(100);
          seen = formatReply(await c.send('LATENCY', 'LATEST'));
        }
        t.match(seen, /expire-cycle/, 'expire-cycle event from the shard');
        t.match(text(await c.send('LATENCY', 'DOCTOR')), /expire-cycle/, 'DOCTOR reports it');
        t.match(text(await c.send('LATENCY', 'GRAPH', 'expire-cycle')), /^expire-cycle/, 'GRAPH draws it');
        await c.send('CONFIG', 'SET', 'latency-monitor-threshold', '0');
      });
    }
  });
}

suite(1, 2);
suite(4, 2);
suite(4, 3);

t.test('lib/latency.ts', async (t) => {
  const m = new LatencyMonitor();
  m.add('e', 5, 100);
  m.add('e', 3, 100); // same second: the higher stays
  m.add('e', 7, 100);
  m.add('e', 2, 101);
  t.same(m.history('e'), [[100, 7], [101, 2]], 'one sample per second, the highest');
  t.same(m.latest(), [['e', 101, 2, 7]], 'latest and all-time max');
  t.same(m.history('nosuch'), []);
  for (let s = 0; s < 200; s++) m.add('f', s + 1, 1000 + s);
  const h = m.history('f');
  t.equal(h.length, 160, '160 samples kept');
  t.same(h[0], [1040, 41], 'oldest first');
  t.same(h[159], [1199, 200], 'newest last');
  t.equal(m.max('f'), 200);
  const g = m.graph('f', 1199 + 90)!;
  t.match(g, /^f: 160 sample\(s\), highest 200 ms, lowest 41 ms/, 'graph header');
  t.match(g, /\n {6} +[0-9]/, 'graph time labels');
  t.equal(m.graph('nosuch'), null);
  t.match(m.doctor(1, 10000), /1\. e:[\s\S]*2\. f:/, 'doctor lists the events');
  t.equal(m.reset(['e', 'e', 'x']), 1, 'reset counts existing events');
  t.equal(m.reset(), 1, 'reset all');
  t.equal(m.size, 0);
  t.match(m.doctor(0, 10000), /disabled/, 'doctor with monitoring off');
  t.match(m.doctor(5, 10000), /No latency spike/, 'doctor without events');
  m.add('command', 12);
  m.add('fast-command', 3);
  m.add('aof-fsync-always', 30);
  t.match(m.doctor(1, 10000), /slowlog-log-slower-than 1000[\s\S]*appendfsync/, 'doctor advice per event');

  // Redis's bucket bounds: highest equivalent values of 2^(10+k) ns with 2 significant digits
  t.same(BUCKET_USEC.slice(0, 13), [1, 2, 4, 8, 16, 33, 66, 132, 264, 528, 1056, 2113, 4227]);
  t.equal(BUCKET_USEC.length, HIST_BUCKETS);
  const at = (us: number) => BUCKET_USEC[bucketOf(us)];
  t.same([0, 1, 2, 3, 4, 5, 8, 9, 16, 17, 33, 34, 500, 528, 529, 4000, 4227, 1e6, 5e9].map(at),
    [1, 1, 2, 4, 4, 8, 8, 16, 16, 33, 33, 66, 528, 528, 1056, 4227, 4227, 1073741, 1073741], 'buckets');
  t.same([50000, 150000, 300000, 600000].map(at), [67633, 270532, 541065, 1073741], 'buckets of DEBUG SLEEP 0.05 / 0.15 / 0.3 / 0.6 in redis');

  const sh = new DiagShared(4);
  sh.setThresholds(Infinity, 5000, true);
  t.equal(sh.carry, 5000);
  t.equal(sh.tracking, true);
  sh.record(2, 3);
  sh.record(2, 3);
  sh.record(9, 3); // outside the table: ignored
  const into = new Float64Array(HIST_BUCKETS);
  sh.addTo(2, into);
  sh.addTo(9, into);
  t.equal(into[bucketOf(3)], 2);
  sh.clearCounts();
  t.equal(sh.counts.reduce((a, b) => a + b, 0), 0);
  const view = new DiagShared(4, sh.sab);
  t.equal(view.latencyMicros, 5000, 'a view of the same buffer');
});

t.test('Diagnostics entry point', async (t) => {
  const cfg = Config.fromFileText('latency-monitor-threshold 2\nslowlog-log-slower-than 3000\nslowlog-max-len 10\n');
  const diag = new Diagnostics(cfg);
  diag.shardSab(0);
  const conn = { addr: '10.0.0.1:1234', name: Buffer.from('cli') } as unknown as Connection;
  const get = lookup('get')!;
  const debug = lookup('debug')!;
  const b = (s: string) => Buffer.from(s);
  diag.commandDone(conn, [b('GET'), b('k')], get, 10); // below everything: histogram only
  diag.commandDone(conn, [b('GET'), b('k')], get, 2500); // fast-command event, not slow enough for the log
  diag.commandDone(conn, [b('DEBUG'), b('SLEEP'), b('1')], debug, 4000.7);
  const exec = { ...lookup('ping')!, name: 'exec', flags: ['skip_slowlog'] } as CommandDef;
  diag.commandDone(conn, [b('EXEC')], exec, 9000);
  const auth = lookup('auth')!;
  diag.commandDone(conn, [b('AUTH'), b('pw')], auth, 5000);
  diag.shardDone(conn, get, 7000, [b('GET'), b('from-shard')]);
  diag.shardDone(conn, get, 1, null); // thresholds raised meanwhile: only counted
  t.same(
    diag.slowlog.newest(10).map((e) => [e.args.map(String).join(' '), e.micros, e.addr, e.name.toString()]),
    [['GET from-shard', 7000, '10.0.0.1:1234', 'cli'], ['AUTH (redacted)', 5000, '10.0.0.1:1234', 'cli'], ['DEBUG SLEEP 1', 4000, '10.0.0.1:1234', 'cli']],
    'slow log: redacted, skip_slowlog left out, durations in whole µs',
  );
  t.same(diag.latency.latest().map((r) => [r[0], r[2]]).sort(), [['command', 9], ['fast-command', 7]], 'command and fast-command events');
  const calls = (d: CommandDef) => diag.histogram(d).reduce((a, x) => a + x, 0);
  t.equal(calls(get), 4, 'every GET counted once');
  diag.event('expire-cycle', 1.5);
  diag.event('expire-cycle', 2);
  t.same(diag.latency.history('expire-cycle').map((x) => x[1]), [2], 'events below the threshold are dropped');
  cfg.set([['slowlog-log-slower-than', '-1'], ['latency-monitor-threshold', '0'], ['latency-tracking', 'no']]);
  diag.commandDone(conn, [b('DEBUG')], debug, 1e6);
  t.equal(diag.slowlog.length, 3, 'slow log off at once');
  t.equal(calls(debug), 1, 'tracking off at once');
  t.equal(diag.latencyThreshold, 0);
  t.equal(diag.slowlogThreshold, -1);
  cfg.set([['slowlog-log-slower-than', '0'], ['slowlog-max-len', '2'], ['latency-tracking', 'yes']]);
  diag.commandDone(conn, [b('GET'), b('x')], get, 0);
  t.equal(diag.slowlog.length, 2, 'max-len applied at the next entry');
  diag.resetStats();
  t.equal(calls(get), 0, 'resetStats clears the histograms');
});
