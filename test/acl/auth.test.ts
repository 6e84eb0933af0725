// AUTH and HELLO AUTH as Redis answers them: NOAUTH before authentication, WRONGPASS, the
// one-argument AUTH when the default user has no password, disabled users, HELLO 3 AUTH SETNAME,
// RESET back to the default user, ACL LOG entries for failed authentication, and a flood of failed
// AUTHs that neither disconnects the client nor disturbs another one.
import t from 'tap';
import { pair } from '../support/servers.js';
import { RawClient, type Reply } from '../support/resp-client.js';
import { text } from '../support/acl-commands.js';

/** A reply as one line, maps and arrays flattened (HELLO's id and version fields dropped). */
function flat(r: Reply): string {
  if (r.t === 'map') {
    return r.v
      .filter(([k]) => !['id', 'version', 'server', 'modules'].includes(text(k)))
      .map(([k, v]) => `${text(k)}=${flat(v)}`)
      .join(',');
  }
  if (r.t === 'array' && r.v) {
    const out: string[] = [];
    for (let i = 0; i < r.v.length; i++) {
      const k = text(r.v[i]);
      // HELLO in RESP2: a flat list of pairs
      if (['id', 'version', 'server', 'modules'].includes(k) && r.v[i].t === 'bulk') {
        i++;
        continue;
      }
      out.push(flat(r.v[i]));
    }
    return `[${out.join(',')}]`;
  }
  return text(r);
}

const NOAUTH = 'NOAUTH Authentication required.';
const WRONGPASS = 'WRONGPASS invalid username-password pair or user is disabled.';
const HELLO_NOAUTH =
  'NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time';
const NO_DEFAULT_PASS =
  'ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?';

/** Sends each command on `c`, one at a time, returning "command -> reply" lines. */
async function transcript(c: RawClient, cmds: string[][]): Promise<string[]> {
  const out: string[] = [];
  for (const cmd of cmds) out.push(`${cmd.join(' ')} -> ${flat(await c.send(...cmd))}`);
  return out;
}

t.test('AUTH and HELLO AUTH answer as redis-server does', async (t) => {
  const p = await pair(t, { shards: 2 });
  const sides = [
    ['redis', p.redisPort, p.redis],
    ['respdb', p.respdbPort, p.respdb],
  ] as const;
  const logs: Record<string, string[]> = {};
  for (const [name, port, admin] of sides) {
    const log: string[] = [];
    logs[name] = log;
    // the default user without a password: AUTH with one argument is a configuration mistake
    log.push(...(await transcript(admin, [['AUTH', 'x'], ['AUTH', 'default', 'anything'], ['ACL', 'WHOAMI']])));
    log.push(...(await transcript(admin, [
      ['ACL', 'SETUSER', 'u', 'on', '>p', '+@all', '~*', '&*'],
      ['ACL', 'SETUSER', 'off1', 'off', '>p', '+@all', '~*'],
      ['ACL', 'LOG', 'RESET'],
      ['CONFIG', 'SET', 'requirepass', 'secret'],
    ])));
    const c = await RawClient.connect(port);
    t.teardown(() => c.close());
    log.push(...(await transcript(c, [
      ['GET', 'x'],
      ['HELLO', '3'],
      ['HELLO', '2', 'AUTH', 'u', 'wrong'],
      ['AUTH', 'wrong'],
      ['AUTH', 'off1', 'p'],
      ['AUTH', 'nosuch', 'p'],
      ['GET', 'x'],
      ['HELLO', '3', 'AUTH', 'u', 'p', 'SETNAME', 'nm'],
      ['CLIENT', 'GETNAME'],
      ['ACL', 'WHOAMI'],
      ['HELLO', '2'],
      // RESET returns to the default user, which needs its password again
      ['RESET'],
      ['GET', 'x'],
      ['AUTH', 'secret'],
      ['ACL', 'WHOAMI'],
      ['AUTH', 'u', 'p'],
      ['ACL', 'WHOAMI'],
    ])));
    // the log has one entry per (reason, context, object, username), counted
    const entries = await admin.send('ACL', 'LOG');
    for (const e of entries.t === 'array' && entries.v ? entries.v : []) {
      const f: Record<string, string> = {};
      const a = e.t === 'array' && e.v ? e.v : [];
      for (let i = 0; i + 1 < a.length; i += 2) f[text(a[i])] = text(a[i + 1]);
      // the field names are the format (7.0 has no entry-id or timestamps)
      log.push(`log fields: ${Object.keys(f).join(' ')}`);
      log.push(`log: count=${f['count']} reason=${f['reason']} context=${f['context']} object=${f['object']} username=${f['username']}`);
    }
    await admin.send('AUTH', 'secret');
    await admin.send('CONFIG', 'SET', 'requirepass', '');
  }
  const r = logs['redis'];
  t.ok(r.includes(`AUTH x -> ${NO_DEFAULT_PASS}`), 'one-argument AUTH without a default password');
  t.ok(r.includes(`GET x -> ${NOAUTH}`), 'NOAUTH');
  t.ok(r.includes(`HELLO 3 -> ${HELLO_NOAUTH}`), 'HELLO before authentication');
  t.ok(r.includes(`AUTH off1 p -> ${WRONGPASS}`), 'a disabled user');
  t.ok(r.some((l) => l.startsWith('log: ') && l.includes('reason=auth') && l.includes('object=AUTH')), 'ACL LOG reason auth');
  t.ok(r.includes('log fields: count reason context object username age-seconds client-info'), "ACL LOG entries in 7.0's fields");
  t.ok(r.includes('ACL WHOAMI -> u') && r.includes('CLIENT GETNAME -> nm'), 'HELLO AUTH SETNAME');
  t.same(logs['respdb'], r, 'respdb answers every step as redis-server');
});

t.test('10,000 pipelined failed AUTHs: every one WRONGPASS, no disconnect, another client undisturbed', async (t) => {
  const p = await pair(t, { shards: 2 });
  const N = 10000;
  const results: Record<string, { wrong: number; other: number; bad: string[]; open: boolean; after: string; count: string }> = {};
  for (const [name, port] of [['redis', p.redisPort], ['respdb', p.respdbPort]] as const) {
    const flood = await RawClient.connect(port, '127.0.0.1', { replyTimeoutMs: 60000 });
    const other = await RawClient.connect(port, '127.0.0.1', { replyTimeoutMs: 60000 });
    t.teardown(() => Promise.all([flood.close(), other.close()]));
    const set = await other.send('ACL', 'SETUSER', 'flooded', 'on', '>the-real-password', '+@all', '~*');
    t.equal(text(set), 'OK', `${name}: ACL SETUSER flooded`);
    const cmds = Array.from({ length: N }, (_, i) => ['AUTH', 'flooded', `wrong-${i}`]);
    let done = false;
    let during = 0;
    const bad: string[] = [];
    let rounds = 0;
    const loop = (async () => {
      // at least a few rounds, and as many as fit while the flood is answered
      while (!done || rounds < 20) {
        const v = `v${rounds}`;
        const rs = await other.pipeline([['PING'], ['SET', 'flood:k', v], ['GET', 'flood:k']]);
        const got = rs.map(text).join(' ');
        if (got !== `PONG OK ${v}`) bad.push(`round ${rounds}: ${got}`);
        rounds++;
        if (!done) during++;
      }
    })();
    const replies = await flood.pipeline(cmds);
    done = true;
    await loop;
    const wrong = replies.filter((r) => text(r) === WRONGPASS).length;
    const after = text(await flood.send('PING'));
    // identical failures within a minute are one ACL LOG entry, counted
    const entry = await other.send('ACL', 'LOG', '1');
    const fields = entry.t === 'array' && entry.v?.[0]?.t === 'array' && entry.v[0].v ? entry.v[0].v.map(text) : [];
    const count = fields[fields.indexOf('count') + 1];
    results[name] = { wrong, other: rounds, bad, open: !flood.closed, after, count };
    t.comment(`${name}: ${during} rounds of the other client completed while the flood was answered`);
  }
  for (const [name, r] of Object.entries(results)) {
    t.equal(r.wrong, N, `${name}: ${N} WRONGPASS replies`);
    t.same(r.bad, [], `${name}: the other client's ${r.other} rounds all answered in order`);
    t.ok(r.open, `${name}: the flooding client is still connected`);
    t.equal(r.after, 'PONG', `${name}: and still served`);
    t.equal(r.count, `(integer) ${N}`, `${name}: one ACL LOG entry counting ${N}`);
  }
});
