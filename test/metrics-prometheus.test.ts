// Debian's prometheus server scrapes respdb's /metrics for real (1 s interval) and gives the
// series back through its HTTP API: redis_db_keys per database equals what respdb holds, the
// target is up, and a respdb histogram arrives whole. CI installs prometheus (.ci/run); without
// the binary locally the test is skipped with a message.

import t from 'tap';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { freePort, spawnTracked, startRespdb } from './support/servers.js';
import { RawClient } from './support/resp-client.js';
import { sleep } from './support/clients.js';

const hasPrometheus = ((): boolean => {
  const r = spawnSync('prometheus', ['--version'], { stdio: 'ignore' });
  return !r.error && r.status === 0;
})();

interface QueryResult {
  status: string;
  data: { resultType: string; result: Array<{ metric: Record<string, string>; value: [number, string] }> };
}

async function query(port: number, q: string): Promise<QueryResult | null> {
  try {
    const r = await fetch(`http://127.0.0.1:${port}/api/v1/query?query=${encodeURIComponent(q)}`);
    if (r.status !== 200) return null;
    return (await r.json()) as QueryResult;
  } catch {
    return null; // not listening yet
  }
}

/** The query's single value once Prometheus has it equal to `want`; the last value seen otherwise. */
async function untilValue(port: number, q: string, want: string, deadlineMs: number): Promise<string | undefined> {
  let last: string | undefined;
  while (Date.now() < deadlineMs) {
    const r = await query(port, q);
    last = r?.data.result[0]?.value[1];
    if (last === want) return last;
    await sleep(200);
  }
  return last;
}

t.test('prometheus scrapes /metrics', { skip: hasPrometheus ? false : 'the prometheus binary is not installed (apt-get install prometheus; CI installs it)' }, async (t) => {
  const metricsPort = await freePort();
  const srv = await startRespdb({ shards: 2, args: ['--metrics-port', String(metricsPort)] });
  t.teardown(() => srv.stop());
  const c = await RawClient.connect(srv.port);
  t.teardown(() => c.close());
  await Promise.all(Array.from({ length: 37 }, (_, i) => c.send('SET', `p${i}`, 'x')));
  await c.send('SELECT', '3');
  await Promise.all(Array.from({ length: 5 }, (_, i) => c.send('SET', `q${i}`, 'x', 'EX', '1000')));

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'respdb-prometheus-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const config = path.join(dir, 'prometheus.yml');
  fs.writeFileSync(
    config,
    ['global:', '  scrape_interval: 1s', '  evaluation_interval: 1s', 'scrape_configs:', '  - job_name: respdb', '    static_configs:', `      - targets: ['127.0.0.1:${metricsPort}']`, ''].join('\n'),
  );
  const webPort = await freePort();
  let log = '';
  const prom = spawnTracked('prometheus', [`--config.file=${config}`, `--storage.tsdb.path=${path.join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${webPort}`], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  prom.stdout?.on('data', (d: Buffer) => (log += d.toString()));
  prom.stderr?.on('data', (d: Buffer) => (log = (log + d.toString()).slice(-20000)));
  t.teardown(async () => {
    if (prom.exitCode === null && prom.signalCode === null) {
      const gone = new Promise((r) => prom.once('exit', r));
      prom.kill('SIGTERM');
      await Promise.race([gone, sleep(5000).then(() => prom.kill('SIGKILL'))]);
    }
  });

  const deadline = Date.now() + 20_000;
  const keys0 = await untilValue(webPort, 'redis_db_keys{db="db0"}', '37', deadline);
  t.equal(keys0, '37', `redis_db_keys{db="db0"} through Prometheus (log: ${keys0 === '37' ? 'ok' : log.slice(-2000)})`);
  t.equal(await untilValue(webPort, 'redis_db_keys{db="db3"}', '5', deadline), '5');
  t.equal(await untilValue(webPort, 'redis_db_keys_expiring{db="db3"}', '5', deadline), '5');
  t.equal(await untilValue(webPort, 'up{job="respdb"}', '1', deadline), '1', 'the target is up');
  // a histogram arrives whole: its +Inf bucket equals its count on every shard
  t.equal(
    await untilValue(webPort, 'count(respdb_shard_commit_seconds_bucket{le="+Inf"} == on(shard) respdb_shard_commit_seconds_count)', '2', deadline),
    '2',
    'commit histograms of both shards',
  );
  // the value follows respdb: more keys, and Prometheus sees them at its next scrape
  await c.send('SELECT', '0');
  await c.send('SET', 'one-more', 'x');
  t.equal(await untilValue(webPort, 'redis_db_keys{db="db0"}', '38', Date.now() + 10_000), '38');
});
