// CLIENT PAUSE / UNPAUSE and CLIENT REPLY against redis-server 7.0, as transcripts of several
// clients: WRITE holds writes and PUBLISH but lets reads through, ALL holds everything (CLIENT
// UNPAUSE too; MONITOR clients are exempt), a held client's pipelined commands wait behind it
// and everything runs in order when the pause ends, a new pause never shortens or weakens the
// current one, keys do not expire while paused; REPLY OFF / SKIP / ON with pipelines, refused
// commands, pushes (which are still delivered) and QUIT. 1 and 4 shards, RESP2 and RESP3.
import t from 'tap';
import { encodeCommand, type Reply } from '../support/resp-client.js';
import { compareScenarios, infoField, sleep, until, words, type Client, type Scenario } from '../support/clients.js';

const w = words;

async function run(c: Client, ...cmds: string[]): Promise<void> {
  for (const x of cmds) await c.do(...w(x));
}

/** The commands as one write (a pipeline whose replies are read one by one). */
function raw(...cmds: string[]): Buffer {
  return Buffer.concat(cmds.map((c) => encodeCommand(w(c))));
}

/** INFO through a MONITOR client (not paused), skipping the MONITOR lines around its reply. */
async function monitorInfo(m: Client, field: string): Promise<number> {
  await m.raw.sendRaw(raw('INFO clients'));
  for (;;) {
    const r: Reply = await m.raw.readReply();
    if (r.t === 'bulk' || r.t === 'verbatim') {
      const text = r.t === 'verbatim' ? r.v : r.v!.toString('latin1');
      return Number(new RegExp(`^${field}:(\\d+)`, 'm').exec(text)![1]);
    }
  }
}

const scenarios: Record<string, Scenario> = {
  async 'argument errors'(s) {
    const a = await s.client('a');
    for (const c of [
      'CLIENT PAUSE', 'CLIENT PAUSE x', 'CLIENT PAUSE -1', 'CLIENT PAUSE 10 foo', 'CLIENT PAUSE 10 all x', 'CLIENT PAUSE 1.5',
      'CLIENT PAUSE x foo', 'CLIENT PAUSE 99999999999999999999', 'CLIENT PAUSE 9223372036854775807', 'CLIENT UNPAUSE x', 'CLIENT UNPAUSE',
      'CLIENT PAUSE 0', 'CLIENT PAUSE 0 WRITE', 'SET k v', 'CLIENT REPLY', 'CLIENT REPLY x', 'CLIENT REPLY ON x', 'CLIENT REPLY on',
    ]) {
      await a.do(...w(c));
    }
  },

  async 'WRITE: writes and PUBLISH held, reads pass, everything in order afterwards'(s) {
    const admin = await s.client('admin');
    const wr = await s.client('wr');
    const rd = await s.client('rd');
    const pub = await s.client('pub');
    await admin.do('SET', 'k', '0');
    await admin.do('CLIENT', 'PAUSE', '100000', 'WRITE');
    const set1 = wr.later('SET', 'k', '1');
    await until(admin.raw, 'clients', 'blocked_clients', 1);
    // a pipeline: its read runs now, its write waits, and so does the read behind the write
    await rd.raw.sendRaw(raw('GET k', 'SET k 2', 'GET k', 'INCR n'));
    await rd.next();
    await until(admin.raw, 'clients', 'blocked_clients', 2);
    const published = pub.later('PUBLISH', 'ch', 'm');
    await until(admin.raw, 'clients', 'blocked_clients', 3);
    await admin.do('GET', 'k');
    await admin.do('EXISTS', 'k', 'n');
    await admin.do('DBSIZE');
    await admin.do('CLIENT', 'UNPAUSE');
    await set1();
    for (let i = 0; i < 3; i++) await rd.next();
    await published();
    // the held writes ran in the order they were held: wr's SET, then rd's
    await admin.do('GET', 'k');
    await admin.do('GET', 'n');
    s.log('blocked_clients after', String(await infoField(admin.raw, 'clients', 'blocked_clients')));
  },

  async 'ALL: every command held, CLIENT UNPAUSE too; MONITOR clients are not paused'(s) {
    const admin = await s.client('admin');
    const a = await s.client('a');
    const b = await s.client('b');
    const m = await s.client('m');
    await m.do('MONITOR');
    await admin.do('CLIENT', 'PAUSE', '700', 'ALL');
    const ping = a.later('PING');
    const unpause = b.later('CLIENT', 'UNPAUSE');
    // the MONITOR client still runs commands (not the keyspace ones) and sees both held
    for (let i = 0; (await monitorInfo(m, 'blocked_clients')) !== 2; i++) {
      if (i === 1000) throw new Error('the commands were not held');
      await sleep(5);
    }
    s.log('held', '2');
    // the pause ends at its timeout: PING, then CLIENT UNPAUSE (in the order they came)
    await ping();
    await unpause();
    await admin.do('PING');
  },

  async 'a shorter or weaker pause does not shorten or weaken the current one'(s) {
    const admin = await s.client('admin');
    const a = await s.client('a');
    await admin.do('CLIENT', 'PAUSE', '100000', 'WRITE');
    await admin.do('CLIENT', 'PAUSE', '10', 'WRITE');
    await admin.do('CLIENT', 'PAUSE', '0', 'WRITE');
    await sleep(50);
    const set = a.later('SET', 'x', '1');
    await until(admin.raw, 'clients', 'blocked_clients', 1);
    await admin.do('GET', 'x');
    await admin.do('CLIENT', 'UNPAUSE');
    await set();
    await admin.do('GET', 'x');
    // WRITE for long, then ALL for a moment: ALL until the end of the WRITE pause
    const m = await s.client('m');
    await m.do('MONITOR');
    await admin.do('CLIENT', 'PAUSE', '600', 'WRITE');
    await admin.do('CLIENT', 'PAUSE', '10', 'ALL');
    await sleep(50);
    const get = a.later('GET', 'x');
    for (let i = 0; (await monitorInfo(m, 'blocked_clients')) !== 1; i++) {
      if (i === 1000) throw new Error('the read was not held');
      await sleep(5);
    }
    s.log('read held', '1');
    await get();
  },

  async 'MULTI under WRITE: a queued write waits, and so does an EXEC that holds one'(s) {
    const admin = await s.client('admin');
    const a = await s.client('a');
    const b = await s.client('b');
    const c = await s.client('c');
    await run(b, 'MULTI', 'SET bk 1');
    await run(c, 'MULTI', 'GET ck');
    await admin.do('CLIENT', 'PAUSE', '100000', 'WRITE');
    await a.do('MULTI');
    await a.do('GET', 'k');
    const queued = a.later('SET', 'k', '1');
    await until(admin.raw, 'clients', 'blocked_clients', 1);
    const execB = b.later('EXEC');
    await until(admin.raw, 'clients', 'blocked_clients', 2);
    // a transaction of reads runs
    await c.do('EXEC');
    await admin.do('CLIENT', 'UNPAUSE');
    await queued();
    await execB();
    await a.do('EXEC');
    await admin.do('MGET', 'k', 'bk');
  },

  async 'no key expires while paused'(s) {
    const admin = await s.client('admin');
    await admin.do('SET', 'e', 'v', 'PX', '100');
    await admin.do('SET', 'keep', 'v');
    await admin.do('CLIENT', 'PAUSE', '100000', 'WRITE');
    // long enough for the active expiry to have removed it, were it running
    await sleep(400);
    await admin.do('DBSIZE');
    await admin.do('GET', 'e');
    await admin.do('EXISTS', 'e');
    await admin.do('TTL', 'e');
    s.log('expired_keys', String(await infoField(admin.raw, 'stats', 'expired_keys')));
    await admin.do('CLIENT', 'UNPAUSE');
    for (let i = 0; ; i++) {
      const r = await admin.raw.send('DBSIZE');
      if (r.t === 'int' && r.v === 1n) break;
      if (i === 1000) throw new Error('the key never expired after the pause');
      await sleep(5);
    }
    await admin.do('DBSIZE');
  },

  async 'a paused client killed, a pause ended by UNPAUSE from another client'(s) {
    const admin = await s.client('admin');
    const a = await s.client('a');
    const b = await s.client('b');
    await admin.do('CLIENT', 'PAUSE', '100000', 'WRITE');
    a.raw.sendRaw(raw('SET a 1')).catch(() => {});
    const setB = b.later('SET', 'b', '1');
    await until(admin.raw, 'clients', 'blocked_clients', 2);
    await admin.doAs('CLIENT KILL ID <a>', 'CLIENT', 'KILL', 'ID', a.id);
    s.log('a closed', String(await a.raw.waitClose(5000)));
    await until(admin.raw, 'clients', 'blocked_clients', 1);
    await admin.do('CLIENT', 'UNPAUSE');
    await setB();
    await admin.do('EXISTS', 'a', 'b');
  },

  async 'REPLY OFF, SKIP and ON'(s) {
    const a = await s.client('a');
    await a.raw.sendRaw(
      raw(
        'CLIENT REPLY OFF', 'PING', 'NOSUCH', 'CLIENT REPLY SKIP', 'GET', 'SET k v', 'CLIENT REPLY ON', 'PING a',
        'CLIENT REPLY SKIP', 'NOSUCH', 'PING b',
        'CLIENT REPLY SKIP', 'CLIENT REPLY SKIP', 'PING c', 'PING d',
        'CLIENT REPLY SKIP', 'GET', 'PING e',
        'CLIENT REPLY SKIP', 'GET k', 'GET k',
        'CLIENT REPLY SKIP', 'CLIENT REPLY ON', 'PING f',
        'CLIENT REPLY OFF', 'CLIENT REPLY SKIP', 'PING g', 'CLIENT REPLY ON', 'PING h',
        'CLIENT REPLY SKIP', 'RESET', 'PING i',
        'CLIENT REPLY OFF', 'RESET', 'PING j',
      ),
    );
    for (let i = 0; i < 9; i++) await a.next();
    await a.unasked();
  },

  async 'REPLY OFF: errors are still counted, pushes still arrive, QUIT does not close'(s) {
    const admin = await s.client('admin');
    await admin.do('CONFIG', 'RESETSTAT');
    const a = await s.client('a', 3);
    await a.raw.sendRaw(raw('CLIENT REPLY OFF', 'NOSUCH', 'GET', 'INCR k k', 'SUBSCRIBE ch', 'CLIENT TRACKING on', 'GET tk'));
    // the subscription's confirmation is a push: it arrives although replies are off
    await a.next();
    await admin.do('PUBLISH', 'ch', 'hello');
    await a.next();
    await admin.do('SET', 'tk', '1');
    await a.next();
    s.log('total_error_replies', String(await infoField(admin.raw, 'stats', 'total_error_replies')));
    const q = await s.client('q');
    await q.raw.sendRaw(raw('CLIENT REPLY OFF', 'QUIT', 'SET afterquit 1'));
    // QUIT's reply is dropped and Redis then keeps the connection (it only stops reading it)
    for (let i = 0; ; i++) {
      const r = await admin.raw.send('CLIENT', 'LIST', 'ID', q.id);
      const text = r.t === 'verbatim' ? r.v : r.t === 'bulk' && r.v ? r.v.toString('latin1') : '';
      if (/cmd=quit/.test(text)) break;
      if (i === 1000) throw new Error('QUIT did not run');
      await sleep(5);
    }
    s.log('q still connected', String(!q.raw.closed));
    await admin.do('EXISTS', 'afterquit');
  },

  async 'REPLY SKIP of a command held by a pause'(s) {
    const admin = await s.client('admin');
    const a = await s.client('a');
    await admin.do('CLIENT', 'PAUSE', '100000', 'WRITE');
    await a.raw.sendRaw(raw('CLIENT REPLY SKIP', 'SET k v', 'GET k'));
    await until(admin.raw, 'clients', 'blocked_clients', 1);
    await admin.do('CLIENT', 'UNPAUSE');
    await a.next();
    await a.unasked();
  },
};

for (const shards of [1, 4]) {
  t.test(`CLIENT PAUSE / REPLY, ${shards} shard(s)`, async (t) => {
    await compareScenarios(t, shards, scenarios);
  });
}
