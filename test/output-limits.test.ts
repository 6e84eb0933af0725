// client-output-buffer-limit: the directive against redis-server 7.0 (CONFIG SET's partial class
// sets and errors, CONFIG GET's formatting, config file lines, CONFIG REWRITE's lines per class)
// and the enforcement rules of lib/output-limits.ts on a clock of the test's own (hard limit at
// once; soft limit only after more than soft-seconds over it without a check seeing it under).
import t from 'tap';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Config } from '../lib/config.js';
import { OutputLimits } from '../lib/output-limits.js';
import type { Connection } from '../lib/connection.js';
import { freePort, spawnTracked, startRedis, startRespdb } from './support/servers.js';
import { RawClient, formatReply } from './support/resp-client.js';

const NAME = 'client-output-buffer-limit';

const PROBES = [
  'pubsub 1mb 0 0', 'pubsub 1mb 0', 'foo 1mb 0 0', 'pubsub x 0 0', 'pubsub 1 -1 0', 'pubsub 1 1 -1', 'pubsub 1 1 x',
  'replica 1 2 3 slave 4 5 6 master 7 8 9', 'master 1 2 3', '', 'normal 1k 2kb 3', '  normal   5 6 7  ', 'NORMAL 5 6 7', 'normal 5 6 7    ',
  'normal  5 6', 'normal 5 6 7 normal 8 9 10', 'pubsub 10gb 5g 99999999999', 'pubsub 1 2 +3', 'pubsub 18446744073709551615 2 3',
  'pubsub 18446744073709551616 2 3', 'pubsub 1 2 2147483648', 'pubsub +5 2 3', 'pubsub 17179869184gb 2 3', 'pubsub 1 2 3x',
  'pubsub 0x10 2 3', 'pubsub 1 2 -0', ' ', 'pubsub 5MB 1Gb 1', 'pubsub 1 2 99999999999999999999', 'pubsub 1 2 +', 'pubsub 1 2 \t3',
  'pubsub 1 2 \t', 'slave 1 2 3 replica 4 5 6', 'pubsub 1b 2B 3', 'pubsub 1kB 2Kb 3', 'pubsub 1.5mb 0 0', 'x 1 2 3 pubsub y 0 0',
  'pubsub y 0 0 x 1 2 3', 'normal 0 0 0',
];

t.test('CONFIG SET and CONFIG GET agree with redis-server', async (t) => {
  const [redis, respdb] = await Promise.all([startRedis(), startRespdb({ shards: 1 })]);
  t.teardown(() => Promise.all([redis.stop(), respdb.stop()]));
  const [r, d] = await Promise.all([RawClient.connect(redis.port), RawClient.connect(respdb.port)]);
  t.teardown(() => Promise.all([r.close(), d.close()]));
  const both = async (...cmd: string[]): Promise<void> => {
    t.equal(formatReply(await d.send(...cmd)), formatReply(await r.send(...cmd)), cmd.join(' '));
  };
  await both('CONFIG', 'GET', NAME);
  await both('CONFIG', 'GET', 'client-output-*');
  for (const p of PROBES) {
    await both('CONFIG', 'SET', NAME, p);
    await both('CONFIG', 'GET', NAME);
  }
  await both('CONFIG', 'SET', NAME, 'slave 1 2 3', NAME, 'pubsub 1 1 1');
  await both('CONFIG', 'SET', NAME, 'slave 1 2 3', 'maxclients', 'x');
  await both('CONFIG', 'SET', NAME, 'slave 1 2 3', 'maxclients', '100');
  await both('CONFIG', 'GET', NAME);
  await both('CONFIG', 'GET', 'CLIENT-OUTPUT-BUFFER-LIMIT');
  await Promise.all([r.send('HELLO', '3'), d.send('HELLO', '3')]);
  await both('CONFIG', 'GET', NAME);
});

/** Starts redis-server on a config file (CONFIG REWRITE needs one); resolves once it answers. */
async function redisOnFile(file: string): Promise<{ port: number; stop: () => void }> {
  const port = await freePort();
  const child = spawnTracked('redis-server', [file, '--port', String(port), '--bind', '127.0.0.1', '--save', '', '--dir', path.dirname(file)], { stdio: 'ignore' });
  for (let i = 0; i < 500; i++) {
    try {
      const c = await RawClient.connect(port);
      await c.send('PING');
      await c.close();
      return { port, stop: () => child.kill('SIGKILL') };
    } catch {
      await new Promise((r) => setTimeout(r, 10));
    }
  }
  throw new Error('redis-server did not start');
}

t.test('config file lines and CONFIG REWRITE agree with redis-server', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'respdb-obuf-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const text = ['# limits', `${NAME} pubsub 1mb 2mb 3`, `${NAME} normal 1k 0 0 replica 5 5 5`, ''].join('\n');
  const redisFile = path.join(dir, 'redis.conf');
  const ourFile = path.join(dir, 'respdb.conf');
  fs.writeFileSync(redisFile, text);
  fs.writeFileSync(ourFile, text);
  const redis = await redisOnFile(redisFile);
  t.teardown(() => redis.stop());
  const r = await RawClient.connect(redis.port);
  t.teardown(() => r.close());
  const ours = Config.fromArgv([ourFile]);
  const get = async (): Promise<string> => {
    const reply = await r.send('CONFIG', 'GET', NAME);
    return reply.t === 'array' && reply.v && reply.v[1].t === 'bulk' ? String(reply.v[1].v) : formatReply(reply);
  };
  t.equal(ours.display(NAME), await get(), 'the file lines add up as in Redis');
  const lines = (file: string): string[] =>
    fs
      .readFileSync(file, 'utf8')
      .split('\n')
      .filter((l) => l.startsWith(NAME));
  for (const value of ['pubsub 1mb 2mb 3', 'normal 0 0 0 replica 256mb 64mb 60 pubsub 32mb 8mb 60', 'pubsub 1000 1536 7 normal 2gb 1 1']) {
    await r.send('CONFIG', 'SET', NAME, value);
    ours.set([[NAME, value]]);
    t.equal(ours.display(NAME), await get(), `CONFIG SET ${value}`);
    await r.send('CONFIG', 'REWRITE');
    ours.rewrite();
    t.same(lines(ourFile), lines(redisFile), `CONFIG REWRITE after ${value}`);
  }
  // from the command line: the whole value as one argument
  t.equal(Config.fromArgv(['--' + NAME, 'pubsub 1mb 0 0']).display(NAME), 'normal 0 0 0 slave 268435456 67108864 60 pubsub 1048576 0 0');
  t.throws(() => Config.fromArgv(['--' + NAME, 'pubsub 1mb 0']), /Wrong number of arguments in buffer limit configuration/);
  t.throws(() => Config.fromFileText(`${NAME} nosuch 1 2 3`), /Invalid client class specified in buffer limit configuration/);
});

/** A connection as OutputLimits sees it: its class and its waiting output. */
function fakeConn(subscribed: number, replica = false): Connection & { output: number; killed: boolean } {
  const c = {
    id: 7,
    addr: '127.0.0.1:1',
    laddr: '127.0.0.1:2',
    name: null,
    closed: false,
    subscribed,
    replica,
    softLimitSince: 0,
    output: 0,
    killed: false,
    socket: { writableLength: 0 },
    unsent(): number {
      return c.output;
    },
    kill(): void {
      c.killed = true;
      c.closed = true;
    },
  };
  return c as unknown as Connection & { output: number; killed: boolean };
}

t.test('enforcement: hard at once, soft after more than soft-seconds over it', async (t) => {
  let now = 1_000_000;
  const limits = new OutputLimits('normal 0 0 0 slave 1000 500 2 pubsub 100 50 1', () => now);
  t.same(limits.active, [false, true, true]);

  const hard = fakeConn(1);
  hard.output = 99;
  t.notOk(limits.enforce(hard), 'under the hard limit (over the soft one, seen for the first time)');
  hard.output = 100;
  t.ok(limits.enforce(hard) && hard.killed, 'closed at the hard limit');

  const soft = fakeConn(2);
  soft.output = 50;
  t.notOk(limits.enforce(soft), 'first seen over the soft limit');
  now += 1000;
  t.notOk(limits.enforce(soft), 'over it for soft-seconds: not yet');
  soft.output = 49;
  t.notOk(limits.enforce(soft), 'under it again: the time restarts');
  soft.output = 60;
  t.notOk(limits.enforce(soft));
  now += 1999;
  t.notOk(limits.enforce(soft), 'over it again for one second (of the clock) only');
  now += 1;
  t.ok(limits.enforce(soft) && soft.killed, 'closed once more than soft-seconds passed');

  const normal = fakeConn(0);
  normal.output = 1e12;
  t.notOk(limits.enforce(normal), 'the normal class has no limit');
  const replica = fakeConn(3, true);
  replica.output = 1000;
  t.ok(limits.enforce(replica), 'a replica is in the replica class, whatever its subscriptions');
  limits.set('normal 10 0 0 slave 0 0 0 pubsub 0 0 0');
  t.same(limits.active, [true, false, false], 'CONFIG SET applies');
  t.equal(limits.disconnections, 3);
});
