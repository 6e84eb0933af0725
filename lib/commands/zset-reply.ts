// Reply shapes shared by the sorted set commands (single-key and multi-key rooms).

import type { RespWriter } from '../resp/writer.js';
import type { Entries } from '../store/zset.js';

/** Members (and scores) as Redis replies them: flat in RESP2, [member, score] pairs in RESP3. */
export function replyEntries(out: RespWriter, e: Entries, withScores: boolean): void {
  const n = e.ms.length;
  out.array(withScores && out.proto === 2 ? n * 2 : n);
  for (let i = 0; i < n; i++) {
    if (withScores && out.proto === 3) out.array(2);
    out.bulk(e.ms[i]);
    if (withScores) out.double(e.ss[i]);
  }
}

/** [[member, score], ...] in both protocols (ZMPOP; ZPOPMIN / ZPOPMAX with a count in RESP3). */
export function writePairs(out: RespWriter, e: Entries): void {
  out.array(e.ms.length);
  for (let i = 0; i < e.ms.length; i++) {
    out.array(2);
    out.bulk(e.ms[i]);
    out.double(e.ss[i]);
  }
}
