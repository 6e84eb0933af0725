// EVAL / EVALSHA / EVAL_RO / FCALL queued in MULTI and run by EXEC, with and without declared
// keys, reading and writing keys the script computes, next to other commands of the transaction
// on other shards; replies compared with redis-server's on 1 and 4 shards. A script without
// declared keys may reach any key, so EXEC holds every shard for it, as for one with keys.
import t from 'tap';
import { createHash } from 'node:crypto';
import { pair, pipelineDiff } from '../support/servers.js';

const LIB = "#!lua name=multilib\nredis.register_function('bump', function(keys, args) return redis.call('incr', args[1]) end)";
const GET_A = "return redis.call('get', 'a')";

const SCRIPT_CASES: string[][][] = [
  [['MULTI'], ['EVAL', 'return 1', '0'], ['EXEC']],
  [['MULTI'], ['EVAL', "return redis.call('get', 'nothing')", '0'], ['EXEC']],
  [['MULTI'], ['SET', 'a', '1'], ['EVAL', GET_A, '0'], ['EXEC']],
  [['MULTI'], ['SET', 'a', '2'], ['SET', 'b', '3'], ['SET', 'c', '4'], ['EVAL', "return {redis.call('get', 'a'), redis.call('get', 'b'), redis.call('get', 'c')}", '0'], ['EXEC']],
  [['MULTI'], ['EVAL', "redis.call('set', 'from-script', 'v') return redis.call('incr', 'counter')", '0'], ['GET', 'from-script'], ['GET', 'counter'], ['EXEC']],
  [['MULTI'], ['EVAL', "return redis.call('rpush', KEYS[1], ARGV[1])", '1', 'declared', 'x'], ['LRANGE', 'declared', '0', '-1'], ['EXEC']],
  [['SCRIPT', 'LOAD', GET_A], ['MULTI'], ['SET', 'a', '5'], ['EVALSHA', '', '0'], ['EVAL_RO', GET_A, '0'], ['EXEC']],
  [['FUNCTION', 'LOAD', 'REPLACE', LIB], ['MULTI'], ['FCALL', 'bump', '0', 'fn-counter'], ['FCALL', 'bump', '0', 'fn-counter'], ['FCALL_RO', 'bump', '0', 'fn-counter'], ['GET', 'fn-counter'], ['EXEC']],
  [['MULTI'], ['EVAL', "return redis.call('incr', 'a')", '0'], ['EVAL', 'return redis.error_reply("MYERR in a transaction")', '0'], ['GET', 'a'], ['EXEC']],
  [['WATCH', 'w'], ['MULTI'], ['EVAL', "return redis.call('set', 'w', 'changed')", '0'], ['EXEC'], ['GET', 'w']],
];

for (const shards of [1, 4]) {
  t.test(`scripts in MULTI ... EXEC as in redis, ${shards} shard(s)`, async (t) => {
    const p = await pair(t, { shards });
    const sha = createHash('sha1').update(GET_A).digest('hex');
    for (const cmds of SCRIPT_CASES) {
      await Promise.all([p.redis.send('FLUSHALL'), p.respdb.send('FLUSHALL')]);
      const filled = cmds.map((c) => (c[0] === 'EVALSHA' ? ['EVALSHA', sha, ...c.slice(2)] : c));
      t.equal(await pipelineDiff(p, filled), null, filled.map((c) => c.join(' ')).join(' / ').slice(0, 160));
    }
  });
}
