// A writer against the redis-server being migrated, using the commands Redis rewrites before they
// reach its replicas: SET EX/PX (SET PXAT), EXPIRE and GETEX (PEXPIREAT), a past expiry and keys
// expiring on redis (DEL), SPOP (SREM), BLPOP / BRPOPLPUSH served by a push (LPOP / RPOPLPUSH
// after the push; BZPOPMIN: ZPOPMIN), MULTI/EXEC, INCRBYFLOAT (SET KEEPTTL), HINCRBYFLOAT (HSET),
// GEOADD (ZADD), EVAL with writes, PUBLISH, SELECT, MOVE, SWAPDB, FLUSHDB.

import { replyString, type RawClient } from '../support/resp-client.js';
import { field } from '../support/replica.js';

export const CHANNEL = 'w:chan';

export class MigrationWriter {
  steps = 0;
  /** every PUBLISH payload, in order */
  readonly published: string[] = [];
  /** keys set to expire within a millisecond on redis */
  readonly shortLived: string[] = [];
  private stopping = false;
  private running: Promise<void> | null = null;

  constructor(
    private readonly c: RawClient,
    private readonly blocker: RawClient,
  ) {}

  /** One round of every kind of write; `i` makes its keys and values distinct. */
  async step(): Promise<void> {
    const i = this.steps;
    const k = (s: string) => `w:${s}:${i % 50}`;
    const msg = `msg-${i}`;
    const replies = await this.c.pipeline([
      ['SELECT', '0'],
      ['SET', k('ex'), `v${i}`, 'EX', '1000'],
      ['SET', k('px'), `v${i}`, 'PX', '900000'],
      ['EXPIRE', k('ex'), '2000'],
      ['GETEX', k('px'), 'PX', '800000'],
      ['SET', k('persist'), 'p', 'EX', '100'],
      ['GETEX', k('persist'), 'PERSIST'],
      ['SET', `w:short:${i}`, 'gone soon', 'PX', '1'],
      ['SET', k('past'), 'x'],
      ['EXPIRE', k('past'), '-1'],
      ['SADD', 'w:set', `a${i}`, `b${i}`, `c${i}`, `d${i}`],
      ['SPOP', 'w:set'],
      ['SPOP', 'w:set', '2'],
      ['INCRBYFLOAT', 'w:float', '0.1'],
      ['MULTI'],
      ['INCR', 'w:tx'],
      ['LPUSH', 'w:txlist', String(i)],
      ['LTRIM', 'w:txlist', '0', '99'],
      ['HSET', 'w:txhash', `f${i % 20}`, String(i)],
      ['EXEC'],
      ['EVAL', "redis.call('incr', KEYS[1]); redis.call('hset', KEYS[2], ARGV[1], ARGV[1]); return redis.call('spop', KEYS[3])", '3', 'w:lua', 'w:luahash', 'w:set', String(i % 30)],
      ['ZADD', 'w:zset', String(i % 17), `m${i % 40}`],
      ['SET', k('keepttl'), 'a', 'EX', '5000'],
      ['SET', k('keepttl'), 'b', 'KEEPTTL'],
      ['SET', k('getdel'), 'x'],
      ['GETDEL', k('getdel')],
      ['HINCRBYFLOAT', 'w:hfloat', `f${i % 3}`, '0.5'],
      ['GEOADD', 'w:geo', String(13 + (i % 10) / 10), '38.115556', `place${i % 10}`],
      ['SET', k('pexat'), 'x'],
      ['PEXPIREAT', k('pexat'), String(Date.now() + 3_600_000)],
      ['SET', k('exatpast'), 'x'],
      ['EXPIREAT', k('exatpast'), '1'],
      ['LMPOP', '1', 'w:txlist', 'RIGHT', 'COUNT', '2'],
      ['ZRANGESTORE', 'w:zdst', 'w:zset', '0', '5'],
      ['SORT', 'w:txlist', 'STORE', 'w:sorted'],
      ['COPY', k('ex'), k('copy'), 'REPLACE'],
      ['SET', k('move'), String(i)],
      ['MOVE', k('move'), '3'],
      ['SELECT', '5'],
      ['INCR', 'w:swapped'],
      ['SWAPDB', '5', '6'],
      ['SELECT', '11'],
      ['SET', 'w:flushed', String(i)],
      ['FLUSHDB'],
      ['SET', 'w:after-flush', String(i)],
      ['SELECT', '0'],
      ['XADD', 'w:stream', 'MAXLEN', '50', '*', 'i', String(i)],
      ['PUBLISH', CHANNEL, msg],
      ['SELECT', '2'],
      ['SET', `w:db2:${i % 30}`, String(i)],
      ['HINCRBY', 'w:db2hash', 'n', '1'],
      ['SELECT', '9'],
      ['RPUSH', 'w:db9list', String(i)],
      ['SELECT', '0'],
    ]);
    const bad = replies.find((r) => r.t === 'error');
    if (bad) throw new Error(`writer step ${i}: ${JSON.stringify(bad)}`);
    this.published.push(msg);
    this.shortLived.push(`w:short:${i}`);
    await this.blockedPop(i);
    this.steps++;
  }

  /** A client blocked on an empty list or sorted set, served by a push from another. */
  private async blockedPop(i: number): Promise<void> {
    const b = this.blocker;
    const kind = i % 4;
    const pop = kind === 0 ? b.send('BLPOP', 'w:q', '0') : kind === 1 ? b.send('BRPOPLPUSH', 'w:q', 'w:moved', '0') : kind === 2 ? b.send('BLMOVE', 'w:q', 'w:moved', 'LEFT', 'RIGHT', '0') : b.send('BZPOPMIN', 'w:zq', '0');
    for (;;) {
      if ((await field(this.c, 'blocked_clients', 'clients')) === '1') break;
      await new Promise((r) => setTimeout(r, 2));
    }
    await (kind === 3 ? this.c.send('ZADD', 'w:zq', String(i), `pushed-${i}`) : this.c.send('RPUSH', 'w:q', `pushed-${i}`));
    const got = await pop;
    const text = got.t === 'array' && got.v ? replyString(got.v[1]) : got.t === 'bulk' ? replyString(got) : '';
    if (text !== `pushed-${i}`) throw new Error(`blocked pop ${i} got ${JSON.stringify(got)}`);
  }

  /** Steps until stop(). */
  start(onStep: () => Promise<void> = async () => {}): void {
    this.running = (async () => {
      while (!this.stopping) {
        await this.step();
        await onStep();
      }
    })();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await this.running;
  }
}
