// SLOWLOG against redis-server 7.0: COMMAND INFO/DOCS, errors and arities, GET counts, entries
// field by field (ids, time, duration by type and range, arguments with the 32-argument and
// 128-byte truncation, redacted AUTH/HELLO/CONFIG SET secrets, client address and CLIENT SETNAME
// name), commands that are never logged (rejected before running, skip_slowlog), LEN, RESET and id
// sequencing, trimming by CONFIG SET slowlog-max-len, slowlog-log-slower-than -1 / 0 / high, and
// durations measured where the command ran: on a shard (checked against INFO commandstats, which
// only the shard measures), summed over a scatter command's parts, and an async main-thread
// command (DEBUG SLEEP). With 1 and 4 shards, RESP2 and RESP3. Plus unit tests of lib/slowlog.ts.
import t, { type Test } from 'tap';
import { pair, diff, type Pair } from './support/servers.js';
import { RawClient, formatReply, escapeBytes, type Reply } from './support/resp-client.js';
import { spread } from './support/keys.js';
import { SlowLog, slowlogArgs, redactedArgs } from '../lib/slowlog.js';
import { shardOf } from '../lib/slot.js';
import { docFields, infoSorted, replyText } from './support/command-docs.js';

type Cmd = (string | Buffer)[];
const range = (a: number, b: number): string[] => Array.from({ length: b - a + 1 }, (_, i) => String(a + i));
const nowSec = (): number => Math.floor(Date.now() / 1000);
const text = replyText;



interface Entry {
  id: number;
  time: number;
  micros: number;
  args: Buffer[];
  addr: string;
  name: string;
}

/** Parses SLOWLOG GET, checking every field's reply type (the same in RESP2 and RESP3). */
function entries(r: Reply): Entry[] {
  if (r.t !== 'array' || r.v === null) throw new Error('SLOWLOG GET: not an array: ' + formatReply(r));
  return r.v.map((e) => {
    if (e.t !== 'array' || e.v === null || e.v.length !== 6) throw new Error('entry is not an array of 6: ' + formatReply(e));
    const [id, time, micros, args, addr, name] = e.v;
    if (id.t !== 'int' || time.t !== 'int' || micros.t !== 'int') throw new Error('entry id/time/duration not integers: ' + formatReply(e));
    if (args.t !== 'array' || args.v === null || args.v.some((a) => a.t !== 'bulk' || a.v === null)) throw new Error('entry args: ' + formatReply(e));
    if (addr.t !== 'bulk' || addr.v === null || name.t !== 'bulk' || name.v === null) throw new Error('entry addr/name: ' + formatReply(e));
    return {
      id: Number(id.v),
      time: Number(time.v),
      micros: Number(micros.v),
      args: args.v.map((a) => (a as { v: Buffer }).v),
      addr: addr.v.toString('latin1'),
      name: name.v.toString('latin1'),
    };
  });
}

/**
 * What must be equal between redis and respdb: arguments, client name, whether the address is
 * the client's own, ids relative to the newest. Time and duration are checked by range.
 */
function comparable(es: Entry[], c: RawClient, t0: number): string[] {
  const own = `127.0.0.1:${c.socket.localPort}`;
  return es.map((e, i) => {
    const okTime = e.time >= t0 && e.time <= nowSec() ? 'time ok' : `time ${e.time} outside [${t0}, now]`;
    const okDur = Number.isInteger(e.micros) && e.micros >= 0 ? 'duration ok' : `duration ${e.micros}`;
    const rel = es[0].id - e.id;
    return `#${i} id-${rel} ${okTime} ${okDur} [${e.args.map((a) => escapeBytes(a)).join(' ')}] addr=${e.addr === own ? 'own' : e.addr} name=${JSON.stringify(e.name)}`;
  });
}

/** The HELP reply's shape: an array of status lines, Redis's first line and closing HELP lines. */
function helpShape(r: Reply): string {
  if (r.t !== 'array' || r.v === null || r.v.length < 3 || r.v.some((x) => x.t !== 'simple')) return 'not an array of status lines: ' + formatReply(r);
  const lines = r.v.map((x) => (x as { v: string }).v);
  return [lines[0], ...lines.slice(-2)].join(' / ');
}

async function both(p: Pair, ...cmds: Cmd[]): Promise<void> {
  for (const c of cmds) {
    for (const cl of [p.redis, p.respdb]) {
      const r = await cl.send(...c);
      if (r.t === 'error') throw new Error(`${c.join(' ')}: ${r.v}`);
    }
  }
}

async function connect(port: number, proto: 2 | 3): Promise<RawClient> {
  const c = await RawClient.connect(port);
  if (proto === 3) await c.send('HELLO', '3');
  return c;
}

function suite(shards: number, proto: 2 | 3): void {
  t.test(`SLOWLOG, shards=${shards}, RESP${proto}`, async (t) => {
    const p = await pair(t, { shards, protocol: proto, redisArgs: ['--enable-debug-command', 'yes'] });
    const extra: RawClient[] = [];
    t.teardown(async () => {
      await Promise.all(extra.map((c) => c.close().catch(() => {})));
    });
    const client = async (which: 'redis' | 'respdb'): Promise<RawClient> => {
      const c = await connect(which === 'redis' ? p.redisPort : p.respdbPort, proto);
      extra.push(c);
      return c;
    };
    const d = (t: Test, cmds: Cmd[]) => diff(t, p, cmds);

    await t.test('COMMAND INFO and DOCS', async (t) => {
      for (const n of ['slowlog', 'slowlog|get', 'slowlog|len', 'slowlog|reset', 'slowlog|help']) {
        const [want, got] = [await p.redis.send('COMMAND', 'INFO', n), await p.respdb.send('COMMAND', 'INFO', n)];
        t.equal(infoSorted(got), infoSorted(want), `COMMAND INFO ${n}`);
      }
      for (const n of ['slowlog', 'slowlog|get', 'slowlog|len', 'slowlog|reset', 'slowlog|help']) {
        const want = docFields(await p.redis.send('COMMAND', 'DOCS', n));
        const got = docFields(await p.respdb.send('COMMAND', 'DOCS', n));
        t.equal(formatReply(got, { unordered: true }), formatReply(want, { unordered: true }), `COMMAND DOCS ${n}`);
      }
      await d(t, [['COMMAND', 'GETKEYS', 'slowlog', 'get', '1'], ['COMMAND', 'LIST', 'FILTERBY', 'PATTERN', 'slowlog|l*']]);
    });

    await t.test('errors, arities, GET counts', async (t) => {
      await both(p, ['CONFIG', 'SET', 'slowlog-log-slower-than', '-1']);
      await d(t, [
        ['SLOWLOG'], ['SLOWLOG', 'nosuch'], ['SLOWLOG', 'nosuch', 'x'], ['slowlog', 'LEN', 'x'], ['SLOWLOG', 'RESET', 'x'], ['SLOWLOG', 'HELP', 'x'],
        ['SLOWLOG', 'GET', '1', '2'], ['SLOWLOG', 'get', 'x', 'y', 'z'], ['SLOWLOG', 'GET', 'x'], ['SLOWLOG', 'GET', '-2'], ['SLOWLOG', 'GET', '1.5'],
        ['SLOWLOG', 'GET', ''], ['SLOWLOG', 'GET', ' 1'], ['SLOWLOG', 'GET', '01'], ['SLOWLOG', 'GET', '+1'], ['SLOWLOG', 'GET', '-0'],
        ['SLOWLOG', 'GET', '9223372036854775808'], ['SLOWLOG', 'GET', '-9223372036854775808'], ['SLOWLOG', 'GET', '-9223372036854775809'],
        ['SLOWLOG', 'RESET'], ['SLOWLOG', 'LEN'], ['SLOWLOG', 'GET'], ['SLOWLOG', 'GET', '-1'], ['SLOWLOG', 'GET', '0'],
        ['SLOWLOG', 'GET', '9223372036854775807'], ['SLOWLOG', 'LEN'],
      ]);
      const [a, b] = [await p.redis.send('SLOWLOG', 'HELP'), await p.respdb.send('SLOWLOG', 'HELP')];
      t.equal(helpShape(b), helpShape(a), 'SLOWLOG HELP shape');
      t.match(b.t === 'array' && b.v ? b.v.map((x) => (x as { v: string }).v).join('\n') : '', /GET[\s\S]*LEN[\s\S]*RESET/, "respdb's HELP lists its subcommands");
    });

    await t.test('entries field by field', async (t) => {
      const keys = spread('sl:', 4, shards);
      const cmds: Cmd[] = [
        ['SET', 'k', 'v'],
        ['SET', 'k', 'a'.repeat(200)],
        ['SET', 'k128', 'x'.repeat(128)],
        ['SET', 'k129', Buffer.alloc(129, 0xfe)],
        ['GET', 'k'],
        ['DEL', ...range(1, 30)], // 31 arguments
        ['DEL', ...range(1, 31)], // 32
        ['DEL', ...range(1, 32)], // 33: the 32nd says 2 more
        ['DEL', ...range(1, 60)],
        ['MSET', ...keys.flatMap((k) => [k, 'v'])], // a scatter command with 4 shards
        ['DEL', ...keys],
        ['SADD', 's', 'a', 'b'],
        ['GET', 's'], // WRONGTYPE: executed, logged
        ['NOSUCHCMD', 'x'], // rejected: never logged
        ['GET'], // arity: never logged
        ['SLOWLOG', 'GET', '1', '2'],
        ['EXEC'], // skip_slowlog in Redis (and unknown in respdb without MULTI): never logged
        ['AUTH', 'secret'],
        ['AUTH', 'user', 'secret'],
        ['AUTH', 'a', 'b', 'c'], // syntax error: nothing redacted
        ['HELLO', String(proto), 'AUTH', 'default', 'wrong'],
        ['HELLO', 'x', 'AUTH', 'a', 'b'],
        ['HELLO', '4', 'AUTH', 'a', 'b'],
        ['HELLO', String(proto), 'foo', 'AUTH', 'a', 'b'],
        ['CONFIG', 'SET', 'requirepass', ''],
        ['CONFIG', 'SET', 'slowlog-max-len', '128', 'REQUIREPASS', ''],
        ['CONFIG', 'SET', 'nosuch', '1', 'requirepass', ''],
        ['CONFIG', 'SET', 'requirepass', 'x', 'slowlog-max-len'], // odd: arity ok, syntax error, not redacted
        ['CLIENT', 'SETNAME', 'worker-1'],
        ['SET', Buffer.from([0, 0xff, 0x0d, 0x0a]), Buffer.from('bin\r\nary')],
        ['CLIENT', 'SETNAME', ''],
        ['DEBUG', 'SLEEP', '0'],
        ['SLOWLOG', 'LEN'],
      ];
      const got: Record<string, { c: RawClient; es: Entry[] }> = {};
      for (const which of ['redis', 'respdb'] as const) {
        const c = await client(which);
        const t0 = nowSec();
        for (const cmd of ['slowlog-max-len', 'slowlog-log-slower-than']) await c.send('CONFIG', 'SET', cmd, cmd === 'slowlog-max-len' ? '128' : '0');
        await c.send('SLOWLOG', 'RESET');
        // one at a time: respdb logs a command when it completes, and pipelined main-thread
        // commands (CLIENT SETNAME) complete before shard commands sent ahead of them
        for (const cmd of cmds) await c.send(...cmd);
        const es = entries(await c.send('SLOWLOG', 'GET', '-1'));
        got[which] = { c, es };
        t.ok(es.every((e) => e.time >= t0 && e.time <= nowSec()), `${which}: times within the test`);
        t.ok(
          es.every((e, i) => i === 0 || es[i - 1].id === e.id + 1),
          `${which}: ids consecutive, newest first`,
        );
      }
      t.same(comparable(got.respdb.es, got.respdb.c, 0), comparable(got.redis.es, got.redis.c, 0), 'entries');
      // the redacted, truncated and named entries, spelled out
      const shown = got.respdb.es.map((e) => e.args.map((a) => a.toString('latin1')).join(' '));
      t.ok(shown.includes('AUTH (redacted) (redacted)'), 'AUTH redacted');
      t.ok(shown.includes(`SET k ${'a'.repeat(128)}... (72 more bytes)`), 'long argument cut at 128 bytes');
      t.ok(shown.some((s) => s.endsWith('30 ... (2 more arguments)')), 'arguments cut at 32');
      t.ok(got.respdb.es.some((e) => e.name === 'worker-1' && e.args[0].toString() === 'SET'), 'CLIENT SETNAME name in later entries');
      t.notOk(shown.some((s) => /NOSUCHCMD|^EXEC|^GET$/.test(s)), 'rejected and skip_slowlog commands are not logged');
    });

    await t.test('GET count, LEN, RESET and id sequencing', async (t) => {
      await both(p, ['CONFIG', 'SET', 'slowlog-log-slower-than', '0']);
      for (const c of [p.redis, p.respdb]) await c.pipeline(Array.from({ length: 12 }, (_, i) => ['PING', String(i)]));
      const counts = ['0', '1', '3', '10', '-1'];
      for (const which of ['redis', 'respdb'] as const) {
        const c = which === 'redis' ? p.redis : p.respdb;
        const sizes: number[] = [];
        for (const n of counts) sizes.push(entries(await c.send('SLOWLOG', 'GET', n)).length);
        sizes.push(entries(await c.send('SLOWLOG', 'GET')).length);
        t.same(sizes.slice(0, 4), [0, 1, 3, 10], `${which}: GET 0/1/3/10`);
        t.ok(sizes[4] >= 12, `${which}: GET -1 returns all`);
        t.equal(sizes[5], 10, `${which}: GET defaults to 10`);
        const last = entries(await c.send('SLOWLOG', 'GET', '1'))[0];
        t.equal(last.args.map(String).join(' '), 'SLOWLOG GET', `${which}: the newest entry is the previous command`);
        await c.send('SLOWLOG', 'RESET');
        const after = entries(await c.send('SLOWLOG', 'GET'));
        t.equal(after.length, 1, `${which}: RESET leaves only itself`);
        t.equal(after[0].args.map(String).join(' '), 'SLOWLOG RESET', `${which}: RESET entry`);
        t.equal(after[0].id, last.id + 2, `${which}: ids continue after RESET`);
      }
      await d(t, [['SLOWLOG', 'LEN'], ['SLOWLOG', 'RESET'], ['SLOWLOG', 'LEN'], ['SLOWLOG', 'LEN']]);
    });

    await t.test('slowlog-max-len and slowlog-log-slower-than take effect at once', async (t) => {
      await both(p, ['CONFIG', 'SET', 'slowlog-log-slower-than', '0'], ['SLOWLOG', 'RESET']);
      await d(t, [
        ['CONFIG', 'SET', 'slowlog-max-len', '3'], ['PING'], ['PING'], ['PING'], ['PING'], ['SLOWLOG', 'LEN'], ['SET', 'k', 'v'], ['SLOWLOG', 'LEN'],
        ['CONFIG', 'SET', 'slowlog-log-slower-than', '-1'], ['SET', 'k', 'v'], ['PING'], ['SLOWLOG', 'LEN'],
        ['CONFIG', 'SET', 'slowlog-max-len', '1'], ['SLOWLOG', 'LEN'], // trimmed only by the next entry
        ['CONFIG', 'SET', 'slowlog-log-slower-than', '0'], ['SLOWLOG', 'LEN'], ['SLOWLOG', 'LEN'],
        ['CONFIG', 'SET', 'slowlog-max-len', '0'], ['SLOWLOG', 'LEN'], ['SET', 'k', 'v'], ['SLOWLOG', 'LEN'], ['SLOWLOG', 'GET'],
        ['CONFIG', 'SET', 'slowlog-max-len', '128'], ['SLOWLOG', 'LEN'],
        ['CONFIG', 'SET', 'slowlog-log-slower-than', '10000000'], ['SLOWLOG', 'RESET'], ['SET', 'k', 'v'], ['DEBUG', 'SLEEP', '0.01'], ['SLOWLOG', 'LEN'],
        ['CONFIG', 'GET', 'slowlog-max-len'], ['CONFIG', 'GET', 'slowlog-log-slower-than'],
      ]);
      const got = await p.respdb.send('SLOWLOG', 'GET', '-1');
      t.equal(entries(got).length, 0, 'nothing below the threshold');
    });

    await t.test('durations: shard-measured, scatter sum, async main command', async (t) => {
      const c = p.respdb;
      await c.send('CONFIG', 'SET', 'slowlog-log-slower-than', '0');
      // a big SUNIONSTORE whose keys share a shard: it runs inside that shard's batch
      const members = (pre: string, n: number): string[] => Array.from({ length: n }, (_, i) => `${pre}${i}`);
      for (let i = 0; i < 4; i++) await c.send('SADD', '{big}a', ...members(`a${i}:`, 5000));
      for (let i = 0; i < 4; i++) await c.send('SADD', '{big}b', ...members(`b${i}:`, 5000));
      await c.send('CONFIG', 'RESETSTAT');
      await c.send('SLOWLOG', 'RESET');
      t.equal(formatReply(await c.send('SUNIONSTORE', '{big}d', '{big}a', '{big}b')), '(integer) 40000', 'SUNIONSTORE');
      const [e] = entries(await c.send('SLOWLOG', 'GET', '1'));
      t.equal(e.args.map(String).join(' '), 'SUNIONSTORE {big}d {big}a {big}b', 'entry of the shard command');
      const info = text(await c.send('INFO', 'commandstats'));
      const usec = (name: string): number => Number(new RegExp(`cmdstat_${name}:calls=\\d+,usec=(\\d+)`).exec(info)?.[1] ?? NaN);
      // INFO commandstats counts a shard command's time as the shard measured it (the main thread adds nothing)
      t.ok(Math.abs(e.micros - usec('sunionstore')) <= 1, `duration ${e.micros} µs is the shard's measurement (commandstats ${usec('sunionstore')})`);
      t.ok(e.micros > 0, 'a 40000-member union takes time');

      // MSET over every shard: the parts' times added up
      const keys = spread('sc:', 8, shards);
      await c.send('CONFIG', 'RESETSTAT');
      await c.send('MSET', ...keys.flatMap((k) => [k, 'x'.repeat(1000)]));
      const [m] = entries(await c.send('SLOWLOG', 'GET', '1'));
      const info2 = text(await c.send('INFO', 'commandstats'));
      const msetUs = Number(/cmdstat_mset:calls=1,usec=(\d+)/.exec(info2)?.[1] ?? NaN);
      t.equal(m.args[0].toString(), 'MSET', 'scatter command logged once');
      t.ok(Math.abs(m.micros - msetUs) <= shards, `MSET duration ${m.micros} µs = sum of its parts (commandstats ${msetUs})`);
      t.equal(
        new Set(keys.map((k) => shardOf(Buffer.from(k), shards))).size,
        Math.min(shards, keys.length),
        'the MSET spans every shard',
      );

      // DEBUG SLEEP is an async main-thread command: from its start to its reply
      for (const cl of [p.redis, p.respdb]) {
        await cl.send('CONFIG', 'SET', 'slowlog-log-slower-than', '0');
        await cl.send('DEBUG', 'SLEEP', '0.02');
        const [s] = entries(await cl.send('SLOWLOG', 'GET', '1'));
        t.equal(s.args.map(String).join(' '), 'DEBUG SLEEP 0.02', 'DEBUG SLEEP entry');
        t.ok(s.micros >= 19000, `DEBUG SLEEP 0.02 took ${s.micros} µs`);
      }
    });

    await t.test('other clients: address and name', async (t) => {
      await both(p, ['CONFIG', 'SET', 'slowlog-log-slower-than', '0']);
      const seen: string[] = [];
      for (const which of ['redis', 'respdb'] as const) {
        const other = await client(which);
        await other.send('CLIENT', 'SETNAME', 'other');
        await other.send('SET', 'from-other', '1');
        const main = which === 'redis' ? p.redis : p.respdb;
        const es = entries(await main.send('SLOWLOG', 'GET', '3'));
        const e = es.find((x) => x.args[0].toString() === 'SET')!;
        seen.push(`${e.name} ${e.addr === `127.0.0.1:${other.socket.localPort}`}`);
      }
      t.same(seen, ['other true', 'other true'], "the other client's address and name");
    });
  });
}

suite(1, 2);
suite(4, 2);
suite(4, 3);

t.test('lib/slowlog.ts', async (t) => {
  const b = (s: string) => Buffer.from(s);
  const args = range(0, 40).map(b);
  const shaped = slowlogArgs(args);
  t.equal(shaped.length, 32, '32 arguments kept');
  t.equal(shaped[31].toString(), '... (10 more arguments)', 'the last says how many more');
  t.equal(slowlogArgs(args.slice(0, 32)).length, 32, 'exactly 32 kept whole');
  t.equal(slowlogArgs(args.slice(0, 32))[31].toString(), '31', 'exactly 32: the last is an argument');
  const long = slowlogArgs([b('set'), Buffer.alloc(130, 0x61)])[1].toString();
  t.equal(long, 'a'.repeat(128) + '... (2 more bytes)', '128 bytes kept');
  const orig = b('copy me');
  const copy = slowlogArgs([orig])[0];
  orig[0] = 0x58;
  t.equal(copy.toString(), 'copy me', 'arguments are copied');
  t.same(slowlogArgs([b('auth'), b('pw')], new Set([1])).map(String), ['auth', '(redacted)'], 'redacted');

  const red = (name: string, ...a: string[]) => [...(redactedArgs(name, a.map(b)) ?? [])].sort((x, y) => x - y);
  t.same(red('auth', 'auth', 'pw'), [1]);
  t.same(red('auth', 'auth', 'u', 'pw'), [1, 2]);
  t.same(red('auth', 'auth', 'a', 'b', 'c'), []);
  t.same(red('hello', 'hello'), []);
  t.same(red('hello', 'hello', '3', 'auth', 'u', 'p', 'setname', 'n', 'AUTH', 'x', 'y'), [3, 4, 8, 9]);
  t.same(red('hello', 'hello', '3', 'setname', 'bad name', 'auth', 'u', 'p'), [], 'stops at an invalid SETNAME');
  t.same(red('hello', 'hello', '3', 'auth', 'u'), [], 'AUTH without both credentials');
  t.same(red('hello', 'hello', '03', 'auth', 'u', 'p'), [], 'bad protocol version');
  t.same(red('config|set', 'config', 'set', 'requirepass', 'x', 'MasterAuth', 'y', 'masteruser', 'z', 'hz', '1'), [3, 5, 7]);
  t.same(red('config|set', 'config', 'set', 'requirepass', 'x', 'hz'), [], 'odd argument count');
  t.same(red('migrate', 'migrate', 'h', '1', '', '0', '100', 'COPY', 'AUTH', 'pw', 'KEYS', 'a', 'AUTH', 'b'), [8]);
  t.same(red('migrate', 'migrate', 'h', '1', 'k', '0', '100', 'AUTH2', 'u', 'pw'), [7, 8]);
  t.same(red('migrate', 'migrate', 'h', '1', 'k', '0', '100', 'AUTH'), []);
  t.same(red('get', 'get', 'k'), []);

  const log = new SlowLog();
  for (let i = 0; i < 5; i++) log.push([b(`c${i}`)], i, '1.2.3.4:5', i === 4 ? b('nm') : null, 3);
  t.equal(log.length, 3, 'trimmed to max-len');
  t.same(log.newest(10).map((e) => [e.id, e.args[0].toString(), e.name.toString()]), [[4, 'c4', 'nm'], [3, 'c3', ''], [2, 'c2', '']], 'newest first');
  t.same(log.newest(1).map((e) => e.id), [4]);
  log.reset();
  log.push([b('x')], 1, 'a', null, 0);
  t.equal(log.length, 0, 'max-len 0 keeps nothing');
  log.push([b('y')], 1, 'a', null, 10);
  t.equal(log.newest(Infinity)[0].id, 6, 'ids go on after a reset');
});
