// Every command and subcommand respdb lists is refused by ACL where Redis refuses it: by command
// rules (directly, queued in MULTI, through redis.call), by key patterns (~, %R~, %W~) and by
// channel patterns. The table is read from the running respdb, so a new command is covered
// without editing this file; each case is sent to redis-server too and the replies must match.
// Commands are sent with placeholder arguments ('x', keys 'k'/'denied'/'allowed:x'): where ACL lets
// one through it fails on its arguments (timeouts, hosts, numbers), so nothing blocks or runs
// destructively (SHUTDOWN, SAVE, SYNC cannot be queued; FLUSHALL only empties the test servers).
import t from 'tap';
import { pair } from '../support/servers.js';
import { RawClient, type Reply } from '../support/resp-client.js';
import {
  argsFor,
  commandTable,
  connectAs,
  nopermCommand,
  NOPERM_CHANNELS,
  NOPERM_KEYS,
  READ_FLAGS,
  specsHave,
  text,
  usedSpecs,
  WRITE_FLAGS,
} from '../support/acl-commands.js';

/** One server: an admin connection (default user) that sets the rules of user `t`, and one as `t`. */
class Side {
  private conn: RawClient | null = null;
  constructor(
    readonly name: string,
    readonly port: number,
    readonly admin: RawClient,
  ) {}

  async setUser(...rules: string[]): Promise<void> {
    const r = await this.admin.send('ACL', 'SETUSER', 't', 'reset', 'on', 'nopass', ...rules);
    if (r.t === 'error') throw new Error(`${this.name}: ACL SETUSER t ${rules.join(' ')}: ${r.v}`);
  }

  /**
   * Replies of `cmds` sent pipelined as user t. A connection that answered anything but errors
   * (it may now be subscribed, monitoring, in MULTI...) or timed out is replaced for the next call,
   * unless `keep` (a transaction continued by the next call).
   */
  async run(cmds: string[][], keep = false): Promise<Reply[]> {
    this.conn ??= await connectAs(this.port, 't');
    const c = this.conn;
    let out: Reply[];
    let failed = false;
    try {
      out = await c.pipeline(cmds);
    } catch (e) {
      failed = true;
      out = cmds.map(() => ({ t: 'error', v: /closed/.test((e as Error).message) ? '(closed)' : '(no reply)' }) as Reply);
    }
    // (a reply that comes after the timeout must not be read as the next command's)
    if (failed || c.closed || (!keep && out.some((r) => r.t !== 'error'))) {
      this.conn = null;
      await c.close().catch(() => {});
    }
    return out;
  }

  async close(): Promise<void> {
    await this.conn?.close().catch(() => {});
  }
}

const show = (rs: Reply[]): string => rs.map(text).join(' / ');
/** For a command ACL lets through only that matters, not what it then answers. */
const notRefused = (rs: Reply[]): string => rs.map((r) => (text(r).startsWith('NOPERM') ? text(r) : 'served')).join(' / ');

t.test('ACL refusals match redis-server for every command respdb lists', async (t) => {
  // respdb runs DEBUG by default; redis-server would refuse it before ACL is asked
  const p = await pair(t, { shards: 2, redisArgs: ['--enable-debug-command', 'yes'] });
  const redis = new Side('redis', p.redisPort, p.redis);
  const respdb = new Side('respdb', p.respdbPort, p.respdb);
  t.teardown(() => Promise.all([redis.close(), respdb.close()]));

  const ours = await commandTable(p.respdb);
  const theirs = new Map((await commandTable(p.redis)).map((e) => [e.name, e]));
  t.ok(ours.length > 200, `respdb lists ${ours.length} commands and subcommands`);
  const common = ours.filter((e) => theirs.has(e.name) && !e.container);
  const notInRedis = ours.filter((e) => !theirs.has(e.name)).map((e) => e.name);
  t.comment(`compared ${common.length}; respdb only: ${notInRedis.join(' ') || 'none'}`);

  /** Sends the same commands to both sides and records what differs (and what redis did not expect). */
  const both = async (label: string, cmds: string[][], mism: string[], expect?: (r: Reply[]) => string | null, shown = show) => {
    const a = await redis.run(cmds);
    const b = await respdb.run(cmds);
    if (shown(a) !== shown(b)) mism.push(`${label}: ${cmds.map((c) => c.join(' ')).join(' ; ')}\n  redis:  ${shown(a)}\n  respdb: ${shown(b)}`);
    const bad = expect?.(a);
    if (bad) mism.push(`${label} (redis itself): ${cmds.map((c) => c.join(' ')).join(' ; ')}: ${bad}`);
  };

  t.test('a command outside the user rules: NOPERM, at queue time in MULTI, in redis.call', async (t) => {
    const direct: string[] = [];
    const multi: string[] = [];
    const script: string[] = [];
    for (const e of common) {
      if (e.categories.length === 0) continue;
      // @dangerous with + would also allow things the test must not run if it is not refused
      const cat = e.categories.find((c) => c !== 'dangerous') ?? e.categories[0];
      const rules = ['~*', '&*', `+@${cat}`, `-${e.name}`];
      const argv = [...e.words, ...argsFor(e, () => 'k')];
      // no_auth commands and the transaction commands themselves answer what Redis answers, whatever it is
      const noAuth = e.flags.includes('no_auth') || /^(multi|exec|discard)$/.test(e.name);
      const want = nopermCommand(e.name);
      await redis.setUser(...rules);
      await respdb.setUser(...rules);
      await both(e.name, [argv], direct, noAuth ? undefined : (r) => (text(r[0]) === want ? null : `expected ${want}`));
      await redis.setUser(...rules, '+multi', '+exec', '+discard');
      await respdb.setUser(...rules, '+multi', '+exec', '+discard');
      await both(e.name, [['MULTI'], argv, ['EXEC']], multi, noAuth || e.flags.includes('no_multi') ? undefined : (r) =>
        text(r[1]) === want && text(r[2]).startsWith('EXECABORT') ? null : 'expected NOPERM then EXECABORT');
      if (!e.flags.includes('noscript') && !/^(eval|evalsha|fcall)/.test(e.name)) {
        await redis.setUser(...rules, '+eval');
        await respdb.setUser(...rules, '+eval');
        const call = ['EVAL', 'return redis.call(unpack(ARGV))', '0', ...argv];
        await both(e.name, [call], script, (r) =>
          /can't run this command or subcommand/.test(text(r[0])) ? null : 'expected the script error');
      }
    }
    t.same(direct, [], 'direct');
    t.same(multi, [], 'MULTI');
    t.same(script, [], 'redis.call');
  });

  t.test('a command queued while allowed and refused by EXEC after the rules changed', async (t) => {
    const mism: string[] = [];
    let n = 0;
    for (const e of common) {
      // what cannot be queued, the transaction commands, and what changes the connection itself
      if (e.flags.includes('no_multi') || e.flags.includes('no_auth') || /^(multi|exec|discard|watch|unwatch)$/.test(e.name)) continue;
      if (e.categories.length === 0) continue;
      const argv = [...e.words, ...argsFor(e, () => 'k')];
      for (const side of [redis, respdb]) {
        await side.setUser('~*', '&*', '+@all');
        await side.run([['MULTI'], argv], true);
        await side.setUser('~*', '&*', '+@all', `-${e.name}`);
      }
      n++;
      await both(e.name, [['EXEC']], mism, (r) =>
        r[0].t === 'array' && r[0].v && /^NOPERM ACLs rules changed between the moment the transaction was accumulated and the EXEC call/.test(text(r[0].v[0]))
          ? null
          : `expected the ACLs rules changed error, got ${r[0].t === 'array' && r[0].v ? r[0].v.map(text).join(' / ') : text(r[0])}`,
        (rs) => rs.map((r) => (r.t === 'array' && r.v ? r.v.map(text).join(' / ') : text(r))).join(' / '));
    }
    t.ok(n > 150, `${n} commands queued`);
    t.same(mism, [], 'EXEC');
  });

  const keyed = common.filter((e) => usedSpecs(e).length > 0);

  t.test('~allowed*: a denied key at every key position is refused, allowed keys are not', async (t) => {
    t.ok(keyed.length > 100, `${keyed.length} commands with key specs`);
    await redis.setUser('+@all', '~allowed*', '&*');
    await respdb.setUser('+@all', '~allowed*', '&*');
    const mism: string[] = [];
    for (const e of keyed) {
      const denied = [...e.words, ...argsFor(e, () => 'denied')];
      await both(e.name, [denied], mism, (r) => (text(r[0]) === NOPERM_KEYS ? null : 'expected NOPERM keys'));
      await both(e.name, [['MULTI'], denied, ['EXEC']], mism, (r) =>
        e.flags.includes('no_multi') || (text(r[1]) === NOPERM_KEYS && text(r[2]).startsWith('EXECABORT')) ? null : 'expected NOPERM keys at queue time');
      if (!e.flags.includes('noscript')) {
        await both(e.name, [['EVAL', 'return redis.call(unpack(ARGV))', '0', ...denied]], mism, (r) =>
          /^ERR The user executing the script can't access at least one of the keys/.test(text(r[0])) ? null : 'expected the script keys error');
      }
      const allowed = [...e.words, ...argsFor(e, () => 'allowed:x')];
      await both(e.name, [allowed], mism, (r) => (text(r[0]).startsWith('NOPERM') ? 'refused' : null), notRefused);
    }
    t.same(mism, [], 'keys');
  });

  for (const [rule, refused, flags] of [
    ['%R~*', 'written', WRITE_FLAGS],
    ['%W~*', 'read', READ_FLAGS],
  ] as const) {
    t.test(`${rule}: exactly the commands whose key specs say ${refused} are refused`, async (t) => {
      await redis.setUser('+@all', rule, '&*');
      await respdb.setUser('+@all', rule, '&*');
      const mism: string[] = [];
      const refusedNames: string[] = [];
      for (const e of keyed) {
        const spec = theirs.get(e.name)!;
        const expectRefused = specsHave(spec, flags);
        if (expectRefused) refusedNames.push(e.name);
        const argv = [...e.words, ...argsFor(e, () => 'allowed:x')];
        // VARIABLE_FLAGS specs (SET: ACCESS only with GET) are decided by the arguments: redis is the oracle there
        const variable = usedSpecs(spec).some((s) => s.flags.includes('VARIABLE_FLAGS'));
        await both(e.name, [argv], mism, (r) =>
          variable || (text(r[0]) === NOPERM_KEYS) === expectRefused ? null : `key specs say ${expectRefused ? 'refused' : 'allowed'}, got ${text(r[0])}`, notRefused);
      }
      t.ok(refusedNames.length > 10, `${refusedNames.length} refused`);
      t.same(mism, [], rule);
    });
  }

  t.test('&allowed*: channels of PUBLISH, SPUBLISH, (S|P)SUBSCRIBE and redis.call publish', async (t) => {
    await redis.setUser('+@all', '~*', '&allowed*');
    await respdb.setUser('+@all', '~*', '&allowed*');
    const mism: string[] = [];
    const refused: string[][] = [
      ['PUBLISH', 'denied', 'm'],
      ['SPUBLISH', 'denied', 'm'],
      ['SUBSCRIBE', 'denied'],
      ['SUBSCRIBE', 'allowed:1', 'denied'],
      ['SSUBSCRIBE', 'denied'],
      // a pattern is allowed only when it is literally one of the user's channel patterns
      ['PSUBSCRIBE', 'allowed:*'],
      ['PSUBSCRIBE', 'denied'],
    ];
    for (const c of refused) await both(c[0], [c], mism, (r) => (text(r[0]) === NOPERM_CHANNELS ? null : 'expected NOPERM channels'));
    const served: string[][] = [['PUBLISH', 'allowed:1', 'm'], ['SPUBLISH', 'allowed:1', 'm'], ['SUBSCRIBE', 'allowed:1'], ['SSUBSCRIBE', 'allowed:1'], ['PSUBSCRIBE', 'allowed*']];
    for (const c of served) await both(c[0], [c], mism, (r) => (text(r[0]).startsWith('NOPERM') ? 'refused' : null));
    const pub = ['EVAL', "return redis.call('publish', KEYS[1] or ARGV[1], 'm')", '0', 'denied'];
    await both('eval publish', [pub], mism, (r) => (/can't publish to the channel/.test(text(r[0])) ? null : 'expected the script error'));
    await both('eval publish allowed', [[...pub.slice(0, 3), 'allowed:1']], mism, (r) => (r[0].t === 'int' ? null : 'expected a count'));
    t.same(mism, [], 'channels');
  });
});
