// Replica mode (ShardSet.setReplicaMode): a replica expires nothing itself, neither by the active
// expiry nor on access, but answers expired keys as missing; its master's DEL removes them. Side
// by side with a redis-server replica of a redis-server master (whose active expiry is off, so
// that its DEL comes only when the test asks for it), fed the same writes.
import t from 'tap';
import { startRedis } from '../support/servers.js';
import { RawClient, formatReply } from '../support/resp-client.js';
import { startInProcess } from './full-load-support.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(what: string, ok: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 400; i++) {
    if (await ok()) return;
    await sleep(25);
  }
  throw new Error(`timed out waiting for ${what}`);
}

t.test('a replica answers expired keys as missing, keeps them until its master deletes them', async (t) => {
  const master = await startRedis({ args: ['--enable-debug-command', 'yes'] });
  t.teardown(() => master.stop());
  const replica = await startRedis({ args: ['--replicaof', '127.0.0.1', String(master.port)] });
  t.teardown(() => replica.stop());
  const node = await startInProcess({ shards: 2, args: ['--hz', '50'] });
  t.teardown(() => node.stop());
  const m = await RawClient.connect(master.port, master.host);
  t.teardown(() => m.close());
  const r = await RawClient.connect(replica.port, replica.host);
  t.teardown(() => r.close());
  const s = await node.client();
  await until('the redis replica link', async () => /master_link_status:up/.test(formatReply(await r.send('INFO', 'replication'))));
  await m.send('DEBUG', 'SET-ACTIVE-EXPIRE', '0');
  node.server.shards.setReplicaMode(true);
  t.equal(node.server.shards.replicaMode, true);

  const at = Date.now() + 60;
  // what the master's stream carries (relative expiries as absolute ones)
  const writes: string[][] = [
    ['SET', 'k', 'v', 'PXAT', String(at)],
    ['HSET', 'h', 'f', 'v'],
    ['PEXPIREAT', 'h', String(at)],
    ['SET', 'live', 'x'],
    ['SET', '{k}other', 'y', 'PXAT', String(at)],
  ];
  await m.pipeline(writes);
  await s.pipeline(writes);
  await m.send('WAIT', '1', '5000');
  await sleep(Math.max(0, at - Date.now()) + 150);

  const reads: string[][] = [
    ['GET', 'k'],
    ['EXISTS', 'k', 'h', 'live'],
    ['TTL', 'k'],
    ['PTTL', 'h'],
    ['TYPE', 'h'],
    ['HGETALL', 'h'],
    ['MGET', 'k', 'live', '{k}other'],
    ['DBSIZE'],
    ['KEYS', '*'],
    ['SCAN', '0', 'COUNT', '100'],
    ['RANDOMKEY'],
  ];
  for (const cmd of reads) t.equal(formatReply(await s.send(...cmd)), formatReply(await r.send(...cmd)), cmd.join(' '));
  const keyspace = (info: string) => /db0:keys=\d+,expires=\d+/.exec(info)?.[0];
  t.equal(keyspace(formatReply(await s.send('INFO', 'keyspace'))), keyspace(formatReply(await r.send('INFO', 'keyspace'))), 'INFO keyspace counts the expired keys');
  t.equal(keyspace(formatReply(await s.send('INFO', 'keyspace'))), 'db0:keys=4,expires=3');
  // several active expiry ticks later (hz 50), still stored: the shards expired nothing
  await sleep(200);
  t.equal(formatReply(await s.send('DBSIZE')), '(integer) 4', 'the active expiry deleted nothing');
  const expired = (info: string) => /expired_keys:(\d+)/.exec(info)?.[1];
  t.equal(expired(formatReply(await s.send('INFO', 'stats'))), '0', 'expired_keys 0 on the replica');
  t.equal(expired(formatReply(await r.send('INFO', 'stats'))), '0', 'expired_keys 0 on the redis replica');

  // the master expires k on access and its DEL arrives in the stream
  await m.send('GET', 'k');
  await m.send('WAIT', '1', '5000');
  await s.send('DEL', 'k');
  t.equal(formatReply(await s.send('DBSIZE')), formatReply(await r.send('DBSIZE')), 'the master\'s DEL removes it');
  t.equal(formatReply(await s.send('DBSIZE')), '(integer) 3');

  // the stream's writes see an expired key as stored (as Redis's master client does on a replica)
  await s.send('HSET', 'h', 'f2', 'v2');
  await s.send('PERSIST', 'h');
  t.equal(formatReply(await s.send('HLEN', 'h')), '(integer) 2', 'a write of the stream keeps what the key held');

  // a node that is no longer a replica expires keys again
  node.server.shards.setReplicaMode(false);
  await until('the active expiry', async () => formatReply(await s.send('DBSIZE')) === '(integer) 2');
  t.equal(formatReply(await s.send('EXISTS', '{k}other')), '(integer) 0');
});
