// The list commands' differential cases shared by test/commands/list*.test.ts: command sequences run
// against redis-server and respdb, one reply compared with another (the tests run them alone, in
// one pipeline and in RESP3).

export type Cmd = (string | Buffer)[];

/** "LPUSH k v" -> ['LPUSH', 'k', 'v'] (no empty or spaced arguments; use arrays for those). */
export const c = (s: string): Cmd => s.split(' ');
export const cs = (...lines: string[]): Cmd[] => lines.map(c);

export function pushPopCases(): Cmd[] {
  return [
    ...cs(
      'DEL l s',
      'SET s str',
      'LPUSH l a',
      'LPUSH l b c',
      'RPUSH l d e f',
      'LRANGE l 0 -1',
      'LLEN l',
      'LPUSHX l x',
      'RPUSHX l y z',
      'LPUSHX nokey x',
      'RPUSHX nokey x y',
      'EXISTS nokey',
      'LRANGE l 0 -1',
      'LPOP l',
      'RPOP l',
      'LPOP l 2',
      'RPOP l 2',
      'LPOP l 0',
      'RPOP l 0',
      'LPOP l 1',
      'LRANGE l 0 -1',
      'LPOP nokey',
      'RPOP nokey',
      'LPOP nokey 0',
      'RPOP nokey 3',
      'LPOP l abc',
      'LPOP l -1',
      'RPOP l 1.5',
      'LPOP l 9223372036854775808',
      'LPOP nokey abc',
      'LPOP l 1 2',
      'RPOP l 1 2 3',
      'LPOP s',
      'RPOP s 0',
      'LPOP s abc',
      'LPUSH s x',
      'RPUSH s x',
      'LPUSHX s x',
      'RPUSHX s x',
      'LLEN s',
      'LLEN nokey',
      'LPOP l 100',
      'EXISTS l',
      'TYPE l',
      'LPUSH l only',
      'RPOP l',
      'EXISTS l',
      'RPUSH l 1 2 3',
      'RPOP l 9223372036854775807',
      'EXISTS l',
      'lpush l lower',
      'rPoP l',
      'RPUSH l a',
      'LPOP l 0',
      'EXISTS l',
      'TYPE l',
    ),
    ['RPUSH', 'l', '', ''],
    ['LRANGE', 'l', '0', '-1'],
    ['LPOP', 'l', '2'],
    c('EXISTS l'),
  ];
}

export function indexCases(): Cmd[] {
  return cs(
    'DEL l s',
    'SET s str',
    'RPUSH l a b c d e',
    'LINDEX l 0',
    'LINDEX l 4',
    'LINDEX l 5',
    'LINDEX l -1',
    'LINDEX l -5',
    'LINDEX l -6',
    'LINDEX l x',
    'LINDEX l 1.0',
    'LINDEX l 9223372036854775807',
    'LINDEX l -9223372036854775808',
    'LINDEX l 9223372036854775808',
    'LINDEX nokey 0',
    'LINDEX nokey x',
    'LINDEX s 0',
    'LINDEX s x',
    'LSET l 0 A',
    'LSET l -1 E',
    'LSET l 2 C',
    'LSET l 5 x',
    'LSET l -6 x',
    'LSET l x y',
    'LSET l 9223372036854775807 y',
    'LSET l -9223372036854775808 y',
    'LSET nokey 0 y',
    'LSET nokey x y',
    'LSET s 0 y',
    'LSET s x y',
    'LRANGE l 0 -1',
    'LLEN l',
  );
}

export function insertCases(): Cmd[] {
  return [
    ...cs(
      'DEL l s',
      'SET s str',
      'RPUSH l a b c b a',
      'LINSERT l BEFORE a x',
      'LINSERT l AFTER a y',
      'LINSERT l before b z',
      'LINSERT l after b w',
      'LINSERT l AfTeR c m',
      'LRANGE l 0 -1',
      'LINSERT l BEFORE nosuch x',
      'LINSERT l middle a x',
      'LINSERT l bef a x',
      'LINSERT nokey BEFORE a x',
      'LINSERT nokey middle a x',
      'EXISTS nokey',
      'LINSERT s BEFORE a x',
      'LINSERT s middle a x',
      'RPUSH l2 only',
      'LINSERT l2 BEFORE only first',
      'LINSERT l2 AFTER only last',
      'LINSERT l2 AFTER last end',
      'LINSERT l2 BEFORE first start',
      'LRANGE l2 0 -1',
      'LLEN l2',
      'LINDEX l2 2',
      'LPOP l2 2',
      'RPOP l2 2',
      'LRANGE l2 0 -1',
    ),
    ['LINSERT', 'l', 'BEFORE', 'a', ''],
    ['LINSERT', 'l', 'AFTER', '', 'after-empty'],
    c('LRANGE l 0 -1'),
  ];
}

export function remCases(): Cmd[] {
  const out: Cmd[] = cs('DEL l s', 'SET s str');
  const counts = ['0', '1', '2', '-1', '-2', '3', '-3', '100', '-100', '9223372036854775807', '-9223372036854775808'];
  for (const n of counts) {
    out.push(['DEL', 'l'], c('RPUSH l a b a c a d a'), ['LREM', 'l', n, 'a'], c('LRANGE l 0 -1'), ['LREM', 'l', n, 'zz'], c('LLEN l'));
  }
  out.push(
    ...cs(
      'DEL l',
      'RPUSH l x x x',
      'LREM l 0 x',
      'EXISTS l',
      'TYPE l',
      'RPUSH l x y x',
      'LREM l -2 x',
      'LRANGE l 0 -1',
      'LREM l x y',
      'LREM l 1.5 y',
      'LREM nokey 0 a',
      'LREM nokey x a',
      'LREM s 0 a',
      'LREM s x a',
    ),
  );
  return out;
}

export function posCases(): Cmd[] {
  const out: Cmd[] = cs('DEL l s', 'SET s str', 'RPUSH l a b c a b c a x');
  const opts: string[][] = [
    [], ['RANK', '1'], ['RANK', '2'], ['RANK', '3'], ['RANK', '4'], ['RANK', '-1'], ['RANK', '-2'], ['RANK', '-4'], ['RANK', '9223372036854775807'],
    ['RANK', '-9223372036854775807'], ['RANK', '-9223372036854775808'], ['COUNT', '0'], ['COUNT', '1'], ['COUNT', '2'], ['COUNT', '10'],
    ['MAXLEN', '0'], ['MAXLEN', '1'], ['MAXLEN', '4'], ['MAXLEN', '100'], ['RANK', '2', 'COUNT', '0'], ['RANK', '-1', 'COUNT', '2'],
    ['RANK', '-2', 'COUNT', '0', 'MAXLEN', '5'], ['RANK', '-9223372036854775808', 'COUNT', '1'], ['RANK', '-9223372036854775808', 'COUNT', '0'],
    ['RANK', '-9223372036854775808', 'MAXLEN', '3', 'COUNT', '5'], ['COUNT', '2', 'MAXLEN', '4'], ['MAXLEN', '4', 'COUNT', '0', 'RANK', '-1'],
    ['rank', '1', 'rank', '2'], ['count', '1', 'count', '0'], ['RANK', '5', 'COUNT', '0'],
  ];
  for (const el of ['a', 'b', 'x', 'zz']) for (const o of opts) out.push(['LPOS', 'l', el, ...o]);
  const errs: string[][] = [
    ['RANK', '0'], ['RANK', 'x'], ['RANK', '1.5'], ['RANK', '9223372036854775808'], ['COUNT', '-1'], ['COUNT', 'x'], ['MAXLEN', '-1'], ['MAXLEN', 'x'],
    ['RANK'], ['COUNT'], ['MAXLEN'], ['FOO'], ['FOO', '1'], ['RANK', '1', 'FOO'], ['COUNT', '-1', 'RANK', '0'], ['RANK', '0', 'COUNT', '-1'],
    ['MAXLEN', '-1', 'FOO'], ['FOO', 'RANK', '0'],
  ];
  for (const o of errs) out.push(['LPOS', 'l', 'a', ...o], ['LPOS', 'nokey', 'a', ...o], ['LPOS', 's', 'a', ...o]);
  out.push(...cs('LPOS nokey a', 'LPOS nokey a COUNT 0', 'LPOS nokey a RANK -1', 'LPOS s a', 'LPOS s a COUNT 1'));
  return out;
}

/** LMOVE / RPOPLPUSH with the given source and destination keys (same or different shards). */
export function moveCases(a: string, b: string): Cmd[] {
  const out: Cmd[] = [['DEL', a, b, 's'], c('SET s str'), ['RPUSH', a, '1', '2', '3', '4']];
  for (const from of ['LEFT', 'RIGHT']) {
    for (const to of ['LEFT', 'RIGHT']) {
      out.push(['LMOVE', a, b, from, to], ['LRANGE', a, '0', '-1'], ['LRANGE', b, '0', '-1']);
    }
  }
  out.push(
    ['LMOVE', a, b, 'left', 'right'], ['EXISTS', a], ['LRANGE', b, '0', '-1'],
    ['LMOVE', a, b, 'LEFT', 'RIGHT'], ['RPOPLPUSH', a, b],
    ['RPOPLPUSH', b, a], ['RPOPLPUSH', b, a], ['LRANGE', a, '0', '-1'], ['LRANGE', b, '0', '-1'],
    ['LMOVE', a, b, 'MIDDLE', 'LEFT'], ['LMOVE', a, b, 'LEFT', 'UP'], ['LMOVE', 'nokey', 's', 'UP', 'LEFT'],
    ['LMOVE', 'nokey', b, 'LEFT', 'LEFT'], ['LMOVE', 'nokey', 's', 'LEFT', 'LEFT'], ['RPOPLPUSH', 'nokey', 's'],
    ['LMOVE', 's', b, 'LEFT', 'LEFT'], ['LMOVE', a, 's', 'LEFT', 'LEFT'], ['RPOPLPUSH', a, 's'], ['RPOPLPUSH', 's', a], ['RPOPLPUSH', 's', 'nokey'],
    ['LRANGE', a, '0', '-1'], ['LRANGE', b, '0', '-1'],
    // moving the last element deletes the source; into a missing destination creates it
    ['DEL', a, b], ['RPUSH', a, 'only'], ['LMOVE', a, b, 'RIGHT', 'LEFT'], ['EXISTS', a], ['TYPE', b], ['RPOPLPUSH', b, a], ['EXISTS', b],
    ['LRANGE', a, '0', '-1'],
    // the same key rotates
    ['DEL', a], ['RPUSH', a, 'x', 'y', 'z'], ['LMOVE', a, a, 'LEFT', 'RIGHT'], ['LRANGE', a, '0', '-1'], ['LMOVE', a, a, 'RIGHT', 'LEFT'],
    ['LRANGE', a, '0', '-1'], ['LMOVE', a, a, 'LEFT', 'LEFT'], ['LMOVE', a, a, 'RIGHT', 'RIGHT'], ['RPOPLPUSH', a, a], ['LRANGE', a, '0', '-1'],
    ['DEL', a], ['RPUSH', a, 'one'], ['RPOPLPUSH', a, a], ['LMOVE', a, a, 'LEFT', 'RIGHT'], ['LRANGE', a, '0', '-1'], ['LMOVE', 's', 's', 'LEFT', 'LEFT'],
  );
  return out;
}

/** LMPOP over keys that may sit on several shards. */
export function mpopCases(k: string[]): Cmd[] {
  const [a, b, d, e] = k;
  return [
    ['DEL', a, b, d, e, 's'],
    c('SET s str'),
    ['RPUSH', b, 'b1', 'b2', 'b3'],
    ['RPUSH', d, 'd1', 'd2'],
    ['LMPOP', '1', a, 'LEFT'],
    ['LMPOP', '2', a, b, 'LEFT'],
    ['LMPOP', '2', a, b, 'RIGHT', 'COUNT', '1'],
    ['LMPOP', '3', a, b, d, 'right', 'count', '10'],
    ['EXISTS', b],
    ['LMPOP', '3', a, b, d, 'LEFT', 'COUNT', '1'],
    ['LMPOP', '4', a, b, d, e, 'LEFT', 'COUNT', '5'],
    ['LMPOP', '4', a, b, d, e, 'LEFT'],
    ['RPUSH', e, 'e1'],
    // WRONGTYPE only when met before a non-empty list
    ['LMPOP', '3', a, 's', e, 'LEFT'],
    ['LMPOP', '3', a, e, 's', 'LEFT'],
    ['LMPOP', '2', 's', e, 'LEFT'],
    ['RPUSH', d, 'x'],
    ['LMPOP', '3', a, d, 's', 'LEFT', 'COUNT', '2'],
    ['LMPOP', '2', 's', 's', 'RIGHT'],
    ['LMPOP', '1', 's', 'LEFT'],
    // the same key twice
    ['RPUSH', a, '1', '2', '3'],
    ['LMPOP', '2', a, a, 'LEFT', 'COUNT', '2'],
    ['LMPOP', '2', a, a, 'LEFT', 'COUNT', '2'],
    ['LMPOP', '2', a, a, 'LEFT', 'COUNT', '2'],
    // argument errors (checked before any key)
    ['LMPOP', '0', a, 'LEFT'],
    ['LMPOP', '-1', a, 'LEFT'],
    ['LMPOP', 'x', a, 'LEFT'],
    ['LMPOP', '1abc', a, 'LEFT'],
    ['LMPOP', '5', a, 'LEFT'],
    ['LMPOP', '2', a, b],
    ['LMPOP', '3', a, b, 'LEFT'],
    ['LMPOP', '9223372036854775807', a, 'LEFT'],
    ['LMPOP', '9223372036854775808', a, 'LEFT'],
    ['LMPOP', '1', a, 'MIDDLE'],
    ['LMPOP', '1', a, 'LEFT', 'COUNT'],
    ['LMPOP', '1', a, 'LEFT', 'COUNT', '0'],
    ['LMPOP', '1', a, 'LEFT', 'COUNT', '-1'],
    ['LMPOP', '1', a, 'LEFT', 'COUNT', 'x'],
    ['LMPOP', '1', a, 'LEFT', 'COUNT', '1', 'COUNT', '2'],
    ['LMPOP', '1', a, 'LEFT', 'FOO'],
    ['LMPOP', '1', a, 'LEFT', 'COUNT', '1', 'FOO'],
    ['LMPOP', '2', 's', b, 'MIDDLE'],
    ['LMPOP', '1', 's', 'LEFT', 'COUNT', '0'],
    ['LMPOP', '1', a],
    ['LMPOP', '1'],
  ];
}

export function keyspaceCases(k: string[]): Cmd[] {
  const [a, b, d, e] = k;
  return [
    ['FLUSHALL'],
    ['RPUSH', a, 'x', 'y', 'z'],
    ['OBJECT', 'ENCODING', a],
    ['OBJECT', 'REFCOUNT', a],
    ['RENAME', a, b],
    ['EXISTS', a],
    ['LRANGE', b, '0', '-1'],
    ['OBJECT', 'ENCODING', b],
    ['RENAME', b, b],
    ['RENAMENX', b, d],
    ['RENAMENX', d, d],
    ['RPUSH', e, 'e'],
    ['RENAMENX', d, e],
    ['RENAME', d, e],
    ['LRANGE', e, '0', '-1'],
    ['TYPE', d],
    ['COPY', e, a],
    ['COPY', e, a],
    ['RPUSH', a, 'more'],
    ['LRANGE', a, '0', '-1'],
    ['LRANGE', e, '0', '-1'],
    ['RPUSH', b, '1'],
    ['COPY', a, b],
    ['COPY', a, b, 'REPLACE'],
    ['LRANGE', b, '0', '-1'],
    ['LPOP', a, '10'],
    ['LRANGE', b, '0', '-1'],
    ['SET', d, 'str'],
    ['COPY', b, d, 'REPLACE'],
    ['TYPE', d],
    ['LRANGE', d, '0', '-1'],
    ['COPY', d, b, 'DB', '1'],
    ['COPY', d, e, 'DB', '1'],
    ['MOVE', b, '1'],
    ['MOVE', e, '1'],
    ['SELECT', '1'],
    ['LRANGE', b, '0', '-1'],
    ['LRANGE', e, '0', '-1'],
    ['OBJECT', 'ENCODING', e],
    ['RPOPLPUSH', e, b],
    ['LMPOP', '2', e, b, 'LEFT', 'COUNT', '10'],
    ['FLUSHDB'],
    ['SELECT', '0'],
    ['EXISTS', b, e],
    ['RENAME', d, a],
    ['LRANGE', a, '0', '-1'],
    ['SET', b, 'x'],
    ['RENAME', b, a],
    ['TYPE', a],
    ['GET', a],
    ['RPUSH', b, '1', '2'],
    ['RENAME', b, a],
    ['TYPE', a],
    ['LRANGE', a, '0', '-1'],
    ['DEL', a],
    ['EXISTS', a],
    ['RPUSH', a, 'fresh'],
    ['LRANGE', a, '0', '-1'],
    ['OBJECT', 'ENCODING', 'nokey'],
  ];
}
