// Pika 3.5's own directive names (pika.conf, `name : value` lines; also accepted as CONFIG names),
// classified like the Redis ones (lib/config/absent.ts). The names Pika shares with Redis
// (port, timeout, requirepass, masterauth, slaveof, databases, maxclients, slowlog-*, daemonize,
// pidfile) are the Redis directives; db-path, binlog-file-size and max-conn-rbuf-size are aliases
// of dir, binlog-max-size and client-query-buffer-limit (lib/config/options.ts). Pika's RocksDB
// tuning is refused (lib/config/refused.ts); backups and compaction: options-backup.ts.

import type { OptionDef } from './options.js';
import { INT_MAX, bool, int, only, str } from './absent.js';

/** userblacklist's command names: comma-separated, blanks around them allowed. */
export function blacklistNames(v: string): string[] {
  return v.split(',').map((n) => n.trim()).filter((n) => n !== '');
}

function validateBlacklist(v: string): string | null {
  return blacklistNames(v).some((n) => /\s/.test(n)) ? 'userblacklist names commands separated by commas' : null;
}

// prettier-ignore
export const PIKA_OPTIONS: readonly OptionDef[] = [
  str('log-path', '', false, 'effect: the directory respdb writes its log to (respdb.log) when logfile is empty (Pika: ./log/)'),
  int('thread-num', '1', 1, 1024, false, 'off: 1 only', { refuse: only('thread-num', ['1'], "respdb's network I/O is its main thread; its parallelism is its shard threads (--shards) and the slow-command pool") }),
  int('thread-pool-size', '12', 1, 1024, false, "inert: Pika's command threads; respdb runs commands on its shard threads (--shards)"),
  bool('write-binlog', 'yes', false, 'off: yes only', { refuse: only('write-binlog', ['yes'], 'respdb records every write in its binlog') }),
  bool('slowlog-write-errorlog', 'no', true, 'off: no only', { refuse: only('slowlog-write-errorlog', ['no'], 'respdb keeps slow commands in SLOWLOG only') }),
  str('userpass', '', false, "effect: the password of Pika's limited user: at startup it makes the ACL user `limit` (on, ~* &*, every command but userblacklist's); empty: no such user. At runtime: ACL SETUSER limit"),
  str('userblacklist', '', false, 'effect: comma-separated commands the `limit` user of userpass may not run (at runtime: ACL SETUSER limit)', { validate: validateBlacklist }),
  int('expire-logs-nums', '10', 10, INT_MAX, true, 'inert: binlog files Pika keeps for replicas (no replication yet; respdb rotates its binlog by binlog-max-size)'),
  int('expire-logs-days', '7', 1, INT_MAX, true, 'inert: days Pika keeps binlog files for replicas (no replication yet)'),
  int('sync-thread-num', '6', 1, 1024, false, 'inert: Pika replication threads (no replication yet)'),
  str('db-sync-path', './dbsync/', false, 'inert: where Pika receives full syncs (no replication yet)'),
  int('db-sync-speed', '-1', -1, 1024, true, 'inert: Pika full sync speed (no replication yet)'),
  int('root-connection-num', '2', 1, INT_MAX, true, 'inert: connections Pika reserves for local admin clients beyond maxclients'),
];
