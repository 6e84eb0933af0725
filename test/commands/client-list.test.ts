// CLIENT LIST, CLIENT INFO and CLIENT KILL against redis-server 7.0: clients in every state
// respdb has (named, another db, RESP3, subscribed, blocked, held by CLIENT PAUSE, tracking,
// BCAST, broken redirect, MONITOR, NO-EVICT, in MULTI) listed by another client, each line
// compared field by field; the LIST filters; KILL in both forms with each filter and their
// combinations. Ids, addresses and ports read as the clients' names; fd, age, idle and the
// allocator-sized fields (qbuf-free, rbs, rbp, tot-mem) are left out. 1 and 4 shards, RESP2 and
// RESP3, plus the COMMAND INFO / DOCS of every CLIENT subcommand and MONITOR.
import t from 'tap';
import { startRedis, startRespdb } from '../support/servers.js';
import { RawClient, formatReply, type Reply } from '../support/resp-client.js';
import { docFields, infoSorted } from '../support/command-docs.js';
import { compareScenarios, sleep, untilBlocked, untilGone, type Client, type Scenario, type Side } from '../support/clients.js';

const MASKED = new Set(['fd', 'age', 'idle', 'qbuf-free', 'rbs', 'rbp', 'tot-mem']);

function text(r: Reply): string {
  return r.t === 'verbatim' ? r.v : r.t === 'bulk' && r.v ? r.v.toString('latin1') : formatReply(r);
}

/**
 * The lines of CLIENT LIST / INFO for the scenario's own clients (others, still closing from an
 * earlier scenario, left out), fields that depend on time or allocators masked. `blocked`: names
 * of clients in a blocking command, whose argv-mem respdb does not count.
 */
function listLines(s: Side, r: Reply, blocked: string[] = []): string[] {
  const out: string[] = [];
  for (const raw of text(r).split('\n')) {
    if (raw === '') continue;
    const line = s.norm(raw);
    const id = /^id=(\S+)/.exec(line)![1];
    if (/^\d+$/.test(id)) continue;
    out.push(
      line
        .split(' ')
        .map((f) => {
          const k = f.slice(0, f.indexOf('='));
          return MASKED.has(k) || (k === 'argv-mem' && blocked.includes(id)) ? `${k}=*` : f;
        })
        .join(' '),
    );
  }
  return out;
}

async function logList(s: Side, by: Client, label: string, cmd: string[], blocked: string[] = []): Promise<void> {
  const r = await by.raw.send(...cmd);
  if (r.t === 'error') return s.log(`${by.name}: ${label}`, r);
  // Redis rotates its list of clients as its cron visits them: the order is not the creation order
  for (const l of listLines(s, r, blocked).sort()) s.log(`${by.name}: ${label}`, l);
}

const scenarios: Record<string, Scenario> = {
  async 'CLIENT LIST and INFO of clients in every state'(s) {
    const lister = await s.client('lister');
    const named = await s.client('named');
    await named.do('CLIENT', 'SETNAME', 'alpha');
    await named.do('SELECT', '3');
    const r3 = await s.client('r3', 3);
    await r3.do('PING');
    const ev = await s.client('ev');
    await ev.do('CLIENT', 'NO-EVICT', 'on');
    const sub = await s.client('sub', 2);
    await sub.do('SUBSCRIBE', 'ch1', 'ch2');
    await sub.do('PSUBSCRIBE', 'p*');
    const ssub = await s.client('ssub', 3);
    await ssub.do('SSUBSCRIBE', 'sc');
    const tr = await s.client('tr', 3);
    await tr.do('CLIENT', 'TRACKING', 'on', 'OPTIN', 'NOLOOP');
    await tr.do('GET', 'k');
    const bc = await s.client('bc');
    await bc.do('CLIENT', 'TRACKING', 'on', 'BCAST', 'PREFIX', 'user:', 'PREFIX', 'obj:');
    const gone = await s.client('gone');
    const br = await s.client('br', 3);
    await br.doAs('CLIENT TRACKING on REDIRECT <gone>', 'CLIENT', 'TRACKING', 'on', 'REDIRECT', gone.id);
    await br.do('GET', 'brk');
    await gone.raw.close();
    await untilGone(lister.raw, gone.id);
    await lister.do('SET', 'brk', '1');
    // the tracking client learns that its redirect is gone (a push in RESP3)
    await br.unasked();
    const mon = await s.client('mon');
    await mon.do('MONITOR');
    const blocked = await s.client('blocked');
    const wait = blocked.later('BLPOP', 'nothing', '0');
    await untilBlocked(lister.raw, 1);
    await logList(s, lister, 'CLIENT LIST', ['CLIENT', 'LIST'], ['blocked']);
    await logList(s, named, 'CLIENT INFO', ['CLIENT', 'INFO']);
    await logList(s, r3, 'CLIENT INFO', ['CLIENT', 'INFO']);
    await logList(s, lister, 'CLIENT LIST ID', ['CLIENT', 'LIST', 'ID', named.id, tr.id, '999999', sub.id]);
    await lister.do('RPUSH', 'nothing', 'x');
    await wait();
    await logList(s, lister, 'CLIENT LIST TYPE normal', ['CLIENT', 'LIST', 'TYPE', 'normal']);
    await logList(s, lister, 'CLIENT LIST TYPE pubsub', ['CLIENT', 'LIST', 'TYPE', 'pubsub']);
    await logList(s, lister, 'CLIENT LIST TYPE master', ['CLIENT', 'LIST', 'TYPE', 'master']);
    await logList(s, lister, 'CLIENT LIST TYPE replica', ['CLIENT', 'LIST', 'TYPE', 'replica']);
    await logList(s, lister, 'CLIENT LIST TYPE slave', ['CLIENT', 'LIST', 'TYPE', 'slave']);
    // RESET clears the name, db, tracking, MONITOR, NO-EVICT and the protocol
    for (const c of [named, tr, ev, r3]) await c.do('RESET');
    await logList(s, lister, 'CLIENT LIST after RESET', ['CLIENT', 'LIST']);
  },

  async 'a client held by CLIENT PAUSE, pipelined commands behind it'(s) {
    const admin = await s.client('admin');
    const w = await s.client('w');
    await admin.do('CLIENT', 'PAUSE', '100000', 'WRITE');
    await w.raw.sendRaw('*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\n1\r\n*2\r\n$3\r\nGET\r\n$1\r\nk\r\n');
    await untilBlocked(admin.raw, 1);
    await logList(s, admin, 'CLIENT LIST', ['CLIENT', 'LIST']);
    await admin.do('CLIENT', 'UNPAUSE');
    await w.next();
    await w.next();
    await logList(s, admin, 'CLIENT LIST', ['CLIENT', 'LIST']);
  },

  async 'right after CLIENT UNPAUSE: flag u, the held command not run yet'(s) {
    const a = await s.client('a');
    const b = await s.client('b');
    await a.do('SET', 'k', '0');
    await a.do('CLIENT', 'PAUSE', '100000', 'WRITE');
    const set = b.later('SET', 'k', '1');
    await untilBlocked(a.raw, 1);
    // what is pipelined behind CLIENT UNPAUSE runs before the commands it releases
    const [unpaused, listed, got] = await a.raw.pipeline([['CLIENT', 'UNPAUSE'], ['CLIENT', 'LIST', 'ID', b.id], ['GET', 'k']]);
    s.log('a: CLIENT UNPAUSE', unpaused);
    for (const l of listLines(s, listed)) s.log('a: CLIENT LIST ID <b>', l);
    s.log('a: GET k', got);
    await set();
    await logList(s, a, 'CLIENT LIST ID <b>', ['CLIENT', 'LIST', 'ID', b.id]);
  },

  async 'the caller during a pipeline, an unknown command, refused commands'(s) {
    const a = await s.client('a');
    const b = await s.client('b');
    for (const cmd of [['NOSUCH'], ['GET'], ['CLIENT', 'NOSUCH'], ['CLIENT'], ['CONFIG', 'GET', 'x'], ['CLIENT', 'ID', 'x']]) {
      await b.do(...cmd);
      await logList(s, a, `CLIENT LIST ID <b> after ${cmd.join(' ')}`, ['CLIENT', 'LIST', 'ID', b.id]);
    }
    await logList(s, a, 'CLIENT INFO', ['CLIENT', 'INFO']);
    await logList(s, a, 'CLIENT LIST TYPE normal', ['CLIENT', 'LIST', 'TYPE', 'NORMAL']);
  },

  async 'CLIENT LIST and KILL errors'(s) {
    const a = await s.client('a');
    for (const cmd of [
      'CLIENT LIST TYPE x', 'CLIENT LIST TYPE', 'CLIENT LIST ID', 'CLIENT LIST ID x', 'CLIENT LIST ID 1 x', 'CLIENT LIST foo',
      'CLIENT LIST TYPE normal ID 1', 'CLIENT INFO x', 'CLIENT KILL', 'CLIENT KILL 1.2.3.4:5', 'CLIENT KILL ID', 'CLIENT KILL ID x',
      'CLIENT KILL ID 0', 'CLIENT KILL ID -5', 'CLIENT KILL ID 01', 'CLIENT KILL ID 999999', 'CLIENT KILL ADDR 1.2.3.4:5',
      'CLIENT KILL LADDR 1.2.3.4:5', 'CLIENT KILL TYPE x', 'CLIENT KILL TYPE master', 'CLIENT KILL TYPE slave', 'CLIENT KILL TYPE replica',
      'CLIENT KILL TYPE normal SKIPME x', 'CLIENT KILL USER nouser', 'CLIENT KILL USER default USER nouser', 'CLIENT KILL a b c',
      'CLIENT KILL MAXAGE 1', 'CLIENT KILL SKIPME no SKIPME', 'CLIENT KILL ID 999999 SKIPME yes ADDR 1.2.3.4:5', 'CLIENT KILL id 1 type',
    ]) {
      await a.do(...cmd.split(' '));
    }
  },

  async 'CLIENT KILL with each filter and combined'(s) {
    const admin = await s.client('admin');
    const k1 = await s.client('k1');
    const k2 = await s.client('k2');
    const k3 = await s.client('k3');
    const p1 = await s.client('p1');
    await p1.do('SUBSCRIBE', 'x');
    const p2 = await s.client('p2', 3);
    await p2.do('SUBSCRIBE', 'y');
    const k4 = await s.client('k4');
    const k5 = await s.client('k5');
    const closed = (c: Client) => c.raw.waitClose(5000).then((x) => s.log(`${c.name} closed`, String(x)));
    const list = () => logList(s, admin, 'CLIENT LIST', ['CLIENT', 'LIST']);
    await admin.doAs('CLIENT KILL ID <k1>', 'CLIENT', 'KILL', 'ID', k1.id);
    await closed(k1);
    await admin.doAs('CLIENT KILL ID <k1> (again)', 'CLIENT', 'KILL', 'ID', k1.id);
    await admin.doAs('CLIENT KILL ADDR <k2>', 'CLIENT', 'KILL', 'ADDR', k2.addr);
    await closed(k2);
    await admin.doAs('CLIENT KILL <k3> (old form)', 'CLIENT', 'KILL', k3.addr);
    await closed(k3);
    await admin.doAs('CLIENT KILL <k3> (old form, again)', 'CLIENT', 'KILL', k3.addr);
    await admin.doAs('CLIENT KILL TYPE pubsub ID <k4>', 'CLIENT', 'KILL', 'TYPE', 'pubsub', 'ID', k4.id);
    await admin.doAs('CLIENT KILL TYPE pubsub USER default', 'CLIENT', 'KILL', 'TYPE', 'pubsub', 'USER', 'default');
    await closed(p1);
    await closed(p2);
    await list();
    await admin.doAs('CLIENT KILL ID <admin>', 'CLIENT', 'KILL', 'ID', admin.id);
    await admin.doAs('CLIENT KILL ADDR <k4> ID <k5>', 'CLIENT', 'KILL', 'ADDR', k4.addr, 'ID', k5.id);
    await admin.doAs('CLIENT KILL ADDR <k4> ID <k4> SKIPME no', 'CLIENT', 'KILL', 'ADDR', k4.addr, 'ID', k4.id, 'SKIPME', 'no');
    await closed(k4);
    // the listener address matches every client; the caller is skipped unless SKIPME no
    const laddr = /laddr=(\S+)/.exec(text(await admin.raw.send('CLIENT', 'INFO')))![1];
    await admin.doAs('CLIENT KILL LADDR <server> TYPE normal', 'CLIENT', 'KILL', 'LADDR', laddr, 'TYPE', 'normal');
    await closed(k5);
    await list();
    await admin.doAs('CLIENT KILL LADDR <server> SKIPME no', 'CLIENT', 'KILL', 'LADDR', laddr, 'SKIPME', 'no');
    await closed(admin);
  },

  async 'CLIENT KILL of the caller by the old form, pipelined commands after it'(s) {
    const a = await s.client('a');
    const b = await s.client('b');
    await a.raw.sendRaw(`*3\r\n$6\r\nCLIENT\r\n$4\r\nKILL\r\n$${a.addr.length}\r\n${a.addr}\r\n*3\r\n$3\r\nSET\r\n$5\r\nafter\r\n$1\r\n1\r\n`);
    s.log('a', formatReply(await a.raw.readReply()));
    s.log('a closed', String(await a.raw.waitClose(5000)));
    await b.do('EXISTS', 'after');
  },
};

/** Runs when respdb has MULTI (transactions are another part of the server). */
const multiScenario: Scenario = async (s) => {
  const lister = await s.client('lister');
  const x = await s.client('x');
  await x.do('MULTI');
  await x.do('SET', 'k', 'v');
  await x.do('SET', 'kkkkkkkkkkkkkkkkkkkkkkkkkkkk', 'v');
  await logList(s, lister, 'CLIENT LIST ID <x>', ['CLIENT', 'LIST', 'ID', x.id]);
  await x.do('EXEC');
  await logList(s, lister, 'CLIENT LIST ID <x>', ['CLIENT', 'LIST', 'ID', x.id]);
};

for (const shards of [1, 4]) {
  t.test(`CLIENT LIST / INFO / KILL, ${shards} shard(s)`, async (t) => {
    await compareScenarios(t, shards, scenarios, [['a client in MULTI', 2, multiScenario]]);
  });
}

t.test('COMMAND INFO and DOCS of CLIENT and MONITOR', async (t) => {
  const [redis, respdb] = await Promise.all([startRedis(), startRespdb({ shards: 1 })]);
  const r = await RawClient.connect(redis.port);
  const d = await RawClient.connect(respdb.port);
  t.teardown(async () => {
    await Promise.all([r.close(), d.close()]);
    await Promise.all([redis.stop(), respdb.stop()]);
  });
  const names = [
    'client', 'client|caching', 'client|getredir', 'client|getname', 'client|help', 'client|id', 'client|info', 'client|kill', 'client|list',
    'client|no-evict', 'client|pause', 'client|reply', 'client|setname', 'client|tracking', 'client|trackinginfo', 'client|unblock',
    'client|unpause', 'monitor',
  ];
  for (const n of names) {
    t.equal(infoSorted(await d.send('COMMAND', 'INFO', n)), infoSorted(await r.send('COMMAND', 'INFO', n)), `COMMAND INFO ${n}`);
    const docs = async (c: RawClient) => formatReply(docFields(await c.send('COMMAND', 'DOCS', n)), { unordered: true });
    t.equal(await docs(d), await docs(r), `COMMAND DOCS ${n}`);
  }
  t.equal(formatReply(await d.send('CLIENT', 'HELP')), formatReply(await r.send('CLIENT', 'HELP')), 'CLIENT HELP');
  await sleep(0);
});
