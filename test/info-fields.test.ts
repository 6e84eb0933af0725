// INFO's sections and field names against redis-server 7.0's: every section Redis prints, in
// Redis's order; in each, every field Redis prints (except the few listed below, which cannot
// exist in respdb), in Redis's order; which sections INFO all / everything / default / several
// names select. Values are checked in test/info-values.test.ts.

import t from 'tap';
import { startRedis, startRespdb } from './support/servers.js';
import { RawClient } from './support/resp-client.js';
import { getInfo, type Info } from './support/info.js';

/** Redis fields respdb does not print, by section, each with the reason. */
const CANNOT_EXIST: Record<string, Record<string, string>> = {
  // (none today: every Redis 7.0 field has a value in respdb, its real one or Redis's idle one)
};

/** respdb's own section (INFO respdb), in all / everything and by name only. */
const OWN = 'Respdb';

/** Sections whose lines Redis prints in the order of its command table's hash: compared as sets. */
const UNORDERED = new Set(['Commandstats', 'Latencystats']);

const same = async (c: RawClient): Promise<void> => {
  await c.send('CONFIG', 'RESETSTAT'); // the harness's own PINGs and INFOs are forgotten
  await c.send('SET', 'a', 'b');
  await c.send('SET', 'c', 'd', 'EX', '100');
  await c.send('GET', 'a');
  await c.send('GET', 'nosuch');
  await c.send('INCR', 'a'); // fails: errorstats, failed_calls
  await c.send('CONFIG', 'GET', 'nosuch-directive');
};

t.test('INFO sections and fields as redis-server 7.0', async (t) => {
  const [redis, respdb] = await Promise.all([startRedis(), startRespdb({ shards: 2 })]);
  t.teardown(() => Promise.all([redis.stop(), respdb.stop()]));
  const rc = await RawClient.connect(redis.port);
  const dc = await RawClient.connect(respdb.port);
  t.teardown(() => Promise.all([rc.close(), dc.close()]));
  await same(rc);
  await same(dc);
  const r = await getInfo(rc, 'everything');
  const d = await getInfo(dc, 'everything');

  t.test('INFO everything: Redis sections in Redis order, then respdb own', async (t) => {
    t.same(d.titles.filter((x) => x !== OWN), r.titles);
    t.equal(d.titles[d.titles.length - 1], OWN);
    t.ok(r.titles.includes('Latencystats') && r.titles.length >= 13, `${r.titles.length} sections`);
  });

  for (const rs of r.sections) {
    t.test(`# ${rs.title}: Redis fields, in Redis order`, async (t) => {
      const ds = d.section(rs.title);
      if (!ds) return void t.fail(`no section ${rs.title}`);
      const skip = CANNOT_EXIST[rs.title] ?? {};
      const expected = rs.names.filter((n) => !(n in skip));
      const missing = expected.filter((n) => !ds.values.has(n));
      t.same(missing, [], `fields of ${rs.title} respdb lacks`);
      const common = ds.names.filter((n) => expected.includes(n));
      if (!UNORDERED.has(rs.title)) t.same(common, expected.filter((n) => ds.values.has(n)), 'Redis order');
      for (const n of Object.keys(skip)) t.notOk(ds.values.has(n), `${n} is listed as impossible but printed`);
    });
  }

  t.test('per-command, per-error and per-database fields after the same commands', async (t) => {
    // commandstats and latencystats name the same commands; errorstats the same kinds; keyspace the same dbs
    const names = (i: Info, title: string): string[] => i.section(title)?.names ?? [];
    for (const title of ['Commandstats', 'Latencystats', 'Errorstats', 'Keyspace']) {
      t.same([...names(d, title)].sort(), [...names(r, title)].sort(), title);
    }
    t.equal(d.f.get('cmdstat_incr')?.replace(/usec=\d+,usec_per_call=[\d.]+/, ''), r.f.get('cmdstat_incr')?.replace(/usec=\d+,usec_per_call=[\d.]+/, ''));
    t.match(d.f.get('latency_percentiles_usec_set'), /^p50=\d+\.\d{3},p99=\d+\.\d{3},p99\.9=\d+\.\d{3}$/);
    t.equal(d.f.get('errorstat_ERR'), r.f.get('errorstat_ERR'));
    t.match(d.f.get('db0'), /^keys=2,expires=1,avg_ttl=\d+$/);
  });

  t.test('which sections INFO selects', async (t) => {
    const cases: string[][] = [
      [],
      ['default'],
      ['all'],
      ['everything'],
      ['server', 'clients'],
      ['CLIENTS', 'server'],
      ['server', 'nosuch'],
      ['nosuch'],
      ['default', 'latencystats'],
      ['commandstats', 'cpu', 'keyspace'],
      ['all', 'server'],
    ];
    for (const args of cases) {
      const rt = (await getInfo(rc, ...args)).titles;
      const dt = (await getInfo(dc, ...args)).titles;
      const own = args.some((a) => ['all', 'everything'].includes(a.toLowerCase()));
      t.same(dt, own ? [...rt, OWN] : rt, `INFO ${args.join(' ')}`);
    }
    t.same((await getInfo(dc, 'respdb')).titles, [OWN], 'INFO respdb');
    t.same((await getInfo(dc, 'server', 'respdb')).titles, ['Server', OWN]);
  });
});
