// The Prometheus endpoint: redis_exporter's series names and types, respdb's own, values equal
// to INFO's, histograms well formed, metrics-port off by default and moved by CONFIG SET.

import t from 'tap';
import { freePort, startRespdb } from './support/servers.js';
import { RawClient, formatReply } from './support/resp-client.js';
import { getInfo, num, subFields } from './support/info.js';
import { parsePromText, type PromText } from './support/prom-text.js';

/** Series a redis_exporter dashboard reads, with redis_exporter's types. */
const REDIS_SERIES: Record<string, string> = {
  redis_up: 'gauge',
  redis_uptime_in_seconds: 'gauge',
  redis_start_time_seconds: 'gauge',
  redis_instance_info: 'gauge',
  redis_connected_clients: 'gauge',
  redis_blocked_clients: 'gauge',
  redis_tracking_clients: 'gauge',
  redis_config_maxclients: 'gauge',
  redis_commands_processed_total: 'counter',
  redis_commands_total: 'counter',
  redis_commands_duration_seconds_total: 'counter',
  redis_commands_rejected_calls_total: 'counter',
  redis_commands_failed_calls_total: 'counter',
  redis_db_keys: 'gauge',
  redis_db_keys_expiring: 'gauge',
  redis_db_avg_ttl_seconds: 'gauge',
  redis_keyspace_hits_total: 'counter',
  redis_keyspace_misses_total: 'counter',
  redis_expired_keys_total: 'counter',
  redis_evicted_keys_total: 'counter',
  redis_memory_used_bytes: 'gauge',
  redis_memory_used_rss_bytes: 'gauge',
  redis_memory_used_peak_bytes: 'gauge',
  redis_memory_max_bytes: 'gauge',
  redis_net_input_bytes_total: 'counter',
  redis_net_output_bytes_total: 'counter',
  redis_connections_received_total: 'counter',
  redis_rejected_connections_total: 'counter',
  redis_errors_total: 'counter',
  redis_cpu_sys_seconds_total: 'counter',
  redis_cpu_user_seconds_total: 'counter',
  redis_instantaneous_ops_per_sec: 'gauge',
  redis_pubsub_channels: 'gauge',
  redis_pubsub_patterns: 'gauge',
  redis_slowlog_length: 'gauge',
  redis_slowlog_last_id: 'gauge',
  redis_latency_percentiles_usec: 'summary',
  redis_connected_slaves: 'gauge',
};

const RESPDB_SERIES: Record<string, string> = {
  respdb_shards: 'gauge',
  respdb_shard_keys: 'gauge',
  respdb_shard_queue_depth: 'gauge',
  respdb_shard_commit_seconds: 'histogram',
  respdb_shard_fsync_seconds: 'histogram',
  respdb_shard_used_pages: 'gauge',
  respdb_shard_free_pages: 'gauge',
  respdb_data_file_bytes: 'gauge',
  respdb_data_disk_bytes: 'gauge',
  respdb_binlog_bytes: 'gauge',
  respdb_slow_pool_threads: 'gauge',
  respdb_slow_pool_queued: 'gauge',
  respdb_slow_pool_completed_total: 'counter',
};

async function scrape(port: number): Promise<{ status: number; type: string; text: string }> {
  const r = await fetch(`http://127.0.0.1:${port}/metrics`);
  return { status: r.status, type: r.headers.get('content-type') ?? '', text: await r.text() };
}

async function refused(port: number): Promise<boolean> {
  try {
    await fetch(`http://127.0.0.1:${port}/metrics`);
    return false;
  } catch {
    return true;
  }
}

function one(p: PromText, name: string, labels?: Record<string, string>): number {
  const s = p.get(name, labels);
  if (s.length !== 1) throw new Error(`${name} ${JSON.stringify(labels ?? {})}: ${s.length} samples`);
  return s[0].value;
}

t.test('metrics-port is off by default', async (t) => {
  const srv = await startRespdb({ shards: 1 });
  t.teardown(() => srv.stop());
  const c = await RawClient.connect(srv.port);
  t.teardown(() => c.close());
  t.equal(formatReply(await c.send('CONFIG', 'GET', 'metrics-port')), '*2\n  1) "metrics-port"\n  2) "0"');
  t.equal(formatReply(await c.send('CONFIG', 'GET', 'metrics-bind')), '*2\n  1) "metrics-bind"\n  2) "127.0.0.1"');
});

t.test('/metrics', async (t) => {
  const port = await freePort();
  const shards = 2;
  const srv = await startRespdb({ shards, args: ['--metrics-port', String(port)] });
  t.teardown(() => srv.stop());
  const c = await RawClient.connect(srv.port);
  t.teardown(() => c.close());
  await Promise.all(Array.from({ length: 25 }, (_, i) => c.send('SET', `m${i}`, 'x')));
  await c.send('SET', 'vol', 'x', 'EX', '100');
  await c.send('SELECT', '5');
  await Promise.all(Array.from({ length: 3 }, (_, i) => c.send('SET', `d5:${i}`, 'x')));
  await c.send('SELECT', '0');
  await c.send('GET', 'm1');
  await c.send('INCR', 'm1'); // ERR: redis_errors_total{err="ERR"}

  const info = await getInfo(c, 'everything');
  const r = await scrape(port);
  t.equal(r.status, 200);
  t.match(r.type, /^text\/plain; version=0\.0\.4/);
  const p = parsePromText(r.text);

  t.test('names and types', async (t) => {
    for (const [name, type] of Object.entries({ ...REDIS_SERIES, ...RESPDB_SERIES })) t.equal(p.types.get(name), type, name);
    for (const [name, type] of p.types) if (type === 'counter') t.match(name, /_total$/, `counter ${name} ends in _total`);
  });

  t.test('values equal INFO', async (t) => {
    t.equal(one(p, 'redis_up'), 1);
    t.equal(one(p, 'redis_db_keys', { db: 'db0' }), 26);
    t.equal(one(p, 'redis_db_keys_expiring', { db: 'db0' }), 1);
    t.equal(one(p, 'redis_db_keys', { db: 'db5' }), 3);
    t.equal(one(p, 'redis_db_keys', { db: 'db1' }), 0, 'empty databases as 0');
    t.equal(p.get('redis_db_keys').length, 16, 'every database');
    t.equal(one(p, 'redis_commands_total', { cmd: 'set' }), Number(subFields(info.f.get('cmdstat_set')).calls));
    t.equal(one(p, 'redis_commands_failed_calls_total', { cmd: 'incr' }), 1);
    t.equal(one(p, 'redis_errors_total', { err: 'ERR' }), 1);
    t.equal(one(p, 'redis_keyspace_hits_total'), num(info.f, 'keyspace_hits'));
    t.equal(one(p, 'redis_connected_clients'), 1);
    t.equal(one(p, 'redis_config_maxclients'), 10000);
    const inst = p.get('redis_instance_info')[0].labels;
    t.equal(inst.redis_version, '7.0.15');
    t.equal(inst.tcp_port, String(srv.port));
    t.equal(inst.run_id, info.f.get('run_id'));
    t.equal(inst.role, 'master');
    t.equal(one(p, 'respdb_shards'), shards);
    let keys = 0;
    for (let s = 0; s < shards; s++) {
      const f = subFields(info.f.get(`shard${s}`));
      keys += one(p, 'respdb_shard_keys', { shard: String(s) });
      t.equal(one(p, 'respdb_shard_keys', { shard: String(s) }), Number(f.keys));
      t.equal(one(p, 'respdb_data_file_bytes', { shard: String(s) }), Number(f.data_file_bytes));
      t.ok(one(p, 'respdb_shard_commit_seconds_count', { shard: String(s) }) >= Number(f.commits), 'commits (only more since INFO)');
    }
    t.equal(keys, 29);
    const lat = p.get('redis_latency_percentiles_usec', { cmd: 'set' });
    t.same(lat.map((s) => s.labels.quantile), ['0.5', '0.99', '0.999']);
    t.equal(one(p, 'redis_latency_percentiles_usec_count', { cmd: 'set' }), 29);
  });

  t.test('histograms are cumulative and end at their count', async (t) => {
    for (const name of ['respdb_shard_commit_seconds', 'respdb_shard_fsync_seconds']) {
      for (let s = 0; s < shards; s++) {
        const b = p.get(`${name}_bucket`, { shard: String(s) });
        t.ok(b.length > 2, `${name} buckets`);
        const le = (x: string): number => (x === '+Inf' ? Infinity : Number(x));
        for (let i = 1; i < b.length; i++) t.ok(b[i].value >= b[i - 1].value && le(b[i].labels.le) > le(b[i - 1].labels.le), `${name} bucket ${b[i].labels.le}`);
        t.equal(b[b.length - 1].labels.le, '+Inf');
        t.equal(b[b.length - 1].value, one(p, `${name}_count`, { shard: String(s) }));
        t.ok(one(p, `${name}_sum`, { shard: String(s) }) >= 0);
      }
    }
    t.ok(one(p, 'respdb_shard_commit_seconds_count', { shard: '0' }) + one(p, 'respdb_shard_commit_seconds_count', { shard: '1' }) > 0);
  });

  t.test('other paths are 404', async (t) => {
    t.equal((await fetch(`http://127.0.0.1:${port}/`)).status, 404);
  });

  t.test('CONFIG SET metrics-port moves the endpoint; 0 turns it off', async (t) => {
    const next = await freePort();
    t.equal(formatReply(await c.send('CONFIG', 'SET', 'metrics-port', String(next))), '+"OK"');
    let moved = false;
    for (let i = 0; i < 200 && !moved; i++) moved = !(await refused(next)) || (await new Promise((r) => setTimeout(r, 10)), false);
    t.ok(moved, 'serves on the new port');
    t.ok(await refused(port), 'the old port is closed');
    t.equal((await scrape(next)).status, 200);
    t.equal(formatReply(await c.send('CONFIG', 'SET', 'metrics-port', '0')), '+"OK"');
    let off = false;
    for (let i = 0; i < 200 && !off; i++) off = (await refused(next)) || (await new Promise((r) => setTimeout(r, 10)), false);
    t.ok(off, 'off');
  });
});
