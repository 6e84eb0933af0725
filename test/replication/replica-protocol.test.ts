// The replica's side of the protocol byte for byte, against a fake master written here: the
// handshake a 7.0 replica sends, `\n` keepalives before +FULLRESYNC, the diskless `$EOF:` RDB cut
// off mid-transfer (the old data stays; MASTERDOWN meanwhile under replica-serve-stale-data no),
// then a `$<len>` RDB, the stream, REPLCONF GETACK answered with the offset before it, REPLCONF
// ACK every second, and repl-timeout dropping a silent master.

import t from 'tap';
import net from 'node:net';
import fs from 'node:fs';
import path from 'node:path';
import { RawClient, RespDecoder, formatReply, type Reply } from '../support/resp-client.js';
import { startRedis, startRespdb } from '../support/servers.js';
import { sleep, until } from '../support/replica.js';
import { getInfo } from '../support/info.js';

function text(r: Reply): string {
  if (r.t === 'simple' || r.t === 'error') return r.v;
  if (r.t === 'bulk' && r.v !== null) return r.v.toString();
  if (r.t === 'int') return String(r.v);
  return formatReply(r);
}

function resp(...args: string[]): Buffer {
  return Buffer.from(`*${args.length}\r\n` + args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join(''));
}

/** One connection of the replica to the fake master: the commands it sent, as string arrays. */
class Session {
  readonly commands: string[][] = [];
  private readonly decoder = new RespDecoder();
  private waiters: Array<() => void> = [];
  closed = false;

  constructor(readonly socket: net.Socket) {
    socket.on('data', (b: Buffer) => {
      for (const r of this.decoder.push(b)) if (r.t === 'array' && r.v) this.commands.push(r.v.map((x) => (x.t === 'bulk' && x.v ? x.v.toString() : '')));
      for (const w of this.waiters.splice(0)) w();
    });
    socket.on('close', () => {
      this.closed = true;
      for (const w of this.waiters.splice(0)) w();
    });
    socket.on('error', () => {});
  }

  /** Waits for the next command matching `pred` (from `from` on); returns its index. */
  async next(pred: (c: string[]) => boolean, from = 0, ms = 10000): Promise<number> {
    const end = Date.now() + ms;
    for (;;) {
      const i = this.commands.findIndex((c, j) => j >= from && pred(c));
      if (i >= 0) return i;
      if (this.closed || Date.now() > end) throw new Error(`no such command (got ${JSON.stringify(this.commands)})`);
      await new Promise<void>((r) => {
        this.waiters.push(r);
        setTimeout(r, 50);
      });
    }
  }
}

const REPLID = 'a'.repeat(40);
const MARK = 'm'.repeat(40);

t.test('handshake, keepalives, both RDB framings, an interrupted sync, GETACK, ACKs, repl-timeout', async (t) => {
  // a real RDB, saved by redis-server
  const redis = await startRedis();
  t.teardown(() => redis.stop());
  const rc = await RawClient.connect(redis.port);
  await rc.pipeline([['SET', 'a', '1'], ['RPUSH', 'list', 'x', 'y'], ['HSET', 'h', 'f', 'v'], ['SAVE']]);
  await rc.close();
  const rdb = fs.readFileSync(path.join(redis.dir, 'dump.rdb'));

  const sessions: Session[] = [];
  let arrived: (() => void) | null = null;
  const fake = net.createServer((s) => {
    sessions.push(new Session(s));
    arrived?.();
  });
  await new Promise<void>((r) => fake.listen(0, '127.0.0.1', r));
  t.teardown(() => fake.close());
  const fakePort = (fake.address() as net.AddressInfo).port;
  const session = async (n: number): Promise<Session> => {
    while (sessions.length < n) await new Promise<void>((r) => (arrived = r));
    return sessions[n - 1];
  };

  const replica = await startRespdb({ shards: 2, args: ['--replica-serve-stale-data', 'no'] });
  t.teardown(() => replica.stop());
  const r = await RawClient.connect(replica.port);
  t.teardown(() => r.close());
  await r.send('SET', 'old', 'kept');
  t.equal(text(await r.send('REPLICAOF', '127.0.0.1', String(fakePort))), 'OK');

  // 1: the handshake, then an RDB cut off in the middle
  const s1 = await session(1);
  await s1.next((c) => c[0] === 'PING');
  t.same(s1.commands[0], ['PING'], 'PING first, alone');
  s1.socket.write('+PONG\r\n');
  await s1.next((c) => c[0] === 'REPLCONF' && c[1] === 'capa');
  t.same(s1.commands.slice(1), [['REPLCONF', 'listening-port', String(replica.port)], ['REPLCONF', 'capa', 'eof', 'capa', 'psync2']], 'REPLCONF listening-port, capa eof capa psync2');
  s1.socket.write('+OK\r\n+OK\r\n');
  const p1 = await s1.next((c) => c[0] === 'PSYNC');
  t.equal(s1.commands[p1].length, 3, 'PSYNC <replid> <offset>');
  s1.socket.write('\n\n');
  await sleep(50);
  s1.socket.write(`+FULLRESYNC ${REPLID} 100\r\n\n$EOF:${MARK}\r\n`);
  s1.socket.write(rdb.subarray(0, rdb.length >> 1));
  await until('the transfer to show', async () => (await getInfo(r, 'replication')).f.get('master_sync_in_progress') === '1');
  const during = await getInfo(r, 'replication');
  t.equal(during.f.get('master_link_status'), 'down');
  t.equal(during.f.get('master_sync_total_bytes'), '-1', 'diskless: the size is unknown');
  t.equal(during.f.get('master_sync_read_bytes'), String((rdb.length >> 1) - 40), 'bytes received (the last 40 held back: they may be the end mark)');
  t.equal(text(await r.send('GET', 'old')), "MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'.", 'MASTERDOWN during the sync');
  t.equal(text(await r.send('CONFIG', 'SET', 'replica-serve-stale-data', 'yes')), 'OK', 'CONFIG SET runs (stale flag)');
  t.equal(text(await r.send('GET', 'old')), 'kept', 'serve-stale-data yes: the old data is served during the sync');
  s1.socket.destroy();

  // 2: the next attempt (a second later) with a `$<len>` RDB and the stream after it
  const s2 = await session(2);
  t.equal(text(await r.send('GET', 'old')), 'kept', 'the interrupted sync left the old data intact');
  t.equal(text(await r.send('EXISTS', 'a')), '0', 'nothing of the cut-off RDB');
  await s2.next((c) => c[0] === 'PING');
  s2.socket.write('+PONG\r\n');
  await s2.next((c) => c[0] === 'REPLCONF' && c[1] === 'capa');
  s2.socket.write('+OK\r\n+OK\r\n');
  await s2.next((c) => c[0] === 'PSYNC');
  s2.socket.write(`+FULLRESYNC ${REPLID} 100\r\n$${rdb.length}\r\n`);
  s2.socket.write(rdb);
  const stream = Buffer.concat([resp('SELECT', '0'), resp('SET', 'x', '1'), resp('INCR', 'a')]);
  s2.socket.write(stream);
  const first = await s2.next((c) => c[0] === 'REPLCONF' && c[1] === 'ACK');
  t.same(s2.commands[first], ['REPLCONF', 'ACK', '100'], 'the first ACK: the offset of the full sync');
  await until('the stream to be applied', async () => text(await r.send('GET', 'x')) === '1');
  t.equal(text(await r.send('GET', 'a')), '2', "the RDB's data, then the stream on it");
  t.equal(text(await r.send('EXISTS', 'old')), '0', 'the old data set was replaced');
  const getack = resp('REPLCONF', 'GETACK', '*');
  t.equal(getack.length, 37);
  const mark = s2.commands.length;
  s2.socket.write(getack);
  const ack = await s2.next((c) => c[0] === 'REPLCONF' && c[1] === 'ACK' && c[2] !== '100', mark);
  t.same(s2.commands[ack], ['REPLCONF', 'ACK', String(100 + stream.length)], 'GETACK: the offset before the GETACK');
  const later = await s2.next((c) => c[0] === 'REPLCONF' && c[1] === 'ACK', ack + 1, 3000);
  t.same(s2.commands[later], ['REPLCONF', 'ACK', String(100 + stream.length + 37)], 'the periodic ACK counts the GETACK');
  const info = await getInfo(r, 'replication');
  t.equal(info.f.get('master_link_status'), 'up');
  t.equal(info.f.get('slave_repl_offset'), String(100 + stream.length + 37));
  t.equal(info.f.get('master_replid'), REPLID);

  // 3: a silent master is dropped after repl-timeout; the replica reconnects with PSYNC <replid> <offset+1>
  await r.send('CONFIG', 'SET', 'repl-timeout', '1');
  await until('the link to be dropped', async () => s2.closed, 5000);
  const s3 = await session(3);
  await s3.next((c) => c[0] === 'PING');
  s3.socket.write('+PONG\r\n');
  await s3.next((c) => c[0] === 'REPLCONF' && c[1] === 'capa');
  s3.socket.write('+OK\r\n+OK\r\n');
  const p3 = await s3.next((c) => c[0] === 'PSYNC');
  t.same(s3.commands[p3], ['PSYNC', REPLID, String(100 + stream.length + 37 + 1)], 'PSYNC continues the history');
  await r.send('CONFIG', 'SET', 'repl-timeout', '60');
  s3.socket.write('+CONTINUE\r\n');
  s3.socket.write(resp('INCR', 'a'));
  await until('the stream to go on', async () => text(await r.send('GET', 'a')) === '3');
  t.equal((await getInfo(r, 'replication')).f.get('master_link_status'), 'up', 'partial resync: link up');
});
