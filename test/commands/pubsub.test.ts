// Pub/sub (SUBSCRIBE PSUBSCRIBE SSUBSCRIBE, UNSUBSCRIBEs, PUBLISH SPUBLISH, PUBSUB) against
// redis-server 7.0: transcripts of sessions with several clients (channel, pattern and shard
// subscribers, RESP2 and RESP3 side by side), subscribed-mode errors, PUBSUB introspection, RESET
// and QUIT while subscribed, disconnects, binary channels, CLIENT LIST fields. 1 and 4 shards.
import t from 'tap';
import { startRedis, startRespdb, type RedisProc, type RespdbProc } from '../support/servers.js';
import { RawClient, canonicalize, formatReply } from '../support/resp-client.js';
import { docFields, infoSorted } from '../support/command-docs.js';
import { compare, intOf, until, type Scenario, type Session } from './pubsub-support.js';

/** Runs `cmd` on `name` and records its reply with top-level arrays sorted (dict order in Redis). */
async function sorted(s: Session, name: string, ...cmd: string[]): Promise<void> {
  const r = await s.client(name).send(...cmd);
  s.lines.push(`> ${name} ${cmd.join(' ')}`, `${name}: ${formatReply(canonicalize(r, { unordered: true }))}`);
}

/** Records the pub/sub lines of INFO stats. */
async function infoPubsub(s: Session, name: string): Promise<void> {
  const r = await s.client(name).send('INFO', 'stats');
  const text = r.t === 'bulk' && r.v ? r.v.toString() : r.t === 'verbatim' ? r.v : '';
  s.lines.push(`${name}: ${text.split('\r\n').filter((l) => l.startsWith('pubsub')).join(' ')}`);
}

/** Waits until `cmd` (an integer reply) reads `want` on the server, then records it. */
async function settle(s: Session, name: string, want: number, ...cmd: string[]): Promise<void> {
  const cl = s.client(name);
  await until(async () => intOf(await cl.send(...cmd)) === want, `${cmd.join(' ')} = ${want}`);
  s.lines.push(`${name}: ${cmd.join(' ')} settled at ${want}`);
}

/** NUMSUB of one channel as an integer. */
async function numsub(cl: RawClient, kind: 'NUMSUB' | 'SHARDNUMSUB', ch: string): Promise<number> {
  const r = await cl.send('PUBSUB', kind, ch);
  return r.t === 'array' && r.v && r.v[1].t === 'int' ? Number(r.v[1].v) : -1;
}

const scenarios: Record<string, Scenario> = {
  async 'confirmations and counts'(s) {
    await s.open('a');
    for (const c of ['UNSUBSCRIBE', 'PUNSUBSCRIBE', 'SUNSUBSCRIBE']) await s.run('a', c);
    await s.run('a', 'UNSUBSCRIBE', 'x', 'y');
    await s.run('a', 'PUNSUBSCRIBE', 'p*');
    await s.run('a', 'SUNSUBSCRIBE', 's');
    await s.run('a', 'SUBSCRIBE', 'c1', 'c1', 'c2');
    await s.run('a', 'PSUBSCRIBE', 'p*', 'p*', 'c?');
    await s.run('a', 'SSUBSCRIBE', 's1', 's2', 's1');
    await s.run('a', 'UNSUBSCRIBE', 'c1', 'nosuch', 'c1');
    await s.run('a', 'PUNSUBSCRIBE', 'p*');
    await s.run('a', 'SUNSUBSCRIBE', 's1');
    await s.run('a', 'UNSUBSCRIBE');
    await s.run('a', 'UNSUBSCRIBE');
    await s.run('a', 'PING');
    await s.run('a', 'PUNSUBSCRIBE');
    await s.run('a', 'PING', 'hello');
    await s.run('a', 'SUNSUBSCRIBE');
    await s.run('a', 'PING');
    await s.run('a', 'SUBSCRIBE', '');
    await s.run('a', 'PSUBSCRIBE', '');
    await s.run('a', 'UNSUBSCRIBE', '');
    await s.run('a', 'PUNSUBSCRIBE', '');
    await s.run('a', 'PING');
  },

  async 'subscribed mode: allowed and refused commands'(s) {
    await s.open('a');
    await s.run('a', 'SET', 'k', 'v');
    await s.run('a', 'SUBSCRIBE', 'ch');
    for (const cmd of [
      ['GET', 'k'], ['SET', 'k', 'w'], ['ECHO', 'x'], ['CONFIG', 'GET', 'maxclients'], ['CLIENT', 'GETNAME'], ['SELECT', '1'],
      ['DBSIZE'], ['PUBSUB', 'NUMSUB', 'ch'], ['PUBLISH', 'other', 'x'], ['NOSUCH', 'x'], ['SUBSCRIBE'], ['PSUBSCRIBE'], ['SSUBSCRIBE'],
      ['PING', 'a', 'b'], ['PUBLISH', 'ch'], ['CONFIG', 'NOSUCH'], ['GET'], ['PING'], ['PING', 'x'],
    ]) {
      await s.run('a', ...cmd);
    }
    if (s.opts.proto === 2) await s.run('a', 'HELLO', '3');
    // a RESP3 client's PUBLISH to itself: the message comes before PUBLISH's reply
    await s.run('a', 'PUBLISH', 'ch', 'to myself');
    await s.pipeline('a', [['GET', 'k'], ['PUBLISH', 'ch', 'again'], ['GET', 'k'], ['SUBSCRIBE', 'ch2'], ['PUBLISH', 'ch2', 'x']]);
    // behind a write still on its shard: the confirmation, then the message, then PUBLISH's reply
    await s.pipeline('a', [['SET', 'k', 'v2'], ['SUBSCRIBE', 'ch3'], ['PUBLISH', 'ch3', 'y'], ['INCR', 'n'], ['PUBLISH', 'ch3', 'z'], ['GET', 'k']]);
    await s.run('a', 'RESET');
    await s.run('a', 'GET', 'k');
    await s.run('a', 'PING');
  },

  async 'delivery to channel, pattern and shard subscribers'(s) {
    await s.open('pub');
    await s.open('a');
    await s.open('b');
    await s.open('c');
    await s.open('d');
    await s.open('r2', 2);
    await s.open('r3', 3);
    await s.run('a', 'SUBSCRIBE', 'news', 'sport');
    await s.run('b', 'PSUBSCRIBE', 'n*', 's?ort');
    await s.run('c', 'SSUBSCRIBE', 'news', 'shard2');
    await s.run('d', 'SUBSCRIBE', 'news');
    await s.run('d', 'PSUBSCRIBE', 'ne*');
    await s.run('r2', 'SUBSCRIBE', 'news');
    await s.run('r3', 'SUBSCRIBE', 'news');
    await s.run('r3', 'PSUBSCRIBE', '*s');
    await s.publish('pub', 'PUBLISH', 'news', 'hello');
    await s.publish('pub', 'SPUBLISH', 'news', 'shard hello');
    await s.publish('pub', 'SPUBLISH', 'shard2', 'only c');
    await s.publish('pub', 'PUBLISH', 'shard2', 'nobody');
    await s.publish('pub', 'PUBLISH', 'sport', 'goal');
    await s.publish('pub', 'PUBLISH', 'snort', 'pattern only');
    await s.publish('pub', 'PUBLISH', 'nothing', 'n*');
    await s.publish('pub', 'PUBLISH', 'zzz', 'x');
    await s.publish('pub', 'SPUBLISH', 'zzz', 'x');
    await s.publish('pub', 'PUBLISH', 'news', '');
    await s.pipeline('pub', Array.from({ length: 30 }, (_, i) => ['PUBLISH', i % 3 === 0 ? 'sport' : 'news', `m${i}`]));
    for (const n of ['a', 'b', 'c', 'd', 'r2', 'r3']) await s.drain(n);
    // binary channels, patterns and payloads
    const bin = Buffer.from([0, 255, 13, 10, 32, 42]);
    await s.run('a', 'SUBSCRIBE', bin);
    await s.run('b', 'PSUBSCRIBE', Buffer.from([0, 0x2a]));
    await s.run('c', 'SSUBSCRIBE', bin);
    await s.publish('pub', 'PUBLISH', bin, Buffer.from([1, 2, 0, 13, 10, 255]));
    await s.publish('pub', 'SPUBLISH', bin, Buffer.from('\r\n'));
    await s.publish('pub', 'PUBLISH', Buffer.from([0, 1]), 'z');
    // a big payload (sent as it is to every subscriber)
    await s.publish('pub', 'PUBLISH', 'news', 'x'.repeat(100_000));
    await s.run('a', 'UNSUBSCRIBE', 'news');
    await s.publish('pub', 'PUBLISH', 'news', 'after a left');
  },

  async 'a pattern matching several ways, a client on several patterns'(s) {
    await s.open('pub');
    await s.open('a');
    await s.open('b');
    await s.run('a', 'PSUBSCRIBE', 'h?llo', 'h*llo', 'h[ae]llo', 'h[^e]llo', 'h\\*llo', '*');
    await s.run('b', 'PSUBSCRIBE', '[a-c]*', '*[!]');
    for (const ch of ['hello', 'hallo', 'hxllo', 'heeello', 'h*llo', 'bob', 'z!', 'c', '']) {
      s.lines.push(`channel ${ch}`);
      await s.run('pub', 'PUBLISH', ch, 'm');
      // one client's pmessages for several patterns come in the order of Redis's pattern dict
      await s.drain('a', true);
      await s.drain('b', true);
    }
    await sorted(s, 'pub', 'PUBSUB', 'CHANNELS');
    await s.run('pub', 'PUBSUB', 'NUMPAT');
  },

  async 'introspection: PUBSUB and INFO'(s) {
    await s.open('a');
    await s.open('b');
    await s.open('q', 2);
    await s.run('a', 'SUBSCRIBE', 'x', 'y', 'z');
    await s.run('b', 'SUBSCRIBE', 'y', 'xy');
    await s.run('b', 'PSUBSCRIBE', 'p*', 'q*');
    await s.run('a', 'PSUBSCRIBE', 'p*');
    await s.run('a', 'SSUBSCRIBE', 's1');
    await s.run('b', 'SSUBSCRIBE', 's1', 's2');
    for (const pat of [[], ['*'], ['?'], ['x*'], ['[xy]'], ['nosuch*'], ['p*']]) await sorted(s, 'q', 'PUBSUB', 'CHANNELS', ...pat);
    for (const pat of [[], ['*'], ['s2'], ['s?']]) await sorted(s, 'q', 'PUBSUB', 'SHARDCHANNELS', ...pat);
    for (const cmd of [
      ['PUBSUB', 'NUMSUB'], ['PUBSUB', 'NUMSUB', 'x', 'y', 'nosuch', 'p*', 's1'], ['PUBSUB', 'NUMPAT'], ['PUBSUB', 'SHARDNUMSUB'],
      ['PUBSUB', 'SHARDNUMSUB', 's1', 's2', 'x'], ['PUBSUB', 'HELP'], ['PUBSUB'], ['PUBSUB', 'nosuch'], ['PUBSUB', 'NUMPAT', 'x'],
      ['PUBSUB', 'CHANNELS', 'a', 'b'], ['PUBSUB', 'channels', 'a', 'b'], ['PUBSUB', 'SHARDCHANNELS', 'a', 'b'], ['PUBSUB', 'HELP', 'x'],
      ['pubsub', 'numsub', 'Y'], ['PUBLISH'], ['PUBLISH', 'a', 'b', 'c'], ['SPUBLISH', 'a'], ['SPUBLISH', 'a', 'b', 'c'],
    ]) {
      await s.run('q', ...cmd);
    }
    await infoPubsub(s, 'q');
    await s.run('a', 'UNSUBSCRIBE', 'y');
    await s.run('q', 'PUBSUB', 'NUMSUB', 'y');
    await s.closing('b', 'QUIT');
    await settle(s, 'q', 1, 'PUBSUB', 'NUMPAT');
    await sorted(s, 'q', 'PUBSUB', 'CHANNELS');
    await sorted(s, 'q', 'PUBSUB', 'SHARDCHANNELS');
    await s.run('q', 'PUBSUB', 'SHARDNUMSUB', 's1', 's2');
    await infoPubsub(s, 'q');
  },

  async 'RESET, QUIT and disconnects while subscribed'(s) {
    await s.open('a');
    await s.open('q', 2);
    await s.run('a', 'SUBSCRIBE', 'c');
    await s.run('a', 'PSUBSCRIBE', 'p*');
    await s.run('a', 'SSUBSCRIBE', 's');
    await s.run('a', 'RESET');
    await s.run('a', 'PING');
    await s.run('q', 'PUBSUB', 'NUMSUB', 'c');
    await s.run('q', 'PUBSUB', 'NUMPAT');
    await s.run('q', 'PUBSUB', 'SHARDNUMSUB', 's');
    await s.publish('q', 'PUBLISH', 'c', 'x');
    await s.publish('q', 'PUBLISH', 'pp', 'x');
    await s.publish('q', 'SPUBLISH', 's', 'x');
    await s.run('a', 'SUBSCRIBE', 'c');
    await s.run('a', 'SSUBSCRIBE', 's');
    await s.closing('a', 'QUIT');
    await until(async () => (await numsub(s.client('q'), 'NUMSUB', 'c')) === 0, 'QUIT dropped the subscription');
    await settle(s, 'q', 0, 'PUBLISH', 'c', 'x');
    await settle(s, 'q', 0, 'SPUBLISH', 's', 'x');
    // a subscriber that goes away without a word
    const b = await s.open('b');
    await s.run('b', 'SUBSCRIBE', 'c', 'd');
    await s.run('b', 'PSUBSCRIBE', 'd*');
    await s.publish('q', 'PUBLISH', 'd', 'two ways');
    b.socket.destroy();
    await settle(s, 'q', 0, 'PUBSUB', 'NUMPAT');
    await s.run('q', 'PUBSUB', 'NUMSUB', 'c', 'd');
    await s.publish('q', 'PUBLISH', 'd', 'x');
  },

  async 'CLIENT LIST, CLIENT KILL TYPE pubsub'(s) {
    await s.open('q', 2);
    await s.open('a');
    await s.open('b');
    await s.run('a', 'SUBSCRIBE', 'x', 'y');
    await s.run('a', 'PSUBSCRIBE', 'p*');
    await s.run('b', 'SSUBSCRIBE', 's1', 's2', 's3');
    const fields = async (...cmd: string[]): Promise<void> => {
      const r = await s.client('q').send(...cmd);
      const text = r.t === 'bulk' && r.v ? r.v.toString() : formatReply(r);
      const lines = text
        .split('\n')
        .filter((l) => l !== '')
        .map((l) => ['flags', 'db', 'sub', 'psub', 'ssub', 'multi', 'resp'].map((f) => new RegExp(`(?:^| )(${f}=[^ ]*)`).exec(l)?.[1]).join(' '))
        .sort();
      s.lines.push(`> q ${cmd.join(' ')}`, ...lines.map((l) => `q: ${l}`));
    };
    await fields('CLIENT', 'LIST');
    await fields('CLIENT', 'LIST', 'TYPE', 'pubsub');
    await fields('CLIENT', 'LIST', 'TYPE', 'normal');
    await s.run('b', 'SUNSUBSCRIBE', 's1', 's2', 's3');
    await fields('CLIENT', 'LIST', 'TYPE', 'pubsub');
    await s.run('q', 'CLIENT', 'KILL', 'TYPE', 'pubsub');
    await settle(s, 'q', 0, 'PUBSUB', 'NUMPAT');
    await fields('CLIENT', 'LIST');
  },
};

for (const shards of [1, 4]) {
  t.test(`pub/sub, ${shards} shard(s)`, async (t) => {
    let redis: RedisProc | undefined;
    let respdb: RespdbProc | undefined;
    t.teardown(async () => {
      await Promise.all([redis?.stop(), respdb?.stop()]);
    });
    [redis, respdb] = await Promise.all([startRedis(), startRespdb({ shards })]);
    const ports = { redis: redis.port, respdb: respdb.port };
    if (shards === 1) {
      await t.test('COMMAND INFO and DOCS of the pub/sub commands', async (t) => {
        const [r, d] = await Promise.all([RawClient.connect(redis!.port), RawClient.connect(respdb!.port)]);
        for (const n of ['subscribe', 'unsubscribe', 'psubscribe', 'punsubscribe', 'publish', 'ssubscribe', 'sunsubscribe', 'spublish', 'pubsub']) {
          t.equal(infoSorted(await d.send('COMMAND', 'INFO', n)), infoSorted(await r.send('COMMAND', 'INFO', n)), `COMMAND INFO ${n}`);
          // (subcommands in Redis's dict order)
          const docs = async (c: RawClient) => formatReply(canonicalize(docFields(await c.send('COMMAND', 'DOCS', n)), { unordered: true }));
          t.equal(await docs(d), await docs(r), `COMMAND DOCS ${n}`);
          const getkeys = ['COMMAND', 'GETKEYS', n, 'a', 'b'];
          t.same(await d.send(...getkeys), await r.send(...getkeys), getkeys.join(' '));
        }
        await Promise.all([r.close(), d.close()]);
      });
    }
    for (const proto of [2, 3] as const) {
      for (const [name, sc] of Object.entries(scenarios)) {
        await t.test(`${name} (RESP${proto})`, (t) => compare(t, ports, { proto }, name, sc));
      }
    }
  });
}
