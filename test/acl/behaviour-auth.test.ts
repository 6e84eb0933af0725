/**
 * Redis's ACL behaviours around users and authentication (AUTH, HELLO AUTH, passwords, hashes,
 * nopass, DELUSER, the default user, GENPASS, WHOAMI, USERS, HELP, CLIENT LIST/KILL USER),
 * compared reply-for-reply with redis-server.
 */
import crypto from 'node:crypto';
import t from 'tap';
import { pair } from '../support/servers.js';
import { scenario, on, kind, str, strs, type Step } from '../support/acl.js';
import type { Reply } from '../support/resp-client.js';

const p = await pair(t);
const sha = (s: string) => crypto.createHash('sha256').update(s).digest('hex');

t.test('connections start as default', async (t) => {
  await scenario(t, p, on('a', ['ACL', 'WHOAMI'], ['CLIENT', 'INFO']).map((s, i) => (i === 1 ? { ...s, show: (r: Reply) => /user=(\S+)/.exec(str(r))?.[1] ?? '' } : s)));
});

t.test('new users start disabled', async (t) => {
  await scenario(t, p, [...on('a', ['ACL', 'SETUSER', 'newuser', '>passwd1']), ...on('b', ['AUTH', 'newuser', 'passwd1'], ['ACL', 'WHOAMI'])]);
});

t.test('enabling the user allows the login', async (t) => {
  await scenario(t, p, [
    ...on('a', ['ACL', 'SETUSER', 'newuser', 'on', '+acl']),
    ...on('b', ['AUTH', 'newuser', 'passwd1'], ['ACL', 'WHOAMI']),
  ]);
});

t.test('only the set passwords work', async (t) => {
  await scenario(t, p, [
    ...on('a', ['ACL', 'SETUSER', 'newuser', '>passwd2']),
    ...on('b', ['AUTH', 'newuser', 'passwd1'], ['AUTH', 'newuser', 'passwd2'], ['AUTH', 'newuser', 'passwd3'], ['AUTH', 'nosuchuser', 'passwd1']),
  ]);
});

t.test('removing passwords', async (t) => {
  await scenario(t, p, [
    ...on('a', ['ACL', 'SETUSER', 'newuser', '<passwd1'], ['ACL', 'SETUSER', 'newuser', '<nosuchpass']),
    ...on('b', ['AUTH', 'newuser', 'passwd1'], ['AUTH', 'newuser', 'passwd2']),
  ]);
});

t.test('#hash passwords: add, validate, GETUSER, !hash removal', async (t) => {
  const h = sha('hashed');
  await scenario(t, p, [
    ...on('a', ['ACL', 'SETUSER', 'hashuser', 'on', '#' + h, '+acl'], ['ACL', 'GETUSER', 'hashuser']),
    ...on('b', ['AUTH', 'hashuser', 'hashed'], ['ACL', 'WHOAMI']),
    ...on('a', ['ACL', 'SETUSER', 'hashuser', '!' + h], ['ACL', 'GETUSER', 'hashuser'], ['ACL', 'SETUSER', 'hashuser', '!' + h], ['ACL', 'SETUSER', 'hashuser', '#' + h.slice(1)]),
    ...on('c', ['AUTH', 'hashuser', 'hashed']),
  ]);
});

t.test('nopass: any password is accepted', async (t) => {
  await scenario(t, p, [
    ...on('a', ['ACL', 'SETUSER', 'np', 'on', 'nopass', '+acl']),
    ...on('b', ['AUTH', 'np', 'whatever'], ['ACL', 'WHOAMI']),
    ...on('a', ['ACL', 'SETUSER', 'np', 'resetpass']),
    ...on('c', ['AUTH', 'np', 'whatever']),
  ]);
});

t.test('AUTH errors', async (t) => {
  await scenario(t, p, on('a', ['AUTH', 'foo'], ['AUTH', 'a', 'b', 'c'], ['AUTH'], ['AUTH', 'default', 'x']));
});

t.test('HELLO AUTH with a user that has no command permission', async (t) => {
  await scenario(t, p, [
    ...on('a', ['ACL', 'SETUSER', 'nocmd', 'on', '>p']),
    { c: 'b', cmd: ['HELLO', '2', 'AUTH', 'nocmd', 'p'], show: kind },
    ...on('b', ['PING'], ['ACL', 'WHOAMI'], ['HELLO', '2', 'AUTH', 'nocmd', 'wrong']),
    { c: 'c', cmd: ['HELLO', '3', 'AUTH', 'nocmd', 'wrong'], show: kind },
  ]);
});

t.test('ACL GENPASS', async (t) => {
  for (const port of [p.redisPort, p.respdbPort]) {
    const c = port === p.redisPort ? p.redis : p.respdb;
    t.match(str(await c.send('ACL', 'GENPASS')), /^[0-9a-f]{64}$/, `${port}: default 256 bits`);
    t.match(str(await c.send('ACL', 'GENPASS', '5')), /^[0-9a-f]{2}$/, `${port}: 5 bits`);
    t.match(str(await c.send('ACL', 'GENPASS', '4096')), /^[0-9a-f]{1024}$/, `${port}: 4096 bits`);
    t.not(str(await c.send('ACL', 'GENPASS')), str(await c.send('ACL', 'GENPASS')), `${port}: random`);
  }
  await scenario(t, p, on('a', ['ACL', 'GENPASS', '0'], ['ACL', 'GENPASS', '-1'], ['ACL', 'GENPASS', '4097'], ['ACL', 'GENPASS', 'abc'], ['ACL', 'GENPASS', '1', '2']));
});

t.test('ACL WHOAMI, ACL USERS sorted, ACL HELP', async (t) => {
  const got = await scenario(t, p, on('a', ['ACL', 'WHOAMI'], ['ACL', 'USERS'], ['ACL', 'HELP'], ['ACL', 'NOSUCH'], ['ACL']));
  void got;
  const users = strs(await p.respdb.send('ACL', 'USERS'));
  t.same(users, [...users].sort(), 'respdb ACL USERS is sorted');
});

t.test('CLIENT LIST user= field and CLIENT KILL USER', async (t) => {
  const userOf = (r: Reply) => str(r).split('\n').filter(Boolean).map((l) => /user=(\S+)/.exec(l)?.[1] ?? '?').sort().join(',');
  await scenario(t, p, [
    ...on('a', ['ACL', 'SETUSER', 'lister', 'on', 'nopass', '+@all']),
    ...on('b', ['AUTH', 'lister', 'x']),
    { c: 'a', cmd: ['CLIENT', 'LIST'], show: userOf },
    ...on('a', ['CLIENT', 'KILL', 'USER', 'lister'], ['CLIENT', 'KILL', 'USER', 'nosuchuser']),
    ...on('b', ['@closed']),
  ]);
});

t.test('DELUSER of a user the client does not use / is using; default cannot be removed', async (t) => {
  const steps: Step[] = [
    ...on('a', ['ACL', 'SETUSER', 'd1', 'on', 'nopass', '+@all'], ['ACL', 'SETUSER', 'd2', 'on', 'nopass', '+@all']),
    ...on('b', ['AUTH', 'd2', 'x']),
    ...on('a', ['ACL', 'DELUSER', 'd1'], ['ACL', 'DELUSER', 'd1', 'nosuch']),
    ...on('b', ['ACL', 'DELUSER', 'd2'], ['@closed']),
    ...on('a', ['ACL', 'DELUSER', 'default'], ['ACL', 'DELUSER', 'nosuch', 'default'], ['ACL', 'USERS']),
  ];
  await scenario(t, p, steps);
});

t.test('default user off: new connections are not authenticated', async (t) => {
  await scenario(t, p, [
    ...on('a', ['ACL', 'SETUSER', 'admin', 'on', '>adm', '+@all', '~*', '&*'], ['ACL', 'SETUSER', 'default', 'off']),
    ...on('b', ['PING'], ['GET', 'x'], ['AUTH', 'default', 'x'], ['AUTH', 'admin', 'adm'], ['ACL', 'SETUSER', 'default', 'on'], ['ACL', 'WHOAMI']),
    ...on('c', ['PING']),
  ]);
});
