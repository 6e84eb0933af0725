/**
 * Redis's ACL LOG behaviours: which failures are logged, how similar events are counted into one
 * entry, the entry fields, RESET, the count argument, MULTI and Lua contexts, failed AUTH, and
 * acllog-max-len. Entries are compared on their stable fields (not ages, ids or client-info).
 */
import t from 'tap';
import { pair } from '../support/servers.js';
import { scenario, on, field, str, type Step } from '../support/acl.js';
import { formatReply, RawClient, type Reply } from '../support/resp-client.js';

const p = await pair(t);

const STABLE = ['count', 'reason', 'context', 'object', 'username'];
/** Redis 7.0's entry fields (entry-id and the timestamps came with 7.2). */
const ALL_FIELDS = ['count', 'reason', 'context', 'object', 'username', 'age-seconds', 'client-info'];
/** What respdb adds after them (Redis 7.2's fields), left out of the comparison and checked on their own. */
const LATER_FIELDS = 'entry-id,timestamp-created,timestamp-last-updated';
const allNames = (e: Reply) => (e.t === 'array' && e.v ? e.v.filter((_, i) => i % 2 === 0).map(str).join(',') : e.t === 'map' ? e.v.map(([k]) => str(k)).join(',') : e.t);
const names = (e: Reply) => allNames(e).replace(',' + LATER_FIELDS, '');

/** ACL LOG entries as their stable fields and the value types of the fields (names: own subtest). */
function showLog(r: Reply): string {
  if (r.t !== 'array' || !r.v) return formatReply(r);
  return r.v
    .map((e) => {
      const types = ALL_FIELDS.map((n) => field(e, n)?.t ?? '-').join(',');
      const vals = STABLE.map((n) => {
        const v = field(e, n);
        return v ? formatReply(v) : '-';
      }).join(' ');
      return `[${types}] ${vals}`;
    })
    .join('\n');
}

const log = (c: string, ...args: string[]): Step => ({ c, cmd: ['ACL', 'LOG', ...args], show: showLog });

/** Steps that make `user` (nopass) with `rules` and log `c` in as it. */
const as = (c: string, user: string, ...rules: string[]): Step[] => [
  ...on('admin', ['ACL', 'SETUSER', user, 'reset', 'on', 'nopass', ...rules]),
  ...on(c, ['AUTH', user, 'x']),
];

t.test('ACL LOG shows failed command executions at toplevel, similar events counted in one entry', async (t) => {
  await scenario(t, p, [
    ...on('admin', ['ACL', 'LOG', 'RESET']),
    ...as('u', 'antirez', '~object:1234', '+set', '+get', '&chan:1'),
    ...on('u', ['GET', 'foo'], ['GET', 'foo'], ['SET', 'foo', 'bar'], ['INCR', 'object:1234']),
    log('admin'),
    ...on('u', ['PUBLISH', 'chan:2', 'm']),
    log('admin', '1'),
    log('admin', '2'),
  ]);
});

t.test('ACL LOG keys and channels: key name and channel name as object', async (t) => {
  await scenario(t, p, [
    ...on('admin', ['ACL', 'LOG', 'RESET']),
    ...as('u', 'kc', '+@all', '~k1', '&c1', '-@admin', '+acl|whoami'),
    ...on('u', ['SET', 'k2', 'v'], ['MGET', 'k1', 'k3'], ['PUBLISH', 'c2', 'm'], ['SUBSCRIBE', 'c1', 'c3'], ['CONFIG', 'GET', 'x']),
    log('admin'),
  ]);
});

t.test('ACL LOG RESET, numeric count argument and its errors', async (t) => {
  await scenario(t, p, [
    ...on('admin', ['ACL', 'LOG', 'RESET']),
    log('admin'),
    ...as('u', 'cnt', '+get'),
    ...on('u', ['SET', 'a', 'b'], ['INCR', 'a'], ['DEL', 'a']),
    log('admin', '2'),
    log('admin', '0'),
    log('admin', '-1'),
    log('admin', 'abc'),
    log('admin', '1', '2'),
    log('admin', 'RESET'),
    log('admin'),
  ]);
});

t.test('ACL LOG: MULTI context at queue time and at EXEC after the rules changed', async (t) => {
  await scenario(t, p, [
    ...on('admin', ['ACL', 'LOG', 'RESET']),
    ...as('u', 'mu', 'allkeys', '+multi', '+exec', '+get', '+set'),
    ...on('u', ['MULTI'], ['INCR', 'k'], ['EXEC']),
    log('admin'),
    ...on('admin', ['ACL', 'LOG', 'RESET']),
    ...on('u', ['MULTI'], ['SET', 'k', 'v'], ['GET', 'k']),
    ...on('admin', ['ACL', 'SETUSER', 'mu', '-get']),
    ...on('u', ['EXEC']),
    log('admin'),
  ]);
});

t.test('ACL LOG: lua context', async (t) => {
  await scenario(t, p, [
    ...on('admin', ['ACL', 'LOG', 'RESET']),
    ...as('u', 'lu', 'allkeys', '+eval', '+get'),
    ...on('u', ['EVAL', "return redis.call('incr', KEYS[1])", '1', 'x'], ['EVAL', "return redis.pcall('set', KEYS[1], 'v')", '1', 'x'], ['EVAL', "return redis.call('get', KEYS[1])", '1', 'x']),
    log('admin'),
  ]);
});

t.test('ACL LOG: failed AUTH attempts with reason auth', async (t) => {
  await scenario(t, p, [
    ...on('admin', ['ACL', 'LOG', 'RESET'], ['ACL', 'SETUSER', 'au', 'on', '>good']),
    ...on('u', ['AUTH', 'au', 'bad'], ['AUTH', 'au', 'bad'], ['AUTH', 'nosuchuser', 'bad'], ['HELLO', '2', 'AUTH', 'au', 'bad']),
    log('admin'),
  ]);
});

t.test('ACL LOG: acllog-max-len limits the entries', async (t) => {
  const steps: Step[] = [
    ...on('admin', ['ACL', 'LOG', 'RESET'], ['CONFIG', 'SET', 'acllog-max-len', '3']),
    ...as('u', 'ml', '+get'),
    ...on('u', ['SET', 'a', 'b'], ['INCR', 'a'], ['DEL', 'a'], ['LPUSH', 'a', 'b'], ['SADD', 'a', 'b']),
    log('admin'),
    ...on('admin', ['CONFIG', 'SET', 'acllog-max-len', '1']),
    log('admin'),
    ...on('admin', ['CONFIG', 'SET', 'acllog-max-len', '128']),
  ];
  await scenario(t, p, steps);
});

t.test("ACL LOG entries: respdb's three fields after Redis 7.0's", async (t) => {
  const admin = await RawClient.connect(p.respdbPort);
  t.teardown(() => admin.close());
  await admin.send('ACL', 'LOG', 'RESET');
  await admin.send('ACL', 'SETUSER', 'fl2', 'reset', 'on', 'nopass', '+get');
  const u = await RawClient.connect(p.respdbPort);
  t.teardown(() => u.close());
  await u.send('AUTH', 'fl2', 'x');
  await u.send('SET', 'a', 'b');
  const r = await admin.send('ACL', 'LOG');
  const e = r.t === 'array' && r.v ? r.v[0] : r;
  t.equal(allNames(e), [...ALL_FIELDS, LATER_FIELDS].join(','), 'the field names in order');
  t.equal(field(e, 'entry-id')?.t, 'int');
  t.equal(field(e, 'timestamp-created')?.t, 'int');
});

t.test('ACL LOG entry fields', async (t) => {
  await scenario(t, p, [
    ...on('admin', ['ACL', 'LOG', 'RESET']),
    ...as('u', 'fl', '+get'),
    ...on('u', ['SET', 'a', 'b']),
    { c: 'admin', cmd: ['ACL', 'LOG'], show: (r) => (r.t === 'array' && r.v ? r.v.map(names).join('\n') : formatReply(r)) },
  ]);
});
