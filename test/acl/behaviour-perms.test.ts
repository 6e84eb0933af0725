/**
 * Redis's ACL permission behaviours (commands, categories, subcommands, keys with %R/%W, channels,
 * selectors, MULTI), compared reply-for-reply with redis-server.
 */
import t from 'tap';
import { pair } from '../support/servers.js';
import { scenario, on, strs, type Step } from '../support/acl.js';

// DEBUG is refused before any ACL check unless enabled (Redis's default is off).
const p = await pair(t, { redisArgs: ['--enable-debug-command', 'yes'] });

/** Steps that make `user` (nopass, on) with `rules` and log connection `c` in as it. */
const as = (c: string, user: string, ...rules: string[]): Step[] => [
  ...on('admin', ['ACL', 'SETUSER', user, 'reset', 'on', 'nopass', ...rules]),
  ...on(c, ['AUTH', user, 'x']),
];

t.test('by default, only default user has permissions: no commands, keys or channels', async (t) => {
  await scenario(t, p, [
    ...on('admin', ['ACL', 'SETUSER', 'psuser', 'on', 'nopass'], ['ACL', 'GETUSER', 'psuser']),
    ...on('u', ['AUTH', 'psuser', 'x'], ['GET', 'k'], ['PING'], ['PUBLISH', 'ch', 'm']),
    ...on('admin', ['ACL', 'SETUSER', 'psuser', '+@all'], ['CONFIG', 'GET', 'acl-pubsub-default']),
    ...on('u', ['GET', 'k'], ['PUBLISH', 'ch', 'm'], ['SUBSCRIBE', 'ch']),
  ]);
});

t.test('it is possible to allow access to a subset of keys', async (t) => {
  await scenario(t, p, [
    ...as('u', 'keys', '+@all', '~obj:*', '~foo'),
    ...on('u', ['SET', 'obj:1', 'v'], ['SET', 'foo', 'v'], ['SET', 'bar', 'v'], ['MSET', 'obj:2', 'v', 'zap', 'v'], ['MGET', 'obj:1', 'foo'], ['DEL', 'obj:1', 'nope']),
    // KEYS has no defined order.
    { c: 'u', cmd: ['KEYS', '*'], show: (r) => strs(r).sort().join(',') },
  ]);
});

t.test('%R~ / %W~ separate read and write permissions', async (t) => {
  await scenario(t, p, [
    ...on('admin', ['SET', 'read', 'v'], ['RPUSH', 'rl', 'a'], ['SADD', 'rs', 'a'], ['ZADD', 'rz', '1', 'a']),
    ...as('u', 'rw', '+@all', '%R~r*', '%W~w*', '~rw*'),
    ...on('u',
      ['GET', 'read'], ['GET', 'write'], ['SET', 'read', 'v'], ['SET', 'write', 'v'], ['SET', 'write', 'v', 'GET'],
      ['LPUSH', 'rl', 'a'], ['LPUSH', 'wl', 'a'], ['LMOVE', 'rl', 'wl', 'LEFT', 'RIGHT'], ['LMOVE', 'wl', 'rl', 'LEFT', 'RIGHT'],
      ['COPY', 'read', 'write'], ['COPY', 'write', 'read'], ['RENAME', 'read', 'write'], ['RENAME', 'rw1', 'rw2'],
      ['SORT', 'rl'], ['SORT', 'rl', 'STORE', 'wl'], ['SORT', 'wl'], ['EXISTS', 'write'], ['EXISTS', 'read'], ['TYPE', 'write'],
      ['SINTERCARD', '1', 'rs'], ['SINTERCARD', '1', 'ws'], ['ZINTERCARD', '1', 'rz'], ['ZINTERCARD', '1', 'wz'],
      ['SINTERSTORE', 'ws', 'rs'], ['SINTERSTORE', 'rs', 'ws'], ['DEL', 'write'], ['DEL', 'read'], ['STRLEN', 'write'],
    ),
  ]);
});

t.test('channels: PUBLISH, SUBSCRIBE, PSUBSCRIBE (literal pattern), SPUBLISH, SSUBSCRIBE', async (t) => {
  await scenario(t, p, [
    ...as('u', 'chan', '+@all', '&foo', '&bar*', 'allkeys'),
    ...on('u', ['PUBLISH', 'foo', 'm'], ['PUBLISH', 'bar1', 'm'], ['PUBLISH', 'zap', 'm'], ['SPUBLISH', 'foo', 'm'], ['SPUBLISH', 'zap', 'm']),
    ...on('s1', ['AUTH', 'chan', 'x'], ['SUBSCRIBE', 'foo', 'zap'], ['SUBSCRIBE', 'foo', 'bar9']),
    ...on('s2', ['AUTH', 'chan', 'x'], ['PSUBSCRIBE', 'bar*'], ['PSUBSCRIBE', 'bar1*'], ['PSUBSCRIBE', 'b*']),
    ...on('s3', ['AUTH', 'chan', 'x'], ['SSUBSCRIBE', 'zap'], ['SSUBSCRIBE', 'foo']),
  ]);
});

t.test('subscribers are killed when revoked of channel permission, pardoned otherwise', async (t) => {
  await scenario(t, p, [
    ...as('s1', 'sub', '+@all', '&foo', '&bar'),
    ...on('s1', ['SUBSCRIBE', 'foo']),
    ...on('s2', ['AUTH', 'sub', 'x'], ['PSUBSCRIBE', 'bar']),
    ...on('admin', ['ACL', 'SETUSER', 'sub', 'resetchannels', '&foo']),
    ...on('s2', ['@closed']),
    ...on('admin', ['ACL', 'SETUSER', 'sub', 'allchannels']),
    ...on('s1', ['PING']),
    ...on('admin', ['ACL', 'SETUSER', 'sub', 'resetchannels']),
    ...on('s1', ['@closed']),
  ]);
});

t.test('exclude single commands; include/exclude categories and subcommands', async (t) => {
  await scenario(t, p, [
    ...as('u', 'cmds', 'allkeys', '+@all', '-debug', '-set'),
    ...on('u', ['GET', 'k'], ['SET', 'k', 'v'], ['DEBUG', 'HELP']),
    ...on('admin', ['ACL', 'SETUSER', 'cmds', '-@all', '+@set', '+acl']),
    ...on('u', ['SADD', 's', 'a'], ['GET', 'k'], ['ACL', 'WHOAMI']),
    ...on('admin', ['ACL', 'SETUSER', 'cmds', '-@all', '+client|id', '+config|get']),
    ...on('u', ['CLIENT', 'LIST'], ['CONFIG', 'GET', 'acl-pubsub-default'], ['CONFIG', 'SET', 'maxclients', '100'], ['CONFIG']),
    ...on('admin', ['ACL', 'SETUSER', 'cmds', '+config'], ['ACL', 'GETUSER', 'cmds']),
    ...on('u', ['CONFIG', 'SET', 'nosuch', '1']),
  ]);
});

t.test('SELECT all but one DB; DEBUG all but one subcommand', async (t) => {
  await scenario(t, p, [
    ...as('u', 'sel', '+@all', '-select', '+select|0'),
    ...on('u', ['SELECT', '0'], ['SELECT', '1']),
    ...on('admin', ['ACL', 'SETUSER', 'sel', '+@all', '-debug', '+debug|digest'], ['ACL', 'GETUSER', 'sel']),
    ...on('u', ['DEBUG', 'DIGEST'], ['DEBUG', 'HELP']),
  ]);
});

t.test('ACL GETUSER translates back command permissions', async (t) => {
  await scenario(t, p, [
    ...on('admin', ['ACL', 'SETUSER', 'tb', 'reset', '+@all', '-@string', '+incr', '-debug', '+debug|digest'], ['ACL', 'GETUSER', 'tb']),
    ...on('admin', ['ACL', 'SETUSER', 'tb', 'reset', '-@all', '+@string', '-incr', '+client|id'], ['ACL', 'GETUSER', 'tb']),
  ]);
});

t.test('multiple selectors: basic, default no permissions, clearselectors, syntax errors, flexible definition', async (t) => {
  await scenario(t, p, [
    ...as('u', 'ms', '~k1', '+get', '(~k2 +set)', '(%R~k3 +@read)'),
    ...on('u', ['GET', 'k1'], ['SET', 'k1', 'v'], ['SET', 'k2', 'v'], ['GET', 'k2'], ['GET', 'k3'], ['MGET', 'k1', 'k3'], ['STRLEN', 'k3']),
    ...on('admin', ['ACL', 'SETUSER', 'ms', '(~k4)'], ['ACL', 'GETUSER', 'ms']),
    ...on('u', ['GET', 'k4']),
    ...on('admin', ['ACL', 'SETUSER', 'ms', 'clearselectors'], ['ACL', 'GETUSER', 'ms']),
    ...on('u', ['SET', 'k2', 'v']),
    ...on('admin', ['ACL', 'SETUSER', 'ms', '(~x +nosuch)'], ['ACL', 'SETUSER', 'ms', '(~x', '+get'], ['ACL', 'SETUSER', 'ms', '(~x', '+get', '&c)', '(', '%W~y', ')'], ['ACL', 'LIST']),
  ]);
});

t.test('MULTI: refused at queue time gives EXECABORT; rules changed before EXEC', async (t) => {
  await scenario(t, p, [
    ...as('u', 'tx', 'allkeys', '+multi', '+exec', '+get', '+set', '+discard'),
    ...on('u', ['MULTI'], ['GET', 'k'], ['INCR', 'k'], ['EXEC']),
    ...on('u', ['MULTI'], ['SET', 'k', 'v'], ['GET', 'k']),
    ...on('admin', ['ACL', 'SETUSER', 'tx', '-get']),
    ...on('u', ['EXEC']),
  ]);
});
