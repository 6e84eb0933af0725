// INFO commandstats, errorstats, latencystats and keyspace: per command, per error kind, per
// database, from counters (lib/server-figures.ts).

import type { Server } from '../server.js';
import { commandFigures, keyspaceFigures, latencyFigures } from '../server-figures.js';
import { optStr } from './info-format.js';

export function commandStatsSection(s: Server): string[] {
  return commandFigures(s).map(
    (c) =>
      `cmdstat_${c.name}:calls=${c.calls},usec=${c.usec},usec_per_call=${(c.calls ? c.usec / c.calls : 0).toFixed(2)},` +
      `rejected_calls=${c.rejected},failed_calls=${c.failed}`,
  );
}

export function errorStatsSection(s: Server): string[] {
  return [...s.counters.errorStats.entries()]
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .map(([k, n]) => `errorstat_${k}:count=${n}`);
}

/** latency-tracking-info-percentiles (Redis's default when the directive is not there). */
export function infoPercentiles(s: Server): number[] {
  return optStr(s, 'latency-tracking-info-percentiles', '50 99 99.9')
    .split(/\s+/)
    .filter(Boolean)
    .map(Number)
    .filter((p) => p >= 0 && p <= 100);
}

/** Redis prints a percentile with as few digits as it needs: p50, p99, p99.9. */
function percentileName(p: number): string {
  return `p${Number(p.toFixed(6))}`;
}

export function latencyStatsSection(s: Server): string[] {
  if (!s.config.bool('latency-tracking')) return [];
  const ps = infoPercentiles(s);
  return latencyFigures(s, ps).map(
    (l) => `latency_percentiles_usec_${l.name}:` + l.values.map((v, i) => `${percentileName(ps[i])}=${v.toFixed(3)}`).join(','),
  );
}

export function keyspaceSection(s: Server): string[] {
  return keyspaceFigures(s).map((d) => `db${d.db}:keys=${d.keys},expires=${d.expires},avg_ttl=${d.avgTtl}`);
}
