// Server commands: INFO CONFIG COMMAND TIME LASTSAVE SHUTDOWN DEBUG. Differential against
// redis-server 7.0 where the replies are comparable (errors, arities, COMMAND INFO/DOCS of these
// commands and of GET/SET, CONFIG GET/SET, INFO keyspace), with 1 and 4 shards and in RESP3; plus
// direct tests of INFO fields and counters, runtime config (maxclients, timeout, hz,
// proto-max-bulk-len), DEBUG SLEEP not blocking other clients, and SHUTDOWN.
import t, { type Test } from 'tap';
import fs from 'node:fs';
import net from 'node:net';
import { pair, diff, startRedis, startRespdb, REPO_ROOT } from './support/servers.js';
import { RawClient, formatReply, replyString, type Reply } from './support/resp-client.js';
import { spread } from './support/keys.js';
import { ALL } from '../lib/commands/registry.js';
import { installCommands } from '../lib/commands/index.js';
import { docFields } from './support/command-docs.js';

installCommands();

type Cmd = (string | Buffer)[];
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));


/** The commands this file owns (all of their COMMAND INFO entries must equal redis's). */
const OWN = [
  'ping', 'echo', 'select', 'quit', 'reset', 'auth', 'hello', 'client|id', 'client|getname', 'client|setname', 'client|info',
  'client|list', 'client|kill', 'client|no-evict', 'client|help', 'info', 'config|get', 'config|set', 'config|resetstat',
  'config|rewrite', 'config|help', 'command|count', 'command|docs', 'command|getkeys', 'command|help', 'command|info',
  'command|list', 'time', 'lastsave', 'shutdown', 'debug', 'get', 'set',
];


function suite(shards: number, proto: 2 | 3): void {
  t.test(`differential, shards=${shards}, RESP${proto}`, async (t) => {
    const p = await pair(t, { shards, protocol: proto, redisArgs: ['--enable-debug-command', 'yes'] });
    const d = (t: Test, cmds: Cmd[], unordered?: boolean | 'pairs') => diff(t, p, cmds, unordered ? { unordered } : {});

    t.test('COMMAND INFO of these commands and GET/SET', async (t) => {
      for (const n of OWN) await d(t, [['COMMAND', 'INFO', n]]);
      await d(t, [['COMMAND', 'INFO', 'GET', 'Set', 'nosuch', 'client|nosuch', 'get|x', 'CONFIG|GET']]);
    });

    t.test('COMMAND DOCS of these commands', async (t) => {
      for (const n of OWN.filter((x) => x !== 'get' && x !== 'set')) {
        const want = docFields(await p.redis.send('COMMAND', 'DOCS', n));
        const got = docFields(await p.respdb.send('COMMAND', 'DOCS', n));
        t.equal(formatReply(got), formatReply(want), `COMMAND DOCS ${n}`);
      }
      await d(t, [['COMMAND', 'DOCS', 'nosuch']]);
    });

    t.test('COMMAND errors, GETKEYS, LIST filters', async (t) => {
      await d(t, [
        ['COMMAND', 'nosuch'], ['COMMAND', 'COUNT', 'x'], ['COMMAND', 'HELP', 'x'], ['COMMAND', 'GETKEYS'], ['COMMAND', 'GETKEYS', 'get'],
        ['COMMAND', 'GETKEYS', 'nosuch', 'a'], ['COMMAND', 'GETKEYS', 'get', 'a', 'b'], ['COMMAND', 'GETKEYS', 'GET', 'a'],
        ['COMMAND', 'GETKEYS', 'set', 'k', 'v', 'EX', '10'], ['COMMAND', 'GETKEYS', 'mset', 'a', 'b', 'c', 'd'], ['COMMAND', 'GETKEYS', 'mset', 'a', 'b', 'c'],
        ['COMMAND', 'GETKEYS', 'del', 'a', 'b', 'c'], ['COMMAND', 'GETKEYS', 'ping', 'x'], ['COMMAND', 'GETKEYS', 'config', 'get', 'x'],
        ['COMMAND', 'GETKEYS', 'config', 'nosuch'], ['COMMAND', 'GETKEYS', 'client', 'nosuch', 'x'],
        // a command without keys says so before its arity is checked; a keyed one checks its arity first
        ['COMMAND', 'GETKEYS', 'time', 'x'], ['COMMAND', 'GETKEYS', 'config'], ['COMMAND', 'GETKEYS', 'object', 'encoding'],
        ['COMMAND', 'GETKEYS', 'rename', 'a'], ['COMMAND', 'GETKEYS', 'sort', 'l', 'STORE', 'd'],
        ['COMMAND', 'LIST', 'x'], ['COMMAND', 'LIST', 'FILTERBY'], ['COMMAND', 'LIST', 'FILTERBY', 'x', 'y'], ['COMMAND', 'LIST', 'FILTERBY', 'PATTERN'],
        ['COMMAND', 'LIST', 'FILTERBY', 'PATTERN', 'x*', 'y'], ['COMMAND', 'LIST', 'FILTERBY', 'MODULE', 'x'],
        ['COMMAND', 'LIST', 'FILTERBY', 'ACLCAT', 'nosuch'], ['COMMAND', 'LIST', 'FILTERBY', 'ACLCAT', '@connection'],
      ]);
      await d(t, [['COMMAND', 'LIST', 'FILTERBY', 'PATTERN', 'CONFIG*'], ['COMMAND', 'LIST', 'FILTERBY', 'PATTERN', 'conf*'], ['COMMAND', 'LIST', 'FILTERBY', 'PATTERN', 'c?ient|[gs]etname']], true);
    });

    t.test('CONFIG', async (t) => {
      await d(t, [
        ['CONFIG'], ['CONFIG', 'nosuch'], ['CONFIG', 'GET'], ['CONFIG', 'SET'], ['CONFIG', 'SET', 'maxclients'], ['CONFIG', 'SET', 'maxclients', '10', 'timeout'],
        ['CONFIG', 'SET', 'nosuch', '1'], ['CONFIG', 'SET', 'maxclients', 'x'], ['CONFIG', 'SET', 'hz', '5', 'hz', '6'],
        ['CONFIG', 'SET', 'timeout', '-1'], ['CONFIG', 'SET', 'appendfsync', 'sometimes'], ['CONFIG', 'SET', 'maxclients', '1000', 'nosuch', '1'],
        ['CONFIG', 'SET', 'maxclients', '1000', 'timeout', 'x'], ['CONFIG', 'GET', 'maxclients'],
        ['CONFIG', 'SET', 'maxclients', '999', 'timeout', '100'], ['CONFIG', 'GET', 'maxclients'], ['CONFIG', 'GET', 'timeout'],
        ['CONFIG', 'SET', 'MaxClients', '10000', 'TIMEOUT', '0'], ['CONFIG', 'GET', 'nosuch'], ['CONFIG', 'GET', 'MAXCLIENTS'],
        ['CONFIG', 'SET', 'hz', '100'], ['CONFIG', 'GET', 'hz'], ['CONFIG', 'SET', 'hz', '10'],
        ['CONFIG', 'RESETSTAT', 'x'], ['CONFIG', 'RESETSTAT'], ['CONFIG', 'REWRITE', 'x'], ['CONFIG', 'REWRITE'], ['CONFIG', 'HELP', 'x'], ['CONFIG', 'HELP'],
      ]);
      await d(t, [['CONFIG', 'GET', 'maxclients', 'MAXCLIENTS', 'timeout', 'hz'], ['CONFIG', 'GET', 'appendfsync', 'requirepass', 'proto-max-bulk-len']], 'pairs');
    });

    t.test('INFO, TIME, LASTSAVE, SHUTDOWN and DEBUG errors', async (t) => {
      await d(t, [
        ['INFO', 'nosuch'], ['INFO', 'nosuch', 'other'], ['TIME', 'x'], ['LASTSAVE', 'x'],
        ['SHUTDOWN', 'x'], ['SHUTDOWN', 'NOSAVE', 'SAVE'], ['SHUTDOWN', 'ABORT', 'x'], ['SHUTDOWN', 'ABORT'], ['SHUTDOWN', 'abort', 'abort'],
        ['SHUTDOWN', 'NOW', 'ABORT'], ['SHUTDOWN', 'save', 'FORCE', 'nosave'],
        ['DEBUG'], ['DEBUG', 'nosuch'], ['DEBUG', 'SLEEP'], ['DEBUG', 'sleep', '0.01', 'x'], ['DEBUG', 'SLEEP', '0'], ['DEBUG', 'SLEEP', 'x'],
        ['DEBUG', 'SLEEP', '-1'], ['DEBUG', 'SLEEP', '0.001'], ['DEBUG', 'SLEEP', ''], ['DEBUG', 'help', 'x'],
      ]);
    });

    t.test('INFO keyspace across shards', async (t) => {
      const keys = spread('ks:', 8, shards);
      await d(t, [
        ['FLUSHALL'], ['INFO', 'keyspace'],
        ['MSET', ...keys.flatMap((k) => [k, 'v'])], ['SELECT', '3'], ['MSET', ...keys.slice(0, 3).flatMap((k) => [k, 'v'])], ['SELECT', '0'],
        ['INFO', 'KEYSPACE'], ['DEL', keys[0], keys[1]], ['INFO', 'keyspace'], ['FLUSHALL'], ['INFO', 'keyspace'],
      ]);
    });
  });
}

suite(1, 2);
suite(4, 2);
suite(4, 3);

/** INFO reply text as a map of field -> value, and the section titles in order. */
async function info(c: RawClient, ...sections: string[]): Promise<{ f: Map<string, string>; titles: string[]; text: string }> {
  const r = await c.send('INFO', ...sections);
  const text = replyString(r);
  const f = new Map<string, string>();
  const titles: string[] = [];
  for (const line of text.split('\r\n')) {
    if (line.startsWith('# ')) titles.push(line.slice(2));
    else if (line.includes(':')) f.set(line.slice(0, line.indexOf(':')), line.slice(line.indexOf(':') + 1));
  }
  return { f, titles, text };
}

function num(m: Map<string, string>, k: string): number {
  const v = m.get(k);
  if (v === undefined || !/^-?\d+(\.\d+)?$/.test(v)) throw new Error(`INFO field ${k} is ${v}`);
  return Number(v);
}

/** commandstats line of one command as numbers. */
function cmdstat(m: Map<string, string>, name: string): Record<string, number> {
  const v = m.get(`cmdstat_${name}`);
  if (v === undefined) return { calls: 0, usec: 0, rejected_calls: 0, failed_calls: 0 };
  return Object.fromEntries(v.split(',').map((kv) => [kv.split('=')[0], Number(kv.split('=')[1])]));
}

t.test('respdb: INFO, CONFIG at runtime, COMMAND, TIME, DEBUG SLEEP', async (t) => {
  const shards = 4;
  const srv = await startRespdb({ shards });
  t.teardown(() => srv.stop());
  const clients: RawClient[] = [];
  const connect = async () => {
    const c = await RawClient.connect(srv.port, srv.host);
    clients.push(c);
    return c;
  };
  t.teardown(() => Promise.all(clients.map((c) => c.close())));
  const a = await connect();

  t.test('INFO sections and server fields', async (t) => {
    const def = await info(a);
    t.same(def.titles, ['Server', 'Clients', 'Memory', 'Persistence', 'Stats', 'Replication', 'CPU', 'Modules', 'Errorstats', 'Cluster', 'Keyspace']);
    t.match(def.text, /^# Server\r\n(?:[a-z_0-9]+:[^\r\n]*\r\n)+\r\n# Clients\r\n/, 'sections: title, field lines, blank line');
    t.ok(def.text.endsWith('\r\n') && !def.text.endsWith('\r\n\r\n'), 'ends after the last line');
    const all = await info(a, 'all');
    t.same(all.titles, ['Server', 'Clients', 'Memory', 'Persistence', 'Stats', 'Replication', 'CPU', 'Modules', 'Commandstats', 'Errorstats', 'Latencystats', 'Cluster', 'Keyspace', 'Respdb']);
    t.same((await info(a, 'everything')).titles, all.titles);
    t.same(
      (await info(a, 'default', 'commandstats', 'latencystats', 'respdb')).titles,
      all.titles,
    );
    t.same((await info(a, 'CPU', 'server', 'nosuch')).titles, ['Server', 'CPU'], 'fixed order, case-insensitive');
    const f = def.f;
    t.equal(f.get('redis_version'), '7.0.15');
    t.equal(f.get('respdb_version'), JSON.parse(fs.readFileSync(`${REPO_ROOT}/package.json`, 'utf8')).version);
    t.equal(f.get('redis_mode'), 'standalone');
    t.equal(num(f, 'process_id'), srv.proc.pid);
    t.equal(num(f, 'tcp_port'), srv.port);
    t.equal(num(f, 'shards'), shards);
    t.equal(f.get('arch_bits'), '64');
    t.match(f.get('run_id'), /^[0-9a-f]{40}$/);
    t.ok(num(f, 'uptime_in_seconds') >= 0 && num(f, 'uptime_in_days') === 0);
    t.ok(Math.abs(num(f, 'server_time_usec') / 1000 - Date.now()) < 10_000, 'server_time_usec is now');
    t.equal(num(f, 'hz'), 10);
    t.equal(f.get('role'), 'master');
    t.equal(num(f, 'connected_slaves'), 0);
    t.equal(f.get('cluster_enabled'), '0');
    t.equal(num(f, 'loading'), 0);
    t.ok(num(f, 'used_memory') > 0);
    t.match(f.get('used_memory_human'), /^\d+\.\d\dM$/);
    t.ok(num(f, 'used_memory_peak') >= num(f, 'used_memory'));
    t.ok(num(f, 'used_memory_rss') > 0);
    t.match(f.get('used_cpu_user'), /^\d+\.\d{6}$/);
    t.equal(num(f, 'maxclients'), 10000);
    // RESP3: a verbatim string
    const c3 = await connect();
    await c3.send('HELLO', '3');
    const v = await c3.send('INFO', 'server');
    t.equal(v.t, 'verbatim');
    t.equal((v as { format: string }).format, 'txt');
  });

  t.test('INFO clients', async (t) => {
    const before = num((await info(a, 'clients')).f, 'connected_clients');
    const extra = [await connect(), await connect()];
    for (const c of extra) await c.send('PING'); // accepted by the server for sure
    t.equal(num((await info(a, 'clients')).f, 'connected_clients'), before + 2);
    await Promise.all(extra.map((c) => c.close()));
    await sleep(50);
    t.equal(num((await info(a, 'clients')).f, 'connected_clients'), before);
  });

  t.test('keyspace, hits/misses, expired keys, commandstats, errorstats', async (t) => {
    const keys = spread('st:', 8, shards);
    await a.send('FLUSHALL');
    t.equal(formatReply(await a.send('CONFIG', 'RESETSTAT')), '+"OK"');
    let f = (await info(a, 'all')).f;
    t.equal(num(f, 'keyspace_hits'), 0);
    t.equal(num(f, 'keyspace_misses'), 0);
    t.equal(num(f, 'total_error_replies'), 0);
    t.equal(f.get('errorstat_ERR'), undefined, 'errorstats cleared');
    t.same(Object.keys(Object.fromEntries([...f].filter(([k]) => k.startsWith('cmdstat_')))), ['cmdstat_config|resetstat'], 'only RESETSTAT itself counted');
    t.ok(num(f, 'total_commands_processed') <= 2, 'counters reset');

    await a.send('MSET', ...keys.flatMap((k) => [k, '1']));
    await a.send('SET', 'volatile1', 'x', 'EX', '1000');
    await a.send('SET', 'volatile2', 'x', 'PX', '1');
    await a.send('SELECT', '2');
    await a.send('SET', 'other', 'x');
    await a.send('SELECT', '0');
    await sleep(20);
    await a.send('MGET', ...keys, 'missing1'); // 8 hits, 1 miss (on several shards)
    await a.send('GET', 'missing2'); // miss
    await a.send('EXISTS', keys[0]); // hit
    await a.send('GET', 'volatile2'); // expired: miss, and deleted as expired (active or lazy)
    await a.send('SET', keys[1], '2'); // writes do not count
    await a.send('GET'); // rejected: arity
    await a.send('INCR', 'volatile1'); // failed: not an integer
    await a.send('NOSUCHCOMMAND');
    await sleep(1200); // the active expiry sweeps and counts volatile2 at the latest now
    f = (await info(a, 'all')).f;
    // avg_ttl: sampled by the shards once a second, an estimate of volatile1's 1000 s
    const ttlOf = (v: string | undefined): number => Number(/avg_ttl=(\d+)$/.exec(v ?? '')?.[1] ?? -1);
    t.match(f.get('db0'), new RegExp(`^keys=${keys.length + 1},expires=1,avg_ttl=\\d+$`));
    t.ok(ttlOf(f.get('db0')) > 990_000 && ttlOf(f.get('db0')) <= 1_000_000, 'avg_ttl of the one volatile key');
    t.equal(f.get('db2'), 'keys=1,expires=0,avg_ttl=0');
    t.equal(f.get('db1'), undefined, 'empty dbs are not listed');
    t.equal(num(f, 'keyspace_hits'), 9);
    t.equal(num(f, 'keyspace_misses'), 3);
    t.equal(num(f, 'expired_keys'), 1);
    const get = cmdstat(f, 'get');
    t.equal(get.calls, 2);
    t.equal(get.rejected_calls, 1);
    t.equal(get.failed_calls, 0);
    t.equal(get.usec_per_call, Math.round((get.usec / get.calls) * 100) / 100, 'usec_per_call is usec / calls');
    t.equal(cmdstat(f, 'mget').calls, 1);
    t.equal(cmdstat(f, 'set').calls, 4);
    t.equal(cmdstat(f, 'incr').failed_calls, 1);
    t.equal(cmdstat(f, 'select').calls, 2);
    t.match(f.get('cmdstat_mset'), /^calls=1,usec=\d+,usec_per_call=\d+\.\d\d,rejected_calls=0,failed_calls=0$/);
    t.equal(f.get('errorstat_ERR'), 'count=3', 'arity, not-an-integer, unknown command');
    t.equal(num(f, 'total_error_replies'), 3);
    t.ok(num(f, 'total_commands_processed') >= 12);
    // CONFIG RESETSTAT clears them again
    await a.send('CONFIG', 'RESETSTAT');
    f = (await info(a, 'all')).f;
    t.equal(num(f, 'keyspace_hits'), 0);
    t.equal(num(f, 'expired_keys'), 0);
    t.equal(cmdstat(f, 'get').calls, 0);
    t.match(f.get('db0'), new RegExp(`^keys=${keys.length + 1},expires=1,avg_ttl=\\d+$`), 'key counts are not statistics');
  });

  t.test('instantaneous_ops_per_sec', async (t) => {
    // A rate the server samples once a second: PINGs keep coming until a sample has counted them
    // (a server that never samples or never counts keeps this loop going until tap's timeout).
    let ops = 0;
    let rounds = 0;
    while (ops === 0) {
      await a.pipeline(Array.from({ length: 50 }, () => ['PING']));
      ops = num((await info(a, 'stats')).f, 'instantaneous_ops_per_sec');
      rounds++;
    }
    t.ok(ops > 0, `commands in the last second: ${ops}/s after ${rounds} rounds of 50 PINGs`);
  });

  t.test('COMMAND: every client-visible command, nothing internal', async (t) => {
    const all = await a.send('COMMAND');
    if (all.t !== 'array' || !all.v) throw new Error('COMMAND did not reply an array');
    const count = await a.send('COMMAND', 'COUNT');
    t.equal(formatReply(count), `(integer) ${all.v.length}`);
    const names = all.v.map((e) => ((e as { v: Reply[] }).v[0] as { v: Buffer }).v.toString());
    const list = await a.send('COMMAND', 'LIST');
    const listed = (list as { v: Reply[] }).v.map((e) => (e as { v: Buffer }).v.toString());
    t.same(listed.filter((n) => !n.includes('|')).sort(), [...names].sort(), 'COMMAND LIST = COMMAND names (+ subcommands)');
    // internal helpers (some share a name with the command they serve) are not listed
    t.same([...listed].sort(), ALL.filter((d) => !d.internal).map((d) => d.name).sort(), 'exactly the client-visible table entries');
    const internalOnly = ALL.filter((d) => d.internal && !ALL.some((o) => !o.internal && o.name === d.name));
    for (const d of internalOnly) t.equal(formatReply(await a.send('COMMAND', 'INFO', d.name)), formatReply({ t: 'array', v: [{ t: 'bulk', v: null }] }), `internal ${d.name} unknown`);
    t.ok(names.includes('get') && names.includes('config') && !names.includes('config|get'));
    const keys = spread('gk:', 4, shards);
    t.equal(formatReply(await a.send('COMMAND', 'GETKEYS', 'MSET', ...keys.flatMap((k) => [k, 'v']))), formatReply({ t: 'array', v: keys.map((k) => ({ t: 'bulk', v: Buffer.from(k) })) }));
    // ACLCAT filter includes subcommands and is case-insensitive
    const conn = (await a.send('COMMAND', 'LIST', 'FILTERBY', 'ACLCAT', 'CONNECTION')) as { v: Reply[] };
    const connNames = conn.v.map((e) => (e as { v: Buffer }).v.toString());
    t.ok(connNames.includes('client|list') && connNames.includes('ping') && !connNames.includes('client') && !connNames.includes('get'));
  });

  t.test('TIME, LASTSAVE', async (t) => {
    const r = await a.send('TIME');
    if (r.t !== 'array' || !r.v || r.v.length !== 2) throw new Error('bad TIME ' + formatReply(r));
    const [s, us] = r.v.map((x) => replyString(x));
    t.match(s, /^\d+$/);
    t.match(us, /^\d+$/);
    t.ok(Number(us) < 1e6);
    t.ok(Math.abs(Number(s) - Date.now() / 1000) < 10, 'TIME is now');
    const ls = await a.send('LASTSAVE');
    t.equal(ls.t, 'int');
    t.ok(Number((ls as { v: bigint }).v) <= Date.now() / 1000 + 1);
  });

  t.test('DEBUG SLEEP delays only its own connection', async (t) => {
    const b = await connect();
    const order: string[] = [];
    const slow = a.pipeline([['DEBUG', 'SLEEP', '2'], ['PING', 'after']]).then((rs) => {
      order.push('a');
      return rs;
    });
    await sleep(50);
    t.equal(formatReply(await b.send('PING', 'other')), '"other"', 'another client is served meanwhile');
    order.push('b');
    const rs = await slow;
    t.same(order, ['b', 'a']);
    t.equal(formatReply(rs[0]), '+"OK"');
    t.equal(formatReply(rs[1]), '"after"', 'commands after it keep their order');
  });

  t.test('maxclients rejects with the exact error', async (t) => {
    const stats0 = (await info(a, 'stats')).f;
    const rejectedBefore = num(stats0, 'rejected_connections');
    // connected clients stay; any new one is over the limit
    t.equal(formatReply(await a.send('CONFIG', 'SET', 'maxclients', '1')), '+"OK"');
    const raw = await new Promise<string>((resolve, reject) => {
      const s = net.connect({ port: srv.port, host: srv.host });
      let data = '';
      s.on('data', (b: Buffer) => (data += b.toString('latin1')));
      s.on('close', () => resolve(data));
      s.on('error', reject);
    });
    t.equal(raw, '-ERR max number of clients reached\r\n', 'the error, then the connection closes');
    const stats1 = (await info(a, 'stats')).f;
    t.equal(num(stats1, 'rejected_connections'), rejectedBefore + 1);
    t.equal(num(stats1, 'total_connections_received'), num(stats0, 'total_connections_received'), 'a rejected connection is not a received one');
    await a.send('CONFIG', 'SET', 'maxclients', '10000');
    const ok = await connect();
    t.equal(formatReply(await ok.send('PING')), '+"PONG"', 'accepted again');
  });

  t.test('timeout closes idle clients', async (t) => {
    const idle = await connect();
    const busy = await connect();
    await idle.send('PING');
    t.equal(formatReply(await a.send('CONFIG', 'SET', 'timeout', '1')), '+"OK"');
    const stop = Date.now() + 3500;
    let closed = false;
    while (Date.now() < stop && !closed) {
      await busy.send('PING');
      await a.send('PING');
      await sleep(150);
      closed = idle.closed;
    }
    t.ok(closed, 'the idle client was closed');
    t.equal(busy.closed, false, 'an active client stays');
    await a.send('CONFIG', 'SET', 'timeout', '0');
  });

  t.test('hz and proto-max-bulk-len apply at runtime', async (t) => {
    await a.send('CONFIG', 'SET', 'hz', '50');
    t.equal((await info(a, 'server')).f.get('hz'), '50');
    await a.send('CONFIG', 'SET', 'hz', '10');
    const c = await connect();
    t.equal(formatReply(await c.send('PING')), '+"PONG"');
    // an existing connection gets the new limit: a longer bulk is a protocol error, answered and
    // then closed, as redis-server does. Only the header is sent, so that the server's close never
    // meets unread input (which would reset the connection and could lose the reply).
    const redis = await startRedis();
    t.teardown(() => redis.stop());
    const rc = await RawClient.connect(redis.port, redis.host);
    clients.push(rc);
    const header = `*3\r\n$3\r\nSET\r\n$3\r\nbig\r\n$${2 << 20}\r\n`;
    for (const [name, admin, conn] of [['redis', rc, rc], ['respdb', a, c]] as const) {
      t.equal(formatReply(await admin.send('CONFIG', 'SET', 'proto-max-bulk-len', '1mb')), '+"OK"', `${name}: CONFIG SET`);
      const [r] = await Promise.all([conn.readReply(), conn.sendRaw(header)]);
      t.equal(formatReply(r), '(error) "ERR Protocol error: invalid bulk length"', `${name}: the error reply`);
      t.ok(await conn.waitClose(3000), `${name}: then the connection closes`);
    }
    await a.send('CONFIG', 'SET', 'proto-max-bulk-len', '512mb');
  });
});

t.test('SHUTDOWN: no reply, exit code 0, data kept', async (t) => {
  const srv = await startRespdb({ shards: 2 });
  t.teardown(() => srv.stop());
  const keys = spread('sd:', 6, 2);
  for (const cmd of [['SHUTDOWN'], ['shutdown', 'NOSAVE', 'NOW', 'FORCE']]) {
    const c = await RawClient.connect(srv.port, srv.host);
    t.equal(formatReply(await c.send('MSET', ...keys.flatMap((k) => [k, cmd.join(' ')]))), '+"OK"');
    // (the child is unref'd: the timer keeps this process waiting for it, and bounds the wait)
    const exit = new Promise<number | null | 'timeout'>((resolve) => {
      const timer = setTimeout(() => resolve('timeout'), 15_000);
      srv.proc.once('exit', (code) => {
        clearTimeout(timer);
        resolve(code);
      });
    });
    const r = await c.send(...cmd).catch((e: Error) => e);
    t.ok(r instanceof Error && /closed/.test(r.message), `${cmd.join(' ')}: the connection closes without a reply`);
    t.equal(await exit, 0, 'the server exits with 0');
    await srv.restart();
    const c2 = await RawClient.connect(srv.port, srv.host);
    const got = await c2.send('MGET', ...keys);
    t.equal(formatReply(got), formatReply({ t: 'array', v: keys.map(() => ({ t: 'bulk', v: Buffer.from(cmd.join(' ')) })) }), 'data survived');
    await c2.close();
  }
});
