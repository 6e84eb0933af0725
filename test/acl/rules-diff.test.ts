/**
 * ACL SETUSER rule lists, valid and invalid, sent to redis-server and respdb: the reply (error
 * texts exactly), ACL GETUSER in RESP2 and RESP3, the user's ACL LIST line and ACL USERS must be
 * the same. Rule lists that name commands or categories only one server has are compared by what
 * they allow: ACL DRYRUN of every command both servers have.
 */
import t from 'tap';
import { pair, withResp3, formatCommand } from '../support/servers.js';
import { RawClient, type Reply } from '../support/resp-client.js';
import { shown, str, strs, arityArgs } from '../support/acl.js';

const H = 'a'.repeat(64);
const HB = 'ab'.repeat(31) + 'a';

/** Each case: the rule lists of one or more SETUSER calls on one fresh user. */
const TEXT_CASES: string[][][] = [
  [[]], [['on']], [['off']], [['on', 'off']], [['off', 'on']],
  [['>p1']], [['>p1', '>p2']], [['>p1', '<p1']], [['<nope']], [['>p1', '<p2']],
  [['#' + H]], [['#' + H, '!' + H]], [['!' + H]], [['#abc']], [['#' + H.toUpperCase()]],
  [['#' + 'g'.repeat(64)]], [['#' + HB]], [['!abc']], [['nopass']], [['>p', 'nopass']],
  [['nopass', '>p']], [['>p', 'resetpass']], [['nopass', 'resetpass']], [['resetpass']], [['>']],
  [['<']], [['+get']], [['-get']], [['+get', '-get']], [['+@all', '-get']],
  [['+@all', '-@all']], [['allcommands']], [['nocommands']], [['allcommands', '-set']], [['+GET', '+Set']],
  [['+nosuchcommand']], [['-nosuchcommand']], [['+@nosuchcat']], [['-@nosuchcat']], [['+@']],
  [['+config|get']], [['-config|get']], [['+@all', '-config|get']], [['+config|nosuch']], [['+config|get|x']],
  [['+config']], [['+config', '-config|set']], [['+config|get', '+config']], [['+config|get', '-config']], [['-config', '+config|get', '+config|set']],
  [['+client|list', '+client|kill']], [['+acl|whoami']], [['+@all', '-acl|setuser']], [['+select|0']], [['+select|0', '+select|1']],
  [['+debug|object']], [['+@all', '-debug', '+debug|digest']], [['+get|x']], [['-select|0']], [['+@read']],
  [['+@write']], [['+@read', '-@write']], [['+@all', '-@dangerous']], [['+@admin']], [['+@keyspace', '-@slow']],
  [['+@string']], [['+@list', '+@set', '+@hash']], [['+@sortedset', '-zadd']], [['+@stream']], [['+@pubsub']],
  [['+@transaction']], [['+@connection']], [['+@scripting']], [['+@fast']], [['+@slow']],
  [['+@blocking']], [['+@dangerous']], [['+@all', '-@admin', '+config|get']], [['-@all', '+@read', '+set']], [['+@read', '+@write', '-@fast']],
  [['+@READ']], [['~foo']], [['~foo', '~bar']], [['~*']], [['allkeys']],
  [['~foo', 'allkeys']], [['allkeys', '~foo']], [['~*', '~foo']], [['~foo', 'resetkeys']], [['~foo', 'resetkeys', '~bar']],
  [['%R~foo']], [['%W~foo']], [['%RW~foo']], [['%WR~foo']], [['%R~foo', '%W~foo']],
  [['%X~foo']], [['%~foo']], [['%R']], [['%r~foo']], [['%R~*']],
  [['%RW~*']], [['%R~foo', '~foo']], [['~foo', '%R~foo']], [['allkeys', '%R~foo']], [['%R~*', '~foo']],
  [['&chan']], [['&chan', '&other']], [['&*']], [['allchannels']], [['allchannels', '&x']],
  [['&x', 'allchannels']], [['&x', 'resetchannels']], [['resetchannels']], [['&*', '&x']], [['&a?c', '&[ab]*']],
  [['(~x +get)']], [['(~x', '+get)']], [['(~x &y +@read)']], [['(%R~x +get)', '(%W~y +set)']], [['(~x +get)', 'clearselectors']],
  [['clearselectors']], [['(']], [['(~x']], [['~x)']], [['()']],
  [['(+nosuch)']], [['(~x +@nosuchcat)']], [['(on)']], [['(>pass)']], [['(nopass)']],
  [['(allkeys allcommands)']], [['(allchannels)']], [['(resetkeys ~y)']], [['(reset)']], [['(clearselectors)']],
  [['(~x +get)'], ['(~y +set)']], [['(~x +get)'], ['clearselectors']], [['reset']], [['on', '>p', '~*', '+@all', 'reset']], [['on', 'nopass', 'allkeys', 'allchannels', 'allcommands']],
  [['skip-sanitize-payload']], [['sanitize-payload']], [['skip-sanitize-payload', 'sanitize-payload']], [['nosuchrule']], [['on', 'nosuchrule', '~x']],
  [['~*', '~foo']], [['allkeys', '~x']], [['&*', '&y']], [['allchannels', '&y']], [['~*', '%R~x']],
  [['on'], ['>p'], ['~x'], ['+get']], [['+get'], ['-get']], [['~x'], ['resetkeys']], [['>a'], ['>b'], ['<a']], [['on'], ['off']],
  [['+@all'], ['-@string'], ['+get']], [['+select|0'], ['+select']], [['+config|get'], ['-@all']], [['(~x +get)'], ['(~x +get)']], [['#' + H], ['>p'], ['!' + H]],
  [['+@hash', '-hset', '+hget']], [['+@all', '-@keyspace', '+del']], [['-@all', '+@admin', '-acl']], [['+client', '-client|kill']], [['+object|encoding', '+object|freq']],
  [['+xadd', '+xrange']], [['+script|load', '+eval']], [['+function|list']], [['+memory|usage']], [['+latency|latest']],
  [['+@all', '-flushall', '-flushdb']], [['-@all', '+ping', '+echo']], [['+@read', '-@keyspace']], [['+@write', '-@list']], [['+@all', '-@blocking', '+blpop']],
];

/** Users whose names test the name part: a fixed set of SETUSER calls with the name varying. */
const NAME_CASES = ['with space', 'tab\tname', 'ünïcode', '(paren', 'x~y', ''];

/** Rule lists whose text differs because of commands only one server has: compared by DRYRUN. */
const SEMANTIC_CASES: string[][] = [
  ['+@bitmap'], ['+@hyperloglog'], ['+@geo'], ['+@all', '-@bitmap'], ['+@all', '-@geo', '-@hyperloglog'],
  ['+@read', '-@bitmap'], ['+@write', '-@geo'], ['+@admin'], ['+@all', '-@admin'], ['+@dangerous'],
  ['+@slow'], ['+@fast'], ['+@keyspace'], ['+@stream'], ['+@all', '-@stream'],
  ['+@connection'], ['+@pubsub', '+@transaction'], ['+@scripting'], ['+@string', '+@list'], ['+@all', '-@slow'],
];

function commandsOf(r: Reply): Map<string, number> {
  // COMMAND INFO entries: name, arity, ..., subcommands at index 9 (nested entries).
  const out = new Map<string, number>();
  const walk = (entry: Reply) => {
    if (entry.t !== 'array' || !entry.v) return;
    const name = str(entry.v[0]).toLowerCase();
    const arity = entry.v[1].t === 'int' ? Number(entry.v[1].v) : 0;
    out.set(name, arity);
    const subs = entry.v[9];
    if (subs && subs.t === 'array' && subs.v) for (const s of subs.v) walk(s);
  };
  if (r.t === 'array' && r.v) for (const e of r.v) walk(e);
  return out;
}

// One pair for the file: the cases use distinct user names.
const p = await pair(t);

/**
 * Text cases whose best-fit category text depends on category sizes (they name categories with
 * members only Redis has): compared by DRYRUN instead.
 */
const BY_MEANING = new Set([64, 79, 172, 173]);
for (const i of [...BY_MEANING].sort((a, b) => b - a)) SEMANTIC_CASES.push(TEXT_CASES[i].flat());

t.test('ACL SETUSER rule lists: replies, GETUSER, LIST, USERS', async (t) => {
  t.ok(TEXT_CASES.length >= 150, `${TEXT_CASES.length} rule-list cases`);
  const r3 = await RawClient.connect(p.redisPort);
  const d3 = await RawClient.connect(p.respdbPort);
  t.teardown(() => Promise.all([r3.close(), d3.close()]));
  await r3.send('HELLO', '3');
  await d3.send('HELLO', '3');
  const differences: string[] = [];
  const check = async (user: string, calls: string[][]) => {
    const cmds = [
      ...calls.map((c) => ['ACL', 'SETUSER', user, ...c]),
      ['ACL', 'GETUSER', user],
    ];
    const [want, got] = await Promise.all([p.redis.pipeline(cmds), p.respdb.pipeline(cmds)]);
    const [w3, g3] = await Promise.all([r3.send('ACL', 'GETUSER', user), d3.send('ACL', 'GETUSER', user)]);
    for (let i = 0; i < cmds.length; i++) {
      const a = shown(want[i]);
      const b = shown(got[i]);
      if (a !== b) differences.push(`${formatCommand(cmds.slice(0, i + 1).flat())}\n  ${formatCommand(cmds[i])}\n  redis:  ${a}\n  respdb: ${b}`);
      t.equal(b, a, formatCommand(cmds[i]));
    }
    t.equal(shown(g3), shown(w3), `RESP3 ACL GETUSER after ${calls.map((c) => c.join(' ')).join(' | ')}`);
  };
  for (let i = 0; i < TEXT_CASES.length; i++) if (!BY_MEANING.has(i)) await check(`u${i}`, TEXT_CASES[i]);
  for (const name of NAME_CASES) await check(name, [['on', '>p', '~k', '+get']]);

  const [lw, ld] = await Promise.all([p.redis.send('ACL', 'LIST'), p.respdb.send('ACL', 'LIST')]);
  const byUser = (r: Reply) => new Map(strs(r).map((l) => [l.split(' ')[1], l]));
  const mw = byUser(lw);
  const md = byUser(ld);
  for (const [u, line] of mw) t.equal(shown({ t: 'bulk', v: Buffer.from(md.get(u) ?? '<missing>') }), shown({ t: 'bulk', v: Buffer.from(line) }), `ACL LIST line of ${u}`);
  t.same([...md.keys()].sort(), [...mw.keys()].sort(), 'ACL LIST has the same users');
  const [uw, ud] = await Promise.all([p.redis.send('ACL', 'USERS'), p.respdb.send('ACL', 'USERS')]);
  t.same(strs(ud), strs(uw), 'ACL USERS');
  if (differences.length) t.comment(`${differences.length} differing replies:\n${differences.join('\n')}`);
});

t.test('rule lists naming commands only one server has: same DRYRUN answers', async (t) => {
  const [iw, id] = await Promise.all([p.redis.send('COMMAND', 'INFO'), p.respdb.send('COMMAND', 'INFO')]);
  const cw = commandsOf(iw);
  const cd = commandsOf(id);
  const common = [...cw.keys()].filter((n) => cd.has(n)).sort();
  t.ok(common.length > 200, `${common.length} commands and subcommands both have`);
  const dry = (user: string) =>
    common.map((name) => {
      const parts = name.split('|');
      return ['ACL', 'DRYRUN', user, ...parts, ...arityArgs(cw.get(name)!, parts.length)];
    });
  let allowed = 0;
  let denied = 0;
  let other = 0;
  const others = new Set<string>();
  for (let i = 0; i < SEMANTIC_CASES.length; i++) {
    const user = `s${i}`;
    const setup = ['ACL', 'SETUSER', user, 'on', 'nopass', '~*', '&*', ...SEMANTIC_CASES[i]];
    const [sw, sd] = await Promise.all([p.redis.send(...setup), p.respdb.send(...setup)]);
    t.equal(shown(sd), shown(sw), formatCommand(setup));
    const cmds = dry(user);
    const [want, got] = await Promise.all([p.redis.pipeline(cmds), p.respdb.pipeline(cmds)]);
    const bad: string[] = [];
    for (let k = 0; k < cmds.length; k++) {
      const w = str(want[k]);
      if (w === 'OK') allowed++;
      else if (w.includes('no permissions')) denied++;
      else {
        other++;
        others.add(`${cmds[k].slice(3).join(' ')}: ${w}`);
      }
      const a = shown(want[k]);
      const b = shown(got[k]);
      if (a !== b) bad.push(`${formatCommand(cmds[k])}: redis ${a} respdb ${b}`);
    }
    t.same(bad, [], `DRYRUN of every common command for ${SEMANTIC_CASES[i].join(' ')}`);
  }
  // The arguments must reach the permission check: Redis answers allowed or denied, little else.
  t.ok(allowed > 1000 && denied > 1000, `redis allowed ${allowed}, denied ${denied}`);
  t.ok(other < (allowed + denied) / 20, `${other} DRYRUN answers neither allowed nor denied: ${[...others].slice(0, 12).join('; ')}`);
});

t.test('ACL CAT and ACL CAT <category> over the commands both have', async (t) => {
  const [iw, id] = await Promise.all([p.redis.send('COMMAND', 'INFO'), p.respdb.send('COMMAND', 'INFO')]);
  const cw = commandsOf(iw);
  const cd = commandsOf(id);
  const [catw, catd] = await Promise.all([p.redis.send('ACL', 'CAT'), p.respdb.send('ACL', 'CAT')]);
  t.same(strs(catd).sort(), strs(catw).sort(), 'ACL CAT');
  for (const cat of strs(catw)) {
    const [w, d] = await Promise.all([p.redis.send('ACL', 'CAT', cat), p.respdb.send('ACL', 'CAT', cat)]);
    const onlyCommon = (r: Reply) => strs(r).map((s) => s.toLowerCase()).filter((n) => cw.has(n) && cd.has(n)).sort();
    t.same(onlyCommon(d), onlyCommon(w), `ACL CAT ${cat}`);
  }
  const bad = ['ACL', 'CAT', 'nosuchcat'];
  t.equal(shown(await p.respdb.send(...bad)), shown(await p.redis.send(...bad)), 'ACL CAT of an unknown category');
});

t.test('ACL DRYRUN for keys and channels', async (t) => {
  const setup = [
    ['ACL', 'SETUSER', 'k', 'on', 'nopass', '+@all', '%R~r*', '%W~w*', '~rw*', '&ch*', 'resetchannels', '&ch*'],
    ['ACL', 'SETUSER', 'sel', 'on', 'nopass', '+get', '~a*', '(+set ~b*)', '(+publish &n*)'],
  ];
  const cmds: string[][] = [
    ...setup,
    ...['get', 'set', 'lpush', 'exists', 'copy', 'rename'].flatMap((c) =>
      ['r1', 'w1', 'rw1', 'x1'].map((k) => ['ACL', 'DRYRUN', 'k', c, k, ...(c === 'get' || c === 'exists' ? [] : ['v'])]),
    ),
    ['ACL', 'DRYRUN', 'k', 'lmove', 'r1', 'w1', 'left', 'right'],
    ['ACL', 'DRYRUN', 'k', 'lmove', 'w1', 'r1', 'left', 'right'],
    ['ACL', 'DRYRUN', 'k', 'sort', 'r1', 'store', 'w1'],
    ['ACL', 'DRYRUN', 'k', 'sort', 'r1'],
    ['ACL', 'DRYRUN', 'k', 'publish', 'ch1', 'm'],
    ['ACL', 'DRYRUN', 'k', 'publish', 'no', 'm'],
    ['ACL', 'DRYRUN', 'k', 'subscribe', 'ch1', 'no'],
    ['ACL', 'DRYRUN', 'k', 'psubscribe', 'ch*'],
    ['ACL', 'DRYRUN', 'k', 'psubscribe', 'ch1*'],
    ['ACL', 'DRYRUN', 'sel', 'get', 'a1'],
    ['ACL', 'DRYRUN', 'sel', 'get', 'b1'],
    ['ACL', 'DRYRUN', 'sel', 'set', 'b1', 'v'],
    ['ACL', 'DRYRUN', 'sel', 'set', 'a1', 'v'],
    ['ACL', 'DRYRUN', 'sel', 'publish', 'n1', 'm'],
    ['ACL', 'DRYRUN', 'sel', 'publish', 'x1', 'm'],
    ['ACL', 'DRYRUN', 'sel', 'mget', 'a1', 'b1'],
    ['ACL', 'DRYRUN', 'nosuchuser', 'get', 'a'],
    ['ACL', 'DRYRUN', 'sel', 'nosuchcmd', 'a'],
    ['ACL', 'DRYRUN', 'sel', 'get'],
    ['ACL', 'DRYRUN', 'sel'],
  ];
  const [want, got] = await Promise.all([p.redis.pipeline(cmds), p.respdb.pipeline(cmds)]);
  for (let i = 0; i < cmds.length; i++) t.equal(shown(got[i]), shown(want[i]), formatCommand(cmds[i]));
  await withResp3(p, async (q) => {
    const c = ['ACL', 'DRYRUN', 'k', 'set', 'r1', 'v'];
    t.equal(shown(await q.respdb.send(...c)), shown(await q.redis.send(...c)), 'RESP3 ' + formatCommand(c));
  });
});
