// Redis 7.0's directives of AOF and RDB persistence, classified for respdb (the classes:
// lib/config/absent.ts). respdb commits every write to its LMDB shards and binlog (appendfsync
// says when they reach the disk); its backups (SAVE / BGSAVE, lib/config/options-backup.ts) are
// LMDB snapshot copies, not RDB files, so the AOF and RDB tuning changes nothing.

import type { OptionDef } from './options.js';
import { INT_MAX, LLONG_MAX, WHY, bool, int, mem, oneOf, str } from './absent.js';

const AOF = `inert: ${WHY.aof}`;
const RDB = 'inert: respdb writes no RDB file of its own; its backups are LMDB snapshot copies';

// prettier-ignore
export const PERSISTENCE_OPTIONS: readonly OptionDef[] = [
  str('appendfilename', 'appendonly.aof', false, AOF),
  str('appenddirname', 'appendonlydir', false, AOF),
  bool('no-appendfsync-on-rewrite', 'no', true, AOF),
  int('auto-aof-rewrite-percentage', '100', 0, INT_MAX, true, AOF),
  mem('auto-aof-rewrite-min-size', '67108864', 0, LLONG_MAX, true, AOF),
  bool('aof-load-truncated', 'yes', true, AOF),
  bool('aof-use-rdb-preamble', 'yes', true, AOF),
  bool('aof-timestamp-enabled', 'no', true, AOF),
  bool('aof-rewrite-incremental-fsync', 'yes', true, AOF),
  bool('aof-disable-auto-gc', 'no', true, AOF),
  str('dbfilename', 'dump.rdb', false, RDB, { protectedConfig: true }),
  bool('rdbcompression', 'yes', true, RDB),
  bool('rdbchecksum', 'yes', false, RDB),
  bool('rdb-save-incremental-fsync', 'yes', true, RDB),
  bool('rdb-del-sync-files', 'no', true, 'inert: removes the RDB files of replication (no replication)'),
  bool('stop-writes-on-bgsave-error', 'yes', true, 'inert: a failed backup leaves the committed data (LMDB and binlog) as it is, so writes go on'),
  oneOf('sanitize-dump-payload', 'no', ['no', 'yes', 'clients'], true, 'inert: respdb decodes every RESTORE payload completely before it writes anything'),
];
