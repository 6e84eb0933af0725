// The keys a binlog effect changes, from the command table: its key positions, plus the keys of
// another database it writes (MOVE, COPY ... DB: the same `wakes` that tells blocked clients).
// Effects that change keys they do not name (FLUSHDB, FLUSHALL, SWAPDB) tell the store before
// they run instead (lib/store/watch.ts).

import { keyIndexes, lookup } from '../commands/registry.js';
import type { EffectTouches } from '../store/watch.js';

export function effectTouches(databases: number): EffectTouches {
  return (db, args, touch) => {
    const def = args[0].length < 32 ? lookup(args[0].toString('latin1').toLowerCase()) : undefined;
    if (!def || def.touchesAllKeys) return;
    for (const i of keyIndexes(def, args)) if (i < args.length) touch(db, args[i]);
    def.wakes?.(args, db, { databases, notify: touch, notifyDb: () => undefined });
  };
}
