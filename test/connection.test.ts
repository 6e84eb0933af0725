// Connection commands: PING ECHO SELECT QUIT RESET AUTH HELLO CLIENT. Differential against
// redis-server 7.0 (RESP2 and RESP3, with 1 and 4 shards; with 4 shards SELECT is checked with keys
// on different shards), plus direct tests of what cannot be compared byte for byte: CLIENT
// LIST/INFO/KILL (ids, addresses), AUTH with requirepass, and an ioredis RESP3 round trip.
import t, { type Test } from 'tap';
import { Redis } from 'ioredis';
import { pair, diff, startRespdb, withResp3, type Pair } from './support/servers.js';
import { sharedPairs } from './support/shared-pair.js';
import { RawClient, formatReply, replyString, type Reply } from './support/resp-client.js';
import { spread } from './support/keys.js';

type Cmd = (string | Buffer)[];


/** HELLO's reply with the client id replaced by 0 (ids differ between servers). */
function maskId(r: Reply): Reply {
  if (r.t === 'map') return { t: 'map', v: r.v.map(([k, v]) => [k, k.t === 'bulk' && k.v?.toString() === 'id' ? { t: 'int', v: 0n } : v]) };
  if (r.t === 'array' && r.v) {
    const v = [...r.v];
    for (let i = 0; i + 1 < v.length; i += 2) if (v[i].t === 'bulk' && (v[i] as { v: Buffer }).v.toString() === 'id') v[i + 1] = { t: 'int', v: 0n };
    return { t: 'array', v };
  }
  return r;
}

/** Sends to both servers and compares after `mask`. */
async function same(t: Test, p: Pick<Pair, 'redis' | 'respdb'>, cmd: Cmd, mask: (r: Reply) => Reply = (r) => r): Promise<Reply> {
  const want = mask(await p.redis.send(...cmd));
  const got = mask(await p.respdb.send(...cmd));
  t.equal(formatReply(got), formatReply(want), cmd.map(String).join(' '));
  return got;
}

function intOf(r: Reply): number {
  if (r.t !== 'int') throw new Error('expected an integer, got ' + formatReply(r));
  return Number(r.v);
}

// one pair per shard count for the differential parts: they change only their connections' state
const shared = sharedPairs(t);

function suite(shards: number): void {
  t.test(`differential, shards=${shards}`, async (t) => {
    const p = await shared(shards);
    const d = (t: Test, cmds: Cmd[]) => diff(t, p, cmds);

    t.test('PING ECHO', async (t) => {
      await d(t, [['PING'], ['ping', 'hello'], ['PING', ''], ['PING', 'a', 'b'], ['ECHO'], ['ECHO', 'x'], ['ECHO', Buffer.from([0, 255, 13, 10])], ['ECHO', 'a', 'b']]);
    });

    t.test('SELECT', async (t) => {
      await d(t, [
        ['SELECT'], ['SELECT', 'x'], ['SELECT', '16'], ['SELECT', '-1'], ['SELECT', '01'], ['SELECT', ' 1'], ['SELECT', '1.5'],
        ['SELECT', '2147483648'], ['SELECT', '-2147483649'], ['SELECT', '99999999999999999999'], ['SELECT', '0', '1'],
        ['SELECT', '15'], ['SELECT', '0'],
      ]);
      // The selected db travels with commands to every shard.
      const keys = spread('sel:', 4, shards);
      await d(t, [
        ['FLUSHALL'],
        ['SELECT', '3'],
        ['MSET', ...keys.flatMap((k) => [k, `v3-${k}`])],
        ['SELECT', '0'],
        ['MGET', ...keys],
        ['SET', keys[0], 'zero'],
        ['SELECT', '3'],
        ['MGET', ...keys],
        ['RESET'],
        ['MGET', ...keys],
        ['FLUSHALL'],
      ]);
    });

    t.test('AUTH without a password configured', async (t) => {
      await d(t, [['AUTH'], ['AUTH', 'x'], ['AUTH', 'default', 'anything'], ['AUTH', 'nouser', 'x'], ['AUTH', 'DEFAULT', 'x'], ['AUTH', 'a', 'b', 'c'], ['PING']]);
    });

    t.test('HELLO', async (t) => {
      for (const cmd of [
        ['HELLO', '1'], ['HELLO', '4'], ['HELLO', '-1'], ['HELLO', 'x'], ['HELLO', '3x'], ['HELLO', '2.0'], ['HELLO', '99999999999999999999'],
        ['HELLO', '2', 'foo'], ['HELLO', '2', 'AUTH', 'a'], ['HELLO', '2', 'AUTH', 'default'], ['HELLO', '3', 'SETNAME'],
        ['HELLO', '2', 'SETNAME', 'a b'], ['HELLO', '2', 'AUTH', 'nouser', 'x'], ['HELLO', '2', 'AUTH', 'default', 'x', 'foo'],
        ['HELLO', '1', 'AUTH', 'default', 'x'],
      ]) {
        await same(t, p, cmd);
      }
      await same(t, p, ['HELLO'], maskId);
      await same(t, p, ['HELLO', '2', 'SETNAME', 'n1'], maskId);
      await same(t, p, ['CLIENT', 'GETNAME']);
      await same(t, p, ['HELLO', '3', 'AUTH', 'default', 'whatever', 'SETNAME', 'n2', 'SETNAME', 'n3'], maskId);
      await same(t, p, ['CLIENT', 'GETNAME']);
      // RESP3 now: replies change shape
      await same(t, p, ['HELLO'], maskId);
      await d(t, [['PING'], ['PING', 'x'], ['CLIENT', 'GETNAME'], ['CLIENT', 'SETNAME', ''], ['CLIENT', 'GETNAME'], ['CLIENT', 'LIST', 'TYPE', 'replica'], ['SELECT', '999']]);
      await same(t, p, ['HELLO', '3', 'SETNAME', 'bad name'], maskId);
      await same(t, p, ['HELLO'], maskId);
      await same(t, p, ['HELLO', '2'], maskId);
      await d(t, [['CLIENT', 'LIST', 'TYPE', 'master']]);
    });

    t.test('RESET', async (t) => {
      await same(t, p, ['HELLO', '3', 'SETNAME', 'someone'], maskId);
      await d(t, [['SELECT', '5'], ['CLIENT', 'NO-EVICT', 'on'], ['RESET', 'x'], ['RESET'], ['CLIENT', 'GETNAME'], ['PING', 'resp2-again'], ['CLIENT', 'LIST', 'TYPE', 'pubsub']]);
      const info = replyString(await p.respdb.send('CLIENT', 'INFO'));
      t.match(info, / db=0 /, 'RESET selected db 0');
      t.match(info, / flags=e /, 'RESET keeps NO-EVICT (as redis-server 7.0 does)');
      t.match(info, / resp=2\n$/, 'RESET went back to RESP2');
    });

    t.test('CLIENT errors and simple subcommands', async (t) => {
      await d(t, [
        ['CLIENT'], ['CLIENT', 'nosuch'], ['CLIENT', 'ID', 'x'], ['CLIENT', 'GETNAME', 'x'], ['CLIENT', 'SETNAME'], ['CLIENT', 'INFO', 'x'],
        ['CLIENT', 'HELP', 'x'], ['CLIENT', 'SETNAME', 'a b'], ['CLIENT', 'SETNAME', 'a\nb'], ['CLIENT', 'SETNAME', 'é'],
        ['CLIENT', 'SETNAME', Buffer.from([0x7f])], ['CLIENT', 'SETNAME', '\t'], ['CLIENT', 'GETNAME'],
        ['CLIENT', 'SETNAME', '~!@#$%^&*()_+{}|:<>?'], ['CLIENT', 'GETNAME'], ['CLIENT', 'SETNAME', ''], ['CLIENT', 'GETNAME'],
        ['CLIENT', 'NO-EVICT'], ['CLIENT', 'NO-EVICT', 'x'], ['CLIENT', 'NO-EVICT', 'ON'], ['CLIENT', 'NO-EVICT', 'off'],
        ['CLIENT', 'LIST', 'TYPE', 'x'], ['CLIENT', 'LIST', 'TYPE', 'replica'], ['CLIENT', 'LIST', 'TYPE', 'slave'], ['CLIENT', 'LIST', 'TYPE', 'master'],
        ['CLIENT', 'LIST', 'TYPE', 'PUBSUB'], ['CLIENT', 'LIST', 'TYPE'], ['CLIENT', 'LIST', 'ID'], ['CLIENT', 'LIST', 'ID', 'x'],
        ['CLIENT', 'LIST', 'ID', '1', 'x'], ['CLIENT', 'LIST', 'ID', '0', '-1', '999999'], ['CLIENT', 'LIST', 'foo'],
        ['CLIENT', 'LIST', 'TYPE', 'normal', 'ID', '1'], ['CLIENT', 'LIST', 'ID', '1', 'TYPE', 'normal'],
        ['CLIENT', 'KILL'], ['CLIENT', 'KILL', '1.2.3.4:5'], ['CLIENT', 'KILL', 'ID'], ['CLIENT', 'KILL', 'ID', 'x'], ['CLIENT', 'KILL', 'ID', '0'],
        ['CLIENT', 'KILL', 'ID', '-5'], ['CLIENT', 'KILL', 'ID', '01'], ['CLIENT', 'KILL', 'ID', '9999999999999999999999'], ['CLIENT', 'KILL', 'ID', '999999'],
        ['CLIENT', 'KILL', 'ADDR', '1.2.3.4:5'], ['CLIENT', 'KILL', 'LADDR', '1.2.3.4:5'], ['CLIENT', 'KILL', 'TYPE', 'x'],
        ['CLIENT', 'KILL', 'TYPE', 'master'], ['CLIENT', 'KILL', 'TYPE', 'slave'], ['CLIENT', 'KILL', 'TYPE', 'pubsub'],
        ['CLIENT', 'KILL', 'TYPE', 'normal', 'SKIPME', 'x'], ['CLIENT', 'KILL', 'USER', 'nouser'], ['CLIENT', 'KILL', 'USER', 'default', 'USER', 'nouser'],
        ['CLIENT', 'KILL', 'a', 'b', 'c'], ['CLIENT', 'KILL', 'MAXAGE', '1'], ['CLIENT', 'KILL', 'SKIPME', 'no', 'SKIPME'],
        ['CLIENT', 'KILL', 'ID', '999999', 'SKIPME', 'yes', 'ADDR', '1.2.3.4:5'],
      ]);
    });

    t.test('QUIT', async (t) => {
      for (const cmd of [['QUIT'], ['QUIT', 'extra', 'args']]) {
        const r = await RawClient.connect(p.redisProc.port);
        const d2 = await RawClient.connect(p.respdbProc.port);
        // QUIT replies +OK, closes, and nothing pipelined after it runs.
        const [wr] = await Promise.all([r.send(...cmd), r.sendRaw('*1\r\n$4\r\nPING\r\n').catch(() => {})]);
        const [gr] = await Promise.all([d2.send(...cmd), d2.sendRaw('*1\r\n$4\r\nPING\r\n').catch(() => {})]);
        t.equal(formatReply(gr), formatReply(wr), cmd.join(' '));
        t.ok(await d2.waitClose(3000), 'respdb closed the connection');
        t.ok(await r.waitClose(3000), 'redis closed the connection');
        t.equal(d2.queued, r.queued, 'no reply after QUIT');
      }
    });
  });

  t.test(`differential RESP3, shards=${shards}`, async (t) => {
    await withResp3(await shared(shards), (p) => diff(t, p, [
      ['PING'], ['PING', 'x'], ['ECHO', 'y'], ['SELECT', '2'], ['SELECT', 'x'], ['CLIENT', 'GETNAME'], ['CLIENT', 'LIST', 'TYPE', 'master'],
      ['CLIENT', 'LIST', 'ID', '999999'], ['CLIENT', 'KILL', 'ID', '999999'], ['AUTH', 'x'], ['RESET'], ['PING'], ['CLIENT', 'GETNAME'],
    ]));
  });
}

suite(1);
suite(4);

t.test('requirepass: AUTH, HELLO AUTH, RESET, CONFIG SET requirepass (differential)', async (t) => {
  // (the harness pings redis-server without AUTH while it starts: the password is set afterwards)
  const admin = await pair(t, { shards: 2 });
  await diff(t, admin, [['CONFIG', 'SET', 'requirepass', 'secret'], ['PING']]);
  const pr = await RawClient.connect(admin.redisProc.port);
  const pd = await RawClient.connect(admin.respdbProc.port);
  t.teardown(() => Promise.all([pr.close(), pd.close()]));
  const p = { redis: pr, respdb: pd, redisProc: admin.redisProc, respdbProc: admin.respdbProc };
  const d = (t: Test, cmds: Cmd[]) => diff(t, admin, cmds);
  await diff(t, p, [['PING'], ['ECHO', 'x'], ['SELECT', '1'], ['CLIENT', 'ID'], ['GET', 'k'], ['CONFIG', 'GET', 'requirepass']]);
  for (const cmd of [
    ['HELLO'], ['HELLO', '3'], ['HELLO', 'x'], ['HELLO', '4'], ['HELLO', '3', 'AUTH', 'default', 'wrong'], ['HELLO', '3', 'AUTH', 'nouser', 'secret'],
    ['HELLO', '3', 'SETNAME', 'a b'], ['HELLO', '3', 'AUTH', 'default', 'wrong', 'SETNAME', 'a b'], ['AUTH', 'wrong'], ['AUTH', 'default', 'wrong'],
    ['AUTH', 'nouser', 'secret'], ['AUTH', 'DEFAULT', 'secret'], ['PING'],
    // an unauthenticated HELLO with a valid SETNAME sets the name and still fails
    ['HELLO', '2', 'SETNAME', 'early'],
    ['AUTH', 'secret'], ['CLIENT', 'GETNAME'], ['PING'], ['AUTH', 'wrong'], ['PING'], ['RESET'], ['PING'], ['CLIENT', 'GETNAME'],
    ['HELLO', '3', 'AUTH', 'default', 'secret', 'SETNAME', 'a b'], ['PING'], ['RESET'],
    ['HELLO', '2', 'AUTH', 'default', 'secret', 'AUTH', 'default', 'x'], ['PING'], ['HELLO'], ['RESET'],
    ['HELLO', '3', 'AUTH', 'default', 'secret', 'foo'], ['PING'], ['RESET'],
    ['HELLO', '3', 'SETNAME', 'n1', 'foo'], ['HELLO', '3', 'SETNAME', 'n2', 'SETNAME', 'a b'], ['HELLO', 'x', 'SETNAME', 'n3'],
    ['AUTH', 'secret'], ['CLIENT', 'GETNAME'], ['RESET'],
    ['HELLO', '3', 'AUTH', 'default', 'secret', 'SETNAME', 'nm'], ['CLIENT', 'GETNAME'], ['PING'], ['RESET'], ['CLIENT', 'GETNAME'],
    ['AUTH', 'default', 'secret'], ['PING'],
  ]) {
    await same(t, p, cmd, maskId);
  }
  // A second, unauthenticated connection on each server.
  const r2 = await RawClient.connect(p.redisProc.port);
  const d2 = await RawClient.connect(p.respdbProc.port);
  t.teardown(() => Promise.all([r2.close(), d2.close()]));
  const q = { redis: r2, respdb: d2 };
  await diff(t, q, [['PING'], ['SET', 'k', 'v']]);
  // CONFIG SET requirepass: clearing it lets everybody in (default user becomes nopass)
  await d(t, [['CONFIG', 'SET', 'requirepass', 'other']]);
  await diff(t, q, [['PING'], ['AUTH', 'secret'], ['AUTH', 'other'], ['PING']]);
  const r3 = await RawClient.connect(p.redisProc.port);
  const d3 = await RawClient.connect(p.respdbProc.port);
  t.teardown(() => Promise.all([r3.close(), d3.close()]));
  const q3 = { redis: r3, respdb: d3 };
  await diff(t, q3, [['PING']]);
  await d(t, [['CONFIG', 'SET', 'requirepass', '']]);
  await diff(t, q3, [['PING'], ['AUTH', 'x'], ['RESET'], ['PING']]);

  // started with --requirepass: new connections must authenticate
  const srv = await startRespdb({ shards: 1, args: ['--requirepass', 'p w'] });
  t.teardown(() => srv.stop());
  const c = await RawClient.connect(srv.port, srv.host);
  t.teardown(() => c.close());
  t.equal(formatReply(await c.send('GET', 'x')), '(error) "NOAUTH Authentication required."');
  t.equal(formatReply(await c.send('AUTH', 'p w')), '+"OK"');
  t.equal(formatReply(await c.send('GET', 'x')), '(nil bulk)');

  // ioredis authenticates through HELLO 3 AUTH and talks RESP3
  await d(t, [['CONFIG', 'SET', 'requirepass', 'pw']]);
  const io = new Redis({ port: p.respdbProc.port, host: '127.0.0.1', password: 'pw', protocol: 3, replyMapping: 'resp3', lazyConnect: true, maxRetriesPerRequest: 0 });
  await io.connect();
  t.equal(await io.ping(), 'PONG');
  t.equal(await io.set('iokey', 'v'), 'OK');
  t.equal(await io.get('iokey'), 'v');
  io.disconnect();
  const bad = new Redis({ port: p.respdbProc.port, host: '127.0.0.1', password: 'nope', protocol: 3, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  const failed = new Promise<Error>((resolve) => bad.once('error', resolve));
  bad.connect().catch(() => {});
  t.match((await failed).message, /^WRONGPASS invalid username-password pair/);
  bad.disconnect();
});

t.test('CLIENT LIST / INFO / KILL / SETNAME (respdb)', async (t) => {
  const srv = await startRespdb({ shards: 2 });
  t.teardown(() => srv.stop());
  const clients: RawClient[] = [];
  const connect = async () => {
    const c = await RawClient.connect(srv.port, srv.host);
    clients.push(c);
    return c;
  };
  t.teardown(() => Promise.all(clients.map((c) => c.close())));
  const a = await connect();
  const b = await connect();
  const idA = intOf(await a.send('CLIENT', 'ID'));
  const idB = intOf(await b.send('CLIENT', 'ID'));
  t.not(idA, idB, 'client ids differ');
  t.ok(idB > idA, 'ids increase');
  t.equal(formatReply(await b.send('CLIENT', 'SETNAME', 'worker-1')), '+"OK"');
  await b.send('SELECT', '7');

  const FIELDS =
    /^id=(\d+) addr=(\S+) laddr=(\S+) fd=(-?\d+) name=(\S*) age=(\d+) idle=(\d+) flags=(\S+) db=(\d+) sub=0 psub=0 ssub=0 multi=-1 qbuf=(\d+) qbuf-free=(\d+) argv-mem=(\d+) multi-mem=0 rbs=(\d+) rbp=(\d+) obl=(\d+) oll=(\d+) omem=(\d+) tot-mem=(\d+) events=(r|rw) cmd=(\S+) user=default redir=-1 resp=([23])$/;
  const parse = (text: string) =>
    text
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => {
        const m = FIELDS.exec(l);
        if (!m) throw new Error('bad CLIENT LIST line: ' + l);
        return { id: Number(m[1]), addr: m[2], laddr: m[3], fd: Number(m[4]), name: m[5], flags: m[8], db: Number(m[9]), argvMem: Number(m[12]), cmd: m[20], resp: Number(m[21]) };
      });

  const list = replyString(await a.send('CLIENT', 'LIST'));
  t.ok(list.endsWith('\n'), 'lines end with a newline');
  const rows = parse(list);
  const ra = rows.find((r) => r.id === idA)!;
  const rb = rows.find((r) => r.id === idB)!;
  t.ok(ra && rb, 'both clients listed');
  t.equal(ra.cmd, 'client|list', 'the caller runs CLIENT LIST');
  t.equal(ra.argvMem, 'CLIENTLIST'.length, 'argv-mem of the running command');
  t.equal(rb.argvMem, 0, 'an idle client holds no argv');
  t.equal(rb.name, 'worker-1');
  t.equal(rb.db, 7);
  t.equal(rb.cmd, 'select');
  t.equal(rb.flags, 'N');
  t.equal(ra.resp, 2);
  t.ok(ra.fd > 0, 'a real file descriptor');
  t.not(ra.fd, rb.fd);
  t.equal(ra.laddr, `127.0.0.1:${srv.port}`, 'laddr is the server address');
  t.equal(ra.addr, `127.0.0.1:${a.socket.localPort}`, 'addr is the client address');

  // CLIENT INFO is the caller's own line
  const own = parse(replyString(await b.send('CLIENT', 'INFO')));
  t.equal(own.length, 1);
  t.equal(own[0].id, idB);
  t.equal(own[0].cmd, 'client|info');
  // CLIENT LIST ID: in the order given, repeats kept, unknown ids skipped
  const byId = parse(replyString(await a.send('CLIENT', 'LIST', 'ID', String(idB), '999999', String(idA), String(idB))));
  t.same(byId.map((r) => r.id), [idB, idA, idB]);
  t.same(parse(replyString(await a.send('CLIENT', 'LIST', 'TYPE', 'normal'))).map((r) => r.id).sort(), rows.map((r) => r.id).sort());
  // flags: no-evict
  await b.send('CLIENT', 'NO-EVICT', 'on');
  t.equal(parse(replyString(await a.send('CLIENT', 'LIST', 'ID', String(idB))))[0].flags, 'e');
  // RESP3: verbatim string
  await b.send('HELLO', '3');
  const v = await b.send('CLIENT', 'INFO');
  t.equal(v.t, 'verbatim');
  t.match((v as { v: string }).v, / resp=3\n$/);

  t.test('KILL old form (ip:port)', async (t) => {
    const c = await connect();
    const addr = `127.0.0.1:${c.socket.localPort}`;
    t.equal(formatReply(await a.send('CLIENT', 'KILL', addr)), '+"OK"');
    t.ok(await c.waitClose(3000), 'killed client closed');
    t.equal(formatReply(await a.send('CLIENT', 'KILL', addr)), '(error) "ERR No such client"');
  });

  t.test('KILL filters', async (t) => {
    const c1 = await connect();
    const c2 = await connect();
    const id1 = intOf(await c1.send('CLIENT', 'ID'));
    t.equal(formatReply(await a.send('CLIENT', 'KILL', 'ID', String(id1))), '(integer) 1');
    t.ok(await c1.waitClose(3000));
    t.equal(formatReply(await a.send('CLIENT', 'KILL', 'ID', String(id1))), '(integer) 0', 'already gone');
    t.equal(formatReply(await a.send('CLIENT', 'KILL', 'ADDR', `127.0.0.1:${c2.socket.localPort}`, 'TYPE', 'pubsub')), '(integer) 0', 'filters combine');
    t.equal(formatReply(await a.send('CLIENT', 'KILL', 'ADDR', `127.0.0.1:${c2.socket.localPort}`, 'USER', 'default')), '(integer) 1');
    t.ok(await c2.waitClose(3000));
    // SKIPME yes (default) spares the caller; LADDR matches everyone connected to this port
    const c3 = await connect();
    t.equal(formatReply(await a.send('CLIENT', 'KILL', 'LADDR', `127.0.0.1:${srv.port}`, 'ID', String(idA))), '(integer) 0', 'the caller is skipped');
    const n = intOf(await a.send('CLIENT', 'KILL', 'TYPE', 'normal'));
    t.equal(n, 2, 'b and c3 killed');
    t.ok(await c3.waitClose(3000));
    t.ok(await b.waitClose(3000));
    t.equal(a.closed, false, 'caller alive');
    // SKIPME no: the caller gets its reply, then the connection closes
    t.equal(formatReply(await a.send('CLIENT', 'KILL', 'ID', String(idA), 'SKIPME', 'no')), '(integer) 1');
    t.ok(await a.waitClose(3000), 'caller closed after the reply');
  });

  t.test('KILL own address closes after the reply', async (t) => {
    const c = await connect();
    const [r] = await Promise.all([c.send('CLIENT', 'KILL', `127.0.0.1:${c.socket.localPort}`), c.sendRaw('*1\r\n$4\r\nPING\r\n').catch(() => {})]);
    t.equal(formatReply(r), '+"OK"');
    t.ok(await c.waitClose(3000));
    t.equal(c.queued, 0, 'nothing after the kill ran');
  });
});

t.test('IPv6 clients show as [addr]:port, as in Redis (CLIENT INFO, SLOWLOG)', async (t) => {
  const bind = ['--bind', '127.0.0.1 ::1'];
  const p = await pair(t, { shards: 1, redisArgs: bind, args: bind });
  // Both servers skip an address they cannot bind (EADDRNOTAVAIL/EAFNOSUPPORT). Whether ::1 works
  // is a property of the machine, so redis-server decides: if it cannot be reached on ::1 the
  // test is skipped; respdb failing where redis-server answers is a failure.
  let onRedis: RawClient;
  try {
    onRedis = await RawClient.connect(p.redisPort, '::1');
  } catch (e) {
    t.plan(0, `redis-server cannot be reached on ::1 (${(e as Error).message}): no IPv6 loopback on this machine`);
    return;
  }
  const addrs: Record<string, string[]> = {};
  for (const [name, port] of [['redis', p.redisPort], ['respdb', p.respdbPort]] as const) {
    const c = name === 'redis' ? onRedis : await RawClient.connect(port, '::1');
    const info = replyString(await c.send('CLIENT', 'INFO'));
    await c.send('CONFIG', 'SET', 'slowlog-log-slower-than', '0');
    await c.send('PING');
    const log = await c.send('SLOWLOG', 'GET', '1');
    const entry = (log as { v: Reply[] }).v[0] as { v: Reply[] };
    addrs[name] = [
      (/ addr=(\S+)/.exec(info)?.[1] ?? '').replace(/\d+$/, 'PORT'),
      (/ laddr=(\S+)/.exec(info)?.[1] ?? '').replace(/\d+$/, 'PORT'),
      String((entry.v[4] as { v: Buffer }).v).replace(/\d+$/, 'PORT'),
    ];
    await c.close();
  }
  t.same(addrs.respdb, addrs.redis, `addr, laddr and the SLOWLOG client field: ${addrs.redis.join(' ')}`);
});
