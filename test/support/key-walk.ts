/**
 * Every key of a server as text, for comparing two servers' data (a backup and its source): per
 * database, each key found by SCAN with its type, its whole value read the type's way, and
 * whether it has an expiry.
 */
import { RawClient, formatReply, type Reply } from './resp-client.js';

function bulks(r: Reply): Buffer[] {
  if (r.t !== 'array' || r.v === null) throw new Error(`expected an array, got ${formatReply(r)}`);
  return r.v.map((x) => (x.t === 'bulk' && x.v !== null ? x.v : Buffer.from(formatReply(x))));
}

function readCommand(type: string, key: Buffer): (string | Buffer)[] {
  switch (type) {
    case 'string':
      return ['GET', key];
    case 'hash':
      return ['HGETALL', key];
    case 'list':
      return ['LRANGE', key, '0', '-1'];
    case 'set':
      return ['SMEMBERS', key];
    case 'zset':
      return ['ZRANGE', key, '0', '-1', 'WITHSCORES'];
    case 'stream':
      return ['XRANGE', key, '-', '+'];
    default:
      return ['TYPE', key];
  }
}

function valueText(type: string, r: Reply): string {
  if (type === 'hash') return pairs(bulks(r));
  if (type === 'set') return bulks(r).map((b) => b.toString('hex')).sort().join(',');
  return formatReply(r);
}

function pairs(b: Buffer[]): string {
  const out: string[] = [];
  for (let i = 0; i + 1 < b.length; i += 2) out.push(`${b[i].toString('hex')}=${b[i + 1].toString('hex')}`);
  return out.sort().join(',');
}

/** key (db:hex) -> "type value ttl?" over databases 0..dbs-1. */
export async function walkKeys(port: number, dbs = 16): Promise<Map<string, string>> {
  const c = await RawClient.connect(port);
  const out = new Map<string, string>();
  try {
    for (let db = 0; db < dbs; db++) {
      await c.send('SELECT', String(db));
      let cursor = '0';
      do {
        const r = await c.send('SCAN', cursor, 'COUNT', '1000');
        if (r.t !== 'array' || r.v === null) throw new Error(formatReply(r));
        cursor = (r.v[0] as { v: Buffer }).v.toString();
        const keys = bulks(r.v[1]);
        const meta = await c.pipeline(keys.flatMap((k) => [['TYPE', k], ['PTTL', k]]));
        const types = keys.map((_, i) => (meta[2 * i] as { v: string }).v);
        const values = await c.pipeline(keys.map((k, i) => readCommand(types[i], k)));
        keys.forEach((key, i) => {
          const ttl = meta[2 * i + 1];
          const volatile = ttl.t === 'int' && ttl.v >= 0n;
          out.set(`${db}:${key.toString('hex')}`, `${types[i]} ${valueText(types[i], values[i])}${volatile ? ' volatile' : ''}`);
        });
      } while (cursor !== '0');
    }
  } finally {
    await c.close();
  }
  return new Map([...out.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
