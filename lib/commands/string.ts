// String commands: argument parsing and replies; values live inline in the meta record.

import type { CommandDef, ShardExec } from './types.js';
import { cmd, kw } from './define.js';
import { E, invalidExpire } from '../errors.js';
import { T_STRING, payload } from '../store/meta.js';
import { parseI64 } from '../resp/number.js';

const PXAT = Buffer.from('PXAT');
const KEEPTTL = Buffer.from('KEEPTTL');
const SET = Buffer.from('SET');

/** Current string value of a key, null if missing; writes WRONGTYPE and returns undefined for other types. */
function getString(x: ShardExec, key: Buffer): Buffer | null | undefined {
  const m = x.store.get(x.db, key, x.now);
  if (!m) return null;
  if (m.type !== T_STRING) {
    x.out.error(E.wrongType);
    return undefined;
  }
  return payload(m);
}

function get(x: ShardExec, args: Buffer[]): void {
  const v = getString(x, args[1]);
  if (v === undefined) return;
  x.out.bulk(v);
}

/** SET key value [NX|XX] [GET] [EX s|PX ms|EXAT ts|PXAT ts|KEEPTTL] */
function set(x: ShardExec, args: Buffer[]): void {
  let nx = false;
  let xx = false;
  let wantGet = false;
  let keepTtl = false;
  let unit = '';
  let expArg: Buffer | null = null;
  for (let i = 3; i < args.length; i++) {
    const o = kw(args[i]);
    const hasNext = i + 1 < args.length;
    if (o === 'nx' && !xx) nx = true;
    else if (o === 'xx' && !nx) xx = true;
    else if (o === 'get') wantGet = true;
    else if (o === 'keepttl' && !unit) keepTtl = true;
    else if ((o === 'ex' || o === 'px' || o === 'exat' || o === 'pxat') && !keepTtl && !unit && hasNext) {
      unit = o;
      expArg = args[++i];
    } else {
      x.out.error(E.syntax);
      return;
    }
  }
  let expireAt = 0;
  if (unit) {
    const n = parseI64(expArg!);
    if (n === null) {
      x.out.error(E.notInt);
      return;
    }
    if (n <= 0n) {
      x.out.error(invalidExpire('set'));
      return;
    }
    let ms = unit === 'ex' || unit === 'exat' ? n * 1000n : n;
    if (unit === 'ex' || unit === 'px') ms += BigInt(x.now);
    if (ms > 0x7fffffffffffffffn || (unit === 'ex' || unit === 'exat') && n > 0x7fffffffffffffffn / 1000n) {
      x.out.error(invalidExpire('set'));
      return;
    }
    expireAt = Number(ms);
  }
  const key = args[1];
  const { mk, meta } = x.store.find(x.db, key, x.now);
  let old: Buffer | null = null;
  if (wantGet && meta) {
    if (meta.type !== T_STRING) {
      x.out.error(E.wrongType);
      return;
    }
    old = Buffer.from(payload(meta));
  }
  if ((nx && meta) || (xx && !meta)) {
    if (wantGet) x.out.bulk(old);
    else x.out.nil();
    return;
  }
  if (keepTtl && meta) expireAt = meta.expireAt;
  if (expireAt !== 0 && expireAt <= x.now) {
    // Already expired: the key is gone (Redis deletes it and propagates DEL).
    if (meta) {
      x.store.remove(x.db, meta);
      x.binlog([DEL, key]);
    }
  } else {
    x.store.putString(x.db, key, mk, args[2], expireAt, meta);
    if (expireAt && !keepTtl) x.binlog([SET, key, args[2], PXAT, Buffer.from(String(expireAt))]);
    else if (keepTtl) x.binlog([SET, key, args[2], KEEPTTL]);
    else x.binlog([SET, key, args[2]]);
  }
  if (wantGet) x.out.bulk(old);
  else x.out.ok();
}

const DEL = Buffer.from('DEL');

export const stringCommands: CommandDef[] = [
  cmd({
    name: 'get', arity: 2, flags: ['readonly', 'fast'], acl: ['string'], keys: [1, 1, 1], shard: get,
    summary: 'Returns the string value of a key.', since: '1.0.0', group: 'string', complexity: 'O(1)',
  }),
  cmd({
    name: 'set', arity: -3, flags: ['write', 'denyoom'], acl: ['string'], keys: [1, 1, 1], shard: set,
    summary: 'Sets the string value of a key, ignoring its type. The key is created if it doesn\'t exist.',
    since: '1.0.0', group: 'string', complexity: 'O(1)',
  }),
];
