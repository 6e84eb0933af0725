// LCS: its options, its reply, and the cross-shard form (the keys on two shards: key1's value is
// read on its shard, the computation runs on key2's). The values come from the store room
// (lib/store/string.ts), the dynamic programme from lib/lcs.ts. Its entries join `stringCommands`
// (lib/commands/string.ts).

import type { CommandDef, CoordContext, ShardExec } from './types.js';
import type { RespWriter } from '../resp/writer.js';
import { cmd, isKw, keySpec } from './define.js';
import { E } from '../errors.js';
import { parseI64 } from '../resp/number.js';
import { decodeReply } from '../resp/decode.js';
import { lcsValue, lcsValues } from '../store/string.js';
import { LCS_IDX, LCS_LEN, LCS_SEQ, longestCommonSubsequence, type LcsWant } from '../lcs.js';

const LCS_LEN_AND_IDX = 'ERR If you want both the length and indexes, please just use IDX.';
const LCS_NO_MEMORY = 'ERR Insufficient memory, failed allocating transient memory for LCS';

interface LcsOpts {
  want: LcsWant;
  withMatchLen: boolean;
  minMatchLen: number;
}

/** Parses LCS options (args[from..]); writes the error and returns null when invalid. */
function lcsOptions(out: RespWriter, args: Buffer[], from: number): LcsOpts | null {
  let len = false;
  let idx = false;
  let withMatchLen = false;
  let minMatchLen = 0;
  for (let i = from; i < args.length; i++) {
    const a = args[i];
    if (isKw(a, 'idx')) idx = true;
    else if (isKw(a, 'len')) len = true;
    else if (isKw(a, 'withmatchlen')) withMatchLen = true;
    else if (isKw(a, 'minmatchlen') && i + 1 < args.length) {
      const n = parseI64(args[++i]);
      if (n === null) {
        out.error(E.notInt);
        return null;
      }
      // past any length a match can have, a huge minimum stays one (the comparison is exact)
      minMatchLen = n < 0n ? 0 : Number(n);
    } else {
      out.error(E.syntax);
      return null;
    }
  }
  if (idx && len) {
    out.error(LCS_LEN_AND_IDX);
    return null;
  }
  return { want: idx ? LCS_IDX : len ? LCS_LEN : LCS_SEQ, withMatchLen, minMatchLen };
}

/** Computes the LCS of a and b and writes the reply the options ask for. */
function lcsReply(out: RespWriter, a: Buffer, b: Buffer, o: LcsOpts): void {
  const r = longestCommonSubsequence(a, b, o.want, o.minMatchLen);
  if (!r) return out.error(LCS_NO_MEMORY);
  if (o.want === LCS_LEN) return out.int(r.len);
  if (o.want === LCS_SEQ) return out.bulk(r.seq);
  out.map(2);
  out.bulkStr('matches');
  out.array(r.matches.length);
  for (const [as, ae, bs, be, len] of r.matches) {
    out.array(o.withMatchLen ? 3 : 2);
    out.array(2);
    out.int(as);
    out.int(ae);
    out.array(2);
    out.int(bs);
    out.int(be);
    if (o.withMatchLen) out.int(len);
  }
  out.bulkStr('len');
  out.int(r.len);
}

/** LCS key1 key2 [LEN] [IDX] [MINMATCHLEN len] [WITHMATCHLEN], both keys on this shard. */
function lcs(x: ShardExec, args: Buffer[]): void {
  // Redis checks both values' types before it parses the options.
  const [a, b] = lcsValues(x, args[1], args[2]);
  const o = lcsOptions(x.out, args, 3);
  if (o) lcsReply(x.out, a, b, o);
}

/** Internal: the value of key args[1] for a cross-shard LCS ("" when missing, error for other types). */
function lcsGet(x: ShardExec, args: Buffer[]): void {
  x.out.bulk(lcsValue(x, args[1]));
}

/** Internal: LCS with key1's value given: [lcs-with, value1, key1, key2, options...]. */
function lcsWith(x: ShardExec, args: Buffer[]): void {
  const b = lcsValue(x, args[3]);
  const o = lcsOptions(x.out, args, 4);
  if (o) lcsReply(x.out, args[1], b, o);
}

/**
 * LCS with its keys on two shards: hold both, read key1 on its shard, then compute on key2's
 * shard (off the main thread) with key1's value passed along.
 */
function lcsCoordinated(ctx: CoordContext, args: Buffer[]): Promise<void> {
  const shards = ctx.shards;
  const db = ctx.db;
  const proto = ctx.proto;
  const sa = shards.of(args[1]);
  const sb = shards.of(args[2]);
  return shards.locked([sa, sb], async (tx) => {
    const ra = decodeReply(await tx.exec(sa, lcsGetDef, db, [LCS_GET, args[1]]));
    if (ra instanceof Error) return ctx.out.error(ra.message);
    const va = Buffer.from(ra as Buffer);
    const reply = await tx.exec(sb, lcsWithDef, db, [LCS_WITH, va, ...args.slice(1)], proto);
    ctx.out.raw(reply);
  });
}

// ------------------------------------------------------------------------------------------------
// Table
// ------------------------------------------------------------------------------------------------

const LCS_GET = Buffer.from('lcs-get');
const LCS_WITH = Buffer.from('lcs-with');

const lcsGetDef = cmd({
  name: 'lcs-get', arity: 2, flags: ['readonly'], shard: lcsGet, internal: true,
  summary: 'Internal: reads one value of a cross-shard LCS.', since: '7.0.0', group: 'string',
});

const lcsWithDef = cmd({
  name: 'lcs-with', arity: -4, flags: ['readonly'], shard: lcsWith, internal: true,
  summary: 'Internal: computes a cross-shard LCS with the first value given.', since: '7.0.0', group: 'string',
});

/** LCS and its internal steps, in `stringCommands`. */
export const lcsCommands: CommandDef[] = [
  cmd({
    name: 'lcs', arity: -3, flags: ['readonly'], acl: ['string'], shard: lcs, coordinated: lcsCoordinated,
    keySpecs: [keySpec(['RO', 'access'], 1, 1, 1)],
    summary: 'Find longest common substring', since: '7.0.0', group: 'string', complexity: 'O(N*M) where N and M are the lengths of s1 and s2, respectively',
    slow: true,
  }),
  lcsGetDef,
  lcsWithDef,
];
