// INFO: every section of Redis 7.0 with Redis's field names in Redis's order, plus respdb's own
// (INFO respdb), from counters the main thread and the shards keep (nothing walks the data). The
// sections live beside: info-server.ts (server clients memory cpu), info-stats.ts (stats
// replication), info-data.ts (commandstats errorstats latencystats keyspace), info-respdb.ts.

import type { CommandDef } from './types.js';
import type { MainContext } from '../main-context.js';
import { cmd, kw } from './define.js';
import type { Section } from './info-format.js';
import { clientsSection, cpuSection, memorySection, serverSection } from './info-server.js';
import { replicationSection, statsSection } from './info-stats.js';
import { commandStatsSection, errorStatsSection, keyspaceSection, latencyStatsSection } from './info-data.js';
import { respdbSection } from './info-respdb.js';
import { persistenceSection } from '../backup/info.js';

/** [name, title, lines] in Redis's order; respdb's own section last, where modules' sections go. */
const SECTIONS: Array<[string, string, Section]> = [
  ['server', 'Server', serverSection],
  ['clients', 'Clients', clientsSection],
  ['memory', 'Memory', memorySection],
  ['persistence', 'Persistence', persistenceSection],
  ['stats', 'Stats', statsSection],
  ['replication', 'Replication', replicationSection],
  ['cpu', 'CPU', cpuSection],
  ['modules', 'Modules', () => []],
  ['commandstats', 'Commandstats', commandStatsSection],
  ['errorstats', 'Errorstats', errorStatsSection],
  ['latencystats', 'Latencystats', latencyStatsSection],
  ['cluster', 'Cluster', () => ['cluster_enabled:0']],
  ['keyspace', 'Keyspace', keyspaceSection],
  ['respdb', 'Respdb', respdbSection],
];

const DEFAULT_SECTIONS = new Set(['server', 'clients', 'memory', 'persistence', 'stats', 'replication', 'cpu', 'modules', 'errorstats', 'cluster', 'keyspace']);

/**
 * INFO [section ...]: default, all and everything as in Redis 7.0 (all: every section but those
 * of modules, which respdb has none of, so all = everything); unknown sections are ignored.
 */
function info(ctx: MainContext, args: Buffer[]): void {
  const want = new Set<string>();
  if (args.length === 1) for (const n of DEFAULT_SECTIONS) want.add(n);
  for (let i = 1; i < args.length; i++) {
    const n = kw(args[i]);
    if (n === 'default') for (const d of DEFAULT_SECTIONS) want.add(d);
    else if (n === 'all' || n === 'everything') for (const [name] of SECTIONS) want.add(name);
    else want.add(n);
  }
  const parts: string[] = [];
  for (const [name, title, fn] of SECTIONS) {
    if (!want.has(name)) continue;
    const lines = fn(ctx.server);
    parts.push(`# ${title}\r\n` + lines.map((l) => l + '\r\n').join(''));
  }
  ctx.out.verbatim(parts.join('\r\n'));
}

export const infoCommands: CommandDef[] = [
  cmd({
    name: 'info', arity: -1, flags: ['loading', 'stale'], acl: ['dangerous'], main: info,
    tips: ['nondeterministic_output', 'request_policy:all_shards', 'response_policy:special'],
    summary: 'Get information and statistics about the server', since: '1.0.0', group: 'server', complexity: 'O(1)',
  }),
];
