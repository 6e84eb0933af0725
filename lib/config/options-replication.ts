// Redis 7.0's directives of replication, ACL users and cluster mode, classified for respdb (the
// classes: lib/config/absent.ts): each doc string says what the directive does in respdb. Cluster
// mode is not available: `cluster-enabled no` is accepted, `yes` refused saying so, and the tuning
// of cluster mode changes nothing.

import type { OptionDef } from './options.js';
import { INT_MAX, LLONG_MAX, ULLONG_MAX, WHY, bool, int, mem, oneOf, only, str } from './absent.js';

const REPL = 'inert: tunes replication (not available yet)';
const CLUSTER = 'inert: tunes cluster mode (cluster-enabled is off)';

/** `<host> <port>`, Pika's `<host>:<port>`, or none (empty, "no one"). */
export function parseReplicaof(v: string): { host: string; port: number } | null | string {
  const t = v.trim();
  if (t === '' || /^no\s+one$/i.test(t)) return null;
  const m = /^(\S+)\s+(\d+)$/.exec(t) ?? /^([^\s:]+):(\d+)$/.exec(t);
  if (!m || Number(m[2]) > 65535) return `Invalid master host and port: '${v}' (expected <host> <port>)`;
  return { host: m[1], port: Number(m[2]) };
}

function validateReplicaof(v: string): string | null {
  const r = parseReplicaof(v);
  return typeof r === 'string' ? r : null;
}

/** Redis's check of cluster-announce-hostname. */
function validateHostname(v: string): string | null {
  return /^[A-Za-z0-9.-]*$/.test(v) ? null : 'Hostnames may only contain alphanumeric characters, hyphens or dots';
}

// prettier-ignore
export const REPLICATION_OPTIONS: readonly OptionDef[] = [
  str('replicaof', '', false, 'effect: follow this master at startup: `<host> <port>` (Pika: `slaveof : <host>:<port>`); empty or "no one": none', { aliases: ['slaveof'], multi: true, validate: validateReplicaof }),
  str('masterauth', '', true, 'effect: the password sent to the master (AUTH) when connecting to it'),
  str('masteruser', '', true, 'effect: the user of AUTH <user> <masterauth> when connecting to the master'),
  int('min-replicas-to-write', '0', 0, INT_MAX, true, 'effect: a master refuses writes (-NOREPLICAS) while fewer replicas acknowledged within min-replicas-max-lag seconds', { aliases: ['min-slaves-to-write'] }),
  int('min-replicas-max-lag', '10', 0, INT_MAX, true, 'effect: the lag (seconds since its last ACK) under which a replica counts for min-replicas-to-write', { aliases: ['min-slaves-max-lag'] }),
  str('bind-source-addr', '', true, 'off: empty only (the source address of connections to a master)', { refuse: only('bind-source-addr', [''], WHY.replication) }),
  int('repl-ping-replica-period', '10', 1, INT_MAX, true, 'effect: seconds between the pings a master puts in its stream while replicas follow it', { aliases: ['repl-ping-slave-period'] }),
  int('repl-timeout', '60', 1, INT_MAX, true, 'effect: seconds of silence from the master (no data, no PING) after which a replica drops its link and reconnects'),
  bool('repl-disable-tcp-nodelay', 'no', true, REPL),
  mem('repl-backlog-size', '1048576', 1, LLONG_MAX, true, 'effect: the stream bytes the backlog keeps on disk for partial resyncs (<dir>/replication/): this or binlog-max-size, the larger; also what a replica in a full sync still needs'),
  int('repl-backlog-ttl', '3600', 0, LLONG_MAX, true, REPL),
  bool('repl-diskless-sync', 'yes', true, REPL),
  int('repl-diskless-sync-delay', '5', 0, INT_MAX, true, REPL),
  int('repl-diskless-sync-max-replicas', '0', 0, INT_MAX, true, REPL),
  oneOf('repl-diskless-load', 'disabled', ['disabled', 'on-empty-db', 'swapdb'], true, REPL),
  bool('replica-serve-stale-data', 'yes', true, "effect: no: while its link is not up, a replica answers MASTERDOWN to all but the commands flagged stale", { aliases: ['slave-serve-stale-data'] }),
  bool('replica-read-only', 'yes', true, 'effect: a replica answers READONLY to write commands of its clients', { aliases: ['slave-read-only'] }),
  int('replica-priority', '100', 0, INT_MAX, true, 'effect: shown as slave_priority in INFO replication (Sentinel promotes the lowest; 0: never)', { aliases: ['slave-priority'] }),
  bool('replica-announced', 'yes', true, 'effect: shown as replica_announced in INFO replication (Sentinel lists the replica only when yes)'),
  str('replica-announce-ip', '', true, 'effect: sent to the master as REPLCONF ip-address (the address it shows for this replica)', { aliases: ['slave-announce-ip'] }),
  int('replica-announce-port', '0', 0, 65535, true, 'effect: sent to the master as REPLCONF listening-port instead of the port this server listens on (0: that port)', { aliases: ['slave-announce-port'] }),
  bool('replica-ignore-maxmemory', 'yes', true, REPL, { aliases: ['slave-ignore-maxmemory'] }),
  bool('replica-lazy-flush', 'no', true, REPL, { aliases: ['slave-lazy-flush'] }),
  bool('replica-ignore-disk-write-errors', 'no', true, REPL),
  oneOf('propagation-error-behavior', 'ignore', ['ignore', 'panic', 'panic-on-replicas'], true, REPL),
  str('aclfile', '', false, 'effect: the file of the ACL users (ACL LOAD / ACL SAVE), read at startup; not together with `user` lines (empty: users come from `user` lines)'),
  int('acllog-max-len', '128', 0, LLONG_MAX, true, 'effect: the entries ACL LOG keeps (lowered, the oldest go when the next entry comes, as in Redis 7.0)'),
  oneOf('acl-pubsub-default', 'resetchannels', ['allchannels', 'resetchannels'], true, 'effect: the channels a new ACL user (or one reset) may use: every one (allchannels) or none (resetchannels)'),
  bool('cluster-enabled', 'no', false, 'off: no only', { refuse: only('cluster-enabled', ['no'], WHY.cluster) }),
  str('cluster-config-file', 'nodes.conf', false, CLUSTER),
  int('cluster-port', '0', 0, 65535, false, CLUSTER),
  int('cluster-node-timeout', '15000', 0, LLONG_MAX, true, CLUSTER),
  str('cluster-announce-ip', '', true, CLUSTER),
  str('cluster-announce-hostname', '', true, CLUSTER, { validate: validateHostname }),
  int('cluster-announce-port', '0', 0, 65535, true, CLUSTER),
  int('cluster-announce-bus-port', '0', 0, 65535, true, CLUSTER),
  int('cluster-announce-tls-port', '0', 0, 65535, true, CLUSTER),
  bool('cluster-require-full-coverage', 'yes', true, CLUSTER),
  bool('cluster-replica-no-failover', 'no', true, CLUSTER, { aliases: ['cluster-slave-no-failover'] }),
  int('cluster-replica-validity-factor', '10', 0, INT_MAX, true, CLUSTER, { aliases: ['cluster-slave-validity-factor'] }),
  int('cluster-migration-barrier', '1', 0, INT_MAX, true, CLUSTER),
  bool('cluster-allow-replica-migration', 'yes', true, CLUSTER),
  bool('cluster-allow-reads-when-down', 'no', true, CLUSTER),
  bool('cluster-allow-pubsubshard-when-down', 'yes', true, CLUSTER),
  mem('cluster-link-sendbuf-limit', '0', 0, ULLONG_MAX, true, CLUSTER),
  oneOf('cluster-preferred-endpoint-type', 'ip', ['ip', 'hostname', 'unknown-endpoint'], true, CLUSTER),
];
