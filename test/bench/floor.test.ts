// The floor (bench/floor.ts), the one-event-loop yardstick of `npm run bench`: its replies equal
// redis-server's for the commands it knows (strings, lists, sets, hashes, sorted sets, CONFIG GET
// of the two parameters redis-benchmark asks, inline PING, requests split across reads, a value
// larger than its read buffer), and redis-benchmark completes every default test of bench/run.ts
// against it.
import t, { type Test } from 'tap';
import path from 'node:path';
import { DEFAULT_TESTS, runBenchmark } from '../../bench/redis-benchmark.js';
import { REPO_ROOT, freePort, pipelineDiff, spawnTracked, startRedis } from '../support/servers.js';
import { RawClient, formatReply } from '../support/resp-client.js';

const FLOOR_BIN = path.join(REPO_ROOT, 'dist', 'bench', 'floor.js');
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

async function startFloor(t: Test): Promise<number> {
  const port = await freePort();
  const child = spawnTracked(process.execPath, [FLOOR_BIN, '--port', String(port)], { stdio: 'ignore' });
  t.teardown(() => {
    child.kill('SIGTERM');
  });
  for (let i = 0; i < 100; i++) {
    const c = await RawClient.connect(port).catch(() => null);
    if (c) {
      await c.close();
      return port;
    }
    await sleep(100);
  }
  throw new Error('the floor did not start');
}

t.test('replies as redis-server does', async (t) => {
  const redisProc = await startRedis();
  t.teardown(() => redisProc.stop());
  const floorPort = await startFloor(t);
  const redis = await RawClient.connect(redisProc.port);
  const floor = await RawClient.connect(floorPort);
  t.teardown(() => Promise.all([redis.close(), floor.close()]));
  const cmds: string[][] = [
    ['PING'], ['ping', 'hello'],
    ['SET', 'k', 'v'], ['GET', 'k'], ['get', 'missing'], ['SET', 'n', '41'], ['INCR', 'n'], ['INCR', 'fresh'], ['GET', 'n'],
    ['INCR', 'k'], ['SET', 'n2', '007'], ['INCR', 'n2'], ['SET', 'neg', '-5'], ['INCR', 'neg'],
    ['MSET', 'a', '1', 'b', '2'], ['GET', 'b'], ['DEL', 'a', 'b', 'nope'],
    ['LPUSH', 'l', 'x', 'y'], ['RPUSH', 'l', 'z', 'w'], ['LRANGE', 'l', '0', '-1'], ['LRANGE', 'l', '-2', '100'],
    ['LRANGE', 'l', '3', '1'], ['LRANGE', 'l', '9', '10'], ['LRANGE', 'l', '-100', '1'], ['LRANGE', 'nolist', '0', '-1'],
    ['LPOP', 'l'], ['RPOP', 'l'], ['LPOP', 'l'], ['LPOP', 'l'], ['LPOP', 'l'], ['RPOP', 'nolist'], ['GET', 'l'],
    ['SADD', 's', 'm', 'm'], ['SADD', 's', 'm'], ['SPOP', 's'], ['SPOP', 's'],
    ['HSET', 'h', 'f', '1', 'g', '2'], ['HSET', 'h', 'f', '3', 'e', '4'],
    ['ZADD', 'z', '1', 'a', '2.5', 'b'], ['ZADD', 'z', '3', 'a', '-inf', 'c'],
    ['GET', 'h'], ['LPUSH', 'k', 'x'], ['SADD', 'l2', 'x'], ['LRANGE', 'z', '0', '1'], ['HSET', 's2', 'f', 'v'], ['SADD', 'k', 'x'], ['ZADD', 'h', '1', 'm'],
    ['CONFIG', 'GET', 'save'], ['CONFIG', 'GET', 'appendonly'],
  ];
  t.equal(await pipelineDiff({ redis, respdb: floor }, cmds), null);

  // a random member, gone from the set: the reply is one of the members, then the key is gone
  const members = Array.from({ length: 20 }, (_, i) => `e${i}`);
  t.same(formatReply(await floor.send('SADD', 'rs', ...members)), formatReply(await redis.send('SADD', 'rs', ...members)));
  const popped = new Set<string>();
  for (let i = 0; i < 20; i++) {
    const r = await floor.send('SPOP', 'rs');
    popped.add(r.t === 'bulk' && r.v ? r.v.toString() : `not a bulk: ${formatReply(r)}`);
  }
  t.same([...popped].sort(), [...members].sort());
  t.equal(formatReply(await floor.send('SPOP', 'rs')), formatReply(await redis.send('SPOP', 'nosuchset')));

  // inline PING, a request split across reads, errors of an unknown command and a wrong arity
  for (const c of [redis, floor]) {
    await c.sendRaw('PING\r\n*3\r\n$3\r\nSET\r\n$2\r\nsp');
    await sleep(50);
    await c.sendRaw('\r\n$5\r\nsplit\r\n*2\r\n$3\r\nGET\r\n$2\r\nsp\r\n');
  }
  for (let i = 0; i < 3; i++) t.equal(formatReply(await floor.readReply()), formatReply(await redis.readReply()), `raw reply ${i}`);
  for (const cmd of [['NOSUCHCOMMAND'], ['GET'], ['LRANGE', 'l', 'x', '1'], ['ZADD', 'z', 'x', 'm']]) {
    const [r, f] = [await redis.send(...cmd), await floor.send(...cmd)];
    t.equal(f.t, 'error', `${cmd.join(' ')}: an error`);
    t.equal(r.t, 'error', `${cmd.join(' ')}: an error from redis too`);
  }

  // a value larger than the 64 KiB read buffer, and a list of 100k elements used at both ends
  const big = Buffer.alloc(300 * 1024, 'v');
  const pushes = Array.from({ length: 1000 }, (_, i) => ['RPUSH', 'long', ...Array.from({ length: 100 }, (_, j) => String(i * 100 + j))]);
  const more = [['SET', 'big', big], ['GET', 'big'], ...pushes, ['LRANGE', 'long', '99990', '-1'], ['LPOP', 'long'], ['RPOP', 'long'], ['LPUSH', 'long', 'first'], ['LRANGE', 'long', '0', '2']];
  t.equal(await pipelineDiff({ redis, respdb: floor }, more), null);

  // a protocol error closes the connection after its error reply
  const bad = await RawClient.connect(floorPort);
  await bad.sendRaw('*1\r\nxx\r\n');
  t.equal((await bad.readReply()).t, 'error');
  t.ok(await bad.waitClose(5000), 'closed after a protocol error');
});

t.test('redis-benchmark runs every default test, and the ones of the other commands', async (t) => {
  const port = await startFloor(t);
  for (const test of [...DEFAULT_TESTS, 'ping_inline', 'ping_mbulk', 'rpush', 'lpop']) {
    const r = await runBenchmark(port, test, 16, { clients: 10, requests: 2000 });
    t.equal(r.error, undefined, `${test}: no error`);
    t.ok(r.row && r.row.rps > 0, `${test}: measured (${r.row?.test})`);
  }
});
