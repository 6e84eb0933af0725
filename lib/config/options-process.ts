// Redis 7.0's directives of the server process, its sockets, logging and TLS, classified for
// respdb (the classes: lib/config/absent.ts). respdb is one foreground Node process on TCP: the
// main thread does the network I/O, shard threads own the data, logs are JSON lines (pino) on
// stdout or `logfile`.

import type { OptionDef } from './options.js';
import { INT_MAX, UINT_MAX, WHY, bool, int, oneOf, only, str } from './absent.js';
import { validateProcTitleTemplate } from './proc-title.js';

const NO_PIN = 'respdb does not pin its threads to CPUs; use taskset or CPUAffinity= in its systemd unit';

/** Redis's latency-tracking-info-percentiles: numbers between 0 and 100, space-separated. */
function validatePercentiles(v: string): string | null {
  for (const p of v.split(' ').filter((x) => x !== '')) {
    if (!/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(p)) return 'Invalid latency-tracking-info-percentiles parameters';
    const n = Number(p);
    if (n < 0 || n > 100) return 'latency-tracking-info-percentiles parameters should sit between [0.0,100.0]';
  }
  return null;
}

/** oom-score-adj-values: three integers, -2000..2000 (Redis's forms of the errors). */
function validateOomValues(v: string): string | null {
  const parts = v.split(' ').filter((x) => x !== '');
  if (parts.length !== 3) return 'wrong number of arguments';
  for (const p of parts) if (!/^-?\d+$/.test(p) || Math.abs(Number(p)) > 2000) return 'Invalid oom-score-adj-values, elements must be between -2000 and 2000.';
  return null;
}

/** unixsocketperm: an octal mode, as Redis reads it. */
function validateOctal(v: string): string | null {
  return /^[0-7]{1,4}$/.test(v) && parseInt(v, 8) <= 0o777 ? null : 'argument must be between 0 and 511 inclusive';
}

// prettier-ignore
export const PROCESS_OPTIONS: readonly OptionDef[] = [
  bool('protected-mode', 'yes', true, 'effect: while the default user has no password (nopass), connections from other hosts than loopback are answered -DENIED and closed, whatever bind says (Redis 7.0)'),
  int('tcp-backlog', '511', 0, INT_MAX, false, 'effect: the listen backlog of the TCP sockets'),
  str('pidfile', '', false, 'effect: a file respdb writes its process id to at startup and removes at shutdown (empty: none; the data directory keeps its own respdb.pid lock)'),
  bool('set-proc-title', 'yes', false, 'effect: respdb sets its process title (ps, top) from proc-title-template'),
  str('proc-title-template', '{title} {listen-addr} {server-mode}', true, 'effect: the process title: {title} {listen-addr} {server-mode} {port} {tls-port} {unixsocket} {config-file}', { validate: validateProcTitleTemplate }),
  str('latency-tracking-info-percentiles', '50 99 99.9', true, 'effect: the percentiles INFO latencystats reports', { multi: true, validate: validatePercentiles }),
  str('unixsocket', '', false, 'off: respdb listens on TCP only (bind, port)', { refuse: only('unixsocket', [''], 'respdb listens on TCP only (bind, port)') }),
  str('unixsocketperm', '0', false, 'inert: the mode of the Unix socket respdb does not have', { validate: validateOctal }),
  int('socket-mark-id', '0', 0, UINT_MAX, false, 'off: 0 only', { refuse: only('socket-mark-id', ['0'], 'respdb cannot mark its sockets (SO_MARK); match its traffic by port or owner in the firewall') }),
  bool('daemonize', 'no', false, 'off: no only', { refuse: only('daemonize', ['no'], 'respdb stays in the foreground; run it under systemd or another supervisor') }),
  oneOf('supervised', 'no', ['upstart', 'systemd', 'auto', 'no'], false, 'off: no only', { refuse: only('supervised', ['no'], 'respdb does not notify a supervisor when it is ready (use Type=simple in a systemd unit)') }),
  bool('syslog-enabled', 'no', false, 'off: no only', { refuse: only('syslog-enabled', ['no'], 'respdb logs JSON lines to stdout or logfile; under systemd, journald collects stdout') }),
  str('syslog-ident', 'redis', false, 'inert: the syslog identity (syslog-enabled is off)'),
  oneOf('syslog-facility', 'local0', ['user', 'local0', 'local1', 'local2', 'local3', 'local4', 'local5', 'local6', 'local7'], false, 'inert: the syslog facility (syslog-enabled is off)'),
  bool('always-show-logo', 'no', false, 'off: no only', { refuse: only('always-show-logo', ['no'], 'respdb prints no ASCII-art logo') }),
  int('io-threads', '1', 1, 128, false, 'off: 1 only', { refuse: only('io-threads', ['1'], "respdb's parallelism is its shard threads (--shards) and the slow-command pool; the main thread does the network I/O") }),
  bool('io-threads-do-reads', 'no', false, 'inert: tunes io-threads (off)'),
  str('server_cpulist', '', false, 'off: empty only', { refuse: only('server_cpulist', [''], NO_PIN) }),
  str('bio_cpulist', '', false, 'off: empty only', { refuse: only('bio_cpulist', [''], NO_PIN) }),
  str('aof_rewrite_cpulist', '', false, 'off: empty only', { refuse: only('aof_rewrite_cpulist', [''], NO_PIN) }),
  str('bgsave_cpulist', '', false, 'off: empty only', { refuse: only('bgsave_cpulist', [''], NO_PIN) }),
  oneOf('oom-score-adj', 'no', ['no', 'yes', 'relative', 'absolute'], true, 'off: no only', { refuse: only('oom-score-adj', ['no'], 'respdb does not change its OOM score; set OOMScoreAdjust= in its systemd unit') }),
  str('oom-score-adj-values', '0 200 800', true, 'inert: tunes oom-score-adj (off)', { multi: true, validate: validateOomValues }),
  bool('disable-thp', 'yes', false, `inert: Redis turns transparent huge pages off against the copy-on-write cost of its fork; ${WHY.fork}, and its data is in file-backed maps`),
  bool('crash-log-enabled', 'yes', true, 'inert: Node reports a crash with its own stack trace'),
  bool('crash-memcheck-enabled', 'yes', true, 'inert: Node reports a crash with its own stack trace'),
  bool('jemalloc-bg-thread', 'yes', true, 'inert: respdb does not allocate with jemalloc (V8 and LMDB manage its memory)'),
  oneOf('enable-debug-command', 'yes', ['no', 'yes', 'local'], false, "effect: whether DEBUG runs (no: refused, local: loopback clients only); respdb's default is yes (its DEBUG has no subcommand that harms the data)"),
  oneOf('enable-module-command', 'no', ['no', 'yes', 'local'], false, 'off: no only', { refuse: only('enable-module-command', ['no'], 'respdb has no MODULE command: it loads no Redis modules') }),
  oneOf('enable-protected-configs', 'no', ['no', 'yes', 'local'], false, 'off: no only', { refuse: only('enable-protected-configs', ['no'], 'respdb cannot change dir or dbfilename at runtime') }),
  str('ignore-warnings', '', true, 'inert: respdb has none of the kernel warnings Redis checks at startup'),
  oneOf('shutdown-on-sigint', 'default', ['default', 'save', 'nosave', 'now', 'force'], true, 'off: default only', { refuse: only('shutdown-on-sigint', ['default'], 'respdb shuts down the same way on every signal: its writes are committed, there is nothing to save') }),
  oneOf('shutdown-on-sigterm', 'default', ['default', 'save', 'nosave', 'now', 'force'], true, 'off: default only', { refuse: only('shutdown-on-sigterm', ['default'], 'respdb shuts down the same way on every signal: its writes are committed, there is nothing to save') }),
  int('shutdown-timeout', '10', 0, INT_MAX, true, 'inert: how long SHUTDOWN waits for replicas to catch up (no replication)'),
  int('tls-port', '0', 0, 65535, true, 'off: 0 only', { refuse: only('tls-port', ['0'], WHY.tls) }),
  bool('tls-replication', 'no', true, 'off: no only', { refuse: only('tls-replication', ['no'], WHY.tls) }),
  bool('tls-cluster', 'no', true, 'off: no only', { refuse: only('tls-cluster', ['no'], WHY.tls) }),
  ...['tls-cert-file', 'tls-key-file', 'tls-key-file-pass', 'tls-client-cert-file', 'tls-client-key-file', 'tls-client-key-file-pass', 'tls-dh-params-file', 'tls-ca-cert-file', 'tls-ca-cert-dir', 'tls-protocols', 'tls-ciphers', 'tls-ciphersuites'].map((n) => str(n, '', true, 'inert: TLS setting (tls-port is off)')),
  oneOf('tls-auth-clients', 'yes', ['no', 'yes', 'optional'], true, 'inert: TLS setting (tls-port is off)'),
  bool('tls-prefer-server-ciphers', 'no', true, 'inert: TLS setting (tls-port is off)'),
  bool('tls-session-caching', 'yes', true, 'inert: TLS setting (tls-port is off)'),
  int('tls-session-cache-size', '20480', 0, INT_MAX, true, 'inert: TLS setting (tls-port is off)'),
  int('tls-session-cache-timeout', '300', 0, INT_MAX, true, 'inert: TLS setting (tls-port is off)'),
];
