// A node's replication history, as Redis 7.0 keeps it: the replication id of the history its data
// follows, and after a promotion the previous one (replid2) with the first offset that is no
// longer shared with it (second_repl_offset), so nodes that followed the old history continue
// with a partial resync. Persisted in `<dir>/replication/ids.json` (written to a temporary file,
// then renamed) whenever it changes, so PSYNC works across restarts of either side.

import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

export interface ReplIds {
  replid: string;
  replid2: string;
  /** -1 when replid2 names no history */
  secondReplOffset: number;
}

export const NO_REPLID = '0000000000000000000000000000000000000000';

/** A new 40-hex replication id. */
export function newReplid(): string {
  return randomBytes(20).toString('hex');
}

export class ReplIdStore {
  private readonly file: string;
  ids: ReplIds;

  constructor(dir: string) {
    this.file = join(dir, 'ids.json');
    this.ids = { replid: newReplid(), replid2: NO_REPLID, secondReplOffset: -1 };
  }

  /** Reads the persisted ids; false when there were none (a new id was made). */
  load(): boolean {
    if (!existsSync(this.file)) return false;
    try {
      const j = JSON.parse(readFileSync(this.file, 'utf8')) as Partial<ReplIds>;
      if (typeof j.replid === 'string' && /^[0-9a-f]{40}$/.test(j.replid)) {
        this.ids = {
          replid: j.replid,
          replid2: typeof j.replid2 === 'string' && /^[0-9a-f]{40}$/.test(j.replid2) ? j.replid2 : NO_REPLID,
          secondReplOffset: typeof j.secondReplOffset === 'number' ? j.secondReplOffset : -1,
        };
        return true;
      }
    } catch {
      // unreadable: a new history
    }
    return false;
  }

  save(): void {
    mkdirSync(dirname(this.file), { recursive: true });
    const tmp = this.file + '.tmp';
    writeFileSync(tmp, JSON.stringify(this.ids) + '\n');
    renameSync(tmp, this.file);
  }

  /** A new history (a master whose backlog could not be continued, or FLUSHALL-free start). */
  renew(): void {
    this.ids = { replid: newReplid(), replid2: NO_REPLID, secondReplOffset: -1 };
    this.save();
  }

  /**
   * A promotion (REPLICAOF NO ONE) at stream offset `offset`: the old id becomes replid2, valid
   * up to offset; a new id starts.
   */
  shift(offset: number): void {
    this.ids = { replid: newReplid(), replid2: this.ids.replid, secondReplOffset: offset + 1 };
    this.save();
  }

  /** Following a master's history (FULLRESYNC, or +CONTINUE with a new id). */
  adopt(replid: string, keepOldUpTo: number | null): void {
    this.ids =
      keepOldUpTo === null
        ? { replid, replid2: NO_REPLID, secondReplOffset: -1 }
        : { replid, replid2: this.ids.replid, secondReplOffset: keepOldUpTo + 1 };
    this.save();
  }
}
