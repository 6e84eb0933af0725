// MONITOR against redis-server 7.0: the lines of the commands of several clients, in execution
// order, quoted as Redis quotes (binary, quotes, escapes), with the database after the command
// and the client's address; secrets redacted (AUTH, HELLO AUTH); admin commands, refused ones
// and unknown ones not shown; a blocking command shown once, when it blocks; a command held by
// CLIENT PAUSE shown when it runs; a cross-shard MSET shown once; what the MONITOR client itself
// may run; RESET and QUIT. Times and ports normalised. 1 and 4 shards, RESP2 and RESP3.
import t from 'tap';
import { startRespdb } from '../support/servers.js';
import { RawClient, encodeCommand, type Reply } from '../support/resp-client.js';
import { compareScenarios, untilBlocked, words, type Client, type Scenario } from '../support/clients.js';

/** Reads (and logs) MONITOR lines until the line of `ECHO <marker>` (logged too). */
async function linesUntil(m: Client, marker: string): Promise<void> {
  for (;;) {
    const r: Reply = await m.next();
    if (r.t === 'simple' && r.v.endsWith(`"ECHO" "${marker}"`)) return;
  }
}

const scenarios: Record<string, Scenario> = {
  async 'the commands of two clients, quoting, databases, redaction, what is not shown'(s) {
    const m = await s.client('m');
    await m.do('MONITOR');
    const a = await s.client('a');
    const b = await s.client('b');
    const cmds: (string | Buffer)[][] = [
      ['SET', 'k', 'v'],
      ['set', 'a b', 'x"y\\\n\r\t\x07\x08\x01\xff'],
      ['SET', Buffer.from([0, 1, 0x7f, 0x80, 0xfe, 0xff]), ''],
      ['SELECT', '3'], ['GET', 'k'], ['SELECT', '0'],
      ['AUTH', 'pw'], ['AUTH', 'u', 'pw'], ['AUTH', 'a', 'b', 'c'],
      ['HELLO', '2', 'AUTH', 'default', 'x'], ['HELLO', '3', 'AUTH', 'default', 'x', 'SETNAME', 'n'], ['HELLO', '4', 'AUTH', 'a', 'b'],
      ['HELLO', '2', 'SETNAME', 'a b', 'AUTH', 'default', 'x'],
      ['CONFIG', 'SET', 'maxclients', '10000'], ['CONFIG', 'GET', 'maxclients'], ['CLIENT', 'LIST'], ['CLIENT', 'ID'], ['CLIENT', 'SETNAME', 'zz'],
      ['NOSUCH', 'x'], ['GET'], ['CLIENT', 'NOSUCH'], ['LPUSH', 'l', '1'], ['INCR', 'k'], ['DEBUG', 'SLEEP', '0'], ['PING'], ['ECHO', ''],
      ['CLIENT', 'INFO'], ['SLOWLOG', 'GET'], ['INFO', 'server'], ['SET', '12345', 'v'], ['MSET', 'a', '1', 'b', '2', 'c', '3', 'd', '4'],
      ['MGET', 'a', 'b', 'c', 'd'], ['DEL', 'a', 'b', 'nope'], ['RESET'],
    ];
    // the replies are other tests' business (some carry ids and server details): the lines count
    for (const c of cmds) {
      await a.raw.send(...c);
      await b.raw.send('ECHO', 'between');
    }
    await a.do('ECHO', 'end');
    await linesUntil(m, 'end');
  },

  async 'a blocking command, a command held by a pause, the monitor client itself'(s) {
    const m = await s.client('m');
    await m.do('MONITOR');
    const admin = await s.client('admin');
    const bl = await s.client('bl');
    const served = bl.later('BLPOP', 'bl', '0');
    await untilBlocked(admin.raw, 1);
    await admin.do('RPUSH', 'bl', 'v');
    await served();
    await admin.do('CLIENT', 'PAUSE', '100000', 'WRITE');
    const held = bl.later('SET', 'held', '1');
    // (CLIENT LIST, not INFO: admin commands are not shown, and the number of polls may differ)
    await untilBlocked(admin.raw, 1);
    await admin.do('GET', 'held');
    await admin.do('CLIENT', 'UNPAUSE');
    await held();
    await admin.do('ECHO', 'end');
    await linesUntil(m, 'end');
    // the monitor client runs commands, but not the keyspace ones; a second MONITOR has no reply
    await m.raw.sendRaw(Buffer.concat([words('PING x'), words('GET k'), words('MONITOR'), words('ECHO own')].map((c) => encodeCommand(c))));
    await linesUntil(m, 'own');
    await m.do('RESET');
    await admin.do('SET', 'after', 'reset');
    await m.unasked();
    await m.do('MONITOR');
    await admin.do('ECHO', 'again');
    await linesUntil(m, 'again');
    await m.raw.sendRaw(encodeCommand(['QUIT']));
    await m.next();
    s.log('m closed', String(await m.raw.waitClose(5000)));
  },

  async 'two monitors, and a monitor that goes away'(s) {
    const m1 = await s.client('m1');
    const m2 = await s.client('m2', 3);
    await m1.do('MONITOR');
    await m2.do('MONITOR');
    const a = await s.client('a');
    await a.do('SET', 'x', '1');
    await a.do('ECHO', 'one');
    await linesUntil(m1, 'one');
    await linesUntil(m2, 'one');
    await m1.raw.close();
    await a.do('SET', 'x', '2');
    await a.do('ECHO', 'two');
    await linesUntil(m2, 'two');
  },
};

/** Runs when respdb has MULTI (transactions are another part of the server). */
const multiScenario: Scenario = async (s) => {
  const m = await s.client('m');
  await m.do('MONITOR');
  const a = await s.client('a');
  await a.pipe([['MULTI'], ['SET', 'x', '1'], ['INCR', 'x'], ['SELECT', '2'], ['GET', 'x'], ['EXEC']]);
  await a.do('ECHO', 'end');
  await linesUntil(m, 'end');
  await m.do('MULTI');
  await m.do('MONITOR');
  await m.do('EXEC');
};

for (const shards of [1, 4]) {
  t.test(`MONITOR, ${shards} shard(s)`, async (t) => {
    await compareScenarios(t, shards, scenarios, [['MULTI / EXEC', 2, multiScenario]], ['--enable-debug-command', 'yes']);
  });
}

t.test('MONITOR lines carry the time of execution, in order', async (t) => {
  const respdb = await startRespdb({ shards: 2 });
  const m = await RawClient.connect(respdb.port);
  const a = await RawClient.connect(respdb.port);
  t.teardown(async () => {
    await Promise.all([m.close(), a.close()]);
    await respdb.stop();
  });
  await m.send('MONITOR');
  const before = Date.now() / 1000;
  for (let i = 0; i < 50; i++) await a.send('SET', `k${i}`, String(i));
  const after = Date.now() / 1000;
  let last = 0;
  for (let i = 0; i < 50; i++) {
    const r = await m.readReply();
    const line = r.t === 'simple' ? r.v : '';
    const match = /^(\d+)\.(\d{6}) \[0 [\d.:]+\] "SET" "k(\d+)" "(\d+)"$/.exec(line);
    t.ok(match, `line ${i} is well formed: ${line}`);
    if (!match) continue;
    const ts = Number(`${match[1]}.${match[2]}`);
    t.ok(ts >= before - 0.001 && ts <= after + 0.001, 'the time is when the command ran');
    t.ok(ts >= last, 'times do not go back');
    t.equal(Number(match[3]), i, 'in execution order');
    last = ts;
  }
});
