// Keyspace (generic) commands on keys, differential against redis-server 7.0: DEL UNLINK EXISTS
// TOUCH TYPE, the EXPIRE family, TTL/PTTL/EXPIRETIME/PEXPIRETIME, PERSIST, RENAME RENAMENX COPY
// MOVE, OBJECT. Each runs with 1 and 4 shards; with 4 the key pairs are chosen so the multi-key
// commands really span shards (asserted). The keyless commands are keyspace-db.test.ts; every
// type through TYPE, OBJECT, RENAME, COPY and MOVE is keyspace-types.test.ts.
import t, { type Test } from 'tap';
import fc from 'fast-check';
import { pair, diff } from '../support/servers.js';
import { RawClient, formatReply } from '../support/resp-client.js';
import { shardOf } from '../../lib/slot.js';
import { spread } from '../support/keys.js';
import { both, intOf, scanAll, sleep, type Cmd } from './keyspace-support.js';

/** A long key (hashed storage) of about 10 kB with a readable suffix. */
function longKey(tag: string, fill = 'L'): Buffer {
  return Buffer.concat([Buffer.from(fill.repeat(10240)), Buffer.from(tag)]);
}

function suite(shards: number): void {
  t.test(`shards=${shards}`, async (t) => {
    const p = await pair(t, { shards });
    const d = (t: Test, cmds: Cmd[], unordered = false) => diff(t, p, cmds, unordered ? { unordered: true } : {});
    const reset = (t: Test) => d(t, [['SELECT', '0'], ['FLUSHALL']]);
    const [k1, k2, k3, k4] = spread('key:', 4, shards);
    if (shards > 1) {
      t.not(shardOf(Buffer.from(k1), shards), shardOf(Buffer.from(k2), shards), 'k1 and k2 live on different shards');
      t.not(shardOf(Buffer.from(k3), shards), shardOf(Buffer.from(k4), shards), 'k3 and k4 live on different shards');
    }

    await t.test('wrong arity and unknown subcommands', async (t) => {
      await d(t, [
        ['DEL'], ['UNLINK'], ['EXISTS'], ['TOUCH'], ['TYPE'], ['TYPE', 'a', 'b'],
        ['EXPIRE', 'k'], ['PEXPIRE', 'k'], ['EXPIREAT', 'k'], ['PEXPIREAT', 'k'],
        ['EXPIRETIME'], ['EXPIRETIME', 'a', 'b'], ['PEXPIRETIME'], ['TTL'], ['TTL', 'a', 'b'], ['PTTL'], ['PERSIST'], ['PERSIST', 'a', 'b'],
        ['KEYS'], ['KEYS', 'a', 'b'], ['SCAN'], ['RANDOMKEY', 'x'], ['DBSIZE', 'x'],
        ['RENAME', 'a'], ['RENAME', 'a', 'b', 'c'], ['RENAMENX', 'a'], ['COPY', 'a'], ['MOVE', 'a'], ['MOVE', 'a', '1', '2'],
        ['SWAPDB', '0'], ['SWAPDB', '0', '1', '2'],
        ['OBJECT'], ['OBJECT', 'ENCODING'], ['OBJECT', 'encoding', 'a', 'b'], ['OBJECT', 'FREQ'], ['OBJECT', 'IDLETIME'],
        ['OBJECT', 'REFCOUNT'], ['OBJECT', 'HELP', 'x'], ['OBJECT', 'NOSUCH', 'k'], ['OBJECT', 'HELP'], ['object', 'help'],
      ]);
    });

    await t.test('DEL UNLINK EXISTS TOUCH TYPE over several shards', async (t) => {
      await reset(t);
      await d(t, [
        ['SET', k1, 'v1'], ['SET', k2, 'v2'], ['SET', k3, 'v3'],
        ['EXISTS', k1, k2, k3, k4], ['EXISTS', k1, k1, k2, k2, 'nokey'], ['TOUCH', k1, k2, k4, k1],
        ['TYPE', k1], ['TYPE', 'nokey'],
        ['DEL', k1, k2, k4, k1], ['EXISTS', k1, k2, k3], ['DEL', k1], ['DEL', 'nokey'],
        ['SET', k1, 'v'], ['SET', k2, 'v'], ['UNLINK', k1, k2, k3, k4, k2], ['EXISTS', k1, k2, k3, k4], ['DBSIZE'],
      ]);
    });

    await t.test('EXPIRE family: options, errors, overflow, deletion', async (t) => {
      await reset(t);
      const far = 4102444800; // 2100-01-01 in seconds
      await d(t, [
        ['SET', 'e', 'v'],
        ['EXPIRE', 'e', 'abc', 'NX', 'XX'], ['EXPIRE', 'e', '10', 'foo'], ['EXPIRE', 'e', '10', 'NX', 'XX'], ['EXPIRE', 'e', '10', 'gt', 'lt'],
        ['EXPIRE', 'e', '10', 'gt', 'lt', 'nx'], ['EXPIRE', 'e', '10', 'ab\x00cd'], ['EXPIRE', 'e', '10', 'h\xc3\xa9'], ['EXPIRE', 'e', '10', 'xx', 'nx'], ['EXPIRE', 'e', 'x'], ['EXPIRE', 'e', '1.5'], ['EXPIRE', 'e', '1', '2'],
        ['EXPIRE', 'nokey', '10'], ['EXPIRE', 'nokey', '10', 'NX'], ['EXPIRE', 'nokey', 'x'], ['PERSIST', 'nokey'],
        ['TTL', 'e'], ['PTTL', 'e'], ['EXPIRETIME', 'e'], ['PEXPIRETIME', 'e'], ['TTL', 'nokey'], ['PTTL', 'nokey'], ['EXPIRETIME', 'nokey'], ['PEXPIRETIME', 'nokey'],
        ['EXPIRE', 'e', '100', 'XX'], ['EXPIRE', 'e', '100', 'GT'], ['EXPIRE', 'e', '100', 'LT'], ['TTL', 'e'],
        ['EXPIRE', 'e', '100', 'NX'], ['EXPIRE', 'e', '200', 'NX'], ['TTL', 'e'],
        ['EXPIRE', 'e', '50', 'GT'], ['EXPIRE', 'e', '300', 'GT'], ['TTL', 'e'], ['EXPIRE', 'e', '400', 'LT'], ['EXPIRE', 'e', '30', 'LT'], ['TTL', 'e'],
        ['EXPIRE', 'e', '31', 'xx', 'gt'], ['EXPIRE', 'e', '20', 'xx', 'lt'], ['TTL', 'e'], ['EXPIRE', 'e', '20', 'nx', 'nx'],
        ['PERSIST', 'e'], ['PERSIST', 'e'], ['TTL', 'e'], ['PTTL', 'e'], ['EXPIRETIME', 'e'], ['EXPIRE', 'e', '10', 'XX'], ['EXPIRE', 'e', '10', 'LT'], ['TTL', 'e'],
        ['PEXPIRE', 'e', '100700'], ['TTL', 'e'], ['PEXPIRE', 'e', '100300'], ['TTL', 'e'], ['PEXPIRE', 'e', '1300'], ['TTL', 'e'], ['PEXPIRE', 'e', '1700'], ['TTL', 'e'],
        ['EXPIREAT', 'e', String(far)], ['EXPIRETIME', 'e'], ['PEXPIRETIME', 'e'], ['PEXPIREAT', 'e', String(far * 1000 + 123)], ['EXPIRETIME', 'e'], ['PEXPIRETIME', 'e'],
        ['EXPIREAT', 'e', String(far + 1), 'GT'], ['EXPIREAT', 'e', String(far - 1), 'GT'], ['PEXPIRETIME', 'e'], ['PEXPIREAT', 'e', String(far * 1000), 'LT'], ['PEXPIRETIME', 'e'],
        // overflow of the unit conversion or of the addition of now
        ['EXPIRE', 'e', '9223372036854775'], ['EXPIRE', 'e', '9223372036854776'], ['EXPIRE', 'e', '-9223372036854775808'], ['EXPIRE', 'e', '-9223372036854776'],
        ['PEXPIRE', 'e', '9223372036854775807'], ['PEXPIRE', 'e', '9223372036854775808'], ['EXPIREAT', 'e', '9223372036854776'],
        ['EXPIREAT', 'e', '9223372036854775'], ['PEXPIRETIME', 'e'], ['EXPIRETIME', 'e'],
        ['PEXPIREAT', 'e', '9223372036854775807'], ['PEXPIRETIME', 'e'], ['EXPIRETIME', 'e'], ['PEXPIREAT', 'e', '9007199254740993'], ['PEXPIRETIME', 'e'],
        ['EXISTS', 'e'],
        // in the past or negative: the key is deleted
        ['EXPIRE', 'e', '-1'], ['EXISTS', 'e'], ['SET', 'e', 'v'], ['PEXPIRE', 'e', '0'], ['EXISTS', 'e'],
        ['SET', 'e', 'v'], ['EXPIREAT', 'e', '1'], ['EXISTS', 'e'], ['SET', 'e', 'v'], ['PEXPIREAT', 'e', '-5'], ['EXISTS', 'e'],
        ['SET', 'e', 'v', 'EX', '100'], ['EXPIRE', 'e', '-1', 'GT'], ['EXPIRE', 'e', '-1', 'LT'], ['EXISTS', 'e'],
        ['SET', 'e', 'v'], ['EXPIRE', 'e', '-1', 'LT'], ['EXISTS', 'e'], ['SET', 'e', 'v'], ['EXPIRE', 'e', '-1', 'XX'], ['EXISTS', 'e'], ['DBSIZE'],
      ]);
      const [rt, dt] = await both(p, ['PTTL', 'nokey']);
      t.same([rt, dt], [{ t: 'int', v: -2n }, { t: 'int', v: -2n }]);
      // bounded by the time the commands took (whatever the machine), not by a guess of it
      const sent = Date.now();
      await d(t, [['SET', 'e', 'v'], ['PEXPIRE', 'e', '5000']]);
      const pttl = intOf(await p.respdb.send('PTTL', 'e'));
      const took = BigInt(Date.now() - sent);
      t.ok(pttl >= 5000n - took - 1n && pttl <= 5000n, `PTTL after PEXPIRE 5000 is ${pttl} (${took} ms later)`);
    });

    await t.test('random EXPIREAT/PEXPIREAT sequences with NX XX GT LT (fast-check)', async (t) => {
      const base = 4102444800000; // ms, far future
      const keys = [k1, k2, k3];
      const key = fc.constantFrom(...keys);
      const when = fc.constantFrom('1', '-5', String(base), String(base + 1000), String(base + 2000), String(base + 2001));
      const flags = fc.subarray(['NX', 'XX', 'GT', 'LT'], { maxLength: 2 });
      const cmdArb: fc.Arbitrary<Cmd> = fc.oneof(
        fc.tuple(key, fc.constantFrom('a', '123')).map(([k, v]) => ['SET', k, v]),
        fc.tuple(key, fc.constantFrom(String(base + 1500))).map(([k, at]) => ['SET', k, 'x', 'PXAT', at]),
        fc.tuple(fc.constantFrom('PEXPIREAT', 'EXPIREAT'), key, when, flags).map(([c, k, w, f]) => [c, k, c === 'EXPIREAT' && w.length > 6 ? String(Math.floor(Number(w) / 1000)) : w, ...f]),
        fc.tuple(fc.constantFrom('EXPIRE', 'PEXPIRE'), key, fc.constantFrom('0', '-1'), flags).map(([c, k, w, f]) => [c, k, w, ...f]),
        key.map((k) => ['PERSIST', k]),
        key.map((k) => ['PEXPIRETIME', k]),
        key.map((k) => ['EXPIRETIME', k]),
        fc.tuple(key, key).map(([a, b]) => ['RENAME', a, b]),
        fc.tuple(key, key).map(([a, b]) => ['RENAMENX', a, b]),
        fc.tuple(key, key, fc.boolean()).map(([a, b, r]) => (r ? ['COPY', a, b, 'REPLACE'] : ['COPY', a, b])),
        key.map((k) => ['DEL', k]),
        key.map((k) => ['TYPE', k]),
      );
      let failures = 0;
      await fc.assert(
        fc.asyncProperty(fc.array(cmdArb, { minLength: 1, maxLength: 25 }), async (cmds) => {
          const seq: Cmd[] = [['FLUSHALL'], ...cmds, ...keys.flatMap((k) => [['GET', k], ['PEXPIRETIME', k]] as Cmd[]), ['DBSIZE']];
          for (const c of seq) {
            const [a, b] = await both(p, c);
            if (formatReply(a) !== formatReply(b)) {
              failures++;
              t.equal(formatReply(b), formatReply(a), `${c.join(' ')} in ${JSON.stringify(cmds)}`);
              return false;
            }
          }
          return true;
        }),
        { numRuns: 40 },
      ).catch((e: Error) => t.fail(e.message.split('\n').slice(0, 6).join('\n')));
      t.equal(failures, 0, 'every random sequence matched redis');
    });

    await t.test('RENAME RENAMENX within and across shards', async (t) => {
      await reset(t);
      const [s1, s2] = ['{tag}a', '{tag}b'];
      await d(t, [
        ['RENAME', 'nokey', 'x'], ['RENAME', 'nokey', 'nokey'], ['RENAMENX', 'nokey', 'x'], ['RENAMENX', 'nokey', 'nokey'],
        ['SET', k1, 'v1'], ['RENAME', k1, k1], ['RENAMENX', k1, k1], ['GET', k1],
        // across shards (when shards > 1), keeping the expiry exactly
        ['PEXPIREAT', k1, '4102444800123'], ['RENAME', k1, k2], ['EXISTS', k1], ['GET', k2], ['PEXPIRETIME', k2],
        ['SET', k1, 'other'], ['RENAMENX', k2, k1], ['GET', k1], ['GET', k2], ['RENAME', k2, k1], ['GET', k1], ['PEXPIRETIME', k1], ['EXISTS', k2],
        ['RENAMENX', k1, k2], ['GET', k2], ['EXISTS', k1], ['PEXPIRETIME', k2], ['RENAMENX', k1, k2],
        ['SET', k3, 'plain'], ['RENAME', k3, k2], ['PEXPIRETIME', k2], ['GET', k2], ['TTL', k2],
        ['SET', k4, '12345'], ['RENAME', k4, k3], ['OBJECT', 'ENCODING', k3], ['DBSIZE'],
        // within one shard (hash tag)
        ['SET', s1, 'x'], ['EXPIRE', s1, '1000'], ['RENAME', s1, s2], ['GET', s2], ['TTL', s2], ['EXISTS', s1],
        ['SET', s1, 'y'], ['RENAMENX', s1, s2], ['RENAME', s1, s2], ['GET', s2], ['TTL', s2], ['RENAMENX', s2, s1], ['GET', s1], ['DBSIZE'],
      ]);
    });

    await t.test('COPY within and across shards, DB and REPLACE', async (t) => {
      await reset(t);
      await d(t, [
        ['SET', k1, 'v1'],
        ['COPY', k1, k1], ['COPY', 'nokey', 'nokey'], ['COPY', k1, k1, 'DB', '0'], ['COPY', k1, k1, 'db', '1'], ['SELECT', '1'], ['GET', k1], ['DEL', k1], ['SELECT', '0'],
        ['COPY', k1, k2, 'DB', '99'], ['COPY', k1, k2, 'DB', '-1'], ['COPY', k1, k2, 'DB', 'x'], ['COPY', k1, k2, 'DB', '9999999999'], ['COPY', k1, k2, 'DB'],
        ['COPY', k1, k2, 'foo'], ['COPY', 'nokey', k2, 'DB', '99'], ['COPY', 'nokey', k2],
        ['COPY', k1, k2], ['GET', k2], ['COPY', k1, k2], ['SET', k1, 'v1b'], ['COPY', k1, k2, 'REPLACE', 'REPLACE'], ['GET', k2],
        ['PEXPIREAT', k1, '4102444800777'], ['COPY', k1, k3, 'REPLACE'], ['PEXPIRETIME', k3], ['GET', k3], ['GET', k1],
        ['COPY', k1, k4, 'DB', '2'], ['EXISTS', k4], ['SELECT', '2'], ['GET', k4], ['PEXPIRETIME', k4], ['DBSIZE'], ['SELECT', '0'],
        ['COPY', k1, k4, 'DB', '2'], ['COPY', k1, k4, 'DB', '2', 'REPLACE'], ['SET', '{t}x', '1'], ['COPY', '{t}x', '{t}y'], ['OBJECT', 'ENCODING', '{t}y'],
        ['DBSIZE'],
      ]);
    });

    await t.test('MOVE', async (t) => {
      await reset(t);
      await d(t, [
        ['SET', 'm', 'v'], ['PEXPIREAT', 'm', '4102444800555'],
        ['MOVE', 'm', '0'], ['MOVE', 'nokey', '0'], ['MOVE', 'm', '16'], ['MOVE', 'm', '-1'], ['MOVE', 'm', 'x'], ['MOVE', 'm', '9999999999'], ['MOVE', 'm', '99999999999999999999'],
        ['MOVE', 'nokey', '1'], ['MOVE', 'm', '1'], ['EXISTS', 'm'], ['SELECT', '1'], ['GET', 'm'], ['PEXPIRETIME', 'm'], ['SET', 'm2', 'in1'], ['SELECT', '0'],
        ['SET', 'm', 'again'], ['MOVE', 'm', '1'], ['GET', 'm'], ['SET', 'm2', 'in0'], ['MOVE', 'm2', '1'], ['DBSIZE'], ['SELECT', '1'], ['DBSIZE'], ['GET', 'm2'], ['SELECT', '0'],
      ]);
    });

    await t.test('OBJECT ENCODING REFCOUNT FREQ IDLETIME', async (t) => {
      await reset(t);
      const values = ['0', '9999', '10000', '-1', '-0', '01', ' 1', '9223372036854775807', '9223372036854775808', '-9223372036854775808',
        '12345678901234567890', '', '1.5', 'x'.repeat(44), 'x'.repeat(45), 'y'.repeat(1000)];
      const cmds: Cmd[] = [['OBJECT', 'ENCODING', 'nokey'], ['OBJECT', 'REFCOUNT', 'nokey'], ['OBJECT', 'FREQ', 'nokey'], ['OBJECT', 'IDLETIME', 'nokey']];
      values.forEach((v, i) => cmds.push(['SET', `o${i}`, v], ['OBJECT', 'ENCODING', `o${i}`], ['OBJECT', 'refcount', `o${i}`], ['object', 'freq', `o${i}`]));
      await d(t, cmds);
      const written = Date.now();
      await d(t, [['SET', 'idle1', 'v'], ['SET', 'idle2', 'v'], ['OBJECT', 'IDLETIME', 'idle1']]);
      await sleep(3200);
      const [ra, da] = await both(p, ['OBJECT', 'IDLETIME', 'idle1']);
      const [r, dd] = [intOf(ra), intOf(da)];
      // at most the time that really passed (a slow machine may take longer than the sleep), to the second
      const most = BigInt(Math.floor((Date.now() - written) / 1000) + 1);
      t.ok(r >= 2n && r <= most && dd >= 2n && dd <= most, `IDLETIME after ~3.2 s: redis ${r}, respdb ${dd} (at most ${most})`);
      // Reads that Redis does not count as accesses leave the idle time alone; GET and TOUCH reset it.
      // (redis-server's access clock ticks in whole seconds with its cron, so right after an access it
      // may answer 0 or 1; a busy machine may put a second between the access and the question)
      const justTouched = async (what: string, key: string) => {
        const [rr, dr] = await both(p, ['OBJECT', 'IDLETIME', key]);
        t.ok(intOf(rr) <= 1n && intOf(dr) <= 1n, `${what} resets the idle time: redis ${intOf(rr)}, respdb ${intOf(dr)}`);
      };
      await d(t, [['TYPE', 'idle2'], ['TTL', 'idle2'], ['EXISTS', 'idle2'], ['OBJECT', 'ENCODING', 'idle2'], ['GET', 'idle1']]);
      await justTouched('GET', 'idle1');
      const idle2 = intOf(await p.respdb.send('OBJECT', 'IDLETIME', 'idle2'));
      t.ok(idle2 >= 2n, `TYPE/TTL/EXISTS/OBJECT do not touch (idle ${idle2})`);
      await d(t, [['TOUCH', 'idle2']]);
      await justTouched('TOUCH', 'idle2');
    });

    await t.test('concurrent RENAME / RENAMENX across shards stay atomic', async (t) => {
      await reset(t);
      const extra = await Promise.all([0, 1, 2].map(() => RawClient.connect(p.respdbProc.port, p.respdbProc.host)));
      try {
        // One key renamed back and forth between two shards; readers always see exactly one of them.
        await p.respdb.send('SET', k1, 'moving');
        const renames: Cmd[] = [];
        for (let i = 0; i < 100; i++) renames.push(i % 2 === 0 ? ['RENAME', k1, k2] : ['RENAME', k2, k1]);
        const reads: Cmd[] = [];
        for (let i = 0; i < 200; i++) reads.push(['EXISTS', k1, k2]);
        const [rr, er] = await Promise.all([extra[0].pipeline(renames), extra[1].pipeline(reads)]);
        t.same(rr.filter((r) => !(r.t === 'simple' && r.v === 'OK')), [], 'every RENAME succeeded');
        t.same(er.filter((r) => !(r.t === 'int' && r.v === 1n)), [], 'EXISTS k1 k2 always saw exactly one key');
        // RENAMENX and COPY (no REPLACE) never destroy a value: the values stay a set of the originals.
        const slots = spread('slot:', 8, shards);
        await p.respdb.send('DEL', k1, k2);
        for (let i = 0; i < 4; i++) await p.respdb.send('SET', slots[i], `value${i}`);
        const rnd = fc.sample(fc.tuple(fc.nat(7), fc.nat(7)), { numRuns: 300, seed: 42 });
        const batches = [0, 1, 2].map((c) => rnd.slice(c * 100, c * 100 + 100).map(([a, b]): Cmd => ['RENAMENX', slots[a], slots[b]]));
        const replies = await Promise.all(batches.map((b, c) => extra[c].pipeline(b)));
        t.same(replies.flat().filter((r) => r.t === 'error' && r.v !== 'ERR no such key'), [], 'no RENAMENX error except for missing keys');
        t.ok(replies.flat().filter((r) => r.t === 'int' && r.v === 1n).length > 10, 'many RENAMENX succeeded');
        const values: string[] = [];
        for (const s of slots) {
          const v = await p.respdb.send('GET', s);
          if (v.t === 'bulk' && v.v) values.push(v.v.toString());
        }
        t.same(values.sort(), ['value0', 'value1', 'value2', 'value3'], 'RENAMENX kept every value exactly once');
      } finally {
        await Promise.all(extra.map((c) => c.close()));
      }
    });

    await t.test('RESP3 replies', async (t) => {
      await reset(t);
      const [hr, hd] = await both(p, ['HELLO', '3']);
      t.equal(hr.t, 'map', 'redis speaks RESP3');
      t.equal(hd.t, 'map', 'respdb speaks RESP3');
      try {
        await d(t, [
          ['RANDOMKEY'], ['OBJECT', 'ENCODING', 'nokey'], ['OBJECT', 'IDLETIME', 'nokey'], ['SCAN', '0'], ['KEYS', '*'], ['OBJECT', 'HELP'],
          ['SET', k1, '5'], ['TYPE', k1], ['TTL', k1], ['OBJECT', 'ENCODING', k1], ['RANDOMKEY'], ['SCAN', '0', 'COUNT', '100'], ['KEYS', '*'], ['DBSIZE'],
          ['COPY', k1, k2], ['RENAME', k2, k3], ['RENAMENX', k3, k1], ['EXPIRE', k1, '100', 'NX', 'XX'], ['SWAPDB', '0', '1'], ['SWAPDB', '0', '1'], ['FLUSHDB'],
        ]);
      } finally {
        await both(p, ['HELLO', '2']);
      }
    });

    await t.test('expiry: lazy and active', async (t) => {
      await reset(t);
      await d(t, [['SET', 'lazy', 'v', 'PX', '30'], ['SET', 'keep', 'v'], ['SET', k1, 'v'], ['PEXPIRE', k1, '40']]);
      await sleep(80);
      await d(t, [['GET', 'lazy'], ['EXISTS', 'lazy', k1], ['TTL', 'lazy'], ['TYPE', k1], ['RENAME', k1, k2], ['COPY', 'lazy', k2], ['MOVE', 'lazy', '1']]);
      await d(t, [['SET', 'active', 'v', 'PX', '50']]);
      const start = Date.now();
      let size = -1n;
      // a liveness bound, not a speed one (the sweep runs hz = 10 times a second)
      while (Date.now() - start < 10000) {
        size = intOf(await p.respdb.send('DBSIZE'));
        if (size === 1n) break;
        await sleep(100);
      }
      t.equal(size, 1n, `the untouched volatile key left DBSIZE (after ${Date.now() - start} ms)`);
    });

    await t.test('10 kB keys (hashed storage) with every command', async (t) => {
      await reset(t);
      const a = longKey('a');
      const b = longKey('b');
      const c = longKey('c', 'M');
      if (shards > 1) t.not(shardOf(a, shards) === shardOf(b, shards) && shardOf(a, shards) === shardOf(c, shards), true, 'long keys on several shards');
      await d(t, [
        ['SET', a, 'va'], ['GET', a], ['EXISTS', a, b], ['TYPE', a], ['TOUCH', a], ['OBJECT', 'ENCODING', a], ['OBJECT', 'REFCOUNT', a],
        ['EXPIRE', a, '100'], ['TTL', a], ['PERSIST', a], ['TTL', a], ['PEXPIREAT', a, '4102444800999'], ['PEXPIRETIME', a],
        ['RENAME', a, b], ['EXISTS', a], ['GET', b], ['PEXPIRETIME', b], ['RENAMENX', b, a], ['GET', a],
        ['COPY', a, c], ['GET', c], ['PEXPIRETIME', c], ['RENAME', c, 'short'], ['GET', 'short'], ['RENAME', 'short', c], ['GET', c],
        ['MOVE', c, '1'], ['SELECT', '1'], ['GET', c], ['TYPE', c], ['KEYS', '*'], ['SELECT', '0'],
        ['SET', b, 'vb'], ['DBSIZE'], ['KEYS', 'M*c'], ['KEYS', '*b'], ['KEYS', 'L*'], ['KEYS', '*'],
      ], true);
      const want = [a, b].map((k) => k.toString('latin1')).sort();
      t.same([...(await scanAll(p.respdb, ['COUNT', '1'])).keys].sort(), want, 'SCAN returns the long keys');
      t.same([...(await scanAll(p.respdb, ['MATCH', '*b'])).keys].sort(), [want[1]], 'SCAN MATCH on a long key');
      await d(t, [['DEL', a, b, 'short'], ['DBSIZE'], ['SELECT', '1'], ['UNLINK', c], ['DBSIZE'], ['SELECT', '0']]);
    });

    if (shards === 1) {
      await t.test('COMMAND INFO of the keyspace commands', async (t) => {
        const names = ['del', 'unlink', 'exists', 'touch', 'type', 'expire', 'pexpire', 'expireat', 'pexpireat', 'expiretime', 'pexpiretime',
          'ttl', 'pttl', 'persist', 'keys', 'scan', 'randomkey', 'rename', 'renamenx', 'copy', 'move', 'dbsize', 'flushdb', 'flushall', 'swapdb',
          'object|encoding', 'object|freq', 'object|idletime', 'object|refcount', 'object|help'];
        await d(t, names.map((n) => ['COMMAND', 'INFO', n]));
      });
    }

  });
}

suite(1);
suite(4);
